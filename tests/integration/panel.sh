#!/bin/bash
# A hosting panel's calls, as panels written for OpenVZ make them: through the installed names `vzctl`
# and `vzlist`, every line of output compared with what vzctl and vzlist print (vzlist's column
# widths, so `awk '{print $N}'` finds each field), every exit code asserted against vzctl's table.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_TMP/bin"
ln -s "$VPSCTL" "$TEST_TMP/bin/vzctl"
ln -s "$VPSCTL" "$TEST_TMP/bin/vzlist"
vzctl() { timeout -k 5 60 "$TEST_TMP/bin/vzctl" "$@"; }
vzlist() { timeout -k 5 60 "$TEST_TMP/bin/vzlist" "$@"; }
# vzlist's row: fields joined by one space, each padded as vzlist pads it, trailing blanks cut
row() { printf "$1" "${@:2}" | sed 's/ *$//'; }

# --- order a container -------------------------------------------------------------------------
expect_rc 0 vzctl create 101 --ostemplate busybox --ipadd 192.0.2.10 --hostname panel101.example.com
assert_eq "$LAST_OUT" "Creating container private area (busybox)
Container private area was created" "create: vzctl's two lines"
assert_eq "$(conf_get 101 IP_ADDRESS)" "192.0.2.10" "create --ipadd: IP_ADDRESS saved"
assert_eq "$(conf_get 101 HOSTNAME)" "panel101.example.com" "create --hostname: HOSTNAME saved"
expect_rc 44 vzctl create 101 --ostemplate busybox
expect_rc 82 vzctl create 102 --ostemplate busybox --config no-such-plan
assert_true "an unknown plan creates no CT" test ! -e "$(conf_of 102)"

# the plan: RAM and swap with vzctl's suffixes, then DNS
expect_out "Saved parameters for CT 101" vzctl set 101 --ram 256M --swap 128M --save
assert_eq "$(conf_get 101 PHYSPAGES)" "0:256M" "--ram 256M is PHYSPAGES 0:256M (vzctl reads the suffix)"
assert_eq "$(conf_get 101 SWAPPAGES)" "0:128M" "--swap 128M is SWAPPAGES 0:128M"
expect_out "Saved parameters for CT 101" vzctl set 101 --nameserver 192.0.2.53 --searchdomain example.com --save
assert_eq "$(conf_get 101 NAMESERVER)" "192.0.2.53" "--nameserver saved"
assert_eq "$(conf_get 101 SEARCHDOMAIN)" "example.com" "--searchdomain saved"
expect_out "Saved parameters for CT 101" vzctl set 101 --onboot=yes --cpuunits=1000 --save
expect_rc 21 vzctl set 101 --hostname 'bad host' --save
expect_rc 21 vzctl set 101 --ipadd 192.0.2.999 --save
expect_rc 21 vzctl set 101 --nameserver not-an-address --save
expect_rc 20 vzctl set 101 --no-such-option 1 --save

# the stopped CT, as the panel's overview shows it
expect_out "CTID 101 exist unmounted down" vzctl status 101
expect_out "$(row '%10s %10s %-9s %-15s %s' 101 - stopped 192.0.2.10 panel101.example.com)" vzlist -a -H
expect_rc 0 vzlist -S
assert_eq "$LAST_OUT" "$(row '%10s %10s %-9s %-15s %s' CTID NPROC STATUS IP_ADDR HOSTNAME)
$(row '%10s %10s %-9s %-15s %s' 101 - stopped 192.0.2.10 panel101.example.com)" "vzlist -S: header and the stopped CT"
expect_out "" vzlist -H

# --- start, and the calls a panel makes on a running CT ----------------------------------------
expect_rc 0 vzctl start 101
assert_eq "$LAST_OUT" "Starting container...
Container is mounted
Container start in progress..." "start: vzctl's three lines"
expect_rc 32 vzctl start 101
assert_eq "$LAST_ERR" "Container is already running" "a second start"
expect_out "CTID 101 exist mounted running" vzctl status 101
expect_out "panel101.example.com" vzctl exec 101 'cat /etc/hostname'
expect_rc 0 vzctl exec 101 'cat /etc/resolv.conf'
assert_match "$LAST_OUT" '^nameserver 192\.0\.2\.53$' "the nameserver is in the guest's resolv.conf"
assert_match "$LAST_OUT" '^search example\.com$' "the search domain is in the guest's resolv.conf"
expect_rc 8 vzctl exec 101 'exit 3'

# a RAM limit the kernel refuses (below what the CT holds in shared memory, with no swap to move it to:
# cgroup v1 answers EBUSY) is vzctl's VZ_SETUBC_ERROR, and nothing is saved
if [ -d /sys/fs/cgroup/memory ] && [ "$(wc -l </proc/swaps)" -le 1 ]; then
        expect_rc 0 vzctl exec 101 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null'
        expect_rc 1 vzctl set 101 --ram 8M --save
        assert_eq "$(conf_get 101 PHYSPAGES)" "0:256M" "a refused --ram is not saved"
        expect_rc 0 vzlist -H -o shmpages
        assert_match "$LAST_OUT" '^ +1[0-9]{4}$' "shmpages counts the 40M in /dev/shm (10240 pages and some)"
        expect_rc 0 vzctl exec 101 'rm /dev/shm/fill'
else
        echo "# no check of a refused --ram: the host has swap or no cgroup v1 memory controller"
fi

expect_rc 0 vzlist -H -o ctid,hostname,ip,status
assert_eq "$LAST_OUT" "$(row '%10s %-32s %-15s %s' 101 panel101.example.com 192.0.2.10 running)" \
        "vzlist -H -o ctid,hostname,ip,status: vzlist's columns"
assert_eq "$(awk '{print $4}' <<<"$LAST_OUT")" "running" "awk finds the status in column 4"

expect_rc 0 vzlist -o ctid,numproc,physpages.l
nproc=$(awk 'NR == 2 {print $2}' <<<"$LAST_OUT")
assert_match "$nproc" '^[1-9][0-9]*$' "numproc of a running CT is a count"
assert_eq "$LAST_OUT" "$(row '%10s %10s %10s' CTID NPROC PHYSP.L)
$(row '%10s %10s %10s' 101 "$nproc" 65536)" "vzlist -o ctid,numproc,physpages.l: header and row"

# live columns: uptime in vzlist's DDDdHHh:MMm:SSs, kernel memory and shared memory measured; what
# a stock kernel does not count has no figure, and what vpsctl does not limit has no limit
expect_rc 0 vzlist -H -o ctid,uptime,laverage,vswap
assert_match "$LAST_OUT" '^       101 +000d00h:[0-5][0-9]m:[0-5][0-9]s +- +yes$' "uptime, laverage (no source: -), vswap"
expect_rc 0 vzlist -H -o kmemsize,shmpages,numfile,numfile.b,numtcpsock.f,swappages.l
assert_match "$LAST_OUT" '^ +[0-9]+ +[0-9]+ +- +unlimited +- +32768$' \
        "kmemsize and shmpages measured; numfile not; numfile.b unlimited; swappages.l from --swap"
expect_rc 0 vzlist -H -o smart_name,mount_opts,features,ctid
assert_eq "$LAST_OUT" "$(row '%10s %-16s %-15s %10s' 101 - - 101)" "smart_name, and the fields vpsctl has no setting for"

expect_rc 0 vzlist -a -j
assert_true "vzlist -a -j: the panel's JSON" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
ct = d[0]
assert ct["ctid"] == 101 and ct["hostname"] == "panel101.example.com", ct
assert ct["ip"] == ["192.0.2.10"] and ct["nameserver"] == ["192.0.2.53"], ct
assert ct["status"] == "running" and ct["onboot"] is True and ct["vswap"] is True, ct
# beancounters and disk quotas as vzlist prints them: objects, null where there is no figure or limit
assert isinstance(ct["numproc"]["held"], int) and ct["numproc"]["held"] > 0, ct
assert ct["physpages"]["limit"] == 65536 and ct["numfile"]["held"] is None, ct
assert ct["numfile"]["limit"] is None and isinstance(ct["kmemsize"]["held"], int), ct
assert set(ct["diskspace"]) == {"usage", "softlimit", "hardlimit"}, ct
assert isinstance(ct["uptime"], float) and ct["laverage"] is None, ct
assert ct["smart_name"] == 101, ct
' "$LAST_OUT"

# -L: every vzlist field, as vzlist lists them (name and header in 15 columns each)
expect_rc 1 vzlist -j -o numproc.l
assert_eq "$LAST_ERR" "Field \`numproc.l' is not available in JSON output" "vzlist -j refuses a beancounter's column"

expect_rc 0 vzlist -L
for f in ctid veid vpsid private root mount_opts origin_sample hostname name smart_name description ostemplate \
        ip nameserver searchdomain status laverage uptime cpulimit cpuunits cpus ioprio onboot bootorder layout \
        features vswap disabled diskspace diskspace.s diskspace.h diskinodes diskinodes.s diskinodes.h; do
        grep -qE "^$f +[A-Z]" <<<"$LAST_OUT" || fail "vzlist -L lacks $f"
done
for u in kmemsize lockedpages privvmpages shmpages numproc physpages vmguarpages oomguarpages numtcpsock numflock \
        numpty numsiginfo tcpsndbuf tcprcvbuf othersockbuf dgramrcvbuf numothersock dcachesize numfile numiptent \
        swappages; do
        for s in "" .m .b .l .f; do
                grep -qE "^$u$s +[A-Z]" <<<"$LAST_OUT" || fail "vzlist -L lacks $u$s"
        done
done
pass "vzlist -L lists every field of vzlist.8"
assert_eq "$(grep '^ctid ' <<<"$LAST_OUT")" "$(printf '%-15s %-15s' ctid CTID)" "vzlist -L's layout"

# a second CT, stopped, and a name: sort and -n
expect_rc 0 vzctl create 102 --ostemplate busybox --hostname panel102.example.com --name shop
expect_out "$(row '%10s' shop)
$(row '%10s' 101)" vzlist -a -H -o smart_name -s -ctid
expect_rc 0 vzlist -a -n -H
assert_eq "$(awk '{print $1}' <<<"$LAST_OUT" | tr '\n' ' ')" "101 shop " "vzlist -n: names for CTIDs"
expect_out "$(row '%10s' 102)
$(row '%10s' 101)" vzlist -a -H -o ctid -s numproc
expect_out "$(row '%10s' 101)
$(row '%10s' 102)" vzlist -H -o ctid shop 101 shop
expect_rc 1 vzlist 103
assert_eq "$LAST_ERR" "Container(s) not found" "vzlist of a CTID without a CT"

# a CT whose private area is gone: vzctl's line and VZ_FS_NOPRVT
rm -rf "${PRIVATE_DIR:?}/102"
expect_rc 43 vzctl start 102
assert_eq "$LAST_ERR" "Container private area $PRIVATE_DIR/102 does not exist" "start without a private area"
expect_rc 43 vzctl mount 102
expect_rc 0 vzctl destroy 102

# --- stop and cancel the order -----------------------------------------------------------------
expect_rc 0 vzctl stop 101
assert_eq "$LAST_OUT" "Stopping container ...
Container was stopped
Container is unmounted" "stop: vzctl's three lines"
expect_out "CTID 101 exist unmounted down" vzctl status 101
expect_rc 31 vzctl exec 101 true
expect_rc 0 vzctl destroy 101
assert_eq "$LAST_OUT" "Destroying container private area: $PRIVATE_DIR/101
Container private area was destroyed" "destroy: vzctl's two lines"
expect_out "CTID 101 deleted unmounted down" vzctl status 101
expect_out "" vzlist -a -H
expect_rc 14 vzctl start 101
expect_rc 21 vzctl start

# an order on a full disk: vzctl's VZ_FS_NO_DISK_SPACE, and no half CT
mount -t tmpfs -o size=256k tmpfs "$PRIVATE_DIR"
expect_rc 46 vzctl create 103 --ostemplate busybox --layout copy
assert_true "a create that ran out of space leaves no config" test ! -e "$(conf_of 103)"
assert_eq "$(ls -A "$PRIVATE_DIR")" "" "a create that ran out of space leaves no private area"
umount "$PRIVATE_DIR"
done_testing
