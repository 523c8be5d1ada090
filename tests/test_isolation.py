"""Memory isolation. The hart's RAM here is a window of a larger host buffer whose guard
bytes before and after must never change, and loads must never return them: every access
path (scalar, FP, compressed, misaligned in hardware, AMO, LR/SC, unit-stride, strided,
indexed, whole-register and fault-only-first vector accesses, HLV/HLVX/HSV) at addresses
around RAM's ends and in holes of the memory map either completes inside RAM or traps
(access fault / misaligned), precisely. Under the KVM model, no vCPU sees another VM's
memory or another vCPU's registers."""
import numpy as np
import pytest

from helpers import asm, enc
from rvemu._core.hart import Hart
from rvemu.isa.disasm import disassemble
from rvemu.machine.machine import Machine

RAM_BASE = 0x8000_0000
RAM = 64 << 10
RAM_END = RAM_BASE + RAM
GUARD = 8192
PAT = 0xA5
HANDLER = RAM_BASE + 0x400
MASK64 = (1 << 64) - 1
ACCESS_CAUSES = {4, 5, 6, 7}       # misaligned load/store, load/store access fault
# the virt board's device regions (QEMU's map): accesses there may complete
MMIO = [(0x0010_0000, 0x1000), (0x0200_0000, 0x10000), (0x0C00_0000, 0x60_0000),
        (0x1000_0000, 0x100)]


def guarded(isa, misaligned="trap", vlen=None):
    """A Machine whose RAM is the middle of a bigger buffer filled with a guard pattern."""
    m = Machine(isa=isa, ram=RAM, misaligned=misaligned, vlen=vlen)
    big = np.full(RAM + 2 * GUARD, PAT, dtype=np.uint8)
    ram = big[GUARD:GUARD + RAM]
    ram[:] = 0
    m.ram = ram
    m.hart = Hart(ram, RAM_BASE, m.isa.mask, m.isa.misa, time_div=100,
                  misaligned_hw=misaligned == "hw", vlen=m.vlen or 0)
    m.hart.wfi_exit = True
    if hasattr(m, "harts"):                  # the machine's own list of its harts
        m.harts = [m.hart]
        m._hart_index = {id(m.hart): 0}
    return m, big


def _vset(rd_avl_reg=12):
    # vsetvli x0, a2, e64, m1
    return 0x0180_7057 | rd_avl_reg << 15


def _v(op, vd, rs1, width, mop=0, lumop=0, rs2=0, vm=1):
    return (mop << 26 | vm << 25 | (rs2 or lumop) << 20 | rs1 << 15 | width << 12 | vd << 7 | op)


def _h(f7, rd, rs1, rs2=0):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | 4 << 12 | rd << 7 | 0x73


# (name, words before, the access, bytes it may touch from the address, writes?)
SCALAR = [("lb", enc("lb", 5, 10, 0), 1), ("lh", enc("lh", 5, 10, 0), 2),
          ("lw", enc("lw", 5, 10, 0), 4), ("ld", enc("ld", 5, 10, 0), 8),
          ("sb", enc("sb", 11, 10, 0), 1), ("sh", enc("sh", 11, 10, 0), 2),
          ("sw", enc("sw", 11, 10, 0), 4), ("sd", enc("sd", 11, 10, 0), 8),
          ("flw", enc("flw", 5, 10, 0), 4), ("fld", enc("fld", 5, 10, 0), 8),
          ("fsw", enc("fsw", 11, 10, 0), 4), ("fsd", enc("fsd", 11, 10, 0), 8),
          ("amoadd.d", enc("amoadd.d", 5, 11, 10), 8), ("amoswap.w", enc("amoswap.w", 5, 11, 10), 4),
          ("lr.d", enc("lr.d", 5, 10), 8),
          ("c.ld", 0x6114, 8)]                   # c.ld a3, 0(a0)
VECTOR = [("vle8.v", _v(0x07, 4, 10, 0), "vl"), ("vle64.v", _v(0x07, 4, 10, 7), "vl8"),
          ("vse8.v", _v(0x27, 4, 10, 0), "vl"), ("vse64.v", _v(0x27, 4, 10, 7), "vl8"),
          ("vlse64.v", _v(0x07, 4, 10, 7, mop=2, rs2=13), "strided"),
          ("vsse64.v", _v(0x27, 4, 10, 7, mop=2, rs2=13), "strided"),
          ("vluxei64.v", _v(0x07, 4, 10, 7, mop=1, rs2=8), "indexed"),
          ("vsuxei64.v", _v(0x27, 4, 10, 7, mop=1, rs2=8), "indexed"),
          ("vl1re8.v", _v(0x07, 4, 10, 0, lumop=8), "whole"),
          ("vs1r.v", _v(0x27, 4, 10, 0, lumop=8), "whole"),
          ("vle64ff.v", _v(0x07, 4, 10, 7, lumop=16), "vl8")]
HYP = [("hlv.b", _h(0x30, 5, 10), 1), ("hlv.d", _h(0x36, 5, 10), 8),
       ("hlvx.wu", _h(0x34, 5, 10, 3), 4), ("hsv.b", _h(0x31, 0, 10, 11), 1),
       ("hsv.d", _h(0x37, 0, 10, 11), 8)]


def addresses(size):
    """Addresses around RAM's ends, straddling them, and in holes of the memory map."""
    out = [RAM_END - size, RAM_END - size + 1, RAM_END - 1, RAM_END, RAM_END + 8,
           RAM_BASE - size, RAM_BASE - 1, RAM_BASE, 0, 8, MASK64 - size + 1, MASK64,
           0x4000_0000, 0x7FFF_FFF8, RAM_BASE + (1 << 32), 0x0C60_0000, 0x2000_0000,
           0x0010_1000 - 4, 0x0010_1000, 0x0201_0000 - 4, 0x0201_0000, 0x1000_0100 - 4,
           0x1000_0100]
    return [a & MASK64 for a in out]


def check_access(m, big, pre, insn, addr, regs, span, setup=None):
    """Run pre + insn with x10 = addr; the access completes inside RAM or traps."""
    h = m.hart
    code = asm(*pre, insn) if insn > 0xFFFF else asm(*pre) + insn.to_bytes(2, "little")
    m.mem_write(RAM_BASE, code)
    m.mem_write(HANDLER, asm(enc("jal", 0, 0)))
    m.mem_write(RAM_BASE + 0x8000, bytes(range(256)) * 16)
    h.reset(RAM_BASE, 0, 0, 3)
    m.reg_write("mtvec", HANDLER)
    m.reg_write("pmpaddr0", (1 << 54) - 1)      # PMP open for the HLV/HSV (VU) accesses
    m.reg_write("pmpcfg0", 0x1F)
    if setup is not None:
        setup(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | 3 << 13 | 3 << 9)
    for k, v in regs.items():
        m.reg_write(k, v)
    m.reg_write("x10", addr)
    m.reg_write("x11", 0x1122334455667788)
    m.reg_write("x5", 0x5A5A5A5A5A5A5A5A)
    m.reg_write("f5", 0x5A5A5A5A5A5A5A5A)
    if h.v is not None:
        h.v[4][:] = 0x3C
    m.run(max_insns=len(pre) + 1)
    assert (big[:GUARD] == PAT).all() and (big[GUARD + RAM:] == PAT).all(), \
        f"{disassemble(insn)[1]} at {addr:#x} wrote outside RAM"
    trapped = h.pc == HANDLER
    lo, hi = span(addr)
    inside = any(b <= lo and hi <= b + n for b, n in [(RAM_BASE, RAM)] + MMIO)
    if trapped:
        cause = m.reg_read("mcause")
        assert cause in ACCESS_CAUSES, f"{disassemble(insn)[1]} at {addr:#x}: cause {cause}"
        assert m.reg_read("x5") == 0x5A5A5A5A5A5A5A5A    # precise: rd not written
    else:
        assert inside, f"{disassemble(insn)[1]} at {addr:#x} completed outside RAM"
    # loads never return guard bytes
    for v in (m.reg_read("x5"), m.reg_read("f5")):
        assert v != int.from_bytes(bytes([PAT]) * 8, "little")
    if h.v is not None:
        assert not (h.v[4] == PAT).all()
    return trapped


@pytest.mark.parametrize("misaligned", ["trap", "hw"])
@pytest.mark.parametrize("name, insn, size", SCALAR, ids=[s[0] for s in SCALAR])
def test_scalar_accesses_stay_in_ram(name, insn, size, misaligned):
    m, big = guarded("rv64gc", misaligned)
    assert disassemble(insn)[1].split()[0] in (name, name[2:])
    outcomes = set()
    for a in addresses(size):
        outcomes.add(check_access(m, big, [], insn, a, {}, lambda x: (x, x + size)))
    assert outcomes == {True, False}


@pytest.mark.parametrize("vlen", [128, 512])
@pytest.mark.parametrize("name, insn, kind", VECTOR, ids=[v[0] for v in VECTOR])
def test_vector_accesses_stay_in_ram(name, insn, kind, vlen):
    m, big = guarded("rv64gcv", vlen=vlen)
    assert disassemble(insn)[1].split()[0] == {"vl1re8.v": "vl1r.v"}.get(name, name)
    vlmax = vlen // 64
    vlenb = vlen // 8
    pre = [_vset()]
    idx = [0, 8, 16, 4096]      # an index vector (e64) in v8: the last straddles pages
    regs = {"x12": vlmax, "x13": 4096 + 8}

    def setup(m):
        m.hart.v[8][:] = 0
        m.hart.v[8][:8 * min(vlmax, len(idx))] = np.frombuffer(
            b"".join(i.to_bytes(8, "little") for i in idx[:vlmax]), dtype=np.uint8)

    def span(a):
        if kind == "vl":
            return a, a + vlmax
        if kind in ("vl8",):
            return a, a + 8 * vlmax
        if kind == "strided":
            return a, a + (4096 + 8) * (vlmax - 1) + 8
        if kind == "indexed":
            return a, a + max(idx[:vlmax]) + 8
        return a, a + vlenb
    outcomes = set()
    for a in addresses(vlenb):
        trapped = check_access(m, big, pre, insn, a, regs, span, setup)
        if name == "vle64ff.v" and not trapped:
            vl = m.reg_read("vl")       # fault-only-first: vl shrinks to what is in RAM
            assert RAM_BASE <= a and a + 8 * vl <= RAM_END
        outcomes.add(trapped)
    assert True in outcomes


@pytest.mark.parametrize("name, insn, size", HYP, ids=[h[0] for h in HYP])
def test_hlv_hsv_stay_in_ram(name, insn, size):
    """From M-mode with vsatp and hgatp bare, HLV/HSV reach guest physical = host physical
    addresses: the same bounds apply, as guest-page or access faults."""
    m, big = guarded("rv64gc_h")
    assert disassemble(insn)[1].split()[0] == name
    outcomes = set()
    for a in addresses(size):
        outcomes.add(check_access(m, big, [], insn, a, {}, lambda x: (x, x + size)))
    assert outcomes == {True, False}


# ------------------------------------------------------------------------------ KVM
def _kvm_guest(pattern, words):
    """A VS guest storing `pattern` from RAM_BASE up through `words` doublewords, then
    making an SBI SRST shutdown call."""
    from helpers import li
    code = [*li(5, RAM_BASE + 0x1000), *li(6, RAM_BASE + 0x1000 + 8 * words), *li(7, pattern),
            enc("sd", 7, 5, 0), enc("addi", 5, 5, 8), enc("bltu", 5, 6, -8),
            *li(17, 0x53525354), enc("addi", 16, 0, 0), enc("addi", 10, 0, 0),
            enc("addi", 11, 0, 0), enc("ecall")]
    return asm(*code)


def test_vms_do_not_see_each_others_memory_or_registers():
    from rvemu.kvm import Kvm, core_reg
    kvm = Kvm("rv64gc_h")
    size = 1 << 16
    vms, mems, vcpus = [], [], []
    for i, pat in enumerate((0x1111111111111111, 0x2222222222222222)):
        vm = kvm.create_vm()
        mem = vm.alloc_memory(size)
        vm.set_user_memory_region(0, 0, RAM_BASE, size, mem)
        # VM 0 writes through its own RAM and beyond it (an MMIO exit); VM 1 stays inside
        code = _kvm_guest(pat, (size - 0x1000) // 8 + (64 if i == 0 else -64))
        np.asarray(mem)[:len(code)] = np.frombuffer(code, dtype=np.uint8)
        v = vm.create_vcpu(0)
        v.set_one_reg(core_reg("pc"), RAM_BASE)
        v.set_one_reg(core_reg("regs.s0"), 0xABC0 + i)
        vms.append(vm), mems.append(mem), vcpus.append(v)
    exits = [[], []]
    for _ in range(60):                 # interleave the two VMs on the one host hart
        for i, v in enumerate(vcpus):
            if exits[i] and exits[i][-1] in ("KVM_EXIT_MMIO", "KVM_EXIT_SYSTEM_EVENT"):
                continue
            ex = v.run(max_insns=2000)
            exits[i].append(ex.reason_name)
            assert v.get_one_reg(core_reg("regs.s0")) == 0xABC0 + i   # its own registers
    assert exits[0][-1] == "KVM_EXIT_MMIO" and exits[1][-1] == "KVM_EXIT_SYSTEM_EVENT", exits
    m0, m1 = np.asarray(mems[0]), np.asarray(mems[1])
    q0 = m0[0x1000:].view(np.uint64)
    q1 = m1[0x1000:].view(np.uint64)
    assert (q0 == 0x1111111111111111).all()
    assert (q1[:-64] == 0x2222222222222222).all() and (q1[-64:] == 0).all()


@pytest.mark.parametrize("policy", ["eager", "lazy"])
def test_vcpus_do_not_see_each_others_fp_and_vector_registers(policy):
    """simd_mix checks its own FP and vector values at every use while 4 vCPUs switch every
    300 instructions; a leak or loss between vCPUs makes it fail."""
    from rvemu.bench_simd import run_case
    run_case(policy, 256, "heavy", vcpus=4, iters=600, quantum=300)
