"""``VCpu``: one virtual hart of a Vm, with Linux's ONE_REG interface (vcpu_onereg.c,
vcpu_fp.c, vcpu_vector.c, vcpu_timer.c, vcpu_sbi.c) over a ``VcpuContext``.

Values are Python ints for registers up to 8 bytes and ``bytes`` for vector registers (which
are ``vlenb`` bytes); a write also accepts little-endian ``bytes`` of the register's size.
Every failing call raises KvmError with Linux's errno and changes nothing.
"""
import errno

import numpy as np

from rvemu.kvm import isa_ext
from rvemu.kvm import sbi as sbimod
from rvemu.kvm import uapi as U
from rvemu.kvm.context import AIA_FIELDS, CSR_FIELDS, VcpuContext
from rvemu.kvm.errors import KvmError
from rvemu.kvm.pmu import VcpuPmu
from rvemu.kvm.sbi_state import Fwft, Sta

MASK64 = (1 << 64) - 1
_ONE_REG_FIELD_MASK = ~(U.KVM_REG_ARCH_MASK | U.KVM_REG_SIZE_MASK | U.KVM_REG_RISCV_TYPE_MASK) & MASK64
IRQ_VS_SOFT, IRQ_VS_TIMER, IRQ_VS_EXT, IRQ_PMU_OVF = 2, 6, 10, 13
VSIP_VALID_MASK = 0x222
IRQ_LOCAL_MASK = 0x3FFF
# henvcfg / hstateen0 bits computed at the first run (vcpu_config.c)
ENVCFG_PBMTE, ENVCFG_STCE, ENVCFG_ADUE = 1 << 62, 1 << 63, 1 << 61
ENVCFG_CBIE, ENVCFG_CBCFE, ENVCFG_CBZE = 0b11 << 4, 1 << 6, 1 << 7
SMSTATEEN0_HSENVCFG, SMSTATEEN0_SSTATEEN0 = 1 << 62, 1 << 63
SMSTATEEN0_AIA_IMSIC, SMSTATEEN0_AIA, SMSTATEEN0_AIA_ISEL = 1 << 58, 1 << 59, 1 << 60


def _err(code, msg):
    return KvmError(code, msg)


class VCpu:
    """A vCPU. Created by ``Vm.create_vcpu(id)``; ``ctx`` is its register storage."""

    def __init__(self, vm, vcpu_id, vcpu_idx):
        self.vm = vm
        self.kvm = vm.kvm
        self.vcpu_id = vcpu_id
        self.vcpu_idx = vcpu_idx
        host = vm.host
        self.ctx = VcpuContext(vlenb=host.vlenb)
        self.ran_atleast_once = False
        self.mvendorid = self.kvm.mvendorid
        self.marchid = self.kvm.marchid
        self.mimpid = self.kvm.mimpid
        self.requests = []           # remote fences waiting for this vCPU's next run
        self.reset_state = (0, 0)    # (pc, a1) for an SBI-requested reset
        self.waiting = False         # in WFI / HSM retentive suspend
        self.trap_redirects = 0      # exceptions KVM delivered to the guest's handler
        self.guest_virt_read = None  # optional: callable(vaddr, size) -> (value, trap or None)
        self.hw_counts = {1: 0, 2: 0}   # guest cycles / instret, kept by the run loop
        self.read_hw_counter = lambda code: self.hw_counts.get(code, 0)
        self.csr_dirty = False       # a ONE_REG CSR write since the last entry
        self.pending_exit = None     # the last exit returned to userspace (completed next run)
        self.stat = {k: 0 for k in ("ecall_exit_stat", "wfi_exit_stat", "wrs_exit_stat",
                                    "mmio_exit_user", "mmio_exit_kernel", "csr_exit_user",
                                    "csr_exit_kernel", "signal_exits", "exits",
                                    "instr_illegal_exits", "load_misaligned_exits",
                                    "store_misaligned_exits", "load_access_exits",
                                    "store_access_exits")}
        self.mp_state = U.KVM_MP_STATE_RUNNABLE if vcpu_idx == 0 else U.KVM_MP_STATE_STOPPED
        self._set_isa(host.full_isa(vm.isa_policy.default_enabled()))
        self.pmu = VcpuPmu(self, available=self.kvm.pmu)
        self.sta = Sta(self)
        self.fwft = Fwft(self)
        self.sbi_status = sbimod.initial_status(self)
        self.reset()

    # ---- state ---------------------------------------------------------------------------
    def _set_isa(self, names):
        """Install a new ISA set (the policies call this after validating)."""
        self.ctx.isa = set(names)
        if isa_ext.has_vector_unit(self.ctx.isa):     # V, or a Zve* the host offers without V
            self.ctx.alloc_vector()
        else:
            self.ctx.free_vector()

    def has(self, name):
        return name in self.ctx.isa

    def reset(self):
        """kvm_riscv_reset_vcpu: a full reset (registers, FP, vector, timer, PMU)."""
        # henvcfg/hstateen0 are Linux's vcpu->arch.cfg, computed once at the first run: a
        # reset (HSM start, INIT_RECEIVED) keeps them (FWFT's reset below clears PMM)
        cfg = (self.ctx.henvcfg, self.ctx.hstateen0)
        self.ctx.reset(getattr(self, "guest_vlenb", None) or self.vm.host.vlenb)
        if self.ran_atleast_once:
            self.ctx.henvcfg, self.ctx.hstateen0 = cfg
        self.ctx.htimedelta = self.vm.time_delta
        self.requests.clear()
        self.waiting = False
        self.pmu.reset()
        self.sta.reset()
        self.fwft.reset()

    def sbi_reset(self):
        """The reset an HSM start (or SUSP resume) asks for: a full reset unless the VM enabled
        KVM_CAP_RISCV_MP_STATE_RESET; then a0 = vcpu id, pc/a1 from the reset state."""
        if not self.vm.mp_state_reset:
            self.reset()
        pc, a1 = self.reset_state
        ctx = self.ctx
        ctx.set_xreg(10, self.vcpu_id)
        ctx.pc = pc & MASK64
        ctx.set_xreg(11, a1)
        ctx.vsstatus &= ~sbimod.SSTATUS_SIE
        ctx.vsatp = 0
        self.waiting = False

    def record_steal_time(self, ticks):
        """The VMM's scheduler reports that this vCPU was runnable but not running for
        ``ticks`` (time units); with SBI STA set up, the guest's steal counter grows."""
        self.sta.record(ticks)

    def mark_ran(self):
        """Called by run() on every entry: the first one sets ran_atleast_once (after which
        ISA, SBI_EXT and the ID registers are frozen) and computes henvcfg/hstateen0 from
        the vCPU's ISA (kvm_riscv_vcpu_config_ran_once)."""
        if self.ran_atleast_once:
            return
        self.ran_atleast_once = True
        ctx, has = self.ctx, self.has
        env = 0
        if has("svpbmt"):
            env |= ENVCFG_PBMTE
        if has("sstc"):
            env |= ENVCFG_STCE
        if has("zicbom"):
            env |= ENVCFG_CBIE | ENVCFG_CBCFE
        if has("zicboz"):
            env |= ENVCFG_CBZE
        if has("svadu") and not has("svade"):
            env |= ENVCFG_ADUE
        ctx.henvcfg = env | (ctx.henvcfg & (3 << 32))     # keep a PMM set through FWFT
        st = 0
        if "smstateen" in self.vm.host.names:
            st = SMSTATEEN0_HSENVCFG
            if has("ssaia"):
                st |= SMSTATEEN0_AIA_IMSIC | SMSTATEEN0_AIA | SMSTATEEN0_AIA_ISEL
            if has("smstateen"):
                st |= SMSTATEEN0_SSTATEEN0
        ctx.hstateen0 = st

    def set_interrupt(self, irq):
        """kvm_riscv_vcpu_set_interrupt for VS soft/timer/external and PMU overflow."""
        if irq not in (IRQ_VS_SOFT, IRQ_VS_TIMER, IRQ_VS_EXT, IRQ_PMU_OVF):
            raise _err(errno.EINVAL, f"interrupt {irq} cannot be raised in a guest (VS soft 2, "
                       "VS timer 6, VS external 10, PMU overflow 13)")
        self.ctx.hvip |= 1 << irq
        self.waiting = False

    def unset_interrupt(self, irq):
        if irq not in (IRQ_VS_SOFT, IRQ_VS_TIMER, IRQ_VS_EXT, IRQ_PMU_OVF):
            raise _err(errno.EINVAL, f"interrupt {irq} cannot be lowered in a guest")
        self.ctx.hvip &= ~(1 << irq)

    def interrupt(self, irq):
        """KVM_INTERRUPT: KVM_INTERRUPT_SET raises VS external, any other value lowers it."""
        if irq == U.KVM_INTERRUPT_SET:
            self.set_interrupt(IRQ_VS_EXT)
        else:
            self.unset_interrupt(IRQ_VS_EXT)

    def process_requests(self):
        """Take the remote-fence requests other vCPUs left for this one (to flush before the
        next entry), counting the RECEIVED firmware events; returns [(kind, params)] with kind
        'FENCE_I', 'HFENCE_VVMA' or 'HFENCE_VVMA_ASID'."""
        reqs, self.requests = self.requests, []
        for kind, _ in reqs:
            self.pmu.count_fw_event(kind + "_RCVD")
        return reqs

    def count_fw_event(self, event):
        """Count an SBI PMU firmware event (name or number) if the guest started it."""
        self.pmu.count_fw_event(event)

    def sbi_ecall(self):
        """Serve the guest's ecall (a7/a6/a0..a5 in ctx); None to continue, or an exit."""
        return sbimod.ecall(self)

    def sbi_return(self, exit_):
        sbimod.sbi_return(self, exit_)

    def redirect_trap(self, scause, stval, sepc=None):
        """Deliver an exception to the guest's trap handler (Linux's trap_redirect)."""
        self.trap_redirects += 1
        sbimod.redirect_trap(self, scause, stval, self.ctx.pc if sepc is None else sepc)

    def run(self, max_insns=None):
        """KVM_RUN: run the guest until an exit the VMM must handle (rvemu/kvm/run.py)."""
        from rvemu.kvm.run import run_vcpu
        return run_vcpu(self, max_insns)

    def get_mp_state(self):
        return self.mp_state

    def set_mp_state(self, state):
        """KVM_SET_MP_STATE: RUNNABLE, STOPPED, or INIT_RECEIVED (a full reset, only with
        KVM_CAP_RISCV_MP_STATE_RESET)."""
        if state in (U.KVM_MP_STATE_RUNNABLE, U.KVM_MP_STATE_STOPPED):
            self.mp_state = state
        elif state == U.KVM_MP_STATE_INIT_RECEIVED and self.vm.mp_state_reset:
            self.reset()
        else:
            raise _err(errno.EINVAL, f"mp_state {state} is not accepted (RUNNABLE 0, STOPPED 5; "
                       "INIT_RECEIVED 2 needs KVM_CAP_RISCV_MP_STATE_RESET)")

    # ---- ONE_REG ---------------------------------------------------------------------------
    def get_one_reg(self, reg_id):
        """KVM_GET_ONE_REG: the register's value (int, or bytes for vector registers)."""
        sync = getattr(self, "_simd_sync", None)
        if sync is not None:    # the hart may hold this vCPU's FP/vector registers
            sync()
        reg_id = self._check_id(reg_id)
        rtype = reg_id & U.KVM_REG_RISCV_TYPE_MASK
        size = U.KVM_REG_SIZE(reg_id)
        num = reg_id & _ONE_REG_FIELD_MASK
        fn = self._GETTERS.get(rtype)
        if fn is None:
            raise _err(errno.ENOENT, f"register type {rtype >> 24:#x} does not exist ({U.reg_name(reg_id)})")
        return fn(self, reg_id, size, num)

    def set_one_reg(self, reg_id, value):
        """KVM_SET_ONE_REG. ``value``: an int (negative ints are two's complement) or
        little-endian bytes of the register's size."""
        sync = getattr(self, "_simd_sync", None)
        if sync is not None:    # the hart may hold this vCPU's FP/vector registers
            sync()
        reg_id = self._check_id(reg_id)
        rtype = reg_id & U.KVM_REG_RISCV_TYPE_MASK
        size = U.KVM_REG_SIZE(reg_id)
        num = reg_id & _ONE_REG_FIELD_MASK
        fn = self._SETTERS.get(rtype)
        if fn is None:
            raise _err(errno.ENOENT, f"register type {rtype >> 24:#x} does not exist ({U.reg_name(reg_id)})")
        fn(self, reg_id, size, num, value)
        if rtype == U.KVM_REG_RISCV_CSR:
            self.csr_dirty = True

    @staticmethod
    def _check_id(reg_id):
        if isinstance(reg_id, bool) or not isinstance(reg_id, int):
            raise _err(errno.EINVAL, f"a register id is an int, not {type(reg_id).__name__}")
        if not 0 <= reg_id <= MASK64:
            if -(1 << 63) <= reg_id < 0:
                return reg_id & MASK64
            raise _err(errno.EINVAL, f"register id {reg_id:#x} does not fit in 64 bits")
        return reg_id

    @staticmethod
    def _int_value(value, size, reg_id):
        """The value to store, as an int that fits ``size`` bytes."""
        if isinstance(value, (bytes, bytearray, memoryview)):
            b = bytes(value)
            if len(b) != size:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)} takes {size} bytes, not {len(b)}")
            return int.from_bytes(b, "little")
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise _err(errno.EINVAL, f"register value must be an int or bytes, not {type(value).__name__}")
        v = value.__index__()
        bits = 8 * size
        if not -(1 << (bits - 1)) <= v < (1 << bits):
            raise _err(errno.EINVAL, f"value {v:#x} does not fit the {size}-byte register "
                       f"{U.reg_name(reg_id)}")
        return v & ((1 << bits) - 1)

    def _need_ulong(self, reg_id, size):
        if size != U.ULONG:
            raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: wrong size {size}, this register is "
                       f"{U.ULONG} bytes (KVM_REG_SIZE_U64)")

    # CONFIG
    def _get_config(self, reg_id, size, num):
        self._need_ulong(reg_id, size)
        host = self.vm.host
        if num == 0:
            return self.vm.isa_policy.get_config_isa(self)
        if num in (1, 5, 7):
            ext = {1: "zicbom", 5: "zicboz", 7: "zicbop"}[num]
            if ext not in host.names:
                raise _err(errno.ENOENT, f"CONFIG {U.CONFIG_REGS[num]}: the host has no {ext}")
            return self.kvm.cbo_block_size
        if num == 2:
            return self.mvendorid
        if num == 3:
            return self.marchid
        if num == 4:
            return self.mimpid
        if num == 6:
            return self.kvm.satp_mode
        raise _err(errno.ENOENT, f"CONFIG register {num} does not exist")

    def _set_config(self, reg_id, size, num, value):
        self._need_ulong(reg_id, size)
        v = self._int_value(value, size, reg_id)
        host = self.vm.host
        if num == 0:
            self.vm.isa_policy.set_config_isa(self, v)
        elif num in (1, 5, 7):
            ext = {1: "zicbom", 5: "zicboz", 7: "zicbop"}[num]
            if ext not in host.names:
                raise _err(errno.ENOENT, f"CONFIG {U.CONFIG_REGS[num]}: the host has no {ext}")
            if v != self.kvm.cbo_block_size:
                raise _err(errno.EINVAL, f"CONFIG {U.CONFIG_REGS[num]} is the host's "
                           f"{self.kvm.cbo_block_size}; it cannot be changed")
        elif num in (2, 3, 4):
            attr = U.CONFIG_REGS[num]
            if v == getattr(self, attr):
                return
            if self.ran_atleast_once:
                raise _err(errno.EBUSY, f"CONFIG {attr} cannot change after the vCPU has run")
            setattr(self, attr, v)
        elif num == 6:
            if v != self.kvm.satp_mode:
                raise _err(errno.EINVAL, f"CONFIG satp_mode is the host's {self.kvm.satp_mode} "
                           "(8 Sv39, 9 Sv48, 10 Sv57); it cannot be changed")
        else:
            raise _err(errno.ENOENT, f"CONFIG register {num} does not exist")

    # CORE
    def _get_core(self, reg_id, size, num):
        self._need_ulong(reg_id, size)
        if num == 0:
            return self.ctx.pc
        if 1 <= num <= 31:
            return int(self.ctx.x[num])
        if num == 32:
            return U.KVM_RISCV_MODE_S if self.ctx.mode else U.KVM_RISCV_MODE_U
        raise _err(errno.ENOENT, f"CORE register {num} does not exist (0..32)")

    def _set_core(self, reg_id, size, num, value):
        self._need_ulong(reg_id, size)
        v = self._int_value(value, size, reg_id)
        if num == 0:
            self.ctx.pc = v
        elif 1 <= num <= 31:
            self.ctx.x[num] = v
        elif num == 32:
            self.ctx.mode = 1 if v == U.KVM_RISCV_MODE_S else 0
        else:
            raise _err(errno.ENOENT, f"CORE register {num} does not exist (0..32)")

    # CSR
    def _csr_field(self, num):
        sub = num & U.KVM_REG_RISCV_SUBTYPE_MASK
        idx = num & ~U.KVM_REG_RISCV_SUBTYPE_MASK
        if sub == U.KVM_REG_RISCV_CSR_GENERAL:
            if idx >= len(CSR_FIELDS):
                raise _err(errno.ENOENT, f"CSR register {idx} does not exist (0..10)")
            return CSR_FIELDS[idx]
        if sub == U.KVM_REG_RISCV_CSR_AIA:
            if not self.has("ssaia"):
                raise _err(errno.ENOENT, "AIA CSRs need Ssaia in the vCPU's ISA")
            if idx >= len(AIA_FIELDS):
                raise _err(errno.ENOENT, f"AIA CSR register {idx} does not exist (0..6)")
            return AIA_FIELDS[idx]
        if sub == U.KVM_REG_RISCV_CSR_SMSTATEEN:
            if not self.has("smstateen"):
                raise _err(errno.ENOENT, "sstateen0 needs Smstateen in the vCPU's ISA")
            if idx >= 1:
                raise _err(errno.ENOENT, f"Smstateen CSR register {idx} does not exist (0)")
            return "smstateen0"
        raise _err(errno.ENOENT, f"CSR subtype {sub >> 16} does not exist")

    def _get_csr(self, reg_id, size, num):
        self._need_ulong(reg_id, size)
        field = self._csr_field(num)
        if field == "hvip":
            h = self.ctx.hvip
            return ((h >> 1) & VSIP_VALID_MASK) | (h & ~IRQ_LOCAL_MASK & MASK64)
        return getattr(self.ctx, field)

    def _set_csr(self, reg_id, size, num, value):
        self._need_ulong(reg_id, size)
        v = self._int_value(value, size, reg_id)
        field = self._csr_field(num)
        if field == "hvip":
            v = (v & VSIP_VALID_MASK) << 1
        setattr(self.ctx, field, v)

    # TIMER
    def _get_timer(self, reg_id, size, num):
        if size != 8:
            raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: TIMER registers are 8 bytes, not {size}")
        if num == 0:
            return self.kvm.timebase
        if num == 1:
            return (self.vm.host_time() + self.vm.time_delta) & MASK64
        if num == 2:
            return self.ctx.vstimecmp
        if num == 3:
            return self.ctx.timer_state
        raise _err(errno.ENOENT, f"TIMER register {num} does not exist (0..3)")

    def _set_timer(self, reg_id, size, num, value):
        if size != 8:
            raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: TIMER registers are 8 bytes, not {size}")
        v = self._int_value(value, size, reg_id)
        if num == 0:
            if v != self.kvm.timebase:
                raise _err(errno.EINVAL, f"the timer frequency is the host's {self.kvm.timebase} Hz")
        elif num == 1:
            self.vm.set_time_delta((v - self.vm.host_time()) & MASK64)
        elif num == 2:
            self.ctx.vstimecmp = v
        elif num == 3:
            if v == U.KVM_RISCV_TIMER_STATE_ON:
                # Linux calls kvm_riscv_vcpu_timer_next_event(vcpu, reg_val) with reg_val = 1:
                # the timer is armed at cycle 1 (compare reads back 1), not at compare
                sbimod.set_timer(self, v)
            else:
                if self.ctx.timer_state != U.KVM_RISCV_TIMER_STATE_ON:
                    raise _err(errno.EINVAL, "the timer is not armed, so it cannot be cancelled")
                self.ctx.timer_state = U.KVM_RISCV_TIMER_STATE_OFF
        else:
            raise _err(errno.ENOENT, f"TIMER register {num} does not exist (0..3)")

    # FP
    def _fp_slot(self, rtype, size, num, reg_id):
        """(kind, index): kind 'fcsr', 'f32' (F-only layout), 'd' (D layout), or 'alias'
        (FP_F on a vCPU with D: the union's bytes)."""
        if rtype == U.KVM_REG_RISCV_FP_F:
            if not self.has("f"):
                raise _err(errno.ENOENT, "FP_F registers need F in the vCPU's ISA")
            if size != 4:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: FP_F registers are 4 bytes, not {size}")
            if num > 32:
                raise _err(errno.ENOENT, f"FP_F register {num} does not exist (0..32)")
            if self.has("d"):
                return "alias", num
            return ("fcsr", 0) if num == 32 else ("f32", num)
        if not self.has("d"):
            raise _err(errno.ENOENT, "FP_D registers need D in the vCPU's ISA")
        if num == 32:
            if size != 4:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: FP_D fcsr is 4 bytes, not {size}")
            return "fcsr", 0
        if num < 32:
            if size != 8:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: FP_D f registers are 8 bytes, not {size}")
            return "d", num
        raise _err(errno.ENOENT, f"FP_D register {num} does not exist (0..32)")

    def _get_fp(self, reg_id, size, num):
        kind, i = self._fp_slot(reg_id & U.KVM_REG_RISCV_TYPE_MASK, size, num, reg_id)
        ctx = self.ctx
        if kind == "fcsr":
            return ctx.fcsr & 0xFFFFFFFF
        if kind == "d":
            return int(ctx.f[i])
        if kind == "f32":
            return int(ctx.f[i]) & 0xFFFFFFFF
        # the kernel's union: FP_F f[i] is half i%2 of D register i//2, fcsr half of f[16]
        return (int(ctx.f[i // 2]) >> (32 * (i % 2))) & 0xFFFFFFFF

    def _set_fp(self, reg_id, size, num, value):
        kind, i = self._fp_slot(reg_id & U.KVM_REG_RISCV_TYPE_MASK, size, num, reg_id)
        v = self._int_value(value, size, reg_id)
        ctx = self.ctx
        if kind == "fcsr":
            ctx.fcsr = v
        elif kind == "d":
            ctx.f[i] = v
        elif kind == "f32":
            ctx.f[i] = 0xFFFFFFFF00000000 | v          # NaN-boxed, as the hart holds it
        else:
            sh = 32 * (i % 2)
            ctx.f[i // 2] = (int(ctx.f[i // 2]) & ~(0xFFFFFFFF << sh)) | (v << sh)

    # VECTOR
    def _vec_slot(self, reg_id, size, num):
        if not self.has("v"):
            raise _err(errno.ENOENT, "VECTOR registers need V in the vCPU's ISA")
        if num < U.VECTOR_STATE_ULONGS:
            if size != U.ULONG:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: wrong size {size}, vector CSRs are 8 bytes")
            if num == 5:
                raise _err(errno.ENOENT, "VECTOR register 5 (datap) is not a register")
            return U.VECTOR_CSR_REGS[num], None
        if num < U.VECTOR_STATE_ULONGS + 32:
            vlenb = self.ctx.vlenb
            if size != vlenb:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: vector registers are vlenb = {vlenb} "
                           f"bytes (KVM_REG_SIZE code {vlenb.bit_length() - 1}), not {size}")
            return "vreg", num - U.VECTOR_STATE_ULONGS
        raise _err(errno.ENOENT, f"VECTOR register {num} does not exist (0..4, 6..37)")

    def _get_vector(self, reg_id, size, num):
        name, j = self._vec_slot(reg_id, size, num)
        if name == "vreg":
            vl = self.ctx.vlenb
            return bytes(self.ctx.vreg[j * vl:(j + 1) * vl])
        return getattr(self.ctx, name)

    def _set_vector(self, reg_id, size, num, value):
        if num == 4 and self.has("v"):           # vlenb: only its own value is accepted
            if size != U.ULONG:
                raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: wrong size {size}")
            v = self._int_value(value, size, reg_id)
            if getattr(self.vm, "vector_length_negotiation", False) and v != self.ctx.vlenb:
                return self._set_guest_vlenb(v)
            if v != self.ctx.vlenb:
                raise _err(errno.EINVAL, f"vlenb is {self.ctx.vlenb}; RISC-V KVM has no way to "
                           "choose another vector length")
            return
        name, j = self._vec_slot(reg_id, size, num)
        if name == "vreg":
            if isinstance(value, (bytes, bytearray, memoryview)):
                b = bytes(value)
                if len(b) != size:
                    raise _err(errno.EINVAL, f"{U.reg_name(reg_id)} takes {size} bytes, not {len(b)}")
            else:
                b = self._int_value(value, size, reg_id).to_bytes(size, "little")
            vl = self.ctx.vlenb
            self.ctx.vreg[j * vl:(j + 1) * vl] = np.frombuffer(b, dtype=np.uint8)
        else:
            setattr(self.ctx, name, self._int_value(value, size, reg_id))

    def _set_guest_vlenb(self, v):
        """KVM_CAP_RVEMU_VECTOR_LENGTH: the guest's vlenb, as arm64 negotiates SVE vector
        lengths: before the first run (EBUSY after), a power of two from 16 (VLEN 128, what
        V requires) to the host's vlenb (EINVAL otherwise). The vector registers are
        reallocated (zeroed) at that size; ONE_REG vector register sizes follow it."""
        host = self.vm.host.vlenb
        if self.ran_atleast_once:
            raise _err(errno.EBUSY, "the vector length is chosen before the vCPU first runs")
        if v < 16 or v > host or v & (v - 1):
            raise _err(errno.EINVAL, f"vlenb {v} must be a power of two from 16 to the host's {host}")
        self.guest_vlenb = v
        self.ctx.vlenb = v
        self.ctx.vreg = np.zeros(32 * v, dtype=np.uint8)

    # ISA_EXT
    def _get_isa_ext(self, reg_id, size, num):
        self._need_ulong(reg_id, size)
        sub = num & U.KVM_REG_RISCV_SUBTYPE_MASK
        idx = num & ~U.KVM_REG_RISCV_SUBTYPE_MASK
        pol = self.vm.isa_policy
        if sub == U.KVM_REG_RISCV_ISA_SINGLE:
            return pol.get_single(self, idx)
        if sub in (U.KVM_REG_RISCV_ISA_MULTI_EN, U.KVM_REG_RISCV_ISA_MULTI_DIS):
            return pol.get_multi(self, idx, sub == U.KVM_REG_RISCV_ISA_MULTI_DIS)
        raise _err(errno.ENOENT, f"ISA_EXT subtype {sub >> 16} does not exist")

    def _set_isa_ext(self, reg_id, size, num, value):
        self._need_ulong(reg_id, size)
        v = self._int_value(value, size, reg_id)
        sub = num & U.KVM_REG_RISCV_SUBTYPE_MASK
        idx = num & ~U.KVM_REG_RISCV_SUBTYPE_MASK
        pol = self.vm.isa_policy
        if sub == U.KVM_REG_RISCV_ISA_SINGLE:
            pol.set_single(self, idx, v)
        elif sub in (U.KVM_REG_RISCV_ISA_MULTI_EN, U.KVM_REG_RISCV_ISA_MULTI_DIS):
            pol.set_multi(self, idx, v, sub == U.KVM_REG_RISCV_ISA_MULTI_EN)
        else:
            raise _err(errno.ENOENT, f"ISA_EXT subtype {sub >> 16} does not exist")

    # SBI_EXT
    def _sbi_single_get(self, idx):
        if idx >= U.KVM_RISCV_SBI_EXT_MAX or self.sbi_status[idx] == sbimod.STATUS_UNAVAILABLE:
            name = U.SBI_EXT_NAMES[idx] if idx < U.KVM_RISCV_SBI_EXT_MAX else str(idx)
            raise _err(errno.ENOENT, f"SBI extension {name} is not available to this vCPU")
        return 1 if self.sbi_status[idx] == sbimod.STATUS_ENABLED else 0

    def _sbi_single_set(self, idx, v):
        if v not in (0, 1):
            raise _err(errno.EINVAL, f"SBI_EXT value must be 0 or 1, not {v}")
        self._sbi_single_get(idx)
        self.sbi_status[idx] = sbimod.STATUS_ENABLED if v else sbimod.STATUS_DISABLED

    def _get_sbi_ext(self, reg_id, size, num):
        self._need_ulong(reg_id, size)
        sub = num & U.KVM_REG_RISCV_SUBTYPE_MASK
        idx = num & ~U.KVM_REG_RISCV_SUBTYPE_MASK
        if sub == U.KVM_REG_RISCV_SBI_SINGLE:
            return self._sbi_single_get(idx)
        if sub in (U.KVM_REG_RISCV_SBI_MULTI_EN, U.KVM_REG_RISCV_SBI_MULTI_DIS):
            if idx > U.KVM_REG_RISCV_SBI_MULTI_REG_LAST:
                raise _err(errno.ENOENT, f"SBI_EXT multi register {idx} does not exist")
            v = 0
            for bit in range(64):
                e = idx * 64 + bit
                if e >= U.KVM_RISCV_SBI_EXT_MAX:
                    break
                if self.sbi_status[e] == sbimod.STATUS_ENABLED:
                    v |= 1 << bit
            return (~v & MASK64) if sub == U.KVM_REG_RISCV_SBI_MULTI_DIS else v
        raise _err(errno.ENOENT, f"SBI_EXT subtype {sub >> 16} does not exist")

    def _set_sbi_ext(self, reg_id, size, num, value):
        self._need_ulong(reg_id, size)
        v = self._int_value(value, size, reg_id)
        if self.ran_atleast_once:
            raise _err(errno.EBUSY, "SBI extensions cannot change after the vCPU has run")
        sub = num & U.KVM_REG_RISCV_SUBTYPE_MASK
        idx = num & ~U.KVM_REG_RISCV_SUBTYPE_MASK
        if sub == U.KVM_REG_RISCV_SBI_SINGLE:
            self._sbi_single_set(idx, v)
        elif sub in (U.KVM_REG_RISCV_SBI_MULTI_EN, U.KVM_REG_RISCV_SBI_MULTI_DIS):
            if idx > U.KVM_REG_RISCV_SBI_MULTI_REG_LAST:
                raise _err(errno.ENOENT, f"SBI_EXT multi register {idx} does not exist")
            for bit in range(64):
                e = idx * 64 + bit
                if e >= U.KVM_RISCV_SBI_EXT_MAX:
                    break
                if v >> bit & 1:
                    try:
                        self._sbi_single_set(e, 1 if sub == U.KVM_REG_RISCV_SBI_MULTI_EN else 0)
                    except KvmError:
                        pass         # Linux ignores each bit's result
        else:
            raise _err(errno.ENOENT, f"SBI_EXT subtype {sub >> 16} does not exist")

    # SBI_STATE: STA (subtype 0) and FWFT (subtype 1), through the enabled extension
    def _state_obj(self, reg_id, size, num):
        if size not in (1, 2, 4, 8):
            raise _err(errno.EINVAL, f"{U.reg_name(reg_id)}: SBI_STATE registers are 1, 2, 4 or 8 bytes")
        sub = (num & U.KVM_REG_RISCV_SUBTYPE_MASK) >> 16
        obj = sbimod.state_ext(self, sub)
        if obj is None:
            name = {0: "STA", 1: "FWFT"}.get(sub, f"subtype {sub}")
            raise _err(errno.EINVAL, f"SBI_STATE {name}: no enabled SBI extension has this state")
        return obj, num & ~U.KVM_REG_RISCV_SUBTYPE_MASK

    def _get_sbi_state(self, reg_id, size, num):
        obj, idx = self._state_obj(reg_id, size, num)
        return obj.get_reg(idx, size)

    def _set_sbi_state(self, reg_id, size, num, value):
        if size in (1, 2, 4, 8):
            value = self._int_value(value, size, reg_id)
        obj, idx = self._state_obj(reg_id, size, num)
        obj.set_reg(idx, size, value)

    _GETTERS = {U.KVM_REG_RISCV_CONFIG: _get_config, U.KVM_REG_RISCV_CORE: _get_core,
                U.KVM_REG_RISCV_CSR: _get_csr, U.KVM_REG_RISCV_TIMER: _get_timer,
                U.KVM_REG_RISCV_FP_F: _get_fp, U.KVM_REG_RISCV_FP_D: _get_fp,
                U.KVM_REG_RISCV_ISA_EXT: _get_isa_ext, U.KVM_REG_RISCV_SBI_EXT: _get_sbi_ext,
                U.KVM_REG_RISCV_VECTOR: _get_vector, U.KVM_REG_RISCV_SBI_STATE: _get_sbi_state}
    _SETTERS = {U.KVM_REG_RISCV_CONFIG: _set_config, U.KVM_REG_RISCV_CORE: _set_core,
                U.KVM_REG_RISCV_CSR: _set_csr, U.KVM_REG_RISCV_TIMER: _set_timer,
                U.KVM_REG_RISCV_FP_F: _set_fp, U.KVM_REG_RISCV_FP_D: _set_fp,
                U.KVM_REG_RISCV_ISA_EXT: _set_isa_ext, U.KVM_REG_RISCV_SBI_EXT: _set_sbi_ext,
                U.KVM_REG_RISCV_VECTOR: _set_vector, U.KVM_REG_RISCV_SBI_STATE: _set_sbi_state}

    # ---- KVM_GET_REG_LIST --------------------------------------------------------------------
    def reg_list(self):
        """Every register id of this vCPU, in Linux's order (kvm_riscv_vcpu_copy_reg_indices)."""
        out = []
        R = U.KVM_REG_RISCV
        ul = U.KVM_REG_SIZE_U64
        host = self.vm.host
        for i, name in enumerate(U.CONFIG_REGS):
            if name.endswith("_block_size") and name.split("_")[0] not in host.names:
                continue
            out.append(R | ul | U.KVM_REG_RISCV_CONFIG | i)
        out += [R | ul | U.KVM_REG_RISCV_CORE | i for i in range(len(U.CORE_REGS))]
        out += [R | ul | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_GENERAL | i
                for i in range(len(U.CSR_GENERAL_REGS))]
        if self.has("ssaia"):
            out += [R | ul | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_AIA | i
                    for i in range(len(U.CSR_AIA_REGS))]
        if self.has("smstateen"):
            out.append(R | ul | U.KVM_REG_RISCV_CSR | U.KVM_REG_RISCV_CSR_SMSTATEEN | 0)
        out += [R | U.KVM_REG_SIZE_U64 | U.KVM_REG_RISCV_TIMER | i for i in range(4)]
        if self.has("f"):
            out += [R | U.KVM_REG_SIZE_U32 | U.KVM_REG_RISCV_FP_F | i for i in range(33)]
        if self.has("d"):
            out += [R | U.KVM_REG_SIZE_U64 | U.KVM_REG_RISCV_FP_D | i for i in range(32)]
            out.append(R | U.KVM_REG_SIZE_U32 | U.KVM_REG_RISCV_FP_D | 32)
        if self.has("v"):
            out += [R | ul | U.KVM_REG_RISCV_VECTOR | i for i in range(5)]
            vsz = U.size_code(self.ctx.vlenb)
            out += [R | vsz | U.KVM_REG_RISCV_VECTOR | U.KVM_REG_RISCV_VECTOR_REG(n) for n in range(32)]
        out += [R | ul | U.KVM_REG_RISCV_ISA_EXT | U.KVM_REG_RISCV_ISA_SINGLE | i
                for i in host.ids()]
        out += [R | ul | U.KVM_REG_RISCV_SBI_EXT | U.KVM_REG_RISCV_SBI_SINGLE | i
                for i in range(U.KVM_RISCV_SBI_EXT_MAX) if self.sbi_status[i] != sbimod.STATUS_UNAVAILABLE]
        for sub, kvm_id, obj in ((0, U.KVM_RISCV_SBI_EXT_STA, self.sta), (1, U.KVM_RISCV_SBI_EXT_FWFT, self.fwft)):
            if self.sbi_status[kvm_id] == sbimod.STATUS_ENABLED:
                out += [R | ul | U.KVM_REG_RISCV_SBI_STATE | sub << 16 | i for i in obj.reg_ids()]
        return out

    def get_reg_list(self, n=None):
        """KVM_GET_REG_LIST. With ``n`` (the caller's array size) smaller than the number of
        registers: KvmError(E2BIG) whose ``.n`` is the number needed, as Linux writes back."""
        regs = self.reg_list()
        if n is not None and n < len(regs):
            e = _err(errno.E2BIG, f"the vCPU has {len(regs)} registers; the list holds {n}")
            e.n = len(regs)
            raise e
        return regs

    def __repr__(self):
        return f"VCpu(id={self.vcpu_id}, pc={self.ctx.pc:#x}, ran={self.ran_atleast_once})"
