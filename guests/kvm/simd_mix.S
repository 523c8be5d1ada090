/*
 * simd_mix: a VS-mode guest for the FP/vector context-policy benchmark (rvemu bench simd).
 * Every vCPU runs this with a0 = its id: `iters` iterations of integer work, and every
 * `simd_every`-th iteration one vector add and one FP add (0 = never: a SIMD-free guest,
 * 1 = SIMD-heavy). It checks its own FP and vector values each time it uses them, so a
 * policy that loses or leaks state is caught: a mismatch writes 2 to `status` + 8 * id.
 * It ends with SBI HSM hart_stop; the host patches `iters` and `simd_every`.
 */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    li      t0, (1 << 13) | (1 << 9)   /* sstatus.FS = VS = Initial: the guest's own switch */
    csrs    sstatus, t0
    la      t1, iters
    ld      s2, 0(t1)
    la      t1, simd_every
    ld      s1, 0(t1)
    la      s4, status
    slli    t1, a0, 3
    add     s4, s4, t1
    li      s3, 0                      /* iteration */
    li      s5, 0                      /* expected vector/FP value: sum of the iterations */
    fmv.d.x f1, zero
    vsetvli t0, zero, e64, m1, ta, ma
    vmv.v.i v1, 0
1:  addi    s3, s3, 1
    xor     t2, s3, s2                 /* integer work */
    add     t3, t2, s3
    slli    t3, t3, 3
    sub     t3, t3, t2
    beqz    s1, 2f
    remu    t2, s3, s1
    bnez    t2, 2f
    add     s5, s5, s3                 /* SIMD: v1 += i, f1 (as an integer) += i */
    vadd.vx v1, v1, s3
    fmv.x.d t4, f1
    add     t4, t4, s3
    fmv.d.x f1, t4
    vmv.x.s t5, v1
    bne     t5, s5, 9f
    fmv.x.d t4, f1
    bne     t4, s5, 9f
2:  addi    s2, s2, -1
    bnez    s2, 1b
    li      t0, 1
    sd      t0, 0(s4)
    j       3f
9:  li      t0, 2
    sd      t0, 0(s4)
3:  li      a7, 0x48534D               /* HSM hart_stop */
    li      a6, 1
    ecall
    j       3b

    .data
    .balign 8
    .globl  iters, simd_every, status
iters:      .dword 1000
simd_every: .dword 1
status:     .zero 8 * 16
