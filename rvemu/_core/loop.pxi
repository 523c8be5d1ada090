# The run loop: walk the per-page decode cache slot by slot. Integer code and the common
# F/D ops run in the C fast path (fastloop.h, threaded dispatch); everything else, and the
# slow paths of loads, stores and jumps, dispatch on the op with one C switch here. Straight-line code needs no
# checks: falling off a page lands on a sentinel slot (OP_PAGE_END) that looks the next
# page up, and events (budget, exits, timer, interrupt re-check) are looked at there, on
# taken branches and after system instructions. No Python objects, no GIL.

cdef enum:
    PRECISE_TAIL = 8192  # the last instructions of a budget run one per event check


cdef extern from "fastloop.h":
    ctypedef struct RvFast:  # the fast path's view of the loop's state (fastloop.h)
        uint64_t* x
        uint64_t* f
        uint32_t* fflags
        uint32_t frm
        uint32_t fp_ok
        const Tlb* rtlb
        const Tlb* wtlb
        const Tlb* itlb
        Insn* refetch
        Insn* page
        uint8_t* host
        uint64_t page_va
        uint64_t pc
        uint64_t icount
        uint64_t limit
        uint64_t ialign_mask
    bint rv_fast_op(uint16_t op) noexcept nogil
    uint8_t rv_fast_index(uint16_t op, uint8_t length) noexcept nogil
    void rv_fast_localize(Insn* d, uint64_t pc, uint64_t ialign_mask) noexcept nogil
    Insn* rv_fast_run(RvFast* c, Insn* d) noexcept nogil


cdef inline uint64_t sext32(uint64_t v) noexcept nogil:
    return <uint64_t><int64_t><int32_t>v


cdef inline Insn* jump_target(uint64_t pc, uint64_t page_va, Insn* page, Insn* refetch,
                              uint64_t icount, uint64_t limit) noexcept nogil:
    """The slot to run after a taken branch or jump: directly if it is on the current
    page and no event is due, else the page-end sentinel (which looks pc up)."""
    if (pc & ~0xfffULL) == page_va and icount < limit:
        return &page[(pc & 0xfff) >> 1]
    return refetch


cdef int run_loop(HartState* h, uint64_t max_insns) noexcept nogil:
    cdef uint64_t* x = h.x
    cdef uint64_t pc = h.pc
    cdef uint64_t icount = h.instret
    cdef uint64_t stop_at = icount + max_insns
    cdef uint64_t limit = icount       # check events before the first instruction
    cdef uint64_t page_va = 1          # page of the current decode page (1 = none)
    cdef Insn* page = NULL
    cdef uint8_t* host = NULL
    cdef Insn* d
    cdef Insn* refetch = h.refetch  # sentinel: look up pc, check events
    cdef uint16_t op
    cdef uint8_t ln
    cdef bint precise = False   # single-step: the budget ends within reach
    # hart slices (loose_budget) end at the first event check past the budget instead
    cdef uint64_t tail = 0 if h.loose_budget else PRECISE_TAIL
    cdef uint64_t a, b, v, t
    cdef int r, irq
    cdef RvFast fast
    fast.x = x
    fast.f = h.f
    fast.fflags = &h.fflags
    fast.rtlb = &h.rtlb
    fast.wtlb = &h.wtlb
    fast.itlb = &h.itlb
    fast.refetch = refetch
    h.exit_reason = EXIT_NONE
    if max_insns == 0:
        h.exit_reason = EXIT_BUDGET
        return h.exit_reason
    d = refetch
    while True:
        op = d.op
        if rv_fast_op(op):
            # the fast path runs until an op it leaves to the switch below (so the ALU
            # ops never reach the switch: they have no slow path)
            fast.page = page
            fast.host = host
            fast.page_va = page_va
            fast.pc = pc
            fast.icount = icount
            fast.limit = limit
            fast.ialign_mask = h.ialign_mask
            fast.frm = h.frm
            fast.fp_ok = fs_dirty(h)
            d = rv_fast_run(&fast, d)
            pc = fast.pc
            icount = fast.icount
            page = fast.page
            host = fast.host
            page_va = fast.page_va
            op = d.op
        ln = d.len  # read now: a store may invalidate this very page's decodes
        # ---- execute: the slow paths of the fast path's ops, then every other op ----
        if op == OP_JAL:
            a = pc + <int64_t>d.imm
            if a & h.ialign_mask:
                h.trap_cause = CAUSE_MISALIGNED_FETCH
                h.trap_tval = a
                d = &h.exc_slot
                continue
            x[d.rd] = pc + d.len
            pc = a
            icount += 1
            d = jump_target(pc, page_va, page, refetch, icount, limit)
            continue
        elif op == OP_JALR:
            a = (x[d.rs1] + <int64_t>d.imm) & ~1ULL
            if a & h.ialign_mask:
                h.trap_cause = CAUSE_MISALIGNED_FETCH
                h.trap_tval = a
                d = &h.exc_slot
                continue
            x[d.rd] = pc + d.len
            pc = a
            icount += 1
            d = jump_target(pc, page_va, page, refetch, icount, limit)
            continue
        elif op == OP_BEQ:
            if x[d.rs1] == x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_BNE:
            if x[d.rs1] != x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_BLT:
            if <int64_t>x[d.rs1] < <int64_t>x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_BGE:
            if <int64_t>x[d.rs1] >= <int64_t>x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_BLTU:
            if x[d.rs1] < x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_BGEU:
            if x[d.rs1] >= x[d.rs2]:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:  # target not 4-byte aligned on a hart without C
                    h.trap_cause = CAUSE_MISALIGNED_FETCH
                    h.trap_tval = a
                    d = &h.exc_slot
                    continue
                pc = a
                icount += 1
                d = jump_target(pc, page_va, page, refetch, icount, limit)
                continue
        elif op == OP_LD:
            r = load(h, x[d.rs1] + <int64_t>d.imm, 8, &v)
            if r:
                if r == MMIO_EXIT:
                    h.pc = pc
                    h.instret = icount
                    break
                h.trap_cause = r - 1
                d = &h.exc_slot
                continue
            x[d.rd] = v
        elif op == OP_LW or op == OP_LWU or op == OP_LH or op == OP_LHU or op == OP_LB or op == OP_LBU:
            a = x[d.rs1] + <int64_t>d.imm
            if op == OP_LW or op == OP_LWU:
                r = load(h, a, 4, &v)
            elif op == OP_LH or op == OP_LHU:
                r = load(h, a, 2, &v)
            else:
                r = load(h, a, 1, &v)
            if r:
                if r == MMIO_EXIT:
                    h.pc = pc
                    h.instret = icount
                    break
                h.trap_cause = r - 1
                d = &h.exc_slot
                continue
            if op == OP_LW:
                v = <uint64_t><int64_t><int32_t>v
            elif op == OP_LH:
                v = <uint64_t><int64_t><int16_t>v
            elif op == OP_LB:
                v = <uint64_t><int64_t><int8_t>v
            x[d.rd] = v
        elif op == OP_SD or op == OP_SW or op == OP_SH or op == OP_SB:
            a = x[d.rs1] + <int64_t>d.imm
            if op == OP_SD:
                r = store(h, a, 8, x[d.rs2])
            elif op == OP_SW:
                r = store(h, a, 4, x[d.rs2])
            elif op == OP_SH:
                r = store(h, a, 2, x[d.rs2])
            else:
                r = store(h, a, 1, x[d.rs2])
            if r:
                if r == STORE_EVENT:  # HTIF, finisher, console flush or CLINT write
                    pc += ln
                    icount += 1
                    limit = icount
                    d = refetch
                    continue
                else:
                    if r == MMIO_EXIT:
                        h.pc = pc
                        h.instret = icount
                        break
                    h.trap_cause = r - 1
                    d = &h.exc_slot
                    continue
        elif op == OP_FENCE or op == OP_FENCE_I:
            pass  # one hart, in order; stores to code pages already dropped their decodes
        elif op == OP_ECALL:
            h.pc = pc
            h.instret = icount
            if h.sbi_exits and h.priv == 1 and not h.virt:
                h.exit_reason = EXIT_ECALL
                break
            # ecall from U/VU 8, HS 9, VS 10, M 11
            h.trap_cause = CAUSE_USER_ECALL + h.priv + (h.virt & h.priv)
            h.trap_tval = 0
            d = &h.exc_slot
            continue
        elif op == OP_EBREAK:
            h.trap_cause = CAUSE_BREAKPOINT
            h.trap_tval = pc
            d = &h.exc_slot
            continue
        elif op == OP_MRET or op == OP_SRET or op == OP_WFI or op == OP_SFENCE_VMA:
            h.pc = pc
            h.instret = icount
            r = exec_system(h, d, pc, &a)
            if r:
                h.trap_cause = r - 1
                h.trap_tval = d.raw
                d = &h.exc_slot
                continue
            pc = a
            page_va = 1
            d = refetch
            icount += 1
            limit = icount
            continue
        elif op == OP_CSRRW or op == OP_CSRRS or op == OP_CSRRC or op == OP_CSRRWI or op == OP_CSRRSI or op == OP_CSRRCI:
            h.pc = pc
            h.instret = icount
            r = exec_csr(h, d, x)
            if r:
                h.trap_cause = CAUSE_ILLEGAL_INSTRUCTION if r == 1 else CAUSE_VIRTUAL_INSTRUCTION
                h.trap_tval = d.raw
                d = &h.exc_slot
                continue
            # satp, mstatus or misa may have changed the fetch mapping, and interrupt
            # enables may have changed: look at events before the next instruction
            page_va = 1
            pc += ln
            icount += 1
            limit = icount
            d = refetch
            continue
        elif op == OP_PAGE_END:
            # ---- pc left the decoded page, or an event is due (budget, exits, timer,
            # interrupt re-check), or a trap moved pc: look up pc's page ----
            h.pc = pc
            h.instret = icount
            if icount >= limit:
                if h.exit_reason != EXIT_NONE:
                    break
                if icount >= stop_at:
                    h.exit_reason = EXIT_BUDGET
                    break
                h.check_now = 0
                irq = pending_interrupt(h)
                if irq >= 0:
                    pc = take_trap(h, pc, irq, 0, True)
                    page_va = 1
                    if h.exit_reason != EXIT_NONE:  # an interrupt into HS ends a guest run
                        h.pc = pc
                        break
                    stop_at -= 1  # an interrupt taken is a step too
                    if icount >= stop_at:
                        h.pc = pc
                        h.exit_reason = EXIT_BUDGET
                        break
                # Unchecked stretches (straight-line code to the next taken branch or
                # page end) are at most 2 x 2048 instructions, so the fast path may run
                # until PRECISE_TAIL instructions remain; then step one at a time so
                # the budget ends exactly.
                precise = stop_at - icount <= tail
                limit = icount if precise else stop_at - tail
                t = next_timer_event(h)
                if t > icount and t < limit:
                    limit = t
            if (pc & ~0xfffULL) != page_va:
                page = fetch_page(h, pc, &host)
                if page == NULL:  # fetch fault: trap_cause/trap_tval are set
                    d = &h.exc_slot
                    continue
                page_va = pc & ~0xfffULL
            d = &page[(pc & 0xfff) >> 1]
            if precise:
                # run a copy whose successor is a sentinel: one instruction per check
                if d.op == OP_DECODE:
                    decode_at(h, d, host + (pc & 0xfff), pc)
                if d.op != OP_CROSSPAGE and d.op != OP_BREAKPOINT:
                    h.tmp_insn[0] = d[0]
                    d = &h.tmp_insn[0]
                page_va = 1  # taken branches come back here too
                limit = icount
            continue
        elif op == OP_EXCEPTION:
            # the instruction at pc raised h.trap_cause with h.trap_tval; traps count
            # against the budget too, so a guest that only traps still stops
            h.instret = icount
            pc = take_trap(h, pc, h.trap_cause, h.trap_tval, False)
            page_va = 1
            stop_at -= 1
            limit = icount
            d = refetch
            continue
        elif op == OP_BREAKPOINT:
            if pc != h.bp_skip and is_breakpoint(h, pc):
                h.exit_reason = EXIT_EBREAK
                break
            # not a breakpoint of this pc (an alias of the page), or resuming from it:
            # run the real instruction from a fresh decode
            h.bp_skip = 0xffffffffffffffffULL
            decode_real(h, &h.tmp_insn[0], host + (pc & 0xfff), pc)
            if h.tmp_insn[0].op == OP_CROSSPAGE:
                h.pc = pc
                h.instret = icount
                if fetch_crosspage(h, pc, host + (pc & 0xfff), &h.tmp_insn[0]):
                    d = &h.exc_slot
                    continue
            d = &h.tmp_insn[0]
            continue
        elif op == OP_DECODE:
            decode_at(h, d, host + (pc & 0xfff), pc)
            continue  # dispatch the slot again, now decoded
        elif op == OP_CROSSPAGE:
            h.pc = pc
            h.instret = icount
            if fetch_crosspage(h, pc, host + (pc & 0xfff), &h.tmp_insn[0]):
                d = &h.exc_slot
                continue
            d = &h.tmp_insn[0]  # executes from the copy; its successor is a sentinel
            continue
        else:
            # cold ops, dispatched by range: A, then F/D/Zfh/Zfbfmin, else illegal
            h.pc = pc
            h.instret = icount
            if op >= OP_LR_W and op <= OP_AMOMAXU_D:
                r = exec_amo(h, d, x)
            elif op >= OP_FLW and op <= OP_FCVT_S_BF16:
                r = exec_fp(h, d, x)
                if r == CAUSE_ILLEGAL_INSTRUCTION + 1:
                    h.trap_tval = d.raw
            elif op >= OP_HFENCE_VVMA and op <= OP_HSV_D:
                r = exec_hyp(h, d, x)
                if r == CAUSE_ILLEGAL_INSTRUCTION + 1 or r == CAUSE_VIRTUAL_INSTRUCTION + 1:
                    h.trap_tval = d.raw
            elif op >= OP_VSETVLI and op <= OP_VSTORE:
                r = exec_vector(h, d, x)
            else:  # OP_ILLEGAL and anything this hart does not implement
                r = CAUSE_ILLEGAL_INSTRUCTION + 1
                h.trap_tval = d.raw
            if r:
                if r == MMIO_EXIT:
                    break
                h.trap_cause = r - 1
                d = &h.exc_slot
                continue
            if h.exit_reason != EXIT_NONE or h.check_now:
                pc += ln
                icount += 1
                limit = icount
                d = refetch
                continue
        # straight-line successor; events are looked at only where control flow leaves
        # the page or jumps (page-end sentinels, taken branches), so this is all
        icount += 1
        if ln == 4:
            pc += 4
            d += 2
        else:
            pc += 2
            d += 1
    h.pc = pc
    h.instret = icount
    return h.exit_reason
