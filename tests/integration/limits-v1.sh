#!/bin/bash
# Resource limits on a cgroup v1 (hybrid) host, through the real vpsctl: bad values change
# nothing, saved limits are in place before init runs, live `set` without a restart, OOM
# inside the CT only, --cpulimit holds a busy loop, --numproc contains a fork bomb, --iolimit
# and --iopslimit throttle direct IO on a loop device. cgroup v2: tests/vm/limits-v2.sh.
. "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
for c in memory cpu cpuacct cpuset pids blkio; do
        if [ ! -e "$CG/$c/cgroup.procs" ]; then
                # a pure v2 host has no v1 hierarchies: nothing this test could check
                echo "skip - limits-v1: no cgroup v1 '$c' hierarchy at $CG/$c (v2 is tests/vm/limits-v2.sh)"
                exit 77
        fi
done

SKIPPED=0
# A part this machine cannot do. Under VPSCTL_MUST_WORK=1 it is a failure.
skip_part() {
        if [ "${VPSCTL_MUST_WORK:-0}" = 1 ]; then
                fail "cannot check: $* (VPSCTL_MUST_WORK=1 forbids skipping)"
        else
                SKIPPED=$((SKIPPED + 1))
                echo "skip - $*"
        fi
}

NCPU=$(nproc)
# cgf CTL ID FILE: a v1 cgroup file of a CT
cgf() { echo "$CG/$1/$VPSCTL_CGROUP_PARENT/$2/$3"; }
cgread() { cat "$(cgf "$1" "$2" "$3")" 2>/dev/null; }

# expect_cg CTL ID FILE VALUE WHAT
expect_cg() {
        assert_eq "$(cgread "$1" "$2" "$3")" "$4" "$5: $1/$3 = $4"
}

# every limit file of a CT, "name: value" per line
cg_snapshot() {
        local f
        for f in memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes \
                memory/memory.soft_limit_in_bytes cpu/cpu.shares cpu/cpu.cfs_quota_us \
                cpu/cpu.cfs_period_us cpuset/cpuset.cpus pids/pids.max \
                blkio/blkio.throttle.read_bps_device blkio/blkio.throttle.write_bps_device \
                blkio/blkio.throttle.read_iops_device blkio/blkio.throttle.write_iops_device \
                blkio/blkio.bfq.weight; do
                echo "$f: $(cgread "${f%%/*}" "$1" "${f#*/}" | tr '\n' ' ')"
        done
}

# Fields of `vpsctl stat -j` (one flat object per resource): jfield JSON OBJECT KEY, jtop JSON KEY
jfield() {
        printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\": *{\([^}]*\)}.*/\1/p" | tr ',' '\n' |
                sed -n "s/^ *\"$3\": *\([^ ]*\) *$/\1/p"
}
jtop() {
        printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\": *\([0-9a-z]*\).*/\1/p"
}

# within VALUE TARGET PCT: |VALUE - TARGET| <= PCT% of TARGET
within() {
        awk -v v="$1" -v t="$2" -v p="$3" 'BEGIN { d = v - t; if (d < 0) d = -d; exit !(d <= t * p / 100) }'
}

# busy LOOPS ID: start busy loops in a CT (in the background, detached from exec)
busy() {
        for _ in $(seq 1 "$1"); do
                vz exec "$2" 'setsid sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
        done
}

# cpu_pct ID SECONDS: the CT's CPU use over SECONDS of wall time, percent of one CPU
cpu_pct() {
        local f u0 u1 t0 t1
        f=$(cgf cpuacct "$1" cpuacct.usage)
        u0=$(cat "$f") t0=$(date +%s%N)
        sleep "$2"
        u1=$(cat "$f") t1=$(date +%s%N)
        awk -v u="$((u1 - u0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f", u * 100 / t }'
}

# a 512 MiB ext4 loop device under the private areas, for the io limits
HAVE_LOOP=0
LOOPDEV=""
if ! command -v losetup >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
        skip_part "io limits: losetup or mkfs.ext4 is missing"
elif ! truncate -s 512M "$TEST_TMP/disk.img" || ! mkfs.ext4 -q -F "$TEST_TMP/disk.img" ||
        ! mkdir -p "$PRIVATE_DIR" || ! mount -o loop "$TEST_TMP/disk.img" "$PRIVATE_DIR"; then
        skip_part "io limits: cannot mount an ext4 loop device"
else
        # mount -o loop: the device detaches itself once the test's mount namespace unmounts it
        LOOPDEV=$(findmnt -n -o SOURCE "$PRIVATE_DIR")
        LOOPMM=$(cat "/sys/class/block/${LOOPDEV#/dev/}/dev")
        HAVE_LOOP=1
        pass "private areas on $LOOPDEV ($LOOPMM), ext4"
fi
# --ioprio is a weight of the BFQ scheduler: where this kernel has BFQ, the loop disk gets it and the weight
# must be there; where it has none (e.g. mq-deadline only), IOPRIO is best effort: start warns, and runs
HAVE_BFQ=0
if [ "$HAVE_LOOP" = 1 ]; then
        sched=/sys/class/block/${LOOPDEV#/dev/}/queue/scheduler
        command -v modprobe >/dev/null && modprobe bfq 2>/dev/null
        if grep -qw bfq "$sched" 2>/dev/null; then
                if echo bfq >"$sched" 2>/dev/null && grep -q '\[bfq\]' "$sched"; then
                        HAVE_BFQ=1
                        pass "the loop disk is scheduled by bfq"
                else
                        skip_part "ioprio: this kernel has bfq but $LOOPDEV cannot use it"
                fi
        else
                echo "# this kernel has no BFQ ($(cat "$sched" 2>/dev/null)): --ioprio is checked as best effort"
        fi
fi

# ---------------------------------------------------------------------------------------
# (the CTs here are made with --config none: each check sets the limits it is about)
# saved limits are applied at start, before init runs

new_ct 102 --config none
# the first boot script: the limits as the CT itself sees them, before anything else runs
mkdir -p "$PRIVATE_DIR/102/fs/etc/rc.d"
cat >"$PRIVATE_DIR/102/fs/etc/rc.d/S00limits" <<'EOF'
#!/bin/sh
out=/var/log/limits-at-boot
mkdir -p /run/cg /var/log
: >$out
for c in memory:memory.limit_in_bytes memory:memory.memsw.limit_in_bytes pids:pids.max \
        cpu:cpu.cfs_quota_us cpu:cpu.shares cpuset:cpuset.cpus; do
        ctl=${c%%:*} f=${c#*:}
        if mount -t cgroup -o "$ctl" "$ctl" /run/cg 2>/dev/null; then
                echo "$f $(cat /run/cg/$f)" >>$out
                umount /run/cg
        else
                echo "$f cannot-mount" >>$out
        fi
done
EOF
chmod 755 "$PRIVATE_DIR/102/fs/etc/rc.d/S00limits"
io_opts=()
[ "$HAVE_LOOP" = 1 ] && io_opts=(--iolimit 5 --iopslimit 300 --ioprio 2)
expect_rc 0 vz set 102 --ram 96M --swap 16M --memguarantee 50 --cpuunits 500 --cpulimit 40 \
        --cpus 1 --cpumask 0 --numproc 50 "${io_opts[@]}" --save
conf102=$(conf_of 102)
assert_true 'PHYSPAGES="0:96M" saved' grep -qx 'PHYSPAGES="0:96M"' "$conf102"
assert_true 'SWAPPAGES saved' grep -q '^SWAPPAGES=".*16M"$' "$conf102"
assert_true 'NUMPROC="50" saved' grep -qx 'NUMPROC="50"' "$conf102"
assert_true 'CPULIMIT="40" saved' grep -qx 'CPULIMIT="40"' "$conf102"
[ "$HAVE_LOOP" = 1 ] &&
        assert_true 'IOLIMIT is bytes/s in the file (5 MB/s = "5242880")' grep -qx 'IOLIMIT="5242880"' "$conf102"
expect_rc 0 vz start 102
if [ "$HAVE_LOOP" = 1 ] && [ "$HAVE_BFQ" = 0 ]; then
        assert_eq "$(grep -c 'ioprio 2 has no effect on this host' <<<"$LAST_ERR")" 1 \
                "start without BFQ: one warning that --ioprio cannot apply"
fi
# read right after start returns
expect_cg memory 102 memory.limit_in_bytes 100663296 "at start"
if [ -e "$(cgf memory 102 memory.memsw.limit_in_bytes)" ]; then
        expect_cg memory 102 memory.memsw.limit_in_bytes 117440512 "at start, ram + swap"
fi
soft=$(cgread memory 102 memory.soft_limit_in_bytes)
if within "$soft" 50331648 0.02; then pass "at start: memory.soft_limit_in_bytes = 50% of 96M ($soft)"; else
        fail "at start: memory.soft_limit_in_bytes: expected 50% of 96M (50331648), got '$soft'"; fi
expect_cg cpu 102 cpu.shares 512 "at start, cpuunits 500"
expect_cg cpu 102 cpu.cfs_period_us 100000 "at start"
expect_cg cpu 102 cpu.cfs_quota_us 40000 "at start, cpulimit 40 under cpus 1"
expect_cg cpuset 102 cpuset.cpus 0 "at start"
expect_cg pids 102 pids.max 50 "at start"
if [ "$HAVE_LOOP" = 1 ]; then
        expect_cg blkio 102 blkio.throttle.write_bps_device "$LOOPMM 5242880" "at start, the private area's disk"
        expect_cg blkio 102 blkio.throttle.read_bps_device "$LOOPMM 5242880" "at start"
        expect_cg blkio 102 blkio.throttle.write_iops_device "$LOOPMM 300" "at start"
        expect_cg blkio 102 blkio.throttle.read_iops_device "$LOOPMM 300" "at start"
        if [ "$HAVE_BFQ" = 1 ]; then
                expect_cg blkio 102 blkio.bfq.weight 50 "at start, ioprio 2"
        fi
fi
init102=$(ct_inits 102)
assert_eq "$(count_lines "$init102")" 1 "one init in CT 102's cgroups"
if [ "$HAVE_LOOP" = 1 ]; then
        expect_rc 0 vz stat 102
        assert_contains "$LAST_OUT" "io limits: iolimit 5242880 bytes/s, iopslimit 300 ops/s, ioprio 2" \
                "stat shows the IO limits"
        expect_rc 0 vz stat 102 -j
        assert_eq "$(jfield "$LAST_OUT" io iolimit) $(jfield "$LAST_OUT" io iopslimit) $(jfield "$LAST_OUT" io ioprio)" \
                "5242880 300 2" "stat -j: io.iolimit, io.iopslimit, io.ioprio"
fi
if wait_until 10 vz exec2 102 test -s /var/log/limits-at-boot; then
        expect_rc 0 vz exec 102 cat /var/log/limits-at-boot
        boot=$LAST_OUT
        assert_contains "$boot" "memory.limit_in_bytes 100663296" "init's first boot script already ran under the RAM limit"
        assert_contains "$boot" "pids.max 50" "init's first boot script already ran under the numproc limit"
        assert_contains "$boot" "cpu.cfs_quota_us 40000" "init's first boot script already ran under the cpu limit"
        assert_contains "$boot" "cpuset.cpus 0" "init's first boot script already ran on the cpumask"
else
        fail "CT 102's first boot script did not record the limits in 10 s"
fi

# ---------------------------------------------------------------------------------------
# bad values change nothing

cp "$conf102" "$TEST_TMP/102.conf"
cg_snapshot 102 >"$TEST_TMP/102.cg"
bad_cpu=$((NCPU + 5))
for bad in "--ram 1k" "--ram 3M" "--cpulimit abc" "--numproc 10:5" "--ioprio 9" "--cpumask 5-2" \
        "--cpuunits 7" "--iolimit -1" "--ram 200M --cpulimit abc" "--numproc 99 --ioprio 9" \
        "--ram 200M --numproc 99 --cpumask $bad_cpu"; do
        for save in "" --save; do
                # shellcheck disable=SC2086
                expect_rc 21 vz set 102 $bad $save
                cmp -s "$conf102" "$TEST_TMP/102.conf" && pass "set 102 $bad $save: 102.conf byte-identical" ||
                        fail "set 102 $bad $save changed 102.conf"
                cg_snapshot 102 >"$TEST_TMP/102.cg.after"
                if cmp -s "$TEST_TMP/102.cg" "$TEST_TMP/102.cg.after"; then
                        pass "set 102 $bad $save: cgroup files unchanged"
                else
                        fail "set 102 $bad $save changed the running CT's cgroup files"
                        diff "$TEST_TMP/102.cg" "$TEST_TMP/102.cg.after" | sed -n 's/^[<>]/#  &/p'
                        # put the limits back for the next checks
                        vz set 102 --ram 96M --swap 16M --memguarantee 50 --numproc 50 >/dev/null 2>&1
                fi
        done
done
new_ct 101 --config none
cp "$(conf_of 101)" "$TEST_TMP/101.conf"
for bad in "--ram 1k" "--cpulimit abc" "--numproc 10:5" "--ioprio 9" "--cpumask 5-2"; do
        # shellcheck disable=SC2086
        expect_rc 21 vz set 101 $bad --save
done
expect_rc 31 vz set 101 --ram 100M
# what this host cannot apply is refused at set, not found at the next start: once, naming the CPUs it has
expect_rc 21 vz set 101 --cpumask "$bad_cpu" --save
assert_eq "$(grep -c . <<<"$LAST_ERR")" 1 "set --cpumask $bad_cpu on a stopped CT: one error line"
assert_contains "$LAST_ERR" "--cpumask $bad_cpu names CPUs this host does not have (it has $(cat /sys/devices/system/cpu/online))" \
        "the error names the option and the CPUs that exist"
expect_rc 21 vz set 101 --ram 50M --cpumask "0,$bad_cpu" --save
cmp -s "$(conf_of 101)" "$TEST_TMP/101.conf" && pass "refused sets on stopped CT 101 left 101.conf byte-identical" ||
        fail "refused sets on stopped CT 101 changed 101.conf"
if [ -n "$(ls "$CG/memory/$VPSCTL_CGROUP_PARENT" | grep check)" ]; then
        fail "the check of CT 101's limits left a cgroup behind"
else
        pass "the check of CT 101's limits left no cgroup behind"
fi
if [ "$HAVE_LOOP" = 1 ] && [ "$HAVE_BFQ" = 0 ]; then
        # IOPRIO is a priority: saved with one warning, and the CT starts
        expect_rc 0 vz set 101 --ioprio 2 --save
        assert_eq "$(grep -c 'has no effect on this host' <<<"$LAST_ERR")" 1 "set --ioprio without BFQ: one warning"
        assert_true 'IOPRIO="2" saved' grep -qx 'IOPRIO="2"' "$(conf_of 101)"
        expect_rc 0 vz start 101
        expect_rc 0 vz set 101 --ioprio 3
        assert_eq "$(grep -c . <<<"$LAST_ERR")" 1 "live --ioprio without BFQ: one warning line, no error"
        assert_true "no \"could not put back\" after a live --ioprio" eval '! grep -q "put back" <<<"$LAST_ERR"'
        expect_rc 0 vz set 101 --numproc 77
        assert_eq "$LAST_ERR" "" "a live --numproc says nothing of the saved IOPRIO"
        expect_rc 0 vz stop 101 --fast
fi
expect_rc 0 vz destroy 101

# ---------------------------------------------------------------------------------------
# live set on a running CT: the cgroup changes, init does not

expect_rc 0 vz set 102 --ram 80M
expect_cg memory 102 memory.limit_in_bytes 83886080 "live --ram 80M (lowered)"
[ -e "$(cgf memory 102 memory.memsw.limit_in_bytes)" ] &&
        expect_cg memory 102 memory.memsw.limit_in_bytes 100663296 "live --ram 80M keeps the saved 16M of swap"
expect_rc 0 vz set 102 --ram 200M
expect_cg memory 102 memory.limit_in_bytes 209715200 "live --ram 200M (raised)"
[ -e "$(cgf memory 102 memory.memsw.limit_in_bytes)" ] &&
        expect_cg memory 102 memory.memsw.limit_in_bytes 226492416 "live --ram 200M: memsw raised first"
expect_rc 0 vz set 102 --cpuunits 2000 --cpulimit 30 --cpumask all
expect_cg cpu 102 cpu.shares 2048 "live --cpuunits 2000"
expect_cg cpu 102 cpu.cfs_quota_us 30000 "live --cpulimit 30"
expect_cg cpuset 102 cpuset.cpus "$(cat "$CG/cpuset/$VPSCTL_CGROUP_PARENT/cpuset.cpus")" "live --cpumask all"
if [ "$HAVE_LOOP" = 1 ]; then
        expect_rc 0 vz set 102 --iolimit 7
        expect_cg blkio 102 blkio.throttle.write_bps_device "$LOOPMM 7340032" "live --iolimit 7"
fi
cmp -s "$conf102" "$TEST_TMP/102.conf" && pass "live set without --save leaves 102.conf byte-identical" ||
        fail "live set without --save changed 102.conf"
expect_rc 0 vz set 102 --numproc 70 --save
expect_cg pids 102 pids.max 70 "live --numproc 70 --save"
assert_true 'NUMPROC="70" saved' grep -qx 'NUMPROC="70"' "$conf102"
assert_eq "$(ct_inits 102)" "$init102" "live sets did not restart CT 102 (same init)"
expect_rc 0 vz restart 102
expect_cg pids 102 pids.max 70 "after restart, the saved --numproc"
expect_cg memory 102 memory.limit_in_bytes 100663296 "after restart, the saved --ram (live-only 200M forgotten)"
expect_rc 0 vz stop 102 --fast

# ---------------------------------------------------------------------------------------
# memory: OOM inside the CT, nowhere else

new_ct 103 --config none --hostname oom.test
new_ct 104 --config none --hostname neighbour.test
expect_rc 0 vz set 103 --ram 64M --save
expect_rc 0 vz start 103
expect_rc 0 vz start 104
expect_rc 0 vz exec 104 'setsid sleep 100000 </dev/null >/dev/null 2>&1 &'
sleep 100000 &
host_sentinel=$!
init103=$(ct_inits 103)
pids104=$(ct_pids 104)
expect_rc 0 vz stat 103 -j
oom0=$(jtop "$LAST_OUT" oom_kills)
# busybox tail keeps the whole (newline-free) input in memory: 200M in a 64M CT
expect_rc 137 vz exec2 103 'head -c 209715200 /dev/zero | tail >/dev/null'
expect_rc 0 vz stat 103 -j
st=$LAST_OUT
oom1=$(jtop "$st" oom_kills)
[ -n "$oom1" ] && [ "$oom1" -gt "${oom0:-0}" ] 2>/dev/null && pass "stat -j oom_kills counts the kill ($oom0 -> $oom1)" ||
        fail "stat -j oom_kills: '$oom0' before, '$oom1' after an OOM kill in the CT"
fc=$(jfield "$st" memory failcnt)
[ -n "$fc" ] && [ "$fc" -gt 0 ] 2>/dev/null && pass "stat -j memory.failcnt counts the refused charges ($fc)" ||
        fail "stat -j memory.failcnt = '$fc' after the CT hit its 64M limit (oom_control: $(tr '\n' ' ' <"$(cgf memory 103 memory.oom_control)"), memory.failcnt $(cgread memory 103 memory.failcnt), memsw.failcnt $(cgread memory 103 memory.memsw.failcnt))"
mh=$(jfield "$st" memory maxheld)
lim=$(jfield "$st" memory limit)
assert_eq "$lim" 67108864 "stat -j memory.limit is the 64M limit"
[ -n "$mh" ] && [ "$mh" -le 67108864 ] 2>/dev/null && pass "stat -j memory.maxheld $mh <= limit" ||
        fail "stat -j memory.maxheld '$mh' above the limit"
assert_true "the kernel's oom_kill counter of CT 103's cgroup moved" \
        grep -qx 'oom_kill [1-9][0-9]*' "$(cgf memory 103 memory.oom_control)"
assert_eq "$(ct_inits 103)" "$init103" "CT 103's init survived the OOM (same pid)"
expect_out "CTID 103 exist mounted running" vz status 103
expect_out alive vz exec 103 echo alive
assert_eq "$(ct_pids 104)" "$pids104" "CT 104's processes are untouched"
assert_true "a host process is untouched" kill -0 "$host_sentinel"
kill "$host_sentinel"
wait "$host_sentinel" 2>/dev/null
expect_rc 0 vz stop 103 --fast
expect_rc 0 vz stop 104 --fast

# ---------------------------------------------------------------------------------------
# cpu: --cpulimit 50 holds busy loops to half a CPU

new_ct 105 --config none
expect_rc 0 vz set 105 --cpulimit 50 --save
expect_rc 0 vz start 105
busy 2 105
sleep 1
expect_rc 0 vz stat 105 -j
us0=$(jfield "$LAST_OUT" cpu usage_us)
t0=$(date +%s%N)
pct=$(cpu_pct 105 5)
expect_rc 0 vz stat 105 -j
us1=$(jfield "$LAST_OUT" cpu usage_us)
t1=$(date +%s%N)
thr=$(jfield "$LAST_OUT" cpu nr_throttled)
echo "# --cpulimit 50, 2 busy loops: ${pct}% of one CPU over 5 s (cpuacct.usage)"
within "$pct" 50 6 && pass "--cpulimit 50: ${pct}% of one CPU (50 +- 3)" || fail "--cpulimit 50: ${pct}% of one CPU, expected 50 +- 3"
spct=$(awk -v u="$((us1 - us0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f", u * 100000 / t }')
within "$spct" 50 6 && pass "stat -j cpu.usage_us agrees: ${spct}%" || fail "stat -j cpu.usage_us deltas: ${spct}%, expected 50 +- 3"
[ -n "$thr" ] && [ "$thr" -gt 0 ] 2>/dev/null && pass "stat -j cpu.nr_throttled = $thr" || fail "stat -j cpu.nr_throttled = '$thr'"
# live: lower it, no restart
expect_rc 0 vz set 105 --cpulimit 20
expect_cg cpu 105 cpu.cfs_quota_us 20000 "live --cpulimit 20"
sleep 0.5
pct=$(cpu_pct 105 3)
echo "# live --cpulimit 20: ${pct}% of one CPU over 3 s"
within "$pct" 20 15 && pass "live --cpulimit 20: ${pct}% of one CPU (20 +- 3)" || fail "live --cpulimit 20: ${pct}%, expected 20 +- 3"
expect_rc 0 vz set 105 --cpulimit 50%
expect_cg cpu 105 cpu.cfs_quota_us $((NCPU * 50000)) "--cpulimit 50% = half of the host's $NCPU CPUs"
expect_rc 0 vz stop 105 --fast

# ---------------------------------------------------------------------------------------
# numproc: a fork bomb stays inside its 64 processes, the neighbour forks on

new_ct 106 --config none
new_ct 107 --config none
expect_rc 0 vz set 106 --numproc 64 --save
expect_rc 0 vz start 106
expect_rc 0 vz start 107
# at most 300 forks: a broken limit must not take the host down
run vz exec2 106 'i=0; while [ $i -lt 300 ]; do sleep 100000 >/dev/null 2>&1 & i=$((i + 1)); done; echo $i'
[ "$LAST_RC" != 0 ] && pass "the fork bomb hit the limit (exit $LAST_RC: $LAST_ERR)" ||
        fail "300 background sleeps all started in a CT with --numproc 64"
n=$(count_lines "$(ct_pids 106)")
cur=$(cgread pids 106 pids.current)
[ "$n" -le 64 ] && [ "$cur" -le 64 ] && [ "$n" -ge 50 ] &&
        pass "CT 106 holds $n processes (pids.current $cur), <= 64" ||
        fail "CT 106 holds $n processes (pids.current $cur), expected 50..64"
expect_rc 0 vz stat 106 -j
fc=$(jfield "$LAST_OUT" numproc failcnt)
held=$(jfield "$LAST_OUT" numproc held)
[ -n "$fc" ] && [ "$fc" -gt 0 ] 2>/dev/null && pass "stat -j numproc.failcnt = $fc" || fail "stat -j numproc.failcnt = '$fc' after a fork bomb"
[ -n "$held" ] && [ "$held" -le 64 ] 2>/dev/null && pass "stat -j numproc.held = $held <= 64" || fail "stat -j numproc.held = '$held'"
expect_out 100 vz exec 107 'i=0; while [ $i -lt 100 ]; do sleep 100000 >/dev/null 2>&1 & i=$((i + 1)); done; sleep 0.2; ps | grep -c "sleep 100000$"'
expect_rc 0 vz exec 107 'killall sleep'
# live raise: more processes start, without a restart
init106=$(ct_inits 106)
expect_rc 0 vz set 106 --numproc 128
expect_cg pids 106 pids.max 128 "live --numproc 128"
expect_rc 0 vz exec2 106 'i=0; while [ $i -lt 40 ]; do sleep 100000 >/dev/null 2>&1 & i=$((i + 1)); done'
n=$(count_lines "$(ct_pids 106)")
[ "$n" -gt 64 ] && [ "$n" -le 128 ] && pass "after the live raise CT 106 runs $n processes" ||
        fail "after set --numproc 128, CT 106 runs $n processes, expected 65..128"
assert_eq "$(ct_inits 106)" "$init106" "the live --numproc did not restart CT 106"
expect_rc 0 vz stop 106 --fast
expect_out "CTID 106 exist unmounted down" vz status 106
assert_true "the fork bomb is gone" ct_cgroups_empty 106
expect_rc 0 vz stop 107 --fast

# ---------------------------------------------------------------------------------------
# io: --iolimit and --iopslimit on the loop device

# io_rate ID DD-ARGS: run dd in the CT, print the seconds it took (the CT's own clock)
io_secs() {
        vz exec "$1" "read t0 x </proc/uptime; dd $2 2>/dev/null || echo dd-failed; read t1 x </proc/uptime; echo \$t0 \$t1" |
                awk '/dd-failed/ { exit 1 } { printf "%.2f", $2 - $1 }'
}
if [ "$HAVE_LOOP" = 1 ]; then
        new_ct 108 --config none
        expect_rc 0 vz set 108 --iolimit 10 --save
        expect_rc 0 vz start 108
        expect_cg blkio 108 blkio.throttle.write_bps_device "$LOOPMM 10485760" "--iolimit 10"
        s=$(io_secs 108 "if=/dev/zero of=/big bs=1M count=50 oflag=direct")
        r=$(awk -v s="$s" 'BEGIN { if (s > 0) printf "%.2f", 50 / s }')
        echo "# --iolimit 10: direct write 50 MiB in ${s} s = ${r} MiB/s"
        within "$r" 10 10 && pass "--iolimit 10: direct writes at $r MiB/s (10 +- 10%)" ||
                fail "--iolimit 10: direct writes at '$r' MiB/s, expected 10 +- 10%"
        s=$(io_secs 108 "if=/big of=/dev/null bs=1M iflag=direct")
        r=$(awk -v s="$s" 'BEGIN { if (s > 0) printf "%.2f", 50 / s }')
        echo "# --iolimit 10: direct read 50 MiB in ${s} s = ${r} MiB/s"
        within "$r" 10 10 && pass "--iolimit 10: direct reads at $r MiB/s (10 +- 10%)" ||
                fail "--iolimit 10: direct reads at '$r' MiB/s, expected 10 +- 10%"
        expect_rc 0 vz stat 108 -j
        wb=$(jfield "$LAST_OUT" io write_bytes)
        [ -n "$wb" ] && [ "$wb" -ge 52428800 ] 2>/dev/null && pass "stat -j io.write_bytes = $wb >= 50 MiB" ||
                fail "stat -j io.write_bytes = '$wb' after 50 MiB of direct writes"
        # live: bandwidth off, 200 operations per second
        expect_rc 0 vz set 108 --iolimit 0 --iopslimit 200
        expect_cg blkio 108 blkio.throttle.write_bps_device "" "live --iolimit 0"
        expect_cg blkio 108 blkio.throttle.write_iops_device "$LOOPMM 200" "live --iopslimit 200"
        s=$(io_secs 108 "if=/dev/zero of=/small bs=4k count=1000 oflag=direct")
        r=$(awk -v s="$s" 'BEGIN { if (s > 0) printf "%.0f", 1000 / s }')
        echo "# --iopslimit 200: 1000 direct 4k writes in ${s} s = ${r} IOPS"
        within "$r" 200 10 && pass "--iopslimit 200: $r write IOPS (200 +- 10%)" ||
                fail "--iopslimit 200: '$r' write IOPS, expected 200 +- 10%"
        s=$(io_secs 108 "if=/small of=/dev/null bs=4k iflag=direct")
        r=$(awk -v s="$s" 'BEGIN { if (s > 0) printf "%.0f", 1000 / s }')
        echo "# --iopslimit 200: 1000 direct 4k reads in ${s} s = ${r} IOPS"
        within "$r" 200 10 && pass "--iopslimit 200: $r read IOPS (200 +- 10%)" ||
                fail "--iopslimit 200: '$r' read IOPS, expected 200 +- 10%"
        expect_rc 0 vz stop 108 --fast
fi

# ---------------------------------------------------------------------------------------
# memory guarantees: no over-commit without --force

new_ct 109 --config none
new_ct 110 --config none
expect_rc 0 vz set 109 --memguarantee 60 --save
expect_rc 0 vz set 110 --memguarantee 60 --save
expect_rc 0 vz start 109
expect_rc 36 vz start 110
assert_contains "$LAST_ERR" "MiB" "the refusal gives the numbers"
expect_out "CTID 110 exist unmounted down" vz status 110
expect_rc 0 vz start 110 --force
expect_rc 36 vz check
expect_rc 0 vz stop 110 --fast
expect_rc 0 vz stop 109 --fast

if [ "$SKIPPED" -gt 0 ] && [ "$FAILED" = 0 ]; then
        echo "$PASSED passed, $FAILED failed, $SKIPPED parts skipped"
        exit 77
fi
done_testing
