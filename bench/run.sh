#!/usr/bin/env bash
# The standard load suite against a freshly built Release gateway; writes the table into docs/BENCHMARKS.md.
#   bench/run.sh                 # full suite, 3 repeats (about 10 minutes)
#   bench/run.sh --quick         # shorter runs, 2,000 connections, 1 repeat (a check, not a measurement)
#   bench/run.sh --only a-tcp    # extra arguments go to the load tool (see: dotnet <tool> --help)
# Builds into a private artifacts folder, so it does not disturb other builds in the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${BENCH_WORK:-/tmp/socketgateway-bench}
mkdir -p "$work"

# 10,000 connections need more descriptors than the usual soft limit; stay within the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

dotnet publish src/SocketGateway -c Release --artifacts-path "$work/artifacts" -o "$work/server" -v quiet -nologo
dotnet build bench/SocketGateway.LoadTool -c Release --artifacts-path "$work/artifacts" -v quiet -nologo
tool="$work/artifacts/bin/SocketGateway.LoadTool/release/SocketGateway.LoadTool.dll"

repeat=3
if [[ " $* " == *" --quick "* ]]; then repeat=1; fi
dotnet "$tool" suite --server-dll "$work/server/SocketGateway.dll" --repeat "$repeat" \
    --json "$work/results.jsonl" --markdown "$root/docs/BENCHMARKS.md" --command "bench/run.sh${*:+ $*}" "$@"
