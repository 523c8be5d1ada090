"""KVM_GET_REG_LIST: our list against what Linux's get-reg-list selftest
(tools/testing/selftests/kvm/riscv/get-reg-list.c) expects, run the way the selftest runs it
(fact sheet section 6), and the enumeration order of section 5.

The expected ("blessed") lists below are written from the fact sheet, not from our code.
"""
import errno

import pytest

from kvm_support import future_extensions, vcpu_for  # noqa: F401
from rvemu.kvm import KvmError
from rvemu.kvm import uapi as U

R, UL, U32, U64 = U.KVM_REG_RISCV, U.KVM_REG_SIZE_U64, U.KVM_REG_SIZE_U32, U.KVM_REG_SIZE_U64

# ---- the selftest's sublists ----------------------------------------------------------------------
BASE = (
    [R | UL | U.KVM_REG_RISCV_CONFIG | i for i in (0, 2, 3, 4, 6)]      # isa, mvendorid, marchid, mimpid, satp_mode
    + [R | UL | U.KVM_REG_RISCV_CORE | i for i in range(33)]           # regs.pc .. regs.t6, mode
    + [R | UL | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_GENERAL | i for i in range(11)]
    + [R | U64 | U.KVM_REG_RISCV_TIMER | i for i in range(4)]
)
assert len(BASE) == 53
BASE_SKIPS_SET = [R | U64 | U.KVM_REG_RISCV_TIMER | 3]                  # timer state


def isa_reg(name):
    return R | UL | U.KVM_REG_RISCV_ISA_EXT | U.KVM_REG_RISCV_ISA_SINGLE | U.ISA_EXT_ID[name]


def sbi_reg(name):
    return R | UL | U.KVM_REG_RISCV_SBI_EXT | U.KVM_REG_RISCV_SBI_SINGLE | U.SBI_EXT_ID[name]


SBI_BASE = [sbi_reg(n) for n in ("V01", "TIME", "IPI", "RFENCE", "SRST", "HSM", "EXPERIMENTAL", "VENDOR")]
FP_F = [R | U32 | U.KVM_REG_RISCV_FP_F | i for i in range(32)] + [R | U32 | U.KVM_REG_RISCV_FP_F | 32]
FP_D = [R | U64 | U.KVM_REG_RISCV_FP_D | i for i in range(32)] + [R | U32 | U.KVM_REG_RISCV_FP_D | 32]
VEC = ([R | UL | U.KVM_REG_RISCV_VECTOR | i for i in range(5)]
       + [R | U.KVM_REG_SIZE_U128 | U.KVM_REG_RISCV_VECTOR | (6 + n) for n in range(32)])
AIA = [R | UL | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_AIA | i for i in range(7)]
SMSTATEEN = [R | UL | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_SMSTATEEN | 0]
STA = [R | UL | U.KVM_REG_RISCV_SBI_STATE | U.KVM_REG_RISCV_SBI_STA | i for i in (0, 1)]
FWFT_MISALIGNED = [R | UL | U.KVM_REG_RISCV_SBI_STATE | U.KVM_REG_RISCV_SBI_FWFT | i for i in (0, 1, 2)]
FWFT_POINTER_MASKING = [R | UL | U.KVM_REG_RISCV_SBI_STATE | U.KVM_REG_RISCV_SBI_FWFT | i for i in (3, 4, 5)]

# config name -> (feature register, blessed registers besides BASE)
CONFIGS = {
    "sbi-base": (sbi_reg("V01"), SBI_BASE),
    "sbi-sta": (sbi_reg("STA"), [sbi_reg("STA")] + STA),
    "sbi-pmu": (sbi_reg("PMU"), [sbi_reg("PMU")]),
    "sbi-dbcn": (sbi_reg("DBCN"), [sbi_reg("DBCN")]),
    "sbi-susp": (sbi_reg("SUSP"), [sbi_reg("SUSP")]),
    "sbi-mpxy": (sbi_reg("MPXY"), [sbi_reg("MPXY")]),
    "fp_f": (isa_reg("F"), FP_F + [isa_reg("F")]),
    "fp_d": (isa_reg("D"), FP_D + [isa_reg("D")]),
    "zfh": (isa_reg("ZFH"), [isa_reg("ZFH")]),
    "zfhmin": (isa_reg("ZFHMIN"), [isa_reg("ZFHMIN")]),
    "zfbfmin": (isa_reg("ZFBFMIN"), [isa_reg("ZFBFMIN")]),
    "sstc": (isa_reg("SSTC"), [isa_reg("SSTC")]),
    "svadu": (isa_reg("SVADU"), [isa_reg("SVADU")]),
    "zicntr": (isa_reg("ZICNTR"), [isa_reg("ZICNTR")]),
    "zicsr": (isa_reg("ZICSR"), [isa_reg("ZICSR")]),
    "zifencei": (isa_reg("ZIFENCEI"), [isa_reg("ZIFENCEI")]),
    "zihpm": (isa_reg("ZIHPM"), [isa_reg("ZIHPM")]),
    "zaamo": (isa_reg("ZAAMO"), [isa_reg("ZAAMO")]),
    "zalrsc": (isa_reg("ZALRSC"), [isa_reg("ZALRSC")]),
}
FUTURE_CONFIGS = {
    "v": (isa_reg("V"), VEC + [isa_reg("V")]),
    "aia": (isa_reg("SSAIA"), AIA + [isa_reg("SSAIA")]),
    "smstateen": (isa_reg("SMSTATEEN"), SMSTATEEN + [isa_reg("SMSTATEEN")]),
    "zvfh": (isa_reg("ZVFH"), [isa_reg("ZVFH")]),
    "zvbb": (isa_reg("ZVBB"), [isa_reg("ZVBB")]),
    "h": (isa_reg("H"), [isa_reg("H")]),
}


# ---- the harness, as the selftest does it ---------------------------------------------------------
def finalize_vcpu(v, feature, blessed):
    """get-reg-list.c finalize_vcpu: disable every ISA ext that can be, every SBI ext, then
    turn the config's feature on; returns the blessed list fixed for vlenb, or None when the
    configuration is skipped (the feature cannot be enabled)."""
    can_not_disable = set()
    for i in range(U.KVM_RISCV_ISA_EXT_MAX):
        rid = R | UL | U.KVM_REG_RISCV_ISA_EXT | i
        try:
            on = v.get_one_reg(rid)
        except KvmError:
            continue
        try:
            v.set_one_reg(rid, 0)
        except KvmError:
            if on:
                can_not_disable.add(i)
    for i in range(U.KVM_RISCV_SBI_EXT_MAX):
        try:
            v.set_one_reg(R | UL | U.KVM_REG_RISCV_SBI_EXT | i, 0)
        except KvmError as e:
            assert e.errno == errno.ENOENT
    if feature == isa_reg("V"):
        v.set_one_reg(feature, 1)
        vlenb = v.get_one_reg(U.vector_reg("vlenb"))
        assert vlenb
        fixed = []
        for rid in blessed:
            if rid & U.KVM_REG_RISCV_TYPE_MASK == U.KVM_REG_RISCV_VECTOR and (rid & 0xFFFF) >= 6:
                rid = (rid & ~U.KVM_REG_SIZE_MASK) | U.size_code(vlenb)
            fixed.append(rid)
        blessed = fixed
        v.set_one_reg(feature, 0)
    if feature is None:
        return blessed, can_not_disable
    try:
        v.set_one_reg(feature, 1)
    except KvmError:
        pass
    try:                                  # __vcpu_has_ext: a failing read means "no"
        has = v.get_one_reg(feature)
    except KvmError:
        has = 0
    if not has:
        return None, can_not_disable
    return blessed, can_not_disable


def filter_reg(rid, can_not_disable):
    t = rid & U.KVM_REG_RISCV_TYPE_MASK
    sub = rid & U.KVM_REG_RISCV_SUBTYPE_MASK
    if t == U.KVM_REG_RISCV_ISA_EXT and sub == U.KVM_REG_RISCV_ISA_SINGLE:
        return True
    if t == U.KVM_REG_RISCV_SBI_EXT and sub == U.KVM_REG_RISCV_SBI_SINGLE:
        return True
    if t == U.KVM_REG_RISCV_CSR and sub == U.KVM_REG_RISCV_CSR_AIA:
        return U.KVM_RISCV_ISA_EXT_SSAIA in can_not_disable
    return False


def run_selftest(v, feature, sublist):
    blessed, cnd = finalize_vcpu(v, feature, BASE + sublist)
    if blessed is None:
        return "skipped"
    regs = v.get_reg_list()
    for rid in regs:                       # every listed register reads
        val = v.get_one_reg(rid)
        if rid not in BASE_SKIPS_SET:      # and takes back the value it read
            v.set_one_reg(rid, val)
    new = [r for r in regs if r not in blessed and not filter_reg(r, cnd)]
    missing = [r for r in blessed if r not in regs]
    assert not new, "new registers: " + "; ".join(U.reg_name(r) for r in new)
    assert not missing, "missing registers: " + "; ".join(U.reg_name(r) for r in missing)
    return "passed"


def test_base():
    # everything that can be disabled is: F and D go, so no FP registers remain
    assert run_selftest(vcpu_for(), None, []) == "passed"


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_config(name):
    feature, sub = CONFIGS[name]
    assert run_selftest(vcpu_for(), feature, sub) == "passed"


@pytest.mark.parametrize("name", sorted(FUTURE_CONFIGS))
@pytest.mark.parametrize("vlen", [128, 512])
def test_config_with_future_extensions(future_extensions, name, vlen):
    feature, sub = FUTURE_CONFIGS[name]
    # the base list of the selftest has no block-size registers: a host without Zicbo*
    host = future_extensions - {"zicbom", "zicboz"}
    res = run_selftest(vcpu_for(host, vlen=vlen), feature, sub)
    # "h" can never pass upstream: enabling H is refused, so the selftest skips it
    assert res == ("skipped" if name == "h" else "passed")


def test_zicbom_config(future_extensions):
    # since 6.18 the block-size register is listed when the *host* has the extension
    host = future_extensions - {"zicboz"}
    sub = [R | UL | U.KVM_REG_RISCV_CONFIG | 1, isa_reg("ZICBOM")]
    assert run_selftest(vcpu_for(host), isa_reg("ZICBOM"), sub) == "passed"


def test_sbi_fwft_config():
    # upstream's sublist has misaligned_deleg and pointer_masking; a host without pointer
    # masking offers (and lists) only the first
    assert run_selftest(vcpu_for(), sbi_reg("FWFT"), [sbi_reg("FWFT")] + FWFT_MISALIGNED) == "passed"


def test_sbi_fwft_config_with_pointer_masking(future_extensions):
    v = vcpu_for(future_extensions - {"zicbom", "zicboz"}, pointer_masking_pmlens=(7, 16))
    sub = [sbi_reg("FWFT")] + FWFT_MISALIGNED + FWFT_POINTER_MASKING
    assert run_selftest(v, sbi_reg("FWFT"), sub) == "passed"


def test_pmu_config_skipped_without_pmu():
    assert run_selftest(vcpu_for(pmu=False), *CONFIGS["sbi-pmu"]) == "skipped"


# ---- section 5: order and counts ------------------------------------------------------------------
def test_enumeration_order_and_count(future_extensions):
    v = vcpu_for(future_extensions)
    regs = v.get_reg_list()
    types = [(r & U.KVM_REG_RISCV_TYPE_MASK) >> 24 for r in regs]
    # CONFIG, CORE, CSR, TIMER, FP_F, FP_D, VECTOR, ISA_EXT, SBI_EXT: never go back
    order = [1, 2, 3, 4, 5, 6, 9, 7, 8, 10]
    assert [order.index(t) for t in types] == sorted(order.index(t) for t in types)
    host = v.vm.host
    n_isa = len(host.ids())
    n_sbi = 14                                             # every SBI extension
    n_state = 2 + 3                                        # STA; FWFT misaligned delegation
    n_config = 5 + 2                                      # + zicbom, zicboz block sizes
    assert len(regs) == n_config + 33 + 11 + 7 + 1 + 4 + 33 + 33 + 37 + n_isa + n_sbi + n_state
    state = [r & 0xFFFFFF for r in regs if (r >> 24) & 0xFF == 10]
    assert state == [0, 1, 0x10000, 0x10001, 0x10002]
    # CSR: general, then AIA, then Smstateen; CONFIG ascending
    csr = [r & 0xFF00FF for r in regs if (r >> 24) & 0xFF == 3]
    assert csr == [i for i in range(11)] + [0x10000 | i for i in range(7)] + [0x20000]
    cfg = [r & 0xFF for r in regs if (r >> 24) & 0xFF == 1]
    assert cfg == [0, 1, 2, 3, 4, 5, 6]
    # ISA_EXT: every host id, enabled or not (H is on the host, not enabled)
    isa = [r & 0xFFFF for r in regs if (r >> 24) & 0xFF == 7]
    assert isa == host.ids() and U.KVM_RISCV_ISA_EXT_H in isa
    assert len(set(regs)) == len(regs)


def test_disabled_sbi_still_listed():
    v = vcpu_for()
    v.set_one_reg(sbi_reg("TIME"), 0)
    assert sbi_reg("TIME") in v.get_reg_list()


def test_e2big():
    v = vcpu_for()
    n = len(v.get_reg_list())
    assert len(v.get_reg_list(n)) == n
    with pytest.raises(KvmError) as ei:
        v.get_reg_list(n - 1)
    assert ei.value.errno == errno.E2BIG and ei.value.n == n
