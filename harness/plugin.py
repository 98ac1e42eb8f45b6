"""The pytest plugin: every planned result becomes its own pytest test case
(harness/conformance/test_checks.py). KTAP's header and plan are printed
before any probe runs; each result is printed as soon as it is judged (a
test case waits for the probe of its area only), so a run that is killed
leaves KTAP that a parser reads as incomplete. At the end the same verdicts
are written as JUnit XML, JSON and markdown.

Configured by harness/__main__.py through `Options` (not by pytest flags), so
that the same judging runs for the running kernel and for observations
recorded on another machine."""

import os
import platform
import sys
import time
import traceback

from . import expected, observe
from . import report as reports
from .judge import FAIL, PASS, SKIP, Verdict
from .session import Session


class Options:
    def __init__(self, root, expected_dir=None, observations=None, kernel_release=None, areas=None,
                 out_dir=None, repeat=1, bindir=None, probe_args=(), kernel_log=None, notes=()):
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
        self.notes = list(notes)  # diagnostics to print after the plan (e.g. where reports went)


class Check:
    """A planned result, the parameter of one pytest test case."""

    def __init__(self, session, cid):
        self.session = session
        self.id = cid

    def verdict(self):
        return self.session.verdict(self.id)


class Plugin:
    def __init__(self, opts, stream=None):
        self.opts = opts
        self.stream = stream or sys.stdout
        self.session = None
        self.reports = None
        self.fatal = None
        self.done = []
        self.times = {}
        self.started = {}
        self.exit = None

    def emit(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()
        if self.reports:
            self.reports.ktap_line(line)

    # --- pytest hooks ---
    def pytest_configure(self, config):
        self.reports = reports.ReportDir(self.opts.out_dir)
        try:
            self.session = Session(self.opts)
        except (expected.ExpectedError, observe.ObservationsError) as e:
            self.fatal = str(e)
        except Exception as e:  # a harness bug: still one line, and reports that say it failed
            traceback.print_exc(file=sys.stderr)
            self.fatal = "harness error before any check ran: %s: %s" % (type(e).__name__, e)
        if self.fatal:
            self.emit("TAP version 13")
            self.emit("Bail out! %s" % self.fatal)
            return
        for line in reports.ktap_header(len(self.session.plan)):
            self.emit(line)
        m = self.session.meta
        self.emit("# kernel %s; overrides: %s; observations: %s" % (
            m["kernel_release"], ", ".join(m["overrides"]) or "none", m["observations_from"]))
        for note in self.opts.notes:
            self.emit("# " + note)
        self.session.start()

    def pytest_generate_tests(self, metafunc):
        if "check" in metafunc.fixturenames:
            plan = self.session.plan if self.session and not self.fatal else []
            metafunc.parametrize("check", [Check(self.session, c) for c in plan], ids=plan)

    def pytest_collection_modifyitems(self, session, config, items):
        if self.fatal:
            items[:] = []

    def pytest_runtest_logstart(self, nodeid, location):
        self.started[nodeid] = time.monotonic()

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and report.outcome == "passed":
            return
        if report.when == "teardown" or (report.when == "setup" and report.outcome == "skipped"):
            return
        cid = report.nodeid.rsplit("[", 1)[-1][:-1]
        v = self._verdict_of(cid, report)
        if len(self.done) < len(self.session.plan) and self.session.plan[len(self.done)] == cid:
            self.done.append(v)
            self.times[cid] = time.monotonic() - self.started.get(report.nodeid, time.monotonic())
            for line in reports.ktap_result(len(self.done), v):
                self.emit(line)

    def _verdict_of(self, cid, report):
        """The session's verdict, with pytest's outcome as the authority: a
        test case that crashed is a failure with pytest's words, never lost."""
        v = self.session.judged(cid)
        status = {"passed": PASS, "skipped": SKIP}.get(report.outcome, FAIL)
        if v is None:
            return Verdict(cid, "harness", FAIL, "harness error judging this check: %s" % str(report.longrepr)[-800:])
        if status != v.status:
            v = Verdict(v.id, v.area, status, v.message or str(report.longrepr)[-800:], v.expected, v.observed,
                        v.why, v.tags, v.source, v.at, v.children)
        return v

    def pytest_sessionfinish(self, session, exitstatus):
        if self.fatal:
            self.reports.fatal(self.fatal)
            session.exitstatus = self.exit = reports.KSFT_FAIL
            return
        plan = self.session.plan
        for cid in plan[len(self.done):]:  # interrupted: what was not reported is said, and fails
            v = Verdict(cid, "harness", FAIL, "not judged: the run stopped before this check (pytest exit %d)" %
                        int(exitstatus))
            self.done.append(v)
            for line in reports.ktap_result(len(self.done), v):
                self.emit(line)
        self.session.close()
        verdicts = self.done
        c = reports.counts(verdicts)
        self.emit("# mcprobe: %d pass, %d fail, %d skip; reports in %s/ (summary.md, results.junit.xml, "
                  "results.json)" % (c[PASS], c[FAIL], c[SKIP], self.opts.out_dir))
        self.emit(reports.ktap_totals(verdicts))
        self.reports.finish(verdicts, self.session.meta, self.session.raw_lines(), self.times)
        session.exitstatus = self.exit = reports.exit_code(verdicts)
