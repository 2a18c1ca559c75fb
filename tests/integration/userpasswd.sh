#!/bin/bash
# set --userpasswd USER:PASSWORD on a stopped and a running CT: a SHA-512 crypt hash in the guest's
# /etc/shadow that verifies, a missing user added (passwd, group, home owned by its mapped id), the file's
# owner and mode kept; the password never in argv (ps), the environment, the conf or any file of vpsctl's;
# bad input changes nothing; a guest's symlinked /etc/shadow is refused, its target untouched.
. "$(dirname "$0")/lib.sh"

new_ct 173
conf=$(conf_of 173)
uid=$(conf_get 173 LOCAL_UID)
guest_root=
etc() { # FILE: the guest's /etc/FILE, through a running CT's init or its mounted root
        if [ -n "$guest_root" ]; then cat "$guest_root/etc/$1"; else cat "$(conf_get 173 VE_ROOT)/etc/$1"; fi
}
hash_ok() { # USER PASSWORD: the user's shadow hash is SHA-512 crypt and verifies PASSWORD
        local h
        h=$(etc shadow | awk -F: -v u="$1" '$1 == u { print $2 }')
        case "$h" in '$6$'*) ;; *) return 1 ;; esac
        python3 -W ignore -c 'import crypt, sys; sys.exit(crypt.crypt(sys.argv[1], sys.argv[2]) != sys.argv[2])' "$2" "$h"
}
with_root() { # CMD...: run CMD with the stopped CT's root mounted
        "$VPSCTL" mount 173 >/dev/null && "$@"
        local rc=$?
        "$VPSCTL" umount 173 >/dev/null
        return $rc
}

echo "# a stopped CT"
expect_out "Password of user root in CT 173 set" vz set 173 --userpasswd 'root:Pa55 w:rd'
expect_out "CTID 173 exist unmounted down" vz status 173
assert_true "root's hash verifies the password (colons and spaces in it kept)" with_root hash_ok root 'Pa55 w:rd'
expect_rc 0 vz set 173 --userpasswd bob:first
assert_contains "$LAST_ERR" "CT 173: user bob added" "a missing user is added, and it says so"
assert_true "bob's hash verifies" with_root hash_ok bob first
with_root etc passwd >"$TEST_TMP/passwd"
assert_true "bob has a passwd line: uid 1000, home /home/bob, shadow password" \
        grep -qE '^bob:x:1000:1000::/home/bob:/bin/(ba)?sh$' "$TEST_TMP/passwd"
assert_true "and a group of his name" with_root grep -qx 'bob:x:1000:' "$(conf_get 173 VE_ROOT)/etc/group"
home_owner() { stat -c '%u %a' "$(conf_get 173 VE_ROOT)/home/bob"; }
assert_eq "$(with_root home_owner)" "$((uid + 1000)) 700" "his home belongs to his id as the host maps it"
shadow_meta() { stat -c '%u %g %a' "$(conf_get 173 VE_ROOT)/etc/shadow"; }
assert_eq "$(with_root shadow_meta)" "$uid $uid 600" "/etc/shadow keeps its owner (the CT's root) and mode"

echo "# a running CT"
expect_rc 0 vz start 173
guest_root=/proc/$(ct_inits 173)/root
expect_rc 0 vz set 173 --userpasswd bob:second
assert_true "the running CT's hash verifies the new password" hash_ok bob second
assert_eq "$(etc shadow | grep -c '^bob:')" 1 "one shadow line for bob"
assert_eq "$(etc passwd | grep -c '^bob:')" 1 "one passwd line for bob"
expect_out 'bob:$6$' vz exec 173 'grep ^bob: /etc/shadow | cut -c1-7'
printf 'from stdin\n' >"$TEST_TMP/pw"
expect_rc 0 vz set 173 --userpasswd bob <"$TEST_TMP/pw"
assert_true "--userpasswd USER reads the password from stdin" hash_ok bob 'from stdin'

echo "# the password is in no argv, environment, conf or file of vpsctl's"
exec {lk}>>"$RUN_DIR/173/lock"
flock "$lk"
VPSCTL_LOCK_TIMEOUT=20 "$VPSCTL" set 173 --userpasswd bob:Secret-In-Argv >"$TEST_TMP/bg.out" 2>&1 &
bg=$!
sleep 1 # it waits for the lock we hold, past its start and its re-exec from a sealed copy
tr '\0' ' ' <"/proc/$bg/cmdline" >"$TEST_TMP/cmdline"
tr '\0' '\n' <"/proc/$bg/environ" >"$TEST_TMP/environ"
flock -u "$lk"
exec {lk}>&-
wait "$bg"
assert_eq "$?" 0 "set --userpasswd waiting for the lock succeeds once it is free"
assert_true "its argv (ps) shows the user, the password masked" grep -q 'bob:\*\*\*\*\*\*\*\*\*\*\*\*\*\*' "$TEST_TMP/cmdline"
assert_true "its argv does not hold the password" bash -c "! grep -q Secret-In-Argv '$TEST_TMP/cmdline'"
assert_true "its environment does not hold it" bash -c "! grep -q Secret-In-Argv '$TEST_TMP/environ'"
assert_true "its output does not hold it" bash -c "! grep -q Secret-In-Argv '$TEST_TMP/bg.out'"
assert_true "nothing under the prefix's etc, run and log holds it" \
        bash -c "! grep -rqs Secret-In-Argv '$VPSCTL_PREFIX/etc' '$RUN_DIR' '$VPSCTL_PREFIX/var/log'"
assert_true "and the hash verifies it" hash_ok bob Secret-In-Argv
strace -f -qq -e trace=execve,execveat -s 4096 -o "$TEST_TMP/strace" "$VPSCTL" set 173 --userpasswd bob:Traced-Pw >/dev/null 2>&1
assert_eq "$(grep -c 'Traced-Pw' "$TEST_TMP/strace")" 1 "only the operator's own exec of vpsctl carries it (none of its execs does)"

echo "# bad input changes nothing"
etc shadow >"$TEST_TMP/shadow.before"
expect_rc 21 vz set 173 --userpasswd 'Bad:x'
assert_contains "$LAST_ERR" 'Bad user name "Bad"' "a bad user name is named"
expect_rc 21 vz set 173 --userpasswd 'root:'
expect_rc 21 vz set 173 --userpasswd 'root' </dev/null
expect_rc 20 vz set 173 --userpasswd
etc shadow >"$TEST_TMP/shadow.after"
assert_true "the guest's shadow is unchanged" cmp -s "$TEST_TMP/shadow.before" "$TEST_TMP/shadow.after"
assert_true "the conf never holds a password key" bash -c "! grep -qi 'passw' '$conf'"

echo "# the guest's symlinks are not followed"
expect_rc 0 vz exec 173 'echo untouched >/root/target && mv /etc/shadow /etc/shadow.real && ln -s /root/target /etc/shadow'
expect_rc 74 vz set 173 --userpasswd root:x1
assert_contains "$LAST_ERR" "Failed to set the password of user root in CT 173" "the failure names the CT and user"
expect_out untouched vz exec 173 cat /root/target
expect_rc 0 vz exec 173 'rm /etc/shadow && mv /etc/shadow.real /etc/shadow'

expect_rc 0 vz stop 173 --fast
expect_rc 0 vz destroy 173
done_testing
