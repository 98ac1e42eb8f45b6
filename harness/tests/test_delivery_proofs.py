"""Proofs for the delivery areas (delivery, sendopts, scope; issue 3).

- Every check of the three areas can fail: changing any one expected fact
  fails exactly that check, naming the fact (judged in-process over a run
  recorded on 6.18.44).
- The recorded run passes through the command line, and a wrong delivery
  count in it fails naming the check.
- The probes never synchronise with sleep(); negative waits are decided by a
  witness or a sentinel (probes/lib/dlv.h).
- The IPC benchmark writes its table (short window, needs root).
"""

import copy
import json
import os
import re
import subprocess

import pytest

from conftest import DATA, ROOT, run_harness
from harness import expected
from harness.judge import FAIL, PASS, Run, judge

AREAS = ("delivery", "sendopts", "scope", "scope6")
RECORDED = os.path.join(DATA, "delivery-areas-6.12.118+deb12-amd64.jsonl")
RELEASE = "6.12.118+deb12-amd64"  # Debian 12, under qemu: it has CONFIG_IP_MROUTE for scope


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
    assert len(verdicts) == len(exp.checks) >= 150


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


def test_wrong_delivery_count_fails_naming_the_check(tmp_path):
    target = "ipv4.delivery.mcast_all.effect.unjoined_any_all0"
    lines = []
    for line in open(RECORDED):
        rec = json.loads(line)
        if rec.get("id") == target:
            assert rec["facts"]["received"] == 0
            rec["facts"]["received"] = 1
        lines.append(json.dumps(rec))
    obs = tmp_path / "obs.jsonl"
    obs.write_text("\n".join(lines) + "\n")
    p = run_harness("--observations", str(obs), "--kernel-release", RELEASE, "--areas", ",".join(AREAS),
                    "--out", str(tmp_path / "out"))
    assert p.returncode == 1, p.stdout[-2000:]
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [target]
    assert "received: expected 0, observed 1" in p.stdout


def test_recorded_run_passes_through_the_command_line(tmp_path):
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", ",".join(AREAS),
                    "--out", str(tmp_path))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr


def test_probes_never_sleep_to_synchronise():
    srcs = [os.path.join(ROOT, "probes", a + ".c") for a in AREAS]
    srcs += [os.path.join(ROOT, "probes", "lib", n) for n in ("dlv.c", "dlv.h")]
    for path in srcs:
        text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
        assert not re.search(r"\b(u|nano)?sleep\s*\(", text), path


def test_ipc_benchmark_writes_its_table(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (private network namespace)")
    binary = os.path.join(ROOT, "build", "bench", "ipc")
    if not os.access(binary, os.X_OK):
        pytest.skip("build/bench/ipc not built (make bench-ipc)")
    out = tmp_path / "ipc.md"
    p = subprocess.run([binary, "--window-ms", "10", "--out", str(out)], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    rows = [line for line in out.read_text().splitlines() if re.match(r"\| (baseline|multicast|select|direct)", line)]
    assert len(rows) == 24  # 4 designs x N in {1, 4, 16} x payload in {64, 1400}
    assert out.read_text() == p.stdout
