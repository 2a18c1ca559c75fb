#!/bin/sh
# One command from a fresh Debian 12 host to a running CT: install build dependencies, build,
# install vpsctl, create CT 101 from the built-in busybox template (offline) and start it.
# Usage: sudo ./demo.sh
set -eu
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (sudo ./demo.sh)" >&2; exit 1; }
scripts/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
cmake --install build
VPSCTL=/usr/local/sbin/vpsctl
if ! "$VPSCTL" status 101 | grep -q ' exist '; then
        "$VPSCTL" create 101 --ostemplate busybox --hostname demo.example.com --description "vpsctl demo"
fi
"$VPSCTL" status 101 | grep -q ' running' || "$VPSCTL" start 101 --wait
"$VPSCTL" list -a
"$VPSCTL" exec 101 'echo "hello from $(hostname), init is: $(cat /proc/1/comm)"; ps'
echo
echo "CT 101 is running. Try: vpsctl enter 101 | vpsctl exec 101 ls / | vpsctl stop 101 | vpsctl destroy 101"
