/*
 * Run-time support for the vm_* guests (see vm.c).
 *
 *   long vm_enter(long mode, long pc, long a0, long a1)
 *       Saves the M-mode context, flushes translations (sfence.vma), and
 *       mrets to `pc` in `mode` (0 = U, 1 = S, 3 = M) with a0/a1.  The code
 *       there ends with `ecall` (normal completion) or faults; either way the
 *       trap lands in vm_trap, which records mcause/mtval/mepc in vm_info,
 *       clears MPRV, SUM and MXR, restores the saved context and returns the probe's a0.
 *
 *   Probes (position independent, usable at any virtual alias):
 *       probe_ld(va)          a0 = *(u64 *)va
 *       probe_sd(va, v)       *(u64 *)va = v
 *       probe_jump(va)        fence.i; jump to va (the target must ecall)
 *       probe_sfence_ld(va)   sfence.vma; a0 = *va
 *       probe_sfence_va_ld(va) sfence.vma va, x0; a0 = *va
 *       probe_mprv_ld(mpp, va) (M-mode) MPRV = 1, MPP = mpp; a0 = *va
 *       probe_mxr_ld(va)      sstatus.MXR = 1; a0 = *va; MXR = 0
 *       probe_sum_ld(va)      sstatus.SUM = 1; a0 = *va; SUM = 0
 *   s_trap: S-mode handler for delegated faults: stores scause/stval/sepc in
 *       vm_sinfo and ecalls to M (which completes the probe).
 */
#include "test.h"

    .text
    .globl  vm_enter
vm_enter:
    la      t0, vm_ctx
    sd      ra, 0(t0)
    sd      sp, 8(t0)
    sd      s0, 16(t0)
    sd      s1, 24(t0)
    sd      s2, 32(t0)
    sd      s3, 40(t0)
    sd      s4, 48(t0)
    sd      s5, 56(t0)
    sd      s6, 64(t0)
    sd      s7, 72(t0)
    sd      s8, 80(t0)
    sd      s9, 88(t0)
    sd      s10, 96(t0)
    sd      s11, 104(t0)
    sd      gp, 112(t0)
    la      t0, vm_info
    li      t1, -1
    sd      t1, 0(t0)
    sd      t1, 8(t0)
    sd      t1, 16(t0)
    li      t1, MSTATUS_MPP
    csrc    mstatus, t1
    slli    t1, a0, 11
    csrs    mstatus, t1
    csrw    mepc, a1
    mv      a0, a2
    mv      a1, a3
    sfence.vma
    mret

    .balign 4
    .globl  vm_trap
vm_trap:
    li      t0, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR
    csrc    mstatus, t0
    la      t0, vm_info
    csrr    t1, mcause
    sd      t1, 0(t0)
    csrr    t1, mtval
    sd      t1, 8(t0)
    csrr    t1, mepc
    sd      t1, 16(t0)
    la      t0, vm_ctx
    ld      ra, 0(t0)
    ld      sp, 8(t0)
    ld      s0, 16(t0)
    ld      s1, 24(t0)
    ld      s2, 32(t0)
    ld      s3, 40(t0)
    ld      s4, 48(t0)
    ld      s5, 56(t0)
    ld      s6, 64(t0)
    ld      s7, 72(t0)
    ld      s8, 80(t0)
    ld      s9, 88(t0)
    ld      s10, 96(t0)
    ld      s11, 104(t0)
    ld      gp, 112(t0)
    ret

    .balign 4
    .globl  s_trap
s_trap:
    lla     t0, vm_sinfo
    csrr    t1, scause
    sd      t1, 0(t0)
    csrr    t1, stval
    sd      t1, 8(t0)
    csrr    t1, sepc
    sd      t1, 16(t0)
    li      a0, 0x5ca1ab1e
    ecall

    .globl  probe_ld, probe_sd, probe_jump, probe_sfence_ld
    .globl  probe_sfence_va_ld, probe_mprv_ld, probe_mxr_ld, probe_sum_ld
probe_ld:
    ld      a0, 0(a0)
    ecall
probe_sd:
    sd      a1, 0(a0)
    ecall
probe_jump:
    fence.i
    jr      a0
probe_sfence_ld:
    sfence.vma
    ld      a0, 0(a0)
    ecall
probe_sfence_va_ld:
    sfence.vma a0, zero
    ld      a0, 0(a0)
    ecall
probe_mprv_ld:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    slli    t0, a0, 11
    csrs    mstatus, t0
    li      t0, MSTATUS_MPRV
    csrs    mstatus, t0
    ld      a0, 0(a1)
    li      t0, MSTATUS_MPRV
    csrc    mstatus, t0
    ecall
probe_mxr_ld:
    li      t0, MSTATUS_MXR
    csrs    sstatus, t0
    ld      a0, 0(a0)
    li      t0, MSTATUS_MXR
    csrc    sstatus, t0
    ecall
probe_sum_ld:
    li      t0, MSTATUS_SUM
    csrs    sstatus, t0
    ld      a0, 0(a0)
    li      t0, MSTATUS_SUM
    csrc    sstatus, t0
    ecall

    .data
    .balign 8
    .globl  vm_info, vm_sinfo
vm_ctx:   .zero 128
vm_info:  .zero 24
vm_sinfo: .zero 24
