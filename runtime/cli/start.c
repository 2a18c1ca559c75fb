/* vpsctl start, restart */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

static int do_start(ct *c, bool wait, bool force)
{
        ct_status st;
        int r = ct_get_status(c, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        if (st.running) {
                cli_err("Container is already running", "CT %u is already running", c->id);
                return EXIT_VZ_RUNNING;
        }
        if ((r = cli_check_private(c)) != 0)
                return r;
        if (c->cfg.disabled == CT_YES && !force) {
                log_error("CT %u is disabled (DISABLED=\"yes\" in %s); use start --force to start it anyway",
                          c->id, c->conf_path);
                return EXIT_VZ_START_DISABLED;
        }
        if (!force && c->cfg.memguarantee > 0) {
                ct_commitment m;
                r = ct_get_commitment(&cli_paths, c, &m);
                if (r >= 0 && m.mem_guaranteed > m.host_mem) {
                        log_error("Starting CT %u would over-commit memory: the running CTs and this one "
                                  "guarantee %llu "
                                  "MiB, the host has %llu MiB; lower MEMGUARANTEE or use start --force",
                                  c->id, (unsigned long long)(m.mem_guaranteed >> 20),
                                  (unsigned long long)(m.host_mem >> 20));
                        return EXIT_VZ_OVERCOMMIT;
                }
        }
        cli_vz_say("Starting container...");
        r = ct_start(c, wait);
        if (r == -ETIMEDOUT) {
                log_error("CT %u started, but its guest did not finish booting in time", c->id);
                return EXIT_VZ_WAIT_FAILED;
        }
        if (r == -EBUSY) {
                log_error("CT %u has processes in its cgroup already", c->id);
                return EXIT_VZ_RUNNING;
        }
        if (r == -ENOEXEC)
                return EXIT_VZ_FS_BAD_INIT;
        if (r < 0)
                return cli_exit_code(r, EXIT_VZ_ENVCREATE);
        cli_say("Container is mounted\nContainer start in progress...", "CT %u started", c->id);
        return 0;
}

static int parse(const char *verb, int argc, char **argv, bool *wait, bool *force)
{
        static const struct option opts[] = {
                { "wait", no_argument, NULL, 'w' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        int o;
        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (o) {
                case 'w':
                        *wait = true;
                        break;
                case 'f':
                        *force = true;
                        break;
                default:
                        return cli_usage_error(verb, "unknown option");
                }
        if (optind != argc - 1)
                return optind >= argc ? cli_ctid_missing(verb) : cli_usage_error(verb, "too many arguments");
        return 0;
}

int verb_start(int argc, char **argv)
{
        bool wait = false, force = false;
        _cleanup_ct_ ct *c = NULL;
        int rc = parse("start", argc, argv, &wait, &force);
        if (rc == 0)
                rc = cli_open_ct(argv[optind], "start", true, true, &c);
        if (rc != 0)
                return rc;
        return do_start(c, wait, force);
}

int verb_restart(int argc, char **argv)
{
        bool wait = false, force = false;
        _cleanup_ct_ ct *c = NULL;
        int rc = parse("restart", argc, argv, &wait, &force);
        if (rc == 0)
                rc = cli_open_ct(argv[optind], "restart", true, true, &c);
        if (rc != 0)
                return rc;
        cli_vz_say("Restarting container");
        ct_status st;
        bool was_running = ct_get_status(c, &st) >= 0 && st.running;
        if (was_running)
                cli_vz_say("Stopping container ...");
        int r = ct_stop(c, false);
        if (r < 0)
                return EXIT_VZ_STOP;
        if (was_running)
                cli_vz_say("Container was stopped\nContainer is unmounted");
        return do_start(c, wait, force);
}
