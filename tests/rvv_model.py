"""A reference model of RVV 1.0 semantics, written from the unpriv spec ("V" Standard
Extension for Vector Operations) for the per-instruction tests. It knows nothing of rvemu.

State: 32 registers of VLEN bits as a NumPy uint8 array, vtype fields, vl, vstart, vxrm,
vxsat, the agnostic policy (undisturbed, or all ones as the hart option allows) and a
flat memory. Elements are Python ints (exact, no overflow surprises); the register file
is read and written through little-endian element views.

Covered: integer and fixed-point arithmetic (single-width, widening, narrowing), compares,
carry ops, merges and moves, integer reductions, mask instructions, permutations
(slides, gathers, compress, scalar moves, whole-register moves), sign/zero extension, and
the load/store families (unit-stride, strided, indexed, segment, whole-register, mask).
"""
import numpy as np


class Illegal(Exception):
    """The instruction is reserved/illegal in this state."""


def sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


class VState:
    def __init__(self, vlen, ones=False, elen=64):
        self.vlen, self.vlenb, self.elen = vlen, vlen // 8, elen
        self.v = np.zeros((32, self.vlenb), dtype=np.uint8)
        self.ones = ones
        self.vl = self.vstart = self.vxrm = self.vxsat = 0
        self.sew, self.lmul, self.vta, self.vma = 8, 1, 0, 0
        self.x = [0] * 32

    # ---- configuration ---------------------------------------------------------------
    def set_vtype(self, sew, lmul, ta, ma, avl):
        self.sew, self.lmul, self.vta, self.vma = sew, lmul, ta, ma
        self.vl = min(avl, self.vlmax)
        self.vstart = 0

    @property
    def vlmax(self):
        return int(self.lmul * self.vlen // self.sew)

    # ---- element access --------------------------------------------------------------
    def _flat(self):
        return self.v.reshape(-1)

    def get(self, reg, i, eew):
        b = eew // 8
        off = reg * self.vlenb + i * b
        return int.from_bytes(self._flat()[off:off + b].tobytes(), "little")

    def put(self, reg, i, eew, value):
        b = eew // 8
        off = reg * self.vlenb + i * b
        self._flat()[off:off + b] = np.frombuffer((value & ((1 << eew) - 1)).to_bytes(b, "little"),
                                                  dtype=np.uint8)

    def bit(self, reg, i):
        return (int(self.v[reg, i // 8]) >> (i % 8)) & 1

    def setbit(self, reg, i, b):
        byte = int(self.v[reg, i // 8])
        self.v[reg, i // 8] = (byte & ~(1 << (i % 8))) | ((b & 1) << (i % 8))

    def active(self, vm, i):
        return vm or self.bit(0, i)

    # ---- policy helpers --------------------------------------------------------------
    def tail_end(self, eew):
        return max(self.vlmax, self.vlen // eew)

    def finish_tail(self, vd, eew, start=None):
        if self.ones and self.vta:
            for i in range(self.vl if start is None else start, self.tail_end(eew)):
                self.put(vd, i, eew, -1)

    def mask_tail(self, vd):
        if self.ones:  # mask destinations are always tail-agnostic
            for i in range(self.vl, self.vlen):
                self.setbit(vd, i, 1)


# ---- register-group checks (the spec's "reserved" cases, illegal as on Spike) ---------

def _emul_regs(emul):
    return max(1, int(emul))


def check_group(reg, emul):
    if emul > 8 or emul < 1 / 8:
        raise Illegal("EMUL out of range")
    if emul > 1 and reg % int(emul):
        raise Illegal("misaligned register group")


def overlaps(a, na, b, nb):
    return a < b + nb and b < a + na


def overlap_ok(d, demul, deew, s, semul, seew):
    nd, ns = _emul_regs(demul), _emul_regs(semul)
    if not overlaps(d, nd, s, ns) or deew == seew:
        return True
    if deew < seew:
        return d == s
    return semul >= 1 and s + ns == d + nd


# ---- integer operations -------------------------------------------------------------

def _round(v, d, vxrm):
    """The rounding increment for v >> d (unpriv "Vector Fixed-Point Rounding Mode")."""
    if d == 0:
        return 0
    bit = lambda k: (v >> k) & 1
    low = v & ((1 << (d - 1)) - 1) if d > 1 else 0
    if vxrm == 0:
        return bit(d - 1)
    if vxrm == 1:
        return bit(d - 1) & (1 if (low != 0 or bit(d)) else 0)
    if vxrm == 2:
        return 0
    return (1 - bit(d)) & (1 if v & ((1 << d) - 1) else 0)


def _sat(v, bits, signed, st):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if v < lo or v > hi:
        st.vxsat = 1
        return lo if v < lo else hi
    return v


def _tdiv(a, b):
    """Division rounding toward zero (exact, Python ints)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def single_op(name, a, b, d, sew, st):
    """vd[i] for single-width integer ops: a = vs2[i], b = vs1[i]/scalar, d = old vd[i]
    (all unsigned SEW-bit values)."""
    s = lambda v: sx(v, sew)
    m = (1 << sew) - 1
    sh = b & (sew - 1)
    ops = {
        "vadd": lambda: a + b, "vsub": lambda: a - b, "vrsub": lambda: b - a,
        "vminu": lambda: min(a, b), "vmin": lambda: a if s(a) < s(b) else b,
        "vmaxu": lambda: max(a, b), "vmax": lambda: a if s(a) > s(b) else b,
        "vand": lambda: a & b, "vor": lambda: a | b, "vxor": lambda: a ^ b,
        "vsll": lambda: a << sh, "vsrl": lambda: a >> sh, "vsra": lambda: s(a) >> sh,
        "vmul": lambda: a * b, "vmulh": lambda: (s(a) * s(b)) >> sew,
        "vmulhu": lambda: (a * b) >> sew, "vmulhsu": lambda: (s(a) * b) >> sew,
        "vdivu": lambda: m if b == 0 else a // b,
        "vremu": lambda: a if b == 0 else a % b,
        "vdiv": lambda: -1 if b == 0 else (s(a) if (s(a) == -(1 << (sew - 1)) and s(b) == -1)
                                          else _tdiv(s(a), s(b))),
        "vrem": lambda: a if b == 0 else (0 if (s(a) == -(1 << (sew - 1)) and s(b) == -1)
                                          else s(a) - s(b) * _tdiv(s(a), s(b))),
        "vmacc": lambda: b * a + d, "vnmsac": lambda: d - b * a,
        "vmadd": lambda: b * d + a, "vnmsub": lambda: a - b * d,
        "vsaddu": lambda: _sat(a + b, sew, False, st), "vsadd": lambda: _sat(s(a) + s(b), sew, True, st),
        "vssubu": lambda: _sat(a - b, sew, False, st), "vssub": lambda: _sat(s(a) - s(b), sew, True, st),
        "vaaddu": lambda: ((a + b) >> 1) + _round(a + b, 1, st.vxrm),
        "vaadd": lambda: ((s(a) + s(b)) >> 1) + _round(s(a) + s(b), 1, st.vxrm),
        "vasubu": lambda: ((a - b) >> 1) + _round(a - b, 1, st.vxrm),
        "vasub": lambda: ((s(a) - s(b)) >> 1) + _round(s(a) - s(b), 1, st.vxrm),
        "vsmul": lambda: _sat((s(a) * s(b) >> (sew - 1)) + _round(s(a) * s(b), sew - 1, st.vxrm),
                              sew, True, st),
        "vssrl": lambda: (a >> sh) + _round(a, sh, st.vxrm),
        "vssra": lambda: (s(a) >> sh) + _round(s(a), sh, st.vxrm),
    }
    return ops[name]() & m


COMPARES = {
    "vmseq": lambda a, b, s: a == b, "vmsne": lambda a, b, s: a != b,
    "vmsltu": lambda a, b, s: a < b, "vmslt": lambda a, b, s: s(a) < s(b),
    "vmsleu": lambda a, b, s: a <= b, "vmsle": lambda a, b, s: s(a) <= s(b),
    "vmsgtu": lambda a, b, s: a > b, "vmsgt": lambda a, b, s: s(a) > s(b),
}

SINGLE = {"vadd", "vsub", "vrsub", "vminu", "vmin", "vmaxu", "vmax", "vand", "vor", "vxor",
          "vsll", "vsrl", "vsra", "vmul", "vmulh", "vmulhu", "vmulhsu", "vdivu", "vdiv",
          "vremu", "vrem", "vmacc", "vnmsac", "vmadd", "vnmsub", "vsaddu", "vsadd", "vssubu",
          "vssub", "vaaddu", "vaadd", "vasubu", "vasub", "vsmul", "vssrl", "vssra"}
UIMM = {"vsll", "vsrl", "vsra", "vssrl", "vssra", "vnsrl", "vnsra", "vnclipu", "vnclip",
        "vslideup", "vslidedown", "vrgather"}
WIDEN = {"vwaddu", "vwadd", "vwsubu", "vwsub", "vwmulu", "vwmulsu", "vwmul", "vwmaccu",
         "vwmacc", "vwmaccus", "vwmaccsu"}
NARROW = {"vnsrl", "vnsra", "vnclipu", "vnclip"}
REDUCE = {"vredsum", "vredand", "vredor", "vredxor", "vredminu", "vredmin", "vredmaxu",
          "vredmax", "vwredsumu", "vwredsum"}
MASK_LOGIC = {"vmand": lambda a, b: a & b, "vmnand": lambda a, b: 1 - (a & b),
              "vmandn": lambda a, b: a & (1 - b), "vmxor": lambda a, b: a ^ b,
              "vmor": lambda a, b: a | b, "vmnor": lambda a, b: 1 - (a | b),
              "vmorn": lambda a, b: a | (1 - b), "vmxnor": lambda a, b: 1 - (a ^ b)}


def operand_b(st, form, vs1, i, sew, scalar):
    if form in ("vv", "wv", "vs", "mm"):
        return st.get(vs1, i, sew)
    return scalar & ((1 << sew) - 1)


def execute(st, mnemonic, vd, vs2, vs1, vm, scalar=0):
    """Run one OP-V instruction on the model. scalar = x[rs1] for .vx forms; for .vi the
    5-bit immediate is vs1 (sign-extended unless the op takes an unsigned one).
    Returns the value written to an x register, if any. Raises Illegal."""
    base, _, form = mnemonic.partition(".")
    form = form.split(".")[-1]
    sew, lmul = st.sew, st.lmul
    vl, vlmax = st.vl, st.vlmax
    if st.vstart:
        raise Illegal("vstart != 0 on arithmetic (as Spike)")
    if form in ("vi", "wi", "vim"):
        scalar = vs1 if base in UIMM else sx(vs1, 5)
    ma1 = st.ones and st.vma

    def masked_off(i, dst_eew, mask=False):
        if ma1:
            st.setbit(vd, i, 1) if mask else st.put(vd, i, dst_eew, -1)

    if base in SINGLE:
        if base in ("vmulh", "vmulhu", "vmulhsu", "vsmul") and sew == 64 and st.elen < 64:
            raise Illegal()
        for r in (vd, vs2) + ((vs1,) if form == "vv" else ()):
            check_group(r, lmul)
        if not vm and vd == 0:
            raise Illegal("vd overlaps v0")
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, sew)
                continue
            a, b, d = st.get(vs2, i, sew), operand_b(st, form, vs1, i, sew, scalar), st.get(vd, i, sew)
            st.put(vd, i, sew, single_op(base, a, b, d, sew, st))
        st.finish_tail(vd, sew)
        return None
    if base in COMPARES:
        check_group(vs2, lmul)
        if form == "vv":
            check_group(vs1, lmul)
            if not overlap_ok(vd, 1, 1, vs1, lmul, sew):
                raise Illegal()
        if not overlap_ok(vd, 1, 1, vs2, lmul, sew):
            raise Illegal()
        s = lambda v: sx(v, sew)
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, sew, mask=True)
                continue
            a, b = st.get(vs2, i, sew), operand_b(st, form, vs1, i, sew, scalar)
            st.setbit(vd, i, int(COMPARES[base](a, b, s)))
        st.mask_tail(vd)
        return None
    if base in WIDEN or (base in ("vwaddu", "vwadd", "vwsubu", "vwsub") and form.startswith("w")):
        w = 2 * sew
        if w > st.elen or lmul * 2 > 8:
            raise Illegal()
        wide_src = form.startswith("w")
        check_group(vd, 2 * lmul)
        check_group(vs2, 2 * lmul if wide_src else lmul)
        if form in ("vv", "wv"):
            check_group(vs1, lmul)
            if not overlap_ok(vd, 2 * lmul, w, vs1, lmul, sew):
                raise Illegal()
        if not wide_src and not overlap_ok(vd, 2 * lmul, w, vs2, lmul, sew):
            raise Illegal()
        if not vm and vd == 0:
            raise Illegal()
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, w)
                continue
            a = st.get(vs2, i, w if wide_src else sew)
            b = operand_b(st, "vv" if form in ("vv", "wv") else "vx", vs1, i, sew, scalar)
            sa = sx(a, w if wide_src else sew)
            sb = sx(b, sew)
            d = st.get(vd, i, w)
            r = {"vwaddu": a + b, "vwadd": sa + sb, "vwsubu": a - b, "vwsub": sa - sb,
                 "vwmulu": a * b, "vwmulsu": sa * b, "vwmul": sa * sb,
                 "vwmaccu": d + a * b, "vwmacc": d + sa * sb, "vwmaccus": d + b * sa,
                 "vwmaccsu": d + sb * a}[base]
            st.put(vd, i, w, r)
        st.finish_tail(vd, w)
        return None
    if base in NARROW:
        w = 2 * sew
        if w > st.elen or lmul * 2 > 8:
            raise Illegal()
        check_group(vd, lmul)
        check_group(vs2, 2 * lmul)
        if form == "wv":
            check_group(vs1, lmul)
        if not overlap_ok(vd, lmul, sew, vs2, 2 * lmul, w):
            raise Illegal()
        if not vm and vd == 0:
            raise Illegal()
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, sew)
                continue
            a = st.get(vs2, i, w)
            sh = operand_b(st, "vv" if form == "wv" else "vx", vs1, i, sew, scalar) & (w - 1)
            if base == "vnsrl":
                r = a >> sh
            elif base == "vnsra":
                r = sx(a, w) >> sh
            elif base == "vnclipu":
                r = _sat((a >> sh) + _round(a, sh, st.vxrm), sew, False, st)
            else:
                r = _sat((sx(a, w) >> sh) + _round(sx(a, w), sh, st.vxrm), sew, True, st)
            st.put(vd, i, sew, r)
        st.finish_tail(vd, sew)
        return None
    if base in REDUCE:
        wide = base.startswith("vw")
        w = 2 * sew if wide else sew
        if w > st.elen:
            raise Illegal()
        check_group(vs2, lmul)
        if vl == 0:
            return None
        acc = st.get(vs1, 0, w)
        for i in range(vl):
            if not st.active(vm, i):
                continue
            e = st.get(vs2, i, sew)
            s = lambda v: sx(v, sew)
            if base == "vwredsumu":
                acc = acc + e
            elif base == "vwredsum":
                acc = acc + sx(e, sew)
            else:
                acc = {"vredsum": lambda: acc + e, "vredand": lambda: acc & e,
                       "vredor": lambda: acc | e, "vredxor": lambda: acc ^ e,
                       "vredminu": lambda: min(acc, e), "vredmaxu": lambda: max(acc, e),
                       "vredmin": lambda: acc if s(acc) <= s(e) else e,
                       "vredmax": lambda: acc if s(acc) >= s(e) else e}[base]() & ((1 << sew) - 1)
        st.put(vd, 0, w, acc)
        if st.ones and st.vta:
            for i in range(1, st.vlen // w):
                st.put(vd, i, w, -1)
        return None
    if base in MASK_LOGIC:
        for i in range(vl):
            st.setbit(vd, i, MASK_LOGIC[base](st.bit(vs2, i), st.bit(vs1, i)))
        st.mask_tail(vd)
        return None
    if base == "vcpop":
        return sum(st.bit(vs2, i) for i in range(vl) if st.active(vm, i))
    if base == "vfirst":
        for i in range(vl):
            if st.active(vm, i) and st.bit(vs2, i):
                return i
        return (1 << 64) - 1
    if base in ("vmsbf", "vmsif", "vmsof"):
        if vd == vs2 or (not vm and vd == 0):
            raise Illegal()
        found = False
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, 1, mask=True)
                continue
            s = st.bit(vs2, i)
            r = {"vmsbf": not found and not s, "vmsif": not found, "vmsof": not found and s}[base]
            found = found or bool(s)
            st.setbit(vd, i, int(r))
        st.mask_tail(vd)
        return None
    if base in ("viota", "vid"):
        check_group(vd, lmul)
        if not vm and vd == 0:
            raise Illegal()
        if base == "viota" and overlaps(vd, _emul_regs(lmul), vs2, 1):
            raise Illegal()
        count = 0
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, sew)
                continue
            st.put(vd, i, sew, count if base == "viota" else i)
            if base == "viota":
                count += st.bit(vs2, i)
        st.finish_tail(vd, sew)
        return None
    if base in ("vslideup", "vslidedown", "vslide1up", "vslide1down", "vrgather", "vrgatherei16"):
        check_group(vd, lmul)
        check_group(vs2, lmul)
        idx_eew, idx_emul = sew, lmul
        if base == "vrgatherei16":
            idx_eew, idx_emul = 16, 16 / sew * lmul
        if form == "vv":
            check_group(vs1, idx_emul)
        if not vm and vd == 0:
            raise Illegal()
        if base in ("vslideup", "vslide1up", "vrgather", "vrgatherei16"):
            if overlaps(vd, _emul_regs(lmul), vs2, _emul_regs(lmul)) or (
                    form == "vv" and overlaps(vd, _emul_regs(lmul), vs1, _emul_regs(idx_emul))):
                raise Illegal()
        src = [st.get(vs2, i, sew) for i in range(vlmax)]
        idx = [st.get(vs1, i, idx_eew) for i in range(vl)] if form == "vv" else None
        for i in range(vl):
            if base == "vslideup" and i < scalar:
                continue
            if not st.active(vm, i):
                masked_off(i, sew)
                continue
            if base == "vslideup":
                r = src[i - scalar]
            elif base == "vslidedown":
                r = src[i + scalar] if i + scalar < vlmax else 0
            elif base == "vslide1up":
                r = scalar if i == 0 else src[i - 1]
            elif base == "vslide1down":
                r = scalar if i == vl - 1 else src[i + 1]
            else:
                k = idx[i] if idx is not None else scalar
                r = src[k] if k < vlmax else 0
            st.put(vd, i, sew, r)
        st.finish_tail(vd, sew)
        return None
    if base == "vcompress":
        check_group(vd, lmul)
        check_group(vs2, lmul)
        if overlaps(vd, _emul_regs(lmul), vs2, _emul_regs(lmul)) or overlaps(vd, _emul_regs(lmul), vs1, 1):
            raise Illegal()
        k = 0
        for i in range(vl):
            if st.bit(vs1, i):
                st.put(vd, k, sew, st.get(vs2, i, sew))
                k += 1
        if st.ones and st.vta:
            for i in range(k, st.tail_end(sew)):
                st.put(vd, i, sew, -1)
        return None
    if base == "vmerge" or mnemonic.startswith("vmv.v."):
        check_group(vd, lmul)
        if base == "vmerge":
            check_group(vs2, lmul)
            if vd == 0:
                raise Illegal()
        if form == "v" and mnemonic == "vmv.v.v" or (base == "vmerge" and form == "vvm"):
            check_group(vs1, lmul)
        for i in range(vl):
            if mnemonic == "vmv.v.v" or form == "vvm":
                b = st.get(vs1, i, sew)
            elif mnemonic == "vmv.v.i" or form == "vim":
                b = sx(vs1, 5)
            else:
                b = scalar
            if base == "vmerge" and not st.bit(0, i):
                b = st.get(vs2, i, sew)
            st.put(vd, i, sew, b)
        st.finish_tail(vd, sew)
        return None
    if mnemonic == "vmv.x.s":
        return sx(st.get(vs2, 0, sew), sew) & ((1 << 64) - 1)
    if mnemonic == "vmv.s.x":
        if vl > 0:
            st.put(vd, 0, sew, scalar)
            st.finish_tail(vd, sew, start=1)
        return None
    if base in ("vzext", "vsext"):
        f = int(form[2])
        if sew // f < 8 or lmul / f < 1 / 8:
            raise Illegal()
        check_group(vd, lmul)
        check_group(vs2, lmul / f)
        if not overlap_ok(vd, lmul, sew, vs2, lmul / f, sew // f) or (not vm and vd == 0):
            raise Illegal()
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, sew)
                continue
            e = st.get(vs2, i, sew // f)
            st.put(vd, i, sew, sx(e, sew // f) if base == "vsext" else e)
        st.finish_tail(vd, sew)
        return None
    if base in ("vadc", "vsbc", "vmadc", "vmsbc"):
        m = (1 << sew) - 1
        check_group(vs2, lmul)
        if form.startswith("vv"):
            check_group(vs1, lmul)
        if base in ("vadc", "vsbc"):
            check_group(vd, lmul)
            if vd == 0:
                raise Illegal("vadc/vsbc into v0 is reserved")
        elif not overlap_ok(vd, 1, 1, vs2, lmul, sew) or (
                form.startswith("vv") and not overlap_ok(vd, 1, 1, vs1, lmul, sew)):
            raise Illegal()
        for i in range(vl):
            a, b = st.get(vs2, i, sew), operand_b(st, form[:2], vs1, i, sew, scalar)
            c = st.bit(0, i) if form.endswith("m") else 0
            if base == "vadc":
                st.put(vd, i, sew, a + b + c)
            elif base == "vsbc":
                st.put(vd, i, sew, a - b - c)
            elif base == "vmadc":
                st.setbit(vd, i, int(a + b + c > m))
            else:
                st.setbit(vd, i, int(a - b - c < 0))
        if base in ("vmadc", "vmsbc"):
            st.mask_tail(vd)
        else:
            st.finish_tail(vd, sew)
        return None
    raise NotImplementedError(mnemonic)


# ---- loads and stores ---------------------------------------------------------------

def memory_op(st, mem, mem_base, mnemonic, vd, rs1_value, rs2_value, vs2, vm, nf):
    """Run a load/store on the model over mem (a bytearray standing for guest memory
    at mem_base). Returns None; raises Illegal."""
    base_name = mnemonic.split(".")[0]
    store = base_name.startswith("vs")
    fields = nf + 1

    def rd(addr, n):
        o = addr - mem_base
        return int.from_bytes(mem[o:o + n], "little")

    def wr(addr, n, value):
        o = addr - mem_base
        mem[o:o + n] = (value & ((1 << (8 * n)) - 1)).to_bytes(n, "little")

    if base_name[2] in "1248" and base_name[3] in "re" and not base_name.startswith("vse"):
        nreg = int(base_name[2])
        eew = int(base_name.split("e")[-1]) if "re" in base_name else 8
        evl = nreg * st.vlen // eew
        for i in range(st.vstart, evl):
            if store:
                wr(rs1_value + i * eew // 8, eew // 8, st.get(vd, i, eew))
            else:
                st.put(vd, i, eew, rd(rs1_value + i * eew // 8, eew // 8))
        st.vstart = 0
        return
    if base_name in ("vlm", "vsm"):
        evl = (st.vl + 7) // 8
        for i in range(st.vstart, evl):
            if store:
                wr(rs1_value + i, 1, st.get(vd, i, 8))
            else:
                st.put(vd, i, 8, rd(rs1_value + i, 1))
        if not store and st.ones:
            for i in range(evl, st.vlenb):
                st.put(vd, i, 8, -1)
        st.vstart = 0
        return
    kind = "index" if ("ux" in base_name or "ox" in base_name) else (
        "stride" if base_name.startswith(("vlse", "vsse")) else "unit")
    eew = int("".join(ch for ch in base_name if ch.isdigit()))
    if kind == "index":
        data_eew, emul, idx_emul = st.sew, st.lmul, eew / st.sew * st.lmul
        check_group(vs2, idx_emul)
    else:
        data_eew, emul = eew, eew / st.sew * st.lmul
    check_group(vd, emul)
    if _emul_regs(emul) * fields > 8 or vd + _emul_regs(emul) * fields > 32:
        raise Illegal()
    if not vm and vd == 0 and not store:
        raise Illegal()
    if kind == "index" and not store:
        if fields > 1:
            if overlaps(vd, _emul_regs(emul) * fields, vs2, _emul_regs(idx_emul)):
                raise Illegal()
        elif not overlap_ok(vd, emul, data_eew, vs2, idx_emul, eew):
            raise Illegal()
    nb = data_eew // 8
    stride = rs2_value if kind == "stride" else fields * nb
    for i in range(st.vstart, st.vl):
        if not st.active(vm, i):
            if not store and st.ones and st.vma:
                for f in range(fields):
                    st.put(vd + f * _emul_regs(emul), i, data_eew, -1)
            continue
        if kind == "index":
            addr = rs1_value + st.get(vs2, i, eew)
        else:
            addr = rs1_value + i * stride
        for f in range(fields):
            reg = vd + f * _emul_regs(emul)
            a = (addr + f * nb) & ((1 << 64) - 1)
            if store:
                wr(a, nb, st.get(reg, i, data_eew))
            else:
                st.put(reg, i, data_eew, rd(a, nb))
    if not store:
        for f in range(fields):
            st.finish_tail(vd + f * _emul_regs(emul), data_eew)
    st.vstart = 0


# ---- floating point (element arithmetic from tests/fpref.py, the exact IEEE reference) --

def execute_fp(st, mnemonic, vd, vs2, vs1, vm, fscalar, frm, fp_sews=(16, 32, 64)):
    """Run one vector FP instruction on the model. fscalar = the f register (NaN-boxing is
    checked here); frm the dynamic rounding mode. Returns (fflags, f_result or None).
    Covers the single-width arithmetic, FMA, min/max, sign injection, compares, class,
    sqrt, merges and moves, widening arithmetic and FMA, and the conversions."""
    import fpref as R
    fmts = {16: R.F16, 32: R.F32, 64: R.F64}
    sew, lmul, vl = st.sew, st.lmul, st.vl
    base, _, form = mnemonic.partition(".")
    if st.vstart:
        raise Illegal()
    if frm > 4:
        raise Illegal("reserved frm")
    flags = 0
    ma1 = st.ones and st.vma
    ops = form.split(".")

    def scalar_at(width):
        box = ((1 << 64) - 1) ^ ((1 << width) - 1)
        if width < 64 and fscalar & box != box:
            return fmts[width].canonical_nan
        return fscalar & ((1 << width) - 1)

    def masked_off(i, eew, mask=False):
        if ma1:
            st.setbit(vd, i, 1) if mask else st.put(vd, i, eew, -1)

    # conversions
    if base in ("vfcvt", "vfwcvt", "vfncvt"):
        kind = form  # e.g. "xu.f.v", "rtz.x.f.v", "f.f.w", "rod.f.f.w"
        rm = R.RTZ if kind.startswith("rtz") else frm
        k = kind[4:] if kind.startswith(("rtz.", "rod.")) else kind
        src_t, dst_t = k.split(".")[1], k.split(".")[0]     # f.xu.v: dst f, src xu
        if base == "vfcvt":
            ssew, dsew, slm, dlm = sew, sew, lmul, lmul
        elif base == "vfwcvt":
            ssew, dsew, slm, dlm = sew, 2 * sew, lmul, 2 * lmul
        else:
            ssew, dsew, slm, dlm = 2 * sew, sew, 2 * lmul, lmul
        if dlm > 8 or slm > 8 or max(ssew, dsew) > 64:
            raise Illegal()
        if src_t == "f" and ssew not in fp_sews or dst_t == "f" and dsew not in fp_sews:
            raise Illegal()
        check_group(vd, dlm)
        check_group(vs2, slm)
        if not overlap_ok(vd, dlm, dsew, vs2, slm, ssew) or (not vm and vd == 0):
            raise Illegal()
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, dsew)
                continue
            a = st.get(vs2, i, ssew)
            if src_t == "f" and dst_t == "f":
                if kind.startswith("rod"):
                    r, fl = R.convert(fmts[ssew], fmts[dsew], a, R.RTZ)
                    if fl & R.NX and not R.is_nan(fmts[dsew], r):
                        r |= 1
                else:
                    r, fl = R.convert(fmts[ssew], fmts[dsew], a, rm)
            elif src_t == "f":
                r, fl = R.to_int(fmts[ssew], a, rm, dsew, dst_t == "x")
            else:
                val = sx(a, ssew) if src_t == "x" else a
                r, fl = R.from_int(fmts[dsew], val, rm)
            flags |= fl
            st.put(vd, i, dsew, r)
        st.finish_tail(vd, dsew)
        return flags, None

    if sew not in fp_sews:
        raise Illegal()
    F = fmts[sew]
    if mnemonic == "vfmv.f.s":
        v = st.get(vs2, 0, sew)
        return 0, v | (((1 << 64) - 1) ^ ((1 << sew) - 1))
    if mnemonic in ("vfmv.s.f",):
        if vl > 0:
            st.put(vd, 0, sew, scalar_at(sew))
            st.finish_tail(vd, sew, start=1)
        return 0, None
    if mnemonic in ("vfmv.v.f", "vfmerge.vfm"):
        check_group(vd, lmul)
        if mnemonic == "vfmerge.vfm":
            check_group(vs2, lmul)
            if vd == 0:
                raise Illegal()
        for i in range(vl):
            if mnemonic == "vfmerge.vfm" and not st.bit(0, i):
                st.put(vd, i, sew, st.get(vs2, i, sew))
            else:
                st.put(vd, i, sew, scalar_at(sew))
        st.finish_tail(vd, sew)
        return 0, None
    widening = base.startswith("vfw")
    if base in ("vmfeq", "vmfne", "vmflt", "vmfle", "vmfgt", "vmfge"):
        check_group(vs2, lmul)
        if form == "vv":
            check_group(vs1, lmul)
            if not overlap_ok(vd, 1, 1, vs1, lmul, sew):
                raise Illegal()
        if not overlap_ok(vd, 1, 1, vs2, lmul, sew):
            raise Illegal()
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, 1, mask=True)
                continue
            a = st.get(vs2, i, sew)
            b = st.get(vs1, i, sew) if form == "vv" else scalar_at(sew)
            r, fl = {"vmfeq": lambda: R.feq(F, a, b), "vmfne": lambda: R.feq(F, a, b),
                     "vmflt": lambda: R.flt(F, a, b), "vmfle": lambda: R.fle(F, a, b),
                     "vmfgt": lambda: R.flt(F, b, a), "vmfge": lambda: R.fle(F, b, a)}[base]()
            if base == "vmfne":
                r = 1 - r
            flags |= fl
            st.setbit(vd, i, r)
        st.mask_tail(vd)
        return flags, None
    if widening:
        w = 2 * sew
        if w not in fp_sews or 2 * lmul > 8:
            raise Illegal()
        W = fmts[w]
        wide_src = form.startswith("w")
        check_group(vd, 2 * lmul)
        check_group(vs2, 2 * lmul if wide_src else lmul)
        if form in ("vv", "wv"):
            check_group(vs1, lmul)
            if not overlap_ok(vd, 2 * lmul, w, vs1, lmul, sew):
                raise Illegal()
        if not wide_src and not overlap_ok(vd, 2 * lmul, w, vs2, lmul, sew):
            raise Illegal()
        if not vm and vd == 0:
            raise Illegal()

        def widen(x):
            r, fl = R.convert(F, W, x, R.RNE)
            return r, fl
        for i in range(vl):
            if not st.active(vm, i):
                masked_off(i, w)
                continue
            a, fa = (st.get(vs2, i, w), 0) if wide_src else widen(st.get(vs2, i, sew))
            b, fb = widen(st.get(vs1, i, sew) if form in ("vv", "wv") else scalar_at(sew))
            d = st.get(vd, i, w)
            r, fl = {"vfwadd": lambda: R.add(W, a, b, frm), "vfwsub": lambda: R.sub(W, a, b, frm),
                     "vfwmul": lambda: R.mul(W, a, b, frm),
                     "vfwmacc": lambda: R.madd(W, b, a, d, frm), "vfwnmacc": lambda: R.nmadd(W, b, a, d, frm),
                     "vfwmsac": lambda: R.msub(W, b, a, d, frm), "vfwnmsac": lambda: R.nmsub(W, b, a, d, frm)}[base]()
            flags |= fa | fb | fl
            st.put(vd, i, w, r)
        st.finish_tail(vd, w)
        return flags, None
    # single width
    check_group(vd, lmul)
    check_group(vs2, lmul)
    if form == "vv":
        check_group(vs1, lmul)
    if not vm and vd == 0:
        raise Illegal()
    sign = 1 << (sew - 1)
    for i in range(vl):
        if not st.active(vm, i):
            masked_off(i, sew)
            continue
        a = st.get(vs2, i, sew)
        b = st.get(vs1, i, sew) if form == "vv" else scalar_at(sew)
        d = st.get(vd, i, sew)
        table = {
            "vfadd": lambda: R.add(F, a, b, frm), "vfsub": lambda: R.sub(F, a, b, frm),
            "vfrsub": lambda: R.sub(F, b, a, frm), "vfmul": lambda: R.mul(F, a, b, frm),
            "vfdiv": lambda: R.div(F, a, b, frm), "vfrdiv": lambda: R.div(F, b, a, frm),
            "vfmin": lambda: R.fmin(F, a, b), "vfmax": lambda: R.fmax(F, a, b),
            "vfsgnj": lambda: ((a & ~sign) | (b & sign), 0),
            "vfsgnjn": lambda: ((a & ~sign) | (~b & sign), 0),
            "vfsgnjx": lambda: (a ^ (b & sign), 0),
            "vfmacc": lambda: R.madd(F, b, a, d, frm), "vfnmacc": lambda: R.nmadd(F, b, a, d, frm),
            "vfmsac": lambda: R.msub(F, b, a, d, frm), "vfnmsac": lambda: R.nmsub(F, b, a, d, frm),
            "vfmadd": lambda: R.madd(F, b, d, a, frm), "vfnmadd": lambda: R.nmadd(F, b, d, a, frm),
            "vfmsub": lambda: R.msub(F, b, d, a, frm), "vfnmsub": lambda: R.nmsub(F, b, d, a, frm),
            "vfsqrt": lambda: R.sqrt(F, a, frm), "vfclass": lambda: (R.classify(F, a), 0),
        }
        r, fl = table[base]()
        flags |= fl
        st.put(vd, i, sew, r)
    st.finish_tail(vd, sew)
    return flags, None
