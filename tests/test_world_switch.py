"""The world switch (rvemu/_core/worldswitch.pxi): a guest entered from HS-mode runs in
VS/VU with two-stage translation and comes back on each trap into HS with a trap record.
The same guest runs under the three HSTATUS strategies of the seed on HSTATUS; its results
must not depend on the strategy, and the counters must show what each strategy costs."""
import struct

import pytest

from rvemu._core.hart import (GUEST_EXIT_BUDGET, GUEST_EXIT_TRAP, HSTATUS_DIRECT,
                              HSTATUS_NACL_AUTOSWAP, HSTATUS_NACL_SYNC_CSR, GuestBank,
                              WorldSwitch)
from helpers import RAM_BASE, asm, enc, new_machine

# Host physical layout (RAM at 0x8000_0000, 1 MiB)
GROOT = RAM_BASE + 0x10000      # G-stage root: 16 KiB, 16 KiB aligned (Sv39x4)
GL1 = RAM_BASE + 0x14000
GL0 = RAM_BASE + 0x15000
GUEST_HPA = RAM_BASE + 0x80000  # 16 pages of guest RAM
SHMEM = RAM_BASE + 0x20000      # NACL shared memory (12 KiB)
GUEST_GPA = 0x1000_0000         # where the guest sees its RAM
UNMAPPED_GPA = 0x2000_0000      # no G-stage mapping: MMIO emulation territory

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D = 1, 2, 4, 8, 16, 64, 128
CSR_HSTATUS, CSR_STVEC, CSR_SCAUSE, CSR_SEPC = 0x600, 0x105, 0x142, 0x141

VS_ECALL, LOAD_GUEST_PAGE_FAULT, VIRTUAL_INSTRUCTION = 10, 21, 22


def _pte(pa, flags):
    return ((pa >> 12) << 10) | flags


def build_gstage(m):
    """Sv39x4: GPA GUEST_GPA + i*4K -> GUEST_HPA + i*4K, 16 pages, U=1 as the G stage needs."""
    vpn2 = GUEST_GPA >> 30
    vpn1 = (GUEST_GPA >> 21) & 0x1ff
    m.mem_write(GROOT + 8 * vpn2, struct.pack("<Q", _pte(GL1, PTE_V)))
    m.mem_write(GL1 + 8 * vpn1, struct.pack("<Q", _pte(GL0, PTE_V)))
    leaf = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
    for i in range(16):
        m.mem_write(GL0 + 8 * (((GUEST_GPA >> 12) + i) & 0x1ff),
                    struct.pack("<Q", _pte(GUEST_HPA + 0x1000 * i, leaf)))
    return (8 << 60) | (5 << 44) | (GROOT >> 12)  # hgatp: Sv39x4, VMID 5


ILLEGAL_AT = 0x30
GUEST = [
    enc("addi", "a0", "x0", 5),                    # 0x00
    enc("addi", "a1", "x0", 7),                    # 0x04
    enc("add", "a2", "a0", "a1"),                  # 0x08
    0x00000073,                                    # 0x0c ecall -> exit (VS ecall)
    enc("lui", "t0", UNMAPPED_GPA >> 12),          # 0x10
    enc("ld", "a3", "t0", 8),                      # 0x14 -> load guest-page fault
    enc("csrrs", "a4", CSR_HSTATUS, "x0"),         # 0x18 -> virtual instruction
    enc("lui", "t1", GUEST_GPA >> 12),             # 0x1c
    enc("addi", "t1", "t1", 0x100),                # 0x20
    enc("csrrw", "x0", CSR_STVEC, "t1"),           # 0x24 stvec is vstvec while V=1
    enc("addi", "a7", "x0", 1),                    # 0x28
    enc("addi", "a7", "a7", 1),                    # 0x2c
    0x00000000,                                    # 0x30 illegal: delegated to VS
]
HANDLER = [                                        # at 0x100, in VS
    enc("csrrs", "a5", CSR_SCAUSE, "x0"),          # vscause
    enc("csrrs", "a6", CSR_SEPC, "x0"),            # vsepc
    0x00000073,                                    # ecall -> exit
]


def setup(strategy):
    m = new_machine(isa="rv64gch", ram="1M")
    m.hart.reset(RAM_BASE, 0, 0, 1)   # the host runs in HS-mode
    m.hart.csr_write(0x3B0, (1 << 54) - 1)            # pmpaddr0: all of memory (NAPOT)
    m.hart.csr_write(0x3A0, 0x1f)                     # pmpcfg0: NAPOT, RWX
    hgatp = build_gstage(m)
    m.mem_write(GUEST_HPA, asm(*GUEST))
    m.mem_write(GUEST_HPA + 0x100, asm(*HANDLER))
    # everything the guest may take goes to HS, then illegal instructions on to VS
    m.hart.csr_write(0x302, 0xffffffffffffffff)       # medeleg
    bank = GuestBank()
    bank.pc = GUEST_GPA
    bank.hgatp = hgatp
    bank.hedeleg = 1 << 2
    ws = WorldSwitch(strategy, SHMEM if strategy != HSTATUS_DIRECT else 0)
    return m, bank, ws


def run_guest(strategy):
    m, bank, ws = setup(strategy)
    exits = []
    for _ in range(8):
        m.hart.enter_guest(bank, ws, 10_000)
        assert bank.exit_kind == GUEST_EXIT_TRAP
        rec = (bank.exit_scause, bank.exit_stval, bank.exit_htval, bank.exit_sepc,
               bool(bank.exit_hstatus & (1 << 6)), bool(bank.exit_hstatus & (1 << 7)))
        exits.append(rec)
        # the host's part of each exit, as KVM's vcpu_exit would do it
        if bank.exit_scause == LOAD_GUEST_PAGE_FAULT:
            bank.x[13] = 0x1234            # MMIO load emulated: a3
        if bank.exit_scause == VS_ECALL and bank.x[15]:
            break
        bank.pc += 4
    assert m.hart.priv == 1 and m.hart.virt == 0  # back in HS after every exit
    return exits, bank, ws, m


def test_trap_records_follow_the_spec():
    exits, bank, ws, _ = run_guest(HSTATUS_DIRECT)
    G = GUEST_GPA
    ecall, gpf, virt, final = exits
    assert ecall == (VS_ECALL, 0, 0, G + 0x0c, False, True)
    assert bank.x[12] == 12
    # stval = guest virtual address (vsatp is Bare: = GPA), htval = GPA >> 2, GVA = 1
    assert gpf == (LOAD_GUEST_PAGE_FAULT, UNMAPPED_GPA + 8, (UNMAPPED_GPA + 8) >> 2,
                   G + 0x14, True, True)
    # a VS access to an H CSR is a virtual-instruction exception; stval = the instruction
    assert virt[:2] == (VIRTUAL_INSTRUCTION, enc("csrrs", "a4", CSR_HSTATUS, "x0"))
    assert virt[3] == G + 0x18
    # the illegal instruction went to VS (hedeleg), whose handler saw it as such
    assert final[0] == VS_ECALL and final[3] == G + 0x108
    assert bank.x[13] == 0x1234 and bank.x[14] == 0
    assert bank.x[15] == 2 and bank.x[16] == G + ILLEGAL_AT
    assert bank.vscause == 2 and bank.vsepc == G + ILLEGAL_AT
    assert bank.vstvec == G + 0x100
    assert bank.x[17] == 2
    assert bank.mode == 1


@pytest.mark.parametrize("strategy", [HSTATUS_NACL_SYNC_CSR, HSTATUS_NACL_AUTOSWAP])
def test_strategies_give_the_same_guest_results(strategy):
    ref_exits, ref_bank, _, _ = run_guest(HSTATUS_DIRECT)
    exits, bank, _, _ = run_guest(strategy)
    assert exits == ref_exits
    assert list(bank.x) == list(ref_bank.x)
    assert (bank.vscause, bank.vsepc, bank.vstvec) == (
        ref_bank.vscause, ref_bank.vsepc, ref_bank.vstvec)


def test_counters_show_the_cost_of_each_strategy():
    out = {}
    for s in (HSTATUS_DIRECT, HSTATUS_NACL_SYNC_CSR, HSTATUS_NACL_AUTOSWAP):
        _, _, ws, _ = run_guest(s)
        out[s] = ws.counters()
    d, sc, au = out[HSTATUS_DIRECT], out[HSTATUS_NACL_SYNC_CSR], out[HSTATUS_NACL_AUTOSWAP]
    n = d["entries"]
    assert n == sc["entries"] == au["entries"] == 4
    # direct: no SBI call, one SRET and 2 (hstatus) + 2 (htval, htinst) + 32 (load/put)
    # H CSR accesses per switch
    assert d["sbi_calls"] == 0 and d["sret_insns"] == n and d["shmem_accesses"] == 0
    assert d["h_csr_accesses"] == n * (1 + 1 + 2 + 16 + 16)
    # NACL: one SYNC_SRET per entry, no SRET by the host; only the hstatus restore of the
    # sync_csr path still touches a real H CSR, autoswap none at all
    assert sc["sbi_calls"] == au["sbi_calls"] == n
    assert sc["sret_insns"] == au["sret_insns"] == 0
    assert sc["h_csr_accesses"] == n
    assert au["h_csr_accesses"] == 0
    assert sc["shmem_accesses"] > 0 and au["shmem_accesses"] > 0


def test_nacl_shared_memory_is_kept_up_to_date():
    exits, bank, ws, m = run_guest(HSTATUS_NACL_AUTOSWAP)
    slot = lambda csr: ((csr & 0xC00) >> 2) | (csr & 0xFF)
    word = lambda csr: struct.unpack("<Q", m.mem_read(SHMEM + 0x1000 + 8 * slot(csr), 8))[0]
    # after the last trap L0 published the H CSRs: the hgatp and vsepc of the guest
    assert word(0x680) == bank.hgatp
    assert word(0x241) == GUEST_GPA + ILLEGAL_AT
    # the autoswap flag is clear again once the host is back
    assert struct.unpack("<Q", m.mem_read(SHMEM + 0x200, 8))[0] == 0


def test_quantum_end_leaves_the_guest_resumable():
    m, bank, ws = setup(HSTATUS_DIRECT)
    m.hart.enter_guest(bank, ws, 2)            # two instructions, then the host takes over
    assert bank.exit_kind == GUEST_EXIT_BUDGET
    assert bank.pc == GUEST_GPA + 8 and bank.x[10] == 5 and bank.x[11] == 7
    assert m.hart.virt == 0 and m.hart.priv == 1
    m.hart.enter_guest(bank, ws, 100)
    assert bank.exit_kind == GUEST_EXIT_TRAP and bank.exit_scause == VS_ECALL
    assert bank.x[12] == 12


def test_bad_use_is_refused():
    m, bank, ws = setup(HSTATUS_DIRECT)
    with pytest.raises(ValueError):
        m.hart.enter_guest(bank, WorldSwitch(HSTATUS_NACL_AUTOSWAP, 0x1234), 10)
    with pytest.raises(ValueError):
        WorldSwitch(7)
    m.hart.priv = 3
    with pytest.raises(ValueError):
        m.hart.enter_guest(bank, ws, 10)
    plain = new_machine(isa="rv64gc", ram="1M")
    plain.hart.reset(RAM_BASE, 0, 0, 1)
    with pytest.raises(ValueError):
        plain.hart.enter_guest(bank, ws, 10)
