"""The host-FPU fast paths (rvemu/_core/fpfast.h) give exactly the soft code's result
and flags: on edge cases, on random bit patterns, and on near-tie operands."""
import random
import struct

import pytest
from hypothesis import given, settings, strategies as st

from rvemu._core import _fpfast

OPS64 = ["f64_add", "f64_sub", "f64_mul", "f64_div"]
OPS32 = ["f32_add", "f32_sub", "f32_mul", "f32_div"]

EDGE64 = [0, 1 << 63, 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x0010000000000001,
          0x3FF0000000000000, 0x3FF0000000000001, 0xBFF0000000000000, 0x7FEFFFFFFFFFFFFF,
          0xFFEFFFFFFFFFFFFF, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
          0x7FF0000000000001, 0x3CA0000000000000, 0x4340000000000000, 0x3FE0000000000000,
          0x0000000000000003, 0x1FF0000000000000, 0x5FF0000000000000]
EDGE32 = [0, 1 << 31, 1, 0x007FFFFF, 0x00800000, 0x00800001, 0x3F800000, 0x3F800001,
          0xBF800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001,
          0x33800000, 0x4B000000, 0x3F000000, 0x0F800000, 0x5F800000, 0x20000000]


def test_results_rounding_up_to_the_smallest_normal():
    """Tiny before rounding (unbounded exponent) but FLT_MIN/DBL_MIN after: UF must be set."""
    check("f32_mul", 0x3F7FFFFF, 0x00800000)
    check("f32_mul", 0xBF7FFFFF, 0x00800000)
    check("f32_div", 0x00800000, 0x3F800001)
    check("f64_mul", 0x3FEFFFFFFFFFFFFF, 0x0010000000000000)
    check("f64_div", 0x0010000000000000, 0x3FF0000000000001)


def check(name, a, b):
    assert _fpfast.fast(name, a, b) == _fpfast.soft(name, a, b), (name, hex(a), hex(b))


@pytest.mark.parametrize("name", OPS64)
def test_edges_f64(name):
    for a in EDGE64:
        for b in EDGE64:
            check(name, a, b)


@pytest.mark.parametrize("name", OPS32)
def test_edges_f32(name):
    for a in EDGE32:
        for b in EDGE32:
            check(name, a, b)


@settings(derandomize=True, max_examples=3000)
@given(st.sampled_from(OPS64), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_random_f64(name, a, b):
    check(name, a, b)


@settings(derandomize=True, max_examples=3000)
@given(st.sampled_from(OPS32), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_random_f32(name, a, b):
    check(name, a, b)


def test_near_ties_and_cancellation():
    """Operands of close magnitude (cancellation, ties, exact results) in both formats."""
    rng = random.Random(1234)
    for _ in range(20000):
        e = rng.randrange(-60, 60)
        x = rng.random() * 2.0 ** e
        y = x * (1 + rng.choice([0, 2**-52, -2**-52, 2**-53, 2**-24, 0.5, -1]))
        a, b = (struct.unpack("<Q", struct.pack("<d", v))[0] for v in (x, y))
        for name in OPS64:
            check(name, a, b)
        fa, fb = (struct.unpack("<I", struct.pack("<f", v))[0] for v in (x, y))
        for name in OPS32:
            check(name, fa, fb)
