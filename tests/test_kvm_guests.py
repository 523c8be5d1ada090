"""Our VS-mode guests of the KVM model (guests/src/kvm_sbi.c, guests/src/kvm_pmu.c): each SBI
extension and the SBI PMU used from inside a guest, the answers checked by the guest against
the SBI spec and Linux's KVM (kvm-riscv-facts.md sections 7, 8, 11, 12). A failing check
prints "check N failed" and shuts down with SRST reason "system failure" (exit code 1)."""
import os
import pathlib
import subprocess
import sys

import pytest

import rvemu
from rvemu import Machine
from rvemu.kvm import Kvm, core_reg, sbi_ext_reg
from rvemu.kvm.vmm import Vmm
from helpers import GUESTS

KVM_SBI = GUESTS / "kvm" / "kvm_sbi.elf"
KVM_PMU = GUESTS / "kvm" / "kvm_pmu.elf"
KVM_CTX = GUESTS / "kvm" / "kvm_ctx.elf"
SCALAR_HOST = "rv64gch_zicntr_zihpm_zfh_zfbfmin_sstc_svadu"     # (as tests/kvm_support.py)
STRATEGIES = ["direct", "nacl_sync_csr", "nacl_autoswap"]

SBI_LINES = [
    b"base: spec 0x0000000003000000, impl id 3",
    b"base: probe BASE TIME IPI RFENCE HSM SRST PMU DBCN STA FWFT legacy set_timer",
    b"dbcn: console_write ok\nd\n",
    b"time: S-timer interrupt taken after",
    b"ipi: self IPIs taken as SSIP",
    b"rfence: fence.i, sfence.vma ok",
    b"hsm: retentive suspend returned after",
    b"sta: shared memory set",
    b"fwft: misaligned delegation get/set/lock ok",
    b"L\nlegacy: putchar, getchar, send_ipi, clear_ipi, remote fences ok",
    b"kvm_sbi: all checks passed",
]
SBI_TWO_VCPUS = [
    b"fdt: vcpus 2",
    b"hsm: vcpu 1 started (a0=1, a1=opaque, SIE=0, satp=0), reported, stopped",
    b"sta: steal time ",
    b"hsm: vcpu 1 restarted, its IPI woke vcpu 0 from wfi",
]
PMU_LINES = [
    b"pmu: 25 counters: 2 hardware (cycle, instret), 22 firmware from index 3",
    b"pmu: misaligned loads counted 7, stores 5, nothing while stopped",
    b"pmu: SET_TIMER, IPI_SENT/RCVD, FENCE_I_SENT/RCVD, HFENCE_VVMA(_ASID)_SENT counted",
    b"pmu: ILLEGAL_INSN not counted (delegated), FWFT misaligned delegation bypasses KVM",
    b"pmu: loop of 10000: instret +20001 cycle +20001; of 20000: instret +40001 cycle +40001",
    b"pmu: cycle/instret counters: monotonic, plausible deltas, hold while stopped",
    b"pmu: snapshot shared memory ok",
    b"pmu: event_get_info ok",
    b"pmu: error cases ok",
    b"kvm_pmu: all checks passed",
]


def run_guest(elf, vcpus, strategy, policy="eager"):
    vmm = Vmm(elf, vcpus=vcpus, strategy=strategy, simd_policy=policy)
    r = vmm.run(max_insns=20_000_000)
    out = bytes(vmm.output)
    assert (r.reason, r.exit_code) == ("shutdown", 0), out.decode(errors="replace")
    assert b"FAIL" not in out and b"unexpected trap" not in out
    return vmm, out


@pytest.mark.parametrize("policy", ["eager", "lazy"])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("vcpus", [1, 2])
def test_kvm_sbi_guest(vcpus, strategy, policy):
    vmm, out = run_guest(KVM_SBI, vcpus, strategy, policy)
    for line in SBI_LINES:
        assert line in out
    st = vmm.stats()
    v0 = st["vcpus"][0]
    assert v0["exits"]["KVM_EXIT_SYSTEM_EVENT"] == 1
    assert v0["exits"]["KVM_EXIT_RISCV_SBI"] >= 1         # DBCN and the forwarded probe
    assert v0["stat"]["wfi_exit_stat"] >= 1                # the timer and IPI waits
    if vcpus == 1:
        assert b"fdt: vcpus 1" in out
    else:
        for line in SBI_TWO_VCPUS:
            assert line in out
        assert st["vcpus"][1]["instret"] > 0               # started twice through HSM
    ws = st["world_switch"]
    assert ws["strategy"] == strategy and ws["entries"] > 0


@pytest.mark.parametrize("policy", ["eager", "lazy"])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("vcpus", [1, 2])
def test_kvm_pmu_guest(vcpus, strategy, policy):
    vmm, out = run_guest(KVM_PMU, vcpus, strategy, policy)
    for line in PMU_LINES:
        assert line in out
    v0 = vmm.stats()["vcpus"][0]
    # the exit handler saw the misaligned traps it counted (and redirected) ...
    # (checks 20-39: 7 + 3 stopped + 2 + 1 + 7; 50-59: 1, the 4 under FWFT delegation
    # never reach KVM; 80-99: 4 + 2)
    assert v0["stat"]["load_misaligned_exits"] == 20 + 1 + 6
    assert v0["stat"]["store_misaligned_exits"] == 4 + 5 + 1 + 1    # (one with vectored stvec)
    # ... but no illegal instruction: hedeleg bit 2 sends those straight to the guest, except
    # under the lazy context policy, which keeps them (first FP/V uses) and redirects the
    # guest's two real ones
    assert v0["stat"].get("instr_illegal_exits", 0) == (2 if policy == "lazy" else 0)
    assert v0["stat"]["csr_exit_kernel"] > 0               # counter CSRs emulated in KVM
    if vcpus == 2:
        assert b"pmu: vcpu 1 counted IPI_RCVD 3 and FENCE_I_RCVD 2 sent by vcpu 0" in out
        v1 = vmm.stats()["vcpus"][1]
        assert v1["pmu_fw"] == {"IPI_RCVD": 3, "FENCE_I_RCVD": 2}
    else:
        assert b"pmu: vcpu 1" not in out


def test_kvm_guests_on_the_cli(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(rvemu.__file__).parent.parent))
    for elf, last in ((KVM_SBI, b"kvm_sbi: all checks passed"),
                      (KVM_PMU, b"kvm_pmu: all checks passed")):
        p = subprocess.run([sys.executable, "-m", "rvemu", "run", "--kvm", "--vcpus", "2",
                            "--stats", str(elf)], capture_output=True, cwd=tmp_path, env=env,
                           timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        assert last in p.stdout
        assert b"KVM_EXIT_SYSTEM_EVENT=1" in p.stderr


def test_a_failing_check_gives_srst_system_failure():
    # the same guest with its first check made to fail: a VM whose vCPU 0 starts with
    # a0 = 1 (check 1 wants hart id 0) ends through SRST with reason 1
    vmm = Vmm(KVM_SBI)
    vmm.vcpus[0].set_one_reg(core_reg("regs.a0"), 1)
    r = vmm.run(max_insns=1_000_000)
    assert (r.reason, r.exit_code) == ("shutdown", 1)
    assert b"check 1 failed" in vmm.output and b"FAIL: check 1" in vmm.output


def test_hsm_restart_keeps_the_config_computed_at_the_first_run():
    """Linux computes henvcfg (Sstc's STCE ...) once, at the first run, in vcpu->arch.cfg: a
    later reset (HSM start, INIT_RECEIVED) keeps it (kvm_sbi checks 119-121 see the same
    from inside a guest)."""
    kvm = Kvm()
    vm = kvm.create_vm()
    v = vm.create_vcpu(0)
    assert v.has("sstc")
    v.mark_ran()
    env = v.ctx.henvcfg
    assert env >> 63 & 1                                   # STCE
    v.reset_state = (0x8000_0000, 0)
    v.sbi_reset()
    assert v.ctx.henvcfg == env                            # kept
    assert v.ctx.pc == 0x8000_0000 and v.ctx.xreg(10) == 0
    fresh = vm.create_vcpu(1)
    fresh.reset()
    assert fresh.ctx.henvcfg == 0                          # nothing computed before a run


def test_an_extension_the_vmm_disables_is_absent_for_the_guest():
    """SBI_EXT through ONE_REG before the first run: the guest's probe of STA then says
    absent (kvm_sbi check 8 expects it present, so the guest reports exactly that)."""
    vmm = Vmm(KVM_SBI)
    vmm.vcpus[0].set_one_reg(sbi_ext_reg("STA"), 0)
    r = vmm.run(max_insns=2_000_000)
    assert (r.reason, r.exit_code) == ("shutdown", 1)
    assert b"probe of 0x0000000000535441 (STA) gave error 0 value 0" in vmm.output
    assert b"check 8 failed" in vmm.output


@pytest.mark.parametrize("elf", [KVM_SBI, KVM_PMU], ids=["kvm_sbi", "kvm_pmu"])
def test_kvm_guests_on_a_host_without_sstc(elf):
    """Without Sstc the guest's timer is KVM's (VSTIP injected through hvip when the
    deadline passes) and stimecmp is illegal in the guest; the checks hold all the same."""
    vmm = Vmm(elf, vcpus=2, host_isa="rv64gch_zicntr_zihpm")
    assert "sstc" not in vmm.vcpus[0].ctx.isa
    r = vmm.run(max_insns=20_000_000)
    assert (r.reason, r.exit_code) == ("shutdown", 0), bytes(vmm.output).decode(errors="replace")
    assert b"all checks passed" in vmm.output


@pytest.mark.parametrize("vcpus,strategy", [(1, "direct"), (2, "direct"), (2, "nacl_sync_csr"),
                                            (2, "nacl_autoswap")])
def test_kvm_ctx_guest_fp_state_per_vcpu(vcpus, strategy):
    """kvm_ctx on a host without V: f registers and fflags (and the FS Dirty state the
    guest sees) survive exits and the switches between two vCPUs time-sharing the hart."""
    vmm = Vmm(KVM_CTX, vcpus=vcpus, strategy=strategy, host_isa=SCALAR_HOST)
    r = vmm.run(max_insns=50_000_000)
    out = bytes(vmm.output)
    assert (r.reason, r.exit_code) == ("shutdown", 0), out.decode(errors="replace")
    assert b"ctx: V in the device tree: no, usable: no" in out
    assert b"ctx: one vCPU: state kept across SBI calls, console exits and WFI" in out
    assert b"kvm_ctx: all checks passed" in out
    if vcpus == 2:
        assert b"ctx: two vCPUs: each kept its state over 4 rounds" in out
        st = vmm.stats()["vcpus"]
        assert st[0]["exits"]["KVM_EXIT_INTR"] >= 4 and st[1]["exits"]["KVM_EXIT_INTR"] >= 4


@pytest.mark.parametrize("policy", ["eager", "lazy"])
@pytest.mark.parametrize("vcpus", [1, 2])
def test_kvm_ctx_guest_vector_state_per_vcpu(vcpus, policy):
    vmm = Vmm(KVM_CTX, vcpus=vcpus, simd_policy=policy)
    assert "v" in vmm.vcpus[0].ctx.isa
    r = vmm.run(max_insns=50_000_000)
    out = bytes(vmm.output)
    assert (r.reason, r.exit_code) == ("shutdown", 0), out.decode(errors="replace")
    assert b"ctx: V in the device tree: yes, usable: yes" in out


@pytest.mark.parametrize("vlen", [128, 512])
def test_kvm_ctx_vector_code_under_the_firmware_sbi(vlen):
    """The guest's own vector checks, validated where V already works: S-mode under
    rvemu's firmware SBI (one hart, no KVM)."""
    m = Machine(isa="rv64gcv", vlen=vlen, ram="64M", sbi=True)
    m.load_elf(KVM_CTX)
    r = m.run(max_insns=20_000_000)
    assert (r.reason, r.exit_code) == ("halt", 0), bytes(m.output)
    assert f"usable: yes (vlenb {vlen // 8})".encode() in m.output
    assert b"kvm_ctx: all checks passed" in m.output
