"""H-extension CSR rules (privileged spec, "Hypervisor Extension"; facts in
../shared/reference/spec-facts.md section 2), checked through the embedding API, plus the
V bit as a register. The end-to-end behaviour is in guests/src/hyp.c and the world-switch
tests."""
import pytest

from rvemu.errors import RegisterError
from helpers import new_machine

ALL = (1 << 64) - 1


@pytest.fixture
def m():
    return new_machine(isa="rv64gch_sstc", ram="64K")


def test_read_only_and_writable_bits(m):
    m.reg_write("hedeleg", ALL)
    # 9-11 (ecalls from HS/VS/M), 16, 20-23 read-only zero; 0-8, 12, 13, 15 writable
    assert m.reg_read("hedeleg") == 0xB1FF
    m.reg_write("hideleg", ALL)
    assert m.reg_read("hideleg") == 0x444          # only VSSI, VSTI, VSEI
    m.reg_write("mideleg", 0)
    assert m.reg_read("mideleg") & 0x444 == 0x444  # read-only one with H
    m.reg_write("hstatus", ALL)
    hs = m.reg_read("hstatus")
    assert (hs >> 32) & 3 == 2                     # VSXL = 64, read-only
    assert hs & (0x3f << 12) == 0                  # VGEIN: GEILEN = 0
    assert hs & (1 << 5) == 0                      # VSBE: little-endian only
    for bit in (6, 7, 8, 9, 20, 21, 22):
        assert hs >> bit & 1
    m.reg_write("hgeie", ALL)
    assert m.reg_read("hgeie") == 0 and m.reg_read("hgeip") == 0
    m.reg_write("medeleg", ALL)
    assert m.reg_read("medeleg") >> 20 & 0xf == 0xf   # guest-page faults, virtual insn
    assert not m.reg_read("medeleg") >> 11 & 1


def test_hgatp_is_warl(m):
    m.reg_write("hgatp", (8 << 60) | (0x3fff << 44) | 0x12347)
    v = m.reg_read("hgatp")
    assert v >> 60 == 8 and (v >> 44) & 0x3fff == 0x3fff   # VMIDLEN = 14
    assert v & 0xfffffffffff == 0x12344                     # 16 KiB-aligned root
    m.reg_write("hgatp", (5 << 60) | 0x100)                 # reserved MODE: keeps Sv39x4
    assert m.reg_read("hgatp") >> 60 == 8
    m.reg_write("vsatp", 8 << 60 | 7)
    m.reg_write("vsatp", 3 << 60 | 9)                       # unsupported: ignored
    assert m.reg_read("vsatp") == 8 << 60 | 7


def test_interrupt_aliases(m):
    m.reg_write("hideleg", 0x444)
    m.reg_write("hvip", 0x444)
    assert m.reg_read("hip") & 0x444 == 0x444
    assert m.reg_read("mip") & 0x444 == 0x444
    assert m.reg_read("vsip") == 0x222            # the VS view, shifted down by one
    assert m.reg_read("sip") & 0x444 == 0         # not visible at the HS level
    m.reg_write("hip", 0)                         # only VSSIP is writable through hip
    assert m.reg_read("hvip") == 0x440
    m.reg_write("vsie", 0x222)
    assert m.reg_read("hie") == 0x444 and m.reg_read("mie") & 0x444 == 0x444
    m.reg_write("hideleg", 0x400)                 # vsie/vsip only show delegated bits
    assert m.reg_read("vsie") == 0x200


def test_henvcfg_follows_menvcfg(m):
    m.reg_write("henvcfg", ALL)
    assert m.reg_read("henvcfg") >> 63 == 0       # STCE is zero while menvcfg.STCE is
    m.reg_write("menvcfg", 1 << 63)
    assert m.reg_read("henvcfg") >> 63 == 1


def test_virt_register(m):
    assert m.reg_read("virt") == 0
    m.reg_write("priv", 1)
    m.reg_write("virt", 1)
    assert m.reg_read("virt") == 1
    plain = new_machine(isa="rv64gc", ram="64K")
    with pytest.raises(RegisterError):
        plain.reg_write("virt", 1)
    with pytest.raises(RegisterError):
        plain.reg_read("hstatus")
