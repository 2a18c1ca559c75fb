/* import-openvz: an OpenVZ host's containers (vz.conf, CTID.conf, simfs private areas) as vpsctl CTs. Each
 * OpenVZ key is kept (vpsctl reads it as it is), translated (vpsctl's form of the same thing), replaced
 * (vpsctl decides it: paths, layout, user namespace) or unsupported (listed, and kept in the new config as a
 * comment; never dropped silently). The copy itself is create's, with its crash safety (lifecycle.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "engine-internal.h"
#include "templates/templates.h"

/* Why OpenVZ keys have no counterpart here; a key not listed and not in the key table is "not a vpsctl
 * parameter". */
static const struct {
        const char *key;
        const char *why;
} unsupported_why[] = {
#define UBC                                                                                              \
        "a beancounter of the OpenVZ kernel: cgroups have no such limit (PHYSPAGES, SWAPPAGES, NUMPROC " \
        "are kept)"
        { "KMEMSIZE", UBC },
        { "LOCKEDPAGES", UBC },
        { "PRIVVMPAGES", UBC },
        { "SHMPAGES", UBC },
        { "VMGUARPAGES", UBC },
        { "OOMGUARPAGES", UBC },
        { "NUMTCPSOCK", UBC },
        { "NUMFLOCK", UBC },
        { "NUMPTY", UBC },
        { "NUMSIGINFO", UBC },
        { "TCPSNDBUF", UBC },
        { "TCPRCVBUF", UBC },
        { "OTHERSOCKBUF", UBC },
        { "DGRAMRCVBUF", UBC },
        { "NUMOTHERSOCK", UBC },
        { "DCACHESIZE", UBC },
        { "NUMFILE", UBC },
        { "NUMIPTENT", UBC },
        { "AVNUMPROC", UBC },
#undef UBC
        { "QUOTATIME",
          "second-level quota (users' quota inside the CT): project quota has no grace time here" },
        { "QUOTAUGIDLIMIT", "second-level quota (users' quota inside the CT) is not supported" },
        { "JOURNALED_QUOTA", "second-level quota (users' quota inside the CT) is not supported" },
        { "FEATURES",
          "OpenVZ kernel features (nfs, sit, ipip, ppp, bridge...): the CT's namespaces decide" },
        { "IPTABLES",
          "netfilter modules of the OpenVZ kernel: the CT's network namespace has its own netfilter" },
        { "NETFILTER",
          "netfilter modules of the OpenVZ kernel: the CT's network namespace has its own netfilter" },
        { "DEVNODES",
          "device nodes by name: give them as DEVICES (c:MAJOR:MINOR:rw) and make the node in the CT" },
        { "PCI", "PCI devices handed to a CT are not supported" },
        { "MEMINFO", "the CT's /proc/meminfo comes from lxcfs (LXCFS)" },
        { "NODEMASK", "NUMA node binding is not supported" },
        { "BINDMOUNT", "host directories bound into the CT: use a CTID.mount action script" },
        { "TRAFFIC_SHAPING", "RATE and RATE_IN apply whenever set" },
        { "VE_TYPE", "vpsctl CTs are all of one kind" },
        { "HA_ENABLE", "OpenVZ's high availability cluster is not supported" },
        { "HA_PRIO", "OpenVZ's high availability cluster is not supported" },
};

static const char *why_unsupported(const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(unsupported_why); i++)
                if (streq(unsupported_why[i].key, key))
                        return unsupported_why[i].why;
        return "not a vpsctl parameter";
}

static void free_keys(ct_import_key *k, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(k[i].key);
                free(k[i].value);
                free(k[i].new_value);
                free(k[i].why);
        }
        free(k);
}

void ct_import_free(ct_import_ct *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free_keys(v[i].keys, v[i].n_keys);
                free(v[i].conf);
                free(v[i].source);
                free(v[i].ostemplate);
                free(v[i].origin_sample);
                free(v[i].name);
                free(v[i].ip_address);
                free(v[i].refused);
                free(v[i].config_text);
        }
        free(v);
}

static int add_key(ct_import_ct *e, const char *key, const char *value, ct_import_action a,
                   const char *new_value, const char *why)
{
        ct_import_key *m = realloc(e->keys, (e->n_keys + 1) * sizeof(*m));
        if (!m)
                return -ENOMEM;
        e->keys = m;
        ct_import_key *k = &e->keys[e->n_keys];
        *k = (ct_import_key){ .action = a };
        if (!(k->key = strdup(key)) || !(k->value = strdup(value)) ||
            (new_value && !(k->new_value = strdup(new_value))) || (why && !(k->why = strdup(why)))) {
                free(k->key);
                free(k->value);
                free(k->new_value);
                return -ENOMEM;
        }
        e->n_keys++;
        return 0;
}

/* The value of KEY in kv (a ct_config_text_pairs result), or NULL. */
static const char *kv_get(char **kv, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(kv[2 * i], key))
                        return kv[2 * i + 1];
        return NULL;
}

/* The CT's value of KEY, or vz.conf's default. */
static const char *kv_get2(char **kv, size_t n, char **gkv, size_t gn, const char *key)
{
        const char *v = kv_get(kv, n, key);
        return v ? v : kv_get(gkv, gn, key);
}

static void kv_free(char **kv, size_t n)
{
        ct_kv_free(kv, n);
}

/* A netmask (255.255.255.0) as its prefix length, -EINVAL when it is not one. */
static int netmask_prefix(const char *s, unsigned *ret)
{
        struct in_addr a;
        if (inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        uint32_t m = ntohl(a.s_addr);
        unsigned len = 0;
        while (len < 32 && (m & (1U << (31 - len))))
                len++;
        if (len < 32 && (m << len) != 0)
                return -EINVAL;
        *ret = len;
        return 0;
}

/* IP_ADDRESS: OpenVZ also takes ADDR/NETMASK; vpsctl takes ADDR[/LEN]. */
static int translate_ips(const char *v, char **ret)
{
        _cleanup_free_ char *copy = strdup(v), *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        if (!copy || !m) {
                if (m)
                        fclose(m);
                return -ENOMEM;
        }
        int r = 0;
        bool first = true;
        for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                char *slash = strchr(t, '/');
                unsigned prefix;
                if (slash && strchr(slash + 1, '.') && netmask_prefix(slash + 1, &prefix) >= 0) {
                        *slash = 0;
                        fprintf(m, "%s%s/%u", first ? "" : " ", t, prefix);
                } else
                        fprintf(m, "%s%s", first ? "" : " ", t);
                first = false;
        }
        if (fclose(m) != 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

/* NETIF: the fields vpsctl knows are kept; others (mac_filter, ...) are named in *ret_dropped. */
static int translate_netif(const char *v, char **ret, char **ret_dropped)
{
        static const char *const known[] = { "ifname", "mac", "host_ifname", "host_mac", "bridge" };
        _cleanup_free_ char *copy = strdup(v), *out = NULL, *dropped = NULL;
        size_t len = 0, dlen = 0;
        FILE *m = open_memstream(&out, &len), *d = open_memstream(&dropped, &dlen);
        if (!copy || !m || !d) {
                if (m)
                        fclose(m);
                if (d)
                        fclose(d);
                return -ENOMEM;
        }
        bool first_if = true;
        for (char *s1 = NULL, *e = strtok_r(copy, ";", &s1); e; e = strtok_r(NULL, ";", &s1)) {
                bool first = true;
                fputs(first_if ? "" : ";", m);
                first_if = false;
                for (char *s2 = NULL, *f = strtok_r(e, ",", &s2); f; f = strtok_r(NULL, ",", &s2)) {
                        size_t kl = strcspn(f, "=");
                        bool ok = false;
                        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                                ok |= strlen(known[i]) == kl && strncmp(known[i], f, kl) == 0;
                        if (ok) {
                                fprintf(m, "%s%s", first ? "" : ",", f);
                                first = false;
                        } else
                                fprintf(d, "%s%s", ftell(d) ? " " : "", f);
                }
        }
        int r = fclose(m) != 0 ? -ENOMEM : 0;
        if (fclose(d) != 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        *ret_dropped = dlen ? TAKE_PTR(dropped) : NULL;
        return 0;
}

/* Does vpsctl take VALUE for KEY (parsed into a scratch config of CT id)? */
static bool value_ok(const struct ct_key *k, unsigned id, const char *value)
{
        struct ct_config scratch;
        _cleanup_free_ char *expanded = NULL;
        if (ct_config_init(&scratch, "/", id) < 0)
                return false;
        if (k->flags & CT_KEY_SUBST && ct_subst_veid(value, id, &expanded) < 0) {
                ct_config_done(&scratch);
                return false;
        }
        int r = ct_config_set_value(&scratch, k, expanded ? expanded : value);
        ct_config_done(&scratch);
        return r >= 0;
}

/* Is CTID running (or at least mounted) on the source? OpenVZ's kernel lists running CTs in
 * /proc/vz/veinfo (only when the source is this host); a mounted VE_ROOT says so anywhere. */
static int source_busy(const char *root, unsigned id, const char *ve_root)
{
        if (streq(root, "/")) {
                _cleanup_fclose_ FILE *f = fopen("/proc/vz/veinfo", "re");
                char line[256];
                while (f && fgets(line, sizeof(line), f)) {
                        unsigned v;
                        if (sscanf(line, "%u", &v) == 1 && v == id)
                                return 1;
                }
        }
        return tmpl_is_mounted(ve_root) > 0;
}

/* path of the source joined under root ("/" root: the path itself) */
static int under_root(const char *root, const char *path, char **ret)
{
        if (streq(root, "/"))
                *ret = strdup(path);
        else if (asprintf(ret, "%s%s", root, path) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

static int refuse(ct_import_ct *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(ct_import_ct *e, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&e->refused, fmt, ap);
        va_end(ap);
        if (k < 0) {
                e->refused = NULL;
                return -ENOMEM;
        }
        e->refused_code = code;
        return 0;
}

/* Build the plan of one CT from its CTID.conf (kv) over vz.conf's defaults (gkv). */
static int plan_ct(struct ct_paths *p, const char *root, char **gkv, size_t gn, ct_import_ct *e)
{
        char **kv = NULL;
        size_t n = 0, outlen = 0, ulen = 0;
        _cleanup_free_ char *text = NULL, *newconf = NULL, *unsupported = NULL;
        _cleanup_ct_ ct *c = NULL;
        int r;

        r = read_full_file_at(AT_FDCWD, e->conf, &text, NULL);
        if (r < 0)
                return refuse(e, -ENOENT, "cannot read %s: %s", e->conf, strerror(-r));
        r = ct_config_text_pairs(text, &kv, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return refuse(e, -EINVAL, "%s has a line that is not KEY=\"value\"", e->conf);

        /* where its files are, with vz.conf's defaults */
        const char *layout = kv_get2(kv, n, gkv, gn, "VE_LAYOUT");
        const char *vpriv = kv_get2(kv, n, gkv, gn, "VE_PRIVATE");
        const char *vroot = kv_get2(kv, n, gkv, gn, "VE_ROOT");
        const char *dq = kv_get2(kv, n, gkv, gn, "DISK_QUOTA");
        _cleanup_free_ char *priv = NULL, *rootdir = NULL, *src = NULL, *srcroot = NULL, *hdd = NULL;
        if (!vpriv)
                vpriv = "/vz/private/$VEID";
        if (!vroot)
                vroot = "/vz/root/$VEID";
        if ((r = ct_subst_veid(vpriv, e->id, &priv)) < 0 ||
            (r = ct_subst_veid(vroot, e->id, &rootdir)) < 0 || (r = under_root(root, priv, &src)) < 0 ||
            (r = under_root(root, rootdir, &srcroot)) < 0)
                goto out;
        e->source = TAKE_PTR(src);
        if (asprintf(&hdd, "%s/root.hdd", e->source) < 0) {
                r = -ENOMEM;
                goto out;
        }
        bool disk_quota = true;
        bool b;
        if (dq && parse_boolean(dq, &b) >= 0)
                disk_quota = b;

        /* where it goes: vpsctl's own layout */
        r = ct_load(p, e->id, false, &c);
        if (r < 0)
                goto out;
        e->exists = c->exists;
        e->moved = !c->exists && tmpl_private_moved(c->cfg.ve_private) > 0;
        char why_quota[1024] = "";
        int quota = 1;
        {
                /* the first directory that exists on the way to the new private area says its filesystem */
                _cleanup_free_ char *d = strdup(c->cfg.ve_private);
                if (!d) {
                        r = -ENOMEM;
                        goto out;
                }
                while (access(d, F_OK) < 0 && strrchr(d, '/') && strrchr(d, '/') != d)
                        *strrchr(d, '/') = 0;
                quota = tmpl_quota_supported(d, why_quota, sizeof(why_quota));
        }

        FILE *m = open_memstream(&newconf, &outlen);
        if (!m) {
                r = -ENOMEM;
                goto out;
        }
        time_t now = time(NULL);
        char when[64];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
        fprintf(m, "# Imported from OpenVZ (%s, private area %s) on %s by vpsctl import-openvz.\n", e->conf,
                e->source, when);
        FILE *u = open_memstream(&unsupported, &ulen);
        if (!u) {
                fclose(m);
                r = -ENOMEM;
                goto out;
        }

        for (size_t i = 0; i < n && r >= 0; i++) {
                const char *key = kv[2 * i], *value = kv[2 * i + 1];
                _cleanup_free_ char *nv = NULL, *dropped = NULL, *why = NULL;
                const struct ct_key *k = ct_key_by_name(key);

                if (streq(key, "VE_ROOT") || streq(key, "VE_PRIVATE")) {
                        r = add_key(e, key, value, CT_IMPORT_REPLACED,
                                    streq(key, "VE_ROOT") ? c->cfg.ve_root : c->cfg.ve_private,
                                    "vpsctl's own place for the CT");
                        continue;
                }
                if (streq(key, "VE_LAYOUT") || streq(key, "USERNS") || streq(key, "LOCAL_UID") ||
                    streq(key, "LOCAL_GID")) {
                        r = add_key(e, key, value, CT_IMPORT_REPLACED, NULL,
                                    streq(key, "VE_LAYOUT") ? "the copy layout (a simfs private area copied)"
                                                            : "import-openvz --userns decides");
                        continue;
                }
                if (streq(key, "DISK_QUOTA")) {
                        r = add_key(
                                e, key, value, disk_quota ? CT_IMPORT_REPLACED : CT_IMPORT_UNSUPPORTED, NULL,
                                disk_quota ? "vpsctl enforces DISKSPACE and DISKINODES whenever they are set"
                                           : "DISKSPACE and DISKINODES are not imported: they were not "
                                             "enforced on the source");
                        if (!disk_quota)
                                fprintf(u, "#%s=\"%s\"\n", key, value);
                        continue;
                }
                if ((streq(key, "DISKSPACE") || streq(key, "DISKINODES")) && (!disk_quota || quota <= 0)) {
                        if (!disk_quota)
                                r = asprintf(&why, "DISK_QUOTA=\"no\" on the source") < 0 ? -ENOMEM : 0;
                        else
                                r = asprintf(&why, "no project quota where vpsctl keeps private areas: %s",
                                             why_quota[0] ? why_quota : "cannot tell") < 0
                                            ? -ENOMEM
                                            : 0;
                        if (r >= 0)
                                r = add_key(e, key, value, CT_IMPORT_UNSUPPORTED, NULL, why);
                        fprintf(u, "#%s=\"%s\"\n", key, value);
                        continue;
                }
                if (streq(key, "OSTEMPLATE") || streq(key, "ORIGIN_SAMPLE")) {
                        /* labels: OpenVZ's EZ templates are ".NAME" */
                        const char *label = value[0] == '.' ? value + 1 : value;
                        bool ok =
                                streq(key, "OSTEMPLATE") ? tmpl_name_valid(label) : ct_name_is_valid(label);
                        if (ok) {
                                r = add_key(e, key, value,
                                            label == value ? CT_IMPORT_KEPT : CT_IMPORT_TRANSLATED, label,
                                            label == value ? NULL : "without the leading dot");
                                char **dst = streq(key, "OSTEMPLATE") ? &e->ostemplate : &e->origin_sample;
                                free(*dst);
                                if (r >= 0 && !(*dst = strdup(label)))
                                        r = -ENOMEM;
                        } else {
                                r = add_key(e, key, value, CT_IMPORT_UNSUPPORTED, NULL,
                                            "not a name vpsctl takes (letters, digits, '.', '_', '-')");
                                fprintf(u, "#%s=\"%s\"\n", key, value);
                        }
                        continue;
                }
                if (k && (k->flags & CT_KEY_CT) && value_ok(k, e->id, value)) {
                        r = add_key(e, key, value, CT_IMPORT_KEPT, value, NULL);
                        if (r >= 0)
                                fprintf(m, "%s=\"%s\"\n", key, value);
                        if (streq(key, "NAME") && r >= 0 && !(e->name = strdup(value)))
                                r = -ENOMEM;
                        if (streq(key, "IP_ADDRESS") && r >= 0 && !(e->ip_address = strdup(value)))
                                r = -ENOMEM;
                        continue;
                }
                /* the same thing in vpsctl's form */
                const char *tr_why = NULL;
                if (k && streq(key, "IP_ADDRESS")) {
                        r = translate_ips(value, &nv);
                        tr_why = "netmasks as prefix lengths";
                } else if (k && streq(key, "NETIF")) {
                        r = translate_netif(value, &nv, &dropped);
                        if (r >= 0 && dropped &&
                            asprintf(&why, "fields vpsctl does not support left out: %s", dropped) < 0)
                                r = -ENOMEM;
                        tr_why = why;
                }
                if (r < 0)
                        break;
                if (nv && value_ok(k, e->id, nv)) {
                        r = add_key(e, key, value, CT_IMPORT_TRANSLATED, nv, tr_why);
                        if (r >= 0)
                                fprintf(m, "%s=\"%s\"\n", key, nv);
                        if (streq(key, "IP_ADDRESS") && r >= 0 && !(e->ip_address = strdup(nv)))
                                r = -ENOMEM;
                        continue;
                }
                free(why);
                why = NULL;
                if (k && (k->flags & CT_KEY_CT))
                        r = asprintf(&why, "a value vpsctl does not take: %s", k->help) < 0 ? -ENOMEM : 0;
                if (r >= 0)
                        r = add_key(e, key, value, CT_IMPORT_UNSUPPORTED, NULL,
                                    why ? why : why_unsupported(key));
                fprintf(u, "#%s=\"%s\"\n", key, value);
        }
        if (fclose(u) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0 && ulen)
                fprintf(m,
                        "# Not supported by vpsctl (`vpsctl import-openvz --dry-run` says why), not "
                        "applied:\n%s",
                        unsupported);
        if (fclose(m) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                goto out;
        e->config_text = TAKE_PTR(newconf);

        /* what stops it */
        struct stat st;
        if (layout && streq(layout, "ploop"))
                r = refuse(e, -EMEDIUMTYPE,
                           "its private area is a ploop image (VE_LAYOUT=\"ploop\"): ploop images are not "
                           "supported; convert it to simfs on the source (vzctl convert is the other way: "
                           "copy the "
                           "files out of the mounted CT) first");
        else if (exists_at(AT_FDCWD, hdd))
                r = refuse(
                        e, -EMEDIUMTYPE,
                        "its private area %s holds a ploop image (root.hdd): ploop images are not supported",
                        e->source);
        else if (layout && !streq(layout, "simfs"))
                r = refuse(e, -EMEDIUMTYPE, "VE_LAYOUT=\"%s\" is not simfs, the only layout imported",
                           layout);
        else if (e->exists)
                r = refuse(e, -EEXIST, "CT %u exists in vpsctl already (%s)", e->id, c->conf_path);
        else if ((stat(e->source, &st) < 0 || !S_ISDIR(st.st_mode)) && !e->moved)
                r = refuse(e, -ENOENT, "its private area %s does not exist", e->source);
        else if (source_busy(root, e->id, srcroot) > 0)
                r = refuse(e, -EBUSY, "it is running (or mounted at %s) on the source: stop it there first",
                           srcroot);
        else if (e->name) {
                unsigned other = 0;
                if (ct_find_by_name(p, e->name, e->id, &other) >= 0 && other)
                        r = refuse(e, -EADDRNOTAVAIL, "its NAME \"%s\" is used by vpsctl's CT %u", e->name,
                                   other);
        }
out:
        kv_free(kv, n);
        return r;
}

static int cmp_uint(const void *a, const void *b)
{
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return x < y ? -1 : x > y;
}

int ct_import_scan(struct ct_paths *p, const char *root, const unsigned *ids, size_t n_ids,
                   ct_import_ct **ret, size_t *ret_n)
{
        _cleanup_free_ char *vzconf = NULL, *confdir = NULL, *gtext = NULL;
        _cleanup_free_ unsigned *found = NULL;
        char **gkv = NULL;
        size_t gn = 0, n = 0;
        int r;

        if (asprintf(&vzconf, "%s/etc/vz/vz.conf", streq(root, "/") ? "" : root) < 0 ||
            asprintf(&confdir, "%s/etc/vz/conf", streq(root, "/") ? "" : root) < 0)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, vzconf, &gtext, NULL);
        if (r < 0 && r != -ENOENT)
                return r;
        r = ct_config_text_pairs(gtext ? gtext : "", &gkv, &gn);
        if (r < 0)
                return r;

        if (n_ids) {
                found = calloc(n_ids, sizeof(unsigned));
                if (!found) {
                        kv_free(gkv, gn);
                        return -ENOMEM;
                }
                memcpy(found, ids, n_ids * sizeof(unsigned));
                n = n_ids;
        } else {
                _cleanup_closedir_ DIR *d = opendir(confdir);
                if (!d) {
                        kv_free(gkv, gn);
                        return negative_errno();
                }
                for (struct dirent *de; (de = readdir(d));) {
                        unsigned id;
                        size_t l = strlen(de->d_name);
                        if (l < 6 || !streq(de->d_name + l - 5, ".conf"))
                                continue;
                        char num[32];
                        if (l - 5 >= sizeof(num))
                                continue;
                        memcpy(num, de->d_name, l - 5);
                        num[l - 5] = 0;
                        /* 0.conf and ve-*.conf-sample are not CTs */
                        if (ct_id_parse(num, &id) < 0)
                                continue;
                        unsigned *m = realloc(found, (n + 1) * sizeof(unsigned));
                        if (!m) {
                                kv_free(gkv, gn);
                                return -ENOMEM;
                        }
                        found = m;
                        found[n++] = id;
                }
                if (n > 0)
                        qsort(found, n, sizeof(unsigned), cmp_uint);
        }

        ct_import_ct *v = calloc(n ? n : 1, sizeof(*v));
        if (!v) {
                kv_free(gkv, gn);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                v[i].id = found[i];
                if (asprintf(&v[i].conf, "%s/%u.conf", confdir, found[i]) < 0) {
                        v[i].conf = NULL;
                        r = -ENOMEM;
                        break;
                }
                if (access(v[i].conf, F_OK) < 0)
                        r = refuse(&v[i], -ENOENT, "no %s on the source", v[i].conf);
                else
                        r = plan_ct(p, root, gkv, gn, &v[i]);
        }
        kv_free(gkv, gn);
        if (r < 0) {
                ct_import_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int ct_import_run(ct *c, const ct_import_ct *e, int userns, bool move)
{
        if (e->refused)
                return e->refused_code;
        if (c->exists)
                return -EEXIST;
        /* an interrupted import --move: the files go back to the source first, then all is as before */
        int k = tmpl_private_unmove(c->cfg.ve_private);
        if (k < 0)
                return log_error_errno(k,
                                       "CT %u: an interrupted import left files in %s that cannot be moved "
                                       "back to %s: %m; move them back by hand",
                                       c->id, c->cfg.ve_private, e->source);
        if (k > 0)
                log_notice("CT %u: the files an interrupted import moved are back in %s", c->id, e->source);
        if (e->ip_address) {
                int r = ct_net_check_ips(c, e->ip_address);
                if (r < 0)
                        return r;
        }
        ct_create_opts o = {
                .ostemplate = e->ostemplate,
                .config_sample = e->origin_sample,
                .userns = userns,
                .import_from = e->source,
                .config_text = e->config_text,
                .import_move = move,
        };
        return ct_create(c, &o);
}
