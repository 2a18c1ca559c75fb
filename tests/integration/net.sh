#!/bin/bash
# Networking of CTs through the real vpsctl (issue 4), inside the test's own network namespace
# ("the host") and a peer namespace behind it:
#   routed (venet): --ipadd/--ipdel saved and live, the CT's venet0 and routes, the host's
#     venet<CTID> link, host routes, forwarding, proxy ARP/NDP on NEIGHBOUR_DEVS, anti-spoofing
#     fib rules (a spoofed source reaches neither another CT nor the peer) and nftables guards (their
#     effect on packets to the host itself: antispoof.sh), duplicate addresses
#     (exit 78), bad values (exit 21), restart restores, stop leaves nothing behind;
#   bridged (veth): --netif_add/--netif_del saved and live, stable generated MACs, host side on
#     a bridge, two CTs talk over it;
#   guest files: --nameserver (and inherit), --searchdomain, /etc/hosts; list -o ip and -j.
# Addresses: documentation ranges only. Peer (uplink up0 <-> peer:eth0): 203.0.113.0/24 and
# 2001:db8:ff::/64; routed CTs 192.0.2.0/24 and 2001:db8::/64; bridge br0 198.51.100.0/24.
. "$(dirname "$0")/lib.sh"

command -v ip >/dev/null || skip "needs iproute2 (ip)"
[ -x /bin/busybox ] || skip "needs /bin/busybox (busybox-static)"
BB=/bin/busybox

# ---------------------------------------------------------------------------------------
# helpers

# an address as an extended regex (dots escaped)
re() { printf '%s' "$1" | sed 's/[.]/\\./g'; }
is_v6() { case "$1" in *:*) return 0 ;; esac; return 1; }
fam() { if is_v6 "$1"; then echo -6; else echo -4; fi; }
# host prefix length of an address
hlen() { if is_v6 "$1"; then echo 128; else echo 32; fi; }
# a KEY="value" of a CT's config file (empty if absent)
conf_val() { sed -n "s/^$2=\"\(.*\)\"\$/\1/p" "$(conf_of "$1")" | tail -n 1; }

# netif_field NETIF-VALUE IFNAME KEY: one field of one interface of a NETIF value
netif_field() {
        local e f es fs
        IFS=';' read -ra es <<<"$1"
        for e in "${es[@]}"; do
                case ",$e," in *",ifname=$2,"*) ;; *) continue ;; esac
                IFS=',' read -ra fs <<<"$e"
                for f in "${fs[@]}"; do
                        [ "${f%%=*}" = "$3" ] && echo "${f#*=}"
                done
        done
        return 0
}
MAC_RE='^([0-9a-f]{2}:){5}[0-9a-f]{2}$'
lc() { tr 'A-F' 'a-f' <<<"$1"; }
# the MAC of a host link
host_mac() { ip -o link show "$1" 2>/dev/null | sed -n 's/.* link\/ether \([0-9a-f:]*\).*/\1/p'; }
# the MAC of a link inside a CT
ct_mac() { vz exec "$1" ip link show "$2" 2>/dev/null | sed -n 's/.*link\/ether \([0-9a-fA-F:]*\).*/\1/p' | tr 'A-F' 'a-f'; }

# Reachability. can WHAT WANT CMD...: CMD prints WANT. cannot WHAT CMD...: it does not.
can() {
        local what=$1 want=$2
        shift 2
        run "$@"
        if [ "$LAST_RC" = 0 ] && [ "$LAST_OUT" = "$want" ]; then
                pass "$what"
                return 0
        fi
        fail "$what: got exit $LAST_RC and '$LAST_OUT', expected '$want'"
        show stderr "$LAST_ERR"
        return 1
}
cannot() {
        local what=$1
        shift
        run "$@"
        if [ "$LAST_RC" != 0 ]; then
                pass "$what (exit $LAST_RC)"
                return 0
        fi
        fail "$what: it succeeded"
        show stdout "$LAST_OUT"
        return 1
}
# A TCP exchange with port 8080 of ADDR (busybox nc; its wget crashes on some hosts), from the
# host, the peer namespace, a CT: prints what the server said
host_get() { timeout -k 1 5 "$BB" nc -w 2 "$1" 8080 </dev/null; }
peer_get() { timeout -k 1 5 ip netns exec peer "$BB" nc -w 2 "$1" 8080 </dev/null; }
ct_get() { vz exec "$1" "timeout 5 nc -w 2 $2 8080 </dev/null"; }
# a persistent TCP server in a CT on port 8080 that says hello-CTID
ct_serve() {
        expect_rc 0 vz exec "$1" "setsid nc -ll -p 8080 -e /bin/echo hello-$1 </dev/null >/dev/null 2>&1 &"
}

# addresses of a CT's venet0 (global scope), "ADDR/LEN" sorted, one a line
ct_venet_addrs() {
        vz exec "$1" ip addr show dev venet0 2>/dev/null |
                awk '($1 == "inet" || $1 == "inet6") && $2 !~ /^fe80:/ { print $2 }' | sort
}

# check_ct_side ID "ADDR[/LEN] ...": the CT's venet0, lo, routes (inside the CT, busybox ip)
check_ct_side() {
        local id=$1 a addr len out4 out6
        expect_rc 0 vz exec "$id" ip addr show dev venet0 || return 1
        local addrs=$LAST_OUT
        assert_match "$(head -n 1 <<<"$addrs")" '[<,]UP[,>]' "CT $id: venet0 is up"
        for a in $2; do
                addr=${a%/*} len=$(hlen "$addr")
                [ "$a" != "$addr" ] && len=${a#*/}
                if is_v6 "$addr"; then
                        assert_match "$addrs" "inet6 $(re "$addr")/$len( |$)" "CT $id: venet0 holds $addr/$len"
                else
                        assert_match "$addrs" "inet $(re "$addr")/$len( |$)" "CT $id: venet0 holds $addr/$len"
                fi
        done
        expect_rc 0 vz exec "$id" ip link show lo
        assert_match "$LAST_OUT" '[<,]UP[,>]' "CT $id: lo is up"
        run vz exec "$id" ip route show
        out4=$LAST_OUT
        assert_match "$out4" '^169\.254\.0\.1 dev venet0 +scope link' "CT $id: route 169.254.0.1 dev venet0 scope link"
        assert_match "$out4" '^default via 169\.254\.0\.1 dev venet0( |$)' "CT $id: default via 169.254.0.1 dev venet0"
        case " $2" in
        *:*)
                run vz exec "$id" ip -6 route show
                out6=$LAST_OUT
                assert_match "$out6" '^default via fe80::1 dev venet0( |$)' "CT $id: IPv6 default via fe80::1 dev venet0"
                ;;
        esac
}

# check_host_side ID "ADDR ...": the host's venet<ID>, routes, proxy entries, fib rules, sysctls
check_host_side() {
        local id=$1 a v dev allow block f
        v=venet$id
        if ! ip link show "$v" >/dev/null 2>&1; then
                fail "host: no link $v (CT $id)"
                return 1
        fi
        pass "host: link $v exists"
        assert_match "$(ip -o link show "$v")" '[<,]UP[,>]' "host: $v is up"
        assert_match "$(ip -4 -o addr show dev "$v")" 'inet 169\.254\.0\.1/32( |$)' "host: $v holds 169.254.0.1/32"
        case " $2" in
        *:*) assert_match "$(ip -6 -o addr show dev "$v")" 'inet6 fe80::1/64( |$)' "host: $v holds fe80::1/64" ;;
        esac
        for a in $2; do
                a=${a%/*}
                assert_match "$(ip "$(fam "$a")" route show table main)" "^$(re "$a") dev $v( |\$)" \
                        "host: route $a/$(hlen "$a") dev $v"
                for dev in $NDEVS; do
                        assert_match "$(ip "$(fam "$a")" neigh show proxy)" "^$(re "$a") dev $dev( |\$)" \
                                "host: proxy $(is_v6 "$a" && echo NDP || echo ARP) entry for $a on $dev"
                done
                allow=$(ip "$(fam "$a")" rule show | grep -E "from $(re "$a") iif $v lookup main( |\$)" | head -n 1)
                block=$(ip "$(fam "$a")" rule show | grep -E "iif $v( \[detached\])? blackhole" | head -n 1)
                if [ -n "$allow" ]; then pass "host: fib rule 'from $a iif $v lookup main'"; else
                        fail "host: no fib rule 'from $a iif $v lookup main'"
                        show "ip $(fam "$a") rule" "$(ip "$(fam "$a")" rule show)"
                fi
                if [ -n "$block" ]; then pass "host: fib rule 'iif $v blackhole' ($(fam "$a"))"; else
                        fail "host: no $(fam "$a") fib rule 'iif $v blackhole'"
                fi
                if [ -n "$allow" ] && [ -n "$block" ]; then
                        [ "${allow%%:*}" -lt "${block%%:*}" ] 2>/dev/null &&
                                pass "host: the allow rule of $a comes before the blackhole (${allow%%:*} < ${block%%:*})" ||
                                fail "host: the allow rule of $a (pref ${allow%%:*}) is not before the blackhole (pref ${block%%:*})"
                fi
        done
        if command -v nft >/dev/null; then
                assert_contains "$(nft list set inet vpsctl links 2>&1)" "\"$v\"" \
                        "host: $v is a guarded link (nftables, table inet vpsctl, set links)"
                for a in $2; do
                        a=${a%/*}
                        if is_v6 "$a"; then f=allow6; else f=allow4; fi
                        assert_contains "$(nft list set inet vpsctl $f 2>&1)" "\"$v\" . $a" \
                                "host: $v's guard allows $a (nftables, set $f)"
                done
        fi
        assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "host: net.ipv4.ip_forward = 1"
        case " $2" in
        *:*) assert_eq "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "host: net.ipv6.conf.all.forwarding = 1" ;;
        esac
}

# check_addr_gone ID ADDR WHAT: no host route, proxy entry or fib rule of ADDR
check_addr_gone() {
        local a=${2%/*} f
        f=$(fam "$a")
        assert_true "$3: no host route to $a" eval "! ip $f route show table all | grep -Eq '^(local )?$(re "$a")( |/)'"
        assert_true "$3: no proxy entry for $a" eval "! ip $f neigh show proxy | grep -Eq '^$(re "$a") '"
        assert_true "$3: no fib rule for $a" eval "! ip $f rule show | grep -Eq 'from $(re "$a")( |/)'"
}

# check_stopped_clean ID "ADDR ...": nothing of the CT's routed network is left on the host
check_stopped_clean() {
        local id=$1 a
        assert_true "stopped CT $id: no link venet$id" eval "! ip link show venet$id"
        assert_true "stopped CT $id: no fib rule mentions venet$id" \
                eval "! { ip -4 rule show; ip -6 rule show; } | grep -q 'venet$id\\b'"
        assert_true "stopped CT $id: no route via venet$id" \
                eval "! { ip -4 route show table all; ip -6 route show table all; } | grep -q 'dev venet$id\\b'"
        for a in $2; do
                check_addr_gone "$id" "$a" "stopped CT $id"
        done
        if command -v nft >/dev/null; then
                assert_true "stopped CT $id: no nftables guard mentions venet$id" \
                        eval "! nft list ruleset 2>/dev/null | grep -q 'venet$id\\b'"
        fi
}

# ---------------------------------------------------------------------------------------
# the host: an uplink to a peer namespace, neighbour devices, a bridge, a global config

# `ip netns` names live on a tmpfs of this test's own mount namespace: nothing is left behind
mkdir -p /run/netns && mount -t tmpfs -o mode=0755 vpsctl-test-netns /run/netns ||
        skip "cannot mount a private /run/netns"
ip netns add peer || skip "cannot create a network namespace"
ip link add up0 type veth peer eth0 netns peer || skip "cannot create veth pairs"
ip addr add 203.0.113.1/24 dev up0
ip addr add 2001:db8:ff::1/64 dev up0 nodad
ip link set up0 up
ip -n peer link set lo up
ip -n peer addr add 203.0.113.2/24 dev eth0
ip -n peer addr add 2001:db8:ff::2/64 dev eth0 nodad
ip -n peer link set eth0 up
ip -n peer route add default via 203.0.113.1
ip -n peer -6 route add default via 2001:db8:ff::1
# a second neighbour device (no dummy driver on some kernels: a veth does as well)
if ! ip link add nd0 type dummy 2>/dev/null; then
        ip link add nd0 type veth peer nd0p
        ip link set nd0p up
fi
ip link set nd0 up
ip link add br0 type bridge || skip "cannot create a bridge"
ip link set br0 up
NDEVS="up0 nd0"
mkdir -p "$VPSCTL_PREFIX/etc/vpsctl"
echo "NEIGHBOUR_DEVS=\"$NDEVS\"" >"$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf"
# the host's resolv.conf as --nameserver inherit sees it (a bind mount in this test's namespace)
printf '# test host\nnameserver 192.0.2.153\nnameserver 2001:db8::153\nsearch host.test\n' >"$TEST_TMP/resolv.conf"
mount --bind "$TEST_TMP/resolv.conf" /etc/resolv.conf || skip "cannot bind-mount a test /etc/resolv.conf"
f4=$(cat /proc/sys/net/ipv4/ip_forward) f6=$(cat /proc/sys/net/ipv6/conf/all/forwarding)
echo "# the test's namespace starts with ip_forward=$f4, ipv6 forwarding=$f6"
# a server in the peer namespace (a job of this shell: lib.sh's cleanup kills it too)
ip netns exec peer "$BB" nc -ll -p 8080 -e "$BB" echo hello-peer </dev/null >/dev/null 2>&1 &
peer_server=$!
if wait_until 5 eval '[ "$(ip netns exec peer "$BB" nc -w 1 127.0.0.1 8080 </dev/null)" = hello-peer ]'; then
        pass "setup: peer namespace 203.0.113.2 behind up0, nd0, br0, a TCP server in the peer"
else
        fail "setup: the peer's TCP server does not answer"
fi

# ---------------------------------------------------------------------------------------
# bad values change nothing; create --ipadd

new_ct 101 --hostname ct101.test
conf101=$(conf_of 101)
cp "$conf101" "$TEST_TMP/101.conf"
for bad in "--ipadd 999.1.1.1" "--ipadd 192.0.2.1/40" "--ipadd 2001:db8::1/129" "--ipadd 192.0.2.1.5" \
        "--ipadd 2001:db8::zz" "--ipadd 192.0.2.10 --ipadd 999.1.1.1"; do
        # shellcheck disable=SC2086
        expect_rc 21 vz set 101 $bad --save
done
expect_rc 21 vz set 101 --ipadd "" --save
cmp -s "$conf101" "$TEST_TMP/101.conf" && pass "refused --ipadd values left 101.conf byte-identical" ||
        fail "a refused --ipadd changed 101.conf: $(grep IP_ADDRESS "$conf101")"
expect_rc 21 vz create 106 --ostemplate busybox --ipadd 999.1.1.1
assert_true "create with a bad --ipadd creates no CT" test ! -e "$(conf_of 106)"

new_ct 102 --hostname ct102.test --ipadd 192.0.2.20
assert_eq "$(conf_val 102 IP_ADDRESS)" "192.0.2.20" 'create --ipadd saves IP_ADDRESS="192.0.2.20"'
# a stopped CT whose addresses nobody else may take
new_ct 105 --ipadd 192.0.2.50 --ipadd 2001:db8::50
assert_eq "$(conf_val 105 IP_ADDRESS)" "192.0.2.50 2001:db8::50" "create with two --ipadd saves both, space separated"

# ---------------------------------------------------------------------------------------
# routed CT 101: saved addresses and resolvers, applied at start

expect_rc 0 vz set 101 --ipadd 192.0.2.10 --save
assert_eq "$(conf_val 101 IP_ADDRESS)" "192.0.2.10" 'set --ipadd --save: IP_ADDRESS="192.0.2.10"'
expect_rc 0 vz set 101 --ipadd 2001:db8::10 --save
assert_eq "$(conf_val 101 IP_ADDRESS)" "192.0.2.10 2001:db8::10" "a second --ipadd adds to IP_ADDRESS (cumulative)"
expect_rc 0 vz set 101 --nameserver 192.0.2.53 --nameserver 2001:db8::53 --searchdomain example.test \
        --searchdomain corp.test --save
IPS101="192.0.2.10 2001:db8::10"
expect_rc 0 vz start 101
expect_rc 0 vz start 102
check_ct_side 101 "$IPS101"
check_ct_side 102 "192.0.2.20"
check_host_side 101 "$IPS101"
check_host_side 102 "192.0.2.20"
expect_rc 0 vz exec 101 cat /proc/net/dev
ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' <<<"$LAST_OUT" | sort | tr '\n' ' ')
assert_eq "$ifs" "lo venet0 " "CT 101 has lo and venet0 only"

# guest files
expect_rc 0 vz exec 101 cat /etc/resolv.conf
resolv=$LAST_OUT
assert_eq "$(awk '$1 == "nameserver" { printf "%s ", $2 }' <<<"$resolv")" "192.0.2.53 2001:db8::53 " \
        "CT 101's resolv.conf: nameserver 192.0.2.53, nameserver 2001:db8::53, in order"
assert_match "$resolv" '^search example\.test corp\.test *$' "CT 101's resolv.conf: search example.test corp.test"
expect_rc 0 vz exec 101 cat /etc/hosts
assert_match "$LAST_OUT" '^192\.0\.2\.10[[:space:]](.*[[:space:]])?ct101\.test([[:space:]]|$)' \
        "CT 101's /etc/hosts maps its first address 192.0.2.10 to ct101.test"
expect_rc 0 vz exec 102 cat /etc/hosts
assert_match "$LAST_OUT" '^192\.0\.2\.20[[:space:]](.*[[:space:]])?ct102\.test([[:space:]]|$)' \
        "CT 102's /etc/hosts maps 192.0.2.20 to ct102.test"
expect_rc 0 vz set 102 --nameserver inherit --searchdomain live.test
expect_rc 0 vz exec 102 cat /etc/resolv.conf
assert_eq "$(awk '$1 == "nameserver" { printf "%s ", $2 }' <<<"$LAST_OUT")" "192.0.2.153 2001:db8::153 " \
        "live --nameserver inherit: CT 102 gets the host's nameservers"
assert_match "$LAST_OUT" '^search live\.test *$' "live --searchdomain live.test on CT 102"

# list
expect_rc 0 vz list -H -o ctid,ip,hostname 101
assert_match "$LAST_OUT" '^ *101 +192\.0\.2\.10 +ct101\.test$' "list -o ctid,ip,hostname: the first address where ip is not the last column (vzlist)"
expect_rc 0 vz list -H -o ctid,hostname,ip 101
assert_match "$LAST_OUT" '^ *101 +ct101\.test +192\.0\.2\.10 2001:db8::10$' "list -o ctid,hostname,ip: every address in the last column"
expect_rc 0 vz list -a -j
got=$(python3 -c '
import json, sys
d = {str(o.get("ctid")): o for o in json.load(sys.stdin)}
print(json.dumps([d["101"].get("ip"), d["102"].get("ip"), d["105"].get("ip")]))' <<<"$LAST_OUT" 2>&1)
assert_eq "$got" '[["192.0.2.10", "2001:db8::10"], ["192.0.2.20"], ["192.0.2.50", "2001:db8::50"]]' \
        "list -a -j: \"ip\" is an array of strings"

# ---------------------------------------------------------------------------------------
# reachability: host, peer (forwarded, proxy ARP) and CT to CT

ct_serve 101
ct_serve 102
ok101=0
if ip link show venet101 >/dev/null 2>&1; then
        can "host -> CT 101 192.0.2.10:8080" hello-101 host_get 192.0.2.10 && ok101=1
        wait_until 6 host_get 2001:db8::10
        can "host -> CT 101 [2001:db8::10]:8080" hello-101 host_get 2001:db8::10
        can "peer -> CT 101 192.0.2.10:8080 (forwarded by the host)" hello-101 peer_get 192.0.2.10
        can "peer -> CT 101 [2001:db8::10]:8080 (forwarded by the host)" hello-101 peer_get 2001:db8::10
        can "CT 101 -> peer 203.0.113.2:8080" hello-peer ct_get 101 203.0.113.2
        can "CT 101 -> peer [2001:db8:ff::2]:8080" hello-peer ct_get 101 2001:db8:ff::2
        can "CT 101 -> CT 102 192.0.2.20:8080" hello-102 ct_get 101 192.0.2.20
        can "CT 102 -> CT 101 192.0.2.10:8080" hello-101 ct_get 102 192.0.2.10
        expect_rc 0 timeout 6 ip netns exec peer "$BB" arping -f -c 2 -w 3 -I eth0 192.0.2.10
        arp=$(lc "$(sed -n 's/.*reply from 192\.0\.2\.10 \[\([0-9a-fA-F:]*\)\].*/\1/p' <<<"$LAST_OUT" | head -n 1)")
        assert_eq "$arp" "$(host_mac up0)" "peer: ARP for 192.0.2.10 on the uplink is answered with up0's MAC (proxy ARP)"
else
        fail "no link venet101: reachability of CT 101 not checked"
fi

# ---------------------------------------------------------------------------------------
# anti-spoofing: a source the CT was not given goes nowhere, even with a return path

if [ "$ok101" = 1 ]; then
        expect_rc 0 vz exec 101 'ip addr add 192.0.2.99/32 dev venet0 && ip -6 addr add 2001:db8::99/128 dev venet0'
        # the way back to the spoofed addresses exists: only the filter can stop the exchange
        ip route add 192.0.2.99/32 dev venet101
        ip -6 route add 2001:db8::99/128 dev venet101
        wait_until 5 eval "! vz exec 101 ip -6 addr show dev venet0 | grep -q tentative"
        run timeout 5 "$BB" ping -c 1 -W 2 192.0.2.99
        echo "# control: the host pings the CT's spoofed 192.0.2.99 directly: exit $LAST_RC"
        expect_rc 0 vz exec2 101 ping -c 1 -W 2 -I 192.0.2.10 203.0.113.2
        expect_rc 1 vz exec2 101 ping -c 2 -W 2 -I 192.0.2.99 203.0.113.2
        expect_rc 0 vz exec2 101 ping6 -c 1 -W 2 -I 2001:db8::10 2001:db8:ff::2
        expect_rc 1 vz exec2 101 ping6 -c 2 -W 2 -I 2001:db8::99 2001:db8:ff::2
        expect_rc 1 vz exec2 101 ping -c 2 -W 2 -I 192.0.2.99 192.0.2.20
        # TCP with the spoofed source as the default route's preferred source
        expect_rc 0 vz exec 101 ip route replace default via 169.254.0.1 dev venet0 src 192.0.2.99
        cannot "CT 101 from spoofed 192.0.2.99 -> peer 203.0.113.2:8080" ct_get 101 203.0.113.2
        cannot "CT 101 from spoofed 192.0.2.99 -> CT 102 192.0.2.20:8080" ct_get 101 192.0.2.20
        expect_rc 0 vz exec 101 ip route replace default via 169.254.0.1 dev venet0
        can "CT 101 from 192.0.2.10 again -> peer" hello-peer ct_get 101 203.0.113.2
        ip route del 192.0.2.99/32 dev venet101
        ip -6 route del 2001:db8::99/128 dev venet101
        expect_rc 0 vz exec 101 'ip addr del 192.0.2.99/32 dev venet0; ip -6 addr del 2001:db8::99/128 dev venet0'
else
        fail "anti-spoofing not checked: CT 101 is not reachable by its own address"
fi

# ---------------------------------------------------------------------------------------
# duplicates (exit 78) and bad values on running CTs change nothing

conf102=$(conf_of 102)
cp "$conf102" "$TEST_TMP/102.conf"
cp "$conf101" "$TEST_TMP/101.conf"
addrs102=$(ct_venet_addrs 102)
addrs101=$(ct_venet_addrs 101)
for dup in 192.0.2.10 2001:db8::10 192.0.2.50 2001:db8::50 203.0.113.1 2001:db8:ff::1; do
        for save in "" --save; do
                # shellcheck disable=SC2086
                expect_rc 78 vz set 102 --ipadd "$dup" $save
        done
done
expect_rc 78 vz set 102 --ipadd 192.0.2.30 --ipadd 192.0.2.10 --save
cmp -s "$conf102" "$TEST_TMP/102.conf" && pass "refused duplicates left 102.conf byte-identical" ||
        fail "a refused duplicate changed 102.conf: $(grep IP_ADDRESS "$conf102")"
assert_eq "$(ct_venet_addrs 102)" "$addrs102" "refused duplicates left running CT 102's addresses alone"
assert_true "no host route to 192.0.2.30 after the refused set" eval "! ip route show table all | grep -q '^192\.0\.2\.30 '"
assert_true "the refused duplicate did not take 192.0.2.10's route from CT 101" \
        eval "ip route show table main | grep -Eq '^192\.0\.2\.10 dev venet101( |\$)'"
for bad in "--ipadd 999.1.1.1" "--ipadd 192.0.2.1/40" "--ipadd 192.0.2.11 --ipadd 999.1.1.1"; do
        # shellcheck disable=SC2086
        expect_rc 21 vz set 101 $bad
done
expect_rc 21 vz set 101 --ipadd ""
cmp -s "$conf101" "$TEST_TMP/101.conf" && pass "refused values left 101.conf byte-identical" ||
        fail "a refused value changed 101.conf"
assert_eq "$(ct_venet_addrs 101)" "$addrs101" "refused values left running CT 101's addresses alone"
new_ct 103 --hostname br103.test
cp "$(conf_of 103)" "$TEST_TMP/103.conf"
expect_rc 78 vz set 103 --ipadd 192.0.2.20 --save
expect_rc 78 vz create 107 --ostemplate busybox --ipadd 192.0.2.10
assert_true "create with a duplicate --ipadd creates no CT" test ! -e "$(conf_of 107)"
cmp -s "$(conf_of 103)" "$TEST_TMP/103.conf" && pass "a refused duplicate left stopped CT 103's conf byte-identical" ||
        fail "a refused duplicate changed 103.conf"

# ---------------------------------------------------------------------------------------
# live --ipadd / --ipdel on running CT 101

expect_rc 0 vz set 101 --ipadd 192.0.2.11
cmp -s "$conf101" "$TEST_TMP/101.conf" && pass "live --ipadd without --save leaves 101.conf byte-identical" ||
        fail "live --ipadd without --save changed 101.conf"
check_ct_side 101 "192.0.2.11"
check_host_side 101 "192.0.2.11"
live11=0
if ip link show venet101 >/dev/null 2>&1; then
        can "host -> live-added 192.0.2.11" hello-101 host_get 192.0.2.11 && live11=1
        can "peer -> live-added 192.0.2.11" hello-101 peer_get 192.0.2.11
fi
expect_rc 0 vz set 101 --ipadd 192.0.2.12/24
run ct_venet_addrs 101
assert_contains "$LAST_OUT" "192.0.2.12/24" "--ipadd 192.0.2.12/24: the CT holds it with its mask"
assert_match "$(ip -4 route show table main)" '^192\.0\.2\.12 dev venet101( |$)' "--ipadd 192.0.2.12/24: host route 192.0.2.12/32 dev venet101"
expect_rc 0 vz set 101 --ipdel 192.0.2.12
run ct_venet_addrs 101
assert_true "--ipdel 192.0.2.12 takes it from the CT" eval "! grep -q '^192\.0\.2\.12/' <<<'$LAST_OUT'"
check_addr_gone 101 192.0.2.12 "--ipdel 192.0.2.12"

expect_rc 0 vz set 101 --ipdel 192.0.2.11
if [ "$live11" = 1 ]; then
        cannot "--ipdel 192.0.2.11: the host can no longer connect to it" host_get 192.0.2.11
else
        fail "--ipdel 192.0.2.11: unreachability not checked (it was never reachable)"
fi
check_addr_gone 101 192.0.2.11 "--ipdel 192.0.2.11"
run ct_venet_addrs 101
assert_eq "$LAST_OUT" "$(printf '192.0.2.10/32\n2001:db8::10/128')" "after --ipdel 192.0.2.11 CT 101 holds 192.0.2.10 and 2001:db8::10"
[ "$ok101" = 1 ] && can "192.0.2.10 still reachable after deleting 192.0.2.11" hello-101 host_get 192.0.2.10

expect_rc 0 vz set 101 --ipdel 2001:db8::10 --save
assert_eq "$(conf_val 101 IP_ADDRESS)" "192.0.2.10" "--ipdel 2001:db8::10 --save: IP_ADDRESS=\"192.0.2.10\""
check_addr_gone 101 2001:db8::10 "--ipdel 2001:db8::10"
[ "$ok101" = 1 ] && cannot "--ipdel 2001:db8::10: the host can no longer connect to it" host_get 2001:db8::10
expect_rc 0 vz set 101 --ipadd 2001:db8::10 --save
assert_eq "$(conf_val 101 IP_ADDRESS)" "192.0.2.10 2001:db8::10" "--ipadd 2001:db8::10 --save puts it back"
cp "$conf101" "$TEST_TMP/101.conf"
expect_rc 0 vz set 101 --ipdel all
cmp -s "$conf101" "$TEST_TMP/101.conf" && pass "live --ipdel all without --save leaves 101.conf byte-identical" ||
        fail "live --ipdel all without --save changed 101.conf"
assert_eq "$(ct_venet_addrs 101)" "" "live --ipdel all: venet0 holds no address"
for a in $IPS101; do
        check_addr_gone 101 "$a" "live --ipdel all"
done
[ "$ok101" = 1 ] && cannot "--ipdel all: the host can no longer connect to 192.0.2.10" host_get 192.0.2.10

# ---------------------------------------------------------------------------------------
# restart restores what was saved; stop leaves nothing

# a live-only address does not survive a restart, and leaves nothing behind on the host
expect_rc 0 vz set 101 --ipadd 192.0.2.13
expect_rc 0 vz restart 101
check_addr_gone 101 192.0.2.13 "restart forgets the live-only 192.0.2.13"
check_ct_side 101 "$IPS101"
check_host_side 101 "$IPS101"
run ct_venet_addrs 101
assert_eq "$LAST_OUT" "$(printf '192.0.2.10/32\n2001:db8::10/128')" "after restart CT 101 holds exactly its saved addresses"
expect_rc 0 vz exec 101 cat /etc/resolv.conf
assert_eq "$(awk '$1 == "nameserver" { printf "%s ", $2 }' <<<"$LAST_OUT")" "192.0.2.53 2001:db8::53 " \
        "after restart: the saved nameservers"
assert_match "$LAST_OUT" '^search example\.test corp\.test *$' "after restart: the saved search domains"
ct_serve 101
if ip link show venet101 >/dev/null 2>&1; then
        can "after restart: host -> 192.0.2.10" hello-101 host_get 192.0.2.10
        wait_until 6 peer_get 2001:db8::10
        can "after restart: peer -> [2001:db8::10]" hello-101 peer_get 2001:db8::10
        can "after restart: CT 101 -> CT 102" hello-102 ct_get 101 192.0.2.20
else
        fail "after restart: no link venet101, reachability not checked"
fi

expect_rc 0 vz set 101 --ipadd 192.0.2.14
assert_match "$(ip -4 neigh show proxy)" '^192\.0\.2\.14 dev up0( |$)' "live-only 192.0.2.14 has its proxy entry"
expect_rc 0 vz stop 101
check_stopped_clean 101 "$IPS101 192.0.2.11 192.0.2.12 192.0.2.13 192.0.2.14"
assert_true "stop 101 leaves CT 102's host route" eval "ip route show table main | grep -Eq '^192\.0\.2\.20 dev venet102( |\$)'"
assert_true "stop 101 leaves CT 102's proxy entry" eval "ip neigh show proxy | grep -Eq '^192\.0\.2\.20 dev up0( |\$)'"
if [ "$ok101" = 1 ]; then
        cannot "stopped CT 101: peer -> 192.0.2.10 fails" peer_get 192.0.2.10
        can "CT 102 still reachable from the peer" hello-102 peer_get 192.0.2.20
fi
expect_rc 0 vz set 101 --ipdel all --save
assert_eq "$(conf_val 101 IP_ADDRESS)" "" "--ipdel all --save on a stopped CT empties IP_ADDRESS"
expect_rc 0 vz stop 102
check_stopped_clean 102 "192.0.2.20"

# ---------------------------------------------------------------------------------------
# bridged CTs 103 and 104 on br0

expect_rc 0 vz set 103 --netif_add eth0,,,,br0 --save
netif=$(conf_val 103 NETIF)
assert_eq "$(netif_field "$netif" eth0 ifname)" eth0 "NETIF of 103 has ifname=eth0 ($netif)"
assert_eq "$(netif_field "$netif" eth0 bridge)" br0 "NETIF of 103: bridge=br0"
assert_eq "$(netif_field "$netif" eth0 host_ifname)" veth103.0 "NETIF of 103: host_ifname=veth103.0 (default)"
mac103=$(lc "$(netif_field "$netif" eth0 mac)")
hmac103=$(lc "$(netif_field "$netif" eth0 host_mac)")
assert_match "$mac103" "$MAC_RE" "NETIF of 103: a generated mac ($mac103)"
assert_match "$hmac103" "$MAC_RE" "NETIF of 103: a generated host_mac ($hmac103)"
[ "$mac103" != "$hmac103" ] && pass "the CT and host sides get different MACs" || fail "mac = host_mac = $mac103"
# 104's NETIF written by hand without MACs: generated at start, the same at every start
new_ct 104 --hostname br104.test
echo 'NETIF="ifname=eth0,bridge=br0"' >>"$(conf_of 104)"
expect_rc 0 vz start 103
expect_rc 0 vz start 104
for id in 103 104; do
        v=veth$id.0
        if ip link show "$v" >/dev/null 2>&1; then
                pass "host: $v exists"
                assert_match "$(ip -o link show "$v")" "master br0( |\$)" "host: $v is a port of br0"
                assert_match "$(ip -o link show "$v")" '[<,]UP[,>]' "host: $v is up"
        else
                fail "host: no $v (CT $id's eth0)"
        fi
        expect_rc 0 vz exec "$id" ip link show eth0
done
assert_eq "$(ct_mac 103 eth0)" "${mac103:-(none saved)}" "CT 103's eth0 has the saved mac"
assert_eq "$(host_mac veth103.0)" "${hmac103:-(none saved)}" "veth103.0 has the saved host_mac"
mac104=$(ct_mac 104 eth0)
assert_match "$mac104" "$MAC_RE" "CT 104's eth0 has a MAC ($mac104)"
[ "$mac104" != "$mac103" ] && pass "CTs 103 and 104 get different MACs" || fail "CTs 103 and 104 both have MAC '$mac104'"
# the guest configures its own interface: br_addr ID ADDR/LEN
br_addr() {
        expect_rc 0 vz exec "$1" "ip addr add $2 dev eth0 && ip link set eth0 up"
}
br_addr 103 198.51.100.11/24
br_addr 104 198.51.100.12/24
ct_serve 104
if wait_until 6 vz exec 103 ping -c 1 -W 1 198.51.100.12; then
        pass "CT 103 pings CT 104 over br0"
else
        fail "CT 103 cannot ping CT 104 (198.51.100.12) over br0"
fi
can "CT 103 -> CT 104 198.51.100.12:8080 over br0" hello-104 ct_get 103 198.51.100.12
can "CT 104 -> CT 103 ping" "" vz exec 104 "ping -c 1 -W 2 198.51.100.11 >/dev/null"

# MACs are stable across restarts
expect_rc 0 vz restart 104
assert_eq "$(ct_mac 104 eth0)" "${mac104:-(none before)}" "CT 104's generated MAC is the same after restart"
expect_rc 0 vz restart 103
assert_eq "$(ct_mac 103 eth0)" "${mac103:-(none saved)}" "CT 103's MAC is the same after restart"
assert_eq "$(host_mac veth103.0)" "${hmac103:-(none saved)}" "veth103.0's MAC is the same after restart"
br_addr 103 198.51.100.11/24
br_addr 104 198.51.100.12/24
if wait_until 6 vz exec 104 ping -c 1 -W 1 198.51.100.11; then
        pass "after the restarts CT 104 pings CT 103 over br0"
else
        fail "after the restarts CT 104 cannot ping CT 103 (198.51.100.11) over br0"
fi

# live on running CT 104
cp "$(conf_of 104)" "$TEST_TMP/104.conf"
expect_rc 0 vz set 104 --netif_add eth1,,,,br0
expect_rc 0 vz exec 104 ip link show eth1
if ip link show veth104.1 >/dev/null 2>&1; then
        assert_match "$(ip -o link show veth104.1)" "master br0( |\$)" "live --netif_add eth1: veth104.1 is a port of br0"
else
        fail "live --netif_add eth1: no veth104.1 on the host"
fi
cmp -s "$(conf_of 104)" "$TEST_TMP/104.conf" && pass "live --netif_add without --save leaves 104.conf byte-identical" ||
        fail "live --netif_add without --save changed 104.conf"
expect_rc 0 vz set 104 --netif_add eth2,02:00:00:00:01:04,vethx104,02:00:00:00:02:04,br0
assert_eq "$(ct_mac 104 eth2)" 02:00:00:00:01:04 "--netif_add with a given mac: CT 104's eth2"
assert_eq "$(host_mac vethx104)" 02:00:00:00:02:04 "--netif_add with given host_ifname and host_mac: vethx104"
assert_match "$(ip -o link show vethx104 2>&1)" "master br0( |\$)" "vethx104 is a port of br0"
expect_rc 0 vz set 104 --netif_del eth1
assert_true "--netif_del eth1 removes eth1 from CT 104" eval "! vz exec2 104 ip link show eth1"
assert_true "--netif_del eth1 removes veth104.1" eval "! ip link show veth104.1"
expect_rc 0 vz exec 104 ip link show eth2
expect_rc 0 vz set 104 --netif_del eth2
assert_true "--netif_del eth2 removes vethx104" eval "! ip link show vethx104"
expect_rc 0 vz exec 104 ip link show eth0
can "CT 104's eth0 still works after the live changes" "" vz exec 104 "ping -c 1 -W 2 198.51.100.11 >/dev/null"

# stop removes the host side
expect_rc 0 vz stop 103
assert_true "stop 103 removes veth103.0" eval "! ip link show veth103.0"
expect_rc 0 vz set 103 --netif_del all --save
assert_eq "$(conf_val 103 NETIF)" "" "--netif_del all --save on a stopped CT empties NETIF"
expect_rc 0 vz stop 104
assert_true "stop 104 removes veth104.0" eval "! ip link show veth104.0"
assert_eq "$(ip -o link show master br0 2>/dev/null)" "" "no port left on br0"

# two creates racing for one address: a host-wide lock lets exactly one have it
for round in 1 2 3; do
        ( exec "$VPSCTL" create 15$round --ostemplate busybox --ipadd 198.51.100.200 ) >/dev/null 2>&1 &
        a=$!
        ( exec "$VPSCTL" create 16$round --ostemplate busybox --ipadd 198.51.100.200 ) >/dev/null 2>&1 &
        b=$!
        wait $a
        ra=$?
        wait $b
        rb=$?
        rcs=$(printf '%s\n' "$ra" "$rb" | sort -n | tr '\n' ' ')
        assert_eq "$rcs" "0 78 " "round $round: concurrent creates with one address exit 0 and 78"
        for id in 15$round 16$round; do vz destroy "$id" >/dev/null 2>&1; done
done

kill "$peer_server" 2>/dev/null
wait "$peer_server" 2>/dev/null
done_testing
