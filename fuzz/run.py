#!/usr/bin/env python3
"""The fuzz harness: `make fuzz` (time-bounded, random seeds) and the short
deterministic run in `make test` (--quick). See fuzz/README.md."""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import csv_target  # noqa: E402
import parsers_target  # noqa: E402
import readers_target  # noqa: E402
from batch import BatchRunner  # noqa: E402
from common import KNOWN_DEFECTS, STRICT, Findings  # noqa: E402

TARGETS = ["csv", "csv-malformed", "parsers", "readers", "xml"]
# Shares of --seconds, and the fixed amount of work of --quick (about 40 s of fuzzing on a debug build).
SHARE = {"csv": 0.25, "csv-malformed": 0.10, "parsers": 0.10, "readers": 0.30, "xml": 0.25}
QUICK = {"csv": 25, "csv-malformed": 15, "parsers": 30, "readers": 40, "xml": 15}


def one_round(target, runners, findings, corpus, work, seed):
    """Runs `work` units of a target with one seed; returns (cases, failed)."""
    if target == "csv":
        return csv_target.run(runners["csv"], findings, work, seed, malformed=False)
    if target == "csv-malformed":
        return csv_target.run(runners["csv"], findings, work, seed, malformed=True)
    if target == "parsers":
        return parsers_target.run(runners, findings, work, seed)
    if target == "readers":
        return readers_target.run(runners["read"], findings, corpus, work, seed, xml=False)
    return readers_target.run(runners["read"], findings, corpus, work, seed, xml=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300, help="time for all targets together (not with --quick)")
    parser.add_argument("--quick", action="store_true", help="a fixed, seeded amount of work per target (make test)")
    parser.add_argument("--seed", type=int, help="the first seed (default: 20240401 with --quick, random otherwise)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: " + ", ".join(TARGETS))
    parser.add_argument("--redist", default=".build/debug/redist")
    parser.add_argument("--corpus", default="../shared/corpus")
    parser.add_argument("--out", default="build/fuzz")
    parser.add_argument("--timeout", type=float, default=20, help="seconds one input may take before it is a hang")
    args = parser.parse_args()

    targets = [t for t in args.targets.split(",") if t]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error("unknown targets: " + ", ".join(unknown))
    if not os.access(args.redist, os.X_OK):
        sys.exit(f"fuzz: {args.redist} is not built (make build)")
    seed = args.seed if args.seed is not None else (20240401 if args.quick else random.SystemRandom().randrange(1 << 31))
    if not os.path.isdir(args.corpus):
        for t in ("readers", "xml"):
            if t in targets:
                print(f"fuzz {t}: skipped: {args.corpus} (the real exports) is not here")
                targets.remove(t)
    os.makedirs(args.out, exist_ok=True)
    findings = Findings(args.out)
    runners = {mode: BatchRunner(args.redist, mode, timeout=args.timeout) for mode in ("csv", "amount", "date", "read")}
    print(f"fuzz: seed {seed}, {'quick run' if args.quick else f'{args.seconds:.0f} s'}, targets {', '.join(targets)}"
          + (" (known defects fail too)" if STRICT else ""))
    failed_any = False
    summary = []
    try:
        for target in targets:
            started = time.monotonic()
            cases, rounds, failed = 0, 0, False
            budget = SHARE[target] / sum(SHARE[t] for t in targets) * args.seconds
            while True:
                work = QUICK[target] if args.quick else max(1, QUICK[target] // 5)
                n, f = one_round(target, runners, findings, args.corpus, work, seed + rounds)
                cases += n
                rounds += 1
                failed = failed or f
                if args.quick or failed or time.monotonic() - started >= budget:
                    break
            elapsed = time.monotonic() - started
            summary.append((target, cases, elapsed, failed))
            print(f"fuzz {target}: {cases} cases in {elapsed:.1f} s, seeds {seed}..{seed + rounds - 1}: "
                  + ("FAILED" if failed else "ok"))
            if target in ("readers", "xml"):
                print(f"  ({readers_target.take_stats()})")
            failed_any = failed_any or failed
    finally:
        for r in runners.values():
            r.close()
    for ident, what, _ in KNOWN_DEFECTS:
        if ident in findings.known:
            n = len(findings.known[ident])
            print(f"fuzz: known defect {ident} ({what}): {n} input{'s' if n != 1 else ''}, saved under {args.out}/*-known/")
    if failed_any:
        print(f"fuzz: {len(findings.failures)} failing input(s), saved under {args.out}/; re-run one with "
              f"python3 fuzz/replay.py {findings.failures[0] if findings.failures else args.out + '/…json'}")
        sys.exit(1)
    print("fuzz: no crash, hang or mismatch" + (" beyond the known defects listed" if findings.known else ""))


if __name__ == "__main__":
    main()
