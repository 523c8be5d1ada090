"""Declarative RISC-V tables: encodings, CSRs, trap causes and extensions.

Everything else (the generated Cython decoder, the disassembler, the ISA-string parser,
misa bits) reads these tables; nothing here imports compiled code.
"""
