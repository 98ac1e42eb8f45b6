#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Proof that the fuzzers' oracle fires (run by `make fuzz-smoke`).

For every target and every deliberately wrong model rule that applies to it
(MCP_FUZZ_WRONG_RULE: fz_model.c, fz_oracle.c, fz_frames.c), run the fuzzer from an EMPTY
corpus for at most PROOF_SECONDS and require the divergence exit: libFuzzer's
deadly-signal exit with "MCPROBE-DIVERGENCE" and the rule named in the output.
A rule that is not caught fails the proof. Then the same target, unmodified,
must not diverge on the committed seeds (the rule switch is the only cause).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

RULES = {
    # target: [(rule, what the wrong model claims)]
    "sockopt": [("ttl_default", "a new socket's IP_MULTICAST_TTL is 2"),
                ("users", "/proc/net/igmp users one higher"),
                ("users6", "/proc/net/igmp6 users one higher")],
    "msfilter": [("max_msf", "igmp_max_msf is one higher than the sysctl"),
                 ("users", "/proc/net/igmp users one higher"),
                 ("mcf_count", "/proc/net/mcfilter INC/EXC count one higher"),
                 ("mcf6_count", "/proc/net/mcfilter6 INC/EXC count one higher")],
    "igmp": [("querier", "a v1/v2 query changes nothing"),
             ("users", "/proc/net/igmp users one higher")],
}
PROOF_SECONDS = 30
# committed inputs that must diverge under a wrong rule at a given kind of step: the
# oracle still judges there (not only somewhere in a fresh campaign)
TARGETED = [
    ("sockopt", "seed-link_down_then_sourced_join", "mcf_count", "/proc/net/mcfilter",
     "f0's source rows after a link down/up are judged (groups joined after the down)"),
    ("msfilter", "seed-v6_sources_mcfilter6", "mcf6_count", "/proc/net/mcfilter6",
     "IPv6 source rows are judged from the first source on"),
    # not in RULES: the flags claim needs 2 s without an MLD query on f0, which a campaign
    # from an empty corpus never leaves (every other input sends one)
    ("igmp", "seed-mld_v1_query_then_join", "mld_v1", "/proc/net/igmp6",
     "after an MLDv1 query the joined groups' timer flags are judged (a v1 query changes nothing)"),
]


def run(binary, args, env, timeout):
    p = subprocess.run([binary] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default="build/fuzz")
    ap.add_argument("--seconds", type=int, default=PROOF_SECONDS)
    a = ap.parse_args()
    failed = 0
    for target, rules in RULES.items():
        binary = os.path.join(a.bindir, "fuzz_" + target)
        for rule, claim in rules:
            with tempfile.TemporaryDirectory(prefix="mcp-proof-") as tmp:
                env = dict(os.environ, MCP_FUZZ_WRONG_RULE=rule)
                t0 = time.monotonic()
                rc, out = run(binary, ["-seed=1", "-max_len=256", "-timeout=10",
                                       "-max_total_time=%d" % a.seconds, "-dict=fuzz/dict/%s.dict" % target,
                                       "-artifact_prefix=%s/" % tmp, tmp], env, a.seconds + 60)
                took = time.monotonic() - t0
            m = re.search(r"MCPROBE-DIVERGENCE: (.*)", out)
            ok = rc != 0 and m and ("MCP_FUZZ_WRONG_RULE=%s is set" % rule) in out
            print("%s oracle proof: %-8s wrong rule %-12s (%s): %s in %.1fs%s" % (
                "ok  " if ok else "FAIL", target, rule, claim, "caught" if ok else "NOT caught", took,
                ": " + m.group(1) if m else ""))
            failed += not ok
        # without the switch the seeds must not diverge: the switch was the cause
        rc, out = run(binary, ["-runs=0", "fuzz/corpus/%s" % target], dict(os.environ), 120)
        clean = rc == 0 and "MCPROBE-DIVERGENCE" not in out
        print("%s oracle proof: %-8s no wrong rule: seeds replay without divergence" % (
            "ok  " if clean else "FAIL", target))
        failed += not clean
    for target, seed, rule, where, what in TARGETED:
        env = dict(os.environ, MCP_FUZZ_WRONG_RULE=rule)
        with tempfile.TemporaryDirectory(prefix="mcp-proof-") as tmp:
            rc, out = run(os.path.join(a.bindir, "fuzz_" + target),
                          # three times: MLD queries are handled in a worker, which may run after the
                          # first replay's checks; f0 then stays in MLDv1 mode for the next replays
                          ["-artifact_prefix=%s/" % tmp] + [os.path.join("fuzz/corpus", target, seed)] * 3,
                          env, 120)
        m = re.search(r"MCPROBE-DIVERGENCE: (.*)", out)
        ok = rc != 0 and m and where in m.group(1)
        print("%s oracle proof: %-8s %s with wrong rule %s: %s%s" % (
            "ok  " if ok else "FAIL", target, seed, rule, what if ok else "NOT caught",
            ": " + m.group(1) if m else ""))
        failed += not ok
    if failed:
        print("oracle proof: %d failure(s)" % failed)
        return 1
    print("oracle proof: every wrong rule was caught, and only with the switch set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
