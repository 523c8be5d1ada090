"""Self-modifying code: a store to an instruction followed by fence.i must make the hart
execute the new instruction (unpriv "Zifencei"). Found while running the ZV* differential
guest (guests/zvk/zvk_diff.elf rewrites one instruction slot per case): rvemu executes the
slot's previous instruction. Spike runs the same program correctly. Plain RV64I here, so
the bug is the core's decode cache, not the vector unit.

Cause (mem.pxi / lsu.pxi at this branch's base): the first store to a code page calls
invalidate_code_page(), which clears the decodes and sets code_page[page] = 0; but the
fetch TLB still maps the page to its decode array, and code_page_for() -- the only place
that sets code_page[page] back to 1 and flushes the write TLB -- runs only on a fetch-TLB
miss. So the page is re-decoded and executed without being marked as code again, later
stores take the fast write-TLB path, and nothing invalidates the new decodes. Verified:
keeping code_page[page] = 1 in invalidate_code_page() (deleting that one line) makes this
test pass, and the ZV* differential guest then agrees on rvemu too; `rvemu bench intmix
memcpy branchy` showed no difference beyond noise with it (CPU MIPS 287-299 against
283-288 on this host). Dropping the fetch-TLB entries that point at the page's decode
array would be the alternative."""
import pytest

from rvemu import Machine

BASE = 0x8000_0000


def _i(op, rd, f3, rs1, imm):
    return (imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def _program(n):
    t0, t1, t2, s0, s1, a0, ra = 5, 6, 7, 8, 9, 10, 1
    code = [
        0x00000297,                          # auipc t0, 0
        _i(0x13, t0, 0, t0, 0x100),          # addi t0, t0, 0x100   (the slot)
        _i(0x13, s0, 0, 0, 0),               # li s0, 0
        _i(0x13, s1, 0, 0, n),               # li s1, n
        # loop (0x10):
        _i(0x13, t1, 1, s0, 20),             # slli t1, s0, 20
        _i(0x13, t2, 0, 0, 0x513),           # li t2, 0x513          (addi a0, x0, 0)
        0x0063E3B3,                          # or t2, t2, t1         (addi a0, x0, i)
        0x0072A023,                          # sw t2, 0(t0)
        0x0000100F,                          # fence.i
        _i(0x67, ra, 0, t0, 0),              # jalr ra, 0(t0)
        0x00851663,                          # bne a0, s0, +12       (to the stop below)
        _i(0x13, s0, 0, s0, 1),              # addi s0, s0, 1
        0xFE94C0E3,                          # blt s1... see below
        0x0000006F,                          # j .                   (stop)
    ]
    # blt s0, s1, loop: offset from 0x30 to 0x10 = -0x20
    off = -0x20 & 0x1FFF
    code[12] = ((off >> 12 & 1) << 31 | (off >> 5 & 0x3F) << 25 | s1 << 20 | s0 << 15
                | 4 << 12 | (off >> 1 & 0xF) << 8 | (off >> 11 & 1) << 7 | 0x63)
    slot = [0x00000013, 0x00008067]          # nop (rewritten), ret
    blob = b"".join(w.to_bytes(4, "little") for w in code)
    blob = blob.ljust(0x100, b"\0") + b"".join(w.to_bytes(4, "little") for w in slot)
    return blob


@pytest.mark.xfail(reason="the decode cache serves the old instruction after a store and "
                          "fence.i (core bug, reported to the lead)", strict=False)
def test_store_then_fence_i_executes_the_new_instruction():
    n = 50
    m = Machine(isa="rv64gc", ram="16M")
    m.mem_write(BASE, _program(n))
    m.reg_write("pc", BASE)
    m.run(max_insns=2000)
    # s0 counts the iterations whose slot returned the value just written
    assert m.reg_read("s0") == n, f"stale instruction at iteration {m.reg_read('s0')}"
