"""Table-driven per-instruction tests of the hart.

Each row assembles a few instructions with tests/helpers.py (no cross toolchain), puts them
at 0x8000_0000, sets registers with Machine.reg_write, runs exactly as many steps as there
are instructions (``run(max_insns=N)``, no ebreak needed) and compares registers, memory,
pc and traps with values taken from the specification: literal values worked out by hand,
or computed by the small Python models below, which transcribe the spec's definitions.
Nothing here is derived from running rvemu.
"""
import itertools
import re
import struct
from dataclasses import dataclass, field

import pytest

from helpers import (CODE, DATA, FS_INITIAL, MASK32, MASK64, R_OPS, I_OPS, SHIFT_OPS,
                     LOAD_OPS, STORE_OPS, BRANCH_OPS, AMO_OPS, CSR_OPS, asm, cenc, enc,
                     find_reference, li, new_machine, reset, sext, sext32, u64)

ISA = "rv64gc_zfh"
TRAP_VEC = CODE + 0x2000          # mtvec for rows that expect a trap
S_TRAP_VEC = CODE + 0x2800        # stvec
CANON_S = 0xffffffff_7fc00000     # canonical single NaN, NaN-boxed
CANON_D = 0x7ff8000000000000
ONE_S, TWO_S, THREE_S = 0x3f800000, 0x40000000, 0x40400000
ONE_D, TWO_D, THREE_D = 0x3ff0000000000000, 0x4000000000000000, 0x4008000000000000
NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16


def box(v):
    return 0xffffffff_00000000 | v


def _u64b(v):
    return struct.pack("<Q", v)


@pytest.fixture(scope="module")
def m():
    return new_machine(ISA, ram="64K")


# =========================================================================== the encoder
KNOWN_WORDS = [  # (assembly as objdump prints it, encoding) from the spec's format tables
    (("addi", "a0", "a0", 1), 0x00150513), (("jalr", "x0", "ra", 0), 0x00008067),
    (("lui", "a0", 0x12345), 0x12345537), (("sd", "ra", "sp", 8), 0x00113423),
    (("jal", "ra", 8), 0x008000ef), (("beq", "a0", "x0", 8), 0x00050463),
    (("bne", "a5", "x0", -8), 0xfe079ce3), (("slli", "a0", "a0", 32), 0x02051513),
    (("srai", "a0", "a0", 63), 0x43f55513), (("addiw", "a0", "a0", 0), 0x0005051b),
    (("mul", "a0", "a0", "a1"), 0x02b50533), (("fadd.d", "fa0", "fa0", "fa1"), 0x02b57553),
    (("fmv.x.d", "a0", "fa0"), 0xe2050553), (("flw", "fa0", "a0", 0), 0x00052507),
    (("fmadd.d", "fa0", "fa0", "fa1", "fa2"), 0x62b57543),
    (("csrrs", "a0", 0xf14, "x0"), 0xf1402573), (("csrrw", "x0", 0x305, "t0"), 0x30529073),
    (("sfence.vma",), 0x12000073), (("lr.w", "t0", "a0"), 0x100522af),
    (("amoadd.w", "a0", "a1", "a2"), 0x00b6252f), (("mret",), 0x30200073),
]
KNOWN_PARCELS = [
    (("c.addi", "sp", -16), 0x1141), (("c.sdsp", "ra", 8), 0xe406), (("c.ldsp", "ra", 8), 0x60a2),
    (("c.li", "a0", 0), 0x4501), (("c.mv", "a0", "s0"), 0x8522), (("c.jr", "ra"), 0x8082),
    (("c.beqz", "a0", 8), 0xc501), (("c.addi4spn", "a0", 16), 0x0808),
    (("c.lui", "a0", 1), 0x6505), (("c.ld", "a0", "a0", 0), 0x6108),
]


def test_encoder_known_words():
    bad = [(a, hex(enc(*a)), hex(w)) for a, w in KNOWN_WORDS if enc(*a) != w]
    bad += [(a, hex(cenc(*a)), hex(w)) for a, w in KNOWN_PARCELS if cenc(*a) != w]
    assert not bad


def _sample(mn):
    """Typical operands for mnemonic mn, for the riscv-opcodes cross-check."""
    base = mn.split(".")[0]
    if mn in R_OPS:
        return enc(mn, 5, 6, 7)
    if mn in I_OPS or mn in LOAD_OPS or mn == "jalr":
        return enc(mn, 5, 6, -3)
    if mn in SHIFT_OPS:
        return enc(mn, 5, 6, 17)
    if mn in STORE_OPS or mn in BRANCH_OPS:
        return enc(mn, 5, 6, -4)
    if mn in ("lui", "auipc", "jal"):
        return enc(mn, 5, -8)
    if mn in CSR_OPS:
        return enc(mn, 5, 0x340, 6)
    if base in AMO_OPS:
        return enc(mn, 5, 6) if base == "lr" else enc(mn, 5, 6, 7)
    if mn in ("flw", "fld", "flh", "fsw", "fsd", "fsh"):
        return enc(mn, 5, 6, 16)
    if base in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
        return enc(mn, 5, 6, 7, 8, rm=0)
    if base in ("fsqrt", "fclass", "fmv", "fcvt"):
        return enc(mn, 5, 6, rm=0)
    if base in ("fadd", "fsub", "fmul", "fdiv"):
        return enc(mn, 5, 6, 7, rm=0)
    if base in ("fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax", "feq", "flt", "fle"):
        return enc(mn, 5, 6, 7)
    if mn in ("fence", "fence.i", "ecall", "ebreak", "mret", "sret", "wfi", "sfence.vma"):
        return enc(mn)
    return None


def _reference_table(files):
    table = {}
    for path in files:
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("$"):
                continue
            toks = line.split()
            match = mask = 0
            for t in toks[1:]:
                mm = re.fullmatch(r"(\d+)(?:\.\.(\d+))?=(\S+)", t)
                if not mm:
                    continue
                hi = int(mm.group(1))
                lo = int(mm.group(2)) if mm.group(2) else hi
                val = int(mm.group(3), 0)
                width = hi - lo + 1
                mask |= ((1 << width) - 1) << lo
                match |= (val & ((1 << width) - 1)) << lo
            table[toks[0]] = (match, mask)
    return table


def test_encoder_against_riscv_opcodes():
    """When reference/riscv-opcodes is present, every mnemonic the test encoder knows must
    hit its match/mask, and no other instruction's."""
    ref = find_reference("riscv-opcodes", "extensions")
    if ref is None:
        pytest.skip("reference/riscv-opcodes is not present beside the checkout")
    names = ["rv_i", "rv64_i", "rv_m", "rv64_m", "rv_a", "rv64_a", "rv_f", "rv64_f", "rv_d",
             "rv64_d", "rv_zfh", "rv64_zfh", "rv_zfhmin", "rv_d_zfhmin", "rv_zicsr",
             "rv_system", "rv_s", "rv_zifencei"]
    table = _reference_table([ref / n for n in names if (ref / n).exists()])
    checked, bad = 0, []
    for mn, (match, mask) in sorted(table.items()):
        w = _sample(mn)
        if w is None:
            continue
        checked += 1
        if w & mask != match:
            bad.append(f"{mn}: {w:#010x} & {mask:#x} != {match:#x}")
        others = [o for o, (mt, mk) in table.items() if o != mn and w & mk == mt]
        if others:
            bad.append(f"{mn}: {w:#010x} also matches {others}")
    assert checked > 120 and not bad, bad


# =========================================================================== spec models
def s64(v):
    return sext(v, 64)


def _tdiv(a, b):
    """Integer division rounding towards zero (unpriv M: DIV rounds towards zero)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _div(a, b, bits, signed):
    if signed:
        a, b = sext(a, bits), sext(b, bits)
        if b == 0:
            return -1
        if a == -(1 << (bits - 1)) and b == -1:
            return a                 # overflow: quotient = dividend
        return _tdiv(a, b)
    a, b = a & ((1 << bits) - 1), b & ((1 << bits) - 1)
    return (1 << bits) - 1 if b == 0 else a // b


def _rem(a, b, bits, signed):
    if signed:
        a, b = sext(a, bits), sext(b, bits)
        if b == 0:
            return a
        if a == -(1 << (bits - 1)) and b == -1:
            return 0
        return a - b * _tdiv(a, b)
    a, b = a & ((1 << bits) - 1), b & ((1 << bits) - 1)
    return a if b == 0 else a % b


R_MODEL = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "sll": lambda a, b: a << (b & 63),
    "slt": lambda a, b: int(s64(a) < s64(b)),
    "sltu": lambda a, b: int(a < b),
    "xor": lambda a, b: a ^ b,
    "srl": lambda a, b: a >> (b & 63),
    "sra": lambda a, b: s64(a) >> (b & 63),
    "or": lambda a, b: a | b,
    "and": lambda a, b: a & b,
    "addw": lambda a, b: sext32(a + b),
    "subw": lambda a, b: sext32(a - b),
    "sllw": lambda a, b: sext32(a << (b & 31)),
    "srlw": lambda a, b: sext32((a & MASK32) >> (b & 31)),
    "sraw": lambda a, b: sext32(sext(a, 32) >> (b & 31)),
    "mul": lambda a, b: a * b,
    "mulh": lambda a, b: (s64(a) * s64(b)) >> 64,
    "mulhsu": lambda a, b: (s64(a) * b) >> 64,
    "mulhu": lambda a, b: (a * b) >> 64,
    "div": lambda a, b: _div(a, b, 64, True),
    "divu": lambda a, b: _div(a, b, 64, False),
    "rem": lambda a, b: _rem(a, b, 64, True),
    "remu": lambda a, b: _rem(a, b, 64, False),
    "mulw": lambda a, b: sext32(a * b),
    "divw": lambda a, b: sext32(_div(a, b, 32, True)),
    "divuw": lambda a, b: sext32(_div(a, b, 32, False)),
    "remw": lambda a, b: sext32(_rem(a, b, 32, True)),
    "remuw": lambda a, b: sext32(_rem(a, b, 32, False)),
}
I_MODEL = {
    "addi": lambda a, i: a + i,
    "slti": lambda a, i: int(s64(a) < i),
    "sltiu": lambda a, i: int(a < u64(i)),      # the immediate is sign-extended, then unsigned
    "xori": lambda a, i: a ^ u64(i),
    "ori": lambda a, i: a | u64(i),
    "andi": lambda a, i: a & u64(i),
    "addiw": lambda a, i: sext32(a + i),
}
SHIFT_MODEL = {
    "slli": lambda a, s: a << s,
    "srli": lambda a, s: a >> s,
    "srai": lambda a, s: s64(a) >> s,
    "slliw": lambda a, s: sext32(a << s),
    "srliw": lambda a, s: sext32((a & MASK32) >> s),
    "sraiw": lambda a, s: sext32(sext(a, 32) >> s),
}
VALUES = sorted({0, 1, 2, 3, 5, 7, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x1_00000000, 0x1_00000001,
                 0x7fffffff_ffffffff, 0x80000000_00000000, 0x80000000_00000001,
                 0xffffffff_ffffffff, 0xffffffff_fffffffe, 0xffffffff_80000000,
                 0x12345678_9abcdef0, 0xfedcba98_76543210, 0x55555555_55555555,
                 u64(-7), u64(-2), u64(-(1 << 31) - 1)})
IMMS = [-2048, -1024, -7, -1, 0, 1, 2, 7, 0x555, 2047]


def _sweep(m, word, pairs, model, setter):
    reset(m)
    m.mem_write(CODE, asm(word))
    bad = []
    traps = m.hart.traps
    for args in pairs:
        setter(*args)
        m.reg_write("pc", CODE)
        m.run(max_insns=1)
        got = m.reg_read("a2")
        want = u64(model(*args))
        if got != want:
            bad.append(f"{args}: got {got:#x}, want {want:#x}")
    assert m.hart.traps == traps
    return bad


@pytest.mark.parametrize("mn", sorted(R_MODEL))
def test_r_type_against_spec_model(m, mn):
    def setter(a, b):
        m.reg_write("a0", a)
        m.reg_write("a1", b)
    bad = _sweep(m, enc(mn, "a2", "a0", "a1"), itertools.product(VALUES, VALUES),
                 R_MODEL[mn], setter)
    assert not bad, f"{mn}: {len(bad)} mismatches: {bad[:5]}"


@pytest.mark.parametrize("mn", sorted(R_MODEL))
def test_r_type_same_source_register(m, mn):
    """rs1 == rs2 == rd: operands are read before the result is written."""
    reset(m)
    m.mem_write(CODE, asm(enc(mn, "a2", "a2", "a2")))
    bad = []
    for a in VALUES:
        m.reg_write("a2", a)
        m.reg_write("pc", CODE)
        m.run(max_insns=1)
        if m.reg_read("a2") != u64(R_MODEL[mn](a, a)):
            bad.append(hex(a))
    assert not bad


@pytest.mark.parametrize("mn", sorted(I_MODEL))
def test_i_type_against_spec_model(m, mn):
    bad = []
    for imm in IMMS:
        bad += _sweep(m, enc(mn, "a2", "a0", imm), [(a, imm) for a in VALUES], I_MODEL[mn],
                      lambda a, i: m.reg_write("a0", a))
    assert not bad, f"{mn}: {bad[:5]}"


@pytest.mark.parametrize("mn", sorted(SHIFT_MODEL))
def test_shift_immediate_against_spec_model(m, mn):
    bad = []
    for sh in range(64 if mn in ("slli", "srli", "srai") else 32):
        bad += _sweep(m, enc(mn, "a2", "a0", sh), [(a, sh) for a in VALUES], SHIFT_MODEL[mn],
                      lambda a, s: m.reg_write("a0", a))
    assert not bad, f"{mn}: {bad[:5]}"


# =========================================================================== row tables
@dataclass
class Row:
    id: str
    code: list                      # items for helpers.asm
    regs: dict = field(default_factory=dict)     # inputs: x/f registers and CSR names
    out: dict = field(default_factory=dict)      # expected registers / CSRs / "pc"
    mem: dict = field(default_factory=dict)      # addr -> bytes written before running
    mem_out: dict = field(default_factory=dict)  # addr -> bytes expected afterwards
    steps: int = None               # default: one step per item
    trap: int = None                # expected exception cause (the last step traps)
    tval: object = None             # expected xtval, or a tuple of allowed values
    to_s: bool = False              # the trap goes to S-mode (scause/sepc/stval)
    priv: int = 3                   # privilege the code runs in
    fs: bool = True                 # mstatus.FS = Initial before running
    check: object = None            # extra check(m)


def _size(item):
    if isinstance(item, tuple):
        return 2 if item[0].startswith("c.") else 4
    return 4 if item & 3 == 3 else 2


OPEN_PMP = {"pmpaddr0": (1 << 54) - 1, "pmpcfg0": 0x1f}   # NAPOT over everything, RWX


def run_row(m, row):
    reset(m, fs=row.fs)
    m.mem_write(DATA - 0x1000, bytes(0x3000))       # scratch pages around DATA
    m.reg_write("mtvec", TRAP_VEC)
    m.reg_write("stvec", S_TRAP_VEC)
    if row.priv != 3:
        for k, v in OPEN_PMP.items():
            m.reg_write(k, v)
    for addr, data in row.mem.items():
        m.mem_write(addr, data)
    code = asm(*row.code)
    m.mem_write(CODE, code)
    for k, v in row.regs.items():
        m.reg_write(k, v)
    m.reg_write("pc", CODE)
    if row.priv != 3:
        m.reg_write("priv", row.priv)
    traps = m.hart.traps
    steps = row.steps if row.steps is not None else len(row.code)
    r = m.run(max_insns=steps)
    # a WFI with nothing that could wake the hart ends the run as "idle" once it retires
    assert r.reason == ("idle" if row.id.startswith("wfi-m") else "budget")
    if row.trap is None:
        assert m.hart.traps == traps, (
            f"unexpected trap: mcause={m.reg_read('mcause')} mepc={m.reg_read('mepc'):#x} "
            f"mtval={m.reg_read('mtval'):#x}")
        want_pc = row.out.get("pc", CODE + len(code))
    else:
        assert m.hart.traps == traps + 1, "expected exactly one trap"
        x = "s" if row.to_s else "m"
        assert m.reg_read(x + "cause") == row.trap
        epc = CODE + sum(_size(i) for i in row.code[:-1])
        assert m.reg_read(x + "epc") == epc
        if row.tval is not None:
            allowed = row.tval if isinstance(row.tval, (tuple, list, set)) else (row.tval,)
            assert m.reg_read(x + "tval") in allowed
        assert m.reg_read("priv") == (1 if row.to_s else 3)
        want_pc = row.out.get("pc", S_TRAP_VEC if row.to_s else TRAP_VEC)
    assert m.reg_read("pc") == want_pc, f"pc {m.reg_read('pc'):#x} != {want_pc:#x}"
    assert m.regs[0] == 0 and m.reg_read("x0") == 0
    bad = {}
    for k, v in row.out.items():
        if k == "pc":
            continue
        got = m.reg_read(k)
        if got != u64(v):
            bad[k] = (hex(got), hex(u64(v)))
    assert not bad, bad
    for addr, data in row.mem_out.items():
        assert m.mem_read(addr, len(data)) == data, f"memory at {addr:#x}"
    if row.check:
        row.check(m)


def rows(*rs):
    return pytest.mark.parametrize("row", rs, ids=[r.id for r in rs])


A, B = "a0", "a1"
INT64_MIN, INT64_MAX = 1 << 63, (1 << 63) - 1


def alu(mn, a, b, want):
    return Row(f"{mn}-{a:#x}-{b:#x}", [enc(mn, "a2", A, B)], {A: a, B: b}, {"a2": want})


ALU_ROWS = [
    # shifts by 63/31, and amounts taken modulo XLEN / 32
    alu("sll", 1, 63, 0x80000000_00000000), alu("sll", 1, 64, 1), alu("sll", 3, 127, 1 << 63),
    alu("srl", 1 << 63, 63, 1), alu("sra", 1 << 63, 63, MASK64), alu("sra", 1 << 62, 63, 0),
    alu("srl", MASK64, 0xffffffc1, 0x7fffffff_ffffffff),
    alu("sllw", 1, 31, 0xffffffff_80000000), alu("sllw", 1, 32, 1), alu("sllw", 3, 63, 0xffffffff_80000000),
    alu("srlw", 0xffffffff_80000000, 31, 1), alu("srlw", 0xffffffff_80000000, 0, 0xffffffff_80000000),
    alu("srlw", 0x0000000f_00000000, 1, 0), alu("sraw", 0x80000000, 31, MASK64),
    alu("sraw", 0x7fffffff_7fffffff, 30, 1),
    # W ops sign-extend their 32-bit results and ignore the upper input bits
    alu("addw", 0x7fffffff, 1, 0xffffffff_80000000), alu("addw", 0x1_00000001, 0x1_00000001, 2),
    alu("subw", 0, 1, MASK64), alu("subw", 0x80000000, 1, 0x7fffffff),
    alu("add", MASK64, 1, 0), alu("sub", 0, 1, MASK64),
    alu("slt", MASK64, 1, 1), alu("sltu", MASK64, 1, 0), alu("slt", 1, MASK64, 0),
    alu("sltu", 0, MASK64, 1), alu("slt", INT64_MIN, INT64_MAX, 1),
    # M: products
    alu("mul", 0x1_00000000, 0x1_00000000, 0), alu("mulh", MASK64, MASK64, 0),
    alu("mulhu", MASK64, MASK64, 0xffffffff_fffffffe), alu("mulhsu", MASK64, MASK64, MASK64),
    alu("mulhsu", 2, MASK64, 1), alu("mulh", INT64_MIN, INT64_MIN, 1 << 62),
    alu("mulw", 0x10000, 0x10000, 0), alu("mulw", 0x7fffffff, 2, 0xffffffff_fffffffe),
    alu("mulw", 0xdead_00000003, 0xbeef_00000005, 15),
    # M: division rounds towards zero; by zero and overflow follow the spec's table
    alu("div", u64(-7), 2, u64(-3)), alu("rem", u64(-7), 2, u64(-1)), alu("rem", 7, u64(-2), 1),
    alu("divu", u64(-7), 2, 0x7fffffff_fffffffc), alu("remu", u64(-7), 2, 1),
    alu("div", 42, 0, MASK64), alu("divu", 42, 0, MASK64), alu("rem", 42, 0, 42),
    alu("remu", u64(-42), 0, u64(-42)), alu("div", INT64_MIN, MASK64, INT64_MIN),
    alu("rem", INT64_MIN, MASK64, 0), alu("divu", INT64_MIN, MASK64, 0),
    alu("divw", 0x1_00000006, 0xf_00000003, 2), alu("divw", 5, 0, MASK64),
    alu("divuw", 5, 0, MASK64), alu("divuw", 0xffffffff, 1, MASK64),
    alu("divuw", 0x80000000, 1, 0xffffffff_80000000),
    alu("remw", 0x80000005, 0, 0xffffffff_80000005), alu("remuw", 0x80000005, 0, 0xffffffff_80000005),
    alu("remw", 0x12345678_00000007, 0, 7),
    alu("divw", 0x80000000, 0xffffffff, 0xffffffff_80000000), alu("remw", 0x80000000, MASK64, 0),
    alu("divw", u64(-7), 2, u64(-3)), alu("remw", u64(-7), 2, u64(-1)),
    alu("remuw", 0xffffffff, 0x10, 0xf),
]


@rows(*ALU_ROWS)
def test_alu_rows(m, row):
    run_row(m, row)


def imm_row(mn, a, imm, want):
    return Row(f"{mn}-{a:#x}-{imm}", [enc(mn, "a2", A, imm)], {A: a}, {"a2": want})


IMM_ROWS = [
    imm_row("addi", 0, -2048, u64(-2048)), imm_row("addi", MASK64, 1, 0),
    imm_row("addiw", 0x7fffffff, 1, 0xffffffff_80000000), imm_row("addiw", 0xffffffff_00000000, 0, 0),
    imm_row("addiw", 0x80000000, 0, 0xffffffff_80000000),   # sext.w
    imm_row("sltiu", 5, -1, 1),            # -1 sign-extends to 2^64-1
    imm_row("sltiu", MASK64, -1, 0), imm_row("slti", MASK64, 0, 1), imm_row("slti", 0, -1, 0),
    imm_row("xori", 0x12345678, -1, u64(~0x12345678)), imm_row("andi", MASK64, -2048, u64(-2048)),
    imm_row("ori", 0, 0x7ff, 0x7ff), imm_row("andi", MASK64, 0x7ff, 0x7ff),
    imm_row("slli", 1, 63, 1 << 63), imm_row("srli", MASK64, 63, 1), imm_row("srai", 1 << 63, 63, MASK64),
    imm_row("srai", 1 << 63, 0, 1 << 63),
    imm_row("slliw", 1, 31, 0xffffffff_80000000), imm_row("slliw", 0xffffffff, 0, MASK64),
    imm_row("srliw", 0xffffffff, 0, MASK64), imm_row("srliw", 0xffffffff, 1, 0x7fffffff),
    imm_row("srliw", 0x80000000, 31, 1), imm_row("sraiw", 0x80000000, 31, MASK64),
    imm_row("sraiw", 0x7fffffff_7fffffff, 0, 0x7fffffff),
]


@rows(*IMM_ROWS)
def test_immediate_rows(m, row):
    run_row(m, row)


UPPER_ROWS = [
    Row("lui-negative", [enc("lui", A, 0x80000)], out={A: 0xffffffff_80000000}),
    Row("lui-all-ones", [enc("lui", A, 0xfffff)], out={A: 0xffffffff_fffff000}),
    Row("lui-positive", [enc("lui", A, 0x7ffff)], out={A: 0x7ffff000}),
    Row("auipc-0", [enc("auipc", A, 0)], out={A: CODE}),
    Row("auipc-1", [enc("auipc", A, 1)], out={A: CODE + 0x1000}),
    Row("auipc-negative", [enc("auipc", A, 0x80000)], out={A: 0}),  # CODE - 2^31
    Row("auipc-second-insn", [enc("addi", 0, 0, 0), enc("auipc", A, 0xfffff)],
        out={A: CODE + 4 - 0x1000}),
    Row("auipc-after-parcel", [cenc("c.nop"), enc("auipc", A, 0)], out={A: CODE + 2}),
]


@rows(*UPPER_ROWS)
def test_upper_immediate_rows(m, row):
    run_row(m, row)


JUMP_ROWS = [
    Row("jal-forward", [enc("jal", "ra", 8)], out={"ra": CODE + 4, "pc": CODE + 8}),
    Row("jal-x0-no-link", [enc("jal", "x0", 16)], {"ra": 77}, {"ra": 77, "pc": CODE + 16}),
    Row("jal-backward", [enc("addi", 0, 0, 0), enc("jal", "ra", -4)], out={"ra": CODE + 8, "pc": CODE}),
    Row("jal-far", [enc("jal", "t0", 0x1000)], out={"t0": CODE + 4, "pc": CODE + 0x1000}),
    Row("jalr-clears-bit0", [enc("jalr", "ra", A, 0)], {A: CODE + 0x101},
        {"ra": CODE + 4, "pc": CODE + 0x100}),
    Row("jalr-imm-odd-sum", [enc("jalr", "ra", A, 1)], {A: CODE + 0x40}, {"ra": CODE + 4, "pc": CODE + 0x40}),
    Row("jalr-negative-imm", [enc("jalr", "ra", A, -16)], {A: CODE + 0x50}, {"pc": CODE + 0x40}),
    Row("jalr-rd-equals-rs1", [enc("jalr", A, A, 4)], {A: CODE + 0x20}, {A: CODE + 4, "pc": CODE + 0x24}),
    Row("jalr-x0-no-link", [enc("jalr", 0, A, 0)], {A: CODE + 0x30}, {"pc": CODE + 0x30}),
    Row("jal-after-parcel-links-pc+4", [cenc("c.nop"), enc("jal", "ra", 6)],
        out={"ra": CODE + 6, "pc": CODE + 8}),
]


@rows(*JUMP_ROWS)
def test_jump_rows(m, row):
    run_row(m, row)


def br(mn, a, b, taken):
    return Row(f"{mn}-{a:#x}-{b:#x}-{'taken' if taken else 'not'}", [enc(mn, A, B, 0x40)],
               {A: a, B: b}, {"pc": CODE + (0x40 if taken else 4)})


BRANCH_ROWS = [
    br("beq", 5, 5, True), br("beq", 5, 6, False), br("bne", 5, 6, True), br("bne", 0, 0, False),
    br("blt", MASK64, 1, True), br("blt", 1, MASK64, False), br("blt", 3, 3, False),
    br("bltu", MASK64, 1, False), br("bltu", 1, MASK64, True),
    br("bge", 3, 3, True), br("bge", MASK64, 0, False), br("bge", INT64_MAX, INT64_MIN, True),
    br("bgeu", MASK64, 0, True), br("bgeu", 0, 1, False), br("bgeu", 7, 7, True),
    Row("beq-backward", [enc("addi", 0, 0, 0), enc("addi", 0, 0, 0), enc("beq", 0, 0, -8)],
        out={"pc": CODE}),
    Row("bne-max-forward", [enc("bne", A, 0, 4094)], {A: 1}, {"pc": CODE + 4094}),
]


@rows(*BRANCH_ROWS)
def test_branch_rows(m, row):
    run_row(m, row)


def _x0_check(m):
    assert m.regs[0] == 0


X0_ROWS = [
    Row("add-x0", [enc("add", 0, A, B), enc("add", "a2", 0, 0)], {A: 3, B: 4, "a2": 9}, {"a2": 0},
        check=_x0_check),
    Row("addi-x0", [enc("addi", 0, 0, 5), enc("addi", "a2", 0, 0)], {"a2": 9}, {"a2": 0}),
    Row("lui-x0", [enc("lui", 0, 0x12345), enc("or", "a2", 0, 0)], {"a2": 9}, {"a2": 0}),
    Row("auipc-x0", [enc("auipc", 0, 1), enc("or", "a2", 0, 0)], {"a2": 9}, {"a2": 0}),
    Row("mul-x0", [enc("mul", 0, A, A), enc("or", "a2", 0, 0)], {A: 3, "a2": 9}, {"a2": 0}),
    Row("ld-x0", [enc("ld", 0, A, 0), enc("or", "a2", 0, 0)], {A: DATA, "a2": 9}, {"a2": 0},
        mem={DATA: b"\xff" * 8}),
    Row("jal-x0", [enc("jal", 0, 8), enc("addi", 0, 0, 0), enc("or", "a2", 0, 0)], {"a2": 9},
        {"a2": 0}, steps=2),
    Row("csrrw-x0", [enc("csrrw", 0, 0x340, A), enc("or", "a2", 0, 0)], {A: 5, "a2": 9},
        {"a2": 0, "mscratch": 5}),
    Row("amoadd-x0", [enc("amoadd.d", 0, B, A), enc("or", "a2", 0, 0)], {A: DATA, B: 2, "a2": 9},
        {"a2": 0}, mem={DATA: struct.pack("<Q", 40)}, mem_out={DATA: struct.pack("<Q", 42)}),
    Row("lr-x0", [enc("lr.d", 0, A), enc("or", "a2", 0, 0)], {A: DATA, "a2": 9}, {"a2": 0},
        mem={DATA: b"\x11" * 8}),
    Row("fmv.x.d-x0", [enc("fmv.x.d", 0, "fa0"), enc("or", "a2", 0, 0)], {"fa0": 7, "a2": 9}, {"a2": 0}),
    Row("c.li-x0-is-hint", [cenc("c.li", 0, 5), enc("or", "a2", 0, 0)], {"a2": 9}, {"a2": 0}),
    Row("reg_write-x0-ignored", [enc("or", "a2", 0, 0)], {"x0": 123, "a2": 9}, {"a2": 0}),
]


@rows(*X0_ROWS)
def test_x0_destination_rows(m, row):
    run_row(m, row)


# ---- loads and stores of every width and sign
MEM8 = bytes([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
              0x01, 0x02, 0x03, 0x7f, 0x05, 0x06, 0x07, 0x08])


def ld(mn, off, want, base=DATA):
    return Row(f"{mn}-{off:+d}", [enc(mn, "a2", A, off)], {A: base}, {"a2": want}, mem={DATA: MEM8})


LOAD_ROWS = [
    ld("ld", 0, 0x88878685_84838281), ld("lw", 0, 0xffffffff_84838281), ld("lwu", 0, 0x84838281),
    ld("lh", 0, 0xffffffff_ffff8281), ld("lhu", 0, 0x8281), ld("lb", 0, 0xffffffff_ffffff81),
    ld("lbu", 0, 0x81), ld("lb", 11, 0x7f), ld("lh", 10, 0x7f03), ld("lw", 8, 0x7f030201),
    ld("lwu", 8, 0x7f030201), ld("ld", 8, 0x08070605_7f030201), ld("lbu", 7, 0x88),
    ld("lb", -15, 0xffffffff_ffffff82, base=DATA + 16), ld("lh", -2048, 0xffffffff_ffff8281, base=DATA + 2048),
    ld("ld", 2047, 0x08070605_7f030201, base=DATA + 8 - 2047),
    ld("lhu", 6, 0x8887), ld("lw", 4, 0xffffffff_88878685),
]


@rows(*LOAD_ROWS)
def test_load_rows(m, row):
    run_row(m, row)


VAL = 0x11223344_55667788


def st(mn, off, nbytes, base=DATA + 8):
    before = bytes([0xaa]) * 24
    after = bytearray(before)
    at = base + off - DATA
    after[at:at + nbytes] = VAL.to_bytes(8, "little")[:nbytes]
    return Row(f"{mn}-{off:+d}", [enc(mn, B, A, off)], {A: base, B: VAL}, {},
               mem={DATA: before}, mem_out={DATA: bytes(after)})


STORE_ROWS = [st("sb", 0, 1), st("sh", 0, 2), st("sw", 0, 4), st("sd", 0, 8), st("sb", -1, 1),
              st("sh", -8, 2), st("sw", 4, 4), st("sd", 8, 8), st("sb", 15, 1),
              st("sd", -2048, 8, base=DATA + 2048), st("sw", 2044, 4, base=DATA + 8 - 2044 + 4)]


@rows(*STORE_ROWS)
def test_store_rows(m, row):
    run_row(m, row)


def test_store_then_load_round_trip_all_widths(m):
    bad = []
    for (s, n), (l, signed) in itertools.product(
            [("sb", 1), ("sh", 2), ("sw", 4), ("sd", 8)],
            [("lb", 1), ("lbu", 0), ("lh", 1), ("lhu", 0), ("lw", 1), ("lwu", 0), ("ld", 1)]):
        lsize = {"lb": 1, "lbu": 1, "lh": 2, "lhu": 2, "lw": 4, "lwu": 4, "ld": 8}[l]
        for v in (0x8182838485868788, 0x7f7e7d7c7b7a7978):
            reset(m)
            m.mem_write(DATA, bytes(16))
            m.mem_write(CODE, asm(enc(s, B, A, 0), enc(l, "a2", A, 0)))
            m.reg_write(A, DATA)
            m.reg_write(B, v)
            m.reg_write("pc", CODE)
            m.run(max_insns=2)
            stored = v & ((1 << (8 * n)) - 1)
            raw = stored & ((1 << (8 * lsize)) - 1)
            want = u64(sext(raw, 8 * lsize)) if signed else raw
            if m.reg_read("a2") != want:
                bad.append((s, l, hex(v), hex(m.reg_read("a2")), hex(want)))
    assert not bad


MEM_TRAP_ROWS = [
    Row("lw-misaligned", [enc("lw", "a2", A, 2)], {A: DATA}, trap=4, tval=DATA + 2),
    Row("ld-misaligned", [enc("ld", "a2", A, 0)], {A: DATA + 4}, trap=4, tval=DATA + 4),
    Row("lh-misaligned", [enc("lh", "a2", A, 1)], {A: DATA}, trap=4, tval=DATA + 1),
    Row("sd-misaligned", [enc("sd", B, A, 1)], {A: DATA}, trap=6, tval=DATA + 1),
    Row("sw-misaligned", [enc("sw", B, A, 0)], {A: DATA + 6}, trap=6, tval=DATA + 6),
    Row("load-unmapped", [enc("ld", "a2", A, 0)], {A: 0x1000, "a2": 5}, {"a2": 5}, trap=5, tval=0x1000),
    Row("store-unmapped", [enc("sd", B, A, 8)], {A: 0x40000000}, trap=7, tval=0x40000008),
    Row("load-past-ram-end", [enc("lw", "a2", A, 0)], {A: CODE + 0x10000}, trap=5, tval=CODE + 0x10000),
    Row("load-last-doubleword-of-ram", [enc("ld", "a2", A, -8)], {A: CODE + 0x10000},
        {"a2": 0x1234}, mem={CODE + 0x10000 - 8: _u64b(0x1234)}),
    Row("load-negative-wraps", [enc("ld", "a2", A, -8)], {A: 0}, trap=5, tval=MASK64 - 7),
]


@rows(*MEM_TRAP_ROWS)
def test_memory_trap_rows(m, row):
    run_row(m, row)


# ---- atomics
def amo(mn, old, src, want_mem, want_rd=None):
    w = ".w" in mn
    size = 4 if w else 8
    pad = b"\x5a" * 4
    old_b = old.to_bytes(size, "little")
    new_b = (want_mem & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
    if want_rd is None:
        want_rd = u64(sext(old, 32)) if w else old
    return Row(f"{mn}-{old:#x}-{src:#x}", [enc(mn, "a2", B, A)], {A: DATA, B: src},
               {"a2": want_rd}, mem={DATA: old_b + pad}, mem_out={DATA: new_b + pad})


AMO_ROWS = [
    amo("amoswap.w", 0x80000000, 0x1234, 0x1234), amo("amoswap.d", 0x80000000, MASK64, MASK64),
    amo("amoadd.w", 0x7fffffff, 1, 0x80000000), amo("amoadd.w", 0xffffffff, 0x1_00000001, 0),
    amo("amoadd.d", MASK64, 2, 1), amo("amoxor.w", 0xf0f0f0f0, 0xffffffff, 0x0f0f0f0f),
    amo("amoxor.d", 0x0f0f, 0xff, 0x0ff0), amo("amoand.w", 0x80000001, 0x3, 1),
    amo("amoand.d", MASK64, 0x8000, 0x8000), amo("amoor.w", 0x80000000, 1, 0x80000001),
    amo("amoor.d", 0x1_00000000, 1, 0x1_00000001),
    amo("amomin.w", 0x80000000, 1, 0x80000000), amo("amomin.w", 5, 0xffffffff, 0xffffffff),
    amo("amominu.w", 0x80000000, 1, 1), amo("amominu.w", 5, 0x1_00000000, 0),
    amo("amomax.w", 0x80000000, 1, 1), amo("amomax.w", 0x7fffffff, 0xffffffff_80000000, 0x7fffffff),
    amo("amomaxu.w", 0xffffffff, 0x1_00000000, 0xffffffff), amo("amomaxu.w", 1, 0x80000000, 0x80000000),
    amo("amomin.d", 1 << 63, 1, 1 << 63), amo("amominu.d", 1 << 63, 1, 1),
    amo("amomax.d", 1 << 63, 1, 1), amo("amomaxu.d", 1 << 63, 1, 1 << 63),
    amo("amoswap.w.aqrl", 0xdeadbeef, 7, 7),
    amo("amoadd.d.aq", 40, 2, 42), amo("amoor.w.rl", 1, 2, 3),
]


@rows(*AMO_ROWS)
def test_amo_rows(m, row):
    run_row(m, row)


LRSC_ROWS = [
    Row("lr.d-sc.d-succeeds", [enc("lr.d", "a2", A), enc("sc.d", "a3", B, A)], {A: DATA, B: 99},
        {"a2": 0x1122, "a3": 0}, mem={DATA: _u64b(0x1122)}, mem_out={DATA: _u64b(99)}),
    Row("lr.w-sign-extends", [enc("lr.w", "a2", A)], {A: DATA}, {"a2": 0xffffffff_80000001},
        mem={DATA: b"\x01\x00\x00\x80"}),
    Row("lr.w-sc.w-succeeds", [enc("lr.w", "a2", A), enc("sc.w", "a3", B, A)], {A: DATA, B: 0x1_87654321},
        {"a3": 0}, mem={DATA: _u64b(0xaaaaaaaa_00000005)},
        mem_out={DATA: _u64b(0xaaaaaaaa_87654321)}),
    Row("sc-without-lr-fails", [enc("sc.d", "a3", B, A)], {A: DATA, B: 99},
        mem={DATA: _u64b(5)}, mem_out={DATA: _u64b(5)},
        check=lambda m: m.reg_read("a3") != 0),
    Row("sc-other-address-fails", [enc("lr.d", "a2", A), enc("addi", A, A, 8), enc("sc.d", "a3", B, A)],
        {A: DATA, B: 99}, mem={DATA: _u64b(1) + _u64b(2)}, mem_out={DATA: _u64b(1) + _u64b(2)},
        check=lambda m: m.reg_read("a3") != 0),
    Row("second-sc-fails", [enc("lr.d", "a2", A), enc("sc.d", "a3", B, A), enc("sc.d", "a4", "a5", A)],
        {A: DATA, B: 7, "a5": 8}, {"a3": 0}, mem={DATA: _u64b(1)}, mem_out={DATA: _u64b(7)},
        check=lambda m: m.reg_read("a4") != 0),
    Row("lr-misaligned", [enc("lr.d", "a2", A)], {A: DATA + 4}, trap=4, tval=DATA + 4),
    Row("sc-misaligned", [enc("sc.w", "a2", B, A)], {A: DATA + 2}, trap=6, tval=DATA + 2),
    Row("amo-misaligned", [enc("amoadd.d", "a2", B, A)], {A: DATA + 4}, trap=6, tval=DATA + 4),
    Row("amo-unmapped", [enc("amoadd.w", "a2", B, A)], {A: 0x1000}, trap=7, tval=0x1000),
    Row("lr-unmapped", [enc("lr.w", "a2", A)], {A: 0x1000}, trap=5, tval=0x1000),
]


@rows(*LRSC_ROWS)
def test_lr_sc_rows(m, row):
    run_row(m, row)


# ---- CSRs, system instructions, privilege
MSCRATCH, MHARTID, CYCLE, INSTRET, MSTATUS = 0x340, 0xF14, 0xC00, 0xC02, 0x300

CSR_ROWS = [
    Row("csrrw", [enc("csrrw", "a2", MSCRATCH, A)], {A: 0x55, "mscratch": 0x11}, {"a2": 0x11, "mscratch": 0x55}),
    Row("csrrs", [enc("csrrs", "a2", MSCRATCH, A)], {A: 0xf0, "mscratch": 0x0f}, {"a2": 0x0f, "mscratch": 0xff}),
    Row("csrrc", [enc("csrrc", "a2", MSCRATCH, A)], {A: 0x0f, "mscratch": 0xff}, {"a2": 0xff, "mscratch": 0xf0}),
    Row("csrrwi", [enc("csrrwi", "a2", MSCRATCH, 31)], {"mscratch": MASK64}, {"a2": MASK64, "mscratch": 31}),
    Row("csrrsi", [enc("csrrsi", "a2", MSCRATCH, 16)], {"mscratch": 1}, {"a2": 1, "mscratch": 17}),
    Row("csrrci", [enc("csrrci", "a2", MSCRATCH, 1)], {"mscratch": 3}, {"a2": 3, "mscratch": 2}),
    Row("csrrw-rd-eq-rs1", [enc("csrrw", A, MSCRATCH, A)], {A: 9, "mscratch": 4}, {A: 4, "mscratch": 9}),
    Row("csrr-mhartid", [enc("csrrs", "a2", MHARTID, 0)], {"a2": 7}, {"a2": 0}),
    Row("csrrsi-0-readonly-ok", [enc("csrrsi", "a2", MHARTID, 0)], {"a2": 7}, {"a2": 0}),
    Row("csrrw-readonly-illegal", [enc("csrrw", "a2", MHARTID, A)], {A: 1}, trap=2),
    Row("csrrs-readonly-nonzero-illegal", [enc("csrrs", "a2", CYCLE, A)], {A: 1}, trap=2),
    Row("csrrc-readonly-x0-ok", [enc("csrrc", "a2", MHARTID, 0)], {}, {"a2": 0}),
    Row("csr-unknown-illegal", [enc("csrrs", "a2", 0x7ff, 0)], {}, trap=2),
    Row("csr-m-from-s-illegal", [enc("csrrs", "a2", MSCRATCH, 0)], {}, trap=2, priv=1),
    Row("csr-s-from-u-illegal", [enc("csrrs", "a2", 0x140, 0)], {}, trap=2, priv=0),
    Row("csr-s-from-s", [enc("csrrw", "a2", 0x140, A)], {A: 3, "sscratch": 8}, {"a2": 8, "sscratch": 3}, priv=1),
    Row("instret-counts", [enc("csrrs", "a2", INSTRET, 0), enc("addi", 0, 0, 0), enc("addi", 0, 0, 0),
                           enc("csrrs", "a3", INSTRET, 0), enc("sub", "a4", "a3", "a2")], {}, {"a4": 3}),
    Row("minstret-write-then-read", [enc("csrrw", 0, 0xB02, A), enc("csrrs", "a2", 0xB02, 0),
                                     enc("csrrs", "a3", 0xC02, 0)], {A: 1000}, {"a2": 1000, "a3": 1001}),
    Row("mcycle-write-then-read", [enc("csrrw", 0, 0xB00, A), enc("addi", 0, 0, 0),
                                   enc("csrrs", "a2", 0xB00, 0)], {A: 5}, {"a2": 6}),
    Row("ecall-does-not-retire", [enc("csrrs", "a2", INSTRET, 0), enc("ecall")], {}, trap=11,
        check=lambda m: m.reg_read("minstret") == m.reg_read("a2") + 1),
    Row("fcsr-fields", [enc("csrrw", "a2", 0x003, A), enc("csrrs", "a3", 0x002, 0),
                        enc("csrrs", "a4", 0x001, 0)], {A: 0xff}, {"a3": 7, "a4": 0x1f, "fcsr": 0xff}),
    Row("fcsr-fs-off-illegal", [enc("csrrs", "a2", 0x003, 0)], {}, trap=2, fs=False),
]


@rows(*CSR_ROWS)
def test_csr_rows(m, row):
    run_row(m, row)


def _mstatus_check(**fields):
    """check(m) asserting mstatus fields: mie, mpie, mpp, sie, spie, spp."""
    pos = {"sie": (1, 1), "mie": (3, 1), "spie": (5, 1), "mpie": (7, 1), "spp": (8, 1),
           "mpp": (11, 3)}

    def check(m):
        st = m.reg_read("mstatus")
        got = {k: (st >> pos[k][0]) & pos[k][1] for k in fields}
        assert got == fields, f"mstatus {st:#x}: {got} != {fields}"
    return check


def st_(*bits):
    v = FS_INITIAL
    for b in bits:
        v |= b
    return v


MPIE, MIE, SPIE, SIE, SPP, TVM, TW, TSR = 1 << 7, 1 << 3, 1 << 5, 1 << 1, 1 << 8, 1 << 20, 1 << 21, 1 << 22
MPP_S, MPP_M = 1 << 11, 3 << 11

SYSTEM_ROWS = [
    Row("ecall-m", [enc("ecall")], trap=11, tval=0, check=_mstatus_check(mpp=3)),
    Row("ecall-s", [enc("ecall")], trap=9, tval=0, priv=1, check=_mstatus_check(mpp=1)),
    Row("ecall-u", [enc("ecall")], trap=8, tval=0, priv=0, check=_mstatus_check(mpp=0)),
    Row("ecall-m-saves-mie", [enc("ecall")], {"mstatus": st_(MIE)}, trap=11,
        check=_mstatus_check(mie=0, mpie=1, mpp=3)),
    Row("ebreak", [enc("ebreak")], trap=3, tval=(0, CODE)),
    Row("c.ebreak", [cenc("c.ebreak")], trap=3, tval=(0, CODE)),
    Row("illegal-all-zero-parcel", [0x0000], trap=2, tval=0),
    Row("illegal-all-ones", [0xffffffff], trap=2, tval=(0, 0xffffffff)),
    Row("illegal-c.addi4spn-zero", [0x0004], trap=2, tval=(0, 0x0004)),
    Row("illegal-funct7", [enc("add", "a2", A, B) | (0x10 << 25)], trap=2),
    Row("illegal-srai-shamt-bit", [enc("srai", "a2", A, 1) | (1 << 31)], trap=2),
    Row("illegal-after-parcel", [cenc("c.nop"), 0xffffffff], trap=2),
    Row("fence", [enc("fence"), enc("fence", 0x3, 0xc)], {}, {}),
    Row("fence.i", [enc("fence.i")], {}, {}),
    Row("wfi-m-no-interrupts", [enc("wfi")], {}, {}),
    Row("wfi-u-illegal", [enc("wfi")], trap=2, priv=0),
    Row("wfi-s-tw-illegal", [enc("wfi")], {"mstatus": st_(TW)}, trap=2, priv=1),
    Row("mret-to-u", [enc("mret")], {"mepc": CODE + 0x100, "mstatus": st_(MPIE)},
        {"pc": CODE + 0x100, "priv": 0}, check=_mstatus_check(mie=1, mpie=1, mpp=0)),
    Row("mret-to-s", [enc("mret")], {"mepc": CODE + 0x80, "mstatus": st_(MPP_S, MIE)},
        {"pc": CODE + 0x80, "priv": 1}, check=_mstatus_check(mie=0, mpie=1, mpp=0)),
    Row("mret-to-m", [enc("mret")], {"mepc": CODE + 0x80, "mstatus": st_(MPP_M, MPIE)},
        {"pc": CODE + 0x80, "priv": 3}, check=_mstatus_check(mie=1, mpie=1, mpp=0)),
    Row("mret-from-s-illegal", [enc("mret")], trap=2, priv=1),
    Row("mret-from-u-illegal", [enc("mret")], trap=2, priv=0),
    Row("sret-to-u", [enc("sret")], {"sepc": CODE + 0x40, "mstatus": st_(SPIE)},
        {"pc": CODE + 0x40, "priv": 0}, priv=1, check=_mstatus_check(sie=1, spie=1, spp=0)),
    Row("sret-from-m-to-s", [enc("sret")], {"sepc": CODE + 0x40, "mstatus": st_(SPP)},
        {"pc": CODE + 0x40, "priv": 1}, check=_mstatus_check(sie=0, spie=1, spp=0)),
    Row("sret-tsr-illegal", [enc("sret")], {"mstatus": st_(TSR)}, trap=2, priv=1),
    Row("sret-tsr-m-ok", [enc("sret")], {"sepc": CODE + 0x40, "mstatus": st_(TSR)},
        {"pc": CODE + 0x40, "priv": 0}),
    Row("sret-from-u-illegal", [enc("sret")], trap=2, priv=0),
    Row("sfence.vma-m", [enc("sfence.vma")], {}, {}),
    Row("sfence.vma-s", [enc("sfence.vma", A, B)], {}, {}, priv=1),
    Row("sfence.vma-u-illegal", [enc("sfence.vma")], trap=2, priv=0),
    Row("sfence.vma-s-tvm-illegal", [enc("sfence.vma")], {"mstatus": st_(TVM)}, trap=2, priv=1),
    Row("satp-s-tvm-illegal", [enc("csrrs", "a2", 0x180, 0)], {"mstatus": st_(TVM)}, trap=2, priv=1),
    # delegation: medeleg sends S/U exceptions to S, never M-mode ones
    Row("ecall-u-delegated", [enc("ecall")], {"medeleg": 1 << 8, "mstatus": st_(SIE)}, trap=8, to_s=True,
        priv=0, check=_mstatus_check(spp=0, sie=0, spie=1)),
    Row("ecall-s-delegated", [enc("ecall")], {"medeleg": 1 << 9}, trap=9, to_s=True, priv=1,
        check=_mstatus_check(spp=1)),
    Row("illegal-in-u-delegated", [0xffffffff], {"medeleg": 1 << 2}, trap=2, to_s=True, priv=0,
        tval=(0, 0xffffffff)),
    Row("illegal-in-m-not-delegated", [0xffffffff], {"medeleg": 1 << 2}, trap=2),
    Row("ecall-u-not-delegated", [enc("ecall")], {"medeleg": 1 << 9}, trap=8, priv=0),
    Row("load-fault-s-delegated", [enc("ld", "a2", A, 0)], {A: 0x1000, "medeleg": 1 << 5}, trap=5,
        tval=0x1000, to_s=True, priv=1),
]


@rows(*SYSTEM_ROWS)
def test_system_rows(m, row):
    run_row(m, row)


def test_u_mode_fetch_without_any_pmp_entry_faults(m):
    reset(m)
    m.reg_write("mtvec", TRAP_VEC)
    m.mem_write(CODE, asm(enc("addi", A, A, 1)))
    m.reg_write("pc", CODE)
    m.reg_write("priv", 0)
    m.run(max_insns=1)
    assert m.reg_read("mcause") == 1 and m.reg_read("pc") == TRAP_VEC


# ---- compressed forms
SP = "sp"
RVC_ROWS = [
    Row("c.addi", [cenc("c.addi", A, -32)], {A: 2}, {A: u64(-30)}),
    Row("c.li", [cenc("c.li", A, -1)], {}, {A: MASK64}),
    Row("c.lui-negative", [cenc("c.lui", A, -2)], {}, {A: u64(-0x2000)}),
    Row("c.lui-positive", [cenc("c.lui", "t0", 31)], {}, {"t0": 0x1f000}),
    Row("c.addiw-sext", [cenc("c.addiw", A, 1)], {A: 0x7fffffff}, {A: 0xffffffff_80000000}),
    Row("c.addiw-0-is-sext.w", [cenc("c.addiw", A, 0)], {A: 0x5_80000000}, {A: 0xffffffff_80000000}),
    Row("c.addi16sp", [cenc("c.addi16sp", -512)], {SP: DATA + 0x1000}, {SP: DATA + 0x1000 - 512}),
    Row("c.addi4spn", [cenc("c.addi4spn", "s0", 1020)], {SP: DATA}, {"s0": DATA + 1020}),
    Row("c.slli-63", [cenc("c.slli", A, 63)], {A: 3}, {A: 1 << 63}),
    Row("c.srli-63", [cenc("c.srli", "s1", 63)], {"s1": MASK64}, {"s1": 1}),
    Row("c.srai-63", [cenc("c.srai", "s1", 63)], {"s1": 1 << 63}, {"s1": MASK64}),
    Row("c.srai-1", [cenc("c.srai", "s1", 1)], {"s1": u64(-6)}, {"s1": u64(-3)}),
    Row("c.andi", [cenc("c.andi", "s1", -16)], {"s1": 0x1234}, {"s1": 0x1230}),
    Row("c.sub", [cenc("c.sub", "s0", "s1")], {"s0": 1, "s1": 2}, {"s0": MASK64}),
    Row("c.xor", [cenc("c.xor", "s0", "s1")], {"s0": 0xff, "s1": 0x0f}, {"s0": 0xf0}),
    Row("c.or", [cenc("c.or", "s0", "s1")], {"s0": 0xf0, "s1": 0x0f}, {"s0": 0xff}),
    Row("c.and", [cenc("c.and", "s0", "s1")], {"s0": 0xf0, "s1": 0x3c}, {"s0": 0x30}),
    Row("c.subw", [cenc("c.subw", "a5", "a4")], {"a5": 0, "a4": 1}, {"a5": MASK64}),
    Row("c.addw", [cenc("c.addw", "a5", "a4")], {"a5": 0x7fffffff, "a4": 1}, {"a5": 0xffffffff_80000000}),
    Row("c.mv", [cenc("c.mv", A, "t6")], {"t6": 0x1234_5678_9abc}, {A: 0x1234_5678_9abc}),
    Row("c.add", [cenc("c.add", A, "t6")], {A: 1, "t6": MASK64}, {A: 0}),
    Row("c.lw-sext", [cenc("c.lw", A, "s0", 4)], {"s0": DATA}, {A: 0xffffffff_88878685}, mem={DATA: MEM8}),
    Row("c.ld", [cenc("c.ld", A, "s0", 8)], {"s0": DATA}, {A: 0x08070605_7f030201}, mem={DATA: MEM8}),
    Row("c.lwsp", [cenc("c.lwsp", "t2", 252)], {SP: DATA - 252}, {"t2": 0xffffffff_84838281}, mem={DATA: MEM8}),
    Row("c.ldsp", [cenc("c.ldsp", "t2", 504)], {SP: DATA - 504}, {"t2": 0x88878685_84838281}, mem={DATA: MEM8}),
    Row("c.sw", [cenc("c.sw", A, "s0", 124)], {"s0": DATA - 124, A: VAL}, mem_out={DATA: _u64b(VAL)[:4] + b"\0" * 4}),
    Row("c.sd", [cenc("c.sd", A, "s0", 248)], {"s0": DATA - 248, A: VAL}, mem_out={DATA: _u64b(VAL)}),
    Row("c.swsp", [cenc("c.swsp", "t5", 252)], {SP: DATA - 252, "t5": VAL}, mem_out={DATA: _u64b(VAL)[:4] + b"\0" * 4}),
    Row("c.sdsp", [cenc("c.sdsp", "t5", 504)], {SP: DATA - 504, "t5": VAL}, mem_out={DATA: _u64b(VAL)}),
    Row("c.j-forward", [cenc("c.j", 2046)], {}, {"pc": CODE + 2046}),
    Row("c.j-backward", [cenc("c.nop"), cenc("c.nop"), cenc("c.j", -4)], {}, {"pc": CODE}),
    Row("c.jr", [cenc("c.jr", "t0")], {"t0": CODE + 0x123}, {"pc": CODE + 0x122}),
    Row("c.jalr-links-pc+2", [cenc("c.jalr", "t0")], {"t0": CODE + 0x40}, {"ra": CODE + 2, "pc": CODE + 0x40}),
    Row("c.jalr-ra-is-target", [cenc("c.jalr", "ra")], {"ra": CODE + 0x40}, {"ra": CODE + 2, "pc": CODE + 0x40}),
    Row("c.beqz-taken", [cenc("c.beqz", "s0", 254)], {"s0": 0}, {"pc": CODE + 254}),
    Row("c.beqz-not", [cenc("c.beqz", "s0", 254)], {"s0": 1}, {"pc": CODE + 2}),
    Row("c.bnez-taken", [cenc("c.nop"), cenc("c.bnez", "s0", -2)], {"s0": 1}, {"pc": CODE}),
    Row("c.bnez-not", [cenc("c.bnez", "s0", -256)], {"s0": 0}, {"pc": CODE + 2}),
    Row("c.fld-c.fsd", [cenc("c.fld", "fs0", "s0", 0), cenc("c.fsd", "fs0", "s0", 8)], {"s0": DATA},
        {"fs0": 0x88878685_84838281}, mem={DATA: MEM8[:8]}, mem_out={DATA: MEM8[:8] * 2}),
    Row("c.fldsp-c.fsdsp", [cenc("c.fldsp", "ft1", 16), cenc("c.fsdsp", "ft1", 24)], {SP: DATA - 16},
        {"ft1": 0x88878685_84838281}, mem={DATA: MEM8[:8]}, mem_out={DATA: MEM8[:8] * 2}),
    Row("mixed-16-32-16", [cenc("c.li", A, 3), enc("addi", A, A, 4), cenc("c.slli", A, 1)], {}, {A: 14}),
    Row("c.nop", [cenc("c.nop")], {}, {}),
    Row("c.jr-x0-reserved", [0x8002], trap=2),
    Row("c.lwsp-rd0-reserved", [0x4002], trap=2),
]


@rows(*RVC_ROWS)
def test_compressed_rows(m, row):
    run_row(m, row)


def test_32bit_instruction_across_a_page_boundary(m):
    """A 4-byte instruction at page offset 0xffe is fetched from two pages."""
    reset(m)
    at = CODE + 0x1ffc
    m.mem_write(at, asm(cenc("c.li", A, 1), enc("addi", A, A, 0x123), cenc("c.addi", A, 1)))
    m.reg_write("pc", at)
    traps = m.hart.traps
    r = m.run(max_insns=3)
    assert r.instructions == 3 and m.hart.traps == traps
    assert m.reg_read(A) == 0x125 and m.reg_read("pc") == at + 8


def test_crossing_into_unmapped_memory_faults_with_the_second_half_address(m):
    """Fetch of a 4-byte instruction whose upper half is past the end of RAM."""
    reset(m)
    m.reg_write("mtvec", TRAP_VEC)
    end = CODE + 0x10000
    m.mem_write(end - 2, struct.pack("<H", 0x0513))     # low half of an addi
    m.reg_write("pc", end - 2)
    m.run(max_insns=1)
    assert m.reg_read("mcause") == 1
    assert m.reg_read("mepc") == end - 2
    assert m.reg_read("mtval") in (end - 2, end)


def test_self_modifying_code_is_seen(m):
    """A store over an instruction that already ran replaces it (with fence.i)."""
    reset(m)
    new = enc("addi", A, A, 100)
    code = [enc("addi", A, A, 1), enc("sw", B, "t0", 0), enc("fence.i"), enc("jal", 0, -12)]
    m.mem_write(CODE, asm(*code))
    m.reg_write("t0", CODE)
    m.reg_write(B, new)
    m.reg_write("pc", CODE)
    m.run(max_insns=5)
    assert m.reg_read(A) == 101


# ---- F / D / Zfh representative rows
def f(mn, fregs, out, code=None, flags=None, rm=7, regs=None, **kw):
    out = dict(out)
    if flags is not None:
        out["fflags"] = flags
    allregs = dict(fregs)
    allregs.update(regs or {})
    return Row(mn, code or [enc(mn.split("-")[0], "fa2", "fa0", "fa1", rm=rm)], allregs, out, **kw)


def _fs_dirty(m):
    st = m.reg_read("mstatus")
    assert (st >> 13) & 3 == 3 and st >> 63 == 1


FP_ROWS = [
    Row("flw-boxes", [enc("flw", "fa0", A, 0)], {A: DATA}, {"fa0": box(ONE_S)},
        mem={DATA: struct.pack("<I", ONE_S)}, check=_fs_dirty),
    Row("fld", [enc("fld", "fa0", A, 8)], {A: DATA - 8}, {"fa0": THREE_D}, mem={DATA: _u64b(THREE_D)}),
    Row("flh-boxes", [enc("flh", "fa0", A, 0)], {A: DATA}, {"fa0": 0xffffffff_ffff3c00},
        mem={DATA: b"\x00\x3c"}),
    Row("fsw-low-bits", [enc("fsw", "fa0", A, 0)], {A: DATA, "fa0": 0x12345678_9abcdef0},
        mem_out={DATA: struct.pack("<II", 0x9abcdef0, 0)}),
    Row("fsd", [enc("fsd", "fa0", A, 0)], {A: DATA, "fa0": 0x12345678_9abcdef0},
        mem_out={DATA: _u64b(0x12345678_9abcdef0)}),
    Row("fsh-low-bits", [enc("fsh", "fa0", A, 0)], {A: DATA, "fa0": 0x12345678_9abcdef0},
        mem_out={DATA: b"\xf0\xde\x00\x00"}),
    Row("fmv.x.w-sext", [enc("fmv.x.w", A, "fa0")], {"fa0": box(0x80000000)}, {A: 0xffffffff_80000000}),
    Row("fmv.x.w-ignores-box", [enc("fmv.x.w", A, "fa0")], {"fa0": 0x7f800000}, {A: 0x7f800000}),
    Row("fmv.w.x-boxes", [enc("fmv.w.x", "fa0", A)], {A: 0x12345678_3f800000}, {"fa0": box(ONE_S)}),
    Row("fmv.x.d", [enc("fmv.x.d", A, "fa0")], {"fa0": 0x8000000000000001}, {A: 0x8000000000000001}),
    Row("fmv.d.x", [enc("fmv.d.x", "fa0", A)], {A: CANON_D | 5}, {"fa0": CANON_D | 5}),
    Row("fmv.x.h-sext", [enc("fmv.x.h", A, "fa0")], {"fa0": 0xffffffff_ffff8000}, {A: 0xffffffff_ffff8000}),
    Row("fmv.h.x-boxes", [enc("fmv.h.x", "fa0", A)], {A: 0x3c00}, {"fa0": 0xffffffff_ffff3c00}),
    f("fadd.s", {"fa0": box(ONE_S), "fa1": box(TWO_S)}, {"fa2": box(THREE_S)}, flags=0),
    f("fadd.d", {"fa0": ONE_D, "fa1": TWO_D}, {"fa2": THREE_D}, flags=0),
    f("fsub.d", {"fa0": ONE_D, "fa1": ONE_D}, {"fa2": 0}, flags=0),
    f("fsub.d-rdn-zero-is-negative", {"fa0": ONE_D, "fa1": ONE_D}, {"fa2": 1 << 63}, flags=0,
      code=[enc("fsub.d", "fa2", "fa0", "fa1", rm="rdn")]),
    f("fmul.s", {"fa0": box(THREE_S), "fa1": box(TWO_S)}, {"fa2": box(0x40c00000)}, flags=0),
    f("fdiv.s-by-zero", {"fa0": box(ONE_S), "fa1": box(0x80000000)}, {"fa2": box(0xff800000)}, flags=DZ),
    f("fdiv.d-0-by-0", {"fa0": 0, "fa1": 0}, {"fa2": CANON_D}, flags=NV),
    f("fdiv.s-third-rne", {"fa0": box(ONE_S), "fa1": box(THREE_S)}, {"fa2": box(0x3eaaaaab)}, flags=NX),
    f("fdiv.s-third-rtz", {"fa0": box(ONE_S), "fa1": box(THREE_S)}, {"fa2": box(0x3eaaaaaa)}, flags=NX,
      code=[enc("fdiv.s", "fa2", "fa0", "fa1", rm="rtz")]),
    f("fsqrt.d", {"fa0": 0x4010000000000000}, {"fa2": TWO_D}, flags=0, code=[enc("fsqrt.d", "fa2", "fa0")]),
    f("fsqrt.s-negative", {"fa0": box(0xbf800000)}, {"fa2": CANON_S}, flags=NV, code=[enc("fsqrt.s", "fa2", "fa0")]),
    f("fsqrt.s-minus-zero", {"fa0": box(0x80000000)}, {"fa2": box(0x80000000)}, flags=0,
      code=[enc("fsqrt.s", "fa2", "fa0")]),
    f("fsgnj.s", {"fa0": box(ONE_S), "fa1": box(0x80000000)}, {"fa2": box(0xbf800000)}),
    f("fsgnjn.s", {"fa0": box(ONE_S), "fa1": box(ONE_S)}, {"fa2": box(0xbf800000)}),
    f("fsgnjx.s", {"fa0": box(0xbf800000), "fa1": box(0xbf800000)}, {"fa2": box(ONE_S)}),
    f("fsgnj.d", {"fa0": 1 << 63 | ONE_D, "fa1": 0}, {"fa2": ONE_D}),
    f("fsgnjn.d", {"fa0": ONE_D, "fa1": ONE_D}, {"fa2": 1 << 63 | ONE_D}),
    f("fmin.s-signed-zeros", {"fa0": box(0), "fa1": box(0x80000000)}, {"fa2": box(0x80000000)}, flags=0),
    f("fmax.s-signed-zeros", {"fa0": box(0x80000000), "fa1": box(0)}, {"fa2": box(0)}, flags=0),
    f("fmax.s-qnan", {"fa0": box(0x7fc00000), "fa1": box(ONE_S)}, {"fa2": box(ONE_S)}, flags=0),
    f("fmin.s-snan", {"fa0": box(0x7f800001), "fa1": box(ONE_S)}, {"fa2": box(ONE_S)}, flags=NV),
    f("fmin.d-both-nan", {"fa0": 0x7ff0000000000001, "fa1": CANON_D}, {"fa2": CANON_D}, flags=NV),
    Row("feq.s-qnan-quiet", [enc("feq.s", A, "fa0", "fa1")], {"fa0": box(0x7fc00000), "fa1": box(ONE_S)},
        {A: 0, "fflags": 0}),
    Row("feq.s-snan-invalid", [enc("feq.s", A, "fa0", "fa1")], {"fa0": box(0x7f800001), "fa1": box(ONE_S)},
        {A: 0, "fflags": NV}),
    Row("flt.s-qnan-invalid", [enc("flt.s", A, "fa0", "fa1")], {"fa0": box(0x7fc00000), "fa1": box(ONE_S)},
        {A: 0, "fflags": NV}),
    Row("fle.d-zeros", [enc("fle.d", A, "fa0", "fa1")], {"fa0": 1 << 63, "fa1": 0}, {A: 1, "fflags": 0}),
    Row("flt.d-zeros", [enc("flt.d", A, "fa0", "fa1")], {"fa0": 1 << 63, "fa1": 0}, {A: 0, "fflags": 0}),
    Row("feq.h", [enc("feq.h", A, "fa0", "fa1")], {"fa0": 0xffffffff_ffff3c00, "fa1": 0xffffffff_ffff3c00},
        {A: 1}),
    Row("fclass.s-neg-inf", [enc("fclass.s", A, "fa0")], {"fa0": box(0xff800000)}, {A: 1 << 0}),
    Row("fclass.s-pos-zero", [enc("fclass.s", A, "fa0")], {"fa0": box(0)}, {A: 1 << 4}),
    Row("fclass.s-neg-subnormal", [enc("fclass.s", A, "fa0")], {"fa0": box(0x80000001)}, {A: 1 << 2}),
    Row("fclass.d-snan", [enc("fclass.d", A, "fa0")], {"fa0": 0x7ff0000000000001}, {A: 1 << 8}),
    Row("fclass.d-qnan", [enc("fclass.d", A, "fa0")], {"fa0": CANON_D}, {A: 1 << 9}),
    Row("fclass.s-bad-box-is-qnan", [enc("fclass.s", A, "fa0")], {"fa0": ONE_S}, {A: 1 << 9}),
    Row("fclass.h-pos-normal", [enc("fclass.h", A, "fa0")], {"fa0": 0xffffffff_ffff3c00}, {A: 1 << 6}),
    # float -> int: rounding, saturation, and the W result sign-extended even for WU
    *[Row(f"fcvt.w.s-2.5-{rm}", [enc("fcvt.w.s", A, "fa0", rm=rm)], {"fa0": box(0x40200000)},
          {A: want, "fflags": NX})
      for rm, want in (("rne", 2), ("rtz", 2), ("rdn", 2), ("rup", 3), ("rmm", 3))],
    *[Row(f"fcvt.w.s-minus-2.5-{rm}", [enc("fcvt.w.s", A, "fa0", rm=rm)], {"fa0": box(0xc0200000)},
          {A: u64(want), "fflags": NX})
      for rm, want in (("rne", -2), ("rtz", -2), ("rdn", -3), ("rup", -2), ("rmm", -3))],
    Row("fcvt.w.s-dyn-frm", [enc("fcvt.w.s", A, "fa0", rm="dyn")], {"fa0": box(0x40200000), "frm": 3},
        {A: 3, "fflags": NX}),
    Row("fcvt.w.s-nan", [enc("fcvt.w.s", A, "fa0")], {"fa0": box(0xffc00000)}, {A: 0x7fffffff, "fflags": NV}),
    Row("fcvt.w.s-minus-inf", [enc("fcvt.w.s", A, "fa0")], {"fa0": box(0xff800000)},
        {A: 0xffffffff_80000000, "fflags": NV}),
    Row("fcvt.wu.s-negative", [enc("fcvt.wu.s", A, "fa0")], {"fa0": box(0xbf800000)}, {A: 0, "fflags": NV}),
    Row("fcvt.wu.s-small-negative-rounds-to-0", [enc("fcvt.wu.s", A, "fa0", rm="rtz")],
        {"fa0": box(0xbf000000)}, {A: 0, "fflags": NX}),
    Row("fcvt.wu.s-3e9-sext", [enc("fcvt.wu.s", A, "fa0", rm="rtz")], {"fa0": box(0x4f32d05e)},
        {A: 0xffffffff_b2d05e00, "fflags": 0}),
    Row("fcvt.wu.d-max-sext", [enc("fcvt.wu.d", A, "fa0", rm="rtz")], {"fa0": 0x41f0000000000000},
        {A: MASK64, "fflags": NV}),   # 2^32 saturates to 0xffffffff, sign-extended
    Row("fcvt.l.d-saturates", [enc("fcvt.l.d", A, "fa0")], {"fa0": 0x43e0000000000000},
        {A: INT64_MAX, "fflags": NV}),
    Row("fcvt.l.d-min-exact", [enc("fcvt.l.d", A, "fa0")], {"fa0": 0xc3e0000000000000},
        {A: INT64_MIN, "fflags": 0}),
    Row("fcvt.lu.d-nan", [enc("fcvt.lu.d", A, "fa0")], {"fa0": CANON_D}, {A: MASK64, "fflags": NV}),
    Row("fcvt.lu.s", [enc("fcvt.lu.s", A, "fa0")], {"fa0": box(0x5f000000)}, {A: 1 << 63, "fflags": 0}),
    Row("fcvt.w.h", [enc("fcvt.w.h", A, "fa0")], {"fa0": 0xffffffff_ffffc100}, {A: u64(-2), "fflags": NX}),
    # int -> float
    Row("fcvt.s.w-minus-1", [enc("fcvt.s.w", "fa0", A)], {A: MASK64}, {"fa0": box(0xbf800000), "fflags": 0}),
    Row("fcvt.s.w-ignores-upper", [enc("fcvt.s.w", "fa0", A)], {A: 0x1_00000001}, {"fa0": box(ONE_S)}),
    Row("fcvt.s.wu-rounds", [enc("fcvt.s.wu", "fa0", A)], {A: 0xffffffff}, {"fa0": box(0x4f800000), "fflags": NX}),
    Row("fcvt.s.wu-rtz", [enc("fcvt.s.wu", "fa0", A, rm="rtz")], {A: 0xffffffff},
        {"fa0": box(0x4f7fffff), "fflags": NX}),
    Row("fcvt.d.l-min", [enc("fcvt.d.l", "fa0", A)], {A: INT64_MIN}, {"fa0": 0xc3e0000000000000, "fflags": 0}),
    Row("fcvt.d.lu-max", [enc("fcvt.d.lu", "fa0", A)], {A: MASK64}, {"fa0": 0x43f0000000000000, "fflags": NX}),
    Row("fcvt.d.w-exact", [enc("fcvt.d.w", "fa0", A)], {A: 0x80000000}, {"fa0": 0xc1e0000000000000, "fflags": 0}),
    Row("fcvt.h.w", [enc("fcvt.h.w", "fa0", A)], {A: 65520}, {"fa0": 0xffffffff_ffff7c00, "fflags": OF | NX}),
    # between precisions
    Row("fcvt.s.d", [enc("fcvt.s.d", "fa0", "fa1")], {"fa1": ONE_D}, {"fa0": box(ONE_S), "fflags": 0}),
    Row("fcvt.s.d-overflow", [enc("fcvt.s.d", "fa0", "fa1")], {"fa1": 0x7fefffffffffffff},
        {"fa0": box(0x7f800000), "fflags": OF | NX}),
    Row("fcvt.s.d-snan", [enc("fcvt.s.d", "fa0", "fa1")], {"fa1": 0x7ff0000000000001},
        {"fa0": CANON_S, "fflags": NV}),
    Row("fcvt.d.s", [enc("fcvt.d.s", "fa0", "fa1")], {"fa1": box(0xc0400000)}, {"fa0": 0xc008000000000000}),
    Row("fcvt.d.s-bad-box", [enc("fcvt.d.s", "fa0", "fa1")], {"fa1": ONE_S}, {"fa0": CANON_D, "fflags": 0}),
    Row("fcvt.h.s", [enc("fcvt.h.s", "fa0", "fa1")], {"fa1": box(ONE_S)}, {"fa0": 0xffffffff_ffff3c00}),
    Row("fcvt.s.h", [enc("fcvt.s.h", "fa0", "fa1")], {"fa1": 0xffffffff_ffffc000}, {"fa0": box(0xc0000000)}),
    Row("fcvt.d.h-bad-box", [enc("fcvt.d.h", "fa0", "fa1")], {"fa1": 0xffffffff_00003c00}, {"fa0": CANON_D}),
    # fused multiply-add family: 2*3+1 with every sign arrangement
    f("fmadd.s", {"fa0": box(TWO_S), "fa1": box(THREE_S), "fa3": box(ONE_S)}, {"fa2": box(0x40e00000)},
      code=[enc("fmadd.s", "fa2", "fa0", "fa1", "fa3")], flags=0),
    f("fmsub.d", {"fa0": TWO_D, "fa1": THREE_D, "fa3": ONE_D}, {"fa2": 0x4014000000000000},
      code=[enc("fmsub.d", "fa2", "fa0", "fa1", "fa3")], flags=0),
    f("fnmsub.d", {"fa0": TWO_D, "fa1": THREE_D, "fa3": ONE_D}, {"fa2": 0xc014000000000000},
      code=[enc("fnmsub.d", "fa2", "fa0", "fa1", "fa3")], flags=0),
    f("fnmadd.s", {"fa0": box(TWO_S), "fa1": box(THREE_S), "fa3": box(ONE_S)}, {"fa2": box(0xc0e00000)},
      code=[enc("fnmadd.s", "fa2", "fa0", "fa1", "fa3")], flags=0),
    f("fmadd.s-inf-times-zero-qnan-addend", {"fa0": box(0x7f800000), "fa1": box(0), "fa3": box(0x7fc00000)},
      {"fa2": CANON_S}, code=[enc("fmadd.s", "fa2", "fa0", "fa1", "fa3")], flags=NV),
    f("fmadd.h", {"fa0": 0xffffffff_ffff4000, "fa1": 0xffffffff_ffff4200, "fa3": 0xffffffff_ffff3c00},
      {"fa2": 0xffffffff_ffff4700}, code=[enc("fmadd.h", "fa2", "fa0", "fa1", "fa3")], flags=0),
    f("fadd.h", {"fa0": 0xffffffff_ffff3c00, "fa1": 0xffffffff_ffff3c00}, {"fa2": 0xffffffff_ffff4000}, flags=0),
    # NaN-boxing: an improperly boxed single reads as the canonical NaN (no NV: it is quiet)
    f("fadd.s-bad-box", {"fa0": ONE_S, "fa1": box(ONE_S)}, {"fa2": CANON_S}, flags=0),
    f("fadd.s-half-box", {"fa0": 0xffff0000_3f800000, "fa1": box(ONE_S)}, {"fa2": CANON_S}, flags=0),
    f("fsgnj.s-bad-box", {"fa0": ONE_S, "fa1": box(0x80000000)}, {"fa2": box(0xffc00000)}),
    f("fmax.s-bad-box-is-nan", {"fa0": ONE_S, "fa1": box(TWO_S)}, {"fa2": box(TWO_S)}, flags=0),
    f("fadd.h-bad-box", {"fa0": 0xffffffff_00003c00, "fa1": 0xffffffff_ffff3c00},
      {"fa2": 0xffffffff_ffff7e00}, flags=0),
    # fflags accrue and FS goes Dirty
    Row("fflags-accrue", [enc("fdiv.s", "fa2", "fa0", "fa1"), enc("fsqrt.s", "fa3", "fa4")],
        {"fa0": box(ONE_S), "fa1": box(0), "fa4": box(0xbf800000), "fflags": NX},
        {"fflags": NX | DZ | NV}, check=_fs_dirty),
    # illegal: FPU off, reserved rounding modes
    f("fadd.s-fs-off", {}, {}, trap=2, fs=False),
    Row("flw-fs-off", [enc("flw", "fa0", A, 0)], {A: DATA}, trap=2, fs=False),
    f("fadd.s-rm5", {}, {}, rm=5, trap=2),
    f("fadd.d-rm6", {}, {}, rm=6, trap=2, code=[enc("fadd.d", "fa2", "fa0", "fa1", rm=6)]),
    f("fadd.s-dyn-frm5", {}, {}, regs={"frm": 5}, trap=2),
    f("fadd.s-dyn-frm7", {}, {}, regs={"frm": 7}, trap=2),
    Row("fcvt.s.d-rm5", [enc("fcvt.s.d", "fa0", "fa1", rm=5)], trap=2),
]


@rows(*FP_ROWS)
def test_fp_rows(m, row):
    run_row(m, row)


# ---- stores into the page of the storing instruction (decode-cache invalidation)
def test_amo_into_its_own_code_page_writes_rd(m):
    reset(m)
    m.mem_write(CODE + 0x100, _u64b(40))
    m.mem_write(CODE, asm(enc("amoadd.d", "a2", B, A), enc("add", "a3", 0, 0)))
    for k, v in {A: CODE + 0x100, B: 2, "a2": 7, "a3": 9}.items():
        m.reg_write(k, v)
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    assert m.mem_read(CODE + 0x100, 8) == _u64b(42)
    assert (m.reg_read("a2"), m.reg_read("a3"), int(m.regs[0])) == (40, 0, 0)


def test_sc_into_its_own_code_page_writes_rd(m):
    reset(m)
    m.mem_write(CODE + 0x100, _u64b(40))
    m.mem_write(CODE, asm(enc("lr.d", "a2", A), enc("sc.d", "a3", B, A)))
    for k, v in {A: CODE + 0x100, B: 2, "a3": 7}.items():
        m.reg_write(k, v)
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    assert m.mem_read(CODE + 0x100, 8) == _u64b(2)
    assert m.reg_read("a3") == 0


def test_store_into_its_own_code_page_continues(m):
    """A plain store over the next instruction: the new instruction runs (no fence.i
    needed on this hart), and execution continues in order."""
    reset(m)
    m.mem_write(CODE, asm(enc("sw", B, A, 0), enc("addi", "a2", "a2", 1), enc("addi", "a3", 0, 5)))
    for k, v in {A: CODE + 4, B: enc("addi", "a2", "a2", 100), "a2": 0}.items():
        m.reg_write(k, v)
    m.reg_write("pc", CODE)
    m.run(max_insns=3)
    assert (m.reg_read("a2"), m.reg_read("a3"), m.reg_read("pc")) == (100, 5, CODE + 12)


# ---- IALIGN = 32: a hart without C
@pytest.fixture(scope="module")
def m_noc():
    return new_machine("rv64g", ram="64K")


NOC_ROWS = [
    Row("jal-to-2-mod-4-misaligned", [enc("jal", "ra", 6)], {"ra": 5}, {"ra": 5}, trap=0, tval=CODE + 6),
    Row("jalr-to-2-mod-4-misaligned", [enc("jalr", "ra", A, 2)], {A: CODE + 0x40, "ra": 5}, {"ra": 5},
        trap=0, tval=CODE + 0x42),
    Row("jalr-bit0-cleared-ok", [enc("jalr", "ra", A, 1)], {A: CODE + 0x40}, {"ra": CODE + 4, "pc": CODE + 0x40}),
    Row("branch-not-taken-misaligned-target-ok", [enc("bne", A, A, 6)], {A: 1}, {}),
    Row("compressed-is-illegal", [cenc("c.nop")], trap=2, tval=(0, 0x0001)),
    Row("mret-masks-mepc-bit1", [enc("mret")], {"mepc": CODE + 0x42, "mstatus": (3 << 11) | FS_INITIAL},
        {"pc": CODE + 0x40, "mepc": CODE + 0x40}),
]


@rows(*NOC_ROWS)
def test_no_c_extension_rows(m_noc, row):
    run_row(m_noc, row)


def test_taken_branch_to_misaligned_target_without_c_traps(m_noc):
    run_row(m_noc, Row("beq-taken-misaligned", [enc("beq", 0, 0, 6)], trap=0, tval=CODE + 6))


def test_instret_exact_over_loops_pages_and_traps(m):
    """minstret counts retired instructions exactly, across page boundaries, taken branches
    and exceptions (which do not retire)."""
    reset(m)
    at = CODE + 0xff0
    loop = li("t0", 500) + [enc("csrrs", "a2", INSTRET, 0),
                            enc("addi", "a0", "a0", 1), enc("addi", "t0", "t0", -1),
                            enc("bne", "t0", 0, -8), enc("csrrs", "a3", INSTRET, 0)]
    m.mem_write(at, asm(*loop))
    m.reg_write("pc", at)
    n = len(loop) - 3 + 3 * 500
    m.run(max_insns=n)
    assert m.reg_read("a3") - m.reg_read("a2") == 1 + 3 * 500
    # an illegal instruction traps without retiring; the handler's read shows it
    reset(m)
    m.reg_write("mtvec", TRAP_VEC)
    m.mem_write(CODE, asm(enc("csrrs", "a2", INSTRET, 0), 0xffffffff))
    m.mem_write(TRAP_VEC, asm(enc("csrrs", "a3", INSTRET, 0)))
    m.reg_write("pc", CODE)
    m.run(max_insns=3)
    assert m.reg_read("a3") - m.reg_read("a2") == 1
