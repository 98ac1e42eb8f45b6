#!/usr/bin/python3
"""Run the mcprobe suite on another kernel under qemu and judge it on the host.

  ci/vm.py check  --initrd build/vm/initramfs-base.cpio.gz (--kernel BZIMAGE | --debian 6.1)
                  [--modules DIR] [--append "k=v ..."] [--areas a,b] [--out DIR]
  ci/vm.py fetch  --debian 6.1 [--flavour amd64]     download + unpack, print the paths
  ci/vm.py bench  --initrd ... KERNEL_SPEC...         boot-to-verdict seconds per kernel
  ci/vm.py matrix --initrd ... KERNEL_SPEC...         one HTML/markdown page, a column per kernel

A KERNEL_SPEC is `running` (the probes run here, the normal path), `debian:6.1`,
`debian:6.12`, `debian:6.1:cloud-amd64`, or a path to a bzImage/vmlinuz.

How a run goes: the guest (ci/vm/init in a busybox initramfs that the Makefile
builds, plus a second archive with the kernel's own modules for features the
suite needs) runs the static probes and writes their JSON Lines between
markers to its second serial port, which qemu writes to a file here; the
kernel log goes to the first port. The host extracts the observations and
runs `mcprobe --observations F --kernel-release <guest uname -r>`,
so the expectations for the guest's release (expected/common + the overrides
whose range holds it) decide. A panic, or a splat in the guest's kernel log,
fails the run with the excerpt; boot and run are bounded and qemu is killed
at the bound. TCG is the default: nested KVM hangs on these machines.

Exit codes are kselftest's: 0 pass, 1 fail, 4 everything skipped.
"""

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from harness.kmsg import find_splats  # noqa: E402  (one list of splat patterns for host and guests)

VMDIR = os.path.join(ROOT, "build", "vm")
PYTHON = "/usr/bin/python3"
MCPROBE = os.path.join(ROOT, "mcprobe")  # the one entry point, as a user runs it
KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4

# Modules the suite needs where a kernel builds the feature as a module
# (Debian: CONFIG_VETH=m, CONFIG_MACVLAN=m). Loaded in the guest in dependency
# order; a feature the config builds in (=y) needs nothing.
DEFAULT_MODULES = ["veth", "macvlan"]

MARK = "@@MCPROBE-"
BEGIN, END = MARK + "BEGIN@@", MARK + "END@@"
DMESG_BEGIN, DMESG_END = MARK + "DMESG-BEGIN@@", MARK + "DMESG-END@@"

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|c)")


def log(msg):
    sys.stderr.write("vm: %s\n" % msg)
    sys.stderr.flush()


def clean(text):
    """Serial text -> lines: drop \\r, ANSI escapes (SeaBIOS) and other control bytes."""
    text = ANSI.sub("", text.replace("\r", ""))
    return [re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", line) for line in text.split("\n")]


@contextlib.contextmanager
def locked(path, what):
    """Serialises runs that share a directory (two vm-checks of the same
    kernel, or two fetches of the same package, started side by side)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("waiting for another run using %s" % what)
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


# ---------------------------------------------------------------------------
# kernels: release of an image, Debian packages, modules

def bzimage_release(path):
    """The release string a bzImage carries in its setup header (what
    `file` prints as 'version'), or None for something else."""
    try:
        with open(path, "rb") as f:
            head = f.read(0x4000)
            if head[0x202:0x206] != b"HdrS":
                return None
            off = struct.unpack_from("<H", head, 0x20E)[0]
            if not off:
                return None
            f.seek(off + 0x200)
            raw = f.read(256)
    except OSError:
        return None
    text = raw.split(b"\0", 1)[0].decode("ascii", "replace")
    return text.split()[0] if text.strip() else None


def modinfo(path):
    """The .modinfo strings of a (decompressed) module: {key: [values]}."""
    data = read_module(path)
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("%s: not an ELF64 module" % path)
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = secs[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    info = {}
    for name_off, _type, _flags, _addr, off, size in secs:
        name = names[name_off:names.index(b"\0", name_off)].decode()
        if name == ".modinfo":
            for item in data[off:off + size].split(b"\0"):
                if b"=" in item:
                    k, v = item.decode("utf-8", "replace").split("=", 1)
                    info.setdefault(k, []).append(v)
    return info


def read_module(path):
    if path.endswith(".xz"):
        return subprocess.run(["xz", "-dc", path], check=True, capture_output=True).stdout
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    if path.endswith(".gz"):
        return subprocess.run(["gzip", "-dc", path], check=True, capture_output=True).stdout
    with open(path, "rb") as f:
        return f.read()


def module_name(path):
    base = os.path.basename(path)
    base = re.sub(r"\.ko(\.(xz|zst|gz))?$", "", base)
    return base.replace("-", "_")


def module_closure(moddir, wanted):
    """Modules to insmod for `wanted` (names), dependencies first.
    Returns (paths in load order, names not found)."""
    index = {}
    for dirpath, _dirs, files in os.walk(moddir):
        for f in files:
            if re.search(r"\.ko(\.(xz|zst|gz))?$", f):
                index.setdefault(module_name(f), os.path.join(dirpath, f))
    order, missing, seen = [], [], set()

    def visit(name, depth=0):
        name = name.replace("-", "_")
        if name in seen or depth > 32:
            return
        seen.add(name)
        path = index.get(name)
        if not path:
            missing.append(name)
            return
        for deps in modinfo(path).get("depends", []):
            for d in filter(None, deps.split(",")):
                visit(d, depth + 1)
        order.append(path)

    for w in wanted:
        visit(w)
    return order, missing


def kernel_config(moddir_or_boot, release):
    for cand in (os.path.join(moddir_or_boot, "..", "..", "..", "boot", "config-" + release),
                 os.path.join(moddir_or_boot, "config-" + release)):
        if os.path.exists(cand):
            return cand
    return None


def builtin(config, option):
    """'y', 'm' or None for CONFIG_<option> in a config file (None if no file)."""
    if not config:
        return None
    with open(config) as f:
        for line in f:
            if line.startswith("CONFIG_%s=" % option):
                return line.strip().split("=", 1)[1]
    return "n"


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
    for magic, cmd in PAYLOADS:
        i = data.find(magic, 0x200)
        if i < 0 or not shutil.which(cmd[0]):
            continue
        p = subprocess.run(cmd, input=data[i:], capture_output=True)
        if has_pvh_note(p.stdout):  # trailing bytes after the stream make some tools complain: judge the output
            os.makedirs(cache_dir, exist_ok=True)
            with open(cached + ".tmp", "wb") as f:
                f.write(p.stdout)
            os.replace(cached + ".tmp", cached)
            with open(stamp, "w") as f:
                f.write(key)
            return cached
    return None


def debian_package(version, flavour="amd64", names=None):
    """The newest Debian package name for `version` ('6.1', '6.12', or exact
    '6.1.0-56') and flavour, from apt's package list."""
    if names is None:
        names = subprocess.run(["apt-cache", "pkgnames", "linux-image-"], capture_output=True,
                               text=True).stdout.split()
    pat = re.compile(r"^linux-image-(%s(?:\.\d+)*(?:-\d+|\+deb\d+)?)-%s$" % (re.escape(version), re.escape(flavour)))
    found = []
    for n in names:
        m = pat.match(n)
        if m:
            found.append((tuple(int(x) for x in re.findall(r"\d+", m.group(1))), n))
    return max(found)[1] if found else None


def debian_fetch(version, flavour="amd64"):
    """apt-get download + dpkg-deb -x (never installed on this host).
    Returns {kernel, moddir, release, package}."""
    with locked(os.path.join(VMDIR, "kernels", ".lock"), "build/vm/kernels"):
        return _debian_fetch(version, flavour)


def _debian_fetch(version, flavour):
    pkg = debian_package(version, flavour)
    if not pkg:
        log("no linux-image-%s*-%s in apt's lists; running apt-get update" % (version, flavour))
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        pkg = debian_package(version, flavour)
    if not pkg:
        raise SystemExit("vm: no Debian package linux-image-%s*-%s (apt-cache pkgnames linux-image-)" % (version, flavour))
    kdir = os.path.join(VMDIR, "kernels")
    dest = os.path.join(kdir, pkg)
    done = os.path.join(dest, ".unpacked")
    if not os.path.exists(done):
        os.makedirs(kdir, exist_ok=True)
        for old in os.listdir(kdir):
            if old.startswith(pkg + "_") and old.endswith(".deb"):
                os.unlink(os.path.join(kdir, old))
        log("apt-get download %s" % pkg)
        subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg], cwd=kdir, check=True)
        debs = [d for d in os.listdir(kdir) if d.startswith(pkg + "_") and d.endswith(".deb")]
        if len(debs) != 1:
            raise SystemExit("vm: apt-get download %s left %r" % (pkg, debs))
        shutil.rmtree(dest, ignore_errors=True)
        subprocess.run(["dpkg-deb", "-x", os.path.join(kdir, debs[0]), dest], check=True)
        os.unlink(os.path.join(kdir, debs[0]))
        open(done, "w").close()
    boot = os.path.join(dest, "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    if len(images) != 1:
        raise SystemExit("vm: %s: expected one vmlinuz, found %r" % (boot, images))
    release = images[0][len("vmlinuz-"):]
    return {"kernel": os.path.join(boot, images[0]), "release": release, "package": pkg,
            "moddir": os.path.join(dest, "lib", "modules", release),
            "config": os.path.join(boot, "config-" + release)}


def resolve_kernel(kernel=None, debian=None, flavour="amd64", modules=None):
    if debian:
        k = debian_fetch(debian, flavour)
    else:
        if not kernel or not os.path.isfile(kernel):
            raise SystemExit("vm: KERNEL=%r is not a file" % kernel)
        release = bzimage_release(kernel)
        k = {"kernel": kernel, "release": release, "package": None, "moddir": None, "config": None}
        # modules next to the image: an unpacked package (boot/ + lib/modules/)
        # or the host's own tree for an installed kernel
        if release:
            for cand in (os.path.join(os.path.dirname(kernel), "..", "lib", "modules", release),
                         os.path.join("/lib/modules", release)):
                if os.path.isdir(cand):
                    k["moddir"] = os.path.normpath(cand)
                    break
            cfg = os.path.join(os.path.dirname(kernel), "config-" + release)
            k["config"] = cfg if os.path.exists(cfg) else None
    if modules:
        k["moddir"] = modules
    return k


def modules_cpio(k, wanted, out):
    """A second initramfs archive with /modules/<name>.ko and /modules/order.
    Features built in (config says y) need nothing; without a config every
    wanted module found is packed. Returns (path or None, notes)."""
    notes = []
    need = []
    for w in wanted:
        state = builtin(k.get("config"), w.upper())
        if state == "y":
            notes.append("%s built in" % w)
        else:
            need.append(w)
    if not need:
        return None, notes
    if not k.get("moddir") or not os.path.isdir(k["moddir"]):
        notes.append("no module tree for %s: %s not loaded" % (k.get("release"), ", ".join(need)))
        return None, notes
    paths, missing = module_closure(k["moddir"], need)
    if missing:
        notes.append("modules not in %s: %s" % (k["moddir"], ", ".join(missing)))
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


def pack(stage, out):
    files = subprocess.run(["find", "."], cwd=stage, capture_output=True, text=True, check=True).stdout
    listing = "\n".join(sorted(files.split())) + "\n"
    cp = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=stage, input=listing.encode(),
                        capture_output=True, check=True)
    with open(out, "wb") as f:
        subprocess.run(["gzip", "-1", "-n"], input=cp.stdout, stdout=f, check=True)


# ---------------------------------------------------------------------------
# booting

def qemu_cmd(kernel, initrd, append, console_log, obs_log, accel="tcg", cpus=2, mem=512):
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           "-m", str(mem), "-smp", str(cpus), "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-serial", "file:" + console_log, "-serial", "file:" + obs_log]
    if accel == "kvm":
        cmd += ["-accel", "kvm"]
    else:
        cmd += ["-accel", "tcg,thread=multi"]
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


def boot(kernel, initrds, append, outdir, boot_timeout=60, timeout=900, accel="tcg", cpus=2, mem=512):
    """Boots once; always returns with qemu gone (killed at a bound)."""
    os.makedirs(outdir, exist_ok=True)
    initrd = os.path.join(outdir, "initrd.img")
    with open(initrd, "wb") as out:
        for part in initrds:  # the kernel unpacks concatenated archives in order
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
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
    qemu_err = open(os.path.join(outdir, "qemu.stderr"), "w")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_err, stderr=qemu_err,
                         start_new_session=True)
    try:
        while True:
            rc = p.poll()
            el = time.monotonic() - t0
            text = _read(obs_log)
            if b.boot_s is None and BEGIN in text:
                b.boot_s = el
            if rc is not None:
                b.qemu_rc = rc
                b.status = "finished" if END in text else "exited"
                break
            if b.boot_s is None and el > boot_timeout:
                b.status = "boot-timeout"
                break
            if el > timeout:
                b.status = "timeout"
                break
            time.sleep(0.05)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
            b.qemu_rc = p.returncode
        qemu_err.close()
    b.total_s = time.monotonic() - t0
    b.console = _read(console_log)
    b.obs = _read(obs_log)
    return b


# ---------------------------------------------------------------------------
# what the guest said

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
            continue
        if line.startswith(BEGIN):
            g["begun"], state = True, "run"
            kv = dict(w.split("=", 1) for w in line[len(BEGIN):].split() if "=" in w)
            g["release"], g["nproc"] = kv.get("release"), kv.get("nproc")
            continue
        if state != "run":
            continue
        if line.startswith(END):
            g["ended"] = True
            state = "after"
        elif line.startswith(DMESG_BEGIN):
            state = "dmesg"
        elif line.startswith(MARK + "PROBE@@"):
            w = line.split()
            kv = dict(x.split("=", 1) for x in w[2:] if "=" in x)
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


# ---------------------------------------------------------------------------
# one kernel, end to end

def check(k, initrd_base, outdir=None, append="", areas=None, selftest=None, boot_timeout=60, timeout=900,
          accel="tcg", modules=None, quiet=False, boot_mode="pvh"):
    """Returns (exit code, info dict). Prints the harness's KTAP and a verdict line."""
    outdir = outdir or os.path.join(VMDIR, k.get("release") or "unknown")
    with locked(os.path.join(outdir, ".lock"), os.path.relpath(outdir, ROOT)):
        return _check(k, initrd_base, outdir, append, areas, selftest, boot_timeout, timeout, accel, modules, quiet,
                      boot_mode)


def _check(k, initrd_base, outdir, append, areas, selftest, boot_timeout, timeout, accel, modules, quiet, boot_mode):
    t0 = time.monotonic()
    release = k.get("release") or "unknown"
    initrds = [initrd_base]
    mods, notes = modules_cpio(k, DEFAULT_MODULES if modules is None else modules,
                               os.path.join(outdir, "modules.cpio.gz"))
    if mods:
        initrds.append(mods)
    for n in notes:
        log(n)
    image = k["kernel"]
    if boot_mode == "pvh":
        with locked(os.path.join(VMDIR, "pvh", release, ".lock"), "build/vm/pvh/" + release):
            image = pvh_kernel(k["kernel"], os.path.join(VMDIR, "pvh", release)) or k["kernel"]
    if accel == "auto":
        accel = kvm_works(image, initrds, outdir)
    cmdline = guest_cmdline(append, selftest, areas, slow=(accel == "tcg"))
    log("booting %s (%s, %s%s) with: %s" % (
        os.path.relpath(k["kernel"], ROOT) if k["kernel"].startswith(ROOT) else k["kernel"], release, accel,
        ", its vmlinux through the PVH entry" if image != k["kernel"] else "", cmdline))
    b = boot(image, initrds, cmdline, outdir, boot_timeout, timeout, accel)
    g = parse_guest(b.obs)
    console = clean(b.console)
    info = {"kernel": k["kernel"], "release": g["release"] or release, "cmdline": cmdline, "accel": accel,
            "boot_entry": "pvh" if image != k["kernel"] else "bzimage",
            "panicked": None,
            "boot_status": b.status, "boot_s": b.boot_s, "qemu_s": b.total_s, "modules": g["modules"],
            "probes": {n: {"rc": p.get("rc"), "seconds": p.get("seconds")} for n, p in g["probes"].items()},
            "outdir": outdir, "problems": []}
    problems = info["problems"]
    for m, rc in g["modules"].items():
        if rc:
            problems.append("insmod %s failed in the guest (rc %s)" % (m, rc))
    # a panic shows on the console (the guest cannot dump it); splats can
    # be in either log: the console has everything the loglevel lets
    # through, the dmesg dump the rest
    splats = find_splats(console)
    seen = {s[0] for s in splats}
    splats += [s for s in find_splats(g["dmesg"]) if s[0] not in seen]
    panicked = any("Kernel panic" in line for line in console)
    info["panicked"] = panicked
    info["splats"] = [pat for pat, _text in splats]
    if b.status == "boot-timeout":
        problems.append("guest did not start the suite within %d s (killed); console tail:\n%s"
                        % (boot_timeout, "\n".join(console[-15:])))
    elif b.status == "timeout":
        problems.append("guest never finished: killed at its bound of %d s; console tail:\n%s"
                        % (timeout, "\n".join(console[-15:])))
    elif b.status == "exited" and panicked:
        problems.append("guest kernel panicked before the end marker (excerpt below)")
    elif b.status == "exited":
        problems.append("guest stopped before the end marker (qemu exit %s); console tail:\n%s"
                        % (b.qemu_rc, "\n".join(console[-15:])))
    for pat, text in splats:
        problems.append("kernel splat in the guest log (%r):\n%s" % (pat, text))
    rc = KSFT_FAIL
    if g["ended"]:
        obs_file = os.path.join(outdir, "observations.guest.jsonl")
        with open(obs_file, "w") as f:
            f.write("\n".join(observation_lines(g)) + "\n")
        log_file = os.path.join(outdir, "dmesg.guest.log")
        with open(log_file, "w") as f:
            f.write("\n".join(g["dmesg"]) + "\n")
        cmd = [PYTHON, MCPROBE, "--observations", obs_file, "--kernel-release", info["release"],
               "--kernel-log", log_file, "--out", outdir]
        if areas:
            cmd += ["--areas", ",".join(areas)]
        h = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if not quiet:
            sys.stdout.write(h.stdout)
        sys.stderr.write(h.stderr)
        info["harness_rc"] = rc = h.returncode
        if h.returncode not in (KSFT_PASS, KSFT_SKIP):
            fails = [line.split(" ", 3)[-1] for line in h.stdout.splitlines() if line.startswith("not ok ")]
            info["failed_checks"] = fails
    if problems:
        rc = KSFT_FAIL
    info["verdict_s"] = time.monotonic() - t0
    info["exit"] = rc
    with open(os.path.join(outdir, "vm.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
    for p in problems:
        print("# vm: " + p.replace("\n", "\n#   "))
    word = {KSFT_PASS: "PASS", KSFT_SKIP: "SKIP"}.get(rc, "FAIL")
    fl = info.get("failed_checks") or []
    print("# vm-check %s: kernel %s (%s), boot %s s, boot-to-verdict %.1f s%s%s" % (
        word, info["release"], accel, "%.1f" % b.boot_s if b.boot_s is not None else "-", info["verdict_s"],
        "; failed checks: " + ", ".join(fl[:12]) + (" ..." if len(fl) > 12 else "") if fl else "",
        "; %d problem(s) above" % len(problems) if problems else ""))
    print("# vm-check: logs and reports in %s/" % os.path.relpath(outdir, ROOT))
    sys.stdout.flush()
    return rc, info


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


def spec_kernel(spec, flavour="amd64"):
    """'debian:6.1[:flavour]' or a path -> kernel dict."""
    if spec.startswith("debian:"):
        parts = spec.split(":")
        return resolve_kernel(debian=parts[1], flavour=parts[2] if len(parts) > 2 else flavour)
    return resolve_kernel(kernel=spec)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["check", "fetch", "bench", "matrix"])
    ap.add_argument("specs", nargs="*", help="kernel specs (bench, matrix)")
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
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm", "auto"])
    ap.add_argument("--boot", default="pvh", choices=["pvh", "bzimage"],
                    help="pvh: boot the image's uncompressed vmlinux through qemu's PVH entry when the kernel "
                         "supports it (saves the TCG-slow decompressor); bzimage: the image as is")
    ap.add_argument("--publish", help="matrix: also copy the page to this directory (e.g. ci/matrix)")
    ap.add_argument("--boot-timeout", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_intermixed_args(argv)
    areas = [x for x in a.areas.split(",") if x] or None
    if a.cmd == "fetch":
        k = resolve_kernel(debian=a.debian or (a.specs[0] if a.specs else "6.1"), flavour=a.flavour)
        print(json.dumps(k, indent=1))
        return 0
    if not os.path.exists(a.initrd):
        raise SystemExit("vm: %s missing (make vm-initramfs)" % a.initrd)
    if a.cmd == "check":
        if not a.kernel and not a.debian:
            ap.error("check needs KERNEL=<bzImage> or DEBIAN_KERNEL=<version>")
        k = resolve_kernel(a.kernel, a.debian, a.flavour, a.modules)
        rc, _ = check(k, a.initrd, a.out, a.append, areas, a.selftest, a.boot_timeout, a.timeout, a.accel,
                      modules=[m for m in a.load.split(",") if m], boot_mode=a.boot)
        return rc
    if a.cmd == "bench":
        return bench(a.specs or ["debian:6.1"], a)
    if a.cmd == "matrix":
        return matrix(a.specs or ["running", "debian:6.1"], a, areas)
    return 2


def bench(specs, a):
    rows = []
    for spec in specs:
        k = spec_kernel(spec, a.flavour)
        rc, info = check(k, a.initrd, os.path.join(VMDIR, "bench", k["release"] or "unknown"), a.append, None, None,
                         a.boot_timeout, a.timeout, a.accel, modules=[m for m in a.load.split(",") if m],
                         quiet=True, boot_mode=a.boot)
        rows.append((spec, info, rc))
    print("vm bench: boot-to-verdict per kernel (qemu %s, %d host cores)" % (a.accel, os.cpu_count()))
    print("  %-26s %-8s %7s %7s %9s %-14s %s" % ("kernel", "entry", "boot s", "qemu s", "verdict s", "target", "result"))
    out = []
    for spec, info, rc in rows:
        v = info.get("verdict_s") or 0
        print("  %-26s %-8s %7s %7.1f %9.1f %-14s %s" % (
            info["release"], info.get("boot_entry"), "%.1f" % info["boot_s"] if info.get("boot_s") is not None else "-",
            info.get("qemu_s") or 0, v, "<= 30 s" if v <= 30 else "> 30 s (over)",
            {0: "pass", 4: "skip"}.get(rc, "fail")))
        out.append({"spec": spec, "release": info["release"], "accel": info["accel"], "boot_entry": info.get("boot_entry"),
                    "boot_s": info.get("boot_s"),
                    "qemu_s": info.get("qemu_s"), "boot_to_verdict_s": v, "exit": rc,
                    "probe_seconds": {n: p.get("seconds") for n, p in info["probes"].items()}})
    with open(os.path.join(VMDIR, "bench.json"), "w") as f:
        json.dump(out, f, indent=1)
    return 0


def matrix(specs, a, areas):
    from harness import matrix as mx

    mdir = os.path.join(ROOT, "build", "matrix")
    cols = []
    for spec in specs:
        if spec == "running":
            out = os.path.join(mdir, "running")
            cmd = [PYTHON, MCPROBE, "--out", out] + (["--areas", ",".join(areas)] if areas else [])
            log("running the probes on this kernel: %s" % " ".join(cmd))
            h = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            cols.append({"label": "running " + os.uname().release, "dir": out, "exit": h.returncode,
                         "how": "probes on the host"})
            continue
        k = spec_kernel(spec, a.flavour)
        out = os.path.join(mdir, re.sub(r"[^A-Za-z0-9_.+-]", "_", spec))
        rc, info = check(k, a.initrd, out, a.append, areas, None, a.boot_timeout, a.timeout, a.accel,
                         modules=[m for m in a.load.split(",") if m], quiet=True, boot_mode=a.boot)
        cols.append({"label": "%s %s" % (spec, info["release"]) if spec.startswith("debian:") else info["release"],
                     "dir": out, "exit": rc, "how": "qemu %s guest (%s entry)" % (info["accel"], info.get("boot_entry")),
                     "problems": info["problems"]})
    html, md = mx.render(cols)
    os.makedirs(mdir, exist_ok=True)
    with open(os.path.join(mdir, "index.html"), "w") as f:
        f.write(html)
    with open(os.path.join(ROOT, "build", "matrix.md"), "w") as f:
        f.write(md)
    if a.publish:
        os.makedirs(a.publish, exist_ok=True)
        shutil.copy(os.path.join(mdir, "index.html"), os.path.join(a.publish, "index.html"))
        shutil.copy(os.path.join(ROOT, "build", "matrix.md"), os.path.join(a.publish, "matrix.md"))
        print("matrix: copied to %s/" % a.publish)
    print("matrix: build/matrix/index.html and build/matrix.md (%s)" % ", ".join(
        "%s: exit %d" % (c["label"], c["exit"]) for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
