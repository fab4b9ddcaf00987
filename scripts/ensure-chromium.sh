#!/usr/bin/env bash
# Make sure the headless browser for the end-to-end and accessibility tests is installed:
# Debian's chromium at CHROMIUM_PATH (default /usr/bin/chromium), which Playwright's Python
# package drives through `executable_path` (Playwright's own browser download is not used).
# As root, a missing browser is installed from Debian's `chromium` package; otherwise stop with
# a message naming the package.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}

say() { printf 'chromium: %s\n' "$*"; }
die() { printf 'chromium: ERROR: %s\n' "$*" >&2; exit 1; }

# apt_install PKG... : install Debian packages as root, running `apt-get update` at most once
# per invocation (the stamp file named by KP_APT_STAMP is shared by all ensure-* scripts).
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        die "Debian package(s) needed: $*. Install them with: sudo apt-get install -y $*"
    fi
    command -v apt-get >/dev/null || die "apt-get not found; install $* with your system's package manager"
    export DEBIAN_FRONTEND=noninteractive
    local stamp=${KP_APT_STAMP:-}
    if [ -z "$stamp" ] || [ ! -e "$stamp" ]; then
        say "apt-get update"
        apt-get -q -o DPkg::Lock::Timeout=900 update
        if [ -n "$stamp" ]; then : >"$stamp"; fi
    fi
    say "apt-get install -y $*"
    apt-get -q -y -o DPkg::Lock::Timeout=900 install "$@"
}

if [ ! -x "$chromium" ]; then
    if [ "$chromium" != /usr/bin/chromium ]; then
        die "CHROMIUM_PATH=$chromium is not an executable file"
    fi
    say "not installed"
    apt_install chromium
    [ -x "$chromium" ] || die "the chromium package did not provide $chromium"
fi

# Debian's wrapper script prints shell noise on stderr; only the version line matters.
version=$("$chromium" --version 2>/dev/null || true)
[ -n "$version" ] || die "$chromium does not run (\`$chromium --version\` printed nothing)"
say "ok, $version at $chromium"
