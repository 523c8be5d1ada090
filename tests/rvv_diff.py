"""Differential runs of vector instructions: the same ELF on rvemu and on Spike (the RISC-V
reference simulator, when installed), comparing every register and CSR the instruction
could change.

Each case loads v0..v31 from a data block (whole-register loads), sets a0..a5 / fa0..fa5,
vxrm, frm, vtype/vl (vsetvl) and vstart, runs ONE instruction, then stores vstart, vl,
vtype, vxsat, fflags, mcause (0 if no trap), mstatus, a0..a5, fa0..fa5 and v0..v31 to a
signature block (Spike: +signature). A trap handler records mcause and skips the
instruction, so illegal-instruction cases compare too.
"""
import os
import random
import shutil
import struct
import subprocess

from helpers import enc, li, make_elf
from rvv_asm import venc, vsetvl, vsetvli

SPIKE = os.environ.get("RVEMU_SPIKE") or shutil.which("spike") or (
    "/work/ext/spike-install/bin/spike" if os.path.exists("/work/ext/spike-install/bin/spike") else None)

BASE = 0x8000_0000
HANDLER = BASE + 0x100
TOHOST = BASE + 0x1000
CODE = BASE + 0x2000
DATA = BASE + 0x20_0000
MEM = BASE + 0x200_0000     # memory for the loads/stores, compared as part of the signature
MEM_SIZE = 0x10000
SIG = MEM + MEM_SIZE
RAM_END = BASE + 0x400_0000   # 64 MiB on both simulators
HDR = 256                    # signature header bytes per case

# x registers: s0 (x8) signature, s1 (x9) pointer, t0-t2 scratch, a0-a5 (x10-x15) operands
S0, S1, T0, T1, T2, T6 = 8, 9, 5, 6, 7, 31


def _w(*words):
    return list(words)


def _csrw(csr, rs):
    return enc("csrrw", 0, csr, rs)


def _csrr(rd, csr):
    return enc("csrrs", rd, csr, 0)


def build(cases, vlen, mem_init=b""):
    """cases: dicts with insn, vregs (bytes 32*vlenb), x (6 values), f (6 values),
    vtype, avl, vstart, vxrm, frm. Returns (elf bytes, signature address, size)."""
    vlenb = vlen // 8
    case_sig = HDR + 32 * vlenb
    code = []
    # M-mode setup: mtvec, mstatus.FS = VS = Initial
    code += li(T0, HANDLER) + [_csrw(0x305, T0)]
    code += li(T0, (1 << 9) | (1 << 13)) + [enc("csrrs", 0, 0x300, T0)]
    for k, c in enumerate(cases):
        init = DATA + k * 32 * vlenb
        sig = SIG + k * case_sig
        code += li(S1, init) + [vsetvli(0, 0, 0b011)]  # e8, m8 (vl irrelevant: whole regs)
        code += li(T1, 8 * vlenb)
        for g in range(4):
            code += [venc("vl8re8.v", vd=8 * g, vs1=S1), enc("add", S1, S1, T1)]
        for i, xv in enumerate(c["x"]):
            code += li(10 + i, xv)
        for i, fv in enumerate(c["f"]):
            code += li(T0, fv) + [enc("fmv.d.x", 10 + i, T0)]
        code += li(T0, c["vxrm"]) + [_csrw(0x00A, T0), _csrw(0x009, 0)]
        code += li(T0, c["frm"]) + [_csrw(0x002, T0), _csrw(0x001, 0)]
        code += li(T0, c["avl"]) + li(T1, c["vtype"]) + [vsetvl(T2, T0, T1)]
        code += li(T0, c["vstart"]) + [_csrw(0x008, T0)]
        code += li(S0, sig)
        code += [c["insn"]]
        code += [_csrr(T0, 0x008), enc("sd", T0, S0, 8), _csrr(T0, 0xC20), enc("sd", T0, S0, 16),
                 _csrr(T0, 0xC21), enc("sd", T0, S0, 24), _csrr(T0, 0x009), enc("sd", T0, S0, 32),
                 _csrr(T0, 0x001), enc("sd", T0, S0, 40), _csrr(T0, 0x300), enc("sd", T0, S0, 48)]
        for i in range(6):
            code += [enc("sd", 10 + i, S0, 64 + 8 * i)]
            code += [enc("fmv.x.d", T0, 10 + i), enc("sd", T0, S0, 112 + 8 * i)]
        code += li(S1, sig + HDR)
        code += li(T1, 8 * vlenb)
        for g in range(4):
            code += [venc("vs8r.v", vd=8 * g, vs1=S1), enc("add", S1, S1, T1)]
    code += li(T0, 1) + li(T1, TOHOST) + [enc("sd", T0, T1, 0), enc("jal", 0, 0)]
    handler = [_csrr(T6, 0x342), enc("sd", T6, S0, 0), _csrr(T6, 0x341), enc("addi", T6, T6, 4),
               _csrw(0x341, T6), enc("mret")]
    blob = lambda words: b"".join(struct.pack("<I", w & 0xFFFFFFFF) for w in words)
    data = b"".join(c["vregs"] for c in cases)
    sig_size = case_sig * len(cases)
    segs = [(HANDLER, blob(handler), None), (TOHOST, bytes(16), None), (CODE, blob(code), None),
            (DATA, data, None), (MEM, mem_init.ljust(MEM_SIZE, b"\0"), None),
            (SIG, b"", sig_size)]
    elf = make_elf(segs, CODE, symbols={"tohost": TOHOST, "fromhost": TOHOST + 8,
                                        "begin_signature": MEM, "end_signature": SIG + sig_size})
    return elf, sig_size, case_sig


def run_rvemu(elf, isa, vlen, sig_size, agnostic="undisturbed"):
    from rvemu import Machine
    m = Machine(isa=isa, ram="64M", vlen=vlen, agnostic=agnostic)
    m.load_elf(elf)
    r = m.run(max_insns=50_000_000)
    assert r.reason == "halt", r
    return bytes(m.mem_read(SIG, sig_size)), bytes(m.mem_read(MEM, MEM_SIZE))


def run_spike(elf, isa, vlen, sig_size, tmp):
    path = os.path.join(tmp, "case.elf")
    sigf = os.path.join(tmp, "case.sig")
    with open(path, "wb") as f:
        f.write(elf)
    subprocess.run([SPIKE, f"--isa={isa}_zvl{vlen}b", "-m0x80000000:0x4000000",
                    f"+signature={sigf}", "+signature-granularity=8", path],
                   check=True, capture_output=True, timeout=600)
    out = bytearray()
    with open(sigf) as f:
        for line in f:
            line = line.strip()
            if line:
                out += int(line, 16).to_bytes(8, "little")
    return bytes(out[MEM_SIZE:MEM_SIZE + sig_size]), bytes(out[:MEM_SIZE])


FIELDS = ["mcause", "vstart", "vl", "vtype", "vxsat", "fflags", "mstatus"]


def decode_case(sig, k, case_sig):
    c = sig[k * case_sig:(k + 1) * case_sig]
    hdr = struct.unpack("<7Q", c[:56])
    out = dict(zip(FIELDS, hdr))
    out["x"] = struct.unpack("<6Q", c[64:112])
    out["f"] = struct.unpack("<6Q", c[112:160])
    out["v"] = c[HDR:]
    return out


# ---- random cases ------------------------------------------------------------------

FP_SPECIAL = {
    16: [0x0000, 0x8000, 0x3c00, 0xbc00, 0x7c00, 0xfc00, 0x7e00, 0x7d00, 0x0001, 0x03ff, 0x7bff,
         0x3555, 0x4000, 0xc500, 0x0400, 0x3bff],
    32: [0x0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000,
         0x1, 0x7fffff, 0x7f7fffff, 0x3eaaaaab, 0x40000000, 0xc1200000, 0x4f000000, 0xcf000000,
         0x00800000, 0x3f7fffff],
    64: [0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x7ff0000000000000,
         0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000, 0x1, 0xfffffffffffff,
         0x7fefffffffffffff, 0x3fd5555555555555, 0x4000000000000000, 0xc024000000000000,
         0x43e0000000000000, 0xc3e0000000000000, 0x0010000000000000, 0x3fefffffffffffff],
}


def fp_value(rng, sew):
    if rng.random() < 0.4:
        return rng.choice(FP_SPECIAL[sew])
    if rng.random() < 0.5:  # moderate exponents: arithmetic that rounds and stays finite
        if sew == 16:
            return rng.getrandbits(1) << 15 | rng.randint(10, 20) << 10 | rng.getrandbits(10)
        if sew == 32:
            return rng.getrandbits(1) << 31 | rng.randint(110, 140) << 23 | rng.getrandbits(23)
        return rng.getrandbits(1) << 63 | rng.randint(1000, 1050) << 52 | rng.getrandbits(52)
    return rng.getrandbits(sew)


def fill_regs(rng, vlenb, fp_sew=None):
    if fp_sew is None:
        return bytes(rng.getrandbits(8) for _ in range(32 * vlenb))
    out = bytearray()
    n = 32 * vlenb * 8 // fp_sew
    for _ in range(n):
        out += fp_value(rng, fp_sew).to_bytes(fp_sew // 8, "little")
    return bytes(out)


def random_case(rng, mnemonic, operands, vlen, *, fp=False, legal_bias=0.85):
    vlenb = vlen // 8
    sew = rng.choice([8, 16, 32, 64] if not fp else [16, 32, 64, 16, 32, 64, 8])
    lmul = rng.choice([1, 1, 2, 4, 8, 0.5, 0.25, 0.125])
    vlmul = {1: 0, 2: 1, 4: 2, 8: 3, 0.125: 5, 0.25: 6, 0.5: 7}[lmul]
    ta, ma = rng.getrandbits(1), rng.getrandbits(1)
    vt = ma << 7 | ta << 6 | {8: 0, 16: 1, 32: 2, 64: 3}[sew] << 3 | vlmul
    vlmax = max(1, int(lmul * vlen // sew))
    avl = rng.choice([vlmax, vlmax, rng.randint(0, vlmax), rng.randint(0, 2 * vlmax), 1])
    vstart = 0 if rng.random() < 0.85 else rng.randint(0, max(1, vlmax))
    ops = operands.split(",")
    if rng.random() < legal_bias:
        groups = rng.sample([8, 16, 24], 3)
        vd, vs2, vs1 = groups
        if rng.random() < 0.3:  # same register as a source (legal for single-width ops)
            vd = vs2
    else:
        vd, vs2, vs1 = (rng.randrange(32) for _ in range(3))
    if "xs1" in ops or "fs1" in ops:
        vs1 = rng.randint(10, 15)
    if ops[0] in ("xd", "fd"):
        vd = rng.randint(10, 15)
    if mnemonic in ("vmv.s.x", "vfmv.s.f", "vmv.v.x", "vfmv.v.f", "vmv.v.i", "vmv.v.v", "vid.v"):
        vs2 = 0
    vm = 1 if rng.random() < 0.5 else 0
    if "simm5" in ops or "uimm5" in ops:
        vs1 = rng.randrange(32)
    insn = venc(mnemonic, vd=vd, vs2=vs2, vs1=vs1, vm=vm)
    fp_sew = sew if fp and sew > 8 else None
    regs = fill_regs(rng, vlenb, fp_sew)
    if rng.random() < 0.5:  # give v0 a mask with a structure
        regs = bytes(rng.getrandbits(8) for _ in range(vlenb)) + regs[vlenb:]
    x = [rng.choice([0, 1, 2, 3, 5, 7, 31, 63, 64, 127, (1 << 64) - 1, 1 << 63, rng.getrandbits(64),
                     rng.getrandbits(8), rng.getrandbits(16)]) for _ in range(6)]
    if fp:
        f = []
        for _ in range(6):
            s = sew if sew > 8 else 16
            val = fp_value(rng, s)
            if s < 64:
                val |= ((1 << 64) - 1) ^ ((1 << s) - 1)  # NaN-boxed
                if rng.random() < 0.05:
                    val &= (1 << 63) - 1                  # a bad box
            f.append(val)
    else:
        f = [rng.getrandbits(64) for _ in range(6)]
    return dict(insn=insn, vregs=regs, x=x, f=f, vtype=vt, avl=avl, vstart=vstart,
                vxrm=rng.randrange(4), frm=rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 7]), mnemonic=mnemonic)


_SEGMENTED = ("vle", "vse", "vlse", "vsse", "vlux", "vlox", "vsux", "vsox")


def random_mem_case(rng, mnemonic, operands, vlen):
    """A load/store case: a0 = base inside MEM (sometimes near the end of RAM, so
    fault-only-first loads trim vl), a1 = stride, index registers with small offsets."""
    c = random_case(rng, "vadd.vv", "vd,vs2,vs1,vm", vlen)
    vlenb = vlen // 8
    import re
    eew = int(re.search(r"(\d+)", mnemonic.split(".")[0][2:]).group(1)) if re.search(r"\d", mnemonic) else 8
    if mnemonic.startswith(("vl1", "vl2", "vl4", "vl8", "vs1", "vs2", "vs4", "vs8")):
        eew = int(mnemonic.split("e")[-1].split(".")[0]) if "re" in mnemonic else 8
    align = max(1, eew // 8)
    base = MEM + rng.randrange(0x4000, 0xC000) // align * align
    if rng.random() < 0.05:
        base += rng.randrange(1, align) if align > 1 else 0      # misaligned
    if "ff" in mnemonic and rng.random() < 0.5:
        base = RAM_END - align * rng.randint(1, 40)
    stride = rng.choice([0, align, 2 * align, -align, align * rng.randint(-8, 8), 3])
    x = list(c["x"])
    x[0] = base
    x[1] = stride & ((1 << 64) - 1)
    nf = 0
    if mnemonic.startswith(_SEGMENTED) and rng.random() < 0.5:
        nf = rng.randint(1, 7)
    vd = rng.choice([8, 16, 24]) if rng.random() < 0.8 else rng.randrange(32)
    vs2 = rng.choice([g for g in (8, 16, 24) if g != vd] or [0])
    vm = 1 if rng.random() < 0.5 else 0
    if mnemonic.startswith(("vl1", "vl2", "vl4", "vl8", "vs1", "vs2", "vs4", "vs8", "vlm", "vsm")):
        vm = 1
    insn = venc(mnemonic, vd=vd, vs2=vs2 if "vs2" in operands else 11, vs1=10, vm=vm, nf=nf)
    regs = bytearray(c["vregs"])
    if "vs2" in operands:                                     # small index offsets
        ieew = eew // 8
        for k in range(8 * vlenb // ieew):
            off = rng.randrange(0, 0x2000)
            off -= off % min(ieew, 8) if rng.random() < 0.9 else 0
            regs[vs2 * vlenb + k * ieew: vs2 * vlenb + (k + 1) * ieew] = off.to_bytes(8, "little")[:ieew]
    c.update(insn=insn, x=x, vregs=bytes(regs), mnemonic=mnemonic)
    return c


def random_word_case(rng, vlen):
    """A random OP-V / vector load / vector store word (reserved encodings included), with
    the operands the harness needs kept usable: memory ops use a0 as the base (a1 the
    stride) and stores only unit-stride/strided forms; x/f destinations and FP scalars are
    a0-a5 / fa0-fa5 (the registers every case sets)."""
    c = random_case(rng, "vadd.vv", "vd,vs2,vs1,vm", vlen, fp=rng.random() < 0.5)
    w = rng.getrandbits(32)
    kind = rng.random()
    if kind < 0.6:
        w = (w & ~0x7F) | 0x57
        if (w >> 12) & 7 in (2, 7):                       # may write x[rd]
            w = (w & ~(31 << 7)) | (rng.randint(10, 15) << 7)
        if (w >> 12) & 7 == 5:                            # FP scalar operand
            w = (w & ~(31 << 15)) | (rng.randint(10, 15) << 15)
    else:
        w = (w & ~0x707F) | (0x07 if kind < 0.8 else 0x27) | (rng.choice([0, 5, 6, 7]) << 12)
        w = (w & ~(31 << 15)) | (10 << 15)
        c["x"][0] = MEM + 0x8000
        c["x"][1] = rng.choice([0, 1, 2, 4, 8, -8]) & ((1 << 64) - 1)
        if w & 0x7F == 0x27 and (w >> 26) & 1:
            w &= ~(1 << 26)
        if (w >> 26) & 3 == 2:
            w = (w & ~(31 << 20)) | (11 << 20)
    c.update(insn=w, mnemonic=f"{w:#010x}")
    return c
