/*
 * kvm_ctx: FP and vector state of KVM guests across exits and vCPU switches, as
 * Linux's KVM keeps it (../shared/reference/kvm-riscv-facts.md section 9: the
 * guest's f/v registers, fcsr, vl/vtype are its own whatever the host does with
 * them, eagerly or lazily).  Run it with
 * `rvemu run --kvm [--vcpus 2] guests/kvm/kvm_ctx.elf`.
 *
 * Checks (the number is printed and the guest shuts down through SRST with
 * reason "system failure" when one fails):
 *   1-4   V is usable exactly when the device tree's riscv,isa has it; FS / VS
 *         turn on (Initial) and a write makes them Dirty
 *   5-9   one vCPU: f registers, fflags, vector registers, vl, vtype survive
 *         in-kernel SBI calls, forwarded ones (console output), a WFI until the
 *         timer, and the FS/VS Dirty state the guest sees stays Dirty
 *   10-19 two vCPUs (when the device tree has two): both fill their state with
 *         different values and check it after spinning across several quanta
 *         (so the hart switches between them many times)
 */
#include "kvm_guest.h"

extern uint64_t kvm_v_fill(uint64_t seed);   /* v[i] = seed + i, vl = 3, e16/m2: vtype */
extern void kvm_v_save(uint64_t *buf);       /* vl, vtype, then the 32 registers */

volatile long cur_check;

#define MAX_HARTS 2
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_VS (3UL << 9)
#define SEED0 0x4000000000000000UL
#define SEED1 0x7ff0000000000100UL
#define ROUNDS 4

static volatile uint64_t n_timer[MAX_HARTS], n_illegal[MAX_HARTS];
static volatile int expect_illegal[MAX_HARTS];
static int has_v;

static inline long hart(void)
{
    long tp;
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    return tp & 1;
}

void trap_handler(struct frame *f)
{
    long h = hart();
    if (f->scause == (CAUSE_INTR | IRQ_S_TIMER)) {
        n_timer[h]++;
        sbi_call(EID_TIME, 0, -1L, 0, 0);
        return;
    }
    if (f->scause == CAUSE_ILLEGAL && expect_illegal[h]) {
        n_illegal[h]++;
        f->sepc += insn_len(f->sepc);
        return;
    }
    rv_puts("unexpected trap");
    say_hex(": scause=", f->scause);
    say_hex(" sepc=", f->sepc);
    say_hex(" stval=", f->stval);
    say_dec(" check=", cur_check);
    rv_putc('\n');
    rv_fail(cur_check ? cur_check : 0xfff);
}

/* Does the first riscv,isa property of the device tree have the letter v? */
static int fdt_isa_has_v(const void *fdt_)
{
    const uint8_t *fdt = fdt_;
    if (be32(fdt) != 0xd00dfeed)
        return -1;
    const char *strings = (const char *)fdt + be32(fdt + 12);
    const uint8_t *p = fdt + be32(fdt + 8), *end = p + be32(fdt + 36);
    while (p < end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == 1) {
            unsigned len = 0;
            while (p[len])
                len++;
            p += (len + 4) & ~3u;
        } else if (tok == 3) {
            uint32_t len = be32(p), off = be32(p + 4);
            const char *name = strings + off, *want = "riscv,isa";
            int eq = 1;
            for (int i = 0; want[i] || name[i]; i++)
                if (name[i] != want[i]) {
                    eq = 0;
                    break;
                }
            if (eq) {
                const char *v = (const char *)p + 8;     /* "rv64imafdcv_zicsr..." */
                for (int i = 4; v[i] && v[i] != '_'; i++)
                    if (v[i] == 'v')
                        return 1;
                return 0;
            }
            p += 8 + ((len + 3) & ~3u);
        } else if (tok == 9) {
            break;
        }
    }
    return 0;
}

static int probe_v(long h)
{
    csr_set(sstatus, 1UL << 9);                   /* VS = Initial (WARL: stays 0 without V) */
    expect_illegal[h] = 1;
    uint64_t before = n_illegal[h], vlenb = 0;
    __asm__ volatile(".option push\n.option arch, +v\n"
                     "vsetivli zero, 1, e8, m1, ta, ma\ncsrr %0, vlenb\n.option pop"
                     : "+r"(vlenb) :: "memory");
    expect_illegal[h] = 0;
    return n_illegal[h] == before && vlenb >= 8 && vlenb <= 256;   /* VLEN <= 2048 */
}

static uint64_t vbuf[MAX_HARTS][2 + 32 * 32] __attribute__((aligned(16)));

static uint64_t vlenb(void)
{
    uint64_t v;
    __asm__ volatile(".option push\n.option arch, +v\ncsrr %0, vlenb\n.option pop" : "=r"(v));
    return v;
}

/* the number of differences from kvm_v_fill(seed): registers, vl, vtype */
static long v_bad(long h, uint64_t seed, uint64_t vtype)
{
    uint64_t *b = vbuf[h], n = vlenb() / 8;
    kvm_v_save(b);
    long bad = (b[0] != 3) + (b[1] != vtype);
    for (unsigned i = 0; i < 32; i++)
        for (unsigned j = 0; j < n; j++)
            bad += b[2 + i * n + j] != seed + i;
    return bad;
}

static int dirty(void)
{
    uint64_t s = csr_read(sstatus);
    return (s & SSTATUS_FS) == SSTATUS_FS && (!has_v || (s & SSTATUS_VS) == SSTATUS_VS);
}

/* spin across several quanta, checking the state after each round */
static long exercise(long h, uint64_t seed, uint64_t vtype)
{
    long bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (volatile long i = 0; i < 40000; i++)
            ;
        bad += kvm_fp_check(seed);
        if (has_v)
            bad += v_bad(h, seed, vtype);
        bad += !dirty();
    }
    return bad;
}

static volatile struct { uint64_t started, done, bad, dirty; long stop_err; } x1;

void secondary_main(long hartid, long opaque)
{
    (void)opaque;
    if (hartid != 1)
        for (;;)
            __asm__ volatile("wfi");
    uint64_t vt = 0;
    if (has_v) {
        csr_set(sstatus, 1UL << 9);
        vt = kvm_v_fill(SEED1);
    }
    kvm_fp_fill(SEED1);
    x1.dirty = dirty();
    x1.started = 1;
    x1.bad = exercise(1, SEED1, vt);
    __asm__ volatile("fence rw, rw" ::: "memory");
    x1.done = 1;
    struct sbiret r = sbi_call(EID_HSM, 1, 0, 0, 0);
    x1.stop_err = r.error ? r.error : -100;
    for (;;)
        __asm__ volatile("wfi");
}

int main(long hartid, void *fdt)
{
    __asm__ volatile("mv tp, %0" :: "r"(hartid));
    csr_write(stvec, (uint64_t)kvm_trap_entry);
    T(1, hartid == 0);
    int v_fdt = fdt_isa_has_v(fdt);
    has_v = probe_v(0);
    rv_puts("ctx: V in the device tree: ");
    rv_puts(v_fdt ? "yes" : "no");
    rv_puts(", usable: ");
    rv_puts(has_v ? "yes" : "no");
    if (has_v)
        say_dec(" (vlenb ", vlenb()), rv_putc(')');
    rv_putc('\n');
    T(2, v_fdt >= 0 && has_v == v_fdt);           /* advertised <=> usable */
    T(3, (csr_read(sstatus) & SSTATUS_FS) != 0);  /* FS on (crt_sbi: Initial) */
    uint64_t vt = has_v ? kvm_v_fill(SEED0) : 0;
    kvm_fp_fill(SEED0);
    T(4, dirty());                                /* the writes made FS (VS) Dirty */

    /* one vCPU: exits of every kind in between */
    for (int i = 0; i < 3; i++)
        T(5, sbi_call(EID_BASE, 0, 0, 0, 0).error == 0);    /* in-kernel SBI */
    rv_puts("ctx: state set; console output is a forwarded SBI call\n");
    n_timer[0] = 0;
    sbi_call(EID_TIME, 0, rdtime() + 3000, 0, 0);
    csr_set(sie, SIP_STIP);
    csr_set(sstatus, SSTATUS_SIE);
    for (int i = 0; i < 100 && !n_timer[0]; i++)
        __asm__ volatile("wfi");                  /* a WFI exit, the timer in between */
    csr_clear(sstatus, SSTATUS_SIE);
    csr_clear(sie, SIP_STIP);
    T(6, n_timer[0] == 1);
    T(7, kvm_fp_check(SEED0) == 0);               /* f registers and fflags */
    T(8, !has_v || v_bad(0, SEED0, vt) == 0);     /* v registers, vl, vtype */
    T(9, dirty());                                /* still Dirty as the guest sees it */
    rv_puts("ctx: one vCPU: state kept across SBI calls, console exits and WFI\n");

    long n = fdt_count_cpus(fdt);
    if (n >= 2) {
        struct sbiret r = sbi_call(EID_HSM, 0, 1, (long)kvm_secondary_entry, 0);
        T(10, r.error == 0);
        long bad = exercise(0, SEED0, vt);
        for (long i = 0; i < 50000000 && !x1.done; i++)
            ;
        T(11, x1.started && x1.done);
        T(12, x1.dirty);                          /* vCPU 1's own writes: Dirty */
        T(13, x1.bad == 0);                       /* vCPU 1 kept its state */
        T(14, bad == 0);                          /* and vCPU 0 its own */
        T(15, kvm_fp_check(SEED0) == 0 && (!has_v || v_bad(0, SEED0, vt) == 0));
        int stopped = 0;
        for (int i = 0; i < 100000 && !stopped; i++) {
            r = sbi_call(EID_HSM, 2, 1, 0, 0);
            stopped = r.error == 0 && r.value == 1;
        }
        T(16, stopped && x1.stop_err == 0);
        say_dec("ctx: two vCPUs: each kept its state over ", ROUNDS);
        rv_puts(" rounds of several quanta\n");
    }
    rv_puts("kvm_ctx: all checks passed\n");
    return 0;
}
