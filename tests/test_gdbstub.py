"""The GDB remote stub (rvemu.gdbstub): a tiny RSP client against Machine.gdb_serve, and a
real gdb-multiarch session when it is installed."""
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from rvemu.gdbstub import checksum, escape_binary, unescape_binary
from rvemu.machine.machine import Machine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELLO = os.path.join(ROOT, "guests", "hello_htif.elf")


class Client:
    """A minimal RSP client: ack mode, checksums, one packet at a time."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # (as GDB does)
        self.buf = b""
        self.noack = False

    def send_raw(self, data):
        self.s.sendall(data)

    def _read(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def recv(self):
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i)
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                payload = self.buf[i + 1:j]
                assert int(self.buf[j + 1:j + 3], 16) == checksum(payload)
                self.buf = self.buf[j + 3:]
                if not self.noack:
                    self.s.sendall(b"+")
                return payload
            self._read()

    def cmd(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self.s.sendall(b"$" + payload + b"#%02x" % checksum(payload))
        return self.recv()

    def close(self):
        self.s.close()


def start(machine):
    ports = queue.Queue()
    out = {}

    def serve():
        out["stub"] = machine.gdb_serve(0, ready=ports.put)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ports.get(timeout=5), t, out


def le(v, n=8):
    return v.to_bytes(n, "little").hex().encode()


@pytest.fixture
def hello():
    m = Machine(isa="rv64gc", ram="64M")
    m.load_elf(HELLO)
    return m


def test_escape_roundtrip():
    data = bytes(range(256))
    assert unescape_binary(escape_binary(data)) == data


def test_session_break_step_exit(hello):
    m = hello
    port, t, out = start(m)
    c = Client(port)
    sup = c.cmd("qSupported:multiprocess+;swbreak+;hwbreak+")
    assert b"qXfer:features:read+" in sup and b"PacketSize=" in sup
    xml = c.cmd("qXfer:features:read:target.xml:0,ffff")
    assert xml[:1] == b"l"
    for feat in (b"org.gnu.gdb.riscv.cpu", b"org.gnu.gdb.riscv.fpu", b"org.gnu.gdb.riscv.csr",
                 b"org.gnu.gdb.riscv.virtual", b'name="mstatus"', b'regnum="833"', b'name="priv"'):
        assert feat in xml
    assert c.cmd("QStartNoAckMode") == b"OK"
    c.noack = True
    assert c.cmd("?").startswith(b"T05")
    assert c.cmd("qAttached") == b"1"
    assert c.cmd("qC") == b"QC1"
    assert c.cmd("qfThreadInfo") == b"m1" and c.cmd("qsThreadInfo") == b"l"
    assert c.cmd("vCont?").startswith(b"vCont;c")
    g = c.cmd("g")
    assert len(g) == 33 * 16
    assert g[32 * 16:] == le(0x8000_0000)
    assert c.cmd("p20") == le(0x8000_0000)
    assert c.cmd("p%x" % (65 + 0x301)) == le(m.reg_read("misa"))   # misa by CSR number
    assert c.cmd("p%x" % (65 + 4096)) == le(3)                     # priv: M
    main = m.symbols["main"]
    assert c.cmd("Z0,%x,4" % main) == b"OK"
    r = c.cmd("vCont;c:1")
    assert r.startswith(b"T05") and b"swbreak" in r and le(main) in r
    assert m.reg_read("pc") == main
    # registers: write a0 with P, read back with p and g
    assert c.cmd("P%x=%s" % (10, le(0x1234_5678).decode())) == b"OK"
    assert c.cmd("pa") == le(0x1234_5678)
    assert m.reg_read("a0") == 0x1234_5678
    assert c.cmd("P%x=%s" % (33 + 5, le(0x4000_0000_0000_0000).decode())) == b"OK"
    assert m.reg_read("f5") == 0x4000_0000_0000_0000
    # memory: read code at main, write and read a scratch word (M and X)
    assert c.cmd("m%x,4" % main) == m.mem_read(main, 4).hex().encode()
    scratch = 0x8000_0000 + (32 << 20)
    assert c.cmd("M%x,4:deadbeef" % scratch) == b"OK"
    assert m.mem_read(scratch, 4) == bytes.fromhex("deadbeef")
    data = b"#$}*"
    assert c.cmd(b"X%x,4:" % scratch + escape_binary(data)) == b"OK"
    assert c.cmd("m%x,4" % scratch) == data.hex().encode()
    assert c.cmd("m10,4").startswith(b"E")            # outside RAM: an error, not a crash
    # single-step off the breakpoint
    r = c.cmd("s")
    assert r.startswith(b"T05")
    pc = m.reg_read("pc")
    assert pc != main and le(pc) in r
    r = c.cmd("vCont;s:1")
    assert r.startswith(b"T05") and m.reg_read("pc") != pc
    # continue to the end: the guest exits 0
    assert c.cmd("z0,%x,4" % main) == b"OK"
    assert c.cmd("c") == b"W00"
    assert b"Hello from rvemu guest" in bytes(m.output)
    c.cmd("D")
    c.close()
    t.join(5)
    assert not t.is_alive() and out["stub"].outcome == "detach"


def test_malformed_packets_and_checksums(hello):
    m = hello
    port, t, out = start(m)
    c = Client(port)
    c.send_raw(b"$g#00")                       # bad checksum: NAK, no reply
    assert c.s.recv(1) == b"-"
    for bad in ("pzz", "P1", "Pfffff=00", "mxyz", "m80000000", "M1,2:zz", "Z0,zz", "Z9,0,0",
                "qXfer:features:read:target.xml:zz", "qXfer:features:read:other.xml:0,10",
                "X1", "qRcmd,zz", "", "\x7f", "vCont;q"):
        r = c.cmd(bad)
        assert r == b"" or r.startswith(b"E"), (bad, r)
    assert c.cmd("Z3,0,4") == b"E14"                # a watchpoint on unmapped memory
    assert c.cmd("Z5,80000000,4") == b""            # no such kind: unsupported
    c.send_raw(b"garbage\x03+++")                   # stray bytes between packets
    assert c.cmd("p20") == le(0x8000_0000)
    mon = c.cmd("qRcmd," + b"phys".hex())          # default: through the translation
    assert mon.startswith(b"O") and b"virtual" in bytes.fromhex(mon[1:].decode())
    assert c.recv() == b"OK"
    mon = c.cmd("qRcmd," + b"phys on".hex())
    assert mon.startswith(b"O") and b"physical" in bytes.fromhex(mon[1:].decode())
    assert c.recv() == b"OK"
    c.close()                                       # vanish without detaching
    t.join(5)
    assert not t.is_alive() and out["stub"].outcome == "disconnect"
    assert m.reg_read("pc") == 0x8000_0000          # the machine is intact
    assert m.run().exit_code == 0


def test_vanishing_client_mid_run_and_ctrl_c():
    # a guest that spins for ever: c, then Ctrl-C, then a vanishing client
    m = Machine(isa="rv64gc", ram="16M")
    m.mem_write(0x8000_0000, (0x0000006F).to_bytes(4, "little"))   # j .
    m.reg_write("pc", 0x8000_0000)
    port, t, out = start(m)
    c = Client(port)
    c.s.sendall(b"$c#63")
    assert c.s.recv(1) == b"+"
    time.sleep(0.2)
    c.send_raw(b"\x03")
    r = c.recv()
    assert r.startswith(b"T02")
    assert m.instret > 0
    c.close()
    t.join(5)
    assert not t.is_alive() and out["stub"].outcome == "disconnect"


def test_write_watchpoint(hello):
    m = hello
    main = m.symbols["main"]
    port, t, out = start(m)
    c = Client(port)
    assert c.cmd("Z0,%x,2" % main) == b"OK"
    assert c.cmd("c").startswith(b"T05")
    assert c.cmd("z0,%x,2" % main) == b"OK"
    # main's prologue: addi sp,sp,-32; sd ra,24(sp) -> the slot at sp-8 changes
    slot = m.reg_read("sp") - 8
    assert c.cmd("Z2,%x,8" % slot) == b"OK"
    r = c.cmd("c")
    assert r.startswith(b"T05") and b"watch:%x;" % slot in r, r
    # stopped before the sd (GDB's RISC-V target has non-steppable watchpoints: it
    # steps over the access itself, then compares the values)
    assert m.reg_read("pc") == main + 2 and m.mem_read(slot, 8) == bytes(8)
    assert c.cmd("z2,%x,8" % slot) == b"OK"
    assert le(main + 4) in c.cmd("s")
    assert m.mem_read(slot, 8) == m.reg_read("ra").to_bytes(8, "little")
    assert c.cmd("Z2,%x,8" % slot) == b"OK"
    assert c.cmd("z2,%x,8" % slot) == b"OK"
    assert c.cmd("c") == b"W00"
    c.send_raw(b"$k#6b")                         # kill: no reply
    c.close()
    t.join(5)
    assert out["stub"].outcome == "kill"


def test_cli_gdb_detach_runs_to_the_end(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the rvemu this test imported (installed, or built in place), whatever the cwd
    import rvemu
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(rvemu.__file__)))}
    proc = subprocess.Popen([sys.executable, "-m", "rvemu", "run", str(HELLO), "--gdb", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    try:
        deadline = time.time() + 10
        while True:
            try:
                c = Client(port)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        assert c.cmd("?").startswith(b"T05")
        assert c.cmd("D") == b"OK"
        c.close()
        stdout, stderr = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert b"Hello from rvemu guest" in stdout


GDB = shutil.which("gdb-multiarch")


@pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed "
                    "(apt-get install gdb-multiarch to run the real-GDB session)")
def test_real_gdb_session(hello):
    m = hello
    probe = Machine(isa="rv64gc", ram="64M")
    probe.load_elf(HELLO)
    probe.run(until=probe.symbols["main"])
    slot = probe.reg_read("sp") - 8                # where main's prologue saves ra
    port, t, out = start(m)
    cmd = [GDB, "-nx", "-batch",
           "-ex", "set architecture riscv:rv64",
           "-ex", f"target remote 127.0.0.1:{port}",
           "-ex", "break main",
           "-ex", f"watch *(long *){slot:#x}",
           "-ex", "continue",                      # the watchpoint trips in the prologue
           "-ex", "delete 2",
           "-ex", "continue",                      # then the breakpoint
           "-ex", "set $ft0.double = 1.5",
           "-ex", "print $ft0",
           "-ex", "info registers pc",
           "-ex", "set $s1 = 0x42",        # main keeps hartid in s1 and prints it
           "-ex", "print/x $s1",
           "-ex", "print/x $mstatus",
           "-ex", "print $priv",
           "-ex", "stepi",
           "-ex", "stepi",
           "-ex", "info registers pc",
           "-ex", "x/2wx $sp",
           "-ex", "detach",
           HELLO]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=ROOT)
    text = p.stdout + p.stderr
    t.join(10)
    assert not t.is_alive(), text
    assert "Breakpoint 1, " in text and "in main ()" in text, text   # after the prologue
    assert "<main+" in text, text
    assert "0x42" in text, text
    assert "Hardware watchpoint 2" in text and "Old value = 0" in text, text
    assert "double = 1.5" in text, text
    assert "Detaching" in text or "detach" in text.lower(), text
    stub = out["stub"]
    assert stub.outcome == "detach"
    assert stub.last_result.reason == "halt" and m.exit_code == 0
    assert b"Hello from rvemu guest (HTIF), hart 66" in bytes(m.output)


def test_read_and_access_watchpoints(hello):
    """Z3 stops at the load of the watched slot (not at the store before it); Z4 at the
    first access of either kind."""
    m = hello
    main = m.symbols["main"]
    port, t, out = start(m)
    c = Client(port)
    assert c.cmd("Z0,%x,2" % main) == b"OK"
    assert c.cmd("c").startswith(b"T05")
    assert c.cmd("z0,%x,2" % main) == b"OK"
    slot = m.reg_read("sp") - 8                  # where main saves ra (sd ra,24(sp))
    assert c.cmd("Z4,%x,8" % slot) == b"OK"
    r = c.cmd("c")
    assert b"awatch:%x;" % slot in r, r
    assert m.reg_read("pc") == main + 2          # right before the store
    assert c.cmd("Z3,%x,8" % slot) == b"OK"
    assert c.cmd("z4,%x,8" % slot) == b"OK"
    r = c.cmd("c")                               # from the store: it is no read
    assert b"rwatch:%x;" % slot in r, r          # main's epilogue reloads ra
    prev = m.reg_read("pc")
    assert m.mem_read(prev, 2) == bytes.fromhex("e260")   # c.ldsp ra,24(sp), not run yet
    assert m.reg_read("ra") != int.from_bytes(m.mem_read(slot, 8), "little")
    assert c.cmd("s").startswith(b"T05")
    assert m.reg_read("ra") == int.from_bytes(m.mem_read(slot, 8), "little")
    assert c.cmd("z3,%x,8" % slot) == b"OK"
    assert c.cmd("c") == b"W00"
    c.send_raw(b"$k#6b")
    c.close()
    t.join(5)
    assert prev > main


def test_vector_registers():
    """With a vector unit the target description has org.gnu.gdb.riscv.vector (v0-v31 of
    VLEN bits, viewed as bytes/shorts/words/longs, as QEMU describes them) and p/P read
    and write whole vector registers."""
    m = Machine(isa="rv64gcv", ram="64M", vlen=256)
    m.load_elf(HELLO)
    m.reg_write("v3", bytes(range(32)))
    port, t, out = start(m)
    c = Client(port)
    xml = c.cmd("qXfer:features:read:target.xml:0,ffff")
    for feat in (b"org.gnu.gdb.riscv.vector", b'<vector id="bytes" type="uint8" count="32"/>',
                 b'name="v31" bitsize="256" type="riscv_vector"', b'name="vlenb"'):
        assert feat in xml
    v0 = 65 + 4096 + 1
    assert c.cmd("p%x" % (v0 + 3)) == bytes(range(32)).hex().encode()
    assert c.cmd("P%x=%s" % (v0 + 7, bytes(range(100, 132)).hex())) == b"OK"
    assert m.reg_read("v7") == bytes(range(100, 132))
    c.cmd("D")
    c.close()
    t.join(5)


@pytest.mark.skipif(shutil.which("gdb-multiarch") is None,
                    reason="gdb-multiarch not installed (apt-get install gdb-multiarch)")
def test_real_gdb_reads_vector_registers():
    m = Machine(isa="rv64gcv", ram="64M", vlen=256)
    m.load_elf(HELLO)
    m.reg_write("v3", bytes(range(32)))
    port, t, out = start(m)
    r = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture riscv:rv64",
                        "-ex", f"target remote :{port}", "-ex", "p/x $v3.b", "-ex", "p $vlenb",
                        "-ex", "p/x $v3.l[1]", "-ex", "detach"],
                       capture_output=True, text=True, timeout=60)
    assert "= {0x0, 0x1, 0x2" in r.stdout and "0x1f}" in r.stdout, r.stdout + r.stderr
    assert "$2 = 32" in r.stdout and "$3 = 0xf0e0d0c0b0a0908" in r.stdout
    t.join(10)
