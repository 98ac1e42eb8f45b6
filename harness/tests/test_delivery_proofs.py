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

import os
import re
import subprocess

import pytest

import area_proofs as ap
from conftest import DATA, ROOT

AREAS = ("delivery", "sendopts", "scope", "scope6")
RECORDED = os.path.join(DATA, "delivery-areas-6.12.118+deb12-amd64.jsonl")
RELEASE = "6.12.118+deb12-amd64"  # Debian 12, under qemu: it has CONFIG_IP_MROUTE for scope


(test_recorded_run_passes_in_process, test_every_fact_of_every_check_can_fail,
 test_recorded_run_passes_through_the_command_line) = ap.common_tests(RECORDED, RELEASE, AREAS, 150)


def test_wrong_delivery_count_fails_naming_the_check(tmp_path):
    ap.assert_mutated_fails_naming(tmp_path, RECORDED, RELEASE, AREAS,
                                   "ipv4.delivery.mcast_all.effect.unjoined_any_all0", "received", 0, 1)


def test_probes_never_sleep_to_synchronise():
    ap.assert_never_sleeps([os.path.join(ROOT, "probes", a + ".c") for a in AREAS]
                           + [os.path.join(ROOT, "probes", "lib", n) for n in ("dlv.c", "dlv.h")])


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
