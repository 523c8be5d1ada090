"""The terminal side of `rvemu run`: stdin is read on a thread while the guest runs, so
interactive drivers (expect, a test talking to a pipe) work as well as scripts; a TTY is
put in raw mode (restored on exit) and Ctrl-A x quits, as with QEMU's -nographic."""
import os
import sys
import threading

CTRL_A = 0x01


class StdinPump:
    """Feed the guest console from a file descriptor until EOF or stop."""

    def __init__(self, machine, fd=None):
        self.m = machine
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.tty = os.isatty(self.fd)
        self._saved = None
        self._thread = threading.Thread(target=self._pump, name="rvemu-stdin", daemon=True)

    def __enter__(self):
        if self.tty:
            import termios
            import tty
            self._saved = termios.tcgetattr(self.fd)
            tty.setraw(self.fd)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._saved is not None:
            import termios
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _pump(self):
        escape = False
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            if self.tty:  # Ctrl-A x quits; Ctrl-A Ctrl-A sends one Ctrl-A
                out = bytearray()
                for b in data:
                    if escape:
                        escape = False
                        if b in (ord("x"), ord("X")):
                            self.m.stop()
                            return
                        out.append(b)
                    elif b == CTRL_A:
                        escape = True
                    else:
                        out.append(b)
                data = bytes(out)
            self.m.send_input(data)
