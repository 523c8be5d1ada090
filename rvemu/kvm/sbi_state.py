"""The two SBI extensions with ONE_REG state (KVM_REG_RISCV_SBI_STATE): steal-time accounting
(STA, Linux's vcpu_sbi_sta.c) and firmware features (FWFT, vcpu_sbi_fwft.c, 6.18).

STA: the guest gives a 64-byte ``sbi_sta_struct`` (u32 sequence, u32 flags, u64 steal,
u8 preempted, pad) and the hypervisor adds the time the vCPU was runnable but not running;
the VMM's scheduler reports it with ``vcpu.record_steal_time(ticks)``.

FWFT: of the features the spec defines, KVM implements misaligned-exception delegation
(hedeleg bits 4 and 6; our hart can always delegate them) and pointer-masking PMLEN (needs
Smnpm in the vCPU and host support, ``Kvm(pointer_masking_pmlens=(7, 16))``; it sets
henvcfg.PMM in the vCPU's context).
"""
import errno
import struct

from rvemu.kvm import sbi_consts as S
from rvemu.kvm.errors import KvmError

MASK64 = (1 << 64) - 1
INVALID_GPA = MASK64
STA_SIZE = 64

# FWFT feature ids (SBI spec) and flags
FWFT_MISALIGNED_EXC_DELEG = 0
FWFT_LANDING_PAD = 1
FWFT_SHADOW_STACK = 2
FWFT_DOUBLE_TRAP = 3
FWFT_PTE_AD_HW_UPDATING = 4
FWFT_POINTER_MASKING_PMLEN = 5
FWFT_DEFINED = (0, 1, 2, 3, 4, 5)
FWFT_SET_FLAG_LOCK = 1 << 0
FWFT_SET, FWFT_GET = 0, 1
MIS_DELEG = (1 << 4) | (1 << 6)          # hedeleg: load and store address misaligned


def sbi_err_to_errno(err):
    """sbi_err_map_linux_errno, for the SBI errors the FWFT setters can give."""
    return {S.SBI_SUCCESS: 0, S.SBI_ERR_INVALID_PARAM: errno.EINVAL,
            S.SBI_ERR_INVALID_ADDRESS: errno.EINVAL, S.SBI_ERR_DENIED: errno.EPERM,
            S.SBI_ERR_NOT_SUPPORTED: errno.EOPNOTSUPP}.get(err, errno.EINVAL)


# ---- STA ------------------------------------------------------------------------------------------
class Sta:
    def __init__(self, vcpu):
        self.vcpu = vcpu
        self.shmem = INVALID_GPA

    def reset(self):
        self.shmem = INVALID_GPA

    def call(self, fid, a):
        if fid != 0:
            return S.SBI_ERR_NOT_SUPPORTED
        lo, hi, flags = a[0], a[1], a[2] & 0xFFFFFFFF
        if flags:
            return S.SBI_ERR_INVALID_PARAM
        if lo == MASK64 and hi == MASK64:
            self.shmem = INVALID_GPA
            return S.SBI_SUCCESS
        if lo & (STA_SIZE - 1):
            return S.SBI_ERR_INVALID_PARAM
        if hi:
            return S.SBI_ERR_INVALID_ADDRESS
        try:
            self.vcpu.vm.write_guest(lo, bytes(STA_SIZE))
        except KvmError:
            return S.SBI_ERR_INVALID_ADDRESS
        self.shmem = lo
        return S.SBI_SUCCESS

    def record(self, delta):
        """kvm_riscv_vcpu_record_steal_time: sequence += 1, steal += delta, sequence += 1."""
        if self.shmem == INVALID_GPA:
            return
        vm = self.vcpu.vm
        try:
            seq = struct.unpack("<I", vm.read_guest(self.shmem, 4))[0]
            steal = struct.unpack("<Q", vm.read_guest(self.shmem + 8, 8))[0]
            vm.write_guest(self.shmem, struct.pack("<I", (seq + 1) & 0xFFFFFFFF))
            vm.write_guest(self.shmem + 8, struct.pack("<Q", (steal + delta) & MASK64))
            vm.write_guest(self.shmem, struct.pack("<I", (seq + 2) & 0xFFFFFFFF))
        except KvmError:
            return

    def reg_ids(self):
        return [0, 1]

    def get_reg(self, num, size):
        if size != 8:
            raise KvmError(errno.EINVAL, "SBI STA registers are 8 bytes")
        if num == 0:
            return self.shmem
        if num == 1:
            return 0                     # RV64: the address fits shmem_lo
        raise KvmError(errno.ENOENT, f"SBI STA register {num} does not exist (0..1)")

    def set_reg(self, num, size, value):
        if size != 8:
            raise KvmError(errno.EINVAL, "SBI STA registers are 8 bytes")
        if num == 0:
            new = value
        elif num == 1:
            if value:
                raise KvmError(errno.EINVAL, "SBI STA shmem_hi must be 0 on RV64")
            return
        else:
            raise KvmError(errno.ENOENT, f"SBI STA register {num} does not exist (0..1)")
        if new != INVALID_GPA and new & (STA_SIZE - 1):
            raise KvmError(errno.EINVAL, f"SBI STA shared memory {new:#x} is not 64-byte aligned")
        self.shmem = new


# ---- FWFT -----------------------------------------------------------------------------------------
class _Feature:
    def __init__(self, fid, first_reg, supported, get, set_, reset):
        self.fid, self.first_reg = fid, first_reg
        self.supported, self.get, self.set, self.reset = supported, get, set_, reset


def _mis_get(vcpu):
    return 1 if vcpu.ctx.hedeleg & MIS_DELEG == MIS_DELEG else 0


def _mis_set(vcpu, value):
    if value == 1:
        vcpu.ctx.hedeleg |= MIS_DELEG
    elif value == 0:
        vcpu.ctx.hedeleg &= ~MIS_DELEG
    else:
        return S.SBI_ERR_INVALID_PARAM
    return S.SBI_SUCCESS


def _mis_reset(vcpu):
    vcpu.ctx.hedeleg &= ~MIS_DELEG


def _pm_supported(vcpu):
    # needs Smnpm in the vCPU and a host that accepts PMLEN 7 or 16 in henvcfg.PMM
    return vcpu.has("smnpm") and bool(vcpu.kvm.pointer_masking_pmlens)


ENVCFG_PMM = 3 << 32
PMM_OF_PMLEN = {0: 0, 7: 2 << 32, 16: 3 << 32}


def _pm_get(vcpu):
    pmm = vcpu.ctx.henvcfg & ENVCFG_PMM
    return {v: k for k, v in PMM_OF_PMLEN.items()}.get(pmm, 0)


def _pm_set(vcpu, value):
    if value == 0 or value in vcpu.kvm.pointer_masking_pmlens and value in PMM_OF_PMLEN:
        vcpu.ctx.henvcfg = (vcpu.ctx.henvcfg & ~ENVCFG_PMM) | PMM_OF_PMLEN[value]
        return S.SBI_SUCCESS
    return S.SBI_ERR_INVALID_PARAM


def _pm_reset(vcpu):
    vcpu.ctx.henvcfg &= ~ENVCFG_PMM


FEATURES = [
    _Feature(FWFT_MISALIGNED_EXC_DELEG, 0, lambda v: v.kvm.misaligned_deleg, _mis_get, _mis_set, _mis_reset),
    _Feature(FWFT_POINTER_MASKING_PMLEN, 3, _pm_supported, _pm_get, _pm_set, _pm_reset),
]


class _Conf:
    def __init__(self, feature, supported):
        self.feature = feature
        self.supported = supported
        self.enabled = supported
        self.flags = 0


class Fwft:
    def __init__(self, vcpu):
        self.vcpu = vcpu
        self.confs = [_Conf(f, bool(f.supported(vcpu))) for f in FEATURES]

    def reset(self):
        for c in self.confs:
            c.flags = 0
            if c.supported:
                c.feature.reset(self.vcpu)

    def _conf(self, fid):
        for c in self.confs:
            if c.feature.fid == fid:
                if not c.supported or not c.enabled:
                    return None, S.SBI_ERR_NOT_SUPPORTED
                return c, S.SBI_SUCCESS
        return None, (S.SBI_ERR_NOT_SUPPORTED if fid in FWFT_DEFINED else S.SBI_ERR_DENIED)

    def call(self, fid, a):
        """SET(feature, value, flags) / GET(feature): (sbi error, value)."""
        if fid == FWFT_SET:
            c, err = self._conf(a[0] & 0xFFFFFFFF)
            if err:
                return err, 0
            flags = a[2]
            if flags & ~FWFT_SET_FLAG_LOCK:
                return S.SBI_ERR_INVALID_PARAM, 0
            if c.flags & FWFT_SET_FLAG_LOCK:
                return S.SBI_ERR_DENIED_LOCKED, 0
            c.flags = flags
            return c.feature.set(self.vcpu, a[1]), 0
        if fid == FWFT_GET:
            c, err = self._conf(a[0])
            if err:
                return err, 0
            return S.SBI_SUCCESS, c.feature.get(self.vcpu)
        return S.SBI_ERR_NOT_SUPPORTED, 0

    def _reg_conf(self, num):
        for c in self.confs:
            if c.supported and c.feature.first_reg <= num < c.feature.first_reg + 3:
                return c, num - c.feature.first_reg
        raise KvmError(errno.ENOENT, f"SBI FWFT register {num}: no such supported feature")

    def reg_ids(self):
        return [c.feature.first_reg + k for c in self.confs if c.supported for k in range(3)]

    def get_reg(self, num, size):
        if size != 8:
            raise KvmError(errno.EINVAL, "SBI FWFT registers are 8 bytes")
        c, k = self._reg_conf(num)
        if k == 0:
            return 1 if c.enabled else 0
        if k == 1:
            return c.flags
        return c.feature.get(self.vcpu)

    def set_reg(self, num, size, value):
        if size != 8:
            raise KvmError(errno.EINVAL, "SBI FWFT registers are 8 bytes")
        c, k = self._reg_conf(num)
        if k == 0:
            if value not in (0, 1):
                raise KvmError(errno.EINVAL, "an FWFT feature's enable is 0 or 1")
            c.enabled = bool(value)
        elif k == 1:
            c.flags = value & FWFT_SET_FLAG_LOCK
        else:
            err = c.feature.set(self.vcpu, value)
            if err:
                raise KvmError(sbi_err_to_errno(err), f"FWFT feature {c.feature.fid}: value {value:#x} "
                               "is not accepted")
