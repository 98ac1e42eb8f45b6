"""The kernel matrix page: one row per check id, one column per kernel.

  /usr/bin/python3 -m harness.matrix --out build/matrix LABEL=DIR [LABEL=DIR ...]

Each DIR holds a harness run's results.json (and, for a VM run, ci/vm.py's
vm.json). `make matrix KERNELS="running debian:6.1"` produces the runs and
calls render(). A person opens index.html to see what changed between two
kernels: rows whose status or observed facts differ between columns are
marked and listed first, the facts that differ are shown in the cell, the
full observation is one click away, and a cell whose expectation comes from
an override says so (with the override's reason).
"""

import argparse
import html
import json
import os
import sys
import time

from .judge import show

STATUS_WORD = {"pass": "pass", "fail": "FAIL", "skip": "skip", None: "—"}


def load_column(label, d, how="", exit=None, problems=()):
    with open(os.path.join(d, "results.json")) as f:
        doc = json.load(f)
    col = {"label": label, "dir": d, "how": how, "exit": exit, "problems": list(problems or []),
           "meta": doc.get("meta", {}), "totals": doc.get("totals", {}),
           "results": {r["id"]: r for r in doc.get("results", [])}}
    vmj = os.path.join(d, "vm.json")
    if os.path.exists(vmj):
        with open(vmj) as f:
            vm = json.load(f)
        col["vm"] = vm
        if not col["how"]:
            col["how"] = "qemu %s guest (%s entry)" % (vm.get("accel"), vm.get("boot_entry", "bzimage"))
        if not col["problems"]:
            col["problems"] = vm.get("problems", [])
    return col


def _facts(r):
    if r is None:
        return None
    return r.get("observed")


def differing_facts(results):
    """results: [result dict or None] for one check across columns -> the
    fact names whose observed value is not the same in every column that
    observed it."""
    keys = set()
    for r in results:
        f = _facts(r)
        if isinstance(f, dict):
            keys |= set(f)
    diff = []
    for k in sorted(keys):
        vals = [show(_facts(r).get(k, "<absent>")) if isinstance(_facts(r), dict) else "<none>"
                for r in results if r is not None]
        if len(set(vals)) > 1:
            diff.append(k)
    return diff


def is_matcher(v):
    return isinstance(v, dict) and len(v) == 1 and next(iter(v)).startswith("$")


def ranged(results, fact):
    """True when every column that expects `fact` expects a matcher
    ($range, $one_of, $regex): a measured value (a delay, a spacing) that
    may vary from run to run within what the baseline allows."""
    exp = [r.get("expected") for r in results if r is not None and isinstance(r.get("expected"), dict)]
    exp = [e[fact] for e in exp if fact in e]
    return bool(exp) and all(is_matcher(e) for e in exp)


def rows(columns):
    """[(id, area, [result or None per column], status_differs, [differing facts],
    [facts that vary within a matcher])], deviating rows first, then by id. A
    deviation is a status that differs, or a fact whose observed value
    differs where some column expects an exact value."""
    ids = set()
    for c in columns:
        ids |= set(c["results"])
    out = []
    for cid in ids:
        rs = [c["results"].get(cid) for c in columns]
        area = next((r["area"] for r in rs if r), "?")
        statuses = {r["status"] if r else None for r in rs}
        diff = differing_facts(rs)
        var = [k for k in diff if ranged(rs, k)]
        out.append((cid, area, rs, len(statuses) > 1, [k for k in diff if k not in var], var))
    out.sort(key=lambda x: (not (x[3] or x[4]), x[1], x[0]))
    return out


def _short(v, limit=80):
    s = show(v)
    return s if len(s) <= limit else s[:limit - 1] + "…"


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.2em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
td.id{font-family:monospace;white-space:nowrap}
td.pass{background:#e8f6e8} td.fail{background:#fbe0e0;font-weight:bold} td.skip{background:#eee;color:#666}
td.none{background:#fff;color:#999}
tr.dev td.id{background:#fff3b0} tr.dev td.id::before{content:"≠ ";color:#b00}
tr.var td.id::before{content:"~ ";color:#888} .vv{color:#888}
.fd{font-family:monospace;font-size:12px;font-weight:normal;color:#333;display:block}
.ovr{font-size:11px;background:#d9e6ff;border-radius:3px;padding:0 3px;margin-left:4px;font-weight:normal}
details summary{cursor:pointer} details pre{white-space:pre-wrap;max-width:40em;font-size:12px;font-weight:normal}
.cols td{font-size:13px} .prob{color:#b00;white-space:pre-wrap;font-family:monospace;font-size:12px}
#ctl{margin:.8em 0}
"""

JS = """
function flt(){var d=document.getElementById('onlydev').checked,f=document.getElementById('onlyfail').checked,
q=document.getElementById('q').value;
document.querySelectorAll('tbody#m tr').forEach(function(r){var s=true;
if(d&&!r.classList.contains('dev'))s=false; if(f&&!r.classList.contains('hasfail'))s=false;
if(q&&r.dataset.id.indexOf(q)<0)s=false; r.style.display=s?'':'none';});}
"""


def render_html(columns, title="mcprobe kernel matrix", generated=None):
    generated = generated or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    e = html.escape
    rs = rows(columns)
    ndev = sum(1 for r in rs if r[3] or r[4])
    nvar = sum(1 for r in rs if r[5] and not (r[3] or r[4]))
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'><title>%s</title>" % e(title),
           "<style>%s</style><script>%s</script></head><body>" % (CSS, JS),
           "<h1>%s</h1>" % e(title),
           "<p>%d checks, %d kernels; <b>%d rows differ</b> between kernels (status, or an observed fact the "
           "baseline pins exactly; marked ≠ and listed first). %d more rows only have measured values (delays, "
           "spacings) that vary within their expected range (marked ~, values in grey). Click a cell for the full "
           "observation, expectation and reason (a plain pass shows its observation on hover). Generated %s by <code>make matrix</code> (harness/matrix.py).</p>"
           % (len(rs), len(columns), ndev, nvar, e(generated))]
    out.append("<table class='cols'><tr><th>kernel</th><th>how</th><th>pass</th><th>fail</th><th>skip</th>"
               "<th>overrides applied</th><th>problems</th></tr>")
    for c in columns:
        t = c["totals"]
        out.append("<tr><td><b>%s</b></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class='prob'>%s</td></tr>"
                   % (e(c["label"]), e(c.get("how") or ""), t.get("pass", 0), t.get("fail", 0), t.get("skip", 0),
                      e(", ".join(c["meta"].get("overrides") or []) or "none"),
                      e("\n".join(p.splitlines()[0] for p in c["problems"]) or "none")))
    out.append("</table>")
    out.append("<div id='ctl'><label><input type='checkbox' id='onlydev' onchange='flt()'> only rows that differ"
               "</label> &nbsp; <label><input type='checkbox' id='onlyfail' onchange='flt()'> only rows with a failure"
               "</label> &nbsp; filter ids: <input id='q' oninput='flt()' size='30'></div>")
    out.append("<table><thead><tr><th>check id</th>%s</tr></thead><tbody id='m'>"
               % "".join("<th>%s</th>" % e(c["label"]) for c in columns))
    for cid, _area, results, sdiff, fdiff, var in rs:
        cls = []
        if sdiff or fdiff:
            cls.append("dev")
        elif var:
            cls.append("var")
        if any(r and r["status"] == "fail" for r in results):
            cls.append("hasfail")
        cells = []
        for r in results:
            if r is None:
                cells.append("<td class='none' title='not in this run'>—</td>")
                continue
            st = r["status"]
            obs = r.get("observed")
            badge = ""
            src = r.get("source") or ""
            if src.startswith("overrides/"):
                badge = "<span class='ovr' title='%s'>override</span>" % e("%s: %s" % (src, r.get("why", "")))
            fd = ""
            if isinstance(obs, dict):
                fd = "".join("<span class='fd'>%s=%s</span>" % (e(k), e(_short(obs.get(k, "<absent>"), 40)))
                             for k in fdiff)
                fd += "".join("<span class='fd vv'>%s=%s</span>" % (e(k), e(_short(obs.get(k, "<absent>"), 40)))
                              for k in var)
            detail = ["observed: " + show(obs) if obs is not None else "observed: (nothing)"]
            if r.get("expected") is not None:
                detail.append("expected: " + show(r["expected"]))
            if r.get("message"):
                detail.append("message: " + r["message"])
            if r.get("why"):
                detail.append("why: %s (%s)" % (r["why"], src))
            if st == "pass" and not (sdiff or fdiff or var) and not badge:
                # nothing to explain: the observation is in the tooltip (keeps the page small)
                cells.append("<td class='pass' title='%s'>pass</td>" % e(detail[0]))
                continue
            cells.append("<td class='%s' title='%s'><details><summary>%s%s</summary><pre>%s</pre></details>%s</td>"
                         % (e(st), e(_short(obs, 200)) if obs is not None else "", STATUS_WORD.get(st, st), badge,
                            e("\n".join(detail)), fd))
        out.append("<tr class='%s' data-id='%s'><td class='id'>%s</td>%s</tr>"
                   % (" ".join(cls), e(cid), e(cid), "".join(cells)))
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def _md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_markdown(columns, title="mcprobe kernel matrix", generated=None):
    generated = generated or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rs = rows(columns)
    dev = [r for r in rs if r[3] or r[4]]
    var = [r for r in rs if r[5] and not (r[3] or r[4])]
    out = ["# %s" % title, "",
           "Generated %s by `make matrix` (harness/matrix.py). %d checks; **%d differ between kernels** (status, or "
           "an observed fact the baseline pins exactly); %d more only vary in measured values within their "
           "expected range." % (generated, len(rs), len(dev), len(var)), "",
           "| kernel | how | pass | fail | skip | overrides applied | problems |", "|---|---|---|---|---|---|---|"]
    for c in columns:
        t = c["totals"]
        out.append("| %s | %s | %d | %d | %d | %s | %s |" % (
            _md(c["label"]), _md(c.get("how") or ""), t.get("pass", 0), t.get("fail", 0), t.get("skip", 0),
            _md(", ".join(c["meta"].get("overrides") or []) or "none"),
            _md("; ".join(p.splitlines()[0] for p in c["problems"]) or "none")))
    head = "| check id | %s |" % " | ".join(_md(c["label"]) for c in columns)
    sep = "|---|" + "---|" * len(columns)

    def cell(r, facts):
        if r is None:
            return "—"
        word = STATUS_WORD.get(r["status"], r["status"])
        if r["status"] == "fail":
            word = "**FAIL**"
        obs = r.get("observed")
        extra = ""
        if facts and isinstance(obs, dict):
            extra = " " + ", ".join("`%s=%s`" % (k, _md(_short(obs.get(k, "<absent>"), 40))) for k in facts)
        if (r.get("source") or "").startswith("overrides/"):
            extra += " (override)"
        return word + extra

    out += ["", "## Differences between kernels", ""]
    if dev:
        out += [head, sep]
        for cid, _a, results, _s, fdiff, _v in dev:
            out.append("| `%s` | %s |" % (cid, " | ".join(cell(r, fdiff) for r in results)))
    else:
        out.append("None: every check has the same status and pinned facts on every kernel.")
    if var:
        out += ["", "## Measured values (within their expected range on every kernel)", "", head, sep]
        for cid, _a, results, _s, _f, v in var:
            out.append("| `%s` | %s |" % (cid, " | ".join(cell(r, v) for r in results)))
    out += ["", "## All checks", "", "≠ marks a difference between kernels, ~ a measured value that varies.", "",
            head, sep]
    for cid, _a, results, sdiff, fdiff, v in sorted(rs, key=lambda x: (x[1], x[0])):
        mark = " ≠" if (sdiff or fdiff) else (" ~" if v else "")
        out.append("| `%s`%s | %s |" % (cid, mark, " | ".join(cell(r, []) for r in results)))
    return "\n".join(out) + "\n"


def render(cols, generated=None):
    """cols: [{label, dir, how, exit, problems}] -> (html, markdown)."""
    columns = [load_column(c["label"], c["dir"], c.get("how", ""), c.get("exit"), c.get("problems"))
               for c in cols]
    return render_html(columns, generated=generated), render_markdown(columns, generated=generated)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="build/matrix", help="directory for index.html (matrix.md goes next to it)")
    ap.add_argument("columns", nargs="+", help="LABEL=DIR (a harness --out directory)")
    a = ap.parse_args(argv)
    cols = []
    for spec in a.columns:
        label, _, d = spec.partition("=")
        if not d:
            ap.error("column %r: want LABEL=DIR" % spec)
        cols.append({"label": label, "dir": d})
    h, md = render(cols)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "index.html"), "w") as f:
        f.write(h)
    with open(os.path.join(os.path.dirname(os.path.abspath(a.out)), "matrix.md"), "w") as f:
        f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
