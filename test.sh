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
# The store tests run over a real PostgreSQL (a private server, started below).
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
# The build copies the page's SignalR client from npm (see src/SocketGateway/SocketGateway.csproj), and the IRC tests
# drive the npm package irc-framework with node.
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The IRC tests type into Debian's irssi in tmux.
[ -x /usr/bin/irssi ] || missing+=(irssi)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || echo "warning: could not install ${missing[*]}"
  else
    echo "warning: not root; skipping the install of ${missing[*]}"
  fi
fi

# irc-framework, pinned by tests/irc-clients/package-lock.json (node_modules is not committed).
if [ ! -d tests/irc-clients/node_modules/irc-framework ]; then
  (cd tests/irc-clients && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || echo "warning: npm ci in tests/irc-clients failed"
fi

if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q
  docker-compose -f docker-compose.yml --profile cluster config -q
  echo "docker-compose.yml is valid (single node and the cluster profile)"
fi
# The cluster profile's load balancer config, where haproxy is installed (its compose service names do not resolve
# here, which haproxy -c reports as warnings only).
if command -v haproxy >/dev/null 2>&1; then
  haproxy -c -q -f deploy/haproxy.cfg
  echo "deploy/haproxy.cfg is valid"
fi

results="$(mktemp -d)"
pg_dir=""
pg_pid=""
cleanup() {
  if [ -n "$pg_pid" ]; then
    kill -INT "$pg_pid" 2>/dev/null || true # a fast shutdown: ends its children and frees its shared memory
    wait "$pg_pid" 2>/dev/null || true
  fi
  [ -z "$pg_dir" ] || rm -rf "$pg_dir"
  rm -rf "$results"
}
trap cleanup EXIT

# A private PostgreSQL for the store tests: a temp directory, a free 127.0.0.1 port, no socket in /var/run. Root may
# not run it, so it runs as the postgres user (setpriv execs it in place, so $! is the server's own PID). Without
# the binaries the PostgreSQL tests fail and say why; they are never skipped.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "${SOCKETGATEWAY_TEST_POSTGRES:-}" ] && [ -n "$pg_bin" ]; then
  pg_dir="$(mktemp -d)"
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$pg_dir"
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
  "${as_pg[@]}" mkdir "$pg_dir/sockets"
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; exit 1; }
  # A port below the kernel's ephemeral range (32768 up), where no outgoing connection holds it; a start that still
  # loses its port to someone else is tried again on another.
  for _ in $(seq 10); do
    while :; do
      pg_port=$((20000 + RANDOM % 12000))
      (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null || break # nothing listens there
    done
    # fsync off: a throwaway server on a machine that does not crash during the run; commits still go through the WAL.
    "${as_pg[@]}" "$pg_bin/postgres" -D "$pg_dir/data" -h 127.0.0.1 -p "$pg_port" -k "$pg_dir/sockets" \
      -c fsync=off -c max_connections=300 >"$pg_dir/server.log" 2>&1 &
    pg_pid=$!
    for _ in $(seq 300); do
      "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
      kill -0 "$pg_pid" 2>/dev/null || break
      sleep 0.1
    done
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
    wait "$pg_pid" 2>/dev/null || true
    grep -q "Address already in use" "$pg_dir/server.log" || { cat "$pg_dir/server.log"; exit 1; }
  done
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || { echo "postgres did not start"; cat "$pg_dir/server.log"; exit 1; }
  export SOCKETGATEWAY_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') for the store tests on 127.0.0.1:$pg_port"
fi

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
