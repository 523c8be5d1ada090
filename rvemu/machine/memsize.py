"""Parse memory sizes such as ``256M``, ``1G``, ``65536`` or ``4KiB``."""
import re

from rvemu.errors import ConfigError

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
MAX_RAM = 16 << 30


def parse_size(value):
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(i?b)?\s*", str(value), re.IGNORECASE)
        if not m:
            raise ConfigError(f"bad memory size {value!r}; use bytes or a K/M/G suffix, e.g. '256M'")
        n = int(m.group(1)) * _UNITS[m.group(2).lower()]
    if n <= 0 or n % 4096:
        raise ConfigError(f"memory size {value!r} must be a positive multiple of 4 KiB")
    if n > MAX_RAM:
        raise ConfigError(f"memory size {value!r} is larger than the 16G rvemu supports")
    return n
