/* cgroup v2 backend: one hierarchy at /sys/fs/cgroup, delegated subtree under the vpsctl parent. */
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
        h->is_v2 = true;
        h->root_fd = open(CG2_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0)
                return -errno;
        h->mnt = strdup(CG2_ROOT);
        h->controllers = strdup("");
        cg->n_hier = 1;
        if (!h->mnt || !h->controllers)
                return -ENOMEM;

        if (!create) {
                h->fd = openat(h->root_fd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                return h->fd < 0 ? -errno : 0;
        }

        /* Walk the parent path, enabling controllers at each level we own. */
        _cleanup_free_ char *p = strdup(cg->parent);
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
                safe_close(cur);
                cur = next;
                r = enable_controllers(cur);
                if (r < 0)
                        return r;
        }
        const char *base = strrchr(cg->path, '/') + 1;
        if (mkdirat(cur, base, 0755) < 0 && errno != EEXIST)
                return -errno;
        h->fd = openat(cur, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return h->fd < 0 ? -errno : 0;
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
        return cg_wait_empty(cg, timeout_ms);
}

const struct cg_ops cg_v2_ops = {
        .version = CG_VERSION_V2,
        .setup = v2_setup,
        .kill_all = v2_kill_all,
        .freeze = v2_freeze,
        .populated = v2_populated,
};
