/* vpsctl enter, console */
#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

int verb_enter(int argc, char **argv)
{
        if (argc < 2)
                return cli_ctid_missing("enter");
        char **cmd = NULL;
        if (argc > 2) {
                if (!streq(argv[2], "--exec") || argc < 4)
                        return cli_usage_error("enter", "unexpected %s", argv[2]);
                cmd = argv + 3;
        }
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[1], "enter", false, true, &c);
        if (rc != 0)
                return rc;
        int status = 0;
        ct_status st;
        bool running = ct_get_status(c, &st) >= 0 && st.running;
        if (running && !cmd)
                cli_vz_say("entered into CT %u", c->id);
        int r = ct_enter(c, cmd, &status);
        if (r < 0)
                return cli_exec_error(c, r, "");
        if (running && !cmd)
                cli_vz_say("exited from CT %u", c->id);
        return status;
}

int verb_console(int argc, char **argv)
{
        if (argc != 2)
                return argc < 2 ? cli_ctid_missing("console")
                                : cli_usage_error("console", "too many arguments");
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[1], "console", false, true, &c);
        if (rc != 0)
                return rc;
        ct_status st;
        if (ct_get_status(c, &st) >= 0 && !st.running) {
                log_error("CT %u is not running", c->id);
                return EXIT_VZ_NOT_RUNNING;
        }
        int r = ct_console_attach(c);
        if (r == -ENOENT) {
                if (c->cfg.console == CT_YES)
                        log_error("CT %u has no console keeper now (it was stopped or killed); the console "
                                  "comes back "
                                  "at the CT's next start",
                                  c->id);
                else
                        log_error(
                                "CT %u has no console: vpsctl set %u --console yes --save, then restart it",
                                c->id, c->id);
                return EXIT_VZ_EXEC;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to attach to the console of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        return 0;
}
