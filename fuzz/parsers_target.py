"""The amount and date parsers through `redist fuzz-batch amount|date`.

- Round trips: a random amount in minor units (below AmountParser.maximum, 10^15), printed in every
  spelling the parser promises (`1234.56`, `1,234.56`, `£1,234.56`,
  `-12.00`, `(12.00)`, `12.00-`, and with a decimal comma `1.234,56`) for
  0, 2 and 3 minor digits, must read back to the same value; a random day
  printed in each date_format's spellings must read back to the same day.
- Never a trap: random bytes and mutations of real spellings are parsed or
  refused; a crash is a finding. An accepted amount must fit in ±Int64.max.

Python's integers are exact, so the expected values are computed here
independently of the Swift code.
"""

import datetime
import random

TARGET = "parsers"
INT64_MAX = (1 << 63) - 1
LARGEST = 10 ** 15  # AmountParser.maximum: amounts of 10^15 minor units or more are refused (no single amount can overflow a file's sums)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SEEDS = ["1234.56", "1,234.56", "£1,234.56", "-12.00", "(12.00)", "12.00-", "- $220.00", "+ $1,150.00", "123456/100",
         "1.234,56", "92233720368547758.07", "31/03/2024", "03/31/2024", "2024-03-31", "2024/03/31", "2 Sep 2022",
         "2020-11-03T00:00:00+00:00", "1-4-2023", "07 Nov 2013"]
FORMATS = ["dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "yyyy/mm/dd", "d MMM yyyy"]


def decimal(units, digits, comma=False):
    magnitude = abs(units)
    whole, fraction = divmod(magnitude, 10 ** digits)
    text = str(whole) + ((("," if comma else ".") + str(fraction).zfill(digits)) if digits else "")
    return text


def grouped(units, digits, comma=False):
    magnitude = abs(units)
    whole, fraction = divmod(magnitude, 10 ** digits)
    text = f"{whole:,}"
    if comma:
        text = text.replace(",", ".")
    return text + ((("," if comma else ".") + str(fraction).zfill(digits)) if digits else "")


def amount_spellings(units, digits, comma):
    plain, group = decimal(units, digits, comma), grouped(units, digits, comma)
    out = [plain, group]
    if digits == 2 and not comma:
        out.append("£" + group)
    if units < 0:
        out = ["-" + s for s in out] + [f"({plain})", f"({group})", f"{plain}-", f"{group}-"]
    return out


def date_spellings(day, fmt):
    y, m, d = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
    if fmt == "yyyy-mm-dd":
        return [f"{y}-{m}-{d}", f"{y}-{m}-{d}T08:26:29", f"{y}-{m}-{d} 00:00:00"]
    if fmt == "yyyy/mm/dd":
        return [f"{y}/{m}/{d}", f"{y}/{day.month}/{day.day}"]
    if fmt in ("dd/mm/yyyy", "mm/dd/yyyy"):
        a, b, ua, ub = (d, m, day.day, day.month) if fmt == "dd/mm/yyyy" else (m, d, day.month, day.day)
        out = [f"{a}{s}{b}{s}{y}" for s in "/-."] + [f"{ua}{s}{ub}{s}{y}" for s in "/-."]
        if 2000 <= day.year <= 2099:
            out.append(f"{a}/{b}/{day.year - 2000:02d}")
        return out
    name = MONTHS[day.month - 1]
    return [f"{day.day} {name[:3]} {y}", f"{d} {name} {y}", f"{day.day}-{name[:3].lower()}-{y}", f"{day.day} {name.upper()} {y}"]


def mutate_text(rng, text):
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        at = rng.randint(0, len(data))
        if op == 0 and data:
            del data[min(at, len(data) - 1)]
        elif op == 1:
            data[at:at] = bytes([rng.randrange(256)])
        elif op == 2:
            data[at:at] = rng.choice([b"9" * rng.randint(1, 25), b",", b".", b"-", b"(", b")", b"/", b"\xc2", b"\xa3",
                                      b"\xe2\x82\xac", b" ", b"0", b"T", b":"])
        elif op == 3 and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << rng.randrange(8)
        else:
            data = data[:at]
    return bytes(data)


def cases(rng, n):
    """n amount cases and n date cases: (mode, options, input, expected or None)."""
    out = []
    for _ in range(n):
        digits = rng.choice([0, 2, 3])
        comma = rng.random() < 0.25
        units = rng.randint(-LARGEST + 1, LARGEST - 1) >> rng.randrange(60)
        for text in amount_spellings(units, digits, comma):
            out.append(("amount", {"digits": digits, "comma": comma}, text.encode(), units))
        out.append(("amount", {"digits": digits, "comma": comma}, mutate_text(rng, rng.choice(SEEDS)), None))
        out.append(("amount", {"digits": digits, "comma": comma}, bytes(rng.randrange(256) for _ in range(rng.randint(0, 12))), None))
        day = datetime.date.fromordinal(rng.randint(1, datetime.date(9999, 12, 31).toordinal()))
        fmt = rng.choice(FORMATS)
        for text in date_spellings(day, fmt):
            out.append(("date", {"format": fmt}, text.encode(), day.isoformat()))
        out.append(("date", {"format": fmt}, mutate_text(rng, rng.choice(SEEDS)), None))
    return out


def check(mode, result, expected, data, options):
    if "crash" in result or "hang" in result:
        return {"target": TARGET, "kind": "crash" if "crash" in result else "hang",
                "detail": result.get("crash", "no answer"), "mode": mode}
    got = result.get("value") if mode == "amount" else result.get("day")
    if expected is not None and got != expected:
        return {"target": TARGET, "kind": "roundtrip", "mode": mode,
                "detail": f"{data!r} with {options} read as {got!r}, expected {expected!r}"}
    if mode == "amount" and got is not None and abs(got) > INT64_MAX:
        return {"target": TARGET, "kind": "range", "mode": mode, "detail": f"{data!r} read as {got}"}
    return None


def run(runners, findings, rounds, seed):
    """rounds of 200 random values each; returns (cases, failed)."""
    rng = random.Random(seed)
    total, failed = 0, False
    for _ in range(rounds):
        batch = cases(rng, 200)
        for mode in ("amount", "date"):
            mine = [c for c in batch if c[0] == mode]
            results = runners[mode].run([(o, d) for _, o, d, _ in mine])
            total += len(mine)
            for (_, options, data, expected), result in zip(mine, results):
                finding = check(mode, result, expected, data, options)
                if finding:
                    case = {"target": TARGET, "mode": mode, "options": options, "expected": expected}
                    failed = findings.add(finding, data, case) or failed
    return total, failed


def replay(runner, case, data):
    result = runner.run([(case["options"], data)])[0]
    print("result:", result, "expected:", case.get("expected"))
    return check(case["mode"], result, case.get("expected"), data, case["options"])
