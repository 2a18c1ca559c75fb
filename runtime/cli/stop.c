/* vpsctl stop */
#include <getopt.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

int verb_stop(int argc, char **argv)
{
        static const struct option opts[] = {
                { "fast", no_argument, NULL, 'f' },
                {},
        };
        bool fast = false;
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                if (o == 'f')
                        fast = true;
                else
                        return cli_usage_error("stop", "unknown option");
        if (optind != argc - 1)
                return optind >= argc ? cli_ctid_missing("stop")
                                      : cli_usage_error("stop", "too many arguments");

        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[optind], "stop", true, true, &c);
        if (rc != 0)
                return rc;
        ct_status st;
        int r = ct_get_status(c, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        bool was_running = st.running;
        if (was_running)
                cli_vz_say("Stopping container ...");
        r = ct_stop(c, fast);
        if (r < 0)
                return EXIT_VZ_STOP;
        if (was_running)
                cli_say("Container was stopped\nContainer is unmounted", "CT %u stopped", c->id);
        else
                cli_say("Unable to stop: container is not running", "CT %u is not running", c->id);
        return 0;
}
