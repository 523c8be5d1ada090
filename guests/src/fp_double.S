/*
 * fp_double: D extension.
 *   1-2     fcsr aliasing (shared with F; see fp_single for the full set)
 *   10-13   mstatus.FS: Off -> D instructions illegal; Clean -> Dirty after fld
 *   20-23   reserved rounding modes (static 5/7 encodings, dyn frm 5/6/7)
 *   30-39   interplay with singles: a NaN-boxed single seen as a double is a
 *           (negative, quiet) NaN -> arithmetic yields canonical NaN; sign
 *           injection keeps the payload; fmv.x.w reads the low 32 bits of a
 *           double register; fsd stores all 64 bits of a boxed single
 *   60-62   fld/fsd/fmv addressing and round trips
 *   101-... generated table (gen_fp.py): arithmetic in all rounding modes
 *           (static and dynamic), exact fflags, canonical NaNs, fma, fmin/fmax,
 *           compares, fclass, sign injection, fcvt to/from integers with
 *           saturation, fcvt.d.s
 */
#include "fp_macros.h"

    .text
    .globl  main
main:
    CATCH_INIT
    TEST    1
    li      t0, 0x85
    csrw    fcsr, t0
    CHECK_CSR frm, 4
    CHECK_CSR fflags, 5
    TEST    2
    LDD     f1, 0x3ff0000000000000
    LDD     f2, 0x4008000000000000
    fsflagsi 0
    fdiv.d  f3, f1, f2
    CHKFLAGS 1
    CHECK_CSR frm, 4
    csrw    fcsr, zero

    /* ---------------- mstatus.FS ---------------- */
    TEST    10
    li      t0, MSTATUS_FS
    csrc    mstatus, t0
    CATCH_RESET
    fadd.d  f1, f1, f1
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    11
    CATCH_RESET
    lla     a0, ddata
    fld     f1, 0(a0)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    12
    CATCH_RESET
    fmv.d.x f1, zero
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    13                      /* Clean -> Dirty after fld */
    li      t0, (2 << 13)
    csrs    mstatus, t0
    lla     a0, ddata
    fld     f1, 0(a0)
    csrr    a0, mstatus
    srli    a1, a0, 13
    andi    a1, a1, 3
    CHECK   a1, 3
    srli    a1, a0, 63
    CHECK   a1, 1

    /* ---------------- reserved rounding modes ---------------- */
    LDD     f1, 0x3ff0000000000000
    LDD     f2, 0x4000000000000000
    TEST    20                      /* fadd.d f3, f1, f2 with rm = 5 */
    CATCH_RESET
    .word   0x022081d3 | (5 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    21                      /* rm = 7 (dyn) with frm = 5, 6, 7 */
    li      s0, 5
1:  csrw    frm, s0
    CATCH_RESET
    .word   0x022081d3 | (7 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fsqrt.d f3, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fcvt.s.d f3, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    addi    s0, s0, 1
    li      t0, 8
    bne     s0, t0, 1b
    TEST    22                      /* no-rm ops ignore an invalid frm */
    CATCH_RESET
    fsgnj.d f3, f1, f2
    fmax.d  f3, f1, f2
    fle.d   a0, f1, f2
    fclass.d a0, f1
    fmv.x.d a0, f1
    CHECK_NO_TRAP
    csrwi   frm, 0
    TEST    23                      /* the encoding used above is fadd.d */
    .word   0x022081d3
    CHKD    f3, 0x4008000000000000

    /* ---------------- singles vs doubles ---------------- */
    TEST    30                      /* boxed single as double: NaN */
    LDS     f5, 0x3f800000
    fclass.d a0, f5
    CHECK   a0, 0x200
    TEST    31
    fsflagsi 0
    fadd.d  f3, f5, f1
    CHKD    f3, 0x7ff8000000000000
    CHKFLAGS 0
    TEST    32                      /* sign injection keeps the payload */
    fsgnjn.d f3, f5, f5
    CHKD    f3, 0x7fffffff3f800000
    fsgnjx.d f3, f5, f5
    CHKD    f3, 0x7fffffff3f800000
    TEST    33                      /* fmv.x.w of a double: low half, sign-extended */
    LDD     f3, 0x12345678cafef00d
    fmv.x.w a0, f3
    CHECK   a0, 0xffffffffcafef00d
    TEST    34                      /* fsd stores all 64 bits of a boxed single */
    lla     s1, dscratch
    fsd     f5, 0(s1)
    ld      a0, 0(s1)
    CHECK   a0, 0xffffffff3f800000
    TEST    35                      /* fcvt.s.d result is boxed */
    fcvt.s.d f3, f1
    CHKS    f3, 0x3f800000
    TEST    36                      /* fmv.d.x / fmv.x.d round trip any bits */
    li      t0, 0x7ff0000000000001
    fmv.d.x f3, t0
    fmv.x.d a0, f3
    CHECKR  a0, t0

    /* ---------------- loads / stores ---------------- */
    TEST    60
    lla     s0, ddata
    fld     f1, 8(s0)
    CHKD    f1, 0xc00921fb54442d18
    addi    s1, s0, 24
    fld     f2, -16(s1)
    CHKD    f2, 0xc00921fb54442d18
    TEST    61
    lla     s1, dscratch
    fsd     f1, 8(s1)
    ld      a2, 8(s1)
    CHECK   a2, 0xc00921fb54442d18
    TEST    62                      /* fld of a word pair, fsw of its low half */
    fld     f3, 0(s0)
    fsw     f3, 4(s1)
    lwu     a2, 4(s1)
    CHECK   a2, 0x00000000

    fsflagsi 0
    FP_RUN_TABLE
    PASS
    FP_TABLE_FAIL

#include "fp_double_cases.inc"

    .data
    .balign 8
ddata:
    .dword  0x3ff0000000000000
    .dword  0xc00921fb54442d18
dscratch:
    .dword  0, 0
