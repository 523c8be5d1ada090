/*
 * int_ops: RV64I base integer instructions.  Exit code = first failing check.
 *   1-19    add/sub/addw/subw/addi/addiw
 *   20-39   and/or/xor + immediate forms (sign-extended immediates)
 *   40-59   slt/sltu/slti/sltiu
 *   60-99   shifts incl. W forms and shift-amount masking
 *   100-109 lui/auipc
 *   110-139 branches (taken / not taken, signed / unsigned, backward)
 *   140-159 jal/jalr (link values, offsets, lsb clearing, rd == rs1, 2-byte target)
 *   160-199 loads/stores of every width, sign/zero extension, x0 destination
 */
#include "test.h"

.macro TEST_BR n, op, a, b, taken
    TEST    \n
    li      a0, \a
    li      a1, \b
    li      a2, 0
    \op     a0, a1, .Lt\@
    li      a2, 1
    j       .Ld\@
.Lt\@:
    li      a2, 2
.Ld\@:
    CHECK   a2, (\taken + 1)
.endm

    .text
    .globl  main
main:
    /* ---------------- add / sub ---------------- */
    TEST_RR 1,  add,  3, 1, 2
    TEST_RR 2,  add,  0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR 3,  add,  0, -1, 1
    TEST_RR 4,  sub,  -1, 0, 1
    TEST_RR 5,  sub,  0x7fffffffffffffff, 0x8000000000000000, 1
    TEST_RR 6,  addw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RR 7,  addw, 2, 0xffffffff00000001, 0x1234567800000001
    TEST_RR 8,  subw, -1, 0, 1
    TEST_RR 9,  subw, 0x7fffffff, 0x80000000, 1
    TEST_RI 10, addi, 2047, 0, 2047
    TEST_RI 11, addi, -2048, 0, -2048
    TEST_RI 12, addiw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RI 13, addiw, 0x23456789, 0x123456789, 0
    TEST_RI 14, addiw, 0xffffffff80000000, 0x80000000, 0
    TEST_RI 15, addi, 0xfffffffffffff801, 0x1, -2048
    TEST_RR 16, sub,  0x8000000000000000, 0x7fffffffffffffff, -1
    TEST_RR 17, subw, 0xffffffff80000000, 0x7fffffff, -1
    /* x0 as destination stays zero */
    TEST    18
    addi    x0, x0, 5
    add     x0, gp, gp
    CHECK   x0, 0

    /* ---------------- logic ---------------- */
    TEST_RR 20, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RR 21, or,  0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RR 22, xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RI 23, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0f, -256
    TEST_RI 24, andi, 0x0000000000000700, 0xff00ff00ff00ff00, 0x7f0
    TEST_RI 25, ori,  0xffffffffffffffff, 0x00ff00ff00ff00ff, -241
    TEST_RI 29, ori,  0xffffffffffffff1f, 0x0000000000000011, -241
    TEST_RI 26, ori,  0x00ff00ff00ff07ff, 0x00ff00ff00ff00ff, 0x70f
    TEST_RI 27, xori, 0xff00ff00ff00fff0, 0x00ff00ff00ff000f, -1
    TEST_RI 28, xori, 0x00ff00ff00ff0700, 0x00ff00ff00ff070f, 0x0f

    /* ---------------- compare ---------------- */
    TEST_RR 40, slt,  1, -1, 0
    TEST_RR 41, slt,  0, 0, -1
    TEST_RR 42, slt,  0, 5, 5
    TEST_RR 43, sltu, 0, -1, 0
    TEST_RR 44, sltu, 1, 0, -1
    TEST_RR 45, slt,  1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR 46, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RI 47, slti, 1, -2049, -2048
    TEST_RI 48, slti, 0, 2047, 2047
    TEST_RI 49, sltiu, 1, 0xfffffffffffffffe, -1
    TEST_RI 50, sltiu, 0, -1, -1
    TEST_RI 51, sltiu, 1, 0, 1
    TEST_RI 52, sltiu, 0, 1, 1
    TEST_RI 53, slti, 0, 0x8000000000000000 - 1, 0

    /* ---------------- shifts ---------------- */
    TEST_RR 60, sll,  0x8000000000000000, 1, 63
    TEST_RR 61, sll,  8, 1, 67
    TEST_RR 62, srl,  1, 0x8000000000000000, 63
    TEST_RR 63, srl,  0x0080000000000000, 0x8000000000000000, 0xffffffffffffffc8
    TEST_RR 64, sra,  -1, 0x8000000000000000, 63
    TEST_RR 65, sra,  0xc000000000000000, 0x8000000000000000, 1
    TEST_RR 66, sra,  0x3fffffffffffffff, 0x7fffffffffffffff, 1
    TEST_RI 67, slli, 0x100000000, 1, 32
    TEST_RI 68, slli, 0x8000000000000000, 0xffffffffffffffff, 63
    TEST_RI 69, srli, 0x0800000000000000, 0x8000000000000000, 4
    TEST_RI 70, srli, 1, 0xffffffffffffffff, 63
    TEST_RI 71, srai, -1, 0x8000000000000000, 63
    TEST_RI 72, srai, 0xf800000000000000, 0x8000000000000000, 4
    TEST_RR 73, sllw, 0xffffffff80000000, 1, 31
    TEST_RR 74, sllw, 2, 1, 33
    TEST_RR 75, sllw, 0x12345678, 0xabcdef0012345678, 0
    TEST_RR 76, srlw, 1, 0xffffffff80000000, 31
    TEST_RR 77, srlw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR 78, srlw, 0x40000000, 0x0000000180000000, 1
    TEST_RR 79, srlw, 0x40000000, 0x80000000, 0x21
    TEST_RR 80, sraw, -1, 0x80000000, 31
    TEST_RR 81, sraw, 0xfffffffff8000000, 0x80000000, 4
    TEST_RR 82, sraw, 0x07ffffff, 0xffffffff7ffffff0, 4
    TEST_RR 83, sraw, 0xfffffffff8000000, 0x80000000, 0x24
    TEST_RI 84, slliw, 0xffffffff80000000, 1, 31
    TEST_RI 85, slliw, 0, 0x100000000, 4
    TEST_RI 86, srliw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_RI 87, srliw, 0x0fffffff, 0xffffffff, 4
    TEST_RI 88, srliw, 1, 0x80000000, 31
    TEST_RI 89, sraiw, -1, 0x80000000, 31
    TEST_RI 90, sraiw, 0x07ffffff, 0x123456787ffffff0, 4
    TEST_RI 91, sraiw, 0xfffffffff8000000, 0x80000000, 4
    TEST_RI 92, sraiw, 0x12345678, 0xfedcba9812345678, 0

    /* ---------------- lui / auipc ---------------- */
    TEST    100
    lui     a0, 0x80000
    CHECK   a0, 0xffffffff80000000
    TEST    101
    lui     a0, 0x7ffff
    CHECK   a0, 0x7ffff000
    TEST    102
    lui     a0, 0xfffff
    CHECK   a0, 0xfffffffffffff000
    TEST    103
.Lauipc0:
    auipc   a0, 0
    lla     a1, .Lauipc0
    CHECKR  a0, a1
    TEST    104
.Lauipc1:
    auipc   a0, 1
    lla     a1, .Lauipc1
    sub     a0, a0, a1
    CHECK   a0, 0x1000
    TEST    105
.Lauipc2:
    auipc   a0, 0x80000
    lla     a1, .Lauipc2
    sub     a0, a0, a1
    CHECK   a0, 0xffffffff80000000
    TEST    106
.Lauipc3:
    auipc   a0, 0xfffff
    lla     a1, .Lauipc3
    sub     a0, a0, a1
    CHECK   a0, -4096

    /* ---------------- branches ---------------- */
    TEST_BR 110, beq,  5, 5, 1
    TEST_BR 111, beq,  5, 6, 0
    TEST_BR 112, bne,  5, 6, 1
    TEST_BR 113, bne,  -1, -1, 0
    TEST_BR 114, blt,  -1, 0, 1
    TEST_BR 115, blt,  0, -1, 0
    TEST_BR 116, blt,  3, 3, 0
    TEST_BR 117, bge,  0, -1, 1
    TEST_BR 118, bge,  3, 3, 1
    TEST_BR 119, bge,  -1, 0, 0
    TEST_BR 120, bltu, 0, -1, 1
    TEST_BR 121, bltu, -1, 0, 0
    TEST_BR 122, bltu, 7, 7, 0
    TEST_BR 123, bgeu, -1, 0, 1
    TEST_BR 124, bgeu, 7, 7, 1
    TEST_BR 125, bgeu, 0, -1, 0
    TEST_BR 126, blt,  0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_BR 127, bltu, 0x8000000000000000, 0x7fffffffffffffff, 0
    TEST    128                     /* backward branch loop */
    li      a0, 5
    li      a1, 0
1:  addi    a1, a1, 1
    addi    a0, a0, -1
    bnez    a0, 1b
    CHECK   a1, 5
    TEST    129                     /* branch with x0 operands */
    li      a2, 0
    bne     x0, x0, 1f
    li      a2, 1
1:  CHECK   a2, 1

    /* ---------------- jal / jalr ---------------- */
    TEST    140
    jal     a0, 1f
.Ljal_ret:
    FAIL_IF_REACHED
1:  lla     a1, .Ljal_ret
    CHECKR  a0, a1
    TEST    141                     /* backward jal */
    li      a2, 0
    j       2f
1:  addi    a2, a2, 1
    j       3f
2:  jal     x0, 1b
3:  CHECK   a2, 1
    TEST    142                     /* jalr link + target */
    lla     a1, 1f
    jalr    a0, 0(a1)
.Ljalr_ret:
    FAIL_IF_REACHED
1:  lla     a2, .Ljalr_ret
    CHECKR  a0, a2
    TEST    143                     /* jalr with negative offset */
    lla     a1, 1f
    addi    a1, a1, 16
    jalr    a0, -16(a1)
    FAIL_IF_REACHED
1:
    TEST    144                     /* jalr clears bit 0 of the target */
    lla     a1, 1f
    addi    a1, a1, 1
    jalr    x0, 0(a1)
    FAIL_IF_REACHED
    .balign 4
1:
    TEST    145                     /* rd == rs1: target uses old value */
    lla     a1, 1f
    jalr    a1, 0(a1)
.Ljalr_same:
    FAIL_IF_REACHED
1:  lla     a2, .Ljalr_same
    CHECKR  a1, a2
    TEST    146                     /* call/ret through ra */
    call    .Lleaf
    CHECK   a0, 0x5a
    TEST    147                     /* jalr to a 2-byte aligned target (C present) */
    lla     a1, .Ljalr_half
    andi    a2, a1, 3
    CHECK   a2, 2
    jalr    a0, 0(a1)
    FAIL_IF_REACHED
    .balign 4
    .option push
    .option rvc
    c.nop
.Ljalr_half:
    c.nop
    .option pop
    j       .Ljalr_done
.Lleaf:
    li      a0, 0x5a
    ret
.Ljalr_done:

    /* ---------------- loads ---------------- */
    lla     s0, ldata
    TEST    160
    lb      a0, 0(s0)
    CHECK   a0, 0xffffffffffffff87
    TEST    161
    lbu     a0, 0(s0)
    CHECK   a0, 0x87
    TEST    162
    lb      a0, 7(s0)
    CHECK   a0, 0x70
    TEST    163
    lh      a0, 0(s0)
    CHECK   a0, 0xffffffffffff8687
    TEST    164
    lhu     a0, 0(s0)
    CHECK   a0, 0x8687
    TEST    165
    lh      a0, 6(s0)
    CHECK   a0, 0x7071
    TEST    166
    lw      a0, 0(s0)
    CHECK   a0, 0xffffffff84858687
    TEST    167
    lwu     a0, 0(s0)
    CHECK   a0, 0x84858687
    TEST    168
    lw      a0, 4(s0)
    CHECK   a0, 0x70717273
    TEST    169
    ld      a0, 0(s0)
    CHECK   a0, 0x7071727384858687
    TEST    170
    ld      a0, 8(s0)
    CHECK   a0, 0xfedcba9876543210
    TEST    171                     /* negative offsets */
    addi    s1, s0, 16
    lbu     a0, -1(s1)
    CHECK   a0, 0xfe
    TEST    172
    lh      a0, -2(s1)
    CHECK   a0, 0xfffffffffffffedc
    TEST    173
    lwu     a0, -4(s1)
    CHECK   a0, 0xfedcba98
    TEST    174
    ld      a0, -8(s1)
    CHECK   a0, 0xfedcba9876543210
    TEST    175                     /* load into x0 is discarded */
    lw      x0, 0(s0)
    CHECK   x0, 0

    /* ---------------- stores ---------------- */
    lla     s0, sdata
    li      t0, -1
    sd      t0, 0(s0)
    sd      t0, 8(s0)
    TEST    180
    li      a1, 0x1234567890abcd11
    sb      a1, 1(s0)
    ld      a0, 0(s0)
    CHECK   a0, 0xffffffffffff11ff
    TEST    181
    sh      a1, 2(s0)
    ld      a0, 0(s0)
    CHECK   a0, 0xffffffffcd1111ff
    TEST    182
    sw      a1, 4(s0)
    ld      a0, 0(s0)
    CHECK   a0, 0x90abcd11cd1111ff
    TEST    183
    sd      a1, 8(s0)
    ld      a0, 8(s0)
    CHECKR  a0, a1
    TEST    184                     /* neighbour unchanged */
    ld      a0, 0(s0)
    CHECK   a0, 0x90abcd11cd1111ff
    TEST    185                     /* store negative offset, reload bytes */
    addi    s1, s0, 16
    sb      zero, -1(s1)
    lbu     a0, 15(s0)
    CHECK   a0, 0
    lbu     a0, 14(s0)
    CHECK   a0, 0x34
    TEST    186
    sh      zero, -4(s1)
    lwu     a0, 12(s0)
    CHECK   a0, 0x00340000
    TEST    187                     /* load-after-store forwarding of each width */
    li      a1, 0x8899aabbccddeeff
    sd      a1, 0(s0)
    lh      a0, 6(s0)
    CHECK   a0, 0xffffffffffff8899
    lwu     a0, 4(s0)
    CHECK   a0, 0x8899aabb
    TEST    188                     /* fence / fence.i are harmless */
    fence
    fence   rw, rw
    fence.i
    ld      a0, 0(s0)
    CHECKR  a0, a1

    PASS

    .data
    .balign 16
ldata:
    .dword  0x7071727384858687
    .dword  0xfedcba9876543210
sdata:
    .dword  0, 0
