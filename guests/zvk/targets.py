"""The ZV* guests (issue 6), imported by guests/build.py. Paths are relative to guests/.

Each computes a standard's published vectors with the vector crypto instructions and exits
0 (HTIF) when all match, else the number of the failed check. Validated on Spike:
    spike --isa=rv64gcv_zvbb_zvbc_zvkg_zvkned_zvknhb_zvksed_zvksh_zvkt guests/zvk/NAME.elf
(VLEN 128, and with _zvl256b/_zvl512b), see tests/test_zvk_guests.py.
"""
MARCH = "rv64gcv_zvbb_zvbc_zvkg_zvkned_zvknhb_zvksed_zvksh_zvkt"
_FLAGS = ["-Izvk", "-fno-vectorize", "-fno-slp-vectorize"]
_CRT = "common/crt.S"


def _t(name, srcs):
    return {"out": "zvk/%s.elf" % name, "srcs": ["zvk/%s" % s for s in srcs] + [_CRT],
            "march": MARCH, "cflags": list(_FLAGS)}


TARGETS = [
    _t("aes", ["aes.c", "zvk_aes.S"]),
    _t("sha256", ["sha2.c", "zvk_sha2.S"]),
    dict(_t("sha512", ["sha2.c", "zvk_sha2.S"]), cflags=_FLAGS + ["-DSHA512"]),
    _t("sm4", ["sm4.c", "zvk_sm.S"]),
    dict(_t("sm4_million", ["sm4.c", "zvk_sm.S"]), cflags=_FLAGS + ["-DSM4_MILLION"]),
    _t("sm3", ["sm3.c", "zvk_sm.S"]),
    _t("ghash", ["ghash.c", "zvk_ghash.S", "zvk_aes.S"]),
    _t("zvbb", ["zvbb.c", "zvk_zvbb.S"]),
    _t("zvk_diff", ["zvk_diff.c", "zvk_diff.S"]),
]
