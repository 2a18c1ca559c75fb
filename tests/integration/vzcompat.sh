#!/bin/bash
# vzctl and vzlist: the installed names of vpsctl, driven the way hosting panels and operators' scripts
# drive OpenVZ: vzctl's messages where scripts grep them, --opt=value, vzctl's global options, vzlist's
# options and column layout (trimmed columns, --no-trim).
. "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_TMP/bin"
ln -s "$VPSCTL" "$TEST_TMP/bin/vzctl"
ln -s "$VPSCTL" "$TEST_TMP/bin/vzlist"
vzctl() { timeout -k 5 60 "$TEST_TMP/bin/vzctl" "$@"; }
vzlist() { timeout -k 5 60 "$TEST_TMP/bin/vzlist" "$@"; }

expect_rc 0 vzctl --version
assert_match "$LAST_OUT" '^vzctl \(vpsctl\) ' "vzctl --version names itself"

# a panel's create: template, address and hostname on the create line
expect_rc 0 vzctl create 101 --ostemplate busybox --ipadd 192.0.2.11 --hostname ct101.example.com
assert_eq "$LAST_OUT" "Creating container private area (busybox)
Container private area was created" "create prints vzctl's lines"
assert_eq "$(conf_get 101 IP_ADDRESS)" "192.0.2.11" "create --ipadd saved the address"

# --opt=value and --opt value, vzctl's size suffixes and barrier:limit
expect_rc 0 vzctl set 101 --hostname=ct101.example.net --ram=256M --swap 128M --numproc=100:120 --save
assert_contains "$LAST_OUT" "Saved parameters for CT 101" "set --save says it saved"
assert_eq "$(conf_get 101 HOSTNAME)" "ct101.example.net" "--hostname=VALUE is taken"
assert_eq "$(conf_get 101 NUMPROC)" "100:120" "--numproc=B:L is taken"
expect_out "ct101.example.net" vzlist -a -H -o hostname 101
expect_rc 20 vzctl set 101 --nosuchoption=1 --save
expect_rc 21 vzctl set 101 --ram=lots --save
assert_eq "$(conf_get 101 HOSTNAME)" "ct101.example.net" "a bad --opt=value changed nothing"

# start: the lines scripts wait for, in vzctl's order
expect_rc 0 vzctl start 101
assert_eq "$LAST_OUT" "Starting container...
Container is mounted
Container start in progress..." "start prints vzctl's lines"
expect_rc 32 vzctl start 101
assert_contains "$LAST_ALL" "Container is already running" "a second start says it is running"
expect_out "CTID 101 exist mounted running" vzctl status 101
expect_out "ct101.example.net" vzctl exec 101 hostname
expect_rc 0 vzctl --quiet exec 101 true
expect_rc 0 vzctl --verbose status 101
expect_rc 8 vzctl exec 101 false
expect_rc 32 vzctl destroy 101
assert_contains "$LAST_ALL" "Container is currently running. Stop it first." "destroy of a running CT"
expect_rc 32 vzctl umount 101
assert_contains "$LAST_ALL" "Container is running -- stop it first" "umount of a running CT"

# vzlist: default columns, -o, -s, -1, --output=, JSON
new_ct 102 --hostname a-very-long-host-name-that-is-longer.example.com --ipadd 192.0.2.12 --ipadd 198.51.100.12
expect_rc 0 vzlist -a
assert_eq "$(head -n 1 <<<"$LAST_OUT")" "      CTID      NPROC STATUS    IP_ADDR         HOSTNAME" "vzlist's header"
line=$(grep -E '^ +102 ' <<<"$LAST_OUT")
assert_eq "$line" "       102          - stopped   192.0.2.12      a-very-long-host-name-that-is-longer.example.com" \
        "a stopped CT: first address only (not the last column), the last column untrimmed"
expect_rc 0 vzlist -a -H -o ctid,hostname,ip
line=$(grep -E '^ +102 ' <<<"$LAST_OUT")
assert_eq "$line" "       102 a-very-long-host-name-that-is-lo 192.0.2.12 198.51.100.12" \
        "a long hostname is cut to its 32 columns, the last column (ip) holds every address"
expect_rc 0 vzlist -a -H --no-trim -o ctid,hostname,ip
line=$(grep -E '^ +102 ' <<<"$LAST_OUT")
assert_eq "$line" "       102 a-very-long-host-name-that-is-longer.example.com 192.0.2.12 198.51.100.12" \
        "--no-trim keeps the whole hostname"
expect_rc 0 vzlist -a -H -t -o hostname,ctid
assert_contains "$LAST_OUT" "longer.example.com" "-t is --no-trim"
line=$(grep -E '^ +101 ' <<<"$(vzlist -H -o ctid,numproc,status,ip,hostname)")
assert_match "$line" '^       101 +[0-9]+ running   192\.0\.2\.11      ct101\.example\.net$' "a running CT's line"
# CTIDs right-aligned in 10 columns, as vzlist prints them
expect_out "       101" vzlist -1
expect_out "       101
       102" vzlist -a -1
expect_out "       102
       101" vzlist -a -H -o ctid -s -ctid
expect_out "       101" vzlist -H --output=ctid
expect_rc 0 vzlist -a -H -o ctid,physpages.l,numproc.b,numproc.l
assert_match "$(grep -E '^ +101 ' <<<"$LAST_OUT")" '^ +101 +65536 +100 +120$' "ubc fields .l and .b (pages)"
expect_rc 0 vzlist -j 101
assert_true "vzlist -j prints JSON with the CT's hostname" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d[0]["ctid"] == 101 and d[0]["hostname"] == "ct101.example.net" and d[0]["status"] == "running", d
' "$LAST_OUT"
expect_rc 0 vzlist -a -n -H
assert_eq "$(awk '$1 == 101 { print $5 }' <<<"$LAST_OUT")" "ct101.example.net" \
        "-n: a CT without a name is shown by its CTID (smart_name), the hostname stays"
expect_rc 0 vzctl set 102 --name web102 --save
assert_eq "$LAST_OUT" "Name web102 assigned
Saved parameters for CT 102" "set --name: vzctl's two lines"
expect_rc 0 vzlist -a -n -H
assert_match "$(awk '$1 == "web102"' <<<"$LAST_OUT")" '^    web102 +- stopped   192\.0\.2\.12 ' \
        "-n: the name in place of the CTID, right-aligned in 10 columns as vzlist's smart_name"
expect_rc 0 vzlist -L
assert_true "vzlist -L lists physpages" grep -qw physpages <<<"$LAST_OUT"
# vzlist's errors: its lines, exit 1
expect_rc 1 vzlist 999
assert_contains "$LAST_ALL" "Container(s) not found" "vzlist of a CTID without a CT"
expect_out "       101" vzlist -H -o ctid 101 999
expect_rc 1 vzlist --no-such-option
expect_rc 1 vzlist -o nosuchfield
assert_contains "$LAST_ALL" "Unknown field: nosuchfield" "vzlist's unknown field line"
expect_rc 1 vzlist -s nosuchfield
assert_contains "$LAST_ALL" "Invalid sort field name: nosuchfield" "vzlist's unknown sort field line"
expect_rc 1 vzlist no-such-name
assert_contains "$LAST_ALL" "CT ID no-such-name is invalid." "vzlist of a name no CT has"

# stop, restart, mount, umount, destroy
expect_rc 0 vzctl stop 101
assert_eq "$LAST_OUT" "Stopping container ...
Container was stopped
Container is unmounted" "stop prints vzctl's lines"
expect_rc 0 vzctl stop 101
assert_contains "$LAST_ALL" "Unable to stop: container is not running" "stop of a stopped CT (exit 0, as vzctl)"
expect_rc 31 vzctl exec 101 true
assert_contains "$LAST_ALL" "Container is not running" "exec in a stopped CT"
expect_rc 0 vzctl restart 101
assert_eq "$LAST_OUT" "Restarting container
Starting container...
Container is mounted
Container start in progress..." "restart of a stopped CT"
expect_rc 0 vzctl restart 101
assert_eq "$LAST_OUT" "Restarting container
Stopping container ...
Container was stopped
Container is unmounted
Starting container...
Container is mounted
Container start in progress..." "restart of a running CT"
expect_rc 0 vzctl stop 101 --fast
expect_rc 0 vzctl mount 101
assert_eq "$LAST_OUT" "Container is mounted" "mount"
expect_rc 41 vzctl mount 101
assert_contains "$LAST_ALL" "Container is already mounted" "a second mount"
expect_rc 0 vzctl umount 101
assert_eq "$LAST_OUT" "Container is unmounted" "umount"
private=$(conf_get 101 VE_PRIVATE)
expect_rc 0 vzctl destroy 101
assert_eq "$LAST_OUT" "Destroying container private area: $private
Container private area was destroyed" "destroy prints vzctl's lines"
assert_true "destroy removed the config" test ! -e "$(conf_of 101)"

# the same binary as vpsctl keeps its own words
expect_rc 0 vz start 102
assert_eq "$LAST_OUT" "CT 102 started" "vpsctl start keeps vpsctl's message"
expect_rc 0 vz set 102 --description=web --save
assert_eq "$(conf_get 102 DESCRIPTION)" "web" "vpsctl takes --opt=value too"
expect_rc 0 vz stop 102
assert_eq "$LAST_OUT" "CT 102 stopped" "vpsctl stop keeps vpsctl's message"
# an exec'd command's own --x=y words are the command's, not split
expect_rc 0 vz start 102
expect_out "--x=y" vz exec2 102 echo --x=y
expect_rc 0 vz stop 102 --fast

# bash completion, against this prefix's CTs and the binary's own help
comp() { # comp WORD...: what completing the last word offers
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _vpsctl
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
# shellcheck source=../../etc/bash-completion/vpsctl
. "$(dirname "$0")/../../etc/bash-completion/vpsctl"
assert_eq "$(comp "$TEST_TMP/bin/vzctl" sta)" "start stat status" "completion: verbs"
assert_eq "$(comp "$TEST_TMP/bin/vzctl" start "")" "102 web102" "completion: CTIDs and names"
assert_contains "$(comp "$TEST_TMP/bin/vzctl" set 102 --hostn)" "--hostname" "completion: set's options"
assert_contains "$(comp "$VPSCTL" set 102 --ra)" "--ram" "completion: options from the key table"
assert_eq "$(comp "$VPSCTL" set 102 --onboot "")" "no yes" "completion: yes|no values"
assert_eq "$(comp "$VPSCTL" create 103 --ostemplate "")" "busybox debian-12" "completion: template names"
assert_eq "$(comp "$TEST_TMP/bin/vzlist" -o ctid,host)" "" "completion: vzlist -o takes a whole field"
assert_contains "$(comp "$TEST_TMP/bin/vzlist" -o hostn)" "hostname" "completion: vzlist fields"

# man pages from the same tables as help: every verb and every settable key, no roff warnings
for page in vpsctl.8 vzctl.8 vzlist.8 vpsctl.conf.5 ctid.conf.5; do
        expect_rc 0 vz help --man "$page"
        printf '%s\n' "$LAST_OUT" >"$TEST_TMP/$page"
        if command -v man >/dev/null; then
                warn=$(MANWIDTH=100 man --warnings -l "$TEST_TMP/$page" 2>&1 >/dev/null)
                assert_eq "$warn" "" "man $page renders without warnings"
        fi
done
for verb in $("$VPSCTL" help | awk '/^  [a-z]/ { print $1 }'); do
        assert_true "vpsctl.8 documents $verb" grep -qF ".B vpsctl ${verb//-/\\-}" "$TEST_TMP/vpsctl.8"
done
for key in HOSTNAME PHYSPAGES DISKSPACE NUMPROC IP_ADDRESS; do
        assert_true "ctid.conf.5 documents $key" grep -q "^\.B $key" "$TEST_TMP/ctid.conf.5"
done
assert_true "vzlist.8 documents --no-trim" grep -q 'no\\-trim' "$TEST_TMP/vzlist.8"
expect_rc 20 vz help --man nosuch.1

done_testing
