/*
 * Runtime pieces of the KVM guests (see kvm_guest.h):
 *   kvm_trap_entry       stvec target: saves every register in a struct frame on
 *                        the stack, calls trap_handler(frame), writes frame->sepc
 *                        back to sepc, restores and returns with sret.
 *   kvm_secondary_entry  where HSM hart_start sends a secondary vCPU: a0 = hart
 *                        id, a1 = opaque.  Sets its own stack and stvec, then
 *                        calls secondary_main(hartid, opaque); parks if it returns.
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
    call    secondary_main
1:  wfi
    j       1b

    .bss
    .balign 16
kvm_secondary_stack:
    .skip   8192
kvm_secondary_stack_top:
