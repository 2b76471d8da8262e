"""Every reader on mutated corpus files, through `redist fuzz-batch read`.

Target `readers`: each file of ../shared/corpus that a reader reads (the
CSV formats, 360Giving, IATI, GnuCash, camt.053, OFX), and the project's
own samples in sample-data/formats/ (QIF, OFX, the bank presets), mutated: truncated, bytes
flipped, inserted or deleted, lines duplicated or dropped, line ends
changed (LF to CRLF or CR, CRLF to LF), chunks repeated. Checked: no crash,
no hang (an answer within the timeout), and the control totals hold:
rows read = loaded + rejected + skipped, the same for amounts, and the
records handed on are as many as the rows loaded and add up to the amount
loaded.

Target `xml`: the XML files mutated with XML-aware edits too (a tag's `<`
or `>` dropped, an end tag removed or renamed, `&` and undefined entities,
invalid UTF-8, a NUL), each also judged by libxml2's own `xmllint
--noout`. When xmllint says the document is not well-formed, the reader
must fail the file (a FileFailure): never load records from a broken
document as if it were whole. The totals are checked as above.
"""

import gzip
import os
import random
import re
import subprocess
import tempfile

TARGET_READERS = "readers"
TARGET_XML = "xml"
MAX_BYTES = 1_200_000  # larger files (the 2.6 MB d-portal IATI file, the 3.6 MB lottery CSV) are left out: too slow per case

# The corpus files and how a pipeline would read each (as the corpus tests do).
ORG = "GB-CHC-9990012"


def configurations(corpus):
    """[(path, options)] for every corpus file a reader reads."""
    out = []

    def add(folder, name, options):
        path = os.path.join(corpus, folder, name)
        if os.path.isfile(path):
            out.append((path, dict(options, name=name)))

    for folder in ("360giving-csv",):
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            add(folder, name, {"format": "360giving", "role": "grants-out", "organisation": ORG})
            add(folder, name, {"format": "360giving", "role": "grants-in", "organisation": "GB-CHC-210183"})
    csv = "accounting-csv"
    mapped = [
        ("cantino__reckon__austrian_example.csv", {"date": "3", "description": "2", "amount": "5", "currency": "6", "account": "1"},
         {"header": "none", "delimiter": ";", "decimal_comma": "true", "date_format": "dd/mm/yyyy"}),
        ("cantino__reckon__extratofake.csv", {"date": "Data", "description": "Histórico", "reference": "Número do documento",
                                              "amount": "Valor"}, {"date_format": "mm/dd/yyyy"}),
        ("jbms__beancount-import__EAC_Checking_Transactions_20201223-160009.CSV",
         {"date": "Date", "description": "Description", "reference": "Check #", "paid_out": "Withdrawal (-)",
          "paid_in": "Deposit (+)"}, {"skip_lines": "1", "date_format": "mm/dd/yyyy", "currency": "USD"}),
        ("jbms__beancount-import__transactions.csv", {"id": "ID", "date": "Datetime", "amount": "Amount (total)",
                                                      "description": "Note", "counterparty": "To"}, {"currency": "USD"}),
        ("cantino__reckon__bom_utf8_file.csv", {"date": "Date", "amount": "Gross", "description": "Name",
                                                "reference": "Transaction ID"}, {}),
        ("cantino__reckon__nationwide.csv", {"date": "1", "description": "3", "paid_out": "4", "paid_in": "5"},
         {"header": "none", "date_format": "d MMM yyyy"}),
        ("cantino__reckon__some_other.csv", {"date": "2", "description": "3", "amount": "4"},
         {"header": "none", "date_format": "yyyy/mm/dd"}),
        ("jbms__beancount-import__mint.csv", {"date": "Date", "amount": "Amount", "description": "Description"},
         {"date_format": "mm/dd/yyyy"}),
        ("simonmichael__hledger__ynab4-rtl.csv", {"date": "Date", "paid_out": "Outflow", "paid_in": "Inflow",
                                                  "description": "Memo"}, {"currency": "JOD"}),
        ("simonmichael__hledger__stripe.csv", {"date": "created_utc", "amount": "gross", "currency": "currency",
                                               "reference": "balance_transaction_id", "description": "description"}, {}),
    ]
    for name, columns, options in mapped:
        add(csv, name, {"format": "csv", "role": "ledger", "columns": columns, "options": options})
    for folder, fmt, role in (("iati-xml", "iati", "ledger"), ("gnucash-xml", "gnucash", "ledger"),
                              ("camt053-xml", "camt053", "bank"), ("ofx", "ofx", "bank")):
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            add(folder, name, {"format": fmt, "role": role})
    # The project's own samples of the formats the corpus lacks (QIF, the bank presets), named <format>--<what>.
    samples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-data", "formats")
    for name in sorted(os.listdir(samples)) if os.path.isdir(samples) else []:
        if "--" not in name or name.endswith(".expected.csv"):
            continue
        fmt = name.split("--")[0]
        options = {"format": fmt, "role": "bank", "name": name}
        if fmt == "csv":
            options.update(role="ledger", columns={"date": "Date", "description": "Description", "amount": "Amount",
                                                   "direction": "Transaction Type"}, options={"date_format": "mm/dd/yyyy"})
        out.append((os.path.join(samples, name), options))
    return out


def load(path):
    with open(path, "rb") as f:
        return f.read()


# ---- mutations ----------------------------------------------------------------

SNIPPETS = [b'"', b'""', b",", b";", b"\r", b"\n", b"\r\n", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x00", b"-", b"(",
            b"92233720368547758.07", b"9" * 30, b"1,234.56", b"-0.00", b"31/02/2024", b"2024-13-01", b"\xc2\xa3",
            b"<", b">", b"&", b"&amp;", b"&nope;", b"]]>", b"<!--", b"-->", b"<![CDATA[", b"</x>", b"<x>", b"'", b"=",
            b"<?xml version='1.0'?>", b"\t", b" ", b"/"]


def mutate(rng, data, rounds=None):
    data = bytearray(data)
    for _ in range(rounds or rng.randint(1, 4)):
        if not data:
            data += rng.choice(SNIPPETS)
            continue
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(10)
        if op == 0:
            del data[at:]                                              # truncated
        elif op == 1 and at < len(data):
            data[at] ^= 1 << rng.randrange(8)                          # a bit flipped
        elif op == 2:
            data[at:at] = rng.choice(SNIPPETS)                         # a snippet inserted
        elif op == 3:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 4:
            del data[at:at + rng.randint(1, 64)]                       # a range deleted
        elif op == 5:                                                  # a line duplicated or dropped
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            if rng.random() < 0.5:
                data[start:start] = data[start:end]
            else:
                del data[start:end]
        elif op == 6:                                                  # line ends changed
            kind = rng.randrange(3)
            text = bytes(data)
            if kind == 0:
                text = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            elif kind == 1:
                text = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
            else:
                text = text.replace(b"\r\n", b"\n")
            data = bytearray(text)
        elif op == 7:                                                  # a chunk repeated
            n = rng.randint(1, 200)
            data[at:at] = data[at:at + n] * rng.randint(2, 5)
        elif op == 8 and at < len(data):
            data[at] = rng.choice(b'",;\r\n<>&/0123456789.-')          # a byte replaced by a structural one
        else:
            digits = [m.start() for m in re.finditer(rb"[0-9]", bytes(data[max(0, at - 4096):at + 4096]))]
            if digits:                                                 # a digit changed (amounts, dates)
                i = max(0, at - 4096) + rng.choice(digits)
                data[i:i + 1] = rng.choice([b"9", b"0", b"99999999999999999", b".", b",", b"-", b""])
    return bytes(data)


TAG = re.compile(rb"</?[A-Za-z_][^<>\s/]*")


def mutate_xml(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        tags = [m for m in TAG.finditer(bytes(data[:200_000]))] if data else []
        op = rng.randrange(8)
        if not tags or op >= 6:
            data = bytearray(mutate(rng, bytes(data), 1))
            continue
        m = rng.choice(tags)
        if op == 0:
            del data[m.start()]                                        # a tag's `<` dropped
        elif op == 1:
            close = data.find(b">", m.end())
            if close >= 0:
                del data[close]                                        # a tag's `>` dropped
        elif op == 2 and data[m.start() + 1:m.start() + 2] == b"/":
            close = data.find(b">", m.end())
            if close >= 0:
                del data[m.start():close + 1]                          # an end tag removed
        elif op == 3:
            data[m.end():m.end()] = rng.choice([b"x", b"-", b":q"])    # a tag renamed
        elif op == 4:
            data[m.start():m.start()] = rng.choice([b"&", b"&undefined;", b"\xff\xfe", b"\x00", b"<", b"&#0;", b"&#x110000;"])
        else:
            data[m.start():m.start()] = bytes(data[m.start():m.end()]) + b">"   # an unclosed start tag
    return bytes(data)


def mutate_content(rng, data):
    """Edits that keep a document well-formed, mostly: text content changed where the figures are."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        ends = [m.end() for m in re.finditer(rb">[-0-9.]", bytes(data[:400_000]))]
        if not ends:
            break
        at = rng.choice(ends) - 1
        data[at:at] = rng.choice([b"92233720368547758.07", b"-", b"9" * 20, b"0.001", b"1e5", b"1,234.56", b" ", b"",
                                  b"99999999999999999", b"-92233720368547758.07", b"2024-02-30", b"0"])
    return bytes(data)


# ---- checks -----------------------------------------------------------------

def totals_finding(result, target):
    if "crash" in result or "hang" in result:
        kind = "crash" if "crash" in result else "hang"
        return {"target": target, "kind": kind, "detail": result.get("crash", f"no answer in {result.get('hang')} s")}
    if "harness" in result:
        return {"target": target, "kind": "harness", "detail": result["harness"]}
    r = result
    problems = []
    if r["rows_read"] != r["rows_loaded"] + r["rows_rejected"] + r["rows_skipped"]:
        problems.append("rows read {rows_read} != loaded {rows_loaded} + rejected {rows_rejected} + skipped {rows_skipped}".format(**r))
    if r["amount_read"] != r["amount_loaded"] + r["amount_rejected"] + r["amount_skipped"]:
        problems.append("amount read {amount_read} != loaded {amount_loaded} + rejected {amount_rejected} + skipped {amount_skipped}".format(**r))
    if r["records"] != r["rows_loaded"]:
        problems.append("records handed on {records} != rows loaded {rows_loaded}".format(**r))
    if r["records_amount"] != r["amount_loaded"] or r["records_amount_overflow"]:
        problems.append("records handed on add up to {records_amount} != amount loaded {amount_loaded}".format(**r))
    if r["failure"] and r["failure"].startswith("(not a FileFailure)"):
        problems.append("the reader threw something other than a FileFailure: " + r["failure"])
    if problems:
        return {"target": target, "kind": "totals", "detail": "; ".join(problems), "result": r}
    return None


def xmllint(data, scratch):
    """(well_formed, message) by libxml2's own xmllint."""
    path = os.path.join(scratch, "doc.xml")
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run(["xmllint", "--noout", "--nonet", path], capture_output=True, timeout=60)
    return p.returncode == 0, p.stderr.decode("utf-8", "replace")


STATS = {}


def count(key, n=1):
    STATS[key] = STATS.get(key, 0) + n


def xml_finding(result, data, scratch, target=TARGET_XML):
    finding = totals_finding(result, target)
    if finding or "rows_read" not in result:
        return finding
    well_formed, message = xmllint(data, scratch)
    count("well-formed" if well_formed else "not well-formed (xmllint)")
    count("well-formed and failed by the reader" if well_formed and result["failure"] else
          "not well-formed and failed by the reader" if result["failure"] else "read")
    if not well_formed and not result["failure"]:
        return {"target": target, "kind": "broken-xml-read", "result": result, "xmllint": message[:2000],
                "detail": f"xmllint: {message.strip().splitlines()[0] if message.strip() else 'not well-formed'}; the reader "
                          f"reported no file failure and loaded {result['rows_loaded']} of {result['rows_read']} rows"}
    return None


def is_xml(options):
    return options["format"] in ("iati", "gnucash", "camt053")


def run(runner, findings, corpus, rounds, seed, xml, batch=20):
    """`rounds` batches of mutated files; returns (cases, failed)."""
    rng = random.Random(seed)
    configs = [(p, o) for p, o in configurations(corpus) if os.path.getsize(p) <= MAX_BYTES]
    if xml:
        configs = [(p, o) for p, o in configs if is_xml(o)]
    originals = {}
    for path, _ in configs:
        data = load(path)
        if xml and data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        originals[path] = data
    # Small files more often: they cost less per case and mutate more densely.
    weights = [1.0 / (1 + len(originals[p]) / 20_000) for p, _ in configs]
    total, failed = 0, False
    with tempfile.TemporaryDirectory(prefix="redist-fuzz-xml-") as scratch:
        for _ in range(rounds):
            picks = rng.choices(configs, weights, k=batch)
            cases = []
            for path, options in picks:
                data = originals[path]
                if xml:
                    pick = rng.random()
                    data = mutate_xml(rng, data) if pick < 0.4 else mutate_content(rng, data) if pick < 0.8 else mutate(rng, data)
                else:
                    data = mutate_content(rng, data) if rng.random() < 0.2 else mutate(rng, data)
                cases.append((options, data, path))
            results = runner.run([(o, d) for o, d, _ in cases])
            total += len(cases)
            for (options, data, path), result in zip(cases, results):
                finding = xml_finding(result, data, scratch) if xml else totals_finding(result, TARGET_READERS)
                if "rows_read" in result:
                    count("file failures" if result["failure"] else "files read", 1)
                    count("rows read", result["rows_read"])
                    count("rows rejected", result["rows_rejected"])
                if finding:
                    finding["file"] = os.path.basename(path)
                    case = {"target": finding["target"], "mode": "read", "options": options, "from": path}
                    failed = findings.add(finding, data, case) or failed
    return total, failed


def take_stats():
    """What the rounds so far saw (files read and failed, rows, xmllint's verdicts), and a fresh count."""
    text = ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))
    STATS.clear()
    return text


def replay(runner, case, data):
    result = runner.run([(case["options"], data)])[0]
    print("reader:", result)
    if case["target"] == TARGET_XML:
        with tempfile.TemporaryDirectory(prefix="redist-fuzz-xml-") as scratch:
            print("xmllint:", xmllint(data, scratch))
            return xml_finding(result, data, scratch)
    return totals_finding(result, case["target"])
