"""``rvemu bench simd``: the FP/vector context policies measured (seeds 000 and 001).

Several vCPUs of one VM share the hart round-robin with a short quantum, so vCPU switches
and returns to the VMM are frequent. Each runs guests/kvm/simd_mix.elf: integer work with
one vector and one FP operation every ``simd_every`` iterations (SIMD-heavy: 1; light:
e.g. 500; none: 0). For each VLEN and policy the table gives the switches (vCPU runs),
saves, restores, bytes moved, first-use traps and wall time.
"""
import json
import sys
import time

from rvemu.errors import RvemuError
from rvemu.kvm import Kvm, core_reg
from rvemu.kvm import uapi as U
from rvemu.kvm.simd import set_policy, vm_stats
from rvemu.machine.elf import read_elf

GUEST_RAM = 0x8000_0000
GUEST_SIZE = 0x40_0000
MIXES = {"heavy": 1, "light": 500, "none": 0}


def _elf():
    from rvemu.bench import bench_dir
    return bench_dir().parent / "kvm" / "simd_mix.elf"


def run_case(policy, vlen, mix, *, vcpus=4, iters=20_000, quantum=2_000):
    """One configuration; returns its record (counters, time, guest instructions)."""
    img = read_elf(_elf())
    kvm = Kvm("rv64gcvh_zicntr_zihpm", vlen=vlen)
    vm = kvm.create_vm()
    set_policy(vm, policy)
    mem = vm.alloc_memory(GUEST_SIZE)
    vm.set_user_memory_region(0, 0, GUEST_RAM, GUEST_SIZE, mem)
    for seg in img.segments:
        off = seg.paddr - GUEST_RAM
        mem[off:off + seg.memsz] = 0
        mem[off:off + len(seg.data)] = memoryview(seg.data)
    for name, value in (("iters", iters), ("simd_every", MIXES.get(mix, mix))):
        off = img.symbols[name] - GUEST_RAM
        mem[off:off + 8] = memoryview(int(value).to_bytes(8, "little"))
    cpus = []
    for i in range(vcpus):
        v = vm.create_vcpu(i)
        v.set_one_reg(core_reg("pc"), img.entry)
        v.set_one_reg(core_reg("regs.a0"), i)
        v.set_mp_state(U.KVM_MP_STATE_RUNNABLE)
        cpus.append(v)
    switches = 0
    t0 = time.perf_counter()
    while True:
        live = [v for v in cpus if v.mp_state == U.KVM_MP_STATE_RUNNABLE]
        if not live:
            break
        for v in live:
            v.run(max_insns=quantum)
            switches += 1
    seconds = time.perf_counter() - t0
    st_off = img.symbols["status"] - GUEST_RAM
    status = [int.from_bytes(bytes(mem[st_off + 8 * i:st_off + 8 * i + 8]), "little")
              for i in range(vcpus)]
    if status != [1] * vcpus:
        raise RvemuError(f"simd_mix failed under {policy} at VLEN {vlen}: status {status} "
                         "(2 = a vCPU saw its FP or vector values change)")
    insns = sum(v.hw_counts.get(2, 0) for v in cpus)
    rec = {"policy": policy, "vlen": vlen, "mix": mix, "vcpus": vcpus, "switches": switches,
           "instructions": insns, "seconds": seconds}
    rec.update(vm_stats(vm))
    return rec


def run_matrix(policies=("eager", "lazy"), vlens=(128, 256, 512, 1024),
               mixes=("none", "light", "heavy"), **kw):
    return [run_case(p, v, m, **kw) for m in mixes for v in vlens for p in policies]


def format_table(records):
    lines = [f"{'mix':<6} {'VLEN':>5} {'policy':<6} {'switches':>8} {'saves':>7} {'restores':>8} "
             f"{'bytes moved':>12} {'1st-use traps':>13} {'seconds':>8}"]
    for r in records:
        saves = r["fp_saves"] + r["v_saves"]
        restores = r["fp_restores"] + r["v_restores"]
        lines.append(f"{r['mix']:<6} {r['vlen']:>5} {r['policy']:<6} {r['switches']:>8} "
                     f"{saves:>7} {restores:>8} {r['bytes_moved']:>12,} "
                     f"{r['first_use_traps']:>13} {r['seconds']:>8.3f}")
    return "\n".join(lines)


def plot(records, path):
    """Bytes moved and wall time per configuration, eager against lazy (matplotlib)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RvemuError("--plot needs matplotlib: pip install 'rvemu[plot]'") from None
    mixes = sorted({r["mix"] for r in records}, key=list(MIXES).index)
    fig, axes = plt.subplots(2, len(mixes), figsize=(4.5 * len(mixes), 7), squeeze=False)
    for j, mix in enumerate(mixes):
        for policy, style in (("eager", "o-"), ("lazy", "s--")):
            rs = sorted((r for r in records if r["mix"] == mix and r["policy"] == policy),
                        key=lambda r: r["vlen"])
            x = [r["vlen"] for r in rs]
            axes[0][j].plot(x, [r["bytes_moved"] for r in rs], style, label=policy)
            axes[1][j].plot(x, [r["seconds"] for r in rs], style, label=policy)
        axes[0][j].set_title(f"SIMD {mix}")
        axes[0][j].set_ylabel("bytes moved")
        axes[1][j].set_ylabel("seconds")
        for ax in (axes[0][j], axes[1][j]):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("VLEN (bits)")
            ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main(args):
    vlens = tuple(args.vlen) if getattr(args, "vlen", None) else (128, 256, 512, 1024)
    records = run_matrix(vlens=vlens, iters=args.iters or 20_000, vcpus=args.vcpus,
                         quantum=args.quantum)
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        print(format_table(records))
        print(f"\n{args.vcpus} vCPUs round-robin, quantum {args.quantum} instructions; "
              "saves/restores count FP and vector contexts (the host's included)",
              file=sys.stderr)
    if getattr(args, "plot", None):
        plot(records, args.plot)
    return 0
