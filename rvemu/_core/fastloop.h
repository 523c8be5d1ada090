/* The run loop's fast path: straight-line RV64IM integer code, taken branches that stay on
 * the decoded page, and loads/stores that hit the software TLB.
 *
 * Why C: each handler ends with its own indirect jump to the next slot's handler
 * (GCC's labels as values), so a guest instruction costs one host jump instead of the
 * two or three of a switch inside a loop. Each handler exists once per instruction
 * length, so the next slot's address is a constant add, not a load of the length (which
 * put a load-to-address chain, about 5 cycles, on every instruction). Cython has no
 * computed goto, hence this file.
 *
 * Contract with run_loop (loop.pxi): rv_fast_run starts at slot d and returns the slot
 * of the first instruction it did not run, with pc and icount updated in the context.
 * That instruction is either one this file does not handle (run_loop runs it) or one
 * that needs the slow path: a TLB miss, a misaligned jump target (a trap), or a taken
 * branch past the event limit or to a page the fetch TLB misses (it returns the refetch
 * sentinel, which looks pc up and checks events exactly as run_loop does). Nothing here
 * has side effects before such a bail-out, so run_loop re-executes the instruction from
 * scratch. A taken branch to another page that hits the fetch TLB moves page, host and
 * page_va, which run_loop takes back.
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
    const Tlb *rtlb;         /* load, store and fetch TLBs */
    const Tlb *wtlb;
    const Tlb *itlb;
    Insn *refetch;           /* the page-end sentinel: look pc up, check events */
    Insn *page;              /* in/out: the decoded page of page_va */
    uint8_t *host;           /* in/out: the host address of page_va */
    uint64_t page_va;        /* in/out: page address of `page` (1: none) */
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

/* The fast path dispatches on Insn.rm, not on op: for its ops the decoder stores there
 * the index of a handler specialised for the instruction's length (the funct3 that rm
 * otherwise holds is implied by the op), so stepping to the next slot is a constant add.
 * Every other slot has rm < RV_FAST_BASE (a funct3 or 0), which leads out. */
#define RV_FAST_BASE 8
#define RV_FAST_INDEX(op, len4) \
    (RV_FAST_BASE + 2 * ((op) <= RV_OP_SRAW ? (op) - RV_OP_NOP                 \
                                            : (RV_OP_SRAW - RV_OP_NOP + 1) + (op) - RV_OP_MUL) \
     + (len4))

static inline uint8_t rv_fast_index(uint16_t op, uint8_t len) {
    return (uint8_t)RV_FAST_INDEX(op, len == 4);
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
    const Tlb *const rtlb = c->rtlb, *const wtlb = c->wtlb, *const itlb = c->itlb;
    Insn *page = c->page;
    uint8_t *host = c->host;
    uint64_t page_va = c->page_va;
    const uint64_t limit = c->limit, ialign = c->ialign_mask;
    uint64_t icount = c->icount;
    /* pc is not kept per instruction: it is base_pc plus 2 bytes per slot from base_d */
    uint64_t base_pc = c->pc;
    uintptr_t base_d = (uintptr_t)d;
    uint64_t a, v;

    /* handler[rm]: two per op, for 2- and 4-byte instructions; everything else leads out */
#define SLOT(op, label) [RV_FAST_INDEX(RV_OP_##op, 0)] = &&label##_2, \
                        [RV_FAST_INDEX(RV_OP_##op, 1)] = &&label##_4,
    static const void *const handler[256] = {
        [0 ... 255] = &&out,
        SLOT(NOP, op_nop) SLOT(LI, op_li) SLOT(MV, op_mv) SLOT(LUI, op_li)
        SLOT(AUIPC, op_auipc) SLOT(JAL, op_jal) SLOT(JALR, op_jalr)
        SLOT(BEQ, op_beq) SLOT(BNE, op_bne) SLOT(BLT, op_blt) SLOT(BGE, op_bge)
        SLOT(BLTU, op_bltu) SLOT(BGEU, op_bgeu)
        SLOT(LB, op_lb) SLOT(LH, op_lh) SLOT(LW, op_lw) SLOT(LD, op_ld)
        SLOT(LBU, op_lbu) SLOT(LHU, op_lhu) SLOT(LWU, op_lwu)
        SLOT(SB, op_sb) SLOT(SH, op_sh) SLOT(SW, op_sw) SLOT(SD, op_sd)
        SLOT(ADDI, op_addi) SLOT(SLTI, op_slti) SLOT(SLTIU, op_sltiu) SLOT(XORI, op_xori)
        SLOT(ORI, op_ori) SLOT(ANDI, op_andi) SLOT(SLLI, op_slli) SLOT(SRLI, op_srli)
        SLOT(SRAI, op_srai) SLOT(ADD, op_add) SLOT(SUB, op_sub) SLOT(SLL, op_sll)
        SLOT(SLT, op_slt) SLOT(SLTU, op_sltu) SLOT(XOR, op_xor) SLOT(SRL, op_srl)
        SLOT(SRA, op_sra) SLOT(OR, op_or) SLOT(AND, op_and)
        SLOT(ADDIW, op_addiw) SLOT(SLLIW, op_slliw) SLOT(SRLIW, op_srliw)
        SLOT(SRAIW, op_sraiw) SLOT(ADDW, op_addw) SLOT(SUBW, op_subw) SLOT(SLLW, op_sllw)
        SLOT(SRLW, op_srlw) SLOT(SRAW, op_sraw)
        SLOT(MUL, op_mul) SLOT(MULH, op_mulh) SLOT(MULHSU, op_mulhsu) SLOT(MULHU, op_mulhu)
        SLOT(DIV, op_div) SLOT(DIVU, op_divu) SLOT(REM, op_rem) SLOT(REMU, op_remu)
        SLOT(MULW, op_mulw) SLOT(DIVW, op_divw) SLOT(DIVUW, op_divuw) SLOT(REMW, op_remw)
        SLOT(REMUW, op_remuw)
    };
#undef SLOT

#define DISPATCH() goto *handler[d->rm]
#define PC (base_pc + (((uintptr_t)d - base_d) >> 3))
    /* retire the N-byte instruction at d and go on with the next slot (N / 2 slots on) */
#define NEXT()                                                    \
    do {                                                          \
        icount++;                                                 \
        d += N / 2;                                               \
        DISPATCH();                                               \
    } while (0)
    /* a taken control transfer to target (already checked for alignment); another page
     * is looked up in the fetch TLB here, as run_loop's sentinel would when no event is due */
#define JUMP(target)                                              \
    do {                                                          \
        a = (target);                                             \
        icount++;                                                 \
        if (icount < limit) {                                     \
            if ((a & ~0xfffULL) != page_va) {                     \
                v = (a >> 12) & (TLB_SIZE - 1);                   \
                if (itlb->tag[v] != (a & ~0xfffULL)) goto refetch; \
                page_va = a & ~0xfffULL;                          \
                page = itlb->code[v];                             \
                host = (uint8_t *)(uintptr_t)(page_va + (uint64_t)itlb->add[v]); \
            }                                                     \
            d = &page[(a & 0xfff) >> 1];                          \
            base_d = (uintptr_t)d;                                \
            base_pc = a;                                          \
            DISPATCH();                                           \
        }                                                         \
        goto refetch;                                             \
    } while (0)
#define BRANCH(cond)                                              \
    do {                                                          \
        if (cond) {                                               \
            a = PC + (int64_t)d->imm;                             \
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
        if (rtlb->tag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out; \
        memcpy(&t_, (const void *)(uintptr_t)(a + (uint64_t)rtlb->add[v]), sizeof(T)); \
        x[d->rd] = (uint64_t)t_;                                          \
        NEXT();                                                           \
    } while (0)
#define STORE(T)                                                          \
    do {                                                                  \
        T t_ = (T)x[d->rs2];                                              \
        a = x[d->rs1] + (int64_t)d->imm;                                  \
        v = (a >> 12) & (TLB_SIZE - 1);                                   \
        if (wtlb->tag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out; \
        memcpy((void *)(uintptr_t)(a + (uint64_t)wtlb->add[v]), &t_, sizeof(T)); \
        NEXT();                                                           \
    } while (0)
    /* a handler, once per instruction length N */
#define HANDLER(label, ...)                                               \
    label##_2: { enum { N = 2 }; __VA_ARGS__; }                           \
    label##_4: { enum { N = 4 }; __VA_ARGS__; }
#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define IMM ((uint64_t)(int64_t)d->imm)
#define RD x[d->rd]

    DISPATCH();

HANDLER(op_nop, NEXT())
HANDLER(op_li, RD = IMM; NEXT())               /* li and lui: the immediate is the value */
HANDLER(op_mv, RD = RS1; NEXT())
HANDLER(op_auipc, RD = PC + IMM; NEXT())
HANDLER(op_jal, a = PC + IMM; if (a & ialign) goto out; RD = PC + N; JUMP(a))
HANDLER(op_jalr, a = (RS1 + IMM) & ~1ULL; if (a & ialign) goto out; RD = PC + N; JUMP(a))
HANDLER(op_beq, BRANCH(RS1 == RS2))
HANDLER(op_bne, BRANCH(RS1 != RS2))
HANDLER(op_blt, BRANCH((int64_t)RS1 < (int64_t)RS2))
HANDLER(op_bge, BRANCH((int64_t)RS1 >= (int64_t)RS2))
HANDLER(op_bltu, BRANCH(RS1 < RS2))
HANDLER(op_bgeu, BRANCH(RS1 >= RS2))
HANDLER(op_lb, LOAD(int8_t))
HANDLER(op_lh, LOAD(int16_t))
HANDLER(op_lw, LOAD(int32_t))
HANDLER(op_ld, LOAD(uint64_t))
HANDLER(op_lbu, LOAD(uint8_t))
HANDLER(op_lhu, LOAD(uint16_t))
HANDLER(op_lwu, LOAD(uint32_t))
HANDLER(op_sb, STORE(uint8_t))
HANDLER(op_sh, STORE(uint16_t))
HANDLER(op_sw, STORE(uint32_t))
HANDLER(op_sd, STORE(uint64_t))
HANDLER(op_addi, RD = RS1 + IMM; NEXT())
HANDLER(op_slti, RD = (int64_t)RS1 < (int64_t)IMM; NEXT())
HANDLER(op_sltiu, RD = RS1 < IMM; NEXT())
HANDLER(op_xori, RD = RS1 ^ IMM; NEXT())
HANDLER(op_ori, RD = RS1 | IMM; NEXT())
HANDLER(op_andi, RD = RS1 & IMM; NEXT())
HANDLER(op_slli, RD = RS1 << d->imm; NEXT())
HANDLER(op_srli, RD = RS1 >> d->imm; NEXT())
HANDLER(op_srai, RD = (uint64_t)((int64_t)RS1 >> d->imm); NEXT())
HANDLER(op_add, RD = RS1 + RS2; NEXT())
HANDLER(op_sub, RD = RS1 - RS2; NEXT())
HANDLER(op_sll, RD = RS1 << (RS2 & 63); NEXT())
HANDLER(op_slt, RD = (int64_t)RS1 < (int64_t)RS2; NEXT())
HANDLER(op_sltu, RD = RS1 < RS2; NEXT())
HANDLER(op_xor, RD = RS1 ^ RS2; NEXT())
HANDLER(op_srl, RD = RS1 >> (RS2 & 63); NEXT())
HANDLER(op_sra, RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT())
HANDLER(op_or, RD = RS1 | RS2; NEXT())
HANDLER(op_and, RD = RS1 & RS2; NEXT())
HANDLER(op_addiw, RD = rv_sext32(RS1 + IMM); NEXT())
HANDLER(op_slliw, RD = rv_sext32(RS1 << d->imm); NEXT())
HANDLER(op_srliw, RD = rv_sext32((uint32_t)RS1 >> d->imm); NEXT())
HANDLER(op_sraiw, RD = (uint64_t)(int64_t)((int32_t)RS1 >> d->imm); NEXT())
HANDLER(op_addw, RD = rv_sext32(RS1 + RS2); NEXT())
HANDLER(op_subw, RD = rv_sext32(RS1 - RS2); NEXT())
HANDLER(op_sllw, RD = rv_sext32(RS1 << (RS2 & 31)); NEXT())
HANDLER(op_srlw, RD = rv_sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT())
HANDLER(op_sraw, RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); NEXT())
HANDLER(op_mul, RD = RS1 * RS2; NEXT())
HANDLER(op_mulh, RD = rv_muldiv(RV_OP_MULH, RS1, RS2); NEXT())
HANDLER(op_mulhsu, RD = rv_muldiv(RV_OP_MULHSU, RS1, RS2); NEXT())
HANDLER(op_mulhu, RD = rv_muldiv(RV_OP_MULHU, RS1, RS2); NEXT())
HANDLER(op_div, RD = rv_muldiv(RV_OP_DIV, RS1, RS2); NEXT())
HANDLER(op_divu, RD = rv_muldiv(RV_OP_DIVU, RS1, RS2); NEXT())
HANDLER(op_rem, RD = rv_muldiv(RV_OP_REM, RS1, RS2); NEXT())
HANDLER(op_remu, RD = rv_muldiv(RV_OP_REMU, RS1, RS2); NEXT())
HANDLER(op_mulw, RD = rv_sext32(RS1 * RS2); NEXT())
HANDLER(op_divw, RD = rv_muldiv(RV_OP_DIVW, RS1, RS2); NEXT())
HANDLER(op_divuw, RD = rv_muldiv(RV_OP_DIVUW, RS1, RS2); NEXT())
HANDLER(op_remw, RD = rv_muldiv(RV_OP_REMW, RS1, RS2); NEXT())
HANDLER(op_remuw, RD = rv_muldiv(RV_OP_REMUW, RS1, RS2); NEXT())

out:
    c->pc = PC;
    goto done;
refetch: /* a is the jump's target */
    d = c->refetch;
    c->pc = a;
done:
    c->icount = icount;
    c->page = page;
    c->host = host;
    c->page_va = page_va;
    return d;

#undef DISPATCH
#undef PC
#undef NEXT
#undef JUMP
#undef BRANCH
#undef LOAD
#undef STORE
#undef HANDLER
#undef RS1
#undef RS2
#undef IMM
#undef RD
}

#endif
