"""IGMP on the wire: recorded frames pass against expected/, and a frame with
one field altered fails exactly the check about that field, naming it and
showing the decoded packet (harness/decoders/igmp.py, harness/scapy_compat.py).

Pure: judges frames recorded from probes/igmp on 6.18 (data/igmp-6.18.jsonl),
no privilege needed. test_igmp_live.py does the same on a fresh capture."""

import copy
import json
import os

import pytest

from conftest import DATA, ROOT
from harness import decoders, expected, report, scapy_compat
from harness.judge import FAIL, PASS, Run, judge

RECORDED = os.path.join(DATA, "igmp-6.18.jsonl")
RELEASE = "6.18.44-fc-v669"
JOIN = "ipv4.igmp.join.v3."
ETH, IP_OFF = 14, 14  # the IP header starts after the Ethernet header
IGMP_OFF = 14 + 24   # IHL 6: 20 bytes + Router Alert


def load_run(mutate=None):
    run = Run()
    with open(RECORDED) as f:
        run.add_lines(f.read(), probe="igmp")
    if mutate:
        mutate(run)
    return run


_EXP = []


def verdicts(run):
    if not _EXP:  # loaded once: judging never changes it
        exp = expected.load(os.path.join(ROOT, "expected"), RELEASE)
        exp.checks = {k: v for k, v in exp.checks.items() if v["area"] == "igmp"}
        _EXP.append(exp)
    return {v.id: v for v in judge(_EXP[0], run, decode=decoders.decode)}


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


def alter_join_frames(edit, which=(0, 1)):
    """A mutation applying edit(bytearray) to the join report frames of every
    join.v3 check (they all carry the same capture)."""
    def mutate(run):
        for cid, facts in run.facts.items():
            if cid.startswith(JOIN):
                for i in which:
                    b = bytearray.fromhex(facts["frames"][i]["hex"])
                    edit(b)
                    facts["frames"][i]["hex"] = b.hex()
    return mutate


def set_byte(off, value, csum="ip"):
    def edit(b):
        b[off] = value
        if csum == "ip":
            fix_ip_csum(b)
        elif csum == "igmp":
            fix_igmp_csum(b)
    return edit


def test_recorded_frames_pass():
    v = verdicts(load_run())
    bad = {k: x.message for k, x in v.items() if x.status != PASS}
    assert not bad
    assert len(v) >= 60


def test_recorded_join_decodes_as_the_seeds_say():
    run = load_run()
    facts = decoders.decode("igmp", JOIN + "record", run.facts[JOIN + "record"])
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
    v = verdicts(load_run(alter_join_frames(edit)))
    failed = sorted(k for k, x in v.items() if x.status == FAIL)
    assert failed == [JOIN + check], what
    msg = v[JOIN + check].message
    assert fact + ":" in msg
    # the failure shows the decoded packet, with the altered field
    assert "decoded: frame 1 at +" in msg and shown in msg
    text = report.failure_text(v[JOIN + check])
    assert text.startswith(JOIN + check + ": ") and shown in text


def test_altered_second_repeat_alone_still_fails():
    v = verdicts(load_run(alter_join_frames(set_byte(IP_OFF + 8, 64), which=(1,))))
    assert v[JOIN + "ttl"].status == FAIL
    assert "[1, 64]" in v[JOIN + "ttl"].message


def test_type_changed_fails_report_type():
    # 0x22 -> 0x16: scapy now reads a v2 report; the type check names it
    v = verdicts(load_run(alter_join_frames(set_byte(IGMP_OFF, 0x16, csum="igmp"))))
    assert v[JOIN + "report_type"].status == FAIL
    assert '"0x16"' in v[JOIN + "report_type"].message


def test_missing_repeat_and_slow_repeat_fail():
    def drop_repeat(run):
        run.facts[JOIN + "repeats"]["frames"].pop()

    v = verdicts(load_run(drop_repeat))
    assert [k for k, x in v.items() if x.status == FAIL] == [JOIN + "repeats"]

    def slow(run):
        # what an ignored igmpv3_unsolicited_report_interval (1000 ms default) can look like
        f = run.facts[JOIN + "repeat_spacing_honours_interval"]["frames"]
        f[1]["t_us"] = f[0]["t_us"] + 700000

    v = verdicts(load_run(slow))
    assert [k for k, x in v.items() if x.status == FAIL] == [JOIN + "repeat_spacing_honours_interval"]
    assert "spacing_ms" in v[JOIN + "repeat_spacing_honours_interval"].message


def test_a_report_where_silence_is_expected_fails_with_the_packet():
    def leak(run):
        run.facts["ipv4.igmp.allhosts.join_not_reported"]["frames"] = copy.deepcopy(
            run.facts[JOIN + "ttl"]["frames"][:1])

    v = verdicts(load_run(leak))
    x = v["ipv4.igmp.allhosts.join_not_reported"]
    assert x.status == FAIL
    assert "0x22 224.0.0.22 01:00:5e:00:00:16 [TO_EX 224.0.1.1 {}]" in x.message
    assert "decoded: frame 1" in x.message


def test_decoded_lines_are_never_compared():
    run = load_run()
    out = decoders.decode("igmp", JOIN + "ttl", run.facts[JOIN + "ttl"])
    assert "_decoded" in out
    assert verdicts(run)[JOIN + "ttl"].status == PASS
    assert "_decoded" not in json.dumps(verdicts(run)[JOIN + "ttl"].observed)
