#!/usr/bin/env python3
"""Reference: the whole quarterly job in DuckDB, as an analyst who knows SQL
would write it without redist.

The same job as pandas_pipeline.py, in SQL: read the pipeline's cash-book
export (every column as text), turn `£1,234.56` into exact pence (DECIMAL,
never a float), classify each account by the pipeline's rules loaded as a
table (the first rule that matches wins), compute the organisation's
figures for the period (income, redistributed, retained, unclassified,
held) and write the period's transactions to OUT/transactions.csv. Prints
the same `name=value` lines as the pandas script. DuckDB uses every core.

usage: duckdb_pipeline.py PIPELINE.toml PERIOD(yyyy-Qn) OUT
"""
import os
import sys
import tomllib

import duckdb

from pandas_pipeline import decimal, quarter


def rule_rows(pipeline):
    """(position, code, low, high, category): one row per code or range of a rule."""
    rows = []
    for position, rule in enumerate(pipeline["rule"]):
        assert set(rule) <= {"account", "category", "counterparty_kind"}, "only account rules are modelled here"
        for spec in rule["account"] if isinstance(rule["account"], list) else [rule["account"]]:
            lo, sep, hi = spec.partition("-")
            if sep and lo.isdigit() and hi.isdigit() and len(lo) == len(hi):
                rows.append((position, None, lo, hi, rule["category"]))
            else:
                rows.append((position, spec, None, None, rule["category"]))
    return rows


def main(pipeline_path, period, out):
    with open(pipeline_path, "rb") as f:
        pipeline = tomllib.load(f)
    source = pipeline["source"][0]
    c = source["columns"]
    path = os.path.join(os.path.dirname(pipeline_path), source["path"])
    start, end = quarter(period)

    db = duckdb.connect()
    db.execute("CREATE TABLE rules (position INTEGER, code VARCHAR, low VARCHAR, high VARCHAR, category VARCHAR)")
    db.executemany("INSERT INTO rules VALUES (?, ?, ?, ?, ?)", rule_rows(pipeline))
    # Exact pence from `£1,234.56` (empty: 0).
    db.execute("""CREATE MACRO pence(t) AS
        CASE WHEN trim(coalesce(t, '')) = '' THEN 0
             ELSE CAST(CAST(replace(replace(trim(t), '£', ''), ',', '') AS DECIMAL(18, 2)) * 100 AS BIGINT) END""")
    db.execute(f"""CREATE TABLE ledger AS
        SELECT row_number() OVER () AS line,
               strptime("{c['date']}", '%d/%m/%Y')::DATE AS date,
               "{c['account']}" AS account, "{c['account_name']}" AS account_name, "{c['fund']}" AS fund,
               "{c['counterparty']}" AS counterparty, "{c['description']}" AS description,
               "{c['reference']}" AS reference,
               pence("{c['paid_in']}") - pence("{c['paid_out']}") AS amount
        FROM read_csv(?, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')""", [path])
    # Each account's category: the first rule (lowest position) that matches it.
    db.execute("""CREATE TABLE account_category AS
        SELECT a.account, coalesce(arg_min(r.category, r.position), 'unclassified') AS category
        FROM (SELECT DISTINCT account FROM ledger) a
        LEFT JOIN rules r ON r.code = a.account
            OR (r.low IS NOT NULL AND length(a.account) = length(r.low) AND regexp_full_match(a.account, '[0-9]+')
                AND a.account BETWEEN r.low AND r.high)
        GROUP BY a.account""")
    db.execute(f"""CREATE VIEW quarter AS
        SELECT l.*, k.category FROM ledger l JOIN account_category k USING (account)
        WHERE l.date BETWEEN DATE '{start.date().isoformat()}' AND DATE '{end.date().isoformat()}'""")
    income, redistributed, retained, unclassified = db.execute("""
        SELECT coalesce(sum(amount) FILTER (WHERE category LIKE 'income.%'), 0),
               -coalesce(sum(amount) FILTER (WHERE category LIKE 'redistributed.%'), 0),
               -coalesce(sum(amount) FILTER (WHERE category LIKE 'retained.%' AND category <> 'retained.hosting-fee'), 0),
               coalesce(sum(abs(amount)) FILTER (WHERE category = 'unclassified'), 0)
        FROM quarter""").fetchone()
    held = db.execute("SELECT coalesce(sum(amount), 0) FROM ledger WHERE date <= ?", [end.date()]).fetchone()[0]

    os.makedirs(out, exist_ok=True)
    target = os.path.join(out, "transactions.csv").replace("'", "''")
    db.execute(f"""COPY (
        SELECT strftime(date, '%Y-%m-%d') AS date, fund, account, account_name, counterparty, description, reference,
               CASE WHEN amount >= 0 THEN 'in' ELSE 'out' END AS direction,
               printf('%d.%02d', abs(amount) // 100, abs(amount) % 100) AS amount,
               'GBP' AS currency, category
        FROM quarter ORDER BY date, line) TO '{target}' (HEADER, DELIMITER ',')""")

    for name, value in [("income", income), ("redistributed", redistributed), ("retained", retained),
                        ("unclassified", unclassified), ("held", held)]:
        print(f"{name}={decimal(value)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
