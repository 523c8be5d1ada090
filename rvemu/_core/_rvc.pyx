# cython: language_level=3
"""Test hook for the C-extension expander in ``rvc.h`` (the hart includes the header directly)."""

from libc.stdint cimport uint32_t

cdef extern from "rvc.h" nogil:
    uint32_t rvc_expand(uint32_t c)


def expand(unsigned int c) -> int:
    """Return the 32-bit expansion of the 16-bit RVC parcel ``c``, or 0 if it is illegal on RV64."""
    return rvc_expand(c)
