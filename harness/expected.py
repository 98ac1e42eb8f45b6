"""Loading expected/: baselines common to every kernel plus overrides for
kernel release ranges.

Layout:
  expected/common/<area>.yaml     area: NAME, checks: {id: {facts: {...}, why: "..."}}
  expected/overrides/<name>.yaml  kernels: {min: "6.1", below: "6.2"}, why: "...",
                                  checks: {id: {facts: {...}, why: "..."}}

An override's file name says whose it is and the range it holds, so that
`ls expected/overrides` answers "what applies to 6.1?" (override_name()):

  <who>-<min>.yaml                 a range of one minor release: min 6.1, below 6.2
  <who>-<min>-below-<below>.yaml   several: min 6.1, below 6.8
  <who>-from-<min>.yaml            no upper bound;  <who>-below-<below>.yaml: no lower

<who> is an area of expected/common (then the file holds only that area's
checks: sourcefilter-6.1.yaml) or the kernel build the differences belong to,
across areas (debian-6.1.yaml; linux-... for upstream). make bless proposes
files by the same rule; a file named otherwise is a load error.

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


OVERRIDE_WHO = re.compile(r"^[a-z][a-z0-9]*$")


def _ver_text(v):
    return "%d.%d" % v[:2] if not v[2] else "%d.%d.%d" % v


def override_name(who, lo=None, hi=None):
    """The file name of an override of `who` for releases lo <= r < hi
    (version tuples from parse_release; None: unbounded)."""
    if not OVERRIDE_WHO.match(who or ""):
        raise ExpectedError("override owner %r: want an area or a kernel build name ([a-z][a-z0-9]*)" % who)
    if lo and hi:
        one_minor = hi == (lo[0], lo[1] + 1, 0) and not lo[2]
        rng = _ver_text(lo) if one_minor else "%s-below-%s" % (_ver_text(lo), _ver_text(hi))
    elif lo:
        rng = "from-" + _ver_text(lo)
    elif hi:
        rng = "below-" + _ver_text(hi)
    else:
        raise ExpectedError("an override needs kernels: {min: X, below: Y}")
    return "%s-%s.yaml" % (who, rng)


def _check_override_name(path, name, lo, hi, doc, areas, checks):
    who = name.split("-", 1)[0]
    if not OVERRIDE_WHO.match(who):
        raise ExpectedError("%s: an override's name starts with an area or a kernel build ([a-z][a-z0-9]*), then "
                            "its range: %s (see harness/expected.py)" % (path, override_name("debian", lo, hi)))
    want = override_name(who, lo, hi)
    if name != want:
        raise ExpectedError("%s: an override for kernels %s is named %s (<area or kernel build>-<range>.yaml, "
                            "see harness/expected.py), not %s" % (path, _range_text(lo, hi), want, name))
    if who in areas:
        others = sorted(c for c in (doc.get("checks") or {}) if c in checks and checks[c]["area"] != who)
        if others:
            raise ExpectedError("%s: named for area %s but overrides checks of other areas: %s (name it for the "
                                "kernel build, e.g. %s)" % (path, who, ", ".join(others[:3]),
                                                          override_name("debian", lo, hi)))


def _range_text(lo, hi):
    return "{%s}" % ", ".join(x for x in ("min: %s" % _ver_text(lo) if lo else "",
                                          "below: %s" % _ver_text(hi) if hi else "") if x)


# the C parser where libyaml is there (Debian's python3-yaml has it): the
# suite parses ~1000 checks on every run
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
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
        lo = _version(rng["min"], path) if "min" in rng else None
        hi = _version(rng["below"], path) if "below" in rng else None
        _check_override_name(path, name, lo, hi, doc, areas, checks)
        if not ((lo or (0, 0, 0)) <= version < (hi or (10**6, 0, 0))):
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
