"""The fuzzing campaign (rvemu.fuzz) through rvemu.batch: generated programs in M, S, U, VS
and VU with the MMU and G-stage on, random CSR state, page tables and interrupts. Each run
must end within its budget and pass the determinism, snapshot/restore and trace-replay
properties. The quick campaign runs by default; the long one is marked slow."""
import os

import pytest

from rvemu import batch
from rvemu.fuzz.campaign import CHECKS, fuzz_jobs, state
from rvemu.fuzz.gen import MODES, Program
from rvemu.machine import snapshot


def _campaign(n, seed, budget, checks=CHECKS, workers=2):
    recs = batch.run_batch(fuzz_jobs(n, seed=seed, max_insns=budget, checks=checks),
                           workers=workers)
    bad = [r for r in recs if not r["ok"]]
    assert not bad, "\n".join(f"seed {r['seed']} ({r['mode']}): {r['error']}" for r in bad[:10])
    return recs


def test_generator_is_a_function_of_the_seed():
    a, b, c = Program.generate(5), Program.generate(5), Program.generate(6)
    assert a == b and a != c
    modes = {Program.generate(s).mode for s in range(40)}
    assert modes == set(MODES)


def test_quick_campaign():
    """A few hundred programs, every property, on the local pool."""
    recs = _campaign(160, 0, 6000, checks=("determinism", "snapshot"))
    recs += _campaign(30, 1000, 1500, checks=("trace",), workers=2)
    modes = {r["mode"] for r in recs}
    assert modes == set(MODES)
    reasons = {r["reason"] for r in recs}
    assert "budget" in reasons                         # most programs run to the end
    assert sum(r["instructions"] for r in recs) > 500_000


def test_snapshot_restores_exactly_and_refuses_damage():
    prog = Program.generate(11, budget=5000)
    m = prog.machine()
    m.run(max_insns=1234)
    blob = snapshot.save(m)
    m2 = prog.machine()
    m2.run(max_insns=77)           # a different state first: restore must replace it all
    snapshot.restore(m2, blob)
    assert state(m2) == state(m)
    m.run(max_insns=3000)
    m2.run(max_insns=3000)
    assert state(m2) == state(m)
    with pytest.raises(snapshot.SnapshotError, match="checksum"):
        snapshot.restore(m2, blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(snapshot.SnapshotError, match="truncated"):
        snapshot.restore(m2, blob[:-10])
    with pytest.raises(snapshot.SnapshotError, match="magic"):
        snapshot.restore(m2, b"nonsense")
    from rvemu.machine.machine import Machine
    with pytest.raises(snapshot.SnapshotError, match="different|with"):
        snapshot.restore(Machine(isa="rv64gc", ram="2M"), blob)


def test_amo_and_sc_stores_are_in_the_commit_log(tmp_path):
    """Found by the campaign's trace-replay property: AMO and successful SC stores were
    missing from --trace (Spike's commit log shows them as 'mem ADDR DATA')."""
    from rvemu.trace import Tracer
    from helpers import enc, new_machine, RAM_BASE
    m = new_machine()
    code = [enc("amoadd.d", 8, 7, 6), enc("lr.d", 9, 6), enc("sc.d", 10, 7, 6)]
    from helpers import asm
    m.mem_write(RAM_BASE, asm(*code))
    m.hart.reset(RAM_BASE, 0, 0, 3)
    m.reg_write("x6", RAM_BASE + 0x100)
    m.reg_write("x7", 9)
    path = tmp_path / "t.log"
    with Tracer(m, str(path)) as tr:
        tr.run(len(code))
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(f"mem 0x{RAM_BASE + 0x100:016x} 0x{9:016x}")   # amoadd: 0 + 9
    assert lines[2].endswith(f"mem 0x{RAM_BASE + 0x100:016x} 0x{9:016x}")   # sc.d succeeds
    assert m.reg_read("x10") == 0 and m.reg_read("x8") == 0 and m.reg_read("x9") == 9


@pytest.mark.slow
def test_long_campaign():
    n = int(os.environ.get("RVEMU_FUZZ_RUNS", "3000"))
    _campaign(n, 10_000, 50_000, checks=("determinism", "snapshot"))
    _campaign(n // 10, 20_000, 5000, checks=("trace",))
    recs = batch.run_batch(fuzz_jobs(n // 3, seed=30_000, max_insns=50_000, kvm=(True,)),
                           workers=2)
    assert all(r["ok"] for r in recs), batch.summary(recs)


def test_vector_stores_are_in_the_commit_log(tmp_path):
    """Every element of a vector store is in --trace (as Spike logs them), so the campaign's
    trace replay covers V programs too."""
    from rvemu.machine.machine import Machine
    from rvemu.trace import Tracer
    m = Machine(isa="rv64gcv", ram="64K", vlen=128)
    # vsetivli x0, 2, e64, m1 ; vse64.v v1, (x6)
    code = (0xC1817057).to_bytes(4, "little") + (0x020370A7).to_bytes(4, "little")
    m.mem_write(0x8000_0000, code)
    m.hart.reset(0x8000_0000, 0, 0, 3)
    m.reg_write("mstatus", m.reg_read("mstatus") | 1 << 9)
    m.reg_write("x6", 0x8000_0100)
    m.reg_write("v1", (5 << 64) | 7)
    path = tmp_path / "t.log"
    with Tracer(m, str(path)) as tr:
        tr.run(2)
    assert m.mem_read(0x8000_0100, 16) == (7).to_bytes(8, "little") + (5).to_bytes(8, "little")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and "mem 0x0000000080000100" in lines[1] \
        and "mem 0x0000000080000108" in lines[1]


def test_kvm_campaign():
    """Generated programs as KVM-model guests: determinism and VM snapshots."""
    recs = batch.run_batch(fuzz_jobs(24, seed=500, max_insns=6000, kvm=(True,)), workers=2)
    bad = [r for r in recs if not r["ok"]]
    assert not bad, "\n".join(f"seed {r['seed']} ({r['mode']}): {r['error']}" for r in bad)
    assert {r["mode"] for r in recs} == {"kvm-VS", "kvm-VU"}
    assert "budget" in {r["reason"] for r in recs}


def test_kvm_snapshot_keeps_the_sub_tick_phase(tmp_path):
    """A VM snapshot taken half-way through a tick of guest time restores that phase
    (the host hart's time moves forward to it), so the continued run takes its next tick
    after the same instruction as the uninterrupted one and ends in the same state."""
    from rvemu.fuzz import kvm as fk
    from rvemu.kvm.vmm import Vmm
    prog = Program.generate(0, budget=2000)
    a = fk.build(prog)
    fk._run(a, 2000)
    c = fk.build(prog)
    assert fk._run(c, 1050) == "budget"          # half-way through a tick
    c.snapshot(str(tmp_path / "s"))
    r = Vmm.restore(str(tmp_path / "s"), host_isa=fk._host_isa(prog), vlen=prog.vlen)
    fk._run(r, 2000)
    assert fk.diff(fk.state(a), fk.state(r)) == ""


# Seeds the campaign (3000 programs, 50 000 steps) failed on before the fixes named here.
FOUND = [
    (300984, "rv64gc_zfh_zfbfmin_h", True),   # VM snapshot lost an armed timer's compare
    (300579, "rv64gcv_zfh_zfbfmin_h", True),  # ... the same, seen as a diverging pc
    (300017, "rv64gcv_zfh_zfbfmin_h", True),  # Vmm.instructions missed the erroring quantum
    (300873, "rv64gcv_zfh_zfbfmin_h", True),  # ... the same
    (300757, "rv64gcv_zfh_zfbfmin_h", False),  # --trace missed vmv.x.s's x write
    (400284, "rv64gc_zfh_zfbfmin_h", True),   # idle skip to a far deadline wrapped time
    (600693, "rv64gcv_zfh_zfbfmin_h", False),  # --trace under satp: no insn bits, so a
    (600261, "rv64gcv_zfh_zfbfmin_h", False),  # vs1r/vs4r logged one byte, not all
    (10831, "rv64gcv_zfh_zfbfmin_h", True),   # an odd pc from ONE_REG, then a handler that
                                              # only traps: KVM redirected for ever (hang)
]


@pytest.mark.parametrize("seed, isa, kvm", FOUND, ids=[str(f[0]) for f in FOUND])
def test_campaign_findings(seed, isa, kvm):
    from rvemu.fuzz.campaign import run_case
    r = run_case({"seed": seed, "max_insns": 50_000, "isa": isa, "kvm": kvm})
    assert r["error"] is None, r["error"]


def test_kvm_snapshot_keeps_an_armed_timer(tmp_path):
    """Restoring TIMER 'state' ON arms the timer at 1 (Linux's ONE_REG semantics), so a
    restore must set 'compare' after it, or the guest gets a spurious timer interrupt."""
    from rvemu.fuzz import kvm as fk
    from rvemu.kvm.uapi import timer_reg
    from rvemu.kvm.vmm import Vmm
    vmm = fk.build(Program.generate(3, budget=1000))
    v = vmm.vcpus[0]
    v.set_one_reg(timer_reg("state"), 1)
    v.set_one_reg(timer_reg("compare"), 0x1234_5678_9ABC)
    vmm.snapshot(str(tmp_path / "s"))
    r = Vmm.restore(str(tmp_path / "s"), host_isa=fk._host_isa(Program.generate(3)))
    w = r.vcpus[0]
    assert w.get_one_reg(timer_reg("state")) == 1
    assert w.get_one_reg(timer_reg("compare")) == 0x1234_5678_9ABC


def test_trace_logs_x_writes_of_vector_instructions(tmp_path):
    from rvemu.machine.machine import Machine
    from rvemu.trace import Tracer
    m = Machine(isa="rv64gcv", ram="64K", vlen=128)
    # vsetivli x0, 2, e64, m1 ; vmv.x.s x3, v31
    code = (0xC1817057).to_bytes(4, "little") + (0x43F021D7).to_bytes(4, "little")
    m.mem_write(0x8000_0000, code)
    m.hart.reset(0x8000_0000, 0, 0, 3)
    m.reg_write("mstatus", m.reg_read("mstatus") | 1 << 9)
    m.reg_write("v31", 0x77)
    path = tmp_path / "t.log"
    with Tracer(m, str(path)) as tr:
        tr.run(2)
    assert "x3  0x0000000000000077" in path.read_text().splitlines()[1]


def test_kvm_time_never_goes_backwards_at_a_far_deadline():
    """Seed 400284's guest arms its timer near 2^64 and waits: the VMM's idle skip
    overflowed the host's time base and guest time wrapped to a huge value, later back to a
    small one. A deadline past what time can count never comes: the vCPU stays idle."""
    from rvemu.fuzz import kvm as fk
    from rvemu.kvm.uapi import timer_reg
    prog = Program.generate(400284, isa="rv64gc_zfh_zfbfmin_h", budget=50_000)
    vmm = fk.build(prog)
    times = []
    for stop in range(5000, 50_001, 5000):
        reason = fk._run(vmm, stop)
        times.append(vmm.vcpus[0].get_one_reg(timer_reg("time")))
    assert times == sorted(times) and times[-1] < 1 << 32, times
    assert reason == "idle"


def test_machine_snapshot_refuses_several_harts():
    from rvemu.machine.machine import Machine
    m = Machine(isa="rv64gc", ram="64K", harts=2)
    with pytest.raises(snapshot.SnapshotError, match="one-hart"):
        snapshot.save(m)
