"""Extensions the hart knows: name, misa letter, what each requires and implies.

The order of ``EXTENSIONS`` fixes each extension's bit in the hart's extension mask
(generated as ``EXT_<NAME>`` constants); append new ones at the end.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Extension:
    name: str
    description: str
    requires: tuple = ()        # each must also be present (checked, never silently added)
    implies: tuple = ()         # added automatically, as the spec's "implies" rules say
    misa: str = ""              # single-letter extensions set this misa bit
    implemented: bool = True    # parsed and validated, but rejected if not implemented yet
    extra: dict = field(default_factory=dict)


EXTENSIONS = [
    Extension("i", "base integer ISA", misa="I"),
    Extension("m", "integer multiply/divide", misa="M"),
    Extension("a", "atomics", implies=("zaamo", "zalrsc"), misa="A"),
    Extension("f", "single-precision FP", requires=("zicsr",), misa="F"),
    Extension("d", "double-precision FP", requires=("f",), misa="D"),
    Extension("c", "compressed instructions", misa="C"),
    Extension("zicsr", "control and status registers"),
    Extension("zifencei", "instruction-fetch fence"),
    Extension("zicntr", "base counters and timers", requires=("zicsr",)),
    Extension("zihpm", "hardware performance counters", requires=("zicsr",)),
    Extension("s", "supervisor mode", misa="S"),
    Extension("u", "user mode", misa="U"),
    Extension("zfh", "half-precision FP", requires=("f",), implies=("zfhmin",)),
    Extension("zfhmin", "minimal half-precision FP", requires=("f",)),
    Extension("zfbfmin", "scalar BF16 conversions", requires=("f",)),
    Extension("zaamo", "atomic memory operations"),
    Extension("zalrsc", "load-reserved/store-conditional"),
    Extension("sstc", "supervisor timer compare", requires=("s",)),
    Extension("svadu", "hardware A/D bit updates"),
    Extension("v", "vector", requires=("d",), implemented=False, misa="V"),
    Extension("h", "hypervisor", requires=("s",), implemented=False, misa="H"),
    # Vector bit-manipulation and crypto (unpriv zvbb.adoc, zvbc.adoc, zvk.adoc; spec-facts
    # 4.8 and 5). Not implemented until the vector unit runs them.
    Extension("zvbb", "vector basic bit-manipulation", requires=("zve32x",),
              implies=("zvkb",), implemented=False),
    Extension("zvbc", "vector carry-less multiply (SEW=64)", requires=("zve64x",),
              implemented=False),
    Extension("zvkb", "vector crypto bit-manipulation (subset of Zvbb)", requires=("zve32x",),
              implemented=False),
    Extension("zvkg", "vector GCM/GMAC (GHASH)", requires=("zve32x",), implemented=False),
    Extension("zvkned", "vector AES block cipher", requires=("zve32x",), implemented=False),
    Extension("zvknha", "vector SHA-256", requires=("zve32x",), implemented=False),
    Extension("zvknhb", "vector SHA-256 and SHA-512", requires=("zve64x",),
              implies=("zvknha",), implemented=False),
    Extension("zvksed", "vector SM4 block cipher", requires=("zve32x",), implemented=False),
    Extension("zvksh", "vector SM3 hash", requires=("zve32x",), implemented=False),
    # Zvkt has no instructions: a promise about the latency of the listed instructions the
    # hart implements (rvemu/_core/zvk.h). zvk.adoc makes it depend on Zve32x like the
    # others (spec-facts 4.8 says "-").
    Extension("zvkt", "vector data-independent execution latency", requires=("zve32x",),
              implemented=False),
    # PLACEHOLDERS for the vector helper's entries (branch rvv): only so that the ZV*
    # requirements above resolve on this branch. Drop these two at the merge.
    Extension("zve32x", "PLACEHOLDER vector, 32-bit elements", requires=("zicsr",),
              implemented=False),
    Extension("zve64x", "PLACEHOLDER vector, 64-bit elements", requires=("zve32x",),
              implemented=False),
]

BY_NAME = {e.name: e for e in EXTENSIONS}
EXT_BIT = {e.name: i for i, e in enumerate(EXTENSIONS)}

# "g" is shorthand for imafd_zicsr_zifencei (unpriv "RV32G/RV64G").
G_EXPANSION = ("i", "m", "a", "f", "d", "zicsr", "zifencei")

# Shorthand bundles (unpriv zvk.adoc, "Extension shorthands"): accepted in ISA strings and
# expanded to their members; they take no bit of the extension mask. Each member's own
# ``requires`` is checked (so Zvkn needs Zve64x through Zvknhb).
BUNDLES = {
    "zvkn": ("zvkned", "zvknhb", "zvkb", "zvkt"),
    "zvknc": ("zvkned", "zvknhb", "zvkb", "zvkt", "zvbc"),
    "zvkng": ("zvkned", "zvknhb", "zvkb", "zvkt", "zvkg"),
    "zvks": ("zvksed", "zvksh", "zvkb", "zvkt"),
    "zvksc": ("zvksed", "zvksh", "zvkb", "zvkt", "zvbc"),
    "zvksg": ("zvksed", "zvksh", "zvkb", "zvkt", "zvkg"),
}
