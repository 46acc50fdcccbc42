/* Load generator for bench/proxy-peers.sh: an origin (echo or byte source) and two clients that
 * drive a CONNECT proxy — many short tunnels (tunnels/s) and a few long ones (bytes/s).
 *
 *   proxy_load origin                                   listen on 127.0.0.1:0, print the port
 *   proxy_load tunnels PROXY_PORT HOST:PORT CONC SECS   CONC tunnels in flight, each: CONNECT,
 *                                                       64-byte echo, close; prints tunnels/s
 *   proxy_load bytes PROXY_PORT HOST:PORT STREAMS SECS  STREAMS tunnels reading a byte source;
 *                                                       prints bytes/s
 *   proxy_load fetch PROXY_PORT HOST:PORT COUNT         COUNT plain-HTTP GETs one after another, a
 *                                                       new connection each (absolute-form through
 *                                                       the proxy); prints the median and p99 µs
 *                                                       per fetch, the hop a fenced test suite pays
 *   proxy_load floor                                    the floor of a proxy hop for `fetch`: one
 *                                                       thread, blocking sockets, absolute-form GET
 *                                                       to 127.0.0.1:PORT only, no policy, no log;
 *                                                       listens on 127.0.0.1:0, prints the port
 * PROXY_PORT 0 connects straight to the origin (the baseline without a proxy). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAXC = 4096, PAYLOAD = 64, BUF = 256 * 1024 };
static char g_buf[BUF];
static int g_bytes_mode;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The origin: the first byte 'S' asks for an endless byte source; a request starting "GET " gets a
 * 512-byte HTTP/1.1 answer and the connection closes; anything else is echoed. */
static int origin(void) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr*)&a, sizeof a) != 0 || listen(l, 4096) != 0) return perror("origin"), 1;
  socklen_t len = sizeof a;
  getsockname(l, (struct sockaddr*)&a, &len);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  static char source[MAXC * 4];
  memset(g_buf, 'x', sizeof g_buf);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == l) {
        int c;
        while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (c >= (int)sizeof source) { close(c); continue; }
          source[c] = 0;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        }
        continue;
      }
      if (evs[i].events & EPOLLOUT) {
        if (write(fd, g_buf, sizeof g_buf) < 0 && errno != EAGAIN) close(fd);
        continue;
      }
      char in[4096];
      ssize_t r = read(fd, in, sizeof in);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      if (!source[fd] && r >= 4 && !memcmp(in, "GET ", 4)) {
        /* One read holds the whole head here: the fetch client sends it in one write. */
        static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 512\r\nConnection: close\r\n\r\n";
        char out[sizeof answer - 1 + 512];
        memcpy(out, answer, sizeof answer - 1);
        memset(out + sizeof answer - 1, 'x', 512);
        if (write(fd, out, sizeof out) < 0) { /* the client went away */ }
        close(fd);
      } else if (!source[fd] && in[0] == 'S') {
        source[fd] = 1;
        struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
      } else if (!source[fd] && write(fd, in, (size_t)r) < 0) {
        close(fd);
      }
    }
  }
}

struct conn { int fd; int state; int got; char head[512]; };
enum { ST_HEAD, ST_ECHO, ST_SOURCE };

static int start(struct conn* c, int ep, int slot, int proxy, int origin_port, const char* target) {
  c->fd = connect_to(proxy ? proxy : origin_port);
  if (c->fd < 0) return -1;
  c->got = 0;
  c->state = proxy ? ST_HEAD : g_bytes_mode ? ST_SOURCE : ST_ECHO;
  if (proxy) {
    char req[300];
    int n = snprintf(req, sizeof req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (unsigned)slot};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    /* The request goes out on the first EPOLLOUT; stash it in head[] until then. */
    memcpy(c->head, req, (size_t)n + 1);
    c->got = -n;
  } else {
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (unsigned)slot};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->got = -1; /* payload pending */
  }
  return 0;
}

static int client(int bytes_mode, int proxy, const char* target, int conc, double secs) {
  g_bytes_mode = bytes_mode;
  const char* colon = strrchr(target, ':');
  int origin_port = colon ? atoi(colon + 1) : 0;
  static struct conn cs[MAXC];
  if (conc > MAXC) conc = MAXC;
  int ep = epoll_create1(0);
  for (int i = 0; i < conc; ++i)
    if (start(&cs[i], ep, i, proxy, origin_port, target) != 0) return perror("connect"), 1;
  char payload[PAYLOAD];
  memset(payload, bytes_mode ? 'S' : 'E', sizeof payload);
  long done = 0, errors = 0;
  double total = 0, t0 = now(), measure_from = t0 + (bytes_mode ? 1.0 : 0.5), end = measure_from + secs;
  long done_at_start = -1;
  struct epoll_event evs[512];
  while (now() < end) {
    int n = epoll_wait(ep, evs, 512, 100);
    if (done_at_start < 0 && now() >= measure_from) { done_at_start = done; total = 0; }
    for (int i = 0; i < n; ++i) {
      struct conn* c = &cs[evs[i].data.u32];
      int slot = (int)evs[i].data.u32;
      if (evs[i].events & EPOLLOUT) {
        if (c->got < 0 && c->state == ST_HEAD) {
          if (write(c->fd, c->head, (size_t)-c->got) < 0) goto fail;
        } else if (c->got < 0) {
          if (write(c->fd, payload, bytes_mode ? 1 : PAYLOAD) < 0) goto fail;
        }
        c->got = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)slot};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        continue;
      }
      ssize_t r = read(c->fd, c->state == ST_HEAD ? c->head + c->got : g_buf,
                       c->state == ST_HEAD ? sizeof c->head - 1 - (size_t)c->got : sizeof g_buf);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) goto fail;
      if (c->state == ST_HEAD) {
        c->got += (int)r;
        c->head[c->got] = 0;
        if (!strstr(c->head, "\r\n\r\n")) continue;
        if (strncmp(c->head, "HTTP/1.1 200", 12) && strncmp(c->head, "HTTP/1.0 200", 12)) goto fail;
        c->state = bytes_mode ? ST_SOURCE : ST_ECHO;
        c->got = 0;
        if (write(c->fd, payload, bytes_mode ? 1 : PAYLOAD) < 0) goto fail;
        continue;
      }
      if (c->state == ST_SOURCE) { total += (double)r; continue; }
      c->got += (int)r;
      if (c->got < PAYLOAD) continue;
      ++done;
      close(c->fd);
      if (start(c, ep, slot, proxy, origin_port, target) != 0) ++errors;
      continue;
    fail:
      ++errors;
      close(c->fd);
      if (!bytes_mode && start(c, ep, slot, proxy, origin_port, target) != 0) ++errors;
    }
  }
  if (bytes_mode) printf("%.0f bytes/s (%ld errors)\n", total / secs, errors);
  else printf("%.0f tunnels/s (%ld errors)\n", (double)(done - (done_at_start < 0 ? 0 : done_at_start)) / secs, errors);
  return 0;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* COUNT fetches in a row, blocking sockets, as a test suite's HTTP client makes them. */
static int fetch(int proxy, const char* target, int count) {
  const char* colon = strrchr(target, ':');
  int origin_port = colon ? atoi(colon + 1) : 0;
  char req[512];
  int n = proxy ? snprintf(req, sizeof req, "GET http://%s/ HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, target)
                : snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target);
  double* took = calloc((size_t)count, sizeof *took);
  if (!took) return 1;
  int errors = 0;
  for (int i = 0; i < count; ++i) {
    double t0 = now();
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)(proxy ? proxy : origin_port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    long got = 0;
    if (connect(fd, (struct sockaddr*)&a, sizeof a) == 0 && write(fd, req, (size_t)n) == n) {
      ssize_t r;
      while ((r = read(fd, g_buf, sizeof g_buf)) > 0) got += r;
    }
    close(fd);
    took[i] = (now() - t0) * 1e6;
    if (got < 512) ++errors;
  }
  qsort(took, (size_t)count, sizeof *took, cmp_double);
  printf("%.1f us median, %.1f us p99 (%d errors)\n", took[count / 2], took[count * 99 / 100], errors);
  free(took);
  return 0;
}

/* What any user-space relay must do per fetch, and nothing more: accept, read the head, connect,
 * send the origin-form head, copy the answer back, close both. What a real proxy adds on top of
 * this is its own cost; what this adds over a direct fetch is the cost of having a hop at all. */
static int floor_relay(void) {
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(l, (struct sockaddr*)&a, sizeof a) != 0 || listen(l, 128) != 0 || getsockname(l, (struct sockaddr*)&a, &len) != 0) {
    perror("floor: bind");
    return 1;
  }
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  static char head[4096], out[4096];
  for (;;) {
    int c = accept(l, NULL, NULL);
    if (c < 0) continue;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ssize_t n = read(c, head, sizeof head - 1); /* the fetch client sends its head in one write */
    head[n > 0 ? n : 0] = 0;
    /* "GET http://HOST:PORT/PATH HTTP/1.1\r\n…" → "GET /PATH HTTP/1.1\r\n…" to 127.0.0.1:PORT */
    char* authority = strstr(head, "://");
    char* path = authority ? strchr(authority + 3, '/') : NULL;
    char* colon = authority ? memchr(authority + 3, ':', (size_t)(path ? path - authority - 3 : 0)) : NULL;
    char* space = path ? strchr(path, ' ') : NULL;
    int s = -1;
    if (colon && space) {
      int m = snprintf(out, sizeof out, "GET %.*s%s", (int)(space - path), path, space);
      struct sockaddr_in o;
      memset(&o, 0, sizeof o);
      o.sin_family = AF_INET;
      o.sin_port = htons((unsigned short)atoi(colon + 1));
      o.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      s = socket(AF_INET, SOCK_STREAM, 0);
      setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (m > 0 && m < (int)sizeof out && connect(s, (struct sockaddr*)&o, sizeof o) == 0 && write(s, out, (size_t)m) == m)
        while ((n = read(s, g_buf, sizeof g_buf)) > 0)
          if (write(c, g_buf, (size_t)n) != n) break;
    }
    if (s >= 0) close(s);
    close(c);
  }
}

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && !strcmp(argv[1], "origin")) return origin();
  if (argc >= 2 && !strcmp(argv[1], "floor")) return floor_relay();
  if (argc == 6 && (!strcmp(argv[1], "tunnels") || !strcmp(argv[1], "bytes")))
    return client(!strcmp(argv[1], "bytes"), atoi(argv[2]), argv[3], atoi(argv[4]), atof(argv[5]));
  if (argc == 5 && !strcmp(argv[1], "fetch") && atoi(argv[4]) > 0) return fetch(atoi(argv[2]), argv[3], atoi(argv[4]));
  fprintf(stderr, "usage: proxy_load origin | floor | tunnels|bytes PROXY_PORT HOST:PORT CONCURRENCY SECONDS | fetch PROXY_PORT HOST:PORT COUNT\n");
  return 2;
}
