#!/bin/bash
# cgroup v2 end to end, run inside ../shared/tools/cg2vm (a guest whose only hierarchy is v2):
# a CT's own delegated cgroup, CLONE_INTO_CGROUP, its cgroup namespace and cgroup2 mount,
# cgroup.kill on stop, and cleanup. One boot runs this whole script.
set -u
VPSCTL=${VPSCTL:?VPSCTL must point at the vpsctl binary}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        echo "not a cgroup v2 host: $(stat -f -c %T /sys/fs/cgroup)"
        exit 1
fi
export VPSCTL_PREFIX=$(mktemp -d /tmp/vpsctl-vm.XXXXXX)
# The guest's /tmp is tmpfs, which Debian 12's kernel cannot idmap: the prefix goes on ext4 (cg2vm's
# scratch disk), as a host's /var/lib would be, so this CT is unprivileged (its own user namespace).
[ -b "${CG2VM_DISK:-}" ] && mkfs.ext4 -q -F "$CG2VM_DISK" && mount "$CG2VM_DISK" "$VPSCTL_PREFIX" &&
        chmod 755 "$VPSCTL_PREFIX" || { echo "not ok - cannot put the prefix on ext4 on CG2VM_DISK='${CG2VM_DISK:-}'"; exit 1; }
export VPSCTL_CGROUP_PARENT=vpsctl-vmtest
export VPSCTL_LOCK_TIMEOUT=2
CG=/sys/fs/cgroup/$VPSCTL_CGROUP_PARENT
cleanup() {
        "$VPSCTL" stop 102 --fast >/dev/null 2>&1
        "$VPSCTL" destroy 102 >/dev/null 2>&1
        "$VPSCTL" stop 101 --fast >/dev/null 2>&1
        "$VPSCTL" destroy 101 >/dev/null 2>&1
        [ -d "$CG/101" ] && echo 1 > "$CG/101/cgroup.kill" 2>/dev/null
        rmdir "$CG"/101/* "$CG/101" "$CG" 2>/dev/null
        umount -l "$VPSCTL_PREFIX" 2>/dev/null
        rm -rf "$VPSCTL_PREFIX"
}
trap cleanup EXIT

check "create" "$VPSCTL" create 101 --ostemplate busybox --hostname v2.example.com
check "start" "$VPSCTL" start 101
check "status running" bash -c "'$VPSCTL' status 101 | grep -qx 'CTID 101 exist mounted running'"
check "a new CT is unprivileged" grep -qx 'USERNS="yes"' "$VPSCTL_PREFIX/etc/vpsctl/conf/101.conf"
uid=$(sed -n 's/^LOCAL_UID="\(.*\)"$/\1/p' "$VPSCTL_PREFIX/etc/vpsctl/conf/101.conf")
check "its init runs as LOCAL_UID $uid on the host" bash -c "ps -o uid= -p \$(head -1 '$CG/101/cgroup.procs') | grep -qw '$uid'"
check "inside, it is root of its own user namespace" bash -c "'$VPSCTL' exec 101 'id -u; cat /proc/self/uid_map' | tr -s ' ' | grep -q '^ *0 $uid 65536'"
check "the CT has its own cgroup" test -d "$CG/101"
check "controllers delegated to the vpsctl parent" grep -qw memory "$CG/cgroup.subtree_control"
check "the CT's cgroup is populated" grep -qx "populated 1" "$CG/101/cgroup.events"
init=$(head -1 "$CG/101/cgroup.procs")
check "init is in the CT's cgroup" grep -qx "1" <(awk '/^NSpid/{print $NF}' "/proc/$init/status")
check "inside, the CT sees its cgroup as the root" bash -c "'$VPSCTL' exec 101 cat /proc/self/cgroup | grep -qx '0::/'"
ct_cgroupfs() {
        "$VPSCTL" exec2 101 'grep -qx 1 /sys/fs/cgroup/cgroup.procs && grep -q "^cgroup2 /sys/fs/cgroup cgroup2" /proc/mounts'
}
check "inside, /sys/fs/cgroup is cgroup2 with the CT's processes" ct_cgroupfs
check "exec runs in the CT's cgroup" bash -c "'$VPSCTL' exec 101 'cat /proc/self/cgroup' | grep -qx '0::/'"
"$VPSCTL" exec2 101 exit 7
check "exec2 returns the command's code" test $? = 7
check "the CT can make its own sub-cgroup" "$VPSCTL" exec2 101 'mkdir /sys/fs/cgroup/sub && echo $$ > /sys/fs/cgroup/sub/cgroup.procs'
# as systemd does: init into a sub-cgroup, controllers enabled below the CT's cgroup, which may then hold
# no process itself; exec must still get in (it joins init's cgroup)
check "the CT can enable controllers for its sub-cgroups" "$VPSCTL" exec2 101 'mkdir /sys/fs/cgroup/init && echo 1 > /sys/fs/cgroup/init/cgroup.procs && echo $$ > /sys/fs/cgroup/init/cgroup.procs && echo +pids > /sys/fs/cgroup/cgroup.subtree_control'
check "exec into a CT whose cgroup is an inner node" "$VPSCTL" exec2 101 true
check "the exec'd command runs in init's cgroup" bash -c "'$VPSCTL' exec 101 cat /proc/self/cgroup | grep -qx '0::/init'"
# device access on v2: a BPF device program on the CT's cgroup. A privileged CT may mknod the scratch disk's
# node, but not open it, until DEVICES allows it (the program is replaced live).
maj=$((16#$(stat -c %t "$CG2VM_DISK"))) min=$((16#$(stat -c %T "$CG2VM_DISK")))
check "a privileged CT" "$VPSCTL" create 102 --ostemplate busybox --userns no
check "starts" "$VPSCTL" start 102
check "it cannot open the host disk's node it made ($maj:$min)" bash -c "! '$VPSCTL' exec2 102 'mknod /dev/d b $maj $min && head -c 512 /dev/d >/dev/null'"
check "set --devices b:$maj:$min:r" "$VPSCTL" set 102 --devices "b:$maj:$min:r"
check "then it can, read-only" "$VPSCTL" exec2 102 "head -c 512 /dev/d >/dev/null && ! sh -c 'echo x >/dev/d' 2>/dev/null"
check "stop and destroy it" bash -c "'$VPSCTL' stop 102 --fast && '$VPSCTL' destroy 102"
# a process that ignores every polite signal: the stop must still end with cgroup.kill
"$VPSCTL" exec 101 'setsid sh -c "trap \"\" TERM HUP PWR USR1 USR2 INT; while :; do sleep 1; done" >/dev/null 2>&1 &'
check "the stubborn process runs" bash -c "'$VPSCTL' exec 101 ps | grep -q 'trap'"
check "stop" "$VPSCTL" stop 101
check "status down" bash -c "'$VPSCTL' status 101 | grep -qx 'CTID 101 exist unmounted down'"
check "the CT's cgroup is gone, sub-cgroups too" test ! -d "$CG/101"
check "restart from stopped" "$VPSCTL" start 101
check "second start refused with 32" bash -c "'$VPSCTL' start 101 2>/dev/null; test \$? = 32"
# freeze on v2: cgroup.freeze, the kernel's own "frozen 1"; a busy loop uses no CPU until thawed
"$VPSCTL" exec 101 'setsid sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 &'
usage() { awk '/^usage_usec/ { print $2 }' "$CG/101/cpu.stat"; }
check "freeze" "$VPSCTL" freeze 101
check "the kernel says the CT's cgroup is frozen" grep -qx "frozen 1" "$CG/101/cgroup.events"
check "status says frozen" bash -c "'$VPSCTL' status 101 | grep -qx 'CTID 101 exist mounted running frozen'"
u1=$(usage); sleep 1; u2=$(usage)
check "a frozen CT uses no CPU ($u1 -> $u2 usec)" test "$u1" = "$u2"
check "exec into a frozen CT is refused" bash -c "! '$VPSCTL' exec 101 true 2>/dev/null"
check "thaw" "$VPSCTL" thaw 101
check "the kernel says it is thawed" grep -qx "frozen 0" "$CG/101/cgroup.events"
u1=$(usage); sleep 1; u2=$(usage)
check "thawed, its busy loop runs again ($u1 -> $u2 usec)" test "$u2" -gt "$u1"
check "freeze again, then a clean stop of a frozen CT" bash -c "'$VPSCTL' freeze 101 && '$VPSCTL' stop 101 && '$VPSCTL' start 101"
check "stop --fast" "$VPSCTL" stop 101 --fast
check "destroy" "$VPSCTL" destroy 101
check "nothing left of the CT" bash -c "! ls '$VPSCTL_PREFIX/etc/vpsctl/conf/101.conf' '$VPSCTL_PREFIX/var/lib/vpsctl/private/101' 2>/dev/null"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
