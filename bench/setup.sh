#!/usr/bin/env bash
# Prepares a fresh clone for `npm run bench:*`:
#   cd bench && npm ci && bash setup.sh
# - wrk (the HTTP load generator; autocannon from bench/node_modules is the fallback),
# - redis-server (optional: bench:stores measures RedisStore against a throwaway instance),
# - valgrind (optional: bench:app-instructions counts instructions with callgrind),
# - the main package's dev dependencies (tsx runs the bench files) and its build (dist/,
#   which is what the cachet rows measure).
set -euo pipefail
cd "$(dirname "$0")"

node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error("Node >= 20 needed, have " + process.version); process.exit(1) }'

SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
apt_updated=""
install_pkg() { # install_pkg <command> <apt package> <brew formula> <what happens without it>
  command -v "$1" >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $2 with apt-get"
    if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq || true; apt_updated=1; fi
    $SUDO apt-get install -y -qq "$2" >/dev/null && return 0
  elif command -v brew >/dev/null 2>&1; then
    brew install "$3" && return 0
  fi
  echo "setup: could not install $2; $4" >&2
}
install_pkg wrk wrk wrk "the HTTP benches will use autocannon"
install_pkg redis-server redis-server redis "bench:stores will leave RedisStore out"
# callgrind: brew has no valgrind for current macOS; there the scenario says so and measures nothing.
install_pkg valgrind valgrind valgrind "bench:app-instructions will measure nothing"

[ -d node_modules ] || npm ci
[ -d ../node_modules ] || (cd .. && npm ci)
(cd .. && npm run build)
echo "setup: ready. Try: npm run bench:codec | bench:router | bench:http | bench:sessions | bench:stores | bench:app | bench:all"
