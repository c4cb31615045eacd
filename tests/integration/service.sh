#!/usr/bin/env bash
# The HTTP service on both backends (tests/integration/service.py).
set -u
cd "$(dirname "$0")/../.."
python3 tests/integration/service.py sqlite
if [ -n "${PG_TEST_PORT:-}" ]; then
  python3 tests/integration/service.py postgresql
else
  echo "not ok - service on postgresql: no test cluster (PG_TEST_PORT unset)"
fi
