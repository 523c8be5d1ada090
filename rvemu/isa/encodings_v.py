"""Vector encodings: RVV 1.0 (unpriv "V" chapter), Zvfbfmin and Zvfbfwma.

Entries have the shape of ``encodings.py`` (``(mnemonic, bits, operands, extension)``) and
``encodings.ALL`` includes them, so the disassembler and the table tests see every vector
mnemonic. The hart does NOT get one op per mnemonic: the scalar decoder maps all vector
words to the few coarse ops of ``COARSE`` (vsetvli/vsetivli/vsetvl, vector load, vector
store, OP-V arithmetic) and the vector unit decodes the rest itself (rvemu/_core/rvv.h),
so the scalar decoder and dispatch stay as small as they were.

Operand tokens (besides encodings.py's): ``vd vs1 vs2 vs3`` vector registers; ``vm`` the
mask operand (printed ``v0.t`` when bit 25 is 0, nothing when 1); ``v0`` the literal mask
operand of the carry/merge forms; ``simm5`` (signed) and ``uimm5`` (unsigned) in bits 19:15;
``vtypei11`` / ``vtypei10`` the vtype immediates of vsetvli / vsetivli; ``avl5`` the AVL
immediate of vsetivli; ``(xs1)`` a vector memory base.
"""

_OPV = "1010111"
_VLOAD = "0000111"
_VSTORE = "0100111"

_INT = ("zve32x", "v")      # integer vector instructions: any vector extension
_FP = ("zve32f", "v")       # FP vector instructions (SEW-dependent rules in the unit)

# funct3 of OP-V and the operand forms (unpriv "Vector Arithmetic Instruction encoding")
_F3 = {"ivv": "000", "fvv": "001", "mvv": "010", "ivi": "011", "ivx": "100", "fvf": "101",
       "mvx": "110"}
_FORM_OPS = {"ivv": "vd,vs2,vs1,vm", "mvv": "vd,vs2,vs1,vm", "fvv": "vd,vs2,vs1,vm",
             "ivx": "vd,vs2,xs1,vm", "mvx": "vd,vs2,xs1,vm", "fvf": "vd,vs2,fs1,vm",
             "ivi": "vd,vs2,simm5,vm"}
# suffix of the mnemonic for each form
_SUFFIX = {"ivv": "vv", "mvv": "vv", "fvv": "vv", "ivx": "vx", "mvx": "vx", "fvf": "vf",
           "ivi": "vi"}


def _opv(name, funct6, form, operands=None, ext=_INT, *, vm="-", vs2="-----", vs1="-----"):
    bits = f"{funct6:06b} {vm} {vs2} {vs1} {_F3[form]} ----- {_OPV}"
    return (name, bits, operands or _FORM_OPS[form], ext)


def _family(base, funct6, forms, ext=_INT, operands=None, suffix=None):
    out = []
    for form in forms:
        sfx = suffix or _SUFFIX[form]
        ops = operands[form] if operands else None
        if form == "ivi" and base in _UIMM:
            ops = ops or "vd,vs2,uimm5,vm"
        out.append(_opv(f"{base}.{sfx}", funct6, form, ops, ext))
    return out


# .vi forms whose immediate is unsigned (shift amounts, slide and gather indices)
_UIMM = {"vsll", "vsrl", "vsra", "vssrl", "vssra", "vnsrl", "vnsra", "vnclipu", "vnclip",
         "vslideup", "vslidedown", "vrgather"}

CONFIG = [
    ("vsetvli",  "0 ----------- ----- 111 ----- 1010111", "xd,xs1,vtypei11", _INT),
    ("vsetivli", "11 ---------- ----- 111 ----- 1010111", "xd,avl5,vtypei10", _INT),
    ("vsetvl",   "1 000000 ----- ----- 111 ----- 1010111", "xd,xs1,xs2", _INT),
]

_WIDTHS = {8: "000", 16: "101", 32: "110", 64: "111"}


def _memory():
    out = [
        ("vlm.v", f"000 0 00 1 01011 ----- 000 ----- {_VLOAD}", "vd,(xs1)", _INT),
        ("vsm.v", f"000 0 00 1 01011 ----- 000 ----- {_VSTORE}", "vs3,(xs1)", _INT),
    ]
    for eew, w in _WIDTHS.items():
        out.append((f"vle{eew}.v", f"--- 0 00 - 00000 ----- {w} ----- {_VLOAD}", "vd,(xs1),vm", _INT))
        out.append((f"vse{eew}.v", f"--- 0 00 - 00000 ----- {w} ----- {_VSTORE}", "vs3,(xs1),vm", _INT))
    for eew, w in _WIDTHS.items():
        out.append((f"vluxei{eew}.v", f"--- 0 01 - ----- ----- {w} ----- {_VLOAD}", "vd,(xs1),vs2,vm", _INT))
        out.append((f"vsuxei{eew}.v", f"--- 0 01 - ----- ----- {w} ----- {_VSTORE}", "vs3,(xs1),vs2,vm", _INT))
    for eew, w in _WIDTHS.items():
        out.append((f"vlse{eew}.v", f"--- 0 10 - ----- ----- {w} ----- {_VLOAD}", "vd,(xs1),xs2,vm", _INT))
        out.append((f"vsse{eew}.v", f"--- 0 10 - ----- ----- {w} ----- {_VSTORE}", "vs3,(xs1),xs2,vm", _INT))
    for eew, w in _WIDTHS.items():
        out.append((f"vloxei{eew}.v", f"--- 0 11 - ----- ----- {w} ----- {_VLOAD}", "vd,(xs1),vs2,vm", _INT))
        out.append((f"vsoxei{eew}.v", f"--- 0 11 - ----- ----- {w} ----- {_VSTORE}", "vs3,(xs1),vs2,vm", _INT))
    for eew, w in _WIDTHS.items():
        out.append((f"vle{eew}ff.v", f"--- 0 00 - 10000 ----- {w} ----- {_VLOAD}", "vd,(xs1),vm", _INT))
    for nreg, nf in ((1, "000"), (2, "001"), (4, "011"), (8, "111")):
        for eew, w in _WIDTHS.items():
            out.append((f"vl{nreg}re{eew}.v", f"{nf} 0 00 1 01000 ----- {w} ----- {_VLOAD}", "vd,(xs1)", _INT))
    for nreg, nf in ((1, "000"), (2, "001"), (4, "011"), (8, "111")):
        out.append((f"vs{nreg}r.v", f"{nf} 0 00 1 01000 ----- 000 ----- {_VSTORE}", "vs3,(xs1)", _INT))
    return out


MEMORY = _memory()

_VV_VX_VI = ("ivv", "ivx", "ivi")
_VV_VX = ("ivv", "ivx")
_VX_VI = ("ivx", "ivi")
_MVV_MVX = ("mvv", "mvx")
_FVV_FVF = ("fvv", "fvf")
# multiply-add forms put vs1/rs1 before vs2 (vmacc.vv vd, vs1, vs2)
_MACC = {"mvv": "vd,vs1,vs2,vm", "mvx": "vd,xs1,vs2,vm", "fvv": "vd,vs1,vs2,vm",
         "fvf": "vd,fs1,vs2,vm"}


def _integer():
    out = []
    for name, f6, forms in (
            ("vadd", 0x00, _VV_VX_VI), ("vsub", 0x02, _VV_VX), ("vrsub", 0x03, _VX_VI),
            ("vminu", 0x04, _VV_VX), ("vmin", 0x05, _VV_VX), ("vmaxu", 0x06, _VV_VX),
            ("vmax", 0x07, _VV_VX), ("vand", 0x09, _VV_VX_VI), ("vor", 0x0A, _VV_VX_VI),
            ("vxor", 0x0B, _VV_VX_VI), ("vrgather", 0x0C, _VV_VX_VI),
            ("vslideup", 0x0E, _VX_VI), ("vslidedown", 0x0F, _VX_VI),
            ("vmseq", 0x18, _VV_VX_VI), ("vmsne", 0x19, _VV_VX_VI), ("vmsltu", 0x1A, _VV_VX),
            ("vmslt", 0x1B, _VV_VX), ("vmsleu", 0x1C, _VV_VX_VI), ("vmsle", 0x1D, _VV_VX_VI),
            ("vmsgtu", 0x1E, _VX_VI), ("vmsgt", 0x1F, _VX_VI),
            ("vsaddu", 0x20, _VV_VX_VI), ("vsadd", 0x21, _VV_VX_VI), ("vssubu", 0x22, _VV_VX),
            ("vssub", 0x23, _VV_VX), ("vsll", 0x25, _VV_VX_VI), ("vsmul", 0x27, _VV_VX),
            ("vsrl", 0x28, _VV_VX_VI), ("vsra", 0x29, _VV_VX_VI), ("vssrl", 0x2A, _VV_VX_VI),
            ("vssra", 0x2B, _VV_VX_VI)):
        out += _family(name, f6, forms)
    out.append(_opv("vrgatherei16.vv", 0x0E, "ivv"))
    # narrowing shifts and clips: the wide source is "w"
    for name, f6 in (("vnsrl", 0x2C), ("vnsra", 0x2D), ("vnclipu", 0x2E), ("vnclip", 0x2F)):
        out += _family(name, f6, ("ivv", "ivx", "ivi"),
                       operands={"ivv": "vd,vs2,vs1,vm", "ivx": "vd,vs2,xs1,vm",
                                 "ivi": "vd,vs2,uimm5,vm"}, suffix=None)
        out[-3:] = [(m.replace(".vv", ".wv").replace(".vx", ".wx").replace(".vi", ".wi"), b, o, e)
                    for m, b, o, e in out[-3:]]
    # carry, borrow, merge and moves
    carry_ops = {"ivv": "vd,vs2,vs1,v0", "ivx": "vd,vs2,xs1,v0", "ivi": "vd,vs2,simm5,v0"}
    plain_ops = {"ivv": "vd,vs2,vs1", "ivx": "vd,vs2,xs1", "ivi": "vd,vs2,simm5"}
    for name, f6, forms, with_carry, without in (
            ("vadc", 0x10, _VV_VX_VI, True, False), ("vmadc", 0x11, _VV_VX_VI, True, True),
            ("vsbc", 0x12, _VV_VX, True, False), ("vmsbc", 0x13, _VV_VX, True, True),
            ("vmerge", 0x17, _VV_VX_VI, True, False)):
        for form in forms:
            if with_carry:
                out.append(_opv(f"{name}.{_SUFFIX[form]}m", f6, form, carry_ops[form], vm="0"))
            if without:
                out.append(_opv(f"{name}.{_SUFFIX[form]}", f6, form, plain_ops[form], vm="1"))
    out.append(_opv("vmv.v.v", 0x17, "ivv", "vd,vs1", vm="1", vs2="00000"))
    out.append(_opv("vmv.v.x", 0x17, "ivx", "vd,xs1", vm="1", vs2="00000"))
    out.append(_opv("vmv.v.i", 0x17, "ivi", "vd,simm5", vm="1", vs2="00000"))
    for nreg, imm in ((1, "00000"), (2, "00001"), (4, "00011"), (8, "00111")):
        out.append(_opv(f"vmv{nreg}r.v", 0x27, "ivi", "vd,vs2", vm="1", vs1=imm))
    # widening integer reductions (OPIVV)
    out.append(_opv("vwredsumu.vs", 0x30, "ivv"))
    out.append(_opv("vwredsum.vs", 0x31, "ivv"))
    # OPM: reductions, averaging, unary groups, mask ops, multiply/divide, widening
    for name, f6 in (("vredsum", 0), ("vredand", 1), ("vredor", 2), ("vredxor", 3),
                     ("vredminu", 4), ("vredmin", 5), ("vredmaxu", 6), ("vredmax", 7)):
        out.append(_opv(f"{name}.vs", f6, "mvv"))
    for name, f6 in (("vaaddu", 8), ("vaadd", 9), ("vasubu", 10), ("vasub", 11)):
        out += _family(name, f6, _MVV_MVX)
    out.append(_opv("vslide1up.vx", 0x0E, "mvx"))
    out.append(_opv("vslide1down.vx", 0x0F, "mvx"))
    out.append(_opv("vmv.x.s", 0x10, "mvv", "xd,vs2", vm="1", vs1="00000"))
    out.append(_opv("vcpop.m", 0x10, "mvv", "xd,vs2,vm", vs1="10000"))
    out.append(_opv("vfirst.m", 0x10, "mvv", "xd,vs2,vm", vs1="10001"))
    out.append(_opv("vmv.s.x", 0x10, "mvx", "vd,xs1", vm="1", vs2="00000"))
    for name, code in (("vzext.vf8", 2), ("vsext.vf8", 3), ("vzext.vf4", 4), ("vsext.vf4", 5),
                       ("vzext.vf2", 6), ("vsext.vf2", 7)):
        out.append(_opv(name, 0x12, "mvv", "vd,vs2,vm", vs1=f"{code:05b}"))
    for name, code in (("vmsbf.m", 1), ("vmsof.m", 2), ("vmsif.m", 3), ("viota.m", 16)):
        out.append(_opv(name, 0x14, "mvv", "vd,vs2,vm", vs1=f"{code:05b}"))
    out.append(_opv("vid.v", 0x14, "mvv", "vd,vm", vs2="00000", vs1="10001"))
    out.append(_opv("vcompress.vm", 0x17, "mvv", "vd,vs2,vs1", vm="1"))
    for name, f6 in (("vmandn", 0x18), ("vmand", 0x19), ("vmor", 0x1A), ("vmxor", 0x1B),
                     ("vmorn", 0x1C), ("vmnand", 0x1D), ("vmnor", 0x1E), ("vmxnor", 0x1F)):
        out.append(_opv(f"{name}.mm", f6, "mvv", "vd,vs2,vs1", vm="1"))
    for name, f6 in (("vdivu", 0x20), ("vdiv", 0x21), ("vremu", 0x22), ("vrem", 0x23),
                     ("vmulhu", 0x24), ("vmul", 0x25), ("vmulhsu", 0x26), ("vmulh", 0x27)):
        out += _family(name, f6, _MVV_MVX)
    for name, f6 in (("vmadd", 0x29), ("vnmsub", 0x2B), ("vmacc", 0x2D), ("vnmsac", 0x2F)):
        out += _family(name, f6, _MVV_MVX, operands=_MACC)
    for name, f6 in (("vwaddu", 0x30), ("vwadd", 0x31), ("vwsubu", 0x32), ("vwsub", 0x33),
                     ("vwmulu", 0x38), ("vwmulsu", 0x3A), ("vwmul", 0x3B)):
        out += _family(name, f6, _MVV_MVX)
    for name, f6 in (("vwaddu", 0x34), ("vwadd", 0x35), ("vwsubu", 0x36), ("vwsub", 0x37)):
        out.append(_opv(f"{name}.wv", f6, "mvv"))
        out.append(_opv(f"{name}.wx", f6, "mvx"))
    for name, f6, forms in (("vwmaccu", 0x3C, _MVV_MVX), ("vwmacc", 0x3D, _MVV_MVX),
                            ("vwmaccus", 0x3E, ("mvx",)), ("vwmaccsu", 0x3F, _MVV_MVX)):
        out += _family(name, f6, forms, operands=_MACC)
    return out


INTEGER = _integer()


def _floating():
    out = []
    for name, f6, forms in (
            ("vfadd", 0x00, _FVV_FVF), ("vfsub", 0x02, _FVV_FVF), ("vfmin", 0x04, _FVV_FVF),
            ("vfmax", 0x06, _FVV_FVF), ("vfsgnj", 0x08, _FVV_FVF), ("vfsgnjn", 0x09, _FVV_FVF),
            ("vfsgnjx", 0x0A, _FVV_FVF), ("vfslide1up", 0x0E, ("fvf",)),
            ("vfslide1down", 0x0F, ("fvf",)),
            ("vmfeq", 0x18, _FVV_FVF), ("vmfle", 0x19, _FVV_FVF), ("vmflt", 0x1B, _FVV_FVF),
            ("vmfne", 0x1C, _FVV_FVF), ("vmfgt", 0x1D, ("fvf",)), ("vmfge", 0x1F, ("fvf",)),
            ("vfdiv", 0x20, _FVV_FVF), ("vfrdiv", 0x21, ("fvf",)), ("vfmul", 0x24, _FVV_FVF),
            ("vfrsub", 0x27, ("fvf",)),
            ("vfwadd", 0x30, _FVV_FVF), ("vfwsub", 0x32, _FVV_FVF), ("vfwmul", 0x38, _FVV_FVF)):
        out += _family(name, f6, forms, _FP)
    for name, f6 in (("vfmadd", 0x28), ("vfnmadd", 0x29), ("vfmsub", 0x2A), ("vfnmsub", 0x2B),
                     ("vfmacc", 0x2C), ("vfnmacc", 0x2D), ("vfmsac", 0x2E), ("vfnmsac", 0x2F),
                     ("vfwmacc", 0x3C), ("vfwnmacc", 0x3D), ("vfwmsac", 0x3E),
                     ("vfwnmsac", 0x3F)):
        out += _family(name, f6, _FVV_FVF, _FP, operands=_MACC)
    for name, f6 in (("vfwadd", 0x34), ("vfwsub", 0x36)):
        out.append(_opv(f"{name}.wv", f6, "fvv", ext=_FP))
        out.append(_opv(f"{name}.wf", f6, "fvf", ext=_FP))
    for name, f6 in (("vfredusum", 0x01), ("vfredosum", 0x03), ("vfredmin", 0x05),
                     ("vfredmax", 0x07), ("vfwredusum", 0x31), ("vfwredosum", 0x33)):
        out.append(_opv(f"{name}.vs", f6, "fvv", ext=_FP))
    out.append(_opv("vfmv.f.s", 0x10, "fvv", "fd,vs2", _FP, vm="1", vs1="00000"))
    out.append(_opv("vfmv.s.f", 0x10, "fvf", "vd,fs1", _FP, vm="1", vs2="00000"))
    out.append(_opv("vfmerge.vfm", 0x17, "fvf", "vd,vs2,fs1,v0", _FP, vm="0"))
    out.append(_opv("vfmv.v.f", 0x17, "fvf", "vd,fs1", _FP, vm="1", vs2="00000"))
    for name, code in (
            ("vfcvt.xu.f.v", 0), ("vfcvt.x.f.v", 1), ("vfcvt.f.xu.v", 2), ("vfcvt.f.x.v", 3),
            ("vfcvt.rtz.xu.f.v", 6), ("vfcvt.rtz.x.f.v", 7),
            ("vfwcvt.xu.f.v", 8), ("vfwcvt.x.f.v", 9), ("vfwcvt.f.xu.v", 10),
            ("vfwcvt.f.x.v", 11), ("vfwcvt.f.f.v", 12), ("vfwcvt.rtz.xu.f.v", 14),
            ("vfwcvt.rtz.x.f.v", 15),
            ("vfncvt.xu.f.w", 16), ("vfncvt.x.f.w", 17), ("vfncvt.f.xu.w", 18),
            ("vfncvt.f.x.w", 19), ("vfncvt.f.f.w", 20), ("vfncvt.rod.f.f.w", 21),
            ("vfncvt.rtz.xu.f.w", 22), ("vfncvt.rtz.x.f.w", 23)):
        out.append(_opv(name, 0x12, "fvv", "vd,vs2,vm", _FP, vs1=f"{code:05b}"))
    for name, code in (("vfsqrt.v", 0), ("vfrsqrt7.v", 4), ("vfrec7.v", 5), ("vfclass.v", 16)):
        out.append(_opv(name, 0x13, "fvv", "vd,vs2,vm", _FP, vs1=f"{code:05b}"))
    return out


FLOATING = _floating()

ZVFBFMIN = [
    _opv("vfncvtbf16.f.f.w", 0x12, "fvv", "vd,vs2,vm", "zvfbfmin", vs1="11101"),
    _opv("vfwcvtbf16.f.f.v", 0x12, "fvv", "vd,vs2,vm", "zvfbfmin", vs1="01101"),
]
ZVFBFWMA = [
    _opv("vfwmaccbf16.vv", 0x3B, "fvv", "vd,vs1,vs2,vm", "zvfbfwma"),
    _opv("vfwmaccbf16.vf", 0x3B, "fvf", "vd,fs1,vs2,vm", "zvfbfwma"),
]

ALL_V = CONFIG + MEMORY + INTEGER + FLOATING + ZVFBFMIN + ZVFBFWMA
NAMES = frozenset(m for m, *_ in ALL_V)

# The coarse ops the scalar decoder produces for vector words: (op name, bits, extension).
# The most specific pattern wins (vset* before the OP-V catch-all); the vector unit
# rejects what is not a valid encoding (funct3 111 words other than vset*, reserved
# funct6, widths, lumop/sumop values...).
COARSE = [
    ("vsetvli", CONFIG[0][1]),
    ("vsetivli", CONFIG[1][1]),
    ("vsetvl", CONFIG[2][1]),
    ("vop", f"------ - ----- ----- --- ----- {_OPV}"),
    *[("vload", f"--- - -- - ----- ----- {w} ----- {_VLOAD}") for w in _WIDTHS.values()],
    *[("vstore", f"--- - -- - ----- ----- {w} ----- {_VSTORE}") for w in _WIDTHS.values()],
    ("vop", "------ - ----- ----- 010 ----- 1110111"),   # OP-VE: encodings_vcrypto.COARSE
]
COARSE_OPS = ("vsetvli", "vsetivli", "vsetvl", "vop", "vload", "vstore")
