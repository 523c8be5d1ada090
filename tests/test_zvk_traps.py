"""Each ZV* sub-extension is gated by the hart's ISA (issue 6, "each sub-extension traps when
absent from the ISA"): every instruction of every sub-extension, in a legal setting (vtype,
vl, aligned and non-overlapping register groups), runs when the ISA has it and raises
illegal-instruction (mtval = the word, nothing written, vstart unchanged) when it does not.

Who provides what (zvbb.adoc, zvbc.adoc, zvk.adoc): Zvkb's nine instructions come with Zvkb
or Zvbb (Zvbb implies Zvkb, so "without Zvkb" leaves out both); SHA-2 at SEW 32 needs Zvknha
or Zvknhb, at SEW 64 Zvknhb; Zvkt has no instructions, so leaving it out traps nothing.
The register values are checked elsewhere (test_zvk_exec.py, the guests); here only what
runs and what traps.
"""
import numpy as np
import pytest

from helpers import CODE, ILLEGAL, asm, enc, new_machine, reset
from rvv_asm import vsetivli, vtype
from rvemu.isa import encodings, encodings_vcrypto

ZV = ("zvbb", "zvbc", "zvkb", "zvkg", "zvkned", "zvknha", "zvknhb", "zvksed", "zvksh", "zvkt")
FULL = "rv64gcv_zvbb_zvbc_zvkg_zvkned_zvknhb_zvksed_zvksh_zvkt"
VS_DIRTY = 3 << 9
VD, VS2, VS1, XS1 = 8, 16, 24, 11      # groups of up to 4 registers, apart; a1 for the .vx forms
FILL = ((np.arange(32 * 16) * 37 + 11) & 0xFF).astype(np.uint8)   # no symmetric bytes or words


def _isa_without(ext):
    """The full ZV* ISA minus ``ext`` and what would bring it back by implication."""
    gone = {"zvkb": {"zvkb", "zvbb"}, "zvknha": {"zvknha", "zvknhb"}}.get(ext, {ext})
    return "rv64gcv_" + "_".join(n for n in ZV if n not in gone)


def _cases():
    """(mnemonic, word, sew, the sub-extensions any one of which makes it legal)."""
    out = []
    for m, bits, ops, ext in encodings_vcrypto.ZVK:
        mask, match, _ = encodings.mask_match(bits)
        fields = {"vd": VD << 7, "vs2": VS2 << 20, "vs1": VS1 << 15, "xs1": XS1 << 15,
                  "uimm5": 2 << 15, "zimm6": 3 << 15, "vm": 1 << 25}
        word = match
        for tok in ops.split(","):
            word |= fields[tok] & ~mask
        word |= (1 << 25) & ~mask                   # unmasked where bit 25 is vm
        assert word & mask == match, m
        exts = ext if isinstance(ext, tuple) else (ext,)
        if m.startswith("vsha2"):
            out.append((m + "@e32", word, 32, ("zvknha", "zvknhb")))
            out.append((m + "@e64", word, 64, ("zvknhb",)))
        elif m.startswith("vclmul"):
            out.append((m, word, 64, exts))
        else:
            out.append((m, word, 32, exts))
    return out


CASES = _cases()


def _run_one(m, word, sew):
    """vsetivli (LMUL 2, vl = VLMAX at VLEN 128: 8 x e32 / 4 x e64) then ``word``; returns
    (trapped, mcause, mtval, vstart, vd group bytes)."""
    reset(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | VS_DIRTY)
    m.reg_write("a1", 5)
    vl = 256 // sew
    m.mem_write(CODE, asm(vsetivli(0, vl, vtype(sew, 2)), word,
                          enc("addi", 0, 0, 0)))
    m.hart.v[:] = FILL.reshape(m.hart.v.shape)
    before = m.hart.v[VD:VD + 4].tobytes()
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=2)
    trapped = m.hart.traps != traps
    info = m.hart.trap_info
    return trapped, info[0], info[2], m.reg_read("vstart"), before != m.hart.v[VD:VD + 4].tobytes()


def test_cases_cover_every_instruction_and_sub_extension():
    assert {c[0].partition("@")[0] for c in CASES} == encodings_vcrypto.NAMES
    assert {e for c in CASES for e in c[3]} == set(ZV) - {"zvkt"}


def test_everything_runs_with_the_full_isa():
    m = new_machine(FULL, ram="64K", vlen=128)
    bad = [name for name, word, sew, _ in CASES if _run_one(m, word, sew)[0]]
    assert not bad, f"trapped with every sub-extension present: {bad}"
    # and each wrote its destination (so "nothing written" below means something)
    assert all(_run_one(m, word, sew)[4] for _, word, sew, _ in CASES)


@pytest.mark.parametrize("ext", ZV)
def test_absent_sub_extension_traps(ext):
    isa = _isa_without(ext)
    m = new_machine(isa, ram="64K", vlen=128)
    assert ext not in m.isa.names
    n_trapping = 0
    for name, word, sew, needs in CASES:
        trapped, cause, tval, vstart, changed = _run_one(m, word, sew)
        if any(e in m.isa.names for e in needs):
            assert not trapped, f"{name} trapped on {isa}"
            continue
        n_trapping += 1
        assert trapped, f"{name} ran on {isa}, which lacks {'/'.join(needs)}"
        assert (cause, tval) == (ILLEGAL, word), name
        assert vstart == 0 and not changed, name          # nothing written
    if ext == "zvkt":       # no instructions: its absence changes nothing
        assert n_trapping == 0
    else:
        assert n_trapping >= {"zvknhb": 3, "zvbc": 4, "zvkg": 2}.get(ext, 2), ext
