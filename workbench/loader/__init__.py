"""Load a submission folder (submission-format.md). Read-only; never raises on a bad file.

``load_submission(path)`` is the public entry: datasets (``datasets.py``), submission.yaml
(``manifest_file.py``), define.xml (``define_file.py``), CMC tables (``cmc.py``), the documents index
(``documents.py``), SUPP-- merging (``supp.py``) and the parts of a CDE/eCTD data package (``package.py``: the
study folder under ``m5/datasets/``, SDTM, ADaM, define.xml per part, reviewer guides, programs), each recording
what it read and any problem in one :class:`LoadContext`.
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
from .package import DataPackage, PackageFile, dataset_file_entries, list_package_files, locate_study, part_folders
from .supp import merge_supp

__all__ = ["DataPackage", "LoadContext", "SubmissionError", "load_submission", "peek_submission_id"]


def peek_submission_id(path: str | os.PathLike) -> str:
    """The submission id ``load_submission`` would give, without loading the datasets: submission.yaml's
    ``submission_id`` when it is valid, else the folder name made safe."""
    root = Path(path).resolve()
    try:
        located = locate_study(root)    # a data package: the id of its study folder
    except SubmissionError:
        located = None
    if located is not None:
        root = located[0]
    ctx = LoadContext(root)
    manifest, _, _ = load_manifest(ctx)
    return manifest.submission_id if manifest is not None and manifest.submission_id else safe_id(root.name)


def load_submission(path: str | os.PathLike) -> Submission:
    """Load one submission folder (or a bare folder of SDTM datasets, or a CDE/eCTD data package: its root with
    one study under ``m5/datasets/``, or the study folder).

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
    located = locate_study(root)
    package = None
    if located is not None:
        root = located[0]
    loader = LoadContext(root)
    manifest, problems, manifest_file = load_manifest(loader)
    tab = root / "tabulations"
    if located is not None:
        sdtm_dir, adam_dir = part_folders(loader)
        if sdtm_dir is None:
            raise SubmissionError(f"{root}: data package without an SDTM folder (tabulations/sdtm/)")
        package = DataPackage(located[1], sdtm_dir.relative_to(root).as_posix(),
                              adam_dir.relative_to(root).as_posix() if adam_dir is not None else None)
        bare, folder = False, sdtm_dir
    else:
        bare = not manifest_file and not tab.is_dir()
        folder = tab if tab.is_dir() and not tab.is_symlink() else root
    datasets, supp, files = load_datasets(loader, folder)
    if not datasets and not supp:
        reasons = "; ".join(f"{i.path}: {i.detail_en}" for i in loader.issues[:3])
        where = folder.relative_to(root).as_posix() if folder != root else "the folder"
        raise SubmissionError(f"{root}: no readable dataset in {where}" + (f" ({reasons})" if reasons else ""))
    merge_supp(datasets, supp, loader)
    adam: dict = {}
    adam_files: dict = {}
    adam_define = None
    if package is not None:
        define, adam, adam_files, adam_define = _load_package(loader, package, folder, adam_dir)
    else:
        define = load_define(loader, root / "define.xml")
    batches = load_cmc_table(loader, "batches.csv", ("LOTID", "STATUS"))
    release = load_cmc_table(loader, "release_tests.csv", ("LOTID", "ATTRIBUTE", "RESULT"))
    documents, unindexed = load_documents(loader)
    sub_id = manifest.submission_id if manifest is not None and manifest.submission_id else safe_id(root.name)
    sub = Submission(root=root, submission_id=sub_id, manifest=manifest if manifest_file else None,
                      manifest_problems=problems, bare=bare, datasets=datasets, supp=supp, dataset_files=files,
                      batches=batches, release_tests=release, documents=documents,
                      unindexed_documents=unindexed, define=define, inputs=loader.inputs,
                      load_issues=loader.issues, adam=adam, adam_files=adam_files, adam_define=adam_define,
                      package=package)
    _seed_codes(sub, loader)
    return sub


def _load_package(loader: LoadContext, package: DataPackage, sdtm_dir, adam_dir):
    """The rest of a data package: the ADaM datasets (read like SDTM, kept apart), define.xml of each part, and
    every other file of its trees listed and hashed (reviewer guides, programs)."""
    root = loader.root
    dataset_file_entries(loader, package, "SDTM", sdtm_dir)
    dataset_file_entries(loader, package, "ADaM", adam_dir)
    adam, adam_files = {}, {}
    if adam_dir is not None:
        adam, adam_supp, adam_files = load_datasets(loader, adam_dir, "adam_dataset")
        adam.update(adam_supp)   # ADaM has no supplemental qualifiers to merge: a SUPP-- file stays a dataset
    define = adam_define = None
    for cand in (sdtm_dir / "define.xml", root / "define.xml"):
        if cand.is_file() and not cand.is_symlink():
            package.sdtm_define = cand.relative_to(root).as_posix()
            package.files.append(PackageFile(package.sdtm_define, "define", "SDTM", cand.stat().st_size))
            define = load_define(loader, cand)
            break
    if adam_dir is not None:
        cand = adam_dir / "define.xml"
        if cand.is_file() and not cand.is_symlink():
            package.adam_define = cand.relative_to(root).as_posix()
            package.files.append(PackageFile(package.adam_define, "define", "ADaM", cand.stat().st_size))
            adam_define = load_define(loader, cand)
    list_package_files(loader, package, {f.path for f in loader.inputs})
    return define, adam, adam_files, adam_define


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
