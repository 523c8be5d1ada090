/*
 * atomics: A extension.
 *   1-13   every AMO .d: rd = old value, memory = op(old, rs2)
 *   20-35  every AMO .w on both word halves of a dword: rd = sign-extended
 *          old word, memory word updated, other half untouched, upper bits
 *          of rs2 ignored, signed vs unsigned min/max on 32 bits
 *   40-42  rd = x0 still updates memory, rd == rs2, .aq/.rl/.aqrl forms
 *   50-51  LR/SC success (sc rd = 0, memory written), lr.w sign-extends
 *   52     SC right after a completed LR/SC pair fails (SC always drops the
 *          reservation) and does not write
 *   53     SC to an address in another page than the LR fails and does not
 *          write; a following SC to the LR address also fails (another SC
 *          intervened)
 *   54     LR/SC retry loop (100 increments)
 * Not covered: reservation loss through other harts / stores (single hart,
 * not guaranteed by the ISA for same-hart stores), misaligned AMOs (see
 * the misaligned guest).
 */
#include "test.h"

.macro TEST_AMOD n, op, init, src, exp_mem
    TEST    \n
    lla     s0, amo_buf
    li      t0, \init
    sd      t0, 0(s0)
    li      t0, 0x5a5a5a5a5a5a5a5a
    sd      t0, 8(s0)
    li      a1, \src
    \op     a2, a1, (s0)
    CHECK   a2, \init
    ld      a3, 0(s0)
    CHECK   a3, \exp_mem
    ld      a3, 8(s0)
    CHECK   a3, 0x5a5a5a5a5a5a5a5a
.endm

.macro TEST_AMOW n, op, off, init, src, exp_rd, exp_mem
    TEST    \n
    lla     s0, amo_buf
    li      t0, 0xa5a5a5a5a5a5a5a5
    sd      t0, 0(s0)
    li      t0, \init
    sw      t0, \off(s0)
    addi    s1, s0, \off
    li      a1, \src
    \op     a2, a1, (s1)
    CHECK   a2, \exp_rd
    lwu     a3, \off(s0)
    CHECK   a3, \exp_mem
    lwu     a3, (4 - \off)(s0)
    CHECK   a3, 0xa5a5a5a5
.endm

    .text
    .globl  main
main:
    TEST_AMOD 1, amoswap.d, 0x1122334455667788, 0xfedcba9876543210, 0xfedcba9876543210
    TEST_AMOD 2, amoadd.d, 0xffffffffffffffff, 0x2, 0x1
    TEST_AMOD 3, amoxor.d, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
    TEST_AMOD 4, amoand.d, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf000f000f000f00
    TEST_AMOD 5, amoor.d, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xfff0fff0fff0fff0
    TEST_AMOD 6, amomin.d, 0x8000000000000000, 0x1, 0x8000000000000000
    TEST_AMOD 7, amomin.d, 0x5, 0xfffffffffffffffd, 0xfffffffffffffffd
    TEST_AMOD 8, amomax.d, 0x8000000000000000, 0x1, 0x1
    TEST_AMOD 9, amomax.d, 0xfffffffffffffff9, 0xfffffffffffffffd, 0xfffffffffffffffd
    TEST_AMOD 10, amominu.d, 0x8000000000000000, 0x1, 0x1
    TEST_AMOD 11, amominu.d, 0x3, 0xffffffffffffffff, 0x3
    TEST_AMOD 12, amomaxu.d, 0x8000000000000000, 0x1, 0x8000000000000000
    TEST_AMOD 13, amomaxu.d, 0x3, 0x5, 0x5
    TEST_AMOW 20, amoswap.w, 0, 0x80000000, 0x12345678, 0xffffffff80000000, 0x12345678
    TEST_AMOW 21, amoswap.w, 0, 0x7fffffff, 0xffffffff80000000, 0x7fffffff, 0x80000000
    TEST_AMOW 22, amoadd.w, 4, 0x7fffffff, 0x1, 0x7fffffff, 0x80000000
    TEST_AMOW 23, amoadd.w, 0, 0xffffffff, 0x100000001, 0xffffffffffffffff, 0x0
    TEST_AMOW 24, amoxor.w, 0, 0xf0f0f0f0, 0xffffffff0ff00ff0, 0xfffffffff0f0f0f0, 0xff00ff00
    TEST_AMOW 25, amoand.w, 4, 0x8000ffff, 0xffff0000ffffffff, 0xffffffff8000ffff, 0x8000ffff
    TEST_AMOW 26, amoor.w, 0, 0x80000000, 0x1, 0xffffffff80000000, 0x80000001
    TEST_AMOW 27, amomin.w, 0, 0x80000000, 0x1, 0xffffffff80000000, 0x80000000
    TEST_AMOW 28, amomin.w, 4, 0x7fffffff, 0xfffffffffffffffe, 0x7fffffff, 0xfffffffe
    TEST_AMOW 29, amomin.w, 0, 0x5, 0x100000003, 0x5, 0x3
    TEST_AMOW 30, amomax.w, 0, 0x80000000, 0x1, 0xffffffff80000000, 0x1
    TEST_AMOW 31, amomax.w, 4, 0xffffffff, 0xfffffffe, 0xffffffffffffffff, 0xffffffff
    TEST_AMOW 32, amominu.w, 0, 0x80000000, 0x1, 0xffffffff80000000, 0x1
    TEST_AMOW 33, amominu.w, 0, 0xffffffff, 0xffffffff00000007, 0xffffffffffffffff, 0x7
    TEST_AMOW 34, amomaxu.w, 4, 0x80000000, 0x1, 0xffffffff80000000, 0x80000000
    TEST_AMOW 35, amomaxu.w, 0, 0x3, 0x100000002, 0x3, 0x3

    TEST    40                      /* rd = x0 */
    lla     s0, amo_buf
    li      t0, 40
    sd      t0, 0(s0)
    li      a1, 2
    amoadd.d x0, a1, (s0)
    ld      a3, 0(s0)
    CHECK   a3, 42
    TEST    41                      /* rd == rs2 */
    li      a1, 7
    amoswap.d a1, a1, (s0)
    CHECK   a1, 42
    ld      a3, 0(s0)
    CHECK   a3, 7
    TEST    42                      /* ordering bits */
    li      a1, 1
    amoadd.w.aq   a2, a1, (s0)
    amoadd.d.rl   a2, a1, (s0)
    amoor.d.aqrl  a2, a1, (s0)
    amomaxu.w.aqrl a2, a1, (s0)
    CHECK   a2, 9
    ld      a3, 0(s0)
    CHECK   a3, 9

    TEST    50                      /* lr.d / sc.d success */
    li      t0, 0x0123456789abcdef
    sd      t0, 0(s0)
    lr.d    a2, (s0)
    CHECKR  a2, t0
    li      a1, 0x1111111122222222
    sc.d    a3, a1, (s0)
    CHECK   a3, 0
    ld      a4, 0(s0)
    CHECKR  a4, a1
    TEST    51                      /* lr.w sign-extends, sc.w writes one word */
    li      t0, 0x5a5a5a5a87654321
    sd      t0, 0(s0)
    lr.w.aq a2, (s0)
    CHECK   a2, 0xffffffff87654321
    li      a1, 0xffffffff00000042
    sc.w.rl a3, a1, (s0)
    CHECK   a3, 0
    ld      a4, 0(s0)
    CHECK   a4, 0x5a5a5a5a00000042
    TEST    52                      /* SC without a reservation fails */
    li      t0, 100
    sd      t0, 0(s0)
    lr.d    a2, (s0)
    sc.d    a3, a2, (s0)
    CHECK   a3, 0
    li      a1, 200
    sc.d    a3, a1, (s0)
    CHECKNE a3, 0
    ld      a4, 0(s0)
    CHECK   a4, 100
    lr.w    a2, (s0)
    sc.w    a3, a2, (s0)
    CHECK   a3, 0
    sc.w    a3, a1, (s0)
    CHECKNE a3, 0
    ld      a4, 0(s0)
    CHECK   a4, 100
    TEST    53                      /* SC to a different address fails */
    lla     s1, far_buf
    li      t0, 300
    sd      t0, 0(s1)
    lr.d    a2, (s0)
    li      a1, 400
    sc.d    a3, a1, (s1)
    CHECKNE a3, 0
    ld      a4, 0(s1)
    CHECK   a4, 300
    sc.d    a3, a1, (s0)            /* an SC intervened: must fail too */
    CHECKNE a3, 0
    ld      a4, 0(s0)
    CHECK   a4, 100
    TEST    54                      /* LR/SC increment loop */
    sd      zero, 0(s0)
    li      s2, 100
1:  lr.d    a2, (s0)
    addi    a2, a2, 1
    sc.d    a3, a2, (s0)
    bnez    a3, 1b
    addi    s2, s2, -1
    bnez    s2, 1b
    ld      a4, 0(s0)
    CHECK   a4, 100
    PASS

    .data
    .balign 64
amo_buf:
    .dword  0, 0, 0, 0, 0, 0, 0, 0
    .bss
    .balign 4096
far_buf:
    .zero   4096
