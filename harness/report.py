"""Reports: KTAP (kselftest shape) for machines, JUnit XML for CI systems,
JSON for tools, markdown for the person reading the result."""

import json
import re
import xml.etree.ElementTree as ET

from .judge import FAIL, PASS, SKIP, show

KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4


def ktap_name(cid):
    # KTAP descriptions may not contain '#'; keep names stable ASCII
    return re.sub(r"[^A-Za-z0-9_.-]", "_", cid)


def ktap_header(n):
    return ["TAP version 13", "1..%d" % n]


def ktap_result(num, v):
    name = ktap_name(v.id)
    if v.status == PASS:
        return ["ok %d %s" % (num, name)]
    if v.status == SKIP:
        return ["ok %d %s # SKIP %s" % (num, name, one_line(v.message))]
    lines = ["not ok %d %s" % (num, name)]
    lines += ["# " + line for line in failure_text(v).splitlines()]
    return lines


def one_line(s):
    return " ".join(str(s).split()).replace("#", "no.")


def failure_text(v):
    out = ["%s: %s" % (v.id, v.message)]
    if v.expected is not None:
        out.append("  expected: %s" % show(v.expected))
    if v.observed is not None:
        out.append("  observed: %s" % show(v.observed))
    if v.why:
        out.append("  why expected: %s (%s)" % (v.why, v.source))
    if v.tags:
        out.append("  tags: %s" % ", ".join(v.tags))
    return "\n".join(out)


def counts(verdicts):
    c = {PASS: 0, FAIL: 0, SKIP: 0}
    for v in verdicts:
        c[v.status] += 1
    return c


def ktap_totals(verdicts):
    c = counts(verdicts)
    return "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" % (c[PASS], c[FAIL], c[SKIP])


def exit_code(verdicts):
    c = counts(verdicts)
    if c[FAIL]:
        return KSFT_FAIL
    if not c[PASS]:
        return KSFT_SKIP  # nothing ran (also: nothing at all) is never a pass
    return KSFT_PASS


def ktap(verdicts):
    lines = ktap_header(len(verdicts))
    for i, v in enumerate(verdicts, 1):
        lines += ktap_result(i, v)
    lines.append(ktap_totals(verdicts))
    return "\n".join(lines) + "\n"


def junit(verdicts, suite="mcprobe", times=None):
    times = times or {}
    c = counts(verdicts)
    root = ET.Element("testsuites")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(verdicts)),
                       failures=str(c[FAIL]), skipped=str(c[SKIP]), errors="0")
    for v in verdicts:
        tc = ET.SubElement(ts, "testcase", classname="%s.%s" % (suite, v.area), name=v.id,
                           time="%.6f" % times.get(v.id, 0.0))
        if v.status == FAIL:
            f = ET.SubElement(tc, "failure", message=one_line(v.message)[:500])
            f.text = failure_text(v)
        elif v.status == SKIP:
            ET.SubElement(tc, "skipped", message=one_line(v.message))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def as_json(verdicts, meta):
    return json.dumps({"meta": meta, "totals": counts(verdicts),
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
    skips = [v for v in verdicts if v.status == SKIP]
    if skips:
        out += ["## Skipped", ""] + ["- `%s`: %s" % (v.id, one_line(v.message)) for v in skips] + [""]
    out += ["## By area", "", "| area | pass | fail | skip |", "|---|---|---|---|"]
    areas = sorted({v.area for v in verdicts})
    for a in areas:
        ca = counts([v for v in verdicts if v.area == a])
        out.append("| %s | %d | %d | %d |" % (a, ca[PASS], ca[FAIL], ca[SKIP]))
    return "\n".join(out) + "\n"
