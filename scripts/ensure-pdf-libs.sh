#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint renders PDF reports with are installed: Pango
# (text layout, with HarfBuzz and fontconfig) and a font with Finnish and Swedish letters
# (DejaVu). As root, missing packages are installed from Debian; otherwise stop naming them.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

say() { printf 'pdf-libs: %s\n' "$*"; }
die() { printf 'pdf-libs: ERROR: %s\n' "$*" >&2; exit 1; }

packages=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    say "Pango and DejaVu fonts present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    die "Debian package(s) needed: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
fi
command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} with your system's package manager"
export DEBIAN_FRONTEND=noninteractive
stamp=${KP_APT_STAMP:-}
if [ -z "$stamp" ] || [ ! -e "$stamp" ]; then
    say "apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=900 update
    if [ -n "$stamp" ]; then : >"$stamp"; fi
fi
say "apt-get install -y ${missing[*]}"
apt-get -q -y -o DPkg::Lock::Timeout=900 install "${missing[@]}"
