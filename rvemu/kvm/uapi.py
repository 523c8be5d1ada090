"""Linux's KVM RISC-V userspace ABI as Python constants (``arch/riscv/include/uapi/asm/kvm.h``
and ``include/uapi/linux/kvm.h``), RV64 only.

Names are Linux's, so code written against the real ABI ports directly::

    from rvemu.kvm.uapi import *
    reg = KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG("regs.pc")

Linux's function-like macros are functions here (``KVM_REG_RISCV_CORE_REG("regs.a0")``,
``KVM_REG_RISCV_VECTOR_REG(3)``, ``KVM_REG_RISCV_ISA_MULTI_REG(id)``); the helpers at the end
build whole ids (``core_reg("pc")``, ``isa_ext_reg(KVM_RISCV_ISA_EXT_V)`` ...) and turn an id
back into the text Linux's get-reg-list selftest prints (``reg_name(id)``).
"""

# ---- include/uapi/linux/kvm.h: ONE_REG -----------------------------------------------------
KVM_REG_ARCH_MASK = 0xFF00000000000000
KVM_REG_GENERIC = 0x0000000000000000
KVM_REG_RISCV = 0x8000000000000000

KVM_REG_SIZE_SHIFT = 52
KVM_REG_SIZE_MASK = 0x00F0000000000000
KVM_REG_SIZE_U8 = 0x0000000000000000
KVM_REG_SIZE_U16 = 0x0010000000000000
KVM_REG_SIZE_U32 = 0x0020000000000000
KVM_REG_SIZE_U64 = 0x0030000000000000
KVM_REG_SIZE_U128 = 0x0040000000000000
KVM_REG_SIZE_U256 = 0x0050000000000000
KVM_REG_SIZE_U512 = 0x0060000000000000
KVM_REG_SIZE_U1024 = 0x0070000000000000
KVM_REG_SIZE_U2048 = 0x0080000000000000
KVM_REG_SIZE_ULONG = KVM_REG_SIZE_U64          # the selftests' name (RV64)

XLEN = 64
BITS_PER_LONG = 64
ULONG = 8                                        # sizeof(unsigned long)
MASK64 = (1 << 64) - 1


def KVM_REG_SIZE(reg_id):
    """Size in bytes encoded in a register id (1 << size code)."""
    return 1 << ((reg_id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT)


def size_code(nbytes):
    """The KVM_REG_SIZE_* value for a power-of-two byte size (1..2048 bytes)."""
    if nbytes <= 0 or nbytes & (nbytes - 1):
        raise ValueError(f"register size must be a power of two, not {nbytes}")
    return (nbytes.bit_length() - 1) << KVM_REG_SIZE_SHIFT


# ---- arch/riscv/include/uapi/asm/kvm.h -----------------------------------------------------
KVM_REG_RISCV_TYPE_MASK = 0x00000000FF000000
KVM_REG_RISCV_TYPE_SHIFT = 24
KVM_REG_RISCV_SUBTYPE_MASK = 0x0000000000FF0000
KVM_REG_RISCV_SUBTYPE_SHIFT = 16

KVM_REG_RISCV_CONFIG = 0x01 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_CORE = 0x02 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_CSR = 0x03 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_CSR_GENERAL = 0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_CSR_AIA = 0x1 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_CSR_SMSTATEEN = 0x2 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_TIMER = 0x04 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_FP_F = 0x05 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_FP_D = 0x06 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_ISA_EXT = 0x07 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_ISA_SINGLE = 0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_ISA_MULTI_EN = 0x1 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_ISA_MULTI_DIS = 0x2 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_SBI_EXT = 0x08 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_SBI_SINGLE = 0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_SBI_MULTI_EN = 0x1 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_SBI_MULTI_DIS = 0x2 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_VECTOR = 0x09 << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_SBI_STATE = 0x0A << KVM_REG_RISCV_TYPE_SHIFT
KVM_REG_RISCV_SBI_STA = 0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT
KVM_REG_RISCV_SBI_FWFT = 0x1 << KVM_REG_RISCV_SUBTYPE_SHIFT

# struct kvm_riscv_config (all unsigned long), in order
CONFIG_REGS = ["isa", "zicbom_block_size", "mvendorid", "marchid", "mimpid",
               "zicboz_block_size", "satp_mode", "zicbop_block_size"]
# struct kvm_riscv_core = struct user_regs_struct regs + mode
CORE_REGS = ["regs.pc", "regs.ra", "regs.sp", "regs.gp", "regs.tp", "regs.t0", "regs.t1",
             "regs.t2", "regs.s0", "regs.s1", "regs.a0", "regs.a1", "regs.a2", "regs.a3",
             "regs.a4", "regs.a5", "regs.a6", "regs.a7", "regs.s2", "regs.s3", "regs.s4",
             "regs.s5", "regs.s6", "regs.s7", "regs.s8", "regs.s9", "regs.s10", "regs.s11",
             "regs.t3", "regs.t4", "regs.t5", "regs.t6", "mode"]
KVM_RISCV_MODE_S = 1
KVM_RISCV_MODE_U = 0
# struct kvm_riscv_csr / kvm_riscv_aia_csr / kvm_riscv_smstateen_csr
CSR_GENERAL_REGS = ["sstatus", "sie", "stvec", "sscratch", "sepc", "scause", "stval", "sip",
                    "satp", "scounteren", "senvcfg"]
CSR_AIA_REGS = ["siselect", "iprio1", "iprio2", "sieh", "siph", "iprio1h", "iprio2h"]
CSR_SMSTATEEN_REGS = ["sstateen0"]
# struct kvm_riscv_timer (all __u64, also on RV32)
TIMER_REGS = ["frequency", "time", "compare", "state"]
KVM_RISCV_TIMER_STATE_OFF = 0
KVM_RISCV_TIMER_STATE_ON = 1
# struct __riscv_v_ext_state: vstart, vl, vtype, vcsr, vlenb, datap (datap is not a register)
VECTOR_CSR_REGS = ["vstart", "vl", "vtype", "vcsr", "vlenb"]
VECTOR_STATE_ULONGS = 6
# struct kvm_riscv_sbi_sta / kvm_riscv_sbi_fwft
SBI_STA_REGS = ["shmem_lo", "shmem_hi"]
SBI_FWFT_REGS = ["misaligned_deleg.enable", "misaligned_deleg.flags", "misaligned_deleg.value",
                 "pointer_masking.enable", "pointer_masking.flags", "pointer_masking.value"]


def _index(names, name, what):
    try:
        return names.index(name)
    except ValueError:
        raise KeyError(f"no {what} register {name!r}; known: {', '.join(names)}") from None


def KVM_REG_RISCV_CONFIG_REG(name):
    return _index(CONFIG_REGS, name, "CONFIG")


def KVM_REG_RISCV_CORE_REG(name):
    """Index of a CORE register: 'regs.pc', 'regs.a0' ... or 'mode' (also 'pc', 'a0')."""
    if name != "mode" and not name.startswith("regs."):
        name = "regs." + name
    return _index(CORE_REGS, name, "CORE")


def KVM_REG_RISCV_CSR_REG(name):
    return _index(CSR_GENERAL_REGS, name, "CSR")


def KVM_REG_RISCV_CSR_AIA_REG(name):
    return _index(CSR_AIA_REGS, name, "AIA CSR")


def KVM_REG_RISCV_CSR_SMSTATEEN_REG(name):
    return _index(CSR_SMSTATEEN_REGS, name, "Smstateen CSR")


def KVM_REG_RISCV_TIMER_REG(name):
    return _index(TIMER_REGS, name, "TIMER")


def KVM_REG_RISCV_FP_F_REG(name):
    """'f[3]' -> 3, 'fcsr' -> 32 (index of __riscv_f_ext_state in u32 units)."""
    return 32 if name == "fcsr" else _freg(name)


def KVM_REG_RISCV_FP_D_REG(name):
    """'f[3]' -> 3, 'fcsr' -> 32 (index of __riscv_d_ext_state in u64 units)."""
    return 32 if name == "fcsr" else _freg(name)


def _freg(name):
    import re
    m = re.fullmatch(r"f\[?(\d+)\]?", name)
    if not m or int(m.group(1)) > 31:
        raise KeyError(f"no FP register {name!r}; use 'f[0]'..'f[31]' or 'fcsr'")
    return int(m.group(1))


def KVM_REG_RISCV_VECTOR_CSR_REG(name):
    return _index(VECTOR_CSR_REGS, name, "VECTOR CSR")


def KVM_REG_RISCV_VECTOR_REG(n):
    return n + VECTOR_STATE_ULONGS


def KVM_REG_RISCV_SBI_STA_REG(name):
    return _index(SBI_STA_REGS, name, "SBI STA")


def KVM_REG_RISCV_SBI_FWFT_REG(name):
    return _index(SBI_FWFT_REGS, name, "SBI FWFT")


# ---- enum KVM_RISCV_ISA_EXT_ID: append-only, ids are positions ------------------------------
ISA_EXT_NAMES = [
    "A", "C", "D", "F", "H", "I", "M", "SVPBMT", "SSTC", "SVINVAL",                     # 0-9
    "ZIHINTPAUSE", "ZICBOM", "ZICBOZ", "ZBB", "SSAIA", "V", "SVNAPOT", "ZBA", "ZBS",     # 10-18
    "ZICNTR", "ZICSR", "ZIFENCEI", "ZIHPM", "SMSTATEEN", "ZICOND", "ZBC", "ZBKB",       # 19-26
    "ZBKC", "ZBKX", "ZKND", "ZKNE", "ZKNH", "ZKR", "ZKSED", "ZKSH", "ZKT", "ZVBB",       # 27-36
    "ZVBC", "ZVKB", "ZVKG", "ZVKNED", "ZVKNHA", "ZVKNHB", "ZVKSED", "ZVKSH", "ZVKT",     # 37-45
    "ZFH", "ZFHMIN", "ZIHINTNTL", "ZVFH", "ZVFHMIN", "ZFA", "ZTSO", "ZACAS", "SSCOFPMF",  # 46-54
    "ZIMOP", "ZCA", "ZCB", "ZCD", "ZCF", "ZCMOP", "ZAWRS", "SMNPM", "SSNPM", "SVADE",    # 55-64
    "SVADU", "SVVPTC", "ZABHA", "ZICCRSE", "ZAAMO", "ZALRSC", "ZICBOP", "ZFBFMIN",      # 65-72
    "ZVFBFMIN", "ZVFBFWMA", "ZCLSD", "ZILSD", "ZALASR",                                 # 73-77
]
KVM_RISCV_ISA_EXT_MAX = len(ISA_EXT_NAMES)      # 78
for _i, _n in enumerate(ISA_EXT_NAMES):
    globals()["KVM_RISCV_ISA_EXT_" + _n] = _i
ISA_EXT_ID = {n: i for i, n in enumerate(ISA_EXT_NAMES)}


def KVM_REG_RISCV_ISA_MULTI_REG(ext_id):
    return ext_id // BITS_PER_LONG


def KVM_REG_RISCV_ISA_MULTI_MASK(ext_id):
    return 1 << (ext_id % BITS_PER_LONG)


KVM_REG_RISCV_ISA_MULTI_REG_LAST = KVM_REG_RISCV_ISA_MULTI_REG(KVM_RISCV_ISA_EXT_MAX - 1)

# ---- enum KVM_RISCV_SBI_EXT_ID ---------------------------------------------------------------
SBI_EXT_NAMES = ["V01", "TIME", "IPI", "RFENCE", "SRST", "HSM", "PMU", "EXPERIMENTAL",
                 "VENDOR", "DBCN", "STA", "SUSP", "FWFT", "MPXY"]
KVM_RISCV_SBI_EXT_MAX = len(SBI_EXT_NAMES)      # 14
for _i, _n in enumerate(SBI_EXT_NAMES):
    globals()["KVM_RISCV_SBI_EXT_" + _n] = _i
SBI_EXT_ID = {n: i for i, n in enumerate(SBI_EXT_NAMES)}


def KVM_REG_RISCV_SBI_MULTI_REG(ext_id):
    return ext_id // BITS_PER_LONG


def KVM_REG_RISCV_SBI_MULTI_MASK(ext_id):
    return 1 << (ext_id % BITS_PER_LONG)


KVM_REG_RISCV_SBI_MULTI_REG_LAST = KVM_REG_RISCV_SBI_MULTI_REG(KVM_RISCV_SBI_EXT_MAX - 1)

# ---- include/uapi/linux/kvm.h: capabilities we answer, memory slots, mp_state ---------------
KVM_API_VERSION = 12
KVM_CAP_IRQCHIP = 0
KVM_CAP_USER_MEMORY = 3
KVM_CAP_NR_VCPUS = 9
KVM_CAP_NR_MEMSLOTS = 10
KVM_CAP_MP_STATE = 14
KVM_CAP_COALESCED_MMIO = 15
KVM_CAP_SYNC_MMU = 16
KVM_CAP_DESTROY_MEMORY_REGION_WORKS = 21
KVM_CAP_SET_GUEST_DEBUG = 23
KVM_CAP_JOIN_MEMORY_REGIONS_WORKS = 30
KVM_CAP_IOEVENTFD = 36
KVM_CAP_INTERNAL_ERROR_DATA = 40
KVM_CAP_ENABLE_CAP = 54
KVM_CAP_MAX_VCPUS = 66
KVM_CAP_ONE_REG = 70
KVM_CAP_READONLY_MEM = 81
KVM_CAP_DEVICE_CTRL = 89
KVM_CAP_ENABLE_CAP_VM = 98
KVM_CAP_CHECK_EXTENSION_VM = 105
KVM_CAP_MULTI_ADDRESS_SPACE = 118
KVM_CAP_MAX_VCPU_ID = 128
KVM_CAP_IMMEDIATE_EXIT = 136
KVM_CAP_HALT_POLL = 182
KVM_CAP_BINARY_STATS_FD = 203
KVM_CAP_VM_GPA_BITS = 207
KVM_CAP_SYSTEM_EVENT_DATA = 215
KVM_CAP_USER_MEMORY2 = 231
KVM_CAP_GUEST_MEMFD = 234
KVM_CAP_RISCV_MP_STATE_RESET = 242
# rvemu's own capabilities, outside Linux's numbering (Linux is at ~250); VM scope,
# enabled with Vm.enable_cap before the first vCPU is created.
KVM_CAP_RVEMU_BASE = 0x10000
KVM_CAP_RVEMU_ISA_EXT_POLICY = KVM_CAP_RVEMU_BASE + 0      # args[0]: 0 linux, 1 configurable
KVM_CAP_RVEMU_ISA_EXT_ALLOWED = KVM_CAP_RVEMU_BASE + 1     # args[0..3]: bitmap of ISA_EXT ids
# Guest vector length (seed 001 section 2; arm64's KVM_CAP_ARM_SVE + KVM_REG_ARM64_SVE_VLS):
# once enabled on a VM, a vCPU's VECTOR vlenb register may be written, before its first run,
# with a power of two from 16 up to the host's vlenb.
KVM_CAP_RVEMU_VECTOR_LENGTH = KVM_CAP_RVEMU_BASE + 2
RVEMU_ISA_EXT_POLICY_LINUX = 0
RVEMU_ISA_EXT_POLICY_CONFIGURABLE = 1

KVM_MEM_LOG_DIRTY_PAGES = 1 << 0
KVM_MEM_READONLY = 1 << 1
KVM_MEM_GUEST_MEMFD = 1 << 2

KVM_MP_STATE_RUNNABLE = 0
KVM_MP_STATE_UNINITIALIZED = 1
KVM_MP_STATE_INIT_RECEIVED = 2
KVM_MP_STATE_HALTED = 3
KVM_MP_STATE_STOPPED = 5

KVM_MAX_VCPUS = 1024
KVM_MAX_VCPU_IDS = KVM_MAX_VCPUS
KVM_USER_MEM_SLOTS = 32767                      # SHRT_MAX - KVM_PRIVATE_MEM_SLOTS(0)
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT

# interrupts (KVM_INTERRUPT)
KVM_INTERRUPT_SET = 0xFFFFFFFF      # -1U
KVM_INTERRUPT_UNSET = 0xFFFFFFFE    # -2U


# ---- whole ids ------------------------------------------------------------------------------
def reg_id(rtype, index, size=ULONG, subtype=0):
    """KVM_REG_RISCV | size | type | subtype | index. ``rtype``/``subtype`` are the shifted
    constants (KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_AIA ...); ``size`` is in bytes."""
    return KVM_REG_RISCV | size_code(size) | rtype | subtype | index


def config_reg(name):
    return reg_id(KVM_REG_RISCV_CONFIG, KVM_REG_RISCV_CONFIG_REG(name))


def core_reg(name):
    return reg_id(KVM_REG_RISCV_CORE, KVM_REG_RISCV_CORE_REG(name))


def csr_reg(name):
    if name in CSR_AIA_REGS:
        return reg_id(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_AIA_REG(name), subtype=KVM_REG_RISCV_CSR_AIA)
    if name in CSR_SMSTATEEN_REGS:
        return reg_id(KVM_REG_RISCV_CSR, 0, subtype=KVM_REG_RISCV_CSR_SMSTATEEN)
    return reg_id(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_REG(name))


def timer_reg(name):
    return reg_id(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(name), size=8)


def fp_f_reg(name):
    return reg_id(KVM_REG_RISCV_FP_F, KVM_REG_RISCV_FP_F_REG(name), size=4)


def fp_d_reg(name):
    idx = KVM_REG_RISCV_FP_D_REG(name)
    return reg_id(KVM_REG_RISCV_FP_D, idx, size=4 if idx == 32 else 8)


def vector_reg(name_or_n, vlenb=16):
    """A vector CSR by name ('vl', 'vlenb' ...) or register vN by number (size = vlenb)."""
    if isinstance(name_or_n, str):
        return reg_id(KVM_REG_RISCV_VECTOR, KVM_REG_RISCV_VECTOR_CSR_REG(name_or_n))
    return reg_id(KVM_REG_RISCV_VECTOR, KVM_REG_RISCV_VECTOR_REG(name_or_n), size=vlenb)


def isa_ext_reg(ext, subtype=KVM_REG_RISCV_ISA_SINGLE):
    """ISA_EXT register: ``ext`` is an id or a name ('V', 'zfh'); for the MULTI subtypes it
    is the multi-register number."""
    if isinstance(ext, str):
        ext = ISA_EXT_ID[ext.upper()]
    return reg_id(KVM_REG_RISCV_ISA_EXT, ext, subtype=subtype)


def sbi_ext_reg(ext, subtype=KVM_REG_RISCV_SBI_SINGLE):
    if isinstance(ext, str):
        ext = SBI_EXT_ID[ext.upper()]
    return reg_id(KVM_REG_RISCV_SBI_EXT, ext, subtype=subtype)


def sbi_sta_reg(name):
    return reg_id(KVM_REG_RISCV_SBI_STATE, KVM_REG_RISCV_SBI_STA_REG(name), subtype=KVM_REG_RISCV_SBI_STA)


def decode(rid):
    """Split an id into (arch, size_bytes, type, subtype, index); type and subtype unshifted."""
    return (rid & KVM_REG_ARCH_MASK, KVM_REG_SIZE(rid),
            (rid & KVM_REG_RISCV_TYPE_MASK) >> KVM_REG_RISCV_TYPE_SHIFT,
            (rid & KVM_REG_RISCV_SUBTYPE_MASK) >> KVM_REG_RISCV_SUBTYPE_SHIFT,
            rid & 0xFFFF)


_SIZE_NAMES = {0: "KVM_REG_SIZE_U8", 1: "KVM_REG_SIZE_U16", 2: "KVM_REG_SIZE_U32",
               3: "KVM_REG_SIZE_ULONG", 4: "KVM_REG_SIZE_U128", 5: "KVM_REG_SIZE_U256",
               6: "KVM_REG_SIZE_U512", 7: "KVM_REG_SIZE_U1024", 8: "KVM_REG_SIZE_U2048"}


def reg_name(rid):
    """The register in the spelling of Linux's get-reg-list selftest, e.g.
    'KVM_REG_RISCV | KVM_REG_SIZE_ULONG | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.pc)'.
    Unknown parts are printed as numbers, so any 64-bit value gives a readable answer."""
    rid &= MASK64
    if rid & KVM_REG_ARCH_MASK != KVM_REG_RISCV:
        return f"{rid:#x} (not a RISC-V register id)"
    code = (rid & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT
    size = _SIZE_NAMES.get(code, f"size code {code}")
    _, _, rtype, sub, idx = decode(rid)
    head = f"KVM_REG_RISCV | {size} | "

    def nm(names, i):
        return names[i] if i < len(names) else str(i)
    if rid & 0x0000_FFFF_0000_0000:
        return head + f"{rid:#x} (bits 47..32 set)"
    if rtype == 1:
        return head + f"KVM_REG_RISCV_CONFIG | KVM_REG_RISCV_CONFIG_REG({nm(CONFIG_REGS, idx)})" + _subx(sub)
    if rtype == 2:
        return head + f"KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG({nm(CORE_REGS, idx)})" + _subx(sub)
    if rtype == 3:
        if sub == 0:
            return head + f"KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_GENERAL | KVM_REG_RISCV_CSR_REG({nm(CSR_GENERAL_REGS, idx)})"
        if sub == 1:
            return head + f"KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_AIA | KVM_REG_RISCV_CSR_AIA_REG({nm(CSR_AIA_REGS, idx)})"
        if sub == 2:
            return head + f"KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_SMSTATEEN | KVM_REG_RISCV_CSR_SMSTATEEN_REG({nm(CSR_SMSTATEEN_REGS, idx)})"
        return head + f"KVM_REG_RISCV_CSR | subtype {sub} | {idx}"
    if rtype == 4:
        return head + f"KVM_REG_RISCV_TIMER | KVM_REG_RISCV_TIMER_REG({nm(TIMER_REGS, idx)})" + _subx(sub)
    if rtype in (5, 6):
        t = "FP_F" if rtype == 5 else "FP_D"
        r = "fcsr" if idx == 32 else (f"f[{idx}]" if idx < 32 else str(idx))
        return head + f"KVM_REG_RISCV_{t} | KVM_REG_RISCV_{t}_REG({r})" + _subx(sub)
    if rtype == 7:
        if sub == 0:
            n = ISA_EXT_NAMES[idx] if idx < KVM_RISCV_ISA_EXT_MAX else str(idx)
            return head + f"KVM_REG_RISCV_ISA_EXT | KVM_REG_RISCV_ISA_SINGLE | KVM_RISCV_ISA_EXT_{n}"
        kind = {1: "KVM_REG_RISCV_ISA_MULTI_EN", 2: "KVM_REG_RISCV_ISA_MULTI_DIS"}.get(sub, f"subtype {sub}")
        return head + f"KVM_REG_RISCV_ISA_EXT | {kind} | {idx}"
    if rtype == 8:
        if sub == 0:
            n = SBI_EXT_NAMES[idx] if idx < KVM_RISCV_SBI_EXT_MAX else str(idx)
            return head + f"KVM_REG_RISCV_SBI_EXT | KVM_REG_RISCV_SBI_SINGLE | KVM_RISCV_SBI_EXT_{n}"
        kind = {1: "KVM_REG_RISCV_SBI_MULTI_EN", 2: "KVM_REG_RISCV_SBI_MULTI_DIS"}.get(sub, f"subtype {sub}")
        return head + f"KVM_REG_RISCV_SBI_EXT | {kind} | {idx}"
    if rtype == 9:
        if idx < len(VECTOR_CSR_REGS):
            return head + f"KVM_REG_RISCV_VECTOR | KVM_REG_RISCV_VECTOR_CSR_REG({VECTOR_CSR_REGS[idx]})" + _subx(sub)
        if VECTOR_STATE_ULONGS <= idx < VECTOR_STATE_ULONGS + 32:
            return head + f"KVM_REG_RISCV_VECTOR | KVM_REG_RISCV_VECTOR_REG({idx - VECTOR_STATE_ULONGS})" + _subx(sub)
        return head + f"KVM_REG_RISCV_VECTOR | {idx}" + _subx(sub)
    if rtype == 10:
        if sub == 0:
            return head + f"KVM_REG_RISCV_SBI_STATE | KVM_REG_RISCV_SBI_STA | KVM_REG_RISCV_SBI_STA_REG({nm(SBI_STA_REGS, idx)})"
        if sub == 1:
            return head + f"KVM_REG_RISCV_SBI_STATE | KVM_REG_RISCV_SBI_FWFT | KVM_REG_RISCV_SBI_FWFT_REG({nm(SBI_FWFT_REGS, idx)})"
        return head + f"KVM_REG_RISCV_SBI_STATE | subtype {sub} | {idx}"
    return head + f"type {rtype:#x} | subtype {sub} | {idx}"


def _subx(sub):
    return f" | subtype {sub}" if sub else ""
