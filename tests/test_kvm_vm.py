"""Kvm and Vm: capabilities, memory slots (KVM_SET_USER_MEMORY_REGION's checks and errnos),
vCPU creation, mp_state and interrupts, the first-run configuration."""
import errno

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvm_support import SCALAR_HOST, future_extensions, raises_errno, vcpu_for  # noqa: F401
from rvemu.kvm import Kvm, KvmError
from rvemu.kvm import uapi as U

EINVAL, EEXIST, EFAULT = errno.EINVAL, errno.EEXIST, errno.EFAULT
MB = 1 << 20


@pytest.fixture
def vm():
    return Kvm().create_vm()


def test_capabilities():
    k = Kvm()
    assert k.check_extension(U.KVM_CAP_ONE_REG) == 1
    assert k.check_extension(U.KVM_CAP_READONLY_MEM) == 1
    assert k.check_extension(U.KVM_CAP_USER_MEMORY) == 1
    assert k.check_extension(U.KVM_CAP_NR_MEMSLOTS) == 32767
    assert k.check_extension(U.KVM_CAP_MAX_VCPUS) == 1024
    assert k.check_extension(U.KVM_CAP_MAX_VCPU_ID) == 1024
    assert k.check_extension(U.KVM_CAP_VM_GPA_BITS) == 59
    assert Kvm(satp_mode=8).check_extension(U.KVM_CAP_VM_GPA_BITS) == 41
    assert k.check_extension(U.KVM_CAP_IRQCHIP) == 0           # no in-kernel AIA
    assert k.check_extension(U.KVM_CAP_GUEST_MEMFD) == 0
    assert k.check_extension(123456) == 0
    assert k.get_api_version() == 12
    raises_errno(EINVAL, k.check_extension, "ONE_REG")
    assert k.create_vm().check_extension(U.KVM_CAP_RISCV_MP_STATE_RESET) == 1


def test_bad_configuration():
    raises_errno(EINVAL, Kvm, vlen=100)
    raises_errno(EINVAL, Kvm, vlen=4096)
    raises_errno(EINVAL, Kvm, satp_mode=7)
    raises_errno(EINVAL, Kvm().create_vm, 1)


def test_slot_shares_the_buffer(vm):
    ram = np.zeros(2 * MB, dtype=np.uint8)
    vm.set_user_memory_region(0, 0, 0x8000_0000, 2 * MB, ram)
    vm.write_guest(0x8000_0010, b"hello")
    assert bytes(ram[0x10:0x15]) == b"hello"
    ram[0x20] = 0x5A
    assert vm.read_guest(0x8000_0020, 1) == b"\x5a"
    # a bytearray works too, and a slot may use the first part of a bigger buffer
    buf = bytearray(3 * 4096)
    vm.set_user_memory_region(1, 0, 0x1000, 8192, buf)
    vm.write_guest(0x1FFF, b"\x01\x02")
    assert buf[0xFFF:0x1001] == b"\x01\x02"


def test_read_write_across_slots_and_holes(vm):
    a, b = np.zeros(4096, np.uint8), np.zeros(4096, np.uint8)
    vm.set_user_memory_region(0, 0, 0x10000, 4096, a)
    vm.set_user_memory_region(1, 0, 0x11000, 4096, b)
    vm.write_guest(0x10FFC, bytes(range(8)))
    assert bytes(a[-4:]) == bytes(range(4)) and bytes(b[:4]) == bytes(range(4, 8))
    assert vm.read_guest(0x10FFC, 8) == bytes(range(8))
    raises_errno(EFAULT, vm.read_guest, 0x11FFC, 8)
    raises_errno(EFAULT, vm.write_guest, 0x11FFC, bytes(8))
    assert bytes(b[-4:]) == bytes(4)                 # nothing written


def test_readonly_slot(vm):
    rom = np.full(4096, 0xAA, np.uint8)
    vm.set_user_memory_region(0, U.KVM_MEM_READONLY, 0x1000, 4096, rom)
    assert vm.read_guest(0x1000, 2) == b"\xaa\xaa"
    raises_errno(EFAULT, vm.write_guest, 0x1000, b"\x00")
    assert vm.slots[0].readonly


BAD_REGIONS = [
    (0, 4, 0x1000, 4096, "guest_memfd is not valid on RISC-V"),
    (0, 8, 0x1000, 4096, "unknown flag"),
    (0, 0, 0x1800, 4096, "unaligned address"),
    (0, 0, 0x1000, 100, "size not a page multiple"),
    (32767, 0, 0x1000, 4096, "slot id too big"),
    (1 << 16, 0, 0x1000, 4096, "address space 1"),
    (0, 0, (1 << 64) - 4096, 8192, "address overflow"),
    (-1, 0, 0x1000, 4096, "negative slot"),
    (0, 0, -4096, 4096, "negative address"),
]


@pytest.mark.parametrize("slot,flags,gpa,size,why", BAD_REGIONS, ids=[b[-1] for b in BAD_REGIONS])
def test_bad_regions(vm, slot, flags, gpa, size, why):
    raises_errno(EINVAL, vm.set_user_memory_region, slot, flags, gpa, size, np.zeros(8192, np.uint8))
    assert vm.slots == {}


def test_bad_buffers(vm):
    raises_errno(EINVAL, vm.set_user_memory_region, 0, 0, 0x1000, 8192, np.zeros(4096, np.uint8))
    raises_errno(EINVAL, vm.set_user_memory_region, 0, 0, 0x1000, 4096, bytes(4096))   # read-only
    raises_errno(EINVAL, vm.set_user_memory_region, 0, 0, 0x1000, 4096, None)
    raises_errno(EINVAL, vm.set_user_memory_region, 0, 0, 0x1000, 4096, 12345)
    raises_errno(EINVAL, vm.set_user_memory_region, 0, 0, 0x1000, 4096,
                 np.zeros((64, 128), np.uint8)[:, ::2])                                 # not contiguous
    assert vm.slots == {}


def test_beyond_the_gstage_reach():
    vm = Kvm(satp_mode=8).create_vm()                    # Sv39x4: 41-bit guest-physical
    buf = np.zeros(4096, np.uint8)
    raises_errno(EFAULT, vm.set_user_memory_region, 0, 0, (1 << 41) - 4096, 4096, buf)
    vm.set_user_memory_region(0, 0, (1 << 41) - 8192, 4096, buf)


@pytest.mark.parametrize("gpa,size", [(0x10000, 0x4000), (0x11000, 0x1000), (0xF000, 0x2000),
                                      (0x13000, 0x2000), (0x8000, 0x10000)])
def test_overlap(vm, gpa, size):
    big = np.zeros(0x10000, np.uint8)
    vm.set_user_memory_region(0, 0, 0x10000, 0x4000, big)
    raises_errno(EEXIST, vm.set_user_memory_region, 1, 0, gpa, size, big)
    assert list(vm.slots) == [0]


def test_adjacent_delete_modify(vm):
    a, b = np.zeros(0x4000, np.uint8), np.zeros(0x4000, np.uint8)
    vm.set_user_memory_region(0, 0, 0x10000, 0x4000, a)
    vm.set_user_memory_region(1, 0, 0x14000, 0x4000, b)          # adjacent: fine
    raises_errno(EINVAL, vm.set_user_memory_region, 5, 0, 0x10000, 0)   # delete a missing slot
    # modify: move slot 1 (overlap checked against the others), toggle dirty logging
    raises_errno(EEXIST, vm.set_user_memory_region, 1, 0, 0x12000, 0x4000, b)
    vm.set_user_memory_region(1, 0, 0x20000, 0x4000, b)
    assert vm.slots[1].guest_phys_addr == 0x20000
    vm.set_user_memory_region(1, U.KVM_MEM_LOG_DIRTY_PAGES, 0x20000, 0x4000, b)
    vm.set_user_memory_region(1, U.KVM_MEM_LOG_DIRTY_PAGES, 0x20000, 0x4000, b)   # no change
    # what cannot change in place: the buffer, the size, READONLY
    raises_errno(EINVAL, vm.set_user_memory_region, 1, 0, 0x20000, 0x4000, a)
    raises_errno(EINVAL, vm.set_user_memory_region, 1, 0, 0x20000, 0x2000, b)
    raises_errno(EINVAL, vm.set_user_memory_region, 1, U.KVM_MEM_READONLY, 0x20000, 0x4000, b)
    assert vm.slots[1].flags == U.KVM_MEM_LOG_DIRTY_PAGES
    vm.set_user_memory_region(1, 0, 0x20000, 0)                   # delete
    assert 1 not in vm.slots
    vm.set_user_memory_region(1, U.KVM_MEM_READONLY, 0x14000, 0x4000, b)


def test_create_vcpu(vm):
    v0 = vm.create_vcpu(0)
    v5 = vm.create_vcpu(5)
    assert v0.mp_state == U.KVM_MP_STATE_RUNNABLE and v5.mp_state == U.KVM_MP_STATE_STOPPED
    raises_errno(errno.EEXIST, vm.create_vcpu, 5)
    raises_errno(EINVAL, vm.create_vcpu, 1024)
    raises_errno(EINVAL, vm.create_vcpu, -1)
    raises_errno(EINVAL, vm.create_vcpu, "1")
    assert vm.create_vcpu(1023).vcpu_id == 1023
    assert [v.vcpu_id for v in vm.vcpus] == [0, 5, 1023] and vm.vcpu_by_id(5) is v5


def test_mp_state(vm):
    v = vm.create_vcpu(0)
    v.set_mp_state(U.KVM_MP_STATE_STOPPED)
    assert v.get_mp_state() == U.KVM_MP_STATE_STOPPED
    raises_errno(EINVAL, v.set_mp_state, U.KVM_MP_STATE_INIT_RECEIVED)
    raises_errno(EINVAL, vm.enable_cap, U.KVM_CAP_RISCV_MP_STATE_RESET, flags=1)
    vm.enable_cap(U.KVM_CAP_RISCV_MP_STATE_RESET)
    v.ctx.x[5] = 9
    v.set_mp_state(U.KVM_MP_STATE_INIT_RECEIVED)
    assert int(v.ctx.x[5]) == 0


def test_interrupts(vm):
    v = vm.create_vcpu(0)
    v.interrupt(U.KVM_INTERRUPT_SET)
    assert v.ctx.hvip == 1 << 10
    v.interrupt(U.KVM_INTERRUPT_UNSET)
    assert v.ctx.hvip == 0
    v.set_interrupt(13)
    raises_errno(EINVAL, v.set_interrupt, 9)
    raises_errno(EINVAL, v.unset_interrupt, 1)


def test_first_run_configuration(future_extensions):
    v = vcpu_for(future_extensions)
    assert v.ctx.hedeleg == 0xB10D and v.ctx.hideleg == 0x444 and v.ctx.hstatus == 0x200180
    v.mark_ran()
    env = v.ctx.henvcfg
    assert env & 1 << 63 and env & 1 << 62 and env & 1 << 61        # STCE, PBMTE, ADUE
    assert env & 0xF0 == 0xF0                                        # CBIE, CBCFE, CBZE
    assert v.ctx.hstateen0 == (1 << 63 | 1 << 62 | 0b111 << 58)
    assert v.ran_atleast_once
    w = vcpu_for()
    w.mark_ran()
    assert w.ctx.henvcfg == 1 << 63 | 1 << 61 and w.ctx.hstateen0 == 0


def test_reset_state():
    v = vcpu_for(SCALAR_HOST)
    c = v.ctx
    assert c.mode == 1 and c.vstimecmp == (1 << 64) - 1 and c.timer_state == 0
    assert c.x.dtype == np.uint64 and c.f.dtype == np.uint64 and c.x.shape == (32,)
    assert c.scounteren == 0 and c.vreg is None and c.vlenb == 0


def test_host_from_a_machine():
    from rvemu import Machine
    m = Machine(isa="rv64imafdc_zfh", ram="1M")
    v = Kvm(m).create_vm().create_vcpu(0)
    assert v.has("zfh") and not v.has("zfbfmin")
    raises_errno(errno.ENOENT, v.get_one_reg, U.isa_ext_reg("ZFBFMIN"))


REGION_OPS = st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0, 1, 2, 3, 4]),
                                st.integers(0, 24).map(lambda p: p * 0x800),
                                st.integers(0, 6).map(lambda p: p * 0x800),
                                st.integers(0, 2)), max_size=25)


@settings(max_examples=200, deadline=None)
@given(REGION_OPS)
def test_random_region_sequences(ops):
    vm = Kvm().create_vm()
    bufs = [np.zeros(0x4000, np.uint8) for _ in range(3)]
    for slot, flags, gpa, size, b in ops:
        before = dict(vm.slots)
        try:
            vm.set_user_memory_region(slot, flags, gpa, size, bufs[b])
        except KvmError as e:
            assert e.errno in (EINVAL, EEXIST)
            assert vm.slots == before
        ss = sorted(vm.slots.values(), key=lambda s: s.guest_phys_addr)
        for a, b2 in zip(ss, ss[1:]):
            assert a.end <= b2.guest_phys_addr          # never overlapping
        for s in ss:
            assert s.memory_size and not s.guest_phys_addr % 4096 and not s.memory_size % 4096


def test_context_mask_and_misa():
    from rvemu.isa.extensions import EXT_BIT
    v = vcpu_for()
    v.set_one_reg(U.isa_ext_reg("D"), 0)
    m = v.ctx.ext_mask()
    assert m >> EXT_BIT["f"] & 1 and not m >> EXT_BIT["d"] & 1 and m >> EXT_BIT["s"] & 1
    misa = v.ctx.misa()
    assert misa >> 62 == 2 and misa & (1 << 5) and not misa & (1 << 3)   # F yes, D no
