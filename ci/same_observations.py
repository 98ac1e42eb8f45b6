#!/usr/bin/python3
"""Are two runs' observations the same, timing facts aside?

  ci/same_observations.py BEFORE.jsonl AFTER.jsonl

A refactoring of the probes must not change what they observe. Records are
compared by id after dropping what differs from run to run by design: the
capture timestamps (`t_us`) and the source MAC of captured frames (a veth's
address is random), the nonce of a DAD neighbour solicitation (random per
probe, RFC 7527) with the checksum it changes, the order of frames answering a query (each group's
answer waits its own random delay; the harness sorts them too), and what a
refactoring moves on purpose: the probe source line that recorded a check
(`at`). Exit 0 when identical, 1 with a unified diff otherwise."""

import difflib
import json
import sys


def _mask_dad_nonce(h):
    """Ethernet + IPv6 + ICMPv6 type 135: mask option 14 (nonce) and the checksum."""
    b = bytearray.fromhex(h)
    if len(b) < 78 or b[12:14] != b"\x86\xdd" or b[20] != 58 or b[54] != 135:
        return h
    b[56:58] = b"\0\0"
    off = 78
    while off + 2 <= len(b) and b[off + 1]:
        end = off + 8 * b[off + 1]
        if b[off] == 14:
            b[off + 2:end] = bytes(len(b[off + 2:end]))
        off = end
    return b.hex()


def _norm(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("t_us", "at"):
                continue
            if k == "hex" and isinstance(v, str) and len(v) >= 24:
                v = _mask_dad_nonce(v)
                v = v[:12] + "x" * 12 + v[24:]  # ethernet source address
            out[k] = _norm(v)
        return out
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def normalised(path):
    with open(path) as f:
        recs = [_norm(json.loads(line)) for line in f if line.strip()]
    for r in recs:
        frames = r.get("facts", {}).get("frames")
        if ".query." in r.get("id", "") and isinstance(frames, list):
            frames.sort(key=lambda fr: json.dumps(fr, sort_keys=True))
    return sorted(json.dumps(r, sort_keys=True) + "\n" for r in recs)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    a, b = normalised(argv[1]), normalised(argv[2])
    if a == b:
        print("same observations: %d records" % len(a))
        return 0
    sys.stdout.writelines(difflib.unified_diff(a, b, argv[1], argv[2], n=0))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
