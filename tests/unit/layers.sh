#!/bin/sh
# The layer map of docs/design.md, checked on the built objects (what calls what, not what includes what):
#   - base/ calls none of the modules; cgroups/, netns/ and templates/ call none of each other;
#   - runtime/ (the engine) is a DAG of files in four groups: config -> core -> mechanisms -> verbs; a file
#     calls only its own group or those below it, and no two files call each other in a circle;
#   - the front ends (runtime/cli/) call the engine only through runtime/engine.h (and the config.h it
#     includes), never a module below it, except the free and format helpers of the types engine.h hands
#     out; their sources include only cli.h, runtime/engine.h and base/.
# Usage: layers.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
failed=0
passed=0
ok() {
        echo "ok - $*"
        passed=$((passed + 1))
}
fail() {
        echo "not ok - $*"
        failed=$((failed + 1))
}

command -v nm >/dev/null || { echo "skip - nm (binutils) is not installed"; exit 77; }
command -v tsort >/dev/null || { echo "skip - tsort (coreutils) is not installed"; exit 77; }

lib() { find "$build/$1" -maxdepth 1 -name "libvpsctl_$2.a" | head -n 1; }
undefined() { nm -u "$@" 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u; }

# --- the modules below the engine ---
check_module() { # NAME DIR forbidden-prefix-regex
        l=$(lib "$2" "$1")
        [ -n "$l" ] || { fail "libvpsctl_$1.a is not built under $build/$2"; return; }
        bad=$(undefined "$l" | grep -E "$3" | tr '\n' ' ')
        if [ -n "$bad" ]; then fail "$1/ calls another module: $bad"; else ok "$1/ calls no other module"; fi
}
check_module base base '^(cg|nl|netns|tmpl|ct)_'
check_module cgroups cgroups '^(nl|netns|tmpl|ct)_'
check_module netns netns '^(cg|tmpl|ct)_'
check_module templates templates '^(cg|nl|netns|ct)_'

# --- the engine: groups, bottom up ---
group_of() {
        case $1 in
        config-values | config-net | config-security | config-keys | config | exitcodes | samples-builtin | oci-spec) echo 0 ;;
        ct | sealed | samples | lxcfs) echo 1 ;;
        userns | caps | seccomp | devices | resources | disk | net | rate | guest | spawn-mount | spawn | exec | actions | console | oci-seccomp | oci-hooks | oci-child) echo 2 ;;
        lifecycle | templates | autostart | passwd | metrics | import | oci | oci-from-ct) echo 3 ;;
        *) echo "" ;;
        esac
}
objdir=$build/runtime/CMakeFiles/vpsctl_runtime.dir
[ -d "$objdir" ] || { fail "no engine objects in $objdir"; objdir=""; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if [ -n "$objdir" ]; then
        for o in "$objdir"/*.o; do
                f=$(basename "$o" .c.o)
                nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print $3, f }'
        done | sort >"$tmp/defs"
        : >"$tmp/edges"
        for o in "$objdir"/*.o; do
                f=$(basename "$o" .c.o)
                [ -n "$(group_of "$f")" ] || fail "runtime/$f.c is in no group of the layer map (tests/unit/layers.sh)"
                undefined "$o" | join - "$tmp/defs" | awk -v f="$f" '$2 != f { print f, $2, $1 }' >>"$tmp/edges"
        done
        upward=$(while read -r from to sym; do
                gf=$(group_of "$from")
                gt=$(group_of "$to")
                [ -n "$gf" ] && [ -n "$gt" ] && [ "$gt" -gt "$gf" ] && echo "$from.c -> $to.c ($sym)"
        done <"$tmp/edges")
        if [ -n "$upward" ]; then
                fail "engine calls that point up the layer map: $upward"
        else
                ok "no engine file calls a group above its own ($(wc -l <"$tmp/edges") calls between files)"
        fi
        if awk '{ print $2, $1 }' "$tmp/edges" | sort -u | tsort >/dev/null 2>"$tmp/tsort"; then
                ok "the engine's files call each other without a circle"
        else
                fail "a circle among the engine's files: $(tr '\n' ' ' <"$tmp/tsort")"
        fi
fi

# --- the front ends ---
clidir=$build/runtime/cli/CMakeFiles/vpsctl.dir
if [ -d "$clidir" ]; then
        bad=$(undefined "$clidir"/*.o | grep -E '^(cg|nl|netns|tmpl)_' |
                grep -vxE 'tmpl_(info_free|build_result_done|recipe_free|type_to_string)' | tr '\n' ' ')
        if [ -n "$bad" ]; then fail "the CLI calls below the engine: $bad"; else ok "the CLI calls no module below the engine"; fi
        api=$(cat "$src/runtime/engine.h" "$src/runtime/config.h" "$src/runtime/exitcodes.h")
        internal=$(undefined "$clidir"/*.o | join - "$tmp/defs" | while read -r sym file; do
                printf '%s\n' "$api" | grep -qw -- "$sym" || echo "$sym ($file.c)"
        done | tr '\n' ' ')
        if [ -n "$internal" ]; then
                fail "the CLI calls engine internals not in engine.h: $internal"
        else
                ok "the CLI calls the engine only through engine.h"
        fi
else
        fail "no CLI objects in $clidir"
fi
includes=$(grep -HE '^#include "' "$src"/runtime/cli/*.c "$src"/runtime/cli/*.h |
        grep -vE '#include "(cli\.h|runtime/engine\.h|base/[a-z-]+\.h)"' | tr '\n' ' ')
if [ -n "$includes" ]; then fail "CLI sources include below the engine: $includes"; else ok "CLI sources include only engine.h and base/"; fi
getopt=$(grep -lE 'getopt' "$src"/runtime/*.c "$src"/cgroups/*.c "$src"/netns/*.c "$src"/templates/*.c 2>/dev/null | tr '\n' ' ')
if [ -n "$getopt" ]; then fail "argv parsing below the CLI: $getopt"; else ok "no argv parsing below the CLI"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
