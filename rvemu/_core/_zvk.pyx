# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Test hook for the ZV* kernels in ``zvk.h`` (the vector unit includes the header directly).

Element groups are sequences of element values (4 x 32-bit for EGW=128, 4 x 64-bit for
SHA-512, 8 x 32-bit for SM3), element 0 first; results come back as lists in the same
layout. Per-element functions take zero-extended element values and SEW. Wrong sizes or
SEWs raise ValueError (the vector unit checks the same things before it calls a kernel).
"""
from libc.stdint cimport uint8_t, uint32_t, uint64_t

cdef extern from "zvk.h" nogil:
    uint64_t zvk_aes_sbox8(uint64_t x)
    uint64_t zvk_aes_inv_sbox8(uint64_t x)
    uint64_t zvk_sm4_sbox8(uint64_t x)
    void zvk_vaesef(uint32_t *vd, const uint32_t *key)
    void zvk_vaesem(uint32_t *vd, const uint32_t *key)
    void zvk_vaesdf(uint32_t *vd, const uint32_t *key)
    void zvk_vaesdm(uint32_t *vd, const uint32_t *key)
    void zvk_vaesz(uint32_t *vd, const uint32_t *key)
    void zvk_vaeskf1(uint32_t *vd, const uint32_t *vs2, unsigned uimm)
    void zvk_vaeskf2(uint32_t *vd, const uint32_t *vs2, unsigned uimm)
    unsigned zvk_vaeskf1_round(unsigned uimm)
    unsigned zvk_vaeskf2_round(unsigned uimm)
    void zvk_vghsh(uint32_t *vd, const uint32_t *vs2, const uint32_t *vs1)
    void zvk_vgmul(uint32_t *vd, const uint32_t *vs2)
    void zvk_vsha2ms32(uint32_t *vd, const uint32_t *vs2, const uint32_t *vs1)
    void zvk_vsha2ms64(uint64_t *vd, const uint64_t *vs2, const uint64_t *vs1)
    void zvk_vsha2c32(uint32_t *vd, const uint32_t *vs2, const uint32_t *vs1, int high)
    void zvk_vsha2c64(uint64_t *vd, const uint64_t *vs2, const uint64_t *vs1, int high)
    uint32_t zvk_sm4_ck(unsigned i)
    void zvk_vsm4k(uint32_t *vd, const uint32_t *vs2, unsigned uimm)
    void zvk_vsm4r(uint32_t *vd, const uint32_t *rk)
    void zvk_vsm3me(uint32_t *vd, const uint32_t *vs2, const uint32_t *vs1)
    void zvk_vsm3c(uint32_t *vd, const uint32_t *vs2, unsigned uimm)
    uint64_t zvk_andn(uint64_t vs2, uint64_t op1, unsigned sew)
    uint64_t zvk_brev(uint64_t x, unsigned sew)
    uint64_t zvk_brev8(uint64_t x, unsigned sew)
    uint64_t zvk_rev8(uint64_t x, unsigned sew)
    uint64_t zvk_clz(uint64_t x, unsigned sew)
    uint64_t zvk_ctz(uint64_t x, unsigned sew)
    uint64_t zvk_cpop(uint64_t x, unsigned sew)
    uint64_t zvk_rol(uint64_t x, uint64_t amount, unsigned sew)
    uint64_t zvk_ror(uint64_t x, uint64_t amount, unsigned sew)
    uint64_t zvk_wsll(uint64_t x, uint64_t amount, unsigned sew)
    uint64_t zvk_clmul(uint64_t a, uint64_t b)
    uint64_t zvk_clmulh(uint64_t a, uint64_t b)
    int zvk_set_hw(int on)
    uint32_t zvk_aes_subword(uint32_t w)
    uint32_t zvk_sm4_subword(uint32_t w)


def set_hw(bint on):
    """Use the host's AES-NI/PCLMULQDQ (on) or the portable C kernels (off); returns whether
    the host instructions are in use now (False where the host or the build has none)."""
    return bool(zvk_set_hw(on))


cdef void _g32(uint32_t *out, object seq, int n, str name) except *:
    if len(seq) != n:
        raise ValueError(f"{name}: expected {n} 32-bit elements, got {len(seq)}")
    for i in range(n):
        v = seq[i]
        if not 0 <= v <= 0xFFFFFFFF:
            raise ValueError(f"{name}[{i}] = {v!r} is not a 32-bit element")
        out[i] = v


cdef void _g64(uint64_t *out, object seq, str name) except *:
    if len(seq) != 4:
        raise ValueError(f"{name}: expected 4 64-bit elements, got {len(seq)}")
    for i in range(4):
        v = seq[i]
        if not 0 <= v <= 0xFFFFFFFFFFFFFFFF:
            raise ValueError(f"{name}[{i}] = {v!r} is not a 64-bit element")
        out[i] = v


cdef unsigned _sew(unsigned sew, tuple allowed=(8, 16, 32, 64)) except 0:
    if sew not in allowed:
        raise ValueError(f"SEW {sew} not in {allowed}")
    return sew


cdef uint64_t _elem(object x, unsigned sew, str name) except? 0xFFFFFFFFFFFFFFFF:
    if x < 0 or (x >> sew) != 0:
        raise ValueError(f"{name} = {x!r} does not fit SEW={sew}")
    return x


# -- S-boxes, one byte (exhaustive tests) -------------------------------------------------

def aes_subword(uint32_t w):
    """The AES S-box on each byte of a word, as the key schedule uses it (host path or C)."""
    return zvk_aes_subword(w)


def sm4_subword(uint32_t w):
    """The SM4 S-box on each byte of a word, as the SM4 instructions use it (host path or C)."""
    return zvk_sm4_subword(w)


def aes_sbox(unsigned b):
    return zvk_aes_sbox8(b & 0xFF) & 0xFF


def aes_inv_sbox(unsigned b):
    return zvk_aes_inv_sbox8(b & 0xFF) & 0xFF


def sm4_sbox(unsigned b):
    return zvk_sm4_sbox8(b & 0xFF) & 0xFF


# -- AES (Zvkned) -------------------------------------------------------------------------

ctypedef void (*aes_fn)(uint32_t *, const uint32_t *) noexcept nogil


cdef list _aes(aes_fn f, object vd, object key):
    cdef uint32_t d[4]
    cdef uint32_t k[4]
    _g32(d, vd, 4, "vd")
    _g32(k, key, 4, "vs2")
    f(d, k)
    return [d[i] for i in range(4)]


def vaesef(vd, key):
    return _aes(zvk_vaesef, vd, key)


def vaesem(vd, key):
    return _aes(zvk_vaesem, vd, key)


def vaesdf(vd, key):
    return _aes(zvk_vaesdf, vd, key)


def vaesdm(vd, key):
    return _aes(zvk_vaesdm, vd, key)


def vaesz(vd, key):
    return _aes(zvk_vaesz, vd, key)


def vsm4r(vd, rk):
    return _aes(zvk_vsm4r, vd, rk)


def vgmul(vd, vs2):
    return _aes(zvk_vgmul, vd, vs2)


def vaeskf1(vs2, unsigned uimm, vd=(0, 0, 0, 0)):
    cdef uint32_t d[4]
    cdef uint32_t s[4]
    _g32(d, vd, 4, "vd")
    _g32(s, vs2, 4, "vs2")
    zvk_vaeskf1(d, s, uimm & 31)
    return [d[i] for i in range(4)]


def vaeskf2(vd, vs2, unsigned uimm):
    cdef uint32_t d[4]
    cdef uint32_t s[4]
    _g32(d, vd, 4, "vd")
    _g32(s, vs2, 4, "vs2")
    zvk_vaeskf2(d, s, uimm & 31)
    return [d[i] for i in range(4)]


def vaeskf1_round(unsigned uimm):
    return zvk_vaeskf1_round(uimm & 31)


def vaeskf2_round(unsigned uimm):
    return zvk_vaeskf2_round(uimm & 31)


# -- GHASH (Zvkg) -------------------------------------------------------------------------

def vghsh(vd, vs2, vs1):
    cdef uint32_t d[4]
    cdef uint32_t a[4]
    cdef uint32_t b[4]
    _g32(d, vd, 4, "vd")
    _g32(a, vs2, 4, "vs2")
    _g32(b, vs1, 4, "vs1")
    zvk_vghsh(d, a, b)
    return [d[i] for i in range(4)]


# -- SHA-2 (Zvknha / Zvknhb) --------------------------------------------------------------

def _sha2(int op, vd, vs2, vs1, unsigned sew):
    cdef uint32_t d[4]
    cdef uint32_t a[4]
    cdef uint32_t b[4]
    cdef uint64_t D[4]
    cdef uint64_t A[4]
    cdef uint64_t B[4]
    _sew(sew, (32, 64))
    if sew == 32:
        _g32(d, vd, 4, "vd")
        _g32(a, vs2, 4, "vs2")
        _g32(b, vs1, 4, "vs1")
        if op == 0:
            zvk_vsha2ms32(d, a, b)
        else:
            zvk_vsha2c32(d, a, b, op == 1)
        return [d[i] for i in range(4)]
    _g64(D, vd, "vd")
    _g64(A, vs2, "vs2")
    _g64(B, vs1, "vs1")
    if op == 0:
        zvk_vsha2ms64(D, A, B)
    else:
        zvk_vsha2c64(D, A, B, op == 1)
    return [D[i] for i in range(4)]


def vsha2ms(vd, vs2, vs1, unsigned sew=32):
    return _sha2(0, vd, vs2, vs1, sew)


def vsha2ch(vd, vs2, vs1, unsigned sew=32):
    return _sha2(1, vd, vs2, vs1, sew)


def vsha2cl(vd, vs2, vs1, unsigned sew=32):
    return _sha2(2, vd, vs2, vs1, sew)


# -- SM4 (Zvksed), SM3 (Zvksh) ------------------------------------------------------------

def sm4_ck(unsigned i):
    if i > 31:
        raise ValueError(f"CK index {i} is not 0..31")
    return zvk_sm4_ck(i)


def vsm4k(vs2, unsigned uimm):
    cdef uint32_t d[4]
    cdef uint32_t s[4]
    _g32(s, vs2, 4, "vs2")
    zvk_vsm4k(d, s, uimm & 31)
    return [d[i] for i in range(4)]


def vsm3me(vs2, vs1):
    cdef uint32_t d[8]
    cdef uint32_t a[8]
    cdef uint32_t b[8]
    _g32(a, vs2, 8, "vs2")
    _g32(b, vs1, 8, "vs1")
    zvk_vsm3me(d, a, b)
    return [d[i] for i in range(8)]


def vsm3c(vd, vs2, unsigned uimm):
    cdef uint32_t d[8]
    cdef uint32_t a[8]
    _g32(d, vd, 8, "vd")
    _g32(a, vs2, 8, "vs2")
    zvk_vsm3c(d, a, uimm & 31)
    return [d[i] for i in range(8)]


# -- Zvbb / Zvkb / Zvbc, per element -----------------------------------------------------

def andn(vs2, op1, unsigned sew):
    _sew(sew)
    return zvk_andn(_elem(vs2, sew, "vs2"), _elem(op1, sew, "vs1/rs1"), sew)


def brev(x, unsigned sew):
    return zvk_brev(_elem(x, _sew(sew), "vs2"), sew)


def brev8(x, unsigned sew):
    return zvk_brev8(_elem(x, _sew(sew), "vs2"), sew)


def rev8(x, unsigned sew):
    return zvk_rev8(_elem(x, _sew(sew), "vs2"), sew)


def clz(x, unsigned sew):
    return zvk_clz(_elem(x, _sew(sew), "vs2"), sew)


def ctz(x, unsigned sew):
    return zvk_ctz(_elem(x, _sew(sew), "vs2"), sew)


def cpop(x, unsigned sew):
    return zvk_cpop(_elem(x, _sew(sew), "vs2"), sew)


def rol(x, uint64_t amount, unsigned sew):
    return zvk_rol(_elem(x, _sew(sew), "vs2"), amount, sew)


def ror(x, uint64_t amount, unsigned sew):
    return zvk_ror(_elem(x, _sew(sew), "vs2"), amount, sew)


def wsll(x, uint64_t amount, unsigned sew):
    return zvk_wsll(_elem(x, _sew(sew, (8, 16, 32)), "vs2"), amount, sew)


def clmul(uint64_t a, uint64_t b):
    return zvk_clmul(a, b)


def clmulh(uint64_t a, uint64_t b):
    return zvk_clmulh(a, b)


# -- the decode/check/loop layer (zvk_exec.h) on a register file held by the caller --------

cdef extern from "zvk_exec.h" nogil:
    ctypedef struct ZvkCtx:
        uint8_t *reg
        const uint64_t *x
        uint32_t vlenb
        uint64_t vl
        uint64_t vstart
        uint8_t vill
        uint8_t sl
        signed char ll
        uint8_t vta
        uint8_t vma
        uint8_t ones
        uint32_t ext
        uint8_t elen_l
    int zvk_opve(ZvkCtx *c, uint32_t insn)
    int zvk_opv(ZvkCtx *c, uint32_t insn)
    enum:
        ZVK_EXT_ZVBB, ZVK_EXT_ZVKB, ZVK_EXT_ZVBC, ZVK_EXT_ZVKG, ZVK_EXT_ZVKNED
        ZVK_EXT_ZVKNHA, ZVK_EXT_ZVKNHB, ZVK_EXT_ZVKSED, ZVK_EXT_ZVKSH
        ZVK_OK, ZVK_ILLEGAL, ZVK_NOT_MINE

EXT = {"zvbb": ZVK_EXT_ZVBB, "zvkb": ZVK_EXT_ZVKB, "zvbc": ZVK_EXT_ZVBC, "zvkg": ZVK_EXT_ZVKG,
       "zvkned": ZVK_EXT_ZVKNED, "zvknha": ZVK_EXT_ZVKNHA, "zvknhb": ZVK_EXT_ZVKNHB,
       "zvksed": ZVK_EXT_ZVKSED, "zvksh": ZVK_EXT_ZVKSH}
OK, ILLEGAL, NOT_MINE = ZVK_OK, ZVK_ILLEGAL, ZVK_NOT_MINE


def execute(uint32_t insn, bytearray reg not None, unsigned vlenb, unsigned long long vl,
            unsigned long long vstart, unsigned sew, int lmul_log2, *, exts=None, x=None,
            bint vill=False, bint vta=False, bint vma=False, bint ones=False, unsigned elen=64):
    """Run one ZV* instruction word on ``reg`` (32 * vlenb bytes, modified in place) with
    vtype = (sew, lmul_log2, vta, vma). ``exts``: names of the enabled sub-extensions (all by
    default); ``x``: the 32 integer registers for .vx forms; ``elen``: 32 (Zve32*) or 64.
    Returns (status, vstart) with
    status OK, ILLEGAL or NOT_MINE (a word that zvk_opv leaves to the base vector unit)."""
    cdef ZvkCtx c
    cdef uint64_t xr[32]
    cdef unsigned char[::1] view = reg
    if len(reg) != 32 * vlenb or vlenb < 4 or vlenb & (vlenb - 1):
        raise ValueError(f"the register file must be 32 x vlenb bytes with vlenb a power of 2 >= 4")
    if sew not in (8, 16, 32, 64) or not -3 <= lmul_log2 <= 3:
        raise ValueError(f"bad vtype: SEW {sew}, log2(LMUL) {lmul_log2}")
    for i in range(32):
        xr[i] = 0 if x is None or i == 0 else (x[i] & 0xFFFFFFFFFFFFFFFF)
    c.reg = &view[0]
    c.x = xr
    c.vlenb = vlenb
    c.vl = vl
    c.vstart = vstart
    c.vill = vill
    c.sl = {8: 0, 16: 1, 32: 2, 64: 3}[sew]
    c.ll = lmul_log2
    c.vta = vta
    c.vma = vma
    c.ones = ones
    if elen not in (32, 64):
        raise ValueError(f"ELEN {elen} is not 32 or 64")
    c.elen_l = 2 if elen == 32 else 3
    c.ext = 0
    for name in (EXT if exts is None else exts):
        c.ext |= EXT[name]
    if (insn & 0x7F) == 0x77:
        r = zvk_opve(&c, insn)
    else:
        r = zvk_opv(&c, insn)
    return r, c.vstart
