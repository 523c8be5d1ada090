"""The hypervisor's SBI against the vCPU context (Linux's vcpu_sbi*.c; fact sheet section 7)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvm_support import future_extensions, vcpu_for  # noqa: F401
from rvemu.kvm import exits as X
from rvemu.kvm import sbi_consts as S
from rvemu.kvm import uapi as U

M64 = (1 << 64) - 1
PC = 0x8000_1000


def call(v, eid, fid=0, *args, pc=PC):
    ctx = v.ctx
    ctx.pc = pc
    ctx.x[17], ctx.x[16] = eid, fid
    for i in range(6):
        ctx.x[10 + i] = (args[i] if i < len(args) else 0) & M64
    ctx.x[11] = (args[1] if len(args) > 1 else 0xA1A1) & M64     # to see when a1 is left alone
    ex = v.sbi_ecall()
    a0 = int(ctx.x[10])
    return ex, (a0 - (1 << 64) if a0 >> 63 else a0), int(ctx.x[11]), ctx.pc


@pytest.fixture
def vm3():
    v = vcpu_for()
    vm = v.vm
    ram = np.zeros(1 << 16, np.uint8)
    vm.set_user_memory_region(0, 0, 0x8000_0000, 1 << 16, ram)
    vm.create_vcpu(1)
    vm.create_vcpu(2)
    return vm


def test_base(vm3):
    v = vm3.vcpus[0]
    assert call(v, S.EID_BASE, 0) == (None, 0, 3 << 24, PC + 4)
    assert call(v, S.EID_BASE, 1)[2] == 3                       # KVM's implementation id
    assert call(v, S.EID_BASE, 2)[2] == (6 << 16) | (19 << 8)
    assert call(v, S.EID_BASE, 3, S.EID_TIME)[2] == 1
    assert call(v, S.EID_BASE, 3, S.EID_DBCN)[2] == 0           # disabled by default
    assert call(v, S.EID_BASE, 3, S.EID_PMU)[2] == 1
    assert call(v, S.EID_BASE, 3, 0x12345)[2] == 0
    assert call(v, S.EID_BASE, 3, 0x1)[2] == 1                  # legacy console (v0.1)
    ex, *_ = call(v, S.EID_BASE, 3, 0x0900_0001)                # vendor probe goes to the VMM
    assert isinstance(ex, X.RiscvSbiExit) and (ex.extension_id, ex.function_id) == (0x10, 3)
    assert ex.args[0] == 0x0900_0001 and v.ctx.pc == PC
    v.set_one_reg(U.config_reg("marchid"), 0x77)
    assert call(v, S.EID_BASE, 5)[2] == 0x77
    assert call(v, S.EID_BASE, 9)[1] == S.SBI_ERR_NOT_SUPPORTED


def test_unknown_and_disabled(vm3):
    v = vm3.vcpus[0]
    assert call(v, 0x4E41434C, 0) == (None, -2, 0, PC + 4)      # NACL is never offered
    v.set_one_reg(U.sbi_ext_reg("TIME"), 0)
    assert call(v, S.EID_TIME, 0, 100)[1] == -2
    assert call(v, S.EID_BASE, 3, S.EID_TIME)[2] == 0


def test_time(vm3):
    v = vm3.vcpus[0]
    v.ctx.hvip = 1 << 6
    assert call(v, S.EID_TIME, 0, 0x1234) == (None, 0, 0, PC + 4)
    assert v.ctx.vstimecmp == 0x1234 and v.ctx.timer_state == 1 and v.ctx.hvip == 0
    assert v.get_one_reg(U.timer_reg("compare")) == 0x1234
    assert call(v, S.EID_TIME, 1)[1] == -2


def test_ipi(vm3):
    v0, v1, v2 = vm3.vcpus
    assert call(v0, S.EID_IPI, 0, 0b110, 0)[1] == 0
    assert [bool(v.ctx.hvip & 4) for v in vm3.vcpus] == [False, True, True]
    for v in vm3.vcpus:
        v.ctx.hvip = 0
    assert call(v0, S.EID_IPI, 0, 0, M64)[1] == 0              # hbase -1: everyone
    assert all(v.ctx.hvip == 4 for v in vm3.vcpus)
    for v in vm3.vcpus:
        v.ctx.hvip = 0
    assert call(v0, S.EID_IPI, 0, 0b11, 1)[1] == 0             # base 1: vCPUs 1 and 2
    assert [v.ctx.hvip for v in vm3.vcpus] == [0, 4, 4]
    assert call(v0, S.EID_IPI, 0, 0b1001, 1)[1] == S.SBI_ERR_INVALID_PARAM   # no vCPU 4
    assert call(v0, S.EID_IPI, 1)[1] == -2


def test_rfence_requests(vm3):
    v0, v1, v2 = vm3.vcpus
    assert call(v0, S.EID_RFENCE, S.RFENCE_FENCE_I, 0b101, 0)[1] == 0
    assert call(v0, S.EID_RFENCE, S.RFENCE_SFENCE_VMA, 0, M64, 0x1000, 0x2000)[1] == 0
    assert call(v0, S.EID_RFENCE, S.RFENCE_SFENCE_VMA_ASID, 0b10, 0, 0, 0, 7)[1] == 0
    for fid in (3, 4, 5, 6, 7):
        assert call(v0, S.EID_RFENCE, fid, 1, 0)[1] == -2
    assert v1.process_requests() == [("HFENCE_VVMA", {"start": 0x1000, "size": 0x2000}),
                                     ("HFENCE_VVMA_ASID", {"start": 0, "size": 0, "asid": 7})]
    assert [k for k, _ in v2.process_requests()] == ["FENCE_I", "HFENCE_VVMA"]
    assert v2.process_requests() == []


def test_hsm(vm3):
    v0, v1, v2 = vm3.vcpus
    assert call(v0, S.EID_HSM, 2, 1)[2] == S.HSM_STATE_STOPPED
    v1.ctx.x[5] = 99
    assert call(v0, S.EID_HSM, 0, 1, 0x8020_0000, 0x42)[1] == 0
    assert v1.mp_state == U.KVM_MP_STATE_RUNNABLE
    assert (v1.ctx.pc, int(v1.ctx.x[10]), int(v1.ctx.x[11]), v1.ctx.mode) == (0x8020_0000, 1, 0x42, 1)
    assert int(v1.ctx.x[5]) == 0                                # a full reset
    assert call(v0, S.EID_HSM, 0, 1, 0, 0)[1] == S.SBI_ERR_ALREADY_AVAILABLE
    assert call(v0, S.EID_HSM, 0, 99, 0, 0)[1] == S.SBI_ERR_INVALID_PARAM
    assert call(v0, S.EID_HSM, 2, 1)[2] == S.HSM_STATE_STARTED
    assert call(v0, S.EID_HSM, 2, 99)[1:3] == (0, 0)              # Linux's quirk: no error
    assert call(v1, S.EID_HSM, 1)[1] == 0
    assert v1.mp_state == U.KVM_MP_STATE_STOPPED
    assert call(v0, S.EID_HSM, 3, 0)[1] == 0 and v0.waiting
    assert call(v1, S.EID_HSM, 2, 0)[2] == S.HSM_STATE_SUSPENDED
    v0.set_interrupt(2)
    assert not v0.waiting
    assert call(v0, S.EID_HSM, 3, 0x8000_0000)[1] == -2
    assert call(v0, S.EID_HSM, 3, 5)[1] == S.SBI_ERR_INVALID_PARAM


def test_hsm_start_with_mp_state_reset(vm3):
    vm3.enable_cap(U.KVM_CAP_RISCV_MP_STATE_RESET)
    v0, v1, _ = vm3.vcpus
    v1.ctx.x[5] = 99
    call(v0, S.EID_HSM, 0, 1, 0x8020_0000, 7)
    assert int(v1.ctx.x[5]) == 99 and v1.ctx.pc == 0x8020_0000   # only pc/a0/a1 loaded


@pytest.mark.parametrize("rtype,etype", [(0, X.KVM_SYSTEM_EVENT_SHUTDOWN), (1, X.KVM_SYSTEM_EVENT_RESET),
                                         (2, X.KVM_SYSTEM_EVENT_RESET)])
def test_srst(vm3, rtype, etype):
    v = vm3.vcpus[0]
    ex, a0, _, pc = call(v, S.EID_SRST, 0, rtype, 1)
    assert isinstance(ex, X.SystemEventExit) and ex.reason == 24
    assert (ex.type, ex.ndata, ex.data) == (etype, 1, [1]) and pc == PC
    assert all(x.mp_state == U.KVM_MP_STATE_STOPPED for x in vm3.vcpus)


def test_srst_bad_type(vm3):
    v = vm3.vcpus[0]
    assert call(v, S.EID_SRST, 0, 3, 0)[:2] == (None, -2)
    assert call(v, S.EID_SRST, 1, 0, 0)[1] == -2


def test_dbcn_forwarded(vm3):
    v = vm3.vcpus[0]
    assert call(v, S.EID_DBCN, 0, 5, 0x8000_0000, 0)[1] == -2   # disabled by default
    v.set_one_reg(U.sbi_ext_reg("DBCN"), 1)
    ex, _, _, pc = call(v, S.EID_DBCN, 0, 5, 0x8000_0000, 0)
    assert isinstance(ex, X.RiscvSbiExit) and ex.reason == 35 and pc == PC
    assert (ex.extension_id, ex.function_id, ex.args[:3]) == (S.EID_DBCN, 0, [5, 0x8000_0000, 0])
    assert ex.ret == [M64 - 1, 0]                               # preset NOT_SUPPORTED
    ex.ret = [0, 5]
    v.sbi_return(ex)
    assert (int(v.ctx.x[10]), int(v.ctx.x[11]), v.ctx.pc) == (0, 5, PC + 4)
    assert v.stat["ecall_exit_stat"] == 1


def test_legacy(vm3):
    v0, v1, v2 = vm3.vcpus
    ex, *_ = call(v0, 1, 0, ord("x"))
    assert isinstance(ex, X.RiscvSbiExit) and ex.extension_id == 1 and ex.args[0] == ord("x")
    assert isinstance(call(v0, 2)[0], X.RiscvSbiExit)
    ex, a0, a1, pc = call(v0, 0, 0, 500)                        # set_timer: a1 left alone
    assert (ex, a0, a1, pc) == (None, 0, 0xA1A1, PC + 4) and v0.ctx.vstimecmp == 500
    vm3.write_guest(0x8000_0100, (0b110).to_bytes(8, "little"))
    assert call(v0, 4, 0, 0x8000_0100)[1] == 0                  # send_ipi with a hart-mask pointer
    assert [v.ctx.hvip for v in vm3.vcpus] == [0, 4, 4]
    call(v1, 3)                                                 # clear_ipi
    assert v1.ctx.hvip == 0
    call(v0, 4, 0, 0)                                           # mask 0: every vCPU
    assert [v.ctx.hvip for v in vm3.vcpus] == [4, 4, 4]
    vm3.write_guest(0x8000_0108, (0b1).to_bytes(8, "little"))
    call(v0, 5, 0, 0x8000_0108)                                 # remote fence.i to vCPU 0
    assert [k for k, _ in v0.process_requests()] == ["FENCE_I"]
    ex, *_ = call(v0, 8)
    assert isinstance(ex, X.SystemEventExit) and ex.type == X.KVM_SYSTEM_EVENT_SHUTDOWN and ex.data == [0]


def test_legacy_bad_mask_pointer_traps_into_the_guest(vm3):
    v = vm3.vcpus[0]
    v.ctx.vstvec = 0x8000_0201                                   # mode bits are not masked
    v.ctx.vsstatus = 0x2                                         # SIE
    v.ctx.mode = 0                                               # the ecall came from VU
    ex, a0, a1, pc = call(v, 4, 0, 0x1234_5678)
    assert ex is None and pc == 0x8000_0201 and a1 == 0xA1A1
    assert (v.ctx.vscause, v.ctx.vstval, v.ctx.vsepc) == (5, 0x1234_5678, PC)
    assert v.ctx.vsstatus == 0x20 and v.ctx.mode == 1           # SPIE = old SIE, SIE = 0, SPP = VU
    v.guest_virt_read = lambda addr, size: (0b1, None)          # the run loop's translated read
    v.ctx.hvip = 0
    call(v, 4, 0, 0x1234_5678)
    assert v.ctx.hvip == 4


def test_trap_redirect_spp(vm3):
    v = vm3.vcpus[0]
    v.ctx.mode = 1
    v.ctx.vstvec = 0x100
    v.redirect_trap(4, 0x33, 0x8000_0002)
    assert v.ctx.vsstatus & 0x100 and v.ctx.pc == 0x100 and v.ctx.vscause == 4


def test_susp(vm3):
    v0, v1, _ = vm3.vcpus
    v0.set_one_reg(U.sbi_ext_reg("SUSP"), 1)
    v1.mp_state = U.KVM_MP_STATE_RUNNABLE
    assert call(v0, S.EID_SUSP, 0, 0, 0x8000_0000)[1] == S.SBI_ERR_DENIED
    v1.mp_state = U.KVM_MP_STATE_STOPPED
    assert call(v0, S.EID_SUSP, 0, 1, 0x8000_0000)[1] == S.SBI_ERR_INVALID_PARAM
    assert call(v0, S.EID_SUSP, 0, 0, 0x4000)[1] == S.SBI_ERR_INVALID_ADDRESS
    v0.ctx.mode = 0
    assert call(v0, S.EID_SUSP, 0, 0, 0x8000_0000)[1] == S.SBI_ERR_FAILED
    v0.ctx.mode = 1
    ex, *_ = call(v0, S.EID_SUSP, 0, 0, 0x8000_0040, 9)
    assert isinstance(ex, X.RiscvSbiExit) and v0.reset_state == (0x8000_0040, 9)


def test_experimental_and_mpxy(vm3):
    v = vm3.vcpus[0]
    assert isinstance(call(v, 0x0800_0000, 3)[0], X.RiscvSbiExit)
    assert call(v, S.EID_MPXY, 0)[1] == -2
    v.set_one_reg(U.sbi_ext_reg("MPXY"), 1)
    assert isinstance(call(v, S.EID_MPXY, 0)[0], X.RiscvSbiExit)


def test_sta(vm3):
    v = vm3.vcpus[0]
    shm = 0x8000_0400
    vm3.write_guest(shm, b"\xff" * 64)
    assert call(v, S.EID_STA, 0, shm, 0, 1)[1] == S.SBI_ERR_INVALID_PARAM       # flags
    assert call(v, S.EID_STA, 0, shm + 8, 0, 0)[1] == S.SBI_ERR_INVALID_PARAM   # alignment
    assert call(v, S.EID_STA, 0, shm, 1, 0)[1] == S.SBI_ERR_INVALID_ADDRESS
    assert call(v, S.EID_STA, 0, 0x4000, 0, 0)[1] == S.SBI_ERR_INVALID_ADDRESS
    assert call(v, S.EID_STA, 1)[1] == -2
    assert call(v, S.EID_STA, 0, shm, 0, 0)[1] == 0
    assert vm3.read_guest(shm, 64) == bytes(64)
    assert v.get_one_reg(U.sbi_sta_reg("shmem_lo")) == shm
    v.record_steal_time(1234)
    v.record_steal_time(6)
    assert vm3.read_guest(shm, 16) == (4).to_bytes(4, "little") + bytes(4) + (1240).to_bytes(8, "little")
    assert call(v, S.EID_STA, 0, M64, M64, 0)[1] == 0
    v.record_steal_time(1)                                      # disabled: nothing written
    assert vm3.read_guest(shm + 8, 8) == (1240).to_bytes(8, "little")
    v.set_one_reg(U.sbi_sta_reg("shmem_lo"), shm)
    v.reset()
    assert v.sta.shmem == M64


def test_fwft(vm3):
    v = vm3.vcpus[0]
    assert call(v, S.EID_FWFT, 0, 0, 1, 0)[1] == 0               # SET misaligned delegation
    assert v.ctx.hedeleg & 0x50 == 0x50
    assert call(v, S.EID_FWFT, 1, 0)[1:3] == (0, 1)
    assert call(v, S.EID_FWFT, 0, 0, 2, 0)[1] == S.SBI_ERR_INVALID_PARAM
    assert call(v, S.EID_FWFT, 0, 0, 0, 2)[1] == S.SBI_ERR_INVALID_PARAM       # flags
    assert call(v, S.EID_FWFT, 0, 1, 1, 0)[1] == -2               # landing pad: defined, not offered
    assert call(v, S.EID_FWFT, 0, 5, 7, 0)[1] == -2               # pointer masking: no Smnpm
    assert call(v, S.EID_FWFT, 1, 100)[1] == S.SBI_ERR_DENIED      # not a defined feature
    assert call(v, S.EID_FWFT, 2)[1] == -2
    assert call(v, S.EID_FWFT, 0, 0, 0, 1)[1] == 0                # clear and lock
    assert v.ctx.hedeleg & 0x50 == 0
    assert call(v, S.EID_FWFT, 0, 0, 1, 0)[1] == -14              # DENIED_LOCKED
    v.reset()
    assert call(v, S.EID_FWFT, 0, 0, 1, 0)[1] == 0                # reset unlocks
    w = vm3.vcpus[1]
    w.set_one_reg(U.reg_id(U.KVM_REG_RISCV_SBI_STATE, 0, subtype=U.KVM_REG_RISCV_SBI_FWFT), 0)
    assert call(w, S.EID_FWFT, 1, 0)[1] == -2                      # disabled through ONE_REG


def test_fwft_pointer_masking(future_extensions):
    v = vcpu_for(future_extensions, pointer_masking_pmlens=(7,))
    assert call(v, S.EID_FWFT, 0, 5, 7, 0)[1] == 0
    assert v.ctx.henvcfg >> 32 & 3 == 2 and call(v, S.EID_FWFT, 1, 5)[2] == 7
    assert call(v, S.EID_FWFT, 0, 5, 16, 0)[1] == S.SBI_ERR_INVALID_PARAM   # host: PMLEN 7 only
    v.mark_ran()
    assert v.ctx.henvcfg >> 32 & 3 == 2
    v.reset()
    assert call(v, S.EID_FWFT, 1, 5)[2] == 0


def test_ipi_wakes_and_legacy_ipi_to_missing_vcpu(vm3):
    v0, v1, v2 = vm3.vcpus
    v2.waiting = True
    call(v0, S.EID_IPI, 0, 0b100, 0)
    assert not v2.waiting and v2.ctx.hvip == 4
    vm3.write_guest(0x8000_0200, (0b1010).to_bytes(8, "little"))  # vCPUs 1 and 3 (no vCPU 3)
    assert call(v0, 4, 0, 0x8000_0200)[:2] == (None, 0)
    assert v1.ctx.hvip == 4


EIDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, S.EID_BASE, S.EID_TIME, S.EID_IPI, S.EID_RFENCE, S.EID_HSM,
        S.EID_SRST, S.EID_PMU, S.EID_DBCN, S.EID_SUSP, S.EID_STA, S.EID_FWFT, S.EID_MPXY,
        S.EXPERIMENTAL_START, S.VENDOR_END, 0x4E41434C]
WORD = st.one_of(st.integers(0, 80), st.sampled_from([M64, M64 - 1, 1 << 63, 0x8000_0000, 0x8000_0040]),
                 st.integers(0, M64))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(EIDS) | st.integers(0, 0xFFFFFFFF),
                          st.integers(0, 9) | st.integers(0, M64), st.lists(WORD, min_size=6, max_size=6)),
                max_size=8))
def test_random_guest_ecalls_never_crash(calls):
    v = vcpu_for(pmu=True)
    vm = v.vm
    vm.set_user_memory_region(0, 0, 0x8000_0000, 1 << 16, np.zeros(1 << 16, np.uint8))
    vm.create_vcpu(1)
    vm.create_vcpu(2)
    for v in vm.vcpus:
        for i in range(U.KVM_RISCV_SBI_EXT_MAX):
            try:
                v.set_one_reg(U.sbi_ext_reg(i), 1)
            except Exception:       # noqa: BLE001 - unavailable ones
                pass
    for who, eid, fid, args in calls:
        x = vm.vcpus[who]
        x.ctx.pc = 0x8000_0000
        x.ctx.x[17], x.ctx.x[16] = eid, fid
        for i in range(6):
            x.ctx.x[10 + i] = args[i]
        ex = x.sbi_ecall()
        assert ex is None or isinstance(ex, X.Exit)
        if ex is None:
            assert x.ctx.pc in (0x8000_0004, x.ctx.vstvec)
        else:
            assert x.ctx.pc == 0x8000_0000
        if isinstance(ex, X.RiscvSbiExit):
            x.sbi_return(ex)
        assert int(x.ctx.x[0]) == 0
