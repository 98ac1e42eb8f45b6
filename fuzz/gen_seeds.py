#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the committed seed corpus fuzz/corpus/<target>/ from scenario tables.

Each seed is one probe scenario (kernel-spec.md rows the probes check: joins by
address/ifindex, the membership limit, SSM and the DROP_SOURCE-on-ASM quirk,
IP_MSFILTER/MCAST_MSFILTER bounds, TCP and accept, IPv6, link down/delete,
IGMP queries) written in the interpreter's encoding (fuzz/fz_prog.c, the
value tables of fz_tables.c, the operations of fz_ops.c and fz_frames.c): one
opcode byte per operation, then its argument bytes. Re-run after changing
the encoding: /usr/bin/python3 fuzz/gen_seeds.py
"""
import hashlib
import os
import sys

# opcode bytes per target (index into the target's operation table)
SOCKOPT = dict(socket=0, join=1, source=3, msf4=4, gsf=5, setint=6, setraw=7, get=8, bind=9,
               connect=10, listen=11, send=12, recv=13, close=14, sysctl=15, link=127)
MSFILTER = dict(socket=0, join=1, source=2, msf4=4, gsf=5, get=6, close=8, sysctl=9)
# igmp: inject6 (MLD) is opcode 10 of 12, so link is 7 * 12 + 9
IGMP = dict(socket=0, join=1, source=3, msf4=4, inject=5, close=8, sysctl=9, inject6=10, link=93)

UDP4, RAW_IGMP, TCP4, UDP6, RAW6, TCP6, UDPLITE = 0, 2, 3, 4, 5, 6, 7
IF0, LO, F0, BOGUS = 0, 1, 2, 4          # ifindex selectors
A_ANY, A_LO, A_F0, A_PEER, A_NONLOCAL = 0, 1, 2, 3, 4  # interface address selectors
G1, G2, SSM, MDNS, ALLHOSTS = 0, 1, 2, 3, 4  # group selectors (GROUP4), UNICAST = 8
UNICAST = 8
G6_SITE, G6_GLOBAL, G6_LL, G6_SCOPE5, G6_ALLNODES, G6_LOOPBACK = 0, 1, 2, 3, 4, 5
S1, S2, S3 = 0, 1, 2                     # sources
ADD, DROP, BLOCK, UNBLOCK = 0, 1, 2, 3


def prog(t, *ops):
    out = bytearray()
    for name, *args in ops:
        out.append(t[name])
        out.extend(a & 0xff for a in args)
    return bytes(out)


def j4(slot, g, ifsel=F0, addr=A_ANY, leave=False, lv=0):
    return ("join", slot, 8 if leave else 0, g, ifsel, addr, lv)


def jm4(slot, g, ifsel=F0, leave=False):
    return ("join", slot, 9 if leave else 1, g, ifsel, 0, 0)


def j6(slot, g, ifsel=F0, leave=False, mcast=False):
    return ("join", slot, (3 if mcast else 2) | (8 if leave else 0), g, ifsel, 0, 0)


def src4(slot, op, g, s, addr=A_ANY):
    return ("source", slot, op, g, addr, s, 0)


def gsr(slot, op, g, s, ifsel=F0, v6=False, lv=0):
    return ("source", slot, op | (12 if v6 else 8), g, ifsel, s, lv)


def msf4(slot, g, fmode, srcs, addr=A_ANY, nb=None, lv=0):
    return ("msf4", slot, g, addr, fmode, len(srcs) if nb is None else nb, lv, *srcs)


def gsf(slot, g, fmode, srcs, ifsel=F0, v6=False, nb=None, lv=0):
    return ("gsf", slot, 1 if v6 else 0, g, ifsel, fmode, len(srcs) if nb is None else nb, lv, *srcs)


def get(slot, o, ls=0, g=0, i=0, nb=8):
    return ("get", slot, o, ls, g, i, nb)


def sock(slot, kind):
    return ("socket", slot, kind)


SEEDS = {
    "sockopt": [
        ("join_leave_ifindex_addr", [sock(0, UDP4), j4(0, G1), j4(0, G1, IF0), j4(0, G1, IF0, A_F0, leave=True),
                                      j4(0, G2, LO), j4(0, G2, LO, leave=True), j4(0, G2, BOGUS), ("close", 0)]),
        ("join_errors", [sock(0, UDP4), j4(0, UNICAST), j4(0, G1, IF0, A_NONLOCAL), j4(0, G1, lv=12),
                         j4(0, G1, addr=8), j4(0, G1, leave=True), j4(0, MDNS, IF0, A_LO)]),
        ("limit", [("sysctl", 0, 3), sock(0, UDP4), j4(0, G1), j4(0, G2), j4(0, SSM), j4(0, MDNS), j4(0, G1, LO),
                   j4(0, MDNS)]),
        ("ssm_and_quirk", [sock(0, UDP4), src4(0, ADD, SSM, S1), src4(0, ADD, SSM, S2), src4(0, DROP, SSM, S1),
                           get(0, 4, 7, SSM, 0, 8), src4(0, DROP, SSM, S2), j4(0, G1), src4(0, DROP, G1, S1),
                           get(0, 4, 7, G1, 0, 8), src4(0, BLOCK, G1, S1)]),
        ("ipmsfilter", [sock(1, UDP4), j4(1, G1), msf4(1, G1, 1, [S1, S2]), get(1, 4, 7, G1, 0, 8),
                        msf4(1, G1, 0, [S3]), msf4(1, G1, 1, [], lv=0), msf4(1, G2, 5 + 248, [S1])]),
        ("mcast_msfilter", [sock(0, UDP4), jm4(0, G1), gsf(0, G1, 1, [S1, S2]), get(0, 5, 0, G1, F0, 8),
                            gsf(0, G1, 0, [], IF0), gsf(0, G1, 1, [S1] * 11, nb=11)]),
        ("tcp_accept", [sock(0, TCP4), j4(0, G1), jm4(0, G1), ("bind", 0, 1, 5), ("listen", 0, 0),
                        sock(1, TCP4), ("connect", 1, 8, 0), ("listen", 0, 1), get(2, 0), get(3, 0),
                        ("close", 0)]),
        ("ipv6", [sock(2, UDP6), j6(2, G6_SITE), j6(2, G6_SITE, IF0), j6(2, G6_LL, LO, mcast=True),
                  gsr(2, ADD, G6_GLOBAL, 1, v6=True), gsf(2, G6_GLOBAL, 1, [1, 2], v6=True),
                  get(2, 10, 0, G6_GLOBAL, F0, 8), j6(2, G6_LOOPBACK), j4(2, G1), ("close", 2)]),
        ("int_options", [sock(0, UDP4), ("setint", 0, 0, 5, 0, 0, 0), get(0, 0), ("setint", 0, 0, 4, 0, 0, 0),
                         ("setint", 0, 0, 3, 4, 0, 0), get(0, 0, 2), ("setint", 0, 2, 2, 0, 0, 0),
                         ("setint", 0, 3, 0, 9, 1, 2), get(0, 3), sock(1, UDP6), ("setint", 1, 4, 5, 0, 0, 0),
                         get(1, 6), ("setint", 1, 7, 10, 0, 0, 0), ("setint", 1, 5, 2, 0, 0, 0)]),
        ("link_down_delete", [sock(0, UDP4), j4(0, G1), src4(0, BLOCK, G1, S1), sock(1, UDP6), j6(1, G6_SITE),
                              ("link", 0), j4(0, G2, IF0), ("link", 4), j4(0, G2, IF0), ("link", 7),
                              j4(0, G1, leave=True), j4(0, G2, F0)]),
        ("send_recv", [sock(0, UDP4), ("bind", 0, 0, 7), j4(0, G1), ("send", 0, G1, 7), ("recv", 0),
                       sock(1, RAW_IGMP), ("send", 1, G1, 0), ("recv", 1), sock(3, UDPLITE), j4(3, G2)]),
        ("leave_by_address_leak", [sock(0, UDP4), j4(0, G1, F0, A_PEER), j4(0, G1, IF0, A_PEER | 8, leave=True),
                                   j4(0, G2, LO, A_NONLOCAL), src4(0, BLOCK, G2, S1, A_LO),
                                   j4(0, G2, IF0, A_NONLOCAL | 8, leave=True), j4(0, G2, LO), ("close", 0)]),
        # kernel finding 3: an INCLUDE-mode group changed while f0 is down (its rows are not judged
        # after the down); G1 joined with a source after the up heads f0's list and is judged
        ("link_down_include_sources", [sock(0, UDP4), sock(1, UDP4), src4(0, ADD, SSM, S1, A_F0),
                                       src4(1, ADD, SSM, S2, A_F0), ("link", 0), ("close", 0),
                                       src4(1, ADD, SSM, S3, A_F0), ("link", 4), src4(1, ADD, G1, S3, A_F0),
                                       ("close", 1), sock(2, UDP4), src4(2, ADD, SSM, S3, A_F0)]),
        # the first source rows appear after a down/up: judged (oracle_proof.py breaks mcf_count on it)
        ("link_down_then_sourced_join", [sock(0, UDP4), j4(0, G1), ("link", 0), ("link", 4),
                                         src4(0, ADD, SSM, S1, A_F0), src4(0, ADD, SSM, S2, A_F0), ("close", 0)]),
        ("raw_set", [sock(0, UDP4), ("setraw", 0, 0, 3, 12, 239, 1, 2, 3, 0, 0, 0, 0, 2, 0, 0, 0),
                     ("setraw", 0, 0, 9, 16, 239, 1, 2, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0x3f)]),
    ],
    "msfilter": [
        ("include_exclude", [sock(0, UDP4), j4(0, G1), msf4(0, G1, 1, [S1, S2, S3]), get(0, 4, 7, G1, 0, 8),
                             msf4(0, G1, 0, [S1, S1]), get(0, 4, 7, G1, 0, 2), msf4(0, G1, 1, [])]),
        ("bounds", [sock(0, UDP4), j4(0, G1), msf4(0, G1, 1, [S1] * 10), msf4(0, G1, 1, [S1] * 11),
                    msf4(0, G1, 1, [S1], nb=250), msf4(0, G1, 1, [S1], nb=249), msf4(0, G1, 1, [S1, S2], lv=5),
                    ("sysctl", 1, 0), msf4(0, G1, 1, [S1])]),
        ("sources", [sock(0, UDP4), src4(0, ADD, SSM, S1), src4(0, ADD, SSM, S1), src4(0, BLOCK, SSM, S2),
                     src4(0, UNBLOCK, SSM, S1), src4(0, DROP, SSM, S1), sock(1, UDP4), j4(1, G1),
                     src4(1, BLOCK, G1, S2), src4(1, UNBLOCK, G1, S2), src4(1, ADD, G1, S2)]),
        ("gsf_v4_v6", [sock(0, UDP6), jm4(0, G1), gsf(0, G1, 1, [S1, S2]), get(0, 5, 0, G1, F0, 8),
                       j6(0, G6_SITE), gsf(0, G6_SITE, 0, [1, 2, 3], v6=True), get(0, 10, 0, G6_SITE, F0, 1),
                       gsf(0, G6_SITE, 1, [], v6=True), gsr(0, ADD, G6_GLOBAL, 1, v6=True),
                       gsr(0, DROP, G6_GLOBAL, 1, v6=True)]),
        # /proc/net/mcfilter6: INCLUDE and EXCLUDE counts of two sockets on one f0 group, then lo
        # (oracle_proof.py breaks mcf6_count on it)
        ("v6_sources_mcfilter6", [sock(0, UDP6), gsr(0, ADD, G6_SITE, 1, v6=True), gsr(0, ADD, G6_SITE, 2, v6=True),
                                  sock(1, UDP6), j6(1, G6_SITE, mcast=True), gsr(1, BLOCK, G6_SITE, 1, v6=True),
                                  gsr(0, DROP, G6_SITE, 2, v6=True),
                                  sock(2, UDP6), j6(2, G6_GLOBAL, LO, mcast=True),
                                  gsr(2, BLOCK, G6_GLOBAL, 3, ifsel=LO, v6=True), ("close", 0)]),
        # kernel quirk: interface 0 finds the lo membership but counts the source on f0 (the route)
        ("v6_source_interface0", [sock(0, UDP6), j6(0, G6_SITE, LO, mcast=True),
                                  gsr(0, BLOCK, G6_SITE, 1, ifsel=IF0, v6=True), ("close", 0), sock(1, UDP6),
                                  gsr(1, ADD, G6_SITE, 2, v6=True)]),
        ("two_sockets_device_filter", [sock(0, UDP4), sock(1, UDP4), j4(0, G2), j4(1, G2),
                                       msf4(0, G2, 0, [S1, S2]), msf4(1, G2, 1, [S1]), ("close", 0),
                                       msf4(1, G2, 1, [S2, S3])]),
    ],
    "igmp": [
        ("v1_query", [sock(0, UDP4), j4(0, G1), ("inject", 0, 0, 0), ("inject", 4, 0, G1)]),
        ("v2_query", [sock(0, UDP4), j4(0, G1), ("inject", 1, 0, G1 | 0x30, 100), ("inject", 5, 0, G1)]),
        ("v3_query", [sock(0, UDP4), src4(0, ADD, SSM, S1), ("inject", 2, 0, SSM | 0x10, 10, 2, 7, 1, 0, 1),
                      ("inject", 2, 2, 0, 0, 0, 0, 0)]),
        ("bad_frames", [sock(0, UDP4), j4(0, G1), ("inject", 0, 1, 0), ("inject", 0, 4, 0), ("inject", 0, 0x10, 0),
                        ("inject", 7, 0, 0, 9, 0x11, 0, 0, 0, 0, 0, 0, 0, 0)]),
        ("v3_report", [sock(0, UDP4), j4(0, G1), ("inject", 6, 0, 0, 2, 1, G1, 4, 0, 2, G2, 2, 0, 1)]),
        ("forced_version", [sock(0, UDP4), j4(0, G1), ("sysctl", 2, 1), ("sysctl", 2, 2), ("sysctl", 3, 1),
                            ("inject", 1, 0, 0, 10)]),
        # MLD (inject6 kind, flags, group selector | 0x10 group-specific | 0x20 to the group, ...)
        # the query is handled later (mld_query_work): the joins and leaves after it give the worker
        # time, and every one is judged (oracle_proof.py breaks mld_v1 on it)
        ("mld_v1_query_then_join", [sock(0, UDP6), j6(0, G6_SITE, mcast=True), ("inject6", 0, 0, 0, 0x7f, 0xff),
                                    j6(0, G6_LL, mcast=True), j6(0, G6_SCOPE5, mcast=True)]
         + [j6(1 + i % 3, g, mcast=True, leave=leave) for i in range(6) for leave in (False, True)
            for g in (G6_GLOBAL, G6_LL)] + [("close", 0)]),
        ("mld_v2_queries", [sock(0, UDP6), gsr(0, ADD, G6_SITE, 1, v6=True),
                            ("inject6", 1, 0, G6_SITE | 0x30, 0, 100, 2, 10, 2, 1, 2),
                            ("inject6", 2, 0, G6_SITE | 0x10, 0, 50, 2, 10, 0), ("inject6", 1, 0, 0, 0, 10, 2, 125, 0),
                            j6(0, G6_GLOBAL, mcast=True)]),
        ("mld_reports", [sock(0, UDP6), j6(0, G6_SITE, mcast=True), ("inject6", 0, 0, G6_SITE | 0x30, 0x27, 0x10),
                         ("inject6", 3, 0, G6_SITE), ("inject6", 4, 0, G6_SITE),
                         ("inject6", 5, 0, 0, 2, 1, 4, G6_SITE, 2, 1, G6_GLOBAL, 1)]),
        ("mld_bad_frames", [sock(0, UDP6), j6(0, G6_SITE, mcast=True), ("inject6", 0, 1, 0, 0, 10),
                            ("inject6", 0, 2, 0, 0, 10), ("inject6", 0, 4, 0, 0, 10), ("inject6", 0, 8, 0, 0, 10),
                            ("inject6", 6, 0, 0, 20, 0, 0, 0, 0, 1, 2, 3, 4), sock(1, UDP4), j4(1, G1),
                            ("inject", 0, 0, 0)]),
        ("query_link_bounce", [sock(0, UDP4), j4(0, G1), ("inject", 0, 0, 0), ("link", 0), ("link", 4),
                               ("inject", 1, 0, 0, 5)]),
    ],
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    tables = {"sockopt": SOCKOPT, "msfilter": MSFILTER, "igmp": IGMP}
    for target, seeds in SEEDS.items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for name, ops in seeds:
            data = prog(tables[target], *ops)
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
    print("seeds written to", root, file=sys.stderr)


if __name__ == "__main__":
    main()
