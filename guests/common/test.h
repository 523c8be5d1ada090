/*
 * rvemu guest test macros for assembly (.S) tests.  Our own, minimal set.
 *
 * Convention: gp (x3) holds the number of the check being executed.  A failed
 * check jumps to __fail (crt.S), which prints "FAIL: check <gp>" and exits
 * with code gp, so the exit code names the first failing check.  t6 (x31) is
 * the macros' scratch register; tests should not keep live values in it.
 *
 *   TEST n                  gp = n  (start check n)
 *   CHECK reg, value        fail unless reg == value (64-bit immediate)
 *   CHECKR reg, reg2        fail unless reg == reg2
 *   CHECKNE reg, value      fail if reg == value
 *   CHECK_CSR csr, value    fail unless csr == value (clobbers t5)
 *   FAIL_IF_REACHED         unconditional failure of the current check
 *   TEST_RR n, op, exp, a, b      a0=a, a1=b, op a2,a0,a1 ; check a2 == exp
 *   TEST_RI n, op, exp, a, imm    a0=a, op a2,a0,imm     ; check a2 == exp
 *   TEST_R  n, op, exp, a         a0=a, op a2,a0         ; check a2 == exp
 *   PASS                    exit(0)
 */
#ifndef RVEMU_TEST_H
#define RVEMU_TEST_H

#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_MPP_M (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL_INSN     2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define IRQ_BIT                (1 << 63)

#define CLINT_BASE     0x02000000
#define CLINT_MSIP     (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME    (CLINT_BASE + 0xBFF8)

/* layout of __catch_area (common/catch.S) */
#define CATCH_SAVE1   0
#define CATCH_SAVE2   8
#define CATCH_CAUSE   16
#define CATCH_EPC     24
#define CATCH_TVAL    32
#define CATCH_COUNT   40
#define CATCH_MSTATUS 48
#define CATCH_RESUME  56
#define CATCH_SIZE    64
#define CATCH_MAGIC   0x6d6f6465      /* a7 value for BACK_TO_M */

#ifdef __ASSEMBLER__

.macro TEST n
    li      gp, \n
.endm

.macro CHECK reg, val
    li      t6, \val
    beq     \reg, t6, .Lok\@
    j       __fail
.Lok\@:
.endm

.macro CHECKR reg, reg2
    beq     \reg, \reg2, .Lok\@
    j       __fail
.Lok\@:
.endm

.macro CHECKNE reg, val
    li      t6, \val
    bne     \reg, t6, .Lok\@
    j       __fail
.Lok\@:
.endm

.macro CHECK_CSR csr, val
    csrr    t5, \csr
    CHECK   t5, \val
.endm

.macro FAIL_IF_REACHED
    j       __fail
.endm

.macro TEST_RR n, op, exp, a, b
    TEST    \n
    li      a0, \a
    li      a1, \b
    \op     a2, a0, a1
    CHECK   a2, \exp
.endm

.macro TEST_RI n, op, exp, a, imm
    TEST    \n
    li      a0, \a
    \op     a2, a0, \imm
    CHECK   a2, \exp
.endm

.macro TEST_R n, op, exp, a
    TEST    \n
    li      a0, \a
    \op     a2, a0
    CHECK   a2, \exp
.endm

.macro PASS
    j       __pass
.endm

/*
 * Trap catcher (link common/catch.S).  These macros clobber t4, t5, t6.
 *   CATCH_INIT          mtvec = __catch_trap, mscratch = __catch_area
 *   CATCH_RESET         trap count = 0, cause = -1
 *   CATCH_RESUME_AT l   next trap resumes at label l (instead of skipping)
 *   CHECK_TRAP cause    exactly one trap since CATCH_RESET, with that mcause
 *   CHECK_NO_TRAP       no trap since CATCH_RESET
 *   CHECK_TVAL v / CHECK_EPC_AT label   recorded mtval / mepc
 *   ENTER_S l / ENTER_U l   mret into S / U mode at label l (clobbers t5)
 *   BACK_TO_M           ecall that the catcher turns into "continue in M"
 */
.macro CATCH_INIT
    la      t5, __catch_trap
    csrw    mtvec, t5
    la      t5, __catch_area
    csrw    mscratch, t5
.endm

/* PMP entry 0 = NAPOT over the whole address space, RWX: lets S/U access
   everything (without any PMP entry S/U accesses fail). */
.macro PMP_ALLOW_ALL
    li      t5, -1
    csrw    pmpaddr0, t5
    li      t5, 0x1f
    csrw    pmpcfg0, t5
.endm

/* Switch to S / U mode (MPP, mret) and continue at label (physical). */
.macro ENTER_S label
    li      t5, MSTATUS_MPP
    csrc    mstatus, t5
    li      t5, MSTATUS_MPP_S
    csrs    mstatus, t5
    la      t5, \label
    csrw    mepc, t5
    mret
.endm

.macro ENTER_U label
    li      t5, MSTATUS_MPP
    csrc    mstatus, t5
    la      t5, \label
    csrw    mepc, t5
    mret
.endm

/* From any mode: continue with the next instruction in M-mode. Clobbers a7. */
.macro BACK_TO_M
    li      a7, CATCH_MAGIC
    ecall
.endm

.macro CATCH_RESET
    la      t5, __catch_area
    sd      zero, CATCH_COUNT(t5)
    li      t4, -1
    sd      t4, CATCH_CAUSE(t5)
.endm

.macro CATCH_RESUME_AT label
    la      t5, __catch_area
    la      t4, \label
    sd      t4, CATCH_RESUME(t5)
.endm

.macro CHECK_TRAP cause
    la      t5, __catch_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 1
    ld      t4, CATCH_CAUSE(t5)
    CHECK   t4, \cause
.endm

.macro CHECK_NO_TRAP
    la      t5, __catch_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 0
.endm

.macro CHECK_TVAL val
    la      t5, __catch_area
    ld      t4, CATCH_TVAL(t5)
    CHECK   t4, \val
.endm

.macro CHECK_EPC_AT label
    la      t5, __catch_area
    ld      t4, CATCH_EPC(t5)
    la      t5, \label
    CHECKR  t4, t5
.endm

#endif /* __ASSEMBLER__ */
#endif /* RVEMU_TEST_H */
