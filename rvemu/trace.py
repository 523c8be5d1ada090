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


def is_vector(raw):
    """OP-V, OP-VE (the ZV* element-group instructions), or a LOAD-FP/STORE-FP word with a
    vector width."""
    opc = raw & 0x7F
    return opc in (0x57, 0x77) or (opc in (0x07, 0x27) and (raw >> 12) & 7 in (0, 5, 6, 7))


_LMUL = {0: "m1", 1: "m2", 2: "m4", 3: "m8", 5: "mf8", 6: "mf4", 7: "mf2"}


def vector_writes(m, raw, xs, fs, vs):
    """Spike's commit-log items of a vector instruction: vset* log vstart, rd, vl and
    vtype; the others log the element width, LMUL and vl (``e32 m1 l4``), each vector
    register they changed (``v2  0x...``, the register as one hex number), any x/f
    register written, the vstart reset, and (loads/stores, added by the caller) every
    element access."""
    h = m.hart
    out = []
    vstart = f"c8_vstart 0x{m.reg_read('vstart'):016x}"
    if raw & 0x7F == 0x57 and (raw >> 12) & 7 == 7:
        out.append(vstart)
        rd = (raw >> 7) & 31
        if rd:
            out.append(f"x{rd:<2d} 0x{int(h.x[rd]):016x}")
        out.append(f"c3104_vl 0x{m.reg_read('vl'):016x}")
        out.append(f"c3105_vtype 0x{m.reg_read('vtype'):016x}")
        return out
    vt = m.reg_read("vtype")
    prefix = "" if vt >> 63 else f"e{8 << ((vt >> 3) & 7)} {_LMUL.get(vt & 7, '?')} l{m.reg_read('vl')} "
    changed = [i for i in range(32) if (h.v[i] != vs[i]).any()]
    if raw & 0x7F == 0x77 and prefix:
        # OP-VE (ZV* element groups): Spike logs each register of vd that holds an element
        # of 0..vl-1, whether its value changed or not
        vd, sewb = (raw >> 7) & 31, 1 << ((vt >> 3) & 7)
        n = -(-m.reg_read("vl") * sewb // h.vlenb)
        changed = sorted(set(changed) | set(range(vd, min(vd + n, 32))))
    if prefix:
        out.append(prefix.strip())
    for i in changed:
        out.append(f"v{i:<2d} 0x{bytes(h.v[i])[::-1].hex()}")
    for i in [i for i in np.nonzero(h.x[:32] != xs)[0] if i]:
        out.append(f"x{i:<2d} 0x{int(h.x[i]):016x}")
    for i in np.nonzero(h.f != fs)[0]:
        out.append(f"f{i:<2d} 0x{int(h.f[i]):016x}")
    out.append(vstart)
    return out


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

    def __enter__(self):
        self.fh = sys.stderr if self.path == "-" else open(self.path, "w")
        self.m.hart.step_log = True
        return self

    def __exit__(self, *exc):
        self.m.hart.step_log = False
        if self.fh is not sys.stderr:
            self.fh.close()

    def _insn_bits_virt(self, pc):
        """The instruction at a virtual pc, read through the current translation (as a
        load would see it), or None if it cannot be read that way (an execute-only page)."""
        h = self.m.hart
        pa = h.translate(pc)
        if pa is None:
            return None
        lo = self._insn_bits(pa)
        if lo is None or lo & 3 != 3:
            return lo
        if (pc & 0xFFF) <= 0xFFC:
            return lo
        hi_pa = h.translate((pc + 2) & ((1 << 64) - 1))       # the word crosses a page
        hi = self._insn_bits(hi_pa) if hi_pa is not None else None
        if hi is None:
            return None
        return (lo & 0xFFFF) | (hi & 0xFFFF) << 16

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
            raw = self._insn_bits(pc) if h.satp_bare_or_m else self._insn_bits_virt(pc)
            xs = np.array(h.x[:32])
            fs = np.array(h.f)
            vs = None if h.v is None else np.array(h.v)
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
                    if vs is not None and is_vector(raw):
                        parts += vector_writes(m, raw, xs, fs, vs)
                        xd = fd = []
                        if raw & 0x7F not in (0x57, 0x77):   # every element access, as Spike
                            for addr, size, is_store, data in h.vector_mem_log():
                                parts.append(f"mem 0x{addr:016x} 0x{data & ((1 << (8 * size)) - 1):0{2 * size}x}"
                                             if is_store else f"mem 0x{addr:016x}")
                            h.last_mem_access()
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
