#!/usr/bin/env bash
# The compose deployment, tested for real (run by .ci/run where a Docker daemon can start):
#   daemon check (starts dockerd when installed and not running) → base images (the official ones,
#   or registry-free ones from scripts/compose-base-images.sh when they cannot be pulled) → build
#   → up (Redis, API, 2 workers) → all healthy → one LR range test through the API → --scale worker=3
#   → docker kill a worker mid-job: the job is re-run by another worker and succeeds → docker stop a
#   worker mid-job: it hands the job back at once → down -v.
# Prints why and exits 0 when Docker is not there to test ("SKIPPED"); exits 1 on any failure.
# Own project name and a free loopback port, so it never touches a deployment on this host.
# Env: SMOKE_TIMEOUT_S (whole run, default 2400), NODE_IMAGE / REDIS_IMAGE (skip the pull/fallback),
# SMOKE_KEEP_DAEMON=1 (leave a dockerd this script started running).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${LRF_SMOKE_BOUNDED:-}" ]; then
  export LRF_SMOKE_BOUNDED=1
  exec timeout --kill-after=60 "${SMOKE_TIMEOUT_S:-2400}" "$0" "$@"
fi

T0=$SECONDS
log() { echo "compose-smoke: [$((SECONDS - T0))s] $*"; }
skip() { echo "compose-smoke: SKIPPED: $*"; exit 0; }
fail() { echo "compose-smoke: FAILED: $*" >&2; exit 1; }
FIGURES=()
figure() { FIGURES+=("$1"); log "$1"; }

command -v docker >/dev/null 2>&1 || skip "no docker CLI (Debian: apt-get install -y docker.io docker-compose debootstrap)"
for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed (apt-get install -y curl jq)"; done

WORK=$(mktemp -d /tmp/lrf-compose-smoke.XXXXXX)
DOCKERD_PID=""
COMPOSE=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${#COMPOSE[@]}" -gt 0 ]; then
    if [ "$rc" -ne 0 ]; then
      echo "compose-smoke: --- last logs ---" >&2
      "${COMPOSE[@]}" logs --no-color --tail=25 >&2 2>&1 || true
    fi
    "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [ -n "$DOCKERD_PID" ] && [ -z "${SMOKE_KEEP_DAEMON:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the daemon -------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || skip "no Docker daemon reachable and dockerd not installed (apt-get install -y docker.io)"
  [ "$(id -u)" = 0 ] || skip "no Docker daemon reachable, and starting dockerd needs root"
  log "starting dockerd (log: $WORK/dockerd.log)"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
  if ! docker info >/dev/null 2>&1; then
    reason=$(tail -n 3 "$WORK/dockerd.log" | tr '\n' ' ')
    DOCKERD_PID=""
    skip "dockerd does not start here: $reason"
  fi
fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
else skip "neither 'docker compose' (v2 plugin) nor docker-compose is installed (apt-get install -y docker-compose)"
fi
log "docker $(docker version -f '{{.Server.Version}}'), $("${COMPOSE[@]}" version --short 2>/dev/null || "${COMPOSE[@]}" version | head -n1) (${COMPOSE[*]})"

# --- base images ------------------------------------------------------------------------------
t=$SECONDS
if [ -z "${NODE_IMAGE:-}" ] || [ -z "${REDIS_IMAGE:-}" ]; then
  if (docker image inspect node:20-bookworm-slim redis:7 >/dev/null 2>&1) \
    || (docker pull -q node:20-bookworm-slim >/dev/null 2>&1 && docker pull -q redis:7 >/dev/null 2>&1); then
    NODE_IMAGE=${NODE_IMAGE:-node:20-bookworm-slim}; REDIS_IMAGE=${REDIS_IMAGE:-redis:7}
  else
    log "node:20-bookworm-slim / redis:7 cannot be pulled: registry-free base images (scripts/compose-base-images.sh)"
    eval "$(scripts/compose-base-images.sh)"
  fi
fi
export NODE_IMAGE REDIS_IMAGE
figure "base images ($NODE_IMAGE, $REDIS_IMAGE): $((SECONDS - t)) s"

# --- build, up --------------------------------------------------------------------------------
export COMPOSE_PROJECT_NAME="lrfsmoke$$"
export LRF_IMAGE="lr-finder:smoke"
export API_BIND=127.0.0.1
# a short stop grace, so the `docker stop` step sees a hand-back (a 4000-iteration job can finish
# within the default 10 s on an idle machine)
export WORKER_STOP_GRACE_MS=1000
API_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export API_PORT
unset API_KEYS ALLOW_UNAUTHENTICATED REDIS_BIND REDIS_PORT
API="http://127.0.0.1:$API_PORT"

t=$SECONDS
"${COMPOSE[@]}" build api >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; fail "build"; }
figure "build (Dockerfile, NODE_IMAGE=$NODE_IMAGE): $((SECONDS - t)) s"

# containers of a service, and whether all of them report healthy
ids() { "${COMPOSE[@]}" ps -q "$1"; }
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$@"; }
wait_healthy() { # wait_healthy <seconds> <service>:<count>...
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while :; do
    local ok=1
    for want in "$@"; do
      local svc=${want%%:*} n=${want##*:} c
      mapfile -t c < <(ids "$svc")
      if [ "${#c[@]}" -ne "$n" ] || health "${c[@]}" | grep -qv '^healthy$'; then ok=0; fi
    done
    [ "$ok" = 1 ] && return 0
    [ "$SECONDS" -lt "$end" ] || { "${COMPOSE[@]}" ps >&2; return 1; }
    sleep 1
  done
}

t=$SECONDS
# --scale worker=2: the file's deploy.replicas, said explicitly (docker-compose 1.x ignores deploy:)
"${COMPOSE[@]}" up -d --no-build --scale worker=2 >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "up"; }
wait_healthy 240 redis:1 api:1 worker:2 || fail "redis, api and 2 workers not healthy within 240 s"
figure "up -d → redis, api, 2 workers healthy: $((SECONDS - t)) s"

# the defaults: the API on loopback only, Redis not published
api_port=$(docker port "$(ids api)" 3000/tcp)
[ "$api_port" = "127.0.0.1:$API_PORT" ] || fail "API published on '$api_port', expected 127.0.0.1:$API_PORT"
[ -z "$(docker port "$(ids redis)")" ] || fail "Redis is published: $(docker port "$(ids redis)")"
log "API published on $api_port only; Redis not published"

# --- jobs through the API ---------------------------------------------------------------------
submit() { curl -fsS -X POST "$API/v1/lr-range-tests" -H 'content-type: application/json' -d "$1" | jq -er .id; }
job() { curl -fsS "$API/v1/lr-range-tests/$1"; }
wait_job() { # wait_job <id> <jq condition> <seconds>
  local end=$((SECONDS + $3)) j
  while :; do
    j=$(job "$1") || j='{}'
    if jq -e "$2" >/dev/null <<<"$j"; then echo "$j"; return 0; fi
    [ "$SECONDS" -lt "$end" ] || { echo "$j" >&2; return 1; }
    sleep 0.5
  done
}
# which worker containers logged this for the job ("job started" / "job succeeded")
workers_logging() { for c in $(ids worker); do docker logs "$c" 2>&1 | grep "\"job\":\"$1\"" | grep -q "\"msg\":\"$2\"" && echo "$c"; done; true; }

t=$SECONDS
id=$(submit '{"preset":"spirals-mlp","num_iter":200}') || fail "POST /v1/lr-range-tests"
j=$(wait_job "$id" '.finished_at != null' 300) || fail "job $id did not finish within 300 s"
[ "$(jq -r .status <<<"$j")" = succeeded ] || fail "job $id: $(jq -c '{status, error}' <<<"$j")"
figure "LR range test (200 iterations) POST → succeeded: $((SECONDS - t)) s"

t=$SECONDS
"${COMPOSE[@]}" up -d --no-build --no-recreate --scale worker=3 >"$WORK/scale.log" 2>&1 || { cat "$WORK/scale.log" >&2; fail "--scale worker=3"; }
wait_healthy 180 worker:3 api:1 || fail "3 workers not healthy within 180 s"
figure "--scale worker=3 → 3 workers healthy: $((SECONDS - t)) s"

# long enough to catch it running on this (shared) machine
LONG='{"preset":"spirals-mlp","num_iter":4000,"end_lr":0.001,"batch_size":128,"model":{"hidden":[128,128],"activation":"relu"}}'

# kill -9 a worker mid-job: BullMQ's stalled-job check gives the job to another worker
id=$(submit "$LONG") || fail "POST (kill test)"
wait_job "$id" '.status == "running" and (.progress.iteration // 0) > 0' 300 >/dev/null || fail "job $id never ran"
victim=$(workers_logging "$id" "job started")
[ -n "$victim" ] || fail "no worker logged starting job $id"
t=$SECONDS
docker kill "$victim" >/dev/null
log "docker kill $(docker inspect -f '{{.Name}}' "$victim") mid-job ($(job "$id" | jq -c .progress.iteration) iterations done)"
end=$((SECONDS + 300))
until [ -n "$(workers_logging "$id" "job started" | grep -v "$victim" || true)" ]; do
  [ "$SECONDS" -lt "$end" ] || fail "job $id not re-run within 300 s of the kill"; sleep 1
done
figure "docker kill → job re-run by another worker (stalled-job check): $((SECONDS - t)) s"
j=$(wait_job "$id" '.finished_at != null' 600) || fail "killed job $id did not finish"
[ "$(jq -r .status <<<"$j")" = succeeded ] || fail "killed job $id: $(jq -c '{status, error}' <<<"$j")"
[ "$(jq -r .result.iterations <<<"$j")" = 4000 ] || fail "killed job $id: $(jq -c .result.iterations <<<"$j") iterations"
figure "docker kill → re-run job succeeded: $((SECONDS - t)) s"

# docker stop (SIGTERM) a worker mid-job: the job is handed back at once (WORKER_STOP_GRACE_MS)
id=$(submit "$LONG") || fail "POST (stop test)"
wait_job "$id" '.status == "running" and (.progress.iteration // 0) > 0' 300 >/dev/null || fail "job $id never ran"
victim=$(workers_logging "$id" "job started" | head -n1)
[ -n "$victim" ] || fail "no worker logged starting job $id"
t=$SECONDS
docker stop "$victim" >/dev/null
stop_s=$((SECONDS - t))
if docker logs "$victim" 2>&1 | grep "\"job\":\"$id\"" | grep -q 'handed back'; then
  end=$((SECONDS + 300))
  until [ -n "$(workers_logging "$id" "job started" | grep -v "$victim" || true)" ]; do
    [ "$SECONDS" -lt "$end" ] || fail "job $id handed back but not re-run within 300 s of docker stop"; sleep 1
  done
  figure "docker stop (exited in $stop_s s, job handed back) → job re-run by another worker: $((SECONDS - t)) s"
else
  log "note: the stopped worker finished job $id within its grace instead of handing it back"
fi
j=$(wait_job "$id" '.finished_at != null' 600) || fail "stopped job $id did not finish"
[ "$(jq -r .status <<<"$j")" = succeeded ] || fail "stopped job $id: $(jq -c '{status, error}' <<<"$j")"
figure "docker stop → job succeeded: $((SECONDS - t)) s"

t=$SECONDS
"${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || fail "down -v"
COMPOSE=()
figure "down -v: $((SECONDS - t)) s"
log "PASSED in $((SECONDS - T0)) s"
printf 'compose-smoke: %s\n' "${FIGURES[@]}"
