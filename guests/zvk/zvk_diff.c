/* Differential harness: every case of zvk_diff_cases.inc (gen_zvk_diff.py) runs one ZV*
 * instruction word -- legal or not -- with its vtype and AVL on a pseudo-random register
 * file, and prints "zd <case> <mcause or 0> <FNV-1a of the register file after>".
 * tests/test_zvk_diff.py compares that with rvemu/_core/zvk_exec.h. Exit 0 always: the
 * comparison is the test's, not the guest's. */
#include "zvk_guest.h"

struct zd_case { uint32_t insn; uint32_t vtype; uint32_t avl; };
#include "zvk_diff_cases.inc"

long zd_run(uint64_t vtype, uint64_t avl, const uint8_t *in, uint8_t *out, const uint64_t *xs);
extern uint32_t zd_slot[2];

#define MAXREGS (32 * 64)               /* VLEN up to 512 */
static uint8_t regs_in[MAXREGS] __attribute__((aligned(64)));
static uint8_t regs_out[MAXREGS] __attribute__((aligned(64)));
static const uint64_t XS[4] = {0x0123456789abcdefULL, 63, 0xfffffffffffffff1ULL,
                               0x8000000000000005ULL};

int main(void) {
    vector_on();
    uint64_t s = 0x9E3779B97F4A7C15ULL;  /* xorshift64: the register file's bytes */
    for (unsigned i = 0; i < MAXREGS; i += 8) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        for (int b = 0; b < 8; b++) regs_in[i + b] = (uint8_t)(s >> (8 * b));
    }
    unsigned n = sizeof ZD_CASES / sizeof ZD_CASES[0];
    uint64_t vlenb = csr_read(vlenb);
    rv_puts("zd vlenb ");
    rv_putdec(vlenb);
    rv_putc('\n');
    for (unsigned i = 0; i < n; i++) {
        zd_slot[0] = ZD_CASES[i].insn;
        __asm__ volatile("fence.i" ::: "memory");
        long cause = zd_run(ZD_CASES[i].vtype, ZD_CASES[i].avl, regs_in, regs_out, XS);
        uint64_t h = 0xcbf29ce484222325ULL;
        for (unsigned k = 0; k < 32 * vlenb; k++) {
            h ^= regs_out[k];
            h *= 0x100000001b3ULL;
        }
        rv_puts("zd ");
        rv_putdec(i);
        rv_putc(' ');
        rv_putdec((uint64_t)cause);
        rv_putc(' ');
        rv_puthex(h);
        rv_putc('\n');
    }
    rv_puts("zd done\n");
    return 0;
}
