"""--trace for vector instructions in Spike's --log-commits format: vset* log vstart, rd,
vl and vtype (c8_vstart, c3104_vl, c3105_vtype); other vector instructions log each
vector register they write as one hex number, prefixed with SEW, LMUL and vl, then the
vstart reset. The expected lines are what Spike 1.1.1 prints for the same program."""
from helpers import asm, enc, li, make_elf
from rvv_asm import venc, vsetivli, vtype
from rvemu import Machine
from rvemu.trace import Tracer

BASE = 0x8000_0000
TOHOST = BASE + 0x1000


def test_vector_trace_lines(tmp_path):
    code = li(5, 0x600) + [enc("csrrs", 0, 0x300, 5),
                           vsetivli(10, 4, vtype(32, 1, 1, 1)),
                           venc("vmv.v.i", 1, 0, 3),
                           venc("vadd.vv", 2, 1, 1),
                           venc("vwadd.vv", 4, 1, 2),
                           venc("vmseq.vi", 0, 1, 3)]
    code += li(10, 1) + li(6, TOHOST) + [enc("sd", 10, 6, 0), enc("jal", 0, 0)]
    elf = make_elf([(BASE, asm(*code), None), (TOHOST, bytes(16), None)], BASE,
                   symbols={"tohost": TOHOST, "fromhost": TOHOST + 8})
    m = Machine(isa="rv64gcv", ram="64K", vlen=128)
    m.load_elf(elf)
    out = tmp_path / "trace.txt"
    with Tracer(m, str(out)) as t:
        t.run(max_insns=20)
    lines = [line.split(")", 1)[1].strip() for line in out.read_text().splitlines()]
    assert lines[2] == ("c8_vstart 0x0000000000000000 x10 0x0000000000000004 "
                        "c3104_vl 0x0000000000000004 c3105_vtype 0x00000000000000d0")
    assert lines[3] == "e32 m1 l4 v1  0x00000003000000030000000300000003 c8_vstart 0x0000000000000000"
    assert lines[4] == "e32 m1 l4 v2  0x00000006000000060000000600000006 c8_vstart 0x0000000000000000"
    assert lines[5] == ("e32 m1 l4 v4  0x00000000000000090000000000000009 "
                        "v5  0x00000000000000090000000000000009 c8_vstart 0x0000000000000000")
    assert lines[6] == "e32 m1 l4 v0  0x0000000000000000000000000000000f c8_vstart 0x0000000000000000"


def test_vector_load_store_trace_lists_every_element_access(tmp_path):
    data = BASE + 0x800
    code = li(5, 0x600) + [enc("csrrs", 0, 0x300, 5), vsetivli(10, 4, vtype(32, 1, 1, 1))]
    code += li(11, data) + [venc("vle32.v", 1, 0, 11), venc("vse32.v", 1, 0, 11)]
    code += li(10, 1) + li(6, TOHOST) + [enc("sd", 10, 6, 0), enc("jal", 0, 0)]
    words = b"".join(v.to_bytes(4, "little") for v in (1, 2, 3, 4))
    elf = make_elf([(BASE, asm(*code), None), (data, words, None), (TOHOST, bytes(16), None)],
                   BASE, symbols={"tohost": TOHOST, "fromhost": TOHOST + 8})
    m = Machine(isa="rv64gcv", ram="64K", vlen=128)
    m.load_elf(elf)
    out = tmp_path / "trace.txt"
    with Tracer(m, str(out)) as t:
        t.run(max_insns=20)
    lines = [line.split(")", 1)[1].strip() for line in out.read_text().splitlines()]
    k = len(li(5, 0x600)) + 2 + len(li(11, data))
    a = [f"0x{data + 4 * i:016x}" for i in range(4)]
    assert lines[k] == ("e32 m1 l4 v1  0x00000004000000030000000200000001 "
                        "c8_vstart 0x0000000000000000 " + " ".join(f"mem {x}" for x in a))
    assert lines[k + 1] == ("e32 m1 l4 c8_vstart 0x0000000000000000 " +
                            " ".join(f"mem {x} 0x{i + 1:08x}" for i, x in enumerate(a)))
