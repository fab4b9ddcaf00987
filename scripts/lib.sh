# Shared by the scripts/ensure-*.sh scripts (sourced after they set `name`, the prefix of their
# messages) and by the Makefile (`bash scripts/lib.sh NAME apt_install PACKAGE...`).
#
# apt-get update runs at most once per `make` / .ci/run invocation: the first install creates the
# stamp file named by KP_APT_STAMP, and every later one sees it and skips the update.

say() { printf '%s: %s\n' "$name" "$*"; }
die() { printf '%s: ERROR: %s\n' "$name" "$*" >&2; exit 1; }

# apt_install PKG... : install Debian packages as root, or stop with a message naming them.
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

# Run as a command (from the Makefile): NAME FUNCTION ARGS...
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    name=$1
    shift
    "$@"
fi
