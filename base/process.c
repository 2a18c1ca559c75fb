/* Waiting for a child process with a deadline: a pidfd polled until the deadline, then SIGKILL. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "process.h"

int wait_pid_timeout(pid_t pid, int timeout_ms, bool *ret_timed_out, int *ret_status)
{
        bool timed_out = false;
        int status;
        if (timeout_ms >= 0) {
                _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
                if (pidfd >= 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };
                        int r;
                        while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                                ;
                        if (r == 0) {
                                timed_out = true;
                                (void)kill(pid, SIGKILL);
                        }
                }
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        *ret_timed_out = timed_out;
        *ret_status = status;
        return 0;
}
