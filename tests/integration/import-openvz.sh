#!/bin/bash
# import-openvz: a synthetic OpenVZ host tree (vz.conf, 101.conf and 102.conf written like ctid.conf(5)'s
# examples, simfs private areas from the busybox template with files of uid 1000) imported: --dry-run
# changes nothing; a real import keeps CTID, name, hostname, IPs, limits, onboot, lists and comments the
# unsupported keys; --userns yes sees the files through an idmapped mount (no chown walk: the host's ids
# stay), --userns no is privileged; both CTs start, their routed IPs answer, exec, stop, destroy. Refusals:
# a ploop CT (21), a CTID vpsctl has (44), a CT mounted on the source (32). A kill at every step of an
# import leaves no CT and no private area, and the next import goes through. --move renames the private
# area in (same inode); a killed move is moved back by the next import or create, never removed; across
# filesystems it is refused (21). Template caches of OpenVZ and
# Proxmox (./ prefixes, a /sbin/init symlink, a device node; gz, xz, zst) import one by one and as a
# directory (template import-cache).
. "$(dirname "$0")/lib.sh"

command -v ip >/dev/null || skip "needs iproute2 (ip)"
BB=/bin/busybox
[ -x "$BB" ] || skip "needs busybox at $BB"

SRC=$TEST_TMP/ovz
mkdir -p "$SRC/etc/vz/conf" "$SRC/vz/private" "$SRC/vz/root" "$SRC/vz/template/cache"

# the busybox template's rootfs is the source of the private areas
new_ct 199
expect_rc 0 vz destroy 199
TROOT=$VPSCTL_PREFIX/var/lib/vpsctl/templates/busybox/current/rootfs
[ -d "$TROOT" ] || { fail "no busybox template rootfs at $TROOT"; done_testing; }

cat >"$SRC/etc/vz/vz.conf" <<'EOF'
## Global parameters
VIRTUOZZO=yes
LOCKDIR=/vz/lock
DUMPDIR=/vz/dump
VE0CPUUNITS=1000
## Logging parameters
LOGGING=yes
LOGFILE=/var/log/vzctl.log
LOG_LEVEL=0
VERBOSE=0
## Disk quota parameters
DISK_QUOTA=yes
VZFASTBOOT=no
## Template parameters
TEMPLATE=/vz/template
## Defaults for containers
VE_ROOT=/vz/root/$VEID
VE_PRIVATE=/vz/private/$VEID
VE_LAYOUT=simfs
CONFIGFILE="basic"
DEF_OSTEMPLATE="centos-7-x86_64"
## Load vzwdog module
VZWDOG="no"
IPTABLES="ipt_REJECT ipt_tos ipt_limit ipt_multiport iptable_filter iptable_mangle ipt_TCPMSS ipt_tcpmss ipt_ttl ipt_length"
IPV6="yes"
EOF

cat >"$SRC/etc/vz/conf/101.conf" <<'EOF'
# RAM
PHYSPAGES="0:262144"
# Swap
SWAPPAGES="0:131072"
# UBC parameters (in form of barrier:limit)
KMEMSIZE="14372700:14790164"
LOCKEDPAGES="2048:2048"
PRIVVMPAGES="65536:69632"
SHMPAGES="21504:21504"
NUMPROC="240:240"
VMGUARPAGES="33792:unlimited"
OOMGUARPAGES="26112:unlimited"
NUMTCPSOCK="360:360"
NUMFLOCK="188:206"
NUMPTY="16:16"
NUMSIGINFO="256:256"
TCPSNDBUF="1720320:2703360"
TCPRCVBUF="1720320:2703360"
OTHERSOCKBUF="1126080:2097152"
DGRAMRCVBUF="262144:262144"
NUMOTHERSOCK="360:360"
DCACHESIZE="3409920:3624960"
NUMFILE="9312:9312"
AVNUMPROC="180:180"
NUMIPTENT="128:128"

# Disk quota parameters (in form of softlimit:hardlimit)
DISKSPACE="10485760:11534336"
DISKINODES="200000:220000"
QUOTATIME="0"

# CPU fair scheduler parameter
CPUUNITS="1000"
CPULIMIT="50"
CPUS="1"
VE_ROOT="/vz/root/$VEID"
VE_PRIVATE="/vz/private/$VEID"
OSTEMPLATE="centos-7-x86_64"
ORIGIN_SAMPLE="vswap-256m"
HOSTNAME="web1.example.test"
NAME="web1"
IP_ADDRESS="192.0.2.11 192.0.2.12/255.255.255.0"
NAMESERVER="192.0.2.53"
SEARCHDOMAIN="example.test"
ONBOOT="yes"
BOOTORDER="10"
FEATURES="nfs:on ppp:off"
DEVNODES="net/tun:rw"
CAPABILITY="SYS_TIME:on"
EOF

cat >"$SRC/etc/vz/conf/102.conf" <<'EOF'
PHYSPAGES="0:131072"
SWAPPAGES="0:0"
KMEMSIZE="unlimited"
NUMPROC="100:100"
DISKSPACE="2097152:2306867"
DISKINODES="100000:110000"
QUOTATIME="600"
QUOTAUGIDLIMIT="100"
CPUUNITS="500"
CPULIMIT="25"
IOPRIO="6"
VE_ROOT="/vz/root/$VEID"
VE_PRIVATE="/vz/private/$VEID"
OSTEMPLATE="centos-7-x86_64"
HOSTNAME="db1.example.test"
NAME="db1"
IP_ADDRESS="192.0.2.21"
ONBOOT="no"
MEMINFO="pages:131072"
FEATURES="bridge:on"
NETIF="ifname=eth0,mac=00:18:51:AA:BB:01,host_ifname=veth102.0,host_mac=00:18:51:AA:BB:02,bridge=br0,mac_filter=on"
EOF

# the private areas: the template's files plus a user's (uid 1000), as simfs keeps them
for id in 101 102; do
        cp -a "$TROOT" "$SRC/vz/private/$id"
        mkdir -p "$SRC/vz/private/$id/home/user" "$SRC/vz/root/$id"
        echo "data of $id" >"$SRC/vz/private/$id/home/user/file"
        chown -R 1000:1000 "$SRC/vz/private/$id/home/user"
done
host_owner() { stat -c %u:%g "$SRC/vz/private/$1/home/user/file"; }
imported_owner() { stat -c %u:%g "$PRIVATE_DIR/$1/fs/home/user/file"; }

# a bridge for 102's NETIF (in this test's own network namespace)
ip link add br0 type bridge || skip "cannot create a bridge"
ip link set br0 up

# ---------------------------------------------------------------------------------------
# dry run: the plan, nothing changed

# (the command log included: a dry run is not logged, as it changes nothing)
snap() { find "$VPSCTL_PREFIX" "$SRC" -printf '%p %u %g %m %s\n' 2>/dev/null | sort; }
snap >"$TEST_TMP/before"
expect_rc 0 vz import-openvz --root "$SRC" --dry-run
plan=$LAST_OUT
snap >"$TEST_TMP/after"
if cmp -s "$TEST_TMP/before" "$TEST_TMP/after"; then
        pass "--dry-run changed nothing under the prefix or the source"
else
        fail "--dry-run changed files"
        show diff "$(diff "$TEST_TMP/before" "$TEST_TMP/after" | head -20)"
fi
assert_match "$plan" "^CT 101 \\(web1\\): $SRC/vz/private/101 -> $PRIVATE_DIR/101 \\(layout copy, copied\\)" \
        "dry run: where 101's files go"
assert_match "$plan" '^  kept +HOSTNAME="web1.example.test"' "dry run: HOSTNAME kept"
assert_match "$plan" '^  translated +IP_ADDRESS="192.0.2.11 192.0.2.12/255.255.255.0" -> "192.0.2.11 192.0.2.12/24"' \
        "dry run: IP_ADDRESS's netmask translated to a prefix length"
assert_match "$plan" '^  unsupported +KMEMSIZE="14372700:14790164" \(a beancounter' "dry run: KMEMSIZE unsupported, why"
assert_match "$plan" '^  unsupported +DEVNODES="net/tun:rw"' "dry run: DEVNODES unsupported"
assert_match "$plan" '^  replaced +VE_PRIVATE="/vz/private/\$VEID" -> ' "dry run: VE_PRIVATE replaced"
assert_match "$plan" '^  translated +NETIF=.*mac_filter=on' "dry run: NETIF's mac_filter named as left out"
assert_match "$plan" '^  kept +CAPABILITY="SYS_TIME:on"' "dry run: CAPABILITY kept (vpsctl reads OpenVZ's names)"
assert_true "dry run: no CT exists" test ! -e "$(conf_of 101)" -a ! -e "$(conf_of 102)"

# ---------------------------------------------------------------------------------------
# refusals: bad options, ploop, mounted on the source, a CTID vpsctl has

expect_rc 20 vz import-openvz --root "$SRC" --ctid 12
expect_rc 20 vz import-openvz --root relative/dir
expect_rc 21 vz import-openvz --root "$SRC" --userns maybe
expect_rc 14 vz import-openvz --root "$TEST_TMP/nothing-here"
expect_rc 14 vz import-openvz --root "$SRC" --ctid 150
mkdir -p "$SRC/vz/private/103/root.hdd"
printf 'VE_LAYOUT="ploop"\nHOSTNAME="p.example.test"\n' >"$SRC/etc/vz/conf/103.conf"
expect_rc 21 vz import-openvz --root "$SRC" --ctid 103
assert_contains "$LAST_ERR" "ploop images are not supported" "ploop CT refused, saying why"
rm -rf "$SRC/vz/private/103" "$SRC/etc/vz/conf/103.conf"
mount -t tmpfs ovz-running "$SRC/vz/root/101"
expect_rc 32 vz import-openvz --root "$SRC" --ctid 101
assert_contains "$LAST_ERR" "running (or mounted at $SRC/vz/root/101) on the source" "a CT mounted on the source is refused"
umount "$SRC/vz/root/101"
assert_true "refusals created nothing" test ! -e "$(conf_of 101)" -a ! -e "$PRIVATE_DIR/101"

# ---------------------------------------------------------------------------------------
# a killed import leaves nothing, and the next one goes through

FP_LOG=$TEST_TMP/fp.log
: >"$FP_LOG"
VPSCTL_FAILPOINT_LOG=$FP_LOG vz import-openvz --root "$SRC" --ctid 102 --userns no >/dev/null 2>&1
steps=$(awk '!seen[$0]++' "$FP_LOG")
assert_contains "$(echo $steps)" "create.marked create.provisioned create.owned create.saved" \
        "the import passes create's steps ($(echo $steps))"
expect_rc 0 vz destroy 102
for p in $steps; do
        VPSCTL_FAILPOINT=$p vz import-openvz --root "$SRC" --ctid 102 --userns no >/dev/null 2>&1
        rc=$?
        assert_eq "$rc" 137 "import killed at $p"
        run vz status 102
        case "$LAST_OUT" in
        "CTID 102 exist unmounted down")
                # the config is written: the import is done (create's marker is destroy's to remove)
                assert_eq "$(conf_get 102 HOSTNAME)" "db1.example.test" "after a kill at $p: CT 102 is whole"
                expect_rc 0 vz destroy 102
                ;;
        "CTID 102 deleted unmounted down")
                pass "after a kill at $p: CT 102 does not exist"
                ;;
        *) fail "import killed at $p: CT 102 is neither whole nor absent: $LAST_OUT" ;;
        esac
done
# the debris of the last kill before the config is removed by the next import
VPSCTL_FAILPOINT=create.provisioned vz import-openvz --root "$SRC" --ctid 102 --userns no >/dev/null 2>&1
expect_rc 0 vz import-openvz --root "$SRC" --ctid 102 --userns no
expect_rc 0 vz destroy 102
assert_true "no debris left beside the private areas" eval "[ -z \"\$(ls -A '$PRIVATE_DIR')\" ]"
assert_true "the source's private area is untouched by the kills" test -f "$SRC/vz/private/102/home/user/file"

# ---------------------------------------------------------------------------------------
# the real import: 101 with a user namespace, 102 privileged

expect_rc 0 vz import-openvz --root "$SRC" --ctid 101 --userns yes
assert_contains "$LAST_ERR" 'KMEMSIZE="14372700:14790164" is not supported' "101: unsupported keys listed on stderr"
expect_rc 0 vz import-openvz --root "$SRC" --ctid 102 --userns no
expect_rc 44 vz import-openvz --root "$SRC" --ctid 101
assert_contains "$LAST_ERR" "CT 101 exists in vpsctl already" "a second import of 101 is refused with 44, naming it"

c101=$(conf_of 101)
assert_eq "$(conf_get 101 HOSTNAME)" "web1.example.test" "101: HOSTNAME"
assert_eq "$(conf_get 101 NAME)" "web1" "101: NAME"
assert_eq "$(conf_get 101 IP_ADDRESS)" "192.0.2.11 192.0.2.12/24" "101: IP_ADDRESS (netmask translated)"
assert_eq "$(conf_get 101 NAMESERVER)" "192.0.2.53" "101: NAMESERVER"
assert_eq "$(conf_get 101 SEARCHDOMAIN)" "example.test" "101: SEARCHDOMAIN"
assert_eq "$(conf_get 101 ONBOOT)" "yes" "101: ONBOOT"
assert_eq "$(conf_get 101 BOOTORDER)" "10" "101: BOOTORDER"
assert_eq "$(conf_get 101 PHYSPAGES)" "0:262144" "101: PHYSPAGES"
assert_eq "$(conf_get 101 SWAPPAGES)" "0:131072" "101: SWAPPAGES"
assert_eq "$(conf_get 101 NUMPROC)" "240:240" "101: NUMPROC"
assert_eq "$(conf_get 101 CPUUNITS)" "1000" "101: CPUUNITS"
assert_eq "$(conf_get 101 CPULIMIT)" "50" "101: CPULIMIT"
assert_eq "$(conf_get 101 OSTEMPLATE)" "centos-7-x86_64" "101: OSTEMPLATE kept as a label"
assert_eq "$(conf_get 101 VE_LAYOUT)" "copy" "101: VE_LAYOUT copy"
assert_eq "$(conf_get 101 VE_PRIVATE)" "$PRIVATE_DIR/101" "101: VE_PRIVATE is vpsctl's"
assert_eq "$(conf_get 101 USERNS)" "yes" "101: USERNS yes"
assert_eq "$(conf_get 101 CAPABILITY)" "SYS_TIME:on" "101: CAPABILITY kept"
assert_eq "$(conf_get 102 USERNS)" "no" "102: USERNS no"
assert_eq "$(conf_get 102 IOPRIO)" "6" "102: IOPRIO"
assert_eq "$(conf_get 102 NETIF)" "ifname=eth0,mac=00:18:51:AA:BB:01,host_ifname=veth102.0,host_mac=00:18:51:AA:BB:02,bridge=br0" \
        "102: NETIF without mac_filter"
for k in KMEMSIZE PRIVVMPAGES QUOTATIME FEATURES DEVNODES; do
        assert_true "101: unsupported $k kept as a comment" grep -q "^#$k=" "$c101"
        assert_true "101: unsupported $k not a key" eval "! grep -q '^$k=' '$c101'"
done
assert_true "102: unsupported MEMINFO and QUOTAUGIDLIMIT kept as comments" grep -q '^#MEMINFO=' "$(conf_of 102)"
assert_true "102: QUOTAUGIDLIMIT kept as a comment" grep -q '^#QUOTAUGIDLIMIT=' "$(conf_of 102)"
# DISKSPACE: kept where vpsctl's private areas have project quota, else a comment (and listed)
if grep -q '^DISKSPACE=' "$c101"; then
        assert_eq "$(conf_get 101 DISKSPACE)" "10485760:11534336" "101: DISKSPACE kept (project quota here)"
else
        assert_true "101: DISKSPACE without project quota here: a comment" grep -q '^#DISKSPACE="10485760:11534336"' "$c101"
fi
expect_rc 0 vz list -H -o ctid,name,hostname 101
assert_match "$LAST_OUT" '101 +web1 +web1.example.test' "list shows the imported CT by its name"

# ownership: no chown walk; the CT sees the user's files as its uid 1000
assert_eq "$(imported_owner 101)" "1000:1000" "101 (userns): the copy keeps the host's ids on disk"
assert_eq "$(imported_owner 102)" "1000:1000" "102 (privileged): the copy keeps its ids"
assert_eq "$(host_owner 101)" "1000:1000" "the source's files are untouched"

# ---------------------------------------------------------------------------------------
# start, the IPs answer, exec, stop, destroy

expect_rc 0 vz start 101
expect_rc 0 vz start 102
expect_out "1000 1000" vz exec 101 stat -c "'%u %g'" /home/user/file
expect_out "data of 101" vz exec 101 cat /home/user/file
expect_out "1000 1000" vz exec 102 stat -c "'%u %g'" /home/user/file
expect_out "web1.example.test" vz exec 101 hostname
run vz exec 101 cat /proc/self/uid_map
assert_match "$LAST_OUT" '^ *0 +[1-9][0-9]+ +65536' "101 runs in its own user namespace"
run vz exec 102 cat /proc/self/uid_map
assert_match "$LAST_OUT" '^ *0 +0 +4294967295' "102 is privileged (the host's ids)"
expect_rc 0 timeout 5 "$BB" ping -c 1 -W 2 192.0.2.11
expect_rc 0 timeout 5 "$BB" ping -c 1 -W 2 192.0.2.12
expect_rc 0 timeout 5 "$BB" ping -c 1 -W 2 192.0.2.21
run vz exec 102 ip -o link show eth0
assert_contains "$LAST_OUT" "00:18:51:aa:bb:01" "102: eth0 with the imported MAC"
assert_true "102: its host side veth102.0 is on br0" eval "ip -o link show veth102.0 | grep -q 'master br0'"
expect_rc 0 vz stop 101
expect_rc 0 vz stop 102
expect_rc 0 vz destroy 101
expect_rc 0 vz destroy 102
assert_true "destroy leaves the source alone" test -f "$SRC/vz/private/101/home/user/file"

# ---------------------------------------------------------------------------------------
# --move: the private area renamed in (same filesystem); a killed move is moved back, never removed

sed -e 's/^NAME=.*/NAME="mv1"/' -e 's/^IP_ADDRESS=.*/IP_ADDRESS="192.0.2.41"/' -e '/^NETIF=/d' \
        "$SRC/etc/vz/conf/102.conf" >"$SRC/etc/vz/conf/104.conf"
cp -a "$TROOT" "$SRC/vz/private/104"
mkdir -p "$SRC/vz/private/104/home/user"
echo "data of 104" >"$SRC/vz/private/104/home/user/file"
chown -R 1000:1000 "$SRC/vz/private/104/home/user"
ino=$(stat -c %i "$SRC/vz/private/104/home/user/file")
for p in create.provisioned create.owned; do
        VPSCTL_FAILPOINT=$p vz import-openvz --root "$SRC" --ctid 104 --move --userns yes >/dev/null 2>&1
        assert_eq "$?" 137 "import --move killed at $p"
        assert_true "after a kill at $p: the source's files are in vpsctl's debris" test ! -e "$SRC/vz/private/104"
        expect_rc 0 vz import-openvz --root "$SRC" --ctid 104 --dry-run
        assert_contains "$LAST_OUT" "they are moved back first" "dry run after a killed move: says it moves them back"
        assert_true "the dry run moved nothing back" test ! -e "$SRC/vz/private/104"
        if [ "$p" = create.owned ]; then
                # a plain create of that CTID finds the debris: the files go back to the source, not away
                new_ct 104
                assert_eq "$(cat "$SRC/vz/private/104/home/user/file" 2>/dev/null)" "data of 104" \
                        "create over a killed move's debris moved the source's files back"
                expect_rc 0 vz destroy 104
        else
                run vz status 104
                assert_contains "$LAST_OUT" "deleted" "after a kill at $p: CT 104 does not exist"
        fi
done
expect_rc 0 vz import-openvz --root "$SRC" --ctid 104 --move --userns yes
assert_contains "$LAST_OUT" "moved" "import --move says it moved"
assert_true "--move: the source's private area is gone" test ! -e "$SRC/vz/private/104"
assert_eq "$(stat -c %i "$PRIVATE_DIR/104/fs/home/user/file")" "$ino" "--move renamed the files in (same inode, no copy)"
assert_eq "$(imported_owner 104)" "1000:1000" "--move: the host's ids kept"
assert_true "--move: nothing records the source once the CT exists" test ! -e "$PRIVATE_DIR/104/moved-from"
expect_rc 0 vz start 104
expect_out "data of 104" vz exec 104 cat /home/user/file
expect_out "1000 1000" vz exec 104 stat -c "'%u %g'" /home/user/file
expect_rc 0 vz stop 104
expect_rc 0 vz destroy 104
# another filesystem: --move is refused (21), nothing changes
mkdir -p "$TEST_TMP/other"
mount -t tmpfs ovz-other "$TEST_TMP/other"
mkdir -p "$TEST_TMP/other/etc/vz/conf" "$TEST_TMP/other/vz/private"
cp "$SRC/etc/vz/conf/104.conf" "$TEST_TMP/other/etc/vz/conf/104.conf"
cp -a "$TROOT" "$TEST_TMP/other/vz/private/104"
expect_rc 21 vz import-openvz --root "$TEST_TMP/other" --ctid 104 --move
assert_contains "$LAST_ERR" "use --copy" "--move across filesystems is refused, saying what to do"
assert_true "--move across filesystems: the source stays, no CT" test -d "$TEST_TMP/other/vz/private/104/sbin" -a ! -e "$(conf_of 104)"
expect_rc 0 vz import-openvz --root "$TEST_TMP/other" --ctid 104 --copy
expect_rc 0 vz destroy 104
umount "$TEST_TMP/other"

# ---------------------------------------------------------------------------------------
# template caches: OpenVZ's and Proxmox's tarball names and layouts, one by one and a directory

CACHE=$SRC/vz/template/cache
mk_cache() { # FILE COMPRESSOR-FLAG
        local t=$TEST_TMP/cache-tree
        rm -rf "$t"
        cp -a "$TROOT" "$t"
        rm -f "$t/sbin/init"
        ln -s /bin/busybox "$t/sbin/init"
        mknod "$t/dev/null" c 1 3 2>/dev/null || mknod "$t/dev/xnull" c 1 3
        (cd "$t" && tar --numeric-owner "$2" -cf "$1" .)
}
mk_cache "$CACHE/centos-7-x86_64.tar.gz" --gzip
mk_cache "$CACHE/debian-11-x86_64-minimal.tar.xz" --xz
have_zstd=0
if command -v zstd >/dev/null; then
        mk_cache "$CACHE/debian-12-standard_12.2-1_amd64.tar.zst" --zstd
        have_zstd=1
fi
echo "not a tarball" >"$CACHE/README"
assert_match "$(tar -tzf "$CACHE/centos-7-x86_64.tar.gz" | head -3)" '^\./' "the cache tarballs use ./ prefixes"
expect_rc 0 vz template import "$CACHE/centos-7-x86_64.tar.gz"
expect_rc 0 vz template import-cache "$CACHE"
assert_contains "$LAST_OUT" "centos-7-x86_64: exists, skipped" "import-cache skips a template that exists"
assert_contains "$LAST_OUT" "debian-11-x86_64-minimal: imported" "import-cache imports the xz cache"
[ "$have_zstd" = 1 ] &&
        assert_contains "$LAST_OUT" "debian-12-standard_12.2-1_amd64: imported" "import-cache imports Proxmox's zst cache"
expect_rc 0 vz template list
for t in centos-7-x86_64 debian-11-x86_64-minimal; do
        assert_contains "$LAST_OUT" "$t" "template $t is listed"
done
expect_rc 20 vz template import-cache
expect_rc 21 vz template import-cache "$TEST_TMP/no-such-dir"
new_ct 110 --ostemplate debian-11-x86_64-minimal
expect_rc 0 vz start 110
expect_out "ok" vz exec 110 echo ok
expect_rc 0 vz stop 110
expect_rc 0 vz destroy 110

done_testing
