"""Fixtures for the figure tests: analysis results of small in-memory submissions."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analyses"))

from analysis_builders import build_rich_sub  # noqa: E402

from workbench.analyses import run_analyses  # noqa: E402


@pytest.fixture(scope="session")
def results():
    res = run_analyses(build_rich_sub())
    assert res.errors == {}
    return res
