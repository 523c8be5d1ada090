/*
 * softfp.h -- bit-exact IEEE 754 arithmetic with RISC-V semantics for rvemu.
 *
 * Formats: binary16 (f16), bfloat16 (bf16), binary32 (f32), binary64 (f64), passed as raw
 * bit patterns (uint16_t / uint32_t / uint64_t).  Rounding modes rm: 0 RNE, 1 RTZ, 2 RDN,
 * 3 RUP, 4 RMM (the caller resolves DYN and rejects 5..7).  Every operation ORs its
 * exception flags (NV 0x10, DZ 0x08, OF 0x04, UF 0x02, NX 0x01) into *flags.
 *
 * RISC-V rules implemented: tininess is detected after rounding; UF only when tiny and
 * inexact; every NaN result is the canonical NaN of the format; sNaN inputs raise NV;
 * fmin/fmax are IEEE 754-2019 minimumNumber/maximumNumber with -0 < +0; FMA raises NV
 * for inf*0 even with a quiet-NaN addend; float->int saturates (NaN -> max) and raises NV
 * instead of NX.  32-bit integer results are returned as the 32-bit pattern.
 *
 * The soft implementation is generic over (exponent bits E, mantissa bits M): each public
 * function instantiates an always-inline generic body with constant E/M.  Finite values
 * are unpacked to a significand with its leading one at bit M and the unbiased exponent of
 * that bit; results are produced by sf_round_pack(), which takes a significand whose leading
 * one is at bit 62 (the bits below carry the round/sticky information, with every discarded
 * non-zero bit "jammed" into bit 0).
 *
 * API (T16 = uint16_t, T32 = uint32_t, T64 = uint64_t; P is f16, f32 or f64 with TP its type;
 * fl is a uint32_t * that flags are ORed into; rm is 0..4):
 *   TP P_add/sub/mul/div(TP a, TP b, int rm, uint32_t *fl)
 *   TP P_sqrt(TP a, int rm, uint32_t *fl)
 *   TP P_madd/msub/nmsub/nmadd(TP a, TP b, TP c, int rm, uint32_t *fl)
 *        madd = a*b+c, msub = a*b-c, nmsub = -(a*b)+c, nmadd = -(a*b)-c (RISC-V names)
 *   TP P_min/max(TP a, TP b, uint32_t *fl)        int P_eq/lt/le(TP a, TP b, uint32_t *fl)
 *   uint32_t P_classify(TP a)                       int P_is_nan(TP a), P_is_snan(TP a)
 *   T32 P_to_i32/u32(TP a, int rm, uint32_t *fl)    T64 P_to_i64/u64(TP a, int rm, ...)
 *   TP i32_to_P(int32_t v, int rm, uint32_t *fl)    TP u32_to_P(uint32_t v, ...)
 *   TP i64_to_P(int64_t v, int rm, uint32_t *fl)    TP u64_to_P(uint64_t v, ...)
 *   f16_to_f32, f16_to_f64, f32_to_f16, f32_to_f64, f64_to_f16, f64_to_f32, f32_to_bf16,
 *   bf16_to_f32: TDST SRC_to_DST(TSRC a, int rm, uint32_t *fl)
 *   uint32_t bf16_classify(T16), int bf16_is_nan(T16), bf16_is_snan(T16)
 *   P_*_soft: the same arithmetic without any host-FPU fast path.
 *
 * Host fast paths (compile-time switch: define SOFTFP_NO_HOSTFP to disable them; the
 * *_soft variants of the arithmetic functions never use them, for testing):
 *  - f16/f32 sqrt ("f64 path", x86-64 or AArch64 with FLT_EVAL_METHOD == 0, any rm): for a
 *    positive finite non-zero operand, widen exactly to binary64, use the host square-root
 *    instruction, and round the binary64 result to the source format in software.  Proof of
 *    exactness: the host result r is within one binary64 ulp (<= 2^-52 y) of y = sqrt(x),
 *    in any host rounding mode (operands and results are binary64-normal, so FTZ/DAZ do
 *    not matter).  A rounding boundary B of the p-bit format (a representable value or a
 *    midpoint, <= p+1 significant bits, p <= 24) with y != B has |x - B^2| >= 2^-(2p+2) x,
 *    hence |y - B| >= 2^-(2p+3) y > 2^-52 y: no boundary lies between y and r, so rounding
 *    r gives the rounding of y and the same NX (results are never tiny); and if y = B, y
 *    is representable in binary64 and r = y.
 * Everything else (and f64 sqrt) always uses the soft code: an x86 MXCSR-based path
 * (set rounding control, read back the sticky flags, restore) was measured slower than the
 * soft code for add/sub/mul/div/FMA and no faster for f64 sqrt, so it was not kept.
 */
#ifndef RVEMU_SOFTFP_H
#define RVEMU_SOFTFP_H

#include <stdint.h>
#include <float.h>

#if !(defined(__GNUC__) || defined(__clang__))
#error "softfp.h needs GCC or Clang (unsigned __int128, __builtin_clzll)"
#endif

/* ---------------------------------------------------------------- constants */
#define SF_FLAG_NX 0x01u
#define SF_FLAG_UF 0x02u
#define SF_FLAG_OF 0x04u
#define SF_FLAG_DZ 0x08u
#define SF_FLAG_NV 0x10u

#define SF_RNE 0
#define SF_RTZ 1
#define SF_RDN 2
#define SF_RUP 3
#define SF_RMM 4

#define F16_CANONICAL_NAN  ((uint16_t)0x7e00u)
#define BF16_CANONICAL_NAN ((uint16_t)0x7fc0u)
#define F32_CANONICAL_NAN  ((uint32_t)0x7fc00000u)
#define F64_CANONICAL_NAN  ((uint64_t)0x7ff8000000000000ull)

/* fclass bits */
#define SF_CLASS_NEG_INF   0x001u
#define SF_CLASS_NEG_NORM  0x002u
#define SF_CLASS_NEG_SUB   0x004u
#define SF_CLASS_NEG_ZERO  0x008u
#define SF_CLASS_POS_ZERO  0x010u
#define SF_CLASS_POS_SUB   0x020u
#define SF_CLASS_POS_NORM  0x040u
#define SF_CLASS_POS_INF   0x080u
#define SF_CLASS_SNAN      0x100u
#define SF_CLASS_QNAN      0x200u

#define SF_INLINE static inline __attribute__((always_inline))
#define SF_LIKELY(x) __builtin_expect(!!(x), 1)
#define SF_UNLIKELY(x) __builtin_expect(!!(x), 0)

#if !defined(SOFTFP_NO_HOSTFP) && (defined(__x86_64__) || defined(__aarch64__)) \
    && defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0 && !defined(__FAST_MATH__)
#define SOFTFP_HOST_F64EXACT 1
#else
#define SOFTFP_HOST_F64EXACT 0
#endif
#define SOFTFP_HOSTFP SOFTFP_HOST_F64EXACT

__extension__ typedef unsigned __int128 sf_u128;

/* ------------------------------------------------------- format parameters */
#define SF_BIAS(E)       ((1 << ((E) - 1)) - 1)
#define SF_SIGN(E, M)    ((uint64_t)1 << ((E) + (M)))
#define SF_INF(E, M)     ((((uint64_t)1 << (E)) - 1) << (M))
#define SF_CNAN(E, M)    (SF_INF(E, M) | ((uint64_t)1 << ((M) - 1)))
#define SF_MAXF(E, M)    (SF_INF(E, M) - 1)
#define SF_QUIET(M)      ((uint64_t)1 << ((M) - 1))

/* --------------------------------------------------------------- helpers */
SF_INLINE uint64_t sf_jam64(uint64_t x, unsigned n)
{   /* shift right by n, OR-ing every discarded bit into bit 0 */
    return n < 64 ? (x >> n) | ((x & (((uint64_t)1 << n) - 1)) != 0) : (uint64_t)(x != 0);
}

SF_INLINE sf_u128 sf_jam128(sf_u128 x, unsigned n)
{
    return n < 128 ? (x >> n) | (sf_u128)((x & (((sf_u128)1 << n) - 1)) != 0) : (sf_u128)(x != 0);
}

SF_INLINE int sf_clz128(sf_u128 x)  /* x != 0 */
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/* 128/64 -> 64 division; requires hi < d. */
SF_INLINE uint64_t sf_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__) && !defined(SOFTFP_NO_ASM)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    sf_u128 n = ((sf_u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/* ceil(sqrt((i + 65) * 2^54)) for i = 0..191: an upper bound of sqrt(x) for x in
 * [(i + 64) * 2^54, (i + 65) * 2^54), relative error < 2^-7 */
static const uint32_t sf_rsqrt_seed[192] = {
    1082097918, 1090389977, 1098619452, 1106787739, 1114896183, 1122946079, 1130938679,
    1138875188, 1146756771, 1154584553, 1162359621, 1170083026, 1177755784, 1185378878,
    1192953261, 1200479855, 1207959552, 1215393220, 1222781697, 1230125797, 1237426311,
    1244684005, 1251899625, 1259073894, 1266207514, 1273301169, 1280355523, 1287371222,
    1294348895, 1301289154, 1308192593, 1315059793, 1321891318, 1328687719, 1335449532,
    1342177280, 1348871473, 1355532607, 1362161168, 1368757629, 1375322451, 1381856086,
    1388358974, 1394831546, 1401274220, 1407687408, 1414071510, 1420426920, 1426754020,
    1433053185, 1439324783, 1445569171, 1451786702, 1457977718, 1464142556, 1470281545,
    1476395008, 1482483261, 1488546613, 1494585366, 1500599818, 1506590261, 1512556978,
    1518500250, 1524420352, 1530317551, 1536192112, 1542044294, 1547874350, 1553682529,
    1559469076, 1565234231, 1570978229, 1576701302, 1582403676, 1588085575, 1593747217,
    1599388818, 1605010588, 1610612736, 1616195466, 1621758978, 1627303470, 1632829134,
    1638336162, 1643824741, 1649295054, 1654747284, 1660181609, 1665598202, 1670997238,
    1676378886, 1681743312, 1687090681, 1692421155, 1697734892, 1703032050, 1708312782,
    1713577240, 1718825575, 1724057933, 1729274459, 1734475296, 1739660585, 1744830464,
    1749985071, 1755124539, 1760249001, 1765358588, 1770453428, 1775533650, 1780599376,
    1785650732, 1790687839, 1795710816, 1800719782, 1805714853, 1810696145, 1815663771,
    1820617842, 1825558470, 1830485762, 1835399826, 1840300769, 1845188695, 1850063707,
    1854925906, 1859775394, 1864612269, 1869436630, 1874248572, 1879048192, 1883835584,
    1888610840, 1893374053, 1898125313, 1902864709, 1907592331, 1912308265, 1917012597,
    1921705414, 1926386798, 1931056833, 1935715602, 1940363185, 1944999663, 1949625115,
    1954239618, 1958843252, 1963436091, 1968018212, 1972589689, 1977150596, 1981701006,
    1986240991, 1990770623, 1995289972, 1999799108, 2004298099, 2008787014, 2013265920,
    2017734885, 2022193973, 2026643250, 2031082780, 2035512628, 2039932856, 2044343527,
    2048744702, 2053136443, 2057518810, 2061891862, 2066255659, 2070610260, 2074955721,
    2079292102, 2083619457, 2087937844, 2092247318, 2096547934, 2100839746, 2105122808,
    2109397173, 2113662895, 2117920025, 2122168615, 2126408716, 2130640379, 2134863655,
    2139078592, 2143285240, 2147483648
};

/* floor(sqrt(x)) and whether it is exact, for 2^60 <= x < 2^62.  Two Newton steps from an
 * over-estimate (relative error 2^-7 -> 2^-15 -> 2^-31, i.e. at most 2 units above the
 * floor; integer Newton steps never go below floor(sqrt(x))), then an exact correction. */
SF_INLINE uint64_t sf_isqrt64(uint64_t x, int *exact)
{
    uint64_t g = sf_rsqrt_seed[(x >> 54) - 64];
    g = (g + x / g) >> 1;
    g = (g + x / g) >> 1;
    while (g * g > x) g--;
    *exact = g * g == x;
    return g;
}

/* floor(sqrt(x)) and whether it is exact, for 2^124 <= x < 2^126: the 64-bit root of the
 * top word gives g = r1 * 2^32 with |g - sqrt(x)| < 2^32; one Newton step (an exact 128/64
 * division; x / g < 2^64 because the top word < 2^62 <= g) lands at most 2 above the floor,
 * and never below it; then an exact correction. */
SF_INLINE uint64_t sf_isqrt128(sf_u128 x, int *exact)
{
    int ex;
    uint64_t r1 = sf_isqrt64((uint64_t)(x >> 64), &ex);     /* in [2^30, 2^31) */
    uint64_t g = r1 << 32, rem;
    uint64_t q = sf_div128((uint64_t)(x >> 64), (uint64_t)x, g, &rem);
    uint64_t r = (uint64_t)(((sf_u128)g + q) >> 1);
    while ((sf_u128)r * r > x) r--;
    *exact = (sf_u128)r * r == x;
    return r;
}

/* Round increment for discarding the bits in mask (mask = 2^k - 1, k >= 1). */
SF_INLINE uint64_t sf_rinc(int rm, uint64_t sign, uint64_t mask)
{
    if (rm == SF_RNE || rm == SF_RMM) return (mask >> 1) + 1;
    return (rm == (sign ? SF_RDN : SF_RUP)) ? mask : 0;
}

SF_INLINE uint64_t sf_overflow(const int E, const int M, uint64_t sign, int rm, uint32_t *fl)
{
    *fl |= SF_FLAG_OF | SF_FLAG_NX;
    int to_max = (rm == SF_RTZ) || (rm == (sign ? SF_RUP : SF_RDN));
    return (sign << (E + M)) | (to_max ? SF_MAXF(E, M) : SF_INF(E, M));
}

/*
 * Round and pack.  sign is 0/1; sig has its leading one at bit 62 (2^62 <= sig < 2^63) and
 * any discarded lower bits jammed into bit 0; the value is sig * 2^(exp - 62), i.e. exp is
 * the unbiased exponent of the leading bit.
 */
SF_INLINE uint64_t sf_round_pack(const int E, const int M, uint64_t sign, int exp,
                                 uint64_t sig, int rm, uint32_t *fl)
{
    const int bias = SF_BIAS(E), emin = 1 - bias, emax = bias;
    const int SH = 62 - M;
    const uint64_t MASK = ((uint64_t)1 << SH) - 1, HALF = (uint64_t)1 << (SH - 1);
    const uint64_t sb = sign << (E + M);
    uint64_t inc = sf_rinc(rm, sign, MASK);
    uint64_t low = sig & MASK;
    if (SF_LIKELY((unsigned)(exp - emin) < (unsigned)(emax - emin))) {
        /* emin <= exp < emax: normal result, cannot overflow */
        uint64_t r = (sig + inc) >> SH;
        r &= ~(uint64_t)((rm == SF_RNE) & (low == HALF));
        if (low) *fl |= SF_FLAG_NX;
        /* r in [2^M, 2^(M+1)]: the hidden bit (or the carry) bumps the exponent field */
        return sb | ((((uint64_t)(exp + bias - 1)) << M) + r);
    }
    if (exp >= emax) {
        uint64_t r = (sig + inc) >> SH;
        if (exp > emax || (r >> (M + 1))) return sf_overflow(E, M, sign, rm, fl);
        r &= ~(uint64_t)((rm == SF_RNE) & (low == HALF));
        if (low) *fl |= SF_FLAG_NX;
        return sb | ((((uint64_t)(exp + bias - 1)) << M) + r);
    }
    /* exp < emin: subnormal, zero, or rounds up to the smallest normal */
    {
        int tiny = (exp < emin - 1) || (sig + inc < ((uint64_t)1 << 63));
        unsigned sh = (unsigned)(SH + (emin - exp));
        if (sh > 63) { sig = 1; sh = 63; }  /* |value| < half the smallest subnormal */
        uint64_t mask = ((uint64_t)1 << sh) - 1;
        uint64_t inc2 = sf_rinc(rm, sign, mask);
        uint64_t low2 = sig & mask;
        uint64_t r = (sig + inc2) >> sh;
        r &= ~(uint64_t)((rm == SF_RNE) & (low2 == (mask >> 1) + 1));
        if (low2) *fl |= SF_FLAG_NX | (tiny ? SF_FLAG_UF : 0);
        return sb | r;  /* r == 2^M encodes the smallest normal */
    }
}

/* Round and pack value = x * 2^scale for any non-zero 64-bit x (bit 0 may be a sticky bit;
 * callers guarantee it stays below the rounding position when x is shifted left). */
SF_INLINE uint64_t sf_norm_round_pack(const int E, const int M, uint64_t sign, int scale,
                                      uint64_t x, int rm, uint32_t *fl)
{
    int n = __builtin_clzll(x);
    uint64_t s = n ? x << (n - 1) : (x >> 1) | (x & 1);
    return sf_round_pack(E, M, sign, scale + 63 - n, s, rm, fl);
}

/* Unpack a finite non-zero magnitude (sign already cleared): returns the significand with
 * its leading one at bit M and stores the unbiased exponent of that bit. */
SF_INLINE uint64_t sf_unpack(const int E, const int M, uint64_t mag, int *exp)
{
    const int bias = SF_BIAS(E);
    uint64_t ef = mag >> M;
    uint64_t m = mag & (((uint64_t)1 << M) - 1);
    if (SF_LIKELY(ef != 0)) {
        *exp = (int)ef - bias;
        return m | ((uint64_t)1 << M);
    }
    int sh = __builtin_clzll(m) - (63 - M);
    *exp = 1 - bias - sh;
    return m << sh;
}

SF_INLINE int sf_isnan_g(const int E, const int M, uint64_t a)
{
    return (a & (SF_SIGN(E, M) - 1)) > SF_INF(E, M);
}

SF_INLINE int sf_issnan_g(const int E, const int M, uint64_t a)
{
    return sf_isnan_g(E, M, a) && !(a & SF_QUIET(M));
}

/* ------------------------------------------------------------ add / sub */
SF_INLINE uint64_t sf_add_special(const int E, const int M, uint64_t a, uint64_t b,
                                  uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    uint64_t ma = a & MAG, mb = b & MAG;
    if (ma > INF || mb > INF) {
        if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b)) *fl |= SF_FLAG_NV;
        return SF_CNAN(E, M);
    }
    if (ma == INF && mb == INF && a != b) {
        *fl |= SF_FLAG_NV;
        return SF_CNAN(E, M);
    }
    return ma == INF ? a : b;
}

SF_INLINE uint64_t sf_add_g(const int E, const int M, uint64_t a, uint64_t b, int rm,
                            uint32_t *fl)
{
    const uint64_t SB = SF_SIGN(E, M), MAG = SB - 1, INF = SF_INF(E, M);
    uint64_t ma = a & MAG, mb = b & MAG;
    if (SF_UNLIKELY(ma >= INF || mb >= INF)) return sf_add_special(E, M, a, b, fl);
    if (SF_UNLIKELY(ma == 0 || mb == 0)) {
        if (ma | mb) return ma ? a : b;
        return a == b ? a : (rm == SF_RDN ? SB : 0);
    }
    if (ma < mb) {
        uint64_t t = a; a = b; b = t;
        t = ma; ma = mb; mb = t;
    }
    uint64_t sa = a >> (E + M), sbb = b >> (E + M);
    int ea, eb;
    uint64_t xa = sf_unpack(E, M, ma, &ea) << (61 - M);
    uint64_t xb = sf_unpack(E, M, mb, &eb) << (61 - M);
    xb = sf_jam64(xb, (unsigned)(ea - eb));
    uint64_t s;
    if (sa == sbb) {
        s = xa + xb;
    } else {
        s = xa - xb;
        if (SF_UNLIKELY(s == 0)) return rm == SF_RDN ? SB : 0;
    }
    /* value = s * 2^(ea - 61), s < 2^63 */
    int n = __builtin_clzll(s);
    return sf_round_pack(E, M, sa, ea + 2 - n, s << (n - 1), rm, fl);
}

/* ----------------------------------------------------------------- mul */
SF_INLINE uint64_t sf_mul_mag(const int E, const int M, uint64_t sign, uint64_t ma,
                              uint64_t mb, int rm, uint32_t *fl)
{   /* finite non-zero magnitudes */
    int ea, eb;
    uint64_t xa = sf_unpack(E, M, ma, &ea), xb = sf_unpack(E, M, mb, &eb);
    int e = ea + eb;
    uint64_t s;
    if (M <= 30) {
        s = (xa * xb) << (61 - 2 * M);               /* leading one at bit 61 or 62 */
    } else {
        sf_u128 p = (sf_u128)xa * xb;                /* leading one at bit 2M or 2M+1 */
        s = (uint64_t)(p >> (2 * M - 61)) |
            (((uint64_t)p & (((uint64_t)1 << (2 * M - 61)) - 1)) != 0);
    }
    int top = (int)(s >> 62);
    s <<= (top ^ 1);
    return sf_round_pack(E, M, sign, e + top, s, rm, fl);
}

SF_INLINE uint64_t sf_mul_g(const int E, const int M, uint64_t a, uint64_t b, int rm,
                            uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    uint64_t sign = ((a ^ b) >> (E + M)) & 1;
    uint64_t ma = a & MAG, mb = b & MAG;
    if (SF_UNLIKELY(ma >= INF || mb >= INF)) {
        if (ma > INF || mb > INF) {
            if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b)) *fl |= SF_FLAG_NV;
            return SF_CNAN(E, M);
        }
        if (ma == 0 || mb == 0) {
            *fl |= SF_FLAG_NV;
            return SF_CNAN(E, M);
        }
        return (sign << (E + M)) | INF;
    }
    if (SF_UNLIKELY(ma == 0 || mb == 0)) return sign << (E + M);
    return sf_mul_mag(E, M, sign, ma, mb, rm, fl);
}

/* ----------------------------------------------------------------- div */
SF_INLINE uint64_t sf_div_g(const int E, const int M, uint64_t a, uint64_t b, int rm,
                            uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    uint64_t sign = ((a ^ b) >> (E + M)) & 1;
    uint64_t ma = a & MAG, mb = b & MAG;
    if (SF_UNLIKELY(ma >= INF || mb >= INF || ma == 0 || mb == 0)) {
        if (ma > INF || mb > INF) {
            if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b)) *fl |= SF_FLAG_NV;
            return SF_CNAN(E, M);
        }
        if ((ma == INF && mb == INF) || (ma == 0 && mb == 0)) {
            *fl |= SF_FLAG_NV;
            return SF_CNAN(E, M);
        }
        if (ma == INF) return (sign << (E + M)) | INF;
        if (mb == 0) {
            *fl |= SF_FLAG_DZ;
            return (sign << (E + M)) | INF;
        }
        return sign << (E + M);  /* 0 / x or x / inf */
    }
    int ea, eb;
    uint64_t xa = sf_unpack(E, M, ma, &ea), xb = sf_unpack(E, M, mb, &eb);
    uint64_t q, r;
    int S;
    if (M <= 30) {
        S = 62 - M;
        uint64_t num = xa << S;
        q = num / xb;
        r = num - q * xb;
    } else {
        S = 62;
        q = sf_div128(xa >> 2, xa << 62, xb, &r);
    }
    q |= (r != 0);
    /* value = q * 2^(ea - eb - S) */
    return sf_norm_round_pack(E, M, sign, ea - eb - S, q, rm, fl);
}

/* ---------------------------------------------------------------- sqrt */
SF_INLINE uint64_t sf_sqrt_g(const int E, const int M, uint64_t a, int rm, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    uint64_t ma = a & MAG;
    if (SF_UNLIKELY(ma == 0)) return a;
    if (SF_UNLIKELY(ma > INF)) {
        if (sf_issnan_g(E, M, a)) *fl |= SF_FLAG_NV;
        return SF_CNAN(E, M);
    }
    if (SF_UNLIKELY(a >> (E + M))) {
        *fl |= SF_FLAG_NV;
        return SF_CNAN(E, M);
    }
    if (SF_UNLIKELY(ma == INF)) return a;
    int ea, exact;
    uint64_t xa = sf_unpack(E, M, ma, &ea);
    int t = ea - M;  /* value = xa * 2^t */
    uint64_t r;
    int half, L;
    if (M <= 28) {
        int s0 = 60 - M;
        s0 += (t - s0) & 1;                     /* x = xa << s0 in [2^60, 2^62) */
        r = sf_isqrt64(xa << s0, &exact);       /* in [2^30, 2^31) */
        half = (t - s0) / 2;
        L = 30;
        r <<= 32;
    } else {
        int s0 = 124 - M;
        s0 += (t - s0) & 1;                     /* x in [2^124, 2^126) */
        r = sf_isqrt128((sf_u128)xa << s0, &exact);  /* in [2^62, 2^63) */
        half = (t - s0) / 2;
        L = 62;
    }
    return sf_round_pack(E, M, 0, half + L, r | (uint64_t)!exact, rm, fl);
}

/* ----------------------------------------------------------------- fma */
/* computes (-1)^negp * a * b + (-1)^negc * c with one rounding */
SF_INLINE uint64_t sf_fma_g(const int E, const int M, uint64_t a, uint64_t b, uint64_t c,
                            int negp, int negc, int rm, uint32_t *fl)
{
    const int W = E + M;
    const uint64_t SB = SF_SIGN(E, M), MAG = SB - 1, INF = SF_INF(E, M);
    uint64_t ma = a & MAG, mb = b & MAG, mc = c & MAG;
    uint64_t sp = (((a ^ b) >> W) & 1) ^ (uint64_t)negp;
    uint64_t sc = ((c >> W) & 1) ^ (uint64_t)negc;
    if (SF_UNLIKELY(ma >= INF || mb >= INF || mc >= INF)) {
        int an = ma > INF, bn = mb > INF, cn = mc > INF;
        if (an | bn | cn) {
            if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b) || sf_issnan_g(E, M, c) ||
                (!an && !bn && ((ma == INF && mb == 0) || (ma == 0 && mb == INF))))
                *fl |= SF_FLAG_NV;
            return SF_CNAN(E, M);
        }
        if (ma == INF || mb == INF) {
            if (ma == 0 || mb == 0 || (mc == INF && sc != sp)) {
                *fl |= SF_FLAG_NV;
                return SF_CNAN(E, M);
            }
            return (sp << W) | INF;
        }
        return (sc << W) | INF;
    }
    if (SF_UNLIKELY(ma == 0 || mb == 0)) {
        if (mc == 0) return sp == sc ? sp << W : (rm == SF_RDN ? SB : 0);
        return (sc << W) | mc;
    }
    if (SF_UNLIKELY(mc == 0)) return sf_mul_mag(E, M, sp, ma, mb, rm, fl);
    int ea, eb, ec;
    uint64_t xa = sf_unpack(E, M, ma, &ea), xb = sf_unpack(E, M, mb, &eb);
    uint64_t xc = sf_unpack(E, M, mc, &ec);
    sf_u128 P = ((sf_u128)xa * xb) << (124 - 2 * M);  /* [2^124, 2^126), scale ep - 124 */
    sf_u128 C = (sf_u128)xc << (124 - M);             /* [2^124, 2^125), scale ec - 124 */
    int ep = ea + eb, d = ep - ec, base;
    if (d >= 0) {
        C = sf_jam128(C, (unsigned)d);
        base = ep;
    } else {
        P = sf_jam128(P, (unsigned)-d);
        base = ec;
    }
    sf_u128 S;
    uint64_t sign;
    if (sp == sc) {
        S = P + C;
        sign = sp;
    } else if (P > C) {
        S = P - C;
        sign = sp;
    } else if (P < C) {
        S = C - P;
        sign = sc;
    } else {
        return rm == SF_RDN ? SB : 0;
    }
    int L = 127 - sf_clz128(S);
    uint64_t s = L >= 62 ? (uint64_t)sf_jam128(S, (unsigned)(L - 62)) : (uint64_t)S << (62 - L);
    return sf_round_pack(E, M, sign, base - 124 + L, s, rm, fl);
}

/* ------------------------------------------------------ format conversion */
SF_INLINE uint64_t sf_cvt_g(const int Es, const int Ms, const int Ed, const int Md,
                            uint64_t a, int rm, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(Es, Ms) - 1, INF = SF_INF(Es, Ms);
    uint64_t sign = (a >> (Es + Ms)) & 1, ma = a & MAG;
    if (SF_UNLIKELY(ma >= INF)) {
        if (ma == INF) return (sign << (Ed + Md)) | SF_INF(Ed, Md);
        if (!(a & SF_QUIET(Ms))) *fl |= SF_FLAG_NV;
        return SF_CNAN(Ed, Md);
    }
    if (SF_UNLIKELY(ma == 0)) return sign << (Ed + Md);
    int e;
    uint64_t x = sf_unpack(Es, Ms, ma, &e);
    return sf_round_pack(Ed, Md, sign, e, x << (62 - Ms), rm, fl);
}

/* --------------------------------------------------- float <-> integer */
/* bits = 32 or 64; the result is the two's-complement pattern of that width */
SF_INLINE uint64_t sf_to_int_g(const int E, const int M, uint64_t a, int rm,
                               const int is_signed, const int bits, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    const uint64_t WMASK = bits == 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
    const uint64_t IMAX = is_signed ? (WMASK >> 1) : WMASK;
    const uint64_t IMIN = is_signed ? ((WMASK >> 1) + 1) : 0;  /* as a pattern */
    uint64_t sign = (a >> (E + M)) & 1, ma = a & MAG;
    if (SF_UNLIKELY(ma >= INF)) {
        *fl |= SF_FLAG_NV;
        return (ma > INF || !sign) ? IMAX : IMIN;
    }
    if (SF_UNLIKELY(ma == 0)) return 0;
    int e;
    uint64_t x = sf_unpack(E, M, ma, &e);
    uint64_t mag;
    int inexact = 0;
    if (e >= M) {
        if (e >= 64) goto invalid;
        mag = x << (e - M);
    } else {
        uint64_t f = x << (62 - M);             /* value = f * 2^(e - 62) */
        unsigned sh = (unsigned)(62 - e);
        if (sh > 63) { f = 1; sh = 63; }        /* |value| < 1/2 */
        uint64_t mask = ((uint64_t)1 << sh) - 1, low = f & mask;
        mag = (f + sf_rinc(rm, sign, mask)) >> sh;
        mag &= ~(uint64_t)((rm == SF_RNE) & (low == (mask >> 1) + 1));
        inexact = low != 0;
    }
    if (is_signed) {
        if (mag > IMAX + sign) goto invalid;
        mag = (sign ? (uint64_t)0 - mag : mag) & WMASK;
    } else {
        if (sign ? mag != 0 : mag > IMAX) goto invalid;
    }
    if (inexact) *fl |= SF_FLAG_NX;
    return mag;
invalid:
    *fl |= SF_FLAG_NV;
    return sign ? IMIN : IMAX;
}

SF_INLINE uint64_t sf_from_int_g(const int E, const int M, uint64_t sign, uint64_t mag,
                                 int rm, uint32_t *fl)
{
    if (mag == 0) return 0;
    return sf_norm_round_pack(E, M, sign, 0, mag, rm, fl);
}

/* ------------------------------------------------- compare / min / max */
SF_INLINE int sf_eq_g(const int E, const int M, uint64_t a, uint64_t b, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1;
    if (SF_UNLIKELY(sf_isnan_g(E, M, a) || sf_isnan_g(E, M, b))) {
        if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b)) *fl |= SF_FLAG_NV;
        return 0;
    }
    return a == b || ((a | b) & MAG) == 0;
}

/* total order on non-NaN values with -0 < +0 */
SF_INLINE int sf_tlt_g(const int E, const int M, uint64_t a, uint64_t b)
{
    uint64_t sa = (a >> (E + M)) & 1, sb = (b >> (E + M)) & 1;
    if (sa != sb) return (int)sa;
    return sa ? a > b : a < b;
}

SF_INLINE int sf_lt_g(const int E, const int M, uint64_t a, uint64_t b, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1;
    if (SF_UNLIKELY(sf_isnan_g(E, M, a) || sf_isnan_g(E, M, b))) {
        *fl |= SF_FLAG_NV;
        return 0;
    }
    return sf_tlt_g(E, M, a, b) && ((a | b) & MAG) != 0;
}

SF_INLINE int sf_le_g(const int E, const int M, uint64_t a, uint64_t b, uint32_t *fl)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1;
    if (SF_UNLIKELY(sf_isnan_g(E, M, a) || sf_isnan_g(E, M, b))) {
        *fl |= SF_FLAG_NV;
        return 0;
    }
    return !sf_tlt_g(E, M, b, a) || ((a | b) & MAG) == 0;
}

SF_INLINE uint64_t sf_minmax_g(const int E, const int M, uint64_t a, uint64_t b, int want_max,
                               uint32_t *fl)
{
    int an = sf_isnan_g(E, M, a), bn = sf_isnan_g(E, M, b);
    if (SF_UNLIKELY(an | bn)) {
        if (sf_issnan_g(E, M, a) || sf_issnan_g(E, M, b)) *fl |= SF_FLAG_NV;
        if (an & bn) return SF_CNAN(E, M);
        return an ? b : a;
    }
    return (sf_tlt_g(E, M, a, b) ^ want_max) ? a : b;
}

SF_INLINE uint32_t sf_classify_g(const int E, const int M, uint64_t a)
{
    const uint64_t MAG = SF_SIGN(E, M) - 1, INF = SF_INF(E, M);
    uint64_t sign = (a >> (E + M)) & 1, ma = a & MAG;
    if (ma >= INF) {
        if (ma == INF) return sign ? SF_CLASS_NEG_INF : SF_CLASS_POS_INF;
        return (a & SF_QUIET(M)) ? SF_CLASS_QNAN : SF_CLASS_SNAN;
    }
    if (ma == 0) return sign ? SF_CLASS_NEG_ZERO : SF_CLASS_POS_ZERO;
    if ((ma >> M) == 0) return sign ? SF_CLASS_NEG_SUB : SF_CLASS_POS_SUB;
    return sign ? SF_CLASS_NEG_NORM : SF_CLASS_POS_NORM;
}

/* ====================================================== host fast paths */
#if SOFTFP_HOST_F64EXACT
typedef union { uint64_t u; double d; } sf_hd;

/* binary64 square-root instruction (no libm, any host rounding mode) */
SF_INLINE double sf_host_sqrt(double x)
{
    double r;
#if defined(__x86_64__)
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
#else
    __asm__("fsqrt %d0, %d1" : "=w"(r) : "w"(x));
#endif
    return r;
}

/* sqrt of a positive finite non-zero f16/f32 value: exact widening to binary64, host sqrt,
 * software rounding to the source format with rm. */
SF_INLINE uint64_t sf_f64path_sqrt(const int E, const int M, uint64_t a, int rm, uint32_t *fl)
{
    uint32_t ignore = 0;
    sf_hd x;
    x.u = sf_cvt_g(E, M, 11, 52, a, SF_RNE, &ignore);
    x.d = sf_host_sqrt(x.d);
    return sf_cvt_g(11, 52, E, M, x.u, rm, fl);
}
#endif

/* ========================================================== public API */
/* The soft (host-independent) versions. */
#define SF_DEF_ARITH(P, T, E, M)                                                        \
    static inline T P##_add_soft(T a, T b, int rm, uint32_t *fl)                        \
    { return (T)sf_add_g(E, M, a, b, rm, fl); }                                         \
    static inline T P##_sub_soft(T a, T b, int rm, uint32_t *fl)                        \
    { return (T)sf_add_g(E, M, a, (T)(b ^ (T)SF_SIGN(E, M)), rm, fl); }                 \
    static inline T P##_mul_soft(T a, T b, int rm, uint32_t *fl)                        \
    { return (T)sf_mul_g(E, M, a, b, rm, fl); }                                         \
    static inline T P##_div_soft(T a, T b, int rm, uint32_t *fl)                        \
    { return (T)sf_div_g(E, M, a, b, rm, fl); }                                         \
    static inline T P##_sqrt_soft(T a, int rm, uint32_t *fl)                            \
    { return (T)sf_sqrt_g(E, M, a, rm, fl); }                                           \
    static inline T P##_madd_soft(T a, T b, T c, int rm, uint32_t *fl)                  \
    { return (T)sf_fma_g(E, M, a, b, c, 0, 0, rm, fl); }                                \
    static inline T P##_msub_soft(T a, T b, T c, int rm, uint32_t *fl)                  \
    { return (T)sf_fma_g(E, M, a, b, c, 0, 1, rm, fl); }                                \
    static inline T P##_nmsub_soft(T a, T b, T c, int rm, uint32_t *fl)                 \
    { return (T)sf_fma_g(E, M, a, b, c, 1, 0, rm, fl); }                                \
    static inline T P##_nmadd_soft(T a, T b, T c, int rm, uint32_t *fl)                 \
    { return (T)sf_fma_g(E, M, a, b, c, 1, 1, rm, fl); }                                \
    static inline T P##_min(T a, T b, uint32_t *fl)                                     \
    { return (T)sf_minmax_g(E, M, a, b, 0, fl); }                                       \
    static inline T P##_max(T a, T b, uint32_t *fl)                                     \
    { return (T)sf_minmax_g(E, M, a, b, 1, fl); }                                       \
    static inline int P##_eq(T a, T b, uint32_t *fl) { return sf_eq_g(E, M, a, b, fl); } \
    static inline int P##_lt(T a, T b, uint32_t *fl) { return sf_lt_g(E, M, a, b, fl); } \
    static inline int P##_le(T a, T b, uint32_t *fl) { return sf_le_g(E, M, a, b, fl); } \
    static inline uint32_t P##_classify(T a) { return sf_classify_g(E, M, a); }         \
    static inline int P##_is_nan(T a) { return sf_isnan_g(E, M, a); }                  \
    static inline int P##_is_snan(T a) { return sf_issnan_g(E, M, a); }                 \
    static inline uint32_t P##_to_i32(T a, int rm, uint32_t *fl)                        \
    { return (uint32_t)sf_to_int_g(E, M, a, rm, 1, 32, fl); }                           \
    static inline uint32_t P##_to_u32(T a, int rm, uint32_t *fl)                        \
    { return (uint32_t)sf_to_int_g(E, M, a, rm, 0, 32, fl); }                           \
    static inline uint64_t P##_to_i64(T a, int rm, uint32_t *fl)                        \
    { return sf_to_int_g(E, M, a, rm, 1, 64, fl); }                                     \
    static inline uint64_t P##_to_u64(T a, int rm, uint32_t *fl)                        \
    { return sf_to_int_g(E, M, a, rm, 0, 64, fl); }                                     \
    static inline T i32_to_##P(int32_t v, int rm, uint32_t *fl)                         \
    {                                                                                   \
        uint64_t s = v < 0;                                                             \
        return (T)sf_from_int_g(E, M, s, s ? (uint64_t)0 - (uint64_t)(int64_t)v         \
                                           : (uint64_t)v, rm, fl);                      \
    }                                                                                   \
    static inline T u32_to_##P(uint32_t v, int rm, uint32_t *fl)                        \
    { return (T)sf_from_int_g(E, M, 0, v, rm, fl); }                                    \
    static inline T i64_to_##P(int64_t v, int rm, uint32_t *fl)                         \
    {                                                                                   \
        uint64_t s = v < 0;                                                             \
        return (T)sf_from_int_g(E, M, s, s ? (uint64_t)0 - (uint64_t)v : (uint64_t)v,   \
                                rm, fl);                                                \
    }                                                                                   \
    static inline T u64_to_##P(uint64_t v, int rm, uint32_t *fl)                        \
    { return (T)sf_from_int_g(E, M, 0, v, rm, fl); }

SF_DEF_ARITH(f16, uint16_t, 5, 10)
SF_DEF_ARITH(f32, uint32_t, 8, 23)
SF_DEF_ARITH(f64, uint64_t, 11, 52)

/* bfloat16: Zfbfmin only has the two conversions; classify is provided for convenience */
static inline uint32_t bf16_classify(uint16_t a) { return sf_classify_g(8, 7, a); }
static inline int bf16_is_nan(uint16_t a) { return sf_isnan_g(8, 7, a); }
static inline int bf16_is_snan(uint16_t a) { return sf_issnan_g(8, 7, a); }

/* conversions between formats */
static inline uint32_t f16_to_f32(uint16_t a, int rm, uint32_t *fl)
{ return (uint32_t)sf_cvt_g(5, 10, 8, 23, a, rm, fl); }
static inline uint64_t f16_to_f64(uint16_t a, int rm, uint32_t *fl)
{ return sf_cvt_g(5, 10, 11, 52, a, rm, fl); }
static inline uint16_t f32_to_f16(uint32_t a, int rm, uint32_t *fl)
{ return (uint16_t)sf_cvt_g(8, 23, 5, 10, a, rm, fl); }
static inline uint64_t f32_to_f64(uint32_t a, int rm, uint32_t *fl)
{ return sf_cvt_g(8, 23, 11, 52, a, rm, fl); }
static inline uint16_t f64_to_f16(uint64_t a, int rm, uint32_t *fl)
{ return (uint16_t)sf_cvt_g(11, 52, 5, 10, a, rm, fl); }
static inline uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *fl)
{ return (uint32_t)sf_cvt_g(11, 52, 8, 23, a, rm, fl); }
static inline uint16_t f32_to_bf16(uint32_t a, int rm, uint32_t *fl)
{ return (uint16_t)sf_cvt_g(8, 23, 8, 7, a, rm, fl); }
/* exact; rm is accepted for uniformity and ignored */
static inline uint32_t bf16_to_f32(uint16_t a, int rm, uint32_t *fl)
{
    (void)rm;
    if (SF_UNLIKELY((a & 0x7fffu) > 0x7f80u)) {
        if (!(a & 0x40u)) *fl |= SF_FLAG_NV;
        return F32_CANONICAL_NAN;
    }
    return (uint32_t)a << 16;
}

/* ------------------------------------------------- public arithmetic */
/* add, sub, mul, div and the FMAs always use the soft code (see the header comment) */
#define SF_PUB_SOFT(P, T)                                                               \
    static inline T P##_add(T a, T b, int rm, uint32_t *fl)                             \
    { return P##_add_soft(a, b, rm, fl); }                                              \
    static inline T P##_sub(T a, T b, int rm, uint32_t *fl)                             \
    { return P##_sub_soft(a, b, rm, fl); }                                              \
    static inline T P##_mul(T a, T b, int rm, uint32_t *fl)                             \
    { return P##_mul_soft(a, b, rm, fl); }                                              \
    static inline T P##_div(T a, T b, int rm, uint32_t *fl)                             \
    { return P##_div_soft(a, b, rm, fl); }                                              \
    static inline T P##_madd(T a, T b, T c, int rm, uint32_t *fl)                      \
    { return P##_madd_soft(a, b, c, rm, fl); }                                          \
    static inline T P##_msub(T a, T b, T c, int rm, uint32_t *fl)                       \
    { return P##_msub_soft(a, b, c, rm, fl); }                                          \
    static inline T P##_nmsub(T a, T b, T c, int rm, uint32_t *fl)                      \
    { return P##_nmsub_soft(a, b, c, rm, fl); }                                         \
    static inline T P##_nmadd(T a, T b, T c, int rm, uint32_t *fl)                      \
    { return P##_nmadd_soft(a, b, c, rm, fl); }

SF_PUB_SOFT(f16, uint16_t)
SF_PUB_SOFT(f32, uint32_t)
SF_PUB_SOFT(f64, uint64_t)
#undef SF_PUB_SOFT

/* sqrt: host instruction where proven exact (f16, f32), else soft */
static inline uint16_t f16_sqrt(uint16_t a, int rm, uint32_t *fl)
{
#if SOFTFP_HOST_F64EXACT
    if (SF_LIKELY((uint16_t)(a - 1u) < 0x7bffu))      /* +finite, non-zero */
        return (uint16_t)sf_f64path_sqrt(5, 10, a, rm, fl);
#endif
    return f16_sqrt_soft(a, rm, fl);
}

static inline uint32_t f32_sqrt(uint32_t a, int rm, uint32_t *fl)
{
#if SOFTFP_HOST_F64EXACT
    if (SF_LIKELY(a - 1u < 0x7f7fffffu))               /* +finite, non-zero */
        return (uint32_t)sf_f64path_sqrt(8, 23, a, rm, fl);
#endif
    return f32_sqrt_soft(a, rm, fl);
}

static inline uint64_t f64_sqrt(uint64_t a, int rm, uint32_t *fl)
{ return f64_sqrt_soft(a, rm, fl); }

/* 1 when this build uses a host-FPU fast path (for tests / diagnostics) */
static inline int softfp_hostfp_enabled(void) { return SOFTFP_HOSTFP; }

#endif /* RVEMU_SOFTFP_H */
