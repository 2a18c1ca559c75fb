/* Unit tests: the key table, CTID.conf parsing (file:line errors), and saving that keeps unknown lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "runtime/config.h"
#include "test-helpers.h"

static char dir[] = "/tmp/vpsctl-unit.XXXXXX";

static void write_file(const char *name, const char *content)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        FILE *f = fopen(p, "w");
        fputs(content, f);
        fclose(f);
}

static char *path(const char *name)
{
        static char p[256];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return p;
}

/* The table drives parsing, saving and list fields: names must be unique and every value round-trip. */
static void test_table(void)
{
        for (size_t i = 0; i < ct_keys_count; i++) {
                const struct ct_key *k = &ct_keys[i];
                CHECK(k->key && k->parse && k->format && k->help);
                CHECK(k->flags & (CT_KEY_CT | CT_KEY_GLOBAL));
                if (k->flags & CT_KEY_ALIAS) {
                        /* an alias is a second option for a key listed before it, never a list field */
                        const struct ct_key *primary = ct_key_by_name(k->key);
                        CHECK(primary && primary < k && !(primary->flags & CT_KEY_ALIAS) && k->option &&
                              !k->field);
                        continue;
                }
                CHECK(ct_key_by_name(k->key) == k);
                if (k->option)
                        CHECK(ct_key_by_option(k->option) == k);
                if (k->field)
                        CHECK(ct_key_by_field(k->field) == k && k->header && k->fmt);
                for (size_t j = i + 1; j < ct_keys_count; j++) {
                        if (!(ct_keys[j].flags & CT_KEY_ALIAS))
                                CHECK(strcmp(k->key, ct_keys[j].key) != 0);
                        if (k->option && ct_keys[j].option)
                                CHECK(strcmp(k->option, ct_keys[j].option) != 0);
                        if (k->field && ct_keys[j].field)
                                CHECK(strcmp(k->field, ct_keys[j].field) != 0);
                }
        }
        /* a representative value of each kind survives parse -> format */
        static const struct {
                const char *key, *value, *expect;
        } rt[] = {
                { "HOSTNAME", "ct.example.com", "ct.example.com" },
                { "NAME", "web1", "web1" },
                { "ONBOOT", "yes", "yes" },
                { "DISABLED", "off", "no" },
                { "STOP_TIMEOUT", "2m", "120" },
                { "DESCRIPTION", "my box", "my box" },
                { "IP_ADDRESS", "192.0.2.1 2001:db8::1", "192.0.2.1 2001:db8::1" },
                { "VE_ROOT", "/vz/root/101", "/vz/root/101" },
                { "PHYSPAGES", "0:262144", "0:1G" },
                { "PHYSPAGES", "512M", "512M:512M" },
                { "SWAPPAGES", "0:unlimited", "0:unlimited" },
                { "NUMPROC", "64", "64:64" },
                { "CPULIMIT", "50", "50" },
                { "CPULIMIT", "25%", "25%" },
                { "CPUMASK", "0-1,3", "0-1,3" },
                { "MEMGUARANTEE", "30", "30" },
                { "IOLIMIT", "10485760", "10485760" },
                { "IOPRIO", "7", "7" },
                /* vzctl's 1K blocks, or sizes (rounded up to whole KiB) */
                { "DISKSPACE", "10485760:11534336", "10G:11G" },
                { "DISKSPACE", "1536M", "1536M:1536M" },
                { "DISKSPACE", "1048577:unlimited", "1048577K:unlimited" },
                { "DISKSPACE", "2000000B", "1954K:1954K" },
                { "DISKINODES", "200000:220000", "200000:220000" },
                { "RATE", "eth0:1:8000", "eth0:1:8000" },
                { "RATE_IN", "20M", "20M" },
        };
        struct ct_config c;
        CHECK(ct_config_init(&c, "/", 101) == 0);
        for (size_t i = 0; i < ELEMENTSOF(rt); i++) {
                const struct ct_key *k = ct_key_by_name(rt[i].key);
                char *out = NULL;
                CHECK(k && ct_config_set_value(&c, k, rt[i].value) == 0);
                CHECK(k && ct_config_format_value(&c, k, &out) == 0);
                CHECK_STREQ(out, rt[i].expect);
                free(out);
        }
        /* and bad values are refused */
        CHECK(ct_config_set_value(&c, ct_key_by_name("ONBOOT"), "maybe") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("HOSTNAME"), "bad host") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("STOP_TIMEOUT"), "999999") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("DESCRIPTION"), "quote\"inside") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("VE_ROOT"), "relative/path") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("PHYSPAGES"), "0:1K") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("PHYSPAGES"), "2G:1G") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("NUMPROC"), "10:5") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("DISKSPACE"), "2G:1G") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("DISKSPACE"), "1023") == -ERANGE); /* under 1M */
        CHECK(ct_config_set_value(&c, ct_key_by_name("DISKSPACE"), "18014398509481984") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("DISKSPACE"), "1G:x") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("DISKINODES"), "0") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("RATE"), "eth0:1") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("RATE"), "eth0:x:100") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("RATE"), "1.5M") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("RATE_IN"), "2000G") == -ERANGE);
        {
                /* vzctl's bare number is Kbit/s; suffixes are bits/s, written back as Kbit/s */
                uint64_t bits = 0;
                char *norm = NULL;
                CHECK(ct_rate_bits("eth0:1:8000", &bits) == 0 && bits == 8000000);
                CHECK(ct_rate_bits("10M", &bits) == 0 && bits == 10000000);
                CHECK(ct_rate_bits("unlimited", &bits) == 0 && bits == 0);
                CHECK(ct_rate_bits("eth0:1:1000 eth1:2:500", &bits) == 0 && bits == 1500000);
                CHECK(ct_rate_normalize("eth0:1:1G", &norm) == 0);
                CHECK_STREQ(norm, "eth0:1:1000000");
                free(norm);
                CHECK(ct_rate_normalize("1500", &norm) == 0);
                CHECK_STREQ(norm, "1500");
                free(norm);
        }
        CHECK(ct_config_set_value(&c, ct_key_by_name("CPULIMIT"), "101%") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("CPULIMIT"), "abc") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("CPUMASK"), "5-2") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("CPUMASK"), "1,") < 0);
        CHECK(ct_config_set_value(&c, ct_key_by_name("IOPRIO"), "8") == -ERANGE);
        CHECK(ct_config_set_value(&c, ct_key_by_name("CPUUNITS"), "7") == -ERANGE);

        /* command-line units: --ram is bytes, --iolimit is MB/s unless it has a unit */
        char *v = NULL;
        CHECK(ct_key_option_value(ct_key_by_option("ram"), "1G", &v) == 0);
        CHECK_STREQ(v, "0:1G");
        free(v);
        CHECK(ct_key_option_value(ct_key_by_option("ram"), "1000000", &v) == 0);
        CHECK_STREQ(v, "0:980K"); /* rounded up to whole pages */
        free(v);
        CHECK(ct_key_option_value(ct_key_by_option("iolimit"), "10", &v) == 0);
        CHECK_STREQ(v, "10485760");
        free(v);
        CHECK(ct_key_option_value(ct_key_by_option("iolimit"), "512K", &v) == 0);
        CHECK_STREQ(v, "524288");
        free(v);
        CHECK(ct_key_option_value(ct_key_by_option("ram"), "lots", &v) < 0);
        ct_config_done(&c);
}

/* A fresh config sets no limit at all: every resource key reads back as unset. */
static void test_defaults(void)
{
        struct ct_config c;
        CHECK(ct_config_init(&c, "/", 101) == 0);
        static const char *const keys[] = { "PHYSPAGES", "SWAPPAGES", "MEMGUARANTEE", "CPUUNITS",
                                            "CPULIMIT",  "CPUS",      "CPUMASK",      "NUMPROC",
                                            "IOLIMIT",   "IOPSLIMIT", "IOPRIO",       "ONBOOT",
                                            "DISABLED",  "HOSTNAME",  "NAME",         "DISKSPACE",
                                            "DISKINODES" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char *v = (char *)"x";
                CHECK(ct_config_format_value(&c, ct_key_by_name(keys[i]), &v) == 0);
                if (v) {
                        fprintf(stderr, "%s is set by default to \"%s\"\n", keys[i], v);
                        free(v);
                        CHECK(!"default unset");
                }
        }
        ct_config_done(&c);
}

static void test_parse(void)
{
        struct ct_config c;
        write_file("101.conf", "# comment\n"
                               "HOSTNAME=\"h1.example.com\"\n"
                               "  ONBOOT='yes'   # trailing comment\n"
                               "NAME=web1\n"
                               "FOO=\"bar\"\n"
                               "\n"
                               "VE_ROOT=\"/vz/root/$VEID\"\n");
        CHECK(ct_config_init(&c, "/", 101) == 0);
        CHECK(ct_config_parse_file(&c, path("101.conf"), CT_KEY_CT, true) == 0);
        CHECK_STREQ(c.hostname, "h1.example.com");
        CHECK(c.onboot == CT_YES);
        CHECK_STREQ(c.name, "web1");
        CHECK_STREQ(c.ve_root, "/vz/root/101");
        ct_config_done(&c);

        /* bad value: error, and the parse stops */
        write_file("102.conf", "HOSTNAME=\"ok\"\nONBOOT=\"maybe\"\n");
        CHECK(ct_config_init(&c, "/", 102) == 0);
        CHECK(ct_config_parse_file(&c, path("102.conf"), CT_KEY_CT, true) == -EINVAL);
        ct_config_done(&c);
        /* syntax error */
        write_file("103.conf", "HOSTNAME=\"unterminated\n");
        CHECK(ct_config_init(&c, "/", 103) == 0);
        CHECK(ct_config_parse_file(&c, path("103.conf"), CT_KEY_CT, true) == -EINVAL);
        ct_config_done(&c);
        /* a global-only key in a CT file is unknown there */
        write_file("104.conf", "CGROUP_PARENT=\"x\"\n");
        CHECK(ct_config_init(&c, "/", 104) == 0);
        CHECK(ct_config_parse_file(&c, path("104.conf"), CT_KEY_CT, false) == 0);
        CHECK_STREQ(c.cgroup_parent, "vpsctl");
        ct_config_done(&c);
}

static void test_edit(void)
{
        char *out = NULL;
        write_file("105.conf", "# keep me\nHOSTNAME=\"old\"\nFOO=\"bar\"\nONBOOT=\"no\"\nONBOOT=\"yes\"\n");
        struct ct_change ch[] = {
                { "HOSTNAME", "new.example.com" }, { "ONBOOT", "yes" }, { "NAME", "n1" }, { "FOO", NULL }
        };
        CHECK(ct_config_edit(path("105.conf"), NULL, ch, 3) == 0);
        CHECK(read_full_file_at(-100, path("105.conf"), &out, NULL) == 0);
        CHECK_STREQ(out,
                    "# keep me\nHOSTNAME=\"new.example.com\"\nFOO=\"bar\"\nONBOOT=\"yes\"\nNAME=\"n1\"\n");
        free(out);
        /* deleting a key drops its line */
        CHECK(ct_config_edit(path("105.conf"), NULL, ch + 3, 1) == 0);
        CHECK(read_full_file_at(-100, path("105.conf"), &out, NULL) == 0);
        CHECK(strstr(out, "FOO") == NULL && strstr(out, "# keep me") != NULL);
        free(out);
        /* created from a sample when missing */
        struct ct_change c2[] = { { "HOSTNAME", "x" } };
        CHECK(ct_config_edit(path("106.conf"), "# sample\nONBOOT=\"no\"\n", c2, 1) == 0);
        CHECK(read_full_file_at(-100, path("106.conf"), &out, NULL) == 0);
        CHECK_STREQ(out, "# sample\nONBOOT=\"no\"\nHOSTNAME=\"x\"\n");
        free(out);
        /* no temp files left behind */
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "ls -A %s | grep -q '^\\.#'", dir);
        CHECK(system(cmd) != 0); /* NOLINT(cert-env33-c): a fixed command of the test's own */
}

int main(void)
{
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                return 1;
        }
        test_table();
        test_defaults();
        test_parse();
        test_edit();
        rm_rf_at(-100, dir);
        return t_finish();
}
