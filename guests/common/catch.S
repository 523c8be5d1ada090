/*
 * Generic M-mode trap catcher for tests that provoke exceptions.
 *
 *   CATCH_INIT (test.h) sets mtvec = __catch_trap and mscratch = __catch_area.
 *   On a trap the handler records mcause, mepc, mtval and mstatus, counts the
 *   trap, and resumes:  at catch_resume if that is non-zero (one shot, it is
 *   cleared), otherwise for exceptions after the trapping instruction (its
 *   length read from the 16-bit parcel at mepc, so mepc must be readable by
 *   M-mode physically), and for interrupts at mepc.  Only mscratch is used;
 *   all GPRs are preserved.  mret returns to the mode in mstatus.MPP.
 *
 *   BACK_TO_M (test.h) = "li a7, CATCH_MAGIC; ecall": an ecall with that a7
 *   from any mode is not recorded; the handler sets MPP = M and resumes after
 *   the ecall, so straight-line test code continues in M-mode.  Together with
 *   ENTER_S / ENTER_U this lets a test run a few instructions in a lower mode.
 */
#include "test.h"

    .text
    .balign 4
    .globl  __catch_trap
__catch_trap:
    csrrw   t0, mscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    csrr    t1, mcause
    /* BACK_TO_M: ecall (cause 8, 9 or 11) with a7 == CATCH_MAGIC */
    li      t2, CATCH_MAGIC
    bne     a7, t2, 4f
    addi    t2, t1, -CAUSE_ECALL_U
    beqz    t2, 5f
    addi    t2, t1, -CAUSE_ECALL_S
    beqz    t2, 5f
    addi    t2, t1, -CAUSE_ECALL_M
    bnez    t2, 4f
5:  li      t2, MSTATUS_MPP
    csrs    mstatus, t2
    csrr    t2, mepc
    addi    t2, t2, 4
    j       3f
4:
    sd      t1, CATCH_CAUSE(t0)
    csrr    t2, mepc
    sd      t2, CATCH_EPC(t0)
    csrr    t2, mtval
    sd      t2, CATCH_TVAL(t0)
    csrr    t2, mstatus
    sd      t2, CATCH_MSTATUS(t0)
    ld      t2, CATCH_COUNT(t0)
    addi    t2, t2, 1
    sd      t2, CATCH_COUNT(t0)
    ld      t2, CATCH_RESUME(t0)
    beqz    t2, 1f
    sd      zero, CATCH_RESUME(t0)
    j       3f
1:  csrr    t2, mepc
    bltz    t1, 3f                  /* interrupt: resume at mepc */
    lhu     t1, 0(t2)
    andi    t1, t1, 3
    addi    t2, t2, 2
    addi    t1, t1, -3
    bnez    t1, 3f
    addi    t2, t2, 2
3:  csrw    mepc, t2
    ld      t1, CATCH_SAVE1(t0)
    ld      t2, CATCH_SAVE2(t0)
    csrrw   t0, mscratch, t0
    mret

    .data
    .balign 64
    .globl  __catch_area
__catch_area:
    .zero   CATCH_SIZE
