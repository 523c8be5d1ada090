/*
 * rvemu guest start-up code (M-mode, HTIF).
 *
 *   _start      hart 0 only (others park in wfi); sp = __stack_top,
 *               mtvec = __default_trap, FPU enabled (mstatus.FS) when misa.F,
 *               .bss cleared, then  main(a0 = hart id, a1 = FDT address);
 *               main's return value becomes the exit code (0 = pass).
 *   rv_exit     exit(code): HTIF tohost = (code << 1) | 1.        [weak]
 *   rv_putc     write one byte via the HTIF console (device 1, cmd 1). [weak]
 *   rv_puts     write a NUL-terminated string with rv_putc.
 *   rv_puthex   write a0 as 0x%016x.      rv_putdec  write a0 unsigned decimal.
 *   rv_fail     print "FAIL: check <a0>" and exit with code a0.
 *   __fail      the same with the check number taken from gp (assembly tests).
 *   __pass      exit(0).
 *   __default_trap  any unexpected trap: prints mcause/mepc/mtval and the
 *               current check number (gp), exits with gp (or 0xfff if gp == 0).
 *
 * rv_exit and rv_putc are weak so a guest can retarget them (UART, finisher).
 * Only t0-t2/a0 are clobbered by rv_putc; the print helpers preserve s-regs.
 * gp is NOT the ABI global pointer here: it holds the current check number.
 */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norvc
    mv      s0, a0
    mv      s1, a1
    csrr    t0, mhartid
    bnez    t0, .Lpark
    li      gp, 0
    la      sp, __stack_top
    la      t0, __default_trap
    csrw    mtvec, t0
    csrr    t0, misa
    andi    t0, t0, (1 << 5)        /* 'F' */
    beqz    t0, 1f
    li      t0, (1 << 13)           /* mstatus.FS = Initial */
    csrs    mstatus, t0
    csrwi   fcsr, 0
1:
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
.Lpark:
    wfi
    j       .Lpark
    .option pop

    .text
    .weak   rv_exit
    .type   rv_exit, @function
rv_exit:
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
1:  sd      a0, 0(t0)
    j       1b

    .weak   rv_putc
    .type   rv_putc, @function
rv_putc:
    li      t0, 0x0101000000000000
    andi    a0, a0, 0xff
    or      t0, t0, a0
    la      t1, tohost
    sd      t0, 0(t1)
1:  ld      t2, 0(t1)
    bnez    t2, 1b
    la      t1, fromhost
    sd      zero, 0(t1)
    ret

#include "lib.inc"

    .balign 4
    .globl  __default_trap
__default_trap:
    la      sp, __trap_stack_top
    la      a0, .Lmsg_trap
    call    rv_puts
    csrr    a0, mcause
    call    rv_puthex
    la      a0, .Lmsg_mepc
    call    rv_puts
    csrr    a0, mepc
    call    rv_puthex
    la      a0, .Lmsg_mtval
    call    rv_puts
    csrr    a0, mtval
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
    .balign 8
.Lmsg_trap:   .asciz "unexpected trap: mcause="
.Lmsg_mepc:   .asciz " mepc="
.Lmsg_mtval:  .asciz " mtval="
.Lmsg_check:  .asciz " check="

    /* HTIF mailbox (QEMU requires 8-byte sized symbols). */
    .section .tohost, "aw", @progbits
    .balign 64
    .globl  tohost
    .type   tohost, @object
    .size   tohost, 8
tohost:   .dword 0
    .balign 64
    .globl  fromhost
    .type   fromhost, @object
    .size   fromhost, 8
fromhost: .dword 0
