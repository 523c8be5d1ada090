# The vector unit's hart side: mstatus.VS, the vector CSRs, vset{i}vl{i}, loads and stores
# (through the hart's TLBs and translation, so MMU, PMP, misaligned and MMIO rules hold),
# and the hand-off of OP-V arithmetic to rvv.h.

cdef extern from "rvv.h":
    ctypedef struct RvvCtx:
        RvvState* v
        uint64_t* x
        uint64_t* f
        uint32_t insn
        uint32_t frm
        uint32_t fflags
        uint8_t fs_on
        uint8_t fwrote
    int rvv_opv(RvvCtx* c) noexcept nogil
    uint64_t rvv_vsetvl(RvvState* v, int rd_zero, int rs1_zero, uint64_t avl, uint64_t t) noexcept nogil
    void rvv_set_vtype(RvvState* v, uint64_t t) noexcept nogil
    int rvv_aligned(int r, int l) noexcept nogil
    int rvv_overlap(int a, int na, int b, int nb) noexcept nogil
    int rvv_overlap_ok(int d, int dl, int de, int s, int sl_, int se) noexcept nogil
    int rvv_nregs(int l) noexcept nogil
    void rvv_fill_ones(uint8_t* base, uint64_t lo, uint64_t hi, int sl) noexcept nogil
    uint64_t rvv_tail_end(RvvState* v, int sl) noexcept nogil


# ---- mstatus.VS (privileged "Extension Context Status") --------------------------------
# One place decides whether vector state is usable and marks it dirty, so the H extension
# can combine mstatus.VS with vsstatus.VS here when V=1.

cdef inline bint vs_enabled(HartState* h) noexcept nogil:
    # while V=1 both mstatus.VS and vsstatus.VS must be on (H: "vsstatus" FS/VS rules)
    return h.vu.reg != NULL and (h.mstatus & MSTATUS_VS) != 0 and (
        not h.virt or (h.vsstatus & MSTATUS_VS) != 0)


cdef inline void vs_dirty(HartState* h) noexcept nogil:
    h.mstatus |= MSTATUS_VS | MSTATUS_SD
    if h.virt:
        h.vsstatus |= MSTATUS_VS | MSTATUS_SD


# ---- CSRs ------------------------------------------------------------------------------

cdef inline bint is_vcsr(uint32_t csr) noexcept nogil:
    return (csr == CSR_VSTART or csr == CSR_VXSAT or csr == CSR_VXRM or csr == CSR_VCSR
            or csr == CSR_VL or csr == CSR_VTYPE or csr == CSR_VLENB)


cdef int v_csr_read(HartState* h, uint32_t csr, uint64_t* out) noexcept nogil:
    """0 ok, 1 illegal (no vector unit, or mstatus.VS Off)."""
    if not vs_enabled(h):
        return 1
    if csr == CSR_VSTART:
        out[0] = h.vu.vstart
    elif csr == CSR_VXSAT:
        out[0] = h.vu.vxsat
    elif csr == CSR_VXRM:
        out[0] = h.vu.vxrm
    elif csr == CSR_VCSR:
        out[0] = (<uint64_t>h.vu.vxrm << 1) | h.vu.vxsat
    elif csr == CSR_VL:
        out[0] = h.vu.vl
    elif csr == CSR_VTYPE:
        out[0] = h.vu.vtype
    else:
        out[0] = h.vu.vlenb
    return 0


cdef int v_csr_write(HartState* h, uint32_t csr, uint64_t v) noexcept nogil:
    """0 ok, 1 illegal. vl, vtype and vlenb are read-only (csr_write rejects them first)."""
    if not vs_enabled(h):
        return 1
    if csr == CSR_VSTART:
        h.vu.vstart = v & (<uint64_t>h.vu.vlenb * 8 - 1)   # log2(VLEN) bits, as Spike
    elif csr == CSR_VXSAT:
        h.vu.vxsat = v & 1
    elif csr == CSR_VXRM:
        h.vu.vxrm = v & 3
    elif csr == CSR_VCSR:
        h.vu.vxsat = v & 1
        h.vu.vxrm = (v >> 1) & 3
    else:
        return 1
    vs_dirty(h)
    return 0


# ---- execution -------------------------------------------------------------------------

cdef int exec_vector(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """vset*, vector loads/stores and OP-V. 0 ok, else cause + 1 (or MMIO_EXIT)."""
    cdef uint32_t w = d.raw
    cdef uint16_t op = d.op
    cdef int rd = (w >> 7) & 31
    cdef int rs1 = (w >> 15) & 31
    cdef uint64_t vl, t
    cdef RvvCtx c
    cdef int r
    if not vs_enabled(h):
        h.trap_tval = w
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if op == OP_VSETVLI or op == OP_VSETIVLI or op == OP_VSETVL:
        if op == OP_VSETVLI:
            vl = rvv_vsetvl(&h.vu, rd == 0, rs1 == 0, x[rs1], (w >> 20) & 0x7ff)
        elif op == OP_VSETIVLI:
            vl = rvv_vsetvl(&h.vu, rd == 0, 0, <uint64_t>rs1, (w >> 20) & 0x3ff)
        else:
            vl = rvv_vsetvl(&h.vu, rd == 0, rs1 == 0, x[rs1], x[(w >> 20) & 31])
        if rd:
            x[rd] = vl
        vs_dirty(h)
        return 0
    if op == OP_VLOAD or op == OP_VSTORE:
        h.vu.tlog_n = 0
        r = exec_vmem(h, w, x, op == OP_VSTORE)
        if r == CAUSE_ILLEGAL_INSTRUCTION + 1:
            h.trap_tval = w
            return r
        vs_dirty(h)
        return r
    c.v = &h.vu
    c.x = x
    c.f = h.f
    c.insn = w
    c.frm = h.frm
    c.fflags = 0
    c.fs_on = not fs_off(h)
    c.fwrote = 0
    if rvv_opv(&c):
        h.trap_tval = w
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    vs_dirty(h)
    if c.fflags:
        h.fflags |= c.fflags
        set_fs_dirty(h)
    if c.fwrote:
        set_fs_dirty(h)
    return 0


cdef inline int vmem_elem(HartState* h, uint64_t va, int size, uint8_t* p, bint st) noexcept nogil:
    """One element between guest va and host p: the TLB fast path, else the slow path."""
    cdef uint64_t val = 0
    cdef int r
    if st:
        memcpy(&val, p, size)
        r = store(h, va, size, val)
        if r == STORE_EVENT:
            r = 0
    else:
        r = load(h, va, size, &val)
        if r == 0:
            memcpy(p, &val, size)
    if h.step_log and r == 0 and h.vu.tlog_n < h.vu.tlog_cap:
        # trace mode: Spike's commit log lists every element access
        h.vu.tlog[3 * h.vu.tlog_n] = va
        h.vu.tlog[3 * h.vu.tlog_n + 1] = val
        h.vu.tlog[3 * h.vu.tlog_n + 2] = <uint64_t>size | (<uint64_t>st << 8)
        h.vu.tlog_n += 1
    return r


cdef int vmem_run(HartState* h, uint64_t va, uint64_t n, int esz, uint8_t* p, bint st,
                  uint64_t* done) noexcept nogil:
    """Unit-stride run of n elements of esz bytes at va <-> p: one memcpy per page once the
    TLB holds the page (a slow access fills it). done = elements completed."""
    cdef uint64_t idx, k, room, i = 0
    cdef Tlb* tlb = &h.wtlb if st else &h.rtlb
    cdef int r
    cdef uint8_t* host
    while i < n:
        idx = (va >> 12) & (TLB_SIZE - 1)
        if tlb.tag[idx] == tlb_key(va, esz):
            room = (0x1000 - (va & 0xfff)) // esz
            k = n - i if n - i < room else room
            if k:
                host = <uint8_t*>(va + <uint64_t>tlb.add[idx])
                if st:
                    memcpy(host, p, k * esz)
                else:
                    memcpy(p, host, k * esz)
                i += k
                va += k * esz
                p += k * esz
                continue
        r = vmem_elem(h, va, esz, p, st)
        if r:
            done[0] = i
            return r
        i += 1
        va += esz
        p += esz
    done[0] = n
    return 0


cdef int exec_vmem(HartState* h, uint32_t w, uint64_t* x, bint st) noexcept nogil:
    """Every vector load/store family (unpriv "Vector Loads and Stores"). 0, cause + 1,
    or MMIO_EXIT; vstart records the element a trap interrupted."""
    cdef RvvState* v = &h.vu
    cdef int nf = (w >> 29) + 1
    cdef int mew = (w >> 28) & 1
    cdef int mop = (w >> 26) & 3
    cdef int vm = (w >> 25) & 1
    cdef int lumop = (w >> 20) & 31
    cdef int rs1 = (w >> 15) & 31
    cdef int width = (w >> 12) & 7
    cdef int vd = (w >> 7) & 31
    cdef int el, emul_l, il = 0, dl, nreg, f, r, ff = 0, esz, dsz
    cdef uint64_t base = x[rs1]
    cdef uint64_t stride = 0, evl, i, addr, off, done
    cdef uint8_t* vreg = v.reg
    cdef uint8_t* p
    cdef bint ones = v.ones
    cdef bint trimmed
    el = 0 if width == 0 else width - 4      # EEW = 8 << el
    if mew or el > v.elen_l:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    esz = 1 << el
    if mop == 0 and lumop == 8:              # whole registers
        nreg = nf
        if not vm or (nreg != 1 and nreg != 2 and nreg != 4 and nreg != 8) or (vd & (nreg - 1)):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if st and width != 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        evl = (<uint64_t>v.vlenb * nreg) >> el
        if v.vstart < evl:
            p = vreg + <uint64_t>vd * v.vlenb + (v.vstart << el)
            r = vmem_run(h, base + (v.vstart << el), evl - v.vstart, esz, p, st, &done)
            if r:
                v.vstart += done
                return r
        v.vstart = 0
        return 0
    if v.vill:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if mop == 0 and lumop == 0xb:            # vlm.v / vsm.v
        if nf != 1 or not vm or width != 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        evl = (v.vl + 7) >> 3
        if v.vstart < evl:
            p = vreg + <uint64_t>vd * v.vlenb + v.vstart
            r = vmem_run(h, base + v.vstart, evl - v.vstart, 1, p, st, &done)
            if r:
                v.vstart += done
                return r
        if not st and ones:
            rvv_fill_ones(vreg + <uint64_t>vd * v.vlenb, evl, v.vlenb, 0)
        v.vstart = 0
        return 0
    if mop == 1 or mop == 3:                 # indexed: data EEW = SEW, index EEW = el
        il = el
        dl = v.sl
        emul_l = v.ll
        el = il - v.sl + v.ll                # index EMUL
        if el < -3 or el > 3:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if not rvv_aligned((w >> 20) & 31, el):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if not st:
            # segments may not overlap the index at all; single fields as the EEW rules say
            if nf > 1:
                if rvv_overlap(vd, rvv_nregs(emul_l) * nf, (w >> 20) & 31, rvv_nregs(el)):
                    return CAUSE_ILLEGAL_INSTRUCTION + 1
            elif not rvv_overlap_ok(vd, emul_l, 8 << dl, (w >> 20) & 31, el, 8 << il):
                return CAUSE_ILLEGAL_INSTRUCTION + 1
    else:
        if mop == 0 and lumop == 0x10 and not st:
            ff = 1
        elif not (mop == 2 or lumop == 0):
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        dl = el
        emul_l = el - v.sl + v.ll
        if emul_l < -3 or emul_l > 3:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        stride = x[(w >> 20) & 31] if mop == 2 else <uint64_t>(nf << el)
    if rvv_nregs(emul_l) * nf > 8 or vd + rvv_nregs(emul_l) * nf > 32:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if not rvv_aligned(vd, emul_l) or (not vm and vd == 0 and not st):
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    dsz = 1 << dl
    nreg = rvv_nregs(emul_l)
    # fast path: unmasked unit-stride, one field (fault-only-first too: a fault past
    # element 0 trims vl)
    if vm and nf == 1 and mop == 0:
        if v.vstart < v.vl:
            p = vreg + <uint64_t>vd * v.vlenb + (v.vstart << dl)
            r = vmem_run(h, base + (v.vstart << dl), v.vl - v.vstart, dsz, p, st, &done)
            if r:
                if ff and v.vstart + done > 0 and r != MMIO_EXIT:
                    v.vl = v.vstart + done
                else:
                    v.vstart += done
                    return r
    else:
        i = v.vstart
        while i < v.vl:
            if not vm and not ((vreg[i >> 3] >> (i & 7)) & 1):
                if ones and v.vma and not st:
                    for f in range(nf):
                        memset(vreg + <uint64_t>(vd + f * nreg) * v.vlenb + (i << dl), 0xff, dsz)
                i += 1
                continue
            if mop == 1 or mop == 3:
                p = vreg + <uint64_t>((w >> 20) & 31) * v.vlenb
                if il == 0:
                    off = p[i]
                elif il == 1:
                    off = (<uint16_t*>p)[i]
                elif il == 2:
                    off = (<uint32_t*>p)[i]
                else:
                    off = (<uint64_t*>p)[i]
                addr = base + off
            else:
                addr = base + i * stride
            trimmed = False
            for f in range(nf):
                p = vreg + <uint64_t>(vd + f * nreg) * v.vlenb + (i << dl)
                r = vmem_elem(h, addr + <uint64_t>f * dsz, dsz, p, st)
                if r:
                    if ff and i > 0 and r != MMIO_EXIT:
                        v.vl = i                 # fault-only-first: trim vl, no trap
                        trimmed = True
                        break
                    v.vstart = i
                    return r
            if trimmed:
                break
            i += 1
    if not st and ones and v.vta:
        for f in range(nf):
            rvv_fill_ones(vreg + <uint64_t>(vd + f * nreg) * v.vlenb, v.vl, rvv_tail_end(v, dl), dl)
    v.vstart = 0
    return 0
