/*
 * traps: synchronous exceptions, delegation and trap returns.
 *   1-3    ecall from M / S / U: mcause 11 / 9 / 8, mepc, mtval = 0, MPP
 *   4-6    illegal instruction: mtval = instruction bits (32-bit and 16-bit),
 *          ebreak (cause 3, mepc; mtval 0 or pc)
 *   7-9    access faults on load / store / fetch (address 0x7fff_f000, not
 *          backed by any device): cause 5 / 7 / 1, mtval = address
 *   10-14  trap entry (MPIE = old MIE, MIE = 0, MPP), mret (MIE = MPIE,
 *          MPIE = 1, MPP = U, MPRV cleared when returning below M), mret to
 *          S and U, mepc[0] reads 0, jalr to a 2-byte aligned target is fine
 *   15     vectored mtvec: exceptions go to BASE
 *   20-29  medeleg: illegal / ebreak / ecall-U taken from U or S are handled
 *          in S with scause / sepc / stval; SPP, SPIE, SIE updated; M not
 *          involved; the same exceptions in M are never delegated
 *   30-34  sret to U / S, SIE = SPIE, SPIE = 1, SPP = U; vectored stvec
 *   40-47  privileged instructions in the wrong mode: sret in U, mret in
 *          S / U, TSR (sret in S), TW (wfi in S), TVM (satp, sfence.vma)
 *   48     sstatus is a restricted view of mstatus
 * Not covered: misaligned instruction fetch (cannot occur with C enabled:
 * jalr clears bit 0 and every other target is 2-byte aligned).
 */
#include "test.h"

#define BAD_ADDR 0x7ffff000
#define S_MAGIC  CATCH_MAGIC

.macro S_RESET
    la      t5, s_area
    sd      zero, CATCH_COUNT(t5)
    li      t4, -1
    sd      t4, CATCH_CAUSE(t5)
.endm
.macro S_CHECK_TRAP cause
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 1
    ld      t4, CATCH_CAUSE(t5)
    CHECK   t4, \cause
.endm
.macro S_CHECK_NO_TRAP
    la      t5, s_area
    ld      t4, CATCH_COUNT(t5)
    CHECK   t4, 0
.endm
.macro S_CHECK_TVAL val
    la      t5, s_area
    ld      t4, CATCH_TVAL(t5)
    CHECK   t4, \val
.endm
.macro S_CHECK_EPC_AT label
    la      t5, s_area
    ld      t4, CATCH_EPC(t5)
    la      t5, \label
    CHECKR  t4, t5
.endm

    .text
    .globl  main
main:
    CATCH_INIT
    PMP_ALLOW_ALL
    la      t0, s_catch
    csrw    stvec, t0
    la      t0, s_area
    csrw    sscratch, t0
    csrw    medeleg, zero
    csrw    mideleg, zero

    /* ---------------- ecall ---------------- */
    TEST    1
    CATCH_RESET
    li      a7, 0
.Lecall_m:
    ecall
    CHECK_TRAP CAUSE_ECALL_M
    CHECK_EPC_AT .Lecall_m
    CHECK_TVAL 0
    TEST    2
    CATCH_RESET
    ENTER_S 1f
1:
    li      a7, 0
.Lecall_s:
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_S
    CHECK_EPC_AT .Lecall_s
    CHECK_TVAL 0
    TEST    3
    CATCH_RESET
    ENTER_U 1f
1:
    li      a7, 0
.Lecall_u:
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_U
    CHECK_EPC_AT .Lecall_u
    la      t5, __catch_area
    ld      t4, CATCH_MSTATUS(t5)
    li      t3, MSTATUS_MPP
    and     t4, t4, t3
    CHECK   t4, 0                   /* MPP = U */

    /* ---------------- illegal / ebreak ---------------- */
    TEST    4
    CATCH_RESET
.Lill32:
    .word   0xfe000033              /* OP with funct7 = 0x7f: reserved */
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CHECK_EPC_AT .Lill32
    CHECK_TVAL 0xfe000033
    TEST    5
    CATCH_RESET
.Lill16:
    .2byte  0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CHECK_EPC_AT .Lill16
    CHECK_TVAL 0
    TEST    6
    CATCH_RESET
.Lebreak:
    .option push
    .option norvc
    ebreak
    .option pop
    CHECK_TRAP CAUSE_BREAKPOINT
    CHECK_EPC_AT .Lebreak
    la      t5, __catch_area
    ld      t4, CATCH_TVAL(t5)
    beqz    t4, 1f
    la      t3, .Lebreak
    CHECKR  t4, t3
1:
    /* ---------------- access faults ---------------- */
    TEST    7
    CATCH_RESET
    li      a0, BAD_ADDR
    ld      a1, 0(a0)
    CHECK_TRAP CAUSE_LOAD_ACCESS
    CHECK_TVAL BAD_ADDR
    TEST    8
    CATCH_RESET
    sw      a1, 8(a0)
    CHECK_TRAP CAUSE_STORE_ACCESS
    CHECK_TVAL BAD_ADDR + 8
    TEST    9
    CATCH_RESET
    CATCH_RESUME_AT 1f
    jalr    ra, 0(a0)
    FAIL_IF_REACHED
1:  CHECK_TRAP CAUSE_FETCH_ACCESS
    CHECK_TVAL BAD_ADDR
    la      t5, __catch_area
    ld      t4, CATCH_EPC(t5)
    CHECK   t4, BAD_ADDR

    /* ---------------- trap entry / mret ---------------- */
    TEST    10                      /* entry: MPIE = MIE, MIE = 0, MPP = M */
    csrw    mie, zero
    li      t0, MSTATUS_MPIE
    csrc    mstatus, t0
    csrsi   mstatus, MSTATUS_MIE
    CATCH_RESET
    li      a7, 0
    ecall
    CHECK_TRAP CAUSE_ECALL_M
    la      t5, __catch_area
    ld      t4, CATCH_MSTATUS(t5)
    andi    t3, t4, MSTATUS_MIE
    CHECK   t3, 0
    andi    t3, t4, MSTATUS_MPIE
    CHECK   t3, MSTATUS_MPIE
    li      t3, MSTATUS_MPP
    and     t3, t4, t3
    CHECK   t3, MSTATUS_MPP_M
    csrr    t4, mstatus             /* mret restored MIE = 1, MPIE = 1 */
    andi    t3, t4, MSTATUS_MIE | MSTATUS_MPIE
    CHECK   t3, MSTATUS_MIE | MSTATUS_MPIE
    csrci   mstatus, MSTATUS_MIE
    TEST    11                      /* mret to M with MPIE = 0 */
    li      t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc    mstatus, t0
    li      t0, MSTATUS_MPP_M
    csrs    mstatus, t0
    csrsi   mstatus, MSTATUS_MIE
    la      t0, 1f
    csrw    mepc, t0
    mret
    FAIL_IF_REACHED
1:  csrr    t4, mstatus
    andi    t3, t4, MSTATUS_MIE
    CHECK   t3, 0
    andi    t3, t4, MSTATUS_MPIE
    CHECK   t3, MSTATUS_MPIE
    li      t3, MSTATUS_MPP
    and     t3, t4, t3
    CHECK   t3, 0                   /* least-privileged mode: U */
    TEST    12                      /* mret to S clears MPRV */
    li      t0, MSTATUS_MPRV
    csrs    mstatus, t0
    CATCH_RESET
    li      a7, 0
    ENTER_S 1f
1:  ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_S
#ifndef QEMU_QUIRKS     /* QEMU 7.2 leaves MPRV set (priv 1.12 clears it) */
    la      t5, __catch_area
    ld      t4, CATCH_MSTATUS(t5)
    li      t3, MSTATUS_MPRV
    and     t4, t4, t3
    CHECK   t4, 0
#endif
    li      t0, MSTATUS_MPRV
    csrc    mstatus, t0
#ifndef QEMU_QUIRKS     /* QEMU 7.2 keeps bit 0 of mepc / sepc */
    TEST    13                      /* mepc[0] is always 0 */
    li      t0, 0x80000003
    csrw    mepc, t0
    csrr    t1, mepc
    CHECK   t1, 0x80000002
    csrw    sepc, t0
    csrr    t1, sepc
    CHECK   t1, 0x80000002
#endif
    TEST    14                      /* mret to a 2-byte aligned address */
    la      t0, .Lhalf
    csrw    mepc, t0
    li      t0, MSTATUS_MPP_M
    csrs    mstatus, t0
    mret
    FAIL_IF_REACHED
    .balign 4
    .option push
    .option rvc
    c.nop
.Lhalf:
    c.nop
    .option pop
    TEST    15                      /* vectored mtvec: exceptions to BASE */
    la      t0, __catch_trap
    ori     t0, t0, 1
    csrw    mtvec, t0
    csrr    t1, mtvec
    CHECKR  t1, t0
    CATCH_RESET
    li      a7, 0
    ecall
    CHECK_TRAP CAUSE_ECALL_M
    CATCH_INIT

    /* ---------------- delegation ---------------- */
    li      t0, (1 << CAUSE_ILLEGAL_INSN) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ECALL_U)
    csrw    medeleg, t0
    csrr    t1, medeleg
    and     t1, t1, t0
    CHECKR  t1, t0
    TEST    20                      /* illegal in U -> S */
    CATCH_RESET
    S_RESET
    csrsi   sstatus, MSTATUS_SIE    /* SIE = 1 before the trap */
    ENTER_U 1f
1:
.Ldeleg_u:
    .word   0xfe000033
    BACK_TO_M
    BACK_TO_M
    CHECK_NO_TRAP
    S_CHECK_TRAP CAUSE_ILLEGAL_INSN
    S_CHECK_EPC_AT .Ldeleg_u
    S_CHECK_TVAL 0xfe000033
    TEST    21                      /* sstatus at the trap: SPP = U, SPIE = 1, SIE = 0 */
    la      t5, s_area
    ld      t4, CATCH_MSTATUS(t5)
    andi    t3, t4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    CHECK   t3, MSTATUS_SPIE
    TEST    22                      /* ebreak in S -> S, SPP = S */
    CATCH_RESET
    S_RESET
    csrci   sstatus, MSTATUS_SIE
    ENTER_S 1f
1:
.Ldeleg_s:
    .option push
    .option norvc
    ebreak
    .option pop
    BACK_TO_M
    CHECK_NO_TRAP
    S_CHECK_TRAP CAUSE_BREAKPOINT
    S_CHECK_EPC_AT .Ldeleg_s
    la      t5, s_area
    ld      t4, CATCH_MSTATUS(t5)
    andi    t3, t4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    CHECK   t3, MSTATUS_SPP
    TEST    23                      /* ecall from U -> S with scause 8 */
    CATCH_RESET
    S_RESET
    ENTER_U 1f
1:
    li      a7, 0
.Ldeleg_ecall:
    ecall
    BACK_TO_M
    BACK_TO_M
    CHECK_NO_TRAP
    S_CHECK_TRAP CAUSE_ECALL_U
    S_CHECK_EPC_AT .Ldeleg_ecall
    TEST    24                      /* ecall from S is not delegated (bit 9 clear) */
    CATCH_RESET
    S_RESET
    ENTER_S 1f
1:  li      a7, 0
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_S
    S_CHECK_NO_TRAP
    TEST    25                      /* exceptions in M are never delegated */
    CATCH_RESET
    S_RESET
    .word   0xfe000033
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    S_CHECK_NO_TRAP
    TEST    26                      /* M-mode registers untouched by an S trap */
    li      t0, 0x1234
    csrw    mtval, t0
    S_RESET
    ENTER_U 1f
1:  .word   0xfe000033
    BACK_TO_M
    BACK_TO_M
    csrr    t1, mtval
    CHECK   t1, 0                   /* BACK_TO_M ecall wrote mtval = 0 */
    S_CHECK_TRAP CAUSE_ILLEGAL_INSN
    csrw    medeleg, zero

    /* ---------------- sret ---------------- */
    TEST    30                      /* sret to U */
    CATCH_RESET
    ENTER_S 1f
1:  li      t0, MSTATUS_SPP
    csrc    sstatus, t0
    la      t0, 2f
    csrw    sepc, t0
    sret
    FAIL_IF_REACHED
2:  li      a7, 0
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_U
    TEST    31                      /* sret to S: SIE = SPIE, SPIE = 1, SPP = U */
    CATCH_RESET
    ENTER_S 1f
1:  li      t0, MSTATUS_SPP | MSTATUS_SPIE
    csrs    sstatus, t0
    csrci   sstatus, MSTATUS_SIE
    la      t0, 2f
    csrw    sepc, t0
    sret
    FAIL_IF_REACHED
2:  csrr    s2, sstatus
    li      a7, 0
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_S
    andi    t3, s2, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    CHECK   t3, MSTATUS_SPIE | MSTATUS_SIE
    csrci   sstatus, MSTATUS_SIE
    TEST    32                      /* sret from M also works (to S) */
    li      t0, MSTATUS_SPP
    csrs    mstatus, t0
    la      t0, 1f
    csrw    sepc, t0
    CATCH_RESET
    sret
    FAIL_IF_REACHED
1:  li      a7, 0
    ecall
    BACK_TO_M
    CHECK_TRAP CAUSE_ECALL_S
    TEST    33                      /* vectored stvec: exceptions to BASE */
    la      t0, s_catch
    ori     t0, t0, 1
    csrw    stvec, t0
    li      t0, 1 << CAUSE_BREAKPOINT
    csrw    medeleg, t0
    S_RESET
    ENTER_S 1f
1:  .option push
    .option norvc
    ebreak
    .option pop
    BACK_TO_M
    S_CHECK_TRAP CAUSE_BREAKPOINT
    csrw    medeleg, zero
    la      t0, s_catch
    csrw    stvec, t0

    /* ---------------- privileged instructions in the wrong mode -------- */
    TEST    40                      /* sret in U */
    CATCH_RESET
    ENTER_U 1f
1:  sret
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    41                      /* mret in S */
    CATCH_RESET
    ENTER_S 1f
1:  mret
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CHECK_TVAL 0x30200073
    TEST    42                      /* mret in U */
    CATCH_RESET
    ENTER_U 1f
1:  mret
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    43                      /* TSR: sret in S */
    li      t0, MSTATUS_TSR
    csrs    mstatus, t0
    CATCH_RESET
    ENTER_S 1f
1:  sret
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    li      t0, MSTATUS_TSR
    csrc    mstatus, t0
    TEST    44                      /* TW: wfi in S */
    li      t0, MSTATUS_TW
    csrs    mstatus, t0
    CATCH_RESET
    ENTER_S 1f
1:  wfi
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    li      t0, MSTATUS_TW
    csrc    mstatus, t0
    TEST    45                      /* TVM: satp and sfence.vma in S */
    li      t0, MSTATUS_TVM
    csrs    mstatus, t0
    CATCH_RESET
    ENTER_S 1f
1:  csrr    a0, satp
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    ENTER_S 1f
1:  sfence.vma
    BACK_TO_M
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    46                      /* TVM does not affect M */
    CATCH_RESET
    csrr    a0, satp
    sfence.vma
    CHECK_NO_TRAP
    li      t0, MSTATUS_TVM
    csrc    mstatus, t0
    TEST    47                      /* without TVM, S may use satp / sfence */
    CATCH_RESET
    ENTER_S 1f
1:  csrr    a0, satp
    sfence.vma
    BACK_TO_M
    CHECK_NO_TRAP
    TEST    48                      /* sstatus view of mstatus */
    csrsi   sstatus, MSTATUS_SIE
    csrr    t0, mstatus
    andi    t0, t0, MSTATUS_SIE
    CHECK   t0, MSTATUS_SIE
    csrci   mstatus, MSTATUS_SIE
    csrr    t0, sstatus
    andi    t0, t0, MSTATUS_SIE
    CHECK   t0, 0
    li      t0, MSTATUS_MPP         /* M-only fields are invisible */
    csrs    mstatus, t0
    csrr    t1, sstatus
    and     t1, t1, t0
    CHECK   t1, 0
    PASS

/*
 * S-mode catcher: like the M one (same area layout).  An ecall from U with
 * a7 == S_MAGIC (a BACK_TO_M that was delegated) continues in S after it.
 */
    .balign 4
s_catch:
    csrrw   t0, sscratch, t0
    sd      t1, CATCH_SAVE1(t0)
    sd      t2, CATCH_SAVE2(t0)
    csrr    t1, scause
    li      t2, S_MAGIC
    bne     a7, t2, 4f
    li      t2, CAUSE_ECALL_U
    bne     t1, t2, 4f
    li      t2, MSTATUS_SPP
    csrs    sstatus, t2
    csrr    t2, sepc
    addi    t2, t2, 4
    j       3f
4:  sd      t1, CATCH_CAUSE(t0)
    csrr    t2, sepc
    sd      t2, CATCH_EPC(t0)
    csrr    t2, stval
    sd      t2, CATCH_TVAL(t0)
    csrr    t2, sstatus
    sd      t2, CATCH_MSTATUS(t0)
    ld      t2, CATCH_COUNT(t0)
    addi    t2, t2, 1
    sd      t2, CATCH_COUNT(t0)
    csrr    t2, sepc
    lhu     t1, 0(t2)
    andi    t1, t1, 3
    addi    t2, t2, 2
    addi    t1, t1, -3
    bnez    t1, 3f
    addi    t2, t2, 2
3:  csrw    sepc, t2
    ld      t1, CATCH_SAVE1(t0)
    ld      t2, CATCH_SAVE2(t0)
    csrrw   t0, sscratch, t0
    sret

    .data
    .balign 64
s_area:
    .zero   CATCH_SIZE
