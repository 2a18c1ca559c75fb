#!/bin/bash
# vpsctl oci spec --from-ct CTID: a bundle for an existing CT (a copy of its root, config.json with its host
# name, limits, capabilities, seccomp and user namespace), run by `vpsctl oci`. Checked from outside: the
# OCI container's cgroup limits are the CT's own (the CT running beside it from the same config), its host
# name, its bounding set, seccomp mode and uid map are the CT's, its process is the CT's init, and the two
# do not share files. Refusals: an unknown CT (14), a running CT (32), an existing bundle (44, --force
# replaces it).
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps --tests)"

OCI_ROOT=$TEST_TMP/oci-state
B=$TEST_TMP/bundle
CT=301
oci() { timeout -k 5 60 "$VPSCTL" oci --root "$OCI_ROOT" "$@"; }
oci_status() { oci state "$1" 2>/dev/null | jq -r .status; }
chmod 0755 "$TEST_TMP" # a CT with a user namespace: its root (a high host uid) reaches the bundle

echo "# a CT with limits"
new_ct $CT --hostname fromct.test
expect_rc 0 vz set $CT --ram 96M --swap 32M --cpus 1 --numproc 77 --save

echo "# spec --from-ct: refusals"
run oci spec --from-ct 999 --bundle "$B"
assert_eq "$LAST_RC" 14 "an unknown CT exits 14"
assert_true "and makes no bundle" test ! -e "$B/config.json"
expect_rc 0 vz start $CT
run oci spec --from-ct $CT --bundle "$B"
assert_eq "$LAST_RC" 32 "a running CT exits 32"
assert_contains "$LAST_ERR" "stop it first" "and says what to do"
assert_true "and makes no bundle" test ! -e "$B/config.json" -a ! -e "$B/rootfs"
expect_rc 0 vz stop $CT

echo "# spec --from-ct: the bundle"
expect_rc 0 oci spec --from-ct $CT --bundle "$B"
assert_eq "$(ct_status $CT)" "CTID $CT exist unmounted down" "the CT is left as it was (stopped, unmounted)"
assert_true "rootfs is a copy of the CT's root" test -x "$B/rootfs/bin/busybox"
assert_true "its init is there" test -e "$B/rootfs/sbin/init"
C=$B/config.json
assert_eq "$(jq -r .hostname "$C")" fromct.test "config.json: the CT's host name"
assert_eq "$(jq -c .process.args "$C")" '["/sbin/init"]' "process.args: the CT's init"
assert_eq "$(jq -r .linux.resources.memory.limit "$C")" $((96 << 20)) "memory.limit: --ram"
assert_eq "$(jq -r .linux.resources.memory.swap "$C")" $((128 << 20)) "memory.swap: --ram + --swap"
assert_eq "$(jq -r .linux.resources.pids.limit "$C")" 77 "pids.limit: --numproc"
assert_eq "$(jq -r '.linux.resources.cpu | "\(.quota)/\(.period)"' "$C")" 100000/100000 "cpu quota: --cpus 1"
assert_contains "$(jq -r '.linux.seccomp.syscalls[0].names[]' "$C")" kexec_load "linux.seccomp: the CT's denials"
assert_eq "$(jq -r .annotations[\"org.vpsctl.ctid\"] "$C")" $CT "an annotation names the CT"
run oci spec --from-ct $CT --bundle "$B"
assert_eq "$LAST_RC" 44 "an existing bundle exits 44"
assert_contains "$LAST_ERR" "--force" "and names --force"
expect_rc 0 oci spec --from-ct $CT --bundle "$B" --force

echo "# the CT and the OCI container of its bundle, side by side"
expect_rc 0 vz start $CT
edit_cg() { jq --arg cg "/$VPSCTL_CGROUP_PARENT/fromct" '.linux.cgroupsPath = $cg' "$C" >"$C.new" && mv "$C.new" "$C"; }
edit_cg
oci create --bundle "$B" --pid-file "$TEST_TMP/pid" fromct >"$TEST_TMP/fromct.out" 2>&1
assert_eq "$?" 0 "oci create of the bundle -> 0"
show output "$(cat "$TEST_TMP/fromct.out")"
expect_rc 0 oci start fromct
pid=$(cat "$TEST_TMP/pid" 2>/dev/null)
assert_eq "$(oci_status fromct)" running "the OCI container runs"
init=$(ct_inits $CT | head -n 1)
assert_eq "$(stat -L -c %d:%i "/proc/$pid/exe")" "$(stat -L -c %d:%i "$B/rootfs/bin/busybox")" \
        "its process is the CT's init (busybox), from the copy"
assert_true "not the CT's own file" test "$(stat -L -c %d:%i "/proc/$pid/exe")" != \
        "$(stat -L -c %d:%i "/proc/$init/exe")"
for f in memory.max memory.swap.max pids.max cpu.max cpuset.cpus memory.limit_in_bytes memory.memsw.limit_in_bytes \
        cpu.cfs_quota_us; do
        ctv=$(cg_value $CT $f) || continue
        assert_eq "$(cg_value fromct $f)" "$ctv" "$f: the OCI container's is the CT's ($ctv)"
done
run oci exec fromct hostname
assert_eq "$LAST_OUT" fromct.test "its host name is the CT's"
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
assert_eq "$(field "$pid" CapBnd)" "$(field "$init" CapBnd)" "its bounding set is the CT's init's"
assert_eq "$(field "$pid" Seccomp)" "$(field "$init" Seccomp)" "so is its seccomp mode"
show "uid_map" "$(cat "/proc/$init/uid_map")"
assert_eq "$(tr -s ' ' <"/proc/$pid/uid_map")" "$(tr -s ' ' <"/proc/$init/uid_map")" "and its uid map"
expect_rc 0 oci exec fromct touch /only-in-oci
run vz exec $CT "test -e /only-in-oci && echo shared || echo separate"
assert_eq "$LAST_OUT" separate "the two do not share files"
expect_rc 0 oci delete --force fromct
assert_eq "$(ct_cgroups fromct)" "" "delete removes the OCI container's cgroup"
expect_rc 0 vz stop $CT

done_testing
