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
