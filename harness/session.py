"""One run of the suite: the plan of what will be reported, fixed before any
probe runs, and each planned result as soon as what it depends on is known.

The plan is every expected check of the selected areas (for this kernel's
release), in (area, id) order, then three harness checks that stand for what
only the run can tell:
  harness.observations.well_formed  one child result per line that was not an observation
  harness.observations.all_expected one child result per observation nobody expected
  harness.kernel_log.no_new_splat   the kernel's log while the probes ran
So the plan never depends on what the probes print, and a result can never
be lost between the probes and the reports."""

import os
import platform
import threading

from . import decoders, expected, kmsg, observe
from .judge import ALL_EXPECTED, SKIP, WELL_FORMED, Run, Verdict, judge_checks, malformed, merge_repeats, parent, \
    unexpected

HARNESS_CHECKS = (WELL_FORMED, ALL_EXPECTED, kmsg.CHECK_ID)


class Session:
    """Raises expected.ExpectedError or observe.ObservationsError when the run
    cannot start (a fatal error: nothing is planned)."""

    def __init__(self, opts):
        self.opts = opts
        self.exp = expected.load(opts.expected_dir, opts.kernel_release)
        self.probes = observe.probe_names(opts.bindir) if not opts.observations else []
        if opts.areas:
            unknown = opts.areas - set(self.exp.areas) - set(self.probes)
            if unknown:
                raise expected.ExpectedError("unknown area(s): %s (areas: %s)" % (
                    ", ".join(sorted(unknown)), ", ".join(sorted(set(self.exp.areas) | set(self.probes)))))
        self.areas = sorted(a for a in set(self.exp.areas) | set(self.probes) if not opts.areas or a in opts.areas)
        self.ids = sorted((c for c, e in self.exp.checks.items() if e["area"] in self.areas),
                          key=lambda c: (self.exp.area_of(c), c))
        self.plan = self.ids + list(HARNESS_CHECKS)
        self.source = observe.RecordedFile(opts.observations) if opts.observations else None
        if opts.kernel_log and not os.access(opts.kernel_log, os.R_OK):
            raise observe.ObservationsError("%s: the --kernel-log file cannot be read" % opts.kernel_log)
        self.watch = None
        self._verdicts = {}
        self.meta = {"kernel_release": opts.kernel_release, "overrides": self.exp.applied, "repeat": opts.repeat,
                     "observations_from": opts.observations or "probes run on %s (%s)" % (
                         platform.node(), opts.kernel_release)}

    def start(self):
        """Live runs: start watching the kernel log, then every probe."""
        if self.source is None:
            names = [n for n in self.probes if n in self.areas]
            if any(decoders.has_decoder(n) for n in names):
                from . import scapy_compat
                threading.Thread(target=scapy_compat.prewarm, daemon=True, name="scapy-prewarm").start()
            self.watch = kmsg.Watch()
            self.source = observe.ProbesHere(self.opts.bindir, names, repeat=self.opts.repeat,
                                             extra_args=self.opts.probe_args)

    def close(self):
        if self.source is not None:
            self.source.close()
        if self.watch is not None:
            self.watch.close()
        self.meta["probe_seconds"] = dict(self.source.timings) if self.source else {}

    def raw_lines(self):
        return self.source.raw_lines() if self.source else []

    # --- results ---
    def judged(self, cid):
        """The verdict of cid if it was judged already, else None."""
        return self._verdicts.get(cid)

    def verdict(self, cid):
        if cid not in self._verdicts:
            self._verdicts[cid] = self._judge(cid)
        return self._verdicts[cid]

    def _judge(self, cid):
        if cid == WELL_FORMED:
            return self._harness(cid, lambda probe, run: malformed(run),
                                 "lines of the observations that are not observations")
        if cid == ALL_EXPECTED:
            return self._harness(cid, lambda probe, run: unexpected(self.exp, run, decoders.decode, probe),
                                 "observations without an expectation in expected/ (for this kernel and area)")
        if cid == kmsg.CHECK_ID:
            return self._kernel_log()
        area = self.exp.area_of(cid)
        return _merged([judge_checks(self.exp, run, [cid], decoders.decode) for run in self._area_runs(area)])[0]

    def _area_runs(self, area):
        if self.opts.observations:
            return self.source.runs(area)
        if area not in self.probes:
            run = Run()  # expectations but no probe: a failure, never a silence
            run.broken[area] = ["no probe binary probes/bin/%s (make probes)" % area]
            return [run]
        return self.source.runs(area)

    def _nothing_ran(self):
        return all(self.verdict(c).status == SKIP for c in self.ids)

    def _harness(self, cid, results_of, what):
        """A harness check whose children are results_of(probe, run) for every
        run of every probe (probe None: a recorded file), repeats merged."""
        children = []
        for name in self.source.names:
            probe = None if self.opts.observations else name
            children += _merged([results_of(probe, run) for run in self.source.runs(name)])
        if not children and self._nothing_ran():
            return Verdict(cid, "harness", SKIP, "no check ran (every one skipped)")
        return parent(cid, children, what, [])

    def _kernel_log(self):
        for name in self.source.names:
            self.source.runs(name)  # every probe has finished
        if self.watch is not None:
            lines, unavailable, where = self.watch.read(), self.watch.unavailable, self.watch.path
        elif self.opts.kernel_log:
            with open(self.opts.kernel_log, errors="replace") as f:
                lines, unavailable, where = f.read().splitlines(), None, self.opts.kernel_log
        else:
            lines, unavailable, where = [], "observations recorded elsewhere and no --kernel-log of that kernel given", ""
        if self._nothing_ran():
            unavailable = "no check ran (every one skipped)"
        return kmsg.verdict(lines, unavailable, where)


def _merged(per_run):
    """Verdict lists of several runs (repeats, or several probes for the
    harness checks' children) as one list: one verdict per id."""
    per_run = [v for v in per_run if v]
    if not per_run:
        return []
    if len(per_run) == 1:
        return per_run[0]
    return merge_repeats(per_run)

