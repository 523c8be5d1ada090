/*
 * hyp: a bare-metal hypervisor test harness for the H extension.
 *
 * M-mode (main) sets up PMP, delegation and the counters, checks the M-level
 * H state, and drops to HS (S-mode, V = 0).  The HS code (hs_main) builds the
 * G-stage tables (Sv39x4, one Sv48x4 case) and VS-stage tables (Sv39), and
 * runs small probes in VS, VU, U and HS with hv_enter (hyp_rt.S), which
 * SRETs into the probe (hstatus.SPV, sstatus.SPP) and comes back on the
 * probe's first trap into HS (or M), with the trap recorded in hv_info.
 * Probes are either code in hyp_rt.S or single instructions written into
 * insn_buf (followed by an ecall).  A failing check prints its number and
 * line and exits with the check number.
 *
 * Guest physical layout (G stage): GPA 0x8000_0000 is RAM, identity mapped
 * (1 GiB, U RWX); test pages at GPA TG + 4 KiB * i (g(i)); GPA GHI (1.5 TiB,
 * top root index bits) maps RAM again.  VS stage (Sv39): VA 0x8000_0000
 * identity (VS code), VA 0x8000_0000 + U_OFF the same with U (VU code), and
 * test pages at TVA + 4 KiB * i (t(i)).
 *
 *    1-9    M level: misa.H, mideleg VS bits read-only 1, medeleg of 20-23,
 *           mstatus.MPV / GVA writable, mtval2 / mtinst
 *   10-29   H CSRs: hstatus VSXL = 2 and writable bits, hedeleg read-only-0
 *           bits, hideleg 2/6/10 only, hvip, hip <-> hvip, hie, vsip / vsie
 *           aliasing with hideleg (and mip / mie), hgatp WARL (mode, VMID,
 *           16 KiB-aligned PPN), vsatp with a bad mode, henvcfg STCE / ADUE /
 *           PBMTE following menvcfg, hcounteren, htimedelta, H / VS CSRs
 *           illegal from U
 *   30-39   V = 1 reaches the VS CSRs through the S numbers (sscratch, stvec,
 *           sepc, scause, stval, sstatus, sip, sie, satp); senvcfg and
 *           scounteren are not swapped
 *   40-44   sstatus.FS and vsstatus.FS both gate FP and fcsr (illegal
 *           instruction), both go Dirty
 *   50-68   G stage alone (vsatp = Bare): loads / stores / fetches through
 *           Sv39x4, top root bits, guest-page faults 20 / 21 / 23 with stval
 *           = GVA, htval = GPA >> 2, GVA = 1, htinst; a fetch straddling
 *           into a non-X page; G leaf without U; GPA bits above 41; MXR (HS
 *           MXR affects the G stage, vsstatus.MXR not); G-stage A = 0 (Svade
 *           fault / Svadu update); access fault behind the G stage;
 *           misaligned access and ebreak (GVA); G 2 MiB leaves (aligned,
 *           misaligned), reserved G PTE bits, W without R; AMO / LR / SC
 *           guest-page faults (AMO and SC are stores)
 *   70-89   VS stage over G stage: translation, vsstatus.SUM, U pages, GPF
 *           behind a VS mapping, VS page faults to HS (htval = 0), MXR per
 *           stage, implicit VS-stage PTE reads faulting in the G stage
 *           (htval = PTE GPA >> 2, htinst = 0x3000; HS MXR does not help
 *           them), VS A/D (Svade / Svadu, A update faulting in the G stage:
 *           htinst = 0x3020; henvcfg.ADUE dead while menvcfg.ADUE = 0),
 *           fetches, VS 2 MiB page over 4 KiB G pages, SFENCE.VMA in VS,
 *           MPRV with MPV = 1, VS fetch from U pages, VS leaf beyond the
 *           GPA space, VS root unmapped in the G stage (fetch GPF)
 *   90-107  HLV / HLVX / HSV from HS (SPVP 0 / 1, SUM, MXR, widths, faults
 *           with GVA = 1, implicit-walk faults, misaligned), from U (HU = 1
 *           / 0) and from M (MPRV does not apply); HLVX needs PMP R and X
 *  110-118  HFENCE.VVMA / GVMA make new mappings visible (also to fetches,
 *           and SFENCE.VMA in VS); illegal from U,
 *           virtual from VS / VU; mstatus.TVM: HFENCE.GVMA, hgatp, satp,
 *           SFENCE.VMA illegal in HS, VS unaffected, VS / VU accesses still
 *           virtual; VMID-tagged switching between two guests
 *  120-139  virtual-instruction exceptions (cause 22, stval = instruction)
 *           and the illegal-instruction (2) ones (incl. writes to read-only
 *           CSRs from V = 1)
 *  150-166  ecall from VS / VU / U, hedeleg delegation to VS, SRET in VS,
 *           MRET into VS / VU, traps from V = 1 into M (MPV, GVA, mtval2,
 *           mtinst)
 *  170-184  VS-level interrupts: delegated (causes 1/5/9), not delegated
 *           (2/6/10), priorities (also HS-level before VS-level), vectored
 *           vstvec, vsstatus.SIE and vsie gating, not taken in HS when
 *           delegated nor in U, taken in HS with SIE when not, VS raising and
 *           clearing SSIP through sip, WFI wake-up; htimedelta
 *  185-191  Sstc: vstimecmp raising VSTIP, stimecmp reaching vstimecmp,
 *           henvcfg.STCE / menvcfg.STCE / hcounteren.TM gating, a VS kernel
 *           taking its own timer interrupts   (left out without Sstc)
 *  199-203  Sv48 VS stage; Sv48x4 G stage
 */
#include "guest.h"

/* ------------------------------------------------------------------ bits */
#define MSTATUS_SIE  (1UL << 1)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_SPP  (1UL << 8)
#define MSTATUS_MPP  (3UL << 11)
#define MSTATUS_FS   (3UL << 13)
#define MSTATUS_SUM  (1UL << 18)
#define MSTATUS_MXR  (1UL << 19)
#define MSTATUS_TVM  (1UL << 20)
#define MSTATUS_TW   (1UL << 21)
#define MSTATUS_TSR  (1UL << 22)
#define MSTATUS_GVA  (1UL << 38)
#define MSTATUS_MPV  (1UL << 39)
#define MSTATUS_SD   (1UL << 63)
#define FS_INITIAL   (1UL << 13)
#define FS_DIRTY     (3UL << 13)

#define HSTATUS_GVA  (1UL << 6)
#define HSTATUS_SPV  (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_HU   (1UL << 9)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW  (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)
#define HSTATUS_VSXL (3UL << 32)

#define ENVCFG_ADUE  (1UL << 61)
#define ENVCFG_PBMTE (1UL << 62)
#define ENVCFG_STCE  (1UL << 63)

#define IRQ      (1UL << 63)
#define VS_BITS  0x444UL                 /* VSSIP, VSTIP, VSEIP */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define AD    (PTE_A | PTE_D)

/* causes */
#define C_ILLEGAL   2
#define C_ECALL_U   8
#define C_ECALL_S   9
#define C_ECALL_VS  10
#define C_FETCH_PF  12
#define C_LOAD_PF   13
#define C_STORE_PF  15
#define C_FETCH_GPF 20
#define C_LOAD_GPF  21
#define C_VIRTUAL   22
#define C_STORE_GPF 23

/* probe modes for hv_enter: bit 0 = S (else U), bit 2 = V, bit 3 = via MRET */
#define M_U   0
#define M_HS  1
#define M_VU  4
#define M_VS  5
#define VIA_M 8

#define VS_MAGIC 0x5ca1ab1eUL

/* CSR numbers used by number */
#define CSR_SSTATUS   0x100
#define CSR_SIE       0x104
#define CSR_STVEC     0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG   0x10A
#define CSR_SSCRATCH  0x140
#define CSR_SEPC      0x141
#define CSR_SCAUSE    0x142
#define CSR_STVAL     0x143
#define CSR_SIP       0x144
#define CSR_STIMECMP  0x14D
#define CSR_SATP      0x180
#define CSR_VSSTATUS  0x200
#define CSR_VSATP     0x280
#define CSR_MSTATUS   0x300
#define CSR_MTVEC     0x305
#define CSR_HSTATUS   0x600
#define CSR_HVIP      0x645
#define CSR_HGATP     0x680

/* instruction encodings (a0 = x10, a1 = x11) */
#define CSRR(c)   (((uint32_t)(c) << 20) | (2 << 12) | (10 << 7) | 0x73)
#define CSRW(c)   (((uint32_t)(c) << 20) | (11 << 15) | (1 << 12) | 0x73)
#define CSRCI(c, i) (((uint32_t)(c) << 20) | ((i) << 15) | (7 << 12) | 0x73)
#define ECALL     0x00000073u
#define LI_A0(v)  ((((uint32_t)(v) & 0xfff) << 20) | (10 << 7) | 0x13)

/* ------------------------------------------------------- runtime (asm) */
struct hv_info {
    uint64_t cause, tval, epc, htval, htinst, hstatus, sstatus, a0, in_m,
        mstatus;
};
struct vs_info { uint64_t cause, tval, epc, status, a0, count, sip; };
extern volatile struct hv_info hv_info;
extern volatile struct vs_info vs_info;
extern volatile uint64_t hv_active, hv_flush, vs_vec_index, vs_ticks,
    vs_tick_cause;
extern volatile uint32_t insn_buf[16];
extern const uint32_t insn_words[];
extern long hv_enter(long mode, uint64_t pc, uint64_t a0, uint64_t a1);
extern uint64_t m_call(void *fn, uint64_t a0, uint64_t a1, uint64_t a2);
extern void m_to_hs(void (*fn)(void)) __attribute__((noreturn));
extern char m_trap[], hs_trap[], vs_trap[], vs_trap_ecall[], vs_trap_skip[],
    vs_vectab[];
extern char probe_ld[], probe_sd[], probe_jump[], probe_vs_sret[],
    probe_vs_sret_ret[], probe_hs_sie[], probe_sfence_ld[], probe_wfi[],
    m_mprv_ld[], probe_vs_timer[], probe_sfence_jump[];

enum {
    I_WFI, I_SRET, I_MRET, I_SFENCE, I_HFV, I_HFG, I_HLVD, I_HLVB, I_HLVBU,
    I_HLVH, I_HLVHU, I_HLVW, I_HLVWU, I_HLVXHU, I_HLVXWU, I_HSVD, I_HSVW,
    I_FMV, I_RDCYCLE, I_RDTIME, I_LD, I_SD, I_LI77, I_EBREAK, I_HFV_R,
    I_HFG_R, I_FADD, I_RDINSTRET, I_AMOADD, I_LR, I_SC
};
#define W(i) (insn_words[i])

/* ------------------------------------------------------------ reporting */
static volatile long cur;               /* check in progress (for traps) */
static volatile unsigned long nchecks;  /* conditions evaluated */
static int has_sstc, has_svadu, has_pbmt;

static void show(const char *s, uint64_t v)
{
    rv_puts(s);
    rv_puthex(v);
}

static void __attribute__((noreturn)) fail(long n, int line)
{
    rv_puts("hyp: check ");
    rv_putdec(n);
    rv_puts(" failed at line ");
    rv_putdec(line);
    show("\n  cause=", hv_info.cause);
    show(" tval=", hv_info.tval);
    show(" epc=", hv_info.epc);
    show("\n  htval=", hv_info.htval);
    show(" htinst=", hv_info.htinst);
    show(" hstatus=", hv_info.hstatus);
    show("\n  sstatus=", hv_info.sstatus);
    show(" a0=", hv_info.a0);
    show(" in_m=", hv_info.in_m);
    show(" mstatus=", hv_info.mstatus);
    show("\n  vs: cause=", vs_info.cause);
    show(" tval=", vs_info.tval);
    show(" epc=", vs_info.epc);
    show(" status=", vs_info.status);
    rv_putc('\n');
    rv_fail(n);
}

#undef CHECK
#define CHECK(n, cond) do { cur = (n); nchecks++; \
        if (!(cond)) fail((n), __LINE__); } while (0)

void m_unexpected(void)
{
    rv_puts("hyp: unexpected trap into M");
    show(": mcause=", csr_read(mcause));
    show(" mepc=", csr_read(mepc));
    show(" mtval=", csr_read(mtval));
    show(" check=", cur);
    rv_putc('\n');
    rv_exit(cur ? cur : 0xfff);
}

void hs_unexpected(void)
{
    rv_puts("hyp: unexpected trap into HS");
    show(": scause=", csr_read(scause));
    show(" sepc=", csr_read(sepc));
    show(" stval=", csr_read(stval));
    show(" check=", cur);
    rv_putc('\n');
    rv_exit(cur ? cur : 0xfff);
}

/* -------------------------------------------------------------- memory */
#define RAM    0x80000000UL
#define GIG    (1UL << 30)
#define TG     0x100000000UL            /* G-stage test window (GPA) */
#define GHI    0x18000000000UL          /* 1.5 TiB: top root index bits */
#define TVA    0x2000000000UL           /* VS-stage test window (VA) */
#define U_OFF  0x1000000000UL           /* VU alias of RAM */
#define MB2    (1UL << 21)
#define T2     (TVA + 1 * MB2)          /* L0 table at GPA g(8): unmapped */
#define T3     (TVA + 2 * MB2)          /* L0 table at GPA g(7): read-only */
#define T4     (TVA + 3 * MB2)          /* L0 table at GPA g(9): fine */
#define T5     (TVA + 4 * MB2)          /* VS 2 MiB leaf -> GPA TG */
#define T6     (TVA + 5 * MB2)          /* L0 table at GPA g(13): G X-only */

static uint64_t g(int i) { return TG + 4096UL * i; }
static uint64_t t(int i) { return TVA + 4096UL * i; }

static uint64_t groot[2048] __attribute__((aligned(16384)));
static uint64_t groot_b[2048] __attribute__((aligned(16384)));
static uint64_t groot48[2048] __attribute__((aligned(16384)));
static uint64_t gpool[24][512] __attribute__((aligned(4096)));
static int gpool_used;
static uint64_t vsroot[512] __attribute__((aligned(4096)));
static uint64_t vspool[8][512] __attribute__((aligned(4096)));
static int vspool_used;
static uint64_t vsl0_ro[512] __attribute__((aligned(4096)));
static uint64_t vsl0_ok[512] __attribute__((aligned(4096)));
static uint64_t vsl0_x[512] __attribute__((aligned(4096)));
static uint32_t codepg[1024] __attribute__((aligned(4096)));
static uint32_t codepg2[2][1024] __attribute__((aligned(4096)));
static uint8_t pages[8][4096] __attribute__((aligned(4096)));

static uint64_t *pg64(int i) { return (uint64_t *)pages[i]; }
static uint64_t pa(const void *p) { return (uint64_t)p; }
static uint64_t pte(uint64_t addr, uint64_t flags)
{
    return ((addr >> 12) << 10) | flags;
}

/* G stage: root has 2048 entries; levels = 3 (Sv39x4) or 4 (Sv48x4) */
static volatile uint64_t *gpte(uint64_t *root, int levels, uint64_t gpa,
                               int level)
{
    uint64_t *tb = root;
    for (int l = levels - 1; ; l--) {
        unsigned idx = (gpa >> (12 + 9 * l)) & (l == levels - 1 ? 2047 : 511);
        if (l == level)
            return &tb[idx];
        if (!(tb[idx] & PTE_V)) {
            CHECK(250, gpool_used < 24);
            tb[idx] = pte(pa(gpool[gpool_used++]), PTE_V);
        }
        tb = (uint64_t *)((tb[idx] >> 10) << 12);
    }
}

static void gmap(uint64_t *root, int levels, uint64_t gpa, uint64_t p,
                 int level, uint64_t flags)
{
    *gpte(root, levels, gpa, level) = pte(p, flags | PTE_V);
}

static volatile uint64_t *vpte(uint64_t va, int level)
{
    uint64_t *tb = vsroot;
    for (int l = 2; ; l--) {
        unsigned idx = (va >> (12 + 9 * l)) & 511;
        if (l == level)
            return &tb[idx];
        if (!(tb[idx] & PTE_V)) {
            CHECK(251, vspool_used < 8);
            tb[idx] = pte(pa(vspool[vspool_used++]), PTE_V);
        }
        tb = (uint64_t *)((tb[idx] >> 10) << 12);
    }
}

/* a second VS root with Sv48 (4 levels) */
static uint64_t vsroot48[512] __attribute__((aligned(4096)));

static volatile uint64_t *vpte48(uint64_t va, int level)
{
    uint64_t *tb = vsroot48;
    for (int l = 3; ; l--) {
        unsigned idx = (va >> (12 + 9 * l)) & 511;
        if (l == level)
            return &tb[idx];
        if (!(tb[idx] & PTE_V)) {
            CHECK(251, vspool_used < 8);
            tb[idx] = pte(pa(vspool[vspool_used++]), PTE_V);
        }
        tb = (uint64_t *)((tb[idx] >> 10) << 12);
    }
}

static void vmap(uint64_t va, uint64_t gpa, int level, uint64_t flags)
{
    *vpte(va, level) = pte(gpa, flags | PTE_V);
}

static uint64_t hgatp_main(void) { return (8UL << 60) | (pa(groot) >> 12); }
static uint64_t vsatp_main(void) { return (8UL << 60) | (pa(vsroot) >> 12); }

/* -------------------------------------------------------------- probes */
static uint64_t pc_of(int mode, uint64_t pc)
{
    if ((mode & 7) == M_VU && (csr_read(vsatp) >> 60))
        pc += U_OFF;
    return pc;
}

static long run(int mode, char *fn, uint64_t a0, uint64_t a1)
{
    return hv_enter(mode, pc_of(mode, (uint64_t)fn), a0, a1);
}

static long run_seq(int mode, const uint32_t *w, int n, uint64_t a0,
                    uint64_t a1)
{
    for (int i = 0; i < n; i++)
        insn_buf[i] = w[i];
    insn_buf[n] = ECALL;
    __asm__ volatile("fence.i" ::: "memory");
    return hv_enter(mode, pc_of(mode, (uint64_t)insn_buf), a0, a1);
}

static long run1(int mode, uint32_t insn, uint64_t a0, uint64_t a1)
{
    return run_seq(mode, &insn, 1, a0, a1);
}

static uint64_t buf_pc(int mode) { return pc_of(mode, (uint64_t)insn_buf); }

/* the ecall that ends a probe in `mode` arrived (HS: through M) */
static void ok_(long n, int mode, int line)
{
    int m = mode & 7;
    nchecks++;
    uint64_t want = m == M_VS ? C_ECALL_VS : m == M_HS ? C_ECALL_S : C_ECALL_U;
    cur = n;
    if (hv_info.cause != want || hv_info.in_m != (m == M_HS))
        fail(n, line);
    if (m != M_HS && !!(hv_info.hstatus & HSTATUS_SPV) != !!(m & 4))
        fail(n, line);
}
#define ok(n, mode) ok_((n), (mode), __LINE__)

/* an exception into HS with this cause and tval */
static void exc_(long n, uint64_t cause, uint64_t tval, int line)
{
    cur = n;
    nchecks++;
    if (hv_info.cause != cause || hv_info.tval != tval || hv_info.in_m)
        fail(n, line);
}
#define exc(n, c, tv) exc_((n), (c), (tv), __LINE__)

/* htinst after an explicit access fault: 0 or the transformed instruction */
static uint64_t transformed(uint32_t insn)
{
    switch (insn & 0x7f) {
    case 0x03: return insn & ~0xfff00000u & ~(0x1fu << 15);
    case 0x23: return insn & ~0xfe000000u & ~(0x1fu << 15) & ~(0x1fu << 7);
    case 0x73: return insn & ~(0x1fu << 15);            /* HLV / HSV */
    case 0x2f: return insn & ~(0x1fu << 15);            /* AMO, LR, SC */
    }
    return 0;
}

/* guest-page fault: cause, stval = gva, htval = gpa >> 2, GVA = 1 */
static void gpf_(long n, uint64_t cause, uint64_t gva, uint64_t gpa,
                 uint32_t insn, int line)
{
    exc_(n, cause, gva, line);
    if (hv_info.htval != gpa >> 2 || !(hv_info.hstatus & HSTATUS_GVA))
        fail(n, line);
    if (insn && hv_info.htinst != 0 && hv_info.htinst != transformed(insn))
        fail(n, line);
}
#define gpf(n, c, gva, gpa, insn) gpf_((n), (c), (gva), (gpa), (insn), __LINE__)

/* page fault on a guest virtual address: GVA = 1, htval = 0 */
static void gvpf_(long n, uint64_t cause, uint64_t gva, int line)
{
    exc_(n, cause, gva, line);
    if (hv_info.htval != 0 || !(hv_info.hstatus & HSTATUS_GVA))
        fail(n, line);
}
#define gvpf(n, c, gva) gvpf_((n), (c), (gva), __LINE__)

/* virtual-instruction / illegal-instruction: stval = instruction bits */
static void virt_(long n, uint32_t insn, int line)
{
    exc_(n, C_VIRTUAL, insn, line);
    if ((hv_info.hstatus & HSTATUS_GVA) || !(hv_info.hstatus & HSTATUS_SPV)
        || hv_info.htval != 0)
        fail(n, line);
}
#define virt(n, insn) virt_((n), (insn), __LINE__)
#define illegal(n, insn) exc((n), C_ILLEGAL, (insn))

/* run one instruction in mode, expect a virtual-instruction trap */
static void expect_virt_(long n, int mode, uint32_t insn, int line)
{
    run1(mode, insn, 0, 0);
    virt_(n, insn, line);
}
#define expect_virt(n, mode, insn) expect_virt_((n), (mode), (insn), __LINE__)

static void expect_illegal_(long n, int mode, uint32_t insn, int line)
{
    run1(mode, insn, 0, 0);
    exc_(n, C_ILLEGAL, insn, line);
}
#define expect_illegal(n, mode, insn) \
    expect_illegal_((n), (mode), (insn), __LINE__)

/* ------------------------------------------------- M-mode helpers (m_call) */
static uint64_t m_mstatus_set(uint64_t v) { csr_set(mstatus, v); return 0; }
static uint64_t m_mstatus_clear(uint64_t v) { csr_clear(mstatus, v); return 0; }
static uint64_t m_medeleg(uint64_t v)
{
    uint64_t o = csr_read(medeleg);
    csr_write(medeleg, v);
    return o;
}
static uint64_t m_mcounteren(uint64_t v)
{
    uint64_t o = csr_read(mcounteren);
    csr_write(mcounteren, v);
    return o;
}
static uint64_t m_read_mip(void) { return csr_read(mip); }
static uint64_t m_mip_set(uint64_t v) { csr_set(mip, v); return 0; }
static uint64_t m_mip_clear(uint64_t v) { csr_clear(mip, v); return 0; }
static uint64_t m_read_mie(void) { return csr_read(mie); }
static uint64_t m_menvcfg_clear(uint64_t v) { csr_clear(menvcfg, v); return 0; }
static uint64_t m_menvcfg_set(uint64_t v) { csr_set(menvcfg, v); return 0; }

static uint64_t m_hlv_d(uint64_t va)
{
    uint64_t v;
    __asm__ volatile("hlv.d %0, (%1)" : "=r"(v) : "r"(va) : "memory");
    return v;
}
static uint64_t m_mprv_hlv_d(uint64_t va)      /* MPRV = 1, MPP = U: no effect */
{
    uint64_t v;
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1UL << 17);
    __asm__ volatile("hlv.d %0, (%1)" : "=r"(v) : "r"(va) : "memory");
    csr_clear(mstatus, 1UL << 17);
    return v;
}
static uint64_t m_hfence_gvma(void)
{
    __asm__ volatile("hfence.gvma" ::: "memory");
    return 0;
}

/* PMP entry 0 = NAPOT [addr, addr + 4 KiB) with cfg, entry 1 = everything */
static uint64_t m_pmp(uint64_t addr, uint64_t cfg)
{
    if (addr == (uint64_t)-1) {
        csr_write(pmpaddr0, -1L);
        csr_write(pmpcfg0, 0x1f);
        return 0;
    }
    csr_write(pmpaddr0, (addr >> 2) | 0x1ff);
    csr_write(pmpaddr1, -1L);
    csr_write(pmpcfg0, (cfg | 0x18) | (0x1fUL << 8));
    return 0;
}

#define MSET(v)   m_call(m_mstatus_set, (v), 0, 0)
#define MCLR(v)   m_call(m_mstatus_clear, (v), 0, 0)

static uint64_t medeleg_all;

/* ------------------------------------------------------------ HS state */
static void reset_state(void)
{
    csr_write(hedeleg, 0);
    csr_write(hideleg, 0);
    csr_write(hvip, 0);
    csr_write(hie, 0);
    csr_write(hcounteren, 7);
    csr_write(scounteren, 7);
    csr_write(htimedelta, 0);
    csr_clear(hstatus, HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU |
              HSTATUS_VTVM | HSTATUS_VTW | HSTATUS_VTSR);
    csr_clear(sstatus, MSTATUS_SIE | MSTATUS_SUM | MSTATUS_MXR);
    csr_write(vsstatus, FS_INITIAL);
    csr_write(vstvec, (uint64_t)vs_trap);
    csr_write(vsie, 0);
    csr_write(vsatp, 0);
    csr_write(hgatp, hgatp_main());
    hv_flush = 1;
    vs_info.cause = vs_info.tval = vs_info.epc = vs_info.status = -1UL;
    vs_info.count = 0;
}

/* ======================================================================
 * H CSRs (HS)
 * ==================================================================== */
static void test_h_csrs(void)
{
    uint64_t v;

    reset_state();
    /* hstatus: VSXL = 2 (64-bit VS), writable control bits */
    v = csr_read(hstatus);
    CHECK(10, ((v >> 32) & 3) == 2);
    csr_clear(hstatus, HSTATUS_VSXL);
    CHECK(10, ((csr_read(hstatus) >> 32) & 3) != 0);    /* 0 is not legal */
    csr_set(hstatus, HSTATUS_VSXL & (2UL << 32));
    CHECK(10, ((csr_read(hstatus) >> 32) & 3) == 2);
    {
        uint64_t bits = HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP |
                        HSTATUS_HU | HSTATUS_VTVM | HSTATUS_VTW |
                        HSTATUS_VTSR;
        csr_set(hstatus, bits);
        CHECK(11, (csr_read(hstatus) & bits) == bits);
        csr_clear(hstatus, bits);
        CHECK(11, (csr_read(hstatus) & bits) == 0);
    }
    /* hedeleg: 9-11, 16, 20-23 read-only 0; 1-8, 12, 13, 15 writable */
    csr_write(hedeleg, -1L);
    v = csr_read(hedeleg);
    CHECK(12, (v & ((7UL << 9) | (1UL << 16) | (0xfUL << 20))) == 0);
    CHECK(13, (v & 0xb1feUL) == 0xb1feUL);
    csr_write(hedeleg, 0);
    CHECK(13, csr_read(hedeleg) == 0);
    /* hideleg: only 2, 6, 10 (13 with Shlcofideleg) */
    csr_write(hideleg, -1L);
    CHECK(14, (csr_read(hideleg) & ~(1UL << 13)) == VS_BITS);
    csr_write(hideleg, 0);
    CHECK(14, csr_read(hideleg) == 0);
    /* hvip: VSSIP / VSTIP / VSEIP (13 with Sscofpmf) */
    csr_write(hvip, -1L);
    CHECK(15, (csr_read(hvip) & ~(1UL << 13)) == VS_BITS);
    /* mip shows them (mip 2/6/10 alias hip) */
    CHECK(15, (m_call(m_read_mip, 0, 0, 0) & VS_BITS) == VS_BITS);
    CHECK(15, (csr_read(hip) & VS_BITS) == VS_BITS);
    csr_write(hvip, 0);
    CHECK(15, (csr_read(hip) & VS_BITS) == 0);
    /* hip.VSSIP is the writable alias of hvip.VSSIP; VSTIP/VSEIP read-only */
    csr_set(hip, 4);
    CHECK(16, csr_read(hvip) == 4);
    csr_clear(hip, 4);
    CHECK(16, csr_read(hvip) == 0);
    csr_set(hip, 0x440);
    CHECK(16, (csr_read(hvip) & VS_BITS) == 0);
    csr_write(hvip, 0x440);
    csr_clear(hip, 0x440);
    CHECK(16, (csr_read(hip) & VS_BITS) == 0x440);
    csr_write(hvip, 0);
    /* mip.VSSIP is writable and aliases hvip.VSSIP */
    m_call(m_mip_set, 4, 0, 0);
    CHECK(16, csr_read(hvip) == 4);
    m_call(m_mip_clear, 4, 0, 0);
    CHECK(16, csr_read(hvip) == 0);
    /* hie: VSSIE / VSTIE / VSEIE (+ SGEIE); mie aliases them */
    csr_write(hie, -1L);
    CHECK(17, (csr_read(hie) & ~(1UL << 12)) == VS_BITS);
    CHECK(17, (m_call(m_read_mie, 0, 0, 0) & VS_BITS) == VS_BITS);
    csr_write(hie, 0);
    CHECK(17, (m_call(m_read_mie, 0, 0, 0) & VS_BITS) == 0);
    /* sip / sie of HS do not show or take the VS bits */
    csr_write(hvip, VS_BITS);
    csr_write(hie, VS_BITS);
    CHECK(17, (csr_read(sip) & VS_BITS) == 0 && (csr_read(sie) & VS_BITS) == 0);
    csr_write(hie, 0);
    csr_set(sie, VS_BITS);
    CHECK(17, csr_read(hie) == 0);
    csr_clear(sip, VS_BITS);
    CHECK(17, csr_read(hvip) == VS_BITS);
    csr_write(hvip, 0);
    /* vsip / vsie alias hip / hie through hideleg */
    csr_write(hideleg, VS_BITS);
    csr_write(hvip, 4);
    CHECK(18, csr_read(vsip) == 2);
    csr_write(hvip, 0x40);
    CHECK(18, csr_read(vsip) == 0x20);
    csr_write(hvip, 0x400);
    CHECK(18, csr_read(vsip) == 0x200);
    csr_write(hvip, 0);
    csr_write(vsip, 0x222);                     /* only SSIP is writable */
    CHECK(18, csr_read(hvip) == 4);
    csr_clear(vsip, 2);
    CHECK(18, csr_read(hvip) == 0);
    csr_write(hie, VS_BITS);
    CHECK(19, csr_read(vsie) == 0x222);
    csr_write(vsie, 0x20);
    CHECK(19, csr_read(hie) == 0x40);
    csr_write(hideleg, 0);                      /* not delegated: read 0 */
    csr_write(hvip, VS_BITS);
    csr_write(hie, VS_BITS);
    CHECK(20, csr_read(vsip) == 0);
    CHECK(20, csr_read(vsie) == 0);
    csr_write(vsie, 0);
    CHECK(20, csr_read(hie) == VS_BITS);
    csr_write(hideleg, 4);                      /* partly delegated */
    CHECK(20, csr_read(vsip) == 2);
    CHECK(20, csr_read(vsie) == 2);
    csr_write(hvip, 0);
    csr_write(hie, 0);
    csr_write(hideleg, 0);

    /* hgatp: WARL mode, 16 KiB-aligned PPN, VMID */
    csr_write(hgatp, hgatp_main() | 3);
    CHECK(21, csr_read(hgatp) == hgatp_main());
    csr_write(hgatp, (5UL << 60) | (pa(groot) >> 12));  /* reserved mode */
    v = csr_read(hgatp) >> 60;
    CHECK(21, v == 0 || v == 8 || v == 9 || v == 10);
    csr_write(hgatp, 0x3fffUL << 44);                   /* VMID all ones */
    v = (csr_read(hgatp) >> 44) & 0x3fff;
    CHECK(22, (v & (v + 1)) == 0);                      /* low bits first */
    CHECK(22, (csr_read(hgatp) >> 58) == 0);            /* bits 59:58 */
    csr_write(hgatp, hgatp_main());
    /* vsatp: a bad mode written from HS leaves a legal mode */
    csr_write(vsatp, (15UL << 60) | 5);
    v = csr_read(vsatp) >> 60;
    CHECK(23, v == 0 || v == 8 || v == 9 || v == 10);
    csr_write(vsatp, vsatp_main());
    CHECK(23, csr_read(vsatp) == vsatp_main());
    csr_write(vsatp, 0);
    /* henvcfg: STCE / ADUE / PBMTE exist only as menvcfg allows */
    csr_write(henvcfg, ENVCFG_STCE | ENVCFG_ADUE | ENVCFG_PBMTE);
    v = csr_read(henvcfg);
    CHECK(24, !!(v & ENVCFG_STCE) == has_sstc);
    CHECK(24, !!(v & ENVCFG_ADUE) == has_svadu);
    CHECK(24, !(v & ENVCFG_PBMTE));             /* menvcfg.PBMTE = 0 */
    if (has_sstc) {
        m_call(m_menvcfg_clear, ENVCFG_STCE, 0, 0);
        CHECK(25, (csr_read(henvcfg) & ENVCFG_STCE) == 0);
        m_call(m_menvcfg_set, ENVCFG_STCE, 0, 0);
    }
    if (has_svadu) {
        m_call(m_menvcfg_clear, ENVCFG_ADUE, 0, 0);
        CHECK(25, (csr_read(henvcfg) & ENVCFG_ADUE) == 0);
        m_call(m_menvcfg_set, ENVCFG_ADUE, 0, 0);
    }
    csr_write(henvcfg, 0);
    /* hcounteren, htimedelta */
    csr_write(hcounteren, 5);
    CHECK(26, (csr_read(hcounteren) & 7) == 5);
    csr_write(hcounteren, 7);
    csr_write(htimedelta, 0x123456789abcdefUL);
    CHECK(26, csr_read(htimedelta) == 0x123456789abcdefUL);
    csr_write(htimedelta, 0);
    /* H and VS CSRs from U (V = 0): illegal */
    expect_illegal(27, M_U, CSRR(CSR_HSTATUS));
    expect_illegal(27, M_U, CSRR(CSR_VSSTATUS));
    expect_illegal(27, M_U, CSRR(CSR_SSTATUS));
    /* hgeip is read-only */
    expect_illegal(28, M_HS, CSRW(0xE12));
}

/* ======================================================================
 * V = 1 reaches the VS CSRs through the S-level numbers
 * ==================================================================== */
static void test_vs_alias(void)
{
    long v;

    reset_state();
    csr_write(vsscratch, 0xa5);
    csr_write(sscratch, 0x5a);
    v = run1(M_VS, CSRR(CSR_SSCRATCH), 0, 0);
    ok(30, M_VS);
    CHECK(30, v == 0xa5);
    run1(M_VS, CSRW(CSR_SSCRATCH), 0, 0x77);
    ok(31, M_VS);
    CHECK(31, csr_read(vsscratch) == 0x77 && csr_read(sscratch) == 0x5a);
    v = run1(M_VS, CSRR(CSR_STVEC), 0, 0);
    ok(32, M_VS);
    CHECK(32, v == (long)vs_trap);
    run1(M_VS, CSRW(CSR_STVEC), 0, 0x1000);
    ok(32, M_VS);
    CHECK(32, csr_read(vstvec) == 0x1000);
    csr_write(vstvec, (uint64_t)vs_trap);
    run1(M_VS, CSRW(CSR_SEPC), 0, 0x2000);
    run1(M_VS, CSRW(CSR_SCAUSE), 0, 13);
    run1(M_VS, CSRW(CSR_STVAL), 0, 0x3000);
    ok(33, M_VS);
    CHECK(33, csr_read(vsepc) == 0x2000 && csr_read(vscause) == 13 &&
              csr_read(vstval) == 0x3000);
    CHECK(33, csr_read(sepc) != 0x2000 && csr_read(stval) != 0x3000);
    csr_set(vsstatus, MSTATUS_SUM);
    v = run1(M_VS, CSRR(CSR_SSTATUS), 0, 0);
    ok(34, M_VS);
    CHECK(34, (v & MSTATUS_SUM) && !(hv_info.sstatus & MSTATUS_SUM));
    run1(M_VS, CSRW(CSR_SSTATUS), 0, MSTATUS_MXR | FS_INITIAL);
    ok(34, M_VS);
    CHECK(34, (csr_read(vsstatus) & (MSTATUS_MXR | MSTATUS_SUM)) ==
              MSTATUS_MXR && !(csr_read(sstatus) & MSTATUS_MXR));
    csr_write(hideleg, VS_BITS);
    csr_write(hvip, 4);
    csr_write(hie, 4);
    v = run1(M_VS, CSRR(CSR_SIP), 0, 0);        /* vsstatus.SIE = 0 */
    ok(35, M_VS);
    CHECK(35, v == 2);
    v = run1(M_VS, CSRR(CSR_SIE), 0, 0);
    ok(35, M_VS);
    CHECK(35, v == 2);
    csr_write(hvip, 0);
    csr_write(hie, 0);
    csr_write(vsatp, vsatp_main());
    v = run1(M_VS, CSRR(CSR_SATP), 0, 0);
    ok(36, M_VS);
    CHECK(36, (uint64_t)v == vsatp_main());
    run1(M_VS, CSRW(CSR_SATP), 0, (15UL << 60) | 1);  /* ignored */
    ok(36, M_VS);
    CHECK(36, csr_read(vsatp) == vsatp_main());
    run1(M_VS, CSRW(CSR_SATP), 0, 0);
    ok(36, M_VS);
    CHECK(36, csr_read(vsatp) == 0 && csr_read(satp) == 0);
    /* senvcfg and scounteren have no VS copy */
    v = run1(M_VS, CSRR(CSR_SENVCFG), 0, 0);
    ok(37, M_VS);
    CHECK(37, (uint64_t)v == csr_read(senvcfg));
    csr_write(scounteren, 5);
    v = run1(M_VS, CSRR(CSR_SCOUNTEREN), 0, 0);
    ok(38, M_VS);
    CHECK(38, v == 5);
    run1(M_VS, CSRW(CSR_SCOUNTEREN), 0, 2);
    ok(38, M_VS);
    CHECK(38, (csr_read(scounteren) & 7) == 2);
    csr_write(scounteren, 7);
}

/* ======================================================================
 * FS: both sstatus.FS and vsstatus.FS gate FP while V = 1
 * ==================================================================== */
static void test_fp(void)
{
    reset_state();
    csr_clear(sstatus, MSTATUS_FS);
    csr_write(vsstatus, FS_INITIAL);
    run1(M_VS, W(I_FMV), 1, 0);
    illegal(40, W(I_FMV));
    CHECK(40, hv_info.hstatus & HSTATUS_SPV);
    csr_set(sstatus, FS_INITIAL);
    csr_write(vsstatus, 0);
    run1(M_VS, W(I_FMV), 1, 0);
    illegal(41, W(I_FMV));
    run1(M_VU, W(I_FMV), 1, 0);
    illegal(41, W(I_FMV));
    expect_illegal(41, M_VS, CSRR(0x003));              /* fcsr */
    csr_clear(sstatus, MSTATUS_FS);
    csr_set(sstatus, FS_INITIAL);
    csr_write(vsstatus, FS_INITIAL);
    run1(M_VS, W(I_FMV), 1, 0);
    ok(42, M_VS);
    CHECK(42, (csr_read(sstatus) & MSTATUS_FS) == FS_DIRTY);
    CHECK(42, (csr_read(vsstatus) & MSTATUS_FS) == FS_DIRTY);
    CHECK(43, (csr_read(sstatus) & MSTATUS_SD) &&
              (csr_read(vsstatus) & MSTATUS_SD));
    /* a VU FP instruction dirties both too */
    csr_clear(sstatus, MSTATUS_FS);
    csr_set(sstatus, FS_INITIAL);
    csr_write(vsstatus, FS_INITIAL);
    run1(M_VU, W(I_FADD), 0, 0);
    ok(44, M_VU);
    CHECK(44, (csr_read(sstatus) & MSTATUS_FS) == FS_DIRTY);
    CHECK(44, (csr_read(vsstatus) & MSTATUS_FS) == FS_DIRTY);
}

/* ======================================================================
 * G stage alone (vsatp = Bare: GVA = GPA)
 * ==================================================================== */
static void test_gstage(void)
{
    long v;
    uint64_t a;

    reset_state();
    v = run(M_VS, probe_ld, pa(&pg64(7)[3]), 0);        /* RAM, identity */
    ok(50, M_VS);
    CHECK(50, v == (long)pg64(7)[3]);
    v = run(M_VS, probe_ld, g(0) + 16, 0);
    ok(50, M_VS);
    CHECK(50, v == (long)pg64(0)[2]);
    run(M_VS, probe_sd, g(0) + 24, 0xfeed);
    ok(51, M_VS);
    CHECK(51, pg64(0)[3] == 0xfeed);
    v = run(M_VU, probe_ld, g(0) + 32, 0);
    ok(52, M_VU);
    CHECK(52, v == (long)pg64(0)[4]);
    v = run(M_VS, probe_ld, GHI + pa(&pg64(1)[5]) - RAM, 0);
    ok(53, M_VS);
    CHECK(53, v == (long)pg64(1)[5]);
    /* guest-page faults */
    a = g(4) + 8;
    run(M_VS, probe_ld, a, 0);
    gpf(54, C_LOAD_GPF, a, a, W(I_LD));
    CHECK(54, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) ==
              (HSTATUS_SPV | HSTATUS_SPVP));
    CHECK(54, hv_info.epc == (uint64_t)probe_ld);
    a = g(1) + 16;
    run(M_VS, probe_sd, a, 1);
    gpf(55, C_STORE_GPF, a, a, W(I_SD));
    CHECK(55, pg64(1)[2] == 0x2222222222222222UL + 2);
    run(M_VU, probe_sd, a, 1);
    gpf(55, C_STORE_GPF, a, a, W(I_SD));
    CHECK(55, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) == HSTATUS_SPV);
    run(M_VS, probe_jump, g(4), 0);
    gpf(56, C_FETCH_GPF, g(4), g(4), 0);
    CHECK(56, hv_info.epc == g(4));
    run(M_VS, probe_jump, g(1) + 8, 0);                  /* no X */
    gpf(56, C_FETCH_GPF, g(1) + 8, g(1) + 8, 0);
    run(M_VS, probe_jump, g(5), 0);                      /* X: ecall there */
    ok(56, M_VS);
    CHECK(56, hv_info.epc == g(5));
    /* a 32-bit instruction straddling into a non-X page: stval and htval
     * name the page boundary, sepc the instruction */
    run(M_VS, probe_jump, g(5) + 4094, 0);
    gpf(56, C_FETCH_GPF, g(6), g(6), 0);
    CHECK(56, hv_info.epc == g(5) + 4094);
    /* G-stage leaf without U */
    run(M_VS, probe_ld, g(3), 0);
    gpf(57, C_LOAD_GPF, g(3), g(3), W(I_LD));
    run(M_VU, probe_ld, g(3) + 8, 0);
    gpf(57, C_LOAD_GPF, g(3) + 8, g(3) + 8, W(I_LD));
    /* GPA bits above 40 (Sv39x4: 41-bit GPA) */
    a = (1UL << 41) + 0x88;
    run(M_VS, probe_ld, a, 0);
    gpf(58, C_LOAD_GPF, a, a, W(I_LD));
    a = (1UL << 45) + 0x40;
    run(M_VS, probe_sd, a, 0);
    gpf(58, C_STORE_GPF, a, a, W(I_SD));
    a = 0xffffffffffff8000UL;                            /* all 64 bits count */
    run(M_VS, probe_ld, a, 0);
    gpf(58, C_LOAD_GPF, a, a, W(I_LD));
    /* MXR: HS-level sstatus.MXR applies to the G stage, vsstatus.MXR not */
    run(M_VS, probe_ld, g(2) + 8, 0);                    /* X only */
    gpf(59, C_LOAD_GPF, g(2) + 8, g(2) + 8, W(I_LD));
    csr_set(vsstatus, MSTATUS_MXR);
    run(M_VS, probe_ld, g(2) + 8, 0);
    gpf(59, C_LOAD_GPF, g(2) + 8, g(2) + 8, W(I_LD));
    csr_clear(vsstatus, MSTATUS_MXR);
    csr_set(sstatus, MSTATUS_MXR);
    v = run(M_VS, probe_ld, g(2) + 8, 0);
    ok(60, M_VS);
    CHECK(60, v == (long)pg64(2)[1]);
    run(M_VS, probe_sd, g(2) + 8, 0);                    /* MXR gives no W */
    gpf(61, C_STORE_GPF, g(2) + 8, g(2) + 8, W(I_SD));
    csr_clear(sstatus, MSTATUS_MXR);
    /* access fault behind the G stage (no memory at the SPA): GVA = 1 */
    run(M_VS, probe_ld, g(12) + 8, 0);
    exc(63, 5, g(12) + 8);
    CHECK(63, (hv_info.hstatus & HSTATUS_GVA) && hv_info.htval == 0);
    /* misaligned: done in hardware, or a trap with stval = GVA, GVA = 1 */
    v = run(M_VS, probe_ld, g(0) + 4, 0);
    if (hv_info.cause == 4) {
        exc(64, 4, g(0) + 4);
        CHECK(64, hv_info.hstatus & HSTATUS_GVA);
    } else {
        ok(64, M_VS);
        CHECK(64, (uint64_t)v == ((pg64(0)[0] >> 32) | (pg64(0)[1] << 32)));
    }
    /* ebreak: stval is 0 (GVA = 0) or the pc (GVA = 1) */
    run1(M_VS, W(I_EBREAK), 0, 0);
    CHECK(65, hv_info.cause == 3 && !hv_info.in_m);
    CHECK(65, (hv_info.tval == 0 && !(hv_info.hstatus & HSTATUS_GVA)) ||
              (hv_info.tval == buf_pc(M_VS) && (hv_info.hstatus & HSTATUS_GVA)));
    /* AMOs and SC are stores for the G stage (23), LR a load (21) */
    run1(M_VS, W(I_AMOADD), g(1) + 8, 1);               /* read-only */
    gpf(68, C_STORE_GPF, g(1) + 8, g(1) + 8, W(I_AMOADD));
    run1(M_VS, W(I_AMOADD), g(4) + 8, 1);
    gpf(68, C_STORE_GPF, g(4) + 8, g(4) + 8, W(I_AMOADD));
    run1(M_VS, W(I_LR), g(4) + 16, 0);
    gpf(68, C_LOAD_GPF, g(4) + 16, g(4) + 16, W(I_LR));
    v = run1(M_VS, W(I_LR), g(1) + 16, 0);
    ok(68, M_VS);
    CHECK(68, v == (long)pg64(1)[2]);
    run1(M_VS, W(I_SC), g(1) + 16, 5);
    CHECK(68, (hv_info.cause == C_STORE_GPF && hv_info.tval == g(1) + 16) ||
              (hv_info.cause == C_ECALL_VS && hv_info.a0 != 0));  /* SC may fail */
    v = run1(M_VS, W(I_AMOADD), g(0) + 40, 2);
    ok(68, M_VS);
    CHECK(68, v == (long)(0x1111111111111111UL + 5) && pg64(0)[5] == v + 2);
    /* G-stage 2 MiB leaves: aligned one maps with the offset, misaligned
     * one and one with reserved PTE bits (PBMT without Svpbmt) fault */
    v = run(M_VS, probe_ld, TG + 6 * MB2 + pa(&pg64(4)[3]) - RAM, 0);
    ok(66, M_VS);
    CHECK(66, v == (long)pg64(4)[3]);
    run(M_VS, probe_ld, TG + 4 * MB2 + 64, 0);
    gpf(66, C_LOAD_GPF, TG + 4 * MB2 + 64, TG + 4 * MB2 + 64, W(I_LD));
    run(M_VS, probe_ld, g(14) + 8, 0);
    gpf(67, C_LOAD_GPF, g(14) + 8, g(14) + 8, W(I_LD));
    run(M_VS, probe_ld, g(15) + 8, 0);                   /* W without R */
    gpf(67, C_LOAD_GPF, g(15) + 8, g(15) + 8, W(I_LD));
    /* G-stage leaf with A = 0 at g(11): Svade faults, Svadu sets A */
    {
        volatile uint64_t *p = gpte(groot, 3, g(11), 0);
        uint64_t e = pte(pa(pages[3]), PTE_V | PTE_U | PTE_R | PTE_W);
        *p = e;
        if (!has_svadu) {
            run(M_VS, probe_ld, g(11) + 8, 0);
            gpf(62, C_LOAD_GPF, g(11) + 8, g(11) + 8, W(I_LD));
            CHECK(62, *p == e);
        } else {
            v = run(M_VS, probe_ld, g(11) + 8, 0);
            ok(62, M_VS);
            CHECK(62, v == (long)pg64(3)[1]);
            CHECK(62, (*p & (PTE_A | PTE_D)) == PTE_A);
            run(M_VS, probe_sd, g(11) + 8, 3);
            ok(62, M_VS);
            CHECK(62, (*p & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
        }
    }
}

/* ======================================================================
 * VS stage (Sv39) over the G stage (Sv39x4)
 * ==================================================================== */
static void test_vsstage(void)
{
    long v;

    reset_state();
    csr_write(vsatp, vsatp_main());
    v = run(M_VS, probe_ld, t(0) + 40, 0);
    ok(70, M_VS);
    CHECK(70, v == (long)pg64(0)[5]);
    run(M_VS, probe_sd, t(0) + 48, 0xabc);
    ok(70, M_VS);
    CHECK(70, pg64(0)[6] == 0xabc);
    /* U pages: VU yes; VS only with vsstatus.SUM (HS SUM does not count) */
    v = run(M_VU, probe_ld, t(1) + 56, 0);
    ok(71, M_VU);
    CHECK(71, v == (long)pg64(0)[7]);
    run(M_VS, probe_ld, t(1) + 56, 0);
    gvpf(72, C_LOAD_PF, t(1) + 56);
    CHECK(72, hv_info.hstatus & HSTATUS_SPV);
    csr_set(sstatus, MSTATUS_SUM);
    run(M_VS, probe_ld, t(1) + 56, 0);
    gvpf(72, C_LOAD_PF, t(1) + 56);
    csr_clear(sstatus, MSTATUS_SUM);
    csr_set(vsstatus, MSTATUS_SUM);
    v = run(M_VS, probe_ld, t(1) + 56, 0);
    ok(72, M_VS);
    CHECK(72, v == (long)pg64(0)[7]);
    csr_clear(vsstatus, MSTATUS_SUM);
    run(M_VU, probe_ld, t(0), 0);                        /* S page from VU */
    gvpf(73, C_LOAD_PF, t(0));
    /* guest-page fault behind a VS mapping: stval = GVA, htval = GPA >> 2 */
    run(M_VS, probe_ld, t(2) + 24, 0);
    gpf(74, C_LOAD_GPF, t(2) + 24, g(4) + 24, W(I_LD));
    run(M_VS, probe_sd, t(11) + 8, 0);                   /* G leaf without U */
    gpf(74, C_STORE_GPF, t(11) + 8, g(3) + 8, W(I_SD));
    /* VS-stage page faults go to HS (not delegated): htval = 0, GVA = 1 */
    run(M_VS, probe_ld, t(5) + 8, 0);
    gvpf(75, C_LOAD_PF, t(5) + 8);
    run(M_VS, probe_sd, t(7), 0);                        /* read-only */
    gvpf(75, C_STORE_PF, t(7));
    /* MXR: vsstatus.MXR for the VS stage, HS MXR for both */
    run(M_VS, probe_ld, t(3) + 8, 0);                    /* VS X-only */
    gvpf(76, C_LOAD_PF, t(3) + 8);
    csr_set(vsstatus, MSTATUS_MXR);
    v = run(M_VS, probe_ld, t(3) + 8, 0);
    ok(76, M_VS);
    CHECK(76, v == (long)pg64(2)[1]);
    run(M_VS, probe_ld, t(4) + 8, 0);                    /* G X-only */
    gpf(77, C_LOAD_GPF, t(4) + 8, g(2) + 8, W(I_LD));
    csr_clear(vsstatus, MSTATUS_MXR);
    csr_set(sstatus, MSTATUS_MXR);
    v = run(M_VS, probe_ld, t(3) + 16, 0);
    ok(77, M_VS);
    CHECK(77, v == (long)pg64(2)[2]);
    v = run(M_VS, probe_ld, t(4) + 16, 0);
    ok(77, M_VS);
    CHECK(77, v == (long)pg64(2)[2]);
    csr_clear(sstatus, MSTATUS_MXR);
    /* implicit VS-stage PTE read faulting in the G stage */
    run(M_VS, probe_ld, T2 + 5 * 4096 + 8, 0);
    exc(78, C_LOAD_GPF, T2 + 5 * 4096 + 8);
    CHECK(78, hv_info.htval == (g(8) + 5 * 8) >> 2);
    CHECK(78, hv_info.htinst == 0x3000 && (hv_info.hstatus & HSTATUS_GVA));
    run(M_VS, probe_sd, T2 + 5 * 4096, 0);
    exc(78, C_STORE_GPF, T2 + 5 * 4096);                 /* original type */
    CHECK(78, hv_info.htval == (g(8) + 5 * 8) >> 2 && hv_info.htinst == 0x3000);
    run(M_VS, probe_jump, T2 + 5 * 4096, 0);
    exc(78, C_FETCH_GPF, T2 + 5 * 4096);
    CHECK(78, hv_info.htval == (g(8) + 5 * 8) >> 2 && hv_info.htinst == 0x3000);
    /* HS MXR is for explicit loads only: a VS page table in an X-only G page
     * stays unreadable for the walk (priv: hypervisor, "MXR ... makes
     * execute-only pages readable by explicit loads") */
    run(M_VS, probe_ld, T6 + 2 * 4096, 0);
    exc(87, C_LOAD_GPF, T6 + 2 * 4096);
    CHECK(87, hv_info.htval == (g(13) + 16) >> 2 && hv_info.htinst == 0x3000);
    csr_set(sstatus, MSTATUS_MXR);
    run(M_VS, probe_ld, T6 + 2 * 4096, 0);
    exc(87, C_LOAD_GPF, T6 + 2 * 4096);
    CHECK(87, hv_info.htval == (g(13) + 16) >> 2 && hv_info.htinst == 0x3000);
    csr_clear(sstatus, MSTATUS_MXR);
    /* a VS L0 table reached through a non-identity G mapping */
    v = run(M_VS, probe_ld, T4 + 4096 + 24, 0);
    ok(79, M_VS);
    CHECK(79, v == (long)pg64(1)[3]);
    /* VS-stage A/D */
    {
        volatile uint64_t *p6 = vpte(t(6), 0);
        uint64_t e6 = *p6;
        if (!has_svadu) {
            run(M_VS, probe_ld, t(6), 0);
            gvpf(80, C_LOAD_PF, t(6));
            run(M_VS, probe_ld, T3 + 3 * 4096, 0);       /* A = 0 */
            gvpf(81, C_LOAD_PF, T3 + 3 * 4096);
            CHECK(80, *p6 == e6);
        } else {
            run(M_VS, probe_ld, t(6), 0);                /* henvcfg.ADUE = 0 */
            gvpf(80, C_LOAD_PF, t(6));
            csr_set(henvcfg, ENVCFG_ADUE);
            v = run(M_VS, probe_ld, t(6) + 8, 0);
            ok(80, M_VS);
            CHECK(80, v == (long)pg64(0)[1]);
            CHECK(80, (*p6 & (PTE_A | PTE_D)) == PTE_A);
            run(M_VS, probe_sd, t(6) + 8, 0x66);
            ok(80, M_VS);
            CHECK(80, (*p6 & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
            /* the A update is a write to a read-only G page */
            run(M_VS, probe_ld, T3 + 3 * 4096, 0);
            exc(81, C_LOAD_GPF, T3 + 3 * 4096);
            CHECK(81, hv_info.htval == (g(7) + 3 * 8) >> 2);
            CHECK(81, hv_info.htinst == 0x3020);
            CHECK(81, hv_info.hstatus & HSTATUS_GVA);
            CHECK(81, vsl0_ro[3] == pte(g(0), PTE_V | PTE_R | PTE_W));
            csr_clear(henvcfg, ENVCFG_ADUE);
        }
    }
    /* a VS 2 MiB page over 4 KiB G pages: each 4 KiB piece on its own */
    v = run(M_VS, probe_ld, T5 + 8, 0);
    ok(83, M_VS);
    CHECK(83, v == (long)pg64(0)[1]);
    v = run(M_VS, probe_ld, T5 + 4096 + 8, 0);
    ok(83, M_VS);
    CHECK(83, v == (long)pg64(1)[1]);
    v = run(M_VS, probe_ld, T5 + 2 * 4096 + 8, 0);     /* G X-only */
    gpf(83, C_LOAD_GPF, T5 + 2 * 4096 + 8, g(2) + 8, W(I_LD));
    hv_flush = 0;                                       /* all cached now */
    v = run(M_VS, probe_ld, T5 + 4096 + 16, 0);
    ok(83, M_VS);
    CHECK(83, v == (long)pg64(1)[2]);
    v = run(M_VS, probe_ld, T5 + 16, 0);
    ok(83, M_VS);
    CHECK(83, v == (long)pg64(0)[2]);
    hv_flush = 1;
    vmap(T5 + MB2, g(1), 1, PTE_R | PTE_A);            /* misaligned */
    run(M_VS, probe_ld, T5 + MB2, 0);
    gvpf(84, C_LOAD_PF, T5 + MB2);
    /* SFENCE.VMA in VS flushes its own (VS-stage) translations */
    {
        volatile uint64_t *p = vpte(t(12), 0);
        *p = pte(g(0), PTE_V | PTE_R | PTE_A);
        run(M_VS, probe_ld, t(12), 0);
        hv_flush = 0;
        v = run(M_VS, probe_sfence_ld, t(12) + 8, 0);
        ok(85, M_VS);
        CHECK(85, v == (long)pg64(0)[1]);
        *p = pte(g(1), PTE_V | PTE_R | PTE_A);
        v = run(M_VS, probe_sfence_ld, t(12) + 8, 0);
        ok(85, M_VS);
        CHECK(85, v == (long)pg64(1)[1]);
        *p = 0;
        run(M_VS, probe_sfence_ld, t(12) + 8, 0);
        gvpf(85, C_LOAD_PF, t(12) + 8);
        hv_flush = 1;
    }
    /* MPRV with MPV = 1: M-mode loads translated in two stages */
    v = m_call(m_mprv_ld, t(0) + 8, (1UL << 17) | (1UL << 11) | MSTATUS_MPV, 0);
    CHECK(86, v == (long)pg64(0)[1]);
    v = m_call(m_mprv_ld, t(1) + 16, (1UL << 17) | MSTATUS_MPV, 0);   /* VU */
    CHECK(86, v == (long)pg64(0)[2]);
    csr_set(vsstatus, MSTATUS_SUM);                      /* VS + vsstatus.SUM */
    v = m_call(m_mprv_ld, t(1) + 24, (1UL << 17) | (1UL << 11) | MSTATUS_MPV, 0);
    CHECK(86, v == (long)pg64(0)[3]);
    csr_clear(vsstatus, MSTATUS_SUM);
    v = m_call(m_mprv_ld, pa(&pg64(3)[4]), (1UL << 17) | (1UL << 11), 0);
    CHECK(86, v == (long)pg64(3)[4]);                   /* MPV = 0: HS, Bare */
    /* henvcfg.ADUE is read-only 0 while menvcfg.ADUE = 0: Svade again */
    if (has_svadu) {
        volatile uint64_t *p13 = vpte(t(13), 0);
        uint64_t e13 = *p13;
        csr_set(henvcfg, ENVCFG_ADUE);
        m_call(m_menvcfg_clear, ENVCFG_ADUE, 0, 0);
        run(M_VS, probe_ld, t(13), 0);
        gvpf(88, C_LOAD_PF, t(13));
        CHECK(88, *p13 == e13);
        m_call(m_menvcfg_set, ENVCFG_ADUE, 0, 0);
        csr_clear(henvcfg, ENVCFG_ADUE);
    }
    /* a VS leaf pointing beyond the 41-bit GPA space */
    run(M_VS, probe_ld, t(15) + 8, 0);
    gpf(89, C_LOAD_GPF, t(15) + 8, (1UL << 42) + 8, W(I_LD));
    /* the VS root table itself unmapped in the G stage: even the fetch of
     * the first VS instruction faults in the implicit walk */
    csr_write(vsatp, (8UL << 60) | (g(4) >> 12));
    run1(M_VS, LI_A0(1), 0, 0);
    exc(89, C_FETCH_GPF, buf_pc(M_VS));
    CHECK(89, hv_info.htval == (g(4) + ((buf_pc(M_VS) >> 30) & 511) * 8) >> 2);
    CHECK(89, hv_info.htinst == 0x3000 && (hv_info.hstatus & HSTATUS_GVA));
    csr_write(vsatp, vsatp_main());
    /* VU never executes from a VS (U = 0) page */
    run(M_VU, probe_jump, t(10), 0);
    gvpf(89, C_FETCH_PF, t(10));
    /* a VA that is not canonical for Sv39: page fault, not guest-page fault */
    run(M_VS, probe_ld, (1UL << 40) + 8, 0);
    gvpf(89, C_LOAD_PF, (1UL << 40) + 8);
    /* VS never executes from a U page, even with SUM; VU does */
    csr_set(vsstatus, MSTATUS_SUM);
    run(M_VS, probe_jump, t(14), 0);
    gvpf(89, C_FETCH_PF, t(14));
    csr_clear(vsstatus, MSTATUS_SUM);
    run(M_VU, probe_jump, t(14), 0);
    ok(89, M_VU);
    CHECK(89, hv_info.epc == t(14));
    /* fetch through both stages; no X in the VS stage */
    run(M_VS, probe_jump, t(10), 0);
    ok(82, M_VS);
    CHECK(82, hv_info.epc == t(10));
    run(M_VS, probe_jump, t(0) + 4, 0);
    gvpf(82, C_FETCH_PF, t(0) + 4);
}

/* ======================================================================
 * HLV / HLVX / HSV
 * ==================================================================== */
static void test_hlv(void)
{
    long v;
    uint32_t ins;

    reset_state();
    csr_write(vsatp, vsatp_main());
    /* from HS, SPVP = 1 (VS privilege) */
    csr_set(hstatus, HSTATUS_SPVP);
    v = run1(M_HS, W(I_HLVD), t(0) + 64, 0);
    ok(90, M_HS);
    CHECK(90, v == (long)pg64(0)[8]);
    run1(M_HS, W(I_HLVD), t(5), 0);                       /* VS invalid */
    gvpf(90, C_LOAD_PF, t(5));
    CHECK(90, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) == HSTATUS_SPVP);
    /* SPVP = 0 (VU privilege) */
    csr_clear(hstatus, HSTATUS_SPVP);
    run1(M_HS, W(I_HLVD), t(0) + 64, 0);
    gvpf(91, C_LOAD_PF, t(0) + 64);
    v = run1(M_HS, W(I_HLVD), t(1) + 72, 0);
    ok(91, M_HS);
    CHECK(91, v == (long)pg64(0)[9]);
    /* SPVP = 1 on a U page: vsstatus.SUM counts, HS SUM does not */
    csr_set(hstatus, HSTATUS_SPVP);
    run1(M_HS, W(I_HLVD), t(1) + 72, 0);
    gvpf(92, C_LOAD_PF, t(1) + 72);
    csr_set(sstatus, MSTATUS_SUM);
    run1(M_HS, W(I_HLVD), t(1) + 72, 0);
    gvpf(92, C_LOAD_PF, t(1) + 72);
    csr_clear(sstatus, MSTATUS_SUM);
    csr_set(vsstatus, MSTATUS_SUM);
    v = run1(M_HS, W(I_HLVD), t(1) + 72, 0);
    ok(92, M_HS);
    CHECK(92, v == (long)pg64(0)[9]);
    csr_clear(vsstatus, MSTATUS_SUM);
    /* widths and extension */
    pg64(0)[10] = 0x123456789abcdef0UL;
    {
        uint64_t a = t(0) + 80;
        CHECK(93, run1(M_HS, W(I_HLVB), a, 0) == (long)0xfffffffffffffff0UL);
        CHECK(93, run1(M_HS, W(I_HLVBU), a, 0) == 0xf0);
        CHECK(93, run1(M_HS, W(I_HLVH), a, 0) == (long)0xffffffffffffdef0UL);
        CHECK(93, run1(M_HS, W(I_HLVHU), a, 0) == 0xdef0);
        CHECK(93, run1(M_HS, W(I_HLVW), a, 0) == (long)0xffffffff9abcdef0UL);
        CHECK(93, run1(M_HS, W(I_HLVWU), a, 0) == 0x9abcdef0);
    }
    /* HLVX: needs X, not R */
    v = run1(M_HS, W(I_HLVXWU), t(3) + 12, 0);           /* VS X-only */
    ok(94, M_HS);
    CHECK(94, (uint64_t)v == (pg64(2)[1] >> 32));
    v = run1(M_HS, W(I_HLVXHU), t(3) + 10, 0);
    ok(94, M_HS);
    CHECK(94, (uint64_t)v == ((pg64(2)[1] >> 16) & 0xffff));
    run1(M_HS, W(I_HLVD), t(3) + 8, 0);
    gvpf(94, C_LOAD_PF, t(3) + 8);
    run1(M_HS, W(I_HLVXWU), t(0), 0);                     /* RW, no X */
    gvpf(95, C_LOAD_PF, t(0));
    run1(M_HS, W(I_HLVXWU), t(8) + 4, 0);                 /* G without X */
    gpf(95, C_LOAD_GPF, t(8) + 4, g(1) + 4, W(I_HLVXWU));
    csr_set(sstatus, MSTATUS_MXR);                        /* MXR: both stages */
    v = run1(M_HS, W(I_HLVD), t(3) + 8, 0);
    ok(96, M_HS);
    CHECK(96, v == (long)pg64(2)[1]);
    v = run1(M_HS, W(I_HLVD), t(4) + 8, 0);
    ok(96, M_HS);
    CHECK(96, v == (long)pg64(2)[1]);
    csr_clear(sstatus, MSTATUS_MXR);
    csr_set(vsstatus, MSTATUS_MXR);                       /* VS stage only */
    v = run1(M_HS, W(I_HLVD), t(3) + 8, 0);
    ok(96, M_HS);
    CHECK(96, v == (long)pg64(2)[1]);
    run1(M_HS, W(I_HLVD), t(4) + 8, 0);
    gpf(96, C_LOAD_GPF, t(4) + 8, g(2) + 8, W(I_HLVD));
    csr_clear(vsstatus, MSTATUS_MXR);
    /* HSV */
    run1(M_HS, W(I_HSVD), t(0) + 88, 0x5555aaaa5555aaaaUL);
    ok(97, M_HS);
    CHECK(97, pg64(0)[11] == 0x5555aaaa5555aaaaUL);
    run1(M_HS, W(I_HSVW), t(0) + 88, 0x12345678);
    ok(97, M_HS);
    CHECK(97, pg64(0)[11] == 0x5555aaaa12345678UL);
    run1(M_HS, W(I_HSVD), t(9) + 16, 1);                  /* G read-only */
    gpf(97, C_STORE_GPF, t(9) + 16, g(1) + 16, W(I_HSVD));
    CHECK(97, !(hv_info.hstatus & HSTATUS_SPV));
    /* vsatp = Bare: GPA directly */
    csr_write(vsatp, 0);
    v = run1(M_HS, W(I_HLVD), g(0) + 96, 0);
    ok(98, M_HS);
    CHECK(98, v == (long)pg64(0)[12]);
    run1(M_HS, W(I_HLVD), g(4) + 96, 0);
    gpf(98, C_LOAD_GPF, g(4) + 96, g(4) + 96, W(I_HLVD));
    csr_write(vsatp, vsatp_main());
    /* HLV whose VS-stage walk faults in the G stage (htinst 0x3000) */
    run1(M_HS, W(I_HLVD), T2 + 7 * 4096, 0);
    exc(105, C_LOAD_GPF, T2 + 7 * 4096);
    CHECK(105, hv_info.htval == (g(8) + 7 * 8) >> 2 && hv_info.htinst == 0x3000);
    CHECK(105, (hv_info.hstatus & (HSTATUS_GVA | HSTATUS_SPV)) == HSTATUS_GVA);
    run1(M_HS, W(I_HSVD), T2 + 7 * 4096, 0);
    exc(105, C_STORE_GPF, T2 + 7 * 4096);
    CHECK(105, hv_info.htval == (g(8) + 7 * 8) >> 2 && hv_info.htinst == 0x3000);
    if (!has_svadu) {                                   /* HSV to A = D = 0 */
        run1(M_HS, W(I_HSVD), t(6), 0);
        gvpf(106, C_STORE_PF, t(6));
    }
    /* HLVX: the PMP must grant both read and execute */
    csr_write(vsatp, 0);
    csr_set(hstatus, HSTATUS_SPVP);
    {
        uint64_t a = pa(pages[5]) + 8;
        m_call(m_pmp, pa(pages[5]), 0x4, 0);            /* X only */
        run1(M_HS, W(I_HLVXWU), a, 0);
        exc(102, 5, a);
        CHECK(102, (hv_info.hstatus & HSTATUS_GVA) && hv_info.htval == 0);
        run1(M_HS, W(I_HLVD), a, 0);
        exc(102, 5, a);
        m_call(m_pmp, pa(pages[5]), 0x1, 0);            /* R only */
        run1(M_HS, W(I_HLVXWU), a, 0);
        exc(103, 5, a);
        v = run1(M_HS, W(I_HLVD), a, 0);
        ok(103, M_HS);
        CHECK(103, v == (long)pg64(5)[1]);
        m_call(m_pmp, pa(pages[5]), 0x5, 0);            /* R and X */
        v = run1(M_HS, W(I_HLVXWU), a, 0);
        ok(104, M_HS);
        CHECK(104, (uint64_t)v == (pg64(5)[1] & 0xffffffffUL));
        m_call(m_pmp, -1L, 0, 0);
    }
    csr_write(vsatp, vsatp_main());
    /* a misaligned HLV: done, or a misaligned trap with GVA = 1 */
    v = run1(M_HS, W(I_HLVW), t(0) + 2, 0);
    if (hv_info.cause == 4) {
        exc(107, 4, t(0) + 2);
        CHECK(107, (hv_info.hstatus & (HSTATUS_GVA | HSTATUS_SPV)) == HSTATUS_GVA);
    } else {
        ok(107, M_HS);
        CHECK(107, (uint64_t)v == (uint64_t)(int64_t)(int32_t)(pg64(0)[0] >> 16));
    }
    /* HLV from M: as V = 1 with privilege SPVP */
    csr_set(hstatus, HSTATUS_SPVP);
    CHECK(101, m_call(m_hlv_d, t(0) + 64, 0, 0) == pg64(0)[8]);
    CHECK(101, m_call(m_mprv_hlv_d, t(0) + 64, 0, 0) == pg64(0)[8]);
    csr_clear(hstatus, HSTATUS_SPVP);
    CHECK(101, m_call(m_hlv_d, t(1) + 72, 0, 0) == pg64(0)[9]);
    /* from U: only with hstatus.HU */
    csr_set(hstatus, HSTATUS_HU);
    csr_clear(hstatus, HSTATUS_SPVP);
    v = run1(M_U, W(I_HLVD), t(1) + 72, 0);
    ok(99, M_U);
    CHECK(99, v == (long)pg64(0)[9]);
    CHECK(99, !(hv_info.hstatus & HSTATUS_SPV));
    csr_set(hstatus, HSTATUS_SPVP);
    v = run1(M_U, W(I_HLVD), t(0) + 64, 0);               /* VS privilege */
    ok(99, M_U);
    CHECK(99, v == (long)pg64(0)[8]);
    run1(M_U, W(I_HSVD), t(0) + 88, 7);
    ok(99, M_U);
    CHECK(99, pg64(0)[11] == 7);
    run1(M_U, W(I_HLVD), t(5), 0);
    gvpf(99, C_LOAD_PF, t(5));
    csr_clear(hstatus, HSTATUS_HU);
    ins = W(I_HLVD);
    expect_illegal(100, M_U, ins);
    expect_illegal(100, M_U, W(I_HSVD));
    expect_illegal(100, M_U, W(I_HLVXWU));
}

/* ======================================================================
 * HFENCE
 * ==================================================================== */
static void test_hfence(void)
{
    long v;
    volatile uint64_t *p;

    reset_state();
    /* HFENCE.VVMA: VS-stage remap of t(7) */
    csr_write(vsatp, vsatp_main());
    p = vpte(t(7), 0);
    run(M_VS, probe_ld, t(7), 0);                 /* flush once on entry */
    hv_flush = 0;
    v = run(M_VS, probe_ld, t(7) + 8, 0);
    ok(110, M_VS);
    CHECK(110, v == (long)pg64(0)[1]);
    *p = pte(g(6), PTE_V | PTE_R | PTE_A);
    __asm__ volatile("hfence.vvma" ::: "memory");
    v = run(M_VS, probe_ld, t(7) + 8, 0);
    ok(110, M_VS);
    CHECK(110, v == (long)pg64(4)[1]);
    *p = pte(g(0), PTE_V | PTE_R | PTE_A);
    __asm__ volatile("hfence.vvma %0, zero" :: "r"(t(7)) : "memory");
    v = run(M_VS, probe_ld, t(7) + 8, 0);
    ok(110, M_VS);
    CHECK(110, v == (long)pg64(0)[1]);
    /* HFENCE.GVMA: G-stage remap of g(6) (vsatp = Bare) */
    csr_write(vsatp, 0);
    hv_flush = 1;
    p = gpte(groot, 3, g(6), 0);
    run(M_VS, probe_ld, g(6), 0);
    hv_flush = 0;
    v = run(M_VS, probe_ld, g(6) + 16, 0);
    ok(111, M_VS);
    CHECK(111, v == (long)pg64(4)[2]);
    *p = pte(pa(pages[5]), PTE_V | PTE_U | PTE_R | PTE_A);
    __asm__ volatile("hfence.gvma" ::: "memory");
    v = run(M_VS, probe_ld, g(6) + 16, 0);
    ok(111, M_VS);
    CHECK(111, v == (long)pg64(5)[2]);
    *p = pte(pa(pages[7]), PTE_V | PTE_U | PTE_R | PTE_A);
    __asm__ volatile("hfence.gvma %0, zero" :: "r"(g(6) >> 2) : "memory");
    v = run(M_VS, probe_ld, g(6) + 16, 0);
    ok(111, M_VS);
    CHECK(111, v == (long)pg64(7)[2]);
    *p = pte(pa(pages[4]), PTE_V | PTE_U | PTE_R | PTE_A);
    __asm__ volatile("hfence.gvma zero, zero" ::: "memory");
    /* fetches see remapped code: VS stage + SFENCE.VMA in VS, G stage +
     * HFENCE.GVMA */
    csr_write(vsatp, vsatp_main());
    hv_flush = 1;
    run(M_VS, probe_jump, t(16), 0);
    hv_flush = 0;
    v = run(M_VS, probe_jump, t(16), 0);
    ok(117, M_VS);
    CHECK(117, v == 1);
    p = vpte(t(16), 0);
    *p = pte(g(17), PTE_V | PTE_X | PTE_A);
    v = run(M_VS, probe_sfence_jump, t(16), 0);
    ok(117, M_VS);
    CHECK(117, v == 2);
    *p = pte(g(16), PTE_V | PTE_X | PTE_A);
    v = run(M_VS, probe_sfence_jump, t(16), 0);
    ok(117, M_VS);
    CHECK(117, v == 1);
    csr_write(vsatp, 0);
    hv_flush = 1;
    run(M_VS, probe_jump, g(16), 0);
    hv_flush = 0;
    p = gpte(groot, 3, g(16), 0);
    *p = pte(pa(codepg2[1]), PTE_V | PTE_U | PTE_X | PTE_A);
    __asm__ volatile("hfence.gvma" ::: "memory");
    v = run(M_VS, probe_jump, g(16), 0);
    ok(118, M_VS);
    CHECK(118, v == 2);
    *p = pte(pa(codepg2[0]), PTE_V | PTE_U | PTE_X | PTE_A);
    __asm__ volatile("hfence.gvma" ::: "memory");
    hv_flush = 1;
    /* not from U; virtual from VS / VU */
    expect_illegal(112, M_U, W(I_HFV));
    expect_illegal(112, M_U, W(I_HFG));
    expect_virt(113, M_VS, W(I_HFV));
    expect_virt(113, M_VS, W(I_HFG));
    expect_virt(113, M_VU, W(I_HFV));
    expect_virt(113, M_VU, W(I_HFG_R));
    /* mstatus.TVM: HFENCE.GVMA and hgatp illegal in HS, VVMA fine */
    hv_flush = 0;
    MSET(MSTATUS_TVM);
    expect_illegal(114, M_HS, W(I_HFG));
    expect_illegal(114, M_HS, CSRR(CSR_HGATP));
    expect_illegal(114, M_HS, CSRR(CSR_SATP));
    expect_illegal(114, M_HS, W(I_SFENCE));
    run1(M_HS, W(I_HFV), 0, 0);
    ok(114, M_HS);
    run1(M_HS, CSRR(CSR_VSATP), 0, 0);            /* vsatp is not trapped */
    ok(114, M_HS);
    m_call(m_hfence_gvma, 0, 0, 0);               /* M: always legal */
    /* ... and does not affect VS */
    run1(M_VS, W(I_SFENCE), 0, 0);
    ok(115, M_VS);
    run1(M_VS, CSRR(CSR_SATP), 0, 0);
    ok(115, M_VS);
    /* HS-qualified means "assuming TVM = 0": still virtual from VS / VU */
    expect_virt(115, M_VS, CSRR(CSR_HGATP));
    expect_virt(115, M_VU, CSRR(CSR_HGATP));
    expect_virt(115, M_VU, CSRR(CSR_SATP));
    expect_virt(115, M_VU, W(I_SFENCE));
    MCLR(MSTATUS_TVM);
    hv_flush = 1;
}

/* two guests with different VMIDs mapping g(10) to different pages */
static void test_vmid(void)
{
    long v;
    uint64_t ha, hb;

    reset_state();
    csr_write(hgatp, 3UL << 44);
    if (((csr_read(hgatp) >> 44) & 3) != 3) {   /* VMIDLEN < 2 */
        csr_write(hgatp, hgatp_main());
        return;
    }
    ha = hgatp_main() | (1UL << 44);
    hb = (8UL << 60) | (2UL << 44) | (pa(groot_b) >> 12);
    csr_write(hgatp, hb);
    run(M_VS, probe_ld, g(10), 0);
    csr_write(hgatp, ha);
    run(M_VS, probe_ld, g(10), 0);              /* both flushed, then cached */
    hv_flush = 0;
    for (int i = 0; i < 2; i++) {
        csr_write(hgatp, ha);
        v = run(M_VS, probe_ld, g(10) + 8, 0);
        ok(116, M_VS);
        CHECK(116, v == (long)pg64(6)[1]);
        csr_write(hgatp, hb);
        v = run(M_VS, probe_ld, g(10) + 8, 0);
        ok(116, M_VS);
        CHECK(116, v == (long)pg64(7)[1]);
    }
    hv_flush = 1;
    csr_write(hgatp, hgatp_main());
}

/* ======================================================================
 * virtual-instruction (22) and illegal-instruction (2) exceptions
 * ==================================================================== */
static void test_virtual(void)
{
    reset_state();
    /* H / VS CSRs by their own number from VS and VU */
    expect_virt(120, M_VS, CSRR(CSR_HSTATUS));
    expect_virt(120, M_VS, CSRW(CSR_HSTATUS));
    expect_virt(120, M_VS, CSRR(CSR_HGATP));
    expect_virt(120, M_VS, CSRR(CSR_VSSTATUS));
    expect_virt(120, M_VS, CSRR(CSR_VSATP));
    expect_virt(120, M_VS, CSRR(CSR_HVIP));
    expect_virt(121, M_VU, CSRR(CSR_HSTATUS));
    expect_virt(121, M_VU, CSRR(CSR_VSSTATUS));
    /* VU: supervisor CSRs */
    expect_virt(122, M_VU, CSRR(CSR_SSTATUS));
    expect_virt(122, M_VU, CSRR(CSR_SSCRATCH));
    expect_virt(122, M_VU, CSRR(CSR_SATP));
    /* SRET, WFI, SFENCE.VMA, satp */
    csr_set(hstatus, HSTATUS_VTSR);
    expect_virt(123, M_VS, W(I_SRET));
    csr_clear(hstatus, HSTATUS_VTSR);
    csr_set(hstatus, HSTATUS_VTW);
    expect_virt(124, M_VS, W(I_WFI));
    csr_clear(hstatus, HSTATUS_VTW);
    csr_set(hstatus, HSTATUS_VTVM);
    expect_virt(125, M_VS, W(I_SFENCE));
    expect_virt(125, M_VS, CSRR(CSR_SATP));
    expect_virt(125, M_VS, CSRW(CSR_SATP));
    run1(M_VS, W(I_LI77), 0, 0);     /* VS runs otherwise */
    ok(125, M_VS);
    CHECK(125, hv_info.a0 == 77);
    csr_clear(hstatus, HSTATUS_VTVM);
    run1(M_VS, W(I_SFENCE), 0, 0);
    ok(125, M_VS);
    expect_virt(126, M_VU, W(I_WFI));
    expect_virt(126, M_VU, W(I_SRET));
    expect_virt(126, M_VU, W(I_SFENCE));
    /* hypervisor instructions from V = 1 */
    expect_virt(127, M_VS, W(I_HLVD));
    expect_virt(127, M_VS, W(I_HLVXWU));
    expect_virt(127, M_VS, W(I_HSVD));
    expect_virt(127, M_VS, W(I_HFV_R));
    expect_virt(127, M_VS, W(I_HFG));
    expect_virt(127, M_VU, W(I_HLVD));
    expect_virt(127, M_VU, W(I_HSVW));
    /* counters: hcounteren (VS), hcounteren & scounteren (VU) */
    csr_write(hcounteren, 0);
    expect_virt(128, M_VS, W(I_RDCYCLE));
    expect_virt(128, M_VS, W(I_RDTIME));
    expect_virt(128, M_VS, W(I_RDINSTRET));
    csr_write(hcounteren, 7);
    run1(M_VS, W(I_RDCYCLE), 0, 0);
    ok(128, M_VS);
    csr_write(scounteren, 0);
    expect_virt(129, M_VU, W(I_RDCYCLE));
    run1(M_VS, W(I_RDCYCLE), 0, 0);
    ok(129, M_VS);
    csr_write(scounteren, 7);
    csr_write(hcounteren, 6);
    expect_virt(129, M_VU, W(I_RDCYCLE));
    csr_write(hcounteren, 7);
    run1(M_VU, W(I_RDCYCLE), 0, 0);
    ok(129, M_VU);
    expect_virt(129, M_VS, CSRR(0xC03));                /* hpmcounter3 */
    csr_write(hcounteren, 0xf);
    run1(M_VS, CSRR(0xC03), 0, 0);
    ok(129, M_VS);
    csr_write(hcounteren, 7);
    m_call(m_mcounteren, 6, 0, 0);              /* mcounteren.CY = 0 */
    expect_illegal(130, M_VS, W(I_RDCYCLE));
    expect_illegal(130, M_VU, W(I_RDCYCLE));
    expect_illegal(130, M_HS, W(I_RDCYCLE));
    m_call(m_mcounteren, -1L, 0, 0);
    /* not HS-qualified: illegal */
    expect_illegal(131, M_VS, CSRR(CSR_MSTATUS));
    expect_illegal(131, M_VS, CSRR(CSR_MTVEC));
    expect_illegal(131, M_VU, CSRR(CSR_MSTATUS));
    expect_illegal(132, M_VS, W(I_MRET));
    expect_illegal(132, M_VU, W(I_MRET));
    /* writes to read-only CSRs are not HS-qualified: illegal, not virtual */
    expect_illegal(136, M_VS, CSRW(0xE12));             /* hgeip */
    expect_illegal(136, M_VU, CSRW(0xE12));
    run1(M_VS, CSRR(0xE12), 0, 0);                      /* reading it is */
    virt(136, CSRR(0xE12));
    csr_write(hcounteren, 0);
    expect_illegal(137, M_VS, CSRW(0xC00));             /* cycle */
    expect_illegal(137, M_VU, CSRW(0xC01));             /* time */
    csr_write(hcounteren, 7);
    /* mstatus.TW = 1: WFI illegal everywhere below M */
    MSET(MSTATUS_TW);
    expect_illegal(133, M_VS, W(I_WFI));
    expect_illegal(133, M_VU, W(I_WFI));
    expect_illegal(133, M_HS, W(I_WFI));
    csr_set(hstatus, HSTATUS_VTW);
    expect_illegal(133, M_VS, W(I_WFI));
    csr_clear(hstatus, HSTATUS_VTW);
    MCLR(MSTATUS_TW);
    /* U (V = 0): WFI and SRET are illegal */
    expect_illegal(134, M_U, W(I_WFI));
    expect_illegal(134, M_U, W(I_SRET));
    /* mstatus.TSR affects HS only: VS SRET (VTSR = 0) works */
    MSET(MSTATUS_TSR);                  /* (hv_enter's own SRET would trap) */
    expect_illegal(135, M_HS | VIA_M, W(I_SRET));
    run(M_VS | VIA_M, probe_vs_sret, 1, 0);
    ok(135, M_VS);
    CHECK(135, hv_info.a0 == 42);
    MCLR(MSTATUS_TSR);
}

/* ======================================================================
 * ecall, hedeleg delegation to VS, SRET in VS, MRET into V = 1, traps to M
 * ==================================================================== */
static void test_ecall_deleg(void)
{
    uint32_t seq[3];
    long v;

    reset_state();
    run1(M_VS, LI_A0(5), 0, 0);
    ok(150, M_VS);
    CHECK(150, hv_info.a0 == 5 && hv_info.tval == 0 && hv_info.htval == 0);
    CHECK(150, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA))
               == (HSTATUS_SPV | HSTATUS_SPVP));
    CHECK(150, hv_info.sstatus & MSTATUS_SPP);
    CHECK(150, hv_info.epc == buf_pc(M_VS) + 4);
    run1(M_VU, LI_A0(6), 0, 0);
    ok(151, M_VU);
    CHECK(151, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) == HSTATUS_SPV);
    CHECK(151, !(hv_info.sstatus & MSTATUS_SPP));
    csr_set(hstatus, HSTATUS_SPVP);               /* kept on a trap from V=0 */
    run1(M_U, LI_A0(7), 0, 0);
    ok(152, M_U);
    CHECK(152, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) == HSTATUS_SPVP);
    csr_clear(hstatus, HSTATUS_SPVP);

    /* hedeleg: illegal instruction to VS */
    csr_write(hedeleg, 1UL << C_ILLEGAL);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    run1(M_VS, CSRR(CSR_MSTATUS), 0, 0);
    ok(153, M_VS);                                /* vs_trap's ecall */
    CHECK(153, hv_info.a0 == VS_MAGIC && hv_info.epc == (uint64_t)vs_trap_ecall);
    CHECK(153, vs_info.cause == C_ILLEGAL && vs_info.tval == CSRR(CSR_MSTATUS));
    CHECK(153, vs_info.epc == buf_pc(M_VS));
    CHECK(154, (vs_info.status & (MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE)) ==
               (MSTATUS_SPP | MSTATUS_SPIE));
    CHECK(154, csr_read(vscause) == C_ILLEGAL && csr_read(vsepc) == buf_pc(M_VS));
    /* ... and from VU: SPP = 0 */
    run1(M_VU, CSRR(CSR_MSTATUS), 0, 0);
    ok(155, M_VS);
    CHECK(155, vs_info.cause == C_ILLEGAL && vs_info.epc == buf_pc(M_VU));
    CHECK(155, !(vs_info.status & MSTATUS_SPP));
    /* a virtual instruction is never delegated (hedeleg bit 22 is 0) */
    csr_write(hedeleg, -1L);
    expect_virt(156, M_VS, CSRR(CSR_HSTATUS));
    run(M_VS, probe_ld, g(4), 0);                  /* nor a guest-page fault */
    gpf(156, C_LOAD_GPF, g(4), g(4), W(I_LD));
    /* ecall from VU, page fault: delegated */
    csr_write(hedeleg, (1UL << C_ECALL_U) | (1UL << C_LOAD_PF));
    run1(M_VU, LI_A0(9), 0, 0);
    ok(157, M_VS);
    CHECK(157, vs_info.cause == C_ECALL_U && vs_info.a0 == 9);
    CHECK(157, vs_info.epc == buf_pc(M_VU) + 4);
    csr_write(vsatp, vsatp_main());
    csr_write(htval, 0x1234);
    run(M_VS, probe_ld, t(5) + 16, 0);
    ok(158, M_VS);
    CHECK(158, vs_info.cause == C_LOAD_PF && vs_info.tval == t(5) + 16);
    CHECK(158, hv_info.htval == 0);                /* the ecall wrote 0 */
    csr_write(vsatp, 0);
    /* SRET from VS (the VS handler) stays in V = 1 */
    csr_write(hedeleg, 1UL << C_ILLEGAL);
    csr_write(vstvec, (uint64_t)vs_trap_skip);
    seq[0] = CSRR(CSR_MSTATUS);
    seq[1] = W(I_LI77);
    vs_info.count = 0;
    v = run_seq(M_VS, seq, 2, 0, 0);
    ok(159, M_VS);
    CHECK(159, v == 77 && vs_info.cause == C_ILLEGAL && vs_info.count == 1);
    CHECK(159, hv_info.epc == buf_pc(M_VS) + 8);
    v = run_seq(M_VU, seq, 2, 0, 0);
    ok(159, M_VU);
    CHECK(159, v == 77 && vs_info.count == 2);
    csr_write(vstvec, (uint64_t)vs_trap);
    csr_write(hedeleg, 0);
    /* SRET executed by VS code: to VS (SPP = 1) and to VU (SPP = 0) */
    run(M_VS, probe_vs_sret, 1, 0);
    ok(160, M_VS);
    CHECK(160, hv_info.a0 == 42 && hv_info.epc == (uint64_t)probe_vs_sret_ret + 4);
    run(M_VS, probe_vs_sret, 0, 0);
    ok(160, M_VU);
    CHECK(160, hv_info.a0 == 42);
    /* MRET with MPV = 1 enters VS / VU */
    run1(M_VS | VIA_M, LI_A0(11), 0, 0);
    ok(161, M_VS);
    CHECK(161, hv_info.a0 == 11 && (hv_info.sstatus & MSTATUS_SPP));
    run1(M_VU | VIA_M, LI_A0(12), 0, 0);
    ok(161, M_VU);
    CHECK(161, hv_info.a0 == 12 && !(hv_info.sstatus & MSTATUS_SPP));

    /* traps from V = 1 into M: MPV, GVA, mtval2, mtinst */
    m_call(m_medeleg, medeleg_all & ~(1UL << C_LOAD_GPF), 0, 0);
    run(M_VS, probe_ld, g(4) + 8, 0);
    CHECK(162, hv_info.in_m && hv_info.cause == C_LOAD_GPF);
    CHECK(162, hv_info.tval == g(4) + 8 && hv_info.htval == (g(4) + 8) >> 2);
    CHECK(162, (hv_info.mstatus & (MSTATUS_MPV | MSTATUS_GVA)) ==
               (MSTATUS_MPV | MSTATUS_GVA));
    CHECK(162, ((hv_info.mstatus >> 11) & 3) == 1);
    CHECK(162, hv_info.htinst == 0 || hv_info.htinst == transformed(W(I_LD)));
    run(M_VU, probe_ld, g(4) + 8, 0);
    CHECK(163, hv_info.in_m && hv_info.cause == C_LOAD_GPF);
    CHECK(163, (hv_info.mstatus & MSTATUS_MPV) && ((hv_info.mstatus >> 11) & 3) == 0);
    /* from HS (V = 0): HLV still sets GVA, MPV = 0 */
    run1(M_HS, W(I_HLVD), g(4) + 16, 0);
    CHECK(164, hv_info.in_m && hv_info.cause == C_LOAD_GPF);
    CHECK(164, hv_info.tval == g(4) + 16 && hv_info.htval == (g(4) + 16) >> 2);
    CHECK(164, (hv_info.mstatus & (MSTATUS_MPV | MSTATUS_GVA)) == MSTATUS_GVA);
    m_call(m_medeleg, medeleg_all & ~(1UL << C_ECALL_VS), 0, 0);
    run1(M_VS, LI_A0(13), 0, 0);
    CHECK(165, hv_info.in_m && hv_info.cause == C_ECALL_VS && hv_info.a0 == 13);
    CHECK(165, (hv_info.mstatus & (MSTATUS_MPV | MSTATUS_GVA)) == MSTATUS_MPV);
    CHECK(165, hv_info.htval == 0 && hv_info.htinst == 0 && hv_info.tval == 0);
    m_call(m_medeleg, medeleg_all & ~(1UL << C_VIRTUAL), 0, 0);
    run1(M_VS, CSRR(CSR_HSTATUS), 0, 0);
    CHECK(166, hv_info.in_m && hv_info.cause == C_VIRTUAL);
    CHECK(166, hv_info.tval == CSRR(CSR_HSTATUS));
    CHECK(166, (hv_info.mstatus & (MSTATUS_MPV | MSTATUS_GVA)) == MSTATUS_MPV);
    m_call(m_medeleg, medeleg_all, 0, 0);
}

/* ======================================================================
 * VS-level interrupts
 * ==================================================================== */
static void irq_to_vs(long n, uint64_t hvip, uint64_t code)
{
    csr_write(hideleg, VS_BITS);
    csr_write(hie, VS_BITS);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    csr_write(hvip, hvip);
    vs_info.cause = -1UL;
    run1(M_VS, LI_A0(1), 0, 0);
    ok(n, M_VS);
    CHECK(n, hv_info.a0 == VS_MAGIC);
    CHECK(n, vs_info.cause == (IRQ | code) && vs_info.epc == buf_pc(M_VS));
    CHECK(n, (vs_info.status & (MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE))
             == (MSTATUS_SPP | MSTATUS_SPIE));
    csr_write(hvip, 0);
}

static void irq_to_hs(long n, uint64_t hvip, uint64_t code)
{
    csr_write(hideleg, 0);
    csr_write(hie, VS_BITS);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    csr_write(hvip, hvip);
    run1(M_VS, LI_A0(1), 0, 0);
    CHECK(n, hv_info.cause == (IRQ | code) && !hv_info.in_m);
    CHECK(n, hv_info.epc == buf_pc(M_VS) && hv_info.tval == 0);
    CHECK(n, (hv_info.hstatus & (HSTATUS_SPV | HSTATUS_GVA)) == HSTATUS_SPV);
    CHECK(n, hv_info.htval == 0 && hv_info.htinst == 0);
    csr_write(hvip, 0);
}

static void test_irq(void)
{
    long v;
    uint64_t t0, t1;

    reset_state();
    irq_to_vs(170, 0x4, 1);
    irq_to_vs(171, 0x40, 5);
    irq_to_vs(172, 0x400, 9);
    irq_to_vs(173, VS_BITS, 9);                   /* SEI > SSI > STI */
    irq_to_vs(173, 0x44, 1);
    irq_to_hs(174, 0x4, 2);
    irq_to_hs(175, 0x40, 6);
    irq_to_hs(176, 0x400, 10);
    irq_to_hs(177, VS_BITS, 10);                  /* VSEI > VSSI > VSTI */
    irq_to_hs(177, 0x44, 2);
    /* vectored vstvec: a VS-level interrupt uses its VS code (STI: 5) */
    csr_write(vstvec, (uint64_t)vs_vectab | 1);
    vs_vec_index = -1UL;
    irq_to_vs(173, 0x40, 5);
    CHECK(173, vs_vec_index == 5);
    vs_vec_index = -1UL;
    csr_write(hedeleg, 1UL << C_ILLEGAL);               /* exceptions: base */
    run1(M_VS, CSRR(CSR_MSTATUS), 0, 0);
    ok(173, M_VS);
    CHECK(173, vs_vec_index == 0 && vs_info.cause == C_ILLEGAL);
    csr_write(hedeleg, 0);
    csr_write(vstvec, (uint64_t)vs_trap);
    /* an HS-level interrupt goes before a VS-level one */
    csr_write(hideleg, VS_BITS);
    csr_write(hie, VS_BITS);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    csr_write(hvip, VS_BITS);
    csr_set(sie, 2);
    csr_set(sip, 2);
    run1(M_VS, LI_A0(1), 0, 0);
    CHECK(177, hv_info.cause == (IRQ | 1) && (hv_info.hstatus & HSTATUS_SPV));
    csr_clear(sip, 2);
    csr_clear(sie, 2);
    csr_write(hvip, 0);
    /* vsstatus.SIE gates VS, not VU; vsie gates both */
    csr_write(hideleg, VS_BITS);
    csr_write(hie, VS_BITS);
    csr_write(vsstatus, FS_INITIAL);
    csr_write(hvip, 4);
    v = run1(M_VS, LI_A0(3), 0, 0);
    ok(178, M_VS);
    CHECK(178, v == 3);
    vs_info.cause = -1UL;
    run1(M_VU, LI_A0(3), 0, 0);
    ok(178, M_VS);
    CHECK(178, hv_info.a0 == VS_MAGIC && vs_info.cause == (IRQ | 1));
    CHECK(178, !(vs_info.status & MSTATUS_SPP) && vs_info.epc == buf_pc(M_VU));
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    csr_write(hie, 0x440);
    v = run1(M_VS, LI_A0(4), 0, 0);
    ok(178, M_VS);
    CHECK(178, v == 4);
    /* delegated VS interrupts are never taken in HS, even with SIE */
    csr_write(hie, VS_BITS);
    csr_write(hvip, VS_BITS);
    v = run(M_HS, probe_hs_sie, 0, 0);
    ok(179, M_HS);
    CHECK(179, v == 7);
    /* not delegated: taken in HS when sstatus.SIE = 1 */
    csr_write(hideleg, 0);
    csr_write(hvip, 4);
    run(M_HS, probe_hs_sie, 0, 0);
    CHECK(179, hv_info.cause == (IRQ | 2) && !hv_info.in_m);
    CHECK(179, !(hv_info.hstatus & HSTATUS_SPV));
    CHECK(179, hv_info.epc > (uint64_t)probe_hs_sie &&
               hv_info.epc < (uint64_t)probe_hs_sie + 16);
    csr_write(hvip, 0);
    /* VS-level interrupts are disabled in U (V = 0) */
    csr_write(hideleg, VS_BITS);
    csr_write(hie, VS_BITS);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    csr_write(hvip, 4);
    v = run1(M_U, LI_A0(6), 0, 0);
    ok(179, M_U);
    CHECK(179, v == 6);
    csr_write(hvip, 0);
    /* VS raises its own software interrupt through sip: taken right after
     * the CSR write */
    vs_info.cause = -1UL;
    run_seq(M_VS, (uint32_t[]){ 0x14416073u /* csrsi sip, 2 */, LI_A0(2) }, 2,
            0, 0);
    ok(182, M_VS);
    CHECK(182, vs_info.cause == (IRQ | 1) && vs_info.epc == buf_pc(M_VS) + 4);
    CHECK(182, csr_read(hvip) == 4);
    csr_write(hvip, 0);
    /* WFI in VS wakes on a pending VS interrupt even with vsstatus.SIE = 0 */
    csr_write(vsstatus, FS_INITIAL);
    csr_write(hvip, 4);
    v = run(M_VS, probe_wfi, 0, 0);
    ok(183, M_VS);
    CHECK(183, v == 5);
    csr_write(hvip, 0);
    /* an HS-level interrupt is taken from VS whatever HS's SIE */
    csr_write(hideleg, 0);
    csr_write(hie, 0);
    csr_set(sie, 2);
    csr_set(sip, 2);
    run1(M_VS, LI_A0(1), 0, 0);
    CHECK(184, hv_info.cause == (IRQ | 1) && !hv_info.in_m);
    CHECK(184, (hv_info.hstatus & HSTATUS_SPV) && hv_info.epc == buf_pc(M_VS));
    csr_clear(sip, 2);
    csr_clear(sie, 2);
    /* ... but not when VSSI is not delegated (vsip.SSIP read-only 0) */
    csr_write(hideleg, 0);
    run1(M_VS, 0x14416073u /* csrsi sip, 2 */, 0, 0);
    ok(182, M_VS);
    CHECK(182, csr_read(hvip) == 0);
    /* VS clears its software interrupt through sip */
    csr_write(hideleg, VS_BITS);
    csr_write(vsstatus, FS_INITIAL);
    csr_write(hvip, 4);
    {
        uint32_t seq[2] = { CSRCI(CSR_SIP, 2), CSRR(CSR_SIP) };
        v = run_seq(M_VS, seq, 2, 0, 0);
        ok(180, M_VS);
        CHECK(180, v == 0 && csr_read(hvip) == 0);
    }
    csr_write(hie, 0);
    csr_write(hideleg, 0);
    /* htimedelta is added to time read in VS / VU */
    csr_write(htimedelta, 1UL << 44);
    t0 = csr_read(time);
    v = run1(M_VS, W(I_RDTIME), 0, 0);
    t1 = csr_read(time);
    ok(181, M_VS);
    CHECK(181, (uint64_t)v >= t0 + (1UL << 44) && (uint64_t)v <= t1 + (1UL << 44));
    csr_write(htimedelta, -(t0 + 1000000));       /* wraps */
    v = run1(M_VU, W(I_RDTIME), 0, 0);
    ok(181, M_VU);
    CHECK(181, (uint64_t)v >= (uint64_t)-1000000);
    csr_write(htimedelta, 0);
}

/* ======================================================================
 * Sstc: vstimecmp
 * ==================================================================== */
#define CSR_VSTIMECMP_READ() csr_read(0x24d)
#define CSR_VSTIMECMP_WRITE(v) csr_write(0x24d, (v))

/* let `time` advance (Spike re-evaluates VSTIP with htimedelta only on a
 * tick; the relation must hold at any time anyway) */
static void wait_ticks(uint64_t n)
{
    uint64_t t0 = csr_read(time);
    while (csr_read(time) - t0 < n)
        ;
}

static void test_sstc(void)
{
    long v;

    if (!has_sstc) {
        rv_puts("hyp: no Sstc, vstimecmp checks skipped\n");
        return;
    }
    reset_state();
    csr_write(henvcfg, ENVCFG_STCE);
    CSR_VSTIMECMP_WRITE(-1L);
    CHECK(185, (csr_read(hip) & 0x40) == 0);
    CSR_VSTIMECMP_WRITE(0);                       /* time + delta >= 0 */
    CHECK(185, (csr_read(hip) & 0x40) == 0x40);
    CHECK(185, (csr_read(hvip) & 0x40) == 0);
    csr_write(htimedelta, -(csr_read(time) + (1UL << 40)));
    CSR_VSTIMECMP_WRITE(1UL << 62);               /* (time + delta) wraps */
    wait_ticks(2);
    CHECK(186, (csr_read(hip) & 0x40) == 0x40);
    csr_write(htimedelta, 0);
    CSR_VSTIMECMP_WRITE(-1L);
    CHECK(186, (csr_read(hip) & 0x40) == 0);
    /* VS writes stimecmp -> vstimecmp */
    run1(M_VS, CSRW(CSR_STIMECMP), 0, 0);
    ok(187, M_VS);
    CHECK(187, CSR_VSTIMECMP_READ() == 0 && (csr_read(hip) & 0x40));
    v = run1(M_VS, CSRR(CSR_STIMECMP), 0, 0);
    ok(187, M_VS);
    CHECK(187, v == 0);
    /* delivered to VS as STI */
    csr_write(hideleg, VS_BITS);
    csr_write(hie, 0x40);
    csr_write(vsstatus, FS_INITIAL | MSTATUS_SIE);
    run1(M_VS, LI_A0(1), 0, 0);
    ok(188, M_VS);
    CHECK(188, vs_info.cause == (IRQ | 5));
    csr_write(hie, 0);
    csr_write(hideleg, 0);
#ifndef SPIKE_QUIRKS
    /* menvcfg.STCE = 0: henvcfg.STCE reads 0 and hip.VSTIP is hvip.VSTIP
     * (priv machine.adoc, menvcfg.STCE).  Spike keeps the latched bit. */
    m_call(m_menvcfg_clear, ENVCFG_STCE, 0, 0);
    CHECK(190, (csr_read(henvcfg) & ENVCFG_STCE) == 0);
    CHECK(190, (csr_read(hip) & 0x40) == 0);
    m_call(m_menvcfg_set, ENVCFG_STCE, 0, 0);
    csr_write(henvcfg, ENVCFG_STCE);
#endif
    /* a VS kernel re-arming its own timer (stimecmp -> vstimecmp, compared
     * with time + htimedelta).  (Not across a wrap of time + htimedelta: a
     * coarse time step may legally jump over the deadline there.) */
    csr_write(hideleg, VS_BITS);
    csr_write(htimedelta, 0x7000000000000000UL);
    v = run(M_VS, probe_vs_timer, 4, 0);
    ok(191, M_VS);
    CHECK(191, v >= 4 && vs_tick_cause == (IRQ | 5));
    csr_write(htimedelta, 0);
    CSR_VSTIMECMP_WRITE(-1L);
    csr_write(hideleg, 0);
    csr_write(vsie, 0);
    csr_write(hie, 0);
    /* gating: hcounteren.TM and henvcfg.STCE */
    csr_write(hcounteren, 5);
    expect_virt(189, M_VS, CSRR(CSR_STIMECMP));
    csr_write(hcounteren, 7);
    csr_write(henvcfg, 0);
    expect_virt(189, M_VS, CSRR(CSR_STIMECMP));
#ifndef SPIKE_QUIRKS
    /* STCE = 0: hip.VSTIP is hvip.VSTIP again (priv hypervisor.adoc,
     * henvcfg.STCE).  Spike keeps the bit vstimecmp set. */
    CHECK(189, (csr_read(hip) & 0x40) == 0);
#endif
    CSR_VSTIMECMP_WRITE(-1L);
}

/* ======================================================================
 * Sv48x4 G stage
 * ==================================================================== */
static void test_sv48x4(void)
{
    long v;
    uint64_t h48 = (9UL << 60) | (pa(groot48) >> 12);

    reset_state();
    /* VS stage Sv48 over the Sv39x4 G stage */
    csr_write(vsatp, (9UL << 60) | (pa(vsroot48) >> 12));
    CHECK(199, (csr_read(vsatp) >> 60) == 9);
    v = run(M_VS, probe_ld, (1UL << 46) + 40, 0);
    ok(199, M_VS);
    CHECK(199, v == (long)pg64(1)[5]);
    run(M_VS, probe_ld, (1UL << 46) + 4096, 0);
    gvpf(199, C_LOAD_PF, (1UL << 46) + 4096);
    csr_write(vsatp, 0);
    csr_write(hgatp, h48);
    CHECK(200, csr_read(hgatp) == h48);
    v = run(M_VS, probe_ld, pa(&pg64(7)[9]), 0);
    ok(201, M_VS);
    CHECK(201, v == (long)pg64(7)[9]);
    v = run(M_VS, probe_ld, (1UL << 45) + 24, 0);  /* beyond Sv39x4 */
    ok(202, M_VS);
    CHECK(202, v == (long)pg64(0)[3]);
    v = run(M_VS, probe_ld, (3UL << 48) + 32, 0);  /* top root index bits */
    ok(202, M_VS);
    CHECK(202, v == (long)pg64(1)[4]);
    run(M_VS, probe_ld, (1UL << 50) + 8, 0);
    gpf(203, C_LOAD_GPF, (1UL << 50) + 8, (1UL << 50) + 8, W(I_LD));
    run(M_VS, probe_ld, (1UL << 45) + 4096, 0);    /* not mapped */
    gpf(203, C_LOAD_GPF, (1UL << 45) + 4096, (1UL << 45) + 4096, W(I_LD));
    csr_write(hgatp, hgatp_main());
}

/* ======================================================================
 * set-up of the translation tables (HS)
 * ==================================================================== */
static void build_tables(void)
{
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 512; j++)
            pg64(i)[j] = 0x1111111111111111UL * (i + 1) + j;
    codepg[0] = ECALL;
    codepg2[0][0] = LI_A0(1);
    codepg2[0][1] = ECALL;
    codepg2[1][0] = LI_A0(2);
    codepg2[1][1] = ECALL;
    ((uint16_t *)codepg)[2047] = 0x0513;            /* addi a0, a0, ... */

    /* G stage, Sv39x4 */
    gmap(groot, 3, RAM, RAM, 2, PTE_U | PTE_R | PTE_W | PTE_X | AD);
    gmap(groot, 3, GHI, RAM, 2, PTE_U | PTE_R | AD);
    gmap(groot, 3, g(0), pa(pages[0]), 0, PTE_U | PTE_R | PTE_W | AD);
    gmap(groot, 3, g(1), pa(pages[1]), 0, PTE_U | PTE_R | PTE_A);
    gmap(groot, 3, g(2), pa(pages[2]), 0, PTE_U | PTE_X | PTE_A);
    gmap(groot, 3, g(3), pa(pages[3]), 0, PTE_R | PTE_W | AD);
    *gpte(groot, 3, g(4), 0) = 0;
    gmap(groot, 3, g(5), pa(codepg), 0, PTE_U | PTE_R | PTE_X | PTE_A);
    gmap(groot, 3, g(6), pa(pages[4]), 0, PTE_U | PTE_R | PTE_A);
    gmap(groot, 3, g(7), pa(vsl0_ro), 0, PTE_U | PTE_R | PTE_A);
    *gpte(groot, 3, g(8), 0) = 0;
    gmap(groot, 3, g(9), pa(vsl0_ok), 0, PTE_U | PTE_R | PTE_W | AD);
    gmap(groot, 3, g(10), pa(pages[6]), 0, PTE_U | PTE_R | PTE_A);
    gmap(groot, 3, g(12), 0x70000000UL, 0, PTE_U | PTE_R | PTE_W | AD);
    gmap(groot, 3, g(13), pa(vsl0_x), 0, PTE_U | PTE_X | PTE_A);
    *gpte(groot, 3, g(14), 0) = pte(pa(pages[0]), PTE_V | PTE_U | PTE_R | AD) |
                                (1UL << 62);        /* PBMT = NC */
    gmap(groot, 3, g(15), pa(pages[0]), 0, PTE_U | PTE_W | AD);
    gmap(groot, 3, TG + 4 * MB2, pa(pages[0]), 1, PTE_U | PTE_R | AD);
    gmap(groot, 3, TG + 6 * MB2, RAM, 1, PTE_U | PTE_R | AD);
    /* second guest (VMID test) */
    gmap(groot_b, 3, RAM, RAM, 2, PTE_U | PTE_R | PTE_W | PTE_X | AD);
    gmap(groot_b, 3, g(10), pa(pages[7]), 0, PTE_U | PTE_R | PTE_A);
    /* Sv48x4 */
    gmap(groot48, 4, RAM, RAM, 2, PTE_U | PTE_R | PTE_W | PTE_X | AD);
    gmap(groot48, 4, 1UL << 45, pa(pages[0]), 0, PTE_U | PTE_R | AD);
    gmap(groot48, 4, 3UL << 48, pa(pages[1]), 0, PTE_U | PTE_R | AD);

    /* VS stage, Sv39 (tables at GPA = PA in RAM) */
    vmap(RAM, RAM, 2, PTE_R | PTE_W | PTE_X | AD);
    vmap(RAM + U_OFF, RAM, 2, PTE_U | PTE_R | PTE_W | PTE_X | AD);
    vmap(t(0), g(0), 0, PTE_R | PTE_W | AD);
    vmap(t(1), g(0), 0, PTE_U | PTE_R | PTE_W | AD);
    vmap(t(2), g(4), 0, PTE_R | PTE_W | AD);
    vmap(t(3), pa(pages[2]), 0, PTE_X | PTE_A);
    vmap(t(4), g(2), 0, PTE_R | PTE_A);
    *vpte(t(5), 0) = 0;
    vmap(t(6), g(0), 0, PTE_R | PTE_W);             /* A = D = 0 */
    vmap(t(7), g(0), 0, PTE_R | PTE_A);
    vmap(t(8), g(1), 0, PTE_X | PTE_A);
    vmap(t(9), g(1), 0, PTE_R | PTE_W | AD);
    vmap(t(10), g(5), 0, PTE_X | PTE_A);
    vmap(t(11), g(3), 0, PTE_R | PTE_W | AD);
    *vpte(T2, 1) = pte(g(8), PTE_V);                /* L0 table unmapped */
    *vpte(T3, 1) = pte(g(7), PTE_V);                /* L0 table read-only */
    vsl0_ro[3] = pte(g(0), PTE_V | PTE_R | PTE_W);  /* A = 0 */
    *vpte(T4, 1) = pte(g(9), PTE_V);
    vsl0_ok[1] = pte(g(1), PTE_V | PTE_R | PTE_A);
    vmap(T5, TG, 1, PTE_R | PTE_A);                 /* 2 MiB -> g(0..511) */
    *vpte(T6, 1) = pte(g(13), PTE_V);               /* L0 table X-only in G */
    vmap(t(16), g(16), 0, PTE_X | PTE_A);
    gmap(groot, 3, g(16), pa(codepg2[0]), 0, PTE_U | PTE_X | PTE_A);
    gmap(groot, 3, g(17), pa(codepg2[1]), 0, PTE_U | PTE_X | PTE_A);
    vsl0_x[2] = pte(g(0), PTE_V | PTE_R | PTE_A);
    vmap(t(13), g(0), 0, PTE_R | PTE_W);            /* A = D = 0 */
    vmap(t(14), g(5), 0, PTE_U | PTE_X | PTE_A);
    *vpte48(RAM, 2) = pte(RAM, PTE_V | PTE_R | PTE_W | PTE_X | AD);
    *vpte48(1UL << 46, 0) = pte(g(1), PTE_V | PTE_R | PTE_A);
    vmap(t(15), 1UL << 42, 0, PTE_R | PTE_A);
    __asm__ volatile("fence rw, rw; fence.i" ::: "memory");
}

static void hs_main(void)
{
    csr_write(stvec, (uint64_t)hs_trap);
    csr_write(satp, 0);
    csr_clear(sstatus, MSTATUS_SIE);
    build_tables();
    test_h_csrs();
    test_vs_alias();
    test_fp();
    test_gstage();
    test_vsstage();
    test_hlv();
    test_hfence();
    test_vmid();
    test_virtual();
    test_ecall_deleg();
    test_irq();
    test_sstc();
    test_sv48x4();
    rv_puts("hyp: all checks passed (");
    rv_putdec(nchecks);
    rv_puts(" conditions; Sstc ");
    rv_puts(has_sstc ? "yes" : "no");
    rv_puts(", Svadu ");
    rv_puts(has_svadu ? "yes" : "no");
    rv_puts(")\n");
    rv_exit(0);
}

/* ======================================================================
 * M mode
 * ==================================================================== */
int main(void)
{
    uint64_t v;

    csr_write(mtvec, (uint64_t)m_trap);
    csr_write(pmpaddr0, -1L);
    csr_write(pmpcfg0, 0x1f);
    CHECK(1, csr_read(misa) & (1UL << 7));
    /* mideleg: VSSIP / VSTIP / VSEIP read-only 1 */
    csr_write(mideleg, 0);
    CHECK(2, (csr_read(mideleg) & VS_BITS) == VS_BITS);
    csr_write(mideleg, 0x222);
    CHECK(2, (csr_read(mideleg) & (VS_BITS | 0x222)) == (VS_BITS | 0x222));
    /* medeleg: everything HS handles, incl. 10 and 20-23 */
    medeleg_all = 0x1ffUL | (1UL << C_ECALL_VS) | (1UL << C_FETCH_PF) |
                  (1UL << C_LOAD_PF) | (1UL << C_STORE_PF) | (0xfUL << 20);
    csr_write(medeleg, medeleg_all);
    CHECK(3, (csr_read(medeleg) & (0xfUL << 20)) == (0xfUL << 20));
    CHECK(3, csr_read(medeleg) & (1UL << C_ECALL_VS));
    /* mstatus.MPV and GVA are writable */
    csr_set(mstatus, MSTATUS_MPV | MSTATUS_GVA);
    CHECK(4, (csr_read(mstatus) & (MSTATUS_MPV | MSTATUS_GVA)) ==
             (MSTATUS_MPV | MSTATUS_GVA));
    csr_clear(mstatus, MSTATUS_MPV | MSTATUS_GVA);
    CHECK(4, (csr_read(mstatus) & (MSTATUS_MPV | MSTATUS_GVA)) == 0);
    /* mtval2 / mtinst exist and hold what is written (WARL: 0 is legal) */
    csr_write(mtval2, 0);
    csr_write(mtinst, 0);
    CHECK(5, csr_read(mtval2) == 0 && csr_read(mtinst) == 0);
    /* what menvcfg offers */
    csr_set(menvcfg, ENVCFG_STCE | ENVCFG_ADUE | ENVCFG_PBMTE);
    v = csr_read(menvcfg);
    has_sstc = !!(v & ENVCFG_STCE);
    has_svadu = !!(v & ENVCFG_ADUE);
    has_pbmt = !!(v & ENVCFG_PBMTE);
    csr_clear(menvcfg, ENVCFG_PBMTE);
    if (has_sstc) {                     /* no timer interrupts to start with */
        csr_write(0x14d, -1L);          /* stimecmp */
        csr_write(0x24d, -1L);          /* vstimecmp */
    }
    /* counters visible to HS / VS; interrupts off */
    csr_write(mcounteren, -1L);
    csr_write(mie, 0);
    csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
    m_to_hs(hs_main);
}
