#!/usr/bin/env bash
# The image lane: builds docker/Dockerfile here without a Docker engine or registry, then boots it.
# 1. installs podman + debootstrap (or fails loudly), 2. base image from debootstrap (scripts/image-base.sh,
# cached), 3. `podman build --isolation=chroot` of docker/Dockerfile (layer cache makes re-runs short),
# 4. `podman image mount` + chroot as uid 1000: `recbot serve` from the image's filesystem with the
# image's node, redis-server, ffmpeg and pocketsphinx, 5. /livez and /readyz, 6. one call recorded end to
# end (participant from this checkout's test world), outputs decoded, transcript made; 7. SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[image-test] $*"; }
PODMAN=(podman --cgroup-manager=cgroupfs)
TAG=${RECBOT_IMAGE_TAG:-localhost/recbot:test}

missing=()
for b in podman debootstrap; do command -v "$b" >/dev/null || missing+=("$b"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null \
    || { echo "[image-test] ERROR: could not install ${missing[*]} (run as root with apt)" >&2; exit 1; }
fi
[ -f dist/testworld/synthetic/test-world.js ] || { echo "[image-test] ERROR: build the checkout first (scripts/setup.sh)" >&2; exit 1; }

base=$(bash scripts/image-base.sh | tail -1)
build_args=(--build-arg "BASE=$base" --build-arg "NPM_CONFIG_REGISTRY=$(npm config get registry)")
# A TLS-inspecting proxy's CA (as the host's npm trusts it), handed to npm ci as a build secret.
cafile=$(npm config get cafile 2>/dev/null || true)
[ -n "$cafile" ] && [ "$cafile" != "null" ] && [ -f "$cafile" ] && build_args+=(--secret "id=npm_ca,src=$cafile")
t0=$(date +%s)
"${PODMAN[@]}" build --isolation=chroot --format docker "${build_args[@]}" -f docker/Dockerfile -t "$TAG" . >/tmp/recbot-image-build.log 2>&1 \
  || { tail -40 /tmp/recbot-image-build.log >&2; echo "[image-test] ERROR: podman build failed" >&2; exit 1; }
size=$("${PODMAN[@]}" image inspect "$TAG" --format '{{.Size}}')
log "built $TAG in $(( $(date +%s) - t0 )) s, $(( size / 1000000 )) MB"

mnt=$("${PODMAN[@]}" image mount "$TAG")
work=$(mktemp -d /tmp/recbot-image-work.XXXXXX)
chmod 0777 "$work"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM $(cat "/proc/$pid/task/$pid/children" 2>/dev/null) 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  "${PODMAN[@]}" image unmount "$TAG" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# What must be in the image, and what must not.
for f in usr/bin/tini usr/bin/ffmpeg usr/bin/redis-server usr/bin/pocketsphinx_continuous usr/local/bin/node app/dist/main.js app/dist/recorder-role/call-child.js; do
  [ -e "$mnt/$f" ] || { echo "[image-test] ERROR: /$f missing from the image" >&2; exit 1; }
done
for f in app/dist/testworld app/dist/bench app/node_modules/typescript app/node_modules/jest app/src; do
  [ ! -e "$mnt/$f" ] || { echo "[image-test] ERROR: /$f must not be in the image" >&2; exit 1; }
done
log "image node $(chroot "$mnt" /usr/local/bin/node --version); user $(grep -o '"User":"[^"]*"' <<<"$("${PODMAN[@]}" image inspect "$TAG" --format '{{json .Config}}')")"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# A private mount namespace: /proc, /dev and the writable WORK_DIR exist only for this process tree.
export PORT=$port
unshare --mount --fork --kill-child=SIGTERM sh -c '
  set -e; m=$1; w=$2; shift 2
  mount -t proc proc "$m/proc"; mount --rbind /dev "$m/dev"; mount -t tmpfs tmpfs "$m/tmp"
  mount --bind "$w" "$m/var/lib/recbot"
  exec chroot --userspec=1000:1000 "$m" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp NODE_ENV=production \
    WORK_DIR=/var/lib/recbot STORAGE_FS_DIR=/var/lib/recbot/storage HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" ICE_LOOPBACK_ONLY=true OUTBOUND_ALLOW=loopback SEGMENT_SECONDS=4 LOG_LEVEL=warn \
    sh -c "cd /app && exec /usr/bin/tini -- node dist/main.js serve"
' _ "$mnt" "$work" >"$work/serve.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
for i in $(seq 1 120); do
  code=$(curl -s -o "$work/readyz.json" -w '%{http_code}' "$url/readyz" || true)
  [ "$code" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "[image-test] ERROR: recbot serve exited" >&2; exit 1; }
  sleep 1
done
[ "$code" = 200 ] || { cat "$work/serve.log" "$work/readyz.json" >&2; echo "[image-test] ERROR: /readyz $code" >&2; exit 1; }
log "/readyz 200 after ${i} s: $(cat "$work/readyz.json")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/livez")" = 200 ] || { echo "[image-test] ERROR: /livez" >&2; exit 1; }

node scripts/image-call.js "$url" "$work/storage" || { tail -50 "$work/serve.log" >&2; exit 1; }
# unshare ignores SIGTERM while it waits: signal its child (tini, which forwards it to recbot).
t1=$(date +%s)
kill -TERM $(cat "/proc/$pid/task/$pid/children")
wait "$pid" && rc=0 || rc=$?
pid=""
# 143: Nest's own shutdown hook re-raises SIGTERM after closing the app (tini reports 128+15).
case $rc in 0|143) ;; *) tail -20 "$work/serve.log" >&2; echo "[image-test] ERROR: recbot serve exited $rc on SIGTERM" >&2; exit 1 ;; esac
log "recbot serve closed on SIGTERM in $(( $(date +%s) - t1 )) s (exit $rc)"
log "OK: image $TAG ($(( size / 1000000 )) MB) built, booted, ready, recorded a call"
