"""The qemu kernel-matrix lane, one module per job; ci/vm.py is its command line.

  common     paths, the kselftest exit codes, logging, the run locks
  fetch      Debian kernel packages (apt-get download + dpkg-deb -x, cached in
             build/vm/kernels) and kernel specs -> {kernel, release, moddir, config}
  modules    which of a kernel's modules the guest needs, in load order
  initramfs  cpio archives: the guest root (make vm-initramfs) and the per-kernel modules
  boot       qemu (TCG, or KVM where proven), the PVH entry, bounded waits
  parse      the guest's serial port -> observations, probe exits, its dmesg
  suite      the one place the lane runs the harness (the mcprobe entry point)
  check      one kernel end to end: boot, problems (panic, splat, bounds), verdict
  matrix     a column per kernel -> build/matrix/index.html + build/matrix.md
  bench      boot-to-verdict seconds per kernel
"""

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)  # harness.kmsg and harness.matrix: shared with the run on the host
