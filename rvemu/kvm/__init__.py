"""A KVM-like hypervisor layer with Linux's RISC-V KVM userspace ABI."""
