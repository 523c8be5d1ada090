"""RV64 compressed-instruction expansion (rvemu/_core/rvc.h) against an independent reference.

Build the test hook first:  cythonize -i -3 rvemu/_core/_rvc.pyx
"""
import collections

import pytest

import rvcref

_rvc = pytest.importorskip("rvemu._core._rvc", reason="build rvemu/_core/_rvc.pyx first")
expand = _rvc.expand

ALL_PARCELS = [p for p in range(0x10000) if p & 3 != 3]


def test_exhaustive_against_reference():
    assert len(ALL_PARCELS) == 49152
    bad = []
    for p in ALL_PARCELS:
        got, want = expand(p), rvcref.expand(p)
        if got != want:
            bad.append(f"{p:04x} ({rvcref.classify(p)[0]}): got {got:08x}, want {want:08x}")
    assert not bad, f"{len(bad)} mismatches, first: " + "; ".join(bad[:10])


def test_uncompressed_parcels_are_rejected():
    assert all(expand(p) == 0 for p in range(3, 0x10000, 4))


def test_upper_half_is_ignored():
    for p in range(0, 0x10000, 7):
        assert expand(p | 0xDEAD0000) == expand(p)


def test_every_expansion_is_a_32bit_word():
    for p in ALL_PARCELS:
        w = expand(p)
        assert w == 0 or w & 3 == 3


# Illegal parcels per RV64 code point, counted by hand from the listings (free bits -> 2**n).
ILLEGAL_COUNTS = {
    "c.addi4spn (reserved)": 8,          # nzuimm=0, rd' free (includes 0x0000)
    "illegal": 2048 + 128,               # q0 funct3=100 (11 free bits); q1 100 1 11 --- 1- ---
    "c.addiw (reserved)": 64,            # rd=0, imm free
    "c.addi16sp (reserved)": 1,
    "c.lui (reserved)": 31,              # nzimm=0 for every rd except x2
    "c.lwsp (reserved)": 64,             # rd=0, offset free
    "c.ldsp (reserved)": 64,
    "c.jr (reserved)": 1,
}


def test_illegal_code_point_counts():
    counts = collections.Counter()
    for p in ALL_PARCELS:
        name, word, _ = rvcref.classify(p)
        if word == 0:
            counts[name] += 1
            assert expand(p) == 0
    assert dict(counts) == ILLEGAL_COUNTS
    assert sum(1 for p in ALL_PARCELS if expand(p)) == 49152 - sum(ILLEGAL_COUNTS.values())


# Hand-assembled cases: parcel, expected 32-bit word, what it is.
HAND = [
    (0x0000, 0x00000000, "all-zero parcel: defined illegal"),
    (0x0001, 0x00000013, "c.nop -> addi x0,x0,0"),
    (0x0808, 0x01010513, "c.addi4spn a0,sp,16"),
    (0x0010, 0x00000000, "c.addi4spn rd'=a2, nzuimm=0: reserved"),
    (0x2588, 0x0085B507, "c.fld fa0,8(a1)"),
    (0x41C8, 0x0045A503, "c.lw a0,4(a1)"),
    (0x8000, 0x00000000, "quadrant 0 funct3=100: reserved"),
    (0x1141, 0xFF010113, "c.addi sp,-16"),
    (0x2501, 0x0005051B, "c.addiw a0,0 (sext.w)"),
    (0x2001, 0x00000000, "c.addiw x0: reserved"),
    (0x557D, 0xFFF00513, "c.li a0,-1"),
    (0x7139, 0xFC010113, "c.addi16sp sp,-64"),
    (0x6101, 0x00000000, "c.addi16sp 0: reserved"),
    (0x757D, 0xFFFFF537, "c.lui a0,0xfffff"),
    (0x6001, 0x00000000, "c.lui x0,0: reserved"),
    (0x8101, 0x00055513, "c.srli a0,0 (HINT) -> srli a0,a0,0"),
    (0x957D, 0x43F55513, "c.srai a0,63"),
    (0x997D, 0xFFF57513, "c.andi a0,-1"),
    (0x9D0D, 0x40B5053B, "c.subw a0,a1"),
    (0x9D41, 0x00000000, "c.subw/addw group funct2=10: reserved"),
    (0xBFFD, 0xFFFFF06F, "c.j -2"),
    (0xC501, 0x00050463, "c.beqz a0,+8"),
    (0xF001, 0xF00410E3, "c.bnez s0,-256"),
    (0x0006, 0x00101013, "c.slli x0,1 (HINT) -> slli x0,x0,1"),
    (0x60A2, 0x00813083, "c.ldsp ra,8(sp)"),
    (0x6002, 0x00000000, "c.ldsp x0: reserved"),
    (0x4002, 0x00000000, "c.lwsp x0: reserved"),
    (0x8082, 0x00008067, "c.jr ra (ret)"),
    (0x8002, 0x00000000, "c.jr x0: reserved"),
    (0x852E, 0x00B00533, "c.mv a0,a1 -> add a0,x0,a1"),
    (0x9002, 0x00100073, "c.ebreak"),
    (0x9502, 0x000500E7, "c.jalr a0"),
    (0x952E, 0x00B50533, "c.add a0,a1"),
    (0xA822, 0x00813827, "c.fsdsp fs0,16(sp)"),
    (0xC22A, 0x00A12223, "c.swsp a0,4(sp)"),
    (0xE406, 0x00113423, "c.sdsp ra,8(sp)"),
]


@pytest.mark.parametrize("parcel,word,what", HAND, ids=[h[2] for h in HAND])
def test_hand_picked(parcel, word, what):
    assert expand(parcel) == word
    assert rvcref.expand(parcel) == word
