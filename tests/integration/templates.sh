#!/bin/bash
# The template cache through `vpsctl template`: list (-j), build, rebuild into new generations,
# TEMPLATE_KEEP, generations CTs use never pruned, one build at a time (exit 9), a killed build
# leaves current and the host untouched, a failed verification or SCRIPT publishes nothing,
# import/export round trips (tar.gz, tar.xz, tar.zst), remove refused while used (exit 84), and the
# copy layout independent of its template.
. "$(dirname "$0")/lib.sh"

TDIR=$VPSCTL_PREFIX/var/lib/vpsctl/templates
RECIPES=$VPSCTL_PREFIX/etc/vpsctl/templates.d
mkdir -p "$RECIPES"
echo 'TEMPLATE_KEEP="2"' >"$VPSCTL_PREFIX/etc/vpsctl/vpsctl.conf"

# generations of a template, oldest first
gens() {
        ls "$TDIR/$1" 2>/dev/null | grep -E '^[0-9]{8}-[0-9]{6}-[0-9]{9}$'
}
current() {
        readlink "$TDIR/$1/current"
}
lower_gen() {
        basename "$(dirname "$(readlink "$PRIVATE_DIR/$1/lower")")"
}
# processes whose root is inside the template cache (a build's chroot)
build_procs() {
        local p
        for p in /proc/[0-9]*; do
                case "$(readlink "$p/root" 2>/dev/null)" in
                "$TDIR"/*) echo "${p#/proc/}" ;;
                esac
        done
}
no_build_procs() {
        [ -z "$(build_procs)" ]
}
has_build_procs() {
        [ -n "$(build_procs)" ]
}
building_dirs() {
        ls -a "$TDIR/$1" 2>/dev/null | grep -F ".$1.building."
}
# json_get EXPR: evaluate a python expression on the JSON in $LAST_OUT (bound to j)
json_get() {
        python3 -c 'import json, sys; j = json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" \
                <<<"$LAST_OUT"
}
# a tree's names, types, owners, modes, file sizes and link targets, for comparing two trees
tree_digest() {
        (cd "$1" && find . -type d -printf '%y %M %U %G %p\n' -o -printf '%y %M %U %G %s %l %p\n' | sort | md5sum)
}

# ---- list before anything is built: the shipped recipes
expect_rc 0 vz template list
assert_match "$LAST_OUT" '^busybox +- +- ' "list shows the busybox recipe, not built yet"
assert_match "$LAST_OUT" '^debian-12 +- .*not built: recipe built-in \(debootstrap\)' \
        "list shows the debian-12 recipe, not built yet"
expect_rc 0 vz template list -j
assert_eq "$(json_get '[t["generation"] for t in j if t["name"] == "busybox"]')" "[None]" \
        "list -j: busybox has no generation yet"

# ---- build
expect_rc 0 vz template build busybox
G1=$(current busybox)
assert_match "$G1" '^[0-9]{8}-[0-9]{6}-[0-9]{9}$' "build published a current generation"
assert_true "the generation has a rootfs and an info file" test -x "$TDIR/busybox/$G1/rootfs/bin/busybox" -a \
        -s "$TDIR/busybox/$G1/info"
expect_rc 0 vz template build busybox
assert_contains "$LAST_OUT" "already built" "a second build says it is built already"
assert_eq "$(current busybox)" "$G1" "a second build keeps the generation"
expect_rc 91 vz template build nosuch
expect_rc 21 vz template build ../etc
expect_rc 20 vz template frobnicate busybox

# ---- CTs pin generations; rebuilds keep TEMPLATE_KEEP=2 plus what is used
new_ct 101
assert_eq "$(lower_gen 101)" "$G1" "CT 101 is over generation 1"
expect_rc 0 vz template list -j
assert_eq "$(json_get '[t["cts"] for t in j if t["name"] == "busybox"][0]')" "[101]" "list -j: busybox is used by 101"
assert_eq "$(json_get '[t["generation"] for t in j if t["name"] == "busybox"][0]')" "$G1" \
        "list -j: the current generation"
assert_match "$(json_get '[t["size"] > 100000 and t["built"].endswith("Z") for t in j if t["name"] == "busybox"][0]')" \
        '^True$' "list -j: size and built time"
expect_rc 0 vz template rebuild busybox
G2=$(current busybox)
expect_rc 0 vz template rebuild busybox
G3=$(current busybox)
expect_rc 0 vz template rebuild busybox
G4=$(current busybox)
assert_true "each rebuild made a new generation" test "$G1" != "$G2" -a "$G2" != "$G3" -a "$G3" != "$G4"
assert_eq "$(gens busybox | tr '\n' ' ')" "$G1 $G3 $G4 " \
        "rebuilds kept the newest 2 and the one CT 101 uses; the unused old one is pruned"
assert_true "CT 101's lower still exists" test -d "$PRIVATE_DIR/101/lower/bin"
expect_rc 0 vz template rebuild busybox --if-older-than 1h
assert_contains "$LAST_OUT" "up to date" "rebuild --if-older-than 1h skips a fresh template"
assert_eq "$(current busybox)" "$G4" "--if-older-than kept current"
expect_rc 21 vz template rebuild busybox --if-older-than soon
new_ct 102
assert_eq "$(lower_gen 102)" "$G4" "a new CT is over the current generation"
expect_rc 0 vz start 101
expect_rc 0 vz exec2 101 test -x /bin/busybox
expect_rc 0 vz stop 101 --fast

# ---- one build at a time; a killed build
cat >"$RECIPES/slow.recipe" <<'RECIPE'
# a busybox template whose SCRIPT takes its time
TYPE="busybox"
SCRIPT="sleep 0"
RECIPE
expect_rc 0 vz template build slow
S1=$(current slow)
sed -i 's/sleep 0/sleep 6/' "$RECIPES/slow.recipe"
"$VPSCTL" template rebuild slow >"$TEST_TMP/bg.out" 2>&1 &
BG=$!
wait_until 10 building_dirs slow || fail "the background rebuild did not start"
expect_rc 9 vz template rebuild slow
assert_match "$LAST_ERR" "being built by pid $BG" "a second rebuild names the build in progress"
assert_true "exit code 9 is documented" exit_code_documented 9
expect_rc 0 vz template list -j
assert_eq "$(json_get '[t["building"] for t in j if t["name"] == "slow"][0]')" "True" "list -j shows the build"
wait "$BG"
assert_eq "$?" 0 "the first rebuild succeeded"
S2=$(current slow)
assert_true "the first rebuild published a generation" test "$S2" != "$S1"

"$VPSCTL" template rebuild slow >"$TEST_TMP/bg.out" 2>&1 &
BG=$!
wait_until 10 has_build_procs || fail "the SCRIPT of the build to kill did not start"
kill -9 "$BG"
wait "$BG" 2>/dev/null
assert_true "the killed build's SCRIPT died with it" wait_until 5 no_build_procs
assert_eq "$(current slow)" "$S2" "a killed build leaves current untouched"
assert_true "the killed build's directory is left for the next build" test -n "$(building_dirs slow)"
sed -i 's/sleep 6/sleep 0/' "$RECIPES/slow.recipe"
expect_rc 0 vz template rebuild slow
assert_eq "$(building_dirs slow)" "" "the next build removed what the killed one left"
S3=$(current slow)

# ---- failures publish nothing
sed -i 's/^SCRIPT=.*/SCRIPT="echo about to fail; exit 7"/' "$RECIPES/slow.recipe"
expect_rc 3 vz template rebuild slow
assert_contains "$LAST_ERR" "about to fail" "a failed SCRIPT shows the end of build.log"
assert_eq "$(current slow)" "$S3" "a failed SCRIPT leaves current untouched"
assert_eq "$(building_dirs slow)" "" "a failed build leaves no directory"
printf 'TYPE="busybox"\nSCRIPT="rm /sbin/init"\n' >"$RECIPES/noinit.recipe"
expect_rc 56 vz template build noinit
assert_contains "$LAST_ERR" "/sbin/init" "verification names what is missing"
assert_eq "$(gens noinit)" "" "a tree that fails verification is not published"
# (not a link to busybox: busybox would look at argv[0] and be a shell anyway)
cat >"$RECIPES/noshell.recipe" <<'RECIPE'
TYPE="busybox"
SCRIPT='rm /bin/sh; echo "#!/bin/false" >/bin/sh; chmod 755 /bin/sh'
RECIPE
expect_rc 56 vz template build noshell
assert_contains "$LAST_ERR" "does not run" "verification runs the tree's shell"
printf 'TYPE="busybox"\nSUITE="x y"\n' >"$RECIPES/bad.recipe"
expect_rc 21 vz template build bad
assert_contains "$LAST_ERR" "bad.recipe:2" "a bad recipe value names file:line"
printf 'TYPE="busybox"\nCOLOUR="blue"\n' >"$RECIPES/bad.recipe"
expect_rc 21 vz template build bad
assert_contains "$LAST_ERR" "unknown key COLOUR" "an unknown recipe key is refused"

# ---- export and import round trips
formats="tar.gz tar.xz"
command -v zstd >/dev/null && formats="$formats tar.zst"
for f in $formats; do
        n=bb-${f#tar.}
        expect_rc 0 vz template export busybox "$TEST_TMP/busybox.$f"
        expect_rc 0 vz template import "$TEST_TMP/busybox.$f" --name "$n"
        assert_eq "$(tree_digest "$TDIR/$n/current/rootfs")" "$(tree_digest "$TDIR/busybox/current/rootfs")" \
                "$f round trip: same names, types, owners, modes, sizes and links"
        assert_true "$f round trip: same contents" diff -r --no-dereference "$TDIR/$n/current/rootfs" \
                "$TDIR/busybox/current/rootfs"
done
expect_rc 0 vz template import "$TEST_TMP/busybox.tar.xz"
assert_eq "$(gens busybox | wc -l)" 3 "importing busybox.tar.xz without --name made template busybox a generation"
# (the name comes from the file: busybox.tar.xz is template busybox)
expect_rc 0 vz template list -j
assert_match "$(json_get '[t["source"] for t in j if t["name"] == "bb-gz"][0]')" '^import .*busybox\.tar\.gz$' \
        "list -j: an imported template names its tarball"
echo "not a tarball" >"$TEST_TMP/junk.tar.gz"
expect_rc 21 vz template import "$TEST_TMP/junk.tar.gz" --name junk
expect_rc 21 vz template import "$TEST_TMP/missing.tar.gz"
expect_rc 21 vz template export busybox "$TEST_TMP/busybox.zip"
expect_rc 91 vz template export nosuch "$TEST_TMP/x.tar"
expect_rc 0 vz create 103 --ostemplate bb-gz
expect_rc 0 vz start 103
expect_rc 0 vz exec2 103 test -x /sbin/init
expect_rc 0 vz stop 103 --fast

# ---- remove
expect_rc 84 vz template remove busybox
assert_contains "$LAST_ERR" "101" "remove names the CTs using the template"
assert_true "exit code 84 is documented" exit_code_documented 84
assert_true "a refused remove keeps the template" test -d "$TDIR/busybox/$(current busybox)/rootfs"
expect_rc 0 vz template remove bb-xz
assert_true "remove deletes the template" test ! -e "$TDIR/bb-xz"
expect_rc 0 vz template list
assert_true "a removed template is not listed" test -z "$(grep '^bb-xz ' <<<"$LAST_OUT")"
expect_rc 91 vz template remove bb-xz

# ---- copy layout: independent of its template
expect_rc 0 vz template import "$TEST_TMP/busybox.tar.gz" --name cp-src
expect_rc 0 vz create 110 --ostemplate cp-src --layout copy
assert_contains "$(cat "$(conf_of 110)")" 'VE_LAYOUT="copy"' "create --layout copy writes VE_LAYOUT"
assert_true "a copy has no lower link" test ! -e "$PRIVATE_DIR/110/lower" -a ! -L "$PRIVATE_DIR/110/lower"
assert_eq "$(tree_digest "$PRIVATE_DIR/110/fs")" "$(tree_digest "$TDIR/cp-src/current/rootfs")" \
        "the copy has the template's names, owners, modes and links"
expect_rc 0 vz template list -j
assert_eq "$(json_get '[t["cts"] for t in j if t["name"] == "cp-src"][0]')" "[]" "a copy does not use its template"
expect_rc 0 vz template remove cp-src
expect_rc 0 vz start 110
expect_rc 0 vz exec2 110 'echo mine > /root/file; test -x /bin/busybox'
expect_rc 0 vz stop 110 --fast
assert_eq "$(cat "$PRIVATE_DIR/110/fs/root/file" 2>/dev/null)" "mine" "the CT writes into its own copy"
expect_rc 21 vz create 111 --ostemplate busybox --layout zfs

# ---- an interrupted create's debris does not stop the next create
mkdir -p "$PRIVATE_DIR/.120.creating/fs"
new_ct 120 --layout copy
assert_true "the debris is gone" test ! -e "$PRIVATE_DIR/.120.creating"

# ---- a CT whose config cannot be read might use any generation: a rebuild prunes nothing
cp "$(conf_of 102)" "$TEST_TMP/102.conf"
echo 'ONBOOT="perhaps"' >>"$(conf_of 102)"
before=$(gens busybox | wc -l)
expect_rc 0 vz template rebuild busybox
assert_contains "$LAST_ERR" "not pruned" "a rebuild says it could not prune"
assert_eq "$(gens busybox | wc -l)" $((before + 1)) "nothing was pruned while CT 102's config is unreadable"
expect_rc 3 vz template remove busybox
assert_contains "$LAST_ERR" "CT 102" "remove names the CT it cannot read"
expect_rc 0 vz template list
cp "$TEST_TMP/102.conf" "$(conf_of 102)"

# ---- once its CTs are gone, a generation is pruned by the next rebuild
expect_rc 0 vz destroy 101
expect_rc 0 vz template rebuild busybox
assert_true "the generation CT 101 used is pruned once 101 is destroyed" test ! -e "$TDIR/busybox/$G1"
assert_true "the generation CT 102 uses is kept" test -d "$TDIR/busybox/$G4/rootfs"

# ---- TEMPLATE outside the prefix (a shared cache): provisioning creates var/lib/vpsctl, and the path
# to VE_ROOT must stay traversable for a CT whose root is an unprivileged id on the host
P2=$VPSCTL_PREFIX/p2
mkdir -p "$P2/etc/vpsctl"
echo "TEMPLATE=\"$TDIR\"" >"$P2/etc/vpsctl/vpsctl.conf"
VPSCTL_PREFIX=$P2 expect_rc 0 vz create 150 --ostemplate busybox
assert_eq "$(stat -c %a "$P2/var" "$P2/var/lib" "$P2/var/lib/vpsctl" | tr '\n' ' ')" "755 755 755 " \
        "the directories above the private areas are 0755"
assert_eq "$(stat -c %a "$P2/var/lib/vpsctl/private")" 700 "the directory of the private areas is 0700"
VPSCTL_PREFIX=$P2 expect_rc 0 vz start 150
VPSCTL_PREFIX=$P2 expect_rc 0 vz exec2 150 test -x /bin/busybox
VPSCTL_PREFIX=$P2 expect_rc 0 vz stop 150 --fast
VPSCTL_PREFIX=$P2 expect_rc 0 vz destroy 150

done_testing
