#!/usr/bin/env bash
# Make sure Node.js and npm are installed and the project's npm test dependencies (axe-core,
# pinned in package-lock.json) are in node_modules/. Node.js only supplies test assets: the
# accessibility tests inject node_modules/axe-core/axe.min.js into pages; nothing is served.
#
# As root, missing Node.js/npm come from Debian's `nodejs` and `npm` packages; otherwise stop
# with a message naming them. `npm ci` runs when node_modules/axe-core is missing or
# package-lock.json changed since the last install.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

name=node
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    say "not installed: ${missing[*]}"
    apt_install "${missing[@]}"
fi
say "ok, Node.js $(node --version), npm $(npm --version)"

[ -f package.json ] || die "package.json not found in $(pwd)"

# npm writes node_modules/.package-lock.json on every install: older than package-lock.json
# means the lock changed (e.g. after a pull) and the tree must be rebuilt.
need_install=
if [ ! -f node_modules/axe-core/axe.min.js ]; then
    need_install=yes
elif [ -f package-lock.json ] && [ -f node_modules/.package-lock.json ] &&
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    need_install=yes
fi

if [ -n "$need_install" ]; then
    npm_flags=(--no-audit --no-fund --no-update-notifier)
    if [ -f package-lock.json ]; then
        say "npm ci"
        npm ci "${npm_flags[@]}"
    else
        say "npm install (no package-lock.json)"
        npm install "${npm_flags[@]}"
    fi
    [ -f node_modules/axe-core/axe.min.js ] || die "node_modules/axe-core/axe.min.js missing after npm install"
fi
say "ok, axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')"
