#!/usr/bin/env python3
"""Re-runs one saved fuzz failure: python3 fuzz/replay.py build/fuzz/TARGET/KIND-HASH.json

Prints what the parser and the reference make of the saved input, and
exits 1 while the failure is still there, 0 once it is fixed."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import csv_target  # noqa: E402
import parsers_target  # noqa: E402
import readers_target  # noqa: E402
from batch import BatchRunner  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("saved", help="the .json file saved beside the failing .input")
    parser.add_argument("--redist", default=".build/debug/redist")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    with open(args.saved) as f:
        saved = json.load(f)
    with open(os.path.join(os.path.dirname(args.saved), saved["input"]), "rb") as f:
        data = f.read()
    case = saved["case"]
    print(f"was: {saved['finding']['kind']}: {saved['finding'].get('detail', '')[:2000]}")
    runner = BatchRunner(args.redist, case["mode"], timeout=args.timeout)
    try:
        if case["mode"] == "csv":
            finding = csv_target.replay(runner, case, data)
        elif case["mode"] in ("amount", "date"):
            finding = parsers_target.replay(runner, case, data)
        else:
            finding = readers_target.replay(runner, case, data)
    finally:
        runner.close()
    if finding:
        print(f"still fails: {finding['kind']}: {finding.get('detail', '')[:2000]}")
        sys.exit(1)
    print("passes now")


if __name__ == "__main__":
    main()
