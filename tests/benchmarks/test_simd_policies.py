"""FP/vector context policies measured (rvemu bench simd, as pytest-benchmark): 4 vCPUs
round-robin with a short quantum, SIMD none/light/heavy guests, eager against lazy, at
VLEN 128 and 1024. extra_info: switches, saves, restores, bytes moved, first-use traps,
instructions and MIPS. Enable with --benchmark-enable (see test_throughput.py); in a
normal run each case runs once with few iterations and only its correctness is checked
(the guest verifies its own FP/vector values)."""
import pytest

from rvemu import bench_simd


@pytest.mark.parametrize("vlen", [128, 1024])
@pytest.mark.parametrize("mix", ["none", "light", "heavy"])
@pytest.mark.parametrize("policy", ["eager", "lazy"])
def test_simd_policy(benchmark, enabled, policy, mix, vlen):
    iters = 20_000 if enabled else 1_000
    records = []

    def target():
        records.append(bench_simd.run_case(policy, vlen, mix, iters=iters))

    benchmark.pedantic(target, rounds=3 if enabled else 1)
    best = min(records, key=lambda r: r["seconds"])
    benchmark.extra_info.update({k: best[k] for k in (
        "switches", "fp_saves", "fp_restores", "v_saves", "v_restores", "bytes_moved",
        "first_use_traps", "fp_first_use", "v_first_use", "instructions", "seconds")})
    benchmark.extra_info["mips"] = best["instructions"] / best["seconds"] / 1e6
    if policy == "lazy" and mix == "none":
        # each vCPU touches FP and then vector once at start-up (two traps), never again
        assert best["first_use_traps"] == 8
        assert best["fp_first_use"] == 4 and best["v_first_use"] == 4
