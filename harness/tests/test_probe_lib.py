"""The probe library's contract, on a probe built for the test: a scenario
whose setup finds a kernel feature missing is a SKIP with its reason, one
that breaks otherwise is named; neither hides the other scenarios' checks."""

import json
import os
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the probe makes namespaces)")

SRC = r'''
#include "mcp.h"
static void missing(void) { errno = EOPNOTSUPP; mcp_broken("veth v0/p0"); }
static void broken(void) { errno = EEXIST; mcp_broken("route 224/4"); }
static void fine(void) { obs_begin("t.lib.fine"); obs_int("value", 1); obs_end(); }
static const struct mcp_scenario sc[] = { { "missing", missing, 0 }, { "broken", broken, 0 }, { "fine", fine, 0 } };
int main(int argc, char **argv) { return mcp_main(argc, argv, "libtest", sc, MCP_ARRAY_SIZE(sc)); }
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    d = tmp_path_factory.mktemp("libtest")
    (d / "libtest.c").write_text(SRC)
    exe = d / "libtest"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
                    "-I", os.path.join(ROOT, "probes", "lib"), "-o", str(exe), str(d / "libtest.c"),
                    os.path.join(ROOT, "probes", "lib", "mcp.c")], check=True)
    return str(exe)


def records(probe, *args):
    p = subprocess.run([probe, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, [json.loads(x) for x in p.stdout.splitlines()]


def test_missing_kernel_feature_is_a_skip_record_not_a_failure(probe):
    rc, recs = records(probe, "--only", "missing,fine")
    assert rc == 0
    assert {"probe": "libtest", "scenario": "missing",
            "skip": "veth v0/p0: EOPNOTSUPP (kernel feature missing)"} in recs
    assert any(r.get("id") == "t.lib.fine" for r in recs)


def test_other_setup_failure_is_broken_and_fails_the_probe(probe):
    rc, recs = records(probe, "--only", "broken,fine")
    assert rc == 1
    assert {"probe": "libtest", "scenario": "broken", "broken": "route 224/4: EEXIST"} in recs
    assert any(r.get("id") == "t.lib.fine" for r in recs)
