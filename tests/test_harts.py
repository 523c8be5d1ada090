"""Several harts: Machine(harts=N) / rvemu run --harts N.

The harts share RAM and the decode cache and run round-robin in fixed slices, so a run
is repeatable. guests/smp.elf (M-mode) and guests/smp_sbi.elf (S-mode, SBI HSM) check
the architecture from the inside; the tests here check the board from the outside.
"""
import pathlib
import struct

import pytest

from rvemu import Machine
from rvemu.cli import main
from rvemu.errors import ConfigError

GUESTS = pathlib.Path(__file__).resolve().parent.parent / "guests"
FW_JUMP = pathlib.Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf")
UBOOT = pathlib.Path("/usr/lib/u-boot/qemu-riscv64/uboot.elf")
UBOOT_SMODE = pathlib.Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")
needs_opensbi = pytest.mark.skipif(
    not FW_JUMP.is_file(), reason="Debian's opensbi is not installed: apt-get install opensbi")
needs_uboot = pytest.mark.skipif(
    not UBOOT.is_file(), reason="Debian's u-boot-qemu is not installed: apt-get install u-boot-qemu")


def smp_machine(n, **kw):
    m = Machine(ram="64M", harts=n, **kw)
    m.load_elf(GUESTS / "smp.elf")
    m.mem_write(m.symbols["nharts"], n.to_bytes(8, "little"))
    return m


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
def test_smp_guest(n):
    """IPIs, WFI wake-ups, AMO and LR/SC counters, PLIC contexts, reservation loss by
    another hart's store, cross-hart code modification and per-hart timers."""
    m = smp_machine(n)
    r = m.run(max_insns=50_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), (r, bytes(m.output))
    assert b"smp: all harts passed" in bytes(m.output)
    count = m.mem_read(m.symbols["count_amo"], 8)
    assert int.from_bytes(count, "little") == 3000 * n


@pytest.mark.parametrize("slice_len", [1, 7, 100, 100_000])
def test_smp_guest_any_slice_length(slice_len):
    m = smp_machine(3, hart_slice=slice_len)
    r = m.run(max_insns=100_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), (r, bytes(m.output))


def test_runs_are_repeatable():
    """Fixed slices in a fixed order: two runs retire the same instructions per hart,
    whatever the budget slicing of run() calls."""
    a = smp_machine(4)
    ra = a.run(max_insns=50_000_000)
    b = smp_machine(4)
    while True:
        rb = b.run(max_insns=12_345)
        if rb.reason != "budget":
            break
    assert (ra.reason, rb.reason) == ("halt", "halt")
    assert [h.instret for h in a.harts] == [h.instret for h in b.harts]
    assert [h.pc for h in a.harts] == [h.pc for h in b.harts]
    assert a.reg_read("mcycle") == b.reg_read("mcycle")


def test_every_hart_starts_at_the_entry_with_its_hart_id():
    m = Machine(ram="16M", harts=3)
    m.load_elf(GUESTS / "smp.elf")
    entry = m.elf.entry
    assert [h.pc for h in m.harts] == [entry] * 3
    assert [int(h.x[10]) for h in m.harts] == [0, 1, 2]
    assert [int(h.x[11]) for h in m.harts] == [m.dtb_addr] * 3
    assert [h.csr_read(0xF14) for h in m.harts] == [0, 1, 2]      # mhartid


def test_wfi_idle_only_when_no_hart_can_wake():
    """hello_htif parks hart 1 in WFI with nothing enabled; hart 0 exits: halt. A program
    whose harts all wait with nothing armed is idle; while one of them can still be
    woken by the other (it waits for an IPI the other sends later) the run goes on."""
    m = Machine(ram="16M", harts=2)
    m.load_elf(GUESTS / "hello_htif.elf")
    r = m.run(max_insns=5_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0)

    # both harts: WFI with mie = 0 -> idle for ever
    m = Machine(ram="16M", harts=2)
    load_program(m, [WFI, jal(0, -4)])
    r = m.run(max_insns=1_000_000)
    assert r.reason == "idle"


# a few RV64 encoders for the hand-written programs below (unpriv spec, chapter 34)
def _i(op, rd, f3, rs1, imm):
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def addi(rd, rs1, imm):
    return _i(0x13, rd, 0, rs1, imm)


def lui(rd, imm20):
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | 0x37


def sw(rs2, rs1, imm):
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 0x1F) << 7) | 0x23


def branch(f3, rs1, rs2, off):
    return ((((off >> 12) & 1) << 31) | (((off >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15)
            | (f3 << 12) | (((off >> 1) & 0xF) << 8) | (((off >> 11) & 1) << 7) | 0x63)


def jal(rd, off):
    return ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3FF) << 21) | (((off >> 11) & 1) << 20)
            | (((off >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F)


def csrrw(rd, csr, rs1):
    return _i(0x73, rd, 1, rs1, csr)


def csrrs(rd, csr, rs1):
    return _i(0x73, rd, 2, rs1, csr)


WFI = 0x10500073
A0, T0, T1, T2 = 10, 5, 6, 7


def load_program(m, words, base=0x8000_0000):
    for i, w in enumerate(words):
        m.mem_write(base + 4 * i, w.to_bytes(4, "little"))
    for i, h in enumerate(m.harts):
        h.reset(base, i)


def test_ipi_wakes_a_waiting_hart_later():
    """Hart 1 waits in WFI for msip (mie.MSIE) while hart 0 runs for many slices before
    sending the IPI: the run must not end idle; hart 1 then exits through the finisher."""
    code = [
        branch(1, A0, 0, 0x1c),      # 0x00 bnez a0, 0x1c        (hart 1)
        lui(T0, 0x32),               # 0x04 t0 = 0x32000
        addi(T0, T0, -1),            # 0x08
        branch(1, T0, 0, -4),        # 0x0c bnez t0, 0x08        (count down)
        lui(T1, 0x2000),             # 0x10 t1 = CLINT
        addi(T2, 0, 1),              # 0x14
        sw(T2, T1, 4),               # 0x18 msip[1] = 1
        branch(1, A0, 0, 0xc),       # 0x1c bnez a0, 0x28
        jal(0, 0),                   # 0x20 hart 0 spins here
        addi(0, 0, 0),               # 0x24
        addi(T0, 0, 8),              # 0x28 mie = MSIE
        csrrw(0, 0x304, T0),         # 0x2c
        WFI,                         # 0x30
        csrrs(T0, 0x344, 0),         # 0x34 t0 = mip
        _i(0x13, T0, 7, T0, 8),      # 0x38 andi t0, t0, 8
        branch(0, T0, 0, -0xc),      # 0x3c beqz t0, 0x30
        lui(T0, 0x100),              # 0x40 t0 = finisher
        lui(T1, 0x2a3),              # 0x44
        addi(T1, T1, 0x333),         # 0x48 t1 = 0x2a3333: exit code 42
        sw(T1, T0, 0),               # 0x4c
        jal(0, 0),                   # 0x50
    ]
    m = Machine(ram="16M", harts=2)
    load_program(m, code)
    r = m.run(max_insns=10_000_000)
    assert (r.reason, r.exit_code) == ("halt", 42), r
    assert m.harts[0].instret > 0x32000 * 2          # hart 0 counted down first
    assert m.harts[1].instret < 100                  # hart 1 slept meanwhile


def test_sbi_hsm_ipi_rfence_guest():
    """--sbi: only hart 0 starts; the payload starts the others with HSM hart_start,
    interrupts them with sbi_send_ipi and stops them with hart_stop."""
    for n in (1, 2, 4):
        m = Machine(ram="64M", harts=n, sbi=True)
        m.load_elf(GUESTS / "smp_sbi.elf")
        assert [m.group.is_stopped(i) for i in range(1, n)] == [True] * (n - 1) if n > 1 else True
        r = m.run(max_insns=50_000_000)
        assert (r.reason, r.exit_code) == ("halt", 0), (n, r, bytes(m.output))
        assert b"all harts started, interrupted and stopped" in bytes(m.output)
        assert int.from_bytes(m.mem_read(m.symbols["nharts_seen"], 8), "little") == n


def test_cli_harts(capfd):
    assert main(["run", "--sbi", "--harts", "3", str(GUESTS / "smp_sbi.elf")]) == 0
    assert b"all harts started" in capfd.readouterr().out.encode()


@pytest.mark.parametrize("bad", [0, -1, 65, "2", 2.0, True])
def test_bad_hart_counts(bad):
    with pytest.raises(ConfigError, match="harts"):
        Machine(ram="16M", harts=bad)


def test_bad_slice():
    with pytest.raises(ConfigError, match="hart_slice"):
        Machine(ram="16M", harts=2, hart_slice=0)


def test_trace_needs_one_hart(capsys):
    # (GDB serves several harts as threads: tests/test_gdb_threads.py)
    assert main(["run", "--harts", "2", "--trace", "-", str(GUESTS / "hello_htif.elf")]) == 2
    assert "one hart" in capsys.readouterr().err


# ---- the device tree --------------------------------------------------------------------
def read_dtb(m):
    total = int.from_bytes(m.mem_read(m.dtb_addr + 4, 4), "big")
    return parse_dtb(m.mem_read(m.dtb_addr, total))


def parse_dtb(blob):
    """A minimal flattened-device-tree reader (devicetree spec v0.4, chapter 5), written
    apart from rvemu's encoder: {path: {property: raw bytes}}."""
    magic, total, off_struct, off_strings = struct.unpack_from(">4I", blob, 0)
    assert magic == 0xD00DFEED
    strings = blob[off_strings:]
    nodes, path, pos = {}, [], off_struct
    while True:
        tok, = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tok == 1:
            end = blob.index(b"\0", pos)
            path.append(blob[pos:end].decode())
            pos = (end + 4) & ~3
            nodes["/".join(path) or "/"] = {}
        elif tok == 2:
            path.pop()
        elif tok == 3:
            ln, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name = strings[nameoff:strings.index(b"\0", nameoff)].decode()
            nodes["/".join(path) or "/"][name] = blob[pos:pos + ln]
            pos = (pos + ln + 3) & ~3
        elif tok == 4:
            continue
        elif tok == 9:
            return nodes
        else:
            raise AssertionError(f"bad FDT token {tok}")


def cells(raw):
    return list(struct.unpack(f">{len(raw) // 4}I", raw))


def strlist(raw):
    return raw.rstrip(b"\0").decode().split("\0")


@pytest.mark.parametrize("n", [1, 2, 4])
def test_device_tree_lists_every_hart(n):
    m = Machine(isa="rv64gc_sstc", ram="16M", harts=n)
    m.load_elf(GUESTS / "hello_htif.elf")
    tree = read_dtb(m)
    cpus = sorted(p for p in tree if p.startswith("/cpus/cpu@") and p.count("/") == 2)
    assert cpus == [f"/cpus/cpu@{i}" for i in range(n)]
    phandles = []
    for i in range(n):
        cpu = tree[f"/cpus/cpu@{i}"]
        assert cells(cpu["reg"]) == [i]
        assert "sstc" in strlist(cpu["riscv,isa-extensions"])      # Sstc when configured
        intc = tree[f"/cpus/cpu@{i}/interrupt-controller"]
        phandles.append(cells(intc["phandle"])[0])
    assert len(set(phandles)) == n
    # CLINT: (MSIP 3, MTIP 7) per hart; PLIC: (MEIP 11, SEIP 9) per hart = contexts 2i, 2i+1
    clint = tree["/soc/clint@2000000"]
    assert cells(clint["interrupts-extended"]) == sum(([p, 3, p, 7] for p in phandles), [])
    plic = tree["/soc/plic@c000000"]
    assert cells(plic["interrupts-extended"]) == sum(([p, 11, p, 9] for p in phandles), [])


def test_device_tree_without_sstc():
    m = Machine(isa="rv64gc", ram="16M", harts=2)
    m.load_elf(GUESTS / "hello_htif.elf")
    tree = read_dtb(m)
    assert "sstc" not in strlist(tree["/cpus/cpu@1"]["riscv,isa-extensions"])


# ---- real firmware ---------------------------------------------------------------------
@needs_opensbi
@needs_uboot
@pytest.mark.parametrize("n", [2, 4])
def test_opensbi_uboot_smode_with_harts(n):
    """OpenSBI's fw_jump picks a boot hart (the lottery) and parks the others in HSM;
    U-Boot's S-mode build finds every cpu in the device tree."""
    m = Machine(isa="rv64gc", ram="256M", harts=n)
    m.load_elf(FW_JUMP)
    m.load_payload(UBOOT_SMODE)
    m.send_input(b"\ncpu list\npoweroff\n")
    r = m.run(max_insns=4_000_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert f"Platform HART Count       : {n}" in out
    assert "Domain0 HARTs             : " + ",".join(f"{i}*" for i in range(n)) in out
    assert "Platform IPI Device       : aclint-mswi" in out
    assert "U-Boot 20" in out
    for i in range(n):
        assert f"  {i}: cpu@{i}      rv64imafdc" in out
    assert "poweroff ..." in out


@needs_opensbi
@pytest.mark.parametrize("n", [2, 4])
def test_opensbi_starts_harts_for_our_payload(n):
    """The same HSM payload as with --sbi, served by OpenSBI's HSM and IPI."""
    m = Machine(isa="rv64gc", ram="256M", harts=n)
    m.load_elf(FW_JUMP)
    m.load_payload(GUESTS / "smp_sbi.elf")
    r = m.run(max_insns=500_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert "all harts started, interrupted and stopped" in out


@needs_uboot
def test_uboot_mmode_with_harts():
    """U-Boot's M-mode build (SMP: secondary harts wait for its IPIs) with 4 harts."""
    m = Machine(isa="rv64gc", ram="256M", harts=4)
    m.load_elf(UBOOT)
    m.send_input(b"\ncpu list\npoweroff\n")
    r = m.run(max_insns=4_000_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert "  3: cpu@3      rv64imafdc" in out and "poweroff ..." in out


def test_registers_of_each_hart():
    m = smp_machine(3)
    r = m.run(max_insns=50_000_000)
    assert r.reason == "halt"
    assert [m.reg_read("mhartid", hart=i) for i in range(3)] == [0, 1, 2]
    assert [m.reg_read("s0", hart=i) for i in range(3)] == [0, 1, 2]   # the guest keeps a0 there
    m.reg_write("t0", 1234, hart=2)
    assert m.reg_read("t0", hart=2) == 1234 and m.harts[2].x[5] == 1234
    assert m.reg_read("t0") != 1234 or m.reg_read("t0", hart=0) == int(m.harts[0].x[5])
    from rvemu.errors import RegisterError
    with pytest.raises(RegisterError, match="no hart 3"):
        m.reg_read("pc", hart=3)


def test_cli_stats_with_harts(capfd):
    assert main(["run", "--sbi", "--harts", "2", "--stats", str(GUESTS / "smp_sbi.elf")]) == 0
    err = capfd.readouterr().err
    assert "harts:        2, " in err and "slices of 10000 instructions" in err


def test_until_stops_the_hart_that_reaches_it():
    """A breakpoint (until) holds for every hart; the run resumes from it afterwards."""
    m = smp_machine(2)
    r = m.run(until=m.symbols["smc_fn"], max_insns=50_000_000)   # only hart 1 calls smc_fn
    assert r.reason == "until"
    assert m.harts[1].pc == m.symbols["smc_fn"] and m.harts[0].pc != m.symbols["smc_fn"]
    r = m.run(max_insns=50_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0)


def _r(f7, rs2, rs1, f3, rd):
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x33


def _s(f3, rs2, rs1, imm):
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | 0x23


def test_uart_interrupt_reaches_hart_1_through_its_plic_context():
    """Hart 1 enables the UART (source 10) in its M context (context 2) and waits in WFI;
    hart 0 waits with nothing enabled. Every hart waits, so the machine hands over the
    console input; the PLIC raises hart 1's MEIP, and hart 1 claims source 10 from
    context 2 and exits with it."""
    A1, A2 = 11, 12
    code = [
        branch(0, A0, 0, 120),       # 0  beqz a0, hart0 (30)
        lui(T0, 0xc000),             # 1  t0 = PLIC
        addi(T1, 0, 1),              # 2
        sw(T1, T0, 0x28),            # 3  priority[10] = 1
        lui(T2, 2),                  # 4
        _r(0, T0, T2, 0, T2),        # 5  t2 = PLIC + 0x2000
        addi(T1, 0, 0x400),          # 6
        sw(T1, T2, 0x100),           # 7  enable of context 2 = 1 << 10
        lui(T2, 0x202),              # 8
        _r(0, T0, T2, 0, T2),        # 9  t2 = PLIC + 0x202000 (context 2)
        sw(0, T2, 0),                # 10 threshold 0
        lui(T1, 0x10000),            # 11 t1 = UART
        addi(A1, 0, 1),              # 12
        _s(0, A1, T1, 1),            # 13 IER = received data
        lui(T1, 1),                  # 14
        addi(T1, T1, -0x800),        # 15 t1 = MEIE
        csrrw(0, 0x304, T1),         # 16 mie
        WFI,                         # 17 loop:
        csrrs(T1, 0x344, 0),         # 18 t1 = mip
        _i(0x13, T1, 5, T1, 11),     # 19 srli t1, t1, 11
        _i(0x13, T1, 7, T1, 1),      # 20 andi t1, t1, 1
        branch(0, T1, 0, -16),       # 21 beqz t1, loop
        _i(0x03, A2, 2, T2, 4),      # 22 lw a2, 4(t2): claim of context 2
        lui(T0, 0x100),              # 23 finisher
        _i(0x13, A2, 1, A2, 16),     # 24 slli a2, a2, 16
        lui(T1, 3),                  # 25
        addi(T1, T1, 0x333),         # 26 t1 = 0x3333
        _r(0, T1, A2, 6, A2),        # 27 or a2, a2, t1
        sw(A2, T0, 0),               # 28 exit(claim)
        jal(0, 0),                   # 29
        WFI,                         # 30 hart0: wfi
        jal(0, -4),                  # 31
    ]
    m = Machine(ram="16M", harts=2)
    load_program(m, code)
    r = m.run(max_insns=1_000_000)
    assert r.reason == "idle"                  # no input yet: nothing can wake either hart
    m.send_input(b"x\n")
    r = m.run(max_insns=1_000_000)
    assert (r.reason, r.exit_code) == ("halt", 10), r


@pytest.mark.parametrize("harts", [1, 2])
def test_code_rewritten_twice_after_fence_i(harts):
    """A hart rewrites an instruction it has run, FENCE.I, runs it, and does it again:
    both rewrites must be seen (the second store goes to a page whose decodes the first
    one dropped and the second call decoded anew)."""
    A1, RA = 11, 1
    FENCE_I, RET = 0x0000100F, 0x00008067

    def li32(rd, v):
        hi = (v + 0x800) >> 12
        return [lui(rd, hi), addi(rd, rd, v - (hi << 12))]
    prog = [branch(0, A0, 0, 8), jal(0, 0x180), 0x00000297, jal(RA, 0x100 - 12)]  # t0 = 0x80000008
    for k in (16, 256):
        prog += li32(T1, addi(A1, A1, k)) + [sw(T1, T0, 0x100 - 8 + 8), FENCE_I]
        prog.append(jal(RA, 0x108 - 4 * len(prog)))
    prog += [lui(T0, 0x100), lui(T1, 5), addi(T1, T1, 0x555), sw(T1, T0, 0), jal(0, 0)]
    words = prog + [0x13] * (0x42 - len(prog)) + [addi(A1, A1, 1), RET]
    words += [0x13] * (0x62 - len(words)) + [WFI, jal(0, -4)]      # 0x188: other harts park
    m = Machine(ram="16M", harts=harts)
    load_program(m, words)
    r = m.run(max_insns=100_000)
    assert (r.reason, r.exit_code) == ("halt", 0)
    assert m.reg_read("a1") == 1 + 16 + 256


def test_legacy_send_ipi_reads_the_hart_mask():
    """Legacy SBI send_ipi (EID 4): a0 points to the hart mask; NULL means every hart."""
    from helpers import code_elf, enc
    for mask_ptr, mask, expect in ((0x8000_0100, 0b100, [False, False, True]),
                                   (0, None, [True, True, True])):
        m = Machine(ram="1M", harts=3, sbi=True)
        m.load_elf(code_elf([enc("ecall"), enc("jal", 0, 0)], 0x8000_0000))
        if mask is not None:
            m.mem_write(mask_ptr, mask.to_bytes(8, "little"))
        m.reg_write("a0", mask_ptr)
        m.reg_write("a7", 4)
        m.run(max_insns=3)
        assert m.reg_read("a0") == 0
        assert [bool(m.reg_read("mip", hart=i) & 2) for i in range(3)] == expect


def test_python_device_served_for_the_hart_that_accessed_it():
    """An MMIO exit from hart 1 is served on hart 1 (and hart 1 resumes with the value)."""
    class Dev:
        def __init__(self):
            self.log = []

        def read(self, off, size):
            self.log.append(("r", off, size))
            return 40 + len(self.log)

        def write(self, off, size, value):
            self.log.append(("w", off, size, value))

    A2 = 12
    code = [
        branch(1, A0, 0, 12),            # 0x00 bnez a0, 0x0c
        WFI,                             # 0x04 hart 0: sleeps for ever (nothing enabled)
        jal(0, -4),                      # 0x08
        lui(T0, 0x40000),                # 0x0c t0 = 0x4000_0000 (the device)
        _i(0x03, A2, 2, T0, 8),          # 0x10 lw a2, 8(t0)
        sw(A0, T0, 4),                   # 0x14 sw a0, 4(t0)
        lui(T0, 0x100),                  # 0x18 finisher
        _i(0x13, A2, 1, A2, 16),         # 0x1c slli a2, a2, 16
        lui(T1, 3),                      # 0x20
        addi(T1, T1, 0x333),             # 0x24
        _r(0, T1, A2, 6, A2),            # 0x28 or a2, a2, t1
        sw(A2, T0, 0),                   # 0x2c exit(a2 >> 16)
        jal(0, 0),                       # 0x30
    ]
    m = Machine(ram="16M", harts=2)
    dev = Dev()
    m.add_device(0x4000_0000, 0x1000, dev)
    load_program(m, code)
    r = m.run(max_insns=1_000_000)
    assert (r.reason, r.exit_code) == ("halt", 41), r
    assert dev.log == [("r", 8, 4), ("w", 4, 4, 1)]      # hart 1 wrote its a0 = 1
