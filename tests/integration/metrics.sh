#!/bin/bash
# vpsctl metrics: the Prometheus text of a running CT with limits and venet traffic, a stopped one and a
# frozen one; values against the cgroup files; `promtool check metrics`; --textfile complete and atomic;
# --listen's HTTP answers (200, 404, 405, 431); a real Prometheus server scraping it on loopback.
. "$(dirname "$0")/lib.sh"

BB=/bin/busybox
command -v promtool >/dev/null || skip "promtool is not installed (Debian package prometheus)"
command -v prometheus >/dev/null || skip "prometheus is not installed (Debian package prometheus)"
command -v python3 >/dev/null || skip "python3 is not installed"
[ -x "$BB" ] || skip "busybox is not installed"

# the value of one series: metric NAME LABEL-MATCH (a fixed string inside the braces)
metric() {
        grep -F "$1{" "$TEST_TMP/m.prom" | grep -F "$2" | awk '{ print $2 }' | head -n 1
}
# the cgroup v1 file of a CT (first hierarchy that has it)
cg_file() {
        local d
        for d in $(ct_cgroups "$1"); do
                [ -e "$d/$2" ] && { cat "$d/$2"; return; }
        done
}

new_ct 101 --ipadd 192.0.2.10 --name web1 --hostname web1.example.test
expect_rc 0 vz set 101 --ram 256M --numproc 100 --save
new_ct 102 --name stopped1
expect_rc 0 vz set 102 --ram 128M --numproc 50 --save
new_ct 103
expect_rc 0 vz start 101
expect_rc 0 vz start 103
expect_rc 0 vz freeze 103
# bounded traffic to the CT's venet address, inside this test's network namespace
run "$BB" ping -c 5 -i 0.2 -W 1 192.0.2.10
assert_eq "$LAST_RC" 0 "5 pings to CT 101 (192.0.2.10) answered"

expect_rc 0 vz metrics
printf '%s\n' "$LAST_OUT" >"$TEST_TMP/m.prom"
run promtool check metrics <"$TEST_TMP/m.prom"
assert_eq "$LAST_RC" 0 "promtool check metrics accepts the output ($LAST_ALL)"
l101='ctid="101",name="web1",hostname="web1.example.test"'
assert_eq "$(metric vpsctl_ct_state "$l101,state=\"running\"")" 1 "CT 101 is running"
assert_eq "$(metric vpsctl_ct_state "$l101,state=\"stopped\"")" 0 "CT 101 is not stopped"
assert_eq "$(metric vpsctl_ct_state 'ctid="102",name="stopped1",hostname="",state="stopped"')" 1 "CT 102 is stopped"
assert_eq "$(metric vpsctl_ct_state 'ctid="103",name="",hostname="",state="frozen"')" 1 "CT 103 is frozen"
assert_eq "$(metric vpsctl_ct_state 'ctid="103",name="",hostname="",state="running"')" 0 "CT 103 is not counted running"
assert_eq "$(metric vpsctl_cts 'state="running"')" 2 "2 CTs run (a frozen one runs)"

# limits: the cgroup's for a running CT, the config's for a stopped one
assert_eq "$(metric vpsctl_ct_memory_limit_bytes "$l101")" "$(cg_file 101 memory.limit_in_bytes)" \
        "CT 101's memory limit is memory.limit_in_bytes"
assert_eq "$(metric vpsctl_ct_memory_limit_bytes "$l101")" $((256 << 20)) "CT 101's memory limit is 256M"
assert_eq "$(metric vpsctl_ct_pids_limit "$l101")" 100 "CT 101's pids limit is 100 (pids.max $(cg_file 101 pids.max))"
assert_eq "$(metric vpsctl_ct_memory_limit_bytes 'ctid="102"')" $((128 << 20)) "stopped CT 102: its configured memory limit"
assert_eq "$(metric vpsctl_ct_pids_limit 'ctid="102"')" 50 "stopped CT 102: its configured pids limit"
assert_eq "$(metric vpsctl_ct_memory_usage_bytes 'ctid="102"')" "" "stopped CT 102 has no usage series"
assert_eq "$(metric vpsctl_ct_cpu_usage_seconds_total 'ctid="102"')" "" "stopped CT 102 has no CPU series"

# usage against the cgroup files (read after the metrics: counters only grow, idle CTs barely)
pids=$(metric vpsctl_ct_pids "$l101")
assert_eq "$pids" "$(cg_file 101 pids.current)" "CT 101's pids is pids.current"
mem=$(metric vpsctl_ct_memory_usage_bytes "$l101")
memcg=$(cg_file 101 memory.usage_in_bytes)
[ -n "$mem" ] && [ "$mem" -gt 0 ] && [ "$mem" -le $((memcg + 1048576)) ] && pass "CT 101's memory usage $mem is near memory.usage_in_bytes $memcg" ||
        fail "CT 101's memory usage '$mem' vs memory.usage_in_bytes $memcg"
cpu=$(metric vpsctl_ct_cpu_usage_seconds_total "$l101")
cpucg=$(cg_file 101 cpuacct.usage)
python3 -c "import sys; c=float(sys.argv[1]); g=int(sys.argv[2])/1e9; sys.exit(not (0 < c <= g + 1e-6))" "$cpu" "$cpucg" &&
        pass "CT 101's CPU seconds $cpu > 0, at most cpuacct.usage ($cpucg ns)" || fail "CT 101's CPU seconds '$cpu' vs cpuacct.usage $cpucg ns"
assert_match "$(metric vpsctl_ct_cpu_seconds_total "$l101,mode=\"user\"")" '^[0-9]+\.[0-9]{6}$' "CT 101's user CPU seconds"
assert_match "$(metric vpsctl_ct_cpu_seconds_total "$l101,mode=\"system\"")" '^[0-9]+\.[0-9]{6}$' "CT 101's system CPU seconds"
assert_eq "$(metric vpsctl_ct_oom_kills_total "$l101")" 0 "CT 101: no OOM kill"

# network: the pings came in on the CT's venet0 (ICMP echo, 84 bytes of IP each)
rxp=$(metric vpsctl_ct_network_receive_packets_total "$l101,interface=\"venet0\"")
txp=$(metric vpsctl_ct_network_transmit_packets_total "$l101,interface=\"venet0\"")
rxb=$(metric vpsctl_ct_network_receive_bytes_total "$l101,interface=\"venet0\"")
[ "${rxp:-0}" -ge 5 ] && [ "${txp:-0}" -ge 5 ] && [ "${rxb:-0}" -ge $((5 * 84)) ] &&
        pass "CT 101's venet0 counted the pings: rx $rxp packets ($rxb bytes), tx $txp packets" ||
        fail "CT 101's venet0 counters: rx '$rxp' packets ('$rxb' bytes), tx '$txp'"
assert_eq "$(metric vpsctl_ct_network_receive_packets_total 'interface="lo"')" "" "the CT's loopback is left out"
run "$BB" ping -c 3 -i 0.2 -W 1 192.0.2.10
expect_rc 0 vz metrics 101
printf '%s\n' "$LAST_OUT" >"$TEST_TMP/m.prom"
rxp2=$(metric vpsctl_ct_network_receive_packets_total "$l101,interface=\"venet0\"")
[ "${rxp2:-0}" -ge $((rxp + 3)) ] && pass "3 more pings: rx packets $rxp -> $rxp2" || fail "3 more pings: rx packets $rxp -> '$rxp2'"
assert_eq "$(grep -c 'ctid="102"' "$TEST_TMP/m.prom")" 0 "metrics 101 reports only CT 101"
expect_rc 0 vz metrics web1
assert_contains "$LAST_OUT" "$l101" "a CT named by its NAME"
expect_rc 14 vz metrics 999
expect_rc 20 vz metrics --bogus

# every family has HELP and TYPE, counters end in _total
helps=$(grep -c '^# HELP ' "$TEST_TMP/m.prom")
types=$(grep -c '^# TYPE ' "$TEST_TMP/m.prom")
assert_eq "$helps" "$types" "as many # HELP as # TYPE lines ($helps)"
bad=$(awk '/^# TYPE/ && $4 == "counter" && $3 !~ /_total$/ { print $3 }' "$TEST_TMP/m.prom")
assert_eq "$bad" "" "every counter's name ends in _total"

# --textfile: DIR/vpsctl.prom, complete, replaced atomically (a reader never sees half a file)
mkdir -p "$TEST_TMP/tf"
expect_rc 0 vz metrics --textfile "$TEST_TMP/tf"
assert_eq "$(ls "$TEST_TMP/tf")" vpsctl.prom "the textfile directory holds vpsctl.prom only"
run promtool check metrics <"$TEST_TMP/tf/vpsctl.prom"
assert_eq "$LAST_RC" 0 "promtool accepts the textfile"
assert_eq "$(tail -n 1 "$TEST_TMP/tf/vpsctl.prom" | cut -d' ' -f1)" vpsctl_scrape_duration_seconds "the textfile is complete"
(for _ in $(seq 40); do "$VPSCTL" metrics --textfile "$TEST_TMP/tf" || exit 1; done) &
writer=$!
torn=0 reads=0
while kill -0 "$writer" 2>/dev/null; do
        last=$(tail -n 1 "$TEST_TMP/tf/vpsctl.prom" | cut -d' ' -f1)
        [ "$last" = vpsctl_scrape_duration_seconds ] || torn=$((torn + 1))
        reads=$((reads + 1))
done
wait "$writer"
assert_eq "$?/$torn" "0/0" "40 rewrites while read $reads times: never a partial file"
assert_eq "$(ls "$TEST_TMP/tf")" vpsctl.prom "no temporary file left beside vpsctl.prom"
expect_rc 3 vz metrics --textfile "$TEST_TMP/nonexistent"
expect_rc 20 vz metrics --textfile "$TEST_TMP/tf" --listen 9701

# --listen: the HTTP answers
port=19701
"$VPSCTL" metrics --listen "127.0.0.1:$port" 2>"$TEST_TMP/listen.err" &
server=$!
http() { # METHOD PATH [BODY-SIZE]: prints "STATUS first-body-line"
        python3 - "$port" "$@" <<'EOF'
import socket, sys
port, method, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
extra = "X-Pad: " + "a" * int(sys.argv[4]) + "\r\n" if len(sys.argv) > 4 else ""
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
data = b""
while True:
    try:
        b = s.recv(65536)
    except ConnectionResetError:
        break
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
ctype = [l for l in lines if l.lower().startswith("content-type:")]
print(lines[0].split(" ")[1], (ctype[0].split(":", 1)[1].strip() if ctype else "-"), len(body))
EOF
}
up() { http GET /metrics | grep -q '^200 '; }
assert_true "the server answers on 127.0.0.1:$port" wait_until 10 up
run http GET /metrics
assert_match "$LAST_OUT" '^200 text/plain; version=0.0.4; charset=utf-8 [1-9][0-9]*$' "GET /metrics: 200, the exposition format's content type"
run http GET "/metrics?x=1"
assert_match "$LAST_OUT" '^200 ' "GET /metrics?x=1: 200"
run http HEAD /metrics
assert_match "$LAST_OUT" '^200 .* 0$' "HEAD /metrics: 200 without a body"
run http GET /
assert_match "$LAST_OUT" '^404 ' "GET /: 404"
run http POST /metrics
assert_match "$LAST_OUT" '^405 ' "POST /metrics: 405"
run http GET /metrics 10000
assert_match "$LAST_OUT" '^431 ' "a request head over 8 KiB: 431"
# a client that connects and says nothing is dropped after the timeout, and the next one is served
python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1', $port)); time.sleep(7)" &
silent=$!
sleep 0.5
t0=$(now_ms)
run http GET /metrics
t1=$(now_ms)
assert_match "$LAST_OUT" '^200 ' "after a silent client, the next scrape is served ($((t1 - t0)) ms)"
[ $((t1 - t0)) -lt 7000 ] && pass "the silent client is dropped after its timeout, not waited for" || fail "a silent client held the server $((t1 - t0)) ms"
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null
expect_rc 20 vz metrics --listen 127.0.0.1:99999
expect_rc 20 vz metrics --listen localhost
expect_rc 21 vz metrics --listen example.test:9701
expect_rc 3 vz metrics --listen "127.0.0.1:$port"
assert_contains "$LAST_ERR" "Cannot listen on 127.0.0.1:$port" "a port in use is refused, saying so"

# a real Prometheus server on loopback scrapes it
pport=19702
cat >"$TEST_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vpsctl
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$TEST_TMP/prometheus.yml" --storage.tsdb.path="$TEST_TMP/tsdb" \
        --web.listen-address="127.0.0.1:$pport" >"$TEST_TMP/prometheus.log" 2>&1 &
prom=$!
query() { # PROMQL: prints the first result's value
        python3 - "$pport" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
r = json.load(urllib.request.urlopen(url, timeout=5))
res = r["data"]["result"]
print(res[0]["value"][1] if res else "")
EOF
}
scraped() { [ "$(query 'up{job="vpsctl"}')" = 1 ]; }
if wait_until 60 scraped; then
        pass "Prometheus scraped vpsctl metrics --listen: up == 1"
else
        fail "Prometheus never scraped 127.0.0.1:$port"
        show prometheus.log "$(tail -n 20 "$TEST_TMP/prometheus.log")"
fi
assert_eq "$(query 'vpsctl_ct_pids_limit{ctid="101"}')" 100 "Prometheus has CT 101's pids limit: 100"
assert_eq "$(query 'vpsctl_ct_state{ctid="103",state="frozen"}')" 1 "Prometheus has CT 103 frozen"
kill "$prom"
wait "$prom" 2>/dev/null
kill -TERM "$server"
wait "$server"
assert_eq "$?" 0 "SIGTERM stops the server, exit 0"

# many CTs are read by a few threads: each CT once, in CTID order, the same figures as read one by one
for id in $(seq 201 216); do "$VPSCTL" create "$id" --ostemplate busybox >/dev/null || fail "create $id"; done
expect_rc 0 vz metrics
ids=$(grep '^vpsctl_ct_state{' <<<"$LAST_OUT" | grep 'state="stopped"' | sed 's/.*ctid="\([0-9]*\)".*/\1/' | tr '\n' ' ')
assert_eq "$ids" "101 102 103 $(seq -s ' ' 201 216) " "19 CTs, each once, in CTID order"
all=$(grep -E '^vpsctl_ct_(state|memory_limit_bytes|pids_limit)\{' <<<"$LAST_OUT")
one=$(for id in 101 102 103 $(seq 201 216); do "$VPSCTL" metrics "$id" | grep -E '^vpsctl_ct_(state|memory_limit_bytes|pids_limit)\{'; done | sort)
assert_eq "$(sort <<<"$all")" "$one" "states and limits read together are those read one CT at a time"

expect_rc 0 vz thaw 103
for id in 101 103; do expect_rc 0 vz stop "$id" --fast; done
done_testing
