"""Judging observations against expectations. Pure functions: no I/O.

A verdict is one of PASS, FAIL, SKIP for every check id in the union of what
was expected and what was observed. Nothing passes by omission:
  - observed, not expected          -> FAIL (propose one with `make bless`)
  - expected, not observed          -> FAIL, or SKIP when the probe of its
                                       area said it cannot run here (reason)
  - observed twice in one run       -> FAIL
Facts are compared exactly: every observed fact must be expected and every
expected fact observed. An expected value may be a matcher instead of a
literal: {"$range": [lo, hi]}, {"$one_of": [...]}, {"$regex": "..."}.
A decoder may add "_decoded" (text lines, e.g. dissected frames) to the facts
it returns: never compared, shown in the failure message.
"""

import json
import re

PASS, FAIL, SKIP = "pass", "fail", "skip"


class Verdict:
    __slots__ = ("id", "area", "status", "message", "expected", "observed", "why", "tags", "source")

    def __init__(self, cid, area, status, message="", expected=None, observed=None, why="", tags=(), source=""):
        self.id = cid
        self.area = area
        self.status = status
        self.message = message
        self.expected = expected
        self.observed = observed
        self.why = why
        self.tags = list(tags)
        self.source = source

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}


def show(v):
    return json.dumps(v, sort_keys=True)


def matches(expected, observed):
    if isinstance(expected, dict) and len(expected) == 1:
        (op, arg), = expected.items()
        if op == "$range":
            lo, hi = arg
            return isinstance(observed, (int, float)) and not isinstance(observed, bool) and lo <= observed <= hi
        if op == "$one_of":
            return any(matches(a, observed) for a in arg)
        if op == "$regex":
            return isinstance(observed, str) and re.fullmatch(arg, observed) is not None
    if isinstance(expected, dict) and isinstance(observed, dict):
        return set(expected) == set(observed) and all(matches(expected[k], observed[k]) for k in expected)
    if isinstance(expected, list) and isinstance(observed, list):
        return len(expected) == len(observed) and all(matches(a, b) for a, b in zip(expected, observed))
    if isinstance(expected, bool) or isinstance(observed, bool):
        return type(expected) is type(observed) and expected == observed
    return expected == observed


def split_decoded(facts):
    """(facts without "_decoded", the decoded lines or None)."""
    if isinstance(facts, dict) and "_decoded" in facts:
        facts = dict(facts)
        return facts, facts.pop("_decoded")
    return facts, None


def decoded_text(decoded):
    if not decoded:
        return ""
    lines = decoded if isinstance(decoded, list) else [decoded]
    return "".join("\n  decoded: %s" % line for line in lines)


def compare_facts(expected, observed):
    """Returns a list of human-readable differences, empty when equal."""
    diffs = []
    for k in sorted(set(expected) | set(observed)):
        if k not in observed:
            diffs.append("%s: expected %s, not observed" % (k, show(expected[k])))
        elif k not in expected:
            diffs.append("%s: observed %s, no expectation for this fact" % (k, show(observed[k])))
        elif not matches(expected[k], observed[k]):
            diffs.append("%s: expected %s, observed %s" % (k, show(expected[k]), show(observed[k])))
    return diffs


class Run:
    """What one probe run (or a recorded file) produced, per area."""

    def __init__(self):
        self.facts = {}  # id -> facts
        self.area_of = {}  # id -> probe that observed it
        self.check_skips = {}  # id -> reason (probe skipped one check)
        self.probe_skips = {}  # area -> reason (whole probe could not run)
        self.broken = {}  # area -> [messages]
        self.duplicates = set()
        self.errors = []  # lines that were not observations
        self._skip_parts = {}  # probe -> {reason: [scenarios]}

    def add_record(self, rec, probe=None):
        if not isinstance(rec, dict):
            self.errors.append("not an object: %r" % (rec,))
            return
        if "id" in rec:
            cid = rec["id"]
            if cid in self.facts or cid in self.check_skips:
                self.duplicates.add(cid)
            if "skip" in rec:
                self.check_skips[cid] = rec["skip"]
            else:
                self.facts[cid] = rec.get("facts", {})
            self.area_of[cid] = rec.get("probe", probe)
        elif "probe" in rec and "skip" in rec:
            # one reason, listed once with the scenarios it stopped
            parts = self._skip_parts.setdefault(rec["probe"], {})
            scen = parts.setdefault(rec["skip"], [])
            if rec.get("scenario") not in (None, "*"):
                scen.append(rec["scenario"])
            self.probe_skips[rec["probe"]] = "; ".join(
                ("%s (scenario%s %s)" % (why, "s" if len(s) > 1 else "", ", ".join(s))) if s else why
                for why, s in parts.items())
        elif "probe" in rec and "broken" in rec:
            self.broken.setdefault(rec["probe"], []).append(
                "scenario %s: %s" % (rec.get("scenario", "?"), rec["broken"]))
        else:
            self.errors.append("unknown record: %s" % show(rec))

    def add_lines(self, text, probe=None, origin="?"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                self.errors.append("%s:%d: not JSON: %s" % (origin, n, line[:200]))
                continue
            if probe and isinstance(rec, dict) and "id" in rec:
                rec.setdefault("probe", probe)
            self.add_record(rec, probe)


def judge(exp, run, decode=None):
    """exp: harness.expected.Expectations; run: Run. Returns [Verdict] in a
    stable order (by area, then id). decode(area, id, facts) may turn raw
    facts (e.g. captured frames) into judged facts."""
    verdicts = []
    ids = set(exp.checks) | set(run.facts) | set(run.check_skips)
    for cid in sorted(ids, key=lambda c: (exp.area_of(c) or run.area_of.get(c) or "", c)):
        e = exp.checks.get(cid)
        area = e["area"] if e else (run.area_of.get(cid) or "?")
        kw = dict(why=e["why"] if e else "", tags=e["tags"] if e else (), source=e["source"] if e else "")
        if cid in run.duplicates:
            verdicts.append(Verdict(cid, area, FAIL, "observed more than once in one run", **kw))
            continue
        if cid in run.check_skips:
            verdicts.append(Verdict(cid, area, SKIP, run.check_skips[cid], **kw))
            continue
        if cid not in run.facts:
            # a broken scenario may be why it is missing: that is never a skip
            if area in run.probe_skips and area not in run.broken:
                verdicts.append(Verdict(cid, area, SKIP, run.probe_skips[area], expected=e["facts"], **kw))
            else:
                why_missing = "; ".join(run.broken.get(area, []) + (
                    ["skipped: " + run.probe_skips[area]] if area in run.probe_skips else [])) \
                    or "the probe did not report it"
                verdicts.append(Verdict(cid, area, FAIL, "expected but not observed (%s)" % why_missing,
                                        expected=e["facts"], **kw))
            continue
        observed = run.facts[cid]
        if decode:
            try:
                observed = decode(area, cid, observed)
            except Exception as ex:  # a decoder failure is a named failure, not a crash
                verdicts.append(Verdict(cid, area, FAIL, "cannot decode observation: %s" % ex,
                                        observed=run.facts[cid], **kw))
                continue
        observed, decoded = split_decoded(observed)
        if not e:
            verdicts.append(Verdict(cid, area, FAIL,
                                    "observed but no expectation in expected/ (make bless proposes one)"
                                    + decoded_text(decoded), observed=observed, **kw))
            continue
        diffs = compare_facts(e["facts"], observed)
        if diffs:
            verdicts.append(Verdict(cid, area, FAIL, "; ".join(diffs) + decoded_text(decoded),
                                    expected=e["facts"], observed=observed, **kw))
        else:
            verdicts.append(Verdict(cid, area, PASS, "", expected=e["facts"], observed=observed, **kw))
    return verdicts


def merge_repeats(per_run):
    """per_run: [[Verdict]] from N runs of the same areas. One verdict per
    id: FAIL if any run failed, naming how many and the first message."""
    out = {}
    order = []
    for verdicts in per_run:
        for v in verdicts:
            if v.id not in out:
                out[v.id] = [v, 0, None]
                order.append(v.id)
            if v.status == FAIL:
                out[v.id][1] += 1
                if out[v.id][2] is None:
                    out[v.id][2] = v
    res = []
    for cid in order:
        first, nfail, failv = out[cid]
        if nfail:
            failv.message = "failed in %d of %d runs; first: %s" % (nfail, len(per_run), failv.message)
            res.append(failv)
        else:
            res.append(first)
    return res
