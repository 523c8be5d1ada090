"""G-stage tables built by the KVM layer (rvemu/kvm/gstage.py) and the MMIO decoder
(rvemu/kvm/mmio_decode.py). The tables are checked by the hart's own two-stage walk, and
the decoder against instructions assembled from the spec's formats (tests/helpers.py)."""
import pytest

from rvemu.kvm.gstage import GStage, GStageError
from rvemu.kvm.mmio_decode import decode_mmio
from helpers import RAM_BASE, cenc, enc, new_machine


def _machine():
    return new_machine(isa="rv64gch", ram="1M")


@pytest.mark.parametrize("mode", ["sv39x4", "sv48x4", "sv57x4"])
def test_mappings_are_what_the_hart_walks(mode):
    m = _machine()
    g = GStage(m, RAM_BASE + 0x40000, 0x10000, mode=mode, vmid=3)
    g.map(0x8000_0000, RAM_BASE + 0x80000, 0x3000)
    g.map(0x1_0000_0000, RAM_BASE + 0x90000, 0x1000, writable=False, executable=False)
    assert g.hgatp >> 60 == {"sv39x4": 8, "sv48x4": 9, "sv57x4": 10}[mode]
    assert (g.hgatp >> 44) & 0x3fff == 3
    for gpa, hpa in [(0x8000_0000, RAM_BASE + 0x80000), (0x8000_2ff8, RAM_BASE + 0x82ff8),
                     (0x1_0000_0010, RAM_BASE + 0x90010)]:
        assert g.lookup(gpa) == hpa
        assert m.hart.guest_translate(gpa, 0, g.hgatp) == hpa   # vsatp Bare: GVA = GPA
    # unmapped, read-only and non-executable pages fault in the hart's walk
    assert m.hart.guest_translate(0x8000_3000, 0, g.hgatp) is None
    assert m.hart.guest_translate(0x1_0000_0000, 0, g.hgatp, write=True) is None
    assert m.hart.guest_translate(0x1_0000_0000, 0, g.hgatp, fetch=True) is None
    assert m.hart.guest_translate(0x8000_0000, 0, g.hgatp, write=True) == RAM_BASE + 0x80000
    g.unmap(0x8000_1000, 0x1000)
    assert m.hart.guest_translate(0x8000_1000, 0, g.hgatp) is None
    assert g.mapped_pages == 3


def test_bad_requests_are_refused():
    m = _machine()
    with pytest.raises(GStageError):
        GStage(m, RAM_BASE + 0x41000, 0x10000)         # root not 16 KiB aligned
    with pytest.raises(GStageError):
        GStage(m, RAM_BASE + 0x40000, 0x10000, mode="sv32x4")
    g = GStage(m, RAM_BASE + 0x40000, 0x6000)   # root + two table pages
    with pytest.raises(GStageError):
        g.map(0x8000_0800, RAM_BASE + 0x80000, 0x1000)  # not page aligned
    with pytest.raises(GStageError):
        g.map(1 << 41, RAM_BASE + 0x80000, 0x1000)      # above Sv39x4's 41 bits
    with pytest.raises(GStageError):
        g.map(0x8000_0000, 0x1000, 0x1000)              # not host RAM
    g.map(0x8000_0000, RAM_BASE + 0x80000, 0x1000)      # uses both table pages...
    with pytest.raises(GStageError):                     # ...so a far GPA needs more
        g.map(0x1_0000_0000, RAM_BASE + 0x80000, 0x1000)


@pytest.mark.parametrize("insn,want", [
    (enc("lb", "a0", "a1", 0), (False, 1, True, 10, 4)),
    (enc("lbu", "a0", "a1", 0), (False, 1, False, 10, 4)),
    (enc("lh", "t0", "a1", 4), (False, 2, True, 5, 4)),
    (enc("lhu", "t0", "a1", 4), (False, 2, False, 5, 4)),
    (enc("lw", "s1", "a1", -4), (False, 4, True, 9, 4)),
    (enc("lwu", "s1", "a1", 8), (False, 4, False, 9, 4)),
    (enc("ld", "a5", "sp", 16), (False, 8, True, 15, 4)),
    (enc("sb", "a2", "a1", 0), (True, 1, False, 12, 4)),
    (enc("sh", "a2", "a1", 0), (True, 2, False, 12, 4)),
    (enc("sw", "t6", "a1", 0), (True, 4, False, 31, 4)),
    (enc("sd", "a3", "a1", 0), (True, 8, False, 13, 4)),
    (cenc("c.lw", "a0", "a1", 4), (False, 4, True, 10, 2)),
    (cenc("c.ld", "s1", "a5", 8), (False, 8, True, 9, 2)),
    (cenc("c.sw", "a2", "a3", 0), (True, 4, False, 12, 2)),
    (cenc("c.sd", "a4", "s0", 16), (True, 8, False, 14, 2)),
    (cenc("c.lwsp", "t1", 4), (False, 4, True, 6, 2)),
    (cenc("c.ldsp", "ra", 8), (False, 8, True, 1, 2)),
    (cenc("c.swsp", "t2", 4), (True, 4, False, 7, 2)),
    (cenc("c.sdsp", "s2", 8), (True, 8, False, 18, 2)),
])
def test_mmio_decode(insn, want):
    d = decode_mmio(insn)
    assert (d.is_write, d.size, d.signed, d.reg, d.length) == want


@pytest.mark.parametrize("insn", [
    enc("add", "a0", "a1", "a2"), enc("flw", 1, "a1", 0), enc("lr.w", "a0", "a1"),
    enc("amoadd.w", "a0", "a2", "a1"), cenc("c.addi", "a0", 1), 0x00000000,
])
def test_other_instructions_are_not_mmio(insn):
    assert decode_mmio(insn) is None
