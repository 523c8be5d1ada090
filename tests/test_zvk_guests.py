"""The ZV* guests (guests/zvk): standard vectors computed with the real instructions.

* on Spike (the reference; skipped with a reason when no Spike binary is found): each guest
  passes at VLEN 128 and 256, and traps (illegal instruction, exit 0xfff from the default
  trap handler) when the sub-extension it needs is left out of the ISA;
* on rvemu: the same runs, through the vector unit's call of rvemu/_core/zvk_exec.h
  (docs/zvk-integration.md).
"""
import os
import pathlib
import shutil
import subprocess

import pytest

from rvemu import Machine

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUESTS = ROOT / "guests" / "zvk"
ISA = "rv64gcv_zvbb_zvbc_zvkg_zvkned_zvknhb_zvksed_zvksh_zvkt"
SLOW = {"sm4_million"}
ALL_NAMES = sorted(p.stem for p in GUESTS.glob("*.elf"))
NAMES = [n for n in ALL_NAMES if n != "zvk_diff"]  # zvk_diff: tests/test_zvk_diff.py
PASS_TEXT = {"aes": b"FIPS-197", "sha256": b"SHA-256", "sha512": b"SHA-512", "sm4": b"SM4",
             "sm4_million": b"SM4", "sm3": b"SM3", "ghash": b"GCM test cases 1-4",
             "zvbb": b"432 cases pass"}
# guest -> an ISA without (or with too little of) what it needs: it must trap
WITHOUT = {
    "aes": "rv64gcv_zvbb_zvbc_zvkg_zvknhb_zvksed_zvksh",
    "sha256": "rv64gcv_zvkb_zvkned",
    "sha512": "rv64gcv_zvkb_zvknha",          # SEW=64 needs Zvknhb
    "sm4": "rv64gcv_zvkb_zvksh",
    "sm3": "rv64gcv_zvkb_zvksed",
    "ghash": "rv64gcv_zvkned",
    "zvbb": "rv64gcv_zvkb_zvbc",              # vbrev, vclz, vwsll... are Zvbb only
}
TRAP_EXIT = 0xFFF  # common/crt.S's default trap handler, outside any numbered check


def test_every_guest_is_known():
    assert NAMES, "no guests/zvk/*.elf: build them with python guests/build.py zvk/"
    assert set(ALL_NAMES) == set(PASS_TEXT) | {"zvk_diff"}
    assert set(WITHOUT) == set(NAMES) - SLOW


def _params(names):
    return [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW else []) for n in names]


# -----------------------------------------------------------------------------------------
# Spike
# -----------------------------------------------------------------------------------------

def _spike():
    for cand in (os.environ.get("RVEMU_SPIKE"), shutil.which("spike"),
                 "/work/ext/spike-install/bin/spike"):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.skip("no Spike binary (set RVEMU_SPIKE or put spike on PATH)")


def _run_spike(isa, name):
    p = subprocess.run([_spike(), f"--isa={isa}", str(GUESTS / f"{name}.elf")],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("zvl", ["", "_zvl256b"], ids=["vlen128", "vlen256"])
@pytest.mark.parametrize("name", _params(NAMES))
def test_guest_on_spike(name, zvl):
    code, out = _run_spike(ISA + zvl, name)
    assert code == 0, out[-400:]
    assert PASS_TEXT[name] in out


@pytest.mark.parametrize("name", sorted(WITHOUT))
def test_guest_traps_on_spike_without_its_extension(name):
    code, out = _run_spike(WITHOUT[name], name)
    assert code != 0, out[-400:]
    assert b"mcause=0x0000000000000002" in out, out[-400:]  # illegal instruction


# -----------------------------------------------------------------------------------------
# rvemu
# -----------------------------------------------------------------------------------------

def _machine(isa, vlen):
    return Machine(isa=isa, ram="64M", vlen=vlen)


@pytest.mark.parametrize("vlen", [128, 256])
@pytest.mark.parametrize("name", _params(NAMES))
def test_guest_on_rvemu(name, vlen):
    m = _machine(ISA, vlen)
    m.load_elf(GUESTS / f"{name}.elf")
    r = m.run(max_insns=200_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), bytes(m.output)[-400:]
    assert PASS_TEXT[name] in bytes(m.output)


@pytest.mark.parametrize("name", sorted(WITHOUT))
def test_guest_traps_on_rvemu_without_its_extension(name):
    m = _machine(WITHOUT[name], 128)
    m.load_elf(GUESTS / f"{name}.elf")
    r = m.run(max_insns=50_000_000)
    assert (r.reason, r.exit_code) == ("halt", TRAP_EXIT), bytes(m.output)[-400:]
    assert b"mcause=0x0000000000000002" in bytes(m.output)


def test_guests_use_every_zv_instruction():
    """Disassembling the guests with our tables finds every ZV* mnemonic, each in both its
    masked and unmasked form where it has a vm bit."""
    from elftools.elf.elffile import ELFFile

    from rvemu.isa import encodings_vcrypto
    from rvemu.isa.disasm import decode
    seen = set()
    for name in NAMES:
        with open(GUESTS / f"{name}.elf", "rb") as fh:
            text = ELFFile(fh).get_section_by_name(".text").data()
        i = 0
        while i < len(text):
            half = int.from_bytes(text[i:i + 2], "little")
            if half & 3 != 3:
                i += 2
                continue
            word = int.from_bytes(text[i:i + 4], "little")
            _, mnemonic, _ = decode(word, isa=None)
            if mnemonic in encodings_vcrypto.NAMES:
                seen.add((mnemonic, (word >> 25) & 1))
            i += 4
    want = set()
    for m, bits, operands, _ in encodings_vcrypto.ZVK:
        want |= {(m, 0), (m, 1)} if "vm" in operands.split(",") else {(m, 1)}
    assert want - seen == set()
