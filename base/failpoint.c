#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failpoint.h"
#include "fileio.h"
#include "macro.h"

#ifdef VPSCTL_FAILPOINTS
void failpoint(const char *name)
{
        static int init;
        static const char *kill_at, *log_file;

        if (!init) {
                kill_at = getenv("VPSCTL_FAILPOINT");
                log_file = getenv("VPSCTL_FAILPOINT_LOG");
                init = 1;
        }
        if (log_file && *log_file) {
                int fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0) {
                        (void)loop_write(fd, name, strlen(name));
                        (void)loop_write(fd, "\n", 1);
                        close(fd);
                }
        }
        if (kill_at && streq(kill_at, name))
                (void)kill(getpid(), SIGKILL);
}
#endif
