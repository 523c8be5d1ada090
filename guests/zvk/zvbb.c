/* Zvbb (and its subset Zvkb) and Zvbc: every instruction form, unmasked and masked, at every
 * SEW it allows, against a table computed by tests/zvk_ref.py (gen_zvbb.py).  Masked-off
 * and tail elements must keep the old vd (vtype: tu, mu).  Exit 0 = pass, else 1 + the index
 * of the first failing case modulo 250 (an 8-bit exit status is never 0); the console names
 * the case. */
#include "zvk_guest.h"

struct zt_case {
    uint8_t fn, vtype, vl, ncmp, vx;  /* vx: pass the scalar, not the vs1 buffer */
    uint32_t mask;
    uint64_t scalar;
    uint8_t vs2[16], vs1[16], old[32], exp[32];
};
typedef void (*zt_fn)(uint64_t vtype, uint64_t vl, const uint8_t *vs2, uint64_t vs1,
                      uint8_t *vd, const uint8_t *mask);

#include "zvbb_cases.inc"

#define X(f) void f(uint64_t, uint64_t, const uint8_t *, uint64_t, uint8_t *, const uint8_t *);
ZT_FUNCS
#undef X
#define X(f) f,
static const zt_fn FUNCS[] = {ZT_FUNCS};
#undef X

static uint8_t vs2[128] __attribute__((aligned(16))), vs1[128] __attribute__((aligned(16)));
static uint8_t vd[128] __attribute__((aligned(16))), mask[128] __attribute__((aligned(16)));

int main(void) {
    vector_on();
    unsigned n = sizeof ZT_CASES / sizeof ZT_CASES[0];
    for (unsigned i = 0; i < n; i++) {
        const struct zt_case *c = &ZT_CASES[i];
        zero_bytes(vs2, 128); zero_bytes(vs1, 128); zero_bytes(vd, 128); zero_bytes(mask, 128);
        copy_bytes(vs2, c->vs2, 16);
        copy_bytes(vs1, c->vs1, 16);
        copy_bytes(vd, c->old, c->ncmp);
        for (int b = 0; b < 4; b++) mask[b] = (uint8_t)(c->mask >> (8 * b));
        uint64_t op1 = c->vx ? c->scalar : (uint64_t)(uintptr_t)vs1;
        FUNCS[c->fn](c->vtype, c->vl, vs2, op1, vd, mask);
        if (!bytes_equal(vd, c->exp, c->ncmp)) {
            rv_puts("zvbb case ");
            rv_putdec(i);
            rv_puts(" failed\n");
            return 1 + (int)(i % 250);
        }
    }
    rv_puts("zvk Zvbb/Zvbc: ");
    rv_putdec(n);
    rv_puts(" cases pass\n");
    return 0;
}
