"""MLD on the wire: captured frames -> the facts expected/common/mld.yaml
speaks about.

The probe (probes/mld.c) records, per check, every IPv6 frame that arrived
on the peer end of the veth during the check's window: {"t_us": time since
the action, "hex": frame}. This decoder dissects them
(harness.scapy_compat.dissect6, scapy's MLD layers) and returns the view the
check is about; other raw facts (users, rows, entries) pass through.

Views: the shared ones (harness/decoders/frames.py), ipv6_header, and
  distinct               {"distinct_reports": sorted set}: link-up reports,
                         whose number depends on when the queue is activated
  records                {"records": sorted set of every record sent}
  packed                 the records of the groups changed together, as
                         each report carries them
  dad.*                  reports by source (:: while tentative, the
                         link-local after DAD) and the DAD probe between them
"""

from .. import scapy_compat as sc
from . import frames as fr

LINK_LOCAL = "fe80::ff:fe00:1"  # EUI-64 of the probe's fixed MAC 02:00:00:00:00:01


def _field(fn):
    return fr.field(fn, sc.Frame6())


def _header(frames, times):
    return {"source": fr.single([f.ip_src for f in frames]),
            "hop_limit": fr.single([f.hlim for f in frames]),
            "ext": fr.single([f.ext for f in frames]),
            "hbh_options": fr.single([f.hbh_options for f in frames]),
            "icmpv6_checksum_ok": fr.single([f.icmp_checksum_ok for f in frames])}


def _distinct(frames, times):
    # how many of the first link-up reports get out depends on when linkwatch
    # activates the queue; what each report says does not
    return {"distinct_reports": sorted({f.brief() for f in frames})}


def _records(frames, times):
    # whether the join's own reports and the DAD-complete ones go out apart or
    # merged depends on timing; which records are sent does not
    return {"records": sorted({r.text() for f in frames for r in f.records}, key=str)}


def _packed(frames, times):
    # the groups the scenario changed together (ff15::2:*), as each report
    # carries them: one string per distinct report (other records set aside,
    # e.g. solicited-node ones whose number depends on linkwatch timing)
    seen = set()
    for f in frames:
        mine = sorted((r for r in f.records if r.group.startswith("ff15::2:")), key=sc._r6key)
        if mine:
            seen.add(", ".join(r.text() for r in mine))
    return {"groups_as_each_report_carries_them": sorted(seen)}


def _tentative(frames, times):
    first_ll = next((t for f, t in zip(frames, times) if f.is_report and f.ip_src == LINK_LOCAL), None)
    mine = [(f, t) for f, t in zip(frames, times) if f.is_report and f.ip_src == "::"]
    return {"distinct_reports": sorted({f.brief() for f, _ in mine}),
            "all_before_first_link_local_report": bool(mine) and first_ll is not None
            and all(t < first_ll for _, t in mine)}


def _after_dad(frames, times):
    probe = next((t for f, t in zip(frames, times) if f.icmp_type == 135), None)
    mine = [(f, t) for f, t in zip(frames, times) if f.is_report and f.ip_src == LINK_LOCAL]
    return {"distinct_reports": sorted({f.brief() for f, _ in mine}),
            "at_least_robustness_reports": len(mine) >= 2,
            "first_after_probe_ms": fr.ms(mine[0][1] - probe) if mine and probe is not None else None}


def _dad_probe(frames, times):
    probes = [(f, t) for f, t in zip(frames, times) if f.icmp_type == 135]
    first_ll = next((t for f, t in zip(frames, times) if f.is_report and f.ip_src == LINK_LOCAL), None)
    return {"probes": ["%s from %s" % (f.brief(), f.ip_src) for f, _ in probes],
            "before_first_link_local_report": bool(probes) and first_ll is not None and probes[0][1] < first_ll}


# check id, or the end of one (after a '.' or '_'), -> view
VIEWS = {
    "ipv6.mld.join.report_type": _field(lambda f: {"type": f.icmp_type}),
    "ipv6.mld.join.destination": _field(lambda f: {"ip": f.ip_dst, "mac": f.eth_dst}),
    "ipv6.mld.join.source_is_link_local": _field(lambda f: {"ip": f.ip_src}),
    "ipv6.mld.join.hop_limit": _field(lambda f: {"hop_limit": f.hlim}),
    "ipv6.mld.join.traffic_class_and_flow_label": _field(lambda f: {"tclass": f.tclass, "flow_label": f.flow}),
    "ipv6.mld.join.router_alert": _field(lambda f: {"ext": f.ext, "hbh_options": f.hbh_options}),
    "ipv6.mld.join.checksum": _field(lambda f: {"icmpv6_checksum_ok": f.icmp_checksum_ok}),
    "ipv6.mld.join.record": _field(fr.record_fields),
    "ipv6.mld.join.repeats": fr.repeats,
    "ipv6.mld.join.first_report_immediate": fr.first,
    "ipv6.mld.default.robustness_repeats_on_the_wire": fr.repeats,
    "ipv6.mld.dad.reports_while_tentative_from_unspecified": _tentative,
    "ipv6.mld.dad.reports_after_dad_from_link_local": _after_dad,
    "ipv6.mld.dad.probe_between_them": _dad_probe,
    "ipv6.mld.link_up.reports_solicited_node_only": _distinct,
    "ipv6.mld.pack.link_up_announces_all_in_one_report": _packed,
    "ipv6.mld.pack.close_leaves_all_in_one_report": _packed,
    "ipv6.mld.solicited_node.address_added_joins_and_reports": _records,
    "ipv6.mld.solicited_node.second_address_reannounces_every_group": _records,
    "ipv6.mld.solicited_node.address_removed_leaves": _records,
    "repeat_spacing_honours_interval": fr.spacing,
    "repeat_spacing_within_default_interval": fr.spacing,
    "within_max_response_delay": fr.last,
    "ipv6_header": _header,
}


def decode(cid, facts):
    return fr.decode(cid, facts, sc.dissect6, VIEWS, "ipv6.")
