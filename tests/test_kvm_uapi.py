"""Register ids, ISA_EXT/SBI_EXT ids and names against Linux's uapi (fact sheet sections 1-3)."""
import pytest

from rvemu.kvm import uapi as U
from rvemu.kvm.exits import (KVM_EXIT_MMIO, KVM_EXIT_RISCV_CSR, KVM_EXIT_RISCV_SBI,
                             KVM_EXIT_SYSTEM_EVENT, MmioExit, RiscvSbiExit)

# (id built with our helpers, the value the fact sheet gives)
EXAMPLES = [
    (U.config_reg("isa"), 0x8030000001000000),
    (U.config_reg("satp_mode"), 0x8030000001000006),
    (U.config_reg("zicbop_block_size"), 0x8030000001000007),
    (U.core_reg("pc"), 0x8030000002000000),
    (U.core_reg("mode"), 0x8030000002000020),
    (U.csr_reg("sstatus"), 0x8030000003000000),
    (U.csr_reg("senvcfg"), 0x803000000300000A),
    (U.csr_reg("siselect"), 0x8030000003010000),
    (U.csr_reg("sstateen0"), 0x8030000003020000),
    (U.timer_reg("state"), 0x8030000004000003),
    (U.fp_f_reg("f[0]"), 0x8020000005000000),
    (U.fp_f_reg("fcsr"), 0x8020000005000020),
    (U.fp_d_reg("f[31]"), 0x803000000600001F),
    (U.fp_d_reg("fcsr"), 0x8020000006000020),
    (U.isa_ext_reg("V"), 0x803000000700000F),
    (U.isa_ext_reg(1, U.KVM_REG_RISCV_ISA_MULTI_EN), 0x8030000007010001),
    (U.isa_ext_reg(0, U.KVM_REG_RISCV_ISA_MULTI_DIS), 0x8030000007020000),
    (U.sbi_ext_reg("PMU"), 0x8030000008000006),
    (U.vector_reg("vlenb"), 0x8030000009000004),
    (U.vector_reg(0, vlenb=16), 0x8040000009000006),
    (U.vector_reg(31, vlenb=32), 0x8050000009000025),
    (U.sbi_sta_reg("shmem_hi"), 0x803000000A000001),
    (U.reg_id(U.KVM_REG_RISCV_SBI_STATE, U.KVM_REG_RISCV_SBI_FWFT_REG("pointer_masking.value"),
              subtype=U.KVM_REG_RISCV_SBI_FWFT), 0x803000000A010005),
]


@pytest.mark.parametrize("ours,linux", EXAMPLES, ids=[hex(b) for _, b in EXAMPLES])
def test_example_ids(ours, linux):
    assert ours == linux


def test_linux_macros():
    # an id built the way C code builds it
    a0 = U.KVM_REG_RISCV | U.KVM_REG_SIZE_U64 | U.KVM_REG_RISCV_CORE | U.KVM_REG_RISCV_CORE_REG("regs.a0")
    assert a0 == U.core_reg("a0") == 0x803000000200000A
    assert U.KVM_REG_RISCV_VECTOR_REG(0) == 6 and U.KVM_REG_RISCV_VECTOR_CSR_REG("vlenb") == 4
    assert U.KVM_REG_SIZE(U.vector_reg(3, vlenb=64)) == 64
    assert U.KVM_REG_RISCV_ISA_MULTI_REG(U.KVM_RISCV_ISA_EXT_ZVFBFWMA) == 1
    assert U.KVM_REG_RISCV_ISA_MULTI_MASK(U.KVM_RISCV_ISA_EXT_ZVFBFWMA) == 1 << 10


def test_isa_ext_enum():
    # the uapi enum: spot checks across the whole table, and MAX
    assert (U.KVM_RISCV_ISA_EXT_A, U.KVM_RISCV_ISA_EXT_H, U.KVM_RISCV_ISA_EXT_V) == (0, 4, 15)
    assert (U.KVM_RISCV_ISA_EXT_SMSTATEEN, U.KVM_RISCV_ISA_EXT_ZVBB, U.KVM_RISCV_ISA_EXT_ZFH) == (23, 36, 46)
    assert (U.KVM_RISCV_ISA_EXT_SSCOFPMF, U.KVM_RISCV_ISA_EXT_ZCA, U.KVM_RISCV_ISA_EXT_SVADE) == (54, 56, 64)
    assert (U.KVM_RISCV_ISA_EXT_ZALRSC, U.KVM_RISCV_ISA_EXT_ZFBFMIN, U.KVM_RISCV_ISA_EXT_ZALASR) == (70, 72, 77)
    assert U.KVM_RISCV_ISA_EXT_MAX == 78 and U.KVM_REG_RISCV_ISA_MULTI_REG_LAST == 1
    assert len(set(U.ISA_EXT_NAMES)) == 78


def test_sbi_ext_enum():
    assert [U.SBI_EXT_ID[n] for n in ("V01", "PMU", "DBCN", "STA", "SUSP", "FWFT", "MPXY")] == \
        [0, 6, 9, 10, 11, 12, 13]
    assert U.KVM_RISCV_SBI_EXT_MAX == 14 and U.KVM_REG_RISCV_SBI_MULTI_REG_LAST == 0


def test_reg_name_selftest_spelling():
    assert U.reg_name(U.core_reg("pc")) == \
        "KVM_REG_RISCV | KVM_REG_SIZE_ULONG | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.pc)"
    assert U.reg_name(U.fp_d_reg("fcsr")) == \
        "KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_D | KVM_REG_RISCV_FP_D_REG(fcsr)"
    assert U.reg_name(U.isa_ext_reg("ZFH")).endswith("KVM_REG_RISCV_ISA_SINGLE | KVM_RISCV_ISA_EXT_ZFH")
    assert "KVM_REG_RISCV_VECTOR_REG(31)" in U.reg_name(U.vector_reg(31, vlenb=32))
    assert "U256" in U.reg_name(U.vector_reg(31, vlenb=32))


@pytest.mark.parametrize("rid", [0, 1, U.MASK64, 0x8030FFFF02000000, 0x80300000FF000000,
                                 0x8030000007030000, 0x80F0000002000000, 0x6030000000100010])
def test_reg_name_never_fails(rid):
    assert isinstance(U.reg_name(rid), str)


def test_decode_roundtrip():
    rid = U.csr_reg("iprio2")
    assert U.decode(rid) == (U.KVM_REG_RISCV, 8, 3, 1, 2)


def test_exit_numbers():
    assert (KVM_EXIT_MMIO, KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_RISCV_SBI, KVM_EXIT_RISCV_CSR) == (6, 24, 35, 36)
    e = RiscvSbiExit(extension_id=0x4442434E, function_id=0, args=[0] * 6)
    assert e.reason == 35 and e.reason_name == "KVM_EXIT_RISCV_SBI"
    assert e.ret[0] == (1 << 64) - 2           # preset to SBI_ERR_NOT_SUPPORTED
    m = MmioExit(phys_addr=0x1000_0000, data=b"\x41", len=1, is_write=True)
    assert m.value == 0x41 and len(m.data) == 8
    m.value = 0x1FF
    assert m.data[0] == 0xFF and m.data[1] == 0


def test_caps_numbers():
    assert (U.KVM_CAP_ONE_REG, U.KVM_CAP_READONLY_MEM, U.KVM_CAP_RISCV_MP_STATE_RESET) == (70, 81, 242)


def test_docs_example_runs():
    import pathlib
    import re
    doc = pathlib.Path(__file__).resolve().parent.parent / "docs" / "kvm.md"
    code = re.search(r"```python\n(.*?)```", doc.read_text(), re.S).group(1)
    exec(compile(code, str(doc), "exec"), {"print": lambda *a: None})
