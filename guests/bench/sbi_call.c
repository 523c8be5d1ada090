/*
 * sbi_call: S-mode payload measuring the SBI call round trip (ecall from S,
 * served by the firmware -- rvemu's Python SBI, or OpenSBI on QEMU virt --
 * and back).  Run with `rvemu run --sbi guests/bench/sbi_call.elf`, or on
 * QEMU with `-machine virt -bios default -kernel sbi_call.elf`.
 *
 * Each of bench_iters iterations makes one sbi_get_spec_version call
 * (base extension, EID 0x10, FID 0) and checks that it succeeded with a
 * non-zero version.  Exit (SRST shutdown): 0 pass; reason "system failure"
 * (rvemu exit code 1) when a call failed.
 */
#include <stdint.h>

#define SBI_EXT_BASE 0x10

volatile uint64_t bench_iters = 100000;   /* number of SBI calls */
volatile uint64_t bench_done;             /* calls completed */

struct sbiret { long error, value; };

static inline struct sbiret sbi_call0(long eid, long fid)
{
    register long r_a0 __asm__("a0") = 0;
    register long r_a1 __asm__("a1") = 0;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a6), "r"(r_a7) : "memory");
    return (struct sbiret){ r_a0, r_a1 };
}

int main(long hartid, void *fdt)
{
    (void)hartid;
    (void)fdt;
    uint64_t n = bench_iters;
    for (uint64_t i = 0; i < n; i++) {
        struct sbiret r = sbi_call0(SBI_EXT_BASE, 0);   /* get_spec_version */
        if (r.error != 0 || r.value == 0)
            return 1;
    }
    bench_done = n;
    return 0;
}
