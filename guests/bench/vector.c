/*
 * vector: RVV kernels (memcpy, strlen, saxpy, dot product, matrix multiply, reductions)
 * on NV input variants (filled once). The first pass over each variant checks every vector result
 * against its scalar twin (exit EXIT_VECTOR_BASE + kernel on a mismatch) and records a
 * checksum; later iterations must reproduce it. Built with -DVEC_SCALAR_ONLY it is the
 * scalar twin workload: the same driver running the scalar kernels.
 */
#include "bench.h"
#include "vector_bench.h"

#ifndef VECTOR_ITERS
#define VECTOR_ITERS 200
#endif
#define NV 1
#define NCOPY 8192
#define N 1024
#define M 32
#define NSTR 4

volatile uint64_t bench_iters = VECTOR_ITERS;
volatile uint64_t bench_done;

static uint8_t src[NCOPY], dst2[NCOPY];
static uint8_t str[NSTR][2048];
static float x[N], y2[N];
#ifndef VEC_SCALAR_ONLY
static float y[N];
static double C[M * M];
static uint8_t dst[NCOPY];
#endif
static int32_t ia[N], ib[N];
static double A[M * M], B[M * M], C2[M * M];
static uint64_t sums[NV];

static void fill(uint64_t seed)
{
    uint64_t s = seed;
    for (int i = 0; i < NCOPY; i += 8) {
        uint64_t r = rng_next(&s);
        for (int k = 0; k < 8; k++) src[i + k] = (uint8_t)(r >> (8 * k));
    }
    for (int j = 0; j < NSTR; j++) {
        int len = 300 + (int)(rng_next(&s) % 1700);
        for (int i = 0; i < len; i++) str[j][i] = (uint8_t)(1 + rng_next(&s) % 255);
        str[j][len] = 0;
    }
    for (int i = 0; i < N; i++) {
        uint64_t r = rng_next(&s);
        x[i] = (float)(int32_t)(r & 0xffff) / 256.0f;
        ia[i] = (int32_t)(r >> 16);
        ib[i] = (int32_t)(r >> 32) >> 4;
    }
    for (int i = 0; i < M * M; i++) {
        uint64_t r = rng_next(&s);
        A[i] = (double)(int32_t)(r & 0xfffff) / 1024.0;
        B[i] = (double)(int32_t)(r >> 40) / 4096.0;
    }
}

static void fill_y(uint64_t seed, float *dst)
{
    for (int i = 0; i < N; i++) dst[i] = (float)(int)((seed >> (i & 31)) & 1023) * 0.5f;
}

static uint64_t bits_d(double d) { union { double d; uint64_t u; } v = { d }; return v.u; }
static uint32_t bits_f(float f) { union { float f; uint32_t u; } v = { f }; return v.u; }

static uint64_t run_scalar(uint64_t seed)
{
    uint64_t h = 0;
    int64_t sum; int32_t mx;
    fill_y(seed, y2);
    s_memcpy(dst2, src, NCOPY);
    h = mix64(h, dst2[NCOPY - 1]);
    for (int j = 0; j < NSTR; j++) h = mix64(h, s_strlen(str[j]));
    s_saxpy(N, 1.5f, x, y2);
    h = mix64(h, bits_f(y2[N - 1]));
    h = mix64(h, (uint64_t)s_dot(N, ia, ib));
    s_matmul(M, A, B, C2);
    h = mix64(h, bits_d(C2[M * M - 1]));
    s_reduce(N, ia, &sum, &mx);
    h = mix64(h, (uint64_t)sum);
    h = mix64(h, (uint64_t)(int64_t)mx);
    return h;
}

#ifndef VEC_SCALAR_ONLY
static int memeq(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (size_t i = 0; i < n; i++) if (p[i] != q[i]) return 0;
    return 1;
}

/* the vector kernels; with check, each result is compared with its scalar twin
 * (whose results run_scalar left in dst2, y2, C2) */
static int run_vector(uint64_t seed, int check, uint64_t *out)
{
    uint64_t h = 0;
    int64_t sum, ssum; int32_t mx, smx;
    fill_y(seed, y);
    v_memcpy(dst, src, NCOPY);
    if (check && !memeq(dst, dst2, NCOPY)) return 0;
    h = mix64(h, dst[NCOPY - 1]);
    for (int j = 0; j < NSTR; j++) {
        size_t n = v_strlen(str[j]);
        if (check && n != s_strlen(str[j])) return 1;
        h = mix64(h, n);
    }
    v_saxpy(N, 1.5f, x, y);
    if (check && !memeq(y, y2, sizeof y)) return 2;
    h = mix64(h, bits_f(y[N - 1]));
    int64_t d = v_dot(N, ia, ib);
    if (check && d != s_dot(N, ia, ib)) return 3;
    h = mix64(h, (uint64_t)d);
    v_matmul(M, A, B, C);
    if (check && !memeq(C, C2, sizeof C)) return 4;
    h = mix64(h, bits_d(C[M * M - 1]));
    v_reduce(N, ia, &sum, &mx);
    if (check) {
        s_reduce(N, ia, &ssum, &smx);
        if (sum != ssum || mx != smx) return 5;
    }
    h = mix64(h, (uint64_t)sum);
    h = mix64(h, (uint64_t)(int64_t)mx);
    *out = h;
    return -1;
}
#endif

int main(void)
{
    uint64_t n = bench_iters;
#ifndef VEC_SCALAR_ONLY
    __asm__ volatile("csrs mstatus, %0" :: "r"(1ul << 9));   /* mstatus.VS = Initial */
#endif
    for (uint64_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i % NV);
        uint64_t seed = bench_seed(v);
        uint64_t h;
        if (NV > 1 || i == 0)
            fill(seed);
#ifdef VEC_SCALAR_ONLY
        h = run_scalar(seed);
#else
        if (i < NV) {
            uint64_t hs = run_scalar(seed);
            int k = run_vector(seed, 1, &h);
            if (k >= 0) return EXIT_VECTOR_BASE + k;
            if (h != hs) return EXIT_VECTOR_BASE + 7;
        } else if (run_vector(seed, 0, &h) >= 0) {
            return EXIT_VECTOR_BASE + 7;
        }
#endif
        if (i < NV) sums[v] = h;
        else if (h != sums[v]) return EXIT_VECTOR_BASE + 7;
        bench_done = i + 1;
    }
    return 0;
}
