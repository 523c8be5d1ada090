/*
 * zfh: Zfh (half precision) and Zfbfmin (bfloat16 conversions) on the hart.
 * Needs a hart with F, D, Zfh and Zfbfmin (rvemu: isa="rv64gc_zfh_zfbfmin");
 * on a hart without Zfh it prints "zfh: SKIP (the hart has no Zfh)" and exits 0.
 *   1-9     transfers: flh / fmv.h.x box (ones in bits 63:16), fmv.x.h
 *           sign-extends bit 15 (also of an improperly boxed register), fsh
 *           stores only 2 bytes, flh/fsh addressing
 *   10-29   NaN-boxing across F/D/H: a half written by fmv.d.x / fld / flw /
 *           fmv.w.x (not boxed to 64 bits) reads as the canonical NaN 0x7e00 in
 *           arithmetic, fma, sqrt, sign injection, fclass, compares, fmin/fmax,
 *           conversions; results are boxed; a boxed half seen as a single is a
 *           boxed quiet NaN; a single seen by fcvt.s.bf16 is not boxed either
 *   30-39   reserved rounding modes: static rm 5/6 and dynamic frm 5/6/7 make
 *           Zfh (and Zfbfmin) instructions illegal; ops without rm ignore frm
 *   101-... generated table (gen_zfh.py, expected values from tests/fpref.py):
 *           fadd/fsub/fmul/fdiv/fsqrt.h in all 5 static modes + dynamic frm with
 *           exact fflags, special operands and canonical NaN 0x7e00, tininess
 *           after rounding, the fmadd family, fmin/fmax with -0/+0/NaN/sNaN,
 *           feq/flt/fle, fclass, fsgnj*, fcvt.{w,wu,l,lu}.h with saturation,
 *           fcvt.h.{w,wu,l,lu}, fcvt.h.s / fcvt.h.d / fcvt.s.h / fcvt.d.h
 *   1501-.. generated Zfbfmin table: fcvt.bf16.s in every rounding mode with
 *           flags and canonical 0x7fc0, fcvt.s.bf16 exact (sNaN -> NV, NaNs ->
 *           0x7fc00000).  Compiled out with -DQEMU_NO_ZFBFMIN (QEMU 7.2).
 */
#include "fp_macros.h"

#define HBOX(v)   (0xffffffffffff0000 | (v))
#define CANON_H   0xffffffffffff7e00

.macro CHKH freg, val
    fmv.x.d a0, \freg
    CHECK   a0, HBOX(\val)
.endm


    .text
    .globl  main
main:
    CATCH_INIT
    csrwi   fcsr, 0
    /* A hart without Zfh (e.g. the rv64gc machine every guest also runs on)
       prints a SKIP line and exits 0; tests/test_zfh_hart.py runs the guest
       with Zfh + Zfbfmin and requires that the line is absent. */
    CATCH_RESET
    fadd.h  f1, f1, f1
    la      t5, __catch_area
    ld      t4, CATCH_COUNT(t5)
    beqz    t4, have_zfh
    lla     a0, skip_msg
    call    rv_puts
    li      a0, 0
    call    rv_exit
have_zfh:
    /* ---------------- transfers ---------------- */
    TEST    1                       /* flh boxes */
    lla     s0, hdata
    flh     f1, 0(s0)
    CHKH    f1, 0xbc00
    flh     f2, 2(s0)
    CHKH    f2, 0x3c00
    TEST    2                       /* fmv.h.x boxes and ignores bits 63:16 */
    li      t0, 0x123456789abcdef0
    fmv.h.x f1, t0
    CHKH    f1, 0xdef0
    TEST    3                       /* fmv.x.h sign-extends bit 15 */
    fmv.x.h a0, f1
    CHECK   a0, 0xffffffffffffdef0
    li      t0, 0x7c00
    fmv.h.x f1, t0
    fmv.x.h a0, f1
    CHECK   a0, 0x7c00
    TEST    4                       /* fmv.x.h of an improperly boxed value: low 16 bits */
    LDD     f1, 0x123456789abc8001
    fmv.x.h a0, f1
    CHECK   a0, 0xffffffffffff8001
    LDD     f1, 0xffffffff00004000
    fmv.x.h a0, f1
    CHECK   a0, 0x4000
    TEST    5                       /* fsh writes exactly 2 bytes, no boxing check */
    lla     s1, hscratch
    li      t0, -1
    sd      t0, 0(s1)
    sd      t0, 8(s1)
    LDD     f1, 0x1111222233334455
    fsh     f1, 2(s1)
    ld      a0, 0(s1)
    CHECK   a0, 0xffffffff4455ffff
    ld      a0, 8(s1)
    CHECK   a0, -1
    TEST    6                       /* flh / fsh addressing, negative offset */
    addi    s2, s0, 8
    flh     f3, -4(s2)              /* hdata+4 = 0x7e00 */
    CHKH    f3, 0x7e00
    addi    s2, s1, 16
    fsh     f3, -10(s2)             /* hscratch+6 */
    lhu     a0, 6(s1)
    CHECK   a0, 0x7e00
    TEST    7                       /* flh of an sNaN pattern is not quieted */
    flh     f4, 6(s0)
    CHKH    f4, 0x7c01
    fmv.x.h a0, f4
    CHECK   a0, 0x7c01
    CHKFLAGS 0

    /* ---------------- NaN-boxing across F/D/H ---------------- */
    LDD     f5, 0x0000000000003c00  /* 1.0h written by fmv.d.x: not boxed */
    li      t0, 0x4000              /* 2.0h */
    fmv.h.x f7, t0
    li      t0, 0xbc00              /* -1.0h */
    fmv.h.x f6, t0
    TEST    10                      /* arithmetic sees the canonical NaN */
    fsflagsi 0
    fadd.h  f3, f5, f7
    CHKH    f3, 0x7e00
    fmul.h  f3, f7, f5
    CHKH    f3, 0x7e00
    fsqrt.h f3, f5
    CHKH    f3, 0x7e00
    fmadd.h f3, f7, f7, f5
    CHKH    f3, 0x7e00
    fdiv.h  f3, f5, f5
    CHKH    f3, 0x7e00
    CHKFLAGS 0
    TEST    11                      /* sign injection: rs1 canonical NaN */
    fsgnj.h f3, f5, f6
    CHKH    f3, 0xfe00
    fsgnjx.h f3, f5, f7
    CHKH    f3, 0x7e00
    TEST    12                      /* sign injection: rs2 canonical NaN (+) */
    fsgnj.h f3, f6, f5
    CHKH    f3, 0x3c00
    fsgnjn.h f3, f7, f5
    CHKH    f3, 0xc000
    TEST    13                      /* fclass: quiet NaN */
    fclass.h a0, f5
    CHECK   a0, 0x200
    TEST    14                      /* compares */
    fsflagsi 0
    feq.h   a0, f5, f5
    CHECK   a0, 0
    CHKFLAGS 0
    fle.h   a0, f7, f5
    CHECK   a0, 0
    CHKFLAGS 0x10
    TEST    15                      /* fmin / fmax pick the other operand */
    fsflagsi 0
    fmin.h  f3, f5, f7
    CHKH    f3, 0x4000
    fmax.h  f3, f6, f5
    CHKH    f3, 0xbc00
    CHKFLAGS 0
    TEST    16                      /* conversions */
    fsflagsi 0
    fcvt.s.h f3, f5
    CHKS    f3, 0x7fc00000
    fcvt.d.h f3, f5
    CHKD    f3, 0x7ff8000000000000
    CHKFLAGS 0
    fcvt.w.h a0, f5, rtz
    CHECK   a0, 0x7fffffff
    CHKFLAGS 0x10
    TEST    17                      /* single-boxed only (bits 63:32 ones, 31:16 not) */
    LDD     f5, 0xffffffff00003c00
    fadd.h  f3, f5, f7
    CHKH    f3, 0x7e00
    fclass.h a0, f5
    CHECK   a0, 0x200
    TEST    18                      /* almost boxed: bit 63 clear / bit 16 clear */
    LDD     f5, 0x7fffffffffff3c00
    fclass.h a0, f5
    CHECK   a0, 0x200
    LDD     f5, 0xfffffffffffe3c00
    fmul.h  f3, f5, f7
    CHKH    f3, 0x7e00
    TEST    19                      /* fld of an unboxed half */
    lla     t0, ddata
    fld     f5, 0(t0)               /* 0x0000000000004000 */
    fadd.h  f3, f5, f7
    CHKH    f3, 0x7e00
    fld     f5, 8(t0)               /* 0xffffffffffff4000: properly boxed 2.0h */
    fadd.h  f3, f5, f7
    CHKH    f3, 0x4400
    TEST    20                      /* a single (flw, fmv.w.x) is not a boxed half */
    flw     f5, 16(t0)              /* 1.0f */
    fadd.h  f3, f5, f7
    CHKH    f3, 0x7e00
    li      t0, 0x3c00
    fmv.w.x f5, t0                  /* 0xffffffff00003c00 */
    fclass.h a0, f5
    CHECK   a0, 0x200
    TEST    21                      /* a boxed half seen as a single: boxed qNaN */
    fsflagsi 0
    fadd.s  f3, f7, f7
    CHKS    f3, 0x7fc00000
    fclass.s a0, f7
    CHECK   a0, 0x200
    fmv.x.w a0, f7                  /* 0xffff4000 sign-extended */
    CHECK   a0, 0xffffffffffff4000
    CHKFLAGS 0
    TEST    22                      /* ... and as a double: a NaN (all ones top) */
    fclass.d a0, f7
    CHECK   a0, 0x200
    TEST    23                      /* half results are boxed: fmv.x.d sees ones */
    li      t0, 0x3c00
    fmv.h.x f1, t0
    fadd.h  f3, f1, f1
    fmv.x.d a0, f3
    CHECK   a0, 0xffffffffffff4000
    fcvt.h.s f3, f1                 /* f1 as single is a qNaN -> canonical 0x7e00 */
    CHKH    f3, 0x7e00
    fcvt.h.w f3, zero
    CHKH    f3, 0
    TEST    24                      /* fmv.x.h of a boxed result */
    fmv.x.h a0, f6
    CHECK   a0, 0xffffffffffffbc00
    TEST    25                      /* fsh of an unboxed register stores its low bits */
    lla     s1, hscratch
    LDD     f5, 0x0000000000003555
    fsh     f5, 0(s1)
    lhu     a0, 0(s1)
    CHECK   a0, 0x3555
#ifndef QEMU_NO_ZFBFMIN
    TEST    26                      /* bf16 inputs are NaN-boxed halves too */
    fsflagsi 0
    LDD     f5, 0x0000000000003f80
    fcvt.s.bf16 f3, f5
    CHKS    f3, 0x7fc00000
    CHKFLAGS 0
    li      t0, 0x3f80
    fmv.h.x f5, t0
    fcvt.s.bf16 f3, f5
    CHKS    f3, 0x3f800000
    TEST    27                      /* fcvt.bf16.s: unboxed single source -> 0x7fc0, boxed result */
    LDD     f5, 0x000000003f800000
    fcvt.bf16.s f3, f5
    CHKH    f3, 0x7fc0
    CHKFLAGS 0
    li      t0, 0x3f800000
    fmv.w.x f5, t0
    fcvt.bf16.s f3, f5
    CHKH    f3, 0x3f80
#endif

    /* ---------------- reserved rounding modes ---------------- */
    li      t0, 0x3c00
    fmv.h.x f1, t0
    li      t0, 0x4000
    fmv.h.x f2, t0
    TEST    30                      /* fadd.h f3, f1, f2 with rm = 5 / 6 */
    CATCH_RESET
    .word   0x042081d3 | (5 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CHECK_TVAL (0x042081d3 | (5 << 12))
    CATCH_RESET
    .word   0x042081d3 | (6 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    31                      /* dynamic with frm = 5, 6, 7 */
    li      s0, 5
1:  csrw    frm, s0
    CATCH_RESET
    fadd.h  f3, f1, f2, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fcvt.w.h a0, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fmadd.h f3, f1, f2, f2, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fcvt.h.s f3, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
#ifndef QEMU_NO_ZFBFMIN
    CATCH_RESET
    fcvt.bf16.s f3, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
#endif
    addi    s0, s0, 1
    li      t0, 8
    bne     s0, t0, 1b
    TEST    32                      /* frm = 7 does not affect static rm / no-rm ops */
    csrwi   frm, 7
    CATCH_RESET
    fadd.h  f3, f1, f2, rne
    CHKH    f3, 0x4200
    fsgnjn.h f3, f1, f2
    fmin.h  f3, f1, f2
    feq.h   a0, f1, f2
    fclass.h a0, f1
    fmv.x.h a0, f1
    fmv.h.x f3, a0
    CHECK_NO_TRAP
    TEST    33                      /* the .word encoding above is fadd.h f3,f1,f2 */
    csrwi   frm, 0
    .word   0x042081d3
    CHKH    f3, 0x4200

    /* ---------------- generated tables ---------------- */
    csrwi   fcsr, 0
    FP_RUN_TABLE fp_rows, fp_stubs, fp_pool, fp_ncases
#ifndef QEMU_NO_ZFBFMIN
    FP_RUN_TABLE bf_rows, bf_stubs, bf_pool, bf_ncases
#endif
    PASS

    FP_TABLE_FAIL

#include "zfh_cases.inc"
#ifndef QEMU_NO_ZFBFMIN
#include "zfbfmin_cases.inc"
#endif

    .section .rodata
skip_msg:    .asciz "zfh: SKIP (the hart has no Zfh)\n"

    .data
    .balign 8
hdata:
    .2byte  0xbc00, 0x3c00, 0x7e00, 0x7c01
ddata:
    .dword  0x0000000000004000, 0xffffffffffff4000
    .word   0x3f800000, 0
hscratch:
    .dword  0, 0, 0, 0
