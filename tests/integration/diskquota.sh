#!/bin/bash
# DISKSPACE and DISKINODES where the private areas' filesystem has no project quota (this host's kernel
# has none at all; vm.diskquota checks enforcement on ext4 and xfs that have it): `set` refuses with exit
# 60, naming the filesystem, its device and how to enable project quota, and changes nothing, saved or
# live; a CT whose config has a limit does not start or mount (never silently unlimited); "unlimited"
# is accepted; bad values exit 21; list shows the configured limits and no usage.
. "$(dirname "$0")/lib.sh"

command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 (e2fsprogs) is not installed"
# the private areas on a plain ext4 (no quota feature), whatever the host's own filesystem can do
mkdir -p "$PRIVATE_DIR"
truncate -s 64M "$TEST_TMP/plain.img"
mkfs.ext4 -q -F -O ^quota "$TEST_TMP/plain.img" || skip "cannot make an ext4 image"
mount -o loop "$TEST_TMP/plain.img" "$PRIVATE_DIR" || skip "cannot loop-mount an ext4 image here"
chmod 0700 "$PRIVATE_DIR"

new_ct 181
before=$(cat "$(conf_of 181)")
expect_rc 60 vz set 181 --diskspace 1G:2G --save
assert_contains "$LAST_ERR" "CT 181: DISKSPACE/DISKINODES cannot be enforced" "the refusal names the CT"
assert_match "$LAST_ERR" "is on ext4 \(/dev/loop[0-9]+ mounted on $PRIVATE_DIR\)" "it names the filesystem, its device and mount point"
assert_contains "$LAST_ERR" "tune2fs -O quota,project /dev/loop" "it says how to enable project quota"
assert_contains "$LAST_ERR" "mount with -o prjquota" "and the mount option"
assert_eq "$(cat "$(conf_of 181)")" "$before" "nothing was saved"
expect_rc 60 vz set 181 --diskinodes 100000 --save
assert_eq "$(cat "$(conf_of 181)")" "$before" "a refused --diskinodes saves nothing either"
expect_rc 0 vz set 181 --diskspace unlimited --diskinodes unlimited --save
assert_eq "$(conf_get 181 DISKSPACE)" "unlimited" "unlimited is accepted (nothing to enforce)"

# bad values: exit 21, nothing changed
before=$(cat "$(conf_of 181)")
for v in 10x 2G:1G 0 512K "" 1G:; do
        expect_rc 21 vz set 181 --diskspace "$v" --save
done
expect_rc 21 vz set 181 --diskinodes 0 --save
expect_rc 21 vz set 181 --diskinodes 5:4 --save
assert_eq "$(cat "$(conf_of 181)")" "$before" "bad values change nothing"

# live on a running CT: refused before anything changes
expect_rc 0 vz start 181
expect_rc 60 vz set 181 --diskspace 1G --ram 256M --save
assert_eq "$(conf_get 181 PHYSPAGES)" "$(sed -n 's/^PHYSPAGES="\(.*\)"$/\1/p' <<<"$before" | tail -n 1)" "the --ram given with it is not saved"
expect_rc 0 vz stat -j 181
assert_contains "$LAST_OUT" '"disk": null' "stat -j: no disk usage without project quota"
expect_rc 0 vz stop 181

# a limit in the config (edited by hand, or a default of vpsctl.conf): start and mount refuse
echo 'DISKSPACE="10485760:11534336"' >>"$(conf_of 181)"
expect_rc 0 vz list -H -o ctid,diskspace,diskspace.s,diskspace.h,diskinodes.h 181
assert_eq "$(tr -s ' ' <<<"$LAST_OUT")" " 181 - 10485760 11534336 unlimited" "list: no usage, the configured 1K-block limits"
expect_rc 0 vz list -j -o diskspace,diskspace.h,diskinodes.h 181
assert_match "$(tr -d ' \n' <<<"$LAST_OUT")" \
        '"diskspace":\{"usage":null,"softlimit":10485760,"hardlimit":11534336\},"diskspace.h":11534336,"diskinodes.h":null' \
        "list -j: diskspace as vzlist's object (null usage), a number, null for unlimited"
expect_rc 60 vz start 181
assert_contains "$LAST_ERR" "CT 181: DISKSPACE/DISKINODES cannot be enforced" "start says why"
expect_out "CTID 181 exist unmounted down" vz status 181
assert_true "no process or cgroup was left" ct_cgroups_empty 181
expect_rc 60 vz mount 181
expect_out "CTID 181 exist unmounted down" vz status 181

# a CT in a filesystem with no project ids at all (tmpfs)
sed -i '/^DISKSPACE=/d' "$(conf_of 181)"
expect_rc 0 vz destroy 181
umount "$PRIVATE_DIR"
mount -t tmpfs -o mode=0700 tmpfs "$PRIVATE_DIR"
new_ct 182
expect_rc 60 vz set 182 --diskspace 1G --save
assert_match "$LAST_ERR" "is on tmpfs .*which has no project quota" "tmpfs: it says there is no project quota there"
assert_contains "$LAST_ERR" "ext4 with the project feature or on xfs" "and where to put the private areas"
expect_rc 0 vz start 182
expect_rc 0 vz stop 182
expect_rc 0 vz destroy 182
assert_true "exit code 60 is documented" exit_code_documented 60
umount "$PRIVATE_DIR"

done_testing
