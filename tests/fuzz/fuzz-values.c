/* Values: every key of the key table (sizes, barrier:limit pairs, cpumasks, CPULIMIT, paths, names, lists),
 * the command-line forms (--ram, --iolimit), CTIDs, CT names, hostnames, template names and base/parse.c.
 * Input: see LLVMFuzzerTestOneInput.
 * Invariants: a value that is accepted formats to a value that is accepted again and formats the same
 * (what set --save writes, start reads back); a CT name is never a CTID; a size survives format_size. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

#include "base/log.h"
#include "base/parse.h"
#include "fuzz.h"
#include "runtime/config.h"
#include "templates/templates.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        return 0;
}

static void key_value(const struct ct_key *k, const char *v)
{
        struct ct_config c, d;
        FUZZ_ASSERT(ct_config_init(&c, "/", 101) == 0);
        FUZZ_ASSERT(ct_config_init(&d, "/", 101) == 0);
        int r = ct_config_set_value(&c, k, v);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) {
                char *a = NULL, *b = NULL;
                FUZZ_ASSERT(ct_config_format_value(&c, k, &a) == 0);
                if (a) {
                        FUZZ_ASSERT(!strpbrk(a, "\"\n"));
                        r = ct_config_set_value(&d, k, a);
                        if (r != 0) {
                                fprintf(stderr, "%s=\"%s\" formats as \"%s\", which is refused\n", k->key, v,
                                        a);
                                abort();
                        }
                        FUZZ_ASSERT(ct_config_format_value(&d, k, &b) == 0);
                        if (!streq_ptr(a, b)) {
                                fprintf(stderr, "%s: \"%s\" -> \"%s\" -> \"%s\"\n", k->key, v, a,
                                        fuzz_str(b));
                                abort();
                        }
                }
                free(a);
                free(b);
        }
        ct_config_done(&c);
        ct_config_done(&d);
}

static void option_value(const struct ct_key *k, const char *opt)
{
        char *v = NULL;
        if (!k->option)
                return;
        int r = ct_key_option_value(k, opt, &v);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) {
                FUZZ_ASSERT(v);
                key_value(k, v);
                /* --ram/--swap are bytes; the file's value they become must hold as many, within a page
                 * (a bare number there means pages: "0:1000000" would be 4 GB) */
                uint64_t bytes, pages[2] = { 0, 0 };
                if (streq(k->option, "ram") || streq(k->option, "swap")) {
                        struct ct_config c;
                        FUZZ_ASSERT(ct_config_init(&c, "/", 101) == 0);
                        if (parse_size(opt, &bytes) == 0 && ct_config_set_value(&c, k, v) == 0) {
                                memcpy(pages, (const char *)&c + k->offset, sizeof(pages));
                                FUZZ_ASSERT(pages[1] >= bytes);
                                FUZZ_ASSERT(bytes == UINT64_MAX || pages[1] - bytes < 4096);
                        }
                        ct_config_done(&c);
                }
        }
        free(v);
}

static void ctid(const char *s)
{
        unsigned id = 0;
        int r = ct_id_parse(s, &id);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) {
                FUZZ_ASSERT(id >= CTID_MIN && id <= CTID_MAX);
                FUZZ_ASSERT(strspn(s, "0123456789") == strlen(s));
                FUZZ_ASSERT(strtoull(s, NULL, 10) == id);
        }
        /* ct_resolve_id tries the CTID first: a valid name must never read as one */
        if (ct_name_is_valid(s)) {
                FUZZ_ASSERT(r == -EINVAL);
                FUZZ_ASSERT(strlen(s) <= 64 && !strchr(s, '/') && !streq(s, ".") && !streq(s, ".."));
        }
        if (hostname_is_valid(s)) {
                FUZZ_ASSERT(strlen(s) <= 253 && s[0] != '-' && s[0] != '.');
                for (const char *p = s; *p; p++)
                        FUZZ_ASSERT(isalnum((unsigned char)*p) || *p == '-' || *p == '.');
        }
        if (tmpl_name_valid(s))
                FUZZ_ASSERT(!strchr(s, '/') && s[0] != '.' && strlen(s) <= 64);
        char *out = NULL;
        FUZZ_ASSERT(ct_subst_veid(s, 4294967295U, &out) == 0);
        FUZZ_ASSERT(!strstr(out, "${VEID}") || strstr(s, "${VEID}"));
        free(out);
}

static void numbers(const char *s)
{
        uint64_t v, w;
        unsigned u;
        int i;
        bool b;
        char buf[64];

        if (parse_size(s, &v) == 0) {
                format_size(v, buf, sizeof(buf));
                FUZZ_ASSERT(parse_size(buf, &w) == 0);
                if (v != w) {
                        fprintf(stderr, "size \"%s\" = %" PRIu64 " formats as \"%s\" = %" PRIu64 "\n", s, v,
                                buf, w);
                        abort();
                }
        }
        if (safe_atou64(s, &v) == 0) {
                snprintf(buf, sizeof(buf), "%" PRIu64, v);
                FUZZ_ASSERT(safe_atou64(buf, &w) == 0 && v == w);
        }
        if (safe_atou(s, &u) == 0)
                FUZZ_ASSERT(safe_atou64(s, &v) == 0 && v == u);
        if (safe_atoi(s, &i) == 0) {
                snprintf(buf, sizeof(buf), "%d", i);
                int j;
                FUZZ_ASSERT(safe_atoi(buf, &j) == 0 && i == j);
        }
        (void)parse_sec(s, &u);
        if (parse_boolean(s, &b) == 0)
                FUZZ_ASSERT(strlen(s) <= 5);
}

/* Input: a mode byte, then "KEY=value" for the key modes (0: the file's value, 1: the command-line
 * form), or the value alone (2: CTIDs and names, 3: numbers). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        char *s = fuzz_string(data + 1, size - 1);
        uint8_t mode = data[0] % 4;
        if (mode < 2) {
                char *eq = strchr(s, '=');
                if (eq) {
                        *eq = 0;
                        const struct ct_key *k = ct_key_by_name(s);
                        /* an alias (--ram for PHYSPAGES) shares its key's name: try every entry */
                        for (size_t i = 0; k && i < ct_keys_count; i++)
                                if (streq(ct_keys[i].key, s)) {
                                        if (mode == 0)
                                                key_value(&ct_keys[i], eq + 1);
                                        else
                                                option_value(&ct_keys[i], eq + 1);
                                }
                }
        } else if (mode == 2)
                ctid(s);
        else
                numbers(s);
        free(s);
        return 0;
}
