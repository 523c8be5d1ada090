/*
 * kvm_sbi: an S-mode payload that exercises every SBI extension a KVM guest
 * sees, checking the answers against the SBI spec v3.0 and Linux's KVM
 * (../shared/reference/kvm-riscv-facts.md section 7, spec-facts.md section 1).
 * Run it with `rvemu run --kvm guests/kvm/kvm_sbi.elf [--vcpus 2]`.
 *
 * Where the spec and Linux's KVM differ, the guest expects KVM's answer when
 * get_impl_id says KVM (3) and the spec's otherwise (noted "KVM:" below).
 *
 * Checks (the number is printed and the guest shuts down through SRST with
 * reason "system failure" when one fails):
 *   1-19    BASE: spec version 3.0, impl id, impl version, machine ids,
 *           probe of every extension (present and absent ones, the legacy
 *           range, experimental/vendor/firmware ranges), unknown EID / FID
 *   20-29   DBCN: console_write, write_byte, read with no input, bad buffer
 *   30-49   TIME: set_timer -> S-timer interrupt in our handler (stvec,
 *           sie.STIE, wfi), pending cleared by a future deadline, STIP set
 *           by a past one, legacy set_timer (a1 preserved)
 *   50-59   IPI: to itself (SSIP taken), hart_mask_base -1, bad masks
 *   60-69   RFENCE: remote fence.i (self-modifying code), sfence.vma (all,
 *           range, ASID), the HFENCE calls are NOT_SUPPORTED
 *   70-89   HSM: status of itself / of a missing hart, start of itself / of a
 *           missing hart, retentive suspend woken by the timer, bad types
 *   90-99   STA: set_shmem and its errors
 *   100-129 with a second vCPU: hart_start at kvm_secondary_entry (a0 = id,
 *           a1 = opaque, SIE = 0, satp = 0), report through memory, hart_stop
 *           -> status STOPPED, steal time seen by the first vCPU, a second
 *           start whose IPI wakes the first vCPU from wfi (not its far timer:
 *           time goes on only as the other vCPU runs), the same Sstc state after
 *           the second reset, each vCPU's f registers and fflags kept apart
 *   130-139 FWFT: misaligned delegation get/set, errors, LOCK
 *   140-149 SRST: reserved type, unknown FID; the end is shutdown, reason 0
 *   150-159 legacy v0.1: console putchar/getchar (a1 preserved), send_ipi
 *           through a hart-mask pointer, clear_ipi, remote fences
 */
#include "kvm_guest.h"

volatile long cur_check;

#define MAX_HARTS 2
static volatile uint64_t n_timer[MAX_HARTS], n_ssip[MAX_HARTS], n_illegal[MAX_HARTS];
static volatile int expect_illegal[MAX_HARTS];
static long impl_id;

static inline long hart(void)
{
    long tp;
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    return tp;
}

void trap_handler(struct frame *f)
{
    long h = hart() & 1;
    uint64_t cause = f->scause;
    if (cause & CAUSE_INTR) {
        switch (cause & 0xff) {
        case IRQ_S_TIMER:
            n_timer[h]++;
            sbi_call(EID_TIME, 0, -1L, 0, 0);      /* also clears the pending STIP */
            return;
        case IRQ_S_SOFT:
            n_ssip[h]++;
            csr_clear(sip, SIP_SSIP);
            return;
        }
    } else if (cause == CAUSE_ILLEGAL && expect_illegal[h]) {
        n_illegal[h]++;
        f->sepc += insn_len(f->sepc);
        return;
    }
    rv_puts("unexpected trap on hart ");
    rv_putdec(h);
    say_hex(": scause=", cause);
    say_hex(" sepc=", f->sepc);
    say_hex(" stval=", f->stval);
    say_dec(" check=", cur_check);
    rv_putc('\n');
    rv_fail(cur_check ? cur_check : 0xfff);
}

/* ---- BASE ------------------------------------------------------------------ */
struct probe { long eid; long present; const char *name; };

static void check_base(void)
{
    struct sbiret r;
    r = sbi_call(EID_BASE, 0, 0, 0, 0);
    T(1, r.error == 0);
    T(2, r.value == 0x03000000);                  /* KVM_SBI_VERSION 3.0 (Linux 6.18+) */
    r = sbi_call(EID_BASE, 1, 0, 0, 0);
    T(3, r.error == 0);
    impl_id = r.value;
    T(4, impl_id == SBI_IMPL_KVM);
    r = sbi_call(EID_BASE, 2, 0, 0, 0);
    T(5, r.error == 0 && r.value != 0);           /* LINUX_VERSION_CODE */
    say_hex("base: spec ", 0x03000000);
    say_dec(", impl id ", impl_id);
    say_hex(", impl version ", r.value);
    for (int fid = 4; fid <= 6; fid++) {          /* mvendorid, marchid, mimpid */
        r = sbi_call(EID_BASE, fid, 0, 0, 0);
        T(6, r.error == 0);
        say_hex(fid == 4 ? ", mvendorid " : fid == 5 ? ", marchid " : ", mimpid ", r.value);
    }
    rv_putc('\n');

    static const struct probe probes[] = {
        { EID_BASE, 1, "BASE" }, { EID_TIME, 1, "TIME" }, { EID_IPI, 1, "IPI" },
        { EID_RFENCE, 1, "RFENCE" }, { EID_HSM, 1, "HSM" }, { EID_SRST, 1, "SRST" },
        { EID_PMU, 1, "PMU" }, { EID_DBCN, 1, "DBCN" },   /* the VMM enables DBCN */
        { EID_STA, 1, "STA" }, { EID_FWFT, 1, "FWFT" },
        { EID_SUSP, 0, "SUSP" },              /* KVM: disabled unless the VMM enables it */
        { EID_MPXY, 0, "MPXY" }, { EID_NACL, 0, "NACL" }, { EID_SSE, 0, "SSE" },
        { EID_CPPC, 0, "CPPC" }, { EID_DBTR, 0, "DBTR" },
        { 0x0, 1, "legacy set_timer" }, { 0x1, 1, "legacy putchar" },
        { 0x8, 1, "legacy shutdown" }, { 0x9, 0, "reserved 0x9" }, { 0xF, 0, "reserved 0xF" },
        { 0x08000000, 0, "experimental" },    /* KVM forwards this probe to the VMM */
        { 0x09000000, 0, "vendor" }, { 0x0A000000, 0, "firmware-specific" },
        { 0x12345678, 0, "unknown" },
    };
    rv_puts("base: probe");
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        r = sbi_call(EID_BASE, 3, probes[i].eid, 0, 0);
        if (r.error != 0 || (r.value != 0) != probes[i].present) {
            say_hex("\nprobe of ", probes[i].eid);
            rv_puts(" (");
            rv_puts(probes[i].name);
            say_dec(") gave error ", -r.error);
            say_dec(" value ", r.value);
            rv_putc('\n');
        }
        T(7, r.error == 0);                       /* BASE never returns an error */
        T(8, (r.value != 0) == probes[i].present);
        if (probes[i].present) {
            rv_putc(' ');
            rv_puts(probes[i].name);
        }
    }
    rv_putc('\n');
    r = sbi_call(EID_BASE, 7, 0, 0, 0);           /* no such BASE function */
    T(9, r.error == SBI_ERR_NOT_SUPPORTED);
    r = sbi_call(0x12345678, 0, 0, 0, 0);         /* no such extension */
    T(10, r.error == SBI_ERR_NOT_SUPPORTED);
    r = sbi_call(EID_SUSP, 0, 0, 0, 0);           /* a disabled one answers the same */
    T(11, r.error == SBI_ERR_NOT_SUPPORTED);
    r = sbi_call(EID_NACL, 0, 0, 0, 0);           /* never offered to guests */
    T(12, r.error == SBI_ERR_NOT_SUPPORTED);
}

/* ---- DBCN ------------------------------------------------------------------ */
static void check_dbcn(void)
{
    static const char msg[] = "dbcn: console_write ok\n";
    static char inbuf[16];
    struct sbiret r;
    r = sbi_call(EID_DBCN, 0, sizeof(msg) - 1, (long)msg, 0);
    T(20, r.error == 0 && r.value == sizeof(msg) - 1);
    r = sbi_call(EID_DBCN, 2, 'd', 0, 0);
    T(21, r.error == 0 && r.value == 0);
    r = sbi_call(EID_DBCN, 2, '\n', 0, 0);
    T(21, r.error == 0);
    r = sbi_call(EID_DBCN, 1, sizeof(inbuf), (long)inbuf, 0);   /* nothing typed */
    T(22, r.error == 0 && r.value == 0);
    r = sbi_call(EID_DBCN, 0, 8, 0x1000, 0);      /* not guest memory: INVALID_PARAM */
    T(23, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_DBCN, 3, 0, 0, 0);
    T(24, r.error == SBI_ERR_NOT_SUPPORTED);
}

/* ---- TIME ------------------------------------------------------------------ */
static void check_time(long h)
{
    struct sbiret r;
    long a1;
    uint64_t t0 = rdtime(), t1;
    T(30, rdtime() >= t0);
    n_timer[h] = 0;
    r = sbi_call(EID_TIME, 0, t0 + 2000, 0, 0);
    T(31, r.error == 0);
    csr_set(sie, SIP_STIP);
    csr_set(sstatus, SSTATUS_SIE);
    for (int i = 0; i < 1000 && !n_timer[h]; i++)
        __asm__ volatile("wfi");
    csr_clear(sstatus, SSTATUS_SIE);
    T(32, n_timer[h] == 1);                       /* taken exactly once */
    t1 = rdtime();
    T(33, t1 >= t0 + 2000);                       /* not before the deadline */
    T(34, !(csr_read(sip) & SIP_STIP));           /* the handler's set_timer(-1) cleared it */
    say_dec("time: S-timer interrupt taken after ", t1 - t0);
    rv_puts(" ticks\n");

    /* a deadline in the past makes STIP pending (interrupts masked) */
    r = sbi_call(EID_TIME, 0, rdtime(), 0, 0);
    T(35, r.error == 0);
    int seen = 0;
    for (int i = 0; i < 200000 && !seen; i++)
        seen = (csr_read(sip) & SIP_STIP) != 0;
    T(36, seen);
    T(37, n_timer[h] == 1);                       /* SIE = 0: not taken */
    /* a deadline in the future clears it at once (SBI spec: set_timer) */
    r = sbi_call(EID_TIME, 0, rdtime() + 100000000UL, 0, 0);
    T(38, r.error == 0 && !(csr_read(sip) & SIP_STIP));
    /* the legacy set_timer: a0 = 0, a1 left alone (KVM: v0.1 calls keep a1) */
    long ret = sbi_legacy(0x0, -1L, &a1);
    T(39, ret == 0 && a1 == 0x5a5a5a5a);
    T(40, !(csr_read(sip) & SIP_STIP));
    r = sbi_call(EID_TIME, 1, 0, 0, 0);
    T(41, r.error == SBI_ERR_NOT_SUPPORTED);
    csr_clear(sie, SIP_STIP);
}

/* ---- IPI ------------------------------------------------------------------- */
static void check_ipi(long h)
{
    struct sbiret r;
    n_ssip[h] = 0;
    csr_set(sie, SIP_SSIP);
    csr_set(sstatus, SSTATUS_SIE);
    r = sbi_call(EID_IPI, 0, 1UL << h, 0, 0);
    T(50, r.error == 0);
    T(51, n_ssip[h] == 1);                        /* taken right after the ecall */
    r = sbi_call(EID_IPI, 0, 1, h, 0);            /* bit 0 relative to base = this hart */
    T(52, r.error == 0 && n_ssip[h] == 2);
    r = sbi_call(EID_IPI, 0, 0, -1L, 0);          /* base -1: every hart */
    T(53, r.error == 0 && n_ssip[h] == 3);
    csr_clear(sstatus, SSTATUS_SIE);
    r = sbi_call(EID_IPI, 0, (1UL << h) | (1UL << 20), 0, 0);   /* hart 20 does not exist */
    T(54, r.error == SBI_ERR_INVALID_PARAM);
    T(55, (csr_read(sip) & SIP_SSIP) != 0);       /* ... but the existing target got it */
    csr_clear(sip, SIP_SSIP);
    T(55, !(csr_read(sip) & SIP_SSIP));
    r = sbi_call(EID_IPI, 0, 1, 20, 0);
    T(56, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_IPI, 1, 0, 0, 0);
    T(57, r.error == SBI_ERR_NOT_SUPPORTED);
    T(58, n_ssip[h] == 3);
    csr_clear(sie, SIP_SSIP);
    say("ipi: self IPIs taken as SSIP\n");
}

/* ---- RFENCE ---------------------------------------------------------------- */
static uint32_t code[4] __attribute__((aligned(16)));

static void check_rfence(long h)
{
    struct sbiret r;
    long (*fn)(void) = (long (*)(void))(uintptr_t)code;
    code[0] = 0x00100513;                         /* li a0, 1 */
    code[1] = 0x00008067;                         /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    T(60, fn() == 1);
    code[0] = 0x00200513;                         /* li a0, 2 */
    __asm__ volatile("fence w, w" ::: "memory");
    r = sbi_call(EID_RFENCE, 0, 1UL << h, 0, 0);  /* remote_fence_i to this hart */
    T(61, r.error == 0);
    T(62, fn() == 2);
    r = sbi_call(EID_RFENCE, 0, 0, -1L, 0);       /* every hart */
    T(63, r.error == 0);
    r = sbi_call6(EID_RFENCE, 1, 1UL << h, 0, 0, 0, 0, 0);         /* sfence.vma, all */
    T(64, r.error == 0);
    r = sbi_call6(EID_RFENCE, 1, 1UL << h, 0, 0x80200000, 0x2000, 0, 0);  /* a range */
    T(65, r.error == 0);
    r = sbi_call6(EID_RFENCE, 2, 1UL << h, 0, 0, -1L, 1, 0);       /* ASID 1, all */
    T(66, r.error == 0);
    for (int fid = 3; fid <= 7; fid++) {          /* HFENCE_*: no nested virtualization */
        r = sbi_call6(EID_RFENCE, fid, 1UL << h, 0, 0, 0, 0, 0);
        T(67, r.error == SBI_ERR_NOT_SUPPORTED);
    }
    say("rfence: fence.i, sfence.vma ok\n");
}

/* ---- HSM ------------------------------------------------------------------- */
static void check_hsm(long h)
{
    struct sbiret r;
    r = sbi_call(EID_HSM, 2, h, 0, 0);
    T(70, r.error == 0 && r.value == 0);          /* STARTED */
    r = sbi_call(EID_HSM, 0, h, (long)kvm_secondary_entry, 0);
    T(71, r.error == SBI_ERR_ALREADY_AVAILABLE);
    r = sbi_call(EID_HSM, 0, 20, (long)kvm_secondary_entry, 0);
    T(72, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_HSM, 2, 20, 0, 0);
    /* spec: INVALID_PARAM.  KVM: (0, 0) -- its error path never sets err_val */
    if (impl_id == SBI_IMPL_KVM)
        T(73, r.error == 0 && r.value == 0);
    else
        T(73, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_HSM, 3, 0x80000000L, 0, 0);  /* default non-retentive */
    T(74, r.error == SBI_ERR_NOT_SUPPORTED);
    r = sbi_call(EID_HSM, 3, 0x1, 0, 0);          /* reserved type */
    T(75, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_HSM, 4, 0, 0, 0);
    T(76, r.error == SBI_ERR_NOT_SUPPORTED);

    /* retentive suspend: returns SUCCESS once an enabled interrupt is pending
       (here the timer, with sstatus.SIE = 0 so it is not taken) */
    uint64_t t0 = rdtime();
    csr_set(sie, SIP_STIP);
    r = sbi_call(EID_TIME, 0, t0 + 5000, 0, 0);
    T(77, r.error == 0);
    r = sbi_call(EID_HSM, 3, 0, 0, 0);
    T(78, r.error == 0);
    uint64_t t1 = rdtime();
    int pending = 0;
    for (int i = 0; i < 200000 && !pending; i++)  /* pending by now, or very soon */
        pending = (csr_read(sip) & SIP_STIP) != 0;
    T(79, pending);
    T(80, rdtime() >= t0 + 5000);
    sbi_call(EID_TIME, 0, -1L, 0, 0);
    T(81, !(csr_read(sip) & SIP_STIP));
    csr_clear(sie, SIP_STIP);
    say_dec("hsm: retentive suspend returned after ", t1 - t0);
    rv_puts(" ticks\n");
}

/* ---- STA ------------------------------------------------------------------- */
struct sta { volatile uint32_t sequence, flags; volatile uint64_t steal;
             volatile uint8_t preempted, pad[47]; };
static struct sta sta __attribute__((aligned(64)));
static int sta_on;

static void check_sta(void)
{
    struct sbiret r;
    sta.sequence = 77;
    sta.steal = 12345;
    r = sbi_call(EID_STA, 0, (long)&sta, 0, 0);
    T(90, r.error == 0);
    T(91, sta.sequence == 0 && sta.steal == 0 && sta.flags == 0);   /* zeroed */
    r = sbi_call(EID_STA, 0, (long)&sta + 8, 0, 0);   /* not 64-byte aligned */
    T(92, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_STA, 0, (long)&sta, 0, 1);       /* flags must be 0 */
    T(93, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_STA, 0, (long)&sta, 1, 0);       /* hi != 0 on RV64 */
    T(94, r.error == SBI_ERR_INVALID_ADDRESS);
    r = sbi_call(EID_STA, 0, 0x1000, 0, 0);           /* not guest memory */
    T(95, r.error == SBI_ERR_INVALID_ADDRESS);
    r = sbi_call(EID_STA, 1, 0, 0, 0);
    T(96, r.error == SBI_ERR_NOT_SUPPORTED);
    /* the failed calls left the registered area in place */
    T(97, (sta.sequence & 1) == 0);
    sta_on = 1;
    say("sta: shared memory set\n");
}

/* ---- a second vCPU --------------------------------------------------------- */
#define OPAQUE1 0x5ec0000000000001L
#define OPAQUE2 0x5ec0000000000002L
#define MAGIC 0xc0ffee

struct report {
    volatile uint64_t magic, hartid, opaque, sstatus, satp;
    volatile uint64_t stimecmp, stimecmp_trapped, own_status, other_status, stop_err;
    volatile uint64_t fp_bad;
};
#define FP_SEED0 0x4000000000000000UL
#define FP_SEED1 0x7ff0000000000100UL
static struct report rep[3];

void secondary_main(long hartid, long opaque)
{
    uint64_t sstatus = csr_read(sstatus);
    uint64_t satp = csr_read(satp);
    struct report *p = &rep[opaque == OPAQUE1 ? 1 : opaque == OPAQUE2 ? 2 : 0];
    __asm__ volatile("mv tp, %0" :: "r"(hartid));
    long h = hartid & 1;
    if (opaque == OPAQUE2)                        /* let the first vCPU reach its wfi */
        for (volatile int i = 0; i < 20000; i++)
            ;
    p->hartid = hartid;
    p->opaque = opaque;
    p->sstatus = sstatus;
    p->satp = satp;
    /* Sstc: stimecmp reads as all ones after a reset; without Sstc it is illegal */
    expect_illegal[h] = 1;
    n_illegal[h] = 0;
    p->stimecmp = 0;
    __asm__ volatile("csrr %0, stimecmp" : "+r"(p->stimecmp));
    p->stimecmp_trapped = n_illegal[h];
    expect_illegal[h] = 0;
    /* its own FP state, while vcpu 0 keeps another one live */
    kvm_fp_fill(FP_SEED1 + opaque);
    for (volatile int i = 0; i < 1000; i++)
        ;
    p->fp_bad = kvm_fp_check(FP_SEED1 + opaque);
    p->own_status = sbi_call(EID_HSM, 2, hartid, 0, 0).value;
    p->other_status = sbi_call(EID_HSM, 2, 0, 0, 0).value;
    __asm__ volatile("fence rw, rw" ::: "memory");
    p->magic = MAGIC;
    __asm__ volatile("fence rw, rw" ::: "memory");
    if (opaque == OPAQUE2)
        sbi_call(EID_IPI, 0, 1, 0, 0);            /* wake hart 0 */
    struct sbiret r = sbi_call(EID_HSM, 1, 0, 0, 0);   /* does not return */
    p->stop_err = r.error ? r.error : -100;
    for (;;)
        __asm__ volatile("wfi");
}

static int wait_stopped(long id)
{
    for (int i = 0; i < 100000; i++) {
        struct sbiret r = sbi_call(EID_HSM, 2, id, 0, 0);
        if (r.error == 0 && r.value == 1)
            return 1;
    }
    return 0;
}

static void check_second_vcpu(long h)
{
    struct sbiret r;
    r = sbi_call(EID_HSM, 2, 1, 0, 0);
    T(100, r.error == 0 && r.value == 1);         /* STOPPED until started */
    kvm_fp_fill(FP_SEED0);                        /* live FP state across the switches */
    r = sbi_call(EID_HSM, 0, 1, (long)kvm_secondary_entry, OPAQUE1);
    T(101, r.error == 0);
    /* busy-wait (runnable, not in wfi): the other vCPU runs on the hart meanwhile */
    for (long i = 0; i < 20000000 && rep[1].magic != MAGIC; i++)
        ;
    T(102, rep[1].magic == MAGIC);
    T(103, rep[1].hartid == 1);                   /* a0 = hart id */
    T(104, rep[1].opaque == (uint64_t)OPAQUE1);   /* a1 = opaque */
    T(105, !(rep[1].sstatus & SSTATUS_SIE));      /* SIE = 0 */
    T(106, rep[1].satp == 0);                     /* satp = 0 */
    T(107, rep[1].own_status == 0);               /* it sees itself STARTED */
    T(108, wait_stopped(1));                      /* hart_stop -> STOPPED */
    T(109, rep[1].stop_err == 0);                 /* hart_stop did not return */
    T(123, rep[1].fp_bad == 0);                   /* each vCPU kept its f registers */
    T(124, kvm_fp_check(FP_SEED0) == 0);          /* and fflags */
    say("hsm: vcpu 1 started (a0=1, a1=opaque, SIE=0, satp=0), reported, stopped\n");
    if (sta_on) {
        T(110, (sta.sequence & 1) == 0 && sta.sequence >= 2);
        T(111, sta.steal > 0);                    /* we were runnable while vcpu 1 ran */
        say_dec("sta: steal time ", sta.steal);
        say_dec(" ns, sequence ", sta.sequence);
        rv_putc('\n');
    }

    /* second start: vcpu 0 waits in wfi (with a timer 100 s away); vcpu 1's IPI
       wakes it long before the timer */
    n_ssip[h] = 0;
    n_timer[h] = 0;
    uint64_t deadline = rdtime() + 1000000000UL;
    r = sbi_call(EID_TIME, 0, deadline, 0, 0);
    T(112, r.error == 0);
    csr_set(sie, SIP_SSIP | SIP_STIP);
    csr_set(sstatus, SSTATUS_SIE);
    r = sbi_call(EID_HSM, 0, 1, (long)kvm_secondary_entry, OPAQUE2);
    T(112, r.error == 0);
    for (int i = 0; i < 1000 && !n_ssip[h] && !n_timer[h]; i++)
        __asm__ volatile("wfi");
    csr_clear(sstatus, SSTATUS_SIE);
    csr_clear(sie, SIP_SSIP | SIP_STIP);
    sbi_call(EID_TIME, 0, -1L, 0, 0);
    T(113, n_ssip[h] == 1);                       /* woken by vcpu 1's IPI ... */
    T(122, n_timer[h] == 0 && rdtime() < deadline);   /* ... not by the timer */
    T(114, rep[2].magic == MAGIC && rep[2].hartid == 1 && rep[2].opaque == (uint64_t)OPAQUE2);
    T(115, !(rep[2].sstatus & SSTATUS_SIE) && rep[2].satp == 0);
    T(116, wait_stopped(1));
    T(117, rep[2].stop_err == 0);
    /* a vCPU in wfi is STARTED for the spec; KVM says SUSPENDED while it blocks */
    T(118, rep[2].other_status == 0 || rep[2].other_status == 4);
    /* the second reset gave vcpu 1 the same Sstc state as the first */
    T(119, rep[1].stimecmp_trapped == rep[2].stimecmp_trapped);
    T(120, rep[2].stimecmp_trapped || rep[2].stimecmp == (uint64_t)-1L);
    T(121, rep[1].stimecmp == rep[2].stimecmp);
    say_dec("hsm: vcpu 1 restarted, its IPI woke vcpu 0 from wfi (vcpu 0 status seen: ",
            rep[2].other_status);
    rv_puts(")\n");
}

/* ---- FWFT ------------------------------------------------------------------ */
static void check_fwft(void)
{
    struct sbiret r;
    r = sbi_call(EID_FWFT, 1, 0, 0, 0);           /* MISALIGNED_EXC_DELEG: off */
    T(130, r.error == 0 && r.value == 0);
    r = sbi_call(EID_FWFT, 0, 0, 1, 0);
    T(131, r.error == 0);
    r = sbi_call(EID_FWFT, 1, 0, 0, 0);
    T(131, r.error == 0 && r.value == 1);
    r = sbi_call(EID_FWFT, 0, 0, 2, 0);           /* value must be 0 or 1 */
    T(132, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_FWFT, 0, 0, 0, 2);           /* reserved flag bit */
    T(133, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_FWFT, 0, 1, 1, 0);           /* LANDING_PAD: defined, not offered */
    T(134, r.error == SBI_ERR_NOT_SUPPORTED);
    r = sbi_call(EID_FWFT, 1, 0x100, 0, 0);       /* undefined feature: DENIED */
    T(135, r.error == SBI_ERR_DENIED);
    r = sbi_call(EID_FWFT, 0, 0, 0, 1);           /* off, and LOCK */
    T(136, r.error == 0);
    r = sbi_call(EID_FWFT, 0, 0, 1, 0);
    T(137, r.error == SBI_ERR_DENIED_LOCKED);
    r = sbi_call(EID_FWFT, 1, 0, 0, 0);
    T(138, r.error == 0 && r.value == 0);
    say("fwft: misaligned delegation get/set/lock ok\n");
}

/* ---- legacy v0.1 ------------------------------------------------------------ */
static uint64_t legacy_mask;

static void check_legacy(long h)
{
    long a1, ret;
    ret = sbi_legacy(0x1, 'L', &a1);              /* console_putchar (forwarded) */
    T(150, ret == 0 && a1 == 0x5a5a5a5a);         /* a0 only; a1 preserved */
    ret = sbi_legacy(0x1, '\n', 0);
    ret = sbi_legacy(0x2, 0, &a1);                /* console_getchar: nothing typed */
    T(151, ret == -1 && a1 == 0x5a5a5a5a);
    legacy_mask = 1UL << h;
    ret = sbi_legacy(0x4, (long)&legacy_mask, &a1);   /* send_ipi(hart mask pointer) */
    T(152, ret == 0 && a1 == 0x5a5a5a5a);
    T(153, (csr_read(sip) & SIP_SSIP) != 0);      /* SIE = 0: pending only */
    ret = sbi_legacy(0x3, 0, 0);                  /* clear_ipi */
    T(154, !(csr_read(sip) & SIP_SSIP));
    /* spec: > 0 when one was pending; KVM always answers 0 */
    if (impl_id == SBI_IMPL_KVM)
        T(155, ret == 0);
    else
        T(155, ret > 0);
    ret = sbi_legacy(0x4, 0, 0);                  /* NULL mask: every hart */
    T(156, ret == 0 && (csr_read(sip) & SIP_SSIP) != 0);
    csr_clear(sip, SIP_SSIP);
    ret = sbi_legacy(0x5, (long)&legacy_mask, &a1);   /* remote_fence_i */
    T(157, ret == 0 && a1 == 0x5a5a5a5a);
    ret = sbi_legacy(0x6, (long)&legacy_mask, 0);     /* remote_sfence_vma (a1, a2 = 0) */
    T(158, ret == 0);
    say("legacy: putchar, getchar, send_ipi, clear_ipi, remote fences ok\n");
}

/* ---- SRST ------------------------------------------------------------------ */
static void check_srst(void)
{
    struct sbiret r;
    r = sbi_call(EID_SRST, 0, 3, 0, 0);           /* a reserved reset type */
    /* spec: INVALID_PARAM; KVM: NOT_SUPPORTED for any type but 0, 1, 2 */
    if (impl_id == SBI_IMPL_KVM)
        T(140, r.error == SBI_ERR_NOT_SUPPORTED);
    else
        T(140, r.error == SBI_ERR_INVALID_PARAM);
    r = sbi_call(EID_SRST, 1, 0, 0, 0);
    T(141, r.error == SBI_ERR_NOT_SUPPORTED);
}

int main(long hartid, const uint8_t *fdt)
{
    __asm__ volatile("mv tp, %0" :: "r"(hartid));
    csr_write(stvec, (uint64_t)kvm_trap_entry);
    long h = hartid & 1;
    T(1, hartid == 0);
    check_base();
    check_dbcn();
    check_time(h);
    check_ipi(h);
    check_rfence(h);
    check_hsm(h);
    check_sta();
    long n = fdt_count_cpus(fdt);
    say_dec("fdt: vcpus ", n);
    rv_putc('\n');
    T(98, n >= 1 && n <= 16);
    if (n >= 2) {
        check_second_vcpu(h);
    } else {
        struct sbiret r = sbi_call(EID_HSM, 0, 1, (long)kvm_secondary_entry, 0);
        T(99, r.error == SBI_ERR_INVALID_PARAM);  /* no vCPU 1 */
    }
    check_fwft();
    check_legacy(h);
    check_srst();
    rv_puts("kvm_sbi: all checks passed\n");
    return 0;
}
