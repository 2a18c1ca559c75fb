/* vpsctl create */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/parse.h"
#include "cli.h"

int verb_create(int argc, char **argv)
{
        static const struct option opts[] = {
                { "ostemplate", required_argument, NULL, 't' },
                { "config", required_argument, NULL, 'c' },
                { "hostname", required_argument, NULL, 'h' },
                { "name", required_argument, NULL, 'n' },
                { "description", required_argument, NULL, 'd' },
                { "layout", required_argument, NULL, 'l' },
                { "ipadd", required_argument, NULL, 'I' },
                { "netif_add", required_argument, NULL, 'N' },
                { "nameserver", required_argument, NULL, 'S' },
                { "searchdomain", required_argument, NULL, 'D' },
                { "userns", required_argument, NULL, 'U' },
                {},
        };
        const char *tmpl = NULL, *sample = NULL, *layout = NULL;
        struct ct_change changes[8];
        _cleanup_(cli_netopts_done) struct cli_netopts netopts = CLI_NETOPTS_INIT;
        size_t n = 0;
        const char *name = NULL;
        int userns = CT_UNSET;
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                const char *key = NULL;
                switch (o) {
                case 't':
                        tmpl = optarg;
                        continue;
                case 'c':
                        sample = optarg;
                        continue;
                case 'l':
                        layout = optarg;
                        continue;
                case 'U': {
                        bool b;
                        if (parse_boolean(optarg, &b) < 0) {
                                log_error("Bad value for --userns: \"%s\" (yes: the CT's root is an "
                                          "unprivileged "
                                          "id range on the host; no: a privileged CT)",
                                          optarg);
                                return EXIT_VZ_BAD_VALUE;
                        }
                        userns = b ? CT_YES : CT_NO;
                        continue;
                }
                case 'I':
                case 'N':
                case 'S':
                case 'D': {
                        const char *opt = o == 'I'   ? "ipadd"
                                          : o == 'N' ? "netif_add"
                                          : o == 'S' ? "nameserver"
                                                     : "searchdomain";
                        int k = cli_netopts_take(&netopts, opt, optarg);
                        if (k != 0)
                                return k;
                        continue;
                }
                case 'h':
                        key = "HOSTNAME";
                        break;
                case 'n':
                        key = "NAME";
                        name = optarg;
                        break;
                case 'd':
                        key = "DESCRIPTION";
                        break;
                default:
                        return cli_usage_error("create", "unknown option");
                }
                changes[n++] = (struct ct_change){ key, optarg };
        }
        if (optind >= argc)
                return cli_ctid_missing("create");
        if (optind != argc - 1)
                return cli_usage_error("create", "too many arguments");
        if (!tmpl)
                return cli_usage_error("create", "--ostemplate is required");
        /* a new CT has no name to resolve yet: its CTID is a number (the name comes from --name) */
        if (strspn(argv[optind], "0123456789") != strlen(argv[optind]) || !argv[optind][0]) {
                log_error("Bad CTID \"%s\": create takes a number (%u..%u); give a name with --name",
                          argv[optind], CTID_MIN, CTID_MAX);
                return EXIT_VZ_BAD_VALUE; /* vzctl: "Bad CT ID", VZ_INVALID_PARAMETER_VALUE */
        }

        /* every value is checked before anything is touched */
        struct ct_config scratch;
        if (ct_config_init(&scratch, "/", 0) < 0)
                return EXIT_VZ_SYSTEM;
        int bad = 0;
        if (!ct_template_name_valid(tmpl)) {
                log_error("Bad --ostemplate \"%s\": template names are letters, digits, '.', '_' and '-'",
                          tmpl);
                bad = 1;
        }
        if (sample && !ct_name_is_valid(sample)) {
                log_error("Bad --config \"%s\": sample names are letters, digits, '.', '_' and '-'", sample);
                bad = 1;
        }
        if (layout && !streq(layout, "overlay") && !streq(layout, "copy")) {
                log_error("Bad --layout \"%s\": overlay (over the template) or copy (a full copy of it)",
                          layout);
                bad = 1;
        }
        for (size_t i = 0; i < n && !bad; i++) {
                const struct ct_key *k = ct_key_by_name(changes[i].key);
                if (ct_config_set_value(&scratch, k, changes[i].value) < 0) {
                        log_error("Bad value for --%s: \"%s\" (%s)", k->option, changes[i].value, k->help);
                        bad = 1;
                }
        }
        ct_config_done(&scratch);
        if (bad)
                return EXIT_VZ_BAD_VALUE;

        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[optind], "create", true, false, &c);
        if (rc != 0)
                return rc;
        if (c->exists) {
                log_error("CT %u already exists (%s)", c->id, c->conf_path);
                return EXIT_VZ_FS_PRVT_EXISTS;
        }
        rc = cli_netopts_changes(&netopts, c, NULL, NULL, 0, changes, &n, ELEMENTSOF(changes));
        if (rc != 0)
                return rc;
        if (name) {
                unsigned other;
                int r = ct_find_by_name(&cli_paths, name, c->id, &other);
                if (r >= 0 && other) {
                        log_error("Name \"%s\" is already used by CT %u", name, other);
                        return EXIT_VZ_SET_NAME;
                }
        }
        if (sample) {
                /* a sample that is not there: vzctl's VZ_CP_CONFIG, before anything is made */
                char **kv = NULL;
                size_t nkv = 0;
                int r = ct_sample_changes(c, sample, &kv, &nkv);
                ct_kv_free(kv, nkv);
                if (r < 0)
                        return r == -ENOENT ? EXIT_VZ_CP_CONFIG : cli_exit_code(r, EXIT_VZ_CP_CONFIG);
        }
        ct_create_opts co = { .userns = userns,
                              .ostemplate = tmpl,
                              .config_sample = sample,
                              .layout = layout,
                              .changes = changes,
                              .n_changes = n };
        cli_vz_say("Creating container private area (%s)", tmpl);
        int r = ct_create(c, &co);
        if (r == -EEXIST) {
                log_error("The private area %s of CT %u already exists; remove it or choose another CTID",
                          c->cfg.ve_private, c->id);
                return EXIT_VZ_FS_PRVT_EXISTS;
        }
        if (r == -ENOPKG) {
                log_error("OS template \"%s\" not found in %s (the built-in one is busybox)", tmpl,
                          c->cfg.template_dir);
                return EXIT_VZ_TMPL_NOTFOUND;
        }
        if (r < 0)
                return cli_exit_code(r, EXIT_VZ_FS_NEW_PRVT);
        cli_say("Container private area was created", "CT %u created from template %s", c->id, tmpl);
        return 0;
}
