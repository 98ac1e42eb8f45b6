"""harness.kernel_log.no_new_splat: a kernel warning logged while the suite
runs fails the run by name, with the excerpt; a clean log passes; no log to
read is a SKIP with the reason, never a pass. The live path is proven with a
stand-in probe and a stand-in log (MCPROBE_KMSG): the tests never write to the
host's real kernel log."""

import os
import re
import stat

from conftest import RECORDED, run_harness
from harness import kmsg
from harness.judge import FAIL, PASS, SKIP

RELEASE = "6.18.44-fc-v669"
CID = kmsg.CHECK_ID
WARN = ("WARNING: CPU: 1 PID: 4242 at net/ipv4/igmp.c:1234 ip_mc_del_src+0x1a/0x2b0",
        "Modules linked in: veth macvlan",
        "RIP: 0010:ip_mc_del_src+0x1a/0x2b0",
        "Call Trace:",
        " <TASK>")


def line_of(stdout, cid):
    m = re.search(r"^(not ok|ok) \d+ %s(.*)$" % re.escape(cid), stdout, re.M)
    return m.group(1) + m.group(2) if m else None


def test_verdict_clean_log_passes_and_a_warning_fails_naming_it():
    assert kmsg.verdict(["veth0: link becomes ready", "IPv6: ADDRCONF(NETDEV_CHANGE)"]).status == PASS
    v = kmsg.verdict(["something before"] + list(WARN))
    assert v.status == FAIL
    assert "WARNING:" in v.message and "ip_mc_del_src" in v.message
    for other in ("BUG: KASAN: slab-use-after-free in igmp_ifc_timer_expire", "Oops: 0000 [#1] SMP",
                  "unreferenced object 0xffff888012345678 (size 64):"):
        assert kmsg.verdict([other]).status == FAIL, other
    s = kmsg.verdict([], unavailable="/dev/kmsg unreadable (Permission denied): kernel warnings not watched")
    assert s.status == SKIP and "Permission denied" in s.message


def test_watch_reads_only_what_is_logged_after_it_started(tmp_path, monkeypatch):
    log = tmp_path / "kmsg"
    log.write_text("6,100,1000,-;WARNING: from before the run\n")
    monkeypatch.setenv("MCPROBE_KMSG", str(log))
    w = kmsg.Watch()
    assert w.unavailable is None
    with open(log, "a") as f:
        f.write("6,101,2000,-;veth0: link up\n SUBSYSTEM=net\n4,102,3000,-;WARNING: during the run\n")
    assert w.read() == ["veth0: link up", "WARNING: during the run"]
    w.close()
    monkeypatch.setenv("MCPROBE_KMSG", str(tmp_path / "missing"))
    assert "unreadable" in kmsg.Watch().unavailable


def test_recorded_observations_with_the_kernels_log(tmp_path):
    clean, dirty = tmp_path / "clean.log", tmp_path / "dirty.log"
    clean.write_text("veth0: link becomes ready\n")
    dirty.write_text("veth0: link becomes ready\n" + "\n".join(WARN) + "\n")
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", "membership",
                    "--kernel-log", str(clean), "--out", str(tmp_path / "a"))
    assert p.returncode == 0 and line_of(p.stdout, CID) == "ok", p.stdout[-2000:]
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", "membership",
                    "--kernel-log", str(dirty), "--out", str(tmp_path / "b"))
    assert p.returncode == 1
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [CID]
    assert "ip_mc_del_src" in p.stdout
    p = run_harness("--observations", RECORDED, "--kernel-release", RELEASE, "--areas", "membership",
                    "--out", str(tmp_path / "c"))
    assert p.returncode == 0 and line_of(p.stdout, CID).startswith("ok # SKIP"), line_of(p.stdout, CID)


def test_live_run_fails_when_the_kernel_warns_while_probes_run(tmp_path):
    """A stand-in membership probe prints the recorded observations and, as a
    kernel would, logs a warning while it runs: only the kernel-log verdict
    fails. The same probe without the warning passes."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "kmsg"
    log.write_text("")
    probe = bindir / "membership"
    probe.write_text("#!/bin/sh\ncat %s\n[ -n \"$WARN\" ] && printf '4,7,1,-;%%s\\n' \"$WARN\" >> %s\nexit 0\n"
                     % (RECORDED, log))
    probe.chmod(probe.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, MCPROBE_KMSG=str(log))
    p = run_harness("--areas", "membership", "--bindir", str(bindir), "--out", str(tmp_path / "a"), env=env)
    assert p.returncode == 0 and line_of(p.stdout, CID) == "ok", p.stdout[-2000:] + p.stderr
    env["WARN"] = WARN[0]
    p = run_harness("--areas", "membership", "--bindir", str(bindir), "--out", str(tmp_path / "b"), env=env)
    assert p.returncode == 1
    assert re.findall(r"^not ok \d+ (\S+)", p.stdout, re.M) == [CID]
    assert "net/ipv4/igmp.c:1234" in p.stdout
