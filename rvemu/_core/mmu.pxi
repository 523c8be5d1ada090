# Address translation (Sv39/Sv48/Sv57, privileged spec 12.3-12.5) and PMP (3.7).

cdef enum:
    PTE_V = 1
    PTE_R = 2
    PTE_W = 4
    PTE_X = 8
    PTE_U = 16
    PTE_G = 32
    PTE_A = 64
    PTE_D = 128

cdef enum:
    MSTATUS_SIE = 1 << 1
    MSTATUS_MIE = 1 << 3
    MSTATUS_SPIE = 1 << 5
    MSTATUS_MPIE = 1 << 7
    MSTATUS_SPP = 1 << 8
    MSTATUS_MPRV = 1 << 17
    MSTATUS_SUM = 1 << 18
    MSTATUS_MXR = 1 << 19
    MSTATUS_TVM = 1 << 20
    MSTATUS_TW = 1 << 21
    MSTATUS_TSR = 1 << 22

cdef uint64_t MSTATUS_VS = 3ULL << 9
cdef uint64_t MSTATUS_MPP = 3ULL << 11
cdef uint64_t MSTATUS_FS = 3ULL << 13
cdef uint64_t MSTATUS_SD = 1ULL << 63


cdef inline int effective_priv(HartState* h, int acc) noexcept nogil:
    """Privilege used for an access: MPRV makes M-mode loads/stores use MPP (3.1.6.3)."""
    if acc != ACC_FETCH and h.priv == 3 and (h.mstatus & MSTATUS_MPRV):
        return (h.mstatus >> 11) & 3
    return h.priv


cdef inline int page_fault_cause(int acc) noexcept nogil:
    if acc == ACC_FETCH:
        return CAUSE_FETCH_PAGE_FAULT
    if acc == ACC_LOAD:
        return CAUSE_LOAD_PAGE_FAULT
    return CAUSE_STORE_PAGE_FAULT


cdef inline int access_fault_cause(int acc) noexcept nogil:
    if acc == ACC_FETCH:
        return CAUSE_FETCH_ACCESS
    if acc == ACC_LOAD:
        return CAUSE_LOAD_ACCESS
    return CAUSE_STORE_ACCESS


# ---- PMP ------------------------------------------------------------------------------

cdef inline void pmp_range(HartState* h, int i, uint64_t* lo, uint64_t* hi) noexcept nogil:
    """The byte range [lo, hi) matched by PMP entry i (hi == lo when it matches nothing)."""
    cdef uint8_t a = (h.pmpcfg[i] >> 3) & 3
    cdef uint64_t addr = h.pmpaddr[i]
    cdef uint64_t ones
    if a == 1:  # TOR
        lo[0] = (h.pmpaddr[i - 1] << 2) if i > 0 else 0
        hi[0] = addr << 2
        if hi[0] < lo[0]:
            hi[0] = lo[0]
    elif a == 2:  # NA4
        lo[0] = addr << 2
        hi[0] = lo[0] + 4
    elif a == 3:  # NAPOT: trailing ones give the size
        ones = 0
        while ones < 54 and (addr >> ones) & 1:
            ones += 1
        lo[0] = (addr & ~((1ULL << ones) - 1)) << 2
        hi[0] = lo[0] + (1ULL << (ones + 3))
    else:
        lo[0] = 0
        hi[0] = 0


cdef int pmp_check(HartState* h, uint64_t pa, uint64_t size, int acc, int priv) noexcept nogil:
    """1 if the access is allowed. The lowest-numbered entry matching any byte decides;
    an access that only partly matches it fails (3.7.1.3)."""
    cdef int i
    cdef uint64_t lo, hi
    cdef uint8_t cfg, need
    if not h.pmp_active:
        # no entry matches: M-mode succeeds, S/U fail since PMP is implemented (3.7.1)
        return priv == 3
    need = 4 if acc == ACC_FETCH else (1 if acc == ACC_LOAD else 2)
    for i in range(NUM_PMP):
        cfg = h.pmpcfg[i]
        if (cfg >> 3) & 3 == 0:
            continue
        pmp_range(h, i, &lo, &hi)
        if pa + size <= lo or pa >= hi:
            continue
        if pa < lo or pa + size > hi:
            return 0
        if priv == 3 and not (cfg & 0x80):
            return 1
        return 1 if (cfg & need) else 0
    return 1 if priv == 3 else 0


cdef int pmp_page_uniform(HartState* h, uint64_t pa_page, int acc, int priv) noexcept nogil:
    """1 if every access within the 4 KiB page gets the same 'allowed' answer, so the page
    may be cached in a TLB."""
    cdef int i
    cdef uint64_t lo, hi
    if not h.pmp_active:
        return 1
    for i in range(NUM_PMP):
        if (h.pmpcfg[i] >> 3) & 3 == 0:
            continue
        pmp_range(h, i, &lo, &hi)
        if pa_page + 4096 <= lo or pa_page >= hi:
            continue
        return lo <= pa_page and pa_page + 4096 <= hi
    return 1


# ---- page-table walk ------------------------------------------------------------------

cdef uint64_t MSTATUS_MPV = 1ULL << 39   # mstatus (RV64): V before the last trap into M
cdef uint64_t MSTATUS_GVA = 1ULL << 38   # mstatus (RV64): mtval holds a guest virtual address
cdef uint64_t PPN_MASK = 0xfffffffffffULL
cdef uint64_t MENVCFG_STCE = 1ULL << 63  # menvcfg/henvcfg: Sstc timer enable
cdef uint64_t MENVCFG_ADUE = 1ULL << 61  # menvcfg/henvcfg: Svadu hardware A/D updates


cdef inline int effective_virt(HartState* h, int acc) noexcept nogil:
    """V used for an access: MPRV with MPP below M makes M-mode loads/stores use MPV."""
    if acc != ACC_FETCH and h.priv == 3 and (h.mstatus & MSTATUS_MPRV):
        return 1 if ((h.mstatus & MSTATUS_MPV) and ((h.mstatus >> 11) & 3) != 3) else 0
    return h.virt


cdef inline int guest_page_fault_cause(int acc) noexcept nogil:
    if acc == ACC_FETCH:
        return CAUSE_FETCH_GUEST_PAGE_FAULT
    if acc == ACC_LOAD:
        return CAUSE_LOAD_GUEST_PAGE_FAULT
    return CAUSE_STORE_GUEST_PAGE_FAULT


cdef int gstage_translate(HartState* h, uint64_t gpa, int acc, int orig_acc, int implicit,
                          bint hlvx, uint64_t* pa_out, uint64_t* page_size) noexcept nogil:
    """G-stage translation of a guest physical address (hgatp: Sv39x4/Sv48x4/Sv57x4, priv
    spec "Two-Stage Address Translation"). acc is the access checked (an implicit VS-stage
    page-table read is a load, its A/D update a store); faults are reported as orig_acc.
    On a guest-page fault sets trap_tval2 = gpa >> 2 and, for implicit accesses, the
    pseudo-instruction in trap_tinst. 0 on success, else cause + 1."""
    cdef uint64_t mode = h.hgatp >> 60
    cdef int levels, level
    cdef uint64_t a, pte, pte_addr, ppn, vpn, mask
    page_size[0] = 1ULL << 62
    if mode == 0:
        pa_out[0] = gpa
        return 0
    levels = 3 if mode == 8 else (4 if mode == 9 else 5)
    if gpa >> (14 + 9 * levels):  # SvNNx4: the GPA is 2 bits wider than the VA
        return gstage_fault(h, gpa, orig_acc, implicit)
    a = (h.hgatp & PPN_MASK & ~3ULL) << 12  # 16 KiB root table
    level = levels - 1
    while True:
        vpn = (gpa >> (12 + 9 * level)) & (0x7ff if level == levels - 1 else 0x1ff)
        pte_addr = a + vpn * 8
        if not h.debug_walk and not pmp_check(h, pte_addr, 8, ACC_LOAD, 1):
            return access_fault_cause(orig_acc) + 1
        if phys_load(h, pte_addr, 8, &pte):
            return access_fault_cause(orig_acc) + 1
        if not (pte & PTE_V) or ((pte & PTE_W) and not (pte & PTE_R)) or (pte >> 54):
            return gstage_fault(h, gpa, orig_acc, implicit)
        if pte & (PTE_R | PTE_X):
            break
        if pte & (PTE_D | PTE_A | PTE_U) or level == 0:
            return gstage_fault(h, gpa, orig_acc, implicit)
        level -= 1
        a = ((pte >> 10) & PPN_MASK) << 12
    # every G-stage access is a U-mode access: leaves must have U = 1
    if not (pte & PTE_U):
        return gstage_fault(h, gpa, orig_acc, implicit)
    if hlvx or acc == ACC_FETCH:
        if not (pte & PTE_X):
            return gstage_fault(h, gpa, orig_acc, implicit)
    elif acc == ACC_LOAD:
        # MXR makes execute-only pages readable by explicit loads only, not by the
        # implicit VS-stage page-table reads (H: "Two-Stage Address Translation")
        if not ((pte & PTE_R) or ((h.mstatus & MSTATUS_MXR) and (pte & PTE_X)
                                  and not implicit)):
            return gstage_fault(h, gpa, orig_acc, implicit)
    elif not (pte & PTE_W):
        return gstage_fault(h, gpa, orig_acc, implicit)
    ppn = (pte >> 10) & PPN_MASK
    mask = (1ULL << (9 * level)) - 1
    if ppn & mask:
        return gstage_fault(h, gpa, orig_acc, implicit)
    if (not (pte & PTE_A) or (acc == ACC_STORE and not (pte & PTE_D))) and not h.debug_walk:
        if not h.svadu:  # G-stage A/D updates follow menvcfg.ADUE
            return gstage_fault(h, gpa, orig_acc, implicit)
        if not pmp_check(h, pte_addr, 8, ACC_STORE, 1):
            return access_fault_cause(orig_acc) + 1
        pte |= PTE_A | (PTE_D if acc == ACC_STORE else 0)
        if phys_store(h, pte_addr, 8, pte):
            return access_fault_cause(orig_acc) + 1
    page_size[0] = 1ULL << (12 + 9 * level)
    pa_out[0] = ((ppn & ~mask) << 12) | (gpa & ((1ULL << (12 + 9 * level)) - 1))
    return 0


cdef int gstage_fault(HartState* h, uint64_t gpa, int orig_acc, int implicit) noexcept nogil:
    h.trap_tval2 = gpa >> 2
    if implicit:
        # implicit VS-stage page-table access: 64-bit read or (A/D update) write
        h.trap_tinst = 0x3020 if implicit == 2 else 0x3000
    return guest_page_fault_cause(orig_acc) + 1


cdef int translate(HartState* h, uint64_t va, int acc, int priv, int virt, bint hlvx,
                   uint64_t* pa_out, uint64_t* page_size) noexcept nogil:
    """Translate va for an access at privilege priv (and V = virt: VS-stage through vsatp,
    then G-stage). hlvx: HLVX, which needs execute rather than read permission.
    0 on success, else cause + 1."""
    cdef uint64_t satp = h.vsatp if virt else h.satp
    cdef uint64_t mode = satp >> 60
    cdef int levels, level, vpn_shift, i
    cdef uint64_t a, pte, pte_addr, ppn, vpn, mask, sext, gsize
    cdef uint64_t r
    cdef int va_bits
    cdef bint sum_, mxr, adue
    page_size[0] = 4096
    if priv == 3 or mode == 0:
        if virt:
            return gstage_translate(h, va, acc, acc, 0, hlvx, pa_out, &gsize)
        pa_out[0] = va
        return 0
    if mode == 8:
        levels = 3
    elif mode == 9:
        levels = 4
    else:
        levels = 5
    va_bits = 12 + 9 * levels
    # the bits above the VA width must all equal its top bit (12.3.2)
    sext = <uint64_t>((<int64_t>(va << (64 - va_bits))) >> (64 - va_bits))
    if sext != va:
        return page_fault_cause(acc) + 1
    if virt:
        # VS stage: vsstatus.SUM; MXR from either vsstatus or the HS-level mstatus
        sum_ = (h.vsstatus & MSTATUS_SUM) != 0
        mxr = ((h.vsstatus | h.mstatus) & MSTATUS_MXR) != 0
        adue = (h.henvcfg & h.menvcfg & MENVCFG_ADUE) != 0  # 0 unless menvcfg.ADUE
    else:
        sum_ = (h.mstatus & MSTATUS_SUM) != 0
        mxr = (h.mstatus & MSTATUS_MXR) != 0
        adue = h.svadu
    a = (satp & PPN_MASK) << 12
    level = levels - 1
    while True:
        vpn = (va >> (12 + 9 * level)) & 0x1ff
        pte_addr = a + vpn * 8
        if virt:  # the VS-stage tables live in guest physical memory
            r = gstage_translate(h, pte_addr, ACC_LOAD, acc, 1, False, &pte_addr, &gsize)
            if r:
                return <int>r
        if not h.debug_walk and not pmp_check(h, pte_addr, 8, ACC_LOAD, 1):
            return access_fault_cause(acc) + 1
        if phys_load(h, pte_addr, 8, &pte):
            return access_fault_cause(acc) + 1
        # reserved bits 60:54 must be zero; PBMT (62:61) and N (63) are unimplemented
        if not (pte & PTE_V) or ((pte & PTE_W) and not (pte & PTE_R)) or (pte >> 54):
            return page_fault_cause(acc) + 1
        if pte & (PTE_R | PTE_X):
            break  # leaf
        if pte & (PTE_D | PTE_A | PTE_U):  # non-leaf PTEs must have D, A, U clear
            return page_fault_cause(acc) + 1
        if level == 0:
            return page_fault_cause(acc) + 1
        level -= 1
        a = ((pte >> 10) & PPN_MASK) << 12
    # permission checks (12.3.2 step 5)
    if pte & PTE_U:
        if priv == 1 and (acc == ACC_FETCH or not sum_):
            return page_fault_cause(acc) + 1
    elif priv == 0:
        return page_fault_cause(acc) + 1
    if acc == ACC_FETCH or hlvx:
        if not (pte & PTE_X):
            return page_fault_cause(acc) + 1
    elif acc == ACC_LOAD:
        if not ((pte & PTE_R) or (mxr and (pte & PTE_X))):
            return page_fault_cause(acc) + 1
    else:
        if not (pte & PTE_W):
            return page_fault_cause(acc) + 1
    ppn = (pte >> 10) & PPN_MASK
    mask = (1ULL << (9 * level)) - 1
    if ppn & mask:  # misaligned superpage
        return page_fault_cause(acc) + 1
    if (not (pte & PTE_A) or (acc == ACC_STORE and not (pte & PTE_D))) and not h.debug_walk:
        if not adue:
            return page_fault_cause(acc) + 1
        # Svadu: set A (and D on a store) in the PTE, as one atomic update; in a guest
        # the PTE's page must be writable in the G stage (checked as an implicit store)
        if virt:
            r = gstage_translate(h, (a + ((va >> (12 + 9 * level)) & 0x1ff) * 8), ACC_STORE,
                                 acc, 2, False, &pte_addr, &gsize)
            if r:
                return <int>r
        if not pmp_check(h, pte_addr, 8, ACC_STORE, 1):
            return access_fault_cause(acc) + 1
        pte |= PTE_A | (PTE_D if acc == ACC_STORE else 0)
        if phys_store(h, pte_addr, 8, pte):
            return access_fault_cause(acc) + 1
    page_size[0] = 1ULL << (12 + 9 * level)
    pa_out[0] = ((ppn & ~mask) << 12) | (va & ((1ULL << (12 + 9 * level)) - 1))
    if virt:
        r = gstage_translate(h, pa_out[0], acc, acc, 0, hlvx, pa_out, &gsize)
        if r:
            return <int>r
        if gsize < page_size[0]:
            page_size[0] = gsize
    return 0
