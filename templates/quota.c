/* Disk space and inode limits of a private area: project quota (ext4 with the project feature, xfs), one
 * project id per private area. Every file and directory under it carries the id, directories with
 * PROJINHERIT so what is created later inherits it; the limits are set through quotactl_fd(2) on the
 * private area itself, so no block device has to be found. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "templates-internal.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif
/* Deeper trees than this are refused (each level holds a descriptor while the walk runs). */
#define TAG_MAX_DEPTH 256

static int quotactl_fd(int fd, unsigned cmd, unsigned id, void *addr)
{
        return (int)syscall(SYS_quotactl_fd, fd, cmd, id, addr);
}

static const char *fs_name(long magic)
{
        switch (magic) {
        case EXT4_SUPER_MAGIC:
                return "ext4";
        case XFS_SUPER_MAGIC:
                return "xfs";
        case BTRFS_SUPER_MAGIC:
                return "btrfs";
        case TMPFS_MAGIC:
                return "tmpfs";
        case OVERLAYFS_SUPER_MAGIC:
                return "overlayfs";
        case NFS_SUPER_MAGIC:
                return "nfs";
        default:
                return NULL;
        }
}

/* Mount point and source of the mount holding PATH (the longest mount point above it on its device). */
static void mount_of(const char *path, dev_t dev, char *mnt, size_t mntlen, char *src, size_t srclen)
{
        char real[PATH_MAX], line[4096];
        size_t best = 0;

        snprintf(mnt, mntlen, "?");
        snprintf(src, srclen, "?");
        if (!realpath(path, real))
                return;
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                unsigned maj, min;
                char mp[PATH_MAX], source[1024];
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
                if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3)
                        continue;
                if (makedev(maj, min) != dev)
                        continue;
                const char *dash = strstr(line, " - ");
                if (!dash || sscanf(dash, " - %*s %1023s", source) != 1)
                        continue;
                size_t l = strlen(mp);
                bool above = streq(mp, "/") || (strncmp(real, mp, l) == 0 && (real[l] == '/' || !real[l]));
                if (above && l >= best) {
                        best = l;
                        snprintf(mnt, mntlen, "%s", mp);
                        snprintf(src, srclen, "%s", source);
                }
        }
        fclose(f);
}

int tmpl_quota_supported(const char *dir, char *why, size_t whylen)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct statfs sfs;
        struct stat st;
        if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        struct fs_quota_statv qs = { .qs_version = FS_QSTATV_VERSION1 };
        int r = quotactl_fd(fd, QCMD(Q_XGETQSTATV, PRJQUOTA), 0, &qs);
        bool acct = r == 0 && (qs.qs_flags & FS_QUOTA_PDQ_ACCT);
        bool enfd = r == 0 && (qs.qs_flags & FS_QUOTA_PDQ_ENFD);
        if (acct && enfd)
                return 1;
        if (r < 0 && errno != ENOSYS && errno != ENOTTY && errno != EOPNOTSUPP && errno != EINVAL &&
            errno != ESRCH && errno != ENOENT)
                return negative_errno();

        if (!why)
                return 0;
        char mnt[PATH_MAX], src[1024], fsbuf[32];
        mount_of(dir, st.st_dev, mnt, sizeof(mnt), src, sizeof(src));
        const char *fs = fs_name((long)sfs.f_type);
        if (!fs) {
                snprintf(fsbuf, sizeof(fsbuf), "filesystem type 0x%lx", (unsigned long)sfs.f_type);
                fs = fsbuf;
        }
        if ((long)sfs.f_type == EXT4_SUPER_MAGIC)
                snprintf(
                        why, whylen,
                        "%s is on ext4 (%s mounted on %s) %s; enable it: unmount, `tune2fs -O quota,project "
                        "%s`, and mount with -o prjquota (in /etc/fstab too)",
                        dir, src, mnt,
                        acct ? "with project quota counted but not enforced"
                             : "without project quota (or a kernel without CONFIG_QUOTA and CONFIG_QFMT_V2)",
                        src);
        else if ((long)sfs.f_type == XFS_SUPER_MAGIC)
                snprintf(why, whylen,
                         "%s is on xfs (%s mounted on %s) %s; enable it: mount with -o prjquota (in "
                         "/etc/fstab; "
                         "xfs turns quota on only at mount)",
                         dir, src, mnt,
                         acct ? "with project quota counted but not enforced"
                              : "without project quota (or a kernel without CONFIG_XFS_QUOTA)");
        else
                snprintf(why, whylen,
                         "%s is on %s (%s mounted on %s), which has no project quota; put the private areas "
                         "(VE_PRIVATE) on ext4 with the project feature or on xfs, mounted with -o prjquota",
                         dir, fs, src, mnt);
        return 0;
}

static int get_xattr(int fd, struct fsxattr *fa)
{
        return ioctl(fd, FS_IOC_FSGETXATTR, fa) < 0 ? negative_errno() : 0;
}

/* Give fd's file the project id (and PROJINHERIT when a directory). 0, or -EOPNOTSUPP where the
 * filesystem has no project ids. */
static int tag_fd(int fd, unsigned projid, bool dir)
{
        struct fsxattr fa;
        int r = get_xattr(fd, &fa);
        if (r == -ENOTTY || r == -EINVAL)
                return -EOPNOTSUPP;
        if (r < 0)
                return r;
        unsigned want = dir ? fa.fsx_xflags | FS_XFLAG_PROJINHERIT : fa.fsx_xflags;
        if (fa.fsx_projid == projid && fa.fsx_xflags == want)
                return 0;
        fa.fsx_projid = projid;
        fa.fsx_xflags = want;
        if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0)
                return errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : negative_errno();
        return 0;
}

static int tag_tree(int dfd, unsigned projid, dev_t dev, unsigned depth);

int tmpl_quota_tag_fd(int dfd, unsigned projid)
{
        return tag_fd(dfd, projid, true);
}

/* Tag what is in the directory dfd (on device dev): dirfd-relative and never following a symlink, so a
 * running CT renaming its files meanwhile cannot steer the walk out of its private area. Files other than
 * regular files and directories (symlinks, devices, fifos, sockets, whiteouts) cannot be opened for the
 * ioctl safely and keep their id: they hold no data blocks. */
static int tag_children(int dfd, unsigned projid, dev_t dev, unsigned depth)
{
        if (depth > TAG_MAX_DEPTH)
                return -ELOOP;
        int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return negative_errno();
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                int r = negative_errno();
                safe_close(dup_fd);
                return r;
        }
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_type != DT_DIR && de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                        continue;
                int fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd < 0) {
                        /* gone meanwhile, or a symlink/fifo/device in place of what readdir said */
                        if (errno == ENOENT || errno == ELOOP || errno == ENXIO || errno == ENODEV)
                                continue;
                        r = negative_errno();
                        break;
                }
                struct stat st;
                if (fstat(fd, &st) < 0)
                        r = negative_errno();
                else if (st.st_dev != dev)
                        r = 0; /* a mount point: not this filesystem's */
                else if (S_ISDIR(st.st_mode))
                        r = tag_tree(fd, projid, dev, depth + 1);
                else if (S_ISREG(st.st_mode))
                        r = tag_fd(fd, projid, false);
                safe_close(fd);
        }
        if (r >= 0 && errno != 0)
                r = negative_errno();
        closedir(d);
        return r;
}

static int tag_tree(int dfd, unsigned projid, dev_t dev, unsigned depth)
{
        int r = tag_fd(dfd, projid, true);
        if (r < 0)
                return r;
        return tag_children(dfd, projid, dev, depth);
}

int tmpl_quota_tag(const char *dir, unsigned projid)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        int r = tmpl_quota_tagged(dir, projid);
        if (r != 0)
                return r < 0 ? r : 0;
        /* the top last: a walk cut short is done again by the next call */
        r = tag_children(fd, projid, st.st_dev, 1);
        if (r < 0)
                return r;
        return tag_fd(fd, projid, true);
}

int tmpl_quota_tagged(const char *dir, unsigned projid)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct fsxattr fa;
        int r = get_xattr(fd, &fa);
        if (r == -ENOTTY || r == -EINVAL)
                return 0;
        if (r < 0)
                return r;
        return fa.fsx_projid == projid && (fa.fsx_xflags & FS_XFLAG_PROJINHERIT);
}

/* Bytes to the 1 KiB blocks of struct if_dqblk, rounded up (0 stays: no limit). */
static uint64_t kib_up(uint64_t bytes)
{
        return bytes / 1024 + (bytes % 1024 != 0);
}

int tmpl_quota_set(const char *dir, unsigned projid, const tmpl_quota *q)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct if_dqblk b = {
                .dqb_bsoftlimit = kib_up(q->space_soft),
                .dqb_bhardlimit = kib_up(q->space_hard),
                .dqb_isoftlimit = q->inodes_soft,
                .dqb_ihardlimit = q->inodes_hard,
                .dqb_valid = QIF_LIMITS,
        };
        if (quotactl_fd(fd, QCMD(Q_SETQUOTA, PRJQUOTA), projid, &b) < 0)
                return negative_errno();
        return 0;
}

int tmpl_quota_get(const char *dir, unsigned projid, tmpl_quota_usage *ret)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct if_dqblk b = {};
        if (quotactl_fd(fd, QCMD(Q_GETQUOTA, PRJQUOTA), projid, &b) < 0)
                return negative_errno();
        *ret = (tmpl_quota_usage){
                .space_used = b.dqb_curspace,
                .inodes_used = b.dqb_curinodes,
                .limits = {
                        .space_soft = b.dqb_bsoftlimit * 1024,
                        .space_hard = b.dqb_bhardlimit * 1024,
                        .inodes_soft = b.dqb_isoftlimit,
                        .inodes_hard = b.dqb_ihardlimit,
                },
        };
        return 0;
}
