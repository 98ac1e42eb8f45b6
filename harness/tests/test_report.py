"""Reports: KTAP that kselftest consumers parse, JUnit with one testcase per
check id, kselftest exit codes."""

import xml.etree.ElementTree as ET

from tap.parser import Parser

from harness import report
from harness.judge import FAIL, PASS, SKIP, Verdict


def sample():
    return [
        Verdict("ipv4.membership.limit.default", "membership", PASS, expected={"value": 20}, observed={"value": 20}),
        Verdict("ipv4.membership.limit.sysctl_5", "membership", FAIL, "accepted: expected 5, observed 4",
                expected={"accepted": 5}, observed={"accepted": 4}, why="the sysctl", source="common/membership.yaml"),
        Verdict("ipv4.membership.socket.udplite", "membership", SKIP, "socket(): EPROTONOSUPPORT # not built"),
    ]


def parse(text):
    return list(Parser().parse_text(text))


def test_ktap_parses_with_python3_tap_and_counts_match():
    lines = parse(report.ktap(sample()))
    cats = [ln.category for ln in lines]
    assert "unknown" not in cats, [ln for ln in lines if ln.category == "unknown"]
    results = [ln for ln in lines if ln.category == "test"]
    assert [r.ok for r in results] == [True, False, True]
    assert results[2].skip
    assert results[1].description.strip() == "ipv4.membership.limit.sysctl_5"
    plan = [ln for ln in lines if ln.category == "plan"][0]
    assert plan.expected_tests == 3


def test_ktap_failure_shows_expected_observed_and_reason():
    text = report.ktap(sample())
    assert "#   expected: {\"accepted\": 5}" in text
    assert "#   observed: {\"accepted\": 4}" in text
    assert "why expected: the sysctl (common/membership.yaml)" in text
    assert text.rstrip().endswith("# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0")


def test_skip_reason_cannot_break_the_directive():
    line = report.ktap_result(3, sample()[2])[0]
    assert line.count("#") == 1 and line.startswith("ok 3 ipv4.membership.socket.udplite # SKIP")


def test_exit_codes_are_kselftest():
    s = sample()
    assert report.exit_code(s) == 1
    assert report.exit_code([s[0]]) == 0
    assert report.exit_code([s[2]]) == 4
    assert report.exit_code([]) == 4


def test_junit_has_one_testcase_per_check_id():
    root = ET.fromstring(report.junit(sample()))
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == [v.id for v in sample()]
    assert cases[1].find("failure") is not None
    assert "observed" in cases[1].find("failure").text
    assert cases[2].find("skipped") is not None
    assert root.find("testsuite").get("failures") == "1"


def test_markdown_lists_failures_first():
    md = report.markdown(sample(), {"kernel_release": "6.18", "observations_from": "x", "overrides": []})
    assert md.index("## Failures") < md.index("## By area")
    assert "ipv4.membership.limit.sysctl_5" in md
