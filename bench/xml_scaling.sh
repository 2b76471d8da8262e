#!/usr/bin/env bash
# XML ingest memory as the file grows: the generated IATI file (bench/data/iati.xml,
# 160 MB) and the same activities repeated four times (640 MB), each read by
# `redist bench-ingest`; the peak RSS (from /usr/bin/time) should not grow.
set -euo pipefail
cd "$(dirname "$0")/.."
REDIST=${REDIST:-.build-bench/release/redist}
SMALL=bench/data/iati.xml
BIG=bench/data/iati-4x.xml
[ -f "$SMALL" ] || python3 bench/generate.py iati.xml
python3 - "$SMALL" "$BIG" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
start, end = data.index(b'<iati-activity '), data.rindex(b'</iati-activities>')
with open(sys.argv[2], 'wb') as f:
    f.write(data[:start])
    for _ in range(4):
        f.write(data[start:end])
    f.write(data[end:])
PY
echo "file,bytes,seconds,peak_rss_mb"
for f in "$SMALL" "$BIG"; do
  out=$(/usr/bin/time -f "%e %M" "$REDIST" bench-ingest --format iati --role ledger --by kind "$f" 2>&1 >/dev/null | tail -1)
  set -- $out
  echo "$f,$(stat -c %s "$f"),$1,$(( $2 / 1024 ))"
done
rm -f "$BIG"
