/* SM4 with Zvksed: the GB/T 32907 appendix A example (key = plaintext =
 * 0123456789abcdeffedcba9876543210), encryption and decryption, .vv and .vs forms, and the
 * 1,000,000-encryption example when built with -DSM4_MILLION.  Exit 0 = pass. */
#include "zvk_guest.h"

void sm4_expand(const uint32_t *k, uint32_t *rk);
void sm4_uimm_rule(const uint32_t *k, uint32_t *out);
void sm4_crypt_vv(const uint32_t *rk, const uint8_t *in, uint8_t *out);
void sm4_crypt_vs(const uint32_t *rk, const uint8_t *in, uint8_t *out, long nblocks);

static const uint32_t FK[4] = {0xA3B1BAC6, 0x56AA3350, 0x677D9197, 0xB27022DC};
static uint32_t k[4] __attribute__((aligned(16)));
static uint32_t rk[32] __attribute__((aligned(16))), rkd[32] __attribute__((aligned(16)));
static uint32_t rule[8] __attribute__((aligned(16)));
static uint8_t key[16], blk[64] __attribute__((aligned(16))), out[64] __attribute__((aligned(16)));

/* The instructions leave X32..X35; the cipher text is (X35, X34, X33, X32). */
static void reverse_words(uint8_t *b) {
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            uint8_t t = b[4 * i + j];
            b[4 * i + j] = b[4 * (3 - i) + j];
            b[4 * (3 - i) + j] = t;
        }
}

int main(void) {
    vector_on();
    unhex(key, "0123456789abcdeffedcba9876543210");
    for (int i = 0; i < 4; i++)
        k[i] = be32(key + 4 * i) ^ FK[i];
    sm4_expand(k, rk);
    /* GB/T 32907 A.1 lists the round keys: rk0 = f12186f9, rk31 = 9124a012 */
    CHECK(1, rk[0] == 0xf12186f9 && rk[31] == 0x9124a012);
    for (int i = 0; i < 32; i++)
        rkd[i] = rk[31 - i];
    sm4_crypt_vv(rk, key, out);
    reverse_words(out);
    CHECK(2, hex_equal(out, "681edf34d206965e86b3e94f536e4246"));
    sm4_crypt_vv(rkd, out, blk);
    reverse_words(blk);
    CHECK(3, bytes_equal(blk, key, 16));
    for (int b = 0; b < 3; b++)
        copy_bytes(blk + 16 * b, key, 16);
    sm4_crypt_vs(rk, blk, out, 3);
    for (int b = 0; b < 3; b++) {
        reverse_words(out + 16 * b);
        CHECK(4, hex_equal(out + 16 * b, "681edf34d206965e86b3e94f536e4246"));
    }
    sm4_crypt_vs(rkd, out, blk, 2);
    for (int b = 0; b < 2; b++) {
        reverse_words(blk + 16 * b);
        CHECK(5, bytes_equal(blk + 16 * b, key, 16));
    }
    sm4_uimm_rule(k, rule);
    CHECK(6, rule[0] == rule[4] && rule[1] == rule[5] && rule[2] == rule[6] && rule[3] == rule[7]);
#ifdef SM4_MILLION
    copy_bytes(blk, key, 16);
    for (long i = 0; i < 1000000; i++) {
        sm4_crypt_vv(rk, blk, out);
        reverse_words(out);
        copy_bytes(blk, out, 16);
    }
    CHECK(7, hex_equal(blk, "595298c7c6fd271f0402f804c33d3f66"));
    rv_puts("instructions retired: ");
    rv_putdec(csr_read(minstret));
    rv_putc('\n');
#endif
    rv_puts("zvk SM4: GB/T 32907 vectors pass\n");
    return 0;
}
