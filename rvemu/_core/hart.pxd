# The hart's state: one C struct, reached through a raw pointer on the hot path.
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int8_t, int32_t, int64_t

cdef extern from "insn.h":
    enum:
        TLB_SIZE                 # entries per direct-mapped software TLB
        TLB_INVALID              # a tag no page-aligned address can equal

    ctypedef struct Insn:        # one decoded instruction (16 bytes; insn.h has the comments)
        uint16_t op
        uint8_t rd
        uint8_t rs1
        uint8_t rs2
        uint8_t rs3
        uint8_t len
        uint8_t handler
        int32_t imm
        uint32_t raw

    ctypedef struct Tlb:         # direct-mapped software TLB (insn.h has the comments)
        uint64_t tag[TLB_SIZE]
        int64_t add[TLB_SIZE]
        Insn* code[TLB_SIZE]

cdef enum:
    OUT_BUF_SIZE = 4096          # console bytes buffered before leaving the loop
    NUM_PMP = 16                 # implemented PMP entries
    NUM_HPM = 29                 # mhpmcounter3..31
    PAGE_SLOTS = 2050            # 2048 decode slots per page + 2 page-end sentinels

cdef extern from "rvv.h":
    ctypedef struct RvvState:    # the vector unit's state (rvv.h has the field comments)
        uint8_t* reg
        uint64_t vl
        uint64_t vtype
        uint64_t vstart
        uint64_t vlmax
        uint32_t vlenb
        uint8_t vxrm
        uint8_t vxsat
        uint8_t vill
        uint8_t sl
        int8_t ll
        uint8_t vta
        uint8_t vma
        uint8_t ones
        uint8_t elen_l
        uint8_t fp_sl
        uint8_t zvfhmin
        uint8_t zvfbfmin
        uint8_t zvfbfwma
        uint8_t full_v
        uint32_t zvk_ext
        uint64_t* tlog
        uint32_t tlog_n
        uint32_t tlog_cap

cdef extern from "zvk_exec.h":
    enum:
        ZVK_EXT_ZVBB, ZVK_EXT_ZVKB, ZVK_EXT_ZVBC, ZVK_EXT_ZVKG, ZVK_EXT_ZVKNED
        ZVK_EXT_ZVKNHA, ZVK_EXT_ZVKNHB, ZVK_EXT_ZVKSED, ZVK_EXT_ZVKSH

ctypedef struct HartState:
    uint64_t x[33]               # x0..x31; x[32] absorbs writes to x0
    uint64_t f[32]               # FP registers, NaN-boxed 64-bit
    uint64_t pc                  # program counter (synced at loop exits)
    uint64_t instret             # instructions retired since reset (also drives cycle)
    uint8_t check_now            # 1: a device changed interrupt state; re-check at once
    uint8_t priv                 # 0 = U, 1 = S, 3 = M
    uint8_t misaligned_hw        # 1: misaligned loads/stores are done in hardware
    uint8_t svadu                # 1: hardware sets A/D bits (Svadu), 0: page fault (Svade)
    uint8_t sbi_exits            # 1: ECALL from S/U leaves the loop for the Python SBI
    uint8_t step_log             # 1: log register/memory writes (trace mode)
    uint8_t debug_walk           # 1: a debugger's page walk: no A/D checks or updates
    uint8_t wfi_exit             # 1: WFI with nothing armed leaves the loop as EXIT_IDLE
    uint8_t reserved_valid       # LR reservation held
    uint64_t reserved_addr       # physical address of the reservation
    uint64_t ext                 # extension mask (EXTM_* bits)
    uint64_t ialign_mask         # 2 without C (jumps to 2-byte boundaries trap), else 0
    uint64_t hartid              # mhartid
    # machine-level CSRs
    uint64_t mstatus             # mstatus (sstatus is a view)
    uint64_t misa                # misa (read-only)
    uint64_t medeleg             # exception delegation to S
    uint64_t mideleg             # interrupt delegation to S
    uint64_t mie                 # interrupt enables (sie is a view)
    uint64_t mip                 # pending interrupts, software-writable bits (sip is a view)
    uint64_t mtvec               # M trap vector
    uint64_t mscratch            # M scratch
    uint64_t mepc                # M exception pc
    uint64_t mcause              # M cause
    uint64_t mtval               # M trap value
    uint64_t mcounteren          # counter access from S
    uint64_t menvcfg             # M environment configuration
    uint64_t mcountinhibit       # counter inhibit
    uint64_t mcycle_off          # mcycle = instret - mcycle_off
    uint64_t minstret_off        # minstret = instret - minstret_off
    uint64_t mhpmcounter[NUM_HPM] # hpm counters 3..31 (count no events)
    uint64_t mhpmevent[NUM_HPM]  # hpm event selectors 3..31
    uint64_t mseccfg             # machine security configuration
    uint8_t pmpcfg[NUM_PMP]      # PMP configuration bytes
    uint64_t pmpaddr[NUM_PMP]    # PMP addresses (>> 2)
    uint8_t pmp_active           # any PMP entry not OFF
    # supervisor-level CSRs
    uint64_t stvec               # S trap vector
    uint64_t sscratch            # S scratch
    uint64_t sepc                # S exception pc
    uint64_t scause              # S cause
    uint64_t stval               # S trap value
    uint64_t satp                # address translation
    uint64_t scounteren          # counter access from U
    uint64_t senvcfg             # S environment configuration
    uint64_t stimecmp            # Sstc timer compare
    # hypervisor extension: HS-level CSRs, the VS CSR bank, and the V bit
    uint8_t virt                 # V: 1 while the hart is in VS or VU mode
    uint64_t hstatus             # hypervisor status
    uint64_t hedeleg             # exception delegation from HS to VS
    uint64_t hideleg             # interrupt delegation from HS to VS
    uint64_t hvip                # software-injected VS interrupts (VSSIP/VSTIP/VSEIP)
    uint64_t hcounteren          # counter access from VS/VU
    uint64_t henvcfg             # VS environment configuration
    uint64_t htimedelta          # time offset seen by VS/VU
    uint64_t htval               # HS trap value 2 (guest physical address >> 2)
    uint64_t htinst              # HS trap instruction (transformed or pseudo-instruction)
    uint64_t hgatp               # G-stage translation (mode, VMID, root PPN)
    uint64_t mtval2              # M trap value 2 (guest physical address >> 2)
    uint64_t mtinst              # M trap instruction
    uint64_t vsstatus            # VS status (sstatus while V=1)
    uint64_t vstvec              # VS trap vector
    uint64_t vsscratch           # VS scratch
    uint64_t vsepc               # VS exception pc
    uint64_t vscause             # VS cause
    uint64_t vstval              # VS trap value
    uint64_t vsatp               # VS-stage translation (satp while V=1)
    uint64_t vstimecmp           # Sstc VS timer compare (compared with time + htimedelta)
    uint64_t trap_tval2          # trap being raised: GPA >> 2 for guest-page faults, else 0
    uint64_t trap_tinst          # trap being raised: htinst/mtinst value
    uint8_t trap_gva             # trap being raised: tval is a guest virtual address
    uint8_t hyp_access           # during HLV/HSV: 1, or 2 for HLVX (lsu.pxi access_phys)
    uint64_t nacl_shmem          # SBI NACL shared memory of the L1 hypervisor (L0 side)
    uint8_t nacl_armed           # NACL SYNC_SRET swapped hstatus: swap back at the next trap into HS
    uint8_t hs_exit              # 1: a trap into HS leaves the loop (EXIT_HS_TRAP) after entry
    uint32_t fflags              # accrued FP exceptions
    uint32_t frm                 # FP dynamic rounding mode
    # time (deterministic: derived from instret)
    uint64_t time_div            # instructions per mtime tick
    uint64_t time_off            # mtime = (instret + time_off) / time_div
    uint64_t mtimecmp            # CLINT mtimecmp of this hart
    uint32_t msip                # CLINT msip of this hart
    # memory
    uint8_t* ram                 # host RAM buffer (owned by the Python machine)
    uint64_t ram_base            # guest physical address of RAM
    uint64_t ram_size            # bytes of RAM
    Insn** dpages                # decode cache: Insn[PAGE_SLOTS] per RAM page, NULL if none
    uint8_t* code_page           # 1 where a RAM page holds decoded code (stores go slow)
    uint64_t tohost              # HTIF tohost address (0 = none)
    uint64_t fromhost            # HTIF fromhost address (0 = none)
    Tlb itlb                     # fetch TLB
    Tlb rtlb                     # load TLB
    Tlb wtlb                     # store TLB
    # leaving the loop
    int exit_reason              # EXIT_* why the loop returned
    uint64_t exit_code           # guest exit code (EXIT_HALT)
    uint64_t mmio_addr           # EXIT_MMIO: physical address
    uint64_t mmio_data           # EXIT_MMIO: store data / load result
    uint8_t mmio_size            # EXIT_MMIO: access size
    uint8_t mmio_write           # EXIT_MMIO: 1 for a store
    uint8_t mmio_replay          # 1: Python served the pending access; re-execution uses it
    uint8_t nbp                  # breakpoints in bp[]
    uint64_t bp[16]              # breakpoint addresses (virtual pc), set in the decode cache
    uint64_t bp_skip             # pc whose breakpoint is stepped over once when resuming
    uint8_t npydev               # Python device regions in pydev_base/pydev_size
    uint64_t pydev_base[8]       # Python device regions: accesses leave the loop (EXIT_MMIO)
    uint64_t pydev_size[8]
    # trap being raised (set by slow paths, consumed by take_trap)
    uint64_t trap_cause          # exception cause
    uint64_t trap_tval           # trap value
    # console and trace
    uint8_t out_buf[OUT_BUF_SIZE] # bytes written to the console (HTIF, UART)
    uint32_t out_len             # bytes in out_buf
    uint32_t in_len              # bytes waiting in in_buf
    uint32_t in_pos              # next byte of in_buf to deliver
    uint64_t rx_idle_polls       # UART LSR reads that found no input (the guest is waiting)
    uint8_t in_buf[256]          # console input for the UART / SBI getchar
    uint64_t log_mem_addr        # trace: last memory access address
    uint64_t log_mem_data        # trace: last store data
    uint8_t log_mem_size         # trace: last memory access size (0 = none)
    uint8_t log_mem_write        # trace: last access was a store
    uint8_t uart_ier             # ns16550a interrupt enable register
    uint8_t uart_lcr             # ns16550a line control register
    uint8_t uart_mcr             # ns16550a modem control register
    uint8_t uart_scr             # ns16550a scratch register
    uint8_t uart_dll             # ns16550a divisor latch low
    uint8_t uart_dlm             # ns16550a divisor latch high
    uint64_t last_trap_instret   # instret at the last exception (trap-loop detection)
    uint64_t trap_repeat         # exceptions in a row without an instruction retiring
    uint32_t plic_priority[64]   # PLIC source priorities (source 0 does not exist)
    uint64_t plic_pending        # PLIC pending bits, one per source
    uint64_t plic_claimed        # PLIC sources claimed and not yet completed
    uint64_t plic_enable[2]      # PLIC enables of context 0 (M-mode) and 1 (S-mode)
    uint32_t plic_threshold[2]   # PLIC priority thresholds of the two contexts
    # several harts (smp.pxi); all zero/NULL for a lone hart
    HartState** peers            # every hart of the machine by hart index (NULL: one hart)
    uint32_t npeers              # harts in peers
    uint8_t wfi_yield            # 1: WFI with nothing pending leaves the loop (EXIT_IDLE) at once
    uint8_t loose_budget         # 1: a budget may end late, at the next event check (slices)
    uint64_t* code_epoch         # shared counter bumped when a RAM page gains or loses its decodes
    uint64_t stat_traps          # traps taken
    uint64_t stat_interrupts     # interrupts taken
    uint64_t stat_tlb_misses     # software TLB refills
    uint64_t stat_decodes        # instructions decoded into the cache
    Insn tmp_insn[3]             # an instruction that crosses a page, then 2 page-end sentinels
    Insn refetch[3]              # page-end sentinels: "look up pc and check events"
    Insn exc_slot                # sentinel: "raise trap_cause/trap_tval at pc"
    RvvState vu                  # vector unit: vl, vtype, vstart, vxrm, vxsat, register file pointer
