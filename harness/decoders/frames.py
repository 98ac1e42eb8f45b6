"""What the IGMP and MLD decoders share: captured frames ({"t_us", "hex"})
-> a view of them chosen by the check id, plus "_decoded" (every frame,
one line each) so a failure shows the packets, not only the differing fact.

Not an area's decoder (no probe is called "frames"): igmp.py and mld.py
hand it their dissector, their views and their id prefix.

A view is fn(frames, times) -> facts; times are the frames' "t_us". The
shared views, chosen by the check id:
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


def single(values):
    """The value if every frame agrees, else the per-frame list; None for no frames."""
    if not values:
        return None
    return values[0] if all(v == values[0] for v in values) else values


def ms(t_us):
    return round(t_us / 1000.0, 1)


def field(fn, blank):
    """A view of the fields fn(frame) returns (keys taken from fn(blank))."""
    def view(frames, times):
        return {k: single([fn(f)[k] for f in frames]) for k in fn(blank)}
    return view


def record_fields(f):
    r = f.records[0] if len(f.records) == 1 else None
    return {"nrecords": len(f.records),
            "record_type": r.name if r else None,
            "group": r.group if r else None,
            "nsources": len(r.sources) if r else None}


def reports(frames, times):
    return {"reports": [f.brief() for f in frames]}


def sorted_reports(frames, times):
    # query answers: the order of per-group timers is random
    return {"reports": sorted(f.brief() for f in frames)}


def repeats(frames, times):
    return {"reports": len(frames)}


def spacing(frames, times):
    gaps = [b - a for a, b in zip(times, times[1:])]
    return {"spacing_ms": ms(max(gaps)) if gaps else None}


def first(frames, times):
    return {"first_ms": ms(times[0]) if times else None}


def last(frames, times):
    return {"last_ms": ms(times[-1]) if times else None}


def view_for(views, family, cid):
    """views[cid], else the view of a key that ends cid (after '.' or '_';
    keys starting with family, e.g. "ipv4.", are whole ids only), else
    sorted reports for queries (<area>.query.*), else reports."""
    if cid in views:
        return views[cid]
    for key, view in views.items():
        if not key.startswith(family) and (cid.endswith("." + key) or cid.endswith("_" + key)):
            return view
    if cid.split(".")[2:3] == ["query"]:
        return sorted_reports
    return reports


def decode(cid, facts, dissect, views, family):
    if "frames" not in facts:
        return facts
    raw = facts["frames"]
    frames = [dissect(bytes.fromhex(r["hex"])) for r in raw]
    times = [r["t_us"] for r in raw]
    out = {k: v for k, v in facts.items() if k != "frames"}
    out.update(view_for(views, family, cid)(frames, times))
    out["_decoded"] = ["frame %d at +%.1f ms: %s" % (i + 1, ms(t), f.line())
                       for i, (t, f) in enumerate(zip(times, frames))] or ["no frames captured in the window"]
    return out
