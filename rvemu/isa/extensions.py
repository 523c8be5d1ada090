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
    bundle: bool = False        # a name for its implies (or a parameter): takes no mask bit


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
    Extension("v", "vector", requires=("d",), implies=("zve64d", "zvl128b"), misa="V"),
    Extension("h", "hypervisor", requires=("s",), misa="H"),
]

# Vector subsets and the vector FP16/BF16 extensions (unpriv "Zve*: Vector Extensions for
# Embedded Processors", zvfh/zvfhmin/zvfbfmin/zvfbfwma); the Zvl<N>b names are bundles
# that state a minimum VLEN and take no mask bit.
EXTENSIONS += [
    Extension("zve32x", "vector, 32-bit integer elements", requires=("zicsr",),
              implies=("zvl32b",)),
    Extension("zve32f", "vector, FP32 elements", requires=("f",), implies=("zve32x",)),
    Extension("zve64x", "vector, 64-bit integer elements", implies=("zve32x", "zvl64b")),
    Extension("zve64f", "vector, 64-bit integer and FP32 elements", implies=("zve64x", "zve32f")),
    Extension("zve64d", "vector, FP64 elements", requires=("d",), implies=("zve64f",)),
    Extension("zvfhmin", "vector FP16 conversions", requires=("zve32f",)),
    Extension("zvfh", "vector FP16 arithmetic", requires=("zve32f", "zfhmin"),
              implies=("zvfhmin",)),
    Extension("zvfbfmin", "vector BF16 conversions", requires=("zve32f",)),
    Extension("zvfbfwma", "vector BF16 widening multiply-add", requires=("zvfbfmin", "zfbfmin")),
]
ZVL = {f"zvl{n}b": n for n in (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768,
                               65536)}
EXTENSIONS += [Extension(name, f"VLEN >= {n}", bundle=True,
                         implies=(f"zvl{n // 2}b",) if n > 32 else ())
               for name, n in ZVL.items()]

# Vector bit-manipulation and crypto (unpriv zvbb.adoc, zvbc.adoc, zvk.adoc; spec-facts 4.8
# and 5), executed by rvemu/_core/zvk_exec.h from the vector unit. After the entries above so
# that their mask bits stay where they were.
EXTENSIONS += [
    Extension("zvbb", "vector basic bit-manipulation", requires=("zve32x",),
              implies=("zvkb",)),
    Extension("zvbc", "vector carry-less multiply (SEW=64)", requires=("zve64x",)),
    Extension("zvkb", "vector crypto bit-manipulation (subset of Zvbb)", requires=("zve32x",)),
    Extension("zvkg", "vector GCM/GMAC (GHASH)", requires=("zve32x",)),
    Extension("zvkned", "vector AES block cipher", requires=("zve32x",)),
    Extension("zvknha", "vector SHA-256", requires=("zve32x",)),
    Extension("zvknhb", "vector SHA-256 and SHA-512", requires=("zve64x",),
              implies=("zvknha",)),
    Extension("zvksed", "vector SM4 block cipher", requires=("zve32x",)),
    Extension("zvksh", "vector SM3 hash", requires=("zve32x",)),
    # Zvkt has no instructions: a promise about the latency of the listed instructions the
    # hart implements (rvemu/_core/zvk.h). zvk.adoc makes it depend on Zve32x like the
    # others (spec-facts 4.8 says "-").
    Extension("zvkt", "vector data-independent execution latency", requires=("zve32x",)),
]

# Shorthand bundles (unpriv zvk.adoc, "Extension shorthands"): id-less entries like the
# Zvl<N>b ones (no mask bit, the name kept in Isa.names), expanded to their members; each
# member's own ``requires`` is checked (so Zvkn needs Zve64x through Zvknhb).
BUNDLES = {
    "zvkn": ("zvkned", "zvknhb", "zvkb", "zvkt"),
    "zvknc": ("zvkned", "zvknhb", "zvkb", "zvkt", "zvbc"),
    "zvkng": ("zvkned", "zvknhb", "zvkb", "zvkt", "zvkg"),
    "zvks": ("zvksed", "zvksh", "zvkb", "zvkt"),
    "zvksc": ("zvksed", "zvksh", "zvkb", "zvkt", "zvbc"),
    "zvksg": ("zvksed", "zvksh", "zvkb", "zvkt", "zvkg"),
}
EXTENSIONS += [Extension(name, "shorthand for " + ", ".join(members), bundle=True,
                         implies=members) for name, members in BUNDLES.items()]

BY_NAME = {e.name: e for e in EXTENSIONS}
EXT_BIT = {e.name: i for i, e in enumerate(e for e in EXTENSIONS if not e.bundle)}
assert len(EXT_BIT) <= 64, "the extension mask is 64 bits wide"

# "g" is shorthand for imafd_zicsr_zifencei (unpriv "RV32G/RV64G").
G_EXPANSION = ("i", "m", "a", "f", "d", "zicsr", "zifencei")
