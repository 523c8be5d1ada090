/* The decoded-instruction slot and the software TLB, shared by the Cython core
 * (hart.pxd declares the same fields) and the C fast path (fastloop.h). */
#ifndef RVEMU_INSN_H
#define RVEMU_INSN_H

#include <stdint.h>

#define TLB_SIZE 256      /* entries per direct-mapped software TLB */
#define TLB_INVALID 0xfff /* a tag no page-aligned address can equal */

typedef struct {          /* one decoded instruction (16 bytes) */
    uint16_t op;          /* handler id (OP_*), 0 = not decoded yet */
    uint8_t rd;           /* destination; integer x0 is remapped to the sink x[32] */
    uint8_t rs1;          /* source 1 */
    uint8_t rs2;          /* source 2 */
    uint8_t rs3;          /* source 3 (FMA) */
    uint8_t len;          /* 2 (compressed) or 4 */
    uint8_t handler;      /* the fast path's handler for this slot (fastloop.h), 0: none.
                             funct3 (rounding mode, AMO width) is read from raw */
    int32_t imm;          /* sign-extended immediate, CSR number, shift amount */
    uint32_t raw;         /* the instruction bits as fetched (for mtval and traces) */
} Insn;

/* The loop steps from slot to slot by len / 2: two slots per 4-byte instruction. */
_Static_assert(sizeof(Insn) == 16, "Insn must stay 16 bytes");

typedef struct {          /* direct-mapped software TLB */
    uint64_t tag[TLB_SIZE];  /* virtual page address (| alignment bits), TLB_INVALID when empty */
    int64_t add[TLB_SIZE];   /* host address = guest virtual address + add */
    Insn *code[TLB_SIZE];    /* fetch TLB only: the decoded page of the physical page */
} Tlb;

#endif
