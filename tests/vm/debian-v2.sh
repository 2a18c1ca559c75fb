#!/bin/bash
# Slow, cgroup v2, run inside ../shared/tools/cg2vm: a Debian 12 CT made from the debian-12 template
# boots systemd to "running" in its own delegated cgroup2 subtree, systemd makes its own sub-cgroups
# there (seen from inside and from the host), its sshd answers on the CT's routed address, `stop` is
# systemd's own shutdown (returns before STOP_TIMEOUT) and leaves no cgroup behind. One boot runs this
# whole script.
#
# The template is the one integration.templates-debian builds into VPSCTL_TEST_CACHE (default
# /var/cache/vpsctl-test); without it this test skips (77). The guest sees that cache through cg2vm's
# 9p+overlay root, which cannot do idmapped mounts, so its current generation is copied onto an ext4
# prefix on CG2VM_DISK (the CT is then unprivileged, as on a host with /var/lib on ext4).
set -u
VPSCTL=${VPSCTL:?VPSCTL must point at the vpsctl binary}
CACHE=${VPSCTL_TEST_CACHE:-/var/cache/vpsctl-test}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
show() { sed 's/^/#   /' <<<"$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        echo "not a cgroup v2 host: $(stat -f -c %T /sys/fs/cgroup)"
        exit 1
fi
TDIR=$CACHE/var/lib/vpsctl/templates/debian-12
GEN=$(readlink "$TDIR/current" 2>/dev/null)
if [ -z "$GEN" ] || [ ! -x "$TDIR/$GEN/rootfs/lib/systemd/systemd" ]; then
        echo "skip: no debian-12 template cached in $CACHE (integration.templates-debian builds it)"
        exit 77
fi

export VPSCTL_PREFIX=$(mktemp -d /tmp/vpsctl-vm.XXXXXX)
[ -b "${CG2VM_DISK:-}" ] && mkfs.ext4 -q -F "$CG2VM_DISK" && mount "$CG2VM_DISK" "$VPSCTL_PREFIX" &&
        chmod 755 "$VPSCTL_PREFIX" || { echo "not ok - cannot put the prefix on ext4 on CG2VM_DISK='${CG2VM_DISK:-}'"; exit 1; }
export VPSCTL_CGROUP_PARENT=vpsctl-vmtest
export VPSCTL_LOCK_TIMEOUT=5
CG=/sys/fs/cgroup/$VPSCTL_CGROUP_PARENT
CONF=$VPSCTL_PREFIX/etc/vpsctl/conf/101.conf
cleanup() {
        timeout 120 "$VPSCTL" stop 101 --fast >/dev/null 2>&1
        timeout 120 "$VPSCTL" destroy 101 >/dev/null 2>&1
        if [ -d "$CG/101" ]; then
                echo 1 >"$CG/101/cgroup.kill" 2>/dev/null
                sleep 1
                find "$CG/101" -depth -type d -exec rmdir {} + 2>/dev/null
        fi
        rmdir "$CG" 2>/dev/null
        umount -l "$VPSCTL_PREFIX" 2>/dev/null
        rm -rf "$VPSCTL_PREFIX"
}
trap cleanup EXIT

# the cached generation, as it is, into the prefix's own templates directory (ext4)
T0=$(now_ms)
mkdir -p "$VPSCTL_PREFIX/var/lib/vpsctl/templates/debian-12" &&
        cp -a "$TDIR/$GEN" "$VPSCTL_PREFIX/var/lib/vpsctl/templates/debian-12/" &&
        ln -s "$GEN" "$VPSCTL_PREFIX/var/lib/vpsctl/templates/debian-12/current" ||
        { echo "not ok - cannot copy the template generation $GEN onto ext4"; exit 1; }
echo "# copied debian-12 generation $GEN onto ext4 in $(($(now_ms) - T0)) ms"

out=$("$VPSCTL" create 101 --ostemplate debian-12 --hostname deb.example.com --ipadd 192.0.2.101 2>&1)
check "create 101 from debian-12" test $? = 0
[ -n "$out" ] && show "$out"
unprivileged() { grep -qx 'USERNS="yes"' "$CONF" && ! grep -qi privileged <<<"$out"; }
check "the CT is unprivileged (USERNS=\"yes\", no warning)" unprivileged
uid=$(sed -n 's/^LOCAL_UID="\(.*\)"$/\1/p' "$CONF")

T0=$(now_ms)
out=$(timeout 600 "$VPSCTL" start 101 --wait 2>&1)
rc=$?
check "start --wait (took $(($(now_ms) - T0)) ms)" test $rc = 0
[ $rc = 0 ] || { show "$out"; show "$(tail -40 "$VPSCTL_PREFIX/run/vpsctl/101/console.log" 2>&1)"; }

# systemd enables the delegated controllers below the CT's cgroup, which then may hold no process itself
echo "# $CG/101/cgroup.subtree_control: $(cat "$CG/101/cgroup.subtree_control" 2>&1)"

state=$(timeout 300 "$VPSCTL" exec2 101 systemctl is-system-running --wait 2>&1)
check "systemctl is-system-running --wait: running (got '$state')" test "$state" = running
# the same questions asked through nsenter (in the host's root cgroup, not vpsctl's exec): diagnosis only
init=$(cat "$CG/101/init.scope/cgroup.procs" "$CG/101/cgroup.procs" 2>/dev/null | head -1)
diag() { [ -n "$init" ] && timeout 60 nsenter -t "$init" -a -r -w sh -c "$1" 2>&1; }
if [ "$state" != running ]; then
        show "$(timeout 60 "$VPSCTL" exec2 101 'systemctl --failed --no-legend --no-pager;
                journalctl -b --no-pager -p warning | tail -40' 2>&1)"
        echo "# diagnosis through nsenter -t $init -a:"
        show "$(diag 'echo "is-system-running: $(systemctl is-system-running)"; systemctl --failed --no-legend --no-pager;
                journalctl -b --no-pager -p warning | tail -40')"
fi

# one exec for the inside view: PID 1, hostname, its cgroup, the cgroup filesystem and what is in it
inside=$(timeout 60 "$VPSCTL" exec2 101 'echo "comm=$(cat /proc/1/comm)"; echo "hostname=$(hostname)";
        echo "cgroup=$(cat /proc/1/cgroup)"; echo "fstype=$(stat -f -c %T /sys/fs/cgroup)";
        echo "mount=$(grep " /sys/fs/cgroup " /proc/mounts | cut -d" " -f3,4)";
        echo "subdirs="$(cd /sys/fs/cgroup && ls -d */); echo "uid_map="$(cat /proc/self/uid_map)' 2>&1)
fail0=$fail
val() { sed -n "s/^$1=//p" <<<"$inside"; }
check "PID 1 is systemd" test "$(val comm)" = systemd
check "the hostname is deb.example.com" test "$(val hostname)" = deb.example.com
check "inside, /sys/fs/cgroup is cgroup2 ($(val mount))" test "$(val fstype)" = cgroup2fs
check "inside, systemd moved itself to /init.scope ($(val cgroup))" test "$(val cgroup)" = "0::/init.scope"
for d in init.scope system.slice; do
        check "inside, systemd made /sys/fs/cgroup/$d" grep -qw "$d/" <<<"$(val subdirs)"
done
check "inside, root is LOCAL_UID $uid on the host ($(val uid_map))" grep -qE "^ *0 +$uid +65536\$" <<<"$(val uid_map)"
if [ "$fail" != "$fail0" ]; then
        show "$inside"
        echo "# the inside view through nsenter:"
        show "$(diag 'echo "comm=$(cat /proc/1/comm) hostname=$(hostname) cgroup=$(cat /proc/1/cgroup)";
                echo "fstype=$(stat -f -c %T /sys/fs/cgroup) subdirs="$(cd /sys/fs/cgroup && ls -d */)')"
fi

# the host's view of the same subtree
check "the host sees $CG/101/init.scope" test -d "$CG/101/init.scope"
check "the host sees $CG/101/system.slice" test -d "$CG/101/system.slice"
check "init.scope holds the CT's init (host pid ${init:-none}, NSpid 1)" \
        bash -c "[ -n '$init' ] && awk '/^NSpid/{print \$NF}' /proc/$init/status | grep -qx 1"
check "init runs as LOCAL_UID $uid on the host" bash -c "ps -o uid= -p '$init' | grep -qw '$uid'"
check "sshd runs in $CG/101/system.slice/ssh.service" \
        bash -c "for p in \$(cat '$CG/101/system.slice/ssh.service/cgroup.procs'); do
                grep -qx sshd /proc/\$p/comm && exit 0; done; exit 1"
check "no process of the CT is left in its root cgroup" test ! -s "$CG/101/cgroup.procs"

# sshd answers on the CT's routed address, from the VM's root network namespace (the host here)
ssh_banner() { timeout 5 bash -c "exec 3<>/dev/tcp/$1/22 && head -c 8 <&3" 2>/dev/null; }
banner=
for _ in 1 2 3 4 5 6; do
        banner=$(ssh_banner 192.0.2.101)
        [ "$banner" = SSH-2.0- ] && break
        sleep 5
done
check "sshd answers on 192.0.2.101:22 (got '$banner')" test "$banner" = SSH-2.0-

stop_timeout=$(sed -n 's/^STOP_TIMEOUT="\(.*\)"$/\1/p' "$CONF")
stop_timeout=${stop_timeout:-60}
T0=$(now_ms)
out=$(timeout 300 "$VPSCTL" stop 101 2>&1)
rc=$?
took=$(($(now_ms) - T0))
check "stop (took $took ms)" test $rc = 0
[ $rc = 0 ] || show "$out"
check "stop returned before STOP_TIMEOUT ${stop_timeout}s: systemd shut itself down" test $took -lt $((stop_timeout * 1000))
check "status down" bash -c "'$VPSCTL' status 101 | grep -qx 'CTID 101 exist unmounted down'"
check "the CT's cgroup is gone, systemd's sub-cgroups too" test ! -d "$CG/101"
check "destroy" "$VPSCTL" destroy 101
check "nothing left of the CT" bash -c "! ls '$CONF' '$VPSCTL_PREFIX/var/lib/vpsctl/private/101' 2>/dev/null"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
