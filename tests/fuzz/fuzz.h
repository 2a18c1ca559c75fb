/* The fuzz targets' shared part: libFuzzer's entry points, an invariant check that aborts (so libFuzzer and
 * the corpus replay both report it), and input helpers. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond)                                                                            \
        do {                                                                                         \
                if (!(cond)) {                                                                       \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

/* The input as a C string (an embedded NUL ends it, as it would end an argv value). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* Split the input at the first byte '\n' into two strings, for targets that take two values. */
static inline void fuzz_split(const uint8_t *data, size_t size, char **a, char **b)
{
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = nl ? (size_t)(nl - data) : size;
        *a = fuzz_string(data, n);
        *b = nl ? fuzz_string(nl + 1, size - n - 1) : fuzz_string(data, 0);
}

static inline const char *fuzz_str(const char *s)
{
        return s ? s : "(null)";
}
