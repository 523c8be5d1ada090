# Template for one FP precision, expanded by rvemu/isa/codegen.py into _generated_fp.pxi
# once per precision: {S} is the mnemonic suffix (S, D, H), {P} the softfp prefix (f32,
# f64, f16), {T} its C type, {UNBOX}/{BOX} its NaN-boxing, {MVX}/{MVF} the move names.
# Handlers follow the unpriv F chapter; flags and FS follow Spike: FS becomes Dirty when
# an f register is written or a flag is raised.

cdef int exec_fp_{P}(HartState* h, Insn* d, uint64_t* x, uint16_t op) noexcept nogil:
    cdef uint64_t* f = h.f
    cdef uint32_t fl = 0
    cdef int rm
    if op == OP_FADD_{S} or op == OP_FSUB_{S} or op == OP_FMUL_{S} or op == OP_FDIV_{S}:
        rm = resolve_rm(h, insn_rm(d))
        if rm < 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if op == OP_FADD_{S}:
            f[d.rd] = {BOX}({P}_add_fast({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), rm, &fl))
        elif op == OP_FSUB_{S}:
            f[d.rd] = {BOX}({P}_sub_fast({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), rm, &fl))
        elif op == OP_FMUL_{S}:
            f[d.rd] = {BOX}({P}_mul_fast({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), rm, &fl))
        else:
            f[d.rd] = {BOX}({P}_div_fast({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), rm, &fl))
    elif op >= OP_FMADD_{S} and op <= OP_FNMADD_{S}:
        rm = resolve_rm(h, insn_rm(d))
        if rm < 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if op == OP_FMADD_{S}:
            f[d.rd] = {BOX}({P}_madd({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), {UNBOX}(f[d.rs3]), rm, &fl))
        elif op == OP_FMSUB_{S}:
            f[d.rd] = {BOX}({P}_msub({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), {UNBOX}(f[d.rs3]), rm, &fl))
        elif op == OP_FNMSUB_{S}:
            f[d.rd] = {BOX}({P}_nmsub({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), {UNBOX}(f[d.rs3]), rm, &fl))
        else:
            f[d.rd] = {BOX}({P}_nmadd({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), {UNBOX}(f[d.rs3]), rm, &fl))
    elif op == OP_FSQRT_{S}:
        rm = resolve_rm(h, insn_rm(d))
        if rm < 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        f[d.rd] = {BOX}({P}_sqrt({UNBOX}(f[d.rs1]), rm, &fl))
    elif op == OP_FSGNJ_{S}:
        f[d.rd] = {BOX}(({UNBOX}(f[d.rs1]) & ~{SIGN}) | ({UNBOX}(f[d.rs2]) & {SIGN}))
    elif op == OP_FSGNJN_{S}:
        f[d.rd] = {BOX}(({UNBOX}(f[d.rs1]) & ~{SIGN}) | (~{UNBOX}(f[d.rs2]) & {SIGN}))
    elif op == OP_FSGNJX_{S}:
        f[d.rd] = {BOX}({UNBOX}(f[d.rs1]) ^ ({UNBOX}(f[d.rs2]) & {SIGN}))
    elif op == OP_FMIN_{S}:
        f[d.rd] = {BOX}({P}_min({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), &fl))
    elif op == OP_FMAX_{S}:
        f[d.rd] = {BOX}({P}_max({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), &fl))
    elif op == OP_FEQ_{S}:
        x[d.rd] = {P}_eq({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), &fl)
        return fp_done_x(h, fl)
    elif op == OP_FLT_{S}:
        x[d.rd] = {P}_lt({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), &fl)
        return fp_done_x(h, fl)
    elif op == OP_FLE_{S}:
        x[d.rd] = {P}_le({UNBOX}(f[d.rs1]), {UNBOX}(f[d.rs2]), &fl)
        return fp_done_x(h, fl)
    elif op == OP_FCLASS_{S}:
        x[d.rd] = {P}_classify({UNBOX}(f[d.rs1]))
        return 0
    elif op == OP_{MVX}:
        x[d.rd] = <uint64_t><int64_t><{ST}>f[d.rs1]  # raw bits, sign-extended
        return 0
    elif op == OP_{MVF}:
        f[d.rd] = {BOX}(<{T}>x[d.rs1])
    elif op >= OP_FCVT_W_{S} and op <= OP_FCVT_{S}_LU:
        rm = resolve_rm(h, insn_rm(d))
        if rm < 0:
            return CAUSE_ILLEGAL_INSTRUCTION + 1
        if op == OP_FCVT_W_{S}:
            x[d.rd] = sext32({P}_to_i32({UNBOX}(f[d.rs1]), rm, &fl))
        elif op == OP_FCVT_WU_{S}:
            x[d.rd] = sext32({P}_to_u32({UNBOX}(f[d.rs1]), rm, &fl))
        elif op == OP_FCVT_L_{S}:
            x[d.rd] = {P}_to_i64({UNBOX}(f[d.rs1]), rm, &fl)
        elif op == OP_FCVT_LU_{S}:
            x[d.rd] = {P}_to_u64({UNBOX}(f[d.rs1]), rm, &fl)
        else:
            if op == OP_FCVT_{S}_W:
                f[d.rd] = {BOX}(i32_to_{P}(<int32_t>x[d.rs1], rm, &fl))
            elif op == OP_FCVT_{S}_WU:
                f[d.rd] = {BOX}(u32_to_{P}(<uint32_t>x[d.rs1], rm, &fl))
            elif op == OP_FCVT_{S}_L:
                f[d.rd] = {BOX}(i64_to_{P}(<int64_t>x[d.rs1], rm, &fl))
            else:
                f[d.rd] = {BOX}(u64_to_{P}(x[d.rs1], rm, &fl))
            return fp_done_f(h, fl)
        return fp_done_x(h, fl)
    else:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    return fp_done_f(h, fl)
