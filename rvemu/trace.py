"""Commit traces in Spike's ``--log-commits`` format, one line per retired instruction:

    core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000
    core   0: 3 0x0000000080000008 (0x0062a023) mem 0x0000000080001000 0x00000006

(privilege, pc, instruction bits, then register writes and memory accesses). Tracing
steps the hart one instruction at a time with data TLBs off so every access is logged;
it is a debugging mode, not the fast path.
"""
import sys

import numpy as np

from rvemu.isa import codegen, encodings
from rvemu.machine.machine import RunResult

_BUDGET = 1


class Tracer:
    def __init__(self, machine, path):
        self.m = machine
        self.path = path
        self.fh = None
        ops = {encodings.handler_name(m): operands for m, _, operands, _ in encodings.ALL}
        names = codegen.op_list()
        # per op index: does it write an x register, an f register?
        self.writes_x = [ops.get(n, "").startswith("xd") or n in ("li", "mv") for n in names]
        self.writes_f = [ops.get(n, "").startswith("fd") for n in names]
        # vector arithmetic and loads decode to one generic op each, some of which write an
        # x or f register (vmv.x.s, vcpop.m, vfirst.m, vfmv.f.s): found by difference
        self.by_diff = [n in ("vop", "vload") for n in names]

    def __enter__(self):
        self.fh = sys.stderr if self.path == "-" else open(self.path, "w")
        self.m.hart.step_log = True
        return self

    def __exit__(self, *exc):
        self.m.hart.step_log = False
        if self.fh is not sys.stderr:
            self.fh.close()

    def _insn_bits(self, pc):
        """The instruction at a physical pc, or None if it cannot be read."""
        try:
            lo = int.from_bytes(self.m.mem_read(pc, 2), "little")
            if lo & 3 == 3:
                return int.from_bytes(self.m.mem_read(pc, 4), "little")
            return lo
        except Exception:
            return None

    def run(self, max_insns=None):
        import time
        m, h, fh = self.m, self.m.hart, self.fh
        t0 = time.perf_counter()
        start = h.instret
        steps = 0
        result = None
        while result is None:
            if max_insns is not None and steps >= max_insns:
                result = ("budget", None)
                break
            pc, priv = h.pc, h.priv
            raw = self._insn_bits(pc) if h.satp_bare_or_m else None
            xs = np.array(h.x[:32])
            fs = np.array(h.f)
            before = h.instret
            reason = h.run(1)
            steps += 1
            retired = h.instret != before
            if retired:
                if raw is None:
                    parts = [f"core   0: {priv} 0x{pc:016x} (0x????????)"]
                    xd = [i for i in np.nonzero(h.x[:32] != xs)[0] if i]
                    fd = list(np.nonzero(h.f != fs)[0])
                else:
                    width = 8 if raw & 3 == 3 else 4
                    parts = [f"core   0: {priv} 0x{pc:016x} (0x{raw:0{width}x})"]
                    op, rd = h.decode(raw)[:2]
                    xd = [rd] if self.writes_x[op] and rd != 32 else []
                    fd = [rd] if self.writes_f[op] else []
                    if self.by_diff[op]:
                        xd = [i for i in np.nonzero(h.x[:32] != xs)[0] if i]
                        fd = list(np.nonzero(h.f != fs)[0])
                for i in xd:
                    parts.append(f"x{i:<2d} 0x{int(h.x[i]):016x}")
                for i in fd:
                    parts.append(f"f{i:<2d} 0x{int(h.f[i]):016x}")
                acc = h.last_mem_access()
                if acc:
                    addr, size, is_store, data = acc
                    if is_store:
                        parts.append(f"mem 0x{addr:016x} 0x{data & ((1 << (8 * size)) - 1):0{2 * size}x}")
                    else:
                        parts.append(f"mem 0x{addr:016x}")
                fh.write(" ".join(parts) + "\n")
            else:
                h.last_mem_access()
            if reason != _BUDGET:
                result = m._after_exit(reason)
        return RunResult(result[0], result[1], h.instret - start, time.perf_counter() - t0)
