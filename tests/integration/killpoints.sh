#!/bin/bash
# A killed vpsctl never leaves a half CT and never stops a running one: SIGKILL at every failpoint
# (base/failpoint.h) of create, start, stop, set --save, --ipadd, destroy, template rebuild and import,
# then after random delays. After each kill: the CT is whole or absent, the next command works with no
# manual cleanup, nothing (mount, cgroup, link, rule, nftables guard, lock) is left once the CT is
# stopped, and a CT that ran keeps running with the same init.
. "$(dirname "$0")/lib.sh"

FP_LOG=$TEST_TMP/failpoints
COVERED=0
NETID=153

# The steps CMD passes, in order (run once with VPSCTL_FAILPOINT_LOG).
points_of() {
        : >"$FP_LOG"
        VPSCTL_FAILPOINT_LOG=$FP_LOG "$@" >/dev/null 2>&1
        awk '!seen[$0]++' "$FP_LOG"
}

# killed_at POINT CMD...: CMD must die of SIGKILL at POINT.
killed_at() {
        local p=$1
        shift
        VPSCTL_FAILPOINT=$p "$@" >"$TEST_TMP/out" 2>&1
        local rc=$?
        if [ "$rc" = 137 ]; then
                COVERED=$((COVERED + 1))
                return 0
        fi
        fail "$(cmdline "$@") with VPSCTL_FAILPOINT=$p: expected to be killed (137), got $rc"
        return 1
}

lock_free() { # ID: nobody holds the CT's lock
        [ ! -e "$RUN_DIR/$1/lock" ] || flock -n "$RUN_DIR/$1/lock" true
}

# nothing of stopped CT ID is left on the host
assert_clean() { # ID WHAT
        local m c l
        m=$(awk -v p="$ROOT_DIR/$1" '$5 == p' /proc/self/mountinfo)
        assert_eq "$m" "" "$2: no mount of CT $1 left"
        c=$(ct_cgroups "$1")
        assert_eq "$c" "" "$2: no cgroup of CT $1 left"
        l=$(ip -o link show 2>/dev/null | grep -E "venet$1[:@]|veth$1\." || true)
        assert_eq "$l" "" "$2: no link of CT $1 left"
        l=$( (ip rule show; ip -6 rule show) 2>/dev/null | grep -w "venet$1" || true)
        assert_eq "$l" "" "$2: no rule of CT $1 left"
        l=$( (ip route show; ip -6 route show) 2>/dev/null | grep -w "venet$1" || true)
        assert_eq "$l" "" "$2: no route of CT $1 left"
        if command -v nft >/dev/null; then
                l=$(nft list ruleset 2>/dev/null | grep -w "venet$1" || true)
                assert_eq "$l" "" "$2: no nftables guard of CT $1 left"
        fi
        assert_true "$2: the lock of CT $1 is free" lock_free "$1"
}

# ---------------------------------------------------------------------------------------
echo "# create"
# the template first: create's first use would build it (template rebuild has its own sweep below)
expect_rc 0 vz template build busybox
pts=$(points_of vz create 150 --ostemplate busybox)
expect_rc 0 vz destroy 150
assert_true "create passes its failpoints ($(echo $pts))" test "$(count_lines "$pts")" -ge 5
for p in $pts; do
        killed_at "$p" vz create 150 --ostemplate busybox || continue
        expect_rc 0 vz status 150
        case "$LAST_OUT" in
        "CTID 150 exist unmounted down")
                # whole: it starts, stops and goes away
                expect_rc 0 vz start 150 && expect_rc 0 vz stop 150 --fast
                expect_rc 0 vz destroy 150
                ;;
        "CTID 150 deleted unmounted down")
                # absent: creating it again just works
                expect_rc 0 vz create 150 --ostemplate busybox
                expect_rc 0 vz destroy 150
                ;;
        *) fail "create killed at $p: CT 150 is neither whole nor absent: $LAST_OUT" ;;
        esac
        assert_clean 150 "create killed at $p"
        assert_eq "$(ls -A "$PRIVATE_DIR" | grep '^150' || true)" "" "create killed at $p: no private area of 150 left after destroy"
done

# ---------------------------------------------------------------------------------------
echo "# start"
new_ct 151
pts=$(points_of vz start 151)
expect_rc 0 vz stop 151 --fast
for p in $pts; do
        killed_at "$p" vz start 151 || continue
        expect_rc 0 vz status 151
        case "$LAST_OUT" in
        "CTID 151 exist mounted running")
                expect_out hi vz exec 151 echo hi
                assert_eq "$(count_lines "$(ct_inits 151)")" 1 "start killed at $p: running with one init"
                ;;
        "CTID 151 exist "*" down")
                assert_true "start killed at $p: down, nothing runs in its cgroup" ct_cgroups_empty 151
                expect_rc 0 vz start 151
                ;;
        *) fail "start killed at $p: $LAST_OUT" ;;
        esac
        expect_rc 0 vz stop 151 --fast
        assert_clean 151 "start killed at $p"
done

# ---------------------------------------------------------------------------------------
echo "# stop"
expect_rc 0 vz start 151
pts=$(points_of vz stop 151)
for p in $pts; do
        expect_rc 0 vz start 151
        killed_at "$p" vz stop 151 || continue
        expect_rc 0 vz stop 151 --fast
        assert_clean 151 "stop killed at $p"
        expect_rc 0 vz start 151
        expect_rc 0 vz stop 151 --fast
done

# ---------------------------------------------------------------------------------------
echo "# set --save on a running CT"
new_ct 152
expect_rc 0 vz start 152
init=$(ct_inits 152)
conf=$(conf_of 152)
pts=$(points_of vz set 152 --ram 200M --numproc 99 --save)
for p in $pts; do
        killed_at "$p" vz set 152 --ram 300M --numproc 120 --save || continue
        assert_eq "$(ct_inits 152)" "$init" "set killed at $p: CT 152 runs on with the same init"
        assert_true "set killed at $p: 152.conf is the old or the new" grep -qE '^NUMPROC="(99|120)"$' "$conf"
        assert_true "set killed at $p: the lock of CT 152 is free" lock_free 152
        expect_rc 0 vz set 152 --ram 200M --numproc 99 --save
done
expect_rc 0 vz stop 152 --fast
assert_clean 152 "after the set kills"

# ---------------------------------------------------------------------------------------
echo "# --ipadd on a running CT"
new_ct $NETID
expect_rc 0 vz start $NETID
init=$(ct_inits $NETID)
pts=$(points_of vz set $NETID --ipadd 192.0.2.53 --save)
expect_rc 0 vz set $NETID --ipdel all --save
for p in $pts; do
        killed_at "$p" vz set $NETID --ipadd 192.0.2.53 --save || continue
        assert_eq "$(ct_inits $NETID)" "$init" "ipadd killed at $p: CT $NETID runs on with the same init"
        # the next command works: add it (again), then take it away; stop leaves nothing
        expect_rc 0 vz set $NETID --ipadd 192.0.2.53 --save
        expect_rc 0 vz exec $NETID 'ip addr show venet0 | grep -q 192.0.2.53'
        expect_rc 0 vz set $NETID --ipdel all --save
done
# killed while adding, then stopped: nothing of its network is left
for p in $pts; do
        killed_at "$p" vz set $NETID --ipadd 192.0.2.54 --save || continue
        expect_rc 0 vz stop $NETID --fast
        assert_clean $NETID "ipadd killed at $p, then stopped"
        expect_rc 0 vz set $NETID --ipdel all --save
        expect_rc 0 vz start $NETID
done
expect_rc 0 vz stop $NETID --fast

# ---------------------------------------------------------------------------------------
echo "# destroy"
new_ct 154
pts=$(points_of vz destroy 154)
for p in $pts; do
        new_ct 154
        killed_at "$p" vz destroy 154 || continue
        expect_rc 0 vz status 154
        case "$LAST_OUT" in
        "CTID 154 exist "*) expect_rc 0 vz destroy 154 ;;
        "CTID 154 deleted "*) ;;
        *) fail "destroy killed at $p: $LAST_OUT" ;;
        esac
        # and the CTID is free again
        expect_rc 0 vz create 154 --ostemplate busybox
        expect_rc 0 vz destroy 154
        assert_clean 154 "destroy killed at $p"
done

# ---------------------------------------------------------------------------------------
echo "# template rebuild and import"
tdir=$VPSCTL_PREFIX/var/lib/vpsctl/templates
pts=$(points_of vz template rebuild busybox)
for p in $pts; do
        killed_at "$p" vz template rebuild busybox || continue
        expect_rc 0 vz template list
        expect_rc 0 vz template rebuild busybox
        assert_eq "$(ls -A "$tdir" | grep building || true)" "" "rebuild killed at $p: no build left over after the next"
        new_ct 155
        expect_rc 0 vz destroy 155
done
expect_rc 0 vz template export busybox "$TEST_TMP/bb.tar"
pts=$(points_of vz template import "$TEST_TMP/bb.tar" --name imp)
for p in $pts; do
        killed_at "$p" vz template import "$TEST_TMP/bb.tar" --name imp || continue
        expect_rc 0 vz template import "$TEST_TMP/bb.tar" --name imp
        expect_rc 0 vz create 156 --ostemplate imp
        expect_rc 0 vz destroy 156
done

# ---------------------------------------------------------------------------------------
echo "# random delays"
new_ct 157
for i in $(seq 1 15); do
        for verb in start stop; do
                us=$((RANDOM % 60000))
                ("$VPSCTL" $verb 157 >/dev/null 2>&1) &
                pid=$!
                sleep "$(printf '0.%06d' "$us")"
                kill -9 $pid 2>/dev/null
                wait $pid 2>/dev/null
        done
        expect_rc 0 vz status 157
        case "$LAST_OUT" in
        "CTID 157 exist mounted running") expect_out hi vz exec 157 echo hi ;;
        "CTID 157 exist "*" down") ;;
        *) fail "random kill #$i: $LAST_OUT" ;;
        esac
        expect_rc 0 vz stop 157 --fast
        assert_clean 157 "random kill #$i"
        COVERED=$((COVERED + 2))
done

echo "# $COVERED kills: every failpoint of create, start, stop, set, ipadd, destroy, template rebuild and import, and 30 at random moments"
assert_true "the sweep killed vpsctl at least 40 times ($COVERED)" test "$COVERED" -ge 40
done_testing
