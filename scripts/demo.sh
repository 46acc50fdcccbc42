#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root or with sudo), builds, and runs netmap's main job
# on the bundled example project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh bootstrap
exec make demo "$@"
