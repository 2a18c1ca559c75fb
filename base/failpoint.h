/* Failpoints: named steps of the state-changing verbs where a test may kill vpsctl, to prove that a
 * killed vpsctl never leaves a half CT. Compiled in (CMake option VPSCTL_FAILPOINTS, on by default),
 * off at run time:
 *   VPSCTL_FAILPOINT=NAME      the process SIGKILLs itself when it reaches step NAME;
 *   VPSCTL_FAILPOINT_LOG=FILE  every step's name is appended to FILE as it is passed.
 * Unset, a step costs one comparison. */
#pragma once

#ifdef VPSCTL_FAILPOINTS
void failpoint(const char *name);
#else
static inline void failpoint(const char *name)
{
        (void)name;
}
#endif
