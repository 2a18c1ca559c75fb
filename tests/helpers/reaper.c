/* vpsctl-test-reaper: run a test as a child subreaper.
 *
 * A CT's init is orphaned when `vpsctl start` exits. PID 1 on the test machines does not reap
 * orphans, so every stopped CT would leave a zombie behind. This helper adopts them instead:
 * it reaps every child until the test exits, then keeps reaping late orphans for up to one
 * second, and exits with the test's status (128+N if it was killed by signal N). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

/* ctest and the user interrupt the helper; the test must see it to clean up */
static void forward_signal(int sig)
{
        if (child_pid > 0)
                kill(child_pid, sig);
}

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 1;
}

static long long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reap_orphans(long long budget_ms)
{
        const struct timespec tick = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
        long long deadline = now_ms() + budget_ms;

        for (;;) {
                pid_t p = waitpid(-1, NULL, WNOHANG);
                if (p > 0)
                        continue;
                if (p < 0 && errno == EINTR)
                        continue;
                if (p < 0 || now_ms() >= deadline)
                        return; /* ECHILD: nothing left to adopt */
                nanosleep(&tick, NULL);
        }
}

int main(int argc, char **argv)
{
        static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
        struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
        int code = 1;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s COMMAND [ARG...]\n", argv[0]);
                return 2;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                fprintf(stderr, "Failed to become a child subreaper: %s\n", strerror(errno));
                return 1;
        }
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaction(forwarded[i], &sa, NULL);

        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "Failed to fork: %s\n", strerror(errno));
                return 1;
        }
        if (pid == 0) {
                execvp(argv[1], argv + 1);
                fprintf(stderr, "Failed to execute %s: %s\n", argv[1], strerror(errno));
                _exit(127);
        }
        child_pid = pid;

        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, 0);
                if (p < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "Failed to wait for %s: %s\n", argv[1], strerror(errno));
                        break;
                }
                if (p == pid) {
                        code = exit_code(status);
                        break;
                }
        }
        child_pid = 0;
        reap_orphans(1000);
        return code;
}
