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
    """One result. `children` are the results a planned harness check stands
    for when their number is only known after the run (one per malformed
    line, one per unexpected observation): KTAP prints them as a subtest."""

    __slots__ = ("id", "area", "status", "message", "expected", "observed", "why", "tags", "source", "at",
                 "children")

    def __init__(self, cid, area, status, message="", expected=None, observed=None, why="", tags=(), source="",
                 at="", children=()):
        self.id = cid
        self.area = area
        self.status = status
        self.message = message
        self.expected = expected
        self.observed = observed
        self.why = why
        self.tags = list(tags)
        self.source = source  # the expectation's file
        self.at = at  # the probe source line that recorded the observation
        self.children = list(children)

    def as_dict(self):
        d = {k: getattr(self, k) for k in self.__slots__ if k != "children"}
        if self.children:
            d["children"] = [c.as_dict() for c in self.children]
        return d


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
        self.errors = []  # (where "file:line", what was wrong): lines that were not observations
        self.at = {}  # id -> "probes/x.c:N", where the probe recorded it (when it says)
        self._skip_parts = {}  # probe -> {reason: [scenarios]}

    def add_record(self, rec, probe=None, where="?"):
        if not isinstance(rec, dict):
            self.errors.append((where, "not an object: %s" % show(rec)[:200]))
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
            if rec.get("at"):
                self.at[cid] = rec["at"]
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
                "scenario %s: %s%s" % (rec.get("scenario", "?"), rec["broken"],
                                       " (at %s)" % rec["at"] if rec.get("at") else ""))
        else:
            self.errors.append((where, "neither an observation nor a probe record: %s" % show(rec)[:200]))

    def add_lines(self, text, probe=None, origin="?"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = "%s:%d" % (origin, n)
            try:
                rec = json.loads(line)
            except ValueError:
                self.errors.append((where, "not JSON: %s" % line[:200]))
                continue
            if probe and isinstance(rec, dict) and "id" in rec:
                rec.setdefault("probe", probe)
            self.add_record(rec, probe, where)


def judge(exp, run, decode=None):
    """Every verdict one run gives: the expected checks (judge_checks), then
    the observations nobody expected (unexpected). For tools and tests; a
    report plans its results with harness.plan."""
    return judge_checks(exp, run, sorted(exp.checks, key=lambda c: (exp.area_of(c), c)), decode) + \
        unexpected(exp, run, decode)


def judge_checks(exp, run, ids, decode=None):
    """exp: harness.expected.Expectations; run: Run; ids: expected check ids,
    in report order. decode(area, id, facts) may turn raw facts (e.g.
    captured frames) into judged facts."""
    return [_judge_one(cid, exp.checks[cid], run, decode) for cid in ids]


def _judge_one(cid, e, run, decode):
    area = e["area"]
    kw = dict(why=e["why"], tags=e["tags"], source=e["source"], at=run.at.get(cid, ""))
    if cid in run.duplicates:
        return Verdict(cid, area, FAIL, "observed more than once in one run", **kw)
    if cid in run.check_skips:
        return Verdict(cid, area, SKIP, run.check_skips[cid], **kw)
    if cid not in run.facts:
        # a broken scenario may be why it is missing: that is never a skip
        if area in run.probe_skips and area not in run.broken:
            return Verdict(cid, area, SKIP, run.probe_skips[area], expected=e["facts"], **kw)
        why_missing = "; ".join(run.broken.get(area, []) + (
            ["skipped: " + run.probe_skips[area]] if area in run.probe_skips else [])) \
            or "the probe did not report it"
        return Verdict(cid, area, FAIL, "expected but not observed (%s)" % why_missing, expected=e["facts"], **kw)
    observed, decoded, failed = _decode(decode, area, cid, run)
    if failed:
        return Verdict(cid, area, FAIL, failed, observed=run.facts[cid], **kw)
    diffs = compare_facts(e["facts"], observed)
    if diffs:
        return Verdict(cid, area, FAIL, "; ".join(diffs) + decoded_text(decoded), expected=e["facts"],
                       observed=observed, **kw)
    return Verdict(cid, area, PASS, "", expected=e["facts"], observed=observed, **kw)


def _decode(decode, area, cid, run):
    """(facts, decoded lines, failure message or None)."""
    observed = run.facts[cid]
    if decode:
        try:
            observed = decode(area, cid, observed)
        except Exception as ex:  # a decoder failure is a named failure, not a crash
            return None, None, "cannot decode observation: %s" % ex
    observed, decoded = split_decoded(observed)
    return observed, decoded, None


def unexpected(exp, run, decode=None, probe=None):
    """A FAIL for every id the run reported (observed or skipped) that has no
    expectation; with `probe`, also for ids whose expectation belongs to
    another area than that probe's."""
    out = []
    for cid in sorted(set(run.facts) | set(run.check_skips)):
        e = exp.checks.get(cid)
        area = run.area_of.get(cid) or probe or "?"
        at = run.at.get(cid, "")
        if e is not None and (probe is None or e["area"] == probe):
            continue
        if e is not None:
            out.append(Verdict(cid, area, FAIL, "reported by probe %s, but its expectation is in area %s (%s)" % (
                probe, e["area"], e["source"]), at=at))
        elif cid in run.check_skips:
            out.append(Verdict(cid, area, FAIL, "skipped (%s), and no expectation in expected/ names it" %
                               run.check_skips[cid], at=at))
        else:
            observed, decoded, failed = _decode(decode, area, cid, run)
            out.append(Verdict(cid, area, FAIL, failed or (
                "observed but no expectation in expected/ (make bless proposes one)" + decoded_text(decoded)),
                observed=observed if not failed else run.facts[cid], at=at))
    return out


def malformed(run):
    """A FAIL for every line that was not an observation, named by where it was."""
    return [Verdict(where, "harness", FAIL, "%s: %s" % (where, what)) for where, what in run.errors]


WELL_FORMED = "harness.observations.well_formed"
ALL_EXPECTED = "harness.observations.all_expected"


def parent(cid, children, what, nothing):
    """The planned verdict standing for a list of results known only after
    the run: FAIL with them as children when there are any."""
    if not children:
        return Verdict(cid, "harness", PASS, "", expected=nothing, observed=nothing, why=what)
    return Verdict(cid, "harness", FAIL, "%d %s" % (len(children), what), expected=nothing,
                   observed=[c.id for c in children], why=what, children=children)


def merge_repeats(per_run):
    """per_run: [[Verdict]] from N runs of the same areas. One verdict per
    id: FAIL if any run failed, naming how many and the first message;
    children are merged the same way."""
    out = {}
    order = []
    for verdicts in per_run:
        for v in verdicts:
            if v.id not in out:
                out[v.id] = [v, 0, None, []]
                order.append(v.id)
            if v.status == FAIL:
                out[v.id][1] += 1
                if out[v.id][2] is None:
                    out[v.id][2] = v
            out[v.id][3].append(v.children)
    res = []
    for cid in order:
        first, nfail, failv, kids = out[cid]
        if nfail:
            v = Verdict(failv.id, failv.area, FAIL, "failed in %d of %d runs; first: %s" % (
                nfail, len(per_run), failv.message), failv.expected, failv.observed, failv.why, failv.tags,
                failv.source, failv.at)
            v.children = merge_repeats([k for k in kids if k]) if any(kids) else []
            res.append(v)
        else:
            res.append(first)
    return res
