# Privileged architecture: trap entry, interrupts, xRET and the CSR file (privileged spec
# chapters 3 and 4).

cdef enum:
    MIP_SSIP = 1 << 1
    MIP_MSIP = 1 << 3
    MIP_STIP = 1 << 5
    MIP_MTIP = 1 << 7
    MIP_SEIP = 1 << 9
    MIP_MEIP = 1 << 11
    MIP_VSSIP = 1 << 2
    MIP_VSTIP = 1 << 6
    MIP_VSEIP = 1 << 10
    MIP_SGEIP = 1 << 12
    VS_INTS = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP

# exceptions S-mode may take (everything but ECALL from M)
cdef enum:
    TRAP_LOOP_LIMIT = 4096  # consecutive exceptions without progress that end a run

cdef uint64_t MEDELEG_MASK = 0xB3FF
# with H, ecall from VS, the guest-page faults and virtual instruction go to HS too
cdef uint64_t MEDELEG_MASK_H = 0xB3FF | (1ULL << 10) | (0xfULL << 20)
# hedeleg: bits 9-11 (ecalls from HS/VS/M), 16 and 20-23 are read-only zero (H 2.4)
cdef uint64_t HEDELEG_MASK = 0xB1FF
cdef uint64_t HSTATUS_MASK = ((1ULL << 6) | (1ULL << 7) | (1ULL << 8) | (1ULL << 9)
                              | (1ULL << 20) | (1ULL << 21) | (1ULL << 22))
cdef uint64_t HSTATUS_SPV = 1ULL << 7
cdef uint64_t HSTATUS_SPVP = 1ULL << 8
cdef uint64_t HSTATUS_HU = 1ULL << 9
cdef uint64_t HSTATUS_VTVM = 1ULL << 20
cdef uint64_t HSTATUS_VTW = 1ULL << 21
cdef uint64_t HSTATUS_VTSR = 1ULL << 22
cdef uint64_t HSTATUS_GVA = 1ULL << 6
cdef uint64_t HSTATUS_VSXL64 = 2ULL << 32   # VSXL is read-only 2: VS-mode is RV64
# causes whose tval is a (guest) virtual address: GVA is set for them when V was 1
cdef uint64_t ADDR_CAUSES = ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4)
                             | (1ULL << 5) | (1ULL << 6) | (1ULL << 7) | (1ULL << 12)
                             | (1ULL << 13) | (1ULL << 15) | (1ULL << 20) | (1ULL << 21)
                             | (1ULL << 23))
cdef uint64_t MIDELEG_MASK = MIP_SSIP | MIP_STIP | MIP_SEIP
cdef uint64_t MIE_MASK = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP
cdef uint64_t SSTATUS_MASK = (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM
                              | MSTATUS_MXR | (3ULL << 9) | (3ULL << 13) | (3ULL << 15)
                              | (3ULL << 32) | (1ULL << 63))


cdef inline uint64_t mip_value(HartState* h) noexcept nogil:
    """mip with the live bits merged in: MTIP/MSIP from the CLINT, STIP from stimecmp,
    the VS bits from hvip and vstimecmp."""
    cdef uint64_t v = h.mip & ~(<uint64_t>(MIP_MTIP | MIP_MSIP | VS_INTS))
    v |= h.hvip & VS_INTS
    # henvcfg.STCE is read-only zero while menvcfg.STCE = 0 (Sstc)
    if (h.henvcfg & h.menvcfg & MENVCFG_STCE) and mtime_now(h) + h.htimedelta >= h.vstimecmp:
        v |= MIP_VSTIP
    if mtime_now(h) >= h.mtimecmp:
        v |= MIP_MTIP
    if h.msip:
        v |= MIP_MSIP
    v |= plic_mip(h)  # MEIP, and SEIP ORed with the software-writable SEIP bit
    if h.menvcfg & MENVCFG_STCE:
        v &= ~(<uint64_t>MIP_STIP)
        if mtime_now(h) >= h.stimecmp:
            v |= MIP_STIP
    return v


cdef inline uint64_t sd_fixup(uint64_t s) noexcept nogil:
    if ((s >> 13) & 3) == 3 or ((s >> 9) & 3) == 3 or ((s >> 15) & 3) == 3:
        return s | MSTATUS_SD
    return s & ~MSTATUS_SD


cdef uint64_t take_trap(HartState* h, uint64_t pc, uint64_t cause, uint64_t tval,
                        bint interrupt) noexcept nogil:
    """Enter the trap handler for cause; returns the new pc (priv 3.1.6, 3.1.7, 4.1.1 and
    the hypervisor chapter's "Trap Entry": M, HS, or VS when V=1 and hedeleg/hideleg
    delegate it once more)."""
    cdef uint64_t bit = 1ULL << cause
    cdef uint64_t deleg = h.mideleg if interrupt else h.medeleg
    cdef uint64_t hdeleg = h.hideleg if interrupt else h.hedeleg
    cdef uint64_t s = h.mstatus
    cdef uint64_t vec, code, tval2, tinst
    cdef bint gva
    gva = not interrupt and (h.trap_gva or (h.virt and (ADDR_CAUSES & bit)))
    tval2 = 0 if interrupt else h.trap_tval2
    tinst = 0 if interrupt else h.trap_tinst
    h.trap_gva = 0
    h.trap_tval2 = 0
    h.trap_tinst = 0
    h.stat_traps += 1
    if interrupt:
        h.stat_interrupts += 1
    elif h.instret == h.last_trap_instret:
        # exceptions with no instruction retired in between: a guest whose trap handler
        # itself faults (e.g. mtvec unset) would otherwise spin here for ever
        h.trap_repeat += 1
        if h.trap_repeat >= TRAP_LOOP_LIMIT:
            h.exit_reason = EXIT_TRAP_LOOP
    else:
        h.last_trap_instret = h.instret
        h.trap_repeat = 0
    h.reserved_valid = 0
    code = cause
    if h.priv <= 1 and (deleg & bit) and h.virt and (hdeleg & bit):
        # into VS: V stays 1; VS-level interrupt codes are seen as the S-level ones
        if interrupt and (bit & VS_INTS):
            code = cause - 1
        h.vscause = code | ((1ULL << 63) if interrupt else 0)
        h.vsepc = pc
        h.vstval = tval
        s = h.vsstatus
        s = (s & ~(<uint64_t>MSTATUS_SPIE)) | (MSTATUS_SPIE if s & MSTATUS_SIE else 0)
        s = (s & ~(<uint64_t>MSTATUS_SPP)) | (MSTATUS_SPP if h.priv == 1 else 0)
        s &= ~(<uint64_t>MSTATUS_SIE)
        h.vsstatus = s
        if h.priv != 1:
            tlb_flush_all(h)
        h.priv = 1
        vec = h.vstvec
    elif h.priv <= 1 and (deleg & bit):
        # into HS
        h.scause = cause | ((1ULL << 63) if interrupt else 0)
        h.sepc = pc
        h.stval = tval
        s = (s & ~(<uint64_t>MSTATUS_SPIE)) | (MSTATUS_SPIE if s & MSTATUS_SIE else 0)
        s = (s & ~(<uint64_t>MSTATUS_SPP)) | (MSTATUS_SPP if h.priv == 1 else 0)
        s &= ~(<uint64_t>MSTATUS_SIE)
        h.mstatus = s
        if h.ext & EXTM_H:
            h.htval = tval2
            h.htinst = tinst
            h.hstatus &= ~(HSTATUS_SPV | HSTATUS_GVA)
            if h.virt:
                h.hstatus = (h.hstatus & ~HSTATUS_SPVP) | HSTATUS_SPV | (
                    HSTATUS_SPVP if h.priv == 1 else 0)
            if gva:
                h.hstatus |= HSTATUS_GVA
            if h.nacl_armed:  # SBI NACL autoswap: L0 swaps hstatus back on the way to L1
                h.nacl_armed = 0
                nacl_trap_to_l1(h, h.nacl_shmem, True)
        if h.priv != 1 or h.virt:
            tlb_flush_all(h)
        if h.hs_exit:
            h.exit_reason = EXIT_HS_TRAP
        h.priv = 1
        h.virt = 0
        vec = h.stvec
    else:
        h.mcause = cause | ((1ULL << 63) if interrupt else 0)
        h.mepc = pc
        h.mtval = tval
        s = (s & ~(<uint64_t>MSTATUS_MPIE)) | (MSTATUS_MPIE if s & MSTATUS_MIE else 0)
        s = (s & ~MSTATUS_MPP) | (<uint64_t>h.priv << 11)
        s &= ~(<uint64_t>MSTATUS_MIE)
        if h.ext & EXTM_H:
            h.mtval2 = tval2
            h.mtinst = tinst
            s &= ~(MSTATUS_MPV | MSTATUS_GVA)
            if h.virt:
                s |= MSTATUS_MPV
            if gva:
                s |= MSTATUS_GVA
        h.mstatus = s
        if h.priv != 3 or h.virt:
            tlb_flush_all(h)
        if h.hs_exit:
            h.exit_reason = EXIT_HS_TRAP
        h.priv = 3
        h.virt = 0
        vec = h.mtvec
    if interrupt and (vec & 1):
        return (vec & ~3ULL) + 4 * code
    return vec & ~3ULL


cdef inline int pick_interrupt(uint64_t cand) noexcept nogil:
    """The highest-priority interrupt in cand: MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI,
    VSSI, VSTI (priv 3.1.9 and the hypervisor chapter's interrupt order)."""
    cdef int order[10]
    cdef int i
    order[0] = 11; order[1] = 3; order[2] = 7; order[3] = 9; order[4] = 1
    order[5] = 5; order[6] = 12; order[7] = 10; order[8] = 2; order[9] = 6
    for i in range(10):
        if cand & (1ULL << order[i]):
            return order[i]
    return -1


cdef int pending_interrupt(HartState* h) noexcept nogil:
    """The interrupt to take now, or -1. M-level first, then HS-level, then VS-level."""
    cdef uint64_t pend = mip_value(h) & h.mie
    cdef uint64_t cand
    if pend == 0:
        return -1
    # M-level: enabled below M, or in M with MIE
    cand = pend & ~h.mideleg
    if cand and (h.priv < 3 or (h.mstatus & MSTATUS_MIE)):
        return pick_interrupt(cand)
    # HS-level: always enabled while V=1 or in U; in HS with SIE
    cand = pend & h.mideleg & ~h.hideleg
    if cand and (h.virt or h.priv == 0 or (h.priv == 1 and (h.mstatus & MSTATUS_SIE))):
        return pick_interrupt(cand)
    # VS-level (delegated by hideleg): only while V=1, in VU or in VS with vsstatus.SIE
    cand = pend & h.mideleg & h.hideleg
    if cand and h.virt and (h.priv == 0 or (h.vsstatus & MSTATUS_SIE)):
        return pick_interrupt(cand)
    return -1


cdef uint64_t next_timer_event(HartState* h) noexcept nogil:
    """The instret at which a timer comparison next becomes true (or ~0 for never)."""
    cdef uint64_t best = 0xffffffffffffffffULL
    cdef uint64_t cmp_
    cdef uint64_t t = mtime_now(h)
    cmp_ = h.mtimecmp
    if cmp_ <= t:
        return h.instret
    if cmp_ < 0xffffffffffffffffULL // h.time_div:
        best = cmp_ * h.time_div - h.time_off
    if h.menvcfg & MENVCFG_STCE:
        if h.stimecmp <= t:
            return h.instret
        if h.stimecmp < 0xffffffffffffffffULL // h.time_div:
            cmp_ = h.stimecmp * h.time_div - h.time_off
            if cmp_ < best:
                best = cmp_
    if h.henvcfg & h.menvcfg & MENVCFG_STCE:
        # vstimecmp compares with time + htimedelta
        cmp_ = h.vstimecmp - h.htimedelta
        if cmp_ <= t:
            return h.instret
        if cmp_ < 0xffffffffffffffffULL // h.time_div:
            cmp_ = cmp_ * h.time_div - h.time_off
            if cmp_ < best:
                best = cmp_
    return best


cdef inline void set_fs_dirty(HartState* h) noexcept nogil:
    # while V=1 a change of FP state makes both mstatus.FS and vsstatus.FS Dirty (H 2.7)
    h.mstatus |= (3ULL << 13) | MSTATUS_SD
    if h.virt:
        h.vsstatus |= (3ULL << 13) | MSTATUS_SD


cdef inline bint fs_dirty(HartState* h) noexcept nogil:
    """FS is Dirty in mstatus and (V=1) in vsstatus: FP writes need not change them."""
    return (h.mstatus & MSTATUS_FS) == MSTATUS_FS and (
        not h.virt or (h.vsstatus & MSTATUS_FS) == MSTATUS_FS)


cdef inline bint fs_off(HartState* h) noexcept nogil:
    """FP instructions are illegal: FS is Off in mstatus, or (V=1) in vsstatus."""
    return (h.mstatus & MSTATUS_FS) == 0 or (h.virt and (h.vsstatus & MSTATUS_FS) == 0)


# ---- CSRs -----------------------------------------------------------------------------

cdef inline int counter_check(HartState* h, int idx) noexcept nogil:
    """cycle/time/instret/hpmcounterN below M (3.1.11, 4.1.5, H 2.6 hcounteren):
    0 allowed, 1 illegal instruction, 2 virtual instruction."""
    if h.priv < 3 and not ((h.mcounteren >> idx) & 1):
        return 1
    if h.virt and not ((h.hcounteren >> idx) & 1):
        return 2
    if h.priv == 0 and not ((h.scounteren >> idx) & 1):
        return 2 if h.virt else 1
    return 0


cdef int csr_access_check(HartState* h, uint32_t* csr) noexcept nogil:
    """Privilege rules of a CSR access (and, while V=1, the redirection of the S CSRs to
    the VS ones): 0 allowed, 1 illegal instruction, 2 virtual instruction (H 2.2, 2.11)."""
    cdef uint32_t c = csr[0]
    cdef uint32_t lvl = (c >> 8) & 3
    cdef uint64_t dummy, old_ms
    cdef int r
    if not h.virt:
        if h.priv < (1 if lvl == 2 else lvl):  # H and VS CSRs (level 2) need HS
            return 1
        if lvl == 2 and not (h.ext & EXTM_H):
            return 1
        return 0
    if lvl == 3:
        return 1
    if lvl == 2 or (lvl == 1 and h.priv == 0):
        # an H/VS CSR from VS/VU, or an S CSR from VU: virtual if HS could access it,
        # assuming mstatus.TVM = 0 (H 2.11: HS-qualified)
        h.virt = 0
        r = h.priv
        h.priv = 1
        old_ms = h.mstatus
        h.mstatus &= ~(<uint64_t>MSTATUS_TVM)
        lvl = csr_read(h, c, &dummy)
        h.mstatus = old_ms
        h.priv = <uint8_t>r
        h.virt = 1
        return 2 if lvl == 0 else 1
    if lvl == 1 and ((c >= 0x100 and c <= 0x105) or (c >= 0x140 and c <= 0x144)
                     or c == 0x14D or c == 0x180):
        csr[0] = c + 0x100  # sstatus -> vsstatus, ..., satp -> vsatp (H 2.2)
    return 0


cdef inline uint64_t read_mcycle(HartState* h) noexcept nogil:
    return h.instret - h.mcycle_off


cdef inline uint64_t read_minstret(HartState* h) noexcept nogil:
    return h.instret - h.minstret_off


cdef int csr_read(HartState* h, uint32_t csr, uint64_t* out) noexcept nogil:
    """Read a CSR. 0 on success, else 1 (illegal instruction)."""
    cdef uint64_t v = 0
    cdef int i
    i = csr_access_check(h, &csr)
    if i:
        return i
    if is_vcsr(csr):
        return v_csr_read(h, csr, out)
    if csr == CSR_FFLAGS or csr == CSR_FRM or csr == CSR_FCSR:
        if not (h.ext & EXTM_F) or fs_off(h):
            return 1
        if csr == CSR_FFLAGS:
            v = h.fflags
        elif csr == CSR_FRM:
            v = h.frm
        else:
            v = (h.frm << 5) | h.fflags
    elif csr >= CSR_CYCLE and csr <= CSR_HPMCOUNTER31:
        i = counter_check(h, csr - CSR_CYCLE)
        if i:
            return i
        if csr == CSR_CYCLE:
            v = read_mcycle(h)
        elif csr == CSR_TIME:
            v = mtime_now(h) + (h.htimedelta if h.virt else 0)
        elif csr == CSR_INSTRET:
            v = read_minstret(h)
        else:
            v = h.mhpmcounter[csr - CSR_HPMCOUNTER3]
    elif csr == CSR_SSTATUS:
        v = sd_fixup(h.mstatus) & SSTATUS_MASK
    elif csr == CSR_SIE:
        v = h.mie & h.mideleg & ~(<uint64_t>(VS_INTS | MIP_SGEIP))
    elif csr == CSR_STVEC:
        v = h.stvec
    elif csr == CSR_SCOUNTEREN:
        v = h.scounteren
    elif csr == CSR_SENVCFG:
        v = h.senvcfg
    elif csr == CSR_SSCRATCH:
        v = h.sscratch
    elif csr == CSR_SEPC:
        v = h.sepc & ~h.ialign_mask
    elif csr == CSR_SCAUSE:
        v = h.scause
    elif csr == CSR_STVAL:
        v = h.stval
    elif csr == CSR_SIP:
        v = mip_value(h) & h.mideleg & ~(<uint64_t>(VS_INTS | MIP_SGEIP))
    elif csr == CSR_STIMECMP:
        if not (h.ext & EXTM_SSTC):
            return 1
        if h.priv < 3 and not (h.menvcfg & MENVCFG_STCE and (h.mcounteren >> 1) & 1):
            return 1
        v = h.stimecmp
    elif csr == CSR_SATP:
        if h.priv == 1 and (h.mstatus & MSTATUS_TVM):
            return 1
        v = h.satp
    elif (csr >= 0x200 and csr <= 0x2ff) or (csr >= 0x600 and csr <= 0x6ff) or csr == CSR_HGEIP:
        return h_csr_read(h, csr, out)
    elif csr == CSR_MVENDORID or csr == CSR_MARCHID or csr == CSR_MIMPID or csr == CSR_MCONFIGPTR:
        v = 0
    elif csr == CSR_MHARTID:
        v = h.hartid
    elif csr == CSR_MSTATUS:
        v = sd_fixup(h.mstatus)
    elif csr == CSR_MTVAL2 or csr == CSR_MTINST:
        if not (h.ext & EXTM_H):
            return 1
        v = h.mtval2 if csr == CSR_MTVAL2 else h.mtinst
    elif csr == CSR_MISA:
        v = h.misa
    elif csr == CSR_MEDELEG:
        v = h.medeleg
    elif csr == CSR_MIDELEG:
        v = h.mideleg
    elif csr == CSR_MIE:
        v = h.mie
    elif csr == CSR_MTVEC:
        v = h.mtvec
    elif csr == CSR_MCOUNTEREN:
        v = h.mcounteren
    elif csr == CSR_MENVCFG:
        v = h.menvcfg
    elif csr == CSR_MCOUNTINHIBIT:
        v = h.mcountinhibit
    elif csr >= CSR_MHPMEVENT3 and csr <= CSR_MHPMEVENT31:
        v = h.mhpmevent[csr - CSR_MHPMEVENT3]
    elif csr == CSR_MSCRATCH:
        v = h.mscratch
    elif csr == CSR_MEPC:
        v = h.mepc & ~h.ialign_mask
    elif csr == CSR_MCAUSE:
        v = h.mcause
    elif csr == CSR_MTVAL:
        v = h.mtval
    elif csr == CSR_MIP:
        v = mip_value(h)
    elif csr >= CSR_PMPCFG0 and csr <= CSR_PMPCFG14:
        if csr & 1:
            return 1  # odd pmpcfg registers do not exist on RV64
        if csr - CSR_PMPCFG0 < NUM_PMP // 4:
            for i in range(8):
                v |= (<uint64_t>h.pmpcfg[(csr - CSR_PMPCFG0) * 4 + i]) << (8 * i)
    elif csr >= CSR_PMPADDR0 and csr <= CSR_PMPADDR63:
        if csr - CSR_PMPADDR0 < NUM_PMP:
            v = h.pmpaddr[csr - CSR_PMPADDR0]
    elif csr == CSR_MSECCFG:
        v = h.mseccfg
    elif csr == CSR_TSELECT or csr == CSR_TDATA1 or csr == CSR_TDATA2 or csr == CSR_TDATA3:
        v = 0  # Sdtrig: no triggers implemented (tdata1.type = 0 means "none here")
    elif csr == CSR_TINFO:
        v = 1  # only type 0 ("no trigger") at every index
    elif csr == CSR_MCYCLE:
        v = read_mcycle(h)
    elif csr == CSR_MINSTRET:
        v = read_minstret(h)
    elif csr >= CSR_MHPMCOUNTER3 and csr <= CSR_MHPMCOUNTER31:
        v = h.mhpmcounter[csr - CSR_MHPMCOUNTER3]
    else:
        return 1
    out[0] = v
    return 0


cdef inline uint64_t legal_tvec(uint64_t v) noexcept nogil:
    # modes >= 2 are reserved: keep the base and fall back to direct mode
    return v & ~2ULL if (v & 3) < 2 else v & ~3ULL


cdef void pmp_write_cfg(HartState* h, int i, uint8_t cfg) noexcept nogil:
    if h.pmpcfg[i] & 0x80:
        return  # locked
    if (cfg & 3) == 2:
        cfg &= ~2  # R=0 W=1 is reserved
    cfg &= 0x9f
    h.pmpcfg[i] = cfg


cdef void pmp_recompute(HartState* h) noexcept nogil:
    cdef int i
    h.pmp_active = 0
    for i in range(NUM_PMP):
        if (h.pmpcfg[i] >> 3) & 3:
            h.pmp_active = 1
    tlb_flush_all(h)


cdef int csr_write(HartState* h, uint32_t csr, uint64_t v) noexcept nogil:
    """Write a CSR (privilege already checked by csr_read). 0 ok, 1 illegal."""
    cdef uint64_t mask, old, mode
    cdef int i
    if (csr >> 10) == 3:
        return 1  # read-only CSR
    if h.virt and ((csr >= 0x100 and csr <= 0x105) or (csr >= 0x140 and csr <= 0x144)
                   or csr == 0x14D or csr == 0x180):
        csr += 0x100  # the VS CSR behind the S CSR number (as in csr_access_check)
    if is_vcsr(csr):
        return v_csr_write(h, csr, v)
    if csr == CSR_FFLAGS:
        h.fflags = v & 0x1f
        set_fs_dirty(h)
    elif csr == CSR_FRM:
        h.frm = v & 7
        set_fs_dirty(h)
    elif csr == CSR_FCSR:
        h.fflags = v & 0x1f
        h.frm = (v >> 5) & 7
        set_fs_dirty(h)
    elif csr == CSR_SSTATUS:
        mask = SSTATUS_MASK & ~((1ULL << 63) | (3ULL << 32) | (3ULL << 15))
        if not (h.ext & EXTM_F):
            mask &= ~MSTATUS_FS
        if h.vu.reg == NULL:
            mask &= ~MSTATUS_VS
        old = h.mstatus
        h.mstatus = (h.mstatus & ~mask) | (v & mask)
        if (old ^ h.mstatus) & (MSTATUS_SUM | MSTATUS_MXR):
            tlb_flush_all(h)
    elif csr == CSR_SIE:
        mask = h.mideleg & MIE_MASK & ~(<uint64_t>VS_INTS)
        h.mie = (h.mie & ~mask) | (v & mask)
    elif csr == CSR_STVEC:
        h.stvec = legal_tvec(v)
    elif csr == CSR_SCOUNTEREN:
        h.scounteren = v & 0xffffffffULL
    elif csr == CSR_SENVCFG:
        h.senvcfg = v & 1
    elif csr == CSR_SSCRATCH:
        h.sscratch = v
    elif csr == CSR_SEPC:
        h.sepc = v & ~1ULL
    elif csr == CSR_SCAUSE:
        h.scause = v
    elif csr == CSR_STVAL:
        h.stval = v
    elif csr == CSR_SIP:
        mask = h.mideleg & MIP_SSIP
        h.mip = (h.mip & ~mask) | (v & mask)
    elif csr == CSR_STIMECMP:
        h.stimecmp = v
    elif (csr >= 0x200 and csr <= 0x2ff) or (csr >= 0x600 and csr <= 0x6ff):
        return h_csr_write(h, csr, v)
    elif csr == CSR_MTVAL2:
        h.mtval2 = v
    elif csr == CSR_MTINST:
        h.mtinst = v
    elif csr == CSR_SATP:
        mode = v >> 60
        if mode == 0 or mode == 8 or mode == 9 or mode == 10:
            # ASIDLEN = 16; with mode Bare the other fields must be zero (WARL)
            h.satp = v & ((0xfULL << 60) | (0xffffULL << 44) | 0xfffffffffffULL)
            if mode == 0:
                h.satp = 0
            tlb_flush_all(h)
        # writes of an unsupported mode have no effect (4.1.11)
    elif csr == CSR_MSTATUS:
        mask = (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
                | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM
                | MSTATUS_TW | MSTATUS_TSR)
        if h.ext & EXTM_F:
            mask |= MSTATUS_FS
        if h.ext & EXTM_H:
            mask |= MSTATUS_MPV | MSTATUS_GVA
        if h.vu.reg != NULL:
            mask |= MSTATUS_VS
        old = h.mstatus
        h.mstatus = (h.mstatus & ~mask) | (v & mask)
        if ((h.mstatus >> 11) & 3) == 2:  # MPP is WARL: 2 is reserved
            h.mstatus &= ~MSTATUS_MPP
        if not (h.ext & EXTM_U):
            h.mstatus |= MSTATUS_MPP
        h.mstatus = sd_fixup(h.mstatus)
        if (old ^ h.mstatus) & (MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPP
                                | MSTATUS_MPV):
            tlb_flush_all(h)
    elif csr == CSR_MISA:
        pass  # read-only (WARL)
    elif csr == CSR_MEDELEG:
        h.medeleg = v & (MEDELEG_MASK_H if h.ext & EXTM_H else MEDELEG_MASK)
    elif csr == CSR_MIDELEG:
        h.mideleg = v & MIDELEG_MASK
        if h.ext & EXTM_H:
            h.mideleg |= VS_INTS  # read-only one with H (H 2.4)
    elif csr == CSR_MIE:
        h.mie = v & (MIE_MASK | (VS_INTS if h.ext & EXTM_H else 0))
    elif csr == CSR_MTVEC:
        h.mtvec = legal_tvec(v)
    elif csr == CSR_MCOUNTEREN:
        h.mcounteren = v & 0xffffffffULL
    elif csr == CSR_MENVCFG:
        mask = 1
        if h.ext & EXTM_SSTC:
            mask |= MENVCFG_STCE
        if h.ext & EXTM_SVADU:
            mask |= MENVCFG_ADUE
        h.menvcfg = v & mask
        h.svadu = 1 if (h.menvcfg & MENVCFG_ADUE) else 0
    elif csr == CSR_MCOUNTINHIBIT:
        h.mcountinhibit = v & 0xfffffffdULL
    elif csr >= CSR_MHPMEVENT3 and csr <= CSR_MHPMEVENT31:
        h.mhpmevent[csr - CSR_MHPMEVENT3] = v
    elif csr == CSR_MSCRATCH:
        h.mscratch = v
    elif csr == CSR_MEPC:
        h.mepc = v & ~1ULL
    elif csr == CSR_MCAUSE:
        h.mcause = v
    elif csr == CSR_MTVAL:
        h.mtval = v
    elif csr == CSR_MIP:
        mask = MIP_SSIP | MIP_SEIP
        if not (h.menvcfg & MENVCFG_STCE):
            mask |= MIP_STIP
        h.mip = (h.mip & ~mask) | (v & mask)
        if h.ext & EXTM_H:  # mip.VSSIP is an alias of hvip.VSSIP
            h.hvip = (h.hvip & ~(<uint64_t>MIP_VSSIP)) | (v & MIP_VSSIP)
    elif csr >= CSR_PMPCFG0 and csr <= CSR_PMPCFG14:
        if csr - CSR_PMPCFG0 < NUM_PMP // 4:
            for i in range(8):
                pmp_write_cfg(h, (csr - CSR_PMPCFG0) * 4 + i, (v >> (8 * i)) & 0xff)
            pmp_recompute(h)
    elif csr >= CSR_PMPADDR0 and csr <= CSR_PMPADDR63:
        i = csr - CSR_PMPADDR0
        if i < NUM_PMP:
            # locked entries, and the entry below a locked TOR entry, ignore writes
            if not (h.pmpcfg[i] & 0x80) and not (
                    i + 1 < NUM_PMP and (h.pmpcfg[i + 1] & 0x80)
                    and ((h.pmpcfg[i + 1] >> 3) & 3) == 1):
                h.pmpaddr[i] = v & 0x3fffffffffffffULL
                pmp_recompute(h)
    elif csr == CSR_MSECCFG:
        pass
    elif csr >= CSR_TSELECT and csr <= CSR_TDATA3:
        pass  # WARL: no triggers, writes are ignored
    elif csr == CSR_MCYCLE:
        h.mcycle_off = h.instret + 1 - v  # the writing instruction does not count
    elif csr == CSR_MINSTRET:
        h.minstret_off = h.instret + 1 - v
    elif csr >= CSR_MHPMCOUNTER3 and csr <= CSR_MHPMCOUNTER31:
        h.mhpmcounter[csr - CSR_MHPMCOUNTER3] = v
    else:
        return 1
    return 0


cdef uint64_t do_mret(HartState* h) noexcept nogil:
    cdef uint64_t s = h.mstatus
    cdef uint64_t mpp = (s >> 11) & 3
    cdef uint8_t mpv = 1 if (mpp != 3 and (s & MSTATUS_MPV)) else 0
    s = (s & ~(<uint64_t>MSTATUS_MIE)) | (MSTATUS_MIE if s & MSTATUS_MPIE else 0)
    s |= MSTATUS_MPIE
    s &= ~(MSTATUS_MPP | MSTATUS_MPV)
    if not (h.ext & EXTM_U):
        s |= MSTATUS_MPP
    if mpp != 3:
        s &= ~(<uint64_t>MSTATUS_MPRV)
    h.mstatus = s
    h.priv = <uint8_t>mpp
    h.virt = mpv
    h.reserved_valid = 0
    tlb_flush_all(h)
    return h.mepc & ~h.ialign_mask


cdef uint64_t do_sret(HartState* h) noexcept nogil:
    """SRET: from VS it uses vsstatus/vsepc and stays in V=1; from HS or M the new mode
    comes from hstatus.SPV and sstatus.SPP (H 2.9)."""
    cdef uint64_t s
    cdef uint8_t spp
    if h.virt:
        s = h.vsstatus
        spp = 1 if (s & MSTATUS_SPP) else 0
        s = (s & ~(<uint64_t>MSTATUS_SIE)) | (MSTATUS_SIE if s & MSTATUS_SPIE else 0)
        s |= MSTATUS_SPIE
        s &= ~(<uint64_t>MSTATUS_SPP)
        h.vsstatus = s
        h.priv = spp
        h.reserved_valid = 0
        tlb_flush_all(h)
        return h.vsepc & ~h.ialign_mask
    s = h.mstatus
    spp = 1 if (s & MSTATUS_SPP) else 0
    s = (s & ~(<uint64_t>MSTATUS_SIE)) | (MSTATUS_SIE if s & MSTATUS_SPIE else 0)
    s |= MSTATUS_SPIE
    s &= ~(<uint64_t>MSTATUS_SPP)
    s &= ~(<uint64_t>MSTATUS_MPRV)
    h.mstatus = s
    h.priv = spp
    if h.hstatus & HSTATUS_SPV:
        h.virt = 1
        h.hstatus &= ~HSTATUS_SPV
    h.reserved_valid = 0
    tlb_flush_all(h)
    return h.sepc & ~h.ialign_mask
