#!/usr/bin/env bash
# apt-pinned.sh PACKAGE=VERSION...: installs Debian packages at the versions CI was last run with,
# so that a Debian update can never change what the tests run against between two CI runs.
#
# The versions are those of Debian 12's main archive, which changes only at a point release (the
# security archive keeps only its newest build). When a point release has replaced a pinned
# version, apt can no longer find it: this script then installs the current version instead, says
# so on stderr, and names the versions to pin. CI stays green on a version nobody chose, and
# the log says which, rather than failing on a version that no longer exists.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends --allow-downgrades "$@"; }
$SUDO apt-get update
if install "$@"; then exit 0; fi
names=()
for pinned in "$@"; do names+=("${pinned%%=*}"); done
echo "apt-pinned: $* is no longer in Debian's archive (a point release replaced it); installing the current ${names[*]}" >&2
install "${names[@]}"
for name in "${names[@]}"; do
  echo "apt-pinned: installed $name=$(dpkg-query -W -f='${Version}' "$name"): pin it in scripts/install-*.sh" >&2
done
