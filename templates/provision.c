/* Provisioning: a CT's private area from a template generation, and mounting the CT's root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

/* A move (tmpl_provision_tree with move) leaves this in the private area being made, naming the directory
 * its fs/ came from, until the CT's config is written: whoever finds such debris moves fs/ back first. */
#define MOVED_FROM "moved-from"

static int unmove_at(int pfd, const char *dir);

/* Overlay options are comma separated and lowerdir is colon separated: refuse paths that break them. */
static bool overlay_safe_path(const char *p)
{
        return p[0] == '/' && !strpbrk(p, ",:\n\\");
}

static int split_path(const char *path, char **ret_dir, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        if (!slash || slash[1] == 0)
                return -EINVAL;
        *ret_dir = strndup(path, (size_t)(slash - path) + (slash == path));
        if (!*ret_dir)
                return -ENOMEM;
        *ret_base = slash + 1;
        return 0;
}

/* The template directory of a generation's rootfs LOWER (TEMPLATES/NAME/GEN/rootfs): lock its generations
 * shared, so no rebuild prunes LOWER while we point at it or copy it. If LOWER was pruned between the
 * caller's lookup and now, the template's current generation is used instead. */
static int lock_lower(const char *lower, int *ret_lock, char **ret_lower)
{
        _cleanup_free_ char *tdir = NULL, *gen = NULL;
        _cleanup_close_ int tdfd = -EBADF, lk = -EBADF;
        struct stat st;
        int r;

        size_t l = strlen(lower);
        if (l < 8 || !streq(lower + l - 7, "/rootfs"))
                return -EINVAL;
        tdir = strndup(lower, l - 7);
        if (!tdir)
                return -ENOMEM;
        char *slash = strrchr(tdir, '/');
        if (!slash || slash == tdir)
                return -EINVAL;
        *slash = 0;
        tdfd = open(tdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tdfd < 0)
                return errno == ENOENT ? -ENOPKG : negative_errno();
        r = tmpl_lock(tdfd, TMPL_GEN_LOCK, LOCK_SH, false, &lk);
        if (r < 0)
                return r;
        if (stat(lower, &st) == 0 && S_ISDIR(st.st_mode)) {
                *ret_lower = strdup(lower);
        } else {
                r = tmpl_read_current(tdfd, &gen);
                if (r < 0)
                        return r == -ENOENT ? -ENOPKG : r;
                if (asprintf(ret_lower, "%s/%s/rootfs", tdir, gen) < 0)
                        *ret_lower = NULL;
        }
        if (!*ret_lower)
                return -ENOMEM;
        *ret_lock = TAKE_FD(lk);
        return 0;
}

/* The directory holding private areas is the host's business only (0700), but the ones above it are
 * also on the path to VE_ROOT, which an unprivileged CT root must traverse: only the last is 0700. */
static int make_private_parent(const char *parent)
{
        _cleanup_free_ char *above = NULL;
        const char *base;

        if (split_path(parent, &above, &base) >= 0) {
                int r = mkdir_p_at(AT_FDCWD, above, 0755);
                if (r < 0)
                        return r;
        }
        if (mkdir(parent, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

static int provision_copy(int tfd, const char *lower)
{
        _cleanup_close_ int src = -EBADF, dst = -EBADF;

        if (mkdirat(tfd, "fs", 0755) < 0)
                return negative_errno();
        src = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
                return negative_errno();
        dst = openat(tfd, "fs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dst < 0)
                return negative_errno();
        int r = tmpl_copy_tree(src, dst);
        if (r < 0)
                return r;
        /* where it came from, for the operator; nothing reads it back */
        char origin[PATH_MAX + 2];
        int n = snprintf(origin, sizeof(origin), "%s\n", lower);
        r = write_file_atomic_at(tfd, "origin", origin, (size_t)n, 0644);
        if (r < 0)
                return r;
        if (syncfs(tfd) < 0)
                return negative_errno();
        return 0;
}

/* Starts a private area aside in pfd, under the dot name ".BASE.creating" that an interrupted build
 * leaves: that debris is moved back (an interrupted move) and removed, the directory made and opened
 * into *ret_tfd. Built aside and renamed in, a private area is never seen half made. */
static int begin_aside(int pfd, const char *base, char **ret_tmp, int *ret_tfd)
{
        if (asprintf(ret_tmp, ".%s.creating", base) < 0) {
                *ret_tmp = NULL;
                return -ENOMEM;
        }
        int r = unmove_at(pfd, *ret_tmp);
        if (r >= 0)
                r = rm_rf_at(pfd, *ret_tmp);
        if (r < 0)
                return r;
        if (mkdirat(pfd, *ret_tmp, 0700) < 0)
                return negative_errno();
        *ret_tfd = openat(pfd, *ret_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*ret_tfd < 0) {
                r = negative_errno();
                (void)rm_rf_at(pfd, *ret_tmp);
                return r;
        }
        return 0;
}

/* Ends what begin_aside() started, r being how the build in tfd went: on success the private area is synced
 * and renamed in as base, and pfd synced; on failure (its own or r) the debris is removed, an interrupted
 * move's fs/ first moved back to where it came from (kept, with the debris, when it cannot be). */
static int end_aside(int pfd, const char *tmp, const char *base, int tfd, int r)
{
        if (r >= 0 && fsync(tfd) < 0)
                r = negative_errno();
        if (r >= 0 && renameat(pfd, tmp, pfd, base) < 0)
                r = negative_errno();
        if (r < 0) {
                /* a moved tree that cannot go back (something is at its old place now) is the operator's:
                 * the debris stays with it, and the next begin_aside() or unmove tries again */
                int u = unmove_at(pfd, tmp);
                if (u < 0)
                        log_warning_errno(u,
                                          "The tree moved in for %s stays in %s/fs beside it: it cannot be "
                                          "moved back (%m); move it back by hand",
                                          base, tmp);
                else
                        (void)rm_rf_at(pfd, tmp);
                return r;
        }
        if (fsync(pfd) < 0)
                return negative_errno();
        return 0;
}

int tmpl_provision(const char *lower_arg, const char *private_dir, tmpl_layout layout, unsigned projid)
{
        _cleanup_free_ char *parent = NULL, *tmp = NULL, *lower = NULL;
        _cleanup_close_ int pfd = -EBADF, tfd = -EBADF, lk = -EBADF;
        const char *base;
        int r;

        if (layout != TMPL_LAYOUT_OVERLAY && layout != TMPL_LAYOUT_COPY)
                return -EOPNOTSUPP;
        if (!overlay_safe_path(lower_arg) || !overlay_safe_path(private_dir))
                return -EINVAL;
        r = split_path(private_dir, &parent, &base);
        if (r < 0)
                return r;
        r = make_private_parent(parent);
        if (r < 0)
                return r;
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return negative_errno();
        if (exists_at(pfd, base))
                return -EEXIST;
        r = lock_lower(lower_arg, &lk, &lower);
        if (r < 0)
                return r;
        if (!lower)
                return -EIO; /* set on success; said for the analyzer (see .clang-tidy) */

        /* Built aside under a dot name and renamed in: an interrupted create leaves only debris
         * that the next create of the same CTID removes, never a half private area. */
        r = begin_aside(pfd, base, &tmp, &tfd);
        if (r < 0)
                return r;
        /* inherited by all made below, symlinks and special files too (no walk can tag those later) */
        if (r >= 0) {
                int k = tmpl_quota_tag_fd(tfd, projid);
                if (k < 0 && k != -EOPNOTSUPP)
                        r = k;
        }
        if (layout == TMPL_LAYOUT_COPY) {
                if (r >= 0)
                        r = provision_copy(tfd, lower);
        } else {
                if (r >= 0 && (mkdirat(tfd, "fs", 0755) < 0 || mkdirat(tfd, "work", 0700) < 0))
                        r = negative_errno();
                if (r >= 0 && symlinkat(lower, tfd, "lower") < 0)
                        r = negative_errno();
        }
        return end_aside(pfd, tmp, base, tfd, r);
}

/* Move DIR's fs/ back to where MOVED_FROM says it came from (when nothing is there now), and forget it.
 * 1 moved back, 0 nothing to do. */
static int unmove_at(int pfd, const char *dir)
{
        _cleanup_close_ int dfd = openat(pfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *from = NULL;
        if (dfd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : negative_errno();
        int r = read_one_line_at(dfd, MOVED_FROM, &from);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        int moved = 0;
        if (exists_at(dfd, "fs")) {
                /* something is back where it came from: both are the operator's to sort out, neither
                 * is removed */
                if (from[0] != '/' || exists_at(AT_FDCWD, from))
                        return -ENOTEMPTY;
                if (renameat(dfd, "fs", AT_FDCWD, from) < 0)
                        return negative_errno();
                moved = 1;
        }
        if (unlinkat(dfd, MOVED_FROM, 0) < 0)
                return negative_errno();
        return moved;
}

int tmpl_private_unmove(const char *private_dir)
{
        _cleanup_free_ char *parent = NULL, *tmp = NULL;
        _cleanup_close_ int pfd = -EBADF;
        const char *base;
        int r = split_path(private_dir, &parent, &base);
        if (r < 0)
                return r;
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (asprintf(&tmp, ".%s.creating", base) < 0)
                return -ENOMEM;
        int a = unmove_at(pfd, tmp);
        if (a < 0)
                return a;
        int b = unmove_at(pfd, base);
        if (b < 0)
                return b;
        return a || b;
}

int tmpl_private_moved(const char *private_dir)
{
        _cleanup_free_ char *parent = NULL, *path = NULL;
        const char *base;
        int r = split_path(private_dir, &parent, &base);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/.%s.creating/" MOVED_FROM, parent, base) < 0)
                return -ENOMEM;
        if (exists_at(AT_FDCWD, path))
                return 1;
        free(path);
        if (asprintf(&path, "%s/" MOVED_FROM, private_dir) < 0)
                return -ENOMEM;
        return exists_at(AT_FDCWD, path);
}

int tmpl_private_moved_done(const char *private_dir)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/" MOVED_FROM, private_dir);
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int tmpl_provision_tree(const char *src, const char *private_dir, unsigned projid, bool move)
{
        _cleanup_free_ char *parent = NULL, *tmp = NULL;
        _cleanup_close_ int pfd = -EBADF, tfd = -EBADF, sfd = -EBADF, dfd = -EBADF;
        struct stat sst, pst;
        const char *base;
        int r;

        if (!overlay_safe_path(private_dir) || src[0] != '/' || strchr(src, '\n'))
                return -EINVAL;
        r = split_path(private_dir, &parent, &base);
        if (r < 0)
                return r;
        sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
                return negative_errno();
        r = make_private_parent(parent);
        if (r < 0)
                return r;
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return negative_errno();
        if (move && (fstat(sfd, &sst) < 0 || fstat(pfd, &pst) < 0))
                return negative_errno();
        if (move && sst.st_dev != pst.st_dev)
                return -EXDEV;
        if (exists_at(pfd, base))
                return -EEXIST;
        /* the same dot name as tmpl_provision's: an interrupted copy is debris the next create or import of
         * this CTID removes (the source is untouched); an interrupted move is moved back first */
        r = begin_aside(pfd, base, &tmp, &tfd);
        if (r < 0)
                return r;
        /* a moved tree keeps its project ids (a rename into another project fails): the disk quota tags it
         * when the CT first mounts with limits */
        if (r >= 0 && !move) {
                int k = tmpl_quota_tag_fd(tfd, projid);
                if (k < 0 && k != -EOPNOTSUPP)
                        r = k;
        }
        char origin[PATH_MAX + 2];
        int n = snprintf(origin, sizeof(origin), "%s\n", src);
        if (r >= 0 && move) {
                /* where it came from is on disk before it leaves there */
                r = write_file_atomic_at(tfd, MOVED_FROM, origin, (size_t)n, 0600);
                if (r >= 0 && fsync(tfd) < 0)
                        r = negative_errno();
                if (r >= 0 && renameat(AT_FDCWD, src, tfd, "fs") < 0)
                        r = negative_errno();
        } else {
                if (r >= 0 && mkdirat(tfd, "fs", 0755) < 0)
                        r = negative_errno();
                if (r >= 0 && (dfd = openat(tfd, "fs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
                        r = negative_errno();
                if (r >= 0)
                        r = tmpl_copy_tree(sfd, dfd);
        }
        if (r >= 0)
                r = write_file_atomic_at(tfd, "origin", origin, (size_t)n, 0644);
        if (r >= 0 && syncfs(tfd) < 0)
                r = negative_errno();
        return end_aside(pfd, tmp, base, tfd, r);
}

int tmpl_private_layout(const char *private_dir, tmpl_layout *ret)
{
        _cleanup_close_ int fd = open(private_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (exists_at(fd, "lower") && exists_at(fd, "fs")) {
                *ret = TMPL_LAYOUT_OVERLAY;
                return 0;
        }
        if (exists_at(fd, "fs") && !exists_at(fd, "work")) {
                *ret = TMPL_LAYOUT_COPY;
                return 0;
        }
        return -EUCLEAN;
}

int tmpl_is_mounted(const char *root)
{
        struct statx sx;

        /* the attribute needs no field, and no round trip to a FUSE daemon (runtime/lxcfs.c asks too) */
        if (statx(AT_FDCWD, root, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, 0, &sx) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return -EOPNOTSUPP;
        return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* A detached copy of the mount at path, its ids shifted through userns_fd (an idmapped mount). */
static int idmapped_tree(const char *path, int userns_fd)
{
        int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
                int r = negative_errno();
                safe_close(fd);
                return r;
        }
        return fd;
}

int tmpl_idmap_supported(const char *path, int userns_fd)
{
        int fd = idmapped_tree(path, userns_fd);
        if (fd == -EINVAL || fd == -EOPNOTSUPP || fd == -ENOSYS)
                return 0; /* this filesystem (or kernel) cannot shift ids */
        if (fd < 0)
                return fd;
        safe_close(fd);
        return 1;
}

int tmpl_mount_root(const char *private_dir, const char *root, int userns_fd)
{
        char lower[PATH_MAX], link[PATH_MAX];
        _cleanup_free_ char *opts = NULL;
        tmpl_layout layout = TMPL_LAYOUT_OVERLAY;
        int r;

        r = tmpl_private_layout(private_dir, &layout);
        if (r < 0)
                return r;
        if (layout == TMPL_LAYOUT_COPY) {
                char fs[PATH_MAX];
                snprintf(fs, sizeof(fs), "%s/fs", private_dir);
                r = mkdir_p_at(AT_FDCWD, root, 0755);
                if (r < 0)
                        return r;
                if (userns_fd >= 0) {
                        /* the copy keeps the host's ids on disk; the CT sees them shifted */
                        _cleanup_close_ int t = idmapped_tree(fs, userns_fd);
                        if (t < 0)
                                return t;
                        if (move_mount(t, "", AT_FDCWD, root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return negative_errno();
                        return 0;
                }
                if (mount(fs, root, NULL, MS_BIND, NULL) < 0)
                        return negative_errno();
                return 0;
        }
        snprintf(link, sizeof(link), "%s/lower", private_dir);
        ssize_t n = readlink(link, lower, sizeof(lower) - 1);
        if (n < 0)
                return negative_errno();
        lower[n] = 0;
        if (!overlay_safe_path(lower) || !overlay_safe_path(private_dir))
                return -EINVAL;
        struct stat st;
        if (stat(lower, &st) < 0)
                return errno == ENOENT ? -ENOLINK : negative_errno();

        r = mkdir_p_at(AT_FDCWD, root, 0755);
        if (r < 0)
                return r;
        /* Under a user namespace the template (host ids) is seen through an idmapped mount; the upper layer
         * keeps real ids, which are the CT's (copy-up keeps the shifted owner; overlayfs works as the
         * mounter, host root, which an idmapped upper could not represent). */
        char staging[PATH_MAX] = "";
        if (userns_fd >= 0) {
                /* attached at a staging point for overlayfs to find by path (older kernels do not take a
                 * detached mount there), and detached again once the overlay holds it */
                _cleanup_close_ int lfd = idmapped_tree(lower, userns_fd);
                if (lfd < 0)
                        return lfd;
                snprintf(staging, sizeof(staging), "%s/lower.idmap", private_dir);
                if (mkdir(staging, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                (void)umount2(staging, MNT_DETACH | UMOUNT_NOFOLLOW); /* a leftover of a crash */
                if (move_mount(lfd, "", AT_FDCWD, staging, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        return negative_errno();
        }
        if (asprintf(&opts, "lowerdir=%s,upperdir=%s/fs,workdir=%s/work", staging[0] ? staging : lower,
                     private_dir, private_dir) < 0)
                r = -ENOMEM;
        else if (mount("overlay", root, "overlay", 0, opts) < 0)
                r = negative_errno();
        else
                r = 0;
        if (staging[0])
                (void)umount2(staging, MNT_DETACH | UMOUNT_NOFOLLOW);
        return r;
}

int tmpl_umount_root(const char *root)
{
        if (umount2(root, UMOUNT_NOFOLLOW) == 0)
                return 0;
        if (errno == EINVAL)
                return 0; /* not mounted */
        if (errno != EBUSY)
                return negative_errno();
        /* a shell of the operator's sitting in the root keeps it busy: detach it */
        if (umount2(root, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                return negative_errno();
        return 0;
}

int tmpl_private_parent(const char *private_dir)
{
        _cleanup_free_ char *parent = NULL;
        const char *base;
        int r = split_path(private_dir, &parent, &base);
        if (r < 0)
                return r;
        return make_private_parent(parent);
}
