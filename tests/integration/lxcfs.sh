#!/bin/bash
# lxcfs's /proc views: a CT with --ram 512M --cpus 1 reads its own limits in /proc/meminfo, nproc,
# /sys/devices/system/cpu/online and cpuinfo, and an uptime from its own start, with and without a user
# namespace; --lxcfs no gives the host's views; with no lxcfs at LXCFS_DIR the CT starts all the same,
# warned, and status and list say it lacks the views.
. "$(dirname "$0")/lib.sh"

command -v lxcfs >/dev/null || skip "lxcfs is not installed (scripts/install-deps installs and starts it)"

lxcfs_live() { grep -qs " $1 fuse.lxcfs " /proc/self/mounts && head -c1 "$1/proc/meminfo" >/dev/null 2>&1; }
LXCFS_AT=/var/lib/lxcfs
if ! lxcfs_live "$LXCFS_AT"; then
        # no host lxcfs: one of the test's own, on a mount point only this test's mount namespace sees;
        # a job of this test, so lib.sh's cleanup kills exactly it
        chmod 0755 "$TEST_TMP"
        LXCFS_AT=$TEST_TMP/lxcfs
        mkdir -p "$LXCFS_AT"
        lxcfs -p "$TEST_TMP/lxcfs.pid" "$LXCFS_AT" >"$TEST_TMP/lxcfs.log" 2>&1 &
        wait_until 10 lxcfs_live "$LXCFS_AT" || skip "cannot start lxcfs: $(cat "$TEST_TMP/lxcfs.log")"
fi
GLOBAL=$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf
mkdir -p "$(dirname "$GLOBAL")"
echo "LXCFS_DIR=\"$LXCFS_AT\"" >"$GLOBAL"

host_memtotal=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
host_uptime=$(cut -d. -f1 /proc/uptime)
host_cpus=$(nproc)

# expect_lxcfs ID WORD [-a]: list's lxcfs field of the CT
expect_lxcfs() {
        run vz list -H ${3:-} -o lxcfs "$1"
        assert_eq "${LAST_OUT// /}" "$2" "list -o lxcfs $1 says $2"
}

check_views() { # ID WHAT
        expect_out "MemTotal:         524288 kB" vz exec "$1" "grep ^MemTotal: /proc/meminfo"
        expect_out 1 vz exec "$1" nproc
        expect_out 1 vz exec "$1" "grep -c ^processor /proc/cpuinfo"
        run vz exec "$1" cat /sys/devices/system/cpu/online
        assert_match "$LAST_OUT" '^[0-9]+$' "$2: /sys/devices/system/cpu/online names one CPU"
        run vz exec "$1" cat /proc/uptime
        local up=${LAST_OUT%%.*}
        assert_true "$2: the CT's uptime ($LAST_OUT) counts from its start, not the host's ($host_uptime s)" \
                test "$up" -lt 60 -a "$up" -lt "$host_uptime"
        expect_rc 0 vz exec "$1" "head -1 /proc/swaps"
        assert_contains "$LAST_OUT" "Filename" "$2: /proc/swaps reads"
        expect_rc 0 vz exec "$1" cat /proc/loadavg
        assert_match "$LAST_OUT" '^[0-9.]+ [0-9.]+ [0-9.]+ ' "$2: /proc/loadavg reads"
        expect_lxcfs "$1" yes
        expect_out "CTID $1 exist mounted running" vz status "$1"
}

echo "# user namespace (the default)"
new_ct 191
expect_rc 0 vz set 191 --ram 512M --cpus 1 --save
expect_rc 0 vz start 191
assert_eq "$LAST_ERR" "" "a start with lxcfs warns of nothing"
check_views 191 userns
# busybox free takes its totals from sysinfo(2), which lxcfs cannot change; its available column is
# meminfo's
run vz exec 191 free
assert_match "$(printf '%s\n' "$LAST_OUT" | awk '/^Mem:/ { print $7 }')" '^5[0-2][0-9]{4}$' \
        "free's available memory is within the CT's 512M"
expect_rc 0 vz stop 191 --fast

echo "# no user namespace"
new_ct 192 --userns no
expect_rc 0 vz set 192 --ram 512M --cpus 1 --save
expect_rc 0 vz start 192
check_views 192 "userns no"
expect_rc 0 vz stop 192 --fast

echo "# --lxcfs no: the host's views"
new_ct 193
expect_rc 0 vz set 193 --ram 512M --lxcfs no --save
assert_eq "$(conf_get 193 LXCFS)" no "LXCFS=\"no\" is saved"
expect_rc 0 vz start 193
assert_eq "$LAST_ERR" "" "an opted-out CT starts without a warning"
expect_out "$host_memtotal" vz exec 193 "awk '/^MemTotal:/ { print \$2 }' /proc/meminfo"
expect_out "$host_cpus" vz exec 193 "grep -c ^processor /proc/cpuinfo"
expect_lxcfs 193 off
expect_out "CTID 193 exist mounted running" vz status 193
expect_rc 0 vz stop 193 --fast
expect_rc 21 vz set 193 --lxcfs maybe --save

echo "# no lxcfs at LXCFS_DIR"
mkdir -p "$TEST_TMP/empty"
echo "LXCFS_DIR=\"$TEST_TMP/empty\"" >"$GLOBAL"
expect_rc 0 vz start 191
assert_contains "$LAST_ERR" "CT 191 starts without lxcfs's /proc views" "the start warns, naming the CT"
assert_contains "$LAST_ERR" "$TEST_TMP/empty is not a running lxcfs" "it names the directory"
assert_contains "$LAST_ERR" "start lxcfs: systemctl start lxcfs" "and says what to do"
expect_out "CTID 191 exist mounted running" vz status 191
assert_contains "$LAST_ERR" "runs without lxcfs" "status warns that the CT lacks lxcfs's views"
expect_lxcfs 191 no
run vz list -H -o ctid,lxcfs -j
assert_contains "$LAST_OUT" '"lxcfs": "no"' "list -j has the field"
expect_out "$host_memtotal" vz exec 191 "awk '/^MemTotal:/ { print \$2 }' /proc/meminfo"
expect_out 1 vz exec 191 nproc
expect_rc 0 vz stop 191 --fast
expect_lxcfs 191 - -a

done_testing
