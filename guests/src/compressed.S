/*
 * compressed: every RV64C instruction, written with explicit c.* mnemonics.
 *   1-9    C0: c.addi4spn, c.lw (sign-extends), c.ld, c.sw, c.sd, c.fld, c.fsd
 *   10-29  C1: c.nop, c.addi, c.addiw, c.li, c.addi16sp, c.lui, c.srli,
 *          c.srai, c.andi, c.sub, c.xor, c.or, c.and, c.subw, c.addw, c.j,
 *          c.beqz, c.bnez
 *   30-49  C2: c.slli, c.lwsp, c.ldsp, c.fldsp, c.swsp, c.sdsp, c.fsdsp, c.jr,
 *          c.jalr (link = pc + 2), c.mv, c.add, c.ebreak
 *   50     the all-zero parcel is an illegal instruction
 *   51     mixed 16/32-bit code: a 32-bit instruction at a 2-byte boundary
 */
#include "test.h"

    .text
    .globl  main
main:
    CATCH_INIT
    .option push
    .option rvc
    addi    sp, sp, -256
    lla     s0, cdata
    /* ---------------- quadrant 0 ---------------- */
    TEST    1
    c.addi4spn a0, sp, 1020
    sub     a0, a0, sp
    CHECK   a0, 1020
    c.addi4spn s1, sp, 4
    sub     s1, s1, sp
    CHECK   s1, 4
    TEST    2
    c.lw    a1, 0(s0)
    CHECK   a1, 0xffffffff89abcdef
    c.lw    a1, 4(s0)
    CHECK   a1, 0x01234567
    TEST    3
    c.ld    a2, 8(s0)
    CHECK   a2, 0xfedcba9876543210
    TEST    4                       /* max offsets */
    c.lw    a3, 124(s0)
    CHECK   a3, 0x7c7c7c7c
    c.ld    a3, 248(s0)
    CHECK   a3, 0xf8f8f8f8f8f8f8f8
    TEST    5
    lla     s1, cscratch
    li      a4, 0x1122334455667788
    c.sw    a4, 4(s1)
    c.sd    a4, 8(s1)
    lwu     a5, 4(s1)
    CHECK   a5, 0x55667788
    ld      a5, 8(s1)
    CHECK   a5, 0x1122334455667788
    TEST    6
    c.fld   fa0, 16(s0)
    fmv.x.d a5, fa0
    CHECK   a5, 0x400921fb54442d18
    c.fsd   fa0, 16(s1)
    ld      a5, 16(s1)
    CHECK   a5, 0x400921fb54442d18
    c.fld   fa1, 240(s0)
    fmv.x.d a5, fa1
    CHECK   a5, 0xf0f0f0f0f0f0f0f0

    /* ---------------- quadrant 1 ---------------- */
    TEST    10
    li      a0, 7
    c.nop
    c.addi  a0, -32
    CHECK   a0, -25
    c.addi  a0, 31
    CHECK   a0, 6
    TEST    11
    li      a0, 0x7fffffff
    c.addiw a0, 1
    CHECK   a0, 0xffffffff80000000
    li      a0, 0x1234567880000000
    c.addiw a0, 0                   /* sext.w */
    CHECK   a0, 0xffffffff80000000
    TEST    12
    c.li    a0, -32
    CHECK   a0, -32
    c.li    a0, 31
    CHECK   a0, 31
    TEST    13
    mv      t0, sp
    c.addi16sp sp, -512
    sub     a0, t0, sp
    CHECK   a0, 512
    c.addi16sp sp, 496
    sub     a0, t0, sp
    CHECK   a0, 16
    c.addi16sp sp, 16
    CHECKR  sp, t0
    TEST    14
    c.lui   a0, 0xfffe0
    CHECK   a0, 0xfffffffffffe0000
    c.lui   a0, 0x1f
    CHECK   a0, 0x1f000
    c.lui   a0, 1
    CHECK   a0, 0x1000
    TEST    15
    li      a0, 0x8000000000000000
    c.srli  a0, 63
    CHECK   a0, 1
    li      a0, 0x8000000000000000
    c.srai  a0, 63
    CHECK   a0, -1
    li      a0, 0x8000000000000000
    c.srai  a0, 1
    CHECK   a0, 0xc000000000000000
    TEST    16
    li      a0, 0xff
    c.andi  a0, -16
    CHECK   a0, 0xf0
    li      a0, -1
    c.andi  a0, 31
    CHECK   a0, 31
    TEST    17
    li      a0, 10
    li      a1, 3
    c.sub   a0, a1
    CHECK   a0, 7
    c.xor   a0, a1
    CHECK   a0, 4
    c.or    a0, a1
    CHECK   a0, 7
    c.and   a0, a1
    CHECK   a0, 3
    TEST    18
    li      a0, 0x80000000
    li      a1, 1
    c.subw  a0, a1
    CHECK   a0, 0x7fffffff
    c.addw  a0, a1
    CHECK   a0, 0xffffffff80000000
    li      a0, 0x1234567800000005
    li      a1, 0x0000000100000003
    c.addw  a0, a1
    CHECK   a0, 8
    TEST    19
    li      a2, 0
    c.j     1f
    li      a2, 1
1:  CHECK   a2, 0
    TEST    20                      /* c.j backwards */
    li      a2, 0
    c.j     3f
2:  addi    a2, a2, 1
    c.j     4f
3:  c.j     2b
4:  CHECK   a2, 1
    TEST    21
    li      a0, 0
    li      a2, 0
    c.beqz  a0, 1f
    li      a2, 1
1:  CHECK   a2, 0
    li      a0, 5
    c.beqz  a0, 1f
    li      a2, 2
1:  CHECK   a2, 2
    TEST    22
    li      a0, 0
    li      a2, 0
    c.bnez  a0, 1f
    li      a2, 3
1:  CHECK   a2, 3
    li      a0, -1
    li      a2, 0
    c.bnez  a0, 1f
    li      a2, 4
1:  CHECK   a2, 0
    TEST    23                      /* c.bnez backwards loop */
    li      a0, 4
    li      a2, 0
1:  addi    a2, a2, 2
    addi    a0, a0, -1
    c.bnez  a0, 1b
    CHECK   a2, 8

    /* ---------------- quadrant 2 ---------------- */
    TEST    30
    li      a0, 1
    c.slli  a0, 63
    CHECK   a0, 0x8000000000000000
    li      t1, 3
    c.slli  t1, 4
    CHECK   t1, 48
    TEST    31                      /* stack-relative stores and loads */
    li      t1, 0xffffffff87654321
    c.swsp  t1, 252(sp)
    c.sdsp  t1, 504(sp)
    c.lwsp  t2, 252(sp)
    CHECK   t2, 0xffffffff87654321
    lwu     t2, 252(sp)
    CHECK   t2, 0x87654321
    c.ldsp  t2, 504(sp)
    CHECK   t2, 0xffffffff87654321
    TEST    32
    c.sdsp  s0, 0(sp)
    c.ldsp  t3, 0(sp)
    CHECKR  t3, s0
    c.swsp  zero, 4(sp)
    c.lwsp  t3, 4(sp)
    CHECK   t3, 0
    TEST    33
    c.fldsp ft0, 504(sp)
    fmv.x.d t3, ft0
    CHECK   t3, 0xffffffff87654321
    li      t3, 0x4005bf0a8b145769
    fmv.d.x ft1, t3
    c.fsdsp ft1, 8(sp)
    ld      t4, 8(sp)
    CHECK   t4, 0x4005bf0a8b145769
    TEST    34
    lla     t0, 1f
    li      a2, 0
    c.jr    t0
    li      a2, 1
1:  CHECK   a2, 0
    TEST    35                      /* c.jalr links pc + 2 */
    lla     t0, 2f
    c.jalr  t0
.Lcjalr_ret:
    c.j     3f
2:  lla     t1, .Lcjalr_ret
    CHECKR  ra, t1
    c.jr    ra
3:
    TEST    36
    li      t1, 0x123456789
    c.mv    t2, t1
    CHECKR  t2, t1
    li      t3, 0x1000
    c.add   t2, t3
    CHECK   t2, 0x123457789
    TEST    37                      /* c.ebreak: cause 3, mepc = its address */
    CATCH_RESET
.Lcebreak:
    c.ebreak
    CHECK_TRAP CAUSE_BREAKPOINT
    CHECK_EPC_AT .Lcebreak
    TEST    50                      /* 0x0000 is illegal */
    CATCH_RESET
.Lczero:
    .2byte  0
    CHECK_TRAP CAUSE_ILLEGAL_INSN
    CHECK_EPC_AT .Lczero
    TEST    51                      /* 32-bit instruction on a 2-byte boundary */
    .balign 4
    c.nop
    li      a0, 0
    .option push
    .option norvc
    addi    a0, a0, 0x123
    .option pop
    CHECK   a0, 0x123
    addi    sp, sp, 256
    .option pop
    PASS

    .data
    .balign 8
cdata:
    .word   0x89abcdef, 0x01234567
    .dword  0xfedcba9876543210
    .dword  0x400921fb54442d18
    .fill   12, 8, 0                /* +24 .. +119 */
    .word   0, 0x7c7c7c7c           /* +124 */
    .fill   14, 8, 0                /* +128 .. +239 */
    .dword  0xf0f0f0f0f0f0f0f0      /* +240 */
    .dword  0xf8f8f8f8f8f8f8f8      /* +248 */
    .balign 8
cscratch:
    .dword  0, 0, 0, 0
