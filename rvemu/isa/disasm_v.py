"""Vector operands and names for the disassembler (objdump's spelling): register groups
``v0``-``v31``, the mask operand ``v0.t``, vtype immediates (``e32,m1,ta,ma``) and the
segment names of the loads/stores (``vlseg3e16.v`` is ``vle16.v`` with nf = 2)."""
from rvemu.isa.regs import X_ABI

_SEW = ["e8", "e16", "e32", "e64"]
_LMUL = {0: "m1", 1: "m2", 2: "m4", 3: "m8", 5: "mf8", 6: "mf4", 7: "mf2"}


def vtype_text(value, bits):
    """objdump's text of a vtype immediate of ``bits`` bits (a number if reserved)."""
    sew, lmul = (value >> 3) & 7, value & 7
    if value >> 8 or sew > 3 or lmul not in _LMUL:
        return str(value)
    return (f"{_SEW[sew]},{_LMUL[lmul]},{'ta' if value >> 6 & 1 else 'tu'},"
            f"{'ma' if value >> 7 & 1 else 'mu'}")


def operand(token, word):
    """The text of a vector operand token of ``word``, or None if the token is not one.
    ``vm`` prints as an empty string when bit 25 is 1 (unmasked)."""
    if token in ("vd", "vs3"):
        return f"v{(word >> 7) & 31}"
    if token == "vs1":
        return f"v{(word >> 15) & 31}"
    if token == "vs2":
        return f"v{(word >> 20) & 31}"
    if token == "vm":
        return "" if (word >> 25) & 1 else "v0.t"
    if token == "v0":
        return "v0"
    if token == "simm5":
        v = (word >> 15) & 31
        return str(v - 32 if v & 16 else v)
    if token in ("uimm5", "avl5"):
        return str((word >> 15) & 31)
    if token == "vtypei11":
        return vtype_text((word >> 20) & 0x7FF, 11)
    if token == "vtypei10":
        return vtype_text((word >> 20) & 0x3FF, 10)
    return None


_SEGMENT = {"vle": "vlseg{n}e", "vse": "vsseg{n}e", "vlse": "vlsseg{n}e", "vsse": "vssseg{n}e",
            "vluxei": "vluxseg{n}ei", "vloxei": "vloxseg{n}ei", "vsuxei": "vsuxseg{n}ei",
            "vsoxei": "vsoxseg{n}ei"}


def name(mnemonic, word):
    """Segment loads/stores print with their field count (nf + 1)."""
    nf = (word >> 29) & 7
    if not nf or (word & 0x7F) not in (0x07, 0x27) or mnemonic.startswith(("vl1r", "vl2r", "vl4r", "vl8r", "vs1r", "vs2r", "vs4r", "vs8r")) \
            or mnemonic[:3] in ("vl1", "vl2", "vl4", "vl8", "vs1", "vs2", "vs4", "vs8"):
        return mnemonic
    for prefix in sorted(_SEGMENT, key=len, reverse=True):
        rest = mnemonic[len(prefix):]
        if mnemonic.startswith(prefix) and rest[:1].isdigit():
            return _SEGMENT[prefix].format(n=nf + 1) + rest
    return mnemonic


# objdump's printing aliases of vector instructions (base -> [(name, conditions, operands)],
# in rvemu.isa.disasm.ALIASES' format; rs1/rs2 are the vs1/vs2 fields)
ALIASES = {
    **{f"vl{n}re8.v": [(f"vl{n}r.v", "", "vd,(xs1)")] for n in (1, 2, 4, 8)},
    "vrsub.vx": [("vneg.v", "rs1=0", "vd,vs2,vm")],
    "vxor.vi": [("vnot.v", "simm5=-1", "vd,vs2,vm")],
    "vnsrl.wx": [("vncvt.x.x.w", "rs1=0", "vd,vs2,vm")],
    "vwadd.vx": [("vwcvt.x.x.v", "rs1=0", "vd,vs2,vm")],
    "vwaddu.vx": [("vwcvtu.x.x.v", "rs1=0", "vd,vs2,vm")],
    "vmand.mm": [("vmmv.m", "rs1=rs2", "vd,vs2")],
    "vmxor.mm": [("vmclr.m", "rd=rs1 rs1=rs2", "vd")],
    "vmxnor.mm": [("vmset.m", "rd=rs1 rs1=rs2", "vd")],
    "vmnand.mm": [("vmnot.m", "rs1=rs2", "vd,vs2")],
    "vfsgnjn.vv": [("vfneg.v", "rs1=rs2", "vd,vs2,vm")],
    "vfsgnjx.vv": [("vfabs.v", "rs1=rs2", "vd,vs2,vm")],
}
