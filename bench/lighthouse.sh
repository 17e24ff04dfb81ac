#!/usr/bin/env bash
# Lighthouse audits of the public pages in every language (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bench.lighthouse "$@"
