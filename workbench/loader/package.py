"""A CDE / eCTD data package (药物临床试验数据递交指导原则（试行）, 2020): where its parts are.

Layout (docs/package.md)::

    <package root>/m5/datasets/<study>/          the package root holds exactly one study folder
        tabulations/sdtm/    SDTM datasets (.xpt), define.xml, the SDTM reviewer guide (csdrg.pdf / sdrg.pdf)
        analysis/adam/datasets/   ADaM datasets (.xpt), define.xml, the ADaM reviewer guide (adrg.pdf)
        analysis/adam/programs/   the analysis programs (listed and hashed, never executed)

The study folder may be given directly; today's layouts (``tabulations/`` with the datasets in it, a bare
folder) keep working, and ``tabulations/`` + ``analysis/adam/datasets/`` is a package too. Nothing outside the
study folder is opened and no link is followed: a folder or file that is a symbolic link is reported and
skipped, as in documents/ (loader/documents.py).
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..readers import DATASET_EXTENSIONS, sha256_file
from ..submission import InputFile, LoadReason
from .context import LoadContext, SubmissionError, relpath

SDTM_DIRS = ("tabulations", "sdtm")
ADAM_DIRS = ("analysis", "adam", "datasets")
PROGRAM_DIR = "programs"
GUIDE_WORDS = {"SDRG": ("sdrg", "csdrg"), "ADRG": ("adrg",)}
GUIDE_TEXT = ("reviewer", "审阅说明", "审评说明", "数据说明")   # a reviewer's guide named in words
LISTED_TREES = ("tabulations", "analysis", "misc")             # walked for guides, programs and other files


@dataclass(frozen=True)
class PackageFile:
    """One file of the package: path (relative to the study folder), kind, part and size."""

    path: str
    kind: str              # sdtm_dataset | adam_dataset | define | reviewer_guide | program | other
    part: str | None       # "SDTM" | "ADaM" | None
    size: int | None
    guide: str | None = None   # "SDRG" | "ADRG" for a reviewer guide

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "part": self.part, "size": self.size, "guide": self.guide}


@dataclass
class DataPackage:
    """What the package holds: the folders of its parts, their define.xml, reviewer guides and programs."""

    study_path: str                       # the study folder, relative to the folder given ("." when the same)
    sdtm_folder: str | None               # relative to the study folder
    adam_folder: str | None
    sdtm_define: str | None = None        # the define.xml file found for each part (path), None when absent
    adam_define: str | None = None
    guides: dict[str, list[str]] = field(default_factory=lambda: {"SDRG": [], "ADRG": []})
    programs: list[str] = field(default_factory=list)
    files: list[PackageFile] = field(default_factory=list)
    dataset_files: dict[str, list[str]] = field(default_factory=lambda: {"SDTM": [], "ADaM": []})

    @property
    def sdtm_define_expected(self) -> str:
        return f"{self.sdtm_folder}/define.xml" if self.sdtm_folder else "define.xml"

    @property
    def adam_define_expected(self) -> str:
        return f"{self.adam_folder or '/'.join(ADAM_DIRS)}/define.xml"

    def to_dict(self) -> dict:
        return {"study_path": self.study_path, "sdtm_folder": self.sdtm_folder, "adam_folder": self.adam_folder,
                "sdtm_define": self.sdtm_define, "adam_define": self.adam_define, "reviewer_guides": self.guides,
                "programs": self.programs, "files": [f.to_dict() for f in self.files]}


def _real_dir(p: Path) -> bool:
    return p.is_dir() and not p.is_symlink()


def _sub_dir(base: Path, parts: tuple[str, ...]) -> Path | None:
    """base/parts... when every step is a real folder (no link), else None."""
    p = base
    for part in parts:
        p = p / part
        if not _real_dir(p):
            return None
    return p


def is_study_folder(folder: Path) -> bool:
    """A package's study folder: tabulations/sdtm/ or analysis/adam/ in it."""
    return _sub_dir(folder, SDTM_DIRS) is not None or _sub_dir(folder, ADAM_DIRS[:2]) is not None


def study_folders(root: Path) -> tuple[Path | None, list[Path], list[Path]]:
    """(m5/datasets folder or None, its study folders, its linked folders) of a package root."""
    base = _sub_dir(root, ("m5", "datasets"))
    if base is None:
        return None, [], []
    studies, links = [], []
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return base, [], []
    for p in entries:
        if p.name.startswith("."):
            continue
        if p.is_symlink():
            links.append(p)
        elif p.is_dir():
            studies.append(p)
    return base, studies, links


def locate_study(root: Path) -> tuple[Path, str] | None:
    """(study folder, its path relative to ``root``) when ``root`` is a package root or a package's study folder;
    None for today's layouts. Raises SubmissionError when a package root does not name one study."""
    base, studies, links = study_folders(root)
    if base is not None:
        where = relpath(root, base)
        if len(studies) == 1:
            return studies[0], relpath(root, studies[0])
        if not studies:
            extra = f" ({len(links)} symbolic link(s) not followed)" if links else ""
            raise SubmissionError(f"{root}: {where}/ holds no study folder{extra}")
        names = ", ".join(p.name for p in studies[:6])
        raise SubmissionError(f"{root}: {where}/ holds {len(studies)} study folders ({names}); "
                              f"review one study folder ({where}/<study>)")
    if is_study_folder(root):
        return root, "."
    return None


def part_folders(ctx: LoadContext) -> tuple[Path | None, Path | None]:
    """(SDTM folder, ADaM folder) of a package's study folder; links on the way are reported, not followed."""
    root = ctx.root
    for parts in (SDTM_DIRS, ADAM_DIRS):
        p = root
        for part in parts:
            p = p / part
            if p.is_symlink():
                ctx.issue(relpath(root, p), LoadReason.LINK, "folder is a symbolic link; not followed",
                           "文件夹是符号链接，未读取")
                break
    sdtm = _sub_dir(root, SDTM_DIRS)
    if sdtm is None:
        tab = root / "tabulations"
        sdtm = tab if _real_dir(tab) else None
    return sdtm, _sub_dir(root, ADAM_DIRS)


def _guide_of(rel: str) -> str | None:
    """'SDRG' / 'ADRG' for a reviewer guide (a PDF named for it), else None."""
    name = rel.rsplit("/", 1)[-1]
    stem, _, ext = name.lower().rpartition(".")
    if ext != "pdf":
        return None
    words = set(re.split(r"[^a-z0-9]+", stem))
    for guide, names in GUIDE_WORDS.items():
        if words & set(names):
            return guide
    if any(w in stem for w in GUIDE_TEXT):
        return "ADRG" if rel.startswith("analysis/") else "SDRG"
    return None


def list_package_files(ctx: LoadContext, pkg: DataPackage, read: set[str]) -> None:
    """Every other regular file of the package's trees: reviewer guides, programs, other files, hashed into the
    inputs (never executed, never opened otherwise). ``read``: paths already read and hashed (datasets, define)."""
    root = ctx.root
    for top in LISTED_TREES:
        base = root / top
        if not _real_dir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            here = Path(dirpath)
            for d in list(dirnames):
                if (here / d).is_symlink():
                    ctx.issue(relpath(root, here / d), LoadReason.LINK, "folder is a symbolic link; not followed",
                               "文件夹是符号链接，未读取")
                    dirnames.remove(d)
            dirnames.sort()
            for fn in sorted(filenames):
                p = here / fn
                rel = relpath(root, p)
                if rel in read:
                    continue
                try:
                    st = p.lstat()
                except OSError:
                    continue
                if stat.S_ISLNK(st.st_mode):
                    if p.suffix.lower() not in DATASET_EXTENSIONS:   # dataset links: reported by the dataset reader
                        ctx.issue(rel, LoadReason.LINK, "file is a symbolic link; not followed",
                                   "文件是符号链接，未读取")
                    continue
                if not stat.S_ISREG(st.st_mode):
                    ctx.issue(rel, LoadReason.NOT_REGULAR, "not a regular file (a pipe, socket or device); not opened",
                               "不是普通文件（管道、套接字或设备），未打开")
                    continue
                if p.suffix.lower() in DATASET_EXTENSIONS and here in _dataset_dirs(pkg, root):
                    continue   # a dataset file the reader refused (its name): reported with the datasets
                guide = _guide_of(rel)
                in_programs = PROGRAM_DIR in rel.split("/")[:-1] and rel.startswith("analysis/")
                kind = "reviewer_guide" if guide else "program" if in_programs else "other"
                part = "ADaM" if rel.startswith("analysis/") else "SDTM" if rel.startswith("tabulations/") else None
                try:
                    digest = sha256_file(p)
                except OSError as exc:
                    ctx.issue(rel, LoadReason.CORRUPT, f"file cannot be opened: {exc.strerror}",
                               f"文件无法打开：{exc.strerror}")
                    continue
                ctx.inputs.append(InputFile(rel, digest, None, None, kind))
                pkg.files.append(PackageFile(rel, kind, part, st.st_size, guide))
                if guide:
                    pkg.guides[guide].append(rel)
                elif kind == "program":
                    pkg.programs.append(rel)


def _dataset_dirs(pkg: DataPackage, root: Path) -> set[Path]:
    return {root / f for f in (pkg.sdtm_folder, pkg.adam_folder) if f}


def dataset_file_entries(ctx: LoadContext, pkg: DataPackage, part: str, folder: Path | None) -> None:
    """Record every dataset file of a part's folder (read or not) with its size, for PKG-001 / PKG-002."""
    if folder is None:
        return
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    kind = "sdtm_dataset" if part == "SDTM" else "adam_dataset"
    for p in entries:
        if p.suffix.lower() not in DATASET_EXTENSIONS or p.is_symlink() or not p.is_file():
            continue
        rel = relpath(ctx.root, p)
        try:
            size = p.stat().st_size
        except OSError:
            size = None
        pkg.dataset_files[part].append(rel)
        pkg.files.append(PackageFile(rel, kind, part, size))
