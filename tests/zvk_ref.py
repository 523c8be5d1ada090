"""Slow, plain Python references for the ZV* instructions, written from the standards.

* AES: FIPS-197 (S-box from the multiplicative inverse and the affine map of 5.1.1, key
  expansion 5.2, cipher 5.1, inverse cipher 5.3);
* SHA-256 / SHA-512: FIPS 180-4 (constants computed from the cube and square roots of the
  primes as 4.2.2, 4.2.3, 5.3.3 and 5.3.5 define them);
* SM4: GB/T 32907-2016 (S-box computed -- see ``SM4_SBOX`` -- and spot-checked against the
  standard's table in the tests; FK and CK as the standard defines them);
* SM3: GB/T 32905-2016;
* GHASH / GCM: NIST SP 800-38D (Algorithm 1 bit by bit, GCTR, GCM-AE);
* the per-element Zvbb / Zvbc operations from zvbb.adoc / zvbc.adoc.

Then the instruction-level functions (``vaesef``, ``vsha2ch``, ``vsm3c``...) express what
zvk.adoc's pseudocode says each instruction does to one element group, in terms of the
algorithms above, using lists of element values (element 0 first) as the C kernels do.
Nothing here is fast or constant-time; it is meant to be obviously right.
"""

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


# -----------------------------------------------------------------------------------------
# Small helpers
# -----------------------------------------------------------------------------------------

def words_to_bytes(words, size=4):
    """Little-endian element values -> the bytes of the element group."""
    return b"".join(w.to_bytes(size, "little") for w in words)


def bytes_to_words(data, size=4):
    return [int.from_bytes(data[i:i + size], "little") for i in range(0, len(data), size)]


def rotl(x, n, bits):
    n %= bits
    mask = (1 << bits) - 1
    return ((x << n) | (x >> (bits - n))) & mask


def rotr(x, n, bits):
    return rotl(x, bits - n % bits, bits)


def bswap32(x):
    return int.from_bytes(x.to_bytes(4, "little"), "big")


def _primes(n):
    out, k = [], 2
    while len(out) < n:
        if all(k % p for p in out if p * p <= k):
            out.append(k)
        k += 1
    return out


def _iroot(n, k):
    """floor(n ** (1/k)) for integers, by Newton's method."""
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def _frac_root_bits(p, k, bits):
    """The first ``bits`` bits of the fractional part of p ** (1/k)."""
    return _iroot(p << (k * bits), k) & ((1 << bits) - 1)


# -----------------------------------------------------------------------------------------
# AES (FIPS-197)
# -----------------------------------------------------------------------------------------

def gf_mul(a, b, poly=0x11B):
    """Multiplication in GF(2^8) modulo ``poly`` (FIPS-197 4.2)."""
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        if a & 0x100:
            a ^= poly
        b >>= 1
    return r


def gf_inv(a, poly=0x11B):
    """The multiplicative inverse, 0 for 0 (FIPS-197 5.1.1: {00} maps to itself)."""
    if a == 0:
        return 0
    return next(b for b in range(1, 256) if gf_mul(a, b, poly) == 1)


def _aes_affine(b):
    c = 0x63
    out = 0
    for i in range(8):
        bit = (b >> i) ^ (b >> ((i + 4) % 8)) ^ (b >> ((i + 5) % 8)) ^ (b >> ((i + 6) % 8)) \
            ^ (b >> ((i + 7) % 8)) ^ (c >> i)
        out |= (bit & 1) << i
    return out


AES_SBOX = [_aes_affine(gf_inv(x)) for x in range(256)]
AES_INV_SBOX = [0] * 256
for _x, _s in enumerate(AES_SBOX):
    AES_INV_SBOX[_s] = _x


def sub_bytes(s):
    return bytes(AES_SBOX[b] for b in s)


def inv_sub_bytes(s):
    return bytes(AES_INV_SBOX[b] for b in s)


def shift_rows(s):
    """s'[r,c] = s[r, (c + r) mod 4]; byte r + 4c of the state (3.4)."""
    return bytes(s[r + 4 * ((c + r) % 4)] for c in range(4) for r in range(4))


def inv_shift_rows(s):
    return bytes(s[r + 4 * ((c - r) % 4)] for c in range(4) for r in range(4))


def _mix(s, m):
    out = bytearray(16)
    for c in range(4):
        col = s[4 * c:4 * c + 4]
        for r in range(4):
            v = 0
            for k in range(4):
                v ^= gf_mul(m[(k - r) % 4], col[k])
            out[4 * c + r] = v
    return bytes(out)


def mix_columns(s):
    return _mix(s, [2, 3, 1, 1])


def inv_mix_columns(s):
    return _mix(s, [0x0E, 0x0B, 0x0D, 0x09])


def add_round_key(s, k):
    return bytes(a ^ b for a, b in zip(s, k))


def _sub_word(w):  # w as 4 bytes
    return bytes(AES_SBOX[b] for b in w)


def _rcon(i):
    """Rcon[i] (i >= 1): x^(i-1) in GF(2^8)."""
    v = 1
    for _ in range(i - 1):
        v = gf_mul(v, 2)
    return v


def key_expansion(key):
    """FIPS-197 5.2: the round keys (16 bytes each) of a 16/24/32-byte key."""
    nk = len(key) // 4
    nr = {4: 10, 6: 12, 8: 14}[nk]
    w = [key[4 * i:4 * i + 4] for i in range(nk)]
    for i in range(nk, 4 * (nr + 1)):
        temp = w[i - 1]
        if i % nk == 0:
            temp = _sub_word(temp[1:] + temp[:1])
            temp = bytes([temp[0] ^ _rcon(i // nk)]) + temp[1:]
        elif nk > 6 and i % nk == 4:
            temp = _sub_word(temp)
        w.append(bytes(a ^ b for a, b in zip(w[i - nk], temp)))
    return [b"".join(w[4 * r:4 * r + 4]) for r in range(nr + 1)]


def aes_encrypt(key, block):
    rk = key_expansion(key)
    s = add_round_key(block, rk[0])
    for r in range(1, len(rk) - 1):
        s = add_round_key(mix_columns(shift_rows(sub_bytes(s))), rk[r])
    return add_round_key(shift_rows(sub_bytes(s)), rk[-1])


def aes_decrypt(key, block):
    rk = key_expansion(key)
    s = add_round_key(block, rk[-1])
    for r in range(len(rk) - 2, 0, -1):
        s = inv_mix_columns(add_round_key(inv_sub_bytes(inv_shift_rows(s)), rk[r]))
    return add_round_key(inv_sub_bytes(inv_shift_rows(s)), rk[0])


# -----------------------------------------------------------------------------------------
# SHA-2 (FIPS 180-4)
# -----------------------------------------------------------------------------------------

K256 = [_frac_root_bits(p, 3, 32) for p in _primes(64)]
K512 = [_frac_root_bits(p, 3, 64) for p in _primes(80)]
H256 = [_frac_root_bits(p, 2, 32) for p in _primes(8)]
H512 = [_frac_root_bits(p, 2, 64) for p in _primes(8)]

_SHA = {  # bits: (Sigma0, Sigma1, sigma0, sigma1) rotate/shift amounts
    32: ((2, 13, 22), (6, 11, 25), (7, 18, 3), (17, 19, 10)),
    64: ((28, 34, 39), (14, 18, 41), (1, 8, 7), (19, 61, 6)),
}


def _big_sigma(x, n, bits):
    return rotr(x, n[0], bits) ^ rotr(x, n[1], bits) ^ rotr(x, n[2], bits)


def _small_sigma(x, n, bits):
    return rotr(x, n[0], bits) ^ rotr(x, n[1], bits) ^ (x >> n[2])


def sha2_S0(x, bits):
    return _big_sigma(x, _SHA[bits][0], bits)


def sha2_S1(x, bits):
    return _big_sigma(x, _SHA[bits][1], bits)


def sha2_s0(x, bits):
    return _small_sigma(x, _SHA[bits][2], bits)


def sha2_s1(x, bits):
    return _small_sigma(x, _SHA[bits][3], bits)


def sha2_pad(msg, bits):
    block = 16 * bits // 8
    lenbytes = 2 * bits // 8
    m = msg + b"\x80"
    m += b"\x00" * ((-len(m) - lenbytes) % block)
    return m + (8 * len(msg)).to_bytes(lenbytes, "big")


def sha2_round(state, kw, bits):
    """One round of 6.2.2 step 3 / 6.4.2 step 3: state (a..h), kw = K_t + W_t."""
    a, b, c, d, e, f, g, h = state
    mask = (1 << bits) - 1
    t1 = (h + sha2_S1(e, bits) + ((e & f) ^ (~e & g)) + kw) & mask
    t2 = (sha2_S0(a, bits) + ((a & b) ^ (a & c) ^ (b & c))) & mask
    return [(t1 + t2) & mask, a, b, c, (d + t1) & mask, e, f, g]


def sha2_schedule(block_words, rounds, bits):
    mask = (1 << bits) - 1
    w = list(block_words)
    for t in range(16, rounds):
        w.append((sha2_s1(w[t - 2], bits) + w[t - 7] + sha2_s0(w[t - 15], bits) + w[t - 16]) & mask)
    return w


def sha2(msg, bits):
    k, h0, rounds = (K256, H256, 64) if bits == 32 else (K512, H512, 80)
    size = bits // 8
    mask = (1 << bits) - 1
    m = sha2_pad(msg, bits)
    hv = list(h0)
    for off in range(0, len(m), 16 * size):
        words = [int.from_bytes(m[off + size * i:off + size * (i + 1)], "big") for i in range(16)]
        w = sha2_schedule(words, rounds, bits)
        st = list(hv)
        for t in range(rounds):
            st = sha2_round(st, (k[t] + w[t]) & mask, bits)
        hv = [(x + y) & mask for x, y in zip(hv, st)]
    return b"".join(x.to_bytes(size, "big") for x in hv)


def sha256(msg):
    return sha2(msg, 32)


def sha512(msg):
    return sha2(msg, 64)


# -----------------------------------------------------------------------------------------
# SM4 (GB/T 32907-2016)
# -----------------------------------------------------------------------------------------

def _sm4_affine(x):
    return x ^ rotl(x, 1, 8) ^ rotl(x, 3, 8) ^ rotl(x, 6, 8) ^ rotl(x, 7, 8) ^ 0xD3


# The standard gives the S-box as a table. It equals A(I(A(x))) with I the inverse in
# GF(2^8) modulo x^8+x^7+x^6+x^5+x^4+x^2+1 and A the affine map above (Liu et al.'s
# structure of the SM4 S-box); tests check entries of the standard's table.
SM4_SBOX = [_sm4_affine(gf_inv(_sm4_affine(x), 0x1F5)) for x in range(256)]
SM4_FK = [0xA3B1BAC6, 0x56AA3350, 0x677D9197, 0xB27022DC]
# CK_i = (ck_i0, ck_i1, ck_i2, ck_i3), ck_ij = (4i + j) * 7 mod 256.
SM4_CK = [int.from_bytes(bytes((7 * (4 * i + j)) % 256 for j in range(4)), "big") for i in range(32)]


def sm4_tau(a):
    return int.from_bytes(bytes(SM4_SBOX[b] for b in a.to_bytes(4, "big")), "big")


def sm4_L(b):
    return b ^ rotl(b, 2, 32) ^ rotl(b, 10, 32) ^ rotl(b, 18, 32) ^ rotl(b, 24, 32)


def sm4_Lp(b):
    return b ^ rotl(b, 13, 32) ^ rotl(b, 23, 32)


def sm4_round_keys(key):
    mk = [int.from_bytes(key[4 * i:4 * i + 4], "big") for i in range(4)]
    k = [m ^ f for m, f in zip(mk, SM4_FK)]
    for i in range(32):
        k.append(k[i] ^ sm4_Lp(sm4_tau(k[i + 1] ^ k[i + 2] ^ k[i + 3] ^ SM4_CK[i])))
    return k[4:]


def sm4_crypt(rk, block):
    x = [int.from_bytes(block[4 * i:4 * i + 4], "big") for i in range(4)]
    for i in range(32):
        x.append(x[i] ^ sm4_L(sm4_tau(x[i + 1] ^ x[i + 2] ^ x[i + 3] ^ rk[i])))
    return b"".join(v.to_bytes(4, "big") for v in reversed(x[-4:]))


def sm4_encrypt(key, block):
    return sm4_crypt(sm4_round_keys(key), block)


def sm4_decrypt(key, block):
    return sm4_crypt(sm4_round_keys(key)[::-1], block)


# -----------------------------------------------------------------------------------------
# SM3 (GB/T 32905-2016)
# -----------------------------------------------------------------------------------------

SM3_IV = [0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
          0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E]


def sm3_P0(x):
    return x ^ rotl(x, 9, 32) ^ rotl(x, 17, 32)


def sm3_P1(x):
    return x ^ rotl(x, 15, 32) ^ rotl(x, 23, 32)


def sm3_expand(words16, n=68):
    w = list(words16)
    for j in range(16, n):
        w.append(sm3_P1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15, 32)) ^ rotl(w[j - 13], 7, 32) ^ w[j - 6])
    return w


def sm3_round(v, j, wj, wpj):
    """One step of the compression function CF (5.3.3) on [A..H]."""
    a, b, c, d, e, f, g, h = v
    t = 0x79CC4519 if j < 16 else 0x7A879D8A
    ss1 = rotl((rotl(a, 12, 32) + e + rotl(t, j % 32, 32)) & M32, 7, 32)
    ss2 = ss1 ^ rotl(a, 12, 32)
    ff = a ^ b ^ c if j < 16 else (a & b) | (a & c) | (b & c)
    gg = e ^ f ^ g if j < 16 else (e & f) | (~e & M32 & g)
    tt1 = (ff + d + ss2 + wpj) & M32
    tt2 = (gg + h + ss1 + wj) & M32
    return [tt1, a, rotl(b, 9, 32), c, sm3_P0(tt2), e, rotl(f, 19, 32), g]


def sm3(msg):
    m = msg + b"\x80"
    m += b"\x00" * ((-len(m) - 8) % 64)
    m += (8 * len(msg)).to_bytes(8, "big")
    v = list(SM3_IV)
    for off in range(0, len(m), 64):
        w = sm3_expand([int.from_bytes(m[off + 4 * i:off + 4 * i + 4], "big") for i in range(16)])
        s = list(v)
        for j in range(64):
            s = sm3_round(s, j, w[j], w[j] ^ w[j + 4])
        v = [x ^ y for x, y in zip(v, s)]
    return b"".join(x.to_bytes(4, "big") for x in v)


# -----------------------------------------------------------------------------------------
# GHASH / GCM (NIST SP 800-38D)
# -----------------------------------------------------------------------------------------

_R = 0xE1 << 120


def gf128_mul(x, y):
    """Algorithm 1 (6.3): X . Y on 128-bit blocks as integers, bit 0 = the leftmost bit."""
    z, v = 0, y
    for i in range(128):
        if (x >> (127 - i)) & 1:
            z ^= v
        v = (v >> 1) ^ _R if v & 1 else v >> 1
    return z


def ghash(h, data):
    """GHASH_H (6.4) of ``data`` (a multiple of 16 bytes); h as 16 bytes."""
    hi = int.from_bytes(h, "big")
    y = 0
    for off in range(0, len(data), 16):
        y = gf128_mul(y ^ int.from_bytes(data[off:off + 16], "big"), hi)
    return y.to_bytes(16, "big")


def _inc32(block):
    return block[:12] + ((int.from_bytes(block[12:], "big") + 1) & M32).to_bytes(4, "big")


def gctr(encrypt, icb, data):
    out, cb = bytearray(), icb
    for off in range(0, len(data), 16):
        ks = encrypt(cb)
        out += bytes(a ^ b for a, b in zip(data[off:off + 16], ks))
        cb = _inc32(cb)
    return bytes(out)


def gcm_pad_lengths(a, c):
    def pad(x):
        return x + b"\x00" * (-len(x) % 16)
    return pad(a) + pad(c) + (8 * len(a)).to_bytes(8, "big") + (8 * len(c)).to_bytes(8, "big")


def gcm_encrypt(encrypt, iv, plaintext, aad, ghash_fn=ghash):
    """GCM-AE (7.1) with a 96-bit IV: (ciphertext, tag)."""
    h = encrypt(bytes(16))
    j0 = iv + b"\x00\x00\x00\x01"
    c = gctr(encrypt, _inc32(j0), plaintext)
    s = ghash_fn(h, gcm_pad_lengths(aad, c))
    return c, gctr(encrypt, j0, s)


# -----------------------------------------------------------------------------------------
# Zvbb / Zvkb / Zvbc per element
# -----------------------------------------------------------------------------------------

def andn(vs2, op1, sew):
    return vs2 & ~op1 & ((1 << sew) - 1)


def brev(x, sew):
    return int(format(x, f"0{sew}b")[::-1], 2)


def brev8(x, sew):
    return int.from_bytes(bytes(brev(b, 8) for b in x.to_bytes(sew // 8, "little")), "little")


def rev8(x, sew):
    return int.from_bytes(x.to_bytes(sew // 8, "little"), "big")


def clz(x, sew):
    return sew - x.bit_length()


def ctz(x, sew):
    return sew if x == 0 else (x & -x).bit_length() - 1


def cpop(x, sew):
    return bin(x).count("1")


def rol(x, amount, sew):
    return rotl(x, amount % sew, sew)


def ror(x, amount, sew):
    return rotr(x, amount % sew, sew)


def wsll(x, amount, sew):
    return (x << (amount % (2 * sew))) & ((1 << (2 * sew)) - 1)


def clmul_full(a, b):
    r = 0
    for i in range(b.bit_length()):
        if b >> i & 1:
            r ^= a << i
    return r


def clmul(a, b):
    return clmul_full(a, b) & M64


def clmulh(a, b):
    return clmul_full(a, b) >> 64


# -----------------------------------------------------------------------------------------
# Instructions on one element group (zvk.adoc pseudocode), lists of elements, index 0 first
# -----------------------------------------------------------------------------------------

def _aes_round(vd, key, steps):
    s = words_to_bytes(vd)
    for step in steps:
        s = add_round_key(s, words_to_bytes(key)) if step is add_round_key else step(s)
    return bytes_to_words(s)


def vaesef(vd, key):
    return _aes_round(vd, key, (sub_bytes, shift_rows, add_round_key))


def vaesem(vd, key):
    return _aes_round(vd, key, (sub_bytes, shift_rows, mix_columns, add_round_key))


def vaesdf(vd, key):
    return _aes_round(vd, key, (inv_shift_rows, inv_sub_bytes, add_round_key))


def vaesdm(vd, key):
    return _aes_round(vd, key, (inv_shift_rows, inv_sub_bytes, add_round_key, inv_mix_columns))


def vaesz(vd, key):
    return [a ^ b for a, b in zip(vd, key)]


def vaeskf1(vs2, uimm):
    rnd = uimm & 0xF
    if rnd > 10 or rnd == 0:
        rnd ^= 8
    k = words_to_bytes(vs2)
    t = _sub_word(k[13:16] + k[12:13])
    w = [bytes([t[0] ^ _rcon(rnd)]) + t[1:]]
    w[0] = bytes(a ^ b for a, b in zip(w[0], k[0:4]))
    for i in range(1, 4):
        w.append(bytes(a ^ b for a, b in zip(w[i - 1], k[4 * i:4 * i + 4])))
    return bytes_to_words(b"".join(w))


def vaeskf2(vd, vs2, uimm):
    rnd = uimm & 0xF
    if rnd < 2 or rnd > 14:
        rnd ^= 8
    cur = words_to_bytes(vs2)
    prev = words_to_bytes(vd)
    last = cur[12:16]
    if rnd & 1:
        t = _sub_word(last)
    else:
        t = _sub_word(last[1:] + last[:1])
        t = bytes([t[0] ^ _rcon(rnd // 2)]) + t[1:]
    w = [bytes(a ^ b for a, b in zip(t, prev[0:4]))]
    for i in range(1, 4):
        w.append(bytes(a ^ b for a, b in zip(w[i - 1], prev[4 * i:4 * i + 4])))
    return bytes_to_words(b"".join(w))


def vghsh(vd, vs2, vs1):
    """(Y ^ X) . H with the blocks as their bytes in memory order (SP 800-38D)."""
    y = int.from_bytes(words_to_bytes(vd), "big") ^ int.from_bytes(words_to_bytes(vs1), "big")
    h = int.from_bytes(words_to_bytes(vs2), "big")
    return bytes_to_words(gf128_mul(y, h).to_bytes(16, "big"))


def vgmul(vd, vs2):
    return vghsh(vd, vs2, [0, 0, 0, 0])


def vsha2ms(vd, vs2, vs1, sew):
    w = [None] * 20
    w[0], w[1], w[2], w[3] = vd
    w[4], w[9], w[10], w[11] = vs2
    w[12], w[13], w[14], w[15] = vs1
    mask = (1 << sew) - 1
    for t in range(16, 20):
        w[t] = (sha2_s1(w[t - 2], sew) + w[t - 7] + sha2_s0(w[t - 15], sew) + w[t - 16]) & mask
    return w[16:20]


def _vsha2c(vd, vs2, vs1, sew, words):
    f, e, b, a = vs2
    h, g, d, c = vd
    st = [a, b, c, d, e, f, g, h]
    for i in words:
        st = sha2_round(st, vs1[i], sew)
    a, b, c, d, e, f, g, h = st
    return [f, e, b, a]


def vsha2ch(vd, vs2, vs1, sew):
    return _vsha2c(vd, vs2, vs1, sew, (2, 3))


def vsha2cl(vd, vs2, vs1, sew):
    return _vsha2c(vd, vs2, vs1, sew, (0, 1))


def vsm4k(vs2, uimm):
    rnd = uimm & 7
    k = list(vs2)
    for i in range(4):
        k.append(k[i] ^ sm4_Lp(sm4_tau(k[i + 1] ^ k[i + 2] ^ k[i + 3] ^ SM4_CK[4 * rnd + i])))
    return k[4:]


def vsm4r(vd, rk):
    x = list(vd)
    for i in range(4):
        x.append(x[i] ^ sm4_L(sm4_tau(x[i + 1] ^ x[i + 2] ^ x[i + 3] ^ rk[i])))
    return x[4:]


def vsm3me(vs2, vs1):
    w = sm3_expand([bswap32(x) for x in list(vs1) + list(vs2)], 24)
    return [bswap32(x) for x in w[16:24]]


def vsm3c(vd, vs2, uimm):
    v = [bswap32(x) for x in vd]           # A at index 0 ... H at index 7
    w = [bswap32(x) for x in vs2]
    j = 2 * (uimm & 31)
    v = sm3_round(v, j, w[0], w[0] ^ w[4])
    v = sm3_round(v, j + 1, w[1], w[1] ^ w[5])
    return [bswap32(x) for x in v]
