"""``Machine``: a configured board with one hart, and the Unicorn-shaped embedding API."""
import threading
import time
from dataclasses import dataclass

import numpy as np

from rvemu._core.hart import EXIT_REASONS, Hart
from rvemu.errors import ConfigError, ElfError, MemoryAccessError, RegisterError
from rvemu.isa.csrs import CSR_BY_NAME
from rvemu.isa.isastring import parse_isa
from rvemu.isa.regs import F_INDEX, X_INDEX
from rvemu.machine.elf import read_elf
from rvemu.machine.fdt import build_dtb, virt_tree
from rvemu.machine.memsize import parse_size
from rvemu.machine.sbi import SbiFirmware

RAM_BASE = 0x8000_0000
PAYLOAD_BASE = 0x8020_0000   # where OpenSBI's fw_jump (and QEMU's -kernel with it) puts the next stage
# exit reasons of the core (rvemu/_core/mem.pxi)
_BUDGET, _HALT, _ECALL, _MMIO, _IDLE, _OUTPUT, _EBREAK, _RESET, _TRAP_LOOP = range(1, 10)
SLICE = 1 << 22   # instructions per call into the core: bounds console latency


@dataclass
class RunResult:
    """Why run() returned: 'halt' (guest exit, see exit_code), 'budget', 'idle', 'reset',
    'trap_loop' (exceptions kept coming without any instruction retiring), 'breakpoint'
    or 'until' (the pc reached a breakpoint or the ``until`` address), 'stopped'
    (Machine.stop() from another thread)."""
    reason: str
    exit_code: int | None
    instructions: int
    seconds: float

    @property
    def mips(self):
        return self.instructions / self.seconds / 1e6 if self.seconds > 0 else 0.0


class Machine:
    """A RISC-V machine: RAM at 0x8000_0000, CLINT, ns16550a UART, HTIF, test finisher.

    >>> m = Machine(isa="rv64gc", ram="64M")
    >>> m.load_elf("guests/hello_htif.elf")            # doctest: +SKIP
    >>> m.run().exit_code                              # doctest: +SKIP
    0
    """

    def __init__(self, isa="rv64gc", ram="256M", *, board="virt", vlen=None,
                 misaligned="trap", svadu=False, time_div=100, console=None, sbi=False):
        if board != "virt":
            raise ConfigError(f"unknown board {board!r}; available: 'virt'")
        if misaligned not in ("trap", "hw"):
            raise ConfigError(f"misaligned must be 'trap' or 'hw', not {misaligned!r}")
        if not isinstance(time_div, int) or time_div <= 0:
            raise ConfigError("time_div must be a positive number of instructions per tick")
        self.isa = parse_isa(isa)
        if vlen is not None:
            raise ConfigError("vlen needs the V extension, which is not implemented yet")
        if svadu and "svadu" not in self.isa:
            self.isa = parse_isa(isa + "_svadu")
        self.ram_size = parse_size(ram)
        self.ram_base = RAM_BASE
        self.ram = np.zeros(self.ram_size, dtype=np.uint8)
        self.hart = Hart(self.ram, RAM_BASE, self.isa.mask, self.isa.misa,
                         time_div=time_div, misaligned_hw=(misaligned == "hw"))
        # one hart and no device that raises interrupts: a WFI with nothing armed is final
        self.hart.wfi_exit = True
        if svadu:
            self.hart.csr_write(CSR_BY_NAME["menvcfg"], 1 << 61)
        self.timebase = 10_000_000
        self.symbols = {}
        self.output = bytearray()
        self._console = console
        self._input = bytearray()
        self._input_lock = threading.Lock()   # send_input may come from another thread
        self._stop = False
        self._quiet = True      # the last slice printed nothing (console input pacing)
        self.sbi = SbiFirmware(self)
        self.sbi_mode = False
        self.exits = {}
        self.dtb_addr = None
        self.exit_code = None
        self.elf = None
        self.devices = []   # (base, size, device) served in Python
        self.breakpoints = set()
        self._at_breakpoint = False
        if sbi:
            self.enable_sbi()

    # ---- loading ------------------------------------------------------------------------
    def _copy_segments(self, img):
        for seg in img.segments:
            if seg.paddr < self.ram_base or seg.paddr + seg.memsz > self.ram_base + self.ram_size:
                raise ElfError(
                    f"{img.path}: segment [{seg.paddr:#x}, {seg.paddr + seg.memsz:#x}) does not fit "
                    f"in RAM [{self.ram_base:#x}, {self.ram_base + self.ram_size:#x}); "
                    f"link it at {self.ram_base:#x} or give more --ram")
        for seg in img.segments:
            off = seg.paddr - self.ram_base
            self.ram[off:off + seg.memsz] = 0
            self.ram[off:off + len(seg.data)] = np.frombuffer(seg.data, dtype=np.uint8)
        self.hart.flush_decode_cache()

    def load_elf(self, path_or_bytes):
        """Load an RV64 ELF: copy its segments, set pc to its entry, find tohost."""
        img = read_elf(path_or_bytes)
        self._copy_segments(img)
        self.symbols = dict(img.symbols)
        self.elf = img
        self.hart.set_htif(img.symbols.get("tohost", 0), img.symbols.get("fromhost", 0))
        self._place_dtb()
        self.hart.reset(img.entry, 0, self.dtb_addr)
        if self.sbi_mode:
            self._enter_supervisor(img.entry)
        return img

    def load_payload(self, path, addr=PAYLOAD_BASE):
        """Load the next boot stage for M-mode firmware (QEMU's -kernel): an ELF goes to
        its own addresses, anything else is copied raw to addr (0x8020_0000, where
        OpenSBI's fw_jump jumps). The hart is not reset. Returns the entry address."""
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except OSError as e:
            raise ElfError(f"cannot read {path}: {e.strerror or e}") from None
        if blob[:4] == b"\x7fELF":
            img = read_elf(blob, name=str(path))
            self._copy_segments(img)
            return img.entry
        self.mem_write(addr, blob)  # raises MemoryAccessError if it does not fit
        return addr

    def _place_dtb(self):
        dtb = build_dtb(virt_tree(isa=self.isa, ram_base=self.ram_base, ram_size=self.ram_size,
                                  timebase=self.timebase))
        addr = (self.ram_base + self.ram_size - len(dtb) - 64) & ~0xFFF
        self.dtb_addr = addr
        off = addr - self.ram_base
        self.ram[off:off + len(dtb)] = np.frombuffer(dtb, dtype=np.uint8)

    def enable_sbi(self):
        """Start the payload in S-mode with the built-in Python SBI as its firmware."""
        if "s" not in self.isa:
            raise ConfigError("--sbi needs S-mode in the ISA")
        self.sbi_mode = True
        self.hart.sbi_exits = True
        if self.elf is not None:
            self._enter_supervisor(self.hart.pc)

    def _enter_supervisor(self, entry):
        """What OpenSBI does before jumping to the payload: delegate, open counters, S-mode."""
        h = self.hart
        c = CSR_BY_NAME
        h.csr_write(c["medeleg"], 0xB1FF & ~(1 << 9) | (1 << 12) | (1 << 13) | (1 << 15))
        h.csr_write(c["mideleg"], (1 << 1) | (1 << 5) | (1 << 9))
        h.csr_write(c["mcounteren"], 0xFFFFFFFF)
        # PMP: allow S/U everything (OpenSBI opens a NAPOT entry over all memory)
        h.csr_write(c["pmpaddr0"], (1 << 54) - 1)
        h.csr_write(c["pmpcfg0"], 0x1F)
        if "f" in self.isa:
            h.csr_write(c["mstatus"], h.csr_read(c["mstatus"]) | (1 << 13))
        h.pc = entry
        h.priv = 1

    # ---- devices ------------------------------------------------------------------------
    def add_device(self, base, size, device):
        """Map a Python device at physical [base, base+size).

        ``device.read(offset, size) -> int`` and ``device.write(offset, size, value)`` are
        called for each guest access; the run loop leaves C for each one, so use this for
        control registers, not bulk data."""
        if size <= 0 or base < 0 or base + size > 1 << 64:
            raise ConfigError(f"bad device region base={base:#x} size={size:#x}")
        taken = [(self.ram_base, self.ram_size, "RAM"), (0x0200_0000, 0x10000, "the CLINT"),
                 (0x1000_0000, 0x100, "the UART"), (0x0010_0000, 0x1000, "the test finisher")]
        taken += [(b, s, f"device {d!r}") for b, s, d in self.devices]
        for b, s, what in taken:
            if base < b + s and b < base + size:
                raise ConfigError(f"device region [{base:#x}, {base + size:#x}) overlaps {what}")
        if not (callable(getattr(device, "read", None)) and callable(getattr(device, "write", None))):
            raise ConfigError("a device needs read(offset, size) and write(offset, size, value) methods")
        self.hart.add_pydev(base, size)
        self.devices.append((base, size, device))

    def _after_exit(self, reason, until=None):
        """Serve what made the core return (console, SBI call, MMIO...). Returns the
        (reason, exit code) that ends run(), or None to keep running."""
        h = self.hart
        name = EXIT_REASONS.get(reason, reason)
        self.exits[name] = self.exits.get(name, 0) + 1
        out = h.take_output()
        if out:
            self._console_write(out)
        if reason == _HALT:
            self.exit_code = h.exit_code
            return ("halt", h.exit_code)
        if reason == _ECALL:
            stop = self.sbi.handle(h)
            if stop is not None:
                self.exit_code = stop[1] if stop[0] == "halt" else None
            return stop
        if reason == _MMIO:
            self._serve_mmio()
            return None
        if reason == _IDLE:
            if self._input:   # asleep in WFI, e.g. for a UART interrupt: hand it a line
                self._feed_console(waiting=True)
                return None
            return ("idle", None)
        if reason == _RESET:
            return ("reset", None)
        if reason == _TRAP_LOOP:
            return ("trap_loop", None)
        if reason == _EBREAK:
            self._at_breakpoint = True
            return ("until" if until is not None and h.pc == int(until) else "breakpoint", None)
        return None  # EXIT_OUTPUT (console drained above) or EXIT_NONE

    def _serve_mmio(self):
        addr, size, is_write, data = self.hart.mmio_request()
        for base, length, dev in self.devices:
            if base <= addr < base + length:
                if is_write:
                    dev.write(addr - base, size, data)
                    self.hart.mmio_complete()
                else:
                    self.hart.mmio_complete(int(dev.read(addr - base, size)))
                return
        raise AssertionError(f"MMIO exit at {addr:#x} with no device")  # cannot happen

    # ---- memory -------------------------------------------------------------------------
    def _ram_slice(self, addr, size):
        if size < 0 or addr < self.ram_base or addr + size > self.ram_base + self.ram_size:
            raise MemoryAccessError(
                f"[{addr:#x}, {addr + size:#x}) is outside RAM [{self.ram_base:#x}, "
                f"{self.ram_base + self.ram_size:#x})")
        off = addr - self.ram_base
        return off, off + size

    def mem_read(self, addr, size):
        """Read guest physical memory (RAM) as bytes."""
        a, b = self._ram_slice(addr, size)
        return self.ram[a:b].tobytes()

    def mem_write(self, addr, data):
        """Write bytes to guest physical memory (RAM); drops stale decoded code."""
        data = bytes(data)
        a, b = self._ram_slice(addr, len(data))
        self.ram[a:b] = np.frombuffer(data, dtype=np.uint8)
        self.hart.invalidate_code(addr, len(data))

    def _virt_pages(self, va, size, write):
        """(physical address, length) pieces of [va, va+size) through the current
        translation; MemoryAccessError if a page is unmapped for this access."""
        pieces = []
        while size > 0:
            n = min(size, 4096 - (va & 0xFFF))
            pa = self.hart.translate(va, write)
            if pa is None:
                raise MemoryAccessError(f"virtual address {va:#x} is not mapped for a "
                                        f"{'store' if write else 'load'} at privilege {self.hart.priv}")
            pieces.append((pa, n))
            va, size = (va + n) & ((1 << 64) - 1), size - n
        return pieces

    def virt_read(self, va, size):
        """Read memory as the guest sees it now (satp, privilege, MPRV/SUM/MXR)."""
        return b"".join(self.mem_read(pa, n) for pa, n in self._virt_pages(va, size, False))

    def virt_write(self, va, data):
        """Write memory as the guest would now (the pages must be writable)."""
        data = bytes(data)
        off = 0
        for pa, n in self._virt_pages(va, len(data), True):
            self.mem_write(pa, data[off:off + n])
            off += n

    def mem_view(self, addr, size):
        """A zero-copy NumPy view of guest RAM (writes through it bypass code invalidation)."""
        a, b = self._ram_slice(addr, size)
        return self.ram[a:b]

    # ---- registers ----------------------------------------------------------------------
    def reg_read(self, name):
        """Read a register by name: x5/t0, f10/fa0, pc, priv, or a CSR name."""
        key = name.lower() if isinstance(name, str) else name
        if key in X_INDEX:
            return 0 if X_INDEX[key] == 0 else int(self.hart.x[X_INDEX[key]])
        if key in F_INDEX:
            return int(self.hart.f[F_INDEX[key]])
        if key == "pc":
            return self.hart.pc
        if key == "priv":
            return self.hart.priv
        if key == "virt":
            return self.hart.virt
        if key in CSR_BY_NAME:
            try:
                return self.hart.csr_read(CSR_BY_NAME[key])
            except KeyError:
                raise RegisterError(f"CSR {name!r} is not available in this configuration") from None
        raise RegisterError(f"unknown register {name!r}; use x0-x31, ABI names, f0-f31, pc, priv or a CSR name")

    def reg_write(self, name, value):
        key = name.lower() if isinstance(name, str) else name
        value = int(value) & ((1 << 64) - 1)
        if key in X_INDEX:
            if X_INDEX[key] != 0:
                self.hart.x[X_INDEX[key]] = value
            return
        if key in F_INDEX:
            self.hart.f[F_INDEX[key]] = value
            return
        if key == "pc":
            self.hart.pc = value
            return
        if key == "priv":
            self.hart.priv = value
            return
        if key == "virt":
            try:
                self.hart.virt = value
            except ValueError as e:
                raise RegisterError(str(e)) from None
            return
        if key in CSR_BY_NAME:
            try:
                self.hart.csr_write(CSR_BY_NAME[key], value)
            except KeyError:
                raise RegisterError(f"CSR {name!r} is read-only or not available") from None
            return
        raise RegisterError(f"unknown register {name!r}; use x0-x31, ABI names, f0-f31, pc, priv or a CSR name")

    @property
    def regs(self):
        """Zero-copy NumPy view of x0..x31 (x0 reads as whatever the sink holds: use reg_read)."""
        return self.hart.x[:32]

    @property
    def fregs(self):
        return self.hart.f

    # ---- console ------------------------------------------------------------------------
    def _console_write(self, data):
        if not data:
            return
        if self._console is None:
            self.output.extend(data)
        else:
            self._console(data)

    def _console_read(self, n):
        """Console input for the SBI: what the UART has not consumed, then the queue."""
        data = self.hart.take_input(n)
        k = n - len(data)
        if k > 0:
            with self._input_lock:
                data += bytes(self._input[:k])
                del self._input[:k]
        return data

    def _feed_console(self, waiting=False):
        """Move queued console input to the UART a line at a time, and only once the
        guest waits for it: the receiver is empty and either the hart sleeps in WFI
        (``waiting``) or the guest has looked at the receiver since the last line and the
        last slice printed nothing (the previous command finished).
        Firmware polls for a key while it prints (U-Boot's Ctrl-C check reads and drops
        it), so handing over piped input all at once would lose type-ahead."""
        h = self.hart
        if h.rx_pending or not (waiting or (h.rx_idle_polls and self._quiet)):
            return
        with self._input_lock:
            end = self._input.find(b"\n")
            line = bytes(self._input[:end + 1 if end >= 0 else len(self._input)][:256])
            n = h.feed_input(line)
            del self._input[:n]
        h.rx_idle_polls = 0

    def send_input(self, data):
        """Queue bytes for the guest's console (UART receive / SBI getchar). Safe to call
        from another thread while run() is going."""
        with self._input_lock:
            self._input.extend(data)

    def stop(self):
        """Ask a run() in progress (on another thread) to return, reason 'stopped', at
        the end of its current slice."""
        self._stop = True

    # ---- breakpoints --------------------------------------------------------------------
    def add_breakpoint(self, addr):
        """Stop run() (reason 'breakpoint') before executing the instruction at addr."""
        self.breakpoints.add(int(addr))
        self.hart.set_breakpoints(self.breakpoints)

    def remove_breakpoint(self, addr):
        self.breakpoints.discard(int(addr))
        self.hart.set_breakpoints(self.breakpoints)

    def gdb_serve(self, port=1234, host="127.0.0.1", ready=None):
        """Serve one GDB remote-protocol client on host:port (see rvemu.gdbstub)."""
        from rvemu.gdbstub import gdb_serve
        return gdb_serve(self, port, host, ready)

    # ---- running ------------------------------------------------------------------------
    def run(self, max_insns=None, until=None):
        """Run until the guest halts, max_insns steps pass, or the hart idles for ever.

        A step is a retired instruction or a trap taken, so a guest stuck trapping still
        stops at the budget. ``until`` is an address: stop (reason 'until') when the pc
        reaches it. Breakpoints stop with reason 'breakpoint'; running again resumes."""
        h = self.hart
        if until is not None:
            h.set_breakpoints(self.breakpoints | {int(until)})
        if self._at_breakpoint:
            h.step_over_breakpoint()
            self._at_breakpoint = False
        try:
            return self._run(max_insns, until)
        finally:
            if until is not None:
                h.set_breakpoints(self.breakpoints)

    def _run(self, max_insns, until):
        h = self.hart
        start_insns = h.instret
        t0 = time.perf_counter()
        remaining = max_insns if max_insns is not None else None
        result = None
        self._stop = False
        while result is None:
            if self._stop:
                result = ("stopped", None)
                break
            if self._input:
                self._feed_console()
            n = SLICE if remaining is None else min(SLICE, remaining)
            before = h.instret + h.traps
            reason = h.run(n)
            if remaining is not None:  # traps count too, so a trap loop still ends
                remaining -= h.instret + h.traps - before
                if reason == _ECALL:
                    remaining -= 1  # the ECALL trapped to the (Python) firmware: a step
            if reason == _BUDGET:
                out = h.take_output()   # a slice's console output shows at its end
                self._quiet = not out
                if out:
                    self._console_write(out)
                if remaining is not None and remaining <= 0:
                    result = ("budget", None)
                continue
            result = self._after_exit(reason, until)
        return RunResult(result[0], result[1], h.instret - start_insns, time.perf_counter() - t0)

    @property
    def instret(self):
        return self.hart.instret
