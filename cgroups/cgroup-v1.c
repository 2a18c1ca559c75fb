/* cgroup v1 / hybrid backend: the CT's cgroup in every mounted hierarchy (and the unified one). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cgroup-internal.h"

/* Copy cpuset.cpus/mems down from the parent where empty: v1 refuses tasks in an unset cpuset. */
static int cpuset_inherit(int parent_fd, int fd)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *cur = NULL, *val = NULL;
                int r = read_one_line_at(fd, files[i], &cur);
                if (r < 0)
                        return r;
                if (*cur)
                        continue;
                r = read_one_line_at(parent_fd, files[i], &val);
                if (r < 0)
                        return r;
                r = write_string_at(fd, files[i], val);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int make_path(struct cg_hierarchy *h, const char *path, bool cpuset)
{
        _cleanup_free_ char *p = strdup(path);
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
                if (cpuset) {
                        int r = cpuset_inherit(cur, next);
                        if (r < 0) {
                                safe_close(next);
                                return r;
                        }
                }
                safe_close(cur);
                cur = next;
        }
        h->fd = TAKE_FD(cur);
        return 0;
}

bool cg_has_controller(const char *list, const char *c)
{
        size_t n = strlen(c);
        for (const char *p = list; (p = strstr(p, c)); p += n)
                if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
                        return true;
        return false;
}

/* The cgroup hierarchies mounted at their root, from mountinfo: parsed and opened once per process, since
 * a host with many CTs has a long mountinfo (an overlay root per running CT) and `metrics` and `top` open
 * every CT's cgroup. The hierarchies of a host do not change while a vpsctl command runs. */
struct v1_mount {
        char *mnt, *controllers;
        bool is_v2;
        int fd; /* the mount point (O_CLOEXEC); each CT's handle gets a duplicate */
};
static struct v1_mount v1_mounts[CG_MAX_HIERARCHIES];
static size_t v1_n_mounts;
static bool v1_mounts_valid;

static void v1_mounts_clear(void)
{
        for (size_t i = 0; i < v1_n_mounts; i++) {
                free(v1_mounts[i].mnt);
                free(v1_mounts[i].controllers);
                safe_close(v1_mounts[i].fd);
        }
        v1_n_mounts = 0;
        v1_mounts_valid = false;
}

/* One hierarchy found at mnt (its super options opts, which strtok_r cuts up), unless its controllers are
 * known already or another mount covers it. */
static int v1_mounts_add(const char *mnt, bool v2, char *opts)
{
        /* keep only the controller part of the super options */
        char ctl[1024] = "";
        if (!v2)
                for (char *save = NULL, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                        if (streq(o, "rw") || streq(o, "ro") || strncmp(o, "release_agent=", 14) == 0 ||
                            streq(o, "xattr") || streq(o, "noprefix") || streq(o, "clone_children") ||
                            streq(o, "cpuset_v2_mode"))
                                continue;
                        if (*ctl)
                                strncat(ctl, ",", sizeof(ctl) - strlen(ctl) - 1);
                        strncat(ctl, o, sizeof(ctl) - strlen(ctl) - 1);
                }

        for (size_t i = 0; i < v1_n_mounts; i++)
                if (v1_mounts[i].is_v2 == v2 && streq(v1_mounts[i].controllers, ctl))
                        return 0;
        if (v1_n_mounts >= CG_MAX_HIERARCHIES)
                return 0;
        struct v1_mount *m = &v1_mounts[v1_n_mounts];
        int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        /* a hierarchy another mount covers (an empty tmpfs over unified, say) is not ours to use */
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0 ||
            (uint64_t)sfs.f_type != (v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC)) {
                log_debug("cgroup hierarchy %s is covered by another mount; skipping it", mnt);
                safe_close(fd);
                return 0;
        }
        *m = (struct v1_mount){ .mnt = strdup(mnt), .controllers = strdup(ctl), .is_v2 = v2, .fd = fd };
        v1_n_mounts++;
        return m->mnt && m->controllers ? 0 : -ENOMEM;
}

/* listmount(2) and statmount(2) (Linux 6.8; a mount's super options since 6.11), declared here since
 * Debian 12's headers predate them. */
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#define V1_STATX_MNT_ID_UNIQUE  0x4000U
#define V1_STATMOUNT_SB_BASIC   0x1U
#define V1_STATMOUNT_MNT_ROOT   0x8U
#define V1_STATMOUNT_MNT_POINT  0x10U
#define V1_STATMOUNT_MNT_OPTS   0x80U
#define V1_MNT_ID_REQ_SIZE_VER0 24U    /* struct v1_mnt_id_req as Linux 6.8 knows it */
#define V1_STATMOUNT_BUF        16384U /* one mount's fields and strings */

struct v1_mnt_id_req {
        uint32_t size, spare;
        uint64_t mnt_id, param;
};

struct v1_statmount {
        uint32_t size, mnt_opts;
        uint64_t mask;
        uint32_t sb_dev_major, sb_dev_minor;
        uint64_t sb_magic;
        uint32_t sb_flags, fs_type;
        uint64_t mnt_id, mnt_parent_id;
        uint32_t mnt_id_old, mnt_parent_id_old;
        uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
        uint32_t mnt_root, mnt_point;
        uint64_t mnt_ns_id;
        uint64_t spare2[49];
        char str[];
};

/* The hierarchies mounted under /sys/fs/cgroup, asked of the kernel mount by mount: mountinfo lists every
 * mount of the namespace, an overlay root per running CT among them, and reading it cost 8 ms with 1,000
 * CTs running (the kernel formats every line), in every start and stop: the growth of a start's time with
 * density (bench/README.md). -EOPNOTSUPP when the kernel cannot answer so (before 6.11) or /sys/fs/cgroup
 * holds no hierarchy: mountinfo then. A hierarchy mounted only elsewhere is not used beside the ones
 * there (mountinfo's way took the first mount of each set of controllers, wherever it was). */
static int v1_mounts_load_statmount(void)
{
        struct statx stx;
        if (statx(AT_FDCWD, "/sys/fs/cgroup", AT_NO_AUTOMOUNT, V1_STATX_MNT_ID_UNIQUE, &stx) < 0 ||
            !(stx.stx_mask & V1_STATX_MNT_ID_UNIQUE) || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
                return -EOPNOTSUPP;
        uint64_t ids[64];
        struct v1_mnt_id_req req = { .size = V1_MNT_ID_REQ_SIZE_VER0, .mnt_id = stx.stx_mnt_id };
        long n = syscall(__NR_listmount, &req, ids, ELEMENTSOF(ids), 0);
        if (n < 0 || (size_t)n >= ELEMENTSOF(ids))
                return -EOPNOTSUPP; /* no such call, or more mounts there than hierarchies can be */
        _cleanup_free_ struct v1_statmount *sm = malloc(V1_STATMOUNT_BUF);
        if (!sm)
                return -ENOMEM;
        size_t found = 0;
        for (long i = 0; i < n; i++) {
                struct v1_mnt_id_req q = { .size = V1_MNT_ID_REQ_SIZE_VER0,
                                           .mnt_id = ids[i],
                                           .param = V1_STATMOUNT_SB_BASIC | V1_STATMOUNT_MNT_ROOT |
                                                    V1_STATMOUNT_MNT_POINT | V1_STATMOUNT_MNT_OPTS };
                if (syscall(__NR_statmount, &q, sm, V1_STATMOUNT_BUF, 0) < 0) {
                        if (errno == ENOENT)
                                continue; /* unmounted since the list */
                        return -EOPNOTSUPP;
                }
                if (!(sm->mask & V1_STATMOUNT_SB_BASIC) || !(sm->mask & V1_STATMOUNT_MNT_POINT) ||
                    !(sm->mask & V1_STATMOUNT_MNT_ROOT))
                        return -EOPNOTSUPP;
                bool v2 = sm->sb_magic == CGROUP2_SUPER_MAGIC;
                if (!v2 && sm->sb_magic != CGROUP_SUPER_MAGIC)
                        continue;
                if (!v2 && !(sm->mask & V1_STATMOUNT_MNT_OPTS))
                        return -EOPNOTSUPP; /* 6.8 to 6.10: no super options, so no controllers */
                if (!streq(sm->str + sm->mnt_root, "/"))
                        continue;
                char opts[1024] = "";
                if (!v2)
                        snprintf(opts, sizeof(opts), "%s", sm->str + sm->mnt_opts);
                int r = v1_mounts_add(sm->str + sm->mnt_point, v2, opts);
                if (r < 0)
                        return r;
                found++;
        }
        return found > 0 ? 0 : -EOPNOTSUPP;
}

static int v1_mounts_load_mountinfo(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;

        if (!f)
                return negative_errno();
        while (getline(&line, &len, f) > 0) {
                char root[4096], mnt[4096], fstype[64], opts[1024];
                const char *sep = strstr(line, " - ");
                if (!sep)
                        continue;
                if (sscanf(line, "%*d %*d %*s %4095s %4095s", root, mnt) != 2)
                        continue;
                if (sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
                        continue;
                bool v2 = streq(fstype, "cgroup2");
                if (!v2 && !streq(fstype, "cgroup"))
                        continue;
                if (!streq(root, "/"))
                        continue;
                int r = v1_mounts_add(mnt, v2, opts);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v1_mounts_load_from(cg_v1_source from)
{
        int r = -EOPNOTSUPP;
        v1_mounts_clear();
        if (from != CG_V1_FROM_MOUNTINFO)
                r = v1_mounts_load_statmount();
        if (r == -EOPNOTSUPP && from != CG_V1_FROM_STATMOUNT) {
                v1_mounts_clear();
                r = v1_mounts_load_mountinfo();
        }
        if (r < 0)
                v1_mounts_clear();
        v1_mounts_valid = r >= 0;
        return r;
}

int cg_v1_hierarchies_describe(cg_v1_source from, char *buf, size_t size)
{
        int r = v1_mounts_load_from(from);
        if (r < 0)
                return r;
        size_t used = 0;
        buf[0] = 0;
        for (size_t i = 0; i < v1_n_mounts && used < size; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s %s %s\n", v1_mounts[i].mnt,
                                         v1_mounts[i].is_v2 ? "cgroup2" : "cgroup",
                                         v1_mounts[i].controllers);
        return used < size ? (int)v1_n_mounts : -ENOBUFS;
}

static int v1_setup(cg_ct *cg, bool create)
{
        int r;

        if (!v1_mounts_valid && (r = v1_mounts_load_from(CG_V1_FROM_ANY)) < 0)
                return r;
        for (size_t m = 0; m < v1_n_mounts; m++) {
                const char *mnt = v1_mounts[m].mnt, *ctl = v1_mounts[m].controllers;
                bool v2 = v1_mounts[m].is_v2;
                struct cg_hierarchy *h = &cg->hier[cg->n_hier];
                h->fd = -EBADF;
                h->attach_fd = -EBADF;
                /* the cache's, not copies: a CT's handle costs no dup or strdup per hierarchy (metrics
                 * and top open every CT's) */
                h->root_fd = v1_mounts[m].fd;
                h->mnt = v1_mounts[m].mnt;
                h->controllers = v1_mounts[m].controllers;
                h->is_v2 = v2;
                h->borrowed = true;
                cg->n_hier++;

                if (create) {
                        r = make_path(h, cg->path, cg_has_controller(ctl, "cpuset"));
                        if (r < 0)
                                return log_debug_errno(r, "Failed to create cgroup %s/%s: %m", mnt,
                                                       cg->path);
                } else {
                        h->fd = openat(h->root_fd, cg->path,
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (h->fd < 0 && errno != ENOENT)
                                return negative_errno();
                }
        }

        /* Without create, keep only the hierarchies where the CT's cgroup exists. */
        size_t k = 0;
        for (size_t i = 0; i < cg->n_hier; i++) {
                if (cg->hier[i].fd >= 0)
                        cg->hier[k++] = cg->hier[i];
                else if (!cg->hier[i].borrowed) {
                        safe_close(cg->hier[i].root_fd);
                        free(cg->hier[i].mnt);
                        free(cg->hier[i].controllers);
                }
        }
        cg->n_hier = k;
        /* Put a v1 controller hierarchy first: it is the one used for membership. */
        for (size_t i = 1; i < cg->n_hier && cg->hier[0].is_v2; i++)
                if (!cg->hier[i].is_v2) {
                        struct cg_hierarchy t = cg->hier[0];
                        cg->hier[0] = cg->hier[i];
                        cg->hier[i] = t;
                }
        return k > 0 ? 0 : -ENOENT;
}

static struct cg_hierarchy *find_controller(cg_ct *cg, const char *c)
{
        for (size_t i = 0; i < cg->n_hier; i++)
                if (!cg->hier[i].is_v2 && cg_has_controller(cg->hier[i].controllers, c))
                        return &cg->hier[i];
        return NULL;
}

static int v1_populated(cg_ct *cg)
{
        return cg_any_pid_recursive(cg->hier[0].fd);
}

static int freezer_state(struct cg_hierarchy *h, const char *want)
{
        int r = write_string_at(h->fd, "freezer.state", want);
        if (r < 0)
                return r;
        for (int i = 0; i < 2000; i++) {
                _cleanup_free_ char *s = NULL;
                r = read_one_line_at(h->fd, "freezer.state", &s);
                if (r < 0)
                        return r;
                if (streq(s, want))
                        return 0;
                nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

static int v1_freeze(cg_ct *cg, bool freeze)
{
        struct cg_hierarchy *h = find_controller(cg, "freezer");
        if (!h)
                return -EOPNOTSUPP;
        return freezer_state(h, freeze ? "FROZEN" : "THAWED");
}

static int v1_frozen(cg_ct *cg)
{
        struct cg_hierarchy *h = find_controller(cg, "freezer");
        if (!h)
                return -EOPNOTSUPP;
        _cleanup_free_ char *s = NULL;
        int r = read_one_line_at(h->fd, "freezer.state", &s);
        if (r < 0)
                return r;
        return !streq(s, "THAWED"); /* FROZEN or FREEZING */
}

static int v1_kill_all(cg_ct *cg, unsigned timeout_ms)
{
        struct cg_hierarchy *fz = find_controller(cg, "freezer");
        /* frozen tasks die only once thawed: a frozen CT goes the frozen way at once */
        bool frozen = fz && v1_frozen(cg) > 0;
        unsigned waited = 0;

        for (int pass = 0;; pass++) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0, alloc = 0;

                _cleanup_free_ struct pollfd *fds = NULL;

                /* Frozen, nothing can fork between our read of the list and the kills. The first pass
                 * does without (a freeze and a thaw are 4 ms each, the freezer's state polled): a CT's
                 * processes live in its pid namespace, and its init's death takes all of them (the kernel
                 * kills the namespace, forks after our read included). What is left, in a cgroup without
                 * its own pid namespace, the frozen passes get. */
                bool freeze = fz && (pass > 0 || frozen);
                if (freeze)
                        (void)freezer_state(fz, "FROZEN");
                int r = cg_read_pids_recursive(cg->hier[0].fd, &pids, &n, &alloc);
                if (r >= 0)
                        r = cg_kill_pids(pids, n, &fds);
                if (freeze)
                        (void)freezer_state(fz, "THAWED");
                if (r < 0)
                        return r;
                if (n == 0)
                        return 0;
                /* Their pidfds say when they are gone, without polling the cgroup; what is left
                 * (no pidfd, or a process that came in from outside) the cgroup's own check finds. */
                (void)cg_wait_pidfds(fds, n, 200);
                if (pass == 0 && fz && !frozen) {
                        r = v1_populated(cg);
                        if (r <= 0)
                                return r;
                        continue; /* a process forked past the kills: again, frozen */
                }
                r = cg_wait_empty(cg, 200);
                if (r == 0)
                        return 0;
                if (r != -ETIMEDOUT)
                        return r;
                waited += 200;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
        }
}

/* v1 writes -1 for "no limit" in the memory and cfs files */
static int write_v1(int fd, const char *file, uint64_t v)
{
        if (v == CG_UNLIMITED)
                return write_string_at(fd, file, "-1");
        return cg_write_u64(fd, file, v);
}

static int need(struct cg_hierarchy *h, const char *ctl, const char **ret_what)
{
        if (!h) {
                *ret_what = ctl;
                return -EOPNOTSUPP;
        }
        return 0;
}

static int chk(int r, const char *file, const char **ret_what)
{
        if (r < 0)
                *ret_what = file;
        return r == -ENOENT ? -EOPNOTSUPP : r;
}

static uint64_t v1_limit(uint64_t v)
{
        /* "unlimited" in v1 reads as a page-rounded LONG_MAX */
        return v >= (1ULL << 62) ? CG_UNLIMITED : v;
}

/* Whether the host has any swap device (/proc/swaps holds more than its header line). */
static bool host_has_swap(void)
{
        _cleanup_free_ char *buf = NULL;
        if (read_full_file_at(AT_FDCWD, "/proc/swaps", &buf, NULL) < 0)
                return true;
        const char *nl = strchr(buf, '\n');
        return nl && nl[1];
}

static int v1_set_memory(struct cg_hierarchy *h, const cg_limits *l, const char **ret_what)
{
        int r;

        if (l->swap_max == 0 && !host_has_swap()) {
                /* No swap to limit. memsw == ram would be the same limit, but the kernel then fails
                 * charges on memsw, whose failcnt it does not count, and memory.failcnt never moves:
                 * leave memsw open so the RAM limit is the one that fails and is counted. */
                r = write_string_at(h->fd, "memory.memsw.limit_in_bytes", "-1");
                if (r < 0 && r != -ENOENT)
                        return chk(r, "memory.memsw.limit_in_bytes", ret_what);
                if (l->mem_max != CG_UNSET && (r = write_v1(h->fd, "memory.limit_in_bytes", l->mem_max)) < 0)
                        return chk(r, "memory.limit_in_bytes", ret_what);
        } else if (l->swap_max != CG_UNSET) {
                /* memsw is ram+swap and must never be below the ram limit: open it first */
                uint64_t mem = l->mem_max;
                if (mem == CG_UNSET) {
                        r = cg_read_u64(h->fd, "memory.limit_in_bytes", &mem);
                        if (r < 0)
                                return chk(r, "memory.limit_in_bytes", ret_what);
                        mem = v1_limit(mem);
                }
                r = write_string_at(h->fd, "memory.memsw.limit_in_bytes", "-1");
                if (r < 0)
                        return chk(
                                r,
                                "memory.memsw.limit_in_bytes (swap accounting off? boot with swapaccount=1)",
                                ret_what);
                if (l->mem_max != CG_UNSET && (r = write_v1(h->fd, "memory.limit_in_bytes", l->mem_max)) < 0)
                        return chk(r, "memory.limit_in_bytes", ret_what);
                uint64_t memsw = mem == CG_UNLIMITED || l->swap_max == CG_UNLIMITED ? CG_UNLIMITED
                                                                                    : mem + l->swap_max;
                if ((r = write_v1(h->fd, "memory.memsw.limit_in_bytes", memsw)) < 0)
                        return chk(r, "memory.memsw.limit_in_bytes", ret_what);
        } else if (l->mem_max != CG_UNSET) {
                r = write_v1(h->fd, "memory.limit_in_bytes", l->mem_max);
                if (r == -EINVAL && l->mem_max != CG_UNLIMITED) {
                        /* below the current memsw is fine; above it, raise memsw along (swap stays as it
                         * was) */
                        uint64_t mem, memsw;
                        if (cg_read_u64(h->fd, "memory.limit_in_bytes", &mem) >= 0 &&
                            cg_read_u64(h->fd, "memory.memsw.limit_in_bytes", &memsw) >= 0 &&
                            v1_limit(memsw) != CG_UNLIMITED) {
                                uint64_t swap = memsw - mem;
                                if ((r = write_v1(h->fd, "memory.memsw.limit_in_bytes",
                                                  l->mem_max + swap)) >= 0)
                                        r = write_v1(h->fd, "memory.limit_in_bytes", l->mem_max);
                        }
                }
                if (r < 0)
                        return chk(r, "memory.limit_in_bytes", ret_what);
        }
        if (l->mem_low != CG_UNSET && (r = write_v1(h->fd, "memory.soft_limit_in_bytes", l->mem_low)) < 0)
                return chk(r, "memory.soft_limit_in_bytes", ret_what);
        return 0;
}

static int v1_set_limits(cg_ct *cg, const cg_limits *l, const char **ret_what)
{
        struct cg_hierarchy *h;
        int r;

        if (l->mem_max != CG_UNSET || l->swap_max != CG_UNSET || l->mem_low != CG_UNSET) {
                h = find_controller(cg, "memory");
                if ((r = need(h, "memory", ret_what)) < 0 || (r = v1_set_memory(h, l, ret_what)) < 0)
                        return r;
        }
        if (l->cpu_weight != CG_UNSET || l->cpu_quota_us != CG_UNSET) {
                h = find_controller(cg, "cpu");
                if ((r = need(h, "cpu", ret_what)) < 0)
                        return r;
                if (l->cpu_weight != CG_UNSET &&
                    (r = chk(cg_write_u64(h->fd, "cpu.shares", MAX(2ULL, l->cpu_weight * 1024 / 100)),
                             "cpu.shares", ret_what)) < 0)
                        return r;
                if (l->cpu_quota_us != CG_UNSET) {
                        /* the period first: a quota is checked against it */
                        if ((r = chk(write_string_at(h->fd, "cpu.cfs_quota_us", "-1"), "cpu.cfs_quota_us",
                                     ret_what)) < 0 ||
                            (r = chk(cg_write_u64(h->fd, "cpu.cfs_period_us", l->cpu_period_us),
                                     "cpu.cfs_period_us", ret_what)) < 0 ||
                            (r = chk(write_v1(h->fd, "cpu.cfs_quota_us", l->cpu_quota_us),
                                     "cpu.cfs_quota_us", ret_what)) < 0)
                                return r;
                }
        }
        if (l->cpuset) {
                h = find_controller(cg, "cpuset");
                if ((r = need(h, "cpuset", ret_what)) < 0)
                        return r;
                _cleanup_free_ char *all = NULL;
                const char *v = l->cpuset;
                if (!*v) {
                        _cleanup_close_ int pfd = openat(h->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (pfd < 0 || read_one_line_at(pfd, "cpuset.cpus", &all) < 0)
                                return chk(-EIO, "cpuset.cpus", ret_what);
                        v = all;
                }
                if ((r = chk(write_string_at(h->fd, "cpuset.cpus", v), "cpuset.cpus", ret_what)) < 0)
                        return r;
        }
        if (l->pids_max != CG_UNSET) {
                h = find_controller(cg, "pids");
                if ((r = need(h, "pids", ret_what)) < 0 ||
                    (r = chk(cg_write_u64(h->fd, "pids.max", l->pids_max), "pids.max", ret_what)) < 0)
                        return r;
        }
        if (l->io_major || l->io_minor || l->io_weight != CG_UNSET) {
                h = find_controller(cg, "blkio");
                if ((r = need(h, "blkio", ret_what)) < 0)
                        return r;
                static const struct {
                        const char *file;
                        size_t off;
                } io[] = {
                        { "blkio.throttle.read_bps_device", offsetof(cg_limits, io_rbps) },
                        { "blkio.throttle.write_bps_device", offsetof(cg_limits, io_wbps) },
                        { "blkio.throttle.read_iops_device", offsetof(cg_limits, io_riops) },
                        { "blkio.throttle.write_iops_device", offsetof(cg_limits, io_wiops) },
                };
                for (size_t i = 0; (l->io_major || l->io_minor) && i < ELEMENTSOF(io); i++) {
                        uint64_t v = *(const uint64_t *)((const char *)l + io[i].off);
                        if (v == CG_UNSET)
                                continue;
                        char buf[64];
                        /* 0 removes the rule */
                        snprintf(buf, sizeof(buf), "%u:%u %llu", l->io_major, l->io_minor,
                                 v == CG_UNLIMITED ? 0ULL : (unsigned long long)v);
                        if ((r = chk(write_string_at(h->fd, io[i].file, buf), io[i].file, ret_what)) < 0)
                                return r;
                }
                if (l->io_weight != CG_UNSET) {
                        uint64_t w = MAX(1ULL, MIN(l->io_weight, 1000ULL));
                        r = cg_write_u64(h->fd, "blkio.bfq.weight", w);
                        if (r == -ENOENT)
                                r = cg_write_u64(h->fd, "blkio.weight", MAX(10ULL, w));
                        if ((r = chk(r, "blkio.bfq.weight or blkio.weight", ret_what)) < 0)
                                return r;
                }
        }
        return 0;
}

static int v1_get_stats(cg_ct *cg, cg_stats *st)
{
        struct cg_hierarchy *h;

        if ((h = find_controller(cg, "memory"))) {
                uint64_t swu = 0, swmax = 0, swlim = 0;
                (void)cg_read_u64(h->fd, "memory.usage_in_bytes", &st->mem.held);
                st->mem.have_maxheld =
                        cg_read_u64(h->fd, "memory.max_usage_in_bytes", &st->mem.maxheld) >= 0;
                if (cg_read_u64(h->fd, "memory.limit_in_bytes", &st->mem.limit) >= 0)
                        st->mem.limit = v1_limit(st->mem.limit);
                (void)cg_read_u64(h->fd, "memory.failcnt", &st->mem.failcnt);
                (void)cg_read_keyed(h->fd, "memory.oom_control", "oom_kill", &st->oom_kills);
                if (cg_read_u64(h->fd, "memory.memsw.usage_in_bytes", &swu) >= 0) {
                        st->swap.held = swu > st->mem.held ? swu - st->mem.held : 0;
                        (void)cg_read_u64(h->fd, "memory.memsw.max_usage_in_bytes", &swmax);
                        (void)cg_read_u64(h->fd, "memory.memsw.limit_in_bytes", &swlim);
                        swlim = v1_limit(swlim);
                        st->swap.limit = swlim == CG_UNLIMITED || st->mem.limit == CG_UNLIMITED
                                                 ? CG_UNLIMITED
                                                 : swlim - st->mem.limit;
                        (void)cg_read_u64(h->fd, "memory.memsw.failcnt", &st->swap.failcnt);
                        /* with no swap allowed (memsw == ram) every refused charge hits memsw first and
                         * memory.failcnt never moves: those are RAM failures */
                        if (st->swap.limit == 0)
                                st->mem.failcnt += st->swap.failcnt;
                } else
                        st->swap.limit = CG_UNLIMITED;
                st->have_kmem = cg_read_u64(h->fd, "memory.kmem.usage_in_bytes", &st->kmem.held) >= 0;
                if (st->have_kmem) {
                        st->kmem.have_maxheld =
                                cg_read_u64(h->fd, "memory.kmem.max_usage_in_bytes", &st->kmem.maxheld) >= 0;
                        st->have_kmem_failcnt =
                                cg_read_u64(h->fd, "memory.kmem.failcnt", &st->kmem.failcnt) >= 0;
                }
                /* total_: the CT's cgroup and those below it, as v2's memory.stat counts */
                st->have_shmem = cg_read_keyed(h->fd, "memory.stat", "total_shmem", &st->shmem) >= 0;
        }
        if ((h = find_controller(cg, "pids"))) {
                (void)cg_read_u64(h->fd, "pids.current", &st->pids.held);
                st->pids.have_maxheld = cg_read_u64(h->fd, "pids.peak", &st->pids.maxheld) >= 0;
                if (cg_read_u64(h->fd, "pids.max", &st->pids.limit) < 0)
                        st->pids.limit = CG_UNLIMITED;
                (void)cg_read_keyed(h->fd, "pids.events", "max", &st->pids.failcnt);
        }
        if ((h = find_controller(cg, "cpuacct"))) {
                uint64_t ns = 0, user = 0, sys = 0;
                if (cg_read_u64(h->fd, "cpuacct.usage", &ns) >= 0)
                        st->cpu_usage_us = ns / 1000;
                const struct cg_key ticks[] = { { "user", &user }, { "system", &sys } };
                if (cg_read_keys(h->fd, "cpuacct.stat", ticks, ELEMENTSOF(ticks)) >= 0) {
                        long hz = sysconf(_SC_CLK_TCK);
                        uint64_t us_per_tick = hz > 0 ? 1000000 / (uint64_t)hz : 10000;
                        st->cpu_user_us = user * us_per_tick;
                        st->cpu_system_us = sys * us_per_tick;
                }
        }
        if ((h = find_controller(cg, "cpu"))) {
                uint64_t ns = 0;
                const struct cg_key cpu[] = { { "nr_periods", &st->cpu_nr_periods },
                                              { "nr_throttled", &st->cpu_nr_throttled },
                                              { "throttled_time", &ns } };
                (void)cg_read_keys(h->fd, "cpu.stat", cpu, ELEMENTSOF(cpu));
                st->cpu_throttled_us = ns / 1000;
        }
        if ((h = find_controller(cg, "blkio"))) {
                static const char *const files[] = { "blkio.throttle.io_service_bytes_recursive",
                                                     "blkio.throttle.io_serviced_recursive" };
                for (size_t f = 0; f < ELEMENTSOF(files); f++) {
                        _cleanup_free_ char *buf = NULL;
                        if (read_full_file_at(h->fd, files[f], &buf, NULL) < 0)
                                continue;
                        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l;
                             l = strtok_r(NULL, "\n", &save)) {
                                char op[16];
                                unsigned long long v;
                                if (sscanf(l, "%*u:%*u %15s %llu", op, &v) != 2)
                                        continue;
                                uint64_t *dst = NULL;
                                if (streq(op, "Read"))
                                        dst = f == 0 ? &st->io_rbytes : &st->io_rios;
                                else if (streq(op, "Write"))
                                        dst = f == 0 ? &st->io_wbytes : &st->io_wios;
                                if (dst)
                                        *dst += v;
                        }
                }
        }
        return 0;
}

const struct cg_ops cg_v1_ops = {
        .version = CG_VERSION_V1,
        .setup = v1_setup,
        .kill_all = v1_kill_all,
        .freeze = v1_freeze,
        .frozen = v1_frozen,
        .populated = v1_populated,
        .set_limits = v1_set_limits,
        .get_stats = v1_get_stats,
};
