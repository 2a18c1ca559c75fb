/* vpsctl enter */
#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

int verb_enter(int argc, char **argv)
{
        if (argc < 2)
                return cli_usage_error("enter", "CTID is missing");
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
        int r = ct_enter(c, cmd, &status);
        if (r == -ESRCH) {
                log_error("CT %u is not running", c->id);
                return EXIT_VZ_NOT_RUNNING;
        }
        if (r == -ECANCELED)
                return EXIT_VZ_NOT_RUNNING;
        if (r < 0)
                return EXIT_VZ_EXEC;
        return status;
}
