/* Load generator for bench/dns-memory.sh: keeps WINDOW queries in flight against a resolver with
 * sendmmsg/recvmmsg, for SECS seconds. Every blocked name is new (a counter in the first label,
 * so nothing repeats however long the run: the flood that must not grow a resolver's memory);
 * ALLOWED_PCT percent of queries ask one of 500 names under ALLOWED_SUFFIX (cached answers).
 *
 *   dns_flood ADDR PORT SECS WINDOW ALLOWED_PCT ALLOWED_SUFFIX
 * Prints one line: answers, qps, NOERROR, NXDOMAIN, other. Build: cc -O2 -o dns_flood dns_flood.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns_query.h"

#define B 64
static unsigned char pkt[B][512];
static struct iovec iov[B];
static struct mmsghdr m[B];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: dns_flood ADDR PORT SECS WINDOW ALLOWED_PCT ALLOWED_SUFFIX\n");
    return 2;
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) return fprintf(stderr, "bad address %s\n", argv[1]), 2;
  double secs = atof(argv[3]);
  long window = atol(argv[4]), allowed_pct = atol(argv[5]);
  const char *suffix = argv[6];
  int fd = socket(AF_INET, SOCK_DGRAM, 0), buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf);
  struct timeval tv = {0, 20000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) return perror("connect"), 1;
  unsigned long long sent = 0, got = 0, rc[16] = {0};
  long inflight = 0;
  double t0 = now(), end = t0 + secs;
  char name[300];
  while (now() < end) {
    while (inflight + B <= window) {
      for (int i = 0; i < B; i++, sent++) {
        if ((long)(sent % 100) < allowed_pct)
          snprintf(name, sizeof name, "h%03llu.%s", (sent / 100) % 500, suffix);
        else
          snprintf(name, sizeof name, "u%llx.flood%llu.example", sent, sent % 97);
        iov[i] = (struct iovec){pkt[i], dns_make_query(pkt[i], sizeof pkt[i], name, 1, (unsigned)sent)};
        m[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
      }
      int s = sendmmsg(fd, m, B, 0);
      if (s > 0) inflight += s;
    }
    for (int i = 0; i < B; i++) {
      iov[i] = (struct iovec){pkt[i], sizeof pkt[i]};
      m[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, m, B, MSG_WAITFORONE, NULL);
    if (n > 0) {
      got += (unsigned long long)n, inflight -= n;
      for (int i = 0; i < n; i++) rc[pkt[i][3] & 15]++;
    } else {
      inflight = 0; /* 20 ms of silence: count the rest as lost */
    }
  }
  double took = now() - t0;
  printf("answers %llu qps %.0f noerror %llu nxdomain %llu other %llu\n", got, (double)got / took, rc[0], rc[3],
         got - rc[0] - rc[3]);
  return 0;
}
