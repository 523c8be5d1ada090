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
    Extension("h", "hypervisor", requires=("s",), misa="H"),
]

BY_NAME = {e.name: e for e in EXTENSIONS}
EXT_BIT = {e.name: i for i, e in enumerate(EXTENSIONS)}

# "g" is shorthand for imafd_zicsr_zifencei (unpriv "RV32G/RV64G").
G_EXPANSION = ("i", "m", "a", "f", "d", "zicsr", "zifencei")
