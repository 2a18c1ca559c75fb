/* One build of a template: lock, clean what an interrupted build left, build a new generation aside,
 * verify it, publish it as current, prune old generations nobody uses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/failpoint.h"
#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

#define DEFAULT_KEEP 3

void tmpl_build_result_done(tmpl_build_result *r)
{
        free(r->generation);
        free(r->log);
        free(r->why);
        *r = (tmpl_build_result){ 0 };
}

/* Only one build runs per template and we hold its lock: every build directory is a dead build's. */
static void remove_stale(int tdfd, const char *name)
{
        int fd = openat(tdfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return;
        }
        char building[NAME_MAX + 1];
        snprintf(building, sizeof(building), ".%s.building.", name);
        struct dirent *de;
        while ((de = readdir(d))) {
                const char *n = de->d_name;
                size_t l = strlen(n);
                if (strncmp(n, building, strlen(building)) == 0 || strncmp(n, ".build-", 7) == 0 ||
                    strncmp(n, ".current.", 9) == 0 ||
                    (n[0] == '.' && l > 8 && streq(n + l - 8, ".pruning"))) {
                        log_debug("Removing %s, left by an interrupted build", n);
                        (void)rm_rf_at(tdfd, n);
                }
        }
}

static int write_info(int gfd, const tmpl_recipe *r, const char *gen, uint64_t size, time_t built)
{
        _cleanup_free_ char *text = NULL, *source = NULL;
        int rr;

        switch (r->type) {
        case TMPL_TYPE_BUSYBOX:
                rr = asprintf(&source, "busybox %s", r->busybox);
                break;
        case TMPL_TYPE_DEBOOTSTRAP:
                rr = asprintf(&source, "debootstrap %s %s", r->suite, r->mirror);
                break;
        default:
                rr = asprintf(&source, "import %s", r->source);
                break;
        }
        if (rr < 0)
                return -ENOMEM;
        /* no quote can break the line: the values are ours or validated, but be sure */
        for (char *p = source; *p; p++)
                if (*p == '"' || *p == '\n')
                        *p = '_';
        if (asprintf(&text,
                     "# vpsctl template "
                     "generation\nNAME=\"%s\"\nGENERATION=\"%s\"\nTYPE=\"%s\"\nSOURCE=\"%s\"\n"
                     "BUILT=\"%lld\"\nSIZE=\"%llu\"\nRECIPE=\"%s\"\nVPSCTL=\"%s\"\n",
                     r->name, gen, tmpl_type_to_string(r->type), source, (long long)built,
                     (unsigned long long)size, r->path ? r->path : "built-in", VPSCTL_VERSION) < 0)
                return -ENOMEM;
        rr = write_file_atomic_at(gfd, TMPL_INFO, text, strlen(text), 0644);
        if (rr < 0)
                return rr;
        /* the recipe as it was, next to what it made */
        if (r->text)
                rr = write_file_atomic_at(gfd, "recipe", r->text, strlen(r->text), 0644);
        return rr;
}

/* LXD-style tarballs hold the tree under rootfs/, beside metadata: make that the generation's rootfs. */
static int unwrap_rootfs(int bfd)
{
        if (exists_at(bfd, "rootfs/etc") || !exists_at(bfd, "rootfs/rootfs/etc"))
                return 0;
        if (renameat(bfd, "rootfs", bfd, "unpacked") < 0)
                return negative_errno();
        if (renameat(bfd, "unpacked/rootfs", bfd, "rootfs") < 0)
                return negative_errno();
        return rm_rf_at(bfd, "unpacked");
}

static int populate(const tmpl_recipe *r, const char *rootfs, int rfd, FILE *log, const tmpl_build_opts *o)
{
        switch (r->type) {
        case TMPL_TYPE_BUSYBOX:
                fprintf(log, "+ busybox template from %s\n", r->busybox);
                if (tmpl_check_static_elf(r->busybox) < 0) {
                        fprintf(log, "%s is not a statically linked busybox\n", r->busybox);
                        return -ELIBBAD;
                }
                return tmpl_populate_busybox(rfd, r->busybox);
        case TMPL_TYPE_DEBOOTSTRAP:
                return tmpl_run_debootstrap(r, rootfs, log, o->progress, o->userdata);
        case TMPL_TYPE_IMPORT:
                return tmpl_extract(r->source, rootfs, log);
        }
        return -EINVAL;
}

static int current_age(int tdfd, char **ret_gen, time_t *ret_built)
{
        _cleanup_free_ char *gen = NULL, *text = NULL;
        int r = tmpl_read_current(tdfd, &gen);
        if (r < 0)
                return r;
        time_t built = 0;
        char p[NAME_MAX + 16];
        snprintf(p, sizeof(p), "%s/" TMPL_INFO, gen);
        if (read_full_file_at(tdfd, p, &text, NULL) >= 0) {
                char *b = strstr(text, "\nBUILT=\"");
                if (b)
                        built = (time_t)strtoll(b + 8, NULL, 10);
        }
        if (!built) {
                struct tm tm = { 0 };
                if (strptime(gen, "%Y%m%d-%H%M%S", &tm))
                        built = timegm(&tm);
        }
        *ret_gen = TAKE_PTR(gen);
        *ret_built = built;
        return 0;
}

int tmpl_build(const char *templates_dir, const tmpl_recipe *recipe, const tmpl_build_opts *o,
               tmpl_build_result *ret)
{
        _cleanup_close_ int tdfd = -EBADF, blk = -EBADF, glk = -EBADF, bfd = -EBADF, rfd = -EBADF;
        _cleanup_free_ char *gen = NULL, *bdir = NULL, *rootfs = NULL, *why = NULL;
        _cleanup_fclose_ FILE *log = NULL;
        const char *name = recipe->name;
        int r;

        *ret = (tmpl_build_result){ 0 };
        if (!tmpl_name_valid(name))
                return -EINVAL;
        r = tmpl_open_dir(templates_dir, name, true, &tdfd);
        if (r < 0)
                return r;
        if (asprintf(&ret->log, "%s/%s/" TMPL_BUILD_LOG, templates_dir, name) < 0)
                return -ENOMEM;
        r = tmpl_lock(tdfd, TMPL_BUILD_LOCK, LOCK_EX, !o->wait, &blk);
        if (r == -EBUSY)
                ret->holder = tmpl_build_lock_holder(tdfd);
        if (r < 0)
                return r;
        char pid[32];
        int pl = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        if (ftruncate(blk, 0) < 0 || pwrite(blk, pid, (size_t)pl, 0) != pl)
                return negative_errno();

        failpoint("template.locked");
        remove_stale(tdfd, name);

        _cleanup_free_ char *cur = NULL;
        time_t built = 0;
        if (current_age(tdfd, &cur, &built) >= 0) {
                time_t now = time(NULL);
                if (o->if_missing || (o->if_older_than > 0 && now - built < o->if_older_than)) {
                        ret->generation = TAKE_PTR(cur);
                        (void)!ftruncate(blk, 0);
                        return 0;
                }
        }

        r = tmpl_new_generation_name(&gen);
        if (r < 0)
                return r;
        if (asprintf(&bdir, ".%s.building.%d", name, (int)getpid()) < 0 ||
            asprintf(&rootfs, "%s/%s/%s/rootfs", templates_dir, name, bdir) < 0)
                return -ENOMEM;
        int lfd = openat(tdfd, TMPL_BUILD_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (lfd < 0)
                return negative_errno();
        log = fdopen(lfd, "w");
        if (!log) {
                safe_close(lfd);
                return negative_errno();
        }
        fprintf(log, "vpsctl %s: building template %s (%s, recipe %s) as generation %s\n", VPSCTL_VERSION,
                name, tmpl_type_to_string(recipe->type), recipe->path ? recipe->path : "built-in", gen);
        fflush(log);
        if (o->started)
                o->started(o->userdata, gen);

        if (mkdirat(tdfd, bdir, 0755) < 0)
                return negative_errno();
        bfd = openat(tdfd, bdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (bfd < 0) {
                r = negative_errno();
                goto fail;
        }
        if (mkdirat(bfd, "rootfs", 0755) < 0) {
                r = negative_errno();
                goto fail;
        }
        rfd = openat(bfd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (rfd < 0) {
                r = negative_errno();
                goto fail;
        }
        r = populate(recipe, rootfs, rfd, log, o);
        if (r < 0)
                goto fail;
        if (recipe->type == TMPL_TYPE_IMPORT) {
                r = unwrap_rootfs(bfd);
                if (r < 0)
                        goto fail;
                safe_close(rfd);
                rfd = openat(bfd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (rfd < 0) {
                        r = negative_errno();
                        goto fail;
                }
        }
        if (recipe->script) {
                r = tmpl_run_script(recipe, rootfs, log, o->progress, o->userdata);
                if (r < 0)
                        goto fail;
        }
        if (recipe->type == TMPL_TYPE_DEBOOTSTRAP) {
                r = tmpl_normalize_debian(rfd);
                if (r < 0)
                        goto fail;
        }
        failpoint("template.built");
        r = tmpl_verify(rootfs, &why);
        if (r < 0) {
                fprintf(log, "verification failed: %s\n", why ? why : strerror(-r));
                goto fail;
        }
        fprintf(log, "verified: /sbin/init and /bin/sh exist, /bin/sh runs\n");
        uint64_t size = 0;
        (void)tmpl_tree_size(rfd, &size);
        r = write_info(bfd, recipe, gen, size, time(NULL));
        if (r < 0)
                goto fail;

        /* publish and prune under the generations lock: no create provisions from a half-pruned
         * generation, and the users we ask about cannot change before we act on the answer */
        failpoint("template.verified");
        r = tmpl_lock(tdfd, TMPL_GEN_LOCK, LOCK_EX, false, &glk);
        if (r < 0)
                goto fail;
        r = tmpl_commit_generation(tdfd, bdir, gen);
        if (r < 0)
                goto fail;
        failpoint("template.current");
        fprintf(log, "published generation %s as current\n", gen);
        ret->built = true;
        ret->generation = TAKE_PTR(gen);
        if (o->users) {
                tmpl_user *u = NULL;
                size_t nu = 0;
                r = o->users(o->userdata, &u, &nu);
                if (r >= 0)
                        r = tmpl_prune(tdfd, o->keep ? o->keep : DEFAULT_KEEP, u, nu, &ret->pruned,
                                       &ret->kept_in_use);
                tmpl_users_free(u, nu);
                if (r < 0) {
                        fprintf(log, "pruning old generations failed: %s\n", strerror(-r));
                        ret->prune_error = r; /* the build itself succeeded */
                }
        }
        failpoint("template.pruned");
        (void)!ftruncate(blk, 0);
        return 0;
fail:
        fflush(log);
        /* closed before the removal; the NULL-ed fds are read by their _cleanup_close_ */
        rfd = safe_close(rfd); /* NOLINT(clang-analyzer-deadcode.DeadStores) */
        bfd = safe_close(bfd); /* NOLINT(clang-analyzer-deadcode.DeadStores) */
        (void)rm_rf_at(tdfd, bdir);
        (void)!ftruncate(blk, 0);
        if (r == -ENOEXEC)
                ret->why = TAKE_PTR(why);
        return r;
}

int tmpl_build_busybox(const char *templates_dir, const char *name, const char *busybox)
{
        _cleanup_recipe_ tmpl_recipe *r = calloc(1, sizeof(*r));
        tmpl_build_result res;
        int rr;

        if (!r)
                return -ENOMEM;
        r->type = TMPL_TYPE_BUSYBOX;
        if (!(r->name = strdup(name)) || !(r->busybox = strdup(busybox)))
                return -ENOMEM;
        rr = tmpl_check_static_elf(busybox);
        if (rr < 0)
                return log_debug_errno(rr, "%s is not a static busybox: %m", busybox);
        tmpl_build_opts o = { .wait = true, .if_missing = true };
        rr = tmpl_build(templates_dir, r, &o, &res);
        tmpl_build_result_done(&res);
        return rr;
}
