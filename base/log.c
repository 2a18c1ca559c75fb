#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_LEVEL_INFO;
static int use_syslog;
static void (*log_sink)(int level, const char *msg);
static int sink_level;

void log_set_sink(void (*sink)(int level, const char *msg), int level)
{
        log_sink = sink;
        sink_level = level;
}

void log_set_max_level(int level)
{
        max_level = level;
}

int log_get_max_level(void)
{
        return max_level;
}

void log_setup(const char *ident)
{
        static const char *const names[] = {
                [LOG_LEVEL_ERR] = "err",   [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
                [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
        };
        const char *e = getenv("VPSCTL_LOG_LEVEL");

        if (e)
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        if (names[i] && streq(e, names[i]))
                                max_level = (int)i;
        /* Cron and scripts: errors should also reach the journal/syslog, not only a mail. */
        const char *s = getenv("VPSCTL_SYSLOG");
        if (s ? streq(s, "1") : !isatty(STDERR_FILENO) && getenv("VPSCTL_PREFIX") == NULL) {
                openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
                use_syslog = 1;
        }
}

int log_internal(int level, int error, const char *file, int line, const char *fmt, ...)
{
        int saved = errno;
        int r = error == 0 ? -EIO : -abs(error);

        bool to_sink = log_sink && level <= sink_level;
        if (level > max_level && !to_sink) {
                errno = saved;
                return r;
        }

        char buf[2048];
        va_list ap;
        errno = error ? abs(error) : saved; /* %m: the error given, else the caller's errno */
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);

        const char *prefix = level <= LOG_LEVEL_ERR       ? "Error: "
                             : level == LOG_LEVEL_WARNING ? "Warning: "
                                                          : "";
        if (to_sink) {
                char full[2100];
                snprintf(full, sizeof(full), "%s%s", prefix, buf);
                log_sink(level, full);
        }
        if (level > max_level) {
                errno = saved;
                return r;
        }
        if (max_level >= LOG_LEVEL_DEBUG)
                fprintf(stderr, "%s%s (%s:%d)\n", prefix, buf, file, line);
        else
                fprintf(stderr, "%s%s\n", prefix, buf);
        if (use_syslog && level <= LOG_LEVEL_NOTICE)
                syslog(level, "%s", buf);
        errno = saved;
        return r;
}
