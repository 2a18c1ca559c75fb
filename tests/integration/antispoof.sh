#!/bin/bash
# Anti-spoofing towards the host itself (issue 14): a routed CT's packets to the host's OWN addresses hit
# the local routing table before vpsctl's fib rules, so only the source guard in nftables (table inet
# vpsctl, netns/nft.c) keeps a spoofed source out. Inside the test's own network namespace ("the host",
# its addresses on a dummy link): UDP datagrams sent from inside the CT's network namespace, with a
# source bound freely (IP_TRANSPARENT / IPV6_FREEBIND, so the CT need not hold it), to a listener of the host that records
# what arrives. Checked: the CT's real IPv4 and IPv6 addresses reach the host; spoofed ones (even with a
# route back to them, so rp_filter passes them) do not, IPv4 and IPv6, to the uplink's addresses and to
# venet's own 169.254.0.1; the CT's IPv6 link-local source passes; a control with the link taken out of
# the guarded set by hand shows the check can see a spoofed datagram; live --ipadd lets a new address
# through and --ipdel blocks it again; the sets allow4/allow6 hold exactly the CT's addresses for its
# link; stop removes the CT's set elements and touches no other table; a CT
# whose init died on its own has its stale guard removed by the next stop or start; a CT whose guard
# cannot be installed does not start (exit 7) and leaves nothing behind.
# Addresses: 192.0.2.0/24, 203.0.113.0/24, 2001:db8::/32 only.
. "$(dirname "$0")/lib.sh"

command -v ip >/dev/null || skip "needs iproute2 (ip)"
command -v nft >/dev/null || skip "needs nftables (nft, to inspect the ruleset)"
command -v python3 >/dev/null || skip "needs python3"
command -v nsenter >/dev/null || skip "needs nsenter (util-linux)"
nft list tables >/dev/null 2>&1 || skip "this kernel has no nf_tables"

CT=141
IP4=192.0.2.41
IP6=2001:db8::41
PORT=9999
REC=$TEST_TMP/received

# the host's own addresses, on a link of its own (a dummy, or a veth where there is no dummy driver)
if ! ip link add up0 type dummy 2>/dev/null; then
        ip link add up0 type veth peer up0p || skip "cannot create links"
        ip link set up0p up
fi
ip addr add 203.0.113.1/24 dev up0
ip addr add 2001:db8:ff::1/64 dev up0 nodad
ip link set up0 up
ip link set lo up

# a table that is not vpsctl's: it must survive everything below
nft add table inet other-tool
nft add chain inet other-tool input '{ type filter hook input priority 0; policy accept; }'
nft add rule inet other-tool input udp dport 1 counter

# the listener: every datagram to port PORT, as "SOURCE PAYLOAD" lines in REC
python3 - "$PORT" "$REC" <<'EOF' &
import select, socket, sys
port, path = int(sys.argv[1]), sys.argv[2]
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("0.0.0.0", port))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(("::", port))
out = open(path, "a", buffering=1)
out.write("ready\n")
while True:
    for s in select.select([s4, s6], [], [])[0]:
        data, addr = s.recvfrom(512)
        out.write("%s %s\n" % (addr[0], data.decode(errors="replace")))
EOF
listener=$!
wait_until 5 grep -q ready "$REC" || fail "setup: the host's UDP listener did not start"

# ct_send SRC DST TAG: one datagram "TAG" from SRC (IP_TRANSPARENT, IPV6_FREEBIND) to DST:PORT, sent from inside
# the CT's network namespace, three times (a lost datagram is not a blocked one)
ct_send() {
        local init
        init=$(ct_inits "$CT" | head -n 1)
        [ -n "$init" ] || return 1
        nsenter -t "$init" -n python3 - "$1" "$2" "$PORT" "$3" <<'EOF'
import socket, sys, time
src, dst, port, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, 19, 1)  # IP_TRANSPARENT: routed from a source no link holds
else:
    s.setsockopt(socket.IPPROTO_IPV6, 78, 1)  # IPV6_FREEBIND
def sa(a, p):  # a link-local "ADDR%LINK" with its scope as a number
    if "%" not in a:
        return (a, p)
    a, link = a.split("%")
    return (a, p, 0, socket.if_nametoindex(link))
s.bind(sa(src, 0))
for _ in range(3):
    s.sendto(tag.encode(), sa(dst, port))
    time.sleep(0.05)
EOF
}
# arrives WHAT SRC DST TAG [SEEN]: the host receives TAG from SRC (recorded as SEEN: a link-local SRC is
# given with its link, "fe80::41%venet0", and recorded without it)
arrives() {
        if ! ct_send "$2" "$3" "$4"; then
                fail "$1: could not send from inside CT $CT"
                return 1
        fi
        if wait_until 3 grep -qxF "${5:-$2} $4" "$REC"; then
                pass "$1"
                return 0
        fi
        fail "$1: the host did not receive it"
        show received "$(cat "$REC")"
        return 1
}
# blocked WHAT SRC DST TAG: the host does not receive TAG at all (from any source)
blocked() {
        if ! ct_send "$2" "$3" "$4"; then
                fail "$1: could not send from inside CT $CT"
                return 1
        fi
        sleep 1
        if grep -q " $4\$" "$REC"; then
                fail "$1: the host received it"
                show received "$(grep " $4\$" "$REC")"
                return 1
        fi
        pass "$1"
}
# the sources the sets allow4 and allow6 allow on the CT's link, sorted, space separated ("" if none)
guard_addrs() {
        { nft list set inet vpsctl allow4; nft list set inet vpsctl allow6; } 2>/dev/null |
                grep -o "\"venet$CT\" \. [0-9a-f:.]*" | sed 's/.* //' | sort | tr '\n' ' '
}
# the guarded links
guarded_links() { nft list set inet vpsctl links 2>&1; }
no_trace() { # WHAT: nothing of CT's guard left in the ruleset
        if nft list ruleset | grep -q "venet$CT"; then
                fail "$1: the ruleset still mentions venet$CT"
                show ruleset "$(nft list ruleset)"
        else
                pass "$1: nothing in the ruleset mentions venet$CT"
        fi
        assert_true "$1: the table inet other-tool is still there, with its rule" \
                eval "nft list chain inet other-tool input | grep -q 'udp dport 1 counter'"
}
tag=0
next_tag() {
        tag=$((tag + 1))
        TAG=t$tag
}

new_ct "$CT" --ipadd "$IP4" --ipadd "$IP6"
expect_rc 0 vz start "$CT"
ct_is_running "$CT" || fail "CT $CT does not run"

# the guard
assert_eq "$(guard_addrs)" "$(printf '%s\n' "$IP4" "$IP6" | sort | tr '\n' ' ')" \
        "start: the sets allow exactly $IP4 and $IP6 on venet$CT"
assert_contains "$(guarded_links)" "\"venet$CT\"" "start: venet$CT is in the set links"
chain=$(nft list chain inet vpsctl prerouting)
assert_match "$chain" 'hook prerouting priority raw' \
        "the guard hooks prerouting at priority raw (before routing picks local delivery)"
assert_eq "$(printf '%s\n' "$chain" | sed -n 's/^[[:space:]]*\(i.*\)$/\1/p')" "$(printf '%s\n' \
        'iifname != @links accept' 'iifname . ip saddr != @allow4 drop' 'ip6 saddr { ::, fe80::/10 } accept' \
        'iifname . ip6 saddr != @allow6 drop')" \
        "the base chain: unguarded links pass, then the link's sources by family, IPv6's :: and fe80::/10 always"

# the CT's own addresses reach the host
next_tag && arrives "CT $CT from its $IP4 -> host 203.0.113.1" "$IP4" 203.0.113.1 "$TAG"
next_tag && arrives "CT $CT from its $IP4 -> host 169.254.0.1 (venet's end)" "$IP4" 169.254.0.1 "$TAG"
wait_until 5 eval "! nsenter -t $(ct_inits "$CT" | head -n 1) -n ip -6 addr | grep -q tentative"
next_tag && arrives "CT $CT from its $IP6 -> host 2001:db8:ff::1" "$IP6" 2001:db8:ff::1 "$TAG"
# link-local is not in allow6 and still passes (ND and DAD need it)
next_tag && arrives "CT $CT from link-local fe80::41 -> host fe80::1 (venet's end)" fe80::41%venet0 \
        fe80::1%venet0 "$TAG" fe80::41

# spoofed sources do not, even with a route back to them (so IPv4's rp_filter lets them in)
ip route add 192.0.2.99/32 dev "venet$CT"
ip -6 route add 2001:db8::99/128 dev "venet$CT"
next_tag && blocked "CT $CT from spoofed 192.0.2.99 -> host 203.0.113.1: dropped" 192.0.2.99 203.0.113.1 "$TAG"
next_tag && blocked "CT $CT from spoofed 192.0.2.99 -> host 169.254.0.1: dropped" 192.0.2.99 169.254.0.1 "$TAG"
next_tag && blocked "CT $CT from spoofed 203.0.113.7 -> host 203.0.113.1: dropped" 203.0.113.7 203.0.113.1 "$TAG"
next_tag && blocked "CT $CT from spoofed 2001:db8::99 -> host 2001:db8:ff::1: dropped" 2001:db8::99 \
        2001:db8:ff::1 "$TAG"
next_tag && blocked "CT $CT from spoofed 2001:db8:ff::7 -> host 2001:db8:ff::1: dropped" 2001:db8:ff::7 \
        2001:db8:ff::1 "$TAG"

# control: without the guard the same datagrams do arrive, so the checks above can see one
nft delete element inet vpsctl links "{ \"venet$CT\" }"
next_tag && arrives "control, guard taken out by hand: spoofed 192.0.2.99 -> 203.0.113.1 arrives" \
        192.0.2.99 203.0.113.1 "$TAG"
next_tag && arrives "control, guard taken out by hand: spoofed 2001:db8::99 -> 2001:db8:ff::1 arrives" \
        2001:db8::99 2001:db8:ff::1 "$TAG"
ip route del 192.0.2.99/32 dev "venet$CT"
ip -6 route del 2001:db8::99/128 dev "venet$CT"

# a live change puts the guard back as it should be, and lets the new addresses through
expect_rc 0 vz set "$CT" --ipadd 192.0.2.42 --ipadd 2001:db8::142
assert_eq "$(guard_addrs)" "$(printf '%s\n' "$IP4" 192.0.2.42 "$IP6" 2001:db8::142 | sort | tr '\n' ' ')" \
        "live --ipadd: the guard allows the new addresses too"
assert_contains "$(guarded_links)" "\"venet$CT\"" "live --ipadd: venet$CT is guarded again"
next_tag && arrives "live --ipadd 192.0.2.42: from it -> host 203.0.113.1 arrives" 192.0.2.42 203.0.113.1 "$TAG"
next_tag && arrives "live --ipadd 2001:db8::142: from it -> host 2001:db8:ff::1 arrives" 2001:db8::142 \
        2001:db8:ff::1 "$TAG"
expect_rc 0 vz set "$CT" --ipdel 192.0.2.42 --ipdel 2001:db8::142
assert_eq "$(guard_addrs)" "$(printf '%s\n' "$IP4" "$IP6" | sort | tr '\n' ' ')" \
        "live --ipdel: the guard is back to the CT's addresses"
# the removed address keeps a route back (by hand), so only the guard can stop it
ip route add 192.0.2.42/32 dev "venet$CT"
next_tag && blocked "live --ipdel 192.0.2.42: from it -> host 203.0.113.1 dropped again" 192.0.2.42 \
        203.0.113.1 "$TAG"
ip route del 192.0.2.42/32 dev "venet$CT"
next_tag && blocked "live --ipdel 2001:db8::142: from it -> host 2001:db8:ff::1 dropped again" 2001:db8::142 \
        2001:db8:ff::1 "$TAG"
next_tag && arrives "after the live changes: the CT's $IP4 still reaches the host" "$IP4" 203.0.113.1 "$TAG"

# a source of venet$CT that an interrupted change left behind goes with the next change, and other links'
# elements stay: 1000 of them (fake links fake1000.., 198.51.100.0/24), so the sets are read back from a
# dump of several netlink messages
fakes() { # VERB: VERB element ... of the 1000 fake links, as one nft script
        printf '%s element inet vpsctl links { ' "$1"
        for i in $(seq 1000 1999); do printf '"fake%s"%s' "$i" "$([ "$i" = 1999 ] || echo ', ')"; done
        printf ' }\n%s element inet vpsctl allow4 { ' "$1"
        for i in $(seq 1000 1999); do
                printf '"fake%s" . 198.51.100.%s%s' "$i" $((i % 250 + 1)) "$([ "$i" = 1999 ] || echo ', ')"
        done
        printf ' }\n'
}
fakes add | nft -f - || fail "setup: 1000 fake links' elements"
nft add element inet vpsctl allow4 "{ \"venet$CT\" . 192.0.2.77 }"
nft add element inet vpsctl allow6 "{ \"venet$CT\" . 2001:db8::77 }"
expect_rc 0 vz set "$CT" --ipadd 192.0.2.43
assert_eq "$(guard_addrs)" "$(printf '%s\n' "$IP4" 192.0.2.43 "$IP6" | sort | tr '\n' ' ')" \
        "live --ipadd next to 1000 other links: stale 192.0.2.77 and 2001:db8::77 gone, the new address in"
assert_eq "$(nft list set inet vpsctl allow4 | grep -c '"fake1[0-9][0-9][0-9]" \. 198\.51\.100\.')" 1000 \
        "live --ipadd: the other links' 1000 elements are untouched"
expect_rc 0 vz set "$CT" --ipdel 192.0.2.43
fakes delete | nft -f - || fail "cleanup: 1000 fake links' elements"

# an IPv4-only CT: IPv6 from it is dropped whole, but for link-local
expect_rc 0 vz set "$CT" --ipdel "$IP6"
assert_eq "$(guard_addrs)" "$IP4 " "--ipdel of the last IPv6 address: the sets hold only $IP4 on venet$CT"
next_tag && blocked "IPv4-only CT: from its former $IP6 -> host 2001:db8:ff::1 dropped" "$IP6" 2001:db8:ff::1 "$TAG"
next_tag && arrives "IPv4-only CT: from link-local fe80::41 -> host fe80::1 still passes" fe80::41%venet0 \
        fe80::1%venet0 "$TAG" fe80::41
expect_rc 0 vz set "$CT" --ipadd "$IP6"

# stop removes the CT's guard, nothing else
expect_rc 0 vz stop "$CT"
no_trace "stop"

# an init that dies on its own leaves the guard; the next stop, and the next start, clean it up
expect_rc 0 vz start "$CT"
assert_contains "$(guarded_links)" "\"venet$CT\"" "restart: venet$CT is guarded"
for p in $(ct_inits "$CT"); do kill -9 "$p"; done
wait_until 10 eval "! ct_is_running $CT"
assert_contains "$(guarded_links)" "\"venet$CT\"" "init killed: its guard is still there (no daemon noticed)"
expect_rc 0 vz stop "$CT"
no_trace "stop of a CT whose init died"
expect_rc 0 vz start "$CT"
for p in $(ct_inits "$CT"); do kill -9 "$p"; done
wait_until 10 eval "! ct_is_running $CT"
expect_rc 0 vz start "$CT"
assert_eq "$(guard_addrs)" "$(printf '%s\n' "$IP4" "$IP6" | sort | tr '\n' ' ')" \
        "start after an init died: one fresh guard"
next_tag && arrives "start after an init died: the CT's $IP4 reaches the host" "$IP4" 203.0.113.1 "$TAG"
expect_rc 0 vz stop "$CT"
no_trace "final stop"

# a guard that cannot be installed: the CT does not start (here a table inet vpsctl that vpsctl did not
# make, whose set links has another type, so the transaction fails as it would without nf_tables), and
# nothing of its network is left; the foreign table is not changed
nft delete table inet vpsctl
nft add table inet vpsctl
nft add set inet vpsctl links '{ type ipv4_addr; }'
foreign=$(nft list table inet vpsctl)
expect_rc 7 vz start "$CT"
echo "# $LAST_ERR"
assert_contains "$LAST_ERR" "CT $CT: cannot install its anti-spoofing filter on venet$CT (nftables: " \
        "start without a guard: the error names the CT, the link and nftables' reason"
assert_true "start without a guard: CT $CT is not running" eval "! ct_is_running $CT"
assert_true "start without a guard: no link venet$CT" eval "! ip link show venet$CT"
assert_true "start without a guard: no fib rule of venet$CT" \
        eval "! { ip -4 rule show; ip -6 rule show; } | grep -q 'venet$CT\\b'"
assert_eq "$(nft list table inet vpsctl)" "$foreign" "start without a guard: the foreign table inet vpsctl is unchanged"
nft delete table inet vpsctl
expect_rc 0 vz start "$CT"
next_tag && arrives "with nftables working again the CT starts guarded: its $IP4 reaches the host" "$IP4" \
        203.0.113.1 "$TAG"
next_tag && blocked "with nftables working again: spoofed 2001:db8::99 -> 2001:db8:ff::1 dropped" 2001:db8::99 \
        2001:db8:ff::1 "$TAG"
expect_rc 0 vz stop "$CT"
no_trace "stop after the failed start"

kill "$listener" 2>/dev/null
done_testing
