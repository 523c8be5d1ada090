/*
 * Vector kernels (RVV 1.0 intrinsics, VLEN-agnostic: every loop is strip-mined with
 * vsetvl) and their scalar twins: memcpy, strlen, saxpy, integer dot product, double
 * matrix multiply, integer reductions (sum and max).
 *
 * The scalar twins compute bit-identical results (saxpy and matmul use fma in the same
 * order as vfmacc; the integer kernels are exact), so each vector result is checked
 * against its twin. Built without V (-DVEC_SCALAR_ONLY) only the twins exist.
 */
#include "bench.h"
#include "vector_bench.h"
#ifndef VEC_SCALAR_ONLY
#include <riscv_vector.h>
#endif

/* ---- scalar twins -------------------------------------------------------------- */
void s_memcpy(uint8_t *d, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = s[i];
}

size_t s_strlen(const uint8_t *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

void s_saxpy(size_t n, float a, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = __builtin_fmaf(a, x[i], y[i]);
}

int64_t s_dot(size_t n, const int32_t *a, const int32_t *b)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += (int64_t)a[i] * b[i];
    return s;
}

/* C[n][n] = A[n][n] * B[n][n], row i: C[i][:] = sum_k A[i][k] * B[k][:] (k ascending) */
void s_matmul(size_t n, const double *A, const double *B, double *C)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) C[i * n + j] = 0.0;
        for (size_t k = 0; k < n; k++) {
            double a = A[i * n + k];
            for (size_t j = 0; j < n; j++) C[i * n + j] = __builtin_fma(a, B[k * n + j], C[i * n + j]);
        }
    }
}

void s_reduce(size_t n, const int32_t *x, int64_t *sum, int32_t *max)
{
    uint32_t s = 0;          /* wraps modulo 2^32, as vredsum at SEW 32 */
    int32_t m = x[0];
    for (size_t i = 0; i < n; i++) {
        s += (uint32_t)x[i];
        if (x[i] > m) m = x[i];
    }
    *sum = (int32_t)s;
    *max = m;
}

#ifndef VEC_SCALAR_ONLY
/* ---- vector kernels ------------------------------------------------------------ */
void v_memcpy(uint8_t *d, const uint8_t *s, size_t n)
{
    for (size_t vl; n > 0; n -= vl, s += vl, d += vl) {
        vl = __riscv_vsetvl_e8m8(n);
        __riscv_vse8_v_u8m8(d, __riscv_vle8_v_u8m8(s, vl), vl);
    }
}

size_t v_strlen(const uint8_t *s)
{
    const uint8_t *p = s;
    for (;;) {
        size_t vl = __riscv_vsetvlmax_e8m8();
        vuint8m8_t v = __riscv_vle8ff_v_u8m8(p, &vl, vl);
        vbool1_t z = __riscv_vmseq_vx_u8m8_b1(v, 0, vl);
        long first = __riscv_vfirst_m_b1(z, vl);
        if (first >= 0) return (size_t)(p - s) + (size_t)first;
        p += vl;
    }
}

void v_saxpy(size_t n, float a, const float *x, float *y)
{
    for (size_t vl; n > 0; n -= vl, x += vl, y += vl) {
        vl = __riscv_vsetvl_e32m8(n);
        vfloat32m8_t vy = __riscv_vle32_v_f32m8(y, vl);
        vy = __riscv_vfmacc_vf_f32m8(vy, a, __riscv_vle32_v_f32m8(x, vl), vl);
        __riscv_vse32_v_f32m8(y, vy, vl);
    }
}

int64_t v_dot(size_t n, const int32_t *a, const int32_t *b)
{
    size_t vlmax = __riscv_vsetvlmax_e64m8();
    vint64m8_t acc = __riscv_vmv_v_x_i64m8(0, vlmax);
    for (size_t vl; n > 0; n -= vl, a += vl, b += vl) {
        vl = __riscv_vsetvl_e32m4(n);
        vint32m4_t va = __riscv_vle32_v_i32m4(a, vl), vb = __riscv_vle32_v_i32m4(b, vl);
        acc = __riscv_vwmacc_vv_i64m8_tu(acc, va, vb, vl);
    }
    vint64m1_t zero = __riscv_vmv_s_x_i64m1(0, 1);
    return __riscv_vmv_x_s_i64m1_i64(__riscv_vredsum_vs_i64m8_i64m1(acc, zero, vlmax));
}

void v_matmul(size_t n, const double *A, const double *B, double *C)
{
    for (size_t i = 0; i < n; i++) {
        double *c = C + i * n;
        for (size_t j0 = 0, vl; j0 < n; j0 += vl) {
            vl = __riscv_vsetvl_e64m8(n - j0);
            vfloat64m8_t acc = __riscv_vfmv_v_f_f64m8(0.0, vl);
            for (size_t k = 0; k < n; k++)
                acc = __riscv_vfmacc_vf_f64m8(acc, A[i * n + k], __riscv_vle64_v_f64m8(B + k * n + j0, vl), vl);
            __riscv_vse64_v_f64m8(c + j0, acc, vl);
        }
    }
}

void v_reduce(size_t n, const int32_t *x, int64_t *sum, int32_t *max)
{
    size_t vl1 = __riscv_vsetvlmax_e32m1();
    vint32m1_t s = __riscv_vmv_s_x_i32m1(0, vl1), m = __riscv_vmv_s_x_i32m1(x[0], vl1);
    for (size_t vl; n > 0; n -= vl, x += vl) {
        vl = __riscv_vsetvl_e32m8(n);
        vint32m8_t v = __riscv_vle32_v_i32m8(x, vl);
        s = __riscv_vredsum_vs_i32m8_i32m1(v, s, vl);
        m = __riscv_vredmax_vs_i32m8_i32m1(v, m, vl);
    }
    *sum = __riscv_vmv_x_s_i32m1_i32(s);
    *max = __riscv_vmv_x_s_i32m1_i32(m);
}
#endif
