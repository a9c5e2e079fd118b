#!/bin/sh
# Prints the browser snippet's size as served (raw) and gzip'd at level 9, in bytes.
# Usage: tools/snippet-size.sh [path/to/c.js]
set -eu
f="${1:-$(dirname "$0")/../Sources/ClicklogIngest/Web/c.js}"
[ -f "$f" ] || { echo "snippet-size: no such file: $f" >&2; exit 1; }
raw=$(wc -c < "$f" | tr -d ' ')
gz=$(gzip -9 -c "$f" | wc -c | tr -d ' ')
echo "c.js raw: $raw bytes"
echo "c.js gzip -9: $gz bytes"
