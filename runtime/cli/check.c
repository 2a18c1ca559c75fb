/* vpsctl check: the host's memory and CPU against the running CTs' guarantees and limits
 * (vzmemcheck/vzcpucheck, rebuilt). */
#include <getopt.h>
#include <stdio.h>

#include "base/log.h"
#include "base/parse.h"
#include "cli.h"

static double pct(uint64_t part, uint64_t whole)
{
        return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

int verb_check(int argc, char **argv)
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
                        return cli_usage_error("check", "unknown option");
        if (optind != argc)
                return cli_usage_error("check", "no arguments expected");
        ct_commitment m;
        int r = ct_get_commitment(&cli_paths, NULL, &m);
        if (r < 0) {
                log_error_errno(r, "Failed to read the CTs: %m");
                return EXIT_VZ_SYSTEM;
        }
        uint64_t host_cpu = (uint64_t)m.host_cpus * 100;
        if (json) {
                printf("{\n  \"host\": { \"mem_bytes\": %llu, \"cpus\": %u },\n  \"running\": %u,\n"
                       "  \"mem_guaranteed_bytes\": %llu,\n  \"mem_limited_bytes\": %llu,\n"
                       "  \"mem_unlimited_cts\": %u,\n  \"cpu_limited_percent\": %llu,\n  "
                       "\"cpu_unlimited_cts\": %u,\n"
                       "  \"cpuunits_total\": %llu,\n  \"invalid_config_cts\": %u,\n"
                       "  \"mem_guarantee_overcommitted\": %s\n}\n",
                       (unsigned long long)m.host_mem, m.host_cpus, m.running,
                       (unsigned long long)m.mem_guaranteed, (unsigned long long)m.mem_limited,
                       m.mem_unlimited, (unsigned long long)m.cpu_limited, m.cpu_unlimited,
                       (unsigned long long)m.cpuunits, m.invalid,
                       m.mem_guaranteed > m.host_mem ? "true" : "false");
                return m.invalid ? EXIT_VZ_INVALID_CONFIG : 0;
        }
        char hm[32], g[32], l[32];
        format_size(m.host_mem / (1 << 20) * (1 << 20), hm, sizeof(hm));
        format_size(m.mem_guaranteed / 4096 * 4096, g, sizeof(g));
        format_size(m.mem_limited / 4096 * 4096, l, sizeof(l));
        printf("host: %s RAM, %u CPUs; %u CTs running\n", hm, m.host_cpus, m.running);
        printf("memory guaranteed: %s (%.1f%% of RAM)%s\n", g, pct(m.mem_guaranteed, m.host_mem),
               m.mem_guaranteed > m.host_mem ? "  OVERCOMMITTED" : "");
        printf("memory limits:     %s (%.1f%% of RAM) over %u CTs; %u CTs without a RAM limit\n", l,
               pct(m.mem_limited, m.host_mem), m.running - m.mem_unlimited, m.mem_unlimited);
        printf("cpu limits:        %llu%% of one CPU (%.1f%% of the host) over %u CTs; %u CTs without a CPU "
               "limit\n",
               (unsigned long long)m.cpu_limited, pct(m.cpu_limited, host_cpu), m.running - m.cpu_unlimited,
               m.cpu_unlimited);
        printf("cpu units:         %llu in total (each CT's share is its units over this)\n",
               (unsigned long long)m.cpuunits);
        if (m.invalid)
                printf("invalid configs:   %u CTs (`vpsctl list -a` shows which and why); counted without "
                       "limits\n",
                       m.invalid);
        if (m.mem_guaranteed > m.host_mem)
                return EXIT_VZ_OVERCOMMIT;
        return m.invalid ? EXIT_VZ_INVALID_CONFIG : 0;
}
