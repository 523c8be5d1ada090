/* SM4 (Zvksed, GB/T 32907) and SM3 (Zvksh, GB/T 32905).  C ABI. */
    .text

/* sm4_expand(a0 = K[4] = MK ^ FK (the standard's words), a1 = rk[32]) */
    .globl sm4_expand
sm4_expand:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    .irp r, 0, 2, 4, 6
    vsm4k.vi v2, v1, \r
    vse32.v v2, (a1)
    addi a1, a1, 16
    vsm4k.vi v1, v2, (\r + 1)
    vse32.v v1, (a1)
    addi a1, a1, 16
    .endr
    ret

/* sm4_uimm_rule(a0 = K[4], a1 = out[2 * 4]): vsm4k uses uimm[2:0] only (uimm 13 = 5). */
    .globl sm4_uimm_rule
sm4_uimm_rule:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsm4k.vi v2, v1, 13
    vse32.v v2, (a1)
    addi a1, a1, 16
    vsm4k.vi v2, v1, 5
    vse32.v v2, (a1)
    ret

/* sm4_crypt_vv(a0 = rk[32], a1 = in[16], a2 = out[16]): one block with vsm4r.vv; the
 * output words come back as X32..X35 (the caller reverses them, GB/T 32907 R). */
    .globl sm4_crypt_vv
sm4_crypt_vv:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v8, (a1)
    vrev8.v v8, v8                   /* big-endian words */
    .rept 8
    vle32.v v1, (a0)
    vsm4r.vv v8, v1
    addi a0, a0, 16
    .endr
    vrev8.v v8, v8
    vse32.v v8, (a2)
    ret

/* sm4_crypt_vs(a0 = rk[32], a1 = in, a2 = out, a3 = nblocks <= 4): vsm4r.vs, LMUL = 4. */
    .globl sm4_crypt_vs
sm4_crypt_vs:
    slli t0, a3, 2
    vsetvli zero, t0, e32, m4, ta, ma
    vle32.v v8, (a1)
    vrev8.v v8, v8
    li t1, 8
1:  vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v1, (a0)
    vsetvli zero, t0, e32, m4, ta, ma
    vsm4r.vs v8, v1
    addi a0, a0, 16
    addi t1, t1, -1
    bnez t1, 1b
    vrev8.v v8, v8
    vse32.v v8, (a2)
    ret

/* sm3_block(a0 = V[8] as stored big-endian (element values byte-swapped), a1 = block[64],
 * a2 = scratch W[72]): vsm3me expands W16..W71, vsm3c runs rounds 2r, 2r+1 on the window
 * W[2r .. 2r+7]. EGW = 256: LMUL = 2. */
    .globl sm3_block
sm3_block:
    vsetivli zero, 8, e32, m2, ta, ma
    vle32.v v2, (a1)                 /* W0..W7 */
    addi t0, a1, 32
    vle32.v v4, (t0)                 /* W8..W15 */
    vse32.v v2, (a2)
    addi t0, a2, 32
    vse32.v v4, (t0)
    li t1, 7
1:  vsm3me.vv v6, v4, v2             /* next eight words */
    addi t0, t0, 32
    vse32.v v6, (t0)
    vmv.v.v v2, v4
    vmv.v.v v4, v6
    addi t1, t1, -1
    bnez t1, 1b
    vle32.v v8, (a0)
    vmv.v.v v10, v8
    mv t0, a2
    .irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    vle32.v v12, (t0)
    vsm3c.vi v8, v12, \r
    addi t0, t0, 8
    .endr
    vxor.vv v8, v8, v10
    vse32.v v8, (a0)
    ret
