#!/usr/bin/env bash
# Rewrites each tracked library's PublicAPI.Unshipped.txt from the public API analyzer's findings:
# adds what RS0016 reports as undeclared, drops what RS0017 reports as gone. Review the diff, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet build ExEsdbGater.slnx -nologo -v quiet -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= --no-incremental >"$log" 2>&1 || true
for project in $(grep -l '<TrackPublicApi>true</TrackPublicApi>' src/*/*.csproj); do
  dir=$(dirname "$project")
  file="$dir/PublicAPI.Unshipped.txt"
  abs=$(cd "$dir" && pwd)/$(basename "$project")
  add=$(grep -F "[$abs]" "$log" | grep -F 'RS0016' | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" | sort -u || true)
  gone=$(grep -F "[$abs]" "$log" | grep -F 'RS0017' | sed -E "s/.*Symbol '(.*)' is part of the declared API, but .*/\1/" | sort -u || true)
  { echo '#nullable enable'
    { grep -v '^#nullable' "$file" || true; if [ -n "$add" ]; then echo "$add"; fi; } | { if [ -n "$gone" ]; then grep -vxF -f <(echo "$gone"); else cat; fi; } | LC_ALL=C sort -u
  } > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "$file: +$(echo -n "$add" | grep -c . || true) -$(echo -n "$gone" | grep -c . || true)"
done
rm -f "$log"
