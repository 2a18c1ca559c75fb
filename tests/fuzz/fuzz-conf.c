/* CTID.conf and vpsctl.conf: the parser, the writer behind `set --save` (ct_config_edit) and the key
 * table's parsers and formatters. Input: one byte choosing the file kind, then the file.
 * Invariants: a parse error names PATH:LINE; a file that parses is written back by ct_config_edit into a
 * file that parses to the same values; editing one key of it leaves one line of that key and every other
 * value as it was. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "fuzz.h"
#include "runtime/config.h"

static char dir[] = "/tmp/vpsctl-fuzz-conf.XXXXXX";
static char in_path[64], out_path[64];

static void cleanup(void)
{
        (void)unlink(in_path);
        (void)unlink(out_path);
        (void)rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1); /* the errors are the point here: not printed */
        if (!mkdtemp(dir))
                abort();
        snprintf(in_path, sizeof(in_path), "%s/in.conf", dir);
        snprintf(out_path, sizeof(out_path), "%s/out.conf", dir);
        atexit(cleanup);
        return 0;
}

static void write_input(const char *path, const uint8_t *data, size_t size)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        FUZZ_ASSERT(fd >= 0);
        FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
        close(fd);
}

static bool in_scope(const struct ct_key *k, unsigned scope)
{
        return (k->flags & scope) && !(k->flags & CT_KEY_ALIAS);
}

/* c and d hold the same value for every key of scope, except skip (may be NULL). */
static void assert_same(const struct ct_config *c, const struct ct_config *d, unsigned scope,
                        const char *skip)
{
        for (size_t i = 0; i < ct_keys_count; i++) {
                const struct ct_key *k = &ct_keys[i];
                if (!in_scope(k, scope) || (skip && streq(k->key, skip)))
                        continue;
                char *a = NULL, *b = NULL;
                FUZZ_ASSERT(ct_config_format_value(c, k, &a) == 0);
                FUZZ_ASSERT(ct_config_format_value(d, k, &b) == 0);
                if (!streq_ptr(a, b)) {
                        fprintf(stderr, "%s: \"%s\" became \"%s\"\n", k->key, fuzz_str(a), fuzz_str(b));
                        abort();
                }
                free(a);
                free(b);
        }
}

static unsigned count_lines_of(const char *path, const char *key)
{
        char *text = NULL;
        unsigned n = 0;
        size_t kl = strlen(key);
        FUZZ_ASSERT(read_full_file_at(AT_FDCWD, path, &text, NULL) == 0);
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                while (*l == ' ' || *l == '\t')
                        l++;
                if (strncmp(l, key, kl) == 0 && l[kl] == '=')
                        n++;
        }
        free(text);
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        unsigned scope = data[0] & 1 ? CT_KEY_GLOBAL : CT_KEY_CT;
        unsigned ctid = scope == CT_KEY_CT ? 101 : 0;
        write_input(in_path, data + 1, size - 1);
        (void)unlink(out_path);

        struct ct_config c;
        char *err = NULL;
        FUZZ_ASSERT(ct_config_init(&c, "/", ctid) == 0);
        int r = ct_config_parse_file_error(&c, in_path, scope, false, &err);
        if (r < 0) {
                FUZZ_ASSERT(r == -EINVAL);
                FUZZ_ASSERT(err && strncmp(err, in_path, strlen(in_path)) == 0 &&
                            err[strlen(in_path)] == ':');
                free(err);
                ct_config_done(&c);
                return 0;
        }
        FUZZ_ASSERT(r == 0 && !err);

        /* every value not left at its default, written the way set --save writes it, into a new file, reads
         * back the same */
        struct ct_config def;
        FUZZ_ASSERT(ct_config_init(&def, "/", ctid) == 0);
        struct ct_change ch[128];
        char *vals[128];
        size_t n = 0;
        for (size_t i = 0; i < ct_keys_count && n < 128; i++) {
                if (!in_scope(&ct_keys[i], scope))
                        continue;
                char *v = NULL;
                char *dv = NULL;
                FUZZ_ASSERT(ct_config_format_value(&c, &ct_keys[i], &v) == 0);
                FUZZ_ASSERT(ct_config_format_value(&def, &ct_keys[i], &dv) == 0);
                bool is_default = streq_ptr(v, dv);
                free(dv);
                if (!v || is_default) {
                        free(v);
                        continue;
                }
                vals[n] = v;
                ch[n] = (struct ct_change){ ct_keys[i].key, v };
                n++;
        }
        FUZZ_ASSERT(ct_config_edit(out_path, "", ch, n) == 0);
        struct ct_config d;
        FUZZ_ASSERT(ct_config_init(&d, "/", ctid) == 0);
        r = ct_config_parse_file_error(&d, out_path, scope, false, &err);
        if (r < 0) {
                fprintf(stderr, "written back, the file does not parse: %s\n", fuzz_str(err));
                abort();
        }
        assert_same(&c, &d, scope, NULL);
        ct_config_done(&d);
        ct_config_done(&def);
        for (size_t i = 0; i < n; i++)
                free(vals[i]);

        /* set --save of one key on the original file: one line of it, the rest unchanged */
        const char *key = scope == CT_KEY_CT ? "HOSTNAME" : "CONFIGFILE";
        const char *value = scope == CT_KEY_CT ? "fuzz.example" : "vswap-1g";
        struct ct_change one = { key, value };
        FUZZ_ASSERT(ct_config_edit(in_path, NULL, &one, 1) == 0);
        FUZZ_ASSERT(count_lines_of(in_path, key) == 1);
        struct ct_config e;
        FUZZ_ASSERT(ct_config_init(&e, "/", ctid) == 0);
        r = ct_config_parse_file_error(&e, in_path, scope, false, &err);
        if (r < 0) {
                fprintf(stderr, "after editing %s, the file does not parse: %s\n", key, fuzz_str(err));
                abort();
        }
        char *got = NULL;
        FUZZ_ASSERT(ct_config_format_value(&e, ct_key_by_name(key), &got) == 0);
        FUZZ_ASSERT(streq_ptr(got, value));
        free(got);
        assert_same(&c, &e, scope, key);
        ct_config_done(&e);
        ct_config_done(&c);
        return 0;
}
