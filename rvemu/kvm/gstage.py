"""G-stage page tables for a VM: guest physical -> host physical, built by the hypervisor
(the Python KVM) in host RAM, as Linux's kvm_riscv_gstage_map does.

Sv39x4, Sv48x4 or Sv57x4 (privileged spec, "Two-Stage Address Translation"): the root table is
16 KiB (2048 entries) and 16 KiB aligned; every leaf has U=1, since all G-stage accesses
are checked as U-mode accesses; A and D are preset so no A/D fault ever reaches KVM.
Tables come from a pool of host RAM the VM reserves for them.
"""
import numpy as np

from rvemu.errors import RvemuError

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D = 1, 2, 4, 8, 16, 64, 128
PAGE = 4096
MODES = {"sv39x4": (8, 3), "sv48x4": (9, 4), "sv57x4": (10, 5)}   # hgatp MODE, levels


class GStageError(RvemuError):
    """The G-stage table pool is exhausted, or a mapping request is malformed."""


class GStage:
    """G-stage tables in the RAM of machine (a rvemu.Machine): pool_base..+pool_size is
    the memory the tables may use; vmid goes into hgatp."""

    def __init__(self, machine, pool_base, pool_size, mode="sv39x4", vmid=1):
        if mode not in MODES:
            raise GStageError(f"unknown G-stage mode {mode!r}; use one of {sorted(MODES)}")
        if pool_base % 0x4000 or pool_size < 0x5000:
            raise GStageError("the table pool must be 16 KiB aligned and at least 20 KiB")
        if not 0 <= vmid < (1 << 14):
            raise GStageError("VMID must fit in 14 bits")
        self.m = machine
        self.mode, self.levels = MODES[mode]
        self.vmid = vmid
        self.gpa_bits = 12 + 9 * self.levels + 2
        self.root = pool_base
        self._next = pool_base + 0x4000
        self._end = pool_base + pool_size
        self._zero(self.root, 0x4000)
        self.mapped_pages = 0

    @property
    def hgatp(self):
        return (self.mode << 60) | (self.vmid << 44) | (self.root >> 12)

    # ---- table memory ------------------------------------------------------------------
    def _words(self, pa, n):
        off = pa - self.m.ram_base
        return self.m.ram[off:off + 8 * n].view(np.uint64)

    def _zero(self, pa, size):
        off = pa - self.m.ram_base
        self.m.ram[off:off + size] = 0

    def _new_table(self):
        if self._next + PAGE > self._end:
            raise GStageError("G-stage table pool exhausted; give the VM a larger pool")
        pa = self._next
        self._next += PAGE
        self._zero(pa, PAGE)
        return pa

    def _leaf_slot(self, gpa, create):
        """(table words, index) of gpa's level-0 PTE; None if absent and not create."""
        table = self.root
        for level in range(self.levels - 1, 0, -1):
            top = level == self.levels - 1
            idx = (gpa >> (12 + 9 * level)) & (0x7ff if top else 0x1ff)
            words = self._words(table, 2048 if top else 512)
            pte = int(words[idx])
            if not pte & PTE_V:
                if not create:
                    return None
                nxt = self._new_table()
                words[idx] = ((nxt >> 12) << 10) | PTE_V
                pte = int(words[idx])
            elif pte & (PTE_R | PTE_X):
                raise GStageError(f"GPA {gpa:#x} lies in a superpage")
            table = (pte >> 10) << 12
        return self._words(table, 512), (gpa >> 12) & 0x1ff

    # ---- mapping -----------------------------------------------------------------------
    def map(self, gpa, hpa, size, *, writable=True, executable=True):
        """Map [gpa, gpa+size) to [hpa, hpa+size) in 4 KiB pages."""
        if gpa % PAGE or hpa % PAGE or size % PAGE or size <= 0:
            raise GStageError("G-stage mappings must be whole, aligned 4 KiB pages")
        if (gpa + size) >> self.gpa_bits:
            raise GStageError(f"GPA range ends above the {self.gpa_bits}-bit guest space")
        if hpa < self.m.ram_base or hpa + size > self.m.ram_base + self.m.ram_size:
            raise GStageError("host physical range is not in the machine's RAM")
        flags = PTE_V | PTE_R | PTE_U | PTE_A | PTE_D
        flags |= (PTE_W if writable else 0) | (PTE_X if executable else 0)
        for off in range(0, size, PAGE):
            words, idx = self._leaf_slot(gpa + off, True)
            if not int(words[idx]) & PTE_V:
                self.mapped_pages += 1
            words[idx] = (((hpa + off) >> 12) << 10) | flags

    def unmap(self, gpa, size):
        for off in range(0, size, PAGE):
            slot = self._leaf_slot(gpa + off, False)
            if slot is not None and int(slot[0][slot[1]]) & PTE_V:
                slot[0][slot[1]] = 0
                self.mapped_pages -= 1

    def lookup(self, gpa):
        """The host physical address gpa maps to, or None."""
        slot = self._leaf_slot(gpa, False)
        if slot is None:
            return None
        pte = int(slot[0][slot[1]])
        if not pte & PTE_V:
            return None
        return ((pte >> 10) << 12) | (gpa & 0xfff)
