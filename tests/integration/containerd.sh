#!/bin/bash
# containerd (Debian's 1.6) drives vpsctl through its runc shim (io.containerd.runc.v2, `ctr run
# --runc-binary` pointing at vpsctl-oci): run in the foreground, run -d, task exec (exit codes), task ps,
# task kill (the process's exit status), task delete. The test starts its own containerd with a private
# root, state and sockets under the prefix, the CRI plugin off, and stops it by its pid; the container's
# rootfs is the busybox template's (--rootfs: no image).
. "$(dirname "$0")/lib.sh"

command -v containerd >/dev/null || skip "containerd is not installed (scripts/install-deps --tests)"
command -v ctr >/dev/null || skip "ctr is not installed (scripts/install-deps --tests)"
command -v containerd-shim-runc-v2 >/dev/null || skip "containerd-shim-runc-v2 is not installed"

CD=$VPSCTL_PREFIX/containerd # under the prefix: the cleanup unmounts what is left mounted there
mkdir -p "$CD/fifo" "$CD/runc-root"
ln -s "$VPSCTL" "$CD/vpsctl-oci"
cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD/containerd.sock"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = "$CD/debug.sock"
EOF
containerd --config "$CD/config.toml" >"$TEST_TMP/containerd.log" 2>&1 &
CONTAINERD_PID=$!
# its shims outlive a failed test: end them (ours only: their command line names our socket) and containerd
ctd_cleanup() {
        local p
        for p in $(pgrep -f containerd-shim-runc-v2); do
                tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$CD/containerd.sock" && kill -9 "$p"
        done
        kill "$CONTAINERD_PID" 2>/dev/null
        wait "$CONTAINERD_PID" 2>/dev/null
}
trap 'rc=$?; ctd_cleanup; (exit $rc); _on_exit' EXIT
ctr_() { timeout -k 5 60 ctr --address "$CD/containerd.sock" "$@"; }
assert_true "containerd answers on its private socket" wait_until 20 ctr_ version
RUN_OPTS=(--runc-binary "$CD/vpsctl-oci" --runc-root "$CD/runc-root" --fifo-dir "$CD/fifo")

expect_rc 0 vz template build busybox
expect_rc 0 vz template export busybox "$TEST_TMP/busybox.tar"
mkdir -p "$CD/rootfs" && tar -C "$CD/rootfs" -xf "$TEST_TMP/busybox.tar"

echo "# ctr run: the shim calls vpsctl-oci create, start, state, delete"
run ctr_ run --rm "${RUN_OPTS[@]}" --cgroup "/$VPSCTL_CGROUP_PARENT/ctd/c1" --rootfs "$CD/rootfs" c1 \
        sh -c 'echo hello from vpsctl; exit 3'
assert_eq "$LAST_RC" 3 "ctr run returns the process's exit status"
assert_contains "$LAST_OUT" "hello from vpsctl" "and its output"
show stderr "$LAST_ERR"

echo "# run -d, task exec, ps, kill, delete"
expect_rc 0 ctr_ run -d "${RUN_OPTS[@]}" --cgroup "/$VPSCTL_CGROUP_PARENT/ctd/c2" --rootfs "$CD/rootfs" c2 \
        sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
assert_eq "$("$VPSCTL" oci --root "$CD/runc-root/default" state c2 2>/dev/null | jq -r .status)" running \
        "vpsctl oci state (in --runc-root): running"
run ctr_ task exec --fifo-dir "$CD/fifo" --exec-id e1 c2 sh -c 'echo in-exec; test $$ != 1; exit 4'
assert_eq "$LAST_RC" 4 "ctr task exec returns the command's exit status"
assert_contains "$LAST_OUT" "in-exec" "and its output"
run ctr_ task ps c2
pid=$(awk '/^TASK/ { next } $1 == "c2" { print $2 }' <<<"$(ctr_ task ls)")
assert_contains "$LAST_OUT" "$pid" "ctr task ps lists the process (vpsctl oci ps --format json)"
expect_rc 0 ctr_ task kill c2
assert_true "task kill stops it" wait_until 10 eval 'ctr_ task ls | grep -Eq "^c2 +[0-9]+ +STOPPED"'
run ctr_ task delete c2
assert_contains "$LAST_ALL$(cat "$TEST_TMP/containerd.log")" "exit code 7" \
        "the TERM trap's exit status 7 reached containerd"
expect_rc 0 ctr_ container rm c2
assert_true "delete removes vpsctl-oci's state" test ! -e "$CD/runc-root/default/c2"
assert_eq "$(ct_cgroups ctd/c2)" "" "and the container's cgroup"

done_testing
