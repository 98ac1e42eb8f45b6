"""Which of a kernel's modules the guest must load for the features the
suite needs, dependencies first, read from the modules' own .modinfo."""

import os
import re
import struct
import subprocess

# Modules the suite needs where a kernel builds the feature as a module
# (Debian: CONFIG_VETH=m, CONFIG_MACVLAN=m). Loaded in the guest in dependency
# order; a feature the config builds in (=y) needs nothing.
DEFAULT_MODULES = ["veth", "macvlan"]

_DECOMPRESS = {".xz": "xz", ".zst": "zstd", ".gz": "gzip"}


def read_module(path):
    """A module's bytes, decompressed."""
    for ext, tool in _DECOMPRESS.items():
        if path.endswith(ext):
            return subprocess.run([tool, "-dc", path], check=True, capture_output=True).stdout
    with open(path, "rb") as f:
        return f.read()


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


def module_name(path):
    base = re.sub(r"\.ko(\.(xz|zst|gz))?$", "", os.path.basename(path))
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


def builtin(config, option):
    """'y', 'm' or None for CONFIG_<option> in a config file (None if no file)."""
    if not config:
        return None
    with open(config) as f:
        for line in f:
            if line.startswith("CONFIG_%s=" % option):
                return line.strip().split("=", 1)[1]
    return "n"


def needed_modules(k, wanted):
    """(module paths in load order, notes for the log) for kernel dict `k`.
    Features built in (config says y) need nothing; without a config every
    wanted module found is loaded."""
    notes, need = [], []
    for w in wanted:
        if builtin(k.get("config"), w.upper()) == "y":
            notes.append("%s built in" % w)
        else:
            need.append(w)
    if not need:
        return [], notes
    if not k.get("moddir") or not os.path.isdir(k["moddir"]):
        notes.append("no module tree for %s: %s not loaded" % (k.get("release"), ", ".join(need)))
        return [], notes
    paths, missing = module_closure(k["moddir"], need)
    if missing:
        notes.append("modules not in %s: %s" % (k["moddir"], ", ".join(missing)))
    return paths, notes
