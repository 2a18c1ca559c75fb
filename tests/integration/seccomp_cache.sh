#!/bin/bash
# The seccomp filter cache (runtime/seccomp.c): the BPF program compiled once per configuration into
# run/vpsctl/seccomp/HASH.bpf. A changed SECCOMP_DENY takes effect at the next start (a new key, a new
# file); a cache file that is not exactly what vpsctl wrote (flipped, truncated, another key's program,
# writable by others, not root's) is rebuilt, never loaded; an untrustworthy directory is not used.
. "$(dirname "$0")/lib.sh"

CACHE=$RUN_DIR/seccomp
cache_files() { find "$CACHE" -maxdepth 1 -name '*.bpf' -type f 2>/dev/null | sort; }
# the CT may set its host name unless SECCOMP_DENY names sethostname
sethost_ok() { "$VPSCTL" exec 190 hostname cache-test-$1 >/dev/null 2>&1; }

new_ct 190
expect_rc 0 vz start 190
files=$(cache_files)
assert_eq "$(wc -w <<<"$files")" 1 "the first start compiles the filter into one cache file"
plain=$files
assert_eq "$(stat -c '%u %a' "$plain")" "0 644" "the cache file is root's, mode 0644"
assert_eq "$(stat -c '%u %a' "$CACHE")" "0 755" "the cache directory is root's, mode 0755"
assert_eq "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$(ct_inits 190)/status")" 2 "init runs with the filter"
assert_true "without SECCOMP_DENY the CT sets its host name" sethost_ok a
cp "$plain" "$TEST_TMP/plain.bpf"
expect_rc 0 vz exec 190 true
assert_eq "$(cache_files)" "$plain" "an exec uses the same cache file"
assert_true "and does not rewrite it" cmp -s "$plain" "$TEST_TMP/plain.bpf"

echo "# a changed SECCOMP_DENY takes effect at the next start"
expect_rc 0 vz set 190 --seccomp_deny sethostname --save
expect_rc 0 vz restart 190
files=$(cache_files)
assert_eq "$(wc -w <<<"$files")" 2 "the new configuration has a cache file of its own"
deny=$(comm -13 <(echo "$plain") <(echo "$files"))
assert_true "a new file beside the first ($deny)" test -n "$deny" -a -f "$deny"
assert_true "after the restart sethostname is denied" eval '! sethost_ok b'
run vz exec 190 hostname cache-test-c
assert_contains "$LAST_ALL" "Operation not permitted" "with EPERM"
cp "$deny" "$TEST_TMP/deny.bpf"

# tamper with the cache file of the running configuration, restart, and check that the file is
# rebuilt (byte for byte what vpsctl writes) and the filter still denies sethostname
tampered() {
        local what=$1
        expect_rc 0 vz restart 190
        assert_true "$what: the file is rebuilt" cmp -s "$deny" "$TEST_TMP/deny.bpf"
        assert_eq "$(stat -c '%u %a' "$deny")" "0 644" "$what: root's, mode 0644 again"
        assert_true "$what: sethostname is still denied" eval '! sethost_ok d'
}
echo "# a tampered cache file is rebuilt"
size=$(stat -c %s "$deny")
# the last instruction: flip its bytes (the checksum no longer matches)
printf '\377\377\377\377\377\377\377\377' | dd of="$deny" bs=1 seek=$((size - 8)) conv=notrunc status=none
tampered "flipped instruction"
truncate -s $((size - 8)) "$deny"
tampered "truncated"
cp "$TEST_TMP/plain.bpf" "$deny"
tampered "the program of another configuration (without the deny)"
head -c 8 /dev/zero >"$deny"
tampered "a short file"
chmod 0666 "$deny"
tampered "writable by others"
chown 65534 "$deny"
tampered "not root's"
rm -f "$deny"
ln -s "$TEST_TMP/deny.bpf" "$deny"
tampered "a symlink"

echo "# a directory others can write to is not used"
chmod 0777 "$CACHE"
rm -f "$deny"
expect_rc 0 vz restart 190
assert_contains "$LAST_ERR" "is not a directory only root can write to" "the operator is told"
assert_true "nothing is written there" test ! -e "$deny"
assert_true "the filter is compiled all the same: sethostname denied" eval '! sethost_ok e'
chmod 0755 "$CACHE"

echo "# SECCOMP=no: no filter, no cache file"
expect_rc 0 vz set 190 --seccomp no --save
rm -rf "$CACHE"
expect_rc 0 vz restart 190
assert_true "SECCOMP=\"no\" loads no filter" sethost_ok f
assert_true "and compiles none" test -z "$(cache_files)"

expect_rc 0 vz stop 190
done_testing
