/* The spawn path: clone3 into new namespaces, hand-shake with the child, exec a container's first process.
 * spawn_process() knows a process and its confinement, not a CT's config; ct_spawn() is a CT on it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/failpoint.h"
#include "base/fdpass.h"
#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"
#include "netns/netns.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the child reports: error 0 once it is in the CT's cgroup; then, before dying, errno and a
 * sentence in the operator's terms (or nothing: the pipe closes when init is exec'd). */
struct child_report {
        int error;
        char msg[512];
};

static _noreturn_ void child_fail(int fd, int error, const char *msg)
{
        struct child_report rep = { .error = error };
        snprintf(rep.msg, sizeof(rep.msg), "%s", msg);
        (void)loop_write(fd, &rep, sizeof(rep));
        _exit(127);
}

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* In the child, in the CT's root: a pty of the CT's own devpts becomes /dev/console (its slave is
 * bound there, so it belongs to the CT's root as any pty of its own does); the master goes to the parent
 * for the console keeper. Returns the slave, for init's stdio. */
static int child_console(int sock, char *err, size_t errlen)
{
        int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), unlock = 0, n, s = -1;
        char pts[32];
        if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &n) < 0 ||
            (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
                snprintf(err, errlen, "Cannot open a pty for the console: %s", strerror(errno));
                return -errno;
        }
        snprintf(pts, sizeof(pts), "/dev/pts/%d", n);
        if (mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0) {
                snprintf(err, errlen, "Cannot bind the console's pty on /dev/console: %s", strerror(errno));
                return -errno;
        }
        int r = fd_send(sock, m);
        close(m);
        if (r < 0) {
                snprintf(err, errlen, "Cannot pass the console to vpsctl: %s", strerror(-r));
                return r;
        }
        return s;
}

static bool executable(const char *path)
{
        struct stat st;
        return stat(path, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* sp->path as execvp(3) would find it: a name without a slash in the PATH of the process's environment
 * (or the default one), in the container's root. */
static bool find_executable(const struct spawn_proc *sp, char *buf, size_t len)
{
        if (strchr(sp->path, '/')) {
                snprintf(buf, len, "%s", sp->path);
                return executable(buf);
        }
        const char *search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (char *const *e = sp->envp; e && *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        search = *e + 5;
        while (*search) {
                size_t n = strcspn(search, ":");
                snprintf(buf, len, "%.*s/%s", (int)n, n ? search : ".", sp->path);
                if (executable(buf))
                        return true;
                search += n + (search[n] == ':');
        }
        return false;
}

static _noreturn_ void child_main(const struct spawn_proc *sp, bool in_v2, int go_fd, int report_fd,
                                  int console_sock)
{
        char err[512];
        char go;
        int r;

        /* Until the process runs, the child is ours: if vpsctl dies, so does the half-made container. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                child_fail(report_fd, errno, "Cannot set the parent-death signal");
        /* The child moves itself: a pid written into a v1 cgroup.procs by the parent waits for an
         * RCU grace period (10-40 ms here), the calling thread moving itself does not. */
        r = cg_ct_attach_self(sp->cg, in_v2);
        if (r < 0)
                child_fail(report_fd, -r, "Cannot move into the container's cgroup");
        struct child_report in_cgroup = { .error = 0 };
        if (loop_write(report_fd, &in_cgroup, sizeof(in_cgroup)) < 0)
                _exit(1);
        if (loop_read(go_fd, &go, 1) != 1)
                _exit(1); /* the parent died or gave up before the container was recorded */
        safe_close(go_fd);
        umask(0022);
        if (sp->clone_flags & CLONE_NEWUSER) {
                /* the parent has written the maps: become root of the user namespace, which resets the
                 * parent-death signal, so set it again */
                if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        child_fail(report_fd, errno, "Cannot become root of the container's user namespace");
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        child_fail(report_fd, errno, "Cannot set the parent-death signal");
        }

        if (sp->late_mountns && unshare(CLONE_NEWNS) < 0)
                child_fail(report_fd, errno, "Cannot create the mount namespace");
        /* Only now, inside the container's cgroup, does its cgroup namespace root there. */
        if (sp->cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                child_fail(report_fd, errno, "Cannot create the cgroup namespace");

        r = sp->setup_root(sp, err, sizeof(err));
        if (r < 0)
                child_fail(report_fd, -r, err);

        if (sp->clone_flags & CLONE_NEWNET) {
                r = netns_loopback_up();
                if (r < 0)
                        child_fail(report_fd, -r, "Cannot bring up the loopback interface");
        }
        if (sp->hostname && sethostname(sp->hostname, strlen(sp->hostname)) < 0)
                child_fail(report_fd, errno, "Cannot set the host name");

        if (setsid() < 0)
                child_fail(report_fd, errno, "setsid failed");
        if (console_sock >= 0 || !sp->inherit_stdio) {
                int in = -1, out = sp->stdio_fd;
                if (console_sock >= 0) {
                        in = out = child_console(console_sock, err, sizeof(err));
                        if (in < 0)
                                child_fail(report_fd, -in, err);
                } else
                        in = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
                    dup2(out, STDERR_FILENO) < 0)
                        child_fail(report_fd, errno, "Cannot set up the standard input and output");
                if (console_sock >= 0 && sp->console_ctty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                        child_fail(report_fd, errno, "Cannot make the console the controlling terminal");
        }

        r = sp->confine(sp, err, sizeof(err));
        if (r < 0)
                child_fail(report_fd, -r, err);

        /* No fd of ours may reach the container (CVE-2024-21626): everything above 2 closes at exec,
         * the report pipe included, which tells the parent that exec succeeded. */
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                child_fail(report_fd, errno, "close_range failed");

        char path[4096];
        if (!find_executable(sp, path, sizeof(path))) {
                snprintf(err, sizeof(err), "%s has no executable %s", sp->what_root, sp->path);
                child_fail(report_fd, ENOEXEC, err);
        }

        if (prctl(PR_SET_PDEATHSIG, 0) < 0)
                child_fail(report_fd, errno, "Cannot clear the parent-death signal");
        if (sp->wait_before_exec) {
                /* set up: the parent is told so (EOF), and nothing more can be reported to it */
                safe_close(report_fd);
                report_fd = -EBADF;
                if (sp->wait_before_exec(sp) < 0)
                        _exit(127);
        }
        execve(path, sp->argv, sp->envp);
        snprintf(err, sizeof(err), "Cannot execute %.400s", path);
        if (report_fd < 0) {
                dprintf(STDERR_FILENO, "vpsctl: %s: %s\n", err, strerror(errno));
                _exit(127);
        }
        child_fail(report_fd, errno, err);
}

int spawn_process(const struct spawn_proc *sp, pid_t *ret_pid, int *ret_console)
{
        int console = -EBADF, cons[2] = { -EBADF, -EBADF };
        int go[2] = { -EBADF, -EBADF }, rep[2] = { -EBADF, -EBADF };
        struct clone_args args = {
                .flags = sp->clone_flags,
                .exit_signal = SIGCHLD,
        };
        bool reported;
        int r;

        if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 ||
            (sp->console && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cons) < 0)) {
                r = negative_errno();
                goto out;
        }
        /* Born in the container's cgroup2 cgroup where there is one; the child moves itself into the rest,
         * through files we open. */
        r = cg_ct_attach_prepare(sp->cg);
        if (r < 0) {
                log_error_errno(r, "Failed to open the cgroup %s of %s: %m", cg_ct_path(sp->cg), sp->what);
                goto out;
        }
        int cgfd = cg_ct_v2_fd(sp->cg);
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (unsigned)cgfd;
        }

        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0 && cgfd >= 0 && (errno == E2BIG || errno == EINVAL)) {
                /* before Linux 5.7 */
                args.flags &= ~(unsigned long long)CLONE_INTO_CGROUP;
                args.cgroup = 0;
                cgfd = -EOPNOTSUPP;
                pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        }
        if (pid < 0) {
                r = log_error_errno(-errno, "Failed to create the namespaces of %s: %m", sp->what);
                goto out;
        }
        if (pid == 0) {
                safe_close(go[1]);
                safe_close(rep[0]);
                safe_close(cons[0]);
                child_main(sp, cgfd >= 0, go[0], rep[1], cons[1]);
        }
        go[0] = safe_close(go[0]);
        rep[1] = safe_close(rep[1]);
        cons[1] = safe_close(cons[1]);
        cg_ct_attach_done(sp->cg);

        struct child_report report;
        ssize_t n = loop_read(rep[0], &report, sizeof(report));
        if (n != (ssize_t)sizeof(report) || report.error != 0)
                goto child_failed;

        /* The front end records the container (and writes the maps, sets up its network) before the child
         * may proceed: a container that runs is always one we can find. It logs its own errors. */
        r = sp->created(sp, pid);
        if (r < 0)
                goto kill_child;
        if (loop_write_nosigpipe(go[1], "g", 1) < 0) { /* a child that died must not kill us */
                r = log_error_errno(-errno, "Failed to release the process of %s: %m", sp->what);
                goto kill_child;
        }
        go[1] = safe_close(go[1]);
        failpoint("start.released");
        if (cons[0] >= 0) {
                /* the console's master, sent before the process is exec'd (or nothing, if the child
                 * failed) */
                console = fd_recv(cons[0]);
                if (console < 0 && console != -EPIPE) {
                        r = log_error_errno(console, "Failed to receive the console of %s: %m", sp->what);
                        goto kill_child;
                }
        }

        n = loop_read(rep[0], &report, sizeof(report));
        if (n == 0) {
                /* EOF: the report pipe closed on exec, the process runs */
                *ret_pid = pid;
                if (ret_console)
                        *ret_console = TAKE_FD(console);
                r = 0;
                goto out;
        }
child_failed:
        reported = n == (ssize_t)sizeof(report) && report.error > 0;
        if (!reported)
                (void)kill(pid, SIGKILL); /* no report: make sure it is gone before we wait */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        sp->abandoned(sp);
        if (reported) {
                report.msg[sizeof(report.msg) - 1] = 0;
                /* a hook's or script's failure is said whole by its sentence ("... exited 3") */
                if (report.error == CT_EACTIONSCRIPT)
                        r = log_error_errno(-report.error, "Failed to start %s: %s", sp->what, report.msg);
                else
                        r = log_error_errno(-report.error, "Failed to start %s: %s: %m", sp->what,
                                            report.msg);
        } else
                r = log_error_errno(n < 0 ? (int)n : -EIO, "Failed to start %s: %s died during setup",
                                    sp->what, sp->what_process);
        goto out;

kill_child:
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        sp->abandoned(sp);
out:
        safe_close(console);
        safe_close(cons[0]);
        safe_close(cons[1]);
        cg_ct_attach_done(sp->cg);
        safe_close(go[0]);
        safe_close(go[1]);
        safe_close(rep[0]);
        safe_close(rep[1]);
        return r;
}

/* A CT on the lower spawn: its config gives the confinement, its state file records it. */
struct ct_spawn_ctx {
        struct spawn_proc sp;
        ct *c;
        const struct spawn_params *p;
};

static int ct_child_root(const struct spawn_proc *sp, char *err, size_t errlen)
{
        const struct ct_spawn_ctx *x = (const struct ct_spawn_ctx *)sp;
        return spawn_setup_root(x->p->root, ct_userns(x->p->cfg), x->p->lxcfs_dir, err, errlen);
}

static int ct_child_confine(const struct spawn_proc *sp, char *err, size_t errlen)
{
        const struct ct_spawn_ctx *x = (const struct ct_spawn_ctx *)sp;
        int r = ct_drop_capabilities(x->p->cfg, err, errlen);
        if (r >= 0)
                r = ct_seccomp_load(x->p->cfg, x->p->seccomp, err, errlen);
        return r;
}

static int ct_created(const struct spawn_proc *sp, pid_t pid)
{
        const struct ct_spawn_ctx *x = (const struct ct_spawn_ctx *)sp;
        ct *c = x->c;
        const struct spawn_params *p = x->p;
        int r;
        if (ct_userns(p->cfg) && (r = ct_userns_write_maps(pid, p->cfg->local_uid, p->cfg->local_gid)) < 0)
                return log_error_errno(r, "Failed to map the user ids of CT %u: %m", c->id);
        /* the root, before the state is recorded: a start killed while it mounts (or waits for the last
         * stop's unmount) leaves a CT that is down, never one recorded as running without its root; and an
         * exec that finds the state finds the ids mapped */
        if (x->sp.late_mountns) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
                _cleanup_close_ int userns = open(path, O_RDONLY | O_CLOEXEC);
                if (userns < 0)
                        return log_error_errno(-errno, "Failed to open the user namespace of CT %u: %m",
                                               c->id);
                r = p->mount_root(c, userns, p->mount_root_data);
                if (r < 0)
                        return r;
        }
        unsigned long long start;
        /* Recorded before the child may proceed: a CT that runs is always a CT we can find. */
        r = proc_start_time(pid, &start, NULL);
        if (r >= 0)
                r = ct_state_write(c, pid, start, p->lxcfs_word);
        failpoint("start.state");
        if (r < 0)
                return log_error_errno(r, "Failed to record the state of CT %u: %m", c->id);
        if (p->before_go && (r = p->before_go(c, pid)) < 0)
                return r;
        failpoint("start.network");
        return 0;
}

static void ct_abandoned(const struct spawn_proc *sp)
{
        const struct ct_spawn_ctx *x = (const struct ct_spawn_ctx *)sp;
        ct_state_remove(x->c);
}

int ct_spawn(ct *c, const struct spawn_params *p, pid_t *ret_pid, int *ret_console)
{
        char what[32];
        char *argv[] = { (char *)p->init, NULL };
        char *envp[] = { (char *)"container=vpsctl", (char *)"HOME=/", (char *)"TERM=linux",
                         (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        snprintf(what, sizeof(what), "CT %u", c->id);
        /* the root is mounted by created() after clone, with the child's own user namespace */
        bool late = p->mount_root && ct_userns(p->cfg);
        struct ct_spawn_ctx x = {
                .sp = {
                        .what = what,
                        .what_root = "The CT",
                        .what_process = "its init",
                        .clone_flags = (late ? 0 : CLONE_NEWNS) | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                                       CLONE_NEWNET | (ct_userns(p->cfg) ? CLONE_NEWUSER : 0),
                        .late_mountns = late,
                        .cgroupns = true,
                        .cg = p->cg,
                        .hostname = p->hostname ? p->hostname : "localhost",
                        .stdio_fd = p->console_fd,
                        .console = p->console,
                        .path = p->init,
                        .argv = argv,
                        .envp = envp,
                        .setup_root = ct_child_root,
                        .confine = ct_child_confine,
                        .created = ct_created,
                        .abandoned = ct_abandoned,
                },
                .c = c,
                .p = p,
        };
        return spawn_process(&x.sp, ret_pid, ret_console);
}
