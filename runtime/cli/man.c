/* `vpsctl help --man PAGE`: the man pages, written from the tables `vpsctl help` prints (verbs, keys,
 * list fields, exit codes), so the pages and the help never disagree. The build runs it for
 * vpsctl.8, vzctl.8, vzlist.8, vpsctl.conf.5 and ctid.conf.5 and installs the results. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli.h"

/* roff-safe text: a leading dot or quote, and backslashes, escaped */
static void text(const char *s)
{
        if (*s == '.' || *s == '\'')
                fputs("\\&", stdout);
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\e", stdout);
                else if (*s == '-')
                        fputs("\\-", stdout);
                else
                        putchar(*s);
        }
}

static void line(const char *s)
{
        text(s);
        putchar('\n');
}

static void header(const char *name, int section, const char *what)
{
        printf(".TH %s %d \"\" \"vpsctl %s\" \"%s\"\n", name, section, VPSCTL_VERSION,
               section == 8 ? "System Administration" : "File Formats");
        printf(".SH NAME\n%s \\- ", name);
        line(what);
}

static void verbs_section(const char *prog)
{
        printf(".SH COMMANDS\n");
        for (const struct verb *v = verbs; v->name; v++) {
                printf(".TP\n.B %s ", prog);
                line(v->usage);
                line(v->summary);
        }
}

static void keys_section(unsigned want, bool options)
{
        for (size_t i = 0; i < ct_keys_count; i++) {
                const struct ct_key *k = &ct_keys[i];
                if (!(k->flags & want) || (k->flags & CT_KEY_ALIAS) || !k->key)
                        continue;
                printf(".TP\n.B %s", k->key);
                if (options && k->option) {
                        printf("\\fR, option \\fB\\-\\-");
                        text(k->option);
                        printf("\\fR");
                }
                putchar('\n');
                line(k->help ? k->help : "");
                if (k->flags & CT_KEY_CT)
                        printf(".br\n%s%s\n", k->flags & CT_KEY_LIVE ? "Changed live by set. " : "",
                               k->flags & CT_KEY_GLOBAL ? "A default for every CT in vpsctl.conf too." : "");
        }
}

static void exit_section(void)
{
        printf(".SH EXIT STATUS\nvzctl's codes (include/vzerror.h of OpenVZ's vzctl), where the meaning "
               "exists:\n");
        for (unsigned i = 0; i < exit_code_docs_count; i++) {
                printf(".TP\n.B %d\n", exit_code_docs[i].code);
                text(exit_code_docs[i].name);
                printf(": ");
                line(exit_code_docs[i].meaning);
        }
}

static void files_section(void)
{
        printf(".SH FILES\n.TP\n.I /etc/vpsctl/vpsctl.conf\nglobal configuration, see "
               "\\fBvpsctl.conf\\fR(5)\n"
               ".TP\n.I /etc/vpsctl/conf/CTID.conf\na CT's configuration, see \\fBctid.conf\\fR(5)\n"
               ".TP\n.I /var/lib/vpsctl/private/CTID\na CT's private area\n"
               ".TP\n.I /var/lib/vpsctl/root/CTID\nwhere a CT's root is mounted\n"
               ".TP\n.I /var/lib/vpsctl/templates\nthe template cache\n"
               ".TP\n.I /run/vpsctl\nruntime state of running CTs\n"
               ".PP\nEvery path is under \\fBVPSCTL_PREFIX\\fR (default /) when that is set.\n");
}

static void see_also(const char *pages)
{
        printf(".SH SEE ALSO\n%s\n", pages);
}

static void page_vpsctl(bool vz)
{
        const char *prog = vz ? "vzctl" : "vpsctl";
        header(prog, 8,
               vz ? "OpenVZ's vzctl command line, run by vpsctl" : "OpenVZ-style system containers");
        printf(".SH SYNOPSIS\n.B %s\n%s\\fIVERB\\fR [\\fIoptions\\fR] [\\fICTID\\fR|\\fINAME\\fR]\n", prog,
               vz ? "[\\fB\\-\\-quiet\\fR|\\fB\\-\\-verbose\\fR] " : "");
        printf(".SH DESCRIPTION\n");
        if (vz)
                line("vzctl is vpsctl run under OpenVZ's name: the same verbs, options, configuration files "
                     "and exit codes, printing vzctl's own messages where scripts and control panels read "
                     "them (Starting container..., Container is mounted, Container start in progress..., "
                     "Stopping container ..., Container was stopped, Container is unmounted, Container is "
                     "already running, Container is not running). --quiet and --verbose are accepted and "
                     "change nothing.");
        else
                line("vpsctl runs full Linux userlands (CTs, VPSes) from templates on a stock kernel, each "
                     "booting its own init, isolated by namespaces and limited by cgroups (v2, or v1 on "
                     "hybrid hosts). There is no daemon: once a command returns nothing of vpsctl stays "
                     "resident. vzctl and vzlist are installed as other names of it.");
        line("Options take their value as --opt value or --opt=value. A CT is named by its numeric CTID or "
             "by its NAME.");
        verbs_section(prog);
        printf(".SH PARAMETERS\nThe options of \\fBset\\fR, each with the key it writes to CTID.conf "
               "with \\fB\\-\\-save\\fR:\n");
        keys_section(CT_KEY_CT, true);
        exit_section();
        files_section();
        see_also(vz ? "\\fBvpsctl\\fR(8), \\fBvzlist\\fR(8), \\fBctid.conf\\fR(5), \\fBvpsctl.conf\\fR(5)"
                    : "\\fBvzctl\\fR(8), \\fBvzlist\\fR(8), \\fBctid.conf\\fR(5), \\fBvpsctl.conf\\fR(5)");
}

static void page_vzlist(void)
{
        header("vzlist", 8, "list CTs, as OpenVZ's vzlist");
        printf(".SH SYNOPSIS\n.B vzlist\n");
        for (const struct verb *v = verbs; v->name; v++)
                if (streq(v->name, "list"))
                        line(v->usage + strlen("list "));
        printf(".SH DESCRIPTION\n");
        line("vzlist is vpsctl list run under OpenVZ's name: running CTs by default, in vzlist's columns "
             "(CTID right-aligned in 10, STATUS left-aligned in 9, IP_ADDR in 15, HOSTNAME in 32, one space "
             "apart). A column that is not the last one shows the first item of a list and is cut to its "
             "width unless --no-trim is given.");
        printf(".SH OPTIONS\n"
               ".TP\n.B \\-a, \\-\\-all\nall CTs, running or not\n"
               ".TP\n.B \\-S, \\-\\-stopped\nstopped CTs only\n"
               ".TP\n.B \\-H, \\-\\-no\\-header\nno header line\n"
               ".TP\n.B \\-o, \\-\\-output \\fIFIELD\\fB,...\nthe columns, by the field names below\n"
               ".TP\n.B \\-1\nthe CTIDs only\n"
               ".TP\n.B \\-n, \\-\\-name\nthe CT's name (else its CTID) as the first column: "
               "smart_name,numproc,status,ip,hostname\n"
               ".TP\n.B \\-s, \\-\\-sort [\\-]\\fIFIELD\nsort by a field, reversed with \\-\n"
               ".TP\n.B \\-h, \\-N, \\-d \\fIPATTERN\nCTs whose hostname, name or description matches the "
               "shell pattern\n"
               ".TP\n.B \\-t, \\-\\-no\\-trim\ndo not cut long values to their column\n"
               ".TP\n.B \\-j, \\-\\-json\nJSON: every field without \\-o\n"
               ".TP\n.B \\-L, \\-\\-list\nlist the field names\n");
        printf(".SH FIELDS\nBeancounter fields take .m (maxheld), .b (barrier), .l (limit) and .f "
               "(failcnt); "
               "disk fields .s (soft) and .h (hard); \\fBvzlist \\-L\\fR lists every field. Live "
               "fields, and vzlist's fields that are not keys (a - where there is no figure):\n");
        const char *name, *doc;
        for (size_t i = 0; cli_list_field_doc(i, &name, &doc); i++)
                if (name) {
                        printf(".TP\n.B ");
                        text(name);
                        printf("\n");
                        text(doc);
                        printf("\n");
                }
        printf(".PP\nKeys of CTID.conf with a field:\n");
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].field) {
                        printf(".TP\n.B ");
                        text(ct_keys[i].field);
                        printf("\n%s\n", ct_keys[i].key ? ct_keys[i].key : "");
                }
        exit_section();
        see_also("\\fBvzctl\\fR(8), \\fBvpsctl\\fR(8), \\fBctid.conf\\fR(5)");
}

static void page_conf(bool global)
{
        header(global ? "vpsctl.conf" : "ctid.conf", 5,
               global ? "vpsctl's global configuration" : "a CT's configuration, CTID.conf");
        printf(".SH DESCRIPTION\n");
        line("One KEY=\"VALUE\" per line, as OpenVZ's vz.conf and CTID.conf; # starts a comment. A value "
             "vpsctl cannot parse is reported with its file:line and what is wrong; an unknown key warns "
             "with "
             "its file:line and is kept by set --save. Sizes take K, M, G, T, P (powers of 1024) or "
             "unlimited.");
        if (global)
                line("Keys that are also CT keys are the defaults of every CT that does not set them.");
        else
                line("vpsctl set --save writes the keys below; those with an option are set by it.");
        printf(".SH KEYS\n");
        keys_section(global ? CT_KEY_GLOBAL : CT_KEY_CT, true);
        files_section();
        see_also("\\fBvpsctl\\fR(8), \\fBvzctl\\fR(8)");
}

int cli_man_page(const char *page)
{
        if (streq(page, "vpsctl.8"))
                page_vpsctl(false);
        else if (streq(page, "vzctl.8"))
                page_vpsctl(true);
        else if (streq(page, "vzlist.8"))
                page_vzlist();
        else if (streq(page, "vpsctl.conf.5"))
                page_conf(true);
        else if (streq(page, "ctid.conf.5"))
                page_conf(false);
        else {
                log_error("No man page \"%s\": vpsctl.8, vzctl.8, vzlist.8, vpsctl.conf.5, ctid.conf.5",
                          page);
                return EXIT_VZ_BAD_SYNTAX;
        }
        return fflush(stdout) == 0 ? 0 : EXIT_VZ_SYSTEM;
}
