#!/bin/sh
# Prints the browser snippet's size in bytes, raw and gzip -9: the source file, and what
# `GET /c.js` serves (the server drops its comments and indentation: SnippetCompactor).
# Usage: tools/snippet-size.sh
#   CLICKLOG=path/to/clicklog (default: .build/release/clicklog, else .build/debug/clicklog)
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/Sources/ClicklogIngest/Web/c.js"
bin="${CLICKLOG:-}"
[ -n "$bin" ] || for b in "$root/.build/release/clicklog" "$root/.build/debug/clicklog"; do
    [ -x "$b" ] && { bin="$b"; break; }
done
[ -x "${bin:-}" ] || { echo "snippet-size: no clicklog binary; run 'swift build' or set CLICKLOG" >&2; exit 1; }

echo "c.js source: $(wc -c < "$src" | tr -d ' ') bytes, gzip -9: $(gzip -9 -c "$src" | wc -c | tr -d ' ') bytes"

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" serve --host 127.0.0.1 --port "$port" --data "$tmp/data" >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
python3 - "$port" "$tmp/c.js" <<'PY'
import sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
for _ in range(100):
    try:
        data = urllib.request.urlopen(f"http://127.0.0.1:{port}/c.js", timeout=2).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("snippet-size: the server did not answer /c.js")
open(out, "wb").write(data)
PY
echo "c.js served: $(wc -c < "$tmp/c.js" | tr -d ' ') bytes, gzip -9: $(gzip -9 -c "$tmp/c.js" | wc -c | tr -d ' ') bytes"
