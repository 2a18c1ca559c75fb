/* The boot order of autostart and stop-all: BOOTORDER highest first, CTs without one (0) last, ties by CTID;
 * stop-all the exact reverse. */
#include "runtime/engine.h"
#include "test-helpers.h"

static void order_of(const ct_boot_entry *e, size_t n, char *buf, size_t len)
{
        size_t at = 0;
        buf[0] = 0;
        for (size_t i = 0; i < n && at < len; i++)
                at += (size_t)snprintf(buf + at, len - at, "%s%u", i ? " " : "", e[i].id);
}

int main(void)
{
        /* id, bootorder */
        ct_boot_entry e[] = {
                { .id = 201, .bootorder = 10 },
                { .id = 202, .bootorder = 300 },
                { .id = 203, .bootorder = 0 },
                { .id = 205, .bootorder = 300 },
                { .id = 208, .bootorder = 1 },
                { .id = 209, .bootorder = 0 },
                { .id = 104, .bootorder = 0 },
                { .id = 210, .bootorder = 20 },
                { .id = 2147483644, .bootorder = 2147483647 },
        };
        size_t n = sizeof(e) / sizeof(e[0]);
        char buf[256];

        ct_boot_order_sort(e, n, false);
        order_of(e, n, buf, sizeof(buf));
        CHECK_STREQ(buf, "2147483644 202 205 210 201 208 104 203 209");

        ct_boot_order_sort(e, n, true);
        order_of(e, n, buf, sizeof(buf));
        CHECK_STREQ(buf, "209 203 104 208 201 210 205 202 2147483644");

        /* sorting is stable across calls: the same plan twice gives the same order */
        ct_boot_order_sort(e, n, false);
        order_of(e, n, buf, sizeof(buf));
        CHECK_STREQ(buf, "2147483644 202 205 210 201 208 104 203 209");

        /* one and none */
        ct_boot_order_sort(e, 1, false);
        ct_boot_order_sort(NULL, 0, true);
        CHECK(e[0].id == 2147483644);
        return t_finish();
}
