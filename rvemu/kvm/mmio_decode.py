"""Decoding the load or store behind a guest-page fault, for MMIO emulation (Linux's
kvm_riscv_vcpu_mmio_load/store): which register, how wide, signed or not, and how long
the instruction is. Only the forms Linux handles are accepted; anything else is None
(KVM answers -EOPNOTSUPP)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class MmioInsn:
    is_write: bool
    size: int          # bytes
    signed: bool       # loads: sign-extend into the register
    reg: int           # loads: rd; stores: the source register
    length: int        # instruction length in bytes (2 or 4)


_LOADS = {0: (1, True), 1: (2, True), 2: (4, True), 3: (8, True),
          4: (1, False), 5: (2, False), 6: (4, False)}
_STORES = {0: 1, 1: 2, 2: 4, 3: 8}


def decode_mmio(insn):
    """insn: the trapping instruction (a 16-bit parcel or a 32-bit word)."""
    if insn & 3 == 3:
        opcode, f3 = insn & 0x7f, (insn >> 12) & 7
        if opcode == 0x03 and f3 in _LOADS:
            size, signed = _LOADS[f3]
            return MmioInsn(False, size, signed, (insn >> 7) & 31, 4)
        if opcode == 0x23 and f3 in _STORES:
            return MmioInsn(True, _STORES[f3], False, (insn >> 20) & 31, 4)
        return None
    insn &= 0xffff
    op, f3 = insn & 3, insn >> 13
    rd_p = 8 + ((insn >> 2) & 7)          # rd' / rs2' of the CL/CS formats
    rd = (insn >> 7) & 31
    rs2 = (insn >> 2) & 31
    if op == 0:
        if f3 == 2:
            return MmioInsn(False, 4, True, rd_p, 2)      # c.lw
        if f3 == 3:
            return MmioInsn(False, 8, True, rd_p, 2)      # c.ld
        if f3 == 6:
            return MmioInsn(True, 4, False, rd_p, 2)      # c.sw
        if f3 == 7:
            return MmioInsn(True, 8, False, rd_p, 2)      # c.sd
    elif op == 2:
        if f3 == 2 and rd:
            return MmioInsn(False, 4, True, rd, 2)        # c.lwsp
        if f3 == 3 and rd:
            return MmioInsn(False, 8, True, rd, 2)        # c.ldsp
        if f3 == 6:
            return MmioInsn(True, 4, False, rs2, 2)       # c.swsp
        if f3 == 7:
            return MmioInsn(True, 8, False, rs2, 2)       # c.sdsp
    return None
