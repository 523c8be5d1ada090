"""rvemu: a fast RISC-V instruction-level emulator for Python with a Cython core.

The compiled core is imported lazily so that the pure-Python parts (``rvemu.isa``) can be
used by the build itself before anything is compiled.
"""
from rvemu.errors import RvemuError

__version__ = "0.1.0"
__all__ = ["Machine", "RvemuError", "__version__"]


def __getattr__(name):
    if name == "Machine":
        from rvemu.machine.machine import Machine
        return Machine
    raise AttributeError(f"module 'rvemu' has no attribute {name!r}")
