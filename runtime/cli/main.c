/* vpsctl: entry point and verb dispatch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli.h"

struct ct_paths cli_paths;

const struct verb verbs[] = {
        { "create", verb_create, false,
          "create CTID --ostemplate NAME [--config SAMPLE] [--hostname H] [--name N] [--description D] "
          "[--layout overlay|copy] [--userns yes|no] [--ipadd ADDR[/LEN]]... [--netif_add SPEC]... "
          "[--nameserver IP|inherit]... [--searchdomain D]...",
          "create a CT from a template", CLI_LOG_ARGS },
        { "start", verb_start, true, "start CTID [--wait] [--force]",
          "start a CT (returns once its init runs)", CLI_LOG_ARGS },
        { "stop", verb_stop, false, "stop CTID [--fast]", "shut a CT down, then kill what is left",
          CLI_LOG_ARGS },
        { "restart", verb_restart, true, "restart CTID [--wait]", "stop and start a CT", CLI_LOG_ARGS },
        { "status", verb_status, false, "status CTID",
          "print `CTID N exist|deleted mounted|unmounted running|down [frozen]`", CLI_LOG_NONE },
        { "freeze", verb_freeze, false, "freeze CTID",
          "freeze every process of a running CT (no CPU used, state kept)", CLI_LOG_ARGS },
        { "thaw", verb_thaw, false, "thaw CTID", "let a frozen CT run again", CLI_LOG_ARGS },
        { "mount", verb_mount, false, "mount CTID", "mount a CT's root without starting it", CLI_LOG_ARGS },
        { "umount", verb_umount, false, "umount CTID", "unmount a stopped CT's root", CLI_LOG_ARGS },
        { "destroy", verb_destroy, false, "destroy CTID", "remove a stopped CT and its files",
          CLI_LOG_ARGS },
        { "delete", verb_destroy, false, "delete CTID", "same as destroy", CLI_LOG_ARGS },
        { "exec", verb_exec, true, "exec CTID COMMAND [ARG...] | exec CTID -",
          "run a command in a CT with /bin/sh -c; exit 8 if it fails", CLI_LOG_CT },
        { "exec2", verb_exec2, true, "exec2 CTID COMMAND [ARG...]",
          "as exec, exiting with the command's status", CLI_LOG_CT },
        { "console", verb_console, false, "console CTID",
          "attach to a CT's console (CONSOLE=yes); detach with Esc then . or Ctrl-]", CLI_LOG_CT },
        { "runscript", verb_runscript, true, "runscript CTID FILE",
          "run a host's shell script inside a running CT (/bin/sh reads it); exits with its status",
          CLI_LOG_CT },
        { "enter", verb_enter, true, "enter CTID [--exec COMMAND [ARG...]]", "interactive shell inside a CT",
          CLI_LOG_CT },
        { "set", verb_set, true,
          "set CTID [--hostname H] [--name N] [--description D] [--onboot yes|no] [--disabled yes|no] "
          "[--stop-timeout SEC] [--ipadd ADDR[/LEN]] [--ipdel ADDR|all] "
          "[--netif_add IFNAME[,MAC,HOST_IFNAME,HOST_MAC,BRIDGE]] [--netif_del IFNAME|all] "
          "[--nameserver IP|inherit] [--searchdomain D] [--userpasswd USER[:PASSWORD]] [--applyconfig "
          "SAMPLE] "
          "[--setmode restart|ignore] [resource options] [--save]",
          "change a CT's parameters, live and/or in its config", CLI_LOG_ARGS },
        { "seccomp", verb_seccomp, false, "seccomp show CTID",
          "the system calls a CT's seccomp filter denies (SECCOMP, SECCOMP_ALLOW, SECCOMP_DENY)",
          CLI_LOG_NONE },
        { "stat", verb_stat, false, "stat CTID [-j]",
          "a running CT's usage: held, maxheld, limit, failcnt; cpu, io, pressure", CLI_LOG_NONE },
        { "metrics", verb_metrics, false, "metrics [--textfile DIR | --listen [ADDR:]PORT] [CTID...]",
          "every CT's figures in the Prometheus text format: stdout, a node_exporter textfile, or HTTP",
          CLI_LOG_NONE },
        { "top", verb_top, false, "top [-d SECONDS] [-b] [-n N] [-s [-]FIELD]",
          "a live table of the CTs by CPU %, memory, swap, pids, IO and network rates; -b for scripts",
          CLI_LOG_NONE },
        { "check", verb_check, false, "check [-j]",
          "host memory and CPU against the running CTs' guarantees and limits", CLI_LOG_NONE },
        { "list", verb_list, false,
          "list [-a|-S] [-H] [-o FIELD,...|-1] [-n] [-s [-]FIELD] [-h|-N|-d PATTERN] [-t|--no-trim] [-j] "
          "[-L] "
          "[CTID...]",
          "list CTs like vzlist", CLI_LOG_NONE },
        { "template", verb_template, true,
          "template list [-j] | build NAME | rebuild NAME [--if-older-than AGE] | remove NAME | "
          "import FILE [--name NAME] | import-cache DIR | export NAME FILE",
          "the template cache: recipes, generations, tarballs", CLI_LOG_ARGS },
        { "import-openvz", verb_import_openvz, false,
          "import-openvz [--root DIR] [--ctid CTID]... [--userns yes|no] [--dry-run] [--copy|--move]",
          "turn an OpenVZ host's CTs (DIR/etc/vz, simfs private areas) into vpsctl CTs; --dry-run: say how, "
          "key by key",
          CLI_LOG_ARGS },
        { "autostart", verb_autostart, false, "autostart [--parallel N]",
          "start the ONBOOT CTs by BOOTORDER, highest first, VE_PARALLEL at a time (host boot)",
          CLI_LOG_ARGS },
        { "stop-all", verb_stop_all, false, "stop-all [--parallel N]",
          "stop every running CT, in reverse boot order, VE_PARALLEL at a time (host shutdown)",
          CLI_LOG_ARGS },
        { "oci", verb_oci, true,
          "oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND: spec [--bundle DIR] | features | "
          "create --bundle DIR [--pid-file FILE] [--console-socket SOCKET] ID | start ID | state ID | "
          "kill [--all] ID [SIGNAL] | pause ID | resume ID | "
          "exec [--process FILE] [--tty --console-socket SOCKET] [--detach] [--pid-file FILE] ID "
          "[COMMAND...] | "
          "ps [--format table|json] ID | update --resources FILE ID | delete [--force] ID | --version",
          "the OCI runtime command line (runc's) for podman, containerd; also installed as vpsctl-oci",
          CLI_LOG_NONE },
        { "help", verb_help, false, "help [VERB|exit-codes|--man PAGE]",
          "this help; --man: a man page in roff", CLI_LOG_NONE },
        { NULL, NULL, false, NULL, NULL, CLI_LOG_NONE },
};

void cli_json_string(const char *s)
{
        if (!s) {
                fputs("null", stdout);
                return;
        }
        putchar('"');
        for (; *s; s++) {
                unsigned char ch = (unsigned char)*s;
                if (ch == '"' || ch == '\\')
                        printf("\\%c", ch);
                else if (ch < 0x20)
                        printf("\\u%04x", ch);
                else
                        putchar(ch);
        }
        putchar('"');
}

int cli_check_private(const ct *c)
{
        if (access(c->cfg.ve_private, F_OK) == 0)
                return 0;
        if (errno != ENOENT) {
                log_error_errno(-errno, "Cannot access the private area %s of CT %u: %m", c->cfg.ve_private,
                                c->id);
                return EXIT_VZ_SYSTEM;
        }
        char vz[4200];
        snprintf(vz, sizeof(vz), "Container private area %s does not exist", c->cfg.ve_private);
        cli_err(vz, "The private area %s of CT %u does not exist: it can be neither mounted nor started",
                c->cfg.ve_private, c->id);
        return EXIT_VZ_FS_NOPRVT;
}

/* No CTID on the command line: vzctl's "CT ID missing" is VZ_INVALID_PARAMETER_VALUE, not a syntax error. */
int cli_ctid_missing(const char *verb)
{
        (void)cli_usage_error(verb, "CTID is missing");
        return EXIT_VZ_BAD_VALUE;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("Error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        for (const struct verb *v = verbs; v->name; v++)
                if (streq(v->name, verb))
                        fprintf(stderr, "Usage: vpsctl %s\n", v->usage);
        return EXIT_VZ_BAD_SYNTAX;
}

int cli_exit_code(int r, int fallback)
{
        switch (r) {
        case 0:
                return 0;
        case -EBUSY:
                return EXIT_VZ_LOCKED;
        case -ESRCH:
                return EXIT_VZ_NOT_RUNNING;
        case -ENOPKG:
                return EXIT_VZ_TMPL_NOTFOUND;
        case -EINVAL:
        case -ERANGE:
                return EXIT_VZ_BAD_VALUE;
        case -ENOMEM:
                return 4;
        case -ENOSPC:
        case -EDQUOT:
                return EXIT_VZ_FS_NO_DISK_SPACE;
        case -CT_EACTIONSCRIPT:
                return EXIT_VZ_ACTIONSCRIPT;
        case -CT_ENOQUOTA:
                return EXIT_VZ_DQ_ON;
        default:
                return fallback;
        }
}

static int open_ct(const char *arg, const char *verb, bool lock, bool must_exist, bool lenient, ct **ret)
{
        _cleanup_ct_ ct *c = NULL;
        unsigned id;
        int r;

        if (!arg)
                return cli_ctid_missing(verb);
        r = ct_resolve_id(&cli_paths, arg, &id);
        if (r == -ENOENT) {
                log_error("No CT is named \"%s\"; give a CTID (%u..%u) or an existing --name", arg, CTID_MIN,
                          CTID_MAX);
                return EXIT_VZ_NOVE_CONFIG;
        }
        if (r == -ERANGE) {
                log_error("CTID %s is out of range: CTIDs are %u..%u (0..100 are reserved)", arg, CTID_MIN,
                          CTID_MAX);
                return EXIT_VZ_BAD_VALUE; /* vzctl: "Bad CT ID", VZ_INVALID_PARAMETER_VALUE */
        }
        if (r == -EINVAL) {
                log_error("\"%s\" is neither a CTID (%u..%u) nor a valid CT name", arg, CTID_MIN, CTID_MAX);
                return EXIT_VZ_BAD_VALUE;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to look up CT %s: %m", arg);
                return EXIT_VZ_SYSTEM;
        }
        r = lenient ? ct_load_lenient(&cli_paths, id, &c) : ct_load(&cli_paths, id, true, &c);
        if (r < 0)
                return r == -EINVAL ? EXIT_VZ_BAD_VALUE : EXIT_VZ_SYSTEM;
        if (must_exist && !c->exists) {
                log_error("CT %u does not exist (no %s); create it first", id, c->conf_path);
                return EXIT_VZ_NOVE_CONFIG;
        }
        if (lock) {
                pid_t holder = 0;
                r = ct_lock(c, verb, &holder);
                if (r == -EBUSY) {
                        char info[256] = "";
                        char path[4096];
                        FILE *f;
                        snprintf(path, sizeof(path), "%s/lock", c->run_path);
                        if ((f = fopen(path, "re"))) {
                                if (fgets(info, sizeof(info), f))
                                        info[strcspn(info, "\n")] = 0;
                                fclose(f);
                        }
                        const char *what = strchr(info, ' ');
                        if (holder > 0)
                                log_error("CT %u is locked by pid %d (vpsctl %s); try again when it has "
                                          "finished",
                                          id, (int)holder, what ? what + 1 : "?");
                        else
                                log_error("CT %u is locked by another vpsctl command; try again later", id);
                        return EXIT_VZ_LOCKED;
                }
                if (r < 0) {
                        log_error_errno(r, "Failed to lock CT %u: %m", id);
                        return EXIT_VZ_SYSTEM;
                }
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int cli_open_ct(const char *arg, const char *verb, bool lock, bool must_exist, ct **ret)
{
        return open_ct(arg, verb, lock, must_exist, false, ret);
}

int cli_open_ct_readonly(const char *arg, const char *verb, bool must_exist, ct **ret)
{
        return open_ct(arg, verb, false, must_exist, true, ret);
}

int cli_config_error(const ct *c)
{
        if (!c->config_error)
                return 0;
        log_error("CT %u: its config cannot be parsed: %s; the CT is shown from its processes and the "
                  "defaults, fix %s",
                  c->id, c->config_error, c->conf_path);
        return EXIT_VZ_INVALID_CONFIG;
}

static void print_usage(FILE *f)
{
        fprintf(f,
                "vpsctl %s: OpenVZ-style system containers on a stock kernel\n\nUsage: vpsctl VERB [CTID] "
                "[OPTIONS]\n\n",
                VPSCTL_VERSION);
        for (const struct verb *v = verbs; v->name; v++)
                fprintf(f, "  %-9s %s\n", v->name, v->summary);
        fprintf(f,
                "\n`vpsctl help VERB` shows a verb's options; `vpsctl help exit-codes` the exit codes.\n");
}

int verb_help(int argc, char **argv)
{
        if (argc < 2) {
                print_usage(stdout);
                return 0;
        }
        if (streq(argv[1], "--man")) {
                if (argc != 3)
                        return cli_usage_error("help", "--man needs a page: vpsctl.8, vzctl.8, vzlist.8, "
                                                       "vpsctl.conf.5, ctid.conf.5");
                return cli_man_page(argv[2]);
        }
        if (streq(argv[1], "exit-codes")) {
                printf("%-5s %-28s %s\n", "CODE", "NAME (vzctl)", "MEANING");
                for (unsigned i = 0; i < exit_code_docs_count; i++)
                        printf("%-5d %-28s %s\n", exit_code_docs[i].code, exit_code_docs[i].name,
                               exit_code_docs[i].meaning);
                return 0;
        }
        for (const struct verb *v = verbs; v->name; v++)
                if (streq(v->name, argv[1])) {
                        printf("Usage: vpsctl %s\n\n%s\n", v->usage, v->summary);
                        if (streq(v->name, "set") || streq(v->name, "create")) {
                                printf("\nParameters (CTID.conf key, option):\n");
                                /* set: what it can change; create: the keys it takes as options */
                                static const char *const create_keys[] = { "HOSTNAME", "NAME", "DESCRIPTION",
                                                                           "USERNS" };
                                bool create = streq(v->name, "create");
                                for (size_t i = 0; i < ct_keys_count; i++) {
                                        const struct ct_key *k = &ct_keys[i];
                                        bool shown = k->option && (k->flags & CT_KEY_CT) &&
                                                     (create || !(k->flags & CT_KEY_NOSET));
                                        if (create) {
                                                bool taken = false;
                                                for (size_t j = 0; j < ELEMENTSOF(create_keys); j++)
                                                        taken = taken || streq(k->key, create_keys[j]);
                                                shown = shown && taken;
                                        }
                                        if (shown)
                                                printf("  --%-14s %-13s %s\n", k->option, k->key, k->help);
                                }
                        }
                        return 0;
                }
        log_error("Unknown verb \"%s\"; `vpsctl help` lists them", argv[1]);
        return EXIT_VZ_BAD_SYNTAX;
}

/* vzlist: list's command line under vzlist's name */
static int vzlist_main(int argc, char **argv)
{
        log_setup("vzlist");
        cli_vzlist = true;
        if (argc > 1 && (streq(argv[1], "--version") || streq(argv[1], "-V"))) {
                printf("vzlist (vpsctl) %s\n", VPSCTL_VERSION);
                return 0;
        }
        if (geteuid() != 0) {
                log_error("vzlist must run as root");
                return EXIT_VZ_SYSTEM;
        }
        const struct verb *v = NULL;
        for (const struct verb *i = verbs; i->name; i++)
                if (streq(i->name, "list"))
                        v = i;
        if (cli_split_eq_options(v, &argc, &argv) < 0 || ct_paths_init(&cli_paths) < 0)
                return EXIT_VZ_SYSTEM;
        int rc = verb_list(argc, argv);
        ct_paths_done(&cli_paths);
        return rc;
}

int main(int argc, char **argv)
{
        /* the console keeper of a CT is vpsctl re-executed: it takes nothing else of the command line */
        if (ct_console_keeper_argv(argc, argv))
                return ct_console_keeper_main(argc, argv);
        const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
        if (streq(prog, "vzlist"))
                return vzlist_main(argc, argv);
        /* vpsctl-oci ARGS: vpsctl oci ARGS, for clients that take a runtime binary's path */
        if (streq(prog, "vpsctl-oci")) {
                /* lives as long as the process, as argv does */
                char **oci_argv = calloc((size_t)argc + 2, sizeof(char *));
                if (!oci_argv)
                        return EXIT_VZ_SYSTEM;
                /* not vpsctl-oci: the re-exec from the sealed copy must not insert "oci" twice */
                oci_argv[0] = (char *)"vpsctl";
                oci_argv[1] = (char *)"oci";
                memcpy(oci_argv + 2, argv + 1, (size_t)argc * sizeof(char *)); /* with the final NULL */
                argc++;
                argv = oci_argv;
        }
        cli_vzctl = streq(prog, "vzctl");
        log_setup(cli_vzctl ? "vzctl" : "vpsctl");
        /* vzctl [--quiet|--verbose] VERB ...: the verb is argv[1] from here on */
        int skip = cli_vzctl ? cli_vzctl_global_options(argc, argv) : 0;
        if (skip > 0) {
                /* they change nothing here: dropped, also from a re-exec's command line */
                argv[skip] = argv[0];
                argc -= skip;
                argv += skip;
        }
        if (argc < 2) {
                print_usage(stderr);
                return EXIT_VZ_BAD_SYNTAX;
        }
        if (streq(argv[1], "--version") || streq(argv[1], "-V")) {
                printf(cli_vzctl ? "vzctl (vpsctl) %s\n" : "vpsctl %s\n", VPSCTL_VERSION);
                return 0;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
                print_usage(stdout);
                return 0;
        }
        const struct verb *v = NULL;
        for (const struct verb *i = verbs; i->name; i++)
                if (streq(i->name, argv[1]))
                        v = i;
        if (!v) {
                log_error("Unknown verb \"%s\"; `%s help` lists them", argv[1],
                          cli_vzctl ? "vzctl" : "vpsctl");
                return EXIT_VZ_BAD_SYNTAX;
        }
        if (geteuid() != 0 && !streq(v->name, "help")) {
                log_error("%s %s must run as root", cli_vzctl ? "vzctl" : "vpsctl", v->name);
                return EXIT_VZ_SYSTEM;
        }
        if (cli_take_secrets(argc, argv) < 0)
                return EXIT_VZ_SYSTEM;
        /* the OCI verbs' containers have the user namespace their config.json asks for, or none */
        if (v->touches_ct && (streq(v->name, "oci") || ct_needs_sealed_binary(argc > 2 ? argv[2] : NULL))) {
                int secret_fd;
                int r = cli_pass_secrets(&secret_fd);
                if (r >= 0)
                        r = ct_ensure_cloned_binary(argv);
                cli_pass_secrets_done(secret_fd); /* no re-exec: already sealed, or it failed */
                if (r < 0) {
                        log_error_errno(r, "Failed to re-execute vpsctl from a sealed copy of itself: %m");
                        return EXIT_VZ_SYSTEM;
                }
        }
        if (cli_split_eq_options(v, &argc, &argv) < 0)
                return EXIT_VZ_SYSTEM;
        if (ct_paths_init(&cli_paths) < 0)
                return EXIT_VZ_SYSTEM;
        cli_journal_begin(v, argc - 1, argv + 1);
        int rc = v->run(argc - 1, argv + 1);
        cli_journal_end(rc);
        ct_paths_done(&cli_paths);
        cli_secrets_free();
        return rc;
}
