#!/usr/bin/env bash
# HTTP load baseline: starts the release binary on loopback with a fresh SQLite database (or
# the PostgreSQL database named by LOAD_DATABASE_URL), seeds a pool of 70 volunteers, then runs
# bounded wrk runs against GET /api/v1/requests/{id}, POST /api/v1/requests, a sign-in, and the
# staff pages with a session cookie.
# Needs wrk (apt-get install wrk). Usage: bench/load.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
bin=target/release/linguapool
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

export LINGUAPOOL__DATABASE__URL=${LOAD_DATABASE_URL:-"sqlite://$work/load.db?mode=rwc"}
export LINGUAPOOL__SERVER__ADDR=127.0.0.1:0
export LINGUAPOOL__EMAIL__TRANSPORT=file
export LINGUAPOOL__EMAIL__FILE_DIR="$work/mail"
export LINGUAPOOL_LOG=warn

token=$("$bin" user add --email load@pool.test --name Load --role coordinator --api-token | tail -n 1)
"$bin" serve >"$work/server.out" &
server=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^Linguapool listening on //p' "$work/server.out")
echo "service at $base"

api() { curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
org=$(api -d '{"name":"Lasttest"}' "$base/api/v1/organisations" | sed -E 's/.*"id":"([^"]+)".*/\1/')
languages=(ara prs pes kmr tur ukr rus tir som pus)
for i in $(seq 1 70); do
  lang=${languages[$((i % ${#languages[@]}))]}
  api -o /dev/null -d "{\"name\":\"Volunteer $i\",\"email\":\"v$i@pool.test\",\"languages\":[{\"code\":\"$lang\",\"proficiency\":\"native\"}],
    \"german_level\":\"B2\",\"modes\":[\"on_site\",\"phone\"],\"service_area\":[\"Winnenden\"],
    \"availability\":[{\"weekday\":\"mon\",\"start\":\"08:00\",\"end\":\"18:00\"},{\"weekday\":\"tue\",\"start\":\"08:00\",\"end\":\"18:00\"},
      {\"weekday\":\"wed\",\"start\":\"08:00\",\"end\":\"18:00\"},{\"weekday\":\"thu\",\"start\":\"08:00\",\"end\":\"18:00\"},
      {\"weekday\":\"fri\",\"start\":\"08:00\",\"end\":\"18:00\"}],
    \"confidentiality_signed_on\":\"2026-01-01\",\"training_completed_on\":\"2026-01-01\",\"status\":\"active\"}" \
    "$base/api/v1/volunteers"
done
# A weekday three weeks ahead, 10:00 local.
day=$(python3 -c 'import datetime as d
t=d.date.today()+d.timedelta(days=21)
while t.weekday()>4: t+=d.timedelta(days=1)
print(t.isoformat())')
body="{\"language\":\"ara\",\"starts_at\":\"${day}T10:00:00+01:00\",\"duration_minutes\":60,\"mode\":\"on_site\",\"town\":\"Winnenden\",\"address\":\"Marktplatz 1\",\"setting\":\"authority\",\"client_ref\":\"LOAD-1\",\"organisation_id\":\"$org\"}"
request=$(api -d "$body" "$base/api/v1/requests" | sed -E 's/^\{"id":"([^"]+)".*/\1/')

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

echo
echo "== GET /api/v1/requests/{id} (2 threads, 16 connections, ${duration}s)"
wrk -t2 -c16 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/requests/$request"
echo
echo "== POST /api/v1/requests: create + rank 70 volunteers + 3 offers and mails, one transaction (2 threads, 8 connections, ${duration}s)"
wrk -t2 -c8 -d"${duration}s" --latency -s "$work/post.lua" "$base/api/v1/requests"

# The staff pages, with a session from a real sign-in (timed: argon2id runs on every login).
password=$("$bin" user add --email page@pool.test --name Page --role coordinator | tail -n 1)
echo
# Four, so the fifth (the session for the page runs) stays within the per-account budget of five.
echo "== POST /login, 4 sign-ins one after another (argon2id, 19 MiB, t=2)"
for _ in 1 2 3 4; do
  curl -s -o /dev/null -w '%{time_total}s ' -H "Origin: $base" \
    --data-urlencode email=page@pool.test --data-urlencode "password=$password" "$base/login"
done
echo
session=$(curl -s -D - -o /dev/null -H "Origin: $base" --data-urlencode email=page@pool.test \
  --data-urlencode "password=$password" "$base/login" | sed -n 's/^[Ss]et-[Cc]ookie: lp_session=\([^;]*\).*/\1/p')
[ -n "$session" ] || { echo "sign-in for the page runs failed" >&2; exit 1; }
echo
echo "== GET /requests/{id} page, signed in (2 threads, 16 connections, ${duration}s)"
wrk -t2 -c16 -d"${duration}s" --latency -H "Cookie: lp_session=$session" "$base/requests/$request"
echo
echo "== GET / dashboard after the POST run: 500 requests listed, the page's upper bound (2 threads, 8 connections, ${duration}s)"
wrk -t2 -c8 -d"${duration}s" --latency -H "Cookie: lp_session=$session" "$base/"
