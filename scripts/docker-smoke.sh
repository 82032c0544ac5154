#!/usr/bin/env bash
# Build the image and check it against a real Docker engine: what unit tests cannot see.
#
#   scripts/docker-smoke.sh
#
#   1. build wirewatch:latest (what `docker compose up --build` builds)
#   2. no pip or setuptools in the image, for the venv's Python or the base image's
#   3. `docker run` with the bundled rules and a named state volume: /healthz answers and the
#      image's HEALTHCHECK turns healthy
#   4. the same with http_proxy / HTTP_PROXY pointing at a closed port: still healthy
#   5. a host folder not owned by uid 10001 mounted on /var/lib/wirewatch: exits 1 with the
#      one-line ownership message
#   6. compose with Redis: one replica, then --scale wirewatch=3: every replica healthy, each
#      on its own host port
#
# Environment: PYTHON_IMAGE / REDIS_IMAGE (base images; Docker Hub's by default),
# DOCKER_BUILD_ARGS (extra `docker build` arguments, e.g. --network=host).
# Everything runs on loopback and a private Docker network; all it creates is removed at the end.
# Takes 3-5 minutes (each HEALTHCHECK waits its 30 s interval).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IMAGE=wirewatch:latest
NAME=wirewatch-smoke
WORK=$(mktemp -d)
BUILD_ARGS=(${DOCKER_BUILD_ARGS:-})
[ -n "${PYTHON_IMAGE:-}" ] && BUILD_ARGS+=(--build-arg "PYTHON_IMAGE=$PYTHON_IMAGE")

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# free_range: "A-B", ten loopback ports free now, below the kernel's ephemeral range (where client
# sockets come and go and could take a port between this check and Docker's bind)
free_range() {
  python3 -c 'import socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
base = next(b for b in range(20000, 32000, 10) if all(free(p) for p in range(b, b + 10)))
print(f"{base}-{base + 9}")'
}

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
compose() { (cd "$WORK/compose" && "${COMPOSE[@]}" -p "$NAME" "$@"); }

cleanup() {
  set +e
  [ -d "$WORK/compose" ] && compose down -v --remove-orphans >/dev/null 2>&1
  docker rm -f "$NAME-run" >/dev/null 2>&1
  docker volume rm "$NAME-state" >/dev/null 2>&1
  docker network rm "$NAME-net" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# health CONTAINER: wait (up to 100 s) until Docker's HEALTHCHECK says healthy; fail on unhealthy
health() {
  local status
  for _ in $(seq 100); do
    status=$(docker inspect --format '{{.State.Health.Status}}' "$1")
    case $status in
      healthy) echo "$1: healthy"; return 0 ;;
      unhealthy) docker inspect --format '{{json .State.Health.Log}}' "$1" >&2; fail "$1 unhealthy" ;;
    esac
    sleep 1
  done
  fail "$1 still '$status' after 100 s"
}

# healthz PORT: GET /healthz on the host's loopback, no proxy
healthz() {
  python3 -c 'import sys, urllib.request as u
o = u.build_opener(u.ProxyHandler({}))
r = o.open(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=5)
print(f"127.0.0.1:{sys.argv[1]}/healthz -> {r.status} {r.read().decode().strip()}")' "$1"
}

say "1. build $IMAGE"
docker build -q "${BUILD_ARGS[@]}" -t "$IMAGE" .
docker image ls "$IMAGE"

say "2. no pip or setuptools in the image"
check='import importlib.util as u, sys; left = [m for m in ("pip", "setuptools") if u.find_spec(m)]; print(sys.executable, "has", left or "neither"); sys.exit(1 if left else 0)'
docker run --rm --entrypoint python "$IMAGE" -c "$check"
docker run --rm --entrypoint sh "$IMAGE" -c "exec \"\$(readlink -f /opt/wirewatch/bin/python)\" -c '$check'"
if docker run --rm --entrypoint sh "$IMAGE" -c 'command -v pip pip3' ; then fail "a pip command is on PATH"; fi

docker network create "$NAME-net" >/dev/null
run_service() {  # run_service EXTRA_DOCKER_ARGS...: start the service, wait healthy, GET /healthz
  local port
  port=$(free_port)
  docker run -d --name "$NAME-run" --network "$NAME-net" -p "127.0.0.1:$port:9108" \
    -v "$ROOT/rules:/rules:ro" -v "$NAME-state:/var/lib/wirewatch" "$@" "$IMAGE" >/dev/null
  health "$NAME-run"
  healthz "$port"
  docker rm -f "$NAME-run" >/dev/null
}

say "3. docker run: /healthz and HEALTHCHECK"
run_service

say "4. docker run with http_proxy=http://127.0.0.1:9 (nothing listens there)"
run_service -e http_proxy=http://127.0.0.1:9 -e HTTP_PROXY=http://127.0.0.1:9

say "5. a host folder not owned by uid 10001 on /var/lib/wirewatch"
mkdir -m 755 "$WORK/host-state"
ls -ldn "$WORK/host-state"
set +e
out=$(docker run --rm --network "$NAME-net" -v "$ROOT/rules:/rules:ro" -v "$WORK/host-state:/var/lib/wirewatch" \
  "$IMAGE" run 2>&1)
code=$?
set -e
printf '%s\n' "$out" | grep -v '^{' || true  # JSON log lines aside
echo "exit code $code"
[ "$code" = 1 ] || fail "expected exit code 1"
grep -q 'state folder /var/lib/wirewatch is not writable by uid 10001' <<<"$out" || fail "no ownership message"
grep -q 'chown -R 10001:10001' <<<"$out" || fail "no chown hint"

say "6. compose (${COMPOSE[*]}): one replica, then three"
mkdir -p "$WORK/compose"
cp docker-compose.yml "$WORK/compose/"
cp .env.example "$WORK/compose/.env"
cp -r rules "$WORK/compose/rules"
OPS_PORTS=$(free_range)
export OPS_PORTS
echo "OPS_PORTS=$OPS_PORTS${REDIS_IMAGE:+ REDIS_IMAGE=$REDIS_IMAGE}"
check_replicas() {  # check_replicas N: N wirewatch containers, each healthy, each on its own port
  local ids i port ports=()
  mapfile -t ids < <(compose ps -q wirewatch)
  [ "${#ids[@]}" = "$1" ] || fail "expected $1 wirewatch containers, found ${#ids[@]}"
  for i in "${!ids[@]}"; do health "${ids[$i]:0:12}"; done
  for i in $(seq "$1"); do
    port=$(compose port --index="$i" wirewatch 9108)
    port=${port##*:}
    [ "$port" -ge "${OPS_PORTS%-*}" ] && [ "$port" -le "${OPS_PORTS#*-}" ] || fail "port $port not in $OPS_PORTS"
    healthz "$port"
    ports+=("$port")
  done
  [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" = "$1" ] || fail "replicas share a port: ${ports[*]}"
}
compose up -d --no-build
check_replicas 1
compose up -d --no-build --scale wirewatch=3
check_replicas 3
compose ps

say "all checks passed"
