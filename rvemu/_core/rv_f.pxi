# F and D (and, through the same paths, Zfh/Zfbfmin): loads/stores, moves, sign
# injection, and the arithmetic of softfp.h with exact flags (unpriv F, D chapters).

cdef uint64_t BOX32 = 0xffffffff00000000ULL
cdef uint64_t BOX16 = 0xffffffffffff0000ULL


cdef inline uint32_t unbox32(uint64_t v) noexcept nogil:
    # an improperly NaN-boxed single reads as the canonical NaN (unpriv 13.2)
    return <uint32_t>v if (v & BOX32) == BOX32 else 0x7fc00000


cdef inline uint16_t unbox16(uint64_t v) noexcept nogil:
    return <uint16_t>v if (v & BOX16) == BOX16 else 0x7e00


cdef inline uint64_t box32(uint32_t v) noexcept nogil:
    return BOX32 | v


cdef inline uint64_t box16(uint16_t v) noexcept nogil:
    return BOX16 | v


cdef int exec_fp(HartState* h, Insn* d, uint64_t* x) noexcept nogil:
    """Execute an F/D/Zfh/Zfbfmin instruction. 0 ok, else cause + 1."""
    cdef uint16_t op = d.op
    cdef uint64_t* f = h.f
    cdef uint64_t a, v
    cdef int r
    if (h.mstatus & MSTATUS_FS) == 0:
        return CAUSE_ILLEGAL_INSTRUCTION + 1
    if op == OP_FLW or op == OP_FLD or op == OP_FLH:
        a = x[d.rs1] + <int64_t>d.imm
        r = load(h, a, 4 if op == OP_FLW else (8 if op == OP_FLD else 2), &v)
        if r:
            return r
        f[d.rd] = box32(<uint32_t>v) if op == OP_FLW else (v if op == OP_FLD else box16(<uint16_t>v))
        set_fs_dirty(h)
        return 0
    if op == OP_FSW or op == OP_FSD or op == OP_FSH:
        a = x[d.rs1] + <int64_t>d.imm
        r = store(h, a, 4 if op == OP_FSW else (8 if op == OP_FSD else 2), f[d.rs2])
        return 0 if r == STORE_EVENT else r
    return CAUSE_ILLEGAL_INSTRUCTION + 1
