#!/usr/bin/env bash
# Installs redis-server (Debian package) for the RedisStore tests, unless it is already on PATH.
# The tests start and stop their own server on a free loopback port; nothing runs as a service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "install-redis: $(redis-server --version | head -n1) already present"
  exit 0
fi
# Pinned (scripts/apt-pinned.sh says how a version that is gone is handled): Debian 12's main archive.
REDIS=5:7.0.15-1~deb12u7
bash "$(dirname "$0")/apt-pinned.sh" "redis-server=$REDIS" "redis-tools=$REDIS"
# The Debian package may start a system service on 6379; the tests do not use it.
redis-server --version
