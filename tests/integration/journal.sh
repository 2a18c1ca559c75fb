#!/bin/bash
# The command log (vzctl.log's): every command that changes something is recorded in LOGFILE with its CT,
# verb, options and exit code, its errors and warnings in between, and to syslog; read-only verbs are not;
# --userpasswd's value and exec's command never are. LOG_LEVEL adds notices; LOGGING=no turns it off.
. "$(dirname "$0")/lib.sh"

LOGF=$VPSCTL_PREFIX/var/log/vpsctl.log
GLOBAL_CONF=$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf
new_ct 176
expect_rc 0 vz start 176
expect_rc 32 vz start 176
expect_rc 0 vz set 176 --numproc 321 --userpasswd 'root:Log-Secret pw' --save
expect_rc 0 vz exec 176 'echo exec-command-text'
expect_rc 0 vz status 176
expect_rc 0 vz list -a
expect_rc 0 vz template list
expect_rc 0 vz stop 176
log=$(cat "$LOGF" 2>/dev/null)
line() { grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{4} vpsctl\[[0-9]+\]: $1\$" <<<"$log"; }
assert_true "create is recorded with its options" line "CT 176: create --ostemplate busybox"
assert_true "and its result" line "CT 176: create: exit 0 \([0-9.]+ s\)"
assert_true "start is recorded" line "CT 176: start"
assert_true "a failed start: its error" line "CT 176: Error: CT 176 is already running"
assert_true "and its exit code, by name" line "CT 176: start: exit 32 VZ_VE_RUNNING \([0-9.]+ s\)"
assert_true "set is recorded with the password masked" line "CT 176: set --numproc 321 --userpasswd root:\*+ --save"
assert_true "exec is recorded without its command" line "CT 176: exec"
assert_true "stop is recorded" line "CT 176: stop: exit 0 \([0-9.]+ s\)"
assert_true "the password is nowhere in the log" bash -c "! grep -q 'Log-Secret' '$LOGF'"
assert_true "nor exec's command" bash -c "! grep -q 'exec-command-text' '$LOGF'"
assert_true "read-only verbs are not logged (status, list, template list)" \
        bash -c "! grep -qE ': (status|list|template list)' '$LOGF'"
assert_eq "$(grep -c 'vpsctl\[' "$LOGF")" "$(wc -l <"$LOGF")" "every line is a record of vpsctl's"

echo "# LOG_LEVEL, LOGFILE, LOGGING"
cp "$GLOBAL_CONF" "$TEST_TMP/global.bak" 2>/dev/null || : >"$TEST_TMP/global.bak"
printf 'LOG_LEVEL="1"\nLOGFILE="%s"\n' "$TEST_TMP/other.log" >>"$GLOBAL_CONF"
expect_rc 0 vz start 176
expect_rc 0 vz set 176 --capability sys_time:on --save
assert_true "LOGFILE moves the log" grep -q "CT 176: set --capability sys_time:on --save" "$TEST_TMP/other.log"
assert_true "LOG_LEVEL 1 adds notices" grep -q "CT 176: CAPABILITY take effect at its next start" "$TEST_TMP/other.log"
cp "$TEST_TMP/global.bak" "$GLOBAL_CONF"
echo 'LOGGING="no"' >>"$GLOBAL_CONF"
before=$(wc -l <"$LOGF")
expect_rc 0 vz stop 176 --fast
assert_eq "$(wc -l <"$LOGF")" "$before" "LOGGING=no: nothing is logged"
cp "$TEST_TMP/global.bak" "$GLOBAL_CONF"

echo "# syslog"
# a private mount namespace whose /dev (a tmpfs) has our own /dev/log: what vpsctl sends there is read back
cat >"$TEST_TMP/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(10)
with open(sys.argv[1], "w") as out:
    for _ in range(4):
        try:
            out.write(s.recv(4096).decode(errors="replace") + "\n")
        except socket.timeout:
            break
PY
unshare -m --propagation private bash -c "
        mount -t tmpfs tmpfs /dev || exit 1
        python3 '$TEST_TMP/listen.py' '$TEST_TMP/syslog' & l=\$!
        for i in \$(seq 50); do [ -e '$TEST_TMP/syslog.ready' ] && break; sleep 0.1; done
        '$VPSCTL' set 176 --description journal --save >/dev/null
        '$VPSCTL' stop 999 >/dev/null 2>&1
        wait \$l" 2>"$TEST_TMP/unshare.err"
sys=$(cat "$TEST_TMP/syslog" 2>/dev/null)
assert_contains "$sys" "vpsctl[" "syslog gets vpsctl's records, with its pid"
assert_contains "$sys" "CT 176: set --description journal --save" "syslog: the command"
assert_contains "$sys" "CT 176: set: exit 0" "syslog: its result"
assert_contains "$sys" "CT 999: stop: exit 14 VZ_NOVE_CONFIG" "syslog: a failure, by name"
assert_true "syslog: a failure at priority err (daemon.err = <27>)" grep -q '^<27>' "$TEST_TMP/syslog"

expect_rc 0 vz destroy 176
done_testing
