#!/bin/bash
# Concurrency stress: 8 mixed commands at once on one CT, and 50 creates at once, repeated. Every
# command ends in success, in exit 9 (locked) or in the answer its CT's state gives (31 not running,
# 32 already running); never a corrupt config, a second init, two CTs with one id range or address.
. "$(dirname "$0")/lib.sh"

export VPSCTL_LOCK_TIMEOUT=1
new_ct 170 --hostname s170.test
conf=$(conf_of 170)
bad=0

for round in 1 2 3 4 5; do
        pids=()
        i=0
        for cmd in "start 170" "stop 170 --fast" "set 170 --numproc $((100 + round)) --save" \
                "set 170 --hostname r$round.test --save" "exec 170 true" "status 170" "restart 170" \
                "set 170 --ram $((100 + round))M --save"; do
                # shellcheck disable=SC2086
                ("$VPSCTL" $cmd >"$TEST_TMP/s.$i.out" 2>&1; echo $? >"$TEST_TMP/s.$i.rc") &
                pids+=($!)
                i=$((i + 1))
        done
        wait "${pids[@]}"
        for j in $(seq 0 $((i - 1))); do
                rc=$(cat "$TEST_TMP/s.$j.rc")
                case "$rc" in
                0 | 9 | 31 | 32) ;;
                *)
                        bad=$((bad + 1))
                        fail "round $round: command $j exited $rc: $(head -c 300 "$TEST_TMP/s.$j.out")"
                        ;;
                esac
        done
        expect_rc 0 vz list -a -H 170
        assert_eq "$(grep -c '^NUMPROC=' "$conf")" 1 "round $round: 170.conf has one NUMPROC line"
        assert_eq "$(grep -c '^HOSTNAME=' "$conf")" 1 "round $round: 170.conf has one HOSTNAME line"
        if ct_is_running 170; then
                assert_eq "$(count_lines "$(ct_inits 170)")" 1 "round $round: running with one init"
        else
                assert_true "round $round: stopped with nothing in its cgroup" ct_cgroups_empty 170
        fi
done
assert_eq "$bad" 0 "40 mixed commands on CT 170: only success, 9, 31 or 32"
expect_rc 0 vz stop 170 --fast
expect_rc 0 vz start 170
expect_rc 0 vz stop 170 --fast
expect_rc 0 vz destroy 170

for round in 1 2; do
        pids=()
        for n in $(seq 0 49); do
                id=$((200 + n))
                ("$VPSCTL" create $id --ostemplate busybox --ipadd 192.0.2.$((100 + n)) \
                        >"$TEST_TMP/c.$n.out" 2>&1; echo $? >"$TEST_TMP/c.$n.rc") &
                pids+=($!)
        done
        wait "${pids[@]}"
        ok=0
        for n in $(seq 0 49); do
                rc=$(cat "$TEST_TMP/c.$n.rc")
                [ "$rc" = 0 ] && ok=$((ok + 1))
                [ "$rc" = 0 ] || [ "$rc" = 9 ] ||
                        fail "round $round: create $((200 + n)) exited $rc: $(head -c 300 "$TEST_TMP/c.$n.out")"
        done
        assert_eq "$ok" 50 "round $round: 50 parallel creates all succeed"
        uids=$(cat "$CONF_DIR"/2??.conf | sed -n 's/^LOCAL_UID="\(.*\)"$/\1/p' | sort)
        assert_eq "$(sort -u <<<"$uids" | wc -l)" "$(wc -l <<<"$uids")" \
                "round $round: every CT has an id range of its own"
        ips=$(cat "$CONF_DIR"/2??.conf | sed -n 's/^IP_ADDRESS="\(.*\)"$/\1/p' | sort)
        assert_eq "$(sort -u <<<"$ips" | wc -l)" 50 "round $round: 50 distinct addresses"
        expect_rc 0 vz list -a -H
        assert_eq "$(count_lines "$LAST_OUT")" 50 "round $round: list shows the 50 CTs"
        for n in $(seq 0 49); do "$VPSCTL" destroy $((200 + n)) >/dev/null 2>&1 || fail "destroy $((200 + n))"; done
done
done_testing
