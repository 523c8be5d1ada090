"""Helpers for the KVM-layer tests.

``future_extensions`` puts into rvemu.isa.extensions.BY_NAME the extensions other branches
are adding (V implemented, the Zve*/ZV* vector extensions, H, and a few KVM knows), with the
requires/implies of spec-facts section 5, so the name-driven KVM tables can be tested before
the merge. The KVM layer must light them up with no change of its own.
"""
import errno

import pytest

from rvemu.isa import extensions as E
from rvemu.kvm import Kvm, KvmError

FUTURE = [
    E.Extension("v", "vector", requires=("d",), misa="V",
                implies=("zve32x", "zve32f", "zve64x", "zve64f", "zve64d")),
    E.Extension("h", "hypervisor", requires=("s",), misa="H"),
    E.Extension("zve32x", "", requires=("zicsr",)),
    E.Extension("zve32f", "", requires=("zve32x", "f")),
    E.Extension("zve64x", "", requires=("zve32x",)),
    E.Extension("zve64f", "", requires=("zve64x", "zve32f")),
    E.Extension("zve64d", "", requires=("zve64f", "d")),
    E.Extension("zvfhmin", "", requires=("zve32f",)),
    E.Extension("zvfh", "", requires=("zve32f", "zfhmin"), implies=("zvfhmin",)),
    E.Extension("zvfbfmin", "", requires=("zve32f",)),
    E.Extension("zvfbfwma", "", requires=("zvfbfmin", "zfbfmin")),
    E.Extension("zvbb", "", requires=("zve32x",), implies=("zvkb",)),
    E.Extension("zvkb", "", requires=("zve32x",)),
    E.Extension("zvkned", "", requires=("zve32x",)),
    E.Extension("ssaia", ""),
    E.Extension("smstateen", ""),
    E.Extension("sscofpmf", ""),
    E.Extension("zicbom", ""),
    E.Extension("zicboz", ""),
    E.Extension("svpbmt", ""),
    E.Extension("smnpm", ""),
    E.Extension("ssnpm", ""),
]
BASE_NAMES = {"i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "zicntr", "zihpm", "s", "u",
              "zaamo", "zalrsc"}
ALL_FUTURE = BASE_NAMES | {e.name for e in FUTURE} | {"zfh", "zfhmin", "zfbfmin", "sstc", "svadu"}


@pytest.fixture
def future_extensions(monkeypatch):
    for e in FUTURE:
        monkeypatch.setitem(E.BY_NAME, e.name, e)
    return ALL_FUTURE


# A host without V (the hart before the vector unit): tests of scalar behaviour use it so
# that they do not change as extensions are implemented.
SCALAR_HOST = "rv64gch_zicntr_zihpm_zfh_zfbfmin_sstc_svadu"


def vcpu_for(names=None, *, policy=None, allowed=None, vcpu_id=0, **kw):
    kvm = Kvm(host=names, **kw)
    vm = kvm.create_vm()
    if policy:
        vm.set_isa_policy(policy, allowed)
    return vm.create_vcpu(vcpu_id)


def raises_errno(code, fn, *a, **kw):
    """Call fn and check it fails with KvmError(code); returns the error."""
    with pytest.raises(KvmError) as ei:
        fn(*a, **kw)
    assert ei.value.errno == code, f"expected {errno.errorcode[code]}, got {ei.value}"
    return ei.value


def snapshot(vcpu):
    """Everything a failed ONE_REG call must leave unchanged."""
    c = vcpu.ctx
    state = {k: (v.tobytes() if hasattr(v, "tobytes") else (set(v) if isinstance(v, set) else v))
             for k, v in vars(c).items()}
    return (state, list(vcpu.sbi_status), vcpu.mvendorid, vcpu.marchid, vcpu.mimpid,
            vcpu.vm.time_delta)
