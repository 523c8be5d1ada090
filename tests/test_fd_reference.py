"""F, D (and Zfh) instructions executed ON THE HART, checked bit for bit (result and fflags)
against tests/fpref.py, an exact Fraction-based reference, across the five static rounding
modes and the dynamic mode (frm set through the fcsr CSR).

test_softfp.py checks the C library softfp.h directly; this file checks everything between
an instruction word and that library: decode of the rm field, the dynamic rounding mode,
NaN-boxing of inputs and results, sign extension of W results, flag accrual in fcsr.
"""
import functools
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fpref as R
from helpers import CODE, MASK32, MASK64, asm, enc, new_machine, reset, sext, u64

ISA = "rv64gc_zfh"
SETTINGS = dict(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=25, **SETTINGS)
SOME = settings(max_examples=40, **SETTINGS)
STATIC_RMS = (0, 1, 2, 3, 4)
DYN = 7
SUFFIX = {R.F16: "h", R.F32: "s", R.F64: "d"}
TRAP_VEC = CODE + 0x2000


@pytest.fixture(scope="module")
def m():
    mach = new_machine(ISA, ram="64K")
    reset(mach)
    mach.reg_write("mtvec", TRAP_VEC)
    return mach


# --------------------------------------------------------------------------- f registers
def box(fmt, bits):
    """The 64-bit f-register image of a correctly NaN-boxed value of fmt."""
    if fmt is R.F64:
        return bits
    return (MASK64 ^ fmt.mask) | bits


def seen_as(fmt, reg):
    """What an instruction reads from a 64-bit f register for fmt (unpriv "NaN Boxing of
    Narrower Values": anything not properly boxed is the canonical NaN)."""
    if fmt is R.F64:
        return reg
    upper = MASK64 ^ fmt.mask
    return reg & fmt.mask if reg & upper == upper else fmt.canonical_nan


# --------------------------------------------------------------------------- executing
def execute(m, word, fregs=(), xreg=None, frm=0, dest="f4"):
    """Run one instruction; returns (destination value, fflags). fs1..fs3 = f1..f3,
    integer source = a0, destination f4 or a1."""
    m.reg_write("fcsr", frm << 5)          # frm for the dynamic mode, fflags cleared
    for i, v in enumerate(fregs):
        m.reg_write(f"f{i + 1}", v)
    if xreg is not None:
        m.reg_write("a0", xreg)
    m.mem_write(CODE, asm(word))
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=1)
    assert m.hart.traps == traps, (
        f"{word:#010x} trapped: mcause={m.reg_read('mcause')}")
    return m.reg_read(dest), m.reg_read("fflags")


def rm_variants(draw_frm):
    """(rm field, frm) pairs: the five static modes, and DYN with frm = draw_frm."""
    return [(rm, 0) for rm in STATIC_RMS] + [(DYN, draw_frm)]


# --------------------------------------------------------------------------- operations
@dataclass(frozen=True)
class Op:
    mn: str          # mnemonic
    kind: str        # "f1" fd,fs1 | "f2" fd,fs1,fs2 | "f3" fd,fs1,fs2,fs3 | "x2" rd,fs1,fs2 |
                     # "x1" rd,fs1 | "f2i" rd,fs1 | "i2f" fd,rs1 | "f2f" fd,fs1
    fmt: R.Fmt       # format of the f operands (f2f: the source)
    ref: object      # the fpref function
    rounds: bool = True
    out: object = None   # f2f: destination format; f2i/i2f: (width, signed)

    def __str__(self):
        return self.mn


def arith_ops(fmt):
    s = SUFFIX[fmt]
    ops = [Op(f"fadd.{s}", "f2", fmt, R.add), Op(f"fsub.{s}", "f2", fmt, R.sub),
           Op(f"fmul.{s}", "f2", fmt, R.mul), Op(f"fdiv.{s}", "f2", fmt, R.div),
           Op(f"fsqrt.{s}", "f1", fmt, R.sqrt)]
    return ops


def fma_ops(fmt):
    s = SUFFIX[fmt]
    return [Op(f"fmadd.{s}", "f3", fmt, R.madd), Op(f"fmsub.{s}", "f3", fmt, R.msub),
            Op(f"fnmsub.{s}", "f3", fmt, R.nmsub), Op(f"fnmadd.{s}", "f3", fmt, R.nmadd)]


def norm_ops(fmt):
    s = SUFFIX[fmt]
    return [Op(f"fmin.{s}", "f2", fmt, R.fmin, False), Op(f"fmax.{s}", "f2", fmt, R.fmax, False),
            Op(f"feq.{s}", "x2", fmt, R.feq, False), Op(f"flt.{s}", "x2", fmt, R.flt, False),
            Op(f"fle.{s}", "x2", fmt, R.fle, False), Op(f"fclass.{s}", "x1", fmt, R.classify, False)]


INT_KINDS = {"w": (32, True), "wu": (32, False), "l": (64, True), "lu": (64, False)}


def cvt_ops(fmt):
    s = SUFFIX[fmt]
    ops = [Op(f"fcvt.{k}.{s}", "f2i", fmt, R.to_int, True, v) for k, v in INT_KINDS.items()]
    ops += [Op(f"fcvt.{s}.{k}", "i2f", fmt, R.from_int, True, v) for k, v in INT_KINDS.items()]
    return ops


F_AND_D = [R.F32, R.F64]
ARITH = [op for f in F_AND_D for op in arith_ops(f)] + arith_ops(R.F16)
FMA = [op for f in F_AND_D for op in fma_ops(f)] + fma_ops(R.F16)[:1]
NORM = [op for f in F_AND_D for op in norm_ops(f)]
CVT = [op for f in F_AND_D for op in cvt_ops(f)] + cvt_ops(R.F16)[:1] + cvt_ops(R.F16)[4:5]
F2F = [Op("fcvt.s.d", "f2f", R.F64, R.convert, True, R.F32),
       Op("fcvt.d.s", "f2f", R.F32, R.convert, True, R.F64),
       Op("fcvt.h.s", "f2f", R.F32, R.convert, True, R.F16),
       Op("fcvt.s.h", "f2f", R.F16, R.convert, True, R.F32),
       Op("fcvt.h.d", "f2f", R.F64, R.convert, True, R.F16),
       Op("fcvt.d.h", "f2f", R.F16, R.convert, True, R.F64)]


def encode(op, rm):
    kind = op.kind
    if kind == "f2":
        return enc(op.mn, "f4", "f1", "f2", rm=rm)
    if kind == "f3":
        return enc(op.mn, "f4", "f1", "f2", "f3", rm=rm)
    if kind in ("f1", "f2f"):
        return enc(op.mn, "f4", "f1", rm=rm)
    if kind == "x2":
        return enc(op.mn, "a1", "f1", "f2")
    if kind in ("x1", "f2i"):
        return enc(op.mn, "a1", "f1", rm=rm)
    if kind == "i2f":
        return enc(op.mn, "f4", "a0", rm=rm)
    raise AssertionError(kind)


def expected(op, regs, xval, rm):
    """(destination value, fflags) the spec requires, from fpref on what the hart reads."""
    vals = [seen_as(op.fmt, r) for r in regs]
    fmt = op.fmt
    if op.kind in ("f1", "f2", "f3"):
        args = vals + ([rm] if op.rounds else [])
        bits, flags = op.ref(fmt, *args)
        return box(fmt, bits), flags
    if op.kind == "x2":
        return op.ref(fmt, *vals)
    if op.kind == "x1":
        return op.ref(fmt, vals[0]), 0
    if op.kind == "f2i":
        width, signed = op.out
        pattern, flags = R.to_int(fmt, vals[0], rm, width, signed)
        # RV64: 32-bit results (W and WU alike) are sign-extended into rd
        return u64(sext(pattern, width)), flags
    if op.kind == "i2f":
        width, signed = op.out
        i = xval & ((1 << width) - 1)
        if signed:
            i = sext(i, width)
        bits, flags = R.from_int(fmt, i, rm)
        return box(fmt, bits), flags
    if op.kind == "f2f":
        bits, flags = R.convert(fmt, op.out, vals[0], rm)
        return box(op.out, bits), flags
    raise AssertionError(op.kind)


def check_op(m, op, regs=(), xval=None, frm=0, rms=None):
    """Execute op on the hart for every rounding variant and compare with the reference."""
    dest = "a1" if op.kind in ("x1", "x2", "f2i") else "f4"
    variants = rm_variants(frm) if op.rounds else [(0, 0)]
    if rms is not None:
        variants = [v for v in variants if v[0] in rms]
    bad = []
    for rm, dyn in variants:
        eff = dyn if rm == DYN else rm
        want = expected(op, regs, xval, eff)
        got = execute(m, encode(op, rm), regs, xval, dyn, dest)
        if got != want:
            bad.append(f"{op.mn} rm={rm}{f'(frm={dyn})' if rm == DYN else ''} "
                       f"in={[hex(r) for r in regs]}{'' if xval is None else f' x={xval:#x}'}: "
                       f"got ({got[0]:#x}, flags {got[1]:#x}), want ({want[0]:#x}, flags {want[1]:#x})")
    return bad


# --------------------------------------------------------------------------- strategies
@functools.lru_cache(maxsize=None)
def fp_bits(fmt):
    """Bit patterns biased to specials and format edges."""
    b, top, mb = fmt.bias, fmt.exp_field_max, fmt.mbits
    exps = sorted({0, 1, 2, b - 2, b - 1, b, b + 1, b + 2, top - 2, top - 1, top})
    mans = sorted({0, 1, 2, fmt.man_mask, fmt.man_mask - 1, 1 << (mb - 1), (1 << (mb - 1)) + 1})
    structured = st.builds(fmt.pack, st.integers(0, 1),
                           st.one_of(st.sampled_from(exps), st.integers(0, top)),
                           st.one_of(st.sampled_from(mans), st.integers(0, fmt.man_mask)))
    return st.one_of(st.sampled_from(fmt.specials()), st.integers(0, fmt.mask), structured)


@st.composite
def freg(draw, fmt):
    """An f-register image: usually a boxed fmt value, sometimes an improperly boxed one."""
    bits = draw(fp_bits(fmt))
    if fmt is R.F64 or draw(st.integers(0, 15)):
        return box(fmt, bits)
    upper = draw(st.integers(0, (1 << (64 - fmt.width)) - 2))     # anything but all ones
    return upper << fmt.width | bits


@st.composite
def close_regs(draw, fmt, n):
    """n operands with nearby exponents (so sums and products round interestingly)."""
    first = draw(fp_bits(fmt))
    e = (first >> fmt.mbits) & fmt.exp_field_max
    out = [first]
    for _ in range(n - 1):
        d = draw(st.integers(-fmt.mbits - 2, fmt.mbits + 2))
        ee = min(max(e + d, 0), fmt.exp_field_max)
        out.append(fmt.pack(draw(st.integers(0, 1)), ee, draw(st.integers(0, fmt.man_mask))))
    return [box(fmt, v) for v in out]


def operands(fmt, n):
    return st.one_of(st.lists(freg(fmt), min_size=n, max_size=n), close_regs(fmt, n))


@st.composite
def int_near_float_range(draw, fmt):
    """Floats close to integer boundaries: 2^31, 2^32, 2^63, 2^64, halves, small values."""
    e = draw(st.sampled_from([fmt.bias - 2, fmt.bias - 1, fmt.bias, fmt.bias + 1,
                              fmt.bias + 30, fmt.bias + 31, fmt.bias + 32, fmt.bias + 62,
                              fmt.bias + 63, fmt.bias + 64]))
    e = min(e, fmt.exp_field_max)
    man = draw(st.one_of(st.sampled_from([0, 1, 1 << (fmt.mbits - 1), fmt.man_mask]),
                         st.integers(0, fmt.man_mask)))
    return box(fmt, fmt.pack(draw(st.integers(0, 1)), e, man))


EDGE_INTS = [0, 1, 2, 3, MASK64, MASK64 - 1, (1 << 31) - 1, 1 << 31, (1 << 31) + 1, MASK32,
             1 << 32, (1 << 24) + 1, (1 << 53) + 1, (1 << 63) - 1, 1 << 63, (1 << 63) + 1,
             u64(-(1 << 31)), u64(-(1 << 31) - 1), 0xffff_0000_0000_0001, 65504, 65520, 2049]
ints = st.one_of(st.sampled_from(EDGE_INTS), st.integers(0, MASK64),
                 st.integers(-(1 << 40), 1 << 40).map(u64),
                 st.builds(lambda k, d: u64((1 << k) + d), st.integers(0, 63), st.integers(-3, 3)))
frms = st.sampled_from(STATIC_RMS)


# --------------------------------------------------------------------------- properties
# Hypothesis costs a few milliseconds per example here, an execution on the hart ~50 us: so
# every example draws several operand tuples and runs each in all six rounding variants.
def batches(strategy):
    return st.lists(strategy, min_size=1, max_size=4)


def _check_all(m, op, batch, frm):
    bad = []
    for regs in batch:
        bad += check_op(m, op, regs, frm=frm)
    assert not bad, bad


@pytest.mark.parametrize("op", ARITH, ids=str)
@FEW
@given(data=st.data())
def test_arith_matches_reference(m, op, data):
    n = 1 if op.kind == "f1" else 2
    _check_all(m, op, data.draw(batches(operands(op.fmt, n)), label="operands"),
               data.draw(frms, label="frm"))


@pytest.mark.parametrize("op", FMA, ids=str)
@FEW
@given(data=st.data())
def test_fma_matches_reference(m, op, data):
    _check_all(m, op, data.draw(batches(operands(op.fmt, 3)), label="operands"),
               data.draw(frms, label="frm"))


@pytest.mark.parametrize("op", NORM, ids=str)
@SOME
@given(data=st.data())
def test_minmax_compare_classify_match_reference(m, op, data):
    n = 1 if op.kind == "x1" else 2
    _check_all(m, op, data.draw(batches(operands(op.fmt, n)), label="operands"), 0)


@pytest.mark.parametrize("op", [o for o in CVT if o.kind == "f2i"], ids=str)
@FEW
@given(data=st.data())
def test_float_to_int_matches_reference(m, op, data):
    regs = st.one_of(freg(op.fmt), int_near_float_range(op.fmt)).map(lambda r: [r])
    _check_all(m, op, data.draw(batches(regs), label="operands"), data.draw(frms, label="frm"))


@pytest.mark.parametrize("op", [o for o in CVT if o.kind == "i2f"], ids=str)
@FEW
@given(data=st.data())
def test_int_to_float_matches_reference(m, op, data):
    frm = data.draw(frms, label="frm")
    bad = []
    for x in data.draw(batches(ints), label="x"):
        bad += check_op(m, op, [], x, frm=frm)
    assert not bad, bad


@pytest.mark.parametrize("op", F2F, ids=str)
@FEW
@given(data=st.data())
def test_float_to_float_matches_reference(m, op, data):
    regs = freg(op.fmt).map(lambda r: [r])
    _check_all(m, op, data.draw(batches(regs), label="operands"), data.draw(frms, label="frm"))


@pytest.mark.slow
def test_many_random_operands_every_op(m, request):
    """The same comparison over many more (seeded, deterministic) random operands."""
    import random
    rng = random.Random(20240601)

    def rbits(fmt):
        pick = rng.random()
        if pick < 0.2:
            return rng.choice(fmt.specials())
        if pick < 0.6:
            return rng.getrandbits(fmt.width)
        e = rng.choice([0, 1, fmt.bias - 1, fmt.bias, fmt.bias + 1, fmt.exp_field_max - 1,
                        rng.randrange(fmt.exp_field_max + 1)])
        return fmt.pack(rng.getrandbits(1), e, rng.getrandbits(fmt.mbits))

    bad = []
    for op in ARITH + FMA + NORM + CVT + F2F:
        for _ in range(1500):
            n = {"f1": 1, "x1": 1, "f2i": 1, "f2f": 1, "i2f": 0, "f3": 3}.get(op.kind, 2)
            regs = [box(op.fmt, rbits(op.fmt)) for _ in range(n)]
            x = rng.choice([rng.getrandbits(64), rng.choice(EDGE_INTS)]) if op.kind == "i2f" else None
            bad += check_op(m, op, regs, x, frm=rng.randrange(5))
    assert not bad, f"{len(bad)} mismatches: {bad[:6]}"


# --------------------------------------------------------------------------- fixed edges
def edge_values(fmt):
    """Always-tested values: signed zeros, subnormals, normal edges, ones, max, inf, NaNs."""
    vals = [0, 1, fmt.man_mask, fmt.min_normal, fmt.pack(0, fmt.bias, 0),
            fmt.pack(0, fmt.bias, 1), fmt.max_finite, fmt.inf]
    vals += [v | fmt.sign_bit for v in vals]
    vals += [fmt.canonical_nan, fmt.inf | 1]          # qNaN, sNaN
    return [box(fmt, v) for v in vals]


def small_edges(fmt):
    return [box(fmt, v) for v in (0, fmt.sign_bit, 1, fmt.pack(0, fmt.bias, 0) | fmt.sign_bit,
                                  fmt.max_finite, fmt.inf | fmt.sign_bit, fmt.canonical_nan,
                                  fmt.inf | 1)]


@pytest.mark.parametrize("op", [o for o in ARITH + NORM if o.fmt is not R.F16], ids=str)
def test_edge_operands_every_rounding_mode(m, op):
    vals = edge_values(op.fmt)
    n = 1 if op.kind in ("f1", "x1") else 2
    bad = []
    for regs in (([v] for v in vals) if n == 1 else ([a, b] for a in vals for b in vals)):
        bad += check_op(m, op, regs, frm=2)
    assert not bad, f"{len(bad)} mismatches: {bad[:6]}"


@pytest.mark.parametrize("op", [o for o in FMA if o.fmt is not R.F16], ids=str)
def test_edge_operands_fma(m, op):
    vals = small_edges(op.fmt)
    bad = []
    for regs in ([a, b, c] for a in vals for b in vals for c in vals):
        bad += check_op(m, op, regs, frm=2, rms=(0, 2, DYN))    # RNE, RDN (signed zeros), dyn
    assert not bad, f"{len(bad)} mismatches: {bad[:6]}"


@pytest.mark.parametrize("op", [o for o in CVT + F2F if o.fmt is not R.F16 and o.kind != "i2f"], ids=str)
def test_edge_operands_conversions(m, op):
    bad = []
    for v in edge_values(op.fmt):
        bad += check_op(m, op, [v], frm=4)
    assert not bad, bad


@pytest.mark.parametrize("op", [o for o in CVT if o.kind == "i2f" and o.fmt is not R.F16], ids=str)
def test_edge_integers_to_float(m, op):
    bad = []
    for x in EDGE_INTS:
        bad += check_op(m, op, [], x, frm=1)
    assert not bad, bad


# --------------------------------------------------------------------------- NaN-boxing
BAD_BOXES = [0x00000000_3f800000, 0xfffffffe_3f800000, 0x7fffffff_3f800000, 0xffff0000_00000000]


@pytest.mark.parametrize("reg", BAD_BOXES, ids=hex)
def test_improperly_boxed_single_reads_as_canonical_nan(m, reg):
    one = box(R.F32, 0x3f800000)
    # arithmetic: canonical NaN out, no flags (the canonical NaN is quiet)
    assert execute(m, enc("fadd.s", "f4", "f1", "f2"), [reg, one]) == (box(R.F32, 0x7fc00000), 0)
    assert execute(m, enc("fmul.s", "f4", "f2", "f1"), [reg, one]) == (box(R.F32, 0x7fc00000), 0)
    # min/max treat it as a quiet NaN: the other operand wins
    assert execute(m, enc("fmin.s", "f4", "f1", "f2"), [reg, one]) == (one, 0)
    # comparisons: feq quiet, flt signalling
    assert execute(m, enc("feq.s", "a1", "f1", "f2"), [reg, one], dest="a1") == (0, 0)
    assert execute(m, enc("flt.s", "a1", "f1", "f2"), [reg, one], dest="a1") == (0, R.NV)
    # fclass says quiet NaN; conversions see a NaN
    assert execute(m, enc("fclass.s", "a1", "f1"), [reg], dest="a1") == (1 << 9, 0)
    assert execute(m, enc("fcvt.d.s", "f4", "f1"), [reg]) == (R.F64.canonical_nan, 0)
    assert execute(m, enc("fcvt.w.s", "a1", "f1"), [reg], dest="a1") == (0x7fffffff, R.NV)
    # sign injection works on the canonical NaN
    assert execute(m, enc("fsgnjn.s", "f4", "f1", "f1"), [reg]) == (box(R.F32, 0xffc00000), 0)
    # transfers ignore the box: fmv.x.w moves the low 32 bits, sign-extended
    assert execute(m, enc("fmv.x.w", "a1", "f1"), [reg], dest="a1") == (0x3f800000 if reg & 0xffffffff else 0, 0)


def test_half_box_checked_for_zfh(m):
    bad = 0xffffffff_00003c00           # 1.0 in the low half, upper 48 bits not all ones
    one = box(R.F16, 0x3c00)
    assert execute(m, enc("fadd.h", "f4", "f1", "f2"), [bad, one]) == (box(R.F16, 0x7e00), 0)
    assert execute(m, enc("fcvt.s.h", "f4", "f1"), [bad]) == (box(R.F32, 0x7fc00000), 0)


def test_results_are_boxed(m):
    """Single and half results set all upper bits, whatever the destination held."""
    m.reg_write("f4", 0)
    got, _ = execute(m, enc("fadd.s", "f4", "f1", "f2"), [box(R.F32, 0), box(R.F32, 0)])
    assert got == 0xffffffff_00000000
    got, _ = execute(m, enc("fmv.h.x", "f4", "a0"), [], xreg=0x1234_5678)
    assert got == 0xffffffff_ffff5678


def test_dynamic_mode_reserved_frm_is_illegal(m):
    for frm in (5, 6, 7):
        m.reg_write("fcsr", frm << 5)
        m.mem_write(CODE, asm(enc("fadd.d", "f4", "f1", "f2", rm=DYN)))
        m.reg_write("pc", CODE)
        m.run(max_insns=1)
        assert m.reg_read("mcause") == 2 and m.reg_read("pc") == TRAP_VEC
    m.reg_write("fcsr", 0)


def test_flags_accrue_across_instructions(m):
    """fflags is sticky: a second instruction ORs its flags in."""
    m.reg_write("fcsr", 0)
    one, zero = R.F64.pack(0, R.F64.bias, 0), 0
    m.mem_write(CODE, asm(enc("fdiv.d", "f4", "f1", "f2"), enc("fadd.d", "f5", "f1", "f3")))
    m.reg_write("f1", one)
    m.reg_write("f2", zero)
    m.reg_write("f3", 1)               # tiny subnormal: 1 + tiny is inexact
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    assert m.reg_read("fflags") == R.DZ | R.NX
    assert m.reg_read("fcsr") == R.DZ | R.NX
