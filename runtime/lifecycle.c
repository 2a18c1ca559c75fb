/* Lifecycle verbs: create, destroy, mount, umount, start, stop, live set. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "engine-internal.h"
#include "templates/templates.h"

#define CONSOLE_LOG_MAX (1024 * 1024)

static int private_layout(const char *layout, tmpl_layout *ret)
{
        if (!layout || streq(layout, "overlay")) {
                *ret = TMPL_LAYOUT_OVERLAY;
                return 0;
        }
        if (streq(layout, "copy")) {
                *ret = TMPL_LAYOUT_COPY;
                return 0;
        }
        return -EINVAL;
}

/* The template's rootfs; the built-in busybox template is built on first use. */
static int template_rootfs(ct *c, const char *name, char **ret)
{
        int r = tmpl_current_rootfs(c->cfg.template_dir, name, ret);
        if (r != -ENOENT || !streq(name, "busybox"))
                return r;
        const char *bb = c->cfg.busybox;
        if (!bb)
                bb = access("/bin/busybox", X_OK) == 0 ? "/bin/busybox" : "/usr/bin/busybox";
        log_info("Building the busybox template from %s", bb);
        r = tmpl_build_busybox(c->cfg.template_dir, name, bb);
        if (r == -ELIBBAD || r == -ENOEXEC)
                return log_error_errno(r, "%s is not a statically linked busybox; install busybox-static",
                                       bb);
        if (r < 0)
                return log_error_errno(r, "Failed to build the busybox template in %s: %m",
                                       c->cfg.template_dir);
        return tmpl_current_rootfs(c->cfg.template_dir, name, ret);
}

/* A create that fails after its private area was made: removed, or an import's moved files moved back. */
static void undo_private(ct *c)
{
        int r = tmpl_private_unmove(c->cfg.ve_private);
        if (r < 0) {
                log_error_errno(r, "Cannot move the files of CT %u in %s/fs back: %m; they are left there",
                                c->id, c->cfg.ve_private);
                return;
        }
        (void)rm_rf_at(AT_FDCWD, c->cfg.ve_private);
}

int ct_create(ct *c, const ct_create_opts *o)
{
        _cleanup_free_ char *rootfs = NULL, *sample = NULL;
        tmpl_layout layout;
        int r;

        if (c->exists)
                return -EEXIST;
        r = private_layout(o->import_from ? "copy" : o->layout ? o->layout : c->cfg.layout, &layout);
        if (r < 0)
                return log_error_errno(r, "Unknown layout \"%s\" for CT %u (overlay or copy)", o->layout,
                                       c->id);
        if (o->import_from) {
                /* an imported CT: its own files and its translated config, no template, no sample */
                sample = strdup(o->config_text ? o->config_text : "");
                if (!sample)
                        return -ENOMEM;
        } else {
                r = ct_read_sample(c, o->config_sample ? o->config_sample : c->cfg.configfile, &sample);
                if (r < 0)
                        return r;
                failpoint("create.sample");
                r = template_rootfs(c, o->ostemplate, &rootfs);
                if (r == -ENOENT)
                        return -ENOPKG;
                if (r < 0)
                        return r;
        }

        /* Debris of an interrupted create or destroy (no config, and its marker beside it) is removed;
         * a private area that belongs to a config-less CT of someone else's is not ours to judge:
         * refuse. */
        char marker[4096], creating[4096];
        snprintf(marker, sizeof(marker), "%s.destroying", c->cfg.ve_private);
        snprintf(creating, sizeof(creating), "%s.creating", c->cfg.ve_private);
        bool debris = exists_at(AT_FDCWD, marker) || exists_at(AT_FDCWD, creating);
        if (debris || access(c->cfg.ve_private, F_OK) == 0) {
                if (!debris)
                        return -EEXIST;
                if (tmpl_is_mounted(c->cfg.ve_root) > 0)
                        (void)tmpl_umount_root(c->cfg.ve_root);
                /* an interrupted import --move: its files go back to where they came from, not away */
                r = tmpl_private_unmove(c->cfg.ve_private);
                if (r < 0)
                        return log_error_errno(
                                r,
                                "The leftovers of CT %u in %s hold files an interrupted import "
                                "moved, and cannot be moved back: %m; move %s/fs back by hand",
                                c->id, c->cfg.ve_private, c->cfg.ve_private);
                r = rm_rf_at(AT_FDCWD, c->cfg.ve_private);
                if (r < 0)
                        return log_error_errno(r, "Failed to remove the leftovers of CT %u in %s: %m", c->id,
                                               c->cfg.ve_private);
                (void)unlink(marker);
                failpoint("create.debris-removed");
        }
        /* until the config is written, the private area is an interrupted create's: marked so */
        r = tmpl_private_parent(c->cfg.ve_private);
        _cleanup_close_ int cfd =
                r < 0 ? r : open(creating, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (cfd < 0)
                return log_error_errno(cfd,
                                       "Failed to mark the private area %s of CT %u as being created: %m",
                                       c->cfg.ve_private, c->id);
        failpoint("create.marked");

        if (o->import_from)
                r = tmpl_provision_tree(o->import_from, c->cfg.ve_private, c->id, o->import_move);
        else
                r = tmpl_provision(rootfs, c->cfg.ve_private, layout, c->id);
        if (r < 0) {
                (void)unlink(creating);
                return log_error_errno(r, "Failed to create the private area %s of CT %u: %m",
                                       c->cfg.ve_private, c->id);
        }
        failpoint("create.provisioned");

        /* New CTs are unprivileged: their own id range, allocated under a lock every create takes */
        bool userns = o->userns != CT_UNSET ? o->userns == CT_YES : c->cfg.userns != CT_NO;
        if (userns) {
                /* the CT sees the template (or its imported copy) through an idmapped mount: the filesystem
                 * must support one */
                char copied[4096];
                snprintf(copied, sizeof(copied), "%s/fs", c->cfg.ve_private);
                const char *seen = o->import_from ? copied : rootfs;
                _cleanup_close_ int probe_ns = ct_userns_fd(65536, 65536);
                int ok = probe_ns < 0 ? probe_ns : tmpl_idmap_supported(seen, probe_ns);
                if (ok == 0 && o->userns == CT_YES)
                        ok = -EOPNOTSUPP;
                if (ok < 0) {
                        undo_private(c);
                        return log_error_errno(
                                ok,
                                "CT %u cannot have a user namespace: the filesystem of %s cannot "
                                "do idmapped mounts on this kernel (%m); keep templates and "
                                "private areas on ext4, xfs or btrfs, or use --userns no",
                                c->id, seen);
                }
                if (ok == 0) {
                        log_warning(
                                "CT %u is privileged (USERNS=\"no\"): the filesystem of %s cannot do "
                                "idmapped mounts on this kernel; keep templates on ext4, xfs or btrfs for "
                                "unprivileged CTs",
                                c->id, seen);
                        userns = false;
                }
        }
        char uidbuf[16] = "", gidbuf[16] = "";
        _cleanup_close_ int alloc_lock = -EBADF;
        if (userns) {
                char path[4096];
                unsigned uid, gid;
                snprintf(path, sizeof(path), "%s/userns.lock", c->paths->run_dir);
                r = mkdir_p_at(AT_FDCWD, c->paths->run_dir, 0755);
                alloc_lock = r < 0 ? r : open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (alloc_lock < 0 || flock(alloc_lock, LOCK_EX) < 0 ||
                    (r = ct_userns_allocate(c->paths, c->id, &uid, &gid)) < 0) {
                        r = alloc_lock < 0 ? alloc_lock : r < 0 ? r : negative_errno();
                        undo_private(c);
                        return log_error_errno(r, "Failed to allocate a user id range for CT %u: %m", c->id);
                }
                /* the upper layer's root is the CT root's own directory */
                char fs[4096];
                snprintf(fs, sizeof(fs), "%s/fs", c->cfg.ve_private);
                if (layout == TMPL_LAYOUT_OVERLAY && chown(fs, uid, gid) < 0) {
                        r = negative_errno();
                        undo_private(c);
                        return log_error_errno(r, "Failed to hand %s to CT %u's root: %m", fs, c->id);
                }
                snprintf(uidbuf, sizeof(uidbuf), "%u", uid);
                snprintf(gidbuf, sizeof(gidbuf), "%u", gid);
        }
        struct ct_change base[] = {
                { "VE_ROOT", c->cfg.ve_root },
                { "VE_PRIVATE", c->cfg.ve_private },
                { "OSTEMPLATE", o->ostemplate },
                { "VE_LAYOUT", layout == TMPL_LAYOUT_COPY ? "copy" : "overlay" },
                { "ORIGIN_SAMPLE", o->import_from     ? o->config_sample
                                   : o->config_sample ? o->config_sample
                                                      : c->cfg.configfile },
                { "USERNS", userns ? "yes" : "no" },
                { "LOCAL_UID", userns ? uidbuf : NULL },
                { "LOCAL_GID", userns ? gidbuf : NULL },
        };
        size_t n = ELEMENTSOF(base) + o->n_changes;
        _cleanup_free_ struct ct_change *all = calloc(n, sizeof(*all));
        if (!all)
                return -ENOMEM;
        memcpy(all, base, sizeof(base));
        if (o->n_changes) /* an import has none (NULL) */
                memcpy(all + ELEMENTSOF(base), o->changes, o->n_changes * sizeof(*all));
        failpoint("create.owned");
        r = mkdir_p_at(AT_FDCWD, c->paths->conf_dir, 0755);
        if (r >= 0)
                r = ct_config_edit(c->conf_path, sample, all, n);
        if (r < 0) {
                undo_private(c);
                (void)unlink(creating);
                return log_error_errno(r, "Failed to write %s: %m", c->conf_path);
        }
        failpoint("create.saved");
        /* a moved tree is the CT's now */
        (void)tmpl_private_moved_done(c->cfg.ve_private);
        /* the CT exists now: a marker left by a kill here is removed by destroy */
        (void)unlink(creating);
        c->exists = true;
        failpoint("create.done");
        return 0;
}

static void wait_deferred_unmount(ct *c);

int ct_destroy(ct *c)
{
        char marker[4096], moved[4096];
        int r;

        /* the files go once the last stop's overlay of them is gone */
        wait_deferred_unmount(c);
        if (tmpl_is_mounted(c->cfg.ve_root) > 0) {
                r = tmpl_umount_root(c->cfg.ve_root);
                if (r < 0)
                        return log_error_errno(r, "Failed to unmount %s of CT %u: %m", c->cfg.ve_root,
                                               c->id);
        }
        /* Order matters for a crash in the middle: first mark the private area as going away, then
         * the config (the CT stops existing), then the files. A later create cleans what is left. */
        snprintf(marker, sizeof(marker), "%s.destroying", c->cfg.ve_private);
        _cleanup_close_ int mfd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (mfd < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Failed to mark %s for removal: %m", c->cfg.ve_private);
        failpoint("destroy.marked");
        /* an import --move killed after the config was written: the files are the CT's, not the source's */
        (void)tmpl_private_moved_done(c->cfg.ve_private);
        snprintf(moved, sizeof(moved), "%s.destroyed", c->conf_path);
        if (rename(c->conf_path, moved) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Failed to remove %s: %m", c->conf_path);
        c->exists = false;
        failpoint("destroy.unconfigured");
        /* a later CT of this CTID starts without this one's limits (the filesystem keeps them) */
        ct_disk_clear(c);
        r = rm_rf_at(AT_FDCWD, c->cfg.ve_private);
        if (r < 0)
                return log_error_errno(r, "Failed to remove the private area %s of CT %u: %m",
                                       c->cfg.ve_private, c->id);
        failpoint("destroy.removed");
        (void)unlink(marker);
        char creating[4096];
        snprintf(creating, sizeof(creating), "%s.creating", c->cfg.ve_private);
        (void)unlink(creating);
        (void)rmdir(c->cfg.ve_root);
        (void)unlink(moved);
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        if (ct_open_cgroup(c, false, &cg) >= 0)
                (void)cg_ct_destroy(cg);
        ct_state_remove(c);
        char log[4096];
        snprintf(log, sizeof(log), "%s/console.log", c->run_path);
        (void)unlink(log);
        return 0;
}

/* Overlayfs syncs its upper filesystem when its superblock goes away at unmount (ovl_sync_fs():
 * sync_filesystem() of the upper): the host's whole filesystem, every tenant's dirty data, 1-140 ms of a
 * stop on a busy host (seconds under a neighbour writing hard). A stop detaches the root at once and leaves
 * the last reference, and with it the sync, to a short-lived child of its own (unmount_root_deferred):
 * nothing is skipped, the stop does not wait for it. That child holds run/vpsctl/CTID/umount.lock, which
 * also names it ("PID STARTTIME"), until the superblock is gone; every mount of the root and destroy wait
 * for the lock and then for the process it names to be gone (a holder that is killed releases the lock in
 * its exit before the superblock goes, the exit's sync comes after), so the next overlay of the upper
 * directory comes after the last one. A shell of the operator's sitting in the root keeps the old
 * superblock as it did before (the root is detached all the same). fsync inside the CT is untouched
 * (overlayfs without "volatile"). */
#define UMOUNT_LOCK "umount.lock"

/* umount.lock names the process that drops the root's last reference: its exit ends the sync */
static void umount_lock_name_self(int lock)
{
        char buf[64];
        unsigned long long start;
        pid_t pid = getpid();
        if (proc_start_time(pid, &start, NULL) < 0)
                return;
        int n = snprintf(buf, sizeof(buf), "%d %llu\n", (int)pid, start);
        if (ftruncate(lock, 0) < 0 || pwrite(lock, buf, (size_t)n, 0) != n)
                log_debug_errno(-errno, "Failed to name the holder of %s: %m", UMOUNT_LOCK);
}

static void wait_deferred_unmount(ct *c)
{
        char path[4096], buf[64];
        snprintf(path, sizeof(path), "%s/" UMOUNT_LOCK, c->run_path);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return;
        if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                log_debug("CT %u: waiting for the previous unmount of its root to finish", c->id);
                while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
                        ;
        }
        /* the lock is free; the holder it names may still be in its exit, syncing (it was killed) */
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        int pid;
        unsigned long long start, now;
        if (n <= 0)
                return;
        buf[n] = 0;
        if (sscanf(buf, "%d %llu", &pid, &start) != 2 || pid <= 0)
                return;
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
        /* pid, pidfd, then the start time again: the pidfd is the holder (a gone holder: ESRCH) */
        if (pidfd < 0 || proc_start_time(pid, &now, NULL) < 0 || now != start)
                return;
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
}

/* Mount the CT's root; userns_fd: a user namespace with the CT's mapping, for the idmapped lower layer
 * (-EBADF without a user namespace). */
static int mount_root(ct *c, int userns_fd)
{
        int r;
        wait_deferred_unmount(c);
        /* the disk quota is in place before anything can write (and nothing is mounted when it cannot) */
        r = ct_disk_apply(c);
        if (r < 0)
                return r;
        /* a failing premount script leaves nothing mounted; a failing mount script unmounts again */
        r = ct_action_host(c, "premount");
        if (r < 0)
                return r;
        r = tmpl_mount_root(c->cfg.ve_private, c->cfg.ve_root, userns_fd);
        if (r == -ENOLINK)
                return log_error_errno(r, "The template generation under CT %u's private area %s is gone",
                                       c->id, c->cfg.ve_private);
        if (r < 0)
                return log_error_errno(r, "Failed to mount the root of CT %u at %s: %m", c->id,
                                       c->cfg.ve_root);
        r = ct_action_host(c, "mount");
        if (r < 0) {
                int k = tmpl_umount_root(c->cfg.ve_root);
                if (k < 0)
                        log_error_errno(k, "Failed to unmount the root of CT %u at %s again: %m", c->id,
                                        c->cfg.ve_root);
                return r;
        }
        return 0;
}

int ct_mount(ct *c)
{
        int r = tmpl_is_mounted(c->cfg.ve_root);
        if (r < 0)
                return log_error_errno(r, "Failed to check whether %s is mounted: %m", c->cfg.ve_root);
        if (r > 0)
                return -EALREADY;
        _cleanup_close_ int userns_fd = -EBADF;
        if (ct_userns(&c->cfg)) {
                /* a throwaway user namespace with the CT's mapping: start uses its child's instead */
                userns_fd = ct_userns_fd(c->cfg.local_uid, c->cfg.local_gid);
                if (userns_fd < 0)
                        return log_error_errno(userns_fd, "Failed to create the user namespace of CT %u: %m",
                                               c->id);
        }
        return mount_root(c, userns_fd);
}

/* spawn_params.mount_root of a start with a user namespace: the root, mounted with the child's own user
 * namespace once it has its maps, then the files vpsctl writes into it. */
static int start_mount_root(ct *c, int userns_fd, void *userdata)
{
        bool *mounted = userdata;
        int r = mount_root(c, userns_fd);
        if (r < 0)
                return r;
        *mounted = true;
        failpoint("start.mounted");
        ct_guest_write_files(c, c->cfg.ve_root, true, true);
        failpoint("start.guest-files");
        return 0;
}

/* The umount scripts, the unmount, the postumount script. A failing script is a warning: the root of a
 * CT that stopped is unmounted all the same. */
static int unmount_root(ct *c)
{
        if (ct_action_host(c, "umount") < 0)
                log_warning("CT %u: unmounting its root all the same", c->id);
        int r = tmpl_umount_root(c->cfg.ve_root);
        if (r < 0)
                return log_error_errno(r, "Failed to unmount the root of CT %u at %s: %m", c->id,
                                       c->cfg.ve_root);
        (void)ct_action_host(c, "postumount");
        return 0;
}

/* In the child that drops the root's last reference: only root and lock stay open (not the CT's lock: the
 * next command on the CT need not wait; not the caller's stdin/stdout/stderr: /dev/null instead), and it
 * waits until the parent has closed its copy of root. */
static _noreturn_ void deferred_unmount_child(int root, int lock, int parent_done)
{
        char ch;
        int keep[] = { root, lock, parent_done };
        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(keep); j++)
                        if (keep[j] < keep[i]) {
                                int t = keep[i];
                                keep[i] = keep[j];
                                keep[j] = t;
                        }
        unsigned from = 3;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                if ((unsigned)keep[i] > from)
                        (void)syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0U);
                from = (unsigned)keep[i] + 1;
        }
        (void)syscall(SYS_close_range, from, ~0U, 0U);
        /* nor does it keep the caller's output open: `$(vpsctl stop ...)` returns when stop does */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (null >= 0) {
                for (int fd = 0; fd < 3; fd++)
                        (void)dup2(null, fd);
                if (null > 2)
                        close(null);
        }
        (void)setsid(); /* not killed with the operator's terminal's process group */
        umount_lock_name_self(lock);
        (void)loop_read(parent_done, &ch, 1);
        /* the last reference: the superblock goes, overlayfs syncs the upper filesystem, in this process */
        close(root);
        _exit(0);
}

/* unmount_root(), with the sync of the upper filesystem after the stop returns (see UMOUNT_LOCK). Falls
 * back to the plain unmount where the deferral cannot be set up. */
static int unmount_root_deferred(ct *c)
{
        char path[4096];
        int done[2] = { -EBADF, -EBADF };
        pid_t pid;

        snprintf(path, sizeof(path), "%s/" UMOUNT_LOCK, c->run_path);
        _cleanup_close_ int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
                return unmount_root(c);
        /* a reference to the mount that keeps its superblock once it is detached */
        int root = open(c->cfg.ve_root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root < 0 || tmpl_is_mounted(c->cfg.ve_root) <= 0 || pipe2(done, O_CLOEXEC) < 0) {
                safe_close(root);
                return unmount_root(c);
        }
        /* killed before the fork, this process's exit syncs: it is the holder until the child is */
        umount_lock_name_self(lock);
        if (ct_action_host(c, "umount") < 0)
                log_warning("CT %u: unmounting its root all the same", c->id);
        if (umount2(c->cfg.ve_root, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                int r = -errno;
                safe_close(root);
                safe_close(done[0]);
                safe_close(done[1]);
                return log_error_errno(r, "Failed to unmount the root of CT %u at %s: %m", c->id,
                                       c->cfg.ve_root);
        }
        failpoint("stop.detached");
        pid = fork();
        if (pid == 0)
                deferred_unmount_child(root, lock, done[0]);
        if (pid < 0)
                log_debug_errno(-errno, "CT %u: cannot defer the unmount's sync, syncing now: %m", c->id);
        /* ours first, then the child's: its close is the last one (or ours, if it could not fork) */
        safe_close(root);
        safe_close(done[0]);
        safe_close(done[1]);
        (void)ct_action_host(c, "postumount");
        return 0;
}

int ct_umount(ct *c)
{
        int r = tmpl_is_mounted(c->cfg.ve_root);
        if (r < 0)
                return log_error_errno(r, "Failed to check whether %s is mounted: %m", c->cfg.ve_root);
        if (r == 0)
                return -EALREADY;
        return unmount_root(c);
}

static int open_console_log(ct *c)
{
        char path[4096], old[sizeof(path) + 8];
        struct stat st;

        snprintf(path, sizeof(path), "%s/console.log", c->run_path);
        if (stat(path, &st) == 0 && st.st_size > CONSOLE_LOG_MAX) {
                snprintf(old, sizeof(old), "%s.1", path);
                (void)rename(path, old);
        }
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        return fd < 0 ? negative_errno() : fd;
}

static int wait_booted(ct *c, pid_t init, unsigned timeout_s)
{
        char path[128];
        snprintf(path, sizeof(path), "/proc/%d/root", (int)init);
        _cleanup_close_ int rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return negative_errno();
        for (unsigned ms = 0; ms < timeout_s * 1000; ms += 10) {
                _cleanup_close_ int fd = open_in_root(rootfd, "run/boot-complete", O_PATH);
                if (fd >= 0)
                        return 0;
                if (kill(init, 0) < 0)
                        return log_error_errno(-ESRCH, "The init of CT %u died while booting", c->id);
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

/* In a user namespace the CT's root is an unprivileged host id, and it must walk the path to VE_ROOT to
 * bind it: every directory above must let it search. Say which does not, before anything is set up. */
static int check_root_path(ct *c)
{
        if (!ct_userns(&c->cfg))
                return 0;
        _cleanup_free_ char *path = strdup(c->cfg.ve_root);
        if (!path)
                return -ENOMEM;
        for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                struct stat st;
                if (stat(path, &st) < 0) {
                        *slash = '/';
                        continue;
                }
                mode_t bit = st.st_uid == c->cfg.local_uid   ? S_IXUSR
                             : st.st_gid == c->cfg.local_gid ? S_IXGRP
                                                             : S_IXOTH;
                if (!(st.st_mode & bit))
                        return log_error_errno(
                                -EACCES,
                                "CT %u cannot start: its root %s is below %s (mode %04o), which "
                                "the CT's root (host uid %u) may not enter; make it searchable "
                                "(chmod o+x %s), or move VE_ROOT",
                                c->id, c->cfg.ve_root, path, (unsigned)(st.st_mode & 07777),
                                c->cfg.local_uid, path);
                *slash = '/';
        }
        return 0;
}

/* The CT's links, then their rate limits: all in place before its init runs. */
static int net_and_rate_start(ct *c, pid_t init)
{
        int r = ct_net_start(c, init);
        if (r < 0)
                return r;
        return ct_rate_start(c);
}

int ct_start(ct *c, bool wait_boot)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        _cleanup_seccomp_prog_ struct ct_seccomp_prog seccomp = {};
        _cleanup_close_ int console = -EBADF, master = -EBADF;
        bool mounted_here = false;
        pid_t pid;
        int r;

        r = check_root_path(c);
        if (r < 0)
                return r;
        _cleanup_lxcfs_probe_ ct_lxcfs_probe *lxcfs = ct_lxcfs_probe_begin(c);
        /* before anything is made: the last stop's sync of the root may still run */
        wait_deferred_unmount(c);
        r = tmpl_is_mounted(c->cfg.ve_root);
        if (r < 0)
                return log_error_errno(r, "Failed to check whether %s is mounted: %m", c->cfg.ve_root);
        /* with a user namespace, the root is mounted after clone with the child's (spawn.c) */
        bool mount_late = r == 0 && ct_userns(&c->cfg);
        if (r == 0 && !mount_late) {
                r = ct_mount(c);
                if (r < 0)
                        return r;
                mounted_here = true;
        }
        if (!mount_late) {
                failpoint("start.mounted");
                ct_guest_write_files(c, c->cfg.ve_root, true, true);
                failpoint("start.guest-files");
        }

        /* a cgroup left by a CT that died is empty: reuse it, but make sure nothing runs in it */
        r = ct_open_cgroup(c, true, &cg);
        if (r < 0) {
                log_error_errno(r, "Failed to create the cgroup %s/%u of CT %u: %m", c->cfg.cgroup_parent,
                                c->id, c->id);
                goto fail;
        }
        if (cg_ct_populated(cg) > 0) {
                r = -EBUSY;
                goto fail;
        }
        if (ct_userns(&c->cfg) && (r = cg_ct_delegate(cg, c->cfg.local_uid, c->cfg.local_gid)) < 0) {
                log_error_errno(r, "Failed to delegate the cgroup of CT %u to its root: %m", c->id);
                goto fail;
        }
        /* every limit is in place before the CT's first instruction */
        failpoint("start.cgroup");
        r = ct_apply_limits(c, cg, NULL, 0, true);
        if (r < 0)
                goto fail;
        r = ct_apply_devices(c, cg);
        if (r < 0)
                goto fail;
        failpoint("start.limits");
        console = open_console_log(c);
        if (console < 0) {
                r = log_error_errno(console, "Failed to open the console log of CT %u: %m", c->id);
                goto fail;
        }
        r = ct_seccomp_prepare(c, &seccomp);
        if (r < 0)
                goto fail;
        const char *lxcfs_word;
        const char *lxcfs_dir = ct_lxcfs_source(c, lxcfs, &lxcfs_word);
        struct spawn_params p = {
                .root = c->cfg.ve_root,
                .lxcfs_dir = lxcfs_dir,
                .lxcfs_word = lxcfs_word,
                .hostname = c->cfg.hostname,
                .init = "/sbin/init",
                .console_fd = console,
                .cg = cg,
                .ctid = c->id,
                .cfg = &c->cfg,
                .seccomp = &seccomp,
                .before_go = net_and_rate_start,
                .mount_root = mount_late ? start_mount_root : NULL,
                .mount_root_data = &mounted_here,
                .console = c->cfg.console == CT_YES,
        };
        r = ct_spawn(c, &p, &pid, &master);
        if (r < 0)
                goto fail;
        log_debug("CT %u: init is pid %d", c->id, (int)pid);
        /* the CT runs: without its keeper it has no console, but it is not stopped for that */
        if (p.console && ct_console_keeper_start(c, master, pid) < 0)
                log_warning("CT %u runs without a console", c->id);
        failpoint("start.done");
        if (wait_boot) {
                r = wait_booted(c, pid, c->cfg.stop_timeout > 0 ? 10 * c->cfg.stop_timeout : 600);
                if (r < 0)
                        return r;
        }
        /* the CT's own CTID.start, inside it; the CT runs whatever it says */
        if (ct_action_in_ct(c, "start") < 0)
                log_warning("CT %u is running all the same", c->id);
        return 0;
fail:
        ct_rate_stop(c);
        ct_net_stop(c);
        if (cg && cg_ct_populated(cg) == 0)
                (void)cg_ct_destroy(cg);
        if (mounted_here)
                (void)unmount_root(c);
        return r;
}

/* Which signal asks this init to shut down? systemd: SIGRTMIN+3; busybox: SIGUSR2 (poweroff);
 * sysvinit and the rest: SIGPWR, then SIGTERM. */
static int shutdown_signal(pid_t init, bool *ret_final)
{
        char path[64], exe[4096];
        _cleanup_free_ char *comm = NULL;

        *ret_final = true;
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)init);
        if (read_one_line_at(AT_FDCWD, path, &comm) >= 0 && streq(comm, "systemd"))
                return SIGRTMIN + 3;
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)init);
        ssize_t n = readlink(path, exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = 0;
                const char *base = strrchr(exe, '/');
                if (base && strncmp(base, "/busybox", 8) == 0)
                        return SIGUSR2;
        }
        *ret_final = false;
        return SIGPWR;
}

static int pidfd_wait(int pidfd, unsigned timeout_ms)
{
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        for (;;) {
                int n = poll(&pfd, 1, (int)timeout_ms);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                return n > 0 ? 0 : -ETIMEDOUT;
        }
}

int ct_stop(ct *c, bool fast)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        pid_t init = 0;
        int r;

        r = ct_open_cgroup(c, false, &cg);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "Failed to open the cgroup of CT %u: %m", c->id);
        /* only a clean shutdown talks to init; --fast goes straight to the cgroup */
        if (!fast && cg && cg_ct_populated(cg) > 0 && ct_find_init(c, cg, &init) >= 0)
                pidfd = (int)syscall(SYS_pidfd_open, init, 0);

        /* a frozen CT is thawed first: its init must act on the signal, and v1 cannot kill frozen tasks */
        if (cg && cg_ct_frozen(cg) > 0) {
                r = cg_ct_freeze(cg, false);
                if (r < 0)
                        log_warning_errno(r, "Failed to thaw CT %u before stopping it: %m", c->id);
        }
        /* the CT's own CTID.stop, inside it, before its shutdown; --fast kills at once */
        if (!fast && pidfd >= 0 && ct_action_in_ct(c, "stop") < 0)
                log_warning("CT %u: stopping it all the same", c->id);
        if (!fast && pidfd >= 0) {
                bool final;
                int sig = shutdown_signal(init, &final);
                unsigned total = c->cfg.stop_timeout * 1000;
                /* SIGPWR is only a request to sysvinit; if it is not acted on soon, SIGTERM */
                unsigned first = final ? total : MIN(total, 2000U);
                log_debug("CT %u: sending signal %d to init %d", c->id, sig, (int)init);
                if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0) {
                        r = pidfd_wait(pidfd, first);
                        if (r == -ETIMEDOUT && !final && total > first &&
                            syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0)
                                r = pidfd_wait(pidfd, total - first);
                        if (r == -ETIMEDOUT)
                                log_notice("CT %u did not shut down within %us, killing it", c->id,
                                           c->cfg.stop_timeout);
                }
                failpoint("stop.signalled");
        }
        if (cg) {
                r = cg_ct_kill_all(cg, 10000);
                if (r < 0)
                        return log_error_errno(r, "Failed to kill the processes of CT %u: %m", c->id);
                failpoint("stop.killed");
                r = cg_ct_destroy(cg);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove the cgroup of CT %u: %m, ignoring", c->id);
                failpoint("stop.cgroup-removed");
        }
        ct_rate_stop(c);
        ct_net_stop(c);
        failpoint("stop.network");
        ct_state_remove(c);
        failpoint("stop.state-removed");
        if (tmpl_is_mounted(c->cfg.ve_root) > 0)
                return unmount_root_deferred(c);
        return 0;
}

int ct_freeze(ct *c, bool freeze)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        int r = ct_open_cgroup(c, false, &cg);
        if (r == -ENOENT || (r >= 0 && cg_ct_populated(cg) <= 0))
                return -ESRCH;
        if (r < 0)
                return log_error_errno(r, "Failed to open the cgroup of CT %u: %m", c->id);
        r = cg_ct_frozen(cg);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r,
                                       "CT %u cannot be frozen: this host's cgroups have no freezer "
                                       "(cgroup v2 needs Linux 5.2; v1 a mounted freezer controller)",
                                       c->id);
        if (r < 0)
                return log_error_errno(r, "Failed to read the freezer state of CT %u: %m", c->id);
        if ((r > 0) == freeze)
                return -EALREADY;
        r = cg_ct_freeze(cg, freeze);
        if (r == -ETIMEDOUT && freeze) {
                /* a task stuck where it cannot be frozen (uninterruptible IO): never leave it half done */
                (void)cg_ct_freeze(cg, false);
                return log_error_errno(r,
                                       "CT %u could not be frozen within 2 s (a process is in an "
                                       "uninterruptible wait); it was thawed again, try later",
                                       c->id);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to %s CT %u: %m", freeze ? "freeze" : "thaw", c->id);
        return 0;
}

int ct_apply_live(ct *c, const struct ct_change *changes, size_t n, ct_live_part *ret_part)
{
        ct_status st;
        bool limits = false;
        ct_live_part part_unused = CT_LIVE_NONE;
        ct_live_part *part = ret_part ? ret_part : &part_unused;
        int r;

        *part = CT_LIVE_NONE;
        r = ct_get_status(c, &st);
        if (r < 0)
                return log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
        if (!st.running || st.init_pid <= 0)
                return log_error_errno(-ESRCH, "CT %u is not running: nothing can be applied live", c->id);
        /* the limits as they stand, to put back if the kernel refuses part of the change */
        cg_limits old;
        bool old_implicit_swap;
        r = ct_build_limits(c, changes, n, &old, &old_implicit_swap);
        if (r < 0)
                return r;
        /* the network as it is now set up, live-only changes included */
        _cleanup_free_ char *old_ips = NULL, *old_netif = NULL;
        r = ct_net_live(c, &old_ips, &old_netif);
        if (r < 0)
                return log_error_errno(r, "Failed to read the network state of CT %u: %m", c->id);
        bool net = false, guest_files = false, devices = false, disk = false, rate = false;
        for (size_t i = 0; i < n; i++) {
                const struct ct_key *k = ct_key_by_name(changes[i].key);
                if (!k || !(k->flags & CT_KEY_LIVE))
                        continue;
                if (changes[i].value) {
                        r = ct_config_set_value(&c->cfg, k, changes[i].value);
                        if (r < 0)
                                return log_error_errno(r, "CT %u: bad value \"%s\" for %s", c->id,
                                                       changes[i].value, k->key);
                }
                if (streq(k->key, "IP_ADDRESS") || streq(k->key, "NETIF"))
                        net = true;
                if (streq(k->key, "DEVICES")) {
                        devices = true;
                        continue;
                }
                if (streq(k->key, "DISKSPACE") || streq(k->key, "DISKINODES")) {
                        disk = true;
                        continue;
                }
                if (streq(k->key, "RATE") || streq(k->key, "RATE_IN")) {
                        rate = true;
                        continue;
                }
                if (streq(k->key, "IP_ADDRESS") || streq(k->key, "HOSTNAME") ||
                    streq(k->key, "NAMESERVER") || streq(k->key, "SEARCHDOMAIN"))
                        guest_files = true;
                else if (!streq(k->key, "NETIF"))
                        limits = true;
        }
        if (net) {
                *part = CT_LIVE_NET;
                r = ct_net_apply_live(c, old_ips, old_netif, st.init_pid);
                if (r < 0)
                        return r;
        }
        /* new links get the CT's rate too */
        if (rate || (net && ct_rate_limited(&c->cfg))) {
                *part = CT_LIVE_RATE;
                failpoint("set.rate");
                r = ct_rate_apply_live(c);
                if (r < 0)
                        return r;
        }
        if (devices) {
                *part = CT_LIVE_DEVICES;
                _cleanup_cg_ct_ cg_ct *cg = NULL;
                r = ct_open_cgroup(c, false, &cg);
                if (r < 0)
                        return log_error_errno(r, "Failed to open the cgroup of CT %u: %m", c->id);
                r = ct_apply_devices(c, cg);
                if (r < 0)
                        return r;
        }
        if (limits) {
                *part = CT_LIVE_LIMITS;
                _cleanup_cg_ct_ cg_ct *cg = NULL;
                r = ct_open_cgroup(c, false, &cg);
                if (r < 0)
                        return log_error_errno(r, "Failed to open the cgroup of CT %u: %m", c->id);
                /* set has checked the change (ct_check_limits), and warned of what cannot apply */
                failpoint("set.limits");
                r = ct_apply_limits(c, cg, changes, n, false);
                if (r < 0) {
                        int k = ct_set_built_limits(c, cg, &old, old_implicit_swap, false);
                        if (k < 0)
                                log_error("CT %u: could not put back its previous limits; check them with "
                                          "vpsctl stat %u",
                                          c->id, c->id);
                        return r;
                }
        }
        if (disk) {
                *part = CT_LIVE_DISK;
                failpoint("set.disk");
                if (ct_disk_limited(&c->cfg) && ct_disk_root_exempt(c, st.init_pid))
                        log_warning("CT %u is privileged and was started without a disk quota: its root "
                                    "keeps CAP_SYS_RESOURCE, which ext4 lets past hard limits, until its "
                                    "next start (vpsctl restart %u)",
                                    c->id, c->id);
                r = ct_disk_apply(c);
                if (r < 0) {
                        _cleanup_cg_ct_ cg_ct *cg = NULL;
                        if (limits && (ct_open_cgroup(c, false, &cg) < 0 ||
                                       ct_set_built_limits(c, cg, &old, old_implicit_swap, false) < 0))
                                log_error("CT %u: could not put back its previous limits; check them with "
                                          "vpsctl stat %u",
                                          c->id, c->id);
                        return r;
                }
        }
        bool hostname = false;
        *part = CT_LIVE_GUEST;
        for (size_t i = 0; i < n; i++) {
                if (!streq(changes[i].key, "HOSTNAME") || !changes[i].value)
                        continue;
                r = ct_set_hostname_live(c, changes[i].value);
                if (r < 0)
                        return log_error_errno(r, "Failed to set the host name of CT %u: %m", c->id);
                hostname = true;
        }
        if (hostname || guest_files) {
                char path[128];
                snprintf(path, sizeof(path), "/proc/%d/root", (int)st.init_pid);
                ct_guest_write_files(c, path, hostname, guest_files);
        }
        return 0;
}
