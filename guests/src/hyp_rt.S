/*
 * Run-time support for the hyp guest (see hyp.c): M-mode trap handler and
 * services, the HS-mode probe runner and trap handler, the VS-mode trap
 * handlers and a table of assembled instruction words.
 *
 *   M mode (m_trap, mtvec):
 *     ecall from HS with a7 = MCALL_MAGIC   call the C function in a6 with
 *                                           a0..a2 on the M stack, return a0
 *                                           to HS after the ecall (m_call).
 *     ecall from HS with a7 = MENTER_MAGIC  mret to pc a0 with MPV/MPP from
 *                                           mode a1, a0/a1 = a2/a3 (used by
 *                                           hv_enter for the VIA_M modes).
 *     any other trap while a probe runs     recorded in hv_info (in_m = 1,
 *                                           htval = mtval2, htinst = mtinst,
 *                                           mstatus); then back to HS at
 *                                           hs_resume (MPV cleared).
 *     anything else                         m_unexpected (C): print, exit.
 *
 *   HS mode:
 *     long hv_enter(long mode, long pc, long a0, long a1)
 *         saves the HS context, optionally flushes every translation
 *         (hv_flush), then SRETs to pc with hstatus.SPV = mode bit 2 and
 *         sstatus.SPP = mode bit 0 (mode bit 3: enter by MRET from M
 *         instead).  The probe's first trap into HS (hs_trap) or M (m_trap)
 *         is recorded in hv_info and hv_enter returns the probe's a0.
 *     hs_trap (stvec): records scause, stval, sepc, htval, htinst, hstatus,
 *         sstatus and a0 in hv_info; outside a probe: hs_unexpected (C).
 *
 *   VS mode (vstvec):
 *     vs_trap       records vscause, vstval, vsepc, vsstatus, vsip, a0 in
 *                   vs_info, then ecall (to HS, cause 10) with a0 = VS_MAGIC.
 *     vs_trap_skip  records the same, vsepc += 4 and SRET (stays in V = 1).
 */
#include "test.h"

#define MCALL_MAGIC  0x4d43414c
#define MENTER_MAGIC 0x4d454e54
#define VS_MAGIC     0x5ca1ab1e
#define MSTATUS_MPV  (1 << 39)
#define HSTATUS_SPV  (1 << 7)

/* hv_info layout (hyp.c: struct hv_info) */
#define I_CAUSE   0
#define I_TVAL    8
#define I_EPC     16
#define I_HTVAL   24
#define I_HTINST  32
#define I_HSTATUS 40
#define I_SSTATUS 48
#define I_A0      56
#define I_INM     64
#define I_MSTATUS 72
/* vs_info layout (hyp.c: struct vs_info) */
#define V_CAUSE   0
#define V_TVAL    8
#define V_EPC     16
#define V_STATUS  24
#define V_A0      32
#define V_COUNT   40
#define V_SIP     48

/* ------------------------------------------------------------------ M */
    .text
    .balign 4
    .globl  m_trap
m_trap:
    csrw    mscratch, t0
    la      t0, m_save
    sd      sp, 0(t0)
    sd      ra, 8(t0)
    sd      t1, 16(t0)
    la      sp, m_stack_top
    csrr    t0, mcause
    li      t1, CAUSE_ECALL_S
    bne     t0, t1, m_catch
    li      t1, MCALL_MAGIC
    beq     a7, t1, m_service
    li      t1, MENTER_MAGIC
    beq     a7, t1, m_enter_service
    j       m_catch

m_service:
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    jalr    a6
    li      t0, MSTATUS_MPP | MSTATUS_MPRV  /* back to HS, whatever fn did */
    csrc    mstatus, t0
    li      t0, 1
    slli    t0, t0, 39
    csrc    mstatus, t0
    li      t0, MSTATUS_MPP_S
    csrs    mstatus, t0
    la      t0, m_save
    ld      sp, 0(t0)
    ld      ra, 8(t0)
    mret

m_enter_service:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    li      t0, 1
    slli    t0, t0, 39
    csrc    mstatus, t0             /* MPV = 0 */
    andi    t1, a1, 1
    slli    t1, t1, 11
    csrs    mstatus, t1             /* MPP = S or U */
    andi    t1, a1, 4
    slli    t1, t1, 37
    csrs    mstatus, t1             /* MPV = mode bit 2 */
    csrw    mepc, a0
    mv      a0, a2
    mv      a1, a3
    li      a7, 0
    mret

m_catch:
    csrr    t0, mstatus
    srli    t0, t0, 11
    andi    t0, t0, 3
    li      t1, 3
    beq     t0, t1, m_fatal         /* trap from M itself */
    la      t0, hv_active
    ld      t0, 0(t0)
    beqz    t0, m_fatal             /* no probe running */
    la      t0, hv_info
    sd      a0, I_A0(t0)
    csrr    t1, mcause
    sd      t1, I_CAUSE(t0)
    csrr    t1, mtval
    sd      t1, I_TVAL(t0)
    csrr    t1, mepc
    sd      t1, I_EPC(t0)
    csrr    t1, mtval2
    sd      t1, I_HTVAL(t0)
    csrr    t1, mtinst
    sd      t1, I_HTINST(t0)
    csrr    t1, hstatus
    sd      t1, I_HSTATUS(t0)
    csrr    t1, sstatus
    sd      t1, I_SSTATUS(t0)
    csrr    t1, mstatus
    sd      t1, I_MSTATUS(t0)
    li      t1, 1
    sd      t1, I_INM(t0)
    /* back to HS (V = 0) at hs_resume */
    li      t1, MSTATUS_MPP | MSTATUS_MPRV
    csrc    mstatus, t1
    li      t1, 1
    slli    t1, t1, 39
    csrc    mstatus, t1
    li      t1, MSTATUS_MPP_S
    csrs    mstatus, t1
    la      t1, hs_resume
    csrw    mepc, t1
    mret

m_fatal:
    la      sp, m_stack_top
    call    m_unexpected
1:  j       1b

/* ----------------------------------------------------------------- HS */
    .globl  hv_enter
hv_enter:
    la      t0, hv_ctx
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
    sd      tp, 120(t0)
    la      t0, hv_info
    li      t1, -1
    sd      t1, I_CAUSE(t0)
    sd      t1, I_TVAL(t0)
    sd      t1, I_EPC(t0)
    sd      t1, I_HTVAL(t0)
    sd      t1, I_HTINST(t0)
    sd      t1, I_HSTATUS(t0)
    sd      t1, I_SSTATUS(t0)
    sd      t1, I_MSTATUS(t0)
    sd      zero, I_INM(t0)
    la      t0, hv_flush
    ld      t0, 0(t0)
    beqz    t0, 1f
    sfence.vma
    hfence.vvma
    hfence.gvma
1:  la      t0, hv_active
    li      t1, 1
    sd      t1, 0(t0)
    andi    t0, a0, 8
    bnez    t0, 2f
    li      t0, HSTATUS_SPV
    csrc    hstatus, t0
    andi    t1, a0, 4
    slli    t1, t1, 5
    csrs    hstatus, t1             /* SPV = mode bit 2 */
    li      t0, MSTATUS_SPP | MSTATUS_SPIE
    csrc    sstatus, t0             /* SPIE = 0: HS keeps SIE = 0 */
    andi    t1, a0, 1
    slli    t1, t1, 8
    csrs    sstatus, t1             /* SPP = mode bit 0 */
    csrw    sepc, a1
    mv      a0, a2
    mv      a1, a3
    li      a7, 0                   /* a probe's ecall is no M service */
    sret
2:  mv      t0, a0                  /* enter through M's MRET */
    mv      a0, a1
    mv      a1, t0
    li      a7, MENTER_MAGIC
    ecall
3:  j       3b

    .balign 4
    .globl  hs_trap
hs_trap:                            /* t0/t1 of the probe are dead: no scratch */
    la      t0, hv_active
    ld      t0, 0(t0)
    beqz    t0, hs_fatal
    la      t0, hv_info
    sd      a0, I_A0(t0)
    csrr    t1, scause
    sd      t1, I_CAUSE(t0)
    csrr    t1, stval
    sd      t1, I_TVAL(t0)
    csrr    t1, sepc
    sd      t1, I_EPC(t0)
    csrr    t1, htval
    sd      t1, I_HTVAL(t0)
    csrr    t1, htinst
    sd      t1, I_HTINST(t0)
    csrr    t1, hstatus
    sd      t1, I_HSTATUS(t0)
    csrr    t1, sstatus
    sd      t1, I_SSTATUS(t0)
    .globl  hs_resume
hs_resume:
    la      t0, hv_active
    sd      zero, 0(t0)
    la      t0, hv_ctx
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
    ld      tp, 120(t0)
    la      t0, hv_info
    ld      a0, I_A0(t0)
    ret

hs_fatal:
    la      sp, hs_stack_top
    call    hs_unexpected
1:  j       1b

    /* long m_call(fn, a0, a1, a2): run fn(a0, a1, a2) in M-mode */
    .globl  m_call
m_call:
    mv      a6, a0
    mv      a0, a1
    mv      a1, a2
    mv      a2, a3
    li      a7, MCALL_MAGIC
    ecall
    ret

    /* (M-mode, through m_call) a0 = *(u64 *)a0 with mstatus |= a1 (MPRV,
       MPP, MPV) for that load */
    .globl  m_mprv_ld
m_mprv_ld:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    csrs    mstatus, a1
    ld      a0, 0(a0)
    li      t0, MSTATUS_MPRV
    csrc    mstatus, t0
    ret

    /* void m_to_hs(fn): (M-mode) continue in HS at fn with this stack */
    .globl  m_to_hs
m_to_hs:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    li      t0, MSTATUS_MPP_S
    csrs    mstatus, t0
    csrw    mepc, a0
    mret

/* ----------------------------------------------------------------- VS */
    .balign 4
    .globl  vs_trap, vs_trap_ecall
vs_trap:
    csrw    sscratch, t0
    lla     t0, vs_info
    sd      a0, V_A0(t0)
    csrr    t1, scause
    sd      t1, V_CAUSE(t0)
    csrr    t1, stval
    sd      t1, V_TVAL(t0)
    csrr    t1, sepc
    sd      t1, V_EPC(t0)
    csrr    t1, sstatus
    sd      t1, V_STATUS(t0)
    csrr    t1, sip
    sd      t1, V_SIP(t0)
    ld      t1, V_COUNT(t0)
    addi    t1, t1, 1
    sd      t1, V_COUNT(t0)
    li      a0, VS_MAGIC
vs_trap_ecall:
    ecall
1:  j       1b

    .balign 4
    .globl  vs_trap_skip
vs_trap_skip:
    csrw    sscratch, t0
    lla     t0, vs_info
    sd      a0, V_A0(t0)
    csrr    t1, scause
    sd      t1, V_CAUSE(t0)
    csrr    t1, stval
    sd      t1, V_TVAL(t0)
    csrr    t1, sepc
    sd      t1, V_EPC(t0)
    csrr    t1, sstatus
    sd      t1, V_STATUS(t0)
    csrr    t1, sip
    sd      t1, V_SIP(t0)
    ld      t1, V_COUNT(t0)
    addi    t1, t1, 1
    sd      t1, V_COUNT(t0)
    csrr    t1, sepc
    addi    t1, t1, 4
    csrw    sepc, t1
    csrr    t0, sscratch
    sret

    /* vectored vstvec: entry i records i in vs_vec_index, then vs_trap */
    .balign 256
    .globl  vs_vectab, vs_vec_index
vs_vectab:
    .option push
    .option norvc
    .rept   16
    jal     t0, vs_vec_hit
    .endr
    .option pop
vs_vec_hit:
    lla     t1, vs_vectab + 4
    sub     t0, t0, t1
    srli    t0, t0, 2
    lla     t1, vs_vec_index
    sd      t0, 0(t1)
    j       vs_trap

/* A small VS "kernel" with a timer (Sstc): arms stimecmp (vstimecmp) 20
   ticks ahead, enables STIE and SIE and spins until its handler has counted
   a0 timer interrupts (each handler run re-arms the timer); returns the
   count and the last scause in vs_tick_cause. */
    .globl  probe_vs_timer, vs_ticks, vs_tick_cause
    .balign 4
probe_vs_timer:
    lla     t0, vs_tick_handler
    csrw    stvec, t0
    lla     t1, vs_ticks
    sd      zero, 0(t1)
    rdtime  t0
    addi    t0, t0, 20
    csrw    0x14d, t0               /* stimecmp */
    li      t0, 0x20
    csrs    sie, t0
    csrsi   sstatus, 2
1:  ld      t2, 0(t1)
    blt     t2, a0, 1b
    csrci   sstatus, 2
    li      t0, -1
    csrw    0x14d, t0
    mv      a0, t2
    ecall
    .balign 4
vs_tick_handler:
    lla     t3, vs_ticks
    ld      t4, 0(t3)
    addi    t4, t4, 1
    sd      t4, 0(t3)
    csrr    t4, scause
    lla     t3, vs_tick_cause
    sd      t4, 0(t3)
    rdtime  t4
    addi    t4, t4, 20
    csrw    0x14d, t4
    sret

/* --------------------------------------------------------------- probes */
    .globl  probe_ld, probe_sd, probe_jump, probe_vs_sret, probe_vs_sret_ret
    .globl  probe_hs_sie
    .option push
    .option norvc
probe_ld:                           /* a0 = *(u64 *)a0 */
    ld      a0, 0(a0)
    ecall
probe_sd:                           /* *(u64 *)a0 = a1 */
    sd      a1, 0(a0)
    ecall
probe_jump:                         /* jump to a0 (the target ecalls) */
    jr      a0
probe_vs_sret:                      /* VS: SRET to the next label, mode SPP = a0 */
    lla     t0, probe_vs_sret_ret
    csrw    sepc, t0
    li      t0, MSTATUS_SPP
    csrc    sstatus, t0
    slli    a0, a0, 8
    csrs    sstatus, a0
    sret
probe_vs_sret_ret:
    li      a0, 42
    ecall
probe_hs_sie:                       /* HS: open SIE for a few instructions */
    csrsi   sstatus, 2
    nop
    nop
    nop
    csrci   sstatus, 2
    li      a0, 7
    ecall
    .globl  probe_sfence_ld, probe_wfi
probe_sfence_ld:                    /* sfence.vma; a0 = *(u64 *)a0 */
    sfence.vma
    ld      a0, 0(a0)
    ecall
    .globl  probe_sfence_jump
probe_sfence_jump:                  /* sfence.vma; jump to a0 */
    sfence.vma
    jr      a0
probe_wfi:                          /* wfi; a0 = 5 */
    wfi
    li      a0, 5
    ecall
    .option pop

/* ------------------------------------------- assembled instruction words */
    .section .rodata
    .balign 4
    .option push
    .option norvc
    .globl  insn_words
insn_words:
    wfi                             /* 0 */
    sret                            /* 1 */
    mret                            /* 2 */
    sfence.vma                      /* 3 */
    hfence.vvma                     /* 4 */
    hfence.gvma                     /* 5 */
    hlv.d   a0, (a0)                /* 6 */
    hlv.b   a0, (a0)                /* 7 */
    hlv.bu  a0, (a0)                /* 8 */
    hlv.h   a0, (a0)                /* 9 */
    hlv.hu  a0, (a0)                /* 10 */
    hlv.w   a0, (a0)                /* 11 */
    hlv.wu  a0, (a0)                /* 12 */
    hlvx.hu a0, (a0)                /* 13 */
    hlvx.wu a0, (a0)                /* 14 */
    hsv.d   a1, (a0)                /* 15 */
    hsv.w   a1, (a0)                /* 16 */
    fmv.d.x f0, a0                  /* 17 */
    rdcycle a0                      /* 18 */
    rdtime  a0                      /* 19 */
    ld      a0, 0(a0)               /* 20 */
    sd      a1, 0(a0)               /* 21 */
    li      a0, 77                  /* 22 */
    ebreak                          /* 23 */
    hfence.vvma a0, a1              /* 24 */
    hfence.gvma a0, a1              /* 25 */
    fadd.d  f1, f0, f0              /* 26 */
    rdinstret a0                    /* 27 */
    amoadd.d a0, a1, (a0)           /* 28 */
    lr.d    a0, (a0)                /* 29 */
    sc.d    a0, a1, (a0)            /* 30 */
    .option pop

    .data
    .balign 8
    .globl  hv_info, vs_info, hv_active, hv_flush
hv_ctx:    .zero 128
hv_info:   .zero 80
vs_info:   .zero 56
hv_active: .dword 0
hv_flush:  .dword 1
vs_vec_index: .dword 0
vs_ticks:  .dword 0
vs_tick_cause: .dword 0
m_save:    .zero 24

    .bss
    .balign 16
    .zero   4096
m_stack_top:
    .zero   4096
hs_stack_top:

    /* code buffer for run_insns (written by HS, executed in any mode) */
    .data
    .balign 64
    .globl  insn_buf
insn_buf:
    .zero   64
