/*
 * interrupts: CLINT software / timer interrupts, WFI, delegation.
 *   1-4    msip <-> mip.MSIP; machine software interrupt taken only with
 *          mie.MSIE and mstatus.MIE; pending interrupt taken once enabled
 *   5-8    mtimecmp: mip.MTIP rises when mtime >= mtimecmp, falls when
 *          mtimecmp moves to the future; timer interrupt (cause 7)
 *   9-10   WFI wakes on a pending enabled interrupt even with MIE = 0 (no
 *          trap); WFI with MIE = 1 -> trap, mepc after the wfi
 *   11     priority: MSI before MTI when both pending
 *   12     vectored mtvec: interrupts go to BASE + 4 * cause
 *   20-27  supervisor interrupts: M writes mip.STIP / SSIP (visible in sip);
 *          delegated STI / SSI taken in S (scause, sepc); delegated interrupt
 *          never taken in M; S-level interrupt with SIE = 0 not taken in S but
 *          taken in U; non-delegated STI traps to M from S even with MIE = 0;
 *          M-level interrupts taken in U with MIE = 0
 * The time base is whatever mtime counts; all waits are bounded loops.
 */
#include "test.h"

#define MIP_SSIP (1 << 1)
#define MIP_MSIP (1 << 3)
#define MIP_STIP (1 << 5)
#define MIP_MTIP (1 << 7)
#define SPIN     4000000

/* irq_area layout */
#define IRQ_COUNT 0
#define IRQ_CAUSE 8
#define IRQ_EPC   16
#define IRQ_LOG0  24
#define IRQ_LOG1  32
#define IRQ_SLOT  40

.macro IRQ_RESET
    la      t5, irq_area
    sd      zero, IRQ_COUNT(t5)
    sd      zero, IRQ_CAUSE(t5)
    sd      zero, IRQ_LOG0(t5)
    sd      zero, IRQ_LOG1(t5)
    li      t4, -1
    sd      t4, IRQ_SLOT(t5)
.endm
/* spin until irq count >= n (bounded) */
.macro WAIT_IRQ n
    la      t5, irq_area
    li      t4, SPIN
.Lw\@:
    ld      t3, IRQ_COUNT(t5)
    li      t6, \n
    bgeu    t3, t6, .Ld\@
    addi    t4, t4, -1
    bnez    t4, .Lw\@
.Ld\@:
.endm
.macro CHECK_IRQ count, cause
    la      t5, irq_area
    ld      t4, IRQ_COUNT(t5)
    CHECK   t4, \count
    ld      t4, IRQ_CAUSE(t5)
    CHECK   t4, \cause
.endm
/* busy-wait about n iterations */
.macro DELAY n
    li      t4, \n
.Ldl\@:
    addi    t4, t4, -1
    bnez    t4, .Ldl\@
.endm
.macro TIMER_IN delta
    li      t5, CLINT_MTIME
    ld      t4, 0(t5)
    li      t5, \delta
    add     t4, t4, t5
    li      t5, CLINT_MTIMECMP
    sd      t4, 0(t5)
.endm
.macro TIMER_OFF
    li      t5, CLINT_MTIMECMP
    li      t4, -1
    sd      t4, 0(t5)
.endm
.macro S_RESET
    la      t5, s_area
    sd      zero, CATCH_COUNT(t5)
    sd      zero, CATCH_CAUSE(t5)
.endm

    .text
    .globl  main
main:
    CATCH_INIT
    PMP_ALLOW_ALL
    la      t0, m_handler
    csrw    mtvec, t0
    la      t0, s_handler
    csrw    stvec, t0
    la      t0, s_area
    csrw    sscratch, t0
    csrw    mie, zero
    csrw    mideleg, zero
    csrw    medeleg, zero
    TIMER_OFF

    /* ---------------- software interrupt ---------------- */
    TEST    1                       /* msip -> mip.MSIP */
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    DELAY   100
    csrr    a0, mip
    andi    a0, a0, MIP_MSIP
    CHECK   a0, MIP_MSIP
    sw      zero, 0(t0)
    DELAY   100
    csrr    a0, mip
    andi    a0, a0, MIP_MSIP
    CHECK   a0, 0
    TEST    2                       /* MSI trap */
    IRQ_RESET
    csrsi   mie, MIP_MSIP
    csrsi   mstatus, MSTATUS_MIE
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    WAIT_IRQ 1
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 3
    TEST    3                       /* MIE = 0 masks; taken once enabled */
    IRQ_RESET
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    DELAY   20000
    CHECK_IRQ 0, 0
    csrsi   mstatus, MSTATUS_MIE
    WAIT_IRQ 1
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 3
    TEST    4                       /* mie.MSIE = 0 masks */
    IRQ_RESET
    csrci   mie, MIP_MSIP
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    csrsi   mstatus, MSTATUS_MIE
    DELAY   20000
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 0, 0
    sw      zero, 0(t0)

    /* ---------------- timer ---------------- */
    TEST    5                       /* MTIP rises at mtimecmp */
    TIMER_IN 200
    li      t0, SPIN
1:  csrr    a0, mip
    andi    a0, a0, MIP_MTIP
    bnez    a0, 2f
    addi    t0, t0, -1
    bnez    t0, 1b
2:  CHECK   a0, MIP_MTIP
    li      t5, CLINT_MTIME
    ld      t4, 0(t5)
    li      t5, CLINT_MTIMECMP
    ld      t3, 0(t5)
    bgeu    t4, t3, 3f
    FAIL_IF_REACHED
3:  TEST    6                       /* falls when mtimecmp is in the future */
    TIMER_OFF
    DELAY   100
    csrr    a0, mip
    andi    a0, a0, MIP_MTIP
    CHECK   a0, 0
    TEST    7                       /* timer interrupt */
    IRQ_RESET
    li      t0, MIP_MTIP
    csrs    mie, t0
    csrsi   mstatus, MSTATUS_MIE
    TIMER_IN 200
    WAIT_IRQ 1
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 7
    TEST    8                       /* mtip not pending before mtimecmp */
    IRQ_RESET
    TIMER_IN 0x7fffffff
    csrsi   mstatus, MSTATUS_MIE
    DELAY   20000
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 0, 0
    TIMER_OFF

    /* ---------------- WFI ---------------- */
    TEST    9                       /* wakes with MIE = 0, no trap */
    IRQ_RESET
    csrci   mstatus, MSTATUS_MIE
    TIMER_IN 1000
    li      t0, SPIN
1:  wfi
    csrr    a0, mip
    andi    a0, a0, MIP_MTIP
    bnez    a0, 2f
    addi    t0, t0, -1
    bnez    t0, 1b
2:  CHECK   a0, MIP_MTIP
    CHECK_IRQ 0, 0
    TIMER_OFF
    TEST    10                      /* WFI with MIE = 1: trap after the wfi */
    IRQ_RESET
    TIMER_IN 1000
    csrsi   mstatus, MSTATUS_MIE
    li      t0, SPIN
1:  wfi
.Lafter_wfi:
    la      t5, irq_area
    ld      t4, IRQ_COUNT(t5)
    bnez    t4, 2f
    addi    t0, t0, -1
    bnez    t0, 1b
2:  csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 7
    la      t5, irq_area
    ld      t4, IRQ_EPC(t5)
    la      t3, 1b                  /* the wfi or after it, never before */
    bgeu    t4, t3, 3f
    FAIL_IF_REACHED
3:  TEST    11                      /* priority: MSI before MTI */
    IRQ_RESET
    li      t0, MIP_MSIP | MIP_MTIP
    csrs    mie, t0
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    li      t0, CLINT_MTIMECMP
    sd      zero, 0(t0)
    DELAY   1000
    csrsi   mstatus, MSTATUS_MIE
    WAIT_IRQ 2
    csrci   mstatus, MSTATUS_MIE
    la      t5, irq_area
    ld      t4, IRQ_COUNT(t5)
    CHECK   t4, 2
    ld      t4, IRQ_LOG0(t5)
    CHECK   t4, IRQ_BIT | 3
    ld      t4, IRQ_LOG1(t5)
    CHECK   t4, IRQ_BIT | 7
    TEST    12                      /* vectored mtvec */
    IRQ_RESET
    la      t0, vec_table
    ori     t0, t0, 1
    csrw    mtvec, t0
    TIMER_IN 100
    csrsi   mstatus, MSTATUS_MIE
    WAIT_IRQ 1
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 7
    la      t5, irq_area
    ld      t4, IRQ_SLOT(t5)
    CHECK   t4, 7
    IRQ_RESET
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    csrsi   mstatus, MSTATUS_MIE
    WAIT_IRQ 1
    csrci   mstatus, MSTATUS_MIE
    CHECK_IRQ 1, IRQ_BIT | 3
    la      t5, irq_area
    ld      t4, IRQ_SLOT(t5)
    CHECK   t4, 3
    la      t0, m_handler
    csrw    mtvec, t0
    csrw    mie, zero

    /* ---------------- supervisor interrupts ---------------- */
    TEST    20                      /* M sets STIP / SSIP, visible in sip */
    li      t0, MIP_STIP | MIP_SSIP
    csrs    mip, t0
    csrr    a0, mip
    and     a0, a0, t0
    CHECKR  a0, t0
    li      t1, MIP_STIP | MIP_SSIP
    csrw    mideleg, t1
    csrr    a0, sip
    and     a0, a0, t0
    CHECKR  a0, t0
    csrc    mip, t0
    csrr    a0, sip
    and     a0, a0, t0
    CHECK   a0, 0
    TEST    21                      /* delegated STI taken in S */
    IRQ_RESET
    S_RESET
    li      t0, MIP_STIP
    csrw    mideleg, t0
    csrs    mie, t0                 /* sie.STIE */
    csrs    mip, t0
    ENTER_S 1f
1:  csrsi   sstatus, MSTATUS_SIE
    li      t0, SPIN
2:  la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    bnez    t4, 3f
    addi    t0, t0, -1
    bnez    t0, 2b
3:  csrci   sstatus, MSTATUS_SIE
    BACK_TO_M
    CHECK_IRQ 0, 0
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 1
    ld      t4, CATCH_CAUSE(t5)
    CHECK   t4, IRQ_BIT | 5
    TEST    22                      /* delegated interrupt never taken in M */
    IRQ_RESET
    S_RESET
    li      t0, MIP_STIP
    csrs    mie, t0
    csrs    mip, t0
    csrsi   mstatus, MSTATUS_MIE | MSTATUS_SIE
    DELAY   20000
    csrci   mstatus, MSTATUS_MIE | MSTATUS_SIE
    CHECK_IRQ 0, 0
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 0
    TEST    23                      /* S with SIE = 0: not taken; in U: taken */
    S_RESET
    ENTER_S 1f
1:  DELAY   20000
    BACK_TO_M
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 0
    S_RESET
    ENTER_U 1f
1:  li      t0, SPIN
2:  la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    bnez    t4, 3f
    addi    t0, t0, -1
    bnez    t0, 2b
3:  BACK_TO_M
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 1
    ld      t4, CATCH_CAUSE(t5)
    CHECK   t4, IRQ_BIT | 5
    li      t0, MIP_STIP
    csrc    mip, t0
    TEST    24                      /* non-delegated STI: to M from S, MIE = 0 */
    IRQ_RESET
    csrw    mideleg, zero
    li      t0, MIP_STIP
    csrs    mie, t0
    csrs    mip, t0
    csrci   mstatus, MSTATUS_MIE
    ENTER_S 1f
1:  li      t0, SPIN
2:  la      t5, irq_area
    ld      t4, IRQ_COUNT(t5)
    bnez    t4, 3f
    addi    t0, t0, -1
    bnez    t0, 2b
3:  BACK_TO_M
    CHECK_IRQ 1, IRQ_BIT | 5
    TEST    25                      /* delegated SSI taken in S, S clears sip */
    S_RESET
    IRQ_RESET
    li      t0, MIP_SSIP
    csrw    mideleg, t0
    csrs    mie, t0
    csrs    mip, t0
    ENTER_S 1f
1:  csrsi   sstatus, MSTATUS_SIE
    li      t0, SPIN
2:  la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    bnez    t4, 3f
    addi    t0, t0, -1
    bnez    t0, 2b
3:  csrci   sstatus, MSTATUS_SIE
    csrr    s2, sip
    BACK_TO_M
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 1
    ld      t4, CATCH_CAUSE(t5)
    CHECK   t4, IRQ_BIT | 1
    andi    s2, s2, MIP_SSIP
    CHECK   s2, 0
    CHECK_IRQ 0, 0
    TEST    26                      /* MSI taken in U with MIE = 0 */
    IRQ_RESET
    csrw    mideleg, zero
    csrw    mie, zero
    csrsi   mie, MIP_MSIP
    csrci   mstatus, MSTATUS_MIE
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    ENTER_U 1f
1:  li      t0, SPIN
2:  la      t5, irq_area
    ld      t4, IRQ_COUNT(t5)
    bnez    t4, 3f
    addi    t0, t0, -1
    bnez    t0, 2b
3:  BACK_TO_M
    CHECK_IRQ 1, IRQ_BIT | 3
    TEST    27                      /* the interrupted mode was U: MPP = 0 */
    la      t5, irq_area
    ld      t4, IRQ_SLOT(t5)        /* m_handler stores mstatus.MPP here */
    CHECK   t4, 0
    csrw    mie, zero
    PASS

/*
 * M handler: interrupts are recorded (count, cause, epc, first two causes,
 * and mstatus.MPP in IRQ_SLOT) and their source cleared; exceptions go to
 * the generic catcher (BACK_TO_M etc.).
 */
    .balign 4
m_handler:
    csrrw   t0, mscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    csrr    t1, mcause
    bltz    t1, 1f
    ld      t1, CATCH_SAVE1(t0)
    ld      t2, CATCH_SAVE2(t0)
    csrrw   t0, mscratch, t0
    j       __catch_trap
1:  csrr    t2, mstatus
    srli    t2, t2, 11
    andi    t2, t2, 3
    la      t1, irq_area
    sd      t2, IRQ_SLOT(t1)
    j       irq_common

/* vectored entry points: slot number -> IRQ_SLOT */
    .balign 4
irq_slot3:
    csrrw   t0, mscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    li      t2, 3
    j       2f
irq_slot7:
    csrrw   t0, mscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    li      t2, 7
2:  la      t1, irq_area
    sd      t2, IRQ_SLOT(t1)
    /* fall through */
irq_common:
    la      t1, irq_area
    ld      t2, IRQ_COUNT(t1)
    bnez    t2, 1f
    csrr    t2, mcause
    sd      t2, IRQ_LOG0(t1)
    j       2f
1:  addi    t2, t2, -1
    bnez    t2, 2f
    csrr    t2, mcause
    sd      t2, IRQ_LOG1(t1)
2:  ld      t2, IRQ_COUNT(t1)
    addi    t2, t2, 1
    sd      t2, IRQ_COUNT(t1)
    csrr    t2, mcause
    sd      t2, IRQ_CAUSE(t1)
    csrr    t2, mepc
    sd      t2, IRQ_EPC(t1)
    csrr    t2, mcause
    slli    t2, t2, 1
    srli    t2, t2, 1
    li      t1, 3
    bne     t2, t1, 1f
    li      t1, CLINT_MSIP          /* MSI: clear msip */
    sw      zero, 0(t1)
    j       9f
1:  li      t1, 7
    bne     t2, t1, 1f
    li      t1, CLINT_MTIMECMP      /* MTI: mtimecmp = -1 */
    li      t2, -1
    sd      t2, 0(t1)
    j       9f
1:  li      t1, 5
    bne     t2, t1, 1f
    li      t1, MIP_STIP
    csrc    mip, t1
    j       9f
1:  li      t1, 1
    bne     t2, t1, 1f
    li      t1, MIP_SSIP
    csrc    mip, t1
    j       9f
1:  csrw    mie, zero               /* anything else: mask everything */
9:  ld      t1, CATCH_SAVE1(t0)
    ld      t2, CATCH_SAVE2(t0)
    csrrw   t0, mscratch, t0
    mret

    .option push
    .option norvc
    .balign 256
vec_table:
    j       m_handler               /* 0: exceptions */
    j       vec_bad                 /* 1 */
    j       vec_bad                 /* 2 */
    j       irq_slot3               /* 3: MSI */
    j       vec_bad                 /* 4 */
    j       vec_bad                 /* 5 */
    j       vec_bad                 /* 6 */
    j       irq_slot7               /* 7: MTI */
    j       vec_bad
    j       vec_bad
    j       vec_bad
    j       vec_bad
    .option pop
vec_bad:
    j       __default_trap

/* S handler: record scause / sepc, silence the source, sret. */
    .balign 4
s_handler:
    csrrw   t0, sscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    csrr    t1, scause
    sd      t1, CATCH_CAUSE(t0)
    csrr    t2, sepc
    sd      t2, CATCH_EPC(t0)
    ld      t2, CATCH_COUNT(t0)
    addi    t2, t2, 1
    sd      t2, CATCH_COUNT(t0)
    bgez    t1, 8f                  /* exception in S: unexpected */
    slli    t1, t1, 1
    srli    t1, t1, 1
    li      t2, 5
    bne     t1, t2, 1f
    li      t2, MIP_STIP            /* STIP cannot be cleared by S: mask it */
    csrc    sie, t2
    j       9f
1:  li      t2, MIP_SSIP
    csrc    sip, t2
9:  ld      t1, CATCH_SAVE1(t0)
    ld      t2, CATCH_SAVE2(t0)
    csrrw   t0, sscratch, t0
    sret
8:  j       __default_trap

    .data
    .balign 64
irq_area:
    .zero   64
s_area:
    .zero   CATCH_SIZE
