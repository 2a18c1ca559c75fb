#!/bin/bash
# Escape regression suite (issue 6): busybox CTs started through the real vpsctl binary try the
# known container escapes, and every attempt must fail, checked from inside the CT and on the
# host. The attacker is the CT's root, so where a protection is a read-only mount or a masked
# path, the suite also tries what root in the CT can do about it (remount, umount, mount anew).
#
#  1. host-wide files through /proc and /sys (core_pattern, sysrq-trigger, drop_caches, modprobe,
#     /proc/1/root), also after remounting /proc/sys or /sys read-write or mounting them anew
#  2. cgroup v1 mounted inside the CT: release_agent (CVE-2022-0492), the CT's own limits
#  3. vpsctl's own binary (CVE-2019-5736): the root of a CT with a user namespace cannot write it; for a CT
#     without one, vpsctl runs from a sealed copy while it joins the CT (a read-only overlayfs view or a
#     sealed memfd), which cannot be written; the file on disk is unchanged
#  4. fds and cwd of every process vpsctl starts in a CT (CVE-2024-21626)
#  5. /proc, /sys, /dev of the private area made symlinks (CVE-2021-30465)
#  6. /dev/null and /dev/pts replaced by symlinks (CVE-2025-31133 class)
#  7. open_by_handle_at (the shocker escape) against another CT's file
#  8. kernel modules
#  9. mounts made inside the CT stay inside it
# 10. the kernel keyring
# 11. capabilities, no_new_privs and seccomp of init and exec; SECCOMP="no" turns the filter off
# 12. device nodes: a host block device made with mknod
#
# Attempts that would change the host when they succeed write the value already there (ct-probe
# rewrite) or only open for writing; the one real write (core_pattern) is checked and undone.
. "$(dirname "$0")/../integration/lib.sh"

[ -n "${CT_PROBE:-}" ] && [ -f "$CT_PROBE" ] && [ -x "$CT_PROBE" ] ||
        skip "CT_PROBE is not set to the built ct-probe (ctest sets it)"
CT_PROBE=$(readlink -f "$CT_PROBE")

# ---------------------------------------------------------------------------------------
# helpers

# A part of the test this machine cannot run (the rest goes on).
skip_part() {
        echo "ok - # SKIP $*"
}

# Informational line, not a check.
note() {
        echo "# $*"
}

# Copy the probe into a running CT as /probe, through vpsctl exec's stdin.
install_probe() {
        expect_rc 0 vz exec "$1" 'cat > /probe && chmod 755 /probe' <"$CT_PROBE"
}

# probe ID ARGS...: run /probe ARGS... in the CT; output in LAST_OUT.
probe() {
        local id=$1
        shift
        run vz exec2 "$id" /probe "$@"
}

# The result word(s) the probe printed for an attempt: the rest of the line starting with PREFIX.
probe_result() {
        awk -v p="$1 " 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }' <<<"$LAST_OUT"
}

# expect_denied PREFIX DESCRIPTION [ERRNO]: the probe's attempt PREFIX (in LAST_OUT) failed
# (with ERRNO if given).
expect_denied() {
        local res
        res=$(probe_result "$1")
        if [ -z "$res" ]; then
                fail "$2: the probe printed no result for '$1'"
                show out "$LAST_ALL"
                return 1
        fi
        case "$res" in
        OK | "OK "*)
                fail "$2: ESCAPE, '$1' succeeded"
                return 1
                ;;
        esac
        if [ -n "${3:-}" ] && [ "$res" != "$3" ]; then
                fail "$2: '$1' failed with $res, expected $3"
                return 1
        fi
        pass "$2 ($1: $res)"
}

# hex field of /proc/PID/status (or of a status text on stdin with PID -)
status_field() {
        if [ "$1" = - ]; then
                awk -v k="$2:" '$1 == k { print $2 }'
        else
                awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null
        fi
}

# check_status WHO STATUS-TEXT SECCOMP: the capability sets, no_new_privs and seccomp mode of a
# CT process.
check_status() {
        local who=$1 st=$2 want_seccomp=$3 bnd b name
        assert_eq "$(status_field - CapInh <<<"$st")" 0000000000000000 "$who: CapInh is empty"
        assert_eq "$(status_field - CapAmb <<<"$st")" 0000000000000000 "$who: CapAmb is empty"
        assert_eq "$(status_field - NoNewPrivs <<<"$st")" 0 "$who: NoNewPrivs is 0 (the default)"
        assert_eq "$(status_field - Seccomp <<<"$st")" "$want_seccomp" "$who: Seccomp is $want_seccomp"
        bnd=$(status_field - CapBnd <<<"$st")
        if [ -z "$bnd" ]; then
                fail "$who: no CapBnd in its status"
                return
        fi
        for b in 16:cap_sys_module 17:cap_sys_rawio 25:cap_sys_time; do
                name=${b#*:}
                if (((16#$bnd >> ${b%%:*}) & 1)); then
                        fail "$who: CapBnd $bnd has $name"
                else
                        pass "$who: CapBnd $bnd lacks $name"
                fi
        done
}

# sha256 and mode of a host file (empty if it does not exist)
file_id() {
        [ -e "$1" ] || return 0
        echo "$(sha256sum <"$1" | cut -d' ' -f1) $(stat -c %a:%u:%g "$1")"
}

# Mount points (field 5 of mountinfo) outside this test's prefix, in the test's namespace.
mounts_outside_prefix() {
        awk -v p="$VPSCTL_PREFIX" '!($5 == p || index($5, p "/") == 1) { print $5 }' /proc/self/mountinfo | sort
}

# Is something mounted at PATH, in the test's namespace or in the host's (pid 1's)?
mounted_at() {
        awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo /proc/1/mountinfo 2>/dev/null
}

# The private area's files of a CT: the overlay upper layer, or the copy.
ct_fs() {
        if [ -d "$PRIVATE_DIR/$1/fs" ]; then echo "$PRIVATE_DIR/$1/fs"; else echo "$PRIVATE_DIR/$1"; fi
}

HOST_CORE=$(cat /proc/sys/kernel/core_pattern)
# The host's core_pattern must be what it was; if a CT changed it, say so and put it back.
check_core_pattern() {
        local now
        now=$(cat /proc/sys/kernel/core_pattern)
        if [ "$now" = "$HOST_CORE" ]; then
                pass "$1: the host's core_pattern is unchanged ('$HOST_CORE')"
                return 0
        fi
        fail "$1: ESCAPE, the host's core_pattern is now '$now' (was '$HOST_CORE'); restoring it"
        printf '%s\n' "$HOST_CORE" >/proc/sys/kernel/core_pattern
        return 1
}

# Every cgroup v1 hierarchy of the host: "MOUNTPOINT OPTIONS" (options as `mount -o` takes them).
host_v1_hierarchies() {
        awk '{
                split($0, a, " - "); split(a[1], f, " "); split(a[2], g, " ")
                if (g[1] != "cgroup" || f[4] != "/") next
                n = split(g[3], o, ","); opts = ""
                for (i = 1; i <= n; i++) {
                        if (o[i] == "rw" || o[i] == "ro" || o[i] ~ /^release_agent=/ || o[i] == "xattr" ||
                            o[i] == "noprefix" || o[i] == "clone_children" || o[i] == "cpuset_v2_mode") continue
                        opts = opts (opts == "" ? "" : ",") o[i]
                }
                if (opts ~ /^name=/) opts = "none," opts
                print f[5], opts
        }' /proc/self/mountinfo | sort -u -k2,2
}

# release_agent and notify_on_release of every host hierarchy's root
host_release_agents() {
        local m o
        while read -r m o; do
                echo "$m release_agent='$(cat "$m/release_agent" 2>/dev/null)' notify_on_release=$(cat "$m/notify_on_release" 2>/dev/null)"
        done <<<"$(host_v1_hierarchies)"
}

VPSCTL_SHA=$(sha256sum <"$VPSCTL" | cut -d' ' -f1)
SHADOW_ID=$(file_id /etc/shadow)

new_ct 101 --hostname escape101.test
new_ct 102 --hostname escape102.test
expect_rc 0 vz start 101 || {
        fail "CT 101 does not start; nothing else can be checked"
        done_testing
}
install_probe 101
INIT=$(ct_inits 101)
assert_eq "$(count_lines "$INIT")" 1 "one init in CT 101"
CT_PIDNS=$(readlink "/proc/$INIT/ns/pid")

# ---------------------------------------------------------------------------------------
echo "# 1. host-wide files through /proc and /sys"

probe 101 write /proc/sys/kernel/core_pattern "vpsctl-escape-core-$$"
expect_denied "write /proc/sys/kernel/core_pattern" "CT writes core_pattern"
check_core_pattern "after the CT wrote /proc/sys/kernel/core_pattern"
# only opened: a write to any of these acts on the whole host at once
knobs="/proc/sysrq-trigger /proc/sys/vm/drop_caches /proc/sys/kernel/modprobe /proc/sys/kernel/poweroff_cmd"
probe 101 writeopen $knobs
for f in $knobs; do
        if [ -e "$f" ]; then
                expect_denied "writeopen $f" "CT opens $f for writing"
        else
                skip_part "this kernel has no $f"
        fi
done

# /proc/1/root in the CT is the CT's root, and the CT's /proc shows none of the host's processes
expect_out / vz exec 101 readlink /proc/1/root
expect_rc 0 vz exec 101 "echo vpsctl-escape-$$ > /proc/1/root/escape-marker"
assert_eq "$(cat "$ROOT_DIR/101/escape-marker" 2>/dev/null)" "vpsctl-escape-$$" \
        "a file written to /proc/1/root/ in the CT lands in the CT's root"
assert_true "a file written to /proc/1/root/ in the CT is not in the host's /" test ! -e /escape-marker
expect_rc 0 vz exec 101 'for p in /proc/[0-9]*; do readlink $p/ns/pid; done | sort -u'
assert_eq "$LAST_OUT" "$CT_PIDNS" "every process the CT's /proc shows is in the CT's pid namespace"

# what root in the CT can do about read-only /proc/sys: each attempt writes core_pattern's own
# value back, so the host does not change even where it succeeds
run vz exec 101 'mount -o remount,rw,bind /proc/sys; /probe rewrite /proc/sys/kernel/core_pattern'
expect_denied "rewrite /proc/sys/kernel/core_pattern" "CT remounts /proc/sys read-write and writes core_pattern"
run vz exec 101 'umount -l /proc/sys; /probe rewrite /proc/sys/kernel/core_pattern'
expect_denied "rewrite /proc/sys/kernel/core_pattern" "CT unmounts the read-only /proc/sys and writes core_pattern"
run vz exec 101 'mkdir -p /tmp/proc2 && mount -t proc proc /tmp/proc2; /probe rewrite /tmp/proc2/sys/kernel/core_pattern'
expect_denied "rewrite /tmp/proc2/sys/kernel/core_pattern" "CT mounts a new procfs and writes core_pattern"
check_core_pattern "after the CT's attempts on a remounted or new /proc"

# /sys is read-only: so must stay the host-wide knobs in it
sysknob=""
for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/ksm/run /sys/kernel/uevent_helper \
        /sys/module/printk/parameters/time; do
        [ -w "$f" ] && sysknob=$f && break
done
if [ -n "$sysknob" ]; then
        probe 101 writeopen "$sysknob"
        expect_denied "writeopen $sysknob" "CT opens $sysknob for writing"
        run vz exec 101 "mount -o remount,rw /sys; /probe writeopen $sysknob"
        expect_denied "writeopen $sysknob" "CT remounts /sys read-write and opens $sysknob for writing"
        run vz exec 101 "mkdir -p /tmp/sys2 && mount -t sysfs sysfs /tmp/sys2; /probe writeopen /tmp/sys2${sysknob#/sys}"
        expect_denied "writeopen /tmp/sys2${sysknob#/sys}" "CT mounts a new sysfs and opens $sysknob for writing"
else
        skip_part "no host-wide knob in /sys that root may write on this host"
fi

# ---------------------------------------------------------------------------------------
echo "# 2. cgroup v1 inside the CT (CVE-2022-0492)"

hier=$(host_v1_hierarchies)
if [ -z "$hier" ]; then
        skip_part "the host has no cgroup v1 hierarchy"
else
        agents_before=$(host_release_agents)
        # every v1 controller the kernel has (the unused ones too), and every named hierarchy
        opts=$( (awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups; awk '{ print $2 }' <<<"$hier") | sort -u)
        # the script goes in through stdin: it is long
        script=""
        for o in $opts; do
                d=/tmp/cg-${o//[,=]/_}
                script+="mkdir -p $d $d.2; mount -t cgroup -o $o cgroup $d 2>/dev/null && echo mounted $o;"
                script+=" mount -o remount,$o,release_agent=/nonexistent/vpsctl-agent-$$ $d 2>/dev/null && echo remounted $o;"
                script+=" /probe write $d/release_agent /nonexistent/vpsctl-agent-$$;"
                script+=" /probe rewrite $d/notify_on_release;"
                script+=" mount -t cgroup -o $o,release_agent=/nonexistent/vpsctl-agent-$$ cgroup $d.2 2>/dev/null; "
        done
        script+='find /tmp/cg-* -name release_agent; true'
        expect_rc 0 vz exec 101 - <<<"$script"
        out=$LAST_OUT
        note "mounted inside the CT: $(awk '$1 == "mounted" { printf "%s ", $2 }' <<<"$out")"
        nor=""
        for o in $opts; do
                d=/tmp/cg-${o//[,=]/_}
                expect_denied "write $d/release_agent" "CT writes release_agent of a '$o' hierarchy it mounted"
                [ "$(probe_result "rewrite $d/notify_on_release")" = OK ] && nor+="$o "
        done
        # its own cgroup's flag: harmless while no release_agent can be set, but worth knowing
        [ -n "$nor" ] && note "the CT can write notify_on_release of its own cgroup in: $nor"
        assert_eq "$(grep '/release_agent$' <<<"$out")" "" \
                "no release_agent is visible in any cgroup hierarchy mounted inside the CT"
        assert_eq "$(host_release_agents)" "$agents_before" \
                "the host's release_agent and notify_on_release of every hierarchy are unchanged"
        [ "$(host_release_agents)" = "$agents_before" ] || note "host now: $(host_release_agents)"

        # the CT's own limits are the host's business: writing their own value back must fail too
        run vz exec 101 'mkdir -p /tmp/cgm && mount -t cgroup -o memory cgroup /tmp/cgm 2>/dev/null;
                /probe rewrite /tmp/cgm/memory.limit_in_bytes
                mkdir -p /tmp/cgp && mount -t cgroup -o pids cgroup /tmp/cgp 2>/dev/null;
                /probe rewrite /tmp/cgp/pids.max'
        grep -q '^memory[[:space:]].*1$' /proc/cgroups &&
                expect_denied "rewrite /tmp/cgm/memory.limit_in_bytes" "CT changes its own memory limit through a cgroup mount"
        grep -q '^pids[[:space:]].*1$' /proc/cgroups &&
                expect_denied "rewrite /tmp/cgp/pids.max" "CT changes its own pids limit through a cgroup mount"
fi

# ---------------------------------------------------------------------------------------
echo "# 3. vpsctl's binary (CVE-2019-5736) and 4. fds and cwd (CVE-2024-21626)"

# init: only 0, 1, 2; its cwd is the CT's root
assert_eq "$(ls "/proc/$INIT/fd" | sort -n | tr '\n' ' ')" "0 1 2 " "init's fd table holds only 0 1 2"
assert_eq "$(stat -L -c %d:%i "/proc/$INIT/cwd" 2>&1)" "$(stat -L -c %d:%i "/proc/$INIT/root" 2>&1)" \
        "init's cwd is the CT's root"

# exec: run from a host directory, with host fds 7 (a directory) and 9 (vpsctl itself) open
cd /etc || exit 1
run vz exec2 101 'ls /proc/self/fd; readlink /proc/self/cwd' 7</etc 9<"$VPSCTL"
cd / || exit 1
assert_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "0 1 2 3 / " \
        "exec'd ls sees fds 0 1 2 and its own 3 only, its cwd is / (run from /etc with fds 7, 9 open)"
probe 101 fds 7</etc 9<"$VPSCTL"
assert_eq "$LAST_OUT" "$(printf 'fds 0 1 2\ncwd /')" "exec'd probe holds fds 0 1 2 only, cwd /"

# CT 101 has a user namespace (the default): its root is not the host's, and the host's vpsctl binary
# (owned by the host's root, whom the namespace does not map) is not its to write, whatever path to it
# the CT finds. vpsctl does not re-execute from a sealed copy for such a CT. The attack's last step,
# from inside: a handle on the binary (here vpsctl exec's stdin, where runc's attack had /proc/PID/exe)
# re-opened for writing.
probe 101 rewrite /proc/self/fd/0 <"$VPSCTL"
expect_denied "rewrite /proc/self/fd/0" "CT 101's root (user namespace) re-opens the host's vpsctl binary for writing"

# CT 103 has none (--userns no): its root is the host's, so while an exec runs, the vpsctl that joined
# the CT runs from a sealed copy of itself: a sealed memfd, or the binary through vpsctl's private
# overlayfs that has no upper layer
new_ct 103 --userns no
expect_rc 0 vz start 103
INIT103=$(ct_inits 103)
sealed_exe() {
        case "$(readlink "/proc/$1/exe")" in /memfd:* | memfd:*) return 0 ;; esac
        [ "$(stat -f -L -c %T "/proc/$1/exe")" = overlayfs ] && [ ! "/proc/$1/exe" -ef "$VPSCTL" ]
}
vz exec 103 'sleep 3' >/dev/null 2>&1 &
bg=$!
sleeper() {
        local p
        for p in $(ct_pids 103); do
                [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && echo "$p"
        done
}
# the vpsctl that forked the command into the CT (it joins the CT's pid namespace only for that fork)
joined() {
        local p s
        for p in $(vpsctl_procs); do
                [ "$(readlink "/proc/$p/exe")" = "$(command -v timeout)" ] && continue
                for s in $(sleeper); do
                        [ "$(awk '/^PPid:/ { print $2 }' "/proc/$s/status" 2>/dev/null)" = "$p" ] && echo "$p"
                done
        done
}
have_joined() { [ -n "$(joined)" ]; }
have_sleeper() { [ -n "$(sleeper)" ]; }
if wait_until 5 have_joined && wait_until 5 have_sleeper; then
        for p in $(joined); do
                exe=$(readlink "/proc/$p/exe")
                assert_true "vpsctl $p in CT 103's pid namespace runs from a sealed copy ($exe)" sealed_exe "$p"
                assert_eq "$(readlink "/proc/$p/ns/pid_for_children")" "$(readlink /proc/self/ns/pid)" \
                        "vpsctl exec's later children are born in the host's pid namespace, not the CT's"
                run "$CT_PROBE" exewrite "$p"
                expect_denied "exewrite /proc/$p/exe" "the host writes to /proc/$p/exe of vpsctl exec"
                expect_denied "exewrite-reopen /proc/$p/exe" "the host re-opens /proc/$p/exe of vpsctl exec for writing"
        done
        for p in $(vpsctl_procs); do
                exe=$(readlink "/proc/$p/exe")
                [ "$exe" = "$(command -v timeout)" ] && continue
                assert_true "every vpsctl process of this test runs from a sealed copy ($p: $exe)" sealed_exe "$p"
        done
        s=$(sleeper)
        assert_eq "$(ls "/proc/$s/fd" | sort -n | tr '\n' ' ')" "0 1 2 " "exec'd sleep holds fds 0 1 2 only"
        assert_eq "$(stat -L -c %d:%i "/proc/$s/cwd")" "$(stat -L -c %d:%i "/proc/$INIT103/root")" \
                "exec'd sleep's cwd is the CT's root"
else
        fail "no vpsctl process joined CT 103 during 'vpsctl exec 103 sleep 3'"
fi
wait "$bg"
expect_rc 0 vz stop 103 --fast
assert_eq "$(sha256sum <"$VPSCTL" | cut -d' ' -f1)" "$VPSCTL_SHA" "the vpsctl binary on disk is unchanged"

# ---------------------------------------------------------------------------------------
echo "# 5. symlinked mount targets in the private area (CVE-2021-30465)"

FS102=$(ct_fs 102)
ESC_TARGET=$TEST_TMP/escape-target
mkdir -p "$ESC_TARGET"
echo host >"$ESC_TARGET/host-file"
mounts_before=$(mounts_outside_prefix)
for d in proc sys dev; do
        for target in / "$ESC_TARGET"; do
                rm -rf "${FS102:?}/$d"
                ln -s "$target" "$FS102/$d"
                run vz start 102
                if [ "$LAST_RC" != 0 ]; then
                        pass "start refuses a CT whose /$d is a symlink to $target (exit $LAST_RC)"
                else
                        fail "ESCAPE: start runs a CT whose /$d is a symlink to $target"
                        vz stop 102 --fast >/dev/null 2>&1
                fi
                assert_match "$LAST_ERR" "/$d([^a-z]|$)" "start's message names /$d"
                assert_true "no process of CT 102 is left after the refused start" ct_cgroups_empty 102
        done
        rm -f "$FS102/$d"
done
assert_false_mount=$(mounted_at "$ESC_TARGET" && echo mounted)
assert_eq "$assert_false_mount" "" "nothing is mounted on $ESC_TARGET"
assert_eq "$(ls -A "$ESC_TARGET" | tr '\n' ' ')" "host-file " "$ESC_TARGET holds only its own file"
assert_eq "$(mounts_outside_prefix)" "$mounts_before" "no mount outside the test's prefix appeared on the host"
expect_rc 0 vz start 102
expect_rc 0 vz stop 102

# ---------------------------------------------------------------------------------------
echo "# 6. /dev/null and /dev/pts replaced by symlinks (CVE-2025-31133 class)"

FS101=$(ct_fs 101)
HOST_NULL=$(stat -c '%F %t:%T' /dev/null)
# a privileged CT can replace its nodes (on its own tmpfs); in a user namespace /dev/null is a bound host
# node the CT cannot even remove. Either way nothing may reach the host.
run vz exec 101 'rm -f /dev/null && ln -s /etc/shadow /dev/null && umount -l /dev/pts && rmdir /dev/pts && ln -s / /dev/pts && echo x > /dev/null'
if [ "$LAST_RC" = 0 ]; then
        pass "the CT replaced its own /dev/null and /dev/pts (privileged CT)"
elif [ "$(conf_get 101 USERNS)" = yes ]; then
        pass "the user-namespaced CT cannot replace its /dev/null (exit $LAST_RC)"
else
        fail "replacing /dev/null in a privileged CT failed unexpectedly: exit $LAST_RC: $LAST_ERR"
fi
assert_eq "$(stat -c '%F %t:%T' /dev/null)" "$HOST_NULL" "the host's /dev/null is still $HOST_NULL"
assert_eq "$(file_id /etc/shadow)" "$SHADOW_ID" "the host's /etc/shadow is unchanged"
assert_true "the CT's /dev changes stay out of its private area" test ! -e "$FS101/dev/null" -a ! -L "$FS101/dev/null"
# restart: also drops whatever the CT remounted above
expect_rc 0 vz restart 101
INIT=$(ct_inits 101)
CT_PIDNS=$(readlink "/proc/$INIT/ns/pid")
expect_out "character special file 1:3" vz exec 101 stat -c "'%F %t:%T'" /dev/null
expect_out devpts vz exec 101 "awk '\$5 == \"/dev/pts\" { split(\$0, a, \" - \"); split(a[2], b, \" \"); print b[1] }' /proc/self/mountinfo"

# the private area's dev/null, dev/zero, dev/pts as symlinks to host files
CANARY=$TEST_TMP/canary
PTS_TARGET=$TEST_TMP/pts-target
echo canary >"$CANARY"
chmod 0600 "$CANARY"
mkdir -p "$PTS_TARGET" "$FS102/dev"
CANARY_ID=$(file_id "$CANARY")
ln -sfn /etc/shadow "$FS102/dev/null"
ln -sfn "$CANARY" "$FS102/dev/zero"
ln -sfn "$PTS_TARGET" "$FS102/dev/pts"
ln -sfn "../../../../../../../../../../../../..$CANARY" "$FS102/dev/full"
run vz start 102
if [ "$LAST_RC" = 0 ]; then
        pass "start of a CT whose private dev/null, zero, full, pts are symlinks to host files"
        install_probe 102
        expect_out "character special file 1:3" vz exec 102 stat -c "'%F %t:%T'" /dev/null
        expect_out "character special file 1:5" vz exec 102 stat -c "'%F %t:%T'" /dev/zero
        expect_out "character special file 1:7" vz exec 102 stat -c "'%F %t:%T'" /dev/full
        # a masked path is bound from the CT's real /dev/null
        expect_out "character special file 1:3" vz exec 102 stat -c "'%F %t:%T'" /proc/keys
        expect_out devpts vz exec 102 "awk '\$5 == \"/dev/pts\" { split(\$0, a, \" - \"); split(a[2], b, \" \"); print b[1] }' /proc/self/mountinfo"
        expect_rc 0 vz exec 102 'echo x > /dev/null; echo x > /dev/zero; echo x > /dev/full; echo x > /proc/keys; true'
        expect_rc 0 vz stop 102
else
        pass "start refuses a CT whose private dev/null, zero, full, pts are symlinks (exit $LAST_RC)"
fi
assert_eq "$(file_id /etc/shadow)" "$SHADOW_ID" "the host's /etc/shadow is unchanged (content, mode, owner)"
assert_eq "$(file_id "$CANARY")" "$CANARY_ID" "the host's canary file is unchanged (content, mode, owner)"
assert_true "nothing is mounted on $PTS_TARGET" eval '! mounted_at "$PTS_TARGET"'
assert_eq "$(ls -A "$PTS_TARGET")" "" "$PTS_TARGET is still empty"
rm -f "$FS102/dev/null" "$FS102/dev/zero" "$FS102/dev/pts" "$FS102/dev/full"

# ---------------------------------------------------------------------------------------
echo "# 7. open_by_handle_at against another CT's file"

install_probe 101
echo "SECRET-102-$$" >"$FS102/escape-secret"
handle=$("$CT_PROBE" gethandle "$FS102/escape-secret" 2>&1)
probe 101 syscalls open_by_handle_at
expect_denied open_by_handle_at "CT calls open_by_handle_at" EPERM
if [[ "$handle" =~ ^-?[0-9]+\ [0-9a-f]+$ ]]; then
        run "$CT_PROBE" openhandle "$FS102" $handle
        note "on the host, the handle of CT 102's file opens: $LAST_OUT"
        probe 101 openhandle / $handle
        expect_denied openhandle "CT 101 opens CT 102's file by its handle" EPERM
        assert_true "CT 101 did not read CT 102's file" eval '! grep -q SECRET-102 <<<"$LAST_OUT"'
else
        skip_part "the host's file system gives no handle for $FS102/escape-secret: $handle"
fi

# ---------------------------------------------------------------------------------------
echo "# 8. kernel modules"

modules_before=$(sha256sum 2>/dev/null </proc/modules)
probe 101 syscalls init_module finit_module delete_module kexec_load
for c in init_module finit_module delete_module kexec_load; do
        expect_denied "$c" "CT calls $c" EPERM
done
expect_rc "1|8" vz exec 101 insmod /probe
assert_match "$LAST_ERR" "not permitted" "insmod in the CT fails with EPERM"
if [ -e /proc/modules ]; then
        assert_eq "$(sha256sum </proc/modules)" "$modules_before" "the host's module list is unchanged"
else
        skip_part "this kernel has no /proc/modules (no loadable modules) to compare"
fi

# ---------------------------------------------------------------------------------------
echo "# 9. mounts inside the CT"

tag=vpsctl-escape-$$
expect_out 1 vz exec 101 "mkdir -p /mnt/$tag && mount -t tmpfs $tag /mnt/$tag && grep -c ' $tag ' /proc/self/mountinfo"
assert_eq "$(grep -c " $tag " /proc/self/mountinfo)" 0 "the CT's tmpfs is not in the test's mountinfo"
assert_eq "$(grep -c " $tag " /proc/1/mountinfo)" 0 "the CT's tmpfs is not in the host's (pid 1's) mountinfo"
assert_true "the CT's tmpfs does not show in its root on the host" test -z "$(ls -A "$ROOT_DIR/101/mnt/$tag" 2>/dev/null)"

# ---------------------------------------------------------------------------------------
echo "# 10. the kernel keyring"

host_keyring=$("$CT_PROBE" syscalls keyctl)
probe 101 syscalls keyctl add_key request_key
for c in keyctl add_key request_key; do
        expect_denied "$c" "CT calls $c" EPERM
done
assert_true "the CT does not learn the host's session keyring ($host_keyring)" \
        eval '! grep -qx "$host_keyring" <<<"$LAST_OUT"'

# ---------------------------------------------------------------------------------------
echo "# 11. capabilities, no_new_privs, seccomp"

check_status "init" "$(cat "/proc/$INIT/status")" 2
expect_rc 0 vz exec 101 cat /proc/self/status
check_status "exec" "$LAST_OUT" 2
probe 101 syscalls
for c in kexec_load init_module finit_module delete_module open_by_handle_at keyctl add_key request_key bpf \
        perf_event_open userfaultfd; do
        expect_denied "$c" "CT calls $c" EPERM
done
expect_rc 0 vz seccomp show 101
shown=$LAST_OUT
for c in kexec_load init_module finit_module delete_module open_by_handle_at keyctl add_key request_key bpf \
        perf_event_open userfaultfd; do
        assert_match "$shown" "^[[:space:]]*${c}[[:space:]]+EPERM" "seccomp show 101 lists $c as denied"
done

# without the filter the same calls go through: the filter, not something else, made them fail
expect_rc 0 vz set 101 --seccomp no --save
assert_match "$(cat "$(conf_of 101)")" '^SECCOMP="no"$' "set --seccomp no --save writes SECCOMP=\"no\""
expect_rc 0 vz restart 101
INIT=$(ct_inits 101)
check_status "init without seccomp" "$(cat "/proc/$INIT/status")" 0
expect_rc 0 vz exec 101 cat /proc/self/status
check_status "exec without seccomp" "$LAST_OUT" 0
probe 101 syscalls keyctl open_by_handle_at
assert_match "$LAST_OUT" "^keyctl OK" "without seccomp the probe's keyctl succeeds"
# even unfiltered, the CT's session keyring is a fresh one of its own, not the host's
assert_true "without seccomp the CT has its own session keyring, not the host's (${host_keyring#keyctl OK })" \
        test "$(probe_result keyctl)" != "${host_keyring#keyctl }"
if [[ "$handle" =~ ^-?[0-9]+\ [0-9a-f]+$ ]]; then
        probe 101 openhandle / $handle
        note "without seccomp, CT 101 opening CT 102's file by handle: $LAST_OUT"
fi
expect_rc 0 vz seccomp show 101
assert_contains "$LAST_OUT" "off" "seccomp show 101 says the filter is off"
# no_new_privs as configured: off by default (above), on with NO_NEW_PRIVS="yes" for init and exec
expect_rc 0 vz set 101 --no_new_privs yes --save
expect_rc 0 vz restart 101
assert_eq "$(status_field "$(ct_inits 101)" NoNewPrivs)" 1 "with NO_NEW_PRIVS=\"yes\", init has no_new_privs"
expect_rc 0 vz exec 101 cat /proc/self/status
assert_match "$LAST_OUT" "NoNewPrivs:[[:space:]]+1" "with NO_NEW_PRIVS=\"yes\", exec'd processes have no_new_privs"
expect_rc 0 vz set 101 --no_new_privs no --save
expect_rc 0 vz set 101 --seccomp yes --save
expect_rc 0 vz restart 101
INIT=$(ct_inits 101)
assert_eq "$(status_field "$INIT" Seccomp)" 2 "with SECCOMP=\"yes\" again, init has its filter back"

# ---------------------------------------------------------------------------------------
echo "# 12. device nodes"

loop=""
if command -v losetup >/dev/null; then
        head -c 1048576 /dev/zero >"$TEST_TMP/disk"
        echo "HOST-DISK-$$" | dd of="$TEST_TMP/disk" conv=notrunc 2>/dev/null
        loop=$(losetup -f --show "$TEST_TMP/disk" 2>/dev/null)
fi
if [ -n "$loop" ] && [ -b "$loop" ]; then
        mm=$(stat -c '%t %T' "$loop")
        run vz exec 101 "mknod /dev/vpsctl-esc b $((16#${mm% *})) $((16#${mm#* })) && head -c 64 /dev/vpsctl-esc | tr -d '\\000'"
        if grep -q "HOST-DISK-$$" <<<"$LAST_OUT"; then
                fail "ESCAPE: CT 101 reads the host's block device $loop through a node it made (mknod b $((16#${mm% *})) $((16#${mm#* })))"
        else
                pass "CT 101 cannot read the host's block device $loop through a node it makes"
        fi
        # a privileged CT (--userns no) may mknod, but its device cgroup lets it open only what DEVICES allows
        new_ct 109 --userns no
        expect_rc 0 vz start 109
        run vz exec 109 "mknod /dev/vpsctl-esc b $((16#${mm% *})) $((16#${mm#* })) && head -c 64 /dev/vpsctl-esc | tr -d '\\000'"
        if grep -q "HOST-DISK-$$" <<<"$LAST_OUT"; then
                fail "ESCAPE: privileged CT 109 reads the host's block device $loop through a node it made"
        else
                pass "privileged CT 109 cannot open the host's block device $loop it made a node for ($LAST_ERR)"
        fi
        # allowed explicitly, it can: the denial above was the device list, nothing else
        expect_rc 0 vz set 109 --devices "b:$((16#${mm% *})):$((16#${mm#* })):r"
        run vz exec 109 "head -c 64 /dev/vpsctl-esc | tr -d '\\000'"
        assert_match "$LAST_OUT" "HOST-DISK-$$" "with --devices b:MAJOR:MINOR:r the node opens (live)"
        expect_rc 0 vz stop 109 --fast
        losetup -d "$loop"
else
        skip_part "no loop device on this host to stand for the host's disk"
fi

# ---------------------------------------------------------------------------------------
echo "# guest files written from the host never read through the guest's symlinks"
# /etc/hosts keeps the guest's own lines: read on the host, it must be read inside the CT's root, or a
# symlink to a host file would copy that file into the CT
echo "HOST-SECRET-$$" >"$TEST_TMP/host-secret"
new_ct 110 --hostname leak110.test
expect_rc 0 vz start 110
# the CT's root points its /etc/hosts at a host path, then the operator adds an address (live)
expect_rc 0 vz exec 110 ln -sfn "$TEST_TMP/host-secret" /etc/hosts
expect_rc 0 vz set 110 --ipadd 192.0.2.110 --save
run vz exec 110 cat /etc/hosts
assert_match "$LAST_OUT" "192.0.2.110 leak110.test leak110 # vpsctl" "CT 110's /etc/hosts has its address line"
if grep -q "HOST-SECRET-$$" <<<"$LAST_OUT"; then
        fail "ESCAPE: a host file reached CT 110 through its /etc/hosts symlink"
else
        pass "a host file does not reach CT 110 through its /etc/hosts symlink"
fi
expect_rc 0 vz stop 110 --fast

check_core_pattern "at the end"
assert_eq "$(sha256sum <"$VPSCTL" | cut -d' ' -f1)" "$VPSCTL_SHA" "the vpsctl binary on disk is unchanged at the end"
done_testing
