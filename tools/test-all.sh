#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with only the Swift toolchain: installs what
# is missing (Debian packages, a Python venv with the reference engines and the browser
# driver), builds, and runs every suite. `.ci/run` calls exactly this.
#
#   tools/test-all.sh            everything
#   SKIP_BROWSER=1 tools/...     without the headless-Chromium suite
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
missing=()
for pkg in libzstd-dev libsqlite3-dev zlib1g-dev sqlite3 chromium chromium-driver openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

VENV=.venv-test
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r tools/requirements-test.txt
export PYTHON="$PWD/$VENV/bin/python"

echo "== swift build"
swift build --build-tests
export CLICKLOG_BIN="$PWD/.build/debug/clicklog"

echo "== swift test"
swift test --skip-build --skip ClicklogIngestTests
# The server's end-to-end tests run alone: their socket deadlines (close replies, shutdown)
# assume the test's async steps get a thread, which CPU-bound suites beside them can deny.
echo "== swift test: ingest"
swift test --skip-build --filter ClicklogIngestTests

echo "== JavaScript unit tests"
node --test Tests/js/

for suite in Tests/crosscheck/test_crosscheck.py Tests/browser/test_browser.py Tests/reports/test_report_browser.py; do
    [ -f "$suite" ] || continue
    case "$suite" in Tests/browser/* | Tests/reports/*) [ -n "${SKIP_BROWSER:-}" ] && continue ;; esac
    echo "== $suite"
    "$PYTHON" "$suite"
done

echo "== crash test: 20 SIGKILLs while events flow"
CLICKLOG="$CLICKLOG_BIN" tools/crash-test.sh --kills 20
echo "== all tests passed"
