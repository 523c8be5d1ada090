"""A small VMM on the KVM model (what kvmtool or QEMU do with /dev/kvm): load a guest ELF
into a VM, run its vCPUs time-sharing the hart (round-robin, one quantum each), serve the
exits a VMM must serve (an ns16550a UART by MMIO, forwarded SBI console calls) and stop
on a SYSTEM_EVENT. ``rvemu run --kvm guest.elf`` uses it.

The guest sees QEMU virt's memory map: RAM at 0x8000_0000, the UART at 0x1000_0000, a
device tree (a1) describing its vCPUs, memory and UART; it starts in VS-mode at the ELF
entry with a0 = vCPU id, like an S-mode payload under OpenSBI.
"""
import collections
import time

from rvemu.errors import RvemuError
from rvemu.kvm import Kvm, core_reg, sbi_ext_reg
from rvemu.kvm import exits
from rvemu.kvm import uapi as U
from rvemu.isa.isastring import parse_isa
from rvemu.machine.elf import read_elf
from rvemu.machine.fdt import build_dtb, virt_tree
from rvemu.machine.memsize import parse_size

RAM_BASE = 0x8000_0000
UART_BASE, UART_SIZE = 0x1000_0000, 0x100
FINISHER = 0x10_0000          # sifive,test0: 0x5555 pass, 0x3333 | code << 16 fail, 0x7777 reset
DBCN, LEGACY_PUTCHAR, LEGACY_GETCHAR = 0x4442434E, 0x1, 0x2
SBI_BASE = 0x10
MASK64 = (1 << 64) - 1


class Uart16550:
    """The registers of an ns16550a a polled console needs: THR/RBR, IER, LSR."""

    def __init__(self, write, read):
        self.write_out = write
        self.read_in = read
        self.regs = [0] * 8

    def access(self, off, is_write, value):
        if is_write:
            if off == 0 and not self.regs[3] & 0x80:
                self.write_out(bytes([value & 0xFF]))
            else:
                self.regs[off & 7] = value & 0xFF
            return 0
        if off == 0 and not self.regs[3] & 0x80:
            b = self.read_in(1)
            return b[0] if b else 0
        if off == 5:      # LSR: THR empty, transmitter idle, data ready if input waits
            return 0x60 | (1 if self.read_in(0) else 0)
        return self.regs[off & 7]


class VmmResult:
    def __init__(self, reason, exit_code, instructions, seconds):
        self.reason = reason            # "shutdown", "reset", "idle", "budget", "error"
        self.exit_code = exit_code
        self.instructions = instructions
        self.seconds = seconds


class Vmm:
    """``Vmm(elf, vcpus=1, ram="128M")`` then ``run()``. ``console`` receives the guest's
    output bytes (default: kept in ``output``); ``send_input`` queues console input."""

    def __init__(self, elf, *, vcpus=1, ram="128M", host_isa=None, vlen=None, quantum=100_000,
                 console=None, strategy="direct", bootargs="", simd_policy="eager"):
        if not 1 <= vcpus <= 16:
            raise RvemuError("a VM here has 1 to 16 vCPUs")
        self.kvm = Kvm(host_isa, vlen=vlen)
        from rvemu.kvm.run import host_of
        host_of(self.kvm).set_strategy(strategy)
        self.vm = self.kvm.create_vm()
        from rvemu.kvm.simd import set_policy
        set_policy(self.vm, simd_policy)
        self.ram_size = parse_size(ram)
        self.mem = self.vm.alloc_memory(self.ram_size)
        self.vm.set_user_memory_region(0, 0, RAM_BASE, self.ram_size, self.mem)
        img = read_elf(elf)
        for seg in img.segments:
            if seg.paddr < RAM_BASE or seg.paddr + seg.memsz > RAM_BASE + self.ram_size:
                raise RvemuError(f"ELF segment at {seg.paddr:#x} is outside the guest RAM "
                                 f"[{RAM_BASE:#x}, {RAM_BASE + self.ram_size:#x})")
            off = seg.paddr - RAM_BASE
            self.mem[off:off + seg.memsz] = 0
            self.mem[off:off + len(seg.data)] = memoryview(seg.data)
        self.vcpus = [self.vm.create_vcpu(i) for i in range(vcpus)]
        names = self.vcpus[0].ctx.isa
        isa = parse_isa("rv64" + "".join(c for c in "imafdcv" if c in names) + "".join(
            "_" + n for n in sorted(names) if len(n) > 1))
        dtb = build_dtb(virt_tree(isa=isa, ram_base=RAM_BASE, ram_size=self.ram_size,
                                  harts=vcpus, timebase=self.kvm.timebase, bootargs=bootargs))
        self.fdt_addr = (RAM_BASE + self.ram_size - len(dtb) - 0x1000) & ~0xfff
        off = self.fdt_addr - RAM_BASE
        self.mem[off:off + len(dtb)] = memoryview(dtb)
        for v in self.vcpus:
            v.set_one_reg(sbi_ext_reg("DBCN"), 1)
            v.reset_state = (img.entry, self.fdt_addr)
        boot = self.vcpus[0]
        boot.set_one_reg(core_reg("pc"), img.entry)
        boot.set_one_reg(core_reg("regs.a0"), 0)
        boot.set_one_reg(core_reg("regs.a1"), self.fdt_addr)
        self.quantum = quantum
        self.instructions = 0
        self.steps = 0  # what max_insns counts: instructions, and exceptions KVM redirects
        self._init_io(console)

    def _init_io(self, console, pending_input=b"", uart_regs=None):
        """Console, UART and exit counters: what a new and a restored VMM both set up."""
        self.output = bytearray()
        self._console = console
        self._input = bytearray(pending_input)
        self.uart = Uart16550(self._write, self._read)
        if uart_regs is not None:
            self.uart.regs = list(uart_regs)
        self.exit_counts = {v.vcpu_id: collections.Counter() for v in self.vcpus}

    # ---- snapshots -----------------------------------------------------------------------
    def snapshot(self, path):
        """Save the VM and the VMM's devices (rvemu/kvm/snapshot.py); returns the size."""
        from rvemu.kvm.snapshot import save
        devices = {"uart": list(self.uart.regs), "input": bytes(self._input).hex(),
                   "instructions": self.instructions, "steps": self.steps,
                   "quantum": self.quantum,
                   "ram_size": self.ram_size}
        return save(self.vm, path, devices)

    @classmethod
    def restore(cls, path, *, strategy="strict", host_isa=None, vlen=None, console=None,
                hstatus="direct"):
        """A VMM running the snapshot at path on a new host (ISA host_isa, VLEN vlen)."""
        from rvemu.kvm.run import host_of
        from rvemu.kvm.snapshot import restore
        self = cls.__new__(cls)
        kw = {"vlen": vlen} if vlen else {}
        self.kvm = Kvm(host_isa, **kw) if host_isa else Kvm(**kw)
        host_of(self.kvm).set_strategy(hstatus)
        self.vm, dev = restore(self.kvm, path, strategy)
        self.vcpus = list(self.vm.vcpus)
        self.mem = self.vm.slots[0].memory
        self.ram_size = dev.get("ram_size", self.mem.size)
        self.quantum = dev.get("quantum", 100_000)
        self.instructions = dev.get("instructions", 0)
        self.steps = dev.get("steps", self.instructions)
        self._init_io(console, bytes.fromhex(dev.get("input", "")), dev.get("uart"))
        self.fdt_addr = None
        return self

    # ---- console -----------------------------------------------------------------------
    def _write(self, data):
        if self._console is None:
            self.output += data
        else:
            self._console(data)

    def _read(self, n):
        data = bytes(self._input[:n])
        del self._input[:n]
        return data if n else bytes(self._input[:1])

    def send_input(self, data):
        self._input += data

    # ---- exits -------------------------------------------------------------------------
    def _mmio(self, ex):
        """Serve an MMIO exit; returns a VmmResult reason when the guest asked to stop."""
        if UART_BASE <= ex.phys_addr < UART_BASE + UART_SIZE:
            v = self.uart.access(ex.phys_addr - UART_BASE, ex.is_write, ex.value)
        elif ex.phys_addr == FINISHER and ex.is_write:
            low = ex.value & 0xFFFF
            if low == 0x5555:
                return "shutdown", 0
            if low == 0x3333:
                return "shutdown", (ex.value >> 16) or 1
            if low == 0x7777:
                return "reset", 0
            v = 0
        else:
            v = 0            # nothing there: reads as zero, writes are dropped
        if not ex.is_write:
            ex.value = v
        return None

    def _sbi(self, vcpu, ex):
        eid, fid, a = ex.extension_id, ex.function_id, ex.args
        if eid == DBCN and fid == 0:             # console_write(num, base_lo, base_hi)
            try:
                data = self.vm.read_guest(a[1] | (a[2] << 32), a[0])
            except RvemuError:
                ex.ret = [(-3) & MASK64, 0]
                return
            self._write(data)
            ex.ret = [0, len(data)]
        elif eid == DBCN and fid == 1:           # console_read
            data = self._read(a[0])
            try:
                self.vm.write_guest(a[1] | (a[2] << 32), data)
            except RvemuError:
                ex.ret = [(-3) & MASK64, 0]
                return
            ex.ret = [0, len(data)]
        elif eid == DBCN and fid == 2:           # console_write_byte
            self._write(bytes([a[0] & 0xFF]))
            ex.ret = [0, 0]
        elif eid == LEGACY_PUTCHAR:              # (v0.1 calls return a0 only: KVM's
            self._write(bytes([a[0] & 0xFF]))    # sbi_return writes ret[1] to a1, so
            ex.ret = [0, a[1]]                   # give back the guest's a1)
        elif eid == LEGACY_GETCHAR:
            b = self._read(1)
            ex.ret = [b[0] if b else MASK64, a[1]]
        elif eid == SBI_BASE and fid == 3:       # KVM forwards probes of experimental and
            ex.ret = [0, 0]                      # vendor EIDs: we implement none (and BASE
                                                 # never fails, SBI spec)
        # anything else keeps the NOT_SUPPORTED answer the exit starts with

    def run(self, max_insns=None):
        """Run until shutdown/reset, until every vCPU is idle, or for max_insns guest
        instructions in total. Exceptions that KVM delivers to a guest's handler count
        against max_insns too (as traps count in Machine.run), so a guest that only
        traps still stops."""
        t0 = time.perf_counter()
        from rvemu.kvm.run import host_of
        hart = host_of(self.kvm).hart
        ready_since = {}     # vCPU id -> hart time since when it has been runnable, not running
        while True:
            progressed = False
            for v in self.vcpus:
                if v.mp_state != U.KVM_MP_STATE_RUNNABLE:
                    ready_since.pop(v.vcpu_id, None)
                    continue
                since = ready_since.pop(v.vcpu_id, None)
                if since is not None and hart.mtime > since:
                    # it waited for the hart while others ran: steal time, in ns (SBI STA)
                    v.record_steal_time((hart.mtime - since) * 1_000_000_000 // self.kvm.timebase)
                q = self.quantum
                if max_insns is not None:
                    q = min(q, max_insns - self.steps)
                    if q <= 0:
                        return VmmResult("budget", None, self.instructions,
                                         time.perf_counter() - t0)
                before = v.hw_counts.get(2, 0)
                redirects = v.trap_redirects
                try:
                    ex = v.run(max_insns=q)
                except RvemuError:      # an exit nobody can serve: still count what ran
                    self.instructions += v.hw_counts.get(2, 0) - before
                    self.steps += v.hw_counts.get(2, 0) - before + v.trap_redirects - redirects
                    raise
                ran = v.hw_counts.get(2, 0) - before
                self.instructions += ran
                self.steps += ran + v.trap_redirects - redirects
                progressed |= (ran > 0 or v.trap_redirects != redirects
                               or ex.reason != exits.KVM_EXIT_INTR)
                self.exit_counts[v.vcpu_id][ex.reason_name] += 1
                if v.mp_state == U.KVM_MP_STATE_RUNNABLE and not v.waiting:
                    ready_since[v.vcpu_id] = hart.mtime
                stop = self.serve_exit(v, ex)
                if stop is not None:
                    return VmmResult(stop[0], stop[1], self.instructions,
                                     time.perf_counter() - t0)
            if not progressed:
                return VmmResult("idle", None, self.instructions, time.perf_counter() - t0)

    def serve_exit(self, vcpu, ex):
        """Serve one exit of vcpu's KVM_RUN; None to run on, or the (reason, exit code)
        that ends the run: a shutdown or reset, or an exit the VMM cannot serve."""
        if ex.reason == exits.KVM_EXIT_MMIO:
            return self._mmio(ex)
        if ex.reason == exits.KVM_EXIT_RISCV_SBI:
            self._sbi(vcpu, ex)
        elif ex.reason == exits.KVM_EXIT_RISCV_CSR:
            ex.ret_value = 0
        elif ex.reason == exits.KVM_EXIT_SYSTEM_EVENT:
            kind = "reset" if ex.type == exits.KVM_SYSTEM_EVENT_RESET else "shutdown"
            code = ex.data[0] if ex.data else 0
            return kind, 0 if code == 0 else 1
        elif ex.reason != exits.KVM_EXIT_INTR:
            return "error", None
        return None

    def gdb_serve(self, port=1234, host="127.0.0.1", ready=None):
        """Serve one GDB remote-protocol client on host:port; the vCPUs are its threads
        (rvemu.gdbstub, rvemu.kvm.gdb). Returns the GdbStub."""
        from rvemu.gdbstub import gdb_serve
        return gdb_serve(self, port, host, ready)

    def stats(self):
        """Per-vCPU exits by reason, Linux's vcpu stat counters, SBI PMU firmware counts,
        and the world switch's counters."""
        from rvemu.kvm.pmu import FW_EVENTS
        from rvemu.kvm.run import host_of
        from rvemu.kvm.simd import vm_stats
        out = {"world_switch": host_of(self.kvm).ws.counters(), "vcpus": {},
               "simd": dict(vm_stats(self.vm), policy=getattr(self.vm, "simd_policy", "eager"))}
        for v in self.vcpus:
            fw = {n: int(v.pmu.fw_value[i]) for i, n in enumerate(FW_EVENTS)
                  if int(v.pmu.fw_value[i])}
            out["vcpus"][v.vcpu_id] = {
                "exits": dict(self.exit_counts[v.vcpu_id]),
                "stat": {k: n for k, n in v.stat.items() if n},
                "instret": v.hw_counts.get(2, 0),
                "pmu_fw": fw,
            }
        return out
