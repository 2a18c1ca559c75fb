#!/bin/bash
# Two commands on one CT: the per-CT lock lets exactly one act; the other waits up to
# LOCK_TIMEOUT and then exits 9 naming the holder's pid.
. "$(dirname "$0")/lib.sh"

new_ct 101

# 1. two concurrent starts of a stopped CT: one starts it, the other finds it running (32)
#    or locked (9); the CT runs exactly once
for round in 1 2 3; do
        ( exec "$VPSCTL" start 101 ) >"$TEST_TMP/a.out" 2>&1 &
        a=$!
        ( exec "$VPSCTL" start 101 ) >"$TEST_TMP/b.out" 2>&1 &
        b=$!
        wait $a
        ra=$?
        wait $b
        rb=$?
        rcs=$(printf '%s\n' "$ra" "$rb" | sort -n | tr '\n' ' ')
        case "$rcs" in
        "0 9 " | "0 32 ") pass "round $round: concurrent starts exit $ra and $rb" ;;
        *)
                fail "round $round: concurrent starts exit $ra and $rb, expected 0 and 9 or 32"
                show a "$(cat "$TEST_TMP/a.out")"
                show b "$(cat "$TEST_TMP/b.out")"
                ;;
        esac
        if [ "$ra" = 9 ] || [ "$rb" = 9 ]; then
                loser=$TEST_TMP/a.out
                [ "$rb" = 9 ] && loser=$TEST_TMP/b.out
                assert_match "$(cat "$loser")" 'locked.*pid [0-9]+' "round $round: the locked start names the holder's pid"
        fi
        expect_out "CTID 101 exist mounted running" vz status 101
        assert_eq "$(count_lines "$(ct_inits 101)")" 1 "round $round: the CT has exactly one init"
        expect_out hi vz exec 101 echo hi
        expect_rc 0 vz stop 101
        assert_true "round $round: nothing left after stop" ct_cgroups_empty 101
done

# 2. a slow stop holds the lock: its shutdown script hangs, STOP_TIMEOUT is 7 s
slow='mkdir -p /etc/rc.d && printf "#!/bin/sh\nsleep 1000\n" >/etc/rc.d/K00slow && chmod 755 /etc/rc.d/K00slow'
expect_rc 0 vz set 101 --stop-timeout 7 --save
expect_rc 0 vz start 101
expect_rc 0 vz exec 101 "$slow"
( exec "$VPSCTL" stop 101 ) >"$TEST_TMP/stop.out" 2>&1 &
stopper=$!
t0=$(now_ms)
sleep 1

# locked_exit NAME CMD...: CMD must exit 9 within LOCK_TIMEOUT (2 s) + a margin, naming the stopper
locked_exit() {
        local name=$1 t ms
        shift
        t=$(now_ms)
        expect_rc 9 "$@" || return 1
        ms=$(($(now_ms) - t))
        assert_match "$LAST_ALL" "locked" "$name: the message says locked"
        assert_match "$LAST_ALL" "pid $stopper([^0-9]|$)" "$name: the message names the stop's pid $stopper"
        [ "$ms" -ge 1500 ] && [ "$ms" -le 5000 ] && pass "$name: gave up after $ms ms (LOCK_TIMEOUT=2)" ||
                fail "$name: gave up after $ms ms, expected about 2000"
}
# status only reads facts and never waits for the lock (docs/cli.md, Locking)
t=$(now_ms)
expect_rc 0 vz status 101
ms=$(($(now_ms) - t))
[ "$ms" -le 1000 ] && pass "status during stop answers at once (${ms} ms), without the lock" ||
        fail "status during stop took ${ms} ms; it must not wait for the lock"
locked_exit "start during stop" vz start 101
[ $(($(now_ms) - t0)) -lt 6500 ] && pass "the stop was still running during the checks" ||
        fail "the checks took longer than the stop's timeout; the lock checks are not conclusive"
wait $stopper
rc=$?
assert_eq "$rc" 0 "the slow stop exits 0"
[ "$rc" = 0 ] || show stop "$(cat "$TEST_TMP/stop.out")"
expect_out "CTID 101 exist unmounted down" vz status 101

# 3. a command with a long enough LOCK_TIMEOUT waits for the holder, then runs
expect_rc 0 vz set 101 --stop-timeout 3 --save
expect_rc 0 vz start 101
( exec "$VPSCTL" stop 101 ) >"$TEST_TMP/stop.out" 2>&1 &
stopper=$!
sleep 0.5
t=$(now_ms)
VPSCTL_LOCK_TIMEOUT=20 expect_rc 0 vz start 101
ms=$(($(now_ms) - t))
[ "$ms" -ge 1000 ] && pass "start waited ${ms} ms for the stop to finish" ||
        fail "start returned after ${ms} ms, before the stop could have finished"
wait $stopper
assert_eq "$?" 0 "the stop exits 0"
expect_out "CTID 101 exist mounted running" vz status 101
assert_eq "$(count_lines "$(ct_inits 101)")" 1 "the CT has exactly one init"
expect_rc 0 vz stop 101 --fast

done_testing
