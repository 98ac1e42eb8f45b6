"""Generated documentation and the lane's layout stay true by themselves:
README.md's check counts and the committed matrix page follow expected/
(`make docs` rewrites them), the qemu lane runs the harness from one
function, and ci/vm.mk's recipes are one-line calls of scripts."""

import ast
import glob
import os
import re
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "ci"))
import docs  # noqa: E402

CHECKS = docs.load_checks(os.path.join(ROOT, "expected"))


def test_readme_check_counts_are_current():
    with open(docs.README) as f:
        text = f.read()
    _, changes = docs.regenerate(text, CHECKS)
    assert not changes, "README.md numbers are stale, run `make docs-counts`: " + "; ".join(
        "line %d: %s is %s, README says %s" % c for c in changes)
    assert not docs.areas_without_marker(text, CHECKS), "areas README.md never counts"
    assert len(docs.MARKED.findall(text)) >= len(CHECKS)


def test_a_stale_count_is_found_and_rewritten():
    n = docs.count(CHECKS, "membership")
    text = "x <!-- count: membership -->%d<!-- /count --> y\n" % (n + 1)
    new, changes = docs.regenerate(text, CHECKS)
    assert changes == [(1, "membership", str(n + 1), str(n))]
    assert new == "x <!-- count: membership -->%d<!-- /count --> y\n" % n
    assert docs.regenerate(new, CHECKS)[1] == []


def test_counts_add_areas_and_filter_tags():
    c = {"a": {"a.1": [], "a.2": ["kernel-bug"]}, "b": {"b.1": ["kernel-bug"]}}
    assert docs.count(c, "all") == 3
    assert docs.count(c, "a,b") == 3
    assert docs.count(c, "a tag=kernel-bug") == 1
    assert docs.count(c, "all tag=kernel-bug") == 2
    with pytest.raises(docs.DocsError, match="unknown area"):
        docs.count(c, "a,nope")
    with pytest.raises(docs.DocsError, match="bad count marker"):
        docs.count(c, "a b")


def test_committed_matrix_page_has_a_row_per_check():
    with open(os.path.join(ROOT, "ci", "matrix", "matrix.md")) as f:
        rows = set(re.findall(r"^\| `([^`]+)`", f.read(), re.M))
    ids = {cid for area in CHECKS.values() for cid in area}
    rows = {r for r in rows if not r.startswith("harness.")}
    assert rows == ids, "ci/matrix is stale, run `make docs`: missing %s; gone %s" % (
        sorted(ids - rows)[:5], sorted(rows - ids)[:5])


def _lane_sources():
    return [os.path.join(ROOT, "ci", "vm.py")] + sorted(glob.glob(os.path.join(ROOT, "ci", "vmlane", "*.py")))


def test_the_lane_runs_the_harness_from_one_function():
    users = []
    for path in glob.glob(os.path.join(ROOT, "ci", "**", "*.py"), recursive=True):
        with open(path) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "MCPROBE":
                users.append(os.path.relpath(path, ROOT))
    assert set(users) == {"ci/vmlane/suite.py"}, users


def test_lane_functions_are_short():
    long = []
    for path in _lane_sources():
        with open(path) as f:
            for node in ast.walk(ast.parse(f.read())):
                if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                    long.append("%s:%d %s" % (os.path.relpath(path, ROOT), node.lineno, node.name))
    assert not long


@pytest.mark.parametrize("mk", ["ci/vm.mk", "ci/docs.mk"])
def test_make_recipes_are_one_line_calls(mk):
    """Shell logic lives in scripts a person can run and read; a recipe is
    one command (a long one may wrap with a backslash), after at most a
    `mkdir -p` of its target's directory."""
    bad, cmds, prev = [], 0, ""
    with open(os.path.join(ROOT, mk)) as f:
        for n, line in enumerate(f, 1):
            if not line.startswith("\t"):
                cmds, prev = 0, ""
                continue
            if not prev.rstrip().endswith("\\") and not line.strip().startswith("@mkdir -p "):
                cmds += 1
            if cmds > 1 or re.search(r"\b(for|while|if|case)\b.*;|;\s*(do|then)\b", line):
                bad.append("%s:%d: %s" % (mk, n, line.strip()))
            prev = line
    assert not bad, "move the shell into a script: " + "; ".join(bad)
