/* An OCI bundle's config.json (runtime/oci-spec.c): written by whoever hands vpsctl a bundle, so hostile
 * input. Input: the file's bytes. Invariants: the parse succeeds or fails with -EINVAL/-ENOMEM and a message
 * (never a crash, leak or read past the input); a success has a program to run, an absolute cwd, a root
 * path, counts that match the arrays, and soft <= hard for every rlimit. */
#include <errno.h>

#include "base/log.h"
#include "fuzz.h"
#include "runtime/oci-spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct oci_spec *s = NULL;
        char err[256] = "";
        int r = oci_spec_parse((const char *)data, size, &s, err, sizeof(err));
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r < 0) {
                FUZZ_ASSERT(!s);
                FUZZ_ASSERT(r == -ENOMEM || err[0]);
                return 0;
        }
        FUZZ_ASSERT(s && s->process.args && s->process.args[0]);
        FUZZ_ASSERT(s->process.cwd && s->process.cwd[0] == '/');
        FUZZ_ASSERT(s->root_path && s->root_path[0]);
        for (size_t i = 0; i < s->process.n_rlimits; i++)
                FUZZ_ASSERT(s->process.rlimits[i].soft <= s->process.rlimits[i].hard);
        for (size_t i = 0; i < s->n_mounts; i++)
                FUZZ_ASSERT(s->mounts[i].destination && s->mounts[i].destination[0] == '/');
        for (size_t i = 0; i < s->n_namespaces; i++)
                FUZZ_ASSERT(s->namespaces[i].type != 0);
        for (size_t i = 0; i < s->n_uid_mappings; i++)
                FUZZ_ASSERT(s->uid_mappings[i].size > 0);
        oci_spec_free(s);
        return 0;
}
