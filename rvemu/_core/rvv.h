/* The RVV 1.0 vector unit (unpriv "V" chapter), Zvfh/Zvfhmin, Zvfbfmin, Zvfbfwma.
 *
 * State (RvvState) lives inside the hart's HartState; the register file is one buffer of
 * 32 x vlenb bytes, register groups are contiguous, elements little-endian (the host is).
 * The scalar decoder hands every OP-V word to rvv_opv(), which decodes it here (funct3,
 * then funct6) and runs one element loop per op; loops are instantiated per SEW with the
 * TLOOP/CLOOP macros (no per-element dispatch on the op). Loads and stores are in
 * rv_v_mem.pxi (they need the hart's TLB and translation); this file offers them the
 * checks. Every "reserved" encoding or register-group violation returns RVV_ILLEGAL,
 * following Spike.
 */
#ifndef RVEMU_RVV_H
#define RVEMU_RVV_H

#include <stdint.h>
#include <string.h>
#include "softfp.h"
#include "zvk_exec.h"
#include "fpfast.h"
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

typedef struct {
    uint8_t *reg;          /* v0..v31: 32 x vlenb bytes; NULL without a vector extension */
    uint64_t vl;           /* vl CSR */
    uint64_t vtype;        /* vtype CSR (vill in bit 63) */
    uint64_t vstart;       /* vstart CSR */
    uint64_t vlmax;        /* VLMAX of the current vtype (0 when vill) */
    uint32_t vlenb;        /* VLEN / 8 */
    uint8_t vxrm;          /* fixed-point rounding mode */
    uint8_t vxsat;         /* fixed-point saturation flag */
    uint8_t vill;          /* vtype.vill */
    uint8_t sl;            /* log2(SEW / 8) */
    int8_t ll;             /* log2(LMUL): -3..3 */
    uint8_t vta;           /* vtype.vta */
    uint8_t vma;           /* vtype.vma */
    uint8_t ones;          /* policy: agnostic elements are written with all ones (else kept) */
    uint8_t elen_l;        /* log2(ELEN / 8): 2 (Zve32*) or 3 */
    uint8_t fp_sl;         /* bit s set: FP arithmetic at SEW 8<<s (1: Zvfh, 2: Zve32f, 3: Zve64d) */
    uint8_t zvfhmin;       /* FP16 <-> FP32 conversions */
    uint8_t zvfbfmin;      /* BF16 conversions */
    uint8_t zvfbfwma;      /* BF16 widening multiply-add */
    uint8_t full_v;        /* V itself: vmulh, vmulhu, vmulhsu, vsmul at SEW 64 need it */
    uint32_t zvk_ext;      /* ZVK_EXT_* bits of the ISA (zvk_exec.h) */
    uint64_t *tlog;        /* trace mode: element accesses of the last load/store (addr, data, size | store << 8) */
    uint32_t tlog_n;       /* entries in tlog */
    uint32_t tlog_cap;     /* capacity of tlog (entries) */
} RvvState;

typedef struct {
    RvvState *v;
    uint64_t *x;           /* x0..x31 */
    uint64_t *f;           /* f0..f31 */
    uint32_t insn;
    uint32_t frm;          /* dynamic rounding mode */
    uint32_t fflags;       /* out: flags raised */
    uint8_t fs_on;         /* mstatus.FS != Off */
    uint8_t fwrote;        /* out: an f register was written */
} RvvCtx;

enum { RVV_OK = 0, RVV_ILLEGAL = 1 };

#define RVV_VREG(v, r) ((v)->reg + (size_t)(r) * (v)->vlenb)
#define RVV_MBIT(m, i) (((m)[(i) >> 3] >> ((i) & 7)) & 1)

static inline void rvv_setbit(uint8_t *m, uint64_t i, int b)
{
    m[i >> 3] = (uint8_t)((m[i >> 3] & ~(1u << (i & 7))) | ((unsigned)(b & 1) << (i & 7)));
}

/* ---- vtype ------------------------------------------------------------------------- */

static inline void rvv_set_vtype(RvvState *v, uint64_t t)
{
    int lmul = (int)(t & 7), sl = (int)((t >> 3) & 7);
    int ll = lmul >= 4 ? lmul - 8 : lmul;
    int bad = lmul == 4 || sl > 3 || (t >> 8) != 0 || sl > v->elen_l + (ll < 0 ? ll : 0);
    if (bad) {
        v->vill = 1;
        v->vtype = 1ULL << 63;
        v->vlmax = 0;
        v->sl = 0; v->ll = 0; v->vta = 0; v->vma = 0;
        return;
    }
    v->vill = 0;
    v->vtype = t;
    v->sl = (uint8_t)sl;
    v->ll = (int8_t)ll;
    v->vta = (t >> 6) & 1;
    v->vma = (t >> 7) & 1;
    /* VLMAX = LMUL * VLEN / SEW */
    if (ll >= 0)
        v->vlmax = ((uint64_t)v->vlenb << ll) >> sl;
    else
        v->vlmax = ((uint64_t)v->vlenb >> sl) >> (-ll);
}

static inline uint64_t rvv_vlmax_of(RvvState *v, uint64_t t)
{
    RvvState tmp = *v;
    rvv_set_vtype(&tmp, t);
    return tmp.vlmax;
}

/* vsetvl/vsetvli/vsetivli: rd_zero/rs1_zero name x0 operands (vsetivli passes rs1_zero=0). */
static inline uint64_t rvv_vsetvl(RvvState *v, int rd_zero, int rs1_zero, uint64_t avl, uint64_t t)
{
    uint64_t old_vlmax = v->vlmax;
    int old_vill = v->vill;
    if (v->vill || v->vtype != t) {
        rvv_set_vtype(v, t);
        /* keeping vl (rd = rs1 = x0) is reserved when VLMAX changes: Spike sets vill */
        if (!v->vill && rd_zero && rs1_zero && (old_vill || old_vlmax != v->vlmax))
            rvv_set_vtype(v, 1ULL << 63 | 0x100);
    }
    if (v->vlmax == 0)
        v->vl = 0;
    else if (rd_zero && rs1_zero)
        ; /* keep vl */
    else if (rs1_zero)
        v->vl = v->vlmax;
    else
        v->vl = avl < v->vlmax ? avl : v->vlmax;
    v->vstart = 0;
    return v->vl;
}

/* ---- register-group rules ---------------------------------------------------------- */

/* registers a group of EMUL = 2^l occupies (fractional groups take one) */
static inline int rvv_nregs(int l) { return l > 0 ? 1 << l : 1; }

static inline int rvv_aligned(int r, int l) { return l <= 0 || (r & ((1 << l) - 1)) == 0; }

static inline int rvv_overlap(int a, int na, int b, int nb) { return a < b + nb && b < a + na; }

/* dest (EMUL 2^dl, EEW de) and source (2^sl_, EEW se) may overlap only as the spec allows:
 * same EEW: anywhere; narrower dest: in the lowest-numbered register of the source;
 * wider dest: in the highest-numbered part of the dest, when the source EMUL >= 1. */
static inline int rvv_overlap_ok(int d, int dl, int de, int s, int sl_, int se)
{
    int nd = rvv_nregs(dl), ns = rvv_nregs(sl_);
    if (!rvv_overlap(d, nd, s, ns) || de == se)
        return 1;
    if (de < se)
        return d == s;
    return sl_ >= 0 && s + ns == d + nd;
}

/* ---- small helpers ----------------------------------------------------------------- */

static inline uint64_t rvv_get(const uint8_t *base, uint64_t i, int sl)
{
    switch (sl) {
    case 0: return base[i];
    case 1: return ((const uint16_t *)base)[i];
    case 2: return ((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

static inline void rvv_put(uint8_t *base, uint64_t i, int sl, uint64_t x)
{
    switch (sl) {
    case 0: base[i] = (uint8_t)x; break;
    case 1: ((uint16_t *)base)[i] = (uint16_t)x; break;
    case 2: ((uint32_t *)base)[i] = (uint32_t)x; break;
    default: ((uint64_t *)base)[i] = x; break;
    }
}

static inline int64_t rvv_sext(uint64_t x, int sl)
{
    int sh = 64 - (8 << sl);
    return (int64_t)(x << sh) >> sh;
}

static inline uint64_t rvv_umask(int sl) { return sl >= 3 ? ~0ULL : (1ULL << (8 << sl)) - 1; }

/* fill elements [from, to) of EEW 8<<sl with ones (agnostic policy "ones") */
static inline void rvv_fill_ones(uint8_t *base, uint64_t from, uint64_t to, int sl)
{
    if (to > from)
        memset(base + (from << sl), 0xff, (size_t)((to - from) << sl));
}

/* the tail of a destination with EEW 8<<sl: [vl, max(VLMAX, VLEN/EEW)) */
static inline uint64_t rvv_tail_end(RvvState *v, int sl)
{
    uint64_t one = (uint64_t)v->vlenb >> sl;
    return v->vlmax > one ? v->vlmax : one;
}

static inline void rvv_tail(RvvState *v, uint8_t *base, int sl)
{
    if (v->ones && v->vta)
        rvv_fill_ones(base, v->vl, rvv_tail_end(v, sl), sl);
}

/* mask destinations are always tail-agnostic: with the ones policy, bits vl..VLEN-1 */
static inline void rvv_mask_tail(RvvState *v, uint8_t *m)
{
    uint64_t i, n = (uint64_t)v->vlenb * 8;
    if (!v->ones)
        return;
    for (i = v->vl; i < n && (i & 7); i++)
        rvv_setbit(m, i, 1);
    if (i < n)
        memset(m + (i >> 3), 0xff, (size_t)((n - i) >> 3));
}

/* fixed-point rounding increment for v >> d (unpriv "Vector Fixed-Point Rounding Mode") */
static inline uint64_t rvv_round_inc(uint64_t v, unsigned d, int vxrm)
{
    if (d == 0)
        return 0;
    uint64_t half = (v >> (d - 1)) & 1;
    uint64_t below = d >= 2 ? (v & ((1ULL << (d - 1)) - 1)) != 0 : 0;
    uint64_t lsb = d < 64 ? (v >> d) & 1 : 0;
    switch (vxrm) {
    case 0: return half;                                    /* rnu */
    case 1: return half & (below | lsb);                    /* rne */
    case 2: return 0;                                       /* rdn */
    default: return (!lsb) & ((v & ((d < 64 ? 1ULL << d : 0) - 1)) != 0);   /* rod */
    }
}

static inline uint64_t rvv_srl_round(uint64_t v, unsigned d, int vxrm)
{
    return (d < 64 ? v >> d : 0) + rvv_round_inc(v, d, vxrm);
}

static inline int64_t rvv_sra_round(int64_t v, unsigned d, int vxrm)
{
    return (d < 64 ? v >> d : (v < 0 ? -1 : 0)) + (int64_t)rvv_round_inc((uint64_t)v, d, vxrm);
}

/* saturating and averaging arithmetic on SEW-bit values held in 64 bits */
static inline uint64_t rvv_saddu(uint64_t a, uint64_t b, int sl, uint8_t *sat)
{
    uint64_t m = rvv_umask(sl), r = (a + b) & m;
    if (r < a) { *sat = 1; return m; }
    return r;
}

static inline uint64_t rvv_ssubu(uint64_t a, uint64_t b, int sl, uint8_t *sat)
{
    (void)sl;
    if (b > a) { *sat = 1; return 0; }
    return a - b;
}

static inline int64_t rvv_smax(int sl) { return (int64_t)(rvv_umask(sl) >> 1); }

static inline uint64_t rvv_sadd(int64_t a, int64_t b, int sl, uint8_t *sat)
{
    __int128 r = (__int128)a + b;
    int64_t mx = rvv_smax(sl), mn = -mx - 1;
    if (r > mx) { *sat = 1; r = mx; }
    if (r < mn) { *sat = 1; r = mn; }
    return (uint64_t)(int64_t)r;
}

static inline uint64_t rvv_ssub(int64_t a, int64_t b, int sl, uint8_t *sat)
{
    __int128 r = (__int128)a - b;
    int64_t mx = rvv_smax(sl), mn = -mx - 1;
    if (r > mx) { *sat = 1; r = mx; }
    if (r < mn) { *sat = 1; r = mn; }
    return (uint64_t)(int64_t)r;
}

static inline uint64_t rvv_avg_u(uint64_t a, uint64_t b, int sub, int vxrm)
{
    /* (a +/- b) >> 1 with rounding, computed in 65 bits */
    unsigned __int128 s = sub ? (unsigned __int128)a - b : (unsigned __int128)a + b;
    uint64_t inc = rvv_round_inc((uint64_t)s, 1, vxrm);
    return (uint64_t)(s >> 1) + inc;
}

static inline uint64_t rvv_avg_s(int64_t a, int64_t b, int sub, int vxrm)
{
    __int128 s = sub ? (__int128)a - b : (__int128)a + b;
    uint64_t inc = rvv_round_inc((uint64_t)s, 1, vxrm);
    return (uint64_t)(int64_t)((s >> 1) + inc);
}

static inline uint64_t rvv_smul(int64_t a, int64_t b, int sl, int vxrm, uint8_t *sat)
{
    int w = 8 << sl;
    int64_t mx = rvv_smax(sl), mn = -mx - 1;
    if (a == mn && b == mn) { *sat = 1; return (uint64_t)mx; }
    __int128 p = (__int128)a * b;
    /* round (p >> (w - 1)) */
    unsigned d = (unsigned)(w - 1);
    unsigned __int128 up = (unsigned __int128)p;
    uint64_t half = (uint64_t)(up >> (d - 1)) & 1;
    uint64_t below = (up & (((unsigned __int128)1 << (d - 1)) - 1)) != 0;
    uint64_t lsb = (uint64_t)(up >> d) & 1;
    uint64_t inc;
    switch (vxrm) {
    case 0: inc = half; break;
    case 1: inc = half & (below | lsb); break;
    case 2: inc = 0; break;
    default: inc = (!lsb) & (half | below); break;
    }
    __int128 r = (p >> d) + inc;
    if (r > mx) { *sat = 1; r = mx; }
    if (r < mn) { *sat = 1; r = mn; }
    return (uint64_t)(int64_t)r;
}

static inline uint64_t rvv_mulh(uint64_t a, uint64_t b, int sl, int kind)
{
    /* kind 0: signed x signed, 1: unsigned x unsigned, 2: signed x unsigned */
    int w = 8 << sl;
    __int128 p;
    if (kind == 0) p = (__int128)rvv_sext(a, sl) * rvv_sext(b, sl);
    else if (kind == 1) p = (__int128)((unsigned __int128)a * b);
    else p = (__int128)rvv_sext(a, sl) * (__int128)(unsigned __int128)b;
    return (uint64_t)(p >> w);
}

static inline uint64_t rvv_divu(uint64_t a, uint64_t b, int sl, int rem)
{
    if (b == 0) return rem ? a : rvv_umask(sl);
    return rem ? a % b : a / b;
}

static inline uint64_t rvv_divs(int64_t a, int64_t b, int sl, int rem)
{
    int64_t mn = -rvv_smax(sl) - 1;
    if (b == 0) return rem ? (uint64_t)a : ~0ULL;
    if (a == mn && b == -1) return rem ? 0 : (uint64_t)a;
    return (uint64_t)(rem ? a % b : a / b);
}

/* ---- the typed element loops --------------------------------------------------------
 * In EXPR: a = vs2[i], b = vs1[i] or the scalar, d = vd[i] (old), sa/sb signed, W = SEW. */
#define RVV_TLOOP(T, S, EXPR) do {                                                        \
    T *D = (T *)vd; const T *A = (const T *)vs2; const T *B = (const T *)vs1;              \
    const T sc = (T)scalar; const int W = 8 * (int)sizeof(T); (void)W; (void)sc;          \
    if (vm && isvv) {               /* unmasked vector-vector: a loop the compiler vectorises */ \
        for (uint64_t i = v->vstart, vl_ = v->vl; i < vl_; i++) {                                     \
            T a = A[i]; T b = B[i]; T d = D[i]; S sa = (S)a; S sb = (S)b;                 \
            (void)a; (void)b; (void)d; (void)sa; (void)sb;                               \
            D[i] = (T)(EXPR);                                                             \
        }                                                                                 \
    } else if (vm) {                /* unmasked vector-scalar */                          \
        for (uint64_t i = v->vstart, vl_ = v->vl; i < vl_; i++) {                                     \
            T a = A[i]; T b = sc; T d = D[i]; S sa = (S)a; S sb = (S)b;                   \
            (void)a; (void)b; (void)d; (void)sa; (void)sb;                               \
            D[i] = (T)(EXPR);                                                             \
        }                                                                                 \
    } else for (uint64_t i = v->vstart, vl_ = v->vl; i < vl_; i++) {                                  \
        if (!RVV_MBIT(m0, i)) { if (ma1) D[i] = (T)~(T)0; continue; }                     \
        T a = A[i]; T b = isvv ? B[i] : sc; T d = D[i]; S sa = (S)a; S sb = (S)b;         \
        (void)a; (void)b; (void)d; (void)sa; (void)sb;                                   \
        D[i] = (T)(EXPR);                                                                 \
    }                                                                                     \
    if (ta1) rvv_fill_ones(vd, v->vl, rvv_tail_end(v, (int)sl), (int)sl);                 \
} while (0)

#define RVV_SEW(EXPR) do { switch (sl) {                                                  \
    case 0: RVV_TLOOP(uint8_t, int8_t, EXPR); break;                                      \
    case 1: RVV_TLOOP(uint16_t, int16_t, EXPR); break;                                    \
    case 2: RVV_TLOOP(uint32_t, int32_t, EXPR); break;                                    \
    default: RVV_TLOOP(uint64_t, int64_t, EXPR); break; } } while (0)

/* compare-like loops writing mask bits: EXPR gives 0/1; the destination is built a byte
 * at a time (sources are read before the byte holding their own mask bits is stored) */
#define RVV_CLOOP(T, S, EXPR) do {                                                        \
    const T *A = (const T *)vs2; const T *B = (const T *)vs1; const T sc = (T)scalar;     \
    (void)sc;                                                                             \
    uint64_t i = v->vstart; const uint64_t vl_ = v->vl;                                   \
    while (i < vl_) {                                                                     \
        uint64_t byte = i >> 3, end = (byte + 1) * 8 < vl_ ? (byte + 1) * 8 : vl_;         \
        unsigned cur = vd[byte];                                                          \
        for (; i < end; i++) {                                                            \
            unsigned bit = 1u << (i & 7), r;                                              \
            if (!vm && !RVV_MBIT(m0, i)) { if (!ma1) continue; r = 1; }                   \
            else { T a = A[i]; T b = isvv ? B[i] : sc; S sa = (S)a; S sb = (S)b;           \
                   (void)sa; (void)sb; r = (EXPR) ? 1 : 0; }                              \
            cur = r ? (cur | bit) : (cur & ~bit);                                         \
        }                                                                                 \
        vd[byte] = (uint8_t)cur;                                                          \
    }                                                                                     \
    rvv_mask_tail(v, vd);                                                                 \
} while (0)

#define RVV_CSEW(EXPR) do { switch (sl) {                                                 \
    case 0: RVV_CLOOP(uint8_t, int8_t, EXPR); break;                                      \
    case 1: RVV_CLOOP(uint16_t, int16_t, EXPR); break;                                    \
    case 2: RVV_CLOOP(uint32_t, int32_t, EXPR); break;                                    \
    default: RVV_CLOOP(uint64_t, int64_t, EXPR); break; } } while (0)

/* generic loop over 64-bit views of the elements (for the less common ops) */
#define RVV_GLOOP(DSL, ...) do {                                                         \
    for (uint64_t i = v->vstart, vl_ = v->vl; i < vl_; i++) {                                         \
        if (!vm && !RVV_MBIT(m0, i)) { if (ma1) rvv_put(vd, i, (DSL), ~0ULL); continue; }   \
        __VA_ARGS__;                                                                      \
    }                                                                                     \
    rvv_tail(v, vd, (DSL));                                                               \
} while (0)

enum { F3_IVV = 0, F3_FVV = 1, F3_MVV = 2, F3_IVI = 3, F3_IVX = 4, F3_FVF = 5, F3_MVX = 6 };

#define ILL return RVV_ILLEGAL

/* ---- OPI (integer, funct3 IVV/IVX/IVI) ---------------------------------------------- */

/* rvv_opi for one SEW (sl a compile-time constant in each instantiation, so the
 * element accessors below fold to typed loads/stores: no per-element dispatch) */
static inline __attribute__((always_inline)) int rvv_opi_sew(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2,
        const unsigned sl)
{
    RvvState *v = c->v;
    const int ll = v->ll;
    const int isvv = f3 == F3_IVV;
    uint64_t uimm = (uint64_t)rs1;
    uint64_t scalar = f3 == F3_IVX ? c->x[rs1] : (uint64_t)(int64_t)((int32_t)(rs1 << 27) >> 27);
    uint8_t *vd = RVV_VREG(v, rd), *vs2 = RVV_VREG(v, rs2), *vs1 = RVV_VREG(v, rs1);
    const uint8_t *m0 = v->reg;
    const int ma1 = v->ones && v->vma, ta1 = v->ones && v->vta;
    const int W = 8 << sl;
    uint8_t sat = 0;
    uint64_t i;

    if (v->vill) ILL;
    if (f6 == 0x27 && f3 == F3_IVI) {  /* vmv<nr>r.v (Spike also requires a valid vtype) */
        int n = rs1 + 1;
        if (!vm || (n != 1 && n != 2 && n != 4 && n != 8)) ILL;
        if ((rd & (n - 1)) || (rs2 & (n - 1))) ILL;
        if (rd != rs2)
            memmove(vd, vs2, (size_t)v->vlenb * n);
        v->vstart = 0;
        return RVV_OK;
    }
    /* shifts, slides, gathers take the unsigned immediate */
    if (f3 == F3_IVI && (f6 == 0x0c || f6 == 0x0e || f6 == 0x0f || (f6 >= 0x25 && f6 <= 0x2f && f6 != 0x27)))
        scalar = uimm;

    /* register groups: common single-width case */
    int single = !(f6 >= 0x2c && f6 <= 0x2f) && f6 != 0x30 && f6 != 0x31 && !(f6 >= 0x10 && f6 <= 0x13)
                 && !(f6 >= 0x18 && f6 <= 0x1f) && f6 != 0x0c && f6 != 0x0e && f6 != 0x0f;
    if (single) {
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!vm && rd == 0) ILL;
    }

    switch (f6) {
    case 0x00: RVV_SEW(a + b); break;                                   /* vadd */
    case 0x02: if (f3 == F3_IVI) ILL; RVV_SEW(a - b); break;            /* vsub */
    case 0x03: if (f3 == F3_IVV) ILL; RVV_SEW(b - a); break;            /* vrsub */
    case 0x04: if (f3 == F3_IVI) ILL; RVV_SEW(a < b ? a : b); break;    /* vminu */
    case 0x05: if (f3 == F3_IVI) ILL; RVV_SEW(sa < sb ? a : b); break;  /* vmin */
    case 0x06: if (f3 == F3_IVI) ILL; RVV_SEW(a > b ? a : b); break;    /* vmaxu */
    case 0x07: if (f3 == F3_IVI) ILL; RVV_SEW(sa > sb ? a : b); break;  /* vmax */
    case 0x09: RVV_SEW(a & b); break;
    case 0x0a: RVV_SEW(a | b); break;
    case 0x0b: RVV_SEW(a ^ b); break;
    case 0x0c: case 0x0e: case 0x0f: {                                  /* vrgather, slides, vrgatherei16 */
        int ei16 = f6 == 0x0e && f3 == F3_IVV;
        int il = ll, isl = (int)sl;
        if (f6 != 0x0c && f3 == F3_IVV && !ei16) ILL;
        if (ei16) { il = ll + 1 - (int)sl; isl = 1; if (il > 3 || il < -3) ILL; }
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll)) ILL;
        if (isvv && !rvv_aligned(rs1, il)) ILL;
        if (!vm && rd == 0) ILL;
        if (f6 != 0x0f || 1) {
            /* vrgather, vslideup: vd may not overlap the sources */
            if (f6 == 0x0c || f6 == 0x0e) {
                if (rvv_overlap(rd, rvv_nregs(ll), rs2, rvv_nregs(ll))) ILL;
                if (isvv && rvv_overlap(rd, rvv_nregs(ll), rs1, rvv_nregs(il))) ILL;
            }
        }
        if (f6 == 0x0c || ei16) {
            uint64_t vlmax = v->vlmax;
            RVV_GLOOP(sl, {
                uint64_t idx = isvv ? rvv_get(vs1, i, isl) : scalar;
                rvv_put(vd, i, sl, idx >= vlmax ? 0 : rvv_get(vs2, idx, sl));
            });
        } else if (f6 == 0x0e) {                                        /* vslideup */
            uint64_t off = scalar;
            for (i = v->vstart > off ? v->vstart : off; i < v->vl; i++) {
                if (!vm && !RVV_MBIT(m0, i)) { if (ma1) rvv_put(vd, i, sl, ~0ULL); continue; }
                rvv_put(vd, i, sl, rvv_get(vs2, i - off, sl));
            }
            rvv_tail(v, vd, sl);
        } else {                                                        /* vslidedown */
            uint64_t off = scalar, vlmax = v->vlmax;
            RVV_GLOOP(sl, {
                uint64_t j = i + off;
                rvv_put(vd, i, sl, (j >= i && j < vlmax) ? rvv_get(vs2, j, sl) : 0);
            });
        }
        break;
    }
    case 0x10: case 0x11: case 0x12: case 0x13: {                       /* vadc vmadc vsbc vmsbc */
        int sub = f6 >= 0x12, tomask = f6 & 1;
        if (sub && f3 == F3_IVI) ILL;
        if (!tomask && vm) ILL;                                          /* vadc/vsbc need vm=0 */
        if (!rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!tomask) {
            if (!rvv_aligned(rd, ll) || rd == 0) ILL;
            switch (sl) {
#define ADC(T) { T *D = (T *)vd; const T *A = (const T *)vs2, *B = (const T *)vs1;            \
                for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {                                          \
                    T b = isvv ? B[i] : (T)scalar; T cin = RVV_MBIT(m0, i);                    \
                    D[i] = sub ? (T)(A[i] - b - cin) : (T)(A[i] + b + cin); }                  \
                rvv_tail(v, vd, sl); }
            case 0: ADC(uint8_t); break;
            case 1: ADC(uint16_t); break;
            case 2: ADC(uint32_t); break;
            default: ADC(uint64_t); break;
#undef ADC
            }
        } else {
            /* mask result: vd may overlap a source only in its lowest register */
            if (!rvv_overlap_ok(rd, 0, 1, rs2, ll, W) || (isvv && !rvv_overlap_ok(rd, 0, 1, rs1, ll, W))) ILL;
            int usec = !vm;
            uint64_t msk = rvv_umask(sl);
            for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {
                uint64_t a = rvv_get(vs2, i, sl), b = isvv ? rvv_get(vs1, i, sl) : scalar & msk;
                uint64_t cin = usec ? RVV_MBIT(m0, i) : 0, out;
                if (!sub) { unsigned __int128 s = (unsigned __int128)a + b + cin; out = (uint64_t)(s >> W) & 1; if (W < 64) out = (s >> W) != 0; }
                else out = (unsigned __int128)a < (unsigned __int128)b + cin;
                rvv_setbit(vd, i, (int)out);
            }
            rvv_mask_tail(v, vd);
        }
        break;
    }
    case 0x17:                                                          /* vmerge / vmv.v.* */
        if (vm) {
            if (rs2 != 0) ILL;
            RVV_SEW(b);
        } else {
            if (rd == 0) ILL;
            switch (sl) {
#define MERGE(T) { T *D = (T *)vd; const T *A = (const T *)vs2, *B = (const T *)vs1;           \
                for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++)                                            \
                    D[i] = RVV_MBIT(m0, i) ? (isvv ? B[i] : (T)scalar) : A[i];                 \
                rvv_tail(v, vd, sl); }
            case 0: MERGE(uint8_t); break;
            case 1: MERGE(uint16_t); break;
            case 2: MERGE(uint32_t); break;
            default: MERGE(uint64_t); break;
#undef MERGE
            }
        }
        break;
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        if ((f6 == 0x1a || f6 == 0x1b) && f3 == F3_IVI) ILL;
        if ((f6 == 0x1e || f6 == 0x1f) && f3 == F3_IVV) ILL;
        if (!rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!rvv_overlap_ok(rd, 0, 1, rs2, ll, W) || (isvv && !rvv_overlap_ok(rd, 0, 1, rs1, ll, W))) ILL;
        switch (f6) {
        case 0x18: RVV_CSEW(a == b); break;
        case 0x19: RVV_CSEW(a != b); break;
        case 0x1a: RVV_CSEW(a < b); break;
        case 0x1b: RVV_CSEW(sa < sb); break;
        case 0x1c: RVV_CSEW(a <= b); break;
        case 0x1d: RVV_CSEW(sa <= sb); break;
        case 0x1e: RVV_CSEW(a > b); break;
        default: RVV_CSEW(sa > sb); break;
        }
        break;
    case 0x20: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_saddu(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), sl, &sat))); break;
    case 0x21: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_sadd(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), sl, &sat))); break;
    case 0x22: if (f3 == F3_IVI) ILL; RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_ssubu(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), sl, &sat))); break;
    case 0x23: if (f3 == F3_IVI) ILL; RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_ssub(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), sl, &sat))); break;
    case 0x25: RVV_SEW((uint64_t)a << (b & (W - 1))); break;            /* vsll */
    case 0x27:                                                          /* vsmul */
        if (sl == 3 && !v->full_v) ILL;
        RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_smul(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), sl, v->vxrm, &sat)));
        break;
    case 0x28: RVV_SEW(a >> (b & (W - 1))); break;                      /* vsrl */
    case 0x29: RVV_SEW(sa >> (b & (W - 1))); break;                     /* vsra */
    case 0x2a: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_srl_round(rvv_get(vs2, i, sl), (unsigned)((isvv ? rvv_get(vs1, i, sl) : scalar) & (W - 1)), v->vxrm))); break;
    case 0x2b: RVV_GLOOP(sl, rvv_put(vd, i, sl, (uint64_t)rvv_sra_round(rvv_sext(rvv_get(vs2, i, sl), sl), (unsigned)((isvv ? rvv_get(vs1, i, sl) : scalar) & (W - 1)), v->vxrm))); break;
    case 0x2c: case 0x2d: case 0x2e: case 0x2f: {                       /* narrowing shifts, clips */
        int wl = (int)sl + 1;
        if (wl > v->elen_l || ll + 1 > 3) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll + 1) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!rvv_overlap_ok(rd, ll, W, rs2, ll + 1, 2 * W)) ILL;
        if (!vm && rd == 0) ILL;
        unsigned smask = (unsigned)(2 * W - 1);
        const int64_t mx = rvv_smax(sl), mn = -mx - 1;
        const uint64_t um = rvv_umask(sl);
#define NAR(BODY) RVV_GLOOP(sl, {                                                           \
            uint64_t a = rvv_get(vs2, i, wl);                                               \
            unsigned sh = (unsigned)((isvv ? rvv_get(vs1, i, sl) : scalar) & smask);        \
            uint64_t r; BODY; rvv_put(vd, i, sl, r); })
        switch (f6) {   /* the op outside the element loop */
        case 0x2c: NAR(r = a >> sh); break;                                  /* vnsrl */
        case 0x2d: NAR(r = (uint64_t)(rvv_sext(a, wl) >> sh)); break;        /* vnsra */
        case 0x2e: NAR(r = rvv_srl_round(a, sh, v->vxrm);                    /* vnclipu */
                       if (r > um) { r = um; sat = 1; }); break;
        default: NAR(int64_t q = rvv_sra_round(rvv_sext(a, wl), sh, v->vxrm); /* vnclip */
                     if (q > mx) { q = mx; sat = 1; }
                     if (q < mn) { q = mn; sat = 1; }
                     r = (uint64_t)q); break;
        }
#undef NAR
        break;
    }
    case 0x30: case 0x31: {                                             /* vwredsumu, vwredsum */
        int wl = (int)sl + 1;
        if (f3 != F3_IVV || wl > v->elen_l) ILL;
        if (!rvv_aligned(rs2, ll)) ILL;
        if (v->vstart) ILL;
        if (v->vl == 0) break;
        uint64_t acc = rvv_get(vs1, 0, wl);
        for (i = 0; i < v->vl; i++) {
            if (!vm && !RVV_MBIT(m0, i)) continue;
            uint64_t e = rvv_get(vs2, i, sl);
            acc += f6 == 0x30 ? e : (uint64_t)rvv_sext(e, sl);
        }
        rvv_put(vd, 0, wl, acc);
        if (v->ones && v->vta) rvv_fill_ones(vd, 1, (uint64_t)v->vlenb >> wl, wl);
        break;
    }
    default:
        ILL;
    }
    if (sat) v->vxsat = 1;
    v->vstart = 0;
    return RVV_OK;
}

static int rvv_opi(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2)
{
    switch (c->v->sl) {
    case 0: return rvv_opi_sew(c, f6, f3, vm, rd, rs1, rs2, 0);
    case 1: return rvv_opi_sew(c, f6, f3, vm, rd, rs1, rs2, 1);
    case 2: return rvv_opi_sew(c, f6, f3, vm, rd, rs1, rs2, 2);
    default: return rvv_opi_sew(c, f6, f3, vm, rd, rs1, rs2, 3);
    }
}

/* ---- OPM (funct3 MVV/MVX) ----------------------------------------------------------- */

/* rvv_opm for one SEW (sl a compile-time constant in each instantiation, so the
 * element accessors below fold to typed loads/stores: no per-element dispatch) */
static inline __attribute__((always_inline)) int rvv_opm_sew(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2,
        const unsigned sl)
{
    RvvState *v = c->v;
    const int ll = v->ll;
    const int isvv = f3 == F3_MVV;
    uint64_t scalar = isvv ? 0 : c->x[rs1];
    uint8_t *vd = RVV_VREG(v, rd), *vs2 = RVV_VREG(v, rs2), *vs1 = RVV_VREG(v, rs1);
    const uint8_t *m0 = v->reg;
    const int ma1 = v->ones && v->vma, ta1 = v->ones && v->vta;
    const int W = 8 << sl;
    uint8_t sat = 0;
    uint64_t i;

    if (v->vill) ILL;

    /* scalar moves and mask-register ops first: their operands are not LMUL groups */
    if (f6 == 0x10) {
        if (isvv) {
            if (rs1 == 0x00) {                                          /* vmv.x.s */
                if (!vm) ILL;
                if (rd) c->x[rd] = (uint64_t)rvv_sext(rvv_get(vs2, 0, sl), sl);
                v->vstart = 0;
                return RVV_OK;
            }
            if (rs1 == 0x10 || rs1 == 0x11) {                           /* vcpop.m, vfirst.m */
                if (v->vstart) ILL;
                int64_t r = rs1 == 0x10 ? 0 : -1;
                for (i = 0; i < v->vl; i++) {
                    if (!vm && !RVV_MBIT(m0, i)) continue;
                    if (RVV_MBIT(vs2, i)) {
                        if (rs1 == 0x10) r++;
                        else { r = (int64_t)i; break; }
                    }
                }
                if (rd) c->x[rd] = (uint64_t)r;
                v->vstart = 0;
                return RVV_OK;
            }
            ILL;
        }
        if (rs2 != 0 || !vm) ILL;                                       /* vmv.s.x */
        if (v->vstart < v->vl) {
            rvv_put(vd, 0, sl, scalar);
            if (ta1) rvv_fill_ones(vd, 1, rvv_tail_end(v, sl), sl);
        }
        v->vstart = 0;
        return RVV_OK;
    }
    if (f6 >= 0x18 && isvv) {                                            /* mask logical */
        if (f6 > 0x1f) goto arith;
        if (!vm) ILL;
        for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {
            int a = RVV_MBIT(vs2, i), b = RVV_MBIT(vs1, i), r;
            switch (f6) {
            case 0x18: r = a & !b; break;
            case 0x19: r = a & b; break;
            case 0x1a: r = a | b; break;
            case 0x1b: r = a ^ b; break;
            case 0x1c: r = a | !b; break;
            case 0x1d: r = !(a & b); break;
            case 0x1e: r = !(a | b); break;
            default: r = !(a ^ b); break;
            }
            rvv_setbit(vd, i, r);
        }
        rvv_mask_tail(v, vd);
        v->vstart = 0;
        return RVV_OK;
    }
    if (f6 == 0x14 && isvv) {                                            /* VMUNARY0 */
        if (rs1 == 0x11) {                                               /* vid.v */
            if (rs2 != 0 || !rvv_aligned(rd, ll) || (!vm && rd == 0)) ILL;
            RVV_GLOOP(sl, rvv_put(vd, i, sl, i));
            v->vstart = 0;
            return RVV_OK;
        }
        if (v->vstart) ILL;
        if (rs1 == 0x10) {                                               /* viota.m */
            if (!rvv_aligned(rd, ll) || (!vm && rd == 0)) ILL;
            if (rvv_overlap(rd, rvv_nregs(ll), rs2, 1)) ILL;
            uint64_t cnt = 0;
            for (i = 0; i < v->vl; i++) {
                if (!vm && !RVV_MBIT(m0, i)) { if (ma1) rvv_put(vd, i, sl, ~0ULL); continue; }
                rvv_put(vd, i, sl, cnt);
                cnt += RVV_MBIT(vs2, i);
            }
            rvv_tail(v, vd, sl);
            v->vstart = 0;
            return RVV_OK;
        }
        if (rs1 == 1 || rs1 == 2 || rs1 == 3) {                          /* vmsbf, vmsof, vmsif */
            if (rd == rs2 || (!vm && rd == 0)) ILL;
            int found = 0;
            for (i = 0; i < v->vl; i++) {
                if (!vm && !RVV_MBIT(m0, i)) { if (ma1) rvv_setbit(vd, i, 1); continue; }
                int s = RVV_MBIT(vs2, i), r;
                if (rs1 == 1) r = !found && !s;
                else if (rs1 == 3) r = !found;
                else r = !found && s;
                if (s) found = 1;
                rvv_setbit(vd, i, r);
            }
            rvv_mask_tail(v, vd);
            v->vstart = 0;
            return RVV_OK;
        }
        ILL;
    }
    if (f6 == 0x17) {                                                    /* vcompress.vm */
        if (!isvv || !vm) ILL;
        if (v->vstart) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll)) ILL;
        if (rvv_overlap(rd, rvv_nregs(ll), rs2, rvv_nregs(ll)) || rvv_overlap(rd, rvv_nregs(ll), rs1, 1)) ILL;
        uint64_t k = 0;
        for (i = 0; i < v->vl; i++)
            if (RVV_MBIT(vs1, i))
                rvv_put(vd, k++, sl, rvv_get(vs2, i, sl));
        if (ta1) rvv_fill_ones(vd, k, rvv_tail_end(v, sl), sl);
        v->vstart = 0;
        return RVV_OK;
    }
    if (f6 <= 0x07) {                                                    /* integer reductions */
        if (!isvv) ILL;
        if (!rvv_aligned(rs2, ll)) ILL;
        if (v->vstart) ILL;
        if (v->vl == 0) { return RVV_OK; }
        uint64_t acc = rvv_get(vs1, 0, sl);
        const uint64_t um = rvv_umask(sl);
#define RED(OP) for (i = 0; i < v->vl; i++) {                                               \
            if (!vm && !RVV_MBIT(m0, i)) continue;                                          \
            uint64_t e = rvv_get(vs2, i, sl); OP; }
        switch (f6) {   /* the op outside the element loop */
        case 0: RED(acc += e); break;
        case 1: RED(acc &= e); break;
        case 2: RED(acc |= e); break;
        case 3: RED(acc ^= e); break;
        case 4: RED(if ((e & um) < (acc & um)) acc = e); break;
        case 5: RED(if (rvv_sext(e, sl) < rvv_sext(acc, sl)) acc = e); break;
        case 6: RED(if ((e & um) > (acc & um)) acc = e); break;
        default: RED(if (rvv_sext(e, sl) > rvv_sext(acc, sl)) acc = e); break;
        }
#undef RED
        rvv_put(vd, 0, sl, acc);
        if (ta1) rvv_fill_ones(vd, 1, (uint64_t)v->vlenb >> sl, sl);
        v->vstart = 0;
        return RVV_OK;
    }
    if (f6 == 0x12) {                                                    /* vzext / vsext */
        if (!isvv) ILL;
        int k = rs1 >> 1, sign = rs1 & 1;                                /* 1: vf8, 2: vf4, 3: vf2 */
        int fl = k == 1 ? 3 : k == 2 ? 2 : k == 3 ? 1 : 0;
        if (fl == 0) ILL;
        int ssl = (int)sl - fl, sll = ll - fl;
        if (ssl < 0 || sll < -3) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, sll) || (!vm && rd == 0)) ILL;
        if (!rvv_overlap_ok(rd, ll, W, rs2, sll, W >> fl)) ILL;
        RVV_GLOOP(sl, {
            uint64_t e = rvv_get(vs2, i, ssl);
            rvv_put(vd, i, sl, sign ? (uint64_t)rvv_sext(e, ssl) : e);
        });
        v->vstart = 0;
        return RVV_OK;
    }
    if (f6 == 0x0e || f6 == 0x0f) {                                     /* vslide1up/down */
        if (isvv) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (!vm && rd == 0)) ILL;
        if (f6 == 0x0e) {
            if (rvv_overlap(rd, rvv_nregs(ll), rs2, rvv_nregs(ll))) ILL;
            RVV_GLOOP(sl, rvv_put(vd, i, sl, i == 0 ? scalar : rvv_get(vs2, i - 1, sl)));
        } else {
            uint64_t vl = v->vl;
            RVV_GLOOP(sl, rvv_put(vd, i, sl, i + 1 == vl ? scalar : rvv_get(vs2, i + 1, sl)));
        }
        v->vstart = 0;
        return RVV_OK;
    }

arith:
    if (f6 >= 0x30) {                                                    /* widening */
        int wl = (int)sl + 1;
        int wide2 = f6 >= 0x34 && f6 <= 0x37;                            /* .w forms: vs2 is wide */
        if (wl > v->elen_l || ll + 1 > 3) ILL;
        if (f6 == 0x39 || f6 == 0x3e ? (f6 == 0x39 || isvv) : 0) ILL;
        if (!rvv_aligned(rd, ll + 1) || !rvv_aligned(rs2, wide2 ? ll + 1 : ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!vm && rd == 0) ILL;
        if (!wide2 && !rvv_overlap_ok(rd, ll + 1, 2 * W, rs2, ll, W)) ILL;
        if (isvv && !rvv_overlap_ok(rd, ll + 1, 2 * W, rs1, ll, W)) ILL;
#define WID(ASL, EXPR) RVV_GLOOP(wl, {                                                       \
            uint64_t a2 = rvv_get(vs2, i, (ASL)), b = isvv ? rvv_get(vs1, i, sl) : scalar;    \
            uint64_t ua = a2 & rvv_umask((ASL)), ub = b & rvv_umask(sl);                      \
            int64_t sa = rvv_sext(a2, (ASL)), sb = rvv_sext(b, sl);                           \
            uint64_t d = rvv_get(vd, i, wl); (void)ua; (void)ub; (void)sa; (void)sb; (void)d; \
            rvv_put(vd, i, wl, (EXPR)); })
#define WSW(ASL) switch (f6) {   /* the op outside the element loop */                       \
        case 0x30: case 0x34: WID(ASL, ua + ub); break;                                       \
        case 0x31: case 0x35: WID(ASL, (uint64_t)(sa + sb)); break;                           \
        case 0x32: case 0x36: WID(ASL, ua - ub); break;                                       \
        case 0x33: case 0x37: WID(ASL, (uint64_t)(sa - sb)); break;                           \
        case 0x38: WID(ASL, ua * ub); break;                                                  \
        case 0x3a: WID(ASL, (uint64_t)(sa * (int64_t)ub)); break;       /* vwmulsu: vs2 signed */ \
        case 0x3b: WID(ASL, (uint64_t)(sa * sb)); break;                                      \
        case 0x3c: WID(ASL, d + ua * ub); break;                        /* vwmaccu */          \
        case 0x3d: WID(ASL, d + (uint64_t)(sa * sb)); break;            /* vwmacc */           \
        case 0x3e: WID(ASL, d + (uint64_t)((int64_t)ub * sa)); break;   /* vwmaccus */         \
        default: WID(ASL, d + (uint64_t)(sb * (int64_t)ua)); break;     /* vwmaccsu */         \
        }
        if (wide2) { WSW(wl) } else { WSW((int)sl) }
#undef WSW
#undef WID
        v->vstart = 0;
        return RVV_OK;
    }
    if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
    if (!vm && rd == 0) ILL;
    switch (f6) {
    case 0x08: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_avg_u(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), 0, v->vxrm))); break;
    case 0x09: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_avg_s(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), 0, v->vxrm))); break;
    case 0x0a: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_avg_u(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), 1, v->vxrm))); break;
    case 0x0b: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_avg_s(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), 1, v->vxrm))); break;
    case 0x20: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_divu(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), sl, 0))); break;
    case 0x21: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_divs(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), sl, 0))); break;
    case 0x22: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_divu(rvv_get(vs2, i, sl), isvv ? rvv_get(vs1, i, sl) : scalar & rvv_umask(sl), sl, 1))); break;
    case 0x23: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_divs(rvv_sext(rvv_get(vs2, i, sl), sl), rvv_sext(isvv ? rvv_get(vs1, i, sl) : scalar, sl), sl, 1))); break;
    case 0x24: case 0x26: case 0x27: {                                   /* vmulhu, vmulhsu, vmulh */
        int kind = f6 == 0x24 ? 1 : f6 == 0x26 ? 2 : 0;
        if (sl == 3 && !v->full_v) ILL;
        RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_mulh(rvv_get(vs2, i, sl), (isvv ? rvv_get(vs1, i, sl) : scalar) & rvv_umask(sl), sl, kind)));
        break;
    }
    case 0x25: RVV_SEW((uint64_t)a * b); break;                           /* vmul */
    case 0x29: RVV_SEW((uint64_t)b * d + a); break;                       /* vmadd: vd = vs1*vd + vs2 */
    case 0x2b: RVV_SEW((uint64_t)a - (uint64_t)b * d); break;             /* vnmsub: vd = -(vs1*vd) + vs2 */
    case 0x2d: RVV_SEW((uint64_t)b * a + d); break;                       /* vmacc: vd = vs1*vs2 + vd */
    case 0x2f: RVV_SEW((uint64_t)d - (uint64_t)b * a); break;             /* vnmsac: vd = -(vs1*vs2) + vd */
    default:
        ILL;
    }
    if (sat) v->vxsat = 1;
    v->vstart = 0;
    return RVV_OK;
}

static int rvv_opm(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2)
{
    switch (c->v->sl) {
    case 0: return rvv_opm_sew(c, f6, f3, vm, rd, rs1, rs2, 0);
    case 1: return rvv_opm_sew(c, f6, f3, vm, rd, rs1, rs2, 1);
    case 2: return rvv_opm_sew(c, f6, f3, vm, rd, rs1, rs2, 2);
    default: return rvv_opm_sew(c, f6, f3, vm, rd, rs1, rs2, 3);
    }
}

/* ---- floating point ------------------------------------------------------------------ */

/* the scalar operand f[rs1] at SEW 8<<sl, NaN-box checked */
static inline uint64_t rvv_fscalar(uint64_t f, int sl)
{
    if (sl == 1) return (f >> 16) == 0xffffffffffffULL ? (f & 0xffff) : 0x7e00;
    if (sl == 2) return (f >> 32) == 0xffffffffULL ? (f & 0xffffffffULL) : 0x7fc00000ULL;
    return f;
}

static inline uint64_t rvv_fbox(uint64_t x, int sl)
{
    if (sl == 1) return x | 0xffffffffffff0000ULL;
    if (sl == 2) return x | 0xffffffff00000000ULL;
    return x;
}

#define FDISP(sl, NAME, ...) ((sl) == 1 ? (uint64_t)f16_##NAME(__VA_ARGS__) :               \
                              (sl) == 2 ? (uint64_t)f32_##NAME(__VA_ARGS__) :               \
                              (uint64_t)f64_##NAME(__VA_ARGS__))

static inline uint64_t rvv_fadd(int sl, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return sl == 1 ? f16_add((uint16_t)a, (uint16_t)b, rm, fl) : sl == 2 ? f32_add_fast((uint32_t)a, (uint32_t)b, rm, fl) : f64_add_fast(a, b, rm, fl); }
static inline uint64_t rvv_fsub(int sl, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return sl == 1 ? f16_sub((uint16_t)a, (uint16_t)b, rm, fl) : sl == 2 ? f32_sub_fast((uint32_t)a, (uint32_t)b, rm, fl) : f64_sub_fast(a, b, rm, fl); }
static inline uint64_t rvv_fmul(int sl, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return sl == 1 ? f16_mul((uint16_t)a, (uint16_t)b, rm, fl) : sl == 2 ? f32_mul_fast((uint32_t)a, (uint32_t)b, rm, fl) : f64_mul_fast(a, b, rm, fl); }
static inline uint64_t rvv_fdiv(int sl, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return sl == 1 ? f16_div((uint16_t)a, (uint16_t)b, rm, fl) : sl == 2 ? f32_div_fast((uint32_t)a, (uint32_t)b, rm, fl) : f64_div_fast(a, b, rm, fl); }
static inline uint64_t rvv_fmin(int sl, uint64_t a, uint64_t b, uint32_t *fl)
{ return sl == 1 ? f16_min((uint16_t)a, (uint16_t)b, fl) : sl == 2 ? f32_min((uint32_t)a, (uint32_t)b, fl) : f64_min(a, b, fl); }
static inline uint64_t rvv_fmax(int sl, uint64_t a, uint64_t b, uint32_t *fl)
{ return sl == 1 ? f16_max((uint16_t)a, (uint16_t)b, fl) : sl == 2 ? f32_max((uint32_t)a, (uint32_t)b, fl) : f64_max(a, b, fl); }
static inline int rvv_feq(int sl, uint64_t a, uint64_t b, uint32_t *fl)
{ return sl == 1 ? f16_eq((uint16_t)a, (uint16_t)b, fl) : sl == 2 ? f32_eq((uint32_t)a, (uint32_t)b, fl) : f64_eq(a, b, fl); }
static inline int rvv_flt(int sl, uint64_t a, uint64_t b, uint32_t *fl)
{ return sl == 1 ? f16_lt((uint16_t)a, (uint16_t)b, fl) : sl == 2 ? f32_lt((uint32_t)a, (uint32_t)b, fl) : f64_lt(a, b, fl); }
static inline int rvv_fle(int sl, uint64_t a, uint64_t b, uint32_t *fl)
{ return sl == 1 ? f16_le((uint16_t)a, (uint16_t)b, fl) : sl == 2 ? f32_le((uint32_t)a, (uint32_t)b, fl) : f64_le(a, b, fl); }
/* kind: 0 madd (a*b+c), 1 msub (a*b-c), 2 nmsub (-(a*b)+c), 3 nmadd (-(a*b)-c) */
static inline uint64_t rvv_ffma(int sl, int kind, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
    if (sl == 1) {
        uint16_t x = (uint16_t)a, y = (uint16_t)b, z = (uint16_t)c;
        return kind == 0 ? f16_madd(x, y, z, rm, fl) : kind == 1 ? f16_msub(x, y, z, rm, fl)
             : kind == 2 ? f16_nmsub(x, y, z, rm, fl) : f16_nmadd(x, y, z, rm, fl);
    }
    if (sl == 2) {
        uint32_t x = (uint32_t)a, y = (uint32_t)b, z = (uint32_t)c;
        return kind == 0 ? f32_madd(x, y, z, rm, fl) : kind == 1 ? f32_msub(x, y, z, rm, fl)
             : kind == 2 ? f32_nmsub(x, y, z, rm, fl) : f32_nmadd(x, y, z, rm, fl);
    }
    return kind == 0 ? f64_madd(a, b, c, rm, fl) : kind == 1 ? f64_msub(a, b, c, rm, fl)
         : kind == 2 ? f64_nmsub(a, b, c, rm, fl) : f64_nmadd(a, b, c, rm, fl);
}
static inline uint32_t rvv_fclass(int sl, uint64_t a)
{ return sl == 1 ? f16_classify((uint16_t)a) : sl == 2 ? f32_classify((uint32_t)a) : f64_classify(a); }

/* widen an element of format sl to format sl+1 (exact; NV for an sNaN) */
static inline uint64_t rvv_fwiden(int sl, uint64_t a, uint32_t *fl)
{ return sl == 1 ? f16_to_f32((uint16_t)a, 0, fl) : f32_to_f64((uint32_t)a, 0, fl); }

/* FP -> integer of width 8<<tl from format fsl; unsigned when u; saturating with NV */
static inline uint64_t rvv_f2i(int fsl, int tl, int u, uint64_t a, int rm, uint32_t *fl)
{
    uint32_t f0 = 0;
    uint64_t r;
    if (tl == 3) {
        r = fsl == 1 ? (u ? f16_to_u64((uint16_t)a, rm, &f0) : f16_to_i64((uint16_t)a, rm, &f0))
          : fsl == 2 ? (u ? f32_to_u64((uint32_t)a, rm, &f0) : f32_to_i64((uint32_t)a, rm, &f0))
          : (u ? f64_to_u64(a, rm, &f0) : f64_to_i64(a, rm, &f0));
        *fl |= f0;
        return r;
    }
    r = fsl == 1 ? (u ? f16_to_u32((uint16_t)a, rm, &f0) : f16_to_i32((uint16_t)a, rm, &f0))
      : fsl == 2 ? (u ? f32_to_u32((uint32_t)a, rm, &f0) : f32_to_i32((uint32_t)a, rm, &f0))
      : (u ? f64_to_u32(a, rm, &f0) : f64_to_i32(a, rm, &f0));
    if (tl < 2) {
        if (u) {
            uint64_t mx = rvv_umask(tl);
            if ((uint32_t)r > mx) { r = mx; f0 = SF_FLAG_NV; }
        } else {
            int64_t s = (int32_t)r, mx = rvv_smax(tl), mn = -mx - 1;
            if (s > mx) { r = (uint64_t)mx; f0 = SF_FLAG_NV; }
            else if (s < mn) { r = (uint64_t)mn; f0 = SF_FLAG_NV; }
        }
    }
    *fl |= f0;
    return r & rvv_umask(tl);
}

/* integer of width 8<<il (signed unless u) -> FP format fsl */
static inline uint64_t rvv_i2f(int il, int fsl, int u, uint64_t a, int rm, uint32_t *fl)
{
    uint64_t ua = a & rvv_umask(il);
    int64_t sa = rvv_sext(a, il);
    if (fsl == 1) return u ? (il == 3 ? u64_to_f16(ua, rm, fl) : u32_to_f16((uint32_t)ua, rm, fl))
                           : (il == 3 ? i64_to_f16(sa, rm, fl) : i32_to_f16((int32_t)sa, rm, fl));
    if (fsl == 2) return u ? (il == 3 ? u64_to_f32(ua, rm, fl) : u32_to_f32((uint32_t)ua, rm, fl))
                           : (il == 3 ? i64_to_f32(sa, rm, fl) : i32_to_f32((int32_t)sa, rm, fl));
    return u ? (il == 3 ? u64_to_f64(ua, rm, fl) : u32_to_f64((uint32_t)ua, rm, fl))
             : (il == 3 ? i64_to_f64(sa, rm, fl) : i32_to_f64((int32_t)sa, rm, fl));
}

/* narrow FP format sl+1 -> sl with rounding mode rm; rm = -1: round to odd */
static inline uint64_t rvv_fnarrow(int sl, uint64_t a, int rm, uint32_t *fl)
{
    if (rm < 0) {
        uint32_t f0 = 0;
        uint64_t r = sl == 1 ? f32_to_f16((uint32_t)a, SF_RTZ, &f0) : f64_to_f32(a, SF_RTZ, &f0);
        int nan = sl == 1 ? ((r & 0x7c00) == 0x7c00 && (r & 0x3ff)) : ((r & 0x7f800000) == 0x7f800000 && (r & 0x7fffff));
        if ((f0 & SF_FLAG_NX) && !nan) r |= 1;
        *fl |= f0;
        return r;
    }
    return sl == 1 ? f32_to_f16((uint32_t)a, rm, fl) : f64_to_f32(a, rm, fl);
}

/* vfrec7 / vfrsqrt7 (unpriv "Vector Floating-Point Reciprocal (Square-Root) Estimate") */
/* vfrec7 / vfrsqrt7 tables, computed from the spec's definition (the 7-bit significand
 * of the reciprocal / reciprocal square root of the midpoint of each input interval,
 * rounded to nearest): rec7[i] = round(256 / (1 + (i + 0.5) / 128)) - 128, and
 * rsqrt7[(e & 1) << 6 | s] = round(256 / sqrt((1 + (s + 0.5) / 64) * (e odd ? 1 : 2))) - 128 */
static const uint8_t rvv_rec7_table[128] = {
    127, 125, 123, 121, 119, 117, 116, 114, 112, 110, 109, 107, 105, 104, 102, 100,
    99, 97, 96, 94, 93, 91, 90, 88, 87, 85, 84, 83, 81, 80, 79, 77,
    76, 75, 74, 72, 71, 70, 69, 68, 66, 65, 64, 63, 62, 61, 60, 59,
    58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
    42, 41, 40, 40, 39, 38, 37, 36, 35, 35, 34, 33, 32, 31, 31, 30,
    29, 28, 28, 27, 26, 25, 25, 24, 23, 23, 22, 21, 21, 20, 19, 19,
    18, 17, 17, 16, 15, 15, 14, 14, 13, 12, 12, 11, 11, 10, 9, 9,
    8, 8, 7, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0};
static const uint8_t rvv_rsqrt7_table[128] = {
    52, 51, 50, 48, 47, 46, 44, 43, 42, 41, 40, 39, 38, 36, 35, 34,
    33, 32, 31, 30, 30, 29, 28, 27, 26, 25, 24, 23, 23, 22, 21, 20,
    19, 19, 18, 17, 16, 16, 15, 14, 14, 13, 12, 12, 11, 10, 10, 9,
    9, 8, 7, 7, 6, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0,
    127, 125, 123, 121, 119, 118, 116, 114, 113, 111, 109, 108, 106, 105, 103, 102,
    100, 99, 97, 96, 95, 93, 92, 91, 90, 88, 87, 86, 85, 84, 83, 82,
    80, 79, 78, 77, 76, 75, 74, 73, 72, 71, 70, 70, 69, 68, 67, 66,
    65, 64, 63, 63, 62, 61, 60, 59, 59, 58, 57, 56, 56, 55, 54, 53};

static uint64_t rvv_frsqrt7(int sl, uint64_t a, uint32_t *fl)
{
    int e = sl == 1 ? 5 : sl == 2 ? 8 : 11, m = sl == 1 ? 10 : sl == 2 ? 23 : 52;
    uint64_t sign = (a >> (e + m)) & 1, emax = (1ULL << e) - 1;
    int64_t exp = (int64_t)((a >> m) & emax);
    uint64_t sig = a & ((1ULL << m) - 1);
    uint64_t cnan = sl == 1 ? 0x7e00 : sl == 2 ? 0x7fc00000ULL : 0x7ff8000000000000ULL;
    if ((uint64_t)exp == emax) {
        if (sig) { if (!((sig >> (m - 1)) & 1)) *fl |= SF_FLAG_NV; return cnan; }
        if (sign) { *fl |= SF_FLAG_NV; return cnan; }
        return 0;                                             /* +inf -> +0 */
    }
    if (exp == 0 && sig == 0) { *fl |= SF_FLAG_DZ; return (sign << (e + m)) | (emax << m); }
    if (sign) { *fl |= SF_FLAG_NV; return cnan; }
    if (exp == 0) {                                           /* normalise a subnormal */
        while (!((sig >> (m - 1)) & 1)) { sig <<= 1; exp--; }
        sig = (sig << 1) & ((1ULL << m) - 1);
    }
    int idx = (int)(((exp & 1) << 6) | (int64_t)(sig >> (m - 6)));
    int64_t bias = (int64_t)(emax >> 1);
    int64_t oexp = (3 * bias - 1 - exp) / 2;
    uint64_t osig = (uint64_t)rvv_rsqrt7_table[idx] << (m - 7);
    return ((uint64_t)oexp << m) | osig;
}

static uint64_t rvv_frec7(int sl, uint64_t a, int rm, uint32_t *fl)
{
    int e = sl == 1 ? 5 : sl == 2 ? 8 : 11, m = sl == 1 ? 10 : sl == 2 ? 23 : 52;
    uint64_t sign = (a >> (e + m)) & 1, emax = (1ULL << e) - 1;
    int64_t exp = (int64_t)((a >> m) & emax);
    uint64_t sig = a & ((1ULL << m) - 1);
    uint64_t cnan = sl == 1 ? 0x7e00 : sl == 2 ? 0x7fc00000ULL : 0x7ff8000000000000ULL;
    uint64_t sbit = sign << (e + m);
    if ((uint64_t)exp == emax) {
        if (sig) { if (!((sig >> (m - 1)) & 1)) *fl |= SF_FLAG_NV; return cnan; }
        return sbit;                                          /* 1/inf = 0 */
    }
    if (exp == 0 && sig == 0) { *fl |= SF_FLAG_DZ; return sbit | (emax << m); }
    if (exp == 0) {
        while (!((sig >> (m - 1)) & 1)) { sig <<= 1; exp--; }
        sig = (sig << 1) & ((1ULL << m) - 1);
        if (exp < -1) {                                       /* too small: overflow */
            int to_max = rm == SF_RTZ || (rm == SF_RDN && !sign) || (rm == SF_RUP && sign);
            *fl |= SF_FLAG_OF | SF_FLAG_NX;
            return to_max ? sbit | ((emax - 1) << m) | ((1ULL << m) - 1) : sbit | (emax << m);
        }
    }
    int64_t bias = (int64_t)(emax >> 1);
    int64_t oexp = 2 * bias - 1 - exp;
    uint64_t osig = (uint64_t)rvv_rec7_table[sig >> (m - 7)] << (m - 7);
    if (oexp <= 0) {                                          /* subnormal result */
        osig = (osig | (1ULL << m)) >> (1 - oexp);
        oexp = 0;
    }
    return sbit | ((uint64_t)oexp << m) | osig;
}

/* Single-width FMA family at SEW 32/64 in round-to-nearest-even on the host's FMA unit:
 * elements whose operands are finite and whose result is normal take the host fma (the
 * correctly rounded result, so bit-identical to softfp); the others are redone with
 * softfp. The only flag such host elements can raise is inexact, read from MXCSR.PE
 * over the whole loop (PE from an element redone in softfp means that element is
 * inexact too, so it never adds a wrong flag). Returns 0 if the fast path is not
 * available (no FMA unit, not x86-64). */
#if defined(__x86_64__)
static int rvv_host_fma(void)
{
    static int have = -1;
    if (have < 0) { __builtin_cpu_init(); have = __builtin_cpu_supports("fma") ? 1 : 0; }
    return have;
}

__attribute__((target("fma"))) static int rvv_fma_fast(RvvState *v, int f6, int isvv, int vm,
        uint8_t *vd, const uint8_t *vs2, const uint8_t *vs1, uint64_t scalar, uint32_t *fl)
{
    const uint8_t *m0 = v->reg;
    const int ma1 = v->ones && v->vma;
    const int sl = v->sl;
    /* operand order: macc forms multiply vs1*vs2 and add vd; madd forms multiply vs1*vd
     * and add vs2; kind 0 +(x*y)+z, 1 +(x*y)-z, 2 -(x*y)+z, 3 -(x*y)-z */
    int addend_vs2 = f6 <= 0x2b;
    int kind = (f6 & 3) == 0 ? 0 : (f6 & 3) == 1 ? 3 : (f6 & 3) == 2 ? 1 : 2;
    double sx = kind >= 2 ? -1.0 : 1.0, sz = (kind & 1) ? -1.0 : 1.0;
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr & ~0x3fu);
    uint64_t i;
    if (sl == 3) {
        uint64_t *D = (uint64_t *)vd; const uint64_t *A = (const uint64_t *)vs2, *B = (const uint64_t *)vs1;
        for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {
            if (!vm && !RVV_MBIT(m0, i)) { if (ma1) D[i] = ~0ULL; continue; }
            uint64_t a = A[i], b = isvv ? B[i] : scalar, d = D[i];
            uint64_t x = b, y = addend_vs2 ? d : a, z = addend_vs2 ? a : d;
            if (fpf_finite64(x) && fpf_finite64(y) && fpf_finite64(z)) {
                double r = __builtin_fma(sx * fpf_d(x), fpf_d(y), sz * fpf_d(z));
                if (fpf_normal64(r)) { D[i] = fpf_u(r); continue; }
            }
            D[i] = rvv_ffma(3, kind, x, y, z, SF_RNE, fl);
        }
    } else {
        uint32_t *D = (uint32_t *)vd; const uint32_t *A = (const uint32_t *)vs2, *B = (const uint32_t *)vs1;
        for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {
            if (!vm && !RVV_MBIT(m0, i)) { if (ma1) D[i] = ~0U; continue; }
            uint32_t a = A[i], b = isvv ? B[i] : (uint32_t)scalar, d = D[i];
            uint32_t x = b, y = addend_vs2 ? d : a, z = addend_vs2 ? a : d;
            if (fpf_finite32(x) && fpf_finite32(y) && fpf_finite32(z)) {
                float r = __builtin_fmaf((float)sx * fpf_f(x), fpf_f(y), (float)sz * fpf_f(z));
                float m = __builtin_fabsf(r);
                if (m > FLT_MIN && m <= FLT_MAX) { D[i] = fpf_uf(r); continue; }   /* FLT_MIN itself may be tiny */
            }
            D[i] = (uint32_t)rvv_ffma(2, kind, x, y, z, SF_RNE, fl);
        }
    }
    if (_mm_getcsr() & 0x20u) *fl |= SF_FLAG_NX;
    _mm_setcsr(csr);
    rvv_tail(v, vd, sl);
    return 1;
}

/* vfadd/vfsub/vfrsub/vfmul/vfdiv/vfrdiv at SEW 32/64 in RNE on the host FPU, the same
 * scheme as rvv_fma_fast: finite operands and a normal result take the host result (the
 * correctly rounded one), everything else softfp; inexact from MXCSR.PE. */
static int rvv_binop_fast(RvvState *v, int f6, int isvv, int vm,
        uint8_t *vd, const uint8_t *vs2, const uint8_t *vs1, uint64_t scalar, uint32_t *fl)
{
    const uint8_t *m0 = v->reg;
    const int ma1 = v->ones && v->vma;
    const int sl = v->sl;
    int op = f6 == 0x00 ? 0 : f6 == 0x02 ? 1 : f6 == 0x27 ? 2 : f6 == 0x24 ? 3 : f6 == 0x20 ? 4 : 5;
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr & ~0x3fu);
    uint64_t i;
#define BIN_LOOP(T, FT, FIN, TOF, FROMF, OK, SOFT, EXPR, SOFTEXPR)                          \
    {   T *D = (T *)vd; const T *A = (const T *)vs2, *B = (const T *)vs1;                    \
        for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {                                                \
            if (!vm && !RVV_MBIT(m0, i)) { if (ma1) D[i] = (T)~(T)0; continue; }             \
            T a = A[i], b = isvv ? B[i] : (T)scalar;                                         \
            if (FIN(a) && FIN(b)) {                                                          \
                FT x = TOF(a), y = TOF(b), r = (EXPR);                                       \
                if (OK(r)) { D[i] = FROMF(r); continue; }                                    \
            }                                                                                \
            D[i] = SOFTEXPR;                                                                 \
        }                                                                                    \
    }
#define OK64(r) fpf_normal64(r)
#define OK32(r) (__builtin_fabsf(r) > FLT_MIN && __builtin_fabsf(r) <= FLT_MAX)
#define BOTH(EXPR, SOFT64, SOFT32)                                                           \
    if (sl == 3) BIN_LOOP(uint64_t, double, fpf_finite64, fpf_d, fpf_u, OK64, f64, EXPR, SOFT64) \
    else BIN_LOOP(uint32_t, float, fpf_finite32, fpf_f, fpf_uf, OK32, f32, EXPR, SOFT32)
    switch (op) {   /* the op outside the element loop */
    case 0: BOTH(x + y, f64_add(a, b, SF_RNE, fl), f32_add(a, b, SF_RNE, fl)); break;
    case 1: BOTH(x - y, f64_sub(a, b, SF_RNE, fl), f32_sub(a, b, SF_RNE, fl)); break;
    case 2: BOTH(y - x, f64_sub(b, a, SF_RNE, fl), f32_sub(b, a, SF_RNE, fl)); break;
    case 3: BOTH(x * y, f64_mul(a, b, SF_RNE, fl), f32_mul(a, b, SF_RNE, fl)); break;
    case 4: BOTH(x / y, f64_div(a, b, SF_RNE, fl), f32_div(a, b, SF_RNE, fl)); break;
    default: BOTH(y / x, f64_div(b, a, SF_RNE, fl), f32_div(b, a, SF_RNE, fl)); break;
    }
#undef BOTH
#undef BIN_LOOP
#undef OK64
#undef OK32
    if (_mm_getcsr() & 0x20u) *fl |= SF_FLAG_NX;
    _mm_setcsr(csr);
    rvv_tail(v, vd, sl);
    return 1;
}
#endif

/* rvv_opf for one SEW (sl a compile-time constant in each instantiation, so the
 * element accessors below fold to typed loads/stores: no per-element dispatch) */
static inline __attribute__((always_inline)) int rvv_opf_sew(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2,
        const int sl)
{
    RvvState *v = c->v;
    const int ll = v->ll;
    const int isvv = f3 == F3_FVV;
    uint8_t *vd = RVV_VREG(v, rd), *vs2 = RVV_VREG(v, rs2), *vs1 = RVV_VREG(v, rs1);
    const uint8_t *m0 = v->reg;
    const int ma1 = v->ones && v->vma;
    const int rm = (int)c->frm;
    const int W = 8 << sl;
    uint32_t fl = 0;
    uint64_t i;
    int fp_ok = (v->fp_sl >> sl) & 1;          /* FP arithmetic at this SEW */
    int fp2_ok = sl < 3 && ((v->fp_sl >> (sl + 1)) & 1) && fp_ok;   /* widening */

    if (!c->fs_on || v->vill) ILL;
    if (rm > 4) ILL;
    uint64_t scalar = isvv ? 0 : rvv_fscalar(c->f[rs1], sl);

    /* conversions: VFUNARY0 */
    if (f6 == 0x12) {
        if (!isvv) ILL;
        int op = rs1;
        int crm = (op == 6 || op == 7 || op == 14 || op == 15 || op == 22 || op == 23) ? SF_RTZ : rm;
        if (op <= 7) {                                            /* single-width */
            if (op == 4 || op == 5 || !fp_ok) ILL;
            if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (!vm && rd == 0)) ILL;
            int u = !(op & 1);
            RVV_GLOOP(sl, {
                uint64_t a = rvv_get(vs2, i, sl);
                rvv_put(vd, i, sl, (op == 2 || op == 3) ? rvv_i2f(sl, sl, u, a, crm, &fl) : rvv_f2i(sl, sl, u, a, crm, &fl));
            });
        } else if (op <= 15 || op == 13) {                         /* widening */
            int wl = sl + 1;
            if (op == 13) {                                          /* vfwcvtbf16.f.f.v */
                if (!v->zvfbfmin || sl != 1) ILL;
            } else if (op == 12) {                                   /* vfwcvt.f.f.v */
                if (!(sl == 1 ? v->zvfhmin : fp2_ok)) ILL;
            } else if (op == 10 || op == 11) {                       /* int -> wider float */
                if (!((v->fp_sl >> wl) & 1) || wl > 3) ILL;
            } else if (op == 8 || op == 9 || op == 14 || op == 15) { /* float -> wider int */
                if (!fp_ok || wl > v->elen_l) ILL;
            } else ILL;
            if (ll + 1 > 3) ILL;
            if (!rvv_aligned(rd, ll + 1) || !rvv_aligned(rs2, ll) || (!vm && rd == 0)) ILL;
            if (!rvv_overlap_ok(rd, ll + 1, 2 * W, rs2, ll, W)) ILL;
            int u = !(op & 1);
            RVV_GLOOP(wl, {
                uint64_t a = rvv_get(vs2, i, sl), r;
                if (op == 13) r = bf16_to_f32((uint16_t)a, rm, &fl);
                else if (op == 12) r = rvv_fwiden(sl, a, &fl);
                else if (op == 10 || op == 11) r = rvv_i2f(sl, wl, u, a, rm, &fl);
                else r = rvv_f2i(sl, wl, u, a, crm, &fl);
                rvv_put(vd, i, wl, r);
            });
        } else if (op <= 23 || op == 29) {                         /* narrowing */
            int wl = sl + 1;
            if (op == 29) {                                          /* vfncvtbf16.f.f.w */
                if (!v->zvfbfmin || sl != 1) ILL;
            } else if (op == 20) {                                   /* f.f (Zvfhmin at SEW 16) */
                if (!(sl == 1 ? v->zvfhmin : fp2_ok)) ILL;
            } else if (op == 21) {                                   /* rod.f.f: not in Zvfhmin */
                if (!fp2_ok) ILL;
            } else if (op == 18 || op == 19) {                       /* wide int -> float */
                if (!fp_ok || wl > v->elen_l) ILL;
            } else if (op == 16 || op == 17 || op == 22 || op == 23) { /* wide float -> int */
                if (wl > 3 || !((v->fp_sl >> wl) & 1)) ILL;
            } else ILL;
            if (ll + 1 > 3) ILL;
            if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll + 1) || (!vm && rd == 0)) ILL;
            if (!rvv_overlap_ok(rd, ll, W, rs2, ll + 1, 2 * W)) ILL;
            int u = !(op & 1);
            RVV_GLOOP(sl, {
                uint64_t a = rvv_get(vs2, i, wl), r;
                if (op == 29) r = f32_to_bf16((uint32_t)a, rm, &fl);
                else if (op == 20) r = rvv_fnarrow(sl, a, rm, &fl);
                else if (op == 21) r = rvv_fnarrow(sl, a, -1, &fl);
                else if (op == 18 || op == 19) r = rvv_i2f(wl, sl, u, a, rm, &fl);
                else r = rvv_f2i(wl, sl, u, a, crm, &fl);
                rvv_put(vd, i, sl, r);
            });
        } else ILL;
        goto done;
    }

    if (!fp_ok) ILL;

    if (f6 == 0x10) {                                             /* vfmv.f.s / vfmv.s.f */
        if (!vm) ILL;
        if (isvv) {
            if (rs1 != 0) ILL;
            c->f[rd] = rvv_fbox(rvv_get(vs2, 0, sl), sl);
            c->fwrote = 1;
        } else {
            if (rs2 != 0) ILL;
            if (v->vstart < v->vl) {
                rvv_put(vd, 0, sl, scalar);
                if (v->ones && v->vta) rvv_fill_ones(vd, 1, rvv_tail_end(v, sl), sl);
            }
        }
        goto done;
    }
    if (f6 == 0x13) {                                             /* VFUNARY1 */
        if (!isvv) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (!vm && rd == 0)) ILL;
        switch (rs1) {
        case 0: RVV_GLOOP(sl, rvv_put(vd, i, sl, FDISP(sl, sqrt, rvv_get(vs2, i, sl), rm, &fl))); break;
        case 4: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_frsqrt7(sl, rvv_get(vs2, i, sl), &fl))); break;
        case 5: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_frec7(sl, rvv_get(vs2, i, sl), rm, &fl))); break;
        case 16: RVV_GLOOP(sl, rvv_put(vd, i, sl, rvv_fclass(sl, rvv_get(vs2, i, sl)))); break;
        default: ILL;
        }
        goto done;
    }
    /* reductions */
    if (isvv && (f6 == 0x01 || f6 == 0x03 || f6 == 0x05 || f6 == 0x07 || f6 == 0x31 || f6 == 0x33)) {
        int wide = f6 >= 0x31, al = wide ? sl + 1 : sl;
        if (wide && !fp2_ok) ILL;
        if (!rvv_aligned(rs2, ll)) ILL;
        if (v->vstart) ILL;
        if (v->vl == 0) goto done;
        uint64_t acc = rvv_get(vs1, 0, al);
        int active = 0;
        for (i = 0; i < v->vl; i++) {
            if (!vm && !RVV_MBIT(m0, i)) continue;
            active = 1;
            uint64_t e = rvv_get(vs2, i, sl);
            if (wide) { acc = rvv_fadd(al, acc, rvv_fwiden(sl, e, &fl), rm, &fl); continue; }
            if (f6 == 0x05) acc = rvv_fmin(sl, acc, e, &fl);
            else if (f6 == 0x07) acc = rvv_fmax(sl, acc, e, &fl);
            else acc = rvv_fadd(sl, acc, e, rm, &fl);
        }
        if (!active && (f6 == 0x01 || f6 == 0x31)) {
            /* an unordered sum with no active element: a NaN vs1[0] reads as the canonical
             * NaN (NV if signalling), as if the identity had been added (Spike) */
            uint32_t cls = rvv_fclass(al, acc);
            if (cls & 0x300) {
                if (cls & 0x100) fl |= SF_FLAG_NV;
                acc = al == 1 ? 0x7e00 : al == 2 ? 0x7fc00000ULL : 0x7ff8000000000000ULL;
            }
        }
        rvv_put(vd, 0, al, acc);
        if (v->ones && v->vta) rvv_fill_ones(vd, 1, (uint64_t)v->vlenb >> al, al);
        goto done;
    }
    /* widening arithmetic (vfwadd..., vfwmacc..., vfwmaccbf16) */
    if (f6 >= 0x30) {
        int wl = sl + 1, wide2 = f6 == 0x34 || f6 == 0x36, bf = f6 == 0x3b;
        if (bf) {
            if (!v->zvfbfwma || sl != 1) ILL;
            if (!isvv && scalar == 0x7e00 && (c->f[rs1] >> 16) != 0xffffffffffffULL)
                scalar = 0x7fc0;                      /* a bad NaN box reads as the BF16 canonical NaN */
        }
        else if (!fp2_ok) ILL;
        if (f6 == 0x31 || f6 == 0x33 || f6 == 0x35 || f6 == 0x37 || f6 == 0x39 || f6 == 0x3a) ILL;
        if (ll + 1 > 3) ILL;
        if (!rvv_aligned(rd, ll + 1) || !rvv_aligned(rs2, wide2 ? ll + 1 : ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!vm && rd == 0) ILL;
        if (!wide2 && !rvv_overlap_ok(rd, ll + 1, 2 * W, rs2, ll, W)) ILL;
        if (isvv && !rvv_overlap_ok(rd, ll + 1, 2 * W, rs1, ll, W)) ILL;
        RVV_GLOOP(wl, {
            uint64_t a = wide2 ? rvv_get(vs2, i, wl) : bf ? bf16_to_f32((uint16_t)rvv_get(vs2, i, sl), rm, &fl) : rvv_fwiden(sl, rvv_get(vs2, i, sl), &fl);
            uint64_t b0 = isvv ? rvv_get(vs1, i, sl) : scalar;
            uint64_t b = bf ? bf16_to_f32((uint16_t)b0, rm, &fl) : rvv_fwiden(sl, b0, &fl);
            uint64_t d = rvv_get(vd, i, wl), r;
            switch (f6) {
            case 0x30: case 0x34: r = rvv_fadd(wl, a, b, rm, &fl); break;
            case 0x32: case 0x36: r = rvv_fsub(wl, a, b, rm, &fl); break;
            case 0x38: r = rvv_fmul(wl, a, b, rm, &fl); break;
            case 0x3b: case 0x3c: r = rvv_ffma(wl, 0, b, a, d, rm, &fl); break;   /* +(vs1*vs2)+vd */
            case 0x3d: r = rvv_ffma(wl, 3, b, a, d, rm, &fl); break;              /* -(vs1*vs2)-vd */
            case 0x3e: r = rvv_ffma(wl, 1, b, a, d, rm, &fl); break;              /* +(vs1*vs2)-vd */
            default: r = rvv_ffma(wl, 2, b, a, d, rm, &fl); break;                /* -(vs1*vs2)+vd */
            }
            rvv_put(vd, i, wl, r);
        });
        goto done;
    }
    if (f6 == 0x17) {                                             /* vfmerge / vfmv.v.f */
        if (isvv) ILL;
        if (!rvv_aligned(rd, ll)) ILL;
        if (vm) {
            if (rs2 != 0) ILL;
            for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) rvv_put(vd, i, sl, scalar);
        } else {
            if (rd == 0 || !rvv_aligned(rs2, ll)) ILL;
            for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++)
                rvv_put(vd, i, sl, RVV_MBIT(m0, i) ? scalar : rvv_get(vs2, i, sl));
        }
        rvv_tail(v, vd, sl);
        goto done;
    }
    if (f6 >= 0x18 && f6 <= 0x1f) {                              /* compares */
        if (f6 == 0x1a || f6 == 0x1e) ILL;
        if ((f6 == 0x1d || f6 == 0x1f) && isvv) ILL;
        if (!rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
        if (!rvv_overlap_ok(rd, 0, 1, rs2, ll, W) || (isvv && !rvv_overlap_ok(rd, 0, 1, rs1, ll, W))) ILL;
        for (uint64_t vl_ = (i = v->vstart, v->vl); i < vl_; i++) {
            if (!vm && !RVV_MBIT(m0, i)) { if (ma1) rvv_setbit(vd, i, 1); continue; }
            uint64_t a = rvv_get(vs2, i, sl), b = isvv ? rvv_get(vs1, i, sl) : scalar;
            int r;
            switch (f6) {
            case 0x18: r = rvv_feq(sl, a, b, &fl); break;
            case 0x19: r = rvv_fle(sl, a, b, &fl); break;
            case 0x1b: r = rvv_flt(sl, a, b, &fl); break;
            case 0x1c: r = !rvv_feq(sl, a, b, &fl); break;
            case 0x1d: r = rvv_flt(sl, b, a, &fl); break;
            default: r = rvv_fle(sl, b, a, &fl); break;
            }
            rvv_setbit(vd, i, r);
        }
        rvv_mask_tail(v, vd);
        goto done;
    }
    if (f6 == 0x0e || f6 == 0x0f) {                               /* vfslide1up/down */
        if (isvv) ILL;
        if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (!vm && rd == 0)) ILL;
        if (f6 == 0x0e) {
            if (rvv_overlap(rd, rvv_nregs(ll), rs2, rvv_nregs(ll))) ILL;
            RVV_GLOOP(sl, rvv_put(vd, i, sl, i == 0 ? scalar : rvv_get(vs2, i - 1, sl)));
        } else {
            uint64_t vl = v->vl;
            RVV_GLOOP(sl, rvv_put(vd, i, sl, i + 1 == vl ? scalar : rvv_get(vs2, i + 1, sl)));
        }
        goto done;
    }
    /* single-width arithmetic */
    if (!rvv_aligned(rd, ll) || !rvv_aligned(rs2, ll) || (isvv && !rvv_aligned(rs1, ll))) ILL;
    if (!vm && rd == 0) ILL;
#if defined(__x86_64__)
    if (f6 >= 0x28 && f6 <= 0x2f && rm == SF_RNE && sl >= 2 && rvv_host_fma()) {
        rvv_fma_fast(v, f6, isvv, vm, vd, vs2, vs1, scalar, &fl);
        goto done;
    }
    if ((f6 == 0x00 || f6 == 0x02 || f6 == 0x20 || f6 == 0x24 || (!isvv && (f6 == 0x21 || f6 == 0x27)))
            && rm == SF_RNE && sl >= 2) {
        rvv_binop_fast(v, f6, isvv, vm, vd, vs2, vs1, scalar, &fl);
        goto done;
    }
#endif
    {
        uint64_t sgn = 1ULL << (W - 1);
        switch (f6) {
#define FL(EXPR) RVV_GLOOP(sl, { uint64_t a = rvv_get(vs2, i, sl); uint64_t b = isvv ? rvv_get(vs1, i, sl) : scalar; \
                                 uint64_t d = rvv_get(vd, i, sl); (void)d; rvv_put(vd, i, sl, (EXPR)); })
        case 0x00: FL(rvv_fadd(sl, a, b, rm, &fl)); break;
        case 0x02: FL(rvv_fsub(sl, a, b, rm, &fl)); break;
        case 0x04: FL(rvv_fmin(sl, a, b, &fl)); break;
        case 0x06: FL(rvv_fmax(sl, a, b, &fl)); break;
        case 0x08: FL((a & ~sgn) | (b & sgn)); break;
        case 0x09: FL((a & ~sgn) | (~b & sgn)); break;
        case 0x0a: FL(a ^ (b & sgn)); break;
        case 0x20: FL(rvv_fdiv(sl, a, b, rm, &fl)); break;
        case 0x21: if (isvv) ILL; FL(rvv_fdiv(sl, b, a, rm, &fl)); break;
        case 0x24: FL(rvv_fmul(sl, a, b, rm, &fl)); break;
        case 0x27: if (isvv) ILL; FL(rvv_fsub(sl, b, a, rm, &fl)); break;
        case 0x28: FL(rvv_ffma(sl, 0, b, d, a, rm, &fl)); break;    /* vfmadd: +(vs1*vd)+vs2 */
        case 0x29: FL(rvv_ffma(sl, 3, b, d, a, rm, &fl)); break;    /* vfnmadd: -(vs1*vd)-vs2 */
        case 0x2a: FL(rvv_ffma(sl, 1, b, d, a, rm, &fl)); break;    /* vfmsub: +(vs1*vd)-vs2 */
        case 0x2b: FL(rvv_ffma(sl, 2, b, d, a, rm, &fl)); break;    /* vfnmsub: -(vs1*vd)+vs2 */
        case 0x2c: FL(rvv_ffma(sl, 0, b, a, d, rm, &fl)); break;    /* vfmacc: +(vs1*vs2)+vd */
        case 0x2d: FL(rvv_ffma(sl, 3, b, a, d, rm, &fl)); break;    /* vfnmacc: -(vs1*vs2)-vd */
        case 0x2e: FL(rvv_ffma(sl, 1, b, a, d, rm, &fl)); break;    /* vfmsac: +(vs1*vs2)-vd */
        case 0x2f: FL(rvv_ffma(sl, 2, b, a, d, rm, &fl)); break;    /* vfnmsac: -(vs1*vs2)+vd */
#undef FL
        default: ILL;
        }
    }
done:
    c->fflags |= fl;
    v->vstart = 0;
    return RVV_OK;
}

static int rvv_opf(RvvCtx *c, int f6, int f3, int vm, int rd, int rs1, int rs2)
{
    switch (c->v->sl) {
    case 0: return rvv_opf_sew(c, f6, f3, vm, rd, rs1, rs2, 0);
    case 1: return rvv_opf_sew(c, f6, f3, vm, rd, rs1, rs2, 1);
    case 2: return rvv_opf_sew(c, f6, f3, vm, rd, rs1, rs2, 2);
    default: return rvv_opf_sew(c, f6, f3, vm, rd, rs1, rs2, 3);
    }
}

/* the entry for an OP-V word other than vset* */
static int rvv_opv(RvvCtx *c)
{
    uint32_t w = c->insn;
    int f6 = (int)(w >> 26), vm = (w >> 25) & 1, rs2 = (w >> 20) & 31, rs1 = (w >> 15) & 31;
    int f3 = (w >> 12) & 7, rd = (w >> 7) & 31;
    if (c->v->reg == NULL) return RVV_ILLEGAL;
    /* Arithmetic never stops part-way here, so a nonzero vstart is one this hart could not
     * produce: illegal (the spec allows it; Spike does the same, vmv<nr>r.v included). */
    if (c->v->vstart) return RVV_ILLEGAL;
    {
        RvvState *v = c->v;
        ZvkCtx z = {v->reg, c->x, v->vlenb, v->vl, v->vstart, v->vill, v->sl, v->ll,
                    v->vta, v->vma, v->ones, v->zvk_ext, v->elen_l};
        int zr = (w & 0x7F) == 0x77 ? zvk_opve(&z, w) : zvk_opv(&z, w);
        if (zr != ZVK_NOT_MINE) {
            if (zr != ZVK_OK)
                return RVV_ILLEGAL;
            v->vstart = 0;
            return RVV_OK;
        }
    }
    switch (f3) {
    case F3_IVV: case F3_IVX: case F3_IVI: return rvv_opi(c, f6, f3, vm, rd, rs1, rs2);
    case F3_MVV: case F3_MVX: return rvv_opm(c, f6, f3, vm, rd, rs1, rs2);
    case F3_FVV: case F3_FVF: return rvv_opf(c, f6, f3, vm, rd, rs1, rs2);
    default: return RVV_ILLEGAL;
    }
}

#undef ILL
#endif
