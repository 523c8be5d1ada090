#!/usr/bin/env python3
"""Generate src/fp_single_cases.inc and src/fp_double_cases.inc.

An exact IEEE 754 binary32/binary64 model (Python Fractions) with RISC-V
rules (canonical NaNs, tininess detected after rounding, fcvt saturation)
computes the expected result and fflags of each case; the output is plain
assembly using the macros of fp_macros.h.  Run `python guests/src/gen_fp.py`
after editing the case lists; the generated files are committed.
"""
import math
import os
from fractions import Fraction as F

NV, DZ, OF, UF, NX = 16, 8, 4, 2, 1
RMS = ["rne", "rtz", "rdn", "rup", "rmm"]
RM_NUM = {"rne": 0, "rtz": 1, "rdn": 2, "rup": 3, "rmm": 4}


class Fmt:
    def __init__(self, ebits, mbits, sfx):
        self.e, self.m, self.sfx = ebits, mbits, sfx
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.width = 1 + ebits + mbits
        self.mask = (1 << self.width) - 1
        self.qnan = ((1 << ebits) - 1) << mbits | 1 << (mbits - 1)
        self.inf = ((1 << ebits) - 1) << mbits
        self.sign = 1 << (self.width - 1)
        self.maxf = (self.inf - 1)

    # ---- decoding ----
    def parts(self, b):
        return b >> (self.width - 1), (b >> self.m) & ((1 << self.e) - 1), \
            b & ((1 << self.m) - 1)

    def isnan(self, b):
        s, e, m = self.parts(b)
        return e == (1 << self.e) - 1 and m != 0

    def issnan(self, b):
        return self.isnan(b) and not (b >> (self.m - 1)) & 1

    def isinf(self, b):
        return (b & ~self.sign & self.mask) == self.inf

    def value(self, b):
        """Fraction for finite values (zeros -> 0)."""
        s, e, m = self.parts(b)
        if e == 0:
            v = F(m) * F(2) ** (self.emin - self.m)
        else:
            v = F(m + (1 << self.m)) * F(2) ** (e - self.bias - self.m)
        return -v if s else v

    def neg(self, b):
        return b ^ self.sign

    # ---- rounding ----
    def round(self, x, rm, sticky=False):
        """Round nonzero Fraction x.  sticky: x is a midpoint-free stand-in
        for an irrational value (sqrt) - only used to force inexact."""
        sign = x < 0
        a = -x if sign else x
        e = a.numerator.bit_length() - a.denominator.bit_length()
        if F(2) ** e > a:
            e -= 1
        assert F(2) ** e <= a < F(2) ** (e + 1)

        def rnd(q):
            m = a / q
            n = m.numerator // m.denominator
            rem = m - n
            up = False
            if rem:
                if rm == "rne":
                    up = rem > F(1, 2) or (rem == F(1, 2) and n & 1)
                elif rm == "rmm":
                    up = rem >= F(1, 2)
                elif rm == "rdn":
                    up = sign
                elif rm == "rup":
                    up = not sign
            return (n + up) * q, rem != 0

        qe = max(e, self.emin) - self.m
        r, inexact = rnd(F(2) ** qe)
        flags = NX if inexact else 0
        if r >= F(2) ** (self.emax + 1):
            big = rm in ("rne", "rmm") or (rm == "rup" and not sign) or \
                (rm == "rdn" and sign)
            b = self.inf if big else self.maxf
            return (b | (self.sign if sign else 0)), OF | NX
        # tininess after rounding (unbounded exponent)
        r_unb, _ = rnd(F(2) ** (e - self.m))
        if inexact and r_unb < F(2) ** self.emin:
            flags |= UF
        return self.encode(r, sign), flags

    def encode(self, r, sign):
        s = self.sign if sign else 0
        if r == 0:
            return s
        e = r.numerator.bit_length() - r.denominator.bit_length()
        if F(2) ** e > r:
            e -= 1
        if e < self.emin:
            m = r / F(2) ** (self.emin - self.m)
            assert m.denominator == 1
            return s | int(m)
        m = r / F(2) ** (e - self.m)
        assert m.denominator == 1
        return s | (e + self.bias) << self.m | (int(m) - (1 << self.m))

    def zero(self, neg):
        return self.sign if neg else 0


S = Fmt(8, 23, "s")
D = Fmt(11, 52, "d")


def nan_in(f, *bs):
    if any(f.issnan(b) for b in bs):
        return f.qnan, NV
    if any(f.isnan(b) for b in bs):
        return f.qnan, 0
    return None


def op_add(f, a, b, rm, sub=False):
    if sub:
        b2 = f.neg(b)
    else:
        b2 = b
    r = nan_in(f, a, b)
    if r:
        return r
    if f.isinf(a) or f.isinf(b2):
        if f.isinf(a) and f.isinf(b2) and (a ^ b2) & f.sign:
            return f.qnan, NV
        return (a if f.isinf(a) else b2), 0
    x = f.value(a) + f.value(b2)
    if x == 0:
        if f.value(a) == 0 and f.value(b2) == 0 and a & b2 & f.sign:
            return f.zero(True), 0
        return f.zero(rm == "rdn"), 0
    return f.round(x, rm)


def op_mul(f, a, b, rm):
    r = nan_in(f, a, b)
    if r:
        return r
    sign = bool((a ^ b) & f.sign)
    if f.isinf(a) or f.isinf(b):
        if f.value(a) == 0 and not f.isinf(a) or \
           f.value(b) == 0 and not f.isinf(b):
            return f.qnan, NV
        return f.inf | (f.sign if sign else 0), 0
    x = f.value(a) * f.value(b)
    if x == 0:
        return f.zero(sign), 0
    return f.round(x, rm)


def op_div(f, a, b, rm):
    r = nan_in(f, a, b)
    if r:
        return r
    sign = bool((a ^ b) & f.sign)
    if f.isinf(a):
        if f.isinf(b):
            return f.qnan, NV
        return f.inf | (f.sign if sign else 0), 0
    if f.isinf(b):
        return f.zero(sign), 0
    if f.value(b) == 0:
        if f.value(a) == 0:
            return f.qnan, NV
        return f.inf | (f.sign if sign else 0), DZ
    x = f.value(a) / f.value(b)
    if x == 0:
        return f.zero(sign), 0
    return f.round(x, rm)


def op_sqrt(f, a, rm):
    r = nan_in(f, a)
    if r:
        return r
    if f.value(a) == 0 and not f.isinf(a):
        return a, 0
    if a & f.sign:
        return f.qnan, NV
    if f.isinf(a):
        return a, 0
    x = f.value(a)
    k = 1200
    y = x * F(4) ** k
    n = y.numerator // y.denominator
    s = math.isqrt(n)
    exact = (s * s == n and y.denominator == 1)
    v = F(s, 2 ** k) if exact else F(2 * s + 1, 2 ** (k + 1))
    return f.round(v, rm)


def op_fma(f, a, b, c, rm, neg_prod=False, neg_add=False):
    # inf * 0 is invalid even with a quiet-NaN addend
    def is0(x):
        return not f.isnan(x) and not f.isinf(x) and f.value(x) == 0
    if (f.isinf(a) and is0(b)) or (is0(a) and f.isinf(b)):
        return f.qnan, NV
    r = nan_in(f, a, b, c)
    if r:
        return r
    psign = bool((a ^ b) & f.sign) ^ neg_prod
    c2 = f.neg(c) if neg_add else c
    if f.isinf(a) or f.isinf(b):
        if f.isinf(c2) and bool(c2 & f.sign) != psign:
            return f.qnan, NV
        return f.inf | (f.sign if psign else 0), 0
    if f.isinf(c2):
        return c2, 0
    p = f.value(a) * f.value(b) * (-1 if neg_prod else 1)
    x = p + f.value(c2)
    if x == 0:
        if p == 0 and f.value(c2) == 0 and psign and c2 & f.sign:
            return f.zero(True), 0
        if p == 0 and f.value(c2) == 0 and psign == bool(c2 & f.sign):
            return f.zero(psign), 0
        return f.zero(rm == "rdn"), 0
    return f.round(x, rm)


def op_minmax(f, a, b, is_max):
    fl = NV if (f.issnan(a) or f.issnan(b)) else 0
    if f.isnan(a) and f.isnan(b):
        return f.qnan, fl
    if f.isnan(a):
        return b, fl
    if f.isnan(b):
        return a, fl
    va, vb = f.value(a) if not f.isinf(a) else None, None
    key = lambda x: (F(10) ** 400 * (-1 if x & f.sign else 1)) \
        if f.isinf(x) else f.value(x)
    ka, kb = key(a), key(b)
    if ka == kb:      # equal incl. +-0: min prefers -0, max prefers +0
        if is_max:
            return (a if not a & f.sign else b), fl
        return (a if a & f.sign else b), fl
    if is_max:
        return (a if ka > kb else b), fl
    return (a if ka < kb else b), fl


def op_cmp(f, a, b, kind):
    if f.isnan(a) or f.isnan(b):
        sig = f.issnan(a) or f.issnan(b)
        return 0, (NV if (sig or kind != "feq") else 0)
    key = lambda x: (F(10) ** 400 * (-1 if x & f.sign else 1)) \
        if f.isinf(x) else f.value(x)
    ka, kb = key(a), key(b)
    return int({"feq": ka == kb, "flt": ka < kb, "fle": ka <= kb}[kind]), 0


def op_class(f, a):
    s, e, m = f.parts(a)
    if f.isinf(a):
        return 1 << 0 if s else 1 << 7
    if f.isnan(a):
        return 1 << 8 if f.issnan(a) else 1 << 9
    if e == 0 and m == 0:
        return 1 << 3 if s else 1 << 4
    if e == 0:
        return 1 << 2 if s else 1 << 5
    return 1 << 1 if s else 1 << 6


def op_sgnj(f, a, b, kind):
    sa = a & ~f.sign & f.mask
    if kind == "":
        return sa | (b & f.sign)
    if kind == "n":
        return sa | (~b & f.sign)
    return sa | ((a ^ b) & f.sign)


def round_int(x, rm):
    n = x.numerator // x.denominator      # floor
    rem = x - n
    if rem == 0:
        return n, False
    up = {"rne": rem > F(1, 2) or (rem == F(1, 2) and n & 1),
          "rmm": rem > F(1, 2) or (rem == F(1, 2) and x > 0), "rtz": x < 0, "rdn": False,
          "rup": True}[rm]
    return n + up, True


def op_f2i(f, a, rm, bits, signed):
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if f.isnan(a):
        r, fl = hi, NV
    elif f.isinf(a):
        r, fl = (lo if a & f.sign else hi), NV
    else:
        n, inexact = round_int(f.value(a), rm)
        if n < lo:
            r, fl = lo, NV
        elif n > hi:
            r, fl = hi, NV
        else:
            r, fl = n, (NX if inexact else 0)
    r &= (1 << bits) - 1
    if bits == 32 and r >> 31:           # W results are sign-extended
        r |= 0xffffffff00000000
    return r, fl


def op_i2f(f, x, rm, bits, signed):
    x &= (1 << bits) - 1
    if signed and x >> (bits - 1):
        x -= 1 << bits
    if x == 0:
        return 0, 0
    return f.round(F(x), rm)


def op_cvt_ff(fd, fs, a, rm):
    r = nan_in(fs, a)
    if r:
        return fd.qnan, r[1]
    sign = bool(a & fs.sign)
    if fs.isinf(a):
        return fd.inf | (fd.sign if sign else 0), 0
    v = fs.value(a)
    if v == 0:
        return fd.zero(sign), 0
    return fd.round(v, rm)


# ------------------------------------------------------------------------
class R:
    """Raw bit pattern (as opposed to a numeric value)."""
    def __init__(self, v):
        self.v = v


def bits(f, x):
    """Encode a number (int / float / Fraction), special string or R."""
    if isinstance(x, R):
        return x.v
    if x == "inf":
        return f.inf
    if x == "-inf":
        return f.inf | f.sign
    if x == "qnan":
        return f.qnan
    if x == "snan":
        return f.inf | 1
    if x == "-0":
        return f.sign
    v = F(x)
    if v == 0:
        return 0
    r, fl = f.round(v, "rne")          # nearest representable value
    assert not fl & OF, ("overflow", x)
    return r


class Gen:
    """Collects cases as (stub instruction, row) pairs.

    Output: a pool of unique 64-bit values, one 16-byte row per case
    (u16 pool index of a, b, c, expected; u8 fflags, u8 int-result,
    u8 frm, u8 0; u16 check number, u16 0) and one 8-byte stub per case
    (the instruction under test + ret).  Sources: f1, f2, f3 (a, b, c loaded
    with fmv.d.x, so singles are stored NaN-boxed) or a0 (= a); result f4
    (compared with fmv.x.d, so single results must be NaN-boxed) or a1."""

    def __init__(self, f):
        self.f = f
        self.stubs = []
        self.rows = []
        self.pool = {}
        self.n = 100               # checks 1-100 are hand-written

    def num(self):
        self.n += 1
        if self.n % 256 == 0:      # keep exit status (mod 256) non-zero
            self.n += 1
        return self.n

    def idx(self, v):
        v &= 2 ** 64 - 1
        if v not in self.pool:
            self.pool[v] = len(self.pool)
        return self.pool[v]

    def comment(self, s):
        self.stubs.append("    /* %s */" % s)

    def box(self, kind, v):
        w = {"f": self.f.sfx, "fs": "s", "fd": "d"}.get(kind)
        return v | 0xffffffff00000000 if w == "s" else v

    def case(self, mnem, dest_kind, srcs, exp, flags, rm=None, dyn=False):
        n = self.num()
        vals = [0, 0, 0]
        args = []
        fregs = iter(["f1", "f2", "f3"])
        for i, (kind, v) in enumerate(srcs):
            if kind == "x":
                args.append("a0")
            else:
                args.append(next(fregs))
            vals[i] = self.box(kind, v)
        dest = "f4" if dest_kind == "f" else "a1"
        operands = [dest] + args
        frm = 0
        if rm is not None:
            if dyn:
                operands.append("dyn")
                frm = RM_NUM[rm]
            else:
                operands.append(rm)
                frm = (RM_NUM[rm] + 2) % 5    # frm must not matter
        if dest_kind == "f":
            exp = self.box("f", exp)
        self.stubs.append("    %-10s %-24s /* %d */\n    ret" % (
            mnem, ", ".join(operands), n))
        self.rows.append("    .2byte  %d, %d, %d, %d\n    .byte   %d, %d, %d, 0\n"
                         "    .2byte  %d, 0" % (
                             self.idx(vals[0]), self.idx(vals[1]),
                             self.idx(vals[2]), self.idx(exp), flags,
                             int(dest_kind == "x"), frm, n))

    def output(self):
        ncase = len(self.rows)
        out = ["/* Generated by gen_fp.py -- do not edit. */",
               "    .text", "    .option push", "    .option norvc",
               "    .balign 8", "fp_stubs:"]
        out += self.stubs
        out += ["    .option pop", "", "    .section .rodata",
                "    .balign 8", "fp_pool:"]
        for v, i in sorted(self.pool.items(), key=lambda t: t[1]):
            out.append("    .dword  0x%016x" % v)
        out += ["fp_ncases:", "    .dword  %d" % ncase]
        out += ["    .balign 8", "fp_rows:"]
        out += self.rows
        out += ["    .text"]
        return out


def gen(f, other):
    g = Gen(f)
    sfx = f.sfx
    B = lambda x: bits(f, x)
    one = B(1)
    ulp1 = F(2) ** -f.m                      # ulp of 1.0
    tiny = F(2) ** (f.emin)                   # smallest normal
    sub1 = F(2) ** (f.emin - f.m)             # smallest subnormal
    maxv = f.value(f.maxf)
    allrm = lambda: [(rm, False) for rm in RMS] + [(rm, True) for rm in RMS]

    # ---------------- arithmetic in every rounding mode ----------------
    g.comment("fadd/fsub/fmul/fdiv/fsqrt: all static rounding modes, then "
              "the same through dynamic frm")
    arith2 = [
        ("fadd", op_add, 1, ulp1 / 2),             # tie
        ("fadd", op_add, -1, -ulp1 / 2),            # negative tie
        ("fadd", op_add, 1, ulp1 * 3 / 4),          # above half
        ("fadd", op_add, -1, -ulp1 / 4),            # below half
        ("fadd", op_add, 1 + ulp1, ulp1 / 2),       # tie, odd -> even up
        ("fsub", lambda f_, a, b, rm: op_add(f_, a, b, rm, True), 1, 1),  # exact zero sign
        ("fsub", lambda f_, a, b, rm: op_add(f_, a, b, rm, True), 1, ulp1 / 4),
        ("fmul", op_mul, 1 + ulp1, 1 + ulp1),
        ("fmul", op_mul, -(1 + ulp1), 1 - ulp1 / 2),
        ("fmul", op_mul, maxv, 2),                  # overflow
        ("fmul", op_mul, -maxv, 2),
        ("fmul", op_mul, tiny, F(1, 2) + ulp1 / 2), # subnormal, inexact -> UF
        ("fdiv", op_div, 1, 3),
        ("fdiv", op_div, -2, 3),
        ("fdiv", op_div, 1, maxv),                  # underflow
    ]
    for name, fn, a, b in arith2:
        A, Bb = B(a), B(b)
        for rm, dyn in allrm():
            if dyn and name not in ("fadd", "fdiv"):
                continue
            r, fl = fn(f, A, Bb, rm)
            g.case("%s.%s" % (name, sfx), "f", [("f", A), ("f", Bb)], r, fl,
                   rm, dyn)
    for a in [2, 3, 1 + ulp1]:
        A = B(a)
        for rm, dyn in allrm():
            r, fl = op_sqrt(f, A, rm)
            g.case("fsqrt.%s" % sfx, "f", [("f", A)], r, fl, rm, dyn)

    # ---------------- special values / flags ----------------
    g.comment("special operands: canonical NaN results and exact fflags")
    spec2 = [
        ("fadd", op_add, "inf", "-inf"), ("fadd", op_add, "inf", 1),
        ("fadd", op_add, "qnan", 1), ("fadd", op_add, "snan", 1),
        ("fadd", op_add, R(f.qnan | 0x1234), 1),
        ("fadd", op_add, 1, R(f.sign | f.qnan | 5)),
        ("fadd", op_add, "-0", "-0"), ("fadd", op_add, "-0", 0),
        ("fadd", op_add, maxv, maxv), ("fadd", op_add, sub1, sub1),
        ("fadd", op_add, tiny, -sub1),
        ("fmul", op_mul, 0, "inf"), ("fmul", op_mul, "-inf", "-0"),
        ("fmul", op_mul, "-0", 3), ("fmul", op_mul, tiny, F(1, 2)),   # exact subnormal: no UF
        ("fmul", op_mul, tiny, F(1, 2) ** f.m),      # smallest subnormal, exact
        ("fmul", op_mul, tiny, F(1, 2) ** (f.m + 1)),  # half of smallest subnormal -> tie to 0
        ("fmul", op_mul, "snan", 0),
        ("fdiv", op_div, 1, 0), ("fdiv", op_div, -1, 0), ("fdiv", op_div, 1, "-0"),
        ("fdiv", op_div, 0, 0), ("fdiv", op_div, "inf", "inf"),
        ("fdiv", op_div, "-inf", 0), ("fdiv", op_div, 1, "inf"),
        ("fdiv", op_div, "qnan", 0),
    ]
    for name, fn, a, b in spec2:
        A, Bb = B(a), B(b)
        r, fl = fn(f, A, Bb, "rne")
        g.case("%s.%s" % (name, sfx), "f", [("f", A), ("f", Bb)], r, fl, "rne")
    for a in ["-0", 0, -1, "inf", "-inf", "snan", "qnan", sub1, -sub1]:
        A = B(a)
        r, fl = op_sqrt(f, A, "rne")
        g.case("fsqrt.%s" % sfx, "f", [("f", A)], r, fl, "rne")
    g.comment("underflow: tininess is detected after rounding")
    for a, b in [(1 - ulp1, tiny * (1 + ulp1)), (1 - ulp1 / 2, tiny)]:
        A, Bb = B(a), B(b)
        for rm in RMS:
            r, fl = op_mul(f, A, Bb, rm)
            g.case("fmul.%s" % sfx, "f", [("f", A), ("f", Bb)], r, fl, rm)

    # ---------------- fused multiply-add ----------------
    g.comment("fmadd/fmsub/fnmsub/fnmadd: single rounding, signs, "
              "inf*0 invalid even with a quiet NaN addend")
    e12 = F(2) ** -((f.m + 2) // 2)      # (1+e12)^2 needs one more bit
    fmas = [
        (1 + e12, 1 + e12, -1), (1 + e12, 1 - e12, -1), (2, 3, 4),
        (1, 1, -1), (-2, 3, 1), (1, 1, ulp1 / 4), (maxv, 2, -maxv),
        ("inf", 0, "qnan"), (0, "inf", 1), ("inf", 1, "-inf"),
        ("qnan", 1, 1), (1, 1, "snan"), ("-0", 1, "-0"), (0, 1, "-0"),
    ]
    fmaops = [("fmadd", False, False), ("fmsub", False, True),
              ("fnmsub", True, False), ("fnmadd", True, True)]
    for a, b, c in fmas:
        A, Bb, C = B(a), B(b), B(c)
        for name, np_, na in fmaops:
            for rm in (["rne", "rdn"] if (a, b, c) in [(1, 1, -1), ("-0", 1, "-0"), (0, 1, "-0")] or
                       (a, b, c) == (1, 1, ulp1 / 4) else ["rne"]):
                r, fl = op_fma(f, A, Bb, C, rm, np_, na)
                g.case("%s.%s" % (name, sfx), "f",
                       [("f", A), ("f", Bb), ("f", C)], r, fl, rm)
    for rm in RMS:      # single rounding in every mode
        A, Bb, C = B(1 + e12), B(1 + e12), B(ulp1 / 4)
        r, fl = op_fma(f, A, Bb, C, rm)
        g.case("fmadd.%s" % sfx, "f", [("f", A), ("f", Bb), ("f", C)], r, fl, rm)

    # ---------------- min / max ----------------
    g.comment("fmin/fmax: -0 < +0, NaN operands, sNaN signals NV")
    mm = [(1, 2), (-1, -2), ("-0", 0), (0, "-0"), ("qnan", 1), (1, "qnan"),
          ("snan", 1), ("qnan", "qnan"), ("snan", "qnan"), ("-inf", "inf"),
          (sub1, -sub1)]
    for a, b in mm:
        A, Bb = B(a), B(b)
        for name, is_max in (("fmin", False), ("fmax", True)):
            r, fl = op_minmax(f, A, Bb, is_max)
            g.case("%s.%s" % (name, sfx), "f", [("f", A), ("f", Bb)], r, fl)

    # ---------------- compares ----------------
    g.comment("feq/flt/fle: quiet vs signalling NaN behaviour, -0 == +0")
    cmps = [(1, 2), (2, 1), (1, 1), ("-0", 0), ("qnan", 1), (1, "snan"),
            ("-inf", maxv), ("inf", "inf")]
    for a, b in cmps:
        A, Bb = B(a), B(b)
        for k in ("feq", "flt", "fle"):
            r, fl = op_cmp(f, A, Bb, k)
            g.case("%s.%s" % (k, sfx), "x", [("f", A), ("f", Bb)], r, fl)

    # ---------------- fclass ----------------
    g.comment("fclass: all ten classes")
    for a in ["-inf", -1, -sub1, "-0", 0, sub1, 1, "inf", "snan", "qnan"]:
        A = B(a)
        g.case("fclass.%s" % sfx, "x", [("f", A)], op_class(f, A), 0)

    # ---------------- sign injection (payload preserved) ----------------
    g.comment("fsgnj/fsgnjn/fsgnjx keep NaN payloads and never set flags")
    for a, b in [(1, -2), (-1, 2), (-1, -2), (R(f.qnan | 0x123), "-0"),
                 (R(f.inf | 1), 0), (R(f.sign | f.qnan | 7), "-0")]:
        A, Bb = B(a), B(b)
        for k in ("", "n", "x"):
            g.case("fsgnj%s.%s" % (k, sfx), "f", [("f", A), ("f", Bb)],
                   op_sgnj(f, A, Bb, k), 0)

    # ---------------- conversions ----------------
    g.comment("fcvt to integers: rounding, saturation, NV/NX")
    ivals = [F(37, 10), F(-37, 10), F(5, 2), F(-5, 2), F(-1, 2), F(1, 2), 0,
             "-0", "qnan", "snan", "inf", "-inf",
             2 ** 31, -2 ** 31, 2 ** 31 + 2 ** 8, -(2 ** 31 + 2 ** 8), 2 ** 32,
             2 ** 63, -2 ** 63, 2 ** 64, 3 * 2 ** 30, -1, maxv]
    if f is D:
        ivals += [F(2 ** 31) - F(1, 2), F(2 ** 32) - F(1, 2), F(-2 ** 31) - F(1, 2),
                  -(2 ** 31) - 1, 2 ** 31 - 1]
    for v in ivals:
        A = B(v)
        for name, bitsz, signed in (("fcvt.w", 32, True), ("fcvt.wu", 32, False),
                                    ("fcvt.l", 64, True), ("fcvt.lu", 64, False)):
            rms = RMS if v in (F(-1, 2), F(5, 2), F(-5, 2)) else ["rtz", "rne"]
            for rm in rms:
                r, fl = op_f2i(f, A, rm, bitsz, signed)
                g.case("%s.%s" % (name, sfx), "x", [("f", A)], r, fl, rm)
    # dynamic rounding for conversions
    for rm in RMS:
        A = B(F(-5, 2))
        r, fl = op_f2i(f, A, rm, 64, True)
        g.case("fcvt.l.%s" % sfx, "x", [("f", A)], r, fl, rm, True)

    g.comment("fcvt from integers: rounding, upper bits of W sources ignored")
    ints = [0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, 0x123456789,
            0xffffffff00000007, 0x7fffffffffffffff, 0x8000000000000000,
            0xffffffffffffffff, (1 << f.m + 1) + 1, 0x100000001]
    for x in ints:
        for name, bitsz, signed in (("fcvt.%s.w", 32, True), ("fcvt.%s.wu", 32, False),
                                    ("fcvt.%s.l", 64, True), ("fcvt.%s.lu", 64, False)):
            for rm in (RMS if x in (0x7fffffff, 0x7fffffffffffffff, 0xffffffffffffffff, (1 << f.m + 1) + 1)
                       else ["rne"]):
                r, fl = op_i2f(f, x, rm, bitsz, signed)
                g.case(name % sfx, "f", [("x", x)], r, fl, rm)

    if f is S:
        g.comment("fcvt.s.d / fcvt.d.s (inputs are doubles / singles)")
        for v in [R(D.round(F(1, 3), "rne")[0]), R(D.round(-F(1, 3), "rne")[0]),
                  1e300, -1e300, 1e-300, "qnan", "snan", "inf", "-0",
                  R(D.qnan | 0x12345 << 29), F(2) ** -149, F(2) ** -150,
                  F(3) * F(2) ** -151, float.fromhex("0x1.fffffefffffffp+127"),
                  float.fromhex("0x1.ffffffp+127")]:
            A = bits(D, v)
            for rm in (["rne", "rtz", "rdn", "rup", "rmm"]):
                r, fl = op_cvt_ff(S, D, A, rm)
                g.case("fcvt.s.d", "f", [("fd", A)], r, fl, rm)
    else:
        g.comment("fcvt.d.s (exact widening, NaNs canonical)")
        for v in [R(S.round(F(1, 3), "rne")[0]), "qnan", "snan", "-inf", "-0",
                  R(S.qnan | 0x55), F(2) ** -149, -(F(2) ** 127)]:
            A = bits(S, v)
            r, fl = op_cvt_ff(D, S, A, "rne")
            g.case("fcvt.d.s", "f", [("fs", A)], r, fl, "rne")
    return g.output()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for f, other, name in ((S, D, "fp_single_cases.inc"),
                           (D, S, "fp_double_cases.inc")):
        g_lines = gen(f, other)
        with open(os.path.join(here, name), "w") as fh:
            fh.write("\n".join(g_lines) + "\n")
        print(name, len(g_lines))


if __name__ == "__main__":
    main()
