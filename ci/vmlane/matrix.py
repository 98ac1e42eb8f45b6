"""The kernel matrix: a column per kernel (the running one judged here, the
others in qemu guests), rendered by harness/matrix.py into
build/matrix/index.html and build/matrix.md (optionally copied to a
committed directory such as ci/matrix)."""

import os
import re
import shutil

from harness import matrix as page

from . import suite
from .check import check
from .common import ROOT, log
from .fetch import spec_kernel

MDIR = os.path.join(ROOT, "build", "matrix")


def running_column(areas):
    out = os.path.join(MDIR, "running")
    log("running the probes on this kernel")
    rc, _ = suite.run_mcprobe(["--out", out] + (["--areas", ",".join(areas)] if areas else []), quiet=True)
    return {"label": "running " + os.uname().release, "dir": out, "exit": rc, "how": "probes on the host"}


def guest_column(spec, opts, areas):
    k = spec_kernel(spec, opts.flavour)
    out = os.path.join(MDIR, re.sub(r"[^A-Za-z0-9_.+-]", "_", spec))
    rc, info = check(k, opts.initrd, out, opts.append, areas, None, opts.boot_timeout, opts.timeout, opts.accel,
                     modules=opts.load_list, quiet=True, boot_mode=opts.boot)
    return {"label": "%s %s" % (spec, info["release"]) if spec.startswith("debian:") else info["release"],
            "dir": out, "exit": rc, "how": "qemu %s guest (%s entry)" % (info["accel"], info.get("boot_entry")),
            "problems": info["problems"]}


def matrix(specs, opts, areas):
    cols = [running_column(areas) if s == "running" else guest_column(s, opts, areas) for s in specs]
    html, md = page.render(cols)
    os.makedirs(MDIR, exist_ok=True)
    with open(os.path.join(MDIR, "index.html"), "w") as f:
        f.write(html)
    with open(os.path.join(ROOT, "build", "matrix.md"), "w") as f:
        f.write(md)
    if opts.publish:
        os.makedirs(opts.publish, exist_ok=True)
        shutil.copy(os.path.join(MDIR, "index.html"), os.path.join(opts.publish, "index.html"))
        shutil.copy(os.path.join(ROOT, "build", "matrix.md"), os.path.join(opts.publish, "matrix.md"))
        print("matrix: copied to %s/" % opts.publish)
    print("matrix: build/matrix/index.html and build/matrix.md (%s)" % ", ".join(
        "%s: exit %d" % (c["label"], c["exit"]) for c in cols))
    return 0
