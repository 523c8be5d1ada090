"""VM snapshots and migration (seed 001 section 6).

A snapshot holds a VM's memory slots, every vCPU's registers as the ONE_REG ABI reads them
(CONFIG, CORE, CSR, TIMER, FP, VECTOR with vstart/vl/vtype/vcsr and vlenb, ISA_EXT incl.
ZV*, Zfh and Zfbfmin, SBI_EXT, SBI_STATE: what a real VMM migrates), the state ONE_REG does
not cover (mp_state, SBI PMU counters, the FP/vector context status, guest time), the VM's
policies, and any device state the VMM adds. File format:

    b"RVEMUSNP" | u32 format version | u64 JSON length | JSON | blobs | sha256 of all before

The JSON lists every blob (memory, vector registers) with its size and sha256. Loading
checks the magic, version, lengths, the trailing digest and every blob digest before
anything is built; a truncated, corrupt or mismatched snapshot raises SnapshotError with
the reason, and restore builds a new VM, so nothing is ever half-restored.

Restore strategies:
  strict        the target host's ISA and vlenb must equal the source host's;
  virtual_vlen  the target's VLEN may be larger: each guest keeps its vlenb (through
                KVM_CAP_RVEMU_VECTOR_LENGTH); every guest extension must exist on the target;
  checked       validate everything first on a scratch VM, then restore; every problem
                found is reported at once.
"""
import errno
import hashlib
import json
import struct
import zlib

import numpy as np

from rvemu.errors import RvemuError
from rvemu.kvm import uapi as U
from rvemu.kvm.errors import KvmError

MAGIC = b"RVEMUSNP"
VERSION = 1
STRATEGIES = ("strict", "virtual_vlen", "checked")
MASK64 = (1 << 64) - 1


class SnapshotError(RvemuError):
    """A snapshot that cannot be read or restored here; the message says why."""


# ---- saving ----------------------------------------------------------------------------
def _pmu_state(pmu):
    return {
        "pmc": {str(i): {k: getattr(p, k) for k in ("ctype", "width", "csr", "event_idx",
                                                     "counter_val", "has_event", "started",
                                                     "raw_start", "hw_code")}
                for i, p in pmu.pmc.items()},
        "fw_value": list(pmu.fw_value), "fw_started": list(pmu.fw_started),
        "in_use": sorted(pmu.in_use), "overflown": sorted(pmu.overflown),
        "snapshot_addr": pmu.snapshot_addr,
        "sdata": pmu.sdata.hex() if pmu.sdata is not None else None,
    }


def _vcpu_state(vcpu, blobs):
    sync = getattr(vcpu, "_simd_sync", None)
    if sync is not None:            # FP/vector state out of the hart, into the context
        sync()
    regs = []
    for rid in vcpu.get_reg_list():
        try:
            val = vcpu.get_one_reg(rid)
        except KvmError:
            continue                # e.g. SBI_STATE of an extension with nothing to read
        if isinstance(val, (bytes, bytearray)):
            name = f"vcpu{vcpu.vcpu_id}/reg{rid:#x}"
            blobs[name] = bytes(val)
            regs.append([rid, {"blob": name}])
        else:
            regs.append([rid, int(val)])
    simd = getattr(vcpu, "simd", None)
    return {
        "id": vcpu.vcpu_id, "regs": regs, "mp_state": vcpu.mp_state,
        "ran": vcpu.ran_atleast_once, "waiting": vcpu.waiting,
        "reset_state": list(vcpu.reset_state),
        "vlenb": vcpu.ctx.vlenb if vcpu.ctx.vreg is not None else 0,
        "isa": sorted(vcpu.ctx.isa), "hw_counts": {str(k): v for k, v in vcpu.hw_counts.items()},
        "pmu": _pmu_state(vcpu.pmu),
        "simd": None if simd is None else {"fs": simd.fs, "vs": simd.vs},
        "hstatus": vcpu.ctx.hstatus, "hedeleg": vcpu.ctx.hedeleg, "hideleg": vcpu.ctx.hideleg,
    }


def _time_phase(vm):
    """[instructions into the current tick, instructions per tick] of the host hart whose
    time the VM's guest time follows, or None before the VM first ran."""
    b = getattr(vm, "_rvemu_backing", None)
    if b is None:
        return None
    return [b.host.hart.time_phase, b.host.hart.time_div]


def snapshot_bytes(vm, devices=None):
    """The snapshot of vm (and the VMM's ``devices`` dict, JSON-able) as bytes."""
    blobs = {}
    for s in vm.slots.values():
        blobs[f"mem{s.slot}"] = zlib.compress(s.memory.tobytes(), 1)
    meta = {
        "format": VERSION,
        "host": {"isa": sorted(vm.host.names), "vlenb": vm.host.vlenb},
        "vm": {"isa_policy": vm.isa_policy.name,
               "simd_policy": getattr(vm, "simd_policy", "eager"),
               "host_uses_simd": getattr(vm, "host_uses_simd", True),
               "mp_state_reset": vm.mp_state_reset,
               "guest_time": (vm.host_time() + vm.time_delta) & MASK64,
               "time_phase": _time_phase(vm)},
        "slots": [{"slot": s.slot, "flags": s.flags, "gpa": s.guest_phys_addr,
                   "size": s.memory_size, "blob": f"mem{s.slot}"} for s in vm.slots.values()],
        "vcpus": [_vcpu_state(v, blobs) for v in vm.vcpus],
        "devices": devices or {},
    }
    meta["blobs"] = {name: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                     for name, b in blobs.items()}
    order = sorted(blobs)
    meta["blob_order"] = order
    js = json.dumps(meta, sort_keys=True).encode()
    body = MAGIC + struct.pack("<IQ", VERSION, len(js)) + js + b"".join(blobs[n] for n in order)
    return body + hashlib.sha256(body).digest()


def save(vm, path, devices=None):
    data = snapshot_bytes(vm, devices)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


# ---- loading ---------------------------------------------------------------------------
def parse(data):
    """(meta, blobs) of a snapshot, every length and digest checked."""
    data = bytes(data)
    head = len(MAGIC) + 12
    if len(data) < head + 32:
        raise SnapshotError("truncated snapshot: shorter than its header")
    if data[:len(MAGIC)] != MAGIC:
        raise SnapshotError("not an rvemu snapshot (bad magic)")
    version, jlen = struct.unpack_from("<IQ", data, len(MAGIC))
    if version != VERSION:
        raise SnapshotError(f"snapshot format {version} is not supported (this rvemu reads {VERSION})")
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise SnapshotError("snapshot checksum mismatch: the file is corrupt or truncated")
    if head + jlen > len(data) - 32:
        raise SnapshotError("truncated snapshot: the metadata runs past the end")
    try:
        meta = json.loads(data[head:head + jlen])
    except ValueError as e:
        raise SnapshotError(f"snapshot metadata is not valid JSON: {e}") from None
    blobs = {}
    pos = head + jlen
    try:
        for name in meta["blob_order"]:
            info = meta["blobs"][name]
            b = data[pos:pos + info["size"]]
            if len(b) != info["size"] or hashlib.sha256(b).hexdigest() != info["sha256"]:
                raise SnapshotError(f"snapshot section {name!r} is damaged")
            blobs[name] = b
            pos += info["size"]
    except (KeyError, TypeError) as e:
        raise SnapshotError(f"snapshot metadata is incomplete ({e})") from None
    if pos != len(data) - 32:
        raise SnapshotError("snapshot has trailing bytes it does not describe")
    return meta, blobs


def load(path):
    try:
        with open(path, "rb") as f:
            return parse(f.read())
    except OSError as e:
        raise SnapshotError(f"cannot read snapshot {path}: {e}") from None


def problems(meta, kvm, strategy):
    """Why this snapshot cannot be restored on kvm's host under strategy ([] if it can)."""
    out = []
    src = meta["host"]
    tgt_names, tgt_vlenb = set(kvm.host.names), kvm.host.vlenb
    if strategy == "strict":
        if src["vlenb"] != tgt_vlenb:
            out.append(f"strict: host vlenb {tgt_vlenb} differs from the source's {src['vlenb']} "
                       f"(VLEN {tgt_vlenb * 8} vs {src['vlenb'] * 8}); try the virtual_vlen "
                       "strategy")
        if set(src["isa"]) != tgt_names:
            diff = sorted(set(src["isa"]) ^ tgt_names)
            out.append(f"strict: host ISA differs from the source's in {diff}")
    for v in meta["vcpus"]:
        missing = sorted(set(v["isa"]) - tgt_names - {"s", "u"})
        if missing:
            out.append(f"vCPU {v['id']} uses {missing}, which this host does not have")
        if v["vlenb"] and v["vlenb"] > tgt_vlenb:
            out.append(f"vCPU {v['id']} has vlenb {v['vlenb']}, above this host's {tgt_vlenb}")
    return out


def _build(meta, blobs, kvm, strategy):
    """A new VM in the snapshot's state (raises on any problem; the VM is then dropped)."""
    from rvemu.kvm.simd import GuestSimd, set_policy
    vm = kvm.create_vm()
    vmeta = meta["vm"]
    if vmeta["isa_policy"] == "configurable":
        vm.set_isa_policy("configurable")
    if vmeta["mp_state_reset"]:
        vm.enable_cap(U.KVM_CAP_RISCV_MP_STATE_RESET)
    set_policy(vm, vmeta["simd_policy"], vmeta["host_uses_simd"])
    if any(v["vlenb"] and v["vlenb"] != kvm.host.vlenb for v in meta["vcpus"]):
        vm.enable_cap(U.KVM_CAP_RVEMU_VECTOR_LENGTH)
    for s in meta["slots"]:
        data = zlib.decompress(blobs[s["blob"]])
        if len(data) != s["size"]:
            raise SnapshotError(f"memory slot {s['slot']}: {len(data)} bytes, expected {s['size']}")
        mem = vm.alloc_memory(s["size"])
        mem[:] = np.frombuffer(data, dtype=np.uint8)
        vm.set_user_memory_region(s["slot"], s["flags"], s["gpa"], s["size"], mem)
    for vs in meta["vcpus"]:
        v = vm.create_vcpu(vs["id"])
        regs = vs["regs"]
        isa_type = U.KVM_REG_RISCV_ISA_EXT
        compare = None
        # the ISA first (it decides which other registers exist), then the vector length
        for rid, val in regs:
            if rid & U.KVM_REG_RISCV_TYPE_MASK == isa_type:
                v.set_one_reg(rid, val)
        if vs["vlenb"] and vs["vlenb"] != v.ctx.vlenb:
            v.set_one_reg(U.vector_reg("vlenb"), vs["vlenb"])
        for rid, val in regs:
            rtype = rid & U.KVM_REG_RISCV_TYPE_MASK
            if rtype == isa_type:
                continue
            if rtype == U.KVM_REG_RISCV_CONFIG and rid & 0xff == U.CONFIG_REGS.index("isa"):
                continue            # the ISA_EXT registers already set it
            if rtype == U.KVM_REG_RISCV_VECTOR and rid & 0xffff == 4:
                continue            # vlenb: done above
            if rtype == U.KVM_REG_RISCV_TIMER and (rid & 0xff == 1 or (rid & 0xff == 3
                                                                     and val == 0)):
                continue            # time: from the guest time below; a fresh timer is off
            if rtype == U.KVM_REG_RISCV_TIMER and rid & 0xff == 2:
                compare = (rid, val)    # after the state: arming it (ON) sets compare to 1
                continue
            if isinstance(val, dict):
                val = blobs[val["blob"]]
            v.set_one_reg(rid, val)
        if compare is not None:
            v.set_one_reg(*compare)
        v.mp_state = vs["mp_state"]
        v.waiting = vs["waiting"]
        v.reset_state = tuple(vs["reset_state"])
        v.hw_counts = {int(k): n for k, n in vs["hw_counts"].items()}
        c = v.ctx
        c.hstatus, c.hedeleg, c.hideleg = vs["hstatus"], vs["hedeleg"], vs["hideleg"]
        p, ps = v.pmu, vs["pmu"]
        for i, pm in ps["pmc"].items():
            pmc = p.pmc.get(int(i))
            if pmc is not None:
                for k, val in pm.items():
                    setattr(pmc, k, val)
        p.fw_value = list(ps["fw_value"])
        p.fw_started = list(ps["fw_started"])
        p.in_use = set(ps["in_use"])
        p.overflown = set(ps["overflown"])
        p.snapshot_addr = ps["snapshot_addr"]
        p.sdata = bytearray.fromhex(ps["sdata"]) if ps["sdata"] is not None else None
        if vs["ran"]:
            v.mark_ran()
        if vs["simd"] is not None:
            v.simd = GuestSimd(v)
            v.simd.fs, v.simd.vs = vs["simd"]["fs"], vs["simd"]["vs"]
    # guest time goes on from where it stopped, down to the instruction within a tick: the
    # host hart's time moves forward (by less than a tick) to the snapshot's phase, so the
    # next tick comes after as many instructions as it would have without the snapshot
    from rvemu.kvm.run import backing_of
    hart = backing_of(vm).host.hart
    phase = vmeta.get("time_phase")  # absent in snapshots of a VM that never ran
    if phase is not None and phase[1] == hart.time_div:
        hart.time_phase = phase[0]
    vm.set_time_delta((vmeta["guest_time"] - vm.host_time()) & MASK64)
    return vm


def restore(kvm, source, strategy="strict"):
    """A new VM on kvm's host from a snapshot (a path, bytes, or parse()'s result).
    Returns (vm, devices)."""
    if strategy not in STRATEGIES:
        raise SnapshotError(f"restore strategy must be one of {STRATEGIES}, not {strategy!r}")
    if isinstance(source, tuple):
        meta, blobs = source
    elif isinstance(source, (bytes, bytearray, memoryview)):
        meta, blobs = parse(source)
    else:
        meta, blobs = load(source)
    bad = problems(meta, kvm, strategy)
    if bad:
        raise SnapshotError("cannot restore this snapshot here: " + "; ".join(bad))
    if strategy == "checked":
        # a full trial on a scratch host first: any failure is reported before the real one
        from rvemu.kvm import Kvm
        trial = Kvm(sorted(kvm.host.names), vlen=kvm.host.vlenb * 8 or None)
        try:
            _build(meta, blobs, trial, strategy)
        except (KvmError, SnapshotError, KeyError, ValueError, TypeError) as e:
            raise SnapshotError(f"checked restore refused: {e}") from None
    before = len(kvm.vms)
    try:
        vm = _build(meta, blobs, kvm, strategy)
    except (KvmError, KeyError, ValueError, TypeError, zlib.error) as e:
        del kvm.vms[before:]        # the half-built VM is dropped: nothing half-restored
        raise SnapshotError(f"snapshot does not restore: {e}") from None
    return vm, meta.get("devices", {})
