"""igmp_peers: the frames of probes/igmp_peers.c are IGMP frames captured on
the peer end of the veth, as in the igmp area: the same decoder and views
(harness/decoders/igmp.py; the default "reports" view in capture order)."""

from .igmp import decode  # noqa: F401
