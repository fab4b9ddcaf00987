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

name=chromium
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
