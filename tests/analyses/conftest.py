"""Fixtures for the analysis tests: small in-memory submissions (see analysis_builders.py)."""
from __future__ import annotations

import pytest

from analysis_builders import build_small_sub


@pytest.fixture
def small_sub():
    return build_small_sub()
