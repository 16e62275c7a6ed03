#!/usr/bin/env bash
# Runs every test. Installs from Debian packages what the tests need when it is missing: redis-server (which
# also runs as a sentinel: `redis-server sentinel.conf --sentinel`), redis-tools (redis-cli, which creates the test
# cluster) and tmux (the demo's live view on a real 80x24 terminal, LiveViewTests). The tests start and stop their
# own servers, cluster, sentinel and tmux servers, on free loopback ports. chromium: the dashboard's browser tests
# drive Debian's /usr/bin/chromium through Playwright, which never downloads a browser of its own. erlang-base (erl,
# epmd), erlang-crypto and elixir: the BEAM tests run real Erlang and Elixir nodes (and start epmd if none runs).
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v elixir >/dev/null 2>&1 || missing+=(elixir)
{ command -v erl && command -v epmd; } >/dev/null 2>&1 || missing+=(erlang-base)
compgen -G "/usr/lib/erlang/lib/crypto-*" >/dev/null || missing+=(erlang-crypto)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} (Debian packages)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Erlang short names are name@<this host's short name>, and nodes find each other through it: on a machine whose
# own name does not resolve, map it to loopback (the tests use loopback only).
short_host=$(hostname -s 2>/dev/null || hostname)
if ! getent hosts "$short_host" >/dev/null 2>&1; then
  echo "test.sh: $short_host does not resolve; adding it to /etc/hosts as 127.0.0.1 (Erlang short names need it)"
  echo "127.0.0.1 $short_host" | $SUDO tee -a /etc/hosts >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet build ExEsdbGater.slnx -nologo -v quiet -clp:ErrorsOnly

log=$(mktemp)
status=0
for project in tests/ExEsdbGater.Tests tests/ExEsdbGater.Beam.Tests tests/ExEsdbGater.Redis.Tests tests/Gater.Cli.Tests tests/ExEsdbGater.Hosting.Tests tests/ExEsdbGater.Dashboard.Tests; do
  # a hung test fails its project after 10 minutes, naming the test, instead of running into CI's limit
  dotnet test "$project" --no-build -nologo --logger "console;verbosity=minimal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee -a "$log" || status=1
done

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
if [ "$passed" -eq 0 ]; then status=1; fi
exit $status
