#!/usr/bin/python3
"""`make docs`: the numbers README.md states about the suite, from expected/.

A number in README.md that counts checks is written between markers,

    <!-- count: membership -->109<!-- /count -->
    <!-- count: delivery,sendopts,scope -->158<!-- /count -->
    <!-- count: all -->576<!-- /count -->
    <!-- count: sourcefilter tag=kernel-bug -->5<!-- /count -->

(a comma-separated list of areas, or `all`; `tag=T` counts only the checks
tagged T), so adding a check touches its probe row and its expectation, then
`make docs` rewrites every marked number. GitHub renders only the number.

  ci/docs.py            rewrite README.md in place, print what changed
  ci/docs.py --check    exit 1 naming each stale number (harness/tests/test_docs.py)
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from harness import expected  # noqa: E402

README = os.path.join(ROOT, "README.md")
MARKED = re.compile(r"<!-- count: (?P<key>[^>]*?) -->(?P<value>[^<]*)<!-- /count -->")


class DocsError(Exception):
    pass


def load_checks(expected_dir):
    """{area: {id: tags}} of expected/common (overrides add no ids)."""
    exp = expected.load(expected_dir, "0.0")  # a release no override range holds: common only
    return {area: {cid: exp.checks[cid]["tags"] for cid in ids} for area, ids in exp.areas.items()}


def count(checks, key):
    """The number a marker's key stands for."""
    words = key.split()
    if not words or len(words) > 2 or (len(words) == 2 and not words[1].startswith("tag=")):
        raise DocsError("bad count marker %r: want '<areas|all> [tag=T]'" % key)
    areas = sorted(checks) if words[0] == "all" else words[0].split(",")
    unknown = [a for a in areas if a not in checks]
    if unknown:
        raise DocsError("count marker %r names unknown area(s) %s (expected/common has %s)" % (
            key, ", ".join(unknown), ", ".join(sorted(checks))))
    tag = words[1][len("tag="):] if len(words) == 2 else None
    return sum(1 for a in areas for tags in checks[a].values() if tag is None or tag in tags)


def regenerate(text, checks):
    """(new text, [(line, key, old, new)] for each number that changed)."""
    changes = []

    def one(m):
        new = str(count(checks, m.group("key")))
        if m.group("value") != new:
            changes.append((text.count("\n", 0, m.start()) + 1, m.group("key"), m.group("value"), new))
        return "<!-- count: %s -->%s<!-- /count -->" % (m.group("key"), new)

    return MARKED.sub(one, text), changes


def areas_without_marker(text, checks):
    """Areas no marker counts: a new area needs its number in README.md."""
    keys = [m.group("key").split()[0] for m in MARKED.finditer(text)]
    named = {a for k in keys if k != "all" for a in k.split(",")}
    return sorted(set(checks) - named)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a number is stale")
    ap.add_argument("--readme", default=README)
    ap.add_argument("--expected", default=os.path.join(ROOT, "expected"))
    a = ap.parse_args(argv)
    checks = load_checks(a.expected)
    with open(a.readme) as f:
        text = f.read()
    new, changes = regenerate(text, checks)
    name = os.path.relpath(a.readme)
    for line, key, old, value in changes:
        print("%s:%d: count of %s is %s, README says %s" % (name, line, key, value, old))
    missing = areas_without_marker(text, checks)
    for area in missing:
        print("%s: no <!-- count: %s --> marker: say how many checks the area has" % (name, area))
    if a.check:
        if changes:
            print("run `make docs-counts` (or `make docs`) to rewrite them")
        return 1 if changes or missing else 0
    if changes:
        with open(a.readme, "w") as f:
            f.write(new)
    print("%s: %d number(s) rewritten, %d checks in %d areas" % (
        name, len(changes), sum(len(c) for c in checks.values()), len(checks)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
