#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the instrumentation split of the fuzzers' objects (run by `make fuzz-smoke`).

fuzz/harness.ignorelist names fz_oracle.c with `src:` for both ignorelists; clang
matches it against the path it was given, so a build from another directory or a
renamed file silently instruments the oracle again. This reads the objects:
  - fz_oracle.o: no SanitizerCoverage section (__sancov_cntrs/__sancov_pcs) and no
    call into an ASan/UBSan check (__asan_report_*, __asan_load*/__asan_store*,
    __ubsan_handle_*); only the module constructor that every ASan object has;
  - every other object of the interpreter and the model: coverage counters and
    sanitizer checks present (the flags reached them; the check above can fail).
Usage: instrumentation.py --objdir build/fuzz/obj
"""
import argparse
import os
import re
import subprocess
import sys

ORACLE = "fz_oracle.o"
INSTRUMENTED = ["fz_model.o", "fz_prog.o", "fz_tables.o", "fz_trace.o", "fz_repro.o", "fz_ops.o",
                "fz_frames.o"]
SAN_CHECK = re.compile(r"\b(__asan_report_\w+|__asan_(load|store)\w+|__ubsan_handle_\w+)\b")


def sections(obj):
    out = subprocess.run(["objdump", "-h", obj], capture_output=True, text=True, check=True).stdout
    return {f[1] for f in (line.split() for line in out.splitlines()) if len(f) > 1 and f[0].isdigit()}


def undefined(obj):
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objdir", default="build/fuzz/obj")
    a = ap.parse_args()
    bad = []
    o = os.path.join(a.objdir, ORACLE)
    cov = sorted(s for s in sections(o) if "sancov" in s)
    san = sorted(s for s in undefined(o) if SAN_CHECK.search(s))
    if cov:
        bad.append("%s: coverage sections %s (harness.ignorelist src: did not match)" % (o, " ".join(cov)))
    if san:
        bad.append("%s: sanitizer checks %s (harness.ignorelist src: did not match)" % (o, " ".join(san)))
    for n in INSTRUMENTED:
        p = os.path.join(a.objdir, n)
        if not any("sancov" in s for s in sections(p)):
            bad.append("%s: no coverage counters (it should have them)" % p)
        if not any(SAN_CHECK.search(s) for s in undefined(p)):
            bad.append("%s: no sanitizer checks (it should have them)" % p)
    for b in bad:
        print("instrumentation: " + b)
    if bad:
        return 1
    print("instrumentation: %s without coverage and sanitizer checks; %d other objects instrumented"
          % (ORACLE, len(INSTRUMENTED)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
