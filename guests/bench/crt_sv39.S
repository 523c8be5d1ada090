/*
 * Start-up for intmix_sv39: M-mode builds Sv39 page tables (sv39.c),
 * enables translation and drops to U-mode with mret; the U-mode program
 * (main) ends with an ecall that the M-mode trap handler turns into the
 * HTIF exit.  Nothing is delegated (medeleg = mideleg = 0).
 *
 *   M-mode:  _start -> sv39_setup() -> satp = Sv39 | root, sfence.vma,
 *            mepc = u_entry, mstatus.MPP = U, mret
 *   U-mode:  u_entry: main(); bench_exit(code) = { a0 = code; a7 = 93; ecall }
 *   M trap:  mcause 8 (ecall from U) -> exit(a0); anything else ->
 *            exit(EXIT_TRAP_BASE + mcause).  Runs on its own stack
 *            (mscratch), which is not mapped for U-mode.
 */
#define EXIT_TRAP_BASE 100

    .section .text.init, "ax", @progbits
    .globl  _start
_start:
#ifdef BENCH_COUNT
    csrr    s1, minstret                /* kept in s1 across the .bss clear */
#endif
    csrr    t0, mhartid
    bnez    t0, .Lpark
    la      sp, __mstack_top
    la      t0, m_trap
    csrw    mtvec, t0
    csrwi   mie, 0
    li      t0, (1 << 13)               /* mstatus.FS = Initial */
    csrs    mstatus, t0
    csrwi   fcsr, 0
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
#ifdef BENCH_COUNT
    la      t1, bench_instret0
    sd      s1, 0(t1)
#endif
    /* PMP: let U-mode reach all of memory (skipped if PMP traps). */
    la      t0, 3f
    csrw    mtvec, t0
    li      t0, -1
    srli    t0, t0, 10
    csrw    pmpaddr0, t0
    li      t0, 0x1f                    /* NAPOT | X | W | R */
    csrw    pmpcfg0, t0
    .balign 4
3:  la      t0, m_trap
    csrw    mtvec, t0
    csrw    medeleg, zero
    csrw    mideleg, zero
    call    sv39_setup                  /* a0 = satp value */
    csrw    satp, a0
    sfence.vma
    la      t0, __mstack_top
    csrw    mscratch, t0
    la      t0, u_entry
    csrw    mepc, t0
    li      t0, (3 << 11)               /* mstatus.MPP = U */
    csrc    mstatus, t0
    mret
.Lpark:
    wfi
    j       .Lpark

    /* ---------------- U-mode ---------------- */
    .text
u_entry:
    la      sp, __stack_top
    call    main
    /* fall through: exit with main's return value */
    .globl  bench_exit
    .type   bench_exit, @function
bench_exit:
    li      a7, 93
    ecall
1:  j       1b
    .size   bench_exit, . - bench_exit

    /* ---------------- M-mode trap ---------------- */
    .balign 4
m_trap:
    csrrw   sp, mscratch, sp
    csrr    t0, mcause
    li      t1, 8                       /* environment call from U-mode */
    beq     t0, t1, m_exit
    andi    a0, t0, 0x3f
    addi    a0, a0, EXIT_TRAP_BASE
m_exit:
#ifdef BENCH_COUNT
    mv      s0, a0
    call    bench_report_count
    mv      a0, s0
#endif
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
1:  sd      a0, 0(t0)
    j       1b

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
