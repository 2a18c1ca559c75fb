#!/bin/bash
# autostart and stop-all, what the host's boot and shutdown run: ONBOOT CTs start by BOOTORDER (highest
# first, CTs without one last, ties by CTID), VE_PARALLEL at a time; DISABLED and running ones are left
# alone; stop-all stops every running CT in the reverse order; a CT whose config is broken is reported
# by file:line and does not keep the others down.
. "$(dirname "$0")/lib.sh"

GLOBAL=$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf

# CTID ONBOOT BOOTORDER [DISABLED]
while read -r id onboot order disabled; do
        new_ct "$id" --config none
        opts=()
        [ "$onboot" != - ] && opts+=(--onboot "$onboot")
        [ "$order" != - ] && opts+=(--bootorder "$order")
        [ -n "$disabled" ] && opts+=(--disabled "$disabled")
        [ ${#opts[@]} -gt 0 ] && expect_rc 0 vz set "$id" "${opts[@]}" --save
done <<'CTS'
201 yes 10
202 yes 300
203 yes -
204 no 999
205 yes 300
206 yes 50 yes
207 - -
208 yes 1
209 yes -
210 yes 20
CTS
assert_eq "$(conf_get 202 BOOTORDER)" 300 "set --bootorder saves BOOTORDER"
expect_rc 21 vz set 201 --bootorder 1m --save # a plain number, not a duration
expect_rc 21 vz set 201 --bootorder -1 --save

started_order() { sed -n 's/^CT \([0-9]*\) started$/\1/p' <<<"$LAST_OUT" | tr '\n' ' ' | sed 's/ $//'; }
stopped_order() { sed -n 's/^CT \([0-9]*\) stopped$/\1/p' <<<"$LAST_OUT" | tr '\n' ' ' | sed 's/ $//'; }

echo "# autostart, one at a time"
expect_rc 0 vz autostart --parallel 1
assert_eq "$(started_order)" "202 205 210 201 208 203 209" \
        "ONBOOT CTs start by BOOTORDER, highest first, ties by CTID, those without one last"
assert_contains "$LAST_OUT" "CT 206 is disabled" "a DISABLED CT is named and not started"
assert_contains "$LAST_OUT" "autostart: 7 CTs started, 0 failed, 1 skipped" "autostart sums up"
for id in 201 202 203 205 208 209 210; do
        assert_true "CT $id runs after autostart" ct_is_running "$id"
done
for id in 204 206 207; do
        assert_true "CT $id (ONBOOT no, DISABLED or unset) stays stopped" eval "! ct_is_running $id"
done
# each CT's init started after the previous one's (with --parallel 1 they run one after another)
prev=0
for id in 202 205 210 201 208 203 209; do
        t=$(awk '{ print $22 }' "/proc/$(ct_inits "$id" | head -n 1)/stat")
        assert_true "CT $id's init started no earlier than the CT before it" test "$t" -ge "$prev"
        prev=$t
done

inits_before=$(for id in 201 202 203 205 208 209 210; do ct_inits "$id"; done | sort | tr '\n' ' ')
expect_rc 0 vz autostart
assert_eq "$(started_order)" "" "a second autostart starts nothing"
assert_contains "$LAST_OUT" "CT 202 is already running" "and says which CTs already run"
inits_after=$(for id in 201 202 203 205 208 209 210; do ct_inits "$id"; done | sort | tr '\n' ' ')
assert_eq "$inits_after" "$inits_before" "the running CTs keep their inits"

echo "# stop-all, one at a time: the reverse order"
expect_rc 0 vz start 204
expect_rc 0 vz stop-all --parallel 1
assert_eq "$(stopped_order)" "209 203 208 201 210 205 202 204" \
        "stop-all stops the running CTs in reverse boot order (204, BOOTORDER 999, last)"
for id in 201 202 203 204 205 206 207 208 209 210; do
        assert_true "CT $id is stopped after stop-all" eval "! ct_is_running $id"
        assert_true "CT $id's cgroups are empty" ct_cgroups_empty "$id"
done
expect_rc 0 vz stop-all
assert_contains "$LAST_OUT" "stop-all: 0 CTs stopped, 0 failed" "stop-all with nothing running does nothing"

echo "# VE_PARALLEL from vpsctl.conf"
echo 'VE_PARALLEL="4"' >>"$GLOBAL"
t0=$(now_ms)
expect_rc 0 vz autostart
assert_eq "$(started_order | wc -w)" 7 "autostart with VE_PARALLEL=4 starts the 7 CTs"
expect_rc 0 vz stop-all
assert_eq "$(stopped_order | wc -w)" 7 "stop-all with VE_PARALLEL=4 stops them"
echo "# autostart + stop-all of 7 CTs, 4 at a time: $(($(now_ms) - t0)) ms"
echo 'VE_PARALLEL="0"' >>"$GLOBAL"
expect_rc 85 vz autostart
assert_contains "$LAST_ERR" "vpsctl.conf:2: bad value for VE_PARALLEL" "a bad VE_PARALLEL is refused, with file:line"
sed -i '/^VE_PARALLEL=/d' "$GLOBAL"

echo "# a broken config does not keep the others down"
printf 'this is not a config line\n' >>"$(conf_of 203)"
expect_rc 85 vz autostart --parallel 2
assert_contains "$LAST_ERR" "CT 203 not started: $(conf_of 203):" "autostart names the broken CT, file and line"
assert_eq "$(started_order | wc -w)" 6 "the 6 other ONBOOT CTs start anyway"
assert_true "CT 203 is not started" eval "! ct_is_running 203"
expect_rc 0 vz stop-all
sed -i '$d' "$(conf_of 203)"

echo "# the systemd unit cmake --install puts in place"
unit=$(dirname "$VPSCTL")/../../vpsctl.service
assert_true "the build made vpsctl.service" test -f "$unit"
assert_match "$(grep '^ExecStart=' "$unit")" '^ExecStart=/.*/vpsctl autostart$' "the unit's ExecStart is autostart"
assert_match "$(grep '^ExecStop=' "$unit")" '^ExecStop=/.*/vpsctl stop-all$' "the unit's ExecStop is stop-all"
if command -v systemd-analyze >/dev/null 2>&1; then
        sed "s|^\(Exec[A-Za-z]*=\)[^ ]*|\1$VPSCTL|" "$unit" >"$TEST_TMP/vpsctl.service"
        expect_rc 0 systemd-analyze verify "$TEST_TMP/vpsctl.service"
else
        echo "# systemd-analyze is not installed: the unit's syntax is not verified"
fi

expect_rc 20 vz autostart --parallel 0
expect_rc 20 vz stop-all extra
done_testing
