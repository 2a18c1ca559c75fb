/* Entering another network namespace for a moment, and always coming back. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "netns-internal.h"

int netns_enter(int nsfd, int *ret_saved)
{
        if (nsfd < 0) {
                *ret_saved = -EBADF;
                return 0;
        }
        /* thread-self, not self: setns() moves only the calling thread */
        _cleanup_close_ int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (saved < 0)
                return negative_errno();
        /* CLONE_NEWNET both checks that an ns fd is a network namespace and accepts a pidfd */
        if (setns(nsfd, CLONE_NEWNET) < 0)
                return negative_errno();
        *ret_saved = TAKE_FD(saved);
        return 0;
}

void netns_leave(int saved)
{
        if (saved < 0)
                return;
        if (setns(saved, CLONE_NEWNET) < 0) {
                /* Carrying on would configure the wrong namespace: the host's links, routes and sysctls. Not
                 * an error to return but a broken invariant, so say why before dying. */
                (void)log_full_errno(LOG_LEVEL_ERR, errno,
                                     "Failed to switch back to the original network namespace: %m");
                abort();
        }
        safe_close(saved);
}
