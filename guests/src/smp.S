/*
 * smp: several harts in M-mode (run with Machine(harts=N), N = 1..8; the host writes N
 * into `nharts`, default 1). Every hart starts at _start with a0 = its hart id, as
 * QEMU's -bios flow starts them. Hart 0 is the boot hart: it releases the others with
 * CLINT IPIs (msip), and they all hammer shared counters. Exits through HTIF (tohost):
 * 0 = pass, else the number of the first failed check (hart 0 reports; the other harts
 * record their failures in `error`).
 *
 *   1  a0 = mhartid on every hart; every hart checks in (amoor.d of 1 << hartid)
 *   2  the secondaries wake from WFI on their msip (mstatus.MIE = 0, mie.MSIE = 1)
 *   3  ITERS amoadd.d and ITERS LR/SC increments per hart: both counters = N * ITERS
 *      (the loops span many scheduler slices, so they interleave with other harts)
 *   4  amoadd.w on a word counter: N * ITERS
 *   5  the PLIC context of each hart (M: 2 * hart) keeps its own enables/threshold
 *   6  IPI ping-pong: hart 0 sends IPIS IPIs to each secondary, which takes them as
 *      machine software interrupts (handler), and answers each with an IPI to hart 0,
 *      which waits for it in WFI
 *   7  LR/SC across harts: hart 1 holds a reservation, hart 0 stores to the reserved
 *      address, then hart 1's SC must fail (and not write)
 *   8  cross-hart code modification: hart 1 runs smc_fn, hart 0 rewrites it (FENCE.I),
 *      hart 1 (after its own FENCE.I) must run the new instruction
 *   9  per-hart timers: each secondary sets its mtimecmp (CLINT 0x4000 + 8 * hart),
 *      reads it back, and waits in WFI for its timer interrupt
 *  10  a secondary reported an error (`error` holds its hart id << 8 | check)
 */
#define CLINT        0x02000000
#define CLINT_MTIME  (CLINT + 0xbff8)
#define PLIC_EN(c)   (0x0c002000 + 0x80 * (c))
#define PLIC_TH(c)   (0x0c200000 + 0x1000 * (c))
#define ITERS        3000
#define IPIS         5
#define MAX_HARTS    8
#define MIP_MSIP     (1 << 3)
#define MIP_MTIP     (1 << 7)

    .option norvc
    .section .text.init, "ax", @progbits
    .globl  _start
_start:
    mv      s0, a0                  /* hart id as the boot flow passes it */
    csrr    t0, mhartid
    la      sp, stacks
    addi    t1, t0, 1
    slli    t1, t1, 12              /* 4 KiB of stack per hart */
    add     sp, sp, t1
    la      t1, trap
    csrw    mtvec, t1
    /* check 1: a0 = mhartid; check in */
    beq     s0, t0, 1f
    li      a0, 1
    j       secondary_error
1:  li      t1, 1
    sll     t1, t1, s0
    la      t2, hart_seen
    amoor.d zero, t1, (t2)
    bnez    s0, secondary

/* ---------------------------------------------------------------- boot hart */
boot:
    la      t0, nharts
    ld      s1, 0(t0)
    li      gp, 1
    beqz    s1, fail
    li      t0, MAX_HARTS
    bgtu    s1, t0, fail
    /* release the secondaries: go = 1, then an IPI to each */
    la      t0, go
    li      t1, 1
    sd      t1, 0(t0)
    li      t2, 1
2:  bgeu    t2, s1, 3f
    li      t0, CLINT
    slli    t1, t2, 2
    add     t0, t0, t1
    li      t1, 1
    sw      t1, 0(t0)
    addi    t2, t2, 1
    j       2b
3:  call    hammer
    /* wait for everyone (and check 1 once all have arrived) */
    la      t0, done
4:  ld      t1, 0(t0)
    bltu    t1, s1, 4b
    li      gp, 1
    li      t1, 1
    sll     t1, t1, s1
    addi    t1, t1, -1
    ld      t2, hart_seen
    bne     t1, t2, fail
    li      gp, 2
    ld      t2, woken
    addi    t1, s1, -1
    bne     t1, t2, fail
    /* check 3, 4: the counters */
    li      t0, ITERS
    mul     t0, t0, s1
    li      gp, 3
    ld      t1, count_amo
    bne     t0, t1, fail
    ld      t1, count_lr
    bne     t0, t1, fail
    li      gp, 4
    lwu     t1, count_w
    bne     t0, t1, fail
    /* check 5: each hart's M context: enable = 1 << (hart + 1), threshold = hart % 8 */
    li      gp, 5
    li      t2, 0
5:  bgeu    t2, s1, 6f
    li      t0, PLIC_EN(0)
    slli    t1, t2, 8               /* context 2 * hart: 0x80 * 2 * hart */
    add     t0, t0, t1
    lw      t3, 0(t0)
    li      t4, 2
    sll     t4, t4, t2
    bne     t3, t4, fail
    li      t0, PLIC_TH(0)
    slli    t1, t2, 13              /* 0x1000 * 2 * hart */
    add     t0, t0, t1
    lw      t3, 0(t0)
    andi    t4, t2, 7
    bne     t3, t4, fail
    addi    t2, t2, 1
    j       5b
6:  /* check 6: IPI ping-pong with every secondary; hart 0 waits in WFI for the answer */
    li      gp, 6
    li      t0, MIP_MSIP
    csrs    mie, t0                 /* mstatus.MIE stays 0: WFI wakes, no trap */
    li      s2, 1                   /* target hart */
7:  bgeu    s2, s1, 10f
    li      s3, 0                   /* IPIs sent to it */
8:  li      t0, IPIS
    bgeu    s3, t0, 9f
    li      t0, CLINT
    slli    t1, s2, 2
    add     t0, t0, t1
    li      t1, 1
    sw      t1, 0(t0)               /* IPI to hart s2 */
81: wfi                             /* its answer: our msip */
    csrr    t0, mip
    andi    t0, t0, MIP_MSIP
    beqz    t0, 81b
    li      t0, CLINT
    sw      zero, 0(t0)             /* clear our msip */
    addi    s3, s3, 1
    j       8b
9:  la      t0, ipi_count
    slli    t1, s2, 3
    add     t0, t0, t1
    ld      t1, 0(t0)
    li      t0, IPIS
    bne     t0, t1, fail
    addi    s2, s2, 1
    j       7b
10: /* check 7: hart 1 holds a reservation; we store to it; its SC must fail */
    li      t0, 2
    bltu    s1, t0, 12f
    li      gp, 7
    la      t0, phase
    li      t1, 1
    sd      t1, 0(t0)               /* phase 1: hart 1 takes the reservation */
11: ld      t1, 0(t0)
    li      t2, 2
    bne     t1, t2, 11b             /* phase 2: it holds it */
    la      t2, resv
    li      t1, 0x1234
    sd      t1, 0(t2)               /* our store to the reserved address */
    li      t1, 3
    sd      t1, 0(t0)               /* phase 3: try the SC */
111: ld     t1, 0(t0)
    li      t2, 4
    bne     t1, t2, 111b            /* phase 4: done */
    ld      t1, sc_result
    beqz    t1, fail                /* the SC succeeded: wrong */
    ld      t1, resv
    li      t2, 0x1234
    bne     t1, t2, fail            /* and it must not have written */
    /* check 8: hart 1 ran smc_fn (a0 = 1); rewrite it to return 2 */
    li      gp, 8
    ld      t1, smc_first
    li      t2, 1
    bne     t1, t2, fail
    la      t2, smc_fn
    li      t1, 0x00200513          /* addi a0, zero, 2 */
    sw      t1, 0(t2)
    fence.i
    li      t1, 5
    sd      t1, 0(t0)               /* phase 5: run it again */
112: ld     t1, 0(t0)
    li      t2, 6
    bne     t1, t2, 112b
    ld      t1, smc_second
    li      t2, 2
    bne     t1, t2, fail
12: /* check 9: the secondaries' timers */
    la      t0, finish
    li      t1, 1
    sd      t1, 0(t0)
    li      gp, 9
    la      t0, timer_done
    addi    t2, s1, -1
13: ld      t1, 0(t0)
    bltu    t1, t2, 13b
    li      gp, 10
    ld      t1, error
    bnez    t1, fail
    la      a0, msg_ok
    call    puts
    li      a0, 0
    j       exit

fail:
    la      a0, msg_fail
    call    puts
    mv      a0, gp
    j       exit

/* ---------------------------------------------------------------- secondaries */
secondary:
    li      t0, MIP_MSIP
    csrw    mie, t0                 /* wake on msip; mstatus.MIE = 0: no trap */
1:  wfi
    ld      t1, go
    beqz    t1, 1b
    li      t0, CLINT               /* clear our msip */
    slli    t1, s0, 2
    add     t0, t0, t1
    sw      zero, 0(t0)
    la      t0, woken
    li      t1, 1
    amoadd.d zero, t1, (t0)
    call    hammer
    /* IPIs as interrupts: the handler counts them and answers hart 0 */
    li      t0, 8                   /* mstatus.MIE */
    csrs    mstatus, t0
    /* check 7/8 helper: hart 1 plays the LR/SC and code-modification partner */
    li      t0, 1
    bne     s0, t0, 3f
    la      t0, phase
2:  ld      t1, 0(t0)
    li      t2, 1
    bne     t1, t2, 2b
    la      t2, resv
    lr.d    t3, (t2)                /* take the reservation */
    li      t1, 2
    sd      t1, 0(t0)               /* phase 2 (a store elsewhere keeps it) */
21: ld      t1, 0(t0)
    li      t3, 3
    bne     t1, t3, 21b             /* hart 0 stores to resv meanwhile */
    li      t1, 0x5678
    sc.d    t3, t1, (t2)
    la      t1, sc_result
    sd      t3, 0(t1)
    call    smc_fn
    la      t1, smc_first
    sd      a0, 0(t1)
    li      t1, 4
    sd      t1, 0(t0)               /* phase 4 */
22: ld      t1, 0(t0)
    li      t3, 5
    bne     t1, t3, 22b             /* phase 5: hart 0 rewrote smc_fn */
    fence.i
    call    smc_fn
    la      t1, smc_second
    sd      a0, 0(t1)
    li      t1, 6
    sd      t1, 0(t0)               /* phase 6 */
3:  ld      t1, finish
    beqz    t1, 3b
    /* check 9: our timer, in WFI, no interrupts taken (mstatus.MIE = 0) */
    li      t0, 8
    csrc    mstatus, t0
    li      t0, CLINT_MTIME
    ld      t1, 0(t0)
    addi    t1, t1, 500
    slli    t2, s0, 3
    li      t0, CLINT + 0x4000
    add     t0, t0, t2
    sd      t1, 0(t0)
    ld      t3, 0(t0)
    li      a0, 9
    bne     t1, t3, secondary_error
    li      t0, MIP_MTIP
    csrw    mie, t0
4:  wfi
    csrr    t0, mip
    andi    t0, t0, MIP_MTIP
    beqz    t0, 4b
    li      t0, CLINT_MTIME
    ld      t0, 0(t0)
    bltu    t0, t1, secondary_error /* woken before its time */
    la      t0, timer_done
    li      t1, 1
    amoadd.d zero, t1, (t0)
5:  wfi                             /* done: park */
    j       5b

secondary_error:
    slli    t0, s0, 8
    or      a0, a0, t0
    la      t0, error
    amoswap.d zero, a0, (t0)
    j       5b

/* each hart: ITERS amoadd.d, LR/SC and amoadd.w increments; then done += 1 */
hammer:
    li      t0, ITERS
    la      t1, count_amo
    la      t2, count_lr
    la      t3, count_w
    li      t4, 1
1:  amoadd.d zero, t4, (t1)
2:  lr.d    t5, (t2)
    addi    t5, t5, 1
    sc.d    t6, t5, (t2)
    bnez    t6, 2b
    amoadd.w zero, t4, (t3)
    addi    t0, t0, -1
    bnez    t0, 1b
    /* this hart's PLIC M context (2 * hart): enable 1 << (hart + 1), threshold hart % 8 */
    li      t0, PLIC_EN(0)
    slli    t1, s0, 8
    add     t0, t0, t1
    li      t1, 2
    sll     t1, t1, s0
    sw      t1, 0(t0)
    li      t0, PLIC_TH(0)
    slli    t1, s0, 13
    add     t0, t0, t1
    andi    t1, s0, 7
    sw      t1, 0(t0)
    la      t0, done
    li      t1, 1
    amoadd.d zero, t1, (t0)
    ret

/* machine software interrupt on a secondary: count it, clear msip, answer hart 0 */
    .balign 4
trap:
    addi    sp, sp, -32
    sd      t0, 0(sp)
    sd      t1, 8(sp)
    sd      t2, 16(sp)
    csrr    t0, mcause
    li      t1, (1 << 63) | 3
    bne     t0, t1, unexpected
    li      t0, CLINT
    slli    t1, s0, 2
    add     t0, t0, t1
    sw      zero, 0(t0)             /* clear our msip */
    la      t0, ipi_count
    slli    t1, s0, 3
    add     t0, t0, t1
    li      t1, 1
    amoadd.d zero, t1, (t0)
    li      t0, CLINT
    li      t1, 1
    sw      t1, 0(t0)               /* answer: IPI to hart 0 */
    ld      t0, 0(sp)
    ld      t1, 8(sp)
    ld      t2, 16(sp)
    addi    sp, sp, 32
    mret
unexpected:
    li      a0, 11
    bnez    s0, secondary_error
    li      gp, 11
    j       fail

/* HTIF: console output and exit (hart 0 only) */
putc:
    li      t0, 0x0101000000000000
    andi    a0, a0, 0xff
    or      t0, t0, a0
    la      t1, tohost
    sd      t0, 0(t1)
1:  ld      t2, 0(t1)
    bnez    t2, 1b
    ret
puts:
    mv      t3, ra
    mv      t4, a0
1:  lbu     a0, 0(t4)
    beqz    a0, 2f
    call    putc
    addi    t4, t4, 1
    j       1b
2:  mv      ra, t3
    ret
exit:
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
1:  sd      a0, 0(t0)
    j       1b

/* code that hart 0 rewrites while hart 1 runs it (check 8): in a data page */
    .section .data.smc, "awx", @progbits
    .balign 4
smc_fn:
    addi    a0, zero, 1
    ret

    .section .rodata
msg_ok:   .asciz "smp: all harts passed\n"
msg_fail: .asciz "smp: FAIL\n"

    .data
    .balign 8
#ifndef NHARTS_DEFAULT
#define NHARTS_DEFAULT 1
#endif
    .globl  nharts
nharts:     .dword NHARTS_DEFAULT
go:         .dword 0
hart_seen:  .dword 0
woken:      .dword 0
count_amo:  .dword 0
count_lr:   .dword 0
count_w:    .dword 0
done:       .dword 0
phase:      .dword 0
resv:       .dword 0
sc_result:  .dword 0
smc_first:  .dword 0
smc_second: .dword 0
finish:     .dword 0
timer_done: .dword 0
error:      .dword 0
ipi_count:  .fill MAX_HARTS, 8, 0

    .section .tohost, "aw", @progbits
    .balign 64
    .globl  tohost
tohost:   .dword 0
    .balign 64
    .globl  fromhost
fromhost: .dword 0

    .bss
    .balign 4096
stacks:   .fill MAX_HARTS * 4096, 1, 0
