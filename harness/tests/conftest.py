"""Shared fixtures for the project's own tests (make unit-tests)."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
PYTHON = "/usr/bin/python3"
RECORDED = os.path.join(DATA, "membership-6.18.44.jsonl")

sys.path.insert(0, ROOT)


def write_dedented(d, rel, text):
    """Writes dedented text to d/rel, making the folders on the way."""
    p = d / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text))


def run_harness(*args, cwd=ROOT, timeout=300, **kw):
    """Runs the entry point `mcprobe ARGS` and returns the CompletedProcess."""
    return subprocess.run([PYTHON, os.path.join(ROOT, "mcprobe"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


@pytest.fixture
def expected_copy(tmp_path):
    """A private copy of expected/ a test may edit."""
    dst = tmp_path / "expected"
    shutil.copytree(os.path.join(ROOT, "expected"), dst)
    return dst


@pytest.fixture(scope="session")
def all_observations(tmp_path_factory):
    """One real run of every probe on this kernel (needs root), as JSON Lines."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the probes")
    out = tmp_path_factory.mktemp("obs")
    p = run_harness("--out", str(out))
    path = out / "observations.jsonl"
    assert path.exists(), p.stdout + p.stderr
    return str(path)
