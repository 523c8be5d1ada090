/* SM3 with Zvksh: the GB/T 32905 appendix A examples ("abc", and "abcd" x 16 whose padding
 * takes a second block).  Exit 0 = pass. */
#include "zvk_guest.h"
#include "zvk_consts.h"

void sm3_block(uint32_t *v, const uint8_t *block, uint32_t *w);

static uint32_t v[8] __attribute__((aligned(16)));
static uint32_t w[72] __attribute__((aligned(16)));
static uint8_t buf[128] __attribute__((aligned(16)));
static uint8_t digest[32];

static void sm3(const uint8_t *msg, unsigned len) {
    for (int i = 0; i < 8; i++)  /* element values = the IV words as stored big-endian */
        put_be32((uint8_t *)&v[i], SM3_IV[i]);
    unsigned done = 0;
    while (len - done >= 64) {
        sm3_block(v, msg + done, w);
        done += 64;
    }
    unsigned n = len - done;
    zero_bytes(buf, 128);
    copy_bytes(buf, msg + done, n);
    buf[n] = 0x80;
    unsigned blocks = n + 9 > 64 ? 2 : 1;
    put_be64(buf + 64 * blocks - 8, (uint64_t)len * 8);
    for (unsigned b = 0; b < blocks; b++)
        sm3_block(v, buf + 64 * b, w);
    copy_bytes(digest, (const uint8_t *)v, 32);
}

static unsigned length(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }

int main(void) {
    static const char *abcd16 = "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd";
    vector_on();
    sm3((const uint8_t *)"abc", 3);
    CHECK(1, hex_equal(digest, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"));
    sm3((const uint8_t *)abcd16, length(abcd16));
    CHECK(2, hex_equal(digest, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"));
    rv_puts("zvk SM3: GB/T 32905 vectors pass\n");
    return 0;
}
