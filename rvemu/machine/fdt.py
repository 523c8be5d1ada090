"""A flattened device tree (DTB) for the configured machine (devicetree spec v0.4, ch. 5).

Small and dependency-free: the board issue extends the node set; the encoder stays.
"""
import struct

from rvemu.errors import ConfigError

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_END = 1, 2, 3, 9


class Node:
    def __init__(self, name, **props):
        self.name = name
        self.props = []
        self.children = []
        for k, v in props.items():
            # keyword spelling: "__" stands for ",", "_" for "-" (device_type keeps its "_")
            self.prop(k if k == "device_type" else k.replace("__", ",").replace("_", "-"), v)

    def prop(self, name, value):
        self.props.append((name, value))
        return self

    def child(self, node):
        self.children.append(node)
        return node


def _encode_value(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode() + b"\0"
    if isinstance(v, int):
        if not 0 <= v <= 0xFFFFFFFF:
            raise ConfigError(f"FDT cell value {v} is outside 0..0xffffffff")
        return struct.pack(">I", v)
    if isinstance(v, (list, tuple)):
        if all(isinstance(s, str) for s in v):
            return b"".join(s.encode() + b"\0" for s in v)
        return b"".join(struct.pack(">I", int(c)) for c in v)
    if v is None or v is True:
        return b""
    raise TypeError(f"cannot encode FDT property value {v!r}")


def build_dtb(root, boot_cpuid=0):
    strings = bytearray()
    string_off = {}
    struct_blk = bytearray()

    def s_off(name):
        if name not in string_off:
            string_off[name] = len(strings)
            strings.extend(name.encode() + b"\0")
        return string_off[name]

    def emit(node):
        struct_blk.extend(struct.pack(">I", FDT_BEGIN_NODE))
        nm = node.name.encode() + b"\0"
        struct_blk.extend(nm + b"\0" * (-len(nm) % 4))
        for name, value in node.props:
            data = _encode_value(value)
            struct_blk.extend(struct.pack(">III", FDT_PROP, len(data), s_off(name)))
            struct_blk.extend(data + b"\0" * (-len(data) % 4))
        for c in node.children:
            emit(c)
        struct_blk.extend(struct.pack(">I", FDT_END_NODE))

    emit(root)
    struct_blk.extend(struct.pack(">I", FDT_END))
    header_size = 40
    rsvmap = b"\0" * 16
    off_rsv = header_size
    off_struct = off_rsv + len(rsvmap)
    off_strings = off_struct + len(struct_blk)
    total = off_strings + len(strings)
    header = struct.pack(">10I", FDT_MAGIC, total, off_struct, off_strings, off_rsv, 17, 16,
                         boot_cpuid, len(strings), len(struct_blk))
    return header + rsvmap + bytes(struct_blk) + bytes(strings)


def virt_tree(*, isa, ram_base, ram_size, harts=1, timebase=10_000_000, bootargs=""):
    """The device tree of the virt board as configured."""
    if isinstance(harts, bool) or not isinstance(harts, int) or not 1 <= harts <= 512:
        raise ConfigError(f"the virt board has 1 to 512 harts, not {harts!r}")
    if not isinstance(timebase, int) or not 1 <= timebase <= 0xFFFFFFFF:
        raise ConfigError(f"timebase-frequency must be 1 to 0xffffffff Hz, not {timebase!r}")
    if not 0 < ram_size < 1 << 64 or not 0 <= ram_base < 1 << 64 or ram_base + ram_size > 1 << 64:
        raise ConfigError(f"RAM [{ram_base:#x}, +{ram_size:#x}) does not fit a 64-bit address space")
    if "\0" in bootargs:
        raise ConfigError("bootargs cannot contain a NUL character (FDT strings end at NUL)")
    root = Node("", **{"#address-cells": 2, "#size-cells": 2},
                compatible="riscv-virtio", model="riscv-virtio,qemu")
    chosen = root.child(Node("chosen", stdout_path="/soc/serial@10000000"))
    if bootargs:
        chosen.prop("bootargs", bootargs)
    root.child(Node(f"memory@{ram_base:x}", device_type="memory",
                    reg=[ram_base >> 32, ram_base & 0xFFFFFFFF, ram_size >> 32, ram_size & 0xFFFFFFFF]))
    cpus = root.child(Node("cpus", **{"#address-cells": 1, "#size-cells": 0},
                           timebase_frequency=timebase))
    ext_names = sorted(n for n in isa.names if n not in ("s", "u"))
    for i in range(harts):
        cpu = cpus.child(Node(f"cpu@{i}", device_type="cpu", reg=i, status="okay",
                              compatible="riscv", riscv__isa=isa.canonical(),
                              mmu_type="riscv,sv57"))
        cpu.prop("riscv,isa-base", "rv64i")
        cpu.prop("riscv,isa-extensions", ext_names)
        cpu.child(Node("interrupt-controller", **{"#interrupt-cells": 1},
                       compatible="riscv,cpu-intc", interrupt_controller=None)).prop(
                           "phandle", 1 + i)
    soc = root.child(Node("soc", **{"#address-cells": 2, "#size-cells": 2},
                          compatible="simple-bus", ranges=None))
    plic_phandle = 0x200
    soc.child(Node("plic@c000000", compatible=["sifive,plic-1.0.0", "riscv,plic0"],
                   reg=[0, 0xc000000, 0, 0x600000], riscv__ndev=63,
                   interrupts_extended=sum(([1 + i, 11, 1 + i, 9] for i in range(harts)), []),
                   interrupt_controller=None, phandle=plic_phandle,
                   **{"#address-cells": 0, "#interrupt-cells": 1}))
    soc.child(Node("serial@10000000", compatible="ns16550a", clock_frequency=3686400,
                   reg=[0, 0x10000000, 0, 0x100], interrupts=10,
                   interrupt_parent=plic_phandle))
    soc.child(Node("clint@2000000", compatible=["sifive,clint0", "riscv,clint0"],
                   reg=[0, 0x2000000, 0, 0x10000],
                   interrupts_extended=sum(([1 + i, 3, 1 + i, 7] for i in range(harts)), [])))
    finisher_phandle = 0x100
    soc.child(Node("test@100000", compatible=["sifive,test1", "sifive,test0", "syscon"],
                   reg=[0, 0x100000, 0, 0x1000], phandle=finisher_phandle))
    # firmware finds power-off and reboot through these (as on QEMU's virt board)
    root.child(Node("poweroff", compatible="syscon-poweroff", regmap=finisher_phandle,
                    offset=0, value=0x5555))
    root.child(Node("reboot", compatible="syscon-reboot", regmap=finisher_phandle,
                    offset=0, value=0x7777))
    return root
