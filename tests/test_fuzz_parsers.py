"""Fuzzing every input parser we own with hypothesis: the ELF loader, ISA strings, ONE_REG
ids and values, KVM and machine snapshot files, FDT options and the command line. Bad input
must give an rvemu.errors exception (RvemuError and its subclasses; argparse's usage exit
for the CLI), never anything else; accepted input must round-trip where that applies.

RVEMU_FUZZ_EXAMPLES sets the number of examples per test (default 150, derandomized);
RVEMU_FUZZ_RANDOM=1 draws fresh random examples (docs/batch.md gives the long runs)."""
import os
import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from helpers import GUESTS
from rvemu import cli
from rvemu.errors import RvemuError

N = int(os.environ.get("RVEMU_FUZZ_EXAMPLES", "150"))
SETTINGS = dict(max_examples=N, deadline=None,
                derandomize=os.environ.get("RVEMU_FUZZ_RANDOM") != "1", database=None,
                suppress_health_check=list(HealthCheck))
HELLO = (GUESTS / "hello_htif.elf").read_bytes()
VSUM = (GUESTS / "kvm" / "vsum.elf").read_bytes()
MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------- ELF
def _elf_fields(blob):
    """Offsets and sizes of the ELF header's and program headers' fields."""
    e_phoff, = struct.unpack_from("<Q", blob, 0x20)
    e_phnum, = struct.unpack_from("<H", blob, 0x38)
    fields = [(o, s) for o, s in [(4, 1), (5, 1), (6, 1), (0x10, 2), (0x12, 2), (0x18, 8),
                                  (0x20, 8), (0x28, 8), (0x34, 2), (0x36, 2), (0x38, 2),
                                  (0x3A, 2), (0x3C, 2), (0x3E, 2)]]
    for i in range(e_phnum):
        b = e_phoff + 56 * i
        fields += [(b, 4), (b + 4, 4), (b + 8, 8), (b + 16, 8), (b + 24, 8), (b + 32, 8),
                   (b + 40, 8), (b + 48, 8)]
    return fields


FIELDS = {n: _elf_fields(b) for n, b in (("hello", HELLO), ("vsum", VSUM))}
INTERESTING = [0, 1, 2, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 63, MASK64,
               0x8000_0000, 0x8000_0FFF, 0x1000, 0x40]


@settings(**SETTINGS)
@given(which=st.sampled_from(["hello", "vsum"]), data=st.data())
def test_elf_header_field_mutations(which, data):
    """Structure-aware: overwrite header and program-header fields with edge values."""
    from rvemu.machine.elf import read_elf
    from rvemu.machine.machine import Machine
    blob = bytearray(HELLO if which == "hello" else VSUM)
    for _ in range(data.draw(st.integers(1, 4))):
        off, size = data.draw(st.sampled_from(FIELDS[which]))
        v = data.draw(st.one_of(st.sampled_from(INTERESTING), st.integers(0, (1 << 8 * size) - 1)))
        blob[off:off + size] = (v & ((1 << 8 * size) - 1)).to_bytes(size, "little")
    blob = bytes(blob[:data.draw(st.integers(0, len(blob)))]) if data.draw(st.booleans()) else bytes(blob)
    try:
        read_elf(blob)
    except RvemuError:
        return
    m = Machine(isa="rv64gc", ram="1M")
    try:
        m.load_elf(blob)
    except RvemuError:
        return
    r = m.run(max_insns=2000)
    assert r.reason in {"halt", "budget", "idle", "trap_loop", "reset", "breakpoint"}


# ----------------------------------------------------------------------------- ISA strings
TOKENS = ["rv64", "rv32", "rv128", "i", "e", "m", "a", "f", "d", "q", "c", "g", "v", "h", "s",
          "u", "b", "_", "zfh", "zfhmin", "zfbfmin", "zicsr", "zifencei", "zve32x", "zve64d",
          "zvl128b", "zvl65536b", "zvfh", "zvkned", "svadu", "sstc", "x", "xfoo", "2p0", "p",
          "1", "_zicsr2p0", "Z", "RV64GC", " ", "\x00", "é"]


@settings(**SETTINGS)
@given(st.one_of(st.lists(st.sampled_from(TOKENS), max_size=8).map("".join),
                 st.text(max_size=24)))
def test_isa_strings(text):
    from rvemu.errors import IsaStringError
    from rvemu.isa.isastring import parse_isa
    try:
        isa = parse_isa(text)
    except IsaStringError:
        return
    again = parse_isa(isa.canonical())          # the canonical form parses to the same ISA
    assert again.names == isa.names and again.misa == isa.misa


# ----------------------------------------------------------------------------- ONE_REG
@pytest.fixture(scope="module")
def vcpu():
    from rvemu.kvm import Kvm
    vm = Kvm("rv64gcv_h", vlen=256).create_vm()
    vm.set_user_memory_region(0, 0, 0x8000_0000, 1 << 16, vm.alloc_memory(1 << 16))
    return vm.create_vcpu(0)


def _reg_ids():
    from rvemu.kvm import Kvm
    return Kvm("rv64gcv_h", vlen=256).create_vm().create_vcpu(0).get_reg_list()


KNOWN_IDS = _reg_ids()


@settings(**SETTINGS)
@given(st.one_of(st.sampled_from(KNOWN_IDS),
                 st.sampled_from(KNOWN_IDS).flatmap(lambda i: st.integers(0, 63).map(
                     lambda b: i ^ (1 << b))),
                 st.integers(0, MASK64), st.integers(-5, -1), st.none(), st.booleans()),
       st.one_of(st.integers(-(1 << 64), 1 << 65), st.binary(max_size=80), st.none(),
                 st.floats(), st.text(max_size=4)))
def test_one_reg_ids_and_values(vcpu, reg_id, value):
    from rvemu.kvm import KvmError
    try:
        old = vcpu.get_one_reg(reg_id)
    except KvmError:
        old = None
    try:
        vcpu.set_one_reg(reg_id, value)
    except KvmError:
        return
    got = vcpu.get_one_reg(reg_id)     # a register that took a value can be read back
    assert isinstance(got, (int, bytes))
    if old is not None:
        vcpu.set_one_reg(reg_id, old)


# ----------------------------------------------------------------------------- snapshots
@pytest.fixture(scope="module")
def kvm_snapshot(tmp_path_factory):
    from rvemu.kvm.vmm import Vmm
    v = Vmm(str(GUESTS / "kvm" / "vsum.elf"), ram="8M", host_isa="rv64gcv_h", vlen=256)
    v.run(max_insns=20_000)
    path = tmp_path_factory.mktemp("snap") / "vm.snap"
    v.snapshot(str(path))
    return path.read_bytes()


@settings(**dict(SETTINGS, max_examples=max(20, N // 3)))
@given(data=st.data())
def test_kvm_snapshot_mutations(kvm_snapshot, data):
    from rvemu.kvm import Kvm
    from rvemu.kvm.snapshot import restore
    blob = bytearray(kvm_snapshot)
    kind = data.draw(st.sampled_from(["flip", "cut", "splice", "header"]))
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "cut":
        blob = blob[:data.draw(st.integers(0, len(blob) - 1))]
    elif kind == "splice":
        i = data.draw(st.integers(0, len(blob)))
        blob[i:i] = data.draw(st.binary(min_size=1, max_size=32))
    else:
        i = data.draw(st.integers(0, min(400, len(blob) - 1)))
        blob[i] = data.draw(st.integers(0, 255))
    try:
        restore(Kvm("rv64gcv_h", vlen=256), bytes(blob))
    except RvemuError:
        pass


@settings(**dict(SETTINGS, max_examples=max(20, N // 3)))
@given(data=st.data())
def test_machine_snapshot_mutations(data):
    from rvemu.machine import snapshot
    from rvemu.machine.machine import Machine
    m = Machine(isa="rv64gc", ram="64K")
    blob = bytearray(snapshot.save(m))
    head_end = len(snapshot.MAGIC) + 4 + struct.unpack_from("<I", blob, len(snapshot.MAGIC))[0]
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, head_end + 64))
        blob[i] = data.draw(st.integers(0, 255))
    try:
        snapshot.restore(m, bytes(blob))
    except RvemuError:
        pass


# ----------------------------------------------------------------------------- FDT options
@settings(**SETTINGS)
@given(st.text(max_size=40), st.integers(-2, 40), st.integers(0, 1 << 40),
       st.integers(-1, 1 << 40))
def test_fdt_options(bootargs, harts, ram_size, timebase):
    from rvemu.isa.isastring import parse_isa
    from rvemu.machine.fdt import build_dtb, virt_tree
    try:
        dtb = build_dtb(virt_tree(isa=parse_isa("rv64gc"), ram_base=0x8000_0000,
                                  ram_size=ram_size, harts=harts, timebase=timebase,
                                  bootargs=bootargs))
    except RvemuError:
        return
    magic, total = struct.unpack_from(">II", dtb, 0)
    assert magic == 0xD00DFEED and total == len(dtb)


# ----------------------------------------------------------------------------- CLI
CLI_TOKENS = ["run", "info", "disasm", "batch", str(GUESTS / "hello_htif.elf"),
              str(GUESTS / "int_ops.elf"), "/nonexistent.elf", str(GUESTS), "--isa", "rv64gc",
              "rv64gcv", "rv64q", "--ram", "1M", "0", "-5", "64K", "1T", "--max-insns", "100",
              "-1", "--vlen", "128", "7", "--sbi", "--kvm", "--vcpus", "17", "--stats",
              "--misaligned", "hw", "--svadu", "--time-div", "--json", "--fuzz", "2",
              "--no-progress", "--workers", "1", "--hstatus", "nacl_autoswap", "--simd-policy",
              "lazy", "--bios", "--kernel", "--trace", "-", "--format", "csv", "x", ""]


@settings(**dict(SETTINGS, max_examples=max(30, N // 2)))
@given(st.lists(st.sampled_from(CLI_TOKENS), min_size=1, max_size=9))
def test_cli_arguments(capsys, monkeypatch, argv):
    monkeypatch.setenv("RVEMU_BATCH_INPROCESS", "1")
    if argv[0] == "run":
        argv = argv + ["--no-stdin", "--max-insns", "20000"]
    if argv[0] == "batch":
        argv = argv + ["--workers", "1", "--max-insns", "20000", "--no-progress"]
        assume("--fuzz" not in argv or argv[argv.index("--fuzz") + 1:][:1] != ["--fuzz"])
    try:
        rc = cli.main(argv)
    except SystemExit as e:            # argparse: usage errors exit 2
        assert e.code in (0, 2)
        return
    finally:
        capsys.readouterr()
    assert isinstance(rc, int) and 0 <= rc <= 255


# ----------------------------------------------------------------------------- regressions
@pytest.mark.parametrize("kw, words", [
    (dict(timebase=-1), "timebase"),            # found by test_fdt_options: struct.error
    (dict(timebase=1 << 32), "timebase"),
    (dict(harts=0), "1 to 512 harts"),          # an FDT without CPUs
    (dict(ram_size=0), "RAM"),
    (dict(ram_size=1 << 64), "RAM"),
    (dict(bootargs="console=ttyS0\0x"), "NUL"),
])
def test_fdt_bad_options_are_config_errors(kw, words):
    from rvemu.errors import ConfigError
    from rvemu.isa.isastring import parse_isa
    from rvemu.machine.fdt import build_dtb, virt_tree
    args = dict(isa=parse_isa("rv64gc"), ram_base=0x8000_0000, ram_size=1 << 20)
    args.update(kw)
    with pytest.raises(ConfigError, match=words):
        build_dtb(virt_tree(**args))
