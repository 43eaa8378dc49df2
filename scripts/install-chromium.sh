#!/usr/bin/env bash
# Installs the Debian package `chromium` for the browser test (npm run test:browser), unless a
# working /usr/bin/chromium is already there. Needs root or sudo. The test drives it through
# playwright-core with executablePath /usr/bin/chromium, so no Playwright browser download happens.
# --no-install-recommends: the headless test needs the browser and its libraries, not the ~100
# recommended packages (avahi, cups, upower, fonts…) that a desktop install brings: measured, 25
# packages instead of 130 on Debian 12.
set -euo pipefail
if [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null) already installed"
  exit 0
fi
# Pinned (scripts/apt-pinned.sh says how a version that is gone is handled): Debian 12's main archive.
CHROMIUM=150.0.7871.100-1~deb12u1
bash "$(dirname "$0")/apt-pinned.sh" "chromium=$CHROMIUM" "chromium-common=$CHROMIUM"
/usr/bin/chromium --version
