/* Paired tail latency of several DNS servers at one fixed load: bench/dns-latency-paired.sh.
 *
 *   dns_pace QPS SECS NAMEFILE PORT...
 *
 * Sends QPS queries a second in all, for SECS seconds, to 127.0.0.1:PORT for every PORT, taking
 * turns: every block of as many queries as there are ports gives each port one query, in an order
 * shuffled per block, and each port is asked the same names in the same order (NAMEFILE: "name
 * TYPE" a line, TYPE A or AAAA, cycled). The servers are thus measured over the same seconds, so
 * the VM's noise (halted vCPUs, host preemption) falls on all of them alike; a comparison of
 * separate runs cannot tell that noise from a server's own tail.
 *
 * The sender busy-polls (its CPU never idles, so its own wake-ups add nothing) and takes the
 * receive time from the kernel's stamp on the reply (SO_TIMESTAMPNS), not from when the loop got
 * round to it. The load is open-loop: a slow answer does not hold back the next query.
 * A query still unanswered 1 s after the last one was sent is lost. The send time is read just
 * before the send: on loopback the send itself wakes the server, which is part of its latency.
 *
 * With DNS_PACE_DUMP=FILE set, every answer also goes to FILE as "port sent_ns latency_ns"; with
 * DNS_PACE_HIST=FILE, the latencies go there as "port µs count" (for pooling several runs).
 * Prints one line a port: port sent answered lost noerror nxdomain other p50 p90 p99 p999 max (µs).
 * Build: cc -O2 -o dns_pace dns_pace.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns_query.h"

#define MAX_PORTS 8
#define MAX_NAMES 200000
#define B 64

struct query {
  unsigned char wire[300];
  size_t len;
};

struct server {
  unsigned short port;
  struct sockaddr_in addr;
  int64_t sent_at[65536]; /* CLOCK_REALTIME ns of the query with this id; 0 = none in flight */
  int64_t *lat;           /* answered latencies, ns */
  int64_t *when;          /* and when each of those queries was sent (for DNS_PACE_DUMP) */
  size_t sent, answered, lost, noerror, nxdomain, other, nlat, cap;
};

static struct server srv[MAX_PORTS];
static struct query *names;
static size_t nnames;

static int64_t realtime_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Writes the query for `name` (dotted) and `type` into q; returns 0 when the name does not fit. */
static int make_query(struct query *q, const char *name, const char *type) {
  q->len = dns_make_query(q->wire, sizeof q->wire, name, strcmp(type, "AAAA") == 0 ? 28 : 1, 0); /* id set per send */
  return q->len != 0;
}

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The value under which a share q of the sorted samples lie, in µs. */
static double pct(const int64_t *v, size_t n, double q) {
  if (n == 0) return 0;
  size_t i = (size_t)(q * (double)(n - 1) + 0.5);
  return (double)v[i] / 1000.0;
}

static void reply(const unsigned char *p, size_t n, unsigned short from, int64_t at) {
  if (n < 12) return;
  for (int s = 0; s < MAX_PORTS; ++s) {
    struct server *v = &srv[s];
    if (v->port != from) continue;
    unsigned id = (unsigned)p[0] << 8 | p[1];
    if (v->sent_at[id] == 0 || !(p[2] & 0x80)) return;
    int64_t d = at - v->sent_at[id];
    v->sent_at[id] = 0;
    v->answered++;
    unsigned rc = p[3] & 0x0F;
    if (rc == 0) v->noerror++;
    else if (rc == 3) v->nxdomain++;
    else v->other++;
    if (v->nlat < v->cap) v->when[v->nlat] = at - d, v->lat[v->nlat++] = d < 0 ? 0 : d;
    return;
  }
}

int main(int argc, char **argv) {
  if (argc < 5 || argc - 4 > MAX_PORTS) {
    fprintf(stderr, "usage: dns_pace QPS SECS NAMEFILE PORT... (at most %d ports)\n", MAX_PORTS);
    return 2;
  }
  double qps = atof(argv[1]), secs = atof(argv[2]);
  int nsrv = argc - 4;
  if (qps <= 0 || secs <= 0) return fprintf(stderr, "dns_pace: QPS and SECS must be positive\n"), 2;
  FILE *f = fopen(argv[3], "r");
  if (!f) return fprintf(stderr, "dns_pace: cannot open %s: %s\n", argv[3], strerror(errno)), 2;
  names = calloc(MAX_NAMES, sizeof *names);
  char name[512], type[16];
  while (nnames < MAX_NAMES && fscanf(f, "%300s %15s", name, type) == 2)
    nnames += (size_t)make_query(&names[nnames], name, type);
  fclose(f);
  if (nnames == 0) return fprintf(stderr, "dns_pace: no usable names in %s\n", argv[3]), 2;

  size_t per = (size_t)(qps * secs / nsrv) + 16;
  for (int s = 0; s < nsrv; ++s) {
    srv[s].port = (unsigned short)atoi(argv[4 + s]);
    srv[s].addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(srv[s].port)};
    srv[s].addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv[s].cap = per;
    srv[s].lat = malloc(per * sizeof(int64_t));
    srv[s].when = malloc(per * sizeof(int64_t));
    if (!srv[s].lat || !srv[s].when) return fprintf(stderr, "dns_pace: out of memory\n"), 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int on = 1, buf = 8 << 20;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
    return fprintf(stderr, "dns_pace: socket: %s\n", strerror(errno)), 2;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);

  static unsigned char in[B][512];
  static char ctl[B][64];
  struct iovec iov[B];
  struct sockaddr_in from[B];
  struct mmsghdr m[B];
  int order[MAX_PORTS];
  srand(1);
  const int64_t gap = (int64_t)(1e9 / qps), start = realtime_ns(), stop = start + (int64_t)(secs * 1e9);
  const size_t total = (size_t)(qps * secs + 0.5);
  int64_t next = start, now = start;
  size_t k = 0; /* queries sent in all */
  while (now < stop + 1000000000) {
    while (now >= next && k < total) {
      int slot = (int)(k % (size_t)nsrv);
      if (slot == 0) { /* a new block: shuffle who goes first */
        for (int s = 0; s < nsrv; ++s) order[s] = s;
        for (int s = nsrv - 1; s > 0; --s) {
          int j = rand() % (s + 1), t = order[s];
          order[s] = order[j], order[j] = t;
        }
      }
      struct server *v = &srv[order[slot]];
      struct query *q = &names[(k / (size_t)nsrv) % nnames];
      unsigned id = (unsigned)(v->sent & 0xFFFF);
      if (v->sent_at[id] != 0) v->lost++; /* 65536 queries later and still unanswered */
      q->wire[0] = (unsigned char)(id >> 8), q->wire[1] = (unsigned char)id;
      v->sent_at[id] = realtime_ns();
      if (sendto(fd, q->wire, q->len, 0, (struct sockaddr *)&v->addr, sizeof v->addr) < 0) v->sent_at[id] = 0;
      else v->sent++;
      ++k;
      next = start + (int64_t)k * gap;
    }
    for (int i = 0; i < B; ++i) {
      iov[i] = (struct iovec){in[i], sizeof in[i]};
      m[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i],
                                     .msg_iovlen = 1, .msg_control = ctl[i], .msg_controllen = sizeof ctl[i]};
    }
    int n = recvmmsg(fd, m, B, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; ++i) {
      int64_t at = 0;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&m[i].msg_hdr); c; c = CMSG_NXTHDR(&m[i].msg_hdr, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec ts;
          memcpy(&ts, CMSG_DATA(c), sizeof ts);
          at = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        }
      if (at == 0) at = realtime_ns();
      reply(in[i], m[i].msg_len, ntohs(from[i].sin_port), at);
    }
    now = realtime_ns();
  }
  const char *dump = getenv("DNS_PACE_DUMP"); /* every answer: port, sent (ns from start), latency (ns) */
  FILE *df = dump && *dump ? fopen(dump, "w") : NULL;
  for (int s = 0; df && s < nsrv; ++s)
    for (size_t i = 0; i < srv[s].nlat; ++i)
      fprintf(df, "%u %lld %lld\n", srv[s].port, (long long)(srv[s].when[i] - start), (long long)srv[s].lat[i]);
  if (df) fclose(df);
  const char *hist = getenv("DNS_PACE_HIST"); /* the latencies as "port µs count", for pooling runs */
  FILE *hf = hist && *hist ? fopen(hist, "w") : NULL;
  for (int s = 0; hf && s < nsrv; ++s) {
    struct server *v = &srv[s];
    qsort(v->lat, v->nlat, sizeof *v->lat, cmp64);
    for (size_t i = 0, j; i < v->nlat; i = j) {
      long long us = v->lat[i] / 1000;
      for (j = i; j < v->nlat && v->lat[j] / 1000 == us; ++j) {}
      fprintf(hf, "%u %lld %zu\n", v->port, us, j - i);
    }
  }
  if (hf) fclose(hf);
  for (int s = 0; s < nsrv; ++s) {
    struct server *v = &srv[s];
    for (unsigned id = 0; id < 65536; ++id) v->lost += v->sent_at[id] != 0;
    qsort(v->lat, v->nlat, sizeof *v->lat, cmp64);
    printf("%u sent %zu answered %zu lost %zu noerror %zu nxdomain %zu other %zu us %.0f %.0f %.0f %.0f %.0f\n", v->port,
           v->sent, v->answered, v->lost, v->noerror, v->nxdomain, v->other, pct(v->lat, v->nlat, 0.50),
           pct(v->lat, v->nlat, 0.90), pct(v->lat, v->nlat, 0.99), pct(v->lat, v->nlat, 0.999),
           v->nlat ? (double)v->lat[v->nlat - 1] / 1000.0 : 0.0);
  }
  return 0;
}
