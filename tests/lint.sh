#!/bin/sh
# Static analysis with zero findings: cppcheck (tests/cppcheck.supp) and clang-tidy (.clang-tidy) over the
# compile_commands.json of a build. Usage: tests/lint.sh BUILD_DIR SOURCE_DIR
# Exits 77 when a tool is missing (a failure under VPSCTL_MUST_WORK=1: scripts/install-deps --tests
# installs both).
set -u
build=$1
src=$2
missing=""
command -v cppcheck >/dev/null 2>&1 || missing="$missing cppcheck"
command -v run-clang-tidy >/dev/null 2>&1 || missing="$missing run-clang-tidy(clang-tidy)"
if [ -n "$missing" ]; then
        echo "SKIP: not installed:$missing (scripts/install-deps --tests)"
        [ "${VPSCTL_MUST_WORK:-0}" = 1 ] && exit 1
        exit 77
fi
if [ ! -f "$build/compile_commands.json" ]; then
        echo "FAIL: $build/compile_commands.json is missing (CMAKE_EXPORT_COMPILE_COMMANDS)"
        exit 1
fi
cd "$src" || exit 1
rc=0
out=$(mktemp)
supp=$(mktemp)
trap 'rm -f "$out" "$supp"' EXIT
# cppcheck 2.10 takes no comments in a suppressions list: the reasons stay in the file, not in what it reads
grep -vE '^(#|$)' tests/cppcheck.supp >"$supp"

# cppcheck: the checks that find bugs; style opinions are clang-format's and the reviewers' business
cppcheck --project="$build/compile_commands.json" --enable=warning,performance,portability \
        --inline-suppr --suppressions-list="$supp" --suppress='*:/usr/*' -i "$build" \
        --quiet --template='{file}:{line}: {severity}: {message} [{id}]' --error-exitcode=2 -j2 >"$out" 2>&1
k=$?
n=$(grep -c ': ' "$out")
cat "$out"
if [ "$k" -ne 0 ] || [ "$n" -ne 0 ]; then
        echo "not ok - cppcheck: $n findings (exit $k)"
        rc=1
else
        echo "ok - cppcheck: 0 findings"
fi

# clang-tidy: the project's sources (not the generated ones in the build tree)
run-clang-tidy -p "$build" -j2 -quiet "$src/(base|cgroups|netns|templates|runtime|tests|bench)/" >"$out" 2>&1
k=$?
n=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -cE '^[^ ]+:[0-9]+:[0-9]+: (warning|error):')
if [ "$k" -ne 0 ] || [ "$n" -ne 0 ]; then
        sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' | sort -u
        echo "not ok - clang-tidy: $n findings (exit $k)"
        rc=1
else
        echo "ok - clang-tidy: 0 findings"
fi
exit $rc
