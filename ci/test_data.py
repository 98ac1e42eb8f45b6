#!/usr/bin/python3
"""`make test-data`: re-record the observations the harness tests judge
(harness/tests/data/*.jsonl), each from the kernel it was recorded on.

Naming rule: harness/tests/data/<what>-<release>.jsonl, <release> being
the kernel it was recorded from: the tests judge a file with that release,
which selects its overrides. A file is only re-recorded from a kernel of the
same release as far as the name spells it (6.18 takes any 6.18.x; 6.1.0-57-amd64
only that build: apt moved on, rename the file and its users), and only from a run
whose checks all passed and that observed every check of its areas (a
kernel without CONFIG_IP_MROUTE skips scope: delivery-areas is recorded on
Debian's 6.12, which has it); anything else stops with the reason.

  ci/test_data.py [NAME...]     default: every file in RECORDINGS
"""

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmlane import check, common, fetch, suite  # noqa: E402

from harness import expected  # noqa: E402

DATA = os.path.join(common.ROOT, "harness", "tests", "data")
OUT = os.path.join(common.ROOT, "build", "test-data")

# file name -> (where it is recorded: "running" or a vm kernel spec, its areas)
RECORDINGS = {
    "membership-6.18.44.jsonl": ("running", ["membership"]),
    # scope needs CONFIG_IP_MROUTE, which the 6.18 of these machines lacks
    "delivery-areas-6.12.118+deb12-amd64.jsonl": ("debian:6.12", ["delivery", "sendopts", "scope", "scope6"]),
    "igmp-6.18.jsonl": ("running", ["igmp"]),
    "mld-6.18.jsonl": ("running", ["mld"]),
    "ipv6-traffic-areas-6.18.44.jsonl": ("running", ["delivery6", "sendopts6", "sourcefilter6"]),
    "sourcefilter-6.1.0-57-amd64.jsonl": ("debian:6.1", ["sourcefilter"]),
}


def name_release(name):
    """'delivery-areas-6.18.44.jsonl' -> '6.18.44'."""
    stem = name[:-len(".jsonl")]
    for i, part in enumerate(stem.split("-")):
        if part[:1].isdigit():
            return "-".join(stem.split("-")[i:])
    raise SystemExit("test-data: %s does not end in -<release>.jsonl" % name)


def record(name, where, areas):
    """Returns (release recorded from, observations file), or stops."""
    out = os.path.join(OUT, name[:-len(".jsonl")])
    if where == "running":
        release = os.uname().release
        rc, _ = suite.run_mcprobe(["--areas", ",".join(areas), "--out", out], quiet=True)
        obs = os.path.join(out, "observations.jsonl")
    else:
        k = fetch.spec_kernel(where)
        rc, info = check.check(k, os.path.join(common.VMDIR, "initramfs-base.cpio.gz"), out, areas=areas,
                               quiet=True)
        release, obs = info["release"], os.path.join(out, "observations.guest.jsonl")
    if rc != common.KSFT_PASS:
        raise SystemExit("test-data: %s: the run on %s exited %d (see %s/summary.md); not recorded"
                         % (name, release, rc, common.rel(out)))
    return release, obs


def unobserved(obs, areas):
    """Expected ids of `areas` the file does not observe (skipped, broken or
    missing): a recording stands for the whole area, so it must have them all."""
    exp = expected.load(os.path.join(common.ROOT, "expected"), "0.0")
    want = {cid for a in areas for cid in exp.areas.get(a, [])}
    seen = set()
    with open(obs) as f:
        for line in f:
            rec = json.loads(line) if line.strip() else {}
            if "facts" in rec and "id" in rec:
                seen.add(rec["id"])
    return sorted(want - seen)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", metavar="NAME", help="of: " + ", ".join(sorted(RECORDINGS)))
    names = ap.parse_args(argv).names or sorted(RECORDINGS)
    unknown = [n for n in names if n not in RECORDINGS]
    if unknown:
        ap.error("no recording named %s (RECORDINGS in ci/test_data.py has %s)" % (
            ", ".join(unknown), ", ".join(sorted(RECORDINGS))))
    for name in names:
        where, areas = RECORDINGS[name]
        named = name_release(name)
        release, obs = record(name, where, areas)
        if not (release == named or release.startswith(named + ".") or release.startswith(named + "-")):
            raise SystemExit("test-data: %s is named for %s but %s runs %s: record it on that kernel, or rename "
                             "the file (and the tests that judge it) for %s" % (name, named, where, release, release))
        missing = unobserved(obs, areas)
        if missing:
            raise SystemExit("test-data: %s: %s (%s) does not observe %d checks, e.g. %s; not recorded"
                             % (name, where, release, len(missing), ", ".join(missing[:3])))
        shutil.copy(obs, os.path.join(DATA, name))
        with open(obs) as f:
            n = sum(1 for line in f if line.strip())
        print("test-data: harness/tests/data/%s: %d observations from %s (%s)" % (name, n, release, where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
