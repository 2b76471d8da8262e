#!/usr/bin/env python3
"""`make bench`: redist against the tools a user would otherwise pick, on the
same generated data, side by side in one run.

Every case runs each implementation under `/usr/bin/time -v` (wall clock
from this script, user time and peak RSS from the kernel's accounting),
takes the fastest of --repeat runs (files are in the page cache: each input
is read once before timing; redist and the floor a target compares it with
take turns, --turns rounds), and checks that every implementation printed
the same figures before it reports a time. Writes bench/results.csv and
prints a table and each target as met / not met.
"""
import argparse
import csv
import hashlib
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


def machine():
    """The machine in one line: cores, memory, system, the tools' versions."""
    parts = [f"{os.cpu_count()} cores"]
    try:
        with open("/proc/meminfo") as f:
            parts.append(f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GB")
        with open("/etc/os-release") as f:
            parts.append(next(l.split("=", 1)[1].strip().strip('"') for l in f if l.startswith("PRETTY_NAME=")))
    except (OSError, StopIteration):
        pass
    versions = subprocess.run([PY, "-c", "import sys, pandas, duckdb, lxml.etree as e; "
                               "print(f'Python {sys.version.split()[0]}, pandas {pandas.__version__}, "
                               "DuckDB {duckdb.__version__}, lxml {e.__version__}')"], capture_output=True, text=True)
    parts.append(versions.stdout.strip())
    return ", ".join(p for p in parts if p)


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
        self.load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())

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

    def run_interleaved(self, case, path, rows, runs, turns=None, extra=None):
        """Times implementations whose times a target compares, taking
        turns: round after round, each runs once (`--turns` rounds, or
        `turns`; the fastest of each counts). On a shared machine a slow
        spell then falls on all of them alike, not on whichever ran during
        it. `runs` lists (implementation, command, figures); `extra`, by
        implementation, what one needs besides: `env`, a `setup` run before
        each of its runs and a `check` that gives its figures' text after
        it. The results come back in the order of `runs`."""
        best = [None] * len(runs)
        texts = [""] * len(runs)
        extra = extra or {}
        for _ in range(turns or self.args.turns):
            for i, (implementation, command, _) in enumerate(runs):
                more = extra.get(implementation, {})
                if more.get("setup"):
                    more["setup"]()
                wall, cpu, rss, texts[i] = measure(command, env=more.get("env"))
                if more.get("check"):
                    texts[i] = more["check"]()
                if best[i] is None or wall < best[i][0]:
                    best[i] = (wall, cpu, max(rss, best[i][2]) if best[i] else rss)
                else:
                    best[i] = (best[i][0], best[i][1], max(best[i][2], rss))
        size = os.path.getsize(path) if path else 0
        results = []
        for (implementation, _, figures), b, text in zip(runs, best, texts):
            result = dict(case=case, implementation=implementation, bytes=size, rows=rows, seconds=b[0], cpu=b[1],
                          mb_per_s=(size / 1e6 / b[0]) if size else 0.0, peak_rss_mb=b[2],
                          figures=(figures(text) if figures else None))
            self.rows.append(result)
            print(f"  {case:<22} {implementation:<28} {b[0]:8.3f} s  cpu {b[1]:7.2f} s  "
                  f"{result['mb_per_s']:8.1f} MB/s  {b[2]:7.1f} MB", flush=True)
            results.append(result)
        return results

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
        redist, cat, wc = self.run_interleaved(case, path, rows, [
            ("redist bench-ingest", [self.redist, "bench-ingest", "--format", "csv"] + cols + opts + [path], str),
            ("cat (floor)", ["sh", "-c", f"cat '{path}' > /dev/null"], None),
            ("wc -l (floor)", ["wc", "-l", path], None)])
        self.run(case, "pandas read_csv", [PY, os.path.join(REF, "pandas_ingest.py"), path], path, rows,
                 repeat=self.args.slow_repeat, figures=str)
        self.run(case, "python csv module", [PY, os.path.join(REF, "csv_module.py"), path], path, rows,
                 repeat=self.args.slow_repeat, figures=str)
        # Rows in the table's usual order: redist, the references, the floors.
        self.rows = [r for r in self.rows if r is not cat and r is not wc] + [cat, wc]
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
        self.targets.append(("ingest: warehouse load >= 1M rows/s", f"{rate / 1e6:.2f}M rows/s", rate >= 1e6))
        expected = subprocess.run([PY, os.path.join(REF, "csv_module.py"), path], capture_output=True, text=True,
                                  check=True).stdout
        if expected != r["figures"]:
            raise Failure("csv-warehouse-load: the warehouse's figures differ from the csv module's:\n"
                          f"{expected[:1000]}\n{r['figures'][:1000]}")
        print("  csv-warehouse-load: warehouse figures agree with the csv module's", flush=True)

    def fresh_out(self, db, out):
        """An empty warehouse and output folder: nothing left to re-use."""
        def fresh():
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            shutil.rmtree(out, ignore_errors=True)
        return fresh

    def summary_of(self, out):
        def summary():
            with open(os.path.join(out, "summary.csv"), encoding="utf-8-sig") as f:
                row = next(r for r in csv.DictReader(f) if r["scope"] == "organisation")
            return "".join(f"{k}={row[k]}\n" for k in ("income", "redistributed", "retained", "unclassified", "held"))
        return summary

    def pipeline(self):
        path = os.path.join(DATA, "cashbook-1m.csv")
        warm(path)
        pipeline = self.pipeline_for("cashbook-1m.csv")
        db = os.path.join(self.work, "run.sqlite")
        out = os.path.join(self.work, "out")

        command = [self.redist, "run", pipeline, "--period", self.args.period, "--out", out, "--warehouse", db]
        # The cold run and the pandas script take turns, as the XML readers
        # and xmllint do: the ratio is not left to which of them met a slow spell.
        cold, ref = self.run_interleaved("pipeline-cold", path, 1_000_000, [
            ("redist run (empty warehouse)", command, str),
            ("pandas script", [PY, os.path.join(REF, "pandas_pipeline.py"), pipeline, self.args.period,
                               os.path.join(self.work, "pandas-out")], str)],
            turns=self.args.pipeline_turns,
            extra={"redist run (empty warehouse)": dict(setup=self.fresh_out(db, out), env=KEY_ENV,
                                                        check=self.summary_of(out))})
        # The warehouse the last cold run left: the re-run has all of it to re-use.
        warm_run = self.run("pipeline-rerun", "redist run (unchanged inputs)", command, path, 1_000_000, env=KEY_ENV,
                            check=self.summary_of(out), figures=str)
        duck = self.run("pipeline-cold", "duckdb script", [PY, os.path.join(REF, "duckdb_pipeline.py"), pipeline,
                                                           self.args.period, os.path.join(self.work, "duckdb-out")],
                        path, 1_000_000, repeat=self.args.slow_repeat, figures=str)
        # Neither script has anything to re-use: a re-run costs the same.
        self.rows.append(dict(ref, case="pipeline-rerun"))
        self.rows.append(dict(duck, case="pipeline-rerun"))
        pg = self.postgres(pipeline, path, out)
        self.agree("pipeline-cold")
        self.agree("pipeline-rerun")
        self.targets.append(("pipeline, 1M rows, cold: >= 1.5x faster than pandas",
                             f"{ref['seconds'] / cold['seconds']:.2f}x ({cold['seconds']:.2f} s against "
                             f"{ref['seconds']:.2f} s; DuckDB {duck['seconds']:.2f} s)",
                             ref["seconds"] / cold["seconds"] >= 1.5))
        self.targets.append(("pipeline, re-run on unchanged inputs: >= 20x faster than pandas",
                             f"{ref['seconds'] / warm_run['seconds']:.1f}x ({warm_run['seconds']:.2f} s)",
                             ref["seconds"] / warm_run["seconds"] >= 20))
        peak = max(cold["peak_rss_mb"], warm_run["peak_rss_mb"])
        self.peak_1m = peak
        self.targets.append(("pipeline peak RSS, 1M rows: <= 256 MB",
                             f"{peak:.0f} MB (pandas {ref['peak_rss_mb']:.0f} MB, DuckDB {duck['peak_rss_mb']:.0f} MB)",
                             peak <= 256))
        if pg:
            self.targets.append(("PostgreSQL: the 1M-row pipeline beside SQLite's (no target)",
                                 f"{pg['seconds']:.2f} s against {cold['seconds']:.2f} s "
                                 f"({pg['seconds'] / cold['seconds']:.2f}x SQLite's time); outputs byte-identical",
                                 None))

    def postgres(self, pipeline, path, sqlite_out):
        """The cold 1M pipeline with the warehouse in PostgreSQL (a database of
        its own on the server scripts/pg-test-server.sh starts, or on
        REDIST_BENCH_PG_URL's server), its outputs compared byte for byte with
        the SQLite run's."""
        url = os.environ.get("REDIST_BENCH_PG_URL")
        if not url:
            started = subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-test-server.sh"), "start"],
                                     capture_output=True, text=True)
            if started.returncode != 0:
                print(f"  pipeline-cold (PostgreSQL): skipped, no server: {started.stderr.strip()[-300:]}", flush=True)
                return None
            url = started.stdout.strip().splitlines()[-1]
        server = url.rpartition("/")[0]
        bench_url = f"{server}/redist_bench"
        psql = shutil.which("psql")
        if psql is None and os.path.isdir("/usr/lib/postgresql"):
            found = sorted(os.path.join("/usr/lib/postgresql", v, "bin", "psql") for v in os.listdir("/usr/lib/postgresql"))
            psql = found[-1] if found else None
        if psql is None:
            print("  pipeline-cold (PostgreSQL): skipped, no psql to create its database", flush=True)
            return None
        out = os.path.join(self.work, "out-pg")

        def admin(sql):
            subprocess.run([psql, f"{server}/postgres", "-qAt"] + [a for q in sql for a in ("-c", q)], check=True,
                           capture_output=True)

        def fresh():
            admin(["DROP DATABASE IF EXISTS redist_bench WITH (FORCE)", "CREATE DATABASE redist_bench"])
            shutil.rmtree(out, ignore_errors=True)
        command = [self.redist, "run", pipeline, "--period", self.args.period, "--out", out, "--warehouse", bench_url]
        r = self.run("pipeline-cold", "redist run (PostgreSQL warehouse)", command, path, 1_000_000, setup=fresh,
                     env=KEY_ENV, check=self.summary_of(out), figures=str)
        ours, theirs = self.outputs(sqlite_out), self.outputs(out)
        differ = sorted(name for name in set(ours) | set(theirs) if ours.get(name) != theirs.get(name))
        if differ:
            raise Failure(f"pipeline-cold: the PostgreSQL warehouse's outputs differ from SQLite's: {', '.join(differ)}")
        print(f"  pipeline-cold: PostgreSQL's {len(ours)} outputs are byte-identical to SQLite's", flush=True)
        admin(["DROP DATABASE IF EXISTS redist_bench WITH (FORCE)"])
        return r

    @staticmethod
    def outputs(folder):
        """SHA-256 of every output file in `folder` but the run stamp (which
        names the warehouse)."""
        found = {}
        for base, _, files in os.walk(folder):
            for name in files:
                if "stamp" in name:
                    continue
                full = os.path.join(base, name)
                with open(full, "rb") as f:
                    found[os.path.relpath(full, folder)] = hashlib.sha256(f.read()).hexdigest()
        return found

    def pipeline_4m(self):
        """Memory as the ledger grows: the same cold pipeline on 4M rows."""
        path = os.path.join(DATA, "cashbook-4m.csv")
        warm(path)
        pipeline = self.pipeline_for("cashbook-4m.csv")
        db = os.path.join(self.work, "run-4m.sqlite")
        out = os.path.join(self.work, "out-4m")
        command = [self.redist, "run", pipeline, "--period", self.args.period, "--out", out, "--warehouse", db]
        r = self.run("pipeline-cold-4m", "redist run (empty warehouse)", command, path, 4_000_000, repeat=1,
                     setup=self.fresh_out(db, out), env=KEY_ENV, check=self.summary_of(out), figures=str)
        self.fresh_out(db, out)()
        base = getattr(self, "peak_1m", None)
        if base:
            self.targets.append(("pipeline peak RSS, 4M rows: <= 1.25x the 1M figure",
                                 f"{r['peak_rss_mb']:.0f} MB, {r['peak_rss_mb'] / base:.2f}x {base:.0f} MB "
                                 f"({r['seconds']:.1f} s)", r["peak_rss_mb"] <= 1.25 * base))

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
            r, x, cat = self.run_interleaved(case, path, rows, [
                ("redist bench-ingest", [self.redist, "bench-ingest", "--format", fmt, "--role", role,
                                         "--organisation", "GB-CHC-9990012", "--by", "kind", path], str),
                ("xmllint --stream", ["xmllint", "--stream", "--noout", path], None),
                ("cat (floor)", ["sh", "-c", f"cat '{path}' > /dev/null"], None)])
            self.run(case, "lxml iterparse", [PY, os.path.join(REF, "lxml_iterparse.py"), fmt, path], path, rows,
                     repeat=self.args.slow_repeat, figures=str)
            # Rows in the table's usual order: redist, lxml, xmllint, the floor.
            self.rows = [row for row in self.rows if row is not x and row is not cat] + [x, cat]
            self.agree(case)
            label = {"iati": "IATI", "gnucash": "GnuCash", "camt053": "camt.053"}[fmt]
            self.targets.append((f"XML, {label} through libxml2: >= 1.2x faster than xmllint --stream",
                                 f"{x['seconds'] / r['seconds']:.2f}x ({r['seconds']:.3f} s against {x['seconds']:.3f} s)",
                                 x["seconds"] / r["seconds"] >= 1.2))

    # --- output ------------------------------------------------------------

    def finish(self):
        for r in self.rows:
            redist = next((x for x in self.rows if x["case"] == r["case"] and x["implementation"].startswith("redist")), None)
            r["ratio_to_redist"] = r["seconds"] / redist["seconds"] if redist else 1.0
        parse = next((r for r in self.rows if r["case"] == "csv-parse" and r["implementation"].startswith("redist")), None)
        wc = next((r for r in self.rows if r["case"] == "csv-parse" and r["implementation"].startswith("wc")), None)
        if parse and wc:
            self.targets.insert(0, ("ingest: CSV >= 500 MB/s", f"{parse['mb_per_s']:.0f} MB/s", parse["mb_per_s"] >= 500))
            self.targets.insert(1, ("ingest: CSV within 12x of wc -l", f"{parse['seconds'] / wc['seconds']:.1f}x",
                                    parse["seconds"] / wc["seconds"] <= 12))
        with open(self.args.results, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["case", "implementation", "bytes", "rows", "seconds", "cpu_seconds", "mb_per_s", "peak_rss_mb",
                        "ratio_to_redist"])
            for r in self.rows:
                w.writerow([r["case"], r["implementation"], r["bytes"], r["rows"], f"{r['seconds']:.3f}", f"{r['cpu']:.2f}",
                            f"{r['mb_per_s']:.1f}", f"{r['peak_rss_mb']:.1f}", f"{r['ratio_to_redist']:.2f}"])
        print()
        print(f"{'case':<22} {'implementation':<32} {'MB':>7} {'rows':>9} {'seconds':>8} {'cpu s':>7} {'MB/s':>8} "
              f"{'peak MB':>8} {'x redist':>8}")
        for r in self.rows:
            print(f"{r['case']:<22} {r['implementation']:<32} {r['bytes'] / 1e6:7.1f} {r['rows']:9d} {r['seconds']:8.3f} "
                  f"{r['cpu']:7.2f} {r['mb_per_s']:8.1f} {r['peak_rss_mb']:8.1f} {r['ratio_to_redist']:8.2f}")
        print()
        print("targets:")
        for name, value, met in self.targets:
            mark = "measured" if met is None else "met" if met else "NOT met"
            print(f"  [{mark}] {name}: {value}")
        print(f"\nmachine: {machine()}; load average {self.load_at_start} at the start, "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end (above {os.cpu_count()}: other work shared the cores)")
        print(f"wrote {os.path.relpath(self.args.results, ROOT)}")
        shutil.rmtree(self.work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redist", default=".build-bench/release/redist")
    parser.add_argument("--period", default="2024-Q1")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast implementation (the fastest counts)")
    parser.add_argument("--turns", type=int, default=5,
                        help="rounds in which redist and the floor it is compared with take turns (the fastest of each counts)")
    parser.add_argument("--pipeline-turns", type=int, default=2,
                        help="rounds in which the cold 1M pipeline and the pandas script take turns (the fastest of each counts)")
    parser.add_argument("--slow-repeat", type=int, default=1, help="runs of the Python references")
    parser.add_argument("--results", default=os.path.join(HERE, "results.csv"))
    parser.add_argument("--only", nargs="*", default=["csv-parse", "csv-load", "pipeline", "pipeline-4m", "xml"])
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
