/* set --userpasswd: a user's password inside a CT, running or stopped. The password is hashed here
 * (SHA-512 crypt with a random salt, libcrypt), and only the hash is written, by templates/passwd.c, into
 * the guest's files from the host: no process of the CT or of the host ever sees the password in argv, in
 * its environment or on a pipe, and the memory that held it is cleared. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine-internal.h"
#include "templates/templates.h"

static int hash_password(const char *password, char **ret)
{
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        /* count 0: libcrypt's default rounds; NULL: random bytes from the kernel */
        if (!crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt)))
                return negative_errno();
        struct crypt_data *cd = calloc(1, sizeof(*cd));
        if (!cd)
                return -ENOMEM;
        const char *h = crypt_r(password, salt, cd);
        int r = 0;
        if (!h || h[0] == '*')
                r = -EINVAL; /* libcrypt's failure token */
        else if (!(*ret = strdup(h)))
                r = -ENOMEM;
        explicit_bzero(cd, sizeof(*cd));
        free(cd);
        return r;
}

int ct_set_userpasswd(ct *c, const char *user, const char *password)
{
        _cleanup_free_ char *hash = NULL;
        bool mounted_here = false, created = false;
        char root[64];
        const char *path;
        ct_status st;
        int r;

        if (!tmpl_user_name_is_valid(user))
                return log_error_errno(-EINVAL,
                                       "Bad user name \"%s\" for --userpasswd: a letter or _ first, "
                                       "then letters, digits, _ - or ., at most 32",
                                       user);
        if (!*password || strchr(password, '\n'))
                return log_error_errno(-EINVAL,
                                       "The password for user %s of CT %u must be one line, not empty", user,
                                       c->id);
        r = hash_password(password, &hash);
        if (r < 0)
                return log_error_errno(r, "Failed to hash the password: %m");
        r = ct_get_status(c, &st);
        if (r < 0)
                goto out;
        if (st.running && st.init_pid > 0) {
                snprintf(root, sizeof(root), "/proc/%d/root", (int)st.init_pid);
                path = root;
        } else {
                if (!st.mounted) {
                        r = ct_mount(c);
                        if (r < 0)
                                goto out;
                        mounted_here = true;
                }
                path = c->cfg.ve_root;
        }
        tmpl_guest g = { .root = path };
        if (ct_userns(&c->cfg)) {
                g.uid = c->cfg.local_uid;
                g.gid = c->cfg.local_gid;
        }
        r = tmpl_guest_set_password(&g, user, hash, &created);
        if (r == -ENOENT)
                log_error("CT %u has no /etc/passwd: cannot set a password there", c->id);
        else if (r == -EBUSY)
                log_error("CT %u: /etc/.pwd.lock stayed locked for 15 s (a passwd or useradd running in the "
                          "CT?); try again",
                          c->id);
        else if (r < 0)
                log_error_errno(r, "Failed to set the password of user %s in CT %u: %m", user, c->id);
        else if (created)
                log_info("CT %u: user %s added", c->id, user);
out:
        if (mounted_here) {
                int k = ct_umount(c);
                if (k < 0 && r >= 0)
                        r = k;
        }
        if (hash)
                explicit_bzero(hash, strlen(hash));
        return r;
}
