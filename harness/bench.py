"""make bench: wall time of each area's probe, and of the whole judged run.

A benchmark, not a test: it reports numbers (median of several runs) next to
the targets the issues set; it fails only if a probe cannot run at all.
Writes build/bench/areas.md and prints it.
"""

import os
import platform
import statistics
import subprocess
import sys
import time

from .observe import probe_names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# wall-time targets per area, on 2 cores (from the issues)
TARGETS = {"membership": 2.0, "membership6": 2.0, "delivery": 3.0, "sendopts": 3.0, "scope": 3.0,
           "sourcefilter": 3.0, "delivery6": 3.0, "sendopts6": 3.0, "sourcefilter6": 3.0, "scope6": 3.0,
           "igmp": 5.0, "igmp_peers": 5.0, "mld": 5.0}


def time_cmd(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=600)
    return time.monotonic() - t0, p.returncode, p.stdout.count(b"\n")


def main():
    bindir = os.path.join(ROOT, "probes", "bin")
    rows = []
    for name in probe_names(bindir):
        secs, checks = [], 0
        for _ in range(RUNS):
            s, rc, n = time_cmd([os.path.join(bindir, name)])
            if rc not in (0, 4):
                sys.stderr.write("bench: probe %s exited %d\n" % (name, rc))
                return 1
            secs.append(s)
            checks = n
        rows.append((name, checks, min(secs), statistics.median(secs), max(secs)))
    s, rc, _ = time_cmd([sys.executable, os.path.join(ROOT, "mcprobe"), "--out", os.path.join(ROOT, "build", "bench", "check")])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    out = ["## Area wall time (`make bench`)", "",
           "Machine: %s, %d cores, kernel %s; %d runs each." % (cpu, os.cpu_count() or 0, platform.release(), RUNS), "",
           "| area | observations | min s | median s | max s | target s |", "|---|---|---|---|---|---|"]
    for name, checks, lo, med, hi in rows:
        t = TARGETS.get(name)
        out.append("| %s | %d | %.3f | %.3f | %.3f | %s |" % (name, checks, lo, med, hi,
                                                            "≤ %.0f" % t if t else "-"))
    out += ["", "Whole `make check` equivalent (all probes in parallel + judging + reports): %.2f s (exit %d)." % (s, rc)]
    text = "\n".join(out) + "\n"
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench", "areas.md"), "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
