"""Snapshots and migration (rvemu/kvm/snapshot.py; seed 001 section 6). The guest
(guests/kvm/vsum.elf) keeps running sums in vector and FP registers for its whole run and
prints them; its output is checked against a Python computation of the same sums, and a
run snapshotted halfway must finish with exactly the uninterrupted run's output."""
import struct

import pytest

from rvemu.kvm import Kvm, fp_d_reg
from rvemu.kvm.snapshot import SnapshotError, parse, restore, snapshot_bytes
from rvemu.kvm.vmm import Vmm
from helpers import GUESTS

VSUM = GUESTS / "kvm" / "vsum.elf"
ISA = "rv64gcvh_zicntr_zihpm"
M64 = (1 << 64) - 1


def expected_output():
    """What vsum prints, computed from its definition (guests/kvm/vsum.c)."""
    n, rounds = 777, 40
    a = [(i * 0x9E3779B97F4A7C15) & M64 for i in range(n)]
    b = [(n - i) ^ 0x5555 for i in range(n)]
    acc, fp, lines = 0, 0.0, []
    for r in range(rounds):
        d = sum(a[i + r] * b[i] for i in range(n - r)) & M64
        acc = (acc + d) & M64
        fp = fp + float(d >> 20)
        bits = struct.unpack("<Q", struct.pack("<d", fp))[0]
        lines.append(f"round {r} dot 0x{d:016x} acc 0x{acc:016x} fp 0x{bits:016x}\n")
    return "".join(lines).encode()


@pytest.fixture(scope="module")
def reference():
    vmm = Vmm(VSUM, host_isa=ISA, vlen=256, ram="16M")
    r = vmm.run()
    assert (r.reason, r.exit_code) == ("shutdown", 0)
    return bytes(vmm.output), r.instructions


def test_guest_output_is_what_its_definition_says(reference):
    assert reference[0] == expected_output()


def half_run(policy, reference, path, vlen=256):
    vmm = Vmm(VSUM, host_isa=ISA, vlen=vlen, ram="16M", quantum=5000)
    if policy != "eager":
        from rvemu.kvm.simd import set_policy
        set_policy(vmm.vm, policy)
    r = vmm.run(max_insns=reference[1] // 2)
    assert r.reason == "budget"
    vmm.snapshot(path)
    return vmm


@pytest.mark.parametrize("policy", ["eager", "lazy"])
def test_migration_to_a_larger_vlen_with_virtual_vlen(reference, tmp_path, policy):
    path = tmp_path / "vsum.snap"
    a = half_run(policy, reference, path)
    b = Vmm.restore(path, strategy="virtual_vlen", host_isa=ISA, vlen=512)
    assert getattr(b.vm, "simd_policy", "eager") == policy
    assert b.vcpus[0].ctx.vlenb == 32                  # the guest keeps its VLEN
    r = b.run()
    assert (r.reason, r.exit_code) == ("shutdown", 0)
    assert bytes(a.output + b.output) == reference[0]


def test_strict_refuses_another_vlen_and_accepts_the_same(reference, tmp_path):
    path = tmp_path / "vsum.snap"
    a = half_run("eager", reference, path)
    with pytest.raises(SnapshotError, match="vlenb 64 differs from the source's 32"):
        Vmm.restore(path, strategy="strict", host_isa=ISA, vlen=512)
    b = Vmm.restore(path, strategy="strict", host_isa=ISA, vlen=256)
    b.run()
    assert bytes(a.output + b.output) == reference[0]


def test_checked_restore_reports_every_problem(reference, tmp_path):
    path = tmp_path / "vsum.snap"
    half_run("eager", reference, path, vlen=512)
    with pytest.raises(SnapshotError) as e:           # no V here, and a smaller VLEN
        Vmm.restore(path, strategy="checked", host_isa="rv64gch_zicntr_zihpm")
    assert "does not have" in str(e.value) and "'v'" in str(e.value)
    kvm = Kvm(ISA, vlen=256)
    with pytest.raises(SnapshotError, match="above this host's 32"):
        restore(kvm, path, "checked")
    assert kvm.vms == []                               # nothing half-restored


def test_registers_round_trip(reference, tmp_path):
    path = tmp_path / "vsum.snap"
    a = half_run("eager", reference, path)
    b = Vmm.restore(path, strategy="strict", host_isa=ISA, vlen=256)
    va, vb = a.vcpus[0], b.vcpus[0]
    for rid in va.get_reg_list():
        if (rid >> 24) & 0xff == 4 and rid & 0xff == 1:
            continue                                   # TIMER time moves on
        assert va.get_one_reg(rid) == vb.get_one_reg(rid), hex(rid)
    assert vb.get_one_reg(fp_d_reg("f8")) != 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic", "version", "extra"])
def test_damaged_snapshots_are_refused(reference, tmp_path, damage):
    path = tmp_path / "vsum.snap"
    half_run("eager", reference, path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[:len(data) - 100]
    elif damage == "magic":
        data[0:8] = b"NOTASNAP"
    elif damage == "version":
        data[8:12] = struct.pack("<I", 99)
    else:
        data += b"junk"
    kvm = Kvm(ISA, vlen=256)
    with pytest.raises(SnapshotError):
        restore(kvm, bytes(data), "strict")
    assert kvm.vms == []


def test_unknown_strategy():
    with pytest.raises(SnapshotError):
        restore(Kvm(ISA), b"", "optimistic")
