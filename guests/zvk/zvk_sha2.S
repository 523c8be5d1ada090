/* SHA-256 / SHA-512 block compression with Zvknha / Zvknhb (FIPS 180-4 6.2.2, 6.4.2).
 * state = {f, e, b, a, h, g, d, c}: the element groups {a,b,e,f} and {c,d,g,h} as the
 * instructions hold them (element 0 first).  Four rounds per step: vsha2cl + vsha2ch on
 * K + W, and vsha2ms for the next four message words. */
    .text

/* sha256_block(a0 = state[8] (uint32), a1 = block[64], a2 = K256[64]) */
    .globl sha256_block
sha256_block:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v16, (a0)                /* {a,b,e,f} */
    addi t0, a0, 16
    vle32.v v17, (t0)                /* {c,d,g,h} */
    vmv.v.v v20, v16
    vmv.v.v v21, v17
    vle32.v v1, (a1)                 /* W0..W3 (big-endian in memory) */
    addi t0, a1, 16
    vle32.v v2, (t0)
    addi t0, a1, 32
    vle32.v v3, (t0)
    addi t0, a1, 48
    vle32.v v4, (t0)
    vrev8.v v1, v1
    vrev8.v v2, v2
    vrev8.v v3, v3
    vrev8.v v4, v4
    vmv.v.i v0, 1                    /* mask 0b0001 for vmerge */
    li t1, 16
1:  vle32.v v5, (a2)
    addi a2, a2, 16
    vadd.vv v6, v5, v1               /* K + W, four words */
    vsha2cl.vv v17, v16, v6          /* rounds 4q, 4q+1: v17 = {a,b,e,f} */
    vsha2ch.vv v16, v17, v6          /* rounds 4q+2, 4q+3: v16 = {a,b,e,f} again */
    vmerge.vvm v7, v3, v2, v0        /* {W11, W10, W9, W4} */
    vsha2ms.vv v1, v7, v4            /* W16..W19 */
    vmv.v.v v8, v1
    vmv.v.v v1, v2
    vmv.v.v v2, v3
    vmv.v.v v3, v4
    vmv.v.v v4, v8
    addi t1, t1, -1
    bnez t1, 1b
    vadd.vv v16, v16, v20
    vadd.vv v17, v17, v21
    vse32.v v16, (a0)
    addi t0, a0, 16
    vse32.v v17, (t0)
    ret

/* sha512_block(a0 = state[8] (uint64), a1 = block[128], a2 = K512[80]): EGW = 256, so
 * LMUL = 2 (VLEN 128 and up) with even register groups. */
    .globl sha512_block
sha512_block:
    vsetivli zero, 4, e64, m2, ta, ma
    vle64.v v16, (a0)
    addi t0, a0, 32
    vle64.v v18, (t0)
    vmv.v.v v20, v16
    vmv.v.v v22, v18
    vle64.v v24, (a1)
    addi t0, a1, 32
    vle64.v v26, (t0)
    addi t0, a1, 64
    vle64.v v28, (t0)
    addi t0, a1, 96
    vle64.v v30, (t0)
    vrev8.v v24, v24
    vrev8.v v26, v26
    vrev8.v v28, v28
    vrev8.v v30, v30
    vmv.v.i v0, 1
    li t1, 20
1:  vle64.v v2, (a2)
    addi a2, a2, 32
    vadd.vv v4, v2, v24
    vsha2cl.vv v18, v16, v4
    vsha2ch.vv v16, v18, v4
    vmerge.vvm v6, v28, v26, v0
    vsha2ms.vv v24, v6, v30
    vmv.v.v v8, v24
    vmv.v.v v24, v26
    vmv.v.v v26, v28
    vmv.v.v v28, v30
    vmv.v.v v30, v8
    addi t1, t1, -1
    bnez t1, 1b
    vadd.vv v16, v16, v20
    vadd.vv v18, v18, v22
    vse64.v v16, (a0)
    addi t0, a0, 32
    vse64.v v18, (t0)
    ret
