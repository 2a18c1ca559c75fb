#!/bin/bash
# runscript CTID FILE (a host's script run inside the CT); set --applyconfig SAMPLE (a sample's limits
# onto an existing CT, its identity kept); set --setmode restart|ignore (changes a running CT has had since
# its start: restarted now, or a note that they apply at the next start).
. "$(dirname "$0")/lib.sh"

new_ct 175 --hostname keep.test
echo "# runscript"
cat >"$TEST_TMP/script.sh" <<'SH'
echo "host script in $(hostname) as $(id -u)"
echo "pid1=$(cat /proc/1/comm)" >/root/ran
exit 6
SH
expect_rc 31 vz runscript 175 "$TEST_TMP/script.sh"
assert_contains "$LAST_ERR" "CT 175 is not running; start it first" "runscript on a stopped CT says so"
expect_rc 0 vz start 175
expect_rc 6 vz runscript 175 "$TEST_TMP/script.sh"
assert_eq "$LAST_OUT" "host script in keep.test as 0" "runscript runs the host's file inside the CT, as its root"
expect_out "pid1=init" vz exec 175 cat /root/ran
assert_true "the script is not left in the CT" bash -c "! '$VPSCTL' exec 175 'grep -rqs \"host script in\" /tmp /root /var' "
expect_rc 21 vz runscript 175 "$TEST_TMP/missing.sh"
assert_contains "$LAST_ERR" "Cannot open the script $TEST_TMP/missing.sh" "a missing script is named"

echo "# --applyconfig"
conf=$(conf_of 175)
cp "$conf" "$TEST_TMP/conf.before"
expect_rc 109 vz set 175 --applyconfig nosuch --save
assert_contains "$LAST_ERR" 'Config sample "nosuch" not found' "an unknown sample is named"
assert_true "a failed applyconfig changes nothing" cmp -s "$conf" "$TEST_TMP/conf.before"
cat >"$CONF_DIR/ve-tiny.conf-sample" <<'S'
PHYSPAGES="0:96M"
NUMPROC="77"
HOSTNAME="sample.test"
IP_ADDRESS="192.0.2.99"
DESCRIPTION="from the sample"
S
expect_rc 0 vz set 175 --applyconfig tiny --numproc 88 --save
assert_eq "$(conf_get 175 PHYSPAGES)" "0:96M" "the sample's PHYSPAGES is saved"
assert_eq "$(conf_get 175 NUMPROC)" "88" "an option given with it wins over the sample"
assert_eq "$(conf_get 175 HOSTNAME)" "keep.test" "the CT keeps its HOSTNAME"
assert_eq "$(conf_get 175 IP_ADDRESS)" "" "and gets no IP_ADDRESS of the sample's"
assert_eq "$(conf_get 175 DESCRIPTION)" "" "nor its DESCRIPTION"
assert_eq "$(conf_get 175 ORIGIN_SAMPLE)" "tiny" "ORIGIN_SAMPLE names the sample"
mem=$(for d in $(ct_cgroups 175); do cat "$d/memory.limit_in_bytes" 2>/dev/null; done)
assert_eq "$mem" $((96 * 1024 * 1024)) "the sample's RAM limit is applied to the running CT"
expect_out keep.test vz exec 175 hostname

echo "# --setmode"
init=$(ct_inits 175)
expect_rc 0 vz set 175 --capability sys_time:on --save
assert_contains "$LAST_ERR" "CT 175: CAPABILITY take effect at its next start (--setmode restart restarts it now)" \
        "a change that needs a restart says so"
assert_eq "$(ct_inits 175)" "$init" "and the CT is not restarted (--setmode ignore is the default)"
expect_rc 0 vz set 175 --capability sys_time:off --save --setmode ignore
assert_eq "$(ct_inits 175)" "$init" "--setmode ignore does not restart it"
expect_rc 0 vz set 175 --capability sys_time:on --save --setmode restart
assert_contains "$LAST_OUT" "CT 175 restarted for CAPABILITY" "--setmode restart restarts it"
new=$(ct_inits 175)
assert_true "with a new init" test -n "$new" -a "$new" != "$init"
capeff() { "$VPSCTL" exec 175 'grep CapBnd /proc/1/status'; }
bnd=$(capeff | awk '{ print $2 }')
assert_true "the restarted CT has CAP_SYS_TIME (bit 25) in its bounding set" test $((0x$bnd >> 25 & 1)) = 1
expect_rc 0 vz set 175 --numproc 99 --save --setmode restart
assert_eq "$(ct_inits 175)" "$new" "a change applied live needs no restart"
expect_rc 21 vz set 175 --setmode sometimes --numproc 1 --save
assert_eq "$(conf_get 175 NUMPROC)" "99" "a bad --setmode changes nothing"

expect_rc 0 vz stop 175 --fast
expect_rc 0 vz destroy 175
done_testing
