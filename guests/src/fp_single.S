/*
 * fp_single: F extension (plus fmv.x.d from D to observe NaN-boxing).
 *   1-9     fcsr / frm / fflags aliasing, field widths, swap forms, accumulation
 *   10-19   mstatus.FS: Off -> FP instructions and fcsr illegal; Clean -> Dirty
 *           (and SD set) after an FP write
 *   20-29   reserved rounding modes: static rm 5/6 and dyn with frm 5/6/7 are
 *           illegal; instructions without rounding use ignore frm
 *   30-59   NaN-boxing: flw / fmv.w.x / results are boxed; an improperly boxed
 *           value reads as the canonical NaN in arithmetic, sign injection,
 *           fclass, compares, conversions, fmin; transfers (fmv.x.w, fsw) do not
 *           check; fmv.x.w sign-extends
 *   60-69   flw/fsw/fld/fsd addressing
 *   101-... generated table (gen_fp.py): arithmetic in all rounding modes
 *           (static and dynamic), exact fflags, canonical NaNs, fma, fmin/fmax,
 *           compares, fclass, sign injection, fcvt to/from integers with
 *           saturation, fcvt.s.d
 */
#include "fp_macros.h"

#define BAD_BOX 0x000000003f800000      /* 1.0f without the upper ones */

    .text
    .globl  main
main:
    CATCH_INIT
    /* ---------------- fcsr aliasing ---------------- */
    TEST    1
    li      t0, 0xff
    csrw    fcsr, t0
    CHECK_CSR frm, 7
    CHECK_CSR fflags, 0x1f
    CHECK_CSR fcsr, 0xff
    TEST    2                       /* bits above 7 are not writable */
    li      t0, 0xfffff0a5
    csrw    fcsr, t0
    CHECK_CSR fcsr, 0xa5
    CHECK_CSR frm, 5
    CHECK_CSR fflags, 5
    TEST    3                       /* frm write leaves fflags */
    csrwi   frm, 3
    CHECK_CSR fcsr, 0x65
    TEST    4                       /* fflags write leaves frm, 5 bits only */
    li      t0, 0x3e
    csrw    fflags, t0
    CHECK_CSR fflags, 0x1e
    CHECK_CSR fcsr, 0x7e
    TEST    5                       /* frm is 3 bits */
    csrwi   frm, 0x1c
    CHECK_CSR frm, 4
    TEST    6                       /* swap forms return the old value */
    fsflagsi a0, 0x3
    CHECK   a0, 0x1e
    fsrmi   a0, 1
    CHECK   a0, 4
    CHECK_CSR fcsr, 0x23
    TEST    7                       /* set / clear */
    csrsi   fflags, 0x10
    csrci   fflags, 0x1
    CHECK_CSR fflags, 0x12
    csrrs   a0, fcsr, x0
    CHECK   a0, 0x32
    TEST    8                       /* flags accumulate */
    fsflagsi 0
    LDS     f1, 0x3f800000          /* 1.0 */
    LDS     f2, 0x40400000          /* 3.0 */
    fdiv.s  f3, f1, f2              /* NX */
    fmv.w.x f4, zero
    fdiv.s  f3, f1, f4              /* DZ */
    CHKFLAGS 0x9
    fsqrt.s f3, f3                  /* sqrt(+inf): no flag */
    CHKFLAGS 0x9
    TEST    9                       /* fflags write via csrw of fcsr clears */
    csrw    fcsr, zero
    CHECK_CSR fcsr, 0

    /* ---------------- mstatus.FS ---------------- */
    TEST    10                      /* FS = Off: FP ops trap */
    li      t0, MSTATUS_FS
    csrc    mstatus, t0
    CATCH_RESET
    fadd.s  f1, f1, f1
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    11
    CATCH_RESET
    csrr    a0, fcsr
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    12
    CATCH_RESET
    lla     a0, fdata
    flw     f1, 0(a0)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    13
    CATCH_RESET
    fmv.x.w a0, f1
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    14
    CATCH_RESET
    csrwi   frm, 0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    15                      /* FS = Clean -> Dirty after an FP write */
    li      t0, (2 << 13)
    csrs    mstatus, t0
    csrr    a0, mstatus
    srli    a0, a0, 13
    andi    a0, a0, 3
    CHECK   a0, 2
    fadd.s  f1, f1, f1
    csrr    a0, mstatus
    srli    a1, a0, 13
    andi    a1, a1, 3
    CHECK   a1, 3
    srli    a1, a0, 63              /* SD */
    CHECK   a1, 1
    TEST    16                      /* Clean -> Dirty after an fcsr write */
    li      t0, MSTATUS_FS
    csrc    mstatus, t0
    li      t0, (2 << 13)
    csrs    mstatus, t0
    csrwi   fflags, 1
    csrr    a0, mstatus
    srli    a1, a0, 13
    andi    a1, a1, 3
    CHECK   a1, 3
    csrwi   fflags, 0

    /* ---------------- reserved rounding modes ---------------- */
    LDS     f1, 0x3f800000
    LDS     f2, 0x40000000
    TEST    20                      /* fadd.s f3, f1, f2 with rm = 5 */
    CATCH_RESET
    .word   0x002081d3 | (5 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    21                      /* rm = 6 */
    CATCH_RESET
    .word   0x002081d3 | (6 << 12)
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    TEST    22                      /* dyn with frm = 5, 6, 7 */
    li      s0, 5
1:  csrw    frm, s0
    CATCH_RESET
    fadd.s  f3, f1, f2, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CATCH_RESET
    fcvt.w.s a0, f1, dyn
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    addi    s0, s0, 1
    li      t0, 8
    bne     s0, t0, 1b
    TEST    23                      /* frm = 7 does not affect static rm / no-rm ops */
    csrwi   frm, 7
    CATCH_RESET
    fadd.s  f3, f1, f2, rne
    fsgnjn.s f3, f1, f2
    fmin.s  f3, f1, f2
    feq.s   a0, f1, f2
    fclass.s a0, f1
    fmv.x.w a0, f1
    csrr    a0, fcsr
    CHECK_NO_TRAP
    fcvt.s.w f3, zero, rne
    CHKS    f3, 0
    csrwi   frm, 0
    TEST    24                      /* the .word encoding above is fadd.s f3,f1,f2 */
    .word   0x002081d3 | (0 << 12)
    CHKS    f3, 0x40400000

    /* ---------------- NaN boxing ---------------- */
    TEST    30                      /* flw boxes */
    lla     a0, fdata
    flw     f1, 0(a0)
    CHKS    f1, 0xc0490fdb
    TEST    31                      /* fmv.w.x boxes, ignores upper bits of rs */
    li      t0, 0x123456783f800000
    fmv.w.x f1, t0
    CHKS    f1, 0x3f800000
    TEST    32                      /* fmv.x.w sign-extends bit 31 */
    LDS     f1, 0x80000000
    fmv.x.w a0, f1
    CHECK   a0, 0xffffffff80000000
    LDS     f1, 0x7f800000
    fmv.x.w a0, f1
    CHECK   a0, 0x7f800000
    LDD     f5, BAD_BOX
    LDS     f6, 0xbf800000          /* -1.0 */
    LDS     f7, 0x40000000          /* 2.0 */
    TEST    33                      /* arithmetic sees canonical NaN */
    fsflagsi 0
    fadd.s  f3, f5, f7
    CHKS    f3, 0x7fc00000
    CHKFLAGS 0
    TEST    34
    fmadd.s f3, f7, f7, f5
    CHKS    f3, 0x7fc00000
    fsqrt.s f3, f5
    CHKS    f3, 0x7fc00000
    CHKFLAGS 0
    TEST    35                      /* sign injection: rs1 canonical NaN */
    fsgnj.s f3, f5, f6
    CHKS    f3, 0xffc00000
    fsgnjx.s f3, f5, f7
    CHKS    f3, 0x7fc00000
    TEST    36                      /* sign injection: rs2 canonical NaN (+) */
    fsgnj.s f3, f6, f5
    CHKS    f3, 0x3f800000
    fsgnjn.s f3, f7, f5
    CHKS    f3, 0xc0000000
    TEST    37                      /* fclass: quiet NaN */
    fclass.s a0, f5
    CHECK   a0, 0x200
    TEST    38                      /* compares: quiet NaN */
    fsflagsi 0
    feq.s   a0, f5, f5
    CHECK   a0, 0
    CHKFLAGS 0
    flt.s   a0, f5, f7
    CHECK   a0, 0
    CHKFLAGS 0x10
    TEST    39                      /* conversions */
    fsflagsi 0
    fcvt.d.s f3, f5
    CHKD    f3, 0x7ff8000000000000
    CHKFLAGS 0
    fcvt.w.s a0, f5, rtz
    CHECK   a0, 0x7fffffff
    CHKFLAGS 0x10
    TEST    40                      /* fmin/fmax pick the other operand */
    fsflagsi 0
    fmin.s  f3, f5, f7
    CHKS    f3, 0x40000000
    fmax.s  f3, f6, f5
    CHKS    f3, 0xbf800000
    CHKFLAGS 0
    TEST    41                      /* transfers do not check */
    fmv.x.w a0, f5
    CHECK   a0, 0x3f800000
    lla     a1, fscratch
    li      t0, -1
    sd      t0, 0(a1)
    fsw     f5, 0(a1)
    ld      a0, 0(a1)
    CHECK   a0, 0xffffffff3f800000
    TEST    42                      /* almost-boxed (one upper bit clear) */
    LDD     f5, 0xfffffffe3f800000
    fadd.s  f3, f5, f7
    CHKS    f3, 0x7fc00000
    fclass.s a0, f5
    CHECK   a0, 0x200
    TEST    43                      /* a double's low half is not a single */
    LDD     f5, 0x3ff0000000000000
    fmul.s  f3, f5, f7
    CHKS    f3, 0x7fc00000
    TEST    44                      /* boxed all-ones pattern is a NaN single */
    LDD     f5, 0xffffffffffffffff
    fclass.s a0, f5
    CHECK   a0, 0x200
    fsgnj.s f3, f5, f5
    CHKS    f3, 0xffffffff

    /* ---------------- loads / stores ---------------- */
    TEST    60
    lla     s0, fdata
    flw     f1, 4(s0)
    CHKS    f1, 0x3f800000
    addi    s1, s0, 16
    flw     f2, -12(s1)
    CHKS    f2, 0x3f800000
    TEST    61
    lla     s1, fscratch
    fsw     f1, 4(s1)
    lwu     a2, 4(s1)
    CHECK   a2, 0x3f800000
    TEST    62
    fld     f3, 8(s0)
    CHKD    f3, 0x400921fb54442d18
    fsd     f3, 8(s1)
    ld      a2, 8(s1)
    CHECK   a2, 0x400921fb54442d18

    /* ---------------- generated table ---------------- */
    fsflagsi 0
    FP_RUN_TABLE
    PASS
    FP_TABLE_FAIL

#include "fp_single_cases.inc"

    .data
    .balign 8
fdata:
    .word   0xc0490fdb, 0x3f800000
    .dword  0x400921fb54442d18
fscratch:
    .dword  0, 0
