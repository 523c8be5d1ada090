/* GHASH with Zvkg (NIST SP 800-38D 6.4).  Blocks are 16 bytes in memory order. */
    .text

/* ghash_vghsh(a0 = Y[16] in/out, a1 = H[16], a2 = data, a3 = nblocks): Y = (Y ^ X) . H */
    .globl ghash_vghsh
ghash_vghsh:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v8, (a0)
    vle32.v v2, (a1)
    beqz a3, 2f
1:  vle32.v v4, (a2)
    vghsh.vv v8, v2, v4
    addi a2, a2, 16
    addi a3, a3, -1
    bnez a3, 1b
2:  vse32.v v8, (a0)
    ret

/* ghash_vgmul(a0, a1, a2, a3): the same with vxor.vv + vgmul.vv */
    .globl ghash_vgmul
ghash_vgmul:
    vsetivli zero, 4, e32, m1, ta, ma
    vle32.v v8, (a0)
    vle32.v v2, (a1)
    beqz a3, 2f
1:  vle32.v v4, (a2)
    vxor.vv v8, v8, v4
    vgmul.vv v8, v2
    addi a2, a2, 16
    addi a3, a3, -1
    bnez a3, 1b
2:  vse32.v v8, (a0)
    ret

/* ghash_multi(a0 = Y[4 * 16] in/out, a1 = H[4 * 16], a2 = X[4 * 16]): four independent
 * vghsh element groups in one instruction (vl = 16, LMUL = 4). */
    .globl ghash_multi
ghash_multi:
    vsetivli zero, 16, e32, m4, ta, ma
    vle32.v v8, (a0)
    vle32.v v12, (a1)
    vle32.v v16, (a2)
    vghsh.vv v8, v12, v16
    vse32.v v8, (a0)
    ret
