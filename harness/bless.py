"""make bless: propose a baseline from the running kernel for a reviewer.

Runs the probes (or reads --observations), then writes into build/proposed/:
  common/<area>.yaml             every check as observed; an existing reason is
                                 kept where the facts did not change, otherwise
                                 `why: "TODO: ..."` asks the reviewer for one
  overrides/linux-<ver>.yaml     only the checks whose observation differs from
                                 the common expectation, as an override proposal
                                 for this kernel's version range
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
            override[cid] = {"facts": facts, "why": "TODO: what changed in this kernel, and where"}
    return common, override


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
    major, minor, _ = expected.parse_release(args.kernel_release)
    if override:
        os.makedirs(os.path.join(args.out, "overrides"), exist_ok=True)
        name = "linux-%d.%d.yaml" % (major, minor)
        with open(os.path.join(args.out, "overrides", name), "w") as f:
            f.write("# PROPOSED: checks whose observation on %s differs from expected/common\n" % args.kernel_release)
            f.write(_dump({"kernels": {"min": "%d.%d" % (major, minor), "below": "%d.%d" % (major, minor + 1)},
                           "why": "TODO: which kernel this is and why it differs", "checks": override}))
    todo = sum(1 for a in common.values() for e in a.values() if e["why"].startswith("TODO"))
    print("proposed baseline in %s: %d checks, %d need a reason, %d differ from expected/common" % (
        os.path.relpath(args.out), sum(len(a) for a in common.values()), todo, len(override)))
    print("review with:  diff -ru expected/common %s/common" % os.path.relpath(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
