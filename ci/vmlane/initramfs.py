"""The guest's initramfs, in two archives the kernel unpacks in order:
the root common to every kernel (busybox, ci/vm/init, the static probes;
`make vm-initramfs`) and, per kernel, the modules it needs."""

import os
import shutil
import subprocess
import tempfile

from .modules import module_name, needed_modules, read_module


def pack(stage, out):
    """`stage` as a newc cpio, gzip'd, owned by root, in a stable order."""
    files = subprocess.run(["find", "."], cwd=stage, capture_output=True, text=True, check=True).stdout
    listing = "\n".join(sorted(files.split())) + "\n"
    cp = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=stage, input=listing.encode(),
                        capture_output=True, check=True)
    with open(out + ".tmp", "wb") as f:
        subprocess.run(["gzip", "-1", "-n"], input=cp.stdout, stdout=f, check=True)
    os.replace(out + ".tmp", out)


def base(out, init, busybox, probes):
    """The guest root: /init, /bin/busybox, /probes/<name>, an empty /modules."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    stage = tempfile.mkdtemp(prefix="root.", dir=os.path.dirname(os.path.abspath(out)))
    try:
        os.chmod(stage, 0o755)  # the guest's / (mkdtemp makes it 0700)
        for d in ("bin", "probes", "modules"):
            os.makedirs(os.path.join(stage, d))
        shutil.copy(busybox, os.path.join(stage, "bin", "busybox"))
        shutil.copy(init, os.path.join(stage, "init"))
        os.chmod(os.path.join(stage, "init"), 0o755)
        for p in probes:
            shutil.copy(p, os.path.join(stage, "probes", os.path.basename(p)))
        pack(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print("guest initramfs: %s (%d KiB; probes: %s)" % (
        out, (os.path.getsize(out) + 1023) // 1024, " ".join(os.path.basename(p) for p in probes)))


def modules_cpio(k, wanted, out):
    """A second archive with /modules/<name>.ko and /modules/order (the load
    order ci/vm/init follows). Returns (path or None, notes)."""
    paths, notes = needed_modules(k, wanted)
    if not paths:
        return None, notes
    stage = tempfile.mkdtemp(prefix="mods.", dir=os.path.dirname(out))
    try:
        os.makedirs(os.path.join(stage, "modules"))
        order = []
        for p in paths:
            name = module_name(p) + ".ko"
            with open(os.path.join(stage, "modules", name), "wb") as f:
                f.write(read_module(p))
            order.append(name)
        with open(os.path.join(stage, "modules", "order"), "w") as f:
            f.write("\n".join(order) + "\n")
        notes.append("modules: %s" % " ".join(order))
        pack(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return out, notes
