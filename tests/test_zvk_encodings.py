"""Encodings and disassembly of the ZV* sub-extensions (rvemu/isa/encodings_vcrypto.py).

(a) every entry agrees with the official riscv-opcodes data (mask/match, the extension
    file it is in) and no official ZV* mnemonic is missing -- read at test time from the
    reference folder, skipped with a reason when it is absent;
(b) no ZV* encoding overlaps another one or anything in encodings.ALL;
(c) the disassembler prints them in LLVM's syntax: our text, assembled by the ziglang
    clang (LLVM's assembler knows every ZV* instruction), gives back the same words.
"""
import itertools
import pathlib
import random
import subprocess
import sys

import pytest
from elftools.elf.elffile import ELFFile

from rvemu.isa import encodings, encodings_vcrypto
from rvemu.isa.disasm import decode, disassemble
from test_isa_tables import _parse_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
# beside the checkout (/work/main -> /work/shared) or beside a worktree (/work/wt/x)
CANDIDATES = [ROOT.parent / "shared" / "reference" / "riscv-opcodes",
              ROOT.parent.parent / "shared" / "reference" / "riscv-opcodes"]

ZV_FILES = ["rv_zvbb", "rv_zvbc", "rv_zvkg", "rv_zvkned", "rv_zvknha", "rv_zvknhb",
            "rv_zvksed", "rv_zvksh", "rv_zvkn", "rv_zvks"]
# The bundle files only import; the instruction belongs to the file it is defined in.
DEFINING = ["rv_zvbb", "rv_zvbc", "rv_zvkg", "rv_zvkned", "rv_zvknha", "rv_zvksed", "rv_zvksh"]
ZVKB = {"vandn.vv", "vandn.vx", "vbrev8.v", "vrev8.v", "vrol.vv", "vrol.vx",
        "vror.vv", "vror.vx", "vror.vi"}

ENTRIES = [(m, *encodings.mask_match(b)[:2], ops, ext) for m, b, ops, ext in encodings_vcrypto.ZVK]


def _reference():
    for c in CANDIDATES:
        if (c / "extensions").is_dir():
            return c / "extensions"
    pytest.skip(f"official riscv-opcodes data not found at {CANDIDATES[0]} or {CANDIDATES[1]}")


def _official():
    ext_dir = _reference()
    missing = [f for f in ZV_FILES if not (ext_dir / f).is_file()]
    if missing:
        pytest.skip(f"riscv-opcodes has no {missing}")
    insns, files = {}, {}
    for name in DEFINING:
        i, _, imports = _parse_file(ext_dir / name)
        assert not imports, name
        insns.update(i)
        files.update(dict.fromkeys(i, name))
    return insns, files


def test_every_entry_matches_the_official_encoding():
    official, _ = _official()
    bad = [f"{m}: ours {mask:#x}/{match:#x}, official {official.get(m)}"
           for m, mask, match, *_ in ENTRIES if official.get(m) != (mask, match)]
    assert not bad, "\n".join(bad)
    missing = set(official) - {m for m, *_ in ENTRIES}
    assert not missing, f"official ZV* mnemonics missing: {sorted(missing)}"
    assert len(ENTRIES) == len(official) == 16 + 4 + 2 + 11 + 3 + 3 + 2


def test_bundle_files_import_what_our_tags_say():
    """rv_zvkn / rv_zvks import exactly the Zvkb subset of Zvbb (plus their own parts), and
    rv_zvknhb exactly the Zvknha instructions."""
    ext_dir = _reference()
    _official()
    for bundle in ("rv_zvkn", "rv_zvks"):
        imported = {m for f, m in _parse_file(ext_dir / bundle)[2] if f == "rv_zvbb"}
        assert imported == ZVKB
    assert {m for _, m in _parse_file(ext_dir / "rv_zvknhb")[2]} == \
        {m for m, *_ in encodings_vcrypto.ZVKNH}


def test_extension_tags():
    _, files = _official()
    for m, _, _, _, ext in ENTRIES:
        alts = {a[0] for a in encodings.extensions_of(ext)}
        want = files[m].split("_", 1)[1]
        assert want in alts, (m, ext, files[m])
        if m in ZVKB:
            assert alts == {"zvbb", "zvkb"}, m
        elif files[m] == "rv_zvknha":
            assert alts == {"zvknha", "zvknhb"}, m
        else:
            assert alts == {want}, m


def test_no_overlaps():
    base = [(m, *encodings.mask_match(b)[:2]) for m, b, *_ in encodings.ALL
            if m not in encodings_vcrypto.NAMES]  # ZVK itself, once it is part of ALL
    ours = [(m, mask, match) for m, mask, match, *_ in ENTRIES]
    pairs = list(itertools.combinations(ours, 2)) + list(itertools.product(ours, base))
    clash = [(a, b) for (a, ma, xa), (b, mb, xb) in pairs if (xa ^ xb) & ma & mb == 0]
    assert not clash


def test_operands_agree_with_the_fixed_bits():
    for m, mask, match, ops, _ in ENTRIES:
        tokens = ops.split(",")
        assert tokens[:2] == ["vd", "vs2"], m
        assert ("vm" in tokens) == (not mask >> 25 & 1), m          # vm bit free iff operand
        free_rs1 = not (mask >> 15) & 0x1F
        assert free_rs1 == any(t in tokens for t in ("vs1", "xs1", "uimm5", "zimm6")), m
        funct3 = match >> 12 & 7
        if "xs1" in tokens:
            assert funct3 in (4, 6), m
        if m.endswith(".vi") and match & 0x7F == 0x57:
            assert funct3 == 3, m
        assert m in encodings_vcrypto.ELEMENT_GROUPS or match & 0x7F == 0x57, m


def test_coarse_row_covers_every_op_ve_entry():
    (op, bits), = encodings_vcrypto.COARSE
    mask, match, _ = encodings.mask_match(bits)
    for m, emask, ematch, *_ in ENTRIES:
        if ematch & 0x7F == 0x77:
            assert ematch & mask == match and emask & mask == mask, m
    assert encodings_vcrypto.NAMES == {m for m, *_ in ENTRIES}


def _random_word(rng, mask, match):
    """Random free fields, with the register groups apart (LLVM's assembler rejects the
    overlaps the spec reserves, assuming LMUL=1: a widening vd is two registers) and v0 not
    the destination of a masked form."""
    while True:
        w = (rng.getrandbits(32) & ~mask) | match
        vd, vs1, vs2 = w >> 7 & 31, w >> 15 & 31, w >> 20 & 31
        masked = not (w >> 25 & 1)
        if abs(vd - vs2) >= 2 and abs(vd - vs1) >= 2 and not (masked and vd < 2):
            return w


def test_decode_restricted_by_isa():
    w = 0xA288A277  # vgmul.vv v4,v8
    assert decode(w)[1] == "vgmul.vv"
    assert disassemble(w) == (4, "vgmul.vv\tv4,v8")
    assert disassemble(w, isa={"i", "zve32x", "zvkg"})[1] == "vgmul.vv\tv4,v8"
    assert disassemble(w, isa={"i", "zve32x", "zvkned"})[1] == ".4byte\t0xa288a277"
    vandn = 0x062180D7   # vandn.vv v1,v2,v3: Zvkb or Zvbb
    assert disassemble(vandn, isa={"i", "zvkb"})[1] == "vandn.vv\tv1,v2,v3"
    assert disassemble(vandn, isa={"i", "zvbb"})[1] == "vandn.vv\tv1,v2,v3"
    assert disassemble(0x4A5522D7, isa={"i", "zvkb"})[1] == ".4byte\t0x4a5522d7"  # vbrev


@pytest.mark.parametrize("word,text", [
    (0x062180D7, "vandn.vv\tv1,v2,v3"),
    (0x042540D7, "vandn.vx\tv1,v2,a0,v0.t"),
    (0x4A552257, "vbrev.v\tv4,v5"),
    (0x562FB0D7, "vror.vi\tv1,v2,63"),
    (0x5022B0D7, "vror.vi\tv1,v2,5,v0.t"),
    (0xD64FB157, "vwsll.vi\tv2,v4,31"),
    (0x3622E0D7, "vclmulh.vx\tv1,v2,t0"),
    (0xA701A477, "vaesef.vs\tv8,v16"),
    (0x8A2520F7, "vaeskf1.vi\tv1,v2,10"),
    (0xB221A0F7, "vghsh.vv\tv1,v2,v3"),
    (0xBE21A0F7, "vsha2cl.vv\tv1,v2,v3"),
    (0xAE2FA0F7, "vsm3c.vi\tv1,v2,31"),
    (0x482720D7, "vcpop.v\tv1,v2,v0.t"),
])
def test_known_words(word, text):
    """Words assembled by LLVM (zig cc) from the text LLVM's assembler documents."""
    assert disassemble(word) == (4, text)


def _zig_available():
    try:
        import ziglang  # noqa: F401
        return True
    except ImportError:
        return False


def test_round_trip_through_the_llvm_assembler(tmp_path):
    """Our text for random fields of every ZV* instruction, assembled by LLVM, gives back the
    word we disassembled (fields our table leaves free all reach the assembler's output)."""
    if not _zig_available():
        pytest.skip("the ziglang wheel (LLVM's assembler) is not installed: pip install ziglang")
    rng = random.Random(6)
    words = []
    for m, mask, match, _, _ in ENTRIES:
        for _ in range(8):
            words.append(_random_word(rng, mask, match))
    lines = []
    for w in words:
        length, text = disassemble(w)
        assert not text.startswith("."), hex(w)
        lines.append(text.replace("\t", " "))
    src = tmp_path / "zv.s"
    src.write_text("".join(f"{line}\n" for line in lines))
    obj = tmp_path / "zv.o"
    feats = "+v+zvbb+zvbc+zvkg+zvkned+zvknhb+zvksed+zvksh"
    p = subprocess.run([sys.executable, "-m", "ziglang", "cc", "--target=riscv64-freestanding-none",
                        f"-mcpu=generic_rv64{feats}", "-c", str(src), "-o", str(obj)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    with open(obj, "rb") as fh:
        data = ELFFile(fh).get_section_by_name(".text").data()
    got = [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]
    bad = [f"{lines[i]}: ours {w:#010x}, llvm {g:#010x}" for i, (w, g) in enumerate(zip(words, got))
           if w != g]
    assert len(got) == len(words) and not bad, "\n".join(bad[:20])
