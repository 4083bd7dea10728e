#!/usr/bin/env bash
# Install Debian's headless-capable Chromium and ChromeDriver for the docs-site browser test
# (tests/python/test_docs.py). Idempotent and quiet: does nothing when both are already there.
# Never fails the build: when they cannot be installed (no root, no apt-get, no network) it says why
# and exits 0, and the browser test then skips itself with the same reason.
set -u

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER_PATH:-/usr/bin/chromedriver}

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    exit 0
fi

skip() {
    echo "install_browser: $1; the browser test will be skipped." >&2
    exit 0
}

command -v apt-get >/dev/null 2>&1 || skip "apt-get not found (not a Debian-like system): install chromium and chromedriver yourself"
[[ "$(id -u)" -eq 0 ]] || skip "not root, cannot apt-get install chromium chromium-driver (run: sudo $0)"

echo "install_browser: installing Debian chromium and chromium-driver (once; takes a minute) ..."
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    rm -f "$log"
    skip "apt-get update failed"
fi
if ! apt-get install -y -qq --no-install-recommends chromium chromium-driver >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    rm -f "$log"
    skip "apt-get install chromium chromium-driver failed"
fi
rm -f "$log"

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    echo "install_browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
else
    skip "apt-get finished but $CHROMIUM or $CHROMEDRIVER is missing"
fi
