#!/bin/bash
# Action scripts (etc/vpsctl/conf), as vzctl runs them: vps.premount, CTID.premount, vps.mount,
# CTID.mount on the host around the mount; CTID.start inside the CT once it runs; CTID.stop inside it
# before its shutdown; vps.umount, CTID.umount, CTID.postumount around the unmount. Their environment has
# VEID, VE_ROOT, VE_PRIVATE, VE_CONFFILE and the CT's keys. A failing premount or mount script stops
# start and mount with exit 79 and leaves nothing mounted or running; a script others can write is refused.
. "$(dirname "$0")/lib.sh"

new_ct 174 --hostname act.test
LOG=$TEST_TMP/actions.log
: >"$LOG"
script() { # NAME BODY [MODE]
        printf '#!/bin/sh\n%s\n' "$2" >"$CONF_DIR/$1"
        chmod "${3:-755}" "$CONF_DIR/$1"
}
for s in vps.premount 174.premount vps.mount 174.mount vps.umount 174.umount; do
        script "$s" "echo \"$s \$VEID \$VE_ROOT \$VE_PRIVATE \$HOSTNAME \${VE_CONFFILE##*/}\" >>'$LOG'"
done
script 174.postumount "if grep -q \" \$VE_ROOT \" /proc/self/mountinfo; then m=mounted; else m=unmounted; fi; echo \"174.postumount \$m\" >>'$LOG'" 644
script 174.start 'echo "in the CT: $(hostname) pid1=$(cat /proc/1/comm)" >/root/started-by-script'
script 174.stop 'echo "stop ran inside" >/root/stopped-by-script'
# the umount script sees the root still mounted: it reports what the stop script wrote inside
script 174.umount "echo \"174.umount \$(cat \$VE_ROOT/root/stopped-by-script)\" >>'$LOG'"

root=$(conf_get 174 VE_ROOT) private=$(conf_get 174 VE_PRIVATE)
expect_rc 0 vz start 174
expect_out "in the CT: act.test pid1=init" vz exec 174 cat /root/started-by-script
expect_rc 0 vz stop 174
want="vps.premount 174 $root $private act.test 174.conf
174.premount 174 $root $private act.test 174.conf
vps.mount 174 $root $private act.test 174.conf
174.mount 174 $root $private act.test 174.conf
vps.umount 174 $root $private act.test 174.conf
174.umount stop ran inside
174.postumount unmounted"
assert_eq "$(cat "$LOG")" "$want" "host scripts ran in vzctl's order with VEID, VE_ROOT, VE_PRIVATE and the CT's keys; postumount (mode 644, read by /bin/sh) after the unmount"

echo "# a failing premount or mount script stops the start; nothing is left"
: >"$LOG"
script 174.premount 'echo "premount refuses" >&2; exit 3'
expect_rc 79 vz start 174
assert_contains "$LAST_ERR" "action script $CONF_DIR/174.premount failed with exit code 3" "the failure names the script and its code"
assert_contains "$LAST_ERR" "premount refuses" "the script's own output reaches the operator"
expect_out "CTID 174 exist unmounted down" vz status 174
assert_true "no process in the CT's cgroups" ct_cgroups_empty 174
assert_eq "$(grep -c mount "$LOG")" 1 "after premount failed, only vps.premount ran, no mount script"
script 174.premount 'exit 0'
script 174.mount 'exit 1'
expect_rc 79 vz start 174
expect_out "CTID 174 exist unmounted down" vz status 174
assert_true "a failing mount script: the root is unmounted again" bash -c "! grep -q ' $root ' /proc/self/mountinfo"
assert_true "and nothing runs" ct_cgroups_empty 174
expect_rc 79 vz mount 174
expect_out "CTID 174 exist unmounted down" vz status 174
script 174.mount 'exit 0' 775
expect_rc 79 vz start 174
assert_contains "$LAST_ERR" "writable by nobody else" "a group-writable script is refused, and it says how to fix it"
expect_out "CTID 174 exist unmounted down" vz status 174

echo "# failing start, stop and umount scripts warn; the CT starts and stops all the same"
script 174.mount 'exit 0'
script 174.start 'exit 4'
script 174.stop 'exit 5'
script 174.umount 'exit 6'
expect_rc 0 vz start 174
assert_contains "$LAST_ERR" "174.start failed inside it with exit code 4" "a failing start script is reported"
expect_out "CTID 174 exist mounted running" vz status 174
expect_rc 0 vz stop 174
assert_contains "$LAST_ERR" "174.stop failed inside it with exit code 5" "a failing stop script is reported"
expect_out "CTID 174 exist unmounted down" vz status 174
assert_true "no process left" ct_cgroups_empty 174
rm -f "$CONF_DIR"/vps.* "$CONF_DIR"/174.*mount "$CONF_DIR"/174.start "$CONF_DIR"/174.stop
expect_rc 0 vz destroy 174
done_testing
