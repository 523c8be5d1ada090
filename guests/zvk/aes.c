/* AES-128/192/256 with Zvkned: the FIPS-197 appendix C vectors, encryption and decryption,
 * .vv and .vs forms, vaeskf1/vaeskf2 key schedules and their round-number rules.
 * Exit 0 = pass, else the number of the failed check. */
#include "zvk_guest.h"

void aes128_expand(const uint8_t *key, uint8_t *rk);
void aes256_expand(const uint8_t *key, uint8_t *rk);
void aes_kf_rules(const uint8_t *key, uint8_t *out);
void aes_encrypt_vs(const uint8_t *rk, long nr, const uint8_t *in, uint8_t *out, long nblocks);
void aes_encrypt_vv(const uint8_t *rk, long nr, const uint8_t *in, uint8_t *out);
void aes_decrypt_vv(const uint8_t *rk, long nr, const uint8_t *in, uint8_t *out);
void aes_decrypt_vs(const uint8_t *rk, long nr, const uint8_t *in, uint8_t *out, long nblocks);

static uint8_t sbox[256];

static uint8_t gmul(uint8_t a, uint8_t b) {
    uint8_t r = 0;
    while (b) {
        if (b & 1) r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1B : 0));
        b >>= 1;
    }
    return r;
}
/* FIPS-197 5.1.1: the inverse in GF(2^8) followed by the affine transformation. */
static void make_sbox(void) {
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (int y = 1; y < 256 && x; y++)
            if (gmul((uint8_t)x, (uint8_t)y) == 1) { inv = (uint8_t)y; break; }
        uint8_t s = 0x63;
        for (int i = 0; i < 8; i++) {
            int bit = (inv >> i) ^ (inv >> ((i + 4) & 7)) ^ (inv >> ((i + 5) & 7))
                      ^ (inv >> ((i + 6) & 7)) ^ (inv >> ((i + 7) & 7));
            s ^= (uint8_t)((bit & 1) << i);
        }
        sbox[x] = s;
    }
}
/* FIPS-197 5.2 for Nk = 6 (no Zvkned instruction covers the AES-192 schedule). */
static void aes192_expand(const uint8_t *key, uint8_t *rk) {
    uint8_t *w = rk, rcon = 1;
    copy_bytes(w, key, 24);
    for (int i = 6; i < 52; i++) {
        uint8_t t[4] = {w[4 * i - 4], w[4 * i - 3], w[4 * i - 2], w[4 * i - 1]};
        if (i % 6 == 0) {
            uint8_t t0 = t[0];
            t[0] = sbox[t[1]] ^ rcon; t[1] = sbox[t[2]]; t[2] = sbox[t[3]]; t[3] = sbox[t0];
            rcon = gmul(rcon, 2);
        }
        for (int j = 0; j < 4; j++)
            w[4 * i + j] = w[4 * (i - 6) + j] ^ t[j];
    }
}

static const char *PT = "00112233445566778899aabbccddeeff";
static const char *KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char *CT[3] = {"69c4e0d86a7b0430d8cdb78070b4c55a", "dda97ca4864cdfe06eaf70a0ec0d7191",
                            "8ea2b7ca516745bfeafc49904b496089"};

static uint8_t rk[15 * 16], key[32], pt[64], out[64], back[64], rules[7 * 16];

static int check_cipher(int base, int nr, const char *ct) {
    unhex(pt, PT);
    aes_encrypt_vv(rk, nr, pt, out);
    if (!hex_equal(out, ct)) return base;
    for (int b = 1; b < 4; b++) copy_bytes(pt + 16 * b, pt, 16);
    zero_bytes(out, 64);
    aes_encrypt_vs(rk, nr, pt, out, 4);          /* four blocks, key as scalar group */
    for (int b = 0; b < 4; b++)
        if (!hex_equal(out + 16 * b, ct)) return base + 1;
    aes_decrypt_vv(rk, nr, out, back);
    if (!hex_equal(back, PT)) return base + 2;
    zero_bytes(back, 64);
    aes_decrypt_vs(rk, nr, out, back, 3);
    for (int b = 0; b < 3; b++)
        if (!hex_equal(back + 16 * b, PT)) return base + 3;
    if (!bytes_equal(back + 48, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
        return base + 4;                          /* beyond vl: untouched */
    return 0;
}

int main(void) {
    int r;
    vector_on();
    make_sbox();
    unhex(key, KEY);
    /* FIPS-197 A.1: the AES-128 schedule of 2b7e1516...; its last round key. */
    unhex(back, "2b7e151628aed2a6abf7158809cf4f3c");
    aes128_expand(back, rk);
    CHECK(1, hex_equal(rk + 160, "d014f9a8c9ee2589e13f0cc8b6630ca6"));
    aes128_expand(key, rk);
    if ((r = check_cipher(10, 10, CT[0]))) return r;
    aes192_expand(key, rk);
    if ((r = check_cipher(20, 12, CT[1]))) return r;
    aes256_expand(key, rk);
    /* FIPS-197 A.3: the AES-256 schedule of 603deb10...; its last round key. */
    if ((r = check_cipher(30, 14, CT[2]))) return r;
    unhex(back, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    aes256_expand(back, rk);
    CHECK(40, hex_equal(rk + 224, "fe4890d1e6188d0b046df344706c631e"));
    aes_kf_rules(key, rules);
    CHECK(41, bytes_equal(rules, rules + 16, 16) && bytes_equal(rules, rules + 32, 16));
    CHECK(42, bytes_equal(rules + 48, rules + 64, 16) && !bytes_equal(rules, rules + 48, 16));
    CHECK(43, bytes_equal(rules + 80, rules + 96, 16));
    rv_puts("zvk aes: FIPS-197 AES-128/192/256 pass\n");
    return 0;
}
