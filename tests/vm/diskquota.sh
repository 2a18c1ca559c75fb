#!/bin/bash
# Disk quota end to end, run inside ../shared/tools/cg2vm (its Debian kernel has ext4 and xfs project
# quota, which the development machines' kernel lacks): DISKSPACE and DISKINODES as project quota on the
# private area, one project per CT. Writing past the hard limit fails with EDQUOT inside the CT while a
# neighbour on the same filesystem writes on; df and df -i inside show the CT's limits; list and stat show
# held/limit; live set; a private area made before it had its project id is counted once a limit is set;
# destroy clears the limits. Overlay (the default) and copy layouts on ext4, overlay on xfs. One boot.
set -u
VPSCTL=${VPSCTL:?VPSCTL must point at the vpsctl binary}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

[ -b "${CG2VM_DISK:-}" ] || { echo "not ok - no scratch disk (CG2VM_DISK='${CG2VM_DISK:-}')"; exit 1; }
export VPSCTL_CGROUP_PARENT=vpsctl-vmquota
export VPSCTL_LOCK_TIMEOUT=2
T=$(mktemp -d /tmp/vpsctl-vmq.XXXXXX) && chmod 755 "$T"
EXT=$T/ext4 XFS=$T/xfs LOOP=""
mkdir -p "$EXT" "$XFS"
cleanup() {
        local p f id
        for p in "$EXT" "$XFS"; do
                for f in "$p"/etc/vpsctl/conf/*.conf; do
                        [ -e "$f" ] || continue
                        id=${f##*/} id=${id%.conf}
                        VPSCTL_PREFIX=$p "$VPSCTL" stop "$id" --fast >/dev/null 2>&1
                        VPSCTL_PREFIX=$p "$VPSCTL" destroy "$id" >/dev/null 2>&1
                done
                umount -l "$p" 2>/dev/null
        done
        [ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
        rmdir /sys/fs/cgroup/$VPSCTL_CGROUP_PARENT/* /sys/fs/cgroup/$VPSCTL_CGROUP_PARENT 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT

# ext4 with the project feature, mounted with prjquota: the prefix (templates, private areas) on it, so
# the CTs are unprivileged (ext4 can be idmapped, the guest's tmpfs cannot)
mkfs.ext4 -q -F -O quota,project -E quotatype=prjquota "$CG2VM_DISK" && mount -o prjquota "$CG2VM_DISK" "$EXT" &&
        chmod 755 "$EXT" || { echo "not ok - cannot make ext4 with project quota on $CG2VM_DISK"; exit 1; }

OUT="" ERR="" RC=0
# rc N CMD...: the command must exit N; stdout in OUT, stderr in ERR
rc() {
        local want=$1
        shift
        "$@" >"$T/out" 2>"$T/err"
        RC=$?
        OUT=$(<"$T/out") ERR=$(<"$T/err")
        if [ "$RC" = "$want" ]; then ok "$* -> $RC"; else not_ok "$*: expected exit $want, got $RC"; [ -n "$ERR" ] && echo "#   stderr: $ERR"; fi
}
# field N of the last line of OUT (df: Filesystem 1K-blocks|Inodes Used Available Use% Mounted on)
lastf() { local -a f; read -r -a f <<<"${OUT##*$'\n'}"; echo "${f[$(($1 - 1))]:-}"; }

quota_case() { # PREFIX CTID NEIGHBOUR LAYOUT FSNAME
        local P=$1 id=$2 nb=$3 layout=$4 fs=$5
        export VPSCTL_PREFIX=$P
        rc 0 "$VPSCTL" create "$id" --ostemplate busybox --layout "$layout"
        rc 0 "$VPSCTL" create "$nb" --ostemplate busybox --layout "$layout"
        rc 0 "$VPSCTL" start "$id"
        rc 0 "$VPSCTL" start "$nb"
        # live and saved: 16M of space, 500 inodes
        rc 0 "$VPSCTL" set "$id" --diskspace 16M --diskinodes 400:500 --save
        check "$fs/$layout: saved as DISKSPACE and DISKINODES ($(grep ^DISK "$P/etc/vpsctl/conf/$id.conf" | tr '\n' ' '))" \
                grep -qx 'DISKSPACE="16M"' "$P/etc/vpsctl/conf/$id.conf"
        # df inside shows the CT's limit: 16384 1K blocks
        rc 0 "$VPSCTL" exec "$id" df -k /
        check "$fs/$layout: df inside shows the 16M limit ($(lastf 2) 1K blocks)" test "$(lastf 2)" = 16384
        rc 0 "$VPSCTL" exec "$id" df -i /
        check "$fs/$layout: df -i inside shows the soft inode limit ($(lastf 2))" test "$(lastf 2)" = 400
        # past the hard limit: EDQUOT, while the neighbour (no limit) writes 24M on the same filesystem
        rc 1 "$VPSCTL" exec2 "$id" 'dd if=/dev/zero of=/big bs=1M count=24 2>/tmp/dd.err; r=$?; cat /tmp/dd.err >&2; exit $r'
        # ext4 says EDQUOT; xfs says ENOSPC for a project's hard limit (its directory-tree quota semantics)
        local err="Disk quota exceeded"
        [ "$fs" = xfs ] && err="No space left on device"
        check "$fs/$layout: the write fails with '$err'" grep -q "$err" <<<"$ERR"
        rc 0 "$VPSCTL" exec "$id" "ls -l /big | awk '{print \$5}'"
        check "$fs/$layout: what was written stays under the limit ($OUT bytes)" test "${OUT:-99999999}" -le $((16 * 1024 * 1024))
        rc 0 "$VPSCTL" exec2 "$nb" 'dd if=/dev/zero of=/big bs=1M count=24 2>/dev/null && sync'
        rc 0 "$VPSCTL" exec "$nb" "ls -l /big | awk '{print \$5}'"
        check "$fs/$layout: the neighbour wrote its 24M meanwhile" test "$OUT" = $((24 * 1024 * 1024))
        # list and stat: held and limits
        rc 0 "$VPSCTL" list -H -o diskspace,diskspace.h,diskinodes,diskinodes.s,diskinodes.h "$id"
        set -- $OUT
        check "$fs/$layout: list: diskspace held ${1:-} KB near the 16384 KB limit" test "${1:-0}" -ge 14000 -a "${1:-0}" -le 16384
        check "$fs/$layout: list: diskspace.h 16384, diskinodes.s 400, diskinodes.h 500" test "${2:-}/${4:-}/${5:-}" = 16384/400/500
        check "$fs/$layout: list: diskinodes held ${3:-} (a few files)" test "${3:-0}" -ge 1 -a "${3:-0}" -le 500
        rc 0 "$VPSCTL" stat "$id"
        check "$fs/$layout: stat has a diskspace row with the hard limit" grep -Eq '^diskspace +[0-9]+ +- +16777216 ' <<<"$OUT"
        rc 0 "$VPSCTL" stat -j "$id"
        check "$fs/$layout: stat -j has the disk object" grep -q '"space_hard": 16777216' <<<"$OUT"
        rc 0 "$VPSCTL" metrics "$id"
        check "$fs/$layout: metrics has the disk limit" grep -Eq "^vpsctl_ct_disk_limit_bytes\{ctid=\"$id\".*\} 16777216\$" <<<"$OUT"
        check "$fs/$layout: metrics has the inode limit" grep -Eq "^vpsctl_ct_disk_inodes_limit\{ctid=\"$id\".*\} 500\$" <<<"$OUT"
        # inodes: creating files stops at the hard limit
        rc 0 "$VPSCTL" exec "$id" 'rm -f /big; i=0; while [ $i -lt 600 ] && touch /f$i 2>/dev/null; do i=$((i+1)); done; echo $i'
        check "$fs/$layout: file creation stops at the inode limit ($OUT files made)" test "${OUT:-600}" -lt 500
        rc 0 "$VPSCTL" exec "$id" 'rm -f /f*'
        # a live raise: the write goes through now
        rc 0 "$VPSCTL" set "$id" --diskspace 48M --diskinodes unlimited
        rc 0 "$VPSCTL" exec2 "$id" 'dd if=/dev/zero of=/big bs=1M count=24 2>/dev/null'
        check "$fs/$layout: after a live raise to 48M the 24M write succeeds" test "$RC" = 0
        # the saved limit comes back at the next start (the live change was not saved)
        rc 0 "$VPSCTL" stop "$id"
        rc 0 "$VPSCTL" start "$id"
        rc 0 "$VPSCTL" exec "$id" df -k /
        check "$fs/$layout: a restart puts back the saved 16M ($(lastf 2))" test "$(lastf 2)" = 16384
        rc 0 "$VPSCTL" stop "$id" --fast
        rc 0 "$VPSCTL" stop "$nb" --fast
}

# the CAP_SYS_RESOURCE trap: overlayfs writes as its mounter, and root with CAP_SYS_RESOURCE is exempt from
# ext4's hard limits; where this guest's root has it, the overlay cases show that vpsctl mounts without it
capeff=$(awk '/^CapEff/{print $2}' /proc/self/status)
if (((0x$capeff >> 24) & 1)); then echo "# root here has CAP_SYS_RESOURCE (CapEff $capeff)"; else echo "# root here lacks CAP_SYS_RESOURCE"; fi

quota_case "$EXT" 201 202 overlay ext4
quota_case "$EXT" 203 204 copy ext4

# a private area made before it had its project id (an older CT, or a filesystem that got project quota
# later): setting a limit gives its files the id first, so what is already there is counted
export VPSCTL_PREFIX=$EXT
rc 0 "$VPSCTL" create 205 --ostemplate busybox
rc 0 "$VPSCTL" start 205
rc 0 "$VPSCTL" exec2 205 'dd if=/dev/zero of=/old bs=1M count=8 2>/dev/null'
rc 0 "$VPSCTL" stop 205
chattr -R -P -p 0 "$EXT/var/lib/vpsctl/private/205" 2>/dev/null
check "the private area of 205 had its project id removed (lsattr -p: 0)" bash -c "lsattr -d -p '$EXT/var/lib/vpsctl/private/205' | awk '{exit \$1 != 0}'"
rc 0 "$VPSCTL" list -H -o diskspace 205
check "list says nothing of an untagged private area ('$OUT')" test "${OUT// /}" = "-"
rc 0 "$VPSCTL" set 205 --diskspace 12M --save
rc 0 "$VPSCTL" start 205
rc 0 "$VPSCTL" list -H -o diskspace 205
check "after set and start its old 8M file is counted (${OUT// /} KB)" test "${OUT:-0}" -ge 8192
rc 1 "$VPSCTL" exec2 205 'dd if=/dev/zero of=/more bs=1M count=8 2>/dev/null'
check "and only 4M more fit" test "$RC" = 1
rc 0 "$VPSCTL" stop 205 --fast

# a privileged CT (--userns no) on the copy layout writes as the host's root: with CAP_SYS_RESOURCE it
# would pass ext4's hard limit; a CT with a disk quota starts without it
rc 0 "$VPSCTL" create 207 --ostemplate busybox --layout copy --userns no
rc 0 "$VPSCTL" set 207 --diskspace 16M --save
rc 0 "$VPSCTL" start 207
rc 1 "$VPSCTL" exec2 207 'dd if=/dev/zero of=/big bs=1M count=24 2>/dev/null'
check "a privileged copy-layout CT cannot write past its 16M either" test "$RC" = 1
rc 0 "$VPSCTL" exec 207 'grep CapBnd /proc/self/status'
bnd=${OUT##*[[:space:]]}
check "its bounding set lacks CAP_SYS_RESOURCE ($bnd)" test $(((0x${bnd:-1000000} >> 24) & 1)) = 0
rc 0 "$VPSCTL" stop 207 --fast
rc 0 "$VPSCTL" destroy 207

# and one started without a limit is told that its root keeps CAP_SYS_RESOURCE until a restart
rc 0 "$VPSCTL" create 208 --ostemplate busybox --layout copy --userns no
rc 0 "$VPSCTL" start 208
rc 0 "$VPSCTL" set 208 --diskspace 16M
check "a live limit on a privileged CT warns of CAP_SYS_RESOURCE" grep -q "keeps CAP_SYS_RESOURCE.*vpsctl restart 208" <<<"$ERR"
rc 0 "$VPSCTL" stop 208 --fast
rc 0 "$VPSCTL" destroy 208

# destroy clears the project's limits: a new CT with the same CTID starts without them
rc 0 "$VPSCTL" destroy 201
rc 0 "$VPSCTL" create 201 --ostemplate busybox
rc 0 "$VPSCTL" start 201
rc 0 "$VPSCTL" stat -j 201
check "a new CT 201 has no hard limit left by the old one" grep -q '"space_hard": 0' <<<"$OUT"
rc 0 "$VPSCTL" stop 201 --fast

# xfs, mounted with prjquota (xfs enforces it for root too)
modprobe loop 2>/dev/null
truncate -s 320M "$T/xfs.img"
if LOOP=$(losetup -f --show "$T/xfs.img") && mkfs.xfs -q "$LOOP" && mount -o prjquota "$LOOP" "$XFS" && chmod 755 "$XFS"; then
        quota_case "$XFS" 301 302 overlay xfs
else
        not_ok "cannot make xfs with project quota on a loop device"
fi

# a filesystem that has project ids but no quota turned on: refused, naming it and the mount option
export VPSCTL_PREFIX=$EXT
mkdir -p "$T/plain" && truncate -s 64M "$T/plain.img" && mkfs.ext4 -q -F "$T/plain.img" &&
        mount -o loop "$T/plain.img" "$T/plain"
if mountpoint -q "$T/plain"; then
        mkdir -p "$T/plain/private"
        echo "VE_PRIVATE=\"$T/plain/private/\$VEID\"" >>"$EXT/etc/vpsctl/vpsctl.conf"
        rc 0 "$VPSCTL" create 206 --ostemplate busybox
        rc 60 "$VPSCTL" set 206 --diskspace 1G --save
        check "the refusal names ext4 and tune2fs" grep -q "is on ext4 .*tune2fs -O quota,project" <<<"$ERR"
        check "and nothing was saved" bash -c "! grep -q DISKSPACE '$EXT/etc/vpsctl/conf/206.conf'"
        rc 0 "$VPSCTL" destroy 206
        umount "$T/plain"
else
        not_ok "cannot mount a plain ext4 image"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
