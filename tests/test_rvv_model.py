"""Per-instruction tests of the vector unit against the reference model (tests/rvv_model.py,
written from the spec): each instruction runs on the hart across SEW, LMUL (fractional
too), vl, vstart, masks and both agnostic policies (undisturbed, all ones), at VLEN 128,
256 and 1024, and every register element, vxsat, the x result and the trap are compared.
"""
import random

import numpy as np
import pytest

import rvv_model as M
from helpers import CODE, DATA, ILLEGAL, asm, enc, li, new_machine, reset
from rvv_asm import OPERANDS, venc, vsetvl, vtype
from rvemu.isa.encodings_v import INTEGER, MEMORY

MSTATUS_VS = 1 << 9
T0, T1, T2, T3 = 5, 6, 7, 28
LMULS = [0.125, 0.25, 0.5, 1, 2, 4, 8]


def _supported(m):
    base = m.split(".")[0]
    return not m.startswith(("vmv1r", "vmv2r", "vmv4r", "vmv8r"))


ARITH = [m for m, *_ in INTEGER if _supported(m)]
_machines = {}


def machine(vlen, ones):
    key = (vlen, ones)
    if key not in _machines:
        _machines[key] = new_machine("rv64gcv", ram="256K", vlen=vlen,
                                     agnostic="ones" if ones else "undisturbed")
    return _machines[key]


def run_on_hart(m, st0, insn, sew, lmul, ta, ma, avl, vstart=0, regs=None, vxrm=0):
    """Set vtype/vl (vsetvl), vstart and the registers, run insn; returns (trapped, x10)."""
    reset(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | MSTATUS_VS)
    m.hart.csr_write(0x00A, vxrm)
    m.hart.v[:] = st0
    code = li(T0, avl) + li(T1, vtype(sew, lmul, ta, ma)) + [vsetvl(T2, T0, T1)]
    code += li(T3, vstart) + [enc("csrrw", 0, 0x008, T3), insn]
    for k, v in (regs or {}).items():
        m.reg_write(k, v)
    m.mem_write(CODE, asm(*code))
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=len(code))
    return m.hart.traps != traps, m.reg_read("a0")


def one_case(rng, mnemonic, vlen, ones):
    m = machine(vlen, ones)
    sew = rng.choice([8, 16, 32, 64])
    lmul = rng.choice(LMULS)
    if sew > min(lmul, 1) * 64:          # vill: Spike's rule, SEW <= LMUL * ELEN
        lmul = 1
    ta, ma = rng.getrandbits(1), rng.getrandbits(1)
    vlmax = int(lmul * vlen // sew)
    avl = rng.choice([vlmax, rng.randint(0, vlmax), 0, 1, 2 * vlmax + 3])
    ops = OPERANDS[mnemonic].split(",")
    groups = rng.sample([8, 16, 24], 3)
    vd, vs2, vs1 = groups if rng.random() < 0.8 else [rng.randrange(32) for _ in range(3)]
    if rng.random() < 0.2:
        vd = vs2
    scalar = rng.choice([0, 1, 3, 7, 31, rng.getrandbits(64), rng.getrandbits(8), (1 << 64) - 1])
    if "xs1" in ops:
        vs1 = 11
    if ops[0] == "xd":
        vd = 10
    if "simm5" in ops or "uimm5" in ops:
        vs1 = rng.randrange(32)
    if mnemonic in ("vmv.v.x", "vmv.v.i", "vmv.v.v", "vmv.s.x", "vid.v"):
        vs2 = 0
    vm = rng.getrandbits(1) if "vm" in ops else (0 if "v0" in ops else 1)
    vstart = 0 if rng.random() < 0.9 else rng.randint(1, 4)
    vxrm = rng.randrange(4)
    st0 = np.frombuffer(rng.randbytes(32 * vlen // 8), dtype=np.uint8).reshape(32, vlen // 8).copy()
    insn = venc(mnemonic, vd=vd, vs2=vs2, vs1=vs1, vm=vm)

    st = M.VState(vlen, ones=ones)
    st.v[:] = st0
    st.set_vtype(sew, lmul, ta, ma, avl)
    st.vstart, st.vxrm = vstart, vxrm
    try:
        xres = M.execute(st, mnemonic, vd, vs2, vs1, vm, scalar)
        illegal = False
    except M.Illegal:
        illegal, xres = True, None

    m_regs = {"a1": scalar}
    reset(m)
    trapped, a0 = run_on_hart_with_vxrm(m, st0, insn, sew, lmul, ta, ma, avl, vstart, vxrm, m_regs)
    where = f"{mnemonic} vd={vd} vs2={vs2} vs1={vs1} vm={vm} sew={sew} lmul={lmul} ta={ta} ma={ma} vl={st.vl} vstart={vstart}"
    if trapped or illegal:
        assert trapped == illegal, f"{where}: hart trapped={trapped}, model illegal={illegal}"
        if trapped:
            assert m.hart.trap_info[0] == ILLEGAL, where
        return
    diff = np.nonzero((m.hart.v != st.v).any(axis=1))[0]
    assert not len(diff), (f"{where}: v{diff[0]} hart {m.hart.v[diff[0]].tobytes().hex()} "
                           f"model {st.v[diff[0]].tobytes().hex()}")
    if xres is not None:
        assert a0 == xres, f"{where}: x result {a0:#x}, model {xres:#x}"
    assert m.hart.csr_read(0x009) == st.vxsat, f"{where}: vxsat"


def run_on_hart_with_vxrm(m, st0, insn, sew, lmul, ta, ma, avl, vstart, vxrm, regs):
    return run_on_hart(m, st0, insn, sew, lmul, ta, ma, avl, vstart, regs, vxrm)


@pytest.mark.parametrize("vlen", [128, 256, 1024])
@pytest.mark.parametrize("ones", [False, True], ids=["undisturbed", "ones"])
def test_arithmetic_against_model(vlen, ones):
    rng = random.Random(vlen * 2 + ones)
    for mnemonic in ARITH:
        for _ in range(4 if vlen == 128 else 2):
            one_case(rng, mnemonic, vlen, ones)


@pytest.mark.slow
@pytest.mark.parametrize("vlen", [128, 256, 1024])
@pytest.mark.parametrize("ones", [False, True], ids=["undisturbed", "ones"])
def test_arithmetic_against_model_many(vlen, ones):
    rng = random.Random(1000 + vlen * 2 + ones)
    for mnemonic in ARITH:
        for _ in range(40):
            one_case(rng, mnemonic, vlen, ones)


# ---- loads and stores ---------------------------------------------------------------

MEM_NAMES = [m for m, *_ in MEMORY if "ff" not in m]


def mem_case(rng, mnemonic, vlen, ones):
    m = machine(vlen, ones)
    sew = rng.choice([8, 16, 32, 64])
    lmul = rng.choice(LMULS)
    if sew > min(lmul, 1) * 64:
        lmul = 1
    ta, ma = rng.getrandbits(1), rng.getrandbits(1)
    vlmax = int(lmul * vlen // sew)
    avl = rng.choice([vlmax, rng.randint(0, vlmax), 0, 1])
    nf = rng.randint(0, 7) if rng.random() < 0.4 and not mnemonic.startswith(
        ("vl1", "vl2", "vl4", "vl8", "vs1", "vs2", "vs4", "vs8", "vlm", "vsm")) else 0
    if mnemonic.startswith(("vl1", "vl2", "vl4", "vl8", "vs1", "vs2", "vs4", "vs8")):
        nf = int(mnemonic[2]) - 1
    vd = rng.choice([8, 16, 24])
    vs2 = rng.choice([g for g in (8, 16, 24) if g != vd])
    vm = 1 if "vm" not in OPERANDS[mnemonic] else rng.getrandbits(1)
    vstart = 0 if rng.random() < 0.8 else rng.randint(0, 5)
    eew = int("".join(ch for ch in mnemonic.split(".")[0].split("e")[-1] if ch.isdigit()) or 8)
    nb = eew // 8
    base = DATA + 0x4000 + rng.randrange(0, 0x800) * 8
    stride = rng.choice([0, nb, 2 * nb, -nb, 8 * nb]) if "xs2" in OPERANDS[mnemonic] else 0
    st0 = np.frombuffer(rng.randbytes(32 * vlen // 8), dtype=np.uint8).reshape(32, vlen // 8).copy()
    if "vs2" in OPERANDS[mnemonic]:                 # index offsets: small, element-aligned
        dnb = sew // 8
        flat = st0.reshape(-1)
        for k in range(8 * vlen // eew):
            off = rng.randrange(0, 0x1000 // dnb) * dnb
            o = vs2 * (vlen // 8) + k * nb
            flat[o:o + nb] = np.frombuffer(off.to_bytes(8, "little")[:nb], dtype=np.uint8)
    mem0 = bytearray(rng.randbytes(0x10000))
    insn = venc(mnemonic, vd=vd, vs2=vs2 if "vs2" in OPERANDS[mnemonic] else 11, vs1=10, vm=vm, nf=nf)

    st = M.VState(vlen, ones=ones)
    st.v[:] = st0
    st.set_vtype(sew, lmul, ta, ma, avl)
    st.vstart = vstart
    mem = bytearray(mem0)
    try:
        M.memory_op(st, mem, DATA, mnemonic, vd, base, stride, vs2, vm, nf)
        illegal = False
    except M.Illegal:
        illegal = True
    m.mem_write(DATA, bytes(mem0))
    trapped, _ = run_on_hart(m, st0, insn, sew, lmul, ta, ma, avl, vstart,
                             regs={"a0": base, "a1": stride & ((1 << 64) - 1)})
    where = f"{mnemonic} nf={nf} vd={vd} vs2={vs2} vm={vm} sew={sew} lmul={lmul} ta={ta} ma={ma} vl={st.vl} vstart={vstart}"
    assert trapped == illegal, f"{where}: hart trapped={trapped}, model illegal={illegal}"
    if trapped:
        return
    diff = np.nonzero((m.hart.v != st.v).any(axis=1))[0]
    assert not len(diff), (f"{where}: v{diff[0]} hart {m.hart.v[diff[0]].tobytes().hex()} "
                           f"model {st.v[diff[0]].tobytes().hex()}")
    assert bytes(m.mem_read(DATA, 0x10000)) == bytes(mem), f"{where}: memory"
    assert m.hart.csr_read(0x008) == 0, f"{where}: vstart after completion"


@pytest.mark.parametrize("vlen", [128, 256, 1024])
@pytest.mark.parametrize("ones", [False, True], ids=["undisturbed", "ones"])
def test_memory_against_model(vlen, ones):
    rng = random.Random(7 + vlen * 2 + ones)
    for mnemonic in MEM_NAMES:
        for _ in range(4 if vlen == 128 else 2):
            mem_case(rng, mnemonic, vlen, ones)


# ---- the agnostic policy on every instruction -----------------------------------------

@pytest.mark.parametrize("vlen", [128, 1024])
def test_ones_policy_only_sets_bits(vlen):
    """Every vector instruction (FP and loads too) run under both policies: the results
    may differ only where the "ones" run wrote ones (agnostic tail/inactive elements),
    and the CSRs, traps and x/f registers must not differ at all."""
    import rvv_diff as D
    from rvemu.isa.encodings_v import FLOATING, ZVFBFMIN, ZVFBFWMA
    fp = {m for m, *_ in FLOATING + ZVFBFMIN + ZVFBFWMA}
    mem = {m for m, *_ in MEMORY}
    names = [m for m, *_ in INTEGER + FLOATING + ZVFBFMIN + ZVFBFWMA + MEMORY]
    rng = random.Random(vlen)
    cases = [D.random_mem_case(rng, m, OPERANDS[m], vlen) if m in mem
             else D.random_case(rng, m, OPERANDS[m], vlen, fp=m in fp) for m in names]
    isa = "rv64gcv_zfh_zfbfmin_zvfh_zvfbfmin_zvfbfwma"
    elf, size, cs = D.build(cases, vlen, mem_init=rng.randbytes(D.MEM_SIZE))
    und, und_mem = D.run_rvemu(elf, isa, vlen, size)
    ones, ones_mem = D.run_rvemu(elf, isa, vlen, size, agnostic="ones")
    assert und_mem == ones_mem
    filled = 0
    for k, c in enumerate(cases):
        a, b = D.decode_case(und, k, cs), D.decode_case(ones, k, cs)
        for f in D.FIELDS + ["x", "f"]:
            assert a[f] == b[f], (c["mnemonic"], f)
        x = int.from_bytes(a["v"], "little")
        y = int.from_bytes(b["v"], "little")
        assert (x ^ y) & ~y == 0, f"{c['mnemonic']}: the ones policy cleared bits"
        filled += x != y
    assert filled > len(cases) // 10          # the policy really changed many results


# ---- floating point against the model (element values from tests/fpref.py) -----------

from rvemu.isa.encodings_v import FLOATING  # noqa: E402

FP_SKIP = ("vfred", "vfwred", "vfrec7", "vfrsqrt7", "vfslide1")
FP_NAMES = [m for m, *_ in FLOATING if not m.startswith(FP_SKIP)]
FP_ISA = "rv64gcv_zfh_zvfh"


def fp_case(rng, mnemonic, vlen, ones):
    import rvv_diff as D
    key = (vlen, ones, "fp")
    if key not in _machines:
        _machines[key] = new_machine(FP_ISA, ram="256K", vlen=vlen,
                                     agnostic="ones" if ones else "undisturbed")
    m = _machines[key]
    sew = rng.choice([16, 32, 64, 8] if "cvt" in mnemonic else [16, 32, 64])
    lmul = rng.choice(LMULS)
    if sew > min(lmul, 1) * 64:
        lmul = 1
    ta, ma = rng.getrandbits(1), rng.getrandbits(1)
    vlmax = int(lmul * vlen // sew)
    avl = rng.choice([vlmax, rng.randint(0, vlmax), 1])
    ops = OPERANDS[mnemonic].split(",")
    vd, vs2, vs1 = rng.sample([8, 16, 24], 3)
    if rng.random() < 0.2:
        vd = vs2
    if "fs1" in ops:
        vs1 = 11
    if ops[0] == "fd":
        vd = 10
    if mnemonic in ("vfmv.v.f", "vfmv.s.f"):
        vs2 = 0
    vm = rng.getrandbits(1) if "vm" in ops else (0 if "v0" in ops else 1)
    frm = rng.choice([0, 0, 1, 2, 3, 4])
    fsew = sew if sew > 8 else 16
    st0 = np.frombuffer(D.fill_regs(rng, vlen // 8, fsew), dtype=np.uint8).reshape(32, vlen // 8).copy()
    st0[0] = np.frombuffer(rng.randbytes(vlen // 8), dtype=np.uint8)
    fval = D.fp_value(rng, fsew)
    if fsew < 64:
        fval |= ((1 << 64) - 1) ^ ((1 << fsew) - 1)
    insn = venc(mnemonic, vd=vd, vs2=vs2, vs1=vs1, vm=vm)

    st = M.VState(vlen, ones=ones)
    st.v[:] = st0
    st.set_vtype(sew, lmul, ta, ma, avl)
    try:
        flags, fres = M.execute_fp(st, mnemonic, vd, vs2, vs1, vm, fval, frm)
        illegal = False
    except M.Illegal:
        illegal, flags, fres = True, 0, None
    trapped, _ = run_on_hart(m, st0, insn, sew, lmul, ta, ma, avl, 0,
                             {"frm": frm, "fflags": 0, "fa1": fval})
    where = f"{mnemonic} vd={vd} vs2={vs2} vs1={vs1} vm={vm} sew={sew} lmul={lmul} ta={ta} ma={ma} vl={st.vl} frm={frm}"
    assert trapped == illegal, f"{where}: hart trapped={trapped}, model illegal={illegal}"
    if trapped:
        return
    diff = np.nonzero((m.hart.v != st.v).any(axis=1))[0]
    assert not len(diff), (f"{where}: v{diff[0]} hart {m.hart.v[diff[0]].tobytes().hex()} "
                           f"model {st.v[diff[0]].tobytes().hex()}")
    assert m.reg_read("fflags") == flags, f"{where}: fflags {m.reg_read('fflags'):#x}, model {flags:#x}"
    if fres is not None:
        assert m.reg_read("fa0") == fres, where


@pytest.mark.parametrize("vlen", [128, 256, 1024])
@pytest.mark.parametrize("ones", [False, True], ids=["undisturbed", "ones"])
def test_fp_against_model(vlen, ones):
    rng = random.Random(31 + vlen * 2 + ones)
    for mnemonic in FP_NAMES:
        for _ in range(2 if vlen == 128 else 1):
            fp_case(rng, mnemonic, vlen, ones)


@pytest.mark.slow
@pytest.mark.parametrize("vlen", [128, 256, 1024])
@pytest.mark.parametrize("ones", [False, True], ids=["undisturbed", "ones"])
def test_fp_against_model_many(vlen, ones):
    rng = random.Random(3100 + vlen * 2 + ones)
    for mnemonic in FP_NAMES:
        for _ in range(15):
            fp_case(rng, mnemonic, vlen, ones)
