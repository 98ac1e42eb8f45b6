# SPDX-License-Identifier: GPL-2.0
"""The fuzzers' committed assets stay consistent (fast; the fuzzers themselves run in
`make fuzz-smoke`): the seed corpus is what fuzz/gen_seeds.py writes, the dictionaries
parse as libFuzzer/AFL dictionaries, and every finding ships a reproducer."""
import importlib.util
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "fuzz")


def _gen_seeds():
    spec = importlib.util.spec_from_file_location("gen_seeds", os.path.join(FUZZ, "gen_seeds.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_corpus_matches_generator():
    g = _gen_seeds()
    tables = {"sockopt": g.SOCKOPT, "msfilter": g.MSFILTER, "igmp": g.IGMP}
    for target, seeds in g.SEEDS.items():
        for name, ops in seeds:
            path = os.path.join(FUZZ, "corpus", target, "seed-" + name)
            with open(path, "rb") as f:
                assert f.read() == g.prog(tables[target], *ops), \
                    "%s is stale: run /usr/bin/python3 fuzz/gen_seeds.py" % path


def test_seed_encoding_is_checked():
    """A seed with one byte changed is no longer what the generator writes."""
    g = _gen_seeds()
    name, ops = g.SEEDS["sockopt"][0]
    data = bytearray(g.prog(g.SOCKOPT, *ops))
    data[0] ^= 1
    with open(os.path.join(FUZZ, "corpus", "sockopt", "seed-" + name), "rb") as f:
        assert f.read() != bytes(data)


def test_dictionaries_parse():
    line_re = re.compile(r'^[A-Za-z0-9_]+="(\\x[0-9a-f]{2})+"$')
    for t in ("sockopt", "msfilter", "igmp"):
        entries = 0
        with open(os.path.join(FUZZ, "dict", t + ".dict")) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                assert line_re.match(line), "%s.dict: bad line %r" % (t, line)
                entries += 1
        assert entries > 40, "%s.dict has only %d entries" % (t, entries)


def test_every_finding_has_a_reproducer():
    d = os.path.join(FUZZ, "findings")
    cs = [n for n in os.listdir(d) if n.endswith(".c")]
    assert cs, "fuzz/findings has no reproducer"
    for n in cs:
        with open(os.path.join(d, n)) as f:
            head = f.read(4000)
        assert "Build:" in head and "Kernel finding" in head, n


def test_no_fuzzer_artifacts_committed():
    for dirpath, _, files in os.walk(FUZZ):
        for n in files:
            assert not re.match(r"(crash|leak|timeout|oom)-", n), os.path.join(dirpath, n)


def test_finding_reproducers_build_and_run(tmp_path):
    """Each standalone reproducer still builds against the probe library and
    runs to a verdict (0: not affected, 1: affected) in its own namespaces:
    a kernel fix must not leave a reproducer that merely fails to start."""
    import shutil
    import subprocess
    if os.geteuid() != 0:
        import pytest
        pytest.skip("reproducers make network namespaces: needs root")
    cc = shutil.which("cc") or shutil.which("gcc")
    d = os.path.join(FUZZ, "findings")
    root = os.path.dirname(FUZZ)
    for n in sorted(x for x in os.listdir(d) if x.endswith(".c")):
        exe = str(tmp_path / n[:-2])
        subprocess.run([cc, "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(root, "probes/lib"),
                        "-o", exe, os.path.join(d, n), os.path.join(root, "probes/lib/mcp.c")], check=True)
        p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        assert p.returncode in (0, 1), "%s exited %d:\n%s" % (n, p.returncode, p.stdout.decode(errors="replace"))
