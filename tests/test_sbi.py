"""The built-in SBI firmware (SBI v3.0) as an S-mode payload sees it: one ECALL each,
results checked against the specification's values (shared/reference/spec-facts.md 1.x)."""
import pytest

from helpers import code_elf, enc
from rvemu import Machine

ENTRY = 0x8000_0000
SSIP, STIP = 1 << 1, 1 << 5
NOT_SUPPORTED, INVALID_PARAM, ALREADY_AVAILABLE = -2, -3, -6
MASK = (1 << 64) - 1


def ecall(a7, a6=0, *args, console_input=b""):
    """Run one ECALL from S-mode; returns (machine, result)."""
    m = Machine(isa="rv64gc", ram="1M", sbi=True)
    m.load_elf(code_elf([enc("ecall"), enc("jal", 0, 0)], ENTRY))
    assert m.reg_read("priv") == 1
    m.send_input(console_input)
    for i, v in enumerate(args):
        m.reg_write(f"a{i}", v)
    m.reg_write("a7", a7)
    m.reg_write("a6", a6)
    r = m.run(max_insns=3)
    return m, r


def ret(m):
    a0, a1 = m.reg_read("a0"), m.reg_read("a1")
    return (a0 - (1 << 64) if a0 >> 63 else a0), a1


def test_base_spec_version_and_ids():
    m, _ = ecall(0x10, 0)
    assert ret(m) == (0, 3 << 24)          # SBI v3.0
    m, _ = ecall(0x10, 4)                   # mvendorid
    assert ret(m) == (0, 0)


@pytest.mark.parametrize("eid,present", [(0x54494D45, 1), (0x735049, 1), (0x52464E43, 1),
                                         (0x48534D, 1), (0x53525354, 1), (0x4442434E, 1),
                                         (0x504D55, 0), (0x12345678, 0)])
def test_probe_extension(eid, present):
    m, _ = ecall(0x10, 3, eid)
    assert ret(m) == (0, present)


def test_unknown_extension_and_function_are_not_supported():
    m, _ = ecall(0x0BADBEEF, 0)
    assert ret(m)[0] == NOT_SUPPORTED
    m, _ = ecall(0x10, 99)
    assert ret(m)[0] == NOT_SUPPORTED


def test_ecall_returns_to_the_next_instruction_and_preserves_registers():
    m, r = ecall(0x10, 0, 11, 22, 33, 44)
    assert m.reg_read("pc") == ENTRY + 4
    assert m.reg_read("a2") == 33 and m.reg_read("a3") == 44


def test_time_set_timer_raises_and_clears_stip():
    m, _ = ecall(0x54494D45, 0, 0)          # a deadline in the past: pending at once
    assert ret(m)[0] == 0
    assert m.reg_read("mip") & STIP
    m, _ = ecall(0x54494D45, 0, MASK)       # far future: cleared
    assert not m.reg_read("mip") & STIP


def test_ipi_to_self_sets_ssip():
    m, _ = ecall(0x735049, 0, 1, 0)
    assert ret(m)[0] == 0 and m.reg_read("mip") & SSIP
    m, _ = ecall(0x735049, 0, 1, 5)         # hart 5 does not exist
    assert ret(m)[0] == INVALID_PARAM


def test_rfence():
    m, _ = ecall(0x52464E43, 0, 0, MASK)    # remote_fence_i to all harts
    assert ret(m)[0] == 0
    m, _ = ecall(0x52464E43, 1, 1, 0, 0, MASK)  # remote_sfence_vma
    assert ret(m)[0] == 0


def test_hsm():
    m, _ = ecall(0x48534D, 2, 0)            # hart_get_status(0) = STARTED (0)
    assert ret(m) == (0, 0)
    m, _ = ecall(0x48534D, 0, 0, ENTRY, 0)  # hart_start of a running hart
    assert ret(m)[0] == ALREADY_AVAILABLE
    m, _ = ecall(0x48534D, 2, 7)
    assert ret(m)[0] == INVALID_PARAM


@pytest.mark.parametrize("reason,code", [(0, 0), (1, 1)])
def test_srst_shutdown_ends_the_run(reason, code):
    m, r = ecall(0x53525354, 0, 0, reason)
    assert (r.reason, r.exit_code) == ("halt", code)


def test_srst_bad_type_is_invalid_param():
    m, _ = ecall(0x53525354, 0, 7, 0)
    assert ret(m)[0] == INVALID_PARAM


def test_dbcn_write_and_write_byte():
    m = Machine(isa="rv64gc", ram="1M", sbi=True)
    m.load_elf(code_elf([enc("ecall"), enc("ecall"), enc("jal", 0, 0)], ENTRY))
    m.mem_write(ENTRY + 0x1000, b"hello")
    m.reg_write("a0", 5)
    m.reg_write("a1", ENTRY + 0x1000)
    m.reg_write("a2", 0)
    m.reg_write("a7", 0x4442434E)
    m.reg_write("a6", 0)
    m.run(max_insns=1)
    assert ret(m) == (0, 5)
    m.reg_write("a0", ord("!"))
    m.reg_write("a6", 2)
    m.run(max_insns=2)
    assert bytes(m.output) == b"hello!"


def test_dbcn_write_outside_memory_is_invalid_param():
    m, _ = ecall(0x4442434E, 0, 4, 0x1000, 0)
    assert ret(m)[0] == INVALID_PARAM


def test_legacy_console():
    m, _ = ecall(1, 0, ord("x"))
    assert bytes(m.output) == b"x"
    m, _ = ecall(2, 0, console_input=b"q")
    assert m.reg_read("a0") == ord("q")
    m, _ = ecall(2, 0)
    assert m.reg_read("a0") == MASK          # -1: nothing waiting


def test_legacy_shutdown():
    m, r = ecall(8, 0)
    assert (r.reason, r.exit_code) == ("halt", 0)
