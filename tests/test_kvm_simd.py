"""FP/vector context policies (rvemu/kvm/simd.py): eager (Linux today) and lazy (arm64's
first-use trap). Guests look for each other's values and for the host's: under either
policy none may ever leak; the counters show what each policy moves."""
import struct

import pytest

from rvemu.kvm import Kvm, core_reg, fp_d_reg
from rvemu.kvm import exits
from rvemu.kvm import uapi as U
from rvemu.kvm.simd import HOST_F_PATTERN, set_policy, simd_needs, vm_stats
from helpers import asm, enc, li

GUEST = 0x8000_0000
DATA = GUEST + 0x8000          # per vCPU: 0x100 bytes at DATA + 0x100 * id
HSM = 0x48534D
MSTATUS_FS_VS = (1 << 13) | (1 << 9)


def vsetvli(rd, rs1, vtypei):
    return (vtypei << 20) | (rs1 << 15) | (7 << 12) | (rd << 7) | 0x57


def vse64(vs3, rs1):
    return (1 << 25) | (rs1 << 15) | (7 << 12) | (vs3 << 7) | 0x27


def vmv_v_x(vd, rs1):
    return (0x17 << 26) | (1 << 25) | (rs1 << 15) | (4 << 12) | (vd << 7) | 0x57


def vmv_x_s(rd, vs2):
    return (0x10 << 26) | (1 << 25) | (vs2 << 20) | (2 << 12) | (rd << 7) | 0x57


E64M1 = 3 << 3
T0, T1, T2, T3, A0, A1, A6, A7 = 5, 6, 7, 28, 10, 11, 16, 17


def simd_guest(rounds):
    """a0 = vCPU id. Records the f1 and v1 it finds first (DATA+id*0x100: f1, then v1's
    element 0), writes its own pattern, then checks it `rounds` times; status word at +8:
    1 pass, 2 fail. Ends with HSM hart_stop."""
    code = li(T0, MSTATUS_FS_VS) + [enc("csrrs", "x0", 0x100, T0)]          # sstatus.FS/VS
    code += li(A1, DATA) + [enc("slli", T1, A0, 8), enc("add", A1, A1, T1)]
    code += [enc("fmv.x.d", T0, 1), enc("sd", T0, A1, 0)]                   # f1 as found
    code += [vsetvli(T1, 0, E64M1), vmv_x_s(T0, 1), enc("sd", T0, A1, 16)]  # v1[0] as found
    code += li(T2, 0x5EED_0000_0000_0000) + [enc("add", T2, T2, A0)]        # pattern + id
    code += [enc("fmv.d.x", 1, T2), vmv_v_x(1, T2)]
    code += li(T3, rounds)
    loop = len(asm(*code))
    code += [enc("fmv.x.d", T0, 1), enc("bne", T0, T2, 0), vmv_x_s(T0, 1),
             enc("bne", T0, T2, 0), enc("addi", T3, T3, -1), enc("bne", T3, 0, 0)]
    # patch the branch offsets: fail label after the pass path
    pass_path = [enc("addi", T0, 0, 1), enc("sd", T0, A1, 8)] + li(A7, HSM) + [
        enc("addi", A6, 0, 1), 0x00000073]
    fail_path = [enc("addi", T0, 0, 2), enc("sd", T0, A1, 8)] + li(A7, HSM) + [
        enc("addi", A6, 0, 1), 0x00000073]
    body_end = loop + 6 * 4
    fail_at = body_end + len(asm(*pass_path))
    code[-5] = enc("bne", T0, T2, fail_at - (loop + 4))
    code[-3] = enc("bne", T0, T2, fail_at - (loop + 12))
    code[-1] = enc("bne", T3, 0, -20)
    return asm(*(code + pass_path + fail_path))


def scalar_guest(rounds):
    """Never touches FP or vector: counts down, then stops."""
    code = li(T3, rounds) + [enc("addi", T3, T3, -1), enc("bne", T3, 0, -4)]
    code += li(A7, HSM) + [enc("addi", A6, 0, 1), 0x00000073]
    return asm(*code)


def make_vm(policy, programs, host_uses_simd=True, vlen=256):
    kvm = Kvm("rv64gcvh_zicntr_zihpm", vlen=vlen)
    vm = kvm.create_vm()
    set_policy(vm, policy, host_uses_simd)
    mem = vm.alloc_memory(0x10000)
    vm.set_user_memory_region(0, 0, GUEST, 0x10000, mem)
    vcpus = []
    for i, prog in enumerate(programs):
        base = 0x1000 * i
        mem[base:base + len(prog)] = memoryview(prog)
        v = vm.create_vcpu(i)
        v.set_one_reg(core_reg("pc"), GUEST + base)
        v.set_one_reg(core_reg("regs.a0"), i)
        v.set_mp_state(U.KVM_MP_STATE_RUNNABLE)
        vcpus.append(v)
    return vm, mem, vcpus


def run_round_robin(vcpus, quantum=7, limit=20_000):
    for _ in range(limit):
        live = [v for v in vcpus if v.mp_state == U.KVM_MP_STATE_RUNNABLE]
        if not live:
            return
        for v in live:
            ex = v.run(max_insns=quantum)
            assert ex.reason == exits.KVM_EXIT_INTR, ex
    raise AssertionError("guests did not finish")


def word(mem, off):
    return struct.unpack("<Q", bytes(mem[off:off + 8]))[0]


@pytest.mark.parametrize("policy,host_uses", [("eager", True), ("lazy", True), ("lazy", False)])
def test_no_state_leaks_between_vcpus_or_from_the_host(policy, host_uses):
    vm, mem, vcpus = make_vm(policy, [simd_guest(40), simd_guest(40), simd_guest(40)],
                             host_uses)
    run_round_robin(vcpus)
    for i in range(3):
        base = 0x8000 + 0x100 * i
        assert word(mem, base + 8) == 1, f"vCPU {i} saw its registers change"
        assert word(mem, base) == 0, f"vCPU {i} found f1 = {word(mem, base):#x}, not its reset 0"
        assert word(mem, base + 16) == 0, f"vCPU {i} found a foreign v1"
        assert vcpus[i].get_one_reg(fp_d_reg("f1")) == 0x5EED_0000_0000_0000 + i
    host = vm._rvemu_backing.host
    if host_uses:     # the host got its own registers back, untouched
        assert list(host.hart.f) == list(HOST_F_PATTERN)


def test_lazy_moves_nothing_for_a_guest_without_simd():
    counts = {}
    for policy in ("eager", "lazy"):
        vm, _, vcpus = make_vm(policy, [scalar_guest(300), scalar_guest(300)])
        run_round_robin(vcpus)
        counts[policy] = vm_stats(vm)
    assert counts["lazy"]["bytes_moved"] == 0 and counts["lazy"]["first_use_traps"] == 0
    # eager restores FP and vector state (Initial) at every vcpu_load and gives the host
    # its registers back at every put
    assert counts["eager"]["fp_restores"] > 50 and counts["eager"]["v_restores"] > 50
    assert counts["eager"]["bytes_moved"] > 50 * (32 * 32 + 8 * 32)


def test_lazy_traps_once_per_load_on_a_simd_guest():
    vm, _, vcpus = make_vm("lazy", [simd_guest(30)])
    run_round_robin(vcpus, quantum=1000)
    st = vm_stats(vm)
    assert st["fp_first_use"] == 1 and st["v_first_use"] == 1
    vm2, _, vcpus2 = make_vm("lazy", [simd_guest(30)])
    run_round_robin(vcpus2, quantum=7)       # many VMM returns: a first use after each
    assert vm_stats(vm2)["first_use_traps"] > 5


def test_policy_is_chosen_before_the_first_run():
    vm, _, vcpus = make_vm("eager", [scalar_guest(5)])
    vcpus[0].run(max_insns=1)
    from rvemu.kvm.errors import KvmError
    with pytest.raises(KvmError):
        set_policy(vm, "lazy")
    with pytest.raises(KvmError):
        set_policy(make_vm("eager", [scalar_guest(5)])[0], "sometimes")


@pytest.mark.parametrize("insn,want", [
    (enc("fadd.d", 1, 2, 3), (True, False)), (enc("fld", 1, 10, 0), (True, False)),
    (enc("fmv.x.d", 5, 1), (True, False)), (enc("csrrs", 5, 0x003, 0), (True, False)),
    (vsetvli(5, 0, E64M1), (False, True)), (vse64(1, 10), (False, True)),
    (enc("csrrs", 5, 0xC20, 0), (False, True)), (enc("add", 1, 2, 3), (False, False)),
    (0x2000 | (1 << 2), (True, False)),          # c.fld
    ((0x15 << 26) | (1 << 25) | (5 << 12) | 0x57, (True, True)),  # vfmv-like OPFVF
])
def test_simd_needs(insn, want):
    assert simd_needs(insn) == want


# ---- guest vector length (KVM_CAP_RVEMU_VECTOR_LENGTH) ---------------------------------------
def vlen_guest():
    """Stores vlenb (CSR 0xC22) and the vl of vsetvli e64,m1 at DATA, then hart_stop."""
    code = li(T0, MSTATUS_FS_VS) + [enc("csrrs", "x0", 0x100, T0)]
    code += li(A1, DATA) + [enc("csrrs", T0, 0xC22, 0), enc("sd", T0, A1, 0),
                            vsetvli(T1, 0, E64M1), enc("sd", T1, A1, 8)]
    code += li(A7, HSM) + [enc("addi", A6, 0, 1), 0x00000073]
    return asm(*code)


@pytest.mark.parametrize("policy", ["eager", "lazy"])
@pytest.mark.parametrize("guest_vlenb", [16, 32, 64])
def test_guest_sees_the_negotiated_vector_length(policy, guest_vlenb):
    vm, mem, vcpus = make_vm(policy, [vlen_guest()], vlen=512)
    v = vcpus[0]
    vm.enable_cap(U.KVM_CAP_RVEMU_VECTOR_LENGTH)
    v.set_one_reg(U.vector_reg("vlenb"), guest_vlenb)
    assert v.get_one_reg(U.vector_reg("vlenb")) == guest_vlenb
    assert len(v.get_one_reg(U.vector_reg(3, guest_vlenb))) == guest_vlenb
    from rvemu.kvm.errors import KvmError
    with pytest.raises(KvmError):                  # the host's size is not this vCPU's
        v.get_one_reg(U.vector_reg(3, 64 if guest_vlenb != 64 else 32))
    run_round_robin(vcpus, quantum=1000)
    assert word(mem, 0x8000) == guest_vlenb
    assert word(mem, 0x8008) == guest_vlenb // 8      # VLMAX for SEW=64, LMUL=1


def test_vector_length_rules():
    from rvemu.kvm.errors import KvmError
    import errno
    vm, _, vcpus = make_vm("eager", [vlen_guest()], vlen=256)
    v = vcpus[0]
    with pytest.raises(KvmError) as e:            # without the capability: Linux's rule
        v.set_one_reg(U.vector_reg("vlenb"), 16)
    assert e.value.errno == errno.EINVAL
    vm.enable_cap(U.KVM_CAP_RVEMU_VECTOR_LENGTH)
    for bad in (8, 24, 64):                       # below V's minimum, not a power of 2, above
        with pytest.raises(KvmError) as e:
            v.set_one_reg(U.vector_reg("vlenb"), bad)
        assert e.value.errno == errno.EINVAL
    assert v.get_one_reg(U.vector_reg("vlenb")) == 32          # nothing changed
    v.set_one_reg(U.vector_reg("vlenb"), 16)
    v.run(max_insns=1)
    with pytest.raises(KvmError) as e:
        v.set_one_reg(U.vector_reg("vlenb"), 32)
    assert e.value.errno == errno.EBUSY
