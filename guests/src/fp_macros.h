/*
 * Shared pieces of fp_single.S / fp_double.S.
 *   LDS f, bits    f = NaN-boxed single (fmv.w.x);   LDD f, bits (fmv.d.x)
 *   CHKS f, bits   fmv.x.d f must equal 0xffffffff_<bits> (checks boxing)
 *   CHKD f, bits   fmv.x.d f must equal bits
 *   CHKFLAGS v     fflags must equal v
 *   FP_RUN_TABLE   run the generated table (fp_*_cases.inc): for every row
 *                  load f1/f2/f3/a0, set frm, clear fflags, call the stub,
 *                  compare result and fflags; on mismatch print got/expected
 *                  and fail with the row's check number.
 */
#include "test.h"

.macro LDS freg, val
    li      t0, \val
    fmv.w.x \freg, t0
.endm
.macro LDD freg, val
    li      t0, \val
    fmv.d.x \freg, t0
.endm
.macro CHKS freg, val
    fmv.x.d a0, \freg
    CHECK   a0, (0xffffffff00000000 | \val)
.endm
.macro CHKD freg, val
    fmv.x.d a0, \freg
    CHECK   a0, \val
.endm
.macro CHKFLAGS val
    frflags a1
    CHECK   a1, \val
.endm

.macro FP_RUN_TABLE rows=fp_rows, stubs=fp_stubs, pool=fp_pool, ncases=fp_ncases
    lla     s0, \rows
    lla     s1, \stubs
    lla     s4, \pool
    lla     t0, \ncases
    ld      s2, 0(t0)
.Lfp_loop\@:
    lhu     t0, 0(s0)
    slli    t0, t0, 3
    add     t0, t0, s4
    ld      a0, 0(t0)
    fmv.d.x f1, a0
    lhu     t0, 2(s0)
    slli    t0, t0, 3
    add     t0, t0, s4
    ld      t0, 0(t0)
    fmv.d.x f2, t0
    lhu     t0, 4(s0)
    slli    t0, t0, 3
    add     t0, t0, s4
    ld      t0, 0(t0)
    fmv.d.x f3, t0
    lhu     gp, 12(s0)
    lbu     t0, 10(s0)
    fsrm    t0
    fsflagsi 0
    li      a1, 0x5a5a
    fmv.d.x f4, a1
    jalr    ra, 0(s1)
    frflags s5
    lbu     t0, 9(s0)
    fmv.x.d s6, f4
    beqz    t0, 1f
    mv      s6, a1
1:  lhu     t0, 6(s0)
    slli    t0, t0, 3
    add     t0, t0, s4
    ld      s7, 0(t0)
    lbu     s8, 8(s0)
    bne     s6, s7, .Lfp_bad\@
    bne     s5, s8, .Lfp_bad\@
    addi    s0, s0, 16
    addi    s1, s1, 8
    addi    s2, s2, -1
    bnez    s2, .Lfp_loop\@
    j       .Lfp_done\@
.Lfp_bad\@:
    j       fp_table_fail
.Lfp_done\@:
.endm

/* Once per guest, outside the code path: print a failed table row's result and flags
   against the expected ones, then fail check gp. */
.macro FP_TABLE_FAIL
fp_table_fail:
    lla     a0, fp_msg_got
    call    rv_puts
    mv      a0, s6
    call    rv_puthex
    lla     a0, fp_msg_exp
    call    rv_puts
    mv      a0, s7
    call    rv_puthex
    lla     a0, fp_msg_flags
    call    rv_puts
    mv      a0, s5
    call    rv_puthex
    lla     a0, fp_msg_exp
    call    rv_puts
    mv      a0, s8
    call    rv_puthex
    li      a0, '\n'
    call    rv_putc
    j       __fail
    .section .rodata
fp_msg_got:   .asciz "fp case: got "
fp_msg_exp:   .asciz " expected "
fp_msg_flags: .asciz " fflags "
    .text
.endm
