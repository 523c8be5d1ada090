# The world switch of a KVM-like hypervisor whose HS-mode software is Python: enter a guest
# (swap the host and guest banks, HSTATUS included, and SRET into V=1) and run it until a
# trap reaches HS; then swap back and hand Python a trap record. Modelled on Linux's
# kvm_riscv_vcpu_enter_exit / __kvm_riscv_switch_to, with the three HSTATUS strategies of
# the seed on HSTATUS (direct CSR swap, SBI NACL sync_csr, NACL autoswap). Every CSR
# access, shared-memory access and SBI call the switch makes is counted.

HSTATUS_DIRECT = 0
HSTATUS_NACL_SYNC_CSR = 1
HSTATUS_NACL_AUTOSWAP = 2
STRATEGY_NAMES = {HSTATUS_DIRECT: "direct", HSTATUS_NACL_SYNC_CSR: "nacl_sync_csr",
                  HSTATUS_NACL_AUTOSWAP: "nacl_autoswap"}

# The VS-level CSRs a vcpu_load writes and a vcpu_put reads (Linux vcpu.c), in order.
LOAD_CSRS = ("vsstatus", "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval",
             "hvip", "vsatp", "henvcfg", "hedeleg", "hideleg", "htimedelta",
             "hcounteren", "hgatp", "vstimecmp")
cdef uint32_t[16] LOAD_CSR_NUMS = [CSR_VSSTATUS, CSR_VSIE, CSR_VSTVEC, CSR_VSSCRATCH,
                                   CSR_VSEPC, CSR_VSCAUSE, CSR_VSTVAL, CSR_HVIP,
                                   CSR_VSATP, CSR_HENVCFG, CSR_HEDELEG, CSR_HIDELEG,
                                   CSR_HTIMEDELTA, CSR_HCOUNTEREN, CSR_HGATP, CSR_VSTIMECMP]

GUEST_EXIT_TRAP = 1      # a trap reached HS: the record holds scause, stval, htval, ...
GUEST_EXIT_BUDGET = 2    # the host's quantum ended (as a host timer interrupt would)
GUEST_EXIT_OTHER = 3     # the hart stopped for another reason (halt, trap loop, ...)


cdef class GuestBank:
    """One guest's register bank: what the world switch loads into the hart and saves
    back. x is a NumPy uint64[32] array (x[0] ignored); mode is 1 for VS, 0 for VU.

    FP and vector registers are not swapped here: they move only when a context policy
    says so (rvemu/kvm/simd.py), as in Linux (vcpu_load/put) or arm64 (first use). The
    switch only sets the HS-level sstatus.FS/VS the guest runs with from fs/vs (0 Off,
    1 Initial, 2 Clean, 3 Dirty) and reads them back at the exit, so Dirty shows what the
    guest changed. vlenb, if not 0, is the VLEN / 8 the guest runs with.
    The exit_* fields are the trap record of the last exit."""
    cdef public object x
    cdef public uint64_t pc, mode, fs, vs, vlenb
    cdef public uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp
    cdef public uint64_t hvip, vstimecmp, htimedelta, henvcfg, hedeleg, hideleg, hcounteren
    cdef public uint64_t hgatp, hstatus, scounteren, senvcfg, ext
    cdef public int exit_kind
    cdef public uint64_t exit_scause, exit_stval, exit_htval, exit_htinst, exit_sepc
    cdef public uint64_t exit_hstatus, exit_insns

    def __init__(self):
        self.x = np.zeros(32, dtype=np.uint64)
        self.mode = 1
        self.vstimecmp = 0xffffffffffffffffULL
        # Linux's reset value: VTW | SPVP | SPV
        self.hstatus = (1ULL << 21) | (1ULL << 8) | (1ULL << 7)
        self.vsstatus = (1ULL << 8) | (1ULL << 5)  # SPP | SPIE


cdef class WorldSwitch:
    """A host CPU's side of the switch: the HSTATUS strategy, the NACL shared memory (for
    the NACL strategies: a 4 KiB-aligned 12 KiB block of RAM), the saved host bank and
    the counters."""
    cdef public int strategy
    cdef public uint64_t shmem
    cdef public uint64_t host_hstatus, host_sstatus, host_stvec, host_sscratch
    cdef public uint64_t host_scounteren, host_senvcfg
    # counters
    cdef public uint64_t entries            # guest entries
    cdef public uint64_t h_csr_accesses     # H/VS CSR instructions (trap to L0 when nested)
    cdef public uint64_t s_csr_accesses     # S CSR instructions (never trap)
    cdef public uint64_t shmem_accesses     # NACL shared-memory words read or written
    cdef public uint64_t sbi_calls          # SBI calls (NACL SYNC_SRET)
    cdef public uint64_t sret_insns         # SRET executed by the host (traps when nested)

    def __init__(self, int strategy=HSTATUS_DIRECT, uint64_t shmem=0):
        if strategy not in STRATEGY_NAMES:
            raise ValueError(f"unknown HSTATUS strategy {strategy}")
        self.strategy = strategy
        self.shmem = shmem

    def counters(self):
        return {"strategy": STRATEGY_NAMES[self.strategy], "entries": self.entries,
                "h_csr_accesses": self.h_csr_accesses,
                "s_csr_accesses": self.s_csr_accesses,
                "shmem_accesses": self.shmem_accesses, "sbi_calls": self.sbi_calls,
                "sret_insns": self.sret_insns}

    def reset_counters(self):
        self.entries = self.h_csr_accesses = self.s_csr_accesses = 0
        self.shmem_accesses = self.sbi_calls = self.sret_insns = 0


cdef inline void nacl_write_csr(HartState* h, uint64_t shmem, uint32_t csr, uint64_t v) noexcept nogil:
    cdef uint32_t slot = nacl_slot(csr)
    nacl_word(h, shmem, NACL_CSRS + 8 * slot)[0] = v
    (<uint8_t*>nacl_word(h, shmem, NACL_DIRTY))[slot >> 3] |= <uint8_t>(1 << (slot & 7))


cdef void bank_to_hart_csrs(HartState* h, GuestBank g) noexcept:
    h.vsstatus = g.vsstatus
    h.mie = (h.mie & ~(<uint64_t>VS_INTS)) | ((g.vsie << 1) & g.hideleg & VS_INTS)
    # KVM loads these with CSR writes, so their WARL rules apply (an odd epc from ONE_REG
    # reaches the guest even)
    h.vstvec = legal_tvec(g.vstvec)
    h.vsscratch = g.vsscratch
    h.vsepc = g.vsepc & ~1ULL
    h.vscause = g.vscause
    h.vstval = g.vstval
    h.hvip = g.hvip & VS_INTS
    h.vsatp = g.vsatp
    h.henvcfg = g.henvcfg
    h.hedeleg = g.hedeleg & HEDELEG_MASK
    h.hideleg = g.hideleg & VS_INTS
    h.htimedelta = g.htimedelta
    h.hcounteren = g.hcounteren & 0xffffffffULL
    h.hgatp = g.hgatp
    h.vstimecmp = g.vstimecmp


cdef void hart_to_bank_csrs(HartState* h, GuestBank g) noexcept:
    g.vsstatus = h.vsstatus
    g.vsie = (h.mie & h.hideleg & VS_INTS) >> 1
    g.vstvec = h.vstvec
    g.vsscratch = h.vsscratch
    g.vsepc = h.vsepc
    g.vscause = h.vscause
    g.vstval = h.vstval
    g.hvip = h.hvip
    g.vsatp = h.vsatp
    g.henvcfg = h.henvcfg
    g.hedeleg = h.hedeleg
    g.hideleg = h.hideleg
    g.htimedelta = h.htimedelta
    g.hcounteren = h.hcounteren
    g.hgatp = h.hgatp
    g.vstimecmp = h.vstimecmp


cdef int world_switch(Hart hart, GuestBank g, WorldSwitch ws, uint64_t max_insns,
                      bint load_csrs, bint put_csrs) except -1:
    cdef HartState* h = hart.h
    cdef uint64_t[::1] gx = g.x
    cdef uint64_t shmem = ws.shmem
    cdef int strategy = ws.strategy
    cdef int i, r
    cdef uint64_t saved_ext = h.ext
    cdef VuExt saved_vu_ext = vu_ext_get(&h.vu)
    cdef bint ext_changed
    cdef uint64_t vals[16]
    cdef uint64_t start
    cdef uint32_t host_vlenb = h.vu.vlenb
    if not (h.ext & EXTM_H):
        raise ValueError("the world switch needs a hart with the H extension")
    if h.virt or h.priv != 1:
        raise ValueError("the world switch runs from HS-mode (priv 1, V=0)")
    if strategy != HSTATUS_DIRECT and not nacl_shmem_ok(h, shmem):
        raise ValueError(f"NACL shared memory {shmem:#x} is not a 4 KiB-aligned "
                         f"{NACL_SHMEM_SIZE:#x}-byte block of RAM")
    if g.mode > 1:
        raise ValueError("guest mode must be 0 (VU) or 1 (VS)")
    ws.entries += 1
    # ---- vcpu_load: the guest's VS-level CSRs (through the shared memory with NACL) ----
    if load_csrs:
        if strategy == HSTATUS_DIRECT:
            bank_to_hart_csrs(h, g)
            ws.h_csr_accesses += 16
        else:
            vals[0] = g.vsstatus; vals[1] = g.vsie; vals[2] = g.vstvec
            vals[3] = g.vsscratch; vals[4] = g.vsepc; vals[5] = g.vscause
            vals[6] = g.vstval; vals[7] = g.hvip; vals[8] = g.vsatp; vals[9] = g.henvcfg
            vals[10] = g.hedeleg; vals[11] = g.hideleg; vals[12] = g.htimedelta
            vals[13] = g.hcounteren; vals[14] = g.hgatp; vals[15] = g.vstimecmp
            # hideleg must land before vsie (vsie is masked by it): write it twice
            nacl_write_csr(h, shmem, CSR_HIDELEG, g.hideleg)
            nacl_sync_csr(h, shmem, CSR_HIDELEG)
            for i in range(16):
                nacl_write_csr(h, shmem, LOAD_CSR_NUMS[i], vals[i])
            ws.shmem_accesses += 2 * 16 + 2
    # ---- the guest's ISA: a disabled extension must trap in the guest ----
    ext_changed = g.ext != 0 and g.ext != h.ext
    if ext_changed:
        h.ext = g.ext
        vu_ext_set(&h.vu, vu_ext_of(g.ext))   # the vector unit's own checks (rv_zvk.pxi)
        hart.flush_decode_cache()
    # ---- swap in the S CSRs the guest shares with the host (Linux swap_in_guest_state,
    # __kvm_riscv_switch_to): scounteren, senvcfg, sstatus, stvec, sscratch, sepc ----
    ws.host_scounteren = h.scounteren
    ws.host_senvcfg = h.senvcfg
    ws.host_sstatus = h.mstatus
    ws.host_stvec = h.stvec
    ws.host_sscratch = h.sscratch
    h.scounteren = g.scounteren & 0xffffffffULL
    h.senvcfg = g.senvcfg & 1
    h.mstatus = (h.mstatus & ~(<uint64_t>(MSTATUS_SPP | MSTATUS_SIE))) | (
        MSTATUS_SPP if g.mode else 0) | MSTATUS_SPIE
    h.sepc = g.pc & ~1ULL  # a CSR write: sepc[0] is always 0, so SRET enters at an even pc
    ws.s_csr_accesses += 6
    # ---- HSTATUS, by strategy ----
    if strategy == HSTATUS_DIRECT:
        ws.host_hstatus = h.hstatus
        h.hstatus = (g.hstatus & HSTATUS_MASK) | HSTATUS_SPV
        h.hstatus = (h.hstatus & ~HSTATUS_SPVP) | (HSTATUS_SPVP if g.mode else 0)
        ws.h_csr_accesses += 1
    elif strategy == HSTATUS_NACL_SYNC_CSR:
        ws.host_hstatus = nacl_word(h, shmem, NACL_CSRS + 8 * nacl_slot(CSR_HSTATUS))[0]
        nacl_write_csr(h, shmem, CSR_HSTATUS, (g.hstatus | HSTATUS_SPV) & ~HSTATUS_SPVP
                       | (HSTATUS_SPVP if g.mode else 0))
        ws.shmem_accesses += 3
    else:
        ws.host_hstatus = nacl_word(h, shmem, NACL_CSRS + 8 * nacl_slot(CSR_HSTATUS))[0]
        nacl_word(h, shmem, NACL_AUTOSWAP + 8)[0] = (g.hstatus | HSTATUS_SPV) & ~HSTATUS_SPVP \
            | (HSTATUS_SPVP if g.mode else 0)
        nacl_word(h, shmem, NACL_AUTOSWAP)[0] = 1
        ws.shmem_accesses += 3
    # ---- HS-level FS/VS for the guest (the context policy's choice), its VLEN ----
    h.mstatus = (h.mstatus & ~(MSTATUS_FS | MSTATUS_VS)) | ((g.fs & 3) << 13)
    if h.vu.reg != NULL:
        h.mstatus |= (g.vs & 3) << 9
        host_vlenb = h.vu.vlenb
        if g.vlenb and g.vlenb != host_vlenb:
            h.vu.vlenb = <uint32_t>g.vlenb
            rvv_set_vtype(&h.vu, h.vu.vtype)
    h.mstatus = sd_fixup(h.mstatus)
    # ---- guest GPRs, then SRET into V=1 ----
    if strategy == HSTATUS_DIRECT:
        for i in range(1, 32):
            h.x[i] = gx[i]
        h.pc = do_sret(h)
        ws.sret_insns += 1
    else:
        for i in range(1, 32):
            nacl_word(h, shmem, NACL_SRET + 8 * i)[0] = gx[i]
        ws.shmem_accesses += 31
        ws.sbi_calls += 1  # SYNC_SRET: L0 syncs the CSRs, restores x1..x31 and SRETs
        h.pc = nacl_sync_sret(h, shmem, strategy == HSTATUS_NACL_AUTOSWAP)
    # ---- run until a trap reaches HS (or the quantum ends) ----
    h.hs_exit = 1
    start = h.instret
    r = hart.run(max_insns)
    h.hs_exit = 0
    g.exit_insns = h.instret - start
    if r == EXIT_HS_TRAP:
        g.exit_kind = GUEST_EXIT_TRAP
        if strategy == HSTATUS_NACL_SYNC_CSR:
            nacl_publish_csrs(h, shmem)  # (autoswap: the trap entry did it, with the swap)
        g.exit_scause = h.scause
        g.exit_stval = h.stval
        g.exit_sepc = h.sepc
        ws.s_csr_accesses += 3
        if strategy == HSTATUS_DIRECT:
            g.exit_htval = h.htval
            g.exit_htinst = h.htinst
            ws.h_csr_accesses += 2
        else:  # htval/htinst from the shared memory
            g.exit_htval = nacl_word(h, shmem, NACL_CSRS + 8 * nacl_slot(CSR_HTVAL))[0]
            g.exit_htinst = nacl_word(h, shmem, NACL_CSRS + 8 * nacl_slot(CSR_HTINST))[0]
            ws.shmem_accesses += 2
        g.pc = h.sepc
        g.mode = 1 if (h.mstatus & MSTATUS_SPP) else 0
    else:
        # stopped while the guest ran (quantum, halt, ...): leave V=1 as an interrupt
        # into HS would, without touching the guest's state
        h.nacl_armed = 0
        g.exit_kind = GUEST_EXIT_BUDGET if r == EXIT_BUDGET else GUEST_EXIT_OTHER
        g.exit_scause = g.exit_stval = g.exit_htval = g.exit_htinst = 0
        g.pc = h.pc
        g.mode = h.priv if h.virt else g.mode
        g.exit_sepc = h.pc
        if h.virt:
            h.hstatus = (h.hstatus & ~HSTATUS_SPVP) | HSTATUS_SPV | (
                HSTATUS_SPVP if h.priv == 1 else 0)
            h.virt = 0
            h.priv = 1
            tlb_flush_all(h)
    # ---- HSTATUS back ----
    if strategy == HSTATUS_DIRECT or strategy == HSTATUS_NACL_SYNC_CSR:
        # (Linux restores the real CSR even on the sync_csr path)
        g.hstatus = h.hstatus
        h.hstatus = ws.host_hstatus & HSTATUS_MASK
        ws.h_csr_accesses += 1
    else:
        nacl_word(h, shmem, NACL_AUTOSWAP)[0] = 0
        # L0 swapped on the trap: the guest's hstatus is in the AUTOSWAP word; a quantum
        # end did not trap, so the guest's is still live in the hart
        if r == EXIT_HS_TRAP:
            g.hstatus = nacl_word(h, shmem, NACL_AUTOSWAP + 8)[0]
        else:
            g.hstatus = h.hstatus
            h.hstatus = ws.host_hstatus & HSTATUS_MASK
        ws.shmem_accesses += 2
    g.exit_hstatus = g.hstatus
    # ---- guest registers out, host S CSRs back ----
    for i in range(1, 32):
        gx[i] = h.x[i]
    gx[0] = 0
    g.fs = (h.mstatus >> 13) & 3
    if h.vu.reg != NULL:
        g.vs = (h.mstatus >> 9) & 3
        if h.vu.vlenb != host_vlenb:
            h.vu.vlenb = host_vlenb
            rvv_set_vtype(&h.vu, h.vu.vtype)
    h.scounteren = ws.host_scounteren
    h.senvcfg = ws.host_senvcfg
    h.mstatus = (h.mstatus & ~(<uint64_t>(MSTATUS_SPP | MSTATUS_SIE | MSTATUS_SPIE
                                          | MSTATUS_FS | MSTATUS_VS))) | (
        ws.host_sstatus & (MSTATUS_SPP | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_FS
                           | MSTATUS_VS))
    h.mstatus = sd_fixup(h.mstatus)
    h.stvec = ws.host_stvec
    h.sscratch = ws.host_sscratch
    ws.s_csr_accesses += 5
    hart_to_bank_csrs(h, g)
    if put_csrs:  # vcpu_put reads the VS CSRs back (from the shared memory with NACL)
        if strategy == HSTATUS_DIRECT:
            ws.h_csr_accesses += 16
        else:
            ws.shmem_accesses += 16
    if ext_changed:
        h.ext = saved_ext
        vu_ext_set(&h.vu, saved_vu_ext)
        hart.flush_decode_cache()
    return r
