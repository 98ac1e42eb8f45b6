"""Getting observations: run the probe binaries here, or read a JSON Lines
file recorded elsewhere (another machine, a VM guest).

Both give, per probe, the Runs it produced (one per repeat). Probes run in
the background, one per core, from the moment the source is opened; asking
for one probe's runs waits for that probe only, so results can be reported
while the others still run."""

import concurrent.futures
import os
import subprocess
import time

from .judge import Run

PROBE_TIMEOUT_S = 300  # a whole probe; each scenario inside is bounded by the probe itself


class ObservationsError(Exception):
    """The observations cannot be read at all (a fatal error of the run)."""


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


def probe_run(name, out, err, rc, run=None):
    """The Run of one probe's output (added to `run` if given); a probe that
    ended badly is a broken area."""
    run = run or Run()
    run.add_lines(out, probe=name, origin="probe %s stdout" % name)
    if rc not in (0, 4):
        run.broken.setdefault(name, []).append(
            "probe exited %d%s" % (rc, (": " + err.strip().splitlines()[-1]) if err.strip() else ""))
    return run


class ProbesHere:
    """The probes in bindir, started now in the background."""

    def __init__(self, bindir, names, repeat=1, extra_args=(), jobs=None):
        self.bindir, self.repeat, self.extra_args = bindir, max(1, repeat), tuple(extra_args)
        self.names = list(names)
        self.timings = {}
        self.outputs = {}  # name -> [(stdout, stderr, rc)], one per repeat
        # every probe at once: they mostly sleep on kernel timers and
        # witnesses, so the run takes as long as the slowest probe
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs or max(1, len(self.names)))
        self._futures = {n: self._pool.submit(self._run, n) for n in self.names}

    def _run(self, name):
        runs = []
        for _ in range(self.repeat):
            _, out, err, rc, secs = run_probe(self.bindir, name, self.extra_args)
            self.timings[name] = self.timings.get(name, 0.0) + secs
            self.outputs.setdefault(name, []).append((out, err, rc))
            runs.append(probe_run(name, out, err, rc))
        return runs

    def runs(self, name):
        """The Runs of probe `name` (waits for it); [] if there is no such probe."""
        f = self._futures.get(name)
        return f.result() if f else []

    def raw_lines(self):
        return [line for n in self.names for out, _, _ in self.outputs.get(n, [])
                for line in out.splitlines() if line.strip()]

    def close(self):
        self._pool.shutdown(wait=True)


class RecordedFile:
    """Observations recorded elsewhere, read whole before anything is judged."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except IsADirectoryError:
            raise ObservationsError("%s: is a directory, not an observations file" % path)
        except OSError as e:
            raise ObservationsError("%s: %s" % (path, e.strerror))
        self.lines = [line for line in text.splitlines() if line.strip()]
        if not self.lines:
            raise ObservationsError("%s: the observations file is empty (no probe output was recorded)" % path)
        self.run = Run()
        self.run.add_lines(text, origin=path)
        self.timings = {}
        self.names = ["file"]

    def runs(self, name):
        return [self.run]

    def raw_lines(self):
        return self.lines

    def close(self):
        pass


def read_observations(path):
    """(Run, raw lines) of a recorded file; raises ObservationsError."""
    f = RecordedFile(path)
    return f.run, f.lines


def run_probes(bindir, areas=None, jobs=None, extra_args=()):
    """Runs the probes (in parallel, one per core) and returns (Run, raw_lines, timings):
    every probe's records in one Run (for tools such as make bless)."""
    names = [n for n in probe_names(bindir) if not areas or n in areas]
    here = ProbesHere(bindir, names, extra_args=extra_args, jobs=jobs)
    merged = Run()
    for name in names:
        here.runs(name)
        for out, err, rc in here.outputs[name]:
            probe_run(name, out, err, rc, run=merged)
    here.close()
    return merged, here.raw_lines(), here.timings
