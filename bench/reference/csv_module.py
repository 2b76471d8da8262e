#!/usr/bin/env python3
"""Reference: the cash-book job with Python's csv module, row by row.

Reads the export, turns `Paid In` / `Paid Out` into exact pence and sums
them per nominal code. Prints the figures of figures.py on stdout.
"""
import csv
import sys

from figures import ledger_lines, pence


def main(path):
    by_account = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        account_i = header.index("Nominal Code")
        in_i = header.index("Paid In")
        out_i = header.index("Paid Out")
        for row in reader:
            if not row:
                continue
            entry = by_account.get(row[account_i])
            if entry is None:
                entry = by_account[row[account_i]] = [0, 0, 0]
            entry[0] += 1
            entry[1] += pence(row[in_i])
            entry[2] += pence(row[out_i])
    sys.stdout.write(ledger_lines(by_account))


if __name__ == "__main__":
    main(sys.argv[1])
