/* SHA-256 (Zvknha) or SHA-512 (Zvknhb, -DSHA512): the FIPS 180-4 example vectors ("abc",
 * the two-block message, and one million 'a').  Exit 0 = pass. */
#include "zvk_guest.h"
#include "zvk_consts.h"

#ifdef SHA512
typedef uint64_t word_t;
#define WBYTES 8
#define BLOCK 128
#define KTAB K512
#define HTAB H512
void sha512_block(word_t *state, const uint8_t *block, const word_t *k);
#define BLOCKFN sha512_block
static const char *EXPECT[3] = {
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
    "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"};
static const char *MSG2 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                          "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
#define NAME "SHA-512"
#else
typedef uint32_t word_t;
#define WBYTES 4
#define BLOCK 64
#define KTAB K256
#define HTAB H256
void sha256_block(word_t *state, const uint8_t *block, const word_t *k);
#define BLOCKFN sha256_block
static const char *EXPECT[3] = {
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"};
static const char *MSG2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
#define NAME "SHA-256"
#endif

static uint8_t buf[4 * BLOCK] __attribute__((aligned(16)));
static word_t state[8] __attribute__((aligned(16)));
static uint8_t digest[64];

static unsigned length(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }

/* FIPS 180-4 5.1 padding, then 6.2 / 6.4 block by block; returns the digest bytes. */
static void sha2(const uint8_t *msg, unsigned len) {
    const word_t *h = HTAB;
    /* state order {f, e, b, a, h, g, d, c} from H0..H7 = a..h */
    state[0] = h[5]; state[1] = h[4]; state[2] = h[1]; state[3] = h[0];
    state[4] = h[7]; state[5] = h[6]; state[6] = h[3]; state[7] = h[2];
    unsigned done = 0;
    int final = 0;
    while (!final) {
        unsigned n = len - done < BLOCK ? len - done : BLOCK;
        zero_bytes(buf, 2 * BLOCK);
        copy_bytes(buf, msg + done, n);
        unsigned blocks = 1;
        if (n < BLOCK) {
            buf[n] = 0x80;
            blocks = n + 1 + 2 * WBYTES > BLOCK ? 2 : 1;
            uint64_t bits = (uint64_t)len * 8;
            put_be64(buf + blocks * BLOCK - 8, bits);
            final = 1;
        }
        for (unsigned b = 0; b < blocks; b++)
            BLOCKFN(state, buf + b * BLOCK, KTAB);
        done += n;
        if (n == BLOCK && done == len) {  /* an exact multiple: one more padding block */
            zero_bytes(buf, BLOCK);
            buf[0] = 0x80;
            put_be64(buf + BLOCK - 8, (uint64_t)len * 8);
            BLOCKFN(state, buf, KTAB);
            final = 1;
        }
    }
    word_t a = state[3], b = state[2], c = state[7], d = state[6];
    word_t e = state[1], f = state[0], g = state[5], hh = state[4];
    word_t out[8] = {a, b, c, d, e, f, g, hh};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < WBYTES; j++)
            digest[i * WBYTES + j] = (uint8_t)(out[i] >> (8 * (WBYTES - 1 - j)));
}

static uint8_t million[1000000];

int main(void) {
    vector_on();
    sha2((const uint8_t *)"abc", 3);
    CHECK(1, hex_equal(digest, EXPECT[0]));
    sha2((const uint8_t *)MSG2, length(MSG2));
    CHECK(2, hex_equal(digest, EXPECT[1]));
    for (unsigned i = 0; i < sizeof million; i++) million[i] = 'a';
    sha2(million, sizeof million);
    CHECK(3, hex_equal(digest, EXPECT[2]));
    rv_puts("zvk " NAME ": FIPS 180-4 vectors pass\n");
    return 0;
}
