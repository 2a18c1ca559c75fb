#!/bin/bash
# vpsctl oci: config.json's hooks (runtime-spec config.md, POSIX-platform hooks) on real containers. Every
# hook is a shell script that writes a line to a log: its kind, its mount namespace, whether / is the
# container's root or the host's, and the state JSON it read on its stdin. Checked: the order of all six
# kinds and where each runs; the state's id, status, pid, bundle and annotations; that startContainer runs
# before the process's exec and poststart before `start` returns; a failing createRuntime or
# createContainer hook fails create (exit 79, naming the hook) and leaves no state and no cgroup; a
# failing startContainer hook fails start; a hook past its timeout is killed; failing poststart and
# poststop hooks only warn.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps --tests)"

OCI_ROOT=$TEST_TMP/oci-state
B=$TEST_TMP/bundle
LOGD=$TEST_TMP/hooklog
LOG=$LOGD/hooks.log
oci() { timeout -k 5 60 "$VPSCTL" oci --root "$OCI_ROOT" "$@"; }
oci_status() { oci state "$1" 2>/dev/null | jq -r .status; }
edit() { jq "$@" "$B/config.json" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"; }
# the log line of hook KIND, field FIELD (mnt, root, state)
hook_field() { sed -n "s/^$1 $2=//p" "$LOG" | head -n 1; }

echo "# a bundle from the busybox template; the hook scripts on the host and in the rootfs"
expect_rc 0 vz template build busybox
expect_rc 0 vz template export busybox "$TEST_TMP/busybox.tar"
mkdir -p "$B/rootfs" "$LOGD" && tar -C "$B/rootfs" -xf "$TEST_TMP/busybox.tar"
touch "$B/rootfs/CONTAINER_ROOT"
chmod 0755 "$TEST_TMP"
# hook.sh KIND [EXIT]: logs what it sees, then exits EXIT (0)
cat >"$TEST_TMP/hook.sh" <<'EOF'
#!/bin/sh
state=$(cat)
if [ -e /CONTAINER_ROOT ]; then root=container; else root=host; fi
{
        echo "$1 mnt=$(readlink /proc/self/ns/mnt)"
        echo "$1 root=$root"
        echo "$1 env=$HOOK_ENV"
        echo "$1 state=$(echo "$state" | tr -d '\n')"
} >>"$LOGD/hooks.log"
exit "${2:-0}"
EOF
chmod 0755 "$TEST_TMP/hook.sh"
cp "$TEST_TMP/hook.sh" "$B/rootfs/hook.sh" # startContainer's path is the container's
expect_rc 0 oci spec --bundle "$B"
hook() { # KIND PATH [EXIT]: a hook object running PATH KIND [EXIT]
        jq -nc --arg k "$1" --arg p "$2" --arg x "${3:-0}" --arg l "$LOGD" \
                '{ path: $p, args: ["hook", $k, $x], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                   "LOGD=\($l)", "HOOK_ENV=from-config"] }'
}
H=$TEST_TMP/hook.sh
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h1" --arg l "$LOGD" \
        --argjson pre "$(hook prestart "$H")" --argjson cr "$(hook createRuntime "$H")" \
        --argjson cc "$(hook createContainer "$H")" --argjson sc "$(hook startContainer /hook.sh)" \
        --argjson ps "$(hook poststart "$H")" --argjson po "$(hook poststop "$H")" '
        .process.terminal = false | .root.readonly = false | .linux.cgroupsPath = $cg |
        .process.args = ["sh", "-c", "grep -q \"^startContainer \" \($l)/hooks.log && echo after-start-hook; sleep 30"] |
        .mounts += [{ destination: $l, type: "bind", source: $l, options: ["rbind", "rw"] }] |
        .annotations = { "org.example.hooks": "yes" } |
        .hooks = { prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], startContainer: [$sc],
                   poststart: [$ps], poststop: [$po] }'
cp "$B/config.json" "$TEST_TMP/good.json"
host_mnt=$(readlink /proc/self/ns/mnt)

echo "# create: prestart, createRuntime on the host; createContainer in the container's namespaces"
oci create --bundle "$B" --pid-file "$TEST_TMP/pid" h1 >"$TEST_TMP/h1.out" 2>"$TEST_TMP/h1.err"
assert_eq "$?" 0 "create h1 with hooks of all six kinds -> 0"
show stderr "$(cat "$TEST_TMP/h1.err")"
pid=$(cat "$TEST_TMP/pid" 2>/dev/null)
ct_mnt=$(readlink "/proc/$pid/ns/mnt")
assert_eq "$(cut -d' ' -f1 "$LOG" | uniq | tr '\n' ' ')" "prestart createRuntime createContainer " \
        "create runs prestart, createRuntime, createContainer, in that order"
for k in prestart createRuntime; do
        assert_eq "$(hook_field $k mnt)" "$host_mnt" "$k runs in the runtime's mount namespace"
        assert_eq "$(hook_field $k root)" host "$k sees the host's root"
done
assert_eq "$(hook_field createContainer mnt)" "$ct_mnt" "createContainer runs in the container's mount namespace"
assert_true "which is not the runtime's" test "$ct_mnt" != "$host_mnt"
assert_eq "$(hook_field createContainer root)" host "createContainer runs before pivot_root (the path is the host's)"
assert_eq "$(hook_field prestart env)" from-config "a hook's environment is its env"
for k in prestart createRuntime createContainer; do
        st=$(hook_field $k state)
        assert_eq "$(jq -r '[.id, .status, .pid, .bundle] | join(" ")' <<<"$st")" \
                "h1 creating $pid $(readlink -f "$B")" "$k's stdin is the state: id, status creating, pid, bundle"
done
assert_eq "$(hook_field createRuntime state | jq -r '.annotations["org.example.hooks"]')" yes \
        "the state holds the annotations"
assert_eq "$(cat "$TEST_TMP/h1.out")" "" "the process has not run yet"

echo "# start: startContainer in the container before the exec; poststart on the host before start returns"
expect_rc 0 oci start h1
assert_eq "$(cut -d' ' -f1 "$LOG" | uniq | tail -n 2 | tr '\n' ' ')" "startContainer poststart " \
        "start runs startContainer, then poststart, before it returns"
assert_eq "$(hook_field startContainer mnt)" "$ct_mnt" "startContainer runs in the container's mount namespace"
assert_eq "$(hook_field startContainer root)" container "and after pivot_root (its path is the container's)"
assert_eq "$(hook_field startContainer state | jq -r '[.id, .status, .pid] | join(" ")')" "h1 created $pid" \
        "startContainer's state: status created, the host pid"
assert_eq "$(hook_field poststart mnt)" "$host_mnt" "poststart runs in the runtime's mount namespace"
assert_eq "$(hook_field poststart state | jq -r '[.status, .pid] | join(" ")')" "running $pid" \
        "poststart's state: status running, the pid"
wait_until 10 grep -q after-start-hook "$TEST_TMP/h1.out"
assert_eq "$(cat "$TEST_TMP/h1.out")" after-start-hook "the process ran after the startContainer hook"
assert_true "poststop has not run" eval '! grep -q "^poststop " "$LOG"'

echo "# delete: poststop on the host, after the container is gone"
expect_rc 0 oci kill h1 KILL
wait_until 10 test "$(oci_status h1)" = stopped
expect_rc 0 oci delete h1
assert_eq "$(hook_field poststop mnt)" "$host_mnt" "delete runs poststop in the runtime's mount namespace"
assert_eq "$(hook_field poststop state | jq -r '[.id, .status] | join(" ")')" "h1 stopped" \
        "poststop's state: status stopped"
assert_eq "$(ct_cgroups h1)" "" "the cgroup was gone before poststop ran, and is gone"
assert_eq "$(cut -d' ' -f1 "$LOG" | uniq | tr '\n' ' ')" \
        "prestart createRuntime createContainer startContainer poststart poststop " "all six, in order"

# failed_create NAME DESCRIPTION EXPECTED-MESSAGE: create NAME fails with exit 79 and leaves nothing
failed_create() {
        run oci create --bundle "$B" --pid-file "$TEST_TMP/$1.pid" "$1"
        show stderr "$LAST_ERR"
        assert_eq "$LAST_RC" 79 "$2: create exits 79"
        assert_contains "$LAST_ERR" "$3" "$2: the error names the hook and its failure"
        assert_true "$2: no state left" test ! -e "$OCI_ROOT/$1"
        assert_eq "$(ct_cgroups "$1")" "" "$2: no cgroup left"
        assert_true "$2: no pid file" test ! -e "$TEST_TMP/$1.pid"
}

echo "# a failing createRuntime hook fails create, and poststop runs"
: >"$LOG"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h2" --argjson f "$(hook createRuntime "$H" 3)" \
        '.linux.cgroupsPath = $cg | .hooks.createRuntime = [$f]'
failed_create h2 "createRuntime exits 3" "hooks.createRuntime[0] $H: exited 3"
assert_eq "$(cut -d' ' -f1 "$LOG" | uniq | tr '\n' ' ')" "prestart createRuntime poststop " \
        "no hook after the failed one but poststop (the lifecycle goes on at delete)"

echo "# a failing createContainer hook fails create"
: >"$LOG"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h3" --argjson f "$(hook createContainer "$H" 5)" \
        '.linux.cgroupsPath = $cg | .hooks.createContainer = [$f]'
failed_create h3 "createContainer exits 5" "hooks.createContainer[0] $H: exited 5"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h3" '.linux.cgroupsPath = $cg | .hooks.createContainer[0].path = "/no/such/hook"'
failed_create h3 "a missing hook" "hooks.createContainer[0] /no/such/hook: cannot execute: No such file"

echo "# a hook past its timeout is killed and fails create"
cat >"$TEST_TMP/slow.sh" <<EOF
#!/bin/sh
echo \$\$ >$TEST_TMP/slow.pid
exec sleep 60
EOF
chmod 0755 "$TEST_TMP/slow.sh"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h4" --arg p "$TEST_TMP/slow.sh" \
        '.linux.cgroupsPath = $cg | .hooks.createRuntime = [{ path: $p, timeout: 1 }]'
t0=$(now_ms)
failed_create h4 "a createRuntime hook past its 1 s timeout" "did not finish within its timeout of 1 s; killed"
t1=$(now_ms)
assert_true "create gave up after the timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 10000
slow=$(cat "$TEST_TMP/slow.pid" 2>/dev/null)
assert_match "$slow" '^[0-9]+$' "the slow hook ran (pid $slow)"
assert_true "and was killed" test ! -e "/proc/$slow"

echo "# a failing startContainer hook fails start; the process never runs"
: >"$LOG"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h5" --argjson f "$(hook startContainer /hook.sh 6)" \
        '.linux.cgroupsPath = $cg | .hooks.startContainer = [$f]'
oci create --bundle "$B" h5 >"$TEST_TMP/h5.out" 2>&1
assert_eq "$?" 0 "create h5 -> 0"
run oci start h5
assert_eq "$LAST_RC" 79 "start with a failing startContainer hook exits 79"
assert_contains "$LAST_ERR" "hooks.startContainer[0] /hook.sh: exited 6" "and names the hook"
assert_true "the container is stopped" wait_until 10 test "$(oci_status h5)" = stopped
assert_true "its process did not run" eval '! grep -q after-start-hook "$TEST_TMP/h5.out"'
assert_true "poststart did not run" eval '! grep -q "^poststart " "$LOG"'
expect_rc 0 oci delete h5
assert_eq "$(ct_cgroups h5)" "" "delete removes its cgroup"

echo "# failing poststart and poststop hooks only warn"
: >"$LOG"
cp "$TEST_TMP/good.json" "$B/config.json"
edit --arg cg "/$VPSCTL_CGROUP_PARENT/h6" --argjson f "$(hook poststart "$H" 7)" \
        --argjson g "$(hook poststop "$H" 4)" --argjson po "$(hook poststop "$H")" \
        '.linux.cgroupsPath = $cg | .hooks.poststart = [$f] | .hooks.poststop = [$g, $po]'
oci create --bundle "$B" h6 >"$TEST_TMP/h6.out" 2>&1
assert_eq "$?" 0 "create h6 -> 0"
run oci start h6
assert_eq "$LAST_RC" 0 "start with a failing poststart hook -> 0"
assert_contains "$LAST_ERR" "hooks.poststart[0] $H: exited 7, ignoring" "with a warning naming it"
assert_eq "$(oci_status h6)" running "the container runs"
run oci delete --force h6
assert_eq "$LAST_RC" 0 "delete with a failing poststop hook -> 0"
assert_contains "$LAST_ERR" "hooks.poststop[0] $H: exited 4, ignoring" "with a warning naming it"
assert_eq "$(grep -c "^poststop root=" "$LOG")" 2 "the next poststop hook still runs"
assert_true "the state is gone" test ! -e "$OCI_ROOT/h6"
assert_eq "$(ct_cgroups h6)" "" "and the cgroup"

done_testing
