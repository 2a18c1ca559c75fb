/* /proc views of the CT's own limits: the host's lxcfs (a FUSE filesystem that answers each reader from
 * the cgroup of its pid) bound over the CT's /proc and /sys files, as LXC's lxcfs mount hook and Incus
 * do. lxcfs is a host service; vpsctl only binds its files, and a CT starts without them (warned) when
 * it is not there. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/macro.h"
#include "engine-internal.h"
#include "templates/templates.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* What lxcfs 5.0.3 serves that a CT has: LXC's hook binds each of proc/ that exists in the CT, then
 * sys/devices/system/cpu (online is what sysconf(_SC_NPROCESSORS_ONLN) and lscpu read). */
static const char *const views[] = {
        "proc/cpuinfo", "proc/diskstats", "proc/loadavg",
        "proc/meminfo", "proc/slabinfo",  "proc/stat",
        "proc/swaps",   "proc/uptime",    "sys/devices/system/cpu/online",
};

/* Is dir a live lxcfs: a FUSE mount that answers (a dead one's mount answers ENOTCONN) and has meminfo?
 * Opening the directory and its statfs are round trips to the daemon that it answers at once. Not a read
 * of meminfo: lxcfs computes the file for the reader's cgroup, 8 to 11 ms on a busy host, the slowest step
 * of a start's lxcfs work. */
static int lxcfs_live(const char *dir)
{
        struct statfs fs;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        if (fstatfs(dfd, &fs) < 0)
                return negative_errno();
        if (fs.f_type != FUSE_SUPER_MAGIC)
                return -ENOMEDIUM;
        _cleanup_close_ int fd = openat(dfd, "proc/meminfo", O_PATH | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? negative_errno() : 0;
}

/* Looking a view up is a round trip to the lxcfs daemon, 0.3 to 1 ms each on an idle host and more on a
 * busy one, and the kernel keeps the answer only for lxcfs's entry timeout (0.5 s): looked up one after
 * another in the child they were about 19 ms of a start's wall time (bench/README.md, profile). Here each
 * view is looked up by a thread of its own, at the start's beginning, while the start does its other
 * work; the child's lookups then find the dentries cached. The threads only warm the cache: what the
 * child binds it opens itself, and the liveness probe (the first job) decides whether lxcfs is used.
 * Only a directory that is a mount's root gets the view threads: one that is not (no lxcfs, or a host's
 * lxcfs seen through another filesystem, as in CI's cgroup v2 guest through 9p) gets no concurrent
 * lookups, only the probe's. */
struct lxcfs_job {
        const char *dir;
        const char *view; /* NULL: the liveness probe */
        int r;
        bool started;
        pthread_t tid;
};

struct ct_lxcfs_probe {
        struct lxcfs_job job[ELEMENTSOF(views) + 1];
        bool joined;
};

static void *lxcfs_job_run(void *arg)
{
        struct lxcfs_job *j = arg;
        if (!j->view) {
                j->r = lxcfs_live(j->dir);
                return NULL;
        }
        _cleanup_close_ int dfd = open(j->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = dfd < 0 ? -EBADF : openat(dfd, j->view, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        j->r = fd < 0 ? -errno : 0;
        return NULL;
}

static void lxcfs_probe_join(ct_lxcfs_probe *p)
{
        if (p->joined)
                return;
        for (size_t i = 0; i < ELEMENTSOF(p->job); i++)
                if (p->job[i].started)
                        (void)pthread_join(p->job[i].tid, NULL);
        p->joined = true;
}

ct_lxcfs_probe *ct_lxcfs_probe_begin(ct *c)
{
        if (c->cfg.lxcfs == CT_NO)
                return NULL;
        ct_lxcfs_probe *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL; /* ct_lxcfs_source() probes by itself */
        pthread_attr_t attr;
        bool small = pthread_attr_init(&attr) == 0;
        if (small)
                small = pthread_attr_setstacksize(&attr, 64 * 1024) == 0; /* a lookup needs little */
        /* a mount's root, or a kernel that cannot say (the threads as before) */
        int root = tmpl_is_mounted(c->cfg.lxcfs_dir);
        bool views_too = root > 0 || root == -EOPNOTSUPP;
        for (size_t i = 0; i < ELEMENTSOF(p->job) && (i == 0 || views_too); i++) {
                struct lxcfs_job *j = &p->job[i];
                j->dir = c->cfg.lxcfs_dir;
                j->view = i == 0 ? NULL : views[i - 1];
                if (j->view && streq(j->view, "proc/meminfo"))
                        continue; /* the probe looks it up */
                j->started = pthread_create(&j->tid, small ? &attr : NULL, lxcfs_job_run, j) == 0;
        }
        if (small)
                (void)pthread_attr_destroy(&attr);
        return p;
}

void ct_lxcfs_probe_free(ct_lxcfs_probe *p)
{
        if (!p)
                return;
        lxcfs_probe_join(p);
        free(p);
}

const char *ct_lxcfs_source(ct *c, ct_lxcfs_probe *p, const char **ret_state)
{
        const char *dir = c->cfg.lxcfs_dir;
        if (c->cfg.lxcfs == CT_NO) {
                *ret_state = "off";
                return NULL;
        }
        if (p)
                lxcfs_probe_join(p); /* no thread may run at clone() */
        int r = p && p->job[0].started ? p->job[0].r : lxcfs_live(dir);
        bool dead = r == -ENOTCONN; /* a mount left by an lxcfs that died */
        if (r < 0) {
                log_warning_errno(
                        r,
                        "CT %u starts without lxcfs's /proc views (free, top, nproc and uptime inside "
                        "show the host's): %s is not a running lxcfs (%s%m); start lxcfs: systemctl "
                        "start lxcfs (or %s%s%slxcfs %s), then restart the CT; or --lxcfs no, ignoring",
                        c->id, dir, r == -ENOMEDIUM ? "not a FUSE mount: " : "", dead ? "umount -l " : "",
                        dead ? dir : "", dead ? "; " : "", dir);
                *ret_state = "no";
                return NULL;
        }
        *ret_state = "yes";
        return dir;
}

int spawn_mount_lxcfs(int rootfd, const char *dir, char *err, size_t errlen)
{
        /* opened here, in the CT's mount namespace: a mount of the parent's namespace cannot be bound */
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct statfs fs;
        if (dfd < 0 || fstatfs(dfd, &fs) < 0 || fs.f_type != FUSE_SUPER_MAGIC) {
                snprintf(err, errlen,
                         "lxcfs at %s went away during the start (%s); start it again or use "
                         "--lxcfs no",
                         dir, dfd < 0 ? strerror(errno) : "not a FUSE mount");
                return dfd < 0 ? -errno : -ENOMEDIUM;
        }
        for (size_t i = 0; i < ELEMENTSOF(views); i++) {
                _cleanup_close_ int src = openat(dfd, views[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (src < 0 && errno == ENOENT)
                        continue; /* an lxcfs without this view */
                if (src < 0) {
                        snprintf(err, errlen, "Cannot open %s/%s: %s", dir, views[i], strerror(errno));
                        return -errno;
                }
                _cleanup_close_ int target = open_in_root(rootfd, views[i], O_PATH | O_NOFOLLOW);
                if (target == -ENOENT)
                        continue; /* the CT's kernel view has no such file */
                if (target < 0) {
                        snprintf(err, errlen, "Cannot open /%s in the CT: %s", views[i], strerror(-target));
                        return target;
                }
                char from[64], to[64];
                snprintf(from, sizeof(from), "/proc/self/fd/%d", src);
                snprintf(to, sizeof(to), "/proc/self/fd/%d", target);
                if (mount(from, to, NULL, MS_BIND, NULL) < 0) {
                        snprintf(err, errlen, "Cannot bind lxcfs's %s/%s over /%s: %s", dir, views[i],
                                 views[i], strerror(errno));
                        return -errno;
                }
        }
        return 0;
}

ct_lxcfs_state ct_lxcfs_recorded(ct *c)
{
        char path[4096];
        _cleanup_free_ char *state = NULL;
        snprintf(path, sizeof(path), "%s/state", c->run_path);
        if (read_full_file_at(AT_FDCWD, path, &state, NULL) < 0)
                return CT_LXCFS_UNKNOWN;
        const char *p = strstr(state, "\nLXCFS=");
        if (!p)
                return CT_LXCFS_UNKNOWN; /* started by a vpsctl before lxcfs views */
        p += strlen("\nLXCFS=");
        return strncmp(p, "yes\n", 4) == 0   ? CT_LXCFS_YES
               : strncmp(p, "no\n", 3) == 0  ? CT_LXCFS_MISSING
               : strncmp(p, "off\n", 4) == 0 ? CT_LXCFS_OFF
                                             : CT_LXCFS_UNKNOWN;
}
