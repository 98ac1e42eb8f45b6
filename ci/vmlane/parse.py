"""What the guest said on its second serial port (ci/vm/init writes it):
the probes' JSON Lines between markers, each probe's exit status and
stderr, the modules it loaded, and its whole kernel log."""

import json
import re

MARK = "@@MCPROBE-"
BEGIN, END = MARK + "BEGIN@@", MARK + "END@@"
DMESG_BEGIN, DMESG_END = MARK + "DMESG-BEGIN@@", MARK + "DMESG-END@@"

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|c)")


def clean(text):
    """Serial text -> lines: drop \\r, ANSI escapes (SeaBIOS) and other control bytes."""
    text = ANSI.sub("", text.replace("\r", ""))
    return [re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", line) for line in text.split("\n")]


def _kv(words):
    return dict(w.split("=", 1) for w in words if "=" in w)


def _marker(g, line):
    """One line of the run between BEGIN and END into `g`."""
    if line.startswith(MARK + "PROBE@@"):
        w = line.split()
        kv = _kv(w[2:])
        g["probes"].setdefault(w[1], {"stderr": []}).update(
            rc=int(kv.get("rc", 255)), seconds=float(kv.get("seconds", 0)))
    elif line.startswith(MARK + "ERR@@"):
        w = line.split(" ", 2)
        if len(w) >= 2:
            g["probes"].setdefault(w[1], {"stderr": []})["stderr"].append(w[2] if len(w) > 2 else "")
    elif line.startswith(MARK + "MOD@@"):
        w = line.split()
        g["modules"][w[1]] = int(w[2].split("=", 1)[1]) if len(w) > 2 and "=" in w[2] else None
    elif line.strip():
        g["lines"].append(line)


def parse_guest(text):
    """Serial-1 text -> {release, lines, probes: {name: {rc, seconds, stderr}}, modules,
    dmesg, begun, ended}."""
    g = {"release": None, "nproc": None, "lines": [], "probes": {}, "modules": {}, "dmesg": [],
         "begun": False, "ended": False}
    state = "before"
    for line in clean(text):
        if state == "dmesg":
            if line.startswith(DMESG_END):
                state = "run"
            else:
                g["dmesg"].append(line)
        elif line.startswith(BEGIN):
            g["begun"], state = True, "run"
            kv = _kv(line[len(BEGIN):].split())
            g["release"], g["nproc"] = kv.get("release"), kv.get("nproc")
        elif state != "run":
            continue
        elif line.startswith(END):
            g["ended"], state = True, "after"
        elif line.startswith(DMESG_BEGIN):
            state = "dmesg"
        else:
            _marker(g, line)
    return g


def observation_lines(g):
    """The JSON Lines to judge: what the probes printed, plus a 'broken'
    record for a probe that ended badly (as harness.observe does here)."""
    out = list(g["lines"])
    for name, p in sorted(g["probes"].items()):
        rc = p.get("rc")
        if rc not in (0, 4):
            last = p["stderr"][-1] if p["stderr"] else ""
            out.append(json.dumps({"probe": name, "scenario": "*",
                                   "broken": "probe exited %s in the guest%s" % (rc, (": " + last) if last else "")}))
    return out
