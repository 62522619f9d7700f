"""Load a submission folder (submission-format.md). Read-only; never raises on a bad file.

``load_submission(path)`` is the public entry: datasets (``datasets.py``), submission.yaml
(``manifest_file.py``), define.xml (``define_file.py``), CMC tables (``cmc.py``), the documents index
(``documents.py``) and SUPP-- merging (``supp.py``), each recording what it read and any problem in one
:class:`LoadContext`.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..submission import Submission
from .cmc import load_cmc_table
from .context import LoadContext, SubmissionError, safe_id
from .datasets import load_datasets
from .define_file import load_define
from .documents import load_documents
from .manifest_file import load_manifest
from .supp import merge_supp

__all__ = ["LoadContext", "SubmissionError", "load_submission", "peek_submission_id"]


def peek_submission_id(path: str | os.PathLike) -> str:
    """The submission id ``load_submission`` would give, without loading the datasets: submission.yaml's
    ``submission_id`` when it is valid, else the folder name made safe."""
    root = Path(path).resolve()
    ctx = LoadContext(root)
    manifest, _, _ = load_manifest(ctx)
    return manifest.submission_id if manifest is not None and manifest.submission_id else safe_id(root.name)


def load_submission(path: str | os.PathLike) -> Submission:
    """Load one submission folder (or a bare folder of SDTM datasets).

    Raises :class:`SubmissionError` only when nothing is usable (path missing, not a
    folder, no readable dataset); every other problem is recorded in
    ``Submission.load_issues`` / ``manifest_problems``.
    """
    root = Path(path)
    if not root.exists():
        raise SubmissionError(f"{root}: no such folder")
    if not root.is_dir():
        raise SubmissionError(f"{root}: not a folder")
    root = root.resolve()
    loader = LoadContext(root)
    manifest, problems, manifest_file = load_manifest(loader)
    tab = root / "tabulations"
    bare = not manifest_file and not tab.is_dir()
    folder = tab if tab.is_dir() and not tab.is_symlink() else root
    datasets, supp, files = load_datasets(loader, folder)
    if not datasets and not supp:
        reasons = "; ".join(f"{i.path}: {i.detail_en}" for i in loader.issues[:3])
        where = folder.relative_to(root).as_posix() if folder != root else "the folder"
        raise SubmissionError(f"{root}: no readable dataset in {where}" + (f" ({reasons})" if reasons else ""))
    merge_supp(datasets, supp, loader)
    define = load_define(loader, root / "define.xml")
    batches = load_cmc_table(loader, "batches.csv", ("LOTID", "STATUS"))
    release = load_cmc_table(loader, "release_tests.csv", ("LOTID", "ATTRIBUTE", "RESULT"))
    documents, unindexed = load_documents(loader)
    sub_id = manifest.submission_id if manifest is not None and manifest.submission_id else safe_id(root.name)
    sub = Submission(root=root, submission_id=sub_id, manifest=manifest if manifest_file else None,
                      manifest_problems=problems, bare=bare, datasets=datasets, supp=supp, dataset_files=files,
                      batches=batches, release_tests=release, documents=documents,
                      unindexed_documents=unindexed, define=define, inputs=loader.inputs,
                      load_issues=loader.issues)
    _seed_codes(sub, loader)
    return sub


def _seed_codes(sub: Submission, loader: LoadContext) -> None:
    """Hand the column factorisations done while tidying to :func:`workbench.columns.coded` (same values as
    factorising again), for the datasets that are still the frames tidy returned (not SUPP-merged)."""
    from ..columns import seed

    for dom, frame in sub.datasets.items():
        seeded = loader.seeds.get(id(frame))
        if seeded is None or seeded[0] is not frame:
            continue
        for var, (codes, uniques) in seeded[1].items():
            if var in frame.columns:
                seed(sub, dom, var, codes, uniques)
    loader.seeds.clear()
