"""Real M-mode firmware nobody on the team wrote, booting on rvemu's virt board.

Debian's `opensbi` package (`apt-get install opensbi`) provides fw_jump.elf: it reads our
generated device tree (a1), brings up the console (ns16550a), timer and IPI (CLINT),
PMP and delegation, then starts the S-mode payload at 0x8020_0000 -- here our own
hello_sbi guest, which prints through the SBI and shuts down through SRST (which OpenSBI
serves with the syscon finisher). The package is not part of this repository; without it
the test is skipped with that reason.
"""
import pathlib

import pytest

from rvemu import Machine
from rvemu.cli import main

FW_JUMP = pathlib.Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf")
PAYLOAD = pathlib.Path(__file__).resolve().parent.parent / "guests" / "hello_sbi.elf"

needs_opensbi = pytest.mark.skipif(
    not FW_JUMP.is_file(), reason="Debian's opensbi is not installed: apt-get install opensbi")


@needs_opensbi
def test_opensbi_fw_jump_boots_our_payload():
    m = Machine(isa="rv64gc", ram="256M")
    m.load_elf(FW_JUMP)
    assert m.load_payload(PAYLOAD) == 0x8020_0000
    r = m.run(max_insns=100_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert "OpenSBI v" in out
    assert "Platform Name             : riscv-virtio,qemu" in out   # read from our FDT
    assert "Platform Console Device   : uart8250" in out
    assert "Domain0 Next Address      : 0x0000000080200000" in out
    assert "Hello from rvemu guest (S-mode" in out                    # the payload ran
    assert m.reg_read("priv") == 3                                   # back in firmware


@needs_opensbi
def test_cli_bios_kernel(capfd):
    rc = main(["run", "--bios", str(FW_JUMP), "--kernel", str(PAYLOAD)])
    out = capfd.readouterr().out
    assert rc == 0
    assert "OpenSBI v" in out and "Hello from rvemu guest" in out


@pytest.mark.parametrize("argv,msg", [
    (["run"], "nothing to run"),
    (["run", "--kernel", "x.elf"], "--kernel needs --bios"),
    (["run", "g.elf", "--bios", "fw.elf"], "not both"),
])
def test_cli_boot_argument_errors(argv, msg, capsys):
    assert main(argv) == 2
    assert msg in capsys.readouterr().err


def test_raw_payload_goes_to_0x80200000(tmp_path):
    blob = bytes(range(64))
    p = tmp_path / "payload.bin"
    p.write_bytes(blob)
    m = Machine(ram="16M")
    assert m.load_payload(p) == 0x8020_0000
    assert m.mem_read(0x8020_0000, 64) == blob


UBOOT = pathlib.Path("/usr/lib/u-boot/qemu-riscv64/uboot.elf")
UBOOT_SMODE = pathlib.Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")
needs_uboot = pytest.mark.skipif(
    not UBOOT.is_file(), reason="Debian's u-boot-qemu is not installed: apt-get install u-boot-qemu")


@needs_uboot
def test_uboot_prompt_commands_and_poweroff():
    """U-Boot for qemu-riscv64 (M-mode) boots to its prompt on our device tree, runs
    commands typed on the UART, and poweroff (syscon-poweroff -> the finisher) ends the
    run. The first key stops the autoboot countdown, as on QEMU."""
    m = Machine(isa="rv64gc", ram="256M")
    m.load_elf(UBOOT)
    m.send_input(b"\nhelp\nversion\nsetenv foo bar\nprintenv foo\nmd.l 0x80000000 2\n"
                 b"bdinfo\npoweroff\n")
    r = m.run(max_insns=3_000_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert "U-Boot 20" in out and "Model: riscv-virtio,qemu" in out
    assert "=> help" in out and "printenv" in out          # the help listing
    assert "foo=bar" in out
    assert "80000000: " in out                              # md read guest RAM
    assert "-> size     = 0x0000000010000000" in out        # bdinfo saw our 256M
    assert "poweroff ..." in out


@needs_opensbi
@needs_uboot
def test_opensbi_then_uboot_smode_prompt_and_poweroff():
    """OpenSBI's fw_jump starts U-Boot's S-mode build (raw image at 0x8020_0000); U-Boot
    runs commands and powers off through the SBI (SRST, which OpenSBI serves)."""
    m = Machine(isa="rv64gc", ram="256M")
    m.load_elf(FW_JUMP)
    m.load_payload(UBOOT_SMODE)
    m.send_input(b"\nversion\nprintenv fdtcontroladdr\npoweroff\n")
    r = m.run(max_insns=3_000_000_000)
    out = m.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("halt", 0), out[-2000:]
    assert "OpenSBI v" in out and "U-Boot 20" in out
    assert "=> version" in out and "fdtcontroladdr=" in out
    assert "poweroff ..." in out
