"""A strict KTAP reader for the project's tests (Documentation/dev-tools/ktap.rst).

python3-tap (what LKFT uses) reads only the top level and calls indented
subtest lines "unknown". This reader follows the KTAP document: a version
line, a plan, results numbered from 1, diagnostic lines before the result
they belong to, subtests indented two spaces and closed by their parent's
result line. It raises KtapError on anything else, and tells a complete
document (every planned result present) from one that was cut short."""

import re

VERSION = re.compile(r"^(KTAP version 1|TAP version 1[34])$")
PLAN = re.compile(r"^1\.\.(\d+)(?: # (.*))?$")
RESULT = re.compile(r"^(ok|not ok) (\d+)(?: ([^#]*?))?(?: # (\S+)?\s*(.*))?$")


class KtapError(AssertionError):
    pass


class Result:
    def __init__(self, ok, number, name, directive, reason, diagnostics, children):
        self.ok = ok
        self.number = number
        self.name = name
        self.directive = (directive or "").upper()
        self.reason = reason
        self.diagnostics = diagnostics  # the '# ' lines directly before this result
        self.children = children  # a nested Document, or None

    @property
    def skip(self):
        return self.directive == "SKIP"

    def __repr__(self):
        return "<%s %d %s%s>" % ("ok" if self.ok else "not ok", self.number, self.name,
                                 " # " + self.directive if self.directive else "")


class Document:
    def __init__(self, plan, results, complete, bail_out=None, trailing=()):
        self.plan = plan
        self.results = results
        self.complete = complete
        self.bail_out = bail_out
        self.trailing = list(trailing)  # diagnostics after the last result (Totals, ...)

    def names(self):
        return [r.name for r in self.results]

    def by_name(self, name):
        found = [r for r in self.results if r.name == name]
        if len(found) != 1:
            raise KtapError("%d results named %r" % (len(found), name))
        return found[0]


def parse(text, allow_incomplete=False):
    lines = text.splitlines()
    doc, pos = _parse_level(lines, 0, 0, top=True)
    if pos != len(lines):
        raise KtapError("line %d: unexpected %r" % (pos + 1, lines[pos]))
    if not doc.complete and not allow_incomplete:
        raise KtapError("incomplete: plan 1..%s, %d results" % (doc.plan, len(doc.results)))
    return doc


def _strip(line, indent):
    if line[:indent].strip() or len(line) - len(line.lstrip(" ")) < indent:
        return None
    return line[indent:]


def _parse_level(lines, pos, indent, top=False):
    # version line (at the top, nothing may come before it)
    if pos >= len(lines) or _strip(lines[pos], indent) is None or not VERSION.match(_strip(lines[pos], indent)):
        raise KtapError("line %d: expected a version line at indent %d, got %r" % (
            pos + 1, indent, lines[pos] if pos < len(lines) else "end of input"))
    pos += 1
    plan, results, diag, bail = None, [], [], None
    while pos < len(lines):
        raw = lines[pos]
        line = _strip(raw, indent)
        if line is None or line.startswith(" "):
            deeper = len(raw) - len(raw.lstrip(" "))
            if line is not None and deeper == indent + 2 and VERSION.match(raw.strip()):
                sub, pos = _parse_level(lines, pos, indent + 2)
                while pos < len(lines) and (_strip(lines[pos], indent) or "").startswith("#"):
                    diag.append(_strip(lines[pos], indent)[1:].strip())  # the parent's own diagnostics
                    pos += 1
                if pos >= len(lines):
                    results.append(None)  # cut inside a subtest: the parent's result is missing
                    break
                parent = _strip(lines[pos], indent)
                m = RESULT.match(parent or "")
                if not m:
                    raise KtapError("line %d: a subtest must end with its parent's result line" % (pos + 1))
                results.append(_result(m, diag, sub, len(results), pos))
                diag = []
                pos += 1
                continue
            if line is None:
                break  # back to the parent's level
            raise KtapError("line %d: unexpected indentation %r" % (pos + 1, raw))
        if plan is None and PLAN.match(line) and not results:
            plan = int(PLAN.match(line).group(1))
        elif line.startswith("Bail out!"):
            bail = line[len("Bail out!"):].strip()
        elif line.startswith("#"):
            diag.append(line[1:].strip())
        elif RESULT.match(line):
            results.append(_result(RESULT.match(line), diag, None, len(results), pos))
            diag = []
        else:
            raise KtapError("line %d: not a KTAP line: %r" % (pos + 1, raw))
        pos += 1
    done = [r for r in results if r is not None]
    complete = plan is not None and len(done) == plan and None not in results and bail is None
    if plan is not None and len(done) > plan:
        raise KtapError("plan 1..%d but %d results" % (plan, len(done)))
    if not top and plan is None:
        raise KtapError("a subtest without a plan")
    return Document(plan, done, complete, bail, diag), pos


def _result(m, diag, children, index, pos):
    ok, num, name, directive, reason = m.groups()
    if int(num) != index + 1:
        raise KtapError("line %d: result %s, expected number %d" % (pos + 1, num, index + 1))
    r = Result(ok == "ok", int(num), (name or "").strip(), directive, (reason or "").strip(), list(diag), children)
    if children is not None and not children.complete:
        raise KtapError("line %d: %s closes an incomplete subtest" % (pos + 1, r.name))
    return r
