/* import-openvz's plan (ct_import_scan), without root: a synthetic OpenVZ host tree and an empty vpsctl
 * prefix in a temp directory. Each key's fate (kept, translated, replaced, unsupported), the translations
 * (netmask to prefix length, NETIF fields, an EZ template's dot), vz.conf's defaults, DISK_QUOTA="no", the
 * refusals and their codes, and that the new config keeps every unsupported key as a comment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "runtime/engine.h"
#include "test-helpers.h"

static char top[256];

static void write_file(const char *rel, const char *text)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", top, rel);
        FILE *f = fopen(path, "we");
        if (!f) {
                perror(path);
                exit(1);
        }
        fputs(text, f);
        fclose(f);
}

static void make_dir(const char *rel)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", top, rel);
        if (mkdir_p_at(AT_FDCWD, path, 0755) < 0) {
                perror(path);
                exit(1);
        }
}

static const ct_import_key *key_of(const ct_import_ct *e, const char *key)
{
        for (size_t i = 0; i < e->n_keys; i++)
                if (strcmp(e->keys[i].key, key) == 0)
                        return &e->keys[i];
        return NULL;
}

static const ct_import_ct *ct_of(const ct_import_ct *v, size_t n, unsigned id)
{
        for (size_t i = 0; i < n; i++)
                if (v[i].id == id)
                        return &v[i];
        return NULL;
}

#define CHECK_KEY(e, k, act, newv)                                 \
        do {                                                       \
                const ct_import_key *_k = key_of((e), (k));        \
                CHECK(_k != NULL);                                 \
                if (_k) {                                          \
                        CHECK(_k->action == (act));                \
                        const char *_want = (newv);                \
                        if (_want)                                 \
                                CHECK_STREQ(_k->new_value, _want); \
                }                                                  \
        } while (0)

int main(void)
{
        snprintf(top, sizeof(top), "/tmp/vpsctl-unit-import.XXXXXX");
        if (!mkdtemp(top)) {
                perror("mkdtemp");
                return 1;
        }
        make_dir("prefix");
        make_dir("src/etc/vz/conf");
        make_dir("src/vz/private/101/etc");
        make_dir("src/data/102");
        make_dir("src/vz/private/103/root.hdd");
        make_dir("src/vz/private/106");
        write_file("src/etc/vz/vz.conf", "VE_PRIVATE=\"/vz/private/$VEID\"\nVE_LAYOUT=\"simfs\"\n"
                                         "IPTABLES=\"ipt_REJECT ipt_tos\"\n");
        write_file("src/etc/vz/conf/101.conf",
                   "# a comment\n"
                   "PHYSPAGES=\"0:262144\"\nKMEMSIZE=\"14372700:14790164\"\nDISKSPACE=\"1048576:1153434\"\n"
                   "QUOTATIME=\"0\"\nCPUUNITS=\"1000\"\nHOSTNAME=\"web1.example.test\"\nNAME=\"web1\"\n"
                   "IP_ADDRESS=\"192.0.2.11 192.0.2.12/255.255.255.0 2001:db8::11\"\n"
                   "OSTEMPLATE=\".centos-7-x86_64\"\nONBOOT=\"yes\"\nFEATURES=\"nfs:on\"\n"
                   "VE_ROOT=\"/vz/root/$VEID\"\nCPULIMIT=\"lots\"\nUSERNS=\"yes\"\n"
                   "NETIF=\"ifname=eth0,mac=00:18:51:AA:BB:01,mac_filter=on,bridge=br0;ifname=eth1\"\n");
        /* VE_PRIVATE of its own; DISK_QUOTA off: the disk limits are not imported */
        write_file("src/etc/vz/conf/102.conf",
                   "VE_PRIVATE=\"/data/$VEID\"\nDISK_QUOTA=\"no\"\n"
                   "DISKINODES=\"200000:220000\"\nIP_ADDRESS=\"192.0.2.1/255.0.255.0\"\n");
        write_file("src/etc/vz/conf/103.conf", "HOSTNAME=\"ploop.example.test\"\n");
        write_file("src/etc/vz/conf/104.conf", "HOSTNAME=\"nofiles.example.test\"\n");
        write_file("src/etc/vz/conf/105.conf", "this is not a config line\n");
        write_file("src/etc/vz/conf/106.conf", "VE_LAYOUT=\"ploop\"\n");
        /* not CTs */
        write_file("src/etc/vz/conf/0.conf", "HOSTNAME=\"host\"\n");
        write_file("src/etc/vz/conf/ve-basic.conf-sample", "PHYSPAGES=\"0:1\"\n");

        char prefix[300], src[300];
        snprintf(prefix, sizeof(prefix), "%s/prefix", top);
        snprintf(src, sizeof(src), "%s/src", top);
        setenv("VPSCTL_PREFIX", prefix, 1);
        struct ct_paths p;
        CHECK(ct_paths_init(&p) == 0);

        ct_import_ct *v = NULL;
        size_t n = 0;
        CHECK(ct_import_scan(&p, src, NULL, 0, &v, &n) == 0);
        CHECK(n == 6);
        CHECK(n == 6 && v[0].id == 101 && v[5].id == 106);

        const ct_import_ct *e = ct_of(v, n, 101);
        CHECK(e && !e->refused);
        if (e) {
                char want[512];
                snprintf(want, sizeof(want), "%s/vz/private/101", src);
                CHECK_STREQ(e->source, want);
                CHECK_KEY(e, "PHYSPAGES", CT_IMPORT_KEPT, "0:262144");
                CHECK_KEY(e, "KMEMSIZE", CT_IMPORT_UNSUPPORTED, NULL);
                CHECK_KEY(e, "QUOTATIME", CT_IMPORT_UNSUPPORTED, NULL);
                CHECK_KEY(e, "FEATURES", CT_IMPORT_UNSUPPORTED, NULL);
                CHECK_KEY(e, "HOSTNAME", CT_IMPORT_KEPT, "web1.example.test");
                CHECK_KEY(e, "IP_ADDRESS", CT_IMPORT_TRANSLATED, "192.0.2.11 192.0.2.12/24 2001:db8::11");
                CHECK_KEY(e, "OSTEMPLATE", CT_IMPORT_TRANSLATED, "centos-7-x86_64");
                CHECK_KEY(e, "VE_ROOT", CT_IMPORT_REPLACED, NULL);
                CHECK_KEY(e, "USERNS", CT_IMPORT_REPLACED, NULL);
                /* a known key with a value vpsctl does not take */
                CHECK_KEY(e, "CPULIMIT", CT_IMPORT_UNSUPPORTED, NULL);
                CHECK_KEY(e, "NETIF", CT_IMPORT_TRANSLATED,
                          "ifname=eth0,mac=00:18:51:AA:BB:01,bridge=br0;ifname=eth1");
                const ct_import_key *k = key_of(e, "NETIF");
                CHECK(k && k->why && strstr(k->why, "mac_filter=on"));
                CHECK_STREQ(e->ostemplate, "centos-7-x86_64");
                CHECK_STREQ(e->name, "web1");
                CHECK_STREQ(e->ip_address, "192.0.2.11 192.0.2.12/24 2001:db8::11");
                /* the new config: applied keys as keys, the unsupported ones as comments, nothing else */
                const char *t = e->config_text;
                CHECK(t && strstr(t, "\nHOSTNAME=\"web1.example.test\"\n"));
                CHECK(t && strstr(t, "\nIP_ADDRESS=\"192.0.2.11 192.0.2.12/24 2001:db8::11\"\n"));
                CHECK(t && strstr(t, "\n#KMEMSIZE=\"14372700:14790164\"\n"));
                CHECK(t && strstr(t, "\n#CPULIMIT=\"lots\"\n"));
                CHECK(t && !strstr(t, "\nKMEMSIZE="));
                CHECK(t && !strstr(t, "VE_ROOT="));
                CHECK(t && !strstr(t, "\nUSERNS="));
                CHECK(t && !strstr(t, "\nOSTEMPLATE=")); /* create sets it */
                /* DISKSPACE: kept where the prefix's filesystem has project quota, else a comment */
                const ct_import_key *d = key_of(e, "DISKSPACE");
                CHECK(d && (d->action == CT_IMPORT_KEPT || d->action == CT_IMPORT_UNSUPPORTED));
                if (d && d->action == CT_IMPORT_UNSUPPORTED)
                        CHECK(t && strstr(t, "\n#DISKSPACE=\"1048576:1153434\"\n"));
        }

        e = ct_of(v, n, 102);
        CHECK(e && !e->refused);
        if (e) {
                char want[512];
                snprintf(want, sizeof(want), "%s/data/102", src);
                CHECK_STREQ(e->source, want);
                CHECK_KEY(e, "DISK_QUOTA", CT_IMPORT_UNSUPPORTED, NULL);
                CHECK_KEY(e, "DISKINODES", CT_IMPORT_UNSUPPORTED, NULL);
                /* 255.0.255.0 is no netmask: the value stays as it was, which vpsctl does not take */
                CHECK_KEY(e, "IP_ADDRESS", CT_IMPORT_UNSUPPORTED, NULL);
        }
        e = ct_of(v, n, 103);
        CHECK(e && e->refused && e->refused_code == -EMEDIUMTYPE && strstr(e->refused, "root.hdd"));
        e = ct_of(v, n, 104);
        CHECK(e && e->refused && e->refused_code == -ENOENT);
        e = ct_of(v, n, 105);
        CHECK(e && e->refused && e->refused_code == -EINVAL);
        e = ct_of(v, n, 106);
        CHECK(e && e->refused && e->refused_code == -EMEDIUMTYPE && strstr(e->refused, "ploop"));
        ct_import_free(v, n);

        /* one CT by --ctid; one with no config */
        unsigned ids[] = { 102, 150 };
        CHECK(ct_import_scan(&p, src, ids, 2, &v, &n) == 0);
        CHECK(n == 2 && v[0].id == 102 && !v[0].refused && v[1].refused && v[1].refused_code == -ENOENT);
        ct_import_free(v, n);

        /* no OpenVZ host there */
        char nothing[400];
        snprintf(nothing, sizeof(nothing), "%s/nothing", top);
        CHECK(ct_import_scan(&p, nothing, NULL, 0, &v, &n) == -ENOENT);

        /* a CT vpsctl has already */
        make_dir("prefix/etc/vpsctl/conf");
        write_file("prefix/etc/vpsctl/conf/101.conf", "HOSTNAME=\"other.example.test\"\n");
        unsigned one[] = { 101 };
        CHECK(ct_import_scan(&p, src, one, 1, &v, &n) == 0);
        CHECK(n == 1 && v[0].refused && v[0].refused_code == -EEXIST);
        ct_import_free(v, n);

        ct_paths_done(&p);
        if (rm_rf_at(AT_FDCWD, top) < 0)
                t_failed++;
        return t_finish();
}
