"""ci/vmlane (the parts of ci/vm.py), the host side of the kernel-matrix lane, without
booting anything: what the guest's serial port says becomes observations and
verdict problems; kernel images and modules are read correctly; Debian
package names resolve to the newest of the asked version."""

import json
import os
import struct
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ci"))
from vmlane import boot, fetch, modules, parse  # noqa: E402

from harness.kmsg import find_splats  # noqa: E402  (what the lane looks for in a guest log)

SERIAL = (
    "\x1b[2J\x1b[01;01HSeaBIOS noise\r\n"
    "@@MCPROBE-BEGIN@@ release=6.1.0-56-amd64 nproc=2\r\n"
    "@@MCPROBE-MOD@@ veth.ko rc=0\r\n"
    '{"id":"ipv4.a.one","facts":{"value":20}}\r\n'
    "@@MCPROBE-PROBE@@ a rc=0 seconds=0.50\r\n"
    '{"id":"ipv4.b.one","facts":{"ret":0}}\r\n'
    "@@MCPROBE-PROBE@@ b rc=1 seconds=1.25\r\n"
    "@@MCPROBE-ERR@@ b setup failed: veth: EOPNOTSUPP\r\n"
    "@@MCPROBE-DMESG-BEGIN@@\r\n"
    "[    1.0] Linux version 6.1.0\r\n"
    "[    2.0] WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 foo+0x1/0x2\r\n"
    "[    2.1] Call Trace:\r\n"
    "@@MCPROBE-DMESG-END@@\r\n"
    "@@MCPROBE-END@@\r\n"
)


def test_parse_guest_separates_observations_from_markers_and_log():
    g = parse.parse_guest(SERIAL)
    assert g["begun"] and g["ended"]
    assert g["release"] == "6.1.0-56-amd64"
    assert g["lines"] == ['{"id":"ipv4.a.one","facts":{"value":20}}', '{"id":"ipv4.b.one","facts":{"ret":0}}']
    assert g["modules"] == {"veth.ko": 0}
    assert g["probes"]["a"]["rc"] == 0 and g["probes"]["b"]["seconds"] == 1.25
    assert g["probes"]["b"]["stderr"] == ["setup failed: veth: EOPNOTSUPP"]
    assert len(g["dmesg"]) == 3 and not any("@@" in line for line in g["dmesg"])


def test_unfinished_guest_is_not_ended():
    g = parse.parse_guest(SERIAL.split("@@MCPROBE-PROBE@@ b")[0])
    assert g["begun"] and not g["ended"]


def test_nothing_before_begin_is_an_observation():
    g = parse.parse_guest('{"id":"x.y","facts":{}}\n' + SERIAL)
    assert all("x.y" not in line for line in g["lines"])


def test_probe_that_failed_in_the_guest_becomes_a_broken_record():
    lines = parse.observation_lines(parse.parse_guest(SERIAL))
    recs = [json.loads(x) for x in lines]
    broken = [r for r in recs if "broken" in r]
    assert broken == [{"probe": "b", "scenario": "*",
                       "broken": "probe exited 1 in the guest: setup failed: veth: EOPNOTSUPP"}]


def test_broken_record_is_understood_by_the_judge():
    from harness.judge import Run
    run = Run()
    run.add_lines("\n".join(parse.observation_lines(parse.parse_guest(SERIAL))))
    assert not run.errors
    assert run.broken == {"b": ["scenario *: probe exited 1 in the guest: setup failed: veth: EOPNOTSUPP"]}


@pytest.mark.parametrize("line,pattern", [
    ("[    2.1] RIP: 0010:foo+0x1/0x2", "] RIP:"),
    ("[    2.1] Call Trace:", "] Call Trace:"),
    ("[    3.0] BUG: kernel NULL pointer dereference, address: 0000000000000000", "BUG:"),
    ("[    3.0] WARNING: CPU: 1 PID: 7 at net/ipv4/igmp.c:1 x", "WARNING:"),
    ("[    4.0] Kernel panic - not syncing: sysrq triggered crash", "Kernel panic"),
    ("[    5.0] unreferenced object 0xffff888003a4b000 (size 64):", "unreferenced object 0x"),
])
def test_splat_patterns_are_found_with_context(line, pattern):
    log = ["[    0.1] line %d" % i for i in range(10)] + [line] + ["[    9.9] after %d" % i for i in range(40)]
    found = find_splats(log)
    assert found and found[0][0] == pattern
    assert line in found[0][1] and "line 9" in found[0][1] and "after 5" in found[0][1]


def test_clean_boot_log_has_no_splat():
    log = ["[    0.0] Linux version 6.1.0-56-amd64", "[    0.5] x86/fpu: Supporting XSAVE feature 0x001",
           "[    1.2] Run /init as init process", "[    2.0] reboot: Power down"]
    assert find_splats(log) == []


def test_clean_strips_carriage_returns_and_escapes():
    assert parse.clean("\x1b[0m\x1b[1;1Hab\r\ncd\x07\n") == ["ab", "cd", ""]


def test_cmdline_always_panics_out_and_carries_switches():
    c = boot.guest_cmdline("sysctl.net.core.optmem_max=10240", "hang", ["membership", "igmp"]).split()
    assert {"panic=-1", "oops=panic", "console=ttyS0"} <= set(c)
    assert "mcprobe.selftest=hang" in c and "mcprobe.only=membership,igmp" in c
    assert c[-1] == "sysctl.net.core.optmem_max=10240"


def test_qemu_defaults_to_tcg_and_two_serial_ports():
    cmd = boot.qemu_cmd("k", "i", "a", "c.log", "o.log")
    assert cmd[cmd.index("-accel") + 1].startswith("tcg")
    assert cmd.count("-serial") == 2 and "-no-reboot" in cmd
    assert "kvm" in boot.qemu_cmd("k", "i", "a", "c.log", "o.log", accel="kvm")


def test_bzimage_release_read_from_setup_header(tmp_path):
    img = bytearray(0x4000)
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x20E, 0x1000)
    txt = b"6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP\0"
    img[0x1200:0x1200 + len(txt)] = txt
    p = tmp_path / "vmlinuz"
    p.write_bytes(bytes(img))
    assert fetch.bzimage_release(str(p)) == "6.1.0-56-amd64"
    p.write_bytes(b"\0" * 0x4000)
    assert fetch.bzimage_release(str(p)) is None


def _elf_with_modinfo(path, text):
    """A minimal ELF64 with sections: null, .modinfo, .shstrtab."""
    shstr = b"\0.modinfo\0.shstrtab\0"
    body_off = 64
    modinfo_off = body_off
    shstr_off = modinfo_off + len(text)
    shoff = (shstr_off + len(shstr) + 7) & ~7
    hdr = bytearray(64)
    hdr[0:4] = b"\x7fELF"
    hdr[4] = 2
    hdr[5] = 1
    struct.pack_into("<Q", hdr, 0x28, shoff)
    struct.pack_into("<HHH", hdr, 0x3A, 64, 3, 2)
    data = bytearray(hdr) + text + shstr
    data += b"\0" * (shoff - len(data))
    sec = lambda name, off, size: struct.pack("<IIQQQQ", name, 1, 0, 0, off, size) + b"\0" * 24  # noqa: E731
    data += b"\0" * 64 + sec(1, modinfo_off, len(text)) + sec(10, shstr_off, len(shstr))
    path.write_bytes(bytes(data))


def test_module_dependencies_load_first(tmp_path):
    d = tmp_path / "kernel" / "net"
    d.mkdir(parents=True)
    _elf_with_modinfo(d / "bridge.ko", b"license=GPL\0depends=stp,llc\0name=bridge\0")
    _elf_with_modinfo(d / "stp.ko", b"depends=llc\0name=stp\0")
    _elf_with_modinfo(d / "llc.ko", b"depends=\0name=llc\0")
    assert modules.modinfo(str(d / "bridge.ko"))["depends"] == ["stp,llc"]
    order, missing = modules.module_closure(str(tmp_path), ["bridge", "veth"])
    assert [os.path.basename(p) for p in order] == ["llc.ko", "stp.ko", "bridge.ko"]
    assert missing == ["veth"]


def test_builtin_feature_needs_no_module(tmp_path):
    cfg = tmp_path / "config-x"
    cfg.write_text("CONFIG_VETH=y\nCONFIG_BRIDGE=m\n")
    assert modules.builtin(str(cfg), "VETH") == "y"
    assert modules.builtin(str(cfg), "BRIDGE") == "m"
    assert modules.builtin(str(cfg), "DUMMY") == "n"
    assert modules.builtin(None, "VETH") is None


def test_debian_package_is_the_newest_of_the_asked_version():
    names = ["linux-image-6.1.0-9-amd64", "linux-image-6.1.0-56-amd64", "linux-image-6.1.0-56-cloud-amd64",
             "linux-image-6.1.0-56-amd64-dbg", "linux-image-6.12.107+deb12-amd64", "linux-image-6.12.9+deb12-amd64",
             "linux-image-6.12.107+deb12-amd64-unsigned", "linux-image-amd64", "linux-image-6.10.0-1-amd64"]
    assert fetch.debian_package("6.1", "amd64", names) == "linux-image-6.1.0-56-amd64"
    assert fetch.debian_package("6.1", "cloud-amd64", names) == "linux-image-6.1.0-56-cloud-amd64"
    assert fetch.debian_package("6.12", "amd64", names) == "linux-image-6.12.107+deb12-amd64"
    assert fetch.debian_package("6.1.0-9", "amd64", names) == "linux-image-6.1.0-9-amd64"
    assert fetch.debian_package("5.10", "amd64", names) is None


def _elf_with_notes(notes):
    """ELF64 header + one PT_NOTE program header + the notes."""
    body = b""
    for name, ntype, desc in notes:
        n = name + b"\0"
        body += struct.pack("<III", len(n), len(desc), ntype) + n.ljust((len(n) + 3) & ~3, b"\0") \
            + desc.ljust((len(desc) + 3) & ~3, b"\0")
    hdr = bytearray(64)
    hdr[0:4] = b"\x7fELF"
    hdr[4] = 2
    struct.pack_into("<Q", hdr, 0x20, 64)
    struct.pack_into("<HH", hdr, 0x36, 56, 1)
    ph = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(body), len(body), 4)
    return bytes(hdr) + ph + body


def test_pvh_note_is_recognised():
    assert boot.has_pvh_note(_elf_with_notes([(b"GNU", 3, b"x" * 20), (b"Xen", 18, b"\0" * 4)]))
    assert not boot.has_pvh_note(_elf_with_notes([(b"GNU", 3, b"x" * 20), (b"Xen", 5, b"xen-3.0")]))
    assert not boot.has_pvh_note(b"MZ" + b"\0" * 200)


def test_pvh_kernel_unpacks_a_bzimage_payload_once(tmp_path):
    import lzma
    elf = _elf_with_notes([(b"Xen", 18, b"\0" * 4)])
    img = bytearray(0x800)
    img[0x202:0x206] = b"HdrS"
    img += lzma.compress(elf, format=lzma.FORMAT_XZ) + b"\0" * 64  # trailing bytes, as in a real bzImage
    k = tmp_path / "vmlinuz"
    k.write_bytes(bytes(img))
    out = boot.pvh_kernel(str(k), str(tmp_path / "cache"))
    assert out and open(out, "rb").read() == elf
    assert boot.pvh_kernel(str(k), str(tmp_path / "cache")) == out  # cached
    plain = tmp_path / "plain"
    plain.write_bytes(bytes(0x800))
    assert boot.pvh_kernel(str(plain), str(tmp_path / "cache2")) is None
