/*
 * Start-up for the M-mode benchmark guests (intmix, intmix_rv64g,
 * branchy, memcpy, fpmix).
 *
 *   _start        hart 0 runs (others park), sp = __stack_top, mtvec =
 *                 bench_trap, FPU on (mstatus.FS = Initial, fcsr = 0),
 *                 .bss cleared, then main(); its return value is the exit code.
 *   bench_exit    exit(a0) via HTIF: tohost = (a0 << 1) | 1.
 *   bench_trap    any trap is unexpected: exit(EXIT_TRAP_BASE + mcause).
 *
 * With -DBENCH_COUNT (instruction-count builds for QEMU only) minstret is
 * sampled at start and the difference is printed on the HTIF console at exit.
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
    la      sp, __stack_top
    la      t0, bench_trap
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
    call    main
    j       bench_exit
.Lpark:
    wfi
    j       .Lpark

    .text
    .globl  bench_exit
    .type   bench_exit, @function
bench_exit:
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
    .size   bench_exit, . - bench_exit

    .balign 4
    .globl  bench_trap
bench_trap:
    csrr    a0, mcause
    andi    a0, a0, 0x3f
    addi    a0, a0, EXIT_TRAP_BASE
    j       bench_exit

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
