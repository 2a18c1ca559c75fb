# shellcheck shell=bash disable=SC2034
# Shared library of the vpsctl root integration tests. Every test sources it first:
#
#   . "$(dirname "$0")/lib.sh"
#
# It skips (exit 77) when the test cannot run here, re-executes the test in its own network
# and mount namespaces, gives it a private VPSCTL_PREFIX and cgroup parent, and cleans up on
# exit even when the test failed. Checks print `ok - ...` / `not ok - ...`; the last line is
# `N passed, M failed`, and the exit status is 1 if any check failed.
#
# Commands whose counters must survive may not run in a pipeline or $(...): feed stdin with
# `<<<` or `< file` instead of `echo ... |`.

set -u

TEST_NAME=$(basename "$0" .sh)
PASSED=0
FAILED=0
LAST_RC=0
LAST_OUT=""
LAST_ERR=""
LAST_ALL=""

# Skip this test, saying why. VPSCTL_MUST_WORK=1 (CI) turns the skip into a failure.
skip() {
        if [ "${VPSCTL_MUST_WORK:-0}" = 1 ]; then
                echo "not ok - $TEST_NAME cannot run: $* (VPSCTL_MUST_WORK=1 forbids skipping)"
                exit 1
        fi
        echo "skip - $TEST_NAME: $*"
        exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root"
[ -n "${VPSCTL:-}" ] || skip "VPSCTL is not set (ctest sets it to the built vpsctl)"
[ -f "$VPSCTL" ] && [ -x "$VPSCTL" ] || skip "VPSCTL=$VPSCTL is not an executable file"
VPSCTL=$(readlink -f "$VPSCTL")
export VPSCTL

# Own network and mount namespaces, created by the test itself. unshare(1) without --fork
# execs in place, so the test keeps its pid (and stays the child of the reaper helper).
if [ "${VPSCTL_TEST_NETNS:-}" != "$$" ]; then
        command -v unshare >/dev/null || skip "unshare(1) is not installed"
        unshare --net --mount true 2>/dev/null || skip "cannot create network and mount namespaces"
        export VPSCTL_TEST_NETNS=$$
        exec unshare --net --mount --propagation private -- "$BASH" "$0" "$@"
        echo "not ok - cannot re-execute $0 in its own namespaces"
        exit 1
fi
ip link set lo up 2>/dev/null

VPSCTL_PREFIX=$(mktemp -d /tmp/vpsctl-test.XXXXXX) || { echo "not ok - mktemp"; exit 1; }
chmod 0755 "$VPSCTL_PREFIX"
export VPSCTL_PREFIX
export VPSCTL_CGROUP_PARENT=vpsctl-test-$$
export VPSCTL_LOCK_TIMEOUT=2
TEST_TMP=$(mktemp -d /tmp/vpsctl-test-tmp.XXXXXX) || { echo "not ok - mktemp"; exit 1; }
CONF_DIR=$VPSCTL_PREFIX/etc/vpsctl/conf
PRIVATE_DIR=$VPSCTL_PREFIX/var/lib/vpsctl/private
ROOT_DIR=$VPSCTL_PREFIX/var/lib/vpsctl/root
RUN_DIR=$VPSCTL_PREFIX/run/vpsctl
# no test reads the terminal by accident
exec </dev/null

# ---------------------------------------------------------------------------------------
# cleanup

# Every cgroup directory named $VPSCTL_CGROUP_PARENT: one per v1 hierarchy, plus cgroup2 at
# /sys/fs/cgroup (pure v2) or /sys/fs/cgroup/unified (hybrid).
test_cgroup_parents() {
        local h
        for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
                [ -d "$h/$VPSCTL_CGROUP_PARENT" ] && [ -e "$h/$VPSCTL_CGROUP_PARENT/cgroup.procs" ] &&
                        readlink -f "$h/$VPSCTL_CGROUP_PARENT"
        done | sort -u
}

# The CT's cgroup directories (ID under our parent) in every hierarchy that has one.
ct_cgroups() {
        local p
        for p in $(test_cgroup_parents); do
                [ -d "$p/$1" ] && echo "$p/$1"
        done
}

# cg_value NAME FILE: FILE in the cgroup directory of NAME (a CTID or an OCI container's cgroup name) that
# has it, in any hierarchy
cg_value() {
        local d
        for d in $(ct_cgroups "$1"); do
                [ -e "$d/$2" ] && { cat "$d/$2"; return 0; }
        done
        return 1
}

# Host pids of every process in the CT's cgroups (sub-cgroups included), sorted, unique.
ct_pids() {
        local d f
        for d in $(ct_cgroups "$1"); do
                find "$d" -name cgroup.procs 2>/dev/null | while read -r f; do cat "$f" 2>/dev/null; done
        done | sort -nu
}

# Host pids of the CT's inits: processes of its cgroups that are PID 1 of a nested pid namespace.
ct_inits() {
        local pid ns
        for pid in $(ct_pids "$1"); do
                ns=$(awk '/^NSpid:/ { if (NF > 2) print $NF }' "/proc/$pid/status" 2>/dev/null)
                [ "$ns" = 1 ] && echo "$pid"
        done
}

_cleanup_mounts() {
        local i m
        for i in 1 2 3 4 5 6 7 8 9 10; do
                m=$(awk -v p="$VPSCTL_PREFIX" '$5 == p || index($5, p "/") == 1 { print $5 }' \
                        /proc/self/mountinfo | sort -r)
                [ -n "$m" ] || return 0
                echo "$m" | while read -r i; do umount -l "$i"; done
        done
}

_cleanup_cgroups() {
        local i any d f pid
        for i in $(seq 1 50); do
                any=0
                for d in $(test_cgroup_parents); do
                        # a frozen task does not die of SIGKILL until it is thawed
                        find "$d" -name freezer.state | while read -r f; do echo THAWED >"$f"; done
                        find "$d" -name cgroup.freeze | while read -r f; do echo 0 >"$f"; done
                        for pid in $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null); do
                                kill -9 "$pid" 2>/dev/null && any=1
                        done
                done
                [ "$any" = 0 ] && break
                sleep 0.1
        done
        for i in $(seq 1 30); do
                d=$(test_cgroup_parents)
                [ -n "$d" ] || return 0
                for f in $d; do find "$f" -depth -type d -exec rmdir {} + 2>/dev/null; done
                sleep 0.1
        done
        echo "cleanup: cgroups left: $(test_cgroup_parents | tr '\n' ' ')"
}

_cleanup() {
        local j f id
        # background commands this test started and did not wait for
        for j in $(jobs -p); do
                [ "$(awk '/^PPid:/ { print $2 }' "/proc/$j/status" 2>/dev/null)" = "$$" ] && kill -9 "$j"
        done
        wait 2>/dev/null
        for f in "$CONF_DIR"/*.conf; do
                [ -e "$f" ] || continue
                id=$(basename "$f" .conf)
                VPSCTL_LOCK_TIMEOUT=10 timeout -k 5 60 "$VPSCTL" stop "$id" --fast
                VPSCTL_LOCK_TIMEOUT=10 timeout -k 5 60 "$VPSCTL" destroy "$id"
        done
        _cleanup_cgroups
        _cleanup_mounts
        case "$VPSCTL_PREFIX" in
        /tmp/vpsctl-test.*) rm -rf --one-file-system "$VPSCTL_PREFIX" ;;
        esac
}

_on_exit() {
        local rc=$?
        trap - EXIT INT TERM
        _cleanup >"$TEST_TMP/cleanup.log" 2>&1
        if [ -n "${VPSCTL_TEST_VERBOSE:-}" ] || grep -q '^cleanup:' "$TEST_TMP/cleanup.log"; then
                sed 's/^/# cleanup: /' "$TEST_TMP/cleanup.log"
        fi
        case "$TEST_TMP" in
        /tmp/vpsctl-test-tmp.*) rm -rf "$TEST_TMP" ;;
        esac
        [ "$rc" = 77 ] && exit 77
        if [ "$rc" != 0 ] && [ "$FAILED" = 0 ]; then
                echo "not ok - $TEST_NAME exited with status $rc"
                FAILED=$((FAILED + 1))
        fi
        echo "$PASSED passed, $FAILED failed"
        [ "$FAILED" = 0 ] && exit 0
        exit 1
}
trap _on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# checks

pass() {
        PASSED=$((PASSED + 1))
        echo "ok - $*"
}

# Record a failed check and go on with the test.
fail() {
        FAILED=$((FAILED + 1))
        echo "not ok - $*"
}

# Indented output for a failure report.
show() {
        [ -n "$2" ] && printf '%s\n' "$2" | sed "s/^/#   $1: /"
        return 0
}

# Print a command line readably.
cmdline() {
        local a s=""
        for a in "$@"; do
                case "$a" in
                "" | *[!A-Za-z0-9_./,:=+-]*) s="$s '${a//\'/\'\\\'\'}'" ;;
                *) s="$s $a" ;;
                esac
        done
        echo "${s# }"
}

vz() {
        timeout -k 5 "${VZ_TIMEOUT:-60}" "$VPSCTL" "$@"
}

# Run a command, keeping its exit code, stdout, stderr and both in LAST_*.
run() {
        "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
        LAST_RC=$?
        LAST_OUT=$(cat "$TEST_TMP/out")
        LAST_ERR=$(cat "$TEST_TMP/err")
        LAST_ALL=$(cat "$TEST_TMP/out" "$TEST_TMP/err")
        return $LAST_RC
}

# expect_rc N[|N2...] CMD...: the command must exit with (one of) N.
expect_rc() {
        local want=$1
        shift
        run "$@"
        case "|$want|" in
        *"|$LAST_RC|"*)
                pass "$(cmdline "$@") -> $LAST_RC"
                return 0
                ;;
        esac
        local why=""
        [ "$LAST_RC" = 124 ] && why=" (timed out)"
        fail "$(cmdline "$@"): expected exit $want, got $LAST_RC$why"
        show stdout "$LAST_OUT"
        show stderr "$LAST_ERR"
        return 1
}

# expect_out TEXT CMD...: the command must exit 0 and print exactly TEXT on stdout.
expect_out() {
        local want=$1
        shift
        run "$@"
        if [ "$LAST_RC" = 0 ] && [ "$LAST_OUT" = "$want" ]; then
                pass "$(cmdline "$@") prints '$want'"
                return 0
        fi
        fail "$(cmdline "$@"): expected exit 0 and output '$want', got exit $LAST_RC"
        show stdout "$LAST_OUT"
        show stderr "$LAST_ERR"
        return 1
}

# assert_eq ACTUAL EXPECTED DESCRIPTION
assert_eq() {
        if [ "$1" = "$2" ]; then
                pass "$3"
                return 0
        fi
        fail "$3: expected '$2', got '$1'"
        return 1
}

# assert_contains HAYSTACK NEEDLE DESCRIPTION
assert_contains() {
        case "$1" in
        *"$2"*)
                pass "$3"
                return 0
                ;;
        esac
        fail "$3: '$2' not found"
        show in "$1"
        return 1
}

# assert_match TEXT EXTENDED-REGEX DESCRIPTION
assert_match() {
        if printf '%s\n' "$1" | grep -Eq -- "$2"; then
                pass "$3"
                return 0
        fi
        fail "$3: no match for /$2/"
        show in "$1"
        return 1
}

# assert_true DESCRIPTION CMD...: the command must succeed (its output is not shown).
assert_true() {
        local what=$1
        shift
        if "$@" >/dev/null 2>&1; then
                pass "$what"
                return 0
        fi
        fail "$what"
        return 1
}

# wait_until TIMEOUT_SEC CMD...: poll CMD until it succeeds; 1 if it never did.
wait_until() {
        local deadline=$(($(date +%s%N) + ${1%.*} * 1000000000))
        shift
        while :; do
                "$@" >/dev/null 2>&1 && return 0
                [ "$(date +%s%N)" -lt "$deadline" ] || return 1
                sleep 0.1
        done
}

# Monotonic-enough wall clock in milliseconds, for timing checks.
now_ms() {
        echo $(($(date +%s%N) / 1000000))
}

# ---------------------------------------------------------------------------------------
# containers

conf_of() { echo "$CONF_DIR/$1.conf"; }
# conf_get CTID KEY: the value of KEY in CTID.conf (empty if unset)
conf_get() { sed -n "s/^$2=\"\(.*\)\"\$/\1/p" "$(conf_of "$1")" | tail -n 1; }

# new_ct ID [OPTIONS...]: create a CT from the built-in busybox template.
new_ct() {
        local id=$1
        shift
        expect_rc 0 vz create "$id" --ostemplate busybox "$@"
}

# the line `vpsctl status ID` prints
ct_status() {
        vz status "$1" 2>/dev/null
}

ct_is_running() {
        [ "$(ct_status "$1")" = "CTID $1 exist mounted running" ]
}

# cgroups of the CT are gone, or have no process left
ct_cgroups_empty() {
        [ -z "$(ct_pids "$1")" ]
}

# number of lines of a text (0 for empty)
count_lines() {
        if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

# Processes of this vpsctl binary that belong to this test (by VPSCTL_PREFIX in their
# environment), other than the given pids.
vpsctl_procs() {
        local pid
        for pid in $(pgrep -f -- "$VPSCTL"); do
                tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "VPSCTL_PREFIX=$VPSCTL_PREFIX" ||
                        continue
                echo "$pid"
        done
}

# code documented by `vpsctl help exit-codes`?
exit_code_documented() {
        "$VPSCTL" help exit-codes 2>/dev/null | grep -Eq "^[[:space:]]*$1([^0-9]|$)"
}

# Print the final counts and exit (the EXIT trap does it).
done_testing() {
        exit 0
}
