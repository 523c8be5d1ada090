"""Throughput with several harts: every hart runs the same busy loop, the machine runs
them round-robin in slices. Compare the MIPS with one hart (no scheduler at all) to see
what a slice switch costs (extra_info: mips, cpu_mips, slices, ns_per_slice is not
derived: compare the rows).

    pytest tests/benchmarks/test_harts_bench.py --benchmark-enable --benchmark-only
"""
import time

import pytest

from rvemu import Machine

BASE = 0x8000_0000
# each hart: t0 = 0x2000000 >> shift iterations of (addi, addi, xor, addi, bnez);
# then hart 0 exits through the finisher (0x5555) and the others park in WFI
LOOP = [0x020002b7, 0x00130313, 0x00338393, 0x00734e33, 0xfff28293, 0xfe0298e3,
        0x00051a63, 0x001002b7, 0x55500313, 0x000053b7, 0x00736333, 0x0062a023,
        0x10500073, 0xffdff06f]


def _machine(harts, slice_len, quick):
    m = Machine(ram="16M", harts=harts, hart_slice=slice_len)
    words = list(LOOP)
    if quick:
        words[0] = 0x000202b7          # lui t0, 0x20: 128 K iterations
    for i, w in enumerate(words):
        m.mem_write(BASE + 4 * i, w.to_bytes(4, "little"))
    for i, h in enumerate(m.harts):
        h.reset(BASE, i)
    return m


@pytest.mark.parametrize("harts,slice_len", [(1, 10_000), (2, 1_000), (2, 10_000),
                                             (4, 10_000), (4, 100_000)])
def test_busy_harts(benchmark, enabled, harts, slice_len):
    results = []

    def setup():
        return (_machine(harts, slice_len, not enabled),), {}

    def target(m):
        c = time.process_time()
        r = m.run()
        results.append((r, time.process_time() - c, m))
        return r

    benchmark.pedantic(target, setup=setup, rounds=3 if enabled else 1)
    r, cpu, m = min(results, key=lambda x: x[0].seconds)
    assert (r.reason, r.exit_code) == ("halt", 0)
    # hart 0 exits after its own loop: the others have run (about) as far
    assert all(h.instret > m.harts[0].instret // 2 for h in m.harts)
    benchmark.extra_info.update(harts=harts, slice=slice_len, instructions=r.instructions,
                                mips=r.mips, cpu_mips=r.instructions / cpu / 1e6 if cpu else 0.0,
                                slices=m.group.slices if m.group else 0)
