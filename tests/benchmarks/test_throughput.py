"""Throughput benchmarks: the guests/bench workloads and the Python-boundary costs.

Measure for real (timings, MIPS in extra_info):

    pytest tests/benchmarks --benchmark-enable --benchmark-only

(``--benchmark-enable`` overrides the ``--benchmark-disable`` of pyproject's addopts;
add ``--benchmark-json=out.json`` to keep the numbers, ``--benchmark-columns=min,mean,rounds``
to trim the table.)  In a normal test run (benchmarks disabled) every test runs once with a
small ``bench_iters`` and only checks that the guest exits 0: times are never asserted.

extra_info of each benchmark:
  workloads    instructions (retired, deterministic), bench_iters, mips (instructions / the
               fastest round's seconds), cpu_mips (the same with process CPU time, which does
               not grow when other jobs share the CPUs)
  boundaries   calls per round, us_per_call (fastest round), calls_per_second
"""
import pytest

from rvemu import bench

ROUNDS = 5                 # rounds per workload when enabled (each is a full guest run)
QUICK_ITERS = 1            # bench_iters in the quick (disabled) mode
SBI_CALLS = 100_000        # SBI round trips per round when enabled
QUICK_SBI_CALLS = 50
LOOP_CALLS = 1000          # run() calls per round (pytest-benchmark iterations) when enabled
LOOP_ROUNDS = 200


def _run_guest(benchmark, enabled, name, iters):
    """Benchmark Machine.run() of workload ``name`` (machine set-up is not timed)."""
    results = []

    def setup():
        m, n = bench.prepare(name, iters)
        return (m, n), {}

    def target(m, n):
        r, cpu = bench.timed_run(m)
        bench.check_result(name, r, n)      # a wrong result fails the test
        results.append((r, n, cpu))
        return r

    benchmark.pedantic(target, setup=setup, rounds=ROUNDS if enabled else 1)
    assert results and all(r.reason == "halt" and r.exit_code == 0 for r, _, _ in results)
    best, n, _ = min(results, key=lambda rnc: rnc[0].seconds)
    cpu = min(c for _, _, c in results)
    benchmark.extra_info.update(workload=name, bench_iters=n, instructions=best.instructions,
                                seconds=best.seconds, mips=best.mips, cpu_seconds=cpu,
                                cpu_mips=best.instructions / cpu / 1e6 if cpu > 0 else 0.0)
    return best, n


@pytest.mark.parametrize("name", list(bench.WORKLOADS))
def test_workload(benchmark, enabled, name):
    best, _ = _run_guest(benchmark, enabled, name, None if enabled else QUICK_ITERS)
    assert best.instructions > 0


def test_sbi_call(benchmark, enabled):
    """SBI round trip: S-mode ecall -> exit from the core -> Python SBI -> re-entry."""
    calls = SBI_CALLS if enabled else QUICK_SBI_CALLS
    best, n = _run_guest(benchmark, enabled, "sbi_call", calls)
    benchmark.extra_info.update(calls=n, us_per_call=best.seconds / n * 1e6,
                                cpu_us_per_call=benchmark.extra_info["cpu_seconds"] / n * 1e6,
                                calls_per_second=n / best.seconds)


def _boundary_info(benchmark, enabled, calls_per_round):
    if enabled:
        t = benchmark.stats.stats.min          # seconds per call (iterations are averaged)
        benchmark.extra_info.update(calls=calls_per_round, us_per_call=t * 1e6,
                                    calls_per_second=1 / t if t > 0 else 0.0)


def test_run_call(benchmark, enabled):
    """Machine.run(max_insns=1) round trip on a two-instruction loop."""
    m = bench.loop_machine()
    before = m.instret
    r = benchmark.pedantic(m.run, kwargs={"max_insns": 1},
                           iterations=LOOP_CALLS if enabled else 1,
                           rounds=LOOP_ROUNDS if enabled else 1)
    assert r.reason == "budget" and r.instructions == 1
    assert m.instret - before >= 1
    _boundary_info(benchmark, enabled, LOOP_CALLS)


def test_hart_call(benchmark, enabled):
    """Hart.run(1) round trip: the Cython boundary without Machine.run's bookkeeping."""
    m = bench.loop_machine()
    before = m.instret
    benchmark.pedantic(m.hart.run, args=(1,), iterations=LOOP_CALLS if enabled else 1,
                       rounds=LOOP_ROUNDS if enabled else 1)
    n = m.instret - before
    assert n >= 1 and m.reg_read("t0") == (n + 1) // 2    # addi, j, addi, j, ...
    _boundary_info(benchmark, enabled, LOOP_CALLS)


MMIO_CALLS = 100_000       # device reads per round when enabled
QUICK_MMIO_CALLS = 20


def test_mmio_call(benchmark, enabled):
    """MMIO round trip: a guest load from a Python device (Machine.add_device)."""
    calls = MMIO_CALLS if enabled else QUICK_MMIO_CALLS
    done = []

    def target(m, dev):
        r = m.run(max_insns=1 + 3 * calls)          # lui, then (lw, addi, j) per access
        assert r.reason == "budget" and dev.reads == calls and m.reg_read("t0") == 0x5A
        done.append(r)
        return r

    benchmark.pedantic(target, setup=lambda: (bench.mmio_machine(), {}),
                       rounds=ROUNDS if enabled else 1)
    best = min(done, key=lambda r: r.seconds)
    benchmark.extra_info.update(calls=calls, us_per_call=best.seconds / calls * 1e6,
                                calls_per_second=calls / best.seconds)
