/*
 * Runtime pieces of the KVM guests (see kvm_guest.h):
 *   kvm_trap_entry       stvec target: saves every register in a struct frame on
 *                        the stack, calls trap_handler(frame), writes frame->sepc
 *                        back to sepc, restores and returns with sret.
 *   kvm_secondary_entry  where HSM hart_start sends a secondary vCPU: a0 = hart
 *                        id, a1 = opaque.  Sets its own stack and stvec, turns
 *                        the FPU on (FS = Initial), tp = hart id, then calls
 *                        secondary_main(hartid, opaque); parks if it returns.
 *   kvm_fp_fill/check    fill / compare every f register and fflags.
 */
#define FRAME 288          /* 32 regs + sepc + scause + stval, 16-aligned */

    .text
    .balign 4
    .globl  kvm_trap_entry
    .type   kvm_trap_entry, @function
kvm_trap_entry:
    addi    sp, sp, -FRAME
    sd      x1, 8(sp)
    sd      x3, 24(sp)
    sd      x4, 32(sp)
    sd      x5, 40(sp)
    sd      x6, 48(sp)
    sd      x7, 56(sp)
    sd      x8, 64(sp)
    sd      x9, 72(sp)
    sd      x10, 80(sp)
    sd      x11, 88(sp)
    sd      x12, 96(sp)
    sd      x13, 104(sp)
    sd      x14, 112(sp)
    sd      x15, 120(sp)
    sd      x16, 128(sp)
    sd      x17, 136(sp)
    sd      x18, 144(sp)
    sd      x19, 152(sp)
    sd      x20, 160(sp)
    sd      x21, 168(sp)
    sd      x22, 176(sp)
    sd      x23, 184(sp)
    sd      x24, 192(sp)
    sd      x25, 200(sp)
    sd      x26, 208(sp)
    sd      x27, 216(sp)
    sd      x28, 224(sp)
    sd      x29, 232(sp)
    sd      x30, 240(sp)
    sd      x31, 248(sp)
    addi    t0, sp, FRAME
    sd      t0, 16(sp)
    sd      zero, 0(sp)
    csrr    t0, sepc
    sd      t0, 256(sp)
    csrr    t0, scause
    sd      t0, 264(sp)
    csrr    t0, stval
    sd      t0, 272(sp)
    mv      a0, sp
    call    trap_handler
    ld      t0, 256(sp)
    csrw    sepc, t0
    ld      x1, 8(sp)
    ld      x3, 24(sp)
    ld      x4, 32(sp)
    ld      x5, 40(sp)
    ld      x6, 48(sp)
    ld      x7, 56(sp)
    ld      x8, 64(sp)
    ld      x9, 72(sp)
    ld      x10, 80(sp)
    ld      x11, 88(sp)
    ld      x12, 96(sp)
    ld      x13, 104(sp)
    ld      x14, 112(sp)
    ld      x15, 120(sp)
    ld      x16, 128(sp)
    ld      x17, 136(sp)
    ld      x18, 144(sp)
    ld      x19, 152(sp)
    ld      x20, 160(sp)
    ld      x21, 168(sp)
    ld      x22, 176(sp)
    ld      x23, 184(sp)
    ld      x24, 192(sp)
    ld      x25, 200(sp)
    ld      x26, 208(sp)
    ld      x27, 216(sp)
    ld      x28, 224(sp)
    ld      x29, 232(sp)
    ld      x30, 240(sp)
    ld      x31, 248(sp)
    addi    sp, sp, FRAME
    sret

    .balign 4
    .globl  kvm_secondary_entry
    .type   kvm_secondary_entry, @function
kvm_secondary_entry:
    la      sp, kvm_secondary_stack_top
    la      t0, kvm_trap_entry
    csrw    stvec, t0
    li      t0, (1 << 13)           /* sstatus.FS = Initial */
    csrs    sstatus, t0
    mv      tp, a0
    call    secondary_main
1:  wfi
    j       1b


/* kvm_fp_fill(seed): f[i] = seed + i (as raw 64-bit patterns), fflags = seed & 0x1f.
   kvm_fp_check(seed): the number of f registers (and fflags) that differ from that. */
    .balign 4
    .globl  kvm_fp_fill
    .type   kvm_fp_fill, @function
kvm_fp_fill:
    addi    t0, a0, 0
    fmv.d.x f0, t0
    addi    t0, a0, 1
    fmv.d.x f1, t0
    addi    t0, a0, 2
    fmv.d.x f2, t0
    addi    t0, a0, 3
    fmv.d.x f3, t0
    addi    t0, a0, 4
    fmv.d.x f4, t0
    addi    t0, a0, 5
    fmv.d.x f5, t0
    addi    t0, a0, 6
    fmv.d.x f6, t0
    addi    t0, a0, 7
    fmv.d.x f7, t0
    addi    t0, a0, 8
    fmv.d.x f8, t0
    addi    t0, a0, 9
    fmv.d.x f9, t0
    addi    t0, a0, 10
    fmv.d.x f10, t0
    addi    t0, a0, 11
    fmv.d.x f11, t0
    addi    t0, a0, 12
    fmv.d.x f12, t0
    addi    t0, a0, 13
    fmv.d.x f13, t0
    addi    t0, a0, 14
    fmv.d.x f14, t0
    addi    t0, a0, 15
    fmv.d.x f15, t0
    addi    t0, a0, 16
    fmv.d.x f16, t0
    addi    t0, a0, 17
    fmv.d.x f17, t0
    addi    t0, a0, 18
    fmv.d.x f18, t0
    addi    t0, a0, 19
    fmv.d.x f19, t0
    addi    t0, a0, 20
    fmv.d.x f20, t0
    addi    t0, a0, 21
    fmv.d.x f21, t0
    addi    t0, a0, 22
    fmv.d.x f22, t0
    addi    t0, a0, 23
    fmv.d.x f23, t0
    addi    t0, a0, 24
    fmv.d.x f24, t0
    addi    t0, a0, 25
    fmv.d.x f25, t0
    addi    t0, a0, 26
    fmv.d.x f26, t0
    addi    t0, a0, 27
    fmv.d.x f27, t0
    addi    t0, a0, 28
    fmv.d.x f28, t0
    addi    t0, a0, 29
    fmv.d.x f29, t0
    addi    t0, a0, 30
    fmv.d.x f30, t0
    addi    t0, a0, 31
    fmv.d.x f31, t0
    andi    t0, a0, 0x1f
    fsflags t0
    ret

    .balign 4
    .globl  kvm_fp_check
    .type   kvm_fp_check, @function
kvm_fp_check:
    li      a1, 0
    fmv.x.d t0, f0
    addi    t1, a0, 0
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f1
    addi    t1, a0, 1
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f2
    addi    t1, a0, 2
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f3
    addi    t1, a0, 3
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f4
    addi    t1, a0, 4
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f5
    addi    t1, a0, 5
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f6
    addi    t1, a0, 6
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f7
    addi    t1, a0, 7
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f8
    addi    t1, a0, 8
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f9
    addi    t1, a0, 9
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f10
    addi    t1, a0, 10
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f11
    addi    t1, a0, 11
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f12
    addi    t1, a0, 12
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f13
    addi    t1, a0, 13
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f14
    addi    t1, a0, 14
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f15
    addi    t1, a0, 15
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f16
    addi    t1, a0, 16
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f17
    addi    t1, a0, 17
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f18
    addi    t1, a0, 18
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f19
    addi    t1, a0, 19
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f20
    addi    t1, a0, 20
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f21
    addi    t1, a0, 21
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f22
    addi    t1, a0, 22
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f23
    addi    t1, a0, 23
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f24
    addi    t1, a0, 24
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f25
    addi    t1, a0, 25
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f26
    addi    t1, a0, 26
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f27
    addi    t1, a0, 27
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f28
    addi    t1, a0, 28
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f29
    addi    t1, a0, 29
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f30
    addi    t1, a0, 30
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    fmv.x.d t0, f31
    addi    t1, a0, 31
    sub     t0, t0, t1
    snez    t0, t0
    add     a1, a1, t0
    frflags t0
    andi    t1, a0, 0x1f
    sub     t0, t0, t1
    snez    t0, t0
    add     a0, a1, t0
    ret

    .bss
    .balign 16
kvm_secondary_stack:
    .skip   8192
kvm_secondary_stack_top:
