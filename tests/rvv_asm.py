"""Vector instruction words for the tests, built from the unpriv spec's field layout
(vd/rd 11:7, vs1/rs1/imm 19:15, vs2/rs2 24:20, vm 25, nf 31:29) over the mask/match of
rvemu.isa.encodings_v (whose bits a test checks against the official riscv-opcodes data),
plus small program builders shared by the vector tests."""
from rvemu.isa import encodings
from rvemu.isa.encodings_v import ALL_V

_BITS = {m: encodings.mask_match(b)[:2] for m, b, *_ in ALL_V}
OPERANDS = {m: ops for m, _, ops, _ in ALL_V}


def venc(mnemonic, vd=0, vs2=0, vs1=0, vm=1, nf=None):
    """The word of a vector instruction; fields that the encoding fixes keep their value
    (vs1 is also rs1 / the 5-bit immediate, vs2 also rs2, vd also rd)."""
    mask, match = _BITS[mnemonic]
    w = match
    for value, lo, width in ((vd, 7, 5), (vs1 & 31, 15, 5), (vs2, 20, 5), (vm, 25, 1),
                             (0 if nf is None else nf, 29, 3)):
        field = ((1 << width) - 1) << lo
        if mask & field == 0:
            w |= (value & ((1 << width) - 1)) << lo
    return w


def vsetvli(rd, rs1, vtype):
    return (vtype & 0x7FF) << 20 | rs1 << 15 | 7 << 12 | rd << 7 | 0x57


def vsetivli(rd, avl, vtype):
    return 3 << 30 | (vtype & 0x3FF) << 20 | avl << 15 | 7 << 12 | rd << 7 | 0x57


def vsetvl(rd, rs1, rs2):
    return 1 << 31 | rs2 << 20 | rs1 << 15 | 7 << 12 | rd << 7 | 0x57


def vtype(sew, lmul, ta=0, ma=0):
    """vtype bits for SEW in bits and LMUL as 1/8..8 (fractions as 0.125 etc.)."""
    vlmul = {1: 0, 2: 1, 4: 2, 8: 3, 0.125: 5, 0.25: 6, 0.5: 7}[lmul]
    return ma << 7 | ta << 6 | {8: 0, 16: 1, 32: 2, 64: 3}[sew] << 3 | vlmul
