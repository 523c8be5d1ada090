"""Random programs for the hart, drawn from rvemu.isa's own encoding tables.

``Program.generate(seed)`` draws, from one ``random.Random(seed)``:

* code: a region of random instruction words, each an encoding of the ISA tables (every
  extension the machine has: I, M, A, F, D, Zfh, Zfbfmin, C, Zicsr, Zifencei, the
  privileged ops and H's HLV/HSV/HFENCE; V when the ISA has it) with its free bits random,
  register fields biased towards the registers that hold data pointers, CSR fields towards
  real CSRs; 16-bit parcels of RV64C mixed in;
* data: random bytes, with x registers pointing into it (and some random values);
* an Sv39 identity map of RAM (random permissions per page: R/W/X/U/A/D, some invalid),
  a G-stage Sv39x4 identity map (a gigapage), and satp / vsatp / hgatp either bare, pointing
  at those tables or (rarely) at random RAM;
* random CSR state (mstatus, medeleg/mideleg, mie, hstatus, hedeleg/hideleg, counters
  enables, trap vectors into the code, FP state, PMP open or random), a start privilege mode
  (M, S, U, VS, VU) and a schedule of interrupts (mip bits set or cleared at given steps).

Everything is a function of the seed, so a run is reproducible from it alone.
"""
import random
from dataclasses import dataclass, field

from rvemu.isa import encodings
from rvemu.isa.csrs import CSR_BY_NAME
from rvemu.isa.isastring import parse_isa

RAM_BASE = 0x8000_0000
RAM_SIZE = 1 << 20
CODE = RAM_BASE                  # 32 KiB of random code
CODE_SIZE = 0x8000
DATA = RAM_BASE + 0x10000        # 64 KiB of random data
DATA_SIZE = 0x10000
PT_ROOT = RAM_BASE + 0x20000     # Sv39 root, L1, L0 (identity map of the first 256 pages)
G_ROOT = RAM_BASE + 0x24000      # Sv39x4 root (16 KiB, 16 KiB aligned)
MAPPED_PAGES = 0x40              # pages of RAM the Sv39 map covers at 4 KiB granularity
DEFAULT_ISA = "rv64gc_zfh_zfbfmin_h"
VECTOR_ISA = "rv64gcv_zfh_zfbfmin_h"
MODES = ("M", "S", "U", "VS", "VU")
MODE_BITS = {"M": (3, 0), "S": (1, 0), "U": (0, 0), "VS": (1, 1), "VU": (0, 1)}
MASK64 = (1 << 64) - 1
# interrupt bits a host may raise: SSIP, VSSIP, MSIP, STIP, VSTIP, MTIP, SEIP, VSEIP, MEIP, SGEIP
IRQ_BITS = [1 << 1, 1 << 2, 1 << 3, 1 << 5, 1 << 6, 1 << 7, 1 << 9, 1 << 10, 1 << 11, 1 << 12]
CSR_FIELD_CHOICES = sorted(CSR_BY_NAME.values())
HANDLERS = CODE + CODE_SIZE      # trap handlers: M at +0, S/VS at +0x100 (an RWX page)
T = 31                           # the register trap handlers use


def _i(op, rd, f3, rs1, imm):
    return (imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def _jal(rd, off):
    return ((off >> 20 & 1) << 31 | (off >> 1 & 0x3FF) << 21 | (off >> 11 & 1) << 20
            | (off >> 12 & 0xFF) << 12 | rd << 7 | 0x6F)


def _blt(rs1, rs2, off):
    return ((off >> 12 & 1) << 31 | (off >> 5 & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | 4 << 12
            | (off >> 1 & 0xF) << 8 | (off >> 11 & 1) << 7 | 0x63)


def handler(xepc, xcause, xret):
    """A trap handler usable directly or vectored: 16 jumps to the body, which steps xepc
    past a faulting instruction (not for interrupts) and returns. When V=1 the S-mode one
    reaches the VS CSRs, so it also serves as the VS handler."""
    words = [_jal(0, 64 - 4 * k) for k in range(16)]
    words += [_i(0x73, T, 2, 0, xcause),            # csrr  t, xcause
              _blt(T, 0, 16),                       # interrupt: return as is
              _i(0x73, T, 2, 0, xepc),              # csrr  t, xepc
              _i(0x13, T, 0, T, 4),                 # addi  t, t, 4
              _i(0x73, 0, 1, T, xepc),              # csrw  xepc, t
              xret]
    return b"".join(w.to_bytes(4, "little") for w in words)


def _encodings(isa):
    """(mask, match, width, mnemonic, operands) of every encoding the ISA has."""
    names = set(isa.names)
    out = []
    tables = list(encodings.ALL) + list(getattr(encodings, "RV64C", []))
    if "v" in names or "zve32x" in names:
        tables += [e for e in getattr(encodings, "ALL_V", []) if e not in tables]
    for mn, bits, ops, ext in tables:
        alts = encodings.extensions_of(ext)
        if not any(all(e in names for e in alt) for alt in alts):
            continue
        mask, match, width = encodings.mask_match(bits)
        out.append((mask, match, width, mn, ops))
    return out


@dataclass
class Program:
    seed: int
    isa: str = DEFAULT_ISA
    mode: str = "M"
    vlen: int = None
    code: bytes = b""
    data: bytes = b""
    x: list = field(default_factory=list)
    f: list = field(default_factory=list)
    csrs: list = field(default_factory=list)       # (name, value) written in order
    pte: dict = field(default_factory=dict)        # physical address -> 8-byte PTE
    irqs: list = field(default_factory=list)       # (step, bits, set?) sorted by step

    @classmethod
    def generate(cls, seed, *, isa=DEFAULT_ISA, modes=MODES, budget=20_000, vlen=None):
        rnd = random.Random(seed)
        p = cls(seed=seed, isa=isa)
        parsed = parse_isa(isa)
        vec = "zve32x" in parsed.names
        if vec:
            p.vlen = vlen or rnd.choice([128, 256, 512])
        hyp = "h" in parsed.names
        modes = [m for m in modes if hyp or m[0] != "V"]
        p.mode = rnd.choice(modes)
        table = _encodings(parsed)
        ptr_regs = rnd.sample(range(1, 32), 10)

        def reg():
            return rnd.choice(ptr_regs) if rnd.random() < 0.6 else rnd.randrange(32)

        def word():
            mask, match, width, mn, ops = rnd.choice(table)
            w = (rnd.getrandbits(width) & ~mask) | match
            if width == 32:
                if "xs1" in ops or "(xs1)" in ops or "(rs1)" in ops:
                    w = (w & ~(31 << 15)) | reg() << 15 if not (mask >> 15) & 31 else w
                if mn.startswith("csr") and rnd.random() < 0.8:
                    w = (w & 0xFFFFF) | rnd.choice(CSR_FIELD_CHOICES) << 20
                if mn in ("beq", "bne", "blt", "bge", "bltu", "bgeu", "jal") and rnd.random() < 0.7:
                    w &= 0x7FF00FFF if mn == "jal" else 0x01FFF07F   # short jumps stay in code
            return w, width

        code = bytearray()
        while len(code) < CODE_SIZE:
            w, width = word()
            if width == 16 and rnd.random() < 0.5:
                w, width = word()
            code += w.to_bytes(width // 8, "little")
        p.code = bytes(code[:CODE_SIZE])
        p.data = rnd.randbytes(DATA_SIZE)
        p.x = [0] * 32
        for i in range(1, 32):
            if i in ptr_regs[:2] and rnd.random() < 0.3:   # the CLINT: msip, mtimecmp, mtime
                p.x[i] = rnd.choice([0x0200_0000, 0x0200_4000, 0x0200_BFF8])
            elif i in ptr_regs:
                p.x[i] = DATA + rnd.randrange(0, DATA_SIZE - 64) & ~rnd.choice([0, 7])
            else:
                p.x[i] = rnd.choice([rnd.getrandbits(64), rnd.randrange(-2048, 2048) & MASK64,
                                     CODE + rnd.randrange(CODE_SIZE), rnd.getrandbits(64)])
        p.f = [rnd.choice([rnd.getrandbits(64), 0xFFFFFFFF00000000 | rnd.getrandbits(32),
                           0xFFFFFFFFFFFF0000 | rnd.getrandbits(16)]) for _ in range(32)]

        # page tables: Sv39 identity map of the first MAPPED_PAGES pages of RAM
        l1, l0 = PT_ROOT + 0x1000, PT_ROOT + 0x2000
        p.pte[PT_ROOT + 8 * 2] = (l1 >> 12) << 10 | 1            # VA 0x8000_0000 GiB -> L1
        p.pte[l1] = (l0 >> 12) << 10 | 1                          # first MiB -> L0
        for i in range(MAPPED_PAGES):
            if RAM_BASE + (i << 12) == HANDLERS:
                p.pte[l0 + 8 * i] = ((RAM_BASE >> 12) + i) << 10 | 0xCF
                continue
            perm = rnd.choice([0xCF, 0xDF, 0xCF, 0xDF, 0xC7, 0xD7, 0xCB, 0xDB, 0x4F, 0x8F,
                               0x03, 0x0F, 0x00, 0xD5, rnd.getrandbits(8) | 1])
            p.pte[l0 + 8 * i] = ((RAM_BASE >> 12) + i) << 10 | perm
        # rest of RAM: one megapage leaf per MiB index 1.. (RAM is 1 MiB: none)
        # G-stage: GPA 0x8000_0000 GiB -> identity, U set (G-stage leaves are user pages)
        p.pte[G_ROOT + 8 * 2] = (RAM_BASE >> 12) << 10 | rnd.choice([0xDF, 0xDF, 0xDB, 0xCF])

        def pick(*vals):
            return rnd.choice(vals)

        sv39 = 8 << 60 | PT_ROOT >> 12
        csrs = []
        mstatus = (rnd.getrandbits(64) & ((1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 8)
                                         | (3 << 11) | (1 << 17) | (1 << 18) | (1 << 19)
                                         | (1 << 20) | (1 << 21) | (1 << 22)))
        mstatus |= pick(1, 2, 3, 3) << 13                        # FS on (mostly dirty)
        if vec:
            mstatus |= pick(0, 1, 2, 3, 3) << 9                  # VS (mostly on)
        csrs.append(("mstatus", mstatus))
        csrs.append(("medeleg", rnd.getrandbits(16) & pick(0xFFFF, 0xB1FF, 0)))
        csrs.append(("mideleg", rnd.getrandbits(16) & pick(0x222, 0x1666, 0xFFFF, 0)))
        csrs.append(("mie", rnd.getrandbits(16) & pick(0xAAA, 0x1FFF, 0)))
        csrs.append(("mcounteren", pick(0, 7, 0xFFFFFFFF)))
        csrs.append(("scounteren", pick(0, 7, 0xFFFFFFFF)))
        for v, h in (("mtvec", HANDLERS), ("stvec", HANDLERS + 0x100),
                     ("vstvec", HANDLERS + 0x100))[:3 if hyp else 2]:
            if rnd.random() < 0.9:
                csrs.append((v, h | pick(0, 0, 1)))
            else:       # anywhere in the code
                csrs.append((v, (CODE + rnd.randrange(CODE_SIZE // 4) * 4) | pick(0, 1)))
        for v in ("mepc", "sepc") + (("vsepc",) if hyp else ()):
            csrs.append((v, CODE + rnd.randrange(CODE_SIZE // 4) * 4))
        csrs.append(("mscratch", rnd.getrandbits(64)))
        csrs.append(("sscratch", DATA + rnd.randrange(DATA_SIZE)))
        csrs.append(("fcsr", rnd.getrandbits(8)))
        if rnd.random() < 0.85:    # PMP open for S/U, else random
            csrs += [("pmpaddr0", (1 << 54) - 1), ("pmpcfg0", 0x1F)]
        else:
            csrs += [("pmpaddr0", rnd.getrandbits(54)), ("pmpcfg0", rnd.getrandbits(8))]
        csrs.append(("satp", pick(0, sv39, sv39, sv39 | rnd.getrandbits(16) << 44,
                                  9 << 60 | PT_ROOT >> 12, 8 << 60 | (DATA >> 12))))
        if hyp:
            csrs.append(("hstatus", rnd.getrandbits(64) & ((1 << 5) | (1 << 6) | (1 << 7) | (1 << 8)
                                                          | (1 << 9) | (1 << 20) | (1 << 21)
                                                          | (1 << 22))))
            csrs.append(("hedeleg", rnd.getrandbits(16) & pick(0xB1FF, 0xFFFF, 0)))
            csrs.append(("hideleg", pick(0, 0x444, rnd.getrandbits(12))))
            csrs.append(("hcounteren", pick(0, 7, 0xFFFFFFFF)))
            csrs.append(("hgatp", pick(0, 8 << 60 | G_ROOT >> 12, 8 << 60 | G_ROOT >> 12,
                                       8 << 60 | 1 << 44 | G_ROOT >> 12)))
            csrs.append(("vsatp", pick(0, sv39, sv39)))
            csrs.append(("vsstatus", rnd.getrandbits(64) & ((1 << 1) | (1 << 5) | (1 << 8)
                                                           | (1 << 18) | (1 << 19)) | 3 << 13
                         | (pick(0, 3, 3) << 9 if vec else 0)))
        p.csrs = csrs
        # interrupts: a few mip changes at random steps
        n = rnd.randrange(0, 6)
        p.irqs = sorted((rnd.randrange(1, budget), rnd.choice(IRQ_BITS), rnd.random() < 0.7)
                        for _ in range(n))
        return p

    # -------------------------------------------------------------------------- loading
    def machine(self):
        """A fresh Machine holding this program, ready to run."""
        from rvemu.machine.machine import Machine
        from rvemu.errors import RegisterError
        m = Machine(isa=self.isa, ram=RAM_SIZE, vlen=self.vlen)
        m.mem_write(CODE, self.code)
        m.mem_write(DATA, self.data)
        m.mem_write(HANDLERS, handler(0x341, 0x342, 0x30200073))
        m.mem_write(HANDLERS + 0x100, handler(0x141, 0x142, 0x10200073))
        for addr, pte in self.pte.items():
            m.mem_write(addr, pte.to_bytes(8, "little"))
        m.hart.reset(CODE, 0, 0, 3)
        for i in range(1, 32):
            m.reg_write(f"x{i}", self.x[i])
        for i in range(32):
            m.reg_write(f"f{i}", self.f[i])
        for name, value in self.csrs:
            try:
                m.reg_write(name, value)
            except RegisterError:
                pass     # not in this configuration
        priv, virt = MODE_BITS[self.mode]
        m.reg_write("priv", priv)
        if virt:
            m.reg_write("virt", 1)
        return m
