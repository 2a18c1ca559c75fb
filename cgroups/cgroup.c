#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "cgroup-internal.h"

int cg_detect(cg_version *ret)
{
        struct statfs fs;

        if (statfs("/sys/fs/cgroup", &fs) < 0)
                return negative_errno();
        if (fs.f_type == CGROUP2_SUPER_MAGIC)
                *ret = CG_VERSION_V2;
        else if (fs.f_type == TMPFS_MAGIC)
                *ret = CG_VERSION_V1;
        else
                return -ENOMEDIUM;
        return 0;
}

static void hierarchy_done(struct cg_hierarchy *h)
{
        if (!h->borrowed) {
                safe_close(h->root_fd);
                free(h->mnt);
                free(h->controllers);
        }
        safe_close(h->fd);
        safe_close(h->attach_fd);
}

void cg_ct_free(cg_ct *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n_hier; i++)
                hierarchy_done(&cg->hier[i]);
        free(cg->path);
        free(cg->parent);
        free(cg);
}

cg_version cg_ct_version(const cg_ct *cg)
{
        return cg->ops->version;
}

const char *cg_ct_path(const cg_ct *cg)
{
        return cg->path;
}

static bool valid_component(const char *s)
{
        if (!s || !*s || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '\n' || *p == ' ')
                        return false;
        return true;
}

int cg_ct_open(const char *parent, const char *name, bool create, cg_ct **ret)
{
        cg_version v = CG_VERSION_V1;
        int r;

        if (!valid_component(name) || strchr(name, '/'))
                return -EINVAL;
        /* parent may be nested ("hosting/vpsctl") but never climb out */
        if (!parent || !*parent || parent[0] == '/' || strstr(parent, ".."))
                return -EINVAL;
        r = cg_detect(&v);
        if (r < 0)
                return r;

        cg_ct *cg = calloc(1, sizeof(*cg));
        if (!cg)
                return -ENOMEM;
        cg->ops = v == CG_VERSION_V2 ? &cg_v2_ops : &cg_v1_ops;
        cg->parent = strdup(parent);
        if (!cg->parent || asprintf(&cg->path, "%s/%s", parent, name) < 0) {
                cg->path = NULL;
                cg_ct_free(cg);
                return -ENOMEM;
        }
        r = cg->ops->setup(cg, create);
        if (r < 0) {
                cg_ct_free(cg);
                return r;
        }
        *ret = cg;
        return 0;
}

int cg_mkdir_path(int root_fd, const char *path, int *ret_fd)
{
        int r = mkdir_p_at(root_fd, path, 0755);
        if (r < 0)
                return r;
        int fd = openat(root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        return 0;
}

int cg_ct_clone_fd(cg_ct *cg)
{
        for (size_t i = 0; i < cg->n_hier; i++)
                if (cg->hier[i].is_v2 && cg->ops->version == CG_VERSION_V2)
                        return cg->hier[i].fd;
        return -EOPNOTSUPP;
}

int cg_ct_attach(cg_ct *cg, pid_t pid)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < cg->n_hier; i++) {
                int r = write_string_at(cg->hier[i].fd, "cgroup.procs", buf);
                if (r < 0)
                        return log_debug_errno(r, "Failed to attach %d to %s/%s: %m", (int)pid,
                                               cg->hier[i].mnt, cg->path);
        }
        return 0;
}

int cg_ct_open_pid_v2(cg_ct *cg, pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        int r = read_full_file_at(AT_FDCWD, path, &buf, NULL);
        if (r < 0)
                return r;
        const char *l = strstr(buf, "0::/");
        if (!l || (l != buf && l[-1] != '\n'))
                return -ENOENT;
        l += 4;
        size_t len = strcspn(l, "\n"), own = strlen(cg->path);
        /* the pid's cgroup must be the CT's or one below it */
        if (len < own || strncmp(l, cg->path, own) != 0 || (len > own && l[own] != '/'))
                return -EPERM;
        _cleanup_free_ char *rel = strndup(l, len);
        if (!rel)
                return -ENOMEM;
        for (size_t i = 0; i < cg->n_hier; i++)
                if (cg->hier[i].is_v2) {
                        int fd = openat(cg->hier[i].root_fd, rel,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        return fd < 0 ? negative_errno() : fd;
                }
        return -EOPNOTSUPP;
}

int cg_ct_v2_fd(cg_ct *cg)
{
        for (size_t i = 0; i < cg->n_hier; i++)
                if (cg->hier[i].is_v2 && cg->hier[i].fd >= 0)
                        return cg->hier[i].fd;
        return -EOPNOTSUPP;
}

int cg_ct_attach_prepare(cg_ct *cg)
{
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cg_hierarchy *h = &cg->hier[i];
                /* A v1 tasks file moves the writing thread alone, which the kernel does without the
                 * global threadgroup lock a pid written to cgroup.procs takes; cgroup2 has no such file
                 * for a domain cgroup. */
                h->attach_fd = safe_close(h->attach_fd);
                h->attach_fd = openat(h->fd, h->is_v2 ? "cgroup.procs" : "tasks",
                                      O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
                if (h->attach_fd < 0)
                        return log_debug_errno(-errno, "Failed to open %s/%s for attaching: %m", h->mnt,
                                               cg->path);
        }
        return 0;
}

int cg_ct_attach_self(cg_ct *cg, bool in_v2)
{
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cg_hierarchy *h = &cg->hier[i];
                if (h->attach_fd < 0)
                        return -EBADF;
                /* "0": the calling thread */
                if (!(h->is_v2 && in_v2) && write(h->attach_fd, "0", 1) != 1)
                        return log_debug_errno(-errno, "Failed to move into %s/%s: %m", h->mnt, cg->path);
                h->attach_fd = safe_close(h->attach_fd);
        }
        return 0;
}

void cg_ct_attach_done(cg_ct *cg)
{
        for (size_t i = 0; i < cg->n_hier; i++)
                cg->hier[i].attach_fd = safe_close(cg->hier[i].attach_fd);
}

static int push_pid(pid_t **pids, size_t *n, size_t *alloc, pid_t p)
{
        if (*n == *alloc) {
                size_t na = *alloc ? *alloc * 2 : 64;
                pid_t *t = realloc(*pids, na * sizeof(pid_t));
                if (!t)
                        return -ENOMEM;
                *pids = t;
                *alloc = na;
        }
        (*pids)[(*n)++] = p;
        return 0;
}

/* Calls fn on each child cgroup of dfd (a directory fd) until fn returns non-zero, which is returned; a
 * child removed under us is passed over. */
static int for_each_child(int dfd, int (*fn)(int sub, void *userdata), void *userdata)
{
        int dup = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (dup < 0)
                return negative_errno();
        _cleanup_closedir_ DIR *d = fdopendir(dup);
        if (!d) {
                safe_close(dup);
                return negative_errno();
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        continue;
                int r = fn(sub, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

static int any_pid_child(int sub, void *userdata)
{
        (void)userdata;
        return cg_any_pid_recursive(sub);
}

struct pid_list {
        pid_t **pids;
        size_t *n, *alloc;
};

static int read_pids_child(int sub, void *userdata)
{
        struct pid_list *l = userdata;
        int r = cg_read_pids_recursive(sub, l->pids, l->n, l->alloc);
        return r < 0 ? r : 0;
}

int cg_any_pid_recursive(int dfd)
{
        char buf[64];
        int r = cg_read_small(dfd, "cgroup.procs", buf, sizeof(buf));
        if (r == -EFBIG || (r > 0 && buf[0] >= '1' && buf[0] <= '9'))
                return 1; /* more than fits, or a pid: populated */
        if (r == -ENOENT || r == -ENODEV)
                return 0; /* removed under us */
        if (r < 0)
                return r;
        return for_each_child(dfd, any_pid_child, NULL);
}

int cg_read_pids_recursive(int dfd, pid_t **pids, size_t *n, size_t *alloc)
{
        _cleanup_free_ char *buf = NULL;
        int r;

        r = read_full_file_at(dfd, "cgroup.procs", &buf, NULL);
        if (r == -ENOENT || r == -ENODEV)
                return 0; /* removed under us */
        if (r < 0)
                return r;
        for (char *save = NULL, *tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
                int p;
                if (safe_atoi(tok, &p) < 0 || p <= 0)
                        continue;
                r = push_pid(pids, n, alloc, p);
                if (r < 0)
                        return r;
        }

        struct pid_list l = { pids, n, alloc };
        return for_each_child(dfd, read_pids_child, &l);
}

static int first_fd(cg_ct *cg)
{
        return cg->n_hier > 0 ? cg->hier[0].fd : -ENOENT;
}

int cg_ct_pids(cg_ct *cg, pid_t **ret, size_t *ret_n)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, alloc = 0;
        int fd = first_fd(cg);
        if (fd < 0)
                return fd;
        int r = cg_read_pids_recursive(fd, &pids, &n, &alloc);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int cg_ct_count_procs(cg_ct *cg, unsigned *ret)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cg_ct_pids(cg, &pids, &n);
        if (r < 0)
                return r;
        *ret = (unsigned)n;
        return 0;
}

int cg_ct_has_pid(cg_ct *cg, pid_t pid)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, alloc = 0;
        int fd = first_fd(cg);
        if (fd < 0)
                return fd;
        int r = cg_read_pids_recursive(fd, &pids, &n, &alloc);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return 1;
        return 0;
}

int cg_ct_populated(cg_ct *cg)
{
        return cg->ops->populated(cg);
}

int cg_wait_empty(cg_ct *cg, unsigned timeout_ms)
{
        for (unsigned waited = 0;; waited += 5) {
                int r = cg->ops->populated(cg);
                if (r <= 0)
                        return r;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
        }
}

long long cg_now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cg_kill_pids(const pid_t *pids, size_t n, struct pollfd **ret_fds)
{
        _cleanup_free_ struct pollfd *fds = calloc(n ? n : 1, sizeof(*fds));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                /* A pid read from the cgroup while its process cannot exit (frozen, or ours to
                 * kill) names that process: the pidfd is taken before the kill. */
                fds[i] = (struct pollfd){ .fd = (int)syscall(SYS_pidfd_open, pids[i], 0), .events = POLLIN };
                (void)kill(pids[i], SIGKILL);
        }
        *ret_fds = TAKE_PTR(fds);
        return 0;
}

int cg_wait_pidfds(struct pollfd *fds, size_t n, unsigned timeout_ms)
{
        long long deadline = cg_now_ms() + timeout_ms;
        size_t left = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                if (fds[i].fd >= 0)
                        left++;
                else
                        fds[i].fd = -1; /* gone already, or out of fds: poll(2) skips it */
        while (left > 0) {
                long long t = deadline - cg_now_ms();
                if (t <= 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                int k = poll(fds, n, (int)t);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = negative_errno();
                        break;
                }
                for (size_t i = 0; i < n && k > 0; i++)
                        if (fds[i].fd >= 0 && fds[i].revents) {
                                (void)safe_close(fds[i].fd);
                                fds[i].fd = -1;
                                left--;
                                k--;
                        }
        }
        for (size_t i = 0; i < n; i++)
                if (fds[i].fd >= 0) {
                        (void)safe_close(fds[i].fd);
                        fds[i].fd = -1;
                }
        return r;
}

int cg_ct_kill_all(cg_ct *cg, unsigned timeout_ms)
{
        return cg->ops->kill_all(cg, timeout_ms);
}

int cg_ct_freeze(cg_ct *cg, bool freeze)
{
        return cg->ops->freeze(cg, freeze);
}

int cg_ct_frozen(cg_ct *cg)
{
        return cg->ops->frozen(cg);
}

int cg_rmdir_recursive(int parent_fd, const char *name)
{
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                int r = cg_rmdir_recursive(dirfd(d), de->d_name);
                if (r < 0)
                        return r;
        }
        /* An exiting process can keep the cgroup busy for a moment after it left cgroup.procs. */
        for (int i = 0; i < 200; i++) {
                if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return negative_errno();
                nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
        }
        return -EBUSY;
}

int cg_ct_destroy(cg_ct *cg)
{
        int ret = 0;
        const char *slash = strrchr(cg->path, '/');
        const char *base = slash ? slash + 1 : cg->path;

        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cg_hierarchy *h = &cg->hier[i];
                _cleanup_close_ int pfd = openat(h->root_fd, cg->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pfd < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = negative_errno();
                        continue;
                }
                int r = cg_rmdir_recursive(pfd, base);
                if (r < 0) {
                        log_debug_errno(r, "Failed to remove cgroup %s/%s: %m", h->mnt, cg->path);
                        if (ret == 0)
                                ret = r;
                }
                h->fd = safe_close(h->fd);
                h->attach_fd = safe_close(h->attach_fd);
        }
        return ret;
}

void cg_limits_init(cg_limits *l)
{
        *l = (cg_limits){ .mem_max = CG_UNSET,
                          .swap_max = CG_UNSET,
                          .mem_low = CG_UNSET,
                          .cpu_weight = CG_UNSET,
                          .cpu_quota_us = CG_UNSET,
                          .cpu_period_us = 100000,
                          .pids_max = CG_UNSET,
                          .io_rbps = CG_UNSET,
                          .io_wbps = CG_UNSET,
                          .io_riops = CG_UNSET,
                          .io_wiops = CG_UNSET,
                          .io_weight = CG_UNSET };
}

int cg_ct_set_limits(cg_ct *cg, const cg_limits *l, const char **ret_what)
{
        *ret_what = NULL;
        return cg->ops->set_limits(cg, l, ret_what);
}

int cg_ct_get_stats(cg_ct *cg, cg_stats *ret)
{
        *ret = (cg_stats){ 0 };
        return cg->ops->get_stats(cg, ret);
}

int cg_read_small(int dfd, const char *file, char *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        /* cgroupfs hands a seq_file's whole text to the first read that has room for it: no second read
         * to see the end; a buffer filled to the brim may have more behind it */
        for (;;) {
                ssize_t k = read(fd, buf, size - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if ((size_t)k >= size - 1)
                        return -EFBIG;
                buf[k] = 0;
                return (int)k;
        }
}

int cg_read_u64(int dfd, const char *file, uint64_t *ret)
{
        char s[64];
        int r = cg_read_small(dfd, file, s, sizeof(s));
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        if (streq(s, "max")) {
                *ret = CG_UNLIMITED;
                return 0;
        }
        return safe_atou64(s, ret);
}

int cg_read_keyed(int dfd, const char *file, const char *key, uint64_t *ret)
{
        char buf[4096];
        int r = cg_read_small(dfd, file, buf, sizeof(buf));
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
                        return safe_atou64(l + kl + 1, ret);
        return -ENOENT;
}

int cg_read_keys(int dfd, const char *file, const struct cg_key *keys, size_t n)
{
        char buf[4096];
        int r = cg_read_small(dfd, file, buf, sizeof(buf));
        if (r < 0)
                return r;
        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(l, ' ');
                if (!sp)
                        continue;
                *sp = 0;
                for (size_t i = 0; i < n; i++)
                        if (streq(l, keys[i].key)) {
                                uint64_t v;
                                if (safe_atou64(sp + 1, &v) >= 0)
                                        *keys[i].dst = v;
                                break;
                        }
        }
        return 0;
}

int cg_write_u64(int dfd, const char *file, uint64_t v)
{
        char buf[32];
        if (v == CG_UNLIMITED)
                snprintf(buf, sizeof(buf), "max");
        else
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        return write_string_at(dfd, file, buf);
}

int cg_read_psi(int dfd, const char *file, unsigned *ret_avg10, uint64_t *ret_total)
{
        char s[512];
        int r = cg_read_small(dfd, file, s, sizeof(s));
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        unsigned a, b;
        unsigned long long total;
        const char *p = strstr(s, "avg10="), *t = strstr(s, "total=");
        if (!p || !t || sscanf(p, "avg10=%u.%u", &a, &b) != 2 || sscanf(t, "total=%llu", &total) != 1)
                return -EIO;
        *ret_avg10 = a * 100 + b;
        *ret_total = total;
        return 0;
}
