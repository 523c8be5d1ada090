/*
 * hello_uart: M-mode "Hello" through the ns16550a UART at 0x1000_0000, exit
 * through the test/syscon finisher at 0x0010_0000 (QEMU "virt" style).
 * rv_putc / rv_exit of crt.S are overridden here (they are weak there).
 *   1  LSR.THRE (bit 5) never became set
 */
#include "guest.h"

#define UART_BASE   0x10000000UL
#define UART_THR    0
#define UART_IER    1
#define UART_FCR    2
#define UART_LCR    3
#define UART_LSR    5
#define FINISHER    0x00100000UL

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;

void rv_putc(int c)
{
    long n = 0;
    while (!(uart[UART_LSR] & 0x20)) {
        if (++n > 10000000) {
            volatile uint32_t *fin = (volatile uint32_t *)FINISHER;
            *fin = (1u << 16) | 0x3333;     /* fail, check 1 */
            for (;;) ;
        }
    }
    uart[UART_THR] = (uint8_t)c;
}

void rv_exit(long code)
{
    volatile uint32_t *fin = (volatile uint32_t *)FINISHER;
    *fin = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555;
    for (;;) ;
}

int main(long hartid, void *fdt)
{
    (void)fdt;
    uart[UART_IER] = 0x00;           /* no interrupts */
    uart[UART_LCR] = 0x03;           /* 8N1, DLAB = 0 */
    uart[UART_FCR] = 0x07;           /* FIFO on, cleared */
    rv_puts("Hello from rvemu guest (UART), hart ");
    rv_putdec(hartid);
    rv_putc('\n');
    return 0;
}
