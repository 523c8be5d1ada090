/* memcpy: byte / word / 64-bit copy, move and set loops. */
#include "bench.h"
#include "expected.h"

#ifndef MEMCPY_ITERS
#define MEMCPY_ITERS 60
#endif

volatile uint64_t bench_iters = MEMCPY_ITERS;
volatile uint64_t bench_done;

int main(void)
{
    uint64_t n = bench_iters;
    memcpy_init();
    for (uint64_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i % BENCH_NVARIANTS);
        uint64_t seed = bench_seed(v);
        const uint64_t *e = memcpy_expected[v];
        if (m_copies(seed) != e[0]) return EXIT_MEMCPY_BASE + 0;
        if (m_sets(seed) != e[1])   return EXIT_MEMCPY_BASE + 1;
        bench_done = i + 1;
    }
    return 0;
}
