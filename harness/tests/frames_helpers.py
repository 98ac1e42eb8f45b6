"""What test_igmp_frames.py and test_mld_frames.py share: a recorded run of
a capture area judged against expected/, mutations of its join frames, and
the checks both areas make of them (one altered field fails one check; a
missing or slow repeat; a report where silence is expected; the decoded
lines shown, never compared)."""

import copy
import json
import os

from conftest import ROOT
from harness import decoders, expected, report
from harness.judge import FAIL, PASS, Run, judge


class Recorded:
    """The frames recorded from probes/<area> (path), judged at release."""

    def __init__(self, area, path, release, join):
        self.area, self.path, self.release, self.join = area, path, release, join
        self._exp = None

    def load_run(self, mutate=None):
        run = Run()
        with open(self.path) as f:
            run.add_lines(f.read(), probe=self.area)
        if mutate:
            mutate(run)
        return run

    def verdicts(self, run):
        if self._exp is None:  # loaded once: judging never changes it
            exp = expected.load(os.path.join(ROOT, "expected"), self.release)
            exp.checks = {k: v for k, v in exp.checks.items() if v["area"] == self.area}
            self._exp = exp
        return {v.id: v for v in judge(self._exp, run, decode=decoders.decode)}

    def decode(self, cid, run):
        return decoders.decode(self.area, cid, run.facts[cid])

    def alter_join_frames(self, edit, which=(0, 1)):
        """A mutation applying edit(bytearray) to the join report frames of
        every join check (they all carry the same capture)."""
        def mutate(run):
            for cid, facts in run.facts.items():
                if cid.startswith(self.join) and len(facts.get("frames", ())) == 2:
                    for i in which:
                        b = bytearray.fromhex(facts["frames"][i]["hex"])
                        edit(b)
                        facts["frames"][i]["hex"] = b.hex()
        return mutate


def set_byte(off, value, fix=None):
    """An edit: byte off becomes value, then fix(frame) (a checksum) if given."""
    def edit(b):
        b[off] = value
        if fix:
            fix(b)
    return edit


def failed(v):
    return sorted(k for k, x in v.items() if x.status == FAIL)


def assert_recorded_pass(rec, at_least):
    v = rec.verdicts(rec.load_run())
    assert not {k: x.message for k, x in v.items() if x.status != PASS}
    assert len(v) >= at_least


def assert_one_field_altered_fails_that_check_only(rec, what, edit, check, fact, shown):
    cid = rec.join + check
    v = rec.verdicts(rec.load_run(rec.alter_join_frames(edit)))
    assert failed(v) == [cid], what
    msg = v[cid].message
    assert fact + ":" in msg
    # the failure shows the decoded packet, with the altered field
    assert "decoded: frame 1 at +" in msg and shown in msg
    text = report.failure_text(v[cid])
    assert text.startswith(cid + ": ") and shown in text


def assert_missing_and_slow_repeat_fail(rec):
    def drop_repeat(run):
        run.facts[rec.join + "repeats"]["frames"].pop()

    assert failed(rec.verdicts(rec.load_run(drop_repeat))) == [rec.join + "repeats"]

    spacing = rec.join + "repeat_spacing_honours_interval"

    def slow(run):
        # what an ignored unsolicited report interval (1000 ms default) can look like
        f = run.facts[spacing]["frames"]
        f[1]["t_us"] = f[0]["t_us"] + 700000

    v = rec.verdicts(rec.load_run(slow))
    assert failed(v) == [spacing]
    assert "spacing_ms" in v[spacing].message


def assert_report_where_silence_is_expected_fails(rec, silent, shown):
    """The join's first report put into silent's window: silent alone fails, showing it."""
    def leak(run):
        run.facts[silent]["frames"] = copy.deepcopy(run.facts[rec.join + "repeats"]["frames"][:1])

    v = rec.verdicts(rec.load_run(leak))
    assert failed(v) == [silent]
    assert shown in v[silent].message
    assert "decoded: frame 1" in v[silent].message


def assert_decoded_lines_never_compared(rec, cid):
    run = rec.load_run()
    assert "_decoded" in rec.decode(cid, run)
    v = rec.verdicts(run)[cid]
    assert v.status == PASS
    assert "_decoded" not in json.dumps(v.observed)
