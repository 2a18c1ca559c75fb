/* Recipes: how a template is built, one KEY="value" file per template (NAME.recipe), like the configs.
 * The recipes shipped in etc/templates.d are compiled in; a file of the same name overrides one. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "recipes-builtin.h"
#include "templates-internal.h"

static const char *const type_names[] = {
        [TMPL_TYPE_BUSYBOX] = "busybox",
        [TMPL_TYPE_DEBOOTSTRAP] = "debootstrap",
        [TMPL_TYPE_IMPORT] = "import",
};

const char *tmpl_type_to_string(tmpl_type t)
{
        return (size_t)t < ELEMENTSOF(type_names) ? type_names[t] : "?";
}

tmpl_recipe *tmpl_recipe_free(tmpl_recipe *r)
{
        if (!r)
                return NULL;
        char **s[] = { &r->name,    &r->path,       &r->description, &r->suite,   &r->mirror,
                       &r->variant, &r->components, &r->arch,        &r->include, &r->script,
                       &r->busybox, &r->source,     &r->text };
        for (size_t i = 0; i < ELEMENTSOF(s); i++)
                free(*s[i]);
        free(r);
        return NULL;
}

static bool chars_in(const char *s, const char *extra)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
                        return false;
        return true;
}

static bool url_valid(const char *s)
{
        if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0 &&
            strncmp(s, "file:///", 8) != 0)
                return false;
        for (; *s; s++)
                if (isspace((unsigned char)*s) || !isprint((unsigned char)*s))
                        return false;
        return true;
}

/* INCLUDE: Debian package names, separated by commas and/or blanks; stored comma separated. */
static int normalize_packages(const char *v, char **ret)
{
        _cleanup_free_ char *out = calloc(1, strlen(v) + 1);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        for (const char *p = v; *p;) {
                size_t l = strcspn(p, ", \t\n");
                if (l > 0) {
                        if (!islower((unsigned char)p[0]) && !isdigit((unsigned char)p[0]))
                                return -EINVAL;
                        for (size_t i = 0; i < l; i++)
                                if (!islower((unsigned char)p[i]) && !isdigit((unsigned char)p[i]) &&
                                    !strchr("+-.:", p[i]))
                                        return -EINVAL;
                        if (n)
                                out[n++] = ',';
                        memcpy(out + n, p, l);
                        n += l;
                        p += l;
                }
                p += strspn(p, ", \t\n");
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

static int set_field(tmpl_recipe *r, const char *key, const char *v)
{
        char **f = NULL;

        if (streq(key, "TYPE")) {
                for (size_t i = 0; i < ELEMENTSOF(type_names); i++)
                        if (streq(v, type_names[i])) {
                                r->type = (tmpl_type)i;
                                return 0;
                        }
                return -EINVAL;
        }
        if (streq(key, "INCLUDE")) {
                free(r->include);
                r->include = NULL;
                return normalize_packages(v, &r->include);
        }
        if (streq(key, "DESCRIPTION"))
                f = &r->description;
        else if (streq(key, "SUITE") && chars_in(v, "-._"))
                f = &r->suite;
        else if (streq(key, "MIRROR") && url_valid(v))
                f = &r->mirror;
        else if (streq(key, "VARIANT") && chars_in(v, "-"))
                f = &r->variant;
        else if (streq(key, "COMPONENTS") && chars_in(v, ",-"))
                f = &r->components;
        else if (streq(key, "ARCH") && chars_in(v, "-"))
                f = &r->arch;
        else if (streq(key, "SCRIPT"))
                f = &r->script;
        else if ((streq(key, "BUSYBOX") || streq(key, "SOURCE")) && v[0] == '/')
                f = streq(key, "BUSYBOX") ? &r->busybox : &r->source;
        else if (streq(key, "SUITE") || streq(key, "MIRROR") || streq(key, "VARIANT") ||
                 streq(key, "COMPONENTS") || streq(key, "ARCH") || streq(key, "BUSYBOX") ||
                 streq(key, "SOURCE"))
                return -EINVAL;
        else
                return -ENOKEY;
        free(*f);
        *f = strdup(v);
        return *f ? 0 : -ENOMEM;
}

/* KEY="value" / KEY='value' / KEY=value, # comments. A quoted value may span lines (SCRIPT); there are no
 * escapes: use the other quote inside. The file stays readable by sh. */
static int parse_text(tmpl_recipe *r, const char *text, const char *where)
{
        _cleanup_free_ char *copy = strdup(text);
        unsigned lineno = 0;
        char *p;
        int r2;

        if (!copy)
                return -ENOMEM;
        p = copy;
        while (*p) {
                lineno++;
                unsigned first = lineno;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == '\n') {
                        p++;
                        continue;
                }
                if (*p == '#') {
                        p += strcspn(p, "\n");
                        continue;
                }
                char *key = p;
                while (isalnum((unsigned char)*p) || *p == '_')
                        p++;
                if (p == key || *p != '=') {
                        log_error("%s:%u: expected KEY=\"value\"", where, first);
                        return -EINVAL;
                }
                *p++ = 0;
                char *val = p, *rest;
                bool eol = false;
                if (*p == '"' || *p == '\'') {
                        char q = *p++;
                        val = p;
                        char *end = strchr(p, q);
                        if (!end) {
                                log_error("%s:%u: %s: the closing %c is missing", where, first, key, q);
                                return -EINVAL;
                        }
                        for (char *c = val; c < end; c++)
                                if (*c == '\n')
                                        lineno++;
                        *end = 0;
                        rest = end + 1;
                } else {
                        rest = p + strcspn(p, " \t#\n");
                        char c = *rest;
                        if (c) {
                                *rest++ = 0;
                                if (c == '#')
                                        rest += strcspn(rest, "\n");
                                eol = c == '\n';
                        }
                }
                if (!eol) {
                        rest += strspn(rest, " \t");
                        if (*rest == '#')
                                rest += strcspn(rest, "\n");
                        if (*rest && *rest != '\n') {
                                log_error("%s:%u: %s: unexpected text after the value", where, lineno, key);
                                return -EINVAL;
                        }
                        if (*rest == '\n')
                                rest++;
                }
                r2 = set_field(r, key, val);
                if (r2 == -ENOKEY) {
                        log_error("%s:%u: unknown key %s (TYPE, DESCRIPTION, SUITE, MIRROR, VARIANT, "
                                  "COMPONENTS, ARCH, INCLUDE, SCRIPT, BUSYBOX, SOURCE)",
                                  where, first, key);
                        return -EINVAL;
                }
                if (r2 == -EINVAL) {
                        log_error("%s:%u: bad value of %s: \"%s\"", where, first, key, val);
                        return -EINVAL;
                }
                if (r2 < 0)
                        return r2;
                p = rest;
        }
        return 0;
}

static int validate(tmpl_recipe *r, const char *where)
{
        int rr;

        switch (r->type) {
        case TMPL_TYPE_DEBOOTSTRAP:
                if (!r->suite) {
                        log_error("%s: TYPE=\"debootstrap\" needs SUITE (e.g. bookworm)", where);
                        return -EINVAL;
                }
                if (!r->mirror) {
                        rr = tmpl_host_mirror(&r->mirror);
                        if (rr < 0)
                                return rr;
                }
                if (!r->variant && !(r->variant = strdup("minbase")))
                        return -ENOMEM;
                break;
        case TMPL_TYPE_IMPORT:
                if (!r->source) {
                        log_error("%s: TYPE=\"import\" needs SOURCE (an absolute path to a tarball)", where);
                        return -EINVAL;
                }
                break;
        case TMPL_TYPE_BUSYBOX:
                break;
        }
        return 0;
}

static int recipe_from_text(const char *name, const char *path, const char *text, tmpl_recipe **ret)
{
        tmpl_recipe *r = calloc(1, sizeof(*r));
        int rr;

        if (!r)
                return -ENOMEM;
        r->type = (tmpl_type)-1;
        if (!(r->name = strdup(name)) || (path && !(r->path = strdup(path))) || !(r->text = strdup(text))) {
                tmpl_recipe_free(r);
                return -ENOMEM;
        }
        char where[4200];
        if (path)
                snprintf(where, sizeof(where), "%s", path);
        else
                snprintf(where, sizeof(where), "built-in recipe %s", name);
        rr = parse_text(r, text, where);
        if (rr >= 0 && r->type == (tmpl_type)-1) {
                log_error("%s: TYPE is missing (busybox, debootstrap or import)", where);
                rr = -EINVAL;
        }
        if (rr >= 0)
                rr = validate(r, where);
        if (rr < 0) {
                tmpl_recipe_free(r);
                return rr;
        }
        *ret = r;
        return 0;
}

int tmpl_recipe_parse(const char *name, const char *text, tmpl_recipe **ret)
{
        return recipe_from_text(name, NULL, text, ret);
}

int tmpl_recipe_load(char *const *dirs, const char *name, tmpl_recipe **ret)
{
        int r;

        if (!tmpl_name_valid(name))
                return -EINVAL;
        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                if (asprintf(&path, "%s/%s.recipe", dirs[i], name) < 0)
                        return -ENOMEM;
                r = read_full_file_at(AT_FDCWD, path, &text, NULL);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "Failed to read recipe %s: %m", path);
                return recipe_from_text(name, path, text, ret);
        }
        for (size_t i = 0; i < tmpl_builtin_recipes_count; i++)
                if (streq(tmpl_builtin_recipes[i].name, name))
                        return recipe_from_text(name, NULL, tmpl_builtin_recipes[i].text, ret);
        return -ENOENT;
}

static int strcmp_p(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_unique(char ***l, size_t *n, const char *s)
{
        for (size_t i = 0; i < *n; i++)
                if (streq((*l)[i], s))
                        return 0;
        char **x = realloc(*l, (*n + 2) * sizeof(*x));
        if (!x)
                return -ENOMEM;
        *l = x;
        if (!(x[*n] = strdup(s)))
                return -ENOMEM;
        x[++*n] = NULL;
        return 0;
}

int tmpl_recipe_list(char *const *dirs, char ***ret)
{
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        size_t n = 0;
        int r;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < tmpl_builtin_recipes_count; i++)
                if ((r = push_unique(&l, &n, tmpl_builtin_recipes[i].name)) < 0)
                        return r;
        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_closedir_ DIR *d = opendir(dirs[i]);
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        size_t len = strlen(de->d_name);
                        if (len <= 7 || !streq(de->d_name + len - 7, ".recipe"))
                                continue;
                        de->d_name[len - 7] = 0;
                        if (tmpl_name_valid(de->d_name) && (r = push_unique(&l, &n, de->d_name)) < 0)
                                return r;
                }
        }
        qsort(l, n, sizeof(*l), strcmp_p);
        *ret = TAKE_PTR(l);
        return 0;
}

/* One-line format: deb [options] URI SUITE COMPONENT... */
static int mirror_from_line(char *line, char **ret)
{
        char *save = NULL, *t = strtok_r(line, " \t", &save);
        if (!t || !streq(t, "deb"))
                return 0;
        t = strtok_r(NULL, " \t", &save);
        if (t && t[0] == '[') {
                /* options: "[arch=amd64 signed-by=...]", possibly spread over several words */
                while (t && !strchr(t, ']'))
                        t = strtok_r(NULL, " \t", &save);
                if (!t)
                        return 0;
                char *after = strchr(t, ']') + 1;
                t = *after ? after : strtok_r(NULL, " \t", &save);
        }
        char *uri = t, *suite = strtok_r(NULL, " \t", &save);
        if (!uri || !suite || !url_valid(uri) || strstr(uri, "security") || strstr(suite, "security"))
                return 0;
        *ret = strdup(uri);
        return *ret ? 1 : -ENOMEM;
}

/* deb822 format: paragraphs of Types:, URIs:, Suites:, Enabled:. */
static int mirror_from_deb822(char *text, char **ret)
{
        char *para = text;
        while (para && *para) {
                char *next = strstr(para, "\n\n");
                if (next)
                        *next = 0;
                bool deb = false, enabled = true;
                char uri[1024] = "", suites[1024] = "";
                for (char *save = NULL, *l = strtok_r(para, "\n", &save); l;
                     l = strtok_r(NULL, "\n", &save)) {
                        char *v = strchr(l, ':');
                        if (!v || l[0] == '#' || isspace((unsigned char)l[0]))
                                continue;
                        *v++ = 0;
                        v += strspn(v, " \t");
                        if (strcasecmp(l, "Types") == 0) {
                                deb = false;
                                for (char *s2 = NULL, *t = strtok_r(v, " \t", &s2); t;
                                     t = strtok_r(NULL, " \t", &s2))
                                        deb = deb || streq(t, "deb");
                        } else if (strcasecmp(l, "URIs") == 0)
                                snprintf(uri, sizeof(uri), "%.*s", (int)strcspn(v, " \t"), v);
                        else if (strcasecmp(l, "Suites") == 0)
                                snprintf(suites, sizeof(suites), "%s", v);
                        else if (strcasecmp(l, "Enabled") == 0)
                                enabled = strcasecmp(v, "no") != 0;
                }
                if (deb && enabled && url_valid(uri) && !strstr(uri, "security") &&
                    !strstr(suites, "security")) {
                        *ret = strdup(uri);
                        return *ret ? 1 : -ENOMEM;
                }
                para = next ? next + 2 : NULL;
        }
        return 0;
}

int tmpl_host_mirror(char **ret)
{
        _cleanup_free_ char *text = NULL;
        int r;

        if (read_full_file_at(AT_FDCWD, "/etc/apt/sources.list", &text, NULL) >= 0)
                for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                        if ((r = mirror_from_line(l, ret)) != 0)
                                return r < 0 ? r : 0;
        struct dirent **de = NULL;
        int n = scandir("/etc/apt/sources.list.d", &de, NULL, alphasort);
        r = 0;
        for (int i = 0; i < n; i++) {
                const char *f = de[i]->d_name;
                size_t len = strlen(f);
                bool list = len > 5 && streq(f + len - 5, ".list");
                bool deb822 = len > 8 && streq(f + len - 8, ".sources");
                _cleanup_free_ char *path = NULL, *t = NULL;
                if (r == 0 && (list || deb822) && asprintf(&path, "/etc/apt/sources.list.d/%s", f) >= 0 &&
                    read_full_file_at(AT_FDCWD, path, &t, NULL) >= 0) {
                        if (deb822)
                                r = mirror_from_deb822(t, ret);
                        else
                                for (char *save = NULL, *l = strtok_r(t, "\n", &save); l && r == 0;
                                     l = strtok_r(NULL, "\n", &save))
                                        r = mirror_from_line(l, ret);
                }
                free(de[i]);
        }
        free(de);
        if (r != 0)
                return r < 0 ? r : 0;
        *ret = strdup("http://deb.debian.org/debian");
        return *ret ? 0 : -ENOMEM;
}
