/*
 * mul_div: M extension.  Checks 1-78 are one op each (generated from a
 * reference model, see the table in the ISA manual for the division special
 * cases): mul/mulh/mulhu/mulhsu/mulw, div/divu/rem/remu and the W forms,
 * including division by zero (quotient all ones, remainder = dividend) and
 * signed overflow (most-negative / -1 -> quotient = dividend, remainder 0),
 * W forms sign-extending their 32-bit results and ignoring upper input bits.
 *   80-83 the usual fused-pair sequences (mulh+mul, div+rem) with shared
 *         operands and rd overlapping a source.
 */
#include "test.h"

    .text
    .globl  main
main:
    TEST_RR 1, mul, 0x15, 0x3, 0x7
    TEST_RR 2, mul, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 3, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 0x2
    TEST_RR 4, mul, 0x22236d88fe5618cf, 0x123456789abcdef, 0xfedcba987654321
    TEST_RR 5, mul, 0xfffffffffffffff1, 0xfffffffffffffffd, 0x5
    TEST_RR 6, mulh, 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 7, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR 8, mulh, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
    TEST_RR 9, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR 10, mulh, 0xfec94f918f48bdf0, 0x123456789abcdef0, 0xeeeeeeeeeeeeeeef
    TEST_RR 11, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR 12, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 13, mulhu, 0x1, 0x8000000000000000, 0x2
    TEST_RR 14, mulhu, 0x121fa00ad77d7422, 0x123456789abcdef0, 0xfedcba9876543210
    TEST_RR 15, mulhu, 0x0, 0x5, 0x7
    TEST_RR 16, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 17, mulhsu, 0xffffffffffffffff, 0xfffffffffffffffe, 0x1
    TEST_RR 18, mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0xffffffffffffffff
    TEST_RR 19, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR 20, mulhsu, 0x121fa00ad77d7422, 0x123456789abcdef0, 0xfedcba9876543210
    TEST_RR 21, mulhsu, 0xf6e5d4c3b2a19087, 0xedcba98765432110, 0x8000000000000001
    TEST_RR 22, mulw, 0xfffffffffffffffe, 0x7fffffff, 0x2
    TEST_RR 23, mulw, 0x468acf12, 0x123456789, 0x100000002
    TEST_RR 24, mulw, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 25, mulw, 0x0, 0x10000, 0x10000
    TEST_RR 26, mulw, 0xffffffff80000000, 0x80000000, 0xffffffffffffffff
    TEST_RR 27, div, 0x3, 0x14, 0x6
    TEST_RR 28, div, 0xfffffffffffffffd, 0xffffffffffffffec, 0x6
    TEST_RR 29, div, 0xfffffffffffffffd, 0x14, 0xfffffffffffffffa
    TEST_RR 30, div, 0x3, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR 31, div, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR 32, div, 0x8000000000000000, 0x8000000000000000, 0x1
    TEST_RR 33, div, 0xffffffffffffffff, 0x5, 0x0
    TEST_RR 34, div, 0xffffffffffffffff, 0xfffffffffffffffb, 0x0
    TEST_RR 35, div, 0xffffffffffffffff, 0x0, 0x0
    TEST_RR 36, divu, 0x3, 0x14, 0x6
    TEST_RR 37, divu, 0x2aaaaaaaaaaaaaa7, 0xffffffffffffffec, 0x6
    TEST_RR 38, divu, 0x0, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR 39, divu, 0xffffffffffffffff, 0x5, 0x0
    TEST_RR 40, divu, 0xffffffffffffffff, 0xffffffffffffffff, 0x0
    TEST_RR 41, rem, 0x2, 0x14, 0x6
    TEST_RR 42, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0x6
    TEST_RR 43, rem, 0x2, 0x14, 0xfffffffffffffffa
    TEST_RR 44, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR 45, rem, 0x0, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR 46, rem, 0x5, 0x5, 0x0
    TEST_RR 47, rem, 0xfffffffffffffffb, 0xfffffffffffffffb, 0x0
    TEST_RR 48, remu, 0x2, 0x14, 0x6
    TEST_RR 49, remu, 0x2, 0xffffffffffffffec, 0x6
    TEST_RR 50, remu, 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR 51, remu, 0x5, 0x5, 0x0
    TEST_RR 52, remu, 0xfffffffffffffffb, 0xfffffffffffffffb, 0x0
    TEST_RR 53, divw, 0x3, 0x14, 0x6
    TEST_RR 54, divw, 0xfffffffffffffffd, 0xffffffffffffffec, 0x6
    TEST_RR 55, divw, 0xffffffff80000000, 0x80000000, 0xffffffffffffffff
    TEST_RR 56, divw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR 57, divw, 0xffffffffffffffff, 0x5, 0x0
    TEST_RR 58, divw, 0xffffffffffffffff, 0x1234567800000005, 0xffffffff00000000
    TEST_RR 59, divw, 0x3, 0x100000014, 0x200000006
    TEST_RR 60, divuw, 0x3, 0x14, 0x6
    TEST_RR 61, divuw, 0x2aaaaaa7, 0xffffffec, 0x6
    TEST_RR 62, divuw, 0x0, 0x80000000, 0xffffffffffffffff
    TEST_RR 63, divuw, 0xffffffffffffffff, 0x5, 0x0
    TEST_RR 64, divuw, 0xffffffffffffffff, 0x100000000, 0x0
    TEST_RR 65, divuw, 0x78000000, 0xfffffffff0000000, 0x2
    TEST_RR 66, remw, 0x2, 0x14, 0x6
    TEST_RR 67, remw, 0xfffffffffffffffe, 0xffffffffffffffec, 0x6
    TEST_RR 68, remw, 0x0, 0x80000000, 0xffffffffffffffff
    TEST_RR 69, remw, 0x5, 0x5, 0x0
    TEST_RR 70, remw, 0xffffffff80000000, 0x80000000, 0x0
    TEST_RR 71, remw, 0xffffffff80000001, 0x1234567880000001, 0x100000000
    TEST_RR 72, remw, 0x7, 0x7fffffff, 0xfffffff
    TEST_RR 73, remuw, 0x2, 0x14, 0x6
    TEST_RR 74, remuw, 0x2, 0xffffffec, 0x6
    TEST_RR 75, remuw, 0xffffffff80000000, 0x80000000, 0x0
    TEST_RR 76, remuw, 0x5, 0xffffffff00000005, 0x0
    TEST_RR 77, remuw, 0xfffffffffffffffe, 0xfffffffe, 0xffffffff
    TEST_RR 78, remuw, 0x1, 0x80000001, 0x10

    TEST    80                      /* mulh ; mul pair */
    li      a0, 0x123456789abcdef0
    li      a1, -0x1111111111111111
    mulh    a3, a0, a1
    mul     a4, a0, a1
    CHECK   a3, 0xfec94f918f48bdf0
    CHECK   a4, 0x0136b06e70b74210
    TEST    81                      /* div ; rem pair */
    li      a0, -1000000007
    li      a1, 97
    div     a3, a0, a1
    rem     a4, a0, a1
    CHECK   a3, -10309278
    CHECK   a4, -41
    TEST    82                      /* rd == rs1 */
    li      a0, 12345
    li      a1, 67
    mul     a0, a0, a1
    CHECK   a0, 827115
    divu    a0, a0, a1
    CHECK   a0, 12345
    TEST    83                      /* rd == x0 has no effect, no trap */
    div     x0, a0, zero
    CHECK   x0, 0
    PASS
