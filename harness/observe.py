"""Getting observations: run the probe binaries here, or read a JSON Lines
file recorded elsewhere (another machine, a VM guest)."""

import concurrent.futures
import os
import subprocess
import time

from .judge import Run

PROBE_TIMEOUT_S = 300  # a whole probe; each scenario inside is bounded by the probe itself


def probe_names(bindir):
    if not os.path.isdir(bindir):
        return []
    return sorted(n for n in os.listdir(bindir)
                  if os.access(os.path.join(bindir, n), os.X_OK) and not n.startswith("."))


def run_probe(bindir, name, extra_args=()):
    """Returns (name, stdout, stderr, rc, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([os.path.join(bindir, name), *extra_args], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = "probe exceeded %d s and was killed" % PROBE_TIMEOUT_S
        rc = -9
    return name, out, err, rc, time.monotonic() - t0


def run_probes(bindir, areas=None, jobs=None, extra_args=()):
    """Runs the probes (in parallel, one per core) and returns (Run, raw_lines, timings)."""
    names = [n for n in probe_names(bindir) if not areas or n in areas]
    run = Run()
    raw = []
    timings = {}
    jobs = jobs or os.cpu_count() or 2
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        results = list(ex.map(lambda n: run_probe(bindir, n, extra_args), names))
    for name, out, err, rc, secs in results:
        timings[name] = secs
        run.add_lines(out, probe=name, origin=name)
        raw.extend(line for line in out.splitlines() if line.strip())
        if rc not in (0, 4):
            run.broken.setdefault(name, []).append(
                "probe exited %d%s" % (rc, (": " + err.strip().splitlines()[-1]) if err.strip() else ""))
    return run, raw, timings


def read_observations(path):
    run = Run()
    with open(path, errors="replace") as f:
        text = f.read()
    run.add_lines(text, origin=path)
    return run, [line for line in text.splitlines() if line.strip()]
