"""Every check id is written literally once, in the probe that emits it, so
`grep ID probes/` finds the one line that records it (house rule 6).

Ids are read from expected/common/*.yaml; the probes' C string literals are
read with comments removed (adjacent literals are not joined: an id split
over two literals is not greppable either). A probe that builds ids with a
format (obs_begin("%s.%d", ...)) would hide them from this test, so that is
refused too."""

import glob
import os
import re

import yaml

from conftest import ROOT

ID_LIKE = re.compile(r"ipv[46]\.[a-z0-9_]+\.")
PROBES = sorted(glob.glob(os.path.join(ROOT, "probes", "*.c")))

# C comments, string and char literals, in one pass so that a "/*" inside a
# string is not a comment and a quote inside a comment is not a string
_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def string_literals(text):
    """(line, value) of every C string literal outside comments."""
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.startswith('"'):
            out.append((text.count("\n", 0, m.start()) + 1, tok[1:-1]))
    return out


def literal_index():
    """value -> [(probe file, line)] for every literal of every probe."""
    index = {}
    for path in PROBES:
        with open(path) as f:
            for line, value in string_literals(f.read()):
                index.setdefault(value, []).append((os.path.relpath(path, ROOT), line))
    return index


def expected_ids():
    ids = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "expected", "common", "*.yaml"))):
        with open(path) as f:
            doc = yaml.safe_load(f)
        for cid in doc.get("checks") or {}:
            ids[cid] = os.path.basename(path)
    return ids


def test_literal_parser():
    src = 'a("x.y"); /* "not.this" */ b("q\\"r"); // "nor.this"\nc(\'"\', "z/*w*/");'
    assert string_literals(src) == [(1, "x.y"), (1, 'q\\"r'), (2, "z/*w*/")]


def test_every_id_is_one_literal_in_one_probe():
    index = literal_index()
    ids = expected_ids()
    assert ids, "no check ids found in expected/common"
    missing = sorted(cid for cid in ids if cid not in index)
    repeated = sorted("%s: %s" % (cid, ", ".join("%s:%d" % w for w in index[cid]))
                      for cid in ids if len(index.get(cid, ())) > 1)
    assert not missing, "%d of %d ids are not a string literal in any probe, e.g.:\n  %s" % (
        len(missing), len(ids), "\n  ".join(missing[:20]))
    assert not repeated, "ids written more than once:\n  " + "\n  ".join(repeated)


def test_no_probe_formats_an_id():
    calls = re.compile(r'\bobs_begin\s*\(\s*"([^"]*)"')
    bad = []
    for path in PROBES:
        with open(path) as f:
            text = f.read()
        for m in calls.finditer(text):
            if "%" in m.group(1) and m.group(1) != "%s":  # "%s": an id passed whole
                bad.append("%s:%d: obs_begin(\"%s\"...)" % (os.path.relpath(path, ROOT),
                                                            text.count("\n", 0, m.start()) + 1, m.group(1)))
        for line, value in string_literals(text):
            if ID_LIKE.match(value) and "%" in value:
                bad.append("%s:%d: \"%s\"" % (os.path.relpath(path, ROOT), line, value))
    assert not bad, "ids built with a format:\n  " + "\n  ".join(bad)


SAFE_SRC = r'''
#include "mcp.h"
#include <unistd.h>
static void setup_fails(void) { MCP_SAFE(close(-1)); obs_begin("t.safe.never"); obs_end(); }
static const struct mcp_scenario sc[] = { { "setup_fails", setup_fails, 0 } };
int main(int argc, char **argv) { return mcp_main(argc, argv, "safetest", sc, MCP_ARRAY_SIZE(sc)); }
'''


def test_safe_setup_failure_is_broken_with_file_line(tmp_path):
    """MCP_SAFE: a setup call that fails is a broken record naming the
    file:line and the call, and nothing after it is recorded."""
    import json
    import subprocess

    import pytest

    if os.geteuid() != 0:
        pytest.skip("needs root (the probe makes namespaces)")
    src = tmp_path / "safetest.c"
    src.write_text(SAFE_SRC)
    exe = str(tmp_path / "safetest")
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
                    "-I", os.path.join(ROOT, "probes", "lib"), "-o", exe, str(src),
                    os.path.join(ROOT, "probes", "lib", "mcp.c")], check=True)
    p = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    recs = [json.loads(x) for x in p.stdout.splitlines()]
    assert p.returncode == 1
    assert recs == [{"probe": "safetest", "scenario": "setup_fails",
                     "broken": "%s:4: close(-1): EBADF" % src}]


def _func_len():
    import importlib.util

    spec = importlib.util.spec_from_file_location("func_len", os.path.join(ROOT, "probes", "tools", "func_len.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_func_len_counts_a_function_from_signature_to_brace():
    fl = _func_len()
    src = ('static const int t[] = {\n\t1,\n};\n\n'
           'static int\nf(int a,\n  int b)\n{\n\tconst char *s = "}";\t/* } */\n\tif (a) {\n\t\treturn b;\n\t}\n'
           '\treturn 0;\n}\n\nvoid g(void)\n{\n}\n')
    assert fl.functions(src) == [("f", 5, 10), ("g", 16, 3)]


def test_no_probe_function_over_100_lines():
    """house rule 6: C functions <= 100 lines (scenarios are fixtures plus rows)"""
    fl = _func_len()
    long_ones = []
    for path in PROBES + sorted(glob.glob(os.path.join(ROOT, "probes", "lib", "*.c"))):
        with open(path) as f:
            long_ones += ["%s:%d: %s: %d lines" % (os.path.relpath(path, ROOT), line, name, n)
                          for name, line, n in fl.functions(f.read()) if n > 100]
    assert not long_ones, "\n".join(long_ones)
