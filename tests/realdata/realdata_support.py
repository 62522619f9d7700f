"""Helpers of the real-data tests: locate ../shared/real-sdtm, read and write SAS transport files."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

REPO = Path(__file__).resolve().parents[2]


def real_sdtm_root() -> Path:
    """``$WORKBENCH_REAL_SDTM``, else ``../shared/real-sdtm`` beside the repository, else /work/shared/real-sdtm."""
    for cand in (os.environ.get("WORKBENCH_REAL_SDTM"), REPO.parent / "shared" / "real-sdtm",
                 Path("/work/shared/real-sdtm")):
        if cand and (Path(cand) / "cdiscpilot01" / "dm.xpt").is_file():
            return Path(cand)
    pytest.fail("the real SDTM of ../shared/real-sdtm is not found (set WORKBENCH_REAL_SDTM): the real-data tests "
                "are part of the suite and must not be skipped")


def read_xpt(path: Path) -> pd.DataFrame:
    """An XPT file as the sponsor wrote it (Windows-1252 where it is not UTF-8), for the tests' own computations."""
    try:
        df, _ = pyreadstat.read_xport(str(path))
    except UnicodeDecodeError:
        df, _ = pyreadstat.read_xport(str(path), encoding="WINDOWS-1252")
    return df


def copy_study(src: Path, dest: Path, skip: tuple[str, ...] = ()) -> Path:
    """A writable copy of a bare SDTM folder, without the named datasets."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.stem.lower() not in skip:
            shutil.copyfile(f, dest / f.name)
            os.chmod(dest / f.name, 0o644)
    return dest


def write_xpt(df: pd.DataFrame, path: Path, name: str) -> None:
    """A SAS transport v5 file as a sponsor's SAS would write it."""
    pyreadstat.write_xport(df, str(path), file_format_version=5, table_name=name.upper())
