/*
 * Sv39 page tables for intmix_sv39, built in M-mode before paging is on.
 * Identity map of the user image (__image_start .. __user_end, at most
 * 2 MiB) with 4 KiB leaf pages:  text R-X, rodata R--, data/bss/stack RW-,
 * all with U, A and D preset (no A/D update traffic).  The HTIF mailbox
 * page (between rodata and data) is left unmapped; the page tables and the
 * M-mode stack lie above __user_end and are not mapped either.  Returns the satp value (MODE = 8, ASID = 0).
 */
#include "bench.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)

extern char __image_start[], __rodata_start[], __tohost_start[], __data_start[],
    __user_end[];

static uint64_t pt_root[512] __attribute__((aligned(4096), section(".pagetables")));
static uint64_t pt_l1[512] __attribute__((aligned(4096), section(".pagetables")));
static uint64_t pt_l0[512] __attribute__((aligned(4096), section(".pagetables")));

static uint64_t table_pte(uint64_t *t)
{
    return (((uint64_t)(uintptr_t)t >> 12) << 10) | PTE_V;
}

static void m_fail(void) __attribute__((noreturn));
static void m_fail(void)
{
    extern volatile uint64_t tohost;
    for (;;) tohost = ((uint64_t)EXIT_SV39_SETUP << 1) | 1;
}

uint64_t sv39_setup(void)
{
    uint64_t start = (uint64_t)(uintptr_t)__image_start;
    uint64_t end = (uint64_t)(uintptr_t)__user_end;
    /* one L0 table covers one 2 MiB-aligned region */
    if ((start >> 21) != ((end - 1) >> 21) || (start & 0xFFF))
        m_fail();
    for (int i = 0; i < 512; i++) {
        pt_root[i] = 0;
        pt_l1[i] = 0;
        pt_l0[i] = 0;
    }
    pt_root[(start >> 30) & 511] = table_pte(pt_l1);
    pt_l1[(start >> 21) & 511] = table_pte(pt_l0);
    for (uint64_t va = start; va < end; va += 4096) {
        if (va >= (uint64_t)(uintptr_t)__tohost_start &&
            va < (uint64_t)(uintptr_t)__data_start)
            continue;                                /* HTIF page: M only */
        uint64_t fl = PTE_V | PTE_U | PTE_A | PTE_R;
        if (va < (uint64_t)(uintptr_t)__rodata_start) fl |= PTE_X;
        else if (va >= (uint64_t)(uintptr_t)__data_start) fl |= PTE_W | PTE_D;
        pt_l0[(va >> 12) & 511] = ((va >> 12) << 10) | fl;   /* identity */
    }
    return (8ull << 60) | ((uint64_t)(uintptr_t)pt_root >> 12);
}
