#!/usr/bin/env python3
"""Regenerate guests/bench/expected.h from a native host build of the kernels.

    python guests/bench/gen_expected.py [--cc gcc]

The kernels are built twice (-O0 and -O2, -ffp-contract=off) and both runs
must print identical tables; the result is written to expected.h.  The RISC-V
guests are then validated against these tables on QEMU
(python guests/bench/build_bench.py --qemu).
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCS = ["gen_host.c", "kernels.c", "branchy_kernels.c", "memcpy_kernels.c",
        "fp_kernels.c"]
FLAGS = ["-std=gnu11", "-ffp-contract=off", "-fno-strict-aliasing",
         "-DBENCH_HOST", "-Wall", "-lm"]


def run(cc, opt, tmp):
    exe = os.path.join(tmp, "gen" + opt)
    cmd = [cc, opt] + [os.path.join(HERE, s) for s in SRCS] + ["-o", exe] + FLAGS
    subprocess.run(cmd, check=True)
    return subprocess.run([exe], check=True, stdout=subprocess.PIPE,
                          text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outs = [run(a.cc, opt, tmp) for opt in ("-O0", "-O2")]
    if outs[0] != outs[1]:
        sys.exit("host -O0 and -O2 results differ; kernels are not portable")
    with open(os.path.join(HERE, "expected.h"), "w") as f:
        f.write(outs[1])
    print("wrote expected.h")


if __name__ == "__main__":
    main()
