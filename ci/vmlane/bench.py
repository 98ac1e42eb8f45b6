"""`make vm-bench`: boot-to-verdict seconds per kernel (a benchmark with a
target, never a test), also written to build/vm/bench.json."""

import json
import os

from .check import check
from .common import VMDIR
from .fetch import spec_kernel

TARGET_S = 30


def bench(specs, opts):
    rows = []
    for spec in specs:
        k = spec_kernel(spec, opts.flavour)
        rc, info = check(k, opts.initrd, os.path.join(VMDIR, "bench", k["release"] or "unknown"), opts.append, None,
                         None, opts.boot_timeout, opts.timeout, opts.accel, modules=opts.load_list, quiet=True,
                         boot_mode=opts.boot)
        rows.append((spec, info, rc))
    print("vm bench: boot-to-verdict per kernel (qemu %s, %d host cores)" % (opts.accel, os.cpu_count()))
    print("  %-26s %-8s %7s %7s %9s %-14s %s" % ("kernel", "entry", "boot s", "qemu s", "verdict s", "target", "result"))
    out = []
    for spec, info, rc in rows:
        v = info.get("verdict_s") or 0
        print("  %-26s %-8s %7s %7.1f %9.1f %-14s %s" % (
            info["release"], info.get("boot_entry"), "%.1f" % info["boot_s"] if info.get("boot_s") is not None else "-",
            info.get("qemu_s") or 0, v, "<= %d s" % TARGET_S if v <= TARGET_S else "> %d s (over)" % TARGET_S,
            {0: "pass", 4: "skip"}.get(rc, "fail")))
        out.append({"spec": spec, "release": info["release"], "accel": info["accel"],
                    "boot_entry": info.get("boot_entry"), "boot_s": info.get("boot_s"), "qemu_s": info.get("qemu_s"),
                    "boot_to_verdict_s": v, "exit": rc,
                    "probe_seconds": {n: p.get("seconds") for n, p in info["probes"].items()}})
    os.makedirs(VMDIR, exist_ok=True)
    with open(os.path.join(VMDIR, "bench.json"), "w") as f:
        json.dump(out, f, indent=1)
    return 0
