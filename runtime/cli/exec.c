/* vpsctl exec, exec2, runscript */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cli.h"

int cli_exec_error(const ct *c, int r, const char *not_running_hint)
{
        if (r == -ESRCH) {
                cli_err("Container is not running", "CT %u is not running%s", c->id, not_running_hint);
                return EXIT_VZ_NOT_RUNNING;
        }
        if (r == -ECANCELED) /* stopped while the command ran: said by the engine */
                return EXIT_VZ_NOT_RUNNING;
        return EXIT_VZ_EXEC;
}

static int run(const char *verb, int argc, char **argv, bool own_status)
{
        if (argc < 2)
                return cli_ctid_missing(verb);
        if (argc < 3)
                return cli_usage_error(verb, "COMMAND is missing");
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[1], verb, false, true, &c);
        if (rc != 0)
                return rc;

        bool from_stdin = argc == 3 && streq(argv[2], "-");
        int status = 0;
        int r = ct_exec(c, from_stdin ? CT_EXEC_STDIN : CT_EXEC_SHELL, argv + 2, &status);
        if (r < 0)
                return cli_exec_error(c, r, "");
        if (own_status)
                return status;
        return status == 0 ? 0 : EXIT_VZ_EXEC;
}

int verb_exec(int argc, char **argv)
{
        return run("exec", argc, argv, false);
}

int verb_exec2(int argc, char **argv)
{
        return run("exec2", argc, argv, true);
}

int verb_runscript(int argc, char **argv)
{
        if (argc < 2)
                return cli_ctid_missing("runscript");
        if (argc != 3)
                return cli_usage_error("runscript", argc < 3 ? "FILE is missing" : "too many arguments");
        /* the host's file, opened before anything of the CT is touched */
        _cleanup_close_ int fd = open(argv[2], O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                log_error_errno(-errno, "Cannot open the script %s: %m", argv[2]);
                return EXIT_VZ_BAD_VALUE;
        }
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[1], "runscript", false, true, &c);
        if (rc != 0)
                return rc;
        int status = 0;
        int r = ct_exec_script(c, fd, &status);
        if (r < 0)
                return cli_exec_error(c, r, "; start it first (runscript runs the script inside it)");
        return status;
}
