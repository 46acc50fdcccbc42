/* udp_epoll_cost.c - what an epoll registration costs a batching UDP responder.
 *   udp_epoll_cost plain|epoll ADDR PORT
 * Answers every DNS query NXDOMAIN (question echoed, nothing else) with recvmmsg/sendmmsg
 * batches of 64, blocking in recvmmsg. "epoll" also adds the socket to an epoll set it never
 * waits on: the set's entry then sits on the socket's wait queue, and every datagram the socket
 * sends walks it (sock_wfree -> sk_write_space -> ep_poll_callback). The difference in queries
 * per CPU-second between the two modes is that walk's price; sandbox-dns avoids it by taking a
 * busy socket out of its epoll set (docs/performance.md). Build: cc -O2 -o R udp_epoll_cost.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

enum { BATCH = 64, SLOT = 512 };

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "plain") && strcmp(argv[1], "epoll"))) {
    fprintf(stderr, "usage: udp_epoll_cost plain|epoll ADDR PORT\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0), buf = 4 << 20;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
  if (fd < 0 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof a)) {
    perror("udp_epoll_cost: bind");
    return 1;
  }
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf); /* as sandbox-dns does as root */
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf);
  if (!strcmp(argv[1], "epoll")) {
    struct epoll_event ev = {.events = EPOLLIN};
    int ep = epoll_create1(0);
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
      perror("udp_epoll_cost: epoll");
      return 1;
    }
  }
  static unsigned char pkt[BATCH][SLOT];
  static struct sockaddr_in peer[BATCH];
  static struct iovec iov[BATCH];
  static struct mmsghdr in[BATCH], out[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i] = (struct iovec){pkt[i], SLOT};
      in[i].msg_hdr = (struct msghdr){.msg_name = &peer[i], .msg_namelen = sizeof peer[i], .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL), k = 0;
    for (int i = 0; i < n; i++) {
      unsigned char *p = pkt[i];
      unsigned len = in[i].msg_len, q = 12;
      if (len < 17 || (p[2] & 0x80) || p[4] || p[5] != 1) continue; /* one question, a query */
      while (q < len && p[q]) q += p[q] + 1u;                      /* skip the name's labels */
      if (q + 5 > len) continue;
      p[2] = (unsigned char)((p[2] & 0x79) | 0x80);                 /* QR; opcode and RD kept */
      p[3] = 0x83;                                                  /* RA, NXDOMAIN */
      memset(p + 6, 0, 6);                                          /* no other sections */
      iov[i].iov_len = q + 5;
      out[k++] = in[i];
    }
    if (k) sendmmsg(fd, out, (unsigned)k, 0);
  }
}
