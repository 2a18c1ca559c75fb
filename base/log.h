/* Logging: errors once, at the layer with the context; debug everywhere else. */
#pragma once

#include <errno.h>
#include <stdarg.h>

#include "macro.h"

enum {
        LOG_LEVEL_ERR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

/* Set the maximum level printed; VPSCTL_LOG_LEVEL=debug|info|... overrides at startup. */
void log_set_max_level(int level);
int log_get_max_level(void);
/* Parse the level from the environment (VPSCTL_LOG_LEVEL) and use syslog when stderr is no tty. */
void log_setup(const char *ident);
/* A second destination for every message at or below level, whatever stderr's maximum (the command
 * log); NULL removes it. The sink gets the message without a file:line. */
void log_set_sink(void (*sink)(int level, const char *msg), int level);
/* Print one message; errno is set to -error for %m. Returns -abs(error) (or -EIO if error is 0). */
int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) _printf_(5, 6);

/* log_internal() always returns < 0; said here as well, so that a caller's "r < 0" check means the same
 * to the analyzer (tests/lint) that cannot see into log.c. */
static inline int log_negative(int r)
{
        return r < 0 ? r : -EIO;
}
#define log_full_errno(level, error, ...) \
        log_negative(log_internal((level), (error), __FILE__, __LINE__, __VA_ARGS__))
#define log_error_errno(error, ...)   log_full_errno(LOG_LEVEL_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_LEVEL_WARNING, (error), __VA_ARGS__)
#define log_debug_errno(error, ...)   log_full_errno(LOG_LEVEL_DEBUG, (error), __VA_ARGS__)
#define log_error(...)                (void)log_full_errno(LOG_LEVEL_ERR, 0, __VA_ARGS__)
#define log_warning(...)              (void)log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...)               (void)log_full_errno(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...)                 (void)log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)                (void)log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
