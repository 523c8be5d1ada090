"""``Kvm``: the /dev/kvm of the model: what the host offers (its ISA, vector length, timer,
ID registers) and the system ioctls (KVM_CHECK_EXTENSION, KVM_CREATE_VM)."""
import errno

from rvemu.isa.extensions import EXTENSIONS
from rvemu.kvm import isa_ext
from rvemu.kvm import uapi as U
from rvemu.kvm.errors import KvmError
from rvemu.kvm.vm import Vm

_GPA_BITS = {8: 41, 9: 50, 10: 59}      # satp_mode (Sv39/48/57) -> G-stage Sv39x4/48x4/57x4


def default_host_names(vlen=256):
    """The hart's ISA when nothing is given: every extension the hart knows and implements
    (rvemu/isa/extensions.py), so V, H and the ZV* extensions appear once implemented;
    of the Zvl<N>b names only those the host's VLEN satisfies."""
    out = set()
    for e in EXTENSIONS:
        if not e.implemented:
            continue
        if e.name.startswith("zvl") and e.name.endswith("b"):
            if int(e.name[3:-1]) > vlen:
                continue
        out.add(e.name)
    return frozenset(out)


class Kvm:
    """The hypervisor on a host hart.

    ``host``: the host's ISA, as a Machine (its ``isa``, and ``vlen`` when it has one), an
    ``Isa`` from rvemu.isa.isastring.parse_isa, an ISA string (``"rv64gc_zfh"``), or an
    iterable of extension names; default: everything the hart implements. Extensions the
    hart does not know or has not implemented count as absent.
    ``vlen``: the host's VLEN in bits (default: the Machine's, else 256) when it has V.
    ``pmu``: offer the SBI PMU to guests. Linux offers it only on hosts with Sscofpmf;
    rvemu's counters are exact without it, so the default is True.
    ``timebase``: the timer frequency in Hz. ``mvendorid``/``marchid``/``mimpid``: what the
    host's SBI reports (a new vCPU's CONFIG registers start with them). ``satp_mode``: the
    host's (8 Sv39, 9 Sv48, 10 Sv57); it fixes the G-stage guest-physical size.
    ``hw_pte_young``/``v_user_allowed``: the host switches Linux's ISA rules consult.
    ``steal_time``: offer SBI STA (Linux: when scheduler statistics are on).
    ``misaligned_deleg``/``pointer_masking_pmlens``: what SBI FWFT can offer (misaligned
    exception delegation; the PMLEN values henvcfg.PMM accepts, none by default).
    """

    def __init__(self, host=None, *, vlen=None, pmu=True, timebase=10_000_000, mvendorid=0,
                 marchid=0, mimpid=0, satp_mode=10, cbo_block_size=64, hw_pte_young=None,
                 v_user_allowed=True, host_cpus=1, steal_time=True, misaligned_deleg=True,
                 pointer_masking_pmlens=()):
        names, mvlen = self._host_names(host, vlen)
        vlen = vlen if vlen is not None else (mvlen or 256)
        if not isinstance(vlen, int) or vlen < 128 or vlen & (vlen - 1) or vlen > 2048:
            raise KvmError(errno.EINVAL, f"host VLEN must be a power of two in 128..2048 bits, not {vlen!r}")
        if satp_mode not in _GPA_BITS:
            raise KvmError(errno.EINVAL, f"satp_mode must be 8 (Sv39), 9 (Sv48) or 10 (Sv57), not {satp_mode!r}")
        self.host = isa_ext.HostIsa(names, vlenb=vlen // 8, hw_pte_young=hw_pte_young,
                                    v_user_allowed=v_user_allowed)
        self.pmu = bool(pmu)
        self.timebase = timebase
        self.mvendorid, self.marchid, self.mimpid = mvendorid, marchid, mimpid
        self.satp_mode = satp_mode
        self.gpa_bits = _GPA_BITS[satp_mode]
        self.cbo_block_size = cbo_block_size
        self.host_cpus = host_cpus
        self.steal_time = bool(steal_time)
        self.misaligned_deleg = bool(misaligned_deleg)
        self.pointer_masking_pmlens = tuple(pointer_masking_pmlens)
        self.vms = []

    @staticmethod
    def _host_names(host, vlen=None):
        if host is None:
            return default_host_names(vlen or 256), None
        if isinstance(host, str):
            from rvemu.isa.isastring import parse_isa
            return parse_isa(host).names, None
        isa = getattr(host, "isa", None)          # a Machine
        if isa is not None and hasattr(isa, "names"):
            return isa.names, getattr(host, "vlen", None)
        if hasattr(host, "names"):                # an Isa
            return host.names, None
        try:
            return frozenset(str(n).lower() for n in host), None
        except TypeError:
            raise KvmError(errno.EINVAL, f"host must be a Machine, an Isa, an ISA string or "
                           f"extension names, not {type(host).__name__}") from None

    def check_extension(self, cap):
        """KVM_CHECK_EXTENSION: 0 for what is not modelled, else the capability's value."""
        if isinstance(cap, bool) or not isinstance(cap, int):
            raise KvmError(errno.EINVAL, f"a capability is an int, not {type(cap).__name__}")
        ones = (U.KVM_CAP_USER_MEMORY, U.KVM_CAP_SYNC_MMU, U.KVM_CAP_DESTROY_MEMORY_REGION_WORKS,
                U.KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, U.KVM_CAP_ONE_REG, U.KVM_CAP_READONLY_MEM,
                U.KVM_CAP_MP_STATE, U.KVM_CAP_CHECK_EXTENSION_VM, U.KVM_CAP_ENABLE_CAP_VM,
                U.KVM_CAP_SYSTEM_EVENT_DATA, U.KVM_CAP_INTERNAL_ERROR_DATA,
                U.KVM_CAP_RISCV_MP_STATE_RESET, U.KVM_CAP_RVEMU_ISA_EXT_POLICY,
                U.KVM_CAP_RVEMU_ISA_EXT_ALLOWED, U.KVM_CAP_RVEMU_VECTOR_LENGTH)
        if cap in ones:
            return 1
        return {U.KVM_CAP_NR_VCPUS: min(self.host_cpus, U.KVM_MAX_VCPUS),
                U.KVM_CAP_MAX_VCPUS: U.KVM_MAX_VCPUS,
                U.KVM_CAP_MAX_VCPU_ID: U.KVM_MAX_VCPU_IDS,
                U.KVM_CAP_NR_MEMSLOTS: U.KVM_USER_MEM_SLOTS,
                U.KVM_CAP_VM_GPA_BITS: self.gpa_bits}.get(cap, 0)

    def get_api_version(self):
        return U.KVM_API_VERSION

    def create_vm(self, vm_type=0, *, time=None):
        """KVM_CREATE_VM (type 0 only). ``time``: a callable giving the host time base (the
        ``time`` CSR value the guest's time is offset from); default, a counter advanced with
        Vm.advance_time()."""
        if vm_type != 0:
            raise KvmError(errno.EINVAL, f"VM type {vm_type!r}: RISC-V has only type 0")
        if time is not None and not callable(time):
            raise KvmError(errno.EINVAL, "time must be a callable returning the host time")
        vm = Vm(self, time=time)
        self.vms.append(vm)
        return vm

    def __repr__(self):
        return f"Kvm(host={sorted(self.host.names)}, vlenb={self.host.vlenb})"
