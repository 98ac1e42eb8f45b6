"""Rule 1: a run never changes the host's network namespace, and leaves no
namespace, veth or process behind, even when SIGKILLed half way."""

import glob
import os
import signal
import subprocess
import time

import pytest

from conftest import PYTHON, ROOT, run_harness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

SYSCTLS = ["net/ipv4/igmp_max_memberships", "net/ipv4/igmp_max_msf", "net/ipv4/igmp_qrv",
           "net/ipv4/igmp_link_local_mcast_reports", "net/core/optmem_max", "net/ipv4/ping_group_range"]


def host_state():
    """Everything a probe could have touched in this (the host's) namespace."""
    def sh(*cmd):
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout

    def cat(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError as e:
            return "<%s>" % e.strerror

    state = {
        "links": sh("ip", "-d", "-o", "link", "show"),
        "addrs": sh("ip", "-o", "addr", "show"),
        "routes": sh("ip", "route", "show", "table", "all"),
        "routes6": sh("ip", "-6", "route", "show", "table", "all"),
        "rules": sh("ip", "rule", "show"),
        "netns": sh("ip", "netns", "list"),
    }
    for f in ("igmp", "igmp6", "mcfilter", "mcfilter6", "dev_mcast"):
        state["/proc/net/" + f] = cat("/proc/net/" + f)
    for s in SYSCTLS:
        state[s] = cat("/proc/sys/" + s)
    for path in sorted(glob.glob("/proc/sys/net/ipv4/conf/*/force_igmp_version")
                       + glob.glob("/proc/sys/net/ipv4/conf/*/igmpv*_unsolicited_report_interval")
                       + glob.glob("/proc/sys/net/ipv4/conf/*/rp_filter")
                       + glob.glob("/proc/sys/net/ipv4/conf/*/mc_forwarding")
                       + glob.glob("/proc/sys/net/ipv6/conf/*/disable_ipv6")
                       + glob.glob("/proc/sys/net/ipv6/conf/*/accept_dad")
                       + glob.glob("/proc/sys/net/ipv6/conf/*/force_mld_version")):
        state[path] = cat(path)
    return state


def session_of(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[3])
    except (OSError, ValueError, IndexError):
        return None


def net_namespaces(session=None):
    """Inodes of the network namespaces that tasks are in or hold open fds
    to (a peer namespace is kept alive by an fd only); with `session`, only
    those of the tasks in that session (other runs on the machine ignored)."""
    seen = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or (session is not None and session_of(pid) != session):
            continue
        for p in glob.glob("/proc/%s/task/[0-9]*/ns/net" % pid):
            try:
                seen.add(os.stat(p).st_ino)
            except OSError:
                pass
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("net:["):
                seen.add(int(link[5:-1]))
    return seen


def probe_pids():
    pids = []
    for exe in glob.glob("/proc/[0-9]*/exe"):
        try:
            if os.readlink(exe).startswith(os.path.join(ROOT, "probes", "bin")):
                pids.append(int(exe.split("/")[2]))
        except OSError:
            pass
    return pids


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)  # polling interval of a bounded wait, not synchronisation
    raise AssertionError("not within %.0f s: %s" % (timeout, what))


def test_host_namespace_unchanged_by_a_full_run(tmp_path):
    before = host_state()
    p = run_harness("--out", str(tmp_path))
    assert p.returncode in (0, 1), p.stderr
    after = host_state()
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == [], "host namespace changed: %s" % {k: (before[k], after[k]) for k in changed}


PAUSE_AT = "ipv4.membership.iface.any_without_route"  # veths and a peer namespace exist here


@pytest.mark.parametrize("what", ["probe", "harness"])
def test_sigkill_half_way_leaves_nothing_behind(what, tmp_path):
    host_ns = os.stat("/proc/self/ns/net").st_ino
    state_before = host_state()
    paused = tmp_path / "paused"
    if what == "probe":
        cmd = [os.path.join(ROOT, "probes", "bin", "membership"), "--pause-after", PAUSE_AT]
    else:
        cmd = [PYTHON, os.path.join(ROOT, "mcprobe"), "--areas", "membership", "--out", str(tmp_path / "out"),
               "--probe-arg=--pause-after=" + PAUSE_AT]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=dict(os.environ, MCP_PAUSED_FILE=str(paused)))
    try:
        wait_until(paused.exists, 30, "the probe to hold its scenario at %s" % PAUSE_AT)
        during = net_namespaces(proc.pid) - {host_ns}
        assert len(during) >= 2, "the run should hold its own namespaces (scenario + peer) here"
        proc.send_signal(signal.SIGKILL)  # only the top process: the rest must follow by itself
        proc.wait(timeout=10)
        wait_until(lambda: not [p for p in probe_pids() if session_of(p) == proc.pid], 10,
                   "probe processes to exit")
        wait_until(lambda: not (net_namespaces() & during), 10, "the run's namespaces to vanish")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    after = host_state()
    changed = {k: (state_before[k], after[k]) for k in state_before if state_before[k] != after[k]}
    assert not changed, "host namespace changed: %s" % changed
