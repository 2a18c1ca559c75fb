#!/bin/bash
# Root test of the netns/ library against the real kernel, through netns-driver, inside throwaway network
# namespaces: A plays the host (the driver runs there), B and C play containers. Nothing touches the
# namespace the test was started in. Addresses: documentation ranges only.
#   netns_lib.sh [PATH-TO-netns-driver]   (or NETNS_DRIVER=...)
set -u

DRIVER=${1:-${NETNS_DRIVER:-}}
A=vpsctl-nltest-$$-a
B=vpsctl-nltest-$$-b
C=vpsctl-nltest-$$-c
passed=0
failed=0
sleeper=
out_file=

skip() {
        echo "skip: $*"
        if [ "${VPSCTL_MUST_WORK:-0}" = 1 ]; then
                echo "not ok - VPSCTL_MUST_WORK=1 but: $*"
                echo "0 passed, 1 failed"
                exit 1
        fi
        exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root"
command -v ip >/dev/null || skip "needs iproute2 (ip)"
[ -n "$DRIVER" ] && [ -x "$DRIVER" ] || {
        echo "not ok - netns-driver not found (argument 1 or NETNS_DRIVER)"
        echo "0 passed, 1 failed"
        exit 1
}

cleanup() {
        [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
        [ -n "$out_file" ] && rm -f "$out_file"
        for ns in "$A" "$B" "$C"; do
                ip netns del "$ns" 2>/dev/null
        done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out_file=$(mktemp) || exit 1
ip netns add "$A" 2>/dev/null || skip "cannot create network namespaces"
ip netns add "$B" && ip netns add "$C" || skip "cannot create network namespaces"

ok() {
        echo "ok - $*"
        passed=$((passed + 1))
}
not_ok() {
        echo "not ok - $*"
        failed=$((failed + 1))
}
# check DESCRIPTION COMMAND...: the command succeeds
check() {
        local d=$1
        shift
        if "$@" >"$out_file" 2>&1; then
                ok "$d"
        else
                not_ok "$d"
                sed 's/^/#   /' "$out_file"
        fi
}
# drv ARGS...: the driver, run in A (the "host"); a hang is a failure, not a stuck test
drv() {
        ip netns exec "$A" timeout 10 "$DRIVER" "$@"
}
# expect_err ERRNAME DESCRIPTION ARGS...: the driver fails (exit 1) with ERRNAME
expect_err() {
        local e=$1 d=$2 out rc
        shift 2
        out=$(drv "$@" 2>&1)
        rc=$?
        if [ $rc = 1 ] && grep -q "error: $e " <<<"$out"; then
                ok "$d"
        else
                not_ok "$d (rc=$rc, wanted $e)"
                sed 's/^/#   /' <<<"$out"
        fi
}
# has DESCRIPTION PATTERN COMMAND...: the command's output matches the extended regex
has() {
        local d=$1 pat=$2 out
        shift 2
        out=$("$@" 2>&1)
        if grep -Eq -- "$pat" <<<"$out"; then
                ok "$d"
        else
                not_ok "$d (no /$pat/)"
                sed 's/^/#   /' <<<"$out"
        fi
}
hasnt() {
        local d=$1 pat=$2 out
        shift 2
        out=$("$@" 2>&1)
        if ! grep -Eq -- "$pat" <<<"$out"; then
                ok "$d"
        else
                not_ok "$d (unexpected /$pat/)"
                sed 's/^/#   /' <<<"$out"
        fi
}
eq() {
        local d=$1 want=$2 got=$3
        if [ "$got" = "$want" ]; then
                ok "$d"
        else
                not_ok "$d (got '$got', wanted '$want')"
        fi
}

host_fwd=$(cat /proc/sys/net/ipv4/conf/all/forwarding)
host_links=$(ip -o link show | wc -l)

# --- sockets in other namespaces ---------------------------------------------------------------------------
check "nl_open_in a netns fd" drv -n "$B" open
ip netns exec "$B" sleep 300 &
sleeper=$!
for _ in $(seq 50); do
        [ "$(readlink /proc/$sleeper/ns/net)" = "$(ip netns exec "$B" readlink /proc/self/ns/net)" ] && break
        sleep 0.1
done
check "nl_open_in a pidfd" drv -n "pid:$sleeper" open
expect_err ENOENT "nl_open_in a missing namespace" -n /nonexistent/ns open
expect_err EINVAL "nl_open_in a UTS namespace fd" -n /proc/self/ns/uts open
expect_err EINVAL "sysctl in a UTS namespace fd" -n /proc/self/ns/uts sysctl-read ipv4/ip_forward
check "lo up through a pidfd" drv -n "pid:$sleeper" up lo
has "lo is up in B" "UP" ip -n "$B" -o link show lo

# --- veth pairs --------------------------------------------------------------------------------------------
check "veth with the peer created in B" drv veth vh0 ct0 "$B" 02:00:5e:10:00:01 02:00:5e:10:00:02
has "host end in A with its MAC" "02:00:5e:10:00:01" ip -n "$A" -o link show vh0
has "peer in B with its MAC" "02:00:5e:10:00:02" ip -n "$B" -o link show ct0
hasnt "peer not in A" "ct0" ip -n "$A" -o link show
expect_err EEXIST "veth with a taken name" veth vh0 ct9 "$B"
check "veth with random MACs, peer in C" drv veth vh1 ct1 "$C"
has "peer in C" "ct1" ip -n "$C" -o link show
check "veth with the peer in B through a pidfd" drv veth vh2 ct2 "pid:$sleeper"
has "pidfd peer in B" "ct2" ip -n "$B" -o link show
check "veth with both ends in A" drv veth vr0 vr1 -
has "both ends in A" "vr1" ip -n "$A" -o link show
expect_err EINVAL "veth with an invalid name" veth "a/b" ct3 -
expect_err EINVAL "veth with the peer in a UTS namespace fd" veth vh3 ct3 /proc/self/ns/uts

ifb=$(ip -n "$B" -o link show ct0 | cut -d: -f1)
eq "link index through nl_open_in" "$ifb" "$(drv -n "$B" index ct0)"
expect_err ENODEV "index of a missing link" index nosuchlink

# --- link settings -----------------------------------------------------------------------------------------
check "mtu" drv mtu vr0 1400
has "mtu is 1400" "mtu 1400" ip -n "$A" -o link show vr0
check "mac" drv mac vr0 02:00:5e:10:00:aa
has "mac is set" "02:00:5e:10:00:aa" ip -n "$A" -o link show vr0
check "rename (down)" drv rename vr0 veth101.0
has "renamed" "veth101.0" ip -n "$A" -o link show
expect_err ENODEV "old name is gone" index vr0
check "up" drv up veth101.0
has "is up" "veth101.0.*UP" ip -n "$A" -o link show veth101.0
check "down" drv down veth101.0
hasnt "is down" "[<,]UP[,>]" ip -n "$A" -o link show veth101.0

# --- bridge ------------------------------------------------------------------------------------------------
check "bridge create" drv bridge br0
has "bridge exists" "bridge" ip -n "$A" -d -o link show br0
expect_err EEXIST "bridge create twice" bridge br0
check "attach to bridge" drv master vh1 br0
has "vh1 enslaved" "master br0" ip -n "$A" -o link show vh1
check "detach from bridge" drv master vh1 -
hasnt "vh1 free" "master" ip -n "$A" -o link show vh1

# --- addresses ---------------------------------------------------------------------------------------------
check "up vh0 / ct0" drv up vh0
check "up ct0 through nl_open_in" drv -n "$B" up ct0
check "v4 address on the host end" drv addr-add vh0 192.0.2.1/24
check "v4 address in B" drv -n "$B" addr-add ct0 192.0.2.2/24
check "v6 address on the host end" drv addr-add vh0 2001:db8::1/64
check "v6 address in B" drv -n "$B" addr-add ct0 2001:db8::2/64
expect_err EEXIST "adding an existing address" addr-add vh0 192.0.2.1/24
expect_err EEXIST "adding an existing v6 address" -n "$B" addr-add ct0 2001:db8::2/64
has "v4 with broadcast" "inet 192.0.2.1/24 brd 192.0.2.255 scope global vh0" ip -n "$A" addr show vh0
ifa=$(ip -n "$A" -o link show vh0 | cut -d: -f1)
has "list shows v4" "^$ifa 192\.0\.2\.1/24$" drv addr-list vh0
has "list shows v6" "^$ifa 2001:db8::1/64$" drv addr-list vh0
has "list of all links shows lo" "^1 127\.0\.0\.1/8$" drv -n "$B" addr-list
hasnt "list of one link shows only it" "127\.0\.0\.1" drv -n "$B" addr-list ct0
has "list in B through nl_open_in" "^$ifb 192\.0\.2\.2/24$" drv -n "$B" addr-list ct0
# traffic between A and B only: one UDP datagram to the discard port resolves B's MAC over the veth
resolved() {
        ip netns exec "$A" bash -c 'echo x >/dev/udp/192.0.2.2/9' 2>/dev/null
        for _ in $(seq 30); do
                ip -n "$A" neigh show 192.0.2.2 | grep -q "lladdr 02:00:5e:10:00:02" && return 0
                sleep 0.1
        done
        return 1
}
check "A reaches B over the veth (ARP resolved)" resolved
if command -v ping >/dev/null; then
        check "ping between the namespaces" ip netns exec "$A" ping -c1 -W2 192.0.2.2
fi
check "delete v4 address" drv addr-del vh0 192.0.2.1/24
hasnt "deleted address not listed" "192\.0\.2\.1/" drv addr-list vh0
expect_err EADDRNOTAVAIL "deleting an absent address" addr-del vh0 192.0.2.1/24
check "delete v6 address" drv addr-del vh0 2001:db8::1/64
check "re-add v4 address" drv addr-add vh0 192.0.2.1/24

# a dump bigger than one receive buffer: many messages, several reads, NLMSG_DONE at the end
for i in $(seq 1 600); do printf 'addr add 2001:db8:1::%x/128 dev ct1 nodad\n' "$i"; done | ip -n "$C" -batch -
eq "a 600-address dump is complete" 600 "$(drv -n "$C" addr-list ct1 | grep -c '2001:db8:1::')"

# --- routes ------------------------------------------------------------------------------------------------
check "host route /32 via oif" drv route-add 198.51.100.7/32 dev vh0 scope link
has "host route present" "^198\.51\.100\.7 dev vh0 (proto boot )?scope link" ip -n "$A" route show 198.51.100.7
expect_err EEXIST "host route twice" route-add 198.51.100.7/32 dev vh0 scope link
check "v4 default via a gateway in B" drv -n "$B" route-add default via 192.0.2.1 dev ct0
has "v4 default present" "^default via 192\.0\.2\.1 dev ct0" ip -n "$B" route show default
check "v6 default via a link-local gateway in B" drv -n "$B" route-add default via fe80::1 dev ct0
has "v6 default present" "^default via fe80::1 dev ct0" ip -n "$B" -6 route show default
check "route to a network via a gateway" drv -n "$B" route-add 203.0.113.0/24 via 192.0.2.1
has "network route present" "^203\.0\.113\.0/24 via 192\.0\.2\.1 dev ct0" ip -n "$B" route show 203.0.113.0/24
check "delete host route" drv route-del 198.51.100.7/32 dev vh0
hasnt "host route gone" "198\.51\.100\.7" ip -n "$A" route show
expect_err ESRCH "deleting an absent route" route-del 198.51.100.7/32 dev vh0
check "delete v6 default" drv -n "$B" route-del default via fe80::1 dev ct0
hasnt "v6 default gone" "default" ip -n "$B" -6 route show default
check "delete v4 default" drv -n "$B" route-del default
hasnt "v4 default gone" "default" ip -n "$B" route show default

# --- proxy ARP / NDP ---------------------------------------------------------------------------------------
check "proxy ARP entry" drv proxy-add vh0 203.0.113.5
check "proxy NDP entry" drv proxy-add vh0 2001:db8::5
has "proxy ARP listed" "^203\.0\.113\.5 dev vh0" ip -n "$A" neigh show proxy
has "proxy NDP listed" "^2001:db8::5 dev vh0" ip -n "$A" -6 neigh show proxy
check "proxy entry twice is no error (the kernel has no EEXIST for them)" drv proxy-add vh0 203.0.113.5
check "delete proxy ARP entry" drv proxy-del vh0 203.0.113.5
check "delete proxy NDP entry" drv proxy-del vh0 2001:db8::5
hasnt "proxy entries gone" "203\.0\.113\.5|2001:db8::5" ip -n "$A" neigh show proxy
expect_err ENOENT "deleting an absent proxy entry" proxy-del vh0 203.0.113.5

# --- sysctls -----------------------------------------------------------------------------------------------
check "forwarding in B through an ns fd" drv -n "$B" sysctl-write ipv4/conf/ct0/forwarding 1
eq "forwarding read back" 1 "$(drv -n "$B" sysctl-read ipv4/conf/ct0/forwarding)"
eq "forwarding as B sees it" 1 "$(ip netns exec "$B" cat /proc/sys/net/ipv4/conf/ct0/forwarding)"
eq "A's all/forwarding untouched" 0 "$(ip netns exec "$A" cat /proc/sys/net/ipv4/conf/all/forwarding)"
check "rp_filter on a dotted name in A (own namespace)" drv sysctl-write ipv4/conf/veth101.0/rp_filter 2
eq "rp_filter as A sees it" 2 "$(ip netns exec "$A" cat /proc/sys/net/ipv4/conf/veth101.0/rp_filter)"
check "proxy_arp in B through a pidfd" drv -n "pid:$sleeper" sysctl-write ipv4/conf/ct0/proxy_arp 1
eq "proxy_arp as B sees it" 1 "$(ip netns exec "$B" cat /proc/sys/net/ipv4/conf/ct0/proxy_arp)"
check "v6 forwarding in B" drv -n "$B" sysctl-write ipv6/conf/all/forwarding 1
eq "v6 forwarding read back" 1 "$(drv -n "$B" sysctl-read ipv6/conf/all/forwarding)"
eq "multi-field value read whole" "$(ip netns exec "$B" cat /proc/sys/net/ipv4/ip_local_port_range)" \
        "$(drv -n "$B" sysctl-read ipv4/ip_local_port_range)"
expect_err ENOENT "a sysctl of a link B does not have" -n "$B" sysctl-read ipv4/conf/vh0/forwarding
expect_err EINVAL "a path with .." -n "$B" sysctl-read ipv4/../../kernel/hostname
expect_err EINVAL "an absolute path" -n "$B" sysctl-read /proc/sys/net/ipv4/ip_forward
expect_err EINVAL "an empty component" -n "$B" sysctl-read ipv4//ip_forward
expect_err EINVAL "writing an invalid value" -n "$B" sysctl-write ipv4/conf/ct0/forwarding banana

# --- link delete -------------------------------------------------------------------------------------------
check "delete the host end" drv del vh0
hasnt "host end gone" "vh0" ip -n "$A" -o link show
hasnt "peer in B gone with it" "ct0@" ip -n "$B" -o link show
expect_err ENODEV "deleting an absent link" del vh0
check "delete a bridge" drv del br0

# --- the caller stayed where it was ------------------------------------------------------------------------
eq "host forwarding untouched" "$host_fwd" "$(cat /proc/sys/net/ipv4/conf/all/forwarding)"
eq "host links untouched" "$host_links" "$(ip -o link show | wc -l)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
