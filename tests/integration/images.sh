#!/usr/bin/env bash
# Images through the service on both backends (tests/integration/images.py).
set -u
cd "$(dirname "$0")/../.."
python3 tests/integration/images.py sqlite
if [ -n "${PG_TEST_PORT:-}" ]; then
  python3 tests/integration/images.py postgresql
else
  echo "not ok - images on postgresql: no test cluster (PG_TEST_PORT unset)"
fi
