#!/usr/bin/env python3
"""Reference: the whole quarterly job in pandas, as a finance officer's
analyst would script it without redist.

Reads the pipeline's cash-book export, classifies every row by the
pipeline's account rules (first match wins), computes the organisation's
figures for the period the way DESIGN.md defines them (income,
redistributed, retained, unclassified, held; transfers and the hosting fee
are movements between own funds), and writes the period's transactions to
OUT/transactions.csv. Prints `name=value` lines that the benchmark compares
with redist's summary.csv.

usage: pandas_pipeline.py PIPELINE.toml PERIOD(yyyy-Qn) OUT
"""
import os
import sys
import tomllib

import pandas as pd

from pandas_ingest import to_pence


def quarter(text):
    year, q = text.split("-Q")
    first = (int(q) - 1) * 3 + 1
    start = pd.Timestamp(int(year), first, 1)
    end = start + pd.offsets.QuarterEnd(0)
    return start, end


def matcher(spec):
    specs = spec if isinstance(spec, list) else [spec]
    codes, ranges = set(), []
    for s in specs:
        lo, sep, hi = s.partition("-")
        if sep and lo.isdigit() and hi.isdigit() and len(lo) == len(hi):
            ranges.append((lo, hi))
        else:
            codes.add(s)
    return lambda a: a in codes or any(len(a) == len(lo) and a.isdigit() and lo <= a <= hi for lo, hi in ranges)


def decimal(pence):
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def main(pipeline_path, period, out):
    with open(pipeline_path, "rb") as f:
        pipeline = tomllib.load(f)
    source = pipeline["source"][0]
    columns = source["columns"]
    path = os.path.join(os.path.dirname(pipeline_path), source["path"])
    rules = []
    for rule in pipeline["rule"]:
        assert set(rule) <= {"account", "category", "counterparty_kind"}, "only account rules are modelled here"
        rules.append((matcher(rule["account"]), rule["category"]))

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")
    frame["amount"] = to_pence(frame[columns["paid_in"]]) - to_pence(frame[columns["paid_out"]])
    frame["date"] = pd.to_datetime(frame[columns["date"]], format="%d/%m/%Y")
    categories = {}
    for code in frame[columns["account"]].unique():
        categories[code] = next((c for match, c in rules if match(code)), "unclassified")
    frame["category"] = frame[columns["account"]].map(categories)

    start, end = quarter(period)
    held = int(frame.loc[frame["date"] <= end, "amount"].sum())
    q = frame[(frame["date"] >= start) & (frame["date"] <= end)]
    cat = q["category"]
    income = int(q.loc[cat.str.startswith("income."), "amount"].sum())
    redistributed = -int(q.loc[cat.str.startswith("redistributed."), "amount"].sum())
    retained = -int(q.loc[cat.str.startswith("retained.") & (cat != "retained.hosting-fee"), "amount"].sum())
    unclassified = int(q.loc[cat == "unclassified", "amount"].abs().sum())

    os.makedirs(out, exist_ok=True)
    q = q.sort_values("date", kind="stable")
    transactions = pd.DataFrame({
        "date": q["date"].dt.strftime("%Y-%m-%d"), "fund": q[columns["fund"]], "account": q[columns["account"]],
        "account_name": q[columns["account_name"]], "counterparty": q[columns["counterparty"]],
        "description": q[columns["description"]], "reference": q[columns["reference"]],
        "direction": (q["amount"] >= 0).map({True: "in", False: "out"}),
        "amount": q["amount"].abs().map(decimal), "currency": "GBP", "category": q["category"]})
    transactions.to_csv(os.path.join(out, "transactions.csv"), index=False)

    for name, value in [("income", income), ("redistributed", redistributed), ("retained", retained),
                        ("unclassified", unclassified), ("held", held)]:
        print(f"{name}={decimal(value)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
