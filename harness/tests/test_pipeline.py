"""The whole pipeline through its command line: recorded observations are
judged, a changed expectation or a wrong observation fails naming exactly
that check, and an unprivileged run skips everything (exit 4), never passes."""

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml
from tap.parser import Parser

from area_proofs import write_mutated
from conftest import PYTHON, RECORDED, ROOT, run_harness
from harness import expected
from harness.judge import FAIL, PASS, Run, judge

RELEASE = "6.18.44-fc-v669"


def failing(stdout):
    return re.findall(r"^not ok \d+ (\S+)", stdout, re.M)


def test_recorded_observations_pass_against_the_baseline(tmp_path):
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", "membership",
                    "--out", str(tmp_path))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert failing(p.stdout) == []
    assert len(re.findall(r"^ok \d+ ", p.stdout, re.M)) >= 60


def test_editing_one_expected_value_fails_naming_that_check(tmp_path, expected_copy):
    path = expected_copy / "common" / "membership.yaml"
    text = path.read_text()
    target = "ipv4.membership.limit.default.ip_add_membership"
    doc = yaml.safe_load(text)
    assert doc["checks"][target]["facts"]["accepted"] == 20
    new = re.sub(r"(  %s:\n    facts: \{accepted: )20" % re.escape(target), r"\g<1>19", text)
    assert new != text
    path.write_text(new)
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", "membership",
                    "--expected", str(expected_copy), "--out", str(tmp_path))
    assert p.returncode == 1
    assert failing(p.stdout) == [target]
    assert "accepted: expected 19, observed 20" in p.stdout
    junit = ET.parse(tmp_path / "results.junit.xml")
    failed = [c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None]
    assert failed == [target]


def test_one_wrong_observation_fails_naming_that_check(tmp_path):
    target = "ipv4.membership.socket.tcp"
    obs = write_mutated(tmp_path, RECORDED, target, "ip_add_membership_errno", "EINVAL", "EPROTO")
    p = run_harness("--observations", str(obs), "--kernel-release", RELEASE, "--areas", "membership",
                    "--out", str(tmp_path / "out"))
    assert p.returncode == 1
    assert failing(p.stdout) == [target]
    assert 'ip_add_membership_errno: expected "EPROTO", observed "EINVAL"' in p.stdout


def test_a_dropped_observation_fails_and_an_unknown_one_fails(tmp_path):
    recs = [json.loads(x) for x in open(RECORDED)]
    dropped = recs.pop(5)["id"]
    recs.append({"id": "ipv4.membership.made.up", "facts": {"ret": 0}, "probe": "membership"})
    obs = tmp_path / "obs.jsonl"
    obs.write_text("".join(json.dumps(r) + "\n" for r in recs))
    p = run_harness("--observations", str(obs), "--kernel-release", RELEASE, "--areas", "membership",
                    "--out", str(tmp_path / "out"))
    assert p.returncode == 1
    # the unknown id is a failing subtest of the harness's own check
    assert sorted(failing(p.stdout)) == sorted([dropped, "harness.observations.all_expected"])
    assert re.search(r"^  not ok \d+ ipv4\.membership\.made\.up$", p.stdout, re.M), p.stdout[-2000:]


def test_every_check_of_every_area_can_fail(all_observations):
    """For each check observed on this kernel: changing its expectation, or
    its observation, fails that check and only that one."""
    from harness import decoders
    release = os.uname().release
    exp = expected.load(os.path.join(ROOT, "expected"), release)
    run = Run()
    run.add_lines(open(all_observations).read())
    base = {v.id: v for v in judge(exp, run, decode=decoders.decode)}
    areas = {}
    for cid, v in base.items():
        if v.status != PASS:
            continue
        areas.setdefault(v.area, 0)
        areas[v.area] += 1
        fact = sorted(exp.checks[cid]["facts"])[0]
        saved = exp.checks[cid]["facts"][fact]
        exp.checks[cid]["facts"][fact] = {"mutated": saved}
        after = [x for x in judge(exp, run, decode=decoders.decode) if x.status == FAIL]
        exp.checks[cid]["facts"][fact] = saved
        assert [x.id for x in after] == [cid], "changed expectation of %s.%s" % (cid, fact)
        assert fact in after[0].message
    assert areas, "no check passed on this kernel: nothing was proven"
    print("mutation-proven checks per area:", areas)


def _world_can_read(path):
    while path != "/":
        if not os.stat(path).st_mode & 0o005:
            return False
        path = os.path.dirname(path)
    return True


@pytest.mark.parametrize("who", ["root_without_capabilities", "nobody"])
def test_unprivileged_run_skips_everything_with_reason_and_exit_4(who):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop privileges")
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) not installed")
    if who == "nobody" and not _world_can_read(ROOT):
        pytest.skip("the checkout is not readable by other users; the capability-less variant covers this")
    import tempfile
    out = tempfile.mkdtemp(prefix="mcprobe-unprivileged-")  # pytest's tmp_path is root-only
    os.chmod(out, 0o777)
    try:
        p = _run_unprivileged(out, who)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert p.returncode == 4, p.stdout[-2000:] + p.stderr
    results = [ln for ln in Parser().parse_text(p.stdout) if ln.category == "test"]
    assert results and all(r.skip for r in results)
    assert "cannot create a network namespace" in p.stdout


def _run_unprivileged(out, who):
    if who == "nobody":
        drop = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
    else:
        # uid 0 with an empty bounding set: execve grants no capabilities
        drop = ["--inh-caps=-all", "--bounding-set=-all"]
    return subprocess.run(["setpriv", *drop, PYTHON, os.path.join(ROOT, "mcprobe"), "--out", out],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "HOME": out, "PYTHONDONTWRITEBYTECODE": "1"})


def test_make_check_ktap_parses_and_junit_has_one_testcase_per_check(tmp_path):
    """The real run: KTAP on stdout parses with python3-tap (the parser LKFT
    uses), with a plan matching the results; JUnit names every check once."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    p = run_harness("--out", str(tmp_path))
    lines = list(Parser().parse_text(p.stdout))
    assert not [ln for ln in lines if ln.category == "unknown"], p.stdout[:2000]
    results = [ln for ln in lines if ln.category == "test"]
    plan = [ln for ln in lines if ln.category == "plan"]
    assert plan and plan[0].expected_tests == len(results)
    names = [c.get("name") for c in ET.parse(tmp_path / "results.junit.xml").iter("testcase")]
    assert len(names) == len(set(names)) == len(results)
    assert sum(1 for n in names if n.startswith("ipv4.membership.")) >= 60


def test_missing_dependency_stops_with_the_apt_get_line():
    p = subprocess.run(["make", "-s", "need-deps", "DEPS=mcprobe-no-such-package"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    # one pasteable line, the same that `make deps` runs
    assert "apt-get update && apt-get install -y --no-install-recommends mcprobe-no-such-package" in p.stderr
