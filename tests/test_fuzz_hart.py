"""Fuzzing the hart: random instruction words, random 16-bit parcels and words biased
towards valid opcodes (SYSTEM/CSR ones included), with random registers and random CSR
state (mstatus with MPRV/SUM/MXR/TVM/TW/TSR/FS, satp in random modes pointing at random RAM
or at an identity map with random permissions, medeleg/mideleg, mie/mip, mtvec/stvec at
trap handlers, at code or anywhere, PMP) in M, S and U. RAM around the drawn program holds
a random mix of valid instructions, so traps land in code that runs on.

The hart must only ever execute or trap: no crash, run() returns within its budget for a
known reason, pc stays aligned, x0 reads 0, and every trap it takes is architecturally
valid (cause, xEPC, xPP/xPIE, delegation, vector address). A second test checks that a
program of valid instructions is deterministic and that stepping one instruction at a time
reaches the same state as one long run.
"""
import hashlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import (AMO_OPS, BRANCH_OPS, CSR_OPS, EXCEPTION_CODES, INTERRUPT_CODES, LOAD_OPS,
                     MASK64, R_OPS, RAM_BASE, SHIFT_OPS, STORE_OPS, I_OPS, asm, cenc, enc,
                     new_machine)

SETTINGS = dict(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
RAM_SIZE = 64 << 10
RAM_PAGES = RAM_SIZE >> 12
OK_REASONS = {"budget", "halt", "idle", "trap_loop", "reset"}
STEPS = 48            # single steps checked one by one per example
BULK = 20_000         # budget of the long run per example
# Invariants the long run relaxes because dedicated strict-xfail tests in
# test_instructions.py already pin the bugs behind them (so the long run can look for others):
#   x0: test_amo_into_its_own_code_page_writes_rd; alignment:
#   test_taken_branch_to_misaligned_target_without_c_traps. The default run checks both.
CHECK_X0 = True
CHECK_ALIGN = True

# CSRs a random program may touch (numbers from the privileged spec's CSR listing)
CSR_NUMBERS = [0x001, 0x002, 0x003, 0xC00, 0xC01, 0xC02, 0xC03, 0x100, 0x104, 0x105, 0x106,
               0x10A, 0x140, 0x141, 0x142, 0x143, 0x144, 0x14D, 0x180, 0xF11, 0xF12, 0xF13,
               0xF14, 0xF15, 0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x30A, 0x320,
               0x323, 0x340, 0x341, 0x342, 0x343, 0x344, 0x3A0, 0x3A2, 0x3B0, 0x3B1, 0x3BF,
               0x747, 0x7A0, 0x7A1, 0xB00, 0xB02, 0xB03, 0x7B0, 0x5A8, 0x600, 0x001 | 0x800]
MSTATUS_RANDOM_BITS = ((1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 8) | (3 << 11)
                       | (3 << 13) | (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 21)
                       | (1 << 22))


# --------------------------------------------------------------------------- strategies
u64s = st.integers(0, MASK64)
ram_addr = st.integers(0, RAM_SIZE - 8).map(lambda o: RAM_BASE + o)
reg_value = st.one_of(ram_addr, ram_addr, st.integers(-4096, 4096).map(lambda v: v & MASK64), u64s,
                      st.sampled_from([0, 1, MASK64, 1 << 63, (1 << 63) - 1, 0x80000000,
                                       0x0200_0000, 0x0200_bff8, 0x1000_0000, 0x10_0000]))
regnum = st.integers(0, 31)


@st.composite
def biased_word(draw):
    """A 32-bit word with a real major opcode and mostly valid function fields."""
    kind = draw(st.sampled_from(["r", "i", "shift", "load", "store", "branch", "jal", "jalr",
                                 "upper", "amo", "csr", "system", "fp", "fence", "raw-op"]))
    rd, rs1, rs2 = draw(regnum), draw(regnum), draw(regnum)
    imm = draw(st.integers(-2048, 2047))
    if kind == "r":
        return enc(draw(st.sampled_from(sorted(R_OPS))), rd, rs1, rs2)
    if kind == "i":
        return enc(draw(st.sampled_from(sorted(I_OPS))), rd, rs1, imm)
    if kind == "shift":
        mn = draw(st.sampled_from(sorted(SHIFT_OPS)))
        return enc(mn, rd, rs1, draw(st.integers(0, 63 if mn[-1] == "i" else 31)))
    if kind == "load":
        return enc(draw(st.sampled_from(sorted(LOAD_OPS))), rd, rs1, imm)
    if kind == "store":
        return enc(draw(st.sampled_from(sorted(STORE_OPS))), rs2, rs1, imm)
    if kind == "branch":
        return enc(draw(st.sampled_from(sorted(BRANCH_OPS))), rs1, rs2,
                   draw(st.integers(-64, 64)) * 2)
    if kind == "jal":
        return enc("jal", rd, draw(st.integers(-256, 256)) * 2)
    if kind == "jalr":
        return enc("jalr", rd, rs1, imm)
    if kind == "upper":
        return enc(draw(st.sampled_from(["lui", "auipc"])), rd, draw(st.integers(0, 0xfffff)))
    if kind == "amo":
        op = draw(st.sampled_from(sorted(AMO_OPS)))
        mn = f"{op}.{draw(st.sampled_from('wd'))}"
        return enc(mn, rd, rs1) if op == "lr" else enc(mn, rd, rs2, rs1)
    if kind == "csr":
        mn = draw(st.sampled_from(sorted(CSR_OPS)))
        csr = draw(st.one_of(st.sampled_from(CSR_NUMBERS), st.integers(0, 4095)))
        return enc(mn, rd, csr, rs1)
    if kind == "system":
        return draw(st.sampled_from([enc("ecall"), enc("ebreak"), enc("mret"), enc("sret"),
                                     enc("wfi"), enc("sfence.vma", rs1, rs2), enc("fence.i")]))
    if kind == "fp":
        mn = draw(st.sampled_from(["fadd.s", "fmul.d", "fdiv.s", "fsqrt.d", "fmadd.s",
                                   "fcvt.w.d", "fcvt.d.l", "fmv.x.w", "fmv.d.x", "flw", "fsd",
                                   "feq.d", "fclass.s", "fmin.d", "fcvt.s.d", "fsgnjx.s"]))
        rm = draw(st.integers(0, 7))
        if mn in ("flw",):
            return enc(mn, rd, rs1, imm)
        if mn in ("fsd",):
            return enc(mn, rs2, rs1, imm)
        if mn == "fmadd.s":
            return enc(mn, rd, rs1, rs2, draw(regnum), rm=rm)
        if mn in ("fadd.s", "fmul.d", "fdiv.s", "feq.d", "fmin.d", "fsgnjx.s"):
            return enc(mn, rd, rs1, rs2, rm=rm)
        return enc(mn, rd, rs1, rm=rm)
    if kind == "fence":
        return enc("fence", draw(st.integers(0, 15)), draw(st.integers(0, 15)))
    # a real major opcode with random other bits
    opcode = draw(st.sampled_from([0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f,
                                   0x33, 0x37, 0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63,
                                   0x67, 0x6f, 0x73]))
    return draw(st.integers(0, (1 << 25) - 1)) << 7 | opcode


def program_bytes(kind, items):
    if kind == "parcels":
        return b"".join(int(p).to_bytes(2, "little") for p in items)
    return b"".join(int(w).to_bytes(4, "little") for w in items)


programs = st.one_of(
    st.tuples(st.just("words"), st.lists(st.integers(0, 0xffffffff), min_size=1, max_size=40)),
    st.tuples(st.just("parcels"), st.lists(st.integers(0, 0xffff), min_size=1, max_size=60)),
    st.tuples(st.just("biased"), st.lists(biased_word(), min_size=1, max_size=40)),
)


# RAM layout of a fuzz machine (64 KiB, identity-mapped when paging is on):
# pages 0-7 code (valid-looking instructions, the drawn program at pc), 8-10 data (random),
# 11-15 page tables (or random bytes).
CODE_PAGES, DATA_PAGES, PT_FIRST = range(0, 8), range(8, 11), 11


@st.composite
def hart_state(draw):
    """Everything a run starts from, as plain data (so it can be built twice). Hypothesis
    picks the structure (ISA, privilege, paging, where vectors and pc point, the program
    at pc); a seeded RNG fills in the 64-bit values and RAM."""
    return dict(
        isa=draw(st.sampled_from(["rv64gc", "rv64g", "rv64imac_sstc", "rv64gc_zfh"])),
        seed=draw(st.integers(0, 2 ** 32 - 1)),
        priv=draw(st.sampled_from([3, 1, 0])),
        satp_mode=draw(st.sampled_from([0, 8, 9, 10, 1, 15])),
        tables=draw(st.sampled_from(["identity", "random-root", "none"])),
        pc=draw(st.sampled_from(["code", "code", "random", "zero"])),
        tvec=draw(st.sampled_from(["handler", "handler", "handler", "code", "random", "zero"])),
        deleg=draw(st.sampled_from(["random", "all", "none"])),
        irq=draw(st.sampled_from(["none", "random"])),
        pmp=draw(st.sampled_from(["open", "open", "none", "random"])),
        mstatus=draw(st.integers(0, MASK64)) & MSTATUS_RANDOM_BITS,
        program=draw(programs),
    )


def _pool(seed=1234, n=12_000):
    """A pool of instruction words, mostly valid (every class, CSR numbers that exist,
    xRET/WFI/SFENCE, FP with static and dynamic rounding), some merely well-formed, a few
    random; and a pool of compressed parcels. Built once, sampled per example."""
    import random
    rng = random.Random(seed)
    r = lambda: rng.randrange(32)
    words = []
    for _ in range(n):
        k = rng.random()
        if k < 0.25:
            words.append(enc(rng.choice(sorted(R_OPS)), r(), r(), r()))
        elif k < 0.40:
            mn = rng.choice(sorted(I_OPS) + sorted(SHIFT_OPS))
            imm = rng.randrange(64 if mn in ("slli", "srli", "srai") else 32) if mn in SHIFT_OPS \
                else rng.randrange(-2048, 2048)
            words.append(enc(mn, r(), r(), imm))
        elif k < 0.52:
            mn = rng.choice(sorted(LOAD_OPS) + sorted(STORE_OPS) + ["flw", "fld", "fsw", "fsd"])
            words.append(enc(mn, r(), r(), rng.randrange(-64, 64) * 8))
        elif k < 0.60:
            words.append(enc(rng.choice(sorted(BRANCH_OPS)), r(), r(), rng.randrange(-16, 16) * 4))
        elif k < 0.63:
            words.append(enc("jal", r(), rng.randrange(-64, 64) * 4))
        elif k < 0.65:
            words.append(enc("jalr", r(), r(), rng.randrange(-64, 64) * 4))
        elif k < 0.69:
            words.append(enc(rng.choice(["lui", "auipc"]), r(), rng.randrange(1 << 20)))
        elif k < 0.74:
            op = rng.choice(sorted(AMO_OPS))
            mn = f"{op}.{rng.choice('wd')}"
            words.append(enc(mn, r(), r()) if op == "lr" else enc(mn, r(), r(), r()))
        elif k < 0.84:
            mn = rng.choice(sorted(CSR_OPS))
            src = r() if rng.random() < 0.7 else 0
            words.append(enc(mn, r(), rng.choice(CSR_NUMBERS), src))
        elif k < 0.89:
            words.append(rng.choice([enc("ecall"), enc("ebreak"), enc("mret"), enc("sret"),
                                     enc("wfi"), enc("sfence.vma", r(), r()), enc("fence.i"),
                                     enc("fence")]))
        elif k < 0.97:
            rm = rng.choice([0, 1, 2, 3, 4, 7, 7])
            mn = rng.choice(["fadd.s", "fmul.d", "fdiv.s", "fsub.d"])
            if rng.random() < 0.3:
                words.append(enc(rng.choice(["fmadd.d", "fnmsub.s"]), r(), r(), r(), r(), rm=rm))
            elif rng.random() < 0.5:
                words.append(enc(rng.choice(["fcvt.w.d", "fcvt.l.s", "fcvt.d.lu", "fcvt.s.d",
                                             "fsqrt.d", "fclass.s", "fmv.x.d", "fmv.w.x"]),
                                 r(), r(), rm=rm))
            else:
                words.append(enc(mn, r(), r(), r(), rm=rm))
        else:
            words.append(rng.getrandbits(32))
    parcels = []
    for _ in range(n // 2):
        k = rng.random()
        c = lambda: rng.randrange(8, 16)
        if k < 0.3:
            parcels.append(cenc(rng.choice(["c.addi", "c.li", "c.addiw"]), rng.randrange(1, 32),
                                rng.randrange(-32, 32)))
        elif k < 0.5:
            parcels.append(cenc(rng.choice(["c.sub", "c.xor", "c.or", "c.and", "c.subw",
                                            "c.addw"]), c(), c()))
        elif k < 0.65:
            parcels.append(cenc(rng.choice(["c.lw", "c.sw"]), c(), c(), rng.randrange(32) * 4))
        elif k < 0.75:
            parcels.append(cenc(rng.choice(["c.ld", "c.sd", "c.fld", "c.fsd"]), c(), c(),
                                rng.randrange(32) * 8))
        elif k < 0.85:
            parcels.append(cenc(rng.choice(["c.mv", "c.add"]), rng.randrange(1, 32),
                                rng.randrange(1, 32)))
        elif k < 0.92:
            parcels.append(cenc(rng.choice(["c.beqz", "c.bnez"]), c(), rng.randrange(-32, 32) * 2))
        elif k < 0.95:
            parcels.append(cenc(rng.choice(["c.jr", "c.jalr"]), rng.randrange(1, 32)))
        else:
            parcels.append(rng.getrandbits(16) & ~3 | rng.randrange(3))
    return np.array(words, dtype=np.uint32), np.array(parcels, dtype=np.uint32)


POOL32, POOL16 = _pool()


def random_code(rng, nwords, compressed):
    """nwords 32-bit slots sampled from the pool; with C, some slots hold two compressed
    parcels instead."""
    w = POOL32[rng.integers(0, len(POOL32), nwords)]
    if compressed:
        sel = rng.random(nwords) < 0.3
        lo = POOL16[rng.integers(0, len(POOL16), nwords)]
        hi = POOL16[rng.integers(0, len(POOL16), nwords)]
        w = np.where(sel, lo | (hi << np.uint32(16)), w)
    return w.astype("<u4").tobytes()


def page_tables(rng, satp_mode, s_code_page):
    """Identity map of RAM in the mode's format, with random per-page permissions."""
    levels = {8: 3, 9: 4, 10: 5}.get(satp_mode)
    tables = bytearray(rng.integers(0, 256, 5 * 4096, dtype=np.uint8).tobytes())
    if levels is None:
        return bytes(tables)
    ppn0 = RAM_BASE >> 12
    for lvl in range(levels - 1, 0, -1):       # table for level lvl is page PT_FIRST + (levels-1-lvl)
        page = levels - 1 - lvl
        idx = (RAM_BASE >> (12 + 9 * lvl)) & 0x1ff
        nxt = ppn0 + PT_FIRST + page + 1
        tables[page * 4096 + idx * 8: page * 4096 + idx * 8 + 8] = (nxt << 10 | 1).to_bytes(8, "little")
    leaf = levels - 1
    for p in range(RAM_PAGES):
        flags = 1 if rng.random() < 0.95 else 0                 # V
        flags |= int(rng.integers(0, 16)) << 1                  # R W X U
        flags |= (1 << 6) if rng.random() < 0.9 else 0          # A
        flags |= (1 << 7) if rng.random() < 0.7 else 0          # D
        if p in CODE_PAGES and rng.random() < 0.7:
            flags |= 0b1010                                     # code pages mostly R+X
        if p == s_code_page:
            flags = 0b1100_1011                                 # S's handler: V R X A D
        pte = (ppn0 + p) << 10 | flags
        off = leaf * 4096 + p * 8
        tables[off:off + 8] = pte.to_bytes(8, "little")
    return bytes(tables)


def build(state):
    """A fresh Machine in the given state."""
    import random
    r = random.Random(state["seed"])
    u64 = lambda: r.getrandbits(64)
    m = new_machine(state["isa"], ram=f"{RAM_SIZE >> 10}K")
    rng = np.random.default_rng(state["seed"])
    ram = bytearray(rng.integers(0, 256, RAM_SIZE, dtype=np.uint8).tobytes())
    ram[:len(CODE_PAGES) * 4096] = random_code(rng, len(CODE_PAGES) * 1024, "c" in m.isa)
    mode = state["satp_mode"]
    # trap handlers as an OS would write them: skip the trapping instruction and return
    m_handler = RAM_BASE + r.randrange(len(CODE_PAGES) * 1024 - 8) * 4
    s_handler = RAM_BASE + r.randrange(len(CODE_PAGES) * 1024 - 8) * 4
    for at, x in ((m_handler, "m"), (s_handler, "s")):
        ram[at - RAM_BASE:at - RAM_BASE + 16] = asm(
            enc("csrrs", "t6", 0x341 if x == "m" else 0x141, 0), enc("addi", "t6", "t6", 4),
            enc("csrrw", 0, 0x341 if x == "m" else 0x141, "t6"), enc(x + "ret"))
    if state["tables"] == "identity":
        ram[PT_FIRST * 4096:] = page_tables(rng, mode, (s_handler - RAM_BASE) >> 12)
        root = (RAM_BASE >> 12) + PT_FIRST
    elif state["tables"] == "random-root":
        root = (RAM_BASE >> 12) + r.randrange(RAM_PAGES) if r.random() < 0.8 else r.getrandbits(44)
    else:
        root = r.getrandbits(44)
    m.mem_write(RAM_BASE, bytes(ram))

    def where(kind, handler=None):
        if kind == "handler":
            return handler
        if kind == "code":
            return RAM_BASE + r.randrange(len(CODE_PAGES) * 1024) * 4
        return u64() if kind == "random" else 0

    pc = where(state["pc"]) & ~(1 if "c" in m.isa else 3)      # the host sets an aligned pc
    if RAM_BASE <= pc < RAM_BASE + len(CODE_PAGES) * 4096:
        kind, items = state["program"]
        m.mem_write(pc, program_bytes(kind, items)[:RAM_BASE + len(CODE_PAGES) * 4096 - pc])

    def value():
        k = r.random()
        if k < 0.4:
            return RAM_BASE + r.randrange(RAM_SIZE - 8)
        if k < 0.6:
            return r.randrange(-4096, 4096) & MASK64
        if k < 0.7:
            return r.choice([0, 1, MASK64, 1 << 63, 0x0200_0000, 0x0200_bff8, 0x0200_4000,
                             0x1000_0000, 0x10_0000])
        return u64()

    for i in range(1, 32):
        m.reg_write(f"x{i}", value())
    for i in range(32):
        m.reg_write(f"f{i}", u64() if r.random() < 0.5 else (MASK64 << 32 | r.getrandbits(32)) & MASK64)
    deleg = {"random": (u64(), u64()), "all": (MASK64, MASK64), "none": (0, 0)}[state["deleg"]]
    pmp = {"open": (0x1f, (1 << 54) - 1), "none": (0, 0), "random": (u64(), u64())}[state["pmp"]]
    irq = (0, 0) if state["irq"] == "none" else (u64(), u64())
    csrs = dict(
        mstatus=state["mstatus"],
        satp=(mode << 60) | (r.getrandbits(16) << 44) | root,
        medeleg=deleg[0], mideleg=deleg[1], mie=irq[0], mip=irq[1],
        mtvec=where(state["tvec"], m_handler) | r.randrange(2),
        stvec=where(state["tvec"], s_handler) | r.randrange(2),
        mepc=value(), sepc=value(), mcounteren=u64(), scounteren=u64(),
        menvcfg=u64() if r.random() < 0.5 else 0, pmpcfg0=pmp[0], pmpaddr0=pmp[1],
        pmpaddr1=u64(), mscratch=u64(), stimecmp=u64() if r.random() < 0.5 else r.randrange(1000),
    )
    for name, v in csrs.items():
        try:
            m.reg_write(name, v)
        except Exception as e:                    # only "not in this configuration"
            assert type(e).__name__ == "RegisterError", e
    m.reg_write("pc", pc)
    m.reg_write("priv", state["priv"])
    return m


CSR_SNAPSHOT = ["mstatus", "mcause", "mepc", "mtval", "scause", "sepc", "stval", "medeleg",
                "mideleg", "mtvec", "stvec", "satp", "mscratch", "sscratch", "mie", "mip",
                "fcsr", "instret", "cycle", "time"]


def snapshot(m):
    csrs = {}
    for name in CSR_SNAPSHOT:
        try:
            csrs[name] = m.reg_read(name)
        except Exception as e:
            assert type(e).__name__ == "RegisterError", e
    return dict(pc=m.reg_read("pc"), priv=m.reg_read("priv"), x=m.regs.tolist(),
                f=m.fregs.tolist(), ram=hashlib.sha256(m.ram.tobytes()).hexdigest(),
                instret=m.hart.instret, traps=m.hart.traps, csrs=csrs)


# --------------------------------------------------------------------------- invariants
def check_trap(prev, m, ialign):
    """One exception or interrupt was taken and nothing retired: it must be a legal trap."""
    p_priv, p_pc, p_st = prev["priv"], prev["pc"], prev["mstatus"]
    priv = m.reg_read("priv")
    st_ = m.reg_read("mstatus")
    assert priv in (1, 3), f"trap landed in privilege {priv}"
    x = "m" if priv == 3 else "s"
    cause = m.reg_read(x + "cause")
    interrupt, code = cause >> 63, cause & ~(1 << 63)
    assert code in (INTERRUPT_CODES if interrupt else EXCEPTION_CODES), f"{x}cause={cause:#x}"
    deleg = prev["mideleg" if interrupt else "medeleg"]
    delegated = p_priv <= 1 and (deleg >> code) & 1
    if not interrupt and code in (8, 9, 11):
        assert code == 8 + p_priv, f"ECALL from privilege {p_priv} has cause {code}"
    epc = m.reg_read(x + "epc")
    assert epc == p_pc & ~(ialign - 1) or epc == p_pc, f"{x}epc {epc:#x} != pc {p_pc:#x}"
    if priv == 3:
        assert not delegated, f"cause {code} from priv {p_priv} should have gone to S"
        assert (st_ >> 11) & 3 == p_priv, "MPP"
        assert (st_ >> 7) & 1 == (p_st >> 3) & 1, "MPIE"
        assert not (st_ >> 3) & 1, "MIE"
        tv = prev["mtvec"]
    else:
        assert delegated, f"cause {code} from priv {p_priv} went to S without delegation"
        assert (st_ >> 8) & 1 == p_priv, "SPP"
        assert (st_ >> 5) & 1 == (p_st >> 1) & 1, "SPIE"
        assert not (st_ >> 1) & 1, "SIE"
        tv = prev["stvec"]
    want = (tv & ~3) + (4 * code if interrupt and tv & 1 else 0)
    assert m.reg_read("pc") == want, f"pc {m.reg_read('pc'):#x} != vector {want:#x}"


def check_warl(m):
    """WARL fields hold only legal values whatever the guest wrote."""
    st_ = m.reg_read("mstatus")
    assert (st_ >> 11) & 3 != 2, "mstatus.MPP = 2 (reserved)"
    dirty = (st_ >> 13) & 3 == 3 or (st_ >> 15) & 3 == 3 or (st_ >> 9) & 3 == 3
    assert st_ >> 63 == int(dirty), f"mstatus.SD inconsistent: {st_:#x}"
    assert (st_ >> 32) & 3 == 2 and (st_ >> 34) & 3 == 2, "UXL/SXL must read 64"
    assert m.reg_read("satp") >> 60 in (0, 8, 9, 10)
    assert m.reg_read("mtvec") & 3 in (0, 1) and m.reg_read("stvec") & 3 in (0, 1)
    assert not (m.reg_read("medeleg") >> 11) & 1, "ECALL from M cannot be delegated"
    assert m.reg_read("misa") == m.isa.misa


def step_and_check(m, steps):
    ialign = 2 if "c" in m.isa else 4
    for _ in range(steps):
        prev = dict(priv=m.reg_read("priv"), pc=m.reg_read("pc"), mstatus=m.reg_read("mstatus"),
                    medeleg=m.reg_read("medeleg"), mideleg=m.reg_read("mideleg"),
                    mtvec=m.reg_read("mtvec"), stvec=m.reg_read("stvec"),
                    mcause=m.reg_read("mcause"), scause=m.reg_read("scause"))
        traps, instret = m.hart.traps, m.hart.instret
        r = m.run(max_insns=1)
        assert r.reason in OK_REASONS, r
        assert r.instructions <= 1 or (r.instructions <= 2 and m.hart.traps > traps)
        assert m.reg_read("priv") in (0, 1, 3)
        assert (m.regs[0] == 0 or not CHECK_X0) and m.reg_read("x0") == 0
        pc = m.reg_read("pc")
        assert pc % ialign == 0 or not CHECK_ALIGN, f"pc {pc:#x} not {ialign}-aligned"
        check_warl(m)
        if m.hart.traps == traps + 1 and m.hart.instret == instret:
            check_trap(prev, m, ialign)
        elif m.hart.traps == traps + 1:
            # an interrupt was taken, then the handler's first instruction ran
            # (see test_machine_api's budget test): check what the interrupt left
            for x in ("m", "s"):
                cause = m.reg_read(x + "cause")
                if cause != prev[x + "cause"] and cause >> 63:
                    assert cause & 0xff in INTERRUPT_CODES, f"{x}cause={cause:#x}"
                    assert m.reg_read(x + "epc") == prev["pc"]
        if r.reason != "budget":
            break


# --------------------------------------------------------------------------- tests
def _fuzz_one(state):
    m = build(state)
    step_and_check(m, STEPS)
    # a long run from where the steps left off: bounded, for a known reason
    before = m.hart.instret
    r = m.run(max_insns=BULK)
    assert r.reason in OK_REASONS
    assert r.instructions == m.hart.instret - before <= BULK
    assert m.regs[0] == 0 or not CHECK_X0
    assert m.reg_read("pc") % (2 if "c" in m.isa else 4) == 0 or not CHECK_ALIGN
    check_warl(m)


@settings(max_examples=300, **SETTINGS)
@given(state=hart_state())
def test_random_code_only_executes_or_traps(state):
    _fuzz_one(state)


@pytest.mark.slow
def test_random_code_only_executes_or_traps_long(request):
    """The same fuzzing with many more examples (-m slow; about a minute)."""
    global CHECK_X0, CHECK_ALIGN
    saved = CHECK_X0, CHECK_ALIGN
    CHECK_X0 = CHECK_ALIGN = False
    try:
        settings(max_examples=5000, **SETTINGS)(given(state=hart_state())(_fuzz_one))()
    finally:
        CHECK_X0, CHECK_ALIGN = saved


@settings(max_examples=40, **SETTINGS)
@given(state=hart_state())
def test_random_state_is_deterministic(state):
    """Two machines built from the same random state end in the same state."""
    a, b = build(state), build(state)
    ra, rb = a.run(max_insns=3000), b.run(max_insns=3000)
    assert (ra.reason, ra.instructions) == (rb.reason, rb.instructions)
    assert snapshot(a) == snapshot(b)


# ---- valid programs: determinism, and stepping == one long run
VALID_KINDS = ["alu", "imm", "mem", "amo", "branch", "fp", "csr"]
DATA_REG = 9        # s1 holds a pointer into the data page
DATA_PAGE = RAM_BASE + 0x8000


@st.composite
def valid_insn(draw, index, length):
    kind = draw(st.sampled_from(VALID_KINDS))
    rd = draw(st.integers(1, 31).filter(lambda r: r != DATA_REG))
    rs1, rs2 = draw(regnum), draw(regnum)
    if kind == "alu":
        return enc(draw(st.sampled_from(sorted(R_OPS))), rd, rs1, rs2)
    if kind == "imm":
        mn = draw(st.sampled_from(sorted(I_OPS) + sorted(SHIFT_OPS)))
        if mn in SHIFT_OPS:
            return enc(mn, rd, rs1, draw(st.integers(0, 63 if mn[-1] == "i" else 31)))
        return enc(mn, rd, rs1, draw(st.integers(-2048, 2047)))
    if kind == "mem":
        mn = draw(st.sampled_from(sorted(LOAD_OPS) + sorted(STORE_OPS)))
        size = {"b": 1, "h": 2, "w": 4, "d": 8}[mn[1]]
        off = draw(st.integers(0, 255)) * size
        return enc(mn, rd, DATA_REG, off) if mn in LOAD_OPS else enc(mn, rs2, DATA_REG, off)
    if kind == "amo":
        op = draw(st.sampled_from(sorted(AMO_OPS)))
        w = draw(st.sampled_from("wd"))
        # s1 is 8-aligned: these never fault
        return enc(f"{op}.{w}", rd, DATA_REG) if op == "lr" else enc(f"{op}.{w}", rd, rs2, DATA_REG)
    if kind == "branch":
        fwd = draw(st.integers(1, max(1, length - index)))      # forward only: terminates
        return enc(draw(st.sampled_from(sorted(BRANCH_OPS))), rs1, rs2, 4 * fwd)
    if kind == "fp":
        mn = draw(st.sampled_from(["fadd.d", "fmul.s", "fdiv.d", "fsqrt.s", "fmadd.d",
                                   "fcvt.l.d", "fcvt.s.w", "fmv.x.d", "fmv.w.x", "fmin.s",
                                   "flt.d", "fclass.d"]))
        rm = draw(st.sampled_from([0, 1, 2, 3, 4, 7]))
        f1, f2, f3 = draw(regnum), draw(regnum), draw(regnum)
        if mn == "fmadd.d":
            return enc(mn, rd, f1, f2, f3, rm=rm)
        if mn in ("fadd.d", "fmul.s", "fdiv.d"):
            return enc(mn, rd, f1, f2, rm=rm)
        if mn in ("fmin.s", "flt.d"):
            return enc(mn, rd, f1, f2)
        if mn in ("fmv.w.x", "fcvt.s.w"):
            return enc(mn, rd, rs1, rm=rm)
        return enc(mn, rd, f1, rm=rm)
    # csr: counters, scratch, fflags
    csr = draw(st.sampled_from([0x340, 0x001, 0xC00, 0xC02, 0xB00, 0xB02, 0x140]))  # not frm
    if csr in (0xC00, 0xC02):
        return enc("csrrs", rd, csr, 0)
    return enc(draw(st.sampled_from(["csrrw", "csrrs", "csrrc"])), rd, csr, rs1)


@st.composite
def valid_program(draw):
    n = draw(st.integers(4, 60))
    return [draw(valid_insn(i, n)) for i in range(n)]


def build_valid(prog, xregs, fregs):
    m = new_machine("rv64gc", ram=f"{RAM_SIZE >> 10}K")
    m.reg_write("mstatus", 1 << 13)
    m.mem_write(RAM_BASE, asm(*prog) + asm(enc("jal", 0, 0)))   # ends in a tight loop
    for i, v in enumerate(xregs, start=1):
        m.reg_write(f"x{i}", v)
    m.reg_write(f"x{DATA_REG}", DATA_PAGE)
    for i, v in enumerate(fregs):
        m.reg_write(f"f{i}", v)
    m.reg_write("pc", RAM_BASE)
    return m


@settings(max_examples=60, **SETTINGS)
@given(prog=valid_program(), xregs=st.lists(reg_value, min_size=31, max_size=31),
       fregs=st.lists(u64s, min_size=32, max_size=32))
def test_valid_program_is_deterministic_and_steppable(prog, xregs, fregs):
    n = len(prog) + 5
    a = build_valid(prog, xregs, fregs)
    b = build_valid(prog, xregs, fregs)
    c = build_valid(prog, xregs, fregs)
    ra, rb = a.run(max_insns=n), b.run(max_insns=n)
    assert ra.reason == rb.reason == "budget"
    assert a.hart.traps == 0, f"a valid program trapped: mcause={a.reg_read('mcause')}"
    sa = snapshot(a)
    assert sa == snapshot(b)
    for _ in range(n):
        assert c.run(max_insns=1).reason == "budget"
    assert snapshot(c) == sa, "stepping one instruction at a time diverged from one run"
