# SYSTEM-opcode instructions that are not on the hot path: CSR access, xRET, WFI, fences.

cdef int exec_csr(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """CSRRW/CSRRS/CSRRC and the immediate forms. 0 ok, 1 illegal instruction,
    2 virtual instruction."""
    cdef uint32_t csr = <uint32_t>d.imm
    cdef uint16_t op = d.op
    cdef uint64_t old, src, new
    cdef bint write
    cdef int r
    src = d.rs1 if op >= OP_CSRRWI else x[d.rs1]
    if (csr >> 10) == 3 and (op == OP_CSRRW or op == OP_CSRRWI or d.rs1 != 0):
        # writing a read-only CSR is illegal in every mode; while V=1 it is not
        # HS-qualified, so never a virtual-instruction exception (H 2.11)
        return 1
    r = csr_read(h, csr, &old)
    if r:
        return r
    if op == OP_CSRRW or op == OP_CSRRWI:
        write = True
        new = src
    elif op == OP_CSRRS or op == OP_CSRRSI:
        write = d.rs1 != 0  # rs1 = x0 / uimm = 0: no write, so read-only CSRs may be read
        new = old | src
    else:
        write = d.rs1 != 0
        new = old & ~src
    if write:
        r = csr_write(h, csr, new)
        if r:
            return r
    x[d.rd] = old
    return 0


cdef int exec_system(HartState* h, Insn* d, uint64_t pc, uint64_t* new_pc) noexcept nogil:
    """MRET, SRET, WFI, SFENCE.VMA. 0 ok (new_pc set), else cause + 1. While V=1, what HS
    could do but VS/VU may not is a virtual-instruction exception (H 2.11)."""
    cdef uint16_t op = d.op
    cdef uint64_t t
    if op == OP_MRET:
        if h.priv != 3:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        new_pc[0] = do_mret(h)
        return 0
    if op == OP_SRET:
        if h.virt:
            if h.priv == 0 or (h.hstatus & HSTATUS_VTSR):
                return CAUSE_VIRTUAL_INSTRUCTION + 1
        elif h.priv < 1 or (h.priv == 1 and (h.mstatus & MSTATUS_TSR)):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        new_pc[0] = do_sret(h)
        return 0
    if op == OP_SFENCE_VMA:
        if h.virt:
            if h.priv == 0 or (h.hstatus & HSTATUS_VTVM):
                return CAUSE_VIRTUAL_INSTRUCTION + 1
        elif h.priv < 1 or (h.priv == 1 and (h.mstatus & MSTATUS_TVM)):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        tlb_flush_all(h)
        new_pc[0] = pc + d.len
        return 0
    # WFI: illegal below M with TW; in U (V=0) illegal; in VU, or VS with VTW, virtual
    if h.priv != 3 and (h.mstatus & MSTATUS_TW):
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if h.virt and (h.priv == 0 or (h.hstatus & HSTATUS_VTW)):
        return CAUSE_VIRTUAL_INSTRUCTION + 1
    if h.priv == 0:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    new_pc[0] = pc + d.len
    if mip_value(h) & h.mie:
        return 0  # an enabled interrupt is already pending: WFI completes at once
    if h.wfi_yield:  # several harts: the scheduler (smp.pxi) decides when to wake it
        h.exit_reason = EXIT_IDLE
        return 0
    t = next_timer_event(h)
    if t != 0xffffffffffffffffULL and t > h.instret and (
            (h.mie & MIP_MTIP) or ((h.mie & MIP_STIP) and (h.menvcfg & MENVCFG_STCE))
            or ((h.mie & MIP_VSTIP) and (h.henvcfg & h.menvcfg & MENVCFG_STCE))):
        h.time_off += t - h.instret  # idle: time jumps to the next timer event
        return 0
    if h.wfi_exit:
        h.exit_reason = EXIT_IDLE
    return 0
