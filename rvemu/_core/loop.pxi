# The run loop: fetch from the per-page decode cache, dispatch on the op with a C switch,
# bookkeeping only when the instruction count reaches the next event (budget, timer,
# pending interrupt re-check). No Python objects, no GIL.

cdef inline uint64_t sext32(uint64_t v) noexcept nogil:
    return <uint64_t><int64_t><int32_t>v


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
    cdef uint16_t op
    cdef uint64_t a, b, v, t
    cdef int r, irq
    cdef int64_t sa, sb
    h.exit_reason = EXIT_NONE
    if max_insns == 0:
        h.exit_reason = EXIT_BUDGET
        return h.exit_reason
    while True:
        if icount >= limit:
            # ---- events: budget, exits, interrupts, the next timer deadline ----
            h.pc = pc
            h.instret = icount
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
            t = next_timer_event(h)
            limit = stop_at
            if t > icount and t < limit:
                limit = t
        if (pc & ~0xfffULL) != page_va:
            h.pc = pc
            h.instret = icount
            page = fetch_page(h, pc, &host)
            if page == NULL:
                h.instret = icount
                pc = take_trap(h, pc, h.trap_cause, h.trap_tval, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            page_va = pc & ~0xfffULL
        d = &page[(pc & 0xfff) >> 1]
        op = d.op
        if op == OP_DECODE:
            decode_at(h, d, host + (pc & 0xfff), pc)
            op = d.op
        if op == OP_CROSSPAGE:
            h.pc = pc
            h.instret = icount
            if fetch_crosspage(h, pc, host + (pc & 0xfff), &h.tmp_insn):
                h.instret = icount
                pc = take_trap(h, pc, h.trap_cause, h.trap_tval, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            d = &h.tmp_insn
            op = d.op

        # ---- execute ----
        if op == OP_ADDI:
            x[d.rd] = x[d.rs1] + <int64_t>d.imm
        elif op == OP_LI:
            x[d.rd] = <int64_t>d.imm
        elif op == OP_MV:
            x[d.rd] = x[d.rs1]
        elif op == OP_NOP:
            pass
        elif op == OP_ADD:
            x[d.rd] = x[d.rs1] + x[d.rs2]
        elif op == OP_SUB:
            x[d.rd] = x[d.rs1] - x[d.rs2]
        elif op == OP_LUI:
            x[d.rd] = <int64_t>d.imm
        elif op == OP_AUIPC:
            x[d.rd] = pc + <int64_t>d.imm
        elif op == OP_JAL:
            a = pc + <int64_t>d.imm
            if a & h.ialign_mask:
                h.instret = icount
                pc = take_trap(h, pc, CAUSE_MISALIGNED_FETCH, a, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            x[d.rd] = pc + d.len
            pc = a
            icount += 1
            continue
        elif op == OP_JALR:
            a = (x[d.rs1] + <int64_t>d.imm) & ~1ULL
            if a & h.ialign_mask:
                h.instret = icount
                pc = take_trap(h, pc, CAUSE_MISALIGNED_FETCH, a, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            x[d.rd] = pc + d.len
            pc = a
            icount += 1
            continue
        elif op >= OP_BEQ and op <= OP_BGEU:
            a = x[d.rs1]
            b = x[d.rs2]
            if op == OP_BEQ:
                r = a == b
            elif op == OP_BNE:
                r = a != b
            elif op == OP_BLT:
                r = <int64_t>a < <int64_t>b
            elif op == OP_BGE:
                r = <int64_t>a >= <int64_t>b
            elif op == OP_BLTU:
                r = a < b
            else:
                r = a >= b
            if r:
                a = pc + <int64_t>d.imm
                if a & h.ialign_mask:
                    h.instret = icount
                    pc = take_trap(h, pc, CAUSE_MISALIGNED_FETCH, a, False)
                    page_va = 1
                    stop_at -= 1
                    limit = icount
                    continue
                pc = a
                icount += 1
                continue
        elif op >= OP_LB and op <= OP_LWU:
            a = x[d.rs1] + <int64_t>d.imm
            if op == OP_LD:
                r = load(h, a, 8, &v)
            elif op == OP_LW or op == OP_LWU:
                r = load(h, a, 4, &v)
            elif op == OP_LH or op == OP_LHU:
                r = load(h, a, 2, &v)
            else:
                r = load(h, a, 1, &v)
            if r:
                h.instret = icount
                pc = take_trap(h, pc, r - 1, h.trap_tval, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            if op == OP_LW:
                v = <uint64_t><int64_t><int32_t>v
            elif op == OP_LH:
                v = <uint64_t><int64_t><int16_t>v
            elif op == OP_LB:
                v = <uint64_t><int64_t><int8_t>v
            x[d.rd] = v
        elif op >= OP_SB and op <= OP_SD:
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
                if r == STORE_EVENT:
                    limit = icount + 1  # HTIF, finisher, console flush or CLINT write
                else:
                    h.instret = icount
                    pc = take_trap(h, pc, r - 1, h.trap_tval, False)
                    page_va = 1
                    stop_at -= 1
                    limit = icount
                    continue
        elif op == OP_SLTI:
            x[d.rd] = <int64_t>x[d.rs1] < <int64_t>d.imm
        elif op == OP_SLTIU:
            x[d.rd] = x[d.rs1] < <uint64_t><int64_t>d.imm
        elif op == OP_XORI:
            x[d.rd] = x[d.rs1] ^ <uint64_t><int64_t>d.imm
        elif op == OP_ORI:
            x[d.rd] = x[d.rs1] | <uint64_t><int64_t>d.imm
        elif op == OP_ANDI:
            x[d.rd] = x[d.rs1] & <uint64_t><int64_t>d.imm
        elif op == OP_SLLI:
            x[d.rd] = x[d.rs1] << d.imm
        elif op == OP_SRLI:
            x[d.rd] = x[d.rs1] >> d.imm
        elif op == OP_SRAI:
            x[d.rd] = <uint64_t>(<int64_t>x[d.rs1] >> d.imm)
        elif op == OP_SLL:
            x[d.rd] = x[d.rs1] << (x[d.rs2] & 63)
        elif op == OP_SLT:
            x[d.rd] = <int64_t>x[d.rs1] < <int64_t>x[d.rs2]
        elif op == OP_SLTU:
            x[d.rd] = x[d.rs1] < x[d.rs2]
        elif op == OP_XOR:
            x[d.rd] = x[d.rs1] ^ x[d.rs2]
        elif op == OP_SRL:
            x[d.rd] = x[d.rs1] >> (x[d.rs2] & 63)
        elif op == OP_SRA:
            x[d.rd] = <uint64_t>(<int64_t>x[d.rs1] >> (x[d.rs2] & 63))
        elif op == OP_OR:
            x[d.rd] = x[d.rs1] | x[d.rs2]
        elif op == OP_AND:
            x[d.rd] = x[d.rs1] & x[d.rs2]
        elif op == OP_ADDIW:
            x[d.rd] = sext32(x[d.rs1] + <int64_t>d.imm)
        elif op == OP_SLLIW:
            x[d.rd] = sext32(x[d.rs1] << d.imm)
        elif op == OP_SRLIW:
            x[d.rd] = sext32(<uint32_t>x[d.rs1] >> d.imm)
        elif op == OP_SRAIW:
            x[d.rd] = <uint64_t><int64_t>(<int32_t>x[d.rs1] >> d.imm)
        elif op == OP_ADDW:
            x[d.rd] = sext32(x[d.rs1] + x[d.rs2])
        elif op == OP_SUBW:
            x[d.rd] = sext32(x[d.rs1] - x[d.rs2])
        elif op == OP_SLLW:
            x[d.rd] = sext32(x[d.rs1] << (x[d.rs2] & 31))
        elif op == OP_SRLW:
            x[d.rd] = sext32(<uint32_t>x[d.rs1] >> (x[d.rs2] & 31))
        elif op == OP_SRAW:
            x[d.rd] = <uint64_t><int64_t>(<int32_t>x[d.rs1] >> (x[d.rs2] & 31))
        elif op >= OP_MUL and op <= OP_REMUW:
            x[d.rd] = exec_muldiv(op, x[d.rs1], x[d.rs2])
        elif op == OP_FENCE or op == OP_FENCE_I:
            pass  # one hart, in order; stores to code pages already dropped their decodes
        elif op >= OP_LR_W and op <= OP_AMOMAXU_D:
            h.pc = pc
            h.instret = icount
            r = exec_amo(h, d, x)
            if r:
                h.instret = icount
                pc = take_trap(h, pc, r - 1, h.trap_tval, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            if h.exit_reason != EXIT_NONE:
                limit = icount + 1
        elif op >= OP_FLW and op <= OP_FCVT_S_BF16:
            h.pc = pc
            r = exec_fp(h, d, x)
            if r:
                if r == CAUSE_ILLEGAL_INSTRUCTION + 1:
                    h.trap_tval = d.raw
                h.instret = icount
                pc = take_trap(h, pc, r - 1, h.trap_tval, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
        elif op >= OP_CSRRW and op <= OP_CSRRCI:
            h.pc = pc
            h.instret = icount
            if exec_csr(h, d, x):
                h.instret = icount
                pc = take_trap(h, pc, CAUSE_ILLEGAL_INSTRUCTION, d.raw, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            page_va = 1       # satp, mstatus or misa may have changed the fetch mapping
            limit = icount + 1  # and interrupt enables: re-check after this instruction
        elif op == OP_ECALL:
            h.pc = pc
            h.instret = icount
            if h.sbi_exits and h.priv == 1:
                h.exit_reason = EXIT_ECALL
                break
            h.instret = icount
            pc = take_trap(h, pc, CAUSE_USER_ECALL + h.priv, 0, False)
            page_va = 1
            stop_at -= 1
            limit = icount
            continue
        elif op == OP_EBREAK:
            h.instret = icount
            pc = take_trap(h, pc, CAUSE_BREAKPOINT, pc, False)
            page_va = 1
            stop_at -= 1
            limit = icount
            continue
        elif op == OP_MRET or op == OP_SRET or op == OP_WFI or op == OP_SFENCE_VMA:
            h.pc = pc
            h.instret = icount
            r = exec_system(h, d, pc, &a)
            if r:
                h.instret = icount
                pc = take_trap(h, pc, r - 1, d.raw, False)
                page_va = 1
                stop_at -= 1
                limit = icount
                continue
            pc = a
            page_va = 1
            icount += 1
            limit = icount
            continue
        else:  # OP_ILLEGAL and anything this hart does not implement
            h.instret = icount
            pc = take_trap(h, pc, CAUSE_ILLEGAL_INSTRUCTION, d.raw, False)
            page_va = 1
            stop_at -= 1
            limit = icount
            continue
        pc += d.len
        icount += 1
    h.pc = pc
    h.instret = icount
    return h.exit_reason


cdef uint64_t exec_muldiv(uint16_t op, uint64_t a, uint64_t b) noexcept nogil:
    """M extension; division by zero and overflow follow the spec's table (no traps)."""
    cdef int64_t sa = <int64_t>a
    cdef int64_t sb = <int64_t>b
    cdef int32_t wa, wb
    if op == OP_MUL:
        return a * b
    elif op == OP_MULH:
        return <uint64_t>((<i128>sa * <i128>sb) >> 64)
    elif op == OP_MULHSU:
        return <uint64_t>((<i128>sa * <i128><u128>b) >> 64)
    elif op == OP_MULHU:
        return <uint64_t>((<u128>a * <u128>b) >> 64)
    elif op == OP_DIV:
        if b == 0:
            return 0xffffffffffffffffULL
        if sa == INT64_MIN and sb == -1:
            return a
        return <uint64_t>(sa // sb)
    elif op == OP_DIVU:
        if b == 0:
            return 0xffffffffffffffffULL
        return a // b
    elif op == OP_REM:
        if b == 0:
            return a
        if sa == INT64_MIN and sb == -1:
            return 0
        return <uint64_t>(sa % sb)
    elif op == OP_REMU:
        if b == 0:
            return a
        return a % b
    elif op == OP_MULW:
        return sext32(a * b)
    wa = <int32_t>a
    wb = <int32_t>b
    if op == OP_DIVW:
        if wb == 0:
            return 0xffffffffffffffffULL
        if wa == INT32_MIN and wb == -1:
            return sext32(<uint32_t>wa)
        return <uint64_t><int64_t>(wa // wb)
    elif op == OP_DIVUW:
        if <uint32_t>wb == 0:
            return 0xffffffffffffffffULL
        return sext32(<uint32_t>wa // <uint32_t>wb)
    elif op == OP_REMW:
        if wb == 0:
            return <uint64_t><int64_t>wa
        if wa == INT32_MIN and wb == -1:
            return 0
        return <uint64_t><int64_t>(wa % wb)
    else:  # REMUW
        if <uint32_t>wb == 0:
            return <uint64_t><int64_t>wa
        return sext32(<uint32_t>wa % <uint32_t>wb)
