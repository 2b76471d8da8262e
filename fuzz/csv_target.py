"""The CSV scanner against Python's csv module.

Valid input: rows Hypothesis makes up, written by csv.writer (QUOTE_MINIMAL
or QUOTE_ALL; `,` `;` tab or `|`; CRLF, LF or CR line ends; with or without
a byte-order mark and a final line end; UTF-8 or Windows-1252), scanned
with chunk sizes from 1 byte to 1 MB so every refill boundary is crossed.
The scanner must give exactly the fields Python's reader gives.

Malformed input: random runs of quotes, delimiters, line ends and text.
The scanner may refuse the input (an error), or flag a record as rejected;
what it does hand over must be fields Python's reader also gives, in order.

Both sides drop blank records (no field, or one empty field: the scanner
treats `""` alone on a line as a blank line, as every reader skips it).
"""

import csv
import io

from common import known_defect
from hypothesis import HealthCheck, Phase, given, settings, seed as hypothesis_seed, strategies as st

TARGET_VALID = "csv"
TARGET_MALFORMED = "csv-malformed"
CHUNKS = [1 << 20, 1, 2, 3, 5, 8, 13, 64, 4096]



def python_records(data, options, strict=False, lines=False):
    """Python's reading of the bytes, or None when Python cannot decode them;
    with `lines`, also the line each record starts on (CR, LF and CRLF each end a line)."""
    encoding = options.get("encoding", "auto")
    try:
        if encoding == "windows-1252":
            text = data.decode("cp1252")
        else:
            text = data.decode("utf-8")
            if text.startswith("\ufeff"):
                text = text[1:]
    except UnicodeDecodeError:
        if encoding == "auto" and options.get("chunk", 1 << 20) >= len(data):
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return None
        else:
            return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=options.get("delimiter", ","), strict=strict)
    rows, starts, previous = [], [], 0
    for r in reader:
        if r not in ([], [""]):
            rows.append(r)
            starts.append(previous + 1)
        previous = reader.line_num
    return (rows, starts) if lines else rows


def scanner_records(result, lines=False):
    """The scanner's records as lists of text, and which were flagged as rejected (and with `lines`, their lines)."""
    records, rejected, starts = [], [], []
    for r in result["records"]:
        fields = [bytes.fromhex(h).decode("utf-8", "surrogateescape") for h in r["fields"]]
        if fields in ([], [""]):
            continue
        records.append(fields)
        rejected.append(bool(r.get("reject")))
        starts.append(r["line"])
    return (records, rejected, starts) if lines else (records, rejected)


def lone_cr_in_quotes(data, delimiter):
    """True when a quoted field holds a CR not followed by LF."""
    d, i, n, field_start = delimiter.encode(), 3 if data.startswith(b"\xef\xbb\xbf") else 0, len(data), True
    while i < n:
        b = data[i:i + 1]
        if field_start and b == b'"':
            i += 1
            while i < n:
                if data[i:i + 2] == b'""':
                    i += 2
                elif data[i:i + 1] == b'"':
                    break
                else:
                    if data[i:i + 1] == b"\r" and data[i + 1:i + 2] != b"\n":
                        return True
                    i += 1
            i += 1
            field_start = False
            continue
        field_start = b in (d, b"\r", b"\n")
        i += 1
    return False


def is_subsequence(part, whole):
    it = iter(whole)
    return all(any(p == w for w in it) for p in part)


def check(result, data, options, malformed):
    """A finding for one case, or None."""
    finding = _check(result, data, options, malformed)
    if finding:
        finding.update(bom=data.startswith(b"\xef\xbb\xbf"), chunk=options.get("chunk", 1 << 20))
    return finding


def _check(result, data, options, malformed):
    target = TARGET_MALFORMED if malformed else TARGET_VALID
    if "crash" in result or "hang" in result:
        kind = "crash" if "crash" in result else "hang"
        return {"target": target, "kind": kind, "detail": result.get("crash", f"no answer in {result.get('hang')} s")}
    expected = python_records(data, options)
    if expected is None:
        return None
    if "error" in result:
        if malformed:
            return None
        return {"target": target, "kind": "mismatch", "detail": f"scanner refused valid input: {result['error']}",
                "python": expected}
    got, rejected, got_lines = scanner_records(result, lines=True)
    if got == expected and not any(rejected):
        expected_lines = python_records(data, options, lines=True)[1]
        if got_lines != expected_lines and not malformed:
            return {"target": target, "kind": "line", "detail": f"records start on lines {got_lines}, "
                    f"Python's line count says {expected_lines}",
                    "lone_cr_in_quotes": lone_cr_in_quotes(data, options.get("delimiter", ","))}
        return None
    kept = [r for r, rej in zip(got, rejected) if not rej]
    if malformed and any(rejected) and is_subsequence(kept, expected):
        return None
    finding = {"target": target, "kind": "mismatch", "detail": f"scanner {got!r} python {expected!r}"}
    try:
        python_records(data, options, strict=True)
        finding["python_strict"] = "accepted"
    except csv.Error as e:
        finding["python_strict"] = str(e)
    return finding


# ---- generators -------------------------------------------------------------

def _cp1252(c):
    try:
        c.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


ALPHABET = list(',;\t|" \r\n') * 3 + list("aZ09.-£€éßø中😀\u2028\x85\x00\ufeff\xa0\u0301")
CP1252_ALPHABET = [c for c in ALPHABET if _cp1252(c)] + list("Ÿÿ‰")


def field_text(cp1252):
    return st.text(alphabet=st.sampled_from(CP1252_ALPHABET if cp1252 else ALPHABET), max_size=10)


@st.composite
def valid_document(draw):
    encoding = draw(st.sampled_from(["auto", "utf-8", "windows-1252"]))
    cp1252 = encoding == "windows-1252"
    width = draw(st.integers(1, 6))
    ragged = draw(st.booleans())
    row = st.lists(field_text(cp1252), min_size=0 if ragged else width, max_size=width)
    rows = draw(st.lists(row, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
               lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))).writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()) and text.endswith(("\n", "\r")):
        text = text.rstrip("\r\n") if draw(st.booleans()) else text[:-1]
    data = text.encode("cp1252" if cp1252 else "utf-8")
    if not cp1252 and draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    chunk = draw(st.sampled_from(CHUNKS))
    if encoding == "auto" and chunk < len(data):
        encoding = "utf-8"  # auto decides on the first chunk: not what this target checks
    return {"delimiter": delimiter, "encoding": encoding, "chunk": chunk}, data


@st.composite
def malformed_document(draw):
    pieces = st.sampled_from(['"', '"', '""', ",", ",", "a", "12", "34", " ", "\r", "\n", "\r\n", "é", ";", "\t", "x\"y"])
    text = "".join(draw(st.lists(pieces, max_size=30)))
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return {"delimiter": ",", "encoding": "utf-8", "chunk": draw(st.sampled_from(CHUNKS))}, data


# ---- fast random documents of the same shapes (Hypothesis draws cost about 10 ms a document) ----

def random_valid(rng):
    encoding = rng.choice(["auto", "utf-8", "windows-1252"])
    alphabet = CP1252_ALPHABET if encoding == "windows-1252" else ALPHABET
    width = rng.randint(1, 6)
    ragged = rng.random() < 0.5
    rows = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(rng.randint(0, width) if ragged else width)]
            for _ in range(rng.randint(0, 8))]
    delimiter = rng.choice([",", ";", "\t", "|"])
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
               lineterminator=rng.choice(["\r\n", "\n", "\r"])).writerows(rows)
    text = out.getvalue()
    if rng.random() < 0.3 and text.endswith(("\n", "\r")):
        text = text.rstrip("\r\n")
    data = text.encode("cp1252" if encoding == "windows-1252" else "utf-8")
    if encoding != "windows-1252" and rng.random() < 0.3:
        data = b"\xef\xbb\xbf" + data
    chunk = rng.choice(CHUNKS)
    if encoding == "auto" and chunk < len(data):
        encoding = "utf-8"
    return {"delimiter": delimiter, "encoding": encoding, "chunk": chunk}, data


def random_malformed(rng):
    pieces = ['"', '"', '""', ",", ",", "a", "12", "34", " ", "\r", "\n", "\r\n", "é", ";", "\t", 'x"y']
    data = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))).encode()
    if rng.random() < 0.2:
        data = b"\xef\xbb\xbf" + data
    return {"delimiter": ",", "encoding": "utf-8", "chunk": rng.choice(CHUNKS)}, data


# ---- the run ------------------------------------------------------------------

def hypothesis_documents(strategy, n, seed):
    """n documents drawn by Hypothesis (as a generator: the cases are then run in one batch)."""
    docs = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(strategy)
    def collect(doc):
        docs.append(doc)

    hypothesis_seed(seed)(collect)()
    return docs


def shrink(runner, options, data, malformed, kind):
    """The input made as small as it will go, a chunk at a time, while the same kind of finding stays."""
    def fails(candidate):
        if not malformed:
            try:
                python_records(candidate, options, strict=True)
            except csv.Error:
                return False  # the valid target's failures stay valid RFC 4180
        f = check(runner.run([(options, candidate)])[0], candidate, options, malformed)
        return f is not None and f["kind"] == kind and not known_defect(f)

    n = max(1, len(data) // 2)
    tries = 0
    while n >= 1 and tries < 2000:
        i, shrunk = 0, False
        while i < len(data) and tries < 2000:
            candidate = data[:i] + data[i + n:]
            tries += 1
            if fails(candidate):
                data, shrunk = candidate, True
            else:
                i += n
        if not shrunk:
            n //= 2
    return data


def run(runner, findings, work, seed, malformed):
    """`work` × 25 documents from Hypothesis and × 400 from a seeded random generator; returns (cases, failed)."""
    import random
    rng = random.Random(seed)
    docs = hypothesis_documents(malformed_document() if malformed else valid_document(), work * 25, seed)
    docs += [random_malformed(rng) if malformed else random_valid(rng) for _ in range(work * 400)]
    failed, shrunk = False, 0
    results = runner.run(docs)
    for (options, data), result in zip(docs, results):
        finding = check(result, data, options, malformed)
        if finding is None:
            continue
        case = {"target": finding["target"], "mode": "csv", "options": options}
        if not known_defect(finding) and shrunk < 3 and finding["kind"] == "mismatch":
            shrunk += 1
            small = shrink(runner, options, data, malformed, finding["kind"])
            if small != data:
                findings.add(finding, data, dict(case, note="the original input; a shrunk one is saved beside it"))
                data = small
                finding = check(runner.run([(options, data)])[0], data, options, malformed) or finding
        failed = findings.add(finding, data, case) or failed
    return len(docs), failed


def replay(runner, case, data):
    options = case["options"]
    result = runner.run([(options, data)])[0]
    malformed = case["target"] == TARGET_MALFORMED
    print("python:", python_records(data, options))
    print("scanner:", result if "records" not in result else scanner_records(result)[0])
    return check(result, data, options, malformed)
