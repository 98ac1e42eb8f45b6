"""MLD on the wire: recorded frames pass against expected/, and a frame with
one field altered fails exactly the check about that field, naming it and
showing the decoded packet (harness/decoders/mld.py, harness/scapy_compat.py).

Pure: judges frames recorded from probes/mld on 6.18 (data/mld-6.18.jsonl),
no privilege needed."""

import copy
import os

import pytest

from conftest import DATA
from frames_helpers import Recorded, failed
import frames_helpers as fh
from harness import scapy_compat

JOIN = "ipv6.mld.join."
REC = Recorded("mld", os.path.join(DATA, "mld-6.18.jsonl"), "6.18.44-fc-v669", JOIN)
IP6 = 14              # the IPv6 header starts after the Ethernet header
HBH = IP6 + 40        # Hop-by-Hop header: next header, length, RA (5, 2, value), PadN
ICMP = HBH + 8        # the MLDv2 report
REC_OFF = ICMP + 8    # its first record: type, aux len, nsrcs, group
verdicts, load_run, alter_join_frames = REC.verdicts, REC.load_run, REC.alter_join_frames


def fix_icmp6_csum(b):
    """Recomputes the ICMPv6 checksum over the pseudo-header (RFC 4443 2.3)."""
    end = IP6 + 40 + int.from_bytes(b[IP6 + 4:IP6 + 6], "big")
    b[ICMP + 2:ICMP + 4] = b"\0\0"
    ph = bytes(b[IP6 + 8:IP6 + 40]) + (end - ICMP).to_bytes(4, "big") + b"\0\0\0\x3a"
    b[ICMP + 2:ICMP + 4] = scapy_compat.inet_checksum(ph + bytes(b[ICMP:end])).to_bytes(2, "big")


def set_byte(off, value, csum=True):
    return fh.set_byte(off, value, fix_icmp6_csum if csum else None)


def test_recorded_frames_pass():
    fh.assert_recorded_pass(REC, 50)


def test_recorded_join_decodes_as_the_seeds_say():
    run = load_run()
    facts = REC.decode(JOIN + "record", run)
    assert (facts["record_type"], facts["group"], facts["nsources"]) == ("TO_EX", "ff15::1:1", 0)
    frame = scapy_compat.dissect6(bytes.fromhex(run.facts[JOIN + "record"]["frames"][0]["hex"]))
    assert (frame.icmp_type, frame.ip_dst, frame.eth_dst, frame.hlim) == (143, "ff02::16", "33:33:00:00:00:16", 1)
    assert frame.hbh_options == ["RA(0)", "PadN(0)"] and frame.icmp_checksum_ok


def test_every_record_of_a_packed_report_is_read():
    # scapy 2.5 nests the records after the first as its payload; all four must come out
    run = load_run()
    cid = "ipv6.mld.pack.link_up_announces_all_in_one_report"
    frame = scapy_compat.dissect6(bytes.fromhex(run.facts[cid]["frames"][0]["hex"]))
    assert [r.group for r in frame.records] and len(frame.records) == 4
    assert sorted(r.group for r in frame.records) == ["ff02::1:ff00:1", "ff15::2:1", "ff15::2:2", "ff15::2:3"]


# (what is altered, edit, the only join check that must fail, fact named, text in the decoded packet)
MUTATIONS = [
    ("hop limit 1 -> 2", set_byte(IP6 + 7, 2, csum=False), "hop_limit", "hop_limit", "hlim=2"),
    ("traffic class 0 -> 0xb0", set_byte(IP6, 0x6b, csum=False), "traffic_class_and_flow_label", "tclass",
     "tclass=0xb0"),
    ("flow label 0 -> 0x12345", lambda b: b.__setitem__(slice(IP6 + 1, IP6 + 4), b"\x01\x23\x45"),
     "traffic_class_and_flow_label", "flow_label", "flow=0x12345"),
    ("Router Alert value 0 -> 1", set_byte(HBH + 5, 1, csum=False), "router_alert", "hbh_options", "RA(1)"),
    ("record type TO_EX -> IS_EX", set_byte(REC_OFF, 2), "record", "record_type", "IS_EX ff15::1:1"),
    ("record group ff15::1:1 -> ff15::1:2", set_byte(REC_OFF + 4 + 15, 2), "record", "group", "ff15::1:2"),
    ("ICMPv6 checksum broken", set_byte(ICMP + 3, 0x55, csum=False), "checksum", "icmpv6_checksum_ok",
     "checksum=BAD"),
    ("destination MAC 33:33:00:00:00:16 -> :17", set_byte(5, 0x17, csum=False), "destination", "mac",
     "33:33:00:00:00:17"),
    ("destination ff02::16 -> ff02::17", set_byte(IP6 + 39, 0x17), "destination", "ip", "> ff02::17"),
    ("source fe80::ff:fe00:1 -> fe80::ff:fe00:9", set_byte(IP6 + 23, 9), "source_is_link_local", "ip",
     "ip6 fe80::ff:fe00:9"),
]


@pytest.mark.parametrize("what,edit,check,fact,shown", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_one_field_altered_fails_that_check_only(what, edit, check, fact, shown):
    fh.assert_one_field_altered_fails_that_check_only(REC, what, edit, check, fact, shown)


def test_altered_second_repeat_alone_still_fails():
    v = verdicts(load_run(alter_join_frames(set_byte(IP6 + 7, 255, csum=False), which=(1,))))
    assert failed(v) == [JOIN + "hop_limit"]
    assert "[1, 255]" in v[JOIN + "hop_limit"].message


def test_type_changed_fails_report_type():
    # 143 -> 131: now a v1 report; the type check names it (the record view fails with it)
    v = verdicts(load_run(alter_join_frames(set_byte(ICMP, 131))))
    assert JOIN + "report_type" in failed(v)
    assert "type: expected 143, observed 131" in v[JOIN + "report_type"].message


def test_missing_repeat_and_slow_repeat_fail():
    fh.assert_missing_and_slow_repeat_fail(REC)


def test_a_report_where_silence_is_expected_fails_with_the_packet():
    fh.assert_report_where_silence_is_expected_fails(REC, "ipv6.mld.allnodes.join_not_reported",
                                                     "143 ff02::16 33:33:00:00:00:16 [TO_EX ff15::1:1 {}]")


def test_a_malformed_query_answered_fails_that_check():
    def answered(run):
        run.facts["ipv6.mld.query.hop_limit_2_ignored"]["frames"] = copy.deepcopy(
            run.facts["ipv6.mld.query.answered_after_bad_queries"]["frames"])

    v = verdicts(load_run(answered))
    assert failed(v) == ["ipv6.mld.query.hop_limit_2_ignored"]
    assert "IS_EX ff15::1:1" in v["ipv6.mld.query.hop_limit_2_ignored"].message


def test_dad_report_from_the_link_local_while_tentative_fails():
    # the first report after link up carried the link-local instead of ::
    cid = "ipv6.mld.dad.reports_while_tentative_from_unspecified"

    def early(run):
        for k in (cid, "ipv6.mld.dad.reports_after_dad_from_link_local", "ipv6.mld.dad.probe_between_them"):
            f = run.facts[k]["frames"]
            i = next(n for n, x in enumerate(f) if scapy_compat.dissect6(bytes.fromhex(x["hex"])).icmp_type == 143)
            b = bytearray.fromhex(f[i]["hex"])
            b[IP6 + 8:IP6 + 24] = bytes.fromhex("fe80000000000000000000fffe000001")
            fix_icmp6_csum(b)
            f[i]["hex"] = b.hex()

    v = verdicts(load_run(early))
    bad = failed(v)
    assert cid in bad and "ipv6.mld.dad.reports_after_dad_from_link_local" in bad


def test_decoded_lines_are_never_compared():
    fh.assert_decoded_lines_never_compared(REC, JOIN + "hop_limit")
