# Physical memory: RAM by base+offset, the inline devices (CLINT, UART, syscon finisher,
# HTIF tohost), TLB refill and the slow load/store paths used when a TLB misses.

cdef enum:
    ACC_FETCH = 0
    ACC_LOAD = 1
    ACC_STORE = 2

cdef enum:
    CLINT_BASE = 0x2000000
    CLINT_SIZE = 0x10000
    UART_BASE = 0x10000000
    UART_SIZE = 0x100
    FINISHER_BASE = 0x100000
    FINISHER_SIZE = 0x1000
    PLIC_BASE = 0xc000000
    PLIC_SIZE = 0x600000
    PLIC_SOURCES = 64     # sources 1..63 (QEMU's virt has 95; ours only wires the UART)
    UART_IRQ = 10         # the UART's PLIC source, as on QEMU's virt board

cdef enum:
    EXIT_NONE = 0
    EXIT_BUDGET = 1       # max_insns reached
    EXIT_HALT = 2         # guest asked to stop (HTIF, finisher, SBI SRST); exit_code set
    EXIT_ECALL = 3        # ECALL to be served by the Python SBI (sbi_exits)
    EXIT_MMIO = 4         # access to an address no inline device claims
    EXIT_IDLE = 5         # WFI with no event that could ever wake the hart
    EXIT_OUTPUT = 6       # console buffer full
    EXIT_EBREAK = 7       # a breakpoint (decode-cache OP_BREAKPOINT) was reached
    EXIT_RESET = 8        # guest asked for a reboot
    EXIT_TRAP_LOOP = 9    # exceptions keep coming with no instruction retiring
    EXIT_HS_TRAP = 10     # a trap into HS while hs_exit is set (the world switch returns)


cdef inline uint64_t mtime_now(HartState* h) noexcept nogil:
    return (h.instret + h.time_off) // h.time_div


cdef inline void out_byte(HartState* h, uint8_t c) noexcept nogil:
    if h.out_len < OUT_BUF_SIZE:
        h.out_buf[h.out_len] = c
        h.out_len += 1
    if h.out_len >= OUT_BUF_SIZE:
        h.exit_reason = EXIT_OUTPUT


cdef inline void tlb_flush(Tlb* t) noexcept nogil:
    cdef int i
    for i in range(TLB_SIZE):
        t.tag[i] = TLB_INVALID


cdef inline void tlb_flush_all(HartState* h) noexcept nogil:
    tlb_flush(&h.itlb)
    tlb_flush(&h.rtlb)
    tlb_flush(&h.wtlb)


cdef inline uint64_t read_le(uint8_t* p, int size) noexcept nogil:
    if size == 1:
        return p[0]
    elif size == 2:
        return (<uint16_t*>p)[0]
    elif size == 4:
        return (<uint32_t*>p)[0]
    return (<uint64_t*>p)[0]


cdef inline void write_le(uint8_t* p, int size, uint64_t v) noexcept nogil:
    if size == 1:
        p[0] = <uint8_t>v
    elif size == 2:
        (<uint16_t*>p)[0] = <uint16_t>v
    elif size == 4:
        (<uint32_t*>p)[0] = <uint32_t>v
    else:
        (<uint64_t*>p)[0] = v


cdef inline bint in_ram(HartState* h, uint64_t pa, uint64_t size) noexcept nogil:
    return pa >= h.ram_base and pa - h.ram_base + size <= h.ram_size


# ---- inline devices -------------------------------------------------------------------

cdef uint64_t clint_read(HartState* h, uint64_t off, int size) noexcept nogil:
    cdef uint64_t v = 0
    if off < 0x4000:
        v = h.msip if off == h.hartid * 4 else 0
    elif off >= 0x4000 and off < 0xBFF8:
        v = h.mtimecmp if (off & ~7) == 0x4000 + h.hartid * 8 else 0
        if off & 4:
            v >>= 32
    elif off >= 0xBFF8:
        v = mtime_now(h)
        if off & 4:
            v >>= 32
    if size < 8:
        v &= (1ULL << (size * 8)) - 1
    return v


cdef void clint_write(HartState* h, uint64_t off, int size, uint64_t v) noexcept nogil:
    cdef uint64_t t
    if off < 0x4000:
        if off == h.hartid * 4:
            h.msip = v & 1
    elif off < 0xBFF8:
        if (off & ~7) == 0x4000 + h.hartid * 8:
            if size == 8:
                h.mtimecmp = v
            elif off & 4:
                h.mtimecmp = (h.mtimecmp & 0xffffffffULL) | (v << 32)
            else:
                h.mtimecmp = (h.mtimecmp & ~0xffffffffULL) | (v & 0xffffffffULL)
    else:
        # writing mtime moves the time base: mtime = (instret + time_off) / time_div
        t = mtime_now(h)
        if size == 8:
            t = v
        elif off & 4:
            t = (t & 0xffffffffULL) | (v << 32)
        else:
            t = (t & ~0xffffffffULL) | (v & 0xffffffffULL)
        h.time_off = t * h.time_div - h.instret
    h.check_now = 1  # re-evaluate timer interrupts at once


# ---- PLIC (RISC-V PLIC spec 1.0): priorities, pending, enables, thresholds and
# claim/complete for two contexts of hart 0: 0 = M-mode (MEIP), 1 = S-mode (SEIP).
# Sources are level-triggered through the gateway: a source whose line is high becomes
# pending unless it is claimed and not yet completed.

cdef inline bint uart_irq_line(HartState* h) noexcept nogil:
    """The 16550 interrupt output: received data (IER bit 0) or transmitter empty
    (IER bit 1; our transmitter is always empty)."""
    return ((h.uart_ier & 1) and h.in_pos < h.in_len) or (h.uart_ier & 2)


cdef void plic_sync(HartState* h) noexcept nogil:
    """Gateway: raise pending for device lines that are high and not in service."""
    cdef uint64_t bit = 1ULL << UART_IRQ
    if uart_irq_line(h) and not (h.plic_claimed & bit):
        h.plic_pending |= bit


cdef int plic_best(HartState* h, int ctx) noexcept nogil:
    """The pending, enabled source with the highest priority above the context's
    threshold (lowest id on ties), or 0."""
    cdef uint64_t cand = h.plic_pending & h.plic_enable[ctx] & ~h.plic_claimed
    cdef int i, best = 0
    cdef uint32_t best_prio = h.plic_threshold[ctx]
    while cand:
        i = __builtin_ctzll(cand)
        cand &= cand - 1
        if h.plic_priority[i] > best_prio:
            best_prio = h.plic_priority[i]
            best = i
    return best


cdef inline uint64_t plic_mip(HartState* h) noexcept nogil:
    """MEIP/SEIP as the PLIC drives them."""
    cdef uint64_t v = 0
    if h.peers != NULL:
        return smp_plic_mip(h)  # several harts: a context pair per hart (smp.pxi)
    plic_sync(h)
    if h.plic_pending:
        if plic_best(h, 0):
            v |= 1ULL << 11
        if plic_best(h, 1):
            v |= 1ULL << 9
    return v


cdef uint64_t plic_read(HartState* h, uint64_t off) noexcept nogil:
    cdef int ctx, src
    plic_sync(h)
    if off < 0x1000:
        src = <int>(off >> 2)
        return h.plic_priority[src] if src < PLIC_SOURCES else 0
    if off < 0x1080:
        return (h.plic_pending >> (32 * ((off - 0x1000) >> 2))) & 0xffffffffULL if off < 0x1008 else 0
    if off >= 0x2000 and off < 0x2100:
        ctx = <int>((off - 0x2000) >> 7)
        if (off & 0x7f) < 8:
            return (h.plic_enable[ctx] >> (32 * ((off & 0x7f) >> 2))) & 0xffffffffULL
        return 0
    if off >= 0x200000 and off < 0x202000:
        ctx = <int>((off - 0x200000) >> 12)
        if (off & 0xfff) == 0:
            return h.plic_threshold[ctx]
        if (off & 0xfff) == 4:  # claim
            src = plic_best(h, ctx)
            if src:
                h.plic_pending &= ~(1ULL << src)
                h.plic_claimed |= 1ULL << src
            h.check_now = 1
            return src
    return 0


cdef void plic_write(HartState* h, uint64_t off, uint64_t v) noexcept nogil:
    cdef int ctx, src
    if off < 0x1000:
        src = <int>(off >> 2)
        if 0 < src < PLIC_SOURCES:
            h.plic_priority[src] = v & 7
    elif off >= 0x2000 and off < 0x2100:
        ctx = <int>((off - 0x2000) >> 7)
        if (off & 0x7f) == 0:
            h.plic_enable[ctx] = (h.plic_enable[ctx] & 0xffffffff00000000ULL) | (v & 0xfffffffeULL)
        elif (off & 0x7f) == 4:
            h.plic_enable[ctx] = (h.plic_enable[ctx] & 0xffffffffULL) | ((v & 0xffffffffULL) << 32)
    elif off >= 0x200000 and off < 0x202000:
        ctx = <int>((off - 0x200000) >> 12)
        if (off & 0xfff) == 0:
            h.plic_threshold[ctx] = v & 7
        elif (off & 0xfff) == 4:  # complete
            if v < PLIC_SOURCES:
                h.plic_claimed &= ~(1ULL << v)
    h.check_now = 1


cdef uint64_t uart_read(HartState* h, uint64_t off) noexcept nogil:
    cdef uint64_t v = 0
    if h.uart_lcr & 0x80 and off < 2:
        return h.uart_dll if off == 0 else h.uart_dlm
    if off == 0:  # RBR
        if h.in_pos < h.in_len:
            v = h.in_buf[h.in_pos]
            h.in_pos += 1
    elif off == 1:
        v = h.uart_ier
    elif off == 2:  # IIR: FIFOs enabled; received data outranks transmitter empty
        v = 0xC2 if h.uart_ier & 2 else 0xC1
        if h.uart_ier & 1 and h.in_pos < h.in_len:
            v = 0xC4
    elif off == 3:
        v = h.uart_lcr
    elif off == 4:
        v = h.uart_mcr
    elif off == 5:  # LSR: transmitter empty and idle, data ready if input waits
        v = 0x60 | (1 if h.in_pos < h.in_len else 0)
        if h.in_pos >= h.in_len:
            h.rx_idle_polls += 1
    elif off == 6:
        v = 0xB0  # MSR: DCD, DSR, CTS
    elif off == 7:
        v = h.uart_scr
    return v


cdef void uart_write(HartState* h, uint64_t off, uint64_t v) noexcept nogil:
    if h.uart_lcr & 0x80 and off < 2:
        if off == 0:
            h.uart_dll = <uint8_t>v
        else:
            h.uart_dlm = <uint8_t>v
        return
    if off == 0:
        out_byte(h, <uint8_t>v)
    elif off == 1:
        h.uart_ier = v & 0x0f
        h.check_now = 1  # the interrupt line may have changed
    elif off == 3:
        h.uart_lcr = <uint8_t>v
    elif off == 4:
        h.uart_mcr = <uint8_t>v & 0x1f
    elif off == 7:
        h.uart_scr = <uint8_t>v


cdef void htif_check(HartState* h) noexcept nogil:
    """A store touched tohost: act on the command (Spike's HTIF protocol)."""
    cdef uint64_t v = (<uint64_t*>(h.ram + (h.tohost - h.ram_base)))[0]
    cdef uint64_t dev = v >> 56
    cdef uint64_t cmd = (v >> 48) & 0xff
    if v == 0:
        return
    if dev == 0 and cmd == 0:
        if v & 1:
            h.exit_code = (v & 0xffffffffffffULL) >> 1
            h.exit_reason = EXIT_HALT
        # syscall proxying (riscv-pk) is not supported: leave tohost for the host to see
        return
    if dev == 1 and cmd == 1:
        out_byte(h, <uint8_t>v)
    (<uint64_t*>(h.ram + (h.tohost - h.ram_base)))[0] = 0
    if h.fromhost and in_ram(h, h.fromhost, 8):
        (<uint64_t*>(h.ram + (h.fromhost - h.ram_base)))[0] = (dev << 56) | (cmd << 48)


cdef int phys_load(HartState* h, uint64_t pa, int size, uint64_t* out) noexcept nogil:
    """Load from a physical address. 0 on success, else the exception cause + 1."""
    if in_ram(h, pa, size):
        out[0] = read_le(h.ram + (pa - h.ram_base), size)
        return 0
    if h.peers != NULL and smp_load(h, pa, size, out):
        return 0  # several harts: CLINT, PLIC and UART are shared (smp.pxi)
    if pa >= CLINT_BASE and pa < CLINT_BASE + CLINT_SIZE:
        out[0] = clint_read(h, pa - CLINT_BASE, size)
        return 0
    if pa >= UART_BASE and pa < UART_BASE + UART_SIZE:
        out[0] = uart_read(h, pa - UART_BASE)
        return 0
    if pa >= FINISHER_BASE and pa < FINISHER_BASE + FINISHER_SIZE:
        out[0] = 0
        return 0
    if pa >= PLIC_BASE and pa < PLIC_BASE + PLIC_SIZE and size == 4:
        out[0] = plic_read(h, pa - PLIC_BASE)
        return 0
    return CAUSE_LOAD_ACCESS + 1


cdef int phys_store(HartState* h, uint64_t pa, int size, uint64_t v) noexcept nogil:
    """Store to a physical address. 0 on success, else the exception cause + 1."""
    cdef uint64_t page
    if in_ram(h, pa, size):
        page = (pa - h.ram_base) >> 12
        if h.code_page[page]:
            invalidate_code_page(h, page)
        write_le(h.ram + (pa - h.ram_base), size, v)
        if h.tohost and pa < h.tohost + 8 and pa + size > h.tohost:
            htif_check(h)
        return 0
    if h.peers != NULL and smp_store(h, pa, size, v):
        return 0  # several harts: CLINT, PLIC and UART are shared (smp.pxi)
    if pa >= CLINT_BASE and pa < CLINT_BASE + CLINT_SIZE:
        clint_write(h, pa - CLINT_BASE, size, v)
        return 0
    if pa >= UART_BASE and pa < UART_BASE + UART_SIZE:
        uart_write(h, pa - UART_BASE, v)
        return 0
    if pa >= FINISHER_BASE and pa < FINISHER_BASE + FINISHER_SIZE:
        if pa == FINISHER_BASE:
            if (v & 0xffff) == 0x5555:
                h.exit_code = 0
                h.exit_reason = EXIT_HALT
            elif (v & 0xffff) == 0x3333:
                h.exit_code = (v >> 16) & 0xffff
                h.exit_reason = EXIT_HALT
            elif (v & 0xffff) == 0x7777:
                h.exit_reason = EXIT_RESET
        return 0
    if pa >= PLIC_BASE and pa < PLIC_BASE + PLIC_SIZE and size == 4:
        plic_write(h, pa - PLIC_BASE, v)
        return 0
    return CAUSE_STORE_ACCESS + 1


cdef void invalidate_code_page(HartState* h, uint64_t page) noexcept nogil:
    """A store hit a page with decoded code: forget its decodes (self-modifying code)."""
    cdef Insn* p = h.dpages[page]
    if p != NULL:
        memset(p, 0, 2048 * sizeof(Insn))
    h.code_page[page] = 0
    if h.code_epoch != NULL:
        h.code_epoch[0] += 1  # other harts drop their fetch/store TLBs (smp.pxi)


cdef Insn* code_page_for(HartState* h, uint64_t pa) noexcept nogil:
    """The decode array of the RAM page holding pa (allocated on first use)."""
    cdef uint64_t page = (pa - h.ram_base) >> 12
    cdef Insn* p = h.dpages[page]
    if p == NULL:
        p = <Insn*>calloc(PAGE_SLOTS, sizeof(Insn))
        if p == NULL:
            return NULL
        # falling off the end of the page lands on a sentinel: the loop then looks up
        # the next page, so straight-line code needs no per-instruction page check
        p[2048].op = OP_PAGE_END
        p[2049].op = OP_PAGE_END
        h.dpages[page] = p
    if not h.code_page[page]:
        h.code_page[page] = 1
        if h.code_epoch != NULL:
            h.code_epoch[0] += 1  # other harts' store TLBs must stop bypassing this page
        tlb_flush(&h.wtlb)  # stores to this page must now take the slow path
    return p
