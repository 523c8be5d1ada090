"""FP and vector context policies (the user's seeds 000 and 001): who owns the hart's FP
and vector registers, and when they move between the host (the VMM) and the vCPUs.

``eager`` is Linux RISC-V today (arch/riscv/kvm/vcpu_fp.c, vcpu_vector.c; fact sheet
section 9): at vcpu_load the host's state is saved and the guest's restored (when its
FS/VS is not Off, then Clean); at vcpu_put the guest's is saved only if Dirty and the
host's restored. Order: FP then vector at both ends.

``lazy`` is arm64's scheme: vcpu_load moves nothing and the guest runs with the HS-level
FS/VS Off, so its first FP or vector instruction traps to the hypervisor (an illegal
instruction KVM now keeps for itself, not delegated to VS); the hypervisor saves the
current owner's state (the host's, or another vCPU's if Dirty), restores the guest's,
records the guest as owner and re-executes. A guest that never touches FP or vector
never costs a save or restore. At vcpu_put a guest owner's state is saved if Dirty and the
host's restored, since the VMM is about to run (``host_uses_simd``; without it the guest
keeps the registers until someone else needs them).

The ownership state machine is per hart (``SimdUnit``) and per kind (FP, vector); every
move is counted per vCPU: saves, restores, bytes moved, first-use traps.
"""
import errno

import numpy as np

from rvemu.kvm.errors import KvmError

OFF, INITIAL, CLEAN, DIRTY = 0, 1, 2, 3
FP_BYTES = 32 * 8 + 8            # f0..f31 and fcsr
VCSR_BYTES = 4 * 8               # vstart, vl, vtype, vcsr
POLICIES = ("eager", "lazy")
HOST = "host"

# the host's own values: recognisable, so a guest that sees them has found a leak
HOST_F_PATTERN = np.array([0x484F53545F460000 | i for i in range(32)], dtype=np.uint64)
HOST_V_BYTE = 0xA5


def _counters():
    return {"fp_saves": 0, "fp_restores": 0, "v_saves": 0, "v_restores": 0,
            "bytes_moved": 0, "first_use_traps": 0, "fp_first_use": 0, "v_first_use": 0}


class GuestSimd:
    """A vCPU's FP/vector status, as Linux keeps it in guest_context.sstatus (FS, VS)."""

    def __init__(self, vcpu):
        self.vcpu = vcpu
        self.fs = OFF
        self.vs = OFF
        self.stats = _counters()
        self.reset()

    def reset(self):
        """fp_reset / vector_reset: Initial when the vCPU has the extension, else Off."""
        v = self.vcpu
        self.fs = INITIAL if (v.has("f") or v.has("d")) else OFF
        self.vs = INITIAL if v.ctx.vreg is not None else OFF


class SimdUnit:
    """The hart's FP and vector registers and who owns them (``HOST`` or a vCPU)."""

    def __init__(self, hart):
        self.hart = hart
        self.fp_owner = HOST
        self.v_owner = HOST
        self.has_v = hart.v is not None
        self.host_f = HOST_F_PATTERN.copy()
        self.host_fcsr = 0
        if self.has_v:
            self.host_vreg = np.full(hart.v.size, HOST_V_BYTE, dtype=np.uint8)
            self.host_vcsrs = (0, 0, 1 << 63, 0)
        # the registers start out holding the host's state
        hart.f[:] = self.host_f
        if self.has_v:
            hart.v.reshape(-1)[:] = self.host_vreg
        self.host_stats = _counters()

    # ---- moving state ------------------------------------------------------------------
    def _save_fp(self, owner, st):
        h = self.hart
        if owner is HOST:
            self.host_f[:] = h.f
            self.host_fcsr = h.fcsr
        else:
            owner.ctx.f[:] = h.f
            owner.ctx.fcsr = h.fcsr
            owner.simd.fs = CLEAN
        st["fp_saves"] += 1
        st["bytes_moved"] += FP_BYTES

    def _restore_fp(self, owner, st):
        h = self.hart
        if owner is HOST:
            h.f[:] = self.host_f
            h.csr_write(0x003, self.host_fcsr)
        else:
            h.f[:] = owner.ctx.f
            h.csr_write(0x003, owner.ctx.fcsr & 0xff)
            owner.simd.fs = CLEAN
        self.fp_owner = owner
        st["fp_restores"] += 1
        st["bytes_moved"] += FP_BYTES

    def _save_v(self, owner, st):
        flat = self.hart.v.reshape(-1)
        if owner is HOST:
            self.host_vreg[:] = flat
            self.host_vcsrs = self.hart.vector_csrs
            n = flat.size
        else:
            c = owner.ctx
            n = c.vreg.size
            c.vreg[:] = flat[:n]
            c.vstart, c.vl, c.vtype, c.vcsr = self.hart.vector_csrs
            owner.simd.vs = CLEAN
        st["v_saves"] += 1
        st["bytes_moved"] += n + VCSR_BYTES

    def _restore_v(self, owner, st):
        flat = self.hart.v.reshape(-1)
        if owner is HOST:
            flat[:] = self.host_vreg
            self.hart.vector_csrs = self.host_vcsrs
            n = flat.size
        else:
            c = owner.ctx
            n = c.vreg.size
            flat[:n] = c.vreg
            flat[n:] = 0            # nothing of a previous owner beyond the guest's VLEN
            self.hart.vector_csrs = (c.vstart, c.vl, c.vtype, c.vcsr)
            owner.simd.vs = CLEAN
        self.v_owner = owner
        st["v_restores"] += 1
        st["bytes_moved"] += n + VCSR_BYTES

    def _take_fp(self, vcpu, st):
        """Make vcpu the FP owner: save whoever has it (the host always, a vCPU if Dirty)."""
        prev = self.fp_owner
        if prev is vcpu:
            return
        if prev is HOST or prev.simd.fs == DIRTY:
            self._save_fp(prev, st)
        self._restore_fp(vcpu, st)

    def _take_v(self, vcpu, st):
        prev = self.v_owner
        if prev is vcpu:
            return
        if prev is HOST or prev.simd.vs == DIRTY:
            self._save_v(prev, st)
        self._restore_v(vcpu, st)

    def _give_back(self, vcpu, st):
        """The host wants its registers: save a Dirty guest's and restore the host's."""
        if self.fp_owner is vcpu:
            if vcpu.simd.fs == DIRTY:
                self._save_fp(vcpu, st)
            self._restore_fp(HOST, st)
        if self.has_v and self.v_owner is vcpu:
            if vcpu.simd.vs == DIRTY:
                self._save_v(vcpu, st)
            self._restore_v(HOST, st)

    def forget(self, vcpu):
        """vcpu's state was replaced from outside (ONE_REG, reset, restore): whatever the
        hart holds for it is stale, and must not be saved over the new values."""
        if self.fp_owner is vcpu:
            self.fp_owner = None
        if self.v_owner is vcpu:
            self.v_owner = None

    # ---- the policy's hooks --------------------------------------------------------------
    def vcpu_load(self, vcpu, policy):
        st = vcpu.simd.stats
        if policy == "eager":
            # Linux: host FP save -> guest FP restore -> host vector save -> guest vector restore
            if vcpu.simd.fs != OFF:
                self._take_fp(vcpu, st)
            if self.has_v and vcpu.simd.vs != OFF:
                self._take_v(vcpu, st)

    def vcpu_put(self, vcpu, policy, host_uses_simd=True):
        if policy == "eager" or host_uses_simd:
            self._give_back(vcpu, vcpu.simd.stats)

    def entry_status(self, vcpu):
        """(fs, vs) the guest runs with at the HS level: its own when it owns the
        registers, else Off (so a first use traps)."""
        fs = vcpu.simd.fs if self.fp_owner is vcpu else OFF
        vs = vcpu.simd.vs if (self.has_v and self.v_owner is vcpu) else OFF
        return fs, vs

    def exit_status(self, vcpu, fs, vs):
        """After the guest ran: Dirty shows what it changed."""
        if self.fp_owner is vcpu:
            vcpu.simd.fs = fs
        if self.has_v and self.v_owner is vcpu:
            vcpu.simd.vs = vs

    def first_use(self, vcpu, need_fp, need_v):
        """A lazy first-use trap: hand vcpu the registers it needs. False if there is
        nothing to hand over (the trap is the guest's own illegal instruction)."""
        st = vcpu.simd.stats
        took = False
        if need_fp and self.fp_owner is not vcpu and vcpu.simd.fs != OFF:
            self._take_fp(vcpu, st)
            st["fp_first_use"] += 1
            took = True
        if need_v and self.has_v and self.v_owner is not vcpu and vcpu.simd.vs != OFF:
            self._take_v(vcpu, st)
            st["v_first_use"] += 1
            took = True
        if took:
            st["first_use_traps"] += 1
        return took


# ---- which instructions need FP or vector state ------------------------------------------------
_FP_CSRS = {0x001, 0x002, 0x003}
_V_CSRS = {0x008, 0x009, 0x00A, 0x00F, 0xC20, 0xC21, 0xC22}


def simd_needs(insn):
    """(needs FP, needs vector) of an instruction (32-bit word or 16-bit parcel)."""
    if insn & 3 != 3:
        q, f3 = insn & 3, (insn >> 13) & 7
        return (q in (0, 2) and f3 in (1, 5)), False      # c.fld/c.fsd/c.fldsp/c.fsdsp
    op = insn & 0x7f
    f3 = (insn >> 12) & 7
    if op in (0x07, 0x27):                                 # LOAD-FP / STORE-FP
        return (f3 in (1, 2, 3, 4)), (f3 in (0, 5, 6, 7))
    if op in (0x43, 0x47, 0x4b, 0x4f, 0x53):               # FMA family, OP-FP
        return True, False
    if op == 0x57:                                         # OP-V (FP forms need FS too)
        return f3 in (1, 5), True
    if op == 0x73 and f3 not in (0, 4):                    # CSR access
        csr = insn >> 20
        return csr in _FP_CSRS, csr in _V_CSRS
    return False, False


def set_policy(vm, policy, host_uses_simd=True):
    """Choose the VM's FP/vector context policy ('eager' or 'lazy') before its first run."""
    if policy not in POLICIES:
        raise KvmError(errno.EINVAL, f"SIMD context policy must be one of {POLICIES}, "
                       f"not {policy!r}")
    if any(v.ran_atleast_once for v in vm.vcpus):
        raise KvmError(errno.EBUSY, "the SIMD context policy is chosen before the first run")
    vm.simd_policy = policy
    vm.host_uses_simd = bool(host_uses_simd)


def vm_stats(vm):
    """The VM's counters: the sum over its vCPUs."""
    out = _counters()
    for v in vm.vcpus:
        for k, n in guest_simd(v).stats.items():
            out[k] += n
    return out


def guest_simd(vcpu):
    g = getattr(vcpu, "simd", None)
    if g is None:
        g = vcpu.simd = GuestSimd(vcpu)
    return g
