#!/usr/bin/env python3
"""After a test run that failed, say which tests failed and which were still
running when it stopped: a test that crashes the test process ends the log
with a backtrace that names no test, so this is printed last, where a reader
of the log's tail sees it.

usage: unfinished_tests.py LOG
"""
import collections
import re
import sys

STARTED = re.compile(r"^\S+ Test (.+?) started\.$")
ENDED = re.compile(r"^\S+ Test (.+?)(?: with \d+ test cases?)? (passed|failed|skipped)\b")
ISSUE = re.compile(r"^\S+ Test (.+?) recorded an issue(.*)$")


def main(path):
    running = collections.Counter()
    failed, issues = [], []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            if line.startswith("\u25c7 Test case passing"):
                continue
            m = STARTED.match(line)
            if m and m.group(1) != "run":
                running[m.group(1)] += 1
                continue
            m = ISSUE.match(line)
            if m:
                issues.append(line)
                continue
            m = ENDED.match(line)
            if m:
                running[m.group(1)] -= 1
                if m.group(2) == "failed":
                    failed.append(m.group(1))
    unfinished = sorted(name for name, n in running.items() if n > 0)
    print("tests that failed: %s" % (", ".join(failed) if failed else "none"))
    for line in issues[:20]:
        print("  " + line)
    if len(issues) > 20:
        print("  … and %d more issues" % (len(issues) - 20))
    print("tests still running when the test process stopped: %s"
          % (", ".join(unfinished) if unfinished else "none"))


if __name__ == "__main__":
    main(sys.argv[1])
