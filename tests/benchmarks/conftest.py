"""Shared fixtures of the throughput benchmarks (see test_throughput.py)."""
import pytest


@pytest.fixture
def enabled(benchmark):
    """True when pytest-benchmark really measures (--benchmark-enable), False in the quick
    correctness mode of a normal test run (pyproject's addopts has --benchmark-disable)."""
    return not benchmark.disabled
