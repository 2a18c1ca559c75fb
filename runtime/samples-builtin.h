/* The config samples of etc/conf, compiled in (runtime/CMakeLists.txt generates the table). */
#pragma once

#include <stddef.h>

struct ct_builtin_sample {
        const char *name; /* "basic" for ve-basic.conf-sample */
        const char *text;
};

extern const struct ct_builtin_sample ct_builtin_samples[];
extern const size_t ct_builtin_samples_count;
