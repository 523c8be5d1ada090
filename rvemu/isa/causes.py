"""Trap causes (privileged spec, mcause values)."""

EXCEPTIONS = [
    ("misaligned_fetch", 0), ("fetch_access", 1), ("illegal_instruction", 2),
    ("breakpoint", 3), ("misaligned_load", 4), ("load_access", 5),
    ("misaligned_store", 6), ("store_access", 7), ("user_ecall", 8),
    ("supervisor_ecall", 9), ("virtual_supervisor_ecall", 10), ("machine_ecall", 11),
    ("fetch_page_fault", 12), ("load_page_fault", 13), ("store_page_fault", 15),
    ("fetch_guest_page_fault", 20), ("load_guest_page_fault", 21),
    ("virtual_instruction", 22), ("store_guest_page_fault", 23),
]

INTERRUPTS = [
    ("supervisor_software", 1), ("virtual_supervisor_software", 2), ("machine_software", 3),
    ("supervisor_timer", 5), ("virtual_supervisor_timer", 6), ("machine_timer", 7),
    ("supervisor_external", 9), ("virtual_supervisor_external", 10),
    ("machine_external", 11), ("supervisor_guest_external", 12),
]

EXCEPTION_NAMES = {code: name for name, code in EXCEPTIONS}
INTERRUPT_NAMES = {code: name for name, code in INTERRUPTS}
