#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages/<set>.txt that are not installed yet.
# Usage: scripts/install-deps.sh build [test …]. Needs root (or sudo) only when something is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
want=()
for set in "$@"; do
  for f in "$here"/packages/"$set"*.txt; do
    [ -f "$f" ] || continue
    while read -r pkg _; do
      [[ -z "$pkg" || "$pkg" == \#* ]] && continue
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || want+=("$pkg")
    done < "$f"
  done
done
[ ${#want[@]} -eq 0 ] && exit 0
echo "netmap: installing Debian packages: ${want[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
