/* vpsctl oci [GLOBAL OPTIONS] COMMAND ... (also installed as vpsctl-oci): the OCI runtime command line, as
 * runc's, that container engines (podman, containerd) drive; the engine's oci_* verbs do the work. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "cli.h"

static FILE *log_file;
static bool log_json;

/* --log FILE [--log-format json]: every message also goes there, as runc's clients read it */
static void oci_log_sink(int level, const char *msg)
{
        char ts[40];
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        const char *lv = level <= LOG_LEVEL_ERR ? "error" : level == LOG_LEVEL_WARNING ? "warning" : "info";
        if (!log_json) {
                fprintf(log_file, "%s %s %s\n", ts, lv, msg);
        } else {
                fprintf(log_file, "{\"level\":\"%s\",\"msg\":\"", lv);
                for (const char *p = msg; *p; p++) {
                        unsigned char c = (unsigned char)*p;
                        if (c == '"' || c == '\\')
                                fprintf(log_file, "\\%c", c);
                        else if (c < 0x20)
                                fprintf(log_file, "\\u%04x", c);
                        else
                                fputc(c, log_file);
                }
                fprintf(log_file, "\",\"time\":\"%s\"}\n", ts);
        }
        fflush(log_file);
}

static int oci_usage(const char *fmt, const char *arg)
{
        fputs("Error: ", stderr);
        fprintf(stderr, fmt, arg);
        fputs("\nUsage: vpsctl oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND\n"
              "  spec [--bundle DIR] [--from-ct CTID [--force]] | features\n"
              "  create --bundle DIR [--pid-file FILE] [--console-socket SOCKET] ID\n"
              "  start ID | state ID | kill [--all] ID [SIGNAL] | pause ID | resume ID\n"
              "  exec [--process FILE] [--tty --console-socket SOCKET] [--detach] [--pid-file FILE] ID\n"
              "    [COMMAND ARG...]\n"
              "  ps [--format table|json] ID | update --resources FILE|- ID | delete [--force] ID\n",
              stderr);
        return EXIT_VZ_BAD_SYNTAX;
}

/* "--name VALUE" or "--name=VALUE" (split by cli_split_eq_options) at argv[*i]; also runc's "-b" style
 * short alias when given */
static bool take(int argc, char **argv, int *i, const char *name, const char *alias, const char **ret)
{
        if (!streq(argv[*i], name) && !(alias && streq(argv[*i], alias)))
                return false;
        if (*i + 1 >= argc) {
                *ret = NULL;
                return true;
        }
        *ret = argv[++*i];
        return true;
}

static int parse_signal(const char *s)
{
        char *end;
        long n = strtol(s, &end, 10);
        if (*s && !*end)
                return n > 0 && n <= SIGRTMAX ? (int)n : -1;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (int sig = 1; sig < SIGRTMIN; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && strcasecmp(abbrev, s) == 0)
                        return sig;
        }
        return -1;
}

/* ps: runc's --format json (a JSON array of host pids, containerd's form) or a table of pid and command */
static void print_ps(const pid_t *pids, size_t n, bool json)
{
        if (json) {
                fputc('[', stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int)pids[i]);
                fputs("]\n", stdout);
                return;
        }
        printf("%-8s %s\n", "PID", "CMD");
        for (size_t i = 0; i < n; i++) {
                char path[64], cmd[512];
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
                FILE *f = fopen(path, "re");
                size_t len = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
                if (f)
                        fclose(f);
                cmd[len] = 0;
                for (size_t j = 0; j + 1 < len; j++)
                        if (!cmd[j])
                                cmd[j] = ' ';
                printf("%-8d %s\n", (int)pids[i], cmd);
        }
}

/* vzctl's codes where the meaning exists: 14 no such container, 44 it exists, 31 not in the state the verb
 * needs, 32 delete of a running one, 21 config.json refused, 9 locked, 8 exec's process could not run */
static int cmd_exit(const char *cmd, int r)
{
        if (r >= 0)
                return 0;
        if (r == -ENOENT)
                return EXIT_VZ_NOVE_CONFIG;
        if (r == -EEXIST)
                return EXIT_VZ_FS_PRVT_EXISTS;
        if (r == -EBUSY && streq(cmd, "delete"))
                return EXIT_VZ_RUNNING;
        if (r == -ENOEXEC && streq(cmd, "exec"))
                return EXIT_VZ_EXEC;
        return cli_exit_code(r, EXIT_VZ_SYSTEM);
}

static int oci_main(int argc, char **argv)
{
        /* runc's /run/runc, under the prefix as every file of vpsctl's */
        char default_root[4096];
        snprintf(default_root, sizeof(default_root), "%s/run/vpsctl-oci",
                 streq(cli_paths.prefix, "/") ? "" : cli_paths.prefix);
        const char *root = default_root, *log_path = NULL, *format = "text", *v;
        int i = 0;

        for (; i < argc && argv[i][0] == '-'; i++) {
                if (streq(argv[i], "--version") || streq(argv[i], "-v")) {
                        printf("vpsctl-oci version %s\nspec: 1.2.0 (1.0.0 to 1.2.x accepted)\n",
                               VPSCTL_VERSION);
                        return 0;
                }
                if (streq(argv[i], "--systemd-cgroup")) {
                        log_error("--systemd-cgroup is not supported: vpsctl manages cgroupfs paths itself; "
                                  "configure the client's cgroup manager as cgroupfs");
                        return EXIT_VZ_BAD_SYNTAX;
                }
                if (take(argc, argv, &i, "--root", NULL, &v)) {
                        if (!v || v[0] != '/')
                                return oci_usage("--root needs an absolute directory%s", "");
                        root = v;
                } else if (take(argc, argv, &i, "--log", NULL, &v)) {
                        if (!v)
                                return oci_usage("--log needs a file%s", "");
                        log_path = v;
                } else if (take(argc, argv, &i, "--log-format", NULL, &v)) {
                        if (!v || (!streq(v, "text") && !streq(v, "json")))
                                return oci_usage("--log-format is text or json, not \"%s\"", v ? v : "");
                        format = v;
                } else
                        return oci_usage("unknown global option %s", argv[i]);
        }
        if (log_path) {
                log_file = fopen(log_path, "ae");
                if (!log_file) {
                        log_error_errno(-errno, "Cannot open --log %s: %m", log_path);
                        return EXIT_VZ_SYSTEM;
                }
                log_json = streq(format, "json");
                log_set_sink(oci_log_sink, LOG_LEVEL_WARNING);
        }
        if (i >= argc)
                return oci_usage("a command is missing%s", "");
        const char *cmd = argv[i++];
        /* runc's verbs that vpsctl does not have yet: refused before their options, which are not parsed */
        if (streq(cmd, "checkpoint") || streq(cmd, "restore") || streq(cmd, "run") || streq(cmd, "events") ||
            streq(cmd, "list")) {
                log_error(
                        "vpsctl oci %s is not implemented yet; the runtime supports spec, features, create, "
                        "start, state, kill, pause, resume, exec, ps, update --resources and delete",
                        cmd);
                return EXIT_VZ_BAD_SYNTAX;
        }
        const char *bundle = NULL, *pid_file = NULL, *console = NULL, *id = NULL, *sig = NULL;
        const char *ps_format = "table", *process = NULL, *resources = NULL, *from_ct = NULL;
        bool detach = false, kill_all = false, tty = false;
        char **args = NULL;
        bool force = false;
        for (; i < argc; i++) {
                if ((streq(cmd, "delete") || streq(cmd, "spec")) &&
                    (streq(argv[i], "--force") || streq(argv[i], "-f")))
                        force = true;
                else if (streq(cmd, "spec") && take(argc, argv, &i, "--from-ct", NULL, &v)) {
                        if (!v)
                                return oci_usage("--from-ct needs a CTID%s", "");
                        from_ct = v;
                } else if (streq(cmd, "kill") && (streq(argv[i], "--all") || streq(argv[i], "-a")))
                        kill_all = true;
                else if ((streq(cmd, "create") || streq(cmd, "spec")) &&
                         take(argc, argv, &i, "--bundle", "-b", &v)) {
                        if (!v)
                                return oci_usage("--bundle needs a directory%s", "");
                        bundle = v;
                } else if ((streq(cmd, "create") || streq(cmd, "exec")) &&
                           take(argc, argv, &i, "--console-socket", NULL, &v)) {
                        if (!v)
                                return oci_usage("--console-socket needs a socket path%s", "");
                        console = v;
                } else if (streq(cmd, "exec") && id) {
                        args = argv + i; /* the command and its arguments, as they are */
                        break;
                } else if (streq(cmd, "exec") && take(argc, argv, &i, "--process", "-p", &v)) {
                        if (!v)
                                return oci_usage("--process needs a file%s", "");
                        process = v;
                } else if ((streq(cmd, "create") || streq(cmd, "exec")) &&
                           take(argc, argv, &i, "--pid-file", NULL, &v)) {
                        if (!v)
                                return oci_usage("--pid-file needs a file%s", "");
                        pid_file = v;
                } else if (streq(cmd, "exec") && (streq(argv[i], "--detach") || streq(argv[i], "-d"))) {
                        detach = true;
                } else if (streq(cmd, "exec") && (streq(argv[i], "--tty") || streq(argv[i], "-t"))) {
                        tty = true;
                } else if (streq(cmd, "update") && take(argc, argv, &i, "--resources", "-r", &v)) {
                        if (!v)
                                return oci_usage("--resources needs a file, or - for stdin%s", "");
                        resources = v;
                } else if (streq(cmd, "ps") && take(argc, argv, &i, "--format", "-f", &v)) {
                        if (!v || (!streq(v, "table") && !streq(v, "json")))
                                return oci_usage("ps --format is table or json, not \"%s\"", v ? v : "");
                        ps_format = v;
                } else if (argv[i][0] == '-' && argv[i][1])
                        return oci_usage("unknown option %s", argv[i]);
                else if (!id && !streq(cmd, "spec"))
                        id = argv[i];
                else if (!sig && streq(cmd, "kill"))
                        sig = argv[i];
                else
                        return oci_usage("unexpected argument \"%s\"", argv[i]);
        }
        if (streq(cmd, "spec") && from_ct) {
                _cleanup_ct_ ct *c = NULL;
                int rc = cli_open_ct(from_ct, "oci spec", true, true, &c);
                if (rc == 0)
                        rc = cli_check_private(c);
                if (rc != 0)
                        return rc;
                int r = oci_spec_from_ct(c, bundle ? bundle : ".", force);
                return r == -EBUSY ? EXIT_VZ_RUNNING : cmd_exit(cmd, r);
        }
        if (force && streq(cmd, "spec"))
                return oci_usage("spec --force goes with --from-ct%s", "");
        if (streq(cmd, "spec"))
                return cmd_exit(cmd, oci_write_default_spec(bundle ? bundle : "."));
        if (streq(cmd, "features")) {
                _cleanup_free_ char *json = NULL;
                int r = oci_features_json(&json);
                if (r < 0)
                        return cmd_exit(cmd, r);
                printf("%s\n", json);
                return 0;
        }
        if (!streq(cmd, "create") && !streq(cmd, "start") && !streq(cmd, "state") && !streq(cmd, "kill") &&
            !streq(cmd, "delete") && !streq(cmd, "pause") && !streq(cmd, "resume") && !streq(cmd, "ps") &&
            !streq(cmd, "exec") && !streq(cmd, "update"))
                return oci_usage("unknown command \"%s\"", cmd);
        if (!id)
                return oci_usage("%s needs a container ID", cmd);
        if (streq(cmd, "create"))
                return cmd_exit(cmd, oci_create(root, id, bundle ? bundle : ".", pid_file, console));
        if (streq(cmd, "start"))
                return cmd_exit(cmd, oci_start(root, id));
        if (streq(cmd, "state")) {
                _cleanup_free_ char *json = NULL;
                int r = oci_state_json(root, id, &json);
                if (r < 0)
                        return cmd_exit(cmd, r);
                printf("%s\n", json);
                return 0;
        }
        if (streq(cmd, "kill")) {
                int s = parse_signal(sig ? sig : "TERM");
                if (s < 0)
                        return oci_usage("\"%s\" is not a signal", sig);
                return cmd_exit(cmd, oci_kill(root, id, s, kill_all));
        }
        if (streq(cmd, "update")) {
                /* runc's --memory, --pids-limit, ... are unknown options above: the JSON is the one form */
                if (!resources)
                        return oci_usage("update takes --resources FILE (a linux.resources object)%s", "");
                return cmd_exit(cmd, oci_update(root, id, resources));
        }
        if (streq(cmd, "exec")) {
                if (!process == !args)
                        return oci_usage("exec takes --process FILE or a command%s", "");
                int status = 0,
                    r = oci_exec(root, id, process, args, tty, console, detach, pid_file, &status);
                return r < 0 ? cmd_exit(cmd, r) : status;
        }
        if (streq(cmd, "ps")) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                int r = oci_ps(root, id, &pids, &n);
                if (r < 0)
                        return cmd_exit(cmd, r);
                print_ps(pids, n, streq(ps_format, "json"));
                return 0;
        }
        if (streq(cmd, "pause") || streq(cmd, "resume"))
                return cmd_exit(cmd, oci_pause(root, id, streq(cmd, "pause")));
        return cmd_exit(cmd, oci_delete(root, id, force));
}

int verb_oci(int argc, char **argv)
{
        int rc = oci_main(argc - 1, argv + 1);
        if (log_file) {
                log_set_sink(NULL, 0);
                fclose(log_file);
                log_file = NULL;
        }
        return rc;
}
