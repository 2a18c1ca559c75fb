/* vpsctl metrics: every CT's figures in the Prometheus text exposition format (0.0.4), on stdout, into a
 * node_exporter textfile, or served over HTTP (metrics-http.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "cli.h"

/* One family: its name, type, help, and what each CT contributes (nothing where it has no value). */
struct family {
        const char *name, *type, *help;
        void (*emit)(FILE *f, const char *name, const ct_metrics *m, const char *labels);
};

static void sample(FILE *f, const char *name, const char *labels, const char *extra, uint64_t v)
{
        fprintf(f, "%s{%s%s%s} %llu\n", name, labels, extra ? "," : "", extra ? extra : "",
                (unsigned long long)v);
}

/* microseconds as seconds, exactly (no float rounding of large counters) */
static void sample_us(FILE *f, const char *name, const char *labels, const char *extra, uint64_t us)
{
        fprintf(f, "%s{%s%s%s} %llu.%06llu\n", name, labels, extra ? "," : "", extra ? extra : "",
                (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));
}

static void e_state(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        sample(f, n, l, "state=\"running\"", m->running && !m->frozen);
        sample(f, n, l, "state=\"frozen\"", m->running && m->frozen);
        sample(f, n, l, "state=\"stopped\"", !m->running);
}

static void e_config_error(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        sample(f, n, l, NULL, m->config_error);
}

#define RUNNING_U64(fn, field)                                                     \
        static void fn(FILE *f, const char *n, const ct_metrics *m, const char *l) \
        {                                                                          \
                if (m->have_stats)                                                 \
                        sample(f, n, l, NULL, m->stats.field);                     \
        }
#define RUNNING_US(fn, field)                                                      \
        static void fn(FILE *f, const char *n, const ct_metrics *m, const char *l) \
        {                                                                          \
                if (m->have_stats)                                                 \
                        sample_us(f, n, l, NULL, m->stats.field);                  \
        }
/* a limit: the cgroup's while running, the config's when stopped; none when unlimited */
#define LIMIT_U64(fn, field)                                                       \
        static void fn(FILE *f, const char *n, const ct_metrics *m, const char *l) \
        {                                                                          \
                if (m->stats.field != CG_UNLIMITED)                                \
                        sample(f, n, l, NULL, m->stats.field);                     \
        }

RUNNING_U64(e_mem, mem.held)
LIMIT_U64(e_mem_limit, mem.limit)
RUNNING_U64(e_mem_failcnt, mem.failcnt)
RUNNING_U64(e_swap, swap.held)
LIMIT_U64(e_swap_limit, swap.limit)
RUNNING_U64(e_swap_failcnt, swap.failcnt)
RUNNING_U64(e_oom, oom_kills)
RUNNING_U64(e_pids, pids.held)
LIMIT_U64(e_pids_limit, pids.limit)
RUNNING_U64(e_pids_failcnt, pids.failcnt)
RUNNING_US(e_cpu_usage, cpu_usage_us)
RUNNING_US(e_throttled, cpu_throttled_us)
RUNNING_U64(e_throttled_periods, cpu_nr_throttled)
RUNNING_U64(e_periods, cpu_nr_periods)

static void e_mem_max(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (m->have_stats && m->stats.mem.have_maxheld)
                sample(f, n, l, NULL, m->stats.mem.maxheld);
}

static void e_cpu(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (!m->have_stats)
                return;
        sample_us(f, n, l, "mode=\"user\"", m->stats.cpu_user_us);
        sample_us(f, n, l, "mode=\"system\"", m->stats.cpu_system_us);
}

static void e_io_bytes(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (!m->have_stats)
                return;
        sample(f, n, l, "op=\"read\"", m->stats.io_rbytes);
        sample(f, n, l, "op=\"write\"", m->stats.io_wbytes);
}

static void e_io_ops(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (!m->have_stats)
                return;
        sample(f, n, l, "op=\"read\"", m->stats.io_rios);
        sample(f, n, l, "op=\"write\"", m->stats.io_wios);
}

static void e_psi(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (!m->have_stats || !m->stats.have_psi)
                return;
        sample_us(f, n, l, "resource=\"cpu\"", m->stats.psi_cpu_total_us);
        sample_us(f, n, l, "resource=\"memory\"", m->stats.psi_mem_total_us);
        sample_us(f, n, l, "resource=\"io\"", m->stats.psi_io_total_us);
}

static void e_uptime(FILE *f, const char *n, const ct_metrics *m, const char *l)
{
        if (m->running && m->init_pid > 0)
                sample(f, n, l, NULL, m->uptime_s);
}

/* per interface: the offset of the counter in ct_metrics_link */
static void link_family(FILE *f, const char *n, const ct_metrics *m, const char *l, size_t off)
{
        for (size_t i = 0; m->have_links && i < m->n_links; i++) {
                char extra[64];
                /* interface names have no quote, backslash or newline (netns_ifname_valid) */
                snprintf(extra, sizeof(extra), "interface=\"%s\"", m->links[i].ifname);
                sample(f, n, l, extra, *(const uint64_t *)((const char *)&m->links[i] + off));
        }
}
#define LINK(fn, field)                                                            \
        static void fn(FILE *f, const char *n, const ct_metrics *m, const char *l) \
        {                                                                          \
                link_family(f, n, m, l, offsetof(ct_metrics_link, field));         \
        }
LINK(e_rx_bytes, rx_bytes)
LINK(e_tx_bytes, tx_bytes)
LINK(e_rx_packets, rx_packets)
LINK(e_tx_packets, tx_packets)
LINK(e_rx_errors, rx_errors)
LINK(e_tx_errors, tx_errors)
LINK(e_rx_dropped, rx_dropped)
LINK(e_tx_dropped, tx_dropped)

#define DISK(fn, expr, cond)                                                       \
        static void fn(FILE *f, const char *n, const ct_metrics *m, const char *l) \
        {                                                                          \
                if (m->have_disk && (cond))                                        \
                        sample(f, n, l, NULL, (expr));                             \
        }
DISK(e_disk_used, m->disk.space_used, true)
DISK(e_disk_limit, m->disk.space_hard, m->disk.space_hard > 0)
DISK(e_disk_soft, m->disk.space_soft, m->disk.space_soft > 0)
DISK(e_inodes_used, m->disk.inodes_used, true)
DISK(e_inodes_limit, m->disk.inodes_hard, m->disk.inodes_hard > 0)

/* docs/cli.md lists these; keep the two in step */
static const struct family families[] = {
        { "vpsctl_ct_state", "gauge",
          "1 for the state the CT is in (running, frozen, stopped), 0 for the others", e_state },
        { "vpsctl_ct_config_error", "gauge", "1 when the CT's config file cannot be parsed",
          e_config_error },
        { "vpsctl_ct_uptime_seconds", "gauge", "Seconds since the CT's init started", e_uptime },
        { "vpsctl_ct_memory_usage_bytes", "gauge", "Memory charged to the CT (held)", e_mem },
        { "vpsctl_ct_memory_max_usage_bytes", "gauge", "Peak memory charged to the CT (maxheld)",
          e_mem_max },
        { "vpsctl_ct_memory_limit_bytes", "gauge", "Memory limit of the CT (absent: unlimited)",
          e_mem_limit },
        { "vpsctl_ct_memory_failcnt_total", "counter", "Times the CT hit its memory limit", e_mem_failcnt },
        { "vpsctl_ct_swap_usage_bytes", "gauge", "Swap used by the CT", e_swap },
        { "vpsctl_ct_swap_limit_bytes", "gauge", "Swap limit of the CT on top of memory (absent: unlimited)",
          e_swap_limit },
        { "vpsctl_ct_swap_failcnt_total", "counter", "Times the CT hit its swap limit", e_swap_failcnt },
        { "vpsctl_ct_oom_kills_total", "counter", "Processes of the CT killed by the OOM killer", e_oom },
        { "vpsctl_ct_pids", "gauge", "Tasks in the CT (numproc held)", e_pids },
        { "vpsctl_ct_pids_limit", "gauge", "Task limit of the CT (absent: unlimited)", e_pids_limit },
        { "vpsctl_ct_pids_failcnt_total", "counter", "Forks refused by the CT's task limit",
          e_pids_failcnt },
        { "vpsctl_ct_cpu_seconds_total", "counter", "CPU time of the CT by mode (user, system)", e_cpu },
        { "vpsctl_ct_cpu_usage_seconds_total", "counter", "CPU time of the CT, all modes", e_cpu_usage },
        { "vpsctl_ct_cpu_throttled_seconds_total", "counter",
          "Time the CT's tasks were throttled by its CPU limit (its steal)", e_throttled },
        { "vpsctl_ct_cpu_throttled_periods_total", "counter",
          "Enforcement periods in which the CT was throttled", e_throttled_periods },
        { "vpsctl_ct_cpu_periods_total", "counter", "Enforcement periods of the CT's CPU limit", e_periods },
        { "vpsctl_ct_io_bytes_total", "counter", "Bytes the CT read and wrote on block devices (op)",
          e_io_bytes },
        { "vpsctl_ct_io_ops_total", "counter", "Block I/O operations of the CT (op)", e_io_ops },
        { "vpsctl_ct_pressure_stalled_seconds_total", "counter",
          "Time some of the CT's tasks stalled on a resource (PSI some total)", e_psi },
        { "vpsctl_ct_network_receive_bytes_total", "counter", "Bytes received on an interface of the CT",
          e_rx_bytes },
        { "vpsctl_ct_network_transmit_bytes_total", "counter", "Bytes sent on an interface of the CT",
          e_tx_bytes },
        { "vpsctl_ct_network_receive_packets_total", "counter", "Packets received on an interface of the CT",
          e_rx_packets },
        { "vpsctl_ct_network_transmit_packets_total", "counter", "Packets sent on an interface of the CT",
          e_tx_packets },
        { "vpsctl_ct_network_receive_errors_total", "counter", "Receive errors on an interface of the CT",
          e_rx_errors },
        { "vpsctl_ct_network_transmit_errors_total", "counter", "Transmit errors on an interface of the CT",
          e_tx_errors },
        { "vpsctl_ct_network_receive_drops_total", "counter",
          "Received packets dropped on an interface of the CT", e_rx_dropped },
        { "vpsctl_ct_network_transmit_drops_total", "counter",
          "Packets to send dropped on an interface of the CT", e_tx_dropped },
        { "vpsctl_ct_disk_usage_bytes", "gauge", "Disk space used by the CT's private area (project quota)",
          e_disk_used },
        { "vpsctl_ct_disk_limit_bytes", "gauge", "Hard disk space limit of the CT (DISKSPACE)",
          e_disk_limit },
        { "vpsctl_ct_disk_soft_limit_bytes", "gauge", "Soft disk space limit of the CT (DISKSPACE)",
          e_disk_soft },
        { "vpsctl_ct_disk_inodes", "gauge", "Inodes used by the CT's private area", e_inodes_used },
        { "vpsctl_ct_disk_inodes_limit", "gauge", "Hard inode limit of the CT (DISKINODES)",
          e_inodes_limit },
};

/* A label value escaped per the exposition format: backslash, double quote and newline. */
static void label_value(FILE *f, const char *s)
{
        for (; s && *s; s++)
                if (*s == '\\')
                        fputs("\\\\", f);
                else if (*s == '"')
                        fputs("\\\"", f);
                else if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
}

int metrics_render(const unsigned *ids, size_t n_ids, char **ret, size_t *ret_len)
{
        struct timespec t0, t1;
        (void)clock_gettime(CLOCK_MONOTONIC, &t0);
        ct_metrics *m = NULL;
        size_t n = 0;
        int r = ct_metrics_collect(&cli_paths, ids, n_ids, CT_METRICS_NET | CT_METRICS_DISK, &m, &n);
        if (r < 0)
                return r;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f) {
                ct_metrics_free(m, n);
                return -ENOMEM;
        }
        /* the common labels of each CT, built once */
        char **labels = calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; labels && i < n; i++) {
                size_t ll = 0;
                FILE *lf = open_memstream(&labels[i], &ll);
                if (!lf)
                        break;
                fprintf(lf, "ctid=\"%u\",name=\"", m[i].id);
                label_value(lf, m[i].name);
                fputs("\",hostname=\"", lf);
                label_value(lf, m[i].hostname);
                fputc('"', lf);
                fclose(lf);
        }
        for (size_t fi = 0; labels && fi < ELEMENTSOF(families); fi++) {
                const struct family *fam = &families[fi];
                fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
                for (size_t i = 0; i < n; i++)
                        if (labels[i])
                                fam->emit(f, fam->name, &m[i], labels[i]);
        }
        (void)clock_gettime(CLOCK_MONOTONIC, &t1);
        long long us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
        fprintf(f, "# HELP vpsctl_cts Containers with a config, by whether they run\n# TYPE vpsctl_cts "
                   "gauge\n");
        size_t running = 0;
        for (size_t i = 0; i < n; i++)
                running += m[i].running;
        fprintf(f, "vpsctl_cts{state=\"running\"} %zu\nvpsctl_cts{state=\"stopped\"} %zu\n", running,
                n - running);
        fprintf(f,
                "# HELP vpsctl_scrape_duration_seconds Time vpsctl took to read every CT's figures\n"
                "# TYPE vpsctl_scrape_duration_seconds gauge\nvpsctl_scrape_duration_seconds %lld.%06lld\n",
                us / 1000000, us % 1000000);
        bool ok = labels != NULL;
        for (size_t i = 0; labels && i < n; i++) {
                ok = ok && labels[i];
                free(labels[i]);
        }
        free(labels);
        ct_metrics_free(m, n);
        if (fclose(f) != 0 || !ok) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        *ret_len = len;
        return 0;
}

static int write_textfile(const char *dir, const char *data, size_t len)
{
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(negative_errno(), "Cannot open the textfile directory %s: %m", dir);
        /* node_exporter reads *.prom only: the temporary file of the atomic write is never read half done */
        int r = write_file_atomic_at(dfd, "vpsctl.prom", data, len, 0644);
        if (r < 0)
                return log_error_errno(r, "Cannot write %s/vpsctl.prom: %m", dir);
        return 0;
}

int verb_metrics(int argc, char **argv)
{
        static const struct option opts[] = {
                { "textfile", required_argument, NULL, 't' },
                { "listen", required_argument, NULL, 'l' },
                {},
        };
        const char *textfile = NULL, *listen_on = NULL;
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                if (o == 't')
                        textfile = optarg;
                else if (o == 'l')
                        listen_on = optarg;
                else
                        return cli_usage_error("metrics", "unknown option");
        if (textfile && listen_on)
                return cli_usage_error("metrics", "--textfile and --listen exclude each other");
        if (textfile && !*textfile)
                return cli_usage_error("metrics", "--textfile needs a directory");

        /* CTIDs or names given: only those, each of which must exist */
        _cleanup_free_ unsigned *ids = NULL;
        size_t n_ids = (size_t)(argc - optind);
        if (n_ids > 0) {
                ids = calloc(n_ids, sizeof(*ids));
                if (!ids)
                        return log_error("Out of memory"), EXIT_VZ_SYSTEM;
                for (size_t i = 0; i < n_ids; i++) {
                        _cleanup_ct_ ct *c = NULL;
                        int rc = cli_open_ct_readonly(argv[optind + (int)i], "metrics", true, &c);
                        if (rc != 0)
                                return rc;
                        ids[i] = c->id;
                }
        }

        if (listen_on)
                return metrics_serve(listen_on, ids, n_ids);

        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        int r = metrics_render(ids, n_ids, &out, &len);
        if (r < 0) {
                log_error_errno(r, "Failed to read the CTs' figures: %m");
                return EXIT_VZ_SYSTEM;
        }
        if (textfile)
                return write_textfile(textfile, out, len) < 0 ? EXIT_VZ_SYSTEM : 0;
        r = loop_write(STDOUT_FILENO, out, len);
        if (r < 0) {
                log_error_errno(r, "Cannot write the metrics to stdout: %m");
                return EXIT_VZ_SYSTEM;
        }
        return 0;
}
