"""expected/overrides/ file names follow one rule, <who>-<range>.yaml
(harness/expected.py): load() refuses any other name with the name it
wants, an area-named file holds only that area's checks, and make bless
proposes files by the same rule."""

import os
import shutil

import pytest

from conftest import ROOT, write_dedented as write
from harness import bless, expected

V = expected.parse_release


@pytest.fixture
def tree(tmp_path):
    write(tmp_path, "common/area.yaml", """
        area: area
        checks:
          a.limit: {facts: {accepted: 2730}, why: optmem bound}
        """)
    write(tmp_path, "common/other.yaml", """
        area: other
        checks:
          o.limit: {facts: {accepted: 2340}, why: optmem bound}
        """)
    return tmp_path


def override(tree, name, kernels='{min: "6.1", below: "6.2"}', cid="a.limit"):
    write(tree, "overrides/" + name, """
        kernels: %s
        why: a reason
        checks:
          %s: {facts: {accepted: 426}, why: optmem_max 20480}
        """ % (kernels, cid))


@pytest.mark.parametrize("lo,hi,name", [
    ("6.1", "6.2", "debian-6.1.yaml"),
    ("6.1", "6.8", "debian-6.1-below-6.8.yaml"),
    ("6.1.50", "6.2", "debian-6.1.50-below-6.2.yaml"),
    ("6.1", None, "debian-from-6.1.yaml"),
    (None, "6.8", "debian-below-6.8.yaml"),
])
def test_the_rule(lo, hi, name):
    assert expected.override_name("debian", lo and V(lo), hi and V(hi)) == name


def test_committed_overrides_follow_the_rule():
    odir = os.path.join(ROOT, "expected", "overrides")
    names = sorted(n for n in os.listdir(odir) if n.endswith(".yaml"))
    assert names
    for n in names:
        doc = expected._load_yaml(os.path.join(odir, n))
        k = doc["kernels"]
        assert n == expected.override_name(n.split("-")[0], "min" in k and V(str(k["min"])),
                                           "below" in k and V(str(k["below"])))
    expected.load(os.path.join(ROOT, "expected"), "6.1.0-57-amd64")


@pytest.mark.parametrize("name,kernels,complaint", [
    ("debian-6.2.yaml", '{min: "6.1", below: "6.2"}', "is named debian-6.1.yaml"),
    ("debian-6.1.yaml", '{min: "6.1", below: "6.8"}', "is named debian-6.1-below-6.8.yaml"),
    ("Debian_12.yaml", '{min: "6.1", below: "6.2"}', "starts with an area or a kernel build"),
    ("6.1.yaml", '{min: "6.1", below: "6.2"}', "starts with an area or a kernel build"),
])
def test_a_misnamed_override_is_refused_on_every_kernel(tree, name, kernels, complaint):
    override(tree, name, kernels)
    for release in ("6.1.0-57-amd64", "6.18.44"):  # whether or not its range holds the kernel
        with pytest.raises(expected.ExpectedError, match=complaint):
            expected.load(str(tree), release)


def test_an_area_named_override_holds_only_its_area(tree):
    override(tree, "area-6.1.yaml", cid="o.limit")
    with pytest.raises(expected.ExpectedError, match="named for area area but overrides checks of other areas: o.limit"):
        expected.load(str(tree), "6.1.0")
    os.rename(tree / "overrides" / "area-6.1.yaml", tree / "overrides" / "debian-6.1.yaml")
    assert expected.load(str(tree), "6.1.0").checks["o.limit"]["facts"] == {"accepted": 426}


def test_bless_proposes_files_load_accepts(tree, tmp_path_factory):
    out = tmp_path_factory.mktemp("proposed")
    path = bless.write_override(str(out), "area", {"a.limit": {"facts": {"accepted": 426}, "why": "TODO: x"}},
                                "6.1.0-57-amd64")
    assert os.path.basename(path) == "area-6.1.yaml"
    (tree / "overrides").mkdir()
    shutil.copy(path, tree / "overrides")
    exp = expected.load(str(tree), "6.1.0-57-amd64")
    assert exp.applied == ["overrides/area-6.1.yaml"] and exp.checks["a.limit"]["facts"] == {"accepted": 426}
    assert expected.load(str(tree), "6.2.0").applied == []
