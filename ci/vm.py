#!/usr/bin/python3
"""Run the mcprobe suite on another kernel under qemu and judge it on the host.

  ci/vm.py check  --initrd build/vm/initramfs-base.cpio.gz (--kernel BZIMAGE | --debian 6.1)
                  [--modules DIR] [--append "k=v ..."] [--areas a,b] [--out DIR]
  ci/vm.py fetch  --debian 6.1 [--flavour amd64]     download + unpack, print the paths
  ci/vm.py initramfs --out F --init ci/vm/init --busybox B PROBE...   the guest root
  ci/vm.py bench  --initrd ... KERNEL_SPEC...         boot-to-verdict seconds per kernel
  ci/vm.py matrix --initrd ... KERNEL_SPEC...         one HTML/markdown page, a column per kernel

A KERNEL_SPEC is `running` (the probes run here, the normal path), `debian:6.1`,
`debian:6.12`, `debian:6.1:cloud-amd64`, or a path to a bzImage/vmlinuz.

How a run goes: the guest (ci/vm/init in a busybox initramfs, plus a second
archive with the kernel's own modules for features the suite needs) runs the
static probes and writes their JSON Lines between markers to its second
serial port, which qemu writes to a file here; the kernel log goes to the
first port. The host extracts the observations and runs `mcprobe
--observations F --kernel-release <guest uname -r>`, so the expectations for
the guest's release (expected/common + the overrides whose range holds it)
decide. A panic, or a splat in the guest's kernel log, fails the run with the
excerpt; boot and run are bounded and qemu is killed at the bound. TCG is the
default: nested KVM hangs on these machines. The parts live in ci/vmlane/.

Exit codes are kselftest's: 0 pass, 1 fail, 4 everything skipped.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmlane import bench, check, fetch, initramfs, matrix  # noqa: E402
from vmlane.common import VMDIR  # noqa: E402
from vmlane.modules import DEFAULT_MODULES  # noqa: E402


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["check", "fetch", "initramfs", "bench", "matrix"])
    ap.add_argument("specs", nargs="*", help="kernel specs (bench, matrix); probe binaries (initramfs)")
    ap.add_argument("--initrd", default=os.path.join(VMDIR, "initramfs-base.cpio.gz"))
    ap.add_argument("--kernel")
    ap.add_argument("--debian")
    ap.add_argument("--flavour", default="amd64")
    ap.add_argument("--modules", help="module tree of the kernel (lib/modules/<release>)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--load", default=",".join(DEFAULT_MODULES),
                    help="modules to load in the guest where the kernel builds the feature as a module "
                         "(default %(default)s; '' loads none)")
    ap.add_argument("--areas", default="")
    ap.add_argument("--selftest", choices=["panic", "splat", "hang", "exit", "stall"])
    ap.add_argument("--out")
    ap.add_argument("--init", help="initramfs: the guest's /init")
    ap.add_argument("--busybox", default="/usr/bin/busybox", help="initramfs: a static busybox")
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm", "auto"])
    ap.add_argument("--boot", default="pvh", choices=["pvh", "bzimage"],
                    help="pvh: boot the image's uncompressed vmlinux through qemu's PVH entry when the kernel "
                         "supports it (saves the TCG-slow decompressor); bzimage: the image as is")
    ap.add_argument("--publish", help="matrix: also copy the page to this directory (e.g. ci/matrix)")
    ap.add_argument("--boot-timeout", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=900)
    return ap


def main(argv=None):
    ap = parser()
    a = ap.parse_intermixed_args(argv)
    areas = [x for x in a.areas.split(",") if x] or None
    a.load_list = [m for m in a.load.split(",") if m]
    if a.cmd == "fetch":
        k = fetch.resolve_kernel(debian=a.debian or (a.specs[0] if a.specs else "6.1"), flavour=a.flavour)
        print(json.dumps(k, indent=1))
        return 0
    if a.cmd == "initramfs":
        if not a.out or not a.init:
            ap.error("initramfs needs --out and --init")
        initramfs.base(a.out, a.init, a.busybox, a.specs)
        return 0
    if not os.path.exists(a.initrd):
        raise SystemExit("vm: %s missing (make vm-initramfs)" % a.initrd)
    if a.cmd == "check":
        if not a.kernel and not a.debian:
            ap.error("check needs KERNEL=<bzImage> or DEBIAN_KERNEL=<version>")
        k = fetch.resolve_kernel(a.kernel, a.debian, a.flavour, a.modules)
        rc, _ = check.check(k, a.initrd, a.out, a.append, areas, a.selftest, a.boot_timeout, a.timeout, a.accel,
                            modules=a.load_list, boot_mode=a.boot)
        return rc
    if a.cmd == "bench":
        return bench.bench(a.specs or ["debian:6.1"], a)
    return matrix.matrix(a.specs or ["running", "debian:6.1"], a, areas)


if __name__ == "__main__":
    sys.exit(main())
