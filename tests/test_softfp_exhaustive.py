"""Exhaustive checks of every unary operation and conversion from the 16-bit formats.

binary16: sqrt, classify, is_nan/is_snan, conversion to f32 and f64, and to every integer
type, over all 65536 inputs in all five rounding modes.  bfloat16: conversion to f32,
classify, is_nan/is_snan.  The full sweeps are marked slow (run with ``-m slow``); the
default run covers a strided sample plus every special value and every binade edge.
The project's pytest configuration does not deselect ``slow`` by default, so the sweeps
skip themselves unless the marker expression selects them (``-m slow``) or
RVEMU_SLOW_TESTS=1 is set.
"""
import os

import pytest

import fpref as R

# SOFTFP_TEST_MODULE lets the same tests run against another build of the wrapper, e.g. one
# compiled with -DSOFTFP_NO_HOSTFP (the *_soft functions are checked in every build anyway).
S = pytest.importorskip(os.environ.get("SOFTFP_TEST_MODULE", "rvemu._core._softfp"))

RMS = R.ROUNDING_MODES
INT_KINDS = list(R.INT_TYPES)


def _fmt_checks_f16(a, fails):
    f = R.F16
    got = S.f16_classify(a)
    exp = R.classify(f, a)
    if got != exp:
        fails.append(("f16_classify", a, None, got, exp))
    if S.f16_is_nan(a) != int(R.is_nan(f, a)) or S.f16_is_snan(a) != int(R.is_snan(f, a)):
        fails.append(("f16_is_nan/is_snan", a, None, None, None))
    for rm in RMS:
        for name, ref in (("f16_sqrt", lambda: R.sqrt(f, a, rm)),
                          ("f16_sqrt_soft", lambda: R.sqrt(f, a, rm)),
                          ("f16_to_f32", lambda: R.convert(f, R.F32, a, rm)),
                          ("f16_to_f64", lambda: R.convert(f, R.F64, a, rm))):
            got, exp = getattr(S, name)(a, rm), ref()
            if got != exp:
                fails.append((name, a, rm, got, exp))
        for kind in INT_KINDS:
            width, signed = R.INT_TYPES[kind]
            got = getattr(S, f"f16_to_{kind}")(a, rm)
            exp = R.to_int(f, a, rm, width, signed)
            if got != exp:
                fails.append((f"f16_to_{kind}", a, rm, got, exp))


def _fmt_checks_bf16(a, fails):
    f = R.BF16
    if S.bf16_classify(a) != R.classify(f, a):
        fails.append(("bf16_classify", a, None, S.bf16_classify(a), R.classify(f, a)))
    if S.bf16_is_nan(a) != int(R.is_nan(f, a)) or S.bf16_is_snan(a) != int(R.is_snan(f, a)):
        fails.append(("bf16_is_nan/is_snan", a, None, None, None))
    for rm in RMS:
        got, exp = S.bf16_to_f32(a, rm), R.convert(f, R.F32, a, rm)
        if got != exp:
            fails.append(("bf16_to_f32", a, rm, got, exp))


CHECKS = {"f16": _fmt_checks_f16, "bf16": _fmt_checks_bf16}


def run_sweep(fmtname, inputs):
    fails = []
    check = CHECKS[fmtname]
    for a in inputs:
        check(a, fails)
        if len(fails) > 20:
            break
    if fails:
        lines = [f"{n}({a:#06x}, rm={rm}) = {g}, expected {e}" for n, a, rm, g, e in fails[:20]]
        pytest.fail(f"{len(fails)} mismatches:\n" + "\n".join(lines))


def sample_inputs(fmt, stride):
    vals = set(range(0, 1 << 16, stride))
    vals.update(fmt.specials())
    for e in range(fmt.exp_field_max + 1):          # every binade edge, both signs
        for m in (0, 1, fmt.man_mask, fmt.man_mask - 1, 1 << (fmt.mbits - 1)):
            vals.add(fmt.pack(0, e, m))
            vals.add(fmt.pack(1, e, m))
    return sorted(vals)


@pytest.mark.parametrize("fmt", [R.F16, R.BF16], ids=lambda f: f.name)
def test_16bit_unary_sample(fmt):
    run_sweep(fmt.name, sample_inputs(fmt, 23 if fmt is R.F16 else 7))


def slow_selected(config):
    expr = config.getoption("markexpr", default="") or ""
    # if the expression deselects slow tests this test never runs, so any mention selects it
    return os.environ.get("RVEMU_SLOW_TESTS") == "1" or "slow" in expr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", [R.F16, R.BF16], ids=lambda f: f.name)
@pytest.mark.parametrize("part", range(4))
def test_16bit_unary_exhaustive(fmt, part, request):
    run_sweep(fmt.name, range(part << 14, (part + 1) << 14))
