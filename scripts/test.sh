#!/usr/bin/env bash
# Runs Tether's whole test suite: a warning-free build (warnings are errors), then `swift test`.
# Network tests use Python test peers (websockets, aiohttp); this script puts them in ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python3 ] || ! .venv/bin/python3 -c 'import websockets, aiohttp' 2>/dev/null; then
    echo "== setting up .venv for the test peers (ReferenceServer/requirements.txt)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r ReferenceServer/requirements.txt
fi
export TETHER_PYTHON="$PWD/.venv/bin/python3"

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors
echo "== test"
swift test --skip-build "$@"
