/*
 * csr_counters: Zicsr + Zicntr + counter-enable gating.
 *   1-9    csrrw/csrrs/csrrc and immediate forms on mscratch (old value
 *          returned, new value written); rd = x0 forms
 *   10-19  x0 / zero-immediate forms of csrrs/csrrc do not write: allowed on
 *          read-only CSRs, while csrrw (any rs1) and csrrs with rs1 != x0 on a
 *          read-only CSR are illegal; writes to cycle/time/instret illegal
 *   20-29  cycle, time, instret (and mcycle/minstret) are monotonic; time
 *          lies between two reads of CLINT mtime; minstret / mcycle writable
 *   30-34  instret is exact across a known instruction sequence; a write to
 *          minstret replaces that instruction's increment
 *   40-59  mcounteren / scounteren: S needs mcounteren bit, U needs both;
 *          S/U access to M-mode CSRs (mcycle, mstatus) is illegal
 *   60-64  misa: RV64 (MXL=2) with I M A F D C S U; mhartid = a0 at entry
 */
#include "test.h"

.macro GATED_READ n, mode, csr, mcen, scen, expect_trap
    TEST    \n
    li      t0, \mcen
    csrw    mcounteren, t0
    li      t0, \scen
    csrw    scounteren, t0
    CATCH_RESET
    .if \mode == 1
    ENTER_S .Lin\@
    .else
    ENTER_U .Lin\@
    .endif
.Lin\@:
    csrr    a0, \csr
    BACK_TO_M
    .if \expect_trap
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    .else
    CHECK_NO_TRAP
    .endif
.endm

    .text
    .globl  main
main:
    mv      s11, a0                 /* hart id */
    CATCH_INIT
    PMP_ALLOW_ALL
    /* ---------------- basic Zicsr ---------------- */
    TEST    1
    li      t0, 0x1234
    csrrw   a0, mscratch, t0
    li      t1, 0xf0f0
    csrrw   a0, mscratch, t1
    CHECK   a0, 0x1234
    TEST    2
    li      t0, 0x0f0f
    csrrs   a0, mscratch, t0
    CHECK   a0, 0xf0f0
    csrr    a0, mscratch
    CHECK   a0, 0xffff
    TEST    3
    li      t0, 0x00ff
    csrrc   a0, mscratch, t0
    CHECK   a0, 0xffff
    csrr    a0, mscratch
    CHECK   a0, 0xff00
    TEST    4
    csrrwi  a0, mscratch, 0x15
    CHECK   a0, 0xff00
    csrrsi  a0, mscratch, 0x0a
    CHECK   a0, 0x15
    csrrci  a0, mscratch, 0x1f
    CHECK   a0, 0x1f
    csrr    a0, mscratch
    CHECK   a0, 0
    TEST    5                       /* rd = x0 still writes */
    li      t0, -1
    csrrw   x0, mscratch, t0
    csrr    a0, mscratch
    CHECK   a0, -1
    csrrc   x0, mscratch, t0
    csrr    a0, mscratch
    CHECK   a0, 0
    TEST    6                       /* rd == rs1 */
    li      a0, 0x55
    csrrw   a0, mscratch, a0
    CHECK   a0, 0
    csrrs   a0, mscratch, a0
    CHECK   a0, 0x55
    TEST    7                       /* full 64-bit width */
    li      t0, 0x8000000000000001
    csrw    mscratch, t0
    csrr    a0, mscratch
    CHECK   a0, 0x8000000000000001

    CATCH_INIT                      /* mscratch is the catcher's pointer */

    /* ---------------- read-only CSRs and x0 forms ---------------- */
    TEST    10                      /* reads without write: no trap */
    CATCH_RESET
    csrrs   a0, mhartid, x0
    csrrc   a0, mhartid, x0
    csrrsi  a0, mhartid, 0
    csrrci  a0, mvendorid, 0
    csrrs   a0, cycle, x0
    csrrsi  a0, instret, 0
    csrr    a0, time
    csrr    a0, marchid
    csrr    a0, mimpid
    CHECK_NO_TRAP
    TEST    11                      /* csrrw with rs1 = x0 writes -> illegal */
    CATCH_RESET
    csrrw   a0, mhartid, x0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
#ifndef QEMU_QUIRKS     /* QEMU 7.2 only traps when the set mask is non-zero */
    TEST    12                      /* csrrs with rs1 != x0 (even if 0) -> illegal */
    CATCH_RESET
    li      t0, 0
    csrrs   a0, mhartid, t0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
#endif
    TEST    13
    CATCH_RESET
    csrrci  a0, mvendorid, 1
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    14                      /* user counters are read-only */
    CATCH_RESET
    csrw    cycle, zero
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    15
    CATCH_RESET
    csrw    time, zero
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    16
    CATCH_RESET
    csrsi   instret, 1
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    17                      /* mtval holds the instruction bits */
    CATCH_RESET
.Lro_insn:
    csrrw   a0, mhartid, x0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    lla     t0, .Lro_insn
    lwu     t0, 0(t0)
    CHECK_TVAL 0xf1401573

    /* ---------------- monotonic counters ---------------- */
    TEST    20
    rdcycle a0
    rdcycle a1
    bltu    a0, a1, 1f
    FAIL_IF_REACHED
1:  TEST    21
    rdinstret a0
    rdinstret a1
    bltu    a0, a1, 1f
    FAIL_IF_REACHED
1:  TEST    22                      /* time non-decreasing, advances */
    rdtime  a0
    li      t0, 200000
2:  rdtime  a1
    bltu    a1, a0, .Lt22_fail
    addi    t0, t0, -1
    bnez    t0, 2b
    bltu    a0, a1, 1f
.Lt22_fail:
    FAIL_IF_REACHED
1:  TEST    23                      /* time tracks CLINT mtime */
    li      t1, CLINT_MTIME
    ld      a0, 0(t1)
    rdtime  a1
    ld      a2, 0(t1)
    bltu    a1, a0, .Lt23_fail
    bltu    a2, a1, .Lt23_fail
    j       1f
.Lt23_fail:
    FAIL_IF_REACHED
1:  TEST    24                      /* mcycle / cycle same counter */
    csrr    a0, mcycle
    rdcycle a1
    csrr    a2, mcycle
    bltu    a1, a0, .Lt24_fail
    bltu    a2, a1, .Lt24_fail
    j       1f
.Lt24_fail:
    FAIL_IF_REACHED
1:  TEST    25                      /* minstret / instret same counter */
    csrr    a0, minstret
    rdinstret a1
    csrr    a2, minstret
    bltu    a1, a0, .Lt25_fail
    bltu    a2, a1, .Lt25_fail
    j       1f
.Lt25_fail:
    FAIL_IF_REACHED
1:  TEST    26                      /* mcycle writable */
    li      t0, 0x100000000000
    csrw    mcycle, t0
    rdcycle a0
    bltu    a0, t0, .Lt26_fail
    li      t1, 0x100000000000 + 0x10000000
    bltu    a0, t1, 1f
.Lt26_fail:
    FAIL_IF_REACHED
1:
    /* ---------------- exact instret ---------------- */
    TEST    30                      /* 10 instructions between the reads */
    .option push
    .option norvc
    csrr    a0, instret
    addi    t0, zero, 1
    addi    t0, t0, 1
    addi    t0, t0, 1
    nop
    nop
    add     t1, t0, t0
    sub     t1, t1, t0
    xor     t2, t1, t0
    lla     t3, 1f
    csrr    a1, instret
    .option pop
    sub     a2, a1, a0
    CHECK   a2, 11                  /* 10 + the first csrr */
    TEST    31                      /* taken branches and a load/store count once */
    .option push
    .option norvc
    csrr    a0, instret
    j       2f
    nop
2:  beq     zero, zero, 3f
    nop
3:  sd      a0, -8(sp)
    ld      t0, -8(sp)
    csrr    a1, instret
    .option pop
    sub     a2, a1, a0
    CHECK   a2, 5
    TEST    32                      /* a loop: 100 x 2 instructions */
    .option push
    .option norvc
    li      t0, 100
    csrr    a0, instret
4:  addi    t0, t0, -1
    bnez    t0, 4b
    csrr    a1, instret
    .option pop
    sub     a2, a1, a0
    CHECK   a2, 201
    TEST    33                      /* csrw minstret replaces the increment */
    .option push
    .option norvc
    li      t0, 1000
    csrw    minstret, t0
    csrr    a0, minstret
    csrr    a1, minstret
    .option pop
    sub     a2, a1, a0
    CHECK   a2, 1
#ifndef QEMU_QUIRKS     /* QEMU 7.2 (icount) also counts the csrw itself */
    CHECK   a0, 1000
#endif
    TEST    34                      /* an ecall that traps does not retire */
    CATCH_RESET
    .option push
    .option norvc
    csrr    a0, instret
    ecall
    csrr    a1, instret
    .option pop
    CHECK_TRAP CAUSE_ECALL_M
    sub     a2, a1, a0
    li      t0, 100
    bltu    a2, t0, 1f              /* (handler instructions are counted) */
    FAIL_IF_REACHED
1:
1:
    /* ---------------- counter enables ---------------- */
    GATED_READ 40, 1, cycle,   0, 0, 1
    GATED_READ 41, 1, cycle,   1, 0, 0
    GATED_READ 42, 1, time,    1, 0, 1
    GATED_READ 43, 1, time,    2, 0, 0
    GATED_READ 44, 1, instret, 3, 7, 1
    GATED_READ 45, 1, instret, 4, 0, 0
    GATED_READ 46, 0, cycle,   1, 0, 1
    GATED_READ 47, 0, cycle,   0, 1, 1
    GATED_READ 48, 0, cycle,   1, 1, 0
    GATED_READ 49, 0, time,    7, 5, 1
    GATED_READ 50, 0, time,    7, 2, 0
    GATED_READ 51, 0, instret, 7, 4, 0
    GATED_READ 52, 0, instret, 3, 7, 1
    GATED_READ 53, 1, mcycle,  7, 7, 1
    GATED_READ 54, 0, minstret, 7, 7, 1
    GATED_READ 55, 1, mstatus, 7, 7, 1
    GATED_READ 56, 1, sstatus, 0, 0, 0
    GATED_READ 57, 0, sstatus, 7, 7, 1
    TEST    58                      /* the trap was taken from S: MPP = S */
    GATED_READ 58, 1, mcycle, 7, 7, 1
    la      t5, __catch_area
    ld      t4, CATCH_MSTATUS(t5)
    srli    t4, t4, 11
    andi    t4, t4, 3
    CHECK   t4, 1

    /* ---------------- misa / ids ---------------- */
    TEST    60
    csrr    a0, misa
    srli    a1, a0, 62
    CHECK   a1, 2
    TEST    61
    li      t0, (1<<('I'-'A')) | (1<<('M'-'A')) | (1<<('A'-'A')) | (1<<('F'-'A')) | (1<<('D'-'A')) | (1<<('C'-'A')) | (1<<('S'-'A')) | (1<<('U'-'A'))
    and     a1, a0, t0
    CHECKR  a1, t0
    TEST    62                      /* no 'E' together with 'I' */
    andi    a1, a0, (1 << ('E' - 'A'))
    CHECK   a1, 0
    TEST    63
    csrr    a0, mhartid
    CHECKR  a0, s11
    PASS
