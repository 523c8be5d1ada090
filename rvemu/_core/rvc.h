/*
 * rvc.h -- expand an RV64 compressed (C extension) parcel to its 32-bit base form.
 *
 *     uint32_t rvc_expand(uint32_t c);
 *
 * c holds a 16-bit parcel in its low half (the upper half is ignored).  The result is the
 * equivalent 32-bit instruction word (low two bits 0b11), or 0 when the parcel must raise
 * illegal-instruction on RV64: reserved code points, the all-zero parcel, RV32-only or
 * RV128-only encodings, and parcels whose low two bits are 0b11 (not compressed at all).
 *
 * Scope: RV64 "C" plus the D loads/stores that live in the C opcode space (c.fld, c.fsd,
 * c.fldsp, c.fsdsp).  Those are expanded unconditionally; the hart checks D (and mstatus.FS)
 * when it decodes the expansion.  Zca/Zcb/Zcmp/Zcmt extras are not recognised.
 *
 * HINTs (unprivileged spec, C chapter, "HINT Instructions" table) are legal.  Each one expands
 * to the 32-bit instruction the listing names, which never changes architectural state:
 *   c.nop nzimm!=0        -> addi x0, x0, imm          c.addi rd, 0    -> addi rd, rd, 0
 *   c.li x0, imm          -> addi x0, x0, imm          c.lui x0, imm   -> lui  x0, imm
 *   c.mv x0, rs2          -> add  x0, x0, rs2          c.add x0, rs2   -> add  x0, x0, rs2
 *   c.slli x0, shamt      -> slli x0, x0, shamt        c.slli rd, 0    -> slli rd, rd, 0
 *   c.srli/c.srai rd', 0  -> srli/srai rd', rd', 0
 *
 * Field and table references below are to the spec's "RVC Instruction Set Listings".
 */
#ifndef RVEMU_RVC_H
#define RVEMU_RVC_H

#include <stdint.h>

/* 32-bit major opcodes used by the expansions. */
#define RVC_OP_LOAD     0x03u
#define RVC_OP_LOAD_FP  0x07u
#define RVC_OP_IMM      0x13u
#define RVC_OP_IMM_32   0x1bu
#define RVC_OP_STORE    0x23u
#define RVC_OP_STORE_FP 0x27u
#define RVC_OP_OP       0x33u
#define RVC_OP_LUI      0x37u
#define RVC_OP_OP_32    0x3bu
#define RVC_OP_BRANCH   0x63u
#define RVC_OP_JALR     0x67u
#define RVC_OP_JAL      0x6fu

/* Bits hi..lo of x, right-aligned. */
#define RVC_BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1u))

/* --- 32-bit encoders (imm is the architectural immediate, two's complement) --- */

static inline uint32_t rvc_enc_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3,
                                 uint32_t rd, uint32_t op)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

static inline uint32_t rvc_enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd,
                                 uint32_t op)
{
    return (((uint32_t)imm & 0xfffu) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

static inline uint32_t rvc_enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3,
                                 uint32_t op)
{
    uint32_t u = (uint32_t)imm;
    return (RVC_BITS(u, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
         | (RVC_BITS(u, 4, 0) << 7) | op;
}

static inline uint32_t rvc_enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return (RVC_BITS(u, 12, 12) << 31) | (RVC_BITS(u, 10, 5) << 25) | (rs2 << 20)
         | (rs1 << 15) | (f3 << 12) | (RVC_BITS(u, 4, 1) << 8) | (RVC_BITS(u, 11, 11) << 7)
         | RVC_OP_BRANCH;
}

static inline uint32_t rvc_enc_j(int32_t imm, uint32_t rd)
{
    uint32_t u = (uint32_t)imm;
    return (RVC_BITS(u, 20, 20) << 31) | (RVC_BITS(u, 10, 1) << 21)
         | (RVC_BITS(u, 11, 11) << 20) | (RVC_BITS(u, 19, 12) << 12) | (rd << 7) | RVC_OP_JAL;
}

/* --- compressed immediates, one per field layout of the listings --- */

/* Sign-extend the low `bits` bits of x. */
static inline int32_t rvc_sext(uint32_t x, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    x &= (m << 1) - 1u;
    return (int32_t)(x ^ m) - (int32_t)m;
}

/* CI: imm[5] at 12, imm[4:0] at 6:2 (c.addi, c.addiw, c.li, c.andi), sign-extended. */
static inline int32_t rvc_imm_ci(uint32_t c)
{
    return rvc_sext((RVC_BITS(c, 12, 12) << 5) | RVC_BITS(c, 6, 2), 6);
}

/* CI/CB shamt: shamt[5] at 12, shamt[4:0] at 6:2, unsigned. */
static inline uint32_t rvc_shamt(uint32_t c)
{
    return (RVC_BITS(c, 12, 12) << 5) | RVC_BITS(c, 6, 2);
}

/* CL/CS, scaled by 8: uimm[5:3] at 12:10, uimm[7:6] at 6:5 (c.ld, c.sd, c.fld, c.fsd). */
static inline uint32_t rvc_uimm_cl8(uint32_t c)
{
    return (RVC_BITS(c, 12, 10) << 3) | (RVC_BITS(c, 6, 5) << 6);
}

/* CL/CS, scaled by 4: uimm[5:3] at 12:10, uimm[2] at 6, uimm[6] at 5 (c.lw, c.sw). */
static inline uint32_t rvc_uimm_cl4(uint32_t c)
{
    return (RVC_BITS(c, 12, 10) << 3) | (RVC_BITS(c, 6, 6) << 2) | (RVC_BITS(c, 5, 5) << 6);
}

/* CB branch: imm[8|4:3] at 12:10, imm[7:6|2:1|5] at 6:2, sign-extended. */
static inline int32_t rvc_imm_cb(uint32_t c)
{
    uint32_t u = (RVC_BITS(c, 12, 12) << 8) | (RVC_BITS(c, 11, 10) << 3)
               | (RVC_BITS(c, 6, 5) << 6) | (RVC_BITS(c, 4, 3) << 1)
               | (RVC_BITS(c, 2, 2) << 5);
    return rvc_sext(u, 9);
}

/* CJ: imm[11|4|9:8|10|6|7|3:1|5] at 12:2, sign-extended. */
static inline int32_t rvc_imm_cj(uint32_t c)
{
    uint32_t u = (RVC_BITS(c, 12, 12) << 11) | (RVC_BITS(c, 11, 11) << 4)
               | (RVC_BITS(c, 10, 9) << 8) | (RVC_BITS(c, 8, 8) << 10)
               | (RVC_BITS(c, 7, 7) << 6) | (RVC_BITS(c, 6, 6) << 7)
               | (RVC_BITS(c, 5, 3) << 1) | (RVC_BITS(c, 2, 2) << 5);
    return rvc_sext(u, 12);
}

/* --- the expander --- */

static inline uint32_t rvc_expand(uint32_t c)
{
    uint32_t rd   = RVC_BITS(c, 11, 7);      /* CR/CI rd/rs1 */
    uint32_t rs2  = RVC_BITS(c, 6, 2);       /* CR/CSS rs2 */
    uint32_t rdp  = 8u + RVC_BITS(c, 4, 2);  /* CIW/CL rd', CS/CA rs2' */
    uint32_t rs1p = 8u + RVC_BITS(c, 9, 7);  /* CL/CS/CA/CB rs1' (= rd' for CA/CB) */
    uint32_t u;

    /* Case labels are octal: quadrant (bits 1:0) then funct3 (bits 15:13). */
    switch ((RVC_BITS(c, 1, 0) << 3) | RVC_BITS(c, 15, 13)) {

    /* ---- Quadrant 0 (op = 00) ---- */

    case 000: /* c.addi4spn: nzuimm[5:4|9:6|2|3] at 12:5; nzuimm=0 reserved (so is 0x0000) */
        u = (RVC_BITS(c, 12, 11) << 4) | (RVC_BITS(c, 10, 7) << 6)
          | (RVC_BITS(c, 6, 6) << 2) | (RVC_BITS(c, 5, 5) << 3);
        if (u == 0)
            return 0;
        return rvc_enc_i((int32_t)u, 2, 0, rdp, RVC_OP_IMM);
    case 001: /* c.fld (RV32/64 DC) */
        return rvc_enc_i((int32_t)rvc_uimm_cl8(c), rs1p, 3, rdp, RVC_OP_LOAD_FP);
    case 002: /* c.lw */
        return rvc_enc_i((int32_t)rvc_uimm_cl4(c), rs1p, 2, rdp, RVC_OP_LOAD);
    case 003: /* c.ld (RV64/128; c.flw on RV32) */
        return rvc_enc_i((int32_t)rvc_uimm_cl8(c), rs1p, 3, rdp, RVC_OP_LOAD);
    case 004: /* reserved (Zcb space) */
        return 0;
    case 005: /* c.fsd (RV32/64 DC) */
        return rvc_enc_s((int32_t)rvc_uimm_cl8(c), rdp, rs1p, 3, RVC_OP_STORE_FP);
    case 006: /* c.sw */
        return rvc_enc_s((int32_t)rvc_uimm_cl4(c), rdp, rs1p, 2, RVC_OP_STORE);
    case 007: /* c.sd (RV64/128; c.fsw on RV32) */
        return rvc_enc_s((int32_t)rvc_uimm_cl8(c), rdp, rs1p, 3, RVC_OP_STORE);

    /* ---- Quadrant 1 (op = 01) ---- */

    case 010: /* c.nop / c.addi: rd=0 is c.nop (HINT if imm!=0), imm=0 is a HINT */
        return rvc_enc_i(rvc_imm_ci(c), rd, 0, rd, RVC_OP_IMM);
    case 011: /* c.addiw (RV64/128; c.jal on RV32): rd=0 reserved */
        if (rd == 0)
            return 0;
        return rvc_enc_i(rvc_imm_ci(c), rd, 0, rd, RVC_OP_IMM_32);
    case 012: /* c.li -> addi rd, x0, imm; rd=0 is a HINT */
        return rvc_enc_i(rvc_imm_ci(c), 0, 0, rd, RVC_OP_IMM);
    case 013:
        if (rd == 2) {
            /* c.addi16sp: nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2; nzimm=0 reserved */
            u = (RVC_BITS(c, 12, 12) << 9) | (RVC_BITS(c, 6, 6) << 4)
              | (RVC_BITS(c, 5, 5) << 6) | (RVC_BITS(c, 4, 3) << 7) | (RVC_BITS(c, 2, 2) << 5);
            if (u == 0)
                return 0;
            return rvc_enc_i(rvc_sext(u, 10), 2, 0, 2, RVC_OP_IMM);
        }
        /* c.lui: nzimm[17] at 12, nzimm[16:12] at 6:2; nzimm=0 reserved, rd=0 a HINT */
        u = rvc_shamt(c);
        if (u == 0)
            return 0;
        return ((uint32_t)rvc_sext(u, 6) << 12) | (rd << 7) | RVC_OP_LUI;
    case 014: /* MISC-ALU, selected by bits 11:10 */
        switch (RVC_BITS(c, 11, 10)) {
        case 0: /* c.srli; shamt=0 is a HINT on RV64 (c.srli64) */
            return rvc_enc_i((int32_t)rvc_shamt(c), rs1p, 5, rs1p, RVC_OP_IMM);
        case 1: /* c.srai; shamt=0 is a HINT on RV64 (c.srai64) */
            return rvc_enc_i((int32_t)(0x400u | rvc_shamt(c)), rs1p, 5, rs1p, RVC_OP_IMM);
        case 2: /* c.andi */
            return rvc_enc_i(rvc_imm_ci(c), rs1p, 7, rs1p, RVC_OP_IMM);
        default: /* CA: bit 12 and funct2 (6:5) pick the operation */
            switch ((RVC_BITS(c, 12, 12) << 2) | RVC_BITS(c, 6, 5)) {
            case 0: return rvc_enc_r(0x20, rdp, rs1p, 0, rs1p, RVC_OP_OP);   /* c.sub */
            case 1: return rvc_enc_r(0x00, rdp, rs1p, 4, rs1p, RVC_OP_OP);   /* c.xor */
            case 2: return rvc_enc_r(0x00, rdp, rs1p, 6, rs1p, RVC_OP_OP);   /* c.or  */
            case 3: return rvc_enc_r(0x00, rdp, rs1p, 7, rs1p, RVC_OP_OP);   /* c.and */
            case 4: return rvc_enc_r(0x20, rdp, rs1p, 0, rs1p, RVC_OP_OP_32); /* c.subw */
            case 5: return rvc_enc_r(0x00, rdp, rs1p, 0, rs1p, RVC_OP_OP_32); /* c.addw */
            default: return 0; /* 1 11 .. 10/11: reserved */
            }
        }
    case 015: /* c.j -> jal x0, imm (c.jal is RV32-only) */
        return rvc_enc_j(rvc_imm_cj(c), 0);
    case 016: /* c.beqz -> beq rs1', x0, imm */
        return rvc_enc_b(rvc_imm_cb(c), 0, rs1p, 0);
    case 017: /* c.bnez -> bne rs1', x0, imm */
        return rvc_enc_b(rvc_imm_cb(c), 0, rs1p, 1);

    /* ---- Quadrant 2 (op = 10) ---- */

    case 020: /* c.slli; rd=0 or shamt=0 are HINTs */
        return rvc_enc_i((int32_t)rvc_shamt(c), rd, 1, rd, RVC_OP_IMM);
    case 021: /* c.fldsp (RV32/64 DC): uimm[5] at 12, uimm[4:3|8:6] at 6:2; any rd */
        u = (RVC_BITS(c, 12, 12) << 5) | (RVC_BITS(c, 6, 5) << 3) | (RVC_BITS(c, 4, 2) << 6);
        return rvc_enc_i((int32_t)u, 2, 3, rd, RVC_OP_LOAD_FP);
    case 022: /* c.lwsp: uimm[5] at 12, uimm[4:2|7:6] at 6:2; rd=0 reserved */
        if (rd == 0)
            return 0;
        u = (RVC_BITS(c, 12, 12) << 5) | (RVC_BITS(c, 6, 4) << 2) | (RVC_BITS(c, 3, 2) << 6);
        return rvc_enc_i((int32_t)u, 2, 2, rd, RVC_OP_LOAD);
    case 023: /* c.ldsp (RV64/128; c.flwsp on RV32): as c.fldsp; rd=0 reserved */
        if (rd == 0)
            return 0;
        u = (RVC_BITS(c, 12, 12) << 5) | (RVC_BITS(c, 6, 5) << 3) | (RVC_BITS(c, 4, 2) << 6);
        return rvc_enc_i((int32_t)u, 2, 3, rd, RVC_OP_LOAD);
    case 024: /* J[AL]R/MV/ADD/EBREAK, selected by bit 12 and whether rd/rs2 are x0 */
        if (RVC_BITS(c, 12, 12) == 0) {
            if (rs2 == 0) /* c.jr -> jalr x0, 0(rs1); rs1=0 reserved */
                return rd == 0 ? 0 : rvc_enc_i(0, rd, 0, 0, RVC_OP_JALR);
            /* c.mv -> add rd, x0, rs2; rd=0 is a HINT */
            return rvc_enc_r(0, rs2, 0, 0, rd, RVC_OP_OP);
        }
        if (rs2 == 0) {
            if (rd == 0) /* c.ebreak */
                return 0x00100073u;
            /* c.jalr -> jalr x1, 0(rs1) */
            return rvc_enc_i(0, rd, 0, 1, RVC_OP_JALR);
        }
        /* c.add -> add rd, rd, rs2; rd=0 is a HINT */
        return rvc_enc_r(0, rs2, rd, 0, rd, RVC_OP_OP);
    case 025: /* c.fsdsp (RV32/64 DC): uimm[5:3|8:6] at 12:7 */
        u = (RVC_BITS(c, 12, 10) << 3) | (RVC_BITS(c, 9, 7) << 6);
        return rvc_enc_s((int32_t)u, rs2, 2, 3, RVC_OP_STORE_FP);
    case 026: /* c.swsp: uimm[5:2|7:6] at 12:7 */
        u = (RVC_BITS(c, 12, 9) << 2) | (RVC_BITS(c, 8, 7) << 6);
        return rvc_enc_s((int32_t)u, rs2, 2, 2, RVC_OP_STORE);
    case 027: /* c.sdsp (RV64/128; c.fswsp on RV32): uimm[5:3|8:6] at 12:7 */
        u = (RVC_BITS(c, 12, 10) << 3) | (RVC_BITS(c, 9, 7) << 6);
        return rvc_enc_s((int32_t)u, rs2, 2, 3, RVC_OP_STORE);

    default: /* op = 11: not a compressed parcel */
        return 0;
    }
}

#endif /* RVEMU_RVC_H */
