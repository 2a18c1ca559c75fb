/* The template cache: generations in their own directories, an atomically swapped "current", a build
 * lock, a generations lock, pruning that never touches what CTs use, listing and removal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "templates-internal.h"

bool tmpl_name_valid(const char *name)
{
        if (!name || !*name || name[0] == '.' || strlen(name) > 64)
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '_' || *p == '-'))
                        return false;
        return true;
}

int tmpl_open_dir(const char *templates_dir, const char *name, bool create, int *ret_dfd)
{
        _cleanup_close_ int base = -EBADF, dfd = -EBADF;
        int r;

        if (!tmpl_name_valid(name))
                return -EINVAL;
        if (create) {
                r = mkdir_p_at(AT_FDCWD, templates_dir, 0755);
                if (r < 0)
                        return r;
        }
        base = open(templates_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base < 0)
                return negative_errno();
        if (create && mkdirat(base, name, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        dfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return negative_errno();
        *ret_dfd = TAKE_FD(dfd);
        return 0;
}

int tmpl_lock(int tdfd, const char *file, int how, bool nonblock, int *ret_fd)
{
        _cleanup_close_ int fd = openat(tdfd, file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, how | (nonblock ? LOCK_NB : 0)) < 0) {
                if (errno == EINTR)
                        continue;
                return errno == EWOULDBLOCK ? -EBUSY : negative_errno();
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

pid_t tmpl_build_lock_holder(int tdfd)
{
        _cleanup_free_ char *s = NULL;
        unsigned pid;

        if (read_one_line_at(tdfd, TMPL_BUILD_LOCK, &s) < 0 || safe_atou(s, &pid) < 0 || pid == 0 ||
            pid > INT_MAX)
                return 0;
        if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
                return 0;
        return (pid_t)pid;
}

int tmpl_new_generation_name(char **ret)
{
        struct timespec ts;
        struct tm tm;
        char buf[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
        snprintf(buf + n, sizeof(buf) - n, "-%09ld", ts.tv_nsec);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

bool tmpl_generation_name_valid(const char *name)
{
        /* YYYYmmdd-HHMMSS-NNNNNNNNN */
        static const char shape[] = "dddddddd-dddddd-ddddddddd";
        if (strlen(name) != sizeof(shape) - 1)
                return false;
        for (size_t i = 0; shape[i]; i++)
                if (shape[i] == 'd' ? !(name[i] >= '0' && name[i] <= '9') : name[i] != shape[i])
                        return false;
        return true;
}

int tmpl_commit_generation(int tdfd, const char *build_dir, const char *gen)
{
        _cleanup_free_ char *tmplink = NULL;

        /* a generation is only ever published whole */
        if (syncfs(tdfd) < 0)
                return negative_errno();
        if (renameat(tdfd, build_dir, tdfd, gen) < 0)
                return negative_errno();
        if (asprintf(&tmplink, ".current.%s", gen) < 0)
                return -ENOMEM;
        (void)unlinkat(tdfd, tmplink, 0);
        if (symlinkat(gen, tdfd, tmplink) < 0)
                return negative_errno();
        if (renameat(tdfd, tmplink, tdfd, "current") < 0) {
                int r = negative_errno();
                (void)unlinkat(tdfd, tmplink, 0);
                return r;
        }
        if (fsync(tdfd) < 0)
                return negative_errno();
        return 0;
}

int tmpl_read_current(int tdfd, char **ret)
{
        char gen[NAME_MAX + 1];
        ssize_t n = readlinkat(tdfd, "current", gen, sizeof(gen) - 1);
        if (n < 0)
                return negative_errno();
        gen[n] = 0;
        if (!tmpl_generation_name_valid(gen))
                return -EUCLEAN;
        struct stat st;
        char p[NAME_MAX + 16];
        snprintf(p, sizeof(p), "%s/rootfs", gen);
        if (fstatat(tdfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        *ret = strdup(gen);
        return *ret ? 0 : -ENOMEM;
}

int tmpl_current_rootfs(const char *templates_dir, const char *name, char **ret_rootfs)
{
        _cleanup_close_ int tdfd = -EBADF;
        _cleanup_free_ char *gen = NULL;
        int r;

        r = tmpl_open_dir(templates_dir, name, false, &tdfd);
        if (r < 0)
                return r;
        r = tmpl_read_current(tdfd, &gen);
        if (r < 0)
                return r == -EUCLEAN ? r : -ENOENT;
        char *p;
        if (asprintf(&p, "%s/%s/%s/rootfs", templates_dir, name, gen) < 0)
                return -ENOMEM;
        *ret_rootfs = p;
        return 0;
}

static int strcmp_p(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of S to the NULL-terminated list *L of *N entries. */
static int strv_push(char ***l, size_t *n, const char *s)
{
        char **x = realloc(*l, (*n + 2) * sizeof(*x));
        if (!x)
                return -ENOMEM;
        *l = x;
        x[*n] = strdup(s);
        if (!x[*n])
                return -ENOMEM;
        x[++*n] = NULL;
        return 0;
}

static int list_dir(int dfd, bool (*want)(const char *), char ***ret, size_t *ret_n)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        int r;

        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        if (!(l = calloc(1, sizeof(*l))))
                return -ENOMEM;
        struct dirent *de;
        while ((de = readdir(d)))
                if (want(de->d_name) && (r = strv_push(&l, &n, de->d_name)) < 0)
                        return r;
        qsort(l, n, sizeof(*l), strcmp_p);
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

int tmpl_list_generations(int tdfd, char ***ret, size_t *ret_n)
{
        return list_dir(tdfd, tmpl_generation_name_valid, ret, ret_n);
}

void tmpl_users_free(tmpl_user *u, size_t n)
{
        for (size_t i = 0; u && i < n; i++)
                free(u[i].lower);
        free(u);
}

int tmpl_generation_users(int tdfd, const char *gen, const tmpl_user *users, size_t n_users, unsigned **ret,
                          size_t *ret_n)
{
        char p[NAME_MAX + 16];
        struct stat g;
        unsigned *l = NULL;
        size_t n = 0;

        snprintf(p, sizeof(p), "%s/rootfs", gen);
        if (fstatat(tdfd, p, &g, 0) < 0)
                return negative_errno();
        /* paths can be spelt many ways (prefixes, symlinked parents): compare the inodes */
        for (size_t i = 0; i < n_users; i++) {
                struct stat s;
                if (!users[i].lower || stat(users[i].lower, &s) < 0)
                        continue;
                if (s.st_dev != g.st_dev || s.st_ino != g.st_ino)
                        continue;
                unsigned *nl = realloc(l, (n + 1) * sizeof(*l));
                if (!nl) {
                        free(l);
                        return -ENOMEM;
                }
                l = nl;
                l[n++] = users[i].id;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

int tmpl_prune(int tdfd, unsigned keep, const tmpl_user *users, size_t n_users, unsigned *ret_pruned,
               unsigned *ret_kept_in_use)
{
        _cleanup_strv_free_ char **gens = NULL;
        _cleanup_free_ char *cur = NULL;
        size_t n;
        unsigned pruned = 0, in_use = 0;
        int r;

        r = tmpl_list_generations(tdfd, &gens, &n);
        if (r < 0)
                return r;
        (void)tmpl_read_current(tdfd, &cur);
        if (keep < 1)
                keep = 1;
        /* newest first: the first KEEP survive; current always does */
        for (size_t k = n, seen = 0; k-- > 0;) {
                const char *g = gens[k];
                if ((cur && streq(g, cur)) || seen < keep) {
                        seen++;
                        continue;
                }
                _cleanup_free_ unsigned *u = NULL;
                size_t nu = 0;
                r = tmpl_generation_users(tdfd, g, users, n_users, &u, &nu);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (nu > 0) {
                        in_use++;
                        continue;
                }
                /* renamed away first, so a half-removed generation never looks like one */
                char dead[NAME_MAX + 1];
                snprintf(dead, sizeof(dead), ".%s.pruning", g);
                if (renameat(tdfd, g, tdfd, dead) < 0)
                        return negative_errno();
                r = rm_rf_at(tdfd, dead);
                if (r < 0)
                        return r;
                pruned++;
        }
        if (ret_pruned)
                *ret_pruned = pruned;
        if (ret_kept_in_use)
                *ret_kept_in_use = in_use;
        return 0;
}

static int read_info(int tdfd, const char *gen, tmpl_generation *g)
{
        char p[NAME_MAX + 16];
        _cleanup_free_ char *text = NULL;

        snprintf(p, sizeof(p), "%s/" TMPL_INFO, gen);
        int r = read_full_file_at(tdfd, p, &text, NULL);
        if (r < 0)
                return r;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq = 0;
                char *v = eq + 1;
                size_t vl = strlen(v);
                if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                        v[vl - 1] = 0;
                        v++;
                }
                uint64_t u;
                if (streq(l, "BUILT") && safe_atou64(v, &u) >= 0)
                        g->built = (time_t)u;
                else if (streq(l, "SIZE") && safe_atou64(v, &u) >= 0)
                        g->size = u;
                else if (streq(l, "SOURCE") && !g->source && !(g->source = strdup(v)))
                        return -ENOMEM;
        }
        return 0;
}

static time_t time_from_generation(const char *gen)
{
        struct tm tm = { 0 };
        if (!strptime(gen, "%Y%m%d-%H%M%S", &tm))
                return 0;
        return timegm(&tm);
}

static int info_one(int tdfd, const char *name, const tmpl_user *users, size_t n_users, tmpl_info *t)
{
        _cleanup_strv_free_ char **gens = NULL;
        _cleanup_free_ char *cur = NULL;
        size_t n;
        int r;

        *t = (tmpl_info){ .current = -1 };
        if (!(t->name = strdup(name)))
                return -ENOMEM;
        r = tmpl_list_generations(tdfd, &gens, &n);
        if (r < 0)
                return r;
        (void)tmpl_read_current(tdfd, &cur);
        t->gens = calloc(n ? n : 1, sizeof(*t->gens));
        if (!t->gens)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                tmpl_generation *g = &t->gens[t->n_gens++];
                g->name = TAKE_PTR(gens[i]);
                g->current = cur && streq(g->name, cur);
                if (g->current)
                        t->current = (int)i;
                (void)read_info(tdfd, g->name, g);
                if (!g->built)
                        g->built = time_from_generation(g->name);
                if (!g->size) {
                        char p[NAME_MAX + 16];
                        snprintf(p, sizeof(p), "%s/rootfs", g->name);
                        _cleanup_close_ int rfd = openat(tdfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (rfd >= 0)
                                (void)tmpl_tree_size(rfd, &g->size);
                }
                r = tmpl_generation_users(tdfd, g->name, users, n_users, &g->users, &g->n_users);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        t->builder = tmpl_build_lock_holder(tdfd);
        t->building = t->builder > 0;
        return 0;
}

void tmpl_info_free(tmpl_info *t, size_t n)
{
        for (size_t i = 0; t && i < n; i++) {
                for (size_t j = 0; j < t[i].n_gens; j++) {
                        free(t[i].gens[j].name);
                        free(t[i].gens[j].source);
                        free(t[i].gens[j].users);
                }
                free(t[i].gens);
                free(t[i].name);
        }
        free(t);
}

int tmpl_list(const char *templates_dir, tmpl_users_fn users, void *userdata, tmpl_info **ret, size_t *ret_n)
{
        tmpl_user *u = NULL;
        size_t nu = 0, n = 0;
        tmpl_info *l = NULL;
        int r;

        _cleanup_closedir_ DIR *d = opendir(templates_dir);
        if (!d) {
                if (errno != ENOENT)
                        return negative_errno();
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (users) {
                r = users(userdata, &u, &nu);
                if (r < 0)
                        return r;
        }
        _cleanup_strv_free_ char **names = NULL;
        size_t nn = 0;
        r = list_dir(dirfd(d), tmpl_name_valid, &names, &nn);
        if (r < 0)
                goto fail;
        l = calloc(nn ? nn : 1, sizeof(*l));
        if (!l) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < nn; i++) {
                _cleanup_close_ int tdfd = -EBADF;
                if (tmpl_open_dir(templates_dir, names[i], false, &tdfd) < 0)
                        continue;
                r = info_one(tdfd, names[i], u, nu, &l[n++]);
                if (r < 0)
                        goto fail;
        }
        tmpl_users_free(u, nu);
        *ret = l;
        *ret_n = n;
        return 0;
fail:
        tmpl_users_free(u, nu);
        tmpl_info_free(l, n);
        return r;
}

/* Leftovers of a `template remove` that was killed half way: gone for good, whoever sees them. */
static void remove_stale_removals(int base, const char *name)
{
        int fd = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return;
        }
        char prefix[NAME_MAX + 16];
        snprintf(prefix, sizeof(prefix), ".%s.removing.", name);
        struct dirent *de;
        while ((de = readdir(d))) {
                unsigned pid;
                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
                    safe_atou(de->d_name + strlen(prefix), &pid) < 0)
                        continue;
                if (pid > 0 && pid <= INT_MAX && kill((pid_t)pid, 0) == 0)
                        continue;
                (void)rm_rf_at(base, de->d_name);
        }
}

int tmpl_remove(const char *templates_dir, const char *name, tmpl_users_fn users, void *userdata,
                pid_t *ret_holder, unsigned **ret_users, size_t *ret_n_users)
{
        _cleanup_close_ int base = -EBADF, tdfd = -EBADF, blk = -EBADF, glk = -EBADF;
        tmpl_user *u = NULL;
        size_t nu = 0;
        int r;

        if (!tmpl_name_valid(name))
                return -EINVAL;
        base = open(templates_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base < 0)
                return negative_errno();
        remove_stale_removals(base, name);
        r = tmpl_open_dir(templates_dir, name, false, &tdfd);
        if (r < 0)
                return r;
        r = tmpl_lock(tdfd, TMPL_BUILD_LOCK, LOCK_EX, true, &blk);
        if (r == -EBUSY && ret_holder)
                *ret_holder = tmpl_build_lock_holder(tdfd);
        if (r < 0)
                return r;
        r = tmpl_lock(tdfd, TMPL_GEN_LOCK, LOCK_EX, false, &glk);
        if (r < 0)
                return r;
        if (users) {
                r = users(userdata, &u, &nu);
                if (r < 0)
                        return r;
        }
        _cleanup_strv_free_ char **gens = NULL;
        size_t n = 0;
        r = tmpl_list_generations(tdfd, &gens, &n);
        unsigned *all = NULL;
        size_t nall = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ unsigned *g = NULL;
                size_t ng = 0;
                r = tmpl_generation_users(tdfd, gens[i], u, nu, &g, &ng);
                if (r == -ENOENT)
                        r = 0;
                if (r < 0 || ng == 0)
                        continue;
                unsigned *x = realloc(all, (nall + ng) * sizeof(*all));
                if (!x) {
                        r = -ENOMEM;
                        break;
                }
                all = x;
                memcpy(all + nall, g, ng * sizeof(*g));
                nall += ng;
        }
        tmpl_users_free(u, nu);
        if (r >= 0 && nall > 0) {
                if (ret_users) {
                        *ret_users = all;
                        *ret_n_users = nall;
                } else
                        free(all);
                return -EADDRINUSE;
        }
        free(all);
        if (r < 0)
                return r;

        /* gone in one step for anyone looking, then deleted at leisure */
        char dead[NAME_MAX + 1];
        snprintf(dead, sizeof(dead), ".%s.removing.%d", name, (int)getpid());
        if (renameat(base, name, base, dead) < 0)
                return negative_errno();
        (void)fsync(base);
        glk = safe_close(glk);
        blk = safe_close(blk);
        tdfd = safe_close(tdfd);
        return rm_rf_at(base, dead);
}
