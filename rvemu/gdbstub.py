"""A GDB remote serial protocol stub for a :class:`~rvemu.machine.machine.Machine`.

``Machine.gdb_serve(port)`` (or ``rvemu run guest.elf --gdb PORT``) listens on 127.0.0.1,
serves one client, and returns when that client detaches, kills, or goes away.

What it speaks: packet framing with checksums and +/- acks, QStartNoAckMode, qSupported
(PacketSize, qXfer:features:read+, swbreak+), a target description (core x0-x31/pc, FPU
f0-f31/fflags/frm/fcsr, the CSRs the configured hart implements, and ``priv``), ``?``,
g/G (x0-x31 and pc; everything else through p/P), p/P, m/M/X, Z0/Z1 breakpoints (the
core's breakpoint set, at most 16), Z2 write watchpoints, s, c, C, S, vCont, Ctrl-C,
D (the guest then runs to its end), k, qAttached, qC, qfThreadInfo/qsThreadInfo (one
thread), T/W stop replies, and ``monitor help|phys``.

Register numbers are GDB's RISC-V numbers: x0-x31 = 0-31, pc = 32, f0-f31 = 33-64,
a CSR numbered n = 65 + n (fflags 66, frm 67, fcsr 68), priv = 4161.

Limits, in the open:

* Memory access (m/M/X and watchpoints) goes through the hart's current translation
  (satp, privilege, MPRV/SUM/MXR; Machine.virt_read/virt_write); ``monitor phys on``
  switches to guest physical RAM (``monitor phys off`` back). G-stage translation under
  V=1 comes with the H extension.
* Watchpoints single-step the hart (correct, but about a million instructions a second):
  Z2 (write) compares the watched bytes after each instruction, so a write that stores
  the same value is not seen; Z3 (read) and Z4 (access) use the hart's trace record of
  each step's data access (its virtual address).
* With V, v0..v31 in org.gnu.gdb.riscv.vector at the configured VLEN; with H, the H and VS
  CSRs and the V bit ("virt" beside "priv"). One hart.
"""
import select
import socket

from rvemu.isa.csrs import CSRS
from rvemu.isa.regs import F_ABI, X_ABI

SLICE = 1 << 20            # instructions per run() call while continuing: Ctrl-C latency
PACKET_SIZE = 0x4000
REG_PC = 32
REG_F0 = 33
REG_CSR0 = 65
REG_PRIV = 65 + 4096
REG_V0 = REG_PRIV + 1         # v0..v31 (org.gnu.gdb.riscv.vector, with a vector unit)
REG_VIRT = REG_V0 + 32        # the V bit (org.gnu.gdb.riscv.virtual, with H)
SIGINT, SIGTRAP, SIGSEGV = 2, 5, 11
FP_CSRS = {"fflags": 0x001, "frm": 0x002, "fcsr": 0x003}


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape_binary(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape_binary(data: bytes) -> bytes:
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("escape at end of binary data")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def _le_hex(value: int, nbytes: int) -> str:
    return (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little").hex()


class _Disconnected(Exception):
    pass


class _Register:
    __slots__ = ("name", "num", "bits", "type", "group", "read", "write")

    def __init__(self, name, num, bits, typ, group, read, write):
        self.name, self.num, self.bits, self.type, self.group = name, num, bits, typ, group
        self.read, self.write = read, write


class GdbStub:
    """The stub for one machine. ``serve()`` waits for a client and serves it."""

    def __init__(self, machine, port=1234, host="127.0.0.1"):
        self.m = machine
        self.phys = False       # memory through the current translation (monitor phys on: RAM)
        self.regs = {}
        self.features = []      # (feature name, [registers])
        self._build_registers()
        self.xml = self._target_xml().encode()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.conn = None
        self.noack = False
        self.swbreak = False
        self.watchpoints = {}   # addr -> length (write watchpoints)
        self.rwatch = {}        # addr -> length (read watchpoints, Z3)
        self.awatch = {}        # addr -> length (access watchpoints, Z4)
        self.outcome = None     # 'detach', 'kill', 'disconnect'
        self.last_result = None  # the RunResult of the last run, if any
        self.exited = False
        self._inbuf = bytearray()
        self._last_sent = b""

    # ---- registers and the target description -------------------------------------------
    def _build_registers(self):
        m = self.m

        def xreg(i):
            return _Register(X_ABI[i], i, 64,
                             "code_ptr" if i == 1 else "data_ptr" if i in (2, 3, 4) else "int",
                             None, lambda i=i: m.reg_read(f"x{i}"),
                             lambda v, i=i: m.reg_write(f"x{i}", v))
        core = [xreg(i) for i in range(32)]
        core.append(_Register("pc", REG_PC, 64, "code_ptr", None,
                              lambda: m.reg_read("pc"), lambda v: m.reg_write("pc", v)))
        self.features.append(("org.gnu.gdb.riscv.cpu", core))
        if "f" in m.isa:
            fpu = [_Register(F_ABI[i], REG_F0 + i, 64, "riscv_double", None,
                             lambda i=i: m.reg_read(f"f{i}"), lambda v, i=i: m.reg_write(f"f{i}", v))
                   for i in range(32)]
            for name, num in FP_CSRS.items():
                fpu.append(_Register(name, REG_CSR0 + num, 32, "int", "float",
                                     lambda n=name: m.reg_read(n), lambda v, n=name: m.reg_write(n, v)))
            self.features.append(("org.gnu.gdb.riscv.fpu", fpu))
        csrs = []
        for name, num, ext in CSRS:
            if name in FP_CSRS or (ext != "i" and ext not in m.isa):
                continue
            try:
                m.reg_read(name)
            except Exception:   # not implemented in this configuration
                continue
            csrs.append(_Register(name, REG_CSR0 + num, 64, "int", "csr",
                                  lambda n=name: m.reg_read(n), lambda v, n=name: m.reg_write(n, v)))
        self.features.append(("org.gnu.gdb.riscv.csr", csrs))
        if m.hart.v is not None:
            vlen = 8 * m.hart.vlenb
            self.features.append(("org.gnu.gdb.riscv.vector", [
                _Register(f"v{i}", REG_V0 + i, vlen, "riscv_vector", "vector",
                          lambda i=i: int.from_bytes(m.reg_read(f"v{i}"), "little"),
                          lambda v, i=i: m.reg_write(f"v{i}", v)) for i in range(32)]))
        virtual = [_Register("priv", REG_PRIV, 64, "int", "general",
                             lambda: m.reg_read("priv"), lambda v: m.reg_write("priv", v & 3))]
        if "h" in m.isa:  # the V bit: 1 in VS/VU mode
            virtual.append(_Register("virt", REG_VIRT, 64, "int", "general",
                                     lambda: m.reg_read("virt"),
                                     lambda v: m.reg_write("virt", v & 1)))
        self.features.append(("org.gnu.gdb.riscv.virtual", virtual))
        for _, regs in self.features:
            for r in regs:
                self.regs[r.num] = r
        self.g_regs = core

    def _target_xml(self):
        lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
                 "<target>", "<architecture>riscv:rv64</architecture>"]
        for fname, regs in self.features:
            lines.append(f'<feature name="{fname}">')
            if fname.endswith(".fpu"):
                lines.append('<union id="riscv_double"><field name="float" type="ieee_single"/>'
                             '<field name="double" type="ieee_double"/></union>')
            if fname.endswith(".vector"):   # the element views of a vector register, as QEMU
                n = self.m.hart.vlenb
                lines += [f'<vector id="bytes" type="uint8" count="{n}"/>',
                          f'<vector id="shorts" type="uint16" count="{n // 2}"/>',
                          f'<vector id="words" type="uint32" count="{n // 4}"/>',
                          f'<vector id="longs" type="uint64" count="{n // 8}"/>',
                          f'<vector id="quads" type="uint128" count="{max(1, n // 16)}"/>',
                          '<union id="riscv_vector"><field name="b" type="bytes"/>'
                          '<field name="s" type="shorts"/><field name="w" type="words"/>'
                          '<field name="l" type="longs"/><field name="q" type="quads"/>'
                          '</union>']
            for r in regs:
                group = f' group="{r.group}"' if r.group else ""
                lines.append(f'<reg name="{r.name}" bitsize="{r.bits}" type="{r.type}" '
                             f'regnum="{r.num}"{group}/>')
            lines.append("</feature>")
        lines.append("</target>")
        return "\n".join(lines) + "\n"

    def _reg_hex(self, r):
        try:
            return _le_hex(r.read(), r.bits // 8)
        except Exception:
            return "xx" * (r.bits // 8)

    # ---- transport ------------------------------------------------------------------------
    def _recv_some(self, timeout=None):
        if timeout is not None:
            ready, _, _ = select.select([self.conn], [], [], timeout)
            if not ready:
                return False
        try:
            data = self.conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            raise _Disconnected()
        self._inbuf += data
        return True

    def _send_raw(self, data: bytes):
        try:
            self.conn.sendall(data)
        except OSError:
            raise _Disconnected() from None

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        pkt = b"$" + payload + b"#%02x" % checksum(payload)
        self._last_sent = pkt
        self._send_raw(pkt)

    def _next_packet(self):
        """The next well-formed packet's payload (bytes), or b'\\x03' for an interrupt."""
        while True:
            buf = self._inbuf
            while buf and buf[0] != ord("$"):
                c = buf.pop(0)
                if c == 0x03:
                    return b"\x03"
                if c == ord("-") and self._last_sent and not self.noack:
                    self._send_raw(self._last_sent)
                # '+' and noise are dropped
            if buf:
                end = buf.find(b"#")
                if end >= 0 and len(buf) >= end + 3:
                    payload = bytes(buf[1:end])
                    cs = bytes(buf[end + 1:end + 3])
                    del buf[:end + 3]
                    try:
                        ok = int(cs, 16) == checksum(payload)
                    except ValueError:
                        ok = False
                    if not self.noack:
                        self._send_raw(b"+" if ok else b"-")
                    if ok or self.noack:
                        return payload
                    continue
                if len(buf) > 4 * PACKET_SIZE:   # no end marker in sight: drop the junk
                    buf.clear()
            self._recv_some()

    # ---- serving --------------------------------------------------------------------------
    def serve(self):
        """Accept one client and serve it; returns the outcome ('detach', 'kill',
        'disconnect'). After a detach the guest has run to its end (see last_result)."""
        try:
            self.conn, _ = self.sock.accept()
        finally:
            self.sock.close()
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while self.outcome is None:
                pkt = self._next_packet()
                if pkt == b"\x03":
                    continue   # already stopped
                try:
                    reply = self.handle(pkt)
                except _Disconnected:
                    raise
                except Exception:   # a malformed packet never takes the server down
                    reply = "E01"
                if reply is not None:
                    self.send(reply)
        except _Disconnected:
            self.outcome = self.outcome or "disconnect"
        finally:
            try:
                self.conn.close()
            except OSError:
                pass
        if self.outcome == "detach" and not self.exited:
            self.last_result = self.m.run()
            self.exited = self.last_result.reason == "halt"
        return self.outcome

    def handle(self, pkt: bytes):
        """The reply to one packet (str/bytes), or None for no reply."""
        if not pkt:
            return ""
        cmd = chr(pkt[0])
        if cmd == "X":            # binary payload: do not decode as text
            return self._write_mem_binary(pkt[1:])
        text = pkt.decode("latin-1")
        body = text[1:]
        if cmd == "?":
            return self._stop_reply(SIGTRAP)
        if cmd == "g":
            return "".join(self._reg_hex(r) for r in self.g_regs)
        if cmd == "G":
            data = bytes.fromhex(body)
            for i, r in enumerate(self.g_regs):
                chunk = data[i * 8:(i + 1) * 8]
                if len(chunk) < 8:
                    break
                r.write(int.from_bytes(chunk, "little"))
            return "OK"
        if cmd == "p":
            r = self.regs.get(int(body, 16))
            return self._reg_hex(r) if r else "E01"
        if cmd == "P":
            num, val = body.split("=")
            r = self.regs.get(int(num, 16))
            if r is None:
                return "E01"
            data = bytes.fromhex(val)
            r.write(int.from_bytes(data[:r.bits // 8], "little"))
            return "OK"
        if cmd == "m":
            addr, length = (int(x, 16) for x in body.split(","))
            if length > PACKET_SIZE // 2:
                length = PACKET_SIZE // 2
            try:
                return self._read(addr, length).hex()
            except Exception:
                return "E14"
        if cmd == "M":
            where, data = body.split(":")
            addr, length = (int(x, 16) for x in where.split(","))
            raw = bytes.fromhex(data)
            if len(raw) != length:
                return "E01"
            try:
                self._write(addr, raw)
            except Exception:
                return "E14"
            return "OK"
        if cmd in "Zz":
            return self._breakpoint(cmd == "Z", body)
        if cmd == "s":
            self._set_pc(body)
            return self._step()
        if cmd == "c":
            self._set_pc(body)
            return self._continue()
        if cmd in "CS":   # with a signal: the signal is ignored (no signals in a bare machine)
            parts = body.split(";", 1)
            if len(parts) > 1:
                self._set_pc(parts[1])
            return self._step() if cmd == "S" else self._continue()
        if cmd == "v":
            return self._v_packet(text)
        if cmd == "q" or cmd == "Q":
            return self._query(text)
        if cmd == "H":
            return "OK"
        if cmd == "T":
            return "OK" if body in ("1", "01", "-1", "0") else "E01"
        if cmd == "D":
            self.outcome = "detach"
            self._clear_debug_state()
            return "OK"
        if cmd == "k":
            self.outcome = "kill"
            self._clear_debug_state()
            return None
        return ""

    def _clear_debug_state(self):
        for addr in list(self.m.breakpoints):
            self.m.remove_breakpoint(addr)
        self.watchpoints.clear()
        self.rwatch.clear()
        self.awatch.clear()

    def _set_pc(self, body):
        if body:
            self.m.reg_write("pc", int(body, 16))

    # ---- queries --------------------------------------------------------------------------
    def _query(self, text):
        if text.startswith("qSupported"):
            features = text.partition(":")[2].split(";")
            self.swbreak = "swbreak+" in features
            return (f"PacketSize={PACKET_SIZE:x};qXfer:features:read+;QStartNoAckMode+;"
                    "swbreak+;hwbreak+;vContSupported+")
        if text == "QStartNoAckMode":
            self.send("OK")
            self.noack = True
            return None
        if text.startswith("qXfer:features:read:"):
            annex, _, span = text[len("qXfer:features:read:"):].partition(":")
            if annex != "target.xml":
                return "E00"
            off, length = (int(x, 16) for x in span.split(","))
            chunk = self.xml[off:off + length]
            return (b"m" if off + length < len(self.xml) else b"l") + escape_binary(chunk)
        if text == "qAttached":
            return "1"
        if text == "qC":
            return "QC1"
        if text == "qfThreadInfo":
            return "m1"
        if text == "qsThreadInfo":
            return "l"
        if text.startswith("qThreadExtraInfo"):
            return b"hart 0".hex()
        if text == "qSymbol::":
            return "OK"
        if text.startswith("qRcmd,"):
            return self._monitor(bytes.fromhex(text[6:]).decode("latin-1").strip())
        return ""

    def _read(self, addr, length):
        return self.m.mem_read(addr, length) if self.phys else self.m.virt_read(addr, length)

    def _write(self, addr, data):
        if self.phys:
            self.m.mem_write(addr, data)
        else:
            self.m.virt_write(addr, data)

    def _monitor(self, cmd):
        if cmd in ("", "help"):
            msg = ("rvemu monitor commands:\n"
                   "  phys [on|off]  memory through the current translation (off, the\n"
                   "                 default) or guest physical RAM (on)\n"
                   "  help           this text\n")
        elif cmd.split()[0] == "phys":
            arg = cmd.split()[1:] or [""]
            if arg[0] in ("on", "off"):
                self.phys = arg[0] == "on"
            msg = ("memory accesses (m/M/X, watchpoints) go to guest "
                   + ("physical RAM\n" if self.phys else "virtual memory through the current "
                      "translation (satp, privilege)\n"))
        else:
            msg = f"unknown monitor command {cmd!r}; try 'monitor help'\n"
        self.send(b"O" + msg.encode().hex().encode())
        return "OK"

    def _v_packet(self, text):
        if text == "vCont?":
            return "vCont;c;C;s;S"
        if text.startswith("vCont;"):
            actions = text[6:].split(";")
            # one thread: the first action applies to it
            act = actions[0].split(":")[0]
            if act in ("s",) or act.startswith("S"):
                return self._step()
            if act == "c" or act.startswith("C"):
                return self._continue()
            if act == "t":
                return self._stop_reply(SIGINT)
            return "E01"
        if text.startswith("vKill"):
            self.outcome = "kill"
            self._clear_debug_state()
            return "OK"
        if text == "vMustReplyEmpty":
            return ""
        return ""

    # ---- breakpoints and watchpoints ------------------------------------------------------
    def _breakpoint(self, insert, body):
        kind, addr, length = body.split(";")[0].split(",")
        kind, addr, length = int(kind), int(addr, 16), int(length, 16)
        if kind in (0, 1):
            if insert:
                if addr not in self.m.breakpoints and len(self.m.breakpoints) >= 16:
                    return "E0c"
                self.m.add_breakpoint(addr)
            else:
                self.m.remove_breakpoint(addr)
            return "OK"
        if kind == 2:
            if insert:
                try:
                    self._read(addr, length)
                except Exception:
                    return "E14"
                self.watchpoints[addr] = length
            else:
                self.watchpoints.pop(addr, None)
            return "OK"
        if kind in (3, 4):
            table = self.rwatch if kind == 3 else self.awatch
            if insert:
                try:
                    self._read(addr, length)
                except Exception:
                    return "E14"
                table[addr] = length
            else:
                table.pop(addr, None)
            return "OK"
        return ""

    # ---- running --------------------------------------------------------------------------
    def _stop_reply(self, sig, extra=""):
        if self.exited:
            return self._exit_reply()
        pc = self.m.reg_read("pc")
        return f"T{sig:02x}{extra}{REG_PC:02x}:{_le_hex(pc, 8)};thread:1;"

    def _exit_reply(self):
        code = self.m.exit_code or 0
        return f"W{code & 0xFF:02x}"

    def _result_reply(self, res, watch_hit=None):
        self.last_result = res
        if res.reason == "halt":
            self.exited = True
            return self._exit_reply()
        if res.reason == "breakpoint":
            return self._stop_reply(SIGTRAP, "swbreak:;" if self.swbreak else "")
        if res.reason == "trap_loop":
            return self._stop_reply(SIGSEGV)
        return self._stop_reply(SIGTRAP)   # budget (a step), idle, reset

    def _step_once(self):
        m = self.m
        if m.reg_read("pc") in m.breakpoints:
            m.hart.step_over_breakpoint()   # a step always moves, breakpoint or not
        return m.run(max_insns=1)

    def _step(self):
        if self.exited:
            return self._exit_reply()
        return self._result_reply(self._step_once())

    def _interrupted(self):
        """Did the client send a Ctrl-C (or go away) while the guest ran?"""
        if not self._recv_some(timeout=0):
            return False
        if 0x03 in self._inbuf:
            i = self._inbuf.index(0x03)
            del self._inbuf[i]
            return True
        return False

    def _continue(self):
        if self.exited:
            return self._exit_reply()
        m = self.m
        if m.reg_read("pc") in m.breakpoints:
            m.hart.step_over_breakpoint()    # resume from the breakpoint we stopped at
        if self.watchpoints or self.rwatch or self.awatch:
            return self._continue_watching()
        while True:
            res = m.run(max_insns=SLICE)
            if res.reason != "budget":
                return self._result_reply(res)
            if self._interrupted():
                self.last_result = res
                return self._stop_reply(SIGINT)

    def _continue_watching(self):
        """Single-step and look after each step: write watchpoints compare the watched
        bytes; read and access watchpoints use the hart's trace record of the step's data
        access (its virtual address), so they cost nothing when none is set."""
        m = self.m
        old = {a: self._read(a, n) for a, n in self.watchpoints.items()}
        logging = bool(self.rwatch or self.awatch)
        saved_log = m.hart.step_log
        if logging:
            m.hart.step_log = True
            m.hart.last_mem_access()         # forget an access from before
        n = 0
        try:
            while True:
                res = m.run(max_insns=1)
                if res.reason != "budget":
                    return self._result_reply(res)
                if logging:
                    acc = m.hart.last_mem_access()
                    if acc is not None:
                        va, size, is_store = acc[0], acc[1], acc[2]
                        hit = self._watch_hit(va, size, is_store)
                        if hit is not None:
                            self.last_result = res
                            return self._stop_reply(SIGTRAP, hit)
                for a, length in self.watchpoints.items():
                    if self._read(a, length) != old[a]:
                        self.last_result = res
                        return self._stop_reply(SIGTRAP, f"watch:{a:x};")
                n += 1
                if n % 65536 == 0 and self._interrupted():
                    return self._stop_reply(SIGINT)
        finally:
            if logging:
                m.hart.step_log = saved_log

    def _watch_hit(self, va, size, is_store):
        """The stop-reply item of a read/access watchpoint the access [va, va+size) hits."""
        if not is_store:
            for a, length in self.rwatch.items():
                if va < a + length and a < va + size:
                    return f"rwatch:{a:x};"
        for a, length in self.awatch.items():
            if va < a + length and a < va + size:
                return f"awatch:{a:x};"
        return None

    def _write_mem_binary(self, body: bytes):
        colon = body.index(b":")
        addr, length = (int(x, 16) for x in body[:colon].decode().split(","))
        data = unescape_binary(body[colon + 1:])
        if len(data) != length:
            return "E01"
        if length == 0:
            return "OK"
        try:
            self._write(addr, data)
        except Exception:
            return "E14"
        return "OK"


def gdb_serve(machine, port=1234, host="127.0.0.1", ready=None):
    """Serve one GDB client on host:port for machine; ``ready(port)`` is called once the
    socket listens (port 0 picks a free one). Returns the GdbStub (see .outcome,
    .last_result)."""
    stub = GdbStub(machine, port, host)
    if ready is not None:
        ready(stub.port)
    stub.serve()
    return stub
