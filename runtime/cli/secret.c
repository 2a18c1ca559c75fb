/* --userpasswd USER:PASSWORD: the password leaves argv as soon as vpsctl starts (ps then shows
 * USER:********), and reaches the sealed copy vpsctl re-executes itself from on a pipe, never in argv or
 * the environment of any process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/parse.h"
#include "base/log.h"
#include "cli.h"

#define SECRET_FD_ENV "VPSCTL_USERPASSWD_FD"
#define SECRET_MAX    4096

char *cli_userpasswd;

static char *secret_arg(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "--userpasswd") && i + 1 < argc)
                        return argv[i + 1];
                if (strncmp(argv[i], "--userpasswd=", strlen("--userpasswd=")) == 0)
                        return argv[i] + strlen("--userpasswd=");
        }
        return NULL;
}

int cli_take_secrets(int argc, char **argv)
{
        char *arg = secret_arg(argc, argv);
        const char *env = getenv(SECRET_FD_ENV);
        if (env) {
                int fd;
                /* from ourselves, before the re-exec: the pipe holds what argv held */
                if (arg && safe_atoi(env, &fd) >= 0 && fd > 2) {
                        char buf[SECRET_MAX + 1];
                        ssize_t n = loop_read(fd, buf, SECRET_MAX);
                        if (n >= 0) {
                                buf[n] = 0;
                                cli_userpasswd = strdup(buf);
                        }
                        explicit_bzero(buf, sizeof(buf));
                        close(fd);
                        if (n < 0 || !cli_userpasswd)
                                return log_error_errno(n < 0 ? (int)n : -ENOMEM,
                                                       "Failed to read --userpasswd: %m");
                }
                unsetenv(SECRET_FD_ENV);
                return 0;
        }
        if (!arg)
                return 0;
        if (strlen(arg) > SECRET_MAX)
                return log_error_errno(-E2BIG, "--userpasswd is longer than %d bytes", SECRET_MAX);
        cli_userpasswd = strdup(arg);
        if (!cli_userpasswd)
                return -ENOMEM;
        char *colon = strchr(arg, ':');
        if (colon)
                memset(colon + 1, '*', strlen(colon + 1));
        return 0;
}

int cli_pass_secrets(int *ret_fd)
{
        int p[2];
        *ret_fd = -EBADF;
        if (!cli_userpasswd)
                return 0;
        /* the read end survives the exec; the secret fits the pipe's buffer */
        if (pipe2(p, 0) < 0)
                return negative_errno();
        int r = loop_write(p[1], cli_userpasswd, strlen(cli_userpasswd));
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                return r;
        }
        char v[16];
        snprintf(v, sizeof(v), "%d", p[0]);
        setenv(SECRET_FD_ENV, v, 1);
        *ret_fd = p[0];
        return 0;
}

void cli_pass_secrets_done(int fd)
{
        if (fd >= 0) {
                close(fd);
                unsetenv(SECRET_FD_ENV);
        }
}

void cli_secrets_free(void)
{
        if (cli_userpasswd) {
                explicit_bzero(cli_userpasswd, strlen(cli_userpasswd));
                free(cli_userpasswd);
                cli_userpasswd = NULL;
        }
}
