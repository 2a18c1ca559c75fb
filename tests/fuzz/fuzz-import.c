/* Template import paths: the template name taken from a tarball's file name (template import FILE), the
 * compression told from its name and sniffed from its first bytes. Input: a file name, '\n', then the
 * file's first bytes. Invariants: a name taken from a file is a valid template name that cannot leave the
 * templates directory (no '/', no leading '.'); sniffing never reads past the file and agrees with itself.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"
#include "fuzz.h"
#include "templates/templates.h"

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        memfd = memfd_create("fuzz-import", MFD_CLOEXEC);
        FUZZ_ASSERT(memfd >= 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = nl ? (size_t)(nl - data) : size;
        char *file = fuzz_string(data, n);
        const uint8_t *body = nl ? nl + 1 : data + size;
        size_t body_len = nl ? size - n - 1 : 0;

        char *name = NULL;
        int r = tmpl_name_from_file(file, &name);
        FUZZ_ASSERT(r == 0 || r == -EINVAL);
        if (r == 0) {
                FUZZ_ASSERT(tmpl_name_valid(name));
                FUZZ_ASSERT(!strchr(name, '/') && name[0] != '.' && strlen(name) <= 64);
        }
        free(name);
        tmpl_compression byname = tmpl_compression_from_name(file);
        (void)tmpl_compression_program(byname);

        FUZZ_ASSERT(ftruncate(memfd, 0) == 0);
        FUZZ_ASSERT(body_len == 0 || pwrite(memfd, body, body_len, 0) == (ssize_t)body_len);
        FUZZ_ASSERT(lseek(memfd, 0, SEEK_SET) == 0);
        tmpl_compression a, b;
        r = tmpl_compression_sniff(memfd, &a);
        FUZZ_ASSERT(r == 0);
        FUZZ_ASSERT(tmpl_compression_sniff(memfd, &b) == 0 && a == b);
        if (a != TMPL_COMPRESSION_UNKNOWN && a != TMPL_COMPRESSION_NONE)
                FUZZ_ASSERT(tmpl_compression_program(a) != NULL);
        free(file);
        return 0;
}
