"""The embedding API of rvemu.Machine: registers by name, memory, the zero-copy register
views, exact instruction budgets, exit codes and console output of the guests in guests/.
"""
import struct

import numpy as np
import pytest

from helpers import (CODE, DATA, F_ABI, FS_INITIAL, GUESTS, RAM_BASE, X_ABI, asm, cenc,
                     code_elf, enc, li, make_elf, new_machine, reset)
from rvemu import Machine, RvemuError, cli
from rvemu.errors import MemoryAccessError, RegisterError

MASK64 = (1 << 64) - 1


@pytest.fixture
def m():
    mach = new_machine("rv64gc", ram="64K")
    reset(mach)
    return mach


# --------------------------------------------------------------------------- registers
def test_x_registers_by_number_and_abi_name(m):
    for i, name in enumerate(X_ABI):
        m.reg_write(name, 0x1111_0000_0000_0000 * (i % 15) + i)
    for i, name in enumerate(X_ABI):
        want = 0 if i == 0 else 0x1111_0000_0000_0000 * (i % 15) + i
        assert m.reg_read(name) == want, name
        assert m.reg_read(f"x{i}") == want
    assert m.reg_read("fp") == m.reg_read("s0") == m.reg_read("x8")
    m.reg_write("fp", 0xf00d)
    assert m.reg_read("s0") == 0xf00d


def test_f_registers_by_number_and_abi_name(m):
    for i, name in enumerate(F_ABI):
        m.reg_write(name, (i + 1) << 40 | 0xabc)
    for i, name in enumerate(F_ABI):
        assert m.reg_read(f"f{i}") == m.reg_read(name) == (i + 1) << 40 | 0xabc


def test_register_names_are_case_insensitive(m):
    m.reg_write("A0", 5)
    m.reg_write("MScratch", 6)
    assert (m.reg_read("a0"), m.reg_read("X10"), m.reg_read("MSCRATCH")) == (5, 5, 6)


def test_values_wrap_to_64_bits(m):
    m.reg_write("a0", -1)
    assert m.reg_read("a0") == MASK64
    m.reg_write("a1", 1 << 64 | 7)
    assert m.reg_read("a1") == 7


def test_x0_ignores_writes(m):
    m.reg_write("zero", 42)
    m.reg_write("x0", 43)
    assert m.reg_read("x0") == m.reg_read("zero") == 0
    assert m.regs[0] == 0


def test_pc_and_priv(m):
    m.reg_write("pc", CODE + 0x40)
    assert m.reg_read("pc") == CODE + 0x40
    for p in (0, 1, 3):
        m.reg_write("priv", p)
        assert m.reg_read("priv") == p
    with pytest.raises(ValueError):
        m.reg_write("priv", 2)          # no such privilege level


def test_csrs_by_name(m):
    m.reg_write("mscratch", 0xdead_beef_0000_0001)
    assert m.reg_read("mscratch") == 0xdead_beef_0000_0001
    m.reg_write("mtvec", CODE + 0x101)       # vectored mode
    assert m.reg_read("mtvec") == CODE + 0x101
    m.reg_write("mtvec", CODE + 0x102)       # mode 2 is reserved (WARL)
    assert m.reg_read("mtvec") & 3 in (0, 1)
    assert m.reg_read("mhartid") == 0
    assert m.reg_read("misa") >> 62 == 2      # MXL = 64
    misa = m.reg_read("misa")
    for letter in "IMAFDCSU":
        assert misa >> (ord(letter) - ord("A")) & 1, letter


def test_sstatus_is_a_view_of_mstatus(m):
    m.reg_write("sstatus", 1 << 1)           # SIE
    assert m.reg_read("mstatus") & (1 << 1)
    m.reg_write("mstatus", m.reg_read("mstatus") | 1 << 3)    # MIE is not in sstatus
    assert not m.reg_read("sstatus") & (1 << 3)


def test_fp_csrs_by_name(m):
    m.reg_write("mstatus", m.reg_read("mstatus") | FS_INITIAL)
    m.reg_write("fcsr", 0b101_10011)
    assert (m.reg_read("frm"), m.reg_read("fflags"), m.reg_read("fcsr")) == (5, 0b10011, 0xb3)
    m.reg_write("fflags", 0)
    assert m.reg_read("fcsr") == 0xa0


def test_counters_read_by_name(m):
    m.mem_write(CODE, asm(*[enc("addi", "a0", "a0", 1)] * 10))
    m.reg_write("pc", CODE)
    before = m.reg_read("minstret")
    m.run(max_insns=10)
    assert m.reg_read("minstret") - before == 10
    assert m.reg_read("instret") == m.reg_read("minstret")


@pytest.mark.parametrize("name", ["x32", "f32", "foo", "", "mscratchx", "a8", "t7", 5, None])
def test_unknown_register_raises_registererror(m, name):
    with pytest.raises(RegisterError, match="unknown register"):
        m.reg_read(name)
    with pytest.raises(RegisterError, match="unknown register"):
        m.reg_write(name, 1)


def test_registererror_is_a_keyerror_and_an_rvemuerror(m):
    with pytest.raises(KeyError):
        m.reg_read("bogus")
    with pytest.raises(RvemuError):
        m.reg_read("bogus")
    try:
        m.reg_read("bogus")
    except RegisterError as e:
        assert str(e).startswith("unknown register 'bogus'")     # plain text, not repr


def test_unavailable_and_read_only_csrs(m):
    with pytest.raises(RegisterError, match="not available"):
        m.reg_read("stimecmp")               # needs Sstc, not in rv64gc
    with pytest.raises(RegisterError, match="read-only"):
        m.reg_write("mhartid", 1)
    with pytest.raises(RegisterError, match="read-only"):
        m.reg_write("cycle", 1)
    with_sstc = new_machine("rv64gc_sstc", ram="64K")
    with_sstc.reg_write("stimecmp", 1234)
    assert with_sstc.reg_read("stimecmp") == 1234


def test_reg_read_mstatus_shows_the_fs_the_guest_sees():
    mach = new_machine("rv64gc", ram="64K")
    mach.mem_write(CODE, asm(enc("csrrs", "a0", 0x300, 0)))
    mach.hart.reset(CODE)
    mach.run(max_insns=1)
    assert (mach.reg_read("a0") >> 13) & 3 == 0          # the guest sees FS = Off
    assert (mach.reg_read("mstatus") >> 13) & 3 == 0


def test_fp_csrs_writable_through_the_api_with_the_fpu_off():
    mach = new_machine("rv64gc", ram="64K")
    mach.hart.reset(CODE)                    # FS = Off
    mach.reg_write("fcsr", 0x20)
    assert mach.reg_read("frm") == 1


# --------------------------------------------------------------------------- memory
def test_mem_round_trip(m):
    for addr, data in [(RAM_BASE, b"\x01\x02\x03"), (DATA, bytes(range(256)) * 20),
                       (RAM_BASE + 0x10000 - 8, b"lastword"), (DATA + 0xffd, b"cross-page")]:
        m.mem_write(addr, data)
        assert m.mem_read(addr, len(data)) == data
    assert m.mem_read(DATA, 0) == b""
    m.mem_write(DATA, bytearray(b"ba"))
    m.mem_write(DATA, memoryview(b"mv"))
    assert m.mem_read(DATA, 2) == b"mv"


@pytest.mark.parametrize("addr, size", [
    (0, 4), (RAM_BASE - 1, 2), (RAM_BASE - 4, 4), (RAM_BASE + 0x10000, 1),
    (RAM_BASE + 0x10000 - 4, 8), (0x1000_0000, 1), (MASK64 - 3, 8), (RAM_BASE, -1),
])
def test_mem_outside_ram_raises(m, addr, size):
    with pytest.raises(MemoryAccessError, match="outside RAM"):
        m.mem_read(addr, size)
    if size > 0:
        with pytest.raises(MemoryAccessError, match="outside RAM"):
            m.mem_write(addr, b"\0" * size)
    with pytest.raises(RvemuError):
        m.mem_view(addr, size)


def test_failed_mem_write_changes_nothing(m):
    end = RAM_BASE + 0x10000
    m.mem_write(end - 4, b"keep")
    with pytest.raises(MemoryAccessError):
        m.mem_write(end - 4, b"too long")
    assert m.mem_read(end - 4, 4) == b"keep"


def test_mem_view_is_zero_copy(m):
    view = m.mem_view(DATA, 16)
    view[:4] = np.frombuffer(b"abcd", dtype=np.uint8)
    assert m.mem_read(DATA, 4) == b"abcd"
    m.mem_write(DATA + 4, b"efgh")
    assert bytes(view[4:8]) == b"efgh"


def test_guest_stores_visible_to_mem_read(m):
    m.mem_write(CODE, asm(enc("sd", "a1", "a0", 0)))
    m.reg_write("a0", DATA)
    m.reg_write("a1", 0x0102030405060708)
    m.reg_write("pc", CODE)
    m.run(max_insns=1)
    assert m.mem_read(DATA, 8) == struct.pack("<Q", 0x0102030405060708)


def test_mem_write_over_code_that_already_ran(m):
    """mem_write drops stale decoded instructions: the new code runs."""
    m.mem_write(CODE, asm(enc("addi", "a0", 0, 1)))
    m.reg_write("pc", CODE)
    m.run(max_insns=1)
    assert m.reg_read("a0") == 1
    m.mem_write(CODE, asm(enc("addi", "a0", 0, 2)))
    m.reg_write("pc", CODE)
    m.run(max_insns=1)
    assert m.reg_read("a0") == 2


# --------------------------------------------------------------------------- views
def test_regs_view_is_zero_copy(m):
    regs = m.regs
    assert isinstance(regs, np.ndarray) and regs.dtype == np.uint64 and regs.shape == (32,)
    regs[10] = 12345                          # write through the view ...
    assert m.reg_read("a0") == 12345          # ... is what the hart holds
    m.reg_write("a1", 777)
    assert regs[11] == 777                    # and the view sees API writes
    m.mem_write(CODE, asm(enc("addi", "a0", "a0", 1), enc("add", "a2", "a0", "a1")))
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    assert (regs[10], regs[12]) == (12346, 12346 + 777)   # and guest writes, without re-fetching
    assert regs.base is not None and np.shares_memory(regs, m.regs)


def test_fregs_view_is_zero_copy(m):
    f = m.fregs
    assert f.dtype == np.uint64 and f.shape == (32,)
    f[10] = 0x4000000000000000                # 2.0
    m.reg_write("fa1", 0x3ff0000000000000)    # 1.0
    assert f[11] == 0x3ff0000000000000
    m.mem_write(CODE, asm(enc("fadd.d", "fa2", "fa0", "fa1")))
    m.reg_write("pc", CODE)
    m.run(max_insns=1)
    assert f[12] == m.reg_read("fa2") == 0x4008000000000000


# --------------------------------------------------------------------------- budgets
STRAIGHT = asm(*[enc("addi", "a0", "a0", 1)] * 1200)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 1000, 1024, 1025])
def test_run_retires_exactly_n_instructions(m, n):
    m.mem_write(CODE, STRAIGHT)
    m.reg_write("pc", CODE)
    r = m.run(max_insns=n)
    assert (r.reason, r.instructions) == ("budget", n)
    assert m.reg_read("a0") == n
    assert m.reg_read("pc") == CODE + 4 * n
    assert m.instret == n


def test_run_budget_with_compressed_code(m):
    m.mem_write(CODE, asm(*[cenc("c.addi", "a0", 1), enc("addi", "a0", "a0", 1)] * 300))
    m.reg_write("pc", CODE)
    r = m.run(max_insns=501)
    assert r.instructions == 501 and m.reg_read("a0") == 501
    assert m.reg_read("pc") == CODE + 250 * 6 + 2


def test_consecutive_runs_continue(m):
    m.mem_write(CODE, STRAIGHT)
    m.reg_write("pc", CODE)
    total = 0
    for n in (3, 1, 10, 250, 1):
        assert m.run(max_insns=n).instructions == n
        total += n
    assert m.reg_read("a0") == total and m.reg_read("pc") == CODE + 4 * total


def test_run_zero_instructions(m):
    m.mem_write(CODE, STRAIGHT)
    m.reg_write("pc", CODE)
    r = m.run(max_insns=0)
    assert (r.reason, r.instructions, m.reg_read("pc")) == ("budget", 0, CODE)


def test_run_across_pages_and_a_loop(m):
    """A counted loop over a page boundary: retired count includes branches."""
    at = CODE + 0xff8
    code = li("t0", 100) + [enc("addi", "a0", "a0", 1), enc("addi", "t0", "t0", -1),
                            enc("bne", "t0", 0, -8)]
    m.mem_write(at, asm(*code))
    m.reg_write("pc", at)
    n = len(li("t0", 100)) + 3 * 100
    r = m.run(max_insns=n)
    assert r.instructions == n and m.reg_read("a0") == 100 and m.reg_read("t0") == 0
    assert m.reg_read("pc") == at + 4 * len(code)


def test_run_result_fields(m):
    m.mem_write(CODE, STRAIGHT)
    m.reg_write("pc", CODE)
    r = m.run(max_insns=500)
    assert r.exit_code is None and r.seconds >= 0 and r.mips >= 0


def test_pending_interrupt_counts_as_one_step(m):
    m.mem_write(CODE, asm(*[enc("addi", "a0", "a0", 1)] * 4))
    m.mem_write(CODE + 0x100, asm(*[enc("addi", "a1", "a1", 1)] * 4))
    m.reg_write("mtvec", CODE + 0x100)
    m.reg_write("mie", 1 << 1)
    m.reg_write("mip", 1 << 1)               # SSIP pending, enabled, not delegated
    m.reg_write("mstatus", m.reg_read("mstatus") | 1 << 3)
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=1)
    assert m.hart.traps == traps + 1 and m.reg_read("mcause") == (1 << 63) | 1
    assert m.reg_read("pc") == CODE + 0x100 and m.reg_read("a1") == 0


# --------------------------------------------------------------------------- guests
@pytest.mark.parametrize("name, kwargs, greeting", [
    ("hello_htif", {}, b"Hello from rvemu guest (HTIF), hart 0\n"),
    ("hello_uart", {}, b"Hello from rvemu guest (UART)"),
    ("hello_sbi", dict(sbi=True), b"Hello from rvemu guest (S-mode, SBI DBCN)"),
])
def test_hello_guests(name, kwargs, greeting):
    m = Machine(isa="rv64gc", ram="4M", **kwargs)
    img = m.load_elf(GUESTS / f"{name}.elf")
    assert m.reg_read("pc") == img.entry
    r = m.run(max_insns=1_000_000)
    assert (r.reason, r.exit_code, m.exit_code) == ("halt", 0, 0)
    assert greeting in bytes(m.output)


def test_console_callback_receives_output():
    chunks = []
    m = Machine(isa="rv64gc", ram="1M", console=chunks.append)
    m.load_elf(GUESTS / "hello_htif.elf")
    m.run(max_insns=1_000_000)
    assert b"".join(chunks).startswith(b"Hello from rvemu guest (HTIF)")
    assert m.output == b""                      # nothing buffered when a callback is set


def test_reset_state_after_load_elf():
    """a0 = hart id, a1 = the device tree, pc = entry, M-mode; symbols are read."""
    m = Machine(isa="rv64gc", ram="1M")
    m.load_elf(GUESTS / "hello_htif.elf")
    assert m.reg_read("priv") == 3 and m.reg_read("a0") == 0
    assert m.reg_read("a1") == m.dtb_addr and RAM_BASE < m.dtb_addr < RAM_BASE + (1 << 20)
    assert m.mem_read(m.dtb_addr, 4) == b"\xd0\x0d\xfe\xed"          # FDT magic
    assert m.symbols["tohost"] == 0x80001000 and "fromhost" in m.symbols


def test_cli_runs_hello(capsys):
    rc = cli.main(["run", str(GUESTS / "hello_htif.elf"), "--ram", "1M", "--no-stdin"])
    out, err = capsys.readouterr()
    assert rc == 0 and out.startswith("Hello from rvemu guest (HTIF)") and err == ""


def _finisher_guest(value):
    """A guest that writes value to the test finisher (QEMU virt's sifive_test) at 0x100000."""
    return code_elf(li("t0", 0x100000) + li("t1", value) + [enc("sw", "t1", "t0", 0), enc("jal", 0, 0)])


@pytest.mark.parametrize("code, status", [(0, 0), (1, 1), (42, 42), (255, 255), (256, 255),
                                          (0x1234, 255)])
def test_exit_codes_through_the_finisher(tmp_path, capsys, code, status):
    path = tmp_path / "exit.elf"
    path.write_bytes(_finisher_guest(code << 16 | 0x3333))
    m = Machine(isa="rv64gc", ram="1M")
    m.load_elf(path)
    r = m.run(max_insns=1000)
    assert (r.reason, r.exit_code) == ("halt", code)
    assert cli.main(["run", str(path), "--ram", "1M", "--no-stdin"]) == status
    capsys.readouterr()


def test_finisher_pass_code(tmp_path):
    m = Machine(isa="rv64gc", ram="1M")
    m.load_elf(_finisher_guest(0x5555))
    assert m.run(max_insns=1000).exit_code == 0


def test_exit_code_through_htif_tohost(tmp_path, capsys):
    """Spike's HTIF: a store of (code << 1) | 1 to the ELF's tohost symbol ends the run."""
    tohost = RAM_BASE + 0x1000
    code = li("t0", tohost) + li("t1", 7 << 1 | 1) + [enc("sd", "t1", "t0", 0), enc("jal", 0, 0)]
    elf = make_elf([(RAM_BASE, asm(*code), None), (tohost, b"\0" * 16, None)],
                   symbols={"tohost": tohost, "fromhost": tohost + 8})
    m = Machine(isa="rv64gc", ram="1M")
    m.load_elf(elf)
    assert m.symbols["tohost"] == tohost
    r = m.run(max_insns=1000)
    assert (r.reason, r.exit_code) == ("halt", 7)
    path = tmp_path / "htif.elf"
    path.write_bytes(elf)
    assert cli.main(["run", str(path), "--ram", "1M", "--no-stdin"]) == 7
    capsys.readouterr()


def test_python_device(m):
    """add_device: guest loads and stores at the device's addresses reach Python."""
    log = []

    class Dev:
        def read(self, off, size):
            log.append(("r", off, size))
            return 0x1122334455667788

        def write(self, off, size, value):
            log.append(("w", off, size, value))

    m.add_device(0x4000_0000, 0x1000, Dev())
    code = li("t0", 0x4000_0000) + [enc("sw", "a1", "t0", 8), enc("lw", "a2", "t0", 4),
                                    enc("addi", "a3", 0, 1)]
    m.mem_write(CODE, asm(*code))
    m.reg_write("a1", 0xabcdef)
    m.reg_write("pc", CODE)
    r = m.run(max_insns=len(code))
    assert r.instructions == len(code)
    assert log == [("w", 8, 4, 0xabcdef), ("r", 4, 4)]
    assert m.reg_read("a2") == 0x55667788 and m.reg_read("a3") == 1


def test_virt_read_write_follow_the_current_translation():
    """Bare M-mode maps identically; with Sv39 on in S-mode, a page mapped elsewhere reads
    its physical page; an unmapped page raises MemoryAccessError; no A/D bit is set."""
    from rvemu.errors import MemoryAccessError
    m = Machine(ram="1M")
    m.mem_write(0x8000_2000, b"physical")
    assert m.virt_read(0x8000_2000, 8) == b"physical"
    # Sv39: root table at 0x8001_0000 -> level-1 table 0x8001_1000 -> level-0 0x8001_2000
    def pte(ppn_addr, flags):
        return ((ppn_addr >> 12) << 10 | flags).to_bytes(8, "little")
    va = 0x4000_3000                       # vpn2=1, vpn1=0, vpn0=3
    m.mem_write(0x8001_0000 + 8 * 1, pte(0x8001_1000, 1))
    m.mem_write(0x8001_1000 + 8 * 0, pte(0x8001_2000, 1))
    m.mem_write(0x8001_2000 + 8 * 3, pte(0x8000_2000, 0b0111))   # V R W, A/D clear
    m.reg_write("satp", (8 << 60) | (0x8001_0000 >> 12))
    m.reg_write("priv", 1)
    assert m.hart.translate(va) == 0x8000_2000
    assert m.virt_read(va + 2, 6) == b"ysical"
    m.virt_write(va, b"P")
    assert m.mem_read(0x8000_2000, 8) == b"Physical"
    assert m.mem_read(0x8001_2000 + 8 * 3, 8) == pte(0x8000_2000, 0b0111)  # A/D untouched
    with pytest.raises(MemoryAccessError):
        m.virt_read(0x4000_4000, 4)        # vpn0=4: not mapped
