"""The ZV* sub-extensions under the KVM model (issue 6 with seed 003): a default Kvm() offers
them (the hart implements them), Linux's policy refuses to disable them (they are on
kvm_riscv_isa_disable_allowed()'s refused list), the configurable policy allows it with the
dependency rules checked, and a sub-extension disabled through ONE_REG really traps in the
guest (illegal instruction, delegated to VS: the guest's own handler sees it)."""
import errno

import pytest

from helpers import asm, enc, li
from kvm_support import raises_errno
from rvemu.kvm import Kvm, core_reg, exits, isa_ext_reg, sbi_ext_reg
from rvemu.kvm import uapi as U
from rvemu.kvm.simd import set_policy
from rvv_asm import venc, vsetivli, vtype

ZV = ("ZVBB", "ZVBC", "ZVKB", "ZVKG", "ZVKNED", "ZVKNHA", "ZVKNHB", "ZVKSED", "ZVKSH", "ZVKT")
# Linux's ISA_EXT ids (include/uapi/asm/kvm.h; kvm-riscv-facts 3.1)
LINUX_IDS = {"ZVBB": 36, "ZVBC": 37, "ZVKB": 38, "ZVKG": 39, "ZVKNED": 40, "ZVKNHA": 41,
             "ZVKNHB": 42, "ZVKSED": 43, "ZVKSH": 44, "ZVKT": 45}
GUEST = 0x8000_0000
SRST = 0x53525354
EINVAL = errno.EINVAL
VANDN_VV = 0x04000057 | 1 << 25 | 1 << 7 | 2 << 20 | 3 << 15     # vandn.vv v1, v2, v3


def _vcpu(policy=None, simd_policy=None, kvm=None):
    vm = (kvm or Kvm()).create_vm()
    if policy:
        vm.set_isa_policy(policy)
    if simd_policy:
        set_policy(vm, simd_policy)
    return vm, vm.create_vcpu(0)


def test_default_host_offers_every_zv_sub_extension():
    vm, v = _vcpu()
    host = {U.ISA_EXT_NAMES[i] for i in vm.host.ids()}
    assert set(ZV) <= host
    for name, i in LINUX_IDS.items():
        assert U.ISA_EXT_ID[name] == i
        assert v.get_one_reg(isa_ext_reg(name)) == 1          # enabled by default
    # the bundles have no id: each is in the guest while all it stands for is enabled
    assert {"zvkn", "zvks", "zvkng", "zvksg", "zvknc", "zvksc"} <= v.ctx.isa


def test_a_host_without_them_does_not_offer_them():
    vm = Kvm("rv64gcvh_zvkned").create_vm()
    v = vm.create_vcpu(0)
    assert v.get_one_reg(isa_ext_reg("ZVKNED")) == 1
    for name in ZV:
        if name != "ZVKNED":
            raises_errno(errno.ENOENT, v.get_one_reg, isa_ext_reg(name))


@pytest.mark.parametrize("name", ZV)
def test_linux_refuses_to_disable_them(name):
    _, v = _vcpu()
    e = raises_errno(EINVAL, v.set_one_reg, isa_ext_reg(name), 0)
    assert "disable-refused" in str(e)
    assert v.get_one_reg(isa_ext_reg(name)) == 1


@pytest.mark.parametrize("name", ["ZVBB", "ZVBC", "ZVKG", "ZVKNED", "ZVKNHB", "ZVKSED", "ZVKSH",
                                  "ZVKT"])
def test_configurable_disables_each_that_nothing_needs(name):
    _, v = _vcpu("configurable")
    v.set_one_reg(isa_ext_reg(name), 0)
    assert v.get_one_reg(isa_ext_reg(name)) == 0
    assert name.lower() not in v.ctx.isa
    others = [n for n in ZV if n != name]
    assert all(v.get_one_reg(isa_ext_reg(n)) == 1 for n in others)


def test_configurable_checks_the_dependencies():
    _, v = _vcpu("configurable")
    e = raises_errno(EINVAL, v.set_one_reg, isa_ext_reg("ZVKB"), 0)     # Zvbb implies Zvkb
    assert "zvbb needs zvkb" in str(e)
    e = raises_errno(EINVAL, v.set_one_reg, isa_ext_reg("ZVKNHA"), 0)   # Zvknhb implies Zvknha
    assert "zvknhb needs zvknha" in str(e)
    raises_errno(EINVAL, v.set_one_reg, isa_ext_reg("V"), 0)            # all of them need V
    assert all(v.get_one_reg(isa_ext_reg(n)) == 1 for n in ZV)          # nothing changed
    # one MULTI_DIS write takes a sub-extension and what needs it away together
    mask = 1 << LINUX_IDS["ZVKNHA"] | 1 << LINUX_IDS["ZVKNHB"]
    v.set_one_reg(isa_ext_reg(0, U.KVM_REG_RISCV_ISA_MULTI_DIS), mask)
    assert not {"zvknha", "zvknhb", "zvkn", "zvknc", "zvkng"} & v.ctx.isa   # bundles go too
    assert {"zvks", "zvkned"} <= v.ctx.isa
    # enabling Zvknhb without Zvknha is refused; both at once is fine
    raises_errno(EINVAL, v.set_one_reg, isa_ext_reg("ZVKNHB"), 1)
    v.set_one_reg(isa_ext_reg(0, U.KVM_REG_RISCV_ISA_MULTI_EN), mask)
    assert {"zvknha", "zvknhb", "zvkn"} <= v.ctx.isa


def _guest(vcpu, vm, word=VANDN_VV, sew=32):
    """VS-mode guest: VS on, vsetivli 4 x e32, v2 = -1, v3 = 5, vandn.vv v1, v2, v3,
    a2 = v1[0], s4 = 1; then SRST. Its trap handler saves scause/stval in s3/s5 and does
    SRST too."""
    code = li("t1", GUEST + 0x400) + [enc("csrrw", "x0", 0x105, "t1")]      # stvec
    code += li("t1", 1 << 9) + [enc("csrrs", "x0", 0x100, "t1")]            # sstatus.VS
    code += [vsetivli(0, 4, vtype(sew, 1)), venc("vmv.v.i", 2, 0, -1), venc("vmv.v.i", 3, 0, 5),
             word, venc("vmv.x.s", 12, 1, 0), enc("addi", "s4", "x0", 1)]
    shutdown = li("a7", SRST) + [enc("addi", "a6", "x0", 0), enc("addi", "a0", "x0", 0),
                                 enc("addi", "a1", "x0", 0), 0x00000073]
    code += shutdown
    handler = [enc("csrrs", "s3", 0x142, "x0"), enc("csrrs", "s5", 0x143, "x0")] + shutdown
    mem = vm.alloc_memory(0x10000)
    code, handler = asm(*code), asm(*handler)
    mem[0:len(code)] = memoryview(code)
    mem[0x400:0x400 + len(handler)] = memoryview(handler)
    vm.set_user_memory_region(0, 0, GUEST, 0x10000, mem)
    vcpu.set_one_reg(core_reg("pc"), GUEST)
    vcpu.set_one_reg(sbi_ext_reg("SRST"), 1)


def _run(vcpu):
    for _ in range(20):
        ex = vcpu.run(max_insns=10_000)
        if ex.reason == exits.KVM_EXIT_SYSTEM_EVENT:
            x = vcpu.ctx.x
            return {r: int(x[n]) for r, n in (("a2", 12), ("s3", 19), ("s4", 20), ("s5", 21))}
    raise AssertionError(f"the guest did not finish: {ex}")


@pytest.mark.parametrize("simd_policy", ["eager", "lazy"])
def test_disabled_zvkb_traps_in_the_guest(simd_policy):
    vm, v = _vcpu("configurable", simd_policy)
    v.set_one_reg(isa_ext_reg("ZVBB"), 0)        # Zvbb first (it implies Zvkb), then Zvkb
    v.set_one_reg(isa_ext_reg("ZVKB"), 0)
    assert not {"zvbb", "zvkb", "zvkn", "zvks"} & v.ctx.isa
    _guest(v, vm)
    r = _run(v)
    assert (r["s3"], r["s5"], r["s4"]) == (2, VANDN_VV, 0)   # illegal instruction, stval = word


def test_the_host_gets_its_sub_extensions_back():
    """The world switch swaps the vector unit's ZV* bits with the extension mask: a second
    VM on the same host, with the host's whole ISA, runs vandn after the first trapped."""
    kvm = Kvm()
    vm1, v1 = _vcpu("configurable", kvm=kvm)
    v1.set_one_reg(isa_ext_reg("ZVBB"), 0)
    v1.set_one_reg(isa_ext_reg("ZVKB"), 0)
    _guest(v1, vm1)
    assert _run(v1)["s3"] == 2
    vm2, v2 = _vcpu(kvm=kvm)
    _guest(v2, vm2)
    r = _run(v2)
    assert (r["s3"], r["s4"], r["a2"]) == (0, 1, 0xFFFF_FFFF_FFFF_FFFA)


@pytest.mark.parametrize("simd_policy", ["eager", "lazy"])
def test_enabled_zvkb_runs_in_the_guest(simd_policy):
    vm, v = _vcpu("configurable", simd_policy)
    v.set_one_reg(isa_ext_reg("ZVKNED"), 0)      # some other change: the guest mask differs
    _guest(v, vm)
    r = _run(v)
    assert (r["s3"], r["s4"]) == (0, 1)
    assert r["a2"] == 0xFFFF_FFFF_FFFF_FFFA      # -1 & ~5, e32 sign-extended by vmv.x.s


@pytest.mark.parametrize("disable", [False, True])
def test_disabled_zvfh_traps_in_the_guest(disable):
    """The same swap covers the vector unit's other ISA switches: vfadd.vv at SEW 16 needs
    Zvfh (a guest without it that runs it would compute with an extension it lacks)."""
    from rvemu.kvm import csr_reg
    vm, v = _vcpu("configurable")
    if disable:
        v.set_one_reg(isa_ext_reg("ZVFH"), 0)
        assert "zvfh" not in v.ctx.isa and "zvfhmin" in v.ctx.isa
    word = venc("vfadd.vv", 1, 2, 3)
    _guest(v, vm, word, 16)
    v.set_one_reg(csr_reg("sstatus"), 1 << 13)            # FS = Initial
    r = _run(v)
    if disable:
        assert (r["s3"], r["s5"], r["s4"]) == (2, word, 0)
    else:
        assert (r["s3"], r["s4"], r["a2"]) == (0, 1, 0x7E00)   # NaN + 5: the canonical NaN
