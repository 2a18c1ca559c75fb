/* Config samples (etc/vpsctl/conf/ve-NAME.conf-sample, or a built-in one): their text for create, their
 * keys for set --applyconfig. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"
#include "samples-builtin.h"

/* The sample's text: etc/vpsctl/conf/ve-NAME.conf-sample, else the built-in one of that name; "none" is
 * the explicit choice of a CT without limits. */
int ct_read_sample(ct *c, const char *sample, char **ret)
{
        char path[4096];
        _cleanup_free_ char *text = NULL;
        int r;

        if (streq(sample, "none")) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        snprintf(path, sizeof(path), "%s/ve-%s.conf-sample", c->paths->conf_dir, sample);
        r = read_full_file_at(AT_FDCWD, path, &text, NULL);
        if (r == -ENOENT) {
                for (size_t i = 0; i < ct_builtin_samples_count; i++)
                        if (streq(ct_builtin_samples[i].name, sample) &&
                            !(text = strdup(ct_builtin_samples[i].text)))
                                return -ENOMEM;
                if (!text) {
                        char known[256] = "";
                        for (size_t i = 0; i < ct_builtin_samples_count; i++)
                                snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                                         i ? ", " : "", ct_builtin_samples[i].name);
                        return log_error_errno(
                                -ENOENT,
                                "Config sample \"%s\" not found: no %s, and the built-in ones are "
                                "%s (or none: no limits)",
                                sample, path, known);
                }
                snprintf(path, sizeof(path), "built-in sample %s", sample);
        } else if (r < 0)
                return log_error_errno(r, "Failed to read config sample %s: %m", path);
        /* the sample's values must be as valid as a CT's */
        _cleanup_close_ int fd = memfd_create("sample", MFD_CLOEXEC);
        if (fd < 0 || loop_write(fd, text, strlen(text)) < 0)
                return log_error_errno(fd < 0 ? negative_errno() : -EIO,
                                       "Failed to check config sample %s: %m", path);
        char fdpath[64];
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
        struct ct_config tmp;
        _cleanup_free_ char *err = NULL;
        r = ct_config_init(&tmp, c->paths->prefix, c->id);
        if (r >= 0)
                r = ct_config_parse_file_error(&tmp, fdpath, CT_KEY_CT, true, &err);
        ct_config_done(&tmp);
        if (r < 0 && err)
                /* name the sample, not the memfd */
                return log_error_errno(r, "Config sample %s: %s", path,
                                       strchr(err, ':') ? strchr(err, ':') + 1 : err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        return 0;
}

/* vzctl's rule: applyconfig leaves a CT's identity alone */
static bool kept_by_applyconfig(const struct ct_key *k)
{
        static const char *const kept[] = { "HOSTNAME",   "IP_ADDRESS", "OSTEMPLATE",  "VE_ROOT",
                                            "VE_PRIVATE", "NAME",       "DESCRIPTION", "ORIGIN_SAMPLE" };
        if (!(k->flags & CT_KEY_CT) || (k->flags & CT_KEY_NOSET))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (streq(k->key, kept[i]))
                        return true;
        return false;
}

int ct_sample_changes(ct *c, const char *sample, char ***ret_kv, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        char **kv = NULL;
        size_t n = 0;
        int r = ct_read_sample(c, sample, &text);
        if (r < 0)
                return r;
        r = ct_config_text_pairs(text, &kv, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read config sample %s: %m", sample);
        size_t out = 0;
        for (size_t i = 0; i < n; i++) {
                const struct ct_key *k = ct_key_by_name(kv[2 * i]);
                if (!k || kept_by_applyconfig(k)) {
                        free(kv[2 * i]);
                        free(kv[2 * i + 1]);
                        continue;
                }
                kv[2 * out] = kv[2 * i];
                kv[2 * out + 1] = kv[2 * i + 1];
                out++;
        }
        /* and where its values came from */
        kv[2 * out] = strdup("ORIGIN_SAMPLE");
        kv[2 * out + 1] = strdup(sample);
        out++;
        if (!kv[2 * out - 2] || !kv[2 * out - 1]) {
                ct_kv_free(kv, out);
                return -ENOMEM;
        }
        *ret_kv = kv;
        *ret_n = out;
        return 0;
}

void ct_kv_free(char **kv, size_t n)
{
        for (size_t i = 0; kv && i < 2 * n; i++)
                free(kv[i]);
        free(kv);
}
