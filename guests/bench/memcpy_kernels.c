/*
 * memcpy kernels: our own byte / 32-bit / 64-bit copy and set loops over
 * various sizes and (relative) alignments, overlapping moves in both
 * directions, and a 64-bit shift-merge copy for mismatched alignment.
 * Only naturally aligned loads and stores are ever issued.
 * Built with -fno-strict-aliasing (word access to byte buffers).
 */
#include "bench.h"

#define MBUF 32768
#define MPAD 64
static uint8_t msrc[MBUF + MPAD] __attribute__((aligned(64)));
static uint8_t mdst[MBUF + MPAD] __attribute__((aligned(64)));

static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n--) *d++ = *s++;
}

static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        while (n && ((uintptr_t)d & 3)) { *d++ = *s++; n--; }
        uint32_t *dw = (uint32_t *)d;
        const uint32_t *sw = (const uint32_t *)s;
        for (; n >= 4; n -= 4) *dw++ = *sw++;
        d = (uint8_t *)dw; s = (const uint8_t *)sw;
    }
    while (n--) *d++ = *s++;
}

/* Forward 64-bit copy; also correct for overlapping moves with d < s. */
static void copy_u64(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n && ((uintptr_t)d & 7)) { *d++ = *s++; n--; }
    uint64_t *dw = (uint64_t *)d;
    unsigned mis = (unsigned)((uintptr_t)s & 7);
    if (mis == 0) {
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 32; n -= 32, dw += 4, sw += 4) {
            uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
        }
        for (; n >= 8; n -= 8) *dw++ = *sw++;
        s = (const uint8_t *)sw;
    } else if (n >= 8) {
        /* shift-merge: aligned source words, little-endian */
        unsigned sh = mis * 8;
        const uint64_t *sw = (const uint64_t *)(s - mis);
        uint64_t w0 = *sw++;
        for (; n >= 8; n -= 8) {
            uint64_t w1 = *sw++;
            *dw++ = (w0 >> sh) | (w1 << (64 - sh));
            w0 = w1;
            s += 8;
        }
    }
    d = (uint8_t *)dw;
    while (n--) *d++ = *s++;
}

/* Backward copy for overlapping moves with d > s. */
static void move_backward(uint8_t *d, const uint8_t *s, size_t n)
{
    d += n; s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) { *--d = *--s; n--; }
        uint64_t *dw = (uint64_t *)d;
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 8; n -= 8) *--dw = *--sw;
        d = (uint8_t *)dw; s = (const uint8_t *)sw;
    }
    while (n--) *--d = *--s;
}

static void set_bytes(uint8_t *d, uint8_t c, size_t n)
{
    while (n--) *d++ = c;
}

static void set_words(uint8_t *d, uint8_t c, size_t n)
{
    while (n && ((uintptr_t)d & 3)) { *d++ = c; n--; }
    uint32_t v = c * 0x01010101u;
    uint32_t *dw = (uint32_t *)d;
    for (; n >= 4; n -= 4) *dw++ = v;
    d = (uint8_t *)dw;
    while (n--) *d++ = c;
}

static void set_u64(uint8_t *d, uint8_t c, size_t n)
{
    while (n && ((uintptr_t)d & 7)) { *d++ = c; n--; }
    uint64_t v = c * 0x0101010101010101ull;
    uint64_t *dw = (uint64_t *)d;
    for (; n >= 32; n -= 32, dw += 4) {
        dw[0] = v; dw[1] = v; dw[2] = v; dw[3] = v;
    }
    for (; n >= 8; n -= 8) *dw++ = v;
    d = (uint8_t *)dw;
    while (n--) *d++ = c;
}

static uint64_t hash_buf64(const uint8_t *p, size_t n)
{
    const uint64_t *w = (const uint64_t *)p;
    uint64_t h = 0x6A09E667F3BCC908ull;
    for (size_t i = 0; i < n / 8; i++)
        h = rotl64(h ^ w[i], 29) * 0x9E3779B97F4A7C15ull;
    return h;
}

/* Bytes equal to c over [p, p+n)?  Byte head/tail, 64-bit middle. */
static int check_set(const uint8_t *p, uint8_t c, size_t n)
{
    while (n && ((uintptr_t)p & 7)) { if (*p++ != c) return 0; n--; }
    uint64_t v = c * 0x0101010101010101ull;
    const uint64_t *w = (const uint64_t *)p;
    for (; n >= 8; n -= 8) if (*w++ != v) return 0;
    p = (const uint8_t *)w;
    while (n--) if (*p++ != c) return 0;
    return 1;
}

void memcpy_init(void)
{
    uint64_t s = 0x0123456789ABCDEFull;
    for (size_t i = 0; i < MBUF + MPAD; i += 8) {
        uint64_t r = rng_next(&s);
        for (int b = 0; b < 8; b++) msrc[i + b] = (uint8_t)(r >> (8 * b));
    }
}

static size_t pick_size(uint64_t r)
{
    switch (r & 3) {
    case 0:  return 1 + (size_t)((r >> 2) & 15);         /* 1..16      */
    case 1:  return 17 + (size_t)((r >> 2) % 240);       /* 17..256    */
    case 2:  return 257 + (size_t)((r >> 2) % 1792);     /* 257..2048  */
    default: return 2049 + (size_t)((r >> 2) % 6144);    /* 2049..8192 */
    }
}

#define COPY_OPS 48

uint64_t m_copies(uint64_t seed)
{
    uint64_t s = seed;
    set_u64(mdst, (uint8_t)seed, MBUF);
    uint64_t h = 0;
    for (int op = 0; op < COPY_OPS; op++) {
        uint64_t r = rng_next(&s);
        unsigned kind = (unsigned)(r % 5);
        size_t n = pick_size(r >> 3);
        uint64_t r2 = rng_next(&s);
        size_t so = (size_t)(r2 % (MBUF - n + 1));
        size_t dof = (size_t)((r2 >> 32) % (MBUF - n + 1));
        switch (kind) {
        case 0: copy_bytes(mdst + dof, msrc + so, n); break;
        case 1: copy_words(mdst + dof, msrc + so, n); break;
        case 2: copy_u64(mdst + dof, msrc + so, n); break;
        case 3: copy_u64(mdst + (dof & ~(size_t)7), msrc + (so | 1), n); break;  /* force shift-merge */
        default:                                            /* memmove in dst */
            if (dof < so) copy_u64(mdst + dof, mdst + so, n);
            else if (dof > so) move_backward(mdst + dof, mdst + so, n);
            break;
        }
        h = mix64(h, (uint64_t)mdst[dof] | ((uint64_t)mdst[dof + n - 1] << 8) | ((uint64_t)n << 16));
    }
    return mix64(h, hash_buf64(mdst, MBUF));
}

#define SET_OPS 64

uint64_t m_sets(uint64_t seed)
{
    /* works on the buffer left by m_copies (same iteration) */
    uint64_t s = seed ^ 0x5555;
    uint64_t h = 0;
    for (int op = 0; op < SET_OPS; op++) {
        uint64_t r = rng_next(&s);
        size_t n = pick_size(r >> 4);
        size_t off = (size_t)((r >> 32) % (MBUF - n + 1));
        uint8_t c = (uint8_t)(r >> 24);
        switch (r % 3) {
        case 0: set_bytes(mdst + off, c, n); break;
        case 1: set_words(mdst + off, c, n); break;
        default: set_u64(mdst + off, c, n); break;
        }
        if (!check_set(mdst + off, c, n))
            bench_exit(EXIT_SELFCHECK + 21);
        h = mix64(h, (uint64_t)off * 131 + n);
    }
    return mix64(h, hash_buf64(mdst, MBUF));
}
