"""A thin layer in front of scapy's IGMP classes.

The rest of the harness never names a scapy IGMP class: it gets `Frame`
objects (plain data) from `dissect(bytes)`. Debian 12's python3-scapy 2.5
has IGMP in scapy.contrib.igmp (IGMP: v1/v2 messages) and
scapy.contrib.igmpv3 (IGMPv3mq query body, IGMPv3mr report body, IGMPv3gr
group record). scapy after 2.6.1 ("igmp: Full rework") has them in
scapy.layers.igmp as IGMPv3_MQ, IGMPv3_MR, IGMPv3_MR_Group (mapped below,
not exercised here: Debian 12 ships 2.5).

Checksums are verified on the raw bytes (RFC 1071), not through scapy, so a
frame scapy would silently "fix" still shows its real checksum.
"""

from dataclasses import dataclass, field

RECORD_TYPES = {1: "IS_IN", 2: "IS_EX", 3: "TO_IN", 4: "TO_EX", 5: "ALLOW", 6: "BLOCK"}


def _classes():
    """The four classes used, under this scapy's names. Both layouts keep the
    field names used here: gaddr, records, rtype, maddr, srcaddrs, and the
    v1/v2 class dispatches 0x22 (and 0x11 of >= 12 bytes) to the v3 ones."""
    try:  # scapy <= 2.6.1 (Debian 12: 2.5.0)
        from scapy.contrib.igmp import IGMP
        from scapy.contrib.igmpv3 import IGMPv3gr, IGMPv3mq, IGMPv3mr
        return {"v12": IGMP, "query": IGMPv3mq, "report": IGMPv3mr, "record": IGMPv3gr}
    except ImportError:
        pass
    try:  # pragma: no cover - after "igmp: Full rework" (scapy.layers.igmp)
        from scapy.layers.igmp import IGMP, IGMPv3_MQ, IGMPv3_MR, IGMPv3_MR_Group
        return {"v12": IGMP, "query": IGMPv3_MQ, "report": IGMPv3_MR, "record": IGMPv3_MR_Group}
    except ImportError as e:  # pragma: no cover
        raise ImportError("no IGMP classes in this scapy (%s): map them in harness/scapy_compat.py" % e)


_C = None


def classes():
    global _C
    if _C is None:
        _C = _classes()
    return _C


def inet_checksum(data):
    """RFC 1071 sum over data; a correct header or message sums to 0."""
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


@dataclass
class Record:
    rtype: int
    group: str
    sources: list

    @property
    def name(self):
        return RECORD_TYPES.get(self.rtype, "TYPE%d" % self.rtype)

    def text(self):
        return "%s %s {%s}" % (self.name, self.group, ", ".join(self.sources))


@dataclass
class _Captured:
    """What a captured IGMP or MLD frame has either way."""
    eth_dst: str = ""
    eth_src: str = ""
    ethertype: int = 0
    ip_version: int = 0
    ip_src: str = ""
    ip_dst: str = ""
    group: str = ""  # IGMPv1/v2 and MLDv1 messages, queries, NS target
    records: list = field(default_factory=list)  # [Record] of an IGMPv3 / MLDv2 report
    summary: str = ""  # scapy's one-line summary


@dataclass
class Frame(_Captured):
    """One captured Ethernet frame, as far as IGMP cares."""
    ihl: int = 0
    tos: int = 0
    df: bool = False
    ttl: int = 0
    proto: int = 0
    ip_options: list = field(default_factory=list)  # e.g. ["RA(0)"]
    ip_checksum_ok: bool = False
    igmp: bool = False
    igmp_type: int = -1
    igmp_code: int = 0
    igmp_len: int = 0
    igmp_checksum_ok: bool = False

    @property
    def type_hex(self):
        return "0x%02x" % self.igmp_type if self.igmp else None

    def brief(self):
        """What was sent to whom: the unit the wire checks compare."""
        if not self.igmp:
            return "not IGMP: %s" % self.summary
        head = "%s %s %s" % (self.type_hex, self.ip_dst, self.eth_dst)
        if self.igmp_type == 0x22:
            return "%s [%s]" % (head, ", ".join(r.text() for r in sorted(self.records, key=_rkey)))
        return "%s group %s" % (head, self.group)

    def line(self):
        """Every field a check looks at, on one line (shown on failure)."""
        out = "%s > %s ip %s > %s ihl=%d tos=0x%02x %sttl=%d proto=%d options=%s ip_checksum=%s" % (
            self.eth_src, self.eth_dst, self.ip_src, self.ip_dst, self.ihl, self.tos, "DF " if self.df else "",
            self.ttl, self.proto, "[%s]" % ",".join(self.ip_options), "ok" if self.ip_checksum_ok else "BAD")
        if self.igmp:
            out += " | igmp type=%s code=%d len=%d checksum=%s" % (
                self.type_hex, self.igmp_code, self.igmp_len, "ok" if self.igmp_checksum_ok else "BAD")
            if self.igmp_type == 0x22:
                out += " records=[%s]" % ", ".join(r.text() for r in self.records)
            else:
                out += " group=%s" % self.group
        return out + " | " + self.summary


def _rkey(r):
    return (tuple(int(x) for x in r.group.split(".")), r.rtype, r.sources)


def _option_text(opt):
    name = type(opt).__name__
    if name == "IPOption_Router_Alert":
        return "RA(%d)" % opt.alert
    return "%s(%s)" % (name.replace("IPOption_", ""), bytes(opt).hex())


def dissect(raw):
    """bytes of one Ethernet frame -> Frame."""
    from scapy.layers.inet import IP
    from scapy.layers.l2 import Ether

    c = classes()
    pkt = Ether(raw)
    f = Frame(eth_dst=pkt.dst, eth_src=pkt.src, ethertype=pkt.type, summary=pkt.summary())
    if IP in pkt:
        f.summary = "%s / %s" % (pkt.summary().split(" / ")[0], pkt[IP].mysummary())
    if IP not in pkt:
        return f
    ip = pkt[IP]
    hdr = raw[14:14 + ip.ihl * 4]
    f.ip_version, f.ihl, f.tos, f.ttl, f.proto = ip.version, ip.ihl, ip.tos, ip.ttl, ip.proto
    f.df = bool(int(ip.flags) & 0x2)
    f.ip_src, f.ip_dst = ip.src, ip.dst
    f.ip_options = [_option_text(o) for o in ip.options]
    f.ip_checksum_ok = len(hdr) >= 20 and inet_checksum(hdr) == 0
    if ip.proto != 2:
        return f
    f.igmp = True
    body = raw[14 + ip.ihl * 4:14 + ip.len]
    f.igmp_len = len(body)
    f.igmp_checksum_ok = len(body) >= 8 and inet_checksum(body) == 0
    f.igmp_type = body[0] if body else -1
    f.igmp_code = body[1] if len(body) > 1 else 0
    if len(body) < 8:
        return f
    # Dissected from the IP payload, not through scapy's IP binding: that
    # binding wants ttl=1 (and tos/dst for v3), and a frame with a wrong TTL
    # must still show its records. IGMP.dispatch_hook picks IGMPv3 for 0x22.
    msg = c["v12"](body)
    f.summary += " / " + msg.summary()
    if c["report"] in msg:
        f.records = [Record(int(r.rtype), r.maddr, list(r.srcaddrs)) for r in msg[c["report"]].records]
    elif c["query"] in msg:
        f.group = msg[c["query"]].gaddr
    else:
        f.group = msg.gaddr
    return f


# ---------------------------------------------------------------- MLD (IPv6)
# scapy.layers.inet6 has had the MLD classes under the same names since 2.x:
# ICMPv6MLQuery (v1, also a v2 query's first 24 bytes), ICMPv6MLQuery2,
# ICMPv6MLReport (v1), ICMPv6MLDone, ICMPv6MLReport2 and its records
# ICMPv6MLDMultAddrRec. Messages are dissected from their own bytes (the
# header chain is walked here), so a frame with a wrong hop limit or a
# missing Hop-by-Hop header still shows its records.

MLD_TYPES = {130: "query", 131: "v1_report", 132: "done", 143: "v2_report"}


def _mld_classes():
    try:
        from scapy.layers.inet6 import (ICMPv6MLDMultAddrRec, ICMPv6MLDone, ICMPv6MLQuery, ICMPv6MLQuery2,
                                        ICMPv6MLReport, ICMPv6MLReport2)
    except ImportError as e:  # pragma: no cover
        raise ImportError("no MLD classes in this scapy (%s): map them in harness/scapy_compat.py" % e)
    return {"query1": ICMPv6MLQuery, "query2": ICMPv6MLQuery2, 131: ICMPv6MLReport, 132: ICMPv6MLDone,
            143: ICMPv6MLReport2, "record": ICMPv6MLDMultAddrRec}


_M = None


def mld_classes():
    global _M
    if _M is None:
        _M = _mld_classes()
    return _M


def prewarm():
    """Imports scapy's layers now (about 0.3 s), so that a live run does it
    while the probes run instead of after them. Errors are left for the
    first real use to report."""
    try:
        from scapy.layers.inet import IP  # noqa: F401
        from scapy.layers.l2 import Ether  # noqa: F401
        classes()
        mld_classes()
    except Exception:  # noqa: BLE001 - reported where scapy is really needed
        pass


def icmp6_checksum_ok(src, dst, msg):
    """RFC 4443 2.3 over the RFC 8200 8.1 pseudo-header: a correct message sums to 0."""
    import socket
    ph = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
    ph += len(msg).to_bytes(4, "big") + b"\0\0\0\x3a"
    return len(msg) >= 4 and inet_checksum(ph + msg) == 0


def _v6key(a):
    import socket
    return socket.inet_pton(socket.AF_INET6, a)


@dataclass
class Frame6(_Captured):
    """One captured Ethernet frame, as far as MLD cares."""
    tclass: int = 0
    flow: int = 0
    hlim: int = 0
    ext: list = field(default_factory=list)          # extension headers before ICMPv6, e.g. ["HBH"]
    hbh_options: list = field(default_factory=list)  # e.g. ["RA(0)", "PadN(0)"]
    icmp_type: int = -1                              # -1: no ICMPv6 message found
    icmp_code: int = 0
    icmp_len: int = 0
    icmp_checksum_ok: bool = False
    mrd: int = 0                                     # queries: maximum response code

    @property
    def mld(self):
        return self.icmp_type in MLD_TYPES

    @property
    def is_report(self):
        return self.icmp_type in (131, 132, 143)

    def brief(self):
        """What was sent to whom: the unit the wire checks compare."""
        if not self.mld:
            if self.icmp_type >= 0:
                return "icmpv6 %d %s %s target %s" % (self.icmp_type, self.ip_dst, self.eth_dst, self.group)
            return "not ICMPv6: %s" % self.summary
        head = "%d %s %s" % (self.icmp_type, self.ip_dst, self.eth_dst)
        if self.icmp_type == 143:
            return "%s [%s]" % (head, ", ".join(r.text() for r in sorted(self.records, key=_r6key)))
        return "%s group %s" % (head, self.group)

    def line(self):
        """Every field a check looks at, on one line (shown on failure)."""
        out = "%s > %s ip6 %s > %s tclass=0x%02x flow=0x%05x hlim=%d ext=[%s] hbh=[%s]" % (
            self.eth_src, self.eth_dst, self.ip_src, self.ip_dst, self.tclass, self.flow, self.hlim,
            ",".join(self.ext), ",".join(self.hbh_options))
        if self.icmp_type >= 0:
            out += " | icmpv6 type=%d code=%d len=%d checksum=%s" % (
                self.icmp_type, self.icmp_code, self.icmp_len, "ok" if self.icmp_checksum_ok else "BAD")
            if self.icmp_type == 143:
                out += " records=[%s]" % ", ".join(r.text() for r in self.records)
            elif self.group:
                out += " group=%s" % self.group
        return out + " | " + self.summary


def _r6key(r):
    return (_v6key(r.group), r.rtype, r.sources)


def _hbh_text(opt):
    name = type(opt).__name__
    if name == "RouterAlert":
        return "RA(%d)" % opt.value
    if name == "PadN":
        return "PadN(%d)" % opt.optlen
    if name == "Pad1":
        return "Pad1"
    return "%s(%s)" % (name, bytes(opt).hex())


def _mld_records(report):
    """The records of a v2 report, in order. scapy 2.5's ICMPv6MLDMultAddrRec
    has no extract_padding, so its PacketListField holds the first record
    with every later one nested as its payload: walk that chain (and stop at
    the record count, so a scapy that splits them correctly reads the same)."""
    rec_cls, out = mld_classes()["record"], []
    for r in report.records:
        while isinstance(r, rec_cls) and len(out) < report.records_number:
            out.append(r)
            r = r.payload
    return out


def dissect6(raw):
    """bytes of one Ethernet frame -> Frame6."""
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
    from scapy.layers.l2 import Ether

    c = mld_classes()
    pkt = Ether(raw)
    f = Frame6(eth_dst=pkt.dst, eth_src=pkt.src, ethertype=pkt.type, summary=pkt.summary())
    if IPv6 not in pkt:
        return f
    ip = pkt[IPv6]
    f.ip_version, f.tclass, f.flow, f.hlim = ip.version, ip.tc, ip.fl, ip.hlim
    f.ip_src, f.ip_dst = ip.src, ip.dst
    end = 14 + 40 + ip.plen
    off, nh = 14 + 40, ip.nh
    # bounded: a frame of MCAP_SNAP bytes holds few extension headers
    for _ in range(8):
        if nh != 0 or off + 8 > end:
            break
        hlen = (raw[off + 1] + 1) * 8
        hbh = IPv6ExtHdrHopByHop(raw[off:off + hlen])
        f.ext.append("HBH")
        f.hbh_options = [_hbh_text(o) for o in hbh.options]
        nh, off = raw[off], off + hlen
    if nh != 58 or off + 4 > end:
        return f
    msg = raw[off:end]
    f.icmp_type, f.icmp_code, f.icmp_len = msg[0], msg[1], len(msg)
    f.icmp_checksum_ok = icmp6_checksum_ok(f.ip_src, f.ip_dst, msg)
    if f.icmp_type == 130:
        layer = c["query2" if len(msg) >= 28 else "query1"](msg)
        f.mrd, f.group = int(layer.mrd), layer.mladdr
    elif f.icmp_type in (131, 132) and len(msg) >= 24:
        layer = c[f.icmp_type](msg)
        f.group = layer.mladdr
    elif f.icmp_type == 143 and len(msg) >= 8:
        layer = c[143](msg)
        f.records = [Record(int(r.rtype), r.dst, list(r.sources)) for r in _mld_records(layer)]
    elif f.icmp_type in (135, 136) and len(msg) >= 24:
        import socket
        layer = None
        f.group = socket.inet_ntop(socket.AF_INET6, msg[8:24])  # the NS/NA target
    else:
        layer = None
    f.summary = "%s / %s" % (pkt.summary().split(" / ")[0], ip.mysummary())
    if layer is not None:
        f.summary += " / " + layer.summary()
    return f
