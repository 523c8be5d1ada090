"""rvemu/_core/zvk_exec.h -- decode, legality rules and element(-group) loops of the ZV*
instructions -- on register files held by the test (through the _zvk hook), against a
model written here from the specs (zvk.adoc, zvbb.adoc, zvbc.adoc, v-st-ext.adoc) on top of
tests/zvk_ref.py. This is the layer the vector unit calls (docs/zvk-integration.md)."""
import random

import pytest

import zvk_ref as ref
from rvemu.isa import encodings, encodings_vcrypto

z = pytest.importorskip("rvemu._core._zvk", reason="build the extensions first")

WORDS = {m: encodings.mask_match(b)[:2] for m, b, *_ in encodings_vcrypto.ZVK}
OPS = {m: ops for m, _, ops, _ in encodings_vcrypto.ZVK}


def word(mnemonic, vd=0, vs2=0, vs1=0, vm=1, imm6=None):
    mask, match = WORDS[mnemonic]
    w = match | (((vd << 7) | (vs1 << 15) | (vs2 << 20)) & ~mask)  # fixed fields stay
    if not mask >> 25 & 1:
        w |= vm << 25
    if imm6 is not None:
        w |= (imm6 & 31) << 15 | (imm6 >> 5 & 1) << 26
    assert w & mask == match, mnemonic
    return w


# -----------------------------------------------------------------------------------------
# The model
# -----------------------------------------------------------------------------------------

GROUP = {  # element-group instructions: (EGS, reference on lists of elements)
    "vaesdm.vv": (4, lambda d, a, b, u, s: ref.vaesdm(d, a)),
    "vaesdf.vv": (4, lambda d, a, b, u, s: ref.vaesdf(d, a)),
    "vaesem.vv": (4, lambda d, a, b, u, s: ref.vaesem(d, a)),
    "vaesef.vv": (4, lambda d, a, b, u, s: ref.vaesef(d, a)),
    "vaesdm.vs": (4, lambda d, a, b, u, s: ref.vaesdm(d, a)),
    "vaesdf.vs": (4, lambda d, a, b, u, s: ref.vaesdf(d, a)),
    "vaesem.vs": (4, lambda d, a, b, u, s: ref.vaesem(d, a)),
    "vaesef.vs": (4, lambda d, a, b, u, s: ref.vaesef(d, a)),
    "vaesz.vs": (4, lambda d, a, b, u, s: ref.vaesz(d, a)),
    "vaeskf1.vi": (4, lambda d, a, b, u, s: ref.vaeskf1(a, u)),
    "vaeskf2.vi": (4, lambda d, a, b, u, s: ref.vaeskf2(d, a, u)),
    "vghsh.vv": (4, lambda d, a, b, u, s: ref.vghsh(d, a, b)),
    "vgmul.vv": (4, lambda d, a, b, u, s: ref.vgmul(d, a)),
    "vsha2ms.vv": (4, lambda d, a, b, u, s: ref.vsha2ms(d, a, b, s)),
    "vsha2ch.vv": (4, lambda d, a, b, u, s: ref.vsha2ch(d, a, b, s)),
    "vsha2cl.vv": (4, lambda d, a, b, u, s: ref.vsha2cl(d, a, b, s)),
    "vsm4k.vi": (4, lambda d, a, b, u, s: ref.vsm4k(a, u)),
    "vsm4r.vv": (4, lambda d, a, b, u, s: ref.vsm4r(d, a)),
    "vsm4r.vs": (4, lambda d, a, b, u, s: ref.vsm4r(d, a)),
    "vsm3me.vv": (8, lambda d, a, b, u, s: ref.vsm3me(a, b)),
    "vsm3c.vi": (8, lambda d, a, b, u, s: ref.vsm3c(d, a, u)),
}
ELEMENT = {  # Zvbb/Zvbc: reference(x, y, sew), widening
    "vandn": (lambda x, y, s: ref.andn(x, y & ((1 << s) - 1), s), False),
    "vbrev": (lambda x, y, s: ref.brev(x, s), False),
    "vbrev8": (lambda x, y, s: ref.brev8(x, s), False),
    "vrev8": (lambda x, y, s: ref.rev8(x, s), False),
    "vclz": (lambda x, y, s: ref.clz(x, s), False),
    "vctz": (lambda x, y, s: ref.ctz(x, s), False),
    "vcpop": (lambda x, y, s: ref.cpop(x, s), False),
    "vrol": (lambda x, y, s: ref.rol(x, y, s), False),
    "vror": (lambda x, y, s: ref.ror(x, y, s), False),
    "vwsll": (lambda x, y, s: ref.wsll(x, y, s), True),
    "vclmul": (lambda x, y, s: ref.clmul(x, y), False),
    "vclmulh": (lambda x, y, s: ref.clmulh(x, y), False),
}


def get(reg, base, i, size):
    off = base + i * size
    return int.from_bytes(reg[off:off + size], "little")


def put(reg, base, i, size, v):
    reg[base + i * size:base + (i + 1) * size] = (v & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def model_group(m, reg, vlenb, vl, vstart, sew, ll, vd, vs2, vs1, uimm, vta, ones):
    egs, fn = GROUP[m]
    size = sew // 8
    out = bytearray(reg)
    for g in range(vstart // egs, vl // egs):
        d = [get(reg, vd * vlenb, g * egs + i, size) for i in range(egs)]
        kg = 0 if m.endswith(".vs") else g
        a = [get(reg, vs2 * vlenb, kg * egs + i, size) for i in range(egs)]
        b = [get(reg, vs1 * vlenb, g * egs + i, size) for i in range(egs)]
        for i, v in enumerate(fn(d, a, b, uimm, sew)):
            put(out, vd * vlenb, g * egs + i, size, v)
    _model_tail(out, vlenb, vl, vstart, sew, ll, vd, size, vta, ones)
    return out


def _model_tail(out, vlenb, vl, vstart, sew, ll, vd, dsize, vta, ones):
    if ones and vta and vstart < vl:
        vlmax = (vlenb * 8 * 2 ** ll) // sew
        end = max(int(vlmax), vlenb // dsize)
        for i in range(vl, end):
            put(out, vd * vlenb, i, dsize, -1)


def model_element(base, form, reg, vlenb, vl, vstart, sew, ll, vd, vs2, vs1, scalar, vm,
                  vta, vma, ones):
    fn, widening = ELEMENT[base]
    size = sew // 8
    dsize = 2 * size if widening else size
    out = bytearray(reg)
    for i in range(vstart, vl):
        if not vm and not reg[i // 8] >> (i % 8) & 1:
            if ones and vma:
                put(out, vd * vlenb, i, dsize, -1)
            continue
        x = get(reg, vs2 * vlenb, i, size)
        y = get(reg, vs1 * vlenb, i, size) if form == "vv" else scalar
        put(out, vd * vlenb, i, dsize, fn(x, y, sew))
    _model_tail(out, vlenb, vl, vstart, sew, ll, vd, dsize, vta, ones)
    return out


# -----------------------------------------------------------------------------------------
# Random instructions against the model
# -----------------------------------------------------------------------------------------

def _nregs(ll):
    return 1 << ll if ll > 0 else 1


def _pick_regs(rng, ll, n, avoid_overlap):
    """n register numbers aligned to LMUL, pairwise apart when avoid_overlap."""
    step = _nregs(ll)
    while True:
        regs = [rng.randrange(0, 32, step) for _ in range(n)]
        if not avoid_overlap or len(set(regs)) == n:
            return regs


@pytest.mark.parametrize("m", sorted(GROUP))
def test_group_instructions_against_model(m):
    rng = random.Random(m)
    egs = GROUP[m][0]
    ran = 0
    for trial in range(60):
        vlenb = rng.choice([4, 8, 16, 32, 64])          # VLEN 32 .. 512
        sew = 64 if m.startswith("vsha2") and rng.random() < 0.5 else 32
        egw = egs * sew
        lls = [ll for ll in range(-1, 4) if vlenb * 8 * 2 ** ll >= egw]
        if not lls:
            continue
        ll = rng.choice(lls)
        vlmax = int(vlenb * 8 * 2 ** ll) // sew
        vl = rng.randrange(0, vlmax + 1, egs)
        vstart = rng.randrange(0, vl + 1, egs) if rng.random() < 0.3 else 0
        vd, vs2, vs1 = _pick_regs(rng, ll, 3, True)
        if m.endswith(".vs"):  # scalar group: ceil(EGW / VLEN) registers, aligned to that
            ns = max(1, egw // (vlenb * 8))
            while vd < vs2 + ns and vs2 < vd + _nregs(ll):
                vs2 = rng.randrange(0, 32, ns)
        uimm = rng.randrange(32)
        reg = bytearray(rng.getrandbits(8) for _ in range(32 * vlenb))
        w = word(m, vd, vs2, uimm if m.endswith(".vi") else vs1) if "vs1" in OPS[m] or m.endswith(".vi") \
            else word(m, vd, vs2)
        vta, ones = rng.random() < 0.5, rng.random() < 0.5
        want = model_group(m, reg, vlenb, vl, vstart, sew, ll, vd, vs2, vs1, uimm, vta, ones)
        status, vs_after = z.execute(w, reg, vlenb, vl, vstart, sew, ll, vta=vta, ones=ones)
        assert status == z.OK, (m, vlenb, sew, ll, vl, vd, vs2, vs1)
        assert vs_after == 0
        assert reg == want, (m, vlenb, sew, ll, vl, vstart, vd, vs2, vs1, uimm)
        ran += 1
    assert ran >= 40


ELEMENT_FORMS = sorted({(m.split(".")[0], m.split(".")[1]) for m in WORDS
                        if m.split(".")[0] in ELEMENT})


@pytest.mark.parametrize("base,form", ELEMENT_FORMS)
def test_element_instructions_against_model(base, form):
    m = f"{base}.{form}"
    rng = random.Random(m)
    widening = ELEMENT[base][1]
    for trial in range(80):
        vlenb = rng.choice([16, 32])
        sews = [64] if base.startswith("vclmul") else [8, 16, 32] if widening else [8, 16, 32, 64]
        sew = rng.choice(sews)
        lls = [ll for ll in range(-3, 4) if (sew >> 3) <= vlenb * 2 ** ll * (1 if sew < 64 else 1)
               and (not widening or ll <= 2) and vlenb * 8 * 2 ** ll >= sew]
        ll = rng.choice(lls)
        vlmax = int(vlenb * 8 * 2 ** ll) // sew
        vl = rng.randrange(0, vlmax + 1)
        vstart = rng.randrange(0, vl + 1) if rng.random() < 0.3 else 0
        dl = ll + 1 if widening else ll
        while True:
            vd = rng.randrange(0, 32, _nregs(dl))
            vs2, vs1 = _pick_regs(rng, ll, 2, False)
            ok = vd + _nregs(dl) <= 32
            if widening:  # keep sources out of the wider destination
                for s in (vs2, vs1):
                    if s < vd + _nregs(dl) and vd < s + _nregs(ll):
                        ok = False
            if ok:
                break
        vm = 1 if rng.random() < 0.5 else 0
        if not vm and vd == 0:
            continue
        scalar = rng.getrandbits(64)
        reg = bytearray(rng.getrandbits(8) for _ in range(32 * vlenb))
        x = [0] * 32
        if form == "vi":
            imm = rng.randrange(64) if base == "vror" else rng.randrange(32)
            w = word(m, vd, vs2, vm=vm, imm6=imm)
            y = imm
        elif form == "vx":
            rs1 = rng.randrange(1, 32)
            x[rs1] = scalar
            w = word(m, vd, vs2, rs1, vm=vm)
            y = scalar
        else:
            w = word(m, vd, vs2, vs1, vm=vm)
            y = None
        vta, vma, ones = (rng.random() < 0.5 for _ in range(3))
        want = model_element(base, form if form != "vi" else "vx", reg, vlenb, vl, vstart, sew,
                             ll, vd, vs2, vs1, y, vm, vta, vma, ones)
        status, _ = z.execute(w, reg, vlenb, vl, vstart, sew, ll, x=x, vta=vta, vma=vma, ones=ones)
        assert status == z.OK, (m, sew, ll, vd, vs2, vs1, vm)
        assert reg == want, (m, vlenb, sew, ll, vl, vstart, vd, vs2, vs1, vm, vta, vma, ones)


# -----------------------------------------------------------------------------------------
# Legality: each rule raises illegal-instruction and writes nothing
# -----------------------------------------------------------------------------------------

def run(w, vlenb=16, vl=4, vstart=0, sew=32, ll=0, **kw):
    reg = bytearray(random.Random(w).getrandbits(8) for _ in range(32 * vlenb))
    before = bytes(reg)
    status, vs = z.execute(w, reg, vlenb, vl, vstart, sew, ll, **kw)
    if status != z.OK:
        assert bytes(reg) == before and vs == vstart  # illegal: nothing written
    return status


ALL = set(z.EXT)


@pytest.mark.parametrize("m", sorted(WORDS))
def test_each_instruction_needs_its_sub_extension(m):
    ext = encodings_vcrypto.ZVK[[e[0] for e in encodings_vcrypto.ZVK].index(m)][3]
    alts = {a[0] for a in encodings.extensions_of(ext)}
    base = m.split(".")[0]
    sew = 64 if base.startswith("vclmul") else 32
    egs8 = base.startswith("vsm3")
    kw = dict(vl=8 if egs8 else 4, sew=sew, ll=1 if egs8 else 0)
    w = word(m, 8, 16, 4) if "vs1" in OPS[m] else word(m, 8, 16)
    assert run(w, exts=ALL, **kw) == z.OK
    assert run(w, exts=alts, **kw) == z.OK
    assert run(w, exts=ALL - alts, **kw) == z.ILLEGAL


def test_vill_and_sew():
    w = word("vaesem.vv", 8, 16)
    assert run(w, vill=True) == z.ILLEGAL
    for sew in (8, 16, 64):
        assert run(w, sew=sew, vl=4) == z.ILLEGAL
    sha = word("vsha2ms.vv", 8, 16, 24)
    assert run(sha, sew=64, ll=1) == z.OK                        # Zvknhb: SHA-512
    assert run(sha, sew=64, ll=1, exts=ALL - {"zvknhb"}) == z.ILLEGAL
    assert run(sha, sew=32, exts={"zvknha"}) == z.OK
    assert run(sha, sew=16) == z.ILLEGAL
    clmul = word("vclmul.vv", 8, 16, 24)
    assert run(clmul, sew=64, vl=2) == z.OK
    for sew in (8, 16, 32):
        assert run(clmul, sew=sew) == z.ILLEGAL


def test_egw_against_vlen_times_lmul_even_with_vl_zero():
    aes, sm3, sha = word("vaesef.vv", 8, 16), word("vsm3c.vi", 8, 16, 3), word("vsha2cl.vv", 8, 16, 24)
    assert run(aes, vlenb=16, ll=-1, vl=0) == z.ILLEGAL         # 128 * 1/2 < 128
    assert run(aes, vlenb=32, ll=-1, vl=4) == z.OK              # 256 * 1/2 = 128
    assert run(sm3, vlenb=16, ll=0, vl=0) == z.ILLEGAL           # EGW 256 > 128
    assert run(sm3, vlenb=16, ll=1, vl=8) == z.OK
    assert run(sha, vlenb=16, ll=0, vl=0, sew=64) == z.ILLEGAL
    assert run(sha, vlenb=16, ll=1, vl=4, sew=64) == z.OK
    assert run(sha, vlenb=8, ll=1, vl=4, sew=32) == z.OK         # VLEN 64, LMUL 2


def test_vl_and_vstart_multiples_of_egs():
    aes, sm3 = word("vaesdm.vs", 8, 16), word("vsm3me.vv", 8, 16, 24)
    assert run(aes, vl=4, vstart=0) == z.OK
    assert run(aes, vl=3) == z.ILLEGAL
    assert run(aes, vlenb=32, vl=8, vstart=4) == z.OK
    assert run(aes, vlenb=32, vl=8, vstart=2) == z.ILLEGAL
    assert run(sm3, ll=1, vl=8) == z.OK
    assert run(sm3, ll=1, vl=4) == z.ILLEGAL
    assert run(sm3, vlenb=32, ll=1, vl=16, vstart=4) == z.ILLEGAL


def test_register_alignment():
    assert run(word("vaesem.vv", 9, 16), ll=1, vl=8) == z.ILLEGAL
    assert run(word("vaesem.vv", 8, 17), ll=1, vl=8) == z.ILLEGAL
    assert run(word("vaesem.vs", 8, 17), ll=1, vl=8) == z.OK     # scalar group: 1 register
    assert run(word("vghsh.vv", 8, 16, 25), ll=1, vl=8) == z.ILLEGAL
    assert run(word("vsm4k.vi", 8, 16, 7), ll=1, vl=8) == z.OK   # vs1 field is an immediate
    # VLEN 64: the 128-bit scalar group spans two registers and must be aligned to 2
    assert run(word("vaesz.vs", 8, 17), vlenb=8, ll=1, vl=4) == z.ILLEGAL
    assert run(word("vaesz.vs", 8, 18), vlenb=8, ll=1, vl=4) == z.OK
    assert run(word("vror.vv", 9, 16, 24), ll=1, vl=4) == z.ILLEGAL
    assert run(word("vwsll.vv", 10, 16, 24), ll=1, vl=4, sew=16) == z.ILLEGAL   # EMUL 4


def test_overlap_rules():
    # .vs: vd's group must not overlap the scalar element group
    assert run(word("vaesef.vs", 8, 9), ll=1, vl=8) == z.ILLEGAL
    assert run(word("vsm4r.vs", 8, 8), vl=4) == z.ILLEGAL
    assert run(word("vaesef.vv", 8, 8), vl=4) == z.OK            # .vv: allowed
    # SHA-2: vd overlaps neither vs1 nor vs2
    assert run(word("vsha2ms.vv", 8, 8, 16)) == z.ILLEGAL
    assert run(word("vsha2ch.vv", 8, 16, 8)) == z.ILLEGAL
    assert run(word("vsha2cl.vv", 8, 10, 16), sew=64, ll=2, vl=4) == z.ILLEGAL
    # SM3: vd does not overlap vs2 (vs1 may)
    assert run(word("vsm3me.vv", 8, 8, 16), ll=1, vl=8) == z.ILLEGAL
    assert run(word("vsm3me.vv", 8, 16, 8), ll=1, vl=8) == z.OK
    assert run(word("vsm3c.vi", 8, 8, 1), ll=1, vl=8) == z.ILLEGAL
    # vghsh / vaeskf2: no rule
    assert run(word("vghsh.vv", 8, 8, 8)) == z.OK
    # masked Zvbb: vd may not be v0; widening: source only in the top half of vd
    assert run(word("vror.vv", 0, 16, 24, vm=0)) == z.ILLEGAL
    assert run(word("vror.vv", 0, 16, 24, vm=1)) == z.OK
    assert run(word("vwsll.vv", 8, 8, 24), sew=16) == z.ILLEGAL      # low half
    assert run(word("vwsll.vv", 8, 9, 24), sew=16) == z.OK           # high half, EMUL 1
    assert run(word("vwsll.vv", 8, 8, 24), sew=16, ll=-1, vl=2) == z.ILLEGAL  # source EMUL < 1
    assert run(word("vwsll.vv", 16, 8, 8), sew=64, vl=2) == z.ILLEGAL     # 2*SEW > 64
    assert run(word("vwsll.vv", 16, 8, 8), sew=32, vl=2) == z.OK
    assert run(word("vwsll.vv", 16, 8, 8), sew=32, vl=2, elen=32) == z.ILLEGAL  # Zve32x
    assert run(word("vwsll.vv", 16, 8, 8), sew=8, ll=3, vl=4) == z.ILLEGAL  # EMUL 16


def test_zvkb_subset():
    zvkb = {"zvkb"}
    for m in ("vandn.vv", "vandn.vx", "vbrev8.v", "vrev8.v", "vrol.vv", "vrol.vx",
              "vror.vv", "vror.vx", "vror.vi"):
        assert run(word(m, 8, 16, 24 if "vs1" in OPS[m] else 0), exts=zvkb) == z.OK, m
    for m in ("vbrev.v", "vclz.v", "vctz.v", "vcpop.v", "vwsll.vv", "vwsll.vx", "vwsll.vi"):
        assert run(word(m, 8, 16, 24 if "vs1" in OPS[m] else 0), exts=zvkb, sew=16) == z.ILLEGAL, m


def test_base_vector_words_are_not_mine():
    assert run(0x02208057) == z.NOT_MINE          # vadd.vv v0, v2, v1
    vzext_vf2 = 0x12 << 26 | 1 << 25 | 16 << 20 | 6 << 15 | 2 << 12 | 8 << 7 | 0x57
    assert run(vzext_vf2, sew=16) == z.NOT_MINE
    assert run(vzext_vf2 | 8 << 15, sew=16) == z.OK              # vs1 = 6 | 8 = 14: vcpop.v
    assert run(0x12 << 26 | 1 << 25 | 16 << 20 | 11 << 15 | 2 << 12 | 8 << 7 | 0x57) == z.NOT_MINE
    assert run(0x01 << 26 | 1 << 25 | 16 << 20 | 3 << 15 | 3 << 12 | 8 << 7 | 0x57) == z.NOT_MINE
    assert run(0xB6000077) == z.ILLEGAL           # OP-VE funct6 0x2D with vm = 0
    assert run(0x8C002077) == z.ILLEGAL           # OP-VE funct6 0x23: unassigned
    assert run(0xA2022077 | 5 << 15) == z.ILLEGAL  # .vv space, vs1 = 5: unassigned
    assert run(word("vaesz.vs", 8, 16) & ~(1 << 26)) == z.ILLEGAL   # no vaesz.vv
    assert run(word("vgmul.vv", 8, 16) | 1 << 26) == z.ILLEGAL      # no vgmul.vs


def test_vstart_at_or_past_vl_writes_nothing():
    w = word("vaesem.vv", 8, 16)
    reg = bytearray(32 * 16)
    status, vs = z.execute(w, reg, 16, 4, 4, 32, 0, vta=True, ones=True)
    assert (status, vs, bytes(reg)) == (z.OK, 0, bytes(32 * 16))
    status, vs = z.execute(word("vror.vi", 8, 16, imm6=3), reg, 16, 2, 3, 32, 0, vta=True, ones=True)
    assert (status, vs, bytes(reg)) == (z.OK, 0, bytes(32 * 16))


def test_hook_rejects_bad_arguments():
    with pytest.raises(ValueError, match="32 x vlenb"):
        z.execute(0, bytearray(100), 16, 0, 0, 32, 0)
    with pytest.raises(ValueError, match="vtype"):
        z.execute(0, bytearray(512), 16, 0, 0, 24, 0)


def test_decoder_claims_exactly_the_zvk_encodings():
    """zvk_opv leaves every OP-V word that is not a ZV* encoding to the base vector unit
    (NOT_MINE) and claims every one that is; zvk_opve rejects every OP-VE word that is not
    one. Random words, with a vtype/vl under which the claimed ones can run."""
    rng = random.Random(6)
    entries = [(mask, match) for mask, match in WORDS.values()]
    reg = bytearray(32 * 16)
    for _ in range(10000):
        opcode = rng.choice([0x57, 0x77])
        w = rng.getrandbits(32) & ~0x7F | opcode
        ours = any(w & mask == match for mask, match in entries)
        status, _ = z.execute(w, reg, 16, 0, 0, 32, 0)
        if opcode == 0x57:
            assert (status != z.NOT_MINE) == ours, hex(w)
        else:
            assert status != z.NOT_MINE
            if not ours:
                assert status == z.ILLEGAL, hex(w)
