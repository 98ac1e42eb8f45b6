"""The judge: exact comparison of facts, matchers, and nothing passing by
omission (unknown, missing, duplicate, skipped and broken observations)."""

import pytest

from harness.expected import Expectations
from harness.judge import FAIL, PASS, SKIP, Run, compare_facts, judge, matches, merge_repeats


def exp_of(checks, area="membership"):
    full = {cid: {"facts": f, "why": "because", "tags": [], "area": area, "source": "common/%s.yaml" % area}
            for cid, f in checks.items()}
    return Expectations(full, {area: list(checks)}, [])


def run_of(*records, probe="membership"):
    r = Run()
    for rec in records:
        if "id" in rec:
            rec = dict(rec, probe=probe)
        r.add_record(rec, probe)
    return r


def by_id(verdicts):
    return {v.id: v for v in verdicts}


def test_equal_facts_pass():
    v = by_id(judge(exp_of({"x": {"ret": -1, "errno": "ENOBUFS"}}),
                    run_of({"id": "x", "facts": {"ret": -1, "errno": "ENOBUFS"}})))
    assert v["x"].status == PASS


@pytest.mark.parametrize("observed,needle", [
    ({"ret": -1, "errno": "EINVAL"}, "errno: expected \"ENOBUFS\", observed \"EINVAL\""),
    ({"ret": -1}, "errno: expected \"ENOBUFS\", not observed"),
    ({"ret": -1, "errno": "ENOBUFS", "extra": 1}, "extra: observed 1, no expectation for this fact"),
])
def test_any_difference_fails_and_says_which_fact(observed, needle):
    v = by_id(judge(exp_of({"x": {"ret": -1, "errno": "ENOBUFS"}}), run_of({"id": "x", "facts": observed})))
    assert v["x"].status == FAIL
    assert needle in v["x"].message


def test_observation_without_expectation_fails():
    v = by_id(judge(exp_of({}), run_of({"id": "new.check", "facts": {"ret": 0}})))
    assert v["new.check"].status == FAIL
    assert "no expectation" in v["new.check"].message


def test_expectation_without_observation_fails():
    v = by_id(judge(exp_of({"x": {"ret": 0}}), run_of()))
    assert v["x"].status == FAIL
    assert "expected but not observed" in v["x"].message


def test_broken_scenario_is_named_in_the_missing_checks():
    r = run_of({"probe": "membership", "scenario": "limit", "broken": "veth v0/p0: EEXIST"})
    v = by_id(judge(exp_of({"x": {"ret": 0}}), r))
    assert v["x"].status == FAIL
    assert "scenario limit: veth v0/p0: EEXIST" in v["x"].message


def test_whole_probe_skip_skips_its_checks_with_reason():
    r = run_of({"probe": "membership", "skip": "cannot create a network namespace"})
    v = by_id(judge(exp_of({"x": {"ret": 0}, "y": {"ret": 1}}), r))
    assert {v["x"].status, v["y"].status} == {SKIP}
    assert v["x"].message == "cannot create a network namespace"


def test_probe_skip_does_not_cover_other_areas():
    r = run_of({"probe": "other", "skip": "no"})
    v = by_id(judge(exp_of({"x": {"ret": 0}}), r))
    assert v["x"].status == FAIL


def test_single_check_skip():
    v = by_id(judge(exp_of({"x": {"ret": 0}}), run_of({"id": "x", "skip": "no UDP-Lite"})))
    assert v["x"].status == SKIP and v["x"].message == "no UDP-Lite"


def test_observed_twice_fails():
    v = by_id(judge(exp_of({"x": {"ret": 0}}), run_of({"id": "x", "facts": {"ret": 0}},
                                                       {"id": "x", "facts": {"ret": 0}})))
    assert v["x"].status == FAIL and "more than once" in v["x"].message


@pytest.mark.parametrize("expected,observed,ok", [
    ({"$range": [1, 5]}, 3, True),
    ({"$range": [1, 5]}, 6, False),
    ({"$range": [0, 1]}, True, False),
    ({"$one_of": ["EINVAL", "ENOBUFS"]}, "ENOBUFS", True),
    ({"$one_of": ["EINVAL", "ENOBUFS"]}, "EPERM", False),
    ({"$regex": "v0 239\\..*"}, "v0 239.1.1.1 users=1", True),
    ({"$regex": "v0 239\\..*"}, "w0 239.1.1.1 users=1", False),
    (True, 1, False),
    (0, False, False),
    (None, 0, False),
    ([1, 2], [2, 1], False),
    ({"a": 1}, {"a": 1, "b": 2}, False),
])
def test_matchers_and_strict_types(expected, observed, ok):
    assert matches(expected, observed) is ok


def test_compare_lists_every_difference():
    diffs = compare_facts({"a": 1, "b": 2}, {"a": 2, "c": 3})
    assert len(diffs) == 3


def test_repeats_fail_if_any_run_failed_and_count_them():
    e = exp_of({"x": {"ret": 0}})
    good = judge(e, run_of({"id": "x", "facts": {"ret": 0}}))
    bad = judge(e, run_of({"id": "x", "facts": {"ret": -1}}))
    merged = by_id(merge_repeats([good, bad, good]))
    assert merged["x"].status == FAIL
    assert "failed in 1 of 3 runs" in merged["x"].message
    assert by_id(merge_repeats([good, good]))["x"].status == PASS


def test_malformed_lines_are_reported_not_ignored():
    r = Run()
    r.add_lines('{"id": "x", "facts": {}}\nnot json\n{"what": 1}\n', probe="membership")
    assert len(r.errors) == 2


def test_scenario_skip_with_a_broken_scenario_in_the_same_area_fails():
    r = run_of({"probe": "membership", "scenario": "a", "skip": "veth: EOPNOTSUPP (kernel feature missing)"},
               {"probe": "membership", "scenario": "b", "broken": "route: EEXIST"})
    v = by_id(judge(exp_of({"x": {"ret": 0}}), r))
    assert v["x"].status == FAIL
    assert "route: EEXIST" in v["x"].message and "EOPNOTSUPP" in v["x"].message


def test_scenario_skip_names_the_scenario():
    r = run_of({"probe": "membership", "scenario": "iface", "skip": "veth: EOPNOTSUPP (kernel feature missing)"})
    v = by_id(judge(exp_of({"x": {"ret": 0}}), r))
    assert v["x"].status == SKIP
    assert v["x"].message == "veth: EOPNOTSUPP (kernel feature missing) (scenario iface)"
    r.add_record({"probe": "membership", "scenario": "drop", "skip": "veth: EOPNOTSUPP (kernel feature missing)"})
    v = by_id(judge(exp_of({"x": {"ret": 0}}), r))
    assert v["x"].message == "veth: EOPNOTSUPP (kernel feature missing) (scenarios iface, drop)"
