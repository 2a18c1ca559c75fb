/* The template cache as this host's CTs see it: where templates and recipes live (vpsctl.conf), which
 * generations CTs use (so nothing a CT needs is pruned or removed), and the checks made before a build,
 * an import or an export. Front ends reach templates/ only through here. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "engine-internal.h"

struct ct_templates {
        struct ct_paths *paths;
        ct *global; /* vpsctl.conf (CTID 0: no CT config) */
        char *recipe_dir;
        char *dirs[2];
        bool lenient_users; /* list: skip a CT whose config cannot be read, instead of failing */
};

int ct_templates_open(struct ct_paths *p, ct_templates **ret)
{
        _cleanup_(ct_templates_freep) ct_templates *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->paths = p;
        int r = ct_load(p, 0, true, &t->global);
        if (r < 0)
                return r;
        if (asprintf(&t->recipe_dir, "%s/templates.d", p->etc) < 0) {
                t->recipe_dir = NULL;
                return -ENOMEM;
        }
        t->dirs[0] = t->recipe_dir;
        *ret = TAKE_PTR(t);
        return 0;
}

void ct_templates_free(ct_templates *t)
{
        if (!t)
                return;
        ct_free(t->global);
        free(t->recipe_dir);
        free(t);
}

const char *ct_templates_dir(const ct_templates *t)
{
        return t->global->cfg.template_dir;
}

const char *ct_templates_recipe_dir(const ct_templates *t)
{
        return t->recipe_dir;
}

bool ct_template_name_valid(const char *name)
{
        return tmpl_name_valid(name);
}

/* ---- who uses which generation: every CT's private area, and debris of creates beside them ---- */

static int push_user(tmpl_user **l, size_t *n, unsigned id, const char *dir)
{
        char link[PATH_MAX], target[PATH_MAX];
        int m = snprintf(link, sizeof(link), "%s/lower", dir);
        if (m < 0 || (size_t)m >= sizeof(link))
                return 0; /* past PATH_MAX: no such link, as readlink() would say; never a truncated name */
        ssize_t k = readlink(link, target, sizeof(target) - 1);
        if (k < 0)
                return 0;
        target[k] = 0;
        for (size_t i = 0; i < *n; i++)
                if (streq((*l)[i].lower, target) && ((*l)[i].id == id || id == 0))
                        return 0;
        tmpl_user *x = realloc(*l, (*n + 1) * sizeof(*x));
        if (!x)
                return -ENOMEM;
        *l = x;
        x[*n] = (tmpl_user){ .id = id, .lower = strdup(target) };
        if (!x[*n].lower)
                return -ENOMEM;
        (*n)++;
        return 0;
}

static int scan_private_parent(const char *parent, tmpl_user **l, size_t *n)
{
        _cleanup_closedir_ DIR *d = opendir(parent);
        struct dirent *de;
        int r;

        while (d && (de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%s/%s", parent, de->d_name);
                r = push_user(l, n, 0, dir);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int collect_users(void *userdata, tmpl_user **ret, size_t *ret_n)
{
        ct_templates *t = userdata;
        _cleanup_free_ unsigned *ids = NULL;
        tmpl_user *l = NULL;
        size_t n = 0, nids = 0;
        int r;

        r = ct_list_ids(t->paths, &ids, &nids);
        if (r < 0 && r != -ENOENT)
                return r;
        _cleanup_strv_free_ char **parents = calloc(nids + 2, sizeof(char *));
        size_t np = 0;
        if (!parents)
                return -ENOMEM;
        /* the default place, where creates of CTs without a config of their own yet build */
        _cleanup_free_ char *def = strdup(t->global->cfg.ve_private);
        if (!def || !(parents[np++] = strdup(dirname(def))))
                goto oom;
        for (size_t i = 0; i < nids; i++) {
                _cleanup_ct_ ct *c = NULL;
                /* a CT we cannot read might use any generation: nothing may be pruned or removed */
                r = ct_load(t->paths, ids[i], false, &c);
                if (r < 0 && t->lenient_users)
                        continue;
                if (r < 0) {
                        log_error_errno(r, "Cannot tell which template generation CT %u uses: %m", ids[i]);
                        goto fail;
                }
                r = push_user(&l, &n, ids[i], c->cfg.ve_private);
                if (r < 0)
                        goto fail;
                _cleanup_free_ char *p = strdup(c->cfg.ve_private);
                if (!p)
                        goto oom;
                const char *parent = dirname(p);
                bool seen = false;
                for (size_t j = 0; j < np; j++)
                        seen = seen || streq(parents[j], parent);
                if (!seen && !(parents[np++] = strdup(parent)))
                        goto oom;
        }
        /* private areas without a CT (an interrupted create or destroy) keep their generation too */
        for (size_t j = 0; j < np; j++) {
                r = scan_private_parent(parents[j], &l, &n);
                if (r < 0)
                        goto fail;
        }
        *ret = l;
        *ret_n = n;
        return 0;
oom:
        r = -ENOMEM;
fail:
        tmpl_users_free(l, n);
        return r;
}

int ct_template_list(ct_templates *t, tmpl_info **ret, size_t *ret_n)
{
        t->lenient_users = true;
        int r = tmpl_list(ct_templates_dir(t), collect_users, t, ret, ret_n);
        t->lenient_users = false;
        return r;
}

int ct_template_recipes(ct_templates *t, char ***ret)
{
        return tmpl_recipe_list(t->dirs, ret);
}

int ct_template_recipe(ct_templates *t, const char *name, tmpl_recipe **ret)
{
        return tmpl_recipe_load(t->dirs, name, ret);
}

int ct_template_rootfs(ct_templates *t, const char *name, char **ret)
{
        return tmpl_current_rootfs(ct_templates_dir(t), name, ret);
}

int ct_template_import_recipe(ct_templates *t, const char *file, const char *name, tmpl_recipe **ret,
                              const char **ret_program)
{
        (void)t;
        _cleanup_free_ char *abs = realpath(file, NULL);
        _cleanup_close_ int fd = abs ? open(abs, O_RDONLY | O_CLOEXEC) : -EBADF;
        struct stat st;
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        tmpl_compression c;
        if (tmpl_compression_sniff(fd, &c) < 0 || c == TMPL_COMPRESSION_UNKNOWN)
                return -EMEDIUMTYPE;
        const char *prog = tmpl_compression_program(c);
        if (prog && !tmpl_program_available(prog)) {
                *ret_program = prog;
                return -ENOPROTOOPT;
        }
        _cleanup_recipe_ tmpl_recipe *rec = calloc(1, sizeof(*rec));
        if (!rec || !(rec->name = strdup(name)) || !(rec->source = strdup(abs)))
                return -ENOMEM;
        rec->type = TMPL_TYPE_IMPORT;
        *ret = TAKE_PTR(rec);
        return 0;
}

int ct_template_name_from_file(const char *file, char **ret)
{
        return tmpl_name_from_file(file, ret);
}

struct build_ctx {
        ct_templates *t;
        const ct_template_build_opts *o;
};

static int build_users(void *userdata, tmpl_user **ret, size_t *ret_n)
{
        struct build_ctx *b = userdata;
        return collect_users(b->t, ret, ret_n);
}

static void build_progress(void *userdata, const char *line)
{
        struct build_ctx *b = userdata;
        if (b->o->progress)
                b->o->progress(b->o->userdata, line);
}

static void build_started(void *userdata, const char *generation)
{
        struct build_ctx *b = userdata;
        if (b->o->started)
                b->o->started(b->o->userdata, generation);
}

int ct_template_build(ct_templates *t, tmpl_recipe *rec, const ct_template_build_opts *o,
                      tmpl_build_result *ret)
{
        if (rec->type == TMPL_TYPE_BUSYBOX && !rec->busybox) {
                const char *bb = t->global->cfg.busybox;
                if (!bb)
                        bb = access("/bin/busybox", X_OK) == 0 ? "/bin/busybox" : "/usr/bin/busybox";
                if (!(rec->busybox = strdup(bb)))
                        return -ENOMEM;
        }
        if (rec->type == TMPL_TYPE_DEBOOTSTRAP && !tmpl_program_available("debootstrap"))
                return -ENOPKG;
        struct build_ctx b = { .t = t, .o = o };
        tmpl_build_opts bo = { .keep = t->global->cfg.template_keep,
                               .if_missing = o->if_missing,
                               .if_older_than = o->if_older_than,
                               .users = build_users,
                               .userdata = &b,
                               .progress = build_progress,
                               .started = build_started };
        return tmpl_build(ct_templates_dir(t), rec, &bo, ret);
}

int ct_template_export(ct_templates *t, const char *name, const char *file, const char **ret_program)
{
        tmpl_compression c = tmpl_compression_from_name(file);
        if (c == TMPL_COMPRESSION_UNKNOWN)
                return -EMEDIUMTYPE;
        const char *prog = tmpl_compression_program(c);
        if (prog && !tmpl_program_available(prog)) {
                *ret_program = prog;
                return -ENOPROTOOPT;
        }
        return tmpl_export(ct_templates_dir(t), name, file);
}

int ct_template_remove(ct_templates *t, const char *name, pid_t *ret_holder, unsigned **ret_users,
                       size_t *ret_n_users)
{
        return tmpl_remove(ct_templates_dir(t), name, collect_users, t, ret_holder, ret_users, ret_n_users);
}
