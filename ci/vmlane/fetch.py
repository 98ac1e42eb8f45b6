"""Kernels to boot: Debian packages (apt-get download + dpkg-deb -x, never
installed on the host, cached in build/vm/kernels), a bzImage given by path,
and the kernel specs of `bench` and `matrix`."""

import os
import re
import shutil
import struct
import subprocess

from .common import VMDIR, locked, log


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
    """Returns {kernel, moddir, release, package, config} of the newest
    package for `version`, downloading and unpacking it once."""
    with locked(os.path.join(VMDIR, "kernels", ".lock"), "build/vm/kernels"):
        pkg = _package_or_update(version, flavour)
        dest = os.path.join(VMDIR, "kernels", pkg)
        if not os.path.exists(os.path.join(dest, ".unpacked")):
            _download_and_unpack(pkg, dest)
        return _unpacked_kernel(pkg, dest)


def _package_or_update(version, flavour):
    pkg = debian_package(version, flavour)
    if not pkg:
        log("no linux-image-%s*-%s in apt's lists; running apt-get update" % (version, flavour))
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        pkg = debian_package(version, flavour)
    if not pkg:
        raise SystemExit("vm: no Debian package linux-image-%s*-%s (apt-cache pkgnames linux-image-)" % (version, flavour))
    return pkg


def _download_and_unpack(pkg, dest):
    kdir = os.path.dirname(dest)
    os.makedirs(kdir, exist_ok=True)

    def debs():
        return [d for d in os.listdir(kdir) if d.startswith(pkg + "_") and d.endswith(".deb")]

    for old in debs():  # a download killed half way
        os.unlink(os.path.join(kdir, old))
    log("apt-get download %s" % pkg)
    subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg], cwd=kdir, check=True)
    got = debs()
    if len(got) != 1:
        raise SystemExit("vm: apt-get download %s left %r" % (pkg, got))
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", os.path.join(kdir, got[0]), dest], check=True)
    os.unlink(os.path.join(kdir, got[0]))
    open(os.path.join(dest, ".unpacked"), "w").close()


def _unpacked_kernel(pkg, dest):
    boot = os.path.join(dest, "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    if len(images) != 1:
        raise SystemExit("vm: %s: expected one vmlinuz, found %r" % (boot, images))
    release = images[0][len("vmlinuz-"):]
    return {"kernel": os.path.join(boot, images[0]), "release": release, "package": pkg,
            "moddir": os.path.join(dest, "lib", "modules", release),
            "config": os.path.join(boot, "config-" + release)}


def image_kernel(kernel):
    """A bzImage given by path, with its modules and config where they are
    next to it: an unpacked package (boot/ + lib/modules/) or the host's own
    tree for an installed kernel."""
    if not kernel or not os.path.isfile(kernel):
        raise SystemExit("vm: KERNEL=%r is not a file" % kernel)
    release = bzimage_release(kernel)
    k = {"kernel": kernel, "release": release, "package": None, "moddir": None, "config": None}
    if release:
        for cand in (os.path.join(os.path.dirname(kernel), "..", "lib", "modules", release),
                     os.path.join("/lib/modules", release)):
            if os.path.isdir(cand):
                k["moddir"] = os.path.normpath(cand)
                break
        cfg = os.path.join(os.path.dirname(kernel), "config-" + release)
        k["config"] = cfg if os.path.exists(cfg) else None
    return k


def resolve_kernel(kernel=None, debian=None, flavour="amd64", modules=None):
    k = debian_fetch(debian, flavour) if debian else image_kernel(kernel)
    if modules:
        k["moddir"] = modules
    return k


def spec_kernel(spec, flavour="amd64"):
    """'debian:6.1[:flavour]' or a path -> kernel dict."""
    if spec.startswith("debian:"):
        parts = spec.split(":")
        return resolve_kernel(debian=parts[1], flavour=parts[2] if len(parts) > 2 else flavour)
    return resolve_kernel(kernel=spec)
