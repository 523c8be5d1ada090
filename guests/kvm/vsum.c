/*
 * vsum: a VS-mode guest (an S-mode SBI payload) that keeps state in vector and FP
 * registers across its whole run, for the snapshot/migration tests: each round computes a
 * vector dot product (strip-mined, so any VLEN gives the same numbers), adds it into v16
 * (which lives in the vector register file from start to end) and into f8, and prints the
 * three values through the SBI console. A snapshot that loses or garbles vector or FP
 * state, or restores it at the wrong VLEN, changes the output.
 */
#include "guest.h"

#define N 777
#define ROUNDS 40

static uint64_t a[N], b[N];

static __attribute__((noinline)) uint64_t vdot(const uint64_t *x, const uint64_t *y, long n)
{
    uint64_t sum = 0, part;
    while (n > 0) {
        long vl;
        __asm__ volatile("vsetvli %0, %1, e64, m1, ta, ma" : "=r"(vl) : "r"(n));
        __asm__ volatile("vle64.v v1, (%1)\n\t"
                         "vle64.v v2, (%2)\n\t"
                         "vmul.vv v3, v1, v2\n\t"
                         "vmv.s.x v4, zero\n\t"
                         "vredsum.vs v4, v3, v4\n\t"
                         "vmv.x.s %0, v4"
                         : "=r"(part) : "r"(x), "r"(y) : "memory");
        sum += part;
        x += vl;
        y += vl;
        n -= vl;
    }
    return sum;
}

int main(long hartid, void *fdt)
{
    (void)hartid;
    (void)fdt;
    __asm__ volatile("csrs sstatus, %0" : : "r"((1UL << 13) | (1UL << 9)));
    for (long i = 0; i < N; i++) {
        a[i] = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
        b[i] = (uint64_t)(N - i) ^ 0x5555;
    }
    __asm__ volatile("vsetivli zero, 2, e64, m1, ta, ma\n\t"
                     "vmv.v.i v16, 0\n\t"
                     "fmv.d.x f8, zero");
    for (long r = 0; r < ROUNDS; r++) {
        uint64_t d = vdot(a + r, b, N - r), acc, fp;
        __asm__ volatile("vsetivli zero, 2, e64, m1, ta, ma\n\t"
                         "vadd.vx v16, v16, %1\n\t"
                         "vmv.x.s %0, v16"
                         : "=r"(acc) : "r"(d));
        __asm__ volatile("fcvt.d.lu f9, %1\n\t"
                         "fadd.d f8, f8, f9\n\t"
                         "fmv.x.d %0, f8"
                         : "=r"(fp) : "r"(d >> 20) : "f9");
        rv_puts("round ");
        rv_putdec(r);
        rv_puts(" dot ");
        rv_puthex(d);
        rv_puts(" acc ");
        rv_puthex(acc);
        rv_puts(" fp ");
        rv_puthex(fp);
        rv_putc('\n');
    }
    return 0;
}
