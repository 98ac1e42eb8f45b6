"""What the per-area proof files (test_delivery_proofs, test_delivery6_proofs,
test_pipeline) prove the same way, written once: a recorded run judged
in-process and through the command line, every fact of every check able to
fail, a recorded run with one fact changed failing naming that check, and
probe sources that never sleep()."""

import copy
import json
import os
import re

from conftest import ROOT, run_harness
from harness import expected
from harness.judge import FAIL, PASS, Run, judge


def load_run(recorded):
    run = Run()
    with open(recorded) as f:
        run.add_lines(f.read(), origin=recorded)
    return run


def area_expectations(release, areas):
    exp = expected.load(os.path.join(ROOT, "expected"), release)
    exp.checks = {k: v for k, v in exp.checks.items() if v["area"] in areas}
    return exp


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "-changed"
    if value is None:
        return 0
    if isinstance(value, list):
        return value + [0]
    raise AssertionError("unexpected fact type %r" % (value,))


def assert_recorded_run_passes(recorded, release, areas, at_least):
    exp = area_expectations(release, areas)
    verdicts = judge(exp, load_run(recorded))
    bad = [(v.id, v.message) for v in verdicts if v.status != PASS]
    assert not bad, bad[:5]
    assert len(verdicts) == len(exp.checks) >= at_least


def assert_every_fact_can_fail(recorded, release, areas, at_least=500):
    exp = area_expectations(release, areas)
    run = load_run(recorded)
    tried = 0
    for cid, entry in sorted(exp.checks.items()):
        for fact, value in entry["facts"].items():
            mutated = copy.deepcopy(exp)
            mutated.checks[cid]["facts"][fact] = changed(value)
            failed = [v for v in judge(mutated, run) if v.status == FAIL]
            assert [v.id for v in failed] == [cid], (cid, fact)
            assert failed[0].message.startswith(fact + ": expected"), failed[0].message
            tried += 1
    assert tried > at_least


def write_mutated(tmp_path, recorded, target, fact, new, old=None):
    """recorded with target's fact set to new (it must have been old, unless
    old is None) as tmp_path/obs.jsonl"""
    lines = []
    for line in open(recorded):
        rec = json.loads(line)
        if rec.get("id") == target:
            assert old is None or rec["facts"][fact] == old
            rec["facts"][fact] = new
        lines.append(json.dumps(rec))
    obs = tmp_path / "obs.jsonl"
    obs.write_text("\n".join(lines) + "\n")
    return obs


def assert_mutated_fails_naming(tmp_path, recorded, release, areas, target, fact, old, new):
    obs = write_mutated(tmp_path, recorded, target, fact, new, old)
    p = run_harness("--observations", str(obs), "--kernel-release", release, "--areas", ",".join(areas),
                    "--out", str(tmp_path / "out"))
    assert p.returncode == 1, p.stdout[-2000:]
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [target]
    assert "%s: expected %s, observed %s" % (fact, old, new) in p.stdout


def assert_recorded_run_passes_through_the_command_line(tmp_path, recorded, release, areas):
    p = run_harness("--observations", recorded, "--kernel-release", release, "--areas", ",".join(areas),
                    "--out", str(tmp_path))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr


def assert_never_sleeps(paths):
    for path in paths:
        text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
        assert not re.search(r"\b(u|nano)?sleep\s*\(", text), path


def common_tests(recorded, release, areas, at_least):
    """the three proofs every area proof file makes, as test functions for it
    to bind: in-process pass, every fact can fail, command-line pass"""
    def passes_in_process():
        assert_recorded_run_passes(recorded, release, areas, at_least)

    def every_fact_can_fail():
        assert_every_fact_can_fail(recorded, release, areas)

    def passes_through_the_command_line(tmp_path):
        assert_recorded_run_passes_through_the_command_line(tmp_path, recorded, release, areas)

    return passes_in_process, every_fact_can_fail, passes_through_the_command_line
