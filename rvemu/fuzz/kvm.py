"""The campaign under the KVM model: a generated program (rvemu.fuzz.gen) runs as the guest
of the small VMM (rvemu.kvm.vmm), in VS or VU, its registers set through ONE_REG, its VS-stage
page tables in guest memory and the G-stage the KVM model's own. Properties: the run ends
within its budget raising nothing but KvmError for an exit the VMM cannot serve;
determinism (a fresh VMM ends in the same state: every ONE_REG register of the reg list and
guest memory); and a VM snapshot (rvemu.kvm.snapshot) at a random point, restored on a fresh
host and continued, ends in the straight run's state."""
import hashlib
import os
import random
import struct
import tempfile
import time

from rvemu.fuzz.gen import CODE, HANDLERS, MODES, PT_ROOT, Program, handler

RAM = "1M"


def _stub_elf():
    """A one-segment RV64 ELF at 0x8000_0000 holding `j .`: what the VMM loads before the
    generated program is written over guest memory (no file needed, installed or not)."""
    code = (0x0000006F).to_bytes(4, "little")
    ehdr = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 243, 1,
                       0x8000_0000, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 64 + 56, 0x8000_0000, 0x8000_0000, len(code),
                       len(code), 0x1000)
    return ehdr + phdr + code


def _host_isa(prog):
    return prog.isa if "h" in prog.isa.split("_") else prog.isa + "_h"


def build(prog, elf=None):
    """A Vmm whose one vCPU holds prog (in VS for S/VS/M programs, VU for U/VU ones)."""
    from rvemu.kvm.uapi import core_reg, csr_reg, fp_d_reg
    from rvemu.kvm.vmm import Vmm
    from rvemu.kvm import KvmError
    vmm = Vmm(elf or _stub_elf(), ram=RAM, host_isa=_host_isa(prog), vlen=prog.vlen)
    mem = vmm.mem
    for addr, data in ((CODE, prog.code), (CODE + 0x10000, prog.data),
                       (HANDLERS + 0x100, handler(0x141, 0x142, 0x10200073))):
        off = addr - 0x8000_0000
        mem[off:off + len(data)] = memoryview(data)
    for addr, pte in prog.pte.items():
        if addr < PT_ROOT + 0x4000:                # the VS-stage tables (not the G-stage)
            off = addr - 0x8000_0000
            mem[off:off + 8] = memoryview(pte.to_bytes(8, "little"))
    v = vmm.vcpus[0]
    names = ["regs.ra", "regs.sp", "regs.gp", "regs.tp", "regs.t0", "regs.t1", "regs.t2",
             "regs.s0", "regs.s1", "regs.a0", "regs.a1", "regs.a2", "regs.a3", "regs.a4",
             "regs.a5", "regs.a6", "regs.a7", "regs.s2", "regs.s3", "regs.s4", "regs.s5",
             "regs.s6", "regs.s7", "regs.s8", "regs.s9", "regs.s10", "regs.s11", "regs.t3",
             "regs.t4", "regs.t5", "regs.t6"]
    for i, n in enumerate(names, 1):
        v.set_one_reg(core_reg(n), prog.x[i])
    v.set_one_reg(core_reg("regs.pc"), CODE)
    v.set_one_reg(core_reg("mode"), 0 if prog.mode in ("U", "VU") else 1)
    for i in range(32):
        v.set_one_reg(fp_d_reg(f"f[{i}]"), prog.f[i])
    csrs = dict(prog.csrs)
    sets = [("sstatus", csrs.get("vsstatus", 3 << 13)), ("stvec", HANDLERS + 0x100),
            ("sie", csrs.get("mie", 0) & 0x222), ("satp", csrs.get("vsatp", 0)),
            ("sscratch", csrs.get("sscratch", 0)), ("scounteren", csrs.get("scounteren", 0)),
            ("sepc", csrs.get("sepc", CODE))]
    for name, value in sets:
        try:
            v.set_one_reg(csr_reg(name), value)
        except KvmError:
            pass
    return vmm


def state(vmm):
    v = vmm.vcpus[0]
    regs = {}
    for rid in v.get_reg_list():
        try:
            val = v.get_one_reg(rid)
        except Exception as e:          # noqa: BLE001 - recorded, compared like a value
            val = type(e).__name__
        regs[rid] = val if not isinstance(val, bytes) else val.hex()
    return {"regs": regs, "mem": hashlib.sha256(bytes(vmm.mem)).hexdigest(),
            "instructions": vmm.instructions}


def diff(a, b):
    out = [f"reg {rid:#x}: {a['regs'].get(rid)} != {b['regs'].get(rid)}"
           for rid in sorted(set(a["regs"]) | set(b["regs"]))
           if a["regs"].get(rid) != b["regs"].get(rid)]
    out += [f"{k}: {a[k]} != {b[k]}" for k in ("mem", "instructions") if a[k] != b[k]]
    return "; ".join(out[:6])


def _run(vmm, total):
    from rvemu.kvm import KvmError
    try:
        return vmm.run(max_insns=total).reason
    except KvmError as e:
        return f"kvm_error:{e.errno}"


def run_case(job):
    """One generated program as a KVM guest, with its property checks (batch job kind
    'fuzz' with 'kvm': True)."""
    seed = int(job["seed"])
    budget = int(job.get("max_insns") or 20_000)
    modes = [m for m in (job.get("modes") or MODES)]
    prog = Program.generate(seed, isa=job.get("isa") or "rv64gc_zfh_zfbfmin_h", modes=modes,
                            budget=budget)
    t0 = time.perf_counter()
    a = build(prog)
    reason = _run(a, budget)
    final = state(a)
    insns = a.instructions
    failures = []
    if a.instructions > budget:
        failures.append(f"runs: {a.instructions} instructions for a budget of {budget}")
    b = build(prog)
    _run(b, budget)
    insns += b.instructions
    d = diff(final, state(b))
    if d:
        failures.append(f"determinism: {d}")
    # at any instruction: a snapshot keeps guest time down to the instruction within a tick
    # (test_kvm_snapshot_keeps_the_sub_tick_phase)
    cut = random.Random(seed ^ 0xC0FFEE).randrange(1, max(2, budget))
    c = build(prog)
    r = _run(c, cut)
    if r == "budget":
        from rvemu.kvm.vmm import Vmm
        fd, path = tempfile.mkstemp(suffix=".snap", prefix="rvemu-fuzz-")
        os.close(fd)
        try:
            c.snapshot(path)
            r2 = Vmm.restore(path, host_isa=_host_isa(prog), vlen=prog.vlen)
        finally:
            os.unlink(path)
        _run(r2, budget)
        insns += r2.instructions - c.instructions  # what the restored VMM ran on from c
        d = diff(final, state(r2))
        if d:
            failures.append(f"snapshot at {cut}: {d}")
    return {"kind": "fuzz", "seed": seed, "vlen": prog.vlen,
            "mode": "kvm-" + ("VU" if prog.mode in ("U", "VU") else "VS"), "isa": prog.isa,
            "kvm": True, "reason": reason, "exit_code": None, "instructions": insns,
            "seconds": time.perf_counter() - t0,
            "output_sha256": hashlib.sha256(repr(sorted(final["regs"].items())).encode()).hexdigest(),
            "error": "; ".join(failures) or None}
