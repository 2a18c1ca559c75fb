/* vpsctl status, freeze, thaw, mount, umount, destroy */
#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

static int one_ctid(const char *verb, int argc, char **argv)
{
        if (argc != 2)
                return argc < 2 ? cli_ctid_missing(verb) : cli_usage_error(verb, "too many arguments");
        if (argv[1][0] == '-')
                return cli_usage_error(verb, "unknown option %s", argv[1]);
        return 0;
}

int verb_status(int argc, char **argv)
{
        _cleanup_ct_ ct *c = NULL;
        int rc = one_ctid("status", argc, argv);
        if (rc == 0)
                rc = cli_open_ct_readonly(argv[1], "status", false, &c);
        if (rc != 0)
                return rc;
        ct_status st;
        int r = ct_get_status(c, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        /* words after vzctl's four, so scripts reading those keep working */
        printf("CTID %u %s %s %s%s\n", c->id, st.exists ? "exist" : "deleted",
               st.mounted ? "mounted" : "unmounted", st.running ? "running" : "down",
               st.frozen ? " frozen" : "");
        /* the line scripts compare stays vzctl's: what the CT lacks goes to stderr */
        if (st.running && st.lxcfs == CT_LXCFS_MISSING)
                log_warning("CT %u runs without lxcfs's /proc views (lxcfs was not running at its start); "
                            "start lxcfs, then restart the CT",
                            c->id);
        return cli_config_error(c);
}

static int freeze_thaw(const char *verb, bool freeze, int argc, char **argv)
{
        _cleanup_ct_ ct *c = NULL;
        int rc = one_ctid(verb, argc, argv);
        if (rc == 0)
                rc = cli_open_ct(argv[1], verb, true, true, &c);
        if (rc != 0)
                return rc;
        int r = ct_freeze(c, freeze);
        if (r == -ESRCH) {
                log_error("CT %u is not running", c->id);
                return EXIT_VZ_NOT_RUNNING;
        }
        if (r == -EALREADY) {
                printf("CT %u is %s\n", c->id, freeze ? "already frozen" : "not frozen");
                return 0;
        }
        if (r < 0)
                return freeze ? EXIT_VZ_CHKPNT : EXIT_VZ_RESTORE;
        printf("CT %u %s\n", c->id, freeze ? "frozen" : "thawed");
        return 0;
}

int verb_freeze(int argc, char **argv)
{
        return freeze_thaw("freeze", true, argc, argv);
}

int verb_thaw(int argc, char **argv)
{
        return freeze_thaw("thaw", false, argc, argv);
}

int verb_mount(int argc, char **argv)
{
        _cleanup_ct_ ct *c = NULL;
        int rc = one_ctid("mount", argc, argv);
        if (rc == 0)
                rc = cli_open_ct(argv[1], "mount", true, true, &c);
        if (rc != 0)
                return rc;
        if ((rc = cli_check_private(c)) != 0)
                return rc;
        int r = ct_mount(c);
        if (r == -EALREADY) {
                cli_err("Container is already mounted", "The root of CT %u is already mounted at %s", c->id,
                        c->cfg.ve_root);
                return EXIT_VZ_FS_MOUNTED;
        }
        if (r < 0)
                return cli_exit_code(r, EXIT_VZ_FS_CANTMOUNT);
        cli_say("Container is mounted", "CT %u is mounted at %s", c->id, c->cfg.ve_root);
        return 0;
}

int verb_umount(int argc, char **argv)
{
        _cleanup_ct_ ct *c = NULL;
        int rc = one_ctid("umount", argc, argv);
        if (rc == 0)
                rc = cli_open_ct(argv[1], "umount", true, true, &c);
        if (rc != 0)
                return rc;
        ct_status st;
        if (ct_get_status(c, &st) >= 0 && st.running) {
                cli_err("Container is running -- stop it first", "CT %u is running; stop it first", c->id);
                return EXIT_VZ_RUNNING;
        }
        int r = ct_umount(c);
        if (r == -EALREADY) {
                cli_err("CT is not mounted", "The root of CT %u is not mounted", c->id);
                return EXIT_VZ_FS_NOT_MOUNTED;
        }
        if (r < 0)
                return EXIT_VZ_FS_CANTUMOUNT;
        cli_say("Container is unmounted", "CT %u is unmounted", c->id);
        return 0;
}

int verb_destroy(int argc, char **argv)
{
        _cleanup_ct_ ct *c = NULL;
        int rc = one_ctid("destroy", argc, argv);
        if (rc == 0)
                rc = cli_open_ct(argv[1], "destroy", true, true, &c);
        if (rc != 0)
                return rc;
        ct_status st;
        int r = ct_get_status(c, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        if (st.running) {
                cli_err("Container is currently running. Stop it first.", "CT %u is running; stop it first",
                        c->id);
                return EXIT_VZ_RUNNING;
        }
        cli_vz_say("Destroying container private area: %s", c->cfg.ve_private);
        r = ct_destroy(c);
        if (r < 0)
                return EXIT_VZ_FS_DEL_PRVT;
        cli_say("Container private area was destroyed", "CT %u destroyed", c->id);
        return 0;
}
