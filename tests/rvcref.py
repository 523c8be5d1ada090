"""Slow, table-driven reference for RV64 compressed-instruction expansion.

Independent of ``rvemu/_core/rvc.h`` on purpose: the C code extracts fields with hand-written
shifts, while this module transcribes the RVC listings of the unprivileged spec (C chapter)
as data -- bit patterns, the spec's own immediate notation ("5:4|9:6|2|3") and the base
instruction formats -- and interprets them generically.  A typo in one is unlikely to be
repeated in the other.

``expand(parcel)`` returns the 32-bit word (0 when illegal on RV64); ``classify(parcel)``
returns ``(name, word, is_hint)`` for reports.
"""

# --- immediate notation -------------------------------------------------------------------


def _imm_bits(notation):
    """'5:4|9:6|2' -> [5, 4, 9, 8, 7, 6, 2]: immediate bit numbers, most significant slot first."""
    out = []
    for part in notation.split("|"):
        if ":" in part:
            hi, lo = (int(x) for x in part.split(":"))
            out.extend(range(hi, lo - 1, -1))
        else:
            out.append(int(part))
    return out


def gather(word, fields):
    """Collect an immediate from (hi, lo, notation) instruction slices of ``word``."""
    value = 0
    for hi, lo, notation in fields:
        bits = _imm_bits(notation)
        assert len(bits) == hi - lo + 1, (hi, lo, notation)
        for pos, ibit in zip(range(hi, lo - 1, -1), bits):
            if word >> pos & 1:
                value |= 1 << ibit
    return value


def scatter(value, fields):
    """Inverse of gather: place immediate bits of ``value`` into instruction slices."""
    word = 0
    for hi, lo, notation in fields:
        bits = _imm_bits(notation)
        assert len(bits) == hi - lo + 1, (hi, lo, notation)
        for pos, ibit in zip(range(hi, lo - 1, -1), bits):
            if value >> ibit & 1:
                word |= 1 << pos
    return word


def _signed(value, fields):
    top = max(max(_imm_bits(n)) for _, _, n in fields)
    return value - (1 << (top + 1)) if value >> top & 1 else value


# --- the 32-bit side: base formats and the instructions the expansions use ---------------

# Immediate placement of each base format (unprivileged spec, "Base Instruction Formats").
FORMAT_IMM = {
    "I": [(31, 20, "11:0")],
    "S": [(31, 25, "11:5"), (11, 7, "4:0")],
    "B": [(31, 25, "12|10:5"), (11, 7, "4:1|11")],
    "U": [(31, 12, "31:12")],
    "J": [(31, 12, "20|10:1|11|19:12")],
    "SH": [(25, 20, "5:0")],  # RV64 shift-immediate: funct6 in 31:26
    "R": [],
    "SYS": [],
}

# mnemonic: (format, major opcode, funct3, funct7 / funct6 / fixed high bits)
BASE = {
    "lw":     ("I",   0b0000011, 0b010, None),
    "ld":     ("I",   0b0000011, 0b011, None),
    "fld":    ("I",   0b0000111, 0b011, None),
    "addi":   ("I",   0b0010011, 0b000, None),
    "andi":   ("I",   0b0010011, 0b111, None),
    "slli":   ("SH",  0b0010011, 0b001, 0b000000),
    "srli":   ("SH",  0b0010011, 0b101, 0b000000),
    "srai":   ("SH",  0b0010011, 0b101, 0b010000),
    "addiw":  ("I",   0b0011011, 0b000, None),
    "sw":     ("S",   0b0100011, 0b010, None),
    "sd":     ("S",   0b0100011, 0b011, None),
    "fsd":    ("S",   0b0100111, 0b011, None),
    "add":    ("R",   0b0110011, 0b000, 0b0000000),
    "sub":    ("R",   0b0110011, 0b000, 0b0100000),
    "xor":    ("R",   0b0110011, 0b100, 0b0000000),
    "or":     ("R",   0b0110011, 0b110, 0b0000000),
    "and":    ("R",   0b0110011, 0b111, 0b0000000),
    "lui":    ("U",   0b0110111, None,  None),
    "addw":   ("R",   0b0111011, 0b000, 0b0000000),
    "subw":   ("R",   0b0111011, 0b000, 0b0100000),
    "beq":    ("B",   0b1100011, 0b000, None),
    "bne":    ("B",   0b1100011, 0b001, None),
    "jalr":   ("I",   0b1100111, 0b000, None),
    "jal":    ("J",   0b1101111, None,  None),
    "ebreak": ("SYS", 0b1110011, 0b000, 0b000000000001),  # imm=1, rs1=rd=0
}


def encode(mnemonic, rd=0, rs1=0, rs2=0, imm=0):
    fmt, opcode, funct3, high = BASE[mnemonic]
    word = opcode
    if fmt in ("R", "I", "U", "J", "SH", "SYS"):
        word |= rd << 7
    if fmt in ("R", "I", "S", "B", "SH", "SYS"):
        word |= funct3 << 12 | rs1 << 15
    if fmt in ("R", "S", "B"):
        word |= rs2 << 20
    if fmt == "R":
        word |= high << 25
    elif fmt == "SH":
        word |= high << 26
    elif fmt == "SYS":
        word |= high << 20
    return word | scatter(imm & 0xFFFFFFFF, FORMAT_IMM[fmt])


# --- the 16-bit side: the RVC listings for RV64 (+ D) --------------------------------------

# Register fields.  Primed fields name x8..x15 (or f8..f15).
REG_FIELDS = {"rd": (11, 7, 0), "rs1": (11, 7, 0), "rs2": (6, 2, 0),
              "rd'": (4, 2, 8), "rs2'": (4, 2, 8), "rs1'": (9, 7, 8)}

# Immediate layouts from the listings: (hi, lo, notation) slices, and signedness.
CI6 = [(12, 12, "5"), (6, 2, "4:0")]
IMMS = {
    "nzuimm4spn": ([(12, 5, "5:4|9:6|2|3")], False),
    "uimm_d":     ([(12, 10, "5:3"), (6, 5, "7:6")], False),
    "uimm_w":     ([(12, 10, "5:3"), (6, 5, "2|6")], False),
    "imm6":       (CI6, True),
    "shamt":      (CI6, False),
    "nzimm16sp":  ([(12, 12, "9"), (6, 2, "4|6|8:7|5")], True),
    "nzimm_lui":  ([(12, 12, "17"), (6, 2, "16:12")], True),
    "cj":         ([(12, 2, "11|4|9:8|10|6|7|3:1|5")], True),
    "cb":         ([(12, 10, "8|4:3"), (6, 2, "7:6|2:1|5")], True),
    "uimm_wsp":   ([(12, 12, "5"), (6, 2, "4:2|7:6")], False),
    "uimm_dsp":   ([(12, 12, "5"), (6, 2, "4:3|8:6")], False),
    "uimm_swsp":  ([(12, 7, "5:2|7:6")], False),
    "uimm_sdsp":  ([(12, 7, "5:3|8:6")], False),
    None:         ([], False),
}

# Each row: name, 16-bit pattern (bit 15 first; '-' = operand bit), immediate layout,
# expansion (mnemonic, {operand: field name or constant}), reserved-if, HINT-if.
# Rows are tried in order, so specific rows precede general ones; no match = illegal.
# Predicates receive the decoded dict (register fields by name, plus "imm").
ROWS = [
    # Quadrant 0
    ("c.addi4spn", "000-----------00", "nzuimm4spn", ("addi", {"rd": "rd'", "rs1": 2}),
     lambda f: f["imm"] == 0, None),
    ("c.fld", "001-----------00", "uimm_d", ("fld", {"rd": "rd'", "rs1": "rs1'"}), None, None),
    ("c.lw", "010-----------00", "uimm_w", ("lw", {"rd": "rd'", "rs1": "rs1'"}), None, None),
    ("c.ld", "011-----------00", "uimm_d", ("ld", {"rd": "rd'", "rs1": "rs1'"}), None, None),
    # 100-----------00 is reserved: no row.
    ("c.fsd", "101-----------00", "uimm_d", ("fsd", {"rs2": "rs2'", "rs1": "rs1'"}), None, None),
    ("c.sw", "110-----------00", "uimm_w", ("sw", {"rs2": "rs2'", "rs1": "rs1'"}), None, None),
    ("c.sd", "111-----------00", "uimm_d", ("sd", {"rs2": "rs2'", "rs1": "rs1'"}), None, None),
    # Quadrant 1
    ("c.nop", "000-00000-----01", "imm6", ("addi", {"rd": 0, "rs1": 0}),
     None, lambda f: f["imm"] != 0),
    ("c.addi", "000-----------01", "imm6", ("addi", {"rd": "rd", "rs1": "rd"}),
     None, lambda f: f["imm"] == 0),
    ("c.addiw", "001-----------01", "imm6", ("addiw", {"rd": "rd", "rs1": "rd"}),
     lambda f: f["rd"] == 0, None),
    ("c.li", "010-----------01", "imm6", ("addi", {"rd": "rd", "rs1": 0}),
     None, lambda f: f["rd"] == 0),
    ("c.addi16sp", "011-00010-----01", "nzimm16sp", ("addi", {"rd": 2, "rs1": 2}),
     lambda f: f["imm"] == 0, None),
    ("c.lui", "011-----------01", "nzimm_lui", ("lui", {"rd": "rd"}),
     lambda f: f["imm"] == 0, lambda f: f["rd"] == 0),
    ("c.srli", "100-00--------01", "shamt", ("srli", {"rd": "rs1'", "rs1": "rs1'"}),
     None, lambda f: f["imm"] == 0),
    ("c.srai", "100-01--------01", "shamt", ("srai", {"rd": "rs1'", "rs1": "rs1'"}),
     None, lambda f: f["imm"] == 0),
    ("c.andi", "100-10--------01", "imm6", ("andi", {"rd": "rs1'", "rs1": "rs1'"}), None, None),
    ("c.sub", "100011---00---01", None, ("sub", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    ("c.xor", "100011---01---01", None, ("xor", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    ("c.or", "100011---10---01", None, ("or", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    ("c.and", "100011---11---01", None, ("and", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    ("c.subw", "100111---00---01", None, ("subw", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    ("c.addw", "100111---01---01", None, ("addw", {"rd": "rs1'", "rs1": "rs1'", "rs2": "rs2'"}),
     None, None),
    # 100111---1----01 is reserved: no row.
    ("c.j", "101-----------01", "cj", ("jal", {"rd": 0}), None, None),
    ("c.beqz", "110-----------01", "cb", ("beq", {"rs1": "rs1'", "rs2": 0}), None, None),
    ("c.bnez", "111-----------01", "cb", ("bne", {"rs1": "rs1'", "rs2": 0}), None, None),
    # Quadrant 2
    ("c.slli", "000-----------10", "shamt", ("slli", {"rd": "rd", "rs1": "rd"}),
     None, lambda f: f["rd"] == 0 or f["imm"] == 0),
    ("c.fldsp", "001-----------10", "uimm_dsp", ("fld", {"rd": "rd", "rs1": 2}), None, None),
    ("c.lwsp", "010-----------10", "uimm_wsp", ("lw", {"rd": "rd", "rs1": 2}),
     lambda f: f["rd"] == 0, None),
    ("c.ldsp", "011-----------10", "uimm_dsp", ("ld", {"rd": "rd", "rs1": 2}),
     lambda f: f["rd"] == 0, None),
    ("c.ebreak", "1001000000000010", None, ("ebreak", {}), None, None),
    ("c.jr", "1000-----0000010", None, ("jalr", {"rd": 0, "rs1": "rs1"}),
     lambda f: f["rs1"] == 0, None),
    ("c.jalr", "1001-----0000010", None, ("jalr", {"rd": 1, "rs1": "rs1"}), None, None),
    ("c.mv", "1000----------10", None, ("add", {"rd": "rd", "rs1": 0, "rs2": "rs2"}),
     None, lambda f: f["rd"] == 0),
    ("c.add", "1001----------10", None, ("add", {"rd": "rd", "rs1": "rd", "rs2": "rs2"}),
     None, lambda f: f["rd"] == 0),
    ("c.fsdsp", "101-----------10", "uimm_sdsp", ("fsd", {"rs2": "rs2", "rs1": 2}), None, None),
    ("c.swsp", "110-----------10", "uimm_swsp", ("sw", {"rs2": "rs2", "rs1": 2}), None, None),
    ("c.sdsp", "111-----------10", "uimm_sdsp", ("sd", {"rs2": "rs2", "rs1": 2}), None, None),
]


def _compile(pattern):
    assert len(pattern) == 16, pattern
    mask = value = 0
    for i, ch in enumerate(pattern):
        bit = 15 - i
        if ch in "01":
            mask |= 1 << bit
            value |= int(ch) << bit
    return mask, value


_COMPILED = [(_compile(row[1]), row) for row in ROWS]


def classify(parcel):
    """Return (name, expansion, is_hint); name is 'illegal' and expansion 0 when illegal."""
    parcel &= 0xFFFF
    if parcel & 3 == 3:
        return "not-rvc", 0, False
    for (mask, value), (name, _, imm_kind, (mnem, ops), reserved, hint) in _COMPILED:
        if parcel & mask != value:
            continue
        fields = {k: (parcel >> lo & ((1 << (hi - lo + 1)) - 1)) + off
                  for k, (hi, lo, off) in REG_FIELDS.items()}
        slices, signed = IMMS[imm_kind]
        imm = gather(parcel, slices)
        if signed:
            imm = _signed(imm, slices)
        fields["imm"] = imm
        if reserved is not None and reserved(fields):
            return name + " (reserved)", 0, False
        args = {k: (fields[v] if isinstance(v, str) else v) for k, v in ops.items()}
        word = encode(mnem, imm=imm, **args)
        return name, word, bool(hint is not None and hint(fields))
    return "illegal", 0, False


def expand(parcel):
    return classify(parcel)[1]
