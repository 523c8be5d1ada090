"""The ZV* kernels (rvemu/_core/zvk.h, through the _zvk test hook) against our references,
with the host-instruction paths (AES-NI, PCLMULQDQ) and with the portable C code.

1. the references themselves reproduce the standards' published test vectors;
2. every kernel equals its reference on random element groups (and every immediate);
3. the standards' vectors computed through the kernels, used the way guest code uses the
   instructions (round by round, four SHA-2 rounds per vsha2ms/ch/cl, ...).
"""
import random

import pytest

import zvk_ref as ref

z = pytest.importorskip("rvemu._core._zvk", reason="build the extensions first")

RNG_SEED = 6
HW = z.set_hw(True)  # does this host (and build) have AES-NI and PCLMULQDQ?


@pytest.fixture(autouse=True, params=["host-insns", "portable-c"])
def kernel_mode(request):
    """Every test here runs with the host's AES-NI/PCLMULQDQ paths (where present) and
    with the portable C code."""
    if request.param == "host-insns" and not HW:
        pytest.skip("this host or build has no AES-NI/PCLMULQDQ; the portable run covers it")
    z.set_hw(request.param == "host-insns")
    yield request.param
    z.set_hw(True)


def rnd_words(rng, n=4, bits=32):
    return [rng.getrandbits(bits) for _ in range(n)]


def w(hexstr):
    """Bytes (as hex) -> little-endian 32-bit element values."""
    return ref.bytes_to_words(bytes.fromhex(hexstr))


# -----------------------------------------------------------------------------------------
# 1. the references reproduce the standards
# -----------------------------------------------------------------------------------------

AES_FIPS197 = [  # FIPS-197 appendix C.1, C.2, C.3
    ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
    ("000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"),
    ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "8ea2b7ca516745bfeafc49904b496089"),
]
AES_PT = "00112233445566778899aabbccddeeff"

SHA256_VECTORS = [  # FIPS 180-4 examples (NIST CSRC "Examples with intermediate values")
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
]
SHA512_VECTORS = [
    (b"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    (b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
     b"klmnopqrlmnopqrsmnopqrstnopqrstu",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
]
SM4_KEY = "0123456789abcdeffedcba9876543210"  # GB/T 32907 appendix A: key = plaintext
SM4_CT1 = "681edf34d206965e86b3e94f536e4246"
SM4_CT1M = "595298c7c6fd271f0402f804c33d3f66"  # after 1,000,000 encryptions
SM3_VECTORS = [  # GB/T 32905 appendix A
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]
# The GCM specification's test cases 1-4 (McGrew & Viega, AES-128), as used by SP 800-38D
# validation; (key, iv, plaintext, aad, ciphertext, tag).
_P = ("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
_C = ("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985")
GCM_CASES = [
    ("00" * 16, "00" * 12, "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"),
    ("00" * 16, "00" * 12, "00" * 16, "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"),
    ("feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", _P, "", _C,
     "4d5c2af327cd64a62cf35abd2ba6fab4"),
    ("feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", _P[:120],
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", _C[:120], "5bc94fbc3221a5db94fae95ae7121a47"),
]


@pytest.mark.parametrize("key,ct", AES_FIPS197)
def test_reference_aes(key, ct):
    k, pt = bytes.fromhex(key), bytes.fromhex(AES_PT)
    assert ref.aes_encrypt(k, pt).hex() == ct
    assert ref.aes_decrypt(k, bytes.fromhex(ct)) == pt


def test_reference_aes_tables():
    assert ref.AES_SBOX[0x00] == 0x63 and ref.AES_SBOX[0x53] == 0xED  # FIPS-197 5.1.1
    assert ref.AES_INV_SBOX[0x63] == 0 and sorted(ref.AES_SBOX) == list(range(256))
    # FIPS-197 A.1: the last round key of the AES-128 example key 2b7e1516...
    rk = ref.key_expansion(bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c"))
    assert rk[10].hex() == "d014f9a8c9ee2589e13f0cc8b6630ca6"


def test_reference_sha2():
    assert ref.K256[0] == 0x428A2F98 and ref.K256[63] == 0xC67178F2
    assert ref.K512[79] == 0x6C44198C4A475817 and ref.H512[0] == 0x6A09E667F3BCC908
    for msg, digest in SHA256_VECTORS:
        assert ref.sha256(msg).hex() == digest
    for msg, digest in SHA512_VECTORS:
        assert ref.sha512(msg).hex() == digest


def test_reference_sm4():
    # entries of the standard's S-box table (first row and last entries)
    assert ref.SM4_SBOX[:8] == [0xD6, 0x90, 0xE9, 0xFE, 0xCC, 0xE1, 0x3D, 0xB7]
    assert ref.SM4_SBOX[0xFD:] == [0xCB, 0x39, 0x48]
    assert ref.SM4_CK[0] == 0x00070E15 and ref.SM4_CK[31] == 0x646B7279
    k = bytes.fromhex(SM4_KEY)
    assert ref.sm4_encrypt(k, k).hex() == SM4_CT1
    assert ref.sm4_decrypt(k, bytes.fromhex(SM4_CT1)) == k


def test_reference_sm3():
    for msg, digest in SM3_VECTORS:
        assert ref.sm3(msg).hex() == digest


@pytest.mark.parametrize("case", range(len(GCM_CASES)))
def test_reference_gcm(case):
    key, iv, p, a, c, t = (bytes.fromhex(x) for x in GCM_CASES[case])
    got_c, got_t = ref.gcm_encrypt(lambda b: ref.aes_encrypt(key, b), iv, p, a)
    assert (got_c, got_t) == (c, t)


def test_reference_bitmanip():
    assert ref.clmul(0x87, 0x87) == 0x4015 and ref.clmulh(1 << 63, 1 << 63) == 1 << 62
    assert ref.rev8(0x0102030405060708, 64) == 0x0807060504030201
    assert ref.brev8(0x0180, 16) == 0x0180 ^ 0x0180 ^ 0x8001
    assert ref.clz(1, 32) == 31 and ref.ctz(0, 16) == 16 and ref.wsll(0xFF, 12, 8) == 0xF000


# -----------------------------------------------------------------------------------------
# 2. kernels = references
# -----------------------------------------------------------------------------------------

def test_sboxes_exhaustive():
    assert [z.aes_sbox(x) for x in range(256)] == ref.AES_SBOX
    assert [z.aes_inv_sbox(x) for x in range(256)] == ref.AES_INV_SBOX
    assert [z.sm4_sbox(x) for x in range(256)] == ref.SM4_SBOX
    assert [z.sm4_ck(i) for i in range(32)] == ref.SM4_CK
    # the word forms the instructions use (on the host path: AES-NI, with SM4 through a
    # change of basis), every byte value in every byte position
    for x in range(256):
        w = x | ((x + 1) & 255) << 8 | ((x + 2) & 255) << 16 | ((x + 3) & 255) << 24
        sb = [ref.AES_SBOX[(x + k) & 255] for k in range(4)]
        assert z.aes_subword(w) == sum(v << (8 * k) for k, v in enumerate(sb)), x
        sb = [ref.SM4_SBOX[(x + k) & 255] for k in range(4)]
        assert z.sm4_subword(w) == sum(v << (8 * k) for k, v in enumerate(sb)), x


@pytest.mark.parametrize("name", ["vaesef", "vaesem", "vaesdf", "vaesdm", "vaesz", "vsm4r",
                                  "vgmul"])
def test_two_operand_groups(name):
    rng = random.Random(RNG_SEED)
    for _ in range(200):
        vd, vs2 = rnd_words(rng), rnd_words(rng)
        assert getattr(z, name)(vd, vs2) == getattr(ref, name)(vd, vs2), (name, vd, vs2)


def test_vghsh():
    rng = random.Random(RNG_SEED)
    for _ in range(200):
        vd, vs2, vs1 = rnd_words(rng), rnd_words(rng), rnd_words(rng)
        assert z.vghsh(vd, vs2, vs1) == ref.vghsh(vd, vs2, vs1)
    # identities: H = 1 (the block 80 00..00 in GCM's bit order) leaves Y ^ X unchanged
    one = w("80" + "00" * 15)
    assert z.vghsh([1, 2, 3, 4], one, [5, 6, 7, 8]) == [1 ^ 5, 2 ^ 6, 3 ^ 7, 4 ^ 8]
    assert z.vgmul([0, 0, 0, 0], [9, 9, 9, 9]) == [0, 0, 0, 0]


@pytest.mark.parametrize("uimm", range(32))
def test_vaeskf(uimm):
    rng = random.Random(uimm)
    for _ in range(20):
        vd, vs2 = rnd_words(rng), rnd_words(rng)
        assert z.vaeskf1(vs2, uimm) == ref.vaeskf1(vs2, uimm)
        assert z.vaeskf2(vd, vs2, uimm) == ref.vaeskf2(vd, vs2, uimm)


def test_vaeskf_round_number_rules():
    """zvk.adoc: uimm[4] ignored; vaeskf1 0 -> 8, 11..15 -> 3..7; vaeskf2 0,1 -> 8,9, 15 -> 7."""
    kf1 = {u: z.vaeskf1_round(u) for u in range(32)}
    assert [kf1[u] for u in range(16)] == [8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3, 4, 5, 6, 7]
    assert all(kf1[u] == kf1[u + 16] for u in range(16))
    kf2 = [z.vaeskf2_round(u) for u in range(16)]
    assert kf2 == [8, 9, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 7]
    key = [0x16157E2B, 0xA6D2AE28, 0x8815F7AB, 0x3C4FCF09]
    assert z.vaeskf1(key, 0) == z.vaeskf1(key, 8) == z.vaeskf1(key, 24)
    assert z.vaeskf2(key, key, 15) == z.vaeskf2(key, key, 7)


@pytest.mark.parametrize("sew", [32, 64])
@pytest.mark.parametrize("name", ["vsha2ms", "vsha2ch", "vsha2cl"])
def test_sha2_groups(name, sew):
    rng = random.Random(sew)
    for _ in range(200):
        vd, vs2, vs1 = (rnd_words(rng, 4, sew) for _ in range(3))
        assert getattr(z, name)(vd, vs2, vs1, sew) == getattr(ref, name)(vd, vs2, vs1, sew)


@pytest.mark.parametrize("uimm", range(32))
def test_vsm4k_and_vsm3c(uimm):
    rng = random.Random(100 + uimm)
    for _ in range(10):
        vs2 = rnd_words(rng)
        assert z.vsm4k(vs2, uimm) == ref.vsm4k(vs2, uimm)
        vd8, vs28 = rnd_words(rng, 8), rnd_words(rng, 8)
        assert z.vsm3c(vd8, vs28, uimm) == ref.vsm3c(vd8, vs28, uimm)
    assert z.vsm4k([1, 2, 3, 4], uimm) == z.vsm4k([1, 2, 3, 4], uimm & 7)  # uimm[4:3] ignored


def test_vsm3me():
    rng = random.Random(RNG_SEED)
    for _ in range(200):
        vs2, vs1 = rnd_words(rng, 8), rnd_words(rng, 8)
        assert z.vsm3me(vs2, vs1) == ref.vsm3me(vs2, vs1)


def _edge_values(sew, rng):
    top = (1 << sew) - 1
    vals = [0, 1, top, top - 1, 1 << (sew - 1), (1 << (sew - 1)) - 1, 0x80 & top, 0x0F & top]
    return vals + [rng.getrandbits(sew) for _ in range(60)] + \
        [1 << rng.randrange(sew) for _ in range(20)]


@pytest.mark.parametrize("sew", [8, 16, 32, 64])
def test_zvbb_per_element(sew):
    rng = random.Random(sew)
    vals = _edge_values(sew, rng)
    for x in vals:
        for name in ("brev", "brev8", "rev8", "clz", "ctz", "cpop"):
            assert getattr(z, name)(x, sew) == getattr(ref, name)(x, sew), (name, hex(x), sew)
        for amount in (0, 1, sew - 1, sew, sew + 3, 2 * sew - 1, 2 * sew, rng.getrandbits(64)):
            assert z.rol(x, amount, sew) == ref.rol(x, amount, sew), ("rol", x, amount)
            assert z.ror(x, amount, sew) == ref.ror(x, amount, sew), ("ror", x, amount)
            if sew <= 32:
                assert z.wsll(x, amount, sew) == ref.wsll(x, amount, sew), ("wsll", x, amount)
        y = rng.getrandbits(sew)
        assert z.andn(x, y, sew) == ref.andn(x, y, sew)


def test_zvbc_per_element():
    rng = random.Random(RNG_SEED)
    vals = _edge_values(64, rng)
    for a in vals:
        for b in vals[:20] + [rng.getrandbits(64)]:
            assert z.clmul(a, b) == ref.clmul(a, b)
            assert z.clmulh(a, b) == ref.clmulh(a, b)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="expected 4"):
        z.vaesef([1, 2, 3], [0, 0, 0, 0])
    with pytest.raises(ValueError, match="32-bit"):
        z.vaesef([1 << 32, 0, 0, 0], [0, 0, 0, 0])
    with pytest.raises(ValueError, match="SEW"):
        z.vsha2ms([0] * 4, [0] * 4, [0] * 4, 16)
    with pytest.raises(ValueError, match="SEW"):
        z.wsll(1, 1, 64)
    with pytest.raises(ValueError, match="does not fit"):
        z.clz(256, 8)


# -----------------------------------------------------------------------------------------
# 3. the standards' vectors through the kernels, as guest code would use the instructions
# -----------------------------------------------------------------------------------------

def k_aes_round_keys(key):
    """Round keys as element groups: AES-128 with vaeskf1, AES-256 with vaeskf2, AES-192
    from the reference's schedule (there is no AES-192 key-schedule instruction)."""
    if len(key) == 16:
        rk = [ref.bytes_to_words(key)]
        for r in range(1, 11):
            rk.append(z.vaeskf1(rk[-1], r))
        return rk
    if len(key) == 32:
        rk = [ref.bytes_to_words(key[:16]), ref.bytes_to_words(key[16:])]
        for r in range(2, 15):
            rk.append(z.vaeskf2(rk[-2], rk[-1], r))
        return rk
    return [ref.bytes_to_words(k) for k in ref.key_expansion(key)]


def k_aes_encrypt(rk, block):
    s = z.vaesz(ref.bytes_to_words(block), rk[0])
    for k in rk[1:-1]:
        s = z.vaesem(s, k)
    return ref.words_to_bytes(z.vaesef(s, rk[-1]))


def k_aes_decrypt(rk, block):
    s = z.vaesz(ref.bytes_to_words(block), rk[-1])
    for k in reversed(rk[1:-1]):
        s = z.vaesdm(s, k)
    return ref.words_to_bytes(z.vaesdf(s, rk[0]))


@pytest.mark.parametrize("key,ct", AES_FIPS197, ids=["aes128", "aes192", "aes256"])
def test_aes_through_kernels(key, ct):
    rk = k_aes_round_keys(bytes.fromhex(key))
    assert [ref.words_to_bytes(k) for k in rk] == ref.key_expansion(bytes.fromhex(key))
    assert k_aes_encrypt(rk, bytes.fromhex(AES_PT)).hex() == ct
    assert k_aes_decrypt(rk, bytes.fromhex(ct)).hex() == AES_PT


def k_sha2(msg, sew):
    """SHA-256 (sew 32) / SHA-512 (sew 64) with vsha2ms / vsha2cl / vsha2ch, four rounds per
    group; message words byte-swapped on load (vrev8), the state as {a,b,e,f} / {c,d,g,h}."""
    size, kt, h0, rounds = (4, ref.K256, ref.H256, 64) if sew == 32 else (8, ref.K512, ref.H512, 80)
    mask = (1 << sew) - 1
    m = ref.sha2_pad(msg, sew)
    hv = list(h0)
    for off in range(0, len(m), 16 * size):
        g = [[int.from_bytes(m[off + size * (4 * q + i):off + size * (4 * q + i + 1)], "big")
              for i in range(4)] for q in range(4)]  # after vrev8: the standard's words
        a, b, c, d, e, f, gg, h = hv
        abef, cdgh = [f, e, b, a], [h, gg, d, c]
        for q in range(rounds // 4):
            kw = [(x + y) & mask for x, y in zip(g[0], kt[4 * q:4 * q + 4])]   # vadd.vv
            cdgh = z.vsha2cl(cdgh, abef, kw, sew)  # two rounds; cdgh now holds the new abef
            abef, cdgh = cdgh, abef
            cdgh = z.vsha2ch(cdgh, abef, kw, sew)
            abef, cdgh = cdgh, abef
            merged = [g[1][0]] + g[2][1:]                                     # vmerge
            new = z.vsha2ms(g[0], merged, g[3], sew)
            g = [g[1], g[2], g[3], new]
        f, e, b, a = abef
        h, gg, d, c = cdgh
        hv = [(x + y) & mask for x, y in zip(hv, [a, b, c, d, e, f, gg, h])]
    return b"".join(x.to_bytes(size, "big") for x in hv)


@pytest.mark.parametrize("msg,digest", SHA256_VECTORS, ids=["abc", "two-block"])
def test_sha256_through_kernels(msg, digest):
    assert k_sha2(msg, 32).hex() == digest


@pytest.mark.parametrize("msg,digest", SHA512_VECTORS, ids=["abc", "two-block"])
def test_sha512_through_kernels(msg, digest):
    assert k_sha2(msg, 64).hex() == digest


def k_sm4_round_keys(key):
    k = [int.from_bytes(key[4 * i:4 * i + 4], "big") ^ f for i, f in enumerate(ref.SM4_FK)]
    groups = []
    for r in range(8):
        k = z.vsm4k(k, r)
        groups.append(k)
    return groups


def k_sm4(groups, block, decrypt=False):
    x = [int.from_bytes(block[4 * i:4 * i + 4], "big") for i in range(4)]  # vle32 + vrev8
    order = [g[::-1] for g in reversed(groups)] if decrypt else groups
    for rk in order:
        x = z.vsm4r(x, rk)
    return b"".join(v.to_bytes(4, "big") for v in reversed(x))


def test_sm4_through_kernels():
    k = bytes.fromhex(SM4_KEY)
    groups = k_sm4_round_keys(k)
    assert [r for g in groups for r in g] == ref.sm4_round_keys(k)
    assert k_sm4(groups, k).hex() == SM4_CT1
    assert k_sm4(groups, bytes.fromhex(SM4_CT1), decrypt=True) == k


@pytest.mark.slow
def test_sm4_million_iterations_through_kernels():
    k = bytes.fromhex(SM4_KEY)
    groups = k_sm4_round_keys(k)
    block = k
    for _ in range(1_000_000):
        block = k_sm4(groups, block)
    assert block.hex() == SM4_CT1M


def k_sm3(msg):
    """SM3 with vsm3me / vsm3c: words kept as loaded from memory (the instructions swap)."""
    m = msg + b"\x80"
    m += b"\x00" * ((-len(m) - 8) % 64)
    m += (8 * len(msg)).to_bytes(8, "big")
    v = [ref.bswap32(x) for x in ref.SM3_IV]   # the IV as big-endian bytes in memory
    for off in range(0, len(m), 64):
        wv = ref.bytes_to_words(m[off:off + 64])          # vle32: 16 words
        while len(wv) < 72:
            wv += z.vsm3me(wv[-8:], wv[-16:-8])
        s = list(v)
        for r in range(32):
            s = z.vsm3c(s, wv[2 * r:2 * r + 8], r)
        v = [x ^ y for x, y in zip(v, s)]
    return ref.words_to_bytes(v)


@pytest.mark.parametrize("msg,digest", SM3_VECTORS, ids=["abc", "64-byte"])
def test_sm3_through_kernels(msg, digest):
    assert k_sm3(msg).hex() == digest


def k_ghash(use_vgmul):
    def fn(h, data):
        hw = ref.bytes_to_words(h)
        y = [0, 0, 0, 0]
        for off in range(0, len(data), 16):
            x = ref.bytes_to_words(data[off:off + 16])
            if use_vgmul:
                y = z.vgmul([a ^ b for a, b in zip(y, x)], hw)
            else:
                y = z.vghsh(y, hw, x)
        return ref.words_to_bytes(y)
    return fn


@pytest.mark.parametrize("use_vgmul", [False, True], ids=["vghsh", "vgmul"])
@pytest.mark.parametrize("case", range(len(GCM_CASES)))
def test_gcm_through_kernels(case, use_vgmul):
    key, iv, p, a, c, t = (bytes.fromhex(x) for x in GCM_CASES[case])
    rk = k_aes_round_keys(key)
    got_c, got_t = ref.gcm_encrypt(lambda b: k_aes_encrypt(rk, b), iv, p, a,
                                   ghash_fn=k_ghash(use_vgmul))
    assert (got_c.hex(), got_t.hex()) == (c.hex(), t.hex())


def test_host_instructions_equal_portable_code():
    """AES rounds, SubWord (vaeskf1/2), GHASH and clmul: the two paths agree on random data."""
    if not HW:
        pytest.skip("this host or build has no AES-NI/PCLMULQDQ")
    rng = random.Random(RNG_SEED)
    for _ in range(300):
        vd, vs2, vs1 = rnd_words(rng), rnd_words(rng), rnd_words(rng)
        u, a, b = rng.randrange(32), rng.getrandbits(64), rng.getrandbits(64)
        results = []
        for hw in (True, False):
            z.set_hw(hw)
            results.append([z.vaesef(vd, vs2), z.vaesem(vd, vs2), z.vaesdf(vd, vs2),
                            z.vaesdm(vd, vs2), z.vaeskf1(vs2, u), z.vaeskf2(vd, vs2, u),
                            z.vghsh(vd, vs2, vs1), z.vgmul(vd, vs2), z.clmul(a, b), z.clmulh(a, b)])
        assert results[0] == results[1]
