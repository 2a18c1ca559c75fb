/* vpsctl import-openvz: move an OpenVZ host's CTs (simfs) to vpsctl, one at a time or all; --dry-run says
 * what would happen, key by key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/parse.h"
#include "cli.h"

static const char *action_word(ct_import_action a)
{
        switch (a) {
        case CT_IMPORT_KEPT:
                return "kept";
        case CT_IMPORT_TRANSLATED:
                return "translated";
        case CT_IMPORT_REPLACED:
                return "replaced";
        default:
                return "unsupported";
        }
}

static int refused_exit(int code)
{
        switch (code) {
        case -EEXIST:
                return EXIT_VZ_FS_PRVT_EXISTS;
        case -EBUSY:
                return EXIT_VZ_RUNNING;
        case -ENOENT:
                return EXIT_VZ_NOVE_CONFIG;
        case -EADDRNOTAVAIL:
                return EXIT_VZ_SET_NAME;
        case -EMEDIUMTYPE:
        case -EINVAL:
        default:
                return EXIT_VZ_BAD_VALUE;
        }
}

static void print_plan(const ct_import_ct *e, const char *target_hint, bool move)
{
        printf("CT %u%s%s%s: ", e->id, e->name ? " (" : "", e->name ? e->name : "", e->name ? ")" : "");
        if (e->refused) {
                printf("refused: %s\n", e->refused);
                return;
        }
        printf("%s -> %s (layout copy, %s)\n", e->source, target_hint, move ? "moved" : "copied");
        if (e->moved)
                printf("  (an interrupted import --move left its files in %s: they are moved back first)\n",
                       target_hint);
        for (size_t i = 0; i < e->n_keys; i++) {
                const ct_import_key *k = &e->keys[i];
                printf("  %-11s %s=\"%s\"", action_word(k->action), k->key, k->value);
                if ((k->action == CT_IMPORT_TRANSLATED || k->action == CT_IMPORT_REPLACED) && k->new_value)
                        printf(" -> \"%s\"", k->new_value);
                if (k->why)
                        printf(" (%s)", k->why);
                putchar('\n');
        }
}

int verb_import_openvz(int argc, char **argv)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "ctid", required_argument, NULL, 'c' },
                { "userns", required_argument, NULL, 'U' },
                { "dry-run", no_argument, NULL, 'n' },
                { "copy", no_argument, NULL, 'C' },
                { "move", no_argument, NULL, 'M' },
                {},
        };
        const char *root = "/";
        _cleanup_free_ unsigned *ids = NULL;
        size_t n_ids = 0;
        bool dry_run = false, move = false;
        int userns = CT_UNSET, o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                switch (o) {
                case 'r':
                        root = optarg;
                        break;
                case 'c': {
                        unsigned id;
                        int r = ct_id_parse(optarg, &id);
                        if (r < 0)
                                return cli_usage_error("import-openvz", "bad --ctid \"%s\": a CTID (%u..%u)",
                                                       optarg, CTID_MIN, CTID_MAX);
                        unsigned *m = realloc(ids, (n_ids + 1) * sizeof(*ids));
                        if (!m)
                                return EXIT_VZ_SYSTEM;
                        ids = m;
                        ids[n_ids++] = id;
                        break;
                }
                case 'U': {
                        bool b;
                        if (parse_boolean(optarg, &b) < 0) {
                                log_error("Bad value for --userns: \"%s\" (yes: the CT's root is an "
                                          "unprivileged "
                                          "id range on the host, its files seen through an idmapped mount; "
                                          "no: a "
                                          "privileged CT, as it was on OpenVZ)",
                                          optarg);
                                return EXIT_VZ_BAD_VALUE;
                        }
                        userns = b ? CT_YES : CT_NO;
                        break;
                }
                case 'n':
                        dry_run = true;
                        break;
                case 'C':
                        move = false; /* the default: the source is left as it was */
                        break;
                case 'M':
                        move = true;
                        break;
                default:
                        return cli_usage_error("import-openvz", "unknown option");
                }
        }
        if (optind != argc)
                return cli_usage_error("import-openvz",
                                       "unexpected argument \"%s\" (CTs are chosen with --ctid)",
                                       argv[optind]);
        if (root[0] != '/')
                return cli_usage_error("import-openvz", "--root takes an absolute path, not \"%s\"", root);
        /* "/x/" and "/x" are one root */
        _cleanup_free_ char *rootbuf = strdup(root);
        if (!rootbuf)
                return EXIT_VZ_SYSTEM;
        for (size_t l = strlen(rootbuf); l > 1 && rootbuf[l - 1] == '/'; l--)
                rootbuf[l - 1] = 0;

        ct_import_ct *plan = NULL;
        size_t n = 0;
        int r = ct_import_scan(&cli_paths, rootbuf, ids, n_ids, &plan, &n);
        if (r == -ENOENT) {
                log_error("%s is not an OpenVZ host: it has no %s/etc/vz/conf", rootbuf,
                          streq(rootbuf, "/") ? "" : rootbuf);
                return EXIT_VZ_NOVE_CONFIG;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to read the OpenVZ configuration under %s: %m", rootbuf);
                return r == -EINVAL ? EXIT_VZ_BAD_VALUE : EXIT_VZ_SYSTEM;
        }
        if (n == 0) {
                printf("No CTs under %s/etc/vz/conf\n", streq(rootbuf, "/") ? "" : rootbuf);
                ct_import_free(plan, n);
                return 0;
        }

        int rc = 0;
        unsigned imported = 0;
        for (size_t i = 0; i < n; i++) {
                ct_import_ct *e = &plan[i];
                char id[16];
                snprintf(id, sizeof(id), "%u", e->id);
                if (dry_run) {
                        _cleanup_ct_ ct *c = NULL;
                        int k = cli_open_ct(id, "import-openvz", false, false, &c);
                        print_plan(e, k == 0 ? c->cfg.ve_private : "?", move);
                        if (e->refused && !rc)
                                rc = refused_exit(e->refused_code);
                        continue;
                }
                if (e->refused) {
                        log_error("CT %u cannot be imported: %s", e->id, e->refused);
                        if (!rc)
                                rc = refused_exit(e->refused_code);
                        continue;
                }
                _cleanup_ct_ ct *c = NULL;
                int k = cli_open_ct(id, "import-openvz", true, false, &c);
                if (k != 0) {
                        rc = rc ? rc : k;
                        continue;
                }
                r = ct_import_run(c, e, userns, move);
                if (r == -EXDEV) {
                        log_error("CT %u: --move needs %s on the filesystem of %s; use --copy", e->id,
                                  e->source, c->cfg.ve_private);
                        k = EXIT_VZ_BAD_VALUE;
                } else if (r == -EEXIST) {
                        log_error("CT %u exists in vpsctl already (%s, or its private area %s)", e->id,
                                  c->conf_path, c->cfg.ve_private);
                        k = EXIT_VZ_FS_PRVT_EXISTS;
                } else if (r == -EADDRINUSE)
                        k = EXIT_VZ_IP_INUSE; /* said which */
                else if (r < 0) {
                        /* ct_create said what failed */
                        k = cli_exit_code(r, EXIT_VZ_FS_NEW_PRVT);
                } else {
                        for (size_t j = 0; j < e->n_keys; j++)
                                if (e->keys[j].action == CT_IMPORT_UNSUPPORTED)
                                        log_warning(
                                                "CT %u: %s=\"%s\" is not supported (%s); kept as a comment "
                                                "in %s",
                                                e->id, e->keys[j].key, e->keys[j].value,
                                                e->keys[j].why ? e->keys[j].why : "no counterpart",
                                                c->conf_path);
                        printf("CT %u imported from %s into %s (%s, %s)\n", e->id, e->source,
                               c->cfg.ve_private, move ? "moved" : "copied", c->conf_path);
                        fflush(stdout);
                        imported++;
                        k = 0;
                }
                if (k && !rc)
                        rc = k;
        }
        if (!dry_run && n > 1)
                printf("%u of %zu CTs imported\n", imported, n);
        ct_import_free(plan, n);
        return rc;
}
