#!/usr/bin/env bash
# Installs the Debian `chromium` package for the real-browser test (test/browser/), unless it is
# already there. playwright-core drives it through executablePath /usr/bin/chromium; it never
# downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: /usr/bin/chromium is present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium
