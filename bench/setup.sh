#!/usr/bin/env bash
# Prepares a fresh clone for `npm run bench:*`:
#   cd bench && npm ci && bash setup.sh
# - wrk (the HTTP load generator; autocannon from bench/node_modules is the fallback),
# - the main package's dev dependencies (tsx runs the bench files) and its build (dist/,
#   which is what the cachet rows measure).
set -euo pipefail
cd "$(dirname "$0")"

node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error("Node >= 20 needed, have " + process.version); process.exit(1) }'

if ! command -v wrk >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    echo "setup: installing wrk with apt-get"
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk; }; then
      echo "setup: could not install wrk; the HTTP benches will use autocannon" >&2
    fi
  elif command -v brew >/dev/null 2>&1; then
    brew install wrk || echo "setup: could not install wrk; the HTTP benches will use autocannon" >&2
  else
    echo "setup: no wrk and no apt-get/brew; the HTTP benches will use autocannon" >&2
  fi
fi

[ -d node_modules ] || npm ci
[ -d ../node_modules ] || (cd .. && npm ci)
(cd .. && npm run build)
echo "setup: ready. Try: npm run bench:codec | bench:http | bench:sessions | bench:all"
