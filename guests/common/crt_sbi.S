/*
 * rvemu S-mode payload start-up (run with `rvemu run --sbi payload.elf`).
 *
 *   _start   entered in S-mode with a0 = hart id, a1 = FDT.  Sets sp,
 *            stvec = __default_trap, enables the FPU (sstatus.FS), clears
 *            .bss and calls main(hartid, fdt); its return value is the exit
 *            code (0 = pass).
 *   rv_putc  SBI DBCN write_byte (EID 0x4442434E, FID 2); if the SBI reports
 *            an error (DBCN absent) falls back to legacy putchar (EID 1).
 *   rv_exit  prints nothing; SRST system_reset(shutdown, reason = code ? 1 : 0);
 *            falls back to legacy shutdown (EID 8), then spins.
 * Plus the helpers of lib.inc (rv_puts, rv_puthex, rv_putdec, rv_fail,
 * __fail, __pass).  Non-boot harts (a0 != first hart to arrive) just spin.
 */
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_SRST 0x53525354

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norvc
    mv      s0, a0
    mv      s1, a1
    li      gp, 0
    la      sp, __stack_top
    la      t0, __default_trap
    csrw    stvec, t0
    li      t0, (1 << 13)           /* sstatus.FS = Initial */
    csrs    sstatus, t0
    la      t0, __bss_start
    la      t1, __bss_end
2:  bgeu    t0, t1, 3f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       2b
3:
    mv      a0, s0
    mv      a1, s1
    call    main
    j       rv_exit
    .option pop

    .text
    .weak   rv_putc
    .type   rv_putc, @function
rv_putc:
    andi    a0, a0, 0xff
    mv      t0, a0
    li      a7, SBI_EXT_DBCN
    li      a6, 2
    ecall
    beqz    a0, 1f
    mv      a0, t0                  /* DBCN failed: legacy console_putchar */
    li      a7, 1
    li      a6, 0
    ecall
1:  ret

    .weak   rv_exit
    .type   rv_exit, @function
rv_exit:
    snez    a1, a0                  /* reason: 0 none, 1 system failure */
    li      a0, 0                   /* type: shutdown */
    li      a7, SBI_EXT_SRST
    li      a6, 0
    ecall
    li      a7, 8                   /* legacy shutdown */
    ecall
1:  wfi
    j       1b

#include "lib.inc"

    .balign 4
    .globl  __default_trap
__default_trap:
    la      sp, __trap_stack_top
    la      a0, .Lmsg_trap
    call    rv_puts
    csrr    a0, scause
    call    rv_puthex
    la      a0, .Lmsg_sepc
    call    rv_puts
    csrr    a0, sepc
    call    rv_puthex
    la      a0, .Lmsg_stval
    call    rv_puts
    csrr    a0, stval
    call    rv_puthex
    la      a0, .Lmsg_check
    call    rv_puts
    mv      a0, gp
    call    rv_putdec
    li      a0, '\n'
    call    rv_putc
    mv      a0, gp
    bnez    a0, 1f
    li      a0, 0xfff
1:  j       rv_exit

    .section .rodata
.Lmsg_trap:   .asciz "unexpected trap: scause="
.Lmsg_sepc:   .asciz " sepc="
.Lmsg_stval:  .asciz " stval="
.Lmsg_check:  .asciz " check="
