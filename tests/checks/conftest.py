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

from workbench.checks import (
    builtin,  # noqa: E402,F401  (registers the catalogue)
    run_checks,  # noqa: E402
)
from workbench.checks import registry as default_registry  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _reuse_parsed_csv():
    """Speed: parse each distinct CSV content once per session.

    The planted cases write ~90 near-identical submissions; the loader's per-column
    tidying dominates their load time. This wraps the loader's ``read_dataset`` /
    ``tidy`` so a CSV whose bytes were already read returns a copy of the tidied
    frame; every other step of ``load_submission`` runs as usual. Non-CSV files and
    anything that raises are never cached.
    """
    import hashlib

    import workbench.loader as loader

    real_read, real_tidy = loader.read_dataset, loader.tidy
    cache: dict[str, tuple] = {}

    def read_dataset(path, data=None):
        if data is None:
            return real_read(path, data)
        key = hashlib.sha256(data).hexdigest()
        if key not in cache:
            frame, enc, warnings = real_read(path, data)
            frame = real_tidy(frame)
            frame.attrs["_tidied"] = True
            cache[key] = (frame, enc, warnings)
        frame, enc, warnings = cache[key]
        return frame.copy(), enc, list(warnings)

    def tidy(frame, *args):
        return frame if frame.attrs.get("_tidied") else real_tidy(frame, *args)

    mp = pytest.MonkeyPatch()
    mp.setattr(loader, "read_dataset", read_dataset)
    mp.setattr(loader, "tidy", tidy)
    yield
    mp.undo()


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
