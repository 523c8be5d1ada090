"""The fuzzing campaign: generated programs (rvemu.fuzz.gen) run through rvemu.batch, each
checked for these properties:

* ``runs``: the run ends within its budget for a known reason, raising nothing;
* ``determinism``: the same seed, run again on a fresh machine, ends in the same state;
* ``snapshot``: a run stopped at a random step, saved (rvemu.machine.snapshot), restored on
  a fresh machine and continued ends in the same state as the straight run;
* ``trace``: a run under the commit-log tracer (``rvemu run --trace``) ends in the same
  state, and replaying the trace's register and memory writes onto the initial state gives
  the final registers and memory (for a shorter budget: tracing steps one at a time).

The state compared is architectural: x, f, v, pc, privilege, V, every CSR the hart has, the
instret/trap counters, time, and a digest of RAM.
"""
import hashlib
import itertools
import os
import random
import tempfile
import time

import numpy as np

from rvemu.fuzz.gen import DEFAULT_ISA, MODES, VECTOR_ISA, Program

OK_REASONS = {"budget", "halt", "idle", "trap_loop", "reset", "breakpoint"}
CHECKS = ("determinism", "snapshot", "trace")


def _csr_numbers():
    from rvemu.isa.csrs import CSR_BY_NAME
    return sorted(set(CSR_BY_NAME.values()))


def state(m):
    """The architectural state of Machine m as a dict of comparable values."""
    h = m.hart
    csrs = {}
    for n in _csr_numbers():
        try:
            csrs[n] = h.csr_read(n)
        except (KeyError, ValueError):
            pass
    return {"x": [int(v) for v in h.x[:32]][1:], "f": [int(v) for v in h.f],
            "v": hashlib.sha256(h.v.tobytes()).hexdigest() if h.v is not None else None,
            "pc": h.pc, "priv": h.priv, "virt": h.virt, "instret": h.instret,
            "traps": h.traps, "mtime": h.mtime, "csrs": csrs,
            "ram": hashlib.sha256(m.ram.tobytes()).hexdigest()}


def diff(a, b):
    """The first differences between two states, as text ('' when equal)."""
    out = []
    for k in a:
        if a[k] == b[k]:
            continue
        if isinstance(a[k], list):
            out += [f"{k}[{i}] {x:#x} != {y:#x}" for i, (x, y) in enumerate(zip(a[k], b[k])) if x != y]
        elif isinstance(a[k], dict):
            out += [f"csr {n:#x} {a[k].get(n)} != {b[k].get(n)}"
                    for n in sorted(set(a[k]) | set(b[k])) if a[k].get(n) != b[k].get(n)]
        else:
            out.append(f"{k} {a[k]} != {b[k]}")
    return "; ".join(out[:6])


def _run(m, prog, start, stop, runner=None):
    """Run m from step ``start`` to step ``stop`` applying the interrupt schedule; returns
    (reason, steps done). Steps are retired instructions plus traps (Machine.run's budget)."""
    runner = runner or m.run
    step = start
    for at, bits, on in prog.irqs + [(stop, 0, False)]:
        if at < start:
            continue
        at = min(at, stop)
        if at > step:
            h = m.hart
            before = h.instret + h.traps
            r = runner(at - step)
            step += h.instret + h.traps - before
            if r.reason != "budget":
                return r.reason, step
            step = at
        if at >= stop:
            break
        if bits:
            m.hart.set_pending(bits, on)
    return "budget", step


def run_case(job):
    """One generated program with its property checks; the record fields for rvemu.batch.
    With job["kvm"] the program runs as a guest of the KVM model (rvemu.fuzz.kvm)."""
    if job.get("kvm"):
        from rvemu.fuzz.kvm import run_case as run_kvm_case
        return run_kvm_case(job)
    seed = int(job["seed"])
    budget = int(job.get("max_insns") or 20_000)
    checks = job.get("checks", CHECKS)
    prog = Program.generate(seed, isa=job.get("isa") or DEFAULT_ISA,
                            modes=job.get("modes") or MODES, budget=budget)
    t0 = time.perf_counter()
    m = prog.machine()
    reason, steps = _run(m, prog, 0, budget)
    final = state(m)
    insns = final["instret"]
    failures = []
    if reason not in OK_REASONS:
        failures.append(f"runs: unexpected stop reason {reason!r}")
    if steps > budget + 1:
        failures.append(f"runs: {steps} steps for a budget of {budget}")
    if "determinism" in checks:
        m2 = prog.machine()
        _run(m2, prog, 0, budget)
        d = diff(final, state(m2))
        insns += m2.hart.instret
        if d:
            failures.append(f"determinism: {d}")
    if "snapshot" in checks:
        from rvemu.machine import snapshot
        cut = random.Random(seed ^ 0x5eed).randrange(1, budget)
        m3 = prog.machine()
        r3, s3 = _run(m3, prog, 0, cut)
        if r3 == "budget":
            blob = snapshot.save(m3)
            m4 = prog.machine()   # fresh: same configuration, then overwritten
            m4.hart.reset(0x8000_0000, 0, 0, 3)
            snapshot.restore(m4, blob)
            _run(m4, prog, cut, budget)
            insns += m4.hart.instret
            d = diff(final, state(m4))
            if d:
                failures.append(f"snapshot at step {cut}: {d}")
    if "trace" in checks:
        tb = int(job.get("trace_insns") or min(budget, 3000))
        failures += _trace_check(prog, tb)
    return {"kind": "fuzz", "seed": seed, "mode": prog.mode, "isa": prog.isa, "vlen": prog.vlen,
            "reason": reason, "exit_code": None, "instructions": insns,
            "seconds": time.perf_counter() - t0,
            "output_sha256": hashlib.sha256(repr(sorted(final.items())).encode()).hexdigest(),
            "error": "; ".join(failures) or None}


def _trace_check(prog, budget):
    from rvemu.trace import Tracer
    ref = prog.machine()
    _run(ref, prog, 0, budget)
    want = state(ref)
    m = prog.machine()
    x0 = [int(v) for v in m.hart.x[:32]]
    f0 = [int(v) for v in m.hart.f]
    ram0 = m.ram.copy()
    fd, path = tempfile.mkstemp(suffix=".log", prefix="rvemu-fuzz-")
    os.close(fd)
    out = []
    try:
        with Tracer(m, path) as tr:
            _run(m, prog, 0, budget, runner=tr.run)
        got = state(m)
        d = diff(want, got)
        if d:
            out.append(f"trace: the traced run ends elsewhere: {d}")
        xs, fs, ram = list(x0), list(f0), ram0
        with open(path) as fh:
            for line in fh:
                toks = line.split()[5:]
                i = 0
                while i < len(toks):
                    t = toks[i]
                    if t == "mem":
                        if i + 2 < len(toks) and not toks[i + 2].startswith(("x", "f", "mem")):
                            addr, data = int(toks[i + 1], 16), toks[i + 2]
                            n = (len(data) - 2) // 2
                            off = addr - 0x8000_0000
                            if 0 <= off and off + n <= len(ram):
                                ram[off:off + n] = np.frombuffer(
                                    int(data, 16).to_bytes(n, "little"), dtype=np.uint8)
                            i += 3
                        else:
                            i += 2
                    elif t[0] in "xf" and t[1:].isdigit():
                        (xs if t[0] == "x" else fs)[int(t[1:])] = int(toks[i + 1], 16)
                        i += 2
                    else:
                        i += 1
        if xs[1:] != got["x"]:
            out.append("trace replay: x registers differ: " + ", ".join(
                f"x{i} {a:#x} != {b:#x}" for i, (a, b) in enumerate(zip(xs[1:], got["x"]), 1) if a != b)[:300])
        if fs != got["f"]:
            out.append("trace replay: f registers differ: " + ", ".join(
                f"f{i}" for i, (a, b) in enumerate(zip(fs, got["f"])) if a != b))
        if hashlib.sha256(ram.tobytes()).hexdigest() != got["ram"]:
            bad = np.nonzero(ram != m.ram)[0]
            out.append(f"trace replay: RAM differs at {len(bad)} bytes, first "
                       f"{0x8000_0000 + int(bad[0]):#x}")
    finally:
        os.unlink(path)
    return out


def fuzz_jobs(n, *, seed=0, modes=None, max_insns=20_000, isa=None, checks=CHECKS, kvm=(False,)):
    """n campaign jobs with consecutive seeds; without ``isa`` they alternate between the
    scalar ISA and the one with V (VLEN drawn from 128, 256, 512). ``kvm``: (False,) runs
    them on the machine, (True,) as KVM-model guests (rvemu.fuzz.kvm), (False, True) both."""
    jobs = []
    for s, k in itertools.product(range(seed, seed + n), kvm):
        j = {"kind": "fuzz", "seed": s, "max_insns": max_insns or 20_000,
             "isa": isa or (VECTOR_ISA if s % 2 else DEFAULT_ISA), "checks": list(checks)}
        if modes:
            j["modes"] = list(modes)
        if k:
            j["kvm"] = True
        j["id"] = f"fuzz-{j['isa']}-{s}-{j['max_insns']}-{'+'.join(checks)}" + \
            (f"-{'+'.join(modes)}" if modes else "") + ("-kvm" if k else "")
        jobs.append(j)
    return jobs
