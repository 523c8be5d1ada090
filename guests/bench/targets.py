"""Benchmark guests for the throughput suite (imported by guests/build.py).

Paths are relative to guests/.  Every workload reads `bench_iters`
(volatile uint64_t, .data) and exits through HTIF with 0 on success
(sbi_call, an S-mode payload, exits through SBI SRST instead).
"""

_FLAGS = ["-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing",
          "-Ibench"]
_QEMU = {"machine": "spike", "exit": 0}
_LD = "bench/link.ld"
_RT = ["bench/bench_rt.c"]
_INTMIX = ["bench/intmix.c", "bench/kernels.c"]


def _t(name, srcs, march="rv64gc", crt="bench/crt.S"):
    return {"out": "bench/%s.elf" % name,
            "srcs": list(srcs) + _RT + [crt],
            "march": march, "cflags": list(_FLAGS), "ldscript": _LD,
            "qemu": dict(_QEMU)}


TARGETS = [
    _t("intmix", _INTMIX),
    _t("intmix_rv64g", _INTMIX, march="rv64g"),
    _t("intmix_sv39", _INTMIX + ["bench/sv39.c"], crt="bench/crt_sv39.S"),
    _t("branchy", ["bench/branchy.c", "bench/branchy_kernels.c"]),
    _t("memcpy", ["bench/memcpy.c", "bench/memcpy_kernels.c"]),
    _t("fpmix", ["bench/fpmix.c", "bench/fp_kernels.c"]),
    # RVV kernels and the same driver running their scalar twins (QEMU: -cpu rv64,v=true)
    dict(_t("vector", ["bench/vector.c", "bench/vector_kernels.c"], march="rv64gcv"),
         qemu={"machine": "spike", "exit": 0, "cpu": "rv64,v=true,vlen=128,elen=64"}),
    dict(_t("vector_scalar", ["bench/vector.c", "bench/vector_kernels.c"]),
         cflags=_FLAGS + ["-DVEC_SCALAR_ONLY"]),
    # S-mode SBI payload (Python boundary: SBI call round trip); on QEMU it
    # runs under OpenSBI (virt, -bios default).
    {"out": "bench/sbi_call.elf",
     "srcs": ["bench/sbi_call.c", "common/crt_sbi.S"],
     "march": "rv64gc", "cflags": list(_FLAGS),
     "ldscript": "common/link_sbi.ld",
     "qemu": {"machine": "virt", "bios": "default", "exit": 0}},
]
