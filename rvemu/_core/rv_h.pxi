# Hypervisor extension: the H and VS CSRs, HLV/HLVX/HSV, HFENCE (priv spec, "Hypervisor
# Extension"). Traps, interrupts, SRET/MRET and two-stage translation are in priv.pxi and
# mmu.pxi next to their non-virtualised forms.

cdef uint64_t VSSTATUS_MASK = (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM
                               | MSTATUS_MXR | (3ULL << 9) | (3ULL << 13))
cdef uint64_t VSSTATUS_UXL64 = 2ULL << 32  # UXL is read-only 2 (VU-mode is RV64)
cdef uint64_t HGATP_VMID_MASK = 0x3fffULL << 44  # VMIDLEN = 14


cdef int h_csr_read(HartState* h, uint32_t csr, uint64_t* out) noexcept nogil:
    """Read an H (0x6xx, hgeip) or VS (0x2xx) CSR; the privilege rules were checked by
    csr_access_check. 0, 1 illegal, 2 virtual instruction."""
    cdef uint64_t v = 0
    if not (h.ext & EXTM_H):
        return 1
    if csr == CSR_HSTATUS:
        v = h.hstatus | HSTATUS_VSXL64
    elif csr == CSR_HEDELEG:
        v = h.hedeleg
    elif csr == CSR_HIDELEG:
        v = h.hideleg
    elif csr == CSR_HIE:
        v = h.mie & VS_INTS  # SGEIE is read-only zero: GEILEN = 0
    elif csr == CSR_HIP:
        v = mip_value(h) & VS_INTS
    elif csr == CSR_HVIP:
        v = h.hvip & VS_INTS
    elif csr == CSR_HTIMEDELTA:
        v = h.htimedelta
    elif csr == CSR_HCOUNTEREN:
        v = h.hcounteren
    elif csr == CSR_HGEIE or csr == CSR_HGEIP:
        v = 0  # no guest external interrupt sources (GEILEN = 0)
    elif csr == CSR_HENVCFG:
        # STCE and ADUE read as zero while the menvcfg bits are zero
        v = h.henvcfg & (h.menvcfg | 1)
    elif csr == CSR_HTVAL:
        v = h.htval
    elif csr == CSR_HTINST:
        v = h.htinst
    elif csr == CSR_HGATP:
        if h.priv == 1 and (h.mstatus & MSTATUS_TVM):
            return 1
        v = h.hgatp
    elif csr == CSR_VSSTATUS:
        v = sd_fixup(h.vsstatus) | VSSTATUS_UXL64
    elif csr == CSR_VSIE:
        v = (h.mie & h.hideleg & VS_INTS) >> 1
    elif csr == CSR_VSIP:
        v = (mip_value(h) & h.hideleg & VS_INTS) >> 1
    elif csr == CSR_VSTVEC:
        v = h.vstvec
    elif csr == CSR_VSSCRATCH:
        v = h.vsscratch
    elif csr == CSR_VSEPC:
        v = h.vsepc & ~h.ialign_mask
    elif csr == CSR_VSCAUSE:
        v = h.vscause
    elif csr == CSR_VSTVAL:
        v = h.vstval
    elif csr == CSR_VSTIMECMP:
        if not (h.ext & EXTM_SSTC):
            return 1
        if h.priv < 3 and not (h.menvcfg & MENVCFG_STCE and (h.mcounteren >> 1) & 1):
            return 1
        if h.virt and not (h.henvcfg & h.menvcfg & MENVCFG_STCE and (h.hcounteren >> 1) & 1):
            return 2
        v = h.vstimecmp
    elif csr == CSR_VSATP:
        if h.virt and (h.hstatus & HSTATUS_VTVM):
            return 2  # satp from VS with hstatus.VTVM
        v = h.vsatp
    else:
        return 1
    out[0] = v
    return 0


cdef int h_csr_write(HartState* h, uint32_t csr, uint64_t v) noexcept nogil:
    """Write an H or VS CSR (access rules checked by the read before it). 0 or 1 illegal."""
    cdef uint64_t mask, old, mode
    if not (h.ext & EXTM_H):
        return 1
    if csr == CSR_HSTATUS:
        h.hstatus = v & HSTATUS_MASK
    elif csr == CSR_HEDELEG:
        h.hedeleg = v & HEDELEG_MASK
    elif csr == CSR_HIDELEG:
        h.hideleg = v & VS_INTS
    elif csr == CSR_HIE:
        h.mie = (h.mie & ~(<uint64_t>VS_INTS)) | (v & VS_INTS)
    elif csr == CSR_HIP:  # only VSSIP is writable (an alias of hvip.VSSIP)
        h.hvip = (h.hvip & ~(<uint64_t>MIP_VSSIP)) | (v & MIP_VSSIP)
    elif csr == CSR_HVIP:
        h.hvip = v & VS_INTS
    elif csr == CSR_HTIMEDELTA:
        h.htimedelta = v
    elif csr == CSR_HCOUNTEREN:
        h.hcounteren = v & 0xffffffffULL
    elif csr == CSR_HGEIE:
        pass  # GEILEN = 0: read-only zero
    elif csr == CSR_HENVCFG:
        mask = 1
        if h.ext & EXTM_SSTC:
            mask |= MENVCFG_STCE
        if h.ext & EXTM_SVADU:
            mask |= MENVCFG_ADUE
        h.henvcfg = v & mask
        tlb_flush_all(h)
    elif csr == CSR_HTVAL:
        h.htval = v
    elif csr == CSR_HTINST:
        h.htinst = v
    elif csr == CSR_HGATP:
        # WARL fields: an unsupported MODE keeps the old one; the root is 16 KiB aligned
        mode = v >> 60
        if not (mode == 0 or mode == 8 or mode == 9 or mode == 10):
            mode = h.hgatp >> 60
        h.hgatp = (mode << 60) | (v & HGATP_VMID_MASK) | (v & PPN_MASK & ~3ULL)
        tlb_flush_all(h)
    elif csr == CSR_VSSTATUS:
        mask = VSSTATUS_MASK
        if not (h.ext & EXTM_F):
            mask &= ~MSTATUS_FS
        if h.vu.reg == NULL:
            mask &= ~MSTATUS_VS
        old = h.vsstatus
        h.vsstatus = sd_fixup((h.vsstatus & ~mask) | (v & mask))
        if h.virt and (old ^ h.vsstatus) & (MSTATUS_SUM | MSTATUS_MXR):
            tlb_flush_all(h)
    elif csr == CSR_VSIE:
        mask = h.hideleg & VS_INTS
        h.mie = (h.mie & ~mask) | ((v << 1) & mask)
    elif csr == CSR_VSIP:  # vsip.SSIP aliases hip.VSSIP when delegated
        mask = h.hideleg & MIP_VSSIP
        h.hvip = (h.hvip & ~mask) | ((v << 1) & mask)
    elif csr == CSR_VSTVEC:
        h.vstvec = legal_tvec(v)
    elif csr == CSR_VSSCRATCH:
        h.vsscratch = v
    elif csr == CSR_VSEPC:
        h.vsepc = v & ~1ULL
    elif csr == CSR_VSCAUSE:
        h.vscause = v
    elif csr == CSR_VSTVAL:
        h.vstval = v
    elif csr == CSR_VSTIMECMP:
        h.vstimecmp = v
    elif csr == CSR_VSATP:
        mode = v >> 60
        if mode == 0 or mode == 8 or mode == 9 or mode == 10:
            h.vsatp = 0 if mode == 0 else (
                v & ((0xfULL << 60) | (0xffffULL << 44) | PPN_MASK))
            if h.virt:
                tlb_flush_all(h)
        # an unsupported MODE: the write is ignored (allowed with V=0, required with V=1)
    else:
        return 1
    return 0


cdef int exec_hyp(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """HLV, HLVX, HSV, HFENCE.VVMA, HFENCE.GVMA. 0 ok, else cause + 1 (or MMIO_EXIT)."""
    cdef uint16_t op = d.op
    cdef uint64_t v = 0
    cdef int r, size
    # legal in M, in HS, and (HLV/HSV only) in U with hstatus.HU; virtual from VS/VU
    if h.virt:
        return CAUSE_VIRTUAL_INSTRUCTION + 1
    if op == OP_HFENCE_VVMA or op == OP_HFENCE_GVMA:
        if h.priv == 0 or (op == OP_HFENCE_GVMA and h.priv == 1
                           and (h.mstatus & MSTATUS_TVM)):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        tlb_flush_all(h)  # the TLBs never hold another mode's mappings: a full flush
        return 0
    if h.priv == 0 and not (h.hstatus & HSTATUS_HU):
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if op == OP_HLV_B or op == OP_HLV_BU or op == OP_HSV_B:
        size = 1
    elif op == OP_HLV_H or op == OP_HLV_HU or op == OP_HLVX_HU or op == OP_HSV_H:
        size = 2
    elif op == OP_HLV_W or op == OP_HLV_WU or op == OP_HLVX_WU or op == OP_HSV_W:
        size = 4
    else:
        size = 8
    h.hyp_access = 2 if (op == OP_HLVX_HU or op == OP_HLVX_WU) else 1
    if op >= OP_HSV_B:
        r = store_slow(h, x[d.rs1], size, x[d.rs2])
        if r == STORE_EVENT:
            r = 0
    else:
        r = load_slow(h, x[d.rs1], size, &v)
    h.hyp_access = 0
    if r:
        h.trap_gva = 1  # the address is a guest virtual address even though V=0
        return r
    if op >= OP_HSV_B:
        return 0
    if op == OP_HLV_B:
        v = <uint64_t><int64_t><int8_t>v
    elif op == OP_HLV_H:
        v = <uint64_t><int64_t><int16_t>v
    elif op == OP_HLV_W:
        v = <uint64_t><int64_t><int32_t>v
    x[d.rd] = v
    return 0
