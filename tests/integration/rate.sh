#!/bin/bash
# Bandwidth limits (issue 14): --rate (RATE, the CT's outgoing traffic, vzctl's dev:class:Kbits) and
# --rate-in (RATE_IN, its incoming traffic) on a routed CT, inside the test's own network namespace.
# Measured with bounded TCP transfers between the host (this namespace) and the CT: what the receiver
# got over the time it took, both directions, within 10% of the configured rate; a live `set` to another
# rate takes effect at once; bad values exit 21 and change nothing; stop leaves no IFB and no qdisc; an
# IFB left by an interrupted start does not break the next start; list -o rate,rate_in, stat; NETIF veth
# host ends (live-added ones too) get the same qdiscs, one IFB for all the links of a CT.
# Addresses: 192.0.2.0/24 only.
. "$(dirname "$0")/lib.sh"

command -v ip >/dev/null || skip "needs iproute2 (ip)"
command -v tc >/dev/null || skip "needs iproute2 (tc)"
command -v python3 >/dev/null || skip "needs python3"
ip link add vzifbprobe type ifb 2>/dev/null || skip "this kernel has no IFB devices"
ip link del vzifbprobe

CT=191
CTIP=192.0.2.91
HOSTIP=169.254.0.1 # the host's end of every venet link
MB=8               # bytes per transfer, in MiB: ~3.4 s at 20 Mbit/s

# host_recv PORT READY: a one-connection receiver on the host (READY is made once it listens); prints
# "BYTES SECONDS" (first byte to EOF)
host_recv() {
        python3 - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(1)
open(sys.argv[2], "w").close()
s.settimeout(30)
c, _ = s.accept()
c.settimeout(30)
n, t0 = 0, None
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    if t0 is None:
        t0 = time.monotonic()
    n += len(b)
print(n, time.monotonic() - (t0 or time.monotonic()))
EOF
}

# host_send ADDR PORT BYTES: send BYTES to a receiver that answers "done" once it has read them all to EOF;
# prints "BYTES SECONDS", the time from the first byte to that answer (so all of it was delivered, none
# was left in a socket buffer or a queue)
host_send() {
        python3 - "$@" <<'EOF'
import socket, sys, time
addr, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(50):
    try:
        c = socket.create_connection((addr, port), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
c.settimeout(30)
buf = b"\0" * (1 << 16)
t0 = time.monotonic()
sent = 0
while sent < total:
    sent += c.send(buf[: min(len(buf), total - sent)])
c.shutdown(socket.SHUT_WR)
got = b""
while b"done" not in got:
    b = c.recv(4096)
    if not b:
        break
    got += b
print(sent if b"done" in got else 0, time.monotonic() - t0)
EOF
}

# upload: the CT sends MB MiB to the host; prints the rate in kbit/s
measure_up() {
        local port=$1 out
        rm -f "$TEST_TMP/ready"
        host_recv "$port" "$TEST_TMP/ready" >"$TEST_TMP/recv" &
        local rpid=$!
        wait_until 10 test -e "$TEST_TMP/ready"
        vz exec $CT "dd if=/dev/zero bs=65536 count=$((MB * 16)) 2>/dev/null | nc $HOSTIP $port" >/dev/null 2>&1
        wait "$rpid"
        out=$(cat "$TEST_TMP/recv")
        awk '{ if ($2 > 0) printf "%d\n", $1 * 8 / $2 / 1000; else print 0 }' <<<"$out"
}

# download: the host sends MB MiB to a receiver in the CT; prints the rate in kbit/s
measure_down() {
        local port=$1 out
        vz exec $CT "setsid nc -l -p $port -e sh -c 'cat >/dev/null; echo done' </dev/null >/dev/null 2>&1 &" \
                >/dev/null 2>&1
        sleep 0.3
        out=$(host_send $CTIP "$port" $((MB * 1048576)))
        awk '{ if ($2 > 0) printf "%d\n", $1 * 8 / $2 / 1000; else print 0 }' <<<"$out"
}

# within KBITS WANT WHAT: KBITS within 10% of WANT
within() {
        local got=$1 want=$2 what=$3
        if [ "$got" -ge $((want * 9 / 10)) ] && [ "$got" -le $((want * 11 / 10)) ]; then
                pass "$what: $got kbit/s, configured $want kbit/s"
        else
                fail "$what: $got kbit/s, configured $want kbit/s (not within 10%)"
        fi
}

no_traces() {
        local what=$1
        if ip link show vzifb$CT >/dev/null 2>&1; then fail "$what: vzifb$CT is still there"; else
                pass "$what: no vzifb$CT"
        fi
        if ip link show venet$CT >/dev/null 2>&1; then fail "$what: venet$CT is still there"; else
                pass "$what: no venet$CT (its qdiscs went with it)"
        fi
        local q
        q=$(tc qdisc show | grep -Ev '^qdisc noqueue ' || true)
        assert_eq "$q" "" "$what: no qdisc left on any link of the host"
}

new_ct $CT --ipadd $CTIP
# ---- bad values: exit 21, nothing changed
before=$(cat "$(conf_of $CT)")
for bad in abc 10X -5 eth0:1 eth0:x:100 "eth0:1:" 2000G "eth/0:1:100"; do
        expect_rc 21 vz set $CT --rate "$bad" --save
done
expect_rc 21 vz set $CT --rate-in 1.5M --save
assert_eq "$(cat "$(conf_of $CT)")" "$before" "bad values saved nothing"
echo 'RATE="fast"' >>"$(conf_of $CT)"
expect_rc 21 vz start $CT
assert_eq "$(ct_status $CT | grep -c running)" 0 "a CT whose RATE is bad does not start"
printf '%s\n' "$before" >"$(conf_of $CT)"

# ---- saved forms: vzctl's dev:class:Kbits, bits/s with suffixes normalized to Kbit/s
expect_rc 0 vz set $CT --rate eth0:1:20000 --rate-in 20M --save
assert_eq "$(conf_get $CT RATE)" "eth0:1:20000" "RATE is saved in vzctl's form"
assert_eq "$(conf_get $CT RATE_IN)" "20000" "RATE_IN 20M is saved as 20000 (Kbit/s)"
expect_rc 0 vz list -H -o ctid,rate,rate_in $CT
assert_match "$LAST_OUT" "^ *$CT +eth0:1:20000 +20000 *$" "list -o rate,rate_in shows them"

# ---- an interrupted start's IFB does not break the next start
ip link add vzifb$CT type ifb
expect_rc 0 vz start $CT
expect_rc 0 tc qdisc show dev venet$CT
assert_match "$LAST_OUT" "qdisc htb 1: root" "venet$CT egress (the CT's download) has an HTB root qdisc"
assert_match "$LAST_OUT" "qdisc ingress ffff:" "venet$CT has an ingress qdisc"
expect_rc 0 tc filter show dev venet$CT ingress
assert_contains "$LAST_OUT" "mirred (Egress Redirect to device vzifb$CT)" "its filter redirects to vzifb$CT"
expect_rc 0 tc qdisc show dev vzifb$CT
assert_match "$LAST_OUT" "qdisc htb 1: root" "vzifb$CT (the CT's upload) has an HTB root qdisc"
expect_rc 0 tc class show dev vzifb$CT
assert_match "$LAST_OUT" "class htb 1:1 root prio 0 rate 20Mbit ceil 20Mbit" "vzifb$CT's class is 20 Mbit/s"

# ---- the rates, both directions
within "$(measure_up 5001)" 20000 "upload at RATE=eth0:1:20000"
within "$(measure_down 5002)" 20000 "download at RATE_IN=20M"

# ---- live: other rates, without --save, take effect at once
expect_rc 0 vz set $CT --rate 10M --rate-in 8000
expect_rc 0 tc class show dev vzifb$CT
assert_match "$LAST_OUT" "rate 10Mbit ceil 10Mbit" "vzifb$CT's class is now 10 Mbit/s"
within "$(measure_up 5003)" 10000 "upload after a live set --rate 10M"
within "$(measure_down 5004)" 8000 "download after a live set --rate-in 8000"
assert_eq "$(conf_get $CT RATE)" "eth0:1:20000" "a live-only change left the config as it was"
# live removal: no IFB, no qdiscs; and back
expect_rc 0 vz set $CT --rate 0 --rate-in unlimited
assert_true "set --rate 0 removed vzifb$CT" sh -c "! ip link show vzifb$CT"
run tc qdisc show dev venet$CT
assert_eq "$(grep -cE 'htb|ingress' <<<"$LAST_OUT")" 0 "set --rate-in 0 removed venet$CT's qdiscs"
expect_rc 0 vz set $CT --rate 20M --rate-in 20M
expect_rc 0 tc class show dev vzifb$CT
assert_match "$LAST_OUT" "rate 20Mbit" "a live set brings the IFB back"

# ---- stop leaves nothing
expect_rc 0 vz stop $CT
no_traces "after stop"

# ---- restart: the saved rates again
expect_rc 0 vz start $CT
expect_rc 0 tc class show dev venet$CT
assert_match "$LAST_OUT" "rate 20Mbit ceil 20Mbit" "restart: venet$CT's class is RATE_IN's 20 Mbit/s"
expect_rc 0 vz stat $CT
assert_contains "$LAST_OUT" "net limits: rate (outgoing) 20000 Kbit/s, rate_in (incoming) 20000 Kbit/s" \
        "stat shows both rates"
expect_rc 0 vz stat -j $CT
assert_eq "$(python3 -c 'import json,sys; n=json.load(sys.stdin)["net"]; print(n["rate_bps"], n["rate_in_bps"])' \
        <<<"$LAST_OUT")" "20000000 20000000" "stat -j: net.rate_bps and net.rate_in_bps"
expect_rc 0 vz stop --fast $CT
no_traces "after stop --fast"

# ---- bridged (NETIF) links: the host end of each veth pair, live-added ones too
new_ct 192
expect_rc 0 vz set 192 --netif_add eth0 --rate 5M --rate-in 6M --save
expect_rc 0 vz start 192
for v in veth192.0; do
        expect_rc 0 tc class show dev $v
        assert_match "$LAST_OUT" "rate 6Mbit ceil 6Mbit" "$v's egress (CT 192's download) is 6 Mbit/s"
        expect_rc 0 tc filter show dev $v ingress
        assert_contains "$LAST_OUT" "Egress Redirect to device vzifb192" "$v's ingress goes to vzifb192"
done
expect_rc 0 vz set 192 --netif_add eth1
expect_rc 0 tc class show dev veth192.1
assert_match "$LAST_OUT" "rate 6Mbit ceil 6Mbit" "a live --netif_add eth1: veth192.1 gets the rate too"
expect_rc 0 tc filter show dev veth192.1 ingress
assert_contains "$LAST_OUT" "Egress Redirect to device vzifb192" "and its ingress goes to vzifb192"
expect_rc 0 tc class show dev vzifb192
assert_match "$LAST_OUT" "rate 5Mbit ceil 5Mbit" "vzifb192 is 5 Mbit/s for both links together"
expect_rc 0 vz stop 192
assert_true "after stop: no vzifb192" sh -c "! ip link show vzifb192"
assert_eq "$(tc qdisc show | grep -Ev '^qdisc noqueue ' || true)" "" "after stop: no qdisc left"

done_testing
