"""Reports never lose a failure, and exit like a kselftest (issue 11).

Every report a run writes (KTAP on stdout and in results.ktap, JUnit, JSON,
summary.md) says the same thing about every result, the KTAP plan is printed
before anything is judged and equals the number of results, a run that dies
or cannot start leaves reports that say so (never the previous run's), and
`make check` itself exits 0 pass / 1 fail / 4 all skipped."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest
from tap.parser import Parser

import ktap
from conftest import PYTHON, RECORDED, ROOT, run_harness

RELEASE = "6.18.44-fc-v669"
REPORTS = ("results.ktap", "results.junit.xml", "results.json", "summary.md")
ENTRY = os.path.join(ROOT, "mcprobe")


def judge_file(path, out, *extra, cwd=ROOT):
    return run_harness("--observations", str(path), "--kernel-release", RELEASE, "--areas", "membership",
                       "--out", str(out), *extra, cwd=cwd)


def junit_cases(out):
    root = ET.parse(os.path.join(str(out), "results.junit.xml")).getroot()
    return {"%s/%s" % (c.get("classname"), c.get("name")): c for c in root.iter("testcase")}, root


def with_lines(tmp_path, edit):
    lines = open(RECORDED).read().splitlines()
    edit(lines)
    obs = tmp_path / "obs.jsonl"
    obs.write_text("\n".join(lines) + "\n")
    return obs


# --- 1. malformed observation lines ---------------------------------------

BAD = ['{"id": "ipv4.membership.x", "facts": {', "not json at all", "[1, 2, 3]", '{"neither": "id nor probe"}']


def test_every_malformed_line_is_its_own_failing_result_in_every_report(tmp_path):
    def edit(lines):
        for i, bad in enumerate(BAD):
            lines.insert(4 + 7 * i, bad)
    obs = with_lines(tmp_path, edit)
    bad_at = [n for n, line in enumerate(obs.read_text().splitlines(), 1) if line in BAD]
    assert len(bad_at) == 4
    out = tmp_path / "out"
    p = judge_file(obs, out)
    assert p.returncode == 1, p.stdout[-2000:] + p.stderr

    doc = ktap.parse(p.stdout)  # strict: the plan equals the results at every level
    assert doc.complete and doc.plan == len(doc.results)
    parent = doc.by_name("harness.observations.well_formed")
    assert not parent.ok
    assert [r.ok for r in parent.children.results] == [False] * 4
    kids = parent.children.results
    for n, bad, r in zip(bad_at, BAD, kids):
        text = "\n".join(r.diagnostics)
        assert "obs.jsonl:%d" % n in text and bad[:20] in text, text
    failed_top = [r.name for r in doc.results if not r.ok]
    assert failed_top == ["harness.observations.well_formed"], failed_top
    totals = [t for t in doc.trailing if t.startswith("Totals:")]
    assert totals == ["Totals: pass:%d fail:1 xfail:0 xpass:0 skip:%d error:0" % (
        sum(r.ok and not r.skip for r in doc.results), sum(r.skip for r in doc.results))]
    # python3-tap (LKFT's parser) sees the same top level: plan == results, the parent failed
    tap = [ln for ln in Parser().parse_text(p.stdout) if ln.category == "test"]
    assert len(tap) == doc.plan and [t.description.strip() for t in tap if not t.ok] == failed_top

    assert (out / "results.ktap").read_text() == p.stdout  # the file is what was printed
    cases, root = junit_cases(out)
    bad_cases = [c for k, c in cases.items() if k.startswith("mcprobe.harness.observations.well_formed/")]
    assert len(bad_cases) == 4 and all(c.find("failure") is not None for c in bad_cases)
    for n, c in zip(bad_at, bad_cases):
        assert "obs.jsonl:%d" % n in c.find("failure").text
    suite = root.find("testsuite")
    failures = sum(1 for c in cases.values() if c.find("failure") is not None)
    assert int(suite.get("failures")) == failures == 5  # the parent and its four lines
    assert int(suite.get("tests")) == len(cases)

    res = json.loads((out / "results.json").read_text())
    wf = [r for r in res["results"] if r["id"] == "harness.observations.well_formed"][0]
    assert wf["status"] == "fail" and len(wf["children"]) == 4
    assert [c["status"] for c in wf["children"]] == ["fail"] * 4
    assert res["totals"]["fail"] == 1 and res["totals"]["failed_results"] == 5
    md = (out / "summary.md").read_text()
    for n in bad_at:
        assert "obs.jsonl:%d" % n in md


def test_one_malformed_line_still_one_result(tmp_path):
    obs = with_lines(tmp_path, lambda lines: lines.insert(2, "oops"))
    p = judge_file(obs, tmp_path / "out")
    doc = ktap.parse(p.stdout)
    assert p.returncode == 1
    assert [r.name for r in doc.results if not r.ok] == ["harness.observations.well_formed"]
    assert len(doc.by_name("harness.observations.well_formed").children.results) == 1


def test_unexpected_observations_each_fail_by_name_under_a_planned_result(tmp_path):
    def edit(lines):
        lines.append(json.dumps({"id": "ipv4.membership.made.up", "probe": "membership", "facts": {"ret": 0}}))
        lines.append(json.dumps({"id": "ipv4.membership.made.up2", "probe": "membership", "skip": "no reason"}))
    p = judge_file(with_lines(tmp_path, edit), tmp_path / "out")
    assert p.returncode == 1
    doc = ktap.parse(p.stdout)
    parent = doc.by_name("harness.observations.all_expected")
    assert not parent.ok
    assert parent.children.names() == ["ipv4.membership.made.up", "ipv4.membership.made.up2"]
    assert not any(r.ok for r in parent.children.results)
    cases, _ = junit_cases(tmp_path / "out")
    assert "mcprobe.harness.observations.all_expected/ipv4.membership.made.up" in cases


# --- 2. make check exits as the README says ---------------------------------

def make_check(*args, env=None):
    """`make check` as the README has it, typed in a shell: no -s, so make would
    echo what it builds, and none of the variables of the make that runs these
    tests (`make test`), which would make it a sub-make printing "Entering
    directory" on stdout."""
    env = dict(os.environ if env is None else env)
    for v in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(v, None)
    return subprocess.run(["make", "check", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, env=env)


def test_make_check_exits_0_on_pass_1_on_failure_4_when_all_skipped(tmp_path, expected_copy):
    common = ["AREAS=membership", "OBSERVATIONS=%s" % RECORDED, "KERNEL_RELEASE=%s" % RELEASE]
    p = make_check(*common, "OUT=%s" % (tmp_path / "a"))
    assert p.returncode == 0, p.stdout[-1500:] + p.stderr
    path = expected_copy / "common" / "membership.yaml"
    path.write_text(path.read_text().replace("facts: {accepted: 20,", "facts: {accepted: 19,", 1))
    p = make_check(*common, "OUT=%s" % (tmp_path / "b"), "EXPECTED=%s" % expected_copy)
    assert p.returncode == 1, p.stdout[-1500:] + p.stderr
    skipped = tmp_path / "skipped.jsonl"
    skipped.write_text(json.dumps({"probe": "membership", "skip": "cannot create a network namespace"}) + "\n")
    p = make_check("AREAS=membership", "OBSERVATIONS=%s" % skipped, "KERNEL_RELEASE=%s" % RELEASE,
                   "OUT=%s" % (tmp_path / "c"))
    assert p.returncode == 4, p.stdout[-1500:] + p.stderr


def test_make_check_on_this_kernel_exits_like_the_harness(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    p = make_check("AREAS=membership", "OUT=%s" % tmp_path)
    assert p.returncode == 0, p.stdout[-1500:] + p.stderr
    assert p.stdout.startswith("TAP version 13\n")


# --- 3. no stale reports ------------------------------------------------------

def test_a_fatal_error_replaces_the_previous_reports_with_a_failure(tmp_path, expected_copy):
    out = tmp_path / "out"
    assert judge_file(RECORDED, out).returncode == 0
    before = {n: (out / n).read_text() for n in REPORTS}
    path = expected_copy / "common" / "membership.yaml"
    path.write_text(path.read_text() + "\n  bad: [unclosed\n")
    p = judge_file(RECORDED, out, "--expected", str(expected_copy))
    assert p.returncode == 1
    assert "Traceback" not in p.stdout + p.stderr
    for n in REPORTS:
        assert (out / n).read_text() != before[n], n
    assert "Bail out!" in (out / "results.ktap").read_text()
    assert "membership.yaml" in (out / "results.ktap").read_text()
    res = json.loads((out / "results.json").read_text())
    assert res["status"] == "fatal" and "membership.yaml" in res["fatal"]
    cases, root = junit_cases(out)
    assert int(root.find("testsuite").get("failures")) == 1 and len(cases) == 1
    assert "FAILED" in (out / "summary.md").read_text()
    assert not (out / "observations.jsonl").exists()


@pytest.mark.parametrize("error", ["missing_why", "unknown_area"])
def test_other_fatal_errors_also_leave_failed_reports(tmp_path, expected_copy, error):
    out = tmp_path / "out"
    assert judge_file(RECORDED, out).returncode == 0
    extra = ["--expected", str(expected_copy)]
    if error == "missing_why":
        path = expected_copy / "common" / "membership.yaml"
        path.write_text(re.sub(r"\n    why: [^\n]*", "", path.read_text(), count=1))
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE,
                    "--areas", "membership" if error != "unknown_area" else "nosuch", "--out", str(out), *extra)
    assert p.returncode == 1
    assert json.loads((out / "results.json").read_text())["status"] == "fatal"
    assert "Bail out!" in p.stdout


def test_a_killed_run_leaves_incomplete_reports_not_the_previous_ones(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to run the probes")
    out = tmp_path / "out"
    assert judge_file(RECORDED, out).returncode == 0
    paused = tmp_path / "paused"
    proc = subprocess.Popen([PYTHON, ENTRY, "--areas", "membership", "--out", str(out),
                             "--probe-arg=--pause-after=ipv4.membership.iface.any_without_route"],
                            cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, env=dict(os.environ, MCP_PAUSED_FILE=str(paused)))
    try:
        deadline = time.monotonic() + 30
        while not paused.exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling interval of a bounded wait
        assert paused.exists()
        os.killpg(proc.pid, signal.SIGKILL)
        stdout = proc.communicate(timeout=10)[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # 6. the header and plan came before the probes' results: a parser sees an incomplete run
    for text in (stdout, (out / "results.ktap").read_text()):
        doc = ktap.parse(text, allow_incomplete=True)
        assert doc.plan and doc.plan > 100 and not doc.complete
        tap = list(Parser().parse_text(text))
        plan = [x for x in tap if x.category == "plan"][0]
        assert plan.expected_tests > len([x for x in tap if x.category == "test"])
    res = json.loads((out / "results.json").read_text())
    assert res["status"] == "incomplete"
    cases, root = junit_cases(out)
    assert int(root.find("testsuite").get("failures")) >= 1
    assert "INCOMPLETE" in (out / "summary.md").read_text()


# --- 4. a check id twice in one file -----------------------------------------

def test_the_same_check_id_twice_in_one_file_is_refused_with_both_lines(tmp_path, expected_copy):
    path = expected_copy / "common" / "membership.yaml"
    text = path.read_text()
    m = re.search(r"^  (ipv4\.membership\.limit\.default\.ip_add_membership):\n(    .*\n)+", text, re.M)
    first = text[:m.start()].count("\n") + 1
    path.write_text(text + m.group(0))
    second = text.count("\n") + 1
    p = judge_file(RECORDED, tmp_path / "out", "--expected", str(expected_copy))
    assert p.returncode == 1
    msg = p.stdout + p.stderr
    assert "ipv4.membership.limit.default.ip_add_membership" in msg
    assert "membership.yaml:%d" % first in msg and "membership.yaml:%d" % second in msg, msg[-1500:]


# --- 5. unwritable reports, missing or empty observations ----------------------

def test_nobody_in_a_root_owned_checkout_exits_4_with_the_reason_and_no_traceback():
    if os.geteuid() != 0:
        pytest.skip("needs root to drop privileges")
    here = ROOT
    while here != "/":
        if not os.stat(here).st_mode & 0o005:
            pytest.skip("the checkout is not readable by other users")
        here = os.path.dirname(here)
    home = tempfile.mkdtemp(prefix="mcprobe-nobody-")
    os.chmod(home, 0o777)
    try:
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                            PYTHON, ENTRY, "--areas", "membership"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                           env={"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home,
                                "PYTHONDONTWRITEBYTECODE": "1"})
        assert p.returncode == 4, p.stdout[-1500:] + p.stderr
        assert "Traceback" not in p.stdout + p.stderr
        assert "cannot create a network namespace" in p.stdout
        m = re.search(r"not writable.*reports in (\S+?)/? ", p.stdout + p.stderr)
        assert m, p.stdout[-800:] + p.stderr
        assert os.path.exists(os.path.join(m.group(1), "results.junit.xml"))
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize("what", ["missing", "empty", "directory"])
def test_a_bad_observations_file_is_one_clear_line_and_exit_1(tmp_path, what):
    path = tmp_path / "obs.jsonl"
    if what == "empty":
        path.write_text("")
    elif what == "directory":
        path.mkdir()
    p = judge_file(path, tmp_path / "out")
    assert p.returncode == 1
    text = p.stdout + p.stderr
    assert "Traceback" not in text and "INTERNALERROR" not in text
    said = [x for x in text.splitlines() if str(path) in x and ("Bail out!" in x or x.startswith("mcprobe:"))]
    assert said, text[-1500:]
    assert {"missing": "No such file", "empty": "empty", "directory": "directory"}[what] in said[0]
    assert "not observed" not in text


# --- 6. KTAP shape -------------------------------------------------------------

def test_diagnostics_come_before_their_not_ok_line(tmp_path, expected_copy):
    path = expected_copy / "common" / "membership.yaml"
    path.write_text(path.read_text().replace("facts: {accepted: 20,", "facts: {accepted: 19,", 1))
    p = judge_file(RECORDED, tmp_path / "out", "--expected", str(expected_copy))
    doc = ktap.parse(p.stdout)
    bad = [r for r in doc.results if not r.ok]
    assert len(bad) == 1
    assert any("expected 19, observed 20" in d for d in bad[0].diagnostics)
    after = p.stdout.split(re.search(r"^not ok \d+ .*$", p.stdout, re.M).group(0), 1)[1].splitlines()
    assert not any("observed 20" in x for x in after[:3])


def test_make_check_prints_nothing_before_the_ktap_version_line(tmp_path):
    # -W: pretend the probe's source changed, so make rebuilds it on the way
    p = make_check("-W", "probes/membership.c", "AREAS=membership", "OBSERVATIONS=%s" % RECORDED,
                   "KERNEL_RELEASE=%s" % RELEASE, "OUT=%s" % tmp_path)
    assert p.returncode == 0, p.stdout[-1500:] + p.stderr
    assert p.stdout.splitlines()[0] == "TAP version 13", p.stdout[:500]
    ktap.parse(p.stdout)


# --- 7. installing ---------------------------------------------------------------

def test_missing_packages_are_one_pasteable_line_identical_to_what_make_deps_runs():
    p = subprocess.run(["make", "-s", "need-deps", "DEPS=mcprobe-no-such-a mcprobe-no-such-b"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    lines = [x for x in p.stderr.splitlines() if "apt-get" in x]
    assert len(lines) == 1, p.stderr
    dry = subprocess.run(["make", "-s", "deps", "DEPS=mcprobe-no-such-a mcprobe-no-such-b", "DEPS_DRY_RUN=1",
                          "EXTRA_DEPS="], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    runs = dry.stdout.strip().splitlines()[-1]
    assert runs in lines[0], (runs, lines[0])
    assert "--no-install-recommends" in runs and runs.endswith("mcprobe-no-such-a mcprobe-no-such-b")


def test_readme_set_up_says_what_make_test_downloads_and_where_it_is_cached():
    readme = open(os.path.join(ROOT, "README.md")).read()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"~?\d+ MB", setup) and "Debian kernel" in setup
    assert re.search(r"`[^`]*cache[^`]*`", setup), setup


# --- 8. one entry point that works from anywhere ------------------------------------

def test_the_mcprobe_entry_point_judges_from_any_directory(tmp_path):
    rel = os.path.relpath(RECORDED, str(tmp_path))
    p = subprocess.run([ENTRY, "--observations", rel, "--kernel-release", RELEASE, "--areas", "membership",
                        "--out", "out"], cwd=str(tmp_path), capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout[-1500:] + p.stderr
    assert (tmp_path / "out" / "results.junit.xml").exists()
    assert p.stdout.startswith("TAP version 13\n")


def test_readme_and_the_vm_lane_use_the_entry_point():
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert "python3 -m harness" not in readme
    assert "./mcprobe --observations" in readme
    lane = subprocess.run(["grep", "-rln", "--include=*.py", "-e", '"-m", "harness"', "-e", "'-m', 'harness'",
                           os.path.join(ROOT, "ci")], capture_output=True, text=True)
    assert lane.stdout == "", "the VM lane still runs python3 -m harness: " + lane.stdout
    vm = subprocess.run(["grep", "-rlF", "--include=*.py", '"mcprobe")', os.path.join(ROOT, "ci")],
                        capture_output=True, text=True)
    assert vm.stdout.strip(), "the VM lane does not run the mcprobe entry point"
