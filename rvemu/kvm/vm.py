"""``Vm``: a virtual machine (Linux's ``struct kvm`` and the VM ioctls): guest memory slots
(KVM_SET_USER_MEMORY_REGION with Linux's validation and errnos), vCPUs, VM capabilities
(KVM_ENABLE_CAP), the VM-wide time offset, and guest-physical memory access for the
hypervisor's own use (SBI shared memory, PMU snapshots).
"""
import errno
from dataclasses import dataclass

import numpy as np

from rvemu.kvm import isa_ext
from rvemu.kvm import uapi as U
from rvemu.kvm.errors import KvmError
from rvemu.kvm.vcpu import VCpu

MASK64 = (1 << 64) - 1
KVM_MEM_MAX_NR_PAGES = (1 << 31) - 1


@dataclass
class MemSlot:
    """One memory slot: ``npages`` pages of ``memory`` (a NumPy uint8 view of the caller's
    buffer, shared, not copied) at guest-physical ``guest_phys_addr``."""
    slot: int
    flags: int
    guest_phys_addr: int
    memory_size: int
    memory: np.ndarray
    buffer: object           # the object the caller passed (its identity is the "userspace_addr")

    @property
    def readonly(self):
        return bool(self.flags & U.KVM_MEM_READONLY)

    @property
    def end(self):
        return self.guest_phys_addr + self.memory_size

    def __repr__(self):
        return (f"MemSlot({self.slot}, [{self.guest_phys_addr:#x}, {self.end:#x}), "
                f"flags={self.flags:#x})")


def _as_bytes_view(buf):
    """A writable flat uint8 view of ``buf`` (NumPy array, bytearray, memoryview ...), or None."""
    try:
        if isinstance(buf, np.ndarray):
            if not buf.flags.c_contiguous or not buf.flags.writeable:
                return None
            return buf.reshape(-1).view(np.uint8)
        mv = memoryview(buf)
        if mv.readonly or not mv.contiguous:
            return None
        return np.frombuffer(mv.cast("B"), dtype=np.uint8)
    except (TypeError, ValueError):
        return None


class _Counter:
    """The default time source: a tick counter tests advance with Vm.advance_time()."""

    def __init__(self):
        self.now = 0

    def __call__(self):
        return self.now


class Vm:
    """A VM. Create with ``Kvm.create_vm()``."""

    def __init__(self, kvm, time=None):
        self.kvm = kvm
        self.host = kvm.host
        self.slots = {}
        self.vcpus = []
        self.isa_policy = isa_ext.LinuxPolicy(self.host)
        self.mp_state_reset = False
        self._counter = _Counter() if time is None else None
        self.host_time = self._counter if time is None else time
        # kvm_riscv_guest_timer_init: time_delta = -get_cycles64(), so guest time starts at 0
        self.time_delta = (-int(self.host_time())) & MASK64

    # ---- capabilities ----------------------------------------------------------------------
    def check_extension(self, cap):
        """KVM_CHECK_EXTENSION on the VM."""
        return self.kvm.check_extension(cap)

    def enable_cap(self, cap, flags=0, args=(0, 0, 0, 0)):
        """KVM_ENABLE_CAP: KVM_CAP_RISCV_MP_STATE_RESET, KVM_CAP_RVEMU_ISA_EXT_POLICY
        (args[0]: RVEMU_ISA_EXT_POLICY_LINUX or _CONFIGURABLE) and KVM_CAP_RVEMU_ISA_EXT_ALLOWED
        (args[0..3]: a bitmap of KVM_RISCV_ISA_EXT ids; needs the configurable policy). The
        ISA capabilities must come before the first vCPU (EBUSY after)."""
        args = list(args) + [0] * (4 - len(args))
        if flags:
            raise KvmError(errno.EINVAL, f"KVM_ENABLE_CAP flags must be 0, not {flags:#x}")
        if cap == U.KVM_CAP_RISCV_MP_STATE_RESET:
            self.mp_state_reset = True
            return
        if cap == U.KVM_CAP_RVEMU_VECTOR_LENGTH:
            if not self.host.vlenb:
                raise KvmError(errno.EINVAL, "the host has no vector unit to negotiate a length of")
            self.vector_length_negotiation = True
            return
        if cap == U.KVM_CAP_RVEMU_ISA_EXT_POLICY:
            if self.vcpus:
                raise KvmError(errno.EBUSY, "the ISA-extension policy is chosen before the first vCPU is created")
            self.isa_policy = isa_ext.make_policy(args[0], self.host)
            return
        if cap == U.KVM_CAP_RVEMU_ISA_EXT_ALLOWED:
            if self.vcpus:
                raise KvmError(errno.EBUSY, "the allowed ISA set is chosen before the first vCPU is created")
            if not isinstance(self.isa_policy, isa_ext.ConfigurablePolicy):
                raise KvmError(errno.EINVAL, "an allowed ISA set needs the configurable policy "
                               "(KVM_CAP_RVEMU_ISA_EXT_POLICY = RVEMU_ISA_EXT_POLICY_CONFIGURABLE) first")
            bitmap = 0
            for k, a in enumerate(args[:4]):
                bitmap |= (a & MASK64) << (64 * k)
            if bitmap >> isa_ext.MAX:
                raise KvmError(errno.EINVAL, f"allowed set names ISA_EXT ids beyond "
                               f"KVM_RISCV_ISA_EXT_MAX ({isa_ext.MAX})")
            allowed = {isa_ext.NAMES[i] for i in range(isa_ext.MAX) if bitmap >> i & 1}
            self.isa_policy = isa_ext.ConfigurablePolicy(self.host, allowed)
            return
        raise KvmError(errno.EINVAL, f"capability {cap} cannot be enabled on a VM")

    def set_isa_policy(self, policy, allowed=None):
        """Python spelling of the two ISA capabilities: ``policy`` 'linux' or 'configurable';
        ``allowed`` an iterable of extension names (KVM's, any case) for the configurable one."""
        kind = {"linux": U.RVEMU_ISA_EXT_POLICY_LINUX,
                "configurable": U.RVEMU_ISA_EXT_POLICY_CONFIGURABLE}.get(policy, policy)
        self.enable_cap(U.KVM_CAP_RVEMU_ISA_EXT_POLICY, args=[kind])
        if allowed is not None:
            bitmap = 0
            for name in allowed:
                i = isa_ext.ID_OF.get(str(name).lower())
                if i is None:
                    raise KvmError(errno.EINVAL, f"{name!r} is not a KVM ISA extension name")
                bitmap |= 1 << i
            self.enable_cap(U.KVM_CAP_RVEMU_ISA_EXT_ALLOWED,
                            args=[(bitmap >> (64 * k)) & MASK64 for k in range(4)])

    # ---- memory slots ----------------------------------------------------------------------
    def set_user_memory_region(self, slot, flags, guest_phys_addr, memory_size, userspace_addr=None):
        """KVM_SET_USER_MEMORY_REGION. ``userspace_addr`` is the host memory: a writable,
        contiguous buffer (NumPy array, bytearray ...) of at least ``memory_size`` bytes,
        shared with the guest (not copied). ``memory_size`` 0 deletes the slot. Linux's
        checks and errnos: bad flags, unaligned address/size, slot id out of range, address
        overflow, a buffer too small -> EINVAL; overlap with another slot -> EEXIST; a
        guest-physical range beyond the G-stage's reach -> EFAULT; a change of an existing
        slot other than its address or its dirty-logging flag -> EINVAL."""
        for name, v, bits in (("slot", slot, 32), ("flags", flags, 32),
                              ("guest_phys_addr", guest_phys_addr, 64), ("memory_size", memory_size, 64)):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < (1 << bits):
                raise KvmError(errno.EINVAL, f"{name} must be a {bits}-bit unsigned int, not {v!r}")
        if flags & ~(U.KVM_MEM_LOG_DIRTY_PAGES | U.KVM_MEM_READONLY):
            raise KvmError(errno.EINVAL, f"memory region flags {flags:#x}: only KVM_MEM_LOG_DIRTY_PAGES "
                           "and KVM_MEM_READONLY are valid here")
        if memory_size & (U.PAGE_SIZE - 1):
            raise KvmError(errno.EINVAL, f"memory_size {memory_size:#x} is not a multiple of the "
                           f"{U.PAGE_SIZE}-byte page")
        if guest_phys_addr & (U.PAGE_SIZE - 1):
            raise KvmError(errno.EINVAL, f"guest_phys_addr {guest_phys_addr:#x} is not page aligned")
        view = None
        if memory_size:
            view = _as_bytes_view(userspace_addr) if userspace_addr is not None else None
            if view is None or view.size < memory_size:
                got = "none" if userspace_addr is None else (
                    f"{view.size} bytes" if view is not None else "not a writable contiguous buffer")
                raise KvmError(errno.EINVAL, f"userspace_addr must be a writable buffer of at least "
                               f"{memory_size} bytes (got {got})")
        as_id, sid = slot >> 16, slot & 0xFFFF
        if as_id != 0 or sid >= U.KVM_USER_MEM_SLOTS:
            raise KvmError(errno.EINVAL, f"slot {slot:#x}: address space {as_id} / id {sid} out of "
                           f"range (one address space, ids below {U.KVM_USER_MEM_SLOTS})")
        if guest_phys_addr + memory_size > MASK64 + 1:
            raise KvmError(errno.EINVAL, "guest_phys_addr + memory_size overflows")
        if memory_size >> U.PAGE_SHIFT > KVM_MEM_MAX_NR_PAGES:
            raise KvmError(errno.EINVAL, "memory_size is more pages than a slot can hold")
        old = self.slots.get(sid)
        if not memory_size:
            if old is None:
                raise KvmError(errno.EINVAL, f"slot {sid} does not exist, so it cannot be deleted")
            del self.slots[sid]
            return
        if old is not None:
            if (userspace_addr is not old.buffer or memory_size != old.memory_size
                    or (flags ^ old.flags) & U.KVM_MEM_READONLY):
                raise KvmError(errno.EINVAL, f"slot {sid} exists: only its guest address or its "
                               "dirty-logging flag can change (delete it first to change more)")
            if guest_phys_addr == old.guest_phys_addr and flags == old.flags:
                return
        if old is None or guest_phys_addr != old.guest_phys_addr:
            end = guest_phys_addr + memory_size
            for s in self.slots.values():
                if s.slot != sid and guest_phys_addr < s.end and s.guest_phys_addr < end:
                    raise KvmError(errno.EEXIST, f"[{guest_phys_addr:#x}, {end:#x}) overlaps {s}")
        if guest_phys_addr + memory_size > (1 << self.kvm.gpa_bits) - U.PAGE_SIZE:
            raise KvmError(errno.EFAULT, f"the region ends beyond the {self.kvm.gpa_bits}-bit "
                           "guest-physical space of the G-stage")
        self.slots[sid] = MemSlot(sid, flags, guest_phys_addr, memory_size,
                                  view[:memory_size], userspace_addr)

    def alloc_memory(self, size):
        """Host memory for a memory slot that the guest shares without copies (the model's
        mmap of anonymous memory): a NumPy uint8 array inside the host hart's RAM."""
        from rvemu.kvm.run import alloc_memory
        return alloc_memory(self, size)

    def slot_for(self, gpa):
        for s in self.slots.values():
            if s.guest_phys_addr <= gpa < s.end:
                return s
        return None

    def gpa_mapped(self, gpa):
        return self.slot_for(gpa) is not None

    def read_guest(self, gpa, size):
        """kvm_read_guest: ``size`` bytes of guest-physical memory (may span slots);
        KvmError(EFAULT) where no slot backs it."""
        out = bytearray()
        while size > 0:
            s = self.slot_for(gpa)
            if s is None:
                raise KvmError(errno.EFAULT, f"guest-physical address {gpa:#x} is not in any memory slot")
            off = gpa - s.guest_phys_addr
            n = min(size, s.memory_size - off)
            out += s.memory[off:off + n].tobytes()
            gpa, size = gpa + n, size - n
        return bytes(out)

    def write_guest(self, gpa, data):
        """kvm_write_guest; KvmError(EFAULT) where no writable slot backs it (nothing is
        written then)."""
        data = bytes(data)
        pieces = []
        a, rest = gpa, len(data)
        while rest > 0:
            s = self.slot_for(a)
            if s is None or s.readonly:
                raise KvmError(errno.EFAULT, f"guest-physical address {a:#x} is not in a writable memory slot")
            off = a - s.guest_phys_addr
            n = min(rest, s.memory_size - off)
            pieces.append((s, off, a - gpa, n))
            a, rest = a + n, rest - n
        for s, off, doff, n in pieces:
            s.memory[off:off + n] = np.frombuffer(data, dtype=np.uint8, count=n, offset=doff)

    # ---- vCPUs -----------------------------------------------------------------------------
    def create_vcpu(self, vcpu_id):
        """KVM_CREATE_VCPU: id below KVM_MAX_VCPU_IDS (EINVAL), at most KVM_MAX_VCPUS vCPUs
        (EINVAL), unique (EEXIST). vCPU 0 of the VM starts runnable, the others stopped until
        an HSM start, as Linux does."""
        if isinstance(vcpu_id, bool) or not isinstance(vcpu_id, int) or not 0 <= vcpu_id < U.KVM_MAX_VCPU_IDS:
            raise KvmError(errno.EINVAL, f"vCPU id must be 0..{U.KVM_MAX_VCPU_IDS - 1}, not {vcpu_id!r}")
        if len(self.vcpus) >= U.KVM_MAX_VCPUS:
            raise KvmError(errno.EINVAL, f"a VM has at most {U.KVM_MAX_VCPUS} vCPUs")
        if self.vcpu_by_id(vcpu_id) is not None:
            raise KvmError(errno.EEXIST, f"vCPU {vcpu_id} already exists")
        v = VCpu(self, vcpu_id, len(self.vcpus))
        self.vcpus.append(v)
        return v

    def vcpu_by_id(self, vcpu_id):
        for v in self.vcpus:
            if v.vcpu_id == vcpu_id:
                return v
        return None

    # ---- time ------------------------------------------------------------------------------
    def set_time_delta(self, delta):
        """The VM-wide offset of guest time from host time (TIMER 'time' writes it); every
        vCPU's htimedelta follows."""
        self.time_delta = delta & MASK64
        for v in self.vcpus:
            v.ctx.htimedelta = self.time_delta

    def advance_time(self, ticks):
        """Advance the default time source (only when the VM was not given time=...)."""
        if self._counter is None:
            raise KvmError(errno.EINVAL, "this VM's time comes from the callable it was given")
        self._counter.now = (self._counter.now + ticks) & MASK64

    def __repr__(self):
        return f"Vm(vcpus={len(self.vcpus)}, slots={len(self.slots)}, policy={self.isa_policy.name})"
