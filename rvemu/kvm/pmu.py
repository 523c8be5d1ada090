"""The SBI PMU extension served in the hypervisor, as Linux's arch/riscv/kvm/vcpu_pmu.c does it
(fact sheet section 8): hardware counters for cycles and instret, the TIME slot, and one
firmware counter per SBI firmware event, with the snapshot shared memory.

Counter indexes: 0 cycle, 1 TIME (never usable), 2 instret, then ``NUM_FW`` = 22 firmware
counters (3 .. 24). The host offers no programmable HPM counters (``NUM_HW`` = 3), so
hardware events other than CPU_CYCLES and INSTRUCTIONS find no counter (NOT_SUPPORTED),
as on a Linux host whose PMU has none.

The hardware counts come from ``vcpu.read_hw_counter(code)`` (1 = cycles, 2 = instructions
retired by this vCPU in the guest), which the run loop keeps current; firmware events are
counted by ``count_fw_event(vcpu, event)``, called by the exit handlers and the SBI code.
Counting happens only while the event is started.
"""
import struct

from rvemu.kvm import sbi_consts as S

MASK64 = (1 << 64) - 1

# FIDs
NUM_COUNTERS = 0
COUNTER_GET_INFO = 1
COUNTER_CFG_MATCH = 2
COUNTER_START = 3
COUNTER_STOP = 4
COUNTER_FW_READ = 5
COUNTER_FW_READ_HI = 6
SNAPSHOT_SET_SHMEM = 7
EVENT_GET_INFO = 8

# event index: type in bits 19:16, code in 15:0
EVENT_IDX_TYPE_MASK = 0xF0000
EVENT_IDX_CODE_MASK = 0xFFFF
EVENT_IDX_INVALID = 0xFFFFFFFF
TYPE_HW, TYPE_CACHE, TYPE_RAW, TYPE_RAW_V2, TYPE_FW = 0x0, 0x1, 0x2, 0x3, 0xF
HW_CPU_CYCLES = 1
HW_INSTRUCTIONS = 2

# sbi_pmu_fw_generic_events_t
FW_EVENTS = ["MISALIGNED_LOAD", "MISALIGNED_STORE", "ACCESS_LOAD", "ACCESS_STORE",
             "ILLEGAL_INSN", "SET_TIMER", "IPI_SENT", "IPI_RCVD", "FENCE_I_SENT", "FENCE_I_RCVD",
             "SFENCE_VMA_SENT", "SFENCE_VMA_RCVD", "SFENCE_VMA_ASID_SENT", "SFENCE_VMA_ASID_RCVD",
             "HFENCE_GVMA_SENT", "HFENCE_GVMA_RCVD", "HFENCE_GVMA_VMID_SENT",
             "HFENCE_GVMA_VMID_RCVD", "HFENCE_VVMA_SENT", "HFENCE_VVMA_RCVD",
             "HFENCE_VVMA_ASID_SENT", "HFENCE_VVMA_ASID_RCVD"]
FW_MAX = len(FW_EVENTS)          # 22
for _i, _n in enumerate(FW_EVENTS):
    globals()["SBI_PMU_FW_" + _n] = _i
FW_EVENT_CODE = {n: i for i, n in enumerate(FW_EVENTS)}

# flags
CFG_FLAG_SKIP_MATCH = 1 << 0
CFG_FLAG_CLEAR_VALUE = 1 << 1
CFG_FLAG_AUTO_START = 1 << 2
CFG_FLAG_SET_VUINH = 1 << 3
CFG_FLAG_SET_VSINH = 1 << 4
CFG_FLAG_SET_UINH = 1 << 5
CFG_FLAG_SET_SINH = 1 << 6
CFG_FLAG_SET_MINH = 1 << 7
START_FLAG_SET_INIT_VALUE = 1 << 0
START_FLAG_INIT_SNAPSHOT = 1 << 1
STOP_FLAG_RESET = 1 << 0
STOP_FLAG_TAKE_SNAPSHOT = 1 << 1

CTR_TYPE_HW, CTR_TYPE_FW = 0, 1
NUM_HW = 3                       # cycle, TIME slot, instret
NUM_FW = FW_MAX
MAX_COUNTERS = 64                # RISCV_KVM_MAX_COUNTERS
SNAPSHOT_SIZE = 4096             # u64 overflow mask, u64 ctr_values[64], reserved
CSR_CYCLE = 0xC00
IRQ_PMU_OVF = 13


class Pmc:
    """One virtual counter (struct kvm_pmc)."""

    def __init__(self, idx, ctype):
        self.idx = idx
        self.ctype = ctype
        self.width = 63
        self.csr = CSR_CYCLE + idx if ctype == CTR_TYPE_HW else 0
        self.event_idx = EVENT_IDX_INVALID
        self.counter_val = 0
        self.has_event = False       # a "perf event" exists (HW)
        self.started = False         # HW counting
        self.raw_start = 0
        self.hw_code = 0

    @property
    def info(self):
        """counter_get_info value: csr 11:0, width 17:12, type bit XLEN-1."""
        return (self.csr & 0xFFF) | (self.width << 12) | (self.ctype << 63)


class VcpuPmu:
    """The PMU state of one vCPU (struct kvm_pmu)."""

    def __init__(self, vcpu, available=True):
        self.vcpu = vcpu
        self.available = available
        self.init()

    # ---- lifecycle ------------------------------------------------------------------------
    def init(self):
        self.init_done = self.available
        self.num_hw = NUM_HW
        self.num_fw = NUM_FW
        self.pmc = {}
        for i in range(self.num_counters):
            if i == 1:
                continue         # TIME is never read through the PMU
            self.pmc[i] = Pmc(i, CTR_TYPE_HW if i < self.num_hw else CTR_TYPE_FW)
        self.fw_value = [0] * FW_MAX
        self.fw_started = [False] * FW_MAX
        self.in_use = set()
        self.overflown = set()
        self.snapshot_addr = None
        self.sdata = None

    reset = init                 # kvm_riscv_vcpu_pmu_reset = deinit + init

    @property
    def num_counters(self):
        return self.num_hw + self.num_fw

    # ---- the entry points of the exit handler ---------------------------------------------
    def count_fw_event(self, event):
        """kvm_riscv_vcpu_pmu_incr_fw: +1 if that firmware event is started."""
        if isinstance(event, str):
            event = FW_EVENT_CODE[event.upper()]
        if not self.init_done or not 0 <= event < FW_MAX:
            return
        if self.fw_started[event]:
            self.fw_value[event] = (self.fw_value[event] + 1) & MASK64

    def _raw(self, code):
        return int(self.vcpu.read_hw_counter(code)) & MASK64

    def _hw_value(self, pmc):
        v = pmc.counter_val
        if pmc.started:
            v += self._raw(pmc.hw_code) - pmc.raw_start
        return v

    def poll_overflow(self):
        """Mark HW counters that passed 2**64 as overflown and raise the LCOFI (IRQ 13) in the
        guest; returns True if one did. The run loop calls this after running the guest."""
        hit = False
        for i, pmc in self.pmc.items():
            if pmc.ctype == CTR_TYPE_HW and pmc.started and i not in self.overflown:
                if self._hw_value(pmc) > MASK64:
                    self.overflown.add(i)
                    hit = True
        if hit:
            self.vcpu.ctx.hvip |= 1 << IRQ_PMU_OVF
        return hit

    def read_hpm_csr(self, csr_num, wr_mask=0):
        """A guest read of cycle/instret/hpmcounterN trapped as a virtual instruction
        (kvm_riscv_vcpu_pmu_read_hpm): returns the value, or None for an illegal-instruction
        trap."""
        if not self.init_done:
            if csr_num in (CSR_CYCLE, CSR_CYCLE + 2):
                return 0
            return None
        if wr_mask:
            return None
        ok, v = self._ctr_read(csr_num - CSR_CYCLE)
        return v if ok else None

    # ---- the SBI calls ----------------------------------------------------------------------
    def sbi_call(self, fid, a):
        """Serve PMU function ``fid`` with arguments a[0..5]: returns (sbi_error, value)."""
        if not self.init_done:
            return S.SBI_ERR_NOT_SUPPORTED, 0
        if fid == NUM_COUNTERS:
            return S.SBI_SUCCESS, self.num_counters
        if fid == COUNTER_GET_INFO:
            cidx = a[0]
            if cidx >= MAX_COUNTERS or cidx == 1:
                return S.SBI_ERR_INVALID_PARAM, 0
            pmc = self.pmc.get(cidx)
            return S.SBI_SUCCESS, pmc.info if pmc else 0
        if fid == COUNTER_CFG_MATCH:
            return self.cfg_match(a[0], a[1], a[2], a[3], a[4])
        if fid == COUNTER_START:
            return self.start(a[0], a[1], a[2], a[3]), 0
        if fid == COUNTER_STOP:
            return self.stop(a[0], a[1], a[2]), 0
        if fid == COUNTER_FW_READ:
            ok, v = self._ctr_read(a[0])
            return (S.SBI_SUCCESS, v & MASK64) if ok else (S.SBI_ERR_INVALID_PARAM, 0)
        if fid == COUNTER_FW_READ_HI:
            return S.SBI_SUCCESS, 0          # RV64: the value fits in fw_read
        if fid == SNAPSHOT_SET_SHMEM:
            return self.snapshot_set_shmem(a[0], a[1], a[2]), 0
        if fid == EVENT_GET_INFO:
            return self.event_get_info(a[0], a[1], a[2], a[3]), 0
        return S.SBI_ERR_NOT_SUPPORTED, 0

    def _valid_mask(self, base, mask):
        return mask != 0 and base + mask.bit_length() - 1 < self.num_counters

    def cfg_match(self, base, mask, flags, eidx, edata):
        if not self._valid_mask(base, mask):
            return S.SBI_ERR_INVALID_PARAM, 0
        etype = (eidx & EVENT_IDX_TYPE_MASK) >> 16
        code = eidx & EVENT_IDX_CODE_MASK
        is_fw = etype == TYPE_FW
        if eidx >> 20 or etype not in (TYPE_HW, TYPE_CACHE, TYPE_RAW, TYPE_RAW_V2, TYPE_FW):
            return S.SBI_ERR_NOT_SUPPORTED, 0
        if is_fw and code >= FW_MAX:
            return S.SBI_ERR_NOT_SUPPORTED, 0
        if flags & CFG_FLAG_SKIP_MATCH:
            idx = base + ((mask & -mask).bit_length() - 1)
            if idx not in self.in_use:
                return S.SBI_ERR_FAILED, 0
        else:
            idx = self._get_pmc_index(etype, code, is_fw, base, mask)
            if idx < 0:
                return S.SBI_ERR_NOT_SUPPORTED, 0
        pmc = self.pmc[idx]
        if is_fw:
            if flags & CFG_FLAG_AUTO_START:
                self.fw_started[code] = True
        else:
            # "perf event creation": only cycles and instret can be counted
            if etype != TYPE_HW or code not in (HW_CPU_CYCLES, HW_INSTRUCTIONS):
                return S.SBI_ERR_NOT_SUPPORTED, 0
            if pmc.started:               # a re-configuration releases the old event first
                pmc.counter_val = self._hw_value(pmc)
                pmc.started = False
            pmc.has_event = True
            pmc.hw_code = code
            if flags & CFG_FLAG_CLEAR_VALUE:
                pmc.counter_val = 0
            if flags & CFG_FLAG_AUTO_START:
                pmc.raw_start = self._raw(code)
                pmc.started = True
        self.in_use.add(idx)
        pmc.event_idx = eidx
        return S.SBI_SUCCESS, idx

    def _get_pmc_index(self, etype, code, is_fw, base, mask):
        if etype == TYPE_HW and code == HW_CPU_CYCLES:
            return 0                     # fixed counters, whatever the mask says
        if etype == TYPE_HW and code == HW_INSTRUCTIONS:
            return 2
        lo, hi = (self.num_hw, self.num_hw + self.num_fw) if is_fw else (3, self.num_hw)
        for bit in range(64):
            if mask >> bit & 1:
                i = base + bit
                if lo <= i < hi and i not in self.in_use:
                    return i
        return -1

    def _read_snapshot(self):
        try:
            data = self.vcpu.vm.read_guest(self.snapshot_addr, SNAPSHOT_SIZE)
        except Exception:        # noqa: BLE001 - any failure to read guest memory is FAILURE
            return False
        self.sdata = bytearray(data)
        return True

    def start(self, base, mask, flags, ival):
        if not self._valid_mask(base, mask):
            return S.SBI_ERR_INVALID_PARAM
        snap = bool(flags & START_FLAG_INIT_SNAPSHOT)
        if snap:
            if self.snapshot_addr is None:
                return S.SBI_ERR_NO_SHMEM
            if not self._read_snapshot():
                return S.SBI_ERR_FAILED
        ret = S.SBI_SUCCESS
        for bit in range(64):
            if not mask >> bit & 1:
                continue
            idx = base + bit
            if idx not in self.in_use:
                continue
            self.overflown.discard(idx)
            pmc = self.pmc[idx]
            if flags & START_FLAG_SET_INIT_VALUE:
                pmc.counter_val = ival & MASK64
            elif snap:
                pmc.counter_val = struct.unpack_from("<Q", self.sdata, 8 + 8 * bit)[0]
            if pmc.ctype == CTR_TYPE_FW:
                code = pmc.event_idx & EVENT_IDX_CODE_MASK
                if code >= FW_MAX:
                    return S.SBI_ERR_INVALID_PARAM
                if self.fw_started[code]:
                    ret = S.SBI_ERR_ALREADY_STARTED
                    continue
                self.fw_started[code] = True
                self.fw_value[code] = pmc.counter_val
            elif pmc.has_event:
                if pmc.started:
                    ret = S.SBI_ERR_ALREADY_STARTED
                    continue
                pmc.raw_start = self._raw(pmc.hw_code)
                pmc.started = True
            else:
                ret = S.SBI_ERR_INVALID_PARAM
        return ret

    def stop(self, base, mask, flags):
        if not self._valid_mask(base, mask):
            return S.SBI_ERR_INVALID_PARAM
        snap = bool(flags & STOP_FLAG_TAKE_SNAPSHOT)
        if snap and self.snapshot_addr is None:
            return S.SBI_ERR_NO_SHMEM
        ret = S.SBI_SUCCESS
        dirty = False
        for bit in range(64):
            if not mask >> bit & 1:
                continue
            idx = base + bit
            if idx not in self.in_use:
                continue
            pmc = self.pmc[idx]
            code = pmc.event_idx & EVENT_IDX_CODE_MASK
            if pmc.ctype == CTR_TYPE_FW:
                if code >= FW_MAX:
                    return S.SBI_ERR_INVALID_PARAM
                if not self.fw_started[code]:
                    ret = S.SBI_ERR_ALREADY_STOPPED
                self.fw_started[code] = False
            elif pmc.has_event:
                if pmc.started:
                    pmc.counter_val = self._hw_value(pmc)
                    pmc.started = False
                else:
                    ret = S.SBI_ERR_ALREADY_STOPPED
                if flags & STOP_FLAG_RESET:
                    pmc.has_event = False
            else:
                ret = S.SBI_ERR_INVALID_PARAM
            if snap and ret == S.SBI_SUCCESS:
                if pmc.ctype == CTR_TYPE_FW:
                    pmc.counter_val = self.fw_value[code]
                if self.sdata is None:
                    self.sdata = bytearray(SNAPSHOT_SIZE)
                if idx in self.overflown:
                    ov = struct.unpack_from("<Q", self.sdata, 0)[0] | (1 << bit)
                    struct.pack_into("<Q", self.sdata, 0, ov)
                struct.pack_into("<Q", self.sdata, 8 + 8 * bit, pmc.counter_val & MASK64)
                dirty = True
            if flags & STOP_FLAG_RESET:
                pmc.event_idx = EVENT_IDX_INVALID
                self.in_use.discard(idx)
                self.overflown.discard(idx)
                if snap:
                    if self.sdata is None:
                        self.sdata = bytearray(SNAPSHOT_SIZE)
                    ov = struct.unpack_from("<Q", self.sdata, 0)[0] & ~(1 << bit)
                    struct.pack_into("<Q", self.sdata, 0, ov)
                    dirty = True
        if dirty:
            try:
                self.vcpu.vm.write_guest(self.snapshot_addr, bytes(self.sdata))
            except Exception:    # noqa: BLE001 - Linux ignores this write's failure too
                pass
        return ret

    def _ctr_read(self, cidx):
        if cidx >= self.num_counters or cidx == 1 or cidx < 0:
            return False, 0
        pmc = self.pmc[cidx]
        if pmc.ctype == CTR_TYPE_FW:
            code = pmc.event_idx & EVENT_IDX_CODE_MASK
            if code >= FW_MAX:
                return False, 0
            pmc.counter_val = self.fw_value[code]
            return True, pmc.counter_val
        if not pmc.has_event:
            return False, 0
        return True, self._hw_value(pmc) & MASK64

    def snapshot_set_shmem(self, lo, hi, flags):
        if flags:
            return S.SBI_ERR_INVALID_PARAM
        if lo == MASK64 and hi == MASK64:
            self.snapshot_addr = None
            self.sdata = None
            return S.SBI_SUCCESS
        if hi != 0:
            return S.SBI_ERR_INVALID_ADDRESS
        try:
            self.vcpu.vm.write_guest(lo, bytes(SNAPSHOT_SIZE))
        except Exception:        # noqa: BLE001
            return S.SBI_ERR_INVALID_ADDRESS
        self.sdata = bytearray(SNAPSHOT_SIZE)
        self.snapshot_addr = lo
        return S.SBI_SUCCESS

    def event_supported(self, eidx, edata):
        etype = (eidx >> 16) & 0xF
        code = eidx & EVENT_IDX_CODE_MASK
        if eidx >> 20:
            return False
        if etype == TYPE_FW:
            return code < FW_MAX
        return etype == TYPE_HW and code in (HW_CPU_CYCLES, HW_INSTRUCTIONS)

    def event_get_info(self, lo, hi, num, flags):
        if flags != 0 or lo & 15 or num == 0 or num * 16 > 0x7FFFFFFF:
            return S.SBI_ERR_INVALID_PARAM
        if hi != 0:
            return S.SBI_ERR_INVALID_ADDRESS
        try:
            buf = bytearray(self.vcpu.vm.read_guest(lo, num * 16))
        except Exception:        # noqa: BLE001
            return S.SBI_ERR_FAILED
        for i in range(num):
            eidx, _, edata = struct.unpack_from("<IIQ", buf, 16 * i)
            struct.pack_into("<I", buf, 16 * i + 4, 1 if self.event_supported(eidx, edata) else 0)
        try:
            self.vcpu.vm.write_guest(lo, bytes(buf))
        except Exception:        # noqa: BLE001
            return S.SBI_ERR_INVALID_ADDRESS
        return S.SBI_SUCCESS

    def counters(self):
        """{event name: value} of the firmware counters and the configured hardware ones,
        for statistics (reads, no side effects)."""
        out = {n: self.fw_value[i] for i, n in enumerate(FW_EVENTS)}
        for i in (0, 2):
            p = self.pmc[i]
            if p.has_event:
                out["CYCLES" if i == 0 else "INSTRUCTIONS"] = self._hw_value(p) & MASK64
        return out


def count_fw_event(vcpu, event):
    """The exit handler's entry point: count SBI PMU firmware ``event`` (a number from
    FW_EVENTS or its name, e.g. 'MISALIGNED_LOAD') on ``vcpu`` if the guest started it."""
    vcpu.pmu.count_fw_event(event)
