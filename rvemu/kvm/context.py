"""``VcpuContext``: a vCPU's register storage, what the world switch loads into the hart on
guest entry and stores back on exit (Linux's ``guest_context`` + ``guest_csr`` + the FP,
vector, timer and AIA state of ``struct kvm_vcpu_arch``).

ONE_REG reads and writes go to this object and nowhere else, so a ONE_REG write followed by
an entry is what the guest sees, and an exit followed by a ONE_REG read is what it left.
"""
import numpy as np

MASK64 = (1 << 64) - 1

# HS-level defaults a vCPU gets at create/reset (vcpu_config.c, vcpu.c; facts sections 10, 12)
HEDELEG_DEFAULT = 0xB10D        # inst misaligned, illegal, breakpoint, U-ecall, inst/load/store PF
HIDELEG_DEFAULT = 0x444         # VS software, timer, external
HSTATUS_RESET = 0x200180        # VTW | SPVP | SPV
# the fields Linux's CSR GENERAL registers read and write, in struct kvm_riscv_csr order
CSR_FIELDS = ["vsstatus", "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval", "hvip",
              "vsatp", "scounteren", "senvcfg"]
# struct kvm_vcpu_aia_csr, in struct kvm_riscv_aia_csr order (siselect, iprio1, iprio2,
# sieh, siph, iprio1h, iprio2h)
AIA_FIELDS = ["vsiselect", "hviprio1", "hviprio2", "vsieh", "hviph", "hviprio1h", "hviprio2h"]


class VcpuContext:
    """The guest-visible state of one vCPU.

    Integer registers and FP registers are NumPy ``uint64[32]`` arrays (``x[0]`` is kept 0;
    ``f`` holds NaN-boxed values as the hart does). Every CSR is a Python int (0 .. 2**64-1).

    ``mode`` is KVM's CORE ``mode``: 1 when the guest resumes in VS-mode, 0 for VU-mode
    (Linux keeps it as guest sstatus.SPP). ``isa`` is the set of enabled extension names
    (rvemu/isa/extensions.py spelling), what the hart must enforce for this guest.
    ``vreg`` is ``uint8[32 * vlenb]`` (register j at bytes j*vlenb ...), or None while the
    vCPU has no V.

    Beyond the registers the guest can see, ``hstatus``, ``hedeleg``, ``hideleg``,
    ``henvcfg`` and ``hstateen0`` are the HS-level configuration KVM programs for this vCPU
    (``henvcfg``/``hstateen0`` are computed at the first run, see VCpu.mark_ran).
    """

    def __init__(self, vlenb=0):
        self.x = np.zeros(32, dtype=np.uint64)
        self.pc = 0
        self.mode = 1
        self.f = np.zeros(32, dtype=np.uint64)
        self.fcsr = 0
        self.vsstatus = 0
        self.vsie = 0
        self.vstvec = 0
        self.vsscratch = 0
        self.vsepc = 0
        self.vscause = 0
        self.vstval = 0
        self.vsatp = 0
        self.hvip = 0
        self.scounteren = 0
        self.senvcfg = 0
        self.smstateen0 = 0
        for name in AIA_FIELDS:
            setattr(self, name, 0)
        self.vstimecmp = MASK64
        self.htimedelta = 0
        self.timer_state = 0
        self.vstart = 0
        self.vl = 0
        self.vtype = 0
        self.vcsr = 0
        self.vlenb = vlenb
        self.vreg = None
        self.isa = set()
        self.hstatus = HSTATUS_RESET
        self.hedeleg = HEDELEG_DEFAULT
        self.hideleg = HIDELEG_DEFAULT
        self.henvcfg = 0
        self.hstateen0 = 0

    # -- helpers the ONE_REG layer and the SBI handlers use ----------------------------------
    def xreg(self, i):
        """x[i] as a Python int."""
        return int(self.x[i])

    def set_xreg(self, i, value):
        if i:
            self.x[i] = value & MASK64

    def reset(self, vlenb):
        """Linux's kvm_riscv_reset_vcpu for the register state: everything 0, resume in
        VS-mode, timer off, vector length from the host. Keeps ``isa`` (and ``vreg``
        allocation when V is on, zeroed)."""
        isa, vreg = self.isa, self.vreg
        self.__init__(vlenb)
        self.isa = isa
        if vreg is not None:
            vreg[:] = 0
            self.vreg = vreg

    def alloc_vector(self):
        """Allocate (zeroed) the vector register file if it is not there yet."""
        if self.vreg is None and self.vlenb:
            self.vreg = np.zeros(32 * self.vlenb, dtype=np.uint8)

    def free_vector(self):
        self.vreg = None

    def ext_mask(self):
        """The guest's extension mask in the hart's bit numbering (rvemu.isa EXT_BIT), what the
        world switch installs so that a disabled extension traps in the guest."""
        from rvemu.isa.isastring import Isa
        return Isa("guest", self.isa).mask

    def misa(self):
        """The misa value the guest's ISA implies (MXL = 64 and the single letters)."""
        from rvemu.isa.isastring import Isa
        return Isa("guest", self.isa).misa

    def __repr__(self):
        return (f"VcpuContext(pc={self.pc:#x}, mode={'VS' if self.mode else 'VU'}, "
                f"isa={sorted(self.isa)})")
