/* branchy: record parser, binary search, Collatz, switch + bytecode VM. */
#include "bench.h"
#include "expected.h"

#ifndef BRANCHY_ITERS
#define BRANCHY_ITERS 60
#endif

volatile uint64_t bench_iters = BRANCHY_ITERS;
volatile uint64_t bench_done;

int main(void)
{
    uint64_t n = bench_iters;
    for (uint64_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i % BENCH_NVARIANTS);
        uint64_t seed = bench_seed(v);
        const uint64_t *e = branchy_expected[v];
        if (b_parse(seed) != e[0])   return EXIT_BRANCHY_BASE + 0;
        if (b_bsearch(seed) != e[1]) return EXIT_BRANCHY_BASE + 1;
        if (b_collatz(seed) != e[2]) return EXIT_BRANCHY_BASE + 2;
        if (b_switch(seed) != e[3])  return EXIT_BRANCHY_BASE + 3;
        bench_done = i + 1;
    }
    return 0;
}
