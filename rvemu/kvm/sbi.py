"""The hypervisor's SBI for its guests (Linux's arch/riscv/kvm/vcpu_sbi*.c): a VS-mode ecall
is served here against the vCPU's context, or forwarded to the VMM as a KVM_EXIT_RISCV_SBI
exit, or ends the VM with a KVM_EXIT_SYSTEM_EVENT exit.

``ecall(vcpu)`` is what the exit handler calls for scause 10 (ecall from VS): it returns
None (continue the guest; a0/a1/pc already updated) or an exit for userspace. After a
RISCV_SBI exit, ``sbi_return(vcpu, exit)`` (called by the next run) puts ``exit.ret`` in
a0/a1 and steps past the ecall, as Linux's kvm_riscv_vcpu_sbi_return does.

Which extensions a vCPU offers is the SBI_EXT ONE_REG state (``vcpu.sbi_status``):
UNAVAILABLE ones are not there at all, DISABLED ones answer NOT_SUPPORTED.
"""
from rvemu.kvm import exits
from rvemu.kvm import sbi_consts as S
from rvemu.kvm import uapi
from rvemu.kvm.errors import KvmError

MASK64 = (1 << 64) - 1
STATUS_UNINITIALIZED, STATUS_UNAVAILABLE, STATUS_ENABLED, STATUS_DISABLED = 0, 1, 2, 3
IRQ_VS_SOFT, IRQ_VS_TIMER, IRQ_VS_EXT = 2, 6, 10
SSTATUS_SIE, SSTATUS_SPIE, SSTATUS_SPP = 1 << 1, 1 << 5, 1 << 8
CAUSE_LOAD_ACCESS = 5
KVM_VERSION_CODE = (6 << 16) | (19 << 8)     # the Linux ABI level modelled (IMP_VERSION)


def _s(v):
    return v - (1 << 64) if v >> 63 else v


class SbiRet:
    """struct kvm_vcpu_sbi_return."""
    __slots__ = ("err", "out", "uexit", "utrap")

    def __init__(self):
        self.err = 0
        self.out = 0
        self.uexit = None
        self.utrap = None        # (scause, stval)


class Ext:
    """One entry of Linux's sbi_ext table."""

    def __init__(self, kvm_id, lo, hi, handler, default_disabled=False, probe=None,
                 state_subtype=None):
        self.kvm_id = kvm_id     # KVM_RISCV_SBI_EXT_* (None for BASE: always on)
        self.state_subtype = state_subtype   # its KVM_REG_RISCV_SBI_STATE subtype, if any
        self.lo, self.hi = lo, hi
        self.handler = handler
        self.default_disabled = default_disabled
        self.probe = probe       # probe(vcpu) -> int; 0 makes it UNAVAILABLE


# ---- helpers the handlers share ---------------------------------------------------------------
def forward(vcpu, ret):
    """kvm_riscv_vcpu_sbi_forward: a KVM_EXIT_RISCV_SBI exit with ret preset to NOT_SUPPORTED."""
    x = vcpu.ctx.x
    ret.uexit = exits.RiscvSbiExit(extension_id=int(x[17]), function_id=int(x[16]),
                                   args=[int(x[10 + i]) for i in range(6)])
    vcpu.stat["ecall_exit_stat"] += 1


def system_event(vcpu, ret, etype, reason):
    """kvm_riscv_vcpu_sbi_system_reset: every vCPU stops; userspace gets the event."""
    for v in vcpu.vm.vcpus:
        v.mp_state = uapi.KVM_MP_STATE_STOPPED
    ret.uexit = exits.SystemEventExit(type=etype, ndata=1, data=[reason & MASK64])


def set_timer(vcpu, when):
    """kvm_riscv_vcpu_timer_next_event: arm the timer, VS timer interrupt no longer pending."""
    ctx = vcpu.ctx
    ctx.hvip &= ~(1 << IRQ_VS_TIMER)
    ctx.vstimecmp = when & MASK64
    ctx.timer_state = uapi.KVM_RISCV_TIMER_STATE_ON


def hart_targets(vcpu, hmask, hbase, check_xlen=True):
    """The vCPUs a (hart_mask, hart_mask_base) pair selects, in vCPU index order, and whether
    the scan stopped at a bit index >= XLEN (IPI only)."""
    out = []
    for v in vcpu.vm.vcpus:
        if hbase != MASK64:
            if v.vcpu_id < hbase:
                continue
            bit = v.vcpu_id - hbase
            if bit >= 64:
                if check_xlen:
                    break
                continue
            if not hmask >> bit & 1:
                continue
        out.append(v)
    return out


def redirect_trap(vcpu, scause, stval, sepc):
    """kvm_riscv_vcpu_trap_redirect: deliver an exception to the guest's VS-mode trap handler
    (vsstatus.SPP from the mode it trapped in, SPIE = SIE, SIE = 0; vscause, vstval, vsepc;
    pc = vstvec as is; resume in VS-mode)."""
    ctx = vcpu.ctx
    vs = ctx.vsstatus & ~SSTATUS_SPP
    if ctx.mode:
        vs |= SSTATUS_SPP
    vs = (vs & ~SSTATUS_SPIE) | (SSTATUS_SPIE if vs & SSTATUS_SIE else 0)
    vs &= ~SSTATUS_SIE
    ctx.vsstatus = vs
    ctx.vscause = scause & MASK64
    ctx.vstval = stval & MASK64
    ctx.vsepc = sepc & MASK64
    ctx.pc = ctx.vstvec
    ctx.mode = 1


def unpriv_read_ulong(vcpu, vaddr):
    """Read a guest ulong at a guest virtual address, for the v0.1 hart masks; returns
    (value, None) or (0, (scause, stval)). Uses ``vcpu.guest_virt_read`` when the run loop
    provides one (a translated read); otherwise the address must be guest-physical with
    vsatp in Bare mode."""
    if vcpu.guest_virt_read is not None:
        return vcpu.guest_virt_read(vaddr, 8)
    if vcpu.ctx.vsatp >> 60:
        return 0, (CAUSE_LOAD_ACCESS, vaddr)
    try:
        return int.from_bytes(vcpu.vm.read_guest(vaddr, 8), "little"), None
    except KvmError:
        return 0, (CAUSE_LOAD_ACCESS, vaddr)


# ---- the extensions ----------------------------------------------------------------------------
def _v01(vcpu, ret):
    ctx = vcpu.ctx
    eid = ctx.xreg(17)
    a0 = ctx.xreg(10)
    if eid in (S.V01_CONSOLE_PUTCHAR, S.V01_CONSOLE_GETCHAR):
        forward(vcpu, ret)
    elif eid == S.V01_SET_TIMER:
        set_timer(vcpu, a0)
    elif eid == S.V01_CLEAR_IPI:
        ctx.hvip &= ~(1 << IRQ_VS_SOFT)
    elif eid in (S.V01_SEND_IPI, S.V01_REMOTE_FENCE_I, S.V01_REMOTE_SFENCE_VMA,
                 S.V01_REMOTE_SFENCE_VMA_ASID):
        if a0:
            hmask, trap = unpriv_read_ulong(vcpu, a0)
            if trap:
                ret.utrap = trap
                return
        else:
            hmask = (1 << len(vcpu.vm.vcpus)) - 1
        if eid == S.V01_SEND_IPI:
            for bit in range(64):
                if hmask >> bit & 1:
                    t = vcpu.vm.vcpu_by_id(bit)
                    if t is not None:       # (Linux would dereference NULL here)
                        t.set_interrupt(IRQ_VS_SOFT)
        elif eid == S.V01_REMOTE_FENCE_I:
            _fence(vcpu, hmask, 0, "FENCE_I")
        elif eid == S.V01_REMOTE_SFENCE_VMA:
            _fence(vcpu, hmask, 0, "HFENCE_VVMA", start=ctx.xreg(11), size=ctx.xreg(12))
        else:
            _fence(vcpu, hmask, 0, "HFENCE_VVMA_ASID", start=ctx.xreg(11), size=ctx.xreg(12),
                   asid=ctx.xreg(13))
    elif eid == S.V01_SHUTDOWN:
        system_event(vcpu, ret, exits.KVM_SYSTEM_EVENT_SHUTDOWN, 0)
    else:
        ret.err = S.SBI_ERR_NOT_SUPPORTED


def _base(vcpu, ret):
    ctx = vcpu.ctx
    fid = ctx.xreg(16)
    a0 = ctx.xreg(10)
    if fid == S.BASE_GET_SPEC_VERSION:
        ret.out = S.SPEC_VERSION
    elif fid == S.BASE_GET_IMP_ID:
        ret.out = S.KVM_SBI_IMPID
    elif fid == S.BASE_GET_IMP_VERSION:
        ret.out = KVM_VERSION_CODE
    elif fid == S.BASE_PROBE_EXT:
        if S.EXPERIMENTAL_START <= a0 <= S.EXPERIMENTAL_END or S.VENDOR_START <= a0 <= S.VENDOR_END:
            forward(vcpu, ret)
        else:
            ext = find_ext(vcpu, a0)
            ret.out = (ext.probe(vcpu) if ext.probe else 1) if ext else 0
    elif fid == S.BASE_GET_MVENDORID:
        ret.out = vcpu.mvendorid
    elif fid == S.BASE_GET_MARCHID:
        ret.out = vcpu.marchid
    elif fid == S.BASE_GET_MIMPID:
        ret.out = vcpu.mimpid
    else:
        ret.err = S.SBI_ERR_NOT_SUPPORTED


def _time(vcpu, ret):
    if vcpu.ctx.xreg(16) != 0:
        ret.err = S.SBI_ERR_NOT_SUPPORTED
        return
    set_timer(vcpu, vcpu.ctx.xreg(10))
    vcpu.pmu.count_fw_event("SET_TIMER")


def _ipi(vcpu, ret):
    ctx = vcpu.ctx
    if ctx.xreg(16) != 0:
        ret.err = S.SBI_ERR_NOT_SUPPORTED
        return
    hmask, hbase = ctx.xreg(10), ctx.xreg(11)
    vcpu.pmu.count_fw_event("IPI_SENT")
    sent = 0
    for t in hart_targets(vcpu, hmask, hbase):
        t.set_interrupt(IRQ_VS_SOFT)        # pending, and wakes a waiting vCPU
        t.pmu.count_fw_event("IPI_RCVD")
        if hbase != MASK64:
            sent |= 1 << (t.vcpu_id - hbase)
        else:
            sent = hmask            # hart_bit stays 0 in Linux's loop for hbase = -1
    if hbase != MASK64 and hmask ^ sent:
        ret.err = S.SBI_ERR_INVALID_PARAM


def _fence(vcpu, hmask, hbase, kind, **params):
    """Record a remote fence request on each target (processed by the target's next run,
    see VCpu.process_requests) and count the SENT event on the sender."""
    for t in hart_targets(vcpu, hmask, hbase, check_xlen=False):
        t.requests.append((kind, params))
    vcpu.pmu.count_fw_event(kind + "_SENT")


def _rfence(vcpu, ret):
    ctx = vcpu.ctx
    fid = ctx.xreg(16)
    hmask, hbase = ctx.xreg(10), ctx.xreg(11)
    if fid == S.RFENCE_FENCE_I:
        _fence(vcpu, hmask, hbase, "FENCE_I")
    elif fid == S.RFENCE_SFENCE_VMA:
        _fence(vcpu, hmask, hbase, "HFENCE_VVMA", start=ctx.xreg(12), size=ctx.xreg(13))
    elif fid == S.RFENCE_SFENCE_VMA_ASID:
        _fence(vcpu, hmask, hbase, "HFENCE_VVMA_ASID", start=ctx.xreg(12), size=ctx.xreg(13),
               asid=ctx.xreg(14))
    else:                        # the HFENCE calls: no nested virtualization
        ret.err = S.SBI_ERR_NOT_SUPPORTED


def _srst(vcpu, ret):
    ctx = vcpu.ctx
    if ctx.xreg(16) != S.SRST_RESET:
        ret.err = S.SBI_ERR_NOT_SUPPORTED
        return
    rtype, reason = ctx.xreg(10) & 0xFFFFFFFF, ctx.xreg(11) & 0xFFFFFFFF
    if rtype == S.SRST_TYPE_SHUTDOWN:
        system_event(vcpu, ret, exits.KVM_SYSTEM_EVENT_SHUTDOWN, reason)
    elif rtype in (S.SRST_TYPE_COLD_REBOOT, S.SRST_TYPE_WARM_REBOOT):
        system_event(vcpu, ret, exits.KVM_SYSTEM_EVENT_RESET, reason)
    else:
        ret.err = S.SBI_ERR_NOT_SUPPORTED


def _hsm(vcpu, ret):
    ctx = vcpu.ctx
    fid = ctx.xreg(16)
    a0 = ctx.xreg(10)
    if fid == S.HSM_HART_START:
        t = vcpu.vm.vcpu_by_id(a0)
        if t is None:
            ret.err = S.SBI_ERR_INVALID_PARAM
        elif t.mp_state != uapi.KVM_MP_STATE_STOPPED:
            ret.err = S.SBI_ERR_ALREADY_AVAILABLE
        else:
            t.reset_state = (ctx.xreg(11), ctx.xreg(12))
            t.sbi_reset()
            t.mp_state = uapi.KVM_MP_STATE_RUNNABLE
    elif fid == S.HSM_HART_STOP:
        if vcpu.mp_state == uapi.KVM_MP_STATE_STOPPED:
            ret.err = S.SBI_ERR_FAILED
        else:
            vcpu.mp_state = uapi.KVM_MP_STATE_STOPPED
    elif fid == S.HSM_HART_STATUS:
        t = vcpu.vm.vcpu_by_id(a0)
        if t is None:
            return               # Linux's quirk: error 0, value 0
        if t.mp_state == uapi.KVM_MP_STATE_STOPPED:
            ret.out = S.HSM_STATE_STOPPED
        elif t.waiting:
            ret.out = S.HSM_STATE_SUSPENDED
        else:
            ret.out = S.HSM_STATE_STARTED
    elif fid == S.HSM_HART_SUSPEND:
        stype = a0 & 0xFFFFFFFF
        if stype == S.HSM_SUSPEND_RET_DEFAULT:
            vcpu.waiting = True          # the run loop halts it like WFI, then continues
        elif stype == S.HSM_SUSPEND_NON_RET_DEFAULT:
            ret.err = S.SBI_ERR_NOT_SUPPORTED
        else:
            ret.err = S.SBI_ERR_INVALID_PARAM
    else:
        ret.err = S.SBI_ERR_NOT_SUPPORTED


def _pmu(vcpu, ret):
    x = vcpu.ctx.x
    err, val = vcpu.pmu.sbi_call(int(x[16]), [int(x[10 + i]) for i in range(6)])
    ret.err, ret.out = err, val


def _pmu_probe(vcpu):
    return 1 if vcpu.pmu.init_done else 0


def _susp(vcpu, ret):
    ctx = vcpu.ctx
    if ctx.xreg(16) != S.SUSP_SYSTEM_SUSPEND:
        ret.err = S.SBI_ERR_NOT_SUPPORTED
        return
    if ctx.xreg(10) & 0xFFFFFFFF != 0:
        ret.err = S.SBI_ERR_INVALID_PARAM
        return
    if not ctx.mode:
        ret.err = S.SBI_ERR_FAILED
        return
    if not vcpu.vm.gpa_mapped(ctx.xreg(11)):
        ret.err = S.SBI_ERR_INVALID_ADDRESS
        return
    for v in vcpu.vm.vcpus:
        if v is not vcpu and v.mp_state != uapi.KVM_MP_STATE_STOPPED:
            ret.err = S.SBI_ERR_DENIED
            return
    vcpu.reset_state = (ctx.xreg(11), ctx.xreg(12))
    forward(vcpu, ret)


def _forward(vcpu, ret):
    forward(vcpu, ret)


def _sta(vcpu, ret):
    x = vcpu.ctx.x
    ret.err = vcpu.sta.call(int(x[16]), [int(x[10 + i]) for i in range(6)])


def _fwft(vcpu, ret):
    x = vcpu.ctx.x
    ret.err, ret.out = vcpu.fwft.call(int(x[16]), [int(x[10 + i]) for i in range(6)])


K = uapi
# table order is Linux's sbi_ext[] order (the first match of an EID wins)
EXTENSIONS = [
    Ext(K.KVM_RISCV_SBI_EXT_V01, 0x0, 0x8, _v01),
    Ext(None, S.EID_BASE, S.EID_BASE, _base),
    Ext(K.KVM_RISCV_SBI_EXT_TIME, S.EID_TIME, S.EID_TIME, _time),
    Ext(K.KVM_RISCV_SBI_EXT_IPI, S.EID_IPI, S.EID_IPI, _ipi),
    Ext(K.KVM_RISCV_SBI_EXT_RFENCE, S.EID_RFENCE, S.EID_RFENCE, _rfence),
    Ext(K.KVM_RISCV_SBI_EXT_SRST, S.EID_SRST, S.EID_SRST, _srst),
    Ext(K.KVM_RISCV_SBI_EXT_HSM, S.EID_HSM, S.EID_HSM, _hsm),
    Ext(K.KVM_RISCV_SBI_EXT_PMU, S.EID_PMU, S.EID_PMU, _pmu, probe=_pmu_probe),
    Ext(K.KVM_RISCV_SBI_EXT_DBCN, S.EID_DBCN, S.EID_DBCN, _forward, default_disabled=True),
    Ext(K.KVM_RISCV_SBI_EXT_SUSP, S.EID_SUSP, S.EID_SUSP, _susp, default_disabled=True),
    Ext(K.KVM_RISCV_SBI_EXT_STA, S.EID_STA, S.EID_STA, _sta, probe=lambda v: 1 if v.kvm.steal_time else 0,
        state_subtype=0),
    Ext(K.KVM_RISCV_SBI_EXT_FWFT, S.EID_FWFT, S.EID_FWFT, _fwft, state_subtype=1),
    Ext(K.KVM_RISCV_SBI_EXT_MPXY, S.EID_MPXY, S.EID_MPXY, _forward, default_disabled=True),
    Ext(K.KVM_RISCV_SBI_EXT_EXPERIMENTAL, S.EXPERIMENTAL_START, S.EXPERIMENTAL_END, _forward),
    Ext(K.KVM_RISCV_SBI_EXT_VENDOR, S.VENDOR_START, S.VENDOR_END, _forward),
]
BY_KVM_ID = {e.kvm_id: e for e in EXTENSIONS if e.kvm_id is not None}


def initial_status(vcpu):
    """kvm_riscv_vcpu_sbi_init: per KVM SBI id, UNAVAILABLE / ENABLED / DISABLED."""
    st = [STATUS_UNAVAILABLE] * uapi.KVM_RISCV_SBI_EXT_MAX
    for e in EXTENSIONS:
        if e.kvm_id is None:
            continue
        if e.probe is not None and not e.probe(vcpu):
            st[e.kvm_id] = STATUS_UNAVAILABLE
        else:
            st[e.kvm_id] = STATUS_DISABLED if e.default_disabled else STATUS_ENABLED
    return st


def state_ext(vcpu, subtype):
    """kvm_vcpu_sbi_find_ext_withstate: the per-vCPU state object (vcpu.sta / vcpu.fwft) of the
    ENABLED extension whose SBI_STATE subtype is ``subtype``, or None."""
    for e in EXTENSIONS:
        if e.state_subtype == subtype and vcpu.sbi_status[e.kvm_id] == STATUS_ENABLED:
            return vcpu.sta if subtype == 0 else vcpu.fwft
    return None


def find_ext(vcpu, eid):
    """kvm_vcpu_sbi_find_ext: the enabled extension serving ``eid`` (BASE is always on)."""
    for e in EXTENSIONS:
        if e.lo <= eid <= e.hi:
            if e.kvm_id is None or vcpu.sbi_status[e.kvm_id] == STATUS_ENABLED:
                return e
    return None


def ecall(vcpu):
    """kvm_riscv_vcpu_sbi_ecall: serve the guest's ecall; None to continue, or an exit."""
    ctx = vcpu.ctx
    eid = ctx.xreg(17)
    ext = find_ext(vcpu, eid)
    ret = SbiRet()
    is_v01 = False
    if ext is None or ext.handler is None:
        ctx.set_xreg(10, S.SBI_ERR_NOT_SUPPORTED & MASK64)
        ctx.pc = (ctx.pc + 4) & MASK64
        ctx.set_xreg(11, 0)
        return None
    is_v01 = eid <= S.V01_SHUTDOWN
    ext.handler(vcpu, ret)           # a KvmError here fails the run, sepc not advanced
    if ret.utrap is not None:
        redirect_trap(vcpu, ret.utrap[0], ret.utrap[1], ctx.pc)
        if not is_v01:
            ctx.set_xreg(11, ret.out)
        return None
    if ret.uexit is not None:
        return ret.uexit
    ctx.set_xreg(10, ret.err & MASK64)
    ctx.pc = (ctx.pc + 4) & MASK64
    if not is_v01:
        ctx.set_xreg(11, ret.out & MASK64)
    return None


def sbi_return(vcpu, exit_):
    """kvm_riscv_vcpu_sbi_return: complete a forwarded call with the VMM's answer."""
    ctx = vcpu.ctx
    ctx.set_xreg(10, exit_.ret[0] & MASK64)
    ctx.set_xreg(11, exit_.ret[1] & MASK64)
    ctx.pc = (ctx.pc + 4) & MASK64
