"""Zfh, Zfhmin and Zfbfmin on the hart: the zfh guest, ISA gating, ISA strings, property
tests of executed instructions against tests/fpref.py (the exact reference), reserved
rounding modes, and disassembly of every mnemonic.

Instructions are assembled with tests/helpers.py; expected values come from fpref.py
(integers and Fractions), never from rvemu.
"""
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import fpref as R
from fpref import BF16, F16, F32
from helpers import (CODE, DATA, GUESTS, ILLEGAL, asm, enc, new_machine, r_type, reset)
from rvemu.errors import IsaStringError
from rvemu.isa.disasm import disassemble
from rvemu.isa.encodings import ZFBFMIN, ZFH

FULL = "rv64gc_zfh_zfbfmin"
TRAP_VEC = CODE + 0x2000
BOX16 = 0xffffffff_ffff0000
BOX32 = 0xffffffff_00000000
OPC_OP_FP = 0x53


def fcvt_bf16_s(rd, rs1, rm=7):
    # unpriv "Zfbfmin": funct7 0100010 (fmt H), rs2 = 01000
    return r_type(OPC_OP_FP, rd, rm, rs1, 8, 0x22)


def fcvt_s_bf16(rd, rs1, rm=7):
    # funct7 0100000 (fmt S), rs2 = 00110
    return r_type(OPC_OP_FP, rd, rm, rs1, 6, 0x20)


# --------------------------------------------------------------------------- (a) the guest
def _run_guest(isa):
    from rvemu import Machine
    m = Machine(isa=isa, ram="64M")
    m.load_elf(GUESTS / "zfh.elf")
    r = m.run(max_insns=5_000_000)
    return r, bytes(m.output)


def test_zfh_guest_passes():
    r, out = _run_guest(FULL)
    assert r.reason == "halt", r.reason
    assert r.exit_code == 0, out
    assert b"SKIP" not in out          # it really ran its checks
    assert r.instructions > 40_000     # ~1170 table rows + hand-written checks


def test_zfh_guest_skips_without_zfh():
    r, out = _run_guest("rv64gc")
    assert (r.reason, r.exit_code) == ("halt", 0)
    assert b"SKIP" in out


def test_zfh_guest_needs_zfbfmin():
    """With Zfh but not Zfbfmin the first bf16 check (26) traps and fails."""
    r, out = _run_guest("rv64gc_zfh")
    assert r.exit_code == 26, out


# --------------------------------------------------------------------------- instruction list
def _h(mn, *ops, rm=0):
    return enc(mn, *ops, rm=rm)


# every Zfh / Zfhmin / Zfbfmin instruction, with a word that uses only f1..f4, a0, a1
ZFHMIN_SET = {"flh", "fsh", "fmv.x.h", "fmv.h.x", "fcvt.s.h", "fcvt.h.s", "fcvt.d.h",
              "fcvt.h.d"}
ZFBFMIN_SET = {"flh", "fsh", "fmv.x.h", "fmv.h.x", "fcvt.bf16.s", "fcvt.s.bf16"}
INSNS = {
    "flh": enc("flh", "f4", "a0", 2),
    "fsh": enc("fsh", "f1", "a0", 6),
    "fmv.x.h": enc("fmv.x.h", "a1", "f1"),
    "fmv.h.x": enc("fmv.h.x", "f4", "a0"),
    "fcvt.s.h": _h("fcvt.s.h", "f4", "f1"),
    "fcvt.h.s": _h("fcvt.h.s", "f4", "f1"),
    "fcvt.d.h": _h("fcvt.d.h", "f4", "f1"),
    "fcvt.h.d": _h("fcvt.h.d", "f4", "f1"),
    "fcvt.bf16.s": fcvt_bf16_s("f4", "f1", 0),
    "fcvt.s.bf16": fcvt_s_bf16("f4", "f1", 0),
    **{f"{n}.h": _h(f"{n}.h", "f4", "f1", "f2", "f3") for n in ("fmadd", "fmsub", "fnmsub",
                                                                   "fnmadd")},
    **{f"{n}.h": _h(f"{n}.h", "f4", "f1", "f2") for n in ("fadd", "fsub", "fmul", "fdiv")},
    "fsqrt.h": _h("fsqrt.h", "f4", "f1"),
    **{f"{n}.h": enc(f"{n}.h", "f4", "f1", "f2") for n in ("fsgnj", "fsgnjn", "fsgnjx",
                                                            "fmin", "fmax")},
    **{f"{n}.h": enc(f"{n}.h", "a1", "f1", "f2") for n in ("feq", "flt", "fle")},
    "fclass.h": enc("fclass.h", "a1", "f1"),
    **{f"fcvt.{i}.h": _h(f"fcvt.{i}.h", "a1", "f1") for i in ("w", "wu", "l", "lu")},
    **{f"fcvt.h.{i}": _h(f"fcvt.h.{i}", "f4", "a0") for i in ("w", "wu", "l", "lu")},
}


def test_instruction_list_is_complete():
    """The list above covers exactly the Zfh + Zfbfmin tables of rvemu.isa."""
    names = {row[0] for row in ZFH + ZFBFMIN}
    assert names == set(INSNS)


def _step(m, word, regs=None, fregs=None, frm=0):
    reset(m)
    m.reg_write("mtvec", TRAP_VEC)
    m.reg_write("frm", frm)
    m.reg_write("fflags", 0)
    m.mem_write(CODE, asm(word))
    for k, v in (regs or {}).items():
        m.reg_write(k, v)
    for k, v in (fregs or {}).items():
        m.reg_write(k, v)
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=1)
    return m.hart.traps - traps


@pytest.fixture(scope="module")
def machines():
    return {isa: new_machine(isa, ram="64K")
            for isa in ("rv64gc", "rv64gc_zfhmin", "rv64gc_zfbfmin", FULL, "rv64gc_zfh")}


def _expect_illegal(m, word):
    n = _step(m, word, {"a0": DATA}, {"f1": BOX16 | 0x3c00, "f2": BOX16 | 0x4000,
                                      "f3": BOX16 | 0x4200})
    assert n == 1, f"{word:#010x} did not trap"
    assert m.reg_read("mcause") == ILLEGAL
    assert m.reg_read("mtval") == word
    assert m.reg_read("mepc") == CODE
    assert m.reg_read("pc") == TRAP_VEC


def _expect_executes(m, word):
    n = _step(m, word, {"a0": DATA}, {"f1": BOX16 | 0x3c00, "f2": BOX16 | 0x4000,
                                      "f3": BOX16 | 0x4200})
    assert n == 0, f"{word:#010x} trapped with mcause {m.reg_read('mcause')}"
    assert m.reg_read("pc") == CODE + 4


ALLOWED = {
    "rv64gc": set(),
    "rv64gc_zfhmin": ZFHMIN_SET,
    "rv64gc_zfbfmin": ZFBFMIN_SET,
    "rv64gc_zfh": set(INSNS) - (ZFBFMIN_SET - ZFHMIN_SET),
    FULL: set(INSNS),
}


@pytest.mark.parametrize("isa", sorted(ALLOWED))
@pytest.mark.parametrize("mn", sorted(INSNS))
def test_gating(machines, isa, mn):
    m = machines[isa]
    if mn in ALLOWED[isa]:
        _expect_executes(m, INSNS[mn])
    else:
        _expect_illegal(m, INSNS[mn])


def test_zfhmin_conversions_are_exact_and_boxed(machines):
    m = machines["rv64gc_zfhmin"]
    assert _step(m, INSNS["fcvt.h.s"], fregs={"f1": BOX32 | 0x3eaaaaab}, frm=0) == 0
    # the word's rm is 0 (RNE)
    assert m.reg_read("f4") == BOX16 | R.convert(F32, F16, 0x3eaaaaab, R.RNE)[0]
    assert m.reg_read("fflags") == R.convert(F32, F16, 0x3eaaaaab, R.RNE)[1]
    assert _step(m, INSNS["fmv.x.h"], fregs={"f1": BOX16 | 0x8001}) == 0
    assert m.reg_read("a1") == 0xffffffff_ffff8001


# --------------------------------------------------------------------------- (c) ISA strings
@pytest.mark.parametrize("ext", ["zfh", "zfhmin", "zfbfmin"])
def test_isa_string_requires_f(ext):
    from rvemu import Machine
    with pytest.raises(IsaStringError) as ei:
        Machine(isa=f"rv64i_{ext}", ram="64K")
    msg = str(ei.value)
    assert ext in msg and "'f'" in msg
    Machine(isa=f"rv64if_{ext}", ram="64K")      # with F it is accepted


# --------------------------------------------------------------------------- (d) properties
EDGE16 = F16.specials()
EDGE32 = F32.specials() + [0x3f808000, 0x3f818000, 0xbf808000, 0x7f7f8000, 0x7f7f7fff,
                           0x00408000, 0x00418000, 0x007f8000, 0x007fffff]
RMS = [0, 1, 2, 3, 4, 7]          # 7 = dynamic, frm chosen separately
half = st.one_of(st.sampled_from(EDGE16), st.integers(0, 0xffff))
single = st.one_of(st.sampled_from(EDGE32), st.integers(0, 0xffffffff))
rm_st = st.sampled_from(RMS)
frm_st = st.sampled_from([0, 1, 2, 3, 4])

BINOPS = {"fadd.h": R.add, "fmul.h": R.mul, "fdiv.h": R.div}


@pytest.fixture(scope="module")
def hart():
    return new_machine(FULL, ram="64K")


def _check_bin(m, mn, a, b, rm, frm):
    word = enc(mn, "f4", "f1", "f2", rm=rm)
    assert _step(m, word, fregs={"f1": BOX16 | a, "f2": BOX16 | b}, frm=frm) == 0
    want, fl = BINOPS[mn](F16, a, b, frm if rm == 7 else rm)
    got = (m.reg_read("f4"), m.reg_read("fflags"))
    assert got == (BOX16 | want, fl), (mn, hex(a), hex(b), rm, frm, [hex(x) for x in got])


def _check_fma(m, a, b, c, rm, frm):
    word = enc("fmadd.h", "f4", "f1", "f2", "f3", rm=rm)
    assert _step(m, word, fregs={"f1": BOX16 | a, "f2": BOX16 | b, "f3": BOX16 | c},
                 frm=frm) == 0
    want, fl = R.madd(F16, a, b, c, frm if rm == 7 else rm)
    got = (m.reg_read("f4"), m.reg_read("fflags"))
    assert got == (BOX16 | want, fl), (hex(a), hex(b), hex(c), rm, frm)


def _check_bf16(m, a, rm, frm):
    assert _step(m, fcvt_bf16_s("f4", "f1", rm), fregs={"f1": BOX32 | a}, frm=frm) == 0
    want, fl = R.convert(F32, BF16, a, frm if rm == 7 else rm)
    got = (m.reg_read("f4"), m.reg_read("fflags"))
    assert got == (BOX16 | want, fl), (hex(a), rm, frm, [hex(x) for x in got])


@pytest.mark.parametrize("mn", sorted(BINOPS))
def test_binary_edge_pairs(hart, mn):
    """Every pair of the edge values (subnormals, infinities, NaNs, max-finite...) in
    every static rounding mode and through dynamic frm."""
    for rm in RMS:
        frm = 3 if rm == 7 else (rm + 2) % 5
        for a in EDGE16:
            for b in EDGE16:
                _check_bin(hart, mn, a, b, rm, frm)


def test_fmadd_edge_triples(hart):
    edge = [0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x7bff, 0xfbff,
            0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x1400]
    for rm in (0, 1, 2, 3, 4, 7):
        for a in edge:
            for b in edge:
                for c in edge[::2]:
                    _check_fma(hart, a, b, c, rm, 2)


def test_fcvt_bf16_s_edges(hart):
    for rm in RMS:
        for frm in (0, 1, 2, 3, 4) if rm == 7 else ((rm + 1) % 5,):
            for a in EDGE32:
                _check_bf16(hart, a, rm, frm)


PROP = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROP
@given(mn=st.sampled_from(sorted(BINOPS)), a=half, b=half, rm=rm_st, frm=frm_st)
@example(mn="fadd.h", a=0x3c00, b=0x1000, rm=0, frm=0)      # exact tie 1 + ulp/2
@example(mn="fadd.h", a=0x3c01, b=0x1000, rm=7, frm=4)      # tie, dynamic RMM
@example(mn="fmul.h", a=0x7bff, b=0x4000, rm=1, frm=0)      # overflow -> max-finite (RTZ)
@example(mn="fmul.h", a=0xfbff, b=0x4000, rm=3, frm=0)      # RUP: -max-finite
@example(mn="fmul.h", a=0x7bff, b=0x4000, rm=7, frm=2)      # RDN (dynamic): max-finite
@example(mn="fdiv.h", a=0x0001, b=0x4000, rm=0, frm=0)      # subnormal tie to zero
@example(mn="fdiv.h", a=0x7c01, b=0x3c00, rm=0, frm=0)      # sNaN
@example(mn="fdiv.h", a=0x3c00, b=0x8000, rm=0, frm=0)      # DZ
def test_binary_random(hart, mn, a, b, rm, frm):
    _check_bin(hart, mn, a, b, rm, frm)


@PROP
@given(a=half, b=half, c=half, rm=rm_st, frm=frm_st)
@example(a=0x7c00, b=0x0000, c=0x7e00, rm=0, frm=0)         # inf*0 + qNaN: NV
@example(a=0x3c00, b=0x3c00, c=0xbc00, rm=2, frm=0)         # exact zero: -0 in RDN
@example(a=0x3c00, b=0x3c00, c=0xbc00, rm=7, frm=2)
@example(a=0x7bff, b=0x4000, c=0xfbff, rm=0, frm=0)         # no intermediate overflow
@example(a=0x0400, b=0x3400, c=0x0001, rm=3, frm=0)         # subnormal result, UF
def test_fmadd_random(hart, a, b, c, rm, frm):
    _check_fma(hart, a, b, c, rm, frm)


@PROP
@given(a=single, rm=rm_st, frm=frm_st)
@example(a=0x3f808000, rm=0, frm=0)       # tie to even (down)
@example(a=0x3f818000, rm=7, frm=0)       # tie to even (up), dynamic
@example(a=0x7f7fffff, rm=1, frm=0)       # overflow: max-finite under RTZ
@example(a=0x7f7fffff, rm=0, frm=0)       # ... inf under RNE
@example(a=0x7f800001, rm=0, frm=0)       # sNaN -> NV, 0x7fc0
@example(a=0x00408000, rm=4, frm=0)       # subnormal tie, RMM
def test_fcvt_bf16_s_random(hart, a, rm, frm):
    _check_bf16(hart, a, rm, frm)


def test_fcvt_s_bf16_exhaustive_sample(hart):
    """fcvt.s.bf16 is exact: every 257th bf16 pattern plus the NaN/inf/subnormal edges."""
    pats = sorted(set(range(0, 0x10000, 257)) | set(BF16.specials()))
    for b in pats:
        assert _step(hart, fcvt_s_bf16("f4", "f1", 7), fregs={"f1": BOX16 | b}, frm=3) == 0
        want, fl = R.convert(BF16, F32, b, R.RNE)
        assert (m_f4 := hart.reg_read("f4"), hart.reg_read("fflags")) == (BOX32 | want, fl), \
            (hex(b), hex(m_f4))


def test_canonical_nans(hart):
    _step(hart, fcvt_s_bf16("f4", "f1", 0), fregs={"f1": BOX16 | 0x7f81})
    assert (hart.reg_read("f4"), hart.reg_read("fflags")) == (BOX32 | 0x7fc00000, R.NV)
    _step(hart, fcvt_bf16_s("f4", "f1", 0), fregs={"f1": BOX32 | 0xffc12345})
    assert (hart.reg_read("f4"), hart.reg_read("fflags")) == (BOX16 | 0x7fc0, 0)
    _step(hart, enc("fadd.h", "f4", "f1", "f2", rm=0),
          fregs={"f1": BOX16 | 0x7c00, "f2": BOX16 | 0xfc00})
    assert (hart.reg_read("f4"), hart.reg_read("fflags")) == (BOX16 | 0x7e00, R.NV)


def test_fcvt_s_bf16_improperly_boxed_is_canonical_nan(hart):
    """An improperly boxed bf16 input reads as the canonical bf16 NaN 0x7fc0, so the result
    is the canonical single NaN (not 0x7e000000, the bf16 reading of the half NaN 0x7e00)."""
    for v in (0x3f80, 0xffffffff_00003f80, 0x7fffffff_ffff3f80):
        assert _step(hart, fcvt_s_bf16("f4", "f1", 0), fregs={"f1": v}) == 0
        assert (hart.reg_read("f4"), hart.reg_read("fflags")) == (BOX32 | 0x7fc00000, 0)


RESERVED_WORDS = {
    "fadd.h": lambda rm: enc("fadd.h", "f4", "f1", "f2", rm=rm),
    "fmul.h": lambda rm: enc("fmul.h", "f4", "f1", "f2", rm=rm),
    "fdiv.h": lambda rm: enc("fdiv.h", "f4", "f1", "f2", rm=rm),
    "fmadd.h": lambda rm: enc("fmadd.h", "f4", "f1", "f2", "f3", rm=rm),
    "fsqrt.h": lambda rm: enc("fsqrt.h", "f4", "f1", rm=rm),
    "fcvt.w.h": lambda rm: enc("fcvt.w.h", "a1", "f1", rm=rm),
    "fcvt.h.l": lambda rm: enc("fcvt.h.l", "f4", "a0", rm=rm),
    "fcvt.h.s": lambda rm: enc("fcvt.h.s", "f4", "f1", rm=rm),
    "fcvt.bf16.s": lambda rm: fcvt_bf16_s("f4", "f1", rm),
}


@pytest.mark.parametrize("mn", sorted(RESERVED_WORDS))
def test_invalid_rounding_mode_is_illegal(hart, mn):
    for frm in (5, 6, 7):                               # dynamic with a reserved frm
        word = RESERVED_WORDS[mn](7)
        assert _step(hart, word, {"a0": 1}, {"f1": BOX16 | 0x3c00, "f2": BOX16 | 0x3c00,
                                             "f3": BOX16 | 0x3c00}, frm=frm) == 1
        assert (hart.reg_read("mcause"), hart.reg_read("mtval")) == (ILLEGAL, word)
        assert hart.reg_read("fflags") == 0
    for rm in (5, 6):                                   # reserved static rm
        word = RESERVED_WORDS[mn](rm)
        assert _step(hart, word, {"a0": 1}, frm=0) == 1
        assert (hart.reg_read("mcause"), hart.reg_read("mtval")) == (ILLEGAL, word)
    word = RESERVED_WORDS[mn](0)                        # valid static rm with frm = 7
    assert _step(hart, word, {"a0": 1}, {"f1": BOX16 | 0x3c00, "f2": BOX16 | 0x3c00,
                                         "f3": BOX16 | 0x3c00}, frm=7) == 0


# --------------------------------------------------------------------------- (e) disassembler
@pytest.mark.parametrize("mn", sorted(INSNS))
def test_disassembler_prints_mnemonic(mn):
    n, text = disassemble(INSNS[mn], isa=FULL)
    assert n == 4
    assert text.split()[0] == mn, text
