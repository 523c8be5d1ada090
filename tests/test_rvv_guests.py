"""The vectorised kernels of guests/bench/vector.c (memcpy, strlen, saxpy, dot product,
matrix multiply, reductions), each checked in the guest against its scalar twin, at
VLEN 128, 256 and 1024; and the scalar-twin workload itself."""
import pytest

from helpers import GUESTS
from rvemu import Machine

ELF = GUESTS / "bench" / "vector.elf"


def _run(elf, isa, vlen, iters):
    m = Machine(isa=isa, ram="64M", vlen=vlen)
    m.load_elf(elf)
    m.mem_write(m.symbols["bench_iters"], iters.to_bytes(8, "little"))
    return m.run(max_insns=50_000_000)


@pytest.mark.parametrize("vlen", [128, 256, 1024])
def test_vector_kernels_match_scalar(vlen):
    r = _run(ELF, "rv64gcv", vlen, 3)
    assert (r.reason, r.exit_code) == ("halt", 0), "exit code 60+k: kernel k differs (vector.c)"


@pytest.mark.parametrize("vlen", [64, 512])
def test_vector_kernels_on_zve64d(vlen):
    """The same ELF on a Zve64d hart (no Zvl128b requirement) runs at VLEN 64 too."""
    r = _run(ELF, "rv64gc_zve64d", vlen, 2)
    assert (r.reason, r.exit_code) == ("halt", 0)


def test_vector_guest_needs_a_vector_unit():
    r = _run(ELF, "rv64gc", None, 1)
    assert (r.reason, r.exit_code) == ("halt", 102)   # EXIT_TRAP_BASE + illegal instruction


def test_scalar_twin():
    r = _run(GUESTS / "bench" / "vector_scalar.elf", "rv64gc", None, 2)
    assert (r.reason, r.exit_code) == ("halt", 0)
