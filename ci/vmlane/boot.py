"""Booting a guest under qemu, always bounded: the boot (qemu start to the
guest's BEGIN marker) and the whole run have their own limits, and qemu is
killed at either. TCG is the default: nested KVM hangs on these machines;
KVM is used only where a bounded test boot proved it works."""

import os
import shutil
import struct
import subprocess
import time

from .common import VMDIR, log
from .parse import BEGIN, END

# Compressed payloads a bzImage may carry, and how to undo them on the host.
PAYLOADS = [(b"\xfd7zXZ\x00", ["xz", "-dc", "--single-stream"]),
            (b"\x28\xb5\x2f\xfd", ["zstd", "-dc"]),
            (b"\x02\x21\x4c\x18", ["lz4", "-dc"]),
            (b"\x1f\x8b\x08", ["gzip", "-dc"])]


def has_pvh_note(data):
    """True for an ELF64 vmlinux with the Xen PVH entry note
    (XEN_ELFNOTE_PHYS32_ENTRY), which qemu's -kernel needs to boot it."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        ptype, _flags, off, _va, _pa, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if ptype != 4:  # PT_NOTE
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:
                return True
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def _vmlinux_in(data):
    """The uncompressed vmlinux of a bzImage's payload, if it has the PVH note."""
    for magic, cmd in PAYLOADS:
        i = data.find(magic, 0x200)
        if i < 0 or not shutil.which(cmd[0]):
            continue
        p = subprocess.run(cmd, input=data[i:], capture_output=True)
        if has_pvh_note(p.stdout):  # trailing bytes after the stream make some tools complain: judge the output
            return p.stdout
    return None


def pvh_kernel(kernel, cache_dir):
    """The uncompressed vmlinux inside a bzImage, when it can boot through
    qemu's PVH entry (CONFIG_PVH=y): the same kernel without the
    decompressor, which under TCG spends seconds unpacking an xz payload.
    Cached; None when not possible (then the bzImage boots as is)."""
    try:
        st = os.stat(kernel)
        with open(kernel, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if has_pvh_note(data):
        return kernel
    if data[0x202:0x206] != b"HdrS":
        return None
    cached = os.path.join(cache_dir, "vmlinux.pvh")
    stamp = cached + ".src"
    key = "%s %d %d\n" % (os.path.abspath(kernel), st.st_size, int(st.st_mtime))
    if os.path.exists(cached) and os.path.exists(stamp) and open(stamp).read() == key:
        return cached
    vmlinux = _vmlinux_in(data)
    if vmlinux is None:
        return None
    os.makedirs(cache_dir, exist_ok=True)
    with open(cached + ".tmp", "wb") as f:
        f.write(vmlinux)
    os.replace(cached + ".tmp", cached)
    with open(stamp, "w") as f:
        f.write(key)
    return cached


def qemu_cmd(kernel, initrd, append, console_log, obs_log, accel="tcg", cpus=2, mem=512):
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           "-m", str(mem), "-smp", str(cpus), "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-serial", "file:" + console_log, "-serial", "file:" + obs_log]
    if accel == "kvm":
        cmd += ["-accel", "kvm"]
    else:
        cmd += ["-accel", "tcg,thread=" + os.environ.get("VM_TCG_THREAD", "multi")]
    return cmd


def guest_cmdline(append="", selftest=None, only=None, slow=False):
    # panic=-1: reboot at once on panic, which -no-reboot turns into qemu
    # exiting; oops=panic: an oops stops the guest instead of limping on.
    parts = ["console=ttyS0", "panic=-1", "oops=panic", "loglevel=6", "rdinit=/init"]
    if slow:
        parts.append("mcprobe.slow=1")
    if only:
        parts.append("mcprobe.only=" + ",".join(only))
    if selftest:
        parts.append("mcprobe.selftest=" + selftest)
    if append:
        parts.append(append)
    return " ".join(parts)


class Boot:
    def __init__(self):
        self.status = None  # "finished", "exited" (qemu stopped before END), "boot-timeout", "timeout"
        self.boot_s = None  # qemu start -> BEGIN marker
        self.total_s = None  # qemu start -> qemu gone
        self.console = ""
        self.obs = ""
        self.qemu_rc = None
        self.accel = None


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _concat(parts, out):
    with open(out, "wb") as o:
        for part in parts:  # the kernel unpacks concatenated archives in order
            with open(part, "rb") as f:
                shutil.copyfileobj(f, o)
    return out


def _wait(p, b, obs_log, t0, boot_timeout, timeout):
    """Polls qemu and the guest's serial file until the guest ends or a bound passes."""
    while True:
        rc = p.poll()
        el = time.monotonic() - t0
        text = _read(obs_log)
        if b.boot_s is None and BEGIN in text:
            b.boot_s = el
        if rc is not None:
            b.qemu_rc = rc
            b.status = "finished" if END in text else "exited"
            return
        if b.boot_s is None and el > boot_timeout:
            b.status = "boot-timeout"
            return
        if el > timeout:
            b.status = "timeout"
            return
        time.sleep(0.05)  # the poll interval of a bounded wait


def boot(kernel, initrds, append, outdir, boot_timeout=60, timeout=900, accel="tcg", cpus=2, mem=512):
    """Boots once; always returns with qemu gone (killed at a bound)."""
    os.makedirs(outdir, exist_ok=True)
    initrd = _concat(initrds, os.path.join(outdir, "initrd.img"))
    console_log = os.path.join(outdir, "console.log")
    obs_log = os.path.join(outdir, "serial1.log")
    for p in (console_log, obs_log):
        if os.path.exists(p):
            os.unlink(p)
    cmd = qemu_cmd(kernel, initrd, append, console_log, obs_log, accel, cpus, mem)
    with open(os.path.join(outdir, "qemu.cmd"), "w") as f:
        f.write(" ".join("'%s'" % c if " " in c else c for c in cmd) + "\n")
    b = Boot()
    b.accel = accel
    t0 = time.monotonic()
    with open(os.path.join(outdir, "qemu.stderr"), "w") as qemu_err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_err, stderr=qemu_err,
                             start_new_session=True)
        try:
            _wait(p, b, obs_log, t0, boot_timeout, timeout)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
                b.qemu_rc = p.returncode
    b.total_s = time.monotonic() - t0
    b.console = _read(console_log)
    b.obs = _read(obs_log)
    return b


def kvm_works(kernel, initrds, outdir, bound=20):
    """KVM only where it demonstrably works: boot the guest's init to its
    first marker under KVM within a short bound, else TCG. Cached."""
    cache = os.path.join(VMDIR, "accel")
    if os.path.exists(cache):
        with open(cache) as f:
            return f.read().strip() or "tcg"
    result = "tcg"
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        b = boot(kernel, initrds, guest_cmdline(selftest="exit"), os.path.join(outdir, "kvm-probe"),
                 boot_timeout=bound, timeout=bound, accel="kvm")
        if b.boot_s is not None:
            result = "kvm"
        log("KVM %s (guest reached init: %s)" % ("works" if result == "kvm" else "does not work here: using TCG",
                                                 b.boot_s is not None))
    os.makedirs(VMDIR, exist_ok=True)
    with open(cache, "w") as f:
        f.write(result + "\n")
    return result
