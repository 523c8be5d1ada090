/*
 * pmp: physical memory protection (entries 0-7, i.e. pmpcfg0 only).
 * Probes from vm_rt.S run in S / U mode with paging off.  Entry 7 is a
 * NAPOT "allow RWX" over the first MiB of RAM (code, data, test regions), so
 * accesses outside it have no matching entry.
 *
 *   1-3    pmpaddr / pmpcfg read back; pmpaddr bits 63:54 read as zero;
 *          granularity 4 bytes (G = 0) is assumed (NA4 is used)
 *   10-14  TOR (R only): U load ok, U store -> store access fault with
 *          mtval, U fetch -> fetch access fault, S store faults too; the top
 *          address is exclusive
 *   20-22  NA4 (no permissions): only those 4 bytes fault
 *   30-32  NAPOT 256 B execute-only: load faults, fetch works; NAPOT 8 B
 *   40-41  priority: the lowest-numbered matching entry decides
 *   50-51  no matching entry: S/U access fails, M access succeeds
 *   60-61  M-mode ignores unlocked entries, but an access matching only
 *          part of an entry fails in every mode
 *   70-76  locked TOR entry: applies to M (store fault, load ok), its
 *          pmpcfg and pmpaddr (and pmpaddr of the entry below, used as TOR
 *          base) ignore writes
 */
#include "guest.h"

#define U_MODE 0
#define S_MODE 1
#define M_MODE 3

#define P_R 0x01
#define P_W 0x02
#define P_X 0x04
#define P_TOR   (1 << 3)
#define P_NA4   (2 << 3)
#define P_NAPOT (3 << 3)
#define P_L 0x80

#define CAUSE_FETCH_ACCESS 1
#define CAUSE_LOAD_ACCESS  5
#define CAUSE_STORE_ACCESS 7

extern long vm_enter(long mode, long pc, long a0, long a1);
extern void vm_trap(void);
extern char probe_ld[], probe_sd[], probe_jump[];
extern volatile struct { uint64_t cause, tval, epc; } vm_info;

static uint8_t region[4][4096] __attribute__((aligned(4096)));

static void set_addr(int i, uint64_t v)
{
    switch (i) {
    case 0: csr_write(pmpaddr0, v); break;
    case 1: csr_write(pmpaddr1, v); break;
    case 2: csr_write(pmpaddr2, v); break;
    case 3: csr_write(pmpaddr3, v); break;
    case 4: csr_write(pmpaddr4, v); break;
    case 5: csr_write(pmpaddr5, v); break;
    case 6: csr_write(pmpaddr6, v); break;
    case 7: csr_write(pmpaddr7, v); break;
    }
}

static uint64_t get_addr(int i)
{
    switch (i) {
    case 0: return csr_read(pmpaddr0);
    case 1: return csr_read(pmpaddr1);
    case 2: return csr_read(pmpaddr2);
    case 3: return csr_read(pmpaddr3);
    case 4: return csr_read(pmpaddr4);
    case 5: return csr_read(pmpaddr5);
    case 6: return csr_read(pmpaddr6);
    default: return csr_read(pmpaddr7);
    }
}

static void set_cfg(int i, uint64_t c)
{
    uint64_t v = csr_read(pmpcfg0);
    v &= ~(0xffUL << (8 * i));
    v |= (c & 0xff) << (8 * i);
    csr_write(pmpcfg0, v);
}

static uint64_t get_cfg(int i) { return (csr_read(pmpcfg0) >> (8 * i)) & 0xff; }

static uint64_t napot(uint64_t base, uint64_t size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

static long run(int mode, char *fn, uint64_t a0, uint64_t a1)
{
    return vm_enter(mode, (uint64_t)fn, a0, a1);
}

static uint64_t ecall_cause(int mode)
{
    return mode == U_MODE ? 8 : mode == S_MODE ? 9 : 11;
}

static void ok(int n, int mode) { CHECK(n, vm_info.cause == ecall_cause(mode)); }

static void fault(int n, uint64_t cause, uint64_t tval)
{
    CHECK(n, vm_info.cause == cause);
    CHECK(n, vm_info.tval == tval);
}

static uint64_t R(int i, int off) { return (uint64_t)&region[i][off]; }
static uint64_t *R64(int i, int off) { return (uint64_t *)&region[i][off]; }

int main(void)
{
    long v;
    csr_write(mtvec, (uint64_t)vm_trap);
    csr_write(satp, 0);
    csr_write(medeleg, 0);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4096; j += 8)
            *R64(i, j) = 0x0101010101010101UL * (i + 1) + j;

    /* ---------------- CSR behaviour ---------------- */
    csr_write(pmpcfg0, 0);
    set_addr(0, -1UL);                          /* bits 63:54 read 0, */
#ifndef QEMU_QUIRKS                             /* (QEMU 7.2 keeps them) */
    CHECK(1, (get_addr(0) >> 54) == 0);
#endif
    CHECK(1, (get_addr(0) & 0x3fffffffUL) == 0x3fffffffUL); /* RAM-range bits */
    set_addr(0, 0x12345678);
    CHECK(2, get_addr(0) == 0x12345678);
    set_cfg(1, P_TOR | P_R | P_X);
    CHECK(3, get_cfg(1) == (P_TOR | P_R | P_X));
    CHECK(3, get_cfg(0) == 0);
    set_cfg(1, 0);

    /* entry 7: allow the first MiB of RAM */
    set_addr(7, napot(0x80000000UL, 1UL << 20));
    set_cfg(7, P_NAPOT | P_R | P_W | P_X);
    CHECK(4, (uint64_t)&region[3][4096] <= 0x80100000UL);

    /* ---------------- TOR ---------------- */
    set_addr(0, R(0, 0) >> 2);                  /* TOR base (entry 0 OFF) */
    set_addr(1, R(1, 0) >> 2);                  /* top, exclusive */
    set_cfg(1, P_TOR | P_R);
    v = run(U_MODE, probe_ld, R(0, 8), 0);
    ok(10, U_MODE);
    CHECK(10, v == (long)*R64(0, 8));
    run(U_MODE, probe_sd, R(0, 16), 5);
    fault(11, CAUSE_STORE_ACCESS, R(0, 16));
    CHECK(11, *R64(0, 16) == 0x0101010101010101UL + 16);
    region[0][64] = 0x73; region[0][65] = 0; region[0][66] = 0; region[0][67] = 0;
    run(U_MODE, probe_jump, R(0, 64), 0);
    fault(12, CAUSE_FETCH_ACCESS, R(0, 64));
    run(S_MODE, probe_sd, R(0, 4088), 5);
    fault(13, CAUSE_STORE_ACCESS, R(0, 4088));
    run(U_MODE, probe_sd, R(1, 0), 9);          /* first byte above the top */
    ok(14, U_MODE);
    CHECK(14, *R64(1, 0) == 9);

    /* ---------------- NA4 ---------------- */
    set_addr(2, R(1, 8) >> 2);
    set_cfg(2, P_NA4);
    run(U_MODE, probe_ld, R(1, 8), 0);          /* 8-byte load over it */
    fault(20, CAUSE_LOAD_ACCESS, R(1, 8));
    v = run(S_MODE, probe_ld, R(1, 16), 0);
    ok(21, S_MODE);
    CHECK(21, v == (long)*R64(1, 16));
    v = run(U_MODE, probe_ld, R(1, 0), 0);
    ok(22, U_MODE);

    /* ---------------- NAPOT ---------------- */
    set_addr(3, napot(R(2, 256), 256));
    set_cfg(3, P_NAPOT | P_X);
    region[2][256 + 128] = 0x73; region[2][256 + 129] = 0;
    region[2][256 + 130] = 0; region[2][256 + 131] = 0;
    __asm__ volatile("fence.i" ::: "memory");
    run(U_MODE, probe_ld, R(2, 256 + 248), 0);
    fault(30, CAUSE_LOAD_ACCESS, R(2, 256 + 248));
    run(U_MODE, probe_jump, R(2, 256 + 128), 0);
    ok(31, U_MODE);
    CHECK(31, vm_info.epc == R(2, 256 + 128));
    v = run(U_MODE, probe_ld, R(2, 512), 0);    /* just above */
    ok(32, U_MODE);
    set_addr(4, napot(R(2, 1024), 8));          /* 8-byte NAPOT, no perms */
    set_cfg(4, P_NAPOT);
    run(S_MODE, probe_ld, R(2, 1024), 0);
    fault(33, CAUSE_LOAD_ACCESS, R(2, 1024));
    run(S_MODE, probe_ld, R(2, 1032), 0);
    ok(34, S_MODE);

    /* ---------------- priority ---------------- */
    set_addr(4, napot(R(3, 0), 4096));
    set_cfg(4, P_NAPOT | P_R | P_W);
    set_addr(5, napot(R(3, 0), 4096));
    set_cfg(5, P_NAPOT);
    run(U_MODE, probe_sd, R(3, 8), 11);
    ok(40, U_MODE);
    CHECK(40, *R64(3, 8) == 11);
    set_cfg(4, P_NAPOT);                        /* now: no permission */
    set_cfg(5, P_NAPOT | P_R | P_W);
    run(U_MODE, probe_ld, R(3, 8), 0);
    fault(41, CAUSE_LOAD_ACCESS, R(3, 8));
    set_cfg(4, 0);
    set_cfg(5, 0);

    /* ---------------- no matching entry ---------------- */
    {
        uint64_t far = 0x80200000UL;            /* RAM, outside entry 7 */
        *(volatile uint64_t *)far = 0xabcdef;   /* M: no match -> allowed */
        CHECK(50, *(volatile uint64_t *)far == 0xabcdef);
        run(S_MODE, probe_ld, far, 0);
        fault(51, CAUSE_LOAD_ACCESS, far);
        run(U_MODE, probe_sd, far + 8, 0);
        fault(51, CAUSE_STORE_ACCESS, far + 8);
    }

    /* ---------------- M ignores unlocked entries ---------------- */
    *(volatile uint32_t *)R(1, 8) = 0x77;       /* NA4 entry 2, no perms */
    *(volatile uint64_t *)R(0, 24) = 0x78;      /* TOR entry 1, R only */
    CHECK(60, *(volatile uint32_t *)R(1, 8) == 0x77 &&
              *(volatile uint64_t *)R(0, 24) == 0x78);
    /* ... but an access matching only part of an entry fails, even in M */
    run(M_MODE, probe_sd, R(1, 8), 1);          /* 8 bytes over a 4-byte NA4 */
    fault(61, CAUSE_STORE_ACCESS, R(1, 8));

    /* ---------------- locked entry (irreversible: last) ---------------- */
    set_addr(5, R(3, 0) >> 2);
    set_addr(6, R(3, 2048) >> 2);
    set_cfg(6, P_TOR | P_R | P_L);
    v = *(volatile uint64_t *)R(3, 16);         /* M load ok */
    CHECK(70, v == (long)*R64(3, 16));
    run(M_MODE, probe_sd, R(3, 32), 1);         /* M store faults */
    fault(71, CAUSE_STORE_ACCESS, R(3, 32));
    run(M_MODE, probe_sd, R(3, 2048), 1);       /* above the top: fine */
    ok(72, M_MODE);
    run(U_MODE, probe_sd, R(3, 40), 1);
    fault(73, CAUSE_STORE_ACCESS, R(3, 40));
    set_cfg(6, P_TOR | P_R | P_W);              /* ignored */
    CHECK(74, get_cfg(6) == (P_TOR | P_R | P_L));
    set_addr(6, R(3, 4096) >> 2);               /* ignored */
    CHECK(75, get_addr(6) == R(3, 2048) >> 2);
    set_addr(5, 0);                             /* TOR base of a locked entry */
    CHECK(76, get_addr(5) == R(3, 0) >> 2);
    return 0;
}
