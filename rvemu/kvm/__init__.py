"""A KVM-like hypervisor layer with Linux's RISC-V KVM userspace ABI (see docs/kvm.md).

    kvm = Kvm()                          # the host: the hart's ISA
    vm = kvm.create_vm()
    vm.set_user_memory_region(0, 0, 0x8000_0000, len(ram), ram)
    vcpu = vm.create_vcpu(0)
    vcpu.set_one_reg(core_reg("pc"), 0x8000_0000)
"""
from rvemu.kvm.context import VcpuContext
from rvemu.kvm.errors import KvmError
from rvemu.kvm.kvm import Kvm
from rvemu.kvm.uapi import (config_reg, core_reg, csr_reg, fp_d_reg, fp_f_reg, isa_ext_reg,
                            reg_name, sbi_ext_reg, timer_reg, vector_reg)
from rvemu.kvm.vcpu import VCpu
from rvemu.kvm.vm import Vm

__all__ = ["Kvm", "Vm", "VCpu", "VcpuContext", "KvmError", "config_reg", "core_reg", "csr_reg",
           "fp_d_reg", "fp_f_reg", "isa_ext_reg", "reg_name", "sbi_ext_reg", "timer_reg",
           "vector_reg"]
