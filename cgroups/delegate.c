/* Delegation: hand a CT's cgroup to its root when that root is an unprivileged id (user namespaces), so
 * an init like systemd can make and fill sub-cgroups. The limit files stay the host's: a CT cannot raise
 * its own limits, only divide them. (Documentation/admin-guide/cgroup-v2.rst, "Delegation".) */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup-internal.h"

int cg_ct_delegate(cg_ct *cg, unsigned uid, unsigned gid)
{
        static const char *const files[] = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
                                             "tasks" };
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cg_hierarchy *h = &cg->hier[i];
                if (h->fd < 0)
                        continue;
                if (fchown(h->fd, uid, gid) < 0)
                        return negative_errno();
                for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++)
                        if (fchownat(h->fd, files[f], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
                                return negative_errno();
        }
        return 0;
}
