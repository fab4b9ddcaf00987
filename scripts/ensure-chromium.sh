#!/usr/bin/env bash
# Make sure the headless browser for the end-to-end and accessibility tests is installed:
# Debian's Chromium at CHROMIUM_PATH (default /usr/bin/chromium-headless-shell, from Debian's
# `chromium-headless-shell` package: the same Chromium built as its headless shell, the build
# Playwright itself runs headless tests on, at about half the CPU of the full browser's headless
# mode), which Playwright's Python package drives through `executable_path` (Playwright's own
# browser download is not used). CHROMIUM_PATH=/usr/bin/chromium drives the full browser instead.
# As root, a missing default browser is installed from its Debian package; otherwise stop with a
# message naming the package.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

declare -A packages=([/usr/bin/chromium-headless-shell]=chromium-headless-shell [/usr/bin/chromium]=chromium)
chromium=${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}

name=chromium
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ ! -x "$chromium" ]; then
    package=${packages[$chromium]:-}
    [ -n "$package" ] || die "CHROMIUM_PATH=$chromium is not an executable file"
    say "not installed"
    apt_install "$package"
    [ -x "$chromium" ] || die "the $package package did not provide $chromium"
fi

# Debian's wrapper script prints shell noise on stderr; only the version line matters.
version=$("$chromium" --version 2>/dev/null || true)
[ -n "$version" ] || die "$chromium does not run (\`$chromium --version\` printed nothing)"
say "ok, $version at $chromium"
