"""ISA_EXT: Linux's extension ids mapped to our extension names, the host's ISA, and the two
ISA-extension policies a VM can choose.

Everything is driven by names: KVM id ``KVM_RISCV_ISA_EXT_ZVFH`` is our extension ``"zvfh"``
(rvemu/isa/extensions.py). An id whose extension the hart does not know, or has not
implemented, is absent from the host; when the extension appears in extensions.py (and the
host ISA has it) the id lights up with no change here.

Policies (per VM, KVM_CAP_RVEMU_ISA_EXT_POLICY):

``linux``
    Linux's rules exactly (arch/riscv/kvm/isa.c, vcpu_onereg.c, 2026): the enable-refused
    and disable-refused lists, the CONFIG ``isa`` sanitising, -EBUSY after the first run,
    MULTI writes that ignore each bit's error. No dependency checking: Linux lets F be
    disabled under D.
``configurable``
    The seeds' proposal (001 sections 1.1 and 4, 003): before the first run any extension
    can be disabled except the base (I and Zicsr), and every change is validated against
    the ISA's dependency rules; an inconsistent request fails with EINVAL and changes
    nothing. Disabling an extension others need is *refused* (never cascaded): the message
    names what still needs it, and a single MULTI_DIS write can take them all away at once
    (multi writes are one transaction). A per-VM allowed set caps what any vCPU may enable.
"""
import errno

from rvemu.isa.extensions import BY_NAME
from rvemu.kvm import uapi
from rvemu.kvm.errors import KvmError

NAMES = [n.lower() for n in uapi.ISA_EXT_NAMES]       # KVM id -> our name
ID_OF = {n: i for i, n in enumerate(NAMES)}            # our name -> KVM id
MAX = uapi.KVM_RISCV_ISA_EXT_MAX

# kvm_riscv_isa_disable_allowed() returns false for these (isa.c, 2026), 64 entries
LINUX_DISABLE_REFUSED = frozenset(n.lower() for n in """
    A C I M SSCOFPMF SSNPM SSTC SVINVAL SVNAPOT SVVPTC ZAAMO ZABHA ZACAS ZALASR ZALRSC ZAWRS
    ZBA ZBB ZBC ZBKB ZBKC ZBKX ZBS ZCA ZCB ZCD ZCF ZCMOP ZFA ZFBFMIN ZFH ZFHMIN ZICBOP ZICCRSE
    ZICNTR ZICOND ZICSR ZIFENCEI ZIHINTNTL ZIHINTPAUSE ZIHPM ZIMOP ZKND ZKNE ZKNH ZKR ZKSED
    ZKSH ZKT ZTSO ZVBB ZVBC ZVFBFMIN ZVFBFWMA ZVFH ZVFHMIN ZVKB ZVKG ZVKNED ZVKNHA ZVKNHB
    ZVKSED ZVKSH ZVKT""".split())
assert len(LINUX_DISABLE_REFUSED) == 64

# The configurable policy never disables the base the privileged architecture stands on.
BASE = frozenset({"i", "zicsr"})

# Dependency rules for the configurable policy, from spec-facts section 5: each entry is a
# list of groups, a group is satisfied when any of its names is enabled. "implies" rules are
# requirements here (Zfh on with Zfhmin off is not a valid ISA). Names the hart does not know
# are dropped from a group, and a group left empty is dropped: a rule about an extension
# this build lacks cannot be expressed (and cannot be violated). extensions.py's own
# ``requires``/``implies`` are added to these (see requirements()).
RULES = {
    "f": [("zicsr",)],
    "d": [("f",)],
    "zfh": [("f",), ("zfhmin",)],
    "zfhmin": [("f",)],
    "zfbfmin": [("f",)],
    "zfa": [("f",)],
    "zicntr": [("zicsr",)],
    "zihpm": [("zicsr",)],
    "a": [("zaamo",), ("zalrsc",)],
    "zacas": [("zaamo",)],
    "zabha": [("zaamo",)],
    "c": [("zca",)],
    "zcb": [("zca",)],
    "zcd": [("zca",), ("d",)],
    "zcf": [("zca",), ("f",)],
    "zcmop": [("zca",)],
    "v": [("zicsr",), ("f",), ("d",)],
    "zvfhmin": [("zve32f", "v")],
    "zvfh": [("zve32f", "v"), ("zfhmin",), ("zvfhmin",)],
    "zvfbfmin": [("zve32f", "v")],
    "zvfbfwma": [("zvfbfmin",), ("zfbfmin",)],
    "zvbb": [("zve32x", "v"), ("zvkb",)],
    "zvkb": [("zve32x", "v")],
    "zvkg": [("zve32x", "v")],
    "zvkned": [("zve32x", "v")],
    "zvknha": [("zve32x", "v")],
    "zvksed": [("zve32x", "v")],
    "zvksh": [("zve32x", "v")],
    "zvkt": [("zve32x", "v")],
    "zvbc": [("zve64x", "v")],
    "zvknhb": [("zve64x", "v"), ("zvknha",)],
}
# conditional rules: when all of the first are enabled, the group is needed (C with D = Zcd)
RULES_IF = [(("c", "d"), ("zcd",))]


def has_vector_unit(names):
    """V or any Zve* subset: the hart then has vector registers."""
    return any(n == "v" or n.startswith("zve") for n in names)


def known(name):
    """Does the hart know and implement this extension?"""
    e = BY_NAME.get(name)
    return e is not None and e.implemented


class HostIsa:
    """What the host (the hart's configuration) offers a VM.

    ``names``: the host's extensions (only known, implemented ones count). ``vlenb``: the
    host's vector register size in bytes (0 without V). ``hw_pte_young``: the host enabled
    hardware A/D updating (Linux's arch_has_hw_pte_young(); default: Svadu present).
    ``v_user_allowed``: Linux's riscv_v_vstate_ctrl_user_allowed() (default True).
    """

    def __init__(self, names, *, vlenb=0, hw_pte_young=None, v_user_allowed=True):
        self.names = frozenset(n for n in names if known(n))
        self.vlenb = vlenb if has_vector_unit(self.names) else 0
        self.hw_pte_young = ("svadu" in self.names) if hw_pte_young is None else bool(hw_pte_young)
        self.v_user_allowed = bool(v_user_allowed)
        # names without a KVM id that some KVM-visible host extension implies (Zve* under V):
        # they follow their implier in a guest; the other id-less ones (S, U ...) are fixed.
        self.followers = set()
        for n in self.names:
            if n in ID_OF:
                self.followers |= _implied_closure({n}) - {n}
        self.followers = frozenset(f for f in self.followers if f not in ID_OF and f in self.names)
        self.fixed = frozenset(n for n in self.names if n not in ID_OF and n not in self.followers)
        # an id-less name that implies KVM-visible ones (a bundle such as Zvkn) is there only
        # while everything it stands for is enabled
        self.bundles = {n: frozenset(m for m in _implied_closure({n}) if m in ID_OF)
                        for n in self.fixed}
        self.bundles = {n: b for n, b in self.bundles.items() if b}

    def has(self, ext_id):
        """__kvm_riscv_isa_check_host: is KVM id ``ext_id`` available?"""
        if not 0 <= ext_id < MAX:
            return False
        name = NAMES[ext_id]
        if name == "smnpm":             # VS-mode pointer masking is configured through Ssnpm
            return "ssnpm" in self.names and known("smnpm")
        return name in self.names

    def ids(self):
        return [i for i in range(MAX) if self.has(i)]

    def base_letters(self):
        """riscv_isa_extension_base(NULL): the host's single-letter bitmap."""
        v = 0
        for n in self.names:
            if len(n) == 1:
                v |= 1 << (ord(n) - ord("a"))
        return v

    def full_isa(self, enabled):
        """The guest's whole extension set for KVM-visible ``enabled`` names: those, what they
        imply, and the host's fixed id-less extensions (S, U)."""
        s = set(enabled) | {n for n in self.fixed if self.bundles.get(n, frozenset()) <= set(enabled)}
        s |= {n for n in _implied_closure(enabled) if n in self.followers}
        return s


def _implied_closure(names):
    out = set(names)
    todo = list(names)
    while todo:
        e = BY_NAME.get(todo.pop())
        for imp in (e.implies if e else ()):
            if imp not in out:
                out.add(imp)
                todo.append(imp)
    return out


def requirements(name):
    """Groups of alternatives ``name`` needs (RULES plus extensions.py requires/implies),
    with unknown names dropped."""
    groups = list(RULES.get(name, ()))
    e = BY_NAME.get(name)
    if e:
        groups += [(r,) for r in e.requires] + [(i,) for i in e.implies]
    out = []
    for g in groups:
        g = tuple(a for a in g if known(a))
        if g and g not in out:
            out.append(g)
    return out


def violations(enabled, full):
    """[(name, missing group)] for each rule the set breaks."""
    bad = []
    for n in sorted(enabled):
        for g in requirements(n):
            if not any(a in full for a in g):
                bad.append((n, g))
    for cond, g in RULES_IF:
        if all(c in enabled for c in cond):
            g = tuple(a for a in g if known(a))
            if g and not any(a in full for a in g):
                bad.append(("+".join(cond), g))
    return bad


def _fmt(bad):
    return "; ".join(f"{n} needs {' or '.join(g)}" for n, g in bad)


def linux_enable_allowed(name, host):
    """kvm_riscv_isa_enable_allowed."""
    if name == "h":
        return False            # no nested virtualization
    if name == "sscofpmf":
        return "ssaia" in host.names
    if name == "svadu":
        return host.hw_pte_young
    if name == "v":
        return host.v_user_allowed
    return True


def linux_disable_allowed(name, host):
    """kvm_riscv_isa_disable_allowed."""
    if name in LINUX_DISABLE_REFUSED:
        return False
    if name == "ssaia":
        return "smstateen" in host.names
    if name == "svade":
        return host.hw_pte_young
    return True


class IsaPolicy:
    """Common part: reads, which are the same under both policies."""
    name = "?"

    def __init__(self, host):
        self.host = host

    def enabled(self, vcpu, ext_id):
        return NAMES[ext_id] in vcpu.ctx.isa

    def get_single(self, vcpu, ext_id):
        if not self.host.has(ext_id):
            raise KvmError(errno.ENOENT, _absent(ext_id))
        return 1 if self.enabled(vcpu, ext_id) else 0

    def get_multi(self, vcpu, reg, disable):
        if reg > uapi.KVM_REG_RISCV_ISA_MULTI_REG_LAST:
            raise KvmError(errno.ENOENT, f"ISA_EXT multi register {reg} does not exist "
                           f"(last is {uapi.KVM_REG_RISCV_ISA_MULTI_REG_LAST})")
        v = 0
        for bit in range(64):
            i = reg * 64 + bit
            if i < MAX and self.host.has(i) and self.enabled(vcpu, i):
                v |= 1 << bit
        return (~v & uapi.MASK64) if disable else v

    def get_config_isa(self, vcpu):
        v = 0
        for n in vcpu.ctx.isa:
            if len(n) == 1 and n in ID_OF:
                v |= 1 << (ord(n) - ord("a"))
        return v & ((1 << 26) - 1)

    def default_enabled(self):
        raise NotImplementedError

    def _commit(self, vcpu, enabled):
        vcpu._set_isa(self.host.full_isa(enabled))

    @staticmethod
    def kvm_enabled(vcpu):
        return {n for n in vcpu.ctx.isa if n in ID_OF}


def _absent(ext_id):
    if 0 <= ext_id < MAX:
        return (f"KVM_RISCV_ISA_EXT_{uapi.ISA_EXT_NAMES[ext_id]} ({ext_id}): the host ISA does not "
                f"have this extension (or the hart does not implement it)")
    return f"ISA_EXT id {ext_id} does not exist (KVM_RISCV_ISA_EXT_MAX is {MAX})"


class LinuxPolicy(IsaPolicy):
    """Linux's rules, exactly."""
    name = "linux"

    def default_enabled(self):
        return {NAMES[i] for i in self.host.ids() if linux_enable_allowed(NAMES[i], self.host)}

    def set_single(self, vcpu, ext_id, val):
        if not self.host.has(ext_id):
            raise KvmError(errno.ENOENT, _absent(ext_id))
        name = NAMES[ext_id]
        cur = 1 if name in vcpu.ctx.isa else 0
        if val == cur:
            return
        if vcpu.ran_atleast_once:
            raise KvmError(errno.EBUSY, f"cannot change {name} after the vCPU has run")
        if val == 1 and linux_enable_allowed(name, self.host):
            self._commit(vcpu, self.kvm_enabled(vcpu) | {name})
        elif val == 0 and linux_disable_allowed(name, self.host):
            self._commit(vcpu, self.kvm_enabled(vcpu) - {name})
        elif val in (0, 1):
            raise KvmError(errno.EINVAL, f"Linux's KVM refuses to {'enable' if val else 'disable'} "
                           f"{name}" + ("" if val else " (it is on the disable-refused list; the "
                                        "configurable policy allows it)"))
        else:
            raise KvmError(errno.EINVAL, f"ISA_EXT value must be 0 or 1, not {val}")

    def set_multi(self, vcpu, reg, mask, enable):
        if reg > uapi.KVM_REG_RISCV_ISA_MULTI_REG_LAST:
            raise KvmError(errno.ENOENT, f"ISA_EXT multi register {reg} does not exist")
        for bit in range(64):
            i = reg * 64 + bit
            if i >= MAX:
                break
            if mask >> bit & 1:
                try:
                    self.set_single(vcpu, i, 1 if enable else 0)
                except KvmError:
                    pass            # Linux ignores each bit's result

    def set_config_isa(self, vcpu, val):
        if val >> 25:
            raise KvmError(errno.EINVAL, f"CONFIG isa {val:#x}: only bits 0..24 (letters a..y) "
                           "may be set")
        if val == self.get_config_isa(vcpu):
            return
        if vcpu.ran_atleast_once:
            raise KvmError(errno.EBUSY, "cannot change CONFIG isa after the vCPU has run")
        for bit in range(26):
            letter = chr(ord("a") + bit)
            if letter not in ID_OF:
                val &= ~(1 << bit)
            elif val >> bit & 1 and not linux_enable_allowed(letter, self.host):
                val &= ~(1 << bit)
            elif not val >> bit & 1 and not linux_disable_allowed(letter, self.host):
                val |= 1 << bit
        val &= self.host.base_letters()
        enabled = {n for n in self.kvm_enabled(vcpu) if len(n) > 1}
        enabled |= {chr(ord("a") + b) for b in range(26) if val >> b & 1}
        self._commit(vcpu, enabled)


class ConfigurablePolicy(IsaPolicy):
    """The seeds' policy: everything but the base can be disabled before the first run,
    every change is validated, and ``allowed`` (a set of names) caps what can be enabled."""
    name = "configurable"

    def __init__(self, host, allowed=None):
        super().__init__(host)
        self.allowed = None if allowed is None else frozenset(allowed)

    def may_enable(self, name):
        if self.allowed is not None and name not in self.allowed:
            return f"{name} is not in this VM's allowed set"
        if not linux_enable_allowed(name, self.host):
            return {"h": "nested virtualization (H in a guest) is not supported",
                    "sscofpmf": "Sscofpmf needs host Ssaia",
                    "svadu": "Svadu needs host hardware A/D updating",
                    "v": "V is not allowed for user state on this host"}[name]
        return None

    def may_disable(self, name):
        if name in BASE:
            return f"{name} is part of the base ISA and cannot be disabled"
        if name == "ssaia" and "smstateen" not in self.host.names:
            return "Ssaia can only be hidden from a guest when the host has Smstateen"
        if name == "svade" and not self.host.hw_pte_young:
            return "Svade can only be disabled when the host updates A/D bits in hardware"
        return None

    def default_enabled(self):
        en = {NAMES[i] for i in self.host.ids() if self.may_enable(NAMES[i]) is None}
        while True:         # drop what lost a requirement (e.g. Zfh when F is not allowed)
            bad = {n for n, _ in violations(en, self.host.full_isa(en)) if n in en}
            if not bad:
                return en
            en -= bad

    def _apply(self, vcpu, target, what):
        cur = self.kvm_enabled(vcpu)
        if target == cur:
            return
        if vcpu.ran_atleast_once:
            raise KvmError(errno.EBUSY, f"cannot change the ISA ({what}) after the vCPU has run")
        bad = violations(target, self.host.full_isa(target))
        if bad:
            removed = cur - target
            hint = (f"; disable them together (one ISA_EXT MULTI_DIS write) or first"
                    if removed else "")
            raise KvmError(errno.EINVAL, f"{what} would leave an inconsistent ISA: {_fmt(bad)}{hint}")
        self._commit(vcpu, target)

    def _change(self, cur, name, val):
        if val == 1:
            why = self.may_enable(name)
            if why:
                raise KvmError(errno.EINVAL, f"cannot enable {name}: {why}")
            return cur | {name}
        why = self.may_disable(name)
        if why:
            raise KvmError(errno.EINVAL, f"cannot disable {name}: {why}")
        return cur - {name}

    def set_single(self, vcpu, ext_id, val):
        if not self.host.has(ext_id):
            raise KvmError(errno.ENOENT, _absent(ext_id))
        name = NAMES[ext_id]
        if val not in (0, 1):
            raise KvmError(errno.EINVAL, f"ISA_EXT value must be 0 or 1, not {val}")
        cur = self.kvm_enabled(vcpu)
        if val == (name in cur):
            return
        if vcpu.ran_atleast_once:
            raise KvmError(errno.EBUSY, f"cannot change {name} after the vCPU has run")
        self._apply(vcpu, self._change(cur, name, val), f"{'enabling' if val else 'disabling'} {name}")

    def set_multi(self, vcpu, reg, mask, enable):
        if reg > uapi.KVM_REG_RISCV_ISA_MULTI_REG_LAST:
            raise KvmError(errno.ENOENT, f"ISA_EXT multi register {reg} does not exist")
        target = self.kvm_enabled(vcpu)
        names = []
        for bit in range(64):
            i = reg * 64 + bit
            if i >= MAX or not mask >> bit & 1:
                continue
            name = NAMES[i]
            names.append(name)
            if not self.host.has(i):
                if enable:
                    raise KvmError(errno.EINVAL, f"cannot enable {name}: {_absent(i)}")
                continue            # disabling what is not there changes nothing
            if (name in target) != bool(enable):
                target = self._change(target, name, 1 if enable else 0)
        self._apply(vcpu, target, f"{'enabling' if enable else 'disabling'} {', '.join(names)}")

    def set_config_isa(self, vcpu, val):
        if val >> 25:
            raise KvmError(errno.EINVAL, f"CONFIG isa {val:#x}: only bits 0..24 (letters a..y) "
                           "may be set")
        if val == self.get_config_isa(vcpu):
            return
        target = self.kvm_enabled(vcpu)
        for bit in range(26):
            letter = chr(ord("a") + bit)
            if letter not in ID_OF:
                continue            # no KVM id (S, U ...): not controllable, ignored as Linux does
            want = val >> bit & 1
            if want and not self.host.has(ID_OF[letter]):
                raise KvmError(errno.EINVAL, f"CONFIG isa: the host has no {letter.upper()}")
            if want != (letter in target):
                target = self._change(target, letter, want)
        self._apply(vcpu, target, f"CONFIG isa = {val:#x}")


def make_policy(kind, host, allowed=None):
    if kind in ("linux", uapi.RVEMU_ISA_EXT_POLICY_LINUX):
        return LinuxPolicy(host)
    if kind in ("configurable", uapi.RVEMU_ISA_EXT_POLICY_CONFIGURABLE):
        return ConfigurablePolicy(host, allowed)
    raise KvmError(errno.EINVAL, f"unknown ISA-extension policy {kind!r}; use 'linux' (0) or "
                   "'configurable' (1)")
