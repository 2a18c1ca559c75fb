#!/bin/bash
# A CT whose processes ignore every polite signal still stops: stop waits STOP_TIMEOUT and
# then kills the CT's whole cgroup; `--fast` kills at once. Nothing is left in the cgroup.
. "$(dirname "$0")/lib.sh"

# a process that ignores every polite signal (busybox-static has no nohup; setsid detaches)
stubborn='setsid sh -c "trap \"\" TERM HUP PWR USR1 USR2 INT; while :; do sleep 1; done" >/dev/null 2>&1 &'
# a shutdown script that never ends keeps busybox init from finishing its own shutdown, so
# only vpsctl's kill can end the CT
hang='mkdir -p /etc/rc.d && printf "#!/bin/sh\ntrap \"\" TERM HUP PWR USR1 USR2 INT\nsleep 1000\n" >/etc/rc.d/K00hang && chmod 755 /etc/rc.d/K00hang'

check_stopped() {
        expect_out "CTID 101 exist unmounted down" vz status 101
        assert_true "$1: no process left in the CT's cgroups" ct_cgroups_empty 101
        local d left=""
        for d in $(ct_cgroups 101); do
                [ -s "$d/cgroup.procs" ] && left="$left $d"
        done
        assert_eq "$left" "" "$1: CT 101 cgroups are gone or empty"
}

# timed_stop NAME MIN_MS MAX_MS [OPTIONS]
timed_stop() {
        local name=$1 min=$2 max=$3 t0 ms
        shift 3
        t0=$(now_ms)
        expect_rc 0 vz stop 101 "$@"
        ms=$(($(now_ms) - t0))
        [ "$ms" -ge "$min" ] && [ "$ms" -le "$max" ] && pass "$name: stop took ${ms} ms (${min}..${max})" ||
                fail "$name: stop took ${ms} ms, expected ${min}..${max}"
}

new_ct 101
expect_rc 0 vz set 101 --stop-timeout 2 --save
assert_true "STOP_TIMEOUT=\"2\" saved" grep -qx 'STOP_TIMEOUT="2"' "$(conf_of 101)"

# 1. a process ignoring signals, init shuts down normally
expect_rc 0 vz start 101
expect_rc 0 vz exec 101 "$stubborn"
sleep 0.3
n=$(count_lines "$(ct_pids 101)")
[ "$n" -ge 2 ] && pass "stubborn process runs ($n processes in the CT)" || fail "only $n processes in the CT"
timed_stop "stubborn process" 0 10000
check_stopped "stubborn process"

# 2. init's shutdown hangs too: vpsctl must wait STOP_TIMEOUT and kill the cgroup
expect_rc 0 vz start 101
expect_rc 0 vz exec 101 "$hang"
expect_rc 0 vz exec 101 "$stubborn"
timed_stop "hanging shutdown" 1500 10000
check_stopped "hanging shutdown"

# 3. --fast does not wait
expect_rc 0 vz start 101
expect_rc 0 vz exec 101 "$stubborn"
timed_stop "stop --fast" 0 1900 --fast
check_stopped "stop --fast"

# and the CT starts again afterwards
expect_rc 0 vz start 101
expect_out hi vz exec 101 echo hi
expect_rc 0 vz stop 101 --fast

done_testing
