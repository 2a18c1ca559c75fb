/* The guest's account files (/etc/passwd, /etc/shadow, /etc/group), edited from the host for
 * `set --userpasswd`: a password hash set, the user added first when it is missing. Every file is opened
 * inside the guest's root without following its symlinks, replaced atomically with its owner and mode
 * kept, under the guest's own lock (/etc/.pwd.lock, as lckpwdf(3) takes it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "templates.h"

bool tmpl_user_name_is_valid(const char *s)
{
        /* what useradd accepts by default, without the trailing $ of machine accounts */
        size_t n = strlen(s);
        if (n == 0 || n > 32 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

struct acct_file {
        const char *name;
        char *data; /* NULL when the file does not exist */
        struct stat st;
};

static void acct_file_done(struct acct_file *f)
{
        if (f->data)
                explicit_bzero(f->data, strlen(f->data)); /* shadow holds hashes */
        free(f->data);
}

static int acct_read(int etcfd, struct acct_file *f)
{
        _cleanup_close_ int fd = openat(etcfd, f->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (fstat(fd, &f->st) < 0)
                return negative_errno();
        if (!S_ISREG(f->st.st_mode))
                return -EBADFD;
        return read_full_fd(fd, &f->data, NULL);
}

/* Replace the file with content, its owner and mode as they were (or as given for a new one). */
static int acct_write(int etcfd, const struct acct_file *f, const char *content, mode_t mode, unsigned uid,
                      unsigned gid)
{
        if (f->data) {
                mode = f->st.st_mode & 07777;
                uid = f->st.st_uid;
                gid = f->st.st_gid;
        }
        int r = write_file_atomic_at(etcfd, f->name, content, strlen(content), mode);
        if (r >= 0 && fchownat(etcfd, f->name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                r = negative_errno();
        if (r >= 0 && fchmodat(etcfd, f->name, mode, 0) < 0) /* fchown dropped set-id bits; mode again */
                r = negative_errno();
        return r;
}

/* The line of user in data ("user:..."), or NULL. */
static const char *acct_find(const char *data, const char *user, size_t *ret_len)
{
        size_t ul = strlen(user);
        for (const char *l = data; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t)(nl - l) : strlen(l);
                if (len > ul && strncmp(l, user, ul) == 0 && l[ul] == ':') {
                        *ret_len = len;
                        return l;
                }
                l = nl ? nl + 1 : NULL;
        }
        return NULL;
}

/* data with field number field (1-based) of the line at line (len bytes) replaced by value; NULL when out
 * of memory. A line with fewer fields gets the missing separators. */
static char *acct_set_field(const char *data, const char *line, size_t len, unsigned field,
                            const char *value)
{
        const char *end = line + len, *f = line;
        unsigned missing = 0;
        for (unsigned i = 1; i < field; i++) {
                const char *c = memchr(f, ':', (size_t)(end - f));
                if (!c) {
                        missing = field - i;
                        f = end;
                        break;
                }
                f = c + 1;
        }
        const char *fe = missing ? end : memchr(f, ':', (size_t)(end - f));
        if (!fe)
                fe = end;
        char *out;
        if (asprintf(&out, "%.*s%.*s%s%s", (int)(f - data), data, (int)missing, "::::::::", value, fe) < 0)
                return NULL;
        return out;
}

/* data with line appended (a newline added before it when data lacks its last one). */
static char *acct_append(const char *data, const char *line)
{
        const char *d = data ? data : "";
        size_t n = strlen(d);
        char *out;
        if (asprintf(&out, "%s%s%s\n", d, n && d[n - 1] != '\n' ? "\n" : "", line) < 0)
                return NULL;
        return out;
}

/* Is id taken as field 3 of any line? */
static bool acct_id_taken(const char *data, unsigned id)
{
        for (const char *l = data; l && *l;) {
                unsigned v;
                if (sscanf(l, "%*[^:]:%*[^:]:%u:", &v) == 1 && v == id)
                        return true;
                l = strchr(l, '\n');
                l = l ? l + 1 : NULL;
        }
        return false;
}

/* The next id after the highest regular one (1000..59999), as useradd picks it. */
static unsigned acct_next_id(const char *data)
{
        unsigned next = 1000;
        for (const char *l = data; l && *l;) {
                unsigned v;
                if (sscanf(l, "%*[^:]:%*[^:]:%u:", &v) == 1 && v >= 1000 && v < 60000 && v >= next)
                        next = v + 1;
                l = strchr(l, '\n');
                l = l ? l + 1 : NULL;
        }
        return next;
}

/* The guest's lckpwdf(3) lock, waited for up to 15 s as lckpwdf does. */
static int acct_lock(int etcfd, const tmpl_guest *g, int *ret_fd)
{
        int fd = openat(etcfd, ".pwd.lock", O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        /* the CT's root owns it, as if its own lckpwdf(3) had made it */
        if (fchown(fd, g->uid, g->gid) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        for (int i = 0; fcntl(fd, F_SETLK, &fl) < 0; i++) {
                if ((errno != EACCES && errno != EAGAIN) || i >= 150) {
                        int r = errno == EACCES || errno == EAGAIN ? -EBUSY : negative_errno();
                        close(fd);
                        return r;
                }
                nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        *ret_fd = fd;
        return 0;
}

static int add_user(int etcfd, const tmpl_guest *g, const char *user, struct acct_file *pw,
                    struct acct_file *grp, int rootfd, char **ret_passwd)
{
        _cleanup_free_ char *new_group = NULL, *line = NULL;
        unsigned uid = acct_next_id(pw->data), gid;
        int r;

        size_t len = 0;
        const char *gl = grp->data ? acct_find(grp->data, user, &len) : NULL;
        if (gl) {
                if (sscanf(gl, "%*[^:]:%*[^:]:%u:", &gid) != 1)
                        return -EBADMSG;
        } else {
                gid = acct_id_taken(grp->data, uid) ? acct_next_id(grp->data) : uid;
                if (asprintf(&line, "%s:x:%u:", user, gid) < 0)
                        return -ENOMEM;
                if (!(new_group = acct_append(grp->data, line)))
                        return -ENOMEM;
                r = acct_write(etcfd, grp, new_group, 0644, g->uid, g->gid);
                if (r < 0)
                        return r;
        }
        /* a home of its own, where the guest has /home */
        _cleanup_close_ int home = open_in_root(rootfd, "home", O_RDONLY | O_DIRECTORY);
        const char *shell =
                faccessat(rootfd, "bin/bash", X_OK, AT_SYMLINK_NOFOLLOW) == 0 ? "/bin/bash" : "/bin/sh";
        if (home >= 0) {
                if (mkdirat(home, user, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                if (fchownat(home, user, g->uid + uid, g->gid + gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
        }
        free(line);
        if (asprintf(&line, "%s:x:%u:%u::%s%s:%s", user, uid, gid, home >= 0 ? "/home/" : "/",
                     home >= 0 ? user : "", shell) < 0)
                return -ENOMEM;
        if (!(*ret_passwd = acct_append(pw->data, line)))
                return -ENOMEM;
        return 0;
}

int tmpl_guest_set_password(const tmpl_guest *g, const char *user, const char *hash, bool *ret_created)
{
        struct acct_file pw = { .name = "passwd" }, sh = { .name = "shadow" }, grp = { .name = "group" };
        _cleanup_free_ char *new_passwd = NULL, *new_shadow = NULL, *line = NULL;
        _cleanup_close_ int rootfd = -EBADF, etcfd = -EBADF, lockfd = -EBADF;
        bool created = false;
        int r;

        if (!tmpl_user_name_is_valid(user) || strpbrk(hash, ":\n"))
                return -EINVAL;
        rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return negative_errno();
        etcfd = open_in_root(rootfd, "etc", O_RDONLY | O_DIRECTORY);
        if (etcfd < 0)
                return etcfd;
        r = acct_lock(etcfd, g, &lockfd);
        if (r < 0)
                return r;
        if ((r = acct_read(etcfd, &pw)) < 0 || (r = acct_read(etcfd, &sh)) < 0 ||
            (r = acct_read(etcfd, &grp)) < 0)
                goto out;
        if (!pw.data) {
                r = -ENOENT; /* no /etc/passwd: not a guest we know how to edit */
                goto out;
        }
        size_t len = 0;
        const char *l = acct_find(pw.data, user, &len);
        if (!l) {
                r = add_user(etcfd, g, user, &pw, &grp, rootfd, &new_passwd);
                if (r < 0)
                        goto out;
                created = true;
        }
        if (sh.data) {
                long days = (long)(time(NULL) / 86400);
                const char *sl = acct_find(sh.data, user, &len);
                if (sl) {
                        /* the hash, and field 3: the day of the last change */
                        _cleanup_free_ char *tmp = acct_set_field(sh.data, sl, len, 2, hash);
                        char d[32];
                        snprintf(d, sizeof(d), "%ld", days);
                        const char *nl = tmp ? acct_find(tmp, user, &len) : NULL;
                        new_shadow = nl ? acct_set_field(tmp, nl, len, 3, d) : NULL;
                        if (tmp)
                                explicit_bzero(tmp, strlen(tmp));
                } else {
                        if (asprintf(&line, "%s:%s:%ld:0:99999:7:::", user, hash, days) < 0)
                                line = NULL;
                        new_shadow = line ? acct_append(sh.data, line) : NULL;
                }
                if (!new_shadow) {
                        r = -ENOMEM;
                        goto out;
                }
                r = acct_write(etcfd, &sh, new_shadow, 0600, g->uid, g->gid);
                if (r < 0)
                        goto out;
                if (!created)
                        goto out;
                /* a new user: its passwd line says the password is in shadow ("x") */
        } else {
                /* no shadow file: the hash goes into passwd itself */
                const char *base = new_passwd ? new_passwd : pw.data;
                l = acct_find(base, user, &len);
                if (!l) {
                        r = -EBADMSG;
                        goto out;
                }
                char *tmp = acct_set_field(base, l, len, 2, hash);
                if (!tmp) {
                        r = -ENOMEM;
                        goto out;
                }
                free(new_passwd);
                new_passwd = tmp;
        }
        /* passwd last: a user never exists there without its group and its shadow line */
        if (!new_passwd) {
                r = -EIO;
                goto out;
        }
        r = acct_write(etcfd, &pw, new_passwd, 0644, g->uid, g->gid);
out:
        if (new_shadow)
                explicit_bzero(new_shadow, strlen(new_shadow));
        if (new_passwd)
                explicit_bzero(new_passwd, strlen(new_passwd));
        acct_file_done(&pw);
        acct_file_done(&sh);
        acct_file_done(&grp);
        if (r >= 0 && ret_created)
                *ret_created = created;
        return r;
}
