"""``Machine``: a configured board with one hart, and the Unicorn-shaped embedding API."""
import threading
import time
from dataclasses import dataclass

import numpy as np

from rvemu._core.hart import EXIT_REASONS, Hart, HartGroup
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
HART_SLICE = 10_000   # with several harts: instructions each runs before the next one's turn
MAX_HARTS = 64


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


def _check_vlen(isa, vlen):
    """The VLEN in bits for isa (None without a vector extension); ConfigError if vlen
    does not suit it. The default is 128 (as Spike and QEMU), or the ISA's Zvl<N>b."""
    from rvemu.isa.extensions import ZVL
    if "zve32x" not in isa:
        if vlen is not None:
            raise ConfigError(f"vlen={vlen} needs a vector extension: add 'v' (or a zve*) to the ISA "
                              f"string, e.g. 'rv64gcv'")
        return None
    need = max([n for name, n in ZVL.items() if name in isa] or [32])
    if vlen is None:
        return max(128, need)
    if not isinstance(vlen, int) or isinstance(vlen, bool) or vlen < 32 or vlen > 65536 \
            or vlen & (vlen - 1):
        raise ConfigError(f"vlen must be a power of two from 32 to 65536 bits, not {vlen!r}")
    if vlen < need:
        raise ConfigError(f"vlen={vlen} is below the ISA's minimum VLEN of {need} "
                          f"({'V requires Zvl128b' if 'v' in isa else 'Zvl' + str(need) + 'b'}); "
                          f"use vlen >= {need}")
    return vlen


def _vreg(m, key):
    """The vector register number named by key ('v0'..'v31') on a hart with a vector unit."""
    if isinstance(key, str) and key[:1] == "v" and key[1:].isdigit() and int(key[1:]) < 32 \
            and m.hart.v is not None and key == f"v{int(key[1:])}":
        return int(key[1:])
    return None


def page_pieces(va, size, translate, what):
    """Split [va, va+size) at page boundaries: a list of (translate(page address), length).
    MemoryAccessError names `what` (the access) when translate gives None."""
    pieces = []
    while size > 0:
        n = min(size, 4096 - (va & 0xFFF))
        pa = translate(va)
        if pa is None:
            raise MemoryAccessError(f"virtual address {va:#x} is not mapped for a {what}")
        pieces.append((pa, n))
        va, size = (va + n) & ((1 << 64) - 1), size - n
    return pieces


class Machine:
    """A RISC-V machine: RAM at 0x8000_0000, CLINT, ns16550a UART, HTIF, test finisher.

    >>> m = Machine(isa="rv64gc", ram="64M")
    >>> m.load_elf("guests/hello_htif.elf")            # doctest: +SKIP
    >>> m.run().exit_code                              # doctest: +SKIP
    0
    """

    def __init__(self, isa="rv64gc", ram="256M", *, board="virt", vlen=None,
                 misaligned="trap", svadu=False, time_div=100, console=None, sbi=False,
                 agnostic="undisturbed", harts=1, hart_slice=HART_SLICE):
        if board != "virt":
            raise ConfigError(f"unknown board {board!r}; available: 'virt'")
        if misaligned not in ("trap", "hw"):
            raise ConfigError(f"misaligned must be 'trap' or 'hw', not {misaligned!r}")
        if not isinstance(time_div, int) or time_div <= 0:
            raise ConfigError("time_div must be a positive number of instructions per tick")
        self.isa = parse_isa(isa)
        self.vlen = _check_vlen(self.isa, vlen)
        if agnostic not in ("undisturbed", "ones"):
            raise ConfigError(f"agnostic must be 'undisturbed' or 'ones', not {agnostic!r}")
        if svadu and "svadu" not in self.isa:
            self.isa = parse_isa(isa + "_svadu")
        if not isinstance(harts, int) or isinstance(harts, bool) or not 1 <= harts <= MAX_HARTS:
            raise ConfigError(f"harts must be a number of harts from 1 to {MAX_HARTS}, not {harts!r}")
        if not isinstance(hart_slice, int) or isinstance(hart_slice, bool) or hart_slice < 1:
            raise ConfigError(f"hart_slice must be a positive number of instructions, not {hart_slice!r}")
        self.ram_size = parse_size(ram)
        self.ram_base = RAM_BASE
        self.ram = np.zeros(self.ram_size, dtype=np.uint8)
        self.hart = Hart(self.ram, RAM_BASE, self.isa.mask, self.isa.misa,
                         time_div=time_div, misaligned_hw=(misaligned == "hw"),
                         vlen=self.vlen or 0)
        self.hart.vector_agnostic_ones = agnostic == "ones"
        # one hart and no device that raises interrupts: a WFI with nothing armed is final
        self.hart.wfi_exit = True
        if svadu:
            self.hart.csr_write(CSR_BY_NAME["menvcfg"], 1 << 61)
        # several harts: hart 0 is self.hart (the boot hart, and the one the register and
        # debugger API see); all share RAM and run round-robin in slices (rvemu/_core/smp.pxi)
        self.harts = [self.hart]
        for i in range(1, harts):
            h = Hart(self.ram, RAM_BASE, self.isa.mask, self.isa.misa, hartid=i,
                     time_div=time_div, misaligned_hw=(misaligned == "hw"), vlen=self.vlen or 0)
            h.vector_agnostic_ones = agnostic == "ones"
            h.wfi_exit = True
            if svadu:
                h.csr_write(CSR_BY_NAME["menvcfg"], 1 << 61)
            self.harts.append(h)
        self.group = HartGroup(self.harts, hart_slice) if harts > 1 else None
        self._hart_index = {id(h): i for i, h in enumerate(self.harts)}
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
        self._bp_hart = None      # with several harts: the hart that stopped at a breakpoint
        self._resumed = None      # (hart, pc, instret) of the last resume from a breakpoint
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
        self.flush_code()

    def load_elf(self, path_or_bytes):
        """Load an RV64 ELF: copy its segments, set pc to its entry, find tohost."""
        img = read_elf(path_or_bytes)
        self._copy_segments(img)
        self.symbols = dict(img.symbols)
        self.elf = img
        self._place_dtb()
        for i, h in enumerate(self.harts):   # every hart at the entry, a0 = its hart id
            h.set_htif(img.symbols.get("tohost", 0), img.symbols.get("fromhost", 0))
            h.reset(img.entry, i, self.dtb_addr)
        if self.group is not None:
            self.group.reset()
        if self.sbi_mode:
            self._enter_supervisor(img.entry)
        return img

    # ---- several harts ------------------------------------------------------------------
    @property
    def nharts(self):
        return len(self.harts)

    def hart_index(self, hart):
        """The hart id of a Hart of this machine."""
        return self._hart_index[id(hart)]

    def flush_code(self):
        """Forget every decoded instruction and TLB entry, on every hart."""
        for h in self.harts:
            h.flush_decode_cache()
        if self.group is not None:
            self.group.code_changed()

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
                                  timebase=self.timebase, harts=len(self.harts)))
        addr = (self.ram_base + self.ram_size - len(dtb) - 64) & ~0xFFF
        self.dtb_addr = addr
        off = addr - self.ram_base
        self.ram[off:off + len(dtb)] = np.frombuffer(dtb, dtype=np.uint8)

    def enable_sbi(self):
        """Start the payload in S-mode with the built-in Python SBI as its firmware."""
        if "s" not in self.isa:
            raise ConfigError("--sbi needs S-mode in the ISA")
        self.sbi_mode = True
        for h in self.harts:
            h.sbi_exits = True
        if self.elf is not None:
            self._enter_supervisor(self.hart.pc)

    def _enter_supervisor(self, entry):
        """What OpenSBI does before jumping to the payload: delegate, open counters, S-mode.
        With several harts only hart 0 starts; the others wait, stopped, for SBI HSM
        hart_start."""
        for i, h in enumerate(self.harts):
            self._supervisor_csrs(h, entry)
            if i and self.group is not None:
                self.group.set_stopped(i, True)

    def _supervisor_csrs(self, h, entry):
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
        for h in self.harts:
            h.add_pydev(base, size)
        self.devices.append((base, size, device))

    def _after_exit(self, reason, until=None, h=None):
        """Serve what made the core return (console, SBI call, MMIO...). Returns the
        (reason, exit code) that ends run(), or None to keep running. h: the hart that
        left its loop (hart 0 by default)."""
        h = self.hart if h is None else h
        name = EXIT_REASONS.get(reason, reason)
        self.exits[name] = self.exits.get(name, 0) + 1
        out = self._take_output()
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
            self._serve_mmio(h)
            r = self._resumed
            if r is not None and r[0] is h and h.pc == r[1] and h.instret == r[2]:
                h.step_over_breakpoint()   # the served access's instruction, resumed from
            return None                    # its breakpoint, runs again: not a new stop
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

    def _take_output(self):
        """Console bytes of every hart (the UART's go through hart 0's buffer)."""
        if self.group is None:
            return self.hart.take_output()
        return b"".join(h.take_output() for h in self.harts)

    def _serve_mmio(self, h=None):
        h = self.hart if h is None else h
        addr, size, is_write, data = h.mmio_request()
        for base, length, dev in self.devices:
            if base <= addr < base + length:
                if is_write:
                    dev.write(addr - base, size, data)
                    h.mmio_complete()
                else:
                    h.mmio_complete(int(dev.read(addr - base, size)))
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
        self.hart.invalidate_code(addr, len(data))   # the decode cache is shared by all harts

    def _virt_pages(self, va, size, write, hart=0):
        """(physical address, length) pieces of [va, va+size) through the current
        translation (of hart ``hart``); MemoryAccessError if a page is unmapped for this
        access."""
        h = self._hart_arg(hart)
        return page_pieces(va, size, lambda a: h.translate(a, write),
                           f"{'store' if write else 'load'} at privilege {h.priv}")

    def virt_read(self, va, size, hart=0):
        """Read memory as the guest sees it now (satp, privilege, MPRV/SUM/MXR of hart
        ``hart``)."""
        return b"".join(self.mem_read(pa, n) for pa, n in self._virt_pages(va, size, False, hart))

    def virt_write(self, va, data, hart=0):
        """Write memory as the guest would now (the pages must be writable)."""
        data = bytes(data)
        off = 0
        for pa, n in self._virt_pages(va, len(data), True, hart):
            self.mem_write(pa, data[off:off + n])
            off += n

    def mem_view(self, addr, size):
        """A zero-copy NumPy view of guest RAM (writes through it bypass code invalidation)."""
        a, b = self._ram_slice(addr, size)
        return self.ram[a:b]

    # ---- registers ----------------------------------------------------------------------
    def _hart_arg(self, hart):
        if isinstance(hart, bool) or not isinstance(hart, int) or not 0 <= hart < len(self.harts):
            raise RegisterError(f"no hart {hart!r}: this machine has harts 0..{len(self.harts) - 1}")
        return self.harts[hart]

    def reg_read(self, name, hart=0):
        """Read a register by name: x5/t0, f10/fa0, pc, priv, or a CSR name (of hart
        ``hart`` when there are several)."""
        h = self._hart_arg(hart)
        key = name.lower() if isinstance(name, str) else name
        if key in X_INDEX:
            return 0 if X_INDEX[key] == 0 else int(h.x[X_INDEX[key]])
        if key in F_INDEX:
            return int(h.f[F_INDEX[key]])
        if key == "pc":
            return h.pc
        if key == "priv":
            return h.priv
        if key == "virt":
            return h.virt
        if _vreg(self, key) is not None:        # v0..v31: the register's bytes (element 0 first)
            return bytes(h.v[_vreg(self, key)])
        if key in CSR_BY_NAME:
            try:
                return h.csr_read(CSR_BY_NAME[key])
            except KeyError:
                raise RegisterError(f"CSR {name!r} is not available in this configuration") from None
        raise RegisterError(f"unknown register {name!r}; use x0-x31, ABI names, f0-f31, pc, priv or a CSR name")

    def reg_write(self, name, value, hart=0):
        h = self._hart_arg(hart)
        key = name.lower() if isinstance(name, str) else name
        if _vreg(self, key) is not None:        # v0..v31 from an int (little-endian) or bytes
            n = h.vlenb
            raw = bytes(value) if isinstance(value, (bytes, bytearray)) else \
                (int(value) & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
            if len(raw) != n:
                raise RegisterError(f"{name} holds {n} bytes (VLEN {8 * n}), not {len(raw)}")
            h.v[_vreg(self, key)] = np.frombuffer(raw, dtype=np.uint8)
            return
        value = int(value) & ((1 << 64) - 1)
        if key in X_INDEX:
            if X_INDEX[key] != 0:
                h.x[X_INDEX[key]] = value
            return
        if key in F_INDEX:
            h.f[F_INDEX[key]] = value
            return
        if key == "pc":
            h.pc = value
            return
        if key == "priv":
            h.priv = value
            return
        if key == "virt":
            try:
                h.virt = value
            except ValueError as e:
                raise RegisterError(str(e)) from None
            return
        if key in CSR_BY_NAME:
            try:
                h.csr_write(CSR_BY_NAME[key], value)
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
        self._set_breakpoints(self.breakpoints)

    def remove_breakpoint(self, addr):
        self.breakpoints.discard(int(addr))
        self._set_breakpoints(self.breakpoints)

    def _set_breakpoints(self, addrs):
        for h in self.harts:
            h.set_breakpoints(addrs)
        if self.group is not None:
            self.group.code_changed()

    def gdb_serve(self, port=1234, host="127.0.0.1", ready=None):
        """Serve one GDB remote-protocol client on host:port (see rvemu.gdbstub)."""
        from rvemu.gdbstub import gdb_serve
        return gdb_serve(self, port, host, ready)

    def run_hart(self, hart, max_insns=1):
        """A debugger's step: run only hart ``hart`` for exactly max_insns steps while
        the others stay still, serving its exits (console, SBI, MMIO) as run() does.
        Breakpoints stop it too (reason 'breakpoint'). With one hart: run(max_insns)."""
        h = self._hart_arg(hart)
        if self.group is None:
            return self.run(max_insns=max_insns)
        g = self.group
        self._at_breakpoint = False
        start_insns = self.instret
        t0 = time.perf_counter()
        remaining = max_insns
        result = None
        while result is None:
            if remaining <= 0:
                result = ("budget", None)
                break
            reason = g.step_hart(hart, remaining)
            remaining -= g.steps
            if reason == _ECALL:
                remaining -= 1
            if reason == _BUDGET:
                out = self._take_output()
                if out:
                    self._console_write(out)
                continue
            if reason == _IDLE:        # stopped, or asleep in WFI: the step ends here
                self.exits["idle"] = self.exits.get("idle", 0) + 1
                if self._input:
                    self._feed_console(waiting=True)
                result = ("idle", None)
                break
            if reason == _EBREAK:
                self._bp_hart = h
            result = self._after_exit(reason, None, h)
        return RunResult(result[0], result[1], self.instret - start_insns,
                         time.perf_counter() - t0)

    # ---- running ------------------------------------------------------------------------
    def run(self, max_insns=None, until=None):
        """Run until the guest halts, max_insns steps pass, or the hart idles for ever.

        A step is a retired instruction or a trap taken, so a guest stuck trapping still
        stops at the budget. ``until`` is an address: stop (reason 'until') when the pc
        reaches it. Breakpoints stop with reason 'breakpoint'; running again resumes."""
        h = self.hart if self._bp_hart is None else self._bp_hart
        if until is not None:
            self._set_breakpoints(self.breakpoints | {int(until)})
        if self._at_breakpoint:
            h.step_over_breakpoint()
            self._at_breakpoint = False
            self._resumed = (h, h.pc, h.instret)
        try:
            if self.group is not None:
                return self._run_harts(max_insns, until)
            return self._run(max_insns, until)
        finally:
            if until is not None:
                self._set_breakpoints(self.breakpoints)

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

    def _run_harts(self, max_insns, until):
        """run() with several harts: the group runs them round-robin in slices."""
        g = self.group
        start_insns = self.instret
        t0 = time.perf_counter()
        remaining = max_insns
        result = None
        self._stop = False
        while result is None:
            if self._stop:
                result = ("stopped", None)
                break
            if self._input:
                self._feed_console()
            n = SLICE if remaining is None else min(SLICE, remaining)
            reason = g.run(n)
            if remaining is not None:
                remaining -= g.steps
                if reason == _ECALL:
                    remaining -= 1
            h = self.harts[g.last] if g.last >= 0 else self.hart
            if reason == _BUDGET:
                out = self._take_output()
                self._quiet = not out
                if out:
                    self._console_write(out)
                if remaining is not None and remaining <= 0:
                    result = ("budget", None)
                continue
            if reason == _EBREAK:
                self._bp_hart = h
            result = self._after_exit(reason, until, h)
        return RunResult(result[0], result[1], self.instret - start_insns,
                         time.perf_counter() - t0)

    @property
    def instret(self):
        """Instructions retired (by all harts)."""
        if self.group is None:
            return self.hart.instret
        return sum(h.instret for h in self.harts)
