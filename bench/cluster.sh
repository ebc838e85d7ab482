#!/usr/bin/env bash
# The cluster load runs of issue 13 against a freshly built Release gateway: (a) and (b) on one node and on two nodes
# on a private redis-server, in the same run; writes its table into docs/BENCHMARKS.md.
#   bench/cluster.sh               # 3 repeats (about 5 minutes)
#   bench/cluster.sh --quick       # 1 repeat, short runs (a check, not a measurement)
#   bench/cluster.sh --only b-tcp  # extra arguments go to the load tool's "cluster" command
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${BENCH_WORK:-/tmp/socketgateway-bench}
mkdir -p "$work"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }

dotnet publish src/SocketGateway -c Release --artifacts-path "$work/artifacts" -o "$work/server" -v quiet -nologo
dotnet build bench/SocketGateway.LoadTool -c Release --artifacts-path "$work/artifacts" -v quiet -nologo
tool="$work/artifacts/bin/SocketGateway.LoadTool/release/SocketGateway.LoadTool.dll"

dotnet "$tool" cluster --server-dll "$work/server/SocketGateway.dll" --redis-server "$(command -v redis-server)" \
    --json "$work/cluster.jsonl" --markdown "$root/docs/BENCHMARKS.md" --command "bench/cluster.sh${*:+ $*}" "$@"
