/*
 * rvemu throughput-suite guests: shared declarations.
 *
 * Every workload reads its iteration count from the global
 *     volatile uint64_t bench_iters
 * (the harness may overwrite it in memory before starting the hart) and
 * exits through HTIF with code 0 on success.  Each iteration i runs the
 * kernels on input variant v = i % BENCH_NVARIANTS and compares every
 * kernel's checksum against a precomputed table (expected.h, generated on
 * the host by gen_expected.py), so any iteration count is verifiable.
 *
 * The same kernel sources are compiled natively on the host (BENCH_HOST)
 * to produce expected.h, so they must be portable C: fixed-width types,
 * uint8_t rather than char, no pointer values in checksums.
 */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>
#include <stddef.h>

#define BENCH_NVARIANTS 8

/* Exit codes (0 = pass). */
#define EXIT_INTMIX_BASE   10   /* + kernel index: checksum mismatch     */
#define EXIT_BRANCHY_BASE  20
#define EXIT_MEMCPY_BASE   30
#define EXIT_FPMIX_BASE    40
#define EXIT_SELFCHECK     50   /* + n: a kernel's internal invariant broke */
#define EXIT_TRAP_BASE    100   /* + mcause: unexpected trap              */
#define EXIT_SV39_SETUP    90   /* Sv39 start-up problem                  */

/* Terminate with the given code (M-mode: HTIF; U-mode: ecall to M-mode). */
void bench_exit(uint64_t code) __attribute__((noreturn));

/* Per-variant seed. */
static inline uint64_t bench_seed(unsigned v)
{
    return 0x243F6A8885A308D3ull ^ ((uint64_t)(v + 1) * 0x9E3779B97F4A7C15ull);
}

/* Small PRNG (xorshift64 followed by a multiplicative scramble). */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    return (x << (r & 63)) | (x >> ((64 - r) & 63));
}

/* Checksum combiner shared by all kernels. */
static inline uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return rotl64(h, 23) * 0xFF51AFD7ED558CCDull;
}

/* ---- intmix (kernels.c) ---- */
#define INTMIX_NKERNELS 5
void intmix_init(void);
uint64_t k_sort(uint64_t seed);
uint64_t k_hash(uint64_t seed);
uint64_t k_matmul(uint64_t seed);
uint64_t k_tokenize(uint64_t seed);
uint64_t k_list(uint64_t seed);
int intmix_run(uint64_t iters);

/* ---- branchy (branchy_kernels.c) ---- */
#define BRANCHY_NKERNELS 4
uint64_t b_parse(uint64_t seed);
uint64_t b_bsearch(uint64_t seed);
uint64_t b_collatz(uint64_t seed);
uint64_t b_switch(uint64_t seed);

/* ---- memcpy (memcpy_kernels.c) ---- */
#define MEMCPY_NKERNELS 2
void memcpy_init(void);
uint64_t m_copies(uint64_t seed);
uint64_t m_sets(uint64_t seed);

/* ---- fpmix (fp_kernels.c) ---- */
#define FPMIX_NKERNELS 3
uint64_t f_nbody(uint64_t seed);
uint64_t f_dgemm(uint64_t seed);
uint64_t f_poly(uint64_t seed);

#endif
