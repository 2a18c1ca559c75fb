/* cgroup v1 / hybrid backend: the CT's cgroup in every mounted hierarchy (and the unified one). */
#include <errno.h>
#include <fcntl.h>
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
                return -errno;
        for (char *save = NULL, *c = strtok_r(p, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                        return -errno;
                int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (next < 0)
                        return -errno;
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

static bool has_controller(const char *list, const char *c)
{
        size_t n = strlen(c);
        for (const char *p = list; (p = strstr(p, c)); p += n)
                if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
                        return true;
        return false;
}

/* Parse mountinfo for cgroup hierarchies mounted at their root. */
static int v1_setup(cg_ct *cg, bool create)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        int r;

        if (!f)
                return -errno;
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

                /* keep only the controller part of the super options */
                char ctl[1024] = "";
                if (!v2)
                        for (char *save = NULL, *o = strtok_r(opts, ",", &save); o;
                             o = strtok_r(NULL, ",", &save)) {
                                if (streq(o, "rw") || streq(o, "ro") ||
                                    strncmp(o, "release_agent=", 14) == 0 || streq(o, "xattr") ||
                                    streq(o, "noprefix") || streq(o, "clone_children") ||
                                    streq(o, "cpuset_v2_mode"))
                                        continue;
                                if (*ctl)
                                        strncat(ctl, ",", sizeof(ctl) - strlen(ctl) - 1);
                                strncat(ctl, o, sizeof(ctl) - strlen(ctl) - 1);
                        }

                bool dup = false;
                for (size_t i = 0; i < cg->n_hier; i++)
                        if (cg->hier[i].is_v2 == v2 && streq(cg->hier[i].controllers, ctl))
                                dup = true;
                if (dup || cg->n_hier >= CG_MAX_HIERARCHIES)
                        continue;

                struct cg_hierarchy *h = &cg->hier[cg->n_hier];
                h->fd = -EBADF;
                h->root_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (h->root_fd < 0)
                        continue;
                h->mnt = strdup(mnt);
                h->controllers = strdup(ctl);
                h->is_v2 = v2;
                cg->n_hier++;
                if (!h->mnt || !h->controllers)
                        return -ENOMEM;

                if (create) {
                        r = make_path(h, cg->path, has_controller(ctl, "cpuset"));
                        if (r < 0)
                                return log_debug_errno(r, "Failed to create cgroup %s/%s: %m", mnt,
                                                       cg->path);
                } else {
                        h->fd = openat(h->root_fd, cg->path,
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (h->fd < 0 && errno != ENOENT)
                                return -errno;
                }
        }

        /* Without create, keep only the hierarchies where the CT's cgroup exists. */
        size_t k = 0;
        for (size_t i = 0; i < cg->n_hier; i++) {
                if (cg->hier[i].fd >= 0)
                        cg->hier[k++] = cg->hier[i];
                else {
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
                if (!cg->hier[i].is_v2 && has_controller(cg->hier[i].controllers, c))
                        return &cg->hier[i];
        return NULL;
}

static int v1_populated(cg_ct *cg)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, alloc = 0;
        int r = cg_read_pids_recursive(cg->hier[0].fd, &pids, &n, &alloc);
        if (r < 0)
                return r;
        return n > 0;
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

static int v1_kill_all(cg_ct *cg, unsigned timeout_ms)
{
        struct cg_hierarchy *fz = find_controller(cg, "freezer");
        unsigned waited = 0;

        for (;;) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0, alloc = 0;

                /* Frozen, nothing can fork between our read of the list and the kills. */
                if (fz)
                        (void)freezer_state(fz, "FROZEN");
                int r = cg_read_pids_recursive(cg->hier[0].fd, &pids, &n, &alloc);
                for (size_t i = 0; r >= 0 && i < n; i++)
                        (void)kill(pids[i], SIGKILL);
                if (fz)
                        (void)freezer_state(fz, "THAWED");
                if (r < 0)
                        return r;
                if (n == 0)
                        return 0;
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

const struct cg_ops cg_v1_ops = {
        .version = CG_VERSION_V1,
        .setup = v1_setup,
        .kill_all = v1_kill_all,
        .freeze = v1_freeze,
        .populated = v1_populated,
};
