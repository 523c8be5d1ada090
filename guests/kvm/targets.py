"""KVM-model guests (imported by guests/build.py). Paths are relative to guests/."""

TARGETS = [
    # VS-mode guest of the FP/vector context-policy benchmark (rvemu bench simd)
    {"out": "kvm/simd_mix.elf", "srcs": ["kvm/simd_mix.S"], "march": "rv64gcv",
     "cflags": [], "ldscript": "common/link_sbi.ld"},
]
