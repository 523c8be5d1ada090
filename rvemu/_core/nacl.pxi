# SBI nested acceleration (NACL, SBI spec chapter "Nested Acceleration Extension"): the
# L0 side that an L1 hypervisor's shared memory drives. Used by the Python SBI for an
# HS-mode guest hypervisor and by the world switch's NACL HSTATUS strategies.
#
# Shared memory (RV64, 12 KiB): 0x000 SRET area (x1..x31 at 8*i), 0x200 AUTOSWAP area
# (flags at +0, bit 0 = HSTATUS; hstatus at +8), 0x800 HFENCE entries (60 x 32 bytes),
# 0xF80 CSR dirty bitmap (1024 bits), 0x1000 CSR space (1024 words, slot
# ((csr & 0xC00) >> 2) | (csr & 0xFF)).

cdef enum:
    NACL_SHMEM_SIZE = 0x3000
    NACL_SRET = 0x0
    NACL_AUTOSWAP = 0x200
    NACL_HFENCE = 0x800
    NACL_HFENCE_ENTRIES = 60
    NACL_DIRTY = 0xF80
    NACL_CSRS = 0x1000


cdef inline uint32_t nacl_slot(uint32_t csr) noexcept nogil:
    return ((csr & 0xC00) >> 2) | (csr & 0xFF)


cdef inline uint32_t nacl_csr_of_slot(uint32_t slot) noexcept nogil:
    return ((slot & 0x300) << 2) | 0x200 | (slot & 0xFF)


cdef inline uint64_t* nacl_word(HartState* h, uint64_t shmem, uint64_t off) noexcept nogil:
    return <uint64_t*>(h.ram + (shmem - h.ram_base) + off)


cdef bint nacl_shmem_ok(HartState* h, uint64_t shmem) noexcept nogil:
    return (shmem & 0xfff) == 0 and in_ram(h, shmem, NACL_SHMEM_SIZE)


cdef uint64_t nacl_h_csr_read(HartState* h, uint32_t csr, bint* ok) noexcept nogil:
    """An H/VS CSR as HS-mode reads it (the L0 emulating L1's access)."""
    cdef uint64_t v = 0
    cdef uint8_t saved_priv = h.priv, saved_virt = h.virt
    h.priv = 1
    h.virt = 0
    ok[0] = csr_read(h, csr, &v) == 0
    h.priv = saved_priv
    h.virt = saved_virt
    return v


cdef void nacl_h_csr_write(HartState* h, uint32_t csr, uint64_t v) noexcept nogil:
    cdef uint8_t saved_priv = h.priv, saved_virt = h.virt
    cdef uint64_t dummy
    h.priv = 1
    h.virt = 0
    if csr_read(h, csr, &dummy) == 0:
        csr_write(h, csr, v)
    h.priv = saved_priv
    h.virt = saved_virt


cdef int nacl_sync_csr(HartState* h, uint64_t shmem, int64_t csr) noexcept nogil:
    """SYNC_CSR: apply the dirty CSR words (all of them for csr = -1), clear their dirty
    bits and write the current values back. hvip goes before hip (dependency order).
    Returns the number of CSRs written."""
    cdef uint8_t* dirty = <uint8_t*>nacl_word(h, shmem, NACL_DIRTY)
    cdef uint32_t slot, first, last, c
    cdef int n = 0
    cdef bint ok
    cdef int pass_
    if csr >= 0:
        first = last = nacl_slot(<uint32_t>csr)
    else:
        first = 0
        last = 1023
    for pass_ in range(2):  # pass 0: hvip only; pass 1: the rest
        for slot in range(first, last + 1):
            c = nacl_csr_of_slot(slot)
            if (pass_ == 0) != (c == CSR_HVIP):
                continue
            if not (dirty[slot >> 3] & (1 << (slot & 7))):
                continue
            nacl_h_csr_write(h, c, nacl_word(h, shmem, NACL_CSRS + 8 * slot)[0])
            dirty[slot >> 3] &= ~(1 << (slot & 7))
            nacl_word(h, shmem, NACL_CSRS + 8 * slot)[0] = nacl_h_csr_read(h, c, &ok)
            n += 1
    return n


cdef void nacl_publish_csrs(HartState* h, uint64_t shmem) noexcept nogil:
    """Without a pending write, L0 keeps the CSR space up to date with the H/VS CSRs."""
    cdef uint8_t* dirty = <uint8_t*>nacl_word(h, shmem, NACL_DIRTY)
    cdef uint32_t slot, c
    cdef uint64_t v
    cdef bint ok
    for slot in range(0x200):  # 0x2xx and 0x6xx: the VS and H CSRs
        if dirty[slot >> 3] & (1 << (slot & 7)):
            continue
        c = nacl_csr_of_slot(slot)
        v = nacl_h_csr_read(h, c, &ok)
        if ok:
            nacl_word(h, shmem, NACL_CSRS + 8 * slot)[0] = v


cdef int nacl_sync_hfence(HartState* h, uint64_t shmem, int64_t entry) noexcept nogil:
    """SYNC_HFENCE: process pending entries (all for -1); returns how many. Our TLBs hold
    only the current mode's mappings, so every fence type is a full flush."""
    cdef int i, first, last, n = 0
    cdef uint64_t* cfg
    if entry >= 0:
        first = last = <int>entry
    else:
        first = 0
        last = NACL_HFENCE_ENTRIES - 1
    for i in range(first, last + 1):
        cfg = nacl_word(h, shmem, NACL_HFENCE + 32 * i)
        if cfg[0] >> 63:
            cfg[0] &= ~(1ULL << 63)
            n += 1
    if n:
        tlb_flush_all(h)
    return n


cdef uint64_t nacl_sync_sret(HartState* h, uint64_t shmem, bint autoswap) noexcept nogil:
    """SYNC_SRET: sync every CSR and HFENCE entry, restore x1..x31 from the SRET area,
    swap hstatus with the AUTOSWAP word if its flag is set, then emulate SRET. Returns
    the new pc."""
    cdef int i
    cdef uint64_t* aw
    cdef uint64_t t
    nacl_sync_csr(h, shmem, -1)
    nacl_sync_hfence(h, shmem, -1)
    for i in range(1, 32):
        h.x[i] = nacl_word(h, shmem, NACL_SRET + 8 * i)[0]
    if autoswap and (nacl_word(h, shmem, NACL_AUTOSWAP)[0] & 1):
        aw = nacl_word(h, shmem, NACL_AUTOSWAP + 8)
        t = h.hstatus
        h.hstatus = aw[0] & HSTATUS_MASK
        aw[0] = t
        if h.hstatus & HSTATUS_SPV:  # virtualization goes on: swap back at the next trap
            h.nacl_shmem = shmem
            h.nacl_armed = 1
    return do_sret(h)


cdef void nacl_trap_to_l1(HartState* h, uint64_t shmem, bint autoswap) noexcept nogil:
    """Virtualization went from on to off (a trap into L1): swap hstatus back if the
    AUTOSWAP flag is set, then publish the H CSRs (htval, htinst, hstatus...)."""
    cdef uint64_t* aw
    cdef uint64_t t
    if autoswap and (nacl_word(h, shmem, NACL_AUTOSWAP)[0] & 1):
        aw = nacl_word(h, shmem, NACL_AUTOSWAP + 8)
        t = h.hstatus
        h.hstatus = aw[0] & HSTATUS_MASK
        aw[0] = t
    nacl_publish_csrs(h, shmem)
