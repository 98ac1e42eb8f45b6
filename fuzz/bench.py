#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`make bench-fuzz`: each fuzz target's execs/s next to the raw ceiling, same run.

Per target, in this order, all on this machine in one run:
  fuzzer  fuzz_<t> (libFuzzer + ASan + UBSan + model + oracle) fuzzing for S seconds from a
          corpus warmed up for S seconds from the committed seeds; execs/s from -print_final_stats
          while recording every input it ran (MCP_FUZZ_RECORD)
  oracle  fz_raw replaying exactly those inputs: model + oracle, no libFuzzer, no sanitizers
  raw     fz_raw --raw replaying exactly those inputs: the same system calls, nothing else
          (the ceiling)
and once: bare, a socket+join+drop+close loop (the issue's reference, ~110k/s idle); at the
end, what a fresh namespace per input would cost (fz_raw --ns-cost).
Target: fuzzer >= 50% of raw. Writes build/fuzz/bench.json. Not a test: prints numbers.
cov/ft: libFuzzer's own counts at the end of the measured run (they depend on what the
build instruments, so compare them only between runs of the same build).
The fuzzer runs with the options of `make fuzz` (--fuzz-opts, FUZZ_OPTS in fuzz.mk).
The throwaway corpus and the recorded stream live in /dev/shm when it is writable: on
ext4, creating the corpus files right after the previous target's corpus was deleted
cost the fuzzer up to a tenth of its time in the inode allocator (recently_deleted),
which measured the disk, not the harness.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def num(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout.decode()
    return float(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default="build/fuzz")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--targets", default="sockopt,msfilter,igmp")
    ap.add_argument("--fuzz-opts", default="-max_len=1024 -timeout=10 -reload=0")
    a = ap.parse_args()
    opts = [o for o in a.fuzz_opts.split() if not o.startswith(("-print_final_stats", "-max_total_time"))]
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    res = {"seconds": a.seconds, "targets": {}}
    raw_bin = os.path.join(a.bindir, "fz_raw")
    res["bare_loop_per_s"] = num([raw_bin, "--bare", str(min(a.seconds, 3))])
    print("bench-fuzz: bare socket+join+drop+close loop: %.0f/s" % res["bare_loop_per_s"])
    print("%-9s %12s %12s %12s %8s %8s %12s" % ("target", "fuzzer/s", "oracle/s", "raw/s", "fuzz/raw", "corpus",
                                                 "cov/ft"))
    for t in a.targets.split(","):
        tmp = tempfile.mkdtemp(prefix="mcp-bench-", dir=shm)
        try:
            corpus = os.path.join(tmp, "corpus")
            os.makedirs(corpus)
            stream = os.path.join(tmp, "stream")
            # warm-up: the first seconds from the seeds mostly write new corpus files
            subprocess.run([os.path.join(a.bindir, "fuzz_" + t), "-seed=2"] + opts +
                           ["-max_total_time=%d" % a.seconds, "-dict=fuzz/dict/%s.dict" % t,
                            "-artifact_prefix=%s/" % tmp, corpus, "fuzz/corpus/" + t],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            p = subprocess.run([os.path.join(a.bindir, "fuzz_" + t), "-seed=1"] + opts +
                               ["-print_final_stats=1", "-max_total_time=%d" % a.seconds,
                                "-dict=fuzz/dict/%s.dict" % t, "-artifact_prefix=%s/" % tmp, corpus,
                                "fuzz/corpus/" + t], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=dict(os.environ, MCP_FUZZ_RECORD=stream))
            out = p.stdout.decode(errors="replace")
            m = re.search(r"stat::average_exec_per_sec:\s+(\d+)", out)
            if p.returncode != 0 or not m:
                print("%-9s fuzzer run failed (rc %d)" % (t, p.returncode))
                print("\n".join(out.splitlines()[-30:]))
                return 1
            fuzz = float(m.group(1))
            cf = re.findall(r"cov: (\d+) ft: (\d+)", out)
            cov, ft = (int(cf[-1][0]), int(cf[-1][1])) if cf else (None, None)
            n = len(os.listdir(corpus))
            orc = num([raw_bin, "--target", t, "--bench-stream", stream, str(a.seconds)])
            raw = num([raw_bin, "--target", t, "--bench-stream", stream, str(a.seconds), "--raw"])
            res["targets"][t] = {"fuzzer_per_s": fuzz, "oracle_per_s": orc, "raw_per_s": raw,
                                 "fuzzer_over_raw": fuzz / raw if raw else None, "corpus": n,
                                 "cov": cov, "ft": ft}
            print("%-9s %12.0f %12.0f %12.0f %7.0f%% %8d %12s" % (t, fuzz, orc, raw, 100 * fuzz / raw, n,
                                                               "%s/%s" % (cov, ft)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    # last, because the namespaces it leaves are dismantled in the background for a while:
    # what one fresh namespace per input would cost (the fuzzers reset one namespace instead)
    out = subprocess.run([raw_bin, "--ns-cost", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         check=True).stdout.decode().split()
    res["namespace_per_input_per_s"] = {out[i]: float(out[i + 1]) for i in range(0, len(out) - 1, 2)}
    print("bench-fuzz: a fresh namespace per input would allow at most %s/s (netns+lo) or %s/s "
          "(netns+lo+veth+route), before the kernel's teardown" % (
              out[1] if len(out) > 1 else "?", out[3] if len(out) > 3 else "?"))
    os.makedirs(a.bindir, exist_ok=True)
    with open(os.path.join(a.bindir, "bench.json"), "w") as f:
        json.dump(res, f, indent=1)
    print("bench-fuzz: target is fuzzer >= 50%% of raw; numbers in %s/bench.json" % a.bindir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
