#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "parse.h"

int safe_atou64(const char *s, uint64_t *ret)
{
        char *end;

        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        /* negative_errno(), not -errno: the compiler cannot know errno > 0, so with -errno a caller's
         * "r < 0" check does not prove *ret was written (GCC 12 -O3 maybe-uninitialized in safe_atou). */
        if (errno != 0)
                return negative_errno();
        if (*end != 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou(const char *s, unsigned *ret)
{
        uint64_t v = 0; /* (the analyzer cannot tell that negative_errno() < 0) */
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

int safe_atoi(const char *s, int *ret)
{
        char *end;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0)
                return negative_errno();
        if (*end != 0)
                return -EINVAL;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                char c;
                unsigned shift;
        } units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 }, { 'P', 50 } };
        char *end;

        if (!s)
                return -EINVAL;
        if (strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "max") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return negative_errno();
        if (*end == 0) {
                *ret = v;
                return 0;
        }
        char c = (char)toupper((unsigned char)*end);
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (units[i].c != c)
                        continue;
                end++;
                if (*end == 'B' || *end == 'b')
                        end++;
                if (*end != 0)
                        return -EINVAL;
                if (v > (UINT64_MAX >> units[i].shift))
                        return -ERANGE;
                *ret = (uint64_t)v << units[i].shift;
                return 0;
        }
        if ((c == 'B') && end[1] == 0) {
                *ret = v;
                return 0;
        }
        return -EINVAL;
}

int parse_boolean(const char *s, bool *ret)
{
        static const char *const yes[] = { "yes", "y", "on", "true", "1" };
        static const char *const no[] = { "no", "n", "off", "false", "0" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

int parse_sec(const char *s, unsigned *ret)
{
        char *end;

        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno != 0)
                return negative_errno();
        unsigned long mult = 1;
        if (*end == 's' && end[1] == 0)
                mult = 1;
        else if (*end == 'm' && end[1] == 0)
                mult = 60;
        else if (*end == 'h' && end[1] == 0)
                mult = 3600;
        else if (*end != 0)
                return -EINVAL;
        if (v > UINT_MAX / mult)
                return -ERANGE;
        *ret = (unsigned)(v * mult);
        return 0;
}

void format_size(uint64_t v, char *buf, unsigned len)
{
        static const char suffix[] = "KMGTP";

        if (v == UINT64_MAX) {
                snprintf(buf, len, "unlimited");
                return;
        }
        unsigned i = 0;
        while (v >= 1024 && v % 1024 == 0 && i < sizeof(suffix) - 1) {
                v /= 1024;
                i++;
        }
        if (i == 0)
                snprintf(buf, len, "%llu", (unsigned long long)v);
        else
                snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[i - 1]);
}
