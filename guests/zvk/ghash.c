/* AES-GCM with Zvkned + Zvkg: test cases 1-4 of the GCM specification (McGrew & Viega;
 * the AES-128 cases of NIST's GCM validation), ciphertext and tag, with GHASH computed by
 * vghsh.vv and again by vgmul.vv, plus four element groups in one vghsh.  Exit 0 = pass. */
#include "zvk_guest.h"

void aes128_expand(const uint8_t *key, uint8_t *rk);
void aes_encrypt_vv(const uint8_t *rk, long nr, const uint8_t *in, uint8_t *out);
void ghash_vghsh(uint8_t *y, const uint8_t *h, const uint8_t *data, long nblocks);
void ghash_vgmul(uint8_t *y, const uint8_t *h, const uint8_t *data, long nblocks);
void ghash_multi(uint8_t *y, const uint8_t *h, const uint8_t *x);

struct gcm_case { const char *key, *iv, *pt, *aad, *ct, *tag; };

#define P "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define C "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" \
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
#define P60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define C60 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" \
            "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
static const struct gcm_case CASES[4] = {
    {"00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", P, "", C,
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", P60,
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", C60, "5bc94fbc3221a5db94fae95ae7121a47"},
};

static uint8_t rk[11 * 16] __attribute__((aligned(16)));
static uint8_t key[16], iv[12], pt[64], aad[32], ct[64];
static uint8_t h[16] __attribute__((aligned(16))), y[16] __attribute__((aligned(16)));
static uint8_t cb[16] __attribute__((aligned(16))), ks[16] __attribute__((aligned(16)));
static uint8_t hashin[160] __attribute__((aligned(16)));
static uint8_t tag[16];

static void inc32(uint8_t *b) {
    for (int i = 15; i >= 12; i--)
        if (++b[i]) break;
}

/* GCM-AE (SP 800-38D 7.1) with a 96-bit IV; gmul selects the GHASH routine. */
static void gcm(unsigned plen, unsigned alen, int gmul) {
    zero_bytes(cb, 16);
    aes_encrypt_vv(rk, 10, cb, h);                      /* H = CIPH_K(0^128) */
    copy_bytes(cb, iv, 12);
    cb[12] = cb[13] = cb[14] = 0; cb[15] = 1;          /* J0 */
    for (unsigned off = 0; off < plen; off += 16) {     /* GCTR from inc32(J0) */
        inc32(cb);
        aes_encrypt_vv(rk, 10, cb, ks);
        for (unsigned i = off; i < off + 16 && i < plen; i++)
            ct[i] = pt[i] ^ ks[i - off];
    }
    unsigned apad = (alen + 15) & ~15u, cpad = (plen + 15) & ~15u;
    zero_bytes(hashin, sizeof hashin);
    copy_bytes(hashin, aad, alen);
    copy_bytes(hashin + apad, ct, plen);
    put_be64(hashin + apad + cpad, (uint64_t)alen * 8);
    put_be64(hashin + apad + cpad + 8, (uint64_t)plen * 8);
    zero_bytes(y, 16);
    if (gmul)
        ghash_vgmul(y, h, hashin, (apad + cpad) / 16 + 1);
    else
        ghash_vghsh(y, h, hashin, (apad + cpad) / 16 + 1);
    copy_bytes(cb, iv, 12);
    cb[12] = cb[13] = cb[14] = 0; cb[15] = 1;
    aes_encrypt_vv(rk, 10, cb, ks);
    for (int i = 0; i < 16; i++)
        tag[i] = y[i] ^ ks[i];
}

static uint8_t ym[64] __attribute__((aligned(16))), hm[64] __attribute__((aligned(16)));
static uint8_t xm[64] __attribute__((aligned(16))), y1[16] __attribute__((aligned(16)));

int main(void) {
    vector_on();
    for (int c = 0; c < 4; c++) {
        const struct gcm_case *t = &CASES[c];
        unhex(key, t->key);
        unhex(iv, t->iv);
        unsigned plen = unhex(pt, t->pt), alen = unhex(aad, t->aad);
        aes128_expand(key, rk);
        for (int gmul = 0; gmul < 2; gmul++) {
            zero_bytes(ct, 64);
            gcm(plen, alen, gmul);
            CHECK(10 * (c + 1) + 2 * gmul, hex_equal(ct, t->ct));
            CHECK(10 * (c + 1) + 2 * gmul + 1, hex_equal(tag, t->tag));
        }
    }
    /* four element groups at once: group g uses H and X of test case 3 shifted by g */
    unhex(key, CASES[2].key);
    aes128_expand(key, rk);
    zero_bytes(cb, 16);
    aes_encrypt_vv(rk, 10, cb, h);
    unhex(pt, P);
    for (int g = 0; g < 4; g++) {
        copy_bytes(hm + 16 * g, h, 16);
        hm[16 * g] ^= (uint8_t)g;
        copy_bytes(xm + 16 * g, pt + 16 * g, 16);
        copy_bytes(ym + 16 * g, pt + 16 * (3 - g), 16);
    }
    uint8_t ysave[64];
    copy_bytes(ysave, ym, 64);
    ghash_multi(ym, hm, xm);
    for (int g = 0; g < 4; g++) {
        copy_bytes(y1, ysave + 16 * g, 16);
        ghash_vghsh(y1, hm + 16 * g, xm + 16 * g, 1);
        CHECK(60 + g, bytes_equal(y1, ym + 16 * g, 16));
    }
    rv_puts("zvk GHASH: GCM test cases 1-4 pass\n");
    return 0;
}
