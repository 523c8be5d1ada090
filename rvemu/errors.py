"""The exception hierarchy: every error rvemu raises derives from RvemuError."""


class RvemuError(Exception):
    """Base class of every error raised by rvemu."""


class IsaStringError(RvemuError, ValueError):
    """An ISA string (e.g. ``rv64gc_zfh``) is malformed, unknown or inconsistent."""


class ConfigError(RvemuError, ValueError):
    """A machine configuration value (RAM size, VLEN, board...) is invalid."""


class ElfError(RvemuError):
    """An ELF image cannot be loaded (wrong machine, class, truncated, does not fit...)."""


class MemoryAccessError(RvemuError):
    """A host-side memory access (mem_read/mem_write) falls outside mapped memory."""


class RegisterError(RvemuError, KeyError):
    """A register name or number is unknown."""

    def __str__(self):  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class HartError(RvemuError):
    """The hart stopped because of an emulator-side error (not a guest trap)."""
