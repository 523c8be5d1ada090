/*
 * zvk.h -- the operations of the vector bit-manipulation and crypto sub-extensions
 * (unpriv zvbb.adoc, zvbc.adoc, zvk.adoc), one function per instruction, for the vector
 * unit to call once per element (Zvbb, Zvbc) or once per element group (everything else).
 *
 * Register layout.  The kernels take plain arrays in RVV's register layout: element i of a
 * group is array index i, so a pointer to element group g of a register group is
 * (uint32_t *)(vreg + g * EGW / 8) (uint64_t * for SHA-512) -- contiguous across the
 * registers of a group when LMUL > 1.  Values are the elements' numeric values; bytes of an
 * element group are taken in little-endian order (byte k of the group = byte k%SEW/8 of
 * element k/(SEW/8)), which for AES and GHASH is the order of the 16 bytes of a block as
 * stored in memory (FIPS-197 in[0..15], SP 800-38D bit string left to right).
 *
 *   EGW=128, SEW=32 (uint32_t[4]): vaes*, vaeskf1/2, vghsh, vgmul, vsha2* (SHA-256), vsm4*
 *   EGW=256, SEW=64 (uint64_t[4]): vsha2* (SHA-512, Zvknhb)
 *   EGW=256, SEW=32 (uint32_t[8]): vsm3me, vsm3c
 *
 * Every kernel reads all of its inputs before it writes vd, so any aliasing of vd with a
 * source is computed as the spec's pseudocode would; the spec reserves some overlaps anyway
 * (docs/zvk-integration.md), and those checks belong to the vector unit.  The .vs forms are
 * the same kernels called with element group 0 of vs2 as the key for every group of vd.
 * Immediates are passed raw (all 5 bits); the kernels apply the spec's rules (vaeskf1/2
 * remap out-of-range round numbers, vsm4k uses uimm[2:0], vsm3c all 5 bits).
 *
 * Data-independent timing (Zvkt, and the spec's DIEL rule for every cryptography-specific
 * instruction of Zvkned, Zvknha/b, Zvkg, Zvksed and Zvksh, which holds with or without
 * Zvkt).  Zvkt covers all Zvbb (so Zvkb) and Zvbc instructions and a list of base vector
 * ones (zvk.adoc, "Zvkt"); DIEL covers the data operands, not vl, vtype, the mask, nor
 * constants in the encoding (immediates, x0).  What this file promises for the kernels
 * below, as far as C source can promise it:
 *   - no branch and no loop bound depends on operand data: loops run a fixed number of
 *     times; selections are made with all-ones/all-zeros masks (-(x & 1)), not with if;
 *   - on x86-64 hosts with AES-NI and PCLMULQDQ (see below) the AES rounds, the AES and SM4
 *     S-boxes of the key schedules and SM4 rounds (SM4's through a change of field basis)
 *     and the carry-less products (vclmul/vclmulh, GHASH) use those instructions, whose
 *     latency the vendors document as data-independent; everything else is portable C;
 *   - no memory access is indexed by operand data: the AES and SM4 S-boxes are computed,
 *     not looked up -- the inverse in GF(2^8) as x^254 (a fixed chain of carry-less
 *     multiplications, eight bytes at a time in one uint64_t), then the affine maps
 *     (FIPS-197 5.1.1 for AES; for SM4 the same inverse over x^8+x^7+x^6+x^5+x^4+x^2+1
 *     between two copies of the affine map y = x ^ rotl(x,1) ^ rotl(x,3) ^ rotl(x,6) ^
 *     rotl(x,7) ^ 0xD3, which reproduces GB/T 32907's table exactly, checked over all 256
 *     inputs by tests/test_zvk_kernels.py);
 *   - shift and rotate amounts taken from vs1/rs1 (vrol, vror, vwsll) are data, but host
 *     shifts by a variable amount take constant time on the hosts we build for (x86-64,
 *     AArch64); clz/ctz/cpop are counted with fixed mask-and-add sequences, not with loops
 *     that stop early or with instructions whose latency varies.
 * Branches on immediates (vsm3c's round number, vaeskf2's odd/even round) are allowed by
 * the spec and kept where they make the code clearer.  A C compiler may in principle turn
 * masked selects back into branches; checked with GCC 12.2 -O3 on x86-64: the portable
 * S-boxes and AES round functions compile to straight-line code, clz/ctz branch only on
 * SEW, the GHASH and clmul loops only on their fixed counters, and the only other branch
 * is the one choosing host instructions or portable code (a setting, not data).  An emulator cannot promise more
 * than its host compiler does.
 * Nothing here is meant as a side-channel-hardened crypto library: the promise is that the
 * emulated instructions have no secret-dependent control flow or table index.
 */
#ifndef RVEMU_ZVK_H
#define RVEMU_ZVK_H

#include <stdint.h>

#define ZVK_LANES(b) ((uint64_t)(uint8_t)(b) * 0x0101010101010101ULL)

/* ---------------------------------------------------------------------------------------
 * Host instructions, where the host has them: x86-64 AES-NI for the AES rounds and the AES
 * and SM4 S-boxes, PCLMULQDQ for the carry-less products (vclmul, vclmulh, GHASH), SSSE3's
 * PSHUFB for SM4's change of basis. AES-NI and PCLMULQDQ are documented by Intel and AMD
 * as data-independent in latency, which is why they exist; PSHUFB is a register shuffle. Chosen once at
 * run time (CPUID through __builtin_cpu_supports); zvk_set_hw(0) forces the portable C
 * code (tests run both and compare). Define ZVK_NO_HW to build without them.
 * ------------------------------------------------------------------------------------- */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) \
    && !defined(ZVK_NO_HW)
#define ZVK_X86_HW 1
#include <immintrin.h>
static int zvk_hw = -1;    /* -1: not probed yet; 0: portable C; 1: AES-NI + PCLMULQDQ */
static inline int zvk_hw_ok(void) {
    if (zvk_hw < 0) {
        __builtin_cpu_init();
        zvk_hw = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul")
                 && __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
    }
    return zvk_hw;
}
/* op: 0 vaesef, 1 vaesem, 2 vaesdf, 3 vaesdm. AESENC/AESENCLAST/AESDECLAST are exactly the
 * middle/final rounds; vaesdm adds the key before InvMixColumns, and InvMixColumns is
 * linear, so it is AESDEC with InvMixColumns(key) (AESIMC). */
__attribute__((target("aes,sse4.1")))
static void zvk_aes_round_hw(uint32_t vd[4], const uint32_t key[4], int op) {
    __m128i st = _mm_loadu_si128((const __m128i *)vd);
    __m128i k = _mm_loadu_si128((const __m128i *)key);
    switch (op) {
    case 0: st = _mm_aesenclast_si128(st, k); break;
    case 1: st = _mm_aesenc_si128(st, k); break;
    case 2: st = _mm_aesdeclast_si128(st, k); break;
    default: st = _mm_aesdec_si128(st, _mm_aesimc_si128(k)); break;
    }
    _mm_storeu_si128((__m128i *)vd, st);
}
/* SubWord: AESKEYGENASSIST's dword 0 is SubWord(dword 1 of its input). */
__attribute__((target("aes,sse4.1")))
static uint32_t zvk_aes_subword_hw(uint32_t w) {
    return (uint32_t)_mm_cvtsi128_si32(_mm_aeskeygenassist_si128(_mm_set_epi32(0, 0, (int)w, 0), 0));
}
/* the 128-bit carry-less product of a and b: *lo, *hi */
__attribute__((target("pclmul,sse4.1")))
static void zvk_clmul_hw(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi) {
    __m128i p = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)a), _mm_cvtsi64_si128((long long)b), 0);
    *lo = (uint64_t)_mm_cvtsi128_si64(p);
    *hi = (uint64_t)_mm_extract_epi64(p, 1);
}
#endif

/* Use the host instructions (1) or the portable C code (0); returns whether the host
 * instructions are in use afterwards (0 when the host or the build has none). */
static inline int zvk_set_hw(int on) {
#ifdef ZVK_X86_HW
    zvk_hw = -1;
    if (on)
        return zvk_hw_ok();
    zvk_hw = 0;
#endif
    (void)on;
    return 0;
}

static inline uint32_t zvk_rol32(uint32_t x, unsigned n) {
    n &= 31;
    return (x << n) | (x >> ((32 - n) & 31));
}
static inline uint32_t zvk_ror32(uint32_t x, unsigned n) { return zvk_rol32(x, 32 - (n & 31)); }
static inline uint64_t zvk_ror64(uint64_t x, unsigned n) {
    n &= 63;
    return (x >> n) | (x << ((64 - n) & 63));
}
static inline uint32_t zvk_bswap32(uint32_t x) {
    return (x >> 24) | ((x >> 8) & 0xFF00u) | ((x << 8) & 0xFF0000u) | (x << 24);
}
static inline uint64_t zvk_bswap64(uint64_t x) {
    return ((uint64_t)zvk_bswap32((uint32_t)x) << 32) | zvk_bswap32((uint32_t)(x >> 32));
}

/* ---------------------------------------------------------------------------------------
 * GF(2^8) arithmetic on eight byte lanes of a uint64_t at once (no branches, no tables).
 * red = the reduction polynomial without x^8: 0x1B for AES (x^8+x^4+x^3+x+1), 0xF5 for SM4.
 * ------------------------------------------------------------------------------------- */
static inline uint64_t zvk_gf8_xtime(uint64_t x, uint8_t red) {
    uint64_t hi = (x >> 7) & ZVK_LANES(1);
    return ((x & ZVK_LANES(0x7F)) << 1) ^ (hi * red);
}
static inline uint64_t zvk_gf8_mul(uint64_t a, uint64_t b, uint8_t red) {
    uint64_t r = 0;
    for (int i = 0; i < 8; i++) {
        r ^= a & (((b >> i) & ZVK_LANES(1)) * 0xFF);  /* lane mask: 0xFF where bit i of b */
        a = zvk_gf8_xtime(a, red);
    }
    return r;
}
/* A GF(2)-linear map of each byte lane: bit i of x contributes the constant c[i]. */
static inline uint64_t zvk_gf8_linear(uint64_t x, const uint8_t c[8]) {
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r ^= (((x >> i) & ZVK_LANES(1)) * 0xFF) & ZVK_LANES(c[i]);
    return r;
}
/* Squaring is linear in GF(2^8): x^2 = XOR of (x^i)^2 over the set bits i. */
static const uint8_t zvk_sq_aes[8] = {0x01, 0x04, 0x10, 0x40, 0x1B, 0x6C, 0xAB, 0x9A};
static const uint8_t zvk_sq_sm4[8] = {0x01, 0x04, 0x10, 0x40, 0xF5, 0x3E, 0xF8, 0x0A};
/* x^254 = x^-1 for x != 0, and 0 -> 0: a fixed chain of 7 squarings and 4 multiplications. */
static inline uint64_t zvk_gf8_inv(uint64_t x, uint8_t red) {
    const uint8_t *sq = red == 0x1B ? zvk_sq_aes : zvk_sq_sm4;   /* the field, not data */
    uint64_t x2 = zvk_gf8_linear(x, sq);
    uint64_t x3 = zvk_gf8_mul(x2, x, red);
    uint64_t x6 = zvk_gf8_linear(x3, sq);
    uint64_t x12 = zvk_gf8_linear(x6, sq);
    uint64_t x15 = zvk_gf8_mul(x12, x3, red);
    uint64_t x30 = zvk_gf8_linear(x15, sq);
    uint64_t x60 = zvk_gf8_linear(x30, sq);
    uint64_t x120 = zvk_gf8_linear(x60, sq);
    uint64_t x240 = zvk_gf8_linear(x120, sq);
    uint64_t x252 = zvk_gf8_mul(x240, x12, red);
    return zvk_gf8_mul(x252, x2, red);
}
/* rotate every byte lane left by n (1..7) */
static inline uint64_t zvk_rotl8(uint64_t x, unsigned n) {
    return ((x << n) & ZVK_LANES(0xFF << n)) | ((x >> (8 - n)) & ZVK_LANES(0xFF >> (8 - n)));
}

/* AES S-box and inverse S-box (FIPS-197 5.1.1, 5.3.2) on eight bytes. */
static inline uint64_t zvk_aes_sbox8(uint64_t x) {
    uint64_t s = zvk_gf8_inv(x, 0x1B);
    return s ^ zvk_rotl8(s, 1) ^ zvk_rotl8(s, 2) ^ zvk_rotl8(s, 3) ^ zvk_rotl8(s, 4) ^ ZVK_LANES(0x63);
}
static inline uint64_t zvk_aes_inv_sbox8(uint64_t x) {
    uint64_t y = zvk_rotl8(x, 1) ^ zvk_rotl8(x, 3) ^ zvk_rotl8(x, 6) ^ ZVK_LANES(0x05);
    return zvk_gf8_inv(y, 0x1B);
}
/* SM4 S-box (GB/T 32907 table, computed; see the comment at the top). */
static inline uint64_t zvk_sm4_affine8(uint64_t x) {
    return x ^ zvk_rotl8(x, 1) ^ zvk_rotl8(x, 3) ^ zvk_rotl8(x, 6) ^ zvk_rotl8(x, 7) ^ ZVK_LANES(0xD3);
}
static inline uint64_t zvk_sm4_sbox8(uint64_t x) {
    return zvk_sm4_affine8(zvk_gf8_inv(zvk_sm4_affine8(x), 0xF5));
}
static inline uint32_t zvk_aes_subword(uint32_t w) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok())
        return zvk_aes_subword_hw(w);
#endif
    return (uint32_t)zvk_aes_sbox8(w);
}
#ifdef ZVK_X86_HW
/* SM4's S-box through AES-NI. Mapping SM4's field GF(2)[x]/(x^8+x^7+x^6+x^5+x^4+x^2+1)
 * onto AES's by x -> 0x23 (a root of SM4's polynomial in AES's field) turns SM4's inverse
 * into AES's, and AES's inverse is A^-1(SubBytes(y) ^ 0x63); so
 * S_sm4(x) = Q.SubBytes(P.x ^ 0x3E) ^ 0x6C, P = phi.M and Q = M.phi^-1.A^-1 with M the
 * linear part of SM4's affine map and A that of AES's. Columns of P and Q below (computed,
 * and checked over all 256 inputs against the standard's table by the tests). SubBytes of
 * a word: AESENCLAST of the word in all four columns (ShiftRows then moves nothing); the
 * maps P and Q as PSHUFB nibble tables. */
static const uint8_t zvk_sm4_p[8] = {0x8C, 0x30, 0x85, 0x9F, 0xDC, 0x2E, 0xC5, 0x08};
static const uint8_t zvk_sm4_q[8] = {0xB8, 0xCA, 0x3E, 0x67, 0xE0, 0x50, 0x9D, 0xC0};
/* A byte-wise linear map as two 16-entry nibble tables applied with PSHUFB (a register
 * shuffle: no memory access depends on the data). tab[0..15] maps the low nibble,
 * tab[16..31] the high one; entry i is the XOR of the map's columns for the set bits of i
 * (columns 0-3, resp. 4-7, of zvk_sm4_p / zvk_sm4_q above). */
static const uint8_t zvk_sm4_p_tab[32] __attribute__((aligned(16))) = {
    0x00, 0x8C, 0x30, 0xBC, 0x85, 0x09, 0xB5, 0x39, 0x9F, 0x13, 0xAF, 0x23, 0x1A, 0x96, 0x2A, 0xA6,
    0x00, 0xDC, 0x2E, 0xF2, 0xC5, 0x19, 0xEB, 0x37, 0x08, 0xD4, 0x26, 0xFA, 0xCD, 0x11, 0xE3, 0x3F};
static const uint8_t zvk_sm4_q_tab[32] __attribute__((aligned(16))) = {
    0x00, 0xB8, 0xCA, 0x72, 0x3E, 0x86, 0xF4, 0x4C, 0x67, 0xDF, 0xAD, 0x15, 0x59, 0xE1, 0x93, 0x2B,
    0x00, 0xE0, 0x50, 0xB0, 0x9D, 0x7D, 0xCD, 0x2D, 0xC0, 0x20, 0x90, 0x70, 0x5D, 0xBD, 0x0D, 0xED};
__attribute__((target("ssse3,sse4.1")))
static inline __m128i zvk_linear_pshufb(__m128i x, const uint8_t tab[32]) {
    __m128i nib = _mm_set1_epi8(0x0F);
    __m128i xl = _mm_and_si128(x, nib), xh = _mm_and_si128(_mm_srli_epi16(x, 4), nib);
    return _mm_xor_si128(_mm_shuffle_epi8(_mm_load_si128((const __m128i *)tab), xl),
                         _mm_shuffle_epi8(_mm_load_si128((const __m128i *)(tab + 16)), xh));
}
__attribute__((target("aes,ssse3,sse4.1")))
static uint32_t zvk_sm4_subword_hw(uint32_t w) {
    __m128i y = _mm_xor_si128(zvk_linear_pshufb(_mm_set1_epi32((int)w), zvk_sm4_p_tab),
                              _mm_set1_epi8(0x3E));
    __m128i sb = _mm_aesenclast_si128(y, _mm_setzero_si128());
    __m128i r = _mm_xor_si128(zvk_linear_pshufb(sb, zvk_sm4_q_tab), _mm_set1_epi8(0x6C));
    return (uint32_t)_mm_cvtsi128_si32(r);
}
#endif
static inline uint32_t zvk_sm4_subword(uint32_t w) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok())
        return zvk_sm4_subword_hw(w);
#endif
    return (uint32_t)zvk_sm4_sbox8(w);
}

/* ---------------------------------------------------------------------------------------
 * AES (Zvkned).  state/key: uint32_t[4], element c = column c of the state, byte r of it
 * = row r (FIPS-197 3.4: in[r + 4c]), i.e. the 16 bytes of the block little-endian.
 * ------------------------------------------------------------------------------------- */
static inline void zvk_aes_subbytes(uint32_t w[4], int inverse) {
    uint64_t lo = (uint64_t)w[1] << 32 | w[0], hi = (uint64_t)w[3] << 32 | w[2];
    if (inverse) {  /* which instruction, not data */
        lo = zvk_aes_inv_sbox8(lo);
        hi = zvk_aes_inv_sbox8(hi);
    } else {
        lo = zvk_aes_sbox8(lo);
        hi = zvk_aes_sbox8(hi);
    }
    w[0] = (uint32_t)lo; w[1] = (uint32_t)(lo >> 32);
    w[2] = (uint32_t)hi; w[3] = (uint32_t)(hi >> 32);
}
/* ShiftRows: s'[r][c] = s[r][(c + r) mod 4] (5.1.2); InvShiftRows: s'[r][(c + r) mod 4] =
 * s[r][c] (5.3.1). Row r is byte r of every column word. */
static inline void zvk_aes_shiftrows(uint32_t w[4], int inverse) {
    uint32_t t[4];
    for (int c = 0; c < 4; c++) {
        int c1 = inverse ? c + 3 : c + 1, c2 = c + 2, c3 = inverse ? c + 1 : c + 3;
        t[c] = (w[c] & 0x000000FFu) | (w[c1 & 3] & 0x0000FF00u) | (w[c2 & 3] & 0x00FF0000u)
               | (w[c3 & 3] & 0xFF000000u);
    }
    for (int c = 0; c < 4; c++)
        w[c] = t[c];
}
/* xtime on the four bytes of a word */
static inline uint32_t zvk_xtime32(uint32_t x) {
    return ((x & 0x7F7F7F7Fu) << 1) ^ (((x >> 7) & 0x01010101u) * 0x1B);
}
/* MixColumns (5.1.3): b_j = a_j ^ t ^ xtime(a_j ^ a_{j+1}), t = a0 ^ a1 ^ a2 ^ a3.
 * InvMixColumns (5.3.3) = MixColumns after a_j ^= xtime(xtime(a_j ^ a_{j+2})), the
 * factorisation of its matrix as MixColumns x circ(05, 00, 04, 00). */
static inline uint32_t zvk_aes_mixcolumn(uint32_t c) {
    uint32_t r1 = c >> 8 | c << 24;              /* byte j = a_{j+1} */
    uint32_t t = c ^ r1;
    t ^= t >> 16 | t << 16;                      /* every byte: a0 ^ a1 ^ a2 ^ a3 */
    return c ^ t ^ zvk_xtime32(c ^ r1);
}
static inline void zvk_aes_mixcolumns(uint32_t w[4], int inverse) {
    for (int c = 0; c < 4; c++) {
        uint32_t x = w[c];
        if (inverse)
            x ^= zvk_xtime32(zvk_xtime32(x ^ (x >> 16 | x << 16)));
        w[c] = zvk_aes_mixcolumn(x);
    }
}
static inline void zvk_aes_addkey(uint32_t w[4], const uint32_t key[4]) {
    for (int c = 0; c < 4; c++)
        w[c] ^= key[c];
}

/* vaesef: SubBytes, ShiftRows, AddRoundKey. */
static inline void zvk_vaesef(uint32_t vd[4], const uint32_t key[4]) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        zvk_aes_round_hw(vd, key, 0);
        return;
    }
#endif
    uint32_t s[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_aes_subbytes(s, 0);
    zvk_aes_shiftrows(s, 0);
    zvk_aes_addkey(s, key);
    vd[0] = s[0]; vd[1] = s[1]; vd[2] = s[2]; vd[3] = s[3];
}
/* vaesem: SubBytes, ShiftRows, MixColumns, AddRoundKey. */
static inline void zvk_vaesem(uint32_t vd[4], const uint32_t key[4]) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        zvk_aes_round_hw(vd, key, 1);
        return;
    }
#endif
    uint32_t s[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_aes_subbytes(s, 0);
    zvk_aes_shiftrows(s, 0);
    zvk_aes_mixcolumns(s, 0);
    zvk_aes_addkey(s, key);
    vd[0] = s[0]; vd[1] = s[1]; vd[2] = s[2]; vd[3] = s[3];
}
/* vaesdf: InvShiftRows, InvSubBytes, AddRoundKey. */
static inline void zvk_vaesdf(uint32_t vd[4], const uint32_t key[4]) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        zvk_aes_round_hw(vd, key, 2);
        return;
    }
#endif
    uint32_t s[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_aes_shiftrows(s, 1);
    zvk_aes_subbytes(s, 1);
    zvk_aes_addkey(s, key);
    vd[0] = s[0]; vd[1] = s[1]; vd[2] = s[2]; vd[3] = s[3];
}
/* vaesdm: InvShiftRows, InvSubBytes, AddRoundKey, InvMixColumns. */
static inline void zvk_vaesdm(uint32_t vd[4], const uint32_t key[4]) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        zvk_aes_round_hw(vd, key, 3);
        return;
    }
#endif
    uint32_t s[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_aes_shiftrows(s, 1);
    zvk_aes_subbytes(s, 1);
    zvk_aes_addkey(s, key);
    zvk_aes_mixcolumns(s, 1);
    vd[0] = s[0]; vd[1] = s[1]; vd[2] = s[2]; vd[3] = s[3];
}
/* vaesz.vs: AddRoundKey only (the key is always the scalar element group). */
static inline void zvk_vaesz(uint32_t vd[4], const uint32_t key[4]) {
    uint32_t k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3];
    vd[0] ^= k0; vd[1] ^= k1; vd[2] ^= k2; vd[3] ^= k3;
}
/* Rcon for round index r = 0..9 (FIPS-197 5.2): 1, 2, 4, ..., 0x80, 0x1B, 0x36; 0 above. */
static inline uint32_t zvk_aes_rcon(unsigned r) {
    static const uint8_t rcon[16] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36};
    return rcon[r & 15];  /* r comes from the immediate: an index that is not data */
}
/* The round-number rules: uimm[4] is ignored; vaeskf1 accepts 1..10, vaeskf2 2..14, and an
 * out-of-range uimm[3:0] has its bit 3 inverted (zvk.adoc, vaeskf1/vaeskf2). */
static inline unsigned zvk_vaeskf1_round(unsigned uimm) {
    unsigned rnd = uimm & 15;
    return (rnd > 10 || rnd == 0) ? rnd ^ 8 : rnd;
}
static inline unsigned zvk_vaeskf2_round(unsigned uimm) {
    unsigned rnd = uimm & 15;
    return (rnd < 2 || rnd > 14) ? rnd ^ 8 : rnd;
}
/* RotWord: [a0,a1,a2,a3] -> [a1,a2,a3,a0], a0 the least significant byte. */
static inline uint32_t zvk_rotword(uint32_t w) { return (w >> 8) | (w << 24); }

/* vaeskf1.vi: the next AES-128 round key from the current one (vs2). */
static inline void zvk_vaeskf1(uint32_t vd[4], const uint32_t vs2[4], unsigned uimm) {
    unsigned r = zvk_vaeskf1_round(uimm) - 1;
    uint32_t k0 = vs2[0], k1 = vs2[1], k2 = vs2[2], k3 = vs2[3];
    uint32_t w0 = zvk_aes_subword(zvk_rotword(k3)) ^ zvk_aes_rcon(r) ^ k0;
    uint32_t w1 = w0 ^ k1, w2 = w1 ^ k2, w3 = w2 ^ k3;
    vd[0] = w0; vd[1] = w1; vd[2] = w2; vd[3] = w3;
}
/* vaeskf2.vi: the next AES-256 round key from the previous (vd) and current (vs2) ones. */
static inline void zvk_vaeskf2(uint32_t vd[4], const uint32_t vs2[4], unsigned uimm) {
    unsigned rnd = zvk_vaeskf2_round(uimm);
    uint32_t k3 = vs2[3];
    uint32_t b0 = vd[0], b1 = vd[1], b2 = vd[2], b3 = vd[3];
    uint32_t w0 = (rnd & 1) ? zvk_aes_subword(k3) ^ b0
                            : zvk_aes_subword(zvk_rotword(k3)) ^ zvk_aes_rcon((rnd >> 1) - 1) ^ b0;
    uint32_t w1 = w0 ^ b1, w2 = w1 ^ b2, w3 = w2 ^ b3;
    vd[0] = w0; vd[1] = w1; vd[2] = w2; vd[3] = w3;
}

/* ---------------------------------------------------------------------------------------
 * GHASH (Zvkg): multiplication in GF(2^128) with GCM's bit order (SP 800-38D 6.3), as the
 * spec's pseudocode does it: bit-reverse every byte, multiply with x^128 = x^7+x^2+x+1,
 * reverse back.  128-bit values as lo/hi uint64_t: element words w0..w3 little-endian.
 * ------------------------------------------------------------------------------------- */
static inline uint64_t zvk_brev8_64(uint64_t x) {
    x = ((x >> 1) & ZVK_LANES(0x55)) | ((x & ZVK_LANES(0x55)) << 1);
    x = ((x >> 2) & ZVK_LANES(0x33)) | ((x & ZVK_LANES(0x33)) << 2);
    return ((x >> 4) & ZVK_LANES(0x0F)) | ((x & ZVK_LANES(0x0F)) << 4);
}
#ifdef ZVK_X86_HW
/* The same product with PCLMULQDQ: the 256-bit product of the two 128-bit polynomials
 * (schoolbook, four 64x64 products), then x^128 = x^7 + x^2 + x + 1 folded in twice. */
__attribute__((target("pclmul,sse4.1")))
static void zvk_gf128_mul_hw(uint64_t *zl, uint64_t *zh, uint64_t sl, uint64_t sh,
                             uint64_t hl, uint64_t hh) {
    uint64_t p0l, p0h, pal, pah, pbl, pbh, p2l, p2h, tl, th, ul, uh, vl, vh;
    zvk_clmul_hw(sl, hl, &p0l, &p0h);
    zvk_clmul_hw(sl, hh, &pal, &pah);
    zvk_clmul_hw(sh, hl, &pbl, &pbh);
    zvk_clmul_hw(sh, hh, &p2l, &p2h);
    uint64_t r0 = p0l, r1 = p0h ^ pal ^ pbl, r2 = p2l ^ pah ^ pbh, r3 = p2h;
    zvk_clmul_hw(r2, 0x87, &tl, &th);        /* r2 * x^128 -> r2 * 0x87 */
    zvk_clmul_hw(r3, 0x87, &ul, &uh);        /* r3 * x^192 -> (r3 * 0x87) * x^64 */
    zvk_clmul_hw(uh, 0x87, &vl, &vh);        /* uh (< 2^7) * x^128 -> uh * 0x87 */
    *zl = r0 ^ tl ^ vl;
    *zh = r1 ^ th ^ ul;
}
#endif
static inline void zvk_gf128_mul(uint64_t *zl, uint64_t *zh, uint64_t sl, uint64_t sh,
                                 uint64_t hl, uint64_t hh) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        zvk_gf128_mul_hw(zl, zh, sl, sh, hl, hh);
        return;
    }
#endif
    uint64_t rl = 0, rh = 0;
    for (int bit = 0; bit < 128; bit++) {
        uint64_t sbit = bit < 64 ? sl >> bit : sh >> (bit - 64);  /* bit index, not data */
        uint64_t m = -(sbit & 1);
        rl ^= hl & m;
        rh ^= hh & m;
        uint64_t reduce = -(hh >> 63);
        hh = (hh << 1) | (hl >> 63);
        hl = (hl << 1) ^ (0x87 & reduce);
    }
    *zl = rl;
    *zh = rh;
}
static inline void zvk_ghash_core(uint32_t vd[4], const uint32_t y[4], const uint32_t x[4],
                                  const uint32_t h[4]) {
    uint64_t sl = ((uint64_t)y[1] << 32 | y[0]) ^ ((uint64_t)x[1] << 32 | x[0]);
    uint64_t sh = ((uint64_t)y[3] << 32 | y[2]) ^ ((uint64_t)x[3] << 32 | x[2]);
    uint64_t hl = zvk_brev8_64((uint64_t)h[1] << 32 | h[0]);
    uint64_t hh = zvk_brev8_64((uint64_t)h[3] << 32 | h[2]);
    uint64_t zl, zh;
    zvk_gf128_mul(&zl, &zh, zvk_brev8_64(sl), zvk_brev8_64(sh), hl, hh);
    zl = zvk_brev8_64(zl);
    zh = zvk_brev8_64(zh);
    vd[0] = (uint32_t)zl; vd[1] = (uint32_t)(zl >> 32);
    vd[2] = (uint32_t)zh; vd[3] = (uint32_t)(zh >> 32);
}
/* vghsh.vv: vd = (vd ^ vs1) * vs2 (Y_{i+1} = (Y_i ^ X_i) . H). */
static inline void zvk_vghsh(uint32_t vd[4], const uint32_t vs2[4], const uint32_t vs1[4]) {
    uint32_t y[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_ghash_core(vd, y, vs1, vs2);
}
/* vgmul.vv: vd = vd * vs2. */
static inline void zvk_vgmul(uint32_t vd[4], const uint32_t vs2[4]) {
    static const uint32_t zero[4] = {0, 0, 0, 0};
    uint32_t y[4] = {vd[0], vd[1], vd[2], vd[3]};
    zvk_ghash_core(vd, y, zero, vs2);
}

/* ---------------------------------------------------------------------------------------
 * SHA-2 (Zvknha: SEW=32 / SHA-256; Zvknhb also SEW=64 / SHA-512), FIPS 180-4 4.1.2/4.1.3.
 * ------------------------------------------------------------------------------------- */
#define ZVK_SHA256_S0(x) (zvk_ror32(x, 2) ^ zvk_ror32(x, 13) ^ zvk_ror32(x, 22))
#define ZVK_SHA256_S1(x) (zvk_ror32(x, 6) ^ zvk_ror32(x, 11) ^ zvk_ror32(x, 25))
#define ZVK_SHA256_s0(x) (zvk_ror32(x, 7) ^ zvk_ror32(x, 18) ^ ((x) >> 3))
#define ZVK_SHA256_s1(x) (zvk_ror32(x, 17) ^ zvk_ror32(x, 19) ^ ((x) >> 10))
#define ZVK_SHA512_S0(x) (zvk_ror64(x, 28) ^ zvk_ror64(x, 34) ^ zvk_ror64(x, 39))
#define ZVK_SHA512_S1(x) (zvk_ror64(x, 14) ^ zvk_ror64(x, 18) ^ zvk_ror64(x, 41))
#define ZVK_SHA512_s0(x) (zvk_ror64(x, 1) ^ zvk_ror64(x, 8) ^ ((x) >> 7))
#define ZVK_SHA512_s1(x) (zvk_ror64(x, 19) ^ zvk_ror64(x, 61) ^ ((x) >> 6))
#define ZVK_CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define ZVK_MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

/* vsha2ms.vv: vd {W3,W2,W1,W0}, vs2 {W11,W10,W9,W4}, vs1 {W15,W14,W13,W12} -> vd {W19..W16}. */
#define ZVK_SHA2MS_BODY(T, s0, s1)                                                        \
    T w0 = vd[0], w1 = vd[1], w2 = vd[2], w3 = vd[3];                                    \
    T w4 = vs2[0], w9 = vs2[1], w10 = vs2[2], w11 = vs2[3];                              \
    T w12 = vs1[0], w14 = vs1[2], w15 = vs1[3];                                          \
    T w16 = s1(w14) + w9 + s0(w1) + w0;                                                   \
    T w17 = s1(w15) + w10 + s0(w2) + w1;                                                  \
    T w18 = s1(w16) + w11 + s0(w3) + w2;                                                  \
    T w19 = s1(w17) + w12 + s0(w4) + w3;                                                  \
    vd[0] = w16; vd[1] = w17; vd[2] = w18; vd[3] = w19;
static inline void zvk_vsha2ms32(uint32_t vd[4], const uint32_t vs2[4], const uint32_t vs1[4]) {
    ZVK_SHA2MS_BODY(uint32_t, ZVK_SHA256_s0, ZVK_SHA256_s1)
}
static inline void zvk_vsha2ms64(uint64_t vd[4], const uint64_t vs2[4], const uint64_t vs1[4]) {
    ZVK_SHA2MS_BODY(uint64_t, ZVK_SHA512_s0, ZVK_SHA512_s1)
}

/* vsha2ch.vv / vsha2cl.vv: two rounds. vs2 {a,b,e,f}, vd {c,d,g,h} (f, h at index 0),
 * vs1 = message schedule plus constants; ch uses words 2 and 3, cl words 0 and 1.
 * Result in vd: the new {a,b,e,f}. */
#define ZVK_SHA2C_BODY(T, S0, S1)                                                         \
    T f = vs2[0], e = vs2[1], b = vs2[2], a = vs2[3];                                    \
    T h = vd[0], g = vd[1], d = vd[2], c = vd[3];                                        \
    T W0 = high ? vs1[2] : vs1[0], W1 = high ? vs1[3] : vs1[1];                          \
    T t1 = h + S1(e) + ZVK_CH(e, f, g) + W0;                                              \
    T t2 = S0(a) + ZVK_MAJ(a, b, c);                                                      \
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;                    \
    t1 = h + S1(e) + ZVK_CH(e, f, g) + W1;                                                \
    t2 = S0(a) + ZVK_MAJ(a, b, c);                                                        \
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;                    \
    vd[0] = f; vd[1] = e; vd[2] = b; vd[3] = a;
static inline void zvk_vsha2c32(uint32_t vd[4], const uint32_t vs2[4], const uint32_t vs1[4],
                                int high) {
    ZVK_SHA2C_BODY(uint32_t, ZVK_SHA256_S0, ZVK_SHA256_S1)
}
static inline void zvk_vsha2c64(uint64_t vd[4], const uint64_t vs2[4], const uint64_t vs1[4],
                                int high) {
    ZVK_SHA2C_BODY(uint64_t, ZVK_SHA512_S0, ZVK_SHA512_S1)
}

/* ---------------------------------------------------------------------------------------
 * SM4 (Zvksed), GB/T 32907.  Words are the standard's 32-bit words as element values (a
 * block loaded from memory needs vrev8 first: the standard is big-endian).
 * ------------------------------------------------------------------------------------- */
/* CK_i: byte j (0..127, most significant first in each word) is 7j mod 256. */
static inline uint32_t zvk_sm4_ck(unsigned i) {
    uint32_t j = 4 * i;
    return ((7 * j) & 0xFF) << 24 | ((7 * (j + 1)) & 0xFF) << 16 | ((7 * (j + 2)) & 0xFF) << 8
           | ((7 * (j + 3)) & 0xFF);
}
static inline uint32_t zvk_sm4_round_key(uint32_t x, uint32_t s) {
    return x ^ s ^ zvk_rol32(s, 13) ^ zvk_rol32(s, 23);
}
static inline uint32_t zvk_sm4_round(uint32_t x, uint32_t s) {
    return x ^ s ^ zvk_rol32(s, 2) ^ zvk_rol32(s, 10) ^ zvk_rol32(s, 18) ^ zvk_rol32(s, 24);
}
/* vsm4k.vi: round keys 4*rnd..4*rnd+3 from the previous four (vs2); rnd = uimm[2:0]. */
static inline void zvk_vsm4k(uint32_t vd[4], const uint32_t vs2[4], unsigned uimm) {
    unsigned rnd = uimm & 7;
    uint32_t rk0 = vs2[0], rk1 = vs2[1], rk2 = vs2[2], rk3 = vs2[3];
    uint32_t rk4 = zvk_sm4_round_key(rk0, zvk_sm4_subword(rk1 ^ rk2 ^ rk3 ^ zvk_sm4_ck(4 * rnd)));
    uint32_t rk5 = zvk_sm4_round_key(rk1, zvk_sm4_subword(rk2 ^ rk3 ^ rk4 ^ zvk_sm4_ck(4 * rnd + 1)));
    uint32_t rk6 = zvk_sm4_round_key(rk2, zvk_sm4_subword(rk3 ^ rk4 ^ rk5 ^ zvk_sm4_ck(4 * rnd + 2)));
    uint32_t rk7 = zvk_sm4_round_key(rk3, zvk_sm4_subword(rk4 ^ rk5 ^ rk6 ^ zvk_sm4_ck(4 * rnd + 3)));
    vd[0] = rk4; vd[1] = rk5; vd[2] = rk6; vd[3] = rk7;
}
/* vsm4r.vv / .vs: four rounds on the state X0..X3 (vd) with round keys rk0..rk3. */
static inline void zvk_vsm4r(uint32_t vd[4], const uint32_t rk[4]) {
    uint32_t rk0 = rk[0], rk1 = rk[1], rk2 = rk[2], rk3 = rk[3];
    uint32_t x0 = vd[0], x1 = vd[1], x2 = vd[2], x3 = vd[3];
    uint32_t x4 = zvk_sm4_round(x0, zvk_sm4_subword(x1 ^ x2 ^ x3 ^ rk0));
    uint32_t x5 = zvk_sm4_round(x1, zvk_sm4_subword(x2 ^ x3 ^ x4 ^ rk1));
    uint32_t x6 = zvk_sm4_round(x2, zvk_sm4_subword(x3 ^ x4 ^ x5 ^ rk2));
    uint32_t x7 = zvk_sm4_round(x3, zvk_sm4_subword(x4 ^ x5 ^ x6 ^ rk3));
    vd[0] = x4; vd[1] = x5; vd[2] = x6; vd[3] = x7;
}

/* ---------------------------------------------------------------------------------------
 * SM3 (Zvksh), GB/T 32905.  Element values are byte-swapped words: the instructions take
 * the big-endian words as loaded from memory and swap internally.
 * ------------------------------------------------------------------------------------- */
#define ZVK_SM3_P0(x) ((x) ^ zvk_rol32(x, 9) ^ zvk_rol32(x, 17))
#define ZVK_SM3_P1(x) ((x) ^ zvk_rol32(x, 15) ^ zvk_rol32(x, 23))
static inline uint32_t zvk_sm3_w(uint32_t m16, uint32_t m9, uint32_t m3, uint32_t m13, uint32_t m6) {
    return ZVK_SM3_P1(m16 ^ m9 ^ zvk_rol32(m3, 15)) ^ zvk_rol32(m13, 7) ^ m6;
}
/* vsm3me.vv: vs1 = W[7:0], vs2 = W[15:8] -> vd = W[23:16]. */
static inline void zvk_vsm3me(uint32_t vd[8], const uint32_t vs2[8], const uint32_t vs1[8]) {
    uint32_t w[24];
    for (int i = 0; i < 8; i++) {
        w[i] = zvk_bswap32(vs1[i]);
        w[i + 8] = zvk_bswap32(vs2[i]);
    }
    for (int j = 16; j < 24; j++)
        w[j] = zvk_sm3_w(w[j - 16], w[j - 9], w[j - 3], w[j - 13], w[j - 6]);
    for (int i = 0; i < 8; i++)
        vd[i] = zvk_bswap32(w[16 + i]);
}
/* One SM3 round j on A..H (indices 0..7), with W_j and W'_j; j < 16 or not is the round
 * number from the immediate. */
static inline void zvk_sm3_round(uint32_t v[8], unsigned j, uint32_t wj, uint32_t wpj) {
    uint32_t A = v[0], B = v[1], C = v[2], D = v[3], E = v[4], F = v[5], G = v[6], H = v[7];
    uint32_t tj = j <= 15 ? 0x79CC4519u : 0x7A879D8Au;
    uint32_t ss1 = zvk_rol32(zvk_rol32(A, 12) + E + zvk_rol32(tj, j % 32), 7);
    uint32_t ss2 = ss1 ^ zvk_rol32(A, 12);
    uint32_t ff = j <= 15 ? (A ^ B ^ C) : ((A & B) | (A & C) | (B & C));
    uint32_t gg = j <= 15 ? (E ^ F ^ G) : ((E & F) | (~E & G));
    uint32_t tt1 = ff + D + ss2 + wpj;
    uint32_t tt2 = gg + H + ss1 + wj;
    v[3] = C; v[2] = zvk_rol32(B, 9); v[1] = A; v[0] = tt1;
    v[7] = G; v[6] = zvk_rol32(F, 19); v[5] = E; v[4] = ZVK_SM3_P0(tt2);
}
/* vsm3c.vi: rounds 2*uimm and 2*uimm+1; vd = {H,G,F,E,D,C,B,A} (A at index 0),
 * vs2 = {-,-,w5,w4,-,-,w1,w0}. */
static inline void zvk_vsm3c(uint32_t vd[8], const uint32_t vs2[8], unsigned uimm) {
    uint32_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = zvk_bswap32(vd[i]);
    uint32_t w0 = zvk_bswap32(vs2[0]), w1 = zvk_bswap32(vs2[1]);
    uint32_t w4 = zvk_bswap32(vs2[4]), w5 = zvk_bswap32(vs2[5]);
    unsigned j = 2 * (uimm & 31);
    zvk_sm3_round(v, j, w0, w0 ^ w4);
    zvk_sm3_round(v, j + 1, w1, w1 ^ w5);
    for (int i = 0; i < 8; i++)
        vd[i] = zvk_bswap32(v[i]);
}

/* ---------------------------------------------------------------------------------------
 * Per-element operations of Zvbb (Zvkb) and Zvbc.  Values are zero-extended SEW-bit
 * elements (sew = 8, 16, 32, 64); results are SEW bits (2*SEW for vwsll), zero-extended.
 * ------------------------------------------------------------------------------------- */
static inline uint64_t zvk_sew_mask(unsigned sew) { return sew >= 64 ? ~0ULL : (1ULL << sew) - 1; }
static inline uint64_t zvk_cpop64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (x * 0x0101010101010101ULL) >> 56;
}
/* vandn: vs2 & ~(vs1 or rs1) */
static inline uint64_t zvk_andn(uint64_t vs2, uint64_t op1, unsigned sew) { return vs2 & ~op1 & zvk_sew_mask(sew); }
static inline uint64_t zvk_brev8(uint64_t x, unsigned sew) { return zvk_brev8_64(x) & zvk_sew_mask(sew); }
static inline uint64_t zvk_rev8(uint64_t x, unsigned sew) { return zvk_bswap64(x) >> (64 - sew); }
static inline uint64_t zvk_brev(uint64_t x, unsigned sew) { return zvk_brev8_64(zvk_bswap64(x)) >> (64 - sew); }
static inline uint64_t zvk_cpop(uint64_t x, unsigned sew) { return zvk_cpop64(x & zvk_sew_mask(sew)); }
static inline uint64_t zvk_clz(uint64_t x, unsigned sew) {
    x &= zvk_sew_mask(sew);
    x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16; x |= x >> 32;
    return sew - zvk_cpop64(x);  /* x = 0 gives sew */
}
static inline uint64_t zvk_ctz(uint64_t x, unsigned sew) {
    x &= zvk_sew_mask(sew);
    /* the ones below the lowest set bit; x = 0 gives all ones, masked to sew of them */
    return zvk_cpop64(((x & -x) - 1) & zvk_sew_mask(sew));
}
static inline uint64_t zvk_rol(uint64_t x, uint64_t amount, unsigned sew) {
    unsigned n = (unsigned)(amount & (sew - 1));
    x &= zvk_sew_mask(sew);
    return ((x << n) | (x >> ((sew - n) & (sew - 1)))) & zvk_sew_mask(sew);
}
static inline uint64_t zvk_ror(uint64_t x, uint64_t amount, unsigned sew) {
    unsigned n = (unsigned)(amount & (sew - 1));
    x &= zvk_sew_mask(sew);
    return ((x >> n) | (x << ((sew - n) & (sew - 1)))) & zvk_sew_mask(sew);
}
/* vwsll: zero-extend vs2 to 2*SEW and shift left by the low log2(2*SEW) bits (sew <= 32). */
static inline uint64_t zvk_wsll(uint64_t x, uint64_t amount, unsigned sew) {
    return ((x & zvk_sew_mask(sew)) << (amount & (2 * sew - 1))) & zvk_sew_mask(2 * sew);
}
/* vclmul / vclmulh (SEW=64 only): low and high 64 bits of the 128-bit carry-less product. */
static inline uint64_t zvk_clmul(uint64_t a, uint64_t b) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        uint64_t lo, hi;
        zvk_clmul_hw(a, b, &lo, &hi);
        return lo;
    }
#endif
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        r ^= (a << i) & -((b >> i) & 1);
    return r;
}
static inline uint64_t zvk_clmulh(uint64_t a, uint64_t b) {
#ifdef ZVK_X86_HW
    if (zvk_hw_ok()) {
        uint64_t lo, hi;
        zvk_clmul_hw(a, b, &lo, &hi);
        return hi;
    }
#endif
    uint64_t r = 0;
    for (int i = 1; i < 64; i++)
        r ^= (a >> (64 - i)) & -((b >> i) & 1);
    return r;
}

#endif /* RVEMU_ZVK_H */
