/* rvemu guest runtime for C code (implemented in common/crt.S). */
#ifndef RVEMU_GUEST_H
#define RVEMU_GUEST_H
#include <stdint.h>

void rv_exit(long code) __attribute__((noreturn));
void rv_putc(int c);
void rv_puts(const char *s);
void rv_puthex(uint64_t v);
void rv_putdec(uint64_t v);
void rv_fail(long check) __attribute__((noreturn));

/* Fail with code n (printing "FAIL: check n") unless cond holds. */
#define CHECK(n, cond) do { if (!(cond)) rv_fail(n); } while (0)

#define csr_read(csr) ({ uint64_t __v; \
    __asm__ volatile ("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) \
    __asm__ volatile ("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) \
    __asm__ volatile ("csrs " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) \
    __asm__ volatile ("csrc " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")

#endif
