#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint renders PDF reports with are installed: Pango
# (text layout, with HarfBuzz and fontconfig) and a font with Finnish and Swedish letters
# (DejaVu). As root, missing packages are installed from Debian; otherwise stop naming them.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

name=pdf-libs
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
apt_install "${missing[@]}"
