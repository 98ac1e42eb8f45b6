"""Per-area decoders: turn raw observed facts (e.g. captured frames as hex)
into the facts expected/ speaks about. An area without a decoder module is
judged on its raw facts. A decoder module `harness/decoders/<area>.py`
defines decode(check_id, facts) -> facts."""

import importlib
import importlib.util


def decode(area, cid, facts):
    try:
        mod = importlib.import_module("harness.decoders." + area)
    except ModuleNotFoundError as e:
        if e.name == "harness.decoders." + area:
            return facts
        raise
    return mod.decode(cid, facts)


def has_decoder(area):
    """Whether area's raw facts go through a decoder (frames: scapy)."""
    return importlib.util.find_spec("harness.decoders." + area) is not None
