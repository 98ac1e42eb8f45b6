"""expected/ loading: override selection by kernel release, and refusal of
expectations without reasons."""


import pytest

from conftest import write_dedented as write
from harness import expected


@pytest.fixture
def tree(tmp_path):
    write(tmp_path, "common/area.yaml", """
        area: area
        checks:
          a.limit: {facts: {accepted: 2730, optmem: 131072}, why: optmem bound}
          a.other: {facts: {ret: 0}, why: always}
        """)
    write(tmp_path, "overrides/linux-6.1.yaml", """
        kernels: {min: "6.1", below: "6.2"}
        why: Debian 12 kernel
        checks:
          a.limit: {facts: {accepted: 426}, why: optmem_max is 20480 in 6.1}
        """)
    return tmp_path


@pytest.mark.parametrize("release,accepted,applied", [
    ("6.1.0-28-amd64", 426, ["overrides/linux-6.1.yaml"]),
    ("6.1.192", 426, ["overrides/linux-6.1.yaml"]),
    ("6.12.57+deb13-amd64", 2730, []),
    ("6.18.44-fc-v669", 2730, []),
    ("6.0.19", 2730, []),
])
def test_override_applies_only_inside_its_release_range(tree, release, accepted, applied):
    exp = expected.load(str(tree), release)
    assert exp.checks["a.limit"]["facts"]["accepted"] == accepted, release
    assert exp.applied == applied
    # an override replaces only the facts it names
    assert exp.checks["a.limit"]["facts"]["optmem"] == 131072


def test_override_replaces_reason_and_names_its_source(tree):
    exp = expected.load(str(tree), "6.1.0-28-amd64")
    assert exp.checks["a.limit"]["why"] == "optmem_max is 20480 in 6.1"
    assert exp.checks["a.limit"]["source"] == "overrides/linux-6.1.yaml"
    assert exp.checks["a.other"]["source"] == "common/area.yaml"


@pytest.mark.parametrize("entry,complaint", [
    ("{facts: {ret: 0}}", "why"),
    ("{facts: {ret: 0}, why: ''}", "why"),
    ("{facts: {}, why: x}", "facts"),
    ("{why: x}", "facts"),
    ("{facts: {ret: 0}, why: x, wy: typo}", "unknown keys"),
])
def test_an_expectation_without_facts_or_reason_is_refused(tmp_path, entry, complaint):
    write(tmp_path, "common/area.yaml", "area: area\nchecks:\n  a.b: %s\n" % entry)
    with pytest.raises(expected.ExpectedError, match=complaint):
        expected.load(str(tmp_path), "6.18.0")


def test_override_of_unknown_check_is_refused(tree):
    write(tree, "overrides/linux-6.1.yaml", """
        kernels: {min: "6.1", below: "6.2"}
        why: x
        checks:
          a.nonexistent: {facts: {ret: 1}, why: y}
        """)
    with pytest.raises(expected.ExpectedError, match="no common expectation"):
        expected.load(str(tree), "6.1.0")


def test_area_must_match_file_name(tmp_path):
    write(tmp_path, "common/area.yaml", "area: other\nchecks: {}\n")
    with pytest.raises(expected.ExpectedError, match="area"):
        expected.load(str(tmp_path), "6.18.0")


def test_same_check_in_two_files_is_refused(tree):
    write(tree, "common/second.yaml", "area: second\nchecks:\n  a.other: {facts: {ret: 0}, why: dup}\n")
    with pytest.raises(expected.ExpectedError, match="already defined"):
        expected.load(str(tree), "6.18.0")


@pytest.mark.parametrize("text,version", [
    ("6.1.0-28-amd64", (6, 1, 0)), ("6.18.44-fc-v669", (6, 18, 44)), ("5.10", (5, 10, 0)),
])
def test_parse_release(text, version):
    assert expected.parse_release(text) == version


def test_unparsable_release_is_an_error():
    with pytest.raises(expected.ExpectedError):
        expected.parse_release("linux")


def test_repository_baseline_loads_for_the_kernels_we_judge():
    import os
    root = os.path.join(os.path.dirname(__file__), "..", "..", "expected")
    for release in ("6.1.0-28-amd64", "6.12.57", "6.18.44"):
        exp = expected.load(root, release)
        assert exp.checks, release
