"""Every vector instruction against Spike (the RISC-V reference simulator) on random
operands, vtypes (SEW, LMUL incl. fractional, ta/ma), vl, vstart, masks, vxrm and frm:
the same ELF runs on both and every register, CSR, trap cause and the load/store memory
must agree (tests/rvv_diff.py builds the programs).

Spike is not part of this repository: the test skips, saying so, when no `spike` is found
(set RVEMU_SPIKE to its path). The default run takes a few cases of each instruction at
VLEN 128; `-m slow` runs many more at VLEN 128, 256 and 1024.
"""
import random
import tempfile

import pytest

import rvv_diff as D
from rvv_asm import OPERANDS
from rvemu.isa.encodings_v import FLOATING, INTEGER, MEMORY, ZVFBFMIN, ZVFBFWMA

ISA = "rv64gcv_zfh_zfbfmin_zvfh_zvfbfmin_zvfbfwma"
ARITH = [m for m, *_ in INTEGER + FLOATING + ZVFBFMIN + ZVFBFWMA]
MEM = [m for m, *_ in MEMORY]
FP = {m for m, *_ in FLOATING + ZVFBFMIN + ZVFBFWMA}

pytestmark = pytest.mark.skipif(D.SPIKE is None, reason="spike not found (set RVEMU_SPIKE)")


def _compare(names, per, vlen, seed, isa=ISA, words=0):
    rng = random.Random(seed)
    cases = [D.random_mem_case(rng, m, OPERANDS[m], vlen) if m in MEM
             else D.random_case(rng, m, OPERANDS[m], vlen, fp=m in FP)
             for m in names for _ in range(per)]
    cases += [D.random_word_case(rng, vlen) for _ in range(words)]
    bad = []
    for start in range(0, len(cases), 1000):
        chunk = cases[start:start + 1000]
        mem = bytes(rng.getrandbits(8) for _ in range(D.MEM_SIZE))
        elf, size, cs = D.build(chunk, vlen, mem_init=mem)
        ours, ours_mem = D.run_rvemu(elf, isa, vlen, size)
        with tempfile.TemporaryDirectory() as tmp:
            spike, spike_mem = D.run_spike(elf, isa, vlen, size, tmp)
        for k, c in enumerate(chunk):
            a, b = D.decode_case(ours, k, cs), D.decode_case(spike, k, cs)
            if a != b:
                bad.append(f"{c['mnemonic']} {c['insn']:#010x} vtype={c['vtype']:#x} avl={c['avl']} "
                           f"vstart={c['vstart']}: differs in {[f for f in a if a[f] != b[f]]}")
        assert ours_mem == spike_mem, "memory written by the stores differs"
    assert not bad, f"{len(bad)} of {len(cases)} cases differ from Spike:\n" + "\n".join(bad[:20])
    return len(cases)


@pytest.mark.parametrize("group", ["integer", "fp", "memory"])
def test_against_spike(group):
    names = {"integer": [m for m in ARITH if m not in FP], "fp": sorted(FP), "memory": MEM}[group]
    seed = {"integer": 1, "fp": 2, "memory": 3}[group]
    assert _compare(names, 3, 128, seed=seed) >= len(names) * 3


@pytest.mark.slow
@pytest.mark.parametrize("vlen", [128, 256, 1024])
def test_against_spike_many(vlen):
    _compare(ARITH + MEM, 30, vlen, seed=vlen)


@pytest.mark.parametrize("isa,vlen", [("rv64gc_zve32x", 32), ("rv64gc_zve32f", 128),
                                      ("rv64gc_zve64x", 64), ("rv64gc_zve64d_zfhmin_zvfhmin", 128),
                                      ("rv64gc_zve64f_zfbfmin_zvfbfmin", 256)])
def test_subsets_against_spike(isa, vlen):
    """The Zve* subsets: ELEN 32 (no SEW 64), no FP or FP32 only, Zvfhmin's two
    conversions, Zvfbfmin without Zvfh; every vector instruction must agree (mostly on
    being illegal) with Spike configured the same way."""
    _compare(ARITH + MEM, 2, vlen, seed=vlen + len(isa), isa=isa)


@pytest.mark.parametrize("vlen", [128, 512])
def test_random_words_against_spike(vlen):
    """Random vector words, reserved encodings included (funct6/funct3/width/lumop/nf/mew
    values no instruction uses, bad register groups...): same trap or same result."""
    _compare([], 0, vlen, seed=vlen + 7, words=400)


@pytest.mark.slow
def test_random_words_against_spike_many():
    _compare([], 0, 256, seed=99, words=6000)
