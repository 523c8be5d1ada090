/*
 * zvk_exec.h -- decode, legality checks and element(-group) loops of the ZV* instructions,
 * on top of the kernels of zvk.h, for the vector unit to call (docs/zvk-integration.md).
 *
 *     int zvk_opve(ZvkCtx *c, uint32_t insn);  OP-VE words (major opcode 0x77)
 *     int zvk_opv(ZvkCtx *c, uint32_t insn);   OP-V words: Zvbb/Zvkb/Zvbc, else ZVK_NOT_MINE
 *
 * Both return ZVK_OK (vd written, c->vstart = 0), ZVK_ILLEGAL (nothing written, vstart
 * unchanged: raise illegal-instruction) or, for zvk_opv only, ZVK_NOT_MINE (the word is not
 * a Zvbb/Zvkb/Zvbc instruction: let the base vector decoder have it).  mstatus.VS, the
 * scalar ISA and marking VS dirty are the caller's business.
 *
 * The rules, with their source (unpriv zvk.adoc "Instruction Constraints" and each
 * instruction's "Reserved Encodings"; zvbb.adoc; zvbc.adoc; v-st-ext.adoc for the general
 * vector ones).  The spec calls most violations reserved; like Spike (and the vector unit
 * for the base ones) we raise illegal-instruction for every one of them:
 *   - the sub-extension must be in the ISA (each instruction lists its extensions);
 *   - vtype.vill set: illegal (any vtype-dependent instruction);
 *   - element-group instructions: SEW = 32 (SHA-2: 32, or 64 with Zvknhb); EGW <= VLEN*LMUL
 *     even when vl = 0; vl and vstart multiples of EGS; vd, vs1, vs2 aligned to LMUL; the
 *     .vs scalar element group (EMUL = ceil(EGW/VLEN)) aligned to its EMUL and not
 *     overlapping vd's group; vsha2ms/ch/cl: vd overlaps neither vs1 nor vs2; vsm3me and
 *     vsm3c: vd does not overlap vs2;
 *   - Zvbc: SEW = 64 only;
 *   - vwsll (widening): 2*SEW <= ELEN and LMUL <= 4 (EMUL = 2*LMUL <= 8), vd aligned to 2*LMUL,
 *     overlap of vd with a source only in the highest-numbered half of vd (source EMUL >= 1);
 *   - masked forms (vm = 0): vd's group must not contain v0.
 * Element-group instructions are unmasked; their tail (elements vl.. of vd) and the
 * masked-off elements of Zvbb/Zvbc follow vta/vma: kept, or all ones when the unit's
 * "ones" policy is on and the bit is agnostic (the same policy as rvv.h).
 */
#ifndef RVEMU_ZVK_EXEC_H
#define RVEMU_ZVK_EXEC_H

#include <stdint.h>
#include <string.h>
#include "zvk.h"

/* Sub-extension bits of ZvkCtx.ext (the caller maps the hart's extension mask to them). */
enum {
    ZVK_EXT_ZVBB = 1 << 0, ZVK_EXT_ZVKB = 1 << 1, ZVK_EXT_ZVBC = 1 << 2, ZVK_EXT_ZVKG = 1 << 3,
    ZVK_EXT_ZVKNED = 1 << 4, ZVK_EXT_ZVKNHA = 1 << 5, ZVK_EXT_ZVKNHB = 1 << 6,
    ZVK_EXT_ZVKSED = 1 << 7, ZVK_EXT_ZVKSH = 1 << 8,
};
enum { ZVK_OK = 0, ZVK_ILLEGAL = 1, ZVK_NOT_MINE = 2 };

typedef struct {
    uint8_t *reg;          /* v0..v31: 32 x vlenb bytes, groups contiguous, little-endian */
    const uint64_t *x;     /* x0..x31 (the .vx forms read x[rs1]) */
    uint32_t vlenb;        /* VLEN / 8 */
    uint64_t vl;           /* vl CSR */
    uint64_t vstart;       /* vstart CSR (in: where to start; out: 0 after ZVK_OK) */
    uint8_t vill;          /* vtype.vill */
    uint8_t sl;            /* log2(SEW / 8): 0..3 */
    int8_t ll;             /* log2(LMUL): -3..3 */
    uint8_t vta, vma;      /* vtype.vta, vtype.vma */
    uint8_t ones;          /* agnostic elements are written with all ones (else kept) */
    uint32_t ext;          /* ZVK_EXT_* present in the hart's ISA */
    uint8_t elen_l;        /* log2(ELEN / 8): 2 (Zve32*) or 3 (Zve64*, V) */
} ZvkCtx;

#define ZVK_REQ(cond) do { if (!(cond)) return ZVK_ILLEGAL; } while (0)

static inline int zvk_nregs(int l) { return l > 0 ? 1 << l : 1; }
static inline int zvk_aligned(int r, int l) { return l <= 0 || (r & ((1 << l) - 1)) == 0; }
static inline int zvk_overlap(int a, int na, int b, int nb) { return a < b + nb && b < a + na; }
/* VLEN * LMUL in bits */
static inline uint64_t zvk_vlen_lmul(const ZvkCtx *c) {
    uint64_t bits = (uint64_t)c->vlenb * 8;
    return c->ll >= 0 ? bits << c->ll : bits >> -c->ll;
}
static inline void zvk_fill_ones(uint8_t *base, uint64_t from_byte, uint64_t to_byte) {
    if (to_byte > from_byte)
        memset(base + from_byte, 0xFF, (size_t)(to_byte - from_byte));
}
/* elements [vl, max(VLMAX, VLEN/EEW)) of a destination with EEW = 8 << dsl get ones when
 * the ones policy is on and vta = 1 (VLMAX counts elements of SEW, as many as of EEW) */
static inline void zvk_tail(const ZvkCtx *c, uint8_t *vd, int dsl) {
    if (!(c->ones && c->vta))
        return;
    uint64_t vlmax = c->ll >= 0 ? ((uint64_t)c->vlenb << c->ll) >> c->sl
                                : ((uint64_t)c->vlenb >> c->sl) >> -c->ll;
    uint64_t one = (uint64_t)c->vlenb >> dsl;
    uint64_t end = vlmax > one ? vlmax : one;
    zvk_fill_ones(vd, c->vl << dsl, end << dsl);
}

/* ---------------------------------------------------------------------------------------
 * OP-VE: the element-group instructions
 * ------------------------------------------------------------------------------------- */
enum {
    ZVK_VAESDM, ZVK_VAESDF, ZVK_VAESEM, ZVK_VAESEF, ZVK_VAESZ, ZVK_VAESKF1, ZVK_VAESKF2,
    ZVK_VGHSH, ZVK_VGMUL, ZVK_VSHA2MS, ZVK_VSHA2CH, ZVK_VSHA2CL, ZVK_VSM4K, ZVK_VSM4R,
    ZVK_VSM3ME, ZVK_VSM3C,
};

static int zvk_opve(ZvkCtx *c, uint32_t w) {
    int f6 = (int)(w >> 26), vm = (w >> 25) & 1, rs2 = (w >> 20) & 31, rs1 = (w >> 15) & 31;
    int f3 = (w >> 12) & 7, rd = (w >> 7) & 31;
    int op, vs_form = 0, egs = 4, uses_vs1 = 0;
    uint32_t need;
    ZVK_REQ((w & 0x7F) == 0x77 && f3 == 2 && vm == 1);
    switch (f6) {
    case 0x20: op = ZVK_VSM3ME; need = ZVK_EXT_ZVKSH; egs = 8; uses_vs1 = 1; break;
    case 0x21: op = ZVK_VSM4K; need = ZVK_EXT_ZVKSED; break;
    case 0x22: op = ZVK_VAESKF1; need = ZVK_EXT_ZVKNED; break;
    case 0x28: case 0x29:
        vs_form = f6 == 0x29;
        switch (rs1) {
        case 0x00: op = ZVK_VAESDM; need = ZVK_EXT_ZVKNED; break;
        case 0x01: op = ZVK_VAESDF; need = ZVK_EXT_ZVKNED; break;
        case 0x02: op = ZVK_VAESEM; need = ZVK_EXT_ZVKNED; break;
        case 0x03: op = ZVK_VAESEF; need = ZVK_EXT_ZVKNED; break;
        case 0x07: ZVK_REQ(vs_form); op = ZVK_VAESZ; need = ZVK_EXT_ZVKNED; break;
        case 0x10: op = ZVK_VSM4R; need = ZVK_EXT_ZVKSED; break;
        case 0x11: ZVK_REQ(!vs_form); op = ZVK_VGMUL; need = ZVK_EXT_ZVKG; break;
        default: return ZVK_ILLEGAL;
        }
        break;
    case 0x2A: op = ZVK_VAESKF2; need = ZVK_EXT_ZVKNED; break;
    case 0x2B: op = ZVK_VSM3C; need = ZVK_EXT_ZVKSH; egs = 8; break;
    case 0x2C: op = ZVK_VGHSH; need = ZVK_EXT_ZVKG; uses_vs1 = 1; break;
    case 0x2D: op = ZVK_VSHA2MS; need = ZVK_EXT_ZVKNHA | ZVK_EXT_ZVKNHB; uses_vs1 = 1; break;
    case 0x2E: op = ZVK_VSHA2CH; need = ZVK_EXT_ZVKNHA | ZVK_EXT_ZVKNHB; uses_vs1 = 1; break;
    case 0x2F: op = ZVK_VSHA2CL; need = ZVK_EXT_ZVKNHA | ZVK_EXT_ZVKNHB; uses_vs1 = 1; break;
    default: return ZVK_ILLEGAL;
    }
    ZVK_REQ(c->ext & need);                                  /* sub-extension present */
    ZVK_REQ(!c->vill);
    int sha = op == ZVK_VSHA2MS || op == ZVK_VSHA2CH || op == ZVK_VSHA2CL;
    if (sha && c->sl == 3)
        ZVK_REQ(c->ext & ZVK_EXT_ZVKNHB);                    /* SHA-512 needs Zvknhb */
    else
        ZVK_REQ(c->sl == 2);                                 /* otherwise SEW = 32 */
    uint64_t egw = (uint64_t)egs << (c->sl + 3);             /* bits */
    uint64_t egb = egw / 8;                                  /* bytes per element group */
    ZVK_REQ(egw <= zvk_vlen_lmul(c));                        /* even when vl = 0 */
    ZVK_REQ(c->vl % egs == 0 && c->vstart % egs == 0);
    int l = c->ll, nl = zvk_nregs(l);
    ZVK_REQ(zvk_aligned(rd, l));
    int vs2_regs;
    if (vs_form) {                                           /* scalar element group */
        uint64_t vlen = (uint64_t)c->vlenb * 8;
        vs2_regs = egw > vlen ? (int)(egw / vlen) : 1;
        ZVK_REQ((rs2 & (vs2_regs - 1)) == 0);
        ZVK_REQ(!zvk_overlap(rd, nl, rs2, vs2_regs));
    } else {
        vs2_regs = nl;
        ZVK_REQ(zvk_aligned(rs2, l));
    }
    if (uses_vs1)
        ZVK_REQ(zvk_aligned(rs1, l));
    if (sha)
        ZVK_REQ(!zvk_overlap(rd, nl, rs1, nl) && !zvk_overlap(rd, nl, rs2, nl));
    if (op == ZVK_VSM3ME || op == ZVK_VSM3C)
        ZVK_REQ(!zvk_overlap(rd, nl, rs2, nl));

    uint8_t *vd = c->reg + (size_t)rd * c->vlenb;
    const uint8_t *vs2 = c->reg + (size_t)rs2 * c->vlenb;
    const uint8_t *vs1 = c->reg + (size_t)rs1 * c->vlenb;
    unsigned uimm = (unsigned)rs1;
    for (uint64_t g = c->vstart / egs; g < c->vl / egs; g++) {
        uint32_t d[8], a[8], b[8];                           /* one group: <= 256 bits */
        uint64_t D[4], A[4], B[4];
        size_t off = (size_t)(g * egb);
        const uint8_t *key = vs2 + (vs_form ? 0 : off);
        if (c->sl == 3) {                                    /* SHA-512 */
            memcpy(D, vd + off, 32);
            memcpy(A, vs2 + off, 32);
            memcpy(B, vs1 + off, 32);
            if (op == ZVK_VSHA2MS) zvk_vsha2ms64(D, A, B);
            else zvk_vsha2c64(D, A, B, op == ZVK_VSHA2CH);
            memcpy(vd + off, D, 32);
            continue;
        }
        memcpy(d, vd + off, egb);
        memcpy(a, key, egb);
        if (uses_vs1)
            memcpy(b, vs1 + off, egb);
        switch (op) {
        case ZVK_VAESDM: zvk_vaesdm(d, a); break;
        case ZVK_VAESDF: zvk_vaesdf(d, a); break;
        case ZVK_VAESEM: zvk_vaesem(d, a); break;
        case ZVK_VAESEF: zvk_vaesef(d, a); break;
        case ZVK_VAESZ: zvk_vaesz(d, a); break;
        case ZVK_VAESKF1: zvk_vaeskf1(d, a, uimm); break;
        case ZVK_VAESKF2: zvk_vaeskf2(d, a, uimm); break;
        case ZVK_VGHSH: zvk_vghsh(d, a, b); break;
        case ZVK_VGMUL: zvk_vgmul(d, a); break;
        case ZVK_VSHA2MS: zvk_vsha2ms32(d, a, b); break;
        case ZVK_VSHA2CH: zvk_vsha2c32(d, a, b, 1); break;
        case ZVK_VSHA2CL: zvk_vsha2c32(d, a, b, 0); break;
        case ZVK_VSM4K: zvk_vsm4k(d, a, uimm); break;
        case ZVK_VSM4R: zvk_vsm4r(d, a); break;
        case ZVK_VSM3ME: zvk_vsm3me(d, a, b); break;
        case ZVK_VSM3C: zvk_vsm3c(d, a, uimm); break;
        }
        memcpy(vd + off, d, egb);
    }
    if (c->vstart < c->vl)                                   /* else nothing is written */
        zvk_tail(c, vd, c->sl);
    c->vstart = 0;
    return ZVK_OK;
}

/* ---------------------------------------------------------------------------------------
 * OP-V: Zvbb / Zvkb / Zvbc, element by element
 * ------------------------------------------------------------------------------------- */
enum {
    ZVK_VANDN, ZVK_VBREV, ZVK_VBREV8, ZVK_VREV8, ZVK_VCLZ, ZVK_VCTZ, ZVK_VCPOP, ZVK_VROL,
    ZVK_VROR, ZVK_VWSLL, ZVK_VCLMUL, ZVK_VCLMULH,
};

static inline uint64_t zvk_elem_get(const uint8_t *base, uint64_t i, int sl) {
    uint64_t v = 0;
    memcpy(&v, base + (i << sl), (size_t)1 << sl);           /* little-endian host */
    return v;
}
static inline void zvk_elem_put(uint8_t *base, uint64_t i, int sl, uint64_t v) {
    memcpy(base + (i << sl), &v, (size_t)1 << sl);
}

static int zvk_opv(ZvkCtx *c, uint32_t w) {
    int f6 = (int)(w >> 26), vm = (w >> 25) & 1, rs2 = (w >> 20) & 31, rs1 = (w >> 15) & 31;
    int f3 = (w >> 12) & 7, rd = (w >> 7) & 31;
    int op, src = 0;                  /* src: 0 vs1, 1 x[rs1], 2 immediate, 3 unary */
    uint32_t need;
    uint64_t imm = 0;
    if ((w & 0x7F) != 0x57)
        return ZVK_NOT_MINE;
    switch (f3) {
    case 0: case 4:                   /* OPIVV, OPIVX */
        src = f3 == 4;
        switch (f6) {
        case 0x01: op = ZVK_VANDN; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB; break;
        case 0x14: op = ZVK_VROR; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB; break;
        case 0x15: op = ZVK_VROL; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB; break;
        case 0x35: op = ZVK_VWSLL; need = ZVK_EXT_ZVBB; break;
        default: return ZVK_NOT_MINE;
        }
        break;
    case 3:                           /* OPIVI */
        src = 2;
        if (f6 == 0x14 || f6 == 0x15) {                      /* vror.vi: bit 26 = imm[5] */
            op = ZVK_VROR; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB;
            imm = (uint64_t)rs1 | (uint64_t)(f6 & 1) << 5;
        } else if (f6 == 0x35) {
            op = ZVK_VWSLL; need = ZVK_EXT_ZVBB; imm = (uint64_t)rs1;
        } else {
            return ZVK_NOT_MINE;
        }
        break;
    case 2:                           /* OPMVV */
        if (f6 == 0x12) {
            src = 3;
            switch (rs1) {
            case 8: op = ZVK_VBREV8; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB; break;
            case 9: op = ZVK_VREV8; need = ZVK_EXT_ZVBB | ZVK_EXT_ZVKB; break;
            case 10: op = ZVK_VBREV; need = ZVK_EXT_ZVBB; break;
            case 12: op = ZVK_VCLZ; need = ZVK_EXT_ZVBB; break;
            case 13: op = ZVK_VCTZ; need = ZVK_EXT_ZVBB; break;
            case 14: op = ZVK_VCPOP; need = ZVK_EXT_ZVBB; break;
            default: return ZVK_NOT_MINE;                     /* vzext/vsext... */
            }
        } else if (f6 == 0x0C || f6 == 0x0D) {
            op = f6 == 0x0C ? ZVK_VCLMUL : ZVK_VCLMULH; need = ZVK_EXT_ZVBC;
        } else {
            return ZVK_NOT_MINE;
        }
        break;
    case 6:                           /* OPMVX */
        if (f6 != 0x0C && f6 != 0x0D)
            return ZVK_NOT_MINE;
        op = f6 == 0x0C ? ZVK_VCLMUL : ZVK_VCLMULH; need = ZVK_EXT_ZVBC; src = 1;
        break;
    default:
        return ZVK_NOT_MINE;
    }
    ZVK_REQ(c->ext & need);
    ZVK_REQ(!c->vill);
    int sl = c->sl, l = c->ll, sew = 8 << sl;
    if (op == ZVK_VCLMUL || op == ZVK_VCLMULH)
        ZVK_REQ(sew == 64);
    int widen = op == ZVK_VWSLL;
    int dsl = widen ? sl + 1 : sl, dl = widen ? l + 1 : l;
    if (widen)
        ZVK_REQ(sl + 1 <= c->elen_l && l <= 2);              /* 2*SEW <= ELEN, EMUL <= 8 */
    ZVK_REQ(zvk_aligned(rd, dl) && zvk_aligned(rs2, l));
    if (src == 0)
        ZVK_REQ(zvk_aligned(rs1, l));
    if (!vm)
        ZVK_REQ(rd != 0);                                    /* aligned, so: not v0 */
    if (widen) {                                             /* wider dest over a source */
        int nd = zvk_nregs(dl), ns = zvk_nregs(l);
        if (zvk_overlap(rd, nd, rs2, ns))
            ZVK_REQ(l >= 0 && rs2 + ns == rd + nd);
        if (src == 0 && zvk_overlap(rd, nd, rs1, ns))
            ZVK_REQ(l >= 0 && rs1 + ns == rd + nd);
    }
    uint8_t *vd = c->reg + (size_t)rd * c->vlenb;
    const uint8_t *vs2 = c->reg + (size_t)rs2 * c->vlenb;
    const uint8_t *vs1 = c->reg + (size_t)rs1 * c->vlenb;
    const uint8_t *mask = c->reg;
    uint64_t scalar = src == 1 ? c->x[rs1] : imm;
    uint64_t emask = zvk_sew_mask((unsigned)sew);
    for (uint64_t i = c->vstart; i < c->vl; i++) {
        if (!vm && !((mask[i >> 3] >> (i & 7)) & 1)) {
            if (c->ones && c->vma)
                zvk_elem_put(vd, i, dsl, ~0ULL);
            continue;
        }
        uint64_t x = zvk_elem_get(vs2, i, sl);
        uint64_t y = src == 0 ? zvk_elem_get(vs1, i, sl) : scalar;
        uint64_t r;
        switch (op) {
        case ZVK_VANDN: r = zvk_andn(x, y & emask, (unsigned)sew); break;
        case ZVK_VBREV: r = zvk_brev(x, (unsigned)sew); break;
        case ZVK_VBREV8: r = zvk_brev8(x, (unsigned)sew); break;
        case ZVK_VREV8: r = zvk_rev8(x, (unsigned)sew); break;
        case ZVK_VCLZ: r = zvk_clz(x, (unsigned)sew); break;
        case ZVK_VCTZ: r = zvk_ctz(x, (unsigned)sew); break;
        case ZVK_VCPOP: r = zvk_cpop(x, (unsigned)sew); break;
        case ZVK_VROL: r = zvk_rol(x, y, (unsigned)sew); break;
        case ZVK_VROR: r = zvk_ror(x, y, (unsigned)sew); break;
        case ZVK_VWSLL: r = zvk_wsll(x, y, (unsigned)sew); break;
        case ZVK_VCLMUL: r = zvk_clmul(x, y); break;
        default: r = zvk_clmulh(x, y); break;
        }
        zvk_elem_put(vd, i, dsl, r);
    }
    if (c->vstart < c->vl)
        zvk_tail(c, vd, dsl);
    c->vstart = 0;
    return ZVK_OK;
}

#undef ZVK_REQ
#endif /* RVEMU_ZVK_EXEC_H */
