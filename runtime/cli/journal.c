/* The command log, as vzctl.log: every command that changes a CT (or the template cache) is recorded in
 * LOGFILE (vpsctl.conf; default var/log/vpsctl.log) and to syslog, one line when it starts (the CT, the
 * verb and its options) and one when it ends (its exit code and how long it took), with its errors and
 * warnings (and with LOG_LEVEL, its other messages) in between. LOGGING="no" turns it off.
 *
 *   2026-12-04T21:16:03+0000 vpsctl[4242]: CT 101: set --ram 1G --save
 *   2026-12-04T21:16:03+0000 vpsctl[4242]: CT 101: set: exit 0 (0.02 s)
 *
 * Nothing secret is written: --userpasswd's value is masked before this sees argv (secret.c), and the
 * command of exec, exec2, enter and runscript is not written at all (it may hold anything). Each line is
 * one write(2) on an O_APPEND file, so concurrent commands never interleave within a line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cli.h"

static int journal_fd = -EBADF;
static char journal_who[128]; /* "CT 101: " or "" */
static char journal_verb[32];
static struct timespec journal_start;

static void journal_write(const char *msg)
{
        char stamp[64], line[4096];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&now, &tm));
        int n = snprintf(line, sizeof(line), "%s vpsctl[%d]: %s%s\n", stamp, (int)getpid(), journal_who,
                         msg);
        if (n >= (int)sizeof(line)) {
                n = (int)sizeof(line);
                line[n - 1] = '\n';
        }
        if (journal_fd >= 0 && n > 0)
                (void)loop_write(journal_fd, line, (size_t)n);
}

static void journal_sink(int level, const char *msg)
{
        (void)level;
        journal_write(msg);
}

/* arg as the shell would take it back: bare when plain, else in single quotes */
static size_t quote_arg(char *out, size_t size, const char *arg)
{
        bool plain = *arg != 0;
        for (const char *p = arg; *p; p++)
                plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/=@%+-*",
                                *p) != NULL;
        size_t n = 0;
        if (plain)
                return (size_t)snprintf(out, size, " %s", arg);
        n += (size_t)snprintf(out + n, size - n, " '");
        for (const char *p = arg; *p && n + 5 < size; p++)
                n += (size_t)(*p == '\'' ? snprintf(out + n, size - n, "'\\''")
                                         : snprintf(out + n, size - n, "%c", *p));
        if (n + 1 < size)
                n += (size_t)snprintf(out + n, size - n, "'");
        return n;
}

static bool verb_logged(const struct verb *v, int argc, char **argv)
{
        if (v->log == CLI_LOG_NONE)
                return false;
        /* of the template verbs, those that change the cache */
        if (streq(v->name, "template"))
                return argc > 1 && !streq(argv[1], "list") && !streq(argv[1], "help");
        /* a dry run changes nothing */
        if (streq(v->name, "import-openvz"))
                for (int i = 1; i < argc; i++)
                        if (streq(argv[i], "--dry-run"))
                                return false;
        return true;
}

void cli_journal_begin(const struct verb *v, int argc, char **argv)
{
        struct ct_config g;
        if (!verb_logged(v, argc, argv) || ct_config_init(&g, cli_paths.prefix, 0) < 0)
                return;
        /* a vpsctl.conf that cannot be parsed is the command's own error to report: the defaults here */
        (void)ct_config_parse_file_error(&g, cli_paths.global_conf, CT_KEY_GLOBAL, false, NULL);
        bool on = g.logging != CT_NO;
        if (on) {
                _cleanup_free_ char *dir = strdup(g.logfile);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash && slash != dir) {
                        *slash = 0;
                        (void)mkdir_p_at(AT_FDCWD, dir, 0755);
                }
                journal_fd = open(g.logfile,
                                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
                if (journal_fd < 0)
                        log_warning_errno(
                                -errno,
                                "Cannot open the command log %s: %m; this command is not logged there",
                                g.logfile);
        }
        int level = g.log_level >= 2   ? LOG_LEVEL_DEBUG
                    : g.log_level == 1 ? LOG_LEVEL_NOTICE
                                       : LOG_LEVEL_WARNING;
        ct_config_done(&g);
        if (!on)
                return;

        if (argc > 1 && argv[1][0] != '-' && !streq(v->name, "template") && !streq(v->name, "autostart") &&
            !streq(v->name, "stop-all"))
                snprintf(journal_who, sizeof(journal_who), "CT %.100s: ", argv[1]);
        snprintf(journal_verb, sizeof(journal_verb), "%s", v->name);
        char rec[3072];
        size_t n = (size_t)snprintf(rec, sizeof(rec), "%s", v->name);
        /* the CT is named before the verb; CLI_LOG_CT verbs say no more */
        for (int i = *journal_who ? 2 : 1; v->log == CLI_LOG_ARGS && i < argc && n < sizeof(rec) - 8; i++)
                n += quote_arg(rec + n, sizeof(rec) - n, argv[i]);
        if (n >= sizeof(rec))
                n = sizeof(rec) - 1;
        rec[n] = 0;
        journal_write(rec);
        openlog("vpsctl", LOG_PID, LOG_DAEMON);
        syslog(LOG_INFO, "%s%s", journal_who, rec);
        clock_gettime(CLOCK_MONOTONIC, &journal_start);
        log_set_sink(journal_sink, level);
}

void cli_journal_end(int rc)
{
        if (!*journal_verb)
                return;
        log_set_sink(NULL, 0);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double secs = (double)(now.tv_sec - journal_start.tv_sec) +
                      (double)(now.tv_nsec - journal_start.tv_nsec) / 1e9;
        const char *name = "";
        for (unsigned i = 0; i < exit_code_docs_count; i++)
                if (exit_code_docs[i].code == rc && rc != 0)
                        name = exit_code_docs[i].name;
        char rec[256];
        snprintf(rec, sizeof(rec), "%s: exit %d%s%s (%.3f s)", journal_verb, rc, *name ? " " : "", name,
                 secs);
        journal_write(rec);
        syslog(rc == 0 ? LOG_INFO : LOG_ERR, "%s%s", journal_who, rec);
        journal_fd = safe_close(journal_fd);
        *journal_verb = 0;
}
