#!/usr/bin/env python3
"""`make bench`: redist against the tools a user would otherwise pick, on the
same generated data, side by side in one run.

Every case runs each implementation under `/usr/bin/time -v` (wall clock
from this script, user time and peak RSS from the kernel's accounting),
takes the fastest of --repeat runs (files are in the page cache: each input
is read once before timing), and checks that every implementation printed
the same figures before it reports a time. Writes bench/results.csv and
prints a table and the targets of issue 7 as met / not met.
"""
import argparse
import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
REF = os.path.join(HERE, "reference")
PY = sys.executable
KEY_ENV = {"REDIST_PSEUDONYM_KEY": "bench-key"}

CASHBOOK_COLUMNS = ["date=Date", "account=Nominal Code", "account_name=Nominal Name", "fund=Fund", "counterparty=Contact",
                    "description=Details", "reference=Reference", "paid_in=Paid In", "paid_out=Paid Out"]
CASHBOOK_OPTIONS = ["date_format=dd/mm/yyyy"]


class Failure(Exception):
    pass


def measure(command, env=None, stdout_path=None, cwd=ROOT):
    """Runs once; returns (wall seconds, user seconds, peak RSS MB, stdout text)."""
    full_env = dict(os.environ, **(env or {}))
    with tempfile.NamedTemporaryFile("w+", suffix=".time") as timing, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", timing.name] + command, stdout=out, stderr=err,
                              env=full_env, cwd=cwd)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text = out.read()
        if proc.returncode != 0:
            raise Failure(f"{' '.join(command)} exited {proc.returncode}: {err.read()[-2000:]}")
        report = open(timing.name).read()
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", report).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", report).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    if stdout_path:
        with open(stdout_path, "w") as f:
            f.write(text)
    return wall, user + system, rss_kb / 1024, text


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


class Bench:
    def __init__(self, args):
        self.args = args
        self.redist = os.path.join(ROOT, args.redist)
        self.rows = []        # result rows
        self.targets = []     # (target, value text, met)
        self.work = tempfile.mkdtemp(prefix="redist-bench-")

    def run(self, case, implementation, command, path, rows, repeat=None, figures=None, env=None, setup=None,
            check=None):
        """Times `command`; `figures` turns stdout into the text compared across a case
        (None: not compared, e.g. cat); `check` validates after the run."""
        repeat = repeat or self.args.repeat
        best = None
        text = ""
        for _ in range(repeat):
            if setup:
                setup()
            wall, cpu, rss, text = measure(command, env=env)
            if check:
                text = check()
            if best is None or wall < best[0]:
                best = (wall, cpu, rss)
            else:
                best = (best[0], best[1], max(best[2], rss))
        size = os.path.getsize(path) if path else 0
        result = dict(case=case, implementation=implementation, bytes=size, rows=rows, seconds=best[0],
                      cpu=best[1], mb_per_s=(size / 1e6 / best[0]) if size else 0.0, peak_rss_mb=best[2],
                      figures=(figures(text) if figures else None))
        self.rows.append(result)
        print(f"  {case:<22} {implementation:<28} {best[0]:8.3f} s  cpu {best[1]:7.2f} s  "
              f"{result['mb_per_s']:8.1f} MB/s  {best[2]:7.1f} MB", flush=True)
        return result

    def agree(self, case):
        rows = [r for r in self.rows if r["case"] == case and r["figures"] is not None]
        if not rows:
            return
        first = rows[0]
        for r in rows[1:]:
            if r["figures"] != first["figures"]:
                raise Failure(f"{case}: {r['implementation']} and {first['implementation']} disagree:\n"
                              f"{first['implementation']}:\n{first['figures'][:2000]}\n"
                              f"{r['implementation']}:\n{r['figures'][:2000]}")
        print(f"  {case}: figures of {len(rows)} implementations agree", flush=True)

    # --- the cases ---------------------------------------------------------

    def csv_parse(self):
        path = os.path.join(DATA, "cashbook-1m.csv")
        warm(path)
        rows = 1_000_000
        case = "csv-parse"
        cols = [a for c in CASHBOOK_COLUMNS for a in ("--column", c)]
        opts = [a for o in CASHBOOK_OPTIONS for a in ("--option", o)]
        self.run(case, "redist bench-ingest", [self.redist, "bench-ingest", "--format", "csv"] + cols + opts + [path],
                 path, rows, figures=str)
        self.run(case, "pandas read_csv", [PY, os.path.join(REF, "pandas_ingest.py"), path], path, rows,
                 repeat=self.args.slow_repeat, figures=str)
        self.run(case, "python csv module", [PY, os.path.join(REF, "csv_module.py"), path], path, rows,
                 repeat=self.args.slow_repeat, figures=str)
        self.run(case, "cat (floor)", ["sh", "-c", f"cat '{path}' > /dev/null"], path, rows)
        self.run(case, "wc -l (floor)", ["wc", "-l", path], path, rows)
        self.agree(case)

    def warehouse_figures(self, db):
        def figures():
            con = sqlite3.connect(db)
            out = []
            total = [0, 0, 0]
            for account, n, pin, pout in con.execute(
                    "SELECT account, count(*), sum(CASE WHEN amount > 0 THEN amount ELSE 0 END),"
                    " sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END) FROM movement GROUP BY account ORDER BY account"):
                out.append(f"{account},{n},{pin},{pout}")
                total = [total[0] + n, total[1] + pin, total[2] + pout]
            con.close()
            out.append(f"total,{total[0]},{total[1]},{total[2]}")
            return "\n".join(out) + "\n"
        return figures

    def pipeline_for(self, data_file):
        """A copy of bench/pipeline.toml reading `data_file` (in bench/data)."""
        text = open(os.path.join(HERE, "pipeline.toml")).read()
        text = text.replace('path = "data/cashbook-1m.csv"', f'path = "{data_file}"')
        path = os.path.join(DATA, f"pipeline-{os.path.splitext(data_file)[0]}.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def csv_load(self):
        path = os.path.join(DATA, "cashbook-1m.csv")
        pipeline = self.pipeline_for("cashbook-1m.csv")
        db = os.path.join(self.work, "load.sqlite")
        case = "csv-warehouse-load"

        def fresh():
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
        r = self.run(case, "redist ingest (empty warehouse)", [self.redist, "ingest", pipeline, "--warehouse", db],
                     path, 1_000_000, setup=fresh, check=self.warehouse_figures(db), figures=str)
        rate = 1_000_000 / r["seconds"]
        self.targets.append(("warehouse load >= 1M rows/s", f"{rate / 1e6:.2f}M rows/s", rate >= 1e6))
        expected = subprocess.run([PY, os.path.join(REF, "csv_module.py"), path], capture_output=True, text=True,
                                  check=True).stdout
        if expected != r["figures"]:
            raise Failure("csv-warehouse-load: the warehouse's figures differ from the csv module's:\n"
                          f"{expected[:1000]}\n{r['figures'][:1000]}")
        print("  csv-warehouse-load: warehouse figures agree with the csv module's", flush=True)

    def pipeline(self):
        path = os.path.join(DATA, "cashbook-1m.csv")
        pipeline = self.pipeline_for("cashbook-1m.csv")
        db = os.path.join(self.work, "run.sqlite")
        out = os.path.join(self.work, "out")

        def fresh():
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)

        def summary():
            with open(os.path.join(out, "summary.csv"), encoding="utf-8-sig") as f:
                row = next(r for r in csv.DictReader(f) if r["scope"] == "organisation")
            return "".join(f"{k}={row[k]}\n" for k in ("income", "redistributed", "retained", "unclassified", "held"))

        command = [self.redist, "run", pipeline, "--period", self.args.period, "--out", out, "--warehouse", db]
        cold = self.run("pipeline-cold", "redist run (empty warehouse)", command, path, 1_000_000, setup=fresh,
                        env=KEY_ENV, check=summary, figures=str)
        warm_run = self.run("pipeline-rerun", "redist run (unchanged inputs)", command, path, 1_000_000, env=KEY_ENV,
                            check=summary, figures=str)
        ref = self.run("pipeline-cold", "pandas script", [PY, os.path.join(REF, "pandas_pipeline.py"), pipeline,
                                                          self.args.period, os.path.join(self.work, "pandas-out")],
                       path, 1_000_000, repeat=self.args.slow_repeat, figures=str)
        # pandas has nothing to re-use: a re-run costs the same.
        again = dict(ref, case="pipeline-rerun")
        self.rows.append(again)
        self.agree("pipeline-cold")
        self.agree("pipeline-rerun")
        self.targets.append(("pipeline (cold) >= 2.5x faster than pandas", f"{ref['seconds'] / cold['seconds']:.2f}x",
                             ref["seconds"] / cold["seconds"] >= 2.5))
        self.targets.append(("pipeline (re-run) >= 10x faster than pandas", f"{ref['seconds'] / warm_run['seconds']:.2f}x",
                             ref["seconds"] / warm_run["seconds"] >= 10))
        peak = max(cold["peak_rss_mb"], warm_run["peak_rss_mb"])
        self.targets.append(("pipeline peak RSS < 256 MB", f"{peak:.0f} MB (pandas {ref['peak_rss_mb']:.0f} MB)", peak < 256))

    def scaling(self):
        results = []
        for factor in (1, 4, 16):
            name = f"scale-{factor}x.csv"
            path = os.path.join(DATA, name)
            warm(path)
            pipeline = self.pipeline_for(name)
            db = os.path.join(self.work, f"scale-{factor}.sqlite")

            def fresh(db=db):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
            r = self.run(f"scaling-{factor}x", "redist ingest (empty warehouse)",
                         [self.redist, "ingest", pipeline, "--warehouse", db], path, 250_000 * factor, repeat=self.args.repeat,
                         setup=fresh)
            fresh()
            results.append(r)
        per_row = [r["seconds"] / r["rows"] for r in results]
        # Linear means a straight line, t = fixed + rows x slope: the fixed
        # part (start-up, the warehouse's schema and indexes) is the same at
        # every size, so the slopes between 1x and 4x and between 4x and 16x
        # are what must agree.
        slopes = [(b["seconds"] - a["seconds"]) / (b["rows"] - a["rows"]) for a, b in zip(results, results[1:])]
        linear = max(slopes) / min(slopes) if min(slopes) > 0 else float("inf")
        fixed = results[0]["seconds"] - slopes[0] * results[0]["rows"]
        rss = [r["peak_rss_mb"] for r in results]
        flat = max(rss) / min(rss)
        self.targets.append(("scaling: time linear (1x/4x/16x)",
                             f"s per 1M more rows {', '.join(f'{p * 1e6:.2f}' for p in slopes)} (1x-4x, 4x-16x), fixed {fixed:.2f} s; "
                             f"s per 1M rows {', '.join(f'{p * 1e6:.2f}' for p in per_row)}",
                             linear <= 1.25))
        self.targets.append(("scaling: peak RSS within 10%", f"{', '.join(f'{x:.0f}' for x in rss)} MB", flat <= 1.10))

    def xml(self):
        cases = [("iati.xml", "iati", "xml-iati", "ledger"),
                 ("book.gnucash", "gnucash", "xml-gnucash", "ledger"),
                 ("camt053.xml", "camt053", "xml-camt053", "bank")]
        available = subprocess.run([self.redist, "bench-ingest", "--format", "csv", "--list-formats"], capture_output=True, text=True).stdout.split()
        for name, fmt, case, role in cases:
            if fmt not in available:
                print(f"  {case}: skipped (redist has no {fmt} reader yet)", flush=True)
                continue
            path = os.path.join(DATA, name)
            warm(path)
            count = subprocess.run([PY, os.path.join(REF, "lxml_iterparse.py"), fmt, path], capture_output=True,
                                   text=True, check=True).stdout
            rows = int(count.strip().splitlines()[-1].split(",")[1])
            r = self.run(case, "redist bench-ingest", [self.redist, "bench-ingest", "--format", fmt, "--role", role,
                                                       "--organisation", "GB-CHC-9990012", "--by", "kind", path],
                         path, rows, figures=str)
            self.run(case, "lxml iterparse", [PY, os.path.join(REF, "lxml_iterparse.py"), fmt, path], path, rows,
                     repeat=self.args.slow_repeat, figures=str)
            x = self.run(case, "xmllint --stream", ["xmllint", "--stream", "--noout", path], path, rows)
            self.run(case, "cat (floor)", ["sh", "-c", f"cat '{path}' > /dev/null"], path, rows)
            self.agree(case)
            if fmt == "iati":
                self.targets.append(("XML ingest (libxml2 alone) >= 1.2x faster than xmllint --stream",
                                     f"{x['seconds'] / r['seconds']:.2f}x", x["seconds"] / r["seconds"] >= 1.2))

    # --- output ------------------------------------------------------------

    def finish(self):
        for r in self.rows:
            redist = next((x for x in self.rows if x["case"] == r["case"] and x["implementation"].startswith("redist")), None)
            r["ratio_to_redist"] = r["seconds"] / redist["seconds"] if redist else 1.0
        parse = next((r for r in self.rows if r["case"] == "csv-parse" and r["implementation"].startswith("redist")), None)
        wc = next((r for r in self.rows if r["case"] == "csv-parse" and r["implementation"].startswith("wc")), None)
        if parse and wc:
            self.targets.insert(0, ("CSV ingest >= 500 MB/s", f"{parse['mb_per_s']:.0f} MB/s", parse["mb_per_s"] >= 500))
            self.targets.insert(1, ("CSV ingest within 12x of wc -l", f"{parse['seconds'] / wc['seconds']:.1f}x",
                                    parse["seconds"] / wc["seconds"] <= 12))
        with open(self.args.results, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["case", "implementation", "bytes", "rows", "seconds", "mb_per_s", "peak_rss_mb", "ratio_to_redist"])
            for r in self.rows:
                w.writerow([r["case"], r["implementation"], r["bytes"], r["rows"], f"{r['seconds']:.3f}",
                            f"{r['mb_per_s']:.1f}", f"{r['peak_rss_mb']:.1f}", f"{r['ratio_to_redist']:.2f}"])
        print()
        print(f"{'case':<22} {'implementation':<32} {'MB':>7} {'rows':>9} {'seconds':>8} {'cpu s':>7} {'MB/s':>8} "
              f"{'peak MB':>8} {'x redist':>8}")
        for r in self.rows:
            print(f"{r['case']:<22} {r['implementation']:<32} {r['bytes'] / 1e6:7.1f} {r['rows']:9d} {r['seconds']:8.3f} "
                  f"{r['cpu']:7.2f} {r['mb_per_s']:8.1f} {r['peak_rss_mb']:8.1f} {r['ratio_to_redist']:8.2f}")
        print()
        print("targets (issue 7):")
        for name, value, met in self.targets:
            print(f"  [{'met' if met else 'NOT met'}] {name}: {value}")
        print(f"\nwrote {os.path.relpath(self.args.results, ROOT)}")
        shutil.rmtree(self.work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redist", default=".build-bench/release/redist")
    parser.add_argument("--period", default="2024-Q1")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast implementation (the fastest counts)")
    parser.add_argument("--slow-repeat", type=int, default=1, help="runs of the Python references")
    parser.add_argument("--results", default=os.path.join(HERE, "results.csv"))
    parser.add_argument("--only", nargs="*", default=["csv-parse", "csv-load", "pipeline", "scaling", "xml"])
    args = parser.parse_args()
    bench = Bench(args)
    try:
        for name in args.only:
            print(f"[{name}]", flush=True)
            getattr(bench, name.replace("-", "_"))()
    except Failure as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    bench.finish()


if __name__ == "__main__":
    main()
