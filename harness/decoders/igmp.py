"""IGMP on the wire: captured frames -> the facts expected/common/igmp.yaml
speaks about.

The probe (probes/igmp.c) records, per check, every IPv4 frame that arrived
on the peer end of the veth during the check's window: {"t_us": time since
the action, "hex": frame}. This decoder dissects them (harness.scapy_compat)
and returns the view the check is about; other raw facts (users, querier)
pass through. Every decoded frame is also returned under "_decoded" so a
failure shows the packets, not only the differing fact.

Views, chosen by the check id:
  reports (default)      {"reports": ["<type> <dst ip> <dst mac> <body>", ...]}
                         in capture order (query answers: sorted, since the
                         order of per-group timers is random)
  field views            one header/record field of the join report, the
                         value if every frame agrees, else the per-frame list
  repeats                {"reports": n}
  spacing                {"spacing_ms": largest gap between reports, or null}
  first/last             {"first_ms"} / {"last_ms"}: delay of the first / last
                         report after the action or query
"""

from .. import scapy_compat as sc


def _single(values):
    if not values:
        return None
    return values[0] if all(v == values[0] for v in values) else values


def _ms(t_us):
    return round(t_us / 1000.0, 1)


def _field(fn):
    def view(frames, times):
        return {k: _single([fn(f)[k] for f in frames]) for k in fn(sc.Frame())}
    return view


def _record_fields(f):
    r = f.records[0] if len(f.records) == 1 else None
    return {"nrecords": len(f.records),
            "record_type": r.name if r else None,
            "group": r.group if r else None,
            "nsources": len(r.sources) if r else None}


def _reports(frames, times):
    return {"reports": [f.brief() for f in frames]}


def _sorted_reports(frames, times):
    return {"reports": sorted(f.brief() for f in frames)}


def _repeats(frames, times):
    return {"reports": len(frames)}


def _spacing(frames, times):
    gaps = [b - a for a, b in zip(times, times[1:])]
    return {"spacing_ms": _ms(max(gaps)) if gaps else None}


def _first(frames, times):
    return {"first_ms": _ms(times[0]) if times else None}


def _last(frames, times):
    return {"last_ms": _ms(times[-1]) if times else None}


def _header(frames, times):
    return {"ttl": _single([f.ttl for f in frames]),
            "tos": _single(["0x%02x" % f.tos for f in frames]),
            "df": _single([f.df for f in frames]),
            "ip_options": _single([f.ip_options for f in frames]),
            "ip_checksum_ok": _single([f.ip_checksum_ok for f in frames]),
            "igmp_checksum_ok": _single([f.igmp_checksum_ok for f in frames])}


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
    "ipv4.igmp.join.v3.record": _field(_record_fields),
    "ipv4.igmp.join.v3.repeats": _repeats,
    "ipv4.igmp.join.v3.first_report_immediate": _first,
    "repeat_spacing_honours_interval": _spacing,
    "within_max_response_time": _last,
    "ip_header": _header,
}


def _view(cid):
    if cid in VIEWS:
        return VIEWS[cid]
    for key, view in VIEWS.items():
        if not key.startswith("ipv4.") and (cid.endswith("." + key) or cid.endswith("_" + key)):
            return view
    if cid.startswith("ipv4.igmp.query."):
        return _sorted_reports
    return _reports


def decode(cid, facts):
    if "frames" not in facts:
        return facts
    raw = facts["frames"]
    frames = [sc.dissect(bytes.fromhex(r["hex"])) for r in raw]
    times = [r["t_us"] for r in raw]
    out = {k: v for k, v in facts.items() if k != "frames"}
    out.update(_view(cid)(frames, times))
    out["_decoded"] = ["frame %d at +%.1f ms: %s" % (i + 1, _ms(t), f.line())
                       for i, (t, f) in enumerate(zip(times, frames))] or ["no frames captured in the window"]
    return out
