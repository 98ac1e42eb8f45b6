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

import os
import re

import area_proofs as ap
from conftest import DATA, ROOT

AREAS = ("delivery6", "sendopts6", "sourcefilter6")
RECORDED = os.path.join(DATA, "ipv6-traffic-areas-6.18.44.jsonl")
RELEASE = "6.18.44-fc-v1252"
SOURCES = [os.path.join(ROOT, "probes", a + ".c") for a in AREAS]
LIBS = [os.path.join(ROOT, "probes", "lib", n) for n in ("dlv6.c", "dlv6.h")]


(test_recorded_run_passes_in_process, test_every_fact_of_every_check_can_fail,
 test_recorded_run_passes_through_the_command_line) = ap.common_tests(RECORDED, RELEASE, AREAS, 200)


def test_wrong_delivery_count_fails_naming_the_check(tmp_path):
    ap.assert_mutated_fails_naming(tmp_path, RECORDED, RELEASE, AREAS,
                                   "ipv6.delivery.receivers.unjoined_any_mc_all_0", "received", 0, 1)


def test_wrong_source_count_fails_naming_the_check(tmp_path):
    ap.assert_mutated_fails_naming(tmp_path, RECORDED, RELEASE, AREAS,
                                   "ipv6.sourcefilter.delivery.exclude_a", "from_a", 0, 1)


def test_wrong_hop_limit_fails_naming_the_check(tmp_path):
    ap.assert_mutated_fails_naming(tmp_path, RECORDED, RELEASE, AREAS,
                                   "ipv6.sendopts.hops.set.int_minus1_default", "peer_hoplimit", 1, 64)


def test_each_check_id_is_literal_once_in_its_probe():
    exp = ap.area_expectations(RELEASE, AREAS)
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
    ap.assert_never_sleeps(SOURCES + LIBS)
