/*
 * fpmix kernels (F and D).  Every operation is correctly rounded IEEE
 * arithmetic in round-to-nearest-even (add/sub/mul/div/sqrt/fma/convert/
 * min/max/compare/sign-inject), evaluated in source order: the sources are
 * compiled with -ffp-contract=off and -fno-math-errno, fused multiply-adds
 * are written explicitly with __builtin_fma/__builtin_fmaf.  The results are
 * therefore bit-exact on any IEEE machine, and checked against the bit
 * patterns computed on the host (expected.h).  No NaNs, infinities,
 * signed-zero ties or out-of-range conversions occur.
 */
#include "bench.h"

static inline uint64_t dbits(double d)
{
    union { double d; uint64_t u; } v;
    v.d = d;
    return v.u;
}

static inline uint32_t fbits(float f)
{
    union { float f; uint32_t u; } v;
    v.f = f;
    return v.u;
}

/* uniform in [0, 1), exact */
static inline double rnd_unit(uint64_t *s)
{
    return (double)(int64_t)(rng_next(s) >> 11) * 0x1p-53;
}

/* ------------------------------------------------------------------ */
/* 1. n-body (double): pairwise gravity, sqrt + div, fma position step */
/* ------------------------------------------------------------------ */
#define NB 6
#define NB_STEPS 60
struct body { double x, y, z, vx, vy, vz, m; };
static struct body bodies[NB];

uint64_t f_nbody(uint64_t seed)
{
    uint64_t s = seed;
    for (int i = 0; i < NB; i++) {
        struct body *b = &bodies[i];
        b->x = rnd_unit(&s) * 10.0 - 5.0;
        b->y = rnd_unit(&s) * 10.0 - 5.0;
        b->z = rnd_unit(&s) * 10.0 - 5.0;
        b->vx = rnd_unit(&s) - 0.5;
        b->vy = rnd_unit(&s) - 0.5;
        b->vz = rnd_unit(&s) - 0.5;
        b->m = rnd_unit(&s) * 1.5 + 0.5;
    }
    const double dt = 0.01, soft = 0.05;
    for (int step = 0; step < NB_STEPS; step++) {
        for (int i = 0; i < NB; i++) {
            struct body *bi = &bodies[i];
            for (int j = i + 1; j < NB; j++) {
                struct body *bj = &bodies[j];
                double dx = bi->x - bj->x, dy = bi->y - bj->y, dz = bi->z - bj->z;
                double d2 = dx * dx + dy * dy + dz * dz + soft;
                double dist = __builtin_sqrt(d2);
                double mag = dt / (d2 * dist);
                double mi = bi->m * mag, mj = bj->m * mag;
                bi->vx -= dx * mj; bi->vy -= dy * mj; bi->vz -= dz * mj;
                bj->vx += dx * mi; bj->vy += dy * mi; bj->vz += dz * mi;
            }
        }
        for (int i = 0; i < NB; i++) {
            struct body *b = &bodies[i];
            b->x = __builtin_fma(dt, b->vx, b->x);
            b->y = __builtin_fma(dt, b->vy, b->y);
            b->z = __builtin_fma(dt, b->vz, b->z);
        }
    }
    /* energy */
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        struct body *bi = &bodies[i];
        e += 0.5 * bi->m * (bi->vx * bi->vx + bi->vy * bi->vy + bi->vz * bi->vz);
        for (int j = i + 1; j < NB; j++) {
            struct body *bj = &bodies[j];
            double dx = bi->x - bj->x, dy = bi->y - bj->y, dz = bi->z - bj->z;
            e -= bi->m * bj->m / __builtin_sqrt(dx * dx + dy * dy + dz * dz + soft);
        }
    }
    uint64_t h = dbits(e);
    for (int i = 0; i < NB; i++) {
        struct body *b = &bodies[i];
        h = mix64(h, dbits(b->x) ^ rotl64(dbits(b->vx), 1));
        h = mix64(h, dbits(b->y) ^ rotl64(dbits(b->vy), 2));
        h = mix64(h, dbits(b->z) ^ rotl64(dbits(b->vz), 3));
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* 2. double matrix multiply with fused multiply-add (+ fmsub/fnm*)    */
/* ------------------------------------------------------------------ */
#define DM_N 20
static double dm_a[DM_N][DM_N], dm_b[DM_N][DM_N], dm_c[DM_N][DM_N];

uint64_t f_dgemm(uint64_t seed)
{
    uint64_t s = seed;
    for (int i = 0; i < DM_N; i++)
        for (int j = 0; j < DM_N; j++) {
            dm_a[i][j] = rnd_unit(&s) * 2.0 - 1.0;
            dm_b[i][j] = rnd_unit(&s) * 2.0 - 1.0;
        }
    for (int i = 0; i < DM_N; i++)
        for (int j = 0; j < DM_N; j++) {
            double acc = 0.0;
            for (int k = 0; k < DM_N; k++)
                acc = __builtin_fma(dm_a[i][k], dm_b[k][j], acc);
            dm_c[i][j] = acc;
        }
    uint64_t h = 0;
    double tr = 0.0;
    for (int i = 0; i < DM_N; i++)
        for (int j = 0; j < DM_N; j++) {
            double c = dm_c[i][j];
            double d = dm_a[j][i];
            double t = __builtin_fma(c, 0.75, -d);            /* fmsub  */
            double u = __builtin_fma(-c, t, d);               /* fnmsub */
            double w = __builtin_fma(-c, u, -t);              /* fnmadd */
            double q = w / (__builtin_fabs(c) + 1.0);
            tr += q;
            h = mix64(h, dbits(q));
        }
    return mix64(h, dbits(tr));
}

/* ------------------------------------------------------------------ */
/* 3. single-precision polynomial / sqrt / div loop, conversions       */
/* ------------------------------------------------------------------ */
#define POLY_N 2000

uint64_t f_poly(uint64_t seed)
{
    static const float c[8] = { 1.0f, 0.5f, 0.1666666716f, 0.0416666679f,
                                0.00833333377f, 0.00138888892f,
                                0.000198412701f, 2.48015876e-05f };
    uint64_t s = seed;
    float acc = 0.0f, lo = 100.0f, hi = -100.0f;
    double dacc = 0.0;
    int64_t isum = 0;
    uint32_t above = 0;
    for (int i = 0; i < POLY_N; i++) {
        uint64_t r = rng_next(&s);
        float x = (float)(int32_t)(r & 0xFFFFF) * 0x1p-20f + 0.5f;   /* [0.5,1.5) */
        float y = (float)(int32_t)((r >> 20) & 0xFFFF) * 0x1p-14f - 2.0f; /* [-2,2) */
        float p = c[7];
        for (int k = 6; k >= 0; k--)
            p = __builtin_fmaf(p, x, c[k]);                     /* fmadd.s */
        float q = __builtin_sqrtf(__builtin_fmaf(x, p, 1.0f));
        float w = q / (x + 1.5f);
        float z = __builtin_fmaf(-y, w, p);                     /* fnmsub.s */
        acc += w;
        if (z > hi) hi = z;
        if (z < lo) lo = z;
        if (p > q) above++;
        if (z <= p) above += 0x10000;                           /* fle.s */
        if (w == q) above += 0x1000000;                         /* feq.s */
        isum += (int32_t)(z * 1000.0f);                         /* fcvt.w.s rtz */
        dacc += (double)p * (double)__builtin_fabsf(y - q);     /* fcvt.d.s */
        float back = (float)(dacc * 0.001);                     /* fcvt.s.d */
        isum ^= (int64_t)dacc << 20;                            /* fcvt.l.d rtz */
        acc = __builtin_fmaxf(acc, back * 0.5f + 1.0f);
        acc = __builtin_fminf(acc, 1.0e6f + (float)i);
    }
    uint64_t h = mix64(fbits(acc), fbits(lo));
    h = mix64(h, fbits(hi));
    h = mix64(h, dbits(dacc));
    h = mix64(h, (uint64_t)isum);
    return mix64(h, above);
}
