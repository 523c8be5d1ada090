"""Vector state and its rules (unpriv "V", priv "Vector Extension Context Status"):
mstatus.VS (Off traps; Initial -> Dirty; SD), the vector CSRs, vlenb at every VLEN,
vsetvl's vl rules and vill, the register file existing only with a vector extension,
the Zve* subsets, and vstart-restartable traps in the middle of a load/store (access
faults, MMIO served by Python one element at a time, fault-only-first, misaligned)."""
import pytest

from helpers import CODE, DATA, ILLEGAL, LOAD_ACCESS, MISALIGNED_LOAD, asm, enc, li, new_machine, reset
from rvv_asm import venc, vsetivli, vsetvl, vsetvli, vtype
from rvemu.errors import ConfigError

VS_SHIFT = 9
SD = 1 << 63
A0, A1, A2, T0 = 10, 11, 12, 5


def vmachine(isa="rv64gcv", vlen=128, **kw):
    m = new_machine(isa, ram="64K", vlen=vlen, **kw)
    reset(m)
    return m


def run(m, code, vs=1, regs=None):
    m.reg_write("mstatus", (m.reg_read("mstatus") & ~(3 << VS_SHIFT)) | (vs << VS_SHIFT))
    for k, v in (regs or {}).items():
        m.reg_write(k, v)
    m.mem_write(CODE, asm(*code))
    m.reg_write("pc", CODE)
    traps = m.hart.traps
    m.run(max_insns=len(code))
    return m.hart.traps - traps


def csrr(rd, csr):
    return enc("csrrs", rd, csr, 0)


# ---- mstatus.VS --------------------------------------------------------------------

def test_vs_off_traps_every_vector_instruction_and_csr():
    m = vmachine()
    for word in (vsetvli(A0, 0, vtype(32, 1)), venc("vadd.vv", 1, 2, 3), csrr(A0, 0xC22),
                 csrr(A0, 0x008), venc("vle8.v", 1, 0, A1)):
        reset(m)
        assert run(m, [word], vs=0) == 1
        assert m.hart.trap_info[0] == ILLEGAL and m.hart.trap_info[2] == word


def test_vs_initial_becomes_dirty_and_sets_sd():
    m = vmachine()
    assert run(m, [vsetvli(A0, 0, vtype(32, 1))], vs=1) == 0
    st = m.reg_read("mstatus")
    assert (st >> VS_SHIFT) & 3 == 3 and st & SD
    assert (m.reg_read("sstatus") >> VS_SHIFT) & 3 == 3 and m.reg_read("sstatus") & SD


def test_vs_clean_and_csr_reads():
    m = vmachine()
    assert run(m, [csrr(A0, 0xC22)], vs=2) == 0          # a read does not dirty the state
    assert (m.reg_read("mstatus") >> VS_SHIFT) & 3 == 2
    assert m.reg_read("a0") == 16
    assert run(m, [enc("csrrwi", 0, 0x00A, 3)], vs=2) == 0   # vxrm write dirties
    assert (m.reg_read("mstatus") >> VS_SHIFT) & 3 == 3


def test_sstatus_vs_is_writable_with_v():
    m = vmachine()
    m.reg_write("sstatus", 2 << VS_SHIFT)
    assert (m.reg_read("mstatus") >> VS_SHIFT) & 3 == 2


def test_without_v_vs_is_read_only_zero_and_vector_is_illegal():
    m = new_machine("rv64gc", ram="64K")
    reset(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | (3 << VS_SHIFT))
    assert (m.reg_read("mstatus") >> VS_SHIFT) & 3 == 0
    assert m.hart.v is None and m.hart.vlenb == 0
    for word in (vsetvli(A0, 0, vtype(8, 1)), csrr(A0, 0xC20)):
        m.mem_write(CODE, asm(word))
        m.reg_write("pc", CODE)
        traps = m.hart.traps
        m.run(max_insns=1)
        assert m.hart.traps == traps + 1 and m.hart.trap_info[0] == ILLEGAL


@pytest.mark.parametrize("isa,vlen", [("rv64gcv", 128), ("rv64gcv", 256), ("rv64gcv", 1024),
                                      ("rv64gcv", 4096), ("rv64gc_zve64d", 64), ("rv64gc_zve32x", 32),
                                      ("rv64gcv_zvl512b", None)])
def test_vlenb(isa, vlen):
    m = vmachine(isa, vlen)
    assert run(m, [csrr(A0, 0xC22)]) == 0
    want = (vlen or 512) // 8
    assert m.reg_read("a0") == want == m.hart.vlenb == m.reg_read("vlenb")
    assert m.hart.v.shape == (32, want)


def test_reset_state():
    m = vmachine()
    assert m.reg_read("vtype") == 1 << 63 and m.reg_read("vl") == 0 and m.reg_read("vstart") == 0


def test_bad_vlen_is_a_config_error():
    for kw, msg in ((dict(isa="rv64gcv", vlen=100), "power of two"),
                    (dict(isa="rv64gc", vlen=128), "vector extension"),
                    (dict(isa="rv64gcv", vlen=64), "Zvl128b")):
        with pytest.raises(ConfigError, match=msg):
            new_machine(ram="64K", **kw)


# ---- vsetvl ------------------------------------------------------------------------

def test_vsetvl_vl_rules():
    m = vmachine(vlen=128)
    vt = vtype(32, 2, 1, 1)                               # VLMAX = 8
    code = [vsetvli(A0, A1, vt)]
    for avl, want in ((5, 5), (8, 8), (9, 8), (17, 8), (0, 0)):
        reset(m)
        run(m, code, regs={"a1": avl})
        assert m.reg_read("a0") == want == m.reg_read("vl")
        assert m.reg_read("vtype") == vt
    reset(m)
    run(m, [vsetvli(A0, 0, vt)])                           # rs1 = x0, rd != x0: VLMAX
    assert m.reg_read("a0") == 8
    reset(m)
    run(m, [vsetivli(A0, 3, vt), vsetvli(0, 0, vtype(16, 1))])   # same VLMAX (8): keep vl
    assert m.reg_read("vl") == 3 and m.reg_read("vtype") == vtype(16, 1)
    reset(m)
    run(m, [vsetivli(A0, 3, vt), vsetvli(0, 0, vtype(8, 1))])    # VLMAX changes: vill (Spike)
    assert m.reg_read("vtype") == 1 << 63 and m.reg_read("vl") == 0


@pytest.mark.parametrize("bad", [vtype(8, 1) | 1 << 8, 4, 0b100_000, vtype(64, 0.5), vtype(32, 0.25)])
def test_vsetvl_unsupported_vtype_sets_vill(bad):
    m = vmachine()
    run(m, [vsetvl(A0, A1, A2), venc("vadd.vv", 1, 2, 3)], regs={"a1": 4, "a2": bad})
    assert m.reg_read("vtype") == 1 << 63 and m.reg_read("vl") == 0 and m.reg_read("a0") == 0
    assert m.hart.trap_info[0] == ILLEGAL     # the vadd depends on vtype: illegal


def test_zve32x_has_elen_32_and_no_fp():
    m = vmachine("rv64gc_zve32x", 128)
    run(m, [vsetvli(A0, 0, vtype(64, 1))])
    assert m.reg_read("vtype") == 1 << 63
    run(m, [vsetvli(A0, 0, vtype(32, 1)), venc("vfadd.vv", 1, 2, 3)])
    assert m.reg_read("a0") == 4 and m.hart.trap_info[0] == ILLEGAL


def test_zve64x_no_vmulh_at_sew64():
    m = vmachine("rv64gc_zve64x", 128)
    traps = run(m, [vsetvli(A0, 0, vtype(64, 1)), venc("vmulh.vv", 1, 2, 3)])
    assert traps == 1 and m.hart.trap_info[0] == ILLEGAL
    traps = run(m, [vsetvli(A0, 0, vtype(32, 1)), venc("vmulh.vv", 1, 2, 3)])
    assert traps == 0


# ---- traps in the middle of loads and stores -----------------------------------------

def test_access_fault_mid_load_sets_vstart_and_restart_finishes():
    m = new_machine("rv64gcv", ram="64K", vlen=256)       # RAM ends at 0x8001_0000
    reset(m)
    end = 0x8001_0000
    code = [vsetvli(A0, 0, vtype(8, 1)), venc("vle8.v", 4, 0, A1)]   # 32 elements
    m.mem_write(end - 10, bytes(range(1, 11)))
    traps = run(m, code, regs={"a1": end - 10})
    assert traps == 1
    mcause, mepc, mtval = m.hart.trap_info[:3]
    assert (mcause, mepc, mtval) == (LOAD_ACCESS, CODE + 4, end)
    assert m.reg_read("vstart") == 10                      # elements 0..9 are done
    assert m.reg_read("v4")[:10] == bytes(range(1, 11))


def test_mmio_vector_load_and_store_one_element_at_a_time():
    class Dev:
        def __init__(self):
            self.mem = bytearray(range(64))
            self.reads = 0

        def read(self, off, size):
            self.reads += 1
            return int.from_bytes(self.mem[off:off + size], "little")

        def write(self, off, size, value):
            self.mem[off:off + size] = value.to_bytes(size, "little")

    m = new_machine("rv64gcv", ram="64K", vlen=128)
    dev = Dev()
    m.add_device(0x4000_0000, 0x100, dev)
    reset(m)
    m.reg_write("mstatus", m.reg_read("mstatus") | (1 << VS_SHIFT))
    code = [vsetvli(A0, 0, vtype(16, 1)), venc("vle16.v", 2, 0, A1), venc("vadd.vi", 2, 2, 1),
            venc("vse16.v", 2, 0, A2), enc("ebreak")]
    m.mem_write(CODE, asm(*code))
    m.reg_write("a1", 0x4000_0000)
    m.reg_write("a2", 0x4000_0010)
    m.reg_write("pc", CODE)
    m.run(max_insns=4)
    assert dev.reads == 8
    want = b"".join(((int.from_bytes(bytes([2 * i, 2 * i + 1]), "little") + 1) & 0xFFFF)
                    .to_bytes(2, "little") for i in range(8))
    assert bytes(dev.mem[16:32]) == want
    assert m.reg_read("vstart") == 0


def test_fault_only_first_trims_vl():
    m = new_machine("rv64gcv", ram="64K", vlen=256)
    reset(m)
    end = 0x8001_0000
    run(m, [vsetvli(A0, 0, vtype(8, 1)), venc("vle8ff.v", 4, 0, A1)], regs={"a1": end - 7})
    assert m.reg_read("vl") == 7 and m.hart.traps == 0
    reset(m)
    traps = run(m, [vsetvli(A0, 0, vtype(8, 1)), venc("vle8ff.v", 4, 0, A1)], regs={"a1": end})
    assert traps == 1 and m.hart.trap_info[0] == LOAD_ACCESS   # element 0 traps


def test_misaligned_vector_load_traps_or_runs_in_hardware():
    m = vmachine()
    m.mem_write(DATA, bytes(range(64)))
    code = [vsetvli(A0, 0, vtype(32, 1)), venc("vle32.v", 1, 0, A1)]
    assert run(m, code, regs={"a1": DATA + 2}) == 1
    assert m.hart.trap_info[0] == MISALIGNED_LOAD and m.hart.trap_info[2] == DATA + 2
    assert m.reg_read("vstart") == 0
    m = vmachine(misaligned="hw")
    m.mem_write(DATA, bytes(range(64)))
    assert run(m, code, regs={"a1": DATA + 2}) == 0
    assert m.reg_read("v1") == bytes(range(2, 18))


def test_vector_register_names():
    m = vmachine(vlen=128)
    m.reg_write("v7", 0x0102)
    assert m.reg_read("v7") == b"\x02\x01" + bytes(14)
    m.reg_write("v7", bytes(range(16)))
    assert m.reg_read("v7") == bytes(range(16))


# ---- through Sv39 page tables ----------------------------------------------------------

LOAD_PAGE_FAULT, STORE_PAGE_FAULT = 13, 15


def _sv39(m, root, l1, l0, data):
    """Sv39: VA 0x8000_0000 identity (a 1 GiB leaf), VA 0x4000_0000 -> data (one 4 KiB
    page); VA 0x4000_1000 unmapped."""
    def pte(pa, flags):
        return ((pa >> 12) << 10) | flags
    m.mem_write(root + 2 * 8, pte(0x8000_0000, 0xCF).to_bytes(8, "little"))
    m.mem_write(root + 1 * 8, pte(l1, 0x01).to_bytes(8, "little"))
    m.mem_write(l1, pte(l0, 0x01).to_bytes(8, "little"))
    m.mem_write(l0, pte(data, 0xC7).to_bytes(8, "little"))
    m.mem_write(l0 + 8, bytes(8))
    m.reg_write("satp", (8 << 60) | (root >> 12))
    m.reg_write("pmpaddr0", (1 << 54) - 1)     # PMP entry 0: everything, RWX (NAPOT)
    m.reg_write("pmpcfg0", 0x1F)
    return lambda: m.mem_write(l0 + 8, pte(data + 0x1000, 0xC7).to_bytes(8, "little"))


@pytest.mark.parametrize("store", [False, True])
def test_page_fault_mid_access_under_sv39_and_restart(store):
    m = new_machine("rv64gcv", ram="1M", vlen=256)
    reset(m, priv=1)
    base = 0x8008_0000
    root, l1, l0, data = base, base + 0x1000, base + 0x2000, base + 0x4000
    map_second = _sv39(m, root, l1, l0, data)
    m.reg_write("mstatus", m.reg_read("mstatus") | (1 << VS_SHIFT))
    m.mem_write(data, bytes(range(256)) * 32)
    va = 0x4000_0FF0
    word = venc("vse8.v" if store else "vle8.v", 4, 0, A1)
    code = [vsetvli(A0, 0, vtype(8, 1)), word]                   # 32 bytes, 16 on each page
    m.mem_write(CODE, asm(*code))
    m.reg_write("v4", bytes(range(100, 132)))
    m.reg_write("a1", va)
    m.reg_write("pc", CODE)
    m.run(max_insns=2)
    mcause, mepc, mtval = m.hart.trap_info[:3]
    assert (mcause, mepc, mtval) == (STORE_PAGE_FAULT if store else LOAD_PAGE_FAULT, CODE + 4,
                                     0x4000_1000)
    assert m.reg_read("vstart") == 16
    if store:
        assert m.mem_read(data + 0xFF0, 16) == bytes(range(100, 116))
    else:
        assert m.reg_read("v4")[:16] == bytes(range(0xF0, 0x100))
    # the handler maps the page and returns: the load/store resumes at element 16
    map_second()
    m.hart.flush_decode_cache()
    m.hart.priv = 1
    m.reg_write("pc", mepc)
    m.run(max_insns=1)
    assert m.reg_read("vstart") == 0 and m.reg_read("pc") == CODE + 8
    if store:
        assert m.mem_read(data + 0x1000, 16) == bytes(range(116, 132))
    else:
        assert m.reg_read("v4") == bytes(range(0xF0, 0x100)) + bytes(range(16))


def test_extension_mask_fits_and_bundles_take_no_bit():
    from rvemu.isa.extensions import EXT_BIT, EXTENSIONS, ZVL
    assert len(EXT_BIT) <= 64
    assert all(name not in EXT_BIT for name in ZVL)
    assert {e.name for e in EXTENSIONS if not e.bundle} == set(EXT_BIT)


def test_host_vector_state_round_trip():
    m = vmachine(vlen=256)
    run(m, [vsetvli(A0, A1, vtype(16, 2, 1, 0)), enc("csrrwi", 0, 0x00A, 2)], regs={"a1": 20})
    st = m.hart.vector_state()
    assert st == dict(vl=20, vtype=vtype(16, 2, 1, 0), vstart=0, vxrm=2, vxsat=0, vlenb=32)
    m2 = vmachine(vlen=256)
    m2.hart.set_vector_state(**{k: v for k, v in st.items() if k != "vlenb"})
    assert m2.hart.vector_state() == st
    with pytest.raises(ValueError, match="VLMAX"):
        m2.hart.set_vector_state(vl=33)
    m2.hart.set_vector_state(vtype=4)                       # reserved LMUL: vill
    assert m2.reg_read("vtype") == 1 << 63 and m2.reg_read("vl") == 0
    assert new_machine("rv64gc", ram="64K").hart.vector_state() is None


def test_set_vlen_at_run_time():
    m = vmachine(vlen=256)
    m.hart.set_vlen(128)
    assert m.hart.vlenb == 16 and m.hart.v.shape == (32, 16)
    assert run(m, [csrr(A0, 0xC22), vsetvli(A1, 0, vtype(8, 1))]) == 0
    assert (m.reg_read("a0"), m.reg_read("a1")) == (16, 16)
    with pytest.raises(ValueError, match="power of two"):
        m.hart.set_vlen(96)
    with pytest.raises(ValueError, match="no vector unit"):
        new_machine("rv64gc", ram="64K").hart.set_vlen(128)
