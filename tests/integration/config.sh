#!/bin/bash
# CTID.conf: OpenVZ key names, atomic rewrites by set --save, live hostname, unique names.
. "$(dirname "$0")/lib.sh"

new_ct 101 --hostname ct101.test --name alpha --description "first CT"
conf=$(conf_of 101)
assert_true "create writes 101.conf" test -f "$conf"
assert_true 'OSTEMPLATE="busybox"' grep -qx 'OSTEMPLATE="busybox"' "$conf"
assert_true 'HOSTNAME="ct101.test"' grep -qx 'HOSTNAME="ct101.test"' "$conf"
assert_true 'NAME="alpha"' grep -qx 'NAME="alpha"' "$conf"
assert_true 'VE_ROOT is set' grep -q '^VE_ROOT=".\+"$' "$conf"
assert_true 'VE_PRIVATE is set' grep -q '^VE_PRIVATE=".\+"$' "$conf"
assert_eq "$(grep -cvE '^([A-Z][A-Z0-9_]*="[^"]*")?$|^#' "$conf")" 0 'every line is KEY="value", a comment or empty'

# set --save: write a temporary file, rename it over the old one
ino=$(stat -c %i "$conf")
expect_rc 0 vz set 101 --onboot yes --save
assert_true 'ONBOOT="yes"' grep -qx 'ONBOOT="yes"' "$conf"
assert_true "set --save replaced the file (new inode)" test "$(stat -c %i "$conf")" != "$ino"
for i in 1 2 3 4 5; do
        vz set 101 --description "round $i" --save >/dev/null 2>&1 || fail "set --description 'round $i' --save"
done
assert_true 'DESCRIPTION="round 5"' grep -qx 'DESCRIPTION="round 5"' "$conf"
assert_eq "$(ls -A "$CONF_DIR" | grep -v '\.conf-sample$' | tr '\n' ' ')" "101.conf " "no temporary files left in the conf dir"
# as vzctl: without --save nothing can be applied to a stopped CT
expect_rc 31 vz set 101 --onboot no
assert_true "set without --save does not write ONBOOT" grep -qx 'ONBOOT="yes"' "$conf"

# a reader never sees a partial file while set --save rewrites it
( for i in $(seq 1 20); do "$VPSCTL" set 101 --description "loop $i" --save >/dev/null 2>&1; done ) &
writer=$!
torn=0
while kill -0 $writer 2>/dev/null; do
        grep -q '^OSTEMPLATE="busybox"$' "$conf" 2>/dev/null || torn=$((torn + 1))
done
wait $writer
assert_eq "$torn" 0 "readers always saw a complete 101.conf"

# hostname: live on a running CT, and saved
expect_rc 0 vz start 101
expect_out ct101.test vz exec 101 hostname
expect_rc 0 vz set 101 --hostname new.test --save
expect_out new.test vz exec 101 hostname
assert_true 'HOSTNAME="new.test" saved' grep -qx 'HOSTNAME="new.test"' "$conf"
expect_rc 0 vz restart 101
expect_out new.test vz exec 101 hostname

# names are unique
new_ct 102 --name beta
cp "$(conf_of 102)" "$TEST_TMP/102.conf"
expect_rc "137|21" vz set 102 --name alpha --save
exit_code_documented "$LAST_RC" && pass "exit code $LAST_RC is documented" || fail "exit code $LAST_RC is not documented"
assert_true "a refused --name leaves 102.conf byte-identical" cmp -s "$(conf_of 102)" "$TEST_TMP/102.conf"
expect_out "CTID 101 exist mounted running" vz status alpha
expect_out "CTID 102 exist unmounted down" vz status beta
expect_rc "137|21" vz create 103 --ostemplate busybox --name alpha
assert_true "create with a taken name writes no 103.conf" test ! -e "$(conf_of 103)"
assert_true "create with a taken name makes no private area" test ! -e "$PRIVATE_DIR/103"
expect_rc 0 vz set 102 --name gamma --save
expect_out "CTID 102 exist unmounted down" vz status gamma
expect_rc 14 vz status beta

expect_rc 0 vz stop 101
done_testing
