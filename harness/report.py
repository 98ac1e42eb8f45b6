"""Reports: KTAP (kselftest shape) for machines, JUnit XML for CI systems,
JSON for tools, markdown for the person reading the result.

Every report is made from the same list of verdicts, so they cannot
disagree. A verdict with children (a harness check standing for results
known only after the run) is a KTAP subtest, and each child is its own JUnit
testcase and JSON entry. The report directory never holds a previous run's
results: ReportDir replaces them with "incomplete" reports before the run
starts, and a fatal error leaves reports that say the run failed."""

import json
import os
import re
import xml.etree.ElementTree as ET

from .judge import FAIL, PASS, SKIP, show

KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4
KTAP_FILE, JUNIT_FILE, JSON_FILE, SUMMARY_FILE, OBSERVATIONS_FILE = (
    "results.ktap", "results.junit.xml", "results.json", "summary.md", "observations.jsonl")


def ktap_name(cid):
    # KTAP descriptions may not contain '#'; keep names stable ASCII
    return re.sub(r"[^A-Za-z0-9_.-]", "_", cid)


def ktap_header(n):
    return ["TAP version 13", "1..%d" % n]


def ktap_result(num, v, indent=""):
    """The lines of one result: its diagnostics first, then (for a verdict
    with children) the subtest, then the result line."""
    name = ktap_name(v.id)
    if v.status == PASS:
        return [indent + "ok %d %s" % (num, name)]
    if v.status == SKIP:
        return [indent + "ok %d %s # SKIP %s" % (num, name, one_line(v.message))]
    lines = []
    if v.children:
        sub = indent + "  "
        lines += [sub + "KTAP version 1", sub + "1..%d" % len(v.children)]
        for i, child in enumerate(v.children, 1):
            lines += ktap_result(i, child, sub)
    lines += [indent + "# " + line for line in failure_text(v).splitlines()]
    lines.append(indent + "not ok %d %s" % (num, name))
    return lines


def one_line(s):
    return " ".join(str(s).split()).replace("#", "no.")


def failure_text(v):
    out = ["%s: %s" % (v.id, v.message)]
    if v.expected is not None:
        out.append("  expected: %s" % show(v.expected))
    if v.observed is not None:
        out.append("  observed: %s" % show(v.observed))
    if v.at:
        out.append("  recorded at: %s" % v.at)
    if v.why:
        out.append("  why expected: %s (%s)" % (v.why, v.source) if v.source else "  why expected: %s" % v.why)
    if v.tags:
        out.append("  tags: %s" % ", ".join(v.tags))
    return "\n".join(out)


def counts(verdicts):
    c = {PASS: 0, FAIL: 0, SKIP: 0}
    for v in verdicts:
        c[v.status] += 1
    return c


def leaves(verdicts):
    """Every result a report names: each verdict, then its children."""
    for v in verdicts:
        yield v, None
        for child in v.children:
            yield child, v


def ktap_totals(verdicts):
    c = counts(verdicts)
    return "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" % (c[PASS], c[FAIL], c[SKIP])


def exit_code(verdicts):
    """kselftest's: 1 if anything failed; 4 if no check of the suite passed
    (everything skipped, or nothing at all: never a pass); else 0."""
    c = counts(verdicts)
    if c[FAIL]:
        return KSFT_FAIL
    if not any(v.status == PASS for v in verdicts if v.area != "harness"):
        return KSFT_SKIP
    return KSFT_PASS


def ktap(verdicts):
    lines = ktap_header(len(verdicts))
    for i, v in enumerate(verdicts, 1):
        lines += ktap_result(i, v)
    lines.append(ktap_totals(verdicts))
    return "\n".join(lines) + "\n"


def _junit_doc(cases, suite="mcprobe"):
    """cases: [(classname, name, status, message, text, seconds)]."""
    root = ET.Element("testsuites")
    failures = sum(1 for c in cases if c[2] == FAIL)
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)), failures=str(failures),
                       skipped=str(sum(1 for c in cases if c[2] == SKIP)), errors="0")
    for classname, name, status, message, text, secs in cases:
        tc = ET.SubElement(ts, "testcase", classname=classname, name=name, time="%.6f" % secs)
        if status == FAIL:
            f = ET.SubElement(tc, "failure", message=one_line(message)[:500])
            f.text = text
        elif status == SKIP:
            ET.SubElement(tc, "skipped", message=one_line(message))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def junit(verdicts, suite="mcprobe", times=None):
    """One testcase per result; a child's classname is its parent's id."""
    times = times or {}
    cases = []
    for v, up in leaves(verdicts):
        classname = "%s.%s" % (suite, up.id if up else v.area)
        cases.append((classname, v.id, v.status, v.message, failure_text(v), 0.0 if up else times.get(v.id, 0.0)))
    return _junit_doc(cases, suite)


def json_totals(verdicts):
    t = counts(verdicts)
    t["failed_results"] = sum(1 for v, _ in leaves(verdicts) if v.status == FAIL)
    return t


def as_json(verdicts, meta):
    return json.dumps({"status": "complete", "meta": meta, "totals": json_totals(verdicts),
                       "results": [v.as_dict() for v in verdicts]}, indent=1, sort_keys=True) + "\n"


def markdown(verdicts, meta):
    c = counts(verdicts)
    out = ["# mcprobe results", "",
           "- kernel: `%s`" % meta.get("kernel_release"),
           "- observations: %s" % meta.get("observations_from"),
           "- overrides applied: %s" % (", ".join(meta.get("overrides") or []) or "none"),
           "- totals: **%d pass, %d fail, %d skip**" % (c[PASS], c[FAIL], c[SKIP]), ""]
    fails = [v for v in verdicts if v.status == FAIL]
    if fails:
        out += ["## Failures", ""]
        for v in fails:
            out += ["### `%s`" % v.id, "", "```", failure_text(v), "```", ""]
            for child in v.children:
                out += ["- `%s`: %s" % (child.id, one_line(child.message))]
            out += [""] if v.children else []
    skips = [v for v in verdicts if v.status == SKIP]
    if skips:
        out += ["## Skipped", ""] + ["- `%s`: %s" % (v.id, one_line(v.message)) for v in skips] + [""]
    out += ["## By area", "", "| area | pass | fail | skip |", "|---|---|---|---|"]
    for a in sorted({v.area for v in verdicts}):
        ca = counts([v for v in verdicts if v.area == a])
        out.append("| %s | %d | %d | %d |" % (a, ca[PASS], ca[FAIL], ca[SKIP]))
    return "\n".join(out) + "\n"


class ReportDir:
    """The directory a run writes its reports to. Opening it replaces what a
    previous run left with reports that say "incomplete" (a CI job that
    collects them after a crash or a kill publishes a failure, never stale
    results); results.ktap is then written line by line as KTAP is printed."""

    INCOMPLETE = "the run did not finish (still running, or killed): these reports hold no results"

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        try:
            os.unlink(os.path.join(path, OBSERVATIONS_FILE))
        except FileNotFoundError:
            pass
        self._write(JUNIT_FILE, _junit_doc([("mcprobe.harness", "harness.run.complete", FAIL, self.INCOMPLETE,
                                             self.INCOMPLETE, 0.0)]))
        self._write(JSON_FILE, json.dumps({"status": "incomplete", "reason": self.INCOMPLETE}, indent=1) + "\n")
        self._write(SUMMARY_FILE, "# mcprobe results: INCOMPLETE\n\n%s.\n" % self.INCOMPLETE.capitalize())
        self.ktap = open(os.path.join(path, KTAP_FILE), "w")

    def _write(self, name, text):
        tmp = os.path.join(self.path, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.path, name))

    def ktap_line(self, line):
        self.ktap.write(line + "\n")
        self.ktap.flush()

    def finish(self, verdicts, meta, raw_lines, times):
        self._write(OBSERVATIONS_FILE, "\n".join(raw_lines) + ("\n" if raw_lines else ""))
        self._write(JUNIT_FILE, junit(verdicts, times=times))
        self._write(JSON_FILE, as_json(verdicts, meta))
        self._write(SUMMARY_FILE, markdown(verdicts, meta))
        self.ktap.close()

    def fatal(self, reason):
        """The run could not start: every report says so."""
        self._write(JUNIT_FILE, _junit_doc([("mcprobe.harness", "harness.setup", FAIL, reason, reason, 0.0)]))
        self._write(JSON_FILE, json.dumps({"status": "fatal", "fatal": reason,
                                           "totals": {PASS: 0, FAIL: 1, SKIP: 0, "failed_results": 1}},
                                          indent=1) + "\n")
        self._write(SUMMARY_FILE, "# mcprobe results: FAILED before any check ran\n\n```\n%s\n```\n" % reason)
        self.ktap.close()
