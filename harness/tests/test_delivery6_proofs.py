"""Proofs for the IPv6 traffic areas (delivery6, sendopts6, sourcefilter6; issue 13).

- Every check of the three areas can fail: changing any one expected fact fails
  exactly that check, naming the fact (judged in-process over a run recorded
  on 6.18.44).
- The recorded run passes through the command line, and a wrong delivery
  count or hop limit in it fails naming the check.
- Each check id is written literally exactly once in the probe that emits it
  (grep finds it), and every probe function is at most 100 lines.
- The probes never synchronise with sleep(); negative waits are decided by a
  witness or a sentinel (probes/lib/dlv.h, dlv6.h).
"""

import copy
import json
import os
import re

from conftest import DATA, ROOT, run_harness
from harness import expected
from harness.judge import FAIL, PASS, Run, judge

AREAS = ("delivery6", "sendopts6", "sourcefilter6")
RECORDED = os.path.join(DATA, "ipv6-traffic-areas-6.18.44.jsonl")
RELEASE = "6.18.44-fc-v1252"
SOURCES = [os.path.join(ROOT, "probes", a + ".c") for a in AREAS]
LIBS = [os.path.join(ROOT, "probes", "lib", n) for n in ("dlv6.c", "dlv6.h")]


def load_run():
    run = Run()
    with open(RECORDED) as f:
        run.add_lines(f.read(), origin=RECORDED)
    return run


def area_expectations():
    exp = expected.load(os.path.join(ROOT, "expected"), RELEASE)
    exp.checks = {k: v for k, v in exp.checks.items() if v["area"] in AREAS}
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


def test_recorded_run_passes_in_process():
    exp = area_expectations()
    verdicts = judge(exp, load_run())
    bad = [(v.id, v.message) for v in verdicts if v.status != PASS]
    assert not bad, bad[:5]
    assert len(verdicts) == len(exp.checks) >= 200


def test_every_fact_of_every_check_can_fail():
    exp = area_expectations()
    run = load_run()
    tried = 0
    for cid, entry in sorted(exp.checks.items()):
        for fact, value in entry["facts"].items():
            mutated = copy.deepcopy(exp)
            mutated.checks[cid]["facts"][fact] = changed(value)
            failed = [v for v in judge(mutated, run) if v.status == FAIL]
            assert [v.id for v in failed] == [cid], (cid, fact)
            assert failed[0].message.startswith(fact + ": expected"), failed[0].message
            tried += 1
    assert tried > 500


def _mutate_recorded(tmp_path, target, fact, old, new):
    lines = []
    for line in open(RECORDED):
        rec = json.loads(line)
        if rec.get("id") == target:
            assert rec["facts"][fact] == old
            rec["facts"][fact] = new
        lines.append(json.dumps(rec))
    obs = tmp_path / "obs.jsonl"
    obs.write_text("\n".join(lines) + "\n")
    return run_harness("--observations", str(obs), "--kernel-release", RELEASE, "--areas", ",".join(AREAS),
                       "--out", str(tmp_path / "out"))


def test_wrong_delivery_count_fails_naming_the_check(tmp_path):
    target = "ipv6.delivery.receivers.unjoined_any_mc_all_0"
    p = _mutate_recorded(tmp_path, target, "received", 0, 1)
    assert p.returncode == 1, p.stdout[-2000:]
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [target]
    assert "received: expected 0, observed 1" in p.stdout


def test_wrong_source_count_fails_naming_the_check(tmp_path):
    target = "ipv6.sourcefilter.delivery.exclude_a"
    p = _mutate_recorded(tmp_path, target, "from_a", 0, 1)
    assert p.returncode == 1, p.stdout[-2000:]
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [target]
    assert "from_a: expected 0, observed 1" in p.stdout


def test_wrong_hop_limit_fails_naming_the_check(tmp_path):
    target = "ipv6.sendopts.hops.set.int_minus1_default"
    p = _mutate_recorded(tmp_path, target, "peer_hoplimit", 1, 64)
    assert p.returncode == 1, p.stdout[-2000:]
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [target]
    assert "peer_hoplimit: expected 1, observed 64" in p.stdout


def test_recorded_run_passes_through_the_command_line(tmp_path):
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", ",".join(AREAS),
                    "--out", str(tmp_path))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr


def test_each_check_id_is_literal_once_in_its_probe():
    exp = area_expectations()
    for area, path in zip(AREAS, SOURCES):
        text = open(path).read()
        literals = re.findall(r'"(ipv6\.[a-z0-9_.]+)"', text)
        ids = sorted(c for c, e in exp.checks.items() if e["area"] == area)
        assert sorted(literals) == ids, (path, set(literals) ^ set(ids))
        assert "%s" not in "".join(literals)


def test_probe_functions_are_at_most_100_lines():
    for path in SOURCES + [LIBS[0]]:
        lines = open(path).read().splitlines()
        start = None
        for n, line in enumerate(lines):
            if start is None and line == "{" and n and "(" in lines[n - 1]:
                start = n
            elif start is not None and line == "}":
                assert n - start - 1 <= 100, "%s:%d: %d lines" % (path, start, n - start - 1)
                start = None


def test_probes_never_sleep_to_synchronise():
    for path in SOURCES + LIBS:
        text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
        assert not re.search(r"\b(u|nano)?sleep\s*\(", text), path
