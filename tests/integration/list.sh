#!/bin/bash
# `vpsctl list` is vzlist: options, field names, column widths, JSON, CTID and name arguments.
. "$(dirname "$0")/lib.sh"

# the first column of every line, space-joined
ids() { awk '{ print $1 }' <<<"$1" | tr '\n' ' ' | sed 's/ $//'; }

new_ct 101 --hostname h101
new_ct 102 --hostname h102
expect_rc 0 vz start 101

# which CTs
expect_rc 0 vz list -H
assert_eq "$(ids "$LAST_OUT")" "101" "list shows running CTs only"
expect_rc 0 vz list -a -H
assert_eq "$(ids "$LAST_OUT")" "101 102" "list -a shows all CTs"
expect_rc 0 vz list -S -H
assert_eq "$(ids "$LAST_OUT")" "102" "list -S shows stopped CTs only"

# header and columns: %10s %10s %-9s %-15s %-32s, one space apart, trailing spaces trimmed
expect_rc 0 vz list
header=$(head -n 1 <<<"$LAST_OUT")
assert_eq "$header" "      CTID      NPROC STATUS    IP_ADDR         HOSTNAME" "default header as vzlist's"
assert_eq "$(count_lines "$LAST_OUT")" 2 "list prints the header and one line"
line=$(sed -n 2p <<<"$LAST_OUT")
assert_eq "${line:0:10}" "       101" "CTID right-aligned in 10 columns"
assert_match "${line:11:10}" '^ *[0-9]+$' "NPROC right-aligned in 10 columns"
assert_eq "${line:22:10}" "running   " "STATUS left-aligned in 9 columns"
assert_eq "${line:48}" "h101" "HOSTNAME at column 49, trailing spaces trimmed"
assert_eq "$(awk '{ print $3 }' <<<"$line")" "running" "awk '{print \$3}' gives the status"
expect_rc 0 vz list -a -H
line=$(grep -E '^ +102 ' <<<"$LAST_OUT")
assert_eq "$(awk '{ print $3, $5 }' <<<"$line")" "stopped h102" "a stopped CT's line says stopped (vzlist)"

# fields
expect_rc 0 vz list -a -H -o ctid,hostname
assert_eq "$(awk '{ print $1 ":" $2 }' <<<"$LAST_OUT" | tr '\n' ' ')" "101:h101 102:h102 " "-o ctid,hostname"
expect_rc 0 vz list -a -H -octid
assert_eq "$(ids "$LAST_OUT")" "101 102" "-octid (value attached)"
expect_rc 0 vz list -a -octid
assert_eq "$(ids "$LAST_OUT")" "CTID 101 102" "-octid prints a CTID header"
expect_rc 0 vz list -a -H -o veid,status
assert_eq "$(awk '{ print $1 ":" $2 }' <<<"$LAST_OUT" | tr '\n' ' ')" "101:running 102:stopped " "-o veid,status (veid alias)"
expect_rc 0 vz list -a -1
assert_eq "$(ids "$LAST_OUT")" "101 102" "-1 prints the ids"
assert_eq "$(awk 'NF != 1' <<<"$LAST_OUT")" "" "-1 prints nothing but ids"
expect_rc 0 vz list -a -H -o ctid -s -ctid
assert_eq "$(ids "$LAST_OUT")" "102 101" "-s -ctid sorts in reverse"
expect_rc 0 vz list -a -H -o ctid -s ctid
assert_eq "$(ids "$LAST_OUT")" "101 102" "-s ctid sorts"
expect_rc 0 vz list -a -H -o ctid -s hostname
assert_eq "$(ids "$LAST_OUT")" "101 102" "-s hostname sorts"
expect_rc 20 vz list -o nosuchfield

# cpu: CPU time over uptime (ps's %CPU). A CT that spun for about a second of its first few has a
# figure well above zero; a stopped one has none; -s cpu puts the stopped one (none) first
expect_rc 0 vz exec 101 'i=0; end=$(( $(cut -d. -f1 /proc/uptime) + 2 )); while [ $(cut -d. -f1 /proc/uptime) -lt $end ]; do i=$((i+1)); done'
expect_rc 0 vz list -a -H -o ctid,cpu -s cpu
assert_match "$(sed -n 1p <<<"$LAST_OUT")" '^ +102 +-$' "a stopped CT has no cpu figure"
cpu=$(awk '$1 == 101 { print $2 }' <<<"$LAST_OUT")
assert_true "CT 101's cpu (${cpu:-none}%) is above 1% after a busy loop" awk -v c="${cpu:-0}" 'BEGIN { exit !(c > 1 && c <= 200) }'

expect_rc 0 vz list -L
for f in ctid veid hostname name ostemplate ip status onboot numproc; do
        assert_true "-L lists field $f" grep -qw -- "$f" <<<"$LAST_OUT"
done

# a trailing CTID restricts the output
expect_rc 0 vz list -a -H -o ctid 102
assert_eq "$(ids "$LAST_OUT")" "102" "list -a 102 shows only 102"
expect_rc 0 vz list -H -o ctid,status 102
assert_eq "$(awk '{ print $1, $2 }' <<<"$LAST_OUT")" "102 stopped" "list 102 shows a named stopped CT"

# JSON
expect_rc 0 vz list -a -j
got=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, list) and all(isinstance(o, dict) for o in d)
print(" ".join("%s:%s:%s" % (o.get("ctid"), o.get("hostname"), o.get("status")) for o in d))' <<<"$LAST_OUT" 2>&1)
assert_eq "$got" "101:h101:running 102:h102:stopped" "list -a -j is an array of objects"

# the name alias
new_ct 103 --name web1
expect_out "CTID 103 exist unmounted down" vz status web1
expect_rc 0 vz list -a -H -o ctid,name web1
assert_eq "$(awk '{ print $1, $2 }' <<<"$LAST_OUT")" "103 web1" "list web1 shows CT 103 named web1"
expect_rc 0 vz start web1
expect_out "CTID 103 exist mounted running" vz status 103
expect_rc 0 vz list -H
assert_eq "$(ids "$LAST_OUT")" "101 103" "both running CTs are listed"
expect_rc 0 vz stop web1

expect_rc 0 vz stop 101
expect_rc 0 vz list -H
assert_eq "$LAST_OUT" "" "list with nothing running prints nothing under -H"

done_testing
