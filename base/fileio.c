#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "fileio.h"
#include "macro.h"

ssize_t loop_read(int fd, void *buf, size_t len)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = read(fd, (char *)buf + done, len - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

int loop_write(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int loop_write_nosigpipe(int fd, const void *buf, size_t len)
{
        sigset_t pipe_only, old, pending;

        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        if (sigprocmask(SIG_BLOCK, &pipe_only, &old) < 0)
                return negative_errno();
        bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
        int r = loop_write(fd, buf, len);
        if (r == -EPIPE && !was_pending) {
                /* take the SIGPIPE this write raised, so that unblocking does not deliver it */
                const struct timespec zero = { 0 };
                while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR)
                        ;
        }
        (void)sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

int read_full_file_at(int dfd, const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, ret, ret_size);
}

int read_full_fd(int fd, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        for (;;) {
                if (alloc - size < 4096) {
                        if (alloc >= 16 * 1024 * 1024)
                                return -EFBIG;
                        size_t n = alloc ? alloc * 2 : 4096;
                        char *t = realloc(buf, n + 1);
                        if (!t)
                                return -ENOMEM;
                        buf = t;
                        alloc = n;
                }
                ssize_t k = read(fd, buf + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                size += (size_t)k;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_one_line_at(int dfd, const char *path, char **ret)
{
        char *buf = NULL;
        int r = read_full_file_at(dfd, path, &buf, NULL);
        if (r < 0)
                return r;
        if (!buf)
                return -EIO; /* set on success; said for the analyzer (see .clang-tidy) */
        buf[strcspn(buf, "\n")] = 0;
        *ret = buf;
        return 0;
}

int write_string_at(int dfd, const char *path, const char *s)
{
        _cleanup_close_ int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        /* cgroupfs and procfs want the whole value in one write(2) */
        size_t len = strlen(s);
        ssize_t n = write(fd, s, len);
        if (n < 0)
                return negative_errno();
        if ((size_t)n != len)
                return -EIO;
        return 0;
}

static int write_file_replace(int dfd, const char *path, const void *data, size_t len, mode_t mode,
                              bool sync)
{
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF, dirfd = -EBADF;
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        int r;

        if (slash) {
                dir = strndup(path, (size_t)(slash - path) + (slash == path));
                if (!dir)
                        return -ENOMEM;
                dirfd = openat(dfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dirfd < 0)
                        return negative_errno();
        } else {
                dirfd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
                if (dirfd < 0)
                        return negative_errno();
        }

        for (int attempt = 0;; attempt++) {
                free(tmp);
                if (asprintf(&tmp, ".#%s.%08x", base, (unsigned)random() ^ (unsigned)getpid()) < 0) {
                        tmp = NULL;
                        return -ENOMEM;
                }
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || attempt > 16)
                        return negative_errno();
        }

        r = loop_write(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0 && sync && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && renameat(dirfd, tmp, dirfd, base) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlinkat(dirfd, tmp, 0);
                return r;
        }
        if (sync && fsync(dirfd) < 0)
                return negative_errno();
        return 0;
}

int write_file_atomic_at(int dfd, const char *path, const void *data, size_t len, mode_t mode)
{
        return write_file_replace(dfd, path, data, len, mode, true);
}

int write_file_replace_at(int dfd, const char *path, const void *data, size_t len, mode_t mode)
{
        return write_file_replace(dfd, path, data, len, mode, false);
}

int mkdir_p_at(int dfd, const char *path, mode_t mode)
{
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;

        for (char *s = p + (*p == '/');; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char c = *s;
                *s = 0;
                if (*p && mkdirat(dfd, p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = c;
                if (c == 0)
                        break;
        }
        struct stat st;
        if (fstatat(dfd, path, &st, 0) < 0)
                return negative_errno();
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int rm_rf_children(int fd, dev_t dev)
{
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        int ret = 0;

        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = negative_errno();
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev) {
                                /* A mount point inside the tree: never descend into another filesystem. */
                                if (ret == 0)
                                        ret = -EBUSY;
                                continue;
                        }
                        int sub = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
                        if (sub < 0 && errno == EPERM)
                                sub = openat(dirfd(d), de->d_name,
                                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0) {
                                if (errno != ENOENT && ret == 0)
                                        ret = negative_errno();
                                continue;
                        }
                        int r = rm_rf_children(sub, dev);
                        if (r < 0 && ret == 0)
                                ret = r;
                        if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && ret == 0)
                                ret = negative_errno();
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && ret == 0)
                        ret = negative_errno();
        }
        return ret;
}

int rm_rf_at(int dfd, const char *name)
{
        struct stat st;
        int fd, r;

        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = rm_rf_children(fd, st.st_dev);
        if (r < 0)
                return r;
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

bool exists_at(int dfd, const char *path)
{
        struct stat st;
        return fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int copy_file_at(int src_dfd, const char *src, int dst_dfd, const char *dst, mode_t mode)
{
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        struct stat st;

        in = openat(src_dfd, src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return negative_errno();
        if (fstat(in, &st) < 0)
                return negative_errno();
        out = openat(dst_dfd, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (out < 0)
                return negative_errno();
        for (off_t left = st.st_size; left > 0;) {
                ssize_t n = sendfile(out, in, NULL, (size_t)MIN(left, (off_t)(1 << 30)));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                left -= n;
        }
        if (fchmod(out, mode) < 0)
                return negative_errno();
        return 0;
}

int open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}
