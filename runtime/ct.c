/* The container object: paths, loading, CTID/name resolution, locking, status from facts. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mount.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "cgroups/cgroups.h"
#include "engine-internal.h"
#include "templates/templates.h"

int ct_paths_init(struct ct_paths *p)
{
        const char *e = getenv("VPSCTL_PREFIX");
        *p = (struct ct_paths){ 0 };

        if (!e || !*e)
                e = "/";
        if (e[0] != '/')
                return log_error_errno(-EINVAL, "VPSCTL_PREFIX must be an absolute path, not \"%s\"", e);
        p->prefix = strdup(e);
        if (!p->prefix)
                return -ENOMEM;
        size_t l = strlen(p->prefix);
        while (l > 1 && p->prefix[l - 1] == '/')
                p->prefix[--l] = 0;
        const char *b = streq(p->prefix, "/") ? "" : p->prefix;
        if (asprintf(&p->etc, "%s/etc/vpsctl", b) < 0 ||
            asprintf(&p->global_conf, "%s/vpsctl.conf", p->etc) < 0 ||
            asprintf(&p->conf_dir, "%s/conf", p->etc) < 0 || asprintf(&p->run_dir, "%s/run/vpsctl", b) < 0)
                return -ENOMEM;
        return 0;
}

void ct_paths_done(struct ct_paths *p)
{
        free(p->prefix);
        free(p->etc);
        free(p->global_conf);
        free(p->conf_dir);
        free(p->run_dir);
}

int ct_list_ids(struct ct_paths *p, unsigned **ret, size_t *ret_n)
{
        _cleanup_closedir_ DIR *d = opendir(p->conf_dir);
        _cleanup_free_ unsigned *ids = NULL;
        size_t n = 0, alloc = 0;

        if (!d) {
                if (errno != ENOENT)
                        return negative_errno();
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        for (struct dirent *de; (de = readdir(d));) {
                char buf[32];
                unsigned id;
                const char *dot = strrchr(de->d_name, '.');
                if (!dot || !streq(dot, ".conf") || (size_t)(dot - de->d_name) >= sizeof(buf))
                        continue;
                memcpy(buf, de->d_name, (size_t)(dot - de->d_name));
                buf[dot - de->d_name] = 0;
                if (ct_id_parse(buf, &id) < 0)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 32;
                        unsigned *t = realloc(ids, alloc * sizeof(unsigned));
                        if (!t)
                                return -ENOMEM;
                        ids = t;
                }
                ids[n++] = id;
        }
        for (size_t i = 1; i < n; i++) /* insertion sort: lists are small and mostly sorted */
                for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
                        unsigned t = ids[j];
                        ids[j] = ids[j - 1];
                        ids[j - 1] = t;
                }
        *ret = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

int ct_find_by_name(struct ct_paths *p, const char *name, unsigned except, unsigned *ret)
{
        _cleanup_free_ unsigned *ids = NULL;
        size_t n = 0;
        int r = ct_list_ids(p, &ids, &n);
        if (r < 0)
                return r;
        *ret = 0;
        for (size_t i = 0; i < n; i++) {
                if (ids[i] == except)
                        continue;
                struct ct_config cfg;
                char path[4096];
                snprintf(path, sizeof(path), "%s/%u.conf", p->conf_dir, ids[i]);
                r = ct_config_init(&cfg, p->prefix, ids[i]);
                if (r >= 0) {
                        int saved = log_get_max_level();
                        log_set_max_level(-1); /* other CTs' config errors are not this command's */
                        (void)ct_config_parse_file(&cfg, path, CT_KEY_CT, false);
                        log_set_max_level(saved);
                }
                bool hit = r >= 0 && cfg.name && streq(cfg.name, name);
                ct_config_done(&cfg);
                if (hit) {
                        *ret = ids[i];
                        return 0;
                }
        }
        return 0;
}

int ct_resolve_id(struct ct_paths *p, const char *arg, unsigned *ret)
{
        int r = ct_id_parse(arg, ret);
        if (r != -EINVAL)
                return r;
        if (!ct_name_is_valid(arg))
                return -EINVAL;
        unsigned id;
        r = ct_find_by_name(p, arg, 0, &id);
        if (r < 0)
                return r;
        if (id == 0)
                return -ENOENT;
        *ret = id;
        return 0;
}

static int load(struct ct_paths *p, unsigned id, bool warn, bool lenient, ct **ret)
{
        ct *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        c->id = id;
        c->paths = p;
        c->lock_fd = -EBADF;
        r = ct_config_init(&c->cfg, p->prefix, id);
        if (r < 0)
                goto fail;
        if (asprintf(&c->conf_path, "%s/%u.conf", p->conf_dir, id) < 0 ||
            asprintf(&c->run_path, "%s/%u", p->run_dir, id) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        r = ct_config_parse_file(&c->cfg, p->global_conf, CT_KEY_GLOBAL, warn);
        if (r < 0 && r != -ENOENT)
                goto fail;
        r = ct_config_parse_file_error(&c->cfg, c->conf_path, CT_KEY_CT, warn,
                                       lenient ? &c->config_error : NULL);
        if (r < 0 && r != -ENOENT && lenient && c->config_error) {
                /* a CT whose config cannot be read still exists: the defaults stand in for its keys,
                 * and what is wrong is kept for the operator */
                ct_config_done(&c->cfg);
                if ((r = ct_config_init(&c->cfg, p->prefix, id)) < 0)
                        goto fail;
                r = ct_config_parse_file(&c->cfg, p->global_conf, CT_KEY_GLOBAL, false);
                if (r < 0 && r != -ENOENT)
                        goto fail;
                r = 0;
        }
        if (r < 0 && r != -ENOENT)
                goto fail;
        c->exists = r == 0;
        /* the substitution needs the CTID: defaults carry $VEID until here */
        char **paths[] = { &c->cfg.ve_root, &c->cfg.ve_private };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                char *s;
                r = ct_subst_veid(*paths[i], id, &s);
                if (r < 0)
                        goto fail;
                free(*paths[i]);
                *paths[i] = s;
        }
        const char *e = getenv("VPSCTL_CGROUP_PARENT");
        if (e && *e) {
                free(c->cfg.cgroup_parent);
                if (!(c->cfg.cgroup_parent = strdup(e))) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        e = getenv("VPSCTL_LOCK_TIMEOUT");
        if (e && parse_sec(e, &c->cfg.lock_timeout) < 0)
                log_warning("VPSCTL_LOCK_TIMEOUT=\"%s\" is not a number of seconds, ignoring", e);
        e = getenv("VPSCTL_BUSYBOX");
        if (e && *e) {
                free(c->cfg.busybox);
                if (!(c->cfg.busybox = strdup(e))) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = c;
        return 0;
fail:
        ct_free(c);
        return r;
}

int ct_load(struct ct_paths *p, unsigned id, bool warn, ct **ret)
{
        return load(p, id, warn, false, ret);
}

int ct_load_lenient(struct ct_paths *p, unsigned id, ct **ret)
{
        return load(p, id, false, true, ret);
}

void ct_free(ct *c)
{
        if (!c)
                return;
        ct_unlock(c);
        ct_config_done(&c->cfg);
        free(c->conf_path);
        free(c->run_path);
        free(c->config_error);
        free(c);
}

int ct_lock(ct *c, const char *verb, pid_t *ret_holder)
{
        _cleanup_close_ int fd = -EBADF;
        char path[4096];
        int r;

        r = mkdir_p_at(AT_FDCWD, c->run_path, 0700);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/lock", c->run_path);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (fd < 0)
                return negative_errno();
        unsigned waited_ms = 0, limit_ms = c->cfg.lock_timeout * 1000;
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EINTR)
                        continue;
                if (errno != EWOULDBLOCK)
                        return negative_errno();
                if (waited_ms >= limit_ms) {
                        char buf[64] = "";
                        int holder = 0;
                        if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
                                (void)sscanf(buf, "%d", &holder);
                        *ret_holder = holder;
                        return -EBUSY;
                }
                nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
                waited_ms += 20;
        }
        char buf[96];
        int len = snprintf(buf, sizeof(buf), "%d %s\n", (int)getpid(), verb);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len)
                log_debug("Cannot record the lock holder of CT %u, ignoring", c->id);
        c->lock_fd = TAKE_FD(fd);
        return 0;
}

/* The CT's lock file, to look at without taking its lock: -ENOENT when no verb has run here. */
static int lock_open_readonly(const ct *c)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/lock", c->run_path);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        return fd < 0 ? negative_errno() : fd;
}

/* Does a verb hold the lock of fd (lock_open_readonly's)? 1 yes, 0 no, -errno. A shared lock taken here
 * goes with the fd. */
static int lock_held_at(int fd)
{
        while (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return 1;
                if (errno != EINTR)
                        return negative_errno();
        }
        return 0;
}

int ct_wait_unlocked(ct *c)
{
        _cleanup_close_ int fd = lock_open_readonly(c);
        if (fd < 0)
                return 0; /* no verb has run here */
        unsigned waited_ms = 0, limit_ms = c->cfg.lock_timeout * 1000;
        int r;
        while ((r = lock_held_at(fd)) != 0) {
                if (r < 0 || waited_ms >= limit_ms)
                        return 1;
                nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
                waited_ms += 20;
        }
        return waited_ms > 0;
}

bool ct_lock_held(const ct *c)
{
        _cleanup_close_ int fd = lock_open_readonly(c);
        return fd >= 0 && lock_held_at(fd) > 0;
}

void ct_unlock(ct *c)
{
        if (c->lock_fd < 0)
                return;
        /* The holder line goes first so nobody names a pid that no longer holds the lock. */
        if (ftruncate(c->lock_fd, 0) < 0)
                log_debug("Cannot clear the lock holder of CT %u, ignoring", c->id);
        c->lock_fd = safe_close(c->lock_fd);
}

int proc_start_time(pid_t pid, unsigned long long *ret, char *ret_state)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int r = read_full_file_at(AT_FDCWD, path, &buf, NULL);
        if (r < 0)
                return r;
        char *p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        char state;
        unsigned long long start;
        /* fields after comm: state(3) ... starttime(22) */
        if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &start) != 2)
                return -EIO;
        *ret = start;
        if (ret_state)
                *ret_state = state;
        return 0;
}

int ct_state_write(ct *c, pid_t pid, unsigned long long start, const char *lxcfs_word)
{
        char path[4096], buf[128];
        int len = snprintf(buf, sizeof(buf), "INIT_PID=%d\nINIT_START=%llu\nLXCFS=%s\n", (int)pid, start,
                           lxcfs_word ? lxcfs_word : "off");
        snprintf(path, sizeof(path), "%s/state", c->run_path);
        /* Atomic for readers, but not fsync'ed: the file describes processes that a crash or reboot
         * ends anyway, and every reader checks it against the facts (ct_find_init). */
        return write_file_replace_at(AT_FDCWD, path, buf, (size_t)len, 0600);
}

void ct_state_remove(ct *c)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/state", c->run_path);
        (void)unlink(path);
}

/* Is this host pid the PID 1 of its own pid namespace? (last NSpid field is 1) */
static bool is_ns_init(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        if (read_full_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                return false;
        char *l = strstr(buf, "\nNSpid:");
        if (!l)
                return false;
        l += strlen("\nNSpid:");
        char *end = strchr(l, '\n');
        if (end)
                *end = 0;
        char *last = strrchr(l, '\t');
        if (!last)
                last = strrchr(l, ' ');
        return last && streq(last + 1, "1") && strchr(l, '\t') != last;
}

int ct_open_cgroup(ct *c, bool create, cg_ct **ret)
{
        char name[16];
        snprintf(name, sizeof(name), "%u", c->id);
        return cg_ct_open(c->cfg.cgroup_parent, name, create, ret);
}

int ct_find_init(ct *c, cg_ct *cg, pid_t *ret)
{
        _cleanup_free_ char *state = NULL;
        char path[4096];
        int r;

        /* Fast path: the recorded pid, trusted only if its start time and membership still match. */
        snprintf(path, sizeof(path), "%s/state", c->run_path);
        if (read_full_file_at(AT_FDCWD, path, &state, NULL) >= 0) {
                int pid = 0;
                unsigned long long start = 0, now;
                char st;
                const char *p = strstr(state, "INIT_PID=");
                const char *s = strstr(state, "INIT_START=");
                if (p && s && sscanf(p, "INIT_PID=%d", &pid) == 1 &&
                    sscanf(s, "INIT_START=%llu", &start) == 1 && pid > 0 &&
                    proc_start_time(pid, &now, &st) >= 0 && now == start && st != 'Z' &&
                    cg_ct_has_pid(cg, pid) > 0) {
                        *ret = pid;
                        return 0;
                }
        }
        /* Otherwise from facts: the member of the CT's cgroup that is PID 1 of its namespace. */
        unsigned n = 0;
        r = cg_ct_count_procs(cg, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return -ESRCH;
        DIR *d = opendir("/proc");
        if (!d)
                return negative_errno();
        pid_t found = 0;
        for (struct dirent *de; !found && (de = readdir(d));) {
                int pid;
                if (safe_atoi(de->d_name, &pid) < 0 || pid <= 0)
                        continue;
                if (is_ns_init(pid) && cg_ct_has_pid(cg, pid) > 0)
                        found = pid;
        }
        closedir(d);
        if (!found)
                return -ESRCH;
        *ret = found;
        return 0;
}

int ct_get_status(ct *c, ct_status *ret)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        ct_status s = { .exists = c->exists };
        int r;

        r = tmpl_is_mounted(c->cfg.ve_root);
        if (r < 0)
                return r;
        s.mounted = r > 0;
        r = ct_open_cgroup(c, false, &cg);
        if (r >= 0 && cg_ct_populated(cg) > 0) {
                s.running = true;
                s.frozen = cg_ct_frozen(cg) > 0;
                (void)cg_ct_count_procs(cg, &s.nproc);
                if (ct_find_init(c, cg, &s.init_pid) < 0)
                        s.init_pid = 0;
                s.lxcfs = ct_lxcfs_recorded(c);
        } else if (r < 0 && r != -ENOENT)
                return r;
        *ret = s;
        return 0;
}
