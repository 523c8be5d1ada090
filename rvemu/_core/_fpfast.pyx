# cython: language_level=3
"""Test hook: the host-FPU fast paths of fpfast.h beside the soft code they must match."""
from libc.stdint cimport uint32_t, uint64_t

cdef extern from "fpfast.h":
    uint64_t f64_add_fast(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_sub_fast(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_mul_fast(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_div_fast(uint64_t, uint64_t, int, uint32_t*)
    uint32_t f32_add_fast(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_sub_fast(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_mul_fast(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_div_fast(uint32_t, uint32_t, int, uint32_t*)
    uint64_t f64_add_soft(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_sub_soft(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_mul_soft(uint64_t, uint64_t, int, uint32_t*)
    uint64_t f64_div_soft(uint64_t, uint64_t, int, uint32_t*)
    uint32_t f32_add_soft(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_sub_soft(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_mul_soft(uint32_t, uint32_t, int, uint32_t*)
    uint32_t f32_div_soft(uint32_t, uint32_t, int, uint32_t*)


def fast(str name, uint64_t a, uint64_t b):
    """(result, flags) of the fast path for 'f64_add', 'f32_mul', ... in RNE."""
    cdef uint32_t fl = 0
    cdef uint64_t r
    if name == "f64_add": r = f64_add_fast(a, b, 0, &fl)
    elif name == "f64_sub": r = f64_sub_fast(a, b, 0, &fl)
    elif name == "f64_mul": r = f64_mul_fast(a, b, 0, &fl)
    elif name == "f64_div": r = f64_div_fast(a, b, 0, &fl)
    elif name == "f32_add": r = f32_add_fast(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_sub": r = f32_sub_fast(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_mul": r = f32_mul_fast(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_div": r = f32_div_fast(<uint32_t>a, <uint32_t>b, 0, &fl)
    else: raise KeyError(name)
    return r, fl


def soft(str name, uint64_t a, uint64_t b):
    cdef uint32_t fl = 0
    cdef uint64_t r
    if name == "f64_add": r = f64_add_soft(a, b, 0, &fl)
    elif name == "f64_sub": r = f64_sub_soft(a, b, 0, &fl)
    elif name == "f64_mul": r = f64_mul_soft(a, b, 0, &fl)
    elif name == "f64_div": r = f64_div_soft(a, b, 0, &fl)
    elif name == "f32_add": r = f32_add_soft(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_sub": r = f32_sub_soft(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_mul": r = f32_mul_soft(<uint32_t>a, <uint32_t>b, 0, &fl)
    elif name == "f32_div": r = f32_div_soft(<uint32_t>a, <uint32_t>b, 0, &fl)
    else: raise KeyError(name)
    return r, fl
