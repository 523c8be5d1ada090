/*
 * intmix: integer mix (sort, CRC32/FNV/word hash, int matrix multiply,
 * tokenizer DFA, linked list).  Built three ways from the same source:
 * intmix.elf (RV64GC, M-mode), intmix_rv64g.elf (no C extension) and
 * intmix_sv39.elf (U-mode under Sv39, crt_sv39.S + sv39.c).
 */
#include "bench.h"
#include "expected.h"

#ifndef INTMIX_ITERS
#define INTMIX_ITERS 100
#endif

volatile uint64_t bench_iters = INTMIX_ITERS;   /* harness may overwrite */
volatile uint64_t bench_done;                   /* iterations completed  */

int main(void)
{
    uint64_t n = bench_iters;
    intmix_init();
    for (uint64_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i % BENCH_NVARIANTS);
        uint64_t seed = bench_seed(v);
        const uint64_t *e = intmix_expected[v];
        if (k_sort(seed) != e[0])     return EXIT_INTMIX_BASE + 0;
        if (k_hash(seed) != e[1])     return EXIT_INTMIX_BASE + 1;
        if (k_matmul(seed) != e[2])   return EXIT_INTMIX_BASE + 2;
        if (k_tokenize(seed) != e[3]) return EXIT_INTMIX_BASE + 3;
        if (k_list(seed) != e[4])     return EXIT_INTMIX_BASE + 4;
        bench_done = i + 1;
    }
    return 0;
}
