/*
 * smp_sbi: an S-mode payload that brings up the other harts through the SBI (HSM), the
 * way an OS does. Runs on rvemu's built-in SBI (`rvemu run --sbi --harts N`) and under
 * OpenSBI (`--bios fw_jump.elf --kernel smp_sbi.elf --harts N`). Hart 0 enters main; the
 * hart count is found with hart_get_status (the first id it rejects).
 *   1  HSM is there (probe_extension)
 *   2  every other hart is STOPPED at first (hart_get_status = 1)
 *   3  hart_start(i, secondary_entry, 0x1000 + i) succeeds; the hart arrives (a0 = i,
 *      a1 = opaque, sstatus.SIE = 0, satp = 0) and hart_get_status says STARTED
 *   4  hart_start of a started hart: SBI_ERR_ALREADY_AVAILABLE
 *   5  sbi_send_ipi to all the others (mask, base 0) and to each alone (mask 1, base i):
 *      each secondary takes them as supervisor software interrupts
 *   6  sbi_remote_fence_i to all the others succeeds
 *   7  the secondaries hart_stop; hart_get_status says STOPPED
 *   8  hart 1 can be started again (and stops again)
 *   9  a secondary found something wrong (`error` = hart << 8 | check)
 *  10  hart_get_status of a hart that does not exist: SBI_ERR_INVALID_PARAM
 */
#include "test.h"

#define EID_BASE    0x10
#define EID_IPI     0x735049
#define EID_RFENCE  0x52464E43
#define EID_HSM     0x48534D
#define MAX_HARTS   8
#define IPI_ROUNDS  3

.macro SBI eid, fid
    li      a7, \eid
    li      a6, \fid
    ecall
.endm

    .text
    .globl  main
main:
    addi    sp, sp, -16
    sd      ra, 0(sp)
    TEST    1
    li      a0, EID_HSM
    SBI     EID_BASE, 3
    CHECK   a0, 0
    CHECK   a1, 1
    /* count the harts: hart_get_status(i) until it fails */
    li      s1, 1
1:  li      t0, MAX_HARTS
    bgeu    s1, t0, 2f
    mv      a0, s1
    SBI     EID_HSM, 2
    bnez    a0, 2f
    TEST    2
    CHECK   a1, 1                   /* STOPPED */
    addi    s1, s1, 1
    j       1b
2:  TEST    10
    li      t0, MAX_HARTS
    bgeu    s1, t0, 21f
    mv      a0, s1
    SBI     EID_HSM, 2
    CHECK   a0, -3                  /* SBI_ERR_INVALID_PARAM */
21: la      t0, nharts_seen
    sd      s1, 0(t0)
    /* start them all */
    li      s2, 1
3:  bgeu    s2, s1, 5f
    TEST    3
    mv      a0, s2
    la      a1, secondary_entry
    li      a2, 0x1000
    add     a2, a2, s2              /* opaque = 0x1000 + i */
    SBI     EID_HSM, 0
    CHECK   a0, 0
    li      t1, 1
    sll     t1, t1, s2
4:  ld      t0, arrived
    and     t0, t0, t1
    beqz    t0, 4b
41: mv      a0, s2                  /* STARTED (START_PENDING may still show briefly) */
    SBI     EID_HSM, 2
    CHECK   a0, 0
    bnez    a1, 41b
    TEST    4
    mv      a0, s2
    la      a1, secondary_entry
    li      a2, 0
    SBI     EID_HSM, 0
    CHECK   a0, -6                  /* SBI_ERR_ALREADY_AVAILABLE */
    addi    s2, s2, 1
    j       3b
5:  /* IPIs */
    TEST    5
    li      s3, 0                   /* rounds done */
51: li      t0, IPI_ROUNDS
    bgeu    s3, t0, 55f
    li      a0, 1
    sll     a0, a0, s1
    addi    a0, a0, -2              /* harts 1..n-1 */
    li      a1, 0
    SBI     EID_IPI, 0
    CHECK   a0, 0
    addi    s3, s3, 1
    call    wait_ipis
    j       51b
55: li      s2, 1                   /* and one to each alone: mask 1, base i */
56: bgeu    s2, s1, 6f
    li      a0, 1
    mv      a1, s2
    SBI     EID_IPI, 0
    CHECK   a0, 0
    li      t1, IPI_ROUNDS + 1
    la      t0, ipi_count
    slli    t2, s2, 3
    add     t0, t0, t2
57: ld      t2, 0(t0)
    bltu    t2, t1, 57b
    addi    s2, s2, 1
    j       56b
6:  TEST    6
    li      a0, 1
    sll     a0, a0, s1
    addi    a0, a0, -2
    li      a1, 0
    SBI     EID_RFENCE, 0
    CHECK   a0, 0
    /* stop them all */
    TEST    7
    la      t0, stop_req
    li      t1, 1
    sd      t1, 0(t0)
    li      a0, 1                   /* wake them (they wait in WFI) */
    sll     a0, a0, s1
    addi    a0, a0, -2
    li      a1, 0
    SBI     EID_IPI, 0
    CHECK   a0, 0
    li      s2, 1
7:  bgeu    s2, s1, 8f
71: mv      a0, s2
    SBI     EID_HSM, 2
    CHECK   a0, 0
    li      t0, 1                   /* STOPPED (STOP_PENDING may show first) */
    bne     a1, t0, 71b
    addi    s2, s2, 1
    j       7b
8:  /* hart 1 again: it arrives a second time, and stops */
    li      t0, 2
    bltu    s1, t0, 9f
    TEST    8
    la      t0, stop_req
    sd      zero, 0(t0)
    li      a0, 1
    la      a1, secondary_entry
    li      a2, 0x1001
    SBI     EID_HSM, 0
    CHECK   a0, 0
81: ld      t0, arrivals
    addi    t1, s1, -1              /* n - 1 first arrivals, then this one */
    bleu    t0, t1, 81b
    la      t0, stop_req
    li      t1, 1
    sd      t1, 0(t0)
    li      a0, 1
    li      a1, 1
    SBI     EID_IPI, 0
82: li      a0, 1
    SBI     EID_HSM, 2
    CHECK   a0, 0
    li      t0, 1
    bne     a1, t0, 82b
9:  TEST    9
    ld      t0, error
    CHECK   t0, 0
    la      a0, msg_ok
    call    rv_puts
    ld      ra, 0(sp)
    addi    sp, sp, 16
    li      a0, 0
    ret

/* wait until every secondary has taken s3 IPIs */
wait_ipis:
    li      t2, 1
1:  bgeu    t2, s1, 3f
    la      t0, ipi_count
    slli    t1, t2, 3
    add     t0, t0, t1
2:  ld      t1, 0(t0)
    bltu    t1, s3, 2b
    addi    t2, t2, 1
    j       1b
3:  ret

/* ---- the other harts: entered in S-mode by hart_start ---- */
    .balign 4
secondary_entry:
    mv      s0, a0                  /* hart id */
    la      sp, stacks
    addi    t0, s0, 1
    slli    t0, t0, 12
    add     sp, sp, t0
    li      a0, 3
    li      t0, 0x1000
    add     t0, t0, s0
    bne     a1, t0, sec_error       /* opaque */
    csrr    t0, sstatus
    andi    t0, t0, 2
    bnez    t0, sec_error           /* sstatus.SIE = 0 */
    csrr    t0, satp
    bnez    t0, sec_error
    la      t0, sec_trap
    csrw    stvec, t0
    li      t0, 2                   /* sie.SSIE */
    csrw    sie, t0
    li      t1, 1
    sll     t1, t1, s0
    la      t0, arrived
    amoor.d zero, t1, (t0)
    la      t0, arrivals
    li      t1, 1
    amoadd.d zero, t1, (t0)
    csrsi   sstatus, 2              /* SIE: take the IPIs */
1:  ld      t0, stop_req
    bnez    t0, 2f
    wfi
    j       1b
2:  csrci   sstatus, 2
    SBI     EID_HSM, 1              /* hart_stop: does not return */
    li      a0, 7
sec_error:
    slli    t0, s0, 8
    or      a0, a0, t0
    la      t0, error
    amoswap.d zero, a0, (t0)
3:  wfi
    j       3b

    .balign 4
sec_trap:
    addi    sp, sp, -16
    sd      t0, 0(sp)
    sd      t1, 8(sp)
    csrr    t0, scause
    li      t1, (1 << 63) | 1
    bne     t0, t1, 1f
    csrci   sip, 2                  /* clear SSIP */
    la      t0, ipi_count
    slli    t1, s0, 3
    add     t0, t0, t1
    li      t1, 1
    amoadd.d zero, t1, (t0)
    ld      t0, 0(sp)
    ld      t1, 8(sp)
    addi    sp, sp, 16
    sret
1:  li      a0, 5
    j       sec_error

    .section .rodata
msg_ok: .asciz "smp_sbi: all harts started, interrupted and stopped\n"

    .data
    .balign 8
nharts_seen: .dword 0
arrived:     .dword 0
arrivals:    .dword 0
stop_req:    .dword 0
error:       .dword 0
ipi_count:   .fill MAX_HARTS, 8, 0

    .bss
    .balign 4096
stacks:      .fill MAX_HARTS * 4096, 1, 0
