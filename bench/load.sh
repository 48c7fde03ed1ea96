#!/usr/bin/env bash
# HTTP load figures with a floor under them. In one run, on one kind of database:
#
# 1. the floor (bench/floor: raw axum + sqlx, the service's pool size and SQLite settings):
#    an authenticated read of one row by key, and an authenticated single-row insert;
# 2. for each pool (LOAD_POOLS), the release binary seeded by `linguapool demo --volunteers N
#    --history-days D` on a fresh database: GET /api/v1/requests/{id}, POST /api/v1/requests,
#    the signed-in request page /requests/{id} and the dashboard /.
#
# Every run is a bounded wrk run on loopback (LOAD_THREADS threads, LOAD_CONNECTIONS
# connections, the given seconds). The table at the end gives each endpoint's req/s and its
# share of the matching floor endpoint: reads against the floor's read, writes against its
# insert. Each URL is checked once with curl first, so a run of errors or redirects cannot
# pass for speed.
#
# Usage: bench/load.sh [seconds per run, default 10]
# Environment:
#   LOAD_DATABASE_URL  postgres://user@host:port/db of a server whose user may create databases:
#                      the script makes its own databases there and drops them at the end.
#                      Unset: SQLite files in a temporary directory.
#   LOAD_POOLS         pools to measure, "volunteers:history_days" each
#                      (default "70:0 1000:0 1000:1095": the demo town, a big one, the big one
#                      with three years of past)
#   LOAD_THREADS, LOAD_CONNECTIONS  wrk's -t and -c (default 2 and 16)
#   LOAD_SOAK_SECONDS  then bench/soak on a fresh pool of 1,000: the accept race (rounds of at
#                      least 100 simultaneous accepts of one request, LOAD_RACE_ROUNDS, default
#                      10), resident memory idle and under load, and a soak of mixed traffic
#                      with mail over SMTP for this many seconds (default 600; 0 skips the soak,
#                      "none" skips the race and the soak)
# Needs wrk (apt-get install wrk), curl, python3, and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
threads=${LOAD_THREADS:-2}
connections=${LOAD_CONNECTIONS:-16}
pools=${LOAD_POOLS:-"70:0 1000:0 1000:1095"}
admin_url=${LOAD_DATABASE_URL:-}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
done
if [ -n "$admin_url" ]; then
  command -v psql >/dev/null || { echo "psql is missing (apt-get install postgresql-client)" >&2; exit 1; }
  kind=PostgreSQL
else
  kind=SQLite
fi

nice -n 10 cargo build --release --quiet -p linguapool -p linguapool-bench-floor -p linguapool-bench-soak
bin=target/release/linguapool
floor=target/release/floor
work=$(mktemp -d)
results="$work/results"
: >"$results"
server=""
databases=()

stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
cleanup() {
  stop_server
  for name in "${databases[@]}"; do
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh database for one server; its URL in $db_url.
new_database() {
  local name="lp_load_$$_$1"
  if [ -z "$admin_url" ]; then
    db_url="sqlite://$work/$name.db?mode=rwc"
    return
  fi
  psql "$admin_url" -qc "CREATE DATABASE $name" >/dev/null
  databases+=("$name")
  db_url=$(python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin_url" "$name")
}

# Starts "$@" with stdout into $1.out and waits for its "listening on http://..." line (a big
# seed takes minutes); sets $server and $base.
start() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" &
  server=$!
  while ! grep -q 'listening on http://' "$out" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "server stopped before listening: $*" >&2
      cat "$out" "$out.err" >&2
      exit 1
    fi
    sleep 0.2
  done
  base=$(sed -n 's/^.*listening on //p' "$out")
}

# expect STATUS curl-args...: a request alone must answer STATUS before wrk may measure it.
# Sent twice; the second one's time (warm caches, nothing else running) goes into $alone.
expect() {
  local want=$1; shift
  local got
  for _ in 1 2; do
    read -r got alone < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@")
    [ "$got" = "$want" ] || { echo "expected $want, got $got: $*" >&2; exit 1; }
  done
}

# measure POOL ENDPOINT KIND wrk-args...: one wrk run, one row of the results (with $alone from
# the expect before it).
measure() {
  local pool=$1 endpoint=$2 kind=$3; shift 3
  local out
  out="$work/wrk-$(wc -l <"$results").txt"
  echo "   $pool: $endpoint (${duration}s, $threads threads, $connections connections)" >&2
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency "$@" >"$out"
  local rps p50 p99 done trouble
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  done=$(awk '/ requests in / {print $1}' "$out")
  # Timeouts (over 10 s) and error statuses: a run with either says so next to its figures.
  trouble=$(awk '/Non-2xx or 3xx responses:/ {printf "%s non-2xx ", $NF}
    /Socket errors:/ {gsub(",", ""); for (i = 3; i < NF; i += 2) if ($(i + 1) > 0) printf "%s %s ", $(i + 1), $i}' "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pool" "$endpoint" "$kind" "$rps" "$p50" "$p99" \
    "$alone" "$done" "$trouble" >>"$results"
  # Let requests the run left in flight finish before the next run starts.
  sleep 2
}

# post_script FILE BODY TOKEN: a wrk script that POSTs the JSON BODY with the bearer TOKEN.
post_script() {
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $3"
LUA
}

export LINGUAPOOL_LOG=warn
echo "== $kind, ${duration}s per run"

# --- The floor ---------------------------------------------------------------------------------
new_database floor
start "$work/floor.out" env FLOOR_DATABASE_URL="$db_url" "$floor"
floor_token=$(sed -n 's/^floor token //p' "$work/floor.out")
floor_item=$(sed -n 's/^floor item //p' "$work/floor.out")
day=$(python3 -c 'import datetime as d
t=d.date.today()+d.timedelta(days=21)
while t.weekday()>4: t+=d.timedelta(days=1)
print(t.isoformat())')
floor_body="{\"language\":\"ara\",\"starts_at\":\"${day}T09:00:00Z\",\"duration_minutes\":60,\"town\":\"Winnenden\",\"notes\":\"LOAD-1\"}"
post_script "$work/floor-post.lua" "$floor_body" "$floor_token"
expect 200 -H "Authorization: Bearer $floor_token" "$base/items/$floor_item"
measure floor "GET /items/{id}" floor-read -H "Authorization: Bearer $floor_token" "$base/items/$floor_item"
expect 201 -H "Authorization: Bearer $floor_token" -H 'content-type: application/json' -d "$floor_body" "$base/items"
measure floor "POST /items" floor-write -s "$work/floor-post.lua" "$base/items"
stop_server

# --- The service, one fresh database per pool ----------------------------------------------------
seeding=()
for pool in $pools; do
  volunteers=${pool%%:*}
  days=${pool##*:}
  label="$volunteers volunteers, $days days past"
  tag="${volunteers}_${days}"
  new_database "pool_$tag"
  export LINGUAPOOL__DATABASE__URL=$db_url
  export LINGUAPOOL__SERVER__ADDR=127.0.0.1:0
  export LINGUAPOOL__EMAIL__TRANSPORT=file
  export LINGUAPOOL__EMAIL__FILE_DIR="$work/mail-$tag"
  # One client measures throughput: the per-user and per-address rate limits would measure
  # themselves instead.
  export LINGUAPOOL__WEB__API_RATE_BURST=100000000 LINGUAPOOL__WEB__API_RATE_PER_SECOND=1000000
  export LINGUAPOOL__WEB__LINK_RATE_BURST=100000000 LINGUAPOOL__WEB__LINK_RATE_PER_SECOND=1000000

  token=$("$bin" user add --email load@pool.test --name Load --role coordinator --api-token | tail -n 1)
  echo "-- $label: seeding" >&2
  seed_started=$(date +%s.%N)
  start "$work/server-$tag.out" "$bin" demo --volunteers "$volunteers" --history-days "$days"
  seed_seconds=$(python3 -c "print(f'{$(date +%s.%N) - $seed_started:.1f}')")
  past=$(sed -n 's/^Past //p' "$work/server-$tag.out")
  seeding+=("$label: ready to serve after ${seed_seconds} s${past:+ (past $past)}")

  api() { curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
  org=$(api "$base/api/v1/organisations" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  body="{\"language\":\"ara\",\"starts_at\":\"${day}T10:00:00+01:00\",\"duration_minutes\":60,\"mode\":\"on_site\",\"town\":\"Winnenden\",\"address\":\"Marktplatz 1\",\"setting\":\"authority\",\"client_ref\":\"LOAD-1\",\"organisation_id\":\"$org\"}"
  request=$(api -d "$body" "$base/api/v1/requests" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  post_script "$work/post.lua" "$body" "$token"

  expect 200 -H "Authorization: Bearer $token" "$base/api/v1/requests/$request"
  measure "$label" "GET /api/v1/requests/{id}" read -H "Authorization: Bearer $token" "$base/api/v1/requests/$request"
  expect 201 -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "$body" "$base/api/v1/requests"
  measure "$label" "POST /api/v1/requests" write -s "$work/post.lua" "$base/api/v1/requests"

  # The staff pages, with a session from a real sign-in (timed: argon2id runs on every login).
  password=$("$bin" user add --email page@pool.test --name Page --role coordinator | tail -n 1)
  # Four, so the fifth (the session for the page runs) stays within the per-account budget of five.
  logins=""
  for _ in 1 2 3 4; do
    logins+=$(curl -s -o /dev/null -w '%{time_total}s ' -H "Origin: $base" \
      --data-urlencode email=page@pool.test --data-urlencode "password=$password" "$base/login")
  done
  seeding+=("$label: POST /login one at a time (argon2id 19 MiB, t=2): $logins")
  session=$(curl -s -D - -o /dev/null -H "Origin: $base" --data-urlencode email=page@pool.test \
    --data-urlencode "password=$password" "$base/login" | sed -n 's/^[Ss]et-[Cc]ookie: lp_session=\([^;]*\).*/\1/p')
  [ -n "$session" ] || { echo "sign-in for the page runs failed" >&2; exit 1; }
  expect 200 -H "Cookie: lp_session=$session" "$base/requests/$request"
  measure "$label" "GET /requests/{id} (page)" read -H "Cookie: lp_session=$session" "$base/requests/$request"
  # After the POST run: the dashboard lists its upper bound of rows.
  expect 200 -H "Cookie: lp_session=$session" "$base/"
  measure "$label" "GET / (dashboard)" read -H "Cookie: lp_session=$session" "$base/"
  stop_server
done

# --- The accept race, memory and the soak (bench/soak) -------------------------------------------
soak_seconds=${LOAD_SOAK_SECONDS:-600}
if [ "$soak_seconds" != none ]; then
  new_database soak
  echo "-- the accept race and a ${soak_seconds}s soak on 1,000 volunteers" >&2
  SOAK_DATABASE_URL="$db_url" LINGUAPOOL_BIN="$bin" SOAK_SECONDS="$soak_seconds" \
    SOAK_RACE_ROUNDS="${LOAD_RACE_ROUNDS:-10}" target/release/soak 2>"$work/soak.err" | tee "$work/soak.out" \
    || { tail -n 30 "$work/soak.err" >&2; exit 1; }
fi

# --- The table -------------------------------------------------------------------------------------
echo
echo "== $kind: req/s and latency p50 / p99 under load; one request alone before the run; req/s as a share of the"
echo "   floor (reads against the floor's read, writes against its insert); requests done in the run, timeouts (>10 s)"
python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
floor = {kind: float(rps) for _, _, kind, rps, *_ in rows if kind.startswith("floor")}
print(f"{'pool':<32} {'endpoint':<27} {'req/s':>8} {'p50':>9} {'p99':>9} {'alone':>8} {'of floor':>8}  done in run")
for pool, endpoint, kind, rps, p50, p99, alone, done, trouble in rows:
    share = "" if kind.startswith("floor") else f"{100 * float(rps) / floor['floor-' + kind]:.1f} %"
    if done == "0":
        p50, p99, trouble = "-", "-", "none finished within the run " + trouble
    print(f"{pool:<32} {endpoint:<27} {float(rps):>8,.1f} {p50:>9} {p99:>9} {float(alone) * 1000:>6.0f}ms {share:>8}  {done} {trouble}")
PY
echo
printf '%s\n' "${seeding[@]}"
if [ -s "$work/soak.out" ]; then
  echo
  echo "== $kind: the accept race, memory, the soak (bench/soak)"
  cat "$work/soak.out"
fi
