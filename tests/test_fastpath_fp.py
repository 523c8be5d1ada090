"""The F/D ops that the C fast path (rvemu/_core/fastloop.h) runs must do exactly what the
Cython executor (rv_f.pxi, rv_fp_template.pxi) does: the same result, the same fflags and
the same traps.

The fast path takes an F/D op only while mstatus.FS is Dirty (then it has no status bit
to change); with FS Clean every op goes to the Cython executor, which makes FS Dirty. So
each case runs once from FS = Clean and once from FS = Dirty, on operands rich in special
values (NaNs, signed zeros, infinities, subnormals, improperly NaN-boxed singles), in every
rounding mode, the dynamic one included. test_fd_reference.py checks the results against an
exact reference; this file checks that the two implementations agree.
"""
import random

import pytest

from helpers import CODE, MASK64, asm, enc, new_machine, reset

FS_SHIFT = 13
FS_CLEAN, FS_DIRTY = 2, 3
TRAP_VEC = CODE + 0x1000

SPECIAL64 = [0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
             0x7ff4000000000000, 0x0000000000000001, 0x000fffffffffffff, 0x0010000000000000,
             0x3ff0000000000000, 0xbff0000000000000, 0x7fefffffffffffff, 0x4340000000000000,
             0x41dfffffffc00000, 0xc3e0000000000000]
SPECIAL32 = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 1, 0x007fffff,
             0x00800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0x4f000000, 0xcf000000]

# (mnemonic, operand kind): f2 fd,fs1,fs2 | f1 fd,fs1 | f3 fd,fs1,fs2,fs3 | x2 rd,fs1,fs2 |
# x1 rd,fs1 | i2f fd,rs1 | nr: takes no rounding mode
OPS = []
for s in ("s", "d"):
    OPS += [(f"{op}.{s}", "f2") for op in ("fadd", "fsub", "fmul", "fdiv")]
    OPS += [(f"fsqrt.{s}", "f1")]
    OPS += [(f"{op}.{s}", "f3") for op in ("fmadd", "fmsub", "fnmsub", "fnmadd")]
    OPS += [(f"{op}.{s}", "f2nr") for op in ("fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax")]
    OPS += [(f"{op}.{s}", "x2") for op in ("feq", "flt", "fle")]
    OPS += [(f"fcvt.{i}.{s}", "x1") for i in ("w", "wu", "l", "lu")]
    OPS += [(f"fcvt.{s}.{i}", "i2f") for i in ("w", "wu", "l", "lu")]
OPS += [("fmv.x.w", "x1nr"), ("fmv.x.d", "x1nr"), ("fmv.w.x", "i2fnr"), ("fmv.d.x", "i2fnr"),
        ("fcvt.s.d", "f1"), ("fcvt.d.s", "f1")]


def operand(rng, single):
    """An f-register image: a special or random value, NaN-boxed or (sometimes) not."""
    if single:
        v = rng.choice(SPECIAL32) if rng.random() < 0.6 else rng.getrandbits(32)
        v ^= rng.choice((0, 0x80000000))
        return v | (0xffffffff00000000 if rng.random() < 0.9 else rng.getrandbits(32) << 32)
    v = rng.choice(SPECIAL64) if rng.random() < 0.6 else rng.getrandbits(64)
    return v ^ rng.choice((0, 1 << 63))


def word(mn, kind, rm):
    if kind in ("f2", "f2nr"):
        return enc(mn, 4, 1, 2, **({} if kind.endswith("nr") else {"rm": rm}))
    if kind == "f1":
        return enc(mn, 4, 1, rm=rm)
    if kind == "f3":
        return enc(mn, 4, 1, 2, 3, rm=rm)
    if kind == "x2":
        return enc(mn, 11, 1, 2)
    if kind in ("x1", "x1nr"):
        return enc(mn, 11, 1, **({} if kind.endswith("nr") else {"rm": rm}))
    return enc(mn, 4, 10, **({} if kind.endswith("nr") else {"rm": rm}))  # i2f


@pytest.fixture(scope="module")
def m():
    mach = new_machine("rv64gc", ram="64K")
    return mach


def run_one(m, w, fs, fregs, a0, frm):
    reset(m, fs=False)
    m.reg_write("mtvec", TRAP_VEC)
    m.mem_write(TRAP_VEC, asm(enc("jal", 0, 0)))
    m.reg_write("mstatus", m.reg_read("mstatus") | (fs << FS_SHIFT))
    m.reg_write("fcsr", frm << 5)  # frm; fflags cleared
    for i, v in enumerate(fregs):
        m.reg_write(f"f{i + 1}", v)
    m.reg_write("f4", 0x1234)
    m.reg_write("a0", a0)
    m.reg_write("a1", 0x5678)
    m.mem_write(CODE, asm(w))
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=1)
    return (m.hart.traps - traps, m.reg_read("pc"), m.reg_read("f4"), m.reg_read("a1"),
            m.reg_read("fflags"), (m.reg_read("mstatus") >> FS_SHIFT) & 3)


@pytest.mark.parametrize("mn,kind", OPS, ids=[o[0] for o in OPS])
def test_fast_path_agrees_with_the_executor(m, mn, kind):
    rng = random.Random(mn)
    single = mn.rsplit(".", 1)[1] in ("s", "w")  # the f sources are singles
    rms = (0, 1, 2, 3, 4, 7) if "nr" not in kind and kind not in ("x2",) else (0,)
    ran = 0
    for _ in range(40):
        fregs = [operand(rng, single) for _ in range(3)]
        a0 = rng.choice((0, 1, MASK64, 1 << 63, (1 << 31) - 1, 1 << 31, rng.getrandbits(64)))
        for rm in rms:
            frm = rng.randrange(5)
            w = word(mn, kind, rm)
            slow = run_one(m, w, FS_CLEAN, fregs, a0, frm)
            fast = run_one(m, w, FS_DIRTY, fregs, a0, frm)
            assert slow[0] == 0 and fast[0] == 0, f"{mn} trapped"
            # everything but FS agrees; FS: Dirty after an f write or a flag, as the
            # Cython executor decides, and stays Dirty on the fast path
            assert fast[:5] == slow[:5], (mn, rm, frm, [hex(v) for v in fregs], hex(a0))
            assert fast[5] == FS_DIRTY
            ran += 1
    assert ran >= 40


@pytest.mark.parametrize("rm", [5, 6])
def test_reserved_rounding_mode_traps_on_both_paths(m, rm):
    w = enc("fadd.d", 4, 1, 2, rm=rm)
    for fs in (FS_CLEAN, FS_DIRTY):
        traps, pc, f4, *_ = run_one(m, w, fs, [0, 0, 0], 0, 0)
        assert traps == 1 and pc == TRAP_VEC and f4 == 0x1234
        assert m.reg_read("mcause") == 2 and m.reg_read("mtval") == w


def test_reserved_dynamic_rounding_mode_traps_on_both_paths(m):
    w = enc("fmul.s", 4, 1, 2, rm=7)
    for fs in (FS_CLEAN, FS_DIRTY):
        traps, pc, f4, *_ = run_one(m, w, fs, [0x3f800000 | (MASK64 << 32 & MASK64)] * 3, 0,
                                    5)
        assert traps == 1 and pc == TRAP_VEC and f4 == 0x1234
        assert m.reg_read("mcause") == 2
