#!/usr/bin/env bash
# Runs Tether's whole test suite: a warning-free build (warnings are errors), the reference server's
# pytest suite, then `swift test` (Swift Testing and XCTest).
# Network tests use Python test peers (websockets, aiohttp); this script puts them in ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python3 ] || ! .venv/bin/python3 -c 'import websockets, aiohttp, pytest' 2>/dev/null; then
    echo "== setting up .venv for the test peers (ReferenceServer/requirements.txt)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r ReferenceServer/requirements.txt
fi
export TETHER_PYTHON="$PWD/.venv/bin/python3"

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors
echo "== reference server tests (pytest)"
.venv/bin/python3 -m pytest -q -p no:cacheprovider ReferenceServer/tests
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
    exit
fi
# The end-to-end suites start real servers and CLI processes; they run after the rest, on their own,
# so their time bounds are not shared with hundreds of in-process tests on a small machine.
echo "== swift test (libraries, conformance, properties, replays, transports)"
swift test --skip-build --skip TetherCLITests
echo "== swift test (command line and end to end, against the reference server)"
swift test --skip-build --filter TetherCLITests
