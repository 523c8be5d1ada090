"""The GDB stub's target for the KVM model's VMM (``rvemu run --kvm --gdb PORT``,
``Vmm.gdb_serve``): thread N is vCPU N-1, and GDB sees each guest as it sees itself.

* Registers come from and go to the vCPU through KVM_GET/SET_ONE_REG (x, pc, f, fcsr, v
  and the vector CSRs, the guest's S CSRs, which are its VS CSRs on the hart, and the
  mode as ``priv``): ONE_REG first syncs whatever the hart still holds of the vCPU's FP
  and vector state (the lazy SIMD policy can leave it there), so GDB sees and changes
  what the guest will run with.
* Memory is read and written through the guest's translation: its vsatp (VS-stage) over
  the VM's G-stage table, as the hart would walk them for a guest load or store, with the
  vCPU's own vsatp, mode and vsstatus (SUM, MXR); ``monitor phys on`` makes addresses
  guest-physical (G-stage only). Writes go through the host machine, so decoded code on
  the page is dropped.
* Software breakpoints are the host hart's breakpoint set, on guest virtual addresses
  (the hart's decode cache marks the slot of a fetched guest pc): the world switch comes
  back with the hart's EXIT_EBREAK, which KVM_RUN returns as KVM_EXIT_DEBUG. They are
  shared by all vCPUs (GDB's breakpoints are). Resuming a vCPU from its breakpoint steps
  it one instruction with that breakpoint out of the set (the instruction may enter the
  guest twice: a lazy first-use trap re-executes it).
* A single-step runs that vCPU alone for one guest instruction (KVM_RUN with a budget of
  one); an exit it makes (console, MMIO, SBI) is served and completed at once, so its
  registers are final when GDB looks; an SBI call KVM serves itself (or an instruction
  it emulates or redirects to the guest's trap handler) is the whole step.
* Watchpoints use the stub's single-stepping (one KVM_RUN per guest instruction: slow,
  tens of thousands of instructions a second): scalar and vector accesses are predicted
  from the vCPU's registers (x, and vl, vstart, vtype, v0 and index registers through
  ONE_REG) and stop before the instruction; anything else is seen after it in the hart's
  trace record of the guest's accesses (guest virtual addresses).
* Continue runs the vCPUs round-robin, one quantum each (as Vmm.run, steal time
  included), until a breakpoint in any vCPU, Ctrl-C (looked at after each quantum), or
  the guest's end (shutdown: the W reply carries its exit code).
"""
from rvemu.errors import RvemuError
from rvemu.gdbstub import FP_CSRS, Stop, step_accesses
from rvemu.isa.csrs import CSR_BY_NAME
from rvemu.kvm import exits
from rvemu.kvm import uapi as U
from rvemu.kvm.run import _complete, backing_of, host_of, run_vcpu
from rvemu.kvm.vmm import VmmResult
from rvemu.machine.machine import page_pieces

GUEST_CSRS = list(U.CSR_GENERAL_REGS)          # sstatus ... senvcfg (KVM's CSR GENERAL)
VECTOR_CSRS = ["vstart", "vxsat", "vxrm", "vcsr", "vl", "vtype", "vlenb"]
CSR_VSSTATUS = 0x200


class VmmTarget:
    """The stub's view of a Vmm: thread N = vCPU N-1."""

    def __init__(self, vmm):
        self.vmm = vmm
        self.host = host_of(vmm.kvm)
        self.hart = self.host.hart
        self.backing = backing_of(vmm.vm)
        self.backing.sync()                    # the G-stage table exists before any run
        ctx = vmm.vcpus[0].ctx
        self.isa = set(ctx.isa)
        self.vlenb = ctx.vlenb if ("v" in self.isa and ctx.vreg is not None) else 0
        self.has_h = False                     # the guest's own view: no H
        self.threads = list(range(1, len(vmm.vcpus) + 1))
        self.breakpoints = set()
        self.exit_code = None
        self.rr = 0                            # the vCPU whose turn is next
        self.ready_since = {}

    def _v(self, tid):
        return self.vmm.vcpus[tid - 1]

    def thread_name(self, tid):
        return f"vcpu {tid - 1}"

    # ---- registers ----------------------------------------------------------------------
    def _reg_id(self, name, v):
        """The ONE_REG id and a (get, put) pair converting to and from GDB's value."""
        if name == "pc":
            return U.core_reg("pc")
        if name[0] == "x" and name[1:].isdigit():
            return U.reg_id(U.KVM_REG_RISCV_CORE, int(name[1:]))
        if name[0] == "f" and name[1:].isdigit():
            i = int(name[1:])
            if "d" in self.isa:
                return U.reg_id(U.KVM_REG_RISCV_FP_D, i, size=8)
            return U.reg_id(U.KVM_REG_RISCV_FP_F, i, size=4)
        if name[0] == "v" and name[1:].isdigit():
            return U.vector_reg(int(name[1:]), v.ctx.vlenb)
        if name == "priv":
            return U.core_reg("mode")
        if name in GUEST_CSRS:
            return U.csr_reg(name)
        if name in ("vstart", "vcsr", "vl", "vtype", "vlenb"):
            return U.vector_reg(name)
        raise RvemuError(f"no register {name!r} in this guest")

    def _fcsr_id(self):
        if "d" in self.isa:
            return U.reg_id(U.KVM_REG_RISCV_FP_D, 32, size=4)
        return U.reg_id(U.KVM_REG_RISCV_FP_F, 32, size=4)

    def reg_read(self, name, tid):
        v = self._v(tid)
        if name == "x0":
            return 0
        if name in FP_CSRS:
            fcsr = v.get_one_reg(self._fcsr_id())
            return {"fflags": fcsr & 0x1F, "frm": (fcsr >> 5) & 7, "fcsr": fcsr & 0xFF}[name]
        if name in ("vxsat", "vxrm"):
            vcsr = v.get_one_reg(U.vector_reg("vcsr"))
            return vcsr & 1 if name == "vxsat" else (vcsr >> 1) & 3
        val = v.get_one_reg(self._reg_id(name, v))
        if isinstance(val, bytes):
            return int.from_bytes(val, "little")
        if name[0] == "f" and name[1:].isdigit() and "d" not in self.isa:
            val |= 0xFFFFFFFF00000000          # NaN-boxed, as the hart holds it
        return val

    def reg_write(self, name, value, tid):
        v = self._v(tid)
        if name == "x0":
            return
        if name in FP_CSRS:
            fid = self._fcsr_id()
            fcsr = v.get_one_reg(fid)
            if name == "fflags":
                fcsr = (fcsr & ~0x1F) | (value & 0x1F)
            elif name == "frm":
                fcsr = (fcsr & ~0xE0) | ((value & 7) << 5)
            else:
                fcsr = value & 0xFF
            v.set_one_reg(fid, fcsr)
            return
        if name in ("vxsat", "vxrm"):
            vid = U.vector_reg("vcsr")
            vcsr = v.get_one_reg(vid)
            vcsr = (vcsr & ~1) | (value & 1) if name == "vxsat" else \
                (vcsr & ~6) | ((value & 3) << 1)
            v.set_one_reg(vid, vcsr)
            return
        rid = self._reg_id(name, v)
        size = U.KVM_REG_SIZE(rid)
        if name == "priv":
            value = U.KVM_RISCV_MODE_S if value & 3 else U.KVM_RISCV_MODE_U
        value &= (1 << (8 * size)) - 1
        if name[0] == "v" and name[1:].isdigit():
            value = value.to_bytes(size, "little")
        v.set_one_reg(rid, value)

    def csr_list(self):
        names = list(GUEST_CSRS)
        if self.vlenb:
            names += VECTOR_CSRS
        return [(n, CSR_BY_NAME[n]) for n in names]

    def pc(self, tid):
        return self._v(tid).ctx.pc

    def xreg(self, tid, i):
        return int(self._v(tid).ctx.x[i]) if i else 0

    def vstate(self, tid):
        """(VS on in the guest's sstatus, vstart, vl, vtype), through ONE_REG."""
        v = self._v(tid)
        vals = [v.get_one_reg(U.vector_reg(n)) for n in ("vstart", "vl", "vtype")]
        return bool((v.ctx.vsstatus >> 9) & 3), *vals

    # ---- memory -------------------------------------------------------------------------
    def _hpa(self, tid, addr, write, phys):
        """The host physical address of a guest access at addr (virtual, or
        guest-physical with phys), or None if the guest's walk faults."""
        v = self._v(tid)
        c = v.ctx
        hgatp = self.backing.gstage.hgatp
        if phys:
            return self.hart.guest_translate(addr, 0, hgatp, 1, write=write)
        saved = self.hart.csr_read(CSR_VSSTATUS)
        self.hart.csr_write(CSR_VSSTATUS, c.vsstatus)    # its SUM and MXR
        try:
            return self.hart.guest_translate(addr, c.vsatp, hgatp, c.mode, write=write)
        finally:
            self.hart.csr_write(CSR_VSSTATUS, saved)

    def _pieces(self, addr, size, tid, write, phys):
        return page_pieces(addr, size, lambda a: self._hpa(tid, a, write, phys),
                           f"guest {'store' if write else 'load'}")

    def read(self, addr, n, tid, phys):
        m = self.host.machine
        return b"".join(m.mem_read(hpa, k) for hpa, k in self._pieces(addr, n, tid, False, phys))

    def write(self, addr, data, tid, phys):
        m = self.host.machine
        data = bytes(data)
        off = 0
        for hpa, k in self._pieces(addr, len(data), tid, True, phys):
            m.mem_write(hpa, data[off:off + k])         # drops decoded code there
            off += k

    # ---- breakpoints --------------------------------------------------------------------
    def add_breakpoint(self, addr):
        self.breakpoints.add(int(addr))
        self.hart.set_breakpoints(self.breakpoints)

    def remove_breakpoint(self, addr):
        self.breakpoints.discard(int(addr))
        self.hart.set_breakpoints(self.breakpoints)

    # ---- running ------------------------------------------------------------------------
    def _result(self, reason, code=None):
        return VmmResult(reason, code, self.vmm.instructions, 0.0)

    def _turn(self, v, q, step=False):
        """Run v for at most q guest instructions and serve its exit: (instructions
        run, exit, Stop or None). step: a trap KVM serves itself counts as one."""
        vmm = self.vmm
        tid = vmm.vcpus.index(v) + 1
        before = v.hw_counts.get(2, 0)
        try:
            ex = run_vcpu(v, max_insns=q, count_traps=step)
        except RvemuError:
            vmm.instructions += v.hw_counts.get(2, 0) - before
            return 0, None, Stop("segv", tid, result=self._result("error"))
        ran = v.hw_counts.get(2, 0) - before
        vmm.instructions += ran
        vmm.exit_counts[v.vcpu_id][ex.reason_name] += 1
        if ex.reason == exits.KVM_EXIT_DEBUG:
            return ran, ex, Stop("break", tid, result=self._result("debug"))
        stop = vmm.serve_exit(v, ex)
        _complete(v)          # its registers as the exit leaves them (pc past an MMIO ...)
        if stop is not None:
            reason, code = stop
            if reason in ("shutdown", "reset"):
                self.exit_code = code or 0
                return ran, ex, Stop("exit", tid, self.exit_code, result=self._result(reason, code))
            return ran, ex, Stop("segv", tid, result=self._result(reason, code))
        return ran, ex, None

    def step(self, tid, skip):
        """One guest instruction of vCPU tid-1 alone. skip: even if a breakpoint is at
        its pc: that breakpoint is out of the hart's set during the step, since the
        instruction may enter the guest twice (a lazy first-use trap, a host interrupt)."""
        v = self._v(tid)
        if v.mp_state != U.KVM_MP_STATE_RUNNABLE:
            return Stop("idle", tid, moved=False, result=self._result("idle"))
        pc = v.ctx.pc
        held = skip and pc in self.breakpoints
        if held:
            self.hart.set_breakpoints(self.breakpoints - {pc})
        try:
            ran, ex, st = self._turn(v, 1, step=True)
        finally:
            if held:
                self.hart.set_breakpoints(self.breakpoints)
        if st is not None:
            return st
        moved = ran > 0 or v.ctx.pc != pc
        return Stop("step" if moved else "idle", tid, moved=moved, result=self._result("budget"))

    def resume(self, skip_tid, poll, budget=None):
        """The VMM's round-robin (as Vmm.run) until a stop; poll() after each quantum
        says whether the client interrupted. budget: stop (kind 'step') after about that
        many guest instructions."""
        vmm = self.vmm
        vcpus = vmm.vcpus
        n = len(vcpus)
        hart = self.hart
        if skip_tid:     # over the breakpoint it stopped at, before the others run
            v = self._v(skip_tid)
            if v.ctx.pc in self.breakpoints and v.mp_state == U.KVM_MP_STATE_RUNNABLE:
                st = self.step(skip_tid, True)
                if st.kind not in ("step", "idle"):
                    return st
        ran_total = 0
        turns = 0
        progressed = False
        last_tid = skip_tid or 1
        while True:
            v = vcpus[self.rr]
            tid = self.rr + 1
            self.rr = (self.rr + 1) % n
            if v.mp_state != U.KVM_MP_STATE_RUNNABLE:
                self.ready_since.pop(v.vcpu_id, None)
            else:
                since = self.ready_since.pop(v.vcpu_id, None)
                if since is not None and hart.mtime > since:
                    v.record_steal_time((hart.mtime - since) * 1_000_000_000 // vmm.kvm.timebase)
                q = vmm.quantum if budget is None else max(1, min(vmm.quantum, budget - ran_total))
                ran, ex, st = self._turn(v, q)
                last_tid = tid
                if st is not None:
                    return st
                ran_total += ran
                progressed |= ran > 0 or ex.reason != exits.KVM_EXIT_INTR
                if v.mp_state == U.KVM_MP_STATE_RUNNABLE and not v.waiting:
                    self.ready_since[v.vcpu_id] = hart.mtime
            turns += 1
            if turns % n == 0:
                if not progressed:    # every vCPU waits for what can never come
                    return Stop("idle", last_tid, moved=ran_total > 0, result=self._result("idle"))
                progressed = False
            if budget is not None and ran_total >= budget:
                return Stop("step", last_tid, moved=True, result=self._result("budget"))
            if budget is None and poll():
                return Stop("int", last_tid, result=self._result("budget"))

    def set_step_log(self, on):
        old = self.hart.step_log
        self.hart.step_log = on
        step_accesses(self.hart)         # forget accesses from before
        return old

    def accesses(self, tid):
        """The guest data accesses of the last step (guest virtual addresses): the
        hart ran only that vCPU."""
        return step_accesses(self.hart)

    def finish(self):
        """After a detach: the VMM runs the guest to its end."""
        return self.vmm.run()
