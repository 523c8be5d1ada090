/*
 * intmix kernels: sorting, CRC32 + hashes, integer matrix multiply,
 * a table-driven tokenizer DFA and linked-list insert/delete/traverse.
 * Shared by intmix.elf (RV64GC), intmix_rv64g.elf (no C) and
 * intmix_sv39.elf (U-mode under Sv39); also compiled on the host to
 * generate expected.h.
 */
#include "bench.h"

/* ------------------------------------------------------------------ */
/* 1. sort: quicksort (median of three, Hoare partition) + insertion   */
/* ------------------------------------------------------------------ */
#define SORT_N 600
static uint32_t sort_buf[SORT_N];

static void insertion_sort(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t x = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > x) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = x;
    }
}

static void quick_sort(uint32_t *a, long n)
{
    while (n > 12) {
        long mid = n >> 1;
        uint32_t x = a[0], y = a[mid], z = a[n - 1], p;
        /* median of three */
        if (x < y) p = (y < z) ? y : (x < z ? z : x);
        else       p = (x < z) ? x : (y < z ? z : y);
        long i = -1, j = n;
        for (;;) {
            do i++; while (a[i] < p);
            do j--; while (a[j] > p);
            if (i >= j) break;
            uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
        }
        /* recurse into the smaller half, iterate on the larger */
        long left = j + 1, right = n - left;
        if (left < right) {
            quick_sort(a, left);
            a += left; n = right;
        } else {
            quick_sort(a + left, right);
            n = left;
        }
    }
    insertion_sort(a, n);
}

uint64_t k_sort(uint64_t seed)
{
    uint64_t s = seed, h = 0;
    /* values with many duplicates in the low range and some wide ones */
    for (long i = 0; i < SORT_N; i++) {
        uint64_t r = rng_next(&s);
        sort_buf[i] = (r & 3) ? (uint32_t)(r >> 40) & 0xFFFF : (uint32_t)(r >> 32);
    }
    quick_sort(sort_buf, SORT_N);
    for (long i = 0; i < SORT_N; i++) {
        if (i && sort_buf[i - 1] > sort_buf[i])
            bench_exit(EXIT_SELFCHECK + 1);
        h = h * 0x100000001B3ull + (sort_buf[i] ^ (uint64_t)i);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* 2. hash: CRC32 (table + bitwise), FNV-1a 64, a murmur-like mixer    */
/* ------------------------------------------------------------------ */
#define HASH_LEN 2048
static uint32_t crc_table[256];
static uint8_t hash_buf[HASH_LEN] __attribute__((aligned(8)));

void intmix_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_table(const uint8_t *p, long n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (long i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

static uint32_t crc32_bitwise(const uint8_t *p, long n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (long i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint64_t fnv1a64(const uint8_t *p, long n)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (long i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

/* Word-at-a-time multiply/rotate hash over 64-bit little-endian words. */
static uint64_t wordhash64(const uint8_t *p, long n, uint64_t seed)
{
    uint64_t h = seed ^ ((uint64_t)n * 0xC6A4A7935BD1E995ull);
    for (long i = 0; i + 8 <= n; i += 8) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--)
            k = (k << 8) | p[i + b];
        k *= 0x87C37B91114253D5ull;
        k = rotl64(k, 31);
        k *= 0x4CF5AD432745937Full;
        h ^= k;
        h = rotl64(h, 27) * 5 + 0x52DCE729;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 29;
    return h;
}

uint64_t k_hash(uint64_t seed)
{
    uint64_t s = seed;
    for (long i = 0; i < HASH_LEN; i += 8) {
        uint64_t r = rng_next(&s);
        for (int b = 0; b < 8; b++)
            hash_buf[i + b] = (uint8_t)(r >> (8 * b));
    }
    uint32_t c1 = crc32_table(hash_buf, HASH_LEN);
    uint32_t c2 = crc32_bitwise(hash_buf, 256);
    if (crc32_table(hash_buf, 256) != c2)
        bench_exit(EXIT_SELFCHECK + 2);
    uint64_t f = fnv1a64(hash_buf, HASH_LEN);
    uint64_t w = wordhash64(hash_buf, HASH_LEN, seed);
    uint64_t h = mix64(0, c1);
    h = mix64(h, c2);
    h = mix64(h, f);
    return mix64(h, w);
}

/* ------------------------------------------------------------------ */
/* 3. integer matrix multiply (int32, wrap-around) + div/rem reduction */
/* ------------------------------------------------------------------ */
#define MAT_N 20
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

uint64_t k_matmul(uint64_t seed)
{
    uint64_t s = seed;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            uint64_t r = rng_next(&s);
            mat_a[i][j] = (int32_t)(r >> 48) - 32768;
            mat_b[i][j] = (int32_t)((r >> 20) & 0xFFFFF) - 0x80000;
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            uint32_t acc = 0;   /* unsigned: defined wrap-around */
            for (int k = 0; k < MAT_N; k++)
                acc += (uint32_t)mat_a[i][k] * (uint32_t)mat_b[k][j];
            mat_c[i][j] = (int32_t)acc;
        }
    uint64_t h = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = mat_c[i][j];
            int32_t d = (int32_t)((i * MAT_N + j) | 1) * 7;
            /* signed and unsigned division/remainder */
            h = h * 31 + (uint64_t)(int64_t)(v / d) + (uint64_t)(int64_t)(v % 1009);
            h ^= (uint64_t)(uint32_t)v % 65521u;
        }
    return h;
}

/* ------------------------------------------------------------------ */
/* 4. tokenizer: character classes + transition table (a DFA)          */
/* ------------------------------------------------------------------ */
#define TOK_LEN 2048
static uint8_t tok_text[TOK_LEN + 1];

enum { C_WS, C_ALPHA, C_DIGIT, C_OP, C_PUNCT, C_QUOTE, C_BSLASH, C_OTHER, NCLS };
enum { S_START, S_IDENT, S_NUM, S_OP, S_STR, S_ESC, NSTATE };
#define EMIT 0x80   /* the token in the current state ends before this byte */

static uint8_t char_class[256];
static const uint8_t dfa[NSTATE][NCLS] = {
    /*             WS               ALPHA            DIGIT            OP               PUNCT            QUOTE            BSLASH           OTHER */
    /* START */ { S_START,         S_IDENT,         S_NUM,           S_OP,            S_START,         S_STR,           S_START,         S_START },
    /* IDENT */ { EMIT|S_START,    S_IDENT,         S_IDENT,         EMIT|S_OP,       EMIT|S_START,    EMIT|S_STR,      EMIT|S_START,    EMIT|S_START },
    /* NUM   */ { EMIT|S_START,    EMIT|S_IDENT,    S_NUM,           EMIT|S_OP,       EMIT|S_START,    EMIT|S_STR,      EMIT|S_START,    EMIT|S_START },
    /* OP    */ { EMIT|S_START,    EMIT|S_IDENT,    EMIT|S_NUM,      S_OP,            EMIT|S_START,    EMIT|S_STR,      EMIT|S_START,    EMIT|S_START },
    /* STR   */ { S_STR,           S_STR,           S_STR,           S_STR,           S_STR,           EMIT|S_START,    S_ESC,           S_STR },
    /* ESC   */ { S_STR,           S_STR,           S_STR,           S_STR,           S_STR,           S_STR,           S_STR,           S_STR },
};

static void tok_init_classes(void)
{
    for (int c = 0; c < 256; c++) {
        uint8_t k = C_OTHER;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') k = C_WS;
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') k = C_ALPHA;
        else if (c >= '0' && c <= '9') k = C_DIGIT;
        else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '=' ||
                 c == '<' || c == '>' || c == '!' || c == '&' || c == '|') k = C_OP;
        else if (c == '(' || c == ')' || c == '{' || c == '}' || c == ';' || c == ',') k = C_PUNCT;
        else if (c == '"') k = C_QUOTE;
        else if (c == '\\') k = C_BSLASH;
        char_class[c] = k;
    }
}

static void tok_gen(uint64_t seed)
{
    static const uint8_t alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    static const uint8_t ops[] = "+-*/=<>!&|";
    static const uint8_t punct[] = "(){};,";
    uint64_t s = seed;
    long n = 0;
    while (n < TOK_LEN - 24) {
        uint64_t r = rng_next(&s);
        unsigned kind = (unsigned)(r % 7);
        r >>= 3;
        unsigned len = 1 + (unsigned)(r & 7);
        r >>= 3;
        switch (kind) {
        case 0: case 1:
            for (unsigned i = 0; i < len; i++, r >>= 6)
                tok_text[n++] = i ? ((r & 63) < 53 ? alpha[r & 63] : (uint8_t)('0' + (r & 7))) : alpha[(r & 63) % 53];
            break;
        case 2:
            for (unsigned i = 0; i < len; i++, r >>= 4)
                tok_text[n++] = (uint8_t)('0' + (r & 15) % 10);
            break;
        case 3:
            tok_text[n++] = ops[r % 10];
            if (r & 0x100) tok_text[n++] = ops[(r >> 4) % 10];
            break;
        case 4:
            tok_text[n++] = punct[r % 6];
            break;
        case 5:
            tok_text[n++] = '"';
            for (unsigned i = 0; i < len; i++, r >>= 5) {
                if ((r & 31) == 0) { tok_text[n++] = '\\'; tok_text[n++] = '"'; }
                else tok_text[n++] = (uint8_t)(' ' + 1 + (r & 31) * 2);  /* never '"' or '\\' */
            }
            tok_text[n++] = '"';
            break;
        default:
            tok_text[n++] = (r & 1) ? ' ' : ((r & 2) ? '\n' : '\t');
            break;
        }
    }
    while (n < TOK_LEN) tok_text[n++] = ' ';
    tok_text[TOK_LEN] = 0;
}

uint64_t k_tokenize(uint64_t seed)
{
    if (char_class['a'] != C_ALPHA) tok_init_classes();
    tok_gen(seed);
    uint32_t counts[NSTATE] = {0};
    uint64_t h = 0, tokhash = 0;
    unsigned st = S_START;
    for (long i = 0; i <= TOK_LEN; i++) {
        uint8_t ch = tok_text[i];          /* final NUL (OTHER) flushes */
        unsigned t = dfa[st][char_class[ch]];
        if (t & EMIT) {
            counts[st]++;
            h = mix64(h, tokhash ^ ((uint64_t)st << 60));
        }
        unsigned ns = t & 0x7F;
        if ((t & EMIT) || st == S_START)   /* a new token starts */
            tokhash = (ns == S_NUM) ? 0 : 0xCBF29CE484222325ull;
        switch (ns) {
        case S_IDENT: case S_OP: case S_STR:
            tokhash = (tokhash ^ ch) * 0x100000001B3ull;
            break;
        case S_NUM:
            tokhash = tokhash * 10 + (uint64_t)(ch - '0');
            break;
        default:
            break;
        }
        st = ns;
    }
    for (int k = 0; k < NSTATE; k++)
        h = mix64(h, counts[k]);
    return h;
}

/* ------------------------------------------------------------------ */
/* 5. linked list: sorted insert, delete by predicate, traverse        */
/* ------------------------------------------------------------------ */
#define LIST_N 220
struct lnode {
    struct lnode *next;
    uint32_t key;
    uint32_t val;
};
static struct lnode list_pool[LIST_N];
static uint16_t list_perm[LIST_N];

static void list_insert_sorted(struct lnode **head, struct lnode *n)
{
    struct lnode **pp = head;
    while (*pp && (*pp)->key < n->key)
        pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
}

uint64_t k_list(uint64_t seed)
{
    uint64_t s = seed;
    /* scatter nodes over the pool: a random permutation (Fisher-Yates) */
    for (int i = 0; i < LIST_N; i++) list_perm[i] = (uint16_t)i;
    for (int i = LIST_N - 1; i > 0; i--) {
        int j = (int)(rng_next(&s) % (uint64_t)(i + 1));
        uint16_t t = list_perm[i]; list_perm[i] = list_perm[j]; list_perm[j] = t;
    }
    struct lnode *head = 0;
    for (int i = 0; i < LIST_N; i++) {
        struct lnode *n = &list_pool[list_perm[i]];
        uint64_t r = rng_next(&s);
        n->key = (uint32_t)(r >> 44);
        n->val = (uint32_t)i;
        list_insert_sorted(&head, n);
    }
    /* delete every node whose key has low bits 00, keep them on a free list */
    struct lnode *freel = 0, **pp = &head;
    long removed = 0;
    while (*pp) {
        struct lnode *n = *pp;
        if ((n->key & 3) == 0) {
            *pp = n->next;
            n->next = freel;
            freel = n;
            removed++;
        } else {
            pp = &n->next;
        }
    }
    /* re-insert the removed nodes with fresh keys */
    while (freel) {
        struct lnode *n = freel;
        freel = n->next;
        n->key = (uint32_t)(rng_next(&s) >> 44) | 1;
        n->val += 1000;
        list_insert_sorted(&head, n);
    }
    /* traverse: verify order and length, fold keys and values */
    uint64_t h = (uint64_t)removed;
    long count = 0;
    uint32_t prev = 0;
    for (struct lnode *n = head; n; n = n->next) {
        if (n->key < prev) bench_exit(EXIT_SELFCHECK + 3);
        prev = n->key;
        h = h * 0x9E3779B1u + ((uint64_t)n->key << 16) + n->val;
        count++;
    }
    if (count != LIST_N) bench_exit(EXIT_SELFCHECK + 4);
    return h;
}
