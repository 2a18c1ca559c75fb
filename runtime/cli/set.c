/* vpsctl set: parameters from the key table, applied live and/or saved to CTID.conf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/failpoint.h"
#include "base/log.h"
#include "cli.h"

/* The password of --userpasswd USER (no colon): one line from stdin, not echoed on a terminal. */
static int read_password(const char *user, char **ret)
{
        struct termios saved, t;
        bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        if (tty) {
                fprintf(stderr, "Password for %s: ", user);
                t = saved;
                t.c_lflag &= ~(tcflag_t)ECHO;
                (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (tty) {
                (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
                fputc('\n', stderr);
        }
        if (n < 0) {
                free(line);
                return -ENODATA;
        }
        if (n > 0 && line[n - 1] == '\n')
                line[--n] = 0;
        *ret = line;
        return 0;
}

static void free_secret(char **s)
{
        if (*s) {
                explicit_bzero(*s, strlen(*s));
                free(*s);
        }
}

struct sample_kv {
        char **kv;
        size_t n;
};

static void free_sample_kv(struct sample_kv *s)
{
        ct_kv_free(s->kv, s->n);
}

static bool changes_key(const struct ct_change *ch, size_t n, const char *const *keys)
{
        for (size_t i = 0; i < n; i++)
                for (const char *const *k = keys; *k; k++)
                        if (streq(ch[i].key, *k))
                                return true;
        return false;
}

/* What vzctl exits with when the kernel refuses that part of a live change. The limits are one part
 * here; vzctl's code of a kind of limit is given when the change holds limits of that kind only. */
static int live_exit_code(ct_live_part part, const struct ct_change *ch, size_t n)
{
        static const char *const ubc[] = { "PHYSPAGES", "SWAPPAGES", "NUMPROC", "MEMGUARANTEE", NULL };
        static const char *const cpu[] = { "CPUUNITS", "CPULIMIT", "CPUS", NULL };
        static const char *const mask[] = { "CPUMASK", NULL };
        static const char *const io[] = { "IOLIMIT", "IOPSLIMIT", "IOPRIO", NULL };
        static const char *const ip[] = { "IP_ADDRESS", NULL };
        switch (part) {
        case CT_LIVE_NET:
                return changes_key(ch, n, ip) ? EXIT_VZ_CANT_ADDIP : EXIT_VZ_VETH;
        case CT_LIVE_RATE:
                return EXIT_VZ_SET_RATE;
        case CT_LIVE_DEVICES:
                return EXIT_VZ_SET_DEVICES;
        case CT_LIVE_DISK:
                return EXIT_VZ_DQ_SET;
        case CT_LIVE_LIMITS: {
                bool u = changes_key(ch, n, ubc), c = changes_key(ch, n, cpu), m = changes_key(ch, n, mask),
                     i = changes_key(ch, n, io);
                if (u + c + m + i != 1)
                        return EXIT_VZ_SYSTEM;
                return u ? EXIT_VZ_SETUBC : c ? EXIT_VZ_SETFSHD : m ? EXIT_VZ_SET_CPUMASK : EXIT_VZ_SET_IO;
        }
        default:
                return EXIT_VZ_SYSTEM;
        }
}

static void free_values(char *(*v)[33])
{
        for (size_t i = 0; i < 33; i++)
                free((*v)[i]);
}

int verb_set(int argc, char **argv)
{
        struct ct_change changes[96]; /* the options', then --applyconfig's, then the network's */
        _cleanup_(free_values) char *values[33] = { NULL };
        const char *opts[32];
        const char *ctarg = NULL, *name = NULL;
        size_t n = 0;
        bool save = false, live = false, userpw = false, restart = false;
        const char *sample = NULL;
        _cleanup_(free_sample_kv) struct sample_kv skv = { NULL, 0 };
        __attribute__((cleanup(free_secret))) char *password = NULL;
        _cleanup_(cli_netopts_done) struct cli_netopts netopts = CLI_NETOPTS_INIT;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (a[0] != '-' || a[1] != '-') {
                        if (ctarg)
                                return cli_usage_error("set", "unexpected argument \"%s\"", a);
                        ctarg = a;
                        continue;
                }
                if (streq(a, "--save")) {
                        save = true;
                        continue;
                }
                if (streq(a, "--applyconfig") || streq(a, "--setmode")) {
                        if (i + 1 >= argc)
                                return cli_usage_error("set", "%s needs a value", a);
                        const char *v = argv[++i];
                        if (streq(a, "--applyconfig")) {
                                if (!ct_name_is_valid(v) && !streq(v, "none")) {
                                        log_error(
                                                "Bad value for --applyconfig: \"%s\" (a sample name, as in "
                                                "ve-NAME.conf-sample)",
                                                v);
                                        return EXIT_VZ_BAD_VALUE;
                                }
                                sample = v;
                        } else if (streq(v, "restart") || streq(v, "ignore"))
                                restart = streq(v, "restart");
                        else {
                                log_error("Bad value for --setmode: \"%s\" (restart or ignore)", v);
                                return EXIT_VZ_BAD_VALUE;
                        }
                        continue;
                }
                /* the value was taken (and masked in argv) by cli_take_secrets() */
                if (streq(a, "--userpasswd") || strncmp(a, "--userpasswd=", strlen("--userpasswd=")) == 0) {
                        if (streq(a, "--userpasswd") && ++i >= argc)
                                return cli_usage_error("set", "--userpasswd needs USER:PASSWORD");
                        userpw = true;
                        continue;
                }
                if (i + 1 < argc) {
                        int k = cli_netopts_take(&netopts, a + 2, argv[i + 1]);
                        if (k != -ENOENT) {
                                if (k != 0)
                                        return k;
                                i++;
                                live = true;
                                continue;
                        }
                }
                const struct ct_key *k = ct_key_by_option(a + 2);
                if (!k || !(k->flags & CT_KEY_CT) || (k->flags & CT_KEY_NOSET))
                        return cli_usage_error("set", "unknown option %s", a);
                if (i + 1 >= argc)
                        return cli_usage_error("set", "%s needs a value", a);
                if (n == 32)
                        return cli_usage_error("set", "too many options");
                char *v = NULL;
                int r = ct_key_option_value(k, argv[++i], &v);
                if (r == -ENOMEM)
                        return EXIT_VZ_SYSTEM;
                if (r < 0) {
                        log_error("Bad value for %s: \"%s\" (%s)", a, argv[i], k->help);
                        return EXIT_VZ_BAD_VALUE;
                }
                values[n] = v;
                opts[n] = a + 2;
                changes[n++] = (struct ct_change){ k->key, v };
                if (k->flags & CT_KEY_LIVE)
                        live = true;
                if (streq(k->key, "NAME"))
                        name = v;
        }
        if (!ctarg)
                return cli_ctid_missing("set");
        bool params = n > 0 || cli_netopts_any(&netopts) || sample;
        if (!params && !userpw)
                return cli_usage_error("set", "nothing to set");
        const char *user = NULL;
        if (userpw) {
                if (!cli_userpasswd)
                        return EXIT_VZ_SYSTEM;
                char *colon = strchr(cli_userpasswd, ':');
                if (colon) {
                        *colon = 0;
                        password = strdup(colon + 1);
                        explicit_bzero(colon + 1, strlen(colon + 1));
                } else if (read_password(cli_userpasswd, &password) < 0) {
                        log_error(
                                "--userpasswd %s: no password on stdin (give USER:PASSWORD, or the password "
                                "as one line on stdin)",
                                cli_userpasswd);
                        return EXIT_VZ_BAD_VALUE;
                }
                if (!password)
                        return EXIT_VZ_SYSTEM;
                user = cli_userpasswd;
        }

        struct ct_config scratch;
        if (ct_config_init(&scratch, "/", 0) < 0)
                return EXIT_VZ_SYSTEM;
        int bad = 0;
        for (size_t i = 0; i < n && !bad; i++) {
                const struct ct_key *k = ct_key_by_option(opts[i]);
                int r = ct_config_set_value(&scratch, k, changes[i].value);
                if (r < 0) {
                        log_error("Bad value for --%s: \"%s\"%s (%s)", opts[i], changes[i].value,
                                  r == -ERANGE ? " is out of range" : "", k->help);
                        bad = 1;
                }
        }
        ct_config_done(&scratch);
        if (bad)
                return EXIT_VZ_BAD_VALUE;

        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(ctarg, "set", true, true, &c);
        if (rc != 0)
                return rc;
        /* the sample's keys, where no option of the command line sets the same key */
        if (sample) {
                int k = ct_sample_changes(c, sample, &skv.kv, &skv.n);
                if (k < 0)
                        return k == -ENOMEM ? EXIT_VZ_SYSTEM : EXIT_VZ_APPLY_CONFIG;
                char **kv = skv.kv;
                size_t given = n;
                for (size_t i = 0; i < skv.n && n < ELEMENTSOF(changes) - 8; i++) {
                        bool explicit = false;
                        for (size_t j = 0; j < given; j++)
                                explicit |= streq(changes[j].key, kv[2 * i]);
                        if (explicit)
                                continue;
                        const struct ct_key *key = ct_key_by_name(kv[2 * i]);
                        changes[n++] = (struct ct_change){ key->key, kv[2 * i + 1] };
                        if (key->flags & CT_KEY_LIVE)
                                live = true;
                }
        }
        if (name) {
                unsigned other;
                if (ct_find_by_name(&cli_paths, name, c->id, &other) >= 0 && other) {
                        log_error("Name \"%s\" is already used by CT %u", name, other);
                        return EXIT_VZ_SET_NAME;
                }
        }
        ct_status st;
        int r = ct_get_status(c, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to get the status of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        /* network lists change from what they are: the saved config for --save, the running CT's live
         * setup (live-only changes included) for the live change */
        struct ct_change live_changes[ELEMENTSOF(changes)];
        size_t n_live = n;
        memcpy(live_changes, changes, n * sizeof(*changes));
        rc = cli_netopts_changes(&netopts, c, c->cfg.ip_address, c->cfg.netif, 0, changes, &n,
                                 ELEMENTSOF(changes));
        if (rc == 0 && st.running) {
                _cleanup_free_ char *ips = NULL, *netif = NULL;
                if (ct_net_live(c, &ips, &netif) < 0)
                        return EXIT_VZ_SYSTEM;
                rc = cli_netopts_changes(&netopts, c, ips, netif, 1, live_changes, &n_live,
                                         ELEMENTSOF(live_changes));
        }
        if (rc != 0)
                return rc;
        if (params && !save && !st.running) {
                log_error("CT %u is not running, so nothing can be applied live; add --save to store the "
                          "change",
                          c->id);
                return EXIT_VZ_NOT_RUNNING;
        }
        if (params && !save && !live)
                log_warning(
                        "None of these parameters applies to a running CT; without --save nothing changed");
        /* what this host cannot apply is refused before anything changes, saved or live */
        r = ct_disk_check(c, changes, n);
        if (r < 0)
                return r == -CT_ENOQUOTA ? EXIT_VZ_DQ_ON : EXIT_VZ_SYSTEM;
        r = ct_check_limits(c, changes, n);
        if (r < 0)
                return r == -EINVAL || r == -ERANGE || r == -EOPNOTSUPP || r == -ENODEV ? EXIT_VZ_BAD_VALUE
                                                                                        : EXIT_VZ_SYSTEM;
        failpoint("set.checked");
        /* live first: a change the kernel refuses is not saved either (ct_apply_live says why) */
        if (st.running && live) {
                ct_live_part part;
                r = ct_apply_live(c, live_changes, n_live, &part);
                if (r < 0)
                        return r == -EINVAL || r == -ERANGE ? EXIT_VZ_BAD_VALUE
                               : r == -CT_ENOQUOTA          ? EXIT_VZ_DQ_ON
                                                            : live_exit_code(part, live_changes, n_live);
        }
        failpoint("set.applied");
        if (save) {
                r = ct_config_edit(c->conf_path, NULL, changes, n);
                if (r < 0) {
                        log_error_errno(r, "Failed to save %s: %m", c->conf_path);
                        return EXIT_VZ_CONF_SAVE;
                }
        }
        failpoint("set.saved");
        if (save) {
                if (name && *name)
                        cli_vz_say("Name %s assigned", name); /* vzctl's line, before the saved one */
                printf("Saved parameters for CT %u\n", c->id);
        }
        /* what a running CT has had since its start: a restart now (--setmode restart), or a note */
        char later[512] = "";
        for (size_t i = 0; st.running && save && i < n; i++) {
                const struct ct_key *k = ct_key_by_name(changes[i].key);
                if (k && (k->flags & CT_KEY_RESTART) && !strstr(later, k->key) &&
                    strlen(later) + strlen(k->key) + 3 < sizeof(later))
                        snprintf(later + strlen(later), sizeof(later) - strlen(later), "%s%s",
                                 *later ? ", " : "", k->key);
        }
        if (*later && !restart)
                log_notice("CT %u: %s take effect at its next start (--setmode restart restarts it now)",
                           c->id, later);
        if (*later && restart) {
                /* the running CT restarts with what was just saved */
                for (size_t i = 0; i < n; i++) {
                        const struct ct_key *k = ct_key_by_name(changes[i].key);
                        if (k && ct_config_set_value(&c->cfg, k, changes[i].value) < 0)
                                return EXIT_VZ_SYSTEM;
                }
                if (ct_stop(c, false) < 0)
                        return EXIT_VZ_STOP;
                r = ct_start(c, false);
                if (r < 0)
                        return cli_exit_code(r, EXIT_VZ_ENVCREATE);
                printf("CT %u restarted for %s\n", c->id, later);
        }
        /* never saved: the hash goes into the CT's own files, the password nowhere */
        if (userpw) {
                r = ct_set_userpasswd(c, user, password);
                if (r < 0)
                        return r == -EINVAL ? EXIT_VZ_BAD_VALUE : EXIT_VZ_CHANGEPASS;
                printf("Password of user %s in CT %u set\n", user, c->id);
        }
        return 0;
}
