/* AES with Zvkned (FIPS-197): key schedules with vaeskf1/vaeskf2, rounds with vaes*.
 * Round keys are stored as 16-byte blocks, rk[0] first.  C ABI; vector registers are
 * caller-saved, so the functions use them freely. */
    .text

/* aes128_expand(a0 = key[16], a1 = rk[11 * 16]) */
    .globl aes128_expand
aes128_expand:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vse32.v v1, (a1)
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    addi a1, a1, 16
    vaeskf1.vi v2, v1, \r
    vse32.v v2, (a1)
    vmv.v.v v1, v2
    .endr
    ret

/* aes256_expand(a0 = key[32], a1 = rk[15 * 16]) */
    .globl aes256_expand
aes256_expand:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    addi a0, a0, 16
    vle32.v v2, (a0)
    vse32.v v1, (a1)
    addi a1, a1, 16
    vse32.v v2, (a1)
    .irp r, 2, 4, 6, 8, 10, 12, 14
    addi a1, a1, 16
    vaeskf2.vi v1, v2, \r            /* vd = rk[r-2] in, rk[r] out; vs2 = rk[r-1] */
    vse32.v v1, (a1)
    .if \r < 14
    addi a1, a1, 16
    vaeskf2.vi v2, v1, (\r + 1)
    vse32.v v2, (a1)
    .endif
    .endr
    ret

/* aes_kf_rules(a0 = key[16], a1 = out[7 * 16]): the round-number remapping of zvk.adoc:
 * vaeskf1 with uimm 0, 8, 24 (all round 8) and 11, 3 (round 3); vaeskf2 with 15 and 7. */
    .globl aes_kf_rules
aes_kf_rules:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vaeskf1.vi v2, v1, 0
    vse32.v v2, (a1)
    addi a1, a1, 16
    vaeskf1.vi v2, v1, 8
    vse32.v v2, (a1)
    addi a1, a1, 16
    vaeskf1.vi v2, v1, 24
    vse32.v v2, (a1)
    addi a1, a1, 16
    vaeskf1.vi v2, v1, 11
    vse32.v v2, (a1)
    addi a1, a1, 16
    vaeskf1.vi v2, v1, 3
    vse32.v v2, (a1)
    addi a1, a1, 16
    vmv.v.v v3, v1
    vaeskf2.vi v3, v1, 15
    vse32.v v3, (a1)
    addi a1, a1, 16
    vmv.v.v v3, v1
    vaeskf2.vi v3, v1, 7
    vse32.v v3, (a1)
    ret

/* aes_encrypt_vs(a0 = rk, a1 = nr, a2 = in, a3 = out, a4 = nblocks <= 4): all blocks at
 * once (vl = 4 * nblocks, LMUL = 4), each round key applied as a scalar element group. */
    .globl aes_encrypt_vs
aes_encrypt_vs:
    slli t0, a4, 2
    vsetvli zero, t0, e32, m4, ta, ma
    vle32.v v8, (a2)
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesz.vs v8, v1
    addi t1, a1, -1
1:  addi a0, a0, 16
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesem.vs v8, v1
    addi t1, t1, -1
    bnez t1, 1b
    addi a0, a0, 16
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesef.vs v8, v1
    vse32.v v8, (a3)
    ret

/* aes_encrypt_vv(a0 = rk, a1 = nr, a2 = in, a3 = out): one block, .vv forms. */
    .globl aes_encrypt_vv
aes_encrypt_vv:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v8, (a2)
    vle32.v v1, (a0)
    vxor.vv v8, v8, v1
    addi t1, a1, -1
1:  addi a0, a0, 16
    vle32.v v1, (a0)
    vaesem.vv v8, v1
    addi t1, t1, -1
    bnez t1, 1b
    addi a0, a0, 16
    vle32.v v1, (a0)
    vaesef.vv v8, v1
    vse32.v v8, (a3)
    ret

/* aes_decrypt_vv(a0 = rk, a1 = nr, a2 = in, a3 = out): one block, .vv forms. */
    .globl aes_decrypt_vv
aes_decrypt_vv:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v8, (a2)
    slli t0, a1, 4
    add a0, a0, t0                   /* rk[nr] */
    vle32.v v1, (a0)
    vaesz.vs v8, v1
    addi t1, a1, -1
1:  addi a0, a0, -16
    vle32.v v1, (a0)
    vaesdm.vv v8, v1
    addi t1, t1, -1
    bnez t1, 1b
    addi a0, a0, -16
    vle32.v v1, (a0)
    vaesdf.vv v8, v1
    vse32.v v8, (a3)
    ret

/* aes_decrypt_vs(a0 = rk, a1 = nr, a2 = in, a3 = out, a4 = nblocks <= 4) */
    .globl aes_decrypt_vs
aes_decrypt_vs:
    slli t0, a4, 2
    slli t2, a1, 4
    add a0, a0, t2
    vsetvli zero, t0, e32, m4, ta, ma
    vle32.v v8, (a2)
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesz.vs v8, v1
    addi t1, a1, -1
1:  addi a0, a0, -16
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesdm.vs v8, v1
    addi t1, t1, -1
    bnez t1, 1b
    addi a0, a0, -16
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vaesdf.vs v8, v1
    vse32.v v8, (a3)
    ret
