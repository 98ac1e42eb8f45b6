"""`make fuzz-repro INPUT=...` (issue 6): the listing of an input's calls,
and a standalone C program that replays them without libFuzzer and gets the
same answers from the kernel, step by step. Also: a diverging input (a
deliberately wrong model rule) still yields the listing up to the failing step
and the reproducer."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

SEEDS = ["fuzz/corpus/sockopt/seed-join_errors", "fuzz/corpus/sockopt/seed-link_down_include_sources",
         "fuzz/corpus/msfilter/seed-bounds"]
# "  3 setsockopt(...) = -1 EINVAL   [model: ...]", "  8 close(s0) = 0", "  5 ip link set down f0 -> 0"
STEP = re.compile(r"^\s*(\d+) \S.*?(?: =|->) (-?\d+)(?: (E[A-Z0-9]+))?(?:\s+\[model.*)?$", re.M)
REPRO_STEP = re.compile(r"^\s*(\d+) = (-?\d+) ?(E[A-Z0-9]+)?\s+\[", re.M)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the replay makes network namespaces: needs root")


def answers(regex, text):
    """{step: (ok, errno)}: a socket's fd number may differ, its success may not."""
    return {int(m.group(1)): (int(m.group(2)) >= 0, m.group(3)) for m in regex.finditer(text)}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return str(tmp_path_factory.mktemp("build"))


def repro(build, seed, env=None):
    p = subprocess.run(["make", "-s", "BUILD=" + build, "fuzz-repro", "INPUT=" + seed], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    listing = p.stdout + p.stderr
    src = os.path.join(build, "fuzz", "repro.c")
    exe = os.path.join(build, "repro")
    subprocess.run([shutil.which("cc"), "-D_GNU_SOURCE", "-Wall", "-Werror", "-I", os.path.join(ROOT, "probes/lib"),
                    "-o", exe, src, os.path.join(ROOT, "probes/lib/mcp.c")], check=True)
    r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return listing, r.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_reproducer_gets_the_same_answers_as_the_fuzz_run(build, seed):
    listing, out = repro(build, seed)
    want, got = answers(STEP, listing), answers(REPRO_STEP, out)
    assert len(want) >= 5, listing
    assert got == want, "\n".join(
        "step %d: fuzz run %s, reproducer %s" % (k, want.get(k), got.get(k))
        for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k))


def test_diverging_input_gives_listing_up_to_the_step_and_a_reproducer(build):
    env = dict(os.environ, MCP_FUZZ_WRONG_RULE="mcf_count")
    listing, out = repro(build, "fuzz/corpus/sockopt/seed-link_down_then_sourced_join", env)
    m = re.search(r"MCPROBE-DIVERGENCE: (.*)", listing)
    assert m and "/proc/net/mcfilter" in m.group(1), listing
    steps = sorted(answers(STEP, listing))
    assert steps and steps == sorted(answers(REPRO_STEP, out)), (listing, out)
    assert steps[-1] < 7, "the listing stops at the diverging step"
