#!/bin/bash
# Lifecycle of one CT: create, start, exec/exec2, list, hostname, PID 1, network namespace,
# stop, restart, destroy.
. "$(dirname "$0")/lib.sh"

new_ct 101 --hostname ct101.test
expect_out "CTID 101 exist unmounted down" vz status 101

expect_rc 0 vz start 101
expect_out "CTID 101 exist mounted running" vz status 101

# exec: args joined with spaces, run by /bin/sh -c
expect_out hi vz exec 101 echo hi
expect_rc 0 vz exec 101 ls -l /
assert_match "$LAST_OUT" ' bin( |$)' "exec 101 ls -l / lists /bin"
expect_out b vz exec 101 "echo a | tr a b"
expect_out "a b" vz exec 101 echo a "" b
expect_rc 8 vz exec 101 false
expect_rc 8 vz exec 101 "exit 3"
expect_rc 8 vz exec 101 /no/such/command
expect_rc 7 vz exec2 101 exit 7
expect_rc 0 vz exec2 101 true
expect_rc 137 vz exec2 101 'kill -KILL $$'
expect_out "$(printf 'x\ny')" vz exec 101 - <<<"$(printf 'echo x\necho y\n')"
expect_rc 5 vz exec2 101 - <<<"$(printf 'true\nexit 5\n')"
expect_rc 8 vz exec 101 - <<<"false"

# list
expect_rc 0 vz list -j
json=$LAST_OUT
st=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, list)
m = [o for o in d if str(o.get("ctid")) == "101"]
print(m[0].get("status") if m else "missing")' <<<"$json" 2>&1)
assert_eq "$st" running "list -j parses as JSON and has ctid 101 running"
expect_rc 0 vz list -H -o ctid,status
assert_eq "$(awk '{ print $1, $2 }' <<<"$LAST_OUT")" "101 running" "list -H -o ctid,status prints '101 running'"

# hostname, PID 1, namespaces
expect_out ct101.test vz exec 101 hostname
expect_out init vz exec 101 cat /proc/1/comm
expect_rc 0 vz exec2 101 'test "$(tr "\0" " " </proc/1/cmdline)" != ""'
expect_rc 0 vz exec 101 'echo $$'
[ "$LAST_OUT" != 1 ] && [ -n "$LAST_OUT" ] && pass "exec's shell is not PID 1 ($LAST_OUT)" ||
        fail "exec's shell is PID '$LAST_OUT'"
inits=$(ct_inits 101)
assert_eq "$(count_lines "$inits")" 1 "one init in the CT's cgroup"

expect_rc 0 vz exec 101 cat /proc/net/dev
ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' <<<"$LAST_OUT" | tr '\n' ' ')
assert_eq "$ifs" "lo " "the CT has only lo"
expect_rc 0 vz exec 101 ip link show lo
assert_match "$LAST_OUT" '[<,]UP[,>]' "lo is up in the CT"
expect_rc 0 vz exec 101 readlink /proc/1/ns/net
ctnet=$LAST_OUT
[ -n "$ctnet" ] && [ "$ctnet" != "$(readlink /proc/self/ns/net)" ] &&
        pass "the CT has its own network namespace ($ctnet)" || fail "CT network namespace '$ctnet' is the test's"
expect_rc 0 vz exec 101 readlink /proc/1/ns/pid
ctpid1=$LAST_OUT
# held open until compared: the inode number of a namespace that is gone is handed out again
exec {pidns1}<"/proc/$(ct_inits 101)/ns/pid"

# stop
expect_rc 0 vz stop 101
expect_out "CTID 101 exist unmounted down" vz status 101
assert_true "no process left in the CT's cgroups after stop" ct_cgroups_empty 101
expect_rc 31 vz exec 101 true

# start, restart: a new init
expect_rc 0 vz start 101
expect_out "CTID 101 exist mounted running" vz status 101
init2=$(ct_inits 101)
assert_eq "$(count_lines "$init2")" 1 "one init after start"
expect_rc 0 vz restart 101
expect_out "CTID 101 exist mounted running" vz status 101
init3=$(ct_inits 101)
assert_eq "$(count_lines "$init3")" 1 "one init after restart"
[ -n "$init3" ] && [ "$init3" != "$init2" ] && pass "restart runs a new init ($init2 -> $init3)" ||
        fail "restart: init pid '$init2' -> '$init3'"
expect_rc 0 vz exec 101 readlink /proc/1/ns/pid
[ "$LAST_OUT" != "$ctpid1" ] && pass "restart gives a new pid namespace" ||
        fail "pid namespace $LAST_OUT is the one of the first start"
exec {pidns1}<&-
expect_out hi vz exec 101 echo hi
expect_out ct101.test vz exec 101 hostname

# a command running when the CT stops: killed with it, and exec says the CT stopped (exec takes no lock)
("$VPSCTL" exec 101 "touch /root/started; sleep 60" >"$TEST_TMP/x.out" 2>&1; echo $? >"$TEST_TMP/x.rc") &
xpid=$!
assert_true "exec's command runs" wait_until 10 "$VPSCTL" exec 101 test -e /root/started
expect_rc 0 vz stop 101 --fast
wait "$xpid"
assert_eq "$(cat "$TEST_TMP/x.rc")" 31 "exec of a command killed by stop exits 31 (not running)"
assert_contains "$(cat "$TEST_TMP/x.out")" "CT 101 was stopped while the command ran" "exec says the CT was stopped"
expect_rc 0 vz start 101
# the same through a clean stop: busybox init's shutdown sends every process SIGTERM, and exits only after
# its SIGKILL a second later (CI's stress test: exec's command killed that way exited 8, without a word)
("$VPSCTL" exec 101 "touch /root/started2; sleep 60" >"$TEST_TMP/x.out" 2>&1; echo $? >"$TEST_TMP/x.rc") &
xpid=$!
assert_true "exec's command runs" wait_until 10 "$VPSCTL" exec 101 test -e /root/started2
expect_rc 0 vz stop 101
wait "$xpid"
assert_eq "$(cat "$TEST_TMP/x.rc")" 31 "exec of a command killed by a clean stop's SIGTERM exits 31 (not running)"
assert_contains "$(cat "$TEST_TMP/x.out")" "CT 101 was stopped while the command ran" \
        "exec says the CT was stopped (clean stop)"
expect_rc 0 vz start 101

# the command's process dies before vpsctl releases it (CI's stress test: a concurrent stop killed it, and
# vpsctl's write to it raised a SIGPIPE that killed vpsctl, exit 141 and no word): a failpoint kills it
for i in 1 2 3 4 5; do
        VPSCTL_FAILPOINT=exec.child "$VPSCTL" exec 101 true >>"$TEST_TMP/fp.out" 2>&1
        echo $? >>"$TEST_TMP/fp.rc"
done
assert_eq "$(sort -u "$TEST_TMP/fp.rc")" 8 "exec whose process dies before it runs exits 8, never of SIGPIPE"
assert_eq "$(grep -c "CT 101: the command's process died before it could run" "$TEST_TMP/fp.out")" 5 \
        "exec says each time that its process died (whether the release byte's write failed or raced the death)"
expect_out "CTID 101 exist mounted running" vz status 101

# destroy
expect_rc 32 vz destroy 101
expect_out "CTID 101 exist mounted running" vz status 101
expect_rc 0 vz stop 101
expect_rc 0 vz destroy 101
assert_true "destroy removes 101.conf" test ! -e "$(conf_of 101)"
assert_true "destroy removes the private area" test ! -e "$PRIVATE_DIR/101"
assert_true "destroy removes the runtime state" test ! -e "$RUN_DIR/101/state"
expect_out "CTID 101 deleted unmounted down" vz status 101
assert_true "no cgroup of CT 101 has a process" ct_cgroups_empty 101

done_testing
