"""Consistency of the declarative ISA tables (rvemu/isa): encodings, CSRs, causes.

(a) encodings do not overlap, except where an overlap is declared below with its reason;
(b) they agree with the official riscv-opcodes data (mask/match of every mnemonic, and no
    official mnemonic of an extension we implement is missing unless declared), read at
    test time from ``<checkout>/../shared/reference/riscv-opcodes`` -- skipped, not passed,
    when that folder is absent;
(c) CSR numbers agree with the official csrs.csv; (d) trap causes with causes.csv;
and the pure-Python RVC expander (rvemu/isa/rvc.py) equals the hart's C one on every parcel.
"""
import csv
import itertools
import pathlib

import pytest

from rvemu.isa import causes, csrs, encodings, rvc
from rvemu.isa.disasm import ALIASES

ROOT = pathlib.Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "riscv-opcodes"


def _entries(table):
    out = []
    for mnemonic, bits, operands, ext in table:
        mask, match, width = encodings.mask_match(bits)
        out.append((mnemonic, mask, match, width))
    return out


ALL = _entries(encodings.ALL)
RV64C = _entries(encodings.RV64C)


# --------------------------------------------------------------------------------------
# (a) overlaps
# --------------------------------------------------------------------------------------

# Declared overlaps: {(more specific, less specific): reason}. Decoders try entries with
# more fixed bits first, so the first one wins wherever both match.
ALLOWED_OVERLAPS_32 = {}
ALLOWED_OVERLAPS_16 = {
    ("c.nop", "c.addi"): "c.addi with rd=x0 is c.nop (rd!=0 constraint of c.addi)",
    ("c.addi16sp", "c.lui"): "c.lui with rd=x2 is c.addi16sp (rd!=2 constraint of c.lui)",
    ("c.jr", "c.mv"): "c.mv with rs2=x0 is c.jr (rs2!=0 constraint of c.mv)",
    ("c.jalr", "c.add"): "c.add with rs2=x0 is c.jalr (rs2!=0 constraint of c.add)",
    ("c.ebreak", "c.add"): "c.add with rd=rs2=x0 is c.ebreak",
    ("c.ebreak", "c.jalr"): "c.jalr with rs1=x0 is c.ebreak (rs1!=0 constraint of c.jalr)",
}


def _overlaps(entries):
    found = {}
    for (a, ma, xa, _), (b, mb, xb, _) in itertools.combinations(entries, 2):
        if (xa ^ xb) & ma & mb == 0:  # some word matches both
            specific, general = ((a, ma), (b, mb)) if bin(ma).count("1") >= bin(mb).count("1") \
                else ((b, mb), (a, ma))
            found[specific[0], general[0]] = specific[1] & general[1] == general[1]
    return found


@pytest.mark.parametrize("entries,allowed", [(ALL, ALLOWED_OVERLAPS_32), (RV64C, ALLOWED_OVERLAPS_16)],
                         ids=["ALL", "RV64C"])
def test_no_undeclared_overlaps(entries, allowed):
    found = _overlaps(entries)
    assert set(found) - set(allowed) == set(), "undeclared overlapping encodings"
    assert set(allowed) - set(found) == set(), "declared overlaps that no longer exist"
    # every overlap must be a strict refinement, so "most fixed bits first" is well defined
    assert all(found.values()), [k for k, nested in found.items() if not nested]


def test_widths_and_names():
    assert all(width == 32 for *_, width in ALL)
    assert all(width == 16 and m.startswith("c.") for m, *_, width in RV64C)
    assert all(match & 3 == 3 for _, _, match, _ in ALL)
    assert all(match & 3 != 3 for _, _, match, _ in RV64C)
    names = [m for m, *_ in ALL + RV64C]
    assert len(names) == len(set(names)), "duplicate mnemonics"
    assert set(rvc.EXPANSIONS) == {m for m, *_ in RV64C}


# --------------------------------------------------------------------------------------
# The pure-Python RVC expander against the hart's C expander, on every parcel
# --------------------------------------------------------------------------------------


def test_python_rvc_expander_equals_c_expander():
    _rvc = pytest.importorskip("rvemu._core._rvc", reason="build the extensions first")
    bad = [f"{p:04x}: python {rvc.expand(p):08x}, C {_rvc.expand(p):08x}"
           for p in range(0x10000) if rvc.expand(p) != _rvc.expand(p)]
    assert not bad, f"{len(bad)} parcels differ, e.g. " + "; ".join(bad[:8])


def test_rvc_expansions_decode_to_their_base_instruction():
    from rvemu.isa.disasm import decode
    for p in range(0x10000):
        if p & 3 == 3 or rvc.decode(p) is None:
            continue
        mnemonic = rvc.lookup(p)
        length, base, _ = decode(rvc.expand(p))
        assert base == rvc.EXPANSIONS[mnemonic][0], (hex(p), mnemonic, base)


# --------------------------------------------------------------------------------------
# (b)-(d) the official riscv-opcodes data
# --------------------------------------------------------------------------------------

# The extension files whose instructions we implement (rv32_* files are RV32-only).
OUR_FILES = [
    "rv_i", "rv64_i", "rv_m", "rv64_m", "rv_a", "rv64_a", "rv_f", "rv64_f", "rv_d", "rv64_d",
    "rv_zfh", "rv64_zfh", "rv_zfhmin", "rv_d_zfhmin", "rv_zfbfmin", "rv_zicsr",
    "rv_zifencei", "rv_zicntr", "rv_system", "rv_s", "rv_c", "rv64_c", "rv_c_d",
    "rv_h", "rv64_h",
    "rv_v", "rv_zvfbfmin", "rv_zvfbfwma",
    "rv_zvbb", "rv_zvbc", "rv_zvkg", "rv_zvkned", "rv_zvknha", "rv_zvknhb", "rv_zvksed",
    "rv_zvksh",
]

# Official mnemonics in those files that we deliberately leave out: {name: reason}.
OMITTED = {}

# Disassembler aliases (rvemu/isa/disasm.py ALIASES) that carry an official pseudo-op's
# name but a different encoding constraint: {(base, alias): reason}.
ALIAS_DIFFERENCES = {
    ("fence", "fence.tso"): "objdump (and we) print fence.tso only with rd=rs1=x0",
}


def _reference():
    if not REFERENCE.is_dir():
        pytest.skip(f"official riscv-opcodes data not found at {REFERENCE}")
    return REFERENCE


def _fixed_bits(tokens):
    """mask/match of the ``hi..lo=value`` and ``bit=value`` tokens of one line."""
    mask = match = 0
    for token in tokens:
        lhs, eq, value = token.partition("=")
        if not eq or not lhs[0].isdigit():
            continue  # an operand (rd, imm12...) or a constraint such as rs2=rs1
        hi, _, lo = lhs.partition("..")
        hi, lo = int(hi), int(lo or hi)
        width = hi - lo + 1
        v = int(value, 0)
        assert 0 <= v < 1 << width, token
        mask |= ((1 << width) - 1) << lo
        match |= v << lo
    return mask, match


def _parse_file(path):
    """``(instructions, pseudo_ops, imports)`` of one extension file.

    instructions: {name: (mask, match)}; pseudo_ops: {(base, name): (mask, match)};
    imports: [(file, name)].
    """
    insns, pseudos, imports = {}, {}, []
    for line in path.read_text().splitlines():
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        if tokens[0] == "$import":
            imports.append(tuple(tokens[1].split("::")))
        elif tokens[0] == "$pseudo_op":
            base = tokens[1].split("::")[1]
            pseudos[base, tokens[2]] = _fixed_bits(tokens[3:])
        else:
            insns[tokens[0]] = _fixed_bits(tokens[1:])
    return insns, pseudos, imports


def _official(with_files=False):
    """Official instructions and pseudo-ops of OUR_FILES; rv64_* definitions win.

    With ``with_files``, also {mnemonic: the file that defines it}."""
    ext_dir = _reference() / "extensions"
    missing = [f for f in OUR_FILES if not (ext_dir / f).is_file()]
    assert not missing, f"extension files not in the reference: {missing}"
    insns, pseudos, files = {}, {}, {}
    for name in sorted(OUR_FILES, key=lambda f: f.startswith("rv64_")):
        i, p, imports = _parse_file(ext_dir / name)
        for other, mnemonic in imports:
            i[mnemonic] = _parse_file(ext_dir / other)[0][mnemonic]
        insns.update(i)
        pseudos.update(p)
        files.update(dict.fromkeys(i, name))
    return (insns, pseudos, files) if with_files else (insns, pseudos)


# The extensions each official file stands for, in our names (extensions.py). The machine-
# mode instructions of rv_system (mret, wfi) come with every hart; we tag them "i".
FILE_EXTENSIONS = {
    "rv_system": {"i"}, "rv_d_zfhmin": {"d", "zfhmin"}, "rv_c_d": {"c", "d"},
}


def test_extension_tags_match_official_files():
    _, _, files = _official(with_files=True)
    bad = []
    for mnemonic, bits, operands, ext in encodings.ALL + encodings.RV64C:
        f = files[mnemonic]
        want = FILE_EXTENSIONS.get(f, {f.split("_", 1)[1]})
        alternatives = [set(alt) for alt in encodings.extensions_of(ext)]
        if want not in alternatives:
            bad.append(f"{mnemonic}: ours {ext!r}, official file {f} ({sorted(want)})")
    assert not bad, "\n".join(bad)


def test_every_entry_matches_the_official_encoding():
    official, _ = _official()
    bad = []
    for mnemonic, mask, match, width in ALL + RV64C:
        if mnemonic not in official:
            bad.append(f"{mnemonic}: not in the official files {OUR_FILES}")
        elif official[mnemonic] != (mask, match):
            om, ox = official[mnemonic]
            bad.append(f"{mnemonic}: ours mask/match {mask:#x}/{match:#x}, official {om:#x}/{ox:#x}")
    assert not bad, "\n".join(bad)


def test_every_official_mnemonic_is_implemented():
    official, _ = _official()
    ours = {m for m, *_ in ALL + RV64C}
    missing = sorted(set(official) - ours - set(OMITTED))
    assert not missing, f"official mnemonics missing from encodings.py: {missing}"
    assert not set(OMITTED) & ours, "declared omissions that are now implemented"


def _alias_encoding(base, conditions):
    """mask/match of our alias form: the base entry plus its field=constant conditions."""
    fields = {"rd": (11, 7), "rs1": (19, 15), "rs2": (24, 20), "imm_i": (31, 20),
              "csr": (31, 20), "fm": (31, 28), "pred": (27, 24), "succ": (23, 20)}
    mask, match, _ = encodings.mask_match(dict((m, b) for m, b, *_ in encodings.ALL)[base])
    for term in conditions.split():
        name, _, value = term.partition("=")
        try:
            v = int(value, 0)
        except ValueError:
            continue  # field=otherfield: riscv-opcodes writes these as constraints too
        hi, lo = fields[name]
        width = ((1 << (hi - lo + 1)) - 1)
        mask |= width << lo
        match = (match & ~(width << lo)) | ((v & width) << lo)
    return mask, match


def test_disassembler_aliases_agree_with_official_pseudo_ops():
    """Where an alias has an official pseudo-op's name, one of its forms encodes it."""
    _, pseudos = _official()
    bad = []
    for (base, name), official in pseudos.items():
        forms = [c for n, c, _ in ALIASES.get(base, ()) if n == name]
        if not forms or (base, name) in ALIAS_DIFFERENCES:
            continue
        if official not in [_alias_encoding(base, c) for c in forms]:
            bad.append(f"{base} -> {name}: official mask/match {official[0]:#x}/{official[1]:#x}")
    assert not bad, "\n".join(bad)
    for base, name in ALIAS_DIFFERENCES:
        assert (base, name) in pseudos and any(n == name for n, *_ in ALIASES[base])


def _csv(name):
    with open(_reference() / name, newline="") as fh:
        return [(int(row[0], 16), row[1]) for row in csv.reader(fh, skipinitialspace=True) if row]


def test_csr_numbers_match_official():
    official = {name: number for number, name in _csv("csrs.csv")}
    ours = [(name, number) for name, number, _ in csrs.CSRS]
    unknown = [name for name, _ in ours if name not in official]
    assert not unknown, f"CSRs not in the official list: {unknown}"
    wrong = [f"{name}: ours {number:#x}, official {official[name]:#x}"
             for name, number in ours if official[name] != number]
    assert not wrong, wrong
    assert len({n for _, n in ours}) == len(ours), "two CSR names share a number"


def test_exception_causes_match_official():
    official = dict(_csv("causes.csv"))
    ours = dict((code, name) for name, code in causes.EXCEPTIONS)
    unknown = sorted(set(ours) - set(official))
    assert not unknown, f"exception codes not in the official list: {unknown}"
    wrong = [f"{code}: ours {ours[code]!r}, official {official[code]!r}"
             for code in ours if ours[code].replace("_", " ") != official[code]]
    assert not wrong, wrong
