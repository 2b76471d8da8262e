#!/usr/bin/env python3
"""Reference: the cash-book job as a pandas user would write it.

`read_csv` with every column as text, amounts (`£1,234.56`) turned into exact pence
with vectorised string operations (no float rounding: the export always has two
places), then a group-by per nominal code. Prints figures.py's figures.
"""
import sys

import pandas as pd

from figures import ledger_lines


def to_pence(column):
    text = column.fillna("").str.replace("£", "", regex=False).str.replace(",", "", regex=False)
    parts = text.str.split(".", n=1, expand=True)
    whole = pd.to_numeric(parts[0].replace("", "0")).astype("int64")
    frac = pd.to_numeric(parts[1].fillna("0").str.ljust(2, "0").str[:2]).astype("int64")
    return whole * 100 + frac


def load(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")
    frame["in_pence"] = to_pence(frame["Paid In"])
    frame["out_pence"] = to_pence(frame["Paid Out"])
    return frame


def main(path):
    frame = load(path)
    grouped = frame.groupby("Nominal Code").agg(rows=("in_pence", "size"), paid_in=("in_pence", "sum"),
                                                paid_out=("out_pence", "sum"))
    by_account = {code: [int(r.rows), int(r.paid_in), int(r.paid_out)] for code, r in grouped.iterrows()}
    sys.stdout.write(ledger_lines(by_account))


if __name__ == "__main__":
    main(sys.argv[1])
