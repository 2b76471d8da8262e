"""The figures every implementation of a benchmark job prints, so the
benchmark can check they agree before it reports a time.

CSV jobs: one line per account, `account,rows,paid_in_pence,paid_out_pence`,
sorted by account, then `total,rows,paid_in_pence,paid_out_pence`.
"""


def ledger_lines(by_account):
    """by_account: {account: [rows, paid_in, paid_out]} -> the canonical text."""
    out = []
    total = [0, 0, 0]
    for account in sorted(by_account):
        rows, paid_in, paid_out = by_account[account]
        out.append(f"{account},{rows},{paid_in},{paid_out}")
        total[0] += rows
        total[1] += paid_in
        total[2] += paid_out
    out.append(f"total,{total[0]},{total[1]},{total[2]}")
    return "\n".join(out) + "\n"


def pence(text):
    """Exact pence from `£1,234.56`, `1,234.56`, `-12.00` or `12` (no floating point)."""
    t = text.strip().replace("£", "").replace(",", "")
    if not t:
        return 0
    negative = t.startswith("-")
    if negative:
        t = t[1:]
    whole, _, frac = t.partition(".")
    value = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -value if negative else value
