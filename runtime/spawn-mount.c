/* Inside the CT's new mount namespace: build the root (/proc, /sys, /dev, masks) and pivot into it.
 * Every target is resolved inside the root (openat2 RESOLVE_IN_ROOT), never through a symlink out of it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "cgroups/cgroups.h"
#include "engine-internal.h"

int spawn_fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        return r;
}

/* mount(2) onto an fd: the kernel follows /proc/self/fd/N to exactly the dentry we resolved. */
static int mount_on_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data)
{
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        return mount(src, target, type, flags, data) < 0 ? negative_errno() : 0;
}

static int mount_at(int rootfd, const char *path, const char *src, const char *type, unsigned long flags,
                    const char *data)
{
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        if (fd < 0)
                return fd;
        return mount_on_fd(src, fd, type, flags, data);
}

/* The directories we mount on must be real directories of the template, not symlinks. */
static int ensure_dir(int rootfd, const char *name, char *err, size_t errlen)
{
        struct stat st;

        if (mkdirat(rootfd, name, 0755) < 0 && errno != EEXIST)
                return spawn_fail(err, errlen, -errno, "Cannot create /%s in the CT's root: %s", name,
                                  strerror(errno));
        if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot stat /%s in the CT's root: %s", name,
                                  strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return spawn_fail(err, errlen, -ELOOP,
                                  "/%s in the CT's root is not a directory (a symlink?); refusing", name);
        return 0;
}

static int check_fs(int rootfd, const char *path, long magic)
{
        struct statfs fs;
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        if (fd < 0)
                return fd;
        if (fstatfs(fd, &fs) < 0)
                return negative_errno();
        return fs.f_type == magic ? 0 : -EXDEV;
}

static const struct {
        const char *name;
        mode_t mode;
        unsigned maj, min;
} devices[] = {
        { "null", S_IFCHR | 0666, 1, 3 },    { "zero", S_IFCHR | 0666, 1, 5 },
        { "full", S_IFCHR | 0666, 1, 7 },    { "random", S_IFCHR | 0666, 1, 8 },
        { "urandom", S_IFCHR | 0666, 1, 9 }, { "tty", S_IFCHR | 0666, 5, 0 },
};

static const struct {
        const char *link, *target;
} dev_links[] = {
        { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },         { "core", "/proc/kcore" },
};

/* In a user namespace mknod is refused: the host's own nodes are bound onto empty files instead (the
 * host's /dev is still visible before pivot_root). */
static int bind_host_device(int devfd, const char *name, char *err, size_t errlen)
{
        char src[64];
        _cleanup_close_ int target =
                openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (target < 0)
                return spawn_fail(err, errlen, -errno, "Cannot create /dev/%s: %s", name, strerror(errno));
        snprintf(src, sizeof(src), "/dev/%s", name);
        _cleanup_close_ int host = open(src, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (host < 0)
                return spawn_fail(err, errlen, -errno, "The host has no %s to give the CT: %s", src,
                                  strerror(errno));
        snprintf(src, sizeof(src), "/proc/self/fd/%d", host);
        int r = mount_on_fd(src, target, NULL, MS_BIND, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot bind /dev/%s: %s", name, strerror(-r));
        return 0;
}

static int setup_dev(int rootfd, bool userns, char *err, size_t errlen)
{
        _cleanup_close_ int devfd = -EBADF, nullfd = -EBADF, consfd = -EBADF;
        int r;

        r = mount_at(rootfd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME,
                     "mode=0755,size=65536k,nr_inodes=4096");
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /dev: %s", strerror(-r));
        devfd = open_in_root(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (devfd < 0)
                return spawn_fail(err, errlen, devfd, "Cannot open the CT's /dev: %s", strerror(-devfd));

        /* A fresh tmpfs of ours: nothing of the template's can be in the way. */
        for (size_t i = 0; i < ELEMENTSOF(devices); i++) {
                if (userns) {
                        r = bind_host_device(devfd, devices[i].name, err, errlen);
                        if (r < 0)
                                return r;
                } else if (mknodat(devfd, devices[i].name, devices[i].mode,
                                   makedev(devices[i].maj, devices[i].min)) < 0 ||
                           fchmodat(devfd, devices[i].name, devices[i].mode & 07777, 0) < 0)
                        return spawn_fail(err, errlen, -errno, "Cannot create /dev/%s: %s", devices[i].name,
                                          strerror(errno));
                struct stat st;
                if (fstatat(devfd, devices[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISCHR(st.st_mode) ||
                    st.st_rdev != makedev(devices[i].maj, devices[i].min))
                        return spawn_fail(err, errlen, -EIO, "/dev/%s is not the device it should be",
                                          devices[i].name);
        }
        for (size_t i = 0; i < ELEMENTSOF(dev_links); i++)
                if (symlinkat(dev_links[i].target, devfd, dev_links[i].link) < 0)
                        return spawn_fail(err, errlen, -errno, "Cannot create /dev/%s: %s",
                                          dev_links[i].link, strerror(errno));
        if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", 01777) < 0 ||
            mkdirat(devfd, "mqueue", 0755) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot create directories in /dev: %s",
                                  strerror(errno));

        r = mount_at(rootfd, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5");
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /dev/pts: %s", strerror(-r));
        r = mount_at(rootfd, "dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k");
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /dev/shm: %s", strerror(-r));
        r = mount_at(rootfd, "dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /dev/mqueue: %s", strerror(-r));

        /* /dev/console: the console is the log file init writes to, so the node itself reads as null */
        consfd = openat(devfd, "console", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        nullfd = openat(devfd, "null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (consfd < 0 || nullfd < 0)
                return spawn_fail(err, errlen, -errno, "Cannot create /dev/console: %s", strerror(errno));
        char src[64];
        snprintf(src, sizeof(src), "/proc/self/fd/%d", nullfd);
        r = mount_on_fd(src, consfd, NULL, MS_BIND, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot bind /dev/console: %s", strerror(-r));
        return 0;
}

/* Docker's lists are the floor: files masked by /dev/null, directories by an empty read-only tmpfs. */
static const char *const masked_paths[] = {
        "proc/acpi",
        "proc/asound",
        "proc/kcore",
        "proc/keys",
        "proc/latency_stats",
        "proc/timer_list",
        "proc/timer_stats",
        "proc/sched_debug",
        "proc/scsi",
        "sys/firmware",
        "sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
        "proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

static int mask_path(int rootfd, const char *path, char *err, size_t errlen)
{
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        struct stat st;
        int r;

        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return spawn_fail(err, errlen, fd, "Cannot open /%s to mask it: %s", path, strerror(-fd));
        if (fstat(fd, &st) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot stat /%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
                r = mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                "mode=0555");
        else {
                _cleanup_close_ int nullfd = open_in_root(rootfd, "dev/null", O_PATH | O_NOFOLLOW);
                char src[64];
                if (nullfd < 0)
                        return spawn_fail(err, errlen, nullfd, "Cannot open /dev/null: %s",
                                          strerror(-nullfd));
                snprintf(src, sizeof(src), "/proc/self/fd/%d", nullfd);
                r = mount_on_fd(src, fd, NULL, MS_BIND, NULL);
        }
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mask /%s: %s", path, strerror(-r));
        return 0;
}

static int readonly_path(int rootfd, const char *path, char *err, size_t errlen)
{
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        int r;

        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return spawn_fail(err, errlen, fd, "Cannot open /%s: %s", path, strerror(-fd));
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        r = mount_on_fd(self, fd, NULL, MS_BIND | MS_REC, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot bind /%s: %s", path, strerror(-r));
        /* the remount must act on the new bind mount, so resolve the path again */
        _cleanup_close_ int fd2 = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        if (fd2 < 0)
                return spawn_fail(err, errlen, fd2, "Cannot open /%s: %s", path, strerror(-fd2));
        r = mount_on_fd(NULL, fd2, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot make /%s read-only: %s", path, strerror(-r));
        return 0;
}

int spawn_setup_root(const char *root, bool userns, const char *lxcfs_dir, char *err, size_t errlen)
{
        _cleanup_close_ int rootfd = -EBADF;
        int r;

        /* Nothing we mount from here on may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot make mounts private: %s", strerror(errno));
        if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot bind the CT's root %s: %s", root,
                                  strerror(errno));
        rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (rootfd < 0)
                return spawn_fail(err, errlen, -errno, "Cannot open the CT's root %s: %s", root,
                                  strerror(errno));

        static const char *const dirs[] = { "proc", "sys", "dev" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = ensure_dir(rootfd, dirs[i], err, errlen);
                if (r < 0)
                        return r;
        }

        r = mount_at(rootfd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /proc: %s", strerror(-r));
        if (check_fs(rootfd, "proc", PROC_SUPER_MAGIC) < 0)
                return spawn_fail(err, errlen, -EXDEV,
                                  "/proc in the CT is not procfs after mounting it; refusing");
        r = mount_at(rootfd, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot mount /sys: %s", strerror(-r));
        if (check_fs(rootfd, "sys", SYSFS_MAGIC) < 0)
                return spawn_fail(err, errlen, -EXDEV,
                                  "/sys in the CT is not sysfs after mounting it; refusing");

        cg_version v;
        if (cg_detect(&v) >= 0 && v == CG_VERSION_V2) {
                /* the CT's own subtree only: we are inside its cgroup namespace already */
                r = mount_at(rootfd, "sys/fs/cgroup", "cgroup2", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                             NULL);
                if (r < 0)
                        return spawn_fail(err, errlen, r, "Cannot mount /sys/fs/cgroup: %s", strerror(-r));
        }
        /* the CT's /proc and /sys exist, and nothing is masked or read-only yet (LXC's mount hook runs here)
         */
        if (lxcfs_dir && (r = spawn_mount_lxcfs(rootfd, lxcfs_dir, err, errlen)) < 0)
                return r;

        r = setup_dev(rootfd, userns, err, errlen);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(readonly_paths); i++) {
                r = readonly_path(rootfd, readonly_paths[i], err, errlen);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(masked_paths); i++) {
                r = mask_path(rootfd, masked_paths[i], err, errlen);
                if (r < 0)
                        return r;
        }

        if (fchdir(rootfd) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot enter the CT's root: %s", strerror(errno));
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return spawn_fail(err, errlen, -errno, "pivot_root failed: %s", strerror(errno));
        /* the old root is stacked under the new one: detach it */
        if (umount2(".", MNT_DETACH) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot detach the host's root: %s", strerror(errno));
        if (chdir("/") < 0)
                return spawn_fail(err, errlen, -errno, "chdir(/) failed: %s", strerror(errno));
        return 0;
}
