#!/usr/bin/env bash
# Make sure PostgreSQL answers at DATABASE_URL and that its database exists.
# Default: postgres://postgres@127.0.0.1:5432/kuntaportaali (what `make test` and .ci/run use).
#
# - DATABASE_URL is not PostgreSQL (e.g. the demo's sqlite): nothing to do.
# - Reachable already: only create the database if it is missing.
# - Local address, a cluster exists but is stopped: start the newest cluster with pg_ctlcluster.
# - Local address, PostgreSQL not installed: as root, install Debian's postgresql package, allow
#   password-less ("trust") connections from 127.0.0.1/::1 to that fresh test cluster, start it;
#   otherwise stop with a message naming the package.
# - Remote address that does not answer: stop with a message.
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

PYTHON=${PYTHON:-python3}
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kuntaportaali}

name=postgres
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# scheme, host ("" = Unix socket), port, user, password, database name; separated by the ASCII
# unit separator (not whitespace) so that empty fields survive `read`.
IFS=$'\x1f' read -r scheme host port user password dbname < <("$PYTHON" - "$url" <<'PY'
import sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
print("\x1f".join([
    u.scheme or "-",
    unquote(u.hostname or ""),
    str(u.port or 5432),
    unquote(u.username or "postgres"),
    unquote(u.password or ""),
    unquote(u.path.lstrip("/")) or "kuntaportaali",
]))
PY
)

case $scheme in
    postgres | postgresql | pgsql | postgis) ;;
    *)
        say "DATABASE_URL is not PostgreSQL ($scheme://...); nothing to do"
        exit 0
        ;;
esac

where=${host:-local socket}:$port
host_args=(-p "$port")
if [ -n "$host" ]; then host_args+=(-h "$host"); fi

reachable() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q "${host_args[@]}"
    else
        # No client tools (yet): a TCP connect tells whether a server listens.
        "$PYTHON" -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)' "${host:-127.0.0.1}" "$port"
    fi
}

wait_ready() {
    local _
    for _ in $(seq 1 60); do
        reachable && return 0
        sleep 0.5
    done
    return 1
}

newest_version() {
    # Newest installed cluster version with a "main" cluster, e.g. 15.
    local v
    v=$(find /etc/postgresql -mindepth 2 -maxdepth 2 -name main -type d 2>/dev/null |
        awk -F/ '{print $4}' | sort -V | tail -1)
    printf '%s' "$v"
}

start_cluster() {
    local version
    version=$(newest_version)
    [ -n "$version" ] || die "no PostgreSQL cluster found under /etc/postgresql (create one: pg_createcluster <version> main)"
    local cport status
    if command -v pg_lsclusters >/dev/null; then
        read -r cport status < <(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3, $4}')
        case ${status:-} in
            online*) die "cluster $version/main is running on port $cport, but nothing answers at $where: check DATABASE_URL" ;;
        esac
    fi
    say "starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
        die "could not start cluster $version/main; as root run: pg_ctlcluster --skip-systemctl-redirect $version main start"
}

# A freshly installed Debian cluster asks for a password over TCP; the test URL has none.
# Only for a cluster this script has just installed: trust local TCP connections.
trust_local_tcp() {
    local version hba
    version=$(newest_version)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    [ -f "$hba" ] || return 0
    grep -q '^# kuntaportaali: trust local TCP' "$hba" && return 0
    say "allowing password-less connections from 127.0.0.1 and ::1 in $hba (fresh test cluster)"
    local tmp
    tmp=$(mktemp)
    {
        echo '# kuntaportaali: trust local TCP (added by scripts/ensure-postgres.sh on a fresh install)'
        echo 'host    all    all    127.0.0.1/32    trust'
        echo 'host    all    all    ::1/128         trust'
        cat "$hba"
    } >"$tmp"
    cat "$tmp" >"$hba"
    rm -f "$tmp"
    if reachable; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
}

if reachable; then
    say "ok, answering at $where"
else
    case $host in
        "" | 127.* | localhost | ::1) ;;
        *) die "no PostgreSQL answers at $where (from DATABASE_URL); start it there or point DATABASE_URL elsewhere" ;;
    esac
    if [ -n "$(newest_version)" ] && command -v pg_ctlcluster >/dev/null; then
        start_cluster
    else
        say "PostgreSQL server is not installed"
        apt_install postgresql
        trust_local_tcp
        # Debian's package may have started the cluster already (on machines with an init system).
        reachable || start_cluster
    fi
    wait_ready || die "PostgreSQL was started but does not answer at $where"
    say "ok, answering at $where"
fi

command -v psql >/dev/null || apt_install postgresql-client

export PGPASSWORD=$password PGCONNECT_TIMEOUT=5
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 "${host_args[@]}" -U "$user" -d postgres -v dbname="$dbname")

if ! exists=$("${psql_admin[@]}" -tA <<<"select 1 from pg_database where datname = :'dbname'" 2>&1); then
    die "cannot log in as '$user' at $where: $exists
  The tests expect password-less (trust) access for 127.0.0.1, or put the password into DATABASE_URL
  (postgres://USER:PASSWORD@HOST:PORT/DBNAME)."
fi
if [ "$exists" = 1 ]; then
    say "database '$dbname' exists"
else
    "${psql_admin[@]}" <<<'create database :"dbname"'
    say "created database '$dbname'"
fi
