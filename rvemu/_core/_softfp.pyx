# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Thin Python wrapper around softfp.h, for tests.

Every arithmetic function takes raw bit patterns (and a rounding mode 0..4 where relevant)
and returns ``(result_bits, fflags)``; comparisons return ``(0/1, fflags)``; classify and
the is_nan helpers return a plain int.  Functions ending in ``_soft`` bypass the host-FPU
fast paths.  32-bit integer results are 32-bit patterns; integer inputs are Python ints
in the C parameter's range (int32_t/int64_t inputs are signed).
"""
from libc.stdint cimport uint16_t, uint32_t, uint64_t, int32_t, int64_t

cdef extern from "softfp.h" nogil:
    uint16_t c_f16_add "f16_add"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_sub "f16_sub"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_mul "f16_mul"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_div "f16_div"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_sqrt "f16_sqrt"(uint16_t, int, uint32_t *)
    uint16_t c_f16_madd "f16_madd"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_msub "f16_msub"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_nmsub "f16_nmsub"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_nmadd "f16_nmadd"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_add_soft "f16_add_soft"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_sub_soft "f16_sub_soft"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_mul_soft "f16_mul_soft"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_div_soft "f16_div_soft"(uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_sqrt_soft "f16_sqrt_soft"(uint16_t, int, uint32_t *)
    uint16_t c_f16_madd_soft "f16_madd_soft"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_msub_soft "f16_msub_soft"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_nmsub_soft "f16_nmsub_soft"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_nmadd_soft "f16_nmadd_soft"(uint16_t, uint16_t, uint16_t, int, uint32_t *)
    uint16_t c_f16_min "f16_min"(uint16_t, uint16_t, uint32_t *)
    uint16_t c_f16_max "f16_max"(uint16_t, uint16_t, uint32_t *)
    int c_f16_eq "f16_eq"(uint16_t, uint16_t, uint32_t *)
    int c_f16_lt "f16_lt"(uint16_t, uint16_t, uint32_t *)
    int c_f16_le "f16_le"(uint16_t, uint16_t, uint32_t *)
    uint32_t c_f16_classify "f16_classify"(uint16_t)
    int c_f16_is_nan "f16_is_nan"(uint16_t)
    int c_f16_is_snan "f16_is_snan"(uint16_t)
    uint32_t c_f16_to_i32 "f16_to_i32"(uint16_t, int, uint32_t *)
    uint32_t c_f16_to_u32 "f16_to_u32"(uint16_t, int, uint32_t *)
    uint64_t c_f16_to_i64 "f16_to_i64"(uint16_t, int, uint32_t *)
    uint64_t c_f16_to_u64 "f16_to_u64"(uint16_t, int, uint32_t *)
    uint16_t c_i32_to_f16 "i32_to_f16"(int32_t, int, uint32_t *)
    uint16_t c_u32_to_f16 "u32_to_f16"(uint32_t, int, uint32_t *)
    uint16_t c_i64_to_f16 "i64_to_f16"(int64_t, int, uint32_t *)
    uint16_t c_u64_to_f16 "u64_to_f16"(uint64_t, int, uint32_t *)
    uint32_t c_f32_add "f32_add"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_sub "f32_sub"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_mul "f32_mul"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_div "f32_div"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_sqrt "f32_sqrt"(uint32_t, int, uint32_t *)
    uint32_t c_f32_madd "f32_madd"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_msub "f32_msub"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_nmsub "f32_nmsub"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_nmadd "f32_nmadd"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_add_soft "f32_add_soft"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_sub_soft "f32_sub_soft"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_mul_soft "f32_mul_soft"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_div_soft "f32_div_soft"(uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_sqrt_soft "f32_sqrt_soft"(uint32_t, int, uint32_t *)
    uint32_t c_f32_madd_soft "f32_madd_soft"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_msub_soft "f32_msub_soft"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_nmsub_soft "f32_nmsub_soft"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_nmadd_soft "f32_nmadd_soft"(uint32_t, uint32_t, uint32_t, int, uint32_t *)
    uint32_t c_f32_min "f32_min"(uint32_t, uint32_t, uint32_t *)
    uint32_t c_f32_max "f32_max"(uint32_t, uint32_t, uint32_t *)
    int c_f32_eq "f32_eq"(uint32_t, uint32_t, uint32_t *)
    int c_f32_lt "f32_lt"(uint32_t, uint32_t, uint32_t *)
    int c_f32_le "f32_le"(uint32_t, uint32_t, uint32_t *)
    uint32_t c_f32_classify "f32_classify"(uint32_t)
    int c_f32_is_nan "f32_is_nan"(uint32_t)
    int c_f32_is_snan "f32_is_snan"(uint32_t)
    uint32_t c_f32_to_i32 "f32_to_i32"(uint32_t, int, uint32_t *)
    uint32_t c_f32_to_u32 "f32_to_u32"(uint32_t, int, uint32_t *)
    uint64_t c_f32_to_i64 "f32_to_i64"(uint32_t, int, uint32_t *)
    uint64_t c_f32_to_u64 "f32_to_u64"(uint32_t, int, uint32_t *)
    uint32_t c_i32_to_f32 "i32_to_f32"(int32_t, int, uint32_t *)
    uint32_t c_u32_to_f32 "u32_to_f32"(uint32_t, int, uint32_t *)
    uint32_t c_i64_to_f32 "i64_to_f32"(int64_t, int, uint32_t *)
    uint32_t c_u64_to_f32 "u64_to_f32"(uint64_t, int, uint32_t *)
    uint64_t c_f64_add "f64_add"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_sub "f64_sub"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_mul "f64_mul"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_div "f64_div"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_sqrt "f64_sqrt"(uint64_t, int, uint32_t *)
    uint64_t c_f64_madd "f64_madd"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_msub "f64_msub"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_nmsub "f64_nmsub"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_nmadd "f64_nmadd"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_add_soft "f64_add_soft"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_sub_soft "f64_sub_soft"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_mul_soft "f64_mul_soft"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_div_soft "f64_div_soft"(uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_sqrt_soft "f64_sqrt_soft"(uint64_t, int, uint32_t *)
    uint64_t c_f64_madd_soft "f64_madd_soft"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_msub_soft "f64_msub_soft"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_nmsub_soft "f64_nmsub_soft"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_nmadd_soft "f64_nmadd_soft"(uint64_t, uint64_t, uint64_t, int, uint32_t *)
    uint64_t c_f64_min "f64_min"(uint64_t, uint64_t, uint32_t *)
    uint64_t c_f64_max "f64_max"(uint64_t, uint64_t, uint32_t *)
    int c_f64_eq "f64_eq"(uint64_t, uint64_t, uint32_t *)
    int c_f64_lt "f64_lt"(uint64_t, uint64_t, uint32_t *)
    int c_f64_le "f64_le"(uint64_t, uint64_t, uint32_t *)
    uint32_t c_f64_classify "f64_classify"(uint64_t)
    int c_f64_is_nan "f64_is_nan"(uint64_t)
    int c_f64_is_snan "f64_is_snan"(uint64_t)
    uint32_t c_f64_to_i32 "f64_to_i32"(uint64_t, int, uint32_t *)
    uint32_t c_f64_to_u32 "f64_to_u32"(uint64_t, int, uint32_t *)
    uint64_t c_f64_to_i64 "f64_to_i64"(uint64_t, int, uint32_t *)
    uint64_t c_f64_to_u64 "f64_to_u64"(uint64_t, int, uint32_t *)
    uint64_t c_i32_to_f64 "i32_to_f64"(int32_t, int, uint32_t *)
    uint64_t c_u32_to_f64 "u32_to_f64"(uint32_t, int, uint32_t *)
    uint64_t c_i64_to_f64 "i64_to_f64"(int64_t, int, uint32_t *)
    uint64_t c_u64_to_f64 "u64_to_f64"(uint64_t, int, uint32_t *)
    uint32_t c_bf16_classify "bf16_classify"(uint16_t)
    int c_bf16_is_nan "bf16_is_nan"(uint16_t)
    int c_bf16_is_snan "bf16_is_snan"(uint16_t)
    uint32_t c_f16_to_f32 "f16_to_f32"(uint16_t, int, uint32_t *)
    uint64_t c_f16_to_f64 "f16_to_f64"(uint16_t, int, uint32_t *)
    uint16_t c_f32_to_f16 "f32_to_f16"(uint32_t, int, uint32_t *)
    uint64_t c_f32_to_f64 "f32_to_f64"(uint32_t, int, uint32_t *)
    uint16_t c_f64_to_f16 "f64_to_f16"(uint64_t, int, uint32_t *)
    uint32_t c_f64_to_f32 "f64_to_f32"(uint64_t, int, uint32_t *)
    uint16_t c_f32_to_bf16 "f32_to_bf16"(uint32_t, int, uint32_t *)
    uint32_t c_bf16_to_f32 "bf16_to_f32"(uint16_t, int, uint32_t *)
    int c_softfp_hostfp_enabled "softfp_hostfp_enabled"()


def f16_add(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_add(a, b, rm, &fl)
    return r, fl


def f16_sub(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_sub(a, b, rm, &fl)
    return r, fl


def f16_mul(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_mul(a, b, rm, &fl)
    return r, fl


def f16_div(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_div(a, b, rm, &fl)
    return r, fl


def f16_sqrt(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_sqrt(a, rm, &fl)
    return r, fl


def f16_madd(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_madd(a, b, c, rm, &fl)
    return r, fl


def f16_msub(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_msub(a, b, c, rm, &fl)
    return r, fl


def f16_nmsub(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_nmsub(a, b, c, rm, &fl)
    return r, fl


def f16_nmadd(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_nmadd(a, b, c, rm, &fl)
    return r, fl


def f16_add_soft(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_add_soft(a, b, rm, &fl)
    return r, fl


def f16_sub_soft(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_sub_soft(a, b, rm, &fl)
    return r, fl


def f16_mul_soft(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_mul_soft(a, b, rm, &fl)
    return r, fl


def f16_div_soft(uint16_t a, uint16_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_div_soft(a, b, rm, &fl)
    return r, fl


def f16_sqrt_soft(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_sqrt_soft(a, rm, &fl)
    return r, fl


def f16_madd_soft(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_madd_soft(a, b, c, rm, &fl)
    return r, fl


def f16_msub_soft(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_msub_soft(a, b, c, rm, &fl)
    return r, fl


def f16_nmsub_soft(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_nmsub_soft(a, b, c, rm, &fl)
    return r, fl


def f16_nmadd_soft(uint16_t a, uint16_t b, uint16_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_nmadd_soft(a, b, c, rm, &fl)
    return r, fl


def f16_min(uint16_t a, uint16_t b):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_min(a, b, &fl)
    return r, fl


def f16_max(uint16_t a, uint16_t b):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f16_max(a, b, &fl)
    return r, fl


def f16_eq(uint16_t a, uint16_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f16_eq(a, b, &fl)
    return r, fl


def f16_lt(uint16_t a, uint16_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f16_lt(a, b, &fl)
    return r, fl


def f16_le(uint16_t a, uint16_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f16_le(a, b, &fl)
    return r, fl


def f16_classify(uint16_t a):
    return c_f16_classify(a)


def f16_is_nan(uint16_t a):
    return c_f16_is_nan(a)


def f16_is_snan(uint16_t a):
    return c_f16_is_snan(a)


def f16_to_i32(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f16_to_i32(a, rm, &fl)
    return r, fl


def f16_to_u32(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f16_to_u32(a, rm, &fl)
    return r, fl


def f16_to_i64(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f16_to_i64(a, rm, &fl)
    return r, fl


def f16_to_u64(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f16_to_u64(a, rm, &fl)
    return r, fl


def i32_to_f16(int32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_i32_to_f16(v, rm, &fl)
    return r, fl


def u32_to_f16(uint32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_u32_to_f16(v, rm, &fl)
    return r, fl


def i64_to_f16(int64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_i64_to_f16(v, rm, &fl)
    return r, fl


def u64_to_f16(uint64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_u64_to_f16(v, rm, &fl)
    return r, fl


def f32_add(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_add(a, b, rm, &fl)
    return r, fl


def f32_sub(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_sub(a, b, rm, &fl)
    return r, fl


def f32_mul(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_mul(a, b, rm, &fl)
    return r, fl


def f32_div(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_div(a, b, rm, &fl)
    return r, fl


def f32_sqrt(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_sqrt(a, rm, &fl)
    return r, fl


def f32_madd(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_madd(a, b, c, rm, &fl)
    return r, fl


def f32_msub(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_msub(a, b, c, rm, &fl)
    return r, fl


def f32_nmsub(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_nmsub(a, b, c, rm, &fl)
    return r, fl


def f32_nmadd(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_nmadd(a, b, c, rm, &fl)
    return r, fl


def f32_add_soft(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_add_soft(a, b, rm, &fl)
    return r, fl


def f32_sub_soft(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_sub_soft(a, b, rm, &fl)
    return r, fl


def f32_mul_soft(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_mul_soft(a, b, rm, &fl)
    return r, fl


def f32_div_soft(uint32_t a, uint32_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_div_soft(a, b, rm, &fl)
    return r, fl


def f32_sqrt_soft(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_sqrt_soft(a, rm, &fl)
    return r, fl


def f32_madd_soft(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_madd_soft(a, b, c, rm, &fl)
    return r, fl


def f32_msub_soft(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_msub_soft(a, b, c, rm, &fl)
    return r, fl


def f32_nmsub_soft(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_nmsub_soft(a, b, c, rm, &fl)
    return r, fl


def f32_nmadd_soft(uint32_t a, uint32_t b, uint32_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_nmadd_soft(a, b, c, rm, &fl)
    return r, fl


def f32_min(uint32_t a, uint32_t b):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_min(a, b, &fl)
    return r, fl


def f32_max(uint32_t a, uint32_t b):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_max(a, b, &fl)
    return r, fl


def f32_eq(uint32_t a, uint32_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f32_eq(a, b, &fl)
    return r, fl


def f32_lt(uint32_t a, uint32_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f32_lt(a, b, &fl)
    return r, fl


def f32_le(uint32_t a, uint32_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f32_le(a, b, &fl)
    return r, fl


def f32_classify(uint32_t a):
    return c_f32_classify(a)


def f32_is_nan(uint32_t a):
    return c_f32_is_nan(a)


def f32_is_snan(uint32_t a):
    return c_f32_is_snan(a)


def f32_to_i32(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_to_i32(a, rm, &fl)
    return r, fl


def f32_to_u32(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f32_to_u32(a, rm, &fl)
    return r, fl


def f32_to_i64(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f32_to_i64(a, rm, &fl)
    return r, fl


def f32_to_u64(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f32_to_u64(a, rm, &fl)
    return r, fl


def i32_to_f32(int32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_i32_to_f32(v, rm, &fl)
    return r, fl


def u32_to_f32(uint32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_u32_to_f32(v, rm, &fl)
    return r, fl


def i64_to_f32(int64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_i64_to_f32(v, rm, &fl)
    return r, fl


def u64_to_f32(uint64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_u64_to_f32(v, rm, &fl)
    return r, fl


def f64_add(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_add(a, b, rm, &fl)
    return r, fl


def f64_sub(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_sub(a, b, rm, &fl)
    return r, fl


def f64_mul(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_mul(a, b, rm, &fl)
    return r, fl


def f64_div(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_div(a, b, rm, &fl)
    return r, fl


def f64_sqrt(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_sqrt(a, rm, &fl)
    return r, fl


def f64_madd(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_madd(a, b, c, rm, &fl)
    return r, fl


def f64_msub(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_msub(a, b, c, rm, &fl)
    return r, fl


def f64_nmsub(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_nmsub(a, b, c, rm, &fl)
    return r, fl


def f64_nmadd(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_nmadd(a, b, c, rm, &fl)
    return r, fl


def f64_add_soft(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_add_soft(a, b, rm, &fl)
    return r, fl


def f64_sub_soft(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_sub_soft(a, b, rm, &fl)
    return r, fl


def f64_mul_soft(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_mul_soft(a, b, rm, &fl)
    return r, fl


def f64_div_soft(uint64_t a, uint64_t b, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_div_soft(a, b, rm, &fl)
    return r, fl


def f64_sqrt_soft(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_sqrt_soft(a, rm, &fl)
    return r, fl


def f64_madd_soft(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_madd_soft(a, b, c, rm, &fl)
    return r, fl


def f64_msub_soft(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_msub_soft(a, b, c, rm, &fl)
    return r, fl


def f64_nmsub_soft(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_nmsub_soft(a, b, c, rm, &fl)
    return r, fl


def f64_nmadd_soft(uint64_t a, uint64_t b, uint64_t c, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_nmadd_soft(a, b, c, rm, &fl)
    return r, fl


def f64_min(uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_min(a, b, &fl)
    return r, fl


def f64_max(uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_max(a, b, &fl)
    return r, fl


def f64_eq(uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f64_eq(a, b, &fl)
    return r, fl


def f64_lt(uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f64_lt(a, b, &fl)
    return r, fl


def f64_le(uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef int r = c_f64_le(a, b, &fl)
    return r, fl


def f64_classify(uint64_t a):
    return c_f64_classify(a)


def f64_is_nan(uint64_t a):
    return c_f64_is_nan(a)


def f64_is_snan(uint64_t a):
    return c_f64_is_snan(a)


def f64_to_i32(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f64_to_i32(a, rm, &fl)
    return r, fl


def f64_to_u32(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f64_to_u32(a, rm, &fl)
    return r, fl


def f64_to_i64(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_to_i64(a, rm, &fl)
    return r, fl


def f64_to_u64(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f64_to_u64(a, rm, &fl)
    return r, fl


def i32_to_f64(int32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_i32_to_f64(v, rm, &fl)
    return r, fl


def u32_to_f64(uint32_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_u32_to_f64(v, rm, &fl)
    return r, fl


def i64_to_f64(int64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_i64_to_f64(v, rm, &fl)
    return r, fl


def u64_to_f64(uint64_t v, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_u64_to_f64(v, rm, &fl)
    return r, fl


def bf16_classify(uint16_t a):
    return c_bf16_classify(a)


def bf16_is_nan(uint16_t a):
    return c_bf16_is_nan(a)


def bf16_is_snan(uint16_t a):
    return c_bf16_is_snan(a)


def f16_to_f32(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f16_to_f32(a, rm, &fl)
    return r, fl


def f16_to_f64(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f16_to_f64(a, rm, &fl)
    return r, fl


def f32_to_f16(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f32_to_f16(a, rm, &fl)
    return r, fl


def f32_to_f64(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint64_t r = c_f32_to_f64(a, rm, &fl)
    return r, fl


def f64_to_f16(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f64_to_f16(a, rm, &fl)
    return r, fl


def f64_to_f32(uint64_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_f64_to_f32(a, rm, &fl)
    return r, fl


def f32_to_bf16(uint32_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint16_t r = c_f32_to_bf16(a, rm, &fl)
    return r, fl


def bf16_to_f32(uint16_t a, int rm):
    cdef uint32_t fl = 0
    cdef uint32_t r = c_bf16_to_f32(a, rm, &fl)
    return r, fl


def softfp_hostfp_enabled():
    return c_softfp_hostfp_enabled()


FLAG_NX = 0x01
FLAG_UF = 0x02
FLAG_OF = 0x04
FLAG_DZ = 0x08
FLAG_NV = 0x10
