"""Instruction encodings.

Each entry is ``(mnemonic, bits, operands, extension)``:

* ``bits`` spells the instruction word from bit 31 (or 15 for compressed) down to bit 0:
  ``0``/``1`` are fixed bits, ``-`` marks operand bits; spaces are only for the eye.
* ``operands`` is the assembler operand list in objdump's order. Tokens: ``xd xs1 xs2``
  (integer registers), ``fd fs1 fs2 fs3`` (FP registers), ``imm_i imm_s imm_b imm_u imm_j``
  (the base immediate formats), ``shamt`` (6-bit), ``shamtw`` (5-bit), ``csr``, ``zimm``,
  ``rm`` (FP rounding mode in funct3), ``pred,succ`` (fence), ``aqrl`` (implied by A ops).
  ``imm(xs1)`` is a memory operand.
* ``extension`` is the extension that provides it, or a tuple meaning "any of these".

Mnemonics map to handler names by replacing dots with underscores (``fcvt.bf16.s`` ->
``fcvt_bf16_s``), so one grep finds an instruction's table entry and its handler.
"""

# fmt field (bits 26:25) of the FP encodings: S=00, D=01, H=10.
_FMT = {"s": "00", "d": "01", "h": "10"}

RV64I = [
    ("lui",    "------------------------- 0110111", "xd,imm_u", "i"),
    ("auipc",  "------------------------- 0010111", "xd,imm_u", "i"),
    ("jal",    "------------------------- 1101111", "xd,imm_j", "i"),
    ("jalr",   "------------ ----- 000 ----- 1100111", "xd,imm_i(xs1)", "i"),
    ("beq",    "------- ----- ----- 000 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("bne",    "------- ----- ----- 001 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("blt",    "------- ----- ----- 100 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("bge",    "------- ----- ----- 101 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("bltu",   "------- ----- ----- 110 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("bgeu",   "------- ----- ----- 111 ----- 1100011", "xs1,xs2,imm_b", "i"),
    ("lb",     "------------ ----- 000 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("lh",     "------------ ----- 001 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("lw",     "------------ ----- 010 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("ld",     "------------ ----- 011 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("lbu",    "------------ ----- 100 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("lhu",    "------------ ----- 101 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("lwu",    "------------ ----- 110 ----- 0000011", "xd,imm_i(xs1)", "i"),
    ("sb",     "------- ----- ----- 000 ----- 0100011", "xs2,imm_s(xs1)", "i"),
    ("sh",     "------- ----- ----- 001 ----- 0100011", "xs2,imm_s(xs1)", "i"),
    ("sw",     "------- ----- ----- 010 ----- 0100011", "xs2,imm_s(xs1)", "i"),
    ("sd",     "------- ----- ----- 011 ----- 0100011", "xs2,imm_s(xs1)", "i"),
    ("addi",   "------------ ----- 000 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("slti",   "------------ ----- 010 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("sltiu",  "------------ ----- 011 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("xori",   "------------ ----- 100 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("ori",    "------------ ----- 110 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("andi",   "------------ ----- 111 ----- 0010011", "xd,xs1,imm_i", "i"),
    ("slli",   "000000 ------ ----- 001 ----- 0010011", "xd,xs1,shamt", "i"),
    ("srli",   "000000 ------ ----- 101 ----- 0010011", "xd,xs1,shamt", "i"),
    ("srai",   "010000 ------ ----- 101 ----- 0010011", "xd,xs1,shamt", "i"),
    ("add",    "0000000 ----- ----- 000 ----- 0110011", "xd,xs1,xs2", "i"),
    ("sub",    "0100000 ----- ----- 000 ----- 0110011", "xd,xs1,xs2", "i"),
    ("sll",    "0000000 ----- ----- 001 ----- 0110011", "xd,xs1,xs2", "i"),
    ("slt",    "0000000 ----- ----- 010 ----- 0110011", "xd,xs1,xs2", "i"),
    ("sltu",   "0000000 ----- ----- 011 ----- 0110011", "xd,xs1,xs2", "i"),
    ("xor",    "0000000 ----- ----- 100 ----- 0110011", "xd,xs1,xs2", "i"),
    ("srl",    "0000000 ----- ----- 101 ----- 0110011", "xd,xs1,xs2", "i"),
    ("sra",    "0100000 ----- ----- 101 ----- 0110011", "xd,xs1,xs2", "i"),
    ("or",     "0000000 ----- ----- 110 ----- 0110011", "xd,xs1,xs2", "i"),
    ("and",    "0000000 ----- ----- 111 ----- 0110011", "xd,xs1,xs2", "i"),
    ("addiw",  "------------ ----- 000 ----- 0011011", "xd,xs1,imm_i", "i"),
    ("slliw",  "0000000 ----- ----- 001 ----- 0011011", "xd,xs1,shamtw", "i"),
    ("srliw",  "0000000 ----- ----- 101 ----- 0011011", "xd,xs1,shamtw", "i"),
    ("sraiw",  "0100000 ----- ----- 101 ----- 0011011", "xd,xs1,shamtw", "i"),
    ("addw",   "0000000 ----- ----- 000 ----- 0111011", "xd,xs1,xs2", "i"),
    ("subw",   "0100000 ----- ----- 000 ----- 0111011", "xd,xs1,xs2", "i"),
    ("sllw",   "0000000 ----- ----- 001 ----- 0111011", "xd,xs1,xs2", "i"),
    ("srlw",   "0000000 ----- ----- 101 ----- 0111011", "xd,xs1,xs2", "i"),
    ("sraw",   "0100000 ----- ----- 101 ----- 0111011", "xd,xs1,xs2", "i"),
    # fm, rs1 and rd of FENCE are reserved for future use and ignored (unpriv 2.7).
    ("fence",  "---- ---- ---- ----- 000 ----- 0001111", "pred,succ", "i"),
    ("ecall",  "000000000000 00000 000 00000 1110011", "", "i"),
    ("ebreak", "000000000001 00000 000 00000 1110011", "", "i"),
]

ZIFENCEI = [
    ("fence.i", "------------ ----- 001 ----- 0001111", "", "zifencei"),
]

ZICSR = [
    ("csrrw",  "------------ ----- 001 ----- 1110011", "xd,csr,xs1", "zicsr"),
    ("csrrs",  "------------ ----- 010 ----- 1110011", "xd,csr,xs1", "zicsr"),
    ("csrrc",  "------------ ----- 011 ----- 1110011", "xd,csr,xs1", "zicsr"),
    ("csrrwi", "------------ ----- 101 ----- 1110011", "xd,csr,zimm", "zicsr"),
    ("csrrsi", "------------ ----- 110 ----- 1110011", "xd,csr,zimm", "zicsr"),
    ("csrrci", "------------ ----- 111 ----- 1110011", "xd,csr,zimm", "zicsr"),
]

PRIV = [
    ("sret",       "0001000 00010 00000 000 00000 1110011", "", "s"),
    ("mret",       "0011000 00010 00000 000 00000 1110011", "", "i"),
    ("wfi",        "0001000 00101 00000 000 00000 1110011", "", "i"),
    ("sfence.vma", "0001001 ----- ----- 000 00000 1110011", "xs1,xs2", "s"),
]

RV64M = [
    ("mul",    "0000001 ----- ----- 000 ----- 0110011", "xd,xs1,xs2", "m"),
    ("mulh",   "0000001 ----- ----- 001 ----- 0110011", "xd,xs1,xs2", "m"),
    ("mulhsu", "0000001 ----- ----- 010 ----- 0110011", "xd,xs1,xs2", "m"),
    ("mulhu",  "0000001 ----- ----- 011 ----- 0110011", "xd,xs1,xs2", "m"),
    ("div",    "0000001 ----- ----- 100 ----- 0110011", "xd,xs1,xs2", "m"),
    ("divu",   "0000001 ----- ----- 101 ----- 0110011", "xd,xs1,xs2", "m"),
    ("rem",    "0000001 ----- ----- 110 ----- 0110011", "xd,xs1,xs2", "m"),
    ("remu",   "0000001 ----- ----- 111 ----- 0110011", "xd,xs1,xs2", "m"),
    ("mulw",   "0000001 ----- ----- 000 ----- 0111011", "xd,xs1,xs2", "m"),
    ("divw",   "0000001 ----- ----- 100 ----- 0111011", "xd,xs1,xs2", "m"),
    ("divuw",  "0000001 ----- ----- 101 ----- 0111011", "xd,xs1,xs2", "m"),
    ("remw",   "0000001 ----- ----- 110 ----- 0111011", "xd,xs1,xs2", "m"),
    ("remuw",  "0000001 ----- ----- 111 ----- 0111011", "xd,xs1,xs2", "m"),
]


def _amo(name, funct5, width):
    f3 = {"w": "010", "d": "011"}[width]
    if name == "lr":
        return (f"lr.{width}", f"{funct5} - - 00000 ----- {f3} ----- 0101111", "xd,(xs1)", "a")
    return (f"{name}.{width}", f"{funct5} - - ----- ----- {f3} ----- 0101111", "xd,xs2,(xs1)", "a")


RV64A = [
    _amo(name, f5, w)
    for w in ("w", "d")
    for name, f5 in (("lr", "00010"), ("sc", "00011"), ("amoswap", "00001"),
                     ("amoadd", "00000"), ("amoxor", "00100"), ("amoand", "01100"),
                     ("amoor", "01000"), ("amomin", "10000"), ("amomax", "10100"),
                     ("amominu", "11000"), ("amomaxu", "11100"))
]


def _fp_family(t, ext, *, loadstore_ext=None):
    """The F/D/Zfh instructions of one precision ``t`` (s, d or h)."""
    fmt = _FMT[t]
    w = {"s": "010", "d": "011", "h": "001"}[t]
    ls = loadstore_ext or ext
    ld = {"s": "flw", "d": "fld", "h": "flh"}[t]
    sd = {"s": "fsw", "d": "fsd", "h": "fsh"}[t]
    mvx = {"s": "fmv.x.w", "d": "fmv.x.d", "h": "fmv.x.h"}[t]
    mvf = {"s": "fmv.w.x", "d": "fmv.d.x", "h": "fmv.h.x"}[t]
    out = [
        (ld, f"------------ ----- {w} ----- 0000111", "fd,imm_i(xs1)", ls),
        (sd, f"------- ----- ----- {w} ----- 0100111", "fs2,imm_s(xs1)", ls),
        (f"fmadd.{t}",  f"----- {fmt} ----- ----- --- ----- 1000011", "fd,fs1,fs2,fs3,rm", ext),
        (f"fmsub.{t}",  f"----- {fmt} ----- ----- --- ----- 1000111", "fd,fs1,fs2,fs3,rm", ext),
        (f"fnmsub.{t}", f"----- {fmt} ----- ----- --- ----- 1001011", "fd,fs1,fs2,fs3,rm", ext),
        (f"fnmadd.{t}", f"----- {fmt} ----- ----- --- ----- 1001111", "fd,fs1,fs2,fs3,rm", ext),
        (f"fadd.{t}",   f"00000{fmt} ----- ----- --- ----- 1010011", "fd,fs1,fs2,rm", ext),
        (f"fsub.{t}",   f"00001{fmt} ----- ----- --- ----- 1010011", "fd,fs1,fs2,rm", ext),
        (f"fmul.{t}",   f"00010{fmt} ----- ----- --- ----- 1010011", "fd,fs1,fs2,rm", ext),
        (f"fdiv.{t}",   f"00011{fmt} ----- ----- --- ----- 1010011", "fd,fs1,fs2,rm", ext),
        (f"fsqrt.{t}",  f"01011{fmt} 00000 ----- --- ----- 1010011", "fd,fs1,rm", ext),
        (f"fsgnj.{t}",  f"00100{fmt} ----- ----- 000 ----- 1010011", "fd,fs1,fs2", ext),
        (f"fsgnjn.{t}", f"00100{fmt} ----- ----- 001 ----- 1010011", "fd,fs1,fs2", ext),
        (f"fsgnjx.{t}", f"00100{fmt} ----- ----- 010 ----- 1010011", "fd,fs1,fs2", ext),
        (f"fmin.{t}",   f"00101{fmt} ----- ----- 000 ----- 1010011", "fd,fs1,fs2", ext),
        (f"fmax.{t}",   f"00101{fmt} ----- ----- 001 ----- 1010011", "fd,fs1,fs2", ext),
        (f"feq.{t}",    f"10100{fmt} ----- ----- 010 ----- 1010011", "xd,fs1,fs2", ext),
        (f"flt.{t}",    f"10100{fmt} ----- ----- 001 ----- 1010011", "xd,fs1,fs2", ext),
        (f"fle.{t}",    f"10100{fmt} ----- ----- 000 ----- 1010011", "xd,fs1,fs2", ext),
        (f"fclass.{t}", f"11100{fmt} 00000 ----- 001 ----- 1010011", "xd,fs1", ext),
        (mvx,           f"11100{fmt} 00000 ----- 000 ----- 1010011", "xd,fs1", ls),
        (mvf,           f"11110{fmt} 00000 ----- 000 ----- 1010011", "fd,xs1", ls),
    ]
    for i, it in enumerate(("w", "wu", "l", "lu")):
        rs2 = format(i, "05b")
        out.append((f"fcvt.{it}.{t}", f"11000{fmt} {rs2} ----- --- ----- 1010011", "xd,fs1,rm", ext))
        out.append((f"fcvt.{t}.{it}", f"11010{fmt} {rs2} ----- --- ----- 1010011", "fd,xs1,rm", ext))
    return out


RV64F = _fp_family("s", "f")
RV64D = _fp_family("d", "d") + [
    ("fcvt.s.d", "0100000 00001 ----- --- ----- 1010011", "fd,fs1,rm", "d"),
    ("fcvt.d.s", "0100001 00000 ----- --- ----- 1010011", "fd,fs1,rm", "d"),
]

# Zfh; Zfhmin keeps only the loads/stores, moves and conversions (unpriv "Zfhmin").
_ZFHMIN_ONLY = ("zfhmin", "zfbfmin")
ZFH = _fp_family("h", "zfh", loadstore_ext=("zfhmin", "zfbfmin")) + [
    ("fcvt.s.h", "0100000 00010 ----- --- ----- 1010011", "fd,fs1,rm", "zfhmin"),
    ("fcvt.h.s", "0100010 00000 ----- --- ----- 1010011", "fd,fs1,rm", "zfhmin"),
    ("fcvt.d.h", "0100001 00010 ----- --- ----- 1010011", "fd,fs1,rm", ("zfhmin+d",)),
    ("fcvt.h.d", "0100010 00001 ----- --- ----- 1010011", "fd,fs1,rm", ("zfhmin+d",)),
]

ZFBFMIN = [
    ("fcvt.bf16.s", "0100010 01000 ----- --- ----- 1010011", "fd,fs1,rm", "zfbfmin"),
    ("fcvt.s.bf16", "0100000 00110 ----- --- ----- 1010011", "fd,fs1,rm", "zfbfmin"),
]

# Hypervisor extension (priv spec chapter "Hypervisor Extension", hypervisor instructions).
# HLV/HLVX/HSV access memory as if V=1 at privilege hstatus.SPVP; HFENCE.VVMA/GVMA fence
# the VS stage and the G stage.
RV64H = [
    ("hfence.vvma", "0010001 ----- ----- 000 00000 1110011", "xs1,xs2", "h"),
    ("hfence.gvma", "0110001 ----- ----- 000 00000 1110011", "xs1,xs2", "h"),
    ("hlv.b",   "0110000 00000 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.bu",  "0110000 00001 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.h",   "0110010 00000 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.hu",  "0110010 00001 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlvx.hu", "0110010 00011 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.w",   "0110100 00000 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.wu",  "0110100 00001 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlvx.wu", "0110100 00011 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hlv.d",   "0110110 00000 ----- 100 ----- 1110011", "xd,(xs1)", "h"),
    ("hsv.b",   "0110001 ----- ----- 100 00000 1110011", "xs2,(xs1)", "h"),
    ("hsv.h",   "0110011 ----- ----- 100 00000 1110011", "xs2,(xs1)", "h"),
    ("hsv.w",   "0110101 ----- ----- 100 00000 1110011", "xs2,(xs1)", "h"),
    ("hsv.d",   "0110111 ----- ----- 100 00000 1110011", "xs2,(xs1)", "h"),
]

ALL = (RV64I + ZIFENCEI + ZICSR + PRIV + RV64M + RV64A + RV64F + RV64D + ZFH + ZFBFMIN
       + RV64H)

from rvemu.isa.encodings_v import ALL_V  # noqa: E402  (vector; coarse ops in the hart)
ALL = ALL + ALL_V
from rvemu.isa.encodings_vcrypto import ZVK  # noqa: E402  (ZV*; coarse ops in the hart)
ALL = ALL + ZVK

# RV64 "C" (unpriv, "RVC Instruction Set Listings"), plus the D loads/stores in the C space.
# 16-bit parcels, NOT part of ALL: the hart expands them in C (rvemu/_core/rvc.h) and the
# disassembler in Python (rvemu/isa/rvc.py, which also holds the immediate bit layouts).
# Operand tokens of 16-bit entries name where a field lives:
#   xd fd xs1 (11:7), xsd (11:7, both source and destination), xs2 fs2 (6:2);
#   primed tokens are 3-bit fields naming x8-x15 / f8-f15: xd' fd' xs2' fs2' (4:2),
#   xs1' xsd' (9:7); sp is implied (x2).
#   Immediates carry the spec's names: nzuimm_ciw (c.addi4spn), uimm_cl4 / uimm_cl8
#   (CL/CS scaled by 4 / 8), imm_ci (CI, signed), nzimm_16sp, nzimm_lui, shamt_c, imm_cj,
#   imm_cb, uimm_lwsp / uimm_ldsp / uimm_swsp / uimm_sdsp (sp-relative, scaled).
# Where two entries overlap, the one with more fixed bits wins (c.nop over c.addi, c.jr over
# c.mv, c.ebreak and c.jalr over c.add, c.addi16sp over c.lui), as in riscv-opcodes.
RV64C = [
    # Quadrant 0
    ("c.addi4spn", "000 -------- --- 00", "xd',sp,nzuimm_ciw", "c"),
    ("c.fld",      "001 --- --- -- --- 00", "fd',uimm_cl8(xs1')", ("c+d",)),
    ("c.lw",       "010 --- --- -- --- 00", "xd',uimm_cl4(xs1')", "c"),
    ("c.ld",       "011 --- --- -- --- 00", "xd',uimm_cl8(xs1')", "c"),
    ("c.fsd",      "101 --- --- -- --- 00", "fs2',uimm_cl8(xs1')", ("c+d",)),
    ("c.sw",       "110 --- --- -- --- 00", "xs2',uimm_cl4(xs1')", "c"),
    ("c.sd",       "111 --- --- -- --- 00", "xs2',uimm_cl8(xs1')", "c"),
    # Quadrant 1
    ("c.nop",      "000 - 00000 ----- 01", "", "c"),
    ("c.addi",     "000 - ----- ----- 01", "xsd,imm_ci", "c"),
    ("c.addiw",    "001 - ----- ----- 01", "xsd,imm_ci", "c"),
    ("c.li",       "010 - ----- ----- 01", "xd,imm_ci", "c"),
    ("c.addi16sp", "011 - 00010 ----- 01", "sp,nzimm_16sp", "c"),
    ("c.lui",      "011 - ----- ----- 01", "xd,nzimm_lui", "c"),
    ("c.srli",     "100 - 00 --- ----- 01", "xsd',shamt_c", "c"),
    ("c.srai",     "100 - 01 --- ----- 01", "xsd',shamt_c", "c"),
    ("c.andi",     "100 - 10 --- ----- 01", "xsd',imm_ci", "c"),
    ("c.sub",      "100 0 11 --- 00 --- 01", "xsd',xs2'", "c"),
    ("c.xor",      "100 0 11 --- 01 --- 01", "xsd',xs2'", "c"),
    ("c.or",       "100 0 11 --- 10 --- 01", "xsd',xs2'", "c"),
    ("c.and",      "100 0 11 --- 11 --- 01", "xsd',xs2'", "c"),
    ("c.subw",     "100 1 11 --- 00 --- 01", "xsd',xs2'", "c"),
    ("c.addw",     "100 1 11 --- 01 --- 01", "xsd',xs2'", "c"),
    ("c.j",        "101 ----------- 01", "imm_cj", "c"),
    ("c.beqz",     "110 --- --- ----- 01", "xs1',imm_cb", "c"),
    ("c.bnez",     "111 --- --- ----- 01", "xs1',imm_cb", "c"),
    # Quadrant 2
    ("c.slli",     "000 - ----- ----- 10", "xsd,shamt_c", "c"),
    ("c.fldsp",    "001 - ----- ----- 10", "fd,uimm_ldsp(sp)", ("c+d",)),
    ("c.lwsp",     "010 - ----- ----- 10", "xd,uimm_lwsp(sp)", "c"),
    ("c.ldsp",     "011 - ----- ----- 10", "xd,uimm_ldsp(sp)", "c"),
    ("c.jr",       "100 0 ----- 00000 10", "xs1", "c"),
    ("c.mv",       "100 0 ----- ----- 10", "xd,xs2", "c"),
    ("c.ebreak",   "100 1 00000 00000 10", "", "c"),
    ("c.jalr",     "100 1 ----- 00000 10", "xs1", "c"),
    ("c.add",      "100 1 ----- ----- 10", "xsd,xs2", "c"),
    ("c.fsdsp",    "101 ------ ----- 10", "fs2,uimm_sdsp(sp)", ("c+d",)),
    ("c.swsp",     "110 ------ ----- 10", "xs2,uimm_swsp(sp)", "c"),
    ("c.sdsp",     "111 ------ ----- 10", "xs2,uimm_sdsp(sp)", "c"),
]


def mask_match(bits):
    """Return ``(mask, match, width)`` for a bit-pattern string."""
    b = bits.replace(" ", "")
    if len(b) not in (16, 32):
        raise ValueError(f"encoding {bits!r} has {len(b)} bits, not 16 or 32")
    mask = match = 0
    for ch in b:
        mask <<= 1
        match <<= 1
        if ch in "01":
            mask |= 1
            match |= int(ch)
        elif ch != "-":
            raise ValueError(f"bad character {ch!r} in encoding {bits!r}")
    return mask, match, len(b)


def handler_name(mnemonic):
    """``fcvt.bf16.s`` -> ``fcvt_bf16_s``: the name of the hart's handler and op constant."""
    return mnemonic.replace(".", "_")


def extensions_of(ext):
    """The extension requirement as a tuple of alternatives, each a tuple of names."""
    alts = ext if isinstance(ext, tuple) else (ext,)
    return tuple(tuple(a.split("+")) for a in alts)
