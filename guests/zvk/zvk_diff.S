/* Harness for zvk_diff.c: run one instruction word with a given vtype/AVL on a register
 * file loaded from memory, then store the register file back.
 *
 *   long zd_run(a0 = vtype, a1 = avl, a2 = registers in (32 x vlenb bytes),
 *               a3 = registers out, a4 = x28..x31 values[4]) -> mcause of a trap, or 0
 *
 * The word is in zd_slot (written by the caller, followed by fence.i); a trap in the slot
 * comes back through zd_trap, which records mcause and resumes after the slot. */
    .text
    .globl zd_run
zd_run:
    addi sp, sp, -16
    sd ra, 0(sp)
    la t0, zd_cause
    sd zero, 0(t0)
    la t0, zd_trap
    csrw mtvec, t0
    vsetvl t1, a1, a0
    csrr t2, vlenb
    slli t2, t2, 3                  /* bytes in 8 registers */
    mv t0, a2
    vl8re8.v v0, (t0)
    add t0, t0, t2
    vl8re8.v v8, (t0)
    add t0, t0, t2
    vl8re8.v v16, (t0)
    add t0, t0, t2
    vl8re8.v v24, (t0)
    ld x28, 0(a4)
    ld x29, 8(a4)
    ld x30, 16(a4)
    ld x31, 24(a4)
    call zd_slot
    csrr t2, vlenb
    slli t2, t2, 3
    mv t0, a3
    vs8r.v v0, (t0)
    add t0, t0, t2
    vs8r.v v8, (t0)
    add t0, t0, t2
    vs8r.v v16, (t0)
    add t0, t0, t2
    vs8r.v v24, (t0)
    la t0, __default_trap
    csrw mtvec, t0
    la t0, zd_cause
    ld a0, 0(t0)
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

    .balign 4
zd_trap:
    csrw mscratch, t0
    la t0, zd_cause
    csrr t1, mcause
    sd t1, 0(t0)
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    csrr t0, mscratch
    mret

    .data
    .balign 8
zd_cause: .dword 0
    .balign 16
    .globl zd_slot
zd_slot:
    .word 0x00000013                /* the instruction under test (nop until written) */
    ret
