# F, D, Zfh/Zfhmin and Zfbfmin: loads/stores, NaN-boxing, conversions between
# precisions, and dispatch to the per-precision handlers generated from
# rv_fp_template.pxi. Arithmetic is softfp.h: bit-exact, every rounding mode, exact flags.

cdef extern from "softfp.h":
    uint16_t f16_add(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_sub(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_mul(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_div(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_sqrt(uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_madd(uint16_t, uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_msub(uint16_t, uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_nmsub(uint16_t, uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_nmadd(uint16_t, uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_min(uint16_t, uint16_t, uint32_t*) noexcept nogil
    uint16_t f16_max(uint16_t, uint16_t, uint32_t*) noexcept nogil
    int f16_eq(uint16_t, uint16_t, uint32_t*) noexcept nogil
    int f16_lt(uint16_t, uint16_t, uint32_t*) noexcept nogil
    int f16_le(uint16_t, uint16_t, uint32_t*) noexcept nogil
    uint32_t f16_classify(uint16_t) noexcept nogil
    uint32_t f16_to_i32(uint16_t, int, uint32_t*) noexcept nogil
    uint32_t f16_to_u32(uint16_t, int, uint32_t*) noexcept nogil
    uint64_t f16_to_i64(uint16_t, int, uint32_t*) noexcept nogil
    uint64_t f16_to_u64(uint16_t, int, uint32_t*) noexcept nogil
    uint16_t i32_to_f16(int32_t, int, uint32_t*) noexcept nogil
    uint16_t u32_to_f16(uint32_t, int, uint32_t*) noexcept nogil
    uint16_t i64_to_f16(int64_t, int, uint32_t*) noexcept nogil
    uint16_t u64_to_f16(uint64_t, int, uint32_t*) noexcept nogil
    uint32_t f32_add(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_sub(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_mul(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_div(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_sqrt(uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_madd(uint32_t, uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_msub(uint32_t, uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_nmsub(uint32_t, uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_nmadd(uint32_t, uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_min(uint32_t, uint32_t, uint32_t*) noexcept nogil
    uint32_t f32_max(uint32_t, uint32_t, uint32_t*) noexcept nogil
    int f32_eq(uint32_t, uint32_t, uint32_t*) noexcept nogil
    int f32_lt(uint32_t, uint32_t, uint32_t*) noexcept nogil
    int f32_le(uint32_t, uint32_t, uint32_t*) noexcept nogil
    uint32_t f32_classify(uint32_t) noexcept nogil
    uint32_t f32_to_i32(uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_to_u32(uint32_t, int, uint32_t*) noexcept nogil
    uint64_t f32_to_i64(uint32_t, int, uint32_t*) noexcept nogil
    uint64_t f32_to_u64(uint32_t, int, uint32_t*) noexcept nogil
    uint32_t i32_to_f32(int32_t, int, uint32_t*) noexcept nogil
    uint32_t u32_to_f32(uint32_t, int, uint32_t*) noexcept nogil
    uint32_t i64_to_f32(int64_t, int, uint32_t*) noexcept nogil
    uint32_t u64_to_f32(uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_add(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_sub(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_mul(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_div(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_sqrt(uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_madd(uint64_t, uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_msub(uint64_t, uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_nmsub(uint64_t, uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_nmadd(uint64_t, uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_min(uint64_t, uint64_t, uint32_t*) noexcept nogil
    uint64_t f64_max(uint64_t, uint64_t, uint32_t*) noexcept nogil
    int f64_eq(uint64_t, uint64_t, uint32_t*) noexcept nogil
    int f64_lt(uint64_t, uint64_t, uint32_t*) noexcept nogil
    int f64_le(uint64_t, uint64_t, uint32_t*) noexcept nogil
    uint32_t f64_classify(uint64_t) noexcept nogil
    uint32_t f64_to_i32(uint64_t, int, uint32_t*) noexcept nogil
    uint32_t f64_to_u32(uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_to_i64(uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_to_u64(uint64_t, int, uint32_t*) noexcept nogil
    uint64_t i32_to_f64(int32_t, int, uint32_t*) noexcept nogil
    uint64_t u32_to_f64(uint32_t, int, uint32_t*) noexcept nogil
    uint64_t i64_to_f64(int64_t, int, uint32_t*) noexcept nogil
    uint64_t u64_to_f64(uint64_t, int, uint32_t*) noexcept nogil
    uint32_t f16_to_f32(uint16_t, int, uint32_t*) noexcept nogil
    uint64_t f16_to_f64(uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f32_to_f16(uint32_t, int, uint32_t*) noexcept nogil
    uint64_t f32_to_f64(uint32_t, int, uint32_t*) noexcept nogil
    uint16_t f64_to_f16(uint64_t, int, uint32_t*) noexcept nogil
    uint32_t f64_to_f32(uint64_t, int, uint32_t*) noexcept nogil
    uint16_t f32_to_bf16(uint32_t, int, uint32_t*) noexcept nogil
    uint32_t bf16_to_f32(uint16_t, int, uint32_t*) noexcept nogil

cdef extern from "fpfast.h":
    uint16_t f16_add_fast(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_sub_fast(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_mul_fast(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint16_t f16_div_fast(uint16_t, uint16_t, int, uint32_t*) noexcept nogil
    uint32_t f32_add_fast(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_sub_fast(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_mul_fast(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint32_t f32_div_fast(uint32_t, uint32_t, int, uint32_t*) noexcept nogil
    uint64_t f64_add_fast(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_sub_fast(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_mul_fast(uint64_t, uint64_t, int, uint32_t*) noexcept nogil
    uint64_t f64_div_fast(uint64_t, uint64_t, int, uint32_t*) noexcept nogil

cdef uint64_t BOX32 = 0xffffffff00000000ULL
cdef uint64_t BOX16 = 0xffffffffffff0000ULL


cdef inline uint32_t unbox32(uint64_t v) noexcept nogil:
    # an improperly NaN-boxed single reads as the canonical NaN (unpriv "NaN Boxing")
    return <uint32_t>v if (v & BOX32) == BOX32 else 0x7fc00000U


cdef inline uint16_t unbox16(uint64_t v) noexcept nogil:
    return <uint16_t>v if (v & BOX16) == BOX16 else 0x7e00U


cdef inline uint64_t box32(uint32_t v) noexcept nogil:
    return BOX32 | v


cdef inline uint64_t box16(uint16_t v) noexcept nogil:
    return BOX16 | v


cdef inline uint8_t insn_rm(Insn* d) noexcept nogil:
    """The rounding-mode field (funct3) of a 32-bit F/D/Zfh instruction, from its raw bits
    (the decoded slot has no rm field)."""
    return (d.raw >> 12) & 7


cdef inline int resolve_rm(HartState* h, uint8_t rm) noexcept nogil:
    """The static or dynamic rounding mode, or -1 if reserved (illegal instruction)."""
    if rm == 7:
        rm = h.frm
    return rm if rm <= 4 else -1


cdef inline int fp_done_f(HartState* h, uint32_t fl) noexcept nogil:
    """An f register was written: FS becomes Dirty; accrue flags."""
    h.fflags |= fl
    set_fs_dirty(h)
    return 0


cdef inline int fp_done_x(HartState* h, uint32_t fl) noexcept nogil:
    """Only an x register was written: FS becomes Dirty only if a flag was raised."""
    if fl:
        h.fflags |= fl
        set_fs_dirty(h)
    return 0


include "_generated_fp.pxi"


cdef int exec_fp(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """Execute an F/D/Zfh/Zfbfmin instruction. 0 ok, else cause + 1."""
    cdef uint16_t op = d.op
    cdef uint64_t* f = h.f
    cdef uint64_t a, v
    cdef uint32_t fl = 0
    cdef int r, rm
    if fs_off(h):
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if op == OP_FLW or op == OP_FLD or op == OP_FLH:
        a = x[d.rs1] + <int64_t>d.imm
        r = load(h, a, 4 if op == OP_FLW else (8 if op == OP_FLD else 2), &v)
        if r:
            return r  # a trap, or MMIO_EXIT
        f[d.rd] = box32(<uint32_t>v) if op == OP_FLW else (v if op == OP_FLD else box16(<uint16_t>v))
        return fp_done_f(h, 0)
    if op == OP_FSW or op == OP_FSD or op == OP_FSH:
        a = x[d.rs1] + <int64_t>d.imm
        r = store(h, a, 4 if op == OP_FSW else (8 if op == OP_FSD else 2), f[d.rs2])
        return 0 if r == STORE_EVENT else r
    if op >= OP_FMADD_S and op <= OP_FCVT_S_LU:
        return exec_fp_f32(h, d, x, op)
    if op >= OP_FMADD_D and op <= OP_FCVT_D_LU:
        return exec_fp_f64(h, d, x, op)
    if op >= OP_FMADD_H and op <= OP_FCVT_H_LU:
        return exec_fp_f16(h, d, x, op)
    # conversions between precisions (all honour rm, as Spike does)
    rm = resolve_rm(h, insn_rm(d))
    if rm < 0:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if op == OP_FCVT_S_D:
        f[d.rd] = box32(f64_to_f32(f[d.rs1], rm, &fl))
    elif op == OP_FCVT_D_S:
        f[d.rd] = f32_to_f64(unbox32(f[d.rs1]), rm, &fl)
    elif op == OP_FCVT_S_H:
        f[d.rd] = box32(f16_to_f32(unbox16(f[d.rs1]), rm, &fl))
    elif op == OP_FCVT_H_S:
        f[d.rd] = box16(f32_to_f16(unbox32(f[d.rs1]), rm, &fl))
    elif op == OP_FCVT_D_H:
        f[d.rd] = f16_to_f64(unbox16(f[d.rs1]), rm, &fl)
    elif op == OP_FCVT_H_D:
        f[d.rd] = box16(f64_to_f16(f[d.rs1], rm, &fl))
    elif op == OP_FCVT_BF16_S:
        f[d.rd] = box16(f32_to_bf16(unbox32(f[d.rs1]), rm, &fl))
    elif op == OP_FCVT_S_BF16:
        # the bf16 input is NaN-boxed like a half, but an improperly boxed one reads
        # as the canonical *bf16* NaN (0x7fc0), not the half one (0x7e00 is a bf16 number)
        f[d.rd] = box32(bf16_to_f32(<uint16_t>f[d.rs1] if (f[d.rs1] & BOX16) == BOX16
                                    else 0x7fc0U, rm, &fl))
    else:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    return fp_done_f(h, fl)
