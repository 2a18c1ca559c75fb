/* config.json's hooks (runtime-spec config.md, POSIX-platform hooks): one runner for all six kinds. A hook
 * is exec'd with its args (args[0] included; none: the path alone) and its env (none: an empty
 * environment), the container's state JSON on its stdin, its stdout and stderr the caller's stderr, and is
 * SIGKILLed (by pid) once its timeout has passed. Where it runs (the runtime's namespaces or the
 * container's) is the caller's: oci.c runs prestart, createRuntime, poststart and poststop from the
 * parent, oci-child.c runs createContainer and startContainer in the container's process. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/process.h"
#include "oci-internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int oci_state_build(const char *id, const char *status, pid_t pid, const char *bundle,
                    const struct oci_spec *s, char **ret)
{
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
        json_object_object_add(o, "id", json_object_new_string(id));
        json_object_object_add(o, "status", json_object_new_string(status));
        json_object_object_add(o, "pid", json_object_new_int(pid));
        json_object_object_add(o, "bundle", json_object_new_string(bundle));
        if (s && s->n_annotations) {
                json_object *a = json_object_new_object();
                for (size_t i = 0; a && i < s->n_annotations; i++)
                        json_object_object_add(a, s->annotations[i].key,
                                               json_object_new_string(s->annotations[i].value));
                json_object_object_add(o, "annotations", a);
        }
        const char *j =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = j ? strdup(j) : NULL;
        json_object_put(o);
        return *ret ? 0 : -ENOMEM;
}

static _noreturn_ void hook_exec(const struct oci_hook *h, int in, int report)
{
        char *default_args[] = { h->path, NULL }, *no_env[] = { NULL };
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        (void)signal(SIGPIPE, SIG_DFL);
        /* stdout joins stderr: the runtime's stdout is its clients' (state, ps) */
        if (dup2(in, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
            syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;
        execve(h->path, h->args && h->args[0] ? h->args : default_args, h->env ? h->env : no_env);
fail:;
        int e = errno;
        (void)!write(report, &e, sizeof(e));
        _exit(127);
}

/* One hook, state on its stdin: 0, or -CT_EACTIONSCRIPT with what happened in err ("exited 3"). */
static int hook_run(const struct oci_hook *h, const char *state, char *err, size_t errlen)
{
        _cleanup_close_pair_ int in[2] = { -EBADF, -EBADF }, rep[2] = { -EBADF, -EBADF };
        size_t len = strlen(state);
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
                int r = -errno;
                snprintf(err, errlen, "cannot make a pipe: %s", strerror(-r));
                return r;
        }
        /* the whole state fits in the pipe: written at once, never blocked by a hook that reads none */
        if (len >= 4096 && fcntl(in[1], F_SETPIPE_SZ, (int)len + 1) < 0) {
                snprintf(err, errlen, "its state (%zu bytes, with the annotations) does not fit a pipe",
                         len);
                return -E2BIG;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                snprintf(err, errlen, "cannot fork: %s", strerror(-r));
                return r;
        }
        if (pid == 0)
                hook_exec(h, in[0], rep[1]);
        in[0] = safe_close(in[0]);
        rep[1] = safe_close(rep[1]);
        bool timed_out = false;
        int e = 0, status;
        if (loop_read(rep[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                snprintf(err, errlen, "cannot execute: %s", strerror(e));
                return -CT_EACTIONSCRIPT;
        }
        /* a hook that exits without reading its stdin is no error of the write's */
        (void)loop_write_nosigpipe(in[1], state, len);
        in[1] = safe_close(in[1]);
        int r = wait_pid_timeout(pid, h->timeout.set ? (int)MIN(h->timeout.v, INT32_MAX / 1000) * 1000 : -1,
                                 &timed_out, &status);
        if (r < 0) {
                snprintf(err, errlen, "cannot wait for it: %s", strerror(-r));
                return r;
        }
        if (timed_out)
                snprintf(err, errlen, "did not finish within its timeout of %lld s; killed",
                         (long long)h->timeout.v);
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                snprintf(err, errlen, "exited %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(err, errlen, "killed by signal %d", WTERMSIG(status));
        else
                return 0;
        return -CT_EACTIONSCRIPT;
}

int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind k, const char *state, const char *warn_id,
                  char *err, size_t errlen)
{
        for (size_t i = 0; i < s->n_hooks[k]; i++) {
                char what[384];
                const struct oci_hook *h = &s->hooks[k][i];
                int r = hook_run(h, state, what, sizeof(what));
                if (r >= 0)
                        continue;
                snprintf(err, errlen, "hooks.%s[%zu] %s: %s", oci_hook_names[k], i, h->path, what);
                if (!warn_id)
                        return r;
                log_warning("Container %s: %s, ignoring", warn_id, err);
        }
        return 0;
}
