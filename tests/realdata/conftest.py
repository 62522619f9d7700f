"""Fixtures of the real-data tests: the CDISC pilot of ../shared/real-sdtm, read in place (never copied into the
repository), read directly with pyreadstat for the tests' own computations, and reviewed once per session."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from realdata_support import read_xpt, real_sdtm_root


@pytest.fixture(scope="session")
def pilot_dir() -> Path:
    return real_sdtm_root() / "cdiscpilot01"


@pytest.fixture(scope="session")
def raw(pilot_dir):
    """The pilot's datasets read directly with pyreadstat (not through the workbench), upper-case names."""
    cache: dict[str, pd.DataFrame] = {}

    def get(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = read_xpt(pilot_dir / f"{name.lower()}.xpt")
        return cache[name]
    return get


@pytest.fixture(scope="session")
def pilot_review(pilot_dir):
    """The review of the pilot as `workbench review` runs it (library objects and the review.json document)."""
    from workbench.review import run_review

    review = run_review(pilot_dir)
    return review, review.to_dict()
