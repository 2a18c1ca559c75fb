#!/bin/bash
# Bad CTIDs, bad values, missing or existing CTs, wrong states, bad config files: the
# documented exit code, a message that says what is wrong, and nothing changed.
. "$(dirname "$0")/lib.sh"

# documented RC WHY: the exit code of the last command is in `vpsctl help exit-codes`
documented() {
        exit_code_documented "$LAST_RC" && pass "exit code $LAST_RC ($1) is documented in help exit-codes" ||
                fail "exit code $LAST_RC ($1) is not in \`vpsctl help exit-codes\`"
}

nothing_created() {
        local confs privs
        confs=$(ls -A "$CONF_DIR" 2>/dev/null | grep '\.conf$')
        privs=$(ls -A "$PRIVATE_DIR" 2>/dev/null)
        assert_eq "$confs$privs" "$2" "$1: no config or private area created"
}

# 1. bad CTIDs
for id in abc 0 100 2147483645 101x; do
        expect_rc 21 vz create "$id" --ostemplate busybox && documented "create $id"
done
# a negative number reads as an option (vzctl, which takes the CTID before the options, says 21)
expect_rc 20 vz create -5 --ostemplate busybox && documented "create -5"
for id in 0 100 2147483645; do
        expect_rc 21 vz status "$id" && documented "status $id"
        expect_rc 21 vz start "$id"
done
# where a name is allowed, an unknown one is "no CT has that name"
for id in abc 101x; do
        expect_rc 14 vz status "$id" && documented "status $id"
        expect_rc 14 vz start "$id"
done
expect_rc 21 vz start && documented "start without a CTID (vzctl: CT ID missing)"
nothing_created "bad CTIDs" ""

# 2. missing template, missing CT
expect_rc 91 vz create 102 --ostemplate nosuch
documented "template not found"
assert_true "create with a missing template writes no 102.conf" test ! -e "$(conf_of 102)"
assert_true "create with a missing template makes no private area" test ! -e "$PRIVATE_DIR/102"
expect_rc 14 vz start 199
documented "no such CT"
expect_rc 14 vz exec 199 true
expect_rc 14 vz set 199 --hostname x --save
assert_true "set of a missing CT writes no 199.conf" test ! -e "$(conf_of 199)"

# 3. bad values on the command line
expect_rc 21 vz create 104 --ostemplate busybox --hostname 'bad host'
assert_true "create with a bad hostname writes no 104.conf" test ! -e "$(conf_of 104)"
assert_true "create with a bad hostname makes no private area" test ! -e "$PRIVATE_DIR/104"

new_ct 101 --hostname good.test
conf=$(conf_of 101)
cp "$conf" "$TEST_TMP/101.conf.orig"
expect_rc 21 vz set 101 --onboot maybe --save
documented "bad value"
assert_true "set --onboot maybe leaves 101.conf byte-identical" cmp -s "$conf" "$TEST_TMP/101.conf.orig"
expect_rc 21 vz set 101 --hostname 'bad host' --save
assert_true "set --hostname 'bad host' leaves 101.conf byte-identical" cmp -s "$conf" "$TEST_TMP/101.conf.orig"
expect_rc 21 vz set 101 --stop-timeout -1 --save
assert_true "set --stop-timeout -1 leaves 101.conf byte-identical" cmp -s "$conf" "$TEST_TMP/101.conf.orig"
expect_rc 20 vz set 101 --no-such-option 1 --save
assert_true "an unknown option leaves 101.conf byte-identical" cmp -s "$conf" "$TEST_TMP/101.conf.orig"

# 4. existing CT
expect_rc 44 vz create 101 --ostemplate busybox
documented "CT exists"
assert_true "create of an existing CT leaves 101.conf byte-identical" cmp -s "$conf" "$TEST_TMP/101.conf.orig"

# 5. wrong states
expect_rc 0 vz stop 101
assert_true "stop of a stopped CT says something" test -n "$LAST_ALL"
expect_rc 31 vz exec 101 true
documented "not running"
expect_rc 31 vz exec2 101 true
expect_rc 0 vz start 101
expect_rc 32 vz start 101
documented "running"
expect_rc 32 vz destroy 101
assert_true "destroy of a running CT keeps 101.conf" test -e "$conf"
assert_true "destroy of a running CT keeps the private area" test -d "$PRIVATE_DIR/101"
expect_out "CTID 101 exist mounted running" vz status 101
expect_out hi vz exec 101 echo hi
expect_rc 0 vz stop 101

# 6. a CT whose /sbin/init cannot run does not start, and start says so
new_ct 105
upper=$PRIVATE_DIR/105/fs
[ -d "$upper" ] || upper=$PRIVATE_DIR/105
mkdir -p "$upper/sbin" && rm -f "$upper/sbin/init" && echo "not a program" >"$upper/sbin/init" &&
        chmod 0644 "$upper/sbin/init"
expect_rc 56 vz start 105
documented "bad init"
expect_out "CTID 105 exist unmounted down" vz status 105
assert_true "a failed start leaves no process" ct_cgroups_empty 105
expect_rc 0 vz destroy 105

# 7. a bad value in the config file names file:line and key
cp "$TEST_TMP/101.conf.orig" "$conf"
if grep -q '^ONBOOT=' "$conf"; then
        sed -i 's/^ONBOOT=.*/ONBOOT="maybe"/' "$conf"
else
        echo 'ONBOOT="maybe"' >>"$conf"
fi
line=$(grep -n '^ONBOOT=' "$conf" | cut -d: -f1)
expect_rc 21 vz start 101
assert_contains "$LAST_ALL" "101.conf:$line" "the error names 101.conf:$line"
assert_contains "$LAST_ALL" "ONBOOT" "the error names the key ONBOOT"
assert_true "a failed start leaves no process" ct_cgroups_empty 101
cp "$TEST_TMP/101.conf.orig" "$conf"

# 8. an unknown key warns with file:line and survives set --save
echo 'FOO="bar"' >>"$conf"
line=$(grep -n '^FOO=' "$conf" | cut -d: -f1)
expect_rc 0 vz set 101 --hostname other.test --save
assert_contains "$LAST_ERR" "101.conf:$line" "the warning names 101.conf:$line"
assert_contains "$LAST_ERR" "FOO" "the warning names the key FOO"
assert_true "set --save keeps the FOO line" grep -qx 'FOO="bar"' "$conf"
assert_true "set --save wrote the new hostname" grep -qx 'HOSTNAME="other.test"' "$conf"
expect_rc 0 vz start 101
expect_out other.test vz exec 101 hostname
expect_rc 0 vz stop 101

# 9. VE_ROOT below a directory the CT's (unprivileged) root cannot enter: start says which and what
# to do, before anything is set up; made searchable, the same CT starts
closed=$TEST_TMP/closed
chmod 0711 "$TEST_TMP"
mkdir -m 0700 "$closed"
echo "VE_ROOT=\"$closed/root/\$VEID\"" >>"$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf"
new_ct 109
if grep -qx 'USERNS="yes"' "$(conf_of 109)"; then
        expect_rc 7 vz start 109
        assert_contains "$LAST_ERR" "is below $closed (mode 0700)" "start names the directory the CT's root cannot enter"
        assert_contains "$LAST_ERR" "chmod o+x $closed" "and says what to do"
        assert_eq "$(grep -c . <<<"$LAST_ERR")" 1 "once"
        expect_out "CTID 109 exist unmounted down" vz status 109
        assert_eq "$(ct_cgroups 109)" "" "nothing was set up: no cgroup of CT 109"
        chmod o+x "$closed"
        expect_rc 0 vz start 109
        expect_rc 0 vz stop 109
else
        skip "CT 109 is privileged here (no idmapped mounts): the check is for user-namespaced CTs"
fi
expect_rc 0 vz destroy 109

done_testing
