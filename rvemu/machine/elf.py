"""ELF loading with pyelftools: validate, then copy PT_LOAD segments into guest memory."""
import io
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError as _PyElfError
from elftools.elf.elffile import ELFFile

from rvemu.errors import ElfError

EM_RISCV = 243


@dataclass
class Segment:
    paddr: int
    data: bytes
    memsz: int


@dataclass
class ElfImage:
    """What a loader needs from an ELF: entry, segments to copy, symbols."""
    entry: int
    segments: list
    symbols: dict = field(default_factory=dict)
    path: str = ""

    def symbol(self, name):
        return self.symbols.get(name)


def read_elf(path_or_bytes, *, name=None):
    """Parse and validate a RISC-V RV64 ELF executable. Raises ElfError on bad input."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        blob = bytes(path_or_bytes)
        label = name or "<bytes>"
    else:
        label = str(path_or_bytes)
        try:
            with open(path_or_bytes, "rb") as fh:
                blob = fh.read()
        except OSError as e:
            raise ElfError(f"cannot read {label}: {e.strerror or e}") from None
    if blob[:4] != b"\x7fELF":
        raise ElfError(f"{label} is not an ELF file (no ELF magic)")
    try:
        elf = ELFFile(io.BytesIO(blob))
        if elf.elfclass != 64:
            raise ElfError(f"{label} is a {elf.elfclass}-bit ELF; rvemu runs RV64 (64-bit) images")
        if not elf.little_endian:
            raise ElfError(f"{label} is big-endian; RISC-V images are little-endian")
        if elf["e_machine"] not in ("EM_RISCV", EM_RISCV):
            raise ElfError(f"{label} is for machine {elf['e_machine']}, not RISC-V")
        if elf["e_type"] not in ("ET_EXEC", "ET_DYN"):
            raise ElfError(f"{label} is not an executable (type {elf['e_type']})")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            if seg["p_filesz"] > seg["p_memsz"]:
                raise ElfError(f"{label}: a segment's file size exceeds its memory size")
            off, n = seg["p_offset"], seg["p_filesz"]
            if off + n > len(blob):
                raise ElfError(f"{label} is truncated: a segment extends past the end of the file")
            segments.append(Segment(seg["p_paddr"], blob[off:off + n], seg["p_memsz"]))
        if not segments:
            raise ElfError(f"{label} has no loadable segments")
        ordered = sorted(segments, key=lambda s: s.paddr)
        for a, b in zip(ordered, ordered[1:]):
            if a.paddr + a.memsz > b.paddr:
                raise ElfError(f"{label} has overlapping segments at {a.paddr:#x} and {b.paddr:#x}")
        symbols = {}
        symtab = elf.get_section_by_name(".symtab")
        if symtab is not None and hasattr(symtab, "iter_symbols"):
            for sym in symtab.iter_symbols():
                if sym.name and sym["st_shndx"] != "SHN_UNDEF":
                    symbols.setdefault(sym.name, sym["st_value"])
        return ElfImage(elf["e_entry"], segments, symbols, label)
    except ElfError:
        raise
    except (_PyElfError, ValueError, KeyError, IndexError, AssertionError, TypeError,
            AttributeError, UnicodeDecodeError, OverflowError) as e:
        raise ElfError(f"{label} is a malformed ELF file: {e}") from None
    except Exception as e:  # construct's parse errors and the like: still bad input
        raise ElfError(f"{label} is a malformed ELF file: {type(e).__name__}: {e}") from None
