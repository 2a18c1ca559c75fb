/* Action scripts, as vzctl runs them, from etc/vpsctl/conf/: on the host the global vps.premount,
 * vps.mount and vps.umount, then the CT's own CTID.premount, CTID.mount, CTID.umount and CTID.postumount;
 * inside the CT CTID.start (once its init runs) and CTID.stop (before it is shut down).
 *
 * A host script runs as root with VEID, VE_ROOT, VE_PRIVATE, VE_CONFFILE and every key of the CT's
 * config (vpsctl.conf, then CTID.conf) in its environment, in a process group of its own, with its
 * output on vpsctl's stderr and SCRIPT_TIMEOUT seconds to finish. It must belong to root and be writable
 * by nobody else, or it is refused (it would run as root). An executable one is exec'd (its #! line
 * counts); any other is read by /bin/sh. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/process.h"
#include "engine-internal.h"

#define SCRIPT_TIMEOUT 300

static void free_env(char **env)
{
        for (char **e = env; e && *e; e++)
                free(*e);
        free(env);
}

static char **script_env(ct *c)
{
        size_t n = 0, cap = ct_keys_count + 8;
        char **env = calloc(cap, sizeof(char *));
        if (!env)
                return NULL;
        const char *path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        if (asprintf(&env[n++], "VEID=%u", c->id) < 0 || !(env[n++] = strdup(path)) ||
            asprintf(&env[n++], "VE_CONFFILE=%s", c->conf_path) < 0)
                goto fail;
        for (size_t i = 0; i < ct_keys_count; i++) {
                _cleanup_free_ char *v = NULL;
                if (ct_config_format_value(&c->cfg, &ct_keys[i], &v) < 0)
                        goto fail;
                if (!v)
                        continue;
                if (asprintf(&env[n++], "%s=%s", ct_keys[i].key, v) < 0)
                        goto fail;
        }
        return env;
fail:
        free_env(env);
        return NULL;
}

/* 0, the fd of the script and its mode, -ENOENT when there is none; refused (logged) when others could
 * change it. */
static int open_script(ct *c, const char *name, char *path, size_t size, int *ret_fd, mode_t *ret_mode)
{
        snprintf(path, size, "%s/%s", c->paths->conf_dir, name);
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT
                                       : log_error_errno(-errno, "Cannot open action script %s: %m", path);
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
                close(fd);
                return log_error_errno(-EPERM,
                                       "Action script %s is not run: it must be a regular file of root's, "
                                       "writable by nobody else (chown root %s; chmod go-w %s)",
                                       path, path, path);
        }
        *ret_fd = fd;
        if (ret_mode)
                *ret_mode = st.st_mode;
        return 0;
}

static int wait_script(pid_t pid, const char *path, int *ret_status)
{
        bool timed_out;
        int r = wait_pid_timeout(pid, SCRIPT_TIMEOUT * 1000, &timed_out, ret_status);
        if (r < 0)
                return r;
        if (timed_out)
                log_error("Action script %s did not finish within %d s; killed", path, SCRIPT_TIMEOUT);
        (void)kill(-pid, SIGKILL); /* what it left running in its group */
        return 0;
}

static int run_host_script(ct *c, const char *name)
{
        char path[4096];
        _cleanup_close_ int fd = -EBADF;
        mode_t mode = 0;
        int r = open_script(c, name, path, sizeof(path), &fd, &mode);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -CT_EACTIONSCRIPT;
        char **env = script_env(c);
        if (!env)
                return log_error_errno(-ENOMEM, "Out of memory");
        log_debug("CT %u: running action script %s", c->id, path);
        pid_t pid = fork();
        if (pid < 0) {
                free_env(env);
                return log_error_errno(-errno, "Cannot fork for action script %s: %m", path);
        }
        if (pid == 0) {
                (void)setpgid(0, 0);
                int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (devnull >= 0)
                        (void)dup2(devnull, STDIN_FILENO);
                (void)dup2(STDERR_FILENO, STDOUT_FILENO); /* vpsctl's own stdout is for its results */
                /* what we opened and checked is what runs: the fd, not the path again; open across the
                 * exec, for the #! interpreter or /bin/sh to read it */
                char fdpath[64];
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
                (void)fcntl(fd, F_SETFD, 0);
                if (mode & 0111) {
                        char *argv[] = { path, NULL };
                        fexecve(fd, argv, env);
                } else {
                        char *argv[] = { (char *)"/bin/sh", fdpath, NULL };
                        execve("/bin/sh", argv, env);
                }
                fprintf(stderr, "vpsctl: cannot execute action script %s: %s\n", path, strerror(errno));
                _exit(127);
        }
        free_env(env);
        int status = 0;
        r = wait_script(pid, path, &status);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for action script %s: %m", path);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                log_error("CT %u: action script %s failed with exit code %d", c->id, path,
                          WEXITSTATUS(status));
        else
                log_error("CT %u: action script %s was killed by signal %d", c->id, path, WTERMSIG(status));
        return -CT_EACTIONSCRIPT;
}

int ct_action_host(ct *c, const char *phase)
{
        char name[64];
        /* the global script first, as vzctl: it has no postumount */
        if (!streq(phase, "postumount")) {
                snprintf(name, sizeof(name), "vps.%s", phase);
                int r = run_host_script(c, name);
                if (r < 0)
                        return r;
        }
        snprintf(name, sizeof(name), "%u.%s", c->id, phase);
        return run_host_script(c, name);
}

int ct_action_in_ct(ct *c, const char *phase)
{
        char name[64], path[4096];
        _cleanup_close_ int fd = -EBADF;
        snprintf(name, sizeof(name), "%u.%s", c->id, phase);
        int r = open_script(c, name, path, sizeof(path), &fd, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -CT_EACTIONSCRIPT;
        log_debug("CT %u: running action script %s inside it", c->id, path);
        int status = 0;
        r = ct_exec_script(c, fd, &status);
        if (r < 0)
                return log_error_errno(-CT_EACTIONSCRIPT,
                                       "CT %u: action script %s could not be run inside it", c->id, path);
        if (status != 0)
                return log_error_errno(-CT_EACTIONSCRIPT,
                                       "CT %u: action script %s failed inside it with exit "
                                       "code %d",
                                       c->id, path, status);
        return 0;
}
