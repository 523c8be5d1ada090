/* Helpers shared by the ZV* guests (guests/zvk): M-mode, HTIF exit via common/crt.S. */
#ifndef ZVK_GUEST_H
#define ZVK_GUEST_H
#include <stdint.h>
#include "guest.h"

/* mstatus.VS = Initial: vector instructions trap while VS is Off (crt.S enables only FS). */
static inline void vector_on(void) { csr_set(mstatus, 1u << 9); }

static inline int hexval(char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
/* Parse an even-length hex string into out; returns the number of bytes. */
static inline unsigned unhex(uint8_t *out, const char *hex) {
    unsigned n = 0;
    while (hex[0] && hex[1]) {
        out[n++] = (uint8_t)(hexval(hex[0]) << 4 | hexval(hex[1]));
        hex += 2;
    }
    return n;
}
static inline int bytes_equal(const uint8_t *a, const uint8_t *b, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}
static inline int hex_equal(const uint8_t *got, const char *hex) {
    uint8_t want[128];
    unsigned n = unhex(want, hex);
    return bytes_equal(got, want, n);
}
static inline void copy_bytes(uint8_t *d, const uint8_t *s, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        d[i] = s[i];
}
static inline void zero_bytes(uint8_t *d, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        d[i] = 0;
}
static inline uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v) {
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}
#endif
