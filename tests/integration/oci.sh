#!/bin/bash
# vpsctl oci, the OCI runtime command line (runc's), on the real engine: a bundle made from the busybox
# template (its rootfs, `vpsctl oci spec` edited with jq) goes through create/start/state/kill/delete.
# Checked from outside: the states (created, running, paused, stopped), the pid file, the cgroup limits of
# linux.resources, and from inside the process: the hostname, a read-only path, a masked path, an rlimit,
# the capability bounding set, a seccomp rule; the exit status of the process (taken by a subreaper, as
# conmon does); refused fields and verbs fail with a clear error and leave nothing behind.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps --tests)"

OCI_ROOT=$TEST_TMP/oci-state
B=$TEST_TMP/bundle
oci() { timeout -k 5 30 "$VPSCTL" oci --root "$OCI_ROOT" "$@"; }
# the status field of `oci state ID`
oci_status() { oci state "$1" 2>/dev/null | jq -r .status; }
# edit the bundle's config.json with a jq filter
edit() { jq "$@" "$B/config.json" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"; }

echo "# a bundle: the busybox template's files and vpsctl oci spec"
expect_rc 0 vz template build busybox
expect_rc 0 vz template export busybox "$TEST_TMP/busybox.tar"
mkdir -p "$B/rootfs" && tar -C "$B/rootfs" -xf "$TEST_TMP/busybox.tar"
assert_true "the template's files are a rootfs" test -x "$B/rootfs/bin/busybox"
expect_rc 0 oci spec --bundle "$B"
assert_true "spec writes config.json" jq -e '.ociVersion and .process.args and .root.path == "rootfs"' \
        "$B/config.json"
run oci spec --bundle "$B"
assert_eq "$LAST_RC" 44 "spec refuses to overwrite a config.json"
assert_contains "$LAST_ERR" "config.json exists" "and says so"

mkdir -p "$B/rootfs/data" "$B/rootfs/secret"
echo "top secret" >"$B/rootfs/etc/secret"
echo "hidden" >"$B/rootfs/secret/file"
# the process reports what it sees on its stdout (create's, passed through), then waits for SIGTERM
# and exits 7 on it
script='echo host=$(hostname)
echo x >/dev/null && echo devnull=ok
echo nofile=$(ulimit -n)/$(ulimit -Hn)
echo secret=$(cat /etc/secret | wc -c)
echo secretdir=$(ls /secret | wc -l)
touch /data/x 2>/dev/null && echo data=rw || echo data=ro
touch /tmp/x 2>/dev/null && echo tmp=rw || echo tmp=ro
mkdir /tmp/d 2>/dev/null && echo mkdir=ok || echo mkdir=denied
echo capbnd=$(sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status)
echo ready
trap "exit 7" TERM
while :; do sleep 0.1; done'
edit --arg cg "/$VPSCTL_CGROUP_PARENT/oci1" --arg script "$script" '
        .process.terminal = false | .process.args = ["sh", "-c", $script] |
        .hostname = "oci-test" | .root.readonly = false | .linux.cgroupsPath = $cg |
        .process.rlimits = [{ "type": "RLIMIT_NOFILE", "soft": 321, "hard": 654 }] |
        .linux.resources.memory = { "limit": 67108864 } | .linux.resources.pids = { "limit": 64 } |
        .linux.resources.cpu = { "quota": 50000, "period": 100000 } |
        .linux.maskedPaths += ["/etc/secret", "/secret"] | .linux.readonlyPaths += ["/data"] |
        .linux.seccomp = { "defaultAction": "SCMP_ACT_ALLOW",
                           "syscalls": [{ "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                          "errnoRet": 1 }] }'

echo "# create: the process is set up and waits"
# (not through run: the process keeps create's stdout, which must be a file of its own)
oci create --bundle "$B" --pid-file "$TEST_TMP/pid" oci1 >"$TEST_TMP/oci1.out" 2>"$TEST_TMP/oci1.err"
assert_eq "$?" 0 "create oci1 -> 0"
show stderr "$(cat "$TEST_TMP/oci1.err")"
pid=$(cat "$TEST_TMP/pid" 2>/dev/null)
assert_match "$pid" '^[0-9]+$' "--pid-file holds a pid ($pid)"
assert_eq "$(oci_status oci1)" created "state: created"
assert_eq "$(oci state oci1 | jq -r .pid)" "$pid" "state's pid is the pid file's"
assert_eq "$(oci state oci1 | jq -r .bundle)" "$(readlink -f "$B")" "state's bundle"
assert_true "the process lives" test -d "/proc/$pid"
assert_contains "$(ct_pids oci1)" "$pid" "it is in the cgroup of linux.cgroupsPath"
assert_eq "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" 1 "it is PID 1 of its pid namespace"
assert_eq "$(cat "$TEST_TMP/oci1.out")" "" "it has not run the command before start"
mem=$(cg_value oci1 memory.max || cg_value oci1 memory.limit_in_bytes)
assert_eq "$mem" 67108864 "linux.resources.memory.limit is the cgroup's memory limit"
assert_eq "$(cg_value oci1 pids.max)" 64 "linux.resources.pids.limit is pids.max"
cpu=$(cg_value oci1 cpu.max || cg_value oci1 cpu.cfs_quota_us)
assert_match "$cpu" '^50000( 100000)?$' "linux.resources.cpu.quota is the CPU quota"
run oci create --bundle "$B" oci1
assert_eq "$LAST_RC" 44 "a second create of oci1 exits 44"
assert_contains "$LAST_ERR" "exists already" "and says the container exists"

echo "# start: the command runs"
expect_rc 0 oci start oci1
wait_until 10 grep -qx ready "$TEST_TMP/oci1.out"
assert_eq "$(oci_status oci1)" running "state: running"
out=$(cat "$TEST_TMP/oci1.out")
assert_contains "$out" "host=oci-test" "the hostname is config.json's"
assert_contains "$out" "devnull=ok" "the runtime-spec's default devices are allowed (/dev/null)"
assert_contains "$out" "nofile=321/654" "process.rlimits set RLIMIT_NOFILE soft and hard"
assert_contains "$out" "secret=0" "a masked file reads empty"
assert_contains "$out" "secretdir=0" "a masked directory is empty"
assert_contains "$out" "data=ro" "a readonlyPaths directory is read-only"
assert_contains "$out" "tmp=rw" "the rest of the root is writable (root.readonly false)"
assert_contains "$out" "mkdir=denied" "linux.seccomp's rule denies mkdir"
assert_contains "$out" "capbnd=0000000020000420" \
        "the bounding set is process.capabilities.bounding (AUDIT_WRITE, KILL, NET_BIND_SERVICE)"
run oci start oci1
assert_eq "$LAST_RC" 31 "a second start exits 31"
assert_contains "$LAST_ERR" "is running, not created" "and says why"

echo "# ps: the processes of the container's cgroup"
run oci ps --format json oci1
assert_eq "$LAST_RC" 0 "ps --format json -> 0"
assert_eq "$(jq -r --arg p "$pid" 'index($p | tonumber) != null' <<<"$LAST_OUT")" true \
        "ps --format json lists the process's host pid"
assert_eq "$(jq -r 'type == "array" and all(type == "number")' <<<"$LAST_OUT")" true "as a JSON array of numbers"
run oci ps oci1
assert_match "$LAST_OUT" "^$pid +sh -c " "ps's table shows the pid and its command line"

echo "# exec: a process in the running container's namespaces, cgroup and confinement"
run oci exec oci1 sh -c 'hostname; echo pid=$$; mkdir /tmp/e 2>/dev/null && echo mkdir=ok || echo mkdir=denied
sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status; exit 5'
assert_eq "$LAST_RC" 5 "exec returns the process's exit code"
assert_contains "$LAST_OUT" "oci-test" "it runs in the container's UTS namespace"
assert_match "$LAST_OUT" '^pid=[0-9]+$' "and its pid namespace"
assert_true "not as PID 1" eval '! grep -qx pid=1 <<<"$LAST_OUT"'
assert_contains "$LAST_OUT" "mkdir=denied" "under config.json's seccomp filter"
assert_contains "$LAST_OUT" "0000000020000420" "and its bounding set"
cat >"$TEST_TMP/process.json" <<'EOF'
{ "args": ["sh", "-c", "echo from-process-file; id -u; pwd"], "cwd": "/tmp", "user": { "uid": 1000, "gid": 1000 },
  "env": ["PATH=/bin:/sbin:/usr/bin"] }
EOF
run oci exec --process "$TEST_TMP/process.json" oci1
assert_eq "$LAST_RC" 0 "exec --process FILE -> 0"
assert_eq "$LAST_OUT" "from-process-file
1000
/tmp" "the process file's args, user and cwd"
expect_rc 0 oci exec --detach --pid-file "$TEST_TMP/epid" oci1 sleep 30
epid=$(cat "$TEST_TMP/epid" 2>/dev/null)
assert_contains " $(ct_pids oci1 | tr '\n' ' ') " " $epid " "exec --detach: its pid file names a process of the container's cgroup"
run oci exec oci1 no-such-command
assert_eq "$LAST_RC" 8 "exec of a missing command exits 8"
assert_contains "$LAST_ERR" "Cannot execute no-such-command" "and says so"
run oci exec --tty oci1 true
assert_eq "$LAST_RC" 21 "exec --tty without --console-socket is refused (21)"
assert_contains "$LAST_ERR" "needs --console-socket" "and says so"
run python3 - "$VPSCTL" "$OCI_ROOT" "$TEST_TMP/exec-console.sock" <<'EOF'
import os, select, socket, subprocess, sys
vpsctl, root, path = sys.argv[1:4]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
p = subprocess.Popen([vpsctl, "oci", "--root", root, "exec", "--tty", "--console-socket", path, "oci1",
                      "sh", "-c", "tty; test -t 0 && echo stdin-is-a-tty; exit 6"])
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 16, 1)
master = fds[0]
out = b""
while True:
    if not select.select([master], [], [], 10)[0]:
        break
    try:
        chunk = os.read(master, 1024)
    except OSError:
        break  # EIO: the slave side closed with the process
    if not chunk:
        break
    out += chunk
print(out.decode().replace("\r", ""), end="")
print("rc=%d" % p.wait(timeout=30))
EOF
assert_match "$LAST_OUT" '^/dev/pts/[0-9]+$' "exec --tty: the process's stdio is a pty of the container"
assert_contains "$LAST_OUT" "stdin-is-a-tty" "its stdin is a terminal"
assert_contains "$LAST_OUT" "rc=6" "and exec returns its exit code"
show stderr "$LAST_ERR"

echo "# update --resources: the cgroup's limits change, the rest stays"
echo '{ "memory": { "limit": 33554432 }, "pids": { "limit": 32 } }' >"$TEST_TMP/res.json"
expect_rc 0 oci update --resources "$TEST_TMP/res.json" oci1
mem=$(cg_value oci1 memory.max || cg_value oci1 memory.limit_in_bytes)
assert_eq "$mem" 33554432 "update: the memory limit"
assert_eq "$(cg_value oci1 pids.max)" 32 "update: pids.max"
cpu=$(cg_value oci1 cpu.max || cg_value oci1 cpu.cfs_quota_us)
assert_match "$cpu" '^50000( 100000)?$' "update leaves the CPU quota it does not name"
run oci update --resources - oci1 <<<'{ "pids": { "limit": 40 } }'
assert_eq "$LAST_RC" 0 "update --resources - reads stdin"
assert_eq "$(cg_value oci1 pids.max)" 40 "update from stdin: pids.max"
run oci update --resources - oci1 <<<'{ "rdma": { "mlx5_0": { "hcaHandles": 1 } } }'
assert_eq "$LAST_RC" 21 "update with a refused field exits 21"
assert_contains "$LAST_ERR" "linux.resources.rdma" "and names it"
run oci update --memory 1G oci1
assert_eq "$LAST_RC" 20 "runc's update flags are refused (--resources is the one form)"

echo "# pause, resume"
expect_rc 0 oci pause oci1
assert_eq "$(oci_status oci1)" paused "state: paused"
expect_rc 0 oci resume oci1
assert_eq "$(oci_status oci1)" running "state: running again"

echo "# delete refuses a running container; kill stops it"
run oci delete oci1
assert_eq "$LAST_RC" 32 "delete of a running container exits 32"
assert_contains "$LAST_ERR" "delete --force" "and names --force"
expect_rc 0 oci kill oci1 TERM
wait_until 10 eval '[ "$(oci_status oci1)" = stopped ]'
assert_eq "$(oci_status oci1)" stopped "state: stopped after kill TERM"
assert_eq "$(oci state oci1 | jq -r .pid)" 0 "a stopped container has no pid"
run oci kill oci1 KILL
assert_eq "$LAST_RC" 31 "kill of a stopped container exits 31"
run oci exec oci1 true
assert_eq "$LAST_RC" 31 "exec in a stopped container exits 31"
expect_rc 0 oci delete oci1
assert_true "delete removes the state directory" test ! -e "$OCI_ROOT/oci1"
assert_eq "$(ct_cgroups oci1)" "" "delete removes the cgroup"
run oci state oci1
assert_eq "$LAST_RC" 14 "state of a deleted container exits 14"
assert_contains "$LAST_ERR" 'No container "oci1"' "and names it"
expect_rc 0 oci delete --force oci1

echo "# the exit status of the process, to a subreaper (conmon's part for podman)"
edit '.process.args = ["sh", "-c", "trap \"exit 7\" TERM; echo ready; while :; do sleep 0.1; done"] |
        .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci2"'
run python3 - "$VPSCTL" "$OCI_ROOT" "$B" <<'EOF'
import ctypes, os, signal, subprocess, sys, time
vpsctl, root, bundle = sys.argv[1:4]
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
oci = lambda *a, **kw: subprocess.run([vpsctl, "oci", "--root", root, *a], timeout=30, **kw)
r, w = os.pipe()
oci("create", "--bundle", bundle, "--pid-file", root + "/oci2.pid", "oci2", stdout=w, check=True)
os.close(w)
pid = int(open(root + "/oci2.pid").read())
oci("start", "oci2", check=True)
assert os.read(r, 6) == b"ready\n"
oci("kill", "oci2", "TERM", check=True)
_, status = os.waitpid(pid, 0)
print("exit=%d" % os.waitstatus_to_exitcode(status))
oci("delete", "oci2", check=True)
EOF
assert_eq "$LAST_OUT" "exit=7" "the process's exit status reaches the subreaper (the TERM trap's 7)"
show stderr "$LAST_ERR"

echo "# a process that ends by itself"
edit '.process.args = ["true"] | .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci3"'
expect_rc 0 oci create --bundle "$B" oci3
expect_rc 0 oci start oci3
assert_true "a process that exits leaves the container stopped" \
        wait_until 10 eval '[ "$(oci_status oci3)" = stopped ]'
expect_rc 0 oci delete oci3

echo "# process.terminal: the pty's master goes to --console-socket (as podman's conmon receives it)"
edit '.process.terminal = true | .process.args = ["sh", "-c", "tty; echo term=$TERM; sleep 5"] |
        .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci5"'
run python3 - "$VPSCTL" "$OCI_ROOT" "$B" "$TEST_TMP/console.sock" <<'EOF'
import os, select, socket, subprocess, sys
vpsctl, root, bundle, path = sys.argv[1:5]
oci = lambda *a: subprocess.run([vpsctl, "oci", "--root", root, *a], timeout=30, check=True)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
p = subprocess.Popen([vpsctl, "oci", "--root", root, "create", "--bundle", bundle, "--console-socket", path,
                      "oci5"])
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 16, 1)
assert p.wait(timeout=30) == 0
master = fds[0]
oci("start", "oci5")
out = b""
while b"term=" not in out or not out.endswith(b"\n"):
    if not select.select([master], [], [], 10)[0]:
        break
    out += os.read(master, 1024)
print(out.decode().replace("\r", ""), end="")
oci("delete", "--force", "oci5")
EOF
assert_match "$LAST_OUT" '^/dev/pts/[0-9]+$' "the process's stdio is a pty of the container's devpts"
assert_contains "$LAST_OUT" "term=xterm" "and its output reaches the --console-socket's master"
show stderr "$LAST_ERR"
assert_true "delete --force removes the running container" test ! -e "$OCI_ROOT/oci5"
edit '.process.terminal = false'

echo "# delete of a created container kills it (as runc's)"
edit '.process.args = ["true"] | .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci4"'
expect_rc 0 oci create --bundle "$B" --pid-file "$TEST_TMP/pid4" oci4
pid4=$(cat "$TEST_TMP/pid4")
expect_rc 0 oci delete oci4
assert_true "its waiting process is gone" wait_until 5 eval '! grep -qs "^State:.*[RS]" /proc/$pid4/status'
assert_eq "$(ct_cgroups oci4)" "" "and its cgroup"

echo "# refused: each names what and leaves nothing behind"
cp "$B/config.json" "$TEST_TMP/good.json"
refused() { # DESCRIPTION EXPECTED-MESSAGE JQ-FILTER
        cp "$TEST_TMP/good.json" "$B/config.json"
        edit "$3"
        run oci create --bundle "$B" bad
        assert_eq "$LAST_RC" 21 "$1: create exits 21"
        assert_contains "$LAST_ERR" "$2" "$1: the error names it"
        assert_true "$1: no state left" test ! -e "$OCI_ROOT/bad"
        assert_eq "$(ct_cgroups bad)" "" "$1: no cgroup left"
}
refused "an unknown field" "linux.intelRdt" '.linux.intelRdt = { "closID": "x" }'
refused "systemd's cgroupsPath" "systemd's form" '.linux.cgroupsPath = "system.slice:vpsctl:bad"'
refused "an ambient capability not inheritable" "process.capabilities.ambient" \
        '.process.capabilities.ambient = ["CAP_KILL"]'
refused "a terminal without --console-socket" "--console-socket" '.process.terminal = true'
refused "an idmap mount option" "idmap" '.mounts += [{ "destination": "/mnt", "type": "bind",
        "source": "/tmp", "options": ["bind", "idmap"] }]'
echo "# kill --all: every process of the cgroup (a container without its own pid namespace)"
cp "$TEST_TMP/good.json" "$B/config.json"
edit '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & echo ready; wait"] |
        .linux.namespaces |= map(select(.type != "pid")) | .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci7"'
oci create --bundle "$B" oci7 >"$TEST_TMP/oci7.out" 2>&1
assert_eq "$?" 0 "create oci7 (no pid namespace) -> 0"
expect_rc 0 oci start oci7
wait_until 10 grep -q ready "$TEST_TMP/oci7.out"
assert_eq "$(ct_pids oci7 | wc -l)" 3 "its shell and two sleeps are in its cgroup"
expect_rc 0 oci kill --all oci7 KILL
assert_true "kill --all ends every one of them" wait_until 10 ct_cgroups_empty oci7
assert_eq "$(oci_status oci7)" stopped "state: stopped"
expect_rc 0 oci delete oci7
cp "$TEST_TMP/good.json" "$B/config.json"

echo "# a user namespace of linux.uidMappings/gidMappings"
cp "$TEST_TMP/good.json" "$B/config.json"
chmod 0755 "$TEST_TMP" # the bundle is reached by the namespace's root, host uid 200000
edit '.process.args = ["sh", "-c", "cat /proc/self/uid_map; echo x >/dev/null && echo devnull=ok; sleep 5"] |
        .linux.namespaces += [{ "type": "user" }] |
        .linux.uidMappings = [{ "containerID": 0, "hostID": 200000, "size": 65536 }] |
        .linux.gidMappings = [{ "containerID": 0, "hostID": 200000, "size": 65536 }] |
        .linux.cgroupsPath = "/'"$VPSCTL_CGROUP_PARENT"'/oci6"'
oci create --bundle "$B" --pid-file "$TEST_TMP/pid6" oci6 >"$TEST_TMP/oci6.out" 2>&1
assert_eq "$?" 0 "create oci6 (user namespace) -> 0"
expect_rc 0 oci start oci6
wait_until 10 grep -q devnull=ok "$TEST_TMP/oci6.out"
pid6=$(cat "$TEST_TMP/pid6")
assert_match "$(cat "$TEST_TMP/oci6.out")" '^ +0 +200000 +65536$' "the process sees config.json's uid map"
assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid6/status")" 200000 "its root is host uid 200000"
run oci exec oci6 sh -c 'cat /proc/self/uid_map; id -u'
assert_match "$LAST_OUT" '^ +0 +200000 +65536$' "exec joins the container's user namespace"
assert_contains "$(cat "$TEST_TMP/oci6.out")" "devnull=ok" "and opens /dev/null"
expect_rc 0 oci delete --force oci6
cp "$TEST_TMP/good.json" "$B/config.json"

run oci checkpoint bad
assert_eq "$LAST_RC" 20 "checkpoint (not implemented) exits 20"
assert_contains "$LAST_ERR" "not implemented" "and says so"
run "$VPSCTL" oci --systemd-cgroup state x
assert_eq "$LAST_RC" 20 "--systemd-cgroup is refused"
assert_contains "$LAST_ERR" "cgroupfs" "and says what to configure"

echo "# features, --version, --log"
run oci features
assert_eq "$LAST_RC" 0 "features -> 0"
assert_eq "$(jq -r '.ociVersionMax' <<<"$LAST_OUT")" 1.2.0 "features: ociVersionMax"
assert_eq "$(jq -r '.linux.seccomp.enabled' <<<"$LAST_OUT")" true "features: seccomp enabled"
assert_eq "$(jq -c '.hooks' <<<"$LAST_OUT")" \
        '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' \
        "features: the six kinds of hooks"
run oci --version
assert_contains "$LAST_OUT" "spec: 1.2.0" "--version names the spec"
run "$VPSCTL" oci --root "$OCI_ROOT" --log "$TEST_TMP/oci.log" --log-format json state nosuch
assert_eq "$LAST_RC" 14 "state of an unknown container exits 14"
assert_eq "$(jq -r .level "$TEST_TMP/oci.log")" error "--log-format json: a JSON line with the level"
assert_contains "$(jq -r .msg "$TEST_TMP/oci.log")" 'No container "nosuch"' "and the message"

run "$VPSCTL" oci state nosuch
assert_contains "$LAST_ERR" "under $VPSCTL_PREFIX/run/vpsctl-oci" "without --root the state is under the prefix's run/"

echo "# vpsctl-oci: the same command line under the installed name"
ln -s "$VPSCTL" "$TEST_TMP/vpsctl-oci"
run "$TEST_TMP/vpsctl-oci" --root "$OCI_ROOT" features
assert_eq "$(jq -r '.ociVersionMin' <<<"$LAST_OUT")" 1.0.0 "vpsctl-oci features"

done_testing
