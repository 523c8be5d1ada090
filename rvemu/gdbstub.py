"""A GDB remote serial protocol stub for a :class:`~rvemu.machine.machine.Machine` (one
hart or several) and for the KVM model's VMM (:class:`~rvemu.kvm.vmm.Vmm`, its vCPUs).

``Machine.gdb_serve(port)``, ``Vmm.gdb_serve(port)`` (or ``rvemu run guest.elf --gdb PORT``,
with ``--harts N`` or ``--kvm [--vcpus N]``) listen on 127.0.0.1, serve one client, and
return when that client detaches, kills, or goes away.

What it speaks: packet framing with checksums and +/- acks, QStartNoAckMode, qSupported
(PacketSize, qXfer:features:read+, swbreak+), a target description (core x0-x31/pc, FPU
f0-f31/fflags/frm/fcsr, the CSRs the configured hart implements, and ``priv``), ``?``,
g/G (x0-x31 and pc; everything else through p/P), p/P, m/M/X, Z0/Z1 breakpoints (the
core's breakpoint set, at most 16), Z2 write, Z3 read and Z4 access watchpoints, s, c,
C, S, vCont, Ctrl-C, D (the guest then runs to its end), k, qAttached, threads (qC,
qfThreadInfo/qsThreadInfo, qThreadExtraInfo, T, Hg/Hc), T/W stop replies, and
``monitor help|phys``.

Threads: each hart of a Machine is a thread (thread N = hart N-1); under the VMM each
vCPU is one (thread N = vCPU N-1). All-stop: a continue runs every hart (the machine's
round-robin slices; the VMM's round-robin of vCPUs) until one of them stops (breakpoint,
watchpoint, Ctrl-C, the guest's end), and the stop reply names that thread. A single-step
(s, or vCont;s:N) runs only the stepped thread one instruction: the other harts or vCPUs
stay still meanwhile (a vCont's c action for the others is not run with it). Hg picks the
thread whose registers and memory (through its own translation) g/G/p/P/m/M/X see.

Register numbers are GDB's RISC-V numbers: x0-x31 = 0-31, pc = 32, f0-f31 = 33-64,
a CSR numbered n = 65 + n (fflags 66, frm 67, fcsr 68), priv = 4161.

Limits, in the open:

* Memory access (m/M/X and watchpoints) goes through the selected thread's current
  translation (satp, privilege, MPRV/SUM/MXR; with V=1 vsatp then hgatp); ``monitor
  phys on`` switches to (guest-)physical memory (``monitor phys off`` back).
* Watchpoints single-step (correct, but a few hundred thousand instructions a second on
  a machine, tens of thousands under the VMM; with several threads they take turns one
  instruction each). Before each step the instruction's scalar accesses are worked out
  (loads, stores, FP, AMO/LR/SC, RVC: predict_access); one that touches a watched range
  stops the thread *before* it runs, as GDB's RISC-V target expects (its watchpoints are
  "non-steppable": GDB steps over the access itself, then compares values); so do RVV
  loads and stores (predict_vector_access: their element addresses from vl, vstart,
  vtype, the mask and index registers). A plain store of the bytes already there is no
  change and does not stop. What cannot be told beforehand (HLV/HSV, cache-block ops, a
  device or another hart changing memory) is seen after the step: Z2 compares the watched
  bytes, Z3/Z4 use the hart's trace record of the step's accesses; such a stop comes one
  instruction late. While every thread waits (WFI) the threads run normally
  for a while and the write watchpoints are compared after.
* With V, v0..v31 in org.gnu.gdb.riscv.vector at the configured VLEN; with H, the H and VS
  CSRs and the V bit ("virt" beside "priv"). Under the VMM the target is the guest as it
  sees itself: its S CSRs (KVM's CSR registers: sstatus is the vCPU's vsstatus ...), priv
  1 (VS) or 0 (VU), no H.
"""
import select
import socket

from rvemu.isa.csrs import CSRS
from rvemu.isa.regs import F_ABI, X_ABI

SLICE = 1 << 20            # instructions per run() call while continuing: Ctrl-C latency
PACKET_SIZE = 0x4000
MAX_WATCH = 0x1000         # the longest watched range one Z2/Z3/Z4 may set
REG_PC = 32
REG_F0 = 33
REG_CSR0 = 65
REG_PRIV = 65 + 4096
REG_V0 = REG_PRIV + 1         # v0..v31 (org.gnu.gdb.riscv.vector, with a vector unit)
REG_VIRT = REG_V0 + 32        # the V bit (org.gnu.gdb.riscv.virtual, with H)
SIGINT, SIGTRAP, SIGSEGV = 2, 5, 11
FP_CSRS = {"fflags": 0x001, "frm": 0x002, "fcsr": 0x003}


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape_binary(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape_binary(data: bytes) -> bytes:
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("escape at end of binary data")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def _le_hex(value: int, nbytes: int) -> str:
    return (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little").hex()


class _Disconnected(Exception):
    pass


class Stop:
    """What ended a step or a continue. kind: 'step' (the step ended, or the run was cut
    short), 'break' (a breakpoint), 'exit' (the guest finished: code), 'segv' (a trap
    loop, or an exit nobody can serve), 'int' (Ctrl-C), 'idle' (the thread could not
    move: stopped, or waiting in WFI). tid: the thread it concerns. moved: the step
    ran something. result: the run's result object (RunResult / VmmResult), if any."""
    __slots__ = ("kind", "tid", "code", "moved", "result")

    def __init__(self, kind, tid, code=None, moved=True, result=None):
        self.kind, self.tid, self.code, self.moved, self.result = kind, tid, code, moved, result


class MachineTarget:
    """The stub's view of a Machine: thread N = hart N-1."""

    def __init__(self, m):
        self.m = m
        self.isa = m.isa
        self.vlenb = m.hart.vlenb if m.hart.v is not None else 0
        self.has_h = "h" in m.isa
        self.threads = list(range(1, m.nharts + 1))
        self.exit_code = None

    # registers
    def reg_read(self, name, tid):
        v = self.m.reg_read(name, hart=tid - 1)
        return int.from_bytes(v, "little") if isinstance(v, bytes) else v

    def reg_write(self, name, value, tid):
        if name == "priv":
            value &= 3
        elif name == "virt":
            value &= 1
        self.m.reg_write(name, value, hart=tid - 1)

    def csr_list(self):
        out = []
        for name, num, ext in CSRS:
            if name in FP_CSRS or (ext != "i" and ext not in self.m.isa):
                continue
            try:
                self.m.reg_read(name)
            except Exception:   # not implemented in this configuration
                continue
            out.append((name, num))
        return out

    def thread_name(self, tid):
        return f"hart {tid - 1}"

    def pc(self, tid):
        return self.m.reg_read("pc", hart=tid - 1)

    def xreg(self, tid, i):
        return int(self.m.harts[tid - 1].x[i]) if i else 0

    def vstate(self, tid):
        """(VS on, vstart, vl, vtype) of hart tid-1's vector unit."""
        h = self.m.harts[tid - 1]
        vstart, vl, vtype, _ = h.vector_csrs
        on = (h.csr_read(0x300) >> 9) & 3 and (not h.virt or (h.csr_read(0x200) >> 9) & 3)
        return bool(on), vstart, vl, vtype

    # memory
    def read(self, addr, n, tid, phys):
        return self.m.mem_read(addr, n) if phys else self.m.virt_read(addr, n, hart=tid - 1)

    def write(self, addr, data, tid, phys):
        if phys:
            self.m.mem_write(addr, data)
        else:
            self.m.virt_write(addr, data, hart=tid - 1)

    # breakpoints
    @property
    def breakpoints(self):
        return self.m.breakpoints

    def add_breakpoint(self, addr):
        self.m.add_breakpoint(addr)

    def remove_breakpoint(self, addr):
        self.m.remove_breakpoint(addr)

    # running
    def _hart_of_stop(self):
        g = self.m.group
        if g is None:
            return 1
        return (g.last if g.last >= 0 else g.cur) + 1

    def _stop(self, res, tid):
        self.m._at_breakpoint = False     # the stub decides what a resume steps over
        if res.reason == "halt":
            self.exit_code = self.m.exit_code or 0
            return Stop("exit", tid, self.exit_code, result=res)
        if res.reason == "breakpoint":
            return Stop("break", tid, result=res)
        if res.reason == "trap_loop":
            return Stop("segv", tid, result=res)
        if res.reason == "idle":
            return Stop("idle", tid, moved=res.instructions > 0, result=res)
        return Stop("step", tid, moved=True, result=res)   # budget, reset, stopped

    def step(self, tid, skip):
        """One instruction of hart tid-1 alone. skip: even if a breakpoint is at its pc
        (that breakpoint is out of the set during the step, so an instruction that runs
        twice, an MMIO access served in Python, cannot stop at it again)."""
        h = self.m.harts[tid - 1]
        held = skip and h.pc in self.m.breakpoints
        if held:
            self.m._set_breakpoints(self.m.breakpoints - {h.pc})
        before = h.instret + h.traps
        try:
            res = self.m.run_hart(tid - 1, 1)
        finally:
            if held:
                self.m._set_breakpoints(self.m.breakpoints)
        st = self._stop(res, tid)
        st.moved = h.instret + h.traps != before
        return st

    def resume(self, skip_tid, poll, budget=None):
        if skip_tid and self.m.harts[skip_tid - 1].pc in self.m.breakpoints:
            st = self.step(skip_tid, True)      # off the breakpoint it stopped at
            if st.kind not in ("step", "idle"):
                return st
        while True:
            res = self.m.run(max_insns=SLICE if budget is None else budget)
            if res.reason != "budget":
                return self._stop(res, self._hart_of_stop())
            if budget is not None:
                return Stop("step", self._hart_of_stop(), result=res)
            if poll():
                self.m._at_breakpoint = False
                return Stop("int", self._hart_of_stop(), result=res)

    def set_step_log(self, on):
        old = self.m.hart.step_log
        for h in self.m.harts:
            h.step_log = on
            h.last_mem_access()      # forget accesses from before
            if h.v is not None:
                h.vector_mem_log()
        return old

    def accesses(self, tid):
        """The data accesses of the thread's last step: (va, size, is_store, data)."""
        return step_accesses(self.m.harts[tid - 1])

    def finish(self):
        """After a detach: run to the end."""
        return self.m.run()


def _sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _bit(w, i):
    return (w >> i) & 1


def predict_access(insn, xreg):
    """The data accesses the instruction would make with the registers as they are, as
    [(address, size, reads, writes, data)] (data: the register a plain store writes,
    ("x", n) or ("f", n), else None); [] if it makes none; None if it cannot be told
    beforehand (vector loads and stores, the hypervisor's HLV/HSV, cache-block ops).
    xreg(i): the value of x[i]. From the base formats of the unprivileged spec (RV64 loads,
    stores, FP loads and stores, A, Zacas, RVC and Zcb)."""
    m64 = (1 << 64) - 1
    if insn & 3 != 3:                                     # RVC
        q, f3 = insn & 3, (insn >> 13) & 7
        rs1p = ((insn >> 7) & 7) + 8
        if q == 0:
            base = xreg(rs1p)
            rs2p = ((insn >> 2) & 7) + 8
            if f3 in (2, 6):                              # c.lw / c.sw
                off = (((insn >> 10) & 7) << 3) | (_bit(insn, 6) << 2) | (_bit(insn, 5) << 6)
                return [((base + off) & m64, 4, f3 == 2, f3 == 6, ("x", rs2p) if f3 == 6 else None)]
            if f3 in (1, 3, 5, 7):                        # c.fld c.ld c.fsd c.sd
                off = (((insn >> 10) & 7) << 3) | (((insn >> 5) & 3) << 6)
                data = ("f" if f3 == 5 else "x", rs2p) if f3 > 4 else None
                return [((base + off) & m64, 8, f3 < 4, f3 > 4, data)]
            if f3 == 4:                                   # Zcb
                f6 = (insn >> 10) & 0x3F
                if f6 == 0x20:                            # c.lbu
                    return [((base + (_bit(insn, 6) | (_bit(insn, 5) << 1))) & m64, 1, True,
                             False, None)]
                if f6 in (0x21, 0x23):                    # c.lhu/c.lh, c.sh
                    return [((base + (_bit(insn, 5) << 1)) & m64, 2, f6 == 0x21, f6 == 0x23,
                             ("x", rs2p) if f6 == 0x23 else None)]
                if f6 == 0x22:                            # c.sb
                    return [((base + (_bit(insn, 6) | (_bit(insn, 5) << 1))) & m64, 1, False,
                             True, ("x", rs2p))]
            return []
        if q == 2:
            sp = xreg(2)
            rs2 = (insn >> 2) & 31
            if f3 == 2:                                   # c.lwsp
                off = (_bit(insn, 12) << 5) | (((insn >> 4) & 7) << 2) | (((insn >> 2) & 3) << 6)
                return [((sp + off) & m64, 4, True, False, None)]
            if f3 in (1, 3):                              # c.fldsp c.ldsp
                off = (_bit(insn, 12) << 5) | (((insn >> 5) & 3) << 3) | (((insn >> 2) & 7) << 6)
                return [((sp + off) & m64, 8, True, False, None)]
            if f3 == 6:                                   # c.swsp
                off = (((insn >> 9) & 0xF) << 2) | (((insn >> 7) & 3) << 6)
                return [((sp + off) & m64, 4, False, True, ("x", rs2))]
            if f3 in (5, 7):                              # c.fsdsp c.sdsp
                off = (((insn >> 10) & 7) << 3) | (((insn >> 7) & 7) << 6)
                return [((sp + off) & m64, 8, False, True, ("f" if f3 == 5 else "x", rs2))]
        return []
    op, f3 = insn & 0x7F, (insn >> 12) & 7
    rs1 = (insn >> 15) & 31
    if op in (0x03, 0x07):                                # LOAD, LOAD-FP
        if op == 0x07 and f3 in (0, 5, 6, 7):
            return None                                   # a vector load
        size = {0: 1, 1: 2, 2: 4, 3: 8, 4: 1 if op == 0x03 else 16, 5: 2, 6: 4}.get(f3)
        if size is None:
            return []
        return [((xreg(rs1) + _sx(insn >> 20, 12)) & m64, size, True, False, None)]
    if op in (0x23, 0x27):                                # STORE, STORE-FP
        if op == 0x27 and f3 in (0, 5, 6, 7):
            return None                                   # a vector store
        if f3 > 4:
            return []
        imm = _sx(((insn >> 25) << 5) | ((insn >> 7) & 31), 12)
        return [((xreg(rs1) + imm) & m64, 1 << f3, False, True,
                 ("x" if op == 0x23 else "f", (insn >> 20) & 31))]
    if op == 0x2F and f3 in (2, 3, 4):                    # AMO, LR, SC (Zacas: 16)
        f5 = insn >> 27
        return [(xreg(rs1), 1 << f3, f5 != 3, f5 != 2, None)]
    if op == 0x0F and f3 == 2:                            # cbo.*
        return None
    if op == 0x73 and f3 == 4:                            # HLV/HSV
        return None
    return []


def predict_vector_access(insn, xreg, vstate, vreg, vlenb):
    """The element accesses of an RVV 1.0 load or store (LOAD-FP/STORE-FP with a vector
    width) as [(address, size, reads, writes, None)], from the vector state as it is:
    vstate() = (VS enabled, vstart, vl, vtype), vreg(n) = register n's bytes. Unit-stride
    (segments, fault-only-first as if nothing faults), strided, indexed, whole-register
    and mask loads and stores, masked elements left out; [] when the instruction would
    trap instead (VS off, vill). None: not a vector load or store."""
    op, width = insn & 0x7F, (insn >> 12) & 7
    if op not in (0x07, 0x27) or width not in (0, 5, 6, 7):
        return None
    on, vstart, vl, vtype = vstate()
    if not on or vtype >> 63:
        return []
    m64 = (1 << 64) - 1
    store = op == 0x27
    eew = {0: 1, 5: 2, 6: 4, 7: 8}[width]            # bytes
    nf = ((insn >> 29) & 7) + 1
    mop = (insn >> 26) & 3
    vm = (insn >> 25) & 1
    umop = (insn >> 20) & 31
    base = xreg((insn >> 15) & 31)
    if mop == 0 and umop == 8:                        # whole registers
        return [((base + i * eew) & m64, eew, not store, store, None)
                for i in range(vstart, nf * vlenb // eew)]
    if mop == 0 and umop == 11:                       # vlm.v / vsm.v
        return [((base + i) & m64, 1, not store, store, None)
                for i in range(vstart, (vl + 7) // 8)]
    mask = None if vm else int.from_bytes(vreg(0), "little")
    sew = 1 << (3 + ((vtype >> 3) & 7)) >> 3          # bytes
    out = []
    if mop in (1, 3):                                 # indexed: data SEW, index EEW
        idx = vreg((insn >> 20) & 31)
        # (the index elements of a group past one register: read on from the next ones)
        group = [idx]
        for i in range(vstart, vl):
            if mask is not None and not (mask >> i) & 1:
                continue
            k = i * eew
            while k + eew > len(b"".join(group)):
                group.append(vreg(((insn >> 20) & 31) + len(group)))
            off = int.from_bytes(b"".join(group)[k:k + eew], "little")
            for f in range(nf):
                out.append(((base + off + f * sew) & m64, sew, not store, store, None))
        return out
    stride = nf * eew if mop == 0 else xreg((insn >> 20) & 31)
    if mop == 2 and stride >> 63:
        stride -= 1 << 64
    for i in range(vstart, vl):
        if mask is not None and not (mask >> i) & 1:
            continue
        for f in range(nf):
            out.append(((base + i * stride + f * eew) & m64, eew, not store, store, None))
    return out


def step_accesses(h):
    """The data accesses of a hart's last step in trace mode (step_log): the scalar
    record, and each element of a vector load or store; as (va, size, is_store, data)."""
    out = []
    acc = h.last_mem_access()
    if acc is not None:
        out.append(acc)
    if h.v is not None:
        out += h.vector_mem_log()
    return out


class _Register:
    __slots__ = ("name", "num", "bits", "type", "group", "read", "write")

    def __init__(self, name, num, bits, typ, group, read, write):
        self.name, self.num, self.bits, self.type, self.group = name, num, bits, typ, group
        self.read, self.write = read, write


def target_of(obj):
    """The stub's target for a Machine, a Vmm, or a ready-made target."""
    from rvemu.machine.machine import Machine
    if isinstance(obj, Machine):
        return MachineTarget(obj)
    from rvemu.kvm.vmm import Vmm
    if isinstance(obj, Vmm):
        from rvemu.kvm.gdb import VmmTarget
        return VmmTarget(obj)
    return obj


class GdbStub:
    """The stub for one machine or VMM. ``serve()`` waits for a client and serves it."""

    def __init__(self, machine, port=1234, host="127.0.0.1"):
        self.m = machine
        self.t = target_of(machine)
        self.phys = False       # memory through the current translation (monitor phys on: RAM)
        self.regs = {}
        self.features = []      # (feature name, [registers])
        self.g_tid = self.t.threads[0]     # the thread g/G/p/P/m/M see (Hg)
        self.c_tid = 0                     # the thread s/c act on (Hc; 0: the stopped one)
        self.stop_tid = self.t.threads[0]  # the thread of the last stop
        self._build_registers()
        self.xml = self._target_xml().encode()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.conn = None
        self.noack = False
        self.swbreak = False
        self.watchpoints = {}   # addr -> (length, tid) (write watchpoints)
        self.rwatch = {}        # addr -> length (read watchpoints, Z3)
        self.awatch = {}        # addr -> length (access watchpoints, Z4)
        self.outcome = None     # 'detach', 'kill', 'disconnect'
        self.last_result = None  # the RunResult (VmmResult) of the last run, if any
        self.exited = False
        self.exit_code = None
        self._inbuf = bytearray()
        self._last_sent = b""
        self._watch_stop = None   # (tid, pc) of a stop before an access it would make
        self._no_predict = None

    # ---- registers and the target description -------------------------------------------
    def _reg(self, name, num, bits, typ, group):
        t = self

        def read(name=name):
            return t.t.reg_read(name, t.g_tid)

        def write(v, name=name):
            t.t.reg_write(name, v, t.g_tid)
        return _Register(name, num, bits, typ, group, read, write)

    def _build_registers(self):
        tg = self.t
        core = []
        for i in range(32):
            r = self._reg(f"x{i}", i, 64,
                          "code_ptr" if i == 1 else "data_ptr" if i in (2, 3, 4) else "int", None)
            r.name = X_ABI[i]
            core.append(r)
        core.append(self._reg("pc", REG_PC, 64, "code_ptr", None))
        self.features.append(("org.gnu.gdb.riscv.cpu", core))
        if "f" in tg.isa:
            fpu = []
            for i in range(32):
                r = self._reg(f"f{i}", REG_F0 + i, 64, "riscv_double", None)
                r.name = F_ABI[i]
                fpu.append(r)
            for name, num in FP_CSRS.items():
                fpu.append(self._reg(name, REG_CSR0 + num, 32, "int", "float"))
            self.features.append(("org.gnu.gdb.riscv.fpu", fpu))
        csrs = [self._reg(name, REG_CSR0 + num, 64, "int", "csr") for name, num in tg.csr_list()]
        self.features.append(("org.gnu.gdb.riscv.csr", csrs))
        if tg.vlenb:
            vlen = 8 * tg.vlenb
            self.features.append(("org.gnu.gdb.riscv.vector", [
                self._reg(f"v{i}", REG_V0 + i, vlen, "riscv_vector", "vector") for i in range(32)]))
        virtual = [self._reg("priv", REG_PRIV, 64, "int", "general")]
        if tg.has_h:  # the V bit: 1 in VS/VU mode
            virtual.append(self._reg("virt", REG_VIRT, 64, "int", "general"))
        self.features.append(("org.gnu.gdb.riscv.virtual", virtual))
        for _, regs in self.features:
            for r in regs:
                self.regs[r.num] = r
        self.g_regs = core

    def _target_xml(self):
        lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
                 "<target>", "<architecture>riscv:rv64</architecture>"]
        for fname, regs in self.features:
            lines.append(f'<feature name="{fname}">')
            if fname.endswith(".fpu"):
                lines.append('<union id="riscv_double"><field name="float" type="ieee_single"/>'
                             '<field name="double" type="ieee_double"/></union>')
            if fname.endswith(".vector"):   # the element views of a vector register, as QEMU
                n = self.t.vlenb
                lines += [f'<vector id="bytes" type="uint8" count="{n}"/>',
                          f'<vector id="shorts" type="uint16" count="{n // 2}"/>',
                          f'<vector id="words" type="uint32" count="{n // 4}"/>',
                          f'<vector id="longs" type="uint64" count="{n // 8}"/>',
                          f'<vector id="quads" type="uint128" count="{max(1, n // 16)}"/>',
                          '<union id="riscv_vector"><field name="b" type="bytes"/>'
                          '<field name="s" type="shorts"/><field name="w" type="words"/>'
                          '<field name="l" type="longs"/><field name="q" type="quads"/>'
                          '</union>']
            for r in regs:
                group = f' group="{r.group}"' if r.group else ""
                lines.append(f'<reg name="{r.name}" bitsize="{r.bits}" type="{r.type}" '
                             f'regnum="{r.num}"{group}/>')
            lines.append("</feature>")
        lines.append("</target>")
        return "\n".join(lines) + "\n"

    def _reg_hex(self, r):
        try:
            return _le_hex(r.read(), r.bits // 8)
        except Exception:
            return "xx" * (r.bits // 8)

    # ---- transport ------------------------------------------------------------------------
    def _recv_some(self, timeout=None):
        if timeout is not None:
            ready, _, _ = select.select([self.conn], [], [], timeout)
            if not ready:
                return False
        try:
            data = self.conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            raise _Disconnected()
        self._inbuf += data
        return True

    def _send_raw(self, data: bytes):
        try:
            self.conn.sendall(data)
        except OSError:
            raise _Disconnected() from None

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        pkt = b"$" + payload + b"#%02x" % checksum(payload)
        self._last_sent = pkt
        self._send_raw(pkt)

    def _next_packet(self):
        """The next well-formed packet's payload (bytes), or b'\\x03' for an interrupt."""
        while True:
            buf = self._inbuf
            while buf and buf[0] != ord("$"):
                c = buf.pop(0)
                if c == 0x03:
                    return b"\x03"
                if c == ord("-") and self._last_sent and not self.noack:
                    self._send_raw(self._last_sent)
                # '+' and noise are dropped
            if buf:
                end = buf.find(b"#")
                if end >= 0 and len(buf) >= end + 3:
                    payload = bytes(buf[1:end])
                    cs = bytes(buf[end + 1:end + 3])
                    del buf[:end + 3]
                    try:
                        ok = int(cs, 16) == checksum(payload)
                    except ValueError:
                        ok = False
                    if not self.noack:
                        self._send_raw(b"+" if ok else b"-")
                    if ok or self.noack:
                        return payload
                    continue
                if len(buf) > 4 * PACKET_SIZE:   # no end marker in sight: drop the junk
                    buf.clear()
            self._recv_some()

    # ---- serving --------------------------------------------------------------------------
    def serve(self):
        """Accept one client and serve it; returns the outcome ('detach', 'kill',
        'disconnect'). After a detach the guest has run to its end (see last_result)."""
        try:
            self.conn, _ = self.sock.accept()
        finally:
            self.sock.close()
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while self.outcome is None:
                pkt = self._next_packet()
                if pkt == b"\x03":
                    continue   # already stopped
                try:
                    reply = self.handle(pkt)
                except _Disconnected:
                    raise
                except Exception:   # a malformed packet never takes the server down
                    reply = "E01"
                if reply is not None:
                    self.send(reply)
        except _Disconnected:
            self.outcome = self.outcome or "disconnect"
            self._clear_debug_state()      # as QEMU: a client that goes away takes its
        finally:                           # breakpoints and watchpoints with it
            try:
                self.conn.close()
            except OSError:
                pass
        if self.outcome == "detach" and not self.exited:
            self.last_result = self.t.finish()
            self.exited = self.last_result.reason in ("halt", "shutdown")
        return self.outcome

    def _tid(self, text):
        """A thread id of a packet: N, 0 (any) or -1 (all); ValueError if unknown."""
        if text.startswith("p"):         # multiprocess syntax pPID.TID
            text = text.partition(".")[2] or "-1"
        n = -1 if text == "-1" else int(text, 16)
        if n not in (0, -1) and n not in self.t.threads:
            raise ValueError(f"no thread {n}")
        return n

    def handle(self, pkt: bytes):
        """The reply to one packet (str/bytes), or None for no reply."""
        if not pkt:
            return ""
        cmd = chr(pkt[0])
        if cmd == "X":            # binary payload: do not decode as text
            return self._write_mem_binary(pkt[1:])
        text = pkt.decode("latin-1")
        body = text[1:]
        if cmd == "?":
            return self._stop_reply(SIGTRAP, self.stop_tid)
        if cmd == "g":
            return "".join(self._reg_hex(r) for r in self.g_regs)
        if cmd == "G":
            data = bytes.fromhex(body)
            for i, r in enumerate(self.g_regs):
                chunk = data[i * 8:(i + 1) * 8]
                if len(chunk) < 8:
                    break
                if i:                    # x0 is hardwired
                    r.write(int.from_bytes(chunk, "little"))
            return "OK"
        if cmd == "p":
            r = self.regs.get(int(body, 16))
            return self._reg_hex(r) if r else "E01"
        if cmd == "P":
            num, val = body.split("=")
            r = self.regs.get(int(num, 16))
            if r is None:
                return "E01"
            data = bytes.fromhex(val)
            if r.num == 0:
                return "OK"              # x0 is hardwired
            r.write(int.from_bytes(data[:r.bits // 8], "little"))
            return "OK"
        if cmd == "m":
            addr, length = (int(x, 16) for x in body.split(","))
            if length > PACKET_SIZE // 2:
                length = PACKET_SIZE // 2
            try:
                return self._read(addr, length).hex()
            except Exception:
                return "E14"
        if cmd == "M":
            where, data = body.split(":")
            addr, length = (int(x, 16) for x in where.split(","))
            raw = bytes.fromhex(data)
            if len(raw) != length:
                return "E01"
            try:
                self._write(addr, raw)
            except Exception:
                return "E14"
            return "OK"
        if cmd in "Zz":
            return self._breakpoint(cmd == "Z", body)
        if cmd == "s":
            tid = self._resume_tid()
            self._set_pc(body, tid)
            return self._step(tid)
        if cmd == "c":
            self._set_pc(body, self._resume_tid())
            return self._continue()
        if cmd in "CS":   # with a signal: the signal is ignored (no signals in a bare machine)
            parts = body.split(";", 1)
            tid = self._resume_tid()
            if len(parts) > 1:
                self._set_pc(parts[1], tid)
            return self._step(tid) if cmd == "S" else self._continue()
        if cmd == "v":
            return self._v_packet(text)
        if cmd == "q" or cmd == "Q":
            return self._query(text)
        if cmd == "H":
            if not body or body[0] not in "gc":
                return "E01"
            n = self._tid(body[1:])
            if body[0] == "g":
                self.g_tid = self.stop_tid if n in (0, -1) else n
            else:
                self.c_tid = 0 if n in (0, -1) else n
            return "OK"
        if cmd == "T":
            try:
                n = self._tid(body)
            except ValueError:
                return "E01"
            return "OK" if n > 0 else "E01"
        if cmd == "D":
            self.outcome = "detach"
            self._clear_debug_state()
            return "OK"
        if cmd == "k":
            self.outcome = "kill"
            self._clear_debug_state()
            return None
        return ""

    def _resume_tid(self):
        return self.c_tid or self.stop_tid

    def _clear_debug_state(self):
        for addr in list(self.t.breakpoints):
            self.t.remove_breakpoint(addr)
        self.watchpoints.clear()
        self.rwatch.clear()
        self.awatch.clear()

    def _set_pc(self, body, tid):
        if body:
            self.t.reg_write("pc", int(body, 16), tid)

    # ---- queries --------------------------------------------------------------------------
    def _query(self, text):
        if text.startswith("qSupported"):
            features = text.partition(":")[2].split(";")
            self.swbreak = "swbreak+" in features
            return (f"PacketSize={PACKET_SIZE:x};qXfer:features:read+;QStartNoAckMode+;"
                    "swbreak+;hwbreak+;vContSupported+")
        if text == "QStartNoAckMode":
            self.send("OK")
            self.noack = True
            return None
        if text.startswith("qXfer:features:read:"):
            annex, _, span = text[len("qXfer:features:read:"):].partition(":")
            if annex != "target.xml":
                return "E00"
            off, length = (int(x, 16) for x in span.split(","))
            chunk = self.xml[off:off + length]
            return (b"m" if off + length < len(self.xml) else b"l") + escape_binary(chunk)
        if text == "qAttached":
            return "1"
        if text == "qC":
            return f"QC{self.stop_tid:x}"
        if text == "qfThreadInfo":
            return "m" + ",".join(f"{t:x}" for t in self.t.threads)
        if text == "qsThreadInfo":
            return "l"
        if text.startswith("qThreadExtraInfo,"):
            n = self._tid(text.split(",", 1)[1])
            return self.t.thread_name(n if n > 0 else self.stop_tid).encode().hex()
        if text == "qSymbol::":
            return "OK"
        if text.startswith("qRcmd,"):
            return self._monitor(bytes.fromhex(text[6:]).decode("latin-1").strip())
        return ""

    def _read(self, addr, length, tid=None):
        return self.t.read(addr, length, self.g_tid if tid is None else tid, self.phys)

    def _write(self, addr, data):
        self.t.write(addr, data, self.g_tid, self.phys)

    def _monitor(self, cmd):
        if cmd in ("", "help"):
            msg = ("rvemu monitor commands:\n"
                   "  phys [on|off]  memory through the current translation (off, the\n"
                   "                 default) or guest physical RAM (on)\n"
                   "  help           this text\n")
        elif cmd.split()[0] == "phys":
            arg = cmd.split()[1:] or [""]
            if arg[0] in ("on", "off"):
                self.phys = arg[0] == "on"
            msg = ("memory accesses (m/M/X, watchpoints) go to guest "
                   + ("physical RAM\n" if self.phys else "virtual memory through the current "
                      "translation (satp, privilege)\n"))
        else:
            msg = f"unknown monitor command {cmd!r}; try 'monitor help'\n"
        self.send(b"O" + msg.encode().hex().encode())
        return "OK"

    def _v_packet(self, text):
        if text == "vCont?":
            return "vCont;c;C;s;S;t"
        if text.startswith("vCont;"):
            step_tid = None
            cont = False
            stop = False
            for action in text[6:].split(";"):
                act, _, tid = action.partition(":")
                if act == "s" or act.startswith("S"):
                    if step_tid is None:
                        n = self._tid(tid) if tid else -1
                        step_tid = self._resume_tid() if n in (0, -1) else n
                elif act == "c" or act.startswith("C"):
                    cont = True
                elif act == "t":
                    stop = True
                else:
                    return "E01"
            if step_tid is not None:      # all-stop: only the stepped thread moves
                return self._step(step_tid)
            if cont:
                return self._continue()
            if stop:
                return self._stop_reply(SIGINT, self.stop_tid)
            return "E01"
        if text.startswith("vKill"):
            self.outcome = "kill"
            self._clear_debug_state()
            return "OK"
        if text == "vMustReplyEmpty":
            return ""
        return ""

    # ---- breakpoints and watchpoints ------------------------------------------------------
    def _breakpoint(self, insert, body):
        kind, addr, length = body.split(";")[0].split(",")
        kind, addr, length = int(kind), int(addr, 16), int(length, 16)
        if kind in (0, 1):
            if insert:
                if addr not in self.t.breakpoints and len(self.t.breakpoints) >= 16:
                    return "E0c"
                self.t.add_breakpoint(addr)
            else:
                self.t.remove_breakpoint(addr)
            return "OK"
        if kind in (2, 3, 4) and insert and not 0 < length <= MAX_WATCH:
            return "E01"      # (GDB watches a larger object as several ranges)
        if kind == 2:
            if insert:
                try:
                    self._read(addr, length)
                except Exception:
                    return "E14"
                self.watchpoints[addr] = (length, self.g_tid)
            else:
                self.watchpoints.pop(addr, None)
            return "OK"
        if kind in (3, 4):
            table = self.rwatch if kind == 3 else self.awatch
            if insert:
                try:
                    self._read(addr, length)
                except Exception:
                    return "E14"
                table[addr] = length
            else:
                table.pop(addr, None)
            return "OK"
        return ""

    # ---- running --------------------------------------------------------------------------
    def _stop_reply(self, sig, tid, extra=""):
        if self.exited:
            return self._exit_reply()
        self.stop_tid = tid
        self.g_tid = tid
        try:
            pc = _le_hex(self.t.pc(tid), 8)
        except Exception:
            pc = "xx" * 8
        return f"T{sig:02x}{extra}{REG_PC:02x}:{pc};thread:{tid:x};"

    def _exit_reply(self):
        code = self.exit_code or 0
        return f"W{code & 0xFF:02x}"

    def _stop_to_reply(self, st, extra=""):
        if st.result is not None:
            self.last_result = st.result
        if st.kind == "exit":
            self.exited = True
            self.exit_code = st.code or 0
            return self._exit_reply()
        if st.kind == "break":
            return self._stop_reply(SIGTRAP, st.tid, "swbreak:;" if self.swbreak else "")
        if st.kind == "segv":
            return self._stop_reply(SIGSEGV, st.tid)
        if st.kind == "int":
            return self._stop_reply(SIGINT, st.tid)
        return self._stop_reply(SIGTRAP, st.tid, extra)   # a step, idle, reset

    def _step(self, tid):
        if self.exited:
            return self._exit_reply()
        # a step always moves, breakpoint at pc or not
        self._watch_stop = None
        return self._stop_to_reply(self.t.step(tid, skip=True))

    def _interrupted(self):
        """Did the client send a Ctrl-C (or go away) while the guest ran?"""
        if not self._recv_some(timeout=0):
            return False
        if 0x03 in self._inbuf:
            i = self._inbuf.index(0x03)
            del self._inbuf[i]
            return True
        return False

    def _continue(self):
        if self.exited:
            return self._exit_reply()
        skip = self._resume_tid()     # resume from the breakpoint it stopped at
        if self.watchpoints or self.rwatch or self.awatch:
            return self._continue_watching(skip)
        return self._stop_to_reply(self.t.resume(skip, self._interrupted))

    def _continue_watching(self, skip):
        """Single-step the threads in turn, one instruction each. Before each step the
        instruction's accesses are predicted (predict_access, predict_vector_access): one
        that touches a watched range stops the thread before it runs. After each step,
        for what could not be predicted, write watchpoints compare the watched bytes and
        read and access watchpoints look at the hart's trace record of the step's data
        accesses (virtual addresses; the trace costs nothing when none is set)."""
        tg = self.t
        old = {a: self._read(a, n, tid) for a, (n, tid) in self.watchpoints.items()}
        resumed = self._watch_stop            # resuming from a stop before an access:
        self._watch_stop = None               # that access is not reported again
        self._no_predict = resumed if resumed and tg.pc(resumed[0]) == resumed[1] else None
        logging = bool(self.rwatch or self.awatch)
        saved_log = tg.set_step_log(True) if logging else None
        threads = tg.threads
        k = threads.index(skip) if skip in threads else 0
        n = 0
        idle_turns = 0
        try:
            while True:
                tid = threads[k]
                k = (k + 1) % len(threads)
                hit = self._predicted_hit(tid)
                if hit is not None:             # before the access, as GDB's RISC-V
                    self._watch_stop = (tid, tg.pc(tid))    # target expects: it then
                    return self._stop_reply(SIGTRAP, tid, hit)   # steps over it itself
                st = tg.step(tid, skip=(tid == skip))
                skip = None if tid == skip else skip
                if st.kind not in ("step", "idle"):
                    return self._stop_to_reply(st)
                idle_turns = 0 if st.moved else idle_turns + 1
                if idle_turns >= len(threads):
                    # nobody can move one instruction now (all in WFI, or stopped): let
                    # the machine run for a while (timers), then look at the memory
                    st = tg.resume(None, self._interrupted, budget=1000)
                    if st.kind not in ("step",):
                        return self._stop_to_reply(st)
                    idle_turns = 0
                    if not st.moved and len(threads) == 1:
                        return self._stop_to_reply(st)
                if logging and st.moved:
                    for acc in tg.accesses(tid):
                        hit = self._watch_hit(acc[0], acc[1], acc[2])
                        if hit is not None:
                            self.last_result = st.result
                            return self._stop_reply(SIGTRAP, tid, hit)
                for a, (length, wtid) in self.watchpoints.items():
                    if self._read(a, length, wtid) != old[a]:
                        self.last_result = st.result
                        return self._stop_reply(SIGTRAP, st.tid, f"watch:{a:x};")
                n += 1
                if n % 1024 == 0 and self._interrupted():
                    return self._stop_reply(SIGINT, tid)
        finally:
            if logging:
                tg.set_step_log(saved_log)

    def _predicted_hit(self, tid):
        """The stop-reply item of a watchpoint the instruction at tid's pc will hit, or
        None (also when its accesses cannot be told beforehand: then the checks after
        the step see them)."""
        tg = self.t
        pc = tg.pc(tid)
        if self._no_predict is not None:
            if self._no_predict == (tid, pc):
                self._no_predict = None
                return None
        try:
            lo = int.from_bytes(tg.read(pc, 2, tid, False), "little")
            insn = lo if lo & 3 != 3 else lo | int.from_bytes(tg.read(pc + 2, 2, tid, False),
                                                               "little") << 16
        except Exception:
            return None
        try:
            accs = predict_access(insn, lambda i: tg.xreg(tid, i))
            if accs is None and tg.vlenb:
                accs = predict_vector_access(insn, lambda i: tg.xreg(tid, i),
                                             lambda: tg.vstate(tid),
                                             lambda n: tg.reg_read(f"v{n}", tid).to_bytes(
                                                 tg.vlenb, "little"), tg.vlenb)
        except Exception:
            return None
        for va, size, reads, writes, data in accs or ():
            for a, (length, _) in self.watchpoints.items():
                if writes and va < a + length and a < va + size:
                    if data is not None and size <= 8 and self._stores_same(tid, va, size, data):
                        continue    # a store of what is there already: no change to see
                    return f"watch:{a:x};"
            hit = self._watch_hit(va, size, writes or not reads)
            if hit:
                return hit
        return None

    def _stores_same(self, tid, va, size, data):
        kind, n = data
        try:
            v = self.t.xreg(tid, n) if kind == "x" else self.t.reg_read(f"f{n}", tid)
            return self.t.read(va, size, tid, False) == (v & ((1 << (8 * size)) - 1)).to_bytes(
                size, "little")
        except Exception:
            return False

    def _watch_hit(self, va, size, is_store):
        """The stop-reply item of a read/access watchpoint the access [va, va+size) hits."""
        if not is_store:
            for a, length in self.rwatch.items():
                if va < a + length and a < va + size:
                    return f"rwatch:{a:x};"
        for a, length in self.awatch.items():
            if va < a + length and a < va + size:
                return f"awatch:{a:x};"
        return None

    def _write_mem_binary(self, body: bytes):
        colon = body.index(b":")
        addr, length = (int(x, 16) for x in body[:colon].decode().split(","))
        data = unescape_binary(body[colon + 1:])
        if len(data) != length:
            return "E01"
        if length == 0:
            return "OK"
        try:
            self._write(addr, data)
        except Exception:
            return "E14"
        return "OK"


def gdb_serve(machine, port=1234, host="127.0.0.1", ready=None):
    """Serve one GDB client on host:port for machine (a Machine or a Vmm); ``ready(port)``
    is called once the socket listens (port 0 picks a free one). Returns the GdbStub (see
    .outcome, .last_result)."""
    stub = GdbStub(machine, port, host)
    if ready is not None:
        ready(stub.port)
    stub.serve()
    return stub
