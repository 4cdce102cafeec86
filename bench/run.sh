#!/usr/bin/env bash
# Load benchmark of a LocalSphere server with wrk.
#
#   bench/run.sh sqlite 1
#   bench/run.sh postgresql 2
#
# Starts `localsphere serve` on free loopback ports (port 0, read back from the banner) in a
# throw-away data directory (and, for postgresql, a throw-away database), signs in with curl,
# then runs wrk over HTTPS (keep-alive; BENCH_HTTP=1: plain HTTP) against
#   health  GET  /_localsphere/health   (no database, no auth: the server's raw ceiling)
#   vc-session GET /api/session         (a vCenter session id: the cheapest authenticated call)
#   vc-vm   GET  /api/vcenter/vm/{vm}   (a session, a privilege check on the VM, its details)
#   vc-rest-vm GET /rest/vcenter/vm/{vm} (the same in the legacy REST encoding: maps as key/value lists)
#   vc-login POST /api/session          (the same Basic credentials each time, as Ansible signs in)
#   users   GET  /v1/users              (bearer token: JWT check + database reads)
#   tokens  POST /v1/tokens             (argon2 password verify + token rows written)
#   ops-resources GET /suite-api/api/resources?pageSize=100   (OpsToken; a page of resources)
#   ops-stats     GET /suite-api/api/resources/{host}/stats   (a host's day of CPU samples, summed
#                                                              from its VMs)
#   vim-content   POST /sdk RetrieveServiceContent   (vim25 SOAP, no session: vcsim's usual figure)
# and, when asked for (not in the default list), vRealize Automation's identity service:
#   vra-token      HEAD /identity/api/tokens/{id}   (a vRA bearer token validated: a session read)
#   vra-principals GET  /identity/api/tenants/vsphere.local/principals?$filter=startswith(name,'user-012')
#                       &limit=20   (bearer token; the count of the 100 users it matches, a page of 20)
#   vra-principals-substring   the same with $filter=substringof('123',name)   (20 matches; a filter
#                       no index can serve, to compare with the prefix one)
# Any vra-* scenario starts the server with `--scenario` on a YAML written in the work directory:
# the demo world plus BENCH_VRA_USERS (10,000) SSO users user-00001 ... user-10000, without a
# password so that all get the demo one (hashed once for all). Match counts are printed first.
# prints req/s, p50 and p99 for each, checks the server log for errors, stops the server and
# cleans up. Knobs (environment):
#   BENCH_DURATION=15s BENCH_CONNECTIONS=50 BENCH_THREADS=2  wrk load
#   BENCH_TIMEOUT=10s      wrk request timeout (wrk's default 2s would censor the slow tokens tail)
#   BENCH_WARMUP=3s        unmeasured wrk run before each scenario (0 to skip)
#   BENCH_SCENARIOS="vc-session vc-vm ..."  which ones, in this order (default: the table of issue 10)
#   BENCH_HTTP=1           plain HTTP instead of HTTPS
#   BENCH_PROFILE=FILE     record a py-spy profile of the server during one scenario's run
#   BENCH_PROFILE_SCENARIO=vc-session   which one
#   BENCH_PROFILE_FORMAT=speedscope|flamegraph|raw   (default speedscope)
#   BENCH_PROFILE_ARGS="--nonblocking"  extra py-spy flags (e.g. add --gil: only GIL holders)
#   BENCH_OUT=DIR          keep the raw wrk outputs and the server log there
#   BENCH_PG=postgresql+psycopg://root@127.0.0.1:5432  PostgreSQL server (maintenance db: test)
#   BENCH_VRA_USERS=10000  SSO users of the world the vra-* scenarios run on
#   LOCALSPHERE=path       the localsphere executable (default: the project's .venv)
set -euo pipefail

usage() { echo "usage: $0 sqlite|postgresql [workers]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BACKEND=$1
WORKERS=${2:-1}
case $BACKEND in sqlite | postgresql) ;; *) usage ;; esac
case $WORKERS in '' | *[!0-9]*) usage ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
LOCALSPHERE=${LOCALSPHERE:-$ROOT/.venv/bin/localsphere}
PYSPY=${PYSPY:-$ROOT/.venv/bin/py-spy}
DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10s}
WARMUP=${BENCH_WARMUP:-3s}
SCENARIOS=${BENCH_SCENARIOS:-vc-session vc-vm vc-login users ops-resources ops-stats}
PG=${BENCH_PG:-postgresql+psycopg://root@127.0.0.1:5432}
USERNAME=administrator@vsphere.local
PASSWORD=${LOCALSPHERE_DEMO_PASSWORD:-VMware1!}
VRA_USERS=${BENCH_VRA_USERS:-10000}
VRA_TENANT=vsphere.local
case $VRA_USERS in '' | *[!0-9]* | 0) echo "BENCH_VRA_USERS must be a positive whole number" >&2; exit 2 ;; esac
VRA=0
case " $SCENARIOS " in *" vra-"*) VRA=1 ;; esac

command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$LOCALSPHERE" ] || { echo "$LOCALSPHERE not found" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/localsphere-bench.XXXXXX")
LOG=$WORK/server.log
SERVER_PID=
PROFILER_PID=
DB_NAME=

psql_admin() {
    # Maintenance connection for CREATE/DROP DATABASE, from the SQLAlchemy URL's host part.
    local url=${PG#*://}
    psql "postgresql://$url/test" -v ON_ERROR_STOP=1 -qAtc "$1"
}

cleanup() {
    set +e
    [ -n "$PROFILER_PID" ] && kill "$PROFILER_PID" 2>/dev/null && wait "$PROFILER_PID" 2>/dev/null
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "${BENCH_OUT:-}" ]; then
        mkdir -p "$BENCH_OUT" && cp "$WORK"/*.txt "$LOG" "$BENCH_OUT"/ 2>/dev/null
    fi
    [ -n "$DB_NAME" ] && psql_admin "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- start the server --------------------------------------------------------------------------
DB_ARGS=()
if [ "$BACKEND" = postgresql ]; then
    DB_NAME=bench_$$_$RANDOM
    psql_admin "CREATE DATABASE $DB_NAME"
    DB_ARGS=(--db "$PG/$DB_NAME")
fi

# The vra-* scenarios' world: the demo world plus VRA_USERS SSO users user-00001, user-00002, ...
# (the width grows past 99,999). No password is given, so each gets the demo password, hashed
# once for them all; no inventory section, so the server's own inventory is kept.
SCENARIO_ARGS=()
if [ "$VRA" = 1 ]; then
    width=$((${#VRA_USERS} > 5 ? ${#VRA_USERS} : 5))
    {
        echo "# bench/run.sh: the demo world plus $VRA_USERS SSO users for the vra-* scenarios"
        echo "identity:"
        echo "  users:"
        seq -f "    - {name: user-%0${width}.0f}" 1 "$VRA_USERS"
    } >"$WORK/vra-users.yaml"
    SCENARIO_ARGS=(--scenario "$WORK/vra-users.yaml")
fi

# Port 0: the kernel picks free ports; the banner says which. COLUMNS keeps rich from wrapping.
COLUMNS=200 "$LOCALSPHERE" serve --data-dir "$WORK/data" --host 127.0.0.1 \
    --https-port 0 --http-port 0 --vcd-port 0 --workers "$WORKERS" "${DB_ARGS[@]}" "${SCENARIO_ARGS[@]}" >"$LOG" 2>&1 &
SERVER_PID=$!

HTTP_URL= HTTPS_URL=
for _ in $(seq 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:" >&2; cat "$LOG" >&2; exit 1; }
    HTTP_URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$LOG" | head -1 || true)
    HTTPS_URL=$(grep -oE 'https://127\.0\.0\.1:[0-9]+' "$LOG" | head -1 || true)
    if [ -n "$HTTP_URL" ] && curl -fsS -o /dev/null "$HTTP_URL/_localsphere/health" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
curl -fsS -o /dev/null "$HTTP_URL/_localsphere/health" || { echo "server did not come up" >&2; cat "$LOG" >&2; exit 1; }

# --- sign in -----------------------------------------------------------------------------------
TOKEN=$(curl -fsS -X POST "$HTTP_URL/v1/tokens" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}" |
    sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "could not get an access token" >&2; exit 1; }
export BENCH_TOKEN=$TOKEN BENCH_USERNAME=$USERNAME BENCH_PASSWORD=$PASSWORD
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$HTTP_URL/v1/users" ||
    { echo "GET /v1/users with the token failed" >&2; exit 1; }

OPS_TOKEN=$(curl -fsS -X POST "$HTTP_URL/suite-api/api/auth/token/acquire" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$OPS_TOKEN" ] || { echo "could not acquire an Operations token" >&2; exit 1; }
HOST_ID=$(curl -fsS -H "Authorization: OpsToken $OPS_TOKEN" \
    "$HTTP_URL/suite-api/api/resources?resourceKind=HostSystem&pageSize=1" |
    sed -n 's/.*"identifier":"\([^"]*\)".*/\1/p')
OPS_AUTH="OpsToken $OPS_TOKEN"
BASIC=$(printf '%s:%s' "$USERNAME" "$PASSWORD" | base64 -w0)
VC_SESSION=$(curl -fsS -X POST "$HTTP_URL/api/session" -H "Authorization: Basic $BASIC" | tr -d '"')
[ -n "$VC_SESSION" ] || { echo "could not open a vCenter session" >&2; exit 1; }
VM_ID=$(curl -fsS -H "vmware-api-session-id: $VC_SESSION" "$HTTP_URL/api/vcenter/vm" |
    sed -n 's/^\[{"vm":"\([^"]*\)".*/\1/p')
[ -n "$VM_ID" ] || { echo "could not find a VM" >&2; exit 1; }

urlencode() { # text: every byte but A-Z a-z 0-9 - . _ ~ as %XX
    local LC_ALL=C text=$1 out= c i
    for ((i = 0; i < ${#text}; i++)); do
        c=${text:i:1}
        case $c in [A-Za-z0-9._~-]) out+=$c ;; *) printf -v c '%%%02X' "'$c" && out+=$c ;; esac
    done
    printf '%s' "$out"
}
VRA_PRINCIPALS=/identity/api/tenants/$VRA_TENANT/principals
VRA_PREFIX_QUERY="?%24filter=$(urlencode "startswith(name,'user-012')")&limit=20"
VRA_SUBSTRING_QUERY="?%24filter=$(urlencode "substringof('123',name)")&limit=20"
if [ "$VRA" = 1 ]; then
    # The product's sign-in: a bare user name in the tenant's default (SSO) domain.
    VRA_TOKEN=$(curl -fsS -X POST "$HTTP_URL/identity/api/tokens" -H 'Content-Type: application/json' \
        -H 'Accept: application/json' \
        -d "{\"username\":\"${USERNAME%@*}\",\"password\":\"$PASSWORD\",\"tenant\":\"$VRA_TENANT\"}" |
        sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [ -n "$VRA_TOKEN" ] || { echo "could not get a vRA token" >&2; exit 1; }
    curl -fsS -o /dev/null -I -H "Authorization: Bearer $VRA_TOKEN" "$HTTP_URL/identity/api/tokens/$VRA_TOKEN" ||
        { echo "HEAD /identity/api/tokens/{id} with the new token failed" >&2; exit 1; }
    vra_total() { # query: the list's totalElements
        curl -fsS -H "Authorization: Bearer $VRA_TOKEN" -H 'Accept: application/json' \
            "$HTTP_URL$VRA_PRINCIPALS$1" | sed -n 's/.*"totalElements":\([0-9]*\).*/\1/p'
    }
    echo "vRA world: $(vra_total '?limit=1') users in $VRA_TENANT;" \
        "startswith(name,'user-012') matches $(vra_total "$VRA_PREFIX_QUERY")," \
        "substringof('123',name) matches $(vra_total "$VRA_SUBSTRING_QUERY")"
fi
URL=$HTTPS_URL
[ "${BENCH_HTTP:-0}" = 1 ] && URL=$HTTP_URL

echo "LocalSphere bench: backend=$BACKEND workers=$WORKERS $URL" \
    "(wrk -c $CONNECTIONS -t $THREADS -d $DURATION --timeout $TIMEOUT --latency; $(nproc) CPUs shared with wrk)"

# --- scenarios -----------------------------------------------------------------------------------
run_wrk() { # name url [lua]
    local name=$1 url=$2 lua=${3:-} script=()
    [ -n "$lua" ] && script=(-s "$lua")
    if [ "$WARMUP" != 0 ]; then
        wrk -c "$CONNECTIONS" -t "$THREADS" -d "$WARMUP" --timeout "$TIMEOUT" "${script[@]}" "$url" >/dev/null
    fi
    if [ -n "${BENCH_PROFILE:-}" ] && [ "$name" = "${BENCH_PROFILE_SCENARIO:-vc-session}" ]; then
        # Sample every server process (--subprocesses covers the workers) for most of the run.
        local secs=${DURATION%s}
        case $secs in '' | *[!0-9]*) secs=10 ;; esac
        # shellcheck disable=SC2086
        "$PYSPY" record --pid "$SERVER_PID" --subprocesses --duration $((secs > 6 ? secs - 4 : secs)) \
            ${BENCH_PROFILE_ARGS:---nonblocking} --format "${BENCH_PROFILE_FORMAT:-speedscope}" \
            -o "$BENCH_PROFILE" >"$WORK/py-spy.txt" 2>&1 &
        PROFILER_PID=$!
    fi
    wrk -c "$CONNECTIONS" -t "$THREADS" -d "$DURATION" --timeout "$TIMEOUT" --latency \
        "${script[@]}" "$url" >"$WORK/wrk-$name.txt"
    if [ -n "$PROFILER_PID" ]; then
        wait "$PROFILER_PID" || echo "py-spy failed: $(tail -3 "$WORK/py-spy.txt")" >&2
        PROFILER_PID=
    fi
    summarize "$name" "$WORK/wrk-$name.txt"
}

summarize() { # name wrk-output
    awk -v name="$1" '
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { sub(/.*Socket errors: /, ""); sockerr = $0 }
        END {
            printf "%-24s %10s req/s  p50 %9s  p99 %9s  requests %7s  non-2xx %s%s\n",
                name, rps, p50, p99, total, (non2xx == "" ? 0 : non2xx),
                (sockerr == "" ? "" : "  socket errors: " sockerr)
        }' "$2"
}

request() { # name method path header credential: one request, repeated (get.lua)
    BENCH_METHOD=$2 BENCH_PATH=$3 BENCH_HEADER=$4 BENCH_AUTH=$5 run_wrk "$1" "$URL$3" "$HERE/get.lua"
}
for scenario in $SCENARIOS; do
    case $scenario in
    health) run_wrk health "$URL/_localsphere/health" ;;
    vc-session) request vc-session GET /api/session vmware-api-session-id "$VC_SESSION" ;;
    vc-vm) request vc-vm GET "/api/vcenter/vm/$VM_ID" vmware-api-session-id "$VC_SESSION" ;;
    vc-rest-vm) request vc-rest-vm GET "/rest/vcenter/vm/$VM_ID" vmware-api-session-id "$VC_SESSION" ;;
    vc-login) request vc-login POST /api/session Authorization "Basic $BASIC" ;;
    users) run_wrk users "$URL/v1/users" "$HERE/users.lua" ;;
    tokens) run_wrk tokens "$URL/v1/tokens" "$HERE/tokens.lua" ;;
    ops-resources) request ops-resources GET "/suite-api/api/resources?pageSize=100" Authorization "$OPS_AUTH" ;;
    ops-stats)
        request ops-stats GET "/suite-api/api/resources/$HOST_ID/stats?statKey=cpu%7Cusagemhz_average" \
            Authorization "$OPS_AUTH" ;;
    vim-content) run_wrk vim-content "$URL/sdk" "$HERE/vim_content.lua" ;;
    vra-token) request vra-token HEAD "/identity/api/tokens/$VRA_TOKEN" Authorization "Bearer $VRA_TOKEN" ;;
    vra-principals)
        request vra-principals GET "$VRA_PRINCIPALS$VRA_PREFIX_QUERY" Authorization "Bearer $VRA_TOKEN" ;;
    vra-principals-substring)
        request vra-principals-substring GET "$VRA_PRINCIPALS$VRA_SUBSTRING_QUERY" \
            Authorization "Bearer $VRA_TOKEN" ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
    esac
done

# --- server health after the load ----------------------------------------------------------------
# wrk leaves a backlog of requests whose clients are gone (50 connections of a slow list); let the
# server finish it, so that late errors are seen here and the stop below does not cancel them.
sleep 1
kill -0 "$SERVER_PID" 2>/dev/null || echo "WARNING: the server died during the run" >&2
errors=$(grep -cE 'Traceback|ERROR|Exception|CRITICAL' "$LOG" || true)
if [ "$errors" -gt 0 ]; then
    echo "server log: $errors error line(s); first ones:"
    grep -E -m 10 'Traceback|ERROR|Exception|CRITICAL|Error:' "$LOG" | sed 's/^/  /'
else
    echo "server log: no errors"
fi
