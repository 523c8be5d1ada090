"""KVM-model guests (imported by guests/build.py). Paths are relative to guests/."""

TARGETS = [
    # VS-mode guest of the FP/vector context-policy benchmark (rvemu bench simd)
    {"out": "kvm/simd_mix.elf", "srcs": ["kvm/simd_mix.S"], "march": "rv64gcv",
     "cflags": [], "ldscript": "common/link_sbi.ld"},
    # keeps vector/FP state for the whole run: the snapshot/migration tests
    {"out": "kvm/vsum.elf", "srcs": ["kvm/vsum.c", "common/crt_sbi.S"], "march": "rv64gcv",
     "cflags": ["-O2", "-fno-vectorize", "-fno-slp-vectorize"],
     "ldscript": "common/link_sbi.ld"},
]
