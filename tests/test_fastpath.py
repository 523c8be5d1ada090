"""Control flow in the C fast path (rvemu/_core/fastloop.h): budgets that end anywhere in
a loop, branches to their own page (which step slot to slot) and to other pages, and the
places where the fast path must hand over (breakpoints, misaligned targets, TLB misses).

The expected values come from a small Python model of each loop, not from the emulator.
"""
import pytest

from helpers import CODE, asm, cenc, enc, new_machine, reset

PRECISE_TAIL = 8192  # loop.pxi: the last instructions of a budget run one at a time


def count_loop():
    """a0 += 1, a1 -= 1 until a1 == 0 (a backward branch to its own page), then spin."""
    return [
        enc("addi", 10, 10, 1),     # CODE + 0
        cenc("c.addi", 11, -1),     # CODE + 4 (compressed: mixed lengths)
        enc("bne", 11, 0, -6),      # CODE + 6 -> CODE + 0
        enc("jal", 0, 0),           # CODE + 10: spin
    ]


def model(n, a1):
    """(pc, a0, a1) after n instructions of count_loop from a0 = 0."""
    pc, a0 = CODE, 0
    for _ in range(n):
        if pc == CODE:
            a0, pc = a0 + 1, CODE + 4
        elif pc == CODE + 4:
            a1, pc = a1 - 1, CODE + 6
        elif pc == CODE + 6:
            pc = CODE if a1 != 0 else CODE + 10
        # CODE + 10 spins in place
    return pc, a0, a1


@pytest.mark.parametrize("budget", [1, 2, 3, 5, 100, PRECISE_TAIL - 1, PRECISE_TAIL,
                                    PRECISE_TAIL + 1, PRECISE_TAIL + 2, PRECISE_TAIL + 3,
                                    PRECISE_TAIL + 1000, PRECISE_TAIL + 1001, 3 * PRECISE_TAIL,
                                    60_000, 60_001, 60_002])
def test_budget_ends_exactly_in_a_loop(budget):
    m = new_machine("rv64gc", ram="64K")
    reset(m)
    m.mem_write(CODE, asm(*count_loop()))
    m.reg_write("a1", 15_000)
    r = m.run(max_insns=budget)
    assert r.instructions == budget and r.reason == "budget"
    pc, a0, a1 = model(budget, 15_000)
    assert (m.reg_read("pc"), m.reg_read("a0"), m.reg_read("a1")) == (pc, a0, a1)
    assert m.reg_read("minstret") == budget


def test_loop_runs_in_pieces_like_in_one_go():
    one = new_machine("rv64gc", ram="64K")
    pieces = new_machine("rv64gc", ram="64K")
    for m in (one, pieces):
        reset(m)
        m.mem_write(CODE, asm(*count_loop()))
        m.reg_write("a1", 7_000)
    one.run(max_insns=30_000)
    done = 0
    for n in (1, 7, 9_000, 3, 8_193, 12_796):
        pieces.run(max_insns=n)
        done += n
    assert done == 30_000
    assert [pieces.reg_read(r) for r in ("pc", "a0", "a1", "minstret")] == \
           [one.reg_read(r) for r in ("pc", "a0", "a1", "minstret")] == \
           [*model(30_000, 7_000), 30_000]


def test_breakpoint_at_a_local_branch_target():
    m = new_machine("rv64gc", ram="64K")
    reset(m)
    m.mem_write(CODE, asm(*count_loop()))
    m.reg_write("a1", 10)
    m.run(max_insns=100)            # the loop is decoded and runs slot to slot
    reset(m)
    m.reg_write("a1", 10)
    m.add_breakpoint(CODE + 4)
    for k in range(1, 4):
        r = m.run(max_insns=1000)
        assert r.reason == "breakpoint" and m.reg_read("pc") == CODE + 4
        assert m.reg_read("a0") == k
        m.hart.step_over_breakpoint()


def test_forward_and_cross_page_jumps():
    # CODE: jal to CODE + 0x20 (own page), which jumps to the next page and back
    m = new_machine("rv64gc", ram="64K")
    reset(m)
    far = CODE + 0x1000
    m.mem_write(CODE, asm(enc("jal", 1, 0x20)))
    m.mem_write(CODE + 0x20, asm(enc("addi", 10, 10, 1), enc("jal", 1, far - (CODE + 0x24))))
    m.mem_write(far, asm(enc("addi", 11, 11, 1), enc("jal", 0, CODE - (far + 4))))
    r = m.run(max_insns=5 * 1000)
    assert r.instructions == 5000
    # 5 instructions per round: jal, addi, jal, addi, jal
    assert m.reg_read("a0") == 1000 and m.reg_read("a1") == 1000
    assert m.reg_read("pc") == CODE and m.reg_read("ra") == CODE + 0x28


def test_misaligned_local_target_traps_without_c():
    # without C a branch to a 2-byte boundary on its own page raises
    # instruction-address-misaligned at the branch, with the target in mtval
    m = new_machine("rv64g", ram="64K")
    reset(m)
    trap = CODE + 0x800
    m.reg_write("mtvec", trap)
    m.mem_write(trap, asm(enc("jal", 0, 0)))
    m.mem_write(CODE, asm(enc("addi", 10, 10, 1), enc("beq", 0, 0, 6)))
    m.run(max_insns=3)
    assert m.reg_read("mcause") == 0 and m.reg_read("mtval") == CODE + 10
    assert m.reg_read("mepc") == CODE + 4 and m.reg_read("pc") == trap
    assert m.reg_read("a0") == 1


def test_load_store_tlb_miss_hands_over_and_resumes():
    # a loop that stores to and loads from a new page each time round: each first access
    # misses the TLB and goes through the slow path, the rest hit
    m = new_machine("rv64gc", ram="1M")
    reset(m)
    base = CODE + 0x10000
    m.mem_write(CODE, asm(
        enc("sd", 11, 10, 0),          # *(a0) = a1
        enc("ld", 12, 10, 0),          # a2 = *(a0)
        enc("add", 13, 13, 12),        # a3 += a2
        enc("lui", 5, 1),              # t0 = 4096
        enc("add", 10, 10, 5),         # a0 += 4096
        enc("addi", 11, 11, 1),        # a1 += 1
        enc("bne", 11, 14, -24),       # until a1 == a4
        enc("jal", 0, 0)))
    m.reg_write("a0", base)
    m.reg_write("a1", 1)
    m.reg_write("a4", 101)
    m.run(max_insns=10_000)
    assert m.reg_read("a3") == sum(range(1, 101))
    assert m.reg_read("pc") == CODE + 28
    assert int.from_bytes(m.mem_read(base + 99 * 4096, 8), "little") == 100
