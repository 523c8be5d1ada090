"""VCpu.run(): a VS-mode guest entered through the world switch, with its traps handled as
Linux's vcpu_exit does: forwarded SBI calls and MMIO come back as exits, in-kernel SBI
and delegated exceptions do not, SRST ends in a SYSTEM_EVENT."""
import struct

import pytest

from rvemu.kvm import Kvm, core_reg, csr_reg, sbi_ext_reg
from rvemu.kvm import exits
from rvemu.kvm.errors import KvmError
from helpers import asm, enc, li

GUEST = 0x8000_0000
UART = 0x1000_0000               # no memory slot there: MMIO
DBCN, BASE, SRST = 0x4442434E, 0x10, 0x53525354


def guest_code():
    code = []
    code += li("t1", GUEST + 0x200) + [enc("csrrw", "x0", 0x105, "t1")]   # stvec (vstvec)
    code += [enc("addi", "a0", "x0", ord("H")), enc("addi", "s1", "x0", ord("H"))]
    code += li("a7", DBCN) + [
        enc("addi", "a6", "x0", 2), 0x00000073]                            # forwarded
    code += [enc("lui", "t0", UART >> 12),
             enc("sb", "s1", "t0", 0),                                      # MMIO store
             enc("lb", "a1", "t0", 5)]                                      # MMIO load
    code += li("a7", BASE) + [enc("addi", "a6", "x0", 0), 0x00000073,       # in-kernel
                              enc("addi", "s2", "a1", 0)]                   # spec version
    code += [0x00000000]                                                    # illegal -> VS
    handler = [enc("csrrs", "s3", 0x142, "x0")] + li("a7", SRST) + [        # scause
        enc("addi", "a6", "x0", 0), enc("addi", "a0", "x0", 0),
        enc("addi", "a1", "x0", 0), 0x00000073]                             # shutdown
    return asm(*code), asm(*handler)


def make_vcpu(alloc=True):
    kvm = Kvm("rv64gch")
    vm = kvm.create_vm()
    mem = vm.alloc_memory(0x10000) if alloc else bytearray(0x10000)
    code, handler = guest_code()
    mem[0:len(code)] = memoryview(code) if alloc else code
    mem[0x200:0x200 + len(handler)] = memoryview(handler) if alloc else handler
    vm.set_user_memory_region(0, 0, GUEST, 0x10000, mem)
    vcpu = vm.create_vcpu(0)
    vcpu.set_one_reg(core_reg("pc"), GUEST)
    vcpu.set_one_reg(sbi_ext_reg("DBCN"), 1)    # off by default, as in Linux
    return vcpu, mem


@pytest.mark.parametrize("alloc", [True, False], ids=["shared", "copied"])
def test_guest_exits_as_linux_gives_them(alloc):
    vcpu, mem = make_vcpu(alloc)
    ex = vcpu.run()
    assert ex.reason == exits.KVM_EXIT_RISCV_SBI
    assert (ex.extension_id, ex.function_id, ex.args[0]) == (DBCN, 2, ord("H"))
    ex.ret = [0, 0]
    ex = vcpu.run()
    assert ex.reason == exits.KVM_EXIT_MMIO
    assert (ex.phys_addr, ex.len, ex.is_write, ex.value) == (UART, 1, True, ord("H"))
    ex = vcpu.run()
    assert (ex.reason, ex.phys_addr, ex.len, ex.is_write) == (exits.KVM_EXIT_MMIO, UART + 5,
                                                              1, False)
    ex.value = 0xe0                  # sign-extended by lb
    ex = vcpu.run()
    assert ex.reason == exits.KVM_EXIT_SYSTEM_EVENT
    assert ex.type == exits.KVM_SYSTEM_EVENT_SHUTDOWN
    x = vcpu.ctx.x
    assert int(x[18]) == 3 << 24     # s2: SBI spec version 3.0 from the in-kernel BASE
    assert int(x[19]) == 2           # s3: the guest's own handler saw the illegal insn
    assert vcpu.get_one_reg(csr_reg("scause")) == 2   # vscause, through ONE_REG
    assert vcpu.stat["mmio_exit_user"] == 2
    assert vcpu.stat["ecall_exit_stat"] >= 1


def test_mmio_load_value_reaches_the_register():
    vcpu, _ = make_vcpu()
    for _ in range(2):
        ex = vcpu.run()
        if ex.reason == exits.KVM_EXIT_RISCV_SBI:
            ex.ret = [0, 0]
    ex = vcpu.run()
    ex.value = 0xe0
    vcpu.run(max_insns=1)            # completes the load, then one instruction
    assert vcpu.get_one_reg(core_reg("regs.a1")) == (0xe0 - 0x100) & ((1 << 64) - 1)


def test_world_switch_counters_per_strategy():
    counts = {}
    for strategy in ("direct", "nacl_sync_csr", "nacl_autoswap"):
        vcpu, _ = make_vcpu()
        from rvemu.kvm.run import host_of
        host_of(vcpu.vm.kvm).set_strategy(strategy)
        while True:
            ex = vcpu.run()
            if ex.reason == exits.KVM_EXIT_SYSTEM_EVENT:
                break
            if ex.reason == exits.KVM_EXIT_RISCV_SBI:
                ex.ret = [0, 0]
        counts[strategy] = host_of(vcpu.vm.kvm).ws.counters()
        assert int(vcpu.ctx.x[19]) == 2
    assert counts["direct"]["sbi_calls"] == 0
    assert counts["nacl_sync_csr"]["sbi_calls"] == counts["nacl_sync_csr"]["entries"]
    assert counts["nacl_autoswap"]["h_csr_accesses"] == 0
    assert counts["direct"]["h_csr_accesses"] > counts["nacl_sync_csr"]["h_csr_accesses"]


def test_budget_gives_intr_exit_and_resumes():
    vcpu, _ = make_vcpu()
    ex = vcpu.run(max_insns=3)
    assert ex.reason == exits.KVM_EXIT_INTR
    ex = vcpu.run()
    assert ex.reason == exits.KVM_EXIT_RISCV_SBI


def test_writes_after_first_run_are_refused():
    vcpu, _ = make_vcpu()
    vcpu.run(max_insns=1)
    from rvemu.kvm import isa_ext_reg
    with pytest.raises(KvmError) as e:
        vcpu.set_one_reg(isa_ext_reg(2), 0)     # ISA_EXT C after the first run
    assert e.value.errno in (16,)               # EBUSY


@pytest.mark.parametrize("policy", ["linux", "configurable"])
def test_a_disabled_extension_traps_in_the_guest(policy):
    """D and F disabled through ONE_REG: the guest's FP instruction is illegal (its own
    handler sees cause 2), though the hart has them."""
    from rvemu.kvm import isa_ext_reg
    kvm = Kvm("rv64gch")
    vm = kvm.create_vm()
    vm.set_isa_policy(policy)
    mem = vm.alloc_memory(0x10000)
    code = li("t1", GUEST + 0x200) + [enc("csrrw", "x0", 0x105, "t1")]   # stvec
    code += li("t0", 1 << 13) + [enc("csrrs", "x0", 0x100, "t0")]       # sstatus.FS
    shutdown = li("a7", SRST) + [enc("addi", "a6", "x0", 0), enc("addi", "a0", "x0", 0),
                                 enc("addi", "a1", "x0", 0), 0x00000073]
    code += [enc("fadd.d", 1, 2, 3), enc("addi", "s3", "x0", 99)] + shutdown   # 99: it ran
    handler = [enc("csrrs", "s3", 0x142, "x0")] + shutdown
    mem[0:len(asm(*code))] = memoryview(asm(*code))
    mem[0x200:0x200 + len(asm(*handler))] = memoryview(asm(*handler))
    vm.set_user_memory_region(0, 0, GUEST, 0x10000, mem)
    v = vm.create_vcpu(0)
    v.set_one_reg(core_reg("pc"), GUEST)
    ref = vm.create_vcpu(1)                       # the same code with F and D on
    ref.set_one_reg(core_reg("pc"), GUEST)
    ref.set_mp_state(0)
    assert ref.run().reason == exits.KVM_EXIT_SYSTEM_EVENT and int(ref.ctx.x[19]) == 99
    for ext in ("D", "F"):
        v.set_one_reg(isa_ext_reg(ext), 0)
    assert not v.has("f") and not v.has("d")
    v.set_mp_state(0)
    ex = v.run()
    assert ex.reason == exits.KVM_EXIT_SYSTEM_EVENT
    assert int(v.ctx.x[19]) == 2                  # s3 = scause: illegal instruction


def test_an_odd_pc_from_one_reg_enters_the_guest_even():
    # KVM loads the pc into sepc with a CSR write, and sepc[0] is always 0 (priv 4.1.7):
    # the guest starts at the even address (an odd pc used to fetch half an instruction)
    vcpu, _ = make_vcpu()
    vcpu.set_one_reg(core_reg("pc"), GUEST + 1)
    ex = vcpu.run(max_insns=1)
    assert ex.reason == exits.KVM_EXIT_INTR
    assert vcpu.get_one_reg(core_reg("pc")) == GUEST + 4   # ran the first instruction


def test_a_guest_that_only_traps_stops_at_its_budget():
    # the guest's trap handler is the faulting load itself: every exception KVM redirects
    # lands on it again. Redirected exceptions count against the budget (as traps do in
    # run_loop), so the run stops instead of spinning in KVM for ever
    kvm = Kvm("rv64gch")
    vm = kvm.create_vm()
    mem = vm.alloc_memory(0x10000)
    code = asm(*(li("t1", GUEST + 0x100) + [enc("csrrw", "x0", 0x105, "t1")]))
    mem[0:len(code)] = memoryview(code)
    mem[0x100:0x104] = memoryview(asm(enc("ld", "a0", "x0", 1)))   # misaligned, at 1
    vm.set_user_memory_region(0, 0, GUEST, 0x10000, mem)
    vcpu = vm.create_vcpu(0)
    vcpu.set_one_reg(core_reg("pc"), GUEST)
    ex = vcpu.run(max_insns=5000)
    assert ex.reason == exits.KVM_EXIT_INTR
    assert vcpu.trap_redirects > 4000
    assert vcpu.get_one_reg(core_reg("pc")) == GUEST + 0x100
    assert vcpu.get_one_reg(csr_reg("scause")) in (4, 5)     # misaligned or access fault
