/* Every CT's figures in one pass, for `metrics` and `top`: status from the cgroup, usage counters, the
 * links of its network namespace, its disk quota. Read-only: no lock is taken, nothing is written. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/log.h"
#include "engine-internal.h"
#include "netns/netns.h"

static uint64_t cfg_limit(uint64_t v)
{
        return v == CT_U64_UNSET ? CG_UNLIMITED : v;
}

/* The links of the CT's network namespace, from its init's /proc/PID/ns/net. A CT that shares the host's
 * namespace has none of its own: none reported. */
static int collect_links(pid_t pid, ct_metrics *m)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        _cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return negative_errno();
        struct stat a, b;
        if (fstat(nsfd, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
                return negative_errno();
        if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                return 0;
        _cleanup_nl_ nl_sock *nl = NULL;
        int r = nl_open_in(nsfd, &nl);
        if (r < 0)
                return r;
        netns_link_stats *v = NULL;
        size_t n = 0;
        r = netns_link_stats_list(nl, &v, &n);
        if (r < 0)
                return r;
        m->links = calloc(n ? n : 1, sizeof(*m->links));
        if (!m->links) {
                free(v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                if (streq(v[i].ifname, "lo"))
                        continue; /* the CT's own loopback is no traffic of the host's */
                ct_metrics_link *l = &m->links[m->n_links++];
                snprintf(l->ifname, sizeof(l->ifname), "%s", v[i].ifname);
                l->rx_bytes = v[i].rx_bytes;
                l->tx_bytes = v[i].tx_bytes;
                l->rx_packets = v[i].rx_packets;
                l->tx_packets = v[i].tx_packets;
                l->rx_errors = v[i].rx_errors;
                l->tx_errors = v[i].tx_errors;
                l->rx_dropped = v[i].rx_dropped;
                l->tx_dropped = v[i].tx_dropped;
        }
        free(v);
        return 0;
}

/* Seconds since the init started: its start time in clock ticks since boot against CLOCK_BOOTTIME. */
static uint64_t init_uptime(pid_t pid)
{
        unsigned long long start;
        char st;
        struct timespec now;
        long hz = sysconf(_SC_CLK_TCK);
        if (proc_start_time(pid, &start, &st) < 0 || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) < 0)
                return 0;
        unsigned long long s = start / (unsigned long long)hz;
        return (unsigned long long)now.tv_sec > s ? (unsigned long long)now.tv_sec - s : 0;
}

static int collect_one(struct ct_paths *p, unsigned id, unsigned flags, ct_metrics *m)
{
        _cleanup_ct_ ct *c = NULL;
        int r = ct_load_lenient(p, id, &c);
        if (r < 0)
                return r;
        *m = (ct_metrics){ .id = id, .exists = c->exists, .config_error = c->config_error != NULL };
        if ((c->cfg.name && !(m->name = strdup(c->cfg.name))) ||
            (c->cfg.hostname && !(m->hostname = strdup(c->cfg.hostname))))
                return -ENOMEM;
        /* the config's limits: what a stopped CT would get, and what a running one got at its start */
        m->stats.mem.limit = cfg_limit(c->cfg.ram_limit);
        m->stats.swap.limit = c->cfg.swap_limit != CT_U64_UNSET  ? c->cfg.swap_limit
                              : c->cfg.ram_limit != CT_U64_UNSET ? 0
                                                                 : CG_UNLIMITED;
        m->stats.pids.limit = cfg_limit(c->cfg.numproc_limit);

        _cleanup_cg_ct_ cg_ct *cg = NULL;
        r = ct_open_cgroup(c, false, &cg);
        if (r >= 0 && cg_ct_populated(cg) > 0) {
                m->running = true;
                m->frozen = cg_ct_frozen(cg) > 0;
                cg_stats st = { 0 };
                if (cg_ct_get_stats(cg, &st) >= 0) {
                        m->stats = st;
                        m->have_stats = true;
                }
                if (ct_find_init(c, cg, &m->init_pid) < 0)
                        m->init_pid = 0;
                if (m->init_pid > 0)
                        m->uptime_s = init_uptime(m->init_pid);
                if ((flags & CT_METRICS_NET) && m->init_pid > 0) {
                        r = collect_links(m->init_pid, m);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                log_debug_errno(r, "Cannot read the links of CT %u: %m", id);
                        m->have_links = r >= 0;
                }
        } else if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "Cannot open the cgroup of CT %u: %m", id);
        if (flags & CT_METRICS_DISK)
                m->have_disk = ct_get_disk_usage(c, &m->disk) >= 0;
        return 0;
}

void ct_metrics_free(ct_metrics *m, size_t n)
{
        for (size_t i = 0; m && i < n; i++) {
                free(m[i].name);
                free(m[i].hostname);
                free(m[i].links);
        }
        free(m);
}

int ct_metrics_collect(struct ct_paths *p, const unsigned *ids, size_t n_ids, unsigned flags,
                       ct_metrics **ret, size_t *ret_n)
{
        _cleanup_free_ unsigned *all = NULL;
        int r;

        if (!ids) {
                r = ct_list_ids(p, &all, &n_ids);
                if (r < 0)
                        return r;
                ids = all;
        }
        ct_metrics *m = calloc(n_ids ? n_ids : 1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < n_ids; i++) {
                r = collect_one(p, ids[i], flags, &m[n]);
                if (r == -ENOMEM) {
                        ct_metrics_free(m, n + 1);
                        return r;
                }
                if (r < 0) {
                        /* gone between the listing and now, or unreadable: left out */
                        log_debug_errno(r, "Cannot read CT %u: %m", ids[i]);
                        free(m[n].name);
                        free(m[n].hostname);
                        free(m[n].links);
                        m[n] = (ct_metrics){ 0 };
                        continue;
                }
                n++;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}
