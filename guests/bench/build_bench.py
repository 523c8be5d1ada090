#!/usr/bin/env python3
"""Benchmark-guest helper (the real build is guests/build.py, which imports
bench/targets.py):

    python guests/bench/build_bench.py            build the bench ELFs (via build.py)
    python guests/bench/build_bench.py --qemu     run them on QEMU, expect exit 0
    python guests/bench/build_bench.py --count [--iters N] [NAME...]
        build -DBENCH_COUNT variants into a temp dir and run them on QEMU with
        -icount shift=0; they print the retired-instruction count (minstret
        difference from start-up to exit) on the HTIF console.

Regenerate expected.h with gen_expected.py after changing a kernel.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = os.path.dirname(HERE)


def load_build():
    spec = importlib.util.spec_from_file_location(
        "rvemu_guests_build", os.path.join(GUESTS, "build.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_targets():
    spec = importlib.util.spec_from_file_location(
        "rvemu_bench_targets", os.path.join(HERE, "targets.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return [dict(t) for t in mod.TARGETS]


def qemu_cmd(elf, icount=False):
    cmd = ["qemu-system-riscv64", "-machine", "spike", "-bios", "none",
           "-nographic", "-monitor", "none", "-smp", "1", "-kernel", elf]
    if icount:
        cmd += ["-icount", "shift=0"]
    return cmd


def select(targets, names):
    return [t for t in targets if not names or any(n in t["out"] for n in names)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--qemu", action="store_true")
    ap.add_argument("--count", action="store_true")
    ap.add_argument("--iters", type=int, default=None,
                    help="with --count: override the default bench_iters")
    a = ap.parse_args()
    b = load_build()
    targets = select(load_targets(), a.names)
    if a.qemu:
        bad = 0
        for t in targets:
            p = subprocess.run(qemu_cmd(os.path.join(GUESTS, t["out"])),
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=600)
            print("%s %-24s exit=%d" % ("PASS" if p.returncode == 0 else "FAIL",
                                        t["out"], p.returncode))
            bad += p.returncode != 0
        return 1 if bad else 0
    if a.count:
        tmp = tempfile.mkdtemp(prefix="rvemu-bench-count-")
        try:
            for t in targets:
                t["cflags"] = t["cflags"] + ["-DBENCH_COUNT"]
                if a.iters is not None:
                    name = os.path.basename(t["out"]).split(".")[0].split("_")[0]
                    t["cflags"].append("-D%s_ITERS=%d" % (name.upper(), a.iters))
            if not b.build(targets, tmp):
                return 1
            for t in targets:
                p = subprocess.run(qemu_cmd(os.path.join(tmp, t["out"]), True),
                                   stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=1200)
                m = re.search(rb"instret=(\d+)", p.stdout)
                print("%-24s exit=%d instret=%s" % (
                    t["out"], p.returncode, m.group(1).decode() if m else "?"))
        finally:
            shutil.rmtree(tmp)
        return 0
    return 0 if b.build(targets) else 1


if __name__ == "__main__":
    sys.exit(main())
