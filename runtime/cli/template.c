/* vpsctl template: list, build, rebuild, remove, import, import-cache, export. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cli.h"

struct tctx {
        ct_templates *tp;
        const char *name; /* for progress lines */
        const tmpl_recipe *recipe;
        bool tty;
        unsigned cols;
};

static int tctx_init(struct tctx *t)
{
        *t = (struct tctx){ 0 };
        int r = ct_templates_open(&cli_paths, &t->tp);
        if (r < 0) {
                log_error_errno(r, "Failed to read %s: %m", cli_paths.global_conf);
                return r == -EINVAL ? EXIT_VZ_BAD_VALUE : EXIT_VZ_SYSTEM;
        }
        t->tty = isatty(STDERR_FILENO);
        struct winsize ws;
        t->cols = t->tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 80;
        return 0;
}

static void tctx_done(struct tctx *t)
{
        ct_templates_free(t->tp);
}

/* ---- output ---- */

static void format_time(time_t t, bool utc, char *buf, size_t len)
{
        struct tm tm;
        if (!t) {
                snprintf(buf, len, "-");
                return;
        }
        if (utc)
                strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        else
                strftime(buf, len, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
}

/* 2.0M, 173M, 1.2G: for a table, not for a config file */
static void human_size(uint64_t v, char *buf, size_t len)
{
        static const char units[] = "KMGTP";
        double d = (double)v;
        int i = -1;
        while (d >= 1024 && i < (int)sizeof(units) - 2) {
                d /= 1024;
                i++;
        }
        if (i < 0)
                snprintf(buf, len, "%lluB", (unsigned long long)v);
        else
                snprintf(buf, len, d < 10 ? "%.1f%c" : "%.0f%c", d, units[i]);
}

static unsigned real_users(const tmpl_generation *g)
{
        unsigned n = 0;
        for (size_t i = 0; i < g->n_users; i++)
                n += g->users[i] != 0;
        return n;
}

static void json_users(const tmpl_generation *g)
{
        bool first = true;
        putchar('[');
        for (size_t i = 0; i < g->n_users; i++)
                if (g->users[i]) {
                        printf("%s%u", first ? "" : ",", g->users[i]);
                        first = false;
                }
        putchar(']');
}

static int template_list(struct tctx *t, int argc, char **argv)
{
        static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, {} };
        bool json = false;
        int o, r;

        optind = 1;
        while ((o = getopt_long(argc, argv, "j", opts, NULL)) >= 0) {
                if (o != 'j')
                        return cli_usage_error("template", "unknown option of template list");
                json = true;
        }
        if (optind != argc)
                return cli_usage_error("template", "template list takes no arguments");

        tmpl_info *l = NULL;
        size_t n = 0;
        r = ct_template_list(t->tp, &l, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to list the templates in %s: %m", ct_templates_dir(t->tp));
                return EXIT_VZ_SYSTEM;
        }
        _cleanup_strv_free_ char **recipes = NULL;
        if (ct_template_recipes(t->tp, &recipes) < 0)
                recipes = NULL;

        /* every template built, then the recipes nobody built yet */
        size_t rows = n;
        for (char **p = recipes; p && *p; p++) {
                bool built = false;
                for (size_t i = 0; i < n; i++)
                        built = built || streq(l[i].name, *p);
                rows += !built;
        }
        if (json)
                printf("[");
        else
                printf("%-16s %-25s %-16s %7s %4s %4s %s\n", "NAME", "GENERATION", "BUILT", "SIZE", "CTS",
                       "GENS", "SOURCE");
        size_t row = 0;
        for (size_t i = 0; i < n; i++, row++) {
                const tmpl_info *ti = &l[i];
                const tmpl_generation *cur = ti->current >= 0 ? &ti->gens[ti->current] : NULL;
                unsigned cts = 0, users = 0;
                for (size_t g = 0; g < ti->n_gens; g++) {
                        cts += real_users(&ti->gens[g]);
                        users += (unsigned)ti->gens[g].n_users;
                }
                _cleanup_recipe_ tmpl_recipe *rec = NULL;
                bool has_recipe = false;
                for (char **p = recipes; p && *p; p++)
                        has_recipe = has_recipe || streq(*p, ti->name);
                if (has_recipe)
                        (void)ct_template_recipe(t->tp, ti->name, &rec);
                char when[64], size[32] = "-";
                if (cur)
                        human_size(cur->size, size, sizeof(size));
                if (!json) {
                        char src[256];
                        format_time(cur ? cur->built : 0, false, when, sizeof(when));
                        snprintf(src, sizeof(src), "%s%s",
                                 cur && cur->source ? cur->source
                                 : cur              ? "-"
                                                    : "no generation: see build.log",
                                 ti->building ? " (building now)" : "");
                        printf("%-16s %-25s %-16s %7s %4u %4zu %s\n", ti->name, cur ? cur->name : "-", when,
                               size, cts, ti->n_gens, src);
                        continue;
                }
                printf("%s\n{\"name\":", row ? "," : "");
                cli_json_string(ti->name);
                printf(",\"generation\":");
                cli_json_string(cur ? cur->name : NULL);
                format_time(cur ? cur->built : 0, true, when, sizeof(when));
                printf(",\"built\":");
                cli_json_string(cur ? when : NULL);
                if (cur)
                        printf(",\"built_epoch\":%lld,\"size\":%llu", (long long)cur->built,
                               (unsigned long long)cur->size);
                else
                        printf(",\"built_epoch\":null,\"size\":null");
                printf(",\"source\":");
                cli_json_string(cur ? cur->source : NULL);
                printf(",\"recipe\":");
                cli_json_string(rec ? (rec->path ? rec->path : "built-in") : NULL);
                printf(",\"cts\":[");
                bool first = true;
                for (size_t g = 0; g < ti->n_gens; g++)
                        for (size_t u = 0; u < ti->gens[g].n_users; u++)
                                if (ti->gens[g].users[u]) {
                                        printf("%s%u", first ? "" : ",", ti->gens[g].users[u]);
                                        first = false;
                                }
                printf("],\"users\":%u,\"building\":%s", users, ti->building ? "true" : "false");
                if (ti->building)
                        printf(",\"builder_pid\":%d", (int)ti->builder);
                printf(",\"generations\":[");
                for (size_t g = 0; g < ti->n_gens; g++) {
                        const tmpl_generation *ge = &ti->gens[g];
                        format_time(ge->built, true, when, sizeof(when));
                        printf("%s{\"name\":", g ? "," : "");
                        cli_json_string(ge->name);
                        printf(",\"built\":");
                        cli_json_string(when);
                        printf(",\"size\":%llu,\"current\":%s,\"cts\":", (unsigned long long)ge->size,
                               ge->current ? "true" : "false");
                        json_users(ge);
                        printf(",\"users\":%zu}", ge->n_users);
                }
                printf("]}");
        }
        for (char **p = recipes; p && *p; p++) {
                bool built = false;
                for (size_t i = 0; i < n; i++)
                        built = built || streq(l[i].name, *p);
                if (built)
                        continue;
                _cleanup_recipe_ tmpl_recipe *rec = NULL;
                r = ct_template_recipe(t->tp, *p, &rec);
                char src[256];
                snprintf(src, sizeof(src), "not built: recipe %s (%s)",
                         rec && rec->path ? rec->path
                         : r < 0          ? "invalid"
                                          : "built-in",
                         rec ? tmpl_type_to_string(rec->type) : "?");
                if (!json) {
                        printf("%-16s %-25s %-16s %7s %4u %4u %s\n", *p, "-", "-", "-", 0U, 0U, src);
                        continue;
                }
                printf("%s\n{\"name\":", row++ ? "," : "");
                cli_json_string(*p);
                printf(",\"generation\":null,\"built\":null,\"built_epoch\":null,\"size\":null,\"source\":"
                       "null,"
                       "\"recipe\":");
                cli_json_string(rec ? (rec->path ? rec->path : "built-in") : NULL);
                printf(",\"cts\":[],\"users\":0,\"building\":false,\"generations\":[]}");
        }
        if (json)
                printf("%s]\n", rows ? "\n" : "");
        tmpl_info_free(l, n);
        return 0;
}

/* ---- builds ---- */

static void progress(void *userdata, const char *line)
{
        struct tctx *t = userdata;
        if (!t->tty)
                return;
        /* one status line, rewritten: the whole output is in build.log */
        int width = (int)t->cols - (int)strlen(t->name) - 4;
        fprintf(stderr, "\r\033[K[%s] %.*s", t->name, width > 10 ? width : 10, line);
        fflush(stderr);
}

static void started(void *userdata, const char *generation)
{
        struct tctx *t = userdata;
        const tmpl_recipe *rec = t->recipe;
        if (rec->type == TMPL_TYPE_IMPORT)
                log_notice("Importing %s as template %s, generation %s", rec->source, rec->name, generation);
        else
                log_notice("Building template %s (%s%s%s), generation %s", rec->name,
                           tmpl_type_to_string(rec->type), rec->suite ? " " : "", strempty(rec->suite),
                           generation);
}

static void progress_end(struct tctx *t)
{
        if (t->tty) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
        }
}

static void print_log_tail(const char *log, unsigned lines)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_full_file_at(AT_FDCWD, log, &text, &len) < 0 || len == 0)
                return;
        const char *p = text + len;
        if (p > text && p[-1] == '\n')
                p--;
        for (unsigned n = 0; p > text; p--)
                if (p[-1] == '\n' && ++n == lines)
                        break;
        fprintf(stderr, "--- last lines of %s ---\n%s", log, p);
        if (len && text[len - 1] != '\n')
                fputc('\n', stderr);
}

/* AGE: N with s, m, h, d or w (seconds without a unit). */
static int parse_age(const char *s, time_t *ret)
{
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || s[0] == '-')
                return -EINVAL;
        unsigned long long mult = 1;
        if (*end) {
                if (end[1])
                        return -EINVAL;
                switch (*end) {
                case 's':
                        break;
                case 'm':
                        mult = 60;
                        break;
                case 'h':
                        mult = 3600;
                        break;
                case 'd':
                        mult = 86400;
                        break;
                case 'w':
                        mult = 7 * 86400;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (v > (unsigned long long)INT32_MAX / mult)
                return -ERANGE;
        *ret = (time_t)(v * mult);
        return 0;
}

static int report_build_error(struct tctx *t, const tmpl_recipe *rec, int r, tmpl_build_result *res)
{
        const char *name = rec->name;
        progress_end(t);
        switch (r) {
        case -EBUSY:
                if (res->holder > 0)
                        log_error("Template %s is being built by pid %d; try again when it has finished",
                                  name, (int)res->holder);
                else
                        log_error("Template %s is being built by another vpsctl; try again later", name);
                return EXIT_VZ_LOCKED;
        case -ENOEXEC:
                log_error("The new build of template %s failed verification: %s; current is unchanged (log: "
                          "%s)",
                          name, res->why ? res->why : "?", res->log);
                return EXIT_VZ_FS_BAD_INIT;
        case -EPROTO:
                log_error("Building template %s failed; current is unchanged", name);
                print_log_tail(res->log, 15);
                return EXIT_VZ_SYSTEM;
        case -ENOPKG:
                log_error("Template %s is built by debootstrap, which is not installed (apt-get install "
                          "debootstrap)",
                          name);
                return EXIT_VZ_SYSTEM;
        case -ELIBBAD:
                log_error("%s is not a statically linked busybox: install busybox-static or set BUSYBOX in "
                          "vpsctl.conf",
                          rec->busybox);
                return EXIT_VZ_SYSTEM;
        case -EMEDIUMTYPE:
                log_error("%s is not a tar archive (plain, gzip, xz, zstd or bzip2)", rec->source);
                return EXIT_VZ_BAD_VALUE;
        case -ENOPROTOOPT:
                log_error("%s is compressed with a program that is not installed (xz-utils, zstd, bzip2?)",
                          rec->source);
                return EXIT_VZ_SYSTEM;
        default:
                log_error_errno(r, "Failed to build template %s in %s: %m", name, ct_templates_dir(t->tp));
                return EXIT_VZ_SYSTEM;
        }
}

static int run_build(struct tctx *t, tmpl_recipe *rec, bool if_missing, time_t if_older_than)
{
        tmpl_build_result res;
        int r;

        t->name = rec->name;
        t->recipe = rec;
        ct_template_build_opts o = { .if_missing = if_missing,
                                     .if_older_than = if_older_than,
                                     .progress = progress,
                                     .started = started,
                                     .userdata = t };
        r = ct_template_build(t->tp, rec, &o, &res);
        if (r < 0) {
                int rc = report_build_error(t, rec, r, &res);
                tmpl_build_result_done(&res);
                return rc;
        }
        progress_end(t);
        if (!res.built) {
                if (if_missing)
                        printf("Template %s is already built (generation %s); `vpsctl template rebuild %s` "
                               "makes "
                               "a new one\n",
                               rec->name, res.generation, rec->name);
                else
                        printf("Template %s is up to date (generation %s)\n", rec->name, res.generation);
        } else {
                log_notice("Template %s: generation %s is current", rec->name, res.generation);
                if (res.prune_error < 0)
                        log_warning_errno(res.prune_error,
                                          "Old generations of template %s were not pruned: %m", rec->name);
                if (res.pruned || res.kept_in_use)
                        printf("Template %s: %u old generation(s) removed, %u kept because CTs use them\n",
                               rec->name, res.pruned, res.kept_in_use);
        }
        tmpl_build_result_done(&res);
        return 0;
}

/* An exit code for a failed tmpl_recipe_load() of NAME. */
static int recipe_error(struct tctx *t, const char *name, int r)
{
        if (r == -ENOENT) {
                _cleanup_strv_free_ char **l = NULL;
                char known[512] = "";
                if (ct_template_recipes(t->tp, &l) >= 0)
                        for (char **p = l; *p; p++)
                                snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                                         p == l ? "" : ", ", *p);
                _cleanup_free_ char *rootfs = NULL;
                if (ct_template_rootfs(t->tp, name, &rootfs) >= 0)
                        log_error("Template %s has no recipe (%s/%s.recipe): it was imported; import it "
                                  "again, or write a recipe with TYPE=\"import\" SOURCE=\"FILE\"",
                                  name, ct_templates_recipe_dir(t->tp), name);
                else
                        log_error("No recipe for template %s: write %s/%s.recipe (the recipes are: %s)",
                                  name, ct_templates_recipe_dir(t->tp), name, known);
                return EXIT_VZ_TMPL_NOTFOUND;
        }
        if (r == -EINVAL)
                return EXIT_VZ_BAD_VALUE; /* the parser named file:line */
        log_error_errno(r, "Failed to load the recipe of template %s: %m", name);
        return EXIT_VZ_SYSTEM;
}

static int check_name(const char *name)
{
        if (ct_template_name_valid(name))
                return 0;
        log_error("Bad template name \"%s\": letters, digits, '.', '_' and '-', not starting with '.'",
                  name);
        return EXIT_VZ_BAD_VALUE;
}

static int template_build(struct tctx *t, int argc, char **argv, bool rebuild)
{
        static const struct option opts[] = { { "if-older-than", required_argument, NULL, 'o' }, {} };
        time_t age = 0;
        int o, rc;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                if (o != 'o' || !rebuild)
                        return cli_usage_error("template", "unknown option of template %s", argv[0]);
                if (parse_age(optarg, &age) < 0 || age == 0) {
                        log_error("Bad --if-older-than \"%s\": a number with s, m, h, d or w (7d)", optarg);
                        return EXIT_VZ_BAD_VALUE;
                }
        }
        if (optind != argc - 1)
                return cli_usage_error("template",
                                       optind >= argc ? "template NAME is missing" : "too many arguments");
        const char *name = argv[optind];
        if ((rc = check_name(name)))
                return rc;
        _cleanup_recipe_ tmpl_recipe *rec = NULL;
        int r = ct_template_recipe(t->tp, name, &rec);
        _cleanup_free_ char *rootfs = NULL;
        if (r == -ENOENT && !rebuild && ct_template_rootfs(t->tp, name, &rootfs) >= 0) {
                /* an imported template without a recipe is built already */
                printf("Template %s is already built (imported; no recipe)\n", name);
                return 0;
        }
        if (r < 0)
                return recipe_error(t, name, r);
        return run_build(t, rec, !rebuild, age);
}

static int import_file(struct tctx *t, const char *file, const char *name);

static int template_import(struct tctx *t, int argc, char **argv)
{
        static const struct option opts[] = { { "name", required_argument, NULL, 'n' }, {} };
        const char *name = NULL;
        _cleanup_free_ char *derived = NULL;
        int o, rc;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                if (o != 'n')
                        return cli_usage_error("template", "unknown option of template import");
                name = optarg;
        }
        if (optind != argc - 1)
                return cli_usage_error("template",
                                       optind >= argc ? "FILE is missing" : "too many arguments");
        const char *file = argv[optind];
        if (!name) {
                if (ct_template_name_from_file(file, &derived) < 0) {
                        log_error("Cannot make a template name of \"%s\": give one with --name", file);
                        return EXIT_VZ_BAD_VALUE;
                }
                name = derived;
        }
        if ((rc = check_name(name)))
                return rc;
        return import_file(t, file, name);
}

/* One tarball as template NAME: an exit code. */
static int import_file(struct tctx *t, const char *file, const char *name)
{
        _cleanup_recipe_ tmpl_recipe *rec = NULL;
        const char *prog = NULL;
        int r = ct_template_import_recipe(t->tp, file, name, &rec, &prog);
        if (r == -EMEDIUMTYPE) {
                log_error("%s is not a tar archive (plain, gzip, xz, zstd or bzip2)", file);
                return EXIT_VZ_BAD_VALUE;
        }
        if (r == -ENOPROTOOPT) {
                log_error("%s is %s-compressed, but %s is not installed", file, prog, prog);
                return EXIT_VZ_SYSTEM;
        }
        if (r == -ENOMEM)
                return EXIT_VZ_SYSTEM;
        if (r < 0) {
                log_error_errno(r, "Cannot read the tarball %s: %m", file);
                return EXIT_VZ_BAD_VALUE;
        }
        return run_build(t, rec, false, 0);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every tarball of a cache directory (OpenVZ's /vz/template/cache, Proxmox's /var/lib/vz/template/cache) as
 * a template of its file's name; those that exist already are left as they are. */
static int template_import_cache(struct tctx *t, int argc, char **argv)
{
        if (argc != 2)
                return cli_usage_error("template", "template import-cache takes one DIR");
        const char *dir = argv[1];
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d) {
                log_error_errno(-errno, "Cannot read the template cache directory %s: %m", dir);
                return EXIT_VZ_BAD_VALUE;
        }
        _cleanup_strv_free_ char **files = NULL;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                char **m = realloc(files, (n + 2) * sizeof(char *));
                if (!m)
                        return EXIT_VZ_SYSTEM;
                files = m;
                files[n + 1] = NULL;
                if (!(files[n] = strdup(de->d_name)))
                        return EXIT_VZ_SYSTEM;
                n++;
        }
        if (n)
                qsort(files, n, sizeof(char *), cmp_str);
        int rc = 0;
        unsigned imported = 0, skipped = 0, failed = 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *name = NULL, *rootfs = NULL;
                struct stat st;
                if (asprintf(&path, "%s/%s", dir, files[i]) < 0)
                        return EXIT_VZ_SYSTEM;
                /* a tarball by its name (what OpenVZ and Proxmox look for too) */
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !strstr(files[i], ".t") ||
                    ct_template_name_from_file(files[i], &name) < 0 || streq(name, files[i]))
                        continue;
                if (ct_template_rootfs(t->tp, name, &rootfs) >= 0) {
                        printf("%s: exists, skipped (%s)\n", name, path);
                        skipped++;
                        continue;
                }
                int k = import_file(t, path, name);
                if (k == 0) {
                        printf("%s: imported from %s\n", name, path);
                        imported++;
                } else {
                        printf("%s: failed (exit %d), see above\n", name, k);
                        failed++;
                        rc = rc ? rc : k;
                }
                fflush(stdout);
        }
        printf("%u imported, %u skipped, %u failed from %s\n", imported, skipped, failed, dir);
        return rc;
}

static int template_export(struct tctx *t, int argc, char **argv)
{
        int rc;

        if (argc != 3)
                return cli_usage_error("template", "template export takes NAME and FILE");
        const char *name = argv[1], *file = argv[2];
        if ((rc = check_name(name)))
                return rc;
        const char *prog = NULL;
        int r = ct_template_export(t->tp, name, file, &prog);
        if (r == -EMEDIUMTYPE) {
                log_error("Bad FILE \"%s\": its name says the format: .tar, .tar.gz (.tgz), .tar.xz (.txz), "
                          ".tar.zst (.tzst) or .tar.bz2",
                          file);
                return EXIT_VZ_BAD_VALUE;
        }
        if (r == -ENOPROTOOPT) {
                log_error("Cannot write %s: %s is not installed", file, prog);
                return EXIT_VZ_SYSTEM;
        }
        if (r == -ENOENT) {
                log_error("Template %s is not built (`vpsctl template list` shows what is)", name);
                return EXIT_VZ_TMPL_NOTFOUND;
        }
        if (r == -EPROTO) {
                log_error("tar failed to write %s (VPSCTL_LOG_LEVEL=debug shows its messages)", file);
                return EXIT_VZ_SYSTEM;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to export template %s to %s: %m", name, file);
                return EXIT_VZ_SYSTEM;
        }
        printf("Template %s exported to %s\n", name, file);
        return 0;
}

static int template_remove(struct tctx *t, int argc, char **argv)
{
        _cleanup_free_ unsigned *users = NULL;
        size_t n = 0;
        pid_t holder = 0;
        int rc;

        if (argc != 2)
                return cli_usage_error("template", "template remove takes one NAME");
        const char *name = argv[1];
        if ((rc = check_name(name)))
                return rc;
        int r = ct_template_remove(t->tp, name, &holder, &users, &n);
        if (r == -ENOENT) {
                log_error("Template %s does not exist in %s", name, ct_templates_dir(t->tp));
                return EXIT_VZ_TMPL_NOTFOUND;
        }
        if (r == -EBUSY) {
                log_error("Template %s is being built by pid %d; try again when it has finished", name,
                          (int)holder);
                return EXIT_VZ_LOCKED;
        }
        if (r == -EADDRINUSE) {
                char list[512] = "";
                unsigned others = 0;
                for (size_t i = 0; i < n; i++) {
                        if (!users[i]) {
                                others++;
                                continue;
                        }
                        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%u", *list ? ", " : "",
                                 users[i]);
                }
                if (others)
                        snprintf(list + strlen(list), sizeof(list) - strlen(list),
                                 "%s%u private area(s) without a CT", *list ? " and " : "", others);
                log_error("Template %s is still used by CT %s: destroy those first (a CT made with --layout "
                          "copy does not use its template)",
                          name, list);
                return EXIT_VZ_TMPL_IN_USE;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to remove template %s: %m", name);
                return EXIT_VZ_SYSTEM;
        }
        log_notice("Template %s removed", name);
        return 0;
}

int verb_template(int argc, char **argv)
{
        struct tctx t;
        int rc;

        if (argc < 2)
                return cli_usage_error("template", "what to do is missing");
        const char *what = argv[1];
        if (!streq(what, "list") && !streq(what, "build") && !streq(what, "rebuild") &&
            !streq(what, "remove") && !streq(what, "import") && !streq(what, "import-cache") &&
            !streq(what, "export"))
                return cli_usage_error("template", "unknown action \"%s\"", what);
        rc = tctx_init(&t);
        if (rc) {
                tctx_done(&t);
                return rc;
        }
        argc--;
        argv++;
        if (streq(what, "list"))
                rc = template_list(&t, argc, argv);
        else if (streq(what, "build"))
                rc = template_build(&t, argc, argv, false);
        else if (streq(what, "rebuild"))
                rc = template_build(&t, argc, argv, true);
        else if (streq(what, "remove"))
                rc = template_remove(&t, argc, argv);
        else if (streq(what, "import"))
                rc = template_import(&t, argc, argv);
        else if (streq(what, "import-cache"))
                rc = template_import_cache(&t, argc, argv);
        else
                rc = template_export(&t, argc, argv);
        tctx_done(&t);
        return rc;
}
