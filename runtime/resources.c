/* Resource keys (vzctl formats) and their translation into cgroup limits. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "config-internal.h"
#include "engine-internal.h"

static uint64_t host_mem_total(void)
{
        uint64_t kb = 0;
        _cleanup_free_ char *buf = NULL;
        if (read_full_file_at(AT_FDCWD, "/proc/meminfo", &buf, NULL) >= 0)
                (void)sscanf(buf, "MemTotal: %llu kB", (unsigned long long *)&kb);
        return kb * 1024;
}

uint64_t ct_mem_guarantee_bytes(const struct ct_config *c)
{
        if (c->memguarantee <= 0)
                return 0;
        uint64_t base =
                c->ram_limit == CT_U64_UNSET || c->ram_limit == UINT64_MAX ? host_mem_total() : c->ram_limit;
        return base / 100 * (uint64_t)c->memguarantee;
}

/* The whole disk under the CT's private area, for io limits. */
static int private_disk(const char *private_dir, unsigned *ret_major, unsigned *ret_minor)
{
        struct stat st;
        char path[128], real[PATH_MAX];
        if (stat(private_dir, &st) < 0)
                return negative_errno();
        if (major(st.st_dev) == 0)
                return -ENODEV; /* tmpfs, overlay, btrfs subvolume...: no single block device */
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
        if (!realpath(path, real))
                return negative_errno();
        char part[PATH_MAX + 16], parent_dev[PATH_MAX + 16];
        snprintf(part, sizeof(part), "%s/partition", real);
        if (access(part, F_OK) == 0) {
                _cleanup_free_ char *dev = NULL;
                snprintf(parent_dev, sizeof(parent_dev), "%s/../dev", real);
                int r = read_one_line_at(AT_FDCWD, parent_dev, &dev);
                if (r < 0)
                        return r;
                if (sscanf(dev, "%u:%u", ret_major, ret_minor) != 2)
                        return -EIO;
                return 0;
        }
        *ret_major = major(st.st_dev);
        *ret_minor = minor(st.st_dev);
        return 0;
}

/* --cpus N without --cpumask: N of the host's online CPUs, the first at CTID mod their number, so CTs
 * spread over the host (LXD pins limits.cpu=N the same way). The CT's sched_getaffinity, which nproc
 * counts, and lxcfs's cpuinfo and cpu/online then show N. NULL when the host has no more than N. */
static const char *cpus_pinned(unsigned ctid, unsigned n)
{
        static char buf[256];
        _cleanup_free_ char *online = NULL;
        unsigned ids[1024], count = 0;
        if (read_one_line_at(AT_FDCWD, "/sys/devices/system/cpu/online", &online) < 0)
                return NULL;
        for (char *tok = strtok(online, ","); tok && count < ELEMENTSOF(ids); tok = strtok(NULL, ",")) {
                unsigned a, b;
                int k = sscanf(tok, "%u-%u", &a, &b);
                if (k < 1)
                        return NULL;
                if (k == 1)
                        b = a;
                for (unsigned i = a; i <= b && count < ELEMENTSOF(ids); i++)
                        ids[count++] = i;
        }
        if (count <= n)
                return NULL;
        size_t len = 0;
        buf[0] = 0;
        for (unsigned i = 0; i < n; i++) {
                int w = snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? "," : "",
                                 ids[(ctid + i) % count]);
                if (w < 0 || (size_t)w >= sizeof(buf) - len)
                        return NULL;
                len += (size_t)w;
        }
        return buf;
}

static bool changed(const struct ct_change *changes, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(changes[i].key, key))
                        return true;
        return false;
}

int ct_build_limits(ct *c, const struct ct_change *changes, size_t n, cg_limits *l, bool *ret_implicit_swap)
{
        const struct ct_config *cfg = &c->cfg;
        bool live = changes != NULL;
#define WANT(key, configured) (live ? changed(changes, n, key) : (configured))

        cg_limits_init(l);
        *ret_implicit_swap = false;
        if (WANT("PHYSPAGES", cfg->ram_limit != CT_U64_UNSET))
                l->mem_max = cfg->ram_limit == CT_U64_UNSET ? CG_UNLIMITED : cfg->ram_limit;
        if (WANT("SWAPPAGES", cfg->swap_limit != CT_U64_UNSET))
                l->swap_max = cfg->swap_limit == CT_U64_UNSET ? 0 : cfg->swap_limit;
        else if (l->mem_max != CG_UNSET && cfg->swap_limit != CT_U64_UNSET)
                /* a RAM change keeps the configured swap on top of the new RAM (v1's memsw is ram+swap) */
                l->swap_max = cfg->swap_limit;
        else if (l->mem_max != CG_UNSET) {
                /* vzctl: no SWAPPAGES means no swap; where the host cannot account swap, RAM still holds */
                l->swap_max = 0;
                *ret_implicit_swap = true;
        }
        if (WANT("MEMGUARANTEE", cfg->memguarantee >= 0) ||
            (live && changed(changes, n, "PHYSPAGES") && cfg->memguarantee > 0))
                l->mem_low = ct_mem_guarantee_bytes(cfg);
        if (WANT("CPUUNITS", cfg->cpuunits > 0))
                l->cpu_weight = cfg->cpuunits ? MAX(1U, MIN(10000U, cfg->cpuunits / 10)) : 100;
        if (WANT("CPULIMIT", cfg->cpulimit > 0) || WANT("CPUS", cfg->cpus > 0)) {
                uint64_t q = CG_UNLIMITED, period = l->cpu_period_us;
                long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
                if (cfg->cpulimit > 0)
                        q = cfg->cpulimit_of_host
                                    ? (uint64_t)cfg->cpulimit * (uint64_t)MAX(ncpu, 1L) * period / 100
                                    : (uint64_t)cfg->cpulimit * period / 100;
                if (cfg->cpus > 0)
                        q = MIN(q, (uint64_t)cfg->cpus * period);
                l->cpu_quota_us = q == CG_UNLIMITED ? CG_UNLIMITED : MAX(q, 1000ULL);
        }
        if (WANT("CPUMASK", cfg->cpumask != NULL))
                l->cpuset = !cfg->cpumask || streq(cfg->cpumask, "all") ? "" : cfg->cpumask;
        else if (!cfg->cpumask && WANT("CPUS", cfg->cpus > 0)) {
                /* an explicit CPUMASK wins; else --cpus pins (and its removal unpins) */
                const char *pin = cfg->cpus > 0 ? cpus_pinned(c->id, cfg->cpus) : NULL;
                l->cpuset = pin ? pin : "";
        }
        if (WANT("NUMPROC", cfg->numproc_limit != CT_U64_UNSET))
                l->pids_max = cfg->numproc_limit == CT_U64_UNSET ? CG_UNLIMITED : cfg->numproc_limit;
        bool io = WANT("IOLIMIT", cfg->iolimit != CT_U64_UNSET) ||
                  WANT("IOPSLIMIT", cfg->iopslimit != CT_U64_UNSET);
        if (io) {
                int r = private_disk(cfg->ve_private, &l->io_major, &l->io_minor);
                if (r < 0)
                        return log_error_errno(
                                r,
                                "IOLIMIT/IOPSLIMIT of CT %u need the block device under its private "
                                "area %s: %m (tmpfs or overlay have none)",
                                c->id, cfg->ve_private);
                if (WANT("IOLIMIT", cfg->iolimit != CT_U64_UNSET))
                        l->io_rbps = l->io_wbps = cfg->iolimit == CT_U64_UNSET || cfg->iolimit == 0
                                                          ? CG_UNLIMITED
                                                          : cfg->iolimit;
                if (WANT("IOPSLIMIT", cfg->iopslimit != CT_U64_UNSET))
                        l->io_riops = l->io_wiops = cfg->iopslimit == CT_U64_UNSET || cfg->iopslimit == 0
                                                            ? CG_UNLIMITED
                                                            : cfg->iopslimit;
        }
        if (WANT("IOPRIO", cfg->ioprio >= 0)) {
                static const uint64_t weight[8] = { 10, 25, 50, 75, 100, 250, 500, 1000 };
                l->io_weight = weight[cfg->ioprio >= 0 ? cfg->ioprio : 4];
        }
#undef WANT
        return 0;
}

int ct_apply_limits(ct *c, cg_ct *cg, const struct ct_change *changes, size_t n, bool warn)
{
        cg_limits l;
        bool implicit_swap;
        int r = ct_build_limits(c, changes, n, &l, &implicit_swap);
        if (r < 0)
                return r;
        return ct_set_built_limits(c, cg, &l, implicit_swap, warn);
}

/* The option an operator sets a cgroup file with, for messages. */
static const char *option_of_file(const char *file)
{
        static const struct {
                const char *prefix, *option;
        } map[] = {
                { "memory.memsw", "--swap" },
                { "memory.swap", "--swap" },
                { "memory.soft_limit", "--memguarantee" },
                { "memory.low", "--memguarantee" },
                { "memory", "--ram" },
                { "cpu.shares", "--cpuunits" },
                { "cpu.weight", "--cpuunits" },
                { "cpu", "--cpulimit/--cpus" },
                { "cpuset", "--cpumask" },
                { "pids", "--numproc" },
                { "blkio.throttle", "--iolimit/--iopslimit" },
                { "io.max", "--iolimit/--iopslimit" },
                { "blkio", "--ioprio" },
                { "io", "--ioprio" },
        };
        for (size_t i = 0; file && i < ELEMENTSOF(map); i++)
                if (strncmp(file, map[i].prefix, strlen(map[i].prefix)) == 0)
                        return map[i].option;
        return "a resource limit";
}

/* The io weight files (IOPRIO): a disk whose scheduler has no weights (no BFQ, no iocost) lacks them. */
static bool is_io_weight_file(const char *what)
{
        return what && (strncmp(what, "blkio.", 6) == 0 || strncmp(what, "io.", 3) == 0) &&
               strstr(what, "weight");
}

int ct_set_built_limits(ct *c, cg_ct *cg, const cg_limits *limits, bool implicit_swap, bool warn)
{
        cg_limits l = *limits;
        const char *what = NULL;
        int r;

        for (;;) {
                r = cg_ct_set_limits(cg, &l, &what);
                if (r == -EOPNOTSUPP && implicit_swap && l.swap_max != CG_UNSET && what &&
                    strstr(what, "swap")) {
                        /* no swap accounting on this host: the RAM limit alone */
                        log_debug("CT %u: the host does not account swap (%s); RAM limit only", c->id, what);
                        l.swap_max = CG_UNSET;
                        continue;
                }
                if (r == -EOPNOTSUPP && l.io_weight != CG_UNSET && is_io_weight_file(what)) {
                        /* IOPRIO is a priority, as in OpenVZ: where the disk's scheduler has no weights the
                         * CT runs without one, and says so */
                        if (warn)
                                log_warning("CT %u: --ioprio %d has no effect on this host: %s is missing "
                                            "(the disk's IO scheduler has no weights; BFQ, e.g. echo bfq > "
                                            "/sys/block/DISK/queue/scheduler, gives them), ignoring",
                                            c->id, c->cfg.ioprio, what);
                        l.io_weight = CG_UNSET;
                        continue;
                }
                break;
        }
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "CT %u: this host's cgroups cannot apply %s: %s is missing", c->id,
                                       option_of_file(what), what ? what : "?");
        if ((r == -ERANGE || r == -EINVAL) && what && streq(what, "cpuset.cpus")) {
                _cleanup_free_ char *online = NULL;
                (void)read_one_line_at(AT_FDCWD, "/sys/devices/system/cpu/online", &online);
                return log_error_errno(r,
                                       "CT %u: --cpumask %s names CPUs this host does not have (it has %s)",
                                       c->id, l.cpuset, online ? online : "?");
        }
        if (r < 0)
                return log_error_errno(r, "Failed to apply %s of CT %u (%s): %m", option_of_file(what),
                                       c->id, what ? what : "?");
        return 0;
}

static bool is_limit_key(const char *key)
{
        static const char *const keys[] = { "PHYSPAGES", "SWAPPAGES", "MEMGUARANTEE", "CPUUNITS",
                                            "CPULIMIT",  "CPUS",      "CPUMASK",      "NUMPROC",
                                            "IOLIMIT",   "IOPSLIMIT", "IOPRIO" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (streq(key, keys[i]))
                        return true;
        return false;
}

int ct_check_limits(ct *c, const struct ct_change *changes, size_t n)
{
        bool any = false, ioprio = false;
        int r;

        for (size_t i = 0; i < n; i++) {
                any = any || is_limit_key(changes[i].key);
                ioprio = ioprio || streq(changes[i].key, "IOPRIO");
        }
        if (!any)
                return 0;
        /* the CT as start would see it: its saved config with the changes */
        _cleanup_ct_ ct *p = NULL;
        r = ct_load(c->paths, c->id, false, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to read the config of CT %u: %m", c->id);
        for (size_t i = 0; i < n; i++) {
                const struct ct_key *k = ct_key_by_name(changes[i].key);
                if (k && changes[i].value && (r = ct_config_set_value(&p->cfg, k, changes[i].value)) < 0)
                        return log_error_errno(r, "CT %u: bad value \"%s\" for %s", c->id, changes[i].value,
                                               k->key);
        }
        cg_limits l;
        bool implicit_swap;
        r = ct_build_limits(p, NULL, 0, &l, &implicit_swap);
        if (r < 0)
                return r;
        /* a scratch cgroup beside the CT's: the kernel's own verdict, with nothing of the CT's touched */
        char name[32];
        snprintf(name, sizeof(name), "%u.check", c->id);
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        r = cg_ct_open(p->cfg.cgroup_parent, name, true, &cg);
        if (r < 0)
                return log_error_errno(r, "Failed to make the cgroup %s/%s to check the limits of CT %u: %m",
                                       p->cfg.cgroup_parent, name, c->id);
        /* a saved IOPRIO this host cannot apply was warned about when it was set, and at every start */
        r = ct_set_built_limits(p, cg, &l, implicit_swap, ioprio);
        int k = cg_ct_destroy(cg);
        if (k < 0)
                log_warning_errno(k, "Cannot remove the cgroup %s/%s: %m, ignoring", p->cfg.cgroup_parent,
                                  name);
        return r;
}

int ct_get_stats(ct *c, cg_stats *ret)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        int r = ct_open_cgroup(c, false, &cg);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;
        if (cg_ct_populated(cg) <= 0)
                return -ESRCH;
        return cg_ct_get_stats(cg, ret);
}

static uint64_t cpu_limit_percent(const struct ct_config *c, unsigned host_cpus)
{
        uint64_t p = UINT64_MAX;
        if (c->cpulimit > 0)
                p = c->cpulimit_of_host ? (uint64_t)c->cpulimit * host_cpus : c->cpulimit;
        if (c->cpus > 0)
                p = MIN(p, (uint64_t)c->cpus * 100);
        return p;
}

int ct_get_commitment(struct ct_paths *p, ct *extra, ct_commitment *ret)
{
        _cleanup_free_ unsigned *ids = NULL;
        size_t n;
        ct_commitment m = { .host_mem = host_mem_total(),
                            .host_cpus = (unsigned)MAX(sysconf(_SC_NPROCESSORS_ONLN), 1L) };
        int r = ct_list_ids(p, &ids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i <= n; i++) {
                ct *c = NULL;
                bool own = false;
                if (i == n) {
                        if (!extra)
                                break;
                        c = extra;
                } else {
                        if (extra && ids[i] == extra->id)
                                continue;
                        /* a CT whose config cannot be parsed still runs and uses the host: counted with
                         * the defaults (no limits), and reported */
                        if (ct_load_lenient(p, ids[i], &c) < 0)
                                continue;
                        own = true;
                        if (c->config_error)
                                m.invalid++;
                        ct_status st;
                        if (ct_get_status(c, &st) < 0 || !st.running) {
                                ct_free(c);
                                continue;
                        }
                }
                m.running++;
                m.mem_guaranteed += ct_mem_guarantee_bytes(&c->cfg);
                if (c->cfg.ram_limit == CT_U64_UNSET || c->cfg.ram_limit == UINT64_MAX)
                        m.mem_unlimited++;
                else
                        m.mem_limited += c->cfg.ram_limit;
                uint64_t cpu = cpu_limit_percent(&c->cfg, m.host_cpus);
                if (cpu == UINT64_MAX)
                        m.cpu_unlimited++;
                else
                        m.cpu_limited += cpu;
                m.cpuunits += c->cfg.cpuunits ? c->cfg.cpuunits : 1000;
                if (own)
                        ct_free(c);
        }
        *ret = m;
        return 0;
}
