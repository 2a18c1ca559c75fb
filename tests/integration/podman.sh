#!/bin/bash
# podman (Debian's 4.3) drives vpsctl as its OCI runtime (--runtime pointing at vpsctl-oci): run in the
# foreground, run -d, exec (exit codes, inside the container), stop (the process's own exit status through
# conmon) and rm, with a private storage, runroot and containers.conf (cgroupfs manager), the container's
# rootfs from the busybox template (--rootfs: no image, no registry).
. "$(dirname "$0")/lib.sh"

command -v podman >/dev/null || skip "podman is not installed (scripts/install-deps --tests)"
command -v conmon >/dev/null || skip "conmon is not installed (scripts/install-deps --tests)"

PD=$VPSCTL_PREFIX/podman # under the prefix: the cleanup unmounts what podman leaves mounted there
mkdir -p "$PD"
# vpsctl-oci with this test's state root: podman hands --runtime-flag to the runtime calls it makes itself,
# but not to the cleanup that conmon's exit command runs (its `delete` then looked under /run/vpsctl-oci)
printf '#!/bin/bash\nexec -a vpsctl-oci %q --root=%q "$@"\n' "$VPSCTL" "$VPSCTL_PREFIX/run/vpsctl-oci" >"$PD/vpsctl-oci"
chmod 755 "$PD/vpsctl-oci"
cat >"$PD/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$PD/tmp"
EOF
export CONTAINERS_CONF=$PD/containers.conf
pod() {
        timeout -k 5 60 podman --root "$PD/storage" --runroot "$PD/run" --cgroup-manager cgroupfs \
                --events-backend file --runtime "$PD/vpsctl-oci" "$@"
}
# podman's default RLIMIT_NOFILE (1048576) may be above what this host lets root raise it to
RUN_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
        --cgroup-parent "/$VPSCTL_CGROUP_PARENT/podman")

expect_rc 0 vz template build busybox
expect_rc 0 vz template export busybox "$TEST_TMP/busybox.tar"
mkdir -p "$PD/rootfs" && tar -C "$PD/rootfs" -xf "$TEST_TMP/busybox.tar"

echo "# podman run: create, start, the output through conmon, delete"
run pod run --rm "${RUN_OPTS[@]}" --rootfs "$PD/rootfs" sh -c 'echo hello from vpsctl; exit 3'
assert_eq "$LAST_RC" 3 "podman run returns the process's exit status"
assert_contains "$LAST_OUT" "hello from vpsctl" "and its output"
show stderr "$LAST_ERR"

echo "# run -d, exec, stop, rm"
run pod run -d --name p1 "${RUN_OPTS[@]}" --rootfs "$PD/rootfs" \
        sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
assert_eq "$LAST_RC" 0 "podman run -d -> 0"
show stderr "$LAST_ERR"
id=$LAST_OUT
assert_true "vpsctl-oci holds its state in --root (podman's --runtime-flag)" \
        test -d "$VPSCTL_PREFIX/run/vpsctl-oci/$id"
assert_eq "$("$VPSCTL" oci --root "$VPSCTL_PREFIX/run/vpsctl-oci" state "$id" 2>/dev/null | jq -r .status)" running \
        "vpsctl oci state: running"
run pod exec p1 sh -c 'echo in-exec; hostname; test $$ != 1'
assert_eq "$LAST_RC" 0 "podman exec -> 0"
assert_contains "$LAST_OUT" "in-exec" "exec runs in the container"
assert_contains "$LAST_OUT" "${id:0:12}" "with its hostname"
run pod exec -t p1 sh -c 'test -t 1 && echo on-a-tty'
assert_eq "$LAST_RC" 0 "podman exec -t -> 0"
assert_contains "$LAST_OUT" "on-a-tty" "exec -t: the process's stdout is a terminal (vpsctl-oci exec --tty through conmon)"
show stderr "$LAST_ERR"
run pod exec p1 sh -c 'exit 4'
assert_eq "$LAST_RC" 4 "podman exec returns the command's exit status"
expect_rc 0 pod stop -t 10 p1
run pod ps -a --format '{{.Names}} {{.Status}}'
assert_match "$LAST_OUT" '^p1 Exited \(7\)' "stop: the TERM trap's exit status 7 reached podman"
expect_rc 0 pod rm p1
# the runtime's delete may come from podman's own cleanup (conmon's exit command), which runs on its own
gone() { [ ! -e "$VPSCTL_PREFIX/run/vpsctl-oci/$id" ] && [ -z "$(ct_cgroups podman/libpod-"$id")" ]; }
wait_until 20 gone
assert_true "rm deletes vpsctl-oci's state" test ! -e "$VPSCTL_PREFIX/run/vpsctl-oci/$id"
assert_eq "$(ct_cgroups podman/libpod-"$id")" "" "and the container's cgroup"

done_testing
