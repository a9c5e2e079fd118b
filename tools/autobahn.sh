#!/usr/bin/env bash
# WebSocket conformance: the Autobahn testsuite's fuzzing client against `clicklog serve
# --test-echo` (route /v1/echo, which sends every message back as it came).
#
# Runs sections 1–10 (framing, pings, reserved bits, opcodes, fragmentation, UTF-8, close
# handshake, limits/performance) and 12–13 (permessage-deflate: the server inflates what the
# client compresses and echoes it uncompressed, which RFC 7692 allows).
# Prints the results per section from reports/index.json; exits 1 when any case FAILED (or the
# run did not complete), 0 otherwise. NON-STRICT and INFORMATIONAL results are listed, not fatal.
#
# The suite is Python 2 code (recipes/autobahn.md): installed once with the image's Python
# 2.7.18 into $AUTOBAHN_PREFIX (default ~/.cache/clicklog/autobahn), about a minute.
#
# Usage: tools/autobahn.sh [CASES…]   (default: 1.* … 10.*, 12.*, 13.*; e.g. tools/autobahn.sh '6.*')
# Environment: CLICKLOG (binary; default: release build in .build-load), SKIP_BUILD=1,
#   PYTHON2 (default /root/.pyenv/versions/2.7.18/bin/python), OUT (report dir).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYTHON2=${PYTHON2:-/root/.pyenv/versions/2.7.18/bin/python}
PREFIX=${AUTOBAHN_PREFIX:-$HOME/.cache/clicklog/autobahn}
OUT=${OUT:-$(mktemp -d /tmp/clicklog-autobahn.XXXXXX)}
SITE=$PREFIX/lib/python2.7/site-packages
mkdir -p "$OUT"

[[ -x "$PYTHON2" ]] || { echo "error: Python 2.7 not found at $PYTHON2 (set PYTHON2)" >&2; exit 1; }
if [[ ! -d "$SITE/autobahntestsuite" ]]; then
    echo "installing autobahntestsuite 0.8.2 into $PREFIX…" >&2
    "$PYTHON2" -m pip install -q --no-warn-script-location --prefix "$PREFIX" autobahntestsuite==0.8.2 >&2
fi

if [[ -z "${CLICKLOG:-}" ]]; then
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        swift build -c release --scratch-path .build-load --product clicklog >&2
    fi
    CLICKLOG=$ROOT/.build-load/release/clicklog
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CLICKLOG" serve --test-echo --port "$PORT" --data "$OUT/data" >"$OUT/serve.log" 2>&1 &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2).close()" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "error: clicklog serve exited:" >&2; tail -20 "$OUT/serve.log" >&2; exit 1; }
    sleep 0.05
done

if [[ $# -gt 0 ]]; then
    CASES=$(printf '"%s",' "$@")
else
    CASES='"1.*","2.*","3.*","4.*","5.*","6.*","7.*","9.*","10.*","12.*","13.*",'
fi
cat >"$OUT/spec.json" <<EOF
{
  "outdir": "$OUT/reports",
  "servers": [{"agent": "clicklog", "url": "ws://127.0.0.1:$PORT/v1/echo"}],
  "cases": [${CASES%,}],
  "exclude-cases": [],
  "exclude-agent-cases": {},
  "options": {"failByDrop": false}
}
EOF

echo "running wstest against ws://127.0.0.1:$PORT/v1/echo (reports in $OUT/reports)…" >&2
(cd "$OUT" && timeout 1500 "$PYTHON2" -c "import site, sys; site.addsitedir('$SITE'); sys.argv[0] = 'wstest'; from autobahntestsuite.wstest import run; run()" \
    -m fuzzingclient -s "$OUT/spec.json" >"$OUT/wstest.log" 2>&1) || {
    echo "error: wstest did not complete; last lines of $OUT/wstest.log:" >&2
    tail -20 "$OUT/wstest.log" >&2
    exit 1
}

python3 - "$OUT/reports/index.json" <<'PYTHON'
import collections, json, sys

with open(sys.argv[1]) as f:
    index = json.load(f)
results = index["clicklog"]
sections = collections.defaultdict(collections.Counter)
notable = []
for case, result in results.items():
    section = int(case.split(".")[0])
    behavior = result["behavior"]
    if result.get("behaviorClose") == "FAILED" and behavior != "FAILED":
        behavior = "FAILED"
    sections[section][behavior] += 1
    if behavior not in ("OK",):
        notable.append((tuple(int(p) for p in case.split(".")), case, behavior, result.get("behaviorClose")))

kinds = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
print(f"{'section':<9}" + "".join(f"{k:>15}" for k in kinds) + f"{'total':>8}")
for section in sorted(sections):
    counts = sections[section]
    print(f"{section:<9}" + "".join(f"{counts[k]:>15}" for k in kinds) + f"{sum(counts.values()):>8}")
total = collections.Counter()
for counts in sections.values():
    total.update(counts)
print(f"{'all':<9}" + "".join(f"{total[k]:>15}" for k in kinds) + f"{sum(total.values()):>8}")
for _, case, behavior, close in sorted(notable):
    print(f"  {case}: {behavior} (close: {close})")
sys.exit(1 if total["FAILED"] or total["UNIMPLEMENTED"] else 0)
PYTHON
