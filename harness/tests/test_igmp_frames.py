"""IGMP on the wire: recorded frames pass against expected/, and a frame with
one field altered fails exactly the check about that field, naming it and
showing the decoded packet (harness/decoders/igmp.py, harness/scapy_compat.py).

Pure: judges frames recorded from probes/igmp on 6.18 (data/igmp-6.18.jsonl),
no privilege needed. test_igmp_live.py does the same on a fresh capture."""

import os

import pytest

from conftest import DATA
from frames_helpers import Recorded, failed
import frames_helpers as fh
from harness import scapy_compat

JOIN = "ipv4.igmp.join.v3."
REC = Recorded("igmp", os.path.join(DATA, "igmp-6.18.jsonl"), "6.18.44-fc-v669", JOIN)
ETH, IP_OFF = 14, 14  # the IP header starts after the Ethernet header
IGMP_OFF = 14 + 24   # IHL 6: 20 bytes + Router Alert
verdicts, load_run, alter_join_frames = REC.verdicts, REC.load_run, REC.alter_join_frames


def fix_ip_csum(b):
    b[IP_OFF + 10:IP_OFF + 12] = b"\0\0"
    ihl = (b[IP_OFF] & 15) * 4
    b[IP_OFF + 10:IP_OFF + 12] = scapy_compat.inet_checksum(bytes(b[IP_OFF:IP_OFF + ihl])).to_bytes(2, "big")


def fix_igmp_csum(b):
    ihl = (b[IP_OFF] & 15) * 4
    start = IP_OFF + ihl
    end = IP_OFF + int.from_bytes(b[IP_OFF + 2:IP_OFF + 4], "big")
    b[start + 2:start + 4] = b"\0\0"
    b[start + 2:start + 4] = scapy_compat.inet_checksum(bytes(b[start:end])).to_bytes(2, "big")


def set_byte(off, value, csum="ip"):
    return fh.set_byte(off, value, {"ip": fix_ip_csum, "igmp": fix_igmp_csum}.get(csum))


def test_recorded_frames_pass():
    fh.assert_recorded_pass(REC, 60)


def test_recorded_join_decodes_as_the_seeds_say():
    run = load_run()
    facts = REC.decode(JOIN + "record", run)
    assert facts["record_type"] == "TO_EX" and facts["group"] == "224.0.1.1" and facts["nsources"] == 0
    frame = scapy_compat.dissect(bytes.fromhex(run.facts[JOIN + "record"]["frames"][0]["hex"]))
    assert (frame.igmp_type, frame.ip_dst, frame.eth_dst) == (0x22, "224.0.0.22", "01:00:5e:00:00:16")


# (what is altered, edit, the only join.v3 check that must fail, fact named, text in the decoded packet)
MUTATIONS = [
    ("TTL 1 -> 2", set_byte(IP_OFF + 8, 2), "ttl", "ttl", "ttl=2"),
    ("TOS 0xc0 -> 0x00", set_byte(IP_OFF + 1, 0), "tos", "tos", "tos=0x00"),
    ("DF cleared", set_byte(IP_OFF + 6, 0), "dont_fragment", "df", "tos=0xc0 ttl=1"),
    ("Router Alert value 0 -> 1", set_byte(IP_OFF + 23, 1), "router_alert", "ip_options", "RA(1)"),
    ("record type TO_EX -> IS_EX", set_byte(IGMP_OFF + 8, 2, csum="igmp"), "record", "record_type", "IS_EX 224.0.1.1"),
    ("record group 224.0.1.1 -> 224.0.1.2", set_byte(IGMP_OFF + 15, 2, csum="igmp"), "record", "group", "224.0.1.2"),
    ("IGMP checksum broken", set_byte(IGMP_OFF + 3, 0x55, csum=None), "checksums", "igmp_checksum_ok", "checksum=BAD"),
    ("IP checksum broken", set_byte(IP_OFF + 11, 0x55, csum=None), "checksums", "ip_checksum_ok", "ip_checksum=BAD"),
    ("destination MAC 01:00:5e:00:00:16 -> :17", set_byte(5, 0x17, csum=None), "destination", "mac",
     "01:00:5e:00:00:17"),
    ("source 10.0.0.1 -> 10.0.0.9", set_byte(IP_OFF + 15, 9), "source", "ip", "ip 10.0.0.9"),
]


@pytest.mark.parametrize("what,edit,check,fact,shown", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_one_field_altered_fails_that_check_only(what, edit, check, fact, shown):
    fh.assert_one_field_altered_fails_that_check_only(REC, what, edit, check, fact, shown)


def test_altered_second_repeat_alone_still_fails():
    v = verdicts(load_run(alter_join_frames(set_byte(IP_OFF + 8, 64), which=(1,))))
    assert JOIN + "ttl" in failed(v)
    assert "[1, 64]" in v[JOIN + "ttl"].message


def test_type_changed_fails_report_type():
    # 0x22 -> 0x16: scapy now reads a v2 report; the type check names it
    v = verdicts(load_run(alter_join_frames(set_byte(IGMP_OFF, 0x16, csum="igmp"))))
    assert JOIN + "report_type" in failed(v)
    assert '"0x16"' in v[JOIN + "report_type"].message


def test_missing_repeat_and_slow_repeat_fail():
    fh.assert_missing_and_slow_repeat_fail(REC)


def test_a_report_where_silence_is_expected_fails_with_the_packet():
    fh.assert_report_where_silence_is_expected_fails(REC, "ipv4.igmp.allhosts.join_not_reported",
                                                     "0x22 224.0.0.22 01:00:5e:00:00:16 [TO_EX 224.0.1.1 {}]")


def test_decoded_lines_are_never_compared():
    fh.assert_decoded_lines_never_compared(REC, JOIN + "ttl")
