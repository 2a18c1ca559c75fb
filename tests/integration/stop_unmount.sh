#!/bin/bash
# stop leaves the sync of the overlay's upper filesystem (overlayfs syncs it when the root's superblock
# goes) to a short-lived child of its own, holding run/vpsctl/CTID/umount.lock until the superblock is
# gone (runtime/lifecycle.c). The root is unmounted when stop returns; the next mount of the root waits
# for that lock, so two overlays never share the upper directory; the CT's data is all there after the
# next start; the child does not stay.
. "$(dirname "$0")/lib.sh"

mounted() { awk -v p="$ROOT_DIR/$1" '$5 == p' /proc/self/mountinfo | grep -q .; }

new_ct 195
expect_rc 0 vz start 195
expect_rc 0 vz exec 195 "echo data-1 > /root/file && dd if=/dev/zero of=/root/big bs=1M count=8 2>/dev/null"
expect_rc 0 vz stop 195
assert_true "the root is unmounted when stop returns" eval '! mounted 195'
assert_true "the unmount lock exists" test -f "$RUN_DIR/195/umount.lock"
# at once: the start waits for the lock if the sync still runs
expect_rc 0 vz start 195
expect_out data-1 vz exec 195 cat /root/file
expect_out 8388608 vz exec 195 "wc -c < /root/big"

echo "# a mount of the root waits for the unmount lock"
expect_rc 0 vz stop 195
wait_until 10 flock -n "$RUN_DIR/195/umount.lock" true
flock "$RUN_DIR/195/umount.lock" sleep 1.5 &
holder=$!
sleep 0.2
t0=$(now_ms)
expect_rc 0 vz start 195
t1=$(now_ms)
assert_true "start waited for the holder of umount.lock ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 1000
wait "$holder"
expect_out data-1 vz exec 195 cat /root/file

echo "# the lock names its holder; a holder killed releases the lock before its exit's sync ends"
read -r hpid hstart < "$RUN_DIR/195/umount.lock"
assert_true "umount.lock names the process that synced (pid $hpid)" test "$hpid" -gt 1 -a "$hstart" -gt 0
expect_rc 0 vz stop 195
wait_until 10 flock -n "$RUN_DIR/195/umount.lock" true
# a named holder still alive with the lock free: the next mount waits for it to be gone
sleep 1.5 &
sleeper=$!
echo "$sleeper $(awk '{print $22}' "/proc/$sleeper/stat")" > "$RUN_DIR/195/umount.lock"
t0=$(now_ms)
expect_rc 0 vz start 195
t1=$(now_ms)
assert_true "start waited for the holder named in umount.lock ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 1000
wait "$sleeper"
# a name whose process is gone (or whose pid is another process now) does not hold anything up
expect_rc 0 vz stop 195
wait_until 10 flock -n "$RUN_DIR/195/umount.lock" true
echo "$$ 1" > "$RUN_DIR/195/umount.lock"
t0=$(now_ms)
expect_rc 0 vz start 195
t1=$(now_ms)
assert_true "a stale name in umount.lock is ignored ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1000

echo "# restart and a stop of a busy root"
expect_rc 0 vz exec 195 "echo data-2 > /root/file"
expect_rc 0 vz restart 195
expect_out data-2 vz exec 195 cat /root/file
# a shell of the operator's sitting in the root: it is detached all the same
(cd "$ROOT_DIR/195/root" && sleep 3) &
sitter=$!
sleep 0.2
expect_rc 0 vz stop 195
assert_true "a busy root is detached by stop" eval '! mounted 195'
wait "$sitter"
expect_rc 0 vz mount 195
expect_out data-2 cat "$ROOT_DIR/195/root/file"
expect_rc 0 vz umount 195

echo "# destroy right after a stop waits for the sync, and removes everything"
expect_rc 0 vz start 195
expect_rc 0 vz exec 195 "dd if=/dev/zero of=/root/big2 bs=1M count=16 2>/dev/null"
expect_rc 0 vz stop 195
expect_rc 0 vz destroy 195
assert_true "the private area is gone" test ! -e "$PRIVATE_DIR/195"
assert_true "the root is not mounted" eval '! mounted 195'

assert_true "no vpsctl process of this test stays once the syncs are done" wait_until 20 test -z "$(vpsctl_procs)"
done_testing
