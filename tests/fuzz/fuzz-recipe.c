/* Template recipes (NAME.recipe files and the built-in ones): the KEY="value" parser with multi-line quoted
 * SCRIPT values. Invariants: a recipe that parses has a type, a name, its text, and the fields its type
 * needs; the same text parses the same way twice. */
#include <errno.h>

#include "base/log.h"
#include "fuzz.h"
#include "templates/templates-internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_string(data, size);
        tmpl_recipe *r = NULL, *again = NULL;
        int k = tmpl_recipe_parse("fuzz", text, &r);
        FUZZ_ASSERT(k <= 0);
        if (k == 0) {
                FUZZ_ASSERT(r && streq(r->name, "fuzz") && streq(r->text, text));
                FUZZ_ASSERT(!streq(tmpl_type_to_string(r->type), "?"));
                if (r->type == TMPL_TYPE_DEBOOTSTRAP)
                        FUZZ_ASSERT(r->suite && r->mirror && r->variant);
                if (r->type == TMPL_TYPE_IMPORT)
                        FUZZ_ASSERT(r->source);
                FUZZ_ASSERT(tmpl_recipe_parse("fuzz", text, &again) == 0);
                FUZZ_ASSERT(again->type == r->type && streq_ptr(again->suite, r->suite) &&
                            streq_ptr(again->script, r->script) && streq_ptr(again->source, r->source));
        }
        tmpl_recipe_free(again);
        tmpl_recipe_free(r);
        free(text);
        return 0;
}
