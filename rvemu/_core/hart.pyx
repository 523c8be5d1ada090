# cython: language_level=3
"""The RV64 hart: one compilation unit so the C compiler can inline across extensions.

Python sees :class:`Hart`, a thin owner of a C ``HartState``; everything on the hot path
is ``nogil`` C reached through raw pointers (see DESIGN.md, "The hart").
"""
from libc.stdint cimport (uint8_t, uint16_t, uint32_t, uint64_t, int8_t, int16_t,
                          int32_t, int64_t, uintptr_t)
cimport cython
from libc.string cimport memcpy, memset
from libc.stdlib cimport calloc, free

import numpy as np

cdef extern from *:
    int __builtin_ctzll(unsigned long long) noexcept nogil

cdef extern from "rvc.h":
    uint32_t rvc_expand(uint32_t c) noexcept nogil

include "_generated.pxi"
include "mem.pxi"
include "mmu.pxi"
include "priv.pxi"
include "decode.pxi"
include "lsu.pxi"
include "rv_a.pxi"
include "rv_f.pxi"
include "rv_v.pxi"
include "rv_zvk.pxi"
include "system.pxi"
include "rv_h.pxi"
include "nacl.pxi"
include "loop.pxi"
include "worldswitch.pxi"

EXIT_REASONS = {
    EXIT_NONE: "none", EXIT_BUDGET: "budget", EXIT_HALT: "halt", EXIT_ECALL: "ecall",
    EXIT_MMIO: "mmio", EXIT_IDLE: "idle", EXIT_OUTPUT: "output", EXIT_EBREAK: "ebreak",
    EXIT_RESET: "reset", EXIT_TRAP_LOOP: "trap_loop",
}


# The HartState lives in _buf: the cycle collector must not clear it (and the RAM) before
# __dealloc__ has run, which it would do when a Hart is part of a reference cycle.
@cython.no_gc_clear
cdef class Hart:
    """One RV64 hart over a RAM buffer owned by the caller (a NumPy uint8 array)."""
    cdef HartState* h
    cdef object _buf       # NumPy array holding the HartState (zero-copy register views)
    cdef object _ram       # the RAM array, kept alive while the hart uses it
    cdef uint64_t _npages
    cdef readonly object x      # NumPy uint64 view of x0..x31 (and the x0 sink)
    cdef readonly object f      # NumPy uint64 view of f0..f31
    cdef readonly object v      # NumPy uint8 (32, vlenb) view of v0..v31 (None without V/Zve*)
    cdef object _tlog           # trace mode: the vector unit's element-access log

    def __cinit__(self, ram, uint64_t ram_base, uint64_t ext_mask, uint64_t misa,
                  uint64_t hartid=0, uint64_t time_div=100, bint misaligned_hw=False,
                  uint32_t vlen=0):
        cdef uintptr_t addr
        cdef uint64_t off
        cdef int i
        if not isinstance(ram, np.ndarray) or ram.dtype != np.uint8 or not ram.flags.c_contiguous:
            raise TypeError("ram must be a C-contiguous NumPy uint8 array")
        if ram.size == 0 or ram.size % 4096:
            raise ValueError("ram size must be a non-zero multiple of 4096")
        self._buf = np.zeros(sizeof(HartState) + 64, dtype=np.uint8)
        addr = <uintptr_t>self._buf.ctypes.data
        off = (64 - (addr & 63)) & 63
        self.h = <HartState*>(addr + off)
        self.x = self._buf[off + <uintptr_t>&self.h.x[0] - <uintptr_t>self.h:][:33 * 8].view(np.uint64)
        self.f = self._buf[off + <uintptr_t>&self.h.f[0] - <uintptr_t>self.h:][:32 * 8].view(np.uint64)
        self._ram = ram
        self._npages = ram.size // 4096
        self.h.ram = <uint8_t*><uintptr_t>ram.ctypes.data
        self.h.ram_base = ram_base
        self.h.ram_size = ram.size
        self.h.dpages = <Insn**>calloc(self._npages, sizeof(Insn*))
        self.h.code_page = <uint8_t*>calloc(self._npages, 1)
        if self.h.dpages == NULL or self.h.code_page == NULL:
            raise MemoryError("cannot allocate the decode cache")
        self.h.ext = ext_mask
        self.h.misa = misa
        self.h.hartid = hartid
        self.h.time_div = time_div if time_div else 1
        self.h.misaligned_hw = misaligned_hw
        self.h.ialign_mask = 0 if (ext_mask & EXTM_C) else 2
        self.h.exc_slot.op = OP_EXCEPTION
        self.v = None
        if ext_mask & EXTM_ZVE32X:
            # the vector register file exists only with a vector extension: 32 x vlenb bytes
            if vlen < 32 or vlen > 65536 or (vlen & (vlen - 1)):
                raise ValueError(f"VLEN must be a power of two from 32 to 65536, not {vlen}")
            self.v = np.zeros((32, vlen // 8), dtype=np.uint8)
            self.h.vu.reg = <uint8_t*><uintptr_t>self.v.ctypes.data
            self.h.vu.vlenb = vlen // 8
            self.h.vu.elen_l = 3 if ext_mask & EXTM_ZVE64X else 2
            self.h.vu.fp_sl = ((2 if ext_mask & EXTM_ZVFH else 0) | (4 if ext_mask & EXTM_ZVE32F else 0)
                               | (8 if ext_mask & EXTM_ZVE64D else 0))
            self.h.vu.zvfhmin = (ext_mask & EXTM_ZVFHMIN) != 0
            self.h.vu.zvfbfmin = (ext_mask & EXTM_ZVFBFMIN) != 0
            self.h.vu.zvfbfwma = (ext_mask & EXTM_ZVFBFWMA) != 0
            self.h.vu.full_v = (ext_mask & EXTM_V) != 0
            self.h.vu.zvk_ext = zvk_ext_of(ext_mask)
            self._alloc_tlog()
        elif vlen:
            raise ValueError("a VLEN needs a vector extension (V or Zve*)")
        for i in range(3):
            self.h.refetch[i].op = OP_PAGE_END
            self.h.tmp_insn[i].op = OP_PAGE_END
        self.reset(ram_base)

    def __dealloc__(self):
        cdef uint64_t i
        if self.h != NULL and self.h.dpages != NULL:
            for i in range(self._npages):
                if self.h.dpages[i] != NULL:
                    free(self.h.dpages[i])
            free(self.h.dpages)
            free(self.h.code_page)
            self.h.dpages = NULL

    def reset(self, uint64_t pc, uint64_t a0=0, uint64_t a1=0, int priv=3):
        """Architectural reset: M-mode (or priv), registers zero, pc, a0 and a1 set."""
        cdef HartState* h = self.h
        memset(h.x, 0, sizeof(h.x))
        memset(h.f, 0, sizeof(h.f))
        h.pc = pc
        h.priv = priv
        h.x[10] = a0
        h.x[11] = a1
        h.mstatus = (2ULL << 32) | (2ULL << 34)  # UXL = SXL = 64
        h.mtvec = h.stvec = h.mepc = h.sepc = h.mcause = h.scause = h.mtval = h.stval = 0
        h.medeleg = h.mideleg = h.mie = h.mip = h.satp = 0
        h.mcounteren = h.scounteren = h.menvcfg = h.senvcfg = h.mcountinhibit = 0
        h.mtimecmp = 0xffffffffffffffffULL
        h.stimecmp = 0xffffffffffffffffULL
        h.msip = 0
        h.fflags = h.frm = 0
        if h.vu.reg != NULL:  # vtype.vill = 1, vl = 0 (unpriv "Vector extension reset")
            memset(h.vu.reg, 0, 32 * h.vu.vlenb)
            rvv_set_vtype(&h.vu, 1ULL << 63)
            h.vu.vl = h.vu.vstart = 0
            h.vu.vxrm = h.vu.vxsat = 0
        h.reserved_valid = 0
        h.virt = 0
        h.hstatus = h.hedeleg = h.hideleg = h.hvip = h.hcounteren = h.henvcfg = 0
        h.htimedelta = h.htval = h.htinst = h.hgatp = h.mtval2 = h.mtinst = 0
        h.vsstatus = h.vstvec = h.vsscratch = h.vsepc = h.vscause = h.vstval = h.vsatp = 0
        h.vstimecmp = 0xffffffffffffffffULL
        h.trap_tval2 = h.trap_tinst = 0
        h.trap_gva = h.hyp_access = 0
        h.nacl_armed = 0
        if h.ext & EXTM_H:
            h.mideleg = VS_INTS  # read-only one with H
        memset(h.pmpcfg, 0, sizeof(h.pmpcfg))
        memset(h.pmpaddr, 0, sizeof(h.pmpaddr))
        memset(h.plic_priority, 0, sizeof(h.plic_priority))
        h.plic_pending = h.plic_claimed = 0
        h.plic_enable[0] = h.plic_enable[1] = 0
        h.plic_threshold[0] = h.plic_threshold[1] = 0
        h.pmp_active = 0
        h.exit_reason = EXIT_NONE
        h.trap_repeat = 0
        h.bp_skip = 0xffffffffffffffffULL
        h.last_trap_instret = 0xffffffffffffffffULL
        self.flush_decode_cache()

    def flush_decode_cache(self):
        """Forget every decoded instruction and every TLB entry."""
        cdef uint64_t i
        for i in range(self._npages):
            if self.h.dpages[i] != NULL:
                memset(self.h.dpages[i], 0, 2048 * sizeof(Insn))
            self.h.code_page[i] = 0
        tlb_flush_all(self.h)

    def invalidate_code(self, uint64_t pa, uint64_t size):
        """The host wrote guest RAM [pa, pa+size): drop decodes of the pages it touched."""
        cdef uint64_t p, first, last
        if size == 0 or pa + size <= self.h.ram_base or pa >= self.h.ram_base + self.h.ram_size:
            return
        first = (max(pa, self.h.ram_base) - self.h.ram_base) >> 12
        last = (min(pa + size, self.h.ram_base + self.h.ram_size) - 1 - self.h.ram_base) >> 12
        for p in range(first, last + 1):
            if self.h.code_page[p]:
                invalidate_code_page(self.h, p)

    def guest_translate(self, uint64_t va, uint64_t vsatp, uint64_t hgatp, int mode=1,
                        bint write=False, bint fetch=False):
        """The host physical address a guest access at va would reach through vsatp and
        hgatp (mode 1 = VS, 0 = VU), or None if it would fault: how a hypervisor reads a
        guest's instruction or memory. A debugger's walk: no A/D updates, no PMP."""
        cdef HartState* h = self.h
        cdef uint64_t pa, psize
        cdef uint64_t saved_vsatp = h.vsatp, saved_hgatp = h.hgatp
        cdef int acc = ACC_FETCH if fetch else (ACC_STORE if write else ACC_LOAD)
        cdef int r
        if mode not in (0, 1):
            raise ValueError("mode must be 0 (VU) or 1 (VS)")
        h.vsatp = vsatp
        h.hgatp = hgatp
        h.debug_walk = 1
        try:
            r = translate(h, va, acc, mode, 1, False, &pa, &psize)
        finally:
            h.debug_walk = 0
            h.vsatp = saved_vsatp
            h.hgatp = saved_hgatp
            h.trap_tval2 = h.trap_tinst = 0
        return None if r else pa

    def enter_guest(self, GuestBank bank, WorldSwitch ws, uint64_t max_insns,
                    bint load_csrs=True, bint put_csrs=True):
        """Enter the guest in bank from HS-mode, run it for at most max_insns
        instructions, and come back on the first trap into HS (or when the quantum
        ends). Returns the hart's exit reason; bank holds the guest's state and the trap
        record (exit_kind, exit_scause, exit_stval, exit_htval, exit_htinst, exit_sepc,
        exit_hstatus); ws counts what the switch did. load_csrs/put_csrs: do a vcpu_load
        before and a vcpu_put after (the VS CSRs cross the switch)."""
        return world_switch(self, bank, ws, max_insns, load_csrs, put_csrs)

    def nacl_sync_csr(self, uint64_t shmem, int64_t csr=-1):
        """SBI NACL SYNC_CSR on the shared memory at shmem (L0 side); number of CSRs written."""
        if not nacl_shmem_ok(self.h, shmem):
            raise ValueError("bad NACL shared memory address")
        return nacl_sync_csr(self.h, shmem, csr)

    def nacl_sync_hfence(self, uint64_t shmem, int64_t entry=-1):
        """SBI NACL SYNC_HFENCE (L0 side); number of entries processed."""
        if not nacl_shmem_ok(self.h, shmem):
            raise ValueError("bad NACL shared memory address")
        return nacl_sync_hfence(self.h, shmem, entry)

    def nacl_sync_sret(self, uint64_t shmem, bint autoswap=True):
        """SBI NACL SYNC_SRET (L0 side): sync, restore x1..x31, swap hstatus, SRET."""
        if not nacl_shmem_ok(self.h, shmem):
            raise ValueError("bad NACL shared memory address")
        self.h.pc = nacl_sync_sret(self.h, shmem, autoswap)
        self.h.check_now = 1

    def nacl_trap_to_l1(self, uint64_t shmem, bint autoswap=True):
        """L0 side of a trap back into the L1 hypervisor: autoswap hstatus back, publish
        the H CSRs into the shared memory."""
        if not nacl_shmem_ok(self.h, shmem):
            raise ValueError("bad NACL shared memory address")
        nacl_trap_to_l1(self.h, shmem, autoswap)

    def run(self, uint64_t max_insns):
        """Run up to max_insns instructions; returns the exit reason (an EXIT_* int)."""
        cdef int r
        cdef HartState* h = self.h
        with nogil:
            r = run_loop(h, max_insns)
        return r

    # ---- state access ------------------------------------------------------------------
    property pc:
        def __get__(self):
            return self.h.pc
        def __set__(self, uint64_t v):
            self.h.pc = v

    property priv:
        def __get__(self):
            return self.h.priv
        def __set__(self, int v):
            if v not in (0, 1, 3):
                raise ValueError("privilege must be 0 (U), 1 (S) or 3 (M)")
            if v != self.h.priv:
                tlb_flush_all(self.h)
            self.h.priv = v

    property virt:
        """The V bit (hypervisor extension): 1 while in VS or VU mode."""
        def __get__(self):
            return self.h.virt
        def __set__(self, int v):
            if v and not (self.h.ext & EXTM_H):
                raise ValueError("V=1 needs the H extension")
            if v and self.h.priv == 3:
                raise ValueError("V=1 is only defined in S or U mode")
            if (v != 0) != (self.h.virt != 0):
                tlb_flush_all(self.h)
            self.h.virt = 1 if v else 0

    property vlenb:
        def __get__(self):
            """VLEN / 8, or 0 without a vector extension."""
            return self.h.vu.vlenb if self.h.vu.reg != NULL else 0

    property vector_csrs:
        """(vstart, vl, vtype, vcsr) of the vector unit, for a hypervisor saving or
        restoring a context; setting vtype recomputes VLMAX (an illegal vtype sets vill),
        vl is clamped to it and vstart to log2(VLEN) bits."""
        def __get__(self):
            if self.h.vu.reg == NULL:
                raise ValueError("this hart has no vector unit")
            return (self.h.vu.vstart, self.h.vu.vl, self.h.vu.vtype,
                    (self.h.vu.vxrm << 1) | self.h.vu.vxsat)
        def __set__(self, value):
            cdef uint64_t vstart, vl, vtype, vcsr
            if self.h.vu.reg == NULL:
                raise ValueError("this hart has no vector unit")
            vstart, vl, vtype, vcsr = value
            rvv_set_vtype(&self.h.vu, vtype)
            # as a vsetvl would restore them (and a vstart write): vl at most VLMAX,
            # vstart in log2(VLEN) bits, so no value takes the unit past its registers
            self.h.vu.vl = vl if vl <= self.h.vu.vlmax else self.h.vu.vlmax
            self.h.vu.vstart = vstart & (<uint64_t>self.h.vu.vlenb * 8 - 1)
            self.h.vu.vxrm = (vcsr >> 1) & 3
            self.h.vu.vxsat = vcsr & 1

    property vector_agnostic_ones:
        """Agnostic policy: True writes all ones into tail/inactive elements whose vtype
        says agnostic (as Spike's and QEMU's option); False (default) leaves them undisturbed."""
        def __get__(self):
            return bool(self.h.vu.ones)
        def __set__(self, bint value):
            self.h.vu.ones = value

    def set_vlen(self, uint32_t vlen):
        """Change VLEN (a power of two, 32..65536, at least ELEN) of a hart with a vector
        unit, as a hypervisor giving a guest a shorter vector length would: the register
        file is reallocated and zeroed, vtype becomes vill and vl, vstart 0. The old
        ``Hart.v`` view stays valid memory but is no longer the register file."""
        if self.h.vu.reg == NULL:
            raise ValueError("this hart has no vector unit")
        if vlen < 32 or vlen > 65536 or (vlen & (vlen - 1)) or vlen < (8 << self.h.vu.elen_l):
            raise ValueError(f"VLEN must be a power of two from {8 << self.h.vu.elen_l} to 65536, not {vlen}")
        self.v = np.zeros((32, vlen // 8), dtype=np.uint8)
        self.h.vu.reg = <uint8_t*><uintptr_t>self.v.ctypes.data
        self.h.vu.vlenb = vlen // 8
        rvv_set_vtype(&self.h.vu, 1ULL << 63)
        self.h.vu.vl = self.h.vu.vstart = 0
        self._alloc_tlog()

    def _alloc_tlog(self):
        # an instruction moves at most 8 registers: at most 8 x vlenb element accesses
        cap = 8 * self.h.vu.vlenb
        self._tlog = np.zeros(3 * cap, dtype=np.uint64)
        self.h.vu.tlog = <uint64_t*><uintptr_t>self._tlog.ctypes.data
        self.h.vu.tlog_cap = cap
        self.h.vu.tlog_n = 0

    def vector_mem_log(self):
        """Trace mode (step_log): the element accesses of the last vector load/store, in
        order, as (address, size, is_store, data) tuples; then forgets them."""
        cdef uint32_t i, n = self.h.vu.tlog_n
        out = []
        for i in range(n):
            out.append((self.h.vu.tlog[3 * i], self.h.vu.tlog[3 * i + 2] & 0xff,
                        bool(self.h.vu.tlog[3 * i + 2] >> 8), self.h.vu.tlog[3 * i + 1]))
        self.h.vu.tlog_n = 0
        return out

    def vector_state(self):
        """The vector CSRs as a dict (None without a vector unit): vl, vtype, vstart, vxrm,
        vxsat, vlenb. For hosts (KVM ONE_REG, snapshots); no mstatus.VS check."""
        if self.h.vu.reg == NULL:
            return None
        return dict(vl=self.h.vu.vl, vtype=self.h.vu.vtype, vstart=self.h.vu.vstart,
                    vxrm=self.h.vu.vxrm, vxsat=self.h.vu.vxsat, vlenb=self.h.vu.vlenb)

    def set_vector_state(self, vl=None, vtype=None, vstart=None, vxrm=None, vxsat=None):
        """Restore vector CSRs from a host (vl and vtype are read-only to the guest): vtype
        is validated as vset{i}vl{i} would (an unsupported one becomes vill with vl 0), vl
        must not exceed the resulting VLMAX. ValueError otherwise."""
        cdef RvvState* u = &self.h.vu
        if u.reg == NULL:
            raise ValueError("this hart has no vector unit")
        if vtype is not None:
            rvv_set_vtype(u, vtype)
            if u.vill:
                u.vl = 0
        if vl is not None:
            if vl > u.vlmax:
                raise ValueError(f"vl={vl} exceeds VLMAX={u.vlmax} of vtype {u.vtype:#x}")
            u.vl = vl
        if vstart is not None:
            if vstart >= u.vlenb * 8:
                raise ValueError(f"vstart={vstart} does not fit VLEN={u.vlenb * 8}")
            u.vstart = vstart
        if vxrm is not None:
            u.vxrm = vxrm & 3
        if vxsat is not None:
            u.vxsat = vxsat & 1

    property instret:
        def __get__(self):
            return self.h.instret

    property traps:
        def __get__(self):
            return self.h.stat_traps

    property trap_info:
        def __get__(self):
            """(mcause, mepc, mtval, scause, sepc, stval) of the latest traps."""
            return (self.h.mcause, self.h.mepc, self.h.mtval, self.h.scause, self.h.sepc,
                    self.h.stval)

    property exit_code:
        def __get__(self):
            return self.h.exit_code

    property exit_reason:
        def __get__(self):
            return self.h.exit_reason

    property ext_mask:
        def __get__(self):
            return self.h.ext

    property sbi_exits:
        def __get__(self):
            return bool(self.h.sbi_exits)
        def __set__(self, bint v):
            self.h.sbi_exits = v

    property wfi_exit:
        def __get__(self):
            return bool(self.h.wfi_exit)
        def __set__(self, bint v):
            self.h.wfi_exit = v

    property step_log:
        def __get__(self):
            return bool(self.h.step_log)
        def __set__(self, bint v):
            self.h.step_log = v
            tlb_flush(&self.h.rtlb)
            tlb_flush(&self.h.wtlb)

    property mtime:
        def __get__(self):
            return mtime_now(self.h)

    property time_phase:
        """How far into the current mtime tick the hart is, in instructions (0 to
        time_div - 1). Setting it moves time forward by less than one tick, so time
        never goes back (a restored snapshot takes its ticks up at the same point)."""
        def __get__(self):
            return (self.h.instret + self.h.time_off) % self.h.time_div
        def __set__(self, uint64_t phase):
            cdef uint64_t now
            if phase >= self.h.time_div:
                raise ValueError(f"a time phase is below time_div ({self.h.time_div})")
            now = (self.h.instret + self.h.time_off) % self.h.time_div
            self.h.time_off += (phase + self.h.time_div - now) % self.h.time_div
            self.h.check_now = 1

    property time_div:
        """Retired instructions per mtime tick."""
        def __get__(self):
            return self.h.time_div

    def advance_time(self, uint64_t ticks):
        """Move mtime forward by ticks (an idle hart skipping to its next timer event)."""
        self.h.time_off += ticks * self.h.time_div
        self.h.check_now = 1

    def set_htif(self, uint64_t tohost, uint64_t fromhost):
        """Watch stores to tohost (Spike's HTIF); 0 disables."""
        self.h.tohost = tohost if in_ram(self.h, tohost, 8) else 0
        self.h.fromhost = fromhost if in_ram(self.h, fromhost, 8) else 0
        tlb_flush(&self.h.wtlb)

    def csr_read(self, uint32_t csr):
        """Read a CSR as M-mode would (debugger access); KeyError if it does not exist.
        The FP CSRs are readable even while mstatus.FS is Off; nothing else changes."""
        cdef uint64_t v
        cdef uint8_t saved = self.h.priv
        cdef uint8_t saved_virt = self.h.virt
        cdef uint64_t saved_status = self.h.mstatus
        cdef bint fp_csr = csr == CSR_FFLAGS or csr == CSR_FRM or csr == CSR_FCSR
        self.h.priv = 3
        self.h.virt = 0
        if fp_csr:
            self.h.mstatus |= MSTATUS_FS
        if is_vcsr(csr):
            self.h.mstatus |= MSTATUS_VS
        try:
            if csr_read(self.h, csr, &v):
                raise KeyError(f"CSR {csr:#x} is not implemented")
        finally:
            self.h.priv = saved
            self.h.virt = saved_virt
            self.h.mstatus = saved_status
        return v

    def csr_write(self, uint32_t csr, uint64_t value):
        """Write a CSR as M-mode would (debugger access); KeyError if it is not writable.
        Writing an FP CSR does not change mstatus.FS."""
        cdef uint64_t v
        cdef uint8_t saved = self.h.priv
        cdef uint8_t saved_virt = self.h.virt
        cdef uint64_t saved_fs = self.h.mstatus & (MSTATUS_FS | MSTATUS_SD)
        cdef uint64_t saved_vs = self.h.mstatus & (MSTATUS_VS | MSTATUS_FS | MSTATUS_SD)
        cdef bint fp_csr = csr == CSR_FFLAGS or csr == CSR_FRM or csr == CSR_FCSR
        cdef bint v_csr = is_vcsr(csr)
        self.h.priv = 3
        self.h.virt = 0
        if fp_csr:
            self.h.mstatus |= MSTATUS_FS
        if v_csr:
            self.h.mstatus |= MSTATUS_VS
        try:
            if csr_read(self.h, csr, &v) or csr_write(self.h, csr, value):
                raise KeyError(f"CSR {csr:#x} is not implemented or read-only")
        finally:
            self.h.priv = saved
            self.h.virt = saved_virt
            if fp_csr:
                self.h.mstatus = (self.h.mstatus & ~(MSTATUS_FS | MSTATUS_SD)) | saved_fs
            if v_csr:
                self.h.mstatus = (self.h.mstatus & ~(MSTATUS_VS | MSTATUS_FS | MSTATUS_SD)) | saved_vs
        tlb_flush_all(self.h)
        self.h.check_now = 1

    def take_output(self):
        """Drain and return the console bytes the guest wrote (HTIF, UART)."""
        cdef bytes out = self.h.out_buf[:self.h.out_len]
        self.h.out_len = 0
        if self.h.exit_reason == EXIT_OUTPUT:
            self.h.exit_reason = EXIT_NONE
        return out

    def feed_input(self, bytes data):
        """Queue console input bytes for the UART; returns how many were accepted."""
        cdef uint32_t i, n
        if self.h.in_pos == self.h.in_len:
            self.h.in_pos = self.h.in_len = 0
        n = min(len(data), 256 - self.h.in_len)
        for i in range(n):
            self.h.in_buf[self.h.in_len + i] = data[i]
        self.h.in_len += n
        self.h.check_now = 1  # the UART's interrupt line may have risen
        return n

    property rx_idle_polls:
        """UART line-status reads that found no input since the counter was last reset."""
        def __get__(self):
            return self.h.rx_idle_polls
        def __set__(self, uint64_t v):
            self.h.rx_idle_polls = v

    property rx_pending:
        def __get__(self):
            return self.h.in_len - self.h.in_pos

    def take_input(self, uint32_t n):
        """Take up to n queued console input bytes (the SBI console reads them)."""
        cdef uint32_t k = min(n, self.h.in_len - self.h.in_pos)
        cdef bytes out = self.h.in_buf[self.h.in_pos:self.h.in_pos + k]
        self.h.in_pos += k
        return out

    def last_mem_access(self):
        """Trace mode: (address, size, is_store, data) of the last access, or None."""
        if not self.h.log_mem_size:
            return None
        r = (self.h.log_mem_addr, self.h.log_mem_size, bool(self.h.log_mem_write),
             self.h.log_mem_data)
        self.h.log_mem_size = 0
        return r

    def stats(self):
        return dict(traps=self.h.stat_traps, interrupts=self.h.stat_interrupts,
                    tlb_misses=self.h.stat_tlb_misses, decodes=self.h.stat_decodes)

    @property
    def fcsr(self):
        return (self.h.frm << 5) | self.h.fflags

    def sbi_set_timer(self, uint64_t value):
        """The SBI's set_timer: supervisor timer at value, pending bit cleared until then.

        Served with the Sstc comparator (an M-mode firmware would do the same with
        mtimecmp and STIP), so the interrupt is exact and costs no exit."""
        self.h.menvcfg |= MENVCFG_STCE
        self.h.stimecmp = value
        self.h.mip &= ~(<uint64_t>MIP_STIP)
        self.h.check_now = 1

    def set_pending(self, uint64_t bits, bint value=True):
        """Set or clear software-visible mip bits (SSIP, STIP, SEIP...) from the host."""
        if value:
            self.h.mip |= bits & MIE_MASK
        else:
            self.h.mip &= ~(bits & MIE_MASK)
        self.h.check_now = 1

    @property
    def satp_bare_or_m(self):
        """True when fetch addresses are physical (M-mode or satp.MODE = Bare)."""
        return self.h.priv == 3 or (self.h.satp >> 60) == 0

    def decode(self, uint32_t raw):
        """Decode an instruction word (or 16-bit parcel) as this hart would:
        (op index, rd, rs1, rs2, rs3, imm, length). rd = 32 means x0."""
        cdef Insn d
        cdef uint32_t w
        memset(&d, 0, sizeof(Insn))
        if (raw & 3) == 3:
            decode_word(self.h, &d, raw, 4, raw)
        else:
            w = rvc_expand(raw & 0xffff) if (self.h.ext & EXTM_C) else 0
            if w == 0:
                return (OP_ILLEGAL, 0, 0, 0, 0, 0, 2)
            decode_word(self.h, &d, w, 2, raw & 0xffff)
        return (d.op, d.rd, d.rs1, d.rs2, d.rs3, d.imm, d.len)

    def add_pydev(self, uint64_t base, uint64_t size):
        """Route physical [base, base+size) to Python: accesses leave run() as EXIT_MMIO."""
        if self.h.npydev >= 8:
            raise ValueError("at most 8 Python device regions")
        self.h.pydev_base[self.h.npydev] = base
        self.h.pydev_size[self.h.npydev] = size
        self.h.npydev += 1

    def mmio_request(self):
        """The access that caused EXIT_MMIO: (address, size, is_write, data)."""
        return (self.h.mmio_addr, self.h.mmio_size, bool(self.h.mmio_write), self.h.mmio_data)

    def mmio_complete(self, uint64_t value=0):
        """Serve the pending access (value for a load); the instruction re-executes."""
        if self.h.mmio_size < 8:
            value &= (1ULL << (8 * self.h.mmio_size)) - 1
        self.h.mmio_data = value if not self.h.mmio_write else self.h.mmio_data
        self.h.mmio_replay = 1
        self.h.exit_reason = EXIT_NONE

    def set_breakpoints(self, addrs):
        """Replace the breakpoint set (at most 16 virtual addresses)."""
        addrs = sorted(set(int(a) for a in addrs))
        if len(addrs) > 16:
            raise ValueError("at most 16 breakpoints")
        self.h.nbp = len(addrs)
        for i, a in enumerate(addrs):
            self.h.bp[i] = a
        self.flush_decode_cache()

    def step_over_breakpoint(self):
        """The next run() executes the instruction at pc even if it is a breakpoint."""
        self.h.bp_skip = self.h.pc

    def translate(self, uint64_t va, bint write=False):
        """The physical address a data access at va would reach now (current privilege
        and V, satp or vsatp then hgatp, MPRV, SUM, MXR), or None if it would fault. For
        debuggers: A/D bits are neither required nor set, and PMP is not consulted."""
        cdef uint64_t pa, psize
        cdef int acc = ACC_STORE if write else ACC_LOAD
        cdef int r
        self.h.debug_walk = 1
        try:
            r = translate(self.h, va, acc, effective_priv(self.h, acc),
                          effective_virt(self.h, acc), False, &pa, &psize)
        finally:
            self.h.debug_walk = 0
            self.h.trap_tval2 = self.h.trap_tinst = 0
        return None if r else pa

    # ---- exact state snapshots (rvemu.snapshot / the fuzzing campaign) ------------------
    def state_bytes(self):
        """The whole HartState as bytes: registers, CSRs, time, devices, counters. Only
        load_state_bytes of a Hart of the same build and configuration reads it; the host
        pointers inside are replaced on load, and caches (decode cache, TLBs) are dropped.
        The vector register file and RAM are not included (the caller copies them)."""
        return bytes((<uint8_t*>self.h)[:sizeof(HartState)])

    def load_state_bytes(self, bytes blob):
        """Restore a state_bytes() blob onto this hart (same build, RAM size and VLEN)."""
        cdef HartState keep
        cdef int i
        if len(blob) != sizeof(HartState):
            raise ValueError(f"hart state of {len(blob)} bytes; this build's is {sizeof(HartState)}")
        memcpy(&keep, self.h, sizeof(HartState))
        memcpy(self.h, <const char*>blob, sizeof(HartState))
        if self.h.ram_size != keep.ram_size or self.h.vu.vlenb != keep.vu.vlenb \
                or self.h.ext != keep.ext:
            memcpy(self.h, &keep, sizeof(HartState))
            raise ValueError("the hart state is from a different configuration (RAM size, VLEN "
                             "or extensions)")
        self.h.ram = keep.ram
        self.h.ram_base = keep.ram_base
        self.h.dpages = keep.dpages
        self.h.code_page = keep.code_page
        self.h.vu.reg = keep.vu.reg
        self.h.vu.tlog = keep.vu.tlog            # this hart's vector trace buffer
        self.h.vu.tlog_n = keep.vu.tlog_n
        self.h.vu.tlog_cap = keep.vu.tlog_cap
        self.h.peers = keep.peers                # this machine's harts and shared state
        self.h.npeers = keep.npeers
        self.h.code_epoch = keep.code_epoch
        self.h.wfi_yield = keep.wfi_yield
        self.h.loose_budget = keep.loose_budget
        for i in range(3):
            self.h.refetch[i].op = OP_PAGE_END
            self.h.tmp_insn[i].op = OP_PAGE_END
        self.flush_decode_cache()

include "smp.pxi"  # several harts: shared devices and the round-robin HartGroup
