"""Malformed input gives a clear rvemu.errors exception (and, from the CLI, a one-line
message with a non-zero exit status, never a traceback); misbehaving guests end as
architectural traps, trap loops or budget exhaustion, never as a crash.
"""
import struct
import pathlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import (EM_X86_64, GUESTS, RAM_BASE, code_elf, enc, li, make_elf,
                     new_machine)
from rvemu import cli
from rvemu.errors import ConfigError, ElfError, IsaStringError, RvemuError
from rvemu.machine.elf import read_elf

HELLO = GUESTS / "hello_htif.elf"
SPIN = [enc("jal", 0, 0)]                                  # j .


def run_cli(capsys, *argv):
    """rvemu.cli.main in-process: (exit status, stdout, stderr)."""
    argv = [str(a) for a in argv]
    if argv and argv[0] == "run":
        argv.append("--no-stdin")      # pytest's stdin is not a terminal
    try:
        rc = cli.main(argv)
    except SystemExit as e:            # argparse usage errors
        rc = e.code
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(err, *words):
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line message, got: {err!r}"
    assert lines[0].startswith("rvemu: error: "), lines[0]
    assert "Traceback" not in err
    for w in words:
        assert w.lower() in lines[0].lower(), (w, lines[0])


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --------------------------------------------------------------------------- ELF files
BAD_ELVES = {
    "not-elf": (b"hello, world\n" * 10, "not an ELF"),
    "empty": (b"", "not an ELF"),
    "elf32": (make_elf([(RAM_BASE, b"\x13\0\0\0", None)], elfclass=32), "32-bit"),
    "big-endian": (make_elf([(RAM_BASE, b"\0\0\0\x13", None)], endian=">"), "big-endian"),
    "x86-64": (make_elf([(RAM_BASE, b"\x90" * 16, None)], machine=EM_X86_64), "not RISC-V"),
    "relocatable": (make_elf([(RAM_BASE, b"\x13\0\0\0", None)], etype=1), "not an executable"),
    "no-segments": (make_elf([]), "no loadable segments"),
    "overlapping": (make_elf([(RAM_BASE, b"\x13\0\0\0" * 64, None),
                              (RAM_BASE + 0x80, b"\x13\0\0\0" * 4, None)]), "overlapping"),
    "filesz-over-memsz": (make_elf([(RAM_BASE, b"\x13\0\0\0" * 4, 8)]), "file size"),
}


@pytest.mark.parametrize("name", sorted(BAD_ELVES))
def test_bad_elf_raises_elferror(tmp_path, name):
    data, words = BAD_ELVES[name]
    path = write(tmp_path, f"{name}.elf", data)
    with pytest.raises(ElfError, match=f"(?i){words}"):
        read_elf(path)
    with pytest.raises(ElfError, match=f"(?i){words}"):
        new_machine().load_elf(path)
    with pytest.raises(ElfError):
        read_elf(data)                              # bytes work the same way


@pytest.mark.parametrize("name", sorted(BAD_ELVES))
def test_bad_elf_cli_one_line(tmp_path, capsys, name):
    data, words = BAD_ELVES[name]
    path = write(tmp_path, f"{name}.elf", data)
    rc, out, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 2
    assert_one_line_error(err, str(path), words)


def _cut_points():
    size = HELLO.stat().st_size
    # inside the ELF header, the program headers, the first segment, the symbol table,
    # the string table and the section headers (which end the file)
    return sorted({0, 3, 4, 10, 17, 40, 63, 64, 100, 0x158 + 8, 0x3f0 + 4, 0x1010,
                   0x10c0 + 24, 0x1600, size - 64 * 3, size - 1})


@pytest.mark.parametrize("cut", _cut_points())
def test_truncated_elf(tmp_path, capsys, cut):
    data = HELLO.read_bytes()[:cut]
    path = write(tmp_path, f"cut{cut}.elf", data)
    with pytest.raises(ElfError, match="(?i)truncated|malformed|not an ELF|past|EOF"):
        new_machine(ram="1M").load_elf(path)
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 2
    assert_one_line_error(err, str(path))


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.elf"
    with pytest.raises(ElfError, match="cannot read"):
        read_elf(path)
    rc, _, err = run_cli(capsys, "run", path)
    assert rc == 2
    assert_one_line_error(err, "nope.elf")


def test_directory_instead_of_file(tmp_path, capsys):
    with pytest.raises(ElfError, match="cannot read"):
        read_elf(tmp_path)
    rc, _, err = run_cli(capsys, "run", tmp_path)
    assert rc == 2
    assert_one_line_error(err)


def test_segment_outside_ram(tmp_path, capsys):
    path = write(tmp_path, "low.elf", code_elf(SPIN, entry=0x1000))
    read_elf(path)                                    # a valid ELF ...
    with pytest.raises(ElfError, match="does not fit"):
        new_machine(ram="1M").load_elf(path)          # ... that this machine cannot hold
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 2
    assert_one_line_error(err, "does not fit", "0x1000")


def test_segment_straddling_ram_end(tmp_path):
    path = write(tmp_path, "end.elf", make_elf([(RAM_BASE + 0xff000, b"\0" * 0x2000, None)]))
    with pytest.raises(ElfError, match="does not fit"):
        new_machine(ram="1M").load_elf(path)


def test_elf_bigger_than_ram(tmp_path, capsys):
    """A segment whose memory size (bss included) exceeds --ram."""
    path = write(tmp_path, "big.elf", make_elf([(RAM_BASE, b"\x6f\0\0\0", 2 << 20)]))
    with pytest.raises(ElfError, match="does not fit.*ram"):
        new_machine(ram="1M").load_elf(path)
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 2
    assert_one_line_error(err, "does not fit", "--ram")
    rc, _, _ = run_cli(capsys, "run", path, "--ram", "4M", "--max-insns", "10")
    assert rc == 124                                     # fits with more RAM


def test_failed_load_leaves_machine_usable(tmp_path):
    m = new_machine(ram="1M")
    with pytest.raises(ElfError):
        m.load_elf(make_elf([(0x1000, b"\0" * 8, None)]))
    m.load_elf(code_elf(SPIN))
    assert m.run(max_insns=5).reason == "budget"


# --------------------------------------------------------------------------- ISA and RAM
BAD_ISAS = {
    "rv32gc": "RV32", "rv64": "no base", "rv64gq": "'q'", "rv64i_zfh": "requires 'f'",
    "rv64gc_zfoo": "unknown extension", "": "empty", "   ": "empty", "x86": "rv64",
    "rv64imacv": "requires 'd'", "rv64e": "base must be", "rv64i_": "empty extension",
    "rv64gw": "unknown extension letter",
}


@pytest.mark.parametrize("isa", sorted(BAD_ISAS))
def test_bad_isa_string(isa, capsys):
    with pytest.raises(IsaStringError, match=f"(?i){BAD_ISAS[isa]}"):
        new_machine(isa)
    rc, _, err = run_cli(capsys, "run", HELLO, f"--isa={isa}")
    assert rc == 2
    assert_one_line_error(err, BAD_ISAS[isa])
    rc, _, err = run_cli(capsys, "info", f"--isa={isa}")
    assert rc == 2
    assert_one_line_error(err)


BAD_RAM = {"0": "positive", "1K": "4 KiB", "4097": "4 KiB", "lots": "bad memory size",
           "100G": "larger than", "-4K": "bad memory size", "1.5M": "bad memory size",
           "": "bad memory size"}


@pytest.mark.parametrize("ram", sorted(BAD_RAM))
def test_bad_ram_size(ram, capsys):
    with pytest.raises(ConfigError, match=f"(?i){BAD_RAM[ram]}"):
        new_machine(ram=ram)
    rc, _, err = run_cli(capsys, "run", HELLO, f"--ram={ram}")
    assert rc == 2
    assert_one_line_error(err, BAD_RAM[ram])


@pytest.mark.parametrize("kwargs, words", [
    (dict(board="sifive_u"), "board"), (dict(misaligned="maybe"), "misaligned"),
    (dict(time_div=0), "time_div"), (dict(time_div="fast"), "time_div"),
    (dict(vlen=128), "vlen"), (dict(isa="rv64imac_zicsr", sbi=False, ram="64K"), None),
    (dict(isa="rv64gcv", vlen=96), "power of two"), (dict(isa="rv64gcv", vlen=64), "Zvl128b"),
    (dict(isa="rv64gcv_zvl512b", vlen=256), "512"), (dict(isa="rv64gcv", agnostic="some"), "agnostic"),
    (dict(isa="rv64gc_zve64d", vlen=64, ram="64K"), None),
])
def test_bad_machine_options(kwargs, words):
    if words is None:                 # a valid configuration, for contrast
        new_machine(**kwargs)
        return
    with pytest.raises(ConfigError, match=words):
        new_machine(**kwargs)


def test_every_error_is_an_rvemu_error():
    for exc in (IsaStringError, ConfigError, ElfError):
        assert issubclass(exc, RvemuError)
    with pytest.raises(RvemuError):
        new_machine("rv32i")
    with pytest.raises(ValueError):             # ISA and config errors are ValueErrors too
        new_machine(ram="lots")


def test_cli_usage_errors_exit_2(capsys):
    rc, _, err = run_cli(capsys, "run", HELLO, "--max-insns", "many")
    assert rc == 2 and "invalid int value" in err and "Traceback" not in err
    rc, _, err = run_cli(capsys, "frobnicate")
    assert rc == 2 and "Traceback" not in err
    rc, _, err = run_cli(capsys, "run")
    assert rc == 2 and "Traceback" not in err


def test_cli_subprocess_prints_no_traceback(tmp_path):
    """Once through a real interpreter: python -m rvemu with bad input."""
    bad = write(tmp_path, "bad.elf", b"\x7fELF" + b"\x02\x01\x01" + b"\0" * 20)
    # the rvemu this test imported (installed, or built in place), whatever the cwd
    import os
    import rvemu
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(rvemu.__file__).resolve().parent.parent)}
    p = subprocess.run([sys.executable, "-m", "rvemu", "run", str(bad)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert_one_line_error(p.stderr, "bad.elf")
    assert p.stdout == ""


# --------------------------------------------------------------------------- bad guests
def _guest(tmp_path, name, code):
    path = write(tmp_path, name, code_elf(code))
    m = new_machine(ram="1M")
    m.load_elf(path)
    return path, m


def test_guest_jumping_to_unmapped_memory_traps(tmp_path):
    code = li("t0", 0x1000) + [enc("jalr", 0, "t0", 0)]
    path, m = _guest(tmp_path, "jump.elf", code)
    handler = RAM_BASE + 0x800
    m.reg_write("mtvec", handler)                     # a handler: see the access fault once
    r = m.run(max_insns=len(code) + 1)
    assert r.reason == "budget"
    assert (m.reg_read("mcause"), m.reg_read("mepc"), m.reg_read("mtval")) == (1, 0x1000, 0x1000)
    assert m.reg_read("pc") == handler


def test_guest_jumping_to_unmapped_memory_with_mtvec_zero_is_a_trap_loop(tmp_path, capsys):
    code = li("t0", 0x1000) + [enc("jalr", 0, "t0", 0)]
    path, m = _guest(tmp_path, "jump.elf", code)
    r = m.run(max_insns=1_000_000)
    assert r.reason == "trap_loop"
    assert m.reg_read("mcause") == 1 and m.reg_read("pc") == 0
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 126
    assert "trap loop" in err and "mcause=1" in err and "Traceback" not in err


@pytest.mark.parametrize("garbage", [b"\xff" * 64, b"\0" * 64, bytes(range(64))],
                         ids=["ones", "zeros", "ramp"])
def test_guest_executing_garbage(tmp_path, capsys, garbage):
    path = write(tmp_path, "garbage.elf", make_elf([(RAM_BASE, garbage, None)]))
    m = new_machine(ram="1M")
    m.load_elf(path)
    r = m.run(max_insns=1_000_000)
    assert r.reason == "trap_loop"
    assert m.reg_read("mcause") in (1, 2)
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M")
    assert rc == 126 and "Traceback" not in err


def test_guest_looping_forever_stops_at_max_insns(tmp_path, capsys):
    path = write(tmp_path, "spin.elf", code_elf(SPIN))
    m = new_machine(ram="1M")
    m.load_elf(path)
    r = m.run(max_insns=12345)
    assert (r.reason, r.instructions) == ("budget", 12345)
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M", "--max-insns", "1000")
    assert rc == 124
    assert err.strip() == "rvemu: stopped after 1000 instructions (--max-insns)"


def test_guest_trapping_forever_stops_at_max_insns(tmp_path):
    """An ecall whose handler is the ecall itself: traps count as steps, so the budget
    ends the run even though no instruction ever retires."""
    path, m = _guest(tmp_path, "ecall.elf", [enc("ecall")])
    m.reg_write("mtvec", RAM_BASE)
    r = m.run(max_insns=1000)
    assert (r.reason, r.instructions) == ("budget", 0)
    assert m.reg_read("mcause") == 11


def test_guest_waiting_for_an_interrupt_that_never_comes_is_idle(tmp_path, capsys):
    path = write(tmp_path, "wfi.elf", code_elf([enc("wfi"), enc("jal", 0, -4)]))
    m = new_machine(ram="1M")
    m.load_elf(path)
    assert m.run(max_insns=1_000_000).reason == "idle"
    rc, _, err = run_cli(capsys, "run", path, "--ram", "1M", "--max-insns", "1000000")
    assert rc == 125


def test_guest_storing_to_unmapped_memory(tmp_path):
    code = li("t0", 0x4000_0000) + [enc("sd", "t0", "t0", 0)]
    path, m = _guest(tmp_path, "store.elf", code)
    m.reg_write("mtvec", RAM_BASE + 0x800)
    m.run(max_insns=len(code))
    assert (m.reg_read("mcause"), m.reg_read("mtval")) == (7, 0x4000_0000)


# --------------------------------------------------------------------------- mutation
_HELLO_BYTES = HELLO.read_bytes()
_SIZE = len(_HELLO_BYTES)
# where mutations matter: ELF header, program headers, section headers, symtab/strtab
_HOT = st.one_of(st.integers(0, 64 + 5 * 56), st.integers(0x10c0, _SIZE - 1),
                 st.integers(0, _SIZE - 1))


@st.composite
def mutated_elf(draw):
    data = bytearray(_HELLO_BYTES)
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        kind = draw(st.sampled_from(["byte", "byte", "word", "truncate", "insert"]))
        pos = draw(_HOT) % max(len(data), 1)
        if kind == "byte":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "word":
            v = draw(st.sampled_from([0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 0xffff]))
            data[pos:pos + 4] = struct.pack("<I", v)
        elif kind == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = bytes(draw(st.lists(st.integers(0, 255), max_size=8)))
    return bytes(data)


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_elf())
def test_mutated_elf_only_raises_elferror(data):
    try:
        img = read_elf(data)
    except ElfError as e:
        assert str(e)
        return
    assert img.segments
    m = new_machine(ram="1M")
    try:
        m.load_elf(data)
    except ElfError:
        return
    r = m.run(max_insns=5000)                       # whatever it is, it only runs or traps
    assert r.reason in ("budget", "halt", "idle", "trap_loop", "reset")


def test_harts_in_reference_cycles_are_collected_safely():
    """A Hart kept alive only by a reference cycle is freed by the cycle collector; its
    state buffer must outlive its __dealloc__ (a use-after-free that crashed the KVM
    tests once). Freed memory is not always unmapped, so this guards best-effort."""
    import gc
    from rvemu import Machine
    for _ in range(30):
        m = Machine(isa="rv64gcv", ram="64K")
        m.myself = m            # a cycle through the machine that owns the hart
        m.hart_ref = [m.hart, m]
    gc.collect()
    assert gc.collect() >= 0
