/* Device access of a CT: an allow-list, default deny. v1: the devices controller (devices.deny "a", then
 * devices.allow per rule); v2: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the CT's cgroup, as the
 * kernel's cgroup-v2 documentation describes ("Device controller"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "base/fileio.h"
#include "cgroup-internal.h"

/* One line of devices.allow / devices.deny: "c 1:3 rwm", "b *:* m". */
static int v1_rule(int fd, const cg_device_rule *rule)
{
        char line[64], maj[16], min[16];
        snprintf(maj, sizeof(maj), rule->major < 0 ? "*" : "%d", rule->major);
        snprintf(min, sizeof(min), rule->minor < 0 ? "*" : "%d", rule->minor);
        snprintf(line, sizeof(line), "%c %s:%s %s%s%s", rule->type, maj, min,
                 rule->access & CG_DEV_READ ? "r" : "", rule->access & CG_DEV_WRITE ? "w" : "",
                 rule->access & CG_DEV_MKNOD ? "m" : "");
        return write_string_at(fd, rule->allow ? "devices.allow" : "devices.deny", line);
}

static int v1_apply(int fd, const cg_device_rule *rules, size_t n)
{
        /* deny everything first: the rules below are the whole list (a running CT keeps its open fds) */
        int r = write_string_at(fd, "devices.deny", "a");
        if (r < 0)
                return r;
        /* allows first, then the denies that take exceptions back out */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < n; i++)
                        if (rules[i].allow == (pass == 0) && (r = v1_rule(fd, &rules[i])) < 0)
                                return r;
        return 0;
}

/* eBPF instructions (the uapi has the opcodes, not the kernel's helper macros) */
#define INSN(c, d, s, o, i) \
        ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o)   INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_REG(d, s)    INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define AND_IMM(d, i)    INSN(BPF_ALU | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i)    INSN(BPF_ALU | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define MOV_IMM(d, i)    INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT()           INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define JNE_REG(d, s, o) INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)

/* The program: r2 = type, r3 = access, r4 = major, r5 = minor; one block per rule, first match decides;
 * no match: deny. */
static int v2_program(const cg_device_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n)
{
        struct bpf_insn *p = calloc(6 + n * 9 + 2, sizeof(*p));
        size_t k = 0;
        if (!p)
                return -ENOMEM;
        /* struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; } */
        p[k++] = LDX_W(2, 1, 0);
        p[k++] = AND_IMM(2, 0xffff);
        p[k++] = LDX_W(3, 1, 0);
        p[k++] = RSH_IMM(3, 16);
        p[k++] = LDX_W(4, 1, 4);
        p[k++] = LDX_W(5, 1, 8);
        for (size_t i = 0; i < n; i++) {
                struct bpf_insn blk[9];
                size_t b = 0;
                int type = rules[i].type == 'a'   ? 0
                           : rules[i].type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                                  : BPF_DEVCG_DEV_CHAR;
                unsigned acc = (rules[i].access & CG_DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
                               (rules[i].access & CG_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0) |
                               (rules[i].access & CG_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
                /* each check jumps past the block's end when it does not match */
                if (type)
                        blk[b++] = JNE_IMM(2, type, 0);
                if (rules[i].major >= 0)
                        blk[b++] = JNE_IMM(4, rules[i].major, 0);
                if (rules[i].minor >= 0)
                        blk[b++] = JNE_IMM(5, rules[i].minor, 0);
                /* the requested access must be within the rule's: (r3 & acc) == r3 */
                blk[b++] = MOV_REG(1, 3);
                blk[b++] = AND_IMM(1, (int)acc);
                blk[b++] = JNE_REG(1, 3, 0);
                blk[b++] = MOV_IMM(0, rules[i].allow ? 1 : 0);
                blk[b++] = EXIT();
                for (size_t j = 0; j < b; j++)
                        if ((blk[j].code == (BPF_JMP | BPF_JNE | BPF_K)) ||
                            (blk[j].code == (BPF_JMP | BPF_JNE | BPF_X)))
                                blk[j].off = (short)(b - 1 - j);
                memcpy(p + k, blk, b * sizeof(*blk));
                k += b;
        }
        p[k++] = MOV_IMM(0, 0);
        p[k++] = EXIT();
        *ret = p;
        *ret_n = k;
        return 0;
}

static int v2_apply(int cgfd, const cg_device_rule *rules, size_t n)
{
        _cleanup_free_ struct bpf_insn *prog = NULL;
        size_t np;
        int r = v2_program(rules, n, &prog, &np);
        if (r < 0)
                return r;
        /* no verifier log: a log that outgrows its buffer fails the load (ENOSPC) */
        union bpf_attr load = {};
        load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        load.insns = (uint64_t)(uintptr_t)prog;
        load.insn_cnt = (uint32_t)np;
        load.license = (uint64_t)(uintptr_t) "GPL";
        int pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
        if (pfd < 0)
                return negative_errno();
        /* one program per CT cgroup: a replacement (live --devices) swaps it atomically */
        union bpf_attr q = {};
        uint32_t ids[8] = { 0 };
        q.query.target_fd = (uint32_t)cgfd;
        q.query.attach_type = BPF_CGROUP_DEVICE;
        q.query.prog_ids = (uint64_t)(uintptr_t)ids;
        q.query.prog_cnt = 8;
        union bpf_attr at = {};
        at.target_fd = (uint32_t)cgfd;
        at.attach_bpf_fd = (uint32_t)pfd;
        at.attach_type = BPF_CGROUP_DEVICE;
        at.attach_flags = BPF_F_ALLOW_MULTI;
        int old = -1;
        if (syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof(q)) == 0 && q.query.prog_cnt > 0) {
                union bpf_attr g = {};
                g.prog_id = ids[0];
                old = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &g, sizeof(g));
                if (old >= 0) {
                        at.attach_flags |= BPF_F_REPLACE;
                        at.replace_bpf_fd = (uint32_t)old;
                }
        }
        r = syscall(SYS_bpf, BPF_PROG_ATTACH, &at, sizeof(at)) < 0 ? negative_errno() : 0;
        safe_close(old);
        safe_close(pfd);
        return r;
}

int cg_ct_set_devices(cg_ct *cg, const cg_device_rule *rules, size_t n)
{
        bool done = false;
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cg_hierarchy *h = &cg->hier[i];
                if (h->fd < 0)
                        continue;
                int r;
                if (h->is_v2 && cg->ops->version == CG_VERSION_V2)
                        r = v2_apply(h->fd, rules, n);
                else if (!h->is_v2 && cg_has_controller(h->controllers, "devices"))
                        r = v1_apply(h->fd, rules, n);
                else
                        continue;
                if (r < 0)
                        return r;
                done = true;
        }
        return done ? 0 : -EOPNOTSUPP;
}
