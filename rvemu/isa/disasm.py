"""Disassembler driven by the ISA tables, printing what GNU objdump -d (binutils 2.40) prints.

* :func:`disassemble` turns one instruction word or compressed parcel into
  ``(length, text)``, e.g. ``(4, "auipc\\tt0,0x0")``: objdump's text -- mnemonic, a tab,
  operands with ABI register names.
* :func:`disassemble_elf` yields an objdump-like listing of an ELF's executable sections
  (symbol labels, addresses, raw bytes, branch targets and objdump's ``# address`` notes).

Instructions are decoded with ``encodings.ALL`` (32-bit) and ``encodings.RV64C`` (16-bit,
expanded to their base instruction by :mod:`rvemu.isa.rvc`). What objdump prints differs
from the plain table entry in ways kept here as data:

* ``ALIASES``: it prefers assembler aliases -- ``li``, ``mv``, ``ret``, ``beqz``, ``csrr``,
  ``fmv.s``... -- and binutils 2.40 prints ``addi`` as ``add``, ``slli`` as ``sll`` and so on;
* it prints a compressed parcel as the base instruction it stands for (``c.li a0,1`` ->
  ``li a0,1``), except for the HINT forms in ``COMPRESSED_FORMS``;
* rounding modes are shown only when they are not the default (dyn; rne for the
  conversions that cannot round, ``EXACT_CONVERSIONS``).

``aliases=False`` gives the table's own mnemonics instead, ``c.`` forms included, as
``objdump -M no-aliases`` does.
"""
import bisect
import functools
import io

from elftools.elf.elffile import ELFFile

from rvemu.errors import ElfError
from rvemu.isa import csrs, disasm_v, encodings, rvc
from rvemu.isa.regs import F_ABI, X_ABI

__all__ = ["disassemble", "disassemble_elf", "decode"]

ROUNDING_MODES = ["rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn"]
MASK64 = (1 << 64) - 1

# --------------------------------------------------------------------------------------
# Decoding: a word or parcel -> (mnemonic, field values)
# --------------------------------------------------------------------------------------


class _Entry:
    __slots__ = ("mnemonic", "mask", "match", "operands", "ext")

    def __init__(self, mnemonic, bits, operands, ext):
        self.mnemonic = mnemonic
        self.mask, self.match, _ = encodings.mask_match(bits)
        self.operands = operands
        self.ext = encodings.extensions_of(ext)


def _by_opcode(table):
    groups = {}
    for row in table:
        e = _Entry(*row)
        groups.setdefault(e.match & 0x7F, []).append(e)
    for entries in groups.values():  # most fixed bits first, as the hart's decoder does
        entries.sort(key=lambda e: -bin(e.mask).count("1"))
    return groups


_ALL = _by_opcode(encodings.ALL)
_OPERANDS = {m: ops for m, _, ops, _ in encodings.ALL}
_RV64C = {row[0]: _Entry(*row) for row in encodings.RV64C}


def _sext(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _bits(w, hi, lo):
    return (w >> lo) & ((1 << (hi - lo + 1)) - 1)


def _fields(w):
    """Every field a 32-bit word can have; which ones matter depends on its operands."""
    return {
        "rd": _bits(w, 11, 7), "rs1": _bits(w, 19, 15), "rs2": _bits(w, 24, 20),
        "rs3": _bits(w, 31, 27), "rm": _bits(w, 14, 12), "csr": _bits(w, 31, 20),
        "aq": _bits(w, 26, 26), "rl": _bits(w, 25, 25),
        "fm": _bits(w, 31, 28), "pred": _bits(w, 27, 24), "succ": _bits(w, 23, 20),
        "imm_i": _sext(w >> 20, 12),
        "imm_s": _sext((_bits(w, 31, 25) << 5) | _bits(w, 11, 7), 12),
        "imm_b": _sext((_bits(w, 31, 31) << 12) | (_bits(w, 7, 7) << 11)
                       | (_bits(w, 30, 25) << 5) | (_bits(w, 11, 8) << 1), 13),
        "imm_u": _sext(w & 0xFFFFF000, 32),
        "imm_j": _sext((_bits(w, 31, 31) << 20) | (_bits(w, 19, 12) << 12)
                       | (_bits(w, 20, 20) << 11) | (_bits(w, 30, 21) << 1), 21),
        "shamt": _bits(w, 25, 20), "shamtw": _bits(w, 24, 20), "zimm": _bits(w, 19, 15),
        "word": w, "simm5": _sext(_bits(w, 19, 15), 5),
    }


@functools.lru_cache(maxsize=32)
def _parse_isa(text):
    from rvemu.isa.isastring import parse_isa
    return parse_isa(text).names


def _isa_names(isa):
    if isa is None or isinstance(isa, (set, frozenset)):
        return isa
    if isinstance(isa, str):
        return _parse_isa(isa)
    return isa.names  # an isastring.Isa


def _allowed(entry, names):
    return names is None or any(all(e in names for e in alt) for alt in entry.ext)


def decode(insn, isa=None):
    """Decode one instruction: ``(length, mnemonic, fields)``; mnemonic None if unknown.

    A parcel whose low two bits are not 0b11 is compressed (2 bytes, only the low 16 bits
    count): ``mnemonic`` is its ``c.`` name and ``fields`` those of its 32-bit expansion
    plus ``"parcel"`` and ``"word"`` (the expansion). ``isa`` (an ISA string such as
    ``"rv64gc"``, an ``Isa`` or a set of extension names) restricts decoding to those
    extensions; None accepts everything in the tables.
    """
    names = _isa_names(isa)
    if insn & 3 != 3:
        parcel = insn & 0xFFFF
        decoded = rvc.decode(parcel)
        if decoded is None or not _allowed(_RV64C[decoded[0]], names):
            return 2, None, {"parcel": parcel}
        word = rvc.expand(parcel)
        fields = _fields(word)
        fields.update(parcel=parcel, word=word)
        return 2, decoded[0], fields
    word = insn & 0xFFFFFFFF
    for e in _ALL.get(word & 0x7F, ()):
        if word & e.mask == e.match and _allowed(e, names):
            return 4, e.mnemonic, _fields(word)
    return 4, None, {"word": word}


# --------------------------------------------------------------------------------------
# Printing forms: which name and operands objdump shows (first matching form wins)
# --------------------------------------------------------------------------------------

# base mnemonic -> [(printed name, conditions, operands)]. Conditions are ``field=value``
# (or ``field=otherfield``) terms that must all hold; without a matching form the entry
# prints as itself. Operand tokens are those of encodings.py.
ALIASES = {
    "addi": [("nop", "rd=0 rs1=0 imm_i=0", ""), ("li", "rs1=0", "xd,imm_i"),
             ("mv", "imm_i=0", "xd,xs1"), ("add", "", "xd,xs1,imm_i")],
    "andi": [("zext.b", "imm_i=255", "xd,xs1"), ("and", "", "xd,xs1,imm_i")],
    "ori": [("or", "", "xd,xs1,imm_i")],
    "xori": [("not", "imm_i=-1", "xd,xs1"), ("xor", "", "xd,xs1,imm_i")],
    "sltiu": [("seqz", "imm_i=1", "xd,xs1")],
    "slli": [("sll", "", "xd,xs1,shamt")],
    "srli": [("srl", "", "xd,xs1,shamt")],
    "srai": [("sra", "", "xd,xs1,shamt")],
    "sub": [("neg", "rs1=0", "xd,xs2")],
    "slt": [("sltz", "rs2=0", "xd,xs1"), ("sgtz", "rs1=0", "xd,xs2")],
    "sltu": [("snez", "rs1=0", "xd,xs2")],
    "addiw": [("sext.w", "imm_i=0", "xd,xs1"), ("addw", "", "xd,xs1,imm_i")],
    "slliw": [("sllw", "", "xd,xs1,shamtw")],
    "srliw": [("srlw", "", "xd,xs1,shamtw")],
    "sraiw": [("sraw", "", "xd,xs1,shamtw")],
    "subw": [("negw", "rs1=0", "xd,xs2")],
    "jal": [("j", "rd=0", "imm_j"), ("jal", "rd=1", "imm_j")],
    "jalr": [("ret", "rd=0 rs1=1 imm_i=0", ""), ("jr", "rd=0 imm_i=0", "xs1"),
             ("jr", "rd=0", "imm_i(xs1)"), ("jalr", "rd=1 imm_i=0", "xs1"),
             ("jalr", "rd=1", "imm_i(xs1)"), ("jalr", "imm_i=0", "xd,xs1")],
    "beq": [("beqz", "rs2=0", "xs1,imm_b")],
    "bne": [("bnez", "rs2=0", "xs1,imm_b")],
    "bge": [("blez", "rs1=0", "xs2,imm_b"), ("bgez", "rs2=0", "xs1,imm_b")],
    "blt": [("bltz", "rs2=0", "xs1,imm_b"), ("bgtz", "rs1=0", "xs2,imm_b")],
    "fence": [("fence", "fm=0 pred=15 succ=15 rd=0 rs1=0", ""),
              ("fence.tso", "fm=8 pred=3 succ=3 rd=0 rs1=0", ""),
              ("pause", "fm=0 pred=1 succ=0 rd=0 rs1=0", "")],
    "csrrs": [("frflags", "csr=1 rs1=0", "xd"), ("frrm", "csr=2 rs1=0", "xd"),
              ("frcsr", "csr=3 rs1=0", "xd"), ("rdcycle", "csr=0xc00 rs1=0", "xd"),
              ("rdtime", "csr=0xc01 rs1=0", "xd"), ("rdinstret", "csr=0xc02 rs1=0", "xd"),
              ("csrr", "rs1=0", "xd,csr"), ("csrs", "rd=0", "csr,xs1")],
    "csrrw": [("unimp", "csr=0xc00 rd=0 rs1=0", ""),
              ("fsflags", "csr=1 rd=0", "xs1"), ("fsrm", "csr=2 rd=0", "xs1"),
              ("fscsr", "csr=3 rd=0", "xs1"), ("fsflags", "csr=1", "xd,xs1"),
              ("fsrm", "csr=2", "xd,xs1"), ("fscsr", "csr=3", "xd,xs1"),
              ("csrw", "rd=0", "csr,xs1")],
    "csrrc": [("csrc", "rd=0", "csr,xs1")],
    "csrrwi": [("fsflagsi", "csr=1", "xd,zimm"), ("fsrmi", "csr=2", "xd,zimm"),
               ("csrw", "rd=0", "csr,zimm"), ("csrrw", "", "xd,csr,zimm")],
    "csrrsi": [("csrs", "rd=0", "csr,zimm"), ("csrrs", "", "xd,csr,zimm")],
    "csrrci": [("csrc", "rd=0", "csr,zimm"), ("csrrc", "", "xd,csr,zimm")],
    "sfence.vma": [("sfence.vma", "rs1=0 rs2=0", ""), ("sfence.vma", "rs2=0", "xs1")],
}
ALIASES.update(disasm_v.ALIASES)
for _t in "shd":
    ALIASES[f"fsgnj.{_t}"] = [(f"fmv.{_t}", "rs2=rs1", "fd,fs1")]
    ALIASES[f"fsgnjn.{_t}"] = [(f"fneg.{_t}", "rs2=rs1", "fd,fs1")]
    ALIASES[f"fsgnjx.{_t}"] = [(f"fabs.{_t}", "rs2=rs1", "fd,fs1")]

# Conversions that cannot round: their rounding mode is shown unless it is rne (what
# assemblers emit for them) rather than unless it is dyn.
EXACT_CONVERSIONS = {"fcvt.d.s", "fcvt.d.w", "fcvt.d.wu", "fcvt.s.h", "fcvt.d.h",
                     "fcvt.s.bf16"}

# Compressed parcels whose text is not that of their expansion: objdump keeps the c. name
# for HINTs, and prints c.addi's immediate even when it is 0. Conditions and operands use
# the RV64C tokens (encodings.py).
COMPRESSED_FORMS = {
    "c.nop": [("nop", "imm_ci=0", ""), ("c.nop", "", "imm_ci")],
    "c.addi": [("add", "", "xsd,xsd,imm_ci")],
    "c.li": [("c.li", "xd=0", "xd,imm_ci")],
    "c.lui": [("c.lui", "xd=0", "xd,nzimm_lui")],
    "c.slli": [("c.slli64", "shamt_c=0", "xsd"), ("c.slli", "xsd=0", "xsd,shamt_c")],
    "c.srli": [("c.srli64", "shamt_c=0", "xsd'")],
    "c.srai": [("c.srai64", "shamt_c=0", "xsd'")],
    "c.mv": [("c.mv", "xd=0", "xd,xs2"), ("mv", "", "xd,xs2")],
    "c.add": [("c.add", "xsd=0", "xsd,xs2")],
}


def _parse_conditions(text):
    out = []
    for term in text.split():
        field, _, value = term.partition("=")
        try:
            out.append((field, int(value, 0)))
        except ValueError:
            out.append((field, value))  # another field's name
    return out


def _compile(forms):
    return {m: [(name, _parse_conditions(c), ops) for name, c, ops in fs] for m, fs in forms.items()}


_ALIAS_FORMS = _compile(ALIASES)
_COMPRESSED_FORMS = _compile(COMPRESSED_FORMS)


def _holds(conditions, value_of):
    return all(value_of(k) == (value_of(v) if isinstance(v, str) else v) for k, v in conditions)


class _Printed:
    """One decoded instruction as objdump shows it: a name, operand tokens and the values
    they read. ``compressed`` says whether the tokens are RV64C ones."""
    __slots__ = ("name", "tokens", "base", "fields", "compressed", "cmnemonic")

    def __init__(self, name, tokens, base, fields, compressed=False, cmnemonic=None):
        self.name, self.tokens, self.base, self.fields = name, tokens, base, fields
        self.compressed, self.cmnemonic = compressed, cmnemonic


def _base_form(mnemonic, f, aliases):
    if aliases:
        for name, conditions, ops in _ALIAS_FORMS.get(mnemonic, ()):
            if _holds(conditions, f.__getitem__):
                return name, ops
    name, ops = mnemonic, _OPERANDS[mnemonic]
    if "rm" in ops.split(","):
        default = 0 if mnemonic in EXACT_CONVERSIONS else 7
        if f["rm"] == default:
            ops = ",".join(t for t in ops.split(",") if t != "rm")
    if mnemonic.startswith(("lr.", "sc.", "amo")):
        name += {(0, 0): "", (1, 0): ".aq", (0, 1): ".rl", (1, 1): ".aqrl"}[f["aq"], f["rl"]]
    if mnemonic.startswith("v"):
        name = disasm_v.name(name, f["word"])
    return name, ops


def _printed(length, mnemonic, f, aliases=True):
    if length == 4:
        name, ops = _base_form(mnemonic, f, aliases)
        return _Printed(name, ops, mnemonic, f)
    parcel = f["parcel"]
    if not aliases:
        return _Printed(mnemonic, _RV64C[mnemonic].operands, None, f, True, mnemonic)
    for name, conditions, ops in _COMPRESSED_FORMS.get(mnemonic, ()):
        if _holds(conditions, lambda token: rvc.field(parcel, token)):
            return _Printed(name, ops, rvc.EXPANSIONS[mnemonic][0], f, True, mnemonic)
    base = rvc.EXPANSIONS[mnemonic][0]
    name, ops = _base_form(base, f, aliases)
    return _Printed(name, ops, base, f, False, mnemonic)


# --------------------------------------------------------------------------------------
# Operand text
# --------------------------------------------------------------------------------------


def _fence_set(bits):
    return "".join(c for c, b in zip("iorw", (8, 4, 2, 1)) if bits & b) or "unknown"


def _plain_target(addr):
    return f"{addr:#x}"


_REG_TOKENS = {"xd": ("rd", X_ABI), "xs1": ("rs1", X_ABI), "xs2": ("rs2", X_ABI),
               "fd": ("rd", F_ABI), "fs1": ("rs1", F_ABI), "fs2": ("rs2", F_ABI),
               "fs3": ("rs3", F_ABI)}


# vror.vi's 6-bit immediate (encodings_vcrypto): imm[4:0] in rs1, imm[5] in bit 26 (the
# "aq" field).
_ZV_OPERANDS = {"zimm6": lambda f: str(f["rs1"] | f["aq"] << 5)}


def _operand(token, f, pc, target):
    if token in _REG_TOKENS:
        field, names = _REG_TOKENS[token]
        return names[f[field]]
    if token in ("imm_i", "imm_s", "zimm"):
        return str(f[token])
    if token in ("imm_b", "imm_j"):
        return target((pc + f[token]) & MASK64)
    if token == "imm_u":
        return f"{(f['imm_u'] >> 12) & 0xFFFFF:#x}"
    if token in ("shamt", "shamtw"):
        return f"{f[token]:#x}"
    if token == "csr":
        return csrs.CSR_BY_NUMBER.get(f["csr"], f"{f['csr']:#x}")
    if token == "rm":
        return ROUNDING_MODES[f["rm"]]
    if token in ("pred", "succ"):
        return _fence_set(f[token])
    text = disasm_v.operand(token, f["word"])
    if text is not None:
        return text
    if token in _ZV_OPERANDS:  # vector tokens of encodings_vcrypto
        return _ZV_OPERANDS[token](f)
    raise ValueError(f"unknown operand token {token!r}")


def _c_operand(token, parcel, pc, target):
    if token == "sp":
        return "sp"
    value = rvc.field(parcel, token)
    if token in rvc.REGISTERS:
        return (F_ABI if token.startswith("f") else X_ABI)[value]
    if token in ("imm_cj", "imm_cb"):
        return target((pc + value) & MASK64)
    if token == "shamt_c":
        return f"{value:#x}"
    if token == "nzimm_lui":
        return f"{(value >> 12) & 0xFFFFF:#x}"
    return str(value)


def _text(p, pc, target):
    if p.compressed:
        def one(token):
            return _c_operand(token, p.fields["parcel"], pc, target)
    else:
        def one(token):
            return _operand(token, p.fields, pc, target)
    out = []
    for token in p.tokens.split(",") if p.tokens else ():
        if token.endswith(")"):  # imm(reg) or (reg)
            imm, _, reg = token[:-1].partition("(")
            out.append((one(imm) if imm else "") + f"({one(reg)})")
        else:
            out.append(one(token))
    out = [o for o in out if o != ""]  # an unmasked vector op's vm operand prints nothing
    return f"{p.name}\t{','.join(out)}" if out else p.name


def _unknown(length, value, names=None):
    if length == 2 and value == 0 and (names is None or "c" in names):
        return "unimp"  # the all-zero parcel, defined to be illegal (C extension)
    return f".{length}byte\t{value:#x}"


def disassemble(insn, pc=0, isa=None, *, aliases=True):
    """Disassemble one instruction: ``(length, text)``.

    ``insn`` is a 32-bit word or a 16-bit parcel (the low two bits decide which; for a
    parcel only the low 16 bits are used). ``pc`` places branch and jump targets, which
    print as absolute addresses. ``isa`` restricts decoding (see :func:`decode`); encodings
    it does not know print as ``.4byte 0x...`` / ``.2byte 0x...``, as objdump prints them.
    ``aliases=False`` prints the tables' own mnemonics (``objdump -M no-aliases``).
    """
    length, mnemonic, f = decode(insn, isa)
    if mnemonic is None:
        value = insn & (0xFFFF if length == 2 else 0xFFFFFFFF)
        return length, _unknown(length, value, _isa_names(isa))
    return length, _text(_printed(length, mnemonic, f, aliases), pc, _plain_target)


# --------------------------------------------------------------------------------------
# ELF listings, laid out as objdump -d lays them out
# --------------------------------------------------------------------------------------

SKIP_ZEROES = 8          # objdump prints "..." for a run of at least this many zero bytes,
SKIP_ZEROES_AT_END = 3   # or for fewer than this many before the next label
GP_SYMBOL = "__global_pointer$"
FAKE_LABEL = ".L0 "  # what GNU as and LLVM name the temporary labels they emit


class _Symbol:
    __slots__ = ("name", "value", "size", "section", "is_func", "is_object", "bind")

    def __init__(self, sym, section):
        self.name = sym.name
        self.value = sym["st_value"]
        self.size = sym["st_size"]
        self.section = section
        self.is_func = sym["st_info"]["type"] in ("STT_FUNC", "STT_GNU_IFUNC")
        self.is_object = sym["st_info"]["type"] == "STT_OBJECT"
        self.bind = sym["st_info"]["bind"]

    @property
    def mapping(self):
        """For the mapping symbols that mark data ($d) and code ($x): "d" or "x"."""
        if self.name in ("$d", "$x") or self.name.startswith("$xrv"):
            return self.name[1]
        return None

    @property
    def valid(self):
        """Can it name an address? Not the mapping symbols nor the assembler's fake ".L0 "."""
        return self.mapping is None and self.name != FAKE_LABEL

    def sort_key(self, section):
        """objdump's symbol order at one address (compare_symbols in objdump.c)."""
        name = self.name
        return (self.value, self.section != section,
                "gnu_compiled" in name or "gcc2_compiled" in name,
                len(name) > 2 and name[-2] == "." and name[-1] in "oa",
                not self.is_func, not self.is_object, self.bind == "STB_LOCAL",
                self.bind != "STB_GLOBAL", -self.size, name.startswith("."),
                name.encode())


class _Region:
    """Bytes to disassemble: a code section, or an executable segment if there are none."""

    def __init__(self, name, vma, data):
        self.name, self.vma, self.data = name, vma, data
        self.end = vma + len(data)


def _code_regions(elf):
    regions = [_Region(s.name, s["sh_addr"], s.data()) for s in elf.iter_sections()
               if s["sh_flags"] & 0x4 and s["sh_type"] != "SHT_NOBITS" and s["sh_size"]]
    if not regions and elf.num_sections() == 0:
        for i, seg in enumerate(elf.iter_segments()):
            if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & 1 and seg["p_filesz"]:
                regions.append(_Region(f"segment{i}", seg["p_vaddr"], seg.data()))
    return regions


def _symbols(elf):
    """The symbols objdump keeps: named, defined, not section or file symbols."""
    symtab = elf.get_section_by_name(".symtab")
    if symtab is None or not hasattr(symtab, "iter_symbols"):
        return []
    names = {i: s.name for i, s in enumerate(elf.iter_sections())}
    out = []
    for sym in symtab.iter_symbols():
        shndx = sym["st_shndx"]
        if not sym.name or shndx in ("SHN_UNDEF", "SHN_COMMON"):
            continue
        if sym["st_info"]["type"] in ("STT_SECTION", "STT_FILE"):
            continue
        out.append(_Symbol(sym, "*ABS*" if shndx == "SHN_ABS" else names.get(shndx, "")))
    return out


def _load(path):
    """``(code regions, symbols)`` of an RV64 ELF file; ElfError for anything else."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError as e:
        raise ElfError(f"cannot read {path}: {e.strerror or e}") from None
    if blob[:4] != b"\x7fELF":
        raise ElfError(f"{path} is not an ELF file (no ELF magic)")
    try:
        elf = ELFFile(io.BytesIO(blob))
        if elf.elfclass != 64 or not elf.little_endian or elf["e_machine"] not in ("EM_RISCV", 243):
            raise ElfError(f"{path} is not a little-endian RV64 (RISC-V, ELFCLASS64) file")
        return _code_regions(elf), _symbols(elf)
    except ElfError:
        raise
    except Exception as e:  # pyelftools and construct errors: the file is malformed
        raise ElfError(f"{path} is a malformed ELF file: {type(e).__name__}: {e}") from None


class _Listing:
    """objdump's per-file state: the sorted symbols, the code/data mapping symbols, and the
    lui/auipc values it remembers per register to annotate the instruction that completes
    an address (``add a0,a0,16 # 80001010 <buf>``)."""

    def __init__(self, symbols, isa):
        self.all_symbols = symbols
        self.isa = isa
        self.hi = [None] * 32
        gp = [s.value for s in symbols if s.name == GP_SYMBOL]
        self.gp = gp[-1] if gp else None
        self.note = None

    # -- symbols ----------------------------------------------------------------------

    def enter(self, region):
        """Sort the symbols as objdump does for this section (its own symbols first)."""
        self.region = region
        self.syms = sorted(self.all_symbols, key=lambda s: s.sort_key(region.name))
        self.values = [s.value for s in self.syms]
        self.mapping = [(s.value, i, s.mapping) for i, s in enumerate(self.syms)
                        if s.mapping and s.section == region.name]

    def find_symbol(self, vma, require_section):
        """``(symbol, index)`` objdump names ``vma`` after (find_symbol_for_address): the
        nearest at or below it, preferring this section's; else the first one above."""
        syms, n = self.syms, len(self.syms)
        if not n:
            return None, -1
        place = max(bisect.bisect_right(self.values, vma) - 1, 0)
        while place > 0 and syms[place].value == syms[place - 1].value:
            place -= 1
        end = place
        while end < n and syms[end].value == syms[place].value:
            if syms[end].section == self.region.name and syms[end].valid:
                return syms[end], end
            end += 1

        def ok(s):
            return s.valid and (s.section == self.region.name or not require_section)

        if not ok(syms[place]):
            best = None
            for i in range(end - 1, -1, -1):
                if ok(syms[i]):
                    if best is not None and syms[i].value != syms[best].value:
                        break
                    best = i
            if best is None:
                best = next((i for i in range(place + 1, n) if ok(syms[i])), None)
            if best is None:
                return None, -1
            place = best
        return syms[place], place

    def _with_symbol(self, text, vma, sym):
        if sym is None:  # no symbol at all: relative to the section
            base, name = self.region.vma, self.region.name
        else:
            base, name = sym.value, sym.name
        if vma == base:
            return f"{text} <{name}>"
        if vma < base:
            return f"{text} <{name}-{base - vma:#x}>"
        return f"{text} <{name}+{vma - base:#x}>"

    def address(self, vma):
        """An address in an operand or a note: ``80000074 <label+0x8>``."""
        if not self.syms:
            return f"{vma:#x}"
        return self._with_symbol(f"{vma:x}", vma, self.find_symbol(vma, False)[0])

    def label(self, vma, sym):
        return self._with_symbol(f"{vma:016x}", vma, sym) + ":"

    # -- code and data regions ($x / $d mapping symbols) --------------------------------

    def _next_mapping(self, addr):
        return bisect.bisect_right(self.mapping, (addr, len(self.syms), ""))

    def is_data(self, addr):
        i = self._next_mapping(addr) - 1
        return i >= 0 and self.mapping[i][2] == "d"

    def data_length(self, addr):
        """objdump dumps data in words, cut short by the next mapping symbol."""
        i = self._next_mapping(addr)
        limit = self.mapping[i][0] if i < len(self.mapping) else self.region.end
        length = min(4, limit - addr)
        return 2 if length == 3 else length

    # -- one instruction ----------------------------------------------------------------

    def _complete(self, base_reg, offset, wide=False):
        """objdump's maybe_print_address: an address formed from ``base_reg``."""
        if self.hi[base_reg] is not None:
            addr = (self.hi[base_reg] if base_reg else 0) + offset
            self.hi[base_reg] = None
        elif base_reg == 3 and self.gp is not None:
            addr = self.gp + offset
        elif base_reg in (0, 4):  # zero, tp
            addr = offset
        else:
            return
        self.note = _sext(addr, 32) & MASK64 if wide else addr & MASK64

    def _track(self, p, pc):
        """Which printed operands remember or complete an address, as in objdump."""
        f = p.fields
        if p.cmnemonic is not None:  # compressed: only c.lui, c.addi and c.addiw take part
            if p.cmnemonic == "c.lui":
                self.hi[f["rd"]] = f["imm_u"] & MASK64
            elif p.cmnemonic in ("c.addi", "c.addiw") and f["rd"]:
                self._complete(f["rd"], f["imm_i"], wide=p.cmnemonic == "c.addiw")
            return
        tokens = p.tokens.split(",")
        if p.base == "lui":
            self.hi[f["rd"]] = f["imm_u"] & MASK64
        elif p.base == "auipc":
            self.hi[f["rd"]] = (pc + f["imm_u"]) & MASK64
        elif p.base in ("addi", "addiw"):
            if "imm_i" in tokens and f["rs1"]:
                self._complete(f["rs1"], f["imm_i"], wide=p.base == "addiw")
        elif "imm_i(xs1)" in tokens:  # loads, jalr
            self._complete(f["rs1"], f["imm_i"])
            if p.base == "jalr":
                self._complete(f["rs1"], f["imm_i"])
        elif p.base == "jalr" and "xs1" in tokens:
            self._complete(f["rs1"], f["imm_i"])
        elif "imm_s(xs1)" in tokens:
            self._complete(f["rs1"], f["imm_s"])

    def insn_text(self, value, pc):
        length, mnemonic, f = decode(value, self.isa)
        if mnemonic is None:
            return _unknown(length, value, self.isa)
        p = _printed(length, mnemonic, f)
        self.note = None
        text = _text(p, pc, self.address)
        self._track(p, pc)
        if self.note is not None:
            text += " # " + self.address(self.note)
        return text

    # -- a section ----------------------------------------------------------------------

    def lines(self, region):
        """The listing of one code region: labels, then its instructions."""
        self.enter(region)
        data, vma = region.data, region.vma
        digits = f"{region.end:016x}"
        zeros = len(digits) - len(digits.lstrip("0"))
        self.skip = (zeros - 1) & ~3 if zeros else 0
        yield ""
        yield f"Disassembly of section {region.name}:"
        sym, place = self.find_symbol(vma, require_section=True)
        offset = 0
        while offset < len(data):  # one label, then everything up to the next one
            addr = vma + offset
            yield ""
            yield self.label(addr, sym)
            if sym is None or sym.value > addr:
                nextsym = sym
            else:
                while place < len(self.syms) and not self._next_label(self.syms[place], sym):
                    place += 1
                nextsym = self.syms[place] if place < len(self.syms) else None
            stop = len(data)
            if nextsym is not None:
                stop = nextsym.value - vma
            if stop > len(data) or stop <= offset:
                stop = len(data)
            yield from self._chunk(offset, stop)
            offset = stop
            sym = nextsym

    def _next_label(self, s, sym):
        return s.section == self.region.name and s.value > sym.value and s.valid

    def _addr_column(self, addr):
        digits = f"{addr:016x}"[self.skip:]
        return (digits.lstrip("0") or "0").rjust(len(digits))

    def _chunk(self, offset, stop):
        data, vma = self.region.data, self.region.vma
        while offset < stop:
            z = offset
            while z < stop and data[z] == 0:
                z += 1
            zeros = z - offset
            if zeros >= SKIP_ZEROES or (z == stop and zeros < SKIP_ZEROES_AT_END):
                yield "\t..."
                offset += zeros if z == stop else zeros & ~3
                continue
            addr = vma + offset
            if self.is_data(addr):
                n = self.data_length(addr)
                value = int.from_bytes(data[offset:offset + n], "little")
                raw = f"{value:0{2 * n}x}"
                text = f"{_DATA_DIRECTIVES[n]}\t0x{raw}"
            else:
                n = 2 if data[offset] & 3 != 3 else 4
                if offset + n > len(data):  # a truncated instruction at the very end
                    n = len(data) - offset
                    value = int.from_bytes(data[offset:offset + n], "little")
                    text = f".{n}byte\t{value:#x}" if n > 1 else f".byte\t{value:#04x}"
                else:
                    value = int.from_bytes(data[offset:offset + n], "little")
                    text = self.insn_text(value, addr)
                raw = f"{value:0{2 * n}x}"
            yield f"{self._addr_column(addr)}:\t{raw.ljust(18 if n == 4 else 20)}\t{text}"
            offset += n


_DATA_DIRECTIVES = {1: ".byte", 2: ".short", 4: ".word"}


def disassemble_elf(path, isa="rv64gc"):
    """Yield an objdump -d style listing of the executable sections of the ELF at ``path``
    (or of its executable segments when it has no section headers), one line at a time.

    ``isa`` limits decoding as in :func:`disassemble` (default rv64gc; None: everything the
    tables know). Raises ``ElfError`` for files that are not RV64 ELF images.
    """
    regions, symbols = _load(path)
    listing = _Listing(symbols, _isa_names(isa))
    yield ""
    yield f"{path}:     file format elf64-littleriscv"
    yield ""
    for region in regions:
        yield from listing.lines(region)
