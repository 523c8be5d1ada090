"""KVM_RUN for the model: enter the guest through the hart's world switch
(rvemu/_core/worldswitch.pxi) and handle every trap into HS as Linux's
kvm_riscv_vcpu_exit does (arch/riscv/kvm/vcpu_exit.c; ../shared/reference/
kvm-riscv-facts.md sections 10-12). Only what a user-space VMM must see comes back as an
exit; the rest (SBI served in the "kernel", trap redirection, WFI) loops here.

The physical host is one hart with H (a rvemu Machine kept in HS-mode) shared by every
vCPU of every VM of a Kvm. Its RAM holds the NACL shared memory, the VMs' G-stage tables
and guest memory: ``Vm.alloc_memory(size)`` hands out host RAM that a memory slot maps
with no copy (as mmap'ed memory on Linux). A slot backed by any other buffer is copied in
before each entry and out after each exit: correct, but slow for large memory.
"""
import errno

import numpy as np

from rvemu._core.hart import (EXIT_REASONS, GUEST_EXIT_BUDGET, GUEST_EXIT_TRAP,
                              HSTATUS_DIRECT, HSTATUS_NACL_AUTOSWAP, HSTATUS_NACL_SYNC_CSR,
                              GuestBank, WorldSwitch)
from rvemu.isa.extensions import EXT_BIT
from rvemu.kvm import exits
from rvemu.kvm import uapi as U
from rvemu.kvm.errors import KvmError
from rvemu.kvm.gstage import GStage, GStageError
from rvemu.kvm.mmio_decode import decode_mmio
from rvemu.kvm.simd import SimdUnit, guest_simd, simd_needs

MASK64 = (1 << 64) - 1
_EXIT_EBREAK = {name: code for code, name in EXIT_REASONS.items()}["ebreak"]
RAM_BASE = 0x8000_0000
NACL_SHMEM = RAM_BASE                 # 12 KiB at the start of host RAM
POOLS_BASE = RAM_BASE + 0x10000       # G-stage table pools are carved from here up
DEFAULT_QUANTUM = 1_000_000           # guest instructions before the host takes over

STRATEGIES = {"direct": HSTATUS_DIRECT, "nacl_sync_csr": HSTATUS_NACL_SYNC_CSR,
              "nacl_autoswap": HSTATUS_NACL_AUTOSWAP}

# exception causes (privileged spec)
INST_ACCESS, ILLEGAL, BREAKPOINT = 1, 2, 3
LOAD_MISALIGNED, LOAD_ACCESS, STORE_MISALIGNED, STORE_ACCESS = 4, 5, 6, 7
VS_ECALL = 10
INST_GUEST_PF, LOAD_GUEST_PF, VIRTUAL_INST, STORE_GUEST_PF = 20, 21, 22, 23
HSTATUS_SPV = 1 << 7
IRQ_VS_TIMER = 6
ENVCFG_STCE = 1 << 63
WFI = 0x10500073
WRS_NTO = 0x00d00073

# scause -> (SBI PMU firmware event, vcpu.stat counter) for the redirected faults
_REDIRECT_COUNTS = {
    LOAD_MISALIGNED: ("MISALIGNED_LOAD", "load_misaligned_exits"),
    STORE_MISALIGNED: ("MISALIGNED_STORE", "store_misaligned_exits"),
    LOAD_ACCESS: ("ACCESS_LOAD", "load_access_exits"),
    STORE_ACCESS: ("ACCESS_STORE", "store_access_exits"),
    ILLEGAL: ("ILLEGAL_INSN", "instr_illegal_exits"),
}


def isa_string(names):
    singles = "".join(c for c in "imafdcsuvh" if c in names and c not in "su")
    multi = sorted(n for n in names if len(n) > 1)
    return "rv64" + singles + "".join("_" + n for n in multi)


def kvm_host_isa(isa):
    """The host ISA string for running guests of ISA isa under the KVM model: the same
    extensions plus H (what `rvemu run --kvm` and `rvemu batch --kvm` use)."""
    from rvemu.isa.isastring import parse_isa
    return isa_string(set(parse_isa(isa).names) | {"h"})


class Host:
    """The physical host of a Kvm: the hart (in HS-mode), its RAM, a bump allocator over
    that RAM, the world switch (HSTATUS strategy and counters)."""

    def __init__(self, kvm, ram="512M", strategy="direct"):
        from rvemu.machine.machine import Machine
        names = set(kvm.host.names)
        if "h" not in names:
            raise KvmError(errno.ENXIO, "the host hart has no H extension: no KVM")
        vlen = kvm.host.vlenb * 8 if kvm.host.vlenb else None
        self.machine = Machine(isa=isa_string(names), ram=ram, vlen=vlen)
        self.hart = self.machine.hart
        h = self.hart
        h.reset(RAM_BASE, 0, 0, 1)            # the hypervisor runs in HS-mode
        h.wfi_exit = True
        h.csr_write(0x3B0, (1 << 54) - 1)     # PMP: all of memory for S/U (firmware's job)
        h.csr_write(0x3A0, 0x1f)
        h.csr_write(0x302, MASK64)            # medeleg: everything S-mode may take, to HS
        h.csr_write(0x303, MASK64)            # mideleg
        h.csr_write(0x306, 0xffffffff)        # mcounteren: counters reach HS and guests
        h.csr_write(0x30A, (ENVCFG_STCE if "sstc" in names else 0)
                    | ((1 << 61) if "svadu" in names else 0))
        self._next = POOLS_BASE
        self._end = RAM_BASE + self.machine.ram_size
        self.ws = WorldSwitch(STRATEGIES[strategy] if isinstance(strategy, str) else strategy,
                              NACL_SHMEM)
        self.vmids = 0
        self.simd = SimdUnit(h)        # who owns the FP and vector registers

    def set_strategy(self, strategy):
        """Choose the HSTATUS strategy of the world switch: 'direct', 'nacl_sync_csr' or
        'nacl_autoswap' (seed 002); the counters start again."""
        if strategy not in STRATEGIES:
            raise KvmError(errno.EINVAL, f"HSTATUS strategy must be one of {sorted(STRATEGIES)}")
        self.ws = WorldSwitch(STRATEGIES[strategy], NACL_SHMEM)

    def alloc(self, size, align=0x1000):
        base = (self._next + align - 1) & ~(align - 1)
        if base + size > self._end:
            raise KvmError(errno.ENOMEM, f"host RAM exhausted allocating {size:#x} bytes; give "
                           "Kvm a larger host_ram")
        self._next = base + size
        return base

    def view(self, hpa, size):
        off = hpa - RAM_BASE
        return self.machine.ram[off:off + size]

    def hpa_of(self, array):
        """The host physical address of a NumPy array inside host RAM, or None."""
        ram = self.machine.ram
        if not np.shares_memory(array, ram):
            return None
        off = array.__array_interface__["data"][0] - ram.__array_interface__["data"][0]
        if off < 0 or off + array.nbytes > ram.nbytes:
            return None
        return RAM_BASE + off


def host_of(kvm):
    h = getattr(kvm, "_rvemu_host", None)
    if h is None:
        h = Host(kvm, ram=getattr(kvm, "host_ram", "512M"))
        kvm._rvemu_host = h
    return h


# ---- per-VM state: memory and G-stage ------------------------------------------------------
class VmBacking:
    """A VM's G-stage tables and the host memory behind its slots."""

    def __init__(self, vm, host):
        self.vm = vm
        self.host = host
        host.vmids += 1
        self.vmid = host.vmids & 0x3fff
        self.signature = None
        self.gstage = None
        self.bounces = []      # (slot, hpa) of slots copied in and out around each run

    def sync(self):
        sig = tuple(sorted((s.slot, s.guest_phys_addr, s.memory_size, s.flags, id(s.buffer))
                           for s in self.vm.slots.values()))
        if sig == self.signature:
            return
        pages = sum(s.memory_size for s in self.vm.slots.values()) // 4096
        pool = 0x4000 + 0x1000 * (pages // 512 + 8 * len(self.vm.slots) + 8)
        mode = {41: "sv39x4", 50: "sv48x4", 59: "sv57x4"}[self.vm.kvm.gpa_bits]
        self.gstage = GStage(self.host.machine, self.host.alloc(pool, 0x4000), pool, mode=mode,
                             vmid=self.vmid)
        self.bounces = []
        for s in self.vm.slots.values():
            hpa = self.host.hpa_of(s.memory)
            if hpa is None or hpa % 4096:
                hpa = self.host.alloc(s.memory_size)
                self.bounces.append((s, hpa))
            try:
                self.gstage.map(s.guest_phys_addr, hpa, s.memory_size, writable=not s.readonly)
            except GStageError as e:
                raise KvmError(errno.EFAULT, str(e)) from None
        self.signature = sig
        self.host.hart.flush_decode_cache()   # HFENCE.GVMA after the tables changed

    def copy_in(self):
        for s, hpa in self.bounces:
            self.host.view(hpa, s.memory_size)[:] = s.memory

    def copy_out(self):
        for s, hpa in self.bounces:
            if not s.readonly:
                s.memory[:] = self.host.view(hpa, s.memory_size)


def backing_of(vm):
    b = getattr(vm, "_rvemu_backing", None)
    if b is None:
        b = VmBacking(vm, host_of(vm.kvm))
        vm._rvemu_backing = b
        host = b.host
        if getattr(vm, "_counter", None) is not None:
            vm.host_time = lambda: host.hart.mtime   # guest time is the hart's time
            vm._counter = None
    return b


def alloc_memory(vm, size):
    """Host memory for a memory slot, shared with the guest without copies (the model's
    mmap): a NumPy uint8 array inside the host's RAM."""
    if size <= 0 or size % 4096:
        raise KvmError(errno.EINVAL, "size must be a positive multiple of 4 KiB")
    host = backing_of(vm).host
    return host.view(host.alloc(size), size)


# ---- the run loop ------------------------------------------------------------------------
def _ext_mask(ctx):
    m = 1 << EXT_BIT["h"]      # the hardware's H stays on: it is what traps to KVM
    for n in ctx.isa:
        if n in EXT_BIT:
            m |= 1 << EXT_BIT[n]
    return m


def _load_bank(bank, vcpu, backing):
    c = vcpu.ctx
    bank.x = c.x
    bank.pc, bank.mode = c.pc, c.mode
    bank.vsstatus, bank.vsie, bank.vstvec, bank.vsscratch = c.vsstatus, c.vsie, c.vstvec, c.vsscratch
    bank.vsepc, bank.vscause, bank.vstval, bank.vsatp = c.vsepc, c.vscause, c.vstval, c.vsatp
    bank.hvip, bank.htimedelta, bank.henvcfg = c.hvip, c.htimedelta, c.henvcfg
    bank.hedeleg, bank.hideleg, bank.hstatus = c.hedeleg, c.hideleg, c.hstatus
    bank.scounteren, bank.senvcfg = c.scounteren, c.senvcfg
    bank.hcounteren = 0x2          # Linux: "VS should access only the time counter directly.
                                   # Everything else should trap" (to the SBI PMU's emulation)
    bank.vstimecmp = c.vstimecmp if c.timer_state else MASK64
    bank.hgatp = backing.gstage.hgatp
    bank.ext = _ext_mask(c)


def _store_bank(bank, vcpu):
    c = vcpu.ctx
    c.x[0] = 0
    c.pc, c.mode = bank.pc, bank.mode
    c.vsstatus, c.vsie, c.vstvec, c.vsscratch = bank.vsstatus, bank.vsie, bank.vstvec, bank.vsscratch
    c.vsepc, c.vscause, c.vstval, c.vsatp = bank.vsepc, bank.vscause, bank.vstval, bank.vsatp
    c.hvip, c.hstatus = bank.hvip, bank.hstatus
    c.scounteren, c.senvcfg = bank.scounteren, bank.senvcfg


def _guest_read(vcpu, backing, va, size, fetch=False):
    """Read guest memory at a guest virtual address through vsatp and hgatp; None if the
    walk faults."""
    hart = backing.host.hart
    hpa = hart.guest_translate(va, vcpu.ctx.vsatp, backing.gstage.hgatp, vcpu.ctx.mode,
                               fetch=fetch)
    if hpa is None:
        return None
    if (hpa & 0xfff) + size > 4096:      # crosses a page: read the halves separately
        first = 4096 - (hpa & 0xfff)
        lo = _guest_read(vcpu, backing, va, first, fetch)
        hi = _guest_read(vcpu, backing, va + first, size - first, fetch)
        return None if lo is None or hi is None else lo + hi
    return bytes(backing.host.view(hpa, size))


def _read_insn(vcpu, backing, pc):
    lo = _guest_read(vcpu, backing, pc, 2, fetch=True)
    if lo is None:
        return None
    w = int.from_bytes(lo, "little")
    if w & 3 != 3:
        return w
    hi = _guest_read(vcpu, backing, pc + 2, 2, fetch=True)
    return None if hi is None else w | int.from_bytes(hi, "little") << 16


def _has_interrupts(vcpu, hart):
    """kvm_riscv_vcpu_has_interrupts: a VS interrupt pending and enabled in vsie."""
    c = vcpu.ctx
    pend = c.hvip
    if c.timer_state and hart.mtime + c.htimedelta >= c.vstimecmp:
        pend |= 1 << IRQ_VS_TIMER
    return bool(pend & (c.vsie << 1) & 0x444)


def _complete(vcpu):
    """Finish the exit the VMM saw last (mmio_return, sbi_return, csr_return)."""
    ex, vcpu.pending_exit = vcpu.pending_exit, None
    info, vcpu._rvemu_pending = getattr(vcpu, "_rvemu_pending", None), None
    if ex is None:
        return
    c = vcpu.ctx
    if ex.reason == exits.KVM_EXIT_RISCV_SBI:
        vcpu.sbi_return(ex)
    elif ex.reason == exits.KVM_EXIT_MMIO and info is not None:
        d = info
        if not d.is_write and d.reg:
            v = ex.value
            if d.signed and v >> (8 * d.size - 1):
                v -= 1 << (8 * d.size)
            c.set_xreg(d.reg, v & MASK64)
        c.pc = (c.pc + d.length) & MASK64
    elif ex.reason == exits.KVM_EXIT_RISCV_CSR and info is not None:
        rd, length = info
        if rd:
            c.set_xreg(rd, ex.ret_value & MASK64)
        c.pc = (c.pc + length) & MASK64


def _simd_policy(vm):
    return getattr(vm, "simd_policy", "eager"), getattr(vm, "host_uses_simd", True)


def run_vcpu(vcpu, max_insns=None, quantum=DEFAULT_QUANTUM, count_traps=False):
    """KVM_RUN: run vcpu until something a VMM must handle; returns the exit. max_insns
    bounds the guest instructions of this call (KVM_EXIT_INTR when reached); with
    count_traps (a debugger's single-step) a guest trap KVM serves itself (an SBI call,
    an emulated or redirected instruction) counts as one of them too. The FP and
    vector registers move as the VM's context policy says (rvemu/kvm/simd.py): vcpu_load
    on the way in, vcpu_put on the way out."""
    vm = vcpu.vm
    backing = backing_of(vm)
    unit = backing.host.simd
    _complete(vcpu)
    vcpu.mark_ran()
    if getattr(vcpu, "simd", None) is None:
        guest_simd(vcpu)
        vcpu._simd_sync = lambda: unit.vcpu_put(vcpu, "eager")
    policy, host_uses = _simd_policy(vm)
    unit.vcpu_load(vcpu, policy)
    try:
        return _run_loop(vcpu, backing, max_insns, quantum, policy, count_traps)
    finally:
        unit.vcpu_put(vcpu, policy, host_uses)


def _run_loop(vcpu, backing, max_insns, quantum, policy, count_traps=False):
    vm = vcpu.vm
    host = backing.host
    hart = host.hart
    unit = host.simd
    bank = getattr(vcpu, "_rvemu_bank", None)
    if bank is None:
        bank = vcpu._rvemu_bank = GuestBank()
    budget = MASK64 if max_insns is None else max_insns
    while True:
        if vcpu.mp_state != U.KVM_MP_STATE_RUNNABLE:
            return exits.IntrExit()     # stopped (HSM, SRST): nothing to run
        for kind, _ in vcpu.process_requests():
            hart.flush_decode_cache()   # remote FENCE.I / HFENCE.VVMA: flush everything
        if vcpu.waiting:
            if not _has_interrupts(vcpu, hart):
                c = vcpu.ctx
                now = hart.mtime + c.htimedelta
                busy = any(o is not vcpu and o.mp_state == U.KVM_MP_STATE_RUNNABLE
                           and not o.waiting for o in vm.vcpus)
                if c.timer_state and c.vstimecmp != MASK64 and c.vstimecmp > now and not busy:
                    ticks = c.vstimecmp - now
                    before = hart.mtime
                    hart.advance_time(ticks)   # idle: skip to the timer
                    if hart.mtime != before + ticks:
                        # a deadline beyond what the host's time can count (it would
                        # wrap, and time go backwards): it never comes. Undo (modulo 2^64)
                        hart.advance_time((1 << 64) - ticks)
                        return exits.IntrExit()
                else:                         # nothing will wake it but the VMM, or
                    return exits.IntrExit()   # another vCPU needs the hart (time goes on)
            vcpu.waiting = False
        if budget == 0:
            return exits.IntrExit()
        backing.sync()
        c = vcpu.ctx
        if c.timer_state and not (c.henvcfg & ENVCFG_STCE):
            # no Sstc in the guest: KVM's timer injects VSTIP when the deadline passes
            if hart.mtime + c.htimedelta >= c.vstimecmp:
                c.hvip |= 1 << IRQ_VS_TIMER
        _load_bank(bank, vcpu, backing)
        bank.fs, bank.vs = unit.entry_status(vcpu)
        bank.vlenb = c.vlenb if c.vreg is not None else 0
        if policy == "lazy":
            bank.hedeleg &= ~(1 << ILLEGAL)   # first uses trap as illegal: keep them
        backing.copy_in()
        n = min(budget, quantum)
        r = hart.enter_guest(bank, host.ws, n)
        backing.copy_out()
        _store_bank(bank, vcpu)
        unit.exit_status(vcpu, bank.fs, bank.vs)
        budget -= min(budget, bank.exit_insns)
        vcpu.hw_counts[1] = vcpu.hw_counts.get(1, 0) + bank.exit_insns
        vcpu.hw_counts[2] = vcpu.hw_counts.get(2, 0) + bank.exit_insns
        poll = getattr(vcpu.pmu, "poll_overflow", None)
        if poll is not None:
            poll()                      # HW counters that wrapped raise LCOFI (IRQ 13)
        vcpu.stat["exits"] += 1
        if bank.exit_kind == GUEST_EXIT_BUDGET:
            if budget == 0:
                return exits.IntrExit()
            continue                    # the quantum ended: take requests, enter again
        if bank.exit_kind != GUEST_EXIT_TRAP:
            if r == _EXIT_EBREAK:         # a debugger's breakpoint (Hart.set_breakpoints)
                return exits.DebugExit(pc=c.pc)
            return exits.InternalErrorExit(data=[bank.exit_kind])
        if bank.exit_scause == ILLEGAL and policy == "lazy" and _first_use(vcpu, backing, bank):
            continue                    # the registers are the guest's now: re-execute
        redirects = vcpu.trap_redirects
        ex = _handle_trap(vcpu, backing, bank)
        if ex is not None:
            vcpu.pending_exit = ex
            return ex
        if (count_traps and not bank.exit_scause >> 63) or vcpu.trap_redirects != redirects:
            # the trapping instruction was this step (a debugger's step); and an exception
            # KVM delivers to the guest counts against the budget as one the hart delivers
            # itself does (run_loop), so a guest whose handler only traps still stops
            budget -= min(budget, 1)
            if budget == 0:
                return exits.IntrExit()


def _first_use(vcpu, backing, bank):
    """Lazy policy: is this illegal instruction a first FP/vector use? Then hand over the
    registers (rvemu/kvm/simd.py) and say so."""
    insn = bank.exit_stval
    if insn == 0:
        insn = _read_insn(vcpu, backing, vcpu.ctx.pc) or 0
    need_fp, need_v = simd_needs(insn)
    if not (need_fp or need_v):
        return False
    return backing.host.simd.first_use(vcpu, need_fp, need_v)


def _handle_trap(vcpu, backing, bank):
    """kvm_riscv_vcpu_exit for one trap: None to enter again, or the exit for userspace."""
    c = vcpu.ctx
    cause = bank.exit_scause
    if cause >> 63:
        return None                     # a host interrupt: enter again
    spv = bool(bank.exit_hstatus & HSTATUS_SPV)
    if cause in _REDIRECT_COUNTS and spv:
        event, stat = _REDIRECT_COUNTS[cause]
        vcpu.count_fw_event(event)
        vcpu.stat[stat] += 1
        vcpu.redirect_trap(cause, bank.exit_stval, bank.exit_sepc)
        return None
    if cause == INST_ACCESS and spv:
        vcpu.redirect_trap(cause, bank.exit_stval, bank.exit_sepc)
        return None
    if cause == VS_ECALL and spv:
        return vcpu.sbi_ecall()
    if cause in (INST_GUEST_PF, LOAD_GUEST_PF, STORE_GUEST_PF) and spv:
        return _gstage_fault(vcpu, backing, bank)
    if cause == VIRTUAL_INST and spv:
        return _virtual_insn(vcpu, backing, bank)
    if cause == BREAKPOINT:
        return exits.DebugExit(pc=c.pc)
    raise KvmError(errno.EFAULT, f"unexpected trap into HS: scause {cause:#x}, stval "
                   f"{bank.exit_stval:#x}, sepc {bank.exit_sepc:#x}")


def _gstage_fault(vcpu, backing, bank):
    c = vcpu.ctx
    gpa = (bank.exit_htval << 2) | (bank.exit_stval & 3)
    slot = vcpu.vm.slot_for(gpa)
    store = bank.exit_scause == STORE_GUEST_PF
    if slot is not None and not (store and slot.readonly):
        raise KvmError(errno.EFAULT, f"G-stage fault at mapped GPA {gpa:#x}")
    if bank.exit_scause == INST_GUEST_PF:
        raise KvmError(errno.EOPNOTSUPP, f"instruction fetch from unbacked GPA {gpa:#x}")
    if bank.exit_htinst & 1:            # a transformed instruction
        insn = bank.exit_htinst | 3 if bank.exit_htinst & 2 else bank.exit_htinst & 0xffff
    else:
        insn = _read_insn(vcpu, backing, c.pc)
        if insn is None:                # reading it faulted: the guest sees that fault
            vcpu.redirect_trap(12, c.pc, c.pc)
            return None
    d = decode_mmio(insn)
    if d is None or d.is_write != store:
        raise KvmError(errno.EOPNOTSUPP, f"MMIO at {gpa:#x} by an instruction KVM does not "
                       f"emulate ({insn:#x})")
    data = (c.xreg(d.reg) & ((1 << (8 * d.size)) - 1)).to_bytes(d.size, "little") \
        if d.is_write else bytes(d.size)
    vcpu.stat["mmio_exit_user"] += 1
    vcpu._rvemu_pending = d
    return exits.MmioExit(phys_addr=gpa, data=bytearray(data), len=d.size, is_write=d.is_write)


def _virtual_insn(vcpu, backing, bank):
    c = vcpu.ctx
    insn = bank.exit_stval
    if insn == 0 or insn & 3 != 3:
        insn = _read_insn(vcpu, backing, c.pc) or 0
    if insn & 3 != 3:
        vcpu.redirect_trap(ILLEGAL, insn, c.pc)
        return None
    if insn == WFI:
        vcpu.stat["wfi_exit_stat"] += 1
        c.pc = (c.pc + 4) & MASK64
        vcpu.waiting = True
        return None
    if insn == WRS_NTO:
        vcpu.stat["wrs_exit_stat"] += 1
        c.pc = (c.pc + 4) & MASK64
        return None
    f3 = (insn >> 12) & 7
    if insn & 0x7f == 0x73 and f3 not in (0, 4):
        csr = insn >> 20
        rd, rs1 = (insn >> 7) & 31, (insn >> 15) & 31
        src = rs1 if f3 >= 5 else c.xreg(rs1)
        op = f3 & 3
        if op == 1:
            new, mask = src, MASK64
        elif op == 2:
            new, mask = MASK64, src
        else:
            new, mask = 0, src
        if 0xC00 <= csr <= 0xC1F:       # counters: the SBI PMU's (in-kernel)
            val = vcpu.pmu.read_hpm_csr(csr, mask if op != 2 or rs1 else 0)
            if val is None:
                vcpu.redirect_trap(ILLEGAL, insn, c.pc)
                return None
            if rd:
                c.set_xreg(rd, val & MASK64)
            c.pc = (c.pc + 4) & MASK64
            vcpu.stat["csr_exit_kernel"] += 1
            return None
        vcpu.stat["csr_exit_user"] += 1
        vcpu._rvemu_pending = (rd, 4)
        return exits.RiscvCsrExit(csr_num=csr, new_value=new & MASK64, write_mask=mask & MASK64)
    vcpu.redirect_trap(ILLEGAL, insn, c.pc)
    return None
