"""The SBI PMU (Linux's vcpu_pmu.c; fact sheet section 8), driven through guest ecalls."""
import struct

import numpy as np
import pytest

from kvm_support import vcpu_for
from rvemu.kvm import pmu as P
from rvemu.kvm import sbi_consts as S

M64 = (1 << 64) - 1
RAM = 0x8000_0000
FW = 0xF0000


def pmu_call(v, fid, *args):
    ctx = v.ctx
    ctx.pc = RAM
    ctx.x[17], ctx.x[16] = S.EID_PMU, fid
    for i in range(6):
        ctx.x[10 + i] = (args[i] if i < len(args) else 0) & M64
    assert v.sbi_ecall() is None
    a0 = int(ctx.x[10])
    return (a0 - (1 << 64) if a0 >> 63 else a0), int(ctx.x[11])


@pytest.fixture
def v():
    v = vcpu_for()
    v.ram = np.zeros(1 << 16, np.uint8)
    v.vm.set_user_memory_region(0, 0, RAM, 1 << 16, v.ram)
    return v


def test_counters_and_info(v):
    assert pmu_call(v, P.NUM_COUNTERS) == (0, 25)
    assert pmu_call(v, P.COUNTER_GET_INFO, 0) == (0, 0xC00 | 63 << 12)
    assert pmu_call(v, P.COUNTER_GET_INFO, 2) == (0, 0xC02 | 63 << 12)
    assert pmu_call(v, P.COUNTER_GET_INFO, 3) == (0, 1 << 63 | 63 << 12)
    assert pmu_call(v, P.COUNTER_GET_INFO, 24) == (0, 1 << 63 | 63 << 12)
    assert pmu_call(v, P.COUNTER_GET_INFO, 40) == (0, 0)       # not checked against the count
    assert pmu_call(v, P.COUNTER_GET_INFO, 1)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.COUNTER_GET_INFO, 64)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, 9)[0] == S.SBI_ERR_NOT_SUPPORTED
    assert pmu_call(v, P.COUNTER_FW_READ_HI, 3) == (0, 0)


def test_firmware_counter_counts_only_while_started(v):
    ev = FW | P.SBI_PMU_FW_MISALIGNED_LOAD
    err, idx = pmu_call(v, P.COUNTER_CFG_MATCH, 3, 0xFFFF, 0, ev)
    assert (err, idx) == (0, 3)
    v.count_fw_event("MISALIGNED_LOAD")                         # configured, not started
    assert pmu_call(v, P.COUNTER_FW_READ, 3) == (0, 0)
    assert pmu_call(v, P.COUNTER_START, 3, 1, P.START_FLAG_SET_INIT_VALUE, 10) == (0, 0)
    for _ in range(3):
        v.count_fw_event(P.SBI_PMU_FW_MISALIGNED_LOAD)
    v.count_fw_event("MISALIGNED_STORE")                        # another event: not counted
    assert pmu_call(v, P.COUNTER_FW_READ, 3) == (0, 13)
    assert pmu_call(v, P.COUNTER_START, 3, 1)[0] == S.SBI_ERR_ALREADY_STARTED
    assert pmu_call(v, P.COUNTER_STOP, 3, 1) == (0, 0)
    v.count_fw_event("MISALIGNED_LOAD")
    assert pmu_call(v, P.COUNTER_FW_READ, 3) == (0, 13)
    assert pmu_call(v, P.COUNTER_STOP, 3, 1)[0] == S.SBI_ERR_ALREADY_STOPPED
    assert pmu_call(v, P.COUNTER_STOP, 3, 1, P.STOP_FLAG_RESET)[0] == S.SBI_ERR_ALREADY_STOPPED
    assert pmu_call(v, P.COUNTER_FW_READ, 3)[0] == S.SBI_ERR_INVALID_PARAM   # released


def test_cfg_match_rules(v):
    bad = S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 0, 0, FW)[0] == bad             # empty mask
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 20, 0b100000, 0, FW)[0] == bad     # 25 >= 25
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, 0, FW | 22)[0] == S.SBI_ERR_NOT_SUPPORTED
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, 0, 0x10000 | 5)[0] == S.SBI_ERR_NOT_SUPPORTED  # cache
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, 0, 0x20000)[0] == S.SBI_ERR_NOT_SUPPORTED      # raw
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 0, 1, 0, 4)[0] == S.SBI_ERR_NOT_SUPPORTED            # no HPM
    # SKIP_MATCH needs the counter in use
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 5, 1, P.CFG_FLAG_SKIP_MATCH, FW | 2)[0] == S.SBI_ERR_FAILED
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 5, 1, 0, FW | 2) == (0, 5)
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 5, 1, P.CFG_FLAG_SKIP_MATCH, FW | 2) == (0, 5)
    # every firmware counter taken -> NOT_SUPPORTED
    for i in range(21):
        assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, (1 << 22) - 1, 0, FW | i)[0] == 0
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, (1 << 22) - 1, 0, FW | 21)[0] == S.SBI_ERR_NOT_SUPPORTED


def test_hardware_counters(v):
    v.hw_counts[1], v.hw_counts[2] = 1000, 500
    # cycles always get counter 0 and instret counter 2, whatever the mask says
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, P.CFG_FLAG_AUTO_START | P.CFG_FLAG_CLEAR_VALUE, 1) == (0, 0)
    assert pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, 0, 2) == (0, 2)
    v.hw_counts[1], v.hw_counts[2] = 1700, 800
    assert pmu_call(v, P.COUNTER_FW_READ, 0) == (0, 700)
    assert pmu_call(v, P.COUNTER_FW_READ, 2) == (0, 0)           # not started
    assert pmu_call(v, P.COUNTER_START, 2, 1, P.START_FLAG_SET_INIT_VALUE, 5) == (0, 0)
    v.hw_counts[2] = 810
    assert pmu_call(v, P.COUNTER_FW_READ, 2) == (0, 15)
    assert v.pmu.read_hpm_csr(0xC02) == 15                       # guest's instret CSR read
    assert v.pmu.read_hpm_csr(0xC02, wr_mask=1) is None
    assert pmu_call(v, P.COUNTER_STOP, 0, 0b101) == (0, 0)
    v.hw_counts[1] = 9999
    assert pmu_call(v, P.COUNTER_FW_READ, 0) == (0, 700)
    assert pmu_call(v, P.COUNTER_FW_READ, 1)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.COUNTER_FW_READ, 25)[0] == S.SBI_ERR_INVALID_PARAM
    # a counter in use but never given an event cannot start
    assert pmu_call(v, P.COUNTER_START, 4, 1) == (0, 0)          # not in use: skipped


def test_overflow_raises_lcofi(v):
    pmu_call(v, P.COUNTER_CFG_MATCH, 0, 1, 0, 1)
    pmu_call(v, P.COUNTER_START, 0, 1, P.START_FLAG_SET_INIT_VALUE, M64 - 10)
    assert not v.pmu.poll_overflow()
    v.hw_counts[1] = 20
    assert v.pmu.poll_overflow() and v.ctx.hvip & 1 << 13 and 0 in v.pmu.overflown


def test_snapshot(v):
    base = RAM + 0x1000
    v.ram[0x1000:0x2000] = 0xEE
    assert pmu_call(v, P.SNAPSHOT_SET_SHMEM, base, 0, 1)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.SNAPSHOT_SET_SHMEM, base, 1, 0)[0] == S.SBI_ERR_INVALID_ADDRESS
    assert pmu_call(v, P.SNAPSHOT_SET_SHMEM, 0x1000, 0, 0)[0] == S.SBI_ERR_INVALID_ADDRESS
    assert pmu_call(v, P.COUNTER_START, 3, 1, P.START_FLAG_INIT_SNAPSHOT)[0] == S.SBI_ERR_NO_SHMEM
    assert pmu_call(v, P.COUNTER_STOP, 3, 1, P.STOP_FLAG_TAKE_SNAPSHOT)[0] == S.SBI_ERR_NO_SHMEM
    assert pmu_call(v, P.SNAPSHOT_SET_SHMEM, base, 0, 0) == (0, 0)
    assert not v.ram[0x1000:0x2000].any()                        # zeroed
    # counter 4 = bit 1 relative to base 3; its start value comes from ctr_values[1]
    pmu_call(v, P.COUNTER_CFG_MATCH, 4, 1, 0, FW | P.SBI_PMU_FW_IPI_SENT)
    struct.pack_into("<Q", v.ram, 0x1000 + 8 + 8 * 1, 40)
    assert pmu_call(v, P.COUNTER_START, 3, 0b10, P.START_FLAG_INIT_SNAPSHOT) == (0, 0)
    v.count_fw_event("IPI_SENT")
    v.count_fw_event("IPI_SENT")
    assert pmu_call(v, P.COUNTER_STOP, 3, 0b10, P.STOP_FLAG_TAKE_SNAPSHOT) == (0, 0)
    assert struct.unpack_from("<Q", v.ram, 0x1000 + 8 + 8)[0] == 42
    assert pmu_call(v, P.SNAPSHOT_SET_SHMEM, M64, M64, 0) == (0, 0)
    assert pmu_call(v, P.COUNTER_START, 3, 0b10, P.START_FLAG_INIT_SNAPSHOT)[0] == S.SBI_ERR_NO_SHMEM


def test_event_get_info(v):
    off = 0x3000
    entries = [(1, 0), (2, 0), (3, 0), (0x10000 | 8, 0), (FW | 5, 0), (FW | 30, 0), (0x20000, 7)]
    for i, (e, d) in enumerate(entries):
        struct.pack_into("<IIQ", v.ram, off + 16 * i, e, 0xFFFF, d)
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off, 0, len(entries), 0) == (0, 0)
    outs = [struct.unpack_from("<IIQ", v.ram, off + 16 * i)[1] for i in range(len(entries))]
    assert outs == [1, 1, 0, 0, 1, 0, 0]
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off, 0, 1, 1)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off + 8, 0, 1, 0)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off, 0, 0, 0)[0] == S.SBI_ERR_INVALID_PARAM
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off, 1, 1, 0)[0] == S.SBI_ERR_INVALID_ADDRESS
    assert pmu_call(v, P.EVENT_GET_INFO, 0x10, 0, 1, 0)[0] == S.SBI_ERR_FAILED
    assert pmu_call(v, P.EVENT_GET_INFO, RAM + off, 0, 1 << 40, 0)[0] == S.SBI_ERR_INVALID_PARAM


def test_sbi_calls_count_firmware_events(v):
    vm = v.vm
    w = vm.create_vcpu(1)
    for x in (v, w):
        for code in range(P.FW_MAX):
            x.pmu.pmc[3 + code].event_idx = FW | code
            x.pmu.in_use.add(3 + code)
            x.pmu.fw_started[code] = True

    def call(x, eid, fid, *a):
        x.ctx.x[17], x.ctx.x[16] = eid, fid
        for i, val in enumerate(a):
            x.ctx.x[10 + i] = val
        x.sbi_ecall()
    call(v, S.EID_TIME, 0, 100)
    call(v, S.EID_IPI, 0, 0b11, 0)
    call(v, S.EID_RFENCE, 0, 0b10, 0)
    call(v, S.EID_RFENCE, 1, 0b10, 0, 0, 0)
    call(v, S.EID_RFENCE, 2, 0b10, 0, 0, 0, 3)
    w.process_requests()
    c, d = v.pmu.counters(), w.pmu.counters()
    assert (c["SET_TIMER"], c["IPI_SENT"], c["IPI_RCVD"], d["IPI_RCVD"]) == (1, 1, 1, 1)
    assert (c["FENCE_I_SENT"], c["HFENCE_VVMA_SENT"], c["HFENCE_VVMA_ASID_SENT"]) == (1, 1, 1)
    assert (d["FENCE_I_RCVD"], d["HFENCE_VVMA_RCVD"], d["HFENCE_VVMA_ASID_RCVD"]) == (1, 1, 1)
    # legacy set_timer is not counted
    call(v, 0, 0, 5)
    assert v.pmu.counters()["SET_TIMER"] == 1


def test_pmu_unavailable():
    v = vcpu_for(pmu=False)
    v.ctx.x[17], v.ctx.x[16] = S.EID_PMU, 0
    v.sbi_ecall()
    assert int(v.ctx.x[10]) == M64 - 1                            # NOT_SUPPORTED
    assert v.pmu.sbi_call(0, [0] * 6)[0] == S.SBI_ERR_NOT_SUPPORTED
    assert v.pmu.read_hpm_csr(0xC00) == 0 and v.pmu.read_hpm_csr(0xC02) == 0
    assert v.pmu.read_hpm_csr(0xC03) is None
    v.count_fw_event("SET_TIMER")                                  # harmless


def test_reset_clears_the_pmu(v):
    pmu_call(v, P.COUNTER_CFG_MATCH, 3, 1, P.CFG_FLAG_AUTO_START, FW | 5)
    v.count_fw_event("SET_TIMER")
    v.reset()
    assert pmu_call(v, P.COUNTER_FW_READ, 3)[0] == S.SBI_ERR_INVALID_PARAM
    assert v.pmu.counters()["SET_TIMER"] == 0
