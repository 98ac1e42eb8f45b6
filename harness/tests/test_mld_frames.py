"""MLD on the wire: recorded frames pass against expected/, and a frame with
one field altered fails exactly the check about that field, naming it and
showing the decoded packet (harness/decoders/mld.py, harness/scapy_compat.py).

Pure: judges frames recorded from probes/mld on 6.18 (data/mld-6.18.jsonl),
no privilege needed."""

import copy
import json
import os

import pytest

from conftest import DATA, ROOT
from harness import decoders, expected, report, scapy_compat
from harness.judge import FAIL, PASS, Run, judge

RECORDED = os.path.join(DATA, "mld-6.18.jsonl")
RELEASE = "6.18.44-fc-v669"
JOIN = "ipv6.mld.join."
IP6 = 14              # the IPv6 header starts after the Ethernet header
HBH = IP6 + 40        # Hop-by-Hop header: next header, length, RA (5, 2, value), PadN
ICMP = HBH + 8        # the MLDv2 report
REC = ICMP + 8        # its first record: type, aux len, nsrcs, group


def load_run(mutate=None):
    run = Run()
    with open(RECORDED) as f:
        run.add_lines(f.read(), probe="mld")
    if mutate:
        mutate(run)
    return run


_EXP = []


def verdicts(run):
    if not _EXP:  # loaded once: judging never changes it
        exp = expected.load(os.path.join(ROOT, "expected"), RELEASE)
        exp.checks = {k: v for k, v in exp.checks.items() if v["area"] == "mld"}
        _EXP.append(exp)
    return {v.id: v for v in judge(_EXP[0], run, decode=decoders.decode)}


def fix_icmp6_csum(b):
    """Recomputes the ICMPv6 checksum over the pseudo-header (RFC 4443 2.3)."""
    end = IP6 + 40 + int.from_bytes(b[IP6 + 4:IP6 + 6], "big")
    b[ICMP + 2:ICMP + 4] = b"\0\0"
    ph = bytes(b[IP6 + 8:IP6 + 40]) + (end - ICMP).to_bytes(4, "big") + b"\0\0\0\x3a"
    b[ICMP + 2:ICMP + 4] = scapy_compat.inet_checksum(ph + bytes(b[ICMP:end])).to_bytes(2, "big")


def alter_join_frames(edit, which=(0, 1)):
    """A mutation applying edit(bytearray) to the join report frames of every
    join check (they all carry the same capture)."""
    def mutate(run):
        for cid, facts in run.facts.items():
            if cid.startswith(JOIN) and "frames" in facts and len(facts["frames"]) == 2:
                for i in which:
                    b = bytearray.fromhex(facts["frames"][i]["hex"])
                    edit(b)
                    facts["frames"][i]["hex"] = b.hex()
    return mutate


def set_byte(off, value, csum=True):
    def edit(b):
        b[off] = value
        if csum:
            fix_icmp6_csum(b)
    return edit


def test_recorded_frames_pass():
    v = verdicts(load_run())
    bad = {k: x.message for k, x in v.items() if x.status != PASS}
    assert not bad
    assert len(v) >= 50


def test_recorded_join_decodes_as_the_seeds_say():
    run = load_run()
    facts = decoders.decode("mld", JOIN + "record", run.facts[JOIN + "record"])
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
    ("record type TO_EX -> IS_EX", set_byte(REC, 2), "record", "record_type", "IS_EX ff15::1:1"),
    ("record group ff15::1:1 -> ff15::1:2", set_byte(REC + 4 + 15, 2), "record", "group", "ff15::1:2"),
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
    v = verdicts(load_run(alter_join_frames(set_byte(IP6 + 7, 255, csum=False), which=(1,))))
    assert [k for k, x in v.items() if x.status == FAIL] == [JOIN + "hop_limit"]
    assert "[1, 255]" in v[JOIN + "hop_limit"].message


def test_type_changed_fails_report_type():
    # 143 -> 131: now a v1 report; the type check names it (the record view fails with it)
    v = verdicts(load_run(alter_join_frames(set_byte(ICMP, 131))))
    assert v[JOIN + "report_type"].status == FAIL
    assert "type: expected 143, observed 131" in v[JOIN + "report_type"].message


def test_missing_repeat_and_slow_repeat_fail():
    def drop_repeat(run):
        run.facts[JOIN + "repeats"]["frames"].pop()

    v = verdicts(load_run(drop_repeat))
    assert [k for k, x in v.items() if x.status == FAIL] == [JOIN + "repeats"]

    def slow(run):
        # what an ignored mldv2_unsolicited_report_interval (1000 ms default) can look like
        f = run.facts[JOIN + "repeat_spacing_honours_interval"]["frames"]
        f[1]["t_us"] = f[0]["t_us"] + 700000

    v = verdicts(load_run(slow))
    assert [k for k, x in v.items() if x.status == FAIL] == [JOIN + "repeat_spacing_honours_interval"]
    assert "spacing_ms" in v[JOIN + "repeat_spacing_honours_interval"].message


def test_a_report_where_silence_is_expected_fails_with_the_packet():
    def leak(run):
        run.facts["ipv6.mld.allnodes.join_not_reported"]["frames"] = copy.deepcopy(
            run.facts[JOIN + "hop_limit"]["frames"][:1])

    v = verdicts(load_run(leak))
    x = v["ipv6.mld.allnodes.join_not_reported"]
    assert [k for k, y in v.items() if y.status == FAIL] == ["ipv6.mld.allnodes.join_not_reported"]
    assert "143 ff02::16 33:33:00:00:00:16 [TO_EX ff15::1:1 {}]" in x.message
    assert "decoded: frame 1" in x.message


def test_a_malformed_query_answered_fails_that_check():
    def answered(run):
        run.facts["ipv6.mld.query.hop_limit_2_ignored"]["frames"] = copy.deepcopy(
            run.facts["ipv6.mld.query.answered_after_bad_queries"]["frames"])

    v = verdicts(load_run(answered))
    assert [k for k, x in v.items() if x.status == FAIL] == ["ipv6.mld.query.hop_limit_2_ignored"]
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
    failed = sorted(k for k, x in v.items() if x.status == FAIL)
    assert cid in failed and "ipv6.mld.dad.reports_after_dad_from_link_local" in failed


def test_decoded_lines_are_never_compared():
    run = load_run()
    out = decoders.decode("mld", JOIN + "hop_limit", run.facts[JOIN + "hop_limit"])
    assert "_decoded" in out
    assert verdicts(run)[JOIN + "hop_limit"].status == PASS
    assert "_decoded" not in json.dumps(verdicts(run)[JOIN + "hop_limit"].observed)
