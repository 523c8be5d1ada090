"""--trace of the ZV* instructions, in Spike's --log-commits format: OP-VE words (vaes*,
vsha2*, vsm3*, vsm4*, vg*) log the vector registers they write like any vector instruction
(``e<SEW> m<LMUL> l<vl> vN 0x...`` then the vstart reset); Zvbb/Zvbc are OP-V."""
import os
import re
import shutil
import subprocess

import pytest

from helpers import asm, enc, li, make_elf
from rvv_asm import venc, vsetivli, vtype
from rvemu import Machine
from rvemu.trace import Tracer, is_vector
from test_zvk_guests import GUESTS, ISA

BASE = 0x8000_0000
TOHOST = BASE + 0x1000
VAESZ_VS = 0xA6000077 | 1 << 25 | 7 << 15 | 2 << 12 | 2 << 20 | 1 << 7   # vaesz.vs v1, v2


def _lines(path):
    return [line.split(")", 1)[1].strip() for line in path.read_text().splitlines()]


def test_op_ve_is_a_vector_word():
    assert is_vector(VAESZ_VS) and is_vector(0x8A10A177)


def test_vaesz_trace_line(tmp_path):
    code = li(5, 0x600) + [enc("csrrs", 0, 0x300, 5), vsetivli(10, 4, vtype(32, 1, 1, 1)),
                           venc("vmv.v.i", 1, 0, 3), venc("vmv.v.i", 2, 0, 5), VAESZ_VS]
    code += li(10, 1) + li(6, TOHOST) + [enc("sd", 10, 6, 0), enc("jal", 0, 0)]
    elf = make_elf([(BASE, asm(*code), None), (TOHOST, bytes(16), None)], BASE,
                   symbols={"tohost": TOHOST, "fromhost": TOHOST + 8})
    m = Machine(isa="rv64gcv_zvkned", ram="64K", vlen=128)
    m.load_elf(elf)
    out = tmp_path / "trace.txt"
    with Tracer(m, str(out)) as t:
        t.run(max_insns=20)
    k = len(li(5, 0x600)) + 4
    assert _lines(out)[k] == ("e32 m1 l4 v1  0x00000006000000060000000600000006 "
                              "c8_vstart 0x0000000000000000")      # 3 ^ 5 in each word


def _spike():
    for cand in (os.environ.get("RVEMU_SPIKE"), shutil.which("spike"),
                 "/work/ext/spike-install/bin/spike"):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.skip("no Spike binary (set RVEMU_SPIKE or put spike on PATH)")


_LINE = re.compile(r"0x([0-9a-f]{16}) \(0x([0-9a-f]{8})\)(.*)")


def _op_ve(text):
    """(pc, word, "e<SEW> m<LMUL> l<vl>", sorted items) of each OP-VE line. The items are
    compared as a set: for LMUL > 1 Spike prints c8_vstart after the first register
    (its commit log is a hash map), we after the last."""
    out = []
    for line in text.splitlines():
        mt = _LINE.search(line)
        if mt and int(mt.group(2), 16) & 0x7F == 0x77:
            toks = mt.group(3).split()
            items = sorted(zip(toks[3::2], toks[4::2]))
            out.append((int(mt.group(1), 16), mt.group(2), " ".join(toks[:3]), items))
    return out


@pytest.mark.parametrize("name", [pytest.param("aes", marks=pytest.mark.slow), "sm3", "sm4",
                                  "ghash"])
def test_op_ve_trace_equals_spikes(name, tmp_path):
    """Every OP-VE line of the guest's trace carries what Spike's commit log carries."""
    spike = subprocess.run([_spike(), "--log-commits", f"--isa={ISA}", str(GUESTS / f"{name}.elf")],
                           capture_output=True, text=True, timeout=120)
    want = _op_ve(spike.stderr)
    m = Machine(isa=ISA, ram="64M", vlen=128)
    m.load_elf(GUESTS / f"{name}.elf")
    out = tmp_path / "trace.txt"
    with Tracer(m, str(out)) as t:
        t.run(max_insns=5_000_000)
    got = _op_ve(out.read_text())
    assert len(want) > 10
    assert got == want
