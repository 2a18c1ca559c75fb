/* vzctl and vzlist: the same binary under OpenVZ's names. Run as `vzctl`, the verbs print vzctl's own
 * messages where scripts and panels grep them ("Starting container...", "Container start in
 * progress...", "Container was stopped", ...); run as `vzlist`, the command line is `list`'s. Both also
 * take `--opt=value` for `--opt value`, as vzctl's getopt_long does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli.h"

bool cli_vzctl;
bool cli_vzlist;

static void vsay(FILE *f, const char *vz, const char *fmt, va_list ap)
{
        if (cli_vzctl && vz)
                fputs(vz, f);
        else
                vfprintf(f, fmt, ap);
        fputc('\n', f);
        fflush(f);
}

void cli_say(const char *vz, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsay(stdout, vz, fmt, ap);
        va_end(ap);
}

void cli_vz_say(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (cli_vzctl) {
                vprintf(fmt, ap);
                putchar('\n');
                fflush(stdout);
        }
        va_end(ap);
}

void cli_err(const char *vz, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (cli_vzctl && vz) {
                /* vzctl's text, as vzctl prints it: scripts match the whole line */
                fflush(stdout);
                fprintf(stderr, "%s\n", vz);
        } else {
                _cleanup_free_ char *m = NULL;
                if (vasprintf(&m, fmt, ap) >= 0)
                        log_error("%s", m);
        }
        va_end(ap);
}

/* "--name=value" -> "--name" "value", for verbs whose arguments are all options or CTIDs. The verbs
 * that run a command in the CT (exec, enter, ...) are left alone: from their command on, every word
 * belongs to the command. */
int cli_split_eq_options(const struct verb *v, int *argc, char ***argv)
{
        if (v->log == CLI_LOG_CT)
                return 0;
        int n = 0;
        size_t chars = 0;
        for (int i = 0; i < *argc; i++) {
                const char *a = (*argv)[i];
                bool split = strncmp(a, "--", 2) == 0 && a[2] && strchr(a, '=');
                n += split ? 2 : 1;
                chars += split ? strlen(a) + 2 : 0;
        }
        if (n == *argc)
                return 0;
        /* one block: the new argv, then the split words' copies; it lives as long as the process, as
         * argv's own strings do (held here, where a leak checker sees it in use) */
        static char **block;
        char **out = calloc(1, ((size_t)n + 1) * sizeof(char *) + chars);
        if (!out)
                return -ENOMEM;
        char *p = (char *)(out + n + 1);
        int j = 0;
        for (int i = 0; i < *argc; i++) {
                char *a = (*argv)[i], *eq = strchr(a, '=');
                if (strncmp(a, "--", 2) == 0 && a[2] && eq) {
                        size_t name = (size_t)(eq - a), value = strlen(eq + 1);
                        out[j++] = memcpy(p, a, name); /* the calloc'd block ends each copy */
                        p += name + 1;
                        out[j++] = memcpy(p, eq + 1, value);
                        p += value + 1;
                } else
                        out[j++] = a;
        }
        *argc = n;
        *argv = block = out;
        return 0;
}

/* vzctl's global options before the verb: --quiet, --verbose (vzctl's log levels; ours has none to
 * change, so they are taken and have no effect), --help, --version. Returns how many were taken. */
int cli_vzctl_global_options(int argc, char **argv)
{
        int i = 1;
        while (i < argc && (streq(argv[i], "--quiet") || streq(argv[i], "-q") ||
                            streq(argv[i], "--verbose") || streq(argv[i], "-v")))
                i++;
        return i - 1;
}
