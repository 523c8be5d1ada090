/*
 * branchy kernels: a byte-by-byte record parser, binary search,
 * Collatz trajectories, and data-dependent switches (a random-opcode
 * switch and a small bytecode interpreter).
 */
#include "bench.h"

/* ------------------------------------------------------------------ */
/* 1. parser for lines like   key=123; k2=0x1F; s="a\"b"; l=[1,-2,3]; */
/* ------------------------------------------------------------------ */
#define PARSE_LEN 3072
static uint8_t parse_text[PARSE_LEN + 64];

static long gen_records(uint64_t seed)
{
    static const uint8_t hexd[] = "0123456789abcdef";
    uint64_t s = seed;
    long n = 0;
    while (n < PARSE_LEN) {
        uint64_t r = rng_next(&s);
        /* key */
        unsigned klen = 1 + (unsigned)(r & 7);
        r >>= 3;
        for (unsigned i = 0; i < klen; i++, r >>= 5)
            parse_text[n++] = (uint8_t)('a' + (r & 31) % 26);
        if (r & 1) parse_text[n++] = ' ';
        parse_text[n++] = '=';
        r = rng_next(&s);
        switch (r & 3) {
        case 0: {                               /* decimal, maybe negative */
            if (r & 4) parse_text[n++] = '-';
            unsigned d = 1 + (unsigned)((r >> 3) & 7);
            r >>= 6;
            for (unsigned i = 0; i < d; i++, r >>= 4)
                parse_text[n++] = (uint8_t)('0' + (r & 15) % 10);
            break;
        }
        case 1: {                               /* hex */
            parse_text[n++] = '0';
            parse_text[n++] = (r & 4) ? 'x' : 'X';
            unsigned d = 1 + (unsigned)((r >> 3) & 7);
            r >>= 6;
            for (unsigned i = 0; i < d; i++, r >>= 4) {
                uint8_t c = hexd[r & 15];
                if ((r & 0x10000) && c >= 'a') c = (uint8_t)(c - 32);
                parse_text[n++] = c;
            }
            break;
        }
        case 2: {                               /* string with escapes */
            parse_text[n++] = '"';
            unsigned len = (unsigned)((r >> 2) & 15);
            r >>= 6;
            for (unsigned i = 0; i < len; i++, r >>= 3) {
                if (i % 16 == 15) r = rng_next(&s);
                switch (r & 7) {
                case 0: parse_text[n++] = '\\'; parse_text[n++] = '"'; break;
                case 1: parse_text[n++] = '\\'; parse_text[n++] = 'n'; break;
                case 2: parse_text[n++] = '\\'; parse_text[n++] = '\\'; break;
                default: parse_text[n++] = (uint8_t)('A' + (r & 63) % 26); break;
                }
            }
            parse_text[n++] = '"';
            break;
        }
        default: {                              /* list of small ints */
            parse_text[n++] = '[';
            unsigned cnt = (unsigned)((r >> 2) & 7);
            r >>= 5;
            for (unsigned i = 0; i < cnt; i++, r >>= 6) {
                if (i) parse_text[n++] = ',';
                if (r & 1) parse_text[n++] = '-';
                unsigned v = (unsigned)((r >> 1) & 31);
                if (v >= 10) parse_text[n++] = (uint8_t)('0' + v / 10);
                parse_text[n++] = (uint8_t)('0' + v % 10);
            }
            parse_text[n++] = ']';
            break;
        }
        }
        parse_text[n++] = ';';
        if (r & 0x40) parse_text[n++] = (r & 0x80) ? '\n' : ' ';
    }
    parse_text[n] = 0;
    return n;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint64_t b_parse(uint64_t seed)
{
    long len = gen_records(seed);
    const uint8_t *p = parse_text, *end = parse_text + len;
    uint64_t h = 0;
    uint32_t nrec = 0, nnum = 0, nstr = 0, nlist = 0, nesc = 0;
    while (p < end) {
        while (*p == ' ' || *p == '\n') p++;
        if (p >= end) break;
        /* key */
        uint64_t kh = 5381;
        while (*p >= 'a' && *p <= 'z') kh = kh * 33 + *p++;
        while (*p == ' ') p++;
        if (*p != '=') bench_exit(EXIT_SELFCHECK + 11);
        p++;
        uint64_t vh;
        if (*p == '"') {
            p++;
            vh = 0;
            for (;;) {
                uint8_t c = *p++;
                if (c == '"') break;
                if (c == '\\') {
                    nesc++;
                    c = *p++;
                    switch (c) {
                    case 'n': c = '\n'; break;
                    case '"': break;
                    case '\\': break;
                    default: bench_exit(EXIT_SELFCHECK + 12);
                    }
                }
                vh = vh * 131 + c;
            }
            nstr++;
        } else if (*p == '[') {
            p++;
            vh = 17;
            while (*p != ']') {
                int neg = 0;
                if (*p == ',') p++;
                if (*p == '-') { neg = 1; p++; }
                int64_t v = 0;
                while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
                vh = vh * 37 + (uint64_t)(neg ? -v : v);
            }
            p++;
            nlist++;
        } else {
            int neg = 0;
            if (*p == '-') { neg = 1; p++; }
            int64_t v = 0;
            if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
                p += 2;
                int d;
                while ((d = hexval(*p)) >= 0) { v = (v << 4) | d; p++; }
            } else {
                while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
            }
            vh = (uint64_t)(neg ? -v : v);
            nnum++;
        }
        if (*p != ';') bench_exit(EXIT_SELFCHECK + 13);
        p++;
        nrec++;
        h = mix64(h, kh ^ rotl64(vh, 17));
    }
    h = mix64(h, nrec);
    h = mix64(h, ((uint64_t)nnum << 32) | nstr);
    return mix64(h, ((uint64_t)nlist << 32) | nesc);
}

/* ------------------------------------------------------------------ */
/* 2. binary search over a sorted table                                */
/* ------------------------------------------------------------------ */
#define BS_N 2048
#define BS_Q 1000
static uint32_t bs_table[BS_N];

static long bsearch_u32(const uint32_t *a, long n, uint32_t key)
{
    long lo = 0, hi = n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) >> 1;
        uint32_t v = a[mid];
        if (v == key) return mid;
        if (v < key) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1 - lo;
}

uint64_t b_bsearch(uint64_t seed)
{
    uint64_t s = seed;
    uint32_t x = 0;
    for (long i = 0; i < BS_N; i += 4) {
        uint64_t r = rng_next(&s);
        for (int k = 0; k < 4; k++, r >>= 16) {
            x += 1 + (uint32_t)(r & 15);
            bs_table[i + k] = x;
        }
    }
    uint64_t h = 0;
    long hits = 0;
    for (long q = 0; q < BS_Q; q++) {
        uint32_t key = (uint32_t)(rng_next(&s) >> 32) % (x + 64);
        long r = bsearch_u32(bs_table, BS_N, key);
        if (r >= 0) hits++;
        h = h * 0x100000001B3ull + (uint64_t)r;
    }
    return mix64(h, (uint64_t)hits);
}

/* ------------------------------------------------------------------ */
/* 3. Collatz trajectories                                             */
/* ------------------------------------------------------------------ */
#define COLLATZ_N 120

uint64_t b_collatz(uint64_t seed)
{
    uint64_t base = (seed >> 40) | 1;   /* up to ~16M */
    uint64_t total = 0, maxsteps = 0, peak = 0;
    for (uint64_t k = 0; k < COLLATZ_N; k++) {
        uint64_t n = base + k, steps = 0;
        while (n != 1) {
            if (n & 1) {
                n = 3 * n + 1;
                if (n > peak) peak = n;
            } else {
                n >>= 1;
            }
            steps++;
        }
        total += steps;
        if (steps > maxsteps) maxsteps = steps;
    }
    return mix64(mix64(total, maxsteps), peak);
}

/* ------------------------------------------------------------------ */
/* 4. data-dependent switch + a little bytecode interpreter            */
/* ------------------------------------------------------------------ */
#define SW_LEN 4096
static uint8_t sw_buf[SW_LEN];

uint64_t b_switch_ops(uint64_t seed)
{
    uint64_t s = seed;
    for (long i = 0; i < SW_LEN; i += 8) {
        uint64_t r = rng_next(&s);
        for (int b = 0; b < 8; b++) sw_buf[i + b] = (uint8_t)(r >> (8 * b));
    }
    uint64_t a = seed, b = 1, c = 0;
    for (long i = 0; i < SW_LEN; i++) {
        uint8_t x = sw_buf[i];
        switch (x % 12) {
        case 0:  a += x; break;
        case 1:  a ^= b << (x & 31); break;
        case 2:  b = b * 3 + x; break;
        case 3:  c += a >> 7; break;
        case 4:  a = rotl64(a, x & 63); break;
        case 5:  if (a & 1) c ^= b; else c += 17; break;
        case 6:  b -= c; break;
        case 7:  a = a * 0x5851F42D4C957F2Dull + 1; break;
        case 8:  c = (c << 3) | (x >> 5); break;
        case 9:  if (b > c) b -= x; else c -= x; break;
        case 10: a += b + c; break;
        default: b ^= a >> (x & 15); break;
        }
    }
    return mix64(mix64(a, b), c);
}

/* A tiny register-machine interpreter running a fixed program. */
enum { VM_LI, VM_ADD, VM_ADDI, VM_MUL, VM_REM, VM_XOR,
       VM_BLT, VM_BGE, VM_BEQ, VM_JMP, VM_HALT };
struct vm_insn { uint8_t op, rd, ra, rb; int32_t imm; };

/*
 * r0 = n (input), r1 = i, r2 = acc, r3 = j, r7 = 0, r8 = 3.
 *   for (i = 2; i < n; i++) {
 *       for (j = 2; j * j <= i; j++) if (i % j == 0) goto next;
 *       acc ^= acc * 3 + i;            (i is prime)
 *   next: ;
 *   }
 */
static const struct vm_insn vm_prog[] = {
    /*  0 */ { VM_LI,   1, 0, 0, 2 },
    /*  1 */ { VM_BGE,  0, 1, 0, 14 },   /* L_outer: if i >= n goto done */
    /*  2 */ { VM_LI,   3, 0, 0, 2 },
    /*  3 */ { VM_MUL,  5, 3, 3, 0 },    /* L_inner */
    /*  4 */ { VM_BLT,  0, 1, 5, 9 },    /* if i < j*j goto prime */
    /*  5 */ { VM_REM,  6, 1, 3, 0 },
    /*  6 */ { VM_BEQ,  0, 6, 7, 12 },   /* if i % j == 0 goto next */
    /*  7 */ { VM_ADDI, 3, 3, 0, 1 },
    /*  8 */ { VM_JMP,  0, 0, 0, 3 },
    /*  9 */ { VM_MUL,  5, 2, 8, 0 },    /* L_prime */
    /* 10 */ { VM_ADD,  5, 5, 1, 0 },
    /* 11 */ { VM_XOR,  2, 2, 5, 0 },
    /* 12 */ { VM_ADDI, 1, 1, 0, 1 },    /* L_next */
    /* 13 */ { VM_JMP,  0, 0, 0, 1 },
    /* 14 */ { VM_HALT, 0, 0, 0, 0 },
};

static uint64_t vm_run(const struct vm_insn *prog, int64_t n, uint64_t *steps)
{
    uint64_t r[16] = {0};
    r[0] = (uint64_t)n;
    r[8] = 3;
    long pc = 0;
    uint64_t cnt = 0;
    for (;;) {
        const struct vm_insn *in = &prog[pc++];
        cnt++;
        switch (in->op) {
        case VM_LI:   r[in->rd] = (uint64_t)(int64_t)in->imm; break;
        case VM_ADD:  r[in->rd] = r[in->ra] + r[in->rb]; break;
        case VM_ADDI: r[in->rd] = r[in->ra] + (uint64_t)(int64_t)in->imm; break;
        case VM_MUL:  r[in->rd] = r[in->ra] * r[in->rb]; break;
        case VM_REM:  r[in->rd] = r[in->ra] % r[in->rb]; break;
        case VM_XOR:  r[in->rd] = r[in->ra] ^ r[in->rb]; break;
        case VM_BLT:  if ((int64_t)r[in->ra] < (int64_t)r[in->rb]) pc = in->imm; break;
        case VM_BGE:  if ((int64_t)r[in->ra] >= (int64_t)r[in->rb]) pc = in->imm; break;
        case VM_BEQ:  if (r[in->ra] == r[in->rb]) pc = in->imm; break;
        case VM_JMP:  pc = in->imm; break;
        case VM_HALT: *steps = cnt; return r[2];
        default:      bench_exit(EXIT_SELFCHECK + 14);
        }
    }
}

uint64_t b_switch(uint64_t seed)
{
    uint64_t h = b_switch_ops(seed);
    uint64_t steps = 0;
    uint64_t acc = vm_run(vm_prog, 300 + (int64_t)(seed % 64), &steps);
    return mix64(mix64(h, acc), steps);
}
