/*
 * Vector helpers of the kvm_ctx guest (kept out of kvm_rt.S so the other KVM guests
 * carry no vector code).
 */
/* kvm_v_fill(seed): v[i] = seed + i in every 64-bit element, then vl = 3, vtype =
   e16/m2/ta/ma; returns vtype.  kvm_v_save(buf): buf[0] = vl, buf[1] = vtype, then the
   32 whole registers (vs1r.v, independent of vtype) from buf + 16. */
    .option push
    .option arch, +v
    .balign 4
    .globl  kvm_v_fill
    .type   kvm_v_fill, @function
kvm_v_fill:
    vsetvli t0, zero, e64, m1, ta, ma
    addi    t1, a0, 0
    vmv.v.x v0, t1
    addi    t1, a0, 1
    vmv.v.x v1, t1
    addi    t1, a0, 2
    vmv.v.x v2, t1
    addi    t1, a0, 3
    vmv.v.x v3, t1
    addi    t1, a0, 4
    vmv.v.x v4, t1
    addi    t1, a0, 5
    vmv.v.x v5, t1
    addi    t1, a0, 6
    vmv.v.x v6, t1
    addi    t1, a0, 7
    vmv.v.x v7, t1
    addi    t1, a0, 8
    vmv.v.x v8, t1
    addi    t1, a0, 9
    vmv.v.x v9, t1
    addi    t1, a0, 10
    vmv.v.x v10, t1
    addi    t1, a0, 11
    vmv.v.x v11, t1
    addi    t1, a0, 12
    vmv.v.x v12, t1
    addi    t1, a0, 13
    vmv.v.x v13, t1
    addi    t1, a0, 14
    vmv.v.x v14, t1
    addi    t1, a0, 15
    vmv.v.x v15, t1
    addi    t1, a0, 16
    vmv.v.x v16, t1
    addi    t1, a0, 17
    vmv.v.x v17, t1
    addi    t1, a0, 18
    vmv.v.x v18, t1
    addi    t1, a0, 19
    vmv.v.x v19, t1
    addi    t1, a0, 20
    vmv.v.x v20, t1
    addi    t1, a0, 21
    vmv.v.x v21, t1
    addi    t1, a0, 22
    vmv.v.x v22, t1
    addi    t1, a0, 23
    vmv.v.x v23, t1
    addi    t1, a0, 24
    vmv.v.x v24, t1
    addi    t1, a0, 25
    vmv.v.x v25, t1
    addi    t1, a0, 26
    vmv.v.x v26, t1
    addi    t1, a0, 27
    vmv.v.x v27, t1
    addi    t1, a0, 28
    vmv.v.x v28, t1
    addi    t1, a0, 29
    vmv.v.x v29, t1
    addi    t1, a0, 30
    vmv.v.x v30, t1
    addi    t1, a0, 31
    vmv.v.x v31, t1
    vsetivli zero, 3, e16, m2, ta, ma
    csrr    a0, vtype
    ret

    .balign 4
    .globl  kvm_v_save
    .type   kvm_v_save, @function
kvm_v_save:
    csrr    t0, vl
    sd      t0, 0(a0)
    csrr    t0, vtype
    sd      t0, 8(a0)
    csrr    t1, vlenb
    addi    a0, a0, 16
    vs1r.v  v0, (a0)
    add     a0, a0, t1
    vs1r.v  v1, (a0)
    add     a0, a0, t1
    vs1r.v  v2, (a0)
    add     a0, a0, t1
    vs1r.v  v3, (a0)
    add     a0, a0, t1
    vs1r.v  v4, (a0)
    add     a0, a0, t1
    vs1r.v  v5, (a0)
    add     a0, a0, t1
    vs1r.v  v6, (a0)
    add     a0, a0, t1
    vs1r.v  v7, (a0)
    add     a0, a0, t1
    vs1r.v  v8, (a0)
    add     a0, a0, t1
    vs1r.v  v9, (a0)
    add     a0, a0, t1
    vs1r.v  v10, (a0)
    add     a0, a0, t1
    vs1r.v  v11, (a0)
    add     a0, a0, t1
    vs1r.v  v12, (a0)
    add     a0, a0, t1
    vs1r.v  v13, (a0)
    add     a0, a0, t1
    vs1r.v  v14, (a0)
    add     a0, a0, t1
    vs1r.v  v15, (a0)
    add     a0, a0, t1
    vs1r.v  v16, (a0)
    add     a0, a0, t1
    vs1r.v  v17, (a0)
    add     a0, a0, t1
    vs1r.v  v18, (a0)
    add     a0, a0, t1
    vs1r.v  v19, (a0)
    add     a0, a0, t1
    vs1r.v  v20, (a0)
    add     a0, a0, t1
    vs1r.v  v21, (a0)
    add     a0, a0, t1
    vs1r.v  v22, (a0)
    add     a0, a0, t1
    vs1r.v  v23, (a0)
    add     a0, a0, t1
    vs1r.v  v24, (a0)
    add     a0, a0, t1
    vs1r.v  v25, (a0)
    add     a0, a0, t1
    vs1r.v  v26, (a0)
    add     a0, a0, t1
    vs1r.v  v27, (a0)
    add     a0, a0, t1
    vs1r.v  v28, (a0)
    add     a0, a0, t1
    vs1r.v  v29, (a0)
    add     a0, a0, t1
    vs1r.v  v30, (a0)
    add     a0, a0, t1
    vs1r.v  v31, (a0)
    add     a0, a0, t1
    ret
    .option pop

