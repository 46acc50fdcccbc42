/* A DNS query in wire form, for the benchmark load generators (dns_pace.c, dns_flood.c): one
 * header, one question, class IN, RD set. Header-only so that each stays one `cc` command. */
#ifndef NETMAP_BENCH_DNS_QUERY_H
#define NETMAP_BENCH_DNS_QUERY_H

#include <stddef.h>
#include <string.h>

/* Writes a query for `name` (dotted, no trailing dot needed) of `type` with `id` into p[0..cap);
 * returns its length, or 0 when a label is empty or over 63 bytes or it does not fit. */
static size_t dns_make_query(unsigned char *p, size_t cap, const char *name, unsigned short type, unsigned id) {
  size_t l = 12;
  if (cap < l + 5) return 0;
  memset(p, 0, 12);
  p[0] = (unsigned char)(id >> 8), p[1] = (unsigned char)id, p[2] = 1, p[5] = 1; /* RD, QDCOUNT 1 */
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    if (n == 0 && dot && dot[1] == '\0') break; /* the trailing dot of an absolute name */
    if (n == 0 || n > 63 || l + n + 6 > cap) return 0;
    p[l] = (unsigned char)n;
    memcpy(p + l + 1, name, n);
    l += n + 1;
    name += n + (dot ? 1 : 0);
  }
  p[l++] = 0, p[l++] = (unsigned char)(type >> 8), p[l++] = (unsigned char)type, p[l++] = 0, p[l++] = 1;
  return l;
}

#endif
