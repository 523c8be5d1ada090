"""Build the Cython core.

Before cythonizing, the decoder tables and constants are generated from the declarative
tables in ``rvemu.isa`` (the single source of truth), so the hart, the disassembler and the
ISA-string parser can never disagree about an encoding.
"""
import glob
import os
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rvemu.isa import codegen  # noqa: E402  (pure Python, no compiled parts)

codegen.write_all(os.path.join(HERE, "rvemu", "_core"))

CFLAGS = ["-O3", "-fno-tree-slp-vectorize", "-fno-strict-aliasing", "-fno-semantic-interposition",
          "-Wno-unused-function", "-Wno-unused-variable", "-Wno-unreachable-code"]
if os.environ.get("RVEMU_NATIVE"):
    CFLAGS.append("-march=native")

DIRECTIVES = dict(
    language_level=3, boundscheck=False, wraparound=False, initializedcheck=False,
    cdivision=True, overflowcheck=False, nonecheck=False, embedsignature=True,
)

extensions = [
    Extension(
        "rvemu._core." + os.path.splitext(os.path.basename(p))[0],
        [os.path.relpath(p, HERE)],
        include_dirs=[numpy.get_include(), os.path.join(HERE, "rvemu", "_core")],
        extra_compile_args=CFLAGS,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
    )
    for p in sorted(glob.glob(os.path.join(HERE, "rvemu", "_core", "*.pyx")))
]

setup(ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES,
                            annotate=bool(os.environ.get("RVEMU_ANNOTATE"))))
