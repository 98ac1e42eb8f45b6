"""One kernel end to end: boot the guest, collect what went wrong around the
probes (a panic, a splat, a bound reached, a module that did not load),
judge the observations with the harness, print the verdict.

Exit codes are kselftest's: 0 pass, 1 fail, 4 everything skipped."""

import json
import os
import sys
import time

from harness.kmsg import find_splats  # one list of splat patterns for host and guests

from . import suite
from .boot import boot, guest_cmdline, kvm_works, pvh_kernel
from .common import KSFT_FAIL, KSFT_PASS, KSFT_SKIP, ROOT, VMDIR, locked, log, rel
from .initramfs import modules_cpio
from .modules import DEFAULT_MODULES
from .parse import clean, observation_lines, parse_guest


def check(k, initrd_base, outdir=None, append="", areas=None, selftest=None, boot_timeout=60, timeout=900,
          accel="tcg", modules=None, quiet=False, boot_mode="pvh"):
    """Returns (exit code, info dict). Prints the harness's KTAP and a verdict line."""
    outdir = outdir or os.path.join(VMDIR, k.get("release") or "unknown")
    with locked(os.path.join(outdir, ".lock"), os.path.relpath(outdir, ROOT)):
        t0 = time.monotonic()
        image, initrds = _images(k, initrd_base, outdir, DEFAULT_MODULES if modules is None else modules, boot_mode)
        if accel == "auto":
            accel = kvm_works(image, initrds, outdir)
        cmdline = guest_cmdline(append, selftest, areas, slow=(accel == "tcg"))
        log("booting %s (%s, %s%s) with: %s" % (rel(k["kernel"]), k.get("release") or "unknown", accel,
                                               ", its vmlinux through the PVH entry" if image != k["kernel"] else "",
                                               cmdline))
        b = boot(image, initrds, cmdline, outdir, boot_timeout, timeout, accel)
        g = parse_guest(b.obs)
        info = _info(k, g, b, cmdline, accel, image, outdir)
        info["problems"] = _problems(info, b, g, boot_timeout, timeout)
        rc = _judge(g, info, outdir, areas, quiet) if g["ended"] else KSFT_FAIL
        if info["problems"]:
            rc = KSFT_FAIL
        info["verdict_s"] = time.monotonic() - t0
        info["exit"] = rc
        with open(os.path.join(outdir, "vm.json"), "w") as f:
            json.dump(info, f, indent=1, sort_keys=True)
        _print_verdict(info, rc, outdir)
        return rc, info


def _images(k, initrd_base, outdir, modules, boot_mode):
    """(the image qemu boots, the initramfs archives in order)."""
    initrds = [initrd_base]
    mods, notes = modules_cpio(k, modules, os.path.join(outdir, "modules.cpio.gz"))
    if mods:
        initrds.append(mods)
    for n in notes:
        log(n)
    image = k["kernel"]
    if boot_mode == "pvh":
        release = k.get("release") or "unknown"
        with locked(os.path.join(VMDIR, "pvh", release, ".lock"), "build/vm/pvh/" + release):
            image = pvh_kernel(k["kernel"], os.path.join(VMDIR, "pvh", release)) or k["kernel"]
    return image, initrds


def _info(k, g, b, cmdline, accel, image, outdir):
    return {"kernel": k["kernel"], "release": g["release"] or k.get("release") or "unknown", "cmdline": cmdline,
            "accel": accel, "boot_entry": "pvh" if image != k["kernel"] else "bzimage", "panicked": None,
            "boot_status": b.status, "boot_s": b.boot_s, "qemu_s": b.total_s, "modules": g["modules"],
            "probes": {n: {"rc": p.get("rc"), "seconds": p.get("seconds")} for n, p in g["probes"].items()},
            "outdir": outdir}


def _problems(info, b, g, boot_timeout, timeout):
    """What fails the run whatever the checks say; sets info's panicked and splats."""
    problems = ["insmod %s failed in the guest (rc %s)" % (m, rc) for m, rc in g["modules"].items() if rc]
    console = clean(b.console)
    # a panic shows on the console (the guest cannot dump it); splats can
    # be in either log: the console has everything the loglevel lets
    # through, the dmesg dump the rest
    splats = find_splats(console)
    seen = {s[0] for s in splats}
    splats += [s for s in find_splats(g["dmesg"]) if s[0] not in seen]
    info["panicked"] = panicked = any("Kernel panic" in line for line in console)
    info["splats"] = [pat for pat, _text in splats]
    tail = "\n".join(console[-15:])
    if b.status == "boot-timeout":
        problems.append("guest did not start the suite within %d s (killed); console tail:\n%s" % (boot_timeout, tail))
    elif b.status == "timeout":
        problems.append("guest never finished: killed at its bound of %d s; console tail:\n%s" % (timeout, tail))
    elif b.status == "exited" and panicked:
        problems.append("guest kernel panicked before the end marker (excerpt below)")
    elif b.status == "exited":
        problems.append("guest stopped before the end marker (qemu exit %s); console tail:\n%s" % (b.qemu_rc, tail))
    for pat, text in splats:
        problems.append("kernel splat in the guest log (%r):\n%s" % (pat, text))
    return problems


def _judge(g, info, outdir, areas, quiet):
    """The guest's observations and kernel log, judged for the guest's release."""
    obs_file = os.path.join(outdir, "observations.guest.jsonl")
    with open(obs_file, "w") as f:
        f.write("\n".join(observation_lines(g)) + "\n")
    log_file = os.path.join(outdir, "dmesg.guest.log")
    with open(log_file, "w") as f:
        f.write("\n".join(g["dmesg"]) + "\n")
    args = ["--observations", obs_file, "--kernel-release", info["release"], "--kernel-log", log_file,
            "--out", outdir] + (["--areas", ",".join(areas)] if areas else [])
    rc, ktap = suite.run_mcprobe(args, quiet=quiet)
    info["harness_rc"] = rc
    if rc not in (KSFT_PASS, KSFT_SKIP):
        info["failed_checks"] = suite.failed_checks(ktap)
    return rc


def _print_verdict(info, rc, outdir):
    for p in info["problems"]:
        print("# vm: " + p.replace("\n", "\n#   "))
    word = {KSFT_PASS: "PASS", KSFT_SKIP: "SKIP"}.get(rc, "FAIL")
    fl = info.get("failed_checks") or []
    print("# vm-check %s: kernel %s (%s), boot %s s, boot-to-verdict %.1f s%s%s" % (
        word, info["release"], info["accel"], "%.1f" % info["boot_s"] if info["boot_s"] is not None else "-",
        info["verdict_s"], "; failed checks: " + ", ".join(fl[:12]) + (" ..." if len(fl) > 12 else "") if fl else "",
        "; %d problem(s) above" % len(info["problems"]) if info["problems"] else ""))
    print("# vm-check: logs and reports in %s/" % os.path.relpath(outdir, ROOT))
    sys.stdout.flush()
