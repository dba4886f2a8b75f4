#!/usr/bin/env bash
# The tests against the lowest versions pyproject.toml allows: every runtime and extra dependency pinned
# exactly at its floor (scripts/floors.py) in a venv of its own, the test tools at their current versions.
# Usage: scripts/lowest.sh [pytest arguments]   (default: the suites that exercise the dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${LOWEST_VENV:-.lowest-venv}
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade "pip>=25.1"
"$VENV/bin/python" scripts/floors.py > "$VENV/floors.txt"
# One resolve: the floors exactly, the test tools (the dev group) around them.
"$VENV/bin/python" -m pip install --quiet -r "$VENV/floors.txt" --group dev
"$VENV/bin/python" -m pip install --quiet --no-deps -e .
"$VENV/bin/python" -m pip check
echo "lowest: $(tr '\n' ' ' < "$VENV/floors.txt")"
if [ "$#" -eq 0 ]; then
    # HTTP (our own, no dependency), WebSockets, AES (cryptography), file locks, the emulator (aiohttp), the
    # CLI (argparse), the data frames and plots (pandas/polars/matplotlib), and the security suite.
    set -- tests/protocol tests/client tests/realtime tests/security tests/integration \
        tests/emulator/test_ws.py tests/emulator/test_server.py tests/emulator/test_faults.py \
        tests/experience/test_cli.py tests/experience/test_data.py tests/test_auth.py
fi
# Old floors meet today's transitive packages (matplotlib 3.8 with pyparsing 3.3):
# their deprecation warnings are not failures here; `make test` keeps them errors at current versions.
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" -W "ignore::DeprecationWarning" "$@"
