import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUESTS = ROOT / "guests"


@pytest.fixture
def guests_dir():
    return GUESTS


def _slow_wanted(config):
    """Slow tests run with `-m slow` (any -m expression naming slow) or RVEMU_SLOW_TESTS=1."""
    return os.environ.get("RVEMU_SLOW_TESTS") == "1" or "slow" in (config.getoption("-m") or "")


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) tests marked slow unless asked for: the default run stays short
    and the summary counts them as deselected."""
    if _slow_wanted(config):
        return
    slow = [it for it in items if it.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [it for it in items if not it.get_closest_marker("slow")]
