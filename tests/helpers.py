"""Shared helpers for the hart-level tests: a tiny RISC-V instruction encoder written from
the unprivileged spec's base formats (R/I/S/B/U/J/R4 and the RVC formats), a hand-built
ELF writer, and small Machine conveniences.

Nothing here asks rvemu how to encode or execute an instruction: tests assemble their code
with this module (CI has no cross toolchain) and derive expected values from the spec.
"""
import os
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUESTS = ROOT / "guests"

RAM_BASE = 0x8000_0000
CODE = RAM_BASE                 # where the tests put their instructions
DATA = RAM_BASE + 0x4000        # a data area, on its own pages
MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1

# Exception causes (privileged spec, table "mcause values after trap")
MISALIGNED_FETCH, FETCH_ACCESS, ILLEGAL, BREAKPOINT = 0, 1, 2, 3
MISALIGNED_LOAD, LOAD_ACCESS, MISALIGNED_STORE, STORE_ACCESS = 4, 5, 6, 7
ECALL_U, ECALL_S, ECALL_M = 8, 9, 11
FETCH_PAGE_FAULT, LOAD_PAGE_FAULT, STORE_PAGE_FAULT = 12, 13, 15
EXCEPTION_CODES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15}   # no H extension
INTERRUPT_CODES = {1, 3, 5, 7, 9, 11}

# mstatus fields
MSTATUS_SIE, MSTATUS_MIE, MSTATUS_SPIE, MSTATUS_MPIE = 1 << 1, 1 << 3, 1 << 5, 1 << 7
MSTATUS_SPP = 1 << 8
MSTATUS_MPP_SHIFT = 11
MSTATUS_FS_SHIFT = 13
MSTATUS_MPRV, MSTATUS_SUM, MSTATUS_MXR = 1 << 17, 1 << 18, 1 << 19
MSTATUS_TVM, MSTATUS_TW, MSTATUS_TSR = 1 << 20, 1 << 21, 1 << 22
FS_INITIAL = 1 << MSTATUS_FS_SHIFT


def sext(value, bits):
    """Sign-extend the low `bits` bits of value to a Python int."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def u64(value):
    return value & MASK64


def sext32(value):
    """RV64 W-op result: the low 32 bits sign-extended to 64 (as an unsigned pattern)."""
    return u64(sext(value, 32))


# --------------------------------------------------------------------------- registers
_X_ABI = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
          "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
          "s10", "s11", "t3", "t4", "t5", "t6"]
_F_ABI = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
          "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
          "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"]
X_ABI = tuple(_X_ABI)
F_ABI = tuple(_F_ABI)
_REGNUM = {**{f"x{i}": i for i in range(32)}, **{f"f{i}": i for i in range(32)},
           **{n: i for i, n in enumerate(_X_ABI)}, **{n: i for i, n in enumerate(_F_ABI)},
           "fp": 8}


def reg(r):
    """A register number from an int or a name (x5, t0, f10, fa0...)."""
    if isinstance(r, int):
        if not 0 <= r < 32:
            raise ValueError(f"register number {r} out of range")
        return r
    return _REGNUM[r.lower()]


def creg(r):
    """The 3-bit field of a compressed-form register (x8..x15 / f8..f15 only)."""
    n = reg(r)
    if not 8 <= n <= 15:
        raise ValueError(f"{r} is not one of the registers x8-x15 that RVC 3-bit fields name")
    return n - 8


def _check_imm(imm, bits, signed=True, align=1, what="immediate"):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not lo <= imm <= hi or imm % align:
        raise ValueError(f"{what} {imm} does not fit {bits} bits (aligned to {align})")
    return imm & ((1 << bits) - 1)


# --------------------------------------------------------------------------- base formats
# Field positions from the unprivileged spec, "Base Instruction Formats" and
# "Immediate Encoding Variants".
def r_type(opcode, rd, funct3, rs1, rs2, funct7):
    return ((funct7 & 0x7f) << 25 | reg(rs2) << 20 | reg(rs1) << 15 | (funct3 & 7) << 12
            | reg(rd) << 7 | opcode)


def r4_type(opcode, rd, funct3, rs1, rs2, rs3, funct2):
    return (reg(rs3) << 27 | (funct2 & 3) << 25 | reg(rs2) << 20 | reg(rs1) << 15
            | (funct3 & 7) << 12 | reg(rd) << 7 | opcode)


def i_type(opcode, rd, funct3, rs1, imm):
    imm = _check_imm(imm, 12)
    return imm << 20 | reg(rs1) << 15 | (funct3 & 7) << 12 | reg(rd) << 7 | opcode


def s_type(opcode, funct3, rs1, rs2, imm):
    imm = _check_imm(imm, 12)
    return ((imm >> 5) << 25 | reg(rs2) << 20 | reg(rs1) << 15 | (funct3 & 7) << 12
            | (imm & 0x1f) << 7 | opcode)


def b_type(opcode, funct3, rs1, rs2, offset):
    imm = _check_imm(offset, 13, align=2, what="branch offset")
    return (((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3f) << 25 | reg(rs2) << 20
            | reg(rs1) << 15 | (funct3 & 7) << 12 | ((imm >> 1) & 0xf) << 8
            | ((imm >> 11) & 1) << 7 | opcode)


def u_type(opcode, rd, imm20):
    """imm20 is the assembler's upper immediate (bits 31:12 of the value), -2^19..2^20-1."""
    if not -(1 << 19) <= imm20 < (1 << 20):
        raise ValueError(f"upper immediate {imm20:#x} out of range")
    return (imm20 & 0xfffff) << 12 | reg(rd) << 7 | opcode


def j_type(opcode, rd, offset):
    imm = _check_imm(offset, 21, align=2, what="jump offset")
    return (((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 | ((imm >> 11) & 1) << 20
            | ((imm >> 12) & 0xff) << 12 | reg(rd) << 7 | opcode)


# major opcodes (inst[6:0])
OPC_LOAD, OPC_LOAD_FP, OPC_MISC_MEM, OPC_OP_IMM, OPC_AUIPC, OPC_OP_IMM_32 = 0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b
OPC_STORE, OPC_STORE_FP, OPC_AMO, OPC_OP, OPC_LUI, OPC_OP_32 = 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b
OPC_MADD, OPC_MSUB, OPC_NMSUB, OPC_NMADD, OPC_OP_FP = 0x43, 0x47, 0x4b, 0x4f, 0x53
OPC_BRANCH, OPC_JALR, OPC_JAL, OPC_SYSTEM = 0x63, 0x67, 0x6f, 0x73

# R-type ALU ops: mnemonic -> (opcode, funct3, funct7)
R_OPS = {
    "add": (OPC_OP, 0, 0x00), "sub": (OPC_OP, 0, 0x20), "sll": (OPC_OP, 1, 0x00),
    "slt": (OPC_OP, 2, 0x00), "sltu": (OPC_OP, 3, 0x00), "xor": (OPC_OP, 4, 0x00),
    "srl": (OPC_OP, 5, 0x00), "sra": (OPC_OP, 5, 0x20), "or": (OPC_OP, 6, 0x00),
    "and": (OPC_OP, 7, 0x00),
    "addw": (OPC_OP_32, 0, 0x00), "subw": (OPC_OP_32, 0, 0x20), "sllw": (OPC_OP_32, 1, 0x00),
    "srlw": (OPC_OP_32, 5, 0x00), "sraw": (OPC_OP_32, 5, 0x20),
    "mul": (OPC_OP, 0, 0x01), "mulh": (OPC_OP, 1, 0x01), "mulhsu": (OPC_OP, 2, 0x01),
    "mulhu": (OPC_OP, 3, 0x01), "div": (OPC_OP, 4, 0x01), "divu": (OPC_OP, 5, 0x01),
    "rem": (OPC_OP, 6, 0x01), "remu": (OPC_OP, 7, 0x01),
    "mulw": (OPC_OP_32, 0, 0x01), "divw": (OPC_OP_32, 4, 0x01), "divuw": (OPC_OP_32, 5, 0x01),
    "remw": (OPC_OP_32, 6, 0x01), "remuw": (OPC_OP_32, 7, 0x01),
}
# I-type ALU ops with a 12-bit signed immediate: mnemonic -> (opcode, funct3)
I_OPS = {
    "addi": (OPC_OP_IMM, 0), "slti": (OPC_OP_IMM, 2), "sltiu": (OPC_OP_IMM, 3),
    "xori": (OPC_OP_IMM, 4), "ori": (OPC_OP_IMM, 6), "andi": (OPC_OP_IMM, 7),
    "addiw": (OPC_OP_IMM_32, 0),
}
# shifts by an immediate: mnemonic -> (opcode, funct3, bits 31:26 or 31:25, shamt bits)
SHIFT_OPS = {
    "slli": (OPC_OP_IMM, 1, 0x00, 6), "srli": (OPC_OP_IMM, 5, 0x00, 6),
    "srai": (OPC_OP_IMM, 5, 0x10, 6),
    "slliw": (OPC_OP_IMM_32, 1, 0x00, 5), "srliw": (OPC_OP_IMM_32, 5, 0x00, 5),
    "sraiw": (OPC_OP_IMM_32, 5, 0x20, 5),
}
LOAD_OPS = {"lb": 0, "lh": 1, "lw": 2, "ld": 3, "lbu": 4, "lhu": 5, "lwu": 6}
STORE_OPS = {"sb": 0, "sh": 1, "sw": 2, "sd": 3}
BRANCH_OPS = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}
# A extension funct5 (inst[31:27])
AMO_OPS = {
    "lr": 0x02, "sc": 0x03, "amoswap": 0x01, "amoadd": 0x00, "amoxor": 0x04, "amoand": 0x0c,
    "amoor": 0x08, "amomin": 0x10, "amomax": 0x14, "amominu": 0x18, "amomaxu": 0x1c,
}
CSR_OPS = {"csrrw": 1, "csrrs": 2, "csrrc": 3, "csrrwi": 5, "csrrsi": 6, "csrrci": 7}
# FP: the fmt field (inst[26:25]) and the load/store width funct3
FP_FMT = {"s": 0, "d": 1, "h": 2}
FP_WIDTH = {"h": 1, "w": 2, "d": 3}            # flh/flw/fld, fsh/fsw/fsd
FP_INT = {"w": 0, "wu": 1, "l": 2, "lu": 3}          # rs2 field of fcvt int <-> fp
FMA_OPS = {"fmadd": OPC_MADD, "fmsub": OPC_MSUB, "fnmsub": OPC_NMSUB, "fnmadd": OPC_NMADD}
FP_BIN = {"fadd": 0x00, "fsub": 0x01, "fmul": 0x02, "fdiv": 0x03}   # funct5
FP_SGNJ = {"fsgnj": 0, "fsgnjn": 1, "fsgnjx": 2}
FP_MINMAX = {"fmin": 0, "fmax": 1}
FP_CMP = {"fle": 0, "flt": 1, "feq": 2}
RM = {"rne": 0, "rtz": 1, "rdn": 2, "rup": 3, "rmm": 4, "dyn": 7}


def _rm(rm):
    return RM[rm] if isinstance(rm, str) else rm


def enc(mn, *ops, rm=7, aq=0, rl=0):
    """Encode one 32-bit instruction. Operand order follows the assembler:

    add rd, rs1, rs2 | addi rd, rs1, imm | ld rd, rs1, imm | sd rs2, rs1, imm |
    beq rs1, rs2, offset | lui rd, imm20 | jal rd, offset | jalr rd, rs1, imm |
    lr.w rd, rs1 | sc.w rd, rs2, rs1 | amoadd.w rd, rs2, rs1 | csrrw rd, csr, rs1/uimm |
    fadd.s fd, fs1, fs2 (rm=) | fmadd.s fd, fs1, fs2, fs3 (rm=) | fsqrt.s fd, fs1 |
    fcvt.w.s rd, fs1 | fcvt.s.w fd, rs1 | fcvt.s.d fd, fs1 | fmv.x.w rd, fs1 |
    fclass.s rd, fs1 | feq.s rd, fs1, fs2 | flw fd, rs1, imm | fsw fs2, rs1, imm
    """
    mn = mn.lower()
    if mn in R_OPS:
        opc, f3, f7 = R_OPS[mn]
        rd, rs1, rs2 = ops
        return r_type(opc, rd, f3, rs1, rs2, f7)
    if mn in I_OPS:
        opc, f3 = I_OPS[mn]
        rd, rs1, imm = ops
        return i_type(opc, rd, f3, rs1, imm)
    if mn in SHIFT_OPS:
        opc, f3, hi, bits = SHIFT_OPS[mn]
        rd, rs1, sh = ops
        sh = _check_imm(sh, bits, signed=False, what="shift amount")
        top = hi << 26 if bits == 6 else hi << 25
        return top | sh << 20 | reg(rs1) << 15 | f3 << 12 | reg(rd) << 7 | opc
    if mn in LOAD_OPS:
        rd, rs1, imm = ops
        return i_type(OPC_LOAD, rd, LOAD_OPS[mn], rs1, imm)
    if mn in STORE_OPS:
        rs2, rs1, imm = ops
        return s_type(OPC_STORE, STORE_OPS[mn], rs1, rs2, imm)
    if mn in BRANCH_OPS:
        rs1, rs2, off = ops
        return b_type(OPC_BRANCH, BRANCH_OPS[mn], rs1, rs2, off)
    if mn == "lui":
        return u_type(OPC_LUI, *ops)
    if mn == "auipc":
        return u_type(OPC_AUIPC, *ops)
    if mn == "jal":
        return j_type(OPC_JAL, *ops)
    if mn == "jalr":
        rd, rs1, imm = ops
        return i_type(OPC_JALR, rd, 0, rs1, imm)
    if mn == "fence":
        pred, succ = ops if ops else (0xf, 0xf)
        return (pred << 24) | (succ << 20) | OPC_MISC_MEM
    if mn == "fence.i":
        return 1 << 12 | OPC_MISC_MEM
    if mn == "ecall":
        return 0x00000073
    if mn == "ebreak":
        return 0x00100073
    if mn == "mret":
        return 0x30200073
    if mn == "sret":
        return 0x10200073
    if mn == "wfi":
        return 0x10500073
    if mn == "sfence.vma":
        rs1, rs2 = ops if ops else (0, 0)
        return r_type(OPC_SYSTEM, 0, 0, rs1, rs2, 0x09)
    if mn in CSR_OPS:
        rd, csr, src = ops
        src = src if CSR_OPS[mn] >= 5 else reg(src)
        if not 0 <= src < 32 or not 0 <= csr < 4096:
            raise ValueError("bad CSR operand")
        return csr << 20 | src << 15 | CSR_OPS[mn] << 12 | reg(rd) << 7 | OPC_SYSTEM
    parts = mn.split(".")
    if parts[0] in AMO_OPS and len(parts) in (2, 3) and parts[1] in ("w", "d"):
        f3 = 2 if parts[1] == "w" else 3
        if len(parts) == 3:   # lr.w.aq / amoadd.d.aqrl spellings
            aq = int("aq" in parts[2])
            rl = int("rl" in parts[2])
        f7 = AMO_OPS[parts[0]] << 2 | aq << 1 | rl
        if parts[0] == "lr":
            rd, rs1 = ops
            return r_type(OPC_AMO, rd, f3, rs1, 0, f7)
        rd, rs2, rs1 = ops
        return r_type(OPC_AMO, rd, f3, rs1, rs2, f7)
    # ---- floating point
    if mn in ("flw", "fld", "flh"):
        fd, rs1, imm = ops
        return i_type(OPC_LOAD_FP, fd, FP_WIDTH[mn[2]], rs1, imm)
    if mn in ("fsw", "fsd", "fsh"):
        fs2, rs1, imm = ops
        return s_type(OPC_STORE_FP, FP_WIDTH[mn[2]], rs1, fs2, imm)
    name = parts[0]
    if name in FMA_OPS:
        fd, fs1, fs2, fs3 = ops
        return r4_type(FMA_OPS[name], fd, _rm(rm), fs1, fs2, fs3, FP_FMT[parts[1]])
    if name in FP_BIN:
        fd, fs1, fs2 = ops
        return r_type(OPC_OP_FP, fd, _rm(rm), fs1, fs2, FP_BIN[name] << 2 | FP_FMT[parts[1]])
    if name == "fsqrt":
        fd, fs1 = ops
        return r_type(OPC_OP_FP, fd, _rm(rm), fs1, 0, 0x0b << 2 | FP_FMT[parts[1]])
    if name in FP_SGNJ:
        fd, fs1, fs2 = ops
        return r_type(OPC_OP_FP, fd, FP_SGNJ[name], fs1, fs2, 0x04 << 2 | FP_FMT[parts[1]])
    if name in FP_MINMAX:
        fd, fs1, fs2 = ops
        return r_type(OPC_OP_FP, fd, FP_MINMAX[name], fs1, fs2, 0x05 << 2 | FP_FMT[parts[1]])
    if name in FP_CMP:
        rd, fs1, fs2 = ops
        return r_type(OPC_OP_FP, rd, FP_CMP[name], fs1, fs2, 0x14 << 2 | FP_FMT[parts[1]])
    if name == "fclass":
        rd, fs1 = ops
        return r_type(OPC_OP_FP, rd, 1, fs1, 0, 0x1c << 2 | FP_FMT[parts[1]])
    if name == "fmv":
        dst, src = parts[1], parts[2]
        if dst == "x":      # fmv.x.w / fmv.x.d / fmv.x.h
            rd, fs1 = ops
            fmt = {"w": 0, "d": 1, "h": 2}[src]
            return r_type(OPC_OP_FP, rd, 0, fs1, 0, 0x1c << 2 | fmt)
        fd, rs1 = ops       # fmv.w.x / fmv.d.x / fmv.h.x
        fmt = {"w": 0, "d": 1, "h": 2}[dst]
        return r_type(OPC_OP_FP, fd, 0, rs1, 0, 0x1e << 2 | fmt)
    if name == "fcvt":
        dst, src = parts[1], parts[2]
        rd, rs1 = ops
        if dst in FP_INT:       # fcvt.w.s: float -> int, funct5 11000, rs2 = int type
            return r_type(OPC_OP_FP, rd, _rm(rm), rs1, FP_INT[dst], 0x18 << 2 | FP_FMT[src])
        if src in FP_INT:       # fcvt.s.w: int -> float, funct5 11010
            return r_type(OPC_OP_FP, rd, _rm(rm), rs1, FP_INT[src], 0x1a << 2 | FP_FMT[dst])
        # between precisions: funct5 01000, fmt = destination, rs2 = source format
        return r_type(OPC_OP_FP, rd, _rm(rm), rs1, FP_FMT[src], 0x08 << 2 | FP_FMT[dst])
    raise ValueError(f"the test encoder does not know {mn!r}")


# --------------------------------------------------------------------------- RVC
def _bits(v, hi, lo):
    return (v >> lo) & ((1 << (hi - lo + 1)) - 1)


def cenc(mn, *ops):
    """Encode one 16-bit RVC parcel (RV64C); operands as in the assembler's c.* forms."""
    mn = mn.lower()
    if mn == "c.nop":
        return 0x0001
    if mn == "c.ebreak":
        return 0x9002
    if mn in ("c.addi", "c.li", "c.addiw"):
        rd, imm = ops
        imm = _check_imm(imm, 6)
        f3 = {"c.addi": 0, "c.addiw": 1, "c.li": 2}[mn]
        return f3 << 13 | _bits(imm, 5, 5) << 12 | reg(rd) << 7 | _bits(imm, 4, 0) << 2 | 1
    if mn == "c.lui":
        rd, imm6 = ops               # nzimm[17:12], as the assembler's "c.lui rd, imm"
        imm = _check_imm(imm6, 6)
        return 3 << 13 | _bits(imm, 5, 5) << 12 | reg(rd) << 7 | _bits(imm, 4, 0) << 2 | 1
    if mn == "c.addi16sp":
        (imm,) = ops
        imm = _check_imm(imm, 10, align=16)
        return (3 << 13 | _bits(imm, 9, 9) << 12 | 2 << 7 | _bits(imm, 4, 4) << 6
                | _bits(imm, 6, 6) << 5 | _bits(imm, 8, 7) << 3 | _bits(imm, 5, 5) << 2 | 1)
    if mn == "c.addi4spn":
        rd, imm = ops
        imm = _check_imm(imm, 10, signed=False, align=4)
        return (_bits(imm, 5, 4) << 11 | _bits(imm, 9, 6) << 7 | _bits(imm, 2, 2) << 6
                | _bits(imm, 3, 3) << 5 | creg(rd) << 2)
    if mn in ("c.slli",):
        rd, sh = ops
        sh = _check_imm(sh, 6, signed=False)
        return _bits(sh, 5, 5) << 12 | reg(rd) << 7 | _bits(sh, 4, 0) << 2 | 2
    if mn in ("c.srli", "c.srai", "c.andi"):
        rd, imm = ops
        imm = _check_imm(imm, 6, signed=(mn == "c.andi"))
        f2 = {"c.srli": 0, "c.srai": 1, "c.andi": 2}[mn]
        return (4 << 13 | _bits(imm, 5, 5) << 12 | f2 << 10 | creg(rd) << 7
                | _bits(imm, 4, 0) << 2 | 1)
    if mn in ("c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"):
        rd, rs2 = ops
        w = mn in ("c.subw", "c.addw")
        f2 = {"c.sub": 0, "c.xor": 1, "c.or": 2, "c.and": 3, "c.subw": 0, "c.addw": 1}[mn]
        return 4 << 13 | int(w) << 12 | 3 << 10 | creg(rd) << 7 | f2 << 5 | creg(rs2) << 2 | 1
    if mn in ("c.lw", "c.sw"):
        r, rs1, off = ops
        off = _check_imm(off, 7, signed=False, align=4)
        f3 = 2 if mn == "c.lw" else 6
        return (f3 << 13 | _bits(off, 5, 3) << 10 | creg(rs1) << 7 | _bits(off, 2, 2) << 6
                | _bits(off, 6, 6) << 5 | creg(r) << 2)
    if mn in ("c.ld", "c.sd", "c.fld", "c.fsd"):
        r, rs1, off = ops
        off = _check_imm(off, 8, signed=False, align=8)
        f3 = {"c.fld": 1, "c.ld": 3, "c.fsd": 5, "c.sd": 7}[mn]
        return (f3 << 13 | _bits(off, 5, 3) << 10 | creg(rs1) << 7 | _bits(off, 7, 6) << 5
                | creg(r) << 2)
    if mn == "c.lwsp":
        rd, off = ops
        off = _check_imm(off, 8, signed=False, align=4)
        return (2 << 13 | _bits(off, 5, 5) << 12 | reg(rd) << 7 | _bits(off, 4, 2) << 4
                | _bits(off, 7, 6) << 2 | 2)
    if mn in ("c.ldsp", "c.fldsp"):
        rd, off = ops
        off = _check_imm(off, 9, signed=False, align=8)
        f3 = 3 if mn == "c.ldsp" else 1
        return (f3 << 13 | _bits(off, 5, 5) << 12 | reg(rd) << 7 | _bits(off, 4, 3) << 5
                | _bits(off, 8, 6) << 2 | 2)
    if mn == "c.swsp":
        rs2, off = ops
        off = _check_imm(off, 8, signed=False, align=4)
        return 6 << 13 | _bits(off, 5, 2) << 9 | _bits(off, 7, 6) << 7 | reg(rs2) << 2 | 2
    if mn in ("c.sdsp", "c.fsdsp"):
        rs2, off = ops
        off = _check_imm(off, 9, signed=False, align=8)
        f3 = 7 if mn == "c.sdsp" else 5
        return f3 << 13 | _bits(off, 5, 3) << 10 | _bits(off, 8, 6) << 7 | reg(rs2) << 2 | 2
    if mn == "c.j":
        (off,) = ops
        off = _check_imm(off, 12, align=2, what="c.j offset")
        return (5 << 13 | _bits(off, 11, 11) << 12 | _bits(off, 4, 4) << 11
                | _bits(off, 9, 8) << 9 | _bits(off, 10, 10) << 8 | _bits(off, 6, 6) << 7
                | _bits(off, 7, 7) << 6 | _bits(off, 3, 1) << 3 | _bits(off, 5, 5) << 2 | 1)
    if mn in ("c.beqz", "c.bnez"):
        rs1, off = ops
        off = _check_imm(off, 9, align=2, what="c.b offset")
        f3 = 6 if mn == "c.beqz" else 7
        return (f3 << 13 | _bits(off, 8, 8) << 12 | _bits(off, 4, 3) << 10 | creg(rs1) << 7
                | _bits(off, 7, 6) << 5 | _bits(off, 2, 1) << 3 | _bits(off, 5, 5) << 2 | 1)
    if mn in ("c.jr", "c.jalr"):
        (rs1,) = ops
        return (8 if mn == "c.jr" else 9) << 12 | reg(rs1) << 7 | 2
    if mn in ("c.mv", "c.add"):
        rd, rs2 = ops
        return (8 if mn == "c.mv" else 9) << 12 | reg(rd) << 7 | reg(rs2) << 2 | 2
    raise ValueError(f"the test encoder does not know {mn!r}")


def asm(*items):
    """Assemble a list of parcels into bytes. Each item is an int from enc() (32-bit,
    low bits 11) or cenc() (16-bit), or a (mnemonic, operands...) tuple."""
    out = bytearray()
    for it in items:
        if isinstance(it, tuple):
            it = cenc(*it) if it[0].startswith("c.") else enc(*it)
        if it & 3 == 3:
            out += struct.pack("<I", it & MASK32)
        else:
            if it >> 16:
                raise ValueError(f"{it:#x} is neither a 32-bit word nor a 16-bit parcel")
            out += struct.pack("<H", it)
    return bytes(out)


def li(rd, value):
    """A sequence loading the 64-bit constant value into rd (lui/addiw/slli/addi)."""
    value = sext(value, 64)
    if -2048 <= value < 2048:
        return [enc("addi", rd, 0, value)]
    if -(1 << 31) <= value < (1 << 31):
        lo = sext(value, 12)
        hi = (value - lo) >> 12
        seq = [enc("lui", rd, sext(hi, 20))]
        if lo:
            seq.append(enc("addiw", rd, rd, lo))
        return seq
    lo = sext(value, 12)
    seq = li(rd, (value - lo) >> 12)
    seq.append(enc("slli", rd, rd, 12))
    if lo:
        seq.append(enc("addi", rd, rd, lo))
    return seq


# --------------------------------------------------------------------------- ELF writer
EM_RISCV, EM_X86_64 = 243, 62
PT_LOAD = 1


def make_elf(segments, entry=RAM_BASE, *, machine=EM_RISCV, elfclass=64, endian="<",
             etype=2, symbols=None):
    """Build an ELF executable by hand. segments: (paddr, data, memsz) tuples (memsz None =
    len(data)). symbols: optional {name: value}, emitted as .symtab/.strtab sections."""
    if elfclass == 64:
        ehsize, phentsize, shentsize = 64, 56, 64
    else:
        ehsize, phentsize, shentsize = 52, 32, 40
    segments = [(p, bytes(d), len(d) if m is None else m) for p, d, m in segments]
    phoff = ehsize
    off = phoff + phentsize * len(segments)
    blobs, phdrs = [], []
    for paddr, data, memsz in segments:
        off = (off + 15) & ~15
        if elfclass == 64:
            ph = struct.pack(endian + "IIQQQQQQ", PT_LOAD, 7, off, paddr, paddr, len(data),
                             memsz, 16)
        else:
            ph = struct.pack(endian + "IIIIIIII", PT_LOAD, off, paddr, paddr, len(data),
                             memsz, 7, 16)
        phdrs.append(ph)
        blobs.append((off, data))
        off += len(data)
    shoff, shnum, shstrndx, sections = 0, 0, 0, b""
    tail = bytearray()
    if symbols:
        assert elfclass == 64 and endian == "<"
        strtab = bytearray(b"\0")
        symtab = bytearray(b"\0" * 24)
        for name, value in symbols.items():
            symtab += struct.pack("<IBBHQQ", len(strtab), 0x10, 0, 0xfff1, value, 8)  # ABS
            strtab += name.encode() + b"\0"
        shstr = b"\0.symtab\0.strtab\0.shstrtab\0"
        off = (off + 7) & ~7
        symtab_off = off
        strtab_off = symtab_off + len(symtab)
        shstr_off = strtab_off + len(strtab)
        tail = symtab + strtab + shstr
        shoff = (shstr_off + len(shstr) + 7) & ~7
        pad = shoff - (shstr_off + len(shstr))
        tail += b"\0" * pad
        sh = [b"\0" * 64,
              struct.pack("<IIQQQQIIQQ", 1, 2, 0, 0, symtab_off, len(symtab), 2, 1, 8, 24),
              struct.pack("<IIQQQQIIQQ", 9, 3, 0, 0, strtab_off, len(strtab), 0, 0, 1, 0),
              struct.pack("<IIQQQQIIQQ", 17, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)]
        sections = b"".join(sh)
        shnum, shstrndx = 4, 3
        tail_off = symtab_off
    ident = b"\x7fELF" + bytes([2 if elfclass == 64 else 1, 1 if endian == "<" else 2, 1, 0]) + b"\0" * 8
    if elfclass == 64:
        hdr = ident + struct.pack(endian + "HHIQQQIHHHHHH", etype, machine, 1, entry, phoff,
                                  shoff, 0, ehsize, phentsize, len(segments), shentsize,
                                  shnum, shstrndx)
    else:
        hdr = ident + struct.pack(endian + "HHIIIIIHHHHHH", etype, machine, 1, entry, phoff,
                                  shoff, 0, ehsize, phentsize, len(segments), shentsize,
                                  shnum, shstrndx)
    img = bytearray(hdr + b"".join(phdrs))
    for o, data in blobs:
        img += b"\0" * (o - len(img))
        img += data
    if symbols:
        img += b"\0" * (tail_off - len(img))
        img += tail
        img += sections
    return bytes(img)


def code_elf(code, entry=RAM_BASE, **kw):
    """An ELF whose single segment at entry holds the assembled code (bytes or items)."""
    if not isinstance(code, (bytes, bytearray)):
        code = asm(*code)
    return make_elf([(entry, code, None)], entry, **kw)


# --------------------------------------------------------------------------- machines
def new_machine(isa="rv64gc", ram="64K", **kw):
    from rvemu import Machine
    return Machine(isa=isa, ram=ram, **kw)


def reset(m, pc=CODE, fs=True, priv=3):
    """Architectural reset of m's hart; optionally switch the FPU on (mstatus.FS=Initial)."""
    m.hart.reset(pc, 0, 0, priv)
    if fs:
        m.reg_write("mstatus", m.reg_read("mstatus") | FS_INITIAL)


def run_code(m, code, regs=None, *, steps=None, pc=CODE, fregs=None):
    """Write code at pc, set registers, run `steps` steps (default: one per item)."""
    if not isinstance(code, (bytes, bytearray)):
        n = len(code)
        code = asm(*code)
    else:
        n = None
        if steps is None:
            raise ValueError("give steps= when the code is raw bytes")
    m.mem_write(pc, code)
    for k, v in (regs or {}).items():
        m.reg_write(k, v)
    for k, v in (fregs or {}).items():
        m.reg_write(k, v)
    m.reg_write("pc", pc)
    return m.run(max_insns=steps if steps is not None else n)


def slow_enabled(config):
    """Slow tests run with `-m slow` (any mark expression naming slow) or RVEMU_SLOW_TESTS=1."""
    expr = config.getoption("markexpr", default="") or ""
    return os.environ.get("RVEMU_SLOW_TESTS") == "1" or "slow" in expr


def find_reference(*parts):
    """reference/<parts> beside the checkout (or in the shared folder), or None."""
    env = os.environ.get("RVEMU_REFERENCE")
    cands = [pathlib.Path(env)] if env else []
    cands += [ROOT / "reference", ROOT.parent / "reference", ROOT.parent / "shared" / "reference"]
    for c in cands:
        p = c.joinpath(*parts)
        if p.exists():
            return p
    return None
