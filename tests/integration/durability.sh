#!/usr/bin/env bash
# Kill -9 mid-load and database outages (tests/integration/durability.py).
set -u
cd "$(dirname "$0")/../.."
python3 tests/integration/durability.py sqlite
if [ -n "${PG_TEST_PORT:-}" ]; then
  python3 tests/integration/durability.py postgresql
else
  echo "not ok - durability on postgresql: no test cluster (PG_TEST_PORT unset)"
fi
