"""ONE_REG get/set: Linux's semantics and errnos per register type (fact sheet section 4)."""
import errno

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvm_support import (SCALAR_HOST, future_extensions, raises_errno, snapshot,  # noqa: F401
                         vcpu_for)
from rvemu.kvm import KvmError
from rvemu.kvm import uapi as U

EINVAL, ENOENT, EBUSY = errno.EINVAL, errno.ENOENT, errno.EBUSY
M64 = (1 << 64) - 1


@pytest.fixture
def vcpu():
    return vcpu_for(SCALAR_HOST)


def resize(rid, nbytes):
    return (rid & ~U.KVM_REG_SIZE_MASK) | U.size_code(nbytes)


# ---- CONFIG -------------------------------------------------------------------------------------
def test_config_isa_reads_single_letters(vcpu):
    assert vcpu.get_one_reg(U.config_reg("isa")) == sum(1 << (ord(c) - 97) for c in "acdfim")


def test_config_isa_linux_sanitises(vcpu):
    isa = U.config_reg("isa")
    # clear D (allowed), try to clear A (refused: put back), ask for H (refused: dropped),
    # set S (no KVM id: dropped); Linux returns 0 and drops the refused parts silently
    want = sum(1 << (ord(c) - 97) for c in "cfimhs")
    vcpu.set_one_reg(isa, want)
    assert vcpu.get_one_reg(isa) == sum(1 << (ord(c) - 97) for c in "acfim")
    assert "d" not in vcpu.ctx.isa and "a" in vcpu.ctx.isa and "h" not in vcpu.ctx.isa


def test_config_isa_errors(vcpu):
    isa = U.config_reg("isa")
    cur = vcpu.get_one_reg(isa)
    before = snapshot(vcpu)
    raises_errno(EINVAL, vcpu.set_one_reg, isa, cur | 1 << 25)       # 'z' is rejected too
    raises_errno(EINVAL, vcpu.set_one_reg, isa, cur | 1 << 40)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(isa, 4), cur)
    assert snapshot(vcpu) == before
    vcpu.mark_ran()
    vcpu.set_one_reg(isa, cur)                                         # same value: fine after run
    raises_errno(EBUSY, vcpu.set_one_reg, isa, cur & ~(1 << 3))
    assert vcpu.get_one_reg(isa) == cur


def test_config_id_registers(vcpu):
    r = U.config_reg("mvendorid")
    assert vcpu.get_one_reg(r) == 0
    vcpu.set_one_reg(r, 0x489)
    assert vcpu.get_one_reg(r) == 0x489
    vcpu.mark_ran()
    vcpu.set_one_reg(r, 0x489)
    raises_errno(EBUSY, vcpu.set_one_reg, r, 0x48A)
    raises_errno(EBUSY, vcpu.set_one_reg, U.config_reg("marchid"), 1)
    assert vcpu.get_one_reg(r) == 0x489


def test_config_satp_mode_and_block_sizes(vcpu):
    sm = U.config_reg("satp_mode")
    assert vcpu.get_one_reg(sm) == 10
    vcpu.set_one_reg(sm, 10)
    raises_errno(EINVAL, vcpu.set_one_reg, sm, 8)
    for name in ("zicbom_block_size", "zicboz_block_size", "zicbop_block_size"):
        raises_errno(ENOENT, vcpu.get_one_reg, U.config_reg(name))    # host has no Zicbo*
        raises_errno(ENOENT, vcpu.set_one_reg, U.config_reg(name), 64)
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_CONFIG, 8))


def test_config_block_size_with_host_zicbom(future_extensions):
    v = vcpu_for(future_extensions)
    r = U.config_reg("zicbom_block_size")
    assert v.get_one_reg(r) == 64
    v.set_one_reg(r, 64)
    raises_errno(EINVAL, v.set_one_reg, r, 32)
    v.mark_ran()
    v.set_one_reg(r, 64)          # no ran check


# ---- CORE ---------------------------------------------------------------------------------------
def test_core_registers(vcpu):
    vcpu.set_one_reg(U.core_reg("pc"), 0x8020_0000)
    vcpu.set_one_reg(U.core_reg("a0"), -1)
    vcpu.set_one_reg(U.core_reg("t6"), (0x1122334455667788).to_bytes(8, "little"))
    assert vcpu.ctx.pc == 0x8020_0000 and int(vcpu.ctx.x[10]) == M64
    assert vcpu.get_one_reg(U.core_reg("t6")) == 0x1122334455667788 == int(vcpu.ctx.x[31])
    assert int(vcpu.ctx.x[0]) == 0
    # mode: 1 is VS; any other value clears it (no EINVAL)
    assert vcpu.get_one_reg(U.core_reg("mode")) == 1
    vcpu.set_one_reg(U.core_reg("mode"), 5)
    assert vcpu.get_one_reg(U.core_reg("mode")) == 0 and vcpu.ctx.mode == 0
    vcpu.set_one_reg(U.core_reg("mode"), 1)
    assert vcpu.ctx.mode == 1


def test_core_errors(vcpu):
    before = snapshot(vcpu)
    raises_errno(ENOENT, vcpu.set_one_reg, U.reg_id(U.KVM_REG_RISCV_CORE, 33), 1)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(U.core_reg("a0"), 4), 1)
    raises_errno(EINVAL, vcpu.get_one_reg, resize(U.core_reg("pc"), 16))
    raises_errno(EINVAL, vcpu.set_one_reg, U.core_reg("a0"), 1 << 64)
    raises_errno(EINVAL, vcpu.set_one_reg, U.core_reg("a0"), b"\x01\x02")
    raises_errno(EINVAL, vcpu.set_one_reg, U.core_reg("a0"), "1")
    raises_errno(ENOENT, vcpu.get_one_reg, U.core_reg("a0") | 1 << 32)      # bits 47..32
    raises_errno(ENOENT, vcpu.get_one_reg, U.core_reg("a0") | 1 << 16)      # CORE has no subtype
    assert snapshot(vcpu) == before


def test_arch_field_is_not_checked(vcpu):
    # Linux dispatches on the type field only (vcpu_onereg.c), so another arch's bits work
    rid = (U.core_reg("a1") & ~U.KVM_REG_ARCH_MASK) | U.KVM_REG_GENERIC
    vcpu.set_one_reg(rid, 7)
    assert int(vcpu.ctx.x[11]) == 7


def test_unknown_type(vcpu):
    raises_errno(ENOENT, vcpu.get_one_reg, U.KVM_REG_RISCV | U.KVM_REG_SIZE_U64 | 0x0B << 24)
    raises_errno(ENOENT, vcpu.set_one_reg, U.KVM_REG_RISCV | U.KVM_REG_SIZE_U64, 0)
    raises_errno(EINVAL, vcpu.get_one_reg, "pc")
    raises_errno(EINVAL, vcpu.get_one_reg, 1 << 64)


# ---- CSR ----------------------------------------------------------------------------------------
def test_csr_general_map_to_vs_fields(vcpu):
    fields = ["vsstatus", "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval", None,
              "vsatp", "scounteren", "senvcfg"]
    for i, f in enumerate(fields):
        if f:
            vcpu.set_one_reg(U.csr_reg(U.CSR_GENERAL_REGS[i]), 0x100 + i)
            assert getattr(vcpu.ctx, f) == 0x100 + i
            assert vcpu.get_one_reg(U.csr_reg(U.CSR_GENERAL_REGS[i])) == 0x100 + i


def test_csr_sip_is_hvip_shifted(vcpu):
    sip = U.csr_reg("sip")
    vcpu.set_one_reg(sip, 0x222 | 0x1 | 0x8 | 1 << 20)
    assert vcpu.ctx.hvip == 0x444                     # (val & 0x222) << 1, whole hvip replaced
    assert vcpu.get_one_reg(sip) == 0x222
    vcpu.ctx.hvip = 0x444 | 1 << 13 | 1 << 40
    assert vcpu.get_one_reg(sip) == 0x222 | 1 << 40  # local bits 13..0 hidden, high kept


def test_csr_errors(vcpu):
    before = snapshot(vcpu)
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_CSR, 11))
    raises_errno(EINVAL, vcpu.set_one_reg, resize(U.csr_reg("sstatus"), 4), 0)
    raises_errno(ENOENT, vcpu.get_one_reg, U.csr_reg("siselect"))       # no Ssaia
    raises_errno(ENOENT, vcpu.set_one_reg, U.csr_reg("sstateen0"), 1)   # no Smstateen
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_CSR, 0, subtype=3 << 16))
    assert snapshot(vcpu) == before


def test_csr_aia_and_smstateen_when_present(future_extensions):
    v = vcpu_for(future_extensions)
    v.set_one_reg(U.csr_reg("iprio2h"), 5)
    assert v.ctx.hviprio2h == 5 and v.get_one_reg(U.csr_reg("iprio2h")) == 5
    raises_errno(ENOENT, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_CSR, 7, subtype=U.KVM_REG_RISCV_CSR_AIA))
    v.set_one_reg(U.csr_reg("sstateen0"), 1 << 63)
    assert v.ctx.smstateen0 == 1 << 63
    raises_errno(ENOENT, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_CSR, 1, subtype=U.KVM_REG_RISCV_CSR_SMSTATEEN))


# ---- TIMER --------------------------------------------------------------------------------------
def test_timer(vcpu):
    vm = vcpu.vm
    assert vcpu.get_one_reg(U.timer_reg("frequency")) == 10_000_000
    vcpu.set_one_reg(U.timer_reg("frequency"), 10_000_000)
    raises_errno(EINVAL, vcpu.set_one_reg, U.timer_reg("frequency"), 1_000_000)
    vm.advance_time(1000)
    assert vcpu.get_one_reg(U.timer_reg("time")) == 1000
    vcpu.set_one_reg(U.timer_reg("time"), 5000)
    assert vm.time_delta == 4000 and vcpu.ctx.htimedelta == 4000
    vm.advance_time(10)
    assert vcpu.get_one_reg(U.timer_reg("time")) == 5010
    other = vm.create_vcpu(1)
    assert other.ctx.htimedelta == 4000                # VM-wide
    # compare/state; reset state is compare = all ones, off
    assert vcpu.get_one_reg(U.timer_reg("compare")) == M64
    assert vcpu.get_one_reg(U.timer_reg("state")) == U.KVM_RISCV_TIMER_STATE_OFF
    raises_errno(EINVAL, vcpu.set_one_reg, U.timer_reg("state"), U.KVM_RISCV_TIMER_STATE_OFF)
    vcpu.set_one_reg(U.timer_reg("compare"), 123456)
    assert vcpu.ctx.vstimecmp == 123456 and vcpu.ctx.timer_state == 0
    vcpu.ctx.hvip |= 1 << 6
    vcpu.set_one_reg(U.timer_reg("state"), U.KVM_RISCV_TIMER_STATE_ON)
    # Linux's quirk: next_event(vcpu, reg_val) with reg_val = ON = 1 arms it at cycle 1
    assert vcpu.ctx.timer_state == 1 and vcpu.ctx.vstimecmp == 1 and not vcpu.ctx.hvip & 1 << 6
    vcpu.set_one_reg(U.timer_reg("state"), 7)           # any value but ON cancels
    assert vcpu.get_one_reg(U.timer_reg("state")) == 0


def test_timer_errors(vcpu):
    before = snapshot(vcpu)
    raises_errno(EINVAL, vcpu.get_one_reg, resize(U.timer_reg("time"), 4))
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_TIMER, 4, size=8))
    assert snapshot(vcpu) == before


def test_vm_time_callable():
    from rvemu.kvm import Kvm
    now = [100]
    vm = Kvm().create_vm(time=lambda: now[0])
    v = vm.create_vcpu(0)
    assert v.get_one_reg(U.timer_reg("time")) == 0          # guest time starts at VM creation
    now[0] = 250
    assert v.get_one_reg(U.timer_reg("time")) == 150
    assert v.ctx.htimedelta == (-100) & M64
    raises_errno(EINVAL, vm.advance_time, 1)
    raises_errno(EINVAL, Kvm().create_vm, time=5)


# ---- FP -----------------------------------------------------------------------------------------
def test_fp_d(vcpu):
    vcpu.set_one_reg(U.fp_d_reg("f[31]"), 0x400921FB54442D18)
    assert int(vcpu.ctx.f[31]) == 0x400921FB54442D18
    vcpu.set_one_reg(U.fp_d_reg("fcsr"), 0xE1)
    assert vcpu.ctx.fcsr == 0xE1 and vcpu.get_one_reg(U.fp_d_reg("fcsr")) == 0xE1
    before = snapshot(vcpu)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(U.fp_d_reg("f[1]"), 4), 0)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(U.fp_d_reg("fcsr"), 8), 0)
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_FP_D, 33))
    raises_errno(EINVAL, vcpu.set_one_reg, U.fp_d_reg("fcsr"), 1 << 32)
    assert snapshot(vcpu) == before


def test_fp_f_aliases_the_d_layout_when_d_is_on(vcpu):
    # the kernel keeps one union: with D, FP_F f[i] is half i%2 of f(i//2), fcsr half of f16
    vcpu.ctx.f[0] = 0x1111111122222222
    vcpu.ctx.f[16] = 0x33333333000000AB
    assert vcpu.get_one_reg(U.fp_f_reg("f[0]")) == 0x22222222
    assert vcpu.get_one_reg(U.fp_f_reg("f[1]")) == 0x11111111
    assert vcpu.get_one_reg(U.fp_f_reg("fcsr")) == 0xAB
    vcpu.set_one_reg(U.fp_f_reg("f[1]"), 0xDEADBEEF)
    assert int(vcpu.ctx.f[0]) == 0xDEADBEEF22222222


def test_fp_f_only():
    v = vcpu_for("rv64imafc")
    assert v.has("f") and not v.has("d")
    v.set_one_reg(U.fp_f_reg("f[5]"), 0x3F800000)
    assert int(v.ctx.f[5]) == 0xFFFFFFFF3F800000          # NaN-boxed as the hart holds it
    assert v.get_one_reg(U.fp_f_reg("f[5]")) == 0x3F800000
    v.set_one_reg(U.fp_f_reg("fcsr"), 0x1F)
    assert v.ctx.fcsr == 0x1F
    raises_errno(ENOENT, v.get_one_reg, U.fp_d_reg("f[0]"))
    raises_errno(EINVAL, v.get_one_reg, resize(U.fp_f_reg("f[0]"), 8))
    raises_errno(ENOENT, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_FP_F, 33, size=4))
    # size is checked before the index for FP_F
    raises_errno(EINVAL, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_FP_F, 40, size=8))


def test_fp_absent():
    v = vcpu_for("rv64imac")
    raises_errno(ENOENT, v.get_one_reg, U.fp_f_reg("f[0]"))
    raises_errno(ENOENT, v.set_one_reg, U.fp_d_reg("fcsr"), 0)


# ---- VECTOR -------------------------------------------------------------------------------------
def test_vector_absent(vcpu):
    assert vcpu.ctx.vreg is None
    raises_errno(ENOENT, vcpu.get_one_reg, U.vector_reg("vlenb"))
    raises_errno(ENOENT, vcpu.set_one_reg, U.vector_reg("vlenb"), 16)


@pytest.mark.parametrize("vlen", [128, 256, 2048])
def test_vector(future_extensions, vlen):
    v = vcpu_for(future_extensions, vlen=vlen)
    vlenb = vlen // 8
    assert v.get_one_reg(U.vector_reg("vlenb")) == vlenb == v.ctx.vlenb
    assert v.ctx.vreg.shape == (32 * vlenb,) and v.ctx.vreg.dtype == np.uint8
    v.set_one_reg(U.vector_reg("vlenb"), vlenb)
    raises_errno(EINVAL, v.set_one_reg, U.vector_reg("vlenb"), vlenb // 2)
    data = bytes(range(256))[:vlenb]
    v.set_one_reg(U.vector_reg(7, vlenb=vlenb), data)
    assert bytes(v.ctx.vreg[7 * vlenb:8 * vlenb]) == data
    assert v.get_one_reg(U.vector_reg(7, vlenb=vlenb)) == data
    for name in ("vstart", "vl", "vtype", "vcsr"):
        v.set_one_reg(U.vector_reg(name), 3)
        assert getattr(v.ctx, name) == 3
    before = snapshot(v)
    raises_errno(EINVAL, v.set_one_reg, U.vector_reg(7, vlenb=vlenb * 2 if vlenb < 256 else 128), data)
    raises_errno(EINVAL, v.set_one_reg, U.vector_reg(7, vlenb=vlenb), data[:-1])
    raises_errno(EINVAL, v.get_one_reg, resize(U.vector_reg("vl"), 4))
    raises_errno(ENOENT, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_VECTOR, 5))          # datap
    raises_errno(ENOENT, v.get_one_reg, U.reg_id(U.KVM_REG_RISCV_VECTOR, 38, size=vlenb))
    assert snapshot(v) == before


# ---- SBI_EXT and SBI_STATE ----------------------------------------------------------------------
def test_sbi_ext(vcpu):
    g = vcpu.get_one_reg
    assert [g(U.sbi_ext_reg(n)) for n in U.SBI_EXT_NAMES] == [1] * 9 + [0, 1, 0, 1, 0]
    raises_errno(ENOENT, g, U.sbi_ext_reg(14))
    vcpu.set_one_reg(U.sbi_ext_reg("DBCN"), 1)
    vcpu.set_one_reg(U.sbi_ext_reg("TIME"), 0)
    en = g(U.sbi_ext_reg(0, U.KVM_REG_RISCV_SBI_MULTI_EN))
    assert en == 0b1011111111101 and g(U.sbi_ext_reg(0, U.KVM_REG_RISCV_SBI_MULTI_DIS)) == ~en & M64
    before = snapshot(vcpu)
    raises_errno(EINVAL, vcpu.set_one_reg, U.sbi_ext_reg("DBCN"), 2)
    raises_errno(ENOENT, vcpu.set_one_reg, U.sbi_ext_reg(14), 1)
    raises_errno(ENOENT, vcpu.set_one_reg, U.sbi_ext_reg(1, U.KVM_REG_RISCV_SBI_MULTI_EN), 1)
    raises_errno(ENOENT, vcpu.set_one_reg, U.sbi_ext_reg(0, 3 << 16), 1)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(U.sbi_ext_reg("DBCN"), 4), 1)
    assert snapshot(vcpu) == before
    # multi: per-bit errors ignored, returns fine
    vcpu.set_one_reg(U.sbi_ext_reg(0, U.KVM_REG_RISCV_SBI_MULTI_EN), M64)
    assert g(U.sbi_ext_reg("MPXY")) == 1 and g(U.sbi_ext_reg("TIME")) == 1
    vcpu.set_one_reg(U.sbi_ext_reg(0, U.KVM_REG_RISCV_SBI_MULTI_DIS), 1 << 9 | 1 << 10)
    assert g(U.sbi_ext_reg("DBCN")) == 0
    vcpu.mark_ran()
    # after the first run any write fails, even of the current value (unlike ISA_EXT)
    raises_errno(EBUSY, vcpu.set_one_reg, U.sbi_ext_reg("DBCN"), 0)
    raises_errno(EBUSY, vcpu.set_one_reg, U.sbi_ext_reg(0, U.KVM_REG_RISCV_SBI_MULTI_EN), 0)


def test_sbi_unavailable_extensions():
    v = vcpu_for(pmu=False, steal_time=False)
    raises_errno(ENOENT, v.get_one_reg, U.sbi_ext_reg("PMU"))
    raises_errno(ENOENT, v.get_one_reg, U.sbi_ext_reg("STA"))
    raises_errno(ENOENT, v.set_one_reg, U.sbi_ext_reg("STA"), 1)
    raises_errno(EINVAL, v.get_one_reg, U.sbi_sta_reg("shmem_lo"))     # no enabled STA


def fwft_reg(i):
    return U.reg_id(U.KVM_REG_RISCV_SBI_STATE, i, subtype=U.KVM_REG_RISCV_SBI_FWFT)


def test_sbi_state_sta(vcpu):
    lo, hi = U.sbi_sta_reg("shmem_lo"), U.sbi_sta_reg("shmem_hi")
    assert vcpu.get_one_reg(lo) == M64 and vcpu.get_one_reg(hi) == 0     # INVALID_GPA
    vcpu.set_one_reg(lo, 0x8000_0040)
    assert vcpu.get_one_reg(lo) == 0x8000_0040 and vcpu.sta.shmem == 0x8000_0040
    before = snapshot(vcpu), vcpu.sta.shmem
    raises_errno(EINVAL, vcpu.set_one_reg, lo, 0x8000_0020)             # not 64-byte aligned
    raises_errno(EINVAL, vcpu.set_one_reg, hi, 1)
    raises_errno(EINVAL, vcpu.set_one_reg, resize(lo, 4), 0)            # the dispatcher takes it, STA not
    raises_errno(EINVAL, vcpu.get_one_reg, resize(lo, 16))              # not 1/2/4/8
    raises_errno(ENOENT, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_SBI_STATE, 2, subtype=0))
    raises_errno(EINVAL, vcpu.get_one_reg, U.reg_id(U.KVM_REG_RISCV_SBI_STATE, 0, subtype=2 << 16))
    assert (snapshot(vcpu), vcpu.sta.shmem) == before
    vcpu.set_one_reg(hi, 0)
    vcpu.set_one_reg(lo, M64)
    vcpu.set_one_reg(U.sbi_ext_reg("STA"), 0)                           # disabled: no state
    raises_errno(EINVAL, vcpu.get_one_reg, lo)


def test_sbi_state_fwft(vcpu):
    assert [vcpu.get_one_reg(fwft_reg(i)) for i in range(3)] == [1, 0, 0]
    vcpu.set_one_reg(fwft_reg(2), 1)                  # misaligned delegation: hedeleg bits 4, 6
    assert vcpu.ctx.hedeleg == 0xB10D | 0x50 and vcpu.get_one_reg(fwft_reg(2)) == 1
    vcpu.set_one_reg(fwft_reg(1), 0xFF)
    assert vcpu.get_one_reg(fwft_reg(1)) == 1         # only LOCK is kept
    before = snapshot(vcpu)
    raises_errno(EINVAL, vcpu.set_one_reg, fwft_reg(2), 2)
    raises_errno(EINVAL, vcpu.set_one_reg, fwft_reg(0), 2)
    raises_errno(ENOENT, vcpu.get_one_reg, fwft_reg(3))      # pointer masking: not supported here
    raises_errno(ENOENT, vcpu.get_one_reg, fwft_reg(9))
    assert snapshot(vcpu) == before
    vcpu.set_one_reg(fwft_reg(0), 0)
    assert vcpu.get_one_reg(fwft_reg(0)) == 0


# ---- bad input never crashes and never changes anything -----------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.integers(0, 15), st.integers(0, 12), st.integers(0, 3), st.integers(0, 70),
       st.one_of(st.integers(-(1 << 70), 1 << 70), st.binary(max_size=40)), st.booleans())
def test_random_one_reg_calls(sizecode, rtype, sub, idx, value, ran):
    v = vcpu_for()
    if ran:
        v.mark_ran()
    rid = U.KVM_REG_RISCV | sizecode << 52 | rtype << 24 | sub << 16 | idx
    try:
        v.get_one_reg(rid)
    except KvmError as e:
        assert e.errno in (EINVAL, ENOENT)
    before = snapshot(v)
    try:
        v.set_one_reg(rid, value)
    except KvmError as e:
        assert e.errno in (EINVAL, ENOENT, EBUSY)
        assert snapshot(v) == before
