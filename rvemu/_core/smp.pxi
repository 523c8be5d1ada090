# Several harts sharing one RAM: the shared devices (CLINT, PLIC, UART) as QEMU's virt
# board lays them out for N harts, and HartGroup, the deterministic round-robin scheduler.
#
# Only one hart runs at a time (fixed slices, fixed order), so RAM, AMOs and the decode
# cache need no locking. What is shared and how:
# - RAM: one buffer. Decode cache (dpages/code_page): one set for all harts, so a store
#   by any hart to a decoded page drops its decodes. Every change of a page's code state
#   bumps the shared code_epoch; a hart whose epoch is stale drops its fetch and store
#   TLBs when its next slice starts (its store TLB may bypass a page another hart has
#   since decoded; its fetch TLB may point at a page whose decodes were dropped).
# - LR/SC: only the hart that ran last may hold a reservation: when another hart starts
#   a slice the reservation is dropped (an SC may fail spuriously; a store by another
#   hart can then never go unnoticed).
# - CLINT: msip at 0x0 + 4 * hart, mtimecmp at 0x4000 + 8 * hart, mtime at 0xbff8; each
#   hart's own fields hold its msip/mtimecmp, any hart reaches them through peers.
# - PLIC: context 2 * hart (M) and 2 * hart + 1 (S); a context's enables and threshold
#   live in its hart's plic_enable/plic_threshold[0 or 1]; priorities, pending and
#   claimed bits, and the UART (registers, input, output) live in hart 0's state.
# - Time: one global base G (mtime * time_div); each slice starts with the hart's
#   time_off set so that it sees G, and a round advances G by its longest slice. When
#   every hart waits in WFI, G jumps to the earliest timer that can wake one of them.
cdef inline HartState* smp_peer(HartState* h, uint64_t idx) noexcept nogil:
    return h.peers[idx] if idx < h.npeers else NULL


cdef int smp_plic_best(HartState* g, HartState* t, int c) noexcept nogil:
    """The best source for context c (0 = M, 1 = S) of hart t, or 0."""
    cdef uint64_t cand = g.plic_pending & t.plic_enable[c] & ~g.plic_claimed
    cdef int i, best = 0
    cdef uint32_t best_prio = t.plic_threshold[c]
    while cand:
        i = __builtin_ctzll(cand)
        cand &= cand - 1
        if g.plic_priority[i] > best_prio:
            best_prio = g.plic_priority[i]
            best = i
    return best


cdef uint64_t smp_plic_mip(HartState* h) noexcept nogil:
    cdef HartState* g = h.peers[0]
    cdef uint64_t v = 0
    plic_sync(g)
    if g.plic_pending:
        if smp_plic_best(g, h, 0):
            v |= 1ULL << 11
        if smp_plic_best(g, h, 1):
            v |= 1ULL << 9
    return v


cdef uint64_t smp_plic_read(HartState* h, uint64_t off) noexcept nogil:
    cdef HartState* g = h.peers[0]
    cdef HartState* t
    cdef uint64_t ctx, word
    cdef int src
    plic_sync(g)
    if off < 0x2000:
        return plic_read(g, off)  # priorities and pending bits
    if off < 0x1f2000:
        ctx = (off - 0x2000) >> 7
        word = (off & 0x7f) >> 2
        t = smp_peer(h, ctx >> 1)
        if t != NULL and word < 2:
            return (t.plic_enable[ctx & 1] >> (32 * word)) & 0xffffffffULL
        return 0
    if off >= 0x200000:
        ctx = (off - 0x200000) >> 12
        t = smp_peer(h, ctx >> 1)
        if t == NULL:
            return 0
        if (off & 0xfff) == 0:
            return t.plic_threshold[ctx & 1]
        if (off & 0xfff) == 4:  # claim
            src = smp_plic_best(g, t, <int>(ctx & 1))
            if src:
                g.plic_pending &= ~(1ULL << src)
                g.plic_claimed |= 1ULL << src
            h.check_now = 1
            return src
    return 0


cdef void smp_plic_write(HartState* h, uint64_t off, uint64_t v) noexcept nogil:
    cdef HartState* g = h.peers[0]
    cdef HartState* t
    cdef uint64_t ctx
    if off < 0x2000:
        plic_write(g, off, v)  # priorities (pending bits are read-only)
    elif off < 0x1f2000:
        ctx = (off - 0x2000) >> 7
        t = smp_peer(h, ctx >> 1)
        if t != NULL:
            if (off & 0x7f) == 0:
                t.plic_enable[ctx & 1] = ((t.plic_enable[ctx & 1] & 0xffffffff00000000ULL)
                                          | (v & 0xfffffffeULL))
            elif (off & 0x7f) == 4:
                t.plic_enable[ctx & 1] = ((t.plic_enable[ctx & 1] & 0xffffffffULL)
                                          | ((v & 0xffffffffULL) << 32))
            t.check_now = 1
    elif off >= 0x200000:
        ctx = (off - 0x200000) >> 12
        t = smp_peer(h, ctx >> 1)
        if t != NULL:
            if (off & 0xfff) == 0:
                t.plic_threshold[ctx & 1] = v & 7
            elif (off & 0xfff) == 4:  # complete
                if v < PLIC_SOURCES:
                    g.plic_claimed &= ~(1ULL << v)
            t.check_now = 1
    h.check_now = 1


cdef uint64_t smp_clint_read(HartState* h, uint64_t off, int size) noexcept nogil:
    cdef HartState* t
    cdef uint64_t v = 0
    if off >= 0xBFF8:
        return clint_read(h, off, size)  # mtime
    if off < 0x4000:
        t = smp_peer(h, off >> 2)
        v = t.msip if t != NULL and (off & 3) == 0 else 0
    else:
        t = smp_peer(h, (off - 0x4000) >> 3)
        v = t.mtimecmp if t != NULL else 0
        if off & 4:
            v >>= 32
    if size < 8:
        v &= (1ULL << (size * 8)) - 1
    return v


cdef void smp_clint_write(HartState* h, uint64_t off, int size, uint64_t v) noexcept nogil:
    cdef HartState* t
    if off >= 0xBFF8:
        clint_write(h, off, size, v)  # mtime: moves this hart's time base; the group follows
        return
    if off < 0x4000:
        t = smp_peer(h, off >> 2)
        if t != NULL and (off & 3) == 0:
            t.msip = v & 1  # an IPI: the target sees it when its next slice starts
            t.check_now = 1
    else:
        t = smp_peer(h, (off - 0x4000) >> 3)
        if t != NULL:
            if size == 8:
                t.mtimecmp = v
            elif off & 4:
                t.mtimecmp = (t.mtimecmp & 0xffffffffULL) | (v << 32)
            else:
                t.mtimecmp = (t.mtimecmp & ~0xffffffffULL) | (v & 0xffffffffULL)
            t.check_now = 1
    h.check_now = 1


cdef bint smp_load(HartState* h, uint64_t pa, int size, uint64_t* out) noexcept nogil:
    """A load from a device shared by the harts; False if pa is not one of them."""
    if pa >= CLINT_BASE and pa < CLINT_BASE + CLINT_SIZE:
        out[0] = smp_clint_read(h, pa - CLINT_BASE, size)
        return True
    if pa >= UART_BASE and pa < UART_BASE + UART_SIZE:
        out[0] = uart_read(h.peers[0], pa - UART_BASE)
        return True
    if pa >= PLIC_BASE and pa < PLIC_BASE + PLIC_SIZE and size == 4:
        out[0] = smp_plic_read(h, pa - PLIC_BASE)
        return True
    return False


cdef bint smp_store(HartState* h, uint64_t pa, int size, uint64_t v) noexcept nogil:
    """A store to a device shared by the harts; False if pa is not one of them."""
    cdef HartState* g = h.peers[0]
    if pa >= CLINT_BASE and pa < CLINT_BASE + CLINT_SIZE:
        smp_clint_write(h, pa - CLINT_BASE, size, v)
        return True
    if pa >= UART_BASE and pa < UART_BASE + UART_SIZE:
        if pa == UART_BASE and not (g.uart_lcr & 0x80):
            # transmit: one console buffer (hart 0's) keeps the harts' output in order;
            # the writing hart leaves its loop when it is full
            if g.out_len < OUT_BUF_SIZE:
                g.out_buf[g.out_len] = <uint8_t>v
                g.out_len += 1
            if g.out_len >= OUT_BUF_SIZE:
                h.exit_reason = EXIT_OUTPUT
        else:
            uart_write(g, pa - UART_BASE, v)
            h.check_now = 1
        return True
    if pa >= PLIC_BASE and pa < PLIC_BASE + PLIC_SIZE and size == 4:
        smp_plic_write(h, pa - PLIC_BASE, v)
        return True
    return False


cdef uint64_t smp_wake_time(HartState* h) noexcept nogil:
    """The global time base (mtime * time_div) at which a timer enabled in mie fires
    for a hart waiting in WFI, or ~0 if none can."""
    cdef uint64_t best = 0xffffffffffffffffULL
    cdef uint64_t lim = 0xffffffffffffffffULL // h.time_div
    cdef uint64_t c
    if (h.mie & MIP_MTIP) and h.mtimecmp < lim:
        best = h.mtimecmp * h.time_div
    if (h.mie & MIP_STIP) and (h.menvcfg & MENVCFG_STCE) and h.stimecmp < lim:
        c = h.stimecmp * h.time_div
        if c < best:
            best = c
    if (h.mie & MIP_VSTIP) and (h.henvcfg & MENVCFG_STCE):
        c = h.vstimecmp - h.htimedelta
        if c < lim and c * h.time_div < best:
            best = c * h.time_div
    return best


@cython.no_gc_clear
cdef class HartGroup:
    """N harts over one RAM, run round-robin in fixed slices (deterministic).

    run(budget) runs harts until budget steps (instructions plus traps) have passed in
    total, or a hart leaves its loop for Python (halt, SBI call, MMIO, output, reset,
    breakpoint...): then ``last`` is that hart's index and the next run() resumes its
    slice. EXIT_IDLE: every hart that is not stopped waits in WFI and no timer can wake
    one (only the host can: console input, hart_start). Stopped harts (SBI HSM) are
    skipped until started."""
    cdef list harts
    cdef HartState** hs
    cdef Insn*** own_dpages      # each hart's own decode arrays, given back at the end
    cdef uint8_t** own_code_page
    cdef uint64_t* seen          # code_epoch each hart last synced its TLBs to
    cdef uint8_t* waiting        # 1: in WFI, skipped until an enabled interrupt is pending
    cdef uint8_t* stopped        # 1: not started (or stopped through SBI HSM)
    cdef uint64_t epoch
    cdef readonly int n
    cdef readonly uint64_t slice_len
    cdef readonly uint64_t G     # global time base: mtime * time_div
    cdef readonly int cur        # the hart whose slice is running or next
    cdef uint64_t left           # steps left in cur's slice (0: start the next slice)
    cdef uint64_t slice_start    # cur's instret when its slice started
    cdef uint64_t round_max      # longest slice of this round
    cdef bint round_ran
    cdef int last_ran
    cdef readonly int last       # the hart whose exit ended run(), or -1
    cdef readonly uint64_t steps  # steps run by the last run()
    cdef readonly uint64_t slices  # slices started (for the per-slice overhead figures)

    def __cinit__(self, harts, uint64_t slice_len=10000):
        cdef int i
        cdef Hart hk
        self.harts = list(harts)
        self.n = len(self.harts)
        if self.n < 1:
            raise ValueError("a hart group needs at least one hart")
        if slice_len < 1:
            raise ValueError("the slice must be at least one instruction")
        for hk in self.harts:
            if hk._ram is not (<Hart>self.harts[0])._ram:
                raise ValueError("the harts of a group must share one RAM array")
        self.slice_len = slice_len
        self.hs = <HartState**>calloc(self.n, sizeof(HartState*))
        self.own_dpages = <Insn***>calloc(self.n, sizeof(Insn**))
        self.own_code_page = <uint8_t**>calloc(self.n, sizeof(uint8_t*))
        self.seen = <uint64_t*>calloc(self.n, sizeof(uint64_t))
        self.waiting = <uint8_t*>calloc(self.n, 1)
        self.stopped = <uint8_t*>calloc(self.n, 1)
        if (self.hs == NULL or self.own_dpages == NULL or self.own_code_page == NULL
                or self.seen == NULL or self.waiting == NULL or self.stopped == NULL):
            raise MemoryError("cannot allocate the hart group")
        for i in range(self.n):
            hk = self.harts[i]
            self.hs[i] = hk.h
            self.own_dpages[i] = hk.h.dpages
            self.own_code_page[i] = hk.h.code_page
        for i in range(self.n):
            hk = self.harts[i]
            hk.flush_decode_cache()
            hk.h.dpages = self.hs[0].dpages       # one decode cache for all
            hk.h.code_page = self.hs[0].code_page
            hk.h.peers = self.hs
            hk.h.npeers = self.n
            hk.h.wfi_yield = 1
            hk.h.loose_budget = 1
            hk.h.code_epoch = &self.epoch
            hk.h.check_now = 1
        self.last = -1
        self.last_ran = -1

    def __dealloc__(self):
        cdef int i
        cdef Hart hk
        if self.hs == NULL:
            return
        for i in range(self.n):
            hk = self.harts[i]
            hk.h.dpages = self.own_dpages[i]
            hk.h.code_page = self.own_code_page[i]
            hk.h.peers = NULL
            hk.h.npeers = 0
            hk.h.wfi_yield = 0
            hk.h.loose_budget = 0
            hk.h.code_epoch = NULL
            if i:
                tlb_flush_all(hk.h)   # its fetch TLB pointed into hart 0's decode cache
        free(self.hs)
        free(self.own_dpages)
        free(self.own_code_page)
        free(self.seen)
        free(self.waiting)
        free(self.stopped)

    def reset(self):
        """Back to the first slice of hart 0; every hart running, none waiting."""
        cdef int i
        for i in range(self.n):
            self.waiting[i] = 0
            self.stopped[i] = 0
        self.cur = 0
        self.left = 0
        self.round_max = 0
        self.round_ran = False
        self.last = -1
        self.last_ran = -1
        self.code_changed()

    def code_changed(self):
        """The host changed decoded code (flush_decode_cache): every hart drops its TLBs."""
        self.epoch += 1

    def set_stopped(self, int i, bint stopped):
        """Stop or start hart i (SBI HSM). A hart stopping ends its slice at once."""
        if i < 0 or i >= self.n:
            raise IndexError(f"no hart {i}")
        self.stopped[i] = stopped
        self.waiting[i] = 0
        self.hs[i].check_now = 1

    def is_stopped(self, int i):
        if i < 0 or i >= self.n:
            raise IndexError(f"no hart {i}")
        return bool(self.stopped[i])

    def is_waiting(self, int i):
        if i < 0 or i >= self.n:
            raise IndexError(f"no hart {i}")
        return bool(self.waiting[i])

    def flush_tlbs(self, int i):
        """Drop hart i's TLBs (a remote SFENCE.VMA)."""
        if i < 0 or i >= self.n:
            raise IndexError(f"no hart {i}")
        tlb_flush_all(self.hs[i])

    def step_hart(self, int i, uint64_t n):
        """A debugger's step: run hart i alone for exactly n steps (instructions plus
        traps; a slice may end late, a step may not). Its slice starts here unless it is
        the one running, and the round-robin goes on from it; the other harts stay still.
        A stopped hart does not run, and one waiting in WFI with nothing pending stays
        there: both return EXIT_IDLE. Exits for Python set ``last`` as run() does."""
        cdef HartState* h
        cdef uint64_t before, done
        cdef uint8_t loose
        cdef int r
        if i < 0 or i >= self.n:
            raise IndexError(f"no hart {i}")
        self.last = -1
        self.steps = 0
        if n == 0:
            return EXIT_BUDGET
        h = self.hs[i]
        if self.stopped[i]:
            return EXIT_IDLE
        if self.cur != i or self.left == 0:
            if self.left:
                self._end_slice(self.hs[self.cur])  # another hart's slice ends early
            self.cur = i
            self.left = 0
            h.time_off = self.G - h.instret
            if self.waiting[i]:
                if not (mip_value(h) & h.mie):
                    return EXIT_IDLE
                self.waiting[i] = 0
            if self.seen[i] != self.epoch:
                tlb_flush(&h.itlb)
                tlb_flush(&h.wtlb)
                self.seen[i] = self.epoch
            if self.last_ran >= 0 and self.last_ran != i:
                self.hs[self.last_ran].reserved_valid = 0
            self.last_ran = i
            self.left = self.slice_len
            self.slice_start = h.instret
            self.slices += 1
        loose = h.loose_budget
        h.loose_budget = 0
        before = h.instret + h.stat_traps
        with nogil:
            r = run_loop(h, n)
        h.loose_budget = loose
        done = h.instret + h.stat_traps - before
        self.steps = done
        self.left = self.left - done if done < self.left else 0
        if r == EXIT_IDLE:
            h.exit_reason = EXIT_NONE
            self.waiting[i] = 1
            self.left = 0
        elif r == EXIT_BUDGET:
            h.exit_reason = EXIT_NONE
        else:
            self.last = i
            if self.left == 0:
                self.left = 1
            return r
        if self.left == 0:
            self._end_slice(h)
            self._next()
        return r

    def run(self, uint64_t budget):
        """Run for about budget steps in total (a slice ends at its first event check
        past its length); returns the exit reason (EXIT_*)."""
        cdef int r
        with nogil:
            r = self._run(budget)
        return r

    cdef bint _next(self) noexcept nogil:
        """Move to the next hart; at the end of a round advance time. True if every
        hart is stopped or waits with nothing that could wake it (idle)."""
        cdef int i
        cdef uint64_t t, best
        self.left = 0
        self.cur += 1
        if self.cur < self.n:
            return False
        self.cur = 0
        if self.round_ran:
            self.G += self.round_max
            self.round_ran = False
            self.round_max = 0
            return False
        # nobody ran: skip to the earliest timer that wakes a waiting hart
        best = 0xffffffffffffffffULL
        for i in range(self.n):
            if self.waiting[i] and not self.stopped[i]:
                t = smp_wake_time(self.hs[i])
                if t < best:
                    best = t
        if best == 0xffffffffffffffffULL or best <= self.G:
            return True  # (best <= G: the timer is due yet wakes nobody; never spin here)
        self.G = best
        return False

    cdef void _end_slice(self, HartState* h) noexcept nogil:
        cdef uint64_t executed = h.instret - self.slice_start
        cdef uint64_t view = h.instret + h.time_off
        if view != self.G + executed:
            self.G += view - (self.G + executed)  # the hart wrote mtime
        if executed > self.round_max:
            self.round_max = executed
        self.round_ran = True

    cdef int _run(self, uint64_t budget) noexcept nogil:
        cdef HartState* h
        cdef uint64_t before, done, n
        cdef int k, r
        self.last = -1
        self.steps = 0
        while True:
            if budget == 0:
                return EXIT_BUDGET
            k = self.cur
            h = self.hs[k]
            if self.left == 0:
                # start hart k's slice, unless it is stopped or asleep with nothing pending
                if self.stopped[k]:
                    if self._next():
                        return EXIT_IDLE
                    continue
                h.time_off = self.G - h.instret  # it sees the global time
                if self.waiting[k]:
                    if not (mip_value(h) & h.mie):
                        if self._next():
                            return EXIT_IDLE
                        continue
                    self.waiting[k] = 0
                if self.seen[k] != self.epoch:
                    tlb_flush(&h.itlb)
                    tlb_flush(&h.wtlb)
                    self.seen[k] = self.epoch
                if self.last_ran >= 0 and self.last_ran != k:
                    self.hs[self.last_ran].reserved_valid = 0
                self.last_ran = k
                self.left = self.slice_len
                self.slice_start = h.instret
                self.slices += 1
            elif self.stopped[k]:
                # stopped (HSM hart_stop) in the middle of its slice
                self._end_slice(h)
                if self._next():
                    return EXIT_IDLE
                continue
            n = self.left if self.left < budget else budget
            before = h.instret + h.stat_traps
            r = run_loop(h, n)
            done = h.instret + h.stat_traps - before
            self.steps += done
            budget = budget - done if done < budget else 0
            self.left = self.left - done if done < self.left else 0
            if r == EXIT_IDLE:
                # WFI with nothing pending: it waits; the slice ends here
                h.exit_reason = EXIT_NONE
                self.waiting[k] = 1
            elif r == EXIT_BUDGET:
                h.exit_reason = EXIT_NONE
                if self.left:
                    return EXIT_BUDGET  # the caller's budget ended mid-slice
            else:
                # Python must act (halt, SBI, MMIO, output...): the slice resumes after
                self.last = k
                if self.left == 0:
                    self.left = 1
                return r
            self._end_slice(h)
            if self._next():
                return EXIT_IDLE
