#!/usr/bin/env bash
# make demo-sync: a local smiley-collector, then smileyd on keyboard buttons sending to it.
# Presses travel a couple of seconds after they are made (the coalescing window; a terminal whose
# clock is not NTP-synchronized holds them until the correction, or until `smileyctl sync`).
set -euo pipefail
bin="${1:-.build/debug}"
cd "$(dirname "$0")/.."
mkdir -p demo
umask 077
if [ ! -s demo/upstream.token ]; then
  token="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$token" > demo/upstream.token
  printf 'demo-terminal %s\n' "$token" > demo/collector-tokens
fi
# Terminals' tokens read nothing: the demo reads the summary with an admin credential.
if [ ! -s demo/collector-admin.token ]; then
  "$bin/smiley-collector" token add --admin --config examples/collector.yaml --log-level error > demo/collector-admin.token
fi
umask 022
"$bin/smiley-collector" --config examples/collector.yaml --log-level notice &
collector=$!
trap 'kill "$collector" 2>/dev/null; wait "$collector" 2>/dev/null || true' EXIT
sleep 1
echo "Press 1..4 for very-unhappy, unhappy, happy, very-happy; q to stop. The collector is at http://127.0.0.1:8089"
"$bin/smileyd" --config examples/keyboard-upstream.yaml
echo
echo "== smileyctl sync (sends anything still waiting)"
"$bin/smileyctl" sync --config examples/keyboard-upstream.yaml --timeout 15 || true
echo "== smileyctl status"
"$bin/smileyctl" status --config examples/keyboard-upstream.yaml
echo "== the collector's view: GET /v1/summary?site=demo-store&day=$(date +%F)"
if command -v curl >/dev/null; then
  curl -s -H "Authorization: Bearer $(cat demo/collector-admin.token)" \
    "http://127.0.0.1:8089/v1/summary?site=demo-store&day=$(date +%F)"; echo
fi
