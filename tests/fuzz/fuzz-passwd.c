/* The guest's account files as set --userpasswd edits them from the host (templates/passwd.c): a guest
 * writes its own /etc/passwd, shadow and group, so they are hostile input. Input: the user name, '\n',
 * then passwd, shadow and group separated by NUL bytes (a missing part: no such file). Invariants: the
 * edit succeeds or fails with an errno, never crashes; on success the user has exactly one line in the
 * file that holds its hash, that hash is the one given, and every other line of each file is as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "fuzz.h"
#include "templates/templates.h"

#define HASH "$6$fuzzsalt$abcdefghijklmnopqrstuvwxyz0123456789"

static char root[64];
static int etcfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        snprintf(root, sizeof(root), "/tmp/fuzz-passwd.XXXXXX");
        FUZZ_ASSERT(mkdtemp(root));
        char etc[80];
        snprintf(etc, sizeof(etc), "%s/etc", root);
        FUZZ_ASSERT(mkdir(etc, 0755) == 0);
        etcfd = open(etc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        FUZZ_ASSERT(etcfd >= 0);
        return 0;
}

static char *read_etc(const char *name)
{
        char *s = NULL;
        int r = read_full_file_at(etcfd, name, &s, NULL);
        return r < 0 ? NULL : s;
}

/* The lines of a that do not belong to user, in order, equal those of b? */
static bool others_unchanged(const char *a, const char *b, const char *user)
{
        size_t ul = strlen(user);
        const char *p = a ? a : "", *q = b ? b : "";
        for (;;) {
                while (*p && strncmp(p, user, ul) == 0 && p[ul] == ':')
                        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
                while (*q && strncmp(q, user, ul) == 0 && q[ul] == ':')
                        q = strchr(q, '\n') ? strchr(q, '\n') + 1 : q + strlen(q);
                if (!*p || !*q)
                        return !*p && !*q;
                size_t lp = strcspn(p, "\n"), lq = strcspn(q, "\n");
                if (lp != lq || memcmp(p, q, lp) != 0)
                        return false;
                p += lp + (p[lp] == '\n');
                q += lq + (q[lq] == '\n');
        }
}

static unsigned lines_of(const char *s, const char *user, const char **ret)
{
        unsigned n = 0;
        size_t ul = strlen(user);
        for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, user, ul) == 0 && l[ul] == ':') {
                        n++;
                        *ret = l;
                }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const names[] = { "passwd", "shadow", "group" };
        char *before[3] = { NULL, NULL, NULL };
        const uint8_t *nl = memchr(data, '\n', size);
        if (!nl)
                return 0;
        char *user = fuzz_string(data, (size_t)(nl - data));
        const uint8_t *p = nl + 1, *end = data + size;
        for (int i = 0; i < 3; i++) {
                (void)unlinkat(etcfd, names[i], 0);
                if (p > end)
                        continue;
                const uint8_t *z = memchr(p, 0, (size_t)(end - p));
                size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
                before[i] = fuzz_string(p, n);
                FUZZ_ASSERT(write_file_replace_at(etcfd, names[i], before[i], n, 0644) >= 0);
                p += n + 1;
        }
        tmpl_guest g = { .root = root, .uid = (unsigned)getuid(), .gid = (unsigned)getgid() };
        bool created = false;
        int r = tmpl_guest_set_password(&g, user, HASH, &created);
        FUZZ_ASSERT(r <= 0);
        if (r == 0) {
                char *after[3];
                for (int i = 0; i < 3; i++)
                        after[i] = read_etc(names[i]);
                for (int i = 0; i < 3; i++)
                        FUZZ_ASSERT(others_unchanged(before[i], after[i], user));
                /* the hash is in shadow where there is one, else in passwd: on the user's first line */
                int h = before[1] ? 1 : 0;
                const char *first = NULL, *line = NULL;
                size_t ul = strlen(user);
                for (const char *l = after[h]; l && *l && !first;
                     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                        if (strncmp(l, user, ul) == 0 && l[ul] == ':')
                                first = l;
                FUZZ_ASSERT(first);
                const char *f2 = first + ul + 1;
                FUZZ_ASSERT(strncmp(f2, HASH, strlen(HASH)) == 0 && strchr(":\n", f2[strlen(HASH)]));
                /* as many lines of the user's as before in each file, one more in passwd (and shadow) if
                 * added */
                unsigned was = lines_of(before[0], user, &line);
                FUZZ_ASSERT(created == (was == 0));
                FUZZ_ASSERT(lines_of(after[0], user, &line) == (created ? 1 : was));
                if (before[1])
                        FUZZ_ASSERT(lines_of(after[1], user, &line) ==
                                    lines_of(before[1], user, &line) +
                                            (lines_of(before[1], user, &line) == 0));
                for (int i = 0; i < 3; i++)
                        free(after[i]);
        }
        for (int i = 0; i < 3; i++)
                free(before[i]);
        free(user);
        return 0;
}
