/* The vpsctl command line: one table of verbs, one file per verb. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "runtime/engine.h"

enum cli_log {
        CLI_LOG_NONE, /* read-only: not in the command log */
        CLI_LOG_ARGS, /* logged with its options */
        CLI_LOG_CT,   /* logged with its CT only: the rest is a command to run, which may hold anything */
};

struct verb {
        const char *name;
        int (*run)(int argc, char **argv);
        bool touches_ct; /* joins or spawns into a CT: re-exec from a sealed memfd first */
        const char *usage;
        const char *summary;
        enum cli_log log; /* journal.c */
};

extern const struct verb verbs[];
extern struct ct_paths cli_paths;

/* Resolve argv's CTID/name (exit code on failure), load the CT, optionally lock it for `verb`. */
int cli_open_ct(const char *arg, const char *verb, bool lock, bool must_exist, ct **ret);
/* The same for the read-only verbs (status, stat): a CT whose config cannot be parsed is still opened
 * (ct_load_lenient), so they can report it from the facts. */
int cli_open_ct_readonly(const char *arg, const char *verb, bool must_exist, ct **ret);
/* 0, or for a CT whose config cannot be parsed: says so (file:line, what) and returns
 * EXIT_VZ_INVALID_CONFIG. */
int cli_config_error(const ct *c);
/* Map a negative errno from a lifecycle call to an exit code, given the verb's default. */
int cli_exit_code(int r, int fallback);
/* Print s as a JSON string (null for NULL). */
void cli_json_string(const char *s);
/* Print usage of a verb to stderr and return EXIT_VZ_BAD_SYNTAX. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The CT's private area must exist to mount or start it: vzctl's "Container private area ... does not
 * exist" and VZ_FS_NOPRVT when it does not. */
int cli_check_private(const ct *c);
/* "CTID is missing" with the verb's usage; returns EXIT_VZ_BAD_VALUE (vzctl's code for it). */
int cli_ctid_missing(const char *verb);

/* netopts.c: --ipadd/--ipdel/--netif_add/--netif_del/--nameserver/--searchdomain of set and create. */
struct cli_netopts {
        char **ipadd, **ipdel, **netif_add, **netif_del, **nameserver, **searchdomain;
        size_t n_ipadd, n_ipdel, n_netif_add, n_netif_del, n_nameserver, n_searchdomain;
        bool set_ns, set_sd;
        char *v_ip[2], *v_netif[2], *v_ns, *v_sd; /* the resulting values, owned here; [slot] */
        int ip_lock;                              /* the host-wide address lock, while held */
};
#define CLI_NETOPTS_INIT          \
        {                         \
                .ip_lock = -EBADF \
        }
void cli_netopts_done(struct cli_netopts *o);
/* Take one option (without dashes) and its value: 0, an exit code for a bad value, or -ENOENT when opt is
 * not a network option. Values are checked here, before anything is locked or changed. */
int cli_netopts_take(struct cli_netopts *o, const char *opt, const char *value);
bool cli_netopts_any(const struct cli_netopts *o);
/* Turn the options into key changes against base lists (the saved config's, or a running CT's live ones;
 * slot 0 or 1 keeps the two results apart), refusing addresses in use (exit 78). */
int cli_netopts_changes(struct cli_netopts *o, ct *c, const char *base_ips, const char *base_netif, int slot,
                        struct ct_change *changes, size_t *n, size_t max);

/* secret.c: --userpasswd. cli_take_secrets() copies its value into cli_userpasswd ("USER:PASSWORD" or
 * "USER") and masks the password in argv; cli_pass_secrets() hands it to a re-exec of ourselves on a pipe
 * (ret_fd, closed by cli_pass_secrets_done() when no exec happened). */
extern char *cli_userpasswd;

/* journal.c: the command log (LOGFILE, syslog) of a verb that changes something: argv is the verb's. */
void cli_journal_begin(const struct verb *v, int argc, char **argv);
void cli_journal_end(int rc);
int cli_take_secrets(int argc, char **argv);
int cli_pass_secrets(int *ret_fd);
void cli_pass_secrets_done(int fd);
void cli_secrets_free(void);

/* exec.c: the exit code of a failed exec, exec2, enter or runscript (ct_exec's errors), saying a CT
 * that is not running is not (hint appended). */
int cli_exec_error(const ct *c, int r, const char *not_running_hint);

/* compat.c: vzctl's and vzlist's names. cli_vzctl: run as `vzctl`; cli_say() prints the vzctl text vz
 * then (when not NULL), else fmt; cli_vz_say() prints only as vzctl; cli_err() is log_error() with
 * vzctl's text as vzctl. */
extern bool cli_vzctl;
/* run as `vzlist`: list's errors are vzlist's lines and exit code (1) */
extern bool cli_vzlist;
/* list.c: the man page's line of list's runtime field i; false past the last, *ret_name NULL to skip. */
bool cli_list_field_doc(size_t i, const char **ret_name, const char **ret_doc);
void cli_say(const char *vz, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_vz_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_err(const char *vz, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "--opt=value" as "--opt" "value" (not for the verbs that run a command in the CT): *argv may be
 * replaced by a new array that lives as long as the process. */
int cli_split_eq_options(const struct verb *v, int *argc, char ***argv);
/* How many of vzctl's global options (--quiet, --verbose) precede the verb in argv[1..]. */
int cli_vzctl_global_options(int argc, char **argv);

/* man.c: write a man page (vpsctl.8, vzctl.8, vzlist.8, vpsctl.conf.5, ctid.conf.5) to stdout. */
int cli_man_page(const char *page);

/* metrics.c: the Prometheus text of the CTs ids[0..n) (every CT when n is 0), in one malloc()ed buffer.
 * metrics-http.c: serve it on ADDR:PORT (GET /metrics) until SIGTERM/SIGINT; an exit code. */
int metrics_render(const unsigned *ids, size_t n, char **ret, size_t *ret_len);
int metrics_serve(const char *listen_on, const unsigned *ids, size_t n);

int verb_create(int argc, char **argv);
int verb_start(int argc, char **argv);
int verb_stop(int argc, char **argv);
int verb_freeze(int argc, char **argv);
int verb_thaw(int argc, char **argv);
int verb_autostart(int argc, char **argv);
int verb_stop_all(int argc, char **argv);
int verb_restart(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_mount(int argc, char **argv);
int verb_umount(int argc, char **argv);
int verb_destroy(int argc, char **argv);
int verb_exec(int argc, char **argv);
int verb_exec2(int argc, char **argv);
int verb_runscript(int argc, char **argv);
int verb_console(int argc, char **argv);
int verb_enter(int argc, char **argv);
int verb_set(int argc, char **argv);
int verb_list(int argc, char **argv);
int verb_stat(int argc, char **argv);
int verb_metrics(int argc, char **argv);
int verb_top(int argc, char **argv);

int verb_seccomp(int argc, char **argv);
int verb_check(int argc, char **argv);
int verb_template(int argc, char **argv);
int verb_import_openvz(int argc, char **argv);
int verb_help(int argc, char **argv);
/* oci.c: the OCI runtime command line (also argv[0] vpsctl-oci) */
int verb_oci(int argc, char **argv);
