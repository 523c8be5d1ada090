"""Exact Machine snapshots: the hart's whole state, the vector register file and RAM.

``save(m)`` returns bytes; ``restore(m, data)`` puts them on a Machine built with the same
configuration (ISA, RAM size, VLEN) — a fresh one, or the same one — so that running on
gives exactly what the original run would have given. This is a minimal format for one
build of rvemu (the hart state is its C struct): it is for checkpoints within a session
(fuzzing, bisecting a long run), not for storing; the KVM model's snapshots
(rvemu.kvm.snapshot) are the portable, versioned ones.

Layout: MAGIC, a little-endian u32 header length, a JSON header (configuration, blob sizes,
SHA-256 of the payload), then the hart state, the vector registers and RAM.
"""
import hashlib
import json
import struct

import numpy as np

from rvemu.errors import RvemuError

MAGIC = b"RVEMU-MSNAP1\n"


class SnapshotError(RvemuError):
    """A machine snapshot is damaged or does not fit this machine."""


def _one_hart(m):
    if len(getattr(m, "harts", [m.hart])) != 1:
        raise SnapshotError("machine snapshots cover a one-hart machine; this one has "
                            f"{len(m.harts)} harts")


def save(m):
    """The state of Machine ``m`` (one hart) as bytes."""
    _one_hart(m)
    hart = m.hart.state_bytes()
    vregs = m.hart.v.tobytes() if m.hart.v is not None else b""
    ram = m.ram.tobytes()
    payload = hart + vregs + ram
    head = {"isa": m.isa.canonical(), "ram_size": m.ram_size, "vlen": m.vlen,
            "sizes": [len(hart), len(vregs), len(ram)],
            "exit_code": m.exit_code, "output": bytes(m.output).hex(),
            "sha256": hashlib.sha256(payload).hexdigest()}
    h = json.dumps(head, sort_keys=True).encode()
    return MAGIC + struct.pack("<I", len(h)) + h + payload


def parse(data):
    """(header, hart state, vector registers, RAM) of a snapshot; SnapshotError if damaged."""
    data = bytes(data)
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise SnapshotError("not an rvemu machine snapshot (bad magic)")
    (n,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        head = json.loads(data[start:start + n].decode())
        sizes = [int(s) for s in head["sizes"]]
        if len(sizes) != 3 or min(sizes) < 0:
            raise ValueError("bad sizes")
        digest = head["sha256"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise SnapshotError(f"damaged machine snapshot header: {e}") from None
    payload = data[start + n:]
    if len(payload) != sum(sizes):
        raise SnapshotError(f"truncated machine snapshot: {len(payload)} payload bytes, "
                            f"the header says {sum(sizes)}")
    if hashlib.sha256(payload).hexdigest() != digest:
        raise SnapshotError("machine snapshot checksum mismatch (the file is damaged)")
    a, b, _ = sizes
    return head, payload[:a], payload[a:a + b], payload[a + b:]


def restore(m, data):
    """Put a snapshot on Machine ``m`` (same ISA, RAM size and VLEN); nothing changes if it
    does not fit."""
    _one_hart(m)
    head, hart, vregs, ram = parse(data)
    want = {"isa": m.isa.canonical(), "ram_size": m.ram_size, "vlen": m.vlen}
    got = {k: head.get(k) for k in want}
    if got != want:
        raise SnapshotError(f"the snapshot is of a machine with {got}, this one has {want}")
    if len(ram) != m.ram_size or len(vregs) != (m.hart.v.nbytes if m.hart.v is not None else 0):
        raise SnapshotError("the snapshot's RAM or vector register sizes do not fit this machine")
    try:
        m.hart.load_state_bytes(hart)
    except ValueError as e:
        raise SnapshotError(str(e)) from None
    m.ram[:] = np.frombuffer(ram, dtype=np.uint8)
    if m.hart.v is not None:
        m.hart.v[:] = np.frombuffer(vregs, dtype=np.uint8).reshape(m.hart.v.shape)
    m.hart.flush_decode_cache()
    m.exit_code = head.get("exit_code")
    m.output[:] = bytes.fromhex(head.get("output", ""))
