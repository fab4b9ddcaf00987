#!/usr/bin/env bash
# Run the Kuntaportaali demo: web server, RQ worker and RQ cron scheduler together.
# Called by `make demo`, which has already created .venv and installed requirements.txt.
#
#   1. makes sure Redis answers (scripts/ensure-redis.sh; PostgreSQL too if DATABASE_URL says so)
#   2. manage.py migrate --noinput, manage.py seed_demo (prints the demo logins)
#   3. starts, each in its own process group, with prefixed output:
#        [web]    manage.py runserver 127.0.0.1:8000
#        [worker] manage.py rqworker dialer populus reports email imports --with-scheduler
#        [cron]   manage.py rqcron kuntaportaali.cron
#   4. Ctrl-C (SIGINT) or SIGTERM stops all three; if one of them dies, the others are stopped.
#
# Environment: DATABASE_URL and REDIS_URL are respected (defaults: SQLite db.sqlite3 and
# redis://127.0.0.1:6379/0), DEMO_PORT (default 8000), DEMO_PASSWORD (passed to seed_demo
# --password; by default seed_demo picks and prints its own).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=.venv/bin/python
port=${DEMO_PORT:-8000}
url="http://127.0.0.1:$port/"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '%sdemo:%s %s\n' "$bold" "$plain" "$*"; }
die() { printf 'demo: ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "$PY not found: run \`make demo\` (it creates .venv first)"

# Links in emails and Twilio callbacks point at PUBLIC_BASE_URL; follow a non-default port.
if [ "$port" != 8000 ] && [ -z "${PUBLIC_BASE_URL:-}" ]; then
    export PUBLIC_BASE_URL="http://127.0.0.1:$port"
fi
export PYTHONUNBUFFERED=1 # the prefixing pipes would otherwise hold back log lines

port_in_use() {
    "$PY" -c 'import socket, sys
s = socket.socket()
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$port"
}

scripts/ensure-redis.sh
scripts/ensure-pdf-libs.sh
case ${DATABASE_URL:-} in
    postgres* | pgsql* | postgis*) scripts/ensure-postgres.sh ;;
esac

port_in_use && die "127.0.0.1:$port is already in use (another demo running?). Stop it or set DEMO_PORT."

say "migrating the database"
"$PY" manage.py migrate --noinput
say "creating demo users and data"
seed_args=()
if [ -n "${DEMO_PASSWORD:-}" ]; then seed_args=(--password "$DEMO_PASSWORD"); fi
"$PY" manage.py seed_demo "${seed_args[@]}"

pids=()
names=()

# start NAME CMD... : run CMD as leader of its own process group (setsid), so that stopping it
# also stops its children (runserver's autoreloader child, the worker's work horses). Its output
# goes through `sed`, which ignores SIGINT/SIGTERM so that the last lines still come through and
# ends by itself when the process group closes the pipe.
start() {
    local name=$1
    shift
    setsid "$@" > >(trap '' INT TERM; exec sed -u "s/^/[$name] /") 2>&1 &
    pids+=("$!")
    names+=("$name")
}

stopping=
stop_all() {
    [ -n "$stopping" ] && return 0
    stopping=yes
    local pid _
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    # Give them up to 10 s to finish (the worker completes its current job), then force.
    for _ in $(seq 1 50); do
        local alive=
        for pid in "${pids[@]}"; do
            if kill -0 -- "-$pid" 2>/dev/null; then alive=yes; fi
        done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    say "stopped"
}
trap 'say "stopping..."; stop_all; exit 0' INT
trap 'say "stopping..."; stop_all; exit 143' TERM
trap 'stop_all' EXIT

start web "$PY" manage.py runserver "127.0.0.1:$port"
start worker "$PY" manage.py rqworker dialer populus reports email imports --with-scheduler
start cron "$PY" manage.py rqcron kuntaportaali.cron

# Tell where to go once the web server answers (at most ~30 s).
for _ in $(seq 1 150); do
    port_in_use && break
    sleep 0.2
done
cat <<MSG

  Kuntaportaali demo is running:
    residents' page  $url
    staff pages      ${url}staff/   (log in with a demo login printed above)
    Django admin     ${url}admin/   (RQ dashboard: ${url}admin/django_rq/dashboard/)
    health           ${url}healthz
  Press Ctrl-C to stop the web server, the worker and the cron scheduler.

MSG

# Run until one process ends (then stop the others) or a signal arrives (the traps stop all).
set +e
wait -n "${pids[@]}"
rc=$?
set -e
for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        say "${names[$i]} exited (status $rc); stopping the others"
        break
    fi
done
stop_all
exit "$rc"
