#!/usr/bin/env bash
# Make sure Redis answers at REDIS_URL (default redis://127.0.0.1:6379/0).
#
# - Reachable already: nothing to do.
# - A local address and redis-server installed: start it (no persistence, bound to 127.0.0.1).
# - A local address and Redis not installed: as root, install Debian's redis-server package and
#   start it; otherwise stop with a message naming the package.
# - A remote address that does not answer: stop with a message (we never start remote services).
#
# apt-get update runs at most once per `make` / .ci/run invocation (see KP_APT_STAMP).
set -euo pipefail

PYTHON=${PYTHON:-python3}
url=${REDIS_URL:-redis://127.0.0.1:6379/0}

name=redis
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -r scheme host port < <("$PYTHON" - "$url" <<'PY'
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
print(u.scheme or "-", u.hostname or "127.0.0.1", u.port or 6379)
PY
)

case $scheme in
    redis | rediss) ;;
    *) die "REDIS_URL must be redis://host:port/db or rediss://... (got scheme '$scheme')" ;;
esac

# Any RESP reply to PING counts as reachable ("+PONG", or "-NOAUTH ..." for a password-protected
# server, whose password is then REDIS_URL's business). For rediss:// a TCP connect is enough.
reachable() {
    "$PYTHON" - "$host" "$port" "$scheme" <<'PY'
import socket, sys
host, port, scheme = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    with socket.create_connection((host, port), timeout=2) as s:
        if scheme == "rediss":
            sys.exit(0)
        s.sendall(b"PING\r\n")
        reply = s.recv(64)
except OSError:
    sys.exit(1)
sys.exit(0 if reply[:1] in (b"+", b"-") else 1)
PY
}

wait_ready() {
    local _
    for _ in $(seq 1 50); do
        reachable && return 0
        sleep 0.2
    done
    return 1
}

if reachable; then
    say "ok, answering at $host:$port"
    exit 0
fi

case $host in
    127.* | localhost | ::1) ;;
    *) die "no Redis answers at $host:$port (from REDIS_URL); start it there or point REDIS_URL elsewhere" ;;
esac

if ! command -v redis-server >/dev/null; then
    say "redis-server is not installed"
    apt_install redis-server
    # Debian's package may have started its own service already.
    if wait_ready; then
        say "ok, answering at $host:$port (started by the redis-server package)"
        exit 0
    fi
fi

say "starting redis-server on 127.0.0.1:$port (no persistence)"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" >/dev/null ||
    die "could not start redis-server; start Redis on $host:$port yourself"
wait_ready || die "redis-server was started but does not answer at $host:$port"
say "ok, answering at $host:$port"
