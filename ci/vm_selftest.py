#!/usr/bin/python3
"""vm-test: proofs that the kernel-matrix lane (ci/vm.py) judges what it
should, on a real guest kernel (Debian 12's 6.1 by default). Run by
`make vm-test` (part of `make test`). KTAP on stdout; exit 0 only if every
proof holds.

  1. the suite on the packaged kernel passes against its baseline
     (expected/common + expected/overrides/debian-6.1.yaml);
  2. the same kernel booted with a changed default on its command line
     fails, naming the limit checks; booted with a changed IGMP default
     (the IGMPv3 unsolicited report interval) it fails naming that
     default's check;
  3. a guest kernel that panics fails with the panic excerpt; one that
     prints a splat (a backtrace) fails with it even though its checks
     pass; a guest whose init exits fails; a guest that never finishes, or
     never starts the suite, is killed at its bound (short ones here) and fails.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmlane import check, common, fetch  # noqa: E402

# On 6.1 net.core.optmem_max is one global value (init_net only) that every
# namespace's sock_kmalloc() obeys, so a boot-time change reaches the
# probes' fresh namespaces and moves the membership ceiling (426 -> 213).
# net.ipv4.igmp_max_memberships would not: inet_init_net() gives every new
# namespace 20 whatever the boot value, and the probes only use new ones.
CHANGED_DEFAULT = "sysctl.net.core.optmem_max=10240"
# IPv4 conf/default of a new namespace is copied from init_net's
# (devconf_inherit_init_net 0), so a boot-time value is what the probes'
# fresh namespaces ship with.
CHANGED_IGMP_DEFAULT = "sysctl.net.ipv4.conf.default.igmpv3_unsolicited_report_interval=2000"
IGMP_DEFAULT_CHECK = "ipv4.igmp.default.igmpv3_unsolicited_report_interval"
HANG_BOUND = 12


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--debian", default="6.1")
    ap.add_argument("--flavour", default="amd64")
    ap.add_argument("--boot", default="pvh", choices=["pvh", "bzimage"])
    a = ap.parse_args(argv)
    k = fetch.resolve_kernel(debian=a.debian, flavour=a.flavour)
    out = os.path.join(common.VMDIR, "selftest")
    results = []

    def run(name, **kw):
        t0 = time.monotonic()
        sys.stdout.write("# --- %s\n" % name)
        rc, info = check.check(k, a.initrd, os.path.join(out, name), quiet=True, boot_mode=a.boot, **kw)
        return rc, info, time.monotonic() - t0

    def prove(name, ok, detail):
        results.append(ok)
        print("%s %d vm.%s" % ("ok" if ok else "not ok", len(results), name))
        for line in detail.splitlines():
            print("# " + line)

    print("TAP version 13")
    print("1..8")

    rc, info, secs = run("baseline")
    prove("baseline_%s_passes" % a.debian.replace(".", "_"), rc == 0 and not info["problems"],
          "kernel %s: exit %d in %.1f s; failed: %s; problems: %d" % (
              info["release"], rc, secs, ", ".join(info.get("failed_checks") or []) or "none", len(info["problems"])))

    rc, info, secs = run("changed-default", append=CHANGED_DEFAULT, areas=["membership"])
    failed = info.get("failed_checks") or []
    limit = [c for c in failed if c.startswith("ipv4.membership.limit.")]
    prove("changed_default_on_cmdline_fails_limit_checks", rc == 1 and bool(limit) and not info["problems"],
          "%s: exit %d; limit checks named: %s; other failures: %s" % (
              CHANGED_DEFAULT, rc, ", ".join(limit) or "NONE",
              ", ".join(c for c in failed if c not in limit) or "none"))

    rc, info, secs = run("changed-igmp-default", append=CHANGED_IGMP_DEFAULT, areas=["igmp"])
    failed = info.get("failed_checks") or []
    # the wire checks of the shipped interval may fail too (a 2 s interval
    # spaces repeats past 1.1 s half the time); nothing outside the defaults may
    others = [c for c in failed if not c.startswith("ipv4.igmp.default.")]
    prove("changed_igmp_default_on_cmdline_fails_its_check",
          rc == 1 and IGMP_DEFAULT_CHECK in failed and not others and not info["problems"],
          "%s: exit %d; failed: %s" % (CHANGED_IGMP_DEFAULT, rc, ", ".join(failed) or "NONE"))

    rc, info, secs = run("panic", selftest="panic", areas=["membership"])
    text = "\n".join(info["problems"])
    prove("panic_fails_with_excerpt", rc == 1 and info["panicked"] and "sysrq triggered crash" in text,
          "exit %d, panicked %s, %.1f s; excerpt has the panic line: %s" % (
              rc, info["panicked"], secs, "sysrq triggered crash" in text))

    rc, info, secs = run("splat", selftest="splat", areas=["membership"])
    text = "\n".join(info["problems"])
    # every probe check passes: the kernel-log verdict is the only failed one
    fails = [f.split(" ")[0] for f in info.get("failed_checks") or []]
    prove("splat_fails_with_excerpt_although_checks_pass",
          rc == 1 and fails == ["harness.kernel_log.no_new_splat"] and "Call Trace:" in text,
          "exit %d, failed checks %s, splats %s" % (rc, fails, info.get("splats")))

    rc, info, secs = run("init-exits", selftest="exit", areas=["membership"])
    prove("init_exit_fails", rc == 1 and info["panicked"],
          "exit %d, panicked %s (Attempted to kill init)" % (rc, info["panicked"]))

    rc, info, secs = run("hang", selftest="hang", areas=["membership"], timeout=HANG_BOUND)
    prove("hang_is_killed_at_its_bound",
          rc == 1 and info["boot_status"] == "timeout" and HANG_BOUND <= info["qemu_s"] < HANG_BOUND + 5,
          "exit %d, status %s, qemu ran %.1f s for a bound of %d s" % (
              rc, info["boot_status"], info["qemu_s"], HANG_BOUND))

    rc, info, secs = run("stall", selftest="stall", areas=["membership"], boot_timeout=HANG_BOUND)
    prove("boot_that_never_starts_the_suite_is_killed_at_its_bound",
          rc == 1 and info["boot_status"] == "boot-timeout" and HANG_BOUND <= info["qemu_s"] < HANG_BOUND + 5,
          "exit %d, status %s, qemu ran %.1f s for a boot bound of %d s" % (
              rc, info["boot_status"], info["qemu_s"], HANG_BOUND))

    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
