#!/bin/bash
# vpsctl console: a CT with CONSOLE=yes has a pty of its own devpts as /dev/console, held by a keeper
# process; a getty on it gives a shell an operator reaches with `vpsctl console` and leaves with Ctrl-] or
# Esc then "."; the console's output also goes to console.log. A CT without a console has no process of
# vpsctl's at all. Killing the keeper loses the console, never the CT; stopping the CT ends the keeper.
. "$(dirname "$0")/lib.sh"

keepers() { pgrep -f "__console-keeper $1 " || true; }

new_ct 177 --hostname con.test
expect_rc 0 vz start 177
assert_eq "$(keepers 177)" "" "a CT without a console: no keeper, no process of vpsctl's"
assert_true "and no console socket" test ! -e "$RUN_DIR/177/console.sock"
assert_eq "$(vpsctl_procs)" "" "no vpsctl process stays after start"
expect_rc 8 vz console 177
assert_contains "$LAST_ERR" "CT 177 has no console: vpsctl set 177 --console yes --save" "console says how to get one"
expect_rc 0 vz stop 177 --fast

expect_rc 0 vz set 177 --console yes --save
expect_rc 0 vz mount 177
echo 'console::respawn:/sbin/getty -n -l /bin/sh 0 console' >>"$ROOT_DIR/177/etc/inittab"
expect_rc 0 vz umount 177
expect_rc 0 vz start 177
k=$(keepers 177)
assert_eq "$(count_lines "$k")" 1 "with CONSOLE=yes, one keeper"
assert_true "it is in no cgroup of the CT's" bash -c "! grep -qx '$k' <(ct_pids 177)"
init=$(ct_inits 177)
dev() { stat -L -c '%F %t' "$1"; }
assert_eq "$(dev "/proc/$init/root/dev/console")" "character special file 88" "the CT's /dev/console is a pty (major 136)"
assert_eq "$(stat -L -c %t:%T "/proc/$init/fd/1")" "$(stat -L -c %t:%T "/proc/$init/root/dev/console")" \
        "and its init's stdout"
assert_true "Ctrl-] detaches after a command ran on the console's shell" \
        python3 "$(dirname "$0")/console-pty.py" "$VPSCTL" 177 '\x1d'
assert_true "so does Esc then ." python3 "$(dirname "$0")/console-pty.py" "$VPSCTL" 177 '\x1b.'
assert_true "the console's output is in console.log too" grep -q "console-42-ok" "$RUN_DIR/177/console.log"
assert_eq "$(keepers 177)" "$k" "the keeper stays across attaches"

kill -KILL "$k"
sleep 0.3
expect_out "CTID 177 exist mounted running" vz status 177
assert_eq "$(ct_inits 177)" "$init" "a killed keeper leaves the CT running, with the same init"
expect_rc 8 vz console 177
assert_contains "$LAST_ERR" "has no console keeper now" "console says the keeper is gone"
expect_rc 0 vz restart 177
k2=$(keepers 177)
assert_eq "$(count_lines "$k2")" 1 "the restart brings the console back"
expect_rc 0 vz stop 177
no_keeper() { [ -z "$(keepers 177)" ]; }
assert_true "stopping the CT ends its keeper" wait_until 5 no_keeper
assert_true "and removes the console socket" test ! -e "$RUN_DIR/177/console.sock"
expect_rc 0 vz destroy 177
done_testing
