"""IGMP on the wire: captured frames -> the facts expected/common/igmp.yaml
speaks about.

The probe (probes/igmp.c) records, per check, every IPv4 frame that arrived
on the peer end of the veth during the check's window: {"t_us": time since
the action, "hex": frame}. This decoder dissects them (harness.scapy_compat)
and returns the view the check is about; other raw facts (users, querier)
pass through.

Views: the shared ones (harness/decoders/frames.py), and ip_header.
"""

from .. import scapy_compat as sc
from . import frames as fr


def _field(fn):
    return fr.field(fn, sc.Frame())


def _header(frames, times):
    return {"ttl": fr.single([f.ttl for f in frames]),
            "tos": fr.single(["0x%02x" % f.tos for f in frames]),
            "df": fr.single([f.df for f in frames]),
            "ip_options": fr.single([f.ip_options for f in frames]),
            "ip_checksum_ok": fr.single([f.ip_checksum_ok for f in frames]),
            "igmp_checksum_ok": fr.single([f.igmp_checksum_ok for f in frames])}


# check id, or the end of one (after a '.' or '_'), -> view
VIEWS = {
    "ipv4.igmp.join.v3.report_type": _field(lambda f: {"type": f.type_hex}),
    "ipv4.igmp.join.v3.destination": _field(lambda f: {"ip": f.ip_dst, "mac": f.eth_dst}),
    "ipv4.igmp.join.v3.source": _field(lambda f: {"ip": f.ip_src}),
    "ipv4.igmp.join.v3.ttl": _field(lambda f: {"ttl": f.ttl}),
    "ipv4.igmp.join.v3.tos": _field(lambda f: {"tos": "0x%02x" % f.tos}),
    "ipv4.igmp.join.v3.dont_fragment": _field(lambda f: {"df": f.df}),
    "ipv4.igmp.join.v3.router_alert": _field(lambda f: {"ihl": f.ihl, "ip_options": f.ip_options}),
    "ipv4.igmp.join.v3.checksums": _field(lambda f: {"ip_checksum_ok": f.ip_checksum_ok,
                                                     "igmp_checksum_ok": f.igmp_checksum_ok}),
    "ipv4.igmp.join.v3.record": _field(fr.record_fields),
    "ipv4.igmp.join.v3.repeats": fr.repeats,
    "ipv4.igmp.join.v3.first_report_immediate": fr.first,
    "repeat_spacing_honours_interval": fr.spacing,
    "within_max_response_time": fr.last,
    "ip_header": _header,
}


def decode(cid, facts):
    return fr.decode(cid, facts, sc.dissect, VIEWS, "ipv4.")
