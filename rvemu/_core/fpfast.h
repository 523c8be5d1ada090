/*
 * fpfast.h -- host-FPU fast paths for the common case of F/D arithmetic, falling back to
 * softfp.h for everything else. Results and flags are bit-identical to the soft code
 * (tests/test_fpfast.py checks that on edge cases and random operands).
 *
 * Taken only when: rm is RNE (the host's rounding mode: rvemu never changes MXCSR, and
 * CPython/NumPy leave it at round-to-nearest with no FTZ/DAZ), both operands are finite,
 * and the result is finite and normal (or an exact zero from a zero operand). Then the
 * only flag that can arise is NX, detected exactly:
 *   add/sub: TwoSum error term (Knuth), exact in RNE without overflow;
 *   mul:     fma(a, b, -p) is the exact product error;
 *   div:     fma(-q, b, a) is the exact remainder (zero iff the quotient is exact);
 * for binary64 mul/div only when |p| (or |a|) >= 2^-900, so those error terms cannot
 * underflow (a subnormal error term would round to zero and hide the inexactness).
 * binary32 uses binary64 arithmetic: products of two floats are exact in double, and
 * for +, -, *, / double rounding through binary64 is innocuous (53 >= 2*24 + 2, Figueroa
 * 1995), so rounding the double result to float gives the correctly rounded float.
 */
#ifndef RVEMU_FPFAST_H
#define RVEMU_FPFAST_H
#include <math.h>
#include <string.h>
#include <float.h>
#include "softfp.h"

static inline double fpf_d(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static inline uint64_t fpf_u(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static inline float fpf_f(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static inline uint32_t fpf_uf(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static inline int fpf_finite64(uint64_t v) { return ((v >> 52) & 0x7ff) != 0x7ff; }
static inline int fpf_finite32(uint32_t v) { return ((v >> 23) & 0xff) != 0xff; }
/* a double result we may return as is: finite and normal */
static inline int fpf_normal64(double r) { double m = fabs(r); return m > DBL_MIN && m <= DBL_MAX; }
/* far enough from the subnormal range that a product or remainder error term is a
 * multiple of at least 2^-1004, so fma() computes it exactly (no underflow) */
#define FPF_SAFE_MIN 0x1p-900

static inline uint64_t f64_add_fast(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    if (rm == 0 && fpf_finite64(a) && fpf_finite64(b)) {
        double x = fpf_d(a), y = fpf_d(b), s = x + y;
        if (fpf_normal64(s)) {
            double bb = s - x, err = (x - (s - bb)) + (y - bb);
            if (err != 0.0) *fl |= SF_FLAG_NX;
            return fpf_u(s);
        }
    }
    return f64_add(a, b, rm, fl);
}

static inline uint64_t f64_sub_fast(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    return f64_add_fast(a, b ^ 0x8000000000000000ull, rm, fl);
}

static inline uint64_t f64_mul_fast(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    if (rm == 0 && fpf_finite64(a) && fpf_finite64(b)) {
        double x = fpf_d(a), y = fpf_d(b), p = x * y;
        if (fpf_normal64(p) && fabs(p) >= FPF_SAFE_MIN) {
            if (fma(x, y, -p) != 0.0) *fl |= SF_FLAG_NX;
            return fpf_u(p);
        }
    }
    return f64_mul(a, b, rm, fl);
}

static inline uint64_t f64_div_fast(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    if (rm == 0 && fpf_finite64(a) && fpf_finite64(b) && (b << 1) != 0) {
        double x = fpf_d(a), y = fpf_d(b), q = x / y;
        if (fpf_normal64(q) && fabs(x) >= FPF_SAFE_MIN) {
            if (fma(-q, y, x) != 0.0) *fl |= SF_FLAG_NX;
            return fpf_u(q);
        }
    }
    return f64_div(a, b, rm, fl);
}

/* binary32 through binary64: r is the double result, exact_d says whether it is exact */
static inline int fpf_f32_result(double r, int exact_d, uint32_t *out, uint32_t *fl)
{
    float f = (float)r;
    float m = fabsf(f);
    /* > FLT_MIN, not >=: a result rounded up to the smallest normal may still be tiny
     * (RISC-V detects tininess after rounding with an unbounded exponent) */
    if (!(m > FLT_MIN && m <= FLT_MAX)) return 0;   /* tiny, zero or overflow: soft */
    if (!exact_d || (double)f != r) *fl |= SF_FLAG_NX;
    *out = fpf_uf(f);
    return 1;
}

static inline uint32_t f32_add_fast(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{
    uint32_t out;
    if (rm == 0 && fpf_finite32(a) && fpf_finite32(b)) {
        double x = fpf_f(a), y = fpf_f(b), s = x + y;
        double bb = s - x, err = (x - (s - bb)) + (y - bb);
        if (fpf_f32_result(s, err == 0.0, &out, fl)) return out;
    }
    return f32_add(a, b, rm, fl);
}

static inline uint32_t f32_sub_fast(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{
    return f32_add_fast(a, b ^ 0x80000000u, rm, fl);
}

static inline uint32_t f32_mul_fast(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{
    uint32_t out;
    if (rm == 0 && fpf_finite32(a) && fpf_finite32(b)) {
        double p = (double)fpf_f(a) * (double)fpf_f(b);   /* exact: 24 + 24 bits */
        if (fpf_f32_result(p, 1, &out, fl)) return out;
    }
    return f32_mul(a, b, rm, fl);
}

static inline uint32_t f32_div_fast(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{
    uint32_t out;
    if (rm == 0 && fpf_finite32(a) && fpf_finite32(b) && (b << 1) != 0) {
        double x = fpf_f(a), y = fpf_f(b), q = x / y;
        if (fpf_normal64(q) && fpf_f32_result(q, fma(-q, y, x) == 0.0, &out, fl)) return out;
    }
    return f32_div(a, b, rm, fl);
}

/* half precision has no fast path */
#define f16_add_fast f16_add
#define f16_sub_fast f16_sub
#define f16_mul_fast f16_mul
#define f16_div_fast f16_div
#endif
