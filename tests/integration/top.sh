#!/bin/bash
# vpsctl top: interactive under tmux (the header, a busy CT's CPU % above 50 and an idle one's near 0,
# keys that change the order, q quits with the terminal restored), and batch mode (-b -n 2) for scripts.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || skip "tmux is not installed"

sock=$TEST_TMP/tmux.sock
tmx() { tmux -S "$sock" "$@"; }
# the tmux server is a daemon of its own: ended here, before lib.sh's cleanup
trap 'rc=$?; tmux -S "$sock" kill-server 2>/dev/null; (exit $rc); _on_exit' EXIT

new_ct 101 --name idle
new_ct 102 --name busy
new_ct 103 --name off
expect_rc 0 vz start 101
expect_rc 0 vz start 102
expect_rc 0 vz exec 102 'sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 &'

# data rows of a capture or a frame: "CTID NAME STATUS CPU% ..."
rows() { awk '$1 ~ /^[0-9]+$/ && NF >= 4' <<<"$1"; }
first_id() { rows "$1" | awk 'NR == 1 { print $1 }'; }
cpu_of() { rows "$1" | awk -v id="$2" '$1 == id { print $4 }'; }
pane() { tmx capture-pane -p -t top; }

# --- interactive, under tmux ---
# top's exit status through the pane's shell: tmux's pane_dead_status was seen empty for good after a
# clean exit (the pane marked dead at the pty's end, the status never read)
tmx new-session -d -s top -x 150 -y 20 "$VPSCTL top -d 1; echo \$? >$TEST_TMP/top.rc"
tmx set-option -t top remain-on-exit on
has_rows() { [ "$(rows "$(pane)" | wc -l)" = 3 ]; }
assert_true "top shows the three CTs" wait_until 10 has_rows
sleep 1.5 # a frame over a full second of the busy loop
screen=$(pane)
assert_match "$screen" '^vpsctl top - [0-9:]+  CTs: 3, 2 running, 0 frozen  every 1\.0s  sort: cpu' "the summary line"
assert_match "$screen" 'CTID +NAME +STATUS +CPU% +MEM +SWAP +PIDS +IORD/s +IOWR/s +NETRX/s +NETTX/s' "the column header"
assert_eq "$(first_id "$screen")" 102 "sorted by CPU: the busy CT first"
busy=$(cpu_of "$screen" 102) idle=$(cpu_of "$screen" 101)
awk -v b="$busy" -v i="$idle" 'BEGIN { exit !(b > 50 && i < 5) }' &&
        pass "CPU %: the busy loop's CT $busy (> 50), the idle one $idle (< 5)" ||
        fail "CPU %: the busy loop's CT '$busy' (want > 50), the idle one '$idle' (want < 5)"
assert_match "$(rows "$screen" | awk '$1 == 103')" '^ +103 off +stopped +- ' "the stopped CT: its status, no figures"

tmx send-keys -t top t
by_ctid() { [ "$(first_id "$(pane)")" = 101 ]; }
assert_true "t sorts by CTID: 101 first" wait_until 3 by_ctid
assert_match "$(pane)" 'sort: ctid' "the summary line says sort: ctid"
tmx send-keys -t top R
reversed() { [ "$(first_id "$(pane)")" = 103 ]; }
assert_true "R reverses it: 103 first" wait_until 3 reversed
tmx send-keys -t top m
by_mem() { pane | grep -q 'sort: mem$'; }
assert_true "m sorts by memory" wait_until 3 by_mem
tmx send-keys -t top q
dead() { [ "$(cat "$TEST_TMP/top.rc" 2>/dev/null)" = 0 ] && [ "$(tmx display-message -p -t top '#{pane_dead}')" = 1 ]; }
assert_true "q quits top with exit 0" wait_until 3 dead
# the alternate screen left: what top drew is gone from the pane
assert_eq "$(pane | grep -c 'CTID')" 0 "the terminal is given back (top's screen gone)"
tmx kill-server 2>/dev/null

# --- batch mode ---
expect_rc 0 vz top -b -n 2 -d 0.5
out=$LAST_OUT
assert_eq "$(grep -c '^vpsctl top - ' <<<"$out")" 2 "-b -n 2: two frames"
assert_eq "$(grep -c 'CTID' <<<"$out")" 2 "each with its header"
assert_eq "$(rows "$out" | wc -l)" 6 "each with a row per CT"
assert_eq "$(grep -c $'\033' <<<"$out")" 0 "no escape sequence in batch output"
frame2=$(awk '/^vpsctl top/ { n++ } n == 2' <<<"$out")
assert_eq "$(first_id "$frame2")" 102 "batch, sorted by CPU: the busy CT first"
awk -v b="$(cpu_of "$frame2" 102)" 'BEGIN { exit !(b > 50) }' && pass "batch: the busy CT's CPU % above 50" ||
        fail "batch: the busy CT's CPU % is '$(cpu_of "$frame2" 102)'"
expect_rc 0 vz top -b -n 1 -s name
assert_eq "$(rows "$LAST_OUT" | awk '{ print $2 }' | tr '\n' ' ')" "busy idle off " "-s name sorts by name"
expect_rc 0 vz top -b -n 1 -s -ctid
assert_eq "$(first_id "$LAST_OUT")" 103 "-s -ctid: CTID descending"
expect_rc 20 vz top -b -s bogus
expect_rc 20 vz top -b -d 0
expect_rc 20 vz top -b -n 0
expect_rc 20 vz top
assert_contains "$LAST_ERR" "not a terminal: use -b" "top without a terminal asks for -b"

for id in 101 102; do expect_rc 0 vz stop "$id" --fast; done
done_testing
