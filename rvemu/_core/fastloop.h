/* The run loop's fast path: straight-line RV64IM integer code, taken branches that stay on
 * the decoded page, and loads/stores that hit the software TLB.
 *
 * Why C: each handler ends with its own indirect jump to the next slot's handler
 * (GCC's labels as values), so a guest instruction costs one host jump instead of the
 * two or three of a switch inside a loop, and the next slot's address comes from a
 * predicted branch on the length instead of a load (a chain through memory on every
 * instruction). Cython has no computed goto, hence this file.
 *
 * Contract with run_loop (loop.pxi): rv_fast_run starts at slot d and returns the slot
 * of the first instruction it did not run, with pc and icount updated in the context.
 * That instruction is either one this file does not handle (run_loop runs it) or one
 * that needs the slow path: a TLB miss, a misaligned jump target (a trap), or a taken
 * branch off the page or past the event limit (it returns the refetch sentinel, which
 * looks pc up and checks events exactly as run_loop does). Nothing here has side effects
 * before such a bail-out, so run_loop re-executes the instruction from scratch.
 *
 * Stores go only through the store TLB, which never maps pages holding decodes (nor the
 * HTIF page): a store here cannot invalidate the slots being run, nor raise an event.
 */
#ifndef RVEMU_FASTLOOP_H
#define RVEMU_FASTLOOP_H

#include <stdint.h>
#include <string.h>
#include "insn.h"

typedef struct {
    uint64_t *x;             /* x0..x31 and the sink x[32] */
    const uint64_t *rtag;    /* load TLB: tags (page address | alignment bits) */
    const int64_t *radd;     /* load TLB: host address - guest virtual address */
    const uint64_t *wtag;    /* store TLB */
    const int64_t *wadd;
    Insn *page;              /* the decoded page of page_va */
    Insn *refetch;           /* the page-end sentinel: look pc up, check events */
    uint64_t page_va;        /* page address of `page` (1: none, every jump refetches) */
    uint64_t pc;             /* in: pc of d; out: pc of the returned slot */
    uint64_t icount;         /* instructions retired */
    uint64_t limit;          /* taken branches at or past this count go to the sentinel */
    uint64_t ialign_mask;    /* 2 without C: a jump to a 2-byte boundary traps */
} RvFast;

/* True for the ops rv_fast_run can start on: NOP..SRAW and the M extension. */
static inline int rv_fast_op(uint16_t op) {
    return (uint16_t)(op - RV_OP_NOP) <= RV_OP_SRAW - RV_OP_NOP
        || (uint16_t)(op - RV_OP_MUL) <= RV_OP_REMUW - RV_OP_MUL;
}

static inline uint64_t rv_sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v; }

/* The M extension; division by zero and overflow follow the spec's table (no traps). */
static inline uint64_t rv_muldiv(uint16_t op, uint64_t a, uint64_t b) {
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    int32_t wa = (int32_t)a, wb = (int32_t)b;
    switch (op) {
    case RV_OP_MUL: return a * b;
    case RV_OP_MULH: return (uint64_t)(((__int128)sa * (__int128)sb) >> 64);
    case RV_OP_MULHSU: return (uint64_t)(((__int128)sa * (__int128)(unsigned __int128)b) >> 64);
    case RV_OP_MULHU: return (uint64_t)(((unsigned __int128)a * (unsigned __int128)b) >> 64);
    case RV_OP_DIV:
        if (b == 0) return ~0ULL;
        if (sa == INT64_MIN && sb == -1) return a;
        return (uint64_t)(sa / sb);
    case RV_OP_DIVU: return b == 0 ? ~0ULL : a / b;
    case RV_OP_REM:
        if (b == 0) return a;
        if (sa == INT64_MIN && sb == -1) return 0;
        return (uint64_t)(sa % sb);
    case RV_OP_REMU: return b == 0 ? a : a % b;
    case RV_OP_MULW: return rv_sext32(a * b);
    case RV_OP_DIVW:
        if (wb == 0) return ~0ULL;
        if (wa == INT32_MIN && wb == -1) return rv_sext32((uint32_t)wa);
        return (uint64_t)(int64_t)(wa / wb);
    case RV_OP_DIVUW:
        return (uint32_t)wb == 0 ? ~0ULL : rv_sext32((uint32_t)wa / (uint32_t)wb);
    case RV_OP_REMW:
        if (wb == 0) return (uint64_t)(int64_t)wa;
        if (wa == INT32_MIN && wb == -1) return 0;
        return (uint64_t)(int64_t)(wa % wb);
    default: /* REMUW */
        return (uint32_t)wb == 0 ? (uint64_t)(int64_t)wa : rv_sext32((uint32_t)wa % (uint32_t)wb);
    }
}

__attribute__((noinline, hot))
static Insn *rv_fast_run(RvFast *c, Insn *d) {
    uint64_t *const x = c->x;
    const uint64_t *const rtag = c->rtag, *const wtag = c->wtag;
    const int64_t *const radd = c->radd, *const wadd = c->wadd;
    Insn *const page = c->page;
    const uint64_t page_va = c->page_va, limit = c->limit, ialign = c->ialign_mask;
    uint64_t pc = c->pc, icount = c->icount;
    uint64_t a, v;

    /* Every op starts at `out` (hand back to run_loop) unless it has a handler below. */
    static const void *const handler[RV_OP_COUNT] = {
        [0 ... RV_OP_COUNT - 1] = &&out,
        [RV_OP_NOP] = &&op_nop, [RV_OP_LI] = &&op_li, [RV_OP_MV] = &&op_mv,
        [RV_OP_LUI] = &&op_li, [RV_OP_AUIPC] = &&op_auipc,
        [RV_OP_JAL] = &&op_jal, [RV_OP_JALR] = &&op_jalr,
        [RV_OP_BEQ] = &&op_beq, [RV_OP_BNE] = &&op_bne, [RV_OP_BLT] = &&op_blt,
        [RV_OP_BGE] = &&op_bge, [RV_OP_BLTU] = &&op_bltu, [RV_OP_BGEU] = &&op_bgeu,
        [RV_OP_LB] = &&op_lb, [RV_OP_LH] = &&op_lh, [RV_OP_LW] = &&op_lw,
        [RV_OP_LD] = &&op_ld, [RV_OP_LBU] = &&op_lbu, [RV_OP_LHU] = &&op_lhu,
        [RV_OP_LWU] = &&op_lwu,
        [RV_OP_SB] = &&op_sb, [RV_OP_SH] = &&op_sh, [RV_OP_SW] = &&op_sw, [RV_OP_SD] = &&op_sd,
        [RV_OP_ADDI] = &&op_addi, [RV_OP_SLTI] = &&op_slti, [RV_OP_SLTIU] = &&op_sltiu,
        [RV_OP_XORI] = &&op_xori, [RV_OP_ORI] = &&op_ori, [RV_OP_ANDI] = &&op_andi,
        [RV_OP_SLLI] = &&op_slli, [RV_OP_SRLI] = &&op_srli, [RV_OP_SRAI] = &&op_srai,
        [RV_OP_ADD] = &&op_add, [RV_OP_SUB] = &&op_sub, [RV_OP_SLL] = &&op_sll,
        [RV_OP_SLT] = &&op_slt, [RV_OP_SLTU] = &&op_sltu, [RV_OP_XOR] = &&op_xor,
        [RV_OP_SRL] = &&op_srl, [RV_OP_SRA] = &&op_sra, [RV_OP_OR] = &&op_or,
        [RV_OP_AND] = &&op_and,
        [RV_OP_ADDIW] = &&op_addiw, [RV_OP_SLLIW] = &&op_slliw, [RV_OP_SRLIW] = &&op_srliw,
        [RV_OP_SRAIW] = &&op_sraiw, [RV_OP_ADDW] = &&op_addw, [RV_OP_SUBW] = &&op_subw,
        [RV_OP_SLLW] = &&op_sllw, [RV_OP_SRLW] = &&op_srlw, [RV_OP_SRAW] = &&op_sraw,
        [RV_OP_MUL] = &&op_mul, [RV_OP_MULH] = &&op_mulh, [RV_OP_MULHSU] = &&op_mulhsu,
        [RV_OP_MULHU] = &&op_mulhu, [RV_OP_DIV] = &&op_div, [RV_OP_DIVU] = &&op_divu,
        [RV_OP_REM] = &&op_rem, [RV_OP_REMU] = &&op_remu, [RV_OP_MULW] = &&op_mulw,
        [RV_OP_DIVW] = &&op_divw, [RV_OP_DIVUW] = &&op_divuw, [RV_OP_REMW] = &&op_remw,
        [RV_OP_REMUW] = &&op_remuw,
    };

#define DISPATCH() goto *handler[d->op]
    /* retire the instruction at d and go on with the next slot */
#define NEXT()                                                    \
    do {                                                          \
        icount++;                                                 \
        if (d->len == 4) { pc += 4; d += 2; }                     \
        else { pc += 2; d += 1; }                                 \
        DISPATCH();                                               \
    } while (0)
    /* a taken control transfer to target (already checked for alignment) */
#define JUMP(target)                                              \
    do {                                                          \
        pc = (target);                                            \
        icount++;                                                 \
        if ((pc & ~0xfffULL) == page_va && icount < limit) {      \
            d = &page[(pc & 0xfff) >> 1];                         \
            DISPATCH();                                           \
        }                                                         \
        d = c->refetch;                                           \
        goto out;                                                 \
    } while (0)
#define BRANCH(cond)                                              \
    do {                                                          \
        if (cond) {                                               \
            a = pc + (int64_t)d->imm;                             \
            if (a & ialign) goto out; /* run_loop raises the trap */ \
            JUMP(a);                                              \
        }                                                         \
        NEXT();                                                   \
    } while (0)
    /* a TLB-hit load of T, or back to run_loop for the slow path */
#define LOAD(T)                                                           \
    do {                                                                  \
        T t_;                                                             \
        a = x[d->rs1] + (int64_t)d->imm;                                  \
        v = (a >> 12) & (TLB_SIZE - 1);                                   \
        if (rtag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out;     \
        memcpy(&t_, (const void *)(uintptr_t)(a + (uint64_t)radd[v]), sizeof(T)); \
        x[d->rd] = (uint64_t)t_;                                          \
        NEXT();                                                           \
    } while (0)
#define STORE(T)                                                          \
    do {                                                                  \
        T t_ = (T)x[d->rs2];                                              \
        a = x[d->rs1] + (int64_t)d->imm;                                  \
        v = (a >> 12) & (TLB_SIZE - 1);                                   \
        if (wtag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out;     \
        memcpy((void *)(uintptr_t)(a + (uint64_t)wadd[v]), &t_, sizeof(T)); \
        NEXT();                                                           \
    } while (0)
#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define IMM ((uint64_t)(int64_t)d->imm)
#define RD x[d->rd]

    DISPATCH();

op_nop:   NEXT();
op_li:    RD = IMM; NEXT();               /* li and lui: the immediate is the value */
op_mv:    RD = RS1; NEXT();
op_auipc: RD = pc + IMM; NEXT();
op_jal:
    a = pc + IMM;
    if (a & ialign) goto out;
    RD = pc + d->len;
    JUMP(a);
op_jalr:
    a = (RS1 + IMM) & ~1ULL;
    if (a & ialign) goto out;
    RD = pc + d->len;
    JUMP(a);
op_beq:  BRANCH(RS1 == RS2);
op_bne:  BRANCH(RS1 != RS2);
op_blt:  BRANCH((int64_t)RS1 < (int64_t)RS2);
op_bge:  BRANCH((int64_t)RS1 >= (int64_t)RS2);
op_bltu: BRANCH(RS1 < RS2);
op_bgeu: BRANCH(RS1 >= RS2);
op_lb:  LOAD(int8_t);
op_lh:  LOAD(int16_t);
op_lw:  LOAD(int32_t);
op_ld:  LOAD(uint64_t);
op_lbu: LOAD(uint8_t);
op_lhu: LOAD(uint16_t);
op_lwu: LOAD(uint32_t);
op_sb:  STORE(uint8_t);
op_sh:  STORE(uint16_t);
op_sw:  STORE(uint32_t);
op_sd:  STORE(uint64_t);
op_addi:  RD = RS1 + IMM; NEXT();
op_slti:  RD = (int64_t)RS1 < (int64_t)IMM; NEXT();
op_sltiu: RD = RS1 < IMM; NEXT();
op_xori:  RD = RS1 ^ IMM; NEXT();
op_ori:   RD = RS1 | IMM; NEXT();
op_andi:  RD = RS1 & IMM; NEXT();
op_slli:  RD = RS1 << d->imm; NEXT();
op_srli:  RD = RS1 >> d->imm; NEXT();
op_srai:  RD = (uint64_t)((int64_t)RS1 >> d->imm); NEXT();
op_add:   RD = RS1 + RS2; NEXT();
op_sub:   RD = RS1 - RS2; NEXT();
op_sll:   RD = RS1 << (RS2 & 63); NEXT();
op_slt:   RD = (int64_t)RS1 < (int64_t)RS2; NEXT();
op_sltu:  RD = RS1 < RS2; NEXT();
op_xor:   RD = RS1 ^ RS2; NEXT();
op_srl:   RD = RS1 >> (RS2 & 63); NEXT();
op_sra:   RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT();
op_or:    RD = RS1 | RS2; NEXT();
op_and:   RD = RS1 & RS2; NEXT();
op_addiw: RD = rv_sext32(RS1 + IMM); NEXT();
op_slliw: RD = rv_sext32(RS1 << d->imm); NEXT();
op_srliw: RD = rv_sext32((uint32_t)RS1 >> d->imm); NEXT();
op_sraiw: RD = (uint64_t)(int64_t)((int32_t)RS1 >> d->imm); NEXT();
op_addw:  RD = rv_sext32(RS1 + RS2); NEXT();
op_subw:  RD = rv_sext32(RS1 - RS2); NEXT();
op_sllw:  RD = rv_sext32(RS1 << (RS2 & 31)); NEXT();
op_srlw:  RD = rv_sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
op_sraw:  RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); NEXT();
op_mul:    RD = RS1 * RS2; NEXT();
op_mulh:   RD = rv_muldiv(RV_OP_MULH, RS1, RS2); NEXT();
op_mulhsu: RD = rv_muldiv(RV_OP_MULHSU, RS1, RS2); NEXT();
op_mulhu:  RD = rv_muldiv(RV_OP_MULHU, RS1, RS2); NEXT();
op_div:    RD = rv_muldiv(RV_OP_DIV, RS1, RS2); NEXT();
op_divu:   RD = rv_muldiv(RV_OP_DIVU, RS1, RS2); NEXT();
op_rem:    RD = rv_muldiv(RV_OP_REM, RS1, RS2); NEXT();
op_remu:   RD = rv_muldiv(RV_OP_REMU, RS1, RS2); NEXT();
op_mulw:   RD = rv_sext32(RS1 * RS2); NEXT();
op_divw:   RD = rv_muldiv(RV_OP_DIVW, RS1, RS2); NEXT();
op_divuw:  RD = rv_muldiv(RV_OP_DIVUW, RS1, RS2); NEXT();
op_remw:   RD = rv_muldiv(RV_OP_REMW, RS1, RS2); NEXT();
op_remuw:  RD = rv_muldiv(RV_OP_REMUW, RS1, RS2); NEXT();

out:
    c->pc = pc;
    c->icount = icount;
    return d;

#undef DISPATCH
#undef NEXT
#undef JUMP
#undef BRANCH
#undef LOAD
#undef STORE
#undef RS1
#undef RS2
#undef IMM
#undef RD
}

#endif
