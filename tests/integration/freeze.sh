#!/bin/bash
# freeze/thaw (the cgroup freezer; v1 on this host, v2 in vm.lifecycle-v2): a frozen CT uses no CPU, its
# processes keep their pids and state and go on where they stopped once thawed; status and list say
# frozen; exec is refused with a hint; stop works on a frozen CT.
. "$(dirname "$0")/lib.sh"

new_ct 172
expect_rc 31 vz freeze 172
assert_contains "$LAST_ERR" "CT 172 is not running" "freeze of a stopped CT says it is not running"
expect_rc 0 vz start 172
init=$(ct_inits 172)
# a busy counter: CPU time and progress are both visible from the host. It appends to a file of the CT's
# tmpfs: a counter rewritten in place (echo >file) is read empty almost every time on a loaded host (the
# truncate, and on ext4 the writeback it waits for, fill most of the loop)
expect_rc 0 vz exec 172 'sh -c "i=0; while :; do i=\$((i+1)); echo \$i >>/dev/shm/count; done" </dev/null >/dev/null 2>&1 &'
count() { tail -n 1 "/proc/$init/root/dev/shm/count" 2>/dev/null; }
counter_pid() { for p in $(ct_pids 172); do grep -q 'while' "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done | head -1; }
count_above() { [ "$(count)" -gt "$1" ] 2>/dev/null; }
assert_true "the counter runs" wait_until 5 count_above 0
loop=$(counter_pid)
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

expect_rc 0 vz freeze 172
assert_eq "$LAST_OUT" "CT 172 frozen" "freeze says so"
expect_out "CTID 172 exist mounted running frozen" vz status 172
expect_rc 0 vz list -H -o ctid,status 172
assert_eq "$(awk '{ print $2 }' <<<"$LAST_OUT")" frozen "list shows the CT as frozen"
c1=$(count) t1=$(cpu_of "$loop")
c1=${c1:-0}
sleep 1
c2=$(count)
assert_eq "${c2:-0}" "$c1" "a frozen CT makes no progress"
assert_eq "$(cpu_of "$loop")" "$t1" "a frozen CT uses no CPU (utime+stime of its busy loop unchanged over 1 s)"
expect_rc 0 vz freeze 172
assert_eq "$LAST_OUT" "CT 172 is already frozen" "a second freeze is a no-op"
expect_rc 8 vz exec 172 true
assert_contains "$LAST_ERR" "CT 172 is frozen; thaw it first: vpsctl thaw 172" "exec into a frozen CT is refused with a hint"

expect_rc 0 vz thaw 172
assert_eq "$LAST_OUT" "CT 172 thawed" "thaw says so"
expect_out "CTID 172 exist mounted running" vz status 172
assert_true "thawed, the counter goes on from where it was" wait_until 5 count_above "$c1"
assert_eq "$(counter_pid)" "$loop" "the same process, same pid"
assert_eq "$(ct_inits 172)" "$init" "the same init"
expect_rc 0 vz thaw 172
assert_eq "$LAST_OUT" "CT 172 is not frozen" "thaw of a running CT is a no-op"

# stop of a frozen CT, clean and --fast
expect_rc 0 vz freeze 172
expect_rc 0 vz stop 172
expect_out "CTID 172 exist unmounted down" vz status 172
assert_true "no process left after stopping a frozen CT" ct_cgroups_empty 172
expect_rc 0 vz start 172
expect_rc 0 vz freeze 172
expect_rc 0 vz stop 172 --fast
assert_true "no process left after stop --fast of a frozen CT" ct_cgroups_empty 172
expect_rc 0 vz start 172
expect_out "CTID 172 exist mounted running" vz status 172
expect_rc 0 vz stop 172 --fast
expect_rc 0 vz destroy 172

done_testing
