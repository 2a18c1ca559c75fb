/* cgroup v2 backend: one hierarchy at /sys/fs/cgroup, delegated subtree under the vpsctl parent. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cgroup-internal.h"

#define CG2_ROOT "/sys/fs/cgroup"

/* Enable in dfd's subtree_control every controller dfd has, so that children get them all. */
static int enable_controllers(int dfd)
{
        _cleanup_free_ char *avail = NULL;
        int r = read_one_line_at(dfd, "cgroup.controllers", &avail);
        if (r < 0)
                return r;
        for (char *save = NULL, *c = strtok_r(avail, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                char buf[64];
                snprintf(buf, sizeof(buf), "+%s", c);
                r = write_string_at(dfd, "cgroup.subtree_control", buf);
                if (r < 0)
                        log_debug_errno(r, "Cannot enable controller %s, ignoring: %m", c);
        }
        return 0;
}

static int v2_setup(cg_ct *cg, bool create)
{
        struct cg_hierarchy *h = &cg->hier[0];
        int r;

        h->fd = -EBADF;
        h->attach_fd = -EBADF;
        h->is_v2 = true;
        h->root_fd = open(CG2_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0)
                return negative_errno();
        h->mnt = strdup(CG2_ROOT);
        h->controllers = strdup("");
        cg->n_hier = 1;
        if (!h->mnt || !h->controllers)
                return -ENOMEM;

        if (!create) {
                h->fd = openat(h->root_fd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                return h->fd < 0 ? negative_errno() : 0;
        }

        /* Walk the parent path, enabling controllers at each level we own. */
        _cleanup_free_ char *p = strdup(cg->parent);
        if (!p)
                return -ENOMEM;
        _cleanup_close_ int cur = fcntl(h->root_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return negative_errno();
        for (char *save = NULL, *c = strtok_r(p, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (next < 0)
                        return negative_errno();
                safe_close(cur);
                cur = next;
                r = enable_controllers(cur);
                if (r < 0)
                        return r;
        }
        const char *base = strrchr(cg->path, '/') + 1;
        if (mkdirat(cur, base, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        h->fd = openat(cur, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return h->fd < 0 ? negative_errno() : 0;
}

static int v2_populated(cg_ct *cg)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_full_file_at(cg->hier[0].fd, "cgroup.events", &buf, NULL);
        if (r < 0)
                return r == -ENOENT || r == -ENODEV ? 0 : r;
        const char *p = strstr(buf, "populated ");
        return p && p[strlen("populated ")] == '1';
}

static int v2_freeze(cg_ct *cg, bool freeze)
{
        int r = write_string_at(cg->hier[0].fd, "cgroup.freeze", freeze ? "1" : "0");
        if (r < 0)
                return r;
        for (int i = 0; i < 2000; i++) {
                _cleanup_free_ char *buf = NULL;
                r = read_full_file_at(cg->hier[0].fd, "cgroup.events", &buf, NULL);
                if (r < 0)
                        return r;
                const char *p = strstr(buf, "frozen ");
                if (!p || (p[strlen("frozen ")] == '1') == freeze)
                        return 0;
                nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

static int v2_frozen(cg_ct *cg)
{
        /* what was asked (cgroup.freeze), not only what is done: a CT being frozen is frozen to us */
        _cleanup_free_ char *s = NULL;
        int r = read_one_line_at(cg->hier[0].fd, "cgroup.freeze", &s);
        if (r == -ENOENT)
                return -EOPNOTSUPP; /* before Linux 5.2 */
        if (r < 0)
                return r;
        return streq(s, "1");
}

/* Wait for "populated 0" in cgroup.events. The kernel wakes poll(2) on a change, but no more often
 * than every 10 ms per file: re-read at short, growing intervals too. */
static int v2_wait_empty(cg_ct *cg, unsigned timeout_ms)
{
        _cleanup_close_ int fd = openat(cg->hier[0].fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENODEV ? 0 : negative_errno();
        long long deadline = cg_now_ms() + timeout_ms;
        for (int step = 1;; step = MIN(step * 2, 10)) {
                char buf[256];
                ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);
                if (k < 0)
                        return errno == ENODEV ? 0 : negative_errno();
                buf[k] = 0;
                const char *p = strstr(buf, "populated ");
                if (!p || p[strlen("populated ")] != '1')
                        return 0;
                long long left = deadline - cg_now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd pfd = { .fd = fd, .events = POLLPRI };
                if (poll(&pfd, 1, (int)MIN(left, (long long)step)) < 0 && errno != EINTR)
                        return negative_errno();
        }
}

static int v2_kill_all(cg_ct *cg, unsigned timeout_ms)
{
        int r = write_string_at(cg->hier[0].fd, "cgroup.kill", "1");
        if (r == -ENOENT) {
                /* Before Linux 5.14: freeze, kill each, thaw. */
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0, alloc = 0;
                (void)v2_freeze(cg, true);
                r = cg_read_pids_recursive(cg->hier[0].fd, &pids, &n, &alloc);
                for (size_t i = 0; r >= 0 && i < n; i++)
                        (void)kill(pids[i], SIGKILL);
                (void)v2_freeze(cg, false);
        }
        if (r < 0)
                return r;
        return v2_wait_empty(cg, timeout_ms);
}

/* A limit asked for whose file is missing: the controller is not enabled or not built. */
static int want(int r, const char *file, const char **ret_what)
{
        if (r == -ENOENT || r == -EACCES) {
                *ret_what = file;
                return -EOPNOTSUPP;
        }
        if (r < 0)
                *ret_what = file;
        return r;
}

static void io_field(char *buf, size_t len, const char *name, uint64_t v)
{
        size_t l = strlen(buf);
        if (v == CG_UNSET)
                return;
        if (v == CG_UNLIMITED || v == 0)
                snprintf(buf + l, len - l, " %s=max", name);
        else
                snprintf(buf + l, len - l, " %s=%llu", name, (unsigned long long)v);
}

static int v2_set_limits(cg_ct *cg, const cg_limits *l, const char **ret_what)
{
        int fd = cg->hier[0].fd;
        int r;

        if (l->mem_max != CG_UNSET &&
            (r = want(cg_write_u64(fd, "memory.max", l->mem_max), "memory.max", ret_what)) < 0)
                return r;
        if (l->swap_max != CG_UNSET &&
            (r = want(cg_write_u64(fd, "memory.swap.max", l->swap_max), "memory.swap.max", ret_what)) < 0)
                return r;
        if (l->mem_low != CG_UNSET &&
            (r = want(cg_write_u64(fd, "memory.low", l->mem_low), "memory.low", ret_what)) < 0)
                return r;
        if (l->cpu_weight != CG_UNSET &&
            (r = want(cg_write_u64(fd, "cpu.weight", l->cpu_weight), "cpu.weight", ret_what)) < 0)
                return r;
        if (l->cpu_quota_us != CG_UNSET) {
                char buf[64];
                if (l->cpu_quota_us == CG_UNLIMITED)
                        snprintf(buf, sizeof(buf), "max %llu", (unsigned long long)l->cpu_period_us);
                else
                        snprintf(buf, sizeof(buf), "%llu %llu", (unsigned long long)l->cpu_quota_us,
                                 (unsigned long long)l->cpu_period_us);
                if ((r = want(write_string_at(fd, "cpu.max", buf), "cpu.max", ret_what)) < 0)
                        return r;
        }
        if (l->cpuset &&
            (r = want(write_string_at(fd, "cpuset.cpus", l->cpuset), "cpuset.cpus", ret_what)) < 0)
                return r;
        if (l->pids_max != CG_UNSET &&
            (r = want(cg_write_u64(fd, "pids.max", l->pids_max), "pids.max", ret_what)) < 0)
                return r;
        if (l->io_major || l->io_minor) {
                char buf[256];
                snprintf(buf, sizeof(buf), "%u:%u", l->io_major, l->io_minor);
                io_field(buf, sizeof(buf), "rbps", l->io_rbps);
                io_field(buf, sizeof(buf), "wbps", l->io_wbps);
                io_field(buf, sizeof(buf), "riops", l->io_riops);
                io_field(buf, sizeof(buf), "wiops", l->io_wiops);
                if (strchr(buf, '=') &&
                    (r = want(write_string_at(fd, "io.max", buf), "io.max", ret_what)) < 0)
                        return r;
        }
        if (l->io_weight != CG_UNSET) {
                /* iocost's io.weight and the bfq scheduler's io.bfq.weight (1..1000) each govern the
                 * disks they schedule: set every one the kernel offers */
                char buf[32];
                snprintf(buf, sizeof(buf), "default %llu", (unsigned long long)l->io_weight);
                int a = write_string_at(fd, "io.weight", buf);
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)MIN(l->io_weight, 1000ULL));
                int b = write_string_at(fd, "io.bfq.weight", buf);
                if (a == -ENOENT && b == -ENOENT)
                        return want(a, "io.weight or io.bfq.weight", ret_what);
                if (a < 0 && a != -ENOENT)
                        return want(a, "io.weight", ret_what);
                if (b < 0 && b != -ENOENT)
                        return want(b, "io.bfq.weight", ret_what);
        }
        return 0;
}

static void counter(int fd, cg_counter *c, const char *cur, const char *peak, const char *max,
                    const char *events)
{
        (void)cg_read_u64(fd, cur, &c->held);
        c->have_maxheld = peak && cg_read_u64(fd, peak, &c->maxheld) >= 0;
        if (cg_read_u64(fd, max, &c->limit) < 0)
                c->limit = CG_UNLIMITED;
        if (events)
                (void)cg_read_keyed(fd, events, "max", &c->failcnt);
}

static int v2_get_stats(cg_ct *cg, cg_stats *st)
{
        int fd = cg->hier[0].fd;

        counter(fd, &st->mem, "memory.current", "memory.peak", "memory.max", NULL);
        const struct cg_key mem_events[] = { { "max", &st->mem.failcnt }, { "oom_kill", &st->oom_kills } };
        (void)cg_read_keys(fd, "memory.events", mem_events, ELEMENTSOF(mem_events));
        counter(fd, &st->swap, "memory.swap.current", "memory.swap.peak", "memory.swap.max",
                "memory.swap.events");
        counter(fd, &st->pids, "pids.current", "pids.peak", "pids.max", "pids.events");
        /* one read of memory.stat and one of cpu.stat for all their keys */
        uint64_t kmem = UINT64_MAX, shmem = UINT64_MAX;
        const struct cg_key mem[] = { { "kernel", &kmem }, { "shmem", &shmem } };
        (void)cg_read_keys(fd, "memory.stat", mem, ELEMENTSOF(mem));
        if ((st->have_kmem = kmem != UINT64_MAX))
                st->kmem.held = kmem;
        if ((st->have_shmem = shmem != UINT64_MAX))
                st->shmem = shmem;
        const struct cg_key cpu[] = {
                { "usage_usec", &st->cpu_usage_us },       { "user_usec", &st->cpu_user_us },
                { "system_usec", &st->cpu_system_us },     { "throttled_usec", &st->cpu_throttled_us },
                { "nr_throttled", &st->cpu_nr_throttled }, { "nr_periods", &st->cpu_nr_periods },
        };
        (void)cg_read_keys(fd, "cpu.stat", cpu, ELEMENTSOF(cpu));

        _cleanup_free_ char *io = NULL;
        if (read_full_file_at(fd, "io.stat", &io, NULL) >= 0)
                for (char *save = NULL, *l = strtok_r(io, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        unsigned long long v;
                        const char *p;
                        if ((p = strstr(l, "rbytes=")) && sscanf(p, "rbytes=%llu", &v) == 1)
                                st->io_rbytes += v;
                        if ((p = strstr(l, "wbytes=")) && sscanf(p, "wbytes=%llu", &v) == 1)
                                st->io_wbytes += v;
                        if ((p = strstr(l, "rios=")) && sscanf(p, "rios=%llu", &v) == 1)
                                st->io_rios += v;
                        if ((p = strstr(l, "wios=")) && sscanf(p, "wios=%llu", &v) == 1)
                                st->io_wios += v;
                }
        st->have_psi = cg_read_psi(fd, "cpu.pressure", &st->psi_cpu_avg10, &st->psi_cpu_total_us) >= 0;
        if (st->have_psi) {
                (void)cg_read_psi(fd, "memory.pressure", &st->psi_mem_avg10, &st->psi_mem_total_us);
                (void)cg_read_psi(fd, "io.pressure", &st->psi_io_avg10, &st->psi_io_total_us);
        }
        return 0;
}

const struct cg_ops cg_v2_ops = {
        .version = CG_VERSION_V2,
        .setup = v2_setup,
        .kill_all = v2_kill_all,
        .freeze = v2_freeze,
        .frozen = v2_frozen,
        .populated = v2_populated,
        .set_limits = v2_set_limits,
        .get_stats = v2_get_stats,
};
