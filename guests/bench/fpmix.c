/* fpmix: n-body (D), fma matrix multiply (D), polynomial/sqrt loop (F). */
#include "bench.h"
#include "expected.h"

#ifndef FPMIX_ITERS
#define FPMIX_ITERS 150
#endif

volatile uint64_t bench_iters = FPMIX_ITERS;
volatile uint64_t bench_done;

int main(void)
{
    uint64_t n = bench_iters;
    for (uint64_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i % BENCH_NVARIANTS);
        uint64_t seed = bench_seed(v);
        const uint64_t *e = fpmix_expected[v];
        if (f_nbody(seed) != e[0]) return EXIT_FPMIX_BASE + 0;
        if (f_dgemm(seed) != e[1]) return EXIT_FPMIX_BASE + 1;
        if (f_poly(seed) != e[2])  return EXIT_FPMIX_BASE + 2;
        bench_done = i + 1;
    }
    return 0;
}
