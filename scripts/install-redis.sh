#!/usr/bin/env bash
# Installs redis-server (Debian package) for the RedisStore tests, unless it is already on PATH.
# The tests start and stop their own server on a free loopback port; nothing runs as a service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "install-redis: $(redis-server --version | head -n1) already present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends redis-server
# The Debian package may start a system service on 6379; the tests do not use it.
redis-server --version
