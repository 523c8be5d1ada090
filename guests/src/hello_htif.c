/* hello_htif: M-mode "Hello" on the HTIF console, then exit 0 via tohost. */
#include "guest.h"

int main(long hartid, void *fdt)
{
    (void)fdt;
    rv_puts("Hello from rvemu guest (HTIF), hart ");
    rv_putdec(hartid);
    rv_putc('\n');
    return 0;
}
