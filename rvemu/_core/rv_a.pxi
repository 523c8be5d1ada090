# A extension: LR/SC with a single reservation, and the AMOs (unpriv chapter "A").

cdef int exec_amo(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """Execute an LR/SC/AMO. 0 on success, else cause + 1 (trap_tval set)."""
    cdef uint16_t op = d.op
    cdef int size = 4 if ((d.raw >> 12) & 7) == 2 else 8  # funct3: .W or .D
    cdef uint64_t va = x[d.rs1]
    cdef uint64_t pa, old, src, new
    cdef int r
    # the store may hit this instruction's own code page and wipe the slot d points to
    cdef uint8_t rd = d.rd
    if va & (size - 1):
        # LR raises a load-misaligned exception, SC and AMOs a store/AMO one (Zam absent)
        h.trap_tval = va
        if op == OP_LR_W or op == OP_LR_D:
            return CAUSE_MISALIGNED_LOAD + 1
        return CAUSE_MISALIGNED_STORE + 1
    if op == OP_LR_W or op == OP_LR_D:
        r = access_phys(h, va, size, ACC_LOAD, &pa)
        if r:
            return r
        r = phys_load(h, pa, size, &old)
        if r:
            h.trap_tval = va
            return r
        h.reserved_addr = pa
        h.reserved_valid = 1
        x[rd] = <uint64_t><int64_t><int32_t>old if size == 4 else old
        return 0
    r = access_phys(h, va, size, ACC_STORE, &pa)
    if r:
        return r
    if not in_ram(h, pa, size):
        h.trap_tval = va
        return CAUSE_STORE_ACCESS + 1  # AMOs are only supported on main memory
    if op == OP_SC_W or op == OP_SC_D:
        if h.reserved_valid and h.reserved_addr == pa:
            phys_store(h, pa, size, x[d.rs2])
            if h.step_log:      # the commit log shows the store (as Spike's does)
                h.log_mem_addr = va
                h.log_mem_data = x[d.rs2]
                h.log_mem_size = size
                h.log_mem_write = 1
            x[rd] = 0
        else:
            x[rd] = 1
        h.reserved_valid = 0
        return 0
    phys_load(h, pa, size, &old)
    src = x[d.rs2]
    if size == 4:
        old = <uint64_t><int64_t><int32_t>old
        src = <uint64_t><int64_t><int32_t>src
    if op == OP_AMOSWAP_W or op == OP_AMOSWAP_D:
        new = src
    elif op == OP_AMOADD_W or op == OP_AMOADD_D:
        new = old + src
    elif op == OP_AMOXOR_W or op == OP_AMOXOR_D:
        new = old ^ src
    elif op == OP_AMOAND_W or op == OP_AMOAND_D:
        new = old & src
    elif op == OP_AMOOR_W or op == OP_AMOOR_D:
        new = old | src
    elif op == OP_AMOMIN_W or op == OP_AMOMIN_D:
        new = old if <int64_t>old < <int64_t>src else src
    elif op == OP_AMOMAX_W or op == OP_AMOMAX_D:
        new = old if <int64_t>old > <int64_t>src else src
    elif op == OP_AMOMINU_W or op == OP_AMOMINU_D:
        if size == 4:
            new = old if <uint32_t>old < <uint32_t>src else src
        else:
            new = old if old < src else src
    else:
        if size == 4:
            new = old if <uint32_t>old > <uint32_t>src else src
        else:
            new = old if old > src else src
    phys_store(h, pa, size, new)
    if h.step_log:              # the commit log shows the AMO's store (as Spike's does)
        h.log_mem_addr = va
        h.log_mem_data = new
        h.log_mem_size = size
        h.log_mem_write = 1
    x[rd] = old
    return 0
