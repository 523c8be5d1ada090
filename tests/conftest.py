import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUESTS = ROOT / "guests"


@pytest.fixture
def guests_dir():
    return GUESTS
