"""Run every self-checking guest in guests/: each exits 0 only if all its checks pass."""
import pathlib

import pytest

from rvemu import Machine

GUESTS = pathlib.Path(__file__).resolve().parent.parent / "guests"

# guest -> (Machine keyword arguments, expected console substring[, console input])
SPECIAL = {
    "hello_sbi": (dict(sbi=True), b"Hello from rvemu guest (S-mode, SBI DBCN)"),
    "hello_htif": ({}, b"Hello from rvemu guest (HTIF)"),
    "hello_uart": ({}, b"Hello from rvemu guest (UART)"),
    "zfh": (dict(isa="rv64gc_zfh_zfbfmin"), None),
    # H extension harness (checks listed in guests/src/hyp.c)
    "hyp": (dict(isa="rv64gch_sstc"), b"hyp: all checks passed"),
    # interrupt-driven UART input through the PLIC; it echoes what it receives
    "plic_uart": ({}, b"hello, PLIC\n", b"hello, PLIC\n"),
    # several harts (tests/test_harts.py runs them with other hart counts too)
    "smp": ({}, b"smp: all harts passed"),
    "smp_sbi": (dict(sbi=True, harts=2), b"all harts started, interrupted and stopped"),
}
PENDING = {}


def guest_names():
    return sorted(p.stem for p in GUESTS.glob("*.elf"))


@pytest.mark.parametrize("name", guest_names())
def test_guest_passes(name):
    if name in PENDING:
        pytest.xfail(PENDING[name])
    kwargs, expect, *console_input = SPECIAL.get(name, ({}, None))
    m = Machine(**{"isa": "rv64gc", "ram": "64M", **kwargs})
    m.load_elf(GUESTS / f"{name}.elf")
    for data in console_input:
        m.send_input(data)
    r = m.run(max_insns=50_000_000)
    assert r.reason == "halt", f"{name}: stopped with {r.reason} after {r.instructions} instructions"
    assert r.exit_code == 0, f"{name}: exit code {r.exit_code}; console: {bytes(m.output)!r}"
    if expect is not None:
        assert expect in bytes(m.output)
    assert b"SKIP" not in bytes(m.output), f"{name} skipped its checks: give it its ISA"


def test_misaligned_in_hardware_mode():
    """The misaligned guest also checks the 'handled in hardware' configuration."""
    m = Machine(isa="rv64gc", ram="64M", misaligned="hw")
    m.load_elf(GUESTS / "misaligned.elf")
    m.mem_write(m.symbols["misaligned_hw"], (1).to_bytes(8, "little"))
    r = m.run(max_insns=5_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), bytes(m.output)


@pytest.mark.parametrize("name", ["vm_sv39", "vm_sv48", "vm_sv57"])
def test_vm_with_svadu(name):
    """With Svadu the hart sets A/D itself; the guest checks that instead of faults."""
    m = Machine(isa="rv64gc", ram="64M", svadu=True)
    m.load_elf(GUESTS / f"{name}.elf")
    m.mem_write(m.symbols["svadu"], (1).to_bytes(8, "little"))
    r = m.run(max_insns=5_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), bytes(m.output)


@pytest.mark.parametrize("isa,svadu", [("rv64gch", False), ("rv64gch_sstc", True)])
def test_hyp_configurations(isa, svadu):
    """The hyp guest picks its Sstc and Svadu cases from menvcfg: without Sstc it
    leaves out the vstimecmp checks, with Svadu it expects hardware A/D updates in
    both stages (and the G-stage fault of an A update, htinst 0x3020)."""
    m = Machine(isa=isa, ram="64M", svadu=svadu)
    m.load_elf(GUESTS / "hyp.elf")
    r = m.run(max_insns=5_000_000)
    out = bytes(m.output)
    assert (r.reason, r.exit_code) == ("halt", 0), out
    assert b"hyp: all checks passed" in out
    assert (b"Sstc yes" in out) == ("sstc" in isa)
    assert (b"Svadu yes" in out) == svadu
