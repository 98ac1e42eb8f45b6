"""harness/matrix.py: the kernel matrix page marks every row that differs
between kernels (status or observed facts), shows the differing facts and
keeps the full observation available, in HTML and markdown."""

import json
import os

from harness import matrix


def run_dir(tmp_path, name, results, overrides=()):
    d = tmp_path / name
    d.mkdir()
    doc = {"meta": {"kernel_release": name, "overrides": list(overrides)},
           "totals": {s: sum(1 for r in results if r["status"] == s) for s in ("pass", "fail", "skip")},
           "results": results}
    (d / "results.json").write_text(json.dumps(doc))
    return str(d)


def res(cid, status, observed, source="common/membership.yaml", why="a reason", message=""):
    return {"id": cid, "area": "membership", "status": status, "observed": observed, "expected": observed,
            "message": message, "why": why, "source": source, "tags": []}


def columns(tmp_path):
    a = run_dir(tmp_path, "6.18", [
        res("ipv4.membership.limit.default", "pass", {"value": 20}),
        res("ipv4.membership.limit.sysctl_1000", "pass", {"accepted": 1000, "next_errno": "ENOBUFS"}),
        res("ipv4.membership.only.here", "pass", {"ret": 0}),
    ])
    b = run_dir(tmp_path, "6.1", [
        res("ipv4.membership.limit.default", "fail", {"value": 10}, message="value: expected 20, observed 10"),
        res("ipv4.membership.limit.sysctl_1000", "pass", {"accepted": 426, "next_errno": "ENOBUFS"},
            source="overrides/debian-6.1.yaml", why="optmem_max 20480 before v6.8"),
        res("ipv4.membership.only.here", "skip", None, message="no veth"),
    ], overrides=["overrides/debian-6.1.yaml"])
    return [{"label": "running 6.18", "dir": a, "how": "host"}, {"label": "debian:6.1", "dir": b, "how": "qemu"}]


def test_rows_that_differ_come_first_with_the_differing_facts(tmp_path):
    cols = [matrix.load_column(c["label"], c["dir"]) for c in columns(tmp_path)]
    rows = matrix.rows(cols)
    by = {r[0]: r for r in rows}
    assert by["ipv4.membership.limit.default"][3] is True  # status differs
    assert by["ipv4.membership.limit.sysctl_1000"][3] is False
    assert by["ipv4.membership.limit.sysctl_1000"][4] == ["accepted"]  # same status, different facts
    assert by["ipv4.membership.only.here"][3] is True


def test_identical_rows_are_not_marked(tmp_path):
    d = run_dir(tmp_path, "x", [res("a.b.c", "pass", {"v": 1})])
    e = run_dir(tmp_path, "y", [res("a.b.c", "pass", {"v": 1})])
    cols = [matrix.load_column("x", d), matrix.load_column("y", e)]
    (row,) = matrix.rows(cols)
    assert row[3] is False and row[4] == [] and row[5] == []
    html, md = matrix.render([{"label": "x", "dir": d}, {"label": "y", "dir": e}])
    assert "class='dev" not in html and "class=' hasfail" not in html
    assert "None: every check has the same status" in md


def test_measured_values_within_a_range_are_not_deviations(tmp_path):
    ranged = {"spacing_ms": {"$range": [1, 1000]}}

    def r(v):
        x = res("ipv4.igmp.join.v3.repeat_spacing", "pass", {"spacing_ms": v})
        x["expected"] = ranged
        return x
    d = run_dir(tmp_path, "x", [r(32.0)])
    e = run_dir(tmp_path, "y", [r(47.9)])
    (row,) = matrix.rows([matrix.load_column("x", d), matrix.load_column("y", e)])
    assert row[3] is False and row[4] == [] and row[5] == ["spacing_ms"]
    html, md = matrix.render([{"label": "x", "dir": d}, {"label": "y", "dir": e}])
    assert "class='var'" in html and "class='dev" not in html
    assert "## Measured values" in md and "`spacing_ms=47.9`" in md
    assert "None: every check has the same status" in md


def test_html_marks_deviations_and_keeps_observations(tmp_path):
    html, _ = matrix.render(columns(tmp_path), generated="T")
    trs = html.split("<tr ")
    row = [t for t in trs if "data-id='ipv4.membership.limit.sysctl_1000'" in t][0]
    assert "class='dev'" in row
    assert "accepted=1000" in row and "accepted=426" in row
    assert "override" in row and "optmem_max 20480 before v6.8" in row
    fail = [t for t in trs if "data-id='ipv4.membership.limit.default'" in t][0]
    assert "dev hasfail" in fail and "FAIL" in fail and "expected 20, observed 10" in fail
    assert "<th>running 6.18</th><th>debian:6.1</th>" in html


def test_markdown_lists_differences_and_every_check(tmp_path):
    _, md = matrix.render(columns(tmp_path), generated="T")
    diff = md.split("## Differences between kernels")[1].split("## All checks")[0]
    assert "`ipv4.membership.limit.default` | pass `value=20` | **FAIL** `value=10` |" in diff
    assert "`accepted=426`" in diff and "(override)" in diff
    allc = md.split("## All checks")[1]
    assert allc.count("| `ipv4.membership.") == 3
    assert "| check id | running 6.18 | debian:6.1 |\n|---|---|---|" in md


def test_main_writes_page_and_markdown(tmp_path):
    cols = columns(tmp_path)
    out = tmp_path / "m" / "matrix"
    rc = matrix.main(["--out", str(out)] + ["%s=%s" % (c["label"], c["dir"]) for c in cols])
    assert rc == 0
    assert os.path.exists(out / "index.html") and os.path.exists(tmp_path / "m" / "matrix.md")
