"""Shared test fixtures: paths to the small in-repo fixtures and to the shared real corpora."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures: small slices of the shared corpora (see its README for sources and licences)."""
    return ROOT / "tests" / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (the real corpora); skips the test when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not present")
    return SHARED_DATA
