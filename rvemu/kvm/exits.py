"""Exits: what ``VCpu.run()`` returns to the VMM, Linux's ``kvm_run`` exit reasons with their
payloads (include/uapi/linux/kvm.h). ``exit.reason`` is Linux's number
(``KVM_EXIT_MMIO`` = 6 ...); the fields are the members of that reason's ``kvm_run`` union
member, with Linux's names.
"""
from dataclasses import dataclass, field

KVM_EXIT_UNKNOWN = 0
KVM_EXIT_EXCEPTION = 1
KVM_EXIT_IO = 2
KVM_EXIT_HYPERCALL = 3
KVM_EXIT_DEBUG = 4
KVM_EXIT_HLT = 5
KVM_EXIT_MMIO = 6
KVM_EXIT_IRQ_WINDOW_OPEN = 7
KVM_EXIT_SHUTDOWN = 8
KVM_EXIT_FAIL_ENTRY = 9
KVM_EXIT_INTR = 10
KVM_EXIT_INTERNAL_ERROR = 17
KVM_EXIT_SYSTEM_EVENT = 24
KVM_EXIT_RISCV_SBI = 35
KVM_EXIT_RISCV_CSR = 36
KVM_EXIT_MEMORY_FAULT = 39

EXIT_NAMES = {v: k for k, v in globals().items() if k.startswith("KVM_EXIT_") and isinstance(v, int)}

# system_event.type
KVM_SYSTEM_EVENT_SHUTDOWN = 1
KVM_SYSTEM_EVENT_RESET = 2
KVM_SYSTEM_EVENT_CRASH = 3
KVM_SYSTEM_EVENT_WAKEUP = 4
KVM_SYSTEM_EVENT_SUSPEND = 5
# internal.suberror
KVM_INTERNAL_ERROR_EMULATION = 1
KVM_INTERNAL_ERROR_SIMUL_EX = 2
KVM_INTERNAL_ERROR_DELIVERY_EV = 3
KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4
# fail_entry.hardware_entry_failure_reason (RISC-V, 6.19)
KVM_EXIT_FAIL_ENTRY_NO_VSFILE = 1 << 0
# memory_fault.flags
KVM_MEMORY_EXIT_FLAG_PRIVATE = 1 << 3


class Exit:
    """Base of every exit; ``reason`` is Linux's exit_reason."""
    reason = KVM_EXIT_UNKNOWN

    @property
    def reason_name(self):
        return EXIT_NAMES.get(self.reason, str(self.reason))


@dataclass
class UnknownExit(Exit):
    hardware_exit_reason: int = 0
    reason = KVM_EXIT_UNKNOWN


@dataclass
class MmioExit(Exit):
    """KVM_EXIT_MMIO: a guest load or store to guest-physical memory no slot backs (or a store
    to a read-only slot). For a load, the VMM puts the value in ``data`` (little-endian,
    ``len`` bytes) before the next run."""
    phys_addr: int
    data: bytearray
    len: int
    is_write: bool
    reason = KVM_EXIT_MMIO

    def __post_init__(self):
        if not isinstance(self.data, bytearray):
            self.data = bytearray(self.data)
        if len(self.data) < 8:
            self.data.extend(bytes(8 - len(self.data)))

    @property
    def value(self):
        return int.from_bytes(self.data[:self.len], "little")

    @value.setter
    def value(self, v):
        self.data[:self.len] = (v & ((1 << (8 * self.len)) - 1)).to_bytes(self.len, "little")


@dataclass
class RiscvSbiExit(Exit):
    """KVM_EXIT_RISCV_SBI: an SBI call forwarded to userspace (DBCN, legacy console, SUSP,
    MPXY, experimental/vendor). ``ret`` starts as [SBI_ERR_NOT_SUPPORTED, 0]; the VMM writes
    its answer there and the next run puts it in a0/a1 and steps past the ecall."""
    extension_id: int
    function_id: int
    args: list
    ret: list = field(default_factory=lambda: [-2 & ((1 << 64) - 1), 0])
    reason = KVM_EXIT_RISCV_SBI


@dataclass
class SystemEventExit(Exit):
    """KVM_EXIT_SYSTEM_EVENT: SRST (or legacy shutdown); ``type`` is KVM_SYSTEM_EVENT_SHUTDOWN or
    _RESET, ``data[0]`` the SRST reason."""
    type: int
    ndata: int = 0
    data: list = field(default_factory=list)
    reason = KVM_EXIT_SYSTEM_EVENT


@dataclass
class RiscvCsrExit(Exit):
    """KVM_EXIT_RISCV_CSR: a guest CSR access KVM does not emulate. The VMM sets ``ret_value``
    (the old value the instruction returns in rd)."""
    csr_num: int
    new_value: int
    write_mask: int
    ret_value: int = 0
    reason = KVM_EXIT_RISCV_CSR


@dataclass
class IntrExit(Exit):
    """KVM_EXIT_INTR: the run was interrupted (a signal on Linux; here the budget, an
    immediate_exit request or Vm/VCpu.kick())."""
    reason = KVM_EXIT_INTR


@dataclass
class DebugExit(Exit):
    """KVM_EXIT_DEBUG: a guest ebreak while guest debugging is on. RISC-V's
    kvm_debug_exit_arch is empty; ``pc`` (the ebreak's address, also CORE regs.pc) is an
    rvemu convenience."""
    pc: int = 0
    reason = KVM_EXIT_DEBUG


@dataclass
class FailEntryExit(Exit):
    hardware_entry_failure_reason: int = 0
    cpu: int = 0
    reason = KVM_EXIT_FAIL_ENTRY


@dataclass
class InternalErrorExit(Exit):
    suberror: int = KVM_INTERNAL_ERROR_EMULATION
    data: list = field(default_factory=list)
    reason = KVM_EXIT_INTERNAL_ERROR

    @property
    def ndata(self):
        return len(self.data)


@dataclass
class MemoryFaultExit(Exit):
    flags: int = 0
    gpa: int = 0
    size: int = 0
    reason = KVM_EXIT_MEMORY_FAULT
