# Loads, stores and fetch: the TLB-hit fast paths (inlined into the loop) and the slow
# paths (translation, PMP, devices, misaligned accesses, TLB refill).

cdef enum:
    STORE_EVENT = 0x10000  # store done, but it asked the loop to look at events
    MMIO_EXIT = 0x20000    # access to a Python device: leave the loop, re-execute after


cdef int pydev_access(HartState* h, uint64_t pa, int size, bint write, uint64_t* data) noexcept nogil:
    """An access to a Python device region: 0 if Python already served it (replay),
    MMIO_EXIT to leave the loop, or -1 if no Python device claims pa."""
    cdef int i
    for i in range(h.npydev):
        if pa >= h.pydev_base[i] and pa + size <= h.pydev_base[i] + h.pydev_size[i]:
            if h.mmio_replay and h.mmio_addr == pa and h.mmio_size == size and h.mmio_write == write:
                h.mmio_replay = 0
                if not write:
                    data[0] = h.mmio_data
                return 0
            h.mmio_addr = pa
            h.mmio_size = size
            h.mmio_write = write
            h.mmio_data = data[0] if write else 0
            h.exit_reason = EXIT_MMIO
            return MMIO_EXIT
    return -1

cdef inline uint64_t tlb_key(uint64_t va, int size) noexcept nogil:
    # page address plus the low alignment bits: one compare checks page and alignment
    return va & (~0xfffULL | <uint64_t>(size - 1))


cdef int access_phys(HartState* h, uint64_t va, int size, int acc, uint64_t* pa) noexcept nogil:
    """Translate and PMP-check one naturally aligned access; refill the TLB if allowed.
    During HLV/HLVX/HSV (h.hyp_access) the access is made as V=1 at privilege
    hstatus.SPVP and never cached: the TLBs hold the current mode's mappings only."""
    cdef int priv, virt
    cdef bint hlvx = False
    cdef uint64_t psize, idx, host_page
    cdef int r
    if h.hyp_access:
        priv = (h.hstatus >> 8) & 1  # SPVP
        virt = 1
        hlvx = h.hyp_access == 2
    else:
        priv = effective_priv(h, acc)
        virt = effective_virt(h, acc)
    r = translate(h, va, acc, priv, virt, hlvx, pa, &psize)
    if r:
        h.trap_tval = va
        h.trap_gva = virt
        return r
    # HLVX: the PMP must grant both read and execute (H: HLVX.HU/HLVX.WU)
    if not pmp_check(h, pa[0], size, acc, priv) or (
            hlvx and not pmp_check(h, pa[0], size, ACC_FETCH, priv)):
        h.trap_tval = va
        h.trap_gva = virt
        return access_fault_cause(acc) + 1
    h.stat_tlb_misses += 1
    if acc != ACC_FETCH and not h.step_log and not h.hyp_access \
            and in_ram(h, pa[0] & ~0xfffULL, 4096) \
            and pmp_page_uniform(h, pa[0] & ~0xfffULL, acc, priv):
        idx = (va >> 12) & (TLB_SIZE - 1)
        host_page = <uint64_t>h.ram + ((pa[0] & ~0xfffULL) - h.ram_base)
        if acc == ACC_LOAD:
            h.rtlb.tag[idx] = va & ~0xfffULL
            h.rtlb.add[idx] = <int64_t>(host_page - (va & ~0xfffULL))
        elif not h.code_page[((pa[0] & ~0xfffULL) - h.ram_base) >> 12] and not (
                h.tohost and (h.tohost & ~0xfffULL) == (pa[0] & ~0xfffULL)):
            h.wtlb.tag[idx] = va & ~0xfffULL
            h.wtlb.add[idx] = <int64_t>(host_page - (va & ~0xfffULL))
    return 0


cdef int load_slow(HartState* h, uint64_t va, int size, uint64_t* out) noexcept nogil:
    """Load of size bytes from va, zero-extended into out. 0 or cause + 1."""
    cdef uint64_t pa, b, v
    cdef int r, i
    if va & (size - 1):
        if not h.misaligned_hw:
            h.trap_tval = va
            return CAUSE_MISALIGNED_LOAD + 1
        v = 0
        for i in range(size):  # byte by byte; each byte translated and checked
            r = load_slow(h, va + i, 1, &b)
            if r:
                return r
            v |= b << (8 * i)
        out[0] = v
        return 0
    r = access_phys(h, va, size, ACC_LOAD, &pa)
    if r:
        return r
    r = phys_load(h, pa, size, out)
    if r:
        if h.npydev:
            i = pydev_access(h, pa, size, False, out)
            if i >= 0:
                return i
        h.trap_tval = va
        return r
    if h.step_log:
        h.log_mem_addr = va
        h.log_mem_size = size
        h.log_mem_write = 0
    return 0


cdef int store_slow(HartState* h, uint64_t va, int size, uint64_t v) noexcept nogil:
    """Store the low size bytes of v at va. 0 or cause + 1."""
    cdef uint64_t pa
    cdef int r, i
    if va & (size - 1):
        if not h.misaligned_hw:
            h.trap_tval = va
            return CAUSE_MISALIGNED_STORE + 1
        for i in range(size):  # check every byte first so a fault stores nothing
            r = access_phys(h, va + i, 1, ACC_STORE, &pa)
            if r:
                return r
        for i in range(size):
            access_phys(h, va + i, 1, ACC_STORE, &pa)
            phys_store(h, pa, 1, (v >> (8 * i)) & 0xff)
        return STORE_EVENT if (h.exit_reason or h.check_now) else 0
    r = access_phys(h, va, size, ACC_STORE, &pa)
    if r:
        return r
    if pa == h.reserved_addr:
        h.reserved_valid = 0
    r = phys_store(h, pa, size, v)
    if r:
        if h.npydev:
            i = pydev_access(h, pa, size, True, &v)
            if i >= 0:
                return i
        h.trap_tval = va
        return r
    if h.step_log:
        h.log_mem_addr = va
        h.log_mem_data = v
        h.log_mem_size = size
        h.log_mem_write = 1
    return STORE_EVENT if (h.exit_reason or h.check_now) else 0


cdef inline int load(HartState* h, uint64_t va, int size, uint64_t* out) noexcept nogil:
    cdef uint64_t idx = (va >> 12) & (TLB_SIZE - 1)
    if h.rtlb.tag[idx] == tlb_key(va, size):
        out[0] = read_le(<uint8_t*>(va + <uint64_t>h.rtlb.add[idx]), size)
        return 0
    return load_slow(h, va, size, out)


cdef inline int store(HartState* h, uint64_t va, int size, uint64_t v) noexcept nogil:
    cdef uint64_t idx = (va >> 12) & (TLB_SIZE - 1)
    if h.wtlb.tag[idx] == tlb_key(va, size):
        write_le(<uint8_t*>(va + <uint64_t>h.wtlb.add[idx]), size, v)
        return 0
    return store_slow(h, va, size, v)


cdef Insn* fetch_page(HartState* h, uint64_t pc, uint8_t** host) noexcept nogil:
    """The decoded page and host bytes for pc's page; NULL with trap_cause set on a fault."""
    cdef uint64_t idx = (pc >> 12) & (TLB_SIZE - 1)
    cdef uint64_t pa, psize, page
    cdef int r, priv
    if h.itlb.tag[idx] == (pc & ~0xfffULL):
        host[0] = <uint8_t*>((pc & ~0xfffULL) + <uint64_t>h.itlb.add[idx])
        return h.itlb.code[idx]
    priv = h.priv
    r = translate(h, pc, ACC_FETCH, priv, h.virt, False, &pa, &psize)
    if r == 0 and (not in_ram(h, pa, 2) or not pmp_check(h, pa, 2, ACC_FETCH, priv)):
        r = CAUSE_FETCH_ACCESS + 1
    if r:
        h.trap_cause = r - 1
        h.trap_tval = pc
        h.trap_gva = h.virt
        return NULL
    page = pa & ~0xfffULL
    host[0] = h.ram + (page - h.ram_base)
    h.stat_tlb_misses += 1
    if pmp_page_uniform(h, page, ACC_FETCH, priv):
        h.itlb.tag[idx] = pc & ~0xfffULL
        h.itlb.add[idx] = <int64_t>(<uint64_t>host[0] - (pc & ~0xfffULL))
        h.itlb.code[idx] = code_page_for(h, page)
        return h.itlb.code[idx]
    return code_page_for(h, page)


cdef int fetch_crosspage(HartState* h, uint64_t pc, uint8_t* host, Insn* out) noexcept nogil:
    # out is h.tmp_insn[0]; the two slots after it stay page-end sentinels
    """Decode a 32-bit instruction whose upper half is on the next page (not cached)."""
    cdef uint8_t* host2
    cdef uint32_t lo = (<uint16_t*>host)[0]
    cdef uint32_t hi
    if fetch_page(h, pc + 2, &host2) == NULL:
        h.trap_tval = pc + 2  # the portion that faulted (3.1.16)
        return 1
    hi = (<uint16_t*>host2)[0]
    decode_word(h, out, lo | (hi << 16), 4, lo | (hi << 16))
    return 0
