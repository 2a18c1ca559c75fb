/* Waiting for a child process with a deadline. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Reap child pid; after timeout_ms (< 0: none) SIGKILL it (by pid) first and set *ret_timed_out. The wait
 * status in *ret_status. 0 or -errno. */
int wait_pid_timeout(pid_t pid, int timeout_ms, bool *ret_timed_out, int *ret_status);
