"""ci/kselftest/mcprobe: the suite as a kselftest-style collection. The
runner's contract: KTAP on stdout, exit 0 pass / 1 fail / 4 skip, a
`settings` timeout and a `config` fragment; `make kselftest-install` gives a
self-contained copy that run_kselftest.sh can list and run."""

import os
import re
import subprocess

from conftest import PYTHON, ROOT

KSFT = os.path.join(ROOT, "ci", "kselftest", "mcprobe")


def test_settings_has_an_integer_timeout():
    with open(os.path.join(KSFT, "settings")) as f:
        lines = [x.strip() for x in f if x.strip() and not x.startswith("#")]
    assert len(lines) == 1 and re.fullmatch(r"timeout=\d+", lines[0])


def test_config_fragment_names_what_the_suite_needs():
    with open(os.path.join(KSFT, "config")) as f:
        opts = dict(x.strip().split("=", 1) for x in f if x.startswith("CONFIG_"))
    for o in ("CONFIG_NET_NS", "CONFIG_IP_MULTICAST", "CONFIG_VETH", "CONFIG_IPV6", "CONFIG_PACKET"):
        assert opts.get(o) == "y", o


def test_missing_suite_is_a_skip_with_a_reason(tmp_path):
    p = subprocess.run([os.path.join(KSFT, "run.sh")], env=dict(os.environ, MCPROBE_DIR=str(tmp_path / "none")),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 4
    assert p.stdout.splitlines()[:2] == ["TAP version 13", "1..0 # SKIP mcprobe suite not found at %s (set MCPROBE_DIR)"
                                         % (tmp_path / "none")]


def test_installed_collection_runs_and_keeps_the_harness_exit_code(tmp_path):
    inst = tmp_path / "kselftest"
    m = subprocess.run(["make", "-s", "kselftest-install", "INSTALL_PATH=%s" % inst], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert m.returncode == 0, m.stderr
    assert (inst / "kselftest-list.txt").read_text().splitlines().count("mcprobe:run.sh") == 1
    run = inst / "mcprobe" / "run.sh"
    assert os.access(run, os.X_OK)
    env = dict(os.environ, MCPROBE_AREAS="membership", MCPROBE_OUT=str(tmp_path / "out"))
    p = subprocess.run([str(run)], env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    direct = subprocess.run([PYTHON, os.path.join(ROOT, "mcprobe"), "--areas", "membership", "--out", str(tmp_path / "direct")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == direct.returncode and p.returncode in (0, 1)
    out = p.stdout.splitlines()
    assert out[0] == "TAP version 13" and re.fullmatch(r"1\.\.\d+", out[1])
    assert any(x.startswith("# Totals: pass:") for x in out)
    assert (tmp_path / "out" / "results.junit.xml").exists()
    # installing twice lists the collection once
    subprocess.run(["make", "-s", "kselftest-install", "INSTALL_PATH=%s" % inst], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    assert (inst / "kselftest-list.txt").read_text().splitlines().count("mcprobe:run.sh") == 1
