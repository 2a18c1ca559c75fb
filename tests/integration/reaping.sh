#!/bin/bash
# A CT's init reaps orphans: processes whose parent exits inside the CT are reparented to
# the CT's PID 1, which must wait for them, so no zombie stays behind.
. "$(dirname "$0")/lib.sh"

# zombies among the CT's processes, seen from the host
host_zombies() {
        local pid
        for pid in $(ct_pids 101); do
                awk '/^State:/ { if ($2 == "Z") print FILENAME }' "/proc/$pid/status" 2>/dev/null
        done
}
no_host_zombies() { [ -z "$(host_zombies)" ]; }

new_ct 101
expect_rc 0 vz start 101

# one orphan, then many, then orphans of orphans
expect_rc 0 vz exec 101 'sh -c "sleep 0.1 &" ; sleep 1'
expect_rc 0 vz exec 101 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sh -c "sleep 0.1 &"; done; sleep 1'
expect_rc 0 vz exec 101 'sh -c "sh -c \"sleep 0.2 & exit 0\" & exit 0"; sleep 1'
# an orphan that outlives the exec session
expect_rc 0 vz exec 101 'sh -c "sleep 0.3 >/dev/null 2>&1 &"'
sleep 1

count_zombies='n=0; for f in /proc/[0-9]*/status; do grep -q "^State:.*Z" "$f" 2>/dev/null && n=$((n+1)); done; echo $n'
wait_until 3 sh -c '[ "$(timeout 10 "$VPSCTL" exec 101 "$1")" = 0 ]' sh "$count_zombies"
expect_out 0 vz exec 101 "$count_zombies"
expect_rc 1 vz exec2 101 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null'
assert_eq "$LAST_OUT" "" "grep finds no zombie in the CT"
wait_until 3 no_host_zombies
assert_eq "$(host_zombies)" "" "no process of the CT's cgroups is a zombie (host view)"

# init is still the same, healthy PID 1
expect_out init vz exec 101 cat /proc/1/comm
expect_out "CTID 101 exist mounted running" vz status 101

expect_rc 0 vz stop 101
done_testing
