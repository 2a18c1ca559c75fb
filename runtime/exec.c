/* exec, exec2, enter: run a command inside a running CT.
 *
 * vpsctl joins the CT's pid namespace for its children only; the child moves itself into the CT's
 * cgroup (born there on cgroup2) and joins the other namespaces. vpsctl itself never enters the CT's
 * mount namespace, so nothing of the CT can reach it; the child runs from a sealed copy of vpsctl
 * (ct_ensure_cloned_binary) until it execs (CVE-2019-5736) and closes every fd but 0-2 (CVE-2024-21626). */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/magic.h>

#include "base/failpoint.h"
#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

struct exec_ctx {
        ct *c;
        pid_t init;
        int pidfd;
        cg_ct *cg;
};

static void exec_ctx_done(struct exec_ctx *x)
{
        safe_close(x->pidfd);
        cg_ct_free(x->cg);
}

/* thawed: the caller's child joins the CT's cgroup, where a frozen CT would freeze it too */
static int exec_ctx_open(ct *c, struct exec_ctx *x, bool thawed)
{
        unsigned long long before, after;
        int r;

        *x = (struct exec_ctx){ .c = c, .pidfd = -EBADF };
        r = ct_open_cgroup(c, false, &x->cg);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return log_error_errno(r, "Failed to open the cgroup of CT %u: %m", c->id);
        if (cg_ct_populated(x->cg) <= 0)
                return -ESRCH;
        /* a stop freezes the CT to kill all of it at once: while a verb holds the CT's lock the freeze
         * may be its, so wait for the verb and look again (exec takes no lock: it never waits otherwise) */
        if (thawed && cg_ct_frozen(x->cg) > 0 && ct_wait_unlocked(c) > 0 && cg_ct_populated(x->cg) <= 0)
                return -ESRCH;
        if (thawed && cg_ct_frozen(x->cg) > 0)
                return log_error_errno(-EBUSY, "CT %u is frozen; thaw it first: vpsctl thaw %u", c->id,
                                       c->id);
        r = ct_find_init(c, x->cg, &x->init);
        if (r < 0)
                return -ESRCH;
        /* pid then pidfd then the same start time again: the pidfd is the init we looked at */
        r = proc_start_time(x->init, &before, NULL);
        if (r < 0)
                return -ESRCH;
        x->pidfd = (int)syscall(SYS_pidfd_open, x->init, 0);
        if (x->pidfd < 0)
                return errno == ESRCH ? -ESRCH : log_error_errno(-errno, "pidfd_open failed: %m");
        if (proc_start_time(x->init, &after, NULL) < 0 || after != before)
                return -ESRCH;
        return 0;
}

static char *join_args(char **argv)
{
        size_t len = 1;
        for (char **a = argv; *a; a++)
                len += strlen(*a) + 1;
        char *s = malloc(len), *p = s;
        if (!s)
                return NULL;
        *p = 0;
        for (char **a = argv; *a; a++) {
                if (a != argv)
                        *p++ = ' ';
                p = stpcpy(p, *a);
        }
        return s;
}

struct child_args {
        struct exec_ctx *x;
        char **argv;
        int fds[3]; /* what becomes 0, 1, 2 */
        int ctty;   /* make fds[0] the controlling terminal */
        const char *term;
        const struct ct_seccomp_prog *seccomp; /* read before the fork: the child does no file I/O for it */
};

static _noreturn_ void exec_child(struct child_args *a, bool in_v2, int go_fd, int report_fd)
{
        char err[512];
        char go;
        int r;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
                _exit(127);
        failpoint("exec.child"); /* tests: the command's process dies before vpsctl releases it */
        if (loop_read(go_fd, &go, 1) != 1)
                _exit(127);
        /* into the CT's cgroup before anything else, by itself: no RCU grace period (spawn.c) */
        r = cg_ct_attach_self(a->x->cg, in_v2);
        if (r < 0) {
                snprintf(err, sizeof(err), "Cannot move into the CT's cgroup: %s", strerror(-r));
                goto fail;
        }
        bool userns = ct_userns(&a->x->c->cfg);
        if (setns(a->x->pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP |
                                       (userns ? CLONE_NEWUSER : 0)) < 0) {
                snprintf(err, sizeof(err), "Cannot join the namespaces of the CT: %s", strerror(errno));
                goto fail;
        }
        /* in the CT's user namespace we are nobody until we become its root; that resets the parent-death
         * signal, so it is set again */
        if (userns && (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ||
                       prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)) {
                snprintf(err, sizeof(err), "Cannot become root of the CT's user namespace: %s",
                         strerror(errno));
                goto fail;
        }
        if (chdir("/") < 0) {
                snprintf(err, sizeof(err), "chdir(/) failed: %s", strerror(errno));
                goto fail;
        }
        if (a->ctty) {
                if (setsid() < 0 || ioctl(a->fds[0], TIOCSCTTY, 0) < 0) {
                        snprintf(err, sizeof(err), "Cannot set the controlling terminal: %s",
                                 strerror(errno));
                        goto fail;
                }
        }
        for (int i = 0; i < 3; i++)
                if (a->fds[i] != i && dup2(a->fds[i], i) < 0) {
                        snprintf(err, sizeof(err), "dup2 failed: %s", strerror(errno));
                        goto fail;
                }
        r = ct_drop_capabilities(&a->x->c->cfg, err, sizeof(err));
        if (r >= 0)
                r = ct_seccomp_load(&a->x->c->cfg, a->seccomp, err, sizeof(err));
        if (r < 0) {
                errno = -r;
                goto fail;
        }
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                snprintf(err, sizeof(err), "close_range failed: %s", strerror(errno));
                goto fail;
        }
        char term[128];
        snprintf(term, sizeof(term), "TERM=%s", a->term ? a->term : "dumb");
        char *envp[] = { (char *)"HOME=/root",
                         (char *)"USER=root",
                         (char *)"LOGNAME=root",
                         (char *)"SHELL=/bin/sh",
                         (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         term,
                         NULL };
        if (prctl(PR_SET_PDEATHSIG, 0) < 0)
                _exit(127);
        const char *path = a->argv[0];
        if (!strchr(path, '/')) {
                /* a bare name, as from enter --exec: look it up in the CT's PATH */
                static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                                    "/usr/bin",        "/sbin",          "/bin" };
                static char buf[4096];
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        snprintf(buf, sizeof(buf), "%s/%s", dirs[i], a->argv[0]);
                        if (access(buf, X_OK) == 0) {
                                path = buf;
                                break;
                        }
                }
        }
        execve(path, a->argv, envp);
        snprintf(err, sizeof(err), "Cannot execute %s in the CT: %s", a->argv[0], strerror(errno));
fail:
        (void)loop_write(report_fd, err, strlen(err));
        _exit(127);
}

/* Is the CT's init we joined gone (a stop or restart ran while we worked; exec takes no lock)? */
static bool exec_ct_gone(const struct exec_ctx *x)
{
        return x->pidfd >= 0 && syscall(SYS_pidfd_send_signal, x->pidfd, 0, NULL, 0) < 0 && errno == ESRCH;
}

/* A command killed by a signal in a CT whose init exits was killed by a stop, not by itself. The stop
 * kills the CT's init and the command at once, so the command's death can reach us before the init's; a
 * clean stop asks init to shut down, and a shutting-down init (busybox's, sysvinit's) sends every process
 * SIGTERM and exits only after its SIGKILL a second or more later. So the init is waited for: briefly
 * (a stop kills with SIGKILL; other signals are the guest's own business), and for as long as a verb holds
 * the CT's lock (a stop or restart under way), up to the stop's own timeout and a margin. */
static int exec_outcome(const struct exec_ctx *x, int status)
{
        if (status <= 128 || x->pidfd < 0)
                return 0;
        struct pollfd p = { .fd = x->pidfd, .events = POLLIN };
        unsigned brief_ms = status == 128 + SIGKILL ? 1000 : 100;
        unsigned long long limit_ms = (x->c->cfg.stop_timeout + 5ULL) * 1000;
        for (unsigned long long waited_ms = 100;; waited_ms += 100) {
                int r = poll(&p, 1, 100); /* a slice cut short by a signal only shortens the wait */
                if (r < 0 && errno != EINTR)
                        return 0;
                if (r > 0 && (p.revents & POLLIN))
                        return log_error_errno(-ECANCELED,
                                               "CT %u was stopped while the command ran (it was killed)",
                                               x->c->id);
                if (waited_ms >= limit_ms || (waited_ms >= brief_ms && !ct_lock_held(x->c)))
                        return 0;
        }
}

/* Fork the command into the CT's pid namespace and cgroup; return its pid once it has exec'd. */
static int exec_spawn(struct child_args *a, pid_t *ret_pid)
{
        _cleanup_close_ int initcg = -EBADF, ownpid = -EBADF;
        _cleanup_seccomp_prog_ struct ct_seccomp_prog seccomp = {};
        struct exec_ctx *x = a->x;
        int go[2] = { -EBADF, -EBADF }, rep[2] = { -EBADF, -EBADF };
        struct clone_args args = { .exit_signal = SIGCHLD };
        int r;

        r = ct_seccomp_prepare(x->c, &seccomp);
        if (r < 0)
                return r;
        a->seccomp = &seccomp;

        /* our children, not we, are born in the CT's pid namespace; only this one: every later child
         * (a hook, a sanitizer's helper thread) is born in ours again */
        ownpid = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
        if (ownpid < 0) {
                r = log_error_errno(-errno, "Failed to open our own pid namespace: %m");
                goto out;
        }
        if (setns(x->pidfd, CLONE_NEWPID) < 0) {
                r = log_error_errno(-errno, "Failed to join the pid namespace of CT %u: %m", x->c->id);
                goto out;
        }
        if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
                r = negative_errno();
                goto out;
        }
        r = cg_ct_attach_prepare(x->cg);
        if (r < 0) {
                r = log_error_errno(r, "Failed to open the cgroup of CT %u: %m", x->c->id);
                goto out;
        }
        int cgfd = cg_ct_v2_fd(x->cg);
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (unsigned)cgfd;
        }
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0 && errno == EBUSY && cgfd >= 0) {
                /* the CT's init (systemd) has made its cgroup an inner node with controllers: join the
                 * init's own cgroup instead, as runc and crun do */
                initcg = cg_ct_open_pid_v2(x->cg, x->init);
                if (initcg >= 0) {
                        args.cgroup = (unsigned)initcg;
                        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
                } else
                        errno = EBUSY;
        }
        if (pid < 0) {
                r = log_error_errno(-errno, "Failed to fork into CT %u: %m", x->c->id);
                goto out;
        }
        if (pid == 0) {
                safe_close(go[1]);
                safe_close(rep[0]);
                exec_child(a, cgfd >= 0, go[0], rep[1]);
        }
        if (setns(ownpid, CLONE_NEWPID) < 0) {
                r = log_error_errno(-errno, "Failed to return to our own pid namespace: %m");
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                goto out;
        }
        go[0] = safe_close(go[0]);
        rep[1] = safe_close(rep[1]);
        cg_ct_attach_done(x->cg);
        /* release it; it died before it could run the command when the write fails (a stop killed the
         * CT's cgroup under us, as exec takes no lock, or something killed it; never a SIGPIPE that kills
         * us) or when its report pipe ends with the byte still unread (the write raced its death) */
        char err[512];
        ssize_t n = 0;
        int unread = 0;
        bool died = loop_write_nosigpipe(go[1], "g", 1) < 0;
        if (!died) {
                n = loop_read(rep[0], err, sizeof(err) - 1);
                died = n == 0 && ioctl(go[1], FIONREAD, &unread) == 0 && unread > 0;
        }
        if (died) {
                (void)waitpid(pid, NULL, 0);
                if (exec_ct_gone(x))
                        r = -ESRCH;
                else
                        r = log_error_errno(-ECHILD, "CT %u: the command's process died before it could run",
                                            x->c->id);
                goto out;
        }
        if (n > 0) {
                err[n] = 0;
                (void)waitpid(pid, NULL, 0);
                /* the CT stopped under us (exec takes no lock): not running, as vzctl says it */
                if (exec_ct_gone(x)) {
                        r = -ESRCH;
                        goto out;
                }
                r = log_error_errno(-ENOEXEC, "CT %u: %s", x->c->id, err);
                goto out;
        }
        *ret_pid = pid;
        r = 0;
out:
        a->seccomp = NULL; /* it dies with this frame */
        if (r < 0)
                (void)setns(ownpid, CLONE_NEWPID); /* a no-op when already back */
        safe_close(go[0]);
        safe_close(go[1]);
        safe_close(rep[0]);
        safe_close(rep[1]);
        return r;
}

static int exit_status(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

/* Copy data between fds until the child is gone and its output is drained.
 * pairs: in[i] -> out[i]; in_eof_closes[i]: close out[i] when in[i] ends (stdin to the CT). */
struct relay {
        int in, out;
        bool close_out_on_eof; /* operator's stdin to the command: close the pipe at EOF */
        bool input;            /* flows into the CT: the relay need not drain it to finish */
        bool done;
};

static int relay_run(struct relay *rl, size_t n, pid_t child, int *ret_status, int winch_master)
{
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGQUIT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return negative_errno();
        bool exited = false;
        int status = 0;

        for (;;) {
                /* reap first: a child that exited may still have output buffered in its pipes */
                if (!exited) {
                        pid_t p = waitpid(child, &status, WNOHANG);
                        if (p == child)
                                exited = true;
                }
                bool outputs_open = false;
                for (size_t i = 0; i < n; i++)
                        if (!rl[i].done && !rl[i].input)
                                outputs_open = true;
                if (exited && !outputs_open)
                        break;

                struct pollfd pfd[8];
                size_t map[8], k = 0;
                pfd[k].fd = sfd;
                pfd[k].events = POLLIN;
                map[k++] = SIZE_MAX;
                for (size_t i = 0; i < n && k < ELEMENTSOF(pfd); i++)
                        if (!rl[i].done) {
                                pfd[k].fd = rl[i].in;
                                pfd[k].events = POLLIN;
                                map[k++] = i;
                        }
                int timeout = exited ? 200 : -1;
                int m = poll(pfd, k, timeout);
                if (m < 0 && errno != EINTR)
                        return negative_errno();
                if (m == 0 && exited)
                        break; /* output held open by a grandchild in the background: stop here */
                for (size_t j = 0; m > 0 && j < k; j++) {
                        if (!pfd[j].revents)
                                continue;
                        if (map[j] == SIZE_MAX) {
                                struct signalfd_siginfo si;
                                while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                                        if (si.ssi_signo == SIGWINCH && winch_master >= 0) {
                                                struct winsize ws;
                                                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                                                        (void)ioctl(winch_master, TIOCSWINSZ, &ws);
                                        } else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
                                                (void)kill(child, (int)si.ssi_signo);
                                }
                                continue;
                        }
                        struct relay *r = &rl[map[j]];
                        char buf[16384];
                        ssize_t got = read(r->in, buf, sizeof(buf));
                        if (got < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        /* into the CT: the command may have exited and closed its stdin */
                        if (got <= 0 || (r->input ? loop_write_nosigpipe(r->out, buf, (size_t)got)
                                                  : loop_write(r->out, buf, (size_t)got)) < 0) {
                                /* EOF, or EIO on a pty master whose slave side is all closed */
                                r->done = true;
                                if (r->close_out_on_eof)
                                        r->out = safe_close(r->out);
                        }
                }
        }
        if (!exited)
                while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                        ;
        *ret_status = exit_status(status);
        return 0;
}

/* stdin_fd >= 0: the command's stdin (a script for /bin/sh -s), else ours */
static int exec_run(ct *c, ct_exec_mode mode, char **argv, int stdin_fd, int *ret_status)
{
        struct exec_ctx x;
        _cleanup_free_ char *joined = NULL;
        char *shell_argv[4] = { (char *)"/bin/sh", NULL, NULL, NULL };
        int pipes[3][2] = { { -EBADF, -EBADF }, { -EBADF, -EBADF }, { -EBADF, -EBADF } };
        int r;

        r = exec_ctx_open(c, &x, true);
        if (r < 0)
                goto out;

        struct child_args a = { .x = &x,
                                .fds = { stdin_fd >= 0 ? stdin_fd : 0, 1, 2 },
                                .term = getenv("TERM") };
        if (mode == CT_EXEC_SHELL) {
                joined = join_args(argv);
                if (!joined) {
                        r = -ENOMEM;
                        goto out;
                }
                shell_argv[1] = (char *)"-c";
                shell_argv[2] = joined;
                a.argv = shell_argv;
        } else if (mode == CT_EXEC_STDIN) {
                shell_argv[1] = (char *)"-s";
                a.argv = shell_argv;
        } else
                a.argv = argv;

        /* The operator's terminal never goes into the CT (TIOCSTI and friends): pipes instead. */
        struct relay rl[3];
        size_t nrl = 0;
        for (int i = 0; i < 3; i++) {
                if (!isatty(i) || (i == 0 && stdin_fd >= 0))
                        continue;
                if (pipe2(pipes[i], O_CLOEXEC) < 0) {
                        r = negative_errno();
                        goto out;
                }
                if (i == 0) {
                        a.fds[0] = pipes[0][0];
                        rl[nrl++] = (struct relay){
                                .in = 0, .out = pipes[0][1], .close_out_on_eof = true, .input = true
                        };
                } else {
                        a.fds[i] = pipes[i][1];
                        rl[nrl++] = (struct relay){ .in = pipes[i][0], .out = i };
                }
        }

        pid_t pid;
        r = exec_spawn(&a, &pid);
        if (r < 0)
                goto out;
        for (int i = 0; i < 3; i++) {
                /* the child's ends */
                if (i == 0 && pipes[0][0] >= 0)
                        pipes[0][0] = safe_close(pipes[0][0]);
                if (i > 0 && pipes[i][1] >= 0)
                        pipes[i][1] = safe_close(pipes[i][1]);
        }
        if (nrl > 0) {
                r = relay_run(rl, nrl, pid, ret_status, -EBADF);
                if (pipes[0][1] >= 0 && rl[0].in == 0 && rl[0].out < 0)
                        pipes[0][1] = -EBADF; /* closed by the relay */
        } else {
                int status;
                /* forward what would have stopped us to the command instead */
                signal(SIGINT, SIG_IGN);
                signal(SIGQUIT, SIG_IGN);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                *ret_status = exit_status(status);
        }
        if (r >= 0)
                r = exec_outcome(&x, *ret_status);
out:
        for (int i = 0; i < 3; i++) {
                safe_close(pipes[i][0]);
                safe_close(pipes[i][1]);
        }
        exec_ctx_done(&x);
        return r;
}

int ct_exec(ct *c, ct_exec_mode mode, char **argv, int *ret_status)
{
        return exec_run(c, mode, argv, -EBADF, ret_status);
}

int ct_exec_script(ct *c, int script_fd, int *ret_status)
{
        return exec_run(c, CT_EXEC_STDIN, NULL, script_fd, ret_status);
}

static int open_ct_ptmx(struct exec_ctx *x, int *ret_master, int *ret_slave)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", (int)x->init);
        _cleanup_close_ int rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return negative_errno();
        _cleanup_close_ int master = open_in_root(rootfd, "dev/pts/ptmx", O_RDWR | O_NOCTTY);
        if (master < 0)
                return master;
        struct statfs fs;
        if (fstatfs(master, &fs) < 0)
                return negative_errno();
        if (fs.f_type != DEVPTS_SUPER_MAGIC)
                return -EPERM; /* the CT put something else there */
        int unlock = 0;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return negative_errno();
        /* the peer, opened without a path lookup the CT could redirect */
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return negative_errno();
        *ret_master = TAKE_FD(master);
        *ret_slave = slave;
        return 0;
}

int ct_enter(ct *c, char **argv, int *ret_status)
{
        struct exec_ctx x;
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        struct termios saved;
        bool raw = false;
        int r;

        r = exec_ctx_open(c, &x, true);
        if (r < 0)
                goto out;
        r = open_ct_ptmx(&x, &master, &slave);
        if (r < 0) {
                r = log_error_errno(r, "Failed to open a terminal in CT %u: %m", c->id);
                goto out;
        }
        struct winsize ws;
        if (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);

        /* a login shell, so the guest's /etc/profile is read */
        char *login[] = { (char *)"/bin/sh", (char *)"-l", NULL };
        struct child_args a = { .x = &x,
                                .argv = argv && argv[0] ? argv : login,
                                .fds = { slave, slave, slave },
                                .ctty = 1,
                                .term = getenv("TERM") };

        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
                        raw = true;
        }
        fprintf(stderr, "entered into CT %u\r\n", c->id);
        pid_t pid = -1;
        r = exec_spawn(&a, &pid);
        if (r >= 0) {
                slave = safe_close(slave);
                int in_copy = fcntl(master, F_DUPFD_CLOEXEC, 3);
                struct relay rl[2] = {
                        { .in = STDIN_FILENO, .out = in_copy, .input = true },
                        { .in = master, .out = STDOUT_FILENO },
                };
                r = relay_run(rl, 2, pid, ret_status, master);
                safe_close(in_copy);
                if (r >= 0)
                        r = exec_outcome(&x, *ret_status);
        }
        if (raw)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        if (r >= 0)
                fprintf(stderr, "exited from CT %u\n", c->id);
out:
        exec_ctx_done(&x);
        return r;
}

int ct_set_hostname_live(ct *c, const char *hostname)
{
        struct exec_ctx x;
        int r = exec_ctx_open(c, &x, true);
        if (r < 0)
                goto out;
        /* only the UTS namespace is joined, by a short-lived child: nothing of the CT runs here */
        pid_t pid = fork();
        if (pid < 0) {
                r = negative_errno();
                goto out;
        }
        if (pid == 0) {
                if (setns(x.pidfd, CLONE_NEWUTS) < 0 || sethostname(hostname, strlen(hostname)) < 0)
                        _exit(errno);
                _exit(0);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        r = WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
out:
        exec_ctx_done(&x);
        return r;
}
