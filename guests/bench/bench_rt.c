/*
 * Minimal freestanding runtime for the benchmark guests: the mem*
 * functions the compiler may call for struct copies / aggregate
 * initialisation, and (BENCH_COUNT builds only) the retired-instruction
 * report printed on the HTIF console at exit.
 * Compiled with -ffreestanding (implies -fno-builtin), so the loops below
 * are not turned back into calls to themselves.
 */
#include "bench.h"

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    if (dp < sp) {
        while (n--) *dp++ = *sp++;
    } else {
        dp += n; sp += n;
        while (n--) *--dp = *--sp;
    }
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    while (n--) *dp++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}

#ifdef BENCH_COUNT
extern volatile uint64_t tohost, fromhost;
uint64_t bench_instret0;

static void htif_putc(uint8_t c)
{
    tohost = (1ull << 56) | (1ull << 48) | c;
    while (tohost != 0) ;
    fromhost = 0;
}

void bench_report_count(void)
{
    uint64_t now;
    __asm__ volatile ("csrr %0, minstret" : "=r"(now));
    uint64_t n = now - bench_instret0;
    char buf[24];
    int i = 0;
    do { buf[i++] = (char)('0' + n % 10); n /= 10; } while (n);
    const char *pre = "instret=";
    while (*pre) htif_putc((uint8_t)*pre++);
    while (i) htif_putc((uint8_t)buf[--i]);
    htif_putc('\n');
}
#endif
