/* Builders: debootstrap, a recipe's SCRIPT, and what every new tree goes through before it is published
 * (Debian trees lose the build host's identity; every tree is verified). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

#define VERIFY_TIMEOUT_S 30
#define VERIFY_TOKEN     "vpsctl-template-shell-ok"

struct line_ctx {
        FILE *log;
        void (*progress)(void *, const char *);
        void *userdata;
};

static void on_line(void *userdata, const char *line)
{
        struct line_ctx *c = userdata;
        if (c->log) {
                fputs(line, c->log);
                fputc('\n', c->log);
                fflush(c->log);
        }
        if (c->progress)
                c->progress(c->userdata, line);
}

/* A clean environment for builders; the operator's proxy settings pass through (apt, debootstrap). */
static int builder_env(char ***ret)
{
        static const char *const fixed[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LC_ALL=C",
                "HOME=/root",
                "DEBIAN_FRONTEND=noninteractive",
                "DEBCONF_NONINTERACTIVE_SEEN=true",
        };
        static const char *const passed[] = { "http_proxy", "https_proxy", "no_proxy",
                                              "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY" };
        char **env = calloc(ELEMENTSOF(fixed) + ELEMENTSOF(passed) + 1, sizeof(*env));
        size_t n = 0;

        if (!env)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                if (!(env[n++] = strdup(fixed[i])))
                        goto oom;
        for (size_t i = 0; i < ELEMENTSOF(passed); i++) {
                const char *v = getenv(passed[i]);
                if (v && asprintf(&env[n++], "%s=%s", passed[i], v) < 0) {
                        env[--n] = NULL;
                        goto oom;
                }
        }
        *ret = env;
        return 0;
oom:
        strv_free(env);
        return -ENOMEM;
}

bool tmpl_program_available(const char *name)
{
        static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                            "/usr/bin",        "/sbin",          "/bin" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char p[256];
                snprintf(p, sizeof(p), "%s/%s", dirs[i], name);
                if (access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

int tmpl_run_debootstrap(const tmpl_recipe *r, const char *rootfs, FILE *log,
                         void (*progress)(void *, const char *), void *userdata)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *variant = NULL, *include = NULL, *components = NULL, *arch = NULL;
        char *argv[12];
        size_t n = 0;
        int status, rr;

        rr = builder_env(&env);
        if (rr < 0)
                return rr;
        argv[n++] = (char *)"debootstrap";
        if (r->variant && !streq(r->variant, "default")) {
                if (asprintf(&variant, "--variant=%s", r->variant) < 0)
                        return -ENOMEM;
                argv[n++] = variant;
        }
        if (r->include && *r->include) {
                if (asprintf(&include, "--include=%s", r->include) < 0)
                        return -ENOMEM;
                argv[n++] = include;
        }
        if (r->components) {
                if (asprintf(&components, "--components=%s", r->components) < 0)
                        return -ENOMEM;
                argv[n++] = components;
        }
        if (r->arch) {
                if (asprintf(&arch, "--arch=%s", r->arch) < 0)
                        return -ENOMEM;
                argv[n++] = arch;
        }
        argv[n++] = r->suite;
        argv[n++] = (char *)rootfs;
        argv[n++] = r->mirror;
        argv[n] = NULL;

        fprintf(log, "+");
        for (size_t i = 0; i < n; i++)
                fprintf(log, " %s", argv[i]);
        fprintf(log, "\n");
        struct line_ctx c = { log, progress, userdata };
        tmpl_run_opts o = { .env = env, .line = on_line, .userdata = &c };
        rr = tmpl_run(argv, &o, &status);
        if (rr < 0)
                return rr;
        if (status != 0) {
                fprintf(log, "debootstrap failed with exit status %d\n", status);
                return -EPROTO;
        }
        return 0;
}

int tmpl_run_script(const tmpl_recipe *r, const char *rootfs, FILE *log,
                    void (*progress)(void *, const char *), void *userdata)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int rfd = -EBADF;
        bool policy = false;
        int status, rr;

        rr = builder_env(&env);
        if (rr < 0)
                return rr;
        rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rfd < 0)
                return negative_errno();
        /* no daemon of a package the script installs may start in the build (Debian's policy-rc.d) */
        if (faccessat(rfd, "usr/sbin", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
            !exists_at(rfd, "usr/sbin/policy-rc.d")) {
                static const char deny[] = "#!/bin/sh\n# vpsctl template build: start nothing\nexit 101\n";
                rr = write_file_atomic_at(rfd, "usr/sbin/policy-rc.d", deny, strlen(deny), 0755);
                policy = rr >= 0;
        }
        fprintf(log, "+ SCRIPT (chrooted in %s)\n", rootfs);
        char *argv[] = { (char *)"/bin/sh", (char *)"-ec", r->script, NULL };
        struct line_ctx c = { log, progress, userdata };
        tmpl_run_opts o = { .root = rootfs, .mount_api = true, .env = env, .line = on_line, .userdata = &c };
        rr = tmpl_run(argv, &o, &status);
        if (policy)
                (void)unlinkat(rfd, "usr/sbin/policy-rc.d", 0);
        if (rr < 0)
                return rr;
        if (status != 0) {
                fprintf(log, "SCRIPT failed with exit status %d\n", status);
                return -EPROTO;
        }
        return 0;
}

int tmpl_normalize_debian(int rfd)
{
        struct stat st;
        int r;

        /* debootstrap copies the build host's hostname and resolv.conf; every CT gets its own */
        r = write_file_atomic_at(rfd, "etc/hostname", "localhost\n", 10, 0644);
        if (r < 0)
                return r;
        if (fstatat(rfd, "etc/resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                r = write_file_atomic_at(rfd, "etc/resolv.conf", "", 0, 0644);
                if (r < 0)
                        return r;
        }
        if (!exists_at(rfd, "etc/hosts")) {
                static const char hosts[] =
                        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
                r = write_file_atomic_at(rfd, "etc/hosts", hosts, strlen(hosts), 0644);
                if (r < 0)
                        return r;
        }
        /* empty: systemd makes a new machine id at each CT's first boot (machine-id(5)) */
        if (fstatat(rfd, "etc/machine-id", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                r = write_file_atomic_at(rfd, "etc/machine-id", "", 0, 0444);
                if (r < 0)
                        return r;
        }
        if (fstatat(rfd, "var/lib/dbus/machine-id", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            unlinkat(rfd, "var/lib/dbus/machine-id", 0) < 0)
                return negative_errno();
        return 0;
}

static int resolve_executable(int rfd, const char *path)
{
        _cleanup_close_ int fd = open_in_root(rfd, path, O_PATH);
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EISDIR;
        if (!(st.st_mode & 0111))
                return -EACCES;
        return 0;
}

struct capture {
        bool ok;
        char last[256];
};

static void on_verify_line(void *userdata, const char *line)
{
        struct capture *c = userdata;
        if (streq(line, VERIFY_TOKEN))
                c->ok = true;
        else
                snprintf(c->last, sizeof(c->last), "%s", line);
}

int tmpl_verify(const char *rootfs, char **ret_why)
{
        _cleanup_close_ int rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        static const char *const needed[] = { "sbin/init", "bin/sh" };
        int r, status;

        if (rfd < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
                r = resolve_executable(rfd, needed[i]);
                if (r < 0) {
                        if (asprintf(ret_why, "/%s: %s", needed[i],
                                     r == -EISDIR   ? "not a regular file"
                                     : r == -EACCES ? "not executable"
                                                    : strerror(-r)) < 0)
                                return -ENOMEM;
                        return -ENOEXEC;
                }
        }
        /* the tree's own shell, chrooted, as nobody, without capabilities or network */
        char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"echo " VERIFY_TOKEN, NULL };
        char *env[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *)"LC_ALL=C", NULL };
        struct capture c = { 0 };
        tmpl_run_opts o = { .root = rootfs,
                            .unprivileged = true,
                            .env = env,
                            .timeout_s = VERIFY_TIMEOUT_S,
                            .line = on_verify_line,
                            .userdata = &c };
        r = tmpl_run(argv, &o, &status);
        if (r == -ETIME) {
                if (asprintf(ret_why, "/bin/sh -c echo did not finish in %us", VERIFY_TIMEOUT_S) < 0)
                        return -ENOMEM;
                return -ENOEXEC;
        }
        if (r < 0)
                return r;
        if (status != 0 || !c.ok) {
                if (asprintf(ret_why, "/bin/sh does not run in it (exit status %d%s%s)", status,
                             c.last[0] ? ": " : "", c.last) < 0)
                        return -ENOMEM;
                return -ENOEXEC;
        }
        return 0;
}
