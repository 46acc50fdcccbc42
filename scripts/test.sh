#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root or with sudo), builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh bootstrap
exec make test "$@"
