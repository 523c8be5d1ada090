/*
 * Shared by the KVM guests (kvm_sbi.c, kvm_pmu.c): SBI calls, the trap frame
 * of kvm_rt.S, and the check/print helpers.  The guests are S-mode payloads
 * (crt_sbi.S, link_sbi.ld) meant to run as VS-mode guests of `rvemu run --kvm`
 * (rvemu/kvm): they check what the SBI spec v3.0 and Linux's KVM
 * (../shared/reference/kvm-riscv-facts.md sections 7, 8, 11, 12) say.
 */
#ifndef KVM_GUEST_H
#define KVM_GUEST_H
#include "guest.h"

/* SBI extension ids and error codes (SBI v3.0) */
#define EID_BASE   0x10
#define EID_TIME   0x54494D45
#define EID_IPI    0x735049
#define EID_RFENCE 0x52464E43
#define EID_HSM    0x48534D
#define EID_SRST   0x53525354
#define EID_PMU    0x504D55
#define EID_DBCN   0x4442434E
#define EID_SUSP   0x53555350
#define EID_CPPC   0x43505043
#define EID_NACL   0x4E41434C
#define EID_STA    0x535441
#define EID_SSE    0x535345
#define EID_FWFT   0x46574654
#define EID_DBTR   0x44425452
#define EID_MPXY   0x4D505859

#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_DENIED            -4
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED   -7
#define SBI_ERR_ALREADY_STOPPED   -8
#define SBI_ERR_NO_SHMEM          -9
#define SBI_ERR_DENIED_LOCKED    -14

#define SBI_IMPL_KVM 3

#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define CAUSE_ILLEGAL 2
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_INTR (1UL << 63)

struct sbiret { long error; long value; };

static inline struct sbiret sbi_call6(long eid, long fid, long a0, long a1, long a2,
                                      long a3, long a4, long a5)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1)
                     : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                     : "memory");
    return (struct sbiret){ r0, r1 };
}
#define sbi_call(eid, fid, a0, a1, a2) sbi_call6(eid, fid, a0, a1, a2, 0, 0, 0)

/* A legacy (v0.1) call: EID = function, result in a0 only, a1 must be preserved. */
static inline long sbi_legacy(long eid, long a0, long *a1_after)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = 0x5a5a5a5a;
    register long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r7) : "memory");
    if (a1_after)
        *a1_after = r1;
    return r0;
}

static inline uint64_t rdtime(void)
{
    uint64_t v;
    __asm__ volatile("rdtime %0" : "=r"(v));
    return v;
}

/* The trap frame kvm_rt.S builds: x[0..31] (x[2] = sp before the trap), then
   sepc (written back on return), scause, stval. */
struct frame { uint64_t x[32]; uint64_t sepc, scause, stval; };

/* kvm_rt.S */
extern void kvm_trap_entry(void);
extern void kvm_secondary_entry(void);
extern void kvm_fp_fill(uint64_t seed);      /* f[i] = seed + i, fflags = seed & 0x1f */
extern long kvm_fp_check(uint64_t seed);     /* how many of those differ */
/* provided by each guest */
void trap_handler(struct frame *f);
void secondary_main(long hartid, long opaque);

/* The number of the check in progress (printed by unexpected traps). */
extern volatile long cur_check;

static inline void say(const char *s) { rv_puts(s); }
static inline void say_dec(const char *s, uint64_t v) { rv_puts(s); rv_putdec(v); }
static inline void say_hex(const char *s, uint64_t v) { rv_puts(s); rv_puthex(v); }

/* Check n: fail (print, SRST with system failure) unless cond holds. */
#define T(n, cond) do { cur_check = (n); if (!(cond)) check_failed(n, #cond, __LINE__); } while (0)

static inline void __attribute__((noreturn)) check_failed(long n, const char *what, long line)
{
    rv_puts("check ");
    rv_putdec(n);
    rv_puts(" failed (line ");
    rv_putdec(line);
    rv_puts("): ");
    rv_puts(what);
    rv_putc('\n');
    rv_fail(n);
}

/* The length of the instruction at pc (for skipping a trapping one). */
static inline unsigned insn_len(uint64_t pc)
{
    return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

/* The number of cpu@ nodes in the device tree the VMM passes in a1. */
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline long fdt_count_cpus(const void *fdt_)
{
    const uint8_t *fdt = fdt_;
    if (be32(fdt) != 0xd00dfeed)
        return -1;
    const uint8_t *p = fdt + be32(fdt + 8), *end = p + be32(fdt + 36);
    long n = 0;
    while (p < end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == 1) {                           /* FDT_BEGIN_NODE name */
            const char *name = (const char *)p;
            unsigned len = 0;
            while (name[len])
                len++;
            if (len > 4 && name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@')
                n++;
            p += (len + 4) & ~3u;
        } else if (tok == 3) {                    /* FDT_PROP len nameoff value */
            p += 8 + ((be32(p) + 3) & ~3u);
        } else if (tok == 9) {                    /* FDT_END */
            break;
        }
    }
    return n;
}

#endif
