/*
 * vm_sv39 / vm_sv48 / vm_sv57 (built with LEVELS = 3 / 4 / 5): paging.
 *
 * M-mode builds the page tables; probes (vm_rt.S) run in S or U mode:
 *   S code runs through an identity gigapage (VA = PA, no U bit), U code
 *   through a U-accessible gigapage alias at PA + U_OFF, and test pages live
 *   at TVA (4 KiB leaves).  Faults come back as cause / tval / epc.
 *
 *   1-9    4 KiB pages: S load / store reach the right physical page; U
 *          access to U pages; execute from an X page (ecall placed there)
 *  10-19   permissions: V = 0, W-without-R (reserved), read-only store,
 *          non-X fetch (mepc = mtval = VA), U page from S without / with SUM
 *          (also SUM set by S itself), S page from U, S fetch from a U page
 *          even with SUM, non-leaf PTE at level 0
 *  20-24   MXR: X-only page unreadable without MXR, readable with it
 *  30-39   Svade: A = 0 -> page fault for load / store / fetch; D = 0 ->
 *          store page fault, loads fine; PTE unchanged.  If the flag
 *          `svadu` is non-zero (patched by the host, or QEMU variant) the
 *          accesses must succeed and the hart must set A / D instead.
 *  40-49   superpages: 2 MiB and 1 GiB leaves map with the right offset;
 *          misaligned mega / giga pages fault; Sv48: 512 GiB leaf and
 *          misaligned one; Sv57: 256 TiB leaf and misaligned one
 *  50-54   virtual addresses: non-canonical VA faults with stval = VA; a
 *          negative (upper half) VA translates
 *  60-64   sfence.vma (all / by VA) after remapping or invalidating a PTE
 *  70-74   MPRV: M-mode loads with MPRV = 1 translate with MPP's privilege
 *          (S page ok with MPP = S, faults with MPP = U; U page with MPP = U;
 *          MPP = M stays physical)
 *  80-81   load page fault delegated to S (scause / stval / sepc)
 *  90-92   satp: the configured mode reads back; unsupported mode 15 write
 *          is ignored
 */
#include "guest.h"

#ifndef LEVELS
#define LEVELS 3
#endif
#define VA_BITS   (12 + 9 * LEVELS)
#define SATP_MODE (LEVELS + 5)          /* 8 = Sv39, 9 = Sv48, 10 = Sv57 */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define RWX_AD (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define U_MODE 0
#define S_MODE 1
#define M_MODE 3

#define GIG   (1UL << 30)
#define RAM   0x80000000UL
#define U_OFF 0x1000000000UL            /* U alias of RAM: VA = PA + U_OFF */
#define TVA   0x2000000000UL            /* 4 KiB test pages */
#define MVA   0x2040000000UL            /* 2 MiB superpage tests */
#define GVA   0x2080000000UL            /* 1 GiB superpage test */
#define GBAD  0x20c0000000UL            /* misaligned gigapage */

#define MSTATUS_SUM  (1UL << 18)
#define MSTATUS_MXR  (1UL << 19)

#define CAUSE_FETCH_PF 12
#define CAUSE_LOAD_PF  13
#define CAUSE_STORE_PF 15

extern long vm_enter(long mode, long pc, long a0, long a1);
extern void vm_trap(void), s_trap(void);
extern char probe_ld[], probe_sd[], probe_jump[], probe_sfence_ld[],
    probe_sfence_va_ld[], probe_mprv_ld[], probe_mxr_ld[], probe_sum_ld[];
extern volatile struct { uint64_t cause, tval, epc; } vm_info, vm_sinfo;

/* Set non-zero (host patch / QEMU variant) when the hart updates A/D bits
 * in hardware (Svadu) instead of raising page faults (Svade). */
#ifndef SVADU_DEFAULT
#define SVADU_DEFAULT 0
#endif
volatile uint64_t svadu __attribute__((section(".data"), used)) = SVADU_DEFAULT;

#define NPT 24
static uint64_t pt[NPT][512] __attribute__((aligned(4096)));
static int npt_used = 1;                /* pt[0] is the root */
static uint8_t pages[8][4096] __attribute__((aligned(4096)));

static uint64_t *root(void) { return pt[0]; }

/* Walk to the PTE for va at `level` (0 = 4 KiB leaf), creating tables. */
static volatile uint64_t *pte_at(uint64_t va, int level)
{
    uint64_t *t = root();
    for (int l = LEVELS - 1; l > level; l--) {
        unsigned idx = (va >> (12 + 9 * l)) & 511;
        if (!(t[idx] & PTE_V)) {
            CHECK(250, npt_used < NPT);
            uint64_t *n = pt[npt_used++];
            t[idx] = (((uint64_t)n >> 12) << 10) | PTE_V;
        }
        CHECK(251, !(t[idx] & (PTE_R | PTE_W | PTE_X)));
        t = (uint64_t *)((t[idx] >> 10) << 12);
    }
    return &t[(va >> (12 + 9 * level)) & 511];
}

static void map(uint64_t va, uint64_t pa, int level, uint64_t flags)
{
    *pte_at(va, level) = ((pa >> 12) << 10) | flags | PTE_V;
}

static uint64_t tva(int i) { return TVA + 4096UL * i; }
static uint64_t upc(char *fn) { return (uint64_t)fn + U_OFF; }

static uint64_t ecall_cause(int mode)
{
    return mode == U_MODE ? 8 : mode == S_MODE ? 9 : 11;
}

/* run a probe in `mode`; returns its a0 */
static long run(int mode, char *fn, uint64_t a0, uint64_t a1)
{
    uint64_t pc = mode == U_MODE ? upc(fn) : (uint64_t)fn;
    return vm_enter(mode, pc, a0, a1);
}

static void ok(int n, int mode)
{
    CHECK(n, vm_info.cause == ecall_cause(mode));
}

static void fault(int n, uint64_t cause, uint64_t tval)
{
    CHECK(n, vm_info.cause == cause);
    CHECK(n, vm_info.tval == tval);
}

static uint64_t *pg64(int i) { return (uint64_t *)pages[i]; }

int main(void)
{
    long v;

    csr_write(mtvec, (uint64_t)vm_trap);
    csr_write(pmpaddr0, -1L);            /* PMP: allow everything */
    csr_write(pmpcfg0, 0x1f);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);

    /* identity gigapage for S code/data, U alias, for both halves */
    map(RAM, RAM, 2, RWX_AD | PTE_G);
    map(RAM + U_OFF, RAM, 2, RWX_AD | PTE_U);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 512; j++)
            pg64(i)[j] = 0x1111111111111111UL * (i + 1) + j;

    map(tva(0), (uint64_t)pages[0], 0, PTE_R | PTE_A);              /* RO   */
    map(tva(1), (uint64_t)pages[1], 0, PTE_R | PTE_W | PTE_A | PTE_D);
    map(tva(2), (uint64_t)pages[2], 0, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    map(tva(3), (uint64_t)pages[3], 0, PTE_X | PTE_A);               /* X only */
    map(tva(4), (uint64_t)pages[4], 0, PTE_R | PTE_X | PTE_U | PTE_A); /* U RX */
    *pte_at(tva(5), 0) = (((uint64_t)pages[5] >> 12) << 10);         /* V = 0 */
    map(tva(6), (uint64_t)pages[6], 0, PTE_W | PTE_A | PTE_D);       /* W only */
    map(tva(7), (uint64_t)pages[7], 0, PTE_R | PTE_A);               /* no X */

    uint64_t satp = ((uint64_t)SATP_MODE << 60) | ((uint64_t)root() >> 12);
    csr_write(satp, satp);

    /* ---------------- basic translation ---------------- */
    v = run(S_MODE, probe_ld, tva(0) + 8, 0);
    ok(1, S_MODE);
    CHECK(1, v == (long)pg64(0)[1]);
    run(S_MODE, probe_sd, tva(1) + 16, 0x1234abcd);
    ok(2, S_MODE);
    CHECK(2, pg64(1)[2] == 0x1234abcd);
    v = run(U_MODE, probe_ld, tva(2) + 4088, 0);
    ok(3, U_MODE);
    CHECK(3, v == (long)pg64(2)[511]);
    run(U_MODE, probe_sd, tva(2), 77);
    ok(4, U_MODE);
    CHECK(4, pg64(2)[0] == 77);
    pages[4][0] = 0x73;  pages[4][1] = 0; pages[4][2] = 0; pages[4][3] = 0;  /* ecall */
    pages[3][0] = 0x73;  pages[3][1] = 0; pages[3][2] = 0; pages[3][3] = 0;
    __asm__ volatile("fence.i" ::: "memory");
    run(U_MODE, probe_jump, tva(4), 0);                 /* U executes U page */
    ok(5, U_MODE);
    CHECK(5, vm_info.epc == tva(4));
    run(S_MODE, probe_jump, tva(3), 0);                 /* S executes X-only */
    ok(6, S_MODE);
    CHECK(6, vm_info.epc == tva(3));
    /* ---------------- permissions ---------------- */
    run(S_MODE, probe_ld, tva(5) + 8, 0);               /* V = 0 */
    fault(10, CAUSE_LOAD_PF, tva(5) + 8);
    run(S_MODE, probe_ld, tva(6), 0);                   /* W without R */
    fault(11, CAUSE_LOAD_PF, tva(6));
    run(S_MODE, probe_sd, tva(6) + 8, 1);
    fault(11, CAUSE_STORE_PF, tva(6) + 8);
    run(S_MODE, probe_sd, tva(0) + 24, 1);              /* read-only */
    fault(12, CAUSE_STORE_PF, tva(0) + 24);
    CHECK(12, pg64(0)[3] == 0x1111111111111111UL + 3);
    run(S_MODE, probe_jump, tva(7) + 4, 0);             /* no X */
    fault(13, CAUSE_FETCH_PF, tva(7) + 4);
    CHECK(13, vm_info.epc == tva(7) + 4);
    run(S_MODE, probe_ld, tva(2), 0);                   /* U page, SUM = 0 */
    fault(14, CAUSE_LOAD_PF, tva(2));
    csr_set(mstatus, MSTATUS_SUM);                      /* U page, SUM = 1 */
    v = run(S_MODE, probe_ld, tva(2) + 8, 0);
    ok(15, S_MODE);
    CHECK(15, v == (long)pg64(2)[1]);
    v = run(S_MODE, probe_sum_ld, tva(2) + 16, 0);      /* S sets SUM itself */
    ok(15, S_MODE);
    CHECK(15, v == (long)pg64(2)[2]);
    run(U_MODE, probe_ld, tva(1), 0);                   /* S page from U */
    fault(16, CAUSE_LOAD_PF, tva(1));
    run(U_MODE, probe_sd, tva(1), 0);
    fault(16, CAUSE_STORE_PF, tva(1));
    csr_set(mstatus, MSTATUS_SUM);                      /* S fetch from U page */
    run(S_MODE, probe_jump, tva(4), 0);
    fault(17, CAUSE_FETCH_PF, tva(4));
    run(U_MODE, probe_jump, tva(3), 0);                 /* U fetch from S page */
    fault(18, CAUSE_FETCH_PF, tva(3));
    {   /* non-leaf PTE at level 0 */
        volatile uint64_t *p = pte_at(tva(8), 0);
        *p = (((uint64_t)pt[0] >> 12) << 10) | PTE_V;
        run(S_MODE, probe_ld, tva(8), 0);
        fault(19, CAUSE_LOAD_PF, tva(8));
    }

    /* ---------------- MXR ---------------- */
    run(S_MODE, probe_ld, tva(3) + 8, 0);
    fault(20, CAUSE_LOAD_PF, tva(3) + 8);
    csr_set(mstatus, MSTATUS_MXR);
    v = run(S_MODE, probe_ld, tva(3) + 8, 0);
    ok(21, S_MODE);
    CHECK(21, v == (long)pg64(3)[1]);
    v = run(S_MODE, probe_mxr_ld, tva(3) + 16, 0);
    ok(22, S_MODE);
    CHECK(22, v == (long)pg64(3)[2]);
    csr_set(mstatus, MSTATUS_MXR);                      /* MXR does not grant W */
    run(S_MODE, probe_sd, tva(3), 0);
    fault(23, CAUSE_STORE_PF, tva(3));

    /* ---------------- Svade / Svadu ---------------- */
    {
        volatile uint64_t *p9 = pte_at(tva(9), 0);
        volatile uint64_t *p10 = pte_at(tva(10), 0);
        volatile uint64_t *p11 = pte_at(tva(11), 0);
        uint64_t e9 = (((uint64_t)pages[1] >> 12) << 10) | PTE_V | PTE_R | PTE_W;
        uint64_t e10 = (((uint64_t)pages[1] >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A;
        uint64_t e11 = (((uint64_t)pages[3] >> 12) << 10) | PTE_V | PTE_X;
        *p9 = e9; *p10 = e10; *p11 = e11;
        if (!svadu) {
            run(S_MODE, probe_ld, tva(9), 0);           /* A = 0: load */
            fault(30, CAUSE_LOAD_PF, tva(9));
            run(S_MODE, probe_sd, tva(9) + 8, 5);       /* A = 0: store */
            fault(31, CAUSE_STORE_PF, tva(9) + 8);
            run(S_MODE, probe_jump, tva(11), 0);        /* A = 0: fetch */
            fault(32, CAUSE_FETCH_PF, tva(11));
            v = run(S_MODE, probe_ld, tva(10) + 8, 0);  /* D = 0: load ok */
            ok(33, S_MODE);
            CHECK(33, v == (long)pg64(1)[1]);
            run(S_MODE, probe_sd, tva(10), 5);          /* D = 0: store */
            fault(34, CAUSE_STORE_PF, tva(10));
            CHECK(35, *p9 == e9 && *p10 == e10 && *p11 == e11);
        } else {
            v = run(S_MODE, probe_ld, tva(9), 0);
            ok(30, S_MODE);
            CHECK(30, (*p9 & PTE_A) && !(*p9 & PTE_D));
            run(S_MODE, probe_sd, tva(10), 5);
            ok(34, S_MODE);
            CHECK(34, (*p10 & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
            run(S_MODE, probe_jump, tva(11), 0);
            ok(32, S_MODE);
            CHECK(32, *p11 & PTE_A);
        }
    }

    /* ---------------- superpages ---------------- */
    map(MVA, RAM, 1, PTE_R | PTE_A);                    /* 2 MiB -> RAM */
    map(MVA + (2UL << 20), RAM + 4096, 1, PTE_R | PTE_A); /* misaligned */
    map(GVA, RAM, 2, PTE_R | PTE_A);                    /* 1 GiB -> RAM */
    map(GBAD, RAM + (2UL << 20), 2, PTE_R | PTE_A);     /* misaligned */
    {
        uint64_t off = (uint64_t)&pages[2][40] - RAM;   /* < 2 MiB */
        v = run(S_MODE, probe_ld, MVA + off, 0);
        ok(40, S_MODE);
        CHECK(40, v == (long)pg64(2)[5]);
        run(S_MODE, probe_ld, MVA + (2UL << 20) + 64, 0);
        fault(41, CAUSE_LOAD_PF, MVA + (2UL << 20) + 64);
        v = run(S_MODE, probe_ld, GVA + off, 0);
        ok(42, S_MODE);
        CHECK(42, v == (long)pg64(2)[5]);
        run(S_MODE, probe_ld, GBAD + 8, 0);
        fault(43, CAUSE_LOAD_PF, GBAD + 8);
#if LEVELS >= 4
        /* 512 GiB leaf at VA 512 GiB -> PA 0; misaligned one at 1 TiB */
        map(1UL << 39, 0, 3, PTE_R | PTE_A);
        map(2UL << 39, RAM, 3, PTE_R | PTE_A);
        v = run(S_MODE, probe_ld, (1UL << 39) + (uint64_t)&pages[2][40], 0);
        ok(44, S_MODE);
        CHECK(44, v == (long)pg64(2)[5]);
        run(S_MODE, probe_ld, (2UL << 39) + 16, 0);
        fault(45, CAUSE_LOAD_PF, (2UL << 39) + 16);
#endif
#if LEVELS >= 5
        /* 256 TiB leaf at VA 256 TiB -> PA 0; misaligned one at 512 TiB */
        map(1UL << 48, 0, 4, PTE_R | PTE_A);
        map(2UL << 48, RAM, 4, PTE_R | PTE_A);
        v = run(S_MODE, probe_ld, (1UL << 48) + (uint64_t)&pages[2][40], 0);
        ok(46, S_MODE);
        CHECK(46, v == (long)pg64(2)[5]);
        run(S_MODE, probe_ld, (2UL << 48) + 16, 0);
        fault(47, CAUSE_LOAD_PF, (2UL << 48) + 16);
#endif
    }

    /* ---------------- VA canonical form ---------------- */
    {
        uint64_t bad = 1UL << (VA_BITS - 1 + 1);        /* bit VA_BITS set */
        bad |= tva(1);
        run(S_MODE, probe_ld, bad, 0);
        CHECK(50, vm_info.cause == CAUSE_LOAD_PF);
        CHECK(51, vm_info.tval == bad);
        uint64_t hi = ~0UL << (VA_BITS - 1);            /* first upper-half VA */
        map(hi, RAM, 2, PTE_R | PTE_A);
        uint64_t off = (uint64_t)&pages[6][8] - RAM;
        v = run(S_MODE, probe_ld, hi + off, 0);
        ok(52, S_MODE);
        CHECK(52, v == (long)pg64(6)[1]);
        uint64_t hole = (1UL << (VA_BITS - 1)) | 0x8000; /* top VA bit alone */
        run(S_MODE, probe_ld, hole, 0);
        CHECK(53, vm_info.cause == CAUSE_LOAD_PF);
        CHECK(53, vm_info.tval == hole);
    }

    /* ---------------- sfence.vma ---------------- */
    {
        volatile uint64_t *p = pte_at(tva(12), 0);
        *p = (((uint64_t)pages[4] >> 12) << 10) | PTE_V | PTE_R | PTE_A;
        v = run(S_MODE, probe_sfence_ld, tva(12), 0);
        ok(60, S_MODE);
        CHECK(60, v == (long)pg64(4)[0]);
        *p = (((uint64_t)pages[5] >> 12) << 10) | PTE_V | PTE_R | PTE_A;
        v = run(S_MODE, probe_sfence_ld, tva(12), 0);
        ok(61, S_MODE);
        CHECK(61, v == (long)pg64(5)[0]);
        *p = (((uint64_t)pages[6] >> 12) << 10) | PTE_V | PTE_R | PTE_A;
        v = run(S_MODE, probe_sfence_va_ld, tva(12), 0);
        ok(62, S_MODE);
        CHECK(62, v == (long)pg64(6)[0]);
        *p = 0;
        run(S_MODE, probe_sfence_va_ld, tva(12), 0);
        fault(63, CAUSE_LOAD_PF, tva(12));
    }

    /* ---------------- MPRV ---------------- */
    v = run(M_MODE, probe_mprv_ld, S_MODE, tva(0) + 32);
    ok(70, M_MODE);
    CHECK(70, v == (long)pg64(0)[4]);
    run(M_MODE, probe_mprv_ld, U_MODE, tva(0) + 32);    /* S page as U */
    fault(71, CAUSE_LOAD_PF, tva(0) + 32);
    v = run(M_MODE, probe_mprv_ld, U_MODE, tva(2) + 32);
    ok(72, M_MODE);
    CHECK(72, v == (long)pg64(2)[4]);
    v = run(M_MODE, probe_mprv_ld, M_MODE, (uint64_t)&pages[7][48]);
    ok(73, M_MODE);                                     /* MPP = M: physical */
    CHECK(73, v == (long)pg64(7)[6]);
    run(M_MODE, probe_mprv_ld, S_MODE, tva(5));         /* invalid PTE */
    fault(74, CAUSE_LOAD_PF, tva(5));

    /* ---------------- delegation to S ---------------- */
    csr_write(stvec, (uint64_t)s_trap);
    csr_write(medeleg, 1UL << CAUSE_LOAD_PF);
    vm_sinfo.cause = -1;
    v = run(S_MODE, probe_ld, tva(5) + 16, 0);
    ok(80, S_MODE);                                     /* s_trap's ecall */
    CHECK(80, v == 0x5ca1ab1e);
    CHECK(81, vm_sinfo.cause == CAUSE_LOAD_PF);
    CHECK(81, vm_sinfo.tval == tva(5) + 16);
    CHECK(81, vm_sinfo.epc == (uint64_t)probe_ld);
    csr_write(medeleg, 0);

    /* ---------------- satp ---------------- */
    CHECK(90, csr_read(satp) == satp);
    csr_write(satp, (15UL << 60) | 0x1234);             /* reserved mode */
    CHECK(91, csr_read(satp) == satp);
    csr_write(satp, 0);
    CHECK(92, csr_read(satp) == 0);
    return 0;
}
