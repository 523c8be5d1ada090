# Decode into the per-page cache: compressed parcels are expanded to their base forms,
# extensions are gated by the hart's ISA, and common forms are specialised (x0
# destinations, li, mv) so the executor does less work.

cdef inline int32_t imm_of(uint32_t w, uint8_t kind) noexcept nogil:
    cdef int32_t sw = <int32_t>w
    if kind == IMM_I:
        return sw >> 20
    elif kind == IMM_S:
        return ((sw >> 25) << 5) | ((w >> 7) & 0x1f)
    elif kind == IMM_B:
        return (((sw >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 0x3f) << 5)
                | (((w >> 8) & 0xf) << 1))
    elif kind == IMM_U:
        return <int32_t>(w & 0xfffff000U)
    elif kind == IMM_J:
        return (((sw >> 31) << 20) | (((w >> 12) & 0xff) << 12) | (((w >> 20) & 1) << 11)
                | (((w >> 21) & 0x3ff) << 1))
    elif kind == IMM_SHAMT:
        return (w >> 20) & 0x3f
    elif kind == IMM_SHAMTW:
        return (w >> 20) & 0x1f
    elif kind == IMM_CSR:
        return (w >> 20) & 0xfff
    return 0


cdef inline bint pure_alu(uint16_t op) noexcept nogil:
    """Ops whose only effect is writing rd: with rd = x0 they are no-ops."""
    return ((op >= OP_LUI and op <= OP_AUIPC) or (op >= OP_ADDI and op <= OP_SRAW)
            or (op >= OP_MUL and op <= OP_REMUW))


cdef void decode_word(HartState* h, Insn* d, uint32_t w, uint8_t length,
                      uint32_t raw) noexcept nogil:
    cdef uint16_t op = decode_op(w)
    if op != OP_ILLEGAL and not op_allowed(op, h.ext):
        op = OP_ILLEGAL
    d.len = length
    d.raw = raw
    d.rd = (w >> 7) & 31
    d.rs1 = (w >> 15) & 31
    d.rs2 = (w >> 20) & 31
    d.rs3 = w >> 27
    d.handler = 0
    d.imm = imm_of(w, op_imm_kind(op))
    if op == OP_ILLEGAL:
        d.op = op
        return
    if op_writes_x(op) and d.rd == 0:
        d.rd = 32
        if pure_alu(op):
            op = OP_NOP
    if op == OP_ADDI:
        if d.rs1 == 0:
            op = OP_LI
        elif d.imm == 0:
            op = OP_MV
    if rv_fast_op(op):
        d.handler = rv_fast_index(op, length)  # the fast path's handler (fastloop.h)
    d.op = op


cdef inline bint is_breakpoint(HartState* h, uint64_t pc) noexcept nogil:
    cdef int i
    for i in range(h.nbp):
        if h.bp[i] == pc:
            return True
    return False


cdef void decode_at(HartState* h, Insn* d, uint8_t* host, uint64_t pc) noexcept nogil:
    """Decode the instruction at host (inside one RAM page) into slot d."""
    cdef uint32_t lo = (<uint16_t*>host)[0]
    cdef uint32_t w
    cdef uint64_t page = (<uint64_t>(host - h.ram)) >> 12
    h.stat_decodes += 1
    if not h.code_page[page]:
        # a store had cleared this page's decodes (self-modifying code); it holds decodes
        # again, so stores to it must go back to the slow path that invalidates them
        h.code_page[page] = 1
        tlb_flush(&h.wtlb)
        if h.code_epoch != NULL:
            h.code_epoch[0] += 1  # other harts' store TLBs too (smp.pxi)
    if h.nbp and is_breakpoint(h, pc):
        d.op = OP_BREAKPOINT  # costs nothing at run time: the slot itself is the check
        d.handler = 0  # and the fast path leaves at it
        d.len = 2 if (lo & 3) != 3 else 4
        d.raw = lo
        return
    decode_real(h, d, host, pc)
    # a branch or jal to its own page jumps slot to slot (only in the page's own slots:
    # copies in tmp_insn run elsewhere)
    rv_fast_localize(d, pc, h.ialign_mask)


cdef void decode_real(HartState* h, Insn* d, uint8_t* host, uint64_t pc) noexcept nogil:
    cdef uint32_t lo = (<uint16_t*>host)[0]
    cdef uint32_t w
    if (lo & 3) == 3:
        if (pc & 0xfff) == 0xffe:
            d.op = OP_CROSSPAGE  # the upper half lives on the next page
            d.handler = 0
            d.len = 4
            d.raw = lo
            return
        memcpy(&w, host, 4)
        decode_word(h, d, w, 4, w)
        return
    if not (h.ext & EXTM_C):
        w = 0
    else:
        w = rvc_expand(lo)
    if w == 0:
        d.op = OP_ILLEGAL
        d.handler = 0
        d.len = 2
        d.raw = lo
        return
    decode_word(h, d, w, 2, lo)
