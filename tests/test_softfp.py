"""Property and edge-case tests of rvemu/_core/softfp.h against the exact model in fpref.py.

Every test checks both the public functions (which may use host-FPU fast paths) and, where
one exists, the ``*_soft`` variant that never touches the host FPU.
"""
import functools
import itertools
import os
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fpref as R

# SOFTFP_TEST_MODULE lets the same tests run against another build of the wrapper, e.g. one
# compiled with -DSOFTFP_NO_HOSTFP (the *_soft functions are checked in every build anyway).
S = pytest.importorskip(os.environ.get("SOFTFP_TEST_MODULE", "rvemu._core._softfp"))

SETTINGS = dict(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ARITH_FORMATS = [R.F16, R.F32, R.F64]
RMS = R.ROUNDING_MODES


def fmt_id(f):
    return f.name


# --------------------------------------------------------------------------- strategies
def edge_exponents(fmt):
    b, top = fmt.bias, fmt.exp_field_max
    return sorted({0, 1, 2, 3, b - 2, b - 1, b, b + 1, b + 2, top - 3, top - 2, top - 1, top,
                   fmt.mbits, fmt.mbits + 1, fmt.mbits + 2})


def edge_mantissas(fmt):
    m = fmt.mbits
    return sorted({0, 1, 2, 3, fmt.man_mask, fmt.man_mask - 1, 1 << (m - 1), (1 << (m - 1)) + 1,
                   (1 << (m - 1)) - 1, 1 << (m - 2), fmt.man_mask >> 1})


@functools.lru_cache(maxsize=None)
def fp_bits(fmt):
    """Bit patterns with a strong bias towards special values and format edges."""
    structured = st.builds(
        fmt.pack,
        st.integers(0, 1),
        st.one_of(st.sampled_from(edge_exponents(fmt)), st.integers(0, fmt.exp_field_max)),
        st.one_of(st.sampled_from(edge_mantissas(fmt)), st.integers(0, fmt.man_mask)),
    )
    return st.one_of(st.sampled_from(fmt.specials()), st.integers(0, fmt.mask), structured)


@functools.lru_cache(maxsize=None)
def finite_nonzero(fmt):
    return fp_bits(fmt).filter(lambda x: 0 < (x & ~fmt.sign_bit) < fmt.inf)


def with_exponent(fmt, bits, delta):
    """bits with its exponent field moved by delta (clamped to the finite range)."""
    e = (bits >> fmt.mbits) & fmt.exp_field_max
    e = min(max(e + delta, 1), fmt.exp_field_max - 1)
    return (bits & ~(fmt.exp_field_max << fmt.mbits)) | (e << fmt.mbits)


BIT = st.integers(0, 1)


@functools.lru_cache(maxsize=None)
def _pair_parts(fmt):
    m = fmt.mbits
    return dict(
        half_ulp=st.sampled_from([fmt.pack(0, 1, 0), fmt.pack(0, 1, 1 << (m - 1))]),
        delta=st.integers(m, m + 2),
        small=st.integers(-3, 3),
        mid_exp=st.integers(1, fmt.exp_field_max - 1),
        tie_man=st.sampled_from([1 << (m - 1), 1, 0, fmt.man_mask, 3 << (m - 2)]),
        target=st.sampled_from([1, fmt.exp_field_max - 1, 0]),
        tiny=st.integers(-2, 2),
        man=st.integers(0, fmt.man_mask),
        kind=st.integers(0, 4),
    )


@st.composite
def close_pair(draw, fmt):
    """Operand pairs whose sum is a tie, cancels massively, or sits near a boundary."""
    P = _pair_parts(fmt)
    a = draw(finite_nonzero(fmt))
    kind = draw(P["kind"])
    ea = (a >> fmt.mbits) & fmt.exp_field_max
    if kind == 0:     # b = +-(a's ulp / 2)*odd -> exact ties for add; exponent delta p..p+2
        b = with_exponent(fmt, draw(P["half_ulp"]) | (draw(BIT) << (fmt.width - 1)),
                          ea - 1 - draw(P["delta"]))
    elif kind == 1:   # nearly equal magnitudes, opposite signs -> cancellation
        b = ((a ^ fmt.sign_bit) + draw(P["small"])) & fmt.mask
    elif kind == 2:   # 1.5 * 2^k or (1 + ulp) * 2^k -> ties / near-ties for mul and div
        b = fmt.pack(draw(BIT), draw(P["mid_exp"]), draw(P["tie_man"]))
    elif kind == 3:   # product / quotient near the subnormal boundary or overflow
        eb = min(max(draw(P["target"]) - ea + fmt.bias + draw(P["tiny"]), 0), fmt.exp_field_max - 1)
        b = fmt.pack(draw(BIT), eb, draw(P["man"]))
    else:
        b = draw(fp_bits(fmt))
    if draw(st.booleans()):
        a, b = b, a
    return a, b


@functools.lru_cache(maxsize=None)
def _triple_parts(fmt):
    m = fmt.mbits
    return dict(
        kind=st.integers(0, 3), rm=st.sampled_from(RMS), small=st.integers(-2, 2),
        man=st.sampled_from([0, 1, fmt.man_mask]), d=st.integers(0, 3),
        far=st.integers(m + 2, 3 * m),
    )


@st.composite
def fma_triple(draw, fmt):
    """Triples where the addend interacts with the product (ties, cancellation, overflow,
    underflow), plus unconstrained ones."""
    P = _triple_parts(fmt)
    a, b = draw(close_pair(fmt))
    kind = draw(P["kind"])
    if kind == 0:
        c = draw(fp_bits(fmt))
    else:
        p, _ = R.mul(fmt, a, b, draw(P["rm"]))
        ep = (p >> fmt.mbits) & fmt.exp_field_max
        if kind == 1:    # c ~ -p: heavy cancellation, exact zeros, sticky-only remainders
            c = ((p ^ fmt.sign_bit) + draw(P["small"])) & fmt.mask
        elif kind == 2:  # c = half ulp of p (or a bit more/less) -> ties in the fused sum
            c = with_exponent(fmt, fmt.pack(draw(BIT), 1, draw(P["man"])),
                              ep - 1 - fmt.mbits - draw(P["d"]))
        else:            # c far below p: only contributes a sticky bit
            c = with_exponent(fmt, draw(finite_nonzero(fmt)), -draw(P["far"]))
    return a, b, c


# --------------------------------------------------------------------------- helpers
BINARY_OPS = {"add": R.add, "sub": R.sub, "mul": R.mul, "div": R.div}
FMA_OPS = {"madd": R.madd, "msub": R.msub, "nmsub": R.nmsub, "nmadd": R.nmadd}


def check_op(prefix, op, ref, fmt, *args):
    """Compare S.<prefix>_<op>(*args) and its _soft variant with ref(fmt, *args)."""
    exp = ref(fmt, *args)
    for name in (f"{prefix}_{op}", f"{prefix}_{op}_soft"):
        got = getattr(S, name)(*args)
        if got != exp:
            shown = ", ".join(hex(a) for a in args[:-1]) + f", rm={R.RM_NAMES[args[-1]]}"
            pytest.fail(f"{name}({shown}) = ({got[0]:#x}, {got[1]:#04x}), "
                        f"expected ({exp[0]:#x}, {exp[1]:#04x})")


def crafted_pairs(fmt):
    """Hand-made operand pairs for the binary operations."""
    one = fmt.pack(0, fmt.bias, 0)
    one_ulp = one + 1
    max_sub = fmt.man_mask
    min_norm = fmt.min_normal
    below_one = fmt.pack(0, fmt.bias - 1, fmt.man_mask)
    three_halves = fmt.pack(0, fmt.bias, 1 << (fmt.mbits - 1))
    half = fmt.pack(0, fmt.bias - 1, 0)
    pairs = [
        (one_ulp, max_sub),        # product just below the smallest normal: rounds up, not tiny (RNE)
        (below_one, min_norm),     # product = min_normal - half a subnormal ulp: tie, tiny
        (three_halves, 1),         # 1.5 * min subnormal: a subnormal tie
        (three_halves, 3),
        (half, 1),                 # 0.5 * min subnormal: tie between 0 and min subnormal
        (half, 3),
        (fmt.max_finite, fmt.max_finite),
        (fmt.max_finite, one_ulp),
        (fmt.max_finite, fmt.pack(0, fmt.emax + fmt.bias - fmt.mbits - 1, 0)),  # max + half ulp: tie to inf
        (fmt.max_finite, fmt.pack(0, fmt.emax + fmt.bias - fmt.mbits - 1, 1)),
        (fmt.max_finite, fmt.pack(0, fmt.emax + fmt.bias - fmt.mbits - 2, fmt.man_mask)),
        (one, fmt.pack(0, fmt.bias - fmt.mbits - 1, 0)),            # 1 + half ulp: tie to even
        (one_ulp, fmt.pack(0, fmt.bias - fmt.mbits - 1, 0)),        # tie to even, rounds up
        (one, fmt.pack(0, fmt.bias - fmt.mbits - 2, 0)),            # 1 + quarter ulp
        (one, fmt.pack(1, fmt.bias - fmt.mbits - 2, 0)),            # 1 - eighth ulp (below binade)
        (one, one | fmt.sign_bit),                                  # exact zero sum
        (min_norm, 1 | fmt.sign_bit),                               # normal - subnormal
        (fmt.pack(0, fmt.bias + fmt.mbits + 1, 0), one),            # 2^(p) + 1: tie
        (fmt.pack(0, fmt.bias + fmt.mbits + 1, 1), one),
    ]
    out = []
    for a, b in pairs:
        for sa, sb in itertools.product((0, fmt.sign_bit), repeat=2):
            out.append((a ^ sa, b ^ sb))
            out.append((b ^ sb, a ^ sa))
    return out


# --------------------------------------------------------------------------- binary ops
@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_specials_cross_product(fmt, op):
    ref = BINARY_OPS[op]
    sp = fmt.specials()
    for a in sp:
        for b in sp:
            for rm in RMS:
                check_op(fmt.name, op, ref, fmt, a, b, rm)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_crafted(fmt, op):
    ref = BINARY_OPS[op]
    for a, b in crafted_pairs(fmt):
        for rm in RMS:
            check_op(fmt.name, op, ref, fmt, a, b, rm)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_property(fmt, op):
    ref = BINARY_OPS[op]

    @settings(max_examples=250, **SETTINGS)
    @given(ab=close_pair(fmt), rm=st.sampled_from(RMS))
    def run(ab, rm):
        check_op(fmt.name, op, ref, fmt, ab[0], ab[1], rm)

    run()


def test_crafted_underflow_cases_have_expected_flags():
    """Spot-check the reference itself on the after-rounding tininess cases."""
    f = R.F32
    # (1 + 2^-23) * (2^-126 - 2^-149) = 2^-126 (1 - 2^-46): rounds to 2^-126, not tiny under RNE
    assert R.mul(f, 0x3F800001, 0x007FFFFF, R.RNE) == (0x00800000, R.NX)
    assert R.mul(f, 0x3F800001, 0x007FFFFF, R.RTZ) == (0x007FFFFF, R.NX | R.UF)
    assert R.mul(f, 0x3F800001, 0x007FFFFF, R.RUP) == (0x00800000, R.NX)
    # (1 - 2^-24) * 2^-126: a tie between max subnormal and 2^-126; tiny after rounding
    assert R.mul(f, 0x3F7FFFFF, 0x00800000, R.RNE) == (0x00800000, R.NX | R.UF)
    assert R.mul(f, 0x3F7FFFFF, 0x00800000, R.RMM) == (0x00800000, R.NX | R.UF)
    assert R.mul(f, 0x3F7FFFFF, 0x00800000, R.RDN) == (0x007FFFFF, R.NX | R.UF)
    # overflow
    assert R.mul(f, 0x7F7FFFFF, 0x40000000, R.RTZ) == (0x7F7FFFFF, R.OF | R.NX)
    assert R.mul(f, 0xFF7FFFFF, 0x40000000, R.RDN) == (0xFF800000, R.OF | R.NX)
    assert R.mul(f, 0xFF7FFFFF, 0x40000000, R.RUP) == (0xFF7FFFFF, R.OF | R.NX)
    assert R.mul(f, 0x7F7FFFFF, 0x40000000, R.RDN) == (0x7F7FFFFF, R.OF | R.NX)
    # exact zero sign
    assert R.add(f, 0x3F800000, 0xBF800000, R.RDN) == (0x80000000, 0)
    assert R.add(f, 0x3F800000, 0xBF800000, R.RNE) == (0x00000000, 0)
    assert R.add(f, 0x80000000, 0x80000000, R.RNE) == (0x80000000, 0)
    assert R.sub(f, 0x00000000, 0x00000000, R.RDN) == (0x80000000, 0)
    # division by zero, invalid
    assert R.div(f, 0x3F800000, 0x80000000, R.RNE) == (0xFF800000, R.DZ)
    assert R.div(f, 0x00000000, 0x80000000, R.RNE) == (0x7FC00000, R.NV)
    assert R.sqrt(f, 0x80000000, R.RNE) == (0x80000000, 0)
    assert R.sqrt(f, 0xBF800000, R.RNE) == (0x7FC00000, R.NV)
    assert R.sqrt(f, 0x40000000, R.RNE) == (0x3FB504F3, R.NX)


# --------------------------------------------------------------------------- sqrt
@pytest.mark.parametrize("fmt", [R.F32, R.F64], ids=fmt_id)
def test_sqrt_property(fmt):
    @settings(max_examples=300, **SETTINGS)
    @given(a=fp_bits(fmt), rm=st.sampled_from(RMS))
    def run(a, rm):
        check_op(fmt.name, "sqrt", R.sqrt, fmt, a, rm)

    run()


@pytest.mark.parametrize("fmt", [R.F32, R.F64], ids=fmt_id)
def test_sqrt_specials_and_squares(fmt):
    cases = list(fmt.specials())
    rng = random.Random(fmt.width)
    for _ in range(100):   # exact squares and their neighbours
        m = rng.getrandbits(fmt.prec // 2) | 1
        e = rng.randrange(-(fmt.bias // 2) + 2, (fmt.bias - fmt.prec) // 2 - 2)
        x = R.encode_exact(fmt, Fraction(m * m) * Fraction(2) ** (2 * e))
        cases += [x, x + 1, x - 1]
    for a in cases:
        for rm in RMS:
            check_op(fmt.name, "sqrt", R.sqrt, fmt, a, rm)


# --------------------------------------------------------------------------- fma
@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(FMA_OPS))
def test_fma_specials(fmt, op):
    ref = FMA_OPS[op]
    one = fmt.pack(0, fmt.bias, 0)
    sp = [0, fmt.sign_bit, 1, fmt.sign_bit | fmt.man_mask, fmt.min_normal, one, one | fmt.sign_bit,
          fmt.max_finite, fmt.max_finite | fmt.sign_bit, fmt.inf, fmt.inf | fmt.sign_bit,
          fmt.canonical_nan, fmt.inf | 1]
    for a, b, c in itertools.product(sp, repeat=3):
        for rm in RMS:
            check_op(fmt.name, op, ref, fmt, a, b, c, rm)


def test_fma_inf_times_zero_plus_qnan_is_invalid():
    for fmt in ARITH_FORMATS:
        for op in FMA_OPS:
            for a, b in ((fmt.inf, 0), (0, fmt.inf | fmt.sign_bit)):
                for name in (f"{fmt.name}_{op}", f"{fmt.name}_{op}_soft"):
                    assert getattr(S, name)(a, b, fmt.canonical_nan, 0) == (fmt.canonical_nan, R.NV)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(FMA_OPS))
def test_fma_crafted(fmt, op):
    ref = FMA_OPS[op]
    one = fmt.pack(0, fmt.bias, 0)
    adds = [0, fmt.sign_bit, 1, 1 | fmt.sign_bit, fmt.min_normal | fmt.sign_bit, one | fmt.sign_bit,
            fmt.max_finite | fmt.sign_bit, fmt.max_finite]
    for (a, b) in crafted_pairs(fmt)[::2]:
        for c in adds:
            for rm in RMS:
                check_op(fmt.name, op, ref, fmt, a, b, c, rm)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("op", list(FMA_OPS))
def test_fma_property(fmt, op):
    ref = FMA_OPS[op]

    @settings(max_examples=150, **SETTINGS)
    @given(abc=fma_triple(fmt), rm=st.sampled_from(RMS))
    def run(abc, rm):
        check_op(fmt.name, op, ref, fmt, *abc, rm)

    run()


# --------------------------------------------------------------------------- min / max / compare / classify
def check_plain(name, ref_value, *args):
    got = getattr(S, name)(*args)
    assert got == ref_value, f"{name}{tuple(hex(a) for a in args)} = {got}, expected {ref_value}"


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
def test_minmax_compare_specials(fmt):
    sp = fmt.specials()
    for a in sp:
        check_plain(f"{fmt.name}_classify", R.classify(fmt, a), a)
        for b in sp:
            check_plain(f"{fmt.name}_min", R.fmin(fmt, a, b), a, b)
            check_plain(f"{fmt.name}_max", R.fmax(fmt, a, b), a, b)
            check_plain(f"{fmt.name}_eq", R.feq(fmt, a, b), a, b)
            check_plain(f"{fmt.name}_lt", R.flt(fmt, a, b), a, b)
            check_plain(f"{fmt.name}_le", R.fle(fmt, a, b), a, b)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
def test_minmax_compare_property(fmt):
    @settings(max_examples=200, **SETTINGS)
    @given(ab=close_pair(fmt))
    def run(ab):
        a, b = ab
        check_plain(f"{fmt.name}_min", R.fmin(fmt, a, b), a, b)
        check_plain(f"{fmt.name}_max", R.fmax(fmt, a, b), a, b)
        check_plain(f"{fmt.name}_eq", R.feq(fmt, a, b), a, b)
        check_plain(f"{fmt.name}_lt", R.flt(fmt, a, b), a, b)
        check_plain(f"{fmt.name}_le", R.fle(fmt, a, b), a, b)
        check_plain(f"{fmt.name}_classify", R.classify(fmt, a), a)
        check_plain(f"{fmt.name}_is_nan", int(R.is_nan(fmt, a)), a)
        check_plain(f"{fmt.name}_is_snan", int(R.is_snan(fmt, a)), a)

    run()


def test_minmax_rules():
    f = R.F32
    assert S.f32_min(0x80000000, 0x00000000) == (0x80000000, 0)
    assert S.f32_min(0x00000000, 0x80000000) == (0x80000000, 0)
    assert S.f32_max(0x80000000, 0x00000000) == (0x00000000, 0)
    assert S.f32_max(0x7FC00000, 0x3F800000) == (0x3F800000, 0)
    assert S.f32_min(0x7F800001, 0x3F800000) == (0x3F800000, R.NV)
    assert S.f32_min(0x7FC00001, 0xFFC00000) == (f.canonical_nan, 0)
    assert S.f32_max(0x7F800001, 0x7FC00000) == (f.canonical_nan, R.NV)
    assert S.f32_eq(0x7FC00000, 0x7FC00000) == (0, 0)
    assert S.f32_eq(0x7F800001, 0x7FC00000) == (0, R.NV)
    assert S.f32_lt(0x7FC00000, 0x3F800000) == (0, R.NV)
    assert S.f32_le(0x3F800000, 0x7FC00000) == (0, R.NV)
    assert S.f32_eq(0x80000000, 0x00000000) == (1, 0)
    assert S.f32_le(0x00000000, 0x80000000) == (1, 0)
    assert S.f32_lt(0x80000000, 0x00000000) == (0, 0)


# --------------------------------------------------------------------------- float <-> float
CONVERSIONS = [(R.F16, R.F32), (R.F16, R.F64), (R.F32, R.F16), (R.F32, R.F64),
               (R.F64, R.F16), (R.F64, R.F32), (R.F32, R.BF16), (R.BF16, R.F32)]


def conversion_edges(src, dst):
    """Source values around the destination's overflow, underflow and subnormal range."""
    out = list(src.specials())
    if src.width <= dst.width:
        return out
    for e in (dst.emin - dst.mbits - 2, dst.emin - dst.mbits - 1, dst.emin - dst.mbits,
              dst.emin - dst.mbits + 1, dst.emin - 2, dst.emin - 1, dst.emin, dst.emax, dst.emax + 1):
        base = Fraction(2) ** e
        if e > src.emax:
            continue
        x = R.encode_exact(src, base)
        out += [x, x + 1, x - 1, x | (1 << (src.mbits - dst.mbits - 1)),
                x | ((1 << (src.mbits - dst.mbits - 1)) - 1), x | ((1 << (src.mbits - dst.mbits)) - 1),
                (x | (1 << (src.mbits - dst.mbits - 1))) + 1]
    # just below the destination's smallest normal / largest finite
    for v in (Fraction(2) ** dst.emin, R.to_fraction(dst, dst.max_finite) +
              Fraction(2) ** (dst.emax - dst.mbits - 1)):
        x = R.encode_exact(src, v)
        out += [x - 1, x - 2, x + 1]
    out = [o & src.mask for o in out]
    return sorted(set(out + [o ^ src.sign_bit for o in out]))


@pytest.mark.parametrize("src,dst", CONVERSIONS, ids=lambda f: f.name)
def test_convert_edges(src, dst):
    name = f"{src.name}_to_{dst.name}"
    for a in conversion_edges(src, dst):
        for rm in RMS:
            assert getattr(S, name)(a, rm) == R.convert(src, dst, a, rm), (name, hex(a), rm)


@pytest.mark.parametrize("src,dst", [c for c in CONVERSIONS if c[0].width > 16],
                         ids=lambda f: f.name)
def test_convert_property(src, dst):
    name = f"{src.name}_to_{dst.name}"
    lo_e = dst.emin - dst.mbits - 3 + src.bias
    hi_e = dst.emax + 2 + src.bias
    near = st.builds(src.pack, st.integers(0, 1),
                     st.integers(max(lo_e, 0), min(hi_e, src.exp_field_max)),
                     st.integers(0, src.man_mask))

    @settings(max_examples=400, **SETTINGS)
    @given(a=st.one_of(fp_bits(src), near), rm=st.sampled_from(RMS))
    def run(a, rm):
        assert getattr(S, name)(a, rm) == R.convert(src, dst, a, rm), (name, hex(a), rm)

    run()


# --------------------------------------------------------------------------- float <-> int
INT_KINDS = list(R.INT_TYPES)


def int_boundary_floats(fmt):
    """Floats at and around the integer-range boundaries, +-0.5, +-1 and friends."""
    vals = set(fmt.specials())
    points = [Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1), Fraction(3, 2),
              Fraction(2), Fraction(5, 2)]
    for k in (31, 32, 63, 64):
        points += [Fraction(2) ** k, Fraction(2) ** k - 1, Fraction(2) ** k + 1, Fraction(2) ** k - Fraction(1, 2)]
    for p in points:
        for v in (p, -p):
            if v == 0:
                continue
            for rm in (R.RDN, R.RUP):
                bits, fl = R.round_value(fmt, v, rm)
                if bits & ~fmt.sign_bit < fmt.inf:
                    vals.update({bits, (bits + 1) & fmt.mask, (bits - 1) & fmt.mask})
    return sorted(vals)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("kind", INT_KINDS)
def test_to_int_boundaries(fmt, kind):
    width, signed = R.INT_TYPES[kind]
    name = f"{fmt.name}_to_{kind}"
    for a in int_boundary_floats(fmt):
        for rm in RMS:
            assert getattr(S, name)(a, rm) == R.to_int(fmt, a, rm, width, signed), (name, hex(a), rm)


@pytest.mark.parametrize("fmt", [R.F32, R.F64], ids=fmt_id)
@pytest.mark.parametrize("kind", INT_KINDS)
def test_to_int_property(fmt, kind):
    width, signed = R.INT_TYPES[kind]
    name = f"{fmt.name}_to_{kind}"
    # exponents spanning fractions, the whole integer range and just beyond
    in_range = st.builds(fmt.pack, st.integers(0, 1), st.integers(fmt.bias - 3, fmt.bias + 66),
                         st.one_of(st.integers(0, fmt.man_mask), st.sampled_from(edge_mantissas(fmt))))

    @settings(max_examples=200, **SETTINGS)
    @given(a=st.one_of(in_range, fp_bits(fmt)), rm=st.sampled_from(RMS))
    def run(a, rm):
        assert getattr(S, name)(a, rm) == R.to_int(fmt, a, rm, width, signed), (name, hex(a), rm)

    run()


def test_to_int_rules():
    f = R.F64
    neg_small = R.encode_exact(f, Fraction(-1, 4))
    assert S.f64_to_u32(neg_small, R.RNE) == (0, R.NX)          # -0.25 -> 0, only NX
    assert S.f64_to_u32(neg_small, R.RDN) == (0, R.NV)          # rounds to -1: invalid
    assert S.f64_to_u64(R.encode_exact(f, Fraction(-1)), R.RNE) == (0, R.NV)
    assert S.f64_to_i32(f.canonical_nan, R.RNE) == (0x7FFFFFFF, R.NV)
    assert S.f64_to_i32(f.inf | f.sign_bit, R.RNE) == (0x80000000, R.NV)
    assert S.f64_to_u32(f.inf | f.sign_bit, R.RNE) == (0, R.NV)
    assert S.f64_to_u64(f.canonical_nan | f.sign_bit, R.RNE) == (2 ** 64 - 1, R.NV)
    assert S.f64_to_i64(R.encode_exact(f, Fraction(-2) ** 63), R.RNE) == (1 << 63, 0)
    assert S.f64_to_i64(R.encode_exact(f, Fraction(2) ** 63), R.RNE) == ((1 << 63) - 1, R.NV)
    # -2^31 - 0.5 rounds (to even) to -2^31; -2^31 - 1.5 rounds to -2^31 - 2: out of range
    assert S.f64_to_i32(R.encode_exact(f, Fraction(-2 ** 32 - 1, 2)), R.RNE) == (0x80000000, R.NX)
    assert S.f64_to_i32(R.encode_exact(f, Fraction(-2 ** 32 - 3, 2)), R.RNE) == (0x80000000, R.NV)
    assert S.f64_to_i32(R.encode_exact(f, Fraction(2 ** 32 - 1, 2)), R.RNE) == (0x7FFFFFFF, R.NV)
    assert S.f64_to_i32(R.encode_exact(f, Fraction(2 ** 32 - 3, 2)), R.RTZ) == (0x7FFFFFFE, R.NX)


def int_boundaries():
    vals = {0, 1, -1, 2, 3, 5, 7}
    for k in (11, 12, 24, 25, 31, 32, 53, 54, 63, 64):
        for d in (-3, -2, -1, 0, 1, 2, 3):
            vals.update({2 ** k + d, -(2 ** k) + d})
    for k in range(1, 64):   # ties: 2^k + 2^(k-p) patterns
        for p in (11, 12, 24, 25, 53, 54):
            if k > p:
                vals.update({2 ** k + 2 ** (k - p), 2 ** k + 3 * 2 ** (k - p), 2 ** k - 2 ** (k - p - 1)})
    vals.update({65504, 65519, 65520, 65521, 2 ** 64 - 1, 2 ** 64 - 2 ** 10, 2 ** 63 - 2 ** 9})
    return sorted(vals | {-v for v in vals})


INT_SRC = {"i32": (-(2 ** 31), 2 ** 31 - 1), "u32": (0, 2 ** 32 - 1),
           "i64": (-(2 ** 63), 2 ** 63 - 1), "u64": (0, 2 ** 64 - 1)}


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("kind", INT_KINDS)
def test_from_int_boundaries(fmt, kind):
    lo, hi = INT_SRC[kind]
    name = f"{kind}_to_{fmt.name}"
    for v in int_boundaries():
        if lo <= v <= hi:
            for rm in RMS:
                assert getattr(S, name)(v, rm) == R.from_int(fmt, v, rm), (name, v, rm)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
@pytest.mark.parametrize("kind", INT_KINDS)
def test_from_int_property(fmt, kind):
    lo, hi = INT_SRC[kind]
    name = f"{kind}_to_{fmt.name}"

    @settings(max_examples=150, **SETTINGS)
    @given(v=st.one_of(st.integers(lo, hi),
                       st.integers(0, 63).flatmap(lambda k: st.integers(max(lo, -(2 ** k)), min(hi, 2 ** k)))),
           rm=st.sampled_from(RMS))
    def run(v, rm):
        assert getattr(S, name)(v, rm) == R.from_int(fmt, v, rm), (name, v, rm)

    run()


# --------------------------------------------------------------------------- bulk seeded random
class EdgeRandom:
    """Cheap edge-biased generator (plain `random`, fixed seed) for bulk checks; the
    hypothesis tests above are slower per case but shrink failures."""

    def __init__(self, fmt, seed):
        self.f = fmt
        self.rng = random.Random(seed)
        self.sp = fmt.specials()
        self.exps = edge_exponents(fmt)
        self.mans = edge_mantissas(fmt)

    def any(self):
        f, rng = self.f, self.rng
        c = rng.random()
        if c < 0.1:
            return rng.choice(self.sp)
        if c < 0.4:
            return rng.getrandbits(f.width)
        e = rng.choice(self.exps) if rng.random() < 0.3 else rng.randrange(f.exp_field_max + 1)
        m = rng.choice(self.mans) if rng.random() < 0.3 else rng.getrandbits(f.mbits)
        return f.pack(rng.getrandbits(1), e, m)

    def finite(self):
        while True:
            x = self.any()
            if 0 < x & ~self.f.sign_bit < self.f.inf:
                return x

    def pair(self):
        f, rng = self.f, self.rng
        a = self.finite()
        ea = (a >> f.mbits) & f.exp_field_max
        k = rng.randrange(5)
        if k == 0:
            b = with_exponent(f, f.pack(rng.getrandbits(1), 1, rng.choice([0, 1 << (f.mbits - 1)])),
                              ea - 1 - rng.randrange(f.mbits, f.mbits + 3))
        elif k == 1:
            b = ((a ^ f.sign_bit) + rng.randrange(-3, 4)) & f.mask
        elif k == 2:
            b = f.pack(rng.getrandbits(1), rng.randrange(1, f.exp_field_max),
                       rng.choice([1 << (f.mbits - 1), 1, 0, f.man_mask, 3 << (f.mbits - 2)]))
        elif k == 3:
            eb = rng.choice([1, f.exp_field_max - 1, 0]) - ea + f.bias + rng.randrange(-2, 3)
            b = f.pack(rng.getrandbits(1), min(max(eb, 0), f.exp_field_max - 1), rng.getrandbits(f.mbits))
        else:
            b = self.any()
        return (a, b) if rng.getrandbits(1) else (b, a)

    def triple(self):
        f, rng = self.f, self.rng
        a, b = self.pair()
        k = rng.randrange(4)
        if k == 0:
            return a, b, self.any()
        p, _ = R.mul(f, a, b, rng.randrange(5))
        ep = (p >> f.mbits) & f.exp_field_max
        if k == 1:
            c = ((p ^ f.sign_bit) + rng.randrange(-2, 3)) & f.mask
        elif k == 2:
            c = with_exponent(f, f.pack(rng.getrandbits(1), 1, rng.choice([0, 1, f.man_mask])),
                              ep - 1 - f.mbits - rng.randrange(4))
        else:
            c = with_exponent(f, self.finite(), -rng.randrange(f.mbits + 2, 3 * f.mbits))
        return a, b, c


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
def test_bulk_random_arith(fmt):
    g = EdgeRandom(fmt, 1000 + fmt.width)
    for _ in range(3000):
        rm = g.rng.randrange(5)
        a, b = g.pair()
        for op, ref in BINARY_OPS.items():
            check_op(fmt.name, op, ref, fmt, a, b, rm)
        check_op(fmt.name, "sqrt", R.sqrt, fmt, a & ~fmt.sign_bit, rm)
        a, b, c = g.triple()
        for op, ref in FMA_OPS.items():
            check_op(fmt.name, op, ref, fmt, a, b, c, rm)


@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
def test_bulk_random_conversions(fmt):
    g = EdgeRandom(fmt, 2000 + fmt.width)
    others = [d for d in ARITH_FORMATS if d is not fmt] + ([R.BF16] if fmt is R.F32 else [])
    for _ in range(3000):
        rm = g.rng.randrange(5)
        a = g.any()
        if g.rng.random() < 0.5:   # exponents in and around the integer ranges
            a = fmt.pack(g.rng.getrandbits(1), min(fmt.bias + g.rng.randrange(-3, 67), fmt.exp_field_max),
                         g.rng.getrandbits(fmt.mbits))
        for kind in INT_KINDS:
            width, signed = R.INT_TYPES[kind]
            assert getattr(S, f"{fmt.name}_to_{kind}")(a, rm) == R.to_int(fmt, a, rm, width, signed), \
                (kind, hex(a), rm)
        for d in others:
            assert getattr(S, f"{fmt.name}_to_{d.name}")(a, rm) == R.convert(fmt, d, a, rm), \
                (d.name, hex(a), rm)
        v = g.rng.choice([g.rng.getrandbits(64), g.rng.getrandbits(g.rng.randrange(1, 65))])
        for kind, (lo, hi) in INT_SRC.items():
            w = v if lo == 0 else v - (1 << 63)
            w = min(max(w, lo), hi) if g.rng.random() < 0.1 else (w % (hi - lo + 1)) + lo
            assert getattr(S, f"{kind}_to_{fmt.name}")(w, rm) == R.from_int(fmt, w, rm), (kind, w, rm)


# --------------------------------------------------------------------------- fast path vs soft
@pytest.mark.parametrize("fmt", ARITH_FORMATS, ids=fmt_id)
def test_fast_path_matches_soft_random(fmt):
    """Bulk random agreement of the host fast paths with the pure-software code."""
    rng = random.Random(12345 + fmt.width)
    ops2 = ["add", "sub", "mul", "div"]
    ops3 = list(FMA_OPS)

    def rnd():
        c = rng.random()
        if c < 0.15:
            return rng.choice(fmt.specials())
        if c < 0.6:
            return rng.getrandbits(fmt.width)
        # exponents clustered so that operations interact (and products underflow/overflow)
        e = rng.choice([rng.randrange(1, 4), rng.randrange(fmt.bias - 8, fmt.bias + 8),
                        rng.randrange(fmt.exp_field_max - 4, fmt.exp_field_max), 0,
                        rng.randrange(fmt.bias // 2 - 4, fmt.bias // 2 + 4)])
        return fmt.pack(rng.getrandbits(1), e, rng.getrandbits(fmt.mbits))

    for _ in range(20000):
        a, b, c = rnd(), rnd(), rnd()
        rm = rng.randrange(5)
        for op in ops2:
            fast = getattr(S, f"{fmt.name}_{op}")(a, b, rm)
            soft = getattr(S, f"{fmt.name}_{op}_soft")(a, b, rm)
            assert fast == soft, (op, hex(a), hex(b), rm, fast, soft)
        fast = getattr(S, f"{fmt.name}_sqrt")(a, rm)
        assert fast == getattr(S, f"{fmt.name}_sqrt_soft")(a, rm), ("sqrt", hex(a), rm)
        op = ops3[rng.randrange(4)]
        fast = getattr(S, f"{fmt.name}_{op}")(a, b, c, rm)
        soft = getattr(S, f"{fmt.name}_{op}_soft")(a, b, c, rm)
        assert fast == soft, (op, hex(a), hex(b), hex(c), rm, fast, soft)


def test_hostfp_report():
    # informational: depends on the build and the host
    assert S.softfp_hostfp_enabled() in (0, 1)
