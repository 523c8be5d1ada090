"""The one exception of the KVM layer: every failing call raises KvmError with Linux's errno."""
import errno as _errno

from rvemu.errors import RvemuError


class KvmError(RvemuError, OSError):
    """A KVM call failed. ``.errno`` is the value Linux's ioctl would have failed with
    (``errno.EINVAL``, ``errno.ENOENT``, ``errno.EBUSY``, ``errno.E2BIG`` ...), so code
    written against the real ABI can test it the same way; the message says what was
    wrong and what to do. Nothing was changed by a call that raised."""

    def __init__(self, err, message):
        OSError.__init__(self, err, message)
        self.errno = err
        self.message = message

    def __str__(self):
        name = _errno.errorcode.get(self.errno, str(self.errno))
        return f"[{name}] {self.message}"

    def __reduce__(self):
        return (KvmError, (self.errno, self.message))


def errno_name(err):
    """'EINVAL' for errno.EINVAL (a readable name for messages and tests)."""
    return _errno.errorcode.get(err, str(err)) if err else "0"


__all__ = ["KvmError", "errno_name"]
