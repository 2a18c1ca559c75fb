/* Unit tests: config.json of an OCI bundle (runtime/oci-spec.c): spec's default parses, every field lands
 * where it belongs, and what vpsctl does not support is refused by its JSON path. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/oci-spec.h"
#include "test-helpers.h"

static char err[512];

static struct oci_spec *parse(const char *json)
{
        struct oci_spec *s = NULL;
        err[0] = 0;
        int r = oci_spec_parse(json, strlen(json), &s, err, sizeof(err));
        if (r < 0)
                fprintf(stderr, "parse failed: %s\n", err);
        return s;
}

/* parse must fail with -EINVAL and a message containing want */
static void refused(const char *json, const char *want)
{
        struct oci_spec *s = NULL;
        err[0] = 0;
        int r = oci_spec_parse(json, strlen(json), &s, err, sizeof(err));
        CHECK(r == -EINVAL && !s);
        if (!strstr(err, want)) {
                t_failed++;
                fprintf(stderr, "expected an error with \"%s\", got \"%s\" for %s\n", want, err, json);
        } else
                t_passed++;
        oci_spec_free(s);
}

#define HEAD            "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
#define PROC            "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}"
#define MIN_SPEC(linux) HEAD PROC ",\"linux\":{" linux "}}"

static void test_default(void)
{
        struct oci_spec *s = parse(oci_spec_default_json);
        CHECK(s != NULL);
        if (!s)
                return;
        CHECK_STREQ(s->oci_version, "1.0.2");
        CHECK(s->process.terminal);
        CHECK_STREQ(s->process.args[0], "sh");
        CHECK(s->process.args[1] == NULL);
        CHECK_STREQ(s->process.cwd, "/");
        CHECK(s->process.has_caps);
        CHECK(s->process.caps[0] == ((1ULL << 29) | (1ULL << 5) | (1ULL << 10))); /* AUDIT_WRITE KILL NBS */
        CHECK(s->process.caps[2] == 0);                                           /* no inheritable */
        CHECK(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
              s->process.rlimits[0].soft == 1024);
        CHECK(s->process.no_new_privileges);
        CHECK_STREQ(s->root_path, "rootfs");
        CHECK(s->root_readonly);
        CHECK_STREQ(s->hostname, "vpsctl");
        CHECK(s->n_mounts == 6);
        CHECK_STREQ(s->mounts[1].destination, "/dev");
        CHECK_STREQ(s->mounts[1].options[3], "size=65536k");
        CHECK(s->n_namespaces == 6 && s->namespaces[5].type == CLONE_NEWCGROUP && !s->namespaces[5].path);
        CHECK(s->resources.n_devices == 1 && !s->resources.devices[0].allow &&
              s->resources.devices[0].type == 'a' && s->resources.devices[0].major == -1);
        CHECK_STREQ(s->masked_paths[0], "/proc/acpi");
        CHECK_STREQ(s->readonly_paths[4], "/proc/sysrq-trigger");
        CHECK(s->seccomp == NULL);
        oci_spec_free(s);
}

static void test_fields(void)
{
        struct oci_spec *s = parse(
                "{\"ociVersion\":\"1.1.0-rc.1\",\"root\":{\"path\":\"/b/rootfs\",\"readonly\":false},"
                "\"process\":{\"terminal\":false,\"consoleSize\":{\"height\":25,\"width\":80},"
                "\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
                "\"args\":[\"/bin/sleep\",\"100\"],\"env\":[\"A=1\"],\"cwd\":\"/tmp\",\"oomScoreAdj\":-5,"
                "\"rlimits\":[{\"type\":\"RLIMIT_NPROC\",\"soft\":10,\"hard\":20}]},"
                "\"annotations\":{\"org.example\":\"x\"},"
                "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}],"
                "\"poststop\":[{\"path\":\"/bin/false\"}]},"
                "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/netns/"
                "x\"},{\"type\":\"user\"}],"
                "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
                "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
                "\"cgroupsPath\":\"/vpsctl-oci/x\",\"rootfsPropagation\":\"rslave\","
                "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
                "\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":-1},"
                "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\"},"
                "\"pids\":{\"limit\":64},"
                "\"blockIO\":{\"weight\":100,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":"
                "1048576}]},"
                "\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}]},"
                "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
                "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
                "\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
                "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}}}");
        CHECK(s != NULL);
        if (!s)
                return;
        CHECK(s->process.uid == 1000 && s->process.gid == 100);
        CHECK(s->process.umask.set && s->process.umask.v == 18);
        CHECK(s->process.n_additional_gids == 2 && s->process.additional_gids[1] == 6);
        CHECK(s->process.console_height == 25 && s->process.console_width == 80);
        CHECK(s->process.oom_score_adj.set && s->process.oom_score_adj.v == -5);
        CHECK(!s->process.has_caps);
        CHECK(s->process.rlimits[0].resource == RLIMIT_NPROC && s->process.rlimits[0].hard == 20);
        CHECK_STREQ(s->process.env[0], "A=1");
        CHECK(s->n_annotations == 1);
        CHECK_STREQ(s->annotations[0].key, "org.example");
        CHECK(s->n_hooks[OCI_HOOK_PRESTART] == 1 && s->hooks[OCI_HOOK_PRESTART][0].timeout.v == 5);
        CHECK_STREQ(s->hooks[OCI_HOOK_POSTSTOP][0].path, "/bin/false");
        CHECK(s->n_hooks[OCI_HOOK_POSTSTART] == 0);
        CHECK(s->namespaces[0].type == CLONE_NEWNET);
        CHECK_STREQ(s->namespaces[0].path, "/run/netns/x");
        CHECK(s->n_uid_mappings == 1 && s->uid_mappings[0].host_id == 100000 &&
              s->uid_mappings[0].size == 65536);
        CHECK(s->n_gid_mappings == 1);
        CHECK_STREQ(s->cgroups_path, "/vpsctl-oci/x");
        CHECK_STREQ(s->rootfs_propagation, "rslave");
        CHECK(s->n_sysctl == 1);
        CHECK_STREQ(s->sysctl[0].value, "1");
        CHECK(s->resources.memory_limit.v == 67108864 && s->resources.memory_swap.v == -1);
        CHECK(s->resources.cpu_shares.v == 512 && s->resources.cpu_quota.v == 50000 &&
              s->resources.cpu_period.v == 100000);
        CHECK_STREQ(s->resources.cpu_cpus, "0");
        CHECK(s->resources.pids_limit.set && s->resources.pids_limit.v == 64);
        CHECK(s->resources.blkio_weight.v == 100);
        CHECK(s->resources.n_blkio_throttle[0] == 1 && s->resources.blkio_throttle[0][0].rate == 1048576);
        CHECK(s->resources.devices[0].allow && s->resources.devices[0].type == 'c' &&
              s->resources.devices[0].minor == 3);
        CHECK_STREQ(s->resources.devices[0].access, "rw");
        CHECK(s->seccomp != NULL);
        if (!s->seccomp) {
                oci_spec_free(s);
                return;
        }
        CHECK(s->seccomp->default_action == SCMP_ACT_ERRNO(38));
        CHECK(s->seccomp->n_arches == 1 && s->seccomp->arches[0] == SCMP_ARCH_X86_64);
        CHECK(s->seccomp->flag_log && !s->seccomp->flag_spec_allow);
        CHECK(s->seccomp->n_rules == 3 && s->seccomp->rules[0].action == SCMP_ACT_ALLOW);
        CHECK(s->seccomp->rules[1].n_args == 1 && s->seccomp->rules[1].args[0].op == SCMP_CMP_EQ &&
              s->seccomp->rules[1].args[0].value == 8);
        CHECK(s->seccomp->rules[2].action == SCMP_ACT_ERRNO(1));
        oci_spec_free(s);
}

static void test_refused(void)
{
        /* not supported: named by path */
        refused(MIN_SPEC("\"intelRdt\":{\"closID\":\"x\"}"), "linux.intelRdt is not supported");
        refused(MIN_SPEC("\"devices\":[{\"path\":\"/dev/fuse\"}]"), "linux.devices is not supported");
        refused(MIN_SPEC("\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}"),
                "linux.resources.hugepageLimits is not supported");
        refused(MIN_SPEC("\"resources\":{\"memory\":{\"kernel\":1}}"),
                "linux.resources.memory.kernel is not supported");
        refused(MIN_SPEC("\"resources\":{\"cpu\":{\"realtimeRuntime\":1}}"),
                "linux.resources.cpu.realtimeRuntime is not supported");
        refused(MIN_SPEC("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}"),
                "SCMP_ACT_NOTIFY\" is not supported");
        refused(MIN_SPEC("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\"}"),
                "linux.seccomp.listenerPath is not supported");
        refused(MIN_SPEC("\"namespaces\":[{\"type\":\"time\"}]"), "\"time\" is not supported");
        refused(MIN_SPEC("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]"), "given twice");
        refused(MIN_SPEC("\"mountLabel\":\"x\""), "linux.mountLabel is not supported");
        refused(HEAD PROC ",\"linux\":{},\"domainname\":\"x\"}", "domainname is not supported");
        refused(HEAD PROC ",\"linux\":{},\"windows\":{}}", "windows is not supported");
        refused(HEAD PROC ",\"linux\":{},\"hooks\":{\"prestart\":[{\"path\":\"/x\",\"foo\":1}]}}",
                "hooks.prestart[0].foo is not supported");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"username\":\"x\"},\"args\":[\"sh\"],"
                     "\"cwd\":\"/\"},"
                     "\"linux\":{}}",
                "process.user.username is not supported");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                     "\"apparmorProfile\":\"p\"},\"linux\":{}}",
                "process.apparmorProfile is not supported");
        /* empty is fine */
        struct oci_spec *s =
                parse(MIN_SPEC("\"devices\":[],\"mountLabel\":\"\",\"resources\":{\"unified\":{}}"));
        CHECK(s != NULL);
        oci_spec_free(s);

        /* malformed */
        refused("{", "not valid JSON");
        refused("{} {}", "not valid JSON");
        refused("[]", "config.json must be an object");
        refused("{\"ociVersion\":\"2.0.0\"}", "ociVersion \"2.0.0\" is not supported");
        refused("{\"ociVersion\":\"1.3.0\"}", "1.0.x to 1.2.x");
        refused("{\"ociVersion\":\"1.0.0\"}", "process is missing");
        refused(HEAD "\"linux\":{}}", "process is missing");
        refused(HEAD PROC "}", "linux is missing");
        refused("{\"ociVersion\":\"1.0.0\"," PROC ",\"linux\":{}}", "root is missing");
        refused(HEAD "\"process\":{\"user\":{\"uid\":-1,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/"
                     "\"},\"linux\":{}}",
                "process.user.uid is out of range");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[],\"cwd\":\"/\"},\"linux\":{}}",
                "process.args must name a program");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"tmp\"},"
                     "\"linux\":{}}",
                "process.cwd must be an absolute path");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\",1],\"cwd\":\"/"
                     "\"},\"linux\":{}}",
                "process.args[1] must be a string");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                     "\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}},\"linux\":{}}",
                "process.capabilities.bounding[0]: \"CAP_NOPE\"");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                     "\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]},\"linux\":{}}",
                "process.rlimits[0].type: \"RLIMIT_FOO\"");
        refused(HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                     "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]},\"linux\":{}}",
                "soft is above hard");
        refused(MIN_SPEC("\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}]"),
                "linux.uidMappings[0]");
        refused(MIN_SPEC("\"resources\":{\"cpu\":{\"shares\":1}}"),
                "linux.resources.cpu.shares is out of range");
        refused(MIN_SPEC("\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}"),
                "linux.resources.devices[0].access");
        refused(MIN_SPEC("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_"
                         "NOPE\"]}"),
                "linux.seccomp.architectures[0]");
        refused(MIN_SPEC("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
                         "\"read\"],"
                         "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_"
                         "CMP_EQ\"}]}]}"),
                "linux.seccomp.syscalls[0].args[0].index is out of range");
        refused(MIN_SPEC("\"rootfsPropagation\":\"sideways\""), "not a mount propagation");
        refused(MIN_SPEC("\"sysctl\":{\"a\":1}"), "linux.sysctl.a must be a string");
}

/* exec --process FILE: a process object replaces the config's, checked as config.json's process is */
static void test_process_file(void)
{
        struct oci_spec *s = parse(MIN_SPEC(""));
        CHECK(s != NULL);
        if (!s)
                return;
        const char *p = "{\"args\":[\"id\",\"-u\"],\"cwd\":\"/tmp\",\"user\":{\"uid\":1000,\"gid\":100},"
                        "\"env\":[\"A=1\"]}";
        CHECK(oci_spec_parse_process(p, strlen(p), s, err, sizeof(err)) == 0);
        CHECK_STREQ(s->process.args[0], "id");
        CHECK_STREQ(s->process.args[1], "-u");
        CHECK(s->process.args[2] == NULL);
        CHECK_STREQ(s->process.cwd, "/tmp");
        CHECK(s->process.uid == 1000 && s->process.gid == 100);
        CHECK_STREQ(s->process.env[0], "A=1");
        const char *bad =
                "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"selinuxLabel\":\"x\"}";
        err[0] = 0;
        CHECK(oci_spec_parse_process(bad, strlen(bad), s, err, sizeof(err)) == -EINVAL);
        CHECK(strstr(err, "process.selinuxLabel") != NULL);
        const char *broken = "{\"args\":";
        CHECK(oci_spec_parse_process(broken, strlen(broken), s, err, sizeof(err)) == -EINVAL);
        CHECK(strstr(err, "not one valid JSON object") != NULL);
        oci_spec_free(s);
}

/* update --resources FILE: a linux.resources object alone, checked as config.json's is */
static void test_resources_file(void)
{
        struct oci_spec *s = NULL;
        const char *r = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":7}}";
        CHECK(oci_spec_parse_resources(r, strlen(r), &s, err, sizeof(err)) == 0);
        CHECK(s && s->resources.memory_limit.set && s->resources.memory_limit.v == 1048576);
        CHECK(s && s->resources.pids_limit.set && s->resources.pids_limit.v == 7);
        CHECK(s && !s->resources.cpu_quota.set);
        oci_spec_free(s);
        s = NULL;
        const char *bad = "{\"unified\":{\"memory.high\":\"1\"}}";
        err[0] = 0;
        CHECK(oci_spec_parse_resources(bad, strlen(bad), &s, err, sizeof(err)) == -EINVAL && !s);
        CHECK(strstr(err, "linux.resources.unified") != NULL);
        const char *arr = "[1]";
        CHECK(oci_spec_parse_resources(arr, strlen(arr), &s, err, sizeof(err)) == -EINVAL && !s);
}

int main(void)
{
        test_default();
        test_fields();
        test_refused();
        test_process_file();
        test_resources_file();
        return t_finish();
}
