/* vpsctl autostart, stop-all: what the host's boot and shutdown run (etc/systemd/vpsctl.service). Each CT
 * is started or stopped by a `vpsctl start|stop CTID` of its own, VE_PARALLEL at a time, in boot order
 * (stop-all: the reverse), so one CT's failure or hang is that CT's only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "base/log.h"
#include "base/parse.h"
#include "cli.h"

struct job {
        pid_t pid;
        unsigned id;
        int rc;
};

static pid_t spawn_verb(const char *verb, unsigned id)
{
        char idbuf[16];
        snprintf(idbuf, sizeof(idbuf), "%u", id);
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0) {
                char *argv[] = { (char *)"vpsctl", (char *)verb, idbuf, NULL };
                execv("/proc/self/exe", argv);
                fprintf(stderr, "Error: cannot run vpsctl %s %u: %s\n", verb, id, strerror(errno));
                _exit(EXIT_VZ_SYSTEM);
        }
        return pid;
}

static int run_all(const char *name, bool for_stop, unsigned parallel)
{
        ct_boot_entry *e = NULL;
        size_t n = 0;
        unsigned conf_parallel = 0;
        int r = ct_boot_plan(&cli_paths, for_stop, &e, &n, &conf_parallel);
        if (r == -EINVAL) /* vpsctl.conf cannot be parsed: said with its file:line */
                return EXIT_VZ_INVALID_CONFIG;
        if (r < 0) {
                log_error_errno(r, "%s: cannot read the CTs: %m", name);
                return EXIT_VZ_SYSTEM;
        }
        if (parallel == 0)
                parallel = conf_parallel;
        if (parallel == 0) {
                long cpus = sysconf(_SC_NPROCESSORS_ONLN);
                parallel = cpus > 0 ? (unsigned)cpus : 1;
        }
        struct job *jobs = calloc(n ? n : 1, sizeof(*jobs));
        if (!jobs) {
                ct_boot_plan_free(e, n);
                return EXIT_VZ_SYSTEM;
        }
        size_t next = 0, running = 0;
        unsigned done = 0, failed = 0, skipped = 0;
        for (;;) {
                while (next < n && running < parallel) {
                        ct_boot_entry *x = &e[next];
                        struct job *j = &jobs[next++];
                        j->id = x->id;
                        if (x->config_error) {
                                log_error("CT %u not %s: %s; fix it, then vpsctl %s %u", x->id,
                                          for_stop ? "stopped" : "started", x->config_error,
                                          for_stop ? "stop" : "start", x->id);
                                j->rc = EXIT_VZ_INVALID_CONFIG;
                                continue;
                        }
                        if (!for_stop && x->running) {
                                printf("CT %u is already running\n", x->id);
                                skipped++;
                                continue;
                        }
                        if (!for_stop && x->disabled) {
                                printf("CT %u is disabled (DISABLED=\"yes\"): not started\n", x->id);
                                skipped++;
                                continue;
                        }
                        j->pid = spawn_verb(for_stop ? "stop" : "start", x->id);
                        if (j->pid < 0) {
                                log_error_errno(-errno, "Cannot fork for CT %u: %m", x->id);
                                j->rc = EXIT_VZ_SYSTEM;
                                continue;
                        }
                        running++;
                }
                if (running == 0)
                        break;
                int status;
                pid_t pid = waitpid(-1, &status, 0);
                if (pid < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (size_t i = 0; i < next; i++)
                        if (jobs[i].pid == pid) {
                                jobs[i].rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_VZ_SYSTEM;
                                jobs[i].pid = 0;
                                running--;
                                if (jobs[i].rc == 0)
                                        done++;
                        }
        }
        /* the exit code is the first failure's, in boot order */
        int rc = 0;
        for (size_t i = 0; i < n; i++)
                if (jobs[i].rc != 0) {
                        failed++;
                        if (rc == 0)
                                rc = jobs[i].rc;
                }
        printf("%s: %u CTs %s, %u failed, %u skipped\n", name, done, for_stop ? "stopped" : "started",
               failed, skipped);
        free(jobs);
        ct_boot_plan_free(e, n);
        return rc;
}

static int parse(const char *verb, int argc, char **argv, unsigned *parallel)
{
        static const struct option opts[] = {
                { "parallel", required_argument, NULL, 'p' },
                {},
        };
        int o;
        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                if (o == 'p') {
                        if (safe_atou(optarg, parallel) < 0 || *parallel < 1 || *parallel > 1000)
                                return cli_usage_error(verb, "--parallel takes 1..1000, not \"%s\"", optarg);
                } else
                        return cli_usage_error(verb, "unknown option");
        if (optind != argc)
                return cli_usage_error(verb, "no arguments expected");
        return 0;
}

int verb_autostart(int argc, char **argv)
{
        unsigned parallel = 0;
        int rc = parse("autostart", argc, argv, &parallel);
        return rc ? rc : run_all("autostart", false, parallel);
}

int verb_stop_all(int argc, char **argv)
{
        unsigned parallel = 0;
        int rc = parse("stop-all", argc, argv, &parallel);
        return rc ? rc : run_all("stop-all", true, parallel);
}
