#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser test (tests/browser/).
#
# The test drives the system Chromium through Playwright (executable_path=/usr/bin/chromium);
# it never downloads a browser. If /usr/bin/chromium (or $AELIB_CHROMIUM) is missing and we are
# root on a Debian/Ubuntu system, install the `chromium` package with apt-get; otherwise explain
# what to do and exit non-zero.
set -euo pipefail
CHROMIUM="${AELIB_CHROMIUM:-/usr/bin/chromium}"

if [[ -x "$CHROMIUM" ]]; then
    echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "error: $CHROMIUM not found, and installing it needs root." >&2
    echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium" >&2
    echo "  or set AELIB_CHROMIUM to an existing Chromium binary." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $CHROMIUM not found and apt-get is not available on this system." >&2
    echo "  Install Chromium with your package manager, then set AELIB_CHROMIUM to its path." >&2
    exit 1
fi

echo "chromium: installing Debian's chromium package with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
if [[ ! -x "$CHROMIUM" ]]; then
    echo "error: apt-get installed chromium, but $CHROMIUM is still missing." >&2
    exit 1
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null)"
