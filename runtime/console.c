/* The console of a CT with CONSOLE="yes": a pty of the CT's own devpts is its /dev/console and its
 * init's stdio (spawn.c), and a small keeper process on the host holds the master.
 *
 * Why a keeper: a pty's output must be read by someone, or the CT's first write past the buffer blocks
 * its boot; and the master must stay open between attaches, or the console hangs up. The keeper is the
 * only process vpsctl leaves running for a CT, and only for a CT that asks for a console: a CT without
 * one still needs no vpsctl process at all. It is vpsctl re-executed (not a fork of a larger process),
 * so it holds no more than its own loop: see docs/benchmarks.md for its resident memory.
 *
 * The keeper copies the console's output to run/vpsctl/CTID/console.log (as without a console) and keeps
 * its last 16 KiB, which an operator sees first on attach; it serves run/vpsctl/CTID/console.sock (root
 * only), one operator at a time (a new attach takes over); it exits when the CT's init does. Killing it
 * loses the console until the next start, never the CT. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "engine-internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define CONSOLE_RING    16384
#define CONSOLE_LOG_MAX (1024 * 1024)
#define KEEPER_ARG      "__console-keeper"
#define ESC             0x1b
#define CTRL_RBRACKET   0x1d

static int console_sock_path(const char *run_path, struct sockaddr_un *sa)
{
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/console.sock", run_path) >=
            sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        return 0;
}

int ct_console_keeper_start(ct *c, int master, pid_t init)
{
        struct sockaddr_un sa;
        int r = console_sock_path(c->run_path, &sa);
        if (r < 0)
                return log_error_errno(r, "The console socket of CT %u would be too long a path", c->id);
        _cleanup_close_ int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, init, 0);
        if (lfd < 0 || pidfd < 0)
                return log_error_errno(-errno, "Failed to set up the console of CT %u: %m", c->id);
        (void)unlink(sa.sun_path);
        /* bound and listening before start returns: `vpsctl console` right after it connects */
        mode_t old = umask(0077);
        r = bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0 ? -errno : 0;
        umask(old);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on %s: %m", sa.sun_path);

        pid_t pid = fork();
        if (pid < 0)
                return log_error_errno(-errno, "Failed to fork the console keeper of CT %u: %m", c->id);
        if (pid == 0) {
                /* its own session, and not our child: it outlives this vpsctl */
                if (setsid() < 0 || fork() != 0)
                        _exit(0);
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0 ||
                    dup2(master, 3) < 0 || dup2(lfd, 4) < 0 || dup2(pidfd, 5) < 0)
                        _exit(127);
                (void)syscall(SYS_close_range, 6U, ~0U, 0U);
                char id[16];
                snprintf(id, sizeof(id), "%u", c->id);
                char *argv[] = { (char *)"vpsctl-console", (char *)KEEPER_ARG, id, c->run_path, NULL };
                execv("/proc/self/exe", argv);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                (void)unlink(sa.sun_path);
                return log_error_errno(-ECHILD, "Failed to start the console keeper of CT %u", c->id);
        }
        return 0;
}

/* ---- the keeper ---- */

struct keeper {
        int master, listen_fd, pidfd, client, log;
        char log_path[4096];
        size_t log_size;
        char ring[CONSOLE_RING];
        size_t ring_len;
};

static void keeper_log(struct keeper *k, const char *buf, size_t n)
{
        if (k->log_size + n > CONSOLE_LOG_MAX) {
                char old[sizeof(k->log_path) + 4];
                snprintf(old, sizeof(old), "%s.1", k->log_path);
                (void)rename(k->log_path, old);
                k->log = safe_close(k->log);
                k->log_size = 0;
        }
        if (k->log < 0)
                k->log = open(k->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                              0600);
        if (k->log >= 0 && loop_write(k->log, buf, n) >= 0)
                k->log_size += n;
}

static void keeper_ring(struct keeper *k, const char *buf, size_t n)
{
        if (n > CONSOLE_RING) {
                buf += n - CONSOLE_RING;
                n = CONSOLE_RING;
        }
        size_t keep = k->ring_len + n > CONSOLE_RING ? CONSOLE_RING - n : k->ring_len;
        memmove(k->ring, k->ring + k->ring_len - keep, keep);
        memcpy(k->ring + keep, buf, n);
        k->ring_len = keep + n;
}

/* To the operator, never blocking: an operator who reads slowly loses output, the CT never waits. */
static void keeper_to_client(struct keeper *k, const char *buf, size_t n)
{
        if (k->client >= 0 && send(k->client, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
            errno != EINTR)
                k->client = safe_close(k->client);
}

int ct_console_keeper_main(int argc, char **argv)
{
        struct keeper *k = calloc(1, sizeof(*k));
        if (!k || argc != 4)
                return 127;
        *k = (struct keeper){ .master = 3, .listen_fd = 4, .pidfd = 5, .client = -EBADF, .log = -EBADF };
        (void)prctl(PR_SET_NAME, "vpsctl-console");
        (void)signal(SIGPIPE, SIG_IGN);
        (void)signal(SIGHUP, SIG_IGN);
        snprintf(k->log_path, sizeof(k->log_path), "%s/console.log", argv[3]);
        struct stat st;
        if (stat(k->log_path, &st) == 0)
                k->log_size = (size_t)st.st_size;
        /* a slave of our own: the console never hangs up while the CT reopens it (sysvinit does) */
        int own_slave = ioctl(k->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

        for (;;) {
                struct pollfd p[4] = {
                        { .fd = k->master, .events = POLLIN },
                        { .fd = k->listen_fd, .events = POLLIN },
                        { .fd = k->pidfd, .events = POLLIN },
                        { .fd = k->client, .events = POLLIN },
                };
                if (poll(p, k->client >= 0 ? 4 : 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                char buf[4096];
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(k->master, buf, sizeof(buf));
                        if (n > 0) {
                                keeper_log(k, buf, (size_t)n);
                                keeper_ring(k, buf, (size_t)n);
                                keeper_to_client(k, buf, (size_t)n);
                        } else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                                break;
                }
                if (p[2].revents & POLLIN) {
                        /* init is gone: what it wrote last is read above; the CT is stopping */
                        break;
                }
                if (p[1].revents & POLLIN) {
                        int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                        if (fd >= 0) {
                                if (k->client >= 0) {
                                        static const char msg[] =
                                                "\r\n[vpsctl: another attach took over this console]\r\n";
                                        keeper_to_client(k, msg, sizeof(msg) - 1);
                                        safe_close(k->client);
                                }
                                k->client = fd;
                                keeper_to_client(k, k->ring, k->ring_len);
                        }
                }
                if (k->client >= 0 && (p[3].revents & (POLLIN | POLLHUP | POLLERR))) {
                        ssize_t n = read(k->client, buf, sizeof(buf));
                        if (n > 0)
                                (void)loop_write(k->master, buf, (size_t)n);
                        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                                k->client = safe_close(k->client);
                }
        }
        struct sockaddr_un sa;
        if (console_sock_path(argv[3], &sa) >= 0)
                (void)unlink(sa.sun_path);
        safe_close(own_slave);
        safe_close(k->client);
        safe_close(k->log);
        free(k);
        return 0;
}

/* ---- the operator's side ---- */

int ct_console_attach(ct *c)
{
        struct sockaddr_un sa;
        int r = console_sock_path(c->run_path, &sa);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return errno == ENOENT || errno == ECONNREFUSED ? -ENOENT : negative_errno();

        struct termios saved;
        bool raw = false;
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
        }
        fprintf(stderr, "Attached to the console of CT %u (detach: Esc then . or Ctrl-])\r\n", c->id);
        bool esc = false, detached = false, in_open = true;
        while (!detached) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
                                       { .fd = STDIN_FILENO, .events = POLLIN } };
                if (poll(p, in_open ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        break;
                }
                char buf[4096], out[4097];
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(fd, buf, sizeof(buf));
                        if (n <= 0) {
                                fprintf(stderr, "\r\nThe console of CT %u closed (the CT stopped)\r\n",
                                        c->id);
                                break;
                        }
                        if (loop_write(STDOUT_FILENO, buf, (size_t)n) < 0)
                                break;
                }
                if (in_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n <= 0) {
                                in_open = false; /* a script's stdin ended: keep showing output */
                                continue;
                        }
                        /* Esc is held back until the next key says whether it was the detach */
                        size_t o = 0;
                        for (ssize_t i = 0; i < n && !detached; i++) {
                                unsigned char ch = (unsigned char)buf[i];
                                if (ch == CTRL_RBRACKET || (esc && ch == '.')) {
                                        detached = true;
                                        break;
                                }
                                if (esc)
                                        out[o++] = ESC;
                                esc = ch == ESC;
                                if (!esc)
                                        out[o++] = (char)ch;
                        }
                        if (o > 0 && loop_write(fd, out, o) < 0)
                                break;
                }
        }
        if (raw)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        if (detached)
                fprintf(stderr, "\r\nDetached from the console of CT %u\n", c->id);
        return r;
}

bool ct_console_keeper_argv(int argc, char **argv)
{
        return argc == 4 && streq(argv[1], KEEPER_ARG);
}
