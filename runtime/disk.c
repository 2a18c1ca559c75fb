/* DISKSPACE and DISKINODES: the CT's private area as one project of the filesystem's project quota
 * (templates/quota.c), its project id the CTID. The limits are filesystem state, set whenever the root is
 * mounted (start, mount) and by a live `set`; what the config says is what the filesystem gets, so a
 * hand-edited config or a moved private area is put right at the next start. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "engine-internal.h"
#include "templates/templates.h"

static uint64_t limit_of(uint64_t v)
{
        return v == CT_U64_UNSET || v == UINT64_MAX ? 0 : v;
}

static bool limited(const uint64_t space[2], const uint64_t inodes[2])
{
        return limit_of(space[0]) || limit_of(space[1]) || limit_of(inodes[0]) || limit_of(inodes[1]);
}

bool ct_disk_limited(const struct ct_config *cfg)
{
        const uint64_t space[2] = { cfg->diskspace_soft, cfg->diskspace_hard };
        const uint64_t inodes[2] = { cfg->diskinodes_soft, cfg->diskinodes_hard };
        return limited(space, inodes);
}

/* Refused, saying which filesystem and how to enable its project quota: never silently unlimited. */
static int unsupported(ct *c, const char *why)
{
        log_error("CT %u: DISKSPACE/DISKINODES cannot be enforced: the private area %s; or set "
                  "--diskspace unlimited --diskinodes unlimited",
                  c->id, why);
        return -CT_ENOQUOTA;
}

int ct_disk_check(ct *c, const struct ct_change *changes, size_t n)
{
        uint64_t space[2] = { c->cfg.diskspace_soft, c->cfg.diskspace_hard };
        uint64_t inodes[2] = { c->cfg.diskinodes_soft, c->cfg.diskinodes_hard };
        bool touched = false;
        for (size_t i = 0; i < n; i++) {
                bool sp = streq(changes[i].key, "DISKSPACE"), in = streq(changes[i].key, "DISKINODES");
                if (!sp && !in)
                        continue;
                touched = true;
                uint64_t *pair = sp ? space : inodes;
                if (!changes[i].value) {
                        pair[0] = pair[1] = CT_U64_UNSET;
                        continue;
                }
                const struct ct_key *k = ct_key_by_name(changes[i].key);
                int r = k->parse(k, changes[i].value, pair);
                if (r < 0)
                        return r; /* set parsed it already */
        }
        if (!touched || !limited(space, inodes))
                return 0;
        char why[2048];
        int r = tmpl_quota_supported(c->cfg.ve_private, why, sizeof(why));
        if (r < 0)
                return log_error_errno(r, "CT %u: cannot tell whether %s has project quota: %m", c->id,
                                       c->cfg.ve_private);
        return r == 0 ? unsupported(c, why) : 0;
}

int ct_disk_apply(ct *c)
{
        int r = tmpl_quota_supported(c->cfg.ve_private, NULL, 0);
        if (r < 0)
                return log_error_errno(r, "CT %u: cannot tell whether %s has project quota: %m", c->id,
                                       c->cfg.ve_private);
        if (r == 0) {
                if (!ct_disk_limited(&c->cfg))
                        return 0;
                char why[2048];
                (void)tmpl_quota_supported(c->cfg.ve_private, why, sizeof(why));
                return unsupported(c, why);
        }
        /* once per private area (a no-op when its top carries the id): what was created before the
         * filesystem had project quota, or before this CT had a limit, is counted too */
        r = tmpl_quota_tag(c->cfg.ve_private, c->id);
        if (r < 0)
                return log_error_errno(r, "CT %u: failed to give the files of %s project id %u: %m", c->id,
                                       c->cfg.ve_private, c->id);
        tmpl_quota q = {
                .space_soft = limit_of(c->cfg.diskspace_soft),
                .space_hard = limit_of(c->cfg.diskspace_hard),
                .inodes_soft = limit_of(c->cfg.diskinodes_soft),
                .inodes_hard = limit_of(c->cfg.diskinodes_hard),
        };
        /* one side given: the other is the same (the kernel treats 0 as none) */
        if (!q.space_soft)
                q.space_soft = q.space_hard;
        if (!q.inodes_soft)
                q.inodes_soft = q.inodes_hard;
        r = tmpl_quota_set(c->cfg.ve_private, c->id, &q);
        if (r < 0)
                return log_error_errno(r, "CT %u: failed to set the disk quota of project %u on %s: %m",
                                       c->id, c->id, c->cfg.ve_private);
        return 0;
}

bool ct_disk_root_exempt(ct *c, pid_t init)
{
        char path[64], line[256];
        if (ct_userns(&c->cfg))
                return false; /* its root holds no capability over the host's filesystems */
        snprintf(path, sizeof(path), "/proc/%d/status", (int)init);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        bool exempt = false;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long bnd;
                if (sscanf(line, "CapBnd: %llx", &bnd) == 1) {
                        exempt = bnd & (1ULL << CAP_SYS_RESOURCE);
                        break;
                }
        }
        fclose(f);
        return exempt;
}

void ct_disk_clear(ct *c)
{
        if (tmpl_quota_supported(c->cfg.ve_private, NULL, 0) <= 0)
                return;
        const tmpl_quota none = {};
        (void)tmpl_quota_set(c->cfg.ve_private, c->id, &none);
}

int ct_get_disk_usage(ct *c, ct_disk_usage *ret)
{
        int r = tmpl_quota_supported(c->cfg.ve_private, NULL, 0);
        if (r <= 0)
                return r < 0 ? r : -EOPNOTSUPP;
        r = tmpl_quota_tagged(c->cfg.ve_private, c->id);
        if (r <= 0)
                return r < 0 ? r : -EOPNOTSUPP; /* not counted yet: its first start or set tags it */
        tmpl_quota_usage u;
        r = tmpl_quota_get(c->cfg.ve_private, c->id, &u);
        if (r < 0)
                return r;
        *ret = (ct_disk_usage){
                .space_used = u.space_used,
                .inodes_used = u.inodes_used,
                .space_soft = u.limits.space_soft,
                .space_hard = u.limits.space_hard,
                .inodes_soft = u.limits.inodes_soft,
                .inodes_hard = u.limits.inodes_hard,
        };
        return 0;
}
