"""Parse ISA strings as Spike and QEMU spell them (``rv64gc``, ``rv64imafdc_zicsr``,
``rv64gcv_zfh_zfbfmin_h``) into a validated set of extensions."""
import re

from rvemu.errors import IsaStringError
from rvemu.isa.extensions import BY_NAME, EXT_BIT, G_EXPANSION

# Single-letter extensions in canonical order (unpriv "ISA Extension Naming Conventions").
_CANONICAL = "iemafdqlcbkjtpvh"
# The base ISA historically included these; Spike and QEMU still enable them with "i".
_WITH_BASE = ("zicsr", "zifencei", "zicntr", "zihpm")
_VERSION = re.compile(r"\d+(p\d+)?$")


class Isa:
    """A validated set of extensions, with the derived misa value and extension mask."""

    def __init__(self, text, names):
        self.text = text
        self.names = frozenset(names)

    def __contains__(self, name):
        return name in self.names

    @property
    def mask(self):
        m = 0
        for n in self.names:
            if n in EXT_BIT:  # bundles (Zvl<N>b) take no bit
                m |= 1 << EXT_BIT[n]
        return m

    @property
    def misa(self):
        v = 2 << 62  # MXL = 64
        for n in self.names:
            letter = BY_NAME[n].misa
            if letter:
                v |= 1 << (ord(letter) - ord("A"))
        return v

    def canonical(self):
        """The canonical spelling: rv64 + single letters in order + _multi_letter."""
        singles = "".join(c for c in _CANONICAL if c in self.names)
        multi = sorted(n for n in self.names if len(n) > 1 and n not in _WITH_BASE
                       and n not in ("zaamo", "zalrsc") and not (n == "zfhmin" and "zfh" in self.names))
        return "rv64" + singles + "".join("_" + n for n in multi)

    def __repr__(self):
        return f"Isa({self.canonical()!r})"


def _strip_version(token):
    m = _VERSION.search(token)
    if m and m.start() > 0:
        return token[: m.start()]
    return token


def parse_isa(text, *, privileged=("s", "u")):
    """Parse an ISA string. Raises IsaStringError naming the problem.

    ``privileged`` lists the privilege-mode letters to add (M is always present); Spike
    passes privilege modes separately, so by default the hart has M, S and U.
    """
    if not isinstance(text, str) or not text.strip():
        raise IsaStringError("empty ISA string; expected something like 'rv64gc'")
    s = text.strip().lower()
    if not s.startswith("rv"):
        raise IsaStringError(f"ISA string {text!r} must start with 'rv64'")
    m = re.match(r"rv(\d+)", s)
    if not m:
        raise IsaStringError(f"ISA string {text!r} has no XLEN; expected 'rv64...'")
    if m.group(1) != "64":
        raise IsaStringError(f"ISA string {text!r}: only RV64 is supported, not RV{m.group(1)}")
    rest = s[m.end():]
    if not rest:
        raise IsaStringError(f"ISA string {text!r} names no base ISA; expected 'rv64i' or 'rv64g'")
    parts = rest.split("_")
    head, tail = parts[0], [p for p in parts[1:]]
    if any(p == "" for p in tail):
        raise IsaStringError(f"ISA string {text!r} has an empty extension between underscores")
    names = set()
    via = {}  # member -> the bundle (zvkn ...) that brought it in, for error messages
    # single letters, each optionally followed by a version (e.g. i2p1)
    i = 0
    if not head or head[0] not in "ig":
        raise IsaStringError(f"ISA string {text!r}: the base must be 'i' or 'g' (found {head[:1]!r})")
    while i < len(head):
        c = head[i]
        if c in "zsx":  # a multi-letter extension glued to the single letters
            tail.insert(0, head[i:])
            break
        i += 1
        v = re.match(r"\d+(p\d+)?", head[i:])
        if v:
            i += v.end()
        if c == "g":
            names.update(G_EXPANSION)
        elif c == "e":
            raise IsaStringError(f"ISA string {text!r}: the RV64E base is not supported")
        elif c in BY_NAME:
            names.add(c)
        elif c in _CANONICAL:
            raise IsaStringError(f"ISA string {text!r}: extension {c!r} is not supported")
        else:
            raise IsaStringError(f"ISA string {text!r}: unknown extension letter {c!r}")
    for tok in tail:
        name = _strip_version(tok)
        if len(name) == 1:
            if name in BY_NAME:
                names.add(name)
                continue
            raise IsaStringError(f"ISA string {text!r}: unknown extension {tok!r}")
        if name not in BY_NAME:
            raise IsaStringError(f"ISA string {text!r}: unknown extension {tok!r}")
        names.add(name)
    names.update(_WITH_BASE)
    names.update(privileged)
    # implied extensions (to a fixed point)
    changed = True
    while changed:
        changed = False
        for n in list(names):
            for imp in BY_NAME[n].implies:
                if BY_NAME[n].bundle:
                    via.setdefault(imp, via.get(n, n))
                if imp not in names:
                    names.add(imp)
                    changed = True
    for n in sorted(names):
        ext = BY_NAME[n]
        for req in ext.requires:
            if req not in names:
                origin = f" (from {via[n]!r})" if n in via else ""
                raise IsaStringError(f"ISA string {text!r}: extension {n!r}{origin} requires {req!r}")
        if not ext.implemented:
            raise IsaStringError(f"ISA string {text!r}: extension {n!r} is not implemented yet")
    return Isa(text, names)
