/*
 * QEMU-"virt" I/O for validating HTIF guests on QEMU's virt machine (which
 * has no HTIF): strong rv_putc (ns16550a UART at 0x1000_0000) and rv_exit
 * (test finisher at 0x0010_0000) overriding the weak HTIF versions of crt.S.
 * Only linked into the temporary QEMU variants built by `build.py --qemu`;
 * the committed ELFs use HTIF.
 */
    .text
    .globl  rv_putc
rv_putc:
    li      t0, 0x10000000
1:  lbu     t1, 5(t0)
    andi    t1, t1, 0x20
    beqz    t1, 1b
    sb      a0, 0(t0)
    ret

    .globl  rv_exit
rv_exit:
    li      t0, 0x100000
    li      t1, 0x5555
    beqz    a0, 1f
    slli    t1, a0, 16
    li      t2, 0x3333
    or      t1, t1, t2
1:  sw      t1, 0(t0)
2:  j       2b
