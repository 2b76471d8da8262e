#!/usr/bin/env bash
# Runs the sample pipeline (a first run, then a re-run over the same
# warehouse) under valgrind's memcheck, and fails on any read or write of
# memory the program does not own (freed, never allocated, past an end).
# Such a read can work for months and then crash on another machine, when
# the freed memory happens to be reused by another thread first.
#
# usage: scripts/memcheck.sh BINARY OUT_DIR
# Leaks and the Swift runtime's own "uninitialised value" reports are not
# counted: they are not memory-safety errors of this program.
set -euo pipefail
binary=$1
out=$2
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed (apt-get install valgrind)"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
# valgrind 3.19 cannot read the DWARF 5 that Swift writes: a copy without it.
objcopy --strip-debug "$binary" "$out/redist"
export REDIST_PSEUDONYM_KEY=memcheck-only
# What memcheck says of a read or write of memory the program does not own.
invalid='== (Invalid (read|write|free)|Mismatched free|Source and destination overlap|Syscall param .* points to unaddressable)'
status=0
# A first run, which loads every file and writes every output, then a
# re-run on the same warehouse, which finds nothing changed.
for step in run rerun; do
  args=(run pipelines/example.toml --period 2024-Q1 --out "$out/out" --warehouse "$out/w.sqlite")
  code=0
  valgrind --leak-check=no --num-callers=30 --log-file="$out/$step.valgrind.txt" \
    "$out/redist" "${args[@]}" >"$out/$step.stdout.txt" 2>"$out/$step.stderr.txt" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "memcheck: redist $step exited with $code (its messages: $out/$step.stderr.txt)"
    tail -5 "$out/$step.stderr.txt"
    status=1
  fi
  errors=$(grep -cE "$invalid" "$out/$step.valgrind.txt" || true)
  if [ "$errors" -gt 0 ]; then
    echo "memcheck: redist $step: invalid memory accesses at $errors place(s) in the code; the first:"
    grep -m1 -A24 -E "$invalid" "$out/$step.valgrind.txt"
    echo "(all of valgrind's report: $out/$step.valgrind.txt)"
    status=1
  else
    echo "memcheck: redist $step: no invalid memory access"
  fi
done
exit $status
