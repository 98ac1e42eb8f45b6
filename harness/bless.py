"""make bless: propose a baseline from the running kernel for a reviewer.

Runs the probes (or reads --observations), then writes into build/proposed/:
  common/<area>.yaml             every check as observed; an existing reason is
                                 kept where the facts did not change, otherwise
                                 `why: "TODO: ..."` asks the reviewer for one
  overrides/<area>-<ver>.yaml    per area, only the checks whose observation
                                 differs from the expectation for this kernel, as
                                 an override for its minor release, named by the
                                 rule load() enforces (harness/expected.py)
and prints the diff commands. It never writes into expected/: a baseline
changes only by a reviewed commit.
"""

import argparse
import json
import os
import platform
import sys

import yaml

from . import decoders, expected, observe
from .judge import compare_facts, split_decoded

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _dump(doc):
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=120, allow_unicode=True)


def propose(exp, run, release):
    common, override = {}, {}
    for cid in sorted(run.facts):
        area = run.area_of.get(cid) or "unknown"
        facts, _ = split_decoded(decoders.decode(area, cid, run.facts[cid]))
        e = exp.checks.get(cid)
        same = e is not None and not compare_facts(e["facts"], facts)
        entry = {"facts": facts,
                 "why": e["why"] if same else "TODO: reason (kernel function or commit title)"}
        if e and e["tags"]:
            entry["tags"] = e["tags"]
        common.setdefault(area, {})[cid] = entry
        if e is not None and not same:
            override.setdefault(area, {})[cid] = {"facts": facts, "why": "TODO: what changed in this kernel, and where"}
    return common, override


def override_path(out, area, release):
    """Where the override proposal of `area` for `release` goes: the file
    name expected.load() requires for that area over its minor release."""
    major, minor, _ = expected.parse_release(release)
    lo, hi = (major, minor, 0), (major, minor + 1, 0)
    return os.path.join(out, "overrides", expected.override_name(area, lo, hi)), lo, hi


def write_override(out, area, checks, release):
    path, lo, hi = override_path(out, area, release)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    existing = os.path.join(ROOT, "expected", "overrides", os.path.basename(path))
    with open(path, "w") as f:
        f.write("# PROPOSED: %s checks whose observation on %s differs from its expectation%s\n" % (
            area, release, "; merge into " + os.path.relpath(existing, ROOT) if os.path.exists(existing) else ""))
        f.write(_dump({"kernels": {"min": "%d.%d" % lo[:2], "below": "%d.%d" % hi[:2]},
                       "why": "TODO: which kernel this is and why it differs", "checks": checks}))
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m harness.bless", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--observations")
    ap.add_argument("--kernel-release", default=platform.release())
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "proposed"))
    ap.add_argument("--areas")
    args = ap.parse_args(argv)
    exp = expected.load(os.path.join(ROOT, "expected"), args.kernel_release)
    areas = [a for a in (args.areas or "").split(",") if a] or None
    if args.observations:
        run, _ = observe.read_observations(args.observations)
    else:
        run, _, _ = observe.run_probes(os.path.join(ROOT, "probes", "bin"), areas)
    if run.probe_skips:
        sys.stderr.write("bless: probes skipped here, nothing to propose for them: %s\n" % json.dumps(run.probe_skips))
    common, override = propose(exp, run, args.kernel_release)
    os.makedirs(os.path.join(args.out, "common"), exist_ok=True)
    for area, checks in common.items():
        with open(os.path.join(args.out, "common", area + ".yaml"), "w") as f:
            f.write("# PROPOSED from %s - review every TODO before copying into expected/\n" % args.kernel_release)
            f.write(_dump({"area": area, "checks": checks}))
    for area, checks in sorted(override.items()):
        write_override(args.out, area, checks, args.kernel_release)
    todo = sum(1 for a in common.values() for e in a.values() if e["why"].startswith("TODO"))
    print("proposed baseline in %s: %d checks, %d need a reason, %d differ from expected/ for %s" % (
        os.path.relpath(args.out), sum(len(a) for a in common.values()), todo,
        sum(len(c) for c in override.values()), args.kernel_release))
    print("review with:  diff -ru expected/common %s/common" % os.path.relpath(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
