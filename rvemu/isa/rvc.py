"""RV64 compressed (C) parcels in pure Python: decode against ``encodings.RV64C`` and expand
to the equivalent 32-bit base instruction.

The hart expands parcels in C (``rvemu/_core/rvc.h``); this is the same mapping for Python
tools (the disassembler), built from the tables instead of hand-written shifts. A test runs
both over all 2**16 parcels so the two cannot drift.

* :func:`decode` -> ``(mnemonic, fields)`` or ``None``: the RV64C entry and its operand
  values by token name (registers as numbers, immediates as architectural values).
* :func:`expand` -> the 32-bit word, or 0 when the parcel is illegal on RV64 (reserved code
  points, the all-zero parcel, parcels whose low bits are 0b11) -- ``rvc_expand``'s contract.
"""
from rvemu.isa import encodings

# Immediate layouts in the spec's notation: (parcel bit hi, lo, immediate bits held there).
# Signed ones are sign-extended from their top immediate bit.
IMMEDIATES = {
    "nzuimm_ciw": (False, [(12, 5, "5:4|9:6|2|3")]),
    "uimm_cl4":   (False, [(12, 10, "5:3"), (6, 5, "2|6")]),
    "uimm_cl8":   (False, [(12, 10, "5:3"), (6, 5, "7:6")]),
    "imm_ci":     (True,  [(12, 12, "5"), (6, 2, "4:0")]),
    "nzimm_16sp": (True,  [(12, 12, "9"), (6, 2, "4|6|8:7|5")]),
    "nzimm_lui":  (True,  [(12, 12, "17"), (6, 2, "16:12")]),
    "shamt_c":    (False, [(12, 12, "5"), (6, 2, "4:0")]),
    "imm_cj":     (True,  [(12, 2, "11|4|9:8|10|6|7|3:1|5")]),
    "imm_cb":     (True,  [(12, 10, "8|4:3"), (6, 2, "7:6|2:1|5")]),
    "uimm_lwsp":  (False, [(12, 12, "5"), (6, 2, "4:2|7:6")]),
    "uimm_ldsp":  (False, [(12, 12, "5"), (6, 2, "4:3|8:6")]),
    "uimm_swsp":  (False, [(12, 7, "5:2|7:6")]),
    "uimm_sdsp":  (False, [(12, 7, "5:3|8:6")]),
}

# Register fields: (hi, lo, number of the register that field value 0 names).
REGISTERS = {
    "xd": (11, 7, 0), "fd": (11, 7, 0), "xs1": (11, 7, 0), "xsd": (11, 7, 0),
    "xs2": (6, 2, 0), "fs2": (6, 2, 0),
    "xd'": (4, 2, 8), "fd'": (4, 2, 8), "xs2'": (4, 2, 8), "fs2'": (4, 2, 8),
    "xs1'": (9, 7, 8), "xsd'": (9, 7, 8),
}

# Each compressed instruction as its base instruction: base fields (rd, rs1, rs2, imm) are
# operand tokens of the parcel or constants; ``nonzero`` lists the tokens whose zero value is
# a reserved code point (the "nz"/"rd!=0" constraints of the listings).
EXPANSIONS = {
    "c.addi4spn": ("addi", dict(rd="xd'", rs1=2, imm="nzuimm_ciw"), ("nzuimm_ciw",)),
    "c.fld":      ("fld", dict(rd="fd'", rs1="xs1'", imm="uimm_cl8"), ()),
    "c.lw":       ("lw", dict(rd="xd'", rs1="xs1'", imm="uimm_cl4"), ()),
    "c.ld":       ("ld", dict(rd="xd'", rs1="xs1'", imm="uimm_cl8"), ()),
    "c.fsd":      ("fsd", dict(rs2="fs2'", rs1="xs1'", imm="uimm_cl8"), ()),
    "c.sw":       ("sw", dict(rs2="xs2'", rs1="xs1'", imm="uimm_cl4"), ()),
    "c.sd":       ("sd", dict(rs2="xs2'", rs1="xs1'", imm="uimm_cl8"), ()),
    "c.nop":      ("addi", dict(rd=0, rs1=0, imm="imm_ci"), ()),
    "c.addi":     ("addi", dict(rd="xsd", rs1="xsd", imm="imm_ci"), ()),
    "c.addiw":    ("addiw", dict(rd="xsd", rs1="xsd", imm="imm_ci"), ("xsd",)),
    "c.li":       ("addi", dict(rd="xd", rs1=0, imm="imm_ci"), ()),
    "c.addi16sp": ("addi", dict(rd=2, rs1=2, imm="nzimm_16sp"), ("nzimm_16sp",)),
    "c.lui":      ("lui", dict(rd="xd", imm="nzimm_lui"), ("nzimm_lui",)),
    "c.srli":     ("srli", dict(rd="xsd'", rs1="xsd'", imm="shamt_c"), ()),
    "c.srai":     ("srai", dict(rd="xsd'", rs1="xsd'", imm="shamt_c"), ()),
    "c.andi":     ("andi", dict(rd="xsd'", rs1="xsd'", imm="imm_ci"), ()),
    "c.sub":      ("sub", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.xor":      ("xor", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.or":       ("or", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.and":      ("and", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.subw":     ("subw", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.addw":     ("addw", dict(rd="xsd'", rs1="xsd'", rs2="xs2'"), ()),
    "c.j":        ("jal", dict(rd=0, imm="imm_cj"), ()),
    "c.beqz":     ("beq", dict(rs1="xs1'", rs2=0, imm="imm_cb"), ()),
    "c.bnez":     ("bne", dict(rs1="xs1'", rs2=0, imm="imm_cb"), ()),
    "c.slli":     ("slli", dict(rd="xsd", rs1="xsd", imm="shamt_c"), ()),
    "c.fldsp":    ("fld", dict(rd="fd", rs1=2, imm="uimm_ldsp"), ()),
    "c.lwsp":     ("lw", dict(rd="xd", rs1=2, imm="uimm_lwsp"), ("xd",)),
    "c.ldsp":     ("ld", dict(rd="xd", rs1=2, imm="uimm_ldsp"), ("xd",)),
    "c.jr":       ("jalr", dict(rd=0, rs1="xs1", imm=0), ("xs1",)),
    "c.mv":       ("add", dict(rd="xd", rs1=0, rs2="xs2"), ()),
    "c.ebreak":   ("ebreak", dict(), ()),
    "c.jalr":     ("jalr", dict(rd=1, rs1="xs1", imm=0), ()),
    "c.add":      ("add", dict(rd="xsd", rs1="xsd", rs2="xs2"), ()),
    "c.fsdsp":    ("fsd", dict(rs2="fs2", rs1=2, imm="uimm_sdsp"), ()),
    "c.swsp":     ("sw", dict(rs2="xs2", rs1=2, imm="uimm_swsp"), ()),
    "c.sdsp":     ("sd", dict(rs2="xs2", rs1=2, imm="uimm_sdsp"), ()),
}


def _imm_bit_numbers(notation):
    """'5:4|9:6|2' -> [5, 4, 9, 8, 7, 6, 2], in parcel-bit order (most significant first)."""
    out = []
    for part in notation.split("|"):
        hi, _, lo = part.partition(":")
        out.extend(range(int(hi), int(lo or hi) - 1, -1))
    return out


def _extract_imm(parcel, token):
    signed, slices = IMMEDIATES[token]
    value = top = 0
    for hi, lo, notation in slices:
        for pos, bit in zip(range(hi, lo - 1, -1), _imm_bit_numbers(notation)):
            value |= (parcel >> pos & 1) << bit
            top = max(top, bit)
    if signed and value >> top & 1:
        value -= 1 << (top + 1)
    return value


def field(parcel, token):
    """The value of one operand token (a REGISTERS or IMMEDIATES name) in ``parcel``."""
    if token in REGISTERS:
        hi, lo, base = REGISTERS[token]
        return base + (parcel >> lo & ((1 << (hi - lo + 1)) - 1))
    return _extract_imm(parcel, token)


def _build_tables():
    entries = []
    for mnemonic, bits, operands, ext in encodings.RV64C:
        mask, match, _ = encodings.mask_match(bits)
        entries.append((mask, match, mnemonic))
    # most fixed bits first: c.nop before c.addi, c.jr before c.mv, ...
    entries.sort(key=lambda e: -bin(e[0]).count("1"))
    base = {m: (encodings.mask_match(b)[1], ops) for m, b, ops, _ in encodings.ALL}
    return entries, base


_ENTRIES, _BASE = _build_tables()


def lookup(parcel):
    """The RV64C mnemonic whose encoding ``parcel`` (low 16 bits) matches, or None."""
    parcel &= 0xFFFF
    for mask, match, mnemonic in _ENTRIES:
        if parcel & mask == match:
            return mnemonic
    return None


def decode(parcel):
    """``(mnemonic, fields)`` for a legal RV64 parcel, else None.

    ``fields`` maps every token the expansion uses to its value (register numbers,
    architectural immediates)."""
    parcel &= 0xFFFF
    mnemonic = lookup(parcel)
    if mnemonic is None:
        return None
    _, fields, nonzero = EXPANSIONS[mnemonic]
    values = {t: field(parcel, t) for t in fields.values() if isinstance(t, str)}
    if any(values[t] == 0 for t in nonzero):
        return None
    return mnemonic, values


def _place(value, hi, lo):
    return (value & ((1 << (hi - lo + 1)) - 1)) << lo


def _encode_imm(operands, imm):
    """Place immediate ``imm`` as the base instruction's format (from its operand tokens) does."""
    if "imm_i" in operands or "shamt" in operands:
        return _place(imm, 31, 20)
    if "imm_s" in operands:
        return _place(imm >> 5, 31, 25) | _place(imm, 11, 7)
    if "imm_b" in operands:
        return (_place(imm >> 12, 31, 31) | _place(imm >> 5, 30, 25)
                | _place(imm >> 1, 11, 8) | _place(imm >> 11, 7, 7))
    if "imm_u" in operands:
        return _place(imm >> 12, 31, 12)
    if "imm_j" in operands:
        return (_place(imm >> 20, 31, 31) | _place(imm >> 1, 30, 21)
                | _place(imm >> 11, 20, 20) | _place(imm >> 12, 19, 12))
    raise ValueError(f"no immediate in operands {operands!r}")


def expand(parcel):
    """The 32-bit expansion of a 16-bit parcel, or 0 if it is illegal on RV64."""
    decoded = decode(parcel)
    if decoded is None:
        return 0
    mnemonic, values = decoded
    base_mnemonic, fields, _ = EXPANSIONS[mnemonic]
    word, operands = _BASE[base_mnemonic]
    for name, src in fields.items():
        value = values[src] if isinstance(src, str) else src
        if name == "imm":
            word |= _encode_imm(operands, value)
        else:
            word |= _place(value, *{"rd": (11, 7), "rs1": (19, 15), "rs2": (24, 20)}[name])
    return word
