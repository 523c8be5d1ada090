"""The small VMM (rvemu/kvm/vmm.py) and ``rvemu run --kvm``: guests written for an SBI
(S-mode payloads) run unchanged as VS-mode guests of the KVM model."""
import os
import pathlib
import subprocess
import sys

import pytest

import rvemu
from rvemu.kvm.vmm import Vmm
from helpers import GUESTS

HELLO = GUESTS / "hello_sbi.elf"
UBOOT_SMODE = pathlib.Path("/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf")
needs_uboot = pytest.mark.skipif(
    not UBOOT_SMODE.is_file(),
    reason="Debian's u-boot-qemu is not installed: apt-get install u-boot-qemu")


@pytest.mark.parametrize("policy", ["eager", "lazy"])
@pytest.mark.parametrize("strategy", ["direct", "nacl_sync_csr", "nacl_autoswap"])
def test_sbi_payload_runs_as_a_kvm_guest(strategy, policy):
    vmm = Vmm(HELLO, strategy=strategy, simd_policy=policy)
    r = vmm.run(max_insns=10_000_000)
    assert (r.reason, r.exit_code) == ("shutdown", 0)
    assert b"Hello from rvemu guest" in vmm.output
    st = vmm.stats()
    assert st["vcpus"][0]["exits"]["KVM_EXIT_SYSTEM_EVENT"] == 1
    assert st["vcpus"][0]["exits"]["KVM_EXIT_RISCV_SBI"] >= 1    # the DBCN console
    ws = st["world_switch"]
    assert ws["strategy"] == strategy and ws["entries"] > 0
    if strategy == "direct":
        assert ws["sbi_calls"] == 0 and ws["sret_insns"] == ws["entries"]
    else:
        assert ws["sbi_calls"] == ws["entries"] and ws["sret_insns"] == 0


def test_secondary_vcpus_stay_stopped_until_hsm_start():
    vmm = Vmm(HELLO, vcpus=3)
    r = vmm.run(max_insns=10_000_000)
    assert r.reason == "shutdown"
    st = vmm.stats()["vcpus"]
    assert st[1]["instret"] == 0 and st[2]["instret"] == 0


def test_cli_kvm(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(rvemu.__file__).parent.parent))
    p = subprocess.run([sys.executable, "-m", "rvemu", "run", "--kvm", "--stats", str(HELLO)],
                       capture_output=True, cwd=tmp_path, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert b"Hello from rvemu guest" in p.stdout
    assert b"world switch: strategy=direct" in p.stderr
    assert b"KVM_EXIT_SYSTEM_EVENT=1" in p.stderr


def test_bad_elf_is_refused(tmp_path):
    bad = tmp_path / "x.elf"
    bad.write_bytes(b"\x7fELF garbage")
    with pytest.raises(rvemu.errors.RvemuError):
        Vmm(bad)


@needs_uboot
@pytest.mark.parametrize("policy", ["eager", "lazy"])
def test_uboot_smode_prompt_as_a_kvm_guest(policy):
    """Debian's U-Boot for qemu-riscv64_smode, as a guest of the VMM: it boots to its
    prompt over the UART (MMIO exits), runs commands, and poweroff (syscon-poweroff to the
    test finisher) ends the VM."""
    vmm = Vmm(UBOOT_SMODE, ram="256M", simd_policy=policy)
    vmm.send_input(b"\nversion\nsetenv foo bar\nprintenv foo\npoweroff\n")
    r = vmm.run(max_insns=2_000_000_000)
    out = vmm.output.decode(errors="replace")
    assert (r.reason, r.exit_code) == ("shutdown", 0), out[-2000:]
    assert "U-Boot 20" in out and "=> version" in out and "foo=bar" in out
    assert "poweroff ..." in out
    assert vmm.stats()["vcpus"][0]["exits"]["KVM_EXIT_MMIO"] > 100
