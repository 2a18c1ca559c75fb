/* CTID.conf and vpsctl.conf as files: defaults, reading (file:line errors) and writing back for set --save.
 * The key table behind them is config-keys.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "config-internal.h"
#include "templates/templates.h"

#define FIELD(c, k) ((char *)(c) + (k)->offset)

int ct_subst_veid(const char *in, unsigned ctid, char **ret)
{
        static const char *const vars[] = { "${VEID}", "$VEID", "${CTID}", "$CTID" };
        char id[16], *out;
        size_t len = 0, alloc = strlen(in) * 2 + 32;

        snprintf(id, sizeof(id), "%u", ctid);
        out = malloc(alloc);
        if (!out)
                return -ENOMEM;
        for (const char *p = in; *p;) {
                size_t vl = 0;
                for (size_t i = 0; i < ELEMENTSOF(vars) && !vl; i++)
                        if (strncmp(p, vars[i], strlen(vars[i])) == 0)
                                vl = strlen(vars[i]);
                const char *add = vl ? id : p;
                size_t al = vl ? strlen(id) : 1;
                if (len + al + 1 > alloc) {
                        alloc = (len + al + 1) * 2;
                        char *t = realloc(out, alloc);
                        if (!t) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = t;
                }
                memcpy(out + len, add, al);
                len += al;
                p += vl ? vl : 1;
        }
        out[len] = 0;
        *ret = out;
        return 0;
}

int ct_config_init(struct ct_config *c, const char *prefix, unsigned ctid)
{
        const char *p = streq(prefix, "/") ? "" : prefix;

        *c = (struct ct_config){
                .ctid = ctid,
                .onboot = CT_UNSET,
                .disabled = CT_UNSET,
                .seccomp = CT_UNSET,
                .no_new_privs = CT_UNSET,
                .userns = CT_UNSET,
                .stop_timeout = 60,
                .lock_timeout = 5,
                .template_keep = 3,
                .ram_barrier = CT_U64_UNSET,
                .ram_limit = CT_U64_UNSET,
                .swap_barrier = CT_U64_UNSET,
                .swap_limit = CT_U64_UNSET,
                .memguarantee = -1,
                .numproc_barrier = CT_U64_UNSET,
                .numproc_limit = CT_U64_UNSET,
                .diskspace_soft = CT_U64_UNSET,
                .diskspace_hard = CT_U64_UNSET,
                .diskinodes_soft = CT_U64_UNSET,
                .diskinodes_hard = CT_U64_UNSET,
                .iolimit = CT_U64_UNSET,
                .iopslimit = CT_U64_UNSET,
                .ioprio = -1,
                .logging = CT_UNSET,
                .console = CT_UNSET,
                .lxcfs = CT_UNSET,
        };
        if (asprintf(&c->ve_root, "%s/var/lib/vpsctl/root/$VEID", p) < 0 ||
            asprintf(&c->ve_private, "%s/var/lib/vpsctl/private/$VEID", p) < 0 ||
            asprintf(&c->template_dir, "%s/var/lib/vpsctl/templates", p) < 0 ||
            asprintf(&c->logfile, "%s/var/log/vpsctl.log", p) < 0 ||
            !(c->cgroup_parent = strdup("vpsctl")) || !(c->layout = strdup("overlay")) ||
            !(c->configfile = strdup("basic")) || !(c->lxcfs_dir = strdup("/var/lib/lxcfs")))
                return -ENOMEM;
        return 0;
}

void ct_config_done(struct ct_config *c)
{
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].format == format_string) {
                        char **s = (char **)FIELD(c, &ct_keys[i]);
                        free(*s);
                        *s = NULL;
                }
}

int ct_config_set_value(struct ct_config *c, const struct ct_key *k, const char *value)
{
        return k->parse(k, value, FIELD(c, k));
}

int ct_key_option_value(const struct ct_key *k, const char *opt, char **ret)
{
        if (k->from_option)
                return k->from_option(opt, ret);
        *ret = strdup(opt);
        return *ret ? 0 : -ENOMEM;
}

int ct_config_format_value(const struct ct_config *c, const struct ct_key *k, char **ret)
{
        return k->format(k, (const char *)c + k->offset, ret);
}

/* Split one line into KEY and unquoted VALUE. 0 = nothing (blank/comment), 1 = got one, -EINVAL = bad. */
static int split_line(char *line, char **ret_key, char **ret_value)
{
        char *p = line;
        while (isspace((unsigned char)*p))
                p++;
        if (*p == 0 || *p == '#')
                return 0;
        char *key = p;
        while (isalnum((unsigned char)*p) || *p == '_')
                p++;
        if (p == key || *p != '=')
                return -EINVAL;
        *p++ = 0;
        char *val = p, *end;
        if (*p == '"' || *p == '\'') {
                char q = *p++;
                val = p;
                end = strchr(p, q);
                if (!end)
                        return -EINVAL;
                *end++ = 0;
        } else {
                end = p + strcspn(p, " \t#");
                if (*end)
                        *end++ = 0;
        }
        while (isspace((unsigned char)*end))
                end++;
        if (*end && *end != '#')
                return -EINVAL;
        *ret_key = key;
        *ret_value = val;
        return 1;
}

/* vzctl reads lines of up to 16 KiB; longer is an error, not a silent cut. */
#define CONF_LINE_MAX 16384

int ct_config_text_pairs(const char *text, char ***ret_kv, size_t *ret_n)
{
        size_t lines = 1, n = 0;
        for (const char *p = text; *p; p++)
                lines += *p == '\n';
        _cleanup_free_ char *copy = strdup(text);
        char **kv = calloc(2 * (lines + 1), sizeof(char *));
        if (!copy || !kv) {
                free(kv);
                return -ENOMEM;
        }
        for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *key, *value;
                size_t len = strlen(l);
                if (len > 0 && l[len - 1] == '\r')
                        l[len - 1] = 0;
                int r = split_line(l, &key, &value);
                if (r == 0)
                        continue;
                /* a key given twice: the later line wins, as in a file */
                size_t i = 0;
                while (r > 0 && i < n && !streq(kv[2 * i], key))
                        i++;
                if (r > 0 && i < n) {
                        free(kv[2 * i + 1]);
                        kv[2 * i + 1] = strdup(value);
                } else if (r > 0) {
                        kv[2 * n] = strdup(key);
                        kv[2 * n + 1] = strdup(value);
                        n++;
                }
                if (r < 0 || !kv[2 * i] || !kv[2 * i + 1]) {
                        for (size_t j = 0; j < 2 * n; j++)
                                free(kv[j]);
                        free(kv);
                        return r < 0 ? r : -ENOMEM;
                }
        }
        *ret_kv = kv;
        *ret_n = n;
        return 0;
}

int ct_config_parse_file(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown)
{
        return ct_config_parse_file_error(c, path, scope, warn_unknown, NULL);
}

/* "PATH:LINE: what": returned in *ret_error where the caller wants it (and reports it itself), else
 * logged at error level. */
static int parse_error(char **ret_error, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int parse_error(char **ret_error, int r, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (!ret_error) {
                log_error("%s", msg);
                return r;
        }
        free(*ret_error);
        *ret_error = TAKE_PTR(msg);
        return r;
}

int ct_config_parse_file_error(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown,
                               char **ret_error)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        unsigned lineno = 0;
        ssize_t n;
        int r;

        if (!f)
                return negative_errno();
        while ((n = getline(&line, &len, f)) > 0) {
                char *key, *value;
                lineno++;
                if (n > CONF_LINE_MAX)
                        return parse_error(ret_error, -EINVAL, "%s:%u: line longer than %d bytes", path,
                                           lineno, CONF_LINE_MAX);
                if (strlen(line) != (size_t)n)
                        return parse_error(ret_error, -EINVAL, "%s:%u: a NUL byte in the line", path,
                                           lineno);
                /* LF or CRLF line ends; the last line may have none */
                line[strcspn(line, "\n")] = 0;
                size_t l = strlen(line);
                if (l > 0 && line[l - 1] == '\r')
                        line[l - 1] = 0;
                r = split_line(line, &key, &value);
                if (r == 0)
                        continue;
                if (r < 0)
                        return parse_error(ret_error, r, "%s:%u: cannot parse line, expected KEY=\"value\"",
                                           path, lineno);
                const struct ct_key *k = ct_key_by_name(key);
                if (!k || !(k->flags & scope)) {
                        if (warn_unknown)
                                log_warning("%s:%u: unknown parameter %s, ignoring", path, lineno, key);
                        continue;
                }
                _cleanup_free_ char *expanded = NULL;
                if (k->flags & CT_KEY_SUBST && c->ctid > 0) {
                        r = ct_subst_veid(value, c->ctid, &expanded);
                        if (r < 0)
                                return r;
                        value = expanded;
                }
                /* a key given twice: the later line wins (set --save keeps one line) */
                r = ct_config_set_value(c, k, value);
                if (r == -ENOMEM)
                        return log_error_errno(r, "Out of memory");
                if (r < 0)
                        return parse_error(ret_error, -EINVAL, "%s:%u: bad value for %s: \"%s\"%s", path,
                                           lineno, key, value, r == -ERANGE ? " (out of range)" : "");
        }
        return 0;
}

static int line_key(const char *line, char *key, size_t keysz)
{
        const char *p = line;
        while (isspace((unsigned char)*p))
                p++;
        size_t n = 0;
        while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n + 1 < keysz)
                n++;
        if (n == 0 || p[n] != '=')
                return 0;
        memcpy(key, p, n);
        key[n] = 0;
        return 1;
}

int ct_config_edit(const char *path, const char *template_text, const struct ct_change *changes, size_t n)
{
        _cleanup_free_ char *old = NULL, *out = NULL;
        _cleanup_free_ bool *done = calloc(n ? n : 1, sizeof(bool));
        size_t outlen = 0;
        int r;

        if (!done)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, path, &old, NULL);
        if (r == -ENOENT && template_text) {
                old = strdup(template_text);
                r = old ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;

        FILE *m = open_memstream(&out, &outlen);
        if (!m)
                return -ENOMEM;
        for (char *save = NULL, *l = strtok_r(old, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char key[64];
                ssize_t hit = -1;
                if (line_key(l, key, sizeof(key)))
                        for (size_t i = 0; i < n; i++)
                                if (streq(changes[i].key, key))
                                        hit = (ssize_t)i;
                if (hit < 0) {
                        fprintf(m, "%s\n", l);
                        continue;
                }
                /* the first occurrence takes the new value, later duplicates are dropped */
                if (!done[hit] && changes[hit].value)
                        fprintf(m, "%s=\"%s\"\n", key, changes[hit].value);
                done[hit] = true;
        }
        for (size_t i = 0; i < n; i++)
                if (!done[i] && changes[i].value) {
                        bool later = false;
                        for (size_t j = i + 1; j < n; j++)
                                later |= streq(changes[j].key, changes[i].key);
                        if (!later)
                                fprintf(m, "%s=\"%s\"\n", changes[i].key, changes[i].value);
                }
        if (fclose(m) != 0)
                return -ENOMEM;
        return write_file_atomic_at(AT_FDCWD, path, out, outlen, 0644);
}
