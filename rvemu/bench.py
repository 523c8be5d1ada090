"""``rvemu bench``: the throughput suite and the Python-boundary measurements.

Throughput workloads are the self-checking guests of ``guests/bench`` (see its README):
each reads ``bench_iters`` and exits 0 through HTIF when its checksums match.  A run that
ends any other way is an error, never a number.  Each workload runs ``repeat`` times on a
fresh machine; the best (shortest) run is reported.

Boundary measurements (what crossing between Python and the core costs):

* ``run_call``   ``Machine.run(max_insns=1)`` on a two-instruction loop: one full entry
                 into and exit out of the core through the public API, per call.
* ``hart_call``  the same with ``Machine.hart.run(1)``: the Cython boundary alone, without
                 ``Machine.run``'s Python bookkeeping.
* ``sbi_call``   an S-mode guest (``guests/bench/sbi_call.elf``) making ``bench_iters``
                 SBI calls (base extension, get_spec_version), each served by the Python
                 SBI firmware: one exit from the core, the Python handler, re-entry.

* ``mmio_call``  a loop of loads from a Python device attached with ``Machine.add_device``:
                 one exit from the core per access, ``device.read``, re-entry.

The library functions (``run_workload``, ``measure_run_call``, ``measure_sbi_call``) are what
``tests/benchmarks`` uses as well.
"""
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rvemu.errors import RvemuError

ENV_DIR = "RVEMU_BENCH_DIR"
RAM = "64M"
RAM_BASE = 0x8000_0000


class BenchError(RvemuError):
    """A benchmark could not run, or its guest reported a wrong result."""


@dataclass(frozen=True)
class Workload:
    name: str
    elf: str           # file name in guests/bench
    description: str
    sbi: bool = False  # S-mode payload with the built-in SBI firmware
    isa: str = "rv64gc"
    vlen: int | None = None


WORKLOADS = {w.name: w for w in [
    Workload("intmix", "intmix.elf", "integer mix: sort, CRC/hash, matmul, tokenizer, list (RV64GC)"),
    Workload("intmix_rv64g", "intmix_rv64g.elf", "intmix without compressed instructions (RV64G)"),
    Workload("intmix_sv39", "intmix_sv39.elf", "intmix in U-mode under Sv39"),
    Workload("branchy", "branchy.elf", "parser, binary search, Collatz, switch, bytecode VM"),
    Workload("memcpy", "memcpy.elf", "byte/word/dword copy, shift-merge copy, memset, verify"),
    Workload("fpmix", "fpmix.elf", "n-body, dgemm (fma), single-precision polynomial (F/D)"),
    Workload("vector", "vector.elf", "RVV kernels: memcpy, strlen, saxpy, dot, dgemm, reductions "
             "(VLEN 256)", isa="rv64gcv", vlen=256),
    Workload("vector_scalar", "vector_scalar.elf", "the vector kernels' scalar twins (RV64GC)"),
]}
SBI_WORKLOAD = Workload("sbi_call", "sbi_call.elf",
                        "S-mode guest: SBI get_spec_version round trips", sbi=True)
BOUNDARY = ("run_call", "hart_call", "sbi_call", "mmio_call")
DEFAULT_CALLS = 200_000     # run()/hart.run() calls for run_call / hart_call

# addi t0, t0, 1 ; j -4   (a tight loop at RAM_BASE for the run() round trip)
_LOOP = (0x00128293).to_bytes(4, "little") + (0xFFDFF06F).to_bytes(4, "little")
# lui t1, 0x40000 ; loop: lw t0, 0(t1) ; addi t2, t2, 1 ; j loop   (MMIO read loop)
MMIO_BASE = 0x4000_0000
_MMIO_LOOP = b"".join(w.to_bytes(4, "little") for w in (0x40000337, 0x00032283, 0x00138393, 0xFF9FF06F))


# ---- locating the ELFs ------------------------------------------------------------------
def bench_dir():
    """guests/bench: $RVEMU_BENCH_DIR, else the source checkout this rvemu comes from,
    else the current directory's (an installed rvemu run from a checkout)."""
    env = os.environ.get(ENV_DIR)
    if env:
        d = Path(env)
        if not (d / "intmix.elf").is_file():
            raise BenchError(f"${ENV_DIR} is {env!r}, but there is no intmix.elf in it; point it "
                             f"at the guests/bench folder of an rvemu checkout")
        return d
    pkg = Path(__file__).resolve().parent
    d = pkg.parent / "guests" / "bench"
    if (d / "intmix.elf").is_file():
        return d
    here = Path.cwd() / "guests" / "bench"   # an installed rvemu run from a checkout
    if (here / "intmix.elf").is_file():
        return here
    raise BenchError(
        f"the benchmark guests are not here: rvemu is imported from {pkg}, which is not inside "
        f"an rvemu source checkout (no {d}). The guest ELFs ship with the repository, not the "
        f"package: run `rvemu bench` from a checkout (pip install -e .), or set {ENV_DIR} to "
        f"the guests/bench folder of one")


def elf_path(workload):
    p = bench_dir() / workload.elf
    if not p.is_file():
        raise BenchError(f"{p} is missing; rebuild it with `python guests/build.py bench`")
    return p


# ---- running ----------------------------------------------------------------------------
def workload(name):
    """The Workload called ``name`` (the throughput workloads and sbi_call)."""
    w = SBI_WORKLOAD if name == "sbi_call" else WORKLOADS.get(name)
    if w is None:
        raise BenchError(f"unknown workload {name!r}; available: {', '.join(names())}")
    return w


def prepare(name, iters=None):
    """A fresh machine with workload ``name`` loaded and bench_iters set (None: the ELF's
    default).  Returns (machine, bench_iters)."""
    from rvemu.machine.machine import Machine
    w = workload(name)
    m = Machine(isa=w.isa, ram=RAM, sbi=w.sbi, vlen=w.vlen)
    m.load_elf(elf_path(w))
    addr = m.symbols.get("bench_iters")
    if addr is None:
        raise BenchError(f"{w.elf} has no bench_iters symbol; it is not a benchmark guest")
    default = int.from_bytes(m.mem_read(addr, 8), "little")
    if iters is not None:
        if not 0 <= iters < 1 << 64:
            raise BenchError(f"--iters must be between 0 and 2**64-1, not {iters}")
        m.mem_write(addr, int(iters).to_bytes(8, "little"))
    return m, (default if iters is None else iters)


def check_result(name, result, iters):
    """Raise BenchError unless the run ended with the guest's exit code 0."""
    if result.reason != "halt" or result.exit_code != 0:
        what = (f"exit code {result.exit_code}" if result.reason == "halt"
                else f"stopped ({result.reason}) after {result.instructions} instructions")
        raise BenchError(f"{name}: wrong result, {what} (bench_iters={iters}); exit codes "
                         f"are explained in guests/bench/README.md")


def timed_run(m, max_insns=None):
    """m.run() plus the process CPU time it took (unlike the wall time, CPU time does not
    grow when other jobs share the CPUs).  Returns (RunResult, cpu_seconds)."""
    c0 = time.process_time()
    r = m.run(max_insns=max_insns)
    return r, time.process_time() - c0


def run_once(name, iters=None, max_insns=None):
    """One checked run of workload ``name``; returns (RunResult, bench_iters)."""
    m, n = prepare(name, iters)
    r, _ = timed_run(m, max_insns)
    check_result(name, r, n)
    return r, n


def run_workload(name, iters=None, repeat=1):
    """Run a throughput workload ``repeat`` times; return the best run as a record (dict)."""
    w = workload(name)
    best, n, cpu = None, None, None
    for _ in range(max(1, repeat)):
        m, n = prepare(name, iters)
        r, c = timed_run(m)
        check_result(name, r, n)
        if best is None or r.seconds < best.seconds:
            best = r
        cpu = c if cpu is None else min(cpu, c)
    return {"workload": w.name, "kind": "throughput", "bench_iters": n, "exit_code": best.exit_code,
            "instructions": best.instructions, "seconds": best.seconds, "mips": best.mips,
            "cpu_seconds": cpu, "cpu_mips": best.instructions / cpu / 1e6 if cpu > 0 else 0.0,
            "repeat": max(1, repeat)}


def measure_sbi_call(iters=None, repeat=1):
    """SBI round trip: an S-mode guest doing bench_iters SBI calls; best of ``repeat``."""
    rec = run_workload("sbi_call", iters=iters, repeat=repeat)
    calls = rec["bench_iters"]
    rec.update(kind="boundary", calls=calls,
               us_per_call=rec["seconds"] / calls * 1e6 if calls else 0.0,
               cpu_us_per_call=rec["cpu_seconds"] / calls * 1e6 if calls else 0.0,
               calls_per_second=calls / rec["seconds"] if rec["seconds"] > 0 else 0.0)
    return rec


def loop_machine():
    """A machine whose hart spins in `addi t0, t0, 1; j -4` at RAM_BASE (M-mode)."""
    from rvemu.machine.machine import Machine
    m = Machine(isa="rv64gc", ram=RAM)
    m.mem_write(RAM_BASE, _LOOP)
    m.hart.reset(RAM_BASE, 0, 0)
    return m


def measure_run_call(calls=DEFAULT_CALLS, repeat=1, max_insns=1, raw=False):
    """run() round trip: ``calls`` x ``Machine.run(max_insns)`` (``raw``: ``hart.run``) on
    a tight loop; best of ``repeat``.  Returns a record with us_per_call."""
    if calls <= 0 or max_insns <= 0:
        raise BenchError("calls and max_insns must be positive")
    best = None
    for _ in range(max(1, repeat)):
        m = loop_machine()
        before = m.instret
        if raw:
            f = m.hart.run
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(calls):
                f(max_insns)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        else:
            f = m.run
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(calls):
                f(max_insns=max_insns)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        insns = m.instret - before
        if insns != calls * max_insns:
            raise BenchError(f"run_call: {insns} instructions retired in {calls} calls of "
                             f"max_insns={max_insns}; expected {calls * max_insns}")
        if best is None or dt < best[0]:
            best = (dt, insns, min(cpu, best[2]) if best else cpu)
        else:
            best = (best[0], best[1], min(cpu, best[2]))
    dt, insns, cpu = best
    return {"workload": "hart_call" if raw else "run_call", "kind": "boundary", "calls": calls,
            "max_insns": max_insns, "instructions": insns, "seconds": dt,
            "mips": insns / dt / 1e6 if dt > 0 else 0.0,
            "cpu_seconds": cpu, "cpu_mips": insns / cpu / 1e6 if cpu > 0 else 0.0,
            "us_per_call": dt / calls * 1e6, "cpu_us_per_call": cpu / calls * 1e6,
            "calls_per_second": calls / dt if dt > 0 else 0.0,
            "repeat": max(1, repeat)}


class CountingDevice:
    """A Python device whose reads return a constant; counts the accesses."""

    def __init__(self):
        self.reads = 0
        self.writes = 0

    def read(self, offset, size):
        self.reads += 1
        return 0x5A

    def write(self, offset, size, value):
        self.writes += 1


def mmio_machine():
    """A machine looping on `lw` from a CountingDevice at MMIO_BASE (3 instructions per
    access after one `lui`).  Returns (machine, device)."""
    from rvemu.machine.machine import Machine
    m = Machine(isa="rv64gc", ram=RAM)
    dev = CountingDevice()
    m.add_device(MMIO_BASE, 0x1000, dev)
    m.mem_write(RAM_BASE, _MMIO_LOOP)
    m.hart.reset(RAM_BASE, 0, 0)
    return m, dev


def measure_mmio_call(calls=DEFAULT_CALLS // 2, repeat=1):
    """MMIO round trip: ``calls`` guest loads served by a Python device, in one
    Machine.run(); best of ``repeat``.  Returns a record with us_per_call."""
    if calls <= 0:
        raise BenchError("calls must be positive")
    best = None
    for _ in range(max(1, repeat)):
        m, dev = mmio_machine()
        c0 = time.process_time()
        r = m.run(max_insns=1 + 3 * calls)
        cpu = time.process_time() - c0
        if r.reason != "budget" or dev.reads != calls or m.reg_read("t0") != 0x5A:
            raise BenchError(f"mmio_call: {dev.reads} device reads (expected {calls}), "
                             f"run ended with {r.reason}, t0={m.reg_read('t0'):#x}")
        if best is None or r.seconds < best[0].seconds:
            best = (r, min(cpu, best[1]) if best else cpu)
        else:
            best = (best[0], min(cpu, best[1]))
    r, cpu = best
    return {"workload": "mmio_call", "kind": "boundary", "calls": calls,
            "instructions": r.instructions, "seconds": r.seconds, "mips": r.mips,
            "cpu_seconds": cpu, "cpu_mips": r.instructions / cpu / 1e6 if cpu > 0 else 0.0,
            "us_per_call": r.seconds / calls * 1e6, "cpu_us_per_call": cpu / calls * 1e6,
            "calls_per_second": calls / r.seconds if r.seconds > 0 else 0.0,
            "repeat": max(1, repeat)}


def names():
    return list(WORKLOADS) + list(BOUNDARY)


def run_selected(selected=None, iters=None, repeat=3, calls=DEFAULT_CALLS, progress=None):
    selected = list(selected or names())
    unknown = [s for s in selected if s not in WORKLOADS and s not in BOUNDARY]
    if unknown:
        raise BenchError(f"unknown workload(s) {', '.join(unknown)}; available: {', '.join(names())}")
    bench_dir()   # fail early, with the explanation, when the ELFs are not available
    records = []
    for s in selected:
        if progress:
            progress(s)
        if s in WORKLOADS:
            records.append(run_workload(s, iters=iters, repeat=repeat))
        elif s == "sbi_call":
            records.append(measure_sbi_call(iters=iters, repeat=repeat))
        elif s == "mmio_call":
            records.append(measure_mmio_call(calls=max(1, calls // 2), repeat=repeat))
        else:
            records.append(measure_run_call(calls=calls, repeat=repeat, raw=(s == "hart_call")))
    return records


# ---- output -----------------------------------------------------------------------------
def format_table(records):
    lines = []
    thr = [r for r in records if r["kind"] == "throughput"]
    bnd = [r for r in records if r["kind"] == "boundary"]
    if thr:
        lines.append(f"{'workload':<14} {'bench_iters':>11} {'instructions':>14} {'seconds':>9} "
                     f"{'MIPS':>8} {'CPU MIPS':>9}")
        for r in thr:
            lines.append(f"{r['workload']:<14} {r['bench_iters']:>11} {r['instructions']:>14,} "
                         f"{r['seconds']:>9.3f} {r['mips']:>8.1f} {r['cpu_mips']:>9.1f}")
    if bnd:
        if lines:
            lines.append("")
        lines.append(f"{'boundary':<14} {'calls':>11} {'instructions':>14} {'seconds':>9} "
                     f"{'us/call':>8} {'CPU us/call':>11} {'calls/s':>11}")
        for r in bnd:
            lines.append(f"{r['workload']:<14} {r['calls']:>11} {r['instructions']:>14,} "
                         f"{r['seconds']:>9.3f} {r['us_per_call']:>8.3f} {r['cpu_us_per_call']:>11.3f} "
                         f"{r['calls_per_second']:>11,.0f}")
    return "\n".join(lines)


def main(args):
    """Entry point of ``rvemu bench`` (args from rvemu.cli's bench subparser)."""
    if getattr(args, "list", False):
        for n in names():
            w = WORKLOADS.get(n) or (SBI_WORKLOAD if n == "sbi_call" else None)
            desc = w.description if w else {
                "run_call": "Machine.run(max_insns=1) round trip on a tight loop",
                "hart_call": "Hart.run(1) round trip (the Cython boundary alone)",
                "mmio_call": "guest loads from a Python device (Machine.add_device)"}[n]
            print(f"{n:<14} {desc}")
        return 0
    if args.repeat < 1:
        raise BenchError("--repeat must be at least 1")
    calls = getattr(args, "calls", None) or DEFAULT_CALLS
    progress = None
    if not args.json and sys.stderr.isatty():
        def progress(name):
            print(f"  running {name} ...", file=sys.stderr, end="\r", flush=True)
    try:
        records = run_selected(args.workloads, iters=args.iters, repeat=args.repeat,
                               calls=calls, progress=progress)
    finally:
        if progress:
            print(" " * 40, file=sys.stderr, end="\r", flush=True)
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        print(format_table(records))
        print(f"\nbest of {args.repeat} run(s) each; MIPS = retired instructions / wall seconds "
              f"of Machine.run; CPU MIPS and CPU us/call use the process CPU time instead (they "
              f"do not suffer when other jobs share the CPUs)")
    return 0
