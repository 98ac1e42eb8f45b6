"""IGMP on the wire, live: a fresh capture of the join scenario on this
kernel passes, and the same capture with one field of one frame altered
fails naming the check and showing the decoded packet. Needs root (the probe
makes namespaces); skips otherwise."""

import os
import subprocess

import pytest

from conftest import ROOT
from harness import decoders, expected
from harness.judge import FAIL, PASS, Run, judge
from test_igmp_frames import IP_OFF, fix_ip_csum

PROBE = os.path.join(ROOT, "probes", "bin", "igmp")
JOIN = "ipv4.igmp.join.v3."


@pytest.fixture(scope="module")
def join_run():
    if os.geteuid() != 0:
        pytest.skip("needs root to run probes/bin/igmp")
    if not os.access(PROBE, os.X_OK):
        pytest.skip("no probes/bin/igmp (make probes)")
    p = subprocess.run([PROBE, "--only", "join"], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr
    return p.stdout


def judged(text, mutate=None):
    run = Run()
    run.add_lines(text, probe="igmp")
    if mutate:
        mutate(run)
    exp = expected.load(os.path.join(ROOT, "expected"), os.uname().release)
    # only what the join scenario observes
    exp.checks = {k: v for k, v in exp.checks.items() if k in run.facts}
    return {v.id: v for v in judge(exp, run, decode=decoders.decode)}


def test_live_join_passes(join_run):
    v = judged(join_run)
    assert len(v) >= 15
    assert {k: x.message for k, x in v.items() if x.status != PASS} == {}


def test_live_join_with_ttl_altered_fails_naming_the_check(join_run):
    def ttl_64(run):
        f = run.facts[JOIN + "ttl"]["frames"][0]
        b = bytearray.fromhex(f["hex"])
        b[IP_OFF + 8] = 64
        fix_ip_csum(b)
        f["hex"] = b.hex()

    v = judged(join_run, ttl_64)
    assert sorted(k for k, x in v.items() if x.status == FAIL) == [JOIN + "ttl"]
    msg = v[JOIN + "ttl"].message
    assert msg.startswith("ttl: expected 1, observed [64, 1]")
    assert "decoded: frame 1 at +" in msg and "ttl=64" in msg and "records=[TO_EX 224.0.1.1 {}]" in msg
