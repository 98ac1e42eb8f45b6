"""The pytest plugin: every check id becomes its own pytest test case
(harness/conformance/test_checks.py), and the results are printed as KTAP on
stdout while they run, then written as JUnit XML, JSON and markdown.

Configured by harness/__main__.py through `Options` (not by pytest flags), so
that the same judging runs for the running kernel and for observations
recorded on another machine."""

import os
import platform
import sys
import time

import pytest

from . import decoders, expected, kmsg, observe
from . import report as reports
from .judge import FAIL, PASS, SKIP, Run, Verdict, judge, merge_repeats


class Options:
    def __init__(self, root, expected_dir=None, observations=None, kernel_release=None, areas=None,
                 out_dir=None, repeat=1, bindir=None, probe_args=(), kernel_log=None):
        self.root = root
        self.expected_dir = expected_dir or os.path.join(root, "expected")
        self.observations = observations
        self.kernel_release = kernel_release or platform.release()
        self.areas = set(areas) if areas else None
        self.out_dir = out_dir or os.path.join(root, "build")
        self.repeat = max(1, int(repeat))
        self.bindir = bindir or os.path.join(root, "probes", "bin")
        self.probe_args = tuple(probe_args)
        self.kernel_log = kernel_log  # with observations: the log of the kernel that made them


def gather(opts):
    """Returns (verdicts, meta, raw observation lines). Raises ExpectedError."""
    exp = expected.load(opts.expected_dir, opts.kernel_release)
    if opts.areas:
        unknown = opts.areas - set(exp.areas) - set(observe.probe_names(opts.bindir))
        if unknown:
            raise expected.ExpectedError("unknown area(s): %s" % ", ".join(sorted(unknown)))
        exp.checks = {k: v for k, v in exp.checks.items() if v["area"] in opts.areas}
    meta = {"kernel_release": opts.kernel_release, "overrides": exp.applied, "repeat": opts.repeat}
    timings = {}
    log_lines, log_unavailable, log_source = [], None, ""
    if opts.observations:
        run, raw = observe.read_observations(opts.observations)
        meta["observations_from"] = opts.observations
        runs = [run]
        for cid in run.facts:
            run.area_of[cid] = run.area_of.get(cid) or exp.area_of(cid)
        if opts.areas:
            _keep_areas(run, opts.areas)
        if opts.kernel_log:
            with open(opts.kernel_log, errors="replace") as f:
                log_lines = f.read().splitlines()
            log_source = opts.kernel_log
        else:
            log_unavailable = "observations recorded elsewhere and no --kernel-log of that kernel given"
    else:
        meta["observations_from"] = "probes run on %s (%s)" % (platform.node(), opts.kernel_release)
        runs, raw = [], []
        watch = kmsg.Watch()
        log_unavailable, log_source = watch.unavailable, watch.path
        for _ in range(opts.repeat):
            run, lines, t = observe.run_probes(opts.bindir, opts.areas, extra_args=opts.probe_args)
            runs.append(run)
            raw.extend(lines)
            for k, v in t.items():
                timings[k] = timings.get(k, 0.0) + v
        log_lines = watch.read()
        watch.close()
        # an area with expectations but no probe binary is a failure, not a silence
        for area in set(exp.areas) - set(observe.probe_names(opts.bindir)):
            if not opts.areas or area in opts.areas:
                for r in runs:
                    r.broken.setdefault(area, []).append("no probe binary probes/bin/%s (make probes)" % area)
    meta["probe_seconds"] = timings
    per_run = []
    for run in runs:
        verdicts = judge(exp, run, decode=decoders.decode)
        for err in run.errors:
            verdicts.append(Verdict("harness.observations.malformed", "harness", FAIL, err))
        per_run.append(verdicts)
    verdicts = merge_repeats(per_run) if len(per_run) > 1 else per_run[0]
    if verdicts and all(v.status == SKIP for v in verdicts):
        log_unavailable = "no check ran (every one skipped)"
    verdicts.append(kmsg.verdict(log_lines, log_unavailable, log_source))
    return verdicts, meta, raw


def _keep_areas(run, areas):
    for cid in list(run.facts):
        if run.area_of.get(cid) not in areas:
            del run.facts[cid]
    for cid in list(run.check_skips):
        if run.area_of.get(cid) not in areas:
            del run.check_skips[cid]


class Plugin:
    def __init__(self, opts, stream=None):
        self.opts = opts
        self.stream = stream or sys.stdout
        self.verdicts = []
        self.by_id = {}
        self.meta = {}
        self.raw = []
        self.done = []
        self.times = {}
        self.fatal = None
        self.started = {}
        self.exit = None

    def emit(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()

    # --- pytest hooks ---
    def pytest_configure(self, config):
        try:
            self.verdicts, self.meta, self.raw = gather(self.opts)
        except expected.ExpectedError as e:
            self.fatal = str(e)
            self.verdicts = []
        self.by_id = {v.id: v for v in self.verdicts}

    def pytest_generate_tests(self, metafunc):
        if "verdict" in metafunc.fixturenames:
            metafunc.parametrize("verdict", self.verdicts, ids=[v.id for v in self.verdicts])

    def pytest_collection_finish(self, session):
        if self.fatal:
            self.emit("TAP version 13")
            self.emit("Bail out! %s" % self.fatal)
            return
        for line in reports.ktap_header(len(session.items)):
            self.emit(line)
        self.emit("# kernel %s; overrides: %s; observations: %s" % (
            self.meta["kernel_release"], ", ".join(self.meta["overrides"]) or "none",
            self.meta["observations_from"]))

    def pytest_runtest_logstart(self, nodeid, location):
        self.started[nodeid] = time.monotonic()

    def pytest_runtest_logreport(self, report):
        rep = report
        if rep.when == "setup" and rep.outcome == "passed":
            return
        if rep.when == "teardown" and rep.outcome == "passed":
            return
        vid = rep.nodeid.rsplit("[", 1)[-1].rstrip("]")
        v = self.by_id.get(vid)
        if v is None or any(d.id == vid for d in self.done):
            return
        # pytest's outcome is authoritative; the verdict supplies the words
        if rep.outcome == "passed":
            status = PASS
        elif rep.outcome == "skipped":
            status = SKIP
        else:
            status = FAIL
        if status != v.status:
            v = Verdict(v.id, v.area, status, v.message or str(rep.longrepr)[-500:], v.expected, v.observed,
                        v.why, v.tags, v.source)
        self.done.append(v)
        self.times[v.id] = time.monotonic() - self.started.get(rep.nodeid, time.monotonic())
        for line in reports.ktap_result(len(self.done), v):
            self.emit(line)

    def pytest_sessionfinish(self, session, exitstatus):
        if self.fatal:
            session.exitstatus = self.exit = reports.KSFT_FAIL
            return
        verdicts = self.done
        self.emit(reports.ktap_totals(verdicts))
        os.makedirs(self.opts.out_dir, exist_ok=True)
        out = self.opts.out_dir

        def write(name, text):
            with open(os.path.join(out, name), "w") as f:
                f.write(text)

        write("observations.jsonl", "\n".join(self.raw) + ("\n" if self.raw else ""))
        write("results.ktap", reports.ktap(verdicts))
        write("results.junit.xml", reports.junit(verdicts, times=self.times))
        write("results.json", reports.as_json(verdicts, self.meta))
        write("summary.md", reports.markdown(verdicts, self.meta))
        c = reports.counts(verdicts)
        self.emit("# %d pass, %d fail, %d skip; reports in %s/ (summary.md, results.junit.xml, results.json)" % (
            c[PASS], c[FAIL], c[SKIP], os.path.relpath(out)))
        if len(verdicts) != len(self.verdicts):
            self.emit("# harness error: %d checks judged, %d reported" % (len(self.verdicts), len(verdicts)))
            session.exitstatus = self.exit = reports.KSFT_FAIL
            return
        session.exitstatus = self.exit = reports.exit_code(verdicts)
