#!/bin/bash
# kill -9 of `vpsctl start` at a random moment leaves the CT either running and usable, or
# not started and startable; never running-but-broken, never a start that then fails.
. "$(dirname "$0")/lib.sh"

new_ct 101

# how long a warm start takes here (without the timeout wrapper), to spread the kills over it
for _ in 1 2; do
        t0=$(date +%s%N)
        "$VPSCTL" start 101 >/dev/null 2>&1
        span_us=$((($(date +%s%N) - t0) / 1000))
        expect_out "CTID 101 exist mounted running" vz status 101
        expect_rc 0 vz stop 101
done
[ "$span_us" -lt 5000 ] && span_us=5000
[ "$span_us" -gt 1000000 ] && span_us=1000000
echo "# a start takes about $((span_us / 1000)) ms"

running=0
down=0
for i in $(seq 1 12); do
        # every other kill in the first quarter, where a start spends its (short) critical part
        if [ $((i % 2)) = 0 ]; then us=$((RANDOM * span_us / 4 / 32768)); else us=$((RANDOM * span_us / 32768)); fi
        ms=$(printf '%d.%03d' $((us / 1000)) $((us % 1000)))
        ( exec "$VPSCTL" start 101 ) >"$TEST_TMP/start.out" 2>&1 &
        pid=$!
        sleep "$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))"
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        rc=$?
        st=$(ct_status 101)
        case "$st" in
        "CTID 101 exist mounted running")
                running=$((running + 1))
                expect_out hi vz exec 101 echo hi
                assert_eq "$(count_lines "$(ct_inits 101)")" 1 "#$i (killed after $ms ms, rc $rc): running with one init"
                ;;
        "CTID 101 exist unmounted down" | "CTID 101 exist mounted down")
                down=$((down + 1))
                expect_rc 0 vz start 101
                expect_out "CTID 101 exist mounted running" vz status 101
                expect_out hi vz exec 101 echo hi
                assert_eq "$(count_lines "$(ct_inits 101)")" 1 "#$i (killed after $ms ms, rc $rc): down, starts again with one init"
                ;;
        *)
                fail "#$i (killed after $ms ms, rc $rc): status is '$st'"
                show start "$(cat "$TEST_TMP/start.out")"
                ;;
        esac
        expect_rc 0 vz stop 101
        expect_out "CTID 101 exist unmounted down" vz status 101
        wait_until 3 ct_cgroups_empty 101
        assert_true "#$i: no process left after stop" ct_cgroups_empty 101
done
echo "# $running kills left the CT running, $down left it down"

done_testing
