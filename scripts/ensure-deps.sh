#!/bin/sh
# Installs the C libraries Tally builds against (SQLite and libedit headers, pkg-config) when
# they are missing, with apt-get as root or through sudo, and says so. Changes nothing otherwise.
set -eu

missing=""
for pkg in libsqlite3-dev libedit-dev pkg-config; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "tally: missing build dependencies:$missing — install them with your package manager (they provide sqlite3.h, histedit.h and pkg-config)." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "tally: missing build dependencies:$missing — run as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "tally: installing build dependencies with apt-get:$missing" >&2
log=$(mktemp)
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "tally: apt-get failed (output above); install$missing by hand and run this again." >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"
echo "tally: build dependencies installed:$missing" >&2
