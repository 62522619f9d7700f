"""Fixtures for the check tests: the clean study, a loader for planted cases, a leak-free custom check."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (str(ROOT), str(ROOT / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

from factory import clean_study, load_study  # noqa: E402

from workbench.checks import builtin, run_checks  # noqa: E402,F401  (builtin registers the catalogue)
from workbench.checks import registry as default_registry  # noqa: E402


@pytest.fixture
def study():
    """A fresh, editable copy of the clean study."""
    return clean_study()


@pytest.fixture(scope="session")
def clean_sub(tmp_path_factory):
    """The clean study written and loaded once per session (read-only: do not mutate)."""
    return load_study(clean_study(), tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="session")
def clean_run(clean_sub):
    return run_checks(clean_sub)


@pytest.fixture
def run_one(tmp_path):
    """Write a study, load it and run one check (or several): returns the CheckRun."""

    def _run(study, *check_ids):
        sub = load_study(study, tmp_path)
        return run_checks(sub, only=list(check_ids))

    return _run


@pytest.fixture
def temp_check():
    """Register checks for one test and unregister them afterwards (no leaks between tests)."""
    added: list[str] = []

    def _register(check_id, *args, **kwargs):
        from workbench.checks import check

        deco = check(check_id, *args, **kwargs)

        def wrapped(fn):
            out = deco(fn)  # raises on a clash: nothing to undo then
            added.append(check_id)
            return out

        return wrapped

    yield _register
    for cid in added:
        default_registry.unregister(cid)
