"""Find submission folders under a root, and resolve a submission name safely (no path escapes)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from .readers import DATASET_EXTENSIONS

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def is_submission(folder: Path) -> bool:
    """A folder with submission.yaml, a tabulations/ folder, dataset files directly in it (bare mode), or a
    CDE/eCTD data package (m5/datasets/<study>/, or a study folder with analysis/adam/)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    if (folder / "submission.yaml").is_file() or (folder / "tabulations").is_dir():
        return True
    from .loader.package import is_study_folder, study_folders

    if is_study_folder(folder) or study_folders(folder)[0] is not None:
        return True
    try:
        return any(p.suffix.lower() in DATASET_EXTENSIONS and p.is_file() for p in folder.iterdir())
    except OSError:
        return False


def discover(root: str | os.PathLike) -> list[Path]:
    """Submission folders directly under ``root`` (or ``root`` itself when it is one), sorted by name."""
    root = Path(root)
    if is_submission(root) and not any(is_submission(p) for p in _children(root)):
        return [root]
    return sorted((p for p in _children(root) if is_submission(p)), key=lambda p: p.name)


def _children(root: Path) -> list[Path]:
    try:
        return [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


class UnsafeNameError(ValueError):
    """A submission name that is not a plain folder name under the served root."""


def resolve_name(root: str | os.PathLike, name: str) -> Path:
    """The submission folder ``root/name``; refuses anything but a plain folder name of a submission under root."""
    if not isinstance(name, str) or not NAME_RE.match(name) or name in (".", ".."):
        raise UnsafeNameError(f"not a submission name: {name!r}")
    root_real = Path(root).resolve()
    path = (root_real / name)
    if path.is_symlink() or path.resolve().parent != root_real or not is_submission(path):
        raise UnsafeNameError(f"no submission named {name!r} under the served folder")
    return path
