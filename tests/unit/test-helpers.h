/* Minimal assertion helpers for the unit tests: count, report, and end with "N passed, N failed". */
#pragma once

#include <stdio.h>
#include <string.h>

static unsigned t_passed, t_failed;

#define CHECK(cond)                                                                              \
        do {                                                                                     \
                if (cond)                                                                        \
                        t_passed++;                                                              \
                else {                                                                           \
                        t_failed++;                                                              \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                }                                                                                \
        } while (0)

#define CHECK_STREQ(a, b)                                                                \
        do {                                                                             \
                const char *_a = (a), *_b = (b);                                         \
                if (_a && _b && strcmp(_a, _b) == 0)                                     \
                        t_passed++;                                                      \
                else {                                                                   \
                        t_failed++;                                                      \
                        fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
                                _a ? _a : "(null)", _b ? _b : "(null)");                 \
                }                                                                        \
        } while (0)

static inline int t_finish(void)
{
        printf("%u passed, %u failed\n", t_passed, t_failed);
        return t_failed ? 1 : 0;
}
