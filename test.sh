#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need when it is missing, checks the deployment files,
# runs every test project, and ends with one line "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# The browser tests drive Debian's Chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Real terminal clients (netkit telnet) are typed into in tmux.
[ -x /usr/bin/tmux ] || missing+=(tmux)
[ -x /usr/bin/telnet ] || missing+=(telnet)
# The cluster tests start private redis-server processes on free loopback ports (tests/…/Infrastructure/RedisServer).
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
# The build copies the page's SignalR client from npm (see src/SocketGateway/SocketGateway.csproj).
command -v npm >/dev/null 2>&1 || [ -f wwwroot/lib/signalr/signalr.min.js ] || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || echo "warning: could not install ${missing[*]}"
  else
    echo "warning: not root; skipping the install of ${missing[*]}"
  fi
fi

if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q
  echo "docker-compose.yml is valid"
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet build SocketGateway.sln -c Release -warnaserror --nologo -v quiet || exit 1
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" --blame-hang-timeout 120s || status=$?
done

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
