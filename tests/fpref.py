"""Exact reference model of RISC-V floating-point arithmetic (F, D, Zfh, Zfbfmin).

Written from the IEEE 754 / RISC-V unprivileged specifications using only Python integers
and ``fractions.Fraction`` (never the host FPU), so it can serve as an oracle for the C
library ``rvemu/_core/softfp.h``.

Every operation takes raw bit patterns and a rounding mode and returns ``(bits, flags)``
(comparisons return ``(0/1, flags)``; ``classify`` returns the fclass mask).

RISC-V specifics modelled here:
  * tininess is detected after rounding; UF is raised only for tiny *and* inexact results;
  * every NaN result is the canonical NaN; signalling-NaN inputs raise NV;
  * FMA raises NV for inf * 0 even when the addend is a quiet NaN;
  * an exact zero sum of operands with different signs is +0, except -0 under RDN;
  * fmin/fmax are minimumNumber/maximumNumber with -0 < +0;
  * float -> int saturates (NaN counts as +inf) and raises NV instead of NX.
"""
from fractions import Fraction
import math

NX, UF, OF, DZ, NV = 0x01, 0x02, 0x04, 0x08, 0x10
RNE, RTZ, RDN, RUP, RMM = range(5)
ROUNDING_MODES = (RNE, RTZ, RDN, RUP, RMM)
RM_NAMES = ("RNE", "RTZ", "RDN", "RUP", "RMM")


class Fmt:
    """An IEEE 754 binary interchange format with `ebits` exponent and `mbits` fraction bits."""

    def __init__(self, name, ebits, mbits):
        self.name = name
        self.ebits = ebits
        self.mbits = mbits
        self.width = 1 + ebits + mbits
        self.prec = mbits + 1
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias          # exponent of the smallest normal
        self.emax = self.bias              # exponent of the largest finite
        self.sign_bit = 1 << (ebits + mbits)
        self.exp_field_max = (1 << ebits) - 1
        self.man_mask = (1 << mbits) - 1
        self.inf = self.exp_field_max << mbits
        self.quiet_bit = 1 << (mbits - 1)
        self.canonical_nan = self.inf | self.quiet_bit
        self.max_finite = self.inf - 1
        self.min_normal = 1 << mbits
        self.mask = (1 << self.width) - 1

    def __repr__(self):
        return self.name

    # handy bit patterns used by the tests
    def pack(self, sign, exp_field, man):
        return (sign << (self.ebits + self.mbits)) | (exp_field << self.mbits) | man

    def specials(self):
        """A list of interesting bit patterns (both signs)."""
        m = self.mbits
        pos = [
            0, 1, 2, 3, self.man_mask - 1, self.man_mask,          # zero, subnormals
            self.min_normal, self.min_normal + 1, self.min_normal | self.man_mask,
            self.pack(0, self.bias, 0),                              # 1.0
            self.pack(0, self.bias, 1), self.pack(0, self.bias - 1, self.man_mask),
            self.pack(0, self.bias, 1 << (m - 1)),                   # 1.5
            self.pack(0, self.bias + 1, 0),                          # 2.0
            self.pack(0, self.bias - 1, 0),                          # 0.5
            self.pack(0, self.bias + 2, 1 << (m - 2)),               # 5.0
            self.pack(0, self.bias - 2, self.man_mask),
            self.max_finite - 1, self.max_finite,
            self.pack(0, self.exp_field_max - 1, 0),
            self.inf,
            self.canonical_nan, self.canonical_nan | 1, self.inf | self.man_mask,  # qNaNs
            self.inf | 1, self.inf | (self.quiet_bit >> 1), self.inf | (self.quiet_bit - 1),  # sNaNs
        ]
        return sorted(set(pos + [p | self.sign_bit for p in pos]))


F16 = Fmt("f16", 5, 10)
BF16 = Fmt("bf16", 8, 7)
F32 = Fmt("f32", 8, 23)
F64 = Fmt("f64", 11, 52)
FORMATS = {f.name: f for f in (F16, BF16, F32, F64)}


# --------------------------------------------------------------------------- decoding
class Val:
    """A decoded floating-point datum: kind is 'nan', 'inf', 'zero' or 'num'."""

    __slots__ = ("kind", "sign", "value", "snan")

    def __init__(self, kind, sign, value=None, snan=False):
        self.kind = kind
        self.sign = sign          # 0 or 1
        self.value = value        # exact signed Fraction for 'num'
        self.snan = snan

    def __repr__(self):
        return f"Val({self.kind}, {self.sign}, {self.value}, snan={self.snan})"

    @property
    def is_nan(self):
        return self.kind == "nan"


def _pow2(e):
    return Fraction(1 << e) if e >= 0 else Fraction(1, 1 << -e)


def decode(fmt, bits):
    sign = (bits >> (fmt.ebits + fmt.mbits)) & 1
    ef = (bits >> fmt.mbits) & fmt.exp_field_max
    man = bits & fmt.man_mask
    if ef == fmt.exp_field_max:
        if man == 0:
            return Val("inf", sign)
        return Val("nan", sign, snan=not (man & fmt.quiet_bit))
    if ef == 0:
        if man == 0:
            return Val("zero", sign)
        mag = man * _pow2(fmt.emin - fmt.mbits)
    else:
        mag = ((1 << fmt.mbits) | man) * _pow2(ef - fmt.bias - fmt.mbits)
    return Val("num", sign, -mag if sign else mag)


def to_fraction(fmt, bits):
    """Exact value of a finite datum (zero included)."""
    v = decode(fmt, bits)
    if v.kind == "zero":
        return Fraction(0)
    if v.kind != "num":
        raise ValueError("not finite")
    return v.value


def is_nan(fmt, bits):
    return decode(fmt, bits).kind == "nan"


def is_snan(fmt, bits):
    v = decode(fmt, bits)
    return v.kind == "nan" and v.snan


# --------------------------------------------------------------------------- rounding
def _floor_log2(x):
    """floor(log2(x)) for a positive Fraction."""
    n, d = x.numerator, x.denominator
    e = n.bit_length() - d.bit_length()
    # now 2^(e-1) < n/d < 2^(e+1)
    if e >= 0:
        if n < (d << e):
            e -= 1
    else:
        if (n << -e) < d:
            e -= 1
    return e


def _round_to_integer(x, rm, negative):
    """Round the non-negative Fraction x to an integer. Returns (q, inexact)."""
    q, r = divmod(x.numerator, x.denominator)
    if r == 0:
        return q, False
    d = x.denominator
    if rm == RNE:
        up = 2 * r > d or (2 * r == d and q & 1)
    elif rm == RTZ:
        up = False
    elif rm == RDN:
        up = negative
    elif rm == RUP:
        up = not negative
    elif rm == RMM:
        up = 2 * r >= d
    else:
        raise ValueError(rm)
    return q + (1 if up else 0), True


def overflow_result(fmt, sign, rm):
    to_max = rm == RTZ or (rm == RDN and not sign) or (rm == RUP and sign)
    mag = fmt.max_finite if to_max else fmt.inf
    return (sign << (fmt.width - 1)) | mag, OF | NX


def round_value(fmt, x, rm):
    """Round the exact non-zero rational x to fmt. Returns (bits, flags)."""
    x = Fraction(x)
    if x == 0:
        raise ValueError("round_value needs a non-zero value")
    sign = 1 if x < 0 else 0
    a = -x if sign else x
    M = fmt.mbits
    e = _floor_log2(a)
    # tininess after rounding: round to `prec` bits with an unbounded exponent range
    q_unb, _ = _round_to_integer(a / _pow2(e - M), rm, sign)
    e_unb = e + 1 if q_unb == (1 << (M + 1)) else e
    tiny = e_unb < fmt.emin
    # actual rounding: the quantum is fixed at 2^(emin - M) below the normal range
    qexp = max(e, fmt.emin) - M
    q, inexact = _round_to_integer(a / _pow2(qexp), rm, sign)
    flags = 0
    if inexact:
        flags |= NX
        if tiny:
            flags |= UF
    if q == (1 << (M + 1)):
        q >>= 1
        qexp += 1
    if q >= (1 << M):  # normal
        exp_field = qexp + M + fmt.bias
        if exp_field >= fmt.exp_field_max:
            return overflow_result(fmt, sign, rm)
        bits = (exp_field << M) | (q - (1 << M))
    else:              # subnormal or zero
        bits = q
    return (sign << (fmt.width - 1)) | bits, flags


def encode_exact(fmt, x, zero_sign=0):
    """Encode an exactly representable value (raises if rounding would be needed)."""
    if x == 0:
        return zero_sign << (fmt.width - 1)
    bits, flags = round_value(fmt, x, RNE)
    if flags:
        raise ValueError(f"{x} is not exactly representable in {fmt}")
    return bits


def _result(fmt, x, rm, zero_sign):
    if x == 0:
        return zero_sign << (fmt.width - 1), 0
    return round_value(fmt, x, rm)


def _exact_zero_sign(sa, sb, rm):
    """Sign of an exact zero sum of two terms with signs sa, sb (IEEE 754 6.3)."""
    if sa == sb:
        return sa
    return 1 if rm == RDN else 0


def _val(v):
    return Fraction(0) if v.kind == "zero" else v.value


# --------------------------------------------------------------------------- arithmetic
def _nan_result(fmt, *vals, invalid=False):
    flags = NV if invalid or any(v.is_nan and v.snan for v in vals) else 0
    return fmt.canonical_nan, flags


def _add_vals(fmt, va, vb, rm):
    if va.is_nan or vb.is_nan:
        return _nan_result(fmt, va, vb)
    if va.kind == "inf" and vb.kind == "inf":
        if va.sign != vb.sign:
            return fmt.canonical_nan, NV
        return encode_inf(fmt, va.sign), 0
    if va.kind == "inf":
        return encode_inf(fmt, va.sign), 0
    if vb.kind == "inf":
        return encode_inf(fmt, vb.sign), 0
    x = _val(va) + _val(vb)
    if x == 0:
        if va.kind == "zero" and vb.kind == "zero":
            zs = _exact_zero_sign(va.sign, vb.sign, rm)
        else:
            zs = 1 if rm == RDN else 0
        return zs << (fmt.width - 1), 0
    return round_value(fmt, x, rm)


def encode_inf(fmt, sign):
    return (sign << (fmt.width - 1)) | fmt.inf


def _negate(v):
    if v.kind == "num":
        return Val("num", 1 - v.sign, -v.value)
    return Val(v.kind, 1 - v.sign, v.value, v.snan)


def add(fmt, a, b, rm):
    return _add_vals(fmt, decode(fmt, a), decode(fmt, b), rm)


def sub(fmt, a, b, rm):
    return _add_vals(fmt, decode(fmt, a), _negate(decode(fmt, b)), rm)


def mul(fmt, a, b, rm):
    va, vb = decode(fmt, a), decode(fmt, b)
    if va.is_nan or vb.is_nan:
        return _nan_result(fmt, va, vb)
    sign = va.sign ^ vb.sign
    kinds = {va.kind, vb.kind}
    if "inf" in kinds:
        if "zero" in kinds:
            return fmt.canonical_nan, NV
        return encode_inf(fmt, sign), 0
    if "zero" in kinds:
        return sign << (fmt.width - 1), 0
    return round_value(fmt, va.value * vb.value, rm)


def div(fmt, a, b, rm):
    va, vb = decode(fmt, a), decode(fmt, b)
    if va.is_nan or vb.is_nan:
        return _nan_result(fmt, va, vb)
    sign = va.sign ^ vb.sign
    if va.kind == "inf":
        if vb.kind == "inf":
            return fmt.canonical_nan, NV
        return encode_inf(fmt, sign), 0
    if vb.kind == "inf":
        return sign << (fmt.width - 1), 0
    if vb.kind == "zero":
        if va.kind == "zero":
            return fmt.canonical_nan, NV
        return encode_inf(fmt, sign), DZ
    if va.kind == "zero":
        return sign << (fmt.width - 1), 0
    return round_value(fmt, va.value / vb.value, rm)


def sqrt(fmt, a, rm):
    va = decode(fmt, a)
    if va.is_nan:
        return _nan_result(fmt, va)
    if va.kind == "zero":
        return a, 0                         # sqrt(+-0) = +-0
    if va.sign:
        return fmt.canonical_nan, NV        # negative non-zero, including -inf
    if va.kind == "inf":
        return a, 0
    x = va.value                            # positive, denominator a power of two
    # choose k so that x * 4^k is an integer and sqrt(x) * 2^k has >= prec + 3 bits
    k = (x.denominator.bit_length() - 1 + 1) // 2
    k = max(k, fmt.prec + 3 - _floor_log2(x) // 2 + 2)
    n = x * Fraction(4) ** k
    assert n.denominator == 1
    n = n.numerator
    r = math.isqrt(n)
    if r * r == n:
        return round_value(fmt, Fraction(r, 1 << k), rm)
    # the true root lies strictly inside (r, r+1) / 2^k, an interval containing no rounding
    # boundary (those are multiples of 2^-k here); its midpoint rounds the same way.
    return round_value(fmt, Fraction(2 * r + 1, 1 << (k + 1)), rm)


def fma(fmt, a, b, c, rm, negate_product=False, negate_addend=False):
    """(-1)^negate_product * a * b + (-1)^negate_addend * c with a single rounding."""
    va, vb, vc = decode(fmt, a), decode(fmt, b), decode(fmt, c)
    inf_times_zero = {va.kind, vb.kind} == {"inf", "zero"}
    if va.is_nan or vb.is_nan or vc.is_nan:
        # RISC-V: NV for inf * 0 even if the addend is a quiet NaN
        return _nan_result(fmt, va, vb, vc, invalid=inf_times_zero)
    if inf_times_zero:
        return fmt.canonical_nan, NV
    psign = va.sign ^ vb.sign ^ (1 if negate_product else 0)
    if negate_addend:
        vc = _negate(vc)
    if va.kind == "inf" or vb.kind == "inf":
        if vc.kind == "inf" and vc.sign != psign:
            return fmt.canonical_nan, NV
        return encode_inf(fmt, psign), 0
    if vc.kind == "inf":
        return encode_inf(fmt, vc.sign), 0
    prod_zero = va.kind == "zero" or vb.kind == "zero"
    p = Fraction(0) if prod_zero else va.value * vb.value
    if negate_product:
        p = -p
    x = p + _val(vc)
    if x == 0:
        if prod_zero and vc.kind == "zero":
            zs = _exact_zero_sign(psign, vc.sign, rm)
        else:
            zs = 1 if rm == RDN else 0
        return zs << (fmt.width - 1), 0
    return round_value(fmt, x, rm)


def madd(fmt, a, b, c, rm):
    return fma(fmt, a, b, c, rm)


def msub(fmt, a, b, c, rm):
    return fma(fmt, a, b, c, rm, negate_addend=True)


def nmsub(fmt, a, b, c, rm):
    return fma(fmt, a, b, c, rm, negate_product=True)


def nmadd(fmt, a, b, c, rm):
    return fma(fmt, a, b, c, rm, negate_product=True, negate_addend=True)


# --------------------------------------------------------------------------- min / max / compare
def _total_key(v):
    """Ordering key for non-NaN values in which -0 < +0."""
    if v.kind == "inf":
        return (Fraction(-1 if v.sign else 1) * 10 ** 400, 0)
    if v.kind == "zero":
        return (Fraction(0), -1 if v.sign else 1)
    return (v.value, 0)


def _minmax(fmt, a, b, want_max):
    va, vb = decode(fmt, a), decode(fmt, b)
    flags = NV if (va.is_nan and va.snan) or (vb.is_nan and vb.snan) else 0
    if va.is_nan and vb.is_nan:
        return fmt.canonical_nan, flags
    if va.is_nan:
        return b, flags
    if vb.is_nan:
        return a, flags
    ka, kb = _total_key(va), _total_key(vb)
    if want_max:
        return (a if ka >= kb else b), flags
    return (a if ka <= kb else b), flags


def fmin(fmt, a, b):
    return _minmax(fmt, a, b, False)


def fmax(fmt, a, b):
    return _minmax(fmt, a, b, True)


def _cmp_value(v):
    if v.kind == "inf":
        return Fraction(-1 if v.sign else 1) * 10 ** 400
    return _val(v)


def feq(fmt, a, b):
    va, vb = decode(fmt, a), decode(fmt, b)
    if va.is_nan or vb.is_nan:
        return 0, NV if (va.is_nan and va.snan) or (vb.is_nan and vb.snan) else 0
    return int(_cmp_value(va) == _cmp_value(vb)), 0


def flt(fmt, a, b):
    va, vb = decode(fmt, a), decode(fmt, b)
    if va.is_nan or vb.is_nan:
        return 0, NV
    return int(_cmp_value(va) < _cmp_value(vb)), 0


def fle(fmt, a, b):
    va, vb = decode(fmt, a), decode(fmt, b)
    if va.is_nan or vb.is_nan:
        return 0, NV
    return int(_cmp_value(va) <= _cmp_value(vb)), 0


def classify(fmt, a):
    v = decode(fmt, a)
    if v.kind == "nan":
        return 1 << 8 if v.snan else 1 << 9
    if v.kind == "inf":
        return 1 << 0 if v.sign else 1 << 7
    if v.kind == "zero":
        return 1 << 3 if v.sign else 1 << 4
    subnormal = abs(v.value) < _pow2(fmt.emin)
    if v.sign:
        return 1 << 2 if subnormal else 1 << 1
    return 1 << 5 if subnormal else 1 << 6


# --------------------------------------------------------------------------- conversions
def convert(src, dst, a, rm):
    """Float-to-float conversion."""
    v = decode(src, a)
    if v.is_nan:
        return dst.canonical_nan, NV if v.snan else 0
    if v.kind == "inf":
        return encode_inf(dst, v.sign), 0
    if v.kind == "zero":
        return v.sign << (dst.width - 1), 0
    return round_value(dst, v.value, rm)


INT_TYPES = {
    "i32": (32, True), "u32": (32, False), "i64": (64, True), "u64": (64, False),
}


def int_range(width, signed):
    if signed:
        return -(1 << (width - 1)), (1 << (width - 1)) - 1
    return 0, (1 << width) - 1


def to_int(fmt, a, rm, width, signed):
    """Float-to-integer (FCVT.W/WU/L/LU). The result is the width-bit two's-complement
    pattern (unsigned Python int)."""
    lo, hi = int_range(width, signed)
    mask = (1 << width) - 1
    v = decode(fmt, a)
    if v.is_nan:
        return hi & mask, NV
    if v.kind == "inf":
        return (lo if v.sign else hi) & mask, NV
    if v.kind == "zero":
        return 0, 0
    mag, inexact = _round_to_integer(abs(v.value), rm, v.sign)
    r = -mag if v.sign else mag
    if r < lo or r > hi:
        return (lo if v.sign else hi) & mask, NV
    return r & mask, NX if inexact else 0


def from_int(fmt, i, rm):
    """Integer-to-float (FCVT.S.W etc.): i is a Python int (already sign-interpreted)."""
    if i == 0:
        return 0, 0
    return round_value(fmt, Fraction(i), rm)


# --------------------------------------------------------------------------- host helpers
def to_signed(pattern, width):
    pattern &= (1 << width) - 1
    return pattern - (1 << width) if pattern >> (width - 1) else pattern
