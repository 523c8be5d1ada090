"""The ``rvemu`` command: run, disasm, info, bench.

Exit codes of ``rvemu run``: the guest's own exit code (clamped to 0-255; a non-zero
code whose low byte is 0 becomes 255), 124 when --max-insns ran out, 125 when the hart
went idle for ever, 126 for a trap loop, 2 for bad arguments or input.
"""
import argparse
import contextlib
import json
import os
import signal
import sys

from rvemu.errors import RvemuError

EXIT_BUDGET = 124
EXIT_IDLE = 125
EXIT_TRAP_LOOP = 126
EXIT_USAGE = 2


def _guest_exit_status(code):
    if code is None:
        return 0
    if 0 <= code <= 255:
        return code
    return 255


def cmd_run(args):
    from rvemu.console import StdinPump
    from rvemu.machine.machine import Machine
    from rvemu.trace import Tracer

    out = sys.stdout.buffer

    def console(data):
        out.write(data)
        out.flush()

    if args.gdb_wait and args.gdb is None:
        print("rvemu: error: --gdb-wait needs --gdb PORT", file=sys.stderr)
        return EXIT_USAGE
    if args.kernel is not None and args.bios is None:
        raise RvemuError("--kernel needs --bios (M-mode firmware that starts it)")
    if args.elf is None and args.bios is None:
        raise RvemuError("nothing to run: give a guest ELF, or --bios FIRMWARE [--kernel PAYLOAD]")
    if args.elf is not None and args.bios is not None:
        raise RvemuError("give either a guest ELF or --bios FIRMWARE, not both")
    if args.sbi and args.bios is not None:
        raise RvemuError("--sbi (the built-in SBI) and --bios (firmware providing the SBI) exclude each other")
    if args.kvm:
        return _run_kvm(args, console)
    if args.harts != 1 and args.trace:
        raise RvemuError("--trace follows one hart; use it without --harts")
    m = Machine(isa=args.isa, ram=args.ram, misaligned=args.misaligned, svadu=args.svadu,
                time_div=args.time_div, console=console, sbi=args.sbi, vlen=args.vlen,
                agnostic=args.agnostic, harts=args.harts, hart_slice=args.hart_slice)
    if args.bios is not None:
        m.load_elf(args.bios)          # M-mode firmware at its entry, a1 = device tree
        if args.kernel is not None:
            m.load_payload(args.kernel)
    else:
        m.load_elf(args.elf)
    pump = None
    if args.stdin:
        try:
            pump = StdinPump(m)
        except (OSError, ValueError, AttributeError):
            pump = None  # no readable stdin (closed, or captured by a test runner)
    with (pump if pump is not None else contextlib.nullcontext()):
        if args.gdb is not None:
            threads = f"; its {m.nharts} harts are threads" if m.nharts > 1 else ""
            stub = m.gdb_serve(args.gdb, ready=lambda port: print(
                f"rvemu: waiting for GDB on 127.0.0.1:{port} (target remote :{port}){threads}",
                file=sys.stderr, flush=True))
            if stub.outcome == "kill":
                print("rvemu: killed by the debugger", file=sys.stderr)
                return 128 + signal.SIGKILL
            if stub.exited or stub.outcome == "detach":
                result = stub.last_result
            else:   # the client went away with the guest stopped: nothing more to do
                print("rvemu: the debugger disconnected", file=sys.stderr)
                return 0
        elif args.trace:
            with Tracer(m, args.trace) as tr:
                result = tr.run(args.max_insns)
        else:
            result = m.run(max_insns=args.max_insns)
    if args.stats:
        st = m.hart.stats()
        lines = [
            f"instructions: {result.instructions}",
            f"seconds:      {result.seconds:.3f}",
            f"MIPS:         {result.mips:.1f}",
            f"exit:         {result.reason}" + (f" (code {result.exit_code})" if result.exit_code is not None else ""),
            "exits:        " + ", ".join(f"{k}={v}" for k, v in sorted(m.exits.items())),
            f"traps:        {st['traps']} (interrupts {st['interrupts']})",
            f"decodes:      {st['decodes']}, TLB refills {st['tlb_misses']}",
        ]
        if m.group is not None:   # several harts: the lines above are hart 0's traps/decodes
            lines.append(f"harts:        {m.nharts}, {m.group.slices} slices of "
                         f"{m.group.slice_len} instructions; instret per hart: "
                         + ", ".join(str(h.instret) for h in m.harts))
        print("\n".join(lines), file=sys.stderr)
    if result.reason == "budget":
        print(f"rvemu: stopped after {result.instructions} instructions (--max-insns)", file=sys.stderr)
        return EXIT_BUDGET
    if result.reason == "stopped":
        print("\r\nrvemu: stopped (Ctrl-A x)", file=sys.stderr)
        return 0
    if result.reason == "idle":
        print("rvemu: the hart is waiting for an interrupt that can never come (WFI with nothing armed)",
              file=sys.stderr)
        return EXIT_IDLE
    if result.reason == "trap_loop":
        mcause, mepc, mtval, *_ = m.hart.trap_info
        print(f"rvemu: the guest is stuck in a trap loop (mcause={mcause}, mepc={mepc:#x}, "
              f"mtval={mtval:#x}): its trap handler faults too", file=sys.stderr)
        return EXIT_TRAP_LOOP
    return _guest_exit_status(result.exit_code)


def _run_kvm(args, console):
    """``rvemu run --kvm``: the ELF as a VS-mode guest of the KVM model's small VMM."""
    from rvemu.kvm.run import kvm_host_isa
    from rvemu.kvm.vmm import Vmm
    if args.bios is not None or args.sbi or args.trace:
        raise RvemuError("--kvm runs the ELF as a guest of the VMM; --bios, --sbi and "
                         "--trace do not apply")
    if args.elf is None:
        raise RvemuError("--kvm needs a guest ELF")
    host = kvm_host_isa(args.isa)
    vmm = Vmm(args.elf, vcpus=args.vcpus, ram=args.ram, host_isa=host, console=console,
              strategy=args.hstatus, simd_policy=args.simd_policy)
    if args.stdin and not sys.stdin.isatty():
        with contextlib.suppress(OSError, ValueError):
            vmm.send_input(sys.stdin.buffer.read())
    if args.gdb is not None:
        stub = vmm.gdb_serve(args.gdb, ready=lambda port: print(
            f"rvemu: waiting for GDB on 127.0.0.1:{port} (target remote :{port}); "
            f"the vCPUs are its threads", file=sys.stderr, flush=True))
        if stub.outcome == "kill":
            print("rvemu: killed by the debugger", file=sys.stderr)
            return 128 + signal.SIGKILL
        if not (stub.exited or stub.outcome == "detach"):
            print("rvemu: the debugger disconnected", file=sys.stderr)
            return 0
        result = stub.last_result
    else:
        result = vmm.run(max_insns=args.max_insns)
    if args.stats:
        st = vmm.stats()
        print(f"instructions: {result.instructions}\nseconds:      {result.seconds:.3f}\n"
              f"exit:         {result.reason}", file=sys.stderr)
        ws = st["world_switch"]
        print("world switch: " + ", ".join(f"{k}={v}" for k, v in ws.items()), file=sys.stderr)
        print("simd context: " + ", ".join(f"{k}={v}" for k, v in st["simd"].items()),
              file=sys.stderr)
        for vid, s in st["vcpus"].items():
            print(f"vcpu {vid}: instret={s['instret']} exits: "
                  + ", ".join(f"{k}={n}" for k, n in sorted(s["exits"].items())), file=sys.stderr)
            if s["pmu_fw"]:
                print(f"vcpu {vid}: SBI PMU firmware counters: "
                      + ", ".join(f"{k}={n}" for k, n in s["pmu_fw"].items()), file=sys.stderr)
    if result.reason == "budget":
        print(f"rvemu: stopped after {result.instructions} guest instructions (--max-insns)",
              file=sys.stderr)
        return EXIT_BUDGET
    if result.reason == "idle":
        print("rvemu: every vCPU is waiting for an interrupt that can never come", file=sys.stderr)
        return EXIT_IDLE
    if result.reason == "error":
        print("rvemu: the VM stopped on an exit the VMM cannot serve", file=sys.stderr)
        return 1
    return _guest_exit_status(result.exit_code)


def cmd_disasm(args):
    from rvemu.isa.disasm import disassemble_elf
    for line in disassemble_elf(args.elf, isa=args.isa):
        print(line)
    return 0


def cmd_info(args):
    from rvemu.isa.extensions import EXTENSIONS
    from rvemu.isa.isastring import parse_isa
    isa = parse_isa(args.isa)
    info = {
        "isa": isa.canonical(),
        "misa": f"{isa.misa:#x}",
        "extensions": sorted(isa.names),
        "known_extensions": {e.name: e.description + ("" if e.implemented else " (not implemented yet)")
                             for e in EXTENSIONS},
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"ISA:        {info['isa']}")
        print(f"misa:       {info['misa']}")
        print(f"extensions: {' '.join(info['extensions'])}")
    return 0


def cmd_bench(args):
    if args.workloads == ["simd"]:
        from rvemu.bench_simd import main as simd_main
        return simd_main(args)
    from rvemu.bench import main as bench_main
    return bench_main(args)


def cmd_batch(args):
    from rvemu.batch import elf_jobs, run_batch, summary
    if args.fuzz:
        from rvemu.fuzz.campaign import fuzz_jobs
        jobs = fuzz_jobs(args.fuzz, seed=args.seed, modes=args.modes,
                         max_insns=args.max_insns or 50_000,
                         kvm={"off": [False], "on": [True], "both": [False, True]}[args.kvm])
    else:
        if not args.guests:
            raise RvemuError("give guest ELFs or directories (e.g. guests/), or --fuzz N")
        vlens = [None if v in ("none", "-") else int(v) for v in args.vlen] if args.vlen else [None]
        kvm = {"off": [False], "on": [True], "both": [False, True]}[args.kvm]
        jobs = elf_jobs(args.guests, isas=args.isa or ["rv64gc"], vlens=vlens,
                        boards=args.board or ["virt"], kvm=kvm,
                        simd_policies=args.simd_policy or ["eager"],
                        max_insns=args.max_insns or 50_000_000, sbi=args.sbi,
                        vcpus=args.vcpus)
    recs = run_batch(jobs, args.output, fmt=args.format, workers=args.workers,
                     scheduler=args.scheduler, progress=not args.no_progress,
                     resume=not args.restart)
    print(summary(recs), file=sys.stderr if args.output is None and args.json else sys.stdout)
    if args.output is None and args.json:
        for r in recs:
            print(json.dumps(r, sort_keys=True, default=str))
    return 0 if all(r.get("ok") for r in recs) else 1


def build_parser():
    p = argparse.ArgumentParser(prog="rvemu", description="A fast RISC-V RV64GC emulator.")
    p.add_argument("--version", action="version", version="rvemu 0.1.0")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a guest ELF")
    r.add_argument("elf", nargs="?", help="RV64 ELF image (started in M-mode, or S-mode with --sbi)")
    r.add_argument("--bios", metavar="FW", help="M-mode firmware ELF, e.g. OpenSBI fw_jump.elf (QEMU's -bios)")
    r.add_argument("--kernel", metavar="PAYLOAD",
                   help="next stage for --bios: an ELF at its addresses, or a raw image at 0x80200000")
    r.add_argument("--isa", default="rv64gc", help="ISA string, e.g. rv64gc or rv64imac (default rv64gc)")
    r.add_argument("--ram", default="256M", help="RAM size at 0x80000000 (default 256M)")
    r.add_argument("--harts", type=int, default=1, metavar="N",
                   help="harts sharing RAM, run round-robin in slices (default 1); all start at "
                        "the entry with a0 = hart id (with --sbi only hart 0; SBI HSM starts the others)")
    r.add_argument("--hart-slice", type=int, default=10_000, metavar="N",
                   help="with --harts: instructions a hart runs before the next one's turn (default 10000)")
    r.add_argument("--max-insns", type=int, default=None, metavar="N",
                   help="stop after N steps (retired instructions plus traps)")
    r.add_argument("--sbi", action="store_true",
                   help="start the ELF in S-mode with the built-in SBI firmware (a0=hartid, a1=FDT)")
    r.add_argument("--trace", metavar="FILE",
                   help="write one line per retired instruction (Spike --log-commits format); '-' for stderr")
    r.add_argument("--stats", action="store_true", help="print instructions, time, MIPS and exits")
    r.add_argument("--misaligned", choices=("trap", "hw"), default="trap",
                   help="misaligned loads/stores trap (default) or are done in hardware")
    r.add_argument("--svadu", action="store_true", help="hardware A/D bit updates (Svadu)")
    r.add_argument("--vlen", type=int, default=None, metavar="BITS",
                   help="vector register length (power of two, default 128; needs V or Zve*)")
    r.add_argument("--agnostic", choices=("undisturbed", "ones"), default="undisturbed",
                   help="vector tail/mask-agnostic elements: left undisturbed (default) or set to all ones")
    r.add_argument("--time-div", type=int, default=100, metavar="N",
                   help="instructions per mtime tick (deterministic time; default 100)")
    r.add_argument("--no-stdin", dest="stdin", action="store_false",
                   help="do not feed piped stdin to the guest console")
    r.add_argument("--gdb", type=int, default=None, metavar="PORT",
                   help="serve the GDB remote protocol on 127.0.0.1:PORT; the guest waits, "
                        "stopped at its entry, for the client (like qemu -s -S)")
    r.add_argument("--gdb-wait", action="store_true",
                   help="wait for the GDB client before running (implied by --gdb for now)")
    r.add_argument("--kvm", action="store_true",
                   help="run the ELF as a VS-mode guest of the KVM model's VMM (the host hart "
                        "gets H; a0 = vCPU id, a1 = FDT)")
    r.add_argument("--vcpus", type=int, default=1, metavar="N",
                   help="--kvm: vCPUs time-sharing the hart (default 1)")
    r.add_argument("--hstatus", choices=("direct", "nacl_sync_csr", "nacl_autoswap"),
                   default="direct",
                   help="--kvm: how the world switch swaps HSTATUS (seed 002; default direct)")
    r.add_argument("--simd-policy", choices=("eager", "lazy"), default="eager",
                   help="--kvm: FP/vector context policy: eager (Linux today) or lazy "
                        "(first-use trap, as arm64)")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("disasm", help="disassemble an ELF's code (objdump-like)")
    d.add_argument("elf")
    d.add_argument("--isa", default="rv64gcv_zfh_zfbfmin_zvfh_zvfbfmin_zvfbfwma"
                   "_zvbb_zvbc_zvkg_zvkned_zvknhb_zvksed_zvksh",
                   help="ISA whose instructions to decode (default: everything rvemu implements)")
    d.set_defaults(func=cmd_disasm)

    i = sub.add_parser("info", help="show what an ISA string enables")
    i.add_argument("--isa", default="rv64gc")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)

    b = sub.add_parser("bench", help="run the throughput workloads and print MIPS")
    b.add_argument("--json", action="store_true", help="machine-readable output")
    b.add_argument("--repeat", type=int, default=3, help="runs per workload (best is reported)")
    b.add_argument("--iters", type=int, default=None, help="override each workload's bench_iters")
    b.add_argument("--calls", type=int, default=None, metavar="N",
                   help="calls for the run_call/hart_call boundary measurements (default 200000; "
                        "mmio_call makes half as many device accesses)")
    b.add_argument("--list", action="store_true", help="list the workloads and exit")
    b.add_argument("workloads", nargs="*",
                   help="workload names (default: all; see --list), or 'simd' alone for the "
                        "FP/vector context-policy benchmark of the KVM model")
    b.add_argument("--vlen", type=int, nargs="+", metavar="BITS",
                   help="simd: the VLENs to measure (default 128 256 512 1024)")
    b.add_argument("--vcpus", type=int, default=4, help="simd: vCPUs sharing the hart (default 4)")
    b.add_argument("--quantum", type=int, default=2000,
                   help="simd: guest instructions per vCPU turn (default 2000)")
    b.add_argument("--plot", metavar="FILE.png",
                   help="simd: draw bytes moved and time per VLEN, eager against lazy")
    b.set_defaults(func=cmd_bench)

    bt = sub.add_parser("batch", help="run many guests or a configuration matrix, or a fuzzing "
                                      "campaign, on a process pool or a Dask cluster")
    bt.add_argument("guests", nargs="*", help="guest ELFs, directories of *.elf, or globs")
    bt.add_argument("-o", "--output", metavar="FILE",
                    help="records as JSON lines (.jsonl) or CSV (.csv); an existing file is "
                         "resumed (its jobs are skipped)")
    bt.add_argument("--format", choices=("jsonl", "csv"), default=None,
                    help="output format (default: from the file name)")
    bt.add_argument("--isa", action="append", help="ISA string (repeat for a matrix; default rv64gc)")
    bt.add_argument("--vlen", action="append", metavar="BITS",
                    help="VLEN (repeat for a matrix; applies to ISAs with V)")
    bt.add_argument("--board", action="append", help="board (repeat; default virt)")
    bt.add_argument("--kvm", choices=("off", "on", "both"), default="off",
                    help="run on the machine (off), as KVM-model guests (on), or both "
                         "(guests and --fuzz programs)")
    bt.add_argument("--simd-policy", action="append", choices=("eager", "lazy"),
                    help="--kvm: SIMD context policies (repeat for a matrix)")
    bt.add_argument("--vcpus", type=int, default=1, help="--kvm: vCPUs per VM (default 1)")
    bt.add_argument("--sbi", action="store_true",
                    help="machine runs start in S-mode with the built-in SBI (as rvemu run --sbi)")
    bt.add_argument("--max-insns", type=int, default=None, metavar="N",
                    help="instruction budget per run (default 50M; 50000 per --fuzz program)")
    bt.add_argument("--fuzz", type=int, default=0, metavar="N",
                    help="instead of guests: N generated programs (rvemu.fuzz) with their "
                         "property checks")
    bt.add_argument("--seed", type=int, default=0, help="--fuzz: first seed (default 0)")
    bt.add_argument("--modes", nargs="+", default=None, metavar="MODE",
                    help="--fuzz: privilege modes to draw from (M S U VS VU; default all)")
    bt.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    bt.add_argument("--scheduler", metavar="ADDRESS",
                    help="run on a Dask distributed cluster (tcp://host:8786) instead of "
                         "the local pool; needs pip install 'rvemu[batch]'")
    bt.add_argument("--restart", action="store_true",
                    help="ignore records already in --output and start afresh")
    bt.add_argument("--no-progress", action="store_true", help="no progress bar")
    bt.add_argument("--json", action="store_true",
                    help="without --output: print the records as JSON lines")
    bt.set_defaults(func=cmd_batch)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RvemuError as e:
        print(f"rvemu: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rvemu: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1


if __name__ == "__main__":
    sys.exit(main())
