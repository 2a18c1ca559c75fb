/* Every CT's figures in one pass, for `metrics` and `top`: status from the cgroup, usage counters, the
 * links of its network namespace, its disk quota. Read-only: no lock is taken, nothing is written. Many
 * CTs are read by a few threads: each reads whole CTs, with nothing shared but the cgroups module's
 * hierarchy list (filled before they start) and its own thread's network namespace (nl_open_in()). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

struct collect_job {
        struct ct_paths *p;
        const unsigned *ids;
        size_t n;
        unsigned flags;
        ct_metrics *m;
        int *rc;
        atomic_size_t next;
};

static void *collect_worker(void *arg)
{
        struct collect_job *j = arg;
        for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
                j->rc[i] = collect_one(j->p, j->ids[i], j->flags, &j->m[i]);
        return NULL;
}

/* Threads to read the CTs with: each CT costs tens of cgroupfs, procfs and netlink system calls and no
 * wait, so the CPUs of the host are the limit (a few are enough; a hosting node has many). */
static size_t collect_threads(size_t n)
{
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 16 || cpus < 2)
                return 1;
        return (size_t)MIN(cpus, 4L);
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
        _cleanup_free_ int *rc = calloc(n_ids ? n_ids : 1, sizeof(*rc));
        if (!m || !rc) {
                free(m);
                return -ENOMEM;
        }
        struct collect_job job = { .p = p, .ids = ids, .n = n_ids, .flags = flags, .m = m, .rc = rc };
        /* the first CT alone: what is read once per process (the cgroup hierarchies) is read before any
         * thread runs */
        atomic_init(&job.next, 1);
        if (n_ids > 0)
                rc[0] = collect_one(p, ids[0], flags, &m[0]);
        pthread_t tid[4];
        size_t started = 0, want = collect_threads(n_ids);
        for (; started + 1 < want; started++)
                if (pthread_create(&tid[started], NULL, collect_worker, &job) != 0)
                        break; /* fewer threads: the rest is done by those there are */
        (void)collect_worker(&job);
        for (size_t t = 0; t < started; t++)
                (void)pthread_join(tid[t], NULL);

        /* keep the order; leave out the CTs that could not be read (gone between the listing and now) */
        size_t n = 0;
        bool oom = false;
        for (size_t i = 0; i < n_ids; i++) {
                if (rc[i] < 0) {
                        oom = oom || rc[i] == -ENOMEM;
                        log_debug_errno(rc[i], "Cannot read CT %u: %m", ids[i]);
                        free(m[i].name);
                        free(m[i].hostname);
                        free(m[i].links);
                        continue;
                }
                m[n++] = m[i];
        }
        if (oom) {
                ct_metrics_free(m, n);
                return -ENOMEM;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}
