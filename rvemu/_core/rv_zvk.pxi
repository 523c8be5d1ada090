# The ZV* sub-extensions (Zvbb, Zvbc, Zvkb, Zvkg, Zvkned, Zvknha, Zvknhb, Zvksed, Zvksh):
# rvv_opv() (rvv.h) hands their OP-V and OP-VE words to zvk_exec.h, which checks each
# instruction's sub-extension against RvvState.zvk_ext. That field follows the hart's
# extension mask: set at construction, and swapped with the mask by the world switch, so a
# sub-extension a hypervisor disabled for its guest traps there (illegal instruction).

cdef inline uint32_t zvk_ext_of(uint64_t ext) noexcept nogil:
    """The ZVK_EXT_* bits (zvk_exec.h) of an extension mask (EXTM_*)."""
    return ((ZVK_EXT_ZVBB if ext & EXTM_ZVBB else 0)
            | (ZVK_EXT_ZVKB if ext & EXTM_ZVKB else 0)
            | (ZVK_EXT_ZVBC if ext & EXTM_ZVBC else 0)
            | (ZVK_EXT_ZVKG if ext & EXTM_ZVKG else 0)
            | (ZVK_EXT_ZVKNED if ext & EXTM_ZVKNED else 0)
            | (ZVK_EXT_ZVKNHA if ext & EXTM_ZVKNHA else 0)
            | (ZVK_EXT_ZVKNHB if ext & EXTM_ZVKNHB else 0)
            | (ZVK_EXT_ZVKSED if ext & EXTM_ZVKSED else 0)
            | (ZVK_EXT_ZVKSH if ext & EXTM_ZVKSH else 0))


# The rest of the vector unit's ISA-derived switches follow the same rule: a guest whose
# hypervisor disabled Zvfh (or Zvfhmin, Zvfbfmin, Zvfbfwma) must trap on those instructions.
# The world switch saves the host's, installs the guest's and restores the host's (ELEN and
# VLEN are handled apart: a guest's vtype would have to be re-checked).
cdef struct VuExt:
    uint8_t fp_sl
    uint8_t zvfhmin
    uint8_t zvfbfmin
    uint8_t zvfbfwma
    uint8_t full_v
    uint32_t zvk_ext


cdef inline VuExt vu_ext_of(uint64_t ext) noexcept nogil:
    """The switches for extension mask ``ext`` (as Hart.__cinit__ sets them)."""
    cdef VuExt e
    e.fp_sl = ((2 if ext & EXTM_ZVFH else 0) | (4 if ext & EXTM_ZVE32F else 0)
               | (8 if ext & EXTM_ZVE64D else 0))
    e.zvfhmin = (ext & EXTM_ZVFHMIN) != 0
    e.zvfbfmin = (ext & EXTM_ZVFBFMIN) != 0
    e.zvfbfwma = (ext & EXTM_ZVFBFWMA) != 0
    e.full_v = (ext & EXTM_V) != 0
    e.zvk_ext = zvk_ext_of(ext)
    return e


cdef inline VuExt vu_ext_get(RvvState* vu) noexcept nogil:
    cdef VuExt e
    e.fp_sl, e.zvfhmin, e.zvfbfmin = vu.fp_sl, vu.zvfhmin, vu.zvfbfmin
    e.zvfbfwma, e.full_v, e.zvk_ext = vu.zvfbfwma, vu.full_v, vu.zvk_ext
    return e


cdef inline void vu_ext_set(RvvState* vu, VuExt e) noexcept nogil:
    vu.fp_sl, vu.zvfhmin, vu.zvfbfmin = e.fp_sl, e.zvfhmin, e.zvfbfmin
    vu.zvfbfwma, vu.full_v, vu.zvk_ext = e.zvfbfwma, e.full_v, e.zvk_ext
