"""Vector FP edge cases worked out from IEEE 754 / the RISC-V rules (tininess after
rounding, canonical NaNs, NaN boxing), aimed at the host fast paths of the FMA family:
they must give softfp's (and Spike's) results and flags exactly."""
import pytest

from helpers import CODE, asm, enc, new_machine, reset
from rvv_asm import venc, vsetvli, vtype

NV, DZ, OF, UF, NX = 16, 8, 4, 2, 1


def _run(sew, a, b, c, mnemonic="vfmacc.vv", frm=0):
    """vd = c; one element; returns (vd[0], fflags)."""
    m = new_machine("rv64gcv", ram="64K", vlen=128)
    reset(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | (1 << 9))
    n = sew // 8
    m.reg_write("v1", a.to_bytes(n, "little") * (16 // n))
    m.reg_write("v2", b.to_bytes(n, "little") * (16 // n))
    m.reg_write("v3", c.to_bytes(n, "little") * (16 // n))
    m.reg_write("frm", frm)
    m.reg_write("fflags", 0)
    code = [vsetvli(10, 0, vtype(sew, 1)), venc(mnemonic, 3, 2, 1)]
    m.mem_write(CODE, asm(*code))
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    return int.from_bytes(m.reg_read("v3")[:n], "little"), m.reg_read("fflags")


@pytest.mark.parametrize("sew,tiny,one_minus", [(32, 0x00800000, 0x3F7FFFFF),
                                                (64, 0x0010000000000000, 0x3FEFFFFFFFFFFFFF)])
def test_fma_rounding_up_to_the_smallest_normal_is_tiny(sew, tiny, one_minus):
    # MIN * (1 - 2^-p) is below MIN unbounded (tiny after rounding) but rounds to MIN
    # in the subnormal range (a tie, to even): result MIN, flags UF and NX
    assert _run(sew, tiny, one_minus, 0) == (tiny, UF | NX)
    # the same product negated by vfnmacc: -(a*b) - 0
    assert _run(sew, tiny, one_minus, 0, "vfnmacc.vv") == (tiny | 1 << (sew - 1), UF | NX)


@pytest.mark.parametrize("sew", [32, 64])
def test_fma_exact_and_inexact_normal_results(sew):
    one = 0x3F800000 if sew == 32 else 0x3FF0000000000000
    two = 0x40000000 if sew == 32 else 0x4000000000000000
    three = 0x40400000 if sew == 32 else 0x4008000000000000
    assert _run(sew, one, two, one) == (three, 0)                 # 1*2 + 1 = 3 exactly
    tiny_ulp = 1 if sew == 32 else 1                               # smallest subnormal
    r, fl = _run(sew, one, one, tiny_ulp)                          # 1 + 2^-149: inexact
    assert (r, fl) == (one, NX)
    r, fl = _run(sew, one, one, tiny_ulp, frm=3)                   # RUP: the next float
    assert (r, fl) == (one + 1, NX)


@pytest.mark.parametrize("sew", [32, 64])
def test_fma_special_operands(sew):
    inf = 0x7F800000 if sew == 32 else 0x7FF0000000000000
    qnan = 0x7FC00000 if sew == 32 else 0x7FF8000000000000
    snan = 0x7FA00000 if sew == 32 else 0x7FF4000000000000
    one = 0x3F800000 if sew == 32 else 0x3FF0000000000000
    assert _run(sew, 0, inf, one) == (qnan, NV)                    # 0 * inf
    assert _run(sew, snan, one, one) == (qnan, NV)                 # sNaN: canonical NaN
    assert _run(sew, inf, one, inf | 1 << (sew - 1)) == (qnan, NV) # inf - inf
    assert _run(sew, inf, one, one) == (inf, 0)


def test_unordered_sum_with_no_active_element_canonicalises_a_nan():
    """vfredusum with vl > 0 and every element masked off: vd[0] = vs1[0], except that a
    NaN becomes the canonical NaN (NV for a signalling one), as Spike does; vfredosum
    keeps vs1[0] as it is."""
    m = new_machine("rv64gcv", ram="64K", vlen=128)
    for mnemonic, want, flags in (("vfredusum.vs", 0x7FC00000, NV), ("vfredosum.vs", 0x7FA00000, 0)):
        reset(m)
        m.reg_write("mstatus", m.reg_read("mstatus") | (1 << 9))
        m.reg_write("v0", 0)                                  # no active element
        m.reg_write("v1", 0x7FA00000)                         # vs1[0]: a signalling NaN
        m.reg_write("fflags", 0)
        code = [vsetvli(10, 0, vtype(32, 1)), venc(mnemonic, 3, 2, 1, vm=0)]
        m.mem_write(CODE, asm(*code))
        m.reg_write("pc", CODE)
        m.run(max_insns=2)
        assert int.from_bytes(m.reg_read("v3")[:4], "little") == want, mnemonic
        assert m.reg_read("fflags") == flags, mnemonic
