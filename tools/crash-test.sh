#!/usr/bin/env bash
# Crash safety test (tools/crash_test.py): SIGKILLs `clicklog serve` at random moments while
# events flow, restarts it, resends what was not acked, then checks that every acked event is
# stored exactly once and `clicklog verify` is clean. About a minute; bounded at ~2.
#
# Usage: tools/crash-test.sh [crash_test.py options, e.g. --kills 20 --seed 7]
# Environment: CLICKLOG (binary; default: release build in .build-load), SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ -z "${CLICKLOG:-}" ]]; then
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        swift build -c release --scratch-path .build-load --product clicklog >&2
    fi
    CLICKLOG=$ROOT/.build-load/release/clicklog
fi

PYTHON=$ROOT/tools/.venv/bin/python
if [[ ! -x "$PYTHON" ]] || ! "$PYTHON" -c 'import websockets' 2>/dev/null; then
    python3 -m venv "$ROOT/tools/.venv"
    "$ROOT/tools/.venv/bin/pip" install -q -r "$ROOT/tools/requirements.txt"
fi

exec timeout 150 "$PYTHON" "$ROOT/tools/crash_test.py" --clicklog "$CLICKLOG" "$@"
