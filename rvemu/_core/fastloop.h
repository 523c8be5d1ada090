/* The run loop's fast path: RV64IM and the common F/D ops (while FS is Dirty), taken
 * branches within the decoded page or to a page the fetch TLB holds, and loads/stores that
 * hit the software TLB.
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
#include "fpfast.h"

typedef struct {
    uint64_t *x;             /* x0..x31 and the sink x[32] */
    uint64_t *f;             /* f0..f31, NaN-boxed */
    uint32_t *fflags;        /* accrued FP exception flags */
    uint32_t frm;            /* dynamic rounding mode */
    uint32_t fp_ok;          /* 1: FS (and, with V=1, vsstatus.FS) is Dirty, so F/D ops may
                                run here (they need not change it); 0: they leave */
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

/* The ops the fast path runs, each with its handler's label: RV64IM, and the common F/D
 * ops (loads, stores, arithmetic, fused multiply-add, sign injection, moves, compares,
 * conversions with integers and between S and D). One list feeds every table below. */
#define RV_FAST_OPS(X)                                                                  \
    X(NOP, op_nop) X(LI, op_li) X(MV, op_mv) X(LUI, op_li) X(AUIPC, op_auipc)           \
    X(JAL, op_jal) X(JALR, op_jalr)                                                     \
    X(BEQ, op_beq) X(BNE, op_bne) X(BLT, op_blt) X(BGE, op_bge) X(BLTU, op_bltu)        \
    X(BGEU, op_bgeu)                                                                    \
    X(LB, op_lb) X(LH, op_lh) X(LW, op_lw) X(LD, op_ld) X(LBU, op_lbu) X(LHU, op_lhu)   \
    X(LWU, op_lwu) X(SB, op_sb) X(SH, op_sh) X(SW, op_sw) X(SD, op_sd)                  \
    X(ADDI, op_addi) X(SLTI, op_slti) X(SLTIU, op_sltiu) X(XORI, op_xori)               \
    X(ORI, op_ori) X(ANDI, op_andi) X(SLLI, op_slli) X(SRLI, op_srli) X(SRAI, op_srai)  \
    X(ADD, op_add) X(SUB, op_sub) X(SLL, op_sll) X(SLT, op_slt) X(SLTU, op_sltu)        \
    X(XOR, op_xor) X(SRL, op_srl) X(SRA, op_sra) X(OR, op_or) X(AND, op_and)            \
    X(ADDIW, op_addiw) X(SLLIW, op_slliw) X(SRLIW, op_srliw) X(SRAIW, op_sraiw)         \
    X(ADDW, op_addw) X(SUBW, op_subw) X(SLLW, op_sllw) X(SRLW, op_srlw)                 \
    X(SRAW, op_sraw)                                                                    \
    X(MUL, op_mul) X(MULH, op_mulh) X(MULHSU, op_mulhsu) X(MULHU, op_mulhu)             \
    X(DIV, op_div) X(DIVU, op_divu) X(REM, op_rem) X(REMU, op_remu) X(MULW, op_mulw)    \
    X(DIVW, op_divw) X(DIVUW, op_divuw) X(REMW, op_remw) X(REMUW, op_remuw)             \
    X(FLW, op_flw) X(FSW, op_fsw) X(FLD, op_fld) X(FSD, op_fsd)                         \
    X(FADD_S, op_fadd_s) X(FSUB_S, op_fsub_s) X(FMUL_S, op_fmul_s) X(FDIV_S, op_fdiv_s) \
    X(FADD_D, op_fadd_d) X(FSUB_D, op_fsub_d) X(FMUL_D, op_fmul_d) X(FDIV_D, op_fdiv_d) \
    X(FMADD_S, op_fmadd_s) X(FMSUB_S, op_fmsub_s) X(FNMSUB_S, op_fnmsub_s)              \
    X(FNMADD_S, op_fnmadd_s) X(FMADD_D, op_fmadd_d) X(FMSUB_D, op_fmsub_d)              \
    X(FNMSUB_D, op_fnmsub_d) X(FNMADD_D, op_fnmadd_d)                                   \
    X(FSGNJ_S, op_fsgnj_s) X(FSGNJN_S, op_fsgnjn_s) X(FSGNJX_S, op_fsgnjx_s)            \
    X(FSGNJ_D, op_fsgnj_d) X(FSGNJN_D, op_fsgnjn_d) X(FSGNJX_D, op_fsgnjx_d)            \
    X(FEQ_S, op_feq_s) X(FLT_S, op_flt_s) X(FLE_S, op_fle_s)                            \
    X(FEQ_D, op_feq_d) X(FLT_D, op_flt_d) X(FLE_D, op_fle_d)                            \
    X(FMV_X_W, op_fmv_x_w) X(FMV_W_X, op_fmv_w_x) X(FMV_X_D, op_fmv_x_d)                \
    X(FMV_D_X, op_fmv_d_x)                                                              \
    X(FCVT_W_S, op_fcvt_w_s) X(FCVT_WU_S, op_fcvt_wu_s) X(FCVT_L_S, op_fcvt_l_s)        \
    X(FCVT_LU_S, op_fcvt_lu_s) X(FCVT_S_W, op_fcvt_s_w) X(FCVT_S_WU, op_fcvt_s_wu)      \
    X(FCVT_S_L, op_fcvt_s_l) X(FCVT_S_LU, op_fcvt_s_lu)                                 \
    X(FCVT_W_D, op_fcvt_w_d) X(FCVT_WU_D, op_fcvt_wu_d) X(FCVT_L_D, op_fcvt_l_d)        \
    X(FCVT_LU_D, op_fcvt_lu_d) X(FCVT_D_W, op_fcvt_d_w) X(FCVT_D_WU, op_fcvt_d_wu)      \
    X(FCVT_D_L, op_fcvt_d_l) X(FCVT_D_LU, op_fcvt_d_lu)                                 \
    X(FCVT_S_D, op_fcvt_s_d) X(FCVT_D_S, op_fcvt_d_s)

/* Variants the decoder picks for some slots of those ops: branches and jal whose target
 * is on their own page (and aligned) step to the target slot directly. */
#define RV_FAST_VARIANTS(X)                                                             \
    X(BEQ_L, op_beq_l) X(BNE_L, op_bne_l) X(BLT_L, op_blt_l) X(BGE_L, op_bge_l)         \
    X(BLTU_L, op_bltu_l) X(BGEU_L, op_bgeu_l) X(JAL_L, op_jal_l)

/* k: a handler's position in the lists. At most 127 handlers fit Insn.handler (two
 * lengths each, index 0 = none); fsqrt, fmin and fmax stay in run_loop. */
#define RV_FAST_K(op, label) RV_FK_##op,
enum { RV_FAST_OPS(RV_FAST_K) RV_FAST_VARIANTS(RV_FAST_K) RV_FK_COUNT };
#undef RV_FAST_K

/* The fast path dispatches on Insn.handler, not on op: for its ops the decoder stores
 * there the index of a handler specialised for the instruction's length, so stepping to
 * the next slot is a constant add. Every other slot has handler 0, which leads out. */
#define RV_FAST_BASE 1
#define RV_FAST_INDEX(k, len4) (RV_FAST_BASE + 2 * (k) + (len4))
_Static_assert(RV_FAST_INDEX(RV_FK_COUNT, 0) <= 256, "fast handler indices must fit in a byte");

/* op -> k + 1 for the fast path's ops, 0 for the others */
#define RV_FAST_K1(op, label) [RV_OP_##op] = RV_FK_##op + 1,
static const uint8_t rv_fast_k1[RV_OP_COUNT] = { RV_FAST_OPS(RV_FAST_K1) };
#undef RV_FAST_K1

/* True for the ops rv_fast_run can start on. */
static inline int rv_fast_op(uint16_t op) {
    return op < RV_OP_COUNT && rv_fast_k1[op] != 0;
}

static inline uint8_t rv_fast_index(uint16_t op, uint8_t len) {
    return (uint8_t)RV_FAST_INDEX(rv_fast_k1[op] - 1, len == 4);
}

/* After decoding slot d (at pc) into its page: a branch or jal whose target is on the same
 * page, and aligned (a misaligned target must trap), gets the variant that steps there
 * slot to slot without looking the page up. The target's offset within the page is the
 * same under every mapping of the page, so the decode cache may share it. */
static inline void rv_fast_localize(Insn *d, uint64_t pc, uint64_t ialign_mask) {
    uint64_t target = pc + (uint64_t)(int64_t)d->imm;
    int k;
    if (((target ^ pc) & ~0xfffULL) || (target & ialign_mask))
        return;
    switch (d->op) {
    case RV_OP_BEQ: k = RV_FK_BEQ_L; break;
    case RV_OP_BNE: k = RV_FK_BNE_L; break;
    case RV_OP_BLT: k = RV_FK_BLT_L; break;
    case RV_OP_BGE: k = RV_FK_BGE_L; break;
    case RV_OP_BLTU: k = RV_FK_BLTU_L; break;
    case RV_OP_BGEU: k = RV_FK_BGEU_L; break;
    case RV_OP_JAL: k = RV_FK_JAL_L; break;
    default: return;
    }
    d->handler = (uint8_t)RV_FAST_INDEX(k, d->len == 4);
}

/* NaN-boxing of singles in the 64-bit f registers (unpriv "NaN Boxing"): an improperly
 * boxed single reads as the canonical NaN */
static inline uint64_t rv_box32(uint32_t v) { return 0xffffffff00000000ULL | v; }
static inline uint32_t rv_unbox32(uint64_t v) {
    return (v >> 32) == 0xffffffffULL ? (uint32_t)v : 0x7fc00000U;
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
    uint64_t *const f = c->f;
    const uint32_t frm = c->frm, fp_ok = c->fp_ok;
    uint32_t fl = 0;
    int rm;
    /* pc is not kept per instruction: it is base_pc plus 2 bytes per slot from base_d (a
     * slot of the same page, or the entry slot; local jumps may go below it) */
    uint64_t base_pc = c->pc;
    const Insn *base_d = d;
    uint64_t a, v;

    /* handler[d->handler]: two per op, for 2- and 4-byte instructions; 0 leads out */
#define SLOT(op, label) [RV_FAST_INDEX(RV_FK_##op, 0)] = &&label##_2, \
                        [RV_FAST_INDEX(RV_FK_##op, 1)] = &&label##_4,
    static const void *const handler[256] = {
        [0 ... 255] = &&out, RV_FAST_OPS(SLOT) RV_FAST_VARIANTS(SLOT)
    };
#undef SLOT

#define DISPATCH() goto *handler[d->handler]
#define PC (base_pc + (uint64_t)((d - base_d) * 2))
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
            base_d = d;                                           \
            base_pc = a;                                          \
            DISPATCH();                                           \
        }                                                         \
        goto refetch;                                             \
    } while (0)
    /* a taken branch or jal to its own page: the target slot is imm / 2 slots away; the
     * pc <-> slot map (base_pc, base_d) holds across it */
#define LOCAL_JUMP()                                              \
    do {                                                          \
        icount++;                                                 \
        if (icount < limit) {                                     \
            d += d->imm >> 1;                                     \
            DISPATCH();                                           \
        }                                                         \
        a = PC + IMM;                                             \
        goto refetch;                                             \
    } while (0)
#define BRANCH_L(cond)                                            \
    do {                                                          \
        if (cond) LOCAL_JUMP();                                   \
        NEXT();                                                   \
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
    /* a TLB-hit load of T whose value t_ `set` puts in place, or back to run_loop for the
     * slow path; a TLB-hit store of `val` as a T */
#define LOAD_INTO(T, set)                                                 \
    do {                                                                  \
        T t_;                                                             \
        a = x[d->rs1] + (int64_t)d->imm;                                  \
        v = (a >> 12) & (TLB_SIZE - 1);                                   \
        if (rtlb->tag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out; \
        memcpy(&t_, (const void *)(uintptr_t)(a + (uint64_t)rtlb->add[v]), sizeof(T)); \
        set;                                                              \
        NEXT();                                                           \
    } while (0)
#define STORE_FROM(T, val)                                                \
    do {                                                                  \
        T t_ = (T)(val);                                                  \
        a = x[d->rs1] + (int64_t)d->imm;                                  \
        v = (a >> 12) & (TLB_SIZE - 1);                                   \
        if (wtlb->tag[v] != (a & (~0xfffULL | (sizeof(T) - 1)))) goto out; \
        memcpy((void *)(uintptr_t)(a + (uint64_t)wtlb->add[v]), &t_, sizeof(T)); \
        NEXT();                                                           \
    } while (0)
#define LOAD(T) LOAD_INTO(T, x[d->rd] = (uint64_t)t_)   /* sign- or zero-extends by T */
#define STORE(T) STORE_FROM(T, x[d->rs2])
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
HANDLER(op_jal_l, RD = PC + N; LOCAL_JUMP())
HANDLER(op_beq_l, BRANCH_L(RS1 == RS2))
HANDLER(op_bne_l, BRANCH_L(RS1 != RS2))
HANDLER(op_blt_l, BRANCH_L((int64_t)RS1 < (int64_t)RS2))
HANDLER(op_bge_l, BRANCH_L((int64_t)RS1 >= (int64_t)RS2))
HANDLER(op_bltu_l, BRANCH_L(RS1 < RS2))
HANDLER(op_bgeu_l, BRANCH_L(RS1 >= RS2))
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

    /* ---- F and D. Only with FS Dirty (fp_ok), so no status bit changes here ---- */
#define F1 f[d->rs1]
#define F2 f[d->rs2]
#define F3 f[d->rs3]
#define FD f[d->rd]
    /* the rounding mode: the instruction's funct3, from its raw bits */
#define FRM()                                                             \
    do {                                                                  \
        if (!fp_ok) goto out;                                             \
        rm = (d->raw >> 12) & 7;                                          \
        if (rm == 7) rm = (int)frm;                                       \
        if (rm > 4) goto out; /* reserved: run_loop raises the trap */    \
    } while (0)
#define FP_NEXT()                                                         \
    do {                                                                  \
        if (fl) { *c->fflags |= fl; fl = 0; }                             \
        NEXT();                                                           \
    } while (0)
#define FP_ON() do { if (!fp_ok) goto out; } while (0)
#define S1 rv_unbox32(F1)
#define S2 rv_unbox32(F2)
#define S3 rv_unbox32(F3)
#define SIGN32 0x80000000U
#define SIGN64 0x8000000000000000ULL

HANDLER(op_flw, FP_ON(); LOAD_INTO(uint32_t, FD = rv_box32(t_)))
HANDLER(op_fld, FP_ON(); LOAD_INTO(uint64_t, FD = t_))
HANDLER(op_fsw, FP_ON(); STORE_FROM(uint32_t, F2))
HANDLER(op_fsd, FP_ON(); STORE_FROM(uint64_t, F2))
HANDLER(op_fadd_s, FRM(); FD = rv_box32(f32_add_fast(S1, S2, rm, &fl)); FP_NEXT())
HANDLER(op_fsub_s, FRM(); FD = rv_box32(f32_sub_fast(S1, S2, rm, &fl)); FP_NEXT())
HANDLER(op_fmul_s, FRM(); FD = rv_box32(f32_mul_fast(S1, S2, rm, &fl)); FP_NEXT())
HANDLER(op_fdiv_s, FRM(); FD = rv_box32(f32_div_fast(S1, S2, rm, &fl)); FP_NEXT())
HANDLER(op_fadd_d, FRM(); FD = f64_add_fast(F1, F2, rm, &fl); FP_NEXT())
HANDLER(op_fsub_d, FRM(); FD = f64_sub_fast(F1, F2, rm, &fl); FP_NEXT())
HANDLER(op_fmul_d, FRM(); FD = f64_mul_fast(F1, F2, rm, &fl); FP_NEXT())
HANDLER(op_fdiv_d, FRM(); FD = f64_div_fast(F1, F2, rm, &fl); FP_NEXT())
HANDLER(op_fmadd_s, FRM(); FD = rv_box32(f32_madd(S1, S2, S3, rm, &fl)); FP_NEXT())
HANDLER(op_fmsub_s, FRM(); FD = rv_box32(f32_msub(S1, S2, S3, rm, &fl)); FP_NEXT())
HANDLER(op_fnmsub_s, FRM(); FD = rv_box32(f32_nmsub(S1, S2, S3, rm, &fl)); FP_NEXT())
HANDLER(op_fnmadd_s, FRM(); FD = rv_box32(f32_nmadd(S1, S2, S3, rm, &fl)); FP_NEXT())
HANDLER(op_fmadd_d, FRM(); FD = f64_madd(F1, F2, F3, rm, &fl); FP_NEXT())
HANDLER(op_fmsub_d, FRM(); FD = f64_msub(F1, F2, F3, rm, &fl); FP_NEXT())
HANDLER(op_fnmsub_d, FRM(); FD = f64_nmsub(F1, F2, F3, rm, &fl); FP_NEXT())
HANDLER(op_fnmadd_d, FRM(); FD = f64_nmadd(F1, F2, F3, rm, &fl); FP_NEXT())
HANDLER(op_fsgnj_s, FP_ON(); FD = rv_box32((S1 & ~SIGN32) | (S2 & SIGN32)); NEXT())
HANDLER(op_fsgnjn_s, FP_ON(); FD = rv_box32((S1 & ~SIGN32) | (~S2 & SIGN32)); NEXT())
HANDLER(op_fsgnjx_s, FP_ON(); FD = rv_box32(S1 ^ (S2 & SIGN32)); NEXT())
HANDLER(op_fsgnj_d, FP_ON(); FD = (F1 & ~SIGN64) | (F2 & SIGN64); NEXT())
HANDLER(op_fsgnjn_d, FP_ON(); FD = (F1 & ~SIGN64) | (~F2 & SIGN64); NEXT())
HANDLER(op_fsgnjx_d, FP_ON(); FD = F1 ^ (F2 & SIGN64); NEXT())
HANDLER(op_feq_s, FP_ON(); RD = (uint64_t)f32_eq(S1, S2, &fl); FP_NEXT())
HANDLER(op_flt_s, FP_ON(); RD = (uint64_t)f32_lt(S1, S2, &fl); FP_NEXT())
HANDLER(op_fle_s, FP_ON(); RD = (uint64_t)f32_le(S1, S2, &fl); FP_NEXT())
HANDLER(op_feq_d, FP_ON(); RD = (uint64_t)f64_eq(F1, F2, &fl); FP_NEXT())
HANDLER(op_flt_d, FP_ON(); RD = (uint64_t)f64_lt(F1, F2, &fl); FP_NEXT())
HANDLER(op_fle_d, FP_ON(); RD = (uint64_t)f64_le(F1, F2, &fl); FP_NEXT())
HANDLER(op_fmv_x_w, FP_ON(); RD = (uint64_t)(int64_t)(int32_t)F1; NEXT())  /* raw bits */
HANDLER(op_fmv_w_x, FP_ON(); FD = rv_box32((uint32_t)RS1); NEXT())
HANDLER(op_fmv_x_d, FP_ON(); RD = F1; NEXT())
HANDLER(op_fmv_d_x, FP_ON(); FD = RS1; NEXT())
HANDLER(op_fcvt_w_s, FRM(); RD = rv_sext32(f32_to_i32(S1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_wu_s, FRM(); RD = rv_sext32(f32_to_u32(S1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_l_s, FRM(); RD = f32_to_i64(S1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_lu_s, FRM(); RD = f32_to_u64(S1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_s_w, FRM(); FD = rv_box32(i32_to_f32((int32_t)RS1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_s_wu, FRM(); FD = rv_box32(u32_to_f32((uint32_t)RS1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_s_l, FRM(); FD = rv_box32(i64_to_f32((int64_t)RS1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_s_lu, FRM(); FD = rv_box32(u64_to_f32(RS1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_w_d, FRM(); RD = rv_sext32(f64_to_i32(F1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_wu_d, FRM(); RD = rv_sext32(f64_to_u32(F1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_l_d, FRM(); RD = f64_to_i64(F1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_lu_d, FRM(); RD = f64_to_u64(F1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_d_w, FRM(); FD = i32_to_f64((int32_t)RS1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_d_wu, FRM(); FD = u32_to_f64((uint32_t)RS1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_d_l, FRM(); FD = i64_to_f64((int64_t)RS1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_d_lu, FRM(); FD = u64_to_f64(RS1, rm, &fl); FP_NEXT())
HANDLER(op_fcvt_s_d, FRM(); FD = rv_box32(f64_to_f32(F1, rm, &fl)); FP_NEXT())
HANDLER(op_fcvt_d_s, FRM(); FD = f32_to_f64(S1, rm, &fl); FP_NEXT())

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
#undef LOAD_INTO
#undef STORE_FROM
#undef F1
#undef F2
#undef F3
#undef FD
#undef FRM
#undef FP_NEXT
#undef FP_ON
#undef S1
#undef S2
#undef S3
#undef SIGN32
#undef SIGN64
#undef PC
#undef NEXT
#undef JUMP
#undef BRANCH
#undef BRANCH_L
#undef LOCAL_JUMP
#undef LOAD
#undef STORE
#undef HANDLER
#undef RS1
#undef RS2
#undef IMM
#undef RD
}

#endif
