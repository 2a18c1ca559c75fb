/* bench-guard: what one change of a venet link's nftables source guard (netns_guard_set, netns/nft.c)
 * costs with N other links guarded, as `vpsctl set --ipadd/--ipdel` and start and stop pay it.
 *
 * Usage: bench-guard N [ROUNDS]     (root; in a network namespace of its own, made here)
 *
 * Guards N links venet100000.. (one IPv4 and one IPv6 address each, through netns_guard_set: the links
 * need not exist, a guard goes by name), then times ROUNDS changes of one more link's addresses (set
 * with another IPv4 address) and ROUNDS removals and re-adds (del + set), and prints their medians and
 * means in ms. The namespace, and the table in it, go when it exits: the host's table is never touched. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "netns/netns.h"

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static void report(const char *what, double *v, int n)
{
        double sum = 0;
        for (int i = 0; i < n; i++)
                sum += v[i];
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        printf("  %-28s median %8.3f ms   mean %8.3f ms   min %8.3f ms   max %8.3f ms\n", what, v[n / 2],
               sum / n, v[0], v[n - 1]);
}

/* link i's sources: 10.(i>>8).(i&255).last and 2001:db8::(i):1 */
static void sources(int i, unsigned char last, netns_prefix p[2])
{
        memset(p, 0, 2 * sizeof(*p));
        p[0].family = AF_INET;
        p[0].prefixlen = 32;
        p[0].addr[0] = 10;
        p[0].addr[1] = (unsigned char)(i >> 8);
        p[0].addr[2] = (unsigned char)(i & 255);
        p[0].addr[3] = last;
        p[1].family = AF_INET6;
        p[1].prefixlen = 128;
        p[1].addr[0] = 0x20;
        p[1].addr[1] = 0x01;
        p[1].addr[2] = 0x0d;
        p[1].addr[3] = 0xb8;
        p[1].addr[12] = (unsigned char)(i >> 8);
        p[1].addr[13] = (unsigned char)(i & 255);
        p[1].addr[15] = 1;
}

static int guard(int i, unsigned char last)
{
        char name[32], *err = NULL;
        netns_prefix p[2];
        snprintf(name, sizeof(name), "venet%d", 100000 + i);
        sources(i, last, p);
        int r = netns_guard_set(name, p, 2, &err);
        if (r < 0)
                fprintf(stderr, "bench-guard: guard of %s: %s (%s)\n", name, err ? err : "", strerror(-r));
        free(err);
        return r;
}

int main(int argc, char **argv)
{
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: bench-guard N [ROUNDS]\n");
                return 2;
        }
        int n = atoi(argv[1]), rounds = argc > 2 ? atoi(argv[2]) : 50;
        if (n < 0 || n > 60000 || rounds < 1 || rounds > 100000) {
                fprintf(stderr, "bench-guard: N is 0..60000 and ROUNDS 1..100000\n");
                return 2;
        }
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "bench-guard: cannot make a network namespace of its own (root?): %s\n",
                        strerror(errno));
                return 1;
        }
        double t = now_ms();
        for (int i = 0; i < n; i++)
                if (guard(i, 1) < 0)
                        return 1;
        printf("bench-guard: %d links guarded in %.0f ms\n", n, now_ms() - t);
        if (guard(n, 1) < 0)
                return 1;

        double *change = calloc((size_t)rounds, sizeof(double)),
               *readd = calloc((size_t)rounds, sizeof(double));
        if (!change || !readd)
                return 1;
        char name[32];
        snprintf(name, sizeof(name), "venet%d", 100000 + n);
        for (int k = 0; k < rounds; k++) {
                t = now_ms();
                if (guard(n, (unsigned char)(2 + (k & 1))) < 0)
                        return 1;
                change[k] = now_ms() - t;
        }
        for (int k = 0; k < rounds; k++) {
                t = now_ms();
                int r = netns_guard_del(name);
                if (r < 0 || guard(n, 1) < 0) {
                        fprintf(stderr, "bench-guard: removal of %s: %s\n", name, strerror(-r));
                        return 1;
                }
                readd[k] = now_ms() - t;
        }
        printf("bench-guard: one more link with %d guarded, %d rounds:\n", n, rounds);
        report("change (set)", change, rounds);
        report("remove and re-add (del+set)", readd, rounds);
        free(change);
        free(readd);
        return 0;
}
