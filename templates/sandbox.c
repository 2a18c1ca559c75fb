/* Running builders (debootstrap, tar, a recipe's SCRIPT, the verification shell) in their own pid and
 * mount namespaces. The first process is the namespace's init and dies with vpsctl (PR_SET_PDEATHSIG);
 * when it dies the kernel kills everything else in the namespace and drops every mount made in it. So
 * a build killed at any point leaves no process running and nothing mounted, only files, which the next
 * build removes. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

#define NOBODY 65534

_noreturn_ static void child_die(const char *what)
{
        char buf[512];
        int n = snprintf(buf, sizeof(buf), "vpsctl sandbox: %s: %s\n", what, strerror(errno));
        if (n > 0)
                (void)!write(STDERR_FILENO, buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
        _exit(126);
}

static void mount_api(const char *root)
{
        char p[4096];

        snprintf(p, sizeof(p), "%s/proc", root);
        (void)mkdir(p, 0555);
        if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                child_die("mount /proc");
        snprintf(p, sizeof(p), "%s/sys", root);
        (void)mkdir(p, 0555);
        if (mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                child_die("mount /sys");
        snprintf(p, sizeof(p), "%s/dev", root);
        (void)mkdir(p, 0755);
        if (mount("/dev", p, NULL, MS_BIND | MS_REC, NULL) < 0)
                child_die("bind /dev");
}

/* The command itself, a child of the namespace's init. */
_noreturn_ static void exec_command(char *const argv[], const tmpl_run_opts *o, int out_fd)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                child_die("open /dev/null");
        if (dup2(null, STDIN_FILENO) < 0 || dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO) < 0 ||
            dup2(out_fd >= 0 ? out_fd : null, STDERR_FILENO) < 0)
                child_die("dup2");
        if (o->root) {
                if (chroot(o->root) < 0)
                        child_die("chroot");
                if (chdir("/") < 0)
                        child_die("chdir /");
        }
        if (o->unprivileged) {
                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        child_die("drop privileges");
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        child_die("no_new_privs");
        }
        char *const empty[] = { NULL };
        execvpe(argv[0], argv, o->env ? o->env : empty);
        child_die(argv[0]);
}

/* PID 1 of the sandbox: set up the mounts, start the command, reap everything, exit with its status. */
_noreturn_ static void sandbox_init(char *const argv[], const tmpl_run_opts *o, int alive_fd, int out_fd)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                child_die("PR_SET_PDEATHSIG");
        /* vpsctl may have died before PR_SET_PDEATHSIG: then its end of the pipe is closed */
        struct pollfd pfd = { .fd = alive_fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
                _exit(127);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                child_die("make mounts private");
        /* our own /proc, so what runs here sees its own pid namespace */
        (void)mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (o->root && o->mount_api)
                mount_api(o->root);

        pid_t cmd = fork();
        if (cmd < 0)
                child_die("fork");
        if (cmd == 0)
                exec_command(argv, o, out_fd);
        if (out_fd >= 0)
                safe_close(out_fd);
        for (;;) {
                int st;
                pid_t p = waitpid(-1, &st, 0);
                if (p < 0 && errno == EINTR)
                        continue;
                if (p < 0)
                        _exit(126);
                if (p != cmd)
                        continue;
                /* leaving kills whatever the command left running in the namespace */
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        }
}

static int flush_lines(char *buf, size_t *len, bool all, const tmpl_run_opts *o)
{
        size_t start = 0;
        for (size_t i = 0; i < *len; i++)
                if (buf[i] == '\n' || buf[i] == '\r') {
                        buf[i] = 0;
                        if (i > start)
                                o->line(o->userdata, buf + start);
                        start = i + 1;
                }
        if (all && start < *len) {
                buf[*len] = 0;
                o->line(o->userdata, buf + start);
                start = *len;
        }
        memmove(buf, buf + start, *len - start);
        *len -= start;
        return 0;
}

int tmpl_run(char *const argv[], const tmpl_run_opts *o, int *ret_status)
{
        int alive[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF;
        unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | SIGCHLD;
        int r = 0;

        if (o->unprivileged)
                flags |= CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
        if (pipe2(alive, O_CLOEXEC) < 0)
                return negative_errno();
        if (o->line && pipe2(out, O_CLOEXEC) < 0) {
                r = negative_errno();
                goto out;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
        if (pid < 0) {
                r = negative_errno();
                goto out;
        }
        if (pid == 0) {
                safe_close(alive[1]);
                if (out[0] >= 0)
                        safe_close(out[0]);
                sandbox_init(argv, o, alive[0], out[1]);
        }
        alive[0] = safe_close(alive[0]);
        if (out[1] >= 0)
                out[1] = safe_close(out[1]);

        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        char buf[8192];
        size_t len = 0;
        bool timed_out = false;
        /* with a pipe: until EOF, when the whole namespace is gone; without: until its init exits */
        int wfd = out[0] >= 0 ? out[0] : pidfd;
        while (wfd >= 0) {
                int timeout = -1;
                if (o->timeout_s) {
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        long ms = (long)o->timeout_s * 1000 -
                                  ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
                        if (ms <= 0) {
                                timed_out = true;
                                (void)kill(pid, SIGKILL);
                                break;
                        }
                        timeout = (int)ms;
                }
                struct pollfd p = { .fd = wfd, .events = POLLIN };
                int n = poll(&p, 1, timeout);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = negative_errno();
                        (void)kill(pid, SIGKILL);
                        break;
                }
                if (n == 0)
                        continue;
                if (wfd == pidfd)
                        break;
                ssize_t k = read(out[0], buf + len, sizeof(buf) - 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t)k;
                flush_lines(buf, &len, len == sizeof(buf) - 1, o);
        }
        if (o->line && len > 0)
                flush_lines(buf, &len, true, o);

        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) {
                        r = r < 0 ? r : negative_errno();
                        goto out;
                }
        if (r >= 0 && timed_out)
                r = -ETIME;
        if (r >= 0)
                *ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
out:
        safe_close(alive[0]);
        safe_close(alive[1]);
        safe_close(out[0]);
        safe_close(out[1]);
        return r;
}
