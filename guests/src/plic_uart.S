/*
 * plic_uart: interrupt-driven console input through the PLIC (M-mode, hart 0 context 0).
 * The UART (ns16550a, PLIC source 10 as on QEMU's virt board) raises "received data"
 * (IER bit 0); the handler claims the source, echoes every received byte, completes it.
 * The guest sleeps in WFI until a newline arrives. Run it with console input, e.g.
 * `printf 'hi\n' | rvemu run guests/plic_uart.elf`.
 *   1  a claim with nothing pending returns 0
 *   2  priorities / enables / threshold read back
 *   3  the trap was not machine external interrupt (mcause 0x800...0b)
 *   4  the claim did not name source 10
 *   5  no interrupt was taken
 *   6  a claim after completion (line low) returns 0
 */
#include "test.h"

#define PLIC        0x0c000000
#define PLIC_PRIO10 (PLIC + 4 * 10)
#define PLIC_EN0    (PLIC + 0x2000)
#define PLIC_TH0    (PLIC + 0x200000)
#define PLIC_CLAIM0 (PLIC + 0x200004)
#define UART        0x10000000

    .text
    .globl  main
main:
    TEST    1
    li      t0, PLIC_CLAIM0
    lw      a0, 0(t0)
    CHECK   a0, 0

    TEST    2
    la      t0, irq_handler
    csrw    mtvec, t0
    li      t0, PLIC_PRIO10
    li      t1, 1
    sw      t1, 0(t0)
    lw      a0, 0(t0)
    CHECK   a0, 1
    li      t0, PLIC_EN0
    li      t1, 1 << 10
    sw      t1, 0(t0)
    lw      a0, 0(t0)
    CHECK   a0, 1 << 10
    li      t0, PLIC_TH0
    sw      zero, 0(t0)
    li      t0, UART
    li      t1, 1
    sb      t1, 1(t0)               /* IER: received data available */
    li      t0, 1 << 11
    csrs    mie, t0                 /* MEIE */
    csrsi   mstatus, 8              /* MIE */

1:  wfi
    la      t0, got_newline
    ld      t1, 0(t0)
    beqz    t1, 1b
    csrci   mstatus, 8

    TEST    5
    la      t0, irq_count
    ld      a0, 0(t0)
    CHECKNE a0, 0

    TEST    6
    li      t0, PLIC_CLAIM0
    lw      a0, 0(t0)
    CHECK   a0, 0
    PASS

/* the handler uses s2-s8 only, which main leaves alone */
    .balign 4
irq_handler:
    csrr    s2, mcause
    li      s3, 0x800000000000000b
    beq     s2, s3, 1f
    li      gp, 3
    j       __fail
1:  li      s4, PLIC_CLAIM0
    lw      s5, 0(s4)               /* claim */
    li      s3, 10
    beq     s5, s3, 2f
    li      gp, 4
    j       __fail
2:  li      s6, UART
3:  lbu     s7, 5(s6)               /* LSR: data ready? */
    andi    s7, s7, 1
    beqz    s7, 4f
    lbu     s8, 0(s6)               /* RBR */
    sb      s8, 0(s6)               /* echo to THR */
    li      s3, '\n'
    bne     s8, s3, 3b
    la      s3, got_newline
    li      s7, 1
    sd      s7, 0(s3)
    j       3b
4:  sw      s5, 0(s4)               /* complete */
    la      s3, irq_count
    ld      s7, 0(s3)
    addi    s7, s7, 1
    sd      s7, 0(s3)
    mret

    .data
    .balign 8
got_newline: .dword 0
irq_count:   .dword 0
