/* fd-relative file I/O: whole-file reads, atomic replacement, single writes for cgroupfs and /proc. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read a whole (small) file into a NUL-terminated buffer. */
int read_full_file_at(int dfd, const char *path, char **ret, size_t *ret_size);
/* The same from an open fd, from its current offset. */
int read_full_fd(int fd, char **ret, size_t *ret_size);
/* Read the first line, without its newline. */
int read_one_line_at(int dfd, const char *path, char **ret);
/* Replace path atomically: write a temp file, fsync, rename over path, fsync the directory. */
int write_file_atomic_at(int dfd, const char *path, const void *data, size_t len, mode_t mode);
/* The same without the fsyncs: readers see the old content or the new, never a mix, but after a crash
 * either may be there (or an empty file). For runtime state that a reboot voids anyway. */
int write_file_replace_at(int dfd, const char *path, const void *data, size_t len, mode_t mode);
/* One write(2) of a string to an existing file (cgroupfs, /proc, /sys): no O_CREAT, no O_TRUNC. */
int write_string_at(int dfd, const char *path, const char *s);
/* mkdir -p relative to dfd; existing directories are fine. */
int mkdir_p_at(int dfd, const char *path, mode_t mode);
/* rm -rf of dfd/name without following symlinks and without crossing into other mounts. */
int rm_rf_at(int dfd, const char *name);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int loop_write(int fd, const void *buf, size_t len);
/* The same into a pipe whose reader may be gone (a child of ours that died, a command that exited): -EPIPE
 * then, never a SIGPIPE that kills vpsctl. */
int loop_write_nosigpipe(int fd, const void *buf, size_t len);
/* Read up to len bytes, retrying on EINTR and short reads; returns bytes read. */
ssize_t loop_read(int fd, void *buf, size_t len);
/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): path resolved as if rootfd were "/", so a symlink of
 * a CT's never leads out of its root. O_CLOEXEC is added. Returns the fd or -errno. */
int open_in_root(int rootfd, const char *path, int flags);
/* Does dfd/path exist (without following a final symlink)? */
bool exists_at(int dfd, const char *path);
/* Copy a regular file (sendfile/copy_file_range), creating dst with mode. */
int copy_file_at(int src_dfd, const char *src, int dst_dfd, const char *dst, mode_t mode);
