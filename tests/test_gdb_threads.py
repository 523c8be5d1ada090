"""The GDB stub's threads: the harts of a Machine (harts=N, rvemu run --harts N --gdb) and
the vCPUs of the KVM model's VMM (Vmm.gdb_serve, rvemu run --kvm --gdb). A small RSP
client checks every value against the Python API (Machine.reg_read, VCpu.get_one_reg) and
the guests' own output after changes; real gdb-multiarch sessions run the issue's
"done when" against both."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import sys
import time

import pytest

from helpers import GUESTS
from rvemu.kvm import core_reg, fp_d_reg, vector_reg
from rvemu.kvm.run import host_of
from rvemu.kvm.simd import set_policy
from rvemu.kvm.vmm import Vmm
from rvemu.machine.elf import read_elf
from rvemu.machine.machine import Machine
from test_gdbstub import Client, le, start

SMP = GUESTS / "smp.elf"
VSUM = GUESTS / "kvm" / "vsum.elf"
KVM_SBI = GUESTS / "kvm" / "kvm_sbi.elf"
ISA = "rv64gcvh_zicntr_zihpm"
M64 = (1 << 64) - 1
REG_V0 = 65 + 4096 + 1
GDB = shutil.which("gdb-multiarch")
needs_gdb = pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed "
                               "(apt-get install gdb-multiarch)")
VSUM_SYMS = read_elf(str(VSUM)).symbols


def smp_machine(n=2, **kw):
    m = Machine(ram="64M", harts=n, **kw)
    m.load_elf(SMP)
    m.mem_write(m.symbols["nharts"], n.to_bytes(8, "little"))
    return m


def vsum_output(at_round=None, n=None, acc=None, fp_bits=None, b0=None):
    """What vsum prints (guests/kvm/vsum.c), with changes a debugger makes when round
    at_round's vdot is entered: its element count n, the running sums acc (v16[0]) and fp
    (f8, as bits), and b[0]."""
    count, rounds = 777, 40
    a = [(i * 0x9E3779B97F4A7C15) & M64 for i in range(count)]
    b = [(count - i) ^ 0x5555 for i in range(count)]
    s, fp, lines = 0, 0.0, []
    for r in range(rounds):
        k = count - r
        if r == at_round:
            k = n if n is not None else k
            s = acc if acc is not None else s
            fp = struct.unpack("<d", struct.pack("<Q", fp_bits))[0] if fp_bits is not None else fp
            b[0] = b0 if b0 is not None else b[0]
        d = sum(a[i + r] * b[i] for i in range(k)) & M64
        s = (s + d) & M64
        fp = fp + float(d >> 20)
        bits = struct.unpack("<Q", struct.pack("<d", fp))[0]
        lines.append(f"round {r} dot 0x{d:016x} acc 0x{s:016x} fp 0x{bits:016x}\n")
    return "".join(lines).encode()


def sums_after(rounds):
    """(acc, fp bits) after that many rounds of the unchanged guest."""
    out = vsum_output().decode().splitlines()[rounds - 1].split()
    return int(out[5], 16), int(out[7], 16)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rvemu_proc(args, port):
    # the rvemu this test imported (installed, or built in place); run from a directory
    # without a source tree, whose uncompiled rvemu/ would shadow an installed one
    import rvemu
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(rvemu.__file__)))}
    return subprocess.Popen([sys.executable, "-m", "rvemu", "run", *args, "--gdb", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tempfile.gettempdir())


def wait_listening(proc):
    """rvemu prints its "waiting for GDB" line once the socket listens."""
    line = proc.stderr.readline()
    assert b"waiting for GDB" in line, line + proc.stderr.read()


# ---- several harts -------------------------------------------------------------------------
def test_harts_are_threads():
    m = smp_machine(2)
    port, t, out = start(m)
    c = Client(port)
    assert c.cmd("qfThreadInfo") == b"m1,2" and c.cmd("qsThreadInfo") == b"l"
    assert c.cmd("T1") == b"OK" and c.cmd("T2") == b"OK" and c.cmd("T3").startswith(b"E")
    assert bytes.fromhex(c.cmd("qThreadExtraInfo,2").decode()) == b"hart 1"
    mhartid = "p%x" % (65 + 0xF14)
    assert c.cmd("Hg2") == b"OK"
    assert c.cmd(mhartid) == le(1) and c.cmd("pa") == le(1)         # a0 = hart id
    assert c.cmd("Hg1") == b"OK"
    assert c.cmd(mhartid) == le(0) and c.cmd("pa") == le(0)
    assert c.cmd("Hg3").startswith(b"E")
    # a register written in one thread is that hart's only
    assert c.cmd("Hg2") == b"OK" and c.cmd("P1f=%s" % le(0x1234).decode()) == b"OK"
    assert m.reg_read("t6", hart=1) == 0x1234 and m.reg_read("t6", hart=0) == 0
    # only hart 1 reaches `secondary`: the stop names thread 2
    sec = m.symbols["secondary"]
    assert c.cmd("Z0,%x,4" % sec) == b"OK"
    r = c.cmd("c")
    assert r.startswith(b"T05") and b"thread:2;" in r and le(sec) in r, r
    assert m.harts[1].pc == sec
    assert c.cmd("qC") == b"QC2"
    assert c.cmd("pa") == le(m.reg_read("a0", hart=1))    # Hg follows the stop
    assert c.cmd("Hg2") == b"OK" and c.cmd("p%x" % (65 + 0xF14)) == le(1)
    # single-step thread 2: hart 0 stays still
    pc0, n0 = m.harts[0].pc, m.harts[0].instret
    r = c.cmd("vCont;s:2;c")
    assert b"thread:2;" in r and m.harts[1].pc == sec + 4, r
    assert (m.harts[0].pc, m.harts[0].instret) == (pc0, n0)
    assert c.cmd("Hc1") == b"OK"
    r = c.cmd("s")                                         # Hc1: thread 1 steps
    assert b"thread:1;" in r and m.harts[0].instret == n0 + 1 and m.harts[1].pc == sec + 4
    assert c.cmd("Hc0") == b"OK"
    # memory through a thread's translation, and a watchpoint set through thread 2
    done = m.symbols["done"]
    assert c.cmd("m%x,8" % done) == m.mem_read(done, 8).hex().encode()
    assert c.cmd("z0,%x,4" % sec) == b"OK"
    assert c.cmd("c") == b"W00"
    assert b"smp: all harts passed" in bytes(m.output)
    c.cmd("D")
    c.close()
    t.join(10)
    assert out["stub"].outcome == "detach"


def test_harts_watchpoint_names_the_writer():
    """A write watchpoint with two harts: they take turns one instruction each; the stop
    names the hart whose store changed the word."""
    m = smp_machine(2)
    port, t, out = start(m)
    c = Client(port)
    seen = m.symbols["hart_seen"]
    assert c.cmd("Z0,%x,4" % m.symbols["secondary"]) == b"OK"
    assert c.cmd("c").startswith(b"T05")                   # hart 1 checked in already
    assert m.mem_read(seen, 8) == (3).to_bytes(8, "little")
    assert c.cmd("z0,%x,4" % m.symbols["secondary"]) == b"OK"
    woken = m.symbols["woken"]
    assert c.cmd("Z2,%x,8" % woken) == b"OK"
    before = m.mem_read(woken, 8)
    r = c.cmd("c")
    assert r.startswith(b"T05") and b"watch:%x;" % woken in r, r
    tid = int(r.split(b"thread:")[1].split(b";")[0], 16)
    h = m.harts[tid - 1]
    # the hart named is stopped before its store (an AMO) to `woken`: the word has not
    # changed yet; stepping that thread makes the store
    insn = int.from_bytes(m.mem_read(h.pc, 4), "little")
    assert insn & 0x7F in (0x23, 0x2F) and m.reg_read(f"x{(insn >> 15) & 31}", hart=tid - 1) == woken
    assert m.mem_read(woken, 8) == before
    assert c.cmd("z2,%x,8" % woken) == b"OK"
    assert c.cmd("Hc%x" % tid) == b"OK" and b"thread:%x;" % tid in c.cmd("s")
    assert m.mem_read(woken, 8) != before
    assert c.cmd("Hc0") == b"OK" and c.cmd("c") == b"W00"
    c.cmd("D")
    c.close()
    t.join(10)


@needs_gdb
def test_real_gdb_harts():
    m = smp_machine(2)
    port, t, out = start(m)
    cmd = [GDB, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
           "-ex", f"target remote 127.0.0.1:{port}",
           "-ex", "info threads",
           "-ex", "thread 2", "-ex", "print $mhartid", "-ex", "print $a0",
           "-ex", "thread 1", "-ex", "print $mhartid",
           "-ex", "break secondary", "-ex", "continue",
           "-ex", "print $s0", "-ex", "print $mhartid", "-ex", "info threads",
           "-ex", "stepi", "-ex", "info registers pc",
           "-ex", "delete", "-ex", "detach", str(SMP)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    text = p.stdout + p.stderr
    t.join(20)
    assert not t.is_alive(), text
    assert "Thread 1 (hart 0)" in text and "Thread 2 (hart 1)" in text, text
    assert "$1 = 1\n$2 = 1\n" in text and "$3 = 0\n" in text, text
    assert "Thread 2 hit Breakpoint 1" in text and "in secondary ()" in text, text
    assert "$4 = (void *) 0x1\n$5 = 1\n" in text, text
    brk = int(text.split("Breakpoint 1 at ")[1].split()[0], 16)
    assert f"pc             {brk + 4:#x}" in text, text     # stepi: one instruction
    assert "Detaching" in text or "detached" in text, text
    assert out["stub"].outcome == "detach" and m.exit_code == 0
    assert b"smp: all harts passed" in bytes(m.output)


@needs_gdb
def test_cli_harts_gdb():
    """rvemu run --harts 2 --gdb: GDB writes the guest's hart count (memory), sees two
    threads, stops hart 1 at a breakpoint and detaches; the guest passes."""
    port = free_port()
    proc = rvemu_proc([str(SMP), "--harts", "2", "--hart-slice", "100"], port)
    try:
        wait_listening(proc)
        cmd = [GDB, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
               "-ex", f"target remote 127.0.0.1:{port}",
               "-ex", "set var *(long *)&nharts = 2", "-ex", "print *(long *)&nharts",
               "-ex", "info threads", "-ex", "break secondary", "-ex", "continue",
               "-ex", "print $mhartid", "-ex", "delete", "-ex", "detach", str(SMP)]
        g = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    text = g.stdout + g.stderr
    assert "= 2\n" in text and "Thread 2 (hart 1)" in text, text
    assert "Thread 2 hit Breakpoint 1" in text and "$2 = 1\n" in text, text
    assert proc.returncode == 0, stderr
    assert b"smp: all harts passed" in stdout


# ---- the KVM model's vCPUs -----------------------------------------------------------------
def vsum_vmm(policy="eager", vcpus=1, host_uses_simd=True):
    vmm = Vmm(str(VSUM), host_isa=ISA, vlen=256, ram="16M", vcpus=vcpus)
    set_policy(vmm.vm, policy, host_uses_simd=host_uses_simd)
    return vmm


@pytest.mark.parametrize("policy", ["eager", "lazy"])
def test_kvm_vcpu_registers_memory_breakpoints(policy):
    """Under the VMM: a breakpoint on a guest function stops the vCPU there; x, f, v and
    CSR values are the vCPU's (ONE_REG agrees, and so does the guest's definition), and
    what GDB writes (registers, memory) is what the guest computes with. With the lazy
    policy and a host that leaves the guest its registers, the live FP/vector state is
    in the hart when GDB reads it."""
    vmm = vsum_vmm(policy, host_uses_simd=False)
    v = vmm.vcpus[0]
    vdot, b = VSUM_SYMS["vdot"], VSUM_SYMS["b"]
    port, t, out = start(vmm)
    c = Client(port)
    xml = c.cmd("qXfer:features:read:target.xml:0,ffff")
    for feat in (b"org.gnu.gdb.riscv.vector", b'name="v31" bitsize="256"', b'name="sstatus"',
                 b'name="vl"', b'name="fcsr"', b'name="priv"'):
        assert feat in xml
    assert b'name="virt"' not in xml and b'name="hgatp"' not in xml   # the guest's view
    assert c.cmd("qfThreadInfo") == b"m1"
    assert c.cmd("p20") == le(v.get_one_reg(core_reg("pc")))
    assert c.cmd("Z0,%x,2" % vdot) == b"OK"
    r = c.cmd("c")
    assert r.startswith(b"T05") and le(vdot) in r and b"thread:1;" in r, r
    assert v.ctx.pc == vdot
    r = c.cmd("c")                                   # round 1's call
    assert le(vdot) in r, r
    unit = host_of(vmm.kvm).simd
    if policy == "lazy":
        assert unit.v_owner is v and unit.fp_owner is v   # the hart holds them
    acc0, fp0 = sums_after(1)
    v16 = c.cmd("p%x" % (REG_V0 + 16))
    f8 = c.cmd("p%x" % (33 + 8))
    a1 = c.cmd("pb")
    assert v16[:16] == le(acc0) and f8 == le(fp0) and a1 == le(776), (v16, f8, a1)
    assert bytes.fromhex(v16.decode()) == v.get_one_reg(vector_reg(16, 32))
    assert f8 == le(v.get_one_reg(fp_d_reg("f8")))
    assert c.cmd("pa") == le(v.get_one_reg(core_reg("a0")))
    assert c.cmd("p%x" % (65 + 4096)) == le(1)       # priv: VS
    sstatus = int.from_bytes(bytes.fromhex(c.cmd("p%x" % (65 + 0x100)).decode()), "little")
    assert sstatus & (3 << 13) and sstatus & (3 << 9)  # the guest turned FS and VS on
    assert c.cmd("p%x" % (65 + 0xC22)) == le(32)       # vlenb
    assert c.cmd("m%x,10" % b) == vmm.vm.read_guest(b, 16).hex().encode()
    # change x, f, v and memory: the guest's output follows
    new_acc, new_fp = 0x1000, struct.unpack("<Q", struct.pack("<d", 2.5))[0]
    vbytes = bytearray(v.get_one_reg(vector_reg(16, 32)))
    vbytes[:8] = new_acc.to_bytes(8, "little")
    assert c.cmd("P%x=%s" % (REG_V0 + 16, vbytes.hex())) == b"OK"
    assert c.cmd("P%x=%s" % (33 + 8, le(new_fp).decode())) == b"OK"
    assert c.cmd("Pb=%s" % le(775).decode()) == b"OK"
    assert c.cmd("M%x,8:%s" % (b, le(7).decode())) == b"OK"
    assert v.get_one_reg(core_reg("a1")) == 775 and vmm.vm.read_guest(b, 8) == le_bytes(7)
    assert v.get_one_reg(fp_d_reg("f8")) == new_fp
    # single-steps: pc walks vdot's code, one instruction each
    pcs = []
    for _ in range(3):
        r = c.cmd("s")
        assert r.startswith(b"T05") and b"thread:1;" in r
        pcs.append(v.ctx.pc)
    assert pcs == [vdot + 2, vdot + 4, vdot + 6], [hex(p) for p in pcs]
    assert c.cmd("z0,%x,2" % vdot) == b"OK"
    assert c.cmd("c") == b"W00"
    assert bytes(vmm.output) == vsum_output(1, n=775, acc=new_acc, fp_bits=new_fp, b0=7)
    c.cmd("D")
    c.close()
    t.join(10)
    assert out["stub"].outcome == "detach"


def le_bytes(v, n=8):
    return v.to_bytes(n, "little")


def test_kvm_watchpoints():
    """Write, read and access watchpoints on guest memory under the VMM (single-stepping
    the vCPU): the write stops right after the store of a[3] in main's loop."""
    vmm = vsum_vmm()
    v = vmm.vcpus[0]
    a = VSUM_SYMS["a"]
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("Z2,%x,8" % (a + 24)) == b"OK"
    r = c.cmd("c")
    assert b"watch:%x;" % (a + 24) in r, r
    # before the store (GDB's RISC-V target steps over the access itself)
    store = v.ctx.pc
    assert vmm.vm.read_guest(store, 2) == bytes.fromhex("08e2")   # c.sd a0,0(a2)
    assert vmm.vm.read_guest(a + 16, 8) != bytes(8) and vmm.vm.read_guest(a + 24, 8) == bytes(8)
    assert c.cmd("z2,%x,8" % (a + 24)) == b"OK"
    assert le(store + 2) in c.cmd("s")
    assert vmm.vm.read_guest(a + 24, 8) == le_bytes((3 * 0x9E3779B97F4A7C15) & M64)
    b = VSUM_SYMS["b"]
    assert c.cmd("Z3,%x,8" % (b + 8)) == b"OK"            # read first by vdot's vle64
    r = c.cmd("c")
    assert b"rwatch:%x;" % (b + 8) in r, r
    assert v.ctx.pc == VSUM_SYMS["vdot"] + 0x1C        # before vle64.v v2,(a3)
    assert c.cmd("z3,%x,8" % (b + 8)) == b"OK"
    assert c.cmd("c") == b"W00"
    assert bytes(vmm.output) == vsum_output()
    c.send_raw(b"$k#6b")
    c.close()
    t.join(10)
    assert out["stub"].outcome == "kill"


def test_kvm_malformed_packets_and_vanishing_client():
    vmm = vsum_vmm()
    port, t, out = start(vmm)
    c = Client(port)
    c.send_raw(b"$g#00")                       # bad checksum: NAK, no reply
    assert c.s.recv(1) == b"-"
    for bad in ("pzz", "P1", "Pfffff=00", "mxyz", "m80000000", "M1,2:zz", "Z0,zz", "Z9,0,0",
                "Hg9", "Hx1", "T", "qThreadExtraInfo,zz", "X1", "qRcmd,zz", "", "\x7f",
                "vCont;q", "vCont;s:9"):
        r = c.cmd(bad)
        assert r == b"" or r.startswith(b"E"), (bad, r)
    assert c.cmd("m10,4").startswith(b"E")          # no memory there: an error
    assert c.cmd("Z2,10,4") == b"E14"
    c.send_raw(b"garbage\x03+++")
    assert c.cmd("p20") == le(read_elf(str(VSUM)).entry)
    mon = c.cmd("qRcmd," + b"phys on".hex())
    assert mon.startswith(b"O") and c.recv() == b"OK"
    assert c.cmd("m%x,8" % VSUM_SYMS["vdot"]) == vmm.vm.read_guest(VSUM_SYMS["vdot"], 8).hex().encode()
    assert c.cmd("Z0,%x,2" % VSUM_SYMS["vdot"]) == b"OK"
    c.close()                                       # vanish without detaching
    t.join(10)
    assert not t.is_alive() and out["stub"].outcome == "disconnect"
    r = vmm.run()                                   # the VMM is intact (and the
    assert (r.reason, r.exit_code) == ("shutdown", 0)   # breakpoint is gone)
    assert bytes(vmm.output) == vsum_output()


def test_kvm_vcpus_are_threads():
    """Two vCPUs: the second starts through SBI HSM; a breakpoint in the code only it runs
    stops thread 2, whose a0 is its id; stepping it leaves vCPU 0 still."""
    vmm = Vmm(str(KVM_SBI), host_isa=ISA, ram="16M", vcpus=2)
    sec = read_elf(str(KVM_SBI)).symbols["secondary_main"]
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("qfThreadInfo") == b"m1,2"
    assert bytes.fromhex(c.cmd("qThreadExtraInfo,2").decode()) == b"vcpu 1"
    assert c.cmd("Z0,%x,2" % sec) == b"OK"
    r = c.cmd("c")
    assert r.startswith(b"T05") and b"thread:2;" in r and le(sec) in r, r
    v0, v1 = vmm.vcpus
    assert c.cmd("pa") == le(1) == le(v1.get_one_reg(core_reg("a0")))
    assert c.cmd("Hg1") == b"OK" and c.cmd("pa") == le(v0.get_one_reg(core_reg("a0")))
    assert c.cmd("Hg2") == b"OK"
    pc0, n0 = v0.ctx.pc, v0.hw_counts.get(2, 0)
    r = c.cmd("vCont;s:2")
    assert b"thread:2;" in r and v1.ctx.pc != sec
    assert (v0.ctx.pc, v0.hw_counts.get(2, 0)) == (pc0, n0)
    assert c.cmd("z0,%x,2" % sec) == b"OK"
    assert c.cmd("c") == b"W00"
    assert b"kvm_sbi: all checks passed" in bytes(vmm.output)
    c.cmd("D")
    c.close()
    t.join(10)


@needs_gdb
def test_real_gdb_kvm_session():
    """The issue's "done when" under the VMM, with gdb-multiarch: symbols from the ELF, a
    breakpoint on a C function, x/f/v registers and memory read (the guest's values) and
    changed (the guest's output follows), single-steps, a watchpoint on a variable, and a
    detach after which the guest finishes."""
    vmm = vsum_vmm()
    port, t, out = start(vmm)
    acc0, fp0 = sums_after(1)
    cmd = [GDB, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
           "-ex", f"target remote 127.0.0.1:{port}",
           "-ex", "info threads",
           "-ex", "break main", "-ex", "continue",
           "-ex", "watch ((unsigned long *)&a)[3]", "-ex", "continue", "-ex", "delete",
           "-ex", "break vdot", "-ex", "continue", "-ex", "continue",
           "-ex", "print/x $v16.l[0]", "-ex", "info registers fs0", "-ex", "print $a1",
           "-ex", "print $priv",
           "-ex", "set $a1 = 775", "-ex", "set $v16.l[0] = 0x1000",
           "-ex", "set $fs0.double = 2.5",
           "-ex", "set var ((unsigned long *)&b)[0] = 7", "-ex", "x/2gx &b",
           "-ex", "stepi", "-ex", "stepi", "-ex", "stepi", "-ex", "info registers pc",
           "-ex", "delete", "-ex", "rwatch ((unsigned long *)&b)[5]", "-ex", "continue",
           "-ex", "delete", "-ex", "detach", str(VSUM)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    text = p.stdout + p.stderr
    t.join(30)
    assert not t.is_alive(), text
    assert "Thread 1 (vcpu 0)" in text, text
    assert "Hardware watchpoint 2: ((unsigned long *)&a)[3]" in text, text
    assert f"New value = {(3 * 0x9E3779B97F4A7C15) & M64}" in text, text
    # reported before the store (c.sd at main's loop), GDB stepped over it: the stop is
    # right after the store, not one instruction later
    store = VSUM_SYMS["main"] + 0x4E
    assert f"{store + 2:#018x} in main ()" in text, text
    assert "in vdot ()" in text, text
    assert f"$1 = {acc0:#x}\n" in text, text
    assert f"(raw {fp0:#018x})" in text, text
    assert "$2 = 776\n$3 = 1\n" in text, text
    assert "<b>:\t0x0000000000000007\t0x000000000000565d" in text, text
    # three stepi from vdot's breakpoint (after its prologue): li (2 bytes), auipc, addi
    brk = int(text.split("Breakpoint 3 at ")[1].split()[0], 16)
    assert f"pc             {brk + 10:#x}" in text, text
    # a read watchpoint on b[5]: vdot's second vector load of b reads it; GDB reports
    # it right after that load (the stub stopped before it, GDB stepped over it)
    vload_b = VSUM_SYMS["vdot"] + 0x1C
    assert f"Value = {(777 - 5) ^ 0x5555}" in text, text
    assert f"{vload_b + 4:#018x} in vdot ()" in text, text
    stub = out["stub"]
    assert stub.outcome == "detach" and stub.last_result.reason == "shutdown"
    assert stub.last_result.exit_code == 0
    new_fp = struct.unpack("<Q", struct.pack("<d", 2.5))[0]
    assert bytes(vmm.output) == vsum_output(1, n=775, acc=0x1000, fp_bits=new_fp, b0=7)


@needs_gdb
def test_cli_kvm_gdb_two_vcpus():
    """rvemu run --kvm --vcpus 2 --gdb: two threads; break on a C function, detach; the
    guest's output and exit code are its normal ones."""
    port = free_port()
    proc = rvemu_proc(["--kvm", "--vcpus", "2", "--isa", "rv64gcv", str(VSUM)], port)
    try:
        wait_listening(proc)
        cmd = [GDB, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
               "-ex", f"target remote 127.0.0.1:{port}", "-ex", "info threads",
               "-ex", "break vdot", "-ex", "continue", "-ex", "print $a1",
               "-ex", "delete", "-ex", "detach", str(VSUM)]
        g = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    text = g.stdout + g.stderr
    assert "Thread 1 (vcpu 0)" in text and "Thread 2 (vcpu 1)" in text, text
    assert "in vdot ()" in text and "$1 = 777\n" in text, text
    assert proc.returncode == 0, stderr
    assert stdout == vsum_output()


def test_kvm_ctrl_c_then_vanishing_client():
    """A guest spinning for ever under the VMM: continue, Ctrl-C stops it (SIGINT, thread
    1, its pc), a step still works, and a client that goes away leaves the VMM usable."""
    vmm = vsum_vmm()
    entry = read_elf(str(VSUM)).entry
    vmm.vm.write_guest(entry, (0x0000006F).to_bytes(4, "little"))     # j .
    port, t, out = start(vmm)
    c = Client(port)
    c.s.sendall(b"$c#63")
    assert c.s.recv(1) == b"+"
    time.sleep(0.3)
    c.send_raw(b"\x03")
    r = c.recv()
    assert r.startswith(b"T02") and b"thread:1;" in r and le(entry) in r, r
    assert vmm.instructions > 0
    n = vmm.instructions
    assert c.cmd("s").startswith(b"T05") and vmm.instructions == n + 1
    c.close()
    t.join(10)
    assert not t.is_alive() and out["stub"].outcome == "disconnect"
    r = vmm.run(max_insns=vmm.instructions + 1000)
    assert r.reason == "budget"


# ---- resuming from a breakpoint on an instruction that runs twice ------------------------------
def test_step_off_a_breakpoint_on_a_python_device_store():
    """A store to a device served in Python leaves the hart's loop and runs again once
    served: a step (and a continue) from a breakpoint on it must still move, and the
    device sees one store."""
    from helpers import asm, enc, li
    writes = []

    class Dev:
        def read(self, off, size):
            return 0

        def write(self, off, size, value):
            writes.append((off, value))

    m = Machine(ram="16M")
    m.add_device(0x4000_0000, 0x1000, Dev())
    code = asm(*li(6, 0x4000_0000), *li(5, 0x55), enc("sw", 5, 6, 8), enc("addi", 5, 5, 1),
               enc("sw", 5, 6, 8), enc("jal", 0, 0))
    m.mem_write(0x8000_0000, code)
    m.reg_write("pc", 0x8000_0000)
    store1 = 0x8000_0000 + 4 * (len(li(6, 0x4000_0000)) + len(li(5, 0x55)))
    port, t, out = start(m)
    c = Client(port)
    assert c.cmd("Z0,%x,4" % store1) == b"OK" and c.cmd("Z0,%x,4" % (store1 + 8)) == b"OK"
    assert le(store1) in c.cmd("c")
    r = c.cmd("s")
    assert le(store1 + 4) in r and writes == [(8, 0x55)], (r, writes)
    assert le(store1 + 8) in c.cmd("c")                 # the second store's breakpoint
    c.s.sendall(b"$c#63")                               # from it: on into `j .`
    assert c.s.recv(1) == b"+"
    time.sleep(0.2)
    c.send_raw(b"\x03")
    r = c.recv()
    assert r.startswith(b"T02") and le(store1 + 12) in r, r
    assert writes == [(8, 0x55), (8, 0x56)]
    c.send_raw(b"$k#6b")                                # (a detach would run `j .` for ever)
    c.close()
    t.join(10)
    assert not t.is_alive() and out["stub"].outcome == "kill"


@pytest.mark.parametrize("strategy", ["direct", "nacl_sync_csr", "nacl_autoswap"])
def test_kvm_breakpoint_on_a_first_vector_use(strategy):
    """Lazy SIMD policy, a host that takes its registers back after every run: the
    vsetvli at vdot's loop head is the vCPU's first vector use of each entry, which traps
    to KVM and runs again. Stepping and continuing from a breakpoint on it still move on,
    whatever the world switch's HSTATUS strategy."""
    vmm = Vmm(str(VSUM), host_isa=ISA, vlen=256, ram="16M", strategy=strategy)
    set_policy(vmm.vm, "lazy")
    v = vmm.vcpus[0]
    head = VSUM_SYMS["vdot"] + 0x14                    # vsetvli a4,a1,e64,m1,ta,ma
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("Z0,%x,4" % head) == b"OK"
    assert le(head) in c.cmd("c")
    n = vmm.instructions
    assert le(head) in c.cmd("c") and vmm.instructions > n   # one loop iteration later
    r = c.cmd("s")
    assert le(head + 4) in r and v.ctx.pc == head + 4, r
    assert c.cmd("z0,%x,4" % head) == b"OK"
    assert c.cmd("c") == b"W00"
    assert bytes(vmm.output) == vsum_output()
    c.cmd("D")
    c.close()
    t.join(10)


def test_exit_codes_reach_gdb():
    """The W reply carries the guest's exit code: a failing smp run (two harts, the guest
    told one) and a VMM guest sent to rv_exit with a non-zero code (SRST: failure)."""
    m = Machine(ram="64M", harts=2)
    m.load_elf(SMP)                       # nharts left at 1: the check fails
    port, t, out = start(m)
    c = Client(port)
    r = c.cmd("c")
    assert r == b"W%02x" % m.exit_code and m.exit_code != 0, r
    c.cmd("D")
    c.close()
    t.join(10)
    vmm = vsum_vmm()
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("P20=%s" % le(VSUM_SYMS["rv_exit"]).decode()) == b"OK"
    assert c.cmd("Pa=%s" % le(5).decode()) == b"OK"
    assert c.cmd("c") == b"W01"
    c.cmd("D")
    c.close()
    t.join(10)
    assert out["stub"].exited and out["stub"].last_result.exit_code == 1


def test_kvm_vl_beyond_vlmax_from_the_debugger():
    """GDB may write any vl and vstart (KVM's ONE_REG takes them, as Linux does); on
    entry the hart restores them as a vsetvl would (vl at most VLMAX, vstart in log2(VLEN)
    bits), so a vector load from a vl of 2^40 moves VLMAX elements and nothing breaks."""
    vmm = vsum_vmm()
    v = vmm.vcpus[0]
    load = VSUM_SYMS["vdot"] + 0x18                    # vle64.v v1,(a2) after the vsetvli
    sub = VSUM_SYMS["vdot"] + 0x30                     # sub a1,a1,a4 (no vector)
    vl, vstart = 65 + 0xC20, 65 + 0x008
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("Z0,%x,4" % load) == b"OK"
    assert le(load) in c.cmd("c")
    assert c.cmd("z0,%x,4" % load) == b"OK"
    assert c.cmd("p%x" % vl) == le(4)                   # e64, m1, VLEN 256
    assert c.cmd("P%x=%s" % (vl, le(1 << 40).decode())) == b"OK"
    assert v.get_one_reg(vector_reg("vl")) == 1 << 40
    assert le(load + 4) in c.cmd("s")
    assert c.cmd("p%x" % vl) == le(4)                   # clamped to VLMAX on entry
    assert c.cmd("Z0,%x,2" % sub) == b"OK"
    assert le(sub) in c.cmd("c")
    assert c.cmd("z0,%x,2" % sub) == b"OK"
    assert c.cmd("P%x=%s" % (vstart, le(M64).decode())) == b"OK"
    assert le(sub + 2) in c.cmd("s")                    # (the hart holds 255 meanwhile)
    assert c.cmd("P%x=%s" % (vstart, le(0).decode())) == b"OK"
    assert c.cmd("c") == b"W00"
    assert bytes(vmm.output) == vsum_output()           # the load moved its 4 elements
    c.cmd("D")
    c.close()
    t.join(10)


# ---- watchpoints stop before the access: the prediction of an instruction's accesses -------
def _access_cases():
    from helpers import cenc, enc
    # (instruction, base register, offset, size, reads, writes), operands as the assembler's
    return [
        (enc("ld", 5, 10, -8), 10, -8, 8, True, False),
        (enc("lbu", 5, 10, 2047), 10, 2047, 1, True, False),
        (enc("lh", 5, 11, -2048), 11, -2048, 2, True, False),
        (enc("lwu", 5, 11, 4), 11, 4, 4, True, False),
        (enc("sb", 6, 10, -1), 10, -1, 1, False, True),
        (enc("sw", 6, 11, 1000), 11, 1000, 4, False, True),
        (enc("sd", 6, 10, -2048), 10, -2048, 8, False, True),
        (enc("fld", 3, 10, 24), 10, 24, 8, True, False),
        (enc("fsw", 3, 11, -4), 11, -4, 4, False, True),
        (enc("fsd", 3, 11, 2040), 11, 2040, 8, False, True),
        (enc("amoadd.d", 5, 6, 10), 10, 0, 8, True, True),
        (enc("amoswap.w", 5, 6, 11), 11, 0, 4, True, True),
        (enc("lr.d", 5, 10), 10, 0, 8, True, False),
        (enc("sc.w", 5, 6, 11), 11, 0, 4, False, True),
        (cenc("c.lw", 8, 10, 124), 10, 124, 4, True, False),
        (cenc("c.sw", 9, 11, 68), 11, 68, 4, False, True),
        (cenc("c.ld", 8, 10, 248), 10, 248, 8, True, False),
        (cenc("c.sd", 9, 11, 8), 11, 8, 8, False, True),
        (cenc("c.fld", 8, 10, 136), 10, 136, 8, True, False),
        (cenc("c.fsd", 9, 11, 16), 11, 16, 8, False, True),
        (cenc("c.lwsp", 5, 252), 2, 252, 4, True, False),
        (cenc("c.ldsp", 5, 504), 2, 504, 8, True, False),
        (cenc("c.fldsp", 5, 8), 2, 8, 8, True, False),
        (cenc("c.swsp", 6, 60), 2, 60, 4, False, True),
        (cenc("c.sdsp", 6, 496), 2, 496, 8, False, True),
        (cenc("c.fsdsp", 6, 264), 2, 264, 8, False, True),
    ]


def test_predicted_accesses_match_the_hart():
    """predict_access (what a watchpoint looks at before an instruction runs) gives each
    load, store, AMO and RVC access's address and size as the spec defines them (base
    register plus offset), and the hart, stepping the instruction, makes that access."""
    from rvemu.gdbstub import predict_access
    regs = {2: 0x8000_6000, 10: 0x8000_4000, 11: 0x8000_5000, 5: 0, 6: 0x1122334455667788}
    for insn, base, off, size, reads, writes in _access_cases():
        accs = predict_access(insn, lambda i: regs.get(i, 0))
        assert accs is not None and len(accs) == 1, hex(insn)
        va, n, r, w, _ = accs[0]
        assert (va, n, r, w) == (regs[base] + off, size, reads, writes), hex(insn)
        m = Machine(ram="64K")
        m.mem_write(0x8000_0000, insn.to_bytes(4 if insn & 3 == 3 else 2, "little"))
        for i, v in regs.items():
            m.reg_write(f"x{i}", v)
        m.reg_write("pc", 0x8000_0000)
        m.reg_write("mstatus", m.reg_read("mstatus") | (1 << 13))   # FS on
        m.hart.step_log = True
        assert m.run(max_insns=1).reason == "budget"
        acc = m.hart.last_mem_access()
        if insn & 0x7F == 0x2F and (insn >> 27) in (2, 3):
            continue       # LR has no entry in the hart's trace record (the prediction
                           # is what lets a read watchpoint see it); this SC, with no
                           # reservation, fails and writes nothing
        assert acc is not None and (acc[0], acc[1]) == (va, n), (hex(insn), acc)
    # no access, and accesses that cannot be told beforehand (a vector load)
    from helpers import enc
    assert predict_access(enc("add", 1, 2, 3), lambda i: 0) == []
    assert predict_access(0x02056087, lambda i: 0) is None        # vle64.v v1,(a0)


def _vmem(op, nf, mop, vm, field, rs1, width, vd):
    """An RVV load (op 0x07) or store (0x27): nf | mew=0 | mop | vm | lumop/rs2/vs2 | rs1 |
    width | vd/vs3 | opcode (RVV 1.0, section 7.3)."""
    return ((nf - 1) << 29 | mop << 26 | vm << 25 | field << 20 | rs1 << 15 | width << 12
            | vd << 7 | op)


def test_predicted_vector_accesses_match_the_hart():
    """predict_vector_access, for unit-stride (masked), strided (negative), indexed,
    segment, whole-register, mask and fault-only-first loads and stores, gives the element
    accesses the hart then makes (its trace record) and, for two cases, the spec's
    addresses written out."""
    from rvemu.gdbstub import predict_vector_access
    base, stride = 0x8000_4000, -24
    e32m1, e8m1 = 2 << 3, 0                          # vtype: vsew, vlmul = 1
    cases = [  # (instruction, vtype, vl)
        (_vmem(0x07, 1, 0, 0, 0, 10, 6, 8), e32m1, 4),      # vle32.v v8,(a0),v0.t
        (_vmem(0x07, 1, 2, 1, 11, 10, 7, 8), e32m1, 2),     # vlse64.v v8,(a0),a1
        (_vmem(0x07, 1, 1, 1, 4, 10, 0, 8), e32m1, 4),      # vluxei8.v v8,(a0),v4
        (_vmem(0x07, 2, 0, 1, 0, 10, 5, 8), e32m1, 3),      # vlseg2e16.v v8,(a0)
        (_vmem(0x07, 2, 0, 1, 8, 10, 0, 8), e32m1, 1),      # vl2re8.v v8,(a0)
        (_vmem(0x27, 1, 0, 1, 11, 10, 0, 8), e8m1, 13),     # vsm.v v8,(a0)
        (_vmem(0x27, 1, 2, 0, 11, 10, 6, 8), e32m1, 4),     # vsse32.v v8,(a0),a1,v0.t
        (_vmem(0x07, 1, 0, 1, 16, 10, 6, 8), e32m1, 4),     # vle32ff.v v8,(a0)
    ]
    for insn, vtype, vl in cases:
        m = Machine(isa="rv64gcv", ram="64K", vlen=128)
        m.mem_write(0x8000_0000, insn.to_bytes(4, "little"))
        m.reg_write("pc", 0x8000_0000)
        m.reg_write("a0", base)
        m.reg_write("a1", stride)
        m.reg_write("mstatus", m.reg_read("mstatus") | (1 << 9))
        m.reg_write("v0", bytes([0b1011]) + bytes(15))
        m.reg_write("v4", bytes([0, 12, 4, 40]) + bytes(12))
        m.hart.vector_csrs = (0, vl, vtype, 0)
        regs = {10: base, 11: stride & M64}
        pred = predict_vector_access(
            insn, lambda i: regs.get(i, 0), lambda: (True, 0, vl, vtype),
            lambda n: m.reg_read(f"v{n}"), 16)
        m.hart.step_log = True
        assert m.run(max_insns=1).reason == "budget"
        log = m.hart.vector_mem_log()
        assert sorted((a, n) for a, n, *_ in pred) == sorted((a, n) for a, n, *_ in log), hex(insn)
        assert all(w == (insn & 0x7F == 0x27) for _, _, r, w, _ in pred)
        if insn == cases[0][0]:          # elements 0, 1, 3 (mask 1011), 4 bytes each
            assert [(a - base, n) for a, n, *_ in pred] == [(0, 4), (4, 4), (12, 4)]
        if insn == cases[1][0]:          # base + i * stride
            assert [(a - base, n) for a, n, *_ in pred] == [(0, 8), (-24, 8)]
    # VS off, or vill: the instruction traps, it accesses nothing
    insn = cases[0][0]
    assert predict_vector_access(insn, lambda i: base, lambda: (False, 0, 4, e32m1),
                                 lambda n: bytes(16), 16) == []
    assert predict_vector_access(insn, lambda i: base, lambda: (True, 0, 0, 1 << 63),
                                 lambda n: bytes(16), 16) == []


def test_machine_run_resumes_past_a_breakpoint_on_a_python_device_store():
    """Machine.run (no debugger): resuming from a breakpoint on a store that a Python
    device serves (the instruction runs again once served) goes on past it."""
    from helpers import asm, enc, li
    writes = []

    class Dev:
        def read(self, off, size):
            return 0

        def write(self, off, size, value):
            writes.append(value)

    m = Machine(ram="16M")
    m.add_device(0x4000_0000, 0x1000, Dev())
    code = asm(*li(6, 0x4000_0000), *li(5, 7), enc("sw", 5, 6, 0), *li(10, 0))
    m.mem_write(0x8000_0000, code)
    m.reg_write("pc", 0x8000_0000)
    store = 0x8000_0000 + 4 * (len(li(6, 0x4000_0000)) + len(li(5, 7)))
    m.add_breakpoint(store)
    assert m.run(max_insns=100).reason == "breakpoint" and m.reg_read("pc") == store
    r = m.run(max_insns=2)
    assert r.reason == "budget" and m.reg_read("pc") == store + 8, hex(m.reg_read("pc"))
    assert writes == [7]


def test_harts_ctrl_c():
    """Two harts spinning (`j .`): continue runs both (their instret grows), Ctrl-C stops
    the machine with SIGINT naming one of the threads; the client going away then leaves
    the machine intact."""
    m = Machine(ram="16M", harts=2, hart_slice=1000)
    m.mem_write(0x8000_0000, (0x0000006F).to_bytes(4, "little"))      # j .
    for i in range(2):
        m.reg_write("pc", 0x8000_0000, hart=i)
    port, t, out = start(m)
    c = Client(port)
    c.s.sendall(b"$c#63")
    assert c.s.recv(1) == b"+"
    time.sleep(0.3)
    c.send_raw(b"\x03")
    r = c.recv()
    assert r.startswith(b"T02") and (b"thread:1;" in r or b"thread:2;" in r), r
    assert m.harts[0].instret > 1000 and m.harts[1].instret > 1000
    c.close()
    t.join(10)
    assert not t.is_alive() and out["stub"].outcome == "disconnect"
    assert m.run(max_insns=5000).reason == "budget"


def test_kvm_step_over_an_sbi_call_kvm_serves():
    """A single-step over an ecall KVM serves itself (HSM hart_get_status) is that ecall
    alone: the vCPU stops at the next instruction with the SBI call's results in a0/a1."""
    vmm = Vmm(str(KVM_SBI), host_isa=ISA, ram="16M", vcpus=2)   # (that part needs two)
    entry = read_elf(str(KVM_SBI)).entry
    code = vmm.vm.read_guest(entry, 0x4000)
    # the first hart_get_status: li a6,2; mv a7,t0 (t0 = the HSM EID); ecall
    ecall = entry + code.index(bytes.fromhex("0948968873000000")) + 4
    port, t, out = start(vmm)
    c = Client(port)
    assert c.cmd("Z0,%x,4" % ecall) == b"OK"
    r = c.cmd("c")
    assert le(ecall) in r, r
    v = vmm.vcpus[int(r.split(b"thread:")[1].split(b";")[0], 16) - 1]
    assert v.ctx.x[17] == 0x48534D and v.ctx.x[16] == 2          # a7 = HSM, a6 = status
    assert le(ecall + 4) in c.cmd("s")
    assert v.ctx.pc == ecall + 4 and v.get_one_reg(core_reg("a0")) == 0   # SBI_SUCCESS
    assert c.cmd("z0,%x,4" % ecall) == b"OK"
    assert c.cmd("c") == b"W00"
    assert b"kvm_sbi: all checks passed" in bytes(vmm.output)
    c.cmd("D")
    c.close()
    t.join(10)


def test_huge_watch_ranges_are_refused():
    """A watchpoint over an absurd range (here 2^64 - 1 bytes of bare-mode memory, which
    every address maps) is refused with an error instead of walking it."""
    for target in (smp_machine(2), vsum_vmm()):
        port, t, out = start(target)
        c = Client(port)
        for kind in (2, 3, 4):
            assert c.cmd("Z%d,80000000,ffffffffffffffff" % kind) == b"E01"
            assert c.cmd("Z%d,80000000,0" % kind) == b"E01"
        assert c.cmd("Z2,80000000,1000") in (b"OK", b"E14")   # (a page: allowed)
        assert c.cmd("p20").startswith(b"00")
        c.send_raw(b"$k#6b")
        c.close()
        t.join(10)
        assert out["stub"].outcome == "kill"


# ---- random packets ----------------------------------------------------------------------------
def _random_packet(r):
    """A packet of the stub's vocabulary with random, often absurd, arguments."""
    def num():
        return "%x" % r.choice([0, 1, 2, 0x20, 0x21, 0x41, 0x1041, 0x1042, 0x105d, 0x1063,
                                r.getrandbits(64), r.getrandbits(12), 0x80200000 + r.getrandbits(16),
                                0x80000000 + r.getrandbits(16)])
    c = r.choice("gGpPmMXzZsScCvHTq?")
    if c == "p":
        return "p" + num()
    if c == "P":
        return "P%s=%s" % (num(), "".join(r.choice("0123456789abcdef")
                                           for _ in range(r.choice([0, 2, 8, 16, 64, 65]))))
    if c == "m":
        return "m%s,%s" % (num(), num())
    if c == "M":
        return "M%s,%x:%s" % (num(), r.randint(0, 9), "ab" * r.randint(0, 9))
    if c == "X":
        return "X%s,%x:%s" % (num(), r.randint(0, 5), "}\x03xyz"[:r.randint(0, 5)])
    if c in "zZ":
        return "%s%d,%s,%s" % (c, r.randint(0, 5), num(), num())
    if c in "sc":
        return c + (num() if r.random() < 0.1 else "")
    if c in "SC":
        return c + "05" + (";" + num() if r.random() < 0.3 else "")
    if c == "v":
        return r.choice(["vCont?", "vCont;s", "vCont;c", "vCont;s:1", "vCont;s:2;c", "vCont;t",
                         "vCont;x", "vMustReplyEmpty", "vCont;s:" + num()])
    if c == "H":
        return "H" + r.choice("gcx") + r.choice(["0", "-1", "1", "2", "3", num(), "p1.2"])
    if c == "T":
        return "T" + r.choice(["1", "2", "0", "-1", num()])
    if c == "q":
        return r.choice(["qC", "qfThreadInfo", "qsThreadInfo", "qThreadExtraInfo," + num(),
                         "qAttached", "qXfer:features:read:target.xml:%s,%s" % (num(), num()),
                         "qSupported:swbreak+", "qSymbol::"])
    if c == "G":
        return "G" + "00" * r.randint(0, 300)
    return c


def _fuzz_stub(make, n, seed):
    """n random packets through the stub's handler (as serve() runs them: an exception
    is an E01 reply); the target is made again when a guest ran to its end."""
    from rvemu.gdbstub import GdbStub
    import random
    r = random.Random(seed)
    stub = None
    errors = 0
    for _ in range(n):
        if stub is None or stub.exited:
            if stub is not None:
                stub.sock.close()
            stub = GdbStub(make(), 0)
            stub._interrupted = lambda: False
            stub.send = lambda payload: None
        try:
            reply = stub.handle(_random_packet(r).encode("latin-1"))
            assert reply is None or isinstance(reply, (str, bytes))
        except Exception:
            errors += 1
    assert stub.handle(b"qfThreadInfo") == "m1,2"       # still serving
    stub.sock.close()
    return errors


def _fuzz_harts():
    m = Machine(ram="64M", harts=2, isa="rv64gcv_h")
    m.load_elf(SMP)
    return m


@pytest.mark.parametrize("n", [3000, pytest.param(20_000, marks=pytest.mark.slow)])
def test_random_packets_leave_the_emulator_running(n):
    """Random packets (absurd registers, addresses, lengths, threads, watch ranges) against
    two harts and against the VMM with two vCPUs: nothing crashes, hangs or eats the
    memory (an absurd watch range once did), and the stub still serves at the end. (A
    malformed packet's exception is serve()'s E01 reply.)"""
    for make in (_fuzz_harts, lambda: vsum_vmm(vcpus=2)):
        errors = _fuzz_stub(make, n, seed=n)
        assert errors < n // 5
