/* The order of autostart and stop-all: OpenVZ's ONBOOT and BOOTORDER. Which CTs, in which order; the
 * front end runs them (VE_PARALLEL at a time). */
#include <errno.h>
#include <stdlib.h>

#include "base/log.h"
#include "engine-internal.h"

static int boot_cmp(const void *a, const void *b)
{
        const ct_boot_entry *x = a, *y = b;
        /* higher BOOTORDER first; 0 (none) after every CT that has one; then by CTID */
        if (x->bootorder != y->bootorder)
                return x->bootorder > y->bootorder ? -1 : 1;
        return x->id < y->id ? -1 : x->id > y->id;
}

static int stop_cmp(const void *a, const void *b)
{
        return boot_cmp(b, a);
}

void ct_boot_order_sort(ct_boot_entry *e, size_t n, bool for_stop)
{
        if (n > 1)
                qsort(e, n, sizeof(*e), for_stop ? stop_cmp : boot_cmp);
}

void ct_boot_plan_free(ct_boot_entry *e, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(e[i].config_error);
        free(e);
}

int ct_boot_plan(struct ct_paths *p, bool for_stop, ct_boot_entry **ret, size_t *ret_n,
                 unsigned *ret_parallel)
{
        _cleanup_free_ unsigned *ids = NULL;
        size_t nids = 0, n = 0;
        unsigned parallel = 0;
        int r = ct_list_ids(p, &ids, &nids);
        if (r < 0)
                return r;
        ct_boot_entry *e = calloc(nids ? nids : 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        for (size_t i = 0; i < nids; i++) {
                _cleanup_ct_ ct *c = NULL;
                ct_status st;
                r = ct_load_lenient(p, ids[i], &c);
                if (r < 0) {
                        ct_boot_plan_free(e, n);
                        return r;
                }
                parallel = c->cfg.ve_parallel;
                r = ct_get_status(c, &st);
                if (r < 0) {
                        ct_boot_plan_free(e, n);
                        return r;
                }
                /* autostart: the ONBOOT CTs (a broken config is listed, so that it is reported, not
                 * silently left down); stop-all: whatever runs */
                if (for_stop ? !st.running : !(c->cfg.onboot == CT_YES || c->config_error))
                        continue;
                ct_boot_entry *x = &e[n++];
                x->id = c->id;
                x->bootorder = c->cfg.bootorder;
                x->running = st.running;
                x->disabled = c->cfg.disabled == CT_YES;
                x->config_error = c->config_error;
                c->config_error = NULL; /* now the entry's */
        }
        ct_boot_order_sort(e, n, for_stop);
        *ret = e;
        *ret_n = n;
        if (ret_parallel)
                *ret_parallel = parallel;
        return 0;
}
