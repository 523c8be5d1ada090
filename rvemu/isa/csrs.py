"""Control and status registers implemented by the hart: ``(name, number, extension)``.

The hart's CSR switch and the disassembler both come from this list; numbers follow the
privileged spec's CSR listing (and riscv-opcodes' csrs.csv, which a test compares against).
"""

CSRS = [
    # Unprivileged floating-point and counters
    ("fflags", 0x001, "f"), ("frm", 0x002, "f"), ("fcsr", 0x003, "f"),
    ("cycle", 0xC00, "zicntr"), ("time", 0xC01, "zicntr"), ("instret", 0xC02, "zicntr"),
    *[(f"hpmcounter{i}", 0xC00 + i, "zihpm") for i in range(3, 32)],
    # Supervisor
    ("sstatus", 0x100, "s"), ("sie", 0x104, "s"), ("stvec", 0x105, "s"),
    ("scounteren", 0x106, "s"), ("senvcfg", 0x10A, "s"),
    ("sscratch", 0x140, "s"), ("sepc", 0x141, "s"), ("scause", 0x142, "s"),
    ("stval", 0x143, "s"), ("sip", 0x144, "s"), ("stimecmp", 0x14D, "sstc"),
    ("satp", 0x180, "s"),
    # Hypervisor and virtual supervisor (H)
    ("hstatus", 0x600, "h"), ("hedeleg", 0x602, "h"), ("hideleg", 0x603, "h"),
    ("hie", 0x604, "h"), ("htimedelta", 0x605, "h"), ("hcounteren", 0x606, "h"),
    ("hgeie", 0x607, "h"), ("henvcfg", 0x60A, "h"), ("htval", 0x643, "h"),
    ("hip", 0x644, "h"), ("hvip", 0x645, "h"), ("htinst", 0x64A, "h"),
    ("hgatp", 0x680, "h"), ("hgeip", 0xE12, "h"),
    ("vsstatus", 0x200, "h"), ("vsie", 0x204, "h"), ("vstvec", 0x205, "h"),
    ("vsscratch", 0x240, "h"), ("vsepc", 0x241, "h"), ("vscause", 0x242, "h"),
    ("vstval", 0x243, "h"), ("vsip", 0x244, "h"), ("vstimecmp", 0x24D, "sstc"),
    ("vsatp", 0x280, "h"),
    # Machine
    ("mvendorid", 0xF11, "i"), ("marchid", 0xF12, "i"), ("mimpid", 0xF13, "i"),
    ("mhartid", 0xF14, "i"), ("mconfigptr", 0xF15, "i"),
    ("mstatus", 0x300, "i"), ("misa", 0x301, "i"), ("medeleg", 0x302, "i"),
    ("mideleg", 0x303, "i"), ("mie", 0x304, "i"), ("mtvec", 0x305, "i"),
    ("mcounteren", 0x306, "i"), ("menvcfg", 0x30A, "i"), ("mcountinhibit", 0x320, "i"),
    *[(f"mhpmevent{i}", 0x320 + i, "zihpm") for i in range(3, 32)],
    ("mscratch", 0x340, "i"), ("mepc", 0x341, "i"), ("mcause", 0x342, "i"),
    ("mtval", 0x343, "i"), ("mip", 0x344, "i"),
    ("mtinst", 0x34A, "h"), ("mtval2", 0x34B, "h"),
    *[(f"pmpcfg{i}", 0x3A0 + i, "i") for i in range(0, 16, 2)],
    *[(f"pmpaddr{i}", 0x3B0 + i, "i") for i in range(64)],
    ("mseccfg", 0x747, "i"),
    # Sdtrig with no triggers yet: tselect 0 names "no trigger" (tdata1.type = 0)
    ("tselect", 0x7A0, "i"), ("tdata1", 0x7A1, "i"), ("tdata2", 0x7A2, "i"),
    ("tdata3", 0x7A3, "i"), ("tinfo", 0x7A4, "i"),
    ("mcycle", 0xB00, "i"), ("minstret", 0xB02, "i"),
    *[(f"mhpmcounter{i}", 0xB00 + i, "zihpm") for i in range(3, 32)],
]

CSR_BY_NAME = {name: num for name, num, _ in CSRS}
CSR_BY_NUMBER = {num: name for name, num, _ in CSRS}
