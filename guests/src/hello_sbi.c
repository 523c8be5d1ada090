/*
 * hello_sbi: S-mode payload.  Checks the SBI base extension, prints "Hello"
 * through the DBCN console (legacy putchar fallback inside rv_putc) and exits
 * through SRST.
 *   1  sbi_get_spec_version failed / returned 0
 *   2  probe_extension(SRST) says absent
 *   3  DBCN write_byte returned an error although probe says DBCN present
 *   4  we are not in S-mode (reading sstatus trapped -> unexpected trap)
 */
#include "guest.h"

#define SBI_EXT_BASE 0x10
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_SRST 0x53525354

struct sbiret { long error, value; };

static struct sbiret sbi_call(long eid, long fid, long a0)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = 0;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a6), "r"(r_a7) : "memory");
    return (struct sbiret){ r_a0, r_a1 };
}

int main(long hartid, void *fdt)
{
    (void)fdt;
    struct sbiret r;

    __asm__ volatile("li gp, 4");
    (void)csr_read(sstatus);        /* traps unless S-mode (or higher) */

    r = sbi_call(SBI_EXT_BASE, 0, 0);           /* get_spec_version */
    CHECK(1, r.error == 0 && r.value != 0);
    r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST); /* probe_extension */
    CHECK(2, r.error == 0 && r.value != 0);
    r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN);
    int dbcn = r.error == 0 && r.value != 0;
    if (dbcn) {
        r = sbi_call(SBI_EXT_DBCN, 2, '>');     /* write_byte */
        CHECK(3, r.error == 0);
    }
    rv_puts(dbcn ? " Hello from rvemu guest (S-mode, SBI DBCN), hart "
                 : "Hello from rvemu guest (S-mode, legacy SBI console), hart ");
    rv_putdec(hartid);
    rv_putc('\n');
    return 0;
}
