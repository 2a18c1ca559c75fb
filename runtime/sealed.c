/* CVE-2019-5736: before vpsctl joins or spawns into a CT, it re-executes itself from a copy nobody can
 * write, so a CT's root cannot overwrite the host's binary through /proc/PID/exe. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mount.h>

#include "base/log.h"
#include "base/macro.h"
#include "engine.h"

/* The binary seen through a private overlayfs of two read-only lower layers, its directory and an
 * empty tmpfs, mounted nowhere (fsmount): a superblock with no upper layer, which no remount can
 * make writable (runc 1.2 does the same). Nothing is copied, unlike a memfd. The layers are given
 * as fds (Linux 6.13+): -errno where the kernel cannot, and the caller copies instead. */
static int open_sealed_overlay(int self, int *ret)
{
        _cleanup_close_ int tmpfs = -EBADF, tmnt = -EBADF, dir = -EBADF, ovl = -EBADF, mnt = -EBADF;
        char path[PATH_MAX];
        struct stat st, ost;

        ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
        if (n <= 0)
                return negative_errno();
        path[n] = 0;
        char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        *slash = 0;
        const char *name = slash + 1;
        /* not O_PATH: FSCONFIG_SET_FD takes those from Linux 6.15 only */
        dir = open(*path ? path : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return negative_errno();
        /* the file we run, not one installed over it since (" (deleted)" or another inode) */
        if (fstat(self, &st) < 0 || fstatat(dir, name, &ost, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (st.st_dev != ost.st_dev || st.st_ino != ost.st_ino)
                return -ESTALE;

        tmpfs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
        if (tmpfs < 0)
                return negative_errno();
        if (syscall(SYS_fsconfig, tmpfs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        tmnt = (int)syscall(SYS_fsmount, tmpfs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (tmnt < 0)
                return negative_errno();
        ovl = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
        if (ovl < 0)
                return negative_errno();
        /* the binary's directory on top, so that nothing in the empty layer can shadow it */
        if (syscall(SYS_fsconfig, ovl, FSCONFIG_SET_FD, "lowerdir+", NULL, dir) < 0 ||
            syscall(SYS_fsconfig, ovl, FSCONFIG_SET_FD, "lowerdir+", NULL, tmnt) < 0)
                return negative_errno();
        (void)syscall(SYS_fsconfig, ovl, FSCONFIG_SET_STRING, "xino", "off", 0);
        if (syscall(SYS_fsconfig, ovl, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        mnt = (int)syscall(SYS_fsmount, ovl, FSMOUNT_CLOEXEC,
                           MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mnt < 0)
                return negative_errno();
        int fd = openat(mnt, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &ost) < 0 || ost.st_size != st.st_size || ost.st_mtim.tv_sec != st.st_mtim.tv_sec ||
            ost.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
                safe_close(fd);
                return -ESTALE;
        }
        *ret = fd;
        return 0;
}

/* Are we running from a copy nobody can write: a sealed memfd, or a file of an overlayfs whose
 * superblock is read-only (opening it for writing fails with EROFS before anything else)? */
static bool running_sealed(int self)
{
        const int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        struct statfs sfs;

        int seals = fcntl(self, F_GET_SEALS);
        if (seals >= 0)
                return (seals & want) == want;
        if (fstatfs(self, &sfs) < 0 || sfs.f_type != OVERLAYFS_SUPER_MAGIC)
                return false;
        int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                safe_close(fd);
                return false;
        }
        return errno == EROFS;
}

int ct_ensure_cloned_binary(char **argv)
{
        const int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        _cleanup_close_ int self = -EBADF, mfd = -EBADF;
        extern char **environ;
        struct stat st;

        self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return negative_errno();
        if (running_sealed(self))
                return 0;
        if (open_sealed_overlay(self, &mfd) >= 0) {
                fexecve(mfd, argv, environ);
                mfd = safe_close(mfd); /* and copy */
        }
        if (fstat(self, &st) < 0)
                return negative_errno();
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
        mfd = memfd_create("vpsctl", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (mfd < 0 && errno == EINVAL) /* before Linux 6.3 */
                mfd = memfd_create("vpsctl", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return negative_errno();
        for (off_t left = st.st_size; left > 0;) {
                ssize_t n = sendfile(mfd, self, NULL, (size_t)left);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EIO;
                left -= n;
        }
        if (fcntl(mfd, F_ADD_SEALS, want) < 0)
                return negative_errno();
        fexecve(mfd, argv, environ);
        return negative_errno();
}
