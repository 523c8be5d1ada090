"""Disassembly of every vector mnemonic compared with GNU objdump (binutils >= 2.40 knows
RVV 1.0; not Zvfbfmin/Zvfbfwma) on random field values. The words are assembled into an
object by the ziglang clang (for the ISA attributes); the test skips, saying which tool
is missing, when either is absent."""
import random
import shutil
import subprocess

import pytest

from rvemu.isa import encodings
from rvemu.isa.disasm import disassemble
from rvemu.isa.encodings_v import ALL_V, ZVFBFMIN, ZVFBFWMA

OBJDUMP = shutil.which("riscv64-unknown-elf-objdump") or shutil.which("riscv64-linux-gnu-objdump")
OBJCOPY = shutil.which("riscv64-unknown-elf-objcopy") or shutil.which("riscv64-linux-gnu-objcopy")
try:
    import ziglang  # noqa: F401
    HAVE_ZIG = True
except ImportError:
    HAVE_ZIG = False

NOT_IN_BINUTILS_240 = {m for m, *_ in ZVFBFMIN + ZVFBFWMA}


def _words(rng, per):
    out = []
    for m, bits, _, _ in ALL_V:
        if m in NOT_IN_BINUTILS_240:
            continue
        mask, match, _ = encodings.mask_match(bits)
        for _ in range(per):
            out.append((m, match | (rng.getrandbits(32) & ~mask)))
    return out


def _objdump(words, tmp):
    src = tmp / "w.S"
    src.write_text(".text\n" + "".join(f".word {w:#010x}\n" for _, w in words))
    obj, obj2 = tmp / "w.o", tmp / "w2.o"
    subprocess.run(["python", "-m", "ziglang", "cc", "--target=riscv64-freestanding-none",
                    "-mcpu=generic_rv64+m+a+f+d+c+v+zfh+zvfh", "-c", str(src), "-o", str(obj)],
                   check=True, capture_output=True)
    subprocess.run([OBJCOPY, "--strip-symbol=$d", str(obj), str(obj2)], check=True)
    out = subprocess.run([OBJDUMP, "-d", str(obj2)], check=True, capture_output=True, text=True).stdout
    texts = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].strip().endswith(":"):
            texts.append("\t".join(p.strip() for p in parts[2:]).strip())
    return texts


@pytest.mark.skipif(not (OBJDUMP and OBJCOPY and HAVE_ZIG),
                    reason="needs riscv64 binutils (objdump, objcopy) and the ziglang package")
def test_vector_disassembly_matches_objdump(tmp_path):
    rng = random.Random(5)
    words = _words(rng, 12)
    theirs = _objdump(words, tmp_path)
    assert len(theirs) == len(words)
    bad = []
    for (m, w), want in zip(words, theirs):
        got = disassemble(w, isa="rv64gcv_zfh_zvfh")[1]
        if got != want:
            bad.append(f"{w:#010x} ({m}): ours {got!r}, objdump {want!r}")
    assert not bad, f"{len(bad)} of {len(words)} differ:\n" + "\n".join(bad[:40])


@pytest.mark.skipif(not OBJDUMP, reason="needs riscv64 binutils (objdump)")
def test_vector_guest_listing_equals_objdump(capsys):
    """`rvemu disasm` of the compiled RVV kernels prints exactly objdump -d's listing."""
    from helpers import GUESTS
    from rvemu.cli import main
    elf = GUESTS / "bench" / "vector.elf"
    assert main(["disasm", str(elf), "--isa", "rv64gcv"]) == 0
    ours = capsys.readouterr().out
    theirs = subprocess.run([OBJDUMP, "-d", str(elf)], check=True, capture_output=True, text=True).stdout
    assert ours.splitlines() == theirs.splitlines()
