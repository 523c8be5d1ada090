"""ISA_EXT and CONFIG isa under the two policies: Linux's exact rules, and the seeds'
configurable policy with dependency validation and a per-VM allowed set."""
import errno

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvm_support import future_extensions, raises_errno, snapshot, vcpu_for  # noqa: F401
from rvemu.kvm import Kvm, KvmError
from rvemu.kvm import isa_ext
from rvemu.kvm import uapi as U

EINVAL, ENOENT, EBUSY = errno.EINVAL, errno.ENOENT, errno.EBUSY
M64 = (1 << 64) - 1
EN, DIS = U.KVM_REG_RISCV_ISA_MULTI_EN, U.KVM_REG_RISCV_ISA_MULTI_DIS


def get(v, name):
    return v.get_one_reg(U.isa_ext_reg(name))


def put(v, name, val):
    v.set_one_reg(U.isa_ext_reg(name), val)


def multi(v, sub, reg, mask):
    v.set_one_reg(U.isa_ext_reg(reg, sub), mask)


def ids_mask(names, reg):
    m = 0
    for n in names:
        i = U.ISA_EXT_ID[n.upper()]
        if i // 64 == reg:
            m |= 1 << (i % 64)
    return m


# ---- what the host has ----------------------------------------------------------------------------
def test_host_mirrors_hart_and_unknown_ids_are_absent():
    v = vcpu_for()
    host_ids = {U.ISA_EXT_NAMES[i] for i in v.vm.host.ids()}
    assert host_ids == {"A", "C", "D", "F", "H", "I", "M", "SSTC", "ZICNTR", "ZICSR",
                        "ZIFENCEI", "ZIHPM", "ZFH", "ZFHMIN", "SVADU", "ZAAMO", "ZALRSC",
                        "ZFBFMIN", "V", "ZVFH", "ZVFHMIN", "ZVFBFMIN", "ZVFBFWMA",
                        "ZVBB", "ZVBC", "ZVKB", "ZVKG", "ZVKNED", "ZVKNHA", "ZVKNHB", "ZVKSED",
                        "ZVKSH", "ZVKT"}
    assert get(v, "H") == 0      # the host has H, but enabling it is refused (no nesting)
    assert get(v, "V") == 1 and get(v, "ZVFH") == 1
    for n in ("ZBA", "SSAIA"):                            # not known or not implemented yet
        raises_errno(ENOENT, get, v, n)
        raises_errno(ENOENT, put, v, n, 1)
    raises_errno(ENOENT, v.get_one_reg, U.isa_ext_reg(78))
    raises_errno(ENOENT, v.get_one_reg, U.isa_ext_reg(1 << 15))


def test_names_light_up_when_the_hart_knows_them(future_extensions):
    v = vcpu_for(future_extensions)
    assert get(v, "ZVFH") == 1 and get(v, "V") == 1 and v.ctx.vreg is not None
    assert {"zve32x", "zve64d"} <= v.ctx.isa             # V's implied subsets follow V
    assert get(v, "H") == 0                               # enabling H is refused: not by default


def test_host_from_isa_string_and_machine_like():
    v = vcpu_for("rv64imac_zicsr")
    assert {U.ISA_EXT_NAMES[i] for i in v.vm.host.ids()} >= {"A", "C", "I", "M", "ZICSR"}
    raises_errno(ENOENT, get, v, "F")

    class FakeMachine:
        from rvemu.isa.isastring import parse_isa
        isa = parse_isa("rv64gc_zfh")
        vlen = None
    assert Kvm(FakeMachine()).create_vm().create_vcpu(0).has("zfh")
    with pytest.raises(KvmError):
        Kvm(host=42)


# ---- linux policy ------------------------------------------------------------------------------------
def test_linux_default_isa_conditions(future_extensions):
    v = vcpu_for(future_extensions)
    assert get(v, "SSCOFPMF") == 1 and get(v, "SVADU") == 1 and get(v, "V") == 1
    v = vcpu_for(future_extensions - {"ssaia"}, hw_pte_young=False, v_user_allowed=False)
    assert get(v, "SSCOFPMF") == 0 and get(v, "SVADU") == 0 and get(v, "V") == 0
    for n in ("SSCOFPMF", "SVADU", "V", "H"):
        raises_errno(EINVAL, put, v, n, 1)


def test_linux_disable_refused_list():
    assert len(isa_ext.LINUX_DISABLE_REFUSED) == 64
    v = vcpu_for()
    before = snapshot(v)
    for n in ("A", "C", "I", "M", "SSTC", "ZICNTR", "ZICSR", "ZIFENCEI", "ZIHPM", "ZFH",
              "ZFHMIN", "ZFBFMIN", "ZAAMO", "ZALRSC"):
        raises_errno(EINVAL, put, v, n, 0)
    assert snapshot(v) == before


def test_linux_refuses_zv_and_zfh(future_extensions):
    v = vcpu_for(future_extensions)
    for n in ("ZVFH", "ZVFHMIN", "ZVBB", "ZVKB", "ZVKNED", "ZVFBFMIN", "ZVFBFWMA", "ZFH"):
        raises_errno(EINVAL, put, v, n, 0)
        assert get(v, n) == 1


def test_linux_allows_these_and_checks_no_dependency():
    v = vcpu_for()
    put(v, "F", 0)                 # Linux lets F go while D stays: no dependency checking
    assert get(v, "F") == 0 and get(v, "D") == 1 and not v.has("f")
    put(v, "F", 1)
    put(v, "SVADU", 0)
    put(v, "D", 0)
    assert get(v, "D") == 0 and get(v, "SVADU") == 0


def test_linux_single_values_and_ran():
    v = vcpu_for()
    raises_errno(EINVAL, put, v, "D", 2)
    raises_errno(EINVAL, v.set_one_reg, (U.isa_ext_reg("D") & ~U.KVM_REG_SIZE_MASK) | U.KVM_REG_SIZE_U32, 0)
    raises_errno(ENOENT, v.set_one_reg, U.isa_ext_reg(0, 3 << 16), 0)
    v.mark_ran()
    put(v, "D", 1)                 # the current value: 0 even after the first run
    raises_errno(EBUSY, put, v, "D", 0)
    raises_errno(EBUSY, put, v, "D", 2)
    assert get(v, "D") == 1


def test_linux_multi():
    v = vcpu_for("rv64gc_zicntr_zihpm_zfh_zfbfmin_sstc_svadu")   # a fixed host, no V
    en0 = v.get_one_reg(U.isa_ext_reg(0, EN))
    en1 = v.get_one_reg(U.isa_ext_reg(1, EN))
    assert en0 == ids_mask(["A", "C", "D", "F", "I", "M", "SSTC", "ZICNTR", "ZICSR", "ZIFENCEI",
                            "ZIHPM", "ZFH", "ZFHMIN"], 0)
    assert en1 == ids_mask(["SVADU", "ZAAMO", "ZALRSC", "ZFBFMIN"], 1)
    # DIS is the bitwise NOT: ids beyond MAX and absent ones read 1
    assert v.get_one_reg(U.isa_ext_reg(1, DIS)) == ~en1 & M64
    raises_errno(ENOENT, v.get_one_reg, U.isa_ext_reg(2, EN))
    raises_errno(ENOENT, multi, v, EN, 2, 1)
    # per-bit errors ignored: A, C, ZFH refused, D and F go; returns normally
    multi(v, DIS, 0, ids_mask(["A", "C", "D", "F", "ZFH"], 0) | 1 << 17)
    assert (get(v, "A"), get(v, "C"), get(v, "D"), get(v, "F"), get(v, "ZFH")) == (1, 1, 0, 0, 1)
    multi(v, EN, 0, M64)
    assert get(v, "D") == 1 and get(v, "F") == 1
    v.mark_ran()
    multi(v, DIS, 0, ids_mask(["D"], 0))       # EBUSY is ignored too
    assert get(v, "D") == 1


def test_linux_conditional_disables(future_extensions):
    v = vcpu_for(future_extensions)            # host has Smstateen: Ssaia can go
    put(v, "SSAIA", 0)
    v = vcpu_for(future_extensions - {"smstateen"})
    raises_errno(EINVAL, put, v, "SSAIA", 0)


def test_vector_storage_follows_v(future_extensions):
    v = vcpu_for(future_extensions)
    put(v, "V", 0)
    assert v.ctx.vreg is None and not v.has("zve32x")
    raises_errno(ENOENT, v.get_one_reg, U.vector_reg("vl"))
    put(v, "V", 1)
    assert v.ctx.vreg is not None and v.ctx.vreg.size == 32 * v.ctx.vlenb


# ---- configurable policy -------------------------------------------------------------------------
def test_configurable_disables_what_linux_refuses(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    for n in ("ZVFH", "ZVFBFWMA", "ZVBB", "ZVKNED", "ZFH", "SSTC", "ZICNTR", "A", "C"):
        put(v, n, 0)
        assert get(v, n) == 0 and n.lower() not in v.ctx.isa


def test_configurable_refuses_inconsistent_single_changes(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    before = snapshot(v)
    e = raises_errno(EINVAL, put, v, "F", 0)
    assert "d needs f" in str(e) and "zfh needs f" in str(e)
    raises_errno(EINVAL, put, v, "ZFHMIN", 0)        # zfh and zvfh need it
    raises_errno(EINVAL, put, v, "V", 0)             # zvfh, zvbb ... need a vector unit
    raises_errno(EINVAL, put, v, "ZVKB", 0)          # Zvbb implies Zvkb
    raises_errno(EINVAL, put, v, "ZAAMO", 0)         # A implies it
    raises_errno(EINVAL, put, v, "I", 0)
    raises_errno(EINVAL, put, v, "ZICSR", 0)
    raises_errno(EINVAL, put, v, "H", 1)             # no nested virtualization
    assert snapshot(v) == before


def test_configurable_zvfh_rules(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    put(v, "ZVFH", 0)
    put(v, "ZVFBFWMA", 0)
    put(v, "ZFH", 0)
    put(v, "ZFHMIN", 0)                              # nothing needs it any more
    raises_errno(EINVAL, put, v, "ZVFH", 1)          # Zvfh needs Zfhmin
    put(v, "ZFHMIN", 1)
    put(v, "ZVFH", 1)
    assert v.has("zvfh") and v.has("zvfhmin")


def test_configurable_multi_is_one_transaction(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    fp_users = ["F", "D", "ZFH", "ZFHMIN", "V", "ZVFH", "ZVFHMIN", "ZVFBFMIN", "ZVFBFWMA",
                "ZVBB", "ZVKB", "ZVKNED"]
    # ZFBFMIN (id 72) lives in multi register 1: taking reg 0 first would leave it without F
    before = snapshot(v)
    raises_errno(EINVAL, multi, v, DIS, 0, ids_mask(fp_users, 0))
    assert snapshot(v) == before
    multi(v, DIS, 1, ids_mask(["ZFBFMIN", "ZVFBFMIN", "ZVFBFWMA"], 1))
    multi(v, DIS, 0, ids_mask(fp_users, 0))
    assert not {"f", "d", "zfh", "v", "zvfh", "zve32f"} & v.ctx.isa
    assert get(v, "A") == 1 and get(v, "C") == 1
    # and back on in one write (order inside the write does not matter)
    multi(v, EN, 0, ids_mask(["F", "D", "ZFHMIN", "ZFH"], 0))
    assert v.has("zfh") and v.has("f")
    raises_errno(EINVAL, multi, v, EN, 0, ids_mask(["ZBA"], 0))     # not on this host
    raises_errno(EINVAL, multi, v, EN, 0, ids_mask(["H"], 0))
    raises_errno(ENOENT, multi, v, DIS, 2, 1)


def test_configurable_config_isa(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    isa = U.config_reg("isa")
    cur = v.get_one_reg(isa)
    raises_errno(EINVAL, v.set_one_reg, isa, cur & ~(1 << 5))              # F under D
    raises_errno(EINVAL, v.set_one_reg, isa, cur | 1 << 7)                 # H
    v.set_one_reg(isa, cur & ~(1 << 2) | 1 << 18)                          # C off; S ignored
    assert not v.has("c") and v.get_one_reg(isa) == cur & ~(1 << 2)


def test_configurable_after_run(future_extensions):
    v = vcpu_for(future_extensions, policy="configurable")
    v.mark_ran()
    put(v, "ZFH", 1)
    raises_errno(EBUSY, put, v, "ZFH", 0)
    raises_errno(EBUSY, multi, v, DIS, 0, ids_mask(["ZFH"], 0))
    multi(v, DIS, 0, ids_mask(["ZBA"], 0))             # changes nothing: fine
    raises_errno(EINVAL, put, v, "ZFH", 3)


def test_allowed_set_caps_the_vm(future_extensions):
    allowed = {"I", "M", "A", "C", "F", "ZICSR", "ZIFENCEI", "ZICNTR", "ZAAMO", "ZALRSC", "ZFH",
               "V", "ZVFH"}
    v = vcpu_for(future_extensions, policy="configurable", allowed=allowed)
    kvm_on = {U.ISA_EXT_NAMES[i] for i in range(U.KVM_RISCV_ISA_EXT_MAX)
              if v.vm.host.has(i) and get(v, U.ISA_EXT_NAMES[i])}
    # D is not allowed, so V (needs D) goes; Zfh needs Zfhmin (not allowed) and Zvfh needs a
    # vector unit: the default is the largest consistent part of the allowed set
    assert kvm_on == {"I", "M", "A", "C", "F", "ZICSR", "ZIFENCEI", "ZICNTR", "ZAAMO", "ZALRSC"}
    raises_errno(EINVAL, put, v, "D", 1)
    raises_errno(EINVAL, put, v, "SSTC", 1)        # on the host, not in the allowed set
    raises_errno(ENOENT, put, v, "ZBA", 1)         # not on the host


def test_policy_capabilities(future_extensions):
    kvm = Kvm(future_extensions)
    assert kvm.check_extension(U.KVM_CAP_RVEMU_ISA_EXT_POLICY) == 1
    vm = kvm.create_vm()
    raises_errno(EINVAL, vm.enable_cap, U.KVM_CAP_RVEMU_ISA_EXT_POLICY, args=[7])
    raises_errno(EINVAL, vm.enable_cap, U.KVM_CAP_RVEMU_ISA_EXT_ALLOWED, args=[1])   # linux policy
    raises_errno(EINVAL, vm.enable_cap, U.KVM_CAP_RVEMU_ISA_EXT_POLICY, flags=1, args=[1])
    vm.enable_cap(U.KVM_CAP_RVEMU_ISA_EXT_POLICY, args=[U.RVEMU_ISA_EXT_POLICY_CONFIGURABLE])
    raises_errno(EINVAL, vm.enable_cap, U.KVM_CAP_RVEMU_ISA_EXT_ALLOWED, args=[0, 1 << 20])
    raises_errno(EINVAL, vm.set_isa_policy, "configurable", allowed={"NOTANEXT"})
    raises_errno(EINVAL, vm.enable_cap, 9999)
    vm.create_vcpu(0)
    raises_errno(EBUSY, vm.enable_cap, U.KVM_CAP_RVEMU_ISA_EXT_POLICY, args=[0])
    raises_errno(EBUSY, vm.set_isa_policy, "linux")


OPS = st.lists(st.tuples(st.sampled_from(["single", "multi", "config"]), st.integers(0, 77),
                         st.integers(0, 2), st.integers(0, M64)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_configurable_always_consistent(ops):
    from kvm_support import ALL_FUTURE, FUTURE
    from rvemu.isa import extensions as E
    saved = dict(E.BY_NAME)
    E.BY_NAME.update({e.name: e for e in FUTURE})
    try:
        v = vcpu_for(ALL_FUTURE, policy="configurable")
        for kind, i, val, mask in ops:
            try:
                if kind == "single":
                    put(v, U.ISA_EXT_NAMES[i], val)
                elif kind == "multi":
                    multi(v, EN if val & 1 else DIS, val >> 1 & 1, mask)
                else:
                    v.set_one_reg(U.config_reg("isa"), mask & ((1 << 26) - 1))
            except KvmError as e:
                assert e.errno in (EINVAL, ENOENT)
            en = {n for n in v.ctx.isa if n in isa_ext.ID_OF}
            assert not isa_ext.violations(en, v.ctx.isa), v.ctx.isa
            assert {"i", "zicsr"} <= v.ctx.isa and "h" not in v.ctx.isa
    finally:
        E.BY_NAME.clear()
        E.BY_NAME.update(saved)


def test_idless_bundle_follows_its_parts(monkeypatch, future_extensions):
    from rvemu.isa import extensions as E
    monkeypatch.setitem(E.BY_NAME, "zvkn", E.Extension("zvkn", "bundle", implies=("zvkned", "zvkb")))
    v = vcpu_for(future_extensions | {"zvkn"}, policy="configurable")
    assert v.has("zvkn") and "s" in v.ctx.isa
    put(v, "ZVKNED", 0)
    assert not v.has("zvkn")
    put(v, "ZVKNED", 1)
    assert v.has("zvkn")


def test_zve_only_host(future_extensions):
    # a host with an embedded vector unit but no V: no KVM id controls Zve*, the guest keeps
    # it (and its register file), the VECTOR ONE_REG registers stay unavailable (they need V)
    v = vcpu_for(BASE_ONLY | {"zve32x", "zve32f", "zvfhmin"}, vlen=128, policy="configurable")
    assert v.has("zve32f") and v.ctx.vreg is not None and v.ctx.vreg.size == 32 * 16
    assert get(v, "ZVFHMIN") == 1
    raises_errno(ENOENT, v.get_one_reg, U.vector_reg("vlenb"))
    put(v, "ZVFHMIN", 0)
    put(v, "ZVFHMIN", 1)                      # Zve32f (no id) satisfies its rule


BASE_ONLY = {"i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "s", "u", "zaamo", "zalrsc"}


def test_smnpm_is_checked_against_host_ssnpm(future_extensions):
    v = vcpu_for((future_extensions - {"smnpm"}) | {"ssnpm"})
    assert get(v, "SMNPM") == 1 and v.has("smnpm")       # guest Smnpm from host Ssnpm
    v = vcpu_for(future_extensions - {"ssnpm"})
    raises_errno(ENOENT, get, v, "SMNPM")
