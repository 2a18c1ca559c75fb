/* An OCI bundle's config.json, parsed with json-c: every field known, checked and typed here, or refused by
 * its JSON path. */
#include <errno.h>
#include <json-c/json.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "base/macro.h"
#include "oci-spec.h"

const char *const oci_hook_names[OCI_HOOK_KINDS] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};
const char *const oci_cap_set_names[OCI_CAP_SETS] = {
        "bounding", "effective", "inheritable", "permitted", "ambient",
};

struct parser {
        char *err;
        size_t errlen;
};

_printf_(2, 3) static int fail_msg(struct parser *p, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
        return -EINVAL;
}
/* The message, and -EINVAL where the caller (and a static analyzer, which does not follow the variadic
 * call) can see it */
#define fail(p, ...) ((void)fail_msg((p), __VA_ARGS__), -EINVAL)

static int unsupported(struct parser *p, const char *path, const char *key)
{
        return fail(p, "%s%s%s is not supported by vpsctl", path, *path ? "." : "", key);
}

/* Every key of obj must be one of keys (NULL-terminated); path names obj ("" for the top). */
static int check_keys(struct parser *p, json_object *obj, const char *path, const char *const *keys)
{
        json_object_object_foreach(obj, k, v)
        {
                (void)v;
                bool known = false;
                for (size_t i = 0; keys[i] && !known; i++)
                        known = streq(k, keys[i]);
                if (!known)
                        return unsupported(p, path, k);
        }
        return 0;
}

static int want(struct parser *p, json_object *o, json_type t, const char *path)
{
        static const char *const names[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };
        if (json_object_get_type(o) != t)
                return fail(p, "%s must be %s", path, names[t]);
        return 0;
}

static int get_string(struct parser *p, json_object *o, const char *path, char **ret)
{
        int r = want(p, o, json_type_string, path);
        if (r < 0)
                return r;
        const char *s = json_object_get_string(o);
        if (strlen(s) != (size_t)json_object_get_string_len(o))
                return fail(p, "%s contains a NUL character", path);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int get_bool(struct parser *p, json_object *o, const char *path, bool *ret)
{
        int r = want(p, o, json_type_boolean, path);
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(o);
        return 0;
}

static int get_i64(struct parser *p, json_object *o, const char *path, int64_t min, int64_t max,
                   int64_t *ret)
{
        int r = want(p, o, json_type_int, path);
        if (r < 0)
                return r;
        errno = 0;
        int64_t v = json_object_get_int64(o);
        if (errno == ERANGE || v < min || v > max)
                return fail(p, "%s is out of range (%lld..%lld)", path, (long long)min, (long long)max);
        *ret = v;
        return 0;
}

static int get_u64(struct parser *p, json_object *o, const char *path, uint64_t *ret)
{
        int r = want(p, o, json_type_int, path);
        if (r < 0)
                return r;
        /* json-c keeps integers past INT64_MAX as unsigned; a negative one is refused */
        if (json_object_get_int64(o) < 0 && json_object_get_uint64(o) == 0)
                return fail(p, "%s must not be negative", path);
        *ret = json_object_get_uint64(o);
        return 0;
}

static int get_u32(struct parser *p, json_object *o, const char *path, uint32_t *ret)
{
        int64_t v;
        int r = get_i64(p, o, path, 0, UINT32_MAX, &v);
        if (r >= 0)
                *ret = (uint32_t)v;
        return r;
}

/* A field that is accepted only empty: absent, null, "", [], {}, false or 0. */
static int only_empty(struct parser *p, json_object *parent, const char *path, const char *key)
{
        json_object *o;
        if (!json_object_object_get_ex(parent, key, &o))
                return 0;
        bool empty;
        switch (json_object_get_type(o)) {
        case json_type_null:
                empty = true;
                break;
        case json_type_string:
                empty = json_object_get_string_len(o) == 0;
                break;
        case json_type_array:
                empty = json_object_array_length(o) == 0;
                break;
        case json_type_object:
                empty = json_object_object_length(o) == 0;
                break;
        case json_type_boolean:
                empty = !json_object_get_boolean(o);
                break;
        case json_type_int:
                empty = json_object_get_int64(o) == 0;
                break;
        default:
                empty = false;
        }
        return empty ? 0 : unsupported(p, path, key);
}

static int get_strv(struct parser *p, json_object *o, const char *path, char ***ret)
{
        int r = want(p, o, json_type_array, path);
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char ip[256];
                snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
                r = get_string(p, json_object_array_get_idx(o, i), ip, &l[i]);
                if (r < 0) {
                        strv_free(l);
                        return r;
                }
        }
        *ret = l;
        return 0;
}

static json_object *field(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_get_type(v) != json_type_null ? v : NULL;
}

/* o is an object, which path names, with no key but those of keys */
static int want_object(struct parser *p, json_object *o, const char *path, const char *const *keys)
{
        int r = want(p, o, json_type_object, path);
        return r < 0 ? r : check_keys(p, o, path, keys);
}

#define REQUIRED       true
#define OPTIONAL       false
#define FIELD_PATH_MAX 128

/* The member key of obj, whose path names obj ("" for the top): NULL when it is absent or null, *ret_r then
 * "PATH.KEY is missing" if it is required, else 0. fp gets the member's path, for the caller's errors. */
static json_object *member(struct parser *p, json_object *obj, const char *path, const char *key,
                           bool required, char *fp, size_t fplen, int *ret_r)
{
        snprintf(fp, fplen, "%s%s%s", path, *path ? "." : "", key);
        json_object *v = field(obj, key);
        *ret_r = !v && required ? fail(p, "%s is missing", fp) : 0;
        return v;
}

/* TYPE_field(): a member read by get_TYPE() under its path (string_field, strv_field, bool_field, u32_field,
 * u64_field; i64_field below); absent or null, *ret is left as it was. */
#define DEFINE_FIELD_READER(type, ret_type)                                                            \
        static int type##_field(struct parser *p, json_object *obj, const char *path, const char *key, \
                                bool required, ret_type *ret)                                          \
        {                                                                                              \
                char fp[FIELD_PATH_MAX];                                                               \
                int r;                                                                                 \
                json_object *v = member(p, obj, path, key, required, fp, sizeof(fp), &r);              \
                return v ? get_##type(p, v, fp, ret) : r;                                              \
        }
DEFINE_FIELD_READER(string, char *)
DEFINE_FIELD_READER(strv, char **)
DEFINE_FIELD_READER(bool, bool)
DEFINE_FIELD_READER(u32, uint32_t)
DEFINE_FIELD_READER(u64, uint64_t)

static int i64_field(struct parser *p, json_object *obj, const char *path, const char *key, bool required,
                     int64_t min, int64_t max, int64_t *ret)
{
        char fp[FIELD_PATH_MAX];
        int r;
        json_object *v = member(p, obj, path, key, required, fp, sizeof(fp), &r);
        return v ? get_i64(p, v, fp, min, max, ret) : r;
}

/* An optional integer member, ret->set when it is given. */
static int opt_i64_field(struct parser *p, json_object *obj, const char *path, const char *key, int64_t min,
                         int64_t max, struct oci_i64 *ret)
{
        int r = i64_field(p, obj, path, key, OPTIONAL, min, max, &ret->v);
        if (r >= 0 && field(obj, key))
                ret->set = true;
        return r;
}

/* ---- process ---- */

static int parse_caps(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "bounding",  "effective", "inheritable",
                                            "permitted", "ambient",   NULL };
        int r = want_object(p, o, "process.capabilities", keys);
        if (r < 0)
                return r;
        s->process.has_caps = true;
        for (size_t set = 0; set < OCI_CAP_SETS; set++) {
                json_object *l = field(o, oci_cap_set_names[set]);
                char path[64];
                snprintf(path, sizeof(path), "process.capabilities.%s", oci_cap_set_names[set]);
                if (!l)
                        continue;
                if ((r = want(p, l, json_type_array, path)) < 0)
                        return r;
                for (size_t i = 0; i < json_object_array_length(l); i++) {
                        json_object *e = json_object_array_get_idx(l, i);
                        char ip[96];
                        snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
                        if ((r = want(p, e, json_type_string, ip)) < 0)
                                return r;
                        const char *name = json_object_get_string(e);
                        cap_value_t v;
                        if (strncasecmp(name, "CAP_", 4) != 0 || cap_from_name(name, &v) < 0 || v < 0 ||
                            v >= 64)
                                return fail(p, "%s: \"%s\" is not a capability this host knows", ip, name);
                        s->process.caps[set] |= 1ULL << v;
                }
        }
        return 0;
}

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },
        { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },
        { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },
        { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
        { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },
        { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },
        { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
        { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
        { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "type", "soft", "hard", NULL };
        int r = want(p, o, json_type_array, "process.rlimits");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        s->process.rlimits = calloc(n ? n : 1, sizeof(struct oci_rlimit));
        if (!s->process.rlimits)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i), *t;
                struct oci_rlimit *l = &s->process.rlimits[i];
                char path[64], fp[80];
                snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
                if ((r = want_object(p, e, path, keys)) < 0)
                        return r;
                if (!(t = field(e, "type")) || !field(e, "soft") || !field(e, "hard"))
                        return fail(p, "%s needs type, soft and hard", path);
                snprintf(fp, sizeof(fp), "%s.type", path);
                if ((r = want(p, t, json_type_string, fp)) < 0)
                        return r;
                l->resource = -1;
                for (size_t j = 0; j < ELEMENTSOF(rlimit_names); j++)
                        if (streq(json_object_get_string(t), rlimit_names[j].name))
                                l->resource = rlimit_names[j].resource;
                if (l->resource < 0)
                        return fail(p, "%s: \"%s\" is not a resource limit of Linux", fp,
                                    json_object_get_string(t));
                for (size_t j = 0; j < i; j++)
                        if (s->process.rlimits[j].resource == l->resource)
                                return fail(p, "%s: %s is given twice", fp, json_object_get_string(t));
                if ((r = u64_field(p, e, path, "soft", REQUIRED, &l->soft)) < 0 ||
                    (r = u64_field(p, e, path, "hard", REQUIRED, &l->hard)) < 0)
                        return r;
                if (l->soft > l->hard)
                        return fail(p, "%s: soft is above hard", path);
                s->process.n_rlimits++;
        }
        return 0;
}

static int parse_process(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "terminal",
                                            "consoleSize",
                                            "user",
                                            "args",
                                            "env",
                                            "cwd",
                                            "capabilities",
                                            "rlimits",
                                            "noNewPrivileges",
                                            "oomScoreAdj",
                                            "apparmorProfile",
                                            "selinuxLabel",
                                            NULL };
        static const char *const user_keys[] = { "uid", "gid", "umask", "additionalGids", NULL };
        static const char *const size_keys[] = { "height", "width", NULL };
        json_object *v;
        int r = want_object(p, o, "process", keys);
        if (r < 0 || (r = only_empty(p, o, "process", "apparmorProfile")) < 0 ||
            (r = only_empty(p, o, "process", "selinuxLabel")) < 0 ||
            (r = bool_field(p, o, "process", "terminal", OPTIONAL, &s->process.terminal)) < 0)
                return r;
        if ((v = field(o, "consoleSize"))) {
                int64_t h = 0, w = 0;
                if ((r = want_object(p, v, "process.consoleSize", size_keys)) < 0 ||
                    (r = i64_field(p, v, "process.consoleSize", "height", OPTIONAL, 0, 65535, &h)) < 0 ||
                    (r = i64_field(p, v, "process.consoleSize", "width", OPTIONAL, 0, 65535, &w)) < 0)
                        return r;
                s->process.console_height = (unsigned)h;
                s->process.console_width = (unsigned)w;
        }
        if (!(v = field(o, "user")))
                return fail(p, "process.user is missing");
        if ((r = want_object(p, v, "process.user", user_keys)) < 0 ||
            (r = u32_field(p, v, "process.user", "uid", REQUIRED, &s->process.uid)) < 0 ||
            (r = u32_field(p, v, "process.user", "gid", REQUIRED, &s->process.gid)) < 0 ||
            (r = opt_i64_field(p, v, "process.user", "umask", 0, 0777, &s->process.umask)) < 0)
                return r;
        json_object *x;
        if ((x = field(v, "additionalGids"))) {
                if ((r = want(p, x, json_type_array, "process.user.additionalGids")) < 0)
                        return r;
                size_t n = json_object_array_length(x);
                s->process.additional_gids = calloc(n ? n : 1, sizeof(gid_t));
                if (!s->process.additional_gids)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        char ip[64];
                        uint32_t g;
                        snprintf(ip, sizeof(ip), "process.user.additionalGids[%zu]", i);
                        if ((r = get_u32(p, json_object_array_get_idx(x, i), ip, &g)) < 0)
                                return r;
                        s->process.additional_gids[s->process.n_additional_gids++] = g;
                }
        }
        if ((r = strv_field(p, o, "process", "args", REQUIRED, &s->process.args)) < 0)
                return r;
        if (!s->process.args[0])
                return fail(p, "process.args must name a program");
        if ((r = strv_field(p, o, "process", "env", OPTIONAL, &s->process.env)) < 0)
                return r;
        STRV_FOREACH (e, s->process.env)
                if (!strchr(*e, '='))
                        return fail(p, "process.env: \"%s\" is not NAME=VALUE", *e);
        if ((r = string_field(p, o, "process", "cwd", REQUIRED, &s->process.cwd)) < 0)
                return r;
        if (s->process.cwd[0] != '/')
                return fail(p, "process.cwd must be an absolute path");
        if ((v = field(o, "capabilities")) && (r = parse_caps(p, v, s)) < 0)
                return r;
        if ((v = field(o, "rlimits")) && (r = parse_rlimits(p, v, s)) < 0)
                return r;
        r = bool_field(p, o, "process", "noNewPrivileges", OPTIONAL, &s->process.no_new_privileges);
        if (r < 0)
                return r;
        return opt_i64_field(p, o, "process", "oomScoreAdj", -1000, 1000, &s->process.oom_score_adj);
}

/* ---- root, mounts, hooks, annotations ---- */

static int parse_root(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "path", "readonly", NULL };
        int r = want_object(p, o, "root", keys);
        if (r < 0 || (r = string_field(p, o, "root", "path", REQUIRED, &s->root_path)) < 0)
                return r;
        if (!*s->root_path)
                return fail(p, "root.path is empty");
        return bool_field(p, o, "root", "readonly", OPTIONAL, &s->root_readonly);
}

static int parse_mounts(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "destination", "source", "type", "options", NULL };
        int r = want(p, o, json_type_array, "mounts");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        s->mounts = calloc(n ? n : 1, sizeof(struct oci_mount));
        if (!s->mounts)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i);
                struct oci_mount *m = &s->mounts[i];
                char path[64];
                snprintf(path, sizeof(path), "mounts[%zu]", i);
                s->n_mounts++;
                if ((r = want_object(p, e, path, keys)) < 0 ||
                    (r = string_field(p, e, path, "destination", REQUIRED, &m->destination)) < 0)
                        return r;
                if (m->destination[0] != '/')
                        return fail(p, "%s.destination must be an absolute path", path);
                if ((r = string_field(p, e, path, "source", OPTIONAL, &m->source)) < 0 ||
                    (r = string_field(p, e, path, "type", OPTIONAL, &m->type)) < 0 ||
                    (r = strv_field(p, e, path, "options", OPTIONAL, &m->options)) < 0)
                        return r;
        }
        return 0;
}

static int parse_hooks(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = {
                "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
                NULL
        };
        static const char *const hook_keys[] = { "path", "args", "env", "timeout", NULL };
        int r = want_object(p, o, "hooks", keys);
        if (r < 0)
                return r;
        for (size_t k = 0; k < OCI_HOOK_KINDS; k++) {
                json_object *l = field(o, oci_hook_names[k]);
                char path[64];
                snprintf(path, sizeof(path), "hooks.%s", oci_hook_names[k]);
                if (!l)
                        continue;
                if ((r = want(p, l, json_type_array, path)) < 0)
                        return r;
                size_t n = json_object_array_length(l);
                s->hooks[k] = calloc(n ? n : 1, sizeof(struct oci_hook));
                if (!s->hooks[k])
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(l, i);
                        struct oci_hook *h = &s->hooks[k][i];
                        char hp[96];
                        snprintf(hp, sizeof(hp), "%s[%zu]", path, i);
                        s->n_hooks[k]++;
                        if ((r = want_object(p, e, hp, hook_keys)) < 0 ||
                            (r = string_field(p, e, hp, "path", REQUIRED, &h->path)) < 0)
                                return r;
                        if (h->path[0] != '/')
                                return fail(p, "%s.path must be an absolute path", hp);
                        if ((r = strv_field(p, e, hp, "args", OPTIONAL, &h->args)) < 0 ||
                            (r = strv_field(p, e, hp, "env", OPTIONAL, &h->env)) < 0 ||
                            (r = opt_i64_field(p, e, hp, "timeout", 1, INT32_MAX, &h->timeout)) < 0)
                                return r;
                }
        }
        return 0;
}

static int parse_kv(struct parser *p, json_object *o, const char *path, struct oci_kv **ret, size_t *ret_n)
{
        int r = want(p, o, json_type_object, path);
        if (r < 0)
                return r;
        size_t n = (size_t)json_object_object_length(o);
        *ret = calloc(n ? n : 1, sizeof(struct oci_kv));
        if (!*ret)
                return -ENOMEM;
        json_object_object_foreach(o, k, v)
        {
                char fp[256];
                struct oci_kv *e = &(*ret)[(*ret_n)];
                snprintf(fp, sizeof(fp), "%s.%s", path, k);
                if (!(e->key = strdup(k)))
                        return -ENOMEM;
                (*ret_n)++;
                if ((r = get_string(p, v, fp, &e->value)) < 0)
                        return r;
        }
        return 0;
}

/* ---- linux ---- */

static int parse_namespaces(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "type", "path", NULL };
        static const struct {
                const char *name;
                int flag;
        } types[] = {
                { "pid", CLONE_NEWPID },       { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
                { "ipc", CLONE_NEWIPC },       { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
                { "cgroup", CLONE_NEWCGROUP },
        };
        int r = want(p, o, json_type_array, "linux.namespaces");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        s->namespaces = calloc(n ? n : 1, sizeof(struct oci_namespace));
        if (!s->namespaces)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i), *v;
                struct oci_namespace *ns = &s->namespaces[i];
                char path[64], fp[80];
                snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
                s->n_namespaces++;
                if ((r = want_object(p, e, path, keys)) < 0 ||
                    !(v = member(p, e, path, "type", REQUIRED, fp, sizeof(fp), &r)) ||
                    (r = want(p, v, json_type_string, fp)) < 0)
                        return r;
                const char *t = json_object_get_string(v);
                for (size_t j = 0; j < ELEMENTSOF(types); j++)
                        if (streq(t, types[j].name))
                                ns->type = types[j].flag;
                if (!ns->type)
                        return fail(p, "%s: the namespace type \"%s\" is not supported by vpsctl", fp, t);
                for (size_t j = 0; j < i; j++)
                        if (s->namespaces[j].type == ns->type)
                                return fail(p, "%s: the %s namespace is given twice", fp, t);
                if ((r = string_field(p, e, path, "path", OPTIONAL, &ns->path)) < 0)
                        return r;
                if (ns->path && ns->path[0] != '/')
                        return fail(p, "%s.path must be an absolute path", path);
        }
        return 0;
}

static int parse_idmaps(struct parser *p, json_object *o, const char *path, struct oci_idmap **ret,
                        size_t *ret_n)
{
        static const char *const keys[] = { "containerID", "hostID", "size", NULL };
        int r = want(p, o, json_type_array, path);
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        if (n > 340)
                return fail(p, "%s has more than the kernel's 340 ranges", path);
        *ret = calloc(n ? n : 1, sizeof(struct oci_idmap));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i);
                struct oci_idmap *m = &(*ret)[i];
                char ep[64];
                snprintf(ep, sizeof(ep), "%s[%zu]", path, i);
                if ((r = want_object(p, e, ep, keys)) < 0)
                        return r;
                if (!field(e, "containerID") || !field(e, "hostID") || !field(e, "size"))
                        return fail(p, "%s needs containerID, hostID and size", ep);
                if ((r = u32_field(p, e, ep, "containerID", REQUIRED, &m->container_id)) < 0 ||
                    (r = u32_field(p, e, ep, "hostID", REQUIRED, &m->host_id)) < 0 ||
                    (r = u32_field(p, e, ep, "size", REQUIRED, &m->size)) < 0)
                        return r;
                if (m->size == 0 || (uint64_t)m->container_id + m->size > UINT32_MAX ||
                    (uint64_t)m->host_id + m->size > UINT32_MAX)
                        return fail(p, "%s: size must be at least 1 and the range within 32 bits", ep);
                (*ret_n)++;
        }
        return 0;
}

static int parse_device_rules(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "allow", "type", "major", "minor", "access", NULL };
        const char *path = "linux.resources.devices";
        int r = want(p, o, json_type_array, path);
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        s->resources.devices = calloc(n ? n : 1, sizeof(struct oci_device_rule));
        if (!s->resources.devices)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i), *v;
                struct oci_device_rule *d = &s->resources.devices[i];
                char ep[64], fp[80];
                snprintf(ep, sizeof(ep), "%s[%zu]", path, i);
                if ((r = want_object(p, e, ep, keys)) < 0 ||
                    (r = bool_field(p, e, ep, "allow", REQUIRED, &d->allow)) < 0)
                        return r;
                d->type = 'a';
                if ((v = member(p, e, ep, "type", OPTIONAL, fp, sizeof(fp), &r))) {
                        if ((r = want(p, v, json_type_string, fp)) < 0)
                                return r;
                        const char *t = json_object_get_string(v);
                        if (strlen(t) != 1 || !strchr("abc", t[0]))
                                return fail(p, "%s must be \"a\", \"b\" or \"c\"", fp);
                        d->type = t[0];
                }
                d->major = d->minor = -1;
                if ((r = i64_field(p, e, ep, "major", OPTIONAL, -1, UINT32_MAX, &d->major)) < 0 ||
                    (r = i64_field(p, e, ep, "minor", OPTIONAL, -1, UINT32_MAX, &d->minor)) < 0)
                        return r;
                snprintf(d->access, sizeof(d->access), "rwm");
                if ((v = member(p, e, ep, "access", OPTIONAL, fp, sizeof(fp), &r))) {
                        if ((r = want(p, v, json_type_string, fp)) < 0)
                                return r;
                        const char *a = json_object_get_string(v);
                        if (strlen(a) > 3 || strspn(a, "rwm") != strlen(a))
                                return fail(p, "%s must be made of r, w and m", fp);
                        snprintf(d->access, sizeof(d->access), "%s", a);
                }
                s->resources.n_devices++;
        }
        return 0;
}

static int parse_blkio_devices(struct parser *p, json_object *o, const char *path, bool weight,
                               struct oci_blkio_device **ret, size_t *ret_n)
{
        static const char *const rate_keys[] = { "major", "minor", "rate", NULL };
        static const char *const weight_keys[] = { "major", "minor", "weight", NULL };
        int r = want(p, o, json_type_array, path);
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        *ret = calloc(n ? n : 1, sizeof(struct oci_blkio_device));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i);
                struct oci_blkio_device *d = &(*ret)[i];
                char ep[96];
                snprintf(ep, sizeof(ep), "%s[%zu]", path, i);
                if ((r = want_object(p, e, ep, weight ? weight_keys : rate_keys)) < 0)
                        return r;
                if (!field(e, "major") || !field(e, "minor") || !field(e, weight ? "weight" : "rate"))
                        return fail(p, "%s needs major, minor and %s", ep, weight ? "weight" : "rate");
                if ((r = i64_field(p, e, ep, "major", REQUIRED, 0, UINT32_MAX, &d->major)) < 0 ||
                    (r = i64_field(p, e, ep, "minor", REQUIRED, 0, UINT32_MAX, &d->minor)) < 0)
                        return r;
                if (weight) {
                        int64_t w;
                        if ((r = i64_field(p, e, ep, "weight", REQUIRED, 10, 1000, &w)) < 0)
                                return r;
                        d->weight = (uint16_t)w;
                } else if ((r = u64_field(p, e, ep, "rate", REQUIRED, &d->rate)) < 0)
                        return r;
                (*ret_n)++;
        }
        return 0;
}

static int parse_resources(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "devices",        "memory",  "cpu",  "pids",    "blockIO",
                                            "hugepageLimits", "network", "rdma", "unified", NULL };
        static const char *const mem_keys[] = { "limit", "swap", NULL };
        static const char *const cpu_keys[] = { "shares", "quota", "period", "cpus", NULL };
        static const char *const pids_keys[] = { "limit", NULL };
        static const char *const blkio_keys[] = { "weight",
                                                  "weightDevice",
                                                  "throttleReadBpsDevice",
                                                  "throttleWriteBpsDevice",
                                                  "throttleReadIOPSDevice",
                                                  "throttleWriteIOPSDevice",
                                                  NULL };
        json_object *v, *x;
        int r = want_object(p, o, "linux.resources", keys);
        if (r < 0 || (r = only_empty(p, o, "linux.resources", "hugepageLimits")) < 0 ||
            (r = only_empty(p, o, "linux.resources", "network")) < 0 ||
            (r = only_empty(p, o, "linux.resources", "rdma")) < 0 ||
            (r = only_empty(p, o, "linux.resources", "unified")) < 0)
                return r;
        if ((v = field(o, "devices")) && (r = parse_device_rules(p, v, s)) < 0)
                return r;
        if ((v = field(o, "memory"))) {
                const char *mp = "linux.resources.memory";
                if ((r = want_object(p, v, mp, mem_keys)) < 0 ||
                    (r = opt_i64_field(p, v, mp, "limit", -1, INT64_MAX, &s->resources.memory_limit)) < 0 ||
                    (r = opt_i64_field(p, v, mp, "swap", -1, INT64_MAX, &s->resources.memory_swap)) < 0)
                        return r;
        }
        if ((v = field(o, "cpu"))) {
                const char *cp = "linux.resources.cpu";
                if ((r = want_object(p, v, cp, cpu_keys)) < 0 ||
                    (r = opt_i64_field(p, v, cp, "shares", 2, 262144, &s->resources.cpu_shares)) < 0 ||
                    (r = opt_i64_field(p, v, cp, "quota", -1, INT64_MAX, &s->resources.cpu_quota)) < 0 ||
                    (r = opt_i64_field(p, v, cp, "period", 1000, 1000000, &s->resources.cpu_period)) < 0 ||
                    (r = string_field(p, v, cp, "cpus", OPTIONAL, &s->resources.cpu_cpus)) < 0)
                        return r;
        }
        if ((v = field(o, "pids"))) {
                const char *pp = "linux.resources.pids";
                if ((r = want_object(p, v, pp, pids_keys)) < 0)
                        return r;
                r = opt_i64_field(p, v, pp, "limit", INT64_MIN, INT64_MAX, &s->resources.pids_limit);
                if (r < 0)
                        return r;
        }
        if ((v = field(o, "blockIO"))) {
                static const char *const throttle[4] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
                                                         "throttleReadIOPSDevice",
                                                         "throttleWriteIOPSDevice" };
                if ((r = want_object(p, v, "linux.resources.blockIO", blkio_keys)) < 0 ||
                    (r = opt_i64_field(p, v, "linux.resources.blockIO", "weight", 10, 1000,
                                       &s->resources.blkio_weight)) < 0)
                        return r;
                if ((x = field(v, "weightDevice")) &&
                    (r = parse_blkio_devices(p, x, "linux.resources.blockIO.weightDevice", true,
                                             &s->resources.blkio_weight_device,
                                             &s->resources.n_blkio_weight_device)) < 0)
                        return r;
                for (size_t i = 0; i < 4; i++) {
                        char path[96];
                        snprintf(path, sizeof(path), "linux.resources.blockIO.%s", throttle[i]);
                        if ((x = field(v, throttle[i])) &&
                            (r = parse_blkio_devices(p, x, path, false, &s->resources.blkio_throttle[i],
                                                     &s->resources.n_blkio_throttle[i])) < 0)
                                return r;
                }
        }
        return 0;
}

static int seccomp_action(struct parser *p, json_object *o, json_object *errno_ret, const char *path,
                          uint32_t default_errno, uint32_t *ret)
{
        int r = want(p, o, json_type_string, path);
        if (r < 0)
                return r;
        const char *a = json_object_get_string(o);
        uint32_t e = default_errno;
        if (errno_ret) {
                int64_t v;
                char fp[128];
                snprintf(fp, sizeof(fp), "%s's errnoRet", path);
                if ((r = get_i64(p, errno_ret, fp, 0, 4095, &v)) < 0)
                        return r;
                e = (uint32_t)v;
        }
        if (streq(a, "SCMP_ACT_ALLOW"))
                *ret = SCMP_ACT_ALLOW;
        else if (streq(a, "SCMP_ACT_ERRNO"))
                *ret = SCMP_ACT_ERRNO(e);
        else if (streq(a, "SCMP_ACT_KILL") || streq(a, "SCMP_ACT_KILL_THREAD"))
                *ret = SCMP_ACT_KILL_THREAD;
        else if (streq(a, "SCMP_ACT_KILL_PROCESS"))
                *ret = SCMP_ACT_KILL_PROCESS;
        else if (streq(a, "SCMP_ACT_TRAP"))
                *ret = SCMP_ACT_TRAP;
        else if (streq(a, "SCMP_ACT_LOG"))
                *ret = SCMP_ACT_LOG;
        else if (streq(a, "SCMP_ACT_TRACE"))
                *ret = SCMP_ACT_TRACE(e);
        else
                return fail(p, "%s: the action \"%s\" is not supported by vpsctl", path, a);
        return 0;
}

static int parse_seccomp(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "architectures",    "flags",
                                            "syscalls",      "listenerPath",    "listenerMetadata", NULL };
        static const char *const rule_keys[] = { "names", "action", "errnoRet", "args", "comment", NULL };
        static const char *const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };
        static const struct {
                const char *name;
                int op;
        } ops[] = {
                { "SCMP_CMP_NE", SCMP_CMP_NE },
                { "SCMP_CMP_LT", SCMP_CMP_LT },
                { "SCMP_CMP_LE", SCMP_CMP_LE },
                { "SCMP_CMP_EQ", SCMP_CMP_EQ },
                { "SCMP_CMP_GE", SCMP_CMP_GE },
                { "SCMP_CMP_GT", SCMP_CMP_GT },
                { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
        };
        json_object *v;
        int r = want_object(p, o, "linux.seccomp", keys);
        if (r < 0 || (r = only_empty(p, o, "linux.seccomp", "listenerPath")) < 0 ||
            (r = only_empty(p, o, "linux.seccomp", "listenerMetadata")) < 0)
                return r;
        struct oci_seccomp *sc = s->seccomp = calloc(1, sizeof(*sc));
        if (!sc)
                return -ENOMEM;
        int64_t errno_ret = 1; /* EPERM, as runc and crun */
        if ((r = i64_field(p, o, "linux.seccomp", "defaultErrnoRet", OPTIONAL, 0, 4095, &errno_ret)) < 0)
                return r;
        uint32_t default_errno = (uint32_t)errno_ret;
        if (!(v = field(o, "defaultAction")))
                return fail(p, "linux.seccomp.defaultAction is missing");
        if ((r = seccomp_action(p, v, NULL, "linux.seccomp.defaultAction", default_errno,
                                &sc->default_action)) < 0)
                return r;
        if ((v = field(o, "architectures"))) {
                if ((r = want(p, v, json_type_array, "linux.seccomp.architectures")) < 0)
                        return r;
                size_t n = json_object_array_length(v);
                sc->arches = calloc(n ? n : 1, sizeof(uint32_t));
                if (!sc->arches)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        char ep[64];
                        snprintf(ep, sizeof(ep), "linux.seccomp.architectures[%zu]", i);
                        if ((r = want(p, e, json_type_string, ep)) < 0)
                                return r;
                        const char *a = json_object_get_string(e);
                        char lower[32];
                        size_t j;
                        if (strncmp(a, "SCMP_ARCH_", 10) != 0 || strlen(a + 10) >= sizeof(lower))
                                return fail(p, "%s: \"%s\" is not an architecture libseccomp knows", ep, a);
                        for (j = 0; a[10 + j]; j++)
                                lower[j] = (char)(a[10 + j] >= 'A' && a[10 + j] <= 'Z' ? a[10 + j] + 32
                                                                                       : a[10 + j]);
                        lower[j] = 0;
                        uint32_t arch = seccomp_arch_resolve_name(lower);
                        if (!arch)
                                return fail(p, "%s: \"%s\" is not an architecture libseccomp knows", ep, a);
                        sc->arches[sc->n_arches++] = arch;
                }
        }
        if ((v = field(o, "flags"))) {
                if ((r = want(p, v, json_type_array, "linux.seccomp.flags")) < 0)
                        return r;
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        char ep[64];
                        snprintf(ep, sizeof(ep), "linux.seccomp.flags[%zu]", i);
                        if ((r = want(p, e, json_type_string, ep)) < 0)
                                return r;
                        const char *f = json_object_get_string(e);
                        if (streq(f, "SECCOMP_FILTER_FLAG_LOG"))
                                sc->flag_log = true;
                        else if (streq(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
                                sc->flag_spec_allow = true;
                        else
                                return fail(p, "%s: the flag \"%s\" is not supported by vpsctl", ep, f);
                }
        }
        if (!(v = field(o, "syscalls")))
                return 0;
        if ((r = want(p, v, json_type_array, "linux.seccomp.syscalls")) < 0)
                return r;
        size_t n = json_object_array_length(v);
        sc->rules = calloc(n ? n : 1, sizeof(struct oci_seccomp_rule));
        if (!sc->rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i), *x;
                struct oci_seccomp_rule *rule = &sc->rules[i];
                char ep[64], fp[96];
                snprintf(ep, sizeof(ep), "linux.seccomp.syscalls[%zu]", i);
                sc->n_rules++;
                if ((r = want_object(p, e, ep, rule_keys)) < 0 ||
                    (r = strv_field(p, e, ep, "names", REQUIRED, &rule->names)) < 0 ||
                    !(x = member(p, e, ep, "action", REQUIRED, fp, sizeof(fp), &r)) ||
                    (r = seccomp_action(p, x, field(e, "errnoRet"), fp, default_errno, &rule->action)) < 0)
                        return r;
                if (!(x = member(p, e, ep, "args", OPTIONAL, fp, sizeof(fp), &r)))
                        continue;
                if ((r = want(p, x, json_type_array, fp)) < 0)
                        return r;
                size_t na = json_object_array_length(x);
                if (na > 6)
                        return fail(p, "%s: a system call has at most 6 arguments", fp);
                rule->args = calloc(na ? na : 1, sizeof(struct oci_seccomp_arg));
                if (!rule->args)
                        return -ENOMEM;
                for (size_t j = 0; j < na; j++) {
                        json_object *a = json_object_array_get_idx(x, j), *y;
                        struct oci_seccomp_arg *arg = &rule->args[j];
                        char ap[112], afp[128];
                        int64_t idx;
                        snprintf(ap, sizeof(ap), "%s[%zu]", fp, j);
                        if ((r = want_object(p, a, ap, arg_keys)) < 0 ||
                            (r = i64_field(p, a, ap, "index", REQUIRED, 0, 5, &idx)) < 0)
                                return r;
                        arg->index = (unsigned)idx;
                        if ((r = u64_field(p, a, ap, "value", REQUIRED, &arg->value)) < 0 ||
                            (r = u64_field(p, a, ap, "valueTwo", OPTIONAL, &arg->value_two)) < 0 ||
                            !(y = member(p, a, ap, "op", REQUIRED, afp, sizeof(afp), &r)) ||
                            (r = want(p, y, json_type_string, afp)) < 0)
                                return r;
                        for (size_t k = 0; k < ELEMENTSOF(ops); k++)
                                if (streq(json_object_get_string(y), ops[k].name))
                                        arg->op = ops[k].op;
                        if (!arg->op)
                                return fail(p, "%s: \"%s\" is not a comparison libseccomp knows", afp,
                                            json_object_get_string(y));
                        rule->n_args++;
                }
        }
        return 0;
}

static int parse_linux(struct parser *p, json_object *o, struct oci_spec *s)
{
        static const char *const keys[] = { "namespaces",  "uidMappings", "gidMappings",       "devices",
                                            "cgroupsPath", "resources",   "rootfsPropagation", "seccomp",
                                            "sysctl",      "maskedPaths", "readonlyPaths",     "mountLabel",
                                            "intelRdt",    "personality", "timeOffsets",       NULL };
        json_object *v;
        int r = want_object(p, o, "linux", keys);
        if (r < 0 || (r = only_empty(p, o, "linux", "devices")) < 0 ||
            (r = only_empty(p, o, "linux", "mountLabel")) < 0 ||
            (r = only_empty(p, o, "linux", "intelRdt")) < 0 ||
            (r = only_empty(p, o, "linux", "personality")) < 0 ||
            (r = only_empty(p, o, "linux", "timeOffsets")) < 0)
                return r;
        if ((v = field(o, "namespaces")) && (r = parse_namespaces(p, v, s)) < 0)
                return r;
        if ((v = field(o, "uidMappings")) &&
            (r = parse_idmaps(p, v, "linux.uidMappings", &s->uid_mappings, &s->n_uid_mappings)) < 0)
                return r;
        if ((v = field(o, "gidMappings")) &&
            (r = parse_idmaps(p, v, "linux.gidMappings", &s->gid_mappings, &s->n_gid_mappings)) < 0)
                return r;
        if ((r = string_field(p, o, "linux", "cgroupsPath", OPTIONAL, &s->cgroups_path)) < 0)
                return r;
        if ((v = field(o, "resources")) && (r = parse_resources(p, v, s)) < 0)
                return r;
        if ((v = field(o, "rootfsPropagation"))) {
                static const char *const props[] = { "private",    "rprivate",    "slave",
                                                     "rslave",     "shared",      "rshared",
                                                     "unbindable", "runbindable", NULL };
                bool ok = false;
                if ((r = get_string(p, v, "linux.rootfsPropagation", &s->rootfs_propagation)) < 0)
                        return r;
                for (size_t i = 0; props[i]; i++)
                        ok = ok || streq(s->rootfs_propagation, props[i]);
                if (!ok)
                        return fail(p, "linux.rootfsPropagation: \"%s\" is not a mount propagation",
                                    s->rootfs_propagation);
        }
        if ((v = field(o, "seccomp")) && (r = parse_seccomp(p, v, s)) < 0)
                return r;
        if ((v = field(o, "sysctl")) && (r = parse_kv(p, v, "linux.sysctl", &s->sysctl, &s->n_sysctl)) < 0)
                return r;
        if ((r = strv_field(p, o, "linux", "maskedPaths", OPTIONAL, &s->masked_paths)) < 0)
                return r;
        return strv_field(p, o, "linux", "readonlyPaths", OPTIONAL, &s->readonly_paths);
}

static int parse_version(struct parser *p, json_object *o, struct oci_spec *s)
{
        unsigned major, minor;
        char rest;
        int r = string_field(p, o, "", "ociVersion", REQUIRED, &s->oci_version);
        if (r < 0)
                return r;
        /* 1.0.0 to 1.2.x, with or without a pre-release suffix ("1.0.2-dev") */
        if (sscanf(s->oci_version, "%u.%u.%*u%c", &major, &minor, &rest) < 2 || major != 1 || minor > 2)
                return fail(p, "ociVersion \"%s\" is not supported by vpsctl (1.0.x to 1.2.x are)",
                            s->oci_version);
        return 0;
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec **ret, char *err, size_t errlen)
{
        /* solaris, windows, vm, zos: not Linux containers, refused as unknown keys are */
        static const char *const keys[] = { "ociVersion", "process", "root",        "hostname", "domainname",
                                            "mounts",     "hooks",   "annotations", "linux",    NULL };
        struct parser p = { .err = err, .errlen = errlen };
        json_object *v;
        int r;

        if (len > INT32_MAX)
                return fail(&p, "config.json is too large");
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t at = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!o || jerr != json_tokener_success || at != len) {
                json_object_put(o);
                if (jerr == json_tokener_success && o)
                        return fail(&p, "config.json has data after its JSON object (byte %zu)", at);
                return fail(&p, "config.json is not valid JSON: %s (byte %zu)",
                            jerr == json_tokener_continue ? "unexpected end" : json_tokener_error_desc(jerr),
                            at);
        }
        struct oci_spec *s = calloc(1, sizeof(*s));
        if (!s) {
                json_object_put(o);
                return -ENOMEM;
        }
        if ((r = want(&p, o, json_type_object, "config.json")) < 0 || (r = check_keys(&p, o, "", keys)) < 0)
                goto out;
        if ((r = only_empty(&p, o, "", "domainname")) < 0)
                goto out;
        if ((r = parse_version(&p, o, s)) < 0)
                goto out;
        if (!(v = field(o, "process"))) {
                r = fail(&p, "process is missing (vpsctl runs a container's process; it has no other use)");
                goto out;
        }
        if ((r = parse_process(&p, v, s)) < 0)
                goto out;
        if (!(v = field(o, "root"))) {
                r = fail(&p, "root is missing");
                goto out;
        }
        if ((r = parse_root(&p, v, s)) < 0)
                goto out;
        if ((r = string_field(&p, o, "", "hostname", OPTIONAL, &s->hostname)) < 0)
                goto out;
        if ((v = field(o, "mounts")) && (r = parse_mounts(&p, v, s)) < 0)
                goto out;
        if ((v = field(o, "hooks")) && (r = parse_hooks(&p, v, s)) < 0)
                goto out;
        if ((v = field(o, "annotations")) &&
            (r = parse_kv(&p, v, "annotations", &s->annotations, &s->n_annotations)) < 0)
                goto out;
        if (!(v = field(o, "linux"))) {
                r = fail(&p, "linux is missing (vpsctl runs Linux containers)");
                goto out;
        }
        r = parse_linux(&p, v, s);
out:
        json_object_put(o);
        if (r < 0) {
                oci_spec_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static void free_kv(struct oci_kv *l, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(l[i].key);
                free(l[i].value);
        }
        free(l);
}

static void process_free(struct oci_spec *s)
{
        free(s->process.additional_gids);
        strv_free(s->process.args);
        strv_free(s->process.env);
        free(s->process.cwd);
        free(s->process.rlimits);
        memset(&s->process, 0, sizeof(s->process));
}

/* One JSON object from text, strictly; what names the text in errors. */
static json_object *parse_one_object(struct parser *p, const char *text, size_t len, const char *what,
                                     int *ret)
{
        *ret = 0;
        if (len > INT32_MAX) {
                *ret = fail(p, "%s is too large", what);
                return NULL;
        }
        json_tokener *tok = json_tokener_new();
        if (!tok) {
                *ret = -ENOMEM;
                return NULL;
        }
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t at = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!o || jerr != json_tokener_success || at != len || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                *ret = fail(p, "%s is not one valid JSON object (byte %zu)", what, at);
                return NULL;
        }
        return o;
}

int oci_spec_parse_process(const char *text, size_t len, struct oci_spec *s, char *err, size_t errlen)
{
        struct parser p = { .err = err, .errlen = errlen };
        int r;
        json_object *o = parse_one_object(&p, text, len, "the process file", &r);
        if (!o)
                return r;
        process_free(s);
        r = parse_process(&p, o, s);
        json_object_put(o);
        return r;
}

int oci_spec_parse_resources(const char *text, size_t len, struct oci_spec **ret, char *err, size_t errlen)
{
        struct parser p = { .err = err, .errlen = errlen };
        int r;
        json_object *o = parse_one_object(&p, text, len, "the resources file", &r);
        if (!o)
                return r;
        struct oci_spec *s = calloc(1, sizeof(*s));
        if (!s) {
                json_object_put(o);
                return -ENOMEM;
        }
        r = parse_resources(&p, o, s);
        json_object_put(o);
        if (r < 0) {
                oci_spec_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void oci_spec_free(struct oci_spec *s)
{
        if (!s)
                return;
        free(s->oci_version);
        process_free(s);
        free(s->root_path);
        free(s->hostname);
        for (size_t i = 0; i < s->n_mounts; i++) {
                free(s->mounts[i].destination);
                free(s->mounts[i].source);
                free(s->mounts[i].type);
                strv_free(s->mounts[i].options);
        }
        free(s->mounts);
        for (size_t i = 0; i < s->n_namespaces; i++)
                free(s->namespaces[i].path);
        free(s->namespaces);
        free(s->uid_mappings);
        free(s->gid_mappings);
        free(s->resources.cpu_cpus);
        free(s->resources.devices);
        free(s->resources.blkio_weight_device);
        for (size_t i = 0; i < 4; i++)
                free(s->resources.blkio_throttle[i]);
        free(s->cgroups_path);
        free(s->rootfs_propagation);
        if (s->seccomp) {
                free(s->seccomp->arches);
                for (size_t i = 0; i < s->seccomp->n_rules; i++) {
                        strv_free(s->seccomp->rules[i].names);
                        free(s->seccomp->rules[i].args);
                }
                free(s->seccomp->rules);
                free(s->seccomp);
        }
        strv_free(s->masked_paths);
        strv_free(s->readonly_paths);
        free_kv(s->sysctl, s->n_sysctl);
        for (size_t k = 0; k < OCI_HOOK_KINDS; k++) {
                for (size_t i = 0; i < s->n_hooks[k]; i++) {
                        free(s->hooks[k][i].path);
                        strv_free(s->hooks[k][i].args);
                        strv_free(s->hooks[k][i].env);
                }
                free(s->hooks[k]);
        }
        free_kv(s->annotations, s->n_annotations);
        free(s);
}

/* `spec`'s default: runc's, with vpsctl's host name; a shell on a terminal, in new namespaces, with the
 * runtime-spec's masked and read-only paths. */
const char oci_spec_default_json[] =
        "{\n"
        "\t\"ociVersion\": \"1.0.2\",\n"
        "\t\"process\": {\n"
        "\t\t\"terminal\": true,\n"
        "\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
        "\t\t\"args\": [ \"sh\" ],\n"
        "\t\t\"env\": [\n"
        "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
        "\t\t\t\"TERM=xterm\"\n"
        "\t\t],\n"
        "\t\t\"cwd\": \"/\",\n"
        "\t\t\"capabilities\": {\n"
        "\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
        "\t\t},\n"
        "\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
        "\t\t\"noNewPrivileges\": true\n"
        "\t},\n"
        "\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "\t\"hostname\": \"vpsctl\",\n"
        "\t\"mounts\": [\n"
        "\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", "
        "\"gid=5\" ] },\n"
        "\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
        "\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
        "\t],\n"
        "\t\"linux\": {\n"
        "\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
        "\t\t\"namespaces\": [\n"
        "\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
        "\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n"
        "\t\t],\n"
        "\t\t\"maskedPaths\": [\n"
        "\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
        "\t\t\t\"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
        "\t\t\t\"/proc/scsi\"\n"
        "\t\t],\n"
        "\t\t\"readonlyPaths\": [\n"
        "\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
        "\t\t]\n"
        "\t}\n"
        "}\n";
