/* vpsctl stat: a running CT's usage, OpenVZ beancounter style (held, maxheld, limit, failcnt). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "base/log.h"
#include "cli.h"

static void json_counter(const char *name, const cg_counter *c, bool last)
{
        printf("  \"%s\": { \"held\": %llu, \"maxheld\": ", name, (unsigned long long)c->held);
        if (c->have_maxheld)
                printf("%llu", (unsigned long long)c->maxheld);
        else
                fputs("null", stdout);
        fputs(", \"limit\": ", stdout);
        if (c->limit == CG_UNLIMITED)
                fputs("null", stdout);
        else
                printf("%llu", (unsigned long long)c->limit);
        printf(", \"failcnt\": %llu }%s\n", (unsigned long long)c->failcnt, last ? "" : ",");
}

/* IOLIMIT/IOPSLIMIT: unset and 0 are no limit. */
static uint64_t io_limit(uint64_t v)
{
        return v == CT_U64_UNSET || v == 0 ? CG_UNLIMITED : v;
}

/* "NAME": N, or null for CG_UNLIMITED. */
static void json_opt_u64(const char *name, uint64_t v, bool last)
{
        if (v == CG_UNLIMITED)
                printf("\"%s\": null%s", name, last ? "" : ", ");
        else
                printf("\"%s\": %llu%s", name, (unsigned long long)v, last ? "" : ", ");
}

static void row(const char *name, const cg_counter *c, const char *unit)
{
        char maxheld[24] = "-", limit[24] = "unlimited";
        if (c->have_maxheld)
                snprintf(maxheld, sizeof(maxheld), "%llu", (unsigned long long)c->maxheld);
        if (c->limit != CG_UNLIMITED)
                snprintf(limit, sizeof(limit), "%llu", (unsigned long long)c->limit);
        printf("%-10s %14llu %14s %14s %10llu  %s\n", name, (unsigned long long)c->held, maxheld, limit,
               (unsigned long long)c->failcnt, unit);
}

/* held, soft limit as "maxheld" is not kept by quota; limit is the hard one (soft in the unit column) */
static void disk_row(const char *name, uint64_t used, uint64_t soft, uint64_t hard, const char *unit)
{
        char limit[24] = "unlimited", softs[40] = "";
        if (hard)
                snprintf(limit, sizeof(limit), "%llu", (unsigned long long)hard);
        if (soft && soft != hard)
                snprintf(softs, sizeof(softs), " (soft %llu)", (unsigned long long)soft);
        printf("%-10s %14llu %14s %14s %10s  %s%s\n", name, (unsigned long long)used, "-", limit, "-", unit,
               softs);
}

int verb_stat(int argc, char **argv)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },
                {},
        };
        bool json = false;
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "j", opts, NULL)) >= 0)
                if (o == 'j')
                        json = true;
                else
                        return cli_usage_error("stat", "unknown option");
        if (optind != argc - 1)
                return optind >= argc ? cli_ctid_missing("stat")
                                      : cli_usage_error("stat", "too many arguments");
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct_readonly(argv[optind], "stat", true, &c);
        if (rc != 0)
                return rc;
        cg_stats st;
        int r = ct_get_stats(c, &st);
        if (r == -ESRCH) {
                log_error("CT %u is not running", c->id);
                return cli_config_error(c) ?: EXIT_VZ_NOT_RUNNING;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to read the usage of CT %u: %m", c->id);
                return EXIT_VZ_SYSTEM;
        }
        /* bandwidth limits as configured, bits/s (0: none) */
        uint64_t rate_out = 0, rate_in = 0;
        (void)ct_rate_bits(c->cfg.rate, &rate_out);
        (void)ct_rate_bits(c->cfg.rate_in, &rate_in);
        /* disk quota: 0 in a limit is none (null in JSON would lose "held" of an unlimited CT) */
        ct_disk_usage du;
        bool have_disk = ct_get_disk_usage(c, &du) >= 0;
        if (json) {
                printf("{\n  \"ctid\": %u,\n", c->id);
                json_counter("memory", &st.mem, false);
                json_counter("swap", &st.swap, false);
                json_counter("numproc", &st.pids, false);
                printf("  \"oom_kills\": %llu,\n", (unsigned long long)st.oom_kills);
                printf("  \"cpu\": { \"usage_us\": %llu, \"throttled_us\": %llu, \"nr_throttled\": %llu, "
                       "\"nr_periods\": %llu },\n",
                       (unsigned long long)st.cpu_usage_us, (unsigned long long)st.cpu_throttled_us,
                       (unsigned long long)st.cpu_nr_throttled, (unsigned long long)st.cpu_nr_periods);
                printf("  \"io\": { \"read_bytes\": %llu, \"write_bytes\": %llu, \"read_ops\": %llu, "
                       "\"write_ops\": "
                       "%llu, ",
                       (unsigned long long)st.io_rbytes, (unsigned long long)st.io_wbytes,
                       (unsigned long long)st.io_rios, (unsigned long long)st.io_wios);
                json_opt_u64("iolimit", io_limit(c->cfg.iolimit), false);
                json_opt_u64("iopslimit", io_limit(c->cfg.iopslimit), false);
                json_opt_u64("ioprio", c->cfg.ioprio >= 0 ? (uint64_t)c->cfg.ioprio : CG_UNLIMITED, true);
                fputs(" },\n", stdout);
                fputs("  \"net\": { ", stdout);
                json_opt_u64("rate_bps", rate_out ? rate_out : CG_UNLIMITED, false);
                json_opt_u64("rate_in_bps", rate_in ? rate_in : CG_UNLIMITED, true);
                fputs(" },\n", stdout);
                if (have_disk)
                        printf("  \"disk\": { \"space_used\": %llu, \"space_soft\": %llu, \"space_hard\": "
                               "%llu, "
                               "\"inodes_used\": %llu, \"inodes_soft\": %llu, \"inodes_hard\": %llu },\n",
                               (unsigned long long)du.space_used, (unsigned long long)du.space_soft,
                               (unsigned long long)du.space_hard, (unsigned long long)du.inodes_used,
                               (unsigned long long)du.inodes_soft, (unsigned long long)du.inodes_hard);
                else
                        fputs("  \"disk\": null,\n", stdout);
                if (st.have_psi)
                        printf("  \"pressure\": { \"cpu_some_avg10\": %u.%02u, \"memory_some_avg10\": "
                               "%u.%02u, "
                               "\"io_some_avg10\": %u.%02u, \"cpu_some_total_us\": %llu, "
                               "\"memory_some_total_us\": "
                               "%llu, \"io_some_total_us\": %llu }\n}\n",
                               st.psi_cpu_avg10 / 100, st.psi_cpu_avg10 % 100, st.psi_mem_avg10 / 100,
                               st.psi_mem_avg10 % 100, st.psi_io_avg10 / 100, st.psi_io_avg10 % 100,
                               (unsigned long long)st.psi_cpu_total_us,
                               (unsigned long long)st.psi_mem_total_us,
                               (unsigned long long)st.psi_io_total_us);
                else
                        fputs("  \"pressure\": null\n}\n", stdout);
                return cli_config_error(c);
        }
        printf("CT %u\n%-10s %14s %14s %14s %10s\n", c->id, "resource", "held", "maxheld", "limit",
               "failcnt");
        row("memory", &st.mem, "bytes");
        row("swap", &st.swap, "bytes");
        row("numproc", &st.pids, "processes");
        if (have_disk) {
                disk_row("diskspace", du.space_used, du.space_soft, du.space_hard, "bytes");
                disk_row("diskinodes", du.inodes_used, du.inodes_soft, du.inodes_hard, "inodes");
        }
        printf("oom kills: %llu\n", (unsigned long long)st.oom_kills);
        printf("cpu: used %llu.%06llus, throttled %llu.%06llus in %llu of %llu periods\n",
               (unsigned long long)st.cpu_usage_us / 1000000, (unsigned long long)st.cpu_usage_us % 1000000,
               (unsigned long long)st.cpu_throttled_us / 1000000,
               (unsigned long long)st.cpu_throttled_us % 1000000, (unsigned long long)st.cpu_nr_throttled,
               (unsigned long long)st.cpu_nr_periods);
        printf("io: read %llu bytes in %llu ops, wrote %llu bytes in %llu ops\n",
               (unsigned long long)st.io_rbytes, (unsigned long long)st.io_rios,
               (unsigned long long)st.io_wbytes, (unsigned long long)st.io_wios);
        char iol[32] = "unlimited", iops[32] = "unlimited", prio[16] = "default";
        if (io_limit(c->cfg.iolimit) != CG_UNLIMITED)
                snprintf(iol, sizeof(iol), "%llu bytes/s", (unsigned long long)c->cfg.iolimit);
        if (io_limit(c->cfg.iopslimit) != CG_UNLIMITED)
                snprintf(iops, sizeof(iops), "%llu ops/s", (unsigned long long)c->cfg.iopslimit);
        if (c->cfg.ioprio >= 0)
                snprintf(prio, sizeof(prio), "%d", c->cfg.ioprio);
        printf("io limits: iolimit %s, iopslimit %s, ioprio %s\n", iol, iops, prio);
        char ro[32] = "unlimited", ri[32] = "unlimited";
        if (rate_out)
                snprintf(ro, sizeof(ro), "%llu Kbit/s", (unsigned long long)(rate_out / 1000));
        if (rate_in)
                snprintf(ri, sizeof(ri), "%llu Kbit/s", (unsigned long long)(rate_in / 1000));
        printf("net limits: rate (outgoing) %s, rate_in (incoming) %s\n", ro, ri);
        if (st.have_psi)
                printf("pressure (some, avg10): cpu %u.%02u%%, memory %u.%02u%%, io %u.%02u%%\n",
                       st.psi_cpu_avg10 / 100, st.psi_cpu_avg10 % 100, st.psi_mem_avg10 / 100,
                       st.psi_mem_avg10 % 100, st.psi_io_avg10 / 100, st.psi_io_avg10 % 100);
        return cli_config_error(c);
}
