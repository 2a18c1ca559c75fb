/* Copying a template's tree for the copy layout, and measuring one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

/* Inodes with more than one link, seen once: dev/ino -> path relative to the destination root. */
struct link_map {
        struct link {
                dev_t dev;
                ino_t ino;
                char *path;
        } * v;
        size_t n, cap; /* open addressing, cap a power of two */
};

static size_t link_hash(dev_t dev, ino_t ino, size_t cap)
{
        uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dev;
        return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static struct link *link_find(struct link_map *m, dev_t dev, ino_t ino)
{
        if (!m->cap)
                return NULL;
        for (size_t i = link_hash(dev, ino, m->cap);; i = (i + 1) & (m->cap - 1)) {
                if (!m->v[i].path)
                        return NULL;
                if (m->v[i].dev == dev && m->v[i].ino == ino)
                        return &m->v[i];
        }
}

static int link_add(struct link_map *m, dev_t dev, ino_t ino, const char *path)
{
        if ((m->n + 1) * 2 > m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 256;
                struct link *v = calloc(cap, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                for (size_t i = 0; i < m->cap; i++)
                        if (m->v[i].path) {
                                size_t j = link_hash(m->v[i].dev, m->v[i].ino, cap);
                                while (v[j].path)
                                        j = (j + 1) & (cap - 1);
                                v[j] = m->v[i];
                        }
                free(m->v);
                m->v = v;
                m->cap = cap;
        }
        size_t i = link_hash(dev, ino, m->cap);
        while (m->v[i].path)
                i = (i + 1) & (m->cap - 1);
        m->v[i] = (struct link){ dev, ino, path ? strdup(path) : strdup("") };
        if (!m->v[i].path)
                return -ENOMEM;
        m->n++;
        return 0;
}

static void link_map_done(struct link_map *m)
{
        for (size_t i = 0; i < m->cap; i++)
                free(m->v[i].path);
        free(m->v);
}

static int copy_data(int in, int out, off_t size)
{
        /* a reflink shares the blocks (btrfs, xfs): instant, and no space until the CT writes */
        if (ioctl(out, FICLONE, in) == 0)
                return 0;
        /* in-kernel copy: server-side or block-sharing where the filesystem can, else a kernel copy */
        for (off_t left = size; left > 0;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)MIN(left, (off_t)1 << 30), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS) &&
                    left == size)
                        break; /* nothing copied yet: fall back to read/write */
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0; /* the file shrank under us */
                left -= n;
                if (left == 0)
                        return 0;
        }
        char buf[65536];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                int r = loop_write(out, buf, (size_t)n);
                if (r < 0)
                        return r;
        }
}

/* Extended attributes (file capabilities, ACLs, SELinux labels) of an open file. */
static int copy_xattrs(int in, int out)
{
        char names[16384];
        ssize_t n = flistxattr(in, names, sizeof(names));
        if (n < 0)
                return errno == ENOTSUP ? 0 : negative_errno();
        for (char *k = names; k < names + n; k += strlen(k) + 1) {
                char v[65536];
                ssize_t l = fgetxattr(in, k, v, sizeof(v));
                if (l < 0)
                        continue;
                if (fsetxattr(out, k, v, (size_t)l, 0) < 0 && errno != ENOTSUP && errno != EPERM)
                        return negative_errno();
        }
        return 0;
}

/* Owner, then mode (chown clears set-id bits), then xattrs (chown clears security.capability), then
 * times, last, since everything before touches ctime/mtime of directories. */
static int copy_attrs(int fd, const struct stat *st, int src_fd)
{
        if (fchown(fd, st->st_uid, st->st_gid) < 0)
                return negative_errno();
        if (fchmod(fd, st->st_mode & 07777) < 0)
                return negative_errno();
        int r = copy_xattrs(src_fd, fd);
        if (r < 0)
                return r;
        struct timespec ts[2] = { st->st_atim, st->st_mtim };
        if (futimens(fd, ts) < 0)
                return negative_errno();
        return 0;
}

static int copy_dir(int sfd, int dfd, int droot, const char *rel, dev_t dev, struct link_map *links)
{
        int fd = dup(sfd);
        if (fd < 0)
                return negative_errno();
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        struct dirent *de;
        int r;
        while ((errno = 0, de = readdir(d))) {
                const char *n = de->d_name;
                struct stat st;
                if (streq(n, ".") || streq(n, ".."))
                        continue;
                if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s%s%s", rel, *rel ? "/" : "", n) < 0)
                        return -ENOMEM;

                if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                        struct link *l = link_find(links, st.st_dev, st.st_ino);
                        if (l) {
                                if (linkat(droot, l->path, dfd, n, 0) < 0)
                                        return negative_errno();
                                continue;
                        }
                }
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev)
                                continue; /* a mount inside the template: not ours to copy */
                        if (mkdirat(dfd, n, 0700) < 0)
                                return negative_errno();
                        _cleanup_close_ int s2 =
                                openat(sfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int d2 =
                                openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s2 < 0 || d2 < 0)
                                return negative_errno();
                        r = copy_dir(s2, d2, droot, path, dev, links);
                        if (r < 0)
                                return r;
                        r = copy_attrs(d2, &st, s2);
                        if (r < 0)
                                return r;
                } else if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int in = openat(sfd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (in < 0)
                                return negative_errno();
                        _cleanup_close_ int out =
                                openat(dfd, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (out < 0)
                                return negative_errno();
                        r = copy_data(in, out, st.st_size);
                        if (r < 0)
                                return r;
                        r = copy_attrs(out, &st, in);
                        if (r < 0)
                                return r;
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t l = readlinkat(sfd, n, target, sizeof(target) - 1);
                        if (l < 0)
                                return negative_errno();
                        target[l] = 0;
                        if (symlinkat(target, dfd, n) < 0)
                                return negative_errno();
                        if (fchownat(dfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                                return negative_errno();
                        struct timespec ts[2] = { st.st_atim, st.st_mtim };
                        if (utimensat(dfd, n, ts, AT_SYMLINK_NOFOLLOW) < 0)
                                return negative_errno();
                } else {
                        /* devices, fifos, sockets */
                        if (mknodat(dfd, n, st.st_mode, st.st_rdev) < 0)
                                return negative_errno();
                        if (fchownat(dfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
                            fchmodat(dfd, n, st.st_mode & 07777, 0) < 0)
                                return negative_errno();
                        struct timespec ts[2] = { st.st_atim, st.st_mtim };
                        if (utimensat(dfd, n, ts, AT_SYMLINK_NOFOLLOW) < 0)
                                return negative_errno();
                }
                if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 &&
                    (r = link_add(links, st.st_dev, st.st_ino, path)) < 0)
                        return r;
        }
        return errno ? negative_errno() : 0;
}

int tmpl_copy_tree(int src_dfd, int dst_dfd)
{
        struct link_map links = { 0 };
        struct stat st;
        int r;

        if (fstat(src_dfd, &st) < 0)
                return negative_errno();
        r = copy_dir(src_dfd, dst_dfd, dst_dfd, "", st.st_dev, &links);
        if (r >= 0)
                r = copy_attrs(dst_dfd, &st, src_dfd);
        link_map_done(&links);
        return r;
}

static int size_dir(int dfd, dev_t dev, struct link_map *seen, uint64_t *sum)
{
        int fd = dup(dfd);
        if (fd < 0)
                return negative_errno();
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
                        if (link_find(seen, st.st_dev, st.st_ino))
                                continue;
                        int r = link_add(seen, st.st_dev, st.st_ino, NULL);
                        if (r < 0)
                                return r;
                }
                *sum += (uint64_t)st.st_blocks * 512;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int c =
                                openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (c >= 0) {
                                int r = size_dir(c, dev, seen, sum);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return 0;
}

int tmpl_tree_size(int dfd, uint64_t *ret)
{
        struct link_map seen = { 0 };
        struct stat st;
        uint64_t sum = 0;

        if (fstat(dfd, &st) < 0)
                return negative_errno();
        sum = (uint64_t)st.st_blocks * 512;
        int r = size_dir(dfd, st.st_dev, &seen, &sum);
        link_map_done(&seen);
        if (r < 0)
                return r;
        *ret = sum;
        return 0;
}
