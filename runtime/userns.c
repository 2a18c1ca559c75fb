/* User namespaces: each CT's root is an unprivileged 65536-id range on the host (LOCAL_UID/LOCAL_GID). The
 * template stays owned by the host's ids; the CT sees it through an idmapped mount. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"

/* Ranges are handed out from here up, 65536 ids each: far above the ids distributions give users and their
 * subordinate ranges (100000 + 65536 * N). */
#define USERNS_FIRST 0x10000000U
#define USERNS_SIZE  65536U

bool ct_userns(const struct ct_config *cfg)
{
        return cfg->userns == CT_YES && cfg->local_uid > 0 && cfg->local_gid > 0;
}

int ct_userns_write_maps(pid_t pid, unsigned uid, unsigned gid)
{
        char path[64], map[64];
        snprintf(map, sizeof(map), "0 %u %u\n", uid, USERNS_SIZE);
        snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
        int r = write_string_at(AT_FDCWD, path, map);
        if (r < 0)
                return r;
        snprintf(map, sizeof(map), "0 %u %u\n", gid, USERNS_SIZE);
        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
        return write_string_at(AT_FDCWD, path, map);
}

int ct_userns_fd(unsigned uid, unsigned gid)
{
        int ready[2], done[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return negative_errno();
        if (pipe2(done, O_CLOEXEC) < 0) {
                int r = negative_errno();
                safe_close(ready[0]);
                safe_close(ready[1]);
                return r;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                safe_close(ready[0]);
                safe_close(ready[1]);
                safe_close(done[0]);
                safe_close(done[1]);
                return r;
        }
        if (pid == 0) {
                char c = 0;
                safe_close(ready[0]);
                safe_close(done[1]);
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(1);
                (void)loop_write(ready[1], &c, 1);
                (void)loop_read(done[0], &c, 1);
                _exit(0);
        }
        safe_close(ready[1]);
        safe_close(done[0]);
        char c;
        int fd = -EBADF, r = -EIO;
        if (loop_read(ready[0], &c, 1) == 1 && (r = ct_userns_write_maps(pid, uid, gid)) >= 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                r = fd < 0 ? negative_errno() : 0;
        }
        safe_close(ready[0]);
        safe_close(done[1]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r < 0 ? r : fd;
}

int ct_userns_allocate(struct ct_paths *p, unsigned self, unsigned *ret_uid, unsigned *ret_gid)
{
        _cleanup_free_ unsigned *ids = NULL;
        _cleanup_free_ unsigned *used = NULL;
        size_t n = 0, nused = 0;
        int r = ct_list_ids(p, &ids, &n);
        if (r < 0)
                return r;
        used = calloc(2 * n + 1, sizeof(*used));
        if (!used)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_ct_ ct *o = NULL;
                if (ids[i] == self || ct_load(p, ids[i], false, &o) < 0)
                        continue;
                if (o->cfg.local_uid)
                        used[nused++] = o->cfg.local_uid;
                if (o->cfg.local_gid)
                        used[nused++] = o->cfg.local_gid;
        }
        /* the lowest range no CT's uid or gid range overlaps; uid and gid ranges are the same numbers */
        for (unsigned base = USERNS_FIRST; base <= 0xffffffffU - 2 * USERNS_SIZE; base += USERNS_SIZE) {
                bool free_range = true;
                for (size_t i = 0; i < nused && free_range; i++)
                        free_range = used[i] + USERNS_SIZE <= base || used[i] >= base + USERNS_SIZE;
                if (free_range) {
                        *ret_uid = *ret_gid = base;
                        return 0;
                }
        }
        return -ENOSPC;
}

/* engine.h: the sealed copy (sealed.c) is for CTs whose root the host's binary is not safe from */
bool ct_needs_sealed_binary(const char *arg)
{
        struct ct_paths paths = {};
        ct *c = NULL;
        unsigned id;
        bool need = true;

        if (!arg || ct_paths_init(&paths) < 0)
                return true;
        if (ct_resolve_id(&paths, arg, &id) >= 0 && ct_load(&paths, id, false, &c) >= 0 && c->exists)
                need = !ct_userns(&c->cfg); /* which maps ids from local_uid/gid > 0 */
        ct_free(c);                         /* before the paths it points to */
        ct_paths_done(&paths);
        return need;
}
