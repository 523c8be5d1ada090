"""Encodings of the vector bit-manipulation and crypto sub-extensions (unpriv zvbb.adoc,
zvbc.adoc, zvk.adoc; spec-facts 4.8): Zvbb (with its subset Zvkb), Zvbc, Zvkg, Zvkned,
Zvknha/Zvknhb, Zvksed and Zvksh. Zvkt has no instructions.

Entries have the format of :mod:`rvemu.isa.encodings` -- ``(mnemonic, bits, operands,
extension)`` -- with these vector operand tokens (objdump's order: vd, vs2, then vs1/rs1/imm; the same names as the vector
helper's encodings_v.py, plus ``zimm6``):

* ``vd``, ``vs1``, ``vs2``: vector registers in bits 11:7, 19:15, 24:20;
* ``xs1``: an integer register in bits 19:15 (the .vx forms);
* ``uimm5``: the 5-bit unsigned immediate in bits 19:15 (vaeskf1, vaeskf2, vsm4k, vsm3c,
  vwsll.vi), printed in decimal;
* ``zimm6``: vror.vi's 6-bit rotate amount, bits 19:15 plus bit 26 as imm[5];
* ``vm``: the mask operand, bit 25: printed ``v0.t`` when 0, left out when 1.

``ZVK`` is not part of ``encodings.ALL`` yet: the hart's decoder must not see these before
the vector unit executes them. The integration appends ``ZVK`` to ``encodings.ALL`` (see
docs/zvk-integration.md); the disassembler already knows them.

The nine Zvkb instructions are tagged ``("zvbb", "zvkb")`` (either provides them), and the
three SHA-2 ones ``("zvknha", "zvknhb")``; whether SEW=64 is legal for the latter depends on
Zvknhb (an execution-time rule, not an encoding one).
"""

_ZVKB = ("zvbb", "zvkb")
_ZVKNH = ("zvknha", "zvknhb")

# Zvbb/Zvkb/Zvbc live in OP-V (0x57); bit 25 is vm, funct3 picks the operand kind
# (000 OPIVV, 010 OPMVV, 011 OPIVI, 100 OPIVX, 110 OPMVX).
ZVBB = [
    ("vandn.vv",  "000001 - ----- ----- 000 ----- 1010111", "vd,vs2,vs1,vm", _ZVKB),
    ("vandn.vx",  "000001 - ----- ----- 100 ----- 1010111", "vd,vs2,xs1,vm", _ZVKB),
    ("vbrev.v",   "010010 - ----- 01010 010 ----- 1010111", "vd,vs2,vm", "zvbb"),
    ("vbrev8.v",  "010010 - ----- 01000 010 ----- 1010111", "vd,vs2,vm", _ZVKB),
    ("vrev8.v",   "010010 - ----- 01001 010 ----- 1010111", "vd,vs2,vm", _ZVKB),
    ("vclz.v",    "010010 - ----- 01100 010 ----- 1010111", "vd,vs2,vm", "zvbb"),
    ("vctz.v",    "010010 - ----- 01101 010 ----- 1010111", "vd,vs2,vm", "zvbb"),
    ("vcpop.v",   "010010 - ----- 01110 010 ----- 1010111", "vd,vs2,vm", "zvbb"),
    ("vrol.vv",   "010101 - ----- ----- 000 ----- 1010111", "vd,vs2,vs1,vm", _ZVKB),
    ("vrol.vx",   "010101 - ----- ----- 100 ----- 1010111", "vd,vs2,xs1,vm", _ZVKB),
    ("vror.vv",   "010100 - ----- ----- 000 ----- 1010111", "vd,vs2,vs1,vm", _ZVKB),
    ("vror.vx",   "010100 - ----- ----- 100 ----- 1010111", "vd,vs2,xs1,vm", _ZVKB),
    ("vror.vi",   "01010 - - ----- ----- 011 ----- 1010111", "vd,vs2,zimm6,vm", _ZVKB),
    ("vwsll.vv",  "110101 - ----- ----- 000 ----- 1010111", "vd,vs2,vs1,vm", "zvbb"),
    ("vwsll.vx",  "110101 - ----- ----- 100 ----- 1010111", "vd,vs2,xs1,vm", "zvbb"),
    ("vwsll.vi",  "110101 - ----- ----- 011 ----- 1010111", "vd,vs2,uimm5,vm", "zvbb"),
]

ZVBC = [
    ("vclmul.vv",  "001100 - ----- ----- 010 ----- 1010111", "vd,vs2,vs1,vm", "zvbc"),
    ("vclmul.vx",  "001100 - ----- ----- 110 ----- 1010111", "vd,vs2,xs1,vm", "zvbc"),
    ("vclmulh.vv", "001101 - ----- ----- 010 ----- 1010111", "vd,vs2,vs1,vm", "zvbc"),
    ("vclmulh.vx", "001101 - ----- ----- 110 ----- 1010111", "vd,vs2,xs1,vm", "zvbc"),
]

# The element-group instructions live in OP-VE (0x77), funct3 = 010, vm = 1 (unmasked).
# funct6 0x28 (.vv) / 0x29 (.vs) share one space told apart by the vs1 field.
ZVKG = [
    ("vghsh.vv", "101100 1 ----- ----- 010 ----- 1110111", "vd,vs2,vs1", "zvkg"),
    ("vgmul.vv", "101000 1 ----- 10001 010 ----- 1110111", "vd,vs2", "zvkg"),
]

ZVKNED = [
    ("vaesdf.vv",  "101000 1 ----- 00001 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesdf.vs",  "101001 1 ----- 00001 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesdm.vv",  "101000 1 ----- 00000 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesdm.vs",  "101001 1 ----- 00000 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesef.vv",  "101000 1 ----- 00011 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesef.vs",  "101001 1 ----- 00011 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesem.vv",  "101000 1 ----- 00010 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesem.vs",  "101001 1 ----- 00010 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaesz.vs",   "101001 1 ----- 00111 010 ----- 1110111", "vd,vs2", "zvkned"),
    ("vaeskf1.vi", "100010 1 ----- ----- 010 ----- 1110111", "vd,vs2,uimm5", "zvkned"),
    ("vaeskf2.vi", "101010 1 ----- ----- 010 ----- 1110111", "vd,vs2,uimm5", "zvkned"),
]

ZVKNH = [
    ("vsha2ms.vv", "101101 1 ----- ----- 010 ----- 1110111", "vd,vs2,vs1", _ZVKNH),
    ("vsha2ch.vv", "101110 1 ----- ----- 010 ----- 1110111", "vd,vs2,vs1", _ZVKNH),
    ("vsha2cl.vv", "101111 1 ----- ----- 010 ----- 1110111", "vd,vs2,vs1", _ZVKNH),
]

ZVKSED = [
    ("vsm4k.vi", "100001 1 ----- ----- 010 ----- 1110111", "vd,vs2,uimm5", "zvksed"),
    ("vsm4r.vv", "101000 1 ----- 10000 010 ----- 1110111", "vd,vs2", "zvksed"),
    ("vsm4r.vs", "101001 1 ----- 10000 010 ----- 1110111", "vd,vs2", "zvksed"),
]

ZVKSH = [
    ("vsm3c.vi",  "101011 1 ----- ----- 010 ----- 1110111", "vd,vs2,uimm5", "zvksh"),
    ("vsm3me.vv", "100000 1 ----- ----- 010 ----- 1110111", "vd,vs2,vs1", "zvksh"),
]

# Everything, for the integration to append to encodings.ALL.
ZVK = ZVBB + ZVBC + ZVKG + ZVKNED + ZVKNH + ZVKSED + ZVKSH
NAMES = frozenset(m for m, *_ in ZVK)

# For a coarse-op decoder (the vector unit decodes further): every OP-VE word with
# funct3 = 010 goes to the vector unit, which rejects the unassigned funct6/vs1 values.
COARSE = [("vop", "------ - ----- ----- 010 ----- 1110111")]

# Element-group shape of the OP-VE instructions (unpriv zvk.adoc, "Element Groups"):
# mnemonic -> (allowed SEWs, EGS). EGW = EGS * SEW. The .vs forms read element group 0 of
# vs2 and apply it to every group of vd. Zvbb/Zvbc are per element (no entry here).
ELEMENT_GROUPS = {
    "vghsh.vv": ((32,), 4), "vgmul.vv": ((32,), 4),
    **{m: ((32,), 4) for m, *_ in ZVKNED},
    **{m: ((32, 64), 4) for m, *_ in ZVKNH},   # SEW=64 only with Zvknhb
    **{m: ((32,), 4) for m, *_ in ZVKSED},
    **{m: ((32,), 8) for m, *_ in ZVKSH},
}
