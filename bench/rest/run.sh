#!/usr/bin/env bash
# Concurrent REST posters against a freshly published Release gateway on loopback, with a fresh SQLite file:
# requests/s (wrk) and server CPU per post (from /proc). Usage: bench/rest/run.sh [connections] [seconds]
#   bench/rest/run.sh 16 10
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-16}
seconds=${2:-10}
work=${BENCH_WORK:-/tmp/socketgateway-bench-rest}
rm -rf "$work/data" && mkdir -p "$work/data"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
dotnet publish src/SocketGateway -c Release --artifacts-path "$work/artifacts" -o "$work/server" -v quiet -nologo

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
Gateway__Http__Port=$port Gateway__Tcp__Port=0 Gateway__Tcp__TlsPort=0 Gateway__Limits__MessageRate=0 \
  ConnectionStrings__Gateway="Data Source=$work/data/gateway.db" Logging__LogLevel__Default=Warning \
  dotnet "$work/server/SocketGateway.dll" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"bench"}' "http://127.0.0.1:$port/api/rooms" >/dev/null || true
# Warm-up, then the measured run.
wrk -t1 -c"$connections" -d3s -s bench/rest/post.lua "http://127.0.0.1:$port" >/dev/null
ticks() { awk '{print $14+$15}' "/proc/$server/stat"; }
before=$(ticks)
out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s bench/rest/post.lua "http://127.0.0.1:$port")
after=$(ticks)
echo "$out"
requests=$(echo "$out" | awk '/requests in/ {print $1}')
hz=$(getconf CLK_TCK)
awk -v r="$requests" -v t=$((after - before)) -v hz="$hz" -v s="$seconds" \
  'BEGIN { printf "server CPU: %.2f s over %d s; %.1f us per post\n", t/hz, s, (t/hz)/r*1e6 }'
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
echo "non-2xx responses: ${non2xx:-0}"
