#!/usr/bin/env python3
"""Rebuild every rvemu guest ELF (deterministically) with the ziglang clang.

    python guests/build.py              build all targets
    python guests/build.py NAME...      build targets whose out path contains NAME
    python guests/build.py --list       list targets
    python guests/build.py --check      rebuild into a temp dir, compare with
                                        the committed ELFs (exit 1 on mismatch)
    python guests/build.py --qemu [NAME...]
                                        run targets that carry "qemu" metadata
                                        on qemu-system-riscv64 and check the
                                        exit status (needs QEMU installed)
    python guests/build.py --spike [NAME...]
                                        run targets that carry "spike" metadata
                                        on Spike ($SPIKE or `spike` on PATH)

Targets are dicts (paths relative to guests/):

    {"out": "int_ops.elf",                 # output ELF
     "srcs": ["src/int_ops.S", "common/crt.S"],
     "march": "rv64gc",                    # ISA string, converted to zig -mcpu
     "cflags": ["-DFOO"],                  # extra compiler flags (optional)
     "ldscript": "common/link.ld",         # optional, this is the default
     "qemu": {...},                        # optional, see QEMU below
     "spike": {...}}                       # optional: {"isa": ...,
                                           #  "variant_cflags": [...]}

Besides the targets below, every guests/*/targets.py defining a list
TARGETS of such dicts is imported and its targets are built too.
"""
import argparse
import concurrent.futures
import filecmp
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

DEFAULT_LDSCRIPT = "common/link.ld"
BASE_CFLAGS = [
    "--target=riscv64-freestanding-none",
    "-mcmodel=medany",
    "-nostdlib", "-static", "-ffreestanding", "-fno-pic", "-fno-pie",
    "-fno-stack-protector", "-fno-unwind-tables",
    "-fno-asynchronous-unwind-tables", "-fno-builtin",
    "-O2", "-g0", "-Wall",
    "-Icommon",
    "-Wl,--no-gc-sections", "-Wl,--build-id=none",
    "-Wl,--nmagic",
]

# --------------------------------------------------------------------------
# Our targets.  "qemu" = how the guest is validated on QEMU:
#   machine: "spike" (HTIF) or "virt" (UART / finisher); None = cannot run
#   exit:    expected exit status;  expect: substring expected on the console
#   cpu:     optional -cpu argument
# --------------------------------------------------------------------------
CRT = "common/crt.S"
CRT_SBI = "common/crt_sbi.S"
LD_SBI = "common/link_sbi.ld"
CATCH = "common/catch.S"


def _t(name, srcs, march="rv64gc", cflags=(), qemu=None, ldscript=None):
    d = {"out": name + ".elf", "srcs": list(srcs), "march": march,
         "cflags": list(cflags), "ldscript": ldscript or DEFAULT_LDSCRIPT}
    if qemu is not None:
        d["qemu"] = qemu
    return d


SPIKE = {"machine": "spike", "exit": 0}
# Guests with checks QEMU 7.2 gets wrong: validated with -DQEMU_QUIRKS,
# which compiles out exactly those checks (see README).
SPIKE_QUIRKS = {"machine": "spike", "exit": 0,
                "variant_cflags": ["-DQEMU_QUIRKS"]}
# QEMU 7.2 updates PTE A/D bits in hardware (Svadu-like) where our hart
# implements Svade; the vm guests read a `svadu` flag (default 0).
SVADU_QUIRKS = {"machine": "spike", "exit": 0,
                "variant_cflags": ["-DQEMU_QUIRKS", "-DSVADU_DEFAULT=1"]}
# QEMU's spike machine has no `time` CSR (its CLINT does not provide rdtime)
# and no exact instret; such guests are validated as a variant linked with
# common/virt_io.S (UART + finisher instead of HTIF) on QEMU virt, -icount.
VIRT_VARIANT = {"machine": "virt", "exit": 0, "variant": ["common/virt_io.S"],
                "variant_cflags": ["-DQEMU_QUIRKS"],
                "args": ["-icount", "shift=0"]}

TARGETS = [
    _t("hello_htif", ["src/hello_htif.c", CRT],
       qemu={"machine": "spike", "exit": 0, "expect": "Hello"}),
    _t("hello_sbi", ["src/hello_sbi.c", CRT_SBI], ldscript=LD_SBI,
       qemu={"machine": "virt", "bios": "default", "exit": 0,
             "expect": "Hello"}),
    _t("hello_uart", ["src/hello_uart.c", CRT],
       qemu={"machine": "virt", "exit": 0, "expect": "Hello"}),
    _t("int_ops", ["src/int_ops.S", CRT], qemu=SPIKE),
    _t("mul_div", ["src/mul_div.S", CRT], qemu=SPIKE),
    _t("atomics", ["src/atomics.S", CRT], qemu=SPIKE),
    _t("fp_single", ["src/fp_single.S", CRT, CATCH], qemu=SPIKE),
    _t("fp_double", ["src/fp_double.S", CRT, CATCH], qemu=SPIKE),
    _t("compressed", ["src/compressed.S", CRT, CATCH], qemu=SPIKE),
    _t("csr_counters", ["src/csr_counters.S", CRT, CATCH],
       qemu=VIRT_VARIANT),
    _t("traps", ["src/traps.S", CRT, CATCH], qemu=SPIKE_QUIRKS),
    _t("interrupts", ["src/interrupts.S", CRT, CATCH], qemu=SPIKE),
    _t("misaligned", ["src/misaligned.S", CRT, CATCH], qemu={
        "machine": "spike", "exit": 0,
        "variant_cflags": ["-DQEMU_QUIRKS", "-DMISALIGNED_HW_DEFAULT=1"]}),
    _t("vm_sv39", ["src/vm.c", "src/vm_rt.S", CRT], cflags=["-DLEVELS=3"],
       qemu=SVADU_QUIRKS),
    _t("vm_sv48", ["src/vm.c", "src/vm_rt.S", CRT], cflags=["-DLEVELS=4"],
       qemu=SVADU_QUIRKS),
    _t("pmp", ["src/pmp.c", "src/vm_rt.S", CRT], qemu=SPIKE_QUIRKS),
    _t("vm_sv57", ["src/vm.c", "src/vm_rt.S", CRT], cflags=["-DLEVELS=5"],
       qemu=SVADU_QUIRKS),
    _t("plic_uart", ["src/plic_uart.S", CRT]),
    # several harts (Machine(harts=N) writes N into `nharts`); its own start-up code
    _t("smp", ["src/smp.S"]),
    _t("smp_sbi", ["src/smp_sbi.S", CRT_SBI], ldscript=LD_SBI),
    # H extension harness: validated on Spike (QEMU 7.2 is not the reference
    # for H); Sstc and Svadu cases are chosen at run time from menvcfg.
    dict(_t("hyp", ["src/hyp.c", "src/hyp_rt.S", CRT], march="rv64gch"),
         spike={"isa": "rv64gch_sstc_zicntr_zihpm",
                "variant_cflags": ["-DSPIKE_QUIRKS"]}),
    _t("zfh", ["src/zfh.S", CRT, CATCH], march="rv64gc_zfh_zfbfmin",
       qemu={"machine": "spike", "exit": 0, "cpu": "rv64,Zfh=true",
             "variant_cflags": ["-DQEMU_NO_ZFBFMIN"]}),
    # VS-mode guests of the KVM model (rvemu run --kvm guests/kvm/NAME.elf): the SBI
    # extensions and the SBI PMU as Linux's KVM offers them (tests/test_kvm_guests.py)
    _t("kvm/kvm_sbi", ["src/kvm_sbi.c", "src/kvm_rt.S", CRT_SBI], ldscript=LD_SBI),
    _t("kvm/kvm_pmu", ["src/kvm_pmu.c", "src/kvm_rt.S", CRT_SBI], ldscript=LD_SBI),
    _t("kvm/kvm_ctx", ["src/kvm_ctx.c", "src/kvm_ctx_v.S", "src/kvm_rt.S", CRT_SBI],
       ldscript=LD_SBI),
]


# --------------------------------------------------------------------------
def march_to_mcpu(march):
    """'rv64gc' / 'rv64imac_zicsr' / 'rv64gcv_zfh' -> zig/LLVM -mcpu string."""
    m = march.lower()
    if not m.startswith("rv64"):
        raise ValueError("only rv64 ISA strings are supported: %r" % march)
    parts = m[4:].split("_")
    singles, multis = parts[0], [p for p in parts[1:] if p]
    feats = []
    i = 0
    while i < len(singles):
        ch = singles[i]
        i += 1
        if ch in "ie":
            continue
        if ch == "g":
            feats += ["m", "a", "f", "d", "zicsr", "zifencei"]
            continue
        if ch == "z" or ch == "s" or ch == "x":   # multi-letter without '_'
            multis.insert(0, singles[i - 1:])
            break
        feats.append(ch)
    for x in multis:
        x = re.sub(r"\d+p\d+$", "", x)    # drop version suffixes
        feats.append(x)
    out = []
    for f in feats:
        if f not in out:
            out.append(f)
    return "generic_rv64" + "".join("+" + f for f in out)


def zig_cc():
    return [sys.executable, "-m", "ziglang", "cc"]


def find_extra_targets():
    extra = []
    for path in sorted(glob.glob(os.path.join(HERE, "*", "targets.py"))):
        sub = os.path.basename(os.path.dirname(path))
        spec = importlib.util.spec_from_file_location(
            "guest_targets_" + sub, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for t in getattr(mod, "TARGETS", []):
            extra.append(dict(t))
    return extra


def all_targets():
    return [dict(t) for t in TARGETS] + find_extra_targets()


def build_one(t, outdir=None):
    out = t["out"]
    dest = os.path.join(outdir or HERE, out)
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    mcpu = t.get("mcpu") or march_to_mcpu(t.get("march", "rv64gc"))
    ld = t.get("ldscript") or DEFAULT_LDSCRIPT
    cmd = zig_cc() + BASE_CFLAGS + ["-mcpu=" + mcpu] + list(
        t.get("cflags", [])) + ["-T", ld] + list(t["srcs"]) + ["-o", dest]
    # Build from guests/ with relative paths so the output does not depend on
    # where the checkout lives.
    p = subprocess.run(cmd, cwd=HERE, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return out, p.returncode, p.stdout, cmd


def build(targets, outdir=None, verbose=False):
    ok = True
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 4) as ex:
        for out, rc, log, cmd in ex.map(lambda t: build_one(t, outdir),
                                        targets):
            if verbose:
                print(" ".join(cmd))
            if rc != 0:
                ok = False
                print("FAILED %s\n%s" % (out, log))
            else:
                if log.strip():
                    print(log.rstrip())
                print("built  %s" % out)
    return ok


def select(targets, names):
    if not names:
        return targets
    sel = [t for t in targets if any(n in t["out"] for n in names)]
    if not sel:
        sys.exit("no target matches %s" % names)
    return sel


def run_spike(t, timeout=120):
    """Run target t on Spike (HTIF exit status), as a temporary variant
    build when its "spike" metadata has variant_cflags."""
    sp = t["spike"]
    spike = os.environ.get("SPIKE") or shutil.which("spike")
    if not spike:
        return None, "no spike ($SPIKE or spike on PATH)"
    tmp = tempfile.mkdtemp(prefix="rvemu-spike-")
    try:
        elf = os.path.join(HERE, t["out"])
        if sp.get("variant_cflags"):
            v = dict(t)
            v["cflags"] = list(t.get("cflags", [])) + sp["variant_cflags"]
            out, rc, log, _ = build_one(v, tmp)
            if rc:
                return False, "variant build failed: " + log
            elf = os.path.join(tmp, t["out"])
        try:
            p = subprocess.run([spike, "--isa=" + sp["isa"], elf],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return False, "timeout"
        outp = p.stdout.decode("latin-1")
        return p.returncode == sp.get("exit", 0), "exit=%d %s" % (
            p.returncode, outp.strip()[-200:])
    finally:
        shutil.rmtree(tmp)


def run_qemu(t, timeout=60):
    q = t["qemu"]
    machine = q.get("machine")
    if not machine:
        return None, "not runnable on QEMU"
    elf = os.path.join(HERE, t["out"])
    tmp = None
    if q.get("variant") or q.get("variant_cflags"):
        tmp = tempfile.mkdtemp(prefix="rvemu-qemu-")
        v = dict(t)
        v["srcs"] = list(q.get("variant", [])) + list(t["srcs"])
        v["cflags"] = list(t.get("cflags", [])) + list(
            q.get("variant_cflags", []))
        out, rc, log, _ = build_one(v, tmp)
        if rc:
            shutil.rmtree(tmp)
            return False, "variant build failed: " + log
        elf = os.path.join(tmp, t["out"])
    try:
        return _run_qemu(q, machine, elf, timeout)
    finally:
        if tmp:
            shutil.rmtree(tmp)


def _run_qemu(q, machine, elf, timeout):
    cmd = ["qemu-system-riscv64", "-machine", machine,
           "-bios", q.get("bios", "none"),
           "-nographic", "-monitor", "none", "-serial", "stdio", "-smp", "1",
           "-kernel", elf]
    if machine == "spike":
        cmd = [c for c in cmd if c not in ("-serial", "stdio")]
    if q.get("cpu"):
        cmd += ["-cpu", q["cpu"]]
    cmd += q.get("args", [])
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, "timeout"
    outp = p.stdout.decode("latin-1")
    good = p.returncode == q.get("exit", 0)
    if q.get("expect") and q["expect"] not in outp:
        good = False
    return good, "exit=%d %s" % (p.returncode, outp.strip()[-200:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--qemu", action="store_true")
    ap.add_argument("--spike", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    targets = select(all_targets(), a.names)
    if a.list:
        for t in targets:
            print("%-28s %-10s %s" % (t["out"], t.get("march", ""),
                                      " ".join(t["srcs"])))
        return 0
    if a.qemu or a.spike:
        key, runner = ("qemu", run_qemu) if a.qemu else ("spike", run_spike)
        bad = 0
        for t in targets:
            if key not in t:
                continue
            good, msg = runner(t)
            tag = {True: "PASS", False: "FAIL", None: "SKIP"}[good]
            bad += good is False
            print("%s %-24s %s" % (tag, t["out"], msg.replace("\n", " | ")))
        return 1 if bad else 0
    if a.check:
        tmp = tempfile.mkdtemp(prefix="rvemu-guests-")
        try:
            if not build(targets, tmp, a.verbose):
                return 1
            bad = [t["out"] for t in targets if not filecmp.cmp(
                os.path.join(tmp, t["out"]), os.path.join(HERE, t["out"]),
                shallow=False)]
            for b in bad:
                print("MISMATCH %s" % b)
            return 1 if bad else 0
        finally:
            shutil.rmtree(tmp)
    return 0 if build(targets, None, a.verbose) else 1


if __name__ == "__main__":
    sys.exit(main())
