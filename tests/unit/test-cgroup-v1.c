/* cgroups/: the v1/hybrid backend finds the host's hierarchies with statmount(2) as it would from
 * mountinfo, also where a mount covers one of them. Root (a private mount namespace); skipped where the
 * host has no v1 hierarchies or the kernel cannot answer (before Linux 6.11). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroups/cgroup-internal.h"
#include "test-helpers.h"

static char by_statmount[8192], by_mountinfo[8192], by_any[8192];

static void compare(const char *where, int expect_min)
{
        int a = cg_v1_hierarchies_describe(CG_V1_FROM_STATMOUNT, by_statmount, sizeof(by_statmount));
        int b = cg_v1_hierarchies_describe(CG_V1_FROM_MOUNTINFO, by_mountinfo, sizeof(by_mountinfo));
        int c = cg_v1_hierarchies_describe(CG_V1_FROM_ANY, by_any, sizeof(by_any));
        printf("%s: %d hierarchies\n%s", where, a, by_statmount);
        CHECK(a >= expect_min);
        CHECK(a == b);
        CHECK(a == c);
        CHECK_STREQ(by_statmount, by_mountinfo);
        CHECK_STREQ(by_any, by_statmount);
}

int main(void)
{
        struct statfs sfs;
        if (geteuid() != 0) {
                printf("SKIP: needs root (a private mount namespace)\n");
                return 77;
        }
        if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type == CGROUP2_SUPER_MAGIC) {
                printf("SKIP: /sys/fs/cgroup is a cgroup2 mount: the host has no v1 hierarchies\n");
                return 77;
        }
        int r = cg_v1_hierarchies_describe(CG_V1_FROM_STATMOUNT, by_statmount, sizeof(by_statmount));
        if (r == -EOPNOTSUPP) {
                printf("SKIP: this kernel cannot list the hierarchies with statmount (Linux 6.11)\n");
                return 77;
        }
        CHECK(r > 0);
        compare("host", 1);

        /* in a private mount namespace: a tmpfs over one hierarchy (as bench/run hides the hybrid
         * layout's cgroup2), and 200 unrelated mounts, which statmount never looks at */
        char dir[] = "/tmp/vpsctl-test-cg1.XXXXXX";
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                return 1;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        perror("private mount namespace");
                        _exit(2);
                }
                int before = cg_v1_hierarchies_describe(CG_V1_FROM_ANY, by_any, sizeof(by_any));
                char first[4096];
                if (before < 1 || sscanf(by_any, "%4095s", first) != 1 ||
                    mount("tmpfs", first, "tmpfs", 0, "size=4k") < 0) {
                        perror("tmpfs over a hierarchy");
                        _exit(2);
                }
                if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") < 0) {
                        perror("scratch tmpfs");
                        _exit(2);
                }
                for (int i = 0; i < 200; i++) {
                        char p[256];
                        snprintf(p, sizeof(p), "%s/%d", dir, i);
                        if (mkdir(p, 0700) < 0 || mount("tmpfs", p, "tmpfs", 0, "size=4k") < 0) {
                                perror("mount");
                                _exit(2);
                        }
                }
                compare("covered, 200 more mounts", 0);
                CHECK(cg_v1_hierarchies_describe(CG_V1_FROM_ANY, by_any, sizeof(by_any)) == before - 1);
                char line[4100];
                snprintf(line, sizeof(line), "%s ", first);
                CHECK(strncmp(by_any, line, strlen(line)) != 0 && !strstr(by_any, line));
                int rc = t_finish();
                fflush(stdout);
                _exit(rc);
        }
        int st;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(rmdir(dir) == 0);
        return t_finish();
}
