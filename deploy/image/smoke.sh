#!/usr/bin/env bash
# The image end to end against the embedded PostgreSQL: migrate with the image (as the compose
# `migrate` job does), start the app container with its port 8000 published on 127.0.0.1, run
# the image's HEALTHCHECK, ask the app for /health and /reviews/meta, clean up.
# Run it inside `manage.py embedded_db with -- ...` (`make image-smoke` does): the server's
# Unix socket is mounted into the containers.
# Usage: deploy/image/smoke.sh [IMAGE]   (SMOKE_PORT: the published port, a free one by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-atelier-reviews}
podman=deploy/image/podman.sh
python=.venv/bin/python

url=$($python manage.py embedded_db url)             # postgresql://postgres@/NAME?host=DIR
database=${url#*@/}
database=${database%%\?*}
socket_dir=${url#*\?host=}
port=$(sed -n 4p "$socket_dir/postmaster.pid")
socket=$socket_dir/.s.PGSQL.$port
[ -S "$socket" ] || { echo "no PostgreSQL socket at $socket" >&2; exit 1; }
app_port=${SMOKE_PORT:-$($python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
name=atelier-image-smoke-$$

# Only the socket file is mounted: the data folder itself is not readable by the image's user.
# The containers get no healthcheck timers (podman runs them from systemd, absent here): the smoke
# test runs the image's HEALTHCHECK command itself, once.
common=(
  --no-healthcheck
  -v "$socket:/run/atelier-db/.s.PGSQL.$port"
  -e "DATABASE_URL=postgres://postgres@%2Frun%2Fatelier-db:$port/$database"
  -e "DJANGO_SECRET_KEY=image-smoke-$$"
)
cleanup() { $podman rm --force --time 10 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "migrate ($database)"
$podman run --rm "${common[@]}" --entrypoint python "$image" manage.py migrate --noinput >/dev/null

echo "app on 127.0.0.1:$app_port"
$podman run --detach --name "$name" "${common[@]}" -p "127.0.0.1:$app_port:8000" "$image" >/dev/null
for _ in $(seq 60); do
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$app_port/health" 2>/dev/null && break
  if [ "$($podman inspect --format '{{.State.Running}}' "$name")" != true ]; then
    $podman logs "$name" >&2
    echo "the app container exited" >&2
    exit 1
  fi
  sleep 0.5
done

check() {  # PATH EXPECTED: 200 and EXPECTED in the body
  local body
  body=$(curl -fsS --max-time 5 "http://127.0.0.1:$app_port$1") || {
    $podman logs "$name" >&2
    echo "GET $1 failed" >&2
    exit 1
  }
  echo "GET $1 -> $body"
  [[ $body == *"$2"* ]] || { echo "GET $1: expected $2" >&2; exit 1; }
}
healthcheck=$($podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$image")
mapfile -t healthcheck < <($python -c 'import json, sys; print(*json.loads(sys.argv[1])[1:], sep="\n")' "$healthcheck")
$podman exec "$name" "${healthcheck[@]}" || { echo "the image's HEALTHCHECK failed" >&2; exit 1; }
echo "HEALTHCHECK: healthy"
check /health '"database": "ok"'
check "/reviews/meta?product_id=1" '"product_id":"1"'
echo "image smoke test passed"
