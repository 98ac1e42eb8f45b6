#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A fuzz campaign with resource accounting (how the closing-note numbers were made).

  /usr/bin/python3 fuzz/campaign.py --target sockopt --seconds 600 [--bindir build/fuzz]

Runs fuzz_<target> under -fork=1 -ignore_crashes=1 (a divergence is saved and the
campaign goes on) from the committed seeds, samples the fuzzer's open fds while it
runs, and compares the host namespace before and after: links, /proc/net/igmp,
/proc/net/igmp6, the multicast sysctls, and checks that no process and no network
namespace of the campaign is left. Writes build/fuzz/campaign/<target>/summary.json.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

SYSCTLS = ["net/ipv4/igmp_max_memberships", "net/ipv4/igmp_max_msf", "net/ipv4/igmp_qrv",
           "net/ipv4/conf/all/force_igmp_version", "net/ipv4/conf/default/force_igmp_version",
           "net/ipv4/conf/all/rp_filter", "net/ipv6/conf/default/accept_dad", "net/core/optmem_max"]


def host_snapshot():
    links = subprocess.run(["ip", "-o", "link", "show"], stdout=subprocess.PIPE).stdout.decode()
    links = sorted(re.sub(r"^\d+: ", "", l).split(" ")[0] for l in links.splitlines())
    snap = {"links": links}
    for f in ("igmp", "igmp6", "mcfilter", "mcfilter6"):
        with open("/proc/1/net/" + f) as fh:   # pid 1: the host namespace, whatever ours is
            snap[f] = [re.sub(r"\s+\S+\s*$", "", l) if f == "igmp6" else l for l in fh.read().splitlines()]
    for s in SYSCTLS:
        with open("/proc/sys/" + s) as fh:
            snap[s] = fh.read().strip()
    return snap


def procs_of(binary):
    out = []
    for p in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(p, "rb") as fh:
                if binary.encode() in fh.read():
                    out.append(int(p.split("/")[2]))
        except OSError:
            pass
    return out


def netns_alive(inode):
    for p in glob.glob("/proc/[0-9]*/ns/net"):
        try:
            if os.readlink(p) == inode:
                return True
        except OSError:
            pass
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--bindir", default="build/fuzz")
    ap.add_argument("--no-link", action="store_true", help="MCP_FUZZ_NO_LINK=1: skip f0 down/up/delete")
    a = ap.parse_args()
    out = os.path.join(a.bindir, "campaign", a.target + ("-nolink" if a.no_link else ""))
    shutil.rmtree(out, ignore_errors=True)
    corpus, arts = os.path.join(out, "corpus"), os.path.join(out, "artifacts")
    os.makedirs(corpus)
    os.makedirs(arts)
    binary = os.path.abspath(os.path.join(out, "fuzz_" + a.target))
    shutil.copy(os.path.join(a.bindir, "fuzz_" + a.target), binary)  # rebuilds do not touch it
    before = host_snapshot()
    log = open(os.path.join(out, "fuzz.log"), "w")
    t0 = time.time()
    p = subprocess.Popen([binary, "-fork=1", "-ignore_crashes=1", "-max_len=1024", "-timeout=10",
                          "-rss_limit_mb=2048", "-print_final_stats=1", "-max_total_time=%d" % a.seconds,
                          "-dict=fuzz/dict/%s.dict" % a.target, "-artifact_prefix=%s/" % arts,
                          corpus, "fuzz/corpus/" + a.target], stdout=log, stderr=subprocess.STDOUT,
                         env=dict(os.environ, MCP_FUZZ_DIVERGENCE_LOG=os.path.abspath(os.path.join(out, "divergences.log")),
                                  **({"MCP_FUZZ_NO_LINK": "1"} if a.no_link else {})))
    fds, nsinodes = [], set()
    while p.poll() is None:
        time.sleep(15)
        for pid in procs_of(binary):
            try:
                fds.append((round(time.time() - t0), pid, len(os.listdir("/proc/%d/fd" % pid))))
                nsinodes.add(os.readlink("/proc/%d/ns/net" % pid))
            except OSError:
                pass
    elapsed = time.time() - t0
    log.close()
    time.sleep(1)
    after = host_snapshot()
    text = open(os.path.join(out, "fuzz.log"), errors="replace").read()
    execs = [int(x) for x in re.findall(r"^#(\d+):? .*exec/s", text, re.M)]
    rates = [int(x) for x in re.findall(r"exec/s: (\d+)", text)]
    dl = os.path.join(out, "divergences.log")
    divs = re.findall(r"MCPROBE-DIVERGENCE: (.*)", text + (open(dl, errors="replace").read() if os.path.exists(dl) else ""))
    summary = {
        "target": a.target, "no_link": a.no_link, "seconds": round(elapsed), "rc": p.returncode,
        "execs": max(execs) if execs else None,
        "execs_per_s": round(max(execs) / elapsed) if execs else None,
        "last_reported_exec_per_s": rates[-1] if rates else None,
        "corpus_files": len(os.listdir(corpus)),
        "artifacts": sorted(os.listdir(arts)),
        "divergences": sorted(set(divs)),
        "fd_samples": len(fds),
        # per process (fork mode: a parent and short-lived children): open fds, first and last sample
        "fd_first_last_per_pid": {str(pid): [f[2] for f in fds if f[1] == pid][::max(1, len([f for f in fds if f[1] == pid]) - 1)]
                                  for pid in sorted(set(f[1] for f in fds))},
        "host_unchanged": before == after,
        "host_diff": {k: [before[k], after[k]] for k in before if before[k] != after[k]},
        "processes_left": procs_of(binary),
        "fuzzer_netns_seen": len(nsinodes),
        "fuzzer_netns_left": [i for i in nsinodes if netns_alive(i)],
    }
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
