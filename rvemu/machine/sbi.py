"""The SBI firmware in Python, for S-mode payloads started without M-mode firmware.

Functions follow the SBI v3.0 specification (../shared/reference/spec-facts.md section 1):
a7 = EID, a6 = FID, a0..a5 arguments; a0 = error, a1 = value on return.
"""
from rvemu.errors import RvemuError

SBI_SUCCESS = 0
SBI_ERR_FAILED = -1
SBI_ERR_NOT_SUPPORTED = -2
SBI_ERR_INVALID_PARAM = -3
SBI_ERR_DENIED = -4
SBI_ERR_INVALID_ADDRESS = -5
SBI_ERR_ALREADY_AVAILABLE = -6
SBI_ERR_ALREADY_STARTED = -7
SBI_ERR_ALREADY_STOPPED = -8
SBI_ERR_NO_SHMEM = -9

EID_BASE = 0x10
EID_TIME = 0x54494D45
EID_IPI = 0x735049
EID_RFENCE = 0x52464E43
EID_HSM = 0x48534D
EID_SRST = 0x53525354
EID_DBCN = 0x4442434E
EID_NACL = 0x4E41434C

# NACL (nested acceleration) features and shared-memory size on RV64
NACL_FEATURES = {0: "sync_csr", 1: "sync_hfence", 2: "sync_sret", 3: "autoswap_csr"}
NACL_SHMEM_SIZE = 0x3000
NACL_HFENCE_ENTRIES = 60

SPEC_VERSION = (3 << 24) | 0     # SBI v3.0
IMPL_ID = 0x7276                 # not an assigned implementation id ("rv")
IMPL_VERSION = 1
MIP_SSIP = 1 << 1
MASK64 = (1 << 64) - 1


class SbiExit(RvemuError):
    """Raised internally when the payload asks for shutdown/reset through SRST."""


class _NoReturn:
    """An SBI call that does not return to the caller (NACL SYNC_SRET): the hart's pc and
    registers were set by the call itself."""


def _s(v):
    """A register value as a signed 64-bit integer."""
    return v - (1 << 64) if v >> 63 else v


class SbiFirmware:
    """Serves ECALLs from S-mode; one instance per machine."""

    def __init__(self, machine):
        self.m = machine
        self.calls = {}
        # NACL: off by default, since "M-mode firmware should not provide NACL when the
        # hardware implements H" (SBI spec); enable it to study nested acceleration.
        self.nacl_enabled = False
        self.nacl_shmem = None

    def probe(self, eid):
        if eid == EID_NACL:
            return self.nacl_enabled and "h" in self.m.isa
        return eid in (EID_BASE, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN) \
            or 0 <= eid <= 8

    def handle(self, hart):
        """Serve the ECALL at hart.pc; advance pc past it. Returns (reason, code) to stop
        the machine, or None to continue."""
        x = hart.x
        eid, fid = int(x[17]) & 0xFFFFFFFF, int(x[16]) & 0xFFFFFFFF
        self.calls[eid] = self.calls.get(eid, 0) + 1
        stop = None
        if eid <= 8:
            stop = self._legacy(hart, eid)
        else:
            err, val, stop = self._call(hart, eid, fid, [int(x[10 + i]) for i in range(6)])
            if stop is _NoReturn:
                return None
            if stop is None:
                x[10] = err & MASK64
                x[11] = val & MASK64
        hart.pc = hart.pc + 4
        return stop

    # -- legacy extensions (EID 0x00-0x08): result in a0 only -------------------------
    def _legacy(self, hart, eid):
        x = hart.x
        a0 = int(x[10])
        if eid == 0:
            hart.sbi_set_timer(a0)
            x[10] = 0
        elif eid == 1:
            self.m._console_write(bytes([a0 & 0xFF]))
            x[10] = 0
        elif eid == 2:
            b = self.m._console_read(1)
            x[10] = b[0] if b else MASK64  # -1 when no character is waiting
        elif eid == 3:
            hart.set_pending(MIP_SSIP, False)
            x[10] = 0
        elif eid == 4:  # send_ipi(const unsigned long *hart_mask): NULL = every hart
            targets = self._legacy_mask(hart, a0)
            if targets is None:
                x[10] = SBI_ERR_INVALID_ADDRESS & MASK64
            else:
                for i in targets:
                    self.m.harts[i].set_pending(MIP_SSIP, True)
                x[10] = 0
        elif eid in (5, 6, 7):
            self.m.flush_code()
            x[10] = 0
        elif eid == 8:
            return ("halt", 0)
        return None

    def _call(self, hart, eid, fid, a):
        m = self.m
        if eid == EID_BASE:
            if fid == 0:
                return SBI_SUCCESS, SPEC_VERSION, None
            if fid == 1:
                return SBI_SUCCESS, IMPL_ID, None
            if fid == 2:
                return SBI_SUCCESS, IMPL_VERSION, None
            if fid == 3:
                return SBI_SUCCESS, 1 if self.probe(a[0] & 0xFFFFFFFF) else 0, None
            if fid in (4, 5, 6):  # mvendorid, marchid, mimpid
                return SBI_SUCCESS, hart.csr_read(0xF11 + fid - 4), None
        elif eid == EID_TIME and fid == 0:
            hart.sbi_set_timer(a[0])
            return SBI_SUCCESS, 0, None
        elif eid == EID_IPI and fid == 0:
            targets = self._targets(a[0], a[1])
            if targets is None:
                return SBI_ERR_INVALID_PARAM, 0, None
            for i in targets:
                m.harts[i].set_pending(MIP_SSIP, True)
            return SBI_SUCCESS, 0, None
        elif eid == EID_RFENCE and fid <= 6:
            targets = self._targets(a[0], a[1])
            if targets is None:
                return SBI_ERR_INVALID_PARAM, 0, None
            if fid >= 3 and "h" not in m.isa:
                return SBI_ERR_NOT_SUPPORTED, 0, None  # the HFENCE variants need H
            if targets:
                # remote FENCE.I / SFENCE.VMA / HFENCE: the decode cache is shared, so
                # dropping it once and every target's TLBs does all of them
                m.hart.flush_decode_cache()
                if m.group is not None:
                    m.group.code_changed()
                    for i in targets:
                        m.group.flush_tlbs(i)
            return SBI_SUCCESS, 0, None
        elif eid == EID_HSM:
            return self._hsm(hart, fid, a)
        elif eid == EID_SRST and fid == 0:
            rtype, reason = a[0] & 0xFFFFFFFF, a[1] & 0xFFFFFFFF
            if rtype > 2 and rtype < 0xF0000000 or reason > 1 and reason < 0xE0000000:
                return SBI_ERR_INVALID_PARAM, 0, None
            if rtype == 0:
                return 0, 0, ("halt", 0 if reason == 0 else 1)
            return 0, 0, ("reset", 0 if reason == 0 else 1)
        elif eid == EID_DBCN:
            if fid == 0:  # console_write(num_bytes, base_lo, base_hi)
                try:
                    data = m.mem_read(a[1] | (a[2] << 32), a[0])
                except RvemuError:
                    return SBI_ERR_INVALID_PARAM, 0, None
                m._console_write(data)
                return SBI_SUCCESS, len(data), None
            if fid == 1:  # console_read
                data = m._console_read(a[0])
                try:
                    m.mem_write(a[1] | (a[2] << 32), data)
                except RvemuError:
                    return SBI_ERR_INVALID_PARAM, 0, None
                return SBI_SUCCESS, len(data), None
            if fid == 2:  # console_write_byte
                m._console_write(bytes([a[0] & 0xFF]))
                return SBI_SUCCESS, 0, None
        elif eid == EID_NACL and self.probe(EID_NACL):
            return self._nacl(hart, fid, a)
        return SBI_ERR_NOT_SUPPORTED, 0, None

    # -- NACL (SBI "Nested Acceleration Extension"); the L0 work is in the hart ---------
    def _nacl(self, hart, fid, a):
        if fid == 0:  # probe_feature: always SUCCESS, 1 if available
            return SBI_SUCCESS, 1 if (a[0] & 0xFFFFFFFF) in NACL_FEATURES else 0, None
        if fid == 1:  # set_shmem(lo, hi, flags)
            lo, hi, flags = a[0], a[1], a[2]
            if lo == MASK64 and hi == MASK64:
                self.nacl_shmem = None
                return SBI_SUCCESS, 0, None
            if flags != 0 or lo & 0xFFF:
                return SBI_ERR_INVALID_PARAM, 0, None
            ram_end = self.m.ram_base + self.m.ram_size
            if hi != 0 or lo < self.m.ram_base or lo + NACL_SHMEM_SIZE > ram_end:
                return SBI_ERR_INVALID_ADDRESS, 0, None
            self.nacl_shmem = lo
            return SBI_SUCCESS, 0, None
        if fid in (2, 3, 4) and self.nacl_shmem is None:
            return SBI_ERR_NO_SHMEM, 0, None
        if fid == 2:  # sync_csr(csr_num)
            csr = a[0]
            if csr != MASK64 and not ((csr & 0x300) == 0x200 and csr < 0x1000):
                return SBI_ERR_INVALID_PARAM, 0, None
            hart.nacl_sync_csr(self.nacl_shmem, -1 if csr == MASK64 else csr)
            return SBI_SUCCESS, 0, None
        if fid == 3:  # sync_hfence(entry_index)
            idx = a[0]
            if idx != MASK64 and idx >= NACL_HFENCE_ENTRIES:
                return SBI_ERR_INVALID_PARAM, 0, None
            hart.nacl_sync_hfence(self.nacl_shmem, -1 if idx == MASK64 else idx)
            return SBI_SUCCESS, 0, None
        if fid == 4:  # sync_sret(): does not return on success
            hart.nacl_sync_sret(self.nacl_shmem, True)
            return 0, 0, _NoReturn
        return SBI_ERR_NOT_SUPPORTED, 0, None

    def _legacy_mask(self, hart, va):
        """The harts named by a legacy call's hart_mask pointer (a virtual address of an
        unsigned long bit vector, read through the caller's translation), or None."""
        n = self.m.nharts
        if va == 0:
            return list(range(n))
        pa = hart.translate(va)
        if pa is None or pa & 7:
            return None
        try:
            mask = int.from_bytes(self.m.mem_read(pa, 8), "little")
        except RvemuError:
            return None
        return [i for i in range(n) if mask >> i & 1]

    def _targets(self, mask, base):
        """The hart ids a (hart_mask, hart_mask_base) pair names, or None if it names a
        hart that does not exist (SBI_ERR_INVALID_PARAM). base = -1: every hart."""
        n = self.m.nharts
        if base == MASK64:
            return list(range(n))
        out = []
        i = 0
        while mask:
            if mask & 1:
                if base + i >= n:
                    return None
                out.append(base + i)
            mask >>= 1
            i += 1
        return out

    # -- HSM: hart states of the SBI spec (chapter "Hart State Management") -------------
    HSM_STARTED, HSM_STOPPED = 0, 1

    def _hsm(self, hart, fid, a):
        m = self.m
        g = m.group
        me = m.hart_index(hart)
        if fid == 0:  # hart_start(hartid, start_addr, opaque)
            hartid, addr, opaque = a[0], a[1], a[2]
            if hartid >= m.nharts:
                return SBI_ERR_INVALID_PARAM, 0, None
            if g is None or not g.is_stopped(hartid):
                return SBI_ERR_ALREADY_AVAILABLE, 0, None
            if addr & 1 or not (m.ram_base <= addr < m.ram_base + m.ram_size):
                return SBI_ERR_INVALID_ADDRESS, 0, None
            # the hart starts in S-mode at start_addr, a0 = hartid, a1 = opaque, satp = 0,
            # sstatus.SIE = 0 (the firmware's delegation and PMP are set already)
            t = m.harts[hartid]
            t.csr_write(0x180, 0)                                  # satp
            t.csr_write(0x300, t.csr_read(0x300) & ~(1 << 1))      # mstatus.SIE
            t.x[10] = hartid
            t.x[11] = opaque
            t.pc = addr
            t.priv = 1
            g.set_stopped(hartid, False)
            return SBI_SUCCESS, 0, None
        if fid == 1:  # hart_stop: does not return; the last running hart ends the run
            if g is None or all(g.is_stopped(i) for i in range(m.nharts) if i != me):
                return 0, 0, ("halt", 0)
            g.set_stopped(me, True)
            return 0, 0, _NoReturn
        if fid == 2:  # hart_get_status(hartid)
            if a[0] >= m.nharts:
                return SBI_ERR_INVALID_PARAM, 0, None
            stopped = g is not None and g.is_stopped(a[0])
            return SBI_SUCCESS, self.HSM_STOPPED if stopped else self.HSM_STARTED, None
        if fid == 3:  # hart_suspend: retentive suspend behaves as WFI
            if a[0] == 0:
                return SBI_SUCCESS, 0, None
            return SBI_ERR_NOT_SUPPORTED, 0, None
        return SBI_ERR_NOT_SUPPORTED, 0, None
