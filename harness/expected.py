"""Loading expected/: baselines common to every kernel plus overrides for
kernel release ranges.

Layout:
  expected/common/<area>.yaml     area: NAME, checks: {id: {facts: {...}, why: "..."}}
  expected/overrides/<name>.yaml  kernels: {min: "6.1", below: "6.2"}, why: "...",
                                  checks: {id: {facts: {...}, why: "..."}}

An override replaces the named facts of a check (the other facts stay) and
its reason. Every check needs a non-empty one-line `why`: a value without a
reason is a load error, not a default.
"""

import os
import re

import yaml


class ExpectedError(Exception):
    pass


def parse_release(release):
    """'6.1.0-28-amd64' -> (6, 1, 0); '6.18.44-fc' -> (6, 18, 44)."""
    m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", release or "")
    if not m:
        raise ExpectedError("cannot read a kernel version from release %r" % release)
    return tuple(int(x) if x is not None else 0 for x in m.groups())


def _version(text, where):
    try:
        return parse_release(str(text))
    except ExpectedError:
        raise ExpectedError("%s: bad kernel version %r" % (where, text))


def _check_entry(where, cid, entry, need_facts=True):
    if not isinstance(entry, dict):
        raise ExpectedError("%s: %s: entry must be a mapping" % (where, cid))
    unknown = set(entry) - {"facts", "why", "tags"}
    if unknown:
        raise ExpectedError("%s: %s: unknown keys %s" % (where, cid, sorted(unknown)))
    why = entry.get("why")
    if not isinstance(why, str) or not why.strip() or "\n" in why.strip():
        raise ExpectedError("%s: %s: needs a one-line 'why'" % (where, cid))
    facts = entry.get("facts")
    if need_facts and (not isinstance(facts, dict) or not facts):
        raise ExpectedError("%s: %s: needs 'facts' (a non-empty mapping)" % (where, cid))


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml's mappings keep the last of two equal keys: a check id (or a
    fact) written twice in one file would silently lose its first entry."""

    path = "?"

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ExpectedError("%s:%d: %s is defined twice in this file (first at %s:%d)" % (
                    self.path, line, key, self.path, seen[key]))
            seen[key] = line
        return super().construct_mapping(node, deep)


def _load_yaml(path):
    with open(path) as f:
        loader = _UniqueKeyLoader(f)
        loader.path = path
        try:
            return loader.get_single_data() or {}
        except yaml.YAMLError as e:
            raise ExpectedError("%s: %s" % (path, e))
        finally:
            loader.dispose()


class Expectations:
    """The expectations that apply to one kernel release."""

    def __init__(self, checks, areas, applied):
        self.checks = checks  # id -> {"facts", "why", "tags", "area", "source"}
        self.areas = areas  # area -> [ids]
        self.applied = applied  # override files that applied

    def area_of(self, cid):
        c = self.checks.get(cid)
        return c["area"] if c else None


def load(expected_dir, release):
    version = parse_release(release)
    checks, areas = {}, {}
    common = os.path.join(expected_dir, "common")
    if not os.path.isdir(common):
        raise ExpectedError("%s: no common/ directory" % expected_dir)
    for name in sorted(os.listdir(common)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(common, name)
        doc = _load_yaml(path)
        area = doc.get("area")
        if area != name[:-5]:
            raise ExpectedError("%s: 'area' must be %r (the file name)" % (path, name[:-5]))
        areas.setdefault(area, [])
        for cid, entry in (doc.get("checks") or {}).items():
            _check_entry(path, cid, entry)
            if cid in checks:
                raise ExpectedError("%s: %s already defined in %s" % (path, cid, checks[cid]["source"]))
            checks[cid] = {
                "facts": dict(entry["facts"]),
                "why": entry["why"].strip(),
                "tags": list(entry.get("tags") or []),
                "area": area,
                "source": os.path.relpath(path, expected_dir),
            }
            areas[area].append(cid)
    applied = []
    odir = os.path.join(expected_dir, "overrides")
    for name in sorted(os.listdir(odir)) if os.path.isdir(odir) else []:
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(odir, name)
        doc = _load_yaml(path)
        rng = doc.get("kernels")
        if not isinstance(rng, dict) or not ({"min", "below"} & set(rng)):
            raise ExpectedError("%s: needs kernels: {min: X, below: Y}" % path)
        if not isinstance(doc.get("why"), str) or not doc["why"].strip():
            raise ExpectedError("%s: needs a 'why' for the whole override" % path)
        lo = _version(rng["min"], path) if "min" in rng else (0, 0, 0)
        hi = _version(rng["below"], path) if "below" in rng else (10**6, 0, 0)
        if not (lo <= version < hi):
            continue
        applied.append(os.path.relpath(path, expected_dir))
        for cid, entry in (doc.get("checks") or {}).items():
            _check_entry(path, cid, entry)
            if cid not in checks:
                raise ExpectedError("%s: overrides %s, which has no common expectation" % (path, cid))
            checks[cid]["facts"].update(entry["facts"])
            checks[cid]["why"] = entry["why"].strip()
            checks[cid]["source"] = os.path.relpath(path, expected_dir)
    return Expectations(checks, areas, applied)
