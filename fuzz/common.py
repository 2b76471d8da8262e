"""What every fuzz target shares: where failures are saved, how they are
counted, and the one list of known defects the short run tolerates."""

import hashlib
import json
import os
import re

# Known defects, each being fixed elsewhere: a finding that matches one is
# printed and saved as "known" but does not fail the run. This is the only
# place exclusions live; remove an entry once its fix is merged, and the
# targets fail on it again. Each entry: (id, what, matcher on a finding).
# A finding is a dict with at least "target", "kind" and "detail".
KNOWN_DEFECTS = [
    # Defects found and not yet fixed go here, each as (id, description, matcher), so that the short run in
    # `make test` stays green while they are reported and saved. None are known now: the four found by this
    # harness (text after a closing quote dropped, a byte-order mark kept when the first read is short, a
    # lone CR inside quotes not counted as a line end, sums that overflow 64 bits trapping) are fixed.
]

# Set FUZZ_NO_KNOWN=1 to treat the known defects as failures too (to check that a fix removed them).
STRICT = os.environ.get("FUZZ_NO_KNOWN") == "1"


def known_defect(finding):
    if STRICT:
        return None
    for ident, _, matches in KNOWN_DEFECTS:
        try:
            if matches(finding):
                return ident
        except (KeyError, TypeError):
            pass
    return None


class Findings:
    """Collects a target's findings and saves each failing input under
    build/fuzz/<target>/ so `python3 fuzz/replay.py FILE.json` re-runs it."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.failures = []
        self.known = {}
        self.seen = set()

    def add(self, finding, data, case):
        """Records a finding with its input bytes and the case to replay; returns True when it fails the run."""
        finding = dict(finding)
        ident = known_defect(finding)
        digest = hashlib.sha1(data).hexdigest()[:12]
        folder = os.path.join(self.out_dir, finding["target"] + ("-known" if ident else ""))
        os.makedirs(folder, exist_ok=True)
        base = os.path.join(folder, f"{finding['kind']}-{digest}")
        key = (finding["target"], finding["kind"], digest)
        if key in self.seen:
            return ident is None
        self.seen.add(key)
        if ident and len(self.known.get(ident, [])) >= 20:
            self.known[ident].append(base + ".json")
            return False
        with open(base + ".input", "wb") as f:
            f.write(data)
        record = {"finding": finding, "case": case, "input": os.path.basename(base + ".input"), "known": ident}
        with open(base + ".json", "w") as f:
            json.dump(record, f, indent=1, default=str)
        if ident:
            self.known.setdefault(ident, []).append(base + ".json")
            if len(self.known[ident]) <= 3:
                print(f"  known defect {ident}: {finding['kind']} in {finding['target']}, saved as {base}.input")
            return False
        self.failures.append(base + ".json")
        print(f"  FAILED {finding['target']}: {finding['kind']}: {short(finding.get('detail', ''))}")
        print(f"    input ({len(data)} bytes) saved as {base}.input; re-run: python3 fuzz/replay.py {base}.json")
        if len(data) <= 400:
            print(f"    input: {data!r}")
        return True


def short(text, n=600):
    text = str(text)
    return text if len(text) <= n else text[:n] + f"… ({len(text)} characters)"
